/* test-recorder-live.c: the recorder while it runs: preview and face-monitor frame
 * rates, the level meter, the free space check before and during the recording, a
 * camera that vanishes and comes back, segment numbering across restarts, the
 * screen stream and the device list */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ek-media-device.h"
#include "ek-recorder.h"
#include "ek-recorder-test.h"
#include "ek-test-media.h"

#define FRAME_NS (GST_SECOND / 30)

typedef struct
{
  char       *dir;
  char       *session_dir;
  EkRecorder *recorder;
  GPtrArray  *segments;
  guint       preview_frames;
  guint       face_frames;
  EkVideoFrame *last_preview;
  guint       camera_lost;
  guint       camera_restored;
  GError     *failure;
  gboolean    stopped;
  GError     *stop_error;
  gint64      free_bytes;   /* atomic; what the fake disk reports */
  guint       level_updates;
  gboolean    stop_on_failure;
  gint64      video_hole_ns;  /* a stalled camera leaves this much without pictures */
} Fixture;

static void on_stopped_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
on_segment_ready_cb (EkRecorder *recorder,
                     EkSegment  *segment,
                     Fixture    *f)
{
  g_ptr_array_add (f->segments, ek_segment_ref (segment));
}

static void
on_preview_frame_cb (EkRecorder   *recorder,
                     EkVideoFrame *frame,
                     Fixture      *f)
{
  f->preview_frames++;
  g_clear_pointer (&f->last_preview, ek_video_frame_unref);
  f->last_preview = ek_video_frame_ref (frame);
}

static void
on_face_frame_cb (EkRecorder   *recorder,
                  EkVideoFrame *frame,
                  Fixture      *f)
{
  g_assert_cmpuint (ek_video_frame_get_width (frame), ==, 640);
  g_assert_cmpuint (ek_video_frame_get_height (frame), ==, 360);
  f->face_frames++;
}

static void
on_camera_lost_cb (EkRecorder *recorder,
                   Fixture    *f)
{
  f->camera_lost++;
}

static void
on_camera_restored_cb (EkRecorder *recorder,
                       Fixture    *f)
{
  f->camera_restored++;
}

static void
on_failed_cb (EkRecorder   *recorder,
              const GError *error,
              Fixture      *f)
{
  g_clear_error (&f->failure);
  f->failure = g_error_copy (error);

  if (f->stop_on_failure)
    {
      /* The recorder is already closing its files; this stop must wait for
       * the same end. */
      g_assert_cmpint (ek_recorder_get_state (recorder), ==, EK_RECORDER_STATE_STOPPING);
      ek_recorder_stop_async (recorder, NULL, on_stopped_cb, f);
    }
}

static void
on_level_cb (EkRecorder *recorder,
             GParamSpec *pspec,
             Fixture    *f)
{
  f->level_updates++;
}

static gboolean
fake_free_space (const char  *directory,
                 guint64     *free_bytes,
                 gpointer     user_data,
                 GError     **error)
{
  Fixture *f = user_data;

  *free_bytes = (guint64) g_atomic_pointer_get ((gpointer *) &f->free_bytes);
  return TRUE;
}

static void
set_free_bytes (Fixture *f,
                gint64   bytes)
{
  g_atomic_pointer_set ((gpointer *) &f->free_bytes, (gpointer) (gintptr) bytes);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ek-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  f->session_dir = g_build_filename (f->dir, "session", NULL);
  f->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  set_free_bytes (f, G_GINT64_CONSTANT (1) << 40);
}

