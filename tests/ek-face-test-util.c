/* ek-face-test-util.c: pictures and crafted frames for the face tests */

#include "config.h"

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "ek-face-test-util.h"

/**
 * ek_face_test_data:
 * @name: astronaut.png, messi5.jpg, baboon.jpg or Megamind.avi
 *
 * Returns: (transfer full): the file's path, fetched on first use
 */
char *
ek_face_test_data (const char *name)
{
  const char *builddir = g_getenv ("EK_TEST_BUILDDIR");
  const char *srcdir = g_getenv ("EK_TEST_SRCDIR");
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  g_assert_nonnull (builddir);
  g_assert_nonnull (srcdir);
  dir = g_build_filename (builddir, "face-data", NULL);
  path = g_build_filename (dir, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *script = g_build_filename (srcdir, "fetch-face-data.sh", NULL);
      const char *argv[] = { script, dir, NULL };
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err,
                         &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        g_error ("fetch-face-data.sh failed (network needed once for apt-get download): %s %s",
                 error->message, err != NULL ? err : "");
    }

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return g_steal_pointer (&path);
}

static EkVideoFrame *
frame_from_sample (GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstVideoInfo info;
  GstMapInfo map;
  g_autoptr(GBytes) bytes = NULL;

  g_assert_true (gst_video_info_from_caps (&info, caps));
  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  return ek_video_frame_new (bytes, GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                             GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), GST_BUFFER_PTS (buffer));
}

static GPtrArray *
run_to_frames (const char *source,
               guint       width,
               guint       height,
               guint       first,
               guint       last,
               guint       step)
{
  g_autofree char *desc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_video_frame_unref);
  guint index = 0;

  desc = g_strdup_printf ("%s ! videoconvert ! videoscale add-borders=true ! "
                          "video/x-raw,format=RGBA,width=%u,height=%u,pixel-aspect-ratio=1/1 ! "
                          "appsink name=sink sync=false max-buffers=4",
                          source, width, height);
  pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  for (;;)
    {
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);

      if (sample == NULL)
        break;
      if (index >= first && index <= last && (index - first) % step == 0)
        g_ptr_array_add (frames, frame_from_sample (sample));
      index++;
      if (index > last)
        break;
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  return frames;
}

/**
 * ek_face_test_load_image:
 *
 * Returns: (transfer full): the picture scaled into @width x @height, its aspect
 *   ratio kept (black borders)
 */
EkVideoFrame *
ek_face_test_load_image (const char *name,
                         guint       width,
                         guint       height)
{
  g_autofree char *path = ek_face_test_data (name);
  g_autofree char *source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", path);
  g_autoptr(GPtrArray) frames = run_to_frames (source, width, height, 0, 0, 1);

  g_assert_cmpuint (frames->len, ==, 1);
  return ek_video_frame_ref (g_ptr_array_index (frames, 0));
}

/**
 * ek_face_test_load_image_cropped:
 *
 * Returns: (transfer full): the picture cut by the given margins (pixels of the
 *   original), then scaled into @width x @height like ek_face_test_load_image()
 */
EkVideoFrame *
ek_face_test_load_image_cropped (const char *name,
                                 guint       left,
                                 guint       top,
                                 guint       right,
                                 guint       bottom,
                                 guint       width,
                                 guint       height)
{
  g_autofree char *path = ek_face_test_data (name);
  g_autofree char *source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                             "videocrop left=%u top=%u right=%u bottom=%u",
                                             path, left, top, right, bottom);
  g_autoptr(GPtrArray) frames = run_to_frames (source, width, height, 0, 0, 1);

  g_assert_cmpuint (frames->len, ==, 1);
  return ek_video_frame_ref (g_ptr_array_index (frames, 0));
}

/* Eileen Collins' face large and near the middle of a 640x480 frame, as a
 * candidate sitting well in front of the camera would be. */
EkVideoFrame *
ek_face_test_load_close_face (void)
{
  return ek_face_test_load_image_cropped ("astronaut.png", 90, 0, 110, 192,
                                          EK_TEST_FRAME_WIDTH, EK_TEST_FRAME_HEIGHT);
}

