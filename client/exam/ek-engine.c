/* ek-engine.c: the exam engine as the UI sees it */

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-engine.h"
#include "ek-exam-proctor.h"
#include "ek-exam-recording.h"
#include "ek-json.h"
#include "ek-session-info.h"

/* A running exam re-measures the clock now and then, so that a countdown of two
 * hours cannot drift from the server's by the local oscillator's error. */
#define CLOCK_RESYNC_SECONDS 300

/* The practice exam's waiting room: long enough to see it, short enough not to bore. */
#define PRACTICE_DEFAULT_WAIT_SECONDS 15

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
  JsonObject    *practice;         /* owned; the practice bundle, NULL against a server */
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
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkEngine, ek_engine, G_TYPE_OBJECT)

static void
set_keyring_problem (EkEngine     *self,
                     const GError *error)
{
  const char *message = error != NULL ? error->message : NULL;

  if (g_strcmp0 (message, self->keyring_problem) == 0)
    return;

  g_free (self->keyring_problem);
  self->keyring_problem = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_PROBLEM]);
}

/* --- event log ------------------------------------------------------------ */

static void on_events_pending_cb (EkEngine *self);
static void forget_session       (EkEngine *self);

/* The session's event log: DATA/sessions/ID/events.db, in the session's private
 * folder. Practice runs have no server and no log. */
static void
open_event_log (EkEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->events);
  g_clear_pointer (&self->events_problem, g_free);
  if (self->session_id == NULL || self->practice != NULL ||
      g_str_equal (self->session_id, "practice"))
    return;

  directory = g_build_filename (ek_config_get_data_dir (self->config), "sessions",
                                self->session_id, NULL);
  path = g_build_filename (directory, "events.db", NULL);
  if (g_mkdir_with_parents (directory, 0700) != 0 || g_chmod (directory, 0700) != 0)
    {
      int saved = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The folder %s cannot be made private: %s"), directory, g_strerror (saved));
    }
  else
    self->events = ek_event_log_new (path, &error);

  if (self->events == NULL)
    {
      g_warning ("The event log cannot be opened: %s", error->message);
      self->events_problem = g_strdup (error->message);
      return;
    }
  g_signal_connect_object (self->events, "notify::n-pending",
                           G_CALLBACK (on_events_pending_cb), self, G_CONNECT_SWAPPED);
  ek_event_log_set_api (self->events, self->api);
}

static void
set_session_id (EkEngine   *self,
                const char *session_id)
{
  gboolean changed = g_strcmp0 (self->session_id, session_id) != 0;

  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  if (changed || (self->events == NULL && self->events_problem == NULL))
    open_event_log (self);
}

static gint64
server_ms_of (EkEngine *self,
              gint64    client_ms)
{
  if (!ek_server_clock_is_synced (self->clock))
    return 0;
  return client_ms + ek_server_clock_get_offset_ms (self->clock);
}

static void
log_event (EkEngine   *self,
           const char *type,
           gint64      client_ms,
           gint64      duration_ms,
           JsonObject *data)
{
  if (self->events == NULL)
    return;
  if (client_ms <= 0)
    client_ms = g_get_real_time () / 1000;
  ek_event_log_append (self->events, type, client_ms, server_ms_of (self, client_ms),
                       duration_ms, data);
}

/* A small data object: pairs of member name and string value, NULL-terminated. */
static JsonObject *
string_data (const char *first_name,
             ...)
{
  JsonObject *data = json_object_new ();
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      json_object_set_string_member (data, name, value != NULL ? value : "");
    }
  va_end (args);

  return data;
}

static gboolean
events_settled (EkEngine *self)
{
  return self->events == NULL || ek_event_log_get_n_pending (self->events) == 0;
}

static const char *
stage_name (EkSessionStage stage)
{
  switch (stage)
    {
    case EK_SESSION_STAGE_STEPS: return "steps";
    case EK_SESSION_STAGE_WAITING: return "waiting";
    case EK_SESSION_STAGE_EXAM: return "exam";
    case EK_SESSION_STAGE_FINISHING: return "finishing";
    case EK_SESSION_STAGE_FINISHED: return "finished";
    case EK_SESSION_STAGE_ENDED: return "ended";
    case EK_SESSION_STAGE_NONE:
    default: return "none";
    }
}

/* The session as the server knows it, in the log: each stage the client reaches. */
static void
log_stage (EkEngine       *self,
           EkSessionStage  stage)
{
  const EkSessionState *state = ek_session_get_state (self->session);
  g_autoptr(JsonObject) data = string_data ("stage", stage_name (stage), NULL);

  if (state != NULL && state->end_reason != EK_END_REASON_NONE &&
      (stage == EK_SESSION_STAGE_FINISHING || stage == EK_SESSION_STAGE_ENDED))
    json_object_set_string_member (data, "reason", ek_end_reason_to_string (state->end_reason));
  else if (state != NULL && stage == EK_SESSION_STAGE_FINISHING)
    /* Reached on this computer's own clock, before the server said why. */
    json_object_set_string_member (data, "reason",
                                   ek_end_reason_to_string (state->submitted_ms > 0
                                                            ? EK_END_REASON_SUBMITTED
                                                            : EK_END_REASON_TIME_OVER));
  log_event (self, "stage", 0, -1, data);
  self->logged_stage = stage;
}

static void
on_phase_index_cb (EkSession  *session,
                   GParamSpec *pspec,
                   EkEngine   *self)
{
  int index = ek_session_get_phase_index (session);
  EkExam *exam = ek_session_get_exam (session);
  g_autoptr(JsonObject) data = NULL;

  /* The session may say the phase before it says the stage: the stage comes first
   * in the log, and its handler logs the phase then. */
  if (index < 0 || exam == NULL || self->logged_stage != EK_SESSION_STAGE_EXAM)
    return;

  data = json_object_new ();
  json_object_set_int_member (data, "index", index);
  if ((guint) index < ek_exam_get_n_phases (exam))
    json_object_set_string_member (data, "phase", ek_exam_get_phase (exam, index)->id);
  log_event (self, "phase_started", 0, -1, data);
}

static void
on_current_step_cb (EkSession  *session,
                    GParamSpec *pspec,
                    EkEngine   *self)
{
  g_autoptr(JsonObject) data = NULL;

  if (ek_session_get_stage (session) != EK_SESSION_STAGE_STEPS)
    return;
  data = string_data ("step", ek_step_to_string (ek_session_get_current_step (session)), NULL);
  log_event (self, "step_shown", 0, -1, data);
}

static void
on_events_flushed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* After a failure the log goes on retrying by itself; n-pending says when it is done. */
  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    g_debug ("The events are not all on the server yet: %s", error->message);
}

static void
on_last_events_flushed_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* They stay in the session's folder, for the record. */
      g_message ("The last events of the ended session did not reach the server: %s",
                 error->message);
    }
  if (ek_session_get_stage (self->session) == EK_SESSION_STAGE_ENDED)
    forget_session (self);
}

static void
on_secret_cleared_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_clear_finish (EK_SECRET_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("Could not remove the ended session from the keyring: %s", error->message);
      set_keyring_problem (self, error);
    }
}

static void
forget_session (EkEngine *self)
{
  /* A practice run has no token, and the keyring may hold a real session's. */
  if (self->practice != NULL)
    return;

  ek_api_client_set_session_token (self->api, NULL);
  ek_secret_store_clear_async (self->secrets, ek_config_get_server_url (self->config),
                               self->cancellable, on_secret_cleared_cb, g_object_ref (self));
}

static void
on_resynced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A failed re-sync keeps the last good offset, which is still right to within
   * the oscillator's drift: nothing to tell the candidate. */
  if (!ek_api_client_sync_clock_finish (EK_API_CLIENT (object), result, &error))
    g_debug ("Clock re-sync failed: %s", error->message);
  else
    ek_session_refresh (self->session);
}

