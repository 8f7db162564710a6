/* ek-video-frame.c: one decoded video frame, handed from the recorder to its viewers */

#include "config.h"

#include "ek-video-frame.h"

struct _EkVideoFrame
{
  gatomicrefcount  ref_count;

  GBytes          *pixels;    /* owned */
  guint            width;
  guint            height;
  gsize            stride;
  gint64           pts_ns;    /* running time of the frame, -1 if unknown */
};

G_DEFINE_BOXED_TYPE (EkVideoFrame, ek_video_frame, ek_video_frame_ref, ek_video_frame_unref)

/**
 * ek_video_frame_new:
 * @pixels: RGBA pixels, at least @stride * @height bytes
 * @width: width in pixels
 * @height: height in pixels
 * @stride: bytes from one row to the next, at least 4 * @width
 * @pts_ns: running time of the frame, or -1
 *
 * Returns: (transfer full): a new frame holding a reference to @pixels
 */
EkVideoFrame *
ek_video_frame_new (GBytes *pixels,
                    guint   width,
                    guint   height,
                    gsize   stride,
                    gint64  pts_ns)
{
  EkVideoFrame *self;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (stride >= (gsize) width * 4, NULL);
  g_return_val_if_fail (g_bytes_get_size (pixels) >= stride * height, NULL);

  self = g_new0 (EkVideoFrame, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->pixels = g_bytes_ref (pixels);
  self->width = width;
  self->height = height;
  self->stride = stride;
  self->pts_ns = pts_ns;

  return self;
}

EkVideoFrame *
ek_video_frame_ref (EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
ek_video_frame_unref (EkVideoFrame *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_bytes_unref (self->pixels);
      g_free (self);
    }
}

/**
 * ek_video_frame_get_pixels:
 *
 * Returns: (transfer none): the RGBA pixels
 */
GBytes *
ek_video_frame_get_pixels (const EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pixels;
}

guint
ek_video_frame_get_width (const EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->width;
}

guint
ek_video_frame_get_height (const EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->height;
}

gsize
ek_video_frame_get_stride (const EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->stride;
}

gint64
ek_video_frame_get_pts_ns (const EkVideoFrame *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->pts_ns;
}
