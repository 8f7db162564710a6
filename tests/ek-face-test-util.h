/* ek-face-test-util.h: pictures and crafted frames for the face tests
 *
 * The pictures come from Debian packages (tests/fetch-face-data.sh fetches the
 * .debs once into the build folder and extracts only those files).
 */
#pragma once

#include <gst/gst.h>

#include "ek-face-detector.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_TEST_FRAME_WIDTH  640
#define EK_TEST_FRAME_HEIGHT 480

char         *ek_face_test_data          (const char         *name);
EkVideoFrame *ek_face_test_load_image    (const char         *name,
                                          guint               width,
                                          guint               height);
EkVideoFrame *ek_face_test_load_image_cropped (const char   *name,
                                          guint               left,
                                          guint               top,
                                          guint               right,
                                          guint               bottom,
                                          guint               width,
                                          guint               height);
EkVideoFrame *ek_face_test_load_close_face (void);
GPtrArray    *ek_face_test_load_video    (const char         *name,
                                          guint               width,
                                          guint               height,
                                          guint               first,
                                          guint               last,
                                          guint               step);
EkVideoFrame *ek_face_test_new_frame     (guint               width,
                                          guint               height,
                                          guint8             *rgba);
EkVideoFrame *ek_face_test_solid         (guint               width,
                                          guint               height,
                                          guint8              grey);
EkVideoFrame *ek_face_test_pattern       (const char         *pattern,
                                          guint               width,
                                          guint               height);
EkVideoFrame *ek_face_test_scale_light   (EkVideoFrame       *frame,
                                          double              factor);
EkVideoFrame *ek_face_test_blur          (EkVideoFrame       *frame,
                                          guint               radius);
EkVideoFrame *ek_face_test_shrink        (EkVideoFrame       *frame,
                                          double              scale);
EkVideoFrame *ek_face_test_shift         (EkVideoFrame       *frame,
                                          int                 dx,
                                          int                 dy);
EkVideoFrame *ek_face_test_mirror        (EkVideoFrame       *frame);
EkVideoFrame *ek_face_test_side_by_side  (EkVideoFrame       *left,
                                          EkVideoFrame       *right);
EkVideoFrame *ek_face_test_add_noise     (EkVideoFrame       *frame,
                                          guint32             seed);
EkFaceDetection *ek_face_test_detect     (EkFaceDetector     *detector,
                                          EkVideoFrame       *frame);

G_END_DECLS
