/* ek-camera-feed.c: the camera alone, without recording
 *
 * With the test media source the picture is GStreamer's "ball" pattern, or, for
 * demonstrations and screenshots, the picture or clip named by the environment
 * variable EK_TEST_CAMERA_FILE (test source only; a real camera is never
 * replaced by a file).
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-camera-feed.h"
#include "ek-media-device.h"

struct _EkCameraFeed
{
  GObject        parent_instance;

  EkMediaSource  source;
  char          *camera_id;
  GstElement    *pipeline;     /* owned */
  GMainContext  *context;      /* owned: where ::frame is emitted */
  guint          bus_watch;
  gint           alive;        /* atomic: frames are delivered while set */
};

enum {
  FRAME,
  FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkCameraFeed, ek_camera_feed, G_TYPE_OBJECT)

typedef struct
{
  GWeakRef      feed;
  EkVideoFrame *frame;
} Delivery;

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *d = user_data;
  g_autoptr(EkCameraFeed) self = g_weak_ref_get (&d->feed);

  if (self != NULL && self->pipeline != NULL)
    g_signal_emit (self, signals[FRAME], 0, d->frame);

  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  g_weak_ref_clear (&d->feed);
  ek_video_frame_unref (d->frame);
  g_free (d);
}

static GstFlowReturn
on_new_sample_cb (GstAppSink *sink,
                  gpointer    user_data)
{
  EkCameraFeed *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstMapInfo map;
  Delivery *d;
  g_autoptr(GBytes) bytes = NULL;

  if (sample == NULL || !g_atomic_int_get (&self->alive))
    return GST_FLOW_OK;

  buffer = gst_sample_get_buffer (sample);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);
  if (g_bytes_get_size (bytes) < (gsize) EK_CAMERA_FEED_WIDTH * EK_CAMERA_FEED_HEIGHT * 4)
    return GST_FLOW_OK;

  d = g_new0 (Delivery, 1);
  g_weak_ref_init (&d->feed, self);
  d->frame = ek_video_frame_new (bytes, EK_CAMERA_FEED_WIDTH, EK_CAMERA_FEED_HEIGHT,
                                 EK_CAMERA_FEED_WIDTH * 4, GST_BUFFER_PTS (buffer));
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, deliver_cb, d, delivery_free);

  return GST_FLOW_OK;
}

static gboolean
on_bus_message_cb (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  EkCameraFeed *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) gst_error = NULL;
      g_autofree char *debug = NULL;
      g_autoptr(GError) error = NULL;

      gst_message_parse_error (message, &gst_error, &debug);
      g_debug ("Camera feed: %s (%s)", gst_error->message, debug != NULL ? debug : "");
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The camera stopped working. Check that no other program uses it."));
      ek_camera_feed_stop (self);
      g_signal_emit (self, signals[FAILED], 0, error);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    {
      /* A test clip ended: play it again. */
      gst_element_seek_simple (self->pipeline, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH, 0);
    }

  return G_SOURCE_CONTINUE;
}

static GstElement *
make_source (EkCameraFeed  *self,
             GError       **error)
{
  g_autoptr(GstDeviceMonitor) monitor = NULL;
  g_autoptr(GError) parse_error = NULL;
  GstElement *element = NULL;
  GList *devices;

  if (self->source == EK_MEDIA_SOURCE_TEST)
    {
      const char *file = g_getenv ("EK_TEST_CAMERA_FILE");
      g_autofree char *source = NULL;
      g_autofree char *desc = NULL;

      if (file != NULL && *file != '\0')
        {
          g_autofree char *quoted = g_strescape (file, NULL);

          if (g_str_has_suffix (file, ".png") || g_str_has_suffix (file, ".jpg"))
            source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                      "imagefreeze is-live=true ! capsfilter caps=video/x-raw,framerate=%d/1",
                                      quoted, EK_CAMERA_FEED_FPS);
          else
            source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                      "clocksync", quoted);
        }
      else
        source = g_strdup ("videotestsrc is-live=true pattern=ball");

      /* Ghost only the last element's source pad: decodebin's pad comes later, and
       * ghosting the converter's unlinked sink pad would break that link. */
      desc = g_strdup_printf ("%s ! identity name=out", source);
      element = gst_parse_bin_from_description (desc, FALSE, &parse_error);
      if (element != NULL)
        {
          g_autoptr(GstElement) out = gst_bin_get_by_name (GST_BIN (element), "out");
          g_autoptr(GstPad) pad = gst_element_get_static_pad (out, "src");

          gst_element_add_pad (element, gst_ghost_pad_new ("src", pad));
        }
      else
        {
          g_debug ("Camera feed: %s", parse_error->message);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The camera cannot be opened. Check that no other program uses it."));
        }
      return element;
    }

  monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL && element == NULL; l = l->next)
    {
      g_autofree char *id = ek_media_device_id_for_gst_device (l->data);

      if (self->camera_id == NULL || g_strcmp0 (id, self->camera_id) == 0)
        element = gst_device_create_element (l->data, NULL);
    }
  g_list_free_full (devices, gst_object_unref);

  if (element == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("No camera was found. Connect the camera and try again."));

  return element;
}