static EkRecorder *
new_recorder (Fixture *f,
              guint    segment_seconds)
{
  EkRecorder *recorder = ek_recorder_new (f->session_dir, EK_MEDIA_SOURCE_TEST);

  ek_recorder_set_segment_seconds (recorder, segment_seconds);
  ek_recorder_set_free_space_func (recorder, fake_free_space, f, NULL);
  g_signal_connect (recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), f);
  g_signal_connect (recorder, "preview-frame", G_CALLBACK (on_preview_frame_cb), f);
  g_signal_connect (recorder, "face-frame", G_CALLBACK (on_face_frame_cb), f);
  g_signal_connect (recorder, "camera-lost", G_CALLBACK (on_camera_lost_cb), f);
  g_signal_connect (recorder, "camera-restored", G_CALLBACK (on_camera_restored_cb), f);
  g_signal_connect (recorder, "failed", G_CALLBACK (on_failed_cb), f);
  g_signal_connect (recorder, "notify::level-db", G_CALLBACK (on_level_cb), f);

  return recorder;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->recorder != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->recorder, f);
      g_assert_finalize_object (g_steal_pointer (&f->recorder));
    }

  ek_test_remove_folder (f->session_dir);
  g_rmdir (f->dir);

  g_clear_pointer (&f->last_preview, ek_video_frame_unref);
  g_clear_error (&f->failure);
  g_clear_error (&f->stop_error);
  g_ptr_array_unref (f->segments);
  g_free (f->session_dir);
  g_free (f->dir);
}


static void
on_stopped_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fixture *f = user_data;

  ek_recorder_stop_finish (EK_RECORDER (object), result, &f->stop_error);
  f->stopped = TRUE;
}

static void
start_recording (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  f->stopped = FALSE;
  ek_recorder_start (f->recorder, 60, &error);
  g_assert_no_error (error);
  ek_test_wait_until (ek_recorder_get_state (f->recorder) == EK_RECORDER_STATE_RECORDING, 20);
}

static void
stop_recording (Fixture *f)
{
  ek_recorder_stop_async (f->recorder, NULL, on_stopped_cb, f);
  ek_test_wait_until (f->stopped, 30);
}

static gint
compare_segment_index (gconstpointer a,
                       gconstpointer b)
{
  guint ia = ek_segment_get_index (*(EkSegment **) a);
  guint ib = ek_segment_get_index (*(EkSegment **) b);

  return ia < ib ? -1 : ia > ib;
}

/* Every announced segment is a whole file: hash, both streams, no error. */
static void
assert_segments_decode (Fixture  *f,
                        gboolean  check_continuity)
{
  /* Segments are hashed in a worker thread: what counts is that every index
   * is there, in one piece, continuous in time. */
  g_ptr_array_sort (f->segments, compare_segment_index);

  for (guint i = 0; i < f->segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (f->segments, i);
      g_autofree char *sha = ek_test_sha256_file (ek_segment_get_path (segment), NULL);
      EkTestDecoded decoded;

      g_assert_cmpstr (sha, ==, ek_segment_get_sha256 (segment));
      ek_test_decode_file (ek_segment_get_path (segment), &decoded);
      g_test_message ("%s: %u frames %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
                      " audio %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " %s",
                      ek_segment_get_path (segment), decoded.video_frames,
                      decoded.video_start, decoded.video_end,
                      decoded.audio_start, decoded.audio_end,
                      decoded.error ? decoded.error : "");
      g_assert_null (decoded.error);
      g_assert_cmpuint (decoded.video_frames, >, 0);
      g_assert_cmpuint (decoded.audio_buffers, >, 0);
      /* the video track has no hole, camera or not (but for the seconds a
       * stalled camera takes to be noticed) */
      g_assert_cmpint (ABS ((decoded.video_end - decoded.video_start) -
                            ek_segment_get_duration_ns (segment)), <=,
                       2 * FRAME_NS + f->video_hole_ns);
      /* audio and video cover the same time (the first file also holds the
       * audio from before the camera's first frame) */
      if (i + 1 < f->segments->len)
        g_assert_cmpint (ABS (decoded.audio_end - decoded.video_end), <=,
                         60 * GST_MSECOND + f->video_hole_ns);
      if (i > 0)
        g_assert_cmpint (ABS (decoded.audio_start - decoded.video_start), <=,
                         60 * GST_MSECOND + f->video_hole_ns);
      ek_test_decoded_clear (&decoded);

      if (check_continuity && i > 0)
        {
          EkSegment *previous = g_ptr_array_index (f->segments, i - 1);

          g_assert_cmpuint (ek_segment_get_index (segment), ==, ek_segment_get_index (previous) + 1);
          g_assert_cmpint (ABS (ek_segment_get_start_ns (segment) -
                                ek_segment_get_end_ns (previous)), <=, FRAME_NS);
        }
    }
}

