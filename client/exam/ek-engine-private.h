/* ek-engine-private.h: what the files of EkEngine share
 *
 * EkEngine is one type in several files by concern (as gnome-text-editor's
 * editor-page-*.c): ek-engine.c (life cycle, properties, the stage handler, clock
 * re-sync, written answers and the finished criteria), ek-engine-login.c,
 * ek-engine-steps.c, ek-engine-media.c, ek-engine-events.c, ek-engine-sealed.c and
 * ek-engine-offline.c. They share the instance struct and the `_ek_engine_*`
 * functions below; nothing outside these files includes this header.
 */
#pragma once

#include "ek-engine.h"
#include "ek-session-info.h"

G_BEGIN_DECLS

struct _EkEngine
{
  GObject        parent_instance;

  EkConfig      *config;           /* owned */
  EkServerClock *clock;            /* owned */
  EkApiClient   *api;              /* owned */
  EkSecretStore *secrets;          /* owned */
  EkSession     *session;          /* owned */
  char          *session_id;
  char          *keyring_problem;  /* a message for the candidate, or NULL */
  guint          resync_source;
  GCancellable  *cancellable;      /* for the engine's own background work */
  EkPractice    *practice;         /* owned; answers the steps in a practice run, NULL against a server */
  EkExamRecording *recording;      /* owned; from the exam's start until the session ends */
  char          *camera_id;        /* chosen on the device page; NULL: the default */
  char          *microphone_id;
  char          *recording_problem;
  gboolean       finishing_recording;
  gboolean       recording_confirmed; /* FINISHING: the server confirmed every segment */
  EkAnswerStore *answers;          /* owned; a written exam's, from entering it */
  char          *answers_problem;  /* why the answers could not be opened, or NULL */
  GCancellable  *answers_cancellable; /* owned; the opening in progress */
  EkEventLog    *events;           /* owned; the session's event log, NULL in practice */
  char          *events_problem;   /* why the event log could not be opened, or NULL */
  EkViolationTracker *violations;  /* owned, nullable: watched for events */
  EkEscalationStep violation_step; /* the tracker's step last logged */
  EkSessionStage logged_stage;     /* the stage last logged */
  gint64         room_scan_started_ms; /* wall clock, 0 when no scan is recorded */
  EkExamProctor *proctor;          /* owned; live proctoring, from the exam's start to its end */
  EkProctorChannel *proctor_channel; /* owned; the proctor's messages, the same time */
  char          *questions_key;    /* secret: the sealed questions' key (base64), wiped */
  GBytes        *sealed_package;   /* owned, nullable: checked against the exam's hash */
  char          *questions_problem; /* why the package was refused, or NULL */
  guint          sealed_source;
  guint          sealed_attempt;
  gboolean       sealed_busy;
  gint64         offline_entered_ms; /* > 0: entered offline, not yet on the server */
  guint          entry_report_source;
  guint          entry_report_attempt;
  JsonObject    *offline_answer;   /* owned, nullable: the session answer without secrets */
  char          *offline_pending;  /* the copy's next contents (NULL: remove it) */
  char          *offline_pending_path;
  gboolean       offline_dirty;
  gboolean       offline_writing;
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_SESSION,
  PROP_KEYRING_PROBLEM,
  PROP_RECORDING,
  PROP_RECORDING_PROBLEM,
  PROP_ANSWER_STORE,
  PROP_ANSWER_STORE_PROBLEM,
  PROP_PROCTOR,
  PROP_PROCTOR_CHANNEL,
  PROP_QUESTIONS_PROBLEM,
  PROP_QUESTIONS_READY,
  N_PROPS
};

/* ek-engine.c */
void        _ek_engine_notify                (EkEngine       *self,
                                              guint           prop_id);
void        _ek_engine_maybe_mark_finished   (EkEngine       *self);

/* ek-engine-login.c */
void        _ek_engine_forget_session        (EkEngine       *self);
gboolean    _ek_engine_load_session_info     (EkEngine       *self,
                                              EkSessionInfo  *info,
                                              GError        **error);
void        _ek_engine_save_secrets          (EkEngine       *self,
                                              GCancellable   *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer        user_data);

/* ek-engine-sealed.c */
void        _ek_engine_set_questions_key     (EkEngine       *self,
                                              const char     *key_b64);
void        _ek_engine_sealed_start          (EkEngine       *self);
void        _ek_engine_sealed_stop           (EkEngine       *self);
gboolean    _ek_engine_sealed_ready          (EkEngine       *self);
void        _ek_engine_enter_offline         (EkEngine       *self);
void        _ek_engine_report_offline_entry  (EkEngine       *self,
                                              gint64          entered_ms);
gboolean    _ek_engine_sealed_open_async     (EkEngine       *self,
                                              guint           phase_index,
                                              GCancellable   *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer        user_data);
JsonArray  *_ek_engine_sealed_open_finish    (EkEngine       *self,
                                              GAsyncResult   *result,
                                              GError        **error);

/* ek-engine-offline.c */
void        _ek_engine_offline_keep          (EkEngine       *self,
                                              EkSessionInfo  *info);
void        _ek_engine_offline_save          (EkEngine       *self);
void        _ek_engine_offline_forget        (EkEngine       *self);
void        _ek_engine_offline_resume        (EkEngine       *self,
                                              GTask          *task,
                                              GError         *error);

/* ek-engine-media.c */
void        _ek_engine_start_recording       (EkEngine       *self);
void        _ek_engine_finish_recording      (EkEngine       *self);
void        _ek_engine_clear_recording       (EkEngine       *self);
gboolean    _ek_engine_check_proctoring      (EkEngine       *self,
                                              GError        **error);
void        _ek_engine_start_proctor         (EkEngine       *self);
void        _ek_engine_stop_proctor          (EkEngine       *self);
void        _ek_engine_start_proctor_channel (EkEngine       *self);
void        _ek_engine_stop_proctor_channel  (EkEngine       *self);

/* ek-engine-events.c */
void        _ek_engine_watch_session_events  (EkEngine       *self);
void        _ek_engine_set_session_id        (EkEngine       *self,
                                              const char     *session_id);
void        _ek_engine_log_event             (EkEngine       *self,
                                              const char     *type,
                                              gint64          client_ms,
                                              gint64          duration_ms,
                                              JsonObject     *data);
JsonObject *_ek_engine_string_data           (const char     *first_name,
                                              ...) G_GNUC_NULL_TERMINATED;
gboolean    _ek_engine_events_settled        (EkEngine       *self);
void        _ek_engine_log_stage_change      (EkEngine       *self,
                                              EkSessionStage  stage);
void        _ek_engine_flush_events          (EkEngine       *self);
void        _ek_engine_flush_last_events     (EkEngine       *self);

G_END_DECLS
