/* ek-question-view.h: the questions of a phase, and for a written test their answers
 *
 * An interview's questions (all oral) are shown large, one after the other, to be read
 * and answered aloud. A written test shows one question at a time with its input, an
 * answer sheet (navigator) with each question's state, Previous/Next and a flag; every
 * change goes to the EkAnswerStore at once. Submitting is the embedding page's business:
 * the view emits EkQuestionView::submit-requested and offers
 * ek_question_view_confirm_submit_async() for the confirmation.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-answer-store.h"
#include "ek-question.h"

G_BEGIN_DECLS

#define EK_TYPE_QUESTION_VIEW (ek_question_view_get_type ())

G_DECLARE_FINAL_TYPE (EkQuestionView, ek_question_view, EK, QUESTION_VIEW, GtkWidget)

GtkWidget     *ek_question_view_new                   (EkAnswerStore        *store,
                                                       GListModel           *questions);
EkAnswerStore *ek_question_view_get_store             (EkQuestionView       *self);
GListModel    *ek_question_view_get_questions         (EkQuestionView       *self);
guint          ek_question_view_get_position          (EkQuestionView       *self);
void           ek_question_view_set_position          (EkQuestionView       *self,
                                                       guint                 position);
guint          ek_question_view_get_n_unanswered      (EkQuestionView       *self);
GtkWidget     *ek_question_view_get_confirm_card      (EkQuestionView       *self);

void           ek_question_view_confirm_submit_async  (EkQuestionView       *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean       ek_question_view_confirm_submit_finish (EkQuestionView       *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