static gboolean
on_resync_timeout_cb (gpointer user_data)
{
  EkEngine *self = user_data;

  ek_api_client_sync_clock_async (self->api, self->cancellable, on_resynced_cb,
                                  g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

/* --- written answers ------------------------------------------------------ */

static gboolean
is_written_exam (EkEngine *self)
{
  EkExam *exam = ek_session_get_exam (self->session);

  return exam != NULL && ek_exam_get_kind (exam) == EK_EXAM_KIND_WRITTEN;
}

/* Whether the answers need nothing more from this computer: every one confirmed by the
 * server or refused by it for good (protocol section 6), or kept offline (practice). A
 * store that cannot be opened is not settled: the token is kept, so a restart tries again. */
static gboolean
answers_settled (EkEngine *self)
{
  if (!is_written_exam (self) || self->practice != NULL)
    return TRUE;
  if (self->answers == NULL)
    return FALSE;

  return ek_answer_store_get_n_pending_sync (self->answers) == 0 ||
         ek_answer_store_get_sync_stopped (self->answers);
}

/* FINISHED only when the server has the recording and the answers. */
static void
maybe_mark_finished (EkEngine *self)
{
  if (ek_session_get_stage (self->session) == EK_SESSION_STAGE_FINISHING &&
      self->recording_confirmed && answers_settled (self) && events_settled (self))
    ek_session_mark_finished (self->session);
}

static void
on_events_pending_cb (EkEngine *self)
{
  maybe_mark_finished (self);
}

static void
on_answers_synced_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* After a transient failure the store goes on pushing by itself; n-pending-sync
   * says when it is done. */
  if (!ek_answer_store_sync_finish (EK_ANSWER_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The answers are not all on the server yet: %s", error->message);
  maybe_mark_finished (self);
}

/* The exam is over however it ended: the answers are final, and what was saved in
 * time but not yet pushed goes to the server now (also after a restart past the end). */
static void
settle_answers (EkEngine *self)
{
  EkSessionStage stage = ek_session_get_stage (self->session);

  if (self->answers == NULL ||
      (stage != EK_SESSION_STAGE_FINISHING && stage != EK_SESSION_STAGE_FINISHED &&
       stage != EK_SESSION_STAGE_ENDED))
    return;

  ek_answer_store_set_read_only (self->answers);
  if (stage == EK_SESSION_STAGE_FINISHING && self->practice == NULL &&
      !ek_answer_store_get_sync_stopped (self->answers))
    ek_answer_store_sync_async (self->answers, self->cancellable, on_answers_synced_cb,
                                g_object_ref (self));
  maybe_mark_finished (self);
}

static void
on_answers_progress_cb (EkEngine *self)
{
  maybe_mark_finished (self);
}

static void
set_answers_problem (EkEngine   *self,
                     const char *problem)
{
  if (g_strcmp0 (problem, self->answers_problem) == 0)
    return;

  g_free (self->answers_problem);
  self->answers_problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_STORE_PROBLEM]);
}

static void
on_answers_opened_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  EkAnswerStore *store;
  EkExam *exam;

  store = ek_answer_store_open_session_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->answers_cancellable);

  if (store == NULL)
    {
      g_autofree char *problem = NULL;

      g_message ("The answer store cannot be opened: %s", error->message);
      /* Translators: %s says why (a file system message) */
      problem = g_strdup_printf (_("Your answers cannot be saved on this computer (%s). "
                                   "Press Refresh to try again, or call the proctor."),
                                 error->message);
      set_answers_problem (self, problem);
      return;
    }

  self->answers = store;
  exam = ek_session_get_exam (self->session);
  /* Past the exam's end the answers only finish their upload. */
  if (exam != NULL)
    ek_answer_store_set_deadline (store, self->clock, ek_exam_get_ends_ms (exam));
  g_signal_connect_object (store, "notify::n-pending-sync", G_CALLBACK (on_answers_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::sync-stopped", G_CALLBACK (on_answers_progress_cb),
                           self, G_CONNECT_SWAPPED);
  set_answers_problem (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_STORE]);
  settle_answers (self);
}

/* A written exam's answers, opened when it is entered or re-entered (also past its end,
 * to push what waited on this computer). */
static void
open_answers (EkEngine *self)
{
  if (!is_written_exam (self) || self->answers != NULL || self->answers_cancellable != NULL ||
      self->session_id == NULL)
    return;

  self->answers_cancellable = g_cancellable_new ();
  ek_answer_store_open_session_async (self->config, self->session_id,
                                      self->practice == NULL ? self->api : NULL,
                                      self->answers_cancellable, on_answers_opened_cb,
                                      g_object_ref (self));
}

/* --- recording ------------------------------------------------------------ */

static void
set_recording_problem (EkEngine   *self,
                       const char *problem)
{
  if (g_strcmp0 (problem, self->recording_problem) == 0)
    return;

  g_free (self->recording_problem);
  self->recording_problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING_PROBLEM]);
}

static void
on_recording_problem_cb (EkExamRecording *recording,
                         GParamSpec      *pspec,
                         EkEngine        *self)
{
  set_recording_problem (self, ek_exam_recording_get_problem (recording));
}

/* The recording's own events (camera lost/back, disk full, failure) go to the log. */
static void
on_recording_event_cb (EkExamRecording *recording,
                       const char      *type,
                       gint64           duration_ms,
                       JsonObject      *data,
                       EkEngine        *self)
{
  log_event (self, type, 0, duration_ms, data);
}

