/* ek-face-detector.h: faces in video frames, with OpenCV's cascades through GStreamer
 *
 * Frames go into a small GStreamer pipeline (appsrc -> facedetect -> fakesink) whose
 * streaming thread runs the cascade, so the main loop never waits for it. With
 * %EK_FACE_CASCADE_FRONTAL the frontal cascade (haarcascade_frontalface_default from
 * Debian's opencv-data) runs; with %EK_FACE_CASCADE_PROFILE two more branches run the
 * profile cascade on the frame and on its mirror image (the cascade only knows faces
 * turned one way), for the liveness challenge and to tell a turned head from an
 * empty seat. Frames offered faster than the rate limit, or while the
 * previous one is still being searched, are dropped: the detector never queues up.
 *
 * Results arrive as ::detected on the main context that created the detector.
 */
#pragma once

#include <gio/gio.h>

#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_FACE_DETECTOR_ERROR (ek_face_detector_error_quark ())

typedef enum
{
  EK_FACE_DETECTOR_ERROR_MISSING_PLUGIN,   /* gstreamer1.0-opencv is not installed */
  EK_FACE_DETECTOR_ERROR_MISSING_CASCADE,  /* opencv-data is not installed */
  EK_FACE_DETECTOR_ERROR_FAILED,
} EkFaceDetectorError;

typedef enum
{
  EK_FACE_CASCADE_FRONTAL = 1 << 0,
  EK_FACE_CASCADE_PROFILE = 1 << 1,
} EkFaceCascades;

/* Where a face box was found: as seen in the picture (not the candidate's left). */
typedef enum
{
  EK_FACE_VIEW_FRONTAL,
  EK_FACE_VIEW_PROFILE_FACING_LEFT,    /* the nose points to the picture's left edge */
  EK_FACE_VIEW_PROFILE_FACING_RIGHT,
} EkFaceView;

typedef struct
{
  int         x;
  int         y;
  int         width;
  int         height;
  EkFaceView  view;
  /* 0.25 .. 1: the share of the last four searched frames in which a box of the
   * same view overlapped this one. The cascade itself gives no score; a face that
   * stays put is far more likely real than one seen once. */
  double      confidence;
} EkFaceBox;

#define EK_TYPE_FACE_DETECTION (ek_face_detection_get_type ())

/* One searched frame and what was found in it; immutable. */
typedef struct _EkFaceDetection EkFaceDetection;

GType             ek_face_detection_get_type       (void) G_GNUC_CONST;
EkFaceDetection  *ek_face_detection_new            (EkVideoFrame          *frame,
                                                    gint64                 time_us,
                                                    const EkFaceBox       *boxes,
                                                    guint                  n_boxes);
EkFaceDetection  *ek_face_detection_ref            (EkFaceDetection       *self);
void              ek_face_detection_unref          (EkFaceDetection       *self);
EkVideoFrame     *ek_face_detection_get_frame      (const EkFaceDetection *self);
gint64            ek_face_detection_get_time_us    (const EkFaceDetection *self);
guint             ek_face_detection_get_n_boxes    (const EkFaceDetection *self);
const EkFaceBox  *ek_face_detection_get_box        (const EkFaceDetection *self,
                                                    guint                  index);
guint             ek_face_detection_count_view     (const EkFaceDetection *self,
                                                    EkFaceView             view);
const EkFaceBox  *ek_face_detection_get_largest    (const EkFaceDetection *self,
                                                    EkFaceView             view);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkFaceDetection, ek_face_detection_unref)

#define EK_FACE_DETECTOR_DEFAULT_MAX_FPS        5.0
#define EK_FACE_DETECTOR_DEFAULT_MIN_NEIGHBORS  5
#define EK_FACE_DETECTOR_PROFILE_MIN_NEIGHBORS  3
#define EK_FACE_DETECTOR_MIN_FACE_PX            60
/* The exam's face monitor: a tenth of its 360 lines, with a margin, so that a
 * candidate who sits back is still found (and reported as too small, not absent). */
#define EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX    32
#define EK_FACE_DETECTOR_SCALE_FACTOR           1.2

#define EK_TYPE_FACE_DETECTOR (ek_face_detector_get_type ())

G_DECLARE_FINAL_TYPE (EkFaceDetector, ek_face_detector, EK, FACE_DETECTOR, GObject)

GQuark          ek_face_detector_error_quark        (void);

EkFaceDetector *ek_face_detector_new                (EkFaceCascades   cascades,
                                                     GError         **error);
EkFaceDetector *ek_face_detector_new_with_min_size  (EkFaceCascades   cascades,
                                                     guint            min_face_px,
                                                     GError         **error);
EkFaceCascades  ek_face_detector_get_cascades       (EkFaceDetector  *self);
double          ek_face_detector_get_max_fps        (EkFaceDetector  *self);
void            ek_face_detector_set_max_fps        (EkFaceDetector  *self,
                                                     double           max_fps);
guint           ek_face_detector_get_min_neighbors  (EkFaceDetector  *self);
void            ek_face_detector_set_min_neighbors  (EkFaceDetector  *self,
                                                     guint            min_neighbors);
gboolean        ek_face_detector_get_busy           (EkFaceDetector  *self);
guint64         ek_face_detector_get_n_detected     (EkFaceDetector  *self);
guint64         ek_face_detector_get_n_dropped      (EkFaceDetector  *self);

gboolean        ek_face_detector_push_frame         (EkFaceDetector  *self,
                                                     EkVideoFrame    *frame);
gboolean        ek_face_detector_push_frame_at      (EkFaceDetector  *self,
                                                     EkVideoFrame    *frame,
                                                     gint64           time_us);

/* For tests and benchmarks: search @frame now, ignoring the rate limit, and
 * iterate the calling thread's default main context until the answer is in. */
EkFaceDetection *ek_face_detector_detect_sync       (EkFaceDetector  *self,
                                                     EkVideoFrame    *frame,
                                                     GError         **error);

const char     *ek_face_detector_get_cascade_dir    (void);
gboolean        ek_face_detector_check_installed    (EkFaceCascades   cascades,
                                                     GError         **error);

G_END_DECLS
