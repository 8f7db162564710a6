/* ek-recorder.c: the exam recording (camera, microphone, optionally the screen)
 *
 * The pipeline:
 *
 *   camera bin ─┐
 *               input-selector ─ tee ─┬─ queue ─ x264enc ─ h264parse ─ queue ─┐
 *   (fallback) ─┘                     ├─ videorate 15 ─ queue(leaky) ─ scale ─ appsink (preview)
 *                                     └─ videorate 2 ─ queue(leaky) ─ scale ─ appsink (face)
 *   microphone ─ convert ─ level ─ tee ─ opusenc ─ queue ────────────────────┴─ splitmuxsink (camera-NNNNN.mkv)
 *                                  └─ queue(leaky) ─ 16 kHz ─ webrtcdsp (VAD) ─ EkVoiceDetector (probe) ─ fakesink
 *   screen ─ x264enc ─ h264parse ─ splitmuxsink (screen-NNNNN.mkv)
 *
 * The camera sits behind an input-selector so that it can vanish and come back
 * while the encoder, the muxer and the audio carry on: when it goes, a black
 * test source takes its place, so the video track stays continuous and Matroska's
 * muxer never waits for a stream that has stopped.
 *
 * The type is split by concern around ek-recorder-private.h: this file holds
 * the life cycle, the stop, the frames handed to viewers and the public API;
 * ek-recorder-pipeline.c builds the pipeline and reads its bus;
 * ek-recorder-devices.c keeps the camera and microphone going;
 * ek-recorder-segments.c names, hashes and announces the files and watches the
 * free space.
 */

#include "config.h"

#include <math.h>
#include <stdarg.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "ek-recorder-private.h"

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkRecorder, ek_recorder, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-recorder-error-quark, ek_recorder_error)
G_DEFINE_ENUM_TYPE (EkRecorderState, ek_recorder_state,
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_RECORDING, "recording"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STOPPING, "stopping"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_FAILED, "failed"))

/* Helpers */

void
_ek_recorder_set_state (EkRecorder      *self,
                        EkRecorderState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_ek_recorder_set_camera_available (EkRecorder *self,
                                   gboolean    available)
{
  if (self->camera_available == available)
    return;

  self->camera_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_AVAILABLE]);
}

void
_ek_recorder_set_microphone_available (EkRecorder *self,
                                       gboolean    available)
{
  if (self->microphone_available == available)
    return;

  self->microphone_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_AVAILABLE]);
}

void
_ek_recorder_set_level_db (EkRecorder *self,
                           double      level_db)
{
  /* the property's range holds no NaN: what was not measured is not handed on */
  if (!isfinite (level_db) || level_db == self->level_db)
    return;

  self->level_db = level_db;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL_DB]);
}

void
_ek_recorder_set_voice_active (EkRecorder   *self,
                               gboolean      active,
                               GstClockTime  media_time)
{
  active = !!active;
  if (active == self->voice_active)
    return;

  self->voice_active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOICE_ACTIVE]);
  g_signal_emit (self, signals[VOICE_ACTIVITY], 0, active,
                 GST_CLOCK_TIME_IS_VALID (media_time) ? (gint64) media_time : (gint64) -1);
}

/* Takes @error: why the recording ends, told to whoever asks. */
void
_ek_recorder_set_error (EkRecorder *self,
                        GError     *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

void
_ek_recorder_emit (EkRecorder *self,
                   guint       signal,
                   ...)
{
  va_list args;

  va_start (args, signal);
  g_signal_emit_valist (self, signals[signal], 0, args);
  va_end (args);
}

gboolean
_ek_recorder_is_running (EkRecorder *self)
{
  return self->state == EK_RECORDER_STATE_STARTING ||
         self->state == EK_RECORDER_STATE_RECORDING;
}

/* Fatal: the recording is over. The files already closed are intact. */
void
_ek_recorder_fail (EkRecorder *self,
                   GError     *error)
{
  g_autoptr(GError) owned = error;

  if (self->state == EK_RECORDER_STATE_FAILED || self->state == EK_RECORDER_STATE_STOPPED)
    return;

  _ek_recorder_set_error (self, g_error_copy (owned));

  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);

  _ek_recorder_set_state (self, EK_RECORDER_STATE_FAILED);
  _ek_recorder_emit (self, FAILED, owned);

  if (self->stop_requested && self->stop_error == NULL)
    self->stop_error = g_error_copy (owned);
  _ek_recorder_maybe_finish_stop (self);
}

