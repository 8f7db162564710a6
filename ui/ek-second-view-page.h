/* ek-second-view-page.h: the second camera: a phone scans a QR code and the server binds it */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_SECOND_VIEW_PAGE (ek_second_view_page_get_type ())

G_DECLARE_FINAL_TYPE (EkSecondViewPage, ek_second_view_page, EK, SECOND_VIEW_PAGE, GtkWidget)

GtkWidget *ek_second_view_page_new (EkEngine *engine);

G_END_DECLS