static void
test_frames (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(EkVideoFrame) first = NULL;
  g_autoptr(EkVideoFrame) latest = NULL;
  GBytes *a;
  GBytes *b;

  f->recorder = new_recorder (f, 10);
  start_recording (f);
  ek_test_run_for (1000);

  /* Count over 3 s once the pipeline has settled. */
  f->preview_frames = 0;
  f->face_frames = 0;
  first = ek_video_frame_ref (f->last_preview);
  ek_test_run_for (3000);
  g_test_message ("3 s: %u preview frames, %u face frames", f->preview_frames, f->face_frames);
  g_assert_cmpuint (f->preview_frames, >=, 36);   /* 15 fps: 45 */
  g_assert_cmpuint (f->preview_frames, <=, 48);
  g_assert_cmpuint (f->face_frames, >=, 4);       /* 2 fps: 6 */
  g_assert_cmpuint (f->face_frames, <=, 8);

  latest = ek_recorder_dup_preview_frame (f->recorder);
  g_assert_nonnull (latest);
  g_assert_cmpuint (ek_video_frame_get_width (latest), ==, 640);
  g_assert_cmpuint (ek_video_frame_get_height (latest), ==, 360);
  g_assert_cmpuint (ek_video_frame_get_stride (latest), >=, 640 * 4);
  g_assert_cmpint (ek_video_frame_get_pts_ns (latest), >, ek_video_frame_get_pts_ns (first));

  /* the picture moves (the test pattern's ball) */
  a = ek_video_frame_get_pixels (first);
  b = ek_video_frame_get_pixels (latest);
  g_assert_false (g_bytes_equal (a, b));

  stop_recording (f);
  g_assert_no_error (f->stop_error);
}

static double
level_after (Fixture *f,
             double   volume)
{
  ek_recorder_set_test_volume (f->recorder, volume);
  ek_test_run_for (600);
  return ek_recorder_get_level_db (f->recorder);
}

static void
test_level (Fixture       *f,
            gconstpointer  data)
{
  double loud;
  double quiet;
  double silent;
  guint updates;

  f->recorder = new_recorder (f, 10);
  start_recording (f);

  updates = f->level_updates;
  loud = level_after (f, 0.5);
  quiet = level_after (f, 0.01);
  silent = level_after (f, 0.0);
  g_test_message ("level: %.1f dB at 0.5, %.1f dB at 0.01, %.1f dB at 0", loud, quiet, silent);

  /* A sine of amplitude 0.5 has an RMS of -9 dBFS; 0.01 is 34 dB below it. */
  g_assert_cmpfloat (loud, >, -12.0);
  g_assert_cmpfloat (loud, <, -6.0);
  g_assert_cmpfloat (quiet, <, loud - 30.0);
  g_assert_cmpfloat (quiet, >, loud - 38.0);
  g_assert_cmpfloat (silent, <=, -90.0);
  /* notified on each change (a steady sine gives the same RMS every 100 ms) */
  g_assert_cmpuint (f->level_updates - updates, >=, 3);

  stop_recording (f);
}

