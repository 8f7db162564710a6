/* test-recorder-devices.c: the recorder's real-device path (EK_MEDIA_SOURCE_AUTO)
 * through GstDeviceMonitor, on a machine without a camera.
 *
 * A device provider registered by this test stands in for v4l2 and PulseAudio:
 * it announces two cameras and a microphone with the properties those providers
 * set (device.path), and its elements are test sources behind a camera-like mode
 * (640x480 YUY2). Everything above the provider is the product's code: the device
 * list, the choice by id, opening the chosen device, a camera that fails and
 * disappears (an error from its element, as v4l2src posts on unplug, then the
 * provider's device-removed), and the same camera plugged in again, which the
 * recorder's own device monitor notices. What this cannot show is v4l2 itself. */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-media-device.h"
#include "ek-recorder.h"
#include "ek-test-devices.h"
#include "ek-test-media.h"

#define CAMERA_A_PATH  "/dev/ek-test-video0"
#define CAMERA_B_PATH  "/dev/ek-test-video2"
#define MIC_PATH       "ek-test-mic.monitor"
#define FRAME_NS       (GST_SECOND / 30)

/* The fixture */

typedef struct
{
  char         *dir;
  char         *session_dir;
  EkTestDevice *camera_a;
  EkTestDevice *camera_b;
  EkTestDevice *microphone;
  EkRecorder   *recorder;
  GPtrArray    *segments;
  guint         camera_lost;
  guint         camera_restored;
  guint         microphone_lost;
  guint         microphone_restored;
  guint         preview_frames;
  gboolean      stopped;
  GError       *stop_error;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ek-devices-XXXXXX", &error);
  g_assert_no_error (error);
  f->session_dir = g_build_filename (f->dir, "session", NULL);
  f->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);

  f->camera_a = ek_test_device_new (TRUE, "Integrated Camera", CAMERA_A_PATH);
  f->camera_b = ek_test_device_new (TRUE, "USB Camera", CAMERA_B_PATH);
  f->microphone = ek_test_device_new (FALSE, "Headset Microphone", MIC_PATH);
  ek_test_device_plug (f->camera_a);
  ek_test_device_plug (f->camera_b);
  ek_test_device_plug (f->microphone);
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

  ek_test_devices_unplug_all ();
  gst_clear_object (&f->camera_a);
  gst_clear_object (&f->camera_b);
  gst_clear_object (&f->microphone);
  g_clear_error (&f->stop_error);
  g_ptr_array_unref (f->segments);
  g_free (f->session_dir);
  g_free (f->dir);
}