/**
 * ek_face_test_load_video:
 *
 * Returns: (transfer full) (element-type EkVideoFrame): frames @first to @last
 *   (inclusive) of the clip, every @step-th
 */
GPtrArray *
ek_face_test_load_video (const char *name,
                         guint       width,
                         guint       height,
                         guint       first,
                         guint       last,
                         guint       step)
{
  g_autofree char *path = ek_face_test_data (name);
  g_autofree char *source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", path);

  return run_to_frames (source, width, height, first, last, step);
}

EkVideoFrame *
ek_face_test_pattern (const char *pattern,
                      guint       width,
                      guint       height)
{
  g_autofree char *source = g_strdup_printf ("videotestsrc num-buffers=1 pattern=%s", pattern);
  g_autoptr(GPtrArray) frames = run_to_frames (source, width, height, 0, 0, 1);

  g_assert_cmpuint (frames->len, ==, 1);
  return ek_video_frame_ref (g_ptr_array_index (frames, 0));
}

/* Takes @rgba (width * height * 4 bytes). */
EkVideoFrame *
ek_face_test_new_frame (guint   width,
                        guint   height,
                        guint8 *rgba)
{
  g_autoptr(GBytes) bytes = g_bytes_new_take (rgba, (gsize) width * height * 4);

  return ek_video_frame_new (bytes, width, height, (gsize) width * 4, -1);
}

static const guint8 *
pixels_of (EkVideoFrame *frame)
{
  return g_bytes_get_data (ek_video_frame_get_pixels (frame), NULL);
}

EkVideoFrame *
ek_face_test_solid (guint  width,
                    guint  height,
                    guint8 grey)
{
  guint8 *rgba = g_malloc ((gsize) width * height * 4);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = grey;
      rgba[4 * i + 3] = 255;
    }

  return ek_face_test_new_frame (width, height, rgba);
}

EkVideoFrame *
ek_face_test_scale_light (EkVideoFrame *frame,
                          double        factor)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      for (guint c = 0; c < 4; c++)
        rgba[(y * w + x) * 4 + c] = c == 3 ? 255 : (guint8) CLAMP (src[y * stride + x * 4 + c] * factor, 0, 255);

  return ek_face_test_new_frame (w, h, rgba);
}

/* Three passes of a box blur: close to a Gaussian of sigma ~ radius. */
EkVideoFrame *
ek_face_test_blur (EkVideoFrame *frame,
                   guint         radius)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  g_autofree float *a = g_new (float, (gsize) w * h * 3);
  g_autofree float *b = g_new (float, (gsize) w * h * 3);
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      for (guint c = 0; c < 3; c++)
        a[(y * w + x) * 3 + c] = src[y * stride + x * 4 + c];

  for (guint pass = 0; pass < 3; pass++)
    {
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          for (guint c = 0; c < 3; c++)
            {
              float sum = 0;
              int n = 0;

              for (int d = -(int) radius; d <= (int) radius; d++)
                {
                  int xx = (int) x + d;

                  if (xx >= 0 && xx < (int) w)
                    {
                      sum += a[(y * w + xx) * 3 + c];
                      n++;
                    }
                }
              b[(y * w + x) * 3 + c] = sum / n;
            }
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          for (guint c = 0; c < 3; c++)
            {
              float sum = 0;
              int n = 0;

              for (int d = -(int) radius; d <= (int) radius; d++)
                {
                  int yy = (int) y + d;

                  if (yy >= 0 && yy < (int) h)
                    {
                      sum += b[(yy * w + x) * 3 + c];
                      n++;
                    }
                }
              a[(y * w + x) * 3 + c] = sum / n;
            }
    }

  for (guint i = 0; i < w * h; i++)
    {
      for (guint c = 0; c < 3; c++)
        rgba[i * 4 + c] = (guint8) CLAMP (a[i * 3 + c] + 0.5f, 0, 255);
      rgba[i * 4 + 3] = 255;
    }

  return ek_face_test_new_frame (w, h, rgba);
}

