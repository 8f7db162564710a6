/* ek-video-frame.h: one decoded video frame, handed from the recorder to its viewers
 *
 * Pixels are RGBA, 8 bits per channel, alpha always opaque, rows @stride bytes
 * apart. The data is the GStreamer buffer itself (no copy), kept mapped until the
 * last reference goes; it is immutable, so any thread may read it.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define EK_TYPE_VIDEO_FRAME (ek_video_frame_get_type ())

typedef struct _EkVideoFrame EkVideoFrame;

GType          ek_video_frame_get_type    (void) G_GNUC_CONST;

EkVideoFrame  *ek_video_frame_new         (GBytes             *pixels,
                                           guint               width,
                                           guint               height,
                                           gsize               stride,
                                           gint64              pts_ns);
EkVideoFrame  *ek_video_frame_ref         (EkVideoFrame       *self);
void           ek_video_frame_unref       (EkVideoFrame       *self);

GBytes        *ek_video_frame_get_pixels  (const EkVideoFrame *self);
guint          ek_video_frame_get_width   (const EkVideoFrame *self);
guint          ek_video_frame_get_height  (const EkVideoFrame *self);
gsize          ek_video_frame_get_stride  (const EkVideoFrame *self);
gint64         ek_video_frame_get_pts_ns  (const EkVideoFrame *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkVideoFrame, ek_video_frame_unref)

G_END_DECLS
