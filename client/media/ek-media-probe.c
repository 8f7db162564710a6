/* ek-media-probe.c: a short look at one camera or microphone, for the device check
 *
 *   camera:     source ─ capsfilter (≤ 720p30, as the recorder) ─ convert ─ scale ─ appsink
 *   microphone: source ─ audioconvert ─ audioresample ─ level ─ fakesink
 *
 * The whole run happens in a worker thread that pops the bus itself: opening a V4L2
 * device or an ALSA card can take a noticeable moment, which must not be the main
 * loop's. Frames and levels go back to the caller's main context for a live view.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-media-probe.h"

#define MAX_WIDTH      1280
#define MAX_HEIGHT     720
#define MAX_FPS        30
#define PREVIEW_WIDTH  640
#define PREVIEW_HEIGHT 360
#define PREVIEW_FPS    15
/* Every SAMPLE_STEP-th pixel in both directions: enough to tell black or still. */
#define SAMPLE_STEP    4
#define LEVEL_INTERVAL_NS (100 * GST_MSECOND)

struct _EkMediaProbe
{
  GObject            parent_instance;

  EkMediaDeviceKind  kind;
  char              *device_id;
  char              *description;
  double             level_db;
  gboolean           running;
  gint               frame_pending;  /* atomic: a preview frame waits for the main context */
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_LEVEL_DB,
  PROP_RUNNING,
  N_PROPS
};

enum {
  FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkMediaProbe, ek_media_probe, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-media-probe-error-quark, ek_media_probe_error)

typedef struct
{
  EkMediaProbe      *probe;        /* borrowed: the task's source object keeps it */
  EkMediaDeviceKind  kind;
  char              *device_id;
  char              *description;
  guint              duration_ms;
  GMainContext      *context;      /* owned; where frames and levels go */

  /* Filled from the streaming thread (camera) or the run thread (levels). */
  GMutex             lock;
  EkMediaProbeStats  stats;
  gint64             start_us;
  gint64             first_frame_us;
  gint64             last_frame_us;
  guint8            *previous;     /* owned; the last frame's sampled luma */
  gsize              n_samples;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->device_id);
  g_free (data->description);
  g_main_context_unref (data->context);
  g_mutex_clear (&data->lock);
  g_free (data->previous);
  g_free (data);
}

/* Main context hand-over */

typedef struct
{
  EkMediaProbe *probe;   /* owned */
  EkVideoFrame *frame;   /* owned, or NULL for a level */
  double        level_db;
} Delivery;

static gboolean
deliver_cb (gpointer user_data)
{
  Delivery *delivery = user_data;
  EkMediaProbe *self = delivery->probe;

  if (delivery->frame != NULL)
    {
      g_atomic_int_set (&self->frame_pending, FALSE);
      g_signal_emit (self, signals[FRAME], 0, delivery->frame);
    }
  else if (self->level_db != delivery->level_db)
    {
      self->level_db = delivery->level_db;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL_DB]);
    }

  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer user_data)
{
  Delivery *delivery = user_data;

  g_object_unref (delivery->probe);
  g_clear_pointer (&delivery->frame, ek_video_frame_unref);
  g_free (delivery);
}

static void
deliver (RunData      *data,
         EkVideoFrame *frame,
         double        level_db)
{
  Delivery *delivery = g_new0 (Delivery, 1);

  delivery->probe = g_object_ref (data->probe);
  delivery->frame = frame;
  delivery->level_db = level_db;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, deliver_cb,
                              delivery, delivery_free);
}

/* Analysis */

