/* ek-camera-paintable.h: the recorder's camera preview as a GdkPaintable
 *
 * Follows EkRecorder::preview-frame and shows the newest frame; each frame becomes
 * a GdkMemoryTexture over the recorder's own buffer, without a copy. Before the
 * first frame, and after the recorder goes, it draws black.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-recorder.h"

G_BEGIN_DECLS

#define EK_TYPE_CAMERA_PAINTABLE (ek_camera_paintable_get_type ())

G_DECLARE_FINAL_TYPE (EkCameraPaintable, ek_camera_paintable, EK, CAMERA_PAINTABLE, GObject)

EkCameraPaintable *ek_camera_paintable_new          (EkRecorder        *recorder);
EkRecorder        *ek_camera_paintable_get_recorder (EkCameraPaintable *self);
void               ek_camera_paintable_set_recorder (EkCameraPaintable *self,
                                                     EkRecorder        *recorder);
void               ek_camera_paintable_push_frame   (EkCameraPaintable *self,
                                                     EkVideoFrame      *frame);
GdkTexture        *ek_camera_paintable_get_texture  (EkCameraPaintable *self);

G_END_DECLS
