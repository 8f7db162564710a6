/* test-recorder-analysis.c: the recorder's face-monitor and audio-analysis
 * branches, played from non-live sources faster than real time as a harness
 * does: the face monitor's frames (size, rate, times, nothing lost), the
 * level every 100 ms in media time */

#include "config.h"

#include <math.h>

#include <gst/app/gstappsink.h>

#include "ek-recorder-private.h"

/* Runs @pipeline to its end; returns the element messages seen, in order. */
static GPtrArray *
run_to_eos (GstElement *pipeline)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_message_unref);
  gboolean done = FALSE;

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  while (!done)
    {
      GstMessage *message = gst_bus_timed_pop (bus, 30 * GST_SECOND);

      g_assert_nonnull (message);
      switch ((int) GST_MESSAGE_TYPE (message))
        {
        case GST_MESSAGE_ERROR:
          {
            g_autoptr(GError) error = NULL;

            gst_message_parse_error (message, &error, NULL);
            g_error ("pipeline error: %s", error->message);
          }
          break;

        case GST_MESSAGE_EOS:
          done = TRUE;
          break;

        case GST_MESSAGE_ELEMENT:
          g_ptr_array_add (messages, gst_message_ref (message));
          break;

        default:
          break;
        }
      gst_message_unref (message);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  return messages;
}

typedef struct
{
  GMutex     lock;
  GPtrArray *frames;  /* EkVideoFrame */
} Frames;

static GstFlowReturn
on_face_sample_cb (GstAppSink *sink,
                   gpointer    user_data)
{
  Frames *frames = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  EkVideoFrame *frame = sample != NULL ? ek_recorder_frame_from_sample (sample) : NULL;

  if (frame != NULL)
    {
      g_mutex_lock (&frames->lock);
      g_ptr_array_add (frames->frames, frame);
      g_mutex_unlock (&frames->lock);
    }

  return GST_FLOW_OK;
}

/* Ten seconds of a 4:3 clip at 25 fps: twenty monitor frames at 2 fps, each
 * 640x360 RGBA, half a second apart, and none dropped although nothing runs in
 * real time. */
static void
test_face_monitor (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("videotestsrc", NULL);
  GstElement *caps = gst_element_factory_make ("capsfilter", NULL);
  GstElement *monitor = ek_recorder_analysis_make_face_monitor (FALSE, &error);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstAppSinkCallbacks callbacks = { .new_sample = on_face_sample_cb };
  g_autoptr(GstCaps) clip_caps = gst_caps_from_string ("video/x-raw,width=640,height=480,framerate=25/1");
  g_autoptr(GPtrArray) messages = NULL;
  Frames frames = { .frames = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_video_frame_unref) };
  gint64 started = g_get_monotonic_time ();

  g_assert_no_error (error);
  g_assert_nonnull (monitor);
  g_mutex_init (&frames.lock);
  g_object_set (src, "num-buffers", 250, "pattern", 18 /* ball */, NULL);
  g_object_set (caps, "caps", clip_caps, NULL);
  /* a harness's sink: nothing dropped, no clock */
  g_object_set (sink, "sync", FALSE, "max-buffers", 1, "drop", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, &frames, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, caps, monitor, sink, NULL);
  g_assert_true (gst_element_link_many (src, caps, monitor, sink, NULL));

  messages = run_to_eos (pipeline);

  g_assert_cmpuint (frames.frames->len, ==, 20);
  for (guint i = 0; i < frames.frames->len; i++)
    {
      EkVideoFrame *frame = g_ptr_array_index (frames.frames, i);

      g_assert_cmpuint (ek_video_frame_get_width (frame), ==, 640);
      g_assert_cmpuint (ek_video_frame_get_height (frame), ==, 360);
      g_assert_cmpint (ek_video_frame_get_pts_ns (frame), ==, (gint64) i * GST_SECOND / 2);
    }
  /* ten seconds of clip, played much faster than that */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 8 * G_USEC_PER_SEC);

  g_ptr_array_unref (frames.frames);
  g_mutex_clear (&frames.lock);
}

/* Plays @n_buffers of 100 ms of a sine at @volume through the audio analysis;
 * returns the levels handed on and their media times. */