static void
analyse_frame (RunData      *data,
               const guint8 *pixels,
               guint         width,
               guint         height,
               gsize         stride)
{
  gsize n = (gsize) ((width + SAMPLE_STEP - 1) / SAMPLE_STEP) *
            ((height + SAMPLE_STEP - 1) / SAMPLE_STEP);
  g_autofree guint8 *luma = g_new (guint8, n);
  double sum = 0, sum_sq = 0, diff = 0;
  double mean, deviation;
  gsize i = 0;

  for (guint y = 0; y < height; y += SAMPLE_STEP)
    {
      const guint8 *row = pixels + y * stride;

      for (guint x = 0; x < width; x += SAMPLE_STEP)
        {
          const guint8 *p = row + x * 4;
          guint8 value = (guint8) ((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);

          luma[i++] = value;
          sum += value;
          sum_sq += (double) value * value;
        }
    }

  mean = sum / n;
  deviation = sqrt (MAX (0.0, sum_sq / n - mean * mean));

  g_mutex_lock (&data->lock);
  if (data->previous != NULL && data->n_samples == n)
    {
      for (i = 0; i < n; i++)
        diff += abs ((int) luma[i] - (int) data->previous[i]);
      data->stats.max_motion = MAX (data->stats.max_motion, diff / n);
    }
  data->stats.max_luma = MAX (data->stats.max_luma, mean);
  data->stats.max_contrast = MAX (data->stats.max_contrast, deviation);
  g_free (data->previous);
  data->previous = g_steal_pointer (&luma);
  data->n_samples = n;
  g_mutex_unlock (&data->lock);
}

static GstFlowReturn
on_new_sample_cb (GstAppSink *sink,
                  gpointer    user_data)
{
  RunData *data = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstVideoInfo info;
  GstMapInfo map;
  gint64 now = g_get_monotonic_time ();

  if (sample == NULL)
    return GST_FLOW_EOS;

  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_OK;

  g_mutex_lock (&data->lock);
  if (data->stats.n_frames == 0)
    {
      data->first_frame_us = now;
      data->stats.first_frame_ms = (now - data->start_us) / 1000;
    }
  data->last_frame_us = now;
  data->stats.n_frames++;
  g_mutex_unlock (&data->lock);

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;

  analyse_frame (data, map.data, GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                 GST_VIDEO_INFO_PLANE_STRIDE (&info, 0));

  /* One frame in flight at a time: a slow main loop sees fewer, never a backlog. */
  if (g_atomic_int_compare_and_exchange (&data->probe->frame_pending, FALSE, TRUE))
    {
      g_autoptr(GBytes) pixels = g_bytes_new (map.data, map.size);

      deliver (data, ek_video_frame_new (pixels, GST_VIDEO_INFO_WIDTH (&info),
                                         GST_VIDEO_INFO_HEIGHT (&info),
                                         GST_VIDEO_INFO_PLANE_STRIDE (&info, 0),
                                         GST_BUFFER_PTS_IS_VALID (buffer) ?
                                           (gint64) GST_BUFFER_PTS (buffer) : -1),
               0);
    }

  gst_buffer_unmap (buffer, &map);
  return GST_FLOW_OK;
}

static void
handle_level (RunData         *data,
              const GstStructure *structure)
{
  const GValue *rms = gst_structure_get_value (structure, "rms");
  double loudest = EK_MEDIA_PROBE_SILENCE_DB;
  gboolean measured = FALSE;
  GValueArray *array;

  /* GstLevel still posts GValueArray. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (rms == NULL || !G_VALUE_HOLDS (rms, g_value_array_get_type ()))
    return;

  array = g_value_get_boxed (rms);
  for (guint i = 0; array != NULL && i < array->n_values; i++)
    {
      double db = g_value_get_double (g_value_array_get_nth (array, i));

      /* -inf is digital silence; NaN (the empty interval `level` posts at the
       * end of a stream) and +inf measured nothing */
      if (isnan (db) || (isinf (db) && db > 0))
        continue;
      measured = TRUE;
      if (isfinite (db))
        loudest = MAX (loudest, db);
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* an interval without samples is no reading: it would pass for silence */
  if (!measured)
    return;

  loudest = MAX (loudest, EK_MEDIA_PROBE_SILENCE_DB);
  if (data->stats.n_levels == 0)
    {
      data->stats.peak_db = loudest;
      data->stats.floor_db = loudest;
    }
  data->stats.peak_db = MAX (data->stats.peak_db, loudest);
  data->stats.floor_db = MIN (data->stats.floor_db, loudest);
  data->stats.n_levels++;

  deliver (data, NULL, loudest);
}

/* Building */

static GstElement *
make_source (RunData  *data,
             GError  **error)
{
  g_autoptr(GstDevice) device = NULL;
  g_autoptr(GError) parse_error = NULL;
  GstElement *source;

  if (data->description != NULL)
    {
      /* A description may end in caps ("videotestsrc ! video/x-raw,width=…"), which
       * gst-launch syntax only accepts between two elements. */
      g_autofree char *desc = g_strdup_printf ("%s ! identity", data->description);

      source = gst_parse_bin_from_description (desc, TRUE, &parse_error);
      if (source == NULL)
        {
          g_set_error (error, EK_MEDIA_PROBE_ERROR,
                       g_error_matches (parse_error, GST_PARSE_ERROR,
                                        GST_PARSE_ERROR_NO_SUCH_ELEMENT)
                         ? EK_MEDIA_PROBE_ERROR_MISSING_PLUGIN : EK_MEDIA_PROBE_ERROR_FAILED,
                       "%s", parse_error->message);
          return NULL;
        }
      return source;
    }

  device = ek_media_device_find (data->kind, data->device_id);
  if (device == NULL || (source = gst_device_create_element (device, NULL)) == NULL)
    {
      g_set_error_literal (error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_NOT_FOUND,
                           data->kind == EK_MEDIA_DEVICE_CAMERA
                             ? _("No camera was found. Connect the camera and try again.")
                             : _("No microphone was found. Connect the microphone and try again."));
      return NULL;
    }

  return source;
}

static GstElement *
build_pipeline (RunData  *data,
                GError  **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *tail_desc = NULL;
  GstElement *source;
  GstElement *tail;

  if (data->kind == EK_MEDIA_DEVICE_CAMERA)
    tail_desc = g_strdup_printf ("capsfilter name=limit caps=video/x-raw,width=(int)[1,%d],"
                                 "height=(int)[1,%d],framerate=(fraction)[1/1,%d/1] ! "
                                 "videoconvert ! videoscale add-borders=true ! "
                                 "video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
                                 "appsink name=sink drop=true max-buffers=2 sync=false "
                                 "enable-last-sample=false",
                                 MAX_WIDTH, MAX_HEIGHT, MAX_FPS, PREVIEW_WIDTH, PREVIEW_HEIGHT);
  else
    tail_desc = g_strdup_printf ("audioconvert ! audioresample ! "
                                 "level name=level interval=%" G_GUINT64_FORMAT " post-messages=true ! "
                                 "fakesink sync=false async=false",
                                 (guint64) LEVEL_INTERVAL_NS);

  tail = gst_parse_bin_from_description (tail_desc, TRUE, &parse_error);
  if (tail == NULL)
    {
      g_set_error (error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_MISSING_PLUGIN,
                   _("A part of GStreamer needed for the device check is not installed (%s). "
                     "Ask the technician to install it."), parse_error->message);
      return NULL;
    }

  pipeline = gst_object_ref_sink (gst_pipeline_new ("ek-media-probe"));
  gst_bin_add (GST_BIN (pipeline), tail);

  source = make_source (data, error);
  if (source == NULL)
    return NULL;

  gst_bin_add (GST_BIN (pipeline), source);
  if (!gst_element_link (source, tail))
    {
      g_set_error_literal (error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_FAILED,
                           data->kind == EK_MEDIA_DEVICE_CAMERA
                             ? _("The camera cannot be opened. Check that no other program uses it.")
                             : _("The microphone cannot be opened. Check that no other program uses it."));
      return NULL;
    }

  if (data->kind == EK_MEDIA_DEVICE_CAMERA)
    {
      g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
      GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample_cb };

      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, data, NULL);
    }

  return g_steal_pointer (&pipeline);
}

