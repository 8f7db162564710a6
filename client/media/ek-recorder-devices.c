/* ek-recorder-devices.c: EkRecorder's camera and microphone failover
 *
 * A camera or microphone that fails or vanishes is replaced by a black picture
 * or silence behind an input-selector, so the recording goes on; the device
 * monitor and the watchdog bring it back. The watchdog also notices a camera
 * that stops delivering without an error. The test entry points
 * (ek-recorder-test.h) act on the test sources here.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>

#include "ek-media-device.h"
#include "ek-recorder-private.h"
#include "ek-recorder-test.h"

static GstPadProbeReturn
on_camera_event_probe_cb (GstPad          *pad,
                          GstPadProbeInfo *info,
                          gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  /* A camera that fails sends EOS after its error; that must not end the
   * recording, only our own stop may. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && !g_atomic_int_get (&self->stopping))
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_camera_buffer_probe_cb (GstPad          *pad,
                           GstPadProbeInfo *info,
                           gpointer         user_data)
{
  EkRecorder *self = user_data;

  g_atomic_int_inc (&self->camera_buffers);
  return GST_PAD_PROBE_OK;
}

/* Adds @element (a microphone, the silence) to the pipeline and links it to a
 * new pad of the audio selector; returns that pad, or NULL (and @element is
 * gone) if it cannot be linked: a microphone's caps are not ours to know. */
GstPad *
_ek_recorder_attach_audio_source (EkRecorder *self,
                                  GstElement *element)
{
  GstElement *selector = self->aselector;
  g_autoptr(GstPad) src = NULL;
  GstPad *sink;

  gst_bin_add (GST_BIN (self->pipeline), element);
  src = gst_element_get_static_pad (element, "src");
  sink = gst_element_request_pad_simple (selector, "sink_%u");
  if (src == NULL || gst_pad_link (src, sink) != GST_PAD_LINK_OK)
    {
      gst_element_release_request_pad (selector, sink);
      gst_object_unref (sink);
      gst_bin_remove (GST_BIN (self->pipeline), element);
      return NULL;
    }

  return sink;
}

/* Adds @bin (a camera, the black picture) to the pipeline and links it to a
 * new selector pad. Our own bins always link. */
static GstPad *
attach_video_bin (EkRecorder *self,
                  GstElement *bin)
{
  g_autoptr(GstPad) src = NULL;
  GstPad *sink;

  gst_bin_add (GST_BIN (self->pipeline), bin);
  src = gst_element_get_static_pad (bin, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_camera_event_probe_cb, self, NULL);
  sink = gst_element_request_pad_simple (self->selector, "sink_%u");
  gst_pad_link (src, sink);

  return sink;
}

/* Adds a camera bin; the watchdog counts its pictures from now on. */
void
_ek_recorder_attach_camera_bin (EkRecorder *self,
                                GstElement *bin,
                                gboolean    confirmed)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (bin, "src");

  g_atomic_int_set (&self->camera_buffers, 0);
  self->watch_count = 0;
  self->watch_progress_us = g_get_monotonic_time ();
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_camera_buffer_probe_cb, self, NULL);

  self->camera_bin = bin;
  self->camera_confirmed = confirmed;
  self->camera_pad = attach_video_bin (self, bin);
}

/* Stops and removes an input of @selector (a camera, the black picture, a
 * microphone, the silence) and releases its selector pad. */
static void
detach_input (EkRecorder  *self,
              GstElement  *selector,
              GstElement **element,
              GstPad     **pad)
{
  if (*element != NULL)
    {
      gst_element_set_locked_state (*element, TRUE);
      gst_element_set_state (*element, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->pipeline), *element);
      *element = NULL;
    }

  if (*pad != NULL)
    {
      gst_element_release_request_pad (selector, *pad);
      g_clear_object (pad);
    }
}

static void
detach_video_bin (EkRecorder  *self,
                  GstElement **bin,
                  GstPad     **pad)
{
  detach_input (self, self->selector, bin, pad);
}

