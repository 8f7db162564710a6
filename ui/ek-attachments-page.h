/* ek-attachments-page.h: the exam's attachments, read in the kiosk */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_ATTACHMENTS_PAGE (ek_attachments_page_get_type ())

G_DECLARE_FINAL_TYPE (EkAttachmentsPage, ek_attachments_page, EK, ATTACHMENTS_PAGE, GtkWidget)

GtkWidget *ek_attachments_page_new (EkEngine *engine);

G_END_DECLS