static void
read_negotiated_format (RunData    *data,
                        GstElement *pipeline)
{
  g_autoptr(GstElement) limit = gst_bin_get_by_name (GST_BIN (pipeline), "limit");
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstStructure *structure;
  int width = 0, height = 0, num = 0, den = 1;

  if (limit == NULL)
    return;

  pad = gst_element_get_static_pad (limit, "src");
  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL || gst_caps_get_size (caps) == 0)
    return;

  structure = gst_caps_get_structure (caps, 0);
  if (gst_structure_get_int (structure, "width", &width) &&
      gst_structure_get_int (structure, "height", &height))
    {
      data->stats.width = (guint) width;
      data->stats.height = (guint) height;
    }
  if (gst_structure_get_fraction (structure, "framerate", &num, &den) && den > 0)
    data->stats.framerate = (double) num / den;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *data = task_data;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  pipeline = build_pipeline (data, &error);
  if (pipeline == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bus = gst_element_get_bus (pipeline);
  data->start_us = g_get_monotonic_time ();
  deadline = data->start_us + (gint64) data->duration_ms * 1000;

  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GstMessage) message =
        gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr(GError) gst_error = NULL;

      if (message != NULL)
        gst_message_parse_error (message, &gst_error, NULL);
      g_set_error (&error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_FAILED,
                   data->kind == EK_MEDIA_DEVICE_CAMERA
                     ? _("The camera cannot be opened (%s). Check that no other program uses it.")
                     : _("The microphone cannot be opened (%s). Check that no other program uses it."),
                   gst_error != NULL ? gst_error->message : "?");
    }

  while (error == NULL && !g_cancellable_is_cancelled (cancellable))
    {
      gint64 now = g_get_monotonic_time ();
      g_autoptr(GstMessage) message = NULL;

      if (now >= deadline)
        break;

      message = gst_bus_timed_pop_filtered (bus, MIN (deadline - now, 100000) * GST_USECOND,
                                            GST_MESSAGE_ERROR | GST_MESSAGE_EOS |
                                            GST_MESSAGE_ELEMENT);
      if (message == NULL)
        continue;

      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) gst_error = NULL;
          g_autofree char *debug = NULL;

          gst_message_parse_error (message, &gst_error, &debug);
          g_debug ("media probe: %s (%s)", gst_error->message, debug != NULL ? debug : "");
          g_set_error (&error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_FAILED,
                       data->kind == EK_MEDIA_DEVICE_CAMERA
                         ? _("The camera stopped (%s). Check that no other program uses it.")
                         : _("The microphone stopped (%s). Check that no other program uses it."),
                       gst_error->message);
        }
      else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        break;
      else if (gst_message_has_name (message, "level"))
        handle_level (data, gst_message_get_structure (message));
    }

  read_negotiated_format (data, pipeline);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  g_mutex_lock (&data->lock);
  if (data->stats.n_frames > 1 && data->last_frame_us > data->first_frame_us)
    data->stats.measured_fps = (data->stats.n_frames - 1) * (double) G_USEC_PER_SEC /
                               (data->last_frame_us - data->first_frame_us);
  g_mutex_unlock (&data->lock);

  g_task_return_boolean (task, TRUE);
}

