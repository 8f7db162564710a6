/* ek-face-quality.c: is this frame good enough to identify the candidate? */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-face-quality.h"

#define SHARPNESS_SIZE 128

/* EkGreyImage */

EkGreyImage *
ek_grey_image_new (guint width,
                   guint height)
{
  EkGreyImage *image;

  g_return_val_if_fail (width > 0 && height > 0, NULL);

  image = g_new0 (EkGreyImage, 1);
  image->width = width;
  image->height = height;
  image->stride = width;
  image->data = g_malloc0 ((gsize) width * height);

  return image;
}

/**
 * ek_grey_image_new_from_frame:
 *
 * Returns: (transfer full): the luma of @frame (BT.601 weights)
 */
EkGreyImage *
ek_grey_image_new_from_frame (EkVideoFrame *frame)
{
  guint width = ek_video_frame_get_width (frame);
  guint height = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = g_bytes_get_data (ek_video_frame_get_pixels (frame), NULL);
  EkGreyImage *image = ek_grey_image_new (width, height);

  for (guint y = 0; y < height; y++)
    {
      const guint8 *row = src + y * stride;
      guint8 *out = image->data + y * image->stride;

      for (guint x = 0; x < width; x++)
        out[x] = (guint8) ((77 * row[4 * x] + 150 * row[4 * x + 1] + 29 * row[4 * x + 2]) >> 8);
    }

  return image;
}

void
ek_grey_image_free (EkGreyImage *image)
{
  if (image == NULL)
    return;

  g_free (image->data);
  g_free (image);
}

static inline double
sample_bilinear (const EkGreyImage *image,
                 double             fx,
                 double             fy)
{
  int x0, y0, x1, y1;
  double ax, ay;

  fx = CLAMP (fx, 0.0, image->width - 1.0);
  fy = CLAMP (fy, 0.0, image->height - 1.0);
  x0 = (int) fx;
  y0 = (int) fy;
  x1 = MIN (x0 + 1, (int) image->width - 1);
  y1 = MIN (y0 + 1, (int) image->height - 1);
  ax = fx - x0;
  ay = fy - y0;

  return (1 - ay) * ((1 - ax) * image->data[y0 * image->stride + x0] + ax * image->data[y0 * image->stride + x1]) +
         ay * ((1 - ax) * image->data[y1 * image->stride + x0] + ax * image->data[y1 * image->stride + x1]);
}

/**
 * ek_grey_image_crop_scaled:
 *
 * Cuts out a rectangle (clamped to the image) and scales it to the given size:
 * area averaging when shrinking (no aliasing to fake sharpness), bilinear when
 * enlarging.
 *
 * Returns: (transfer full) (nullable): the crop, %NULL if the rectangle is empty
 */
EkGreyImage *
ek_grey_image_crop_scaled (const EkGreyImage *image,
                           int                x,
                           int                y,
                           int                width,
                           int                height,
                           guint              out_width,
                           guint              out_height)
{
  EkGreyImage *out;
  double sx, sy;
  int x1 = MIN (x + width, (int) image->width);
  int y1 = MIN (y + height, (int) image->height);

  x = MAX (x, 0);
  y = MAX (y, 0);
  width = x1 - x;
  height = y1 - y;
  if (width <= 0 || height <= 0 || out_width == 0 || out_height == 0)
    return NULL;

  out = ek_grey_image_new (out_width, out_height);
  sx = (double) width / out_width;
  sy = (double) height / out_height;

  for (guint oy = 0; oy < out_height; oy++)
    for (guint ox = 0; ox < out_width; ox++)
      {
        double value;

        if (sx > 1.0 || sy > 1.0)
          {
            int ax0 = x + (int) floor (ox * sx);
            int ay0 = y + (int) floor (oy * sy);
            int ax1 = MAX (ax0 + 1, x + (int) floor ((ox + 1) * sx));
            int ay1 = MAX (ay0 + 1, y + (int) floor ((oy + 1) * sy));
            guint64 sum = 0;
            guint n = 0;

            ax1 = MIN (ax1, x1);
            ay1 = MIN (ay1, y1);
            for (int yy = ay0; yy < ay1; yy++)
              for (int xx = ax0; xx < ax1; xx++)
                {
                  sum += image->data[yy * image->stride + xx];
                  n++;
                }
            value = n > 0 ? (double) sum / n : 0.0;
          }
        else
          value = sample_bilinear (image, x + (ox + 0.5) * sx - 0.5, y + (oy + 0.5) * sy - 0.5);

        out->data[oy * out->stride + ox] = (guint8) CLAMP (value + 0.5, 0.0, 255.0);
      }

  return out;
}