static void
detach_audio_source (EkRecorder  *self,
                     GstElement **source,
                     GstPad     **pad)
{
  detach_input (self, self->aselector, source, pad);
}

/* The microphone reported an error (a headset pulled out): silence takes its
 * place, so the audio track, the muxer and the picture go on. */
void
_ek_recorder_on_microphone_lost (EkRecorder *self)
{
  GstElement *silence;

  if (self->audio_source == NULL)
    return;

  silence = gst_element_factory_make ("audiotestsrc", NULL);
  if (silence == NULL)
    {
      _ek_recorder_fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                                            _("A part of GStreamer needed for recording is not installed (%s). "
                                              "Ask the technician to install it."), "audiotestsrc"));
      return;
    }
  /* Stamped with the pipeline's running time, as a capture device is. */
  g_object_set (silence, "is-live", TRUE, "wave", 4 /* silence */, "do-timestamp", TRUE,
                "samplesperbuffer", 960, NULL);
  self->silence_pad = _ek_recorder_attach_audio_source (self, silence);
  if (self->silence_pad == NULL)
    {
      _ek_recorder_fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                                            "the silence cannot replace the microphone"));
      return;
    }
  self->silence = silence;
  gst_element_sync_state_with_parent (silence);
  g_object_set (self->aselector, "active-pad", self->silence_pad, NULL);

  detach_audio_source (self, &self->audio_source, &self->audio_pad);
  self->microphone_lost_us = g_get_monotonic_time ();
  _ek_recorder_set_microphone_available (self, FALSE);
  _ek_recorder_emit (self, MICROPHONE_LOST);
}

/* The chosen microphone (or, with none chosen, any) appeared again (@device),
 * or, with test sources (@device %NULL), is simulated back. */
static void
on_microphone_back (EkRecorder *self,
                    GstDevice  *device)
{
  GstElement *source;
  GstPad *pad;

  if (self->audio_source != NULL || !_ek_recorder_is_running (self))
    return;

  if (device != NULL)
    {
      source = gst_device_create_element (device, NULL);
    }
  else
    {
      g_autoptr(GError) error = NULL;

      source = _ek_recorder_make_audio_source (self, &error);
      /* a test source counts from 0; a capture device stamps the clock's time */
      if (source != NULL && self->source == EK_MEDIA_SOURCE_TEST)
        g_object_set (source, "timestamp-offset", (gint64) _ek_recorder_current_running_time (self), NULL);
    }
  if (source == NULL)
    {
      g_debug ("The microphone came back but cannot be opened");
      return;
    }
  pad = _ek_recorder_attach_audio_source (self, source);
  if (pad == NULL)
    {
      g_debug ("The microphone came back but cannot be linked");
      return;
    }
  if (!gst_element_sync_state_with_parent (source))
    {
      detach_audio_source (self, &source, &pad);
      return;
    }

  self->audio_source = source;
  self->audio_pad = pad;
  g_object_set (self->aselector, "active-pad", self->audio_pad, NULL);
  detach_audio_source (self, &self->silence, &self->silence_pad);
  _ek_recorder_set_microphone_available (self, TRUE);
  _ek_recorder_emit (self, MICROPHONE_RESTORED);
}

/* The camera failed (@stalled FALSE: it reported an error) or stopped
 * delivering (@stalled TRUE). A black picture takes its place, so the video
 * track and the audio go on. A camera opened again that never confirmed goes
 * without a word: it was not back yet. */