static void
clear_recording (EkEngine *self)
{
  if (self->recording == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->recording, self);
  g_clear_object (&self->recording);
  self->finishing_recording = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

static void
on_room_scan_stopped_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_exam_recording_stop_room_scan_finish (EK_EXAM_RECORDING (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The session's private recording folder: DATA/sessions/ID/recording. */
static char *
recording_directory (EkEngine *self)
{
  return g_build_filename (ek_config_get_data_dir (self->config), "sessions",
                           self->session_id, "recording", NULL);
}

/* Makes the session's recording (not started); leftovers of an earlier run of
 * this session are handed to its outbox by EkExamRecording itself. */
static void
ensure_recording (EkEngine *self)
{
  g_autofree char *directory = NULL;

  if (self->session_id == NULL)
    return;

  directory = recording_directory (self);
  if (self->recording != NULL &&
      g_strcmp0 (ek_exam_recording_get_directory (self->recording), directory) == 0)
    return;

  /* Another session than the one recorded (a new login on this computer). */
  clear_recording (self);
  self->recording = ek_exam_recording_new (directory, self->session_id,
                                           ek_config_get_media_source (self->config),
                                           self->practice == NULL ? self->api : NULL);
  g_signal_connect_object (self->recording, "notify::problem",
                           G_CALLBACK (on_recording_problem_cb), self, 0);
  g_signal_connect_object (self->recording, "event",
                           G_CALLBACK (on_recording_event_cb), self, 0);
  set_recording_problem (self, ek_exam_recording_get_problem (self->recording));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);
}

static void
start_recording (EkEngine *self)
{
  g_autoptr(GError) error = NULL;
  EkExam *exam = ek_session_get_exam (self->session);
  EkRecorder *recorder;
  gint64 remaining_ms;

  ensure_recording (self);
  if (self->recording == NULL)
    return;

  recorder = ek_exam_recording_get_recorder (self->recording);
  if (ek_recorder_get_state (recorder) != EK_RECORDER_STATE_IDLE)
    return;

  /* A room scan the flow did not stop gives the camera back first. */
  if (ek_exam_recording_get_room_scan_recorder (self->recording) != NULL)
    ek_exam_recording_stop_room_scan_async (self->recording, NULL, NULL, NULL);

  if (exam != NULL)
    {
      ek_recorder_set_video_bitrate_kbps (recorder, ek_exam_get_video_bitrate_kbps (exam));
      ek_recorder_set_segment_seconds (recorder, ek_exam_get_segment_seconds (exam));
      ek_recorder_set_record_screen (recorder, ek_exam_get_record_screen (exam));
    }
  ek_recorder_set_camera_id (recorder, self->camera_id);
  ek_recorder_set_microphone_id (recorder, self->microphone_id);

  remaining_ms = ek_session_get_exam_remaining_ms (self->session);
  /* The problem is in EkExamRecording:problem (and so in ours) for the UI. */
  if (!ek_exam_recording_start (self->recording, (guint) MAX (remaining_ms / 1000, 1), &error))
    g_message ("The recording cannot start: %s", error->message);
}

static void
on_recording_finished_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_exam_recording_finish_finish (EK_EXAM_RECORDING (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* The files stay in the session folder; a restart of the client goes on. */
      g_message ("The recording could not be handed over: %s", error->message);
      set_recording_problem (self, error->message);
      return;
    }

  self->recording_confirmed = TRUE;
  maybe_mark_finished (self);
}

static void
finish_recording (EkEngine *self)
{
  if (self->finishing_recording)
    return;

  /* Also after a restart in FINISHING: the leftover segments still go up. */
  ensure_recording (self);
  if (self->recording == NULL)
    return;

  self->finishing_recording = TRUE;
  ek_exam_recording_finish_async (self->recording, self->cancellable,
                                  on_recording_finished_cb, g_object_ref (self));
}

/* --- proctoring (issue 6: live signals, snapshots, identity re-check) ------- */

/* The session's private proctoring folder: DATA/sessions/ID/proctor (the identity
 * check's picture, kept for the resemblance score across restarts). */
static char *
proctor_directory (EkEngine *self)
{
  return g_build_filename (ek_config_get_data_dir (self->config), "sessions",
                           self->session_id, "proctor", NULL);
}

static gboolean
is_proctor_signal_type (const char *type)
{
  for (guint i = 0; i < EK_N_PROCTOR_SIGNALS; i++)
    if (g_strcmp0 (type, ek_proctor_signal_to_string (i)) == 0)
      return TRUE;
  return FALSE;
}

static void
on_proctor_log_event_cb (EkExamProctor *proctor,
                         const char    *type,
                         gint64         client_ms,
                         gint64         duration_ms,
                         JsonObject    *data,
                         EkEngine      *self)
{
  log_event (self, type, client_ms, duration_ms, data);
}

/* From the exam's start, against a server only (the practice has no proctor). */
static void
start_proctor (EkEngine *self)
{
  EkExam *exam = ek_session_get_exam (self->session);
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;

  if (self->proctor != NULL || self->practice != NULL || self->session_id == NULL || exam == NULL)
    return;

  directory = proctor_directory (self);
  self->proctor = ek_exam_proctor_new (ek_exam_get_proctoring_policy (exam), self->session,
                                       self->api, directory, &error);
  if (self->proctor == NULL)
    {
      g_autoptr(JsonObject) data = string_data ("reason", error->message, NULL);

      /* The exam goes on; the proctor sees in the log that nobody watched. */
      g_message ("Live proctoring is not available: %s", error->message);
      log_event (self, "proctoring_unavailable", 0, -1, data);
      return;
    }

  g_signal_connect_object (self->proctor, "log-event", G_CALLBACK (on_proctor_log_event_cb), self, 0);
  if (self->recording != NULL)
    ek_exam_proctor_attach_recorder (self->proctor, ek_exam_recording_get_recorder (self->recording),
                                     ek_exam_get_record_screen (exam));
  ek_exam_proctor_set_violation_tracker (self->proctor, self->violations);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROCTOR]);
}

/* The exam is over: active signals end (their end events are logged) before the
 * log's last flush. */
static void
stop_proctor (EkEngine *self)
{
  if (self->proctor == NULL)
    return;

  ek_exam_proctor_stop (self->proctor);
  g_signal_handlers_disconnect_by_data (self->proctor, self);
  g_clear_object (&self->proctor);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROCTOR]);
}

/* The proctor's messages, from the exam's start to its end, against a server only. */
static void
start_proctor_channel (EkEngine *self)
{
  if (self->proctor_channel != NULL || self->practice != NULL || self->session_id == NULL)
    return;
  self->proctor_channel = ek_proctor_channel_new (self->api, self->session, self->proctor);
  /* (type, client_ms, duration_ms, data): log_event's own arguments. */
  g_signal_connect_object (self->proctor_channel, "log-event", G_CALLBACK (log_event), self,
                           G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROCTOR_CHANNEL]);
}

static void
stop_proctor_channel (EkEngine *self)
{
  if (self->proctor_channel == NULL)
    return;
  ek_proctor_channel_stop (self->proctor_channel);
  g_signal_handlers_disconnect_by_data (self->proctor_channel, self);
  g_clear_object (&self->proctor_channel);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROCTOR_CHANNEL]);
}

static void
on_reference_face_saved_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Without it the signals still run; only the resemblance score is missing. */
  if (!ek_exam_proctor_save_reference_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The identity check's picture was not kept: %s", error->message);
}

static void
on_session_stage_cb (EkSession  *session,
                     GParamSpec *pspec,
                     EkEngine   *self)
{
  EkSessionStage stage = ek_session_get_stage (session);

  /* FINISHED is never logged: it comes only once every event is acknowledged, and
   * the token is gone right after it. */
  if (stage != EK_SESSION_STAGE_NONE && stage != EK_SESSION_STAGE_FINISHED)
    log_stage (self, stage);
  if (stage == EK_SESSION_STAGE_EXAM)
    on_phase_index_cb (session, NULL, self);

  switch (stage)
    {
    case EK_SESSION_STAGE_WAITING:
    case EK_SESSION_STAGE_EXAM:
      if (self->resync_source == 0 && self->practice == NULL)
        self->resync_source = g_timeout_add_seconds (CLOCK_RESYNC_SECONDS,
                                                     on_resync_timeout_cb, self);
      if (stage == EK_SESSION_STAGE_EXAM)
        {
          start_recording (self);
          open_answers (self);
          start_proctor (self);
          start_proctor_channel (self);
        }
      break;

    case EK_SESSION_STAGE_FINISHING:
      stop_proctor_channel (self);
      stop_proctor (self);
      open_answers (self);
      settle_answers (self);
      finish_recording (self);
      if (self->events != NULL)
        ek_event_log_flush_async (self->events, self->cancellable, on_events_flushed_cb,
                                  g_object_ref (self));
      break;

    case EK_SESSION_STAGE_FINISHED:
    case EK_SESSION_STAGE_ENDED:
      stop_proctor_channel (self);
      stop_proctor (self);
      g_clear_handle_id (&self->resync_source, g_source_remove);
      /* Nothing is left to re-enter: the token must not outlive the session. An
       * ended session's last events (why it ended) go first. */
      if (stage == EK_SESSION_STAGE_ENDED && !events_settled (self) && self->practice == NULL)
        ek_event_log_flush_async (self->events, self->cancellable, on_last_events_flushed_cb,
                                  g_object_ref (self));
      else
        forget_session (self);
      /* FINISHED comes after the outbox is complete; ENDED (the proctor ended the
       * session) stops the recording where it is. */
      clear_recording (self);
      break;

    case EK_SESSION_STAGE_NONE:
    case EK_SESSION_STAGE_STEPS:
    default:
      break;
    }
}