/**
 * ek_grey_image_mean_abs_diff:
 *
 * Returns: the mean absolute difference of two images of the same size, or
 *   255 when the sizes differ
 */
double
ek_grey_image_mean_abs_diff (const EkGreyImage *a,
                             const EkGreyImage *b)
{
  guint64 sum = 0;

  if (a->width != b->width || a->height != b->height)
    return 255.0;

  for (guint y = 0; y < a->height; y++)
    for (guint x = 0; x < a->width; x++)
      sum += ABS ((int) a->data[y * a->stride + x] - (int) b->data[y * b->stride + x]);

  return (double) sum / ((double) a->width * a->height);
}

/* Checks */

void
ek_face_quality_limits_init_defaults (EkFaceQualityLimits *limits)
{
  limits->min_face_height = 0.20;
  limits->max_centre_offset = 0.25;
  limits->min_brightness = 60.0;
  limits->max_brightness = 215.0;
  limits->min_contrast = 18.0;
  limits->min_sharpness = 30.0;
  limits->max_backlight = 70.0;
}

/**
 * ek_face_quality_sharpness:
 *
 * Returns: the variance of the 4-neighbour Laplacian over the rectangle, scaled
 *   to 128 pixels high first
 */
double
ek_face_quality_sharpness (const EkGreyImage *image,
                           int                x,
                           int                y,
                           int                width,
                           int                height)
{
  g_autoptr(EkGreyImage) face = NULL;
  guint out_w;
  double sum = 0, sum2 = 0;
  guint n = 0;

  if (height <= 0 || width <= 0)
    return 0.0;

  out_w = MAX (8, (guint) lround ((double) width * SHARPNESS_SIZE / height));
  face = ek_grey_image_crop_scaled (image, x, y, width, height, out_w, SHARPNESS_SIZE);
  if (face == NULL)
    return 0.0;

  for (guint yy = 1; yy + 1 < face->height; yy++)
    for (guint xx = 1; xx + 1 < face->width; xx++)
      {
        const guint8 *p = face->data + yy * face->stride + xx;
        double lap = 4.0 * p[0] - p[-1] - p[1] - p[-(gssize) face->stride] - p[face->stride];

        sum += lap;
        sum2 += lap * lap;
        n++;
      }

  if (n == 0)
    return 0.0;

  return sum2 / n - (sum / n) * (sum / n);
}

static void
region_stats (const EkGreyImage *image,
              int                x0,
              int                y0,
              int                x1,
              int                y1,
              double            *mean,
              double            *stddev)
{
  double sum = 0, sum2 = 0;
  guint64 n = 0;

  x0 = CLAMP (x0, 0, (int) image->width);
  x1 = CLAMP (x1, 0, (int) image->width);
  y0 = CLAMP (y0, 0, (int) image->height);
  y1 = CLAMP (y1, 0, (int) image->height);

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        double v = image->data[y * image->stride + x];

        sum += v;
        sum2 += v * v;
        n++;
      }

  *mean = n > 0 ? sum / n : 0.0;
  *stddev = n > 0 ? sqrt (MAX (0.0, sum2 / n - *mean * *mean)) : 0.0;
}

/* Mean of everything outside the face box grown by half its size: the light
 * behind and around the candidate. */
static double
background_mean (const EkGreyImage *image,
                 const EkFaceBox   *box)
{
  int gx0 = box->x - box->width / 2;
  int gx1 = box->x + box->width + box->width / 2;
  int gy0 = box->y - box->height / 2;
  int gy1 = box->y + box->height + box->height / 2;
  double sum = 0;
  guint64 n = 0;

  for (guint y = 0; y < image->height; y += 2)
    for (guint x = 0; x < image->width; x += 2)
      {
        if ((int) x >= gx0 && (int) x < gx1 && (int) y >= gy0 && (int) y < gy1)
          continue;
        sum += image->data[y * image->stride + x];
        n++;
      }

  return n > 0 ? sum / n : -1.0;
}