static void
on_segment_ready_cb (EkRecorder *recorder,
                     EkSegment  *segment,
                     Fixture    *f)
{
  g_ptr_array_add (f->segments, ek_segment_ref (segment));
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
on_microphone_lost_cb (EkRecorder *recorder,
                       Fixture    *f)
{
  f->microphone_lost++;
}

static void
on_microphone_restored_cb (EkRecorder *recorder,
                           Fixture    *f)
{
  f->microphone_restored++;
}

static void
on_preview_frame_cb (EkRecorder   *recorder,
                     EkVideoFrame *frame,
                     Fixture      *f)
{
  f->preview_frames++;
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
start_recording (Fixture    *f,
                 const char *camera_id,
                 const char *microphone_id)
{
  g_autoptr(GError) error = NULL;

  f->recorder = ek_recorder_new (f->session_dir, EK_MEDIA_SOURCE_AUTO);
  ek_recorder_set_segment_seconds (f->recorder, 2);
  ek_recorder_set_camera_id (f->recorder, camera_id);
  ek_recorder_set_microphone_id (f->recorder, microphone_id);
  g_signal_connect (f->recorder, "segment-ready", G_CALLBACK (on_segment_ready_cb), f);
  g_signal_connect (f->recorder, "camera-lost", G_CALLBACK (on_camera_lost_cb), f);
  g_signal_connect (f->recorder, "camera-restored", G_CALLBACK (on_camera_restored_cb), f);
  g_signal_connect (f->recorder, "microphone-lost", G_CALLBACK (on_microphone_lost_cb), f);
  g_signal_connect (f->recorder, "microphone-restored", G_CALLBACK (on_microphone_restored_cb), f);
  g_signal_connect (f->recorder, "preview-frame", G_CALLBACK (on_preview_frame_cb), f);

  ek_recorder_start (f->recorder, 60, &error);
  g_assert_no_error (error);
  ek_test_wait_until (ek_recorder_get_state (f->recorder) == EK_RECORDER_STATE_RECORDING, 20);
}

static void
stop_recording (Fixture *f)
{
  ek_recorder_stop_async (f->recorder, NULL, on_stopped_cb, f);
  ek_test_wait_until (f->stopped, 30);
  g_assert_no_error (f->stop_error);
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_STOPPED);
}

/* Every segment whole, in order, 720p, audio all along; returns the seconds of
 * audio recorded. @video_hole_ns: how much of a segment may lack pictures. */
static double
assert_segments (Fixture *f,
                 gint64   video_hole_ns)
{
  gint64 audio_ns = 0;

  g_assert_cmpuint (f->segments->len, >=, 2);
  for (guint i = 0; i < f->segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (f->segments, i);
      g_autofree char *sha = ek_test_sha256_file (ek_segment_get_path (segment), NULL);
      EkTestDecoded decoded;

      g_assert_cmpuint (ek_segment_get_index (segment), ==, i);
      g_assert_cmpstr (sha, ==, ek_segment_get_sha256 (segment));
      if (i > 0)
        g_assert_cmpint (ABS (ek_segment_get_start_ns (segment) -
                              ek_segment_get_end_ns (g_ptr_array_index (f->segments, i - 1))),
                         <=, FRAME_NS);

      ek_test_decode_file (ek_segment_get_path (segment), &decoded);
      g_test_message ("%s: %u frames %ux%u, video %.3f..%.3f s, audio %.3f..%.3f s (gap %.3f s) %s",
                      ek_segment_get_path (segment), decoded.video_frames,
                      decoded.width, decoded.height,
                      decoded.video_start / 1e9, decoded.video_end / 1e9,
                      decoded.audio_start / 1e9, decoded.audio_end / 1e9,
                      decoded.audio_max_gap / 1e9,
                      decoded.error != NULL ? decoded.error : "");
      g_assert_null (decoded.error);
      /* the camera's 640x480 mode, brought to the recording's format */
      g_assert_cmpuint (decoded.width, ==, 1280);
      g_assert_cmpuint (decoded.height, ==, 720);
      g_assert_cmpuint (decoded.audio_buffers, >, 0);
      g_assert_cmpint (ABS ((decoded.video_end - decoded.video_start) -
                            ek_segment_get_duration_ns (segment)), <=,
                       2 * FRAME_NS + video_hole_ns);
      if (i + 1 < f->segments->len)
        g_assert_cmpint (ABS (decoded.audio_end - decoded.video_end), <=, 60 * GST_MSECOND);
      /* no hole in the sound either (the microphone away: silence) */
      g_assert_cmpint (decoded.audio_max_gap, <=, 30 * GST_MSECOND);
      audio_ns += decoded.audio_end - decoded.audio_start;
      ek_test_decoded_clear (&decoded);
    }

  return audio_ns / 1e9;
}

static void
on_devices_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  *(GPtrArray **) user_data = ek_media_device_list_finish (result, &error);
  g_assert_no_error (error);
}

/* The device page's list: what the monitor reports, with stable ids. */
static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) devices = NULL;
  const char *expected[][3] = {
    { CAMERA_A_PATH, "Integrated Camera", "camera" },
    { CAMERA_B_PATH, "USB Camera", "camera" },
    { MIC_PATH, "Headset Microphone", "microphone" },
  };

  ek_media_device_list_async (EK_MEDIA_SOURCE_AUTO, NULL, on_devices_cb, &devices);
  while (devices == NULL)
    g_main_context_iteration (NULL, TRUE);

  for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < devices->len; i++)
        {
          EkMediaDevice *device = g_ptr_array_index (devices, i);

          if (g_strcmp0 (ek_media_device_get_id (device), expected[e][0]) != 0)
            continue;
          g_assert_false (found);
          found = TRUE;
          g_assert_cmpstr (ek_media_device_get_display_name (device), ==, expected[e][1]);
          g_assert_cmpint (ek_media_device_get_kind (device), ==,
                           g_str_equal (expected[e][2], "camera") ? EK_MEDIA_DEVICE_CAMERA
                                                                   : EK_MEDIA_DEVICE_MICROPHONE);
        }
      g_assert_true (found);
    }
}

/* The chosen camera and microphone are the ones recorded, not the first ones. */
static void
test_chosen_devices (Fixture       *f,
                     gconstpointer  data)
{
  start_recording (f, CAMERA_B_PATH, MIC_PATH);
  ek_test_run_for (4500);
  stop_recording (f);

  g_assert_cmpuint (ek_test_device_get_created (f->camera_a), ==, 0);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_b), ==, 1);
  g_assert_cmpuint (ek_test_device_get_created (f->microphone), ==, 1);
  g_assert_cmpuint (f->camera_lost, ==, 0);
  g_assert_cmpfloat (assert_segments (f, 0), >=, 4.0);
}

