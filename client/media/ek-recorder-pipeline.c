/* ek-recorder-pipeline.c: building EkRecorder's pipeline, and its bus
 *
 * The sources (camera, test picture, microphone, screen), the one description
 * that links them to the encoders, viewers and muxers, the probes that keep time
 * going forward at the selectors, and the bus messages turned into the
 * recorder's state.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "ek-media-device.h"
#include "ek-recorder-private.h"

/* @stall_valve: the test camera, with a valve that can hold back its pictures
 * (ek_recorder_simulate_camera_stall()); sticky events such as EOS still pass,
 * as a stalled v4l2src still ends when told to. */
GstElement *
_ek_recorder_make_test_video_bin (const char   *pattern,
                                  GstClockTime  timestamp_offset,
                                  gboolean      stall_valve,
                                  gboolean      stalled,
                                  GError      **error)
{
  g_autofree char *desc = NULL;
  GstElement *bin;
  g_autoptr(GstElement) src = NULL;

  desc = g_strdup_printf ("videotestsrc name=src is-live=true pattern=%s ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
                          "pixel-aspect-ratio=1/1%s%s",
                          pattern, VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS,
                          stall_valve ? " ! valve name=stall drop-mode=forward-sticky-events drop=" : "",
                          stall_valve ? (stalled ? "true" : "false") : "");
  bin = gst_parse_bin_from_description (desc, TRUE, error);
  if (bin == NULL)
    return NULL;

  /* A live test source counts from zero; one that joins a running pipeline
   * must start at the pipeline's running time, or it would race to catch up.
   * It also takes the clock's time for each picture, as a real camera does:
   * a source that cannot keep up on a busy computer (it starts while others
   * run) would otherwise stamp its pictures behind the ones already recorded. */
  src = gst_bin_get_by_name (GST_BIN (bin), "src");
  g_object_set (src, "timestamp-offset", (gint64) timestamp_offset,
                "do-timestamp", timestamp_offset > 0, NULL);

  return bin;
}

/* EK_TEST_CAMERA_FILE: a picture shown as a live camera, in the camera's format. */
static GstElement *
make_test_picture_bin (const char  *file,
                       GError     **error)
{
  g_autofree char *quoted = g_strescape (file, NULL);
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) out = NULL;
  g_autoptr(GstPad) pad = NULL;
  GstElement *bin;

  desc = g_strdup_printf ("filesrc name=src location=\"%s\" ! decodebin ! videoconvert ! "
                          "videoscale add-borders=true ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
                          "imagefreeze is-live=true ! capsfilter caps=video/x-raw,framerate=%d/1 ! "
                          "identity name=out",
                          quoted, VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS);
  /* Only the last pad is ghosted: decodebin's comes later, and a ghosted
   * converter sink pad would break that link. */
  bin = gst_parse_bin_from_description (desc, FALSE, error);
  if (bin == NULL)
    return NULL;

  out = gst_bin_get_by_name (GST_BIN (bin), "out");
  pad = gst_element_get_static_pad (out, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  return bin;
}

/* Running time of the pipeline now, 0 before it runs. */
GstClockTime
_ek_recorder_current_running_time (EkRecorder *self)
{
  g_autoptr(GstClock) clock = NULL;
  GstClockTime now;
  GstClockTime base;

  if (self->pipeline == NULL || (clock = gst_element_get_clock (self->pipeline)) == NULL)
    return 0;

  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (self->pipeline);

  return now > base ? now - base : 0;
}

GstElement *
_ek_recorder_make_camera_bin_for_device (GstDevice  *device,
                                         GError    **error)
{
  g_autofree char *desc = NULL;
  GstElement *bin;
  GstElement *src;
  GstElement *convert;
  g_autoptr(GstPad) pad = NULL;

  desc = _ek_recorder_camera_convert_description ();
  convert = gst_parse_bin_from_description (desc, TRUE, error);
  if (convert == NULL)
    return NULL;

  src = gst_device_create_element (device, NULL);
  if (src == NULL)
    {
      gst_object_unref (gst_object_ref_sink (convert));
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("The camera cannot be opened. Check that no other program uses it."));
      return NULL;
    }

  bin = gst_bin_new (NULL);
  gst_bin_add_many (GST_BIN (bin), src, convert, NULL);
  if (!gst_element_link (src, convert))
    {
      gst_object_unref (gst_object_ref_sink (bin));
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("The camera cannot be opened. Check that no other program uses it."));
      return NULL;
    }

  pad = gst_element_get_static_pad (convert, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  return bin;
}