/* Applies a session answer (login or re-entry) to the state machine. */
static gboolean
load_session_info (EkEngine       *self,
                   EkSessionInfo  *info,
                   GError        **error)
{
  set_session_id (self, ek_session_info_get_session_id (info));

  /* Each login or re-entry of this client; "continued" when this computer's log of
   * the session already had events (a restart), "new" otherwise. */
  if (self->events != NULL)
    {
      g_autoptr(JsonObject) data =
        string_data ("client_version", PACKAGE_VERSION,
                     "log", ek_event_log_get_last_seq (self->events) > 0 ? "continued" : "new",
                     NULL);

      log_event (self, "session_opened", 0, -1, data);
    }

  return ek_session_load (self->session,
                          ek_session_info_get_exam (info),
                          ek_session_info_get_candidate (info),
                          ek_session_info_get_state (info),
                          error);
}


/* --- practice ------------------------------------------------------------- */

/* Adds @seconds to @base_ms as a member @member_ms of @object. */
static void
set_relative_time (JsonObject *object,
                   const char *member_ms,
                   gint64      base_ms,
                   gint64      seconds)
{
  json_object_set_int_member (object, member_ms, base_ms + seconds * 1000);
}

static gint64
get_seconds (JsonObject *object,
             const char *member,
             gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return MAX (0, json_node_get_int (node));
}

/* The bundle gives times relative to the moment the practice starts (as the
 * reference server's exam files do): turn them into an exam definition whose
 * waiting room opens now and whose exam starts @wait_s from now. */
static EkExam *
practice_build_exam (JsonObject  *bundle,
                     gint64       now_ms,
                     gint64       wait_s,
                     GError     **error)
{
  JsonObject *source;
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *exam;
  JsonArray *phases;
  g_autoptr(JsonArray) timed = NULL;
  gint64 starts_ms = now_ms + wait_s * 1000;
  gint64 at_ms = starts_ms;

  if (!json_object_has_member (bundle, "exam") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (bundle, "exam")))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                           "practice bundle: no exam object");
      return NULL;
    }

  source = json_object_get_object_member (bundle, "exam");
  copy = json_node_copy (json_object_get_member (bundle, "exam"));
  exam = json_node_get_object (copy);

  json_object_set_int_member (exam, "entry_opens_ms", now_ms);
  json_object_set_int_member (exam, "starts_ms", starts_ms);
  set_relative_time (exam, "late_entry_cutoff_ms", starts_ms,
                     get_seconds (source, "late_entry_cutoff_after_start_s", 120));
  if (json_object_has_member (source, "min_submit_after_start_s"))
    set_relative_time (exam, "min_submit_ms", starts_ms,
                       get_seconds (source, "min_submit_after_start_s", 0));

  phases = json_object_has_member (source, "phases") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (source, "phases"))
           ? json_object_get_array_member (source, "phases") : NULL;
  timed = json_array_new ();
  for (guint i = 0; phases != NULL && i < json_array_get_length (phases); i++)
    {
      JsonNode *node = json_array_get_element (phases, i);
      g_autoptr(JsonNode) phase_copy = NULL;
      JsonObject *phase;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      phase_copy = json_node_copy (node);
      phase = json_node_get_object (phase_copy);
      json_object_set_int_member (phase, "starts_ms", at_ms);
      at_ms += MAX (1, get_seconds (phase, "duration_s", 60)) * 1000;
      json_object_set_int_member (phase, "ends_ms", at_ms);
      json_array_add_element (timed, g_steal_pointer (&phase_copy));
    }
  json_object_set_array_member (exam, "phases", g_steal_pointer (&timed));

  return ek_exam_new_from_json (exam, error);
}

static gint64
practice_wait_seconds (JsonObject *bundle)
{
  JsonObject *exam = json_object_get_object_member (bundle, "exam");

  return get_seconds (exam, "waiting_s", PRACTICE_DEFAULT_WAIT_SECONDS);
}

static void
practice_complete_step (EkEngine *self,
                        GTask    *task,
                        EkStep    step)
{
  g_autoptr(EkSessionState) state = ek_session_state_copy (ek_session_get_state (self->session));
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(GError) error = NULL;

  if (step == EK_STEP_DRAW && state->sequence_number < 0)
    state->sequence_number = g_random_int_range (1, 31);
  state->completed_steps |= 1u << step;

  /* The waiting room starts from the moment the steps are done, however long
   * the candidate took over them: practice is not a race against the clock. */
  exam = practice_build_exam (self->practice, ek_server_clock_now_ms (self->clock),
                              practice_wait_seconds (self->practice), &error);
  if (exam == NULL ||
      !ek_session_load (self->session, exam, ek_session_get_candidate (self->session),
                        state, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
practice_answer_pledge (EkEngine *self,
                        GTask    *task,
                        gboolean  accepted)
{
  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != EK_STEP_PLEDGE)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("Please finish the steps in the order shown."));
      return;
    }

  if (!accepted)
    {
      ek_session_end (self->session, EK_END_REASON_PLEDGE_DECLINED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  practice_complete_step (self, task, EK_STEP_PLEDGE);
}

/**
 * ek_engine_start_practice:
 * @bundle: one practice exam: `exam` (times relative to now: `waiting_s`,
 *   `late_entry_cutoff_after_start_s`, `min_submit_after_start_s`, each phase's
 *   `duration_s`), `candidate` and `questions` (by phase id)
 *
 * Loads a practice exam that runs without any server: steps, entry and
 * submission are decided locally, the questions come from @bundle, and no token
 * is ever kept in (or removed from) the keyring.
 */
gboolean
ek_engine_start_practice (EkEngine    *self,
                          JsonObject  *bundle,
                          GError     **error)
{
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(EkCandidate) candidate = NULL;
  g_autoptr(EkSessionState) state = ek_session_state_new ();

  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);

  exam = practice_build_exam (bundle, ek_server_clock_now_ms (self->clock),
                              practice_wait_seconds (bundle), error);
  if (exam == NULL)
    return FALSE;

  if (ek_exam_get_mode (exam) != EK_EXAM_MODE_PRACTICE)
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                           "practice bundle: the exam's mode is not “practice”");
      return FALSE;
    }

  if (!json_object_has_member (bundle, "candidate") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (bundle, "candidate")))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                           "practice bundle: no candidate object");
      return FALSE;
    }

  candidate = ek_candidate_new_from_json (json_object_get_object_member (bundle, "candidate"),
                                          error);
  if (candidate == NULL)
    return FALSE;

  g_clear_pointer (&self->practice, json_object_unref);
  self->practice = json_object_ref (bundle);
  set_session_id (self, "practice");

  return ek_session_load (self->session, exam, candidate, state, error);
}

gboolean
ek_engine_is_practice (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);
  return self->practice != NULL;
}

/**
 * ek_engine_get_practice_attachments:
 *
 * Returns: (transfer none) (nullable): the practice bundle's attachments (each
 *   with its text inline), or %NULL outside a practice run
 */
JsonArray *
ek_engine_get_practice_attachments (EkEngine *self)
{
  JsonNode *node;

  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);

  if (self->practice == NULL)
    return NULL;

  node = json_object_get_member (self->practice, "attachments");
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* An interview's answering phase shows the questions of the reading phase before
 * it, as the server does. */
static JsonArray *
practice_questions (EkEngine *self,
                    guint     phase_index)
{
  EkExam *exam = ek_session_get_exam (self->session);
  JsonObject *questions;

  if (!json_object_has_member (self->practice, "questions") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (self->practice, "questions")))
    return json_array_new ();

  questions = json_object_get_object_member (self->practice, "questions");
  for (int i = (int) phase_index; i >= 0; i--)
    {
      const EkPhase *phase = ek_exam_get_phase (exam, (guint) i);
      JsonNode *node = json_object_get_member (questions, phase->id);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        return json_array_ref (json_node_get_array (node));
      if (phase->kind != EK_PHASE_KIND_ANSWERING && i != (int) phase_index)
        break;
    }

  return json_array_new ();
}

