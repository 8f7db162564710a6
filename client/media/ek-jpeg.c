/* ek-jpeg.c: a video frame as a JPEG, for the identity check and the snapshots */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-jpeg.h"

#define ENCODE_TIMEOUT (5 * GST_SECOND)

/**
 * ek_jpeg_encode:
 * @frame: an RGBA frame
 *
 * Blocks: call it from a worker thread (or in tests).
 *
 * Returns: (transfer full) (nullable): the JPEG bytes
 */
GBytes *
ek_jpeg_encode (EkVideoFrame  *frame,
                GError       **error)
{
  GBytes *pixels;
  gsize size = 0;
  const guint8 *data;
  int width, height;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0, };
  int strides[GST_VIDEO_MAX_PLANES] = { 0, };
  g_autoptr(GstBuffer) buffer = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstCaps) to_caps = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GstSample) jpeg = NULL;
  g_autoptr(GError) gst_error = NULL;
  GstMapInfo map;
  GBytes *bytes;

  g_return_val_if_fail (frame != NULL, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  pixels = ek_video_frame_get_pixels (frame);
  data = g_bytes_get_data (pixels, &size);
  width = (int) ek_video_frame_get_width (frame);
  height = (int) ek_video_frame_get_height (frame);
  strides[0] = (int) ek_video_frame_get_stride (frame);

  buffer = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, (gpointer) data, size, 0, size,
                                        g_bytes_ref (pixels), (GDestroyNotify) g_bytes_unref);
  gst_buffer_add_video_meta_full (buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_RGBA,
                                  width, height, 1, offset, strides);
  caps = gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "RGBA",
                              "width", G_TYPE_INT, width,
                              "height", G_TYPE_INT, height,
                              "framerate", GST_TYPE_FRACTION, 0, 1,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  sample = gst_sample_new (buffer, caps, NULL, NULL);
  to_caps = gst_caps_new_empty_simple ("image/jpeg");

  jpeg = gst_video_convert_sample (sample, to_caps, ENCODE_TIMEOUT, &gst_error);
  if (jpeg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The picture cannot be prepared: %s"),
                   gst_error != NULL ? gst_error->message : _("unknown error"));
      return NULL;
    }

  if (!gst_buffer_map (gst_sample_get_buffer (jpeg), &map, GST_MAP_READ))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The picture cannot be prepared."));
      return NULL;
    }
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (gst_sample_get_buffer (jpeg), &map);

  return bytes;
}

static void
encode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GBytes *bytes = ek_jpeg_encode (task_data, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
ek_jpeg_encode_async (EkVideoFrame        *frame,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (frame != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_jpeg_encode_async);
  g_task_set_task_data (task, ek_video_frame_ref (frame), (GDestroyNotify) ek_video_frame_unref);
  g_task_run_in_thread (task, encode_thread);
}

/**
 * ek_jpeg_encode_finish:
 *
 * Returns: (transfer full) (nullable): the JPEG bytes
 */
GBytes *
ek_jpeg_encode_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_jpeg_encode_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
