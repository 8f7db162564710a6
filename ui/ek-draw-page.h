/* ek-draw-page.h: the draw of the scoring sequence number */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_DRAW_PAGE (ek_draw_page_get_type ())

G_DECLARE_FINAL_TYPE (EkDrawPage, ek_draw_page, EK, DRAW_PAGE, GtkWidget)

GtkWidget *ek_draw_page_new (EkEngine *engine);
gboolean   ek_draw_page_get_holding (EkDrawPage *self);

G_END_DECLS