/* The whole picture scaled down by @scale (area average), centred on mid grey. */
EkVideoFrame *
ek_face_test_shrink (EkVideoFrame *frame,
                     double        scale)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  guint sw = (guint) (w * scale);
  guint sh = (guint) (h * scale);
  guint ox = (w - sw) / 2;
  guint oy = (h - sh) / 2;
  g_autoptr(EkVideoFrame) grey = ek_face_test_solid (w, h, 128);
  guint8 *rgba = g_memdup2 (pixels_of (grey), (gsize) w * h * 4);

  for (guint y = 0; y < sh; y++)
    for (guint x = 0; x < sw; x++)
      {
        guint x0 = (guint) (x / scale), x1 = MAX (x0 + 1, (guint) ((x + 1) / scale));
        guint y0 = (guint) (y / scale), y1 = MAX (y0 + 1, (guint) ((y + 1) / scale));

        for (guint c = 0; c < 3; c++)
          {
            guint sum = 0, n = 0;

            for (guint yy = y0; yy < MIN (y1, h); yy++)
              for (guint xx = x0; xx < MIN (x1, w); xx++)
                {
                  sum += src[yy * stride + xx * 4 + c];
                  n++;
                }
            rgba[((oy + y) * w + ox + x) * 4 + c] = n > 0 ? sum / n : 0;
          }
      }

  return ek_face_test_new_frame (w, h, rgba);
}

/* Moves the picture; what comes in at the edge is mid grey. */
EkVideoFrame *
ek_face_test_shift (EkVideoFrame *frame,
                    int           dx,
                    int           dy)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  g_autoptr(EkVideoFrame) grey = ek_face_test_solid (w, h, 128);
  guint8 *rgba = g_memdup2 (pixels_of (grey), (gsize) w * h * 4);

  for (int y = 0; y < (int) h; y++)
    for (int x = 0; x < (int) w; x++)
      {
        int sx = x - dx, sy = y - dy;

        if (sx < 0 || sy < 0 || sx >= (int) w || sy >= (int) h)
          continue;
        memcpy (rgba + ((gsize) y * w + x) * 4, src + sy * stride + sx * 4, 4);
      }

  return ek_face_test_new_frame (w, h, rgba);
}

EkVideoFrame *
ek_face_test_mirror (EkVideoFrame *frame)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      memcpy (rgba + ((gsize) y * w + x) * 4, src + y * stride + (w - 1 - x) * 4, 4);

  return ek_face_test_new_frame (w, h, rgba);
}

/* Two frames of the same height next to each other. */
EkVideoFrame *
ek_face_test_side_by_side (EkVideoFrame *left,
                           EkVideoFrame *right)
{
  guint lw = ek_video_frame_get_width (left);
  guint rw = ek_video_frame_get_width (right);
  guint h = ek_video_frame_get_height (left);
  guint w = lw + rw;
  guint8 *rgba = g_malloc ((gsize) w * h * 4);

  g_assert_cmpuint (h, ==, ek_video_frame_get_height (right));
  for (guint y = 0; y < h; y++)
    {
      memcpy (rgba + (gsize) y * w * 4, pixels_of (left) + y * ek_video_frame_get_stride (left), lw * 4);
      memcpy (rgba + ((gsize) y * w + lw) * 4, pixels_of (right) + y * ek_video_frame_get_stride (right), rw * 4);
    }

  return ek_face_test_new_frame (w, h, rgba);
}

/* Sensor noise (+-2 levels), so that two frames of a live scene never match exactly. */
EkVideoFrame *
ek_face_test_add_noise (EkVideoFrame *frame,
                        guint32       seed)
{
  guint w = ek_video_frame_get_width (frame);
  guint h = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const guint8 *src = pixels_of (frame);
  guint8 *rgba = g_malloc ((gsize) w * h * 4);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      for (guint c = 0; c < 4; c++)
        rgba[(y * w + x) * 4 + c] = c == 3 ? 255 :
          (guint8) CLAMP ((int) src[y * stride + x * 4 + c] + g_rand_int_range (rand, -2, 3), 0, 255);

  return ek_face_test_new_frame (w, h, rgba);
}

EkFaceDetection *
ek_face_test_detect (EkFaceDetector *detector,
                     EkVideoFrame   *frame)
{
  g_autoptr(GError) error = NULL;
  EkFaceDetection *detection = ek_face_detector_detect_sync (detector, frame, &error);

  g_assert_no_error (error);
  g_assert_nonnull (detection);
  return detection;
}