static void
test_space_precheck (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint64 required;

  f->recorder = new_recorder (f, 10);
  ek_recorder_set_video_bitrate_kbps (f->recorder, 1000);

  /* two hours at 1 Mbit/s + 48 kbit/s of Opus, with 50 % margin: about 1.4 GB */
  required = ek_recorder_get_required_bytes (f->recorder, 7200);
  g_assert_cmpuint (required, >=, (guint64) (7200.0 * 1048000 / 8 * 1.5));
  g_assert_cmpuint (required, <, (guint64) (7200.0 * 1048000 / 8 * 1.5) + 100 * 1024 * 1024);

  set_free_bytes (f, required - 1);
  g_assert_false (ek_recorder_start (f->recorder, 7200, &error));
  g_assert_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "GB"));
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_IDLE);
  g_clear_error (&error);

  /* a shorter exam fits in the same space */
  g_assert_true (ek_recorder_check_space (f->recorder, 3600, &error));
  g_assert_no_error (error);

  /* and the full one once there is room */
  set_free_bytes (f, required);
  start_recording (f);
  stop_recording (f);
  g_assert_no_error (f->stop_error);
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_STOPPED);
}

static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  f->stop_on_failure = TRUE;
  f->recorder = new_recorder (f, 1);
  start_recording (f);
  ek_test_run_for (2500);
  g_assert_null (f->failure);

  /* The disk fills (another program, say): the recorder stops cleanly. */
  set_free_bytes (f, 1024 * 1024);
  ek_test_wait_until (f->failure != NULL, 10);
  g_assert_error (f->failure, EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL);

  /* The caller's stop (from the ::failed handler) reports the same error. */
  ek_test_wait_until (f->stopped, 30);
  g_assert_error (f->stop_error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL);
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_FAILED);
  g_assert_error ((GError *) ek_recorder_get_error (f->recorder),
                  EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL);

  /* every file written is whole */
  g_assert_cmpuint (f->segments->len, >=, 2);
  assert_segments_decode (f, TRUE);

  /* nothing on disk that was not announced */
  {
    g_autoptr(GDir) dir = g_dir_open (f->session_dir, 0, NULL);
    guint files = 0;

    while (g_dir_read_name (dir) != NULL)
      files++;
    g_assert_cmpuint (files, ==, f->segments->len);
  }
}

static void
test_camera_loss (Fixture       *f,
                  gconstpointer  data)
{
  guint segments_before;
  guint level_before;

  f->recorder = new_recorder (f, 1);
  g_assert_false (ek_recorder_get_camera_available (f->recorder));
  start_recording (f);
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  ek_test_run_for (1500);

  ek_recorder_simulate_camera_loss (f->recorder);
  ek_test_wait_until (f->camera_lost == 1, 5);
  g_assert_false (ek_recorder_get_camera_available (f->recorder));
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_RECORDING);

  /* Audio and the recording go on without the camera. */
  segments_before = f->segments->len;
  level_before = f->level_updates;
  ek_recorder_set_test_volume (f->recorder, 0.5);
  ek_test_run_for (2500);
  g_assert_cmpuint (f->segments->len, >=, segments_before + 2);
  g_assert_cmpuint (f->level_updates, >, level_before);
  g_assert_cmpfloat (ek_recorder_get_level_db (f->recorder), >, -12.0);
  g_assert_null (f->failure);

  ek_recorder_simulate_camera_return (f->recorder);
  ek_test_wait_until (f->camera_restored == 1, 5);
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  f->preview_frames = 0;
  ek_test_run_for (2000);
  g_assert_cmpuint (f->preview_frames, >=, 20);

  stop_recording (f);
  g_assert_no_error (f->stop_error);
  g_assert_null (f->failure);
  assert_segments_decode (f, TRUE);
}

/* A camera that stops delivering pictures without any error (a hung v4l2
 * device) is noticed by the watchdog within a few seconds and handled as a lost
 * one: black picture, audio goes on, and it is picked up again once it delivers. */
