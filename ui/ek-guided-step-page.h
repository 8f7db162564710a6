/* ek-guided-step-page.h: a step the candidate performs in front of the camera: room scan, blank paper */
#pragma once

#include <gtk/gtk.h>

#include "ek-engine.h"

G_BEGIN_DECLS

#define EK_TYPE_GUIDED_STEP_PAGE (ek_guided_step_page_get_type ())

G_DECLARE_FINAL_TYPE (EkGuidedStepPage, ek_guided_step_page, EK, GUIDED_STEP_PAGE, GtkWidget)

GtkWidget *ek_guided_step_page_new (EkEngine *engine);

G_END_DECLS
