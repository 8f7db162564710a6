/* ek-exam-recording.c: one session's recording and its way to the server */

#include "config.h"

#include <glib/gstdio.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-exam-recording.h"
#include "ek-private-files.h"
#include "ek-seal.h"

struct _EkExamRecording
{
  GObject        parent_instance;

  char          *directory;
  char          *session_id;
  EkMediaSource  source;
  GBytes        *seal_key;    /* owned, nullable: segments stay plain */
  EkApiClient   *api;         /* owned, nullable: practice */
  EkRecorder    *recorder;    /* owned */
  EkTusClient   *tus;         /* owned, nullable */
  EkOutbox      *outbox;      /* owned, NULL until opened */
  GError        *outbox_error;
  char          *problem;
  GCancellable  *cancellable;
  GPtrArray     *queued;      /* EkSegment announced before the outbox was open */
  GPtrArray     *leftovers;   /* file names found at creation (plain, or sealed) */
  guint          hashing;     /* leftover segments being hashed */
  gboolean       outbox_done; /* the outbox is open, or failed to open */
  gboolean       stopped;
  GTask         *finish_task;
  gboolean       fatal;          /* the problem ended the recording */
  gboolean       camera_away;    /* the problem is (also) the camera's, gone when it is back */
  gint64         camera_lost_us; /* monotonic time the camera went */
  gboolean       microphone_away;
  gint64         microphone_lost_us;
  EkRecorder    *room_recorder;  /* owned, nullable: the pre-exam guided steps */
  guint          room_stopping;  /* room-scan stops in flight */
};

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_RECORDER,
  PROP_OUTBOX,
  PROP_PROBLEM,
  PROP_ROOM_SCAN_RECORDER,
  N_PROPS
};

enum {
  FAILED,
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkExamRecording, ek_exam_recording, G_TYPE_OBJECT)

static void maybe_finish (EkExamRecording *self);

