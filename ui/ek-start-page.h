/* ek-start-page.h: the start screen: formal exam, mock exam, practice exam or device check */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_START_PAGE (ek_start_page_get_type ())

G_DECLARE_FINAL_TYPE (EkStartPage, ek_start_page, EK, START_PAGE, GtkWidget)

GtkWidget *ek_start_page_new (void);

G_END_DECLS
