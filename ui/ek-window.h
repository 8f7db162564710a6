/* ek-window.h: the kiosk's single window, one GtkStack page per step of the exam day */

#pragma once

#include <gtk/gtk.h>

#include "ek-application.h"
#include "ek-engine.h"
#include "ek-lockdown-controller.h"

G_BEGIN_DECLS

#define EK_TYPE_WINDOW (ek_window_get_type ())

G_DECLARE_FINAL_TYPE (EkWindow, ek_window, EK, WINDOW, GtkApplicationWindow)

EkWindow   *ek_window_new              (EkApplication *application);
const char *ek_window_get_visible_page (EkWindow      *self);
GtkWidget  *ek_window_get_visible_page_widget (EkWindow *self);
EkEngine   *ek_window_get_engine       (EkWindow      *self);

/* Entering the exam: the lockdown first (a refusal keeps the candidate out). */
void        ek_window_engage_lockdown_async  (EkWindow            *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    ek_window_engage_lockdown_finish (EkWindow            *self,
                                              GAsyncResult        *result,
                                              GError             **error);
EkLockdownController *ek_window_get_lockdown (EkWindow            *self);

G_END_DECLS