static void
test_camera_stall (Fixture       *f,
                   gconstpointer  data)
{
  guint segments_before;
  guint level_before;
  gint64 stalled_at;
  gint64 noticed_ms;

  f->recorder = new_recorder (f, 1);
  start_recording (f);
  ek_test_run_for (1500);
  g_assert_cmpuint (f->camera_lost, ==, 0);

  ek_recorder_simulate_camera_stall (f->recorder, TRUE);
  stalled_at = g_get_monotonic_time ();
  ek_test_wait_until (f->camera_lost == 1, 8);
  noticed_ms = (g_get_monotonic_time () - stalled_at) / 1000;
  g_test_message ("stall noticed after %" G_GINT64_FORMAT " ms", noticed_ms);
  /* not before the stall time (3 s), and within a few seconds */
  g_assert_cmpint (noticed_ms, >=, 2900);
  g_assert_cmpint (noticed_ms, <=, 5000);
  g_assert_false (ek_recorder_get_camera_available (f->recorder));
  g_assert_true (ek_recorder_get_camera_stalled (f->recorder));
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_RECORDING);

  /* Audio and the recording go on; the watchdog's tries to open the camera
   * again meet a camera that still delivers nothing and stay silent. */
  segments_before = f->segments->len;
  level_before = f->level_updates;
  ek_recorder_set_test_volume (f->recorder, 0.5);
  ek_test_run_for (6000);
  g_assert_cmpuint (f->segments->len, >=, segments_before + 2);
  g_assert_cmpuint (f->level_updates, >, level_before);
  g_assert_cmpfloat (ek_recorder_get_level_db (f->recorder), >, -12.0);
  g_assert_cmpuint (f->camera_lost, ==, 1);
  g_assert_cmpuint (f->camera_restored, ==, 0);
  g_assert_null (f->failure);

  /* The device delivers again: picked up without anyone plugging anything. */
  ek_recorder_simulate_camera_stall (f->recorder, FALSE);
  ek_test_wait_until (f->camera_restored == 1, 10);
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  g_assert_false (ek_recorder_get_camera_stalled (f->recorder));
  /* pictures flow again (15 fps; fewer on a busy machine) */
  f->preview_frames = 0;
  ek_test_wait_until (f->preview_frames >= 10, 10);
  g_assert_cmpuint (f->camera_lost, ==, 1);

  stop_recording (f);
  g_assert_no_error (f->stop_error);
  g_assert_null (f->failure);
  /* Nothing came from the camera until the watchdog noticed; the black picture
   * fills the rest. Timestamps stay continuous across segments. */
  f->video_hole_ns = (gint64) (noticed_ms + 1000) * GST_MSECOND;
  assert_segments_decode (f, TRUE);
}

/* The device page's preview: picture and level from the chosen devices, nothing
 * written anywhere, stopped at once and started again (a device switch). */
static void
test_preview_only (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 3; round++)
    {
      gint64 asked;

      g_clear_object (&f->recorder);
      f->recorder = ek_recorder_new_preview (EK_MEDIA_SOURCE_TEST);
      ek_recorder_set_free_space_func (f->recorder, fake_free_space, f, NULL);
      g_signal_connect (f->recorder, "preview-frame", G_CALLBACK (on_preview_frame_cb), f);
      g_signal_connect (f->recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), f);
      g_signal_connect (f->recorder, "notify::level-db", G_CALLBACK (on_level_cb), f);
      /* no free space needed: nothing is written */
      set_free_bytes (f, 0);

      f->preview_frames = 0;
      f->level_updates = 0;
      g_assert_true (ek_recorder_start (f->recorder, 7200, &error));
      g_assert_no_error (error);
      /* pictures at about 15 a second, and a level that follows the microphone */
      ek_test_wait_until (f->preview_frames >= 15, 10);
      g_assert_cmpfloat (level_after (f, 0.5), >, -12.0);
      g_assert_cmpfloat (level_after (f, 0.01), <, -30.0);

      f->stopped = FALSE;
      asked = g_get_monotonic_time ();
      ek_recorder_stop_async (f->recorder, NULL, on_stopped_cb, f);
      ek_test_wait_until (f->stopped, 5);
      g_assert_cmpint (g_get_monotonic_time () - asked, <, G_USEC_PER_SEC);
      g_assert_no_error (f->stop_error);
      g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_STOPPED);
      /* no folder made, no file written */
      g_assert_false (g_file_test (ek_recorder_get_directory (f->recorder), G_FILE_TEST_EXISTS));
      g_signal_handlers_disconnect_by_data (f->recorder, f);
      g_assert_finalize_object (g_steal_pointer (&f->recorder));
    }

  g_assert_cmpuint (f->segments->len, ==, 0);
}

