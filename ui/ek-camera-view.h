/* ek-camera-view.h: the live camera picture and the microphone level, or an honest
 * "not available" where this build or this computer has none */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_CAMERA_VIEW (ek_camera_view_get_type ())

G_DECLARE_FINAL_TYPE (EkCameraView, ek_camera_view, EK, CAMERA_VIEW, GtkWidget)

GtkWidget    *ek_camera_view_new            (void);
GdkPaintable *ek_camera_view_get_paintable  (EkCameraView *self);
void          ek_camera_view_set_paintable  (EkCameraView *self,
                                             GdkPaintable *paintable);
double        ek_camera_view_get_level      (EkCameraView *self);
void          ek_camera_view_set_level      (EkCameraView *self,
                                             double        level);
void          ek_camera_view_set_level_db   (EkCameraView *self,
                                             double        db);
gboolean      ek_camera_view_get_show_level (EkCameraView *self);
void          ek_camera_view_set_show_level (EkCameraView *self,
                                             gboolean      show_level);

G_END_DECLS