/* Frames */

static void
frame_slot_init (FrameSlot *slot)
{
  g_mutex_init (&slot->lock);
}

static void
frame_slot_clear (FrameSlot *slot)
{
  g_clear_pointer (&slot->latest, ek_video_frame_unref);
  g_mutex_clear (&slot->lock);
}

static EkVideoFrame *
frame_slot_dup (FrameSlot *slot,
                gboolean   take_pending)
{
  EkVideoFrame *frame = NULL;

  g_mutex_lock (&slot->lock);
  if (slot->latest != NULL && (!take_pending || slot->pending))
    frame = ek_video_frame_ref (slot->latest);
  if (take_pending)
    slot->pending = FALSE;
  g_mutex_unlock (&slot->lock);

  return frame;
}

/* Streaming thread: keep the newest frame and wake the main context. A viewer that
 * is slow only ever sees the newest frame; nothing queues up behind it. */
GstFlowReturn
_ek_recorder_on_new_sample_cb (GstAppSink *sink,
                               gpointer    user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  FrameSlot *slot;
  EkVideoFrame *frame;
  g_autofree char *name = NULL;

  if (sample == NULL)
    return GST_FLOW_OK;

  frame = ek_recorder_frame_from_sample (sample);
  if (frame == NULL)
    return GST_FLOW_OK;

  name = gst_object_get_name (GST_OBJECT (sink));
  slot = g_str_equal (name, "preview-sink") ? &self->preview : &self->face;

  g_mutex_lock (&slot->lock);
  g_clear_pointer (&slot->latest, ek_video_frame_unref);
  slot->latest = frame;
  slot->pending = TRUE;
  g_mutex_unlock (&slot->lock);

  g_source_set_ready_time (self->frame_source, 0);

  return GST_FLOW_OK;
}

static gboolean
frame_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  g_source_set_ready_time (source, -1);

  return callback (user_data);
}

static GSourceFuncs frame_source_funcs = {
  .dispatch = frame_source_dispatch,
};

static gboolean
on_frames_ready_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(EkVideoFrame) preview = frame_slot_dup (&self->preview, TRUE);
  g_autoptr(EkVideoFrame) face = frame_slot_dup (&self->face, TRUE);

  if (preview != NULL)
    _ek_recorder_emit (self, PREVIEW_FRAME, preview);
  if (face != NULL)
    _ek_recorder_emit (self, FACE_FRAME, face);

  return G_SOURCE_CONTINUE;
}

/* Stopping */

void
_ek_recorder_finish_after_eos (EkRecorder *self)
{
  self->eos_waiting = FALSE;
  g_clear_handle_id (&self->eos_wait_source, g_source_remove);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->eos_seen = TRUE;
  _ek_recorder_maybe_finish_stop (self);
}

static gboolean
on_eos_wait_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->eos_wait_source = 0;
  _ek_recorder_finish_after_eos (self);
  return G_SOURCE_REMOVE;
}

void
_ek_recorder_on_eos (EkRecorder *self)
{
  g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
  /* Each splitmuxsink posts its last fragment's close message before its
   * EOS (see _ek_recorder_setup_splitmux()), so nothing should be open here.
   * If a close message is missing all the same, wait a moment for it rather
   * than cut a muxer short; the sweep at the stop announces whatever remains
   * (_ek_recorder_announce_unannounced()). */
  if (_ek_recorder_fragments_still_open (self))
    {
      self->eos_waiting = TRUE;
      self->eos_wait_source = g_timeout_add (EOS_CLOSE_WAIT_MS, on_eos_wait_timeout_cb, self);
      return;
    }
  _ek_recorder_finish_after_eos (self);
}

/* Ends the recording: the sources send EOS, the muxers close their files. */
void
_ek_recorder_send_eos (EkRecorder *self)
{
  self->eos_deferred = FALSE;
  g_clear_handle_id (&self->eos_defer_source, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_send_event (self->pipeline, gst_event_new_eos ());
}

static gboolean
on_eos_defer_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->eos_defer_source = 0;
  _ek_recorder_send_eos (self);
  return G_SOURCE_REMOVE;
}

