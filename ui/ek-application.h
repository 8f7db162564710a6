/* ek-application.h: the ExamKiosk application: command line, resources, style, windows */

#pragma once

#include <gtk/gtk.h>

#include "ek-config.h"

G_BEGIN_DECLS

#define EK_TYPE_APPLICATION (ek_application_get_type ())

G_DECLARE_FINAL_TYPE (EkApplication, ek_application, EK, APPLICATION, GtkApplication)

EkApplication *ek_application_new               (void);
EkConfig      *ek_application_get_config        (EkApplication *self);
void           ek_application_set_config        (EkApplication *self,
                                                 EkConfig      *config);
const char    *ek_application_get_initial_mode  (EkApplication *self);
void           ek_application_set_initial_mode  (EkApplication *self,
                                                 const char    *initial_mode);

G_END_DECLS
