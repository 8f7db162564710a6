/* ek-waiting-page.h: the waiting room: a countdown to the start, in server time */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_WAITING_PAGE (ek_waiting_page_get_type ())

G_DECLARE_FINAL_TYPE (EkWaitingPage, ek_waiting_page, EK, WAITING_PAGE, GtkWidget)

GtkWidget *ek_waiting_page_new (EkEngine *engine);

G_END_DECLS
