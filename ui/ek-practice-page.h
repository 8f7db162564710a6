/* ek-practice-page.h: the choice of practice exam */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_TYPE_PRACTICE_PAGE (ek_practice_page_get_type ())

G_DECLARE_FINAL_TYPE (EkPracticePage, ek_practice_page, EK, PRACTICE_PAGE, GtkWidget)

GtkWidget *ek_practice_page_new (JsonArray *practices);

G_END_DECLS
