/* ek-engine.h: the exam engine as the UI sees it
 *
 * Ties the configuration, the server clock, the API client, the secret store and
 * the session state machine together: logs in, keeps the token in the Secret
 * Service, re-enters a session after a crash or restart, reports each step to the
 * server and applies the server's answer to the session.
 */
#pragma once

#include "ek-answer-store.h"
#include "ek-api-client.h"
#include "ek-config.h"
#include "ek-event-log.h"
#include "ek-exam-proctor.h"
#include "ek-proctor-channel.h"
#include "ek-exam-recording.h"
#include "ek-practice.h"
#include "ek-secret-store.h"
#include "ek-server-clock.h"
#include "ek-session.h"
#include "ek-violation-tracker.h"

G_BEGIN_DECLS

#define EK_TYPE_ENGINE (ek_engine_get_type ())

G_DECLARE_FINAL_TYPE (EkEngine, ek_engine, EK, ENGINE, GObject)

EkEngine      *ek_engine_new                 (EkConfig             *config);
EkConfig      *ek_engine_get_config          (EkEngine             *self);
EkServerClock *ek_engine_get_clock           (EkEngine             *self);
EkApiClient   *ek_engine_get_api             (EkEngine             *self);
EkSecretStore *ek_engine_get_secret_store    (EkEngine             *self);
EkSession     *ek_engine_get_session         (EkEngine             *self);
const char    *ek_engine_get_session_id      (EkEngine             *self);
const char    *ek_engine_get_keyring_problem (EkEngine             *self);
const char    *ek_engine_get_questions_problem (EkEngine           *self);
gboolean       ek_engine_get_questions_ready (EkEngine             *self);

void           ek_engine_resume_async        (EkEngine             *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       ek_engine_resume_finish       (EkEngine             *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           ek_engine_login_async         (EkEngine             *self,
                                              const char           *exam_token,
                                              const char           *id_number,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       ek_engine_login_finish        (EkEngine             *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           ek_engine_login_face_async    (EkEngine             *self,
                                              const char           *exam_id,
                                              const char           *id_number,
                                              GBytes               *jpeg,
                                              gint64                capture_ms,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       ek_engine_login_face_finish   (EkEngine             *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           ek_engine_answer_pledge_async (EkEngine             *self,
                                              gboolean              accepted,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void           ek_engine_complete_step_async (EkEngine             *self,
                                              EkStep                step,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       ek_engine_second_view_waivable (EkEngine            *self);
void           ek_engine_skip_second_view_async (EkEngine          *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void           ek_engine_enter_async         (EkEngine             *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void           ek_engine_submit_async        (EkEngine             *self,
                                              guint                 answer_count,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
/* Finishes answer_pledge, complete_step, skip_second_view, enter, submit and leave. */
gboolean       ek_engine_step_finish         (EkEngine             *self,
                                              GAsyncResult         *result,
                                              GError              **error);
void           ek_engine_leave_async         (EkEngine             *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void           ek_engine_forget_session      (EkEngine             *self);
void           ek_engine_get_questions_async (EkEngine             *self,
                                              guint                 phase_index,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
JsonArray     *ek_engine_get_questions_finish (EkEngine            *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* The offline practice exam: no server, the session driven locally by an
 * EkPractice made from @bundle (one entry of ek_practice_load_bundle()). */
gboolean       ek_engine_start_practice      (EkEngine             *self,
                                              JsonObject           *bundle,
                                              GError              **error);
gboolean       ek_engine_is_practice         (EkEngine             *self);
EkPractice    *ek_engine_get_practice        (EkEngine             *self);
JsonArray     *ek_engine_get_practice_attachments (EkEngine        *self);

/* The recording of the exam: started at EXAM, finished (uploaded and confirmed)
 * at FINISHING, after which the session is marked FINISHED. */
EkExamRecording *ek_engine_get_recording     (EkEngine             *self);
const char    *ek_engine_get_recording_problem (EkEngine           *self);
/* A written exam's answers (see EkEngine:answer-store). */
EkAnswerStore *ek_engine_get_answer_store    (EkEngine             *self);
const char    *ek_engine_get_answer_store_problem (EkEngine        *self);
void           ek_engine_reopen_answer_store (EkEngine             *self);
void           ek_engine_set_devices         (EkEngine             *self,
                                              const char           *camera_id,
                                              const char           *microphone_id);

/* The session's event log (protocol §7): NULL before login and in practice mode. */
EkEventLog    *ek_engine_get_event_log       (EkEngine             *self);
/* Logs an event of the current session (nothing without one). @client_ms: when
 * it began, wall clock ms (0: now); the server time is derived from the clock.
 * @duration_ms: < 0 for none. @data: nullable, not taken; integers and strings. */
void           ek_engine_log_event           (EkEngine             *self,
                                              const char           *type,
                                              gint64                client_ms,
                                              gint64                duration_ms,
                                              JsonObject           *data);
/* Every violation of @tracker (begun, ended, escalated) becomes an event of the
 * session; NULL stops watching. */
void           ek_engine_watch_violations    (EkEngine             *self,
                                              EkViolationTracker   *tracker);

/* Live proctoring (issue 6): the exam's signals, snapshots and identity re-check,
 * from the exam's start to its end; NULL otherwise. */
EkExamProctor *ek_engine_get_proctor         (EkEngine             *self);
EkProctorChannel *ek_engine_get_proctor_channel (EkEngine          *self);
/* The identity check's accepted picture, kept for the resemblance score. */
void           ek_engine_keep_reference_face (EkEngine             *self,
                                              EkVideoFrame         *frame);

/* The guided steps before the exam (room scan, blank paper), recorded as the
 * session's "room_scan" stream. */
gboolean       ek_engine_start_room_scan     (EkEngine             *self,
                                              GError              **error);
void           ek_engine_stop_room_scan_async (EkEngine            *self,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean       ek_engine_stop_room_scan_finish (EkEngine           *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
