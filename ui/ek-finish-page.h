/* ek-finish-page.h: the end: what the server confirmed, and the upload */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_FINISH_PAGE (ek_finish_page_get_type ())

G_DECLARE_FINAL_TYPE (EkFinishPage, ek_finish_page, EK, FINISH_PAGE, GtkWidget)

GtkWidget *ek_finish_page_new (EkEngine *engine);

G_END_DECLS
