/* ek-jpeg.h: a video frame as a JPEG, for the identity check and the snapshots
 *
 * GStreamer's jpegenc (through gst_video_convert_sample) in a worker thread, so
 * the main loop never waits for the encoder.
 */
#pragma once

#include <gio/gio.h>

#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_JPEG_DEFAULT_QUALITY 90

GBytes  *ek_jpeg_encode         (EkVideoFrame         *frame,
                                 GError              **error);
void     ek_jpeg_encode_async   (EkVideoFrame         *frame,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data);
GBytes  *ek_jpeg_encode_finish  (GAsyncResult         *result,
                                 GError              **error);

G_END_DECLS
