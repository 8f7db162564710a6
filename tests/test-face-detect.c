/* test-face-detect.c: EkFaceDetector and EkFaceQuality on real pictures
 *
 * Pictures: astronaut.png (python3-skimage), messi5.jpg, baboon.jpg and frames of
 * Megamind.avi (opencv-doc), fetched by tests/fetch-face-data.sh; crafted frames
 * made from them (darkened, blurred, shrunk, moved, two side by side).
 */

#include "config.h"

#include "ek-face-detector.h"
#include "ek-face-quality.h"
#include "ek-face-test-util.h"

#define W EK_TEST_FRAME_WIDTH
#define H EK_TEST_FRAME_HEIGHT

static EkFaceDetector *
new_detector (EkFaceCascades cascades)
{
  g_autoptr(GError) error = NULL;
  EkFaceDetector *detector = ek_face_detector_new (cascades, &error);

  g_assert_no_error (error);
  g_assert_nonnull (detector);
  return detector;
}

static guint
count_frontal (EkFaceDetector *detector,
               EkVideoFrame   *frame)
{
  g_autoptr(EkFaceDetection) detection = ek_face_test_detect (detector, frame);

  g_assert_true (ek_face_detection_get_frame (detection) == frame);
  return ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL);
}

static void
test_detect_astronaut (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  g_autoptr(EkVideoFrame) frame = ek_face_test_load_image ("astronaut.png", W, H);
  g_autoptr(EkFaceDetection) detection = ek_face_test_detect (detector, frame);
  const EkFaceBox *box;

  for (guint i = 0; i < ek_face_detection_get_n_boxes (detection); i++)
    {
      const EkFaceBox *b = ek_face_detection_get_box (detection, i);

      g_test_message ("box %d,%d %dx%d view %d", b->x, b->y, b->width, b->height, b->view);
    }
  g_assert_cmpuint (ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL), ==, 1);
  box = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);
  g_test_message ("astronaut: %d,%d %dx%d", box->x, box->y, box->width, box->height);
  /* Eileen Collins' face is in the upper middle of the square picture, which
   * sits between black borders in the 640x480 frame. */
  g_assert_cmpint (box->x, >, 80);
  g_assert_cmpint (box->x + box->width, <, 560);
  g_assert_cmpint (box->y + box->height, <, 300);
  g_assert_cmpint (box->height, >=, 60);
  g_assert_cmpfloat (box->confidence, >, 0.0);
  g_assert_cmpfloat (box->confidence, <=, 1.0);

  /* The same face again: more confident. */
  {
    g_autoptr(EkFaceDetection) again = ek_face_test_detect (detector, frame);
    const EkFaceBox *box2 = ek_face_detection_get_largest (again, EK_FACE_VIEW_FRONTAL);

    g_assert_nonnull (box2);
    g_assert_cmpfloat (box2->confidence, >, box->confidence);
  }

  g_assert_cmpuint (ek_face_detector_get_n_detected (detector), ==, 2);
  g_assert_finalize_object (detector);
}

static void
test_detect_messi (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  /* At its own size (548x342): a small face (80 px) in a busy picture, found
   * with min-neighbors 2 (PLATFORM-NOTES.md); scaled to 640x480 the cascade at
   * scale factor 1.2 steps over it. */
  g_autoptr(EkVideoFrame) frame = ek_face_test_load_image ("messi5.jpg", 548, 342);
  g_autoptr(EkFaceDetection) detection = NULL;
  const EkFaceBox *box;

  ek_face_detector_set_min_neighbors (detector, 2);
  detection = ek_face_test_detect (detector, frame);
  box = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);
  g_assert_nonnull (box);
  g_assert_cmpint (ABS (box->x - 245), <, 15);
  g_assert_cmpint (ABS (box->y - 64), <, 15);
  g_assert_cmpint (box->width, >=, 60);
  g_assert_finalize_object (detector);
}

static void
test_detect_megamind (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  /* Frames 60-100 show the face from the front (checked by hand with gst-launch). */
  g_autoptr(GPtrArray) frames = ek_face_test_load_video ("Megamind.avi", W, H, 60, 100, 10);
  guint found = 0;

  g_assert_cmpuint (frames->len, ==, 5);
  for (guint i = 0; i < frames->len; i++)
    found += count_frontal (detector, g_ptr_array_index (frames, i)) >= 1;

  g_assert_cmpuint (found, >=, 4);
  g_assert_finalize_object (detector);
}

static void
test_detect_no_face (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  g_autoptr(EkVideoFrame) blank = ek_face_test_solid (W, H, 200);
  g_autoptr(EkVideoFrame) black = ek_face_test_solid (W, H, 0);
  g_autoptr(EkVideoFrame) smpte = ek_face_test_pattern ("smpte", W, H);
  g_autoptr(EkVideoFrame) ball = ek_face_test_pattern ("ball", W, H);
  g_autoptr(EkVideoFrame) snow = ek_face_test_pattern ("snow", W, H);
  g_autoptr(EkVideoFrame) baboon = ek_face_test_load_image ("baboon.jpg", W, H);

  g_assert_cmpuint (count_frontal (detector, blank), ==, 0);
  g_assert_cmpuint (count_frontal (detector, black), ==, 0);
  g_assert_cmpuint (count_frontal (detector, smpte), ==, 0);
  g_assert_cmpuint (count_frontal (detector, ball), ==, 0);
  g_assert_cmpuint (count_frontal (detector, snow), ==, 0);
  g_assert_cmpuint (count_frontal (detector, baboon), ==, 0);
  g_assert_finalize_object (detector);
}