/* Tone */

static void
tone_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  guint duration_ms = GPOINTER_TO_UINT (task_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autofree char *desc = NULL;
  gint64 deadline;

  /* 48 kHz in buffers of 1024 samples: enough buffers for the duration, then EOS. */
  desc = g_strdup_printf ("audiotestsrc wave=sine freq=660 volume=0.3 samplesperbuffer=1024 "
                          "num-buffers=%u ! audioconvert ! audioresample ! autoaudiosink",
                          MAX (1u, duration_ms * 48 / 1024));
  pipeline = gst_parse_launch (desc, &error);
  if (pipeline == NULL)
    {
      g_task_return_new_error (task, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_MISSING_PLUGIN,
                               _("The test tone cannot be played (%s)."), error->message);
      return;
    }
  gst_object_ref_sink (pipeline);

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  deadline = g_get_monotonic_time () + ((gint64) duration_ms + 3000) * 1000;

  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GstMessage) message =
        gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);

      if (message == NULL)
        continue;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) gst_error = NULL;

          gst_message_parse_error (message, &gst_error, NULL);
          g_set_error (&error, EK_MEDIA_PROBE_ERROR, EK_MEDIA_PROBE_ERROR_FAILED,
                       _("The test tone cannot be played (%s)."), gst_error->message);
        }
      break;
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, TRUE);
}

/* GObject */

static void
ek_media_probe_finalize (GObject *object)
{
  EkMediaProbe *self = EK_MEDIA_PROBE (object);

  g_free (self->device_id);
  g_free (self->description);

  G_OBJECT_CLASS (ek_media_probe_parent_class)->finalize (object);
}

