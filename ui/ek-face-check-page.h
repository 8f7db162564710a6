/* ek-face-check-page.h: the live identity check (guided capture, head-turn challenge, server comparison) */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_FACE_CHECK_PAGE (ek_face_check_page_get_type ())

G_DECLARE_FINAL_TYPE (EkFaceCheckPage, ek_face_check_page, EK, FACE_CHECK_PAGE, GtkWidget)

GtkWidget *ek_face_check_page_new (EkEngine *engine);

G_END_DECLS