void
_ek_recorder_maybe_finish_stop (EkRecorder *self)
{
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pipeline_done;

  if (!self->stop_requested || self->pending_hashes > 0)
    return;

  pipeline_done = self->eos_seen || self->state == EK_RECORDER_STATE_FAILED;
  if (!pipeline_done)
    return;

  _ek_recorder_teardown_pipeline (self);

  if (_ek_recorder_announce_leftovers (self) + _ek_recorder_announce_unannounced (self) > 0)
    return;

  if (self->state != EK_RECORDER_STATE_FAILED)
    _ek_recorder_set_state (self, self->error != NULL ? EK_RECORDER_STATE_FAILED : EK_RECORDER_STATE_STOPPED);

  self->stop_requested = FALSE;
  waiters = g_steal_pointer (&self->stop_waiters);
  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  error = g_steal_pointer (&self->stop_error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
on_stop_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->stop_timeout_source = 0;
  g_warning ("The recording pipeline did not finish in %d s; the last segment may be cut",
             STOP_TIMEOUT_SECONDS);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->eos_seen = TRUE;
  _ek_recorder_maybe_finish_stop (self);

  return G_SOURCE_REMOVE;
}

/* GObject */

static void
ek_recorder_dispose (GObject *object)
{
  EkRecorder *self = (EkRecorder *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->eos_wait_source, g_source_remove);
  /* Streaming threads stop here, so nothing touches the frame source after. */
  _ek_recorder_teardown_pipeline (self);

  if (self->frame_source != NULL)
    {
      g_source_destroy (self->frame_source);
      g_clear_pointer (&self->frame_source, g_source_unref);
    }

  G_OBJECT_CLASS (ek_recorder_parent_class)->dispose (object);
}

static void
ek_recorder_finalize (GObject *object)
{
  EkRecorder *self = (EkRecorder *)object;

  if (self->free_space_destroy != NULL)
    self->free_space_destroy (self->free_space_data);

  frame_slot_clear (&self->preview);
  frame_slot_clear (&self->face);
  g_clear_pointer (&self->fragment_starts, g_hash_table_unref);
  g_clear_pointer (&self->created, g_hash_table_unref);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_pointer (&self->seal_key, g_bytes_unref);
  g_queue_clear_full (&self->hash_queue, _ek_recorder_hash_job_free);
  g_mutex_clear (&self->created_lock);
  g_mutex_clear (&self->video_pts_lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stop_waiters, g_ptr_array_unref);
  g_clear_error (&self->stop_error);
  g_clear_error (&self->error);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->camera_id, g_free);
  g_clear_pointer (&self->microphone_id, g_free);
  g_clear_object (&self->camera_device);

  G_OBJECT_CLASS (ek_recorder_parent_class)->finalize (object);
}

