/* ek-device-page.h: the candidate confirms the camera and microphone */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_DEVICE_PAGE (ek_device_page_get_type ())

G_DECLARE_FINAL_TYPE (EkDevicePage, ek_device_page, EK, DEVICE_PAGE, GtkWidget)

GtkWidget *ek_device_page_new (EkEngine *engine);

G_END_DECLS
