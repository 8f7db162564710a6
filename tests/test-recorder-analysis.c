/* test-recorder-analysis.c: the recorder's face-monitor and audio-analysis
 * branches, played from non-live sources faster than real time as a harness
 * does: the face monitor's frames (size, rate, times, nothing lost), the
 * level every 100 ms in media time, never a non-finite one, and WebRTC's
 * voice detector (WebRTC's VAD and EkVoiceDetector) on speech (espeak-ng),
 * silence and tones */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>

#include "ek-recorder-private.h"
#include "ek-test-media.h"

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

/* Voice activity */

typedef struct
{
  double  duration_s;   /* of the clip */
  double  voice_s;      /* with voice */
  guint   onsets;       /* changes to voice */
  double  first_onset_s;
} Voice;

/* Plays @source (a description ending in raw audio) through the audio
 * analysis, lossless and faster than real time, and sums up what the voice
 * activity detector said. */
static void
play_voice (const char *source,
            double      duration_s,
            Voice      *voice)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = g_strdup_printf ("%s ! audioconvert name=last", source);
  g_autoptr(GstElement) pipeline = gst_parse_launch (desc, &error);
  g_autoptr(GstElement) last = NULL;
  GstElement *analysis = ek_recorder_analysis_make_audio (FALSE, &error);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GPtrArray) messages = NULL;
  double on_since = -1;

  g_assert_no_error (error);
  g_object_set (sink, "sync", FALSE, NULL);
  last = gst_bin_get_by_name (GST_BIN (pipeline), "last");
  gst_bin_add_many (GST_BIN (pipeline), analysis, sink, NULL);
  g_assert_true (gst_element_link_many (last, analysis, sink, NULL));

  messages = run_to_eos (pipeline);

  *voice = (Voice) { .duration_s = duration_s, .first_onset_s = -1 };
  for (guint i = 0; i < messages->len; i++)
    {
      GstClockTime time;
      gboolean active;
      double t;

      if (!ek_recorder_analysis_parse_voice (g_ptr_array_index (messages, i), &active, &time))
        continue;

      g_assert_true (GST_CLOCK_TIME_IS_VALID (time));
      t = (double) time / GST_SECOND;
      if (active && on_since < 0)
        {
          on_since = t;
          voice->onsets++;
          if (voice->first_onset_s < 0)
            voice->first_onset_s = t;
        }
      else if (!active && on_since >= 0)
        {
          voice->voice_s += t - on_since;
          on_since = -1;
        }
    }
  if (on_since >= 0)
    voice->voice_s += duration_s - on_since;
}

static char *
synthesize_speech (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "speech.wav", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "espeak-ng", "-w", path,
    "The quick brown fox jumps over the lazy dog. "
    "Please answer the question in your own words, and take your time.",
    NULL
  };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    return NULL;
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  return g_steal_pointer (&path);
}

/* Speech from espeak-ng (two sentences, about 6.4 s): voice within the
 * detector's first three blocks of 100 ms (and the 30 ms it looks ahead), for
 * most of its length; the pause between the sentences is bridged (a pause
 * under a second is part of the talk). */
static void
test_voice_speech (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ek-vad-XXXXXX", NULL);
  g_autofree char *path = synthesize_speech (dir);
  g_autofree char *source = NULL;
  Voice voice;

  if (path == NULL)
    {
      g_test_skip ("espeak-ng is not installed (scripts/install-deps.sh)");
      g_rmdir (dir);
      return;
    }

  source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", path);
  play_voice (source, 6.4, &voice);
  g_test_message ("speech: %.2f s of voice in %.1f s, %u onsets, first at %.2f s",
                  voice.voice_s, voice.duration_s, voice.onsets, voice.first_onset_s);

  g_assert_cmpfloat (voice.first_onset_s, >=, 0);
  g_assert_cmpfloat (voice.first_onset_s, <, 0.8);
  g_assert_cmpfloat (voice.voice_s / voice.duration_s, >, 0.7);
  g_assert_cmpuint (voice.onsets, >=, 1);
  g_assert_cmpuint (voice.onsets, <=, 2);

  g_unlink (path);
  g_rmdir (dir);
}