static void
set_problem (EkExamRecording *self,
             const GError    *error)
{
  if (g_strcmp0 (self->problem, error->message) == 0)
    return;

  self->fatal = TRUE;
  g_free (self->problem);
  self->problem = g_strdup (error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
  g_signal_emit (self, signals[FAILED], 0, error);
}

/* Emits ::event; @data (nullable) is taken. */
static void
emit_event (EkExamRecording *self,
            const char      *type,
            gint64           duration_ms,
            JsonObject      *data)
{
  g_autoptr(JsonObject) owned = data;

  g_signal_emit (self, signals[EVENT], 0, type, duration_ms, owned);
}

static JsonObject *
reason_data (const char *reason)
{
  JsonObject *data = json_object_new ();

  json_object_set_string_member (data, "reason", reason);
  return data;
}

/* The event's name for why the recorder failed. */
static const char *
failure_reason (const GError *error)
{
  if (error->domain != EK_RECORDER_ERROR)
    return "failed";

  switch ((EkRecorderError) error->code)
    {
    case EK_RECORDER_ERROR_NO_SPACE:
      return "no_space";
    case EK_RECORDER_ERROR_DISK_FULL:
      return "disk_full";
    case EK_RECORDER_ERROR_FOLDER:
      return "folder";
    case EK_RECORDER_ERROR_MISSING_PLUGIN:
      return "missing_plugin";
    case EK_RECORDER_ERROR_NO_CAMERA:
      return "no_camera";
    case EK_RECORDER_ERROR_NO_MICROPHONE:
      return "no_microphone";
    case EK_RECORDER_ERROR_FAILED:
    default:
      return "failed";
    }
}

/* A recorder failure as an event: `disk_full` when the disk filled during the
 * exam, else `recording_failed` with the reason. */
static void
emit_failure_event (EkExamRecording *self,
                    const GError    *error)
{
  if (g_error_matches (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL))
    emit_event (self, "disk_full", -1, NULL);
  else
    emit_event (self, "recording_failed", -1, reason_data (failure_reason (error)));
}

/* What the candidate is told while a device is away; a fatal problem stays
 * what the UI shows. */
static void
update_device_problem (EkExamRecording *self)
{
  const char *text = NULL;

  if (self->fatal)
    return;

  if (self->camera_away && self->microphone_away)
    text = _("The camera and the microphone stopped working. The recording goes on; tell the "
             "proctor. Each is used again as soon as it works.");
  else if (self->camera_away)
    text = _("The camera stopped working. The recording goes on with sound "
             "only; tell the proctor. The camera is used again as soon as it "
             "works.");
  else if (self->microphone_away)
    text = _("The microphone stopped working. The recording goes on with the picture only; "
             "tell the proctor. The microphone is used again as soon as it is connected.");

  if (g_strcmp0 (self->problem, text) == 0)
    return;

  g_free (self->problem);
  self->problem = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
on_camera_lost_cb (EkRecorder      *recorder,
                   EkExamRecording *self)
{
  gboolean stalled = ek_recorder_get_camera_stalled (recorder);

  self->camera_lost_us = g_get_monotonic_time ();
  emit_event (self, "camera_lost", -1, reason_data (stalled ? "stalled" : "error"));
  self->camera_away = TRUE;
  update_device_problem (self);
}

static void
on_camera_restored_cb (EkRecorder      *recorder,
                       EkExamRecording *self)
{
  gint64 away_ms = (g_get_monotonic_time () - self->camera_lost_us) / 1000;

  emit_event (self, "camera_back", away_ms, NULL);
  self->camera_away = FALSE;
  update_device_problem (self);
}

static void
on_microphone_lost_cb (EkRecorder      *recorder,
                       EkExamRecording *self)
{
  self->microphone_lost_us = g_get_monotonic_time ();
  emit_event (self, "microphone_lost", -1, reason_data ("error"));
  self->microphone_away = TRUE;
  update_device_problem (self);
}

static void
on_microphone_restored_cb (EkRecorder      *recorder,
                           EkExamRecording *self)
{
  gint64 away_ms = (g_get_monotonic_time () - self->microphone_lost_us) / 1000;

  emit_event (self, "microphone_back", away_ms, NULL);
  self->microphone_away = FALSE;
  update_device_problem (self);
}

static void
add_segment (EkExamRecording *self,
             EkSegment       *segment)
{
  if (self->outbox != NULL)
    ek_outbox_add_segment (self->outbox, segment);
  else if (self->api != NULL && !self->outbox_done)
    g_ptr_array_add (self->queued, ek_segment_ref (segment));
  /* Practice, or an outbox that could not open: the file stays in the folder,
   * and the next recording of this session announces it again. */
}

static void
on_segment_ready_cb (EkRecorder      *recorder,
                     EkSegment       *segment,
                     EkExamRecording *self)
{
  add_segment (self, segment);
}

static void
on_recorder_failed_cb (EkRecorder      *recorder,
                       const GError    *error,
                       EkExamRecording *self)
{
  g_message ("The recording failed: %s", error->message);
  emit_failure_event (self, error);
  set_problem (self, error);
}

static void
on_leftover_hashed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EkExamRecording) self = user_data;
  g_autoptr(EkSegment) segment = NULL;
  g_autoptr(GError) error = NULL;

  self->hashing--;
  segment = ek_segment_hash_file_finish (result, &error);
  if (segment == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("A segment left from an earlier run cannot be read: %s", error->message);
    }
  else
    {
      add_segment (self, segment);
    }

  maybe_finish (self);
}