static void
ek_recorder_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkRecorder *self = EK_RECORDER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    case PROP_SOURCE:
      g_value_set_int (value, self->source);
      break;

    case PROP_VIDEO_BITRATE_KBPS:
      g_value_set_uint (value, self->video_bitrate_kbps);
      break;

    case PROP_SEGMENT_SECONDS:
      g_value_set_uint (value, self->segment_seconds);
      break;

    case PROP_RECORD_SCREEN:
      g_value_set_boolean (value, self->record_screen);
      break;

    case PROP_CAMERA_ID:
      g_value_set_string (value, self->camera_id);
      break;

    case PROP_MICROPHONE_ID:
      g_value_set_string (value, self->microphone_id);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_LEVEL_DB:
      g_value_set_double (value, self->level_db);
      break;

    case PROP_VOICE_ACTIVE:
      g_value_set_boolean (value, self->voice_active);
      break;

    case PROP_CAMERA_AVAILABLE:
      g_value_set_boolean (value, self->camera_available);
      break;

    case PROP_MICROPHONE_AVAILABLE:
      g_value_set_boolean (value, self->microphone_available);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_recorder_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkRecorder *self = EK_RECORDER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;

    case PROP_SOURCE:
      self->source = g_value_get_int (value);
      break;

    case PROP_VIDEO_BITRATE_KBPS:
      ek_recorder_set_video_bitrate_kbps (self, g_value_get_uint (value));
      break;

    case PROP_SEGMENT_SECONDS:
      ek_recorder_set_segment_seconds (self, g_value_get_uint (value));
      break;

    case PROP_RECORD_SCREEN:
      ek_recorder_set_record_screen (self, g_value_get_boolean (value));
      break;

    case PROP_CAMERA_ID:
      ek_recorder_set_camera_id (self, g_value_get_string (value));
      break;

    case PROP_MICROPHONE_ID:
      ek_recorder_set_microphone_id (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_recorder_class_init (EkRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_recorder_dispose;
  object_class->finalize = ek_recorder_finalize;
  object_class->get_property = ek_recorder_get_property;
  object_class->set_property = ek_recorder_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* An EkMediaSource; an int because the config does not register an enum type. */
  properties[PROP_SOURCE] =
    g_param_spec_int ("source", NULL, NULL,
                      EK_MEDIA_SOURCE_AUTO, EK_MEDIA_SOURCE_TEST, EK_MEDIA_SOURCE_AUTO,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VIDEO_BITRATE_KBPS] =
    g_param_spec_uint ("video-bitrate-kbps", NULL, NULL,
                       100, 20000, DEFAULT_VIDEO_KBPS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SEGMENT_SECONDS] =
    g_param_spec_uint ("segment-seconds", NULL, NULL,
                       1, 600, DEFAULT_SEGMENT_S,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RECORD_SCREEN] =
    g_param_spec_boolean ("record-screen", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAMERA_ID] =
    g_param_spec_string ("camera-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MICROPHONE_ID] =
    g_param_spec_string ("microphone-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       EK_TYPE_RECORDER_STATE, EK_RECORDER_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Loudness of the microphone, RMS over the last 100 ms in dBFS (-100 to 0). */
  properties[PROP_LEVEL_DB] =
    g_param_spec_double ("level-db", NULL, NULL,
                         LEVEL_FLOOR_DB, 0.0, LEVEL_FLOOR_DB,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The audio analysis' voice detector (WebRTC's VAD and EkVoiceDetector)
   * hears voice in the microphone now (::voice-activity tells when it
   * changed, in media time). */
  properties[PROP_VOICE_ACTIVE] =
    g_param_spec_boolean ("voice-active", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAMERA_AVAILABLE] =
    g_param_spec_boolean ("camera-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* FALSE while the microphone is away (silence is recorded in its place). */
  properties[PROP_MICROPHONE_AVAILABLE] =
    g_param_spec_boolean ("microphone-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkRecorder::segment-ready:
   * @segment: the closed and hashed segment
   *
   * A segment file is closed for good and hashed; it may be uploaded.
   */
  signals[SEGMENT_READY] =
    g_signal_new ("segment-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_SEGMENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[PREVIEW_FRAME] =
    g_signal_new ("preview-frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[FACE_FRAME] =
    g_signal_new ("face-frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkRecorder::camera-lost:
   *
   * The camera vanished, failed, or delivered no picture for a few seconds
   * (ek_recorder_get_camera_stalled() tells which); a black picture is
   * recorded in its place and the audio goes on. The camera is picked up again
   * when it comes back (::camera-restored).
   */
  signals[CAMERA_LOST] =
    g_signal_new ("camera-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[CAMERA_RESTORED] =
    g_signal_new ("camera-restored",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkRecorder::microphone-lost:
   *
   * The microphone failed or vanished (a headset unplugged); silence is
   * recorded in its place and the picture goes on. It is picked up again when
   * the device monitor sees it come back (::microphone-restored).
   */
  signals[MICROPHONE_LOST] =
    g_signal_new ("microphone-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[MICROPHONE_RESTORED] =
    g_signal_new ("microphone-restored",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkRecorder::failed:
   * @error: what happened, translated, in %EK_RECORDER_ERROR
   *
   * The recording stopped, or is stopping, on its own (disk full, device or
   * pipeline failure). Closed segments are intact and still announced.
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkRecorder::voice-activity:
   * @active: whether the microphone has voice from @media_time_ns on
   * @media_time_ns: the stream time of the change, as the frames' times and
   *   the level, or -1
   *
   * The voice detector changed its verdict: WebRTC's voice activity detector
   * and EkVoiceDetector beside it (which rejects steady tones, buzzing and
   * knocks, and hears whispers), on a branch of their own, in the streaming
   * thread: the recorded audio is never altered.
   */
  signals[VOICE_ACTIVITY] =
    g_signal_new ("voice-activity",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_INT64);
}

static void
ek_recorder_init (EkRecorder *self)
{
  self->video_bitrate_kbps = DEFAULT_VIDEO_KBPS;
  self->camera_stream = EK_SEGMENT_STREAM_CAMERA;
  self->segment_seconds = DEFAULT_SEGMENT_S;
  self->level_db = LEVEL_FLOOR_DB;
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->fragment_starts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->created_lock);
  g_mutex_init (&self->video_pts_lock);
  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  frame_slot_init (&self->preview);
  frame_slot_init (&self->face);

  self->frame_source = g_source_new (&frame_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->frame_source, "[ek-recorder frames]");
  g_source_set_callback (self->frame_source, on_frames_ready_cb, self, NULL);
  g_source_attach (self->frame_source, self->context);
}

/* Public API */

/**
 * ek_recorder_new:
 * @directory: the session's folder; made private (0700) at start
 * @source: real devices or test sources
 *
 * Returns: (transfer full): a recorder, idle
 */
EkRecorder *
ek_recorder_new (const char    *directory,
                 EkMediaSource  source)
{
  g_return_val_if_fail (directory != NULL && g_path_is_absolute (directory), NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  return g_object_new (EK_TYPE_RECORDER,
                       "directory", directory,
                       "source", source,
                       NULL);
}

/**
 * ek_recorder_new_preview:
 * @source: real devices or test sources
 *
 * A recorder that only shows: the preview frames (::preview-frame, about 15 a
 * second), the face-monitor frames and the microphone level, from the camera
 * and microphone set with ek_recorder_set_camera_id() and
 * ek_recorder_set_microphone_id(). Nothing is encoded or written; no free space
 * is needed; stopping is immediate. For the device-confirm page.
 *
 * Returns: (transfer full): a recorder, idle
 */
EkRecorder *
ek_recorder_new_preview (EkMediaSource source)
{
  g_autofree char *unused = g_build_filename (g_get_tmp_dir (), "ek-preview-unused", NULL);
  EkRecorder *self = ek_recorder_new (unused, source);

  self->preview_only = TRUE;
  return self;
}

void
ek_recorder_set_video_bitrate_kbps (EkRecorder *self,
                                    guint       kbps)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  kbps = CLAMP (kbps, 100, 20000);
  if (self->video_bitrate_kbps == kbps)
    return;

  self->video_bitrate_kbps = kbps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIDEO_BITRATE_KBPS]);
}

void
ek_recorder_set_camera_stream (EkRecorder *self,
                               const char *stream)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);
  g_return_if_fail (g_strcmp0 (stream, EK_SEGMENT_STREAM_CAMERA) == 0 ||
                    g_strcmp0 (stream, EK_SEGMENT_STREAM_ROOM_SCAN) == 0);

  self->camera_stream = g_str_equal (stream, EK_SEGMENT_STREAM_CAMERA)
                        ? EK_SEGMENT_STREAM_CAMERA : EK_SEGMENT_STREAM_ROOM_SCAN;
}

/**
 * ek_recorder_set_seal_key:
 * @public_key: (nullable): the exam's X25519 public key, 32 bytes
 *
 * With a key, every closed segment is sealed for it (ek_seal_file(), in the
 * worker that otherwise hashes it, in order) and announced as the sealed file;
 * the plain file is removed once the sealed one is on the disk.
 */
void
ek_recorder_set_seal_key (EkRecorder *self,
                          GBytes     *public_key)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);
  g_return_if_fail (public_key == NULL || g_bytes_get_size (public_key) == 32);

  g_clear_pointer (&self->seal_key, g_bytes_unref);
  if (public_key != NULL)
    self->seal_key = g_bytes_ref (public_key);
}

void
ek_recorder_set_segment_seconds (EkRecorder *self,
                                 guint       seconds)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  seconds = CLAMP (seconds, 1, 600);
  if (self->segment_seconds == seconds)
    return;

  self->segment_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENT_SECONDS]);
}

void
ek_recorder_set_record_screen (EkRecorder *self,
                               gboolean    record_screen)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  record_screen = !!record_screen;
  if (self->record_screen == record_screen)
    return;

  self->record_screen = record_screen;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD_SCREEN]);
}

