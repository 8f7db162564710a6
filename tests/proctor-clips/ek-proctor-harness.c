/* ek-proctor-harness.c: plays labelled clips through the proctoring signals
 *
 * usage: ek-proctor-harness [--loop-seconds N] [--policy JSON] CLIP...
 *
 * CLIP is a path without extension: CLIP.mkv is the camera, CLIP.wav the
 * microphone (a clip without CLIP.mkv is a sound case: only its microphone is
 * played). Each clip goes, in media time and as fast as the detectors allow,
 * through exactly the recorder's analysis branches (ek-recorder-analysis.c, in
 * their lossless form: media time does not run away while a frame is searched):
 *
 *   camera: decode ─ ek_recorder_analysis_make_face_monitor () ─ appsink
 *   microphone: wavparse ─ ek_recorder_analysis_make_audio () (level, VAD) ─ fakesink
 *
 * read with ek_recorder_frame_from_sample(), ek_recorder_analysis_parse_level()
 * and ek_recorder_analysis_parse_voice(), into one EkProctorSignals per clip, in
 * the reading phase.
 *
 * Output, one line each: `clip NAME SECONDS`, then `event NAME SIGNAL START END`
 * in seconds from the clip's start (START is the signal's back-dated start).
 * With --loop-seconds, the clips are played one after the other, again and again,
 * into ONE EkProctorSignals (one long exam) until N seconds of media time have
 * passed; the output is then `loop SECONDS` and events with NAME `loop`.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "ek-json.h"
#include "ek-proctor-signals.h"
#include "ek-recorder-private.h"

#define FACE_FPS      2

typedef struct
{
  gint64   time_us;
  gboolean is_vad;
  double   value;
} AudioEvent;

typedef struct
{
  const char *name;
  gint64      base_us;
} Run;

static void
on_started_cb (EkProctorSignals *signals,
               EkProctorSignal   signal,
               gint64            start_us,
               Run              *run)
{
}

static void
on_ended_cb (EkProctorSignals *signals,
             EkProctorSignal   signal,
             gint64            start_us,
             gint64            end_us,
             Run              *run)
{
  printf ("event %s %s %.2f %.2f\n", run->name, ek_proctor_signal_to_string (signal),
          (start_us - run->base_us) / 1e6, (end_us - run->base_us) / 1e6);
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const AudioEvent *ea = a, *eb = b;

  return ea->time_us < eb->time_us ? -1 : ea->time_us > eb->time_us;
}

/* The whole microphone track first: its levels and voice activity, in media time. */
static GArray *
read_audio (const char *wav,
            gint64      base_us)
{
  g_autofree char *desc = g_strdup_printf ("filesrc location=\"%s\" ! wavparse name=parse", wav);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch (desc, &error);
  g_autoptr(GstElement) parse = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *analysis, *sink;
  GArray *events = g_array_new (FALSE, FALSE, sizeof (AudioEvent));
  gboolean done = FALSE;

  if (pipeline == NULL)
    g_error ("audio pipeline: %s", error->message);
  analysis = ek_recorder_analysis_make_audio (FALSE, &error);
  if (analysis == NULL)
    g_error ("audio analysis: %s", error->message);
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), analysis, sink, NULL);
  parse = gst_bin_get_by_name (GST_BIN (pipeline), "parse");
  if (!gst_element_link_many (parse, analysis, sink, NULL))
    g_error ("cannot link the audio analysis");

  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (!done)
    {
      g_autoptr(GstMessage) message = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
                                                                  GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS |
                                                                  GST_MESSAGE_ERROR);
      AudioEvent e = { 0, };
      GstClockTime t = GST_CLOCK_TIME_NONE;
      gboolean voice = FALSE;

      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        done = TRUE;
      else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) err = NULL;

          gst_message_parse_error (message, &err, NULL);
          g_error ("%s: %s", wav, err->message);
        }
      else if (ek_recorder_analysis_parse_level (message, &e.value, &t) && GST_CLOCK_TIME_IS_VALID (t))
        {
          /* the level covers the 100 ms from @t: known at their end, as live */
          e.time_us = base_us + (gint64) (t / 1000) + 100000;
          g_array_append_val (events, e);
        }
      else if (ek_recorder_analysis_parse_voice (message, &voice, &t) && GST_CLOCK_TIME_IS_VALID (t))
        {
          e.time_us = base_us + (gint64) (t / 1000);
          e.is_vad = TRUE;
          e.value = voice;
          g_array_append_val (events, e);
        }
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_array_sort (events, compare_events);

  return events;
}

static void
feed_audio (EkProctorSignals *signals,
            GArray           *audio,
            guint            *next,
            gint64            until_us)
{
  for (; *next < audio->len; (*next)++)
    {
      AudioEvent *e = &g_array_index (audio, AudioEvent, *next);

      if (e->time_us > until_us)
        break;
      if (g_getenv ("EK_HARNESS_TRACE") != NULL)
        printf ("trace %.1f %s %.1f\n", e->time_us / 1e6, e->is_vad ? "vad" : "level", e->value);
      if (e->is_vad)
        ek_proctor_signals_push_voice_activity (signals, e->value != 0, e->time_us);
      else
        ek_proctor_signals_push_level (signals, e->value, e->time_us);
    }
}