/* Hands the outbox the files of an earlier run it does not know. */
static void
announce_leftovers (EkExamRecording *self)
{
  for (guint i = 0; i < self->leftovers->len; i++)
    {
      const char *name = g_ptr_array_index (self->leftovers, i);
      g_autofree char *path = NULL;
      const char *stream = NULL;
      guint index;

      if (!ek_segment_parse_file_name (name, &stream, &index) &&
          !ek_segment_parse_sealed_file_name (name, &stream, &index))
        continue;
      path = g_str_equal (stream, EK_SEGMENT_STREAM_ROOM_SCAN)
             ? g_build_filename (self->directory, EK_EXAM_RECORDING_ROOM_SCAN_DIR, name, NULL)
             : g_build_filename (self->directory, name, NULL);
      if (ek_outbox_lookup_segment (self->outbox, stream, index, NULL, NULL, NULL))
        continue;

      /* Opened by a muxer just before the kill, not a byte written: nothing to keep,
       * as the recorder itself drops an empty file at its stop. */
      {
        GStatBuf st;

        if (g_stat (path, &st) == 0 && st.st_size == 0)
          {
            g_debug ("Recording: %s, left empty by an earlier run, removed", name);
            g_unlink (path);
            continue;
          }
      }

      g_debug ("Recording: announcing %s, left from an earlier run", name);
      self->hashing++;
      ek_segment_hash_file_async (stream, index, path, 0, 0, self->cancellable,
                                  on_leftover_hashed_cb, g_object_ref (self));
    }

  g_ptr_array_set_size (self->leftovers, 0);
}

/* Every upload request carries the client integrity header, as the API's do. */
static void
sign_tus_request (EkHttpRequest *request,
                  const char    *path,
                  gpointer       user_data)
{
  ek_api_client_sign_request (EK_API_CLIENT (user_data), request, path);
}

/* A leftover plain segment of a sealed exam is sealed at once, before the
 * outbox is even open: no plain recording stays on the disk longer than needed. */
static void
seal_leftover (EkExamRecording *self,
               const char      *folder,
               const char      *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  const char *stream = NULL;
  guint index;

  if (!ek_segment_parse_file_name (name, &stream, &index))
    return;

  g_debug ("Recording: sealing %s, left plain by an earlier run", name);
  self->hashing++;
  ek_segment_seal_file_async (stream, index, path, 0, 0, self->seal_key, self->cancellable,
                              on_leftover_hashed_cb, g_object_ref (self));
}

/* Sorts the segment files an earlier run left in @folder (for @room_scan, the
 * room scan's) into the leftovers to announce once the outbox is open. In a
 * sealed exam: a sealed file is complete (it got its name by a rename once
 * written and synced), so a plain twin of it goes; a plain file alone is sealed
 * now; a .part is the remains of a sealing that was cut, and goes. */
static void
collect_leftovers (EkExamRecording *self,
                   const char      *folder,
                   gboolean         room_scan)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *sealed = g_strconcat (path, EK_SEAL_SUFFIX, NULL);
      const char *stream;
      guint index;

      if (g_str_has_suffix (name, EK_SEAL_PART_SUFFIX))
        {
          g_unlink (path);
          continue;
        }

      if (ek_segment_parse_sealed_file_name (name, &stream, &index))
        {
          if (g_str_equal (stream, EK_SEGMENT_STREAM_ROOM_SCAN) == room_scan)
            g_ptr_array_add (self->leftovers, g_strdup (name));
          continue;
        }

      if (!ek_segment_parse_file_name (name, &stream, &index) ||
          g_str_equal (stream, EK_SEGMENT_STREAM_ROOM_SCAN) != room_scan)
        continue;

      if (g_file_test (sealed, G_FILE_TEST_EXISTS))
        g_unlink (path);
      else if (self->seal_key != NULL)
        seal_leftover (self, folder, name);
      else
        g_ptr_array_add (self->leftovers, g_strdup (name));
    }
}