/**
 * ek_recorder_set_camera_id:
 * @id: (nullable): an id from ek_media_device_get_id(), or %NULL for the first camera
 */
void
ek_recorder_set_camera_id (EkRecorder *self,
                           const char *id)
{
  g_return_if_fail (EK_IS_RECORDER (self));

  if (g_strcmp0 (self->camera_id, id) == 0)
    return;

  g_free (self->camera_id);
  self->camera_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ID]);
}

/**
 * ek_recorder_set_microphone_id:
 * @id: (nullable): an id from ek_media_device_get_id(), or %NULL for the first microphone
 */
void
ek_recorder_set_microphone_id (EkRecorder *self,
                               const char *id)
{
  g_return_if_fail (EK_IS_RECORDER (self));

  if (g_strcmp0 (self->microphone_id, id) == 0)
    return;

  g_free (self->microphone_id);
  self->microphone_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_ID]);
}

/**
 * ek_recorder_set_free_space_func:
 * @func: (nullable): how to learn the free space, %NULL for the file system's
 *
 * @func is called from worker threads during the recording.
 */
void
ek_recorder_set_free_space_func (EkRecorder      *self,
                                 EkFreeSpaceFunc  func,
                                 gpointer         user_data,
                                 GDestroyNotify   destroy)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  if (self->free_space_destroy != NULL)
    self->free_space_destroy (self->free_space_data);

  self->free_space_func = func;
  self->free_space_data = user_data;
  self->free_space_destroy = destroy;
}