void
_ek_recorder_on_camera_lost (EkRecorder *self,
                             gboolean    stalled)
{
  g_autoptr(GError) error = NULL;
  gboolean was_confirmed = self->camera_confirmed;
  GstElement *bin;

  if (self->camera_bin == NULL)
    return;

  if (self->fallback_bin == NULL)
    {
      bin = _ek_recorder_make_test_video_bin ("black", _ek_recorder_current_running_time (self), FALSE, FALSE, &error);
      if (bin == NULL)
        {
          _ek_recorder_fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED, "%s", error->message));
          return;
        }

      self->fallback_bin = bin;
      self->fallback_pad = attach_video_bin (self, bin);
      gst_element_sync_state_with_parent (bin);
    }
  g_object_set (self->selector, "active-pad", self->fallback_pad, NULL);

  detach_video_bin (self, &self->camera_bin, &self->camera_pad);
  self->camera_confirmed = FALSE;
  self->camera_retry_us = g_get_monotonic_time () + CAMERA_RETRY_MS * G_TIME_SPAN_MILLISECOND;

  if (!was_confirmed)
    return;

  self->camera_stalled = stalled;
  _ek_recorder_set_camera_available (self, FALSE);
  _ek_recorder_emit (self, CAMERA_LOST);
}

/* The camera opened again delivered its first picture: it becomes the input. */
static void
confirm_camera (EkRecorder *self)
{
  self->camera_confirmed = TRUE;
  self->camera_stalled = FALSE;
  g_object_set (self->selector, "active-pad", self->camera_pad, NULL);
  detach_video_bin (self, &self->fallback_bin, &self->fallback_pad);

  _ek_recorder_set_camera_available (self, TRUE);
  _ek_recorder_emit (self, CAMERA_RESTORED);
}

/* Opens the camera again (@device: the one that appeared, else the one chosen).
 * It runs beside the black picture until its first picture arrives. */
static void
on_camera_back (EkRecorder *self,
                GstDevice  *device)
{
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  if (self->camera_bin != NULL || !_ek_recorder_is_running (self))
    return;

  if (device != NULL)
    bin = _ek_recorder_make_camera_bin_for_device (device, &error);
  else if (self->source == EK_MEDIA_SOURCE_AUTO && self->camera_device != NULL)
    bin = _ek_recorder_make_camera_bin_for_device (self->camera_device, &error);
  else
    bin = _ek_recorder_make_camera_bin (self, &error);

  if (bin == NULL)
    {
      g_debug ("The camera came back but cannot be opened: %s", error->message);
      return;
    }

  _ek_recorder_attach_camera_bin (self, bin, FALSE);
  if (!gst_element_sync_state_with_parent (bin))
    {
      detach_video_bin (self, &self->camera_bin, &self->camera_pad);
      return;
    }
}

/* Every CAMERA_WATCH_MS while recording: notices a camera that stopped
 * delivering, confirms one that came back, and retries a stalled one. */
gboolean
_ek_recorder_on_camera_watchdog_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint count;

  if (self->state != EK_RECORDER_STATE_RECORDING)
    {
      self->watch_progress_us = now;
      return G_SOURCE_CONTINUE;
    }

  if (self->camera_bin == NULL)
    {
      if (self->camera_stalled && now >= self->camera_retry_us)
        {
          self->camera_retry_us = now + CAMERA_RETRY_MS * G_TIME_SPAN_MILLISECOND;
          on_camera_back (self, NULL);
        }
      return G_SOURCE_CONTINUE;
    }

  count = g_atomic_int_get (&self->camera_buffers);
  if (count != self->watch_count)
    {
      self->watch_count = count;
      self->watch_progress_us = now;
      if (!self->camera_confirmed)
        confirm_camera (self);
    }
  else if (self->camera_confirmed &&
           now - self->watch_progress_us >= CAMERA_STALL_MS * G_TIME_SPAN_MILLISECOND)
    {
      g_debug ("The camera delivered no picture for %d ms; counting it as lost", CAMERA_STALL_MS);
      _ek_recorder_on_camera_lost (self, TRUE);
    }
  else if (!self->camera_confirmed &&
           now - self->watch_progress_us >= CAMERA_PENDING_MS * G_TIME_SPAN_MILLISECOND)
    {
      g_debug ("The camera opened again delivers nothing; trying later");
      _ek_recorder_on_camera_lost (self, TRUE);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_monitor_message_cb (GstBus     *bus,
                       GstMessage *message,
                       gpointer    user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GstDevice) device = NULL;
  g_autofree char *id = NULL;
  EkMediaDeviceKind kind;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_DEVICE_ADDED)
    return G_SOURCE_CONTINUE;

  gst_message_parse_device_added (message, &device);
  if (!ek_media_device_kind_for_gst_device (device, &kind))
    return G_SOURCE_CONTINUE;

  id = ek_media_device_id_for_gst_device (device);
  if (kind == EK_MEDIA_DEVICE_CAMERA &&
      (self->camera_id == NULL || g_strcmp0 (id, self->camera_id) == 0))
    on_camera_back (self, device);
  else if (kind == EK_MEDIA_DEVICE_MICROPHONE &&
           (self->microphone_id == NULL || g_strcmp0 (id, self->microphone_id) == 0))
    on_microphone_back (self, device);

  return G_SOURCE_CONTINUE;
}

