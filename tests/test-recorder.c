/* test-recorder.c: a 60 s recording from the test sources: ten-second segments that
 * decode with both streams and the right durations, no gaps between them, audio and
 * video together, hashes that match the files, private files in a private folder */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-recorder.h"
#include "ek-test-media.h"

#define RECORD_SECONDS  60
#define SEGMENT_SECONDS 10
#define FRAME_NS        (GST_SECOND / 30)
/* One Opus frame: segments split on video keyframes, audio lands on either side
 * of the cut with 20 ms granularity. */
#define OPUS_FRAME_NS   (20 * GST_MSECOND)

typedef struct
{
  char       *dir;
  GMainLoop  *loop;
  GPtrArray  *segments;
  gboolean    stopped;
} Fixture;

static void
on_segment_ready_cb (EkRecorder *recorder,
                     EkSegment  *segment,
                     Fixture    *f)
{
  g_ptr_array_add (f->segments, ek_segment_ref (segment));
}

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_recorder_stop_finish (EK_RECORDER (object), result, &error));
  g_assert_no_error (error);
  f->stopped = TRUE;
  g_main_loop_quit (f->loop);
}

static gboolean
on_record_time_cb (gpointer user_data)
{
  EkRecorder *recorder = user_data;

  ek_recorder_stop_async (recorder, NULL, on_stopped_cb, g_object_get_data (G_OBJECT (recorder), "fixture"));
  return G_SOURCE_REMOVE;
}

static void
on_state_cb (EkRecorder *recorder,
             GParamSpec *pspec,
             gpointer    user_data)
{
  /* Count the recording time from when the pipeline really runs. */
  if (ek_recorder_get_state (recorder) == EK_RECORDER_STATE_RECORDING)
    g_timeout_add_seconds (RECORD_SECONDS, on_record_time_cb, recorder);
}

