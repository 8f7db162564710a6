/* test-face-liveness.c: the head-turn challenge (EkLiveness) on real and crafted clips
 *
 * The turning head: frames 95-155 of Megamind.avi (opencv-doc), where the man
 * at the table looks at the camera, then turns his head so that his face points
 * to the picture's left (his right), and back: the profile cascade finds it from
 * about frame 112 (checked by hand with gst-launch-1.0 facedetect). Mirrored, the
 * same clip is a turn to the other side.
 */

#include "config.h"

#include "ek-face-detector.h"
#include "ek-face-quality.h"
#include "ek-face-test-util.h"
#include "ek-liveness.h"

#define W EK_TEST_FRAME_WIDTH
#define H EK_TEST_FRAME_HEIGHT

static EkFaceDetector *detector;

static EkLivenessState
run_clip (EkLiveness *liveness,
          GPtrArray  *frames)
{
  for (guint i = 0; i < frames->len; i++)
    {
      g_autoptr(EkFaceDetection) detection = ek_face_test_detect (detector, g_ptr_array_index (frames, i));
      EkLivenessState state = ek_liveness_add (liveness, detection);

      g_test_message ("frame %u: frontal %u left %u right %u -> state %d", i,
                      ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL),
                      ek_face_detection_count_view (detection, EK_FACE_VIEW_PROFILE_FACING_LEFT),
                      ek_face_detection_count_view (detection, EK_FACE_VIEW_PROFILE_FACING_RIGHT),
                      state);
      if (state == EK_LIVENESS_PASSED || state == EK_LIVENESS_FAILED)
        break;
    }

  return ek_liveness_get_state (liveness);
}

static GPtrArray *
turning_clip (gboolean mirrored)
{
  GPtrArray *frames = ek_face_test_load_video ("Megamind.avi", W, H, 95, 155, 2);

  if (mirrored)
    for (guint i = 0; i < frames->len; i++)
      {
        EkVideoFrame *m = ek_face_test_mirror (g_ptr_array_index (frames, i));

        ek_video_frame_unref (g_ptr_array_index (frames, i));
        frames->pdata[i] = m;
      }

  return frames;
}

static void
test_turn_passes (void)
{
  g_autoptr(GPtrArray) clip = turning_clip (FALSE);
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_RIGHT, 60000);

  g_assert_cmpint (ek_liveness_expected_view (EK_LIVENESS_TURN_RIGHT), ==, EK_FACE_VIEW_PROFILE_FACING_LEFT);
  g_assert_cmpint (run_clip (liveness, clip), ==, EK_LIVENESS_PASSED);
  g_assert_cmpstr (ek_liveness_get_instruction (liveness), ==, "Thank you.");
  g_assert_finalize_object (liveness);
}

static void
test_mirrored_turn_passes (void)
{
  g_autoptr(GPtrArray) clip = turning_clip (TRUE);
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 60000);

  g_assert_cmpint (run_clip (liveness, clip), ==, EK_LIVENESS_PASSED);
  g_assert_finalize_object (liveness);
}

static void
test_wrong_way_refused (void)
{
  g_autoptr(GPtrArray) clip = turning_clip (FALSE);
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 60000);

  g_assert_cmpint (run_clip (liveness, clip), !=, EK_LIVENESS_PASSED);
  g_assert_finalize_object (liveness);
}

static void
test_still_frame_refused (void)
{
  g_autoptr(EkVideoFrame) face = ek_face_test_load_close_face ();
  g_autoptr(GPtrArray) megamind = ek_face_test_load_video ("Megamind.avi", W, H, 146, 146, 1);
  EkLiveness *liveness;
  g_autoptr(GPtrArray) still = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_video_frame_unref);

  /* A photo fed as the camera: the same frame over and over. */
  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (still, ek_video_frame_ref (face));
  liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 60000);
  g_assert_cmpint (run_clip (liveness, still), ==, EK_LIVENESS_FAILED);
  g_assert_cmpint (ek_liveness_get_failure (liveness), ==, EK_LIVENESS_FAILURE_STILL_PICTURE);
  g_assert_nonnull (ek_liveness_get_instruction (liveness));
  g_assert_finalize_object (liveness);

  /* Even a still frame of a turned head (with a frontal face found too): no. */
  g_ptr_array_set_size (still, 0);
  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (still, ek_video_frame_ref (g_ptr_array_index (megamind, 0)));
  liveness = ek_liveness_new (EK_LIVENESS_TURN_RIGHT, 60000);
  g_assert_cmpint (run_clip (liveness, still), !=, EK_LIVENESS_PASSED);
  g_assert_finalize_object (liveness);
}

