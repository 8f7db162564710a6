/* ek-exam-page.h: the exam itself: the phase, the time left, the questions, the proctor */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_EXAM_PAGE (ek_exam_page_get_type ())

G_DECLARE_FINAL_TYPE (EkExamPage, ek_exam_page, EK, EXAM_PAGE, GtkWidget)

GtkWidget *ek_exam_page_new        (EkEngine   *engine);
GListModel *ek_exam_page_get_sheets (EkExamPage *self);

G_END_DECLS
