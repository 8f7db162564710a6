/* ek-pledge-page.h: the exam rules and the pledge: accept, or decline and leave */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_PLEDGE_PAGE (ek_pledge_page_get_type ())

G_DECLARE_FINAL_TYPE (EkPledgePage, ek_pledge_page, EK, PLEDGE_PAGE, GtkWidget)

GtkWidget *ek_pledge_page_new (EkEngine *engine);

G_END_DECLS