static void
on_outbox_opened_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkExamRecording) self = user_data;
  g_autoptr(GError) error = NULL;
  EkOutbox *outbox;

  outbox = ek_outbox_new_finish (result, &error);
  self->outbox_done = TRUE;

  if (outbox == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Recording goes on: the files stay in the session folder for a later run. */
      g_message ("The upload queue cannot be opened: %s", error->message);
      g_ptr_array_set_size (self->queued, 0);
      self->outbox_error = g_error_copy (error);
      set_problem (self, error);
      maybe_finish (self);
      return;
    }

  self->outbox = outbox;
  for (guint i = 0; i < self->queued->len; i++)
    ek_outbox_add_segment (self->outbox, g_ptr_array_index (self->queued, i));
  g_ptr_array_set_size (self->queued, 0);
  announce_leftovers (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTBOX]);
  maybe_finish (self);
}

/* Makes @directory and keeps it private, even if it was made before with a wider mode. */
static gboolean
ensure_private_dir (const char  *directory,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!ek_ensure_private_folder (directory, &local_error))
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FOLDER,
                   _("The recording folder %s cannot be created: %s"),
                   directory, ek_private_files_error_reason (local_error, directory));
      return FALSE;
    }

  return TRUE;
}

/* --- finishing ------------------------------------------------------------ */

