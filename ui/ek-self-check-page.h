/* ek-self-check-page.h: the device check on screen, from the start screen or the exam flow */
#pragma once

#include <gtk/gtk.h>

#include "ek-api-client.h"
#include "ek-self-check.h"

G_BEGIN_DECLS

#define EK_TYPE_SELF_CHECK_PAGE (ek_self_check_page_get_type ())

G_DECLARE_FINAL_TYPE (EkSelfCheckPage, ek_self_check_page, EK, SELF_CHECK_PAGE, GtkWidget)

GtkWidget   *ek_self_check_page_new       (EkSelfCheck     *check);
EkSelfCheck *ek_self_check_page_get_check (EkSelfCheckPage *self);
void         ek_self_check_page_start     (EkSelfCheckPage *self);
void         ek_self_check_page_set_api   (EkSelfCheckPage *self,
                                           EkApiClient     *api);
void         ek_self_check_page_set_return_action (EkSelfCheckPage *self,
                                                   const char      *action);
gboolean     ek_self_check_page_save      (EkSelfCheckPage *self,
                                           const char      *format,
                                           const char      *path,
                                           GError         **error);

G_END_DECLS
