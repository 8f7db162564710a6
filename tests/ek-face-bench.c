/* ek-face-bench.c: drives the face benchmarks (bench/figures/face_*.sh)
 *
 * ek-face-bench detect FILE WIDTH HEIGHT
 *   Searches every frame of FILE (raw RGBA, WIDTH x HEIGHT) with EkFaceDetector,
 *   one after the other, as the app does; prints the frames and faces to stderr.
 *   The script measures the process's CPU time.
 *
 * ek-face-bench monitor DIR SECONDS
 *   Records with EkRecorder from the test sources into DIR and, in alternating
 *   windows of SECONDS / 4, runs the live monitor (EkProctorSignals at the
 *   policy's default rate, fed by the recorder's face frames) or not. Prints
 *   "off CPU_S on CPU_S window WINDOW_S threads DETECTOR_CPU_S".
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gst/gst.h>

#include "ek-face-detector.h"
#include "ek-proctor-signals.h"
#include "ek-recorder.h"

static double
process_cpu (void)
{
  struct rusage r;

  getrusage (RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

/* CPU seconds of this process's threads named after the detector's queues. */
static double
detector_threads_cpu (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  double total = 0;
  long ticks = sysconf (_SC_CLK_TCK);

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%s/stat", tid);
      g_autofree char *comm = NULL;
      g_autofree char *stat = NULL;
      char *p;
      unsigned long utime = 0, stime = 0;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) || !g_str_has_prefix (comm, "fdq-"))
        continue;
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL)
        continue;
      /* fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
      if (sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2)
        total += (double) (utime + stime) / ticks;
    }

  return total;
}

static int
run_detect (const char *path,
            int         width,
            int         height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkFaceDetector) detector = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL, &error);
  g_autoptr(GMappedFile) file = NULL;
  gsize frame_size = (gsize) width * height * 4;
  gsize n_frames;
  guint n_faces = 0;
  g_autoptr(GBytes) all = NULL;

  if (detector == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  all = g_mapped_file_get_bytes (file);
  n_frames = g_bytes_get_size (all) / frame_size;

  for (gsize i = 0; i < n_frames; i++)
    {
      g_autoptr(GBytes) pixels = g_bytes_new_from_bytes (all, i * frame_size, frame_size);
      g_autoptr(EkVideoFrame) frame = ek_video_frame_new (pixels, width, height, (gsize) width * 4, -1);
      g_autoptr(EkFaceDetection) detection = ek_face_detector_detect_sync (detector, frame, &error);

      if (detection == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      n_faces += ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL);
    }

  fprintf (stderr, "ek-face-bench: %" G_GSIZE_FORMAT " frames, %u faces\n", n_frames, n_faces);
  return 0;
}

typedef struct
{
  EkProctorSignals *signals;
  gboolean          on;
  guint64           n_frames;
} Monitor;

static void
on_face_frame_cb (EkRecorder   *recorder,
                  EkVideoFrame *frame,
                  gpointer      user_data)
{
  Monitor *m = user_data;

  if (!m->on)
    return;
  m->n_frames++;
  ek_proctor_signals_push_frame (m->signals, frame);
}

static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  ek_recorder_stop_finish (EK_RECORDER (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
wait_seconds (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (2000), TRUE);
}

static int
run_monitor (const char *dir,
             int         seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkRecorder) recorder = ek_recorder_new (dir, EK_MEDIA_SOURCE_TEST);
  Monitor m = { 0, };
  double window = seconds / 4.0;
  double off = 0, on = 0, threads;
  gboolean stopped = FALSE;

  m.signals = ek_proctor_signals_new (NULL, &error);
  if (m.signals == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  g_signal_connect (recorder, "face-frame", G_CALLBACK (on_face_frame_cb), &m);
  if (!ek_recorder_start (recorder, MAX (seconds + 30, 60), &error))
    {
      fprintf (stderr, "start: %s\n", error->message);
      return 1;
    }
  while (ek_recorder_get_state (recorder) != EK_RECORDER_STATE_RECORDING)
    g_main_context_iteration (NULL, TRUE);
  wait_seconds (3.0);   /* past the start-up */

  for (int i = 0; i < 4; i++)
    {
      double before = process_cpu ();

      m.on = (i == 1 || i == 3);
      wait_seconds (window);
      if (m.on)
        on += process_cpu () - before;
      else
        off += process_cpu () - before;
    }
  threads = detector_threads_cpu ();

  m.on = FALSE;
  ek_recorder_stop_async (recorder, NULL, on_stopped_cb, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  printf ("off %.3f on %.3f window %.3f threads %.3f frames %" G_GUINT64_FORMAT "\n",
          off, on, 2 * window, threads, ek_proctor_signals_get_n_frames (m.signals));
  g_object_unref (m.signals);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);

  if (argc == 5 && g_str_equal (argv[1], "detect"))
    return run_detect (argv[2], atoi (argv[3]), atoi (argv[4]));
  if (argc == 4 && g_str_equal (argv[1], "monitor"))
    return run_monitor (argv[2], atoi (argv[3]));

  fprintf (stderr, "usage: %s detect FILE WIDTH HEIGHT | monitor DIR SECONDS\n", argv[0]);
  return 2;
}