GstElement *
_ek_recorder_make_camera_bin (EkRecorder  *self,
                              GError     **error)
{
  g_autoptr(GstDevice) device = NULL;

  if (self->source == EK_MEDIA_SOURCE_TEST)
    {
      const char *file = g_getenv ("EK_TEST_CAMERA_FILE");

      /* A still picture as the camera (the tests' face), as EkCameraFeed does. */
      if (file != NULL && (g_str_has_suffix (file, ".png") || g_str_has_suffix (file, ".jpg")))
        return make_test_picture_bin (file, error);
      return _ek_recorder_make_test_video_bin ("ball", _ek_recorder_current_running_time (self), TRUE,
                                               self->test_stalled, error);
    }

  device = ek_media_device_find (EK_MEDIA_DEVICE_CAMERA, self->camera_id);
  if (device == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("No camera was found. Connect the camera and try again."));
      return NULL;
    }
  g_set_object (&self->camera_device, device);

  return _ek_recorder_make_camera_bin_for_device (device, error);
}

GstElement *
_ek_recorder_make_audio_source (EkRecorder  *self,
                                GError     **error)
{
  g_autoptr(GstDevice) device = NULL;
  GstElement *src;

  if (self->source == EK_MEDIA_SOURCE_TEST)
    {
      src = gst_element_factory_make ("audiotestsrc", "audio-source");
      if (src == NULL)
        {
          g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                       _("A part of GStreamer needed for recording is not installed (%s). "
                         "Ask the technician to install it."), "audiotestsrc");
          return NULL;
        }

      g_object_set (src, "is-live", TRUE, "wave", 0 /* sine */, "freq", 440.0,
                    "volume", 0.1, NULL);
      return src;
    }

  device = ek_media_device_find (EK_MEDIA_DEVICE_MICROPHONE, self->microphone_id);
  if (device == NULL || (src = gst_device_create_element (device, "audio-source")) == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_MICROPHONE,
                   _("No microphone was found. Connect the microphone and try again."));
      return NULL;
    }

  return src;
}

/* On the selector's output: when the input changes (camera lost, camera back),
 * a picture of the new input may have been taken a moment before the last one
 * of the old input went out (its thread was held up); such a picture is dropped,
 * so the encoder and the muxer only ever see time go forward. */
static GstPadProbeReturn
on_selector_buffer_probe_cb (GstPad          *pad,
                             GstPadProbeInfo *info,
                             gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gboolean late = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&self->video_pts_lock);
  if (GST_CLOCK_TIME_IS_VALID (self->last_video_pts) && pts <= self->last_video_pts)
    late = TRUE;
  else
    self->last_video_pts = pts;
  g_mutex_unlock (&self->video_pts_lock);

  return late ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* The audio selector's output, like the video's: time only goes forward, so
 * a buffer of the new input that starts before the last one of the old input
 * ended is dropped. */
static GstPadProbeReturn
on_audio_selector_buffer_probe_cb (GstPad          *pad,
                                   GstPadProbeInfo *info,
                                   gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime end;
  gboolean late = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  end = GST_BUFFER_DURATION_IS_VALID (buffer) ? pts + GST_BUFFER_DURATION (buffer) : pts;

  g_mutex_lock (&self->video_pts_lock);
  if (GST_CLOCK_TIME_IS_VALID (self->last_audio_pts) && pts + AUDIO_OVERLAP_NS < self->last_audio_pts)
    late = TRUE;
  else
    self->last_audio_pts = end;
  g_mutex_unlock (&self->video_pts_lock);

  return late ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static GError *
error_from_gst (const GError *gst_error)
{
  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
    return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL,
                        _("The disk is full, so the recording stopped. "
                          "Tell the proctor at once."));

  return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                      _("The recording stopped because of a problem with the camera, "
                        "microphone or disk. Tell the proctor at once."));
}