static void
test_detect_two_faces (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  g_autoptr(EkVideoFrame) astronaut = ek_face_test_load_image_cropped ("astronaut.png", 90, 0, 110, 192, W / 2, H);
  g_autoptr(GPtrArray) megamind = ek_face_test_load_video ("Megamind.avi", W / 2, H, 210, 210, 1);
  g_autoptr(EkVideoFrame) two = ek_face_test_side_by_side (astronaut, g_ptr_array_index (megamind, 0));
  g_autoptr(EkFaceDetection) detection = ek_face_test_detect (detector, two);
  const EkFaceBox *a, *b;

  g_assert_cmpuint (ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL), ==, 2);
  a = ek_face_detection_get_box (detection, 0);
  b = ek_face_detection_get_box (detection, 1);
  /* one in each half */
  g_assert_true ((a->x + a->width / 2 < W / 2) != (b->x + b->width / 2 < W / 2));

  g_assert_finalize_object (detector);
}

static void
test_rate_limit (void)
{
  EkFaceDetector *detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  g_autoptr(EkVideoFrame) frame = ek_face_test_solid (W, H, 100);
  guint n_detected = 0;

  ek_face_detector_set_max_fps (detector, 2.0);
  g_assert_true (ek_face_detector_push_frame (detector, frame));
  g_assert_true (ek_face_detector_get_busy (detector));
  /* busy, and too soon anyway */
  g_assert_false (ek_face_detector_push_frame (detector, frame));
  g_assert_cmpuint (ek_face_detector_get_n_dropped (detector), ==, 1);

  while (ek_face_detector_get_busy (detector))
    g_main_context_iteration (NULL, TRUE);
  n_detected = ek_face_detector_get_n_detected (detector);
  g_assert_cmpuint (n_detected, ==, 1);

  /* idle, but within half a second of the last: still dropped */
  g_assert_false (ek_face_detector_push_frame (detector, frame));
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_true (ek_face_detector_push_frame (detector, frame));
  while (ek_face_detector_get_busy (detector))
    g_main_context_iteration (NULL, TRUE);

  g_assert_finalize_object (detector);
}

/* Quality */

typedef struct
{
  EkFaceDetector  *detector;
  EkVideoFrame    *good;
} QualityFixture;

static void
quality_setup (QualityFixture *f,
               gconstpointer   data)
{
  f->detector = new_detector (EK_FACE_CASCADE_FRONTAL);
  f->good = ek_face_test_load_close_face ();
}

static void
quality_teardown (QualityFixture *f,
                  gconstpointer   data)
{
  ek_video_frame_unref (f->good);
  g_assert_finalize_object (f->detector);
}

static EkFaceQualityProblems
check (QualityFixture        *f,
       EkVideoFrame          *frame,
       EkFaceQualityMeasures *m)
{
  g_autoptr(EkFaceDetection) detection = ek_face_test_detect (f->detector, frame);
  g_autoptr(EkGreyImage) grey = ek_grey_image_new_from_frame (frame);
  EkFaceQualityProblems problems = ek_face_quality_check (grey, detection, NULL, m);

  g_test_message ("faces %u height %.2f offset %.2f,%.2f brightness %.0f contrast %.0f "
                  "sharpness %.0f backlight %.0f -> 0x%x",
                  m->n_faces, m->face_height, m->centre_offset_x, m->centre_offset_y,
                  m->brightness, m->contrast, m->sharpness, m->backlight, problems);
  return problems;
}

static void
test_quality_good (QualityFixture *f,
                   gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(GPtrArray) megamind = ek_face_test_load_video ("Megamind.avi", W, H, 210, 210, 1);

  g_assert_cmpuint (check (f, f->good, &m), ==, EK_FACE_QUALITY_OK);
  g_assert_cmpuint (m.n_faces, ==, 1);
  g_assert_null (ek_face_quality_guidance (EK_FACE_QUALITY_OK));

  g_assert_cmpuint (check (f, g_ptr_array_index (megamind, 0), &m), ==, EK_FACE_QUALITY_OK);
}

static void
test_quality_dark (QualityFixture *f,
                   gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) dark = ek_face_test_scale_light (f->good, 0.3);
  EkFaceQualityProblems p = check (f, dark, &m);

  g_assert_cmpuint (m.n_faces, ==, 1);
  g_assert_true (p & EK_FACE_QUALITY_TOO_DARK);
  g_assert_nonnull (ek_face_quality_guidance (p));
}