/* Stopped at once, or a moment after the start, over and over: every stop ends
 * well within the recorder's own stop timeout (whose warning is fatal here),
 * and every file left behind was announced and decodes. */
static void
test_stop_at_once (Fixture       *f,
                   gconstpointer  data)
{
  const guint delays_ms[] = { 0, 0, 0, 10, 50, 150, 400, 900, 0, 30 };

  for (guint i = 0; i < G_N_ELEMENTS (delays_ms); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = NULL;
      gint64 asked;
      guint files = 0;

      g_clear_object (&f->recorder);
      g_ptr_array_set_size (f->segments, 0);
      f->recorder = new_recorder (f, 1);
      f->stopped = FALSE;
      g_assert_true (ek_recorder_start (f->recorder, 60, &error));
      g_assert_no_error (error);
      if (delays_ms[i] > 0)
        ek_test_run_for (delays_ms[i]);

      asked = g_get_monotonic_time ();
      ek_recorder_stop_async (f->recorder, NULL, on_stopped_cb, f);
      ek_test_wait_until (f->stopped, 9);
      g_test_message ("stop after %u ms took %" G_GINT64_FORMAT " ms, %u segments",
                      delays_ms[i], (g_get_monotonic_time () - asked) / 1000,
                      f->segments->len);
      g_assert_no_error (f->stop_error);
      g_assert_null (f->failure);
      g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_STOPPED);
      assert_segments_decode (f, FALSE);

      dir = g_dir_open (f->session_dir, 0, NULL);
      while (dir != NULL && g_dir_read_name (dir) != NULL)
        files++;
      g_assert_cmpuint (files, ==, f->segments->len);
      g_signal_handlers_disconnect_by_data (f->recorder, f);
      g_assert_finalize_object (g_steal_pointer (&f->recorder));

      /* the next round starts in an empty folder */
      if (dir != NULL)
        {
          const char *name;

          g_dir_rewind (dir);
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (f->session_dir, name, NULL);
              g_unlink (path);
            }
        }
    }
}

static void
test_numbering_continues (Fixture       *f,
                          gconstpointer  data)
{
  guint first_run;

  f->recorder = new_recorder (f, 1);
  start_recording (f);
  ek_test_run_for (2500);
  stop_recording (f);
  first_run = f->segments->len;
  g_assert_cmpuint (first_run, >=, 2);

  /* A leftover from a killed run (never announced) keeps its number too. */
  {
    g_autofree char *orphan = g_strdup_printf ("%s/camera-%05u.mkv", f->session_dir, first_run);
    g_assert_true (g_file_set_contents (orphan, "partial", -1, NULL));
  }

  g_signal_handlers_disconnect_by_data (f->recorder, f);
  g_assert_finalize_object (g_steal_pointer (&f->recorder));

  f->recorder = new_recorder (f, 1);
  start_recording (f);
  ek_test_run_for (1500);
  stop_recording (f);
  for (guint i = 0; i < f->segments->len; i++)
    g_test_message ("segment %u: %s", i, ek_segment_get_path (g_ptr_array_index (f->segments, i)));
  g_assert_cmpuint (f->segments->len, >, first_run);
  g_assert_cmpuint (ek_segment_get_index (g_ptr_array_index (f->segments, first_run)), ==, first_run + 1);
  for (guint i = first_run + 1; i < f->segments->len; i++)
    g_assert_cmpuint (ek_segment_get_index (g_ptr_array_index (f->segments, i)), ==, i + 1);
}