static void
on_element_message (EkRecorder *self,
                    GstMessage *message)
{
  const GstStructure *structure = gst_message_get_structure (message);

  GstClockTime time;
  gboolean voice;
  double level;

  if (ek_recorder_analysis_parse_level (message, &level, NULL))
    {
      _ek_recorder_set_level_db (self, level);
    }
  else if (ek_recorder_analysis_parse_voice (message, &voice, &time))
    {
      _ek_recorder_set_voice_active (self, voice, time);
    }
  else if (gst_structure_has_name (structure, "splitmuxsink-fragment-opened"))
    {
      _ek_recorder_on_fragment_opened (self, GST_MESSAGE_SRC (message), structure);
    }
  else if (gst_structure_has_name (structure, "splitmuxsink-fragment-closed"))
    {
      _ek_recorder_on_fragment_closed (self, GST_MESSAGE_SRC (message), structure);
    }
}

/* Whether @message comes from @input (the camera bin, the microphone) or
 * from inside it; FALSE while that input is away (%NULL). */
static gboolean
message_is_from (GstMessage *message,
                 GstElement *input)
{
  GstObject *src = GST_MESSAGE_SRC (message);

  return input != NULL &&
         (src == GST_OBJECT (input) || gst_object_has_as_ancestor (src, GST_OBJECT (input)));
}

static gboolean
on_bus_message_cb (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  EkRecorder *self = user_data;

  switch ((int) GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ELEMENT:
      on_element_message (self, message);
      break;

    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline))
        {
          GstState new_state;

          gst_message_parse_state_changed (message, NULL, &new_state, NULL);
          if (new_state == GST_STATE_PLAYING && self->state == EK_RECORDER_STATE_STARTING)
            _ek_recorder_set_state (self, EK_RECORDER_STATE_RECORDING);
        }
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        g_autofree char *name = gst_object_get_path_string (GST_MESSAGE_SRC (message));

        gst_message_parse_error (message, &error, &debug);
        g_debug ("Recording pipeline error from %s: %s (%s)", name, error->message,
                 debug != NULL ? debug : "");

        if (message_is_from (message, self->camera_bin) && _ek_recorder_is_running (self))
          _ek_recorder_on_camera_lost (self, FALSE);
        else if (message_is_from (message, self->audio_source) && _ek_recorder_is_running (self))
          _ek_recorder_on_microphone_lost (self);
        else if (self->state == EK_RECORDER_STATE_STOPPING && self->error != NULL &&
                 g_error_matches (self->error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL))
          {
            /* Already stopping for lack of space: the error says the same. */
            g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
            gst_element_set_state (self->pipeline, GST_STATE_NULL);
            self->eos_seen = TRUE;
            _ek_recorder_maybe_finish_stop (self);
          }
        else
          _ek_recorder_fail (self, error_from_gst (error));
      }
      break;

    case GST_MESSAGE_EOS:
      _ek_recorder_on_eos (self);
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* The longest GOP up to SCREEN_MAX_GOP_SECONDS that divides the segment: the
 * screen changes little, so keyframes are the bulk of its bytes. */
static guint
screen_gop_seconds (guint segment_seconds)
{
  for (guint gop = SCREEN_MAX_GOP_SECONDS; gop > 1; gop--)
    if (segment_seconds % gop == 0)
      return gop;

  return 1;
}

