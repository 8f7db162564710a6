/* ek-layout-check.h: what a candidate would see broken on the window as it is laid out */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GPtrArray *ek_layout_check (GtkWidget *root);

G_END_DECLS
