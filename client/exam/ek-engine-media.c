/* ek-engine-media.c: the exam's recording, the room scan and the live proctoring */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-engine-private.h"

/* --- recording ------------------------------------------------------------ */

static void
set_recording_problem (EkEngine   *self,
                       const char *problem)
{
  if (g_strcmp0 (problem, self->recording_problem) == 0)
    return;

  g_free (self->recording_problem);
  self->recording_problem = g_strdup (problem);
  _ek_engine_notify (self, PROP_RECORDING_PROBLEM);
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
  _ek_engine_log_event (self, type, 0, duration_ms, data);
}

void
_ek_engine_clear_recording (EkEngine *self)
{
  if (self->recording == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->recording, self);
  g_clear_object (&self->recording);
  self->finishing_recording = FALSE;
  _ek_engine_notify (self, PROP_RECORDING);
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
  EkExam *exam;
  GBytes *seal_key;

  if (self->session_id == NULL)
    return;

  directory = recording_directory (self);
  if (self->recording != NULL &&
      g_strcmp0 (ek_exam_recording_get_directory (self->recording), directory) == 0)
    return;

  /* Another session than the one recorded (a new login on this computer). */
  _ek_engine_clear_recording (self);
  exam = ek_session_get_exam (self->session);
  /* An exam with a public key has its recording sealed for the examining body;
   * the practice records plainly, on this computer only. */
  seal_key = exam != NULL && self->practice == NULL ? ek_exam_get_recording_key (exam) : NULL;
  self->recording = ek_exam_recording_new (directory, self->session_id,
                                           ek_config_get_media_source (self->config),
                                           self->practice == NULL ? self->api : NULL,
                                           seal_key);
  g_signal_connect_object (self->recording, "notify::problem",
                           G_CALLBACK (on_recording_problem_cb), self, 0);
  g_signal_connect_object (self->recording, "event",
                           G_CALLBACK (on_recording_event_cb), self, 0);
  set_recording_problem (self, ek_exam_recording_get_problem (self->recording));
  _ek_engine_notify (self, PROP_RECORDING);
}

void
_ek_engine_start_recording (EkEngine *self)
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
  _ek_engine_maybe_mark_finished (self);
}

void
_ek_engine_finish_recording (EkEngine *self)
{
  /* The finish waits for an entry made offline: a server that heard the finish
   * first would close the session without it (ek-engine-sealed.c goes on). */
  if (self->finishing_recording || self->offline_entered_ms > 0)
    return;

  /* Also after a restart in FINISHING: the leftover segments still go up. */
  ensure_recording (self);
  if (self->recording == NULL)
    return;

  self->finishing_recording = TRUE;
  ek_exam_recording_finish_async (self->recording, self->cancellable,
                                  on_recording_finished_cb, g_object_ref (self));
}

/* --- proctoring (issue 6: live signals, snapshots, identity re-check) ----- */

/* The session's private proctoring folder: DATA/sessions/ID/proctor (the identity
 * check's picture, kept for the resemblance score across restarts). */
static char *
proctor_directory (EkEngine *self)
{
  return g_build_filename (ek_config_get_data_dir (self->config), "sessions",
                           self->session_id, "proctor", NULL);
}

static void
on_proctor_log_event_cb (EkExamProctor *proctor,
                         const char    *type,
                         gint64         client_ms,
                         gint64         duration_ms,
                         JsonObject    *data,
                         EkEngine      *self)
{
  _ek_engine_log_event (self, type, client_ms, duration_ms, data);
}

/**
 * _ek_engine_check_proctoring:
 *
 * Before the exam starts against a server: the live proctoring's face detection
 * must be installed (the element and every cascade it loads). A missing file
 * stops the start with a message the candidate can hand on; it never becomes an
 * exam that nobody watches.
 *
 * Returns: %TRUE, or %FALSE with a translated error
 */