static GstElement *
make_screen_bin (EkRecorder  *self,
                 guint        start_index,
                 GError     **error)
{
  g_autofree char *desc = NULL;
  const char *source;
  GstElement *bin;
  g_autoptr(GstElement) muxer = NULL;

  /* ximagesrc is chosen by name: the X11 code stays inside GStreamer. */
  if (self->source == EK_MEDIA_SOURCE_TEST && g_getenv ("DISPLAY") == NULL)
    source = "videotestsrc is-live=true pattern=smpte ! capsfilter caps=video/x-raw,width=1280,height=720";
  else
    source = "ximagesrc use-damage=false show-pointer=true";

  /* The tee's second branch keeps the newest screen picture for the proctor's
   * snapshots (ek_recorder_dup_screen_frame()); at SCREEN_FPS it costs little.
   * Nobody pulls from that sink: it must not hold EOS back for its queue. */
  desc = g_strdup_printf ("%s ! capsfilter caps=video/x-raw,framerate=%d/1 ! videoconvert ! "
                          "video/x-raw,format=I420 ! tee name=stee "
                          "stee. ! queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
                          "videoconvert ! video/x-raw,format=RGBA ! "
                          "appsink name=screen-sink drop=true max-buffers=1 sync=false async=false "
                          "enable-last-sample=true emit-signals=false wait-on-eos=false "
                          "stee. ! queue ! "
                          "x264enc tune=zerolatency speed-preset=veryfast bitrate=%d key-int-max=%u ! "
                          "h264parse ! splitmuxsink name=smux muxer=matroskamux "
                          "max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT,
                          source, SCREEN_FPS, SCREEN_BITRATE_KBPS,
                          SCREEN_FPS * screen_gop_seconds (self->segment_seconds),
                          (guint64) self->segment_seconds * GST_SECOND);
  bin = gst_parse_bin_from_description (desc, FALSE, error);
  if (bin == NULL)
    return NULL;

  muxer = gst_bin_get_by_name (GST_BIN (bin), "smux");
  _ek_recorder_setup_splitmux (self, muxer, start_index);

  return bin;
}

static GError *
missing_plugin_error (const GError *parse_error)
{
  return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                      _("A part of GStreamer needed for recording is not installed (%s). "
                        "Ask the technician to install it."),
                      parse_error->message);
}

/* The pipeline without its sources and without the audio analysis: they are
 * added and linked afterwards (the sources to the selectors, since each may
 * vanish and come back; the analysis between the audio selector and "asink"). */
static char *
pipeline_description (EkRecorder *self)
{
  g_autofree char *preview = _ek_recorder_viewer_branch_description (PREVIEW_FPS, PREVIEW_WIDTH,
                                                                     PREVIEW_HEIGHT, TRUE);
  g_autofree char *face = _ek_recorder_face_branch_description (TRUE);
  g_autofree char *viewers = NULL;

  viewers = g_strdup_printf (
    "vt. ! %s ! "
    "  appsink name=preview-sink drop=true max-buffers=1 sync=false async=false "
    "          enable-last-sample=false "
    "vt. ! %s ! "
    "  appsink name=face-sink drop=true max-buffers=1 sync=false async=false "
    "          enable-last-sample=false "
    "input-selector name=aselector sync-streams=false cache-buffers=false ",
    preview, face);

  /* The preview alone (the device page): the same camera and microphone
   * branches up to the viewers and the level, nothing encoded or written. */
  if (self->preview_only)
    return g_strdup_printf (
      "input-selector name=selector sync-streams=false cache-buffers=false ! tee name=vt "
      "%s"
      "fakesink name=asink sync=false async=false",
      viewers);

  return g_strdup_printf (
    "input-selector name=selector sync-streams=false cache-buffers=false ! tee name=vt "
    "vt. ! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT " ! "
    "  x264enc tune=zerolatency speed-preset=veryfast bitrate=%u key-int-max=%u ! "
    "  h264parse ! queue ! cmux.video "
    "%s"
    "opusenc name=asink bitrate=%d ! queue ! cmux.audio_0 "
    "splitmuxsink name=cmux muxer=matroskamux "
    "  max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT,
    (guint64) ENCODER_QUEUE_NS,
    self->video_bitrate_kbps, VIDEO_FPS * CAMERA_GOP_SECONDS,
    viewers,
    AUDIO_BITRATE_KBPS * 1000,
    (guint64) self->segment_seconds * GST_SECOND);
}

/* The microphone's analysis (ek_recorder_analysis_make_audio()) between the
 * audio selector and the encoder (or, in a preview, a fakesink). */
static gboolean
add_audio_analysis (EkRecorder  *self,
                    GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "asink");
  GstElement *analysis = ek_recorder_analysis_make_audio (TRUE, &parse_error);

  if (analysis == NULL)
    {
      g_propagate_error (error, missing_plugin_error (parse_error));
      return FALSE;
    }

  gst_bin_add (GST_BIN (self->pipeline), analysis);
  if (!gst_element_link_many (self->aselector, analysis, sink, NULL))
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                   _("The recording cannot start. Check that the camera and microphone are "
                     "connected and not used by another program."));
      return FALSE;
    }

  return TRUE;
}