/**
 * ek_face_quality_check:
 * @image: the frame, grey
 * @detection: the faces found in it
 * @limits: (nullable): the limits, or %NULL for the defaults
 * @out_measures: (out) (optional): what was measured
 *
 * Returns: every problem found; %EK_FACE_QUALITY_OK if the frame passes
 */
EkFaceQualityProblems
ek_face_quality_check (const EkGreyImage         *image,
                       const EkFaceDetection     *detection,
                       const EkFaceQualityLimits *limits,
                       EkFaceQualityMeasures     *out_measures)
{
  EkFaceQualityLimits defaults;
  EkFaceQualityMeasures m = { 0, };
  EkFaceQualityProblems problems = EK_FACE_QUALITY_OK;
  const EkFaceBox *box;
  double stddev = 0;
  double bg;
  int ix, iy;

  g_return_val_if_fail (image != NULL, EK_FACE_QUALITY_NO_FACE);
  g_return_val_if_fail (detection != NULL, EK_FACE_QUALITY_NO_FACE);

  if (limits == NULL)
    {
      ek_face_quality_limits_init_defaults (&defaults);
      limits = &defaults;
    }

  m.n_faces = ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL);
  box = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);

  if (m.n_faces == 0 || box == NULL)
    problems |= EK_FACE_QUALITY_NO_FACE;
  else
    {
      if (m.n_faces > 1)
        problems |= EK_FACE_QUALITY_MULTIPLE_FACES;

      m.face_height = (double) box->height / image->height;
      m.centre_offset_x = (box->x + box->width / 2.0) / image->width - 0.5;
      m.centre_offset_y = (box->y + box->height / 2.0) / image->height - 0.5;

      /* The cascade's box holds some hair and background at its edges; measure
       * light on the inner part, where the skin is. */
      ix = box->width / 6;
      iy = box->height / 8;
      region_stats (image, box->x + ix, box->y + iy, box->x + box->width - ix, box->y + box->height - iy,
                    &m.brightness, &stddev);
      m.contrast = stddev;
      m.sharpness = ek_face_quality_sharpness (image, box->x, box->y, box->width, box->height);
      bg = background_mean (image, box);
      m.backlight = bg >= 0 ? bg - m.brightness : 0.0;

      if (m.face_height < limits->min_face_height)
        problems |= EK_FACE_QUALITY_TOO_SMALL;
      if (fabs (m.centre_offset_x) > limits->max_centre_offset ||
          fabs (m.centre_offset_y) > limits->max_centre_offset)
        problems |= EK_FACE_QUALITY_OFF_CENTRE;
      if (m.brightness < limits->min_brightness)
        problems |= EK_FACE_QUALITY_TOO_DARK;
      if (m.brightness > limits->max_brightness)
        problems |= EK_FACE_QUALITY_TOO_BRIGHT;
      if (m.contrast < limits->min_contrast)
        problems |= EK_FACE_QUALITY_LOW_CONTRAST;
      if (m.sharpness < limits->min_sharpness)
        problems |= EK_FACE_QUALITY_BLURRED;
      if (m.backlight > limits->max_backlight)
        problems |= EK_FACE_QUALITY_BACKLIGHT;
    }

  if (out_measures != NULL)
    *out_measures = m;

  return problems;
}

/**
 * ek_face_quality_guidance:
 *
 * Returns: (nullable): one short instruction for the most important problem
 */
const char *
ek_face_quality_guidance (EkFaceQualityProblems problems)
{
  if (problems & EK_FACE_QUALITY_MULTIPLE_FACES)
    return _("Only you in the picture, please.");
  if (problems & EK_FACE_QUALITY_NO_FACE)
    return _("We cannot see your face. Look straight at the camera.");
  if (problems & EK_FACE_QUALITY_TOO_SMALL)
    return _("Move closer to the camera.");
  if (problems & EK_FACE_QUALITY_OFF_CENTRE)
    return _("Move to the middle of the picture.");
  if (problems & EK_FACE_QUALITY_BACKLIGHT)
    return _("There is strong light behind you. Turn away from the window or lamp.");
  if (problems & (EK_FACE_QUALITY_TOO_DARK | EK_FACE_QUALITY_LOW_CONTRAST))
    return _("More light, please: turn on a lamp in front of you.");
  if (problems & EK_FACE_QUALITY_TOO_BRIGHT)
    return _("Too much light on your face. Move away from the lamp.");
  if (problems & EK_FACE_QUALITY_BLURRED)
    return _("Hold still.");

  return NULL;
}