/* --- resume --------------------------------------------------------------- */

static void
on_resume_forgotten_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_clear_finish (EK_SECRET_STORE (object), result, &error))
    set_keyring_problem (self, error);

  g_task_return_boolean (task, FALSE);
}

static void
on_resume_session_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ek_api_client_get_session_finish (EK_API_CLIENT (object), result, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION))
        {
          /* The session ended elsewhere (or a newer login replaced this token):
           * nothing to re-enter, the candidate logs in again. The stale token
           * is gone from the keyring before the caller hears so. */
          ek_api_client_set_session_token (self->api, NULL);
          ek_secret_store_clear_async (self->secrets, ek_config_get_server_url (self->config),
                                       NULL, on_resume_forgotten_cb, g_object_ref (task));
          return;
        }

      ek_api_client_set_session_token (self->api, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!load_session_info (self, info, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_resume_clock_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Without a synced clock the remaining time would be the wall clock's guess:
   * re-entry waits until the server's time is known. */
  if (!ek_api_client_sync_clock_finish (EK_API_CLIENT (object), result, &error))
    {
      ek_api_client_set_session_token (EK_API_CLIENT (object), NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_get_session_async (EK_API_CLIENT (object), g_task_get_cancellable (task),
                                   on_resume_session_cb, g_object_ref (task));
}

static void
on_resume_lookup_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  char *token = NULL;

  if (!ek_secret_store_lookup_finish (self->secrets, result, &session_id, &token, &error))
    {
      if (error != NULL)
        {
          /* The candidate can still log in again (the server gives back the same
           * session), so a broken keyring is a warning, not a dead end. */
          set_keyring_problem (self, error);
        }
      g_task_return_boolean (task, FALSE);
      return;
    }

  set_session_id (self, session_id);
  ek_api_client_set_session_token (self->api, token);
  explicit_bzero (token, strlen (token));
  g_free (token);

  ek_api_client_sync_clock_async (self->api, g_task_get_cancellable (task),
                                  on_resume_clock_cb, g_object_ref (task));
}

/**
 * ek_engine_resume_async:
 *
 * Looks for a session this computer was in (its token in the Secret Service)
 * and re-enters it: the clock is synced, the server's state loaded, and the
 * session lands in the step or phase it was in, with the time really left.
 */
void
ek_engine_resume_async (EkEngine            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_resume_async);

  ek_secret_store_lookup_async (self->secrets, ek_config_get_server_url (self->config),
                                cancellable, on_resume_lookup_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_resume_finish:
 *
 * Returns: %TRUE if a session was re-entered; %FALSE without an error when
 *   there was none to re-enter (the candidate logs in)
 */
gboolean
ek_engine_resume_finish (EkEngine      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- login ---------------------------------------------------------------- */

typedef struct
{
  char *exam_token;
  char *id_number;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *login = data;

  if (login->exam_token != NULL)
    explicit_bzero (login->exam_token, strlen (login->exam_token));
  if (login->id_number != NULL)
    explicit_bzero (login->id_number, strlen (login->id_number));
  g_free (login->exam_token);
  g_free (login->id_number);
  g_free (login);
}

static void
on_login_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_save_finish (self->secrets, result, &error))
    {
      g_warning ("The session token could not be kept in the keyring: %s", error->message);
      set_keyring_problem (self, error);
    }
  else
    {
      set_keyring_problem (self, NULL);
    }

  g_task_return_boolean (task, TRUE);
}

/* What every login does with the server's answer (token or face): the session
 * state, the token to the keyring. Takes @task, @info and @error. */
static void
complete_login (GTask         *task_in,
                EkSessionInfo *info_in,
                GError        *error_in)
{
  g_autoptr(GTask) task = task_in;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionInfo) info = info_in;
  g_autoptr(GError) error = error_in;
  GCancellable *cancellable;

  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_set_session_token (self->api, ek_session_info_get_session_token (info));

  if (!load_session_info (self, info, &error))
    {
      ek_session_info_clear_session_token (info);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  ek_secret_store_save_async (self->secrets, ek_config_get_server_url (self->config),
                              ek_session_info_get_session_id (info),
                              ek_session_info_get_session_token (info),
                              cancellable, on_login_saved_cb, g_steal_pointer (&task));
  ek_session_info_clear_session_token (info);
}

static void
on_login_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  EkSessionInfo *info = ek_api_client_login_finish (self->api, result, &error);

  complete_login (task, info, error);
}

static void
on_login_clock_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  LoginData *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A failed sync is not reported here: the login request that follows meets
   * the same network and gives the clearer message. */
  if (!ek_api_client_sync_clock_finish (self->api, result, &error))
    g_debug ("Clock sync before login failed: %s", error->message);

  ek_api_client_login_async (self->api, login->exam_token, login->id_number,
                             g_task_get_cancellable (task), on_login_cb, g_object_ref (task));
}

void
ek_engine_login_async (EkEngine            *self,
                       const char          *exam_token,
                       const char          *id_number,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoginData *login;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (exam_token != NULL);
  g_return_if_fail (id_number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_login_async);

  login = g_new0 (LoginData, 1);
  login->exam_token = g_strdup (exam_token);
  login->id_number = g_strdup (id_number);
  g_task_set_task_data (task, login, login_data_free);

  ek_api_client_sync_clock_async (self->api, cancellable, on_login_clock_cb,
                                  g_steal_pointer (&task));
}

gboolean
ek_engine_login_finish (EkEngine      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_login_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- face login ----------------------------------------------------------- */

typedef struct
{
  char   *exam_id;
  char   *id_number;   /* personal: wiped */
  GBytes *jpeg;
  gint64  capture_ms;  /* server time; 0: when the clock is synced */
} FaceLoginData;

static void
face_login_data_free (gpointer data)
{
  FaceLoginData *login = data;

  if (login->id_number != NULL)
    explicit_bzero (login->id_number, strlen (login->id_number));
  g_free (login->exam_id);
  g_free (login->id_number);
  g_clear_pointer (&login->jpeg, g_bytes_unref);
  g_free (login);
}

static void
on_face_login_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  EkSessionInfo *info = ek_api_client_face_login_finish (self->api, result, &error);

  complete_login (task, info, error);
}

static void
on_face_login_clock_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  FaceLoginData *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 capture_ms = login->capture_ms;

  /* As for the token login: the request that follows reports the network. */
  if (!ek_api_client_sync_clock_finish (self->api, result, &error))
    g_debug ("Clock sync before face login failed: %s", error->message);
  if (capture_ms <= 0)
    capture_ms = ek_server_clock_now_ms (self->clock);

  ek_api_client_face_login_async (self->api, login->exam_id, login->id_number, login->jpeg,
                                  capture_ms, g_task_get_cancellable (task),
                                  on_face_login_cb, g_object_ref (task));
}

/**
 * ek_engine_login_face_async:
 * @exam_id: the exam, which must allow face login
 * @id_number: the candidate's ID number, already checked
 * @jpeg: the live picture chosen by the guided capture
 * @capture_ms: when it was taken, server time; 0 for now
 *
 * Logs in with the ID number and the face instead of the exam token. On success
 * the session is loaded and its token kept exactly as after ek_engine_login_async();
 * a face the server does not accept is %EK_API_ERROR_WRONG_CREDENTIALS, with the
 * reason in ek_api_error_get_reason().
 */
void
ek_engine_login_face_async (EkEngine            *self,
                            const char          *exam_id,
                            const char          *id_number,
                            GBytes              *jpeg,
                            gint64               capture_ms,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FaceLoginData *login;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (exam_id != NULL);
  g_return_if_fail (id_number != NULL);
  g_return_if_fail (jpeg != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_login_face_async);

  login = g_new0 (FaceLoginData, 1);
  login->exam_id = g_strdup (exam_id);
  login->id_number = g_strdup (id_number);
  login->jpeg = g_bytes_ref (jpeg);
  login->capture_ms = capture_ms;
  g_task_set_task_data (task, login, face_login_data_free);

  ek_api_client_sync_clock_async (self->api, cancellable, on_face_login_clock_cb,
                                  g_steal_pointer (&task));
}

