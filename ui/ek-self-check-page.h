/* ek-self-check-page.h: the device check on screen, from the start screen */
#pragma once

#include <gtk/gtk.h>

#include "ek-self-check.h"

G_BEGIN_DECLS

#define EK_TYPE_SELF_CHECK_PAGE (ek_self_check_page_get_type ())

G_DECLARE_FINAL_TYPE (EkSelfCheckPage, ek_self_check_page, EK, SELF_CHECK_PAGE, GtkWidget)

GtkWidget   *ek_self_check_page_new       (EkSelfCheck     *check);
EkSelfCheck *ek_self_check_page_get_check (EkSelfCheckPage *self);
void         ek_self_check_page_start     (EkSelfCheckPage *self);

G_END_DECLS
