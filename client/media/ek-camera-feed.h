/* ek-camera-feed.h: the camera alone, without recording, for the identity check
 * and face login
 *
 * A small pipeline: camera (GstDeviceMonitor, or the test source) -> 640x480 RGBA
 * at about 10 frames a second -> ::frame on the main context that started it.
 * Nothing is written anywhere.
 */
#pragma once

#include <gio/gio.h>

#include "ek-config.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_CAMERA_FEED_WIDTH   640
#define EK_CAMERA_FEED_HEIGHT  480
#define EK_CAMERA_FEED_FPS     10

#define EK_TYPE_CAMERA_FEED (ek_camera_feed_get_type ())

G_DECLARE_FINAL_TYPE (EkCameraFeed, ek_camera_feed, EK, CAMERA_FEED, GObject)

EkCameraFeed *ek_camera_feed_new        (EkMediaSource   source,
                                         const char     *camera_id);
gboolean      ek_camera_feed_start      (EkCameraFeed   *self,
                                         GError        **error);
void          ek_camera_feed_stop       (EkCameraFeed   *self);
gboolean      ek_camera_feed_is_running (EkCameraFeed   *self);

G_END_DECLS