static void
test_screen (Fixture       *f,
             gconstpointer  data)
{
  guint camera = 0;
  guint screen = 0;
  guint64 camera_seen = 0;   /* bit i: index i announced */
  guint64 screen_seen = 0;

  f->recorder = new_recorder (f, 2);
  ek_recorder_set_record_screen (f->recorder, TRUE);
  start_recording (f);
  ek_test_run_for (4500);
  stop_recording (f);
  g_assert_no_error (f->stop_error);

  for (guint i = 0; i < f->segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (f->segments, i);
      g_autofree char *sha = ek_test_sha256_file (ek_segment_get_path (segment), NULL);

      g_test_message ("%s %u: %s", ek_segment_get_stream (segment),
                      ek_segment_get_index (segment), ek_segment_get_path (segment));
      g_assert_cmpstr (sha, ==, ek_segment_get_sha256 (segment));
      g_assert_cmpuint (ek_test_file_mode (ek_segment_get_path (segment)), ==, 0600);

      if (g_str_equal (ek_segment_get_stream (segment), EK_SEGMENT_STREAM_SCREEN))
        {
          EkTestDecoded decoded;

          g_assert_cmpuint (ek_segment_get_index (segment), <, 64);
          screen_seen |= G_GUINT64_CONSTANT (1) << ek_segment_get_index (segment);
          ek_test_decode_file (ek_segment_get_path (segment), &decoded);
          g_assert_null (decoded.error);
          g_assert_cmpuint (decoded.video_frames, >=, 1);
          g_assert_cmpuint (decoded.audio_buffers, ==, 0);
          ek_test_decoded_clear (&decoded);
          screen++;
        }
      else
        {
          g_assert_cmpuint (ek_segment_get_index (segment), <, 64);
          camera_seen |= G_GUINT64_CONSTANT (1) << ek_segment_get_index (segment);
          camera++;
        }
    }

  g_assert_cmpuint (camera, >=, 2);
  g_assert_cmpuint (screen, >=, 2);
  /* each stream numbered from 0 without holes or repeats */
  g_assert_cmpuint (camera_seen, ==, (G_GUINT64_CONSTANT (1) << camera) - 1);
  g_assert_cmpuint (screen_seen, ==, (G_GUINT64_CONSTANT (1) << screen) - 1);
}

static void
on_devices_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray **devices = user_data;
  g_autoptr(GError) error = NULL;

  *devices = ek_media_device_list_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_devices (void)
{
  g_autoptr(GPtrArray) devices = NULL;
  gboolean camera = FALSE;
  gboolean microphone = FALSE;

  ek_media_device_list_async (EK_MEDIA_SOURCE_TEST, NULL, on_devices_cb, &devices);
  while (devices == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (devices->len, ==, 2);
  for (guint i = 0; i < devices->len; i++)
    {
      EkMediaDevice *device = g_ptr_array_index (devices, i);

      g_assert_nonnull (ek_media_device_get_id (device));
      g_assert_nonnull (ek_media_device_get_display_name (device));
      if (ek_media_device_get_kind (device) == EK_MEDIA_DEVICE_CAMERA)
        camera = TRUE;
      else
        microphone = TRUE;
    }
  g_assert_true (camera && microphone);
}

/* Real devices: what this machine has decides what the recorder must say. */
static void
test_auto_devices (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  gboolean camera = FALSE;

  ek_media_device_list_async (EK_MEDIA_SOURCE_AUTO, NULL, on_devices_cb, &devices);
  while (devices == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < devices->len; i++)
    if (ek_media_device_get_kind (g_ptr_array_index (devices, i)) == EK_MEDIA_DEVICE_CAMERA)
      camera = TRUE;

  if (camera)
    {
      g_test_skip ("this machine has a camera");
      return;
    }

  f->recorder = ek_recorder_new (f->session_dir, EK_MEDIA_SOURCE_AUTO);
  ek_recorder_set_free_space_func (f->recorder, fake_free_space, f, NULL);
  g_assert_false (ek_recorder_start (f->recorder, 60, &error));
  g_assert_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA);
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_IDLE);
}

