/* ek-announcer.h: short messages for assistive technology (a screen reader) */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_ANNOUNCER (ek_announcer_get_type ())

G_DECLARE_FINAL_TYPE (EkAnnouncer, ek_announcer, EK, ANNOUNCER, GtkWidget)

GtkWidget  *ek_announcer_new      (void);
void        ek_announcer_announce (EkAnnouncer *self,
                                   const char  *text);
const char *ek_announcer_get_text (EkAnnouncer *self);
void        ek_announcer_serve_window (EkAnnouncer *self,
                                       GtkWindow   *window);

G_END_DECLS