gboolean
ek_engine_login_face_finish (EkEngine      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_login_face_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- steps ---------------------------------------------------------------- */

static void
on_state_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = ek_api_client_state_finish (self->api, result, &error);
  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_set_state (self->session, state);
  g_task_return_boolean (task, TRUE);
}

static void
on_refreshed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  EkStep step = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ek_api_client_get_session_finish (self->api, result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_set_state (self->session, ek_session_info_get_state (info));

  if (!ek_session_state_has_step (ek_session_info_get_state (info), step))
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("The exam server has not confirmed this step yet. "
                                 "Please wait a moment and try again."));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_drawn_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 sequence = -1;

  if (!ek_api_client_draw_finish (self->api, result, &sequence, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_get_session_async (self->api, g_task_get_cancellable (task),
                                   on_refreshed_cb, g_object_ref (task));
}

/* Practice runs the session locally: the step's result is the session's own. */
static void
return_local_step (GTask    *task,
                   gboolean  ok,
                   GError   *error)
{
  if (!ok)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static GTask *
new_step_task (EkEngine            *self,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_engine_step_finish);
  return task;
}

void
ek_engine_answer_pledge_async (EkEngine            *self,
                               gboolean             accepted,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EkExam *exam;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);
  exam = ek_session_get_exam (self->session);
  if (exam == NULL)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                               _("No exam session is open."));
      return;
    }

  if (self->practice != NULL)
    {
      practice_answer_pledge (self, task, accepted);
      return;
    }

  ek_api_client_pledge_async (self->api, accepted, ek_exam_get_pledge_version (exam),
                              cancellable, on_state_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_complete_step_async:
 *
 * Completes the current pre-exam step on the server. The draw asks the server
 * for the number; the face check and the second view are completed by their
 * own server calls, so for them this only fetches the server's confirmation.
 */
void
ek_engine_complete_step_async (EkEngine            *self,
                               EkStep               step,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (step < EK_N_STEPS);

  task = new_step_task (self, cancellable, callback, user_data);
  g_task_set_task_data (task, GUINT_TO_POINTER (step), NULL);

  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != step)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("Please finish the steps in the order shown."));
      return;
    }

  if (self->practice != NULL && step != EK_STEP_PLEDGE)
    {
      practice_complete_step (self, task, step);
      return;
    }

  switch (step)
    {
    case EK_STEP_PLEDGE:
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               "the pledge is answered with ek_engine_answer_pledge_async()");
      break;

    case EK_STEP_DRAW:
      ek_api_client_draw_async (self->api, cancellable, on_drawn_cb, g_steal_pointer (&task));
      break;

    case EK_STEP_FACE_CHECK:
    case EK_STEP_SECOND_VIEW:
      ek_api_client_get_session_async (self->api, cancellable, on_refreshed_cb,
                                       g_steal_pointer (&task));
      break;

    case EK_STEP_ROOM_SCAN:
    case EK_STEP_PAPER_CHECK:
    case EK_STEP_ATTACHMENTS:
    case EK_STEP_DEVICE_CONFIRM:
      ek_api_client_complete_step_async (self->api, step, cancellable, on_state_cb,
                                         g_steal_pointer (&task));
      break;

    case EK_STEP_NONE:
    default:
      g_assert_not_reached ();
    }
}

void
ek_engine_enter_async (EkEngine            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  /* Refused locally first, with the time it opens or closed; the server
   * decides in the end. */
  if (!ek_session_can_enter (self->session, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->practice != NULL)
    {
      gboolean ok = ek_session_enter (self->session, &error);

      return_local_step (task, ok, error);
      return;
    }

  ek_api_client_enter_async (self->api, cancellable, on_state_cb, g_steal_pointer (&task));
}

/* A forced submission: the escalation event is on the server, now the submission. */
static void
on_forced_events_flushed_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  guint answer_count = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  /* Without the event the server refuses an early submission with too_early,
   * which the caller shows; on time it is accepted all the same. */
  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    g_message ("Forced submission: the events did not all reach the server: %s", error->message);

  /* Read from the task before it is handed on: argument order is unspecified. */
  ek_api_client_submit_async (self->api, answer_count, "lockdown", cancellable, on_state_cb,
                              g_steal_pointer (&task));
}