gboolean
_ek_engine_check_proctoring (EkEngine  *self,
                             GError   **error)
{
  g_autoptr(GError) missing = NULL;

  if (self->practice != NULL)
    return TRUE;
  if (ek_face_detector_check_installed (EK_FACE_CASCADE_FRONTAL | EK_FACE_CASCADE_PROFILE, &missing))
    return TRUE;

  g_message ("The exam cannot start: %s", missing->message);
  /* TRANSLATORS: %s says what is missing, as a whole sentence */
  g_set_error (error, missing->domain, missing->code,
               _("The exam cannot start on this computer: live proctoring needs face detection. %s "
                 "Please tell the invigilator."), missing->message);
  return FALSE;
}

/* From the exam's start, against a server only (the practice has no proctor). */
void
_ek_engine_start_proctor (EkEngine *self)
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
      g_autoptr(JsonObject) data = _ek_engine_string_data ("reason", error->message, NULL);

      /* A fresh start was refused by _ek_engine_check_proctoring(); this is a
       * re-entry (the files went while the exam ran): the exam goes on, and the
       * proctor sees in the log that nobody watched. */
      g_message ("Live proctoring is not available: %s", error->message);
      _ek_engine_log_event (self, "proctoring_unavailable", 0, -1, data);
      return;
    }

  g_signal_connect_object (self->proctor, "log-event", G_CALLBACK (on_proctor_log_event_cb), self, 0);
  if (self->recording != NULL)
    ek_exam_proctor_attach_recorder (self->proctor, ek_exam_recording_get_recorder (self->recording),
                                     ek_exam_get_record_screen (exam));
  ek_exam_proctor_set_violation_tracker (self->proctor, self->violations);
  /* Snapshots are sealed as the recording is (the practice has no proctor). */
  ek_exam_proctor_set_seal_key (self->proctor, ek_exam_get_recording_key (exam));
  _ek_engine_notify (self, PROP_PROCTOR);
}

/* The exam is over: active signals end (their end events are logged) before the
 * log's last flush. */
void
_ek_engine_stop_proctor (EkEngine *self)
{
  if (self->proctor == NULL)
    return;

  ek_exam_proctor_stop (self->proctor);
  g_signal_handlers_disconnect_by_data (self->proctor, self);
  g_clear_object (&self->proctor);
  _ek_engine_notify (self, PROP_PROCTOR);
}

/* The proctor's messages, from the exam's start to its end, against a server only. */
void
_ek_engine_start_proctor_channel (EkEngine *self)
{
  if (self->proctor_channel != NULL || self->practice != NULL || self->session_id == NULL)
    return;
  self->proctor_channel = ek_proctor_channel_new (self->api, self->session, self->proctor);
  /* (type, client_ms, duration_ms, data): _ek_engine_log_event's own arguments. */
  g_signal_connect_object (self->proctor_channel, "log-event", G_CALLBACK (_ek_engine_log_event),
                           self, G_CONNECT_SWAPPED);
  _ek_engine_notify (self, PROP_PROCTOR_CHANNEL);
}

void
_ek_engine_stop_proctor_channel (EkEngine *self)
{
  if (self->proctor_channel == NULL)
    return;
  ek_proctor_channel_stop (self->proctor_channel);
  g_signal_handlers_disconnect_by_data (self->proctor_channel, self);
  g_clear_object (&self->proctor_channel);
  _ek_engine_notify (self, PROP_PROCTOR_CHANNEL);
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

/* --- room scan ------------------------------------------------------------ */

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

/* --- public API ----------------------------------------------------------- */

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
  data = _ek_engine_string_data ("step", ek_step_to_string (step), NULL);
  self->room_scan_started_ms = g_get_real_time () / 1000;
  _ek_engine_log_event (self, "room_scan_started", self->room_scan_started_ms, -1, data);
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
      _ek_engine_string_data ("step", ek_step_to_string (ek_session_get_current_step (self->session)), NULL);

    _ek_engine_log_event (self, "room_scan_stopped", self->room_scan_started_ms,
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