static void
test_photo_moved_refused (void)
{
  g_autoptr(EkVideoFrame) face = ek_face_test_load_close_face ();
  g_autoptr(GPtrArray) clip = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_video_frame_unref);
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 60000);

  /* A printed photo held in front of the camera and slid sideways, with
   * sensor noise: the face moves, but never turns. */
  for (int i = 0; i < 16; i++)
    {
      int dx = (i < 8 ? i : 16 - i) * 12;
      g_autoptr(EkVideoFrame) shifted = ek_face_test_shift (face, dx, 0);

      g_ptr_array_add (clip, ek_face_test_add_noise (shifted, i + 1));
    }

  g_assert_cmpint (run_clip (liveness, clip), !=, EK_LIVENESS_PASSED);
  g_assert_cmpint (ek_liveness_get_state (liveness), ==, EK_LIVENESS_WAITING_TURN);
  g_assert_finalize_object (liveness);
}

static void
test_timeout (void)
{
  g_autoptr(EkVideoFrame) a = ek_face_test_solid (W, H, 100);
  g_autoptr(EkVideoFrame) b = ek_face_test_solid (W, H, 140);
  EkFaceBox box = { 200, 100, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 };
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 2000);
  g_autoptr(EkFaceDetection) d1 = ek_face_detection_new (a, 1000000, &box, 1);
  g_autoptr(EkFaceDetection) d2 = ek_face_detection_new (b, 2000000, &box, 1);
  g_autoptr(EkFaceDetection) d3 = ek_face_detection_new (a, 3500000, &box, 1);

  g_assert_cmpint (ek_liveness_add (liveness, d1), ==, EK_LIVENESS_WAITING_TURN);
  g_assert_cmpint (ek_liveness_add (liveness, d2), ==, EK_LIVENESS_WAITING_TURN);
  g_assert_cmpint (ek_liveness_add (liveness, d3), ==, EK_LIVENESS_FAILED);
  g_assert_cmpint (ek_liveness_get_failure (liveness), ==, EK_LIVENESS_FAILURE_TIMEOUT);
  g_assert_finalize_object (liveness);
}

static void
test_crafted_sequence (void)
{
  /* The logic alone, on made-up boxes: frontal, profile facing the picture's
   * right (the candidate's left) in a changed frame, frontal again. */
  g_autoptr(EkVideoFrame) a = ek_face_test_pattern ("smpte", W, H);
  g_autoptr(EkVideoFrame) b = ek_face_test_pattern ("ball", W, H);
  EkFaceBox frontal = { 220, 120, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 };
  EkFaceBox profile = { 240, 120, 190, 190, EK_FACE_VIEW_PROFILE_FACING_RIGHT, 1.0 };
  EkFaceBox far_profile = { 0, 0, 80, 80, EK_FACE_VIEW_PROFILE_FACING_RIGHT, 1.0 };
  EkLiveness *liveness = ek_liveness_new (EK_LIVENESS_TURN_LEFT, 10000);
  g_autoptr(EkFaceDetection) d1 = ek_face_detection_new (a, 1000, &frontal, 1);
  g_autoptr(EkFaceDetection) d2 = ek_face_detection_new (b, 2000, &far_profile, 1);
  g_autoptr(EkFaceDetection) d3 = ek_face_detection_new (b, 3000, &profile, 1);
  g_autoptr(EkFaceDetection) d4 = ek_face_detection_new (a, 4000, &frontal, 1);

  g_assert_cmpint (ek_liveness_add (liveness, d1), ==, EK_LIVENESS_WAITING_TURN);
  /* a profile elsewhere in the picture (someone else) does not count */
  g_assert_cmpint (ek_liveness_add (liveness, d2), ==, EK_LIVENESS_WAITING_TURN);
  g_assert_cmpint (ek_liveness_add (liveness, d3), ==, EK_LIVENESS_WAITING_RETURN);
  g_assert_cmpint (ek_liveness_add (liveness, d4), ==, EK_LIVENESS_PASSED);
  g_assert_finalize_object (liveness);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  detector = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL | EK_FACE_CASCADE_PROFILE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/face/liveness/turn-passes", test_turn_passes);
  g_test_add_func ("/face/liveness/mirrored-turn-passes", test_mirrored_turn_passes);
  g_test_add_func ("/face/liveness/wrong-way-refused", test_wrong_way_refused);
  g_test_add_func ("/face/liveness/still-frame-refused", test_still_frame_refused);
  g_test_add_func ("/face/liveness/photo-moved-refused", test_photo_moved_refused);
  g_test_add_func ("/face/liveness/timeout", test_timeout);
  g_test_add_func ("/face/liveness/crafted-sequence", test_crafted_sequence);

  ret = g_test_run ();
  g_assert_finalize_object (detector);
  return ret;
}
