/* ek-practice.h: the offline practice exam
 *
 * The bundled practice exams (assets/practice-exam.json) run without a server:
 * EkPractice reads and translates the bundle, builds each run's exam with times
 * relative to now, and answers the steps, entry, submission and questions locally
 * where the exam server would. The engine hands its step calls to one when the
 * candidate practises.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-session.h"

G_BEGIN_DECLS

/* Where the application's resources hold the bundle. */
#define EK_PRACTICE_BUNDLE_RESOURCE "/io/github/examkiosk/Kiosk/practice-exam.json"

#define EK_TYPE_PRACTICE (ek_practice_get_type ())

G_DECLARE_FINAL_TYPE (EkPractice, ek_practice, EK, PRACTICE, GObject)

/* The bundle: its practice exams, each checked and in the first of @languages it
 * has a translation for. */
JsonArray   *ek_practice_load_bundle        (GBytes               *bytes,
                                             const char * const   *languages,
                                             GError              **error);
JsonArray   *ek_practice_load_bundled       (GError              **error);
JsonObject  *ek_practice_translate          (JsonObject           *entry,
                                             const char * const   *languages);

/* One practice run. */
EkPractice  *ek_practice_new                (JsonObject           *entry,
                                             GError              **error);
JsonObject  *ek_practice_get_entry          (EkPractice           *self);
EkCandidate *ek_practice_get_candidate      (EkPractice           *self);
JsonArray   *ek_practice_get_attachments    (EkPractice           *self);
EkExam      *ek_practice_build_exam         (EkPractice           *self,
                                             gint64                now_ms,
                                             GError              **error);
gboolean     ek_practice_start              (EkPractice           *self,
                                             EkSession            *session,
                                             GError              **error);
EkSession   *ek_practice_get_session        (EkPractice           *self);

/* What the server would answer, decided on this computer. */
gboolean     ek_practice_answer_pledge      (EkPractice           *self,
                                             gboolean              accepted,
                                             GError              **error);
gboolean     ek_practice_complete_step      (EkPractice           *self,
                                             EkStep                step,
                                             GError              **error);
gboolean     ek_practice_enter              (EkPractice           *self,
                                             GError              **error);
gboolean     ek_practice_submit             (EkPractice           *self,
                                             GError              **error);
void         ek_practice_leave              (EkPractice           *self);
JsonArray   *ek_practice_get_questions      (EkPractice           *self,
                                             guint                 phase_index);

G_END_DECLS
