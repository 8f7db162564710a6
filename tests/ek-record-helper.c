/* ek-record-helper.c: records with EkRecorder from the test sources, for the kill -9
 * tests and the benchmarks
 *
 * ek-record-helper DIR SECONDS [SEGMENT_SECONDS [KBPS]]
 *
 * With EK_RECORD_SEAL_KEY (base64 X25519 public key) in the environment, every
 * segment is sealed for it (the exam's `recording.public_key`).
 *
 * SECONDS 0 records until killed. Prints "recording" once the pipeline runs,
 * "frame PTS_NS" for each preview frame (how far the recording got, for the kill
 * tests), and a line "segment STREAM INDEX START_NS END_NS SIZE SHA256" per
 * announced segment.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ek-recorder.h"
#include "ek-seal.h"

static GMainLoop *loop;

static void
on_segment_ready_cb (EkRecorder *recorder,
                     EkSegment  *segment,
                     gpointer    user_data)
{
  printf ("segment %s %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT " %s\n",
          ek_segment_get_stream (segment), ek_segment_get_index (segment),
          ek_segment_get_start_ns (segment), ek_segment_get_end_ns (segment),
          ek_segment_get_size (segment), ek_segment_get_sha256 (segment));
  fflush (stdout);
}

static void
on_preview_frame_cb (EkRecorder   *recorder,
                     EkVideoFrame *frame,
                     gpointer      user_data)
{
  printf ("frame %" G_GINT64_FORMAT "\n", ek_video_frame_get_pts_ns (frame));
  fflush (stdout);
}

static void
on_state_cb (EkRecorder *recorder,
             GParamSpec *pspec,
             gpointer    user_data)
{
  if (ek_recorder_get_state (recorder) == EK_RECORDER_STATE_RECORDING)
    {
      printf ("recording\n");
      fflush (stdout);
    }
}

static void
on_failed_cb (EkRecorder   *recorder,
              const GError *error,
              gpointer      user_data)
{
  fprintf (stderr, "failed: %s\n", error->message);
}

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ek_recorder_stop_finish (EK_RECORDER (object), result, &error))
    fprintf (stderr, "stop: %s\n", error->message);
  g_main_loop_quit (loop);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  ek_recorder_stop_async (EK_RECORDER (user_data), NULL, on_stopped_cb, NULL);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EkRecorder) recorder = NULL;
  g_autoptr(GError) error = NULL;
  guint seconds;

  if (argc < 3)
    {
      fprintf (stderr, "usage: %s DIR SECONDS [SEGMENT_SECONDS [KBPS]]\n", argv[0]);
      return 2;
    }

  seconds = atoi (argv[2]);
  recorder = ek_recorder_new (argv[1], EK_MEDIA_SOURCE_TEST);
  if (argc > 3)
    ek_recorder_set_segment_seconds (recorder, atoi (argv[3]));
  if (argc > 4)
    ek_recorder_set_video_bitrate_kbps (recorder, atoi (argv[4]));
  if (g_getenv ("EK_RECORD_SEAL_KEY") != NULL)
    {
      guint8 key[EK_SEAL_KEY_BYTES];
      g_autoptr(GBytes) bytes = NULL;

      if (!ek_seal_public_key_from_base64 (g_getenv ("EK_RECORD_SEAL_KEY"), key, &error))
        {
          fprintf (stderr, "EK_RECORD_SEAL_KEY: %s\n", error->message);
          return 2;
        }
      bytes = g_bytes_new (key, sizeof key);
      ek_recorder_set_seal_key (recorder, bytes);
    }

  g_signal_connect (recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), NULL);
  g_signal_connect (recorder, "notify::state", G_CALLBACK (on_state_cb), NULL);
  g_signal_connect (recorder, "failed", G_CALLBACK (on_failed_cb), NULL);
  g_signal_connect (recorder, "preview-frame", G_CALLBACK (on_preview_frame_cb), NULL);

  if (!ek_recorder_start (recorder, MAX (seconds, 60), &error))
    {
      fprintf (stderr, "start: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  if (seconds > 0)
    g_timeout_add_seconds (seconds, on_timeout_cb, recorder);
  g_main_loop_run (loop);
  g_main_loop_unref (loop);

  return ek_recorder_get_state (recorder) == EK_RECORDER_STATE_STOPPED ? 0 : 1;
}
