/* ek-confirm-page.h: the candidate checks the personal information the server holds */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_CONFIRM_PAGE (ek_confirm_page_get_type ())

G_DECLARE_FINAL_TYPE (EkConfirmPage, ek_confirm_page, EK, CONFIRM_PAGE, GtkWidget)

GtkWidget *ek_confirm_page_new (EkEngine *engine);

G_END_DECLS