static void
on_outbox_finished_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_outbox_finish_finish (EK_OUTBOX (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
maybe_finish (EkExamRecording *self)
{
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;

  if (self->finish_task == NULL || !self->stopped || self->hashing > 0 ||
      self->room_stopping > 0)
    return;

  if (self->api == NULL)
    {
      task = g_steal_pointer (&self->finish_task);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!self->outbox_done)
    return;

  task = g_steal_pointer (&self->finish_task);
  if (self->outbox == NULL)
    {
      g_task_return_error (task, g_error_copy (self->outbox_error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  ek_outbox_finish_async (self->outbox, cancellable, on_outbox_finished_cb,
                          g_steal_pointer (&task));
}

static void
on_recorder_stopped_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(EkExamRecording) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A recording that failed on its own has said so already (::failed); what it
   * closed is announced all the same, so the upload goes on. */
  if (!ek_recorder_stop_finish (EK_RECORDER (object), result, &error))
    g_debug ("Recording: stopped with %s", error->message);

  self->stopped = TRUE;
  maybe_finish (self);
}

/**
 * ek_exam_recording_finish_async:
 *
 * Stops the recorder (if it runs), waits until every segment is in the outbox and
 * then until the server has confirmed them all (ek_outbox_finish_async()). Without
 * an API client it completes once the recorder has stopped. May take as long as
 * the network is away; the outbox keeps trying.
 */
void
ek_exam_recording_finish_async (EkExamRecording     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_EXAM_RECORDING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_exam_recording_finish_async);

  if (self->finish_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The recording is already finishing");
      return;
    }

  self->finish_task = g_steal_pointer (&task);

  /* A room scan still running (the flow never left its page) ends with the exam. */
  if (self->room_recorder != NULL)
    ek_exam_recording_stop_room_scan_async (self, NULL, NULL, NULL);

  switch (ek_recorder_get_state (self->recorder))
    {
    case EK_RECORDER_STATE_STARTING:
    case EK_RECORDER_STATE_RECORDING:
    case EK_RECORDER_STATE_STOPPING:
    case EK_RECORDER_STATE_FAILED:
      ek_recorder_stop_async (self->recorder, NULL, on_recorder_stopped_cb, g_object_ref (self));
      break;

    case EK_RECORDER_STATE_IDLE:
    case EK_RECORDER_STATE_STOPPED:
    default:
      self->stopped = TRUE;
      maybe_finish (self);
      break;
    }
}

gboolean
ek_exam_recording_finish_finish (EkExamRecording  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_exam_recording_finish_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_exam_recording_dispose (GObject *object)
{
  EkExamRecording *self = (EkExamRecording *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->recorder != NULL)
    g_signal_handlers_disconnect_by_data (self->recorder, self);
  g_clear_object (&self->recorder);
  if (self->room_recorder != NULL)
    g_signal_handlers_disconnect_by_data (self->room_recorder, self);
  g_clear_object (&self->room_recorder);
  g_clear_object (&self->outbox);
  g_clear_object (&self->tus);
  g_clear_object (&self->api);
  g_clear_pointer (&self->seal_key, g_bytes_unref);

  G_OBJECT_CLASS (ek_exam_recording_parent_class)->dispose (object);
}

static void
ek_exam_recording_finalize (GObject *object)
{
  EkExamRecording *self = (EkExamRecording *)object;

  g_assert (self->finish_task == NULL);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->queued, g_ptr_array_unref);
  g_clear_pointer (&self->leftovers, g_ptr_array_unref);
  g_clear_error (&self->outbox_error);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->session_id, g_free);
  g_clear_pointer (&self->problem, g_free);

  G_OBJECT_CLASS (ek_exam_recording_parent_class)->finalize (object);
}

static void
ek_exam_recording_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EkExamRecording *self = EK_EXAM_RECORDING (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    case PROP_RECORDER:
      g_value_set_object (value, self->recorder);
      break;

    case PROP_OUTBOX:
      g_value_set_object (value, self->outbox);
      break;

    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;

    case PROP_ROOM_SCAN_RECORDER:
      g_value_set_object (value, self->room_recorder);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_exam_recording_class_init (EkExamRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_exam_recording_dispose;
  object_class->finalize = ek_exam_recording_finalize;
  object_class->get_property = ek_exam_recording_get_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  properties[PROP_RECORDER] =
    g_param_spec_object ("recorder", NULL, NULL,
                         EK_TYPE_RECORDER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EkExamRecording:outbox:
   *
   * The upload queue, once its database is open; %NULL before, and always for
   * the practice exam. The finish page shows its progress properties.
   */
  properties[PROP_OUTBOX] =
    g_param_spec_object ("outbox", NULL, NULL,
                         EK_TYPE_OUTBOX,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkExamRecording:problem:
   *
   * Why the recording (or its upload queue) failed, translated, for the UI to
   * show; %NULL while all is well.
   */
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkExamRecording:room-scan-recorder:
   *
   * The recorder of the room scan while it runs (for its preview), else %NULL.
   */
  properties[PROP_ROOM_SCAN_RECORDER] =
    g_param_spec_object ("room-scan-recorder", NULL, NULL,
                         EK_TYPE_RECORDER,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkExamRecording::failed:
   * @error: what went wrong
   *
   * The recorder stopped on its own, or it could not start, or the upload queue
   * cannot be opened.
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkExamRecording::event:
   * @type: the proctoring event (protocol §7): `camera_lost` (data: `reason`,
   *   "error" or "stalled"), `camera_back` (with the time away as duration),
   *   `microphone_lost` (data: `reason` "error"), `microphone_back` (likewise),
   *   `disk_full`, `recording_failed` (data: `reason`)
   * @duration_ms: the event's duration, or -1
   * @data: (nullable): the event's data, integers and strings only
   *
   * Something the proctor should know happened to the recording; the engine
   * puts it in the session's event log.
   */
  signals[EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_INT64,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_exam_recording_init (EkExamRecording *self)
{
  self->cancellable = g_cancellable_new ();
  self->queued = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  self->leftovers = g_ptr_array_new_with_free_func (g_free);
}

/**
 * ek_exam_recording_new:
 * @directory: the session's private folder (made 0700 here)
 * @session_id: the session, for the upload metadata
 * @source: where camera and microphone come from
 * @api_client: (nullable): the logged-in API client; %NULL keeps the recording local
 * @seal_key: (nullable): the exam's X25519 public key (32 bytes): every segment is
 *   sealed for it (ek-seal.h) before it goes into the outbox, and no plain one stays
 *
 * Makes the recorder (not started) and, with @api_client, opens the outbox in
 * @directory and a tus client on the server's /v1/uploads/ with the session token.
 */
EkExamRecording *
ek_exam_recording_new (const char    *directory,
                       const char    *session_id,
                       EkMediaSource  source,
                       EkApiClient   *api_client,
                       GBytes        *seal_key)
{
  EkExamRecording *self;
  g_autoptr(GError) error = NULL;
  g_autofree char *room_dir = NULL;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (api_client == NULL || EK_IS_API_CLIENT (api_client), NULL);

  self = g_object_new (EK_TYPE_EXAM_RECORDING, NULL);
  self->directory = g_strdup (directory);
  self->session_id = g_strdup (session_id);
  self->source = source;
  self->api = api_client != NULL ? g_object_ref (api_client) : NULL;
  self->seal_key = seal_key != NULL ? g_bytes_ref (seal_key) : NULL;
  self->recorder = ek_recorder_new (directory, source);
  ek_recorder_set_seal_key (self->recorder, self->seal_key);
  g_signal_connect (self->recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), self);
  g_signal_connect (self->recorder, "failed", G_CALLBACK (on_recorder_failed_cb), self);
  g_signal_connect (self->recorder, "camera-lost", G_CALLBACK (on_camera_lost_cb), self);
  g_signal_connect (self->recorder, "camera-restored", G_CALLBACK (on_camera_restored_cb), self);
  g_signal_connect (self->recorder, "microphone-lost", G_CALLBACK (on_microphone_lost_cb), self);
  g_signal_connect (self->recorder, "microphone-restored", G_CALLBACK (on_microphone_restored_cb), self);

  if (!ensure_private_dir (directory, &error))
    {
      /* The recorder fails the same way when started; say it now too. */
      self->outbox_done = TRUE;
      self->outbox_error = g_error_copy (error);
      set_problem (self, error);
      return self;
    }

  /* The names only (a short listing): the hashing happens once the outbox can
   * tell which of them it knows. Listed before the recorder starts, so that no
   * file of this run is among them. The room scan's are in its own folder (its
   * recorder numbers its own files). */
  room_dir = g_build_filename (directory, EK_EXAM_RECORDING_ROOM_SCAN_DIR, NULL);
  collect_leftovers (self, directory, FALSE);
  collect_leftovers (self, room_dir, TRUE);

  if (self->api != NULL)
    {
      g_autofree char *endpoint = g_strconcat (ek_api_client_get_base_url (self->api),
                                               "/v1/uploads/", NULL);
      g_autofree char *db_path = g_build_filename (directory, EK_EXAM_RECORDING_OUTBOX_NAME,
                                                   NULL);

      self->tus = ek_tus_client_new (ek_api_client_get_http_client (self->api), endpoint);
      ek_tus_client_set_bearer_token (self->tus, ek_api_client_get_session_token (self->api));
      ek_tus_client_set_request_func (self->tus, sign_tus_request, g_object_ref (self->api),
                                      g_object_unref);
      ek_outbox_new_async (db_path, session_id, self->tus, self->api, self->cancellable,
                           on_outbox_opened_cb, g_object_ref (self));
    }
  else
    {
      self->outbox_done = TRUE;
    }

  return self;
}

/**
 * ek_exam_recording_start:
 * @duration_s: how long the exam still runs (for the free-space check)
 *
 * Starts the recorder, configured beforehand through ek_exam_recording_get_recorder().
 * A failure is also in #EkExamRecording:problem.
 */
gboolean
ek_exam_recording_start (EkExamRecording  *self,
                         guint             duration_s,
                         GError          **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), FALSE);

  if (!ek_recorder_start (self->recorder, duration_s, &local_error))
    {
      emit_failure_event (self, local_error);
      set_problem (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* --- room scan ------------------------------------------------------------ */

static void
on_room_recorder_failed_cb (EkRecorder      *recorder,
                            const GError    *error,
                            EkExamRecording *self)
{
  g_message ("The room scan recording failed: %s", error->message);
  emit_failure_event (self, error);
}

/**
 * ek_exam_recording_start_room_scan:
 * @camera_id: (nullable): the camera chosen so far, %NULL for the default
 * @microphone_id: (nullable): the microphone, likewise
 *
 * Records the camera and the microphone as the stream "room_scan" (the guided
 * steps before the exam: the room scan and the blank paper), into the folder
 * room-scan/ of the session's folder; its segments go to the same outbox as the
 * exam's and are uploaded at once. Index numbers continue over several scans.
 * Does nothing when a scan is already being recorded.
 */
gboolean
ek_exam_recording_start_room_scan (EkExamRecording  *self,
                                   const char       *camera_id,
                                   const char       *microphone_id,
                                   GError          **error)
{
  g_autofree char *room_dir = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), FALSE);

  if (self->room_recorder != NULL)
    return TRUE;

  room_dir = g_build_filename (self->directory, EK_EXAM_RECORDING_ROOM_SCAN_DIR, NULL);
  if (!ensure_private_dir (room_dir, &local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->room_recorder = ek_recorder_new (room_dir, self->source);
  ek_recorder_set_seal_key (self->room_recorder, self->seal_key);
  ek_recorder_set_camera_stream (self->room_recorder, EK_SEGMENT_STREAM_ROOM_SCAN);
  ek_recorder_set_camera_id (self->room_recorder, camera_id);
  ek_recorder_set_microphone_id (self->room_recorder, microphone_id);
  /* Short segments: a scan lasts about half a minute, and each closed one is
   * on its way to the server while the candidate goes on. */
  ek_recorder_set_segment_seconds (self->room_recorder, 5);
  g_signal_connect (self->room_recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), self);
  g_signal_connect (self->room_recorder, "failed", G_CALLBACK (on_room_recorder_failed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_SCAN_RECORDER]);

  /* Room for ten minutes of it, which no scan needs. */
  if (!ek_recorder_start (self->room_recorder, 600, &local_error))
    {
      emit_failure_event (self, local_error);
      g_signal_handlers_disconnect_by_data (self->room_recorder, self);
      g_clear_object (&self->room_recorder);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_SCAN_RECORDER]);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static void
on_room_recorder_stopped_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkExamRecording *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  self->room_stopping--;
  /* Every segment it closed has been announced (and is in the outbox) by now. */
  if (!ek_recorder_stop_finish (EK_RECORDER (object), result, &error))
    g_debug ("Room scan: stopped with %s", error->message);
  g_signal_handlers_disconnect_by_data (object, self);

  g_task_return_boolean (task, TRUE);
  maybe_finish (self);
}

/**
 * ek_exam_recording_stop_room_scan_async:
 *
 * Stops the room scan's recording; completes once every segment it wrote has been
 * handed to the outbox (the upload goes on in the background).
 */
void
ek_exam_recording_stop_room_scan_async (EkExamRecording     *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(EkRecorder) recorder = NULL;

  g_return_if_fail (EK_IS_EXAM_RECORDING (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_exam_recording_stop_room_scan_async);

  recorder = g_steal_pointer (&self->room_recorder);
  if (recorder == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_SCAN_RECORDER]);

  self->room_stopping++;
  ek_recorder_stop_async (recorder, NULL, on_room_recorder_stopped_cb, g_steal_pointer (&task));
}

gboolean
ek_exam_recording_stop_room_scan_finish (EkExamRecording  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

EkRecorder *
ek_exam_recording_get_room_scan_recorder (EkExamRecording *self)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), NULL);
  return self->room_recorder;
}

const char *
ek_exam_recording_get_directory (EkExamRecording *self)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), NULL);
  return self->directory;
}

EkRecorder *
ek_exam_recording_get_recorder (EkExamRecording *self)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), NULL);
  return self->recorder;
}

EkOutbox *
ek_exam_recording_get_outbox (EkExamRecording *self)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), NULL);
  return self->outbox;
}

const char *
ek_exam_recording_get_problem (EkExamRecording *self)
{
  g_return_val_if_fail (EK_IS_EXAM_RECORDING (self), NULL);
  return self->problem;
}