static void
test_missing_folder_rights (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* a folder that is too open is made private */
  g_assert_cmpint (g_mkdir (f->session_dir, 0755), ==, 0);
  f->recorder = new_recorder (f, 10);
  start_recording (f);
  g_assert_cmpuint (ek_test_file_mode (f->session_dir), ==, 0700);
  stop_recording (f);
  g_assert_no_error (error);
}

static void
test_segment_file_names (void)
{
  g_autofree char *name = ek_segment_make_file_name (EK_SEGMENT_STREAM_CAMERA, 7);
  const char *stream = NULL;
  guint index = 0;

  g_assert_cmpstr (name, ==, "camera-00007.mkv");
  g_assert_true (ek_segment_parse_file_name (name, &stream, &index));
  g_assert_cmpstr (stream, ==, EK_SEGMENT_STREAM_CAMERA);
  g_assert_cmpuint (index, ==, 7);

  g_assert_true (ek_segment_parse_file_name ("room_scan-00012.mkv", &stream, &index));
  g_assert_cmpstr (stream, ==, EK_SEGMENT_STREAM_ROOM_SCAN);
  g_assert_cmpuint (index, ==, 12);
  g_assert_true (ek_segment_parse_file_name ("screen-123456.mkv", &stream, &index));
  g_assert_cmpuint (index, ==, 123456);

  g_assert_false (ek_segment_parse_file_name ("camera-.mkv", NULL, NULL));
  g_assert_false (ek_segment_parse_file_name ("camera-00001.mp4", NULL, NULL));
  g_assert_false (ek_segment_parse_file_name ("camera-00001.mkv.tmp", NULL, NULL));
  g_assert_false (ek_segment_parse_file_name ("other-00001.mkv", NULL, NULL));
  g_assert_false (ek_segment_parse_file_name ("camera-99999999999.mkv", NULL, NULL));
}

static void
on_hashed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_segment_hash_file (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "camera-00003.mkv", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "camera-00004.mkv", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(EkSegment) segment = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guchar *contents = g_malloc (200000);

  /* what a recovery after a kill does with a file nobody announced */
  for (guint i = 0; i < 200000; i++)
    contents[i] = (guchar) (i * 31 + 7);
  g_assert_true (g_file_set_contents (path, (const char *) contents, 200000, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, contents, 200000);

  ek_segment_hash_file_async (EK_SEGMENT_STREAM_CAMERA, 3, path, 0, 0, NULL, on_hashed_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  segment = ek_segment_hash_file_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_segment_get_sha256 (segment), ==, expected);
  g_assert_cmpuint (ek_segment_get_size (segment), ==, 200000);
  g_assert_cmpuint (ek_segment_get_index (segment), ==, 3);
  g_assert_cmpstr (ek_segment_get_path (segment), ==, path);
  g_assert_cmpint (ek_segment_get_duration_ns (segment), ==, 0);
  g_unlink (path);

  g_clear_object (&result);
  ek_segment_hash_file_async (EK_SEGMENT_STREAM_CAMERA, 4, missing, 0, 0, NULL, on_hashed_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ek_segment_hash_file_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/recorder/frames", test_frames);
  ADD ("/recorder/level", test_level);
  ADD ("/recorder/space-precheck", test_space_precheck);
  ADD ("/recorder/disk-full", test_disk_full);
  ADD ("/recorder/camera-loss", test_camera_loss);
  ADD ("/recorder/camera-stall", test_camera_stall);
  ADD ("/recorder/stop-at-once", test_stop_at_once);
  ADD ("/recorder/preview-only", test_preview_only);
  ADD ("/recorder/numbering-continues", test_numbering_continues);
  ADD ("/recorder/screen", test_screen);
  ADD ("/recorder/private-folder", test_missing_folder_rights);
  ADD ("/recorder/auto-without-camera", test_auto_devices);
#undef ADD
  g_test_add_func ("/recorder/devices", test_devices);
  g_test_add_func ("/segment/file-names", test_segment_file_names);
  g_test_add ("/segment/hash-file", Fixture, NULL, fixture_setup, test_segment_hash_file, fixture_teardown);

  return g_test_run ();
}
