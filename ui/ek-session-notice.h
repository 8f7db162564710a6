/* ek-session-notice.h: the notice pages show under a Wayland session */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean   ek_session_notice_is_wayland (void);
GtkWidget *ek_session_notice_new        (void);

G_END_DECLS