/* A chosen camera that is not there: a clear error, nothing started. */
static void
test_chosen_camera_missing (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  ek_test_device_unplug (f->camera_b);
  f->recorder = ek_recorder_new (f->session_dir, EK_MEDIA_SOURCE_AUTO);
  ek_recorder_set_camera_id (f->recorder, CAMERA_B_PATH);
  ek_recorder_set_microphone_id (f->recorder, MIC_PATH);
  g_assert_false (ek_recorder_start (f->recorder, 60, &error));
  g_assert_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA);
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_IDLE);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_a), ==, 0);
}

/* The camera is pulled out mid-recording: its element reports the error v4l2src
 * posts, the provider removes it. Audio goes on; the same camera plugged in
 * again (a new device object, the same path) is picked up by the recorder's
 * own monitor. */
static void
test_unplug_and_back (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EkTestDevice) again = NULL;
  guint segments_before;

  start_recording (f, CAMERA_B_PATH, MIC_PATH);
  ek_test_wait_until (f->preview_frames > 0, 10);
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  ek_test_run_for (1500);

  ek_test_device_pull_out (f->camera_b);

  ek_test_wait_until (f->camera_lost == 1, 5);
  g_assert_false (ek_recorder_get_camera_available (f->recorder));
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_RECORDING);

  /* No camera for a while: the recording goes on, and nothing else is taken
   * in its place (camera A stays unused: the candidate chose B). */
  segments_before = f->segments->len;
  ek_test_run_for (3000);
  g_assert_cmpuint (f->segments->len, >=, segments_before + 1);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_b), ==, 1);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_a), ==, 0);

  again = ek_test_device_new (TRUE, "USB Camera", CAMERA_B_PATH);
  ek_test_device_plug (again);
  ek_test_wait_until (f->camera_restored == 1, 10);
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  g_assert_cmpuint (ek_test_device_get_created (again), ==, 1);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_a), ==, 0);

  f->preview_frames = 0;
  ek_test_run_for (2500);
  g_assert_cmpuint (f->preview_frames, >=, 20);
  stop_recording (f);

  g_assert_cmpuint (f->camera_lost, ==, 1);
  /* no hole in either track: black pictures stand in for the camera */
  g_assert_cmpfloat (assert_segments (f, 0), >=, 6.5);
}

/* The headset is pulled out mid-recording: its element reports an error (as
 * alsasrc does), the provider removes it. Silence is recorded in its place and
 * the picture goes on; the headset plugged in again is picked up. */
static void
test_microphone_unplug_and_back (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(EkTestDevice) again = NULL;
  guint segments_before;
  guint frames_before;

  start_recording (f, CAMERA_B_PATH, MIC_PATH);
  ek_test_wait_until (f->preview_frames > 0, 10);
  g_assert_true (ek_recorder_get_microphone_available (f->recorder));
  ek_test_run_for (1500);
  g_assert_cmpfloat (ek_recorder_get_level_db (f->recorder), >, -30.0);

  ek_test_device_pull_out (f->microphone);

  ek_test_wait_until (f->microphone_lost == 1, 5);
  g_assert_false (ek_recorder_get_microphone_available (f->recorder));
  g_assert_true (ek_recorder_get_camera_available (f->recorder));
  g_assert_cmpint (ek_recorder_get_state (f->recorder), ==, EK_RECORDER_STATE_RECORDING);

  /* The recording goes on: pictures, segments, and a silent level. */
  segments_before = f->segments->len;
  frames_before = f->preview_frames;
  ek_test_run_for (3000);
  g_assert_cmpuint (f->segments->len, >=, segments_before + 1);
  g_assert_cmpuint (f->preview_frames, >=, frames_before + 30);
  g_assert_cmpfloat (ek_recorder_get_level_db (f->recorder), <, -60.0);

  again = ek_test_device_new (FALSE, "Headset Microphone", MIC_PATH);
  ek_test_device_plug (again);
  ek_test_wait_until (f->microphone_restored == 1, 10);
  g_assert_true (ek_recorder_get_microphone_available (f->recorder));
  g_assert_cmpuint (ek_test_device_get_created (again), ==, 1);
  ek_test_run_for (2000);
  g_assert_cmpfloat (ek_recorder_get_level_db (f->recorder), >, -30.0);
  stop_recording (f);

  g_assert_cmpuint (f->microphone_lost, ==, 1);
  g_assert_cmpuint (f->camera_lost, ==, 0);
  /* no hole in either track: silence stands in for the microphone */
  g_assert_cmpfloat (assert_segments (f, 0), >=, 6.0);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  ek_test_devices_register ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/recorder-devices/list", test_list);
  ADD ("/recorder-devices/chosen", test_chosen_devices);
  ADD ("/recorder-devices/chosen-camera-missing", test_chosen_camera_missing);
  ADD ("/recorder-devices/unplug-and-back", test_unplug_and_back);
  ADD ("/recorder-devices/microphone-unplug-and-back", test_microphone_unplug_and_back);
#undef ADD

  return g_test_run ();
}