static void
test_quality_blurred (QualityFixture *f,
                      gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) blurred = ek_face_test_blur (f->good, 3);
  EkFaceQualityProblems p = check (f, blurred, &m);

  g_assert_cmpuint (m.n_faces, ==, 1);
  g_assert_cmpuint (p, ==, EK_FACE_QUALITY_BLURRED);
  g_assert_cmpstr (ek_face_quality_guidance (p), ==, "Hold still.");
}

static void
test_quality_small (QualityFixture *f,
                    gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) small = ek_face_test_shrink (f->good, 0.55);
  EkFaceQualityProblems p = check (f, small, &m);

  g_assert_cmpuint (m.n_faces, ==, 1);
  g_assert_true (p & EK_FACE_QUALITY_TOO_SMALL);
  g_assert_cmpstr (ek_face_quality_guidance (p), ==, "Move closer to the camera.");
}

static void
test_quality_off_centre (QualityFixture *f,
                         gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) moved = ek_face_test_shift (f->good, 230, 0);
  EkFaceQualityProblems p = check (f, moved, &m);

  g_assert_cmpuint (m.n_faces, ==, 1);
  g_assert_cmpuint (p, ==, EK_FACE_QUALITY_OFF_CENTRE);
  g_assert_cmpfloat (m.centre_offset_x, >, 0.25);
}

static void
test_quality_two (QualityFixture *f,
                  gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) astronaut = ek_face_test_load_image_cropped ("astronaut.png", 90, 0, 110, 192, W / 2, H);
  g_autoptr(GPtrArray) megamind = ek_face_test_load_video ("Megamind.avi", W / 2, H, 210, 210, 1);
  g_autoptr(EkVideoFrame) two = ek_face_test_side_by_side (astronaut, g_ptr_array_index (megamind, 0));
  EkFaceQualityProblems p = check (f, two, &m);

  g_assert_true (p & EK_FACE_QUALITY_MULTIPLE_FACES);
  g_assert_cmpstr (ek_face_quality_guidance (p), ==, "Only you in the picture, please.");
}

static void
test_quality_none (QualityFixture *f,
                   gconstpointer   data)
{
  EkFaceQualityMeasures m;
  g_autoptr(EkVideoFrame) blank = ek_face_test_solid (W, H, 128);

  g_assert_cmpuint (check (f, blank, &m), ==, EK_FACE_QUALITY_NO_FACE);
}

static void
test_quality_backlight (void)
{
  /* A synthetic grey picture: a mid-grey face box on a white background. */
  g_autoptr(EkGreyImage) image = ek_grey_image_new (W, H);
  EkFaceBox box = { 220, 120, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 };
  g_autoptr(EkVideoFrame) frame = ek_face_test_solid (W, H, 0);
  g_autoptr(EkFaceDetection) detection = ek_face_detection_new (frame, 0, &box, 1);
  EkFaceQualityMeasures m;
  EkFaceQualityProblems p;

  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      {
        gboolean inside = x >= 220 && x < 420 && y >= 120 && y < 320;
        /* a checkerboard gives the face contrast and edges */
        guint8 face = ((x / 8 + y / 8) % 2) ? 80 : 150;

        image->data[y * image->stride + x] = inside ? face : 250;
      }

  p = ek_face_quality_check (image, detection, NULL, &m);
  g_test_message ("backlight %.0f brightness %.0f", m.backlight, m.brightness);
  g_assert_cmpuint (p, ==, EK_FACE_QUALITY_BACKLIGHT);

  /* the same face against a darker wall passes */
  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      if (!(x >= 220 && x < 420 && y >= 120 && y < 320))
        image->data[y * image->stride + x] = 120;
  g_assert_cmpuint (ek_face_quality_check (image, detection, NULL, &m), ==, EK_FACE_QUALITY_OK);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/face/detect/astronaut", test_detect_astronaut);
  g_test_add_func ("/face/detect/messi", test_detect_messi);
  g_test_add_func ("/face/detect/megamind", test_detect_megamind);
  g_test_add_func ("/face/detect/no-face", test_detect_no_face);
  g_test_add_func ("/face/detect/two-faces", test_detect_two_faces);
  g_test_add_func ("/face/detect/rate-limit", test_rate_limit);
  g_test_add ("/face/quality/good", QualityFixture, NULL, quality_setup, test_quality_good, quality_teardown);
  g_test_add ("/face/quality/dark", QualityFixture, NULL, quality_setup, test_quality_dark, quality_teardown);
  g_test_add ("/face/quality/blurred", QualityFixture, NULL, quality_setup, test_quality_blurred, quality_teardown);
  g_test_add ("/face/quality/small", QualityFixture, NULL, quality_setup, test_quality_small, quality_teardown);
  g_test_add ("/face/quality/off-centre", QualityFixture, NULL, quality_setup, test_quality_off_centre, quality_teardown);
  g_test_add ("/face/quality/two", QualityFixture, NULL, quality_setup, test_quality_two, quality_teardown);
  g_test_add ("/face/quality/none", QualityFixture, NULL, quality_setup, test_quality_none, quality_teardown);
  g_test_add_func ("/face/quality/backlight", test_quality_backlight);

  return g_test_run ();
}