static void
ek_camera_feed_dispose (GObject *object)
{
  ek_camera_feed_stop (EK_CAMERA_FEED (object));

  G_OBJECT_CLASS (ek_camera_feed_parent_class)->dispose (object);
}

static void
ek_camera_feed_finalize (GObject *object)
{
  EkCameraFeed *self = EK_CAMERA_FEED (object);

  g_free (self->camera_id);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (ek_camera_feed_parent_class)->finalize (object);
}

static void
ek_camera_feed_class_init (EkCameraFeedClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_camera_feed_dispose;
  object_class->finalize = ek_camera_feed_finalize;

  /**
   * EkCameraFeed::frame:
   * @frame: the newest camera frame, 640x480 RGBA
   */
  signals[FRAME] =
    g_signal_new ("frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkCameraFeed::failed:
   * @error: what went wrong, translated; the feed has stopped
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_camera_feed_init (EkCameraFeed *self)
{
}

EkCameraFeed *
ek_camera_feed_new (EkMediaSource  source,
                    const char    *camera_id)
{
  EkCameraFeed *self = g_object_new (EK_TYPE_CAMERA_FEED, NULL);

  self->source = source;
  self->camera_id = g_strdup (camera_id);

  return self;
}

/**
 * ek_camera_feed_start:
 *
 * Opens the camera; frames follow as ::frame.
 */
gboolean
ek_camera_feed_start (EkCameraFeed  *self,
                      GError       **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) convert = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autofree char *desc = NULL;
  GstElement *source;
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample_cb };

  g_return_val_if_fail (EK_IS_CAMERA_FEED (self), FALSE);

  if (self->pipeline != NULL)
    return TRUE;
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  source = make_source (self, error);
  if (source == NULL)
    return FALSE;

  desc = g_strdup_printf ("videoconvert ! videoscale add-borders=true ! "
                          "videorate drop-only=true max-rate=%d ! "
                          "video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
                          "appsink name=sink drop=true max-buffers=1 sync=false",
                          EK_CAMERA_FEED_FPS, EK_CAMERA_FEED_WIDTH, EK_CAMERA_FEED_HEIGHT);
  convert = gst_parse_bin_from_description (desc, TRUE, error);
  if (convert == NULL)
    {
      gst_object_unref (gst_object_ref_sink (source));
      return FALSE;
    }
  gst_object_ref_sink (convert);

  pipeline = gst_object_ref_sink (gst_pipeline_new ("ek-camera-feed"));
  gst_bin_add_many (GST_BIN (pipeline), source, gst_object_ref (convert), NULL);
  if (!gst_element_link (source, convert))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The camera cannot be opened. Check that no other program uses it."));
      return FALSE;
    }

  sink = gst_bin_get_by_name (GST_BIN (convert), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  bus = gst_element_get_bus (pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message_cb, self);
  self->pipeline = g_steal_pointer (&pipeline);
  g_atomic_int_set (&self->alive, TRUE);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      ek_camera_feed_stop (self);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("The camera cannot be opened. Check that no other program uses it."));
      return FALSE;
    }

  return TRUE;
}

void
ek_camera_feed_stop (EkCameraFeed *self)
{
  g_return_if_fail (EK_IS_CAMERA_FEED (self));

  g_atomic_int_set (&self->alive, FALSE);
  if (self->bus_watch != 0)
    {
      g_source_remove (self->bus_watch);
      self->bus_watch = 0;
    }
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
}

gboolean
ek_camera_feed_is_running (EkCameraFeed *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_FEED (self), FALSE);

  return self->pipeline != NULL;
}
