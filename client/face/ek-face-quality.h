/* ek-face-quality.h: is this frame good enough to identify the candidate?
 *
 * Pure functions on a grey picture and the face boxes found in it; no state, no
 * GStreamer, so they are cheap to test on crafted frames. The checks, each with a
 * limit in EkFaceQualityLimits:
 *
 *  - exactly one frontal face;
 *  - the face box at least 20% of the frame height, its centre within the middle
 *    of the frame (at most 25% of the frame's width/height away from the centre);
 *  - mean brightness of the face in range, and contrast (standard deviation) of
 *    the face above a minimum;
 *  - sharpness: the variance of the Laplacian (4-neighbour) over the face, after
 *    scaling the face to 128 pixels high, so the limit does not depend on distance;
 *  - no strong backlight: the background around the face is not much brighter
 *    than the face itself.
 */
#pragma once

#include <glib-object.h>

#include "ek-face-detector.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

/* 8-bit luma, rows @stride bytes apart. */
typedef struct
{
  guint8 *data;       /* owned */
  guint   width;
  guint   height;
  gsize   stride;
} EkGreyImage;

EkGreyImage *ek_grey_image_new              (guint               width,
                                             guint               height);
EkGreyImage *ek_grey_image_new_from_frame   (EkVideoFrame       *frame);
EkGreyImage *ek_grey_image_crop_scaled      (const EkGreyImage  *image,
                                             int                 x,
                                             int                 y,
                                             int                 width,
                                             int                 height,
                                             guint               out_width,
                                             guint               out_height);
void         ek_grey_image_free             (EkGreyImage        *image);
double       ek_grey_image_mean_abs_diff    (const EkGreyImage  *a,
                                             const EkGreyImage  *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkGreyImage, ek_grey_image_free)

typedef enum
{
  EK_FACE_QUALITY_OK             = 0,
  EK_FACE_QUALITY_NO_FACE        = 1 << 0,
  EK_FACE_QUALITY_MULTIPLE_FACES = 1 << 1,
  EK_FACE_QUALITY_TOO_SMALL      = 1 << 2,
  EK_FACE_QUALITY_OFF_CENTRE     = 1 << 3,
  EK_FACE_QUALITY_TOO_DARK       = 1 << 4,
  EK_FACE_QUALITY_TOO_BRIGHT     = 1 << 5,
  EK_FACE_QUALITY_LOW_CONTRAST   = 1 << 6,
  EK_FACE_QUALITY_BLURRED        = 1 << 7,
  EK_FACE_QUALITY_BACKLIGHT      = 1 << 8,
} EkFaceQualityProblems;

typedef struct
{
  double min_face_height;      /* share of the frame height */
  double max_centre_offset;    /* share of the frame size */
  double min_brightness;       /* mean luma of the face, 0-255 */
  double max_brightness;
  double min_contrast;         /* standard deviation of the face's luma */
  double min_sharpness;        /* variance of the Laplacian, face at 128 px */
  double max_backlight;        /* background mean minus face mean */
} EkFaceQualityLimits;

typedef struct
{
  guint  n_faces;
  double face_height;          /* share of the frame height */
  double centre_offset_x;      /* signed share of the width: + is right */
  double centre_offset_y;
  double brightness;
  double contrast;
  double sharpness;
  double backlight;
} EkFaceQualityMeasures;

void                   ek_face_quality_limits_init_defaults (EkFaceQualityLimits       *limits);
EkFaceQualityProblems  ek_face_quality_check      (const EkGreyImage         *image,
                                                   const EkFaceDetection     *detection,
                                                   const EkFaceQualityLimits *limits,
                                                   EkFaceQualityMeasures     *out_measures);
double                 ek_face_quality_sharpness  (const EkGreyImage         *image,
                                                   int                        x,
                                                   int                        y,
                                                   int                        width,
                                                   int                        height);
/* The one thing to tell the candidate first, translated; NULL for OK. */
const char            *ek_face_quality_guidance   (EkFaceQualityProblems      problems);

G_END_DECLS