/**
 * ek_recorder_start:
 * @duration_s: how long the exam will record, for the free space check
 *
 * Checks the free space, makes the folder private and starts recording.
 * Failures later on are reported by EkRecorder::failed.
 *
 * Returns: %TRUE if the recording is starting
 */
gboolean
ek_recorder_start (EkRecorder  *self,
                   guint        duration_s,
                   GError     **error)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (self->state == EK_RECORDER_STATE_IDLE ||
                        self->state == EK_RECORDER_STATE_STOPPED ||
                        self->state == EK_RECORDER_STATE_FAILED, FALSE);

  if (!self->preview_only && !_ek_recorder_ensure_private_folder (self->directory, error))
    return FALSE;

  if (!self->preview_only && !ek_recorder_check_space (self, duration_s, error))
    return FALSE;

  g_clear_error (&self->error);
  _ek_recorder_set_voice_active (self, FALSE, GST_CLOCK_TIME_NONE);
  self->eos_seen = FALSE;
  self->fragment_opened = FALSE;
  g_atomic_int_set (&self->stopping, FALSE);
  self->reserve_bytes = (guint64) DISK_RESERVE_SEGMENTS * self->segment_seconds *
                        _ek_recorder_bytes_per_second (self) + DISK_RESERVE_BYTES;

  if (!_ek_recorder_build_pipeline (self, error))
    {
      _ek_recorder_teardown_pipeline (self);
      return FALSE;
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      _ek_recorder_teardown_pipeline (self);
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                   _("The recording cannot start. Check that the camera and microphone are "
                     "connected and not used by another program."));
      return FALSE;
    }

  if (self->source == EK_MEDIA_SOURCE_AUTO)
    _ek_recorder_start_device_monitor (self);

  if (!self->preview_only)
    self->disk_poll_source = g_timeout_add_seconds (DISK_POLL_SECONDS, _ek_recorder_on_disk_poll_timeout_cb, self);
  self->camera_stalled = FALSE;
  self->watchdog_source = g_timeout_add (CAMERA_WATCH_MS, _ek_recorder_on_camera_watchdog_cb, self);
  _ek_recorder_set_camera_available (self, TRUE);
  _ek_recorder_set_microphone_available (self, TRUE);
  _ek_recorder_set_state (self, EK_RECORDER_STATE_STARTING);

  return TRUE;
}