static void
ek_media_probe_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkMediaProbe *self = EK_MEDIA_PROBE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;

    case PROP_LEVEL_DB:
      g_value_set_double (value, self->level_db);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_media_probe_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkMediaProbe *self = EK_MEDIA_PROBE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_media_probe_class_init (EkMediaProbeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* The device check may be the first to use GStreamer in this process. */
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  object_class->finalize = ek_media_probe_finalize;
  object_class->get_property = ek_media_probe_get_property;
  object_class->set_property = ek_media_probe_set_property;

  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL,
                      EK_MEDIA_DEVICE_CAMERA, EK_MEDIA_DEVICE_MICROPHONE, EK_MEDIA_DEVICE_CAMERA,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkMediaProbe:level-db:
   *
   * The microphone's latest RMS level in dBFS while a run goes on.
   */
  properties[PROP_LEVEL_DB] =
    g_param_spec_double ("level-db", NULL, NULL,
                         EK_MEDIA_PROBE_SILENCE_DB, 0, EK_MEDIA_PROBE_SILENCE_DB,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkMediaProbe::frame:
   * @frame: the camera's picture, RGBA
   *
   * A preview frame while a camera run goes on, at most one waiting at a time.
   */
  signals[FRAME] =
    g_signal_new ("frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME);
}

static void
ek_media_probe_init (EkMediaProbe *self)
{
  self->level_db = EK_MEDIA_PROBE_SILENCE_DB;
}

/* Public API */

EkMediaProbe *
ek_media_probe_new (EkMediaDeviceKind kind)
{
  return g_object_new (EK_TYPE_MEDIA_PROBE, "kind", kind, NULL);
}

EkMediaDeviceKind
ek_media_probe_get_kind (EkMediaProbe *self)
{
  g_return_val_if_fail (EK_IS_MEDIA_PROBE (self), EK_MEDIA_DEVICE_CAMERA);

  return self->kind;
}

/**
 * ek_media_probe_set_device_id:
 * @device_id: (nullable): an EkMediaDevice id; %NULL: the first device of the kind
 */
void
ek_media_probe_set_device_id (EkMediaProbe *self,
                              const char   *device_id)
{
  g_return_if_fail (EK_IS_MEDIA_PROBE (self));

  g_free (self->device_id);
  self->device_id = g_strdup (device_id);
}

/**
 * ek_media_probe_set_description:
 * @description: (nullable): a GStreamer source in gst-launch syntax (the configured test
 *   sources, or a test's black or still picture); %NULL: the device
 */
void
ek_media_probe_set_description (EkMediaProbe *self,
                                const char   *description)
{
  g_return_if_fail (EK_IS_MEDIA_PROBE (self));

  g_free (self->description);
  self->description = g_strdup (description);
}

double
ek_media_probe_get_level_db (EkMediaProbe *self)
{
  g_return_val_if_fail (EK_IS_MEDIA_PROBE (self), EK_MEDIA_PROBE_SILENCE_DB);

  return self->level_db;
}

gboolean
ek_media_probe_get_running (EkMediaProbe *self)
{
  g_return_val_if_fail (EK_IS_MEDIA_PROBE (self), FALSE);

  return self->running;
}

static void
set_running (EkMediaProbe *self,
             gboolean      running)
{
  if (self->running == running)
    return;

  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_run_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;

  set_running (EK_MEDIA_PROBE (source), FALSE);
  g_task_return_pointer (outer, g_object_ref (result), g_object_unref);
}

/**
 * ek_media_probe_run_async:
 * @duration_ms: how long to look and listen
 *
 * Opens the device, measures for @duration_ms and closes it again.
 */
void
ek_media_probe_run_async (EkMediaProbe        *self,
                          guint                duration_ms,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (EK_IS_MEDIA_PROBE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, ek_media_probe_run_async);
  /* The inner task reports cancellation; the outer one only carries it. */
  g_task_set_check_cancellable (outer, FALSE);

  data = g_new0 (RunData, 1);
  data->probe = self;
  data->kind = self->kind;
  data->device_id = g_strdup (self->device_id);
  data->description = g_strdup (self->description);
  data->duration_ms = duration_ms;
  data->context = g_main_context_ref_thread_default ();
  data->stats.first_frame_ms = -1;
  data->stats.peak_db = EK_MEDIA_PROBE_SILENCE_DB;
  data->stats.floor_db = EK_MEDIA_PROBE_SILENCE_DB;
  g_mutex_init (&data->lock);

  set_running (self, TRUE);

  /* The inner task runs the thread; the outer one completes after "running" is
   * back to FALSE, on the caller's context. */
  task = g_task_new (self, cancellable, on_run_done_cb, g_steal_pointer (&outer));
  g_task_set_source_tag (task, run_thread);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

/**
 * ek_media_probe_run_finish:
 * @stats: (out caller-allocates) (optional): what was measured
 *
 * Returns: %TRUE when the device ran for the whole time (a camera that gave no frame
 *   still succeeds: @stats says so)
 */
gboolean
ek_media_probe_run_finish (EkMediaProbe       *self,
                           GAsyncResult       *result,
                           EkMediaProbeStats  *stats,
                           GError            **error)
{
  g_autoptr(GAsyncResult) inner = NULL;
  RunData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_media_probe_run_async, FALSE);

  inner = g_task_propagate_pointer (G_TASK (result), NULL);
  data = g_task_get_task_data (G_TASK (inner));

  if (stats != NULL)
    {
      g_mutex_lock (&data->lock);
      *stats = data->stats;
      g_mutex_unlock (&data->lock);
    }

  return g_task_propagate_boolean (G_TASK (inner), error);
}

/**
 * ek_media_play_test_tone_async:
 * @duration_ms: how long the tone sounds
 *
 * Plays a tone on the default speaker so the person can say whether they heard it.
 */
void
ek_media_play_test_tone_async (guint                duration_ms,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_media_play_test_tone_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (duration_ms), NULL);
  g_task_run_in_thread (task, tone_thread);
}

gboolean
ek_media_play_test_tone_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
