/* ek-login-page.h: exam token and ID number */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_LOGIN_PAGE (ek_login_page_get_type ())

G_DECLARE_FINAL_TYPE (EkLoginPage, ek_login_page, EK, LOGIN_PAGE, GtkWidget)

GtkWidget *ek_login_page_new         (EkEngine    *engine,
                                      const char  *heading);
void       ek_login_page_fill        (EkLoginPage *self,
                                      const char  *exam_token,
                                      const char  *id_number);
char      *ek_login_error_message    (const GError *error);

G_END_DECLS