static void
test_recording (void)
{
  Fixture f = { 0 };
  g_autoptr(EkRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_dir = NULL;
  gint64 total = 0;

  f.dir = g_dir_make_tmp ("ek-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  session_dir = g_build_filename (f.dir, "session", NULL);
  f.loop = g_main_loop_new (NULL, FALSE);
  f.segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);

  recorder = ek_recorder_new (session_dir, EK_MEDIA_SOURCE_TEST);
  ek_recorder_set_segment_seconds (recorder, SEGMENT_SECONDS);
  ek_recorder_set_video_bitrate_kbps (recorder, 1000);
  g_object_set_data (G_OBJECT (recorder), "fixture", &f);
  g_signal_connect (recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), &f);
  g_signal_connect (recorder, "notify::state", G_CALLBACK (on_state_cb), NULL);

  g_assert_true (ek_recorder_start (recorder, RECORD_SECONDS, &error));
  g_assert_no_error (error);
  g_main_loop_run (f.loop);

  g_assert_true (f.stopped);
  g_assert_cmpint (ek_recorder_get_state (recorder), ==, EK_RECORDER_STATE_STOPPED);
  g_assert_null (ek_recorder_get_error (recorder));

  /* 60 s in 10 s segments: six full ones, perhaps a few frames more in a seventh. */
  g_assert_cmpuint (f.segments->len, >=, RECORD_SECONDS / SEGMENT_SECONDS);
  g_assert_cmpuint (f.segments->len, <=, RECORD_SECONDS / SEGMENT_SECONDS + 1);
  g_assert_cmpuint (ek_test_file_mode (session_dir), ==, 0700);

  for (guint i = 0; i < f.segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (f.segments, i);
      const char *path = ek_segment_get_path (segment);
      gboolean last = i == f.segments->len - 1;
      g_autofree char *sha = NULL;
      g_autofree char *basename = g_path_get_basename (path);
      g_autofree char *dirname = g_path_get_dirname (path);
      g_autofree char *expected_name = g_strdup_printf ("camera-%05u.mkv", i);
      g_autofree char *video_caps = NULL;
      g_autofree char *audio_caps = NULL;
      EkTestDecoded decoded;
      guint64 size = 0;
      guint n_video = 0;
      guint n_audio = 0;
      gint64 duration;
      gint64 discovered;

      g_test_message ("segment %u: %s %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                      i, basename, ek_segment_get_start_ns (segment), ek_segment_get_end_ns (segment));

      /* numbering, place, privacy, hash */
      g_assert_cmpstr (ek_segment_get_stream (segment), ==, EK_SEGMENT_STREAM_CAMERA);
      g_assert_cmpuint (ek_segment_get_index (segment), ==, i);
      g_assert_cmpstr (basename, ==, expected_name);
      g_assert_cmpstr (dirname, ==, session_dir);
      g_assert_cmpuint (ek_test_file_mode (path), ==, 0600);
      sha = ek_test_sha256_file (path, &size);
      g_assert_cmpstr (sha, ==, ek_segment_get_sha256 (segment));
      g_assert_cmpuint (size, ==, ek_segment_get_size (segment));

      /* no gap: each segment starts where the previous ended, within a frame */
      duration = ek_segment_get_duration_ns (segment);
      if (i == 0)
        g_assert_cmpint (ek_segment_get_start_ns (segment), <, GST_SECOND);
      else
        {
          EkSegment *previous = g_ptr_array_index (f.segments, i - 1);

          g_assert_cmpint (ABS (ek_segment_get_start_ns (segment) -
                                ek_segment_get_end_ns (previous)), <=, FRAME_NS);
        }
      /* ten seconds; a busy computer drops frames, which moves keyframes, and
       * splitmuxsink then ends a segment at the last keyframe that fits */
      if (!last)
        {
          g_assert_cmpint (duration, <=, SEGMENT_SECONDS * GST_SECOND + FRAME_NS);
          g_assert_cmpint (duration, >=, (SEGMENT_SECONDS - 1) * GST_SECOND - FRAME_NS);
        }
      total += duration;

      /* what a player sees: both streams, the right length */
      discovered = ek_test_discover_file (path, &n_video, &n_audio, &video_caps, &audio_caps);
      g_test_message ("  discovered %" G_GINT64_FORMAT " ns, %s / %s", discovered, video_caps, audio_caps);
      g_assert_cmpuint (n_video, ==, 1);
      g_assert_cmpuint (n_audio, ==, 1);
      g_assert_true (g_str_has_prefix (video_caps, "video/x-h264"));
      g_assert_true (g_str_has_prefix (audio_caps, "audio/x-opus"));
      /* At the very start the microphone delivers before the camera's first
       * frame: the first file holds that audio too. */
      if (!last)
        g_assert_cmpint (ABS (discovered - (i == 0 ? ek_segment_get_end_ns (segment) : duration)),
                         <=, FRAME_NS + OPUS_FRAME_NS);

      /* every frame decodes; audio and video cover the same time (A/V sync) */
      ek_test_decode_file (path, &decoded);
      g_test_message ("  decoded %u frames %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                      ", audio %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                      decoded.video_frames, decoded.video_start, decoded.video_end,
                      decoded.audio_start, decoded.audio_end);
      g_assert_null (decoded.error);
      g_assert_cmpuint (decoded.width, ==, 1280);
      g_assert_cmpuint (decoded.height, ==, 720);
      /* all frames, or nearly: a computer too busy to encode in real time
       * drops frames rather than fall behind */
      if (!last)
        g_assert_cmpuint (decoded.video_frames, >=, SEGMENT_SECONDS * 30 * 9 / 10);
      g_assert_cmpuint (decoded.video_frames, <=, SEGMENT_SECONDS * 30);
      if (i == 0)
        g_assert_cmpint (decoded.audio_start, <=, decoded.video_start + OPUS_FRAME_NS);
      else
        g_assert_cmpint (ABS (decoded.audio_start - decoded.video_start), <=, OPUS_FRAME_NS + FRAME_NS);
      /* (the last one ends where each source happened to stop) */
      if (!last)
        g_assert_cmpint (ABS (decoded.audio_end - decoded.video_end), <=, OPUS_FRAME_NS + FRAME_NS);
      g_assert_cmpint (ABS ((decoded.video_end - decoded.video_start) - duration), <=, 2 * FRAME_NS);
      ek_test_decoded_clear (&decoded);
    }

  /* nothing lost between the segments: together they are the whole recording */
  /* (a starved test source may lag the clock a little at the end) */
  g_assert_cmpint (total, >=, (RECORD_SECONDS - 2) * GST_SECOND);
  g_assert_cmpint (total, <=, RECORD_SECONDS * GST_SECOND + 2 * GST_SECOND);

  g_signal_handlers_disconnect_by_data (recorder, &f);
  g_assert_finalize_object (g_steal_pointer (&recorder));

  for (guint i = 0; i < f.segments->len; i++)
    g_unlink (ek_segment_get_path (g_ptr_array_index (f.segments, i)));
  g_rmdir (session_dir);
  g_rmdir (f.dir);
  g_ptr_array_unref (f.segments);
  g_main_loop_unref (f.loop);
  g_free (f.dir);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recorder/sixty-seconds", test_recording);

  return g_test_run ();
}