/* Plays one clip from media time @base_us; returns its end. */
static gint64
play_clip (EkProctorSignals *signals,
           const char       *clip,
           gint64            base_us)
{
  g_autofree char *wav = g_strconcat (clip, ".wav", NULL);
  g_autofree char *mkv = g_strconcat (clip, ".mkv", NULL);
  g_autoptr(GArray) audio = read_audio (wav, base_us);
  g_autofree char *desc = g_strdup_printf (
    "filesrc location=\"%s\" ! decodebin ! videoconvert name=decoded "
    "appsink name=face sync=false max-buffers=2 drop=false enable-last-sample=false", mkv);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  gint64 end_us = base_us;
  guint next = 0;

  /* a sound case has no picture */
  if (g_file_test (mkv, G_FILE_TEST_EXISTS))
    {
      g_autoptr(GstElement) decoded = NULL;
      GstElement *monitor;

      pipeline = gst_parse_launch (desc, &error);
      if (pipeline == NULL)
        g_error ("video pipeline: %s", error->message);
      monitor = ek_recorder_analysis_make_face_monitor (FALSE, &error);
      if (monitor == NULL)
        g_error ("face monitor: %s", error->message);
      gst_bin_add (GST_BIN (pipeline), monitor);
      decoded = gst_bin_get_by_name (GST_BIN (pipeline), "decoded");
      sink = gst_bin_get_by_name (GST_BIN (pipeline), "face");
      if (!gst_element_link_many (decoded, monitor, sink, NULL))
        g_error ("cannot link the face monitor");
      gst_element_set_state (pipeline, GST_STATE_PLAYING);
    }

  while (sink != NULL)
    {
      g_autoptr(GstSample) sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
      g_autoptr(EkVideoFrame) frame = NULL;
      gint64 t;
      guint64 n;

      if (sample == NULL)
        break;
      frame = ek_recorder_frame_from_sample (sample);
      if (frame == NULL || !GST_BUFFER_PTS_IS_VALID (gst_sample_get_buffer (sample)))
        continue;
      t = base_us + (gint64) (GST_BUFFER_PTS (gst_sample_get_buffer (sample)) / 1000);
      end_us = MAX (end_us, t + G_USEC_PER_SEC / FACE_FPS);
      feed_audio (signals, audio, &next, t);

      n = ek_proctor_signals_get_n_frames (signals);
      if (ek_proctor_signals_push_frame_at (signals, frame, t))
        while (ek_proctor_signals_get_n_frames (signals) == n)
          g_main_context_iteration (NULL, TRUE);
    }
  if (pipeline != NULL)
    gst_element_set_state (pipeline, GST_STATE_NULL);

  if (audio->len > 0)
    end_us = MAX (end_us, g_array_index (audio, AudioEvent, audio->len - 1).time_us);
  feed_audio (signals, audio, &next, G_MAXINT64);

  return end_us;
}

static EkProctorSignals *
new_signals (const EkProctoringPolicy *policy,
             Run                      *run)
{
  g_autoptr(GError) error = NULL;
  EkProctorSignals *signals = ek_proctor_signals_new (policy, &error);

  if (signals == NULL)
    g_error ("%s", error->message);
  ek_proctor_signals_set_reading_phase (signals, TRUE);
  g_signal_connect (signals, "signal-started", G_CALLBACK (on_started_cb), run);
  g_signal_connect (signals, "signal-ended", G_CALLBACK (on_ended_cb), run);

  return signals;
}

int
main (int    argc,
      char **argv)
{
  double loop_seconds = 0;
  g_autofree char *policy_json = NULL;
  GOptionEntry entries[] = {
    { "loop-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &loop_seconds, "Play the clips as one exam this long", "N" },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &policy_json, "The exam's proctoring object", "JSON" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("CLIP...");
  g_autoptr(GError) error = NULL;
  EkProctoringPolicy policy;
  /* media time starts far from 0, as a monotonic clock would */
  const gint64 origin = 1000 * G_USEC_PER_SEC;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: ek-proctor-harness CLIP...");
      return 2;
    }
  gst_init (NULL, NULL);

  if (policy_json != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (policy_json, &error);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node) ||
          !ek_proctoring_policy_parse (&policy, json_node_get_object (node), TRUE, &error))
        {
          g_printerr ("policy: %s\n", error != NULL ? error->message : "not an object");
          return 2;
        }
    }
  else
    ek_proctoring_policy_init_defaults (&policy);

  if (loop_seconds > 0)
    {
      Run run = { "loop", origin };
      g_autoptr(EkProctorSignals) signals = new_signals (&policy, &run);
      gint64 t = origin;

      while (t - origin < (gint64) (loop_seconds * G_USEC_PER_SEC))
        for (int i = 1; i < argc; i++)
          t = play_clip (signals, argv[i], t);
      ek_proctor_signals_stop_at (signals, t);
      printf ("loop %.1f\n", (t - origin) / 1e6);
      return 0;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *name = g_path_get_basename (argv[i]);
      Run run = { name, origin };
      g_autoptr(EkProctorSignals) signals = new_signals (&policy, &run);
      gint64 end = play_clip (signals, argv[i], origin);

      ek_proctor_signals_stop_at (signals, end);
      printf ("clip %s %.1f\n", name, (end - origin) / 1e6);
      fflush (stdout);
    }

  return 0;
}