/**
 * ek_recorder_stop_async:
 *
 * Closes the open segments and completes once every segment has been
 * announced with EkRecorder::segment-ready.
 */
void
ek_recorder_stop_async (EkRecorder          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_recorder_stop_async);

  /* A second stop (the caller's, after the recorder stopped itself for lack
   * of space, say) waits for the same end. */
  if (self->stop_requested)
    {
      g_ptr_array_add (self->stop_waiters, g_steal_pointer (&task));
      return;
    }

  if (self->pipeline == NULL)
    {
      if (self->error != NULL)
        g_task_return_error (task, g_error_copy (self->error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  /* A preview has nothing to close: it just ends. */
  if (self->preview_only)
    {
      _ek_recorder_teardown_pipeline (self);
      _ek_recorder_set_state (self, EK_RECORDER_STATE_STOPPED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->stop_requested = TRUE;
  g_ptr_array_add (self->stop_waiters, g_steal_pointer (&task));
  if (self->error != NULL && self->stop_error == NULL)
    self->stop_error = g_error_copy (self->error);

  if (self->state == EK_RECORDER_STATE_FAILED)
    {
      _ek_recorder_maybe_finish_stop (self);
      return;
    }

  _ek_recorder_set_state (self, EK_RECORDER_STATE_STOPPING);
  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_atomic_int_set (&self->stopping, TRUE);
  self->stop_timeout_source = g_timeout_add_seconds (STOP_TIMEOUT_SECONDS, on_stop_timeout_cb, self);
  if (self->fragment_opened)
    {
      _ek_recorder_send_eos (self);
    }
  else
    {
      self->eos_deferred = TRUE;
      self->eos_defer_source = g_timeout_add (EOS_DEFER_MS, on_eos_defer_timeout_cb, self);
    }
}

gboolean
ek_recorder_stop_finish (EkRecorder    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
ek_recorder_get_directory (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return self->directory;
}

EkRecorderState
ek_recorder_get_state (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), EK_RECORDER_STATE_IDLE);

  return self->state;
}

double
ek_recorder_get_level_db (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), LEVEL_FLOOR_DB);

  return self->level_db;
}

gboolean
ek_recorder_get_voice_active (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return self->voice_active;
}

gboolean
ek_recorder_get_camera_available (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return self->camera_available;
}

gboolean
ek_recorder_get_microphone_available (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return self->microphone_available;
}

/**
 * ek_recorder_get_camera_stalled:
 *
 * Returns: %TRUE if the camera is away because it stopped delivering pictures
 *   without an error (the watchdog noticed), %FALSE if it failed or vanished, or
 *   is there
 */
gboolean
ek_recorder_get_camera_stalled (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return !self->camera_available && self->camera_stalled;
}

/**
 * ek_recorder_get_error:
 *
 * Returns: (nullable): why the recording stopped on its own
 */
const GError *
ek_recorder_get_error (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return self->error;
}

/**
 * ek_recorder_dup_preview_frame:
 *
 * Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the newest preview frame
 */
EkVideoFrame *
ek_recorder_dup_preview_frame (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return frame_slot_dup (&self->preview, FALSE);
}

/**
 * ek_recorder_dup_face_frame:
 *
 * Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the newest face-monitor frame
 */
EkVideoFrame *
ek_recorder_dup_face_frame (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return frame_slot_dup (&self->face, FALSE);
}

/**
 * ek_recorder_dup_screen_frame:
 *
 * The newest picture of the screen branch (about one a second), for the
 * proctor's snapshots. On the recorder's main context.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL when the screen is not
 *   recorded or nothing came yet
 */
EkVideoFrame *
ek_recorder_dup_screen_frame (EkRecorder *self)
{
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;

  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  if (self->pipeline == NULL || !self->record_screen)
    return NULL;

  sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "screen-sink");
  if (sink == NULL)
    return NULL;
  sample = gst_base_sink_get_last_sample (GST_BASE_SINK (sink));
  if (sample == NULL)
    return NULL;

  return ek_recorder_frame_from_sample (sample);
}