static void
play_audio (guint    n_buffers,
            double   volume,
            GArray  *levels,
            GArray  *times)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("audiotestsrc", NULL);
  GstElement *caps = gst_element_factory_make ("capsfilter", NULL);
  GstElement *analysis = ek_recorder_analysis_make_audio (FALSE, &error);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstCaps) clip_caps = gst_caps_from_string ("audio/x-raw,format=S16LE,rate=48000,channels=1");
  g_autoptr(GPtrArray) messages = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (analysis);
  g_object_set (src, "num-buffers", n_buffers, "samplesperbuffer", 4800, "volume", volume, NULL);
  g_object_set (caps, "caps", clip_caps, NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, caps, analysis, sink, NULL);
  g_assert_true (gst_element_link_many (src, caps, analysis, sink, NULL));

  messages = run_to_eos (pipeline);

  for (guint i = 0; i < messages->len; i++)
    {
      double level;
      GstClockTime time;

      if (ek_recorder_analysis_parse_level (g_ptr_array_index (messages, i), &level, &time))
        {
          g_array_append_val (levels, level);
          g_array_append_val (times, time);
        }
    }
}

static void
test_audio_level (void)
{
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  /* 0.5 s of a sine at 0.1: RMS 0.0707, -23 dBFS */
  play_audio (5, 0.1, levels, times);

  g_assert_cmpuint (levels->len, >=, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpfloat_with_epsilon (g_array_index (levels, double, i), -23.0, 0.5);
      g_assert_cmpuint (g_array_index (times, GstClockTime, i), ==, i * 100 * GST_MSECOND);
    }
}

/* A stream that ends on an interval's boundary: `level` posts one more
 * message for the empty interval, with an RMS of NaN. It is not handed on;
 * every level handed on is finite. */
static void
test_audio_level_end_of_stream (void)
{
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (GstClockTime));

  play_audio (3, 0.1, levels, times);

  g_assert_cmpuint (levels->len, ==, 3);
  for (guint i = 0; i < levels->len; i++)
    g_assert_true (isfinite (g_array_index (levels, double, i)));
}

static GstMessage *
level_message (double rms0,
               double rms1)
{
  GValue array = G_VALUE_INIT;
  GValue value = G_VALUE_INIT;
  GstStructure *structure;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_value_init (&array, g_value_array_get_type ());
  g_value_take_boxed (&array, g_value_array_new (2));
  g_value_init (&value, G_TYPE_DOUBLE);
  g_value_set_double (&value, rms0);
  g_value_array_append (g_value_get_boxed (&array), &value);
  g_value_set_double (&value, rms1);
  g_value_array_append (g_value_get_boxed (&array), &value);
  G_GNUC_END_IGNORE_DEPRECATIONS

  structure = gst_structure_new ("level", "stream-time", G_TYPE_UINT64, (guint64) GST_SECOND, NULL);
  gst_structure_take_value (structure, "rms", &array);
  g_value_unset (&value);

  return gst_message_new_element (NULL, structure);
}

/* Each odd value a channel can carry: NaN and +inf are skipped, -inf (digital
 * silence) is the floor, and a message with nothing measured gives no level. */
static void
test_audio_level_non_finite (void)
{
  struct {
    double   rms0;
    double   rms1;
    gboolean handed_on;
    double   level;
  } cases[] = {
    { NAN, NAN, FALSE, 0 },
    { INFINITY, NAN, FALSE, 0 },
    { NAN, -30.0, TRUE, -30.0 },
    { -INFINITY, -INFINITY, TRUE, -100.0 },
    { -INFINITY, -12.0, TRUE, -12.0 },
    { INFINITY, -12.0, TRUE, -12.0 },
    { -250.0, 3.0, TRUE, 0.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GstMessage) message = level_message (cases[i].rms0, cases[i].rms1);
      GstClockTime time = 0;
      double level = 42.0;

      g_assert_cmpint (ek_recorder_analysis_parse_level (message, &level, &time), ==, cases[i].handed_on);
      if (cases[i].handed_on)
        {
          g_assert_true (isfinite (level));
          g_assert_cmpfloat (level, ==, cases[i].level);
          g_assert_cmpuint (time, ==, GST_SECOND);
        }
      else
        {
          g_assert_cmpfloat (level, ==, 42.0);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/recorder-analysis/face-monitor", test_face_monitor);
  g_test_add_func ("/recorder-analysis/audio-level", test_audio_level);
  g_test_add_func ("/recorder-analysis/audio-level/end-of-stream", test_audio_level_end_of_stream);
  g_test_add_func ("/recorder-analysis/audio-level/non-finite", test_audio_level_non_finite);

  return g_test_run ();
}
