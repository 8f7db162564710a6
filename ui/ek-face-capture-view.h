/* ek-face-capture-view.h: the live guided capture, shared by the identity check
 * and face login pages */
#pragma once

#include <gtk/gtk.h>

#include "ek-config.h"
#include "ek-face-capture.h"

G_BEGIN_DECLS

#define EK_TYPE_FACE_CAPTURE_VIEW (ek_face_capture_view_get_type ())

G_DECLARE_FINAL_TYPE (EkFaceCaptureView, ek_face_capture_view, EK, FACE_CAPTURE_VIEW, GtkWidget)

GtkWidget     *ek_face_capture_view_new           (void);
void           ek_face_capture_view_setup         (EkFaceCaptureView *self,
                                                   EkFaceCapture     *capture,
                                                   EkMediaSource      source,
                                                   const char        *locked_out_text);
void           ek_face_capture_view_set_help_contact (EkFaceCaptureView *self,
                                                   const char        *help_contact);
gboolean       ek_face_capture_view_start         (EkFaceCaptureView *self);
void           ek_face_capture_view_retry         (EkFaceCaptureView *self);
void           ek_face_capture_view_stop          (EkFaceCaptureView *self);
void           ek_face_capture_view_show_message  (EkFaceCaptureView *self,
                                                   const char        *text);
gboolean       ek_face_capture_view_get_can_retry (EkFaceCaptureView *self);
EkFaceCapture *ek_face_capture_view_get_capture   (EkFaceCaptureView *self);

G_END_DECLS