void
ek_engine_submit_async (EkEngine            *self,
                        guint                answer_count,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  gboolean forced;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  /* The lockdown's last escalation step ends the exam even before the earliest
   * submission time (protocol section 6: forced_by). */
  forced = self->violations != NULL && self->practice == NULL &&
           ek_violation_tracker_get_step (self->violations) == EK_ESCALATION_SUBMIT;

  if (!ek_session_can_submit (self->session, &error) &&
      !(forced && g_error_matches (error, EK_SESSION_ERROR, EK_SESSION_ERROR_TOO_EARLY)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  if (self->practice != NULL)
    {
      gboolean ok = ek_session_submit (self->session, &error);

      return_local_step (task, ok, error);
      return;
    }

  if (forced && self->events != NULL)
    {
      /* The server checks the forced submission against the log's escalation
       * event: that goes first. */
      g_task_set_task_data (task, GUINT_TO_POINTER (answer_count), NULL);
      ek_event_log_flush_async (self->events, cancellable, on_forced_events_flushed_cb,
                                g_steal_pointer (&task));
      return;
    }

  ek_api_client_submit_async (self->api, answer_count, forced ? "lockdown" : NULL, cancellable,
                              on_state_cb, g_steal_pointer (&task));
}

gboolean
ek_engine_step_finish (EkEngine      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_step_finish, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_left_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_api_client_end_session_finish (self->api, result, &error) &&
      !g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_end (self->session, EK_END_REASON_ENDED_BY_CANDIDATE);
  g_task_return_boolean (task, TRUE);
}

/**
 * ek_engine_leave_async:
 *
 * Ends the session on the server before the exam (the candidate leaves); the
 * token is forgotten when the session has ended.
 */
void
ek_engine_leave_async (EkEngine            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  if (self->practice != NULL)
    {
      ek_session_end (self->session, EK_END_REASON_ENDED_BY_CANDIDATE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  ek_api_client_end_session_async (self->api, cancellable, on_left_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_forget_session:
 *
 * Forgets the session on this computer (token and keyring entry) without
 * ending it on the server: for a candidate who logged in with someone else's
 * details by mistake, whose session must stay open for its owner.
 */
void
ek_engine_forget_session (EkEngine *self)
{
  g_return_if_fail (EK_IS_ENGINE (self));

  forget_session (self);
}

static void
on_questions_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonArray *questions;

  questions = ek_api_client_get_questions_finish (EK_API_CLIENT (object), result, &error);
  if (questions == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, questions, (GDestroyNotify) json_array_unref);
}

/**
 * ek_engine_get_questions_async:
 *
 * Fetches the questions of a phase: from the server, or from the bundle in a
 * practice run.
 */
void
ek_engine_get_questions_async (EkEngine            *self,
                               guint                phase_index,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EkExam *exam;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_get_questions_async);

  exam = ek_session_get_exam (self->session);
  if (exam == NULL || phase_index >= ek_exam_get_n_phases (exam))
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                               _("No exam session is open."));
      return;
    }

  if (self->practice != NULL)
    {
      g_task_return_pointer (task, practice_questions (self, phase_index),
                             (GDestroyNotify) json_array_unref);
      return;
    }

  ek_api_client_get_questions_async (self->api, ek_exam_get_phase (exam, phase_index)->id,
                                     cancellable, on_questions_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_get_questions_finish:
 *
 * Returns: (transfer full): the phase's questions (docs/protocol.md, section 6)
 */
JsonArray *
ek_engine_get_questions_finish (EkEngine      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_get_questions_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_engine_constructed (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  G_OBJECT_CLASS (ek_engine_parent_class)->constructed (object);

  g_assert (self->config != NULL);

  self->clock = ek_server_clock_new ();
  self->api = ek_api_client_new (ek_config_get_server_url (self->config), self->clock);
  ek_api_client_set_pinned_key (self->api, ek_config_get_pinned_key (self->config));
  ek_api_client_set_ca_file (self->api, ek_config_get_ca_file (self->config));
  self->secrets = ek_secret_store_new ();
  self->session = ek_session_new (self->clock);
  g_signal_connect_object (self->session, "notify::stage",
                           G_CALLBACK (on_session_stage_cb), self, 0);
  g_signal_connect_object (self->session, "notify::phase-index",
                           G_CALLBACK (on_phase_index_cb), self, 0);
  g_signal_connect_object (self->session, "notify::current-step",
                           G_CALLBACK (on_current_step_cb), self, 0);
}

static void
ek_engine_dispose (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->resync_source, g_source_remove);
  stop_proctor_channel (self);
  stop_proctor (self);
  clear_recording (self);
  g_cancellable_cancel (self->answers_cancellable);
  g_clear_object (&self->answers_cancellable);
  g_clear_object (&self->answers);
  ek_engine_watch_violations (self, NULL);
  g_clear_object (&self->events);
  g_clear_object (&self->session);
  g_clear_object (&self->api);
  g_clear_object (&self->secrets);
  g_clear_object (&self->clock);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (ek_engine_parent_class)->dispose (object);
}

static void
ek_engine_finalize (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->practice, json_object_unref);
  g_clear_pointer (&self->session_id, g_free);
  g_clear_pointer (&self->keyring_problem, g_free);
  g_clear_pointer (&self->recording_problem, g_free);
  g_clear_pointer (&self->answers_problem, g_free);
  g_clear_pointer (&self->events_problem, g_free);
  g_clear_pointer (&self->camera_id, g_free);
  g_clear_pointer (&self->microphone_id, g_free);

  G_OBJECT_CLASS (ek_engine_parent_class)->finalize (object);
}

static void
ek_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkEngine *self = EK_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_KEYRING_PROBLEM:
      g_value_set_string (value, self->keyring_problem);
      break;

    case PROP_RECORDING:
      g_value_set_object (value, self->recording);
      break;

    case PROP_RECORDING_PROBLEM:
      g_value_set_string (value, self->recording_problem);
      break;

    case PROP_ANSWER_STORE:
      g_value_set_object (value, self->answers);
      break;

    case PROP_ANSWER_STORE_PROBLEM:
      g_value_set_string (value, self->answers_problem);
      break;

    case PROP_PROCTOR:
      g_value_set_object (value, self->proctor);
      break;

    case PROP_PROCTOR_CHANNEL:
      g_value_set_object (value, self->proctor_channel);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_engine_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EkEngine *self = EK_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_engine_class_init (EkEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ek_engine_constructed;
  object_class->dispose = ek_engine_dispose;
  object_class->finalize = ek_engine_finalize;
  object_class->get_property = ek_engine_get_property;
  object_class->set_property = ek_engine_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EK_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         EK_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EkEngine:keyring-problem:
   *
   * Why the session token could not be kept in (or read from) the Secret
   * Service, for the UI to show; %NULL when all is well. The exam goes on: a
   * client restarted without the token logs in again into the same session.
   */
  properties[PROP_KEYRING_PROBLEM] =
    g_param_spec_string ("keyring-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:recording:
   *
   * The session's recording: made when the exam starts (or, after a restart,
   * when the session is found finishing), dropped when the session is over.
   */
  properties[PROP_RECORDING] =
    g_param_spec_object ("recording", NULL, NULL,
                         EK_TYPE_EXAM_RECORDING,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:recording-problem:
   *
   * Why the recording or its upload failed (no camera, disk full, the server
   * refused the segments), translated, for the UI; %NULL while all is well.
   */
  properties[PROP_RECORDING_PROBLEM] =
    g_param_spec_string ("recording-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:answer-store:
   *
   * A written exam's answers: opened when the exam is entered (or re-entered, also
   * past its end), kept until the engine goes. The UI shows and edits them here;
   * the engine makes them final when the exam is over and pushes what is left.
   */
  properties[PROP_ANSWER_STORE] =
    g_param_spec_object ("answer-store", NULL, NULL,
                         EK_TYPE_ANSWER_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:answer-store-problem:
   *
   * Why the answer store could not be opened, translated; %NULL while all is well.
   */
  properties[PROP_ANSWER_STORE_PROBLEM] =
    g_param_spec_string ("answer-store-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:proctor:
   *
   * The live proctoring of the exam (signals, snapshots, identity re-check):
   * from the exam's start to its end, never in the practice; %NULL otherwise.
   */
  properties[PROP_PROCTOR] =
    g_param_spec_object ("proctor", NULL, NULL,
                         EK_TYPE_EXAM_PROCTOR,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:proctor-channel:
   *
   * The proctor's messages (warnings, chat, end, release, snapshot requests): from
   * the exam's start to its end, never in the practice; %NULL otherwise.
   */
  properties[PROP_PROCTOR_CHANNEL] =
    g_param_spec_object ("proctor-channel", NULL, NULL,
                         EK_TYPE_PROCTOR_CHANNEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_engine_init (EkEngine *self)
{
  self->cancellable = g_cancellable_new ();
}

EkEngine *
ek_engine_new (EkConfig *config)
{
  g_return_val_if_fail (EK_IS_CONFIG (config), NULL);

  return g_object_new (EK_TYPE_ENGINE, "config", config, NULL);
}

EkConfig *
ek_engine_get_config (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->config;
}

EkServerClock *
ek_engine_get_clock (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->clock;
}

EkApiClient *
ek_engine_get_api (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->api;
}

EkSecretStore *
ek_engine_get_secret_store (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->secrets;
}

EkSession *
ek_engine_get_session (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->session;
}

const char *
ek_engine_get_session_id (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->session_id;
}

const char *
ek_engine_get_keyring_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->keyring_problem;
}

/**
 * ek_engine_get_recording:
 *
 * Returns: (transfer none) (nullable): the session's recording, if there is one
 */
EkExamRecording *
ek_engine_get_recording (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->recording;
}

const char *
ek_engine_get_recording_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->recording_problem;
}

/**
 * ek_engine_get_answer_store:
 *
 * Returns: (transfer none) (nullable): a written exam's answers, once open
 */
EkAnswerStore *
ek_engine_get_answer_store (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->answers;
}

const char *
ek_engine_get_answer_store_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->answers_problem;
}

/**
 * ek_engine_reopen_answer_store:
 *
 * Tries again to open the answers after EkEngine:answer-store-problem.
 */
void
ek_engine_reopen_answer_store (EkEngine *self)
{
  g_return_if_fail (EK_IS_ENGINE (self));

  open_answers (self);
}

/**
 * ek_engine_set_devices:
 * @camera_id: (nullable): an EkMediaDevice id, or %NULL for the default
 * @microphone_id: (nullable): likewise
 *
 * The devices the candidate chose on the device page, for the exam's recording.
 */
void
ek_engine_set_devices (EkEngine   *self,
                       const char *camera_id,
                       const char *microphone_id)
{
  g_return_if_fail (EK_IS_ENGINE (self));

  if (camera_id != self->camera_id)
    {
      g_free (self->camera_id);
      self->camera_id = g_strdup (camera_id);
    }
  if (microphone_id != self->microphone_id)
    {
      g_free (self->microphone_id);
      self->microphone_id = g_strdup (microphone_id);
    }
}

EkEventLog *
ek_engine_get_event_log (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->events;
}

/**
 * ek_engine_log_event:
 * @type: the event type, snake_case ("camera_lost")
 * @client_ms: when it began, wall clock milliseconds since 1970; 0 for now
 * @duration_ms: how long it lasted, or < 0 when it has no duration
 * @data: (nullable): details, integers and strings only; not taken
 *
 * Appends an event to the session's log, which sends it to the server in order and
 * keeps it until acknowledged. Nothing happens without a session (or in practice).
 */
void
ek_engine_log_event (EkEngine   *self,
                     const char *type,
                     gint64      client_ms,
                     gint64      duration_ms,
                     JsonObject *data)
{
  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (type != NULL);

  log_event (self, type, client_ms, duration_ms, data);
}

static JsonObject *
violation_data (const EkViolation *violation,
                const char        *state)
{
  JsonObject *data = string_data ("state", state, "detail", violation->detail, NULL);

  json_object_set_int_member (data, "count", violation->count);
  json_object_set_string_member (data, "counted", violation->counted ? "yes" : "no");
  return data;
}

static void
on_violation_started_cb (EkViolationTracker *tracker,
                         EkViolation        *violation,
                         EkEngine           *self)
{
  g_autoptr(JsonObject) data = NULL;

  /* The proctor logs its own signals, with the moment the condition began. */
  if (self->proctor != NULL && is_proctor_signal_type (violation->type))
    return;
  data = violation_data (violation, "started");
  log_event (self, violation->type, violation->start_ms, -1, data);
}

static void
on_violation_cb (EkViolationTracker *tracker,
                 EkViolation        *violation,
                 EkEngine           *self)
{
  g_autoptr(JsonObject) data = NULL;

  if (self->proctor != NULL && is_proctor_signal_type (violation->type))
    return;
  data = violation_data (violation, "ended");
  log_event (self, violation->type, violation->start_ms, violation->duration_ms, data);
}

static void
on_escalated_cb (EkViolationTracker *tracker,
                 const char         *type,
                 int                 step,
                 EkEngine           *self)
{
  g_autoptr(JsonObject) data = string_data ("violation", type,
                                            "step", ek_escalation_step_to_string (step), NULL);

  self->violation_step = step;
  log_event (self, "escalation", 0, -1, data);
}

/* A step going back: a warning acknowledged, a lock released by the proctor. */
static void
on_violation_step_cb (EkViolationTracker *tracker,
                      GParamSpec         *pspec,
                      EkEngine           *self)
{
  EkEscalationStep step = ek_violation_tracker_get_step (tracker);
  g_autoptr(JsonObject) data = NULL;

  if (step >= self->violation_step)
    return;
  data = string_data ("from", ek_escalation_step_to_string (self->violation_step),
                      "to", ek_escalation_step_to_string (step), NULL);
  self->violation_step = step;
  log_event (self, "escalation_cleared", 0, -1, data);
}

/**
 * ek_engine_watch_violations:
 * @tracker: (nullable): the lockdown's tracker; %NULL stops watching
 *
 * Every counted violation becomes two events of its type (data `state` "started",
 * then "ended" with its duration; one inside the grace time only "ended", with
 * `counted` "no"), every escalation an `escalation` event, and every step back (a
 * warning acknowledged, a lock released) an `escalation_cleared` event.
 */
void
ek_engine_watch_violations (EkEngine           *self,
                            EkViolationTracker *tracker)
{
  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (tracker == NULL || EK_IS_VIOLATION_TRACKER (tracker));

  if (self->violations == tracker)
    return;
  if (self->violations != NULL)
    g_signal_handlers_disconnect_by_data (self->violations, self);
  g_set_object (&self->violations, tracker);
  if (self->proctor != NULL)
    ek_exam_proctor_set_violation_tracker (self->proctor, tracker);
  if (tracker == NULL)
    return;

  self->violation_step = ek_violation_tracker_get_step (tracker);
  g_signal_connect_object (tracker, "violation-started",
                           G_CALLBACK (on_violation_started_cb), self, 0);
  g_signal_connect_object (tracker, "violation", G_CALLBACK (on_violation_cb), self, 0);
  g_signal_connect_object (tracker, "escalated", G_CALLBACK (on_escalated_cb), self, 0);
  g_signal_connect_object (tracker, "notify::step", G_CALLBACK (on_violation_step_cb), self, 0);
}

/**
 * ek_engine_get_proctor:
 *
 * Returns: (transfer none) (nullable): the exam's live proctoring, while it runs
 */
EkExamProctor *
ek_engine_get_proctor (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->proctor;
}

/**
 * ek_engine_get_proctor_channel:
 *
 * Returns: (transfer none) (nullable): the proctor's messages, while the exam runs
 */
EkProctorChannel *
ek_engine_get_proctor_channel (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->proctor_channel;
}

/**
 * ek_engine_keep_reference_face:
 * @frame: the picture the identity check accepted
 *
 * Kept in the session's private folder (0600) for the live resemblance score,
 * also after a restart of the client.
 */
void
ek_engine_keep_reference_face (EkEngine     *self,
                               EkVideoFrame *frame)
{
  g_autofree char *directory = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (frame != NULL);

  if (self->session_id == NULL || self->practice != NULL)
    return;

  directory = proctor_directory (self);
  ek_exam_proctor_save_reference_async (directory, frame, self->cancellable,
                                        on_reference_face_saved_cb, NULL);
}

/**
 * ek_engine_start_room_scan:
 *
 * Starts recording a guided step before the exam (the room scan, the blank paper)
 * as the session's "room_scan" stream, uploaded with the rest of the recording
 * (kept on this computer in practice). The camera and microphone are those chosen
 * so far. Logs `room_scan_started`.
 *
 * Returns: whether the recording runs; if not, @error says why in the candidate's
 *   language
 */
gboolean
ek_engine_start_room_scan (EkEngine  *self,
                           GError   **error)
{
  g_autoptr(JsonObject) data = NULL;
  EkStep step;

  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);

  ensure_recording (self);
  if (self->recording == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("There is no session to record for. Log in again."));
      return FALSE;
    }
  if (ek_exam_recording_get_room_scan_recorder (self->recording) != NULL)
    return TRUE;

  if (!ek_exam_recording_start_room_scan (self->recording, self->camera_id,
                                          self->microphone_id, error))
    return FALSE;

  step = ek_session_get_current_step (self->session);
  data = string_data ("step", ek_step_to_string (step), NULL);
  self->room_scan_started_ms = g_get_real_time () / 1000;
  log_event (self, "room_scan_started", self->room_scan_started_ms, -1, data);
  return TRUE;
}

/**
 * ek_engine_stop_room_scan_async:
 *
 * Stops the room scan's recording; completes once its segments are in the outbox.
 * Logs `room_scan_stopped` with the duration.
 */
void
ek_engine_stop_room_scan_async (EkEngine            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_stop_room_scan_async);

  if (self->recording == NULL || ek_exam_recording_get_room_scan_recorder (self->recording) == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  {
    gint64 now_ms = g_get_real_time () / 1000;
    g_autoptr(JsonObject) data =
      string_data ("step", ek_step_to_string (ek_session_get_current_step (self->session)), NULL);

    log_event (self, "room_scan_stopped", self->room_scan_started_ms,
               self->room_scan_started_ms > 0 ? now_ms - self->room_scan_started_ms : -1, data);
    self->room_scan_started_ms = 0;
  }
  ek_exam_recording_stop_room_scan_async (self->recording, cancellable,
                                          on_room_scan_stopped_cb, g_steal_pointer (&task));
}

gboolean
ek_engine_stop_room_scan_finish (EkEngine      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}