gboolean
_ek_recorder_build_pipeline (EkRecorder  *self,
                             GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) muxer = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *camera;
  GstElement *audio;
  GstAppSinkCallbacks callbacks = { .new_sample = _ek_recorder_on_new_sample_cb };
  const char *sinks[] = { "preview-sink", "face-sink" };

  desc = pipeline_description (self);
  pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (pipeline == NULL)
    {
      if (g_error_matches (parse_error, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT))
        g_propagate_error (error, missing_plugin_error (parse_error));
      else
        g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                     _("The recording cannot start: %s"), parse_error->message);
      return FALSE;
    }
  gst_object_ref_sink (pipeline);

  self->pipeline = g_steal_pointer (&pipeline);

  if (!self->preview_only)
    {
      muxer = gst_bin_get_by_name (GST_BIN (self->pipeline), "cmux");
      self->first_camera_index = _ek_recorder_next_free_index (self, self->camera_stream);
      self->first_screen_index = _ek_recorder_next_free_index (self, EK_SEGMENT_STREAM_SCREEN);
      g_hash_table_remove_all (self->queued);
      _ek_recorder_setup_splitmux (self, muxer, self->first_camera_index);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sinks); i++)
    {
      g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (self->pipeline), sinks[i]);

      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
    }

  self->selector = gst_bin_get_by_name (GST_BIN (self->pipeline), "selector");
  /* the pipeline holds it; a borrowed pointer is enough */
  gst_object_unref (self->selector);
  {
    g_autoptr(GstPad) out = gst_element_get_static_pad (self->selector, "src");

    self->last_video_pts = GST_CLOCK_TIME_NONE;
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, on_selector_buffer_probe_cb, self, NULL);
  }

  camera = _ek_recorder_make_camera_bin (self, error);
  if (camera == NULL)
    return FALSE;
  _ek_recorder_attach_camera_bin (self, camera, TRUE);
  g_object_set (self->selector, "active-pad", self->camera_pad, NULL);

  audio = _ek_recorder_make_audio_source (self, error);
  if (audio == NULL)
    return FALSE;
  self->aselector = gst_bin_get_by_name (GST_BIN (self->pipeline), "aselector");
  /* the pipeline holds it; a borrowed pointer is enough */
  gst_object_unref (self->aselector);
  {
    g_autoptr(GstPad) out = gst_element_get_static_pad (self->aselector, "src");

    self->last_audio_pts = GST_CLOCK_TIME_NONE;
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, on_audio_selector_buffer_probe_cb, self, NULL);
  }
  if (!add_audio_analysis (self, error))
    return FALSE;
  self->audio_pad = _ek_recorder_attach_audio_source (self, audio);
  if (self->audio_pad == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_MICROPHONE,
                   _("The microphone cannot be opened. Check that no other program uses it."));
      return FALSE;
    }
  self->audio_source = audio;
  g_object_set (self->aselector, "active-pad", self->audio_pad, NULL);

  if (self->record_screen && !self->preview_only)
    {
      GstElement *screen = make_screen_bin (self, self->first_screen_index, &parse_error);

      if (screen == NULL)
        {
          g_propagate_error (error, missing_plugin_error (parse_error));
          return FALSE;
        }
      gst_bin_add (GST_BIN (self->pipeline), screen);
    }

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message_cb, self);

  return TRUE;
}

void
_ek_recorder_teardown_pipeline (EkRecorder *self)
{
  self->eos_deferred = FALSE;
  g_clear_handle_id (&self->eos_defer_source, g_source_remove);
  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_source, g_source_remove);

  if (self->monitor != NULL)
    {
      gst_device_monitor_stop (self->monitor);
      g_clear_handle_id (&self->monitor_watch, g_source_remove);
      g_clear_object (&self->monitor);
    }

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_handle_id (&self->bus_watch, g_source_remove);
      g_clear_object (&self->camera_pad);
      g_clear_object (&self->fallback_pad);
      self->camera_bin = NULL;
      self->fallback_bin = NULL;
      self->selector = NULL;
      self->audio_source = NULL;
      self->aselector = NULL;
      self->silence = NULL;
      g_clear_object (&self->audio_pad);
      g_clear_object (&self->silence_pad);
      g_clear_object (&self->pipeline);
    }
}