void
_ek_recorder_start_device_monitor (EkRecorder *self)
{
  g_autoptr(GstBus) bus = NULL;

  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, "Video/Source", NULL);
  gst_device_monitor_add_filter (self->monitor, "Audio/Source", NULL);
  bus = gst_device_monitor_get_bus (self->monitor);
  self->monitor_watch = gst_bus_add_watch (bus, on_monitor_message_cb, self);
  if (!gst_device_monitor_start (self->monitor))
    g_debug ("No device monitor: a camera that comes back will not be noticed");
}

/* Test entry points (ek-recorder-test.h) */

/**
 * ek_recorder_simulate_camera_loss:
 *
 * With test sources, the camera fails as a real one that is unplugged does:
 * its source reports an error and stops.
 */
void
ek_recorder_simulate_camera_loss (EkRecorder *self)
{
  g_autoptr(GstElement) src = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->camera_bin == NULL)
    return;

  src = gst_bin_get_by_name (GST_BIN (self->camera_bin), "src");
  GST_ELEMENT_ERROR (src, RESOURCE, READ, ("Simulated camera loss"), (NULL));
}

/**
 * ek_recorder_simulate_camera_return:
 *
 * With test sources, the camera comes back as a real one that is plugged in.
 */
void
ek_recorder_simulate_camera_return (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  on_camera_back (self, NULL);
}

/**
 * ek_recorder_simulate_microphone_loss:
 *
 * With test sources, the microphone fails as an unplugged headset does.
 */
void
ek_recorder_simulate_microphone_loss (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->audio_source != NULL)
    GST_ELEMENT_ERROR (self->audio_source, RESOURCE, READ, ("Simulated microphone loss"), (NULL));
}

/**
 * ek_recorder_simulate_microphone_return:
 *
 * With test sources, the microphone comes back as a headset plugged in again.
 */
void
ek_recorder_simulate_microphone_return (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  on_microphone_back (self, NULL);
}

/**
 * ek_recorder_simulate_camera_stall:
 * @stalled: whether the test camera holds back its pictures
 *
 * With test sources, the camera stops delivering pictures without an error,
 * as a v4l2 device that hangs does, and resumes with @stalled %FALSE. The
 * camera opened again by the watchdog stays stalled until then.
 */
void
ek_recorder_simulate_camera_stall (EkRecorder *self,
                                   gboolean    stalled)
{
  g_autoptr(GstElement) valve = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  self->test_stalled = stalled;
  if (self->camera_bin != NULL &&
      (valve = gst_bin_get_by_name (GST_BIN (self->camera_bin), "stall")) != NULL)
    g_object_set (valve, "drop", stalled, NULL);
}

void
ek_recorder_set_test_volume (EkRecorder *self,
                             double      volume)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->audio_source != NULL)
    g_object_set (self->audio_source, "volume", CLAMP (volume, 0.0, 1.0), NULL);
}
