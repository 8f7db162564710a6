/* ek-a11y.h: what assistive technology reads matches what is on screen */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void ek_a11y_init (void);

G_END_DECLS
