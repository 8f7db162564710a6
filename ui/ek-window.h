/* ek-window.h: the kiosk's single window, one GtkStack page per step of the exam day */

#pragma once

#include <gtk/gtk.h>

#include "ek-application.h"
#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_WINDOW (ek_window_get_type ())

G_DECLARE_FINAL_TYPE (EkWindow, ek_window, EK, WINDOW, GtkApplicationWindow)

EkWindow   *ek_window_new              (EkApplication *application);
const char *ek_window_get_visible_page (EkWindow      *self);
EkEngine   *ek_window_get_engine       (EkWindow      *self);

G_END_DECLS
