/* ek-exam-proctor.h: the live proctoring of one exam session
 *
 * Owned by the engine from the exam's start to its end (never in the offline
 * practice). It runs the EkProctorSignals on the recorder's face-monitor frames
 * and microphone level with the exam's proctoring policy, and:
 *
 *  - follows the exam's phases (voice counts only in a `reading` phase);
 *  - compares the faces with the identity check's picture, which the face check
 *    kept in the session's private folder (ek_exam_proctor_save_reference_async(),
 *    0600), so a restarted client still has it;
 *  - feeds the lockdown's EkViolationTracker, so signals escalate by policy;
 *  - reports every signal's start and end (with its duration), the resemblance
 *    score (per mille, for the proctor, never a verdict), each snapshot and each
 *    identity re-check as ::log-event, which the engine writes to the event log;
 *  - uploads random snapshots (policy rate) and asked-for ones (the server's
 *    `snapshot_request`): the camera, and the exam screen when it is recorded (the
 *    recorder's screen branch);
 *  - re-checks the identity with the server at the policy's interval
 *    (POST /v1/session/face, purpose `recheck`): two failures in a row, and each
 *    further one, are an `identity_mismatch` violation; the proctor's manual
 *    confirmation (ek_exam_proctor_confirm_identity(), on `release`) ends the run.
 *
 * Nothing here blocks the main loop: JPEG work and files go to worker threads.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"
#include "ek-proctor-signals.h"
#include "ek-recorder.h"
#include "ek-session.h"
#include "ek-violation-tracker.h"

G_BEGIN_DECLS

/* The identity check's picture inside the session's proctoring folder. */
#define EK_EXAM_PROCTOR_REFERENCE_NAME "reference.jpg"
/* Failed re-checks in a row that make an identity_mismatch violation. */
#define EK_EXAM_PROCTOR_RECHECK_FAILURES 2

#define EK_TYPE_EXAM_PROCTOR (ek_exam_proctor_get_type ())

G_DECLARE_FINAL_TYPE (EkExamProctor, ek_exam_proctor, EK, EXAM_PROCTOR, GObject)

EkExamProctor    *ek_exam_proctor_new                  (const EkProctoringPolicy *policy,
                                                        EkSession                *session,
                                                        EkApiClient              *api,
                                                        const char               *directory,
                                                        GError                  **error);
EkProctorSignals *ek_exam_proctor_get_signals          (EkExamProctor            *self);
const char       *ek_exam_proctor_get_directory        (EkExamProctor            *self);

void              ek_exam_proctor_attach_recorder      (EkExamProctor            *self,
                                                        EkRecorder               *recorder,
                                                        gboolean                  record_screen);
void              ek_exam_proctor_set_seal_key         (EkExamProctor            *self,
                                                        GBytes                   *public_key);
void              ek_exam_proctor_set_violation_tracker (EkExamProctor           *self,
                                                        EkViolationTracker       *tracker);
EkViolationTracker *ek_exam_proctor_get_violation_tracker (EkExamProctor         *self);
void              ek_exam_proctor_request_snapshot     (EkExamProctor            *self);
void              ek_exam_proctor_confirm_identity     (EkExamProctor            *self);
void              ek_exam_proctor_stop                 (EkExamProctor            *self);

gboolean          ek_exam_proctor_has_reference        (EkExamProctor            *self);
guint             ek_exam_proctor_get_n_snapshots_sent (EkExamProctor            *self);
guint             ek_exam_proctor_get_recheck_failures (EkExamProctor            *self);

/* Keeps @frame (the identity check's accepted picture) as DIRECTORY/reference.jpg,
 * 0600, in a worker thread. */
void              ek_exam_proctor_save_reference_async (const char               *directory,
                                                        EkVideoFrame             *frame,
                                                        GCancellable             *cancellable,
                                                        GAsyncReadyCallback       callback,
                                                        gpointer                  user_data);
gboolean          ek_exam_proctor_save_reference_finish (GAsyncResult            *result,
                                                        GError                  **error);

/* A JPEG as an RGBA frame (GStreamer's decoder); blocking. */
EkVideoFrame     *ek_exam_proctor_decode_jpeg          (GBytes                   *jpeg,
                                                        GError                  **error);

G_END_DECLS