/* Five seconds of silence: never voice. */
static void
test_voice_silence (void)
{
  Voice voice;

  play_voice ("audiotestsrc wave=silence samplesperbuffer=4800 num-buffers=50", 5.0, &voice);

  g_assert_cmpuint (voice.onsets, ==, 0);
  g_assert_cmpfloat (voice.voice_s, ==, 0);
}

/* Steady tones (a beep at 440 Hz and 1 kHz, at -23 and -9 dBFS): whatever
 * WebRTC's detector makes of a pure tone in the speech band, the voice
 * detector beside it never calls it voice. */
static void
test_voice_tone (void)
{
  const char *tones[] = {
    "audiotestsrc wave=sine freq=440 volume=0.1 samplesperbuffer=4800 num-buffers=50",
    "audiotestsrc wave=sine freq=1000 volume=0.1 samplesperbuffer=4800 num-buffers=50",
    "audiotestsrc wave=sine freq=440 volume=0.5 samplesperbuffer=4800 num-buffers=50",
    "audiotestsrc wave=sine freq=1000 volume=0.5 samplesperbuffer=4800 num-buffers=50",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tones); i++)
    {
      Voice voice;

      play_voice (tones[i], 5.0, &voice);
      g_test_message ("%s: %.2f s of voice, %u onsets", tones[i], voice.voice_s, voice.onsets);
      g_assert_cmpuint (voice.onsets, ==, 0);
      g_assert_cmpfloat (voice.voice_s, ==, 0);
    }
}

static void
on_voice_activity_cb (EkRecorder *recorder,
                      gboolean    active,
                      gint64      media_time_ns,
                      gint64     *seen)
{
  *seen = active ? media_time_ns : -media_time_ns;
}

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *stopped = user_data;

  g_assert_true (ek_recorder_stop_finish (EK_RECORDER (object), result, NULL));
  *stopped = TRUE;
}

/* The recorder's pipeline carries the detector, and its messages become
 * ::voice-activity and :voice-active. */
static void
test_voice_recorder (void)
{
  g_autoptr(EkRecorder) recorder = ek_recorder_new_preview (EK_MEDIA_SOURCE_TEST);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) vad = NULL;
  g_autoptr(GstBus) bus = NULL;
  gint64 seen = 0;
  gboolean stopped = FALSE;

  g_signal_connect (recorder, "voice-activity", G_CALLBACK (on_voice_activity_cb), &seen);
  g_assert_true (ek_recorder_start (recorder, 60, &error));
  g_assert_no_error (error);

  vad = gst_bin_get_by_name (GST_BIN (recorder->pipeline), "vad");
  g_assert_nonnull (vad);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (vad), ==, "GstWebrtcDsp");
  ek_test_wait_until (ek_recorder_get_state (recorder) == EK_RECORDER_STATE_RECORDING, 10);

  /* what the detector posts, on the recorder's bus */
  bus = gst_element_get_bus (recorder->pipeline);
  gst_bus_post (bus, gst_message_new_element (GST_OBJECT (vad),
                gst_structure_new (EK_RECORDER_VOICE_MESSAGE,
                                   "stream-time", G_TYPE_UINT64, (guint64) 7 * GST_SECOND,
                                   "stream-has-voice", G_TYPE_BOOLEAN, !ek_recorder_get_voice_active (recorder),
                                   NULL)));
  ek_test_wait_until (seen == 7 * GST_SECOND || seen == -7 * GST_SECOND, 5);
  g_assert_cmpint (ek_recorder_get_voice_active (recorder), ==, seen > 0);

  ek_recorder_stop_async (recorder, NULL, on_stopped_cb, &stopped);
  ek_test_wait_until (stopped, 10);
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
  g_test_add_func ("/recorder-analysis/voice/speech", test_voice_speech);
  g_test_add_func ("/recorder-analysis/voice/silence", test_voice_silence);
  g_test_add_func ("/recorder-analysis/voice/tone", test_voice_tone);
  g_test_add_func ("/recorder-analysis/voice/recorder", test_voice_recorder);

  return g_test_run ();
}
