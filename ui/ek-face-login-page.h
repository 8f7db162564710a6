/* ek-face-login-page.h: log in with the ID number and a live face capture */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"
#include "ek-face-capture.h"

G_BEGIN_DECLS

#define EK_TYPE_FACE_LOGIN_PAGE (ek_face_login_page_get_type ())

G_DECLARE_FINAL_TYPE (EkFaceLoginPage, ek_face_login_page, EK, FACE_LOGIN_PAGE, GtkWidget)

GtkWidget     *ek_face_login_page_new         (EkEngine        *engine);
EkFaceCapture *ek_face_login_page_get_capture (EkFaceLoginPage *self);

G_END_DECLS
