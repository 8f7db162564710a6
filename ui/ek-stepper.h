/* ek-stepper.h: the candidate's progress through the steps before the exam */

#pragma once

#include <gtk/gtk.h>

#include "ek-exam.h"

G_BEGIN_DECLS

#define EK_TYPE_STEPPER (ek_stepper_get_type ())

G_DECLARE_FINAL_TYPE (EkStepper, ek_stepper, EK, STEPPER, GtkWidget)

GtkWidget  *ek_stepper_new           (void);
gboolean    ek_stepper_show_page     (EkStepper  *self,
                                      EkExam     *exam,
                                      const char *page);
const char *ek_stepper_get_caption   (EkStepper  *self);

const char *ek_stepper_page_for_step (EkStep      step);
gboolean    ek_stepper_locate        (EkExam     *exam,
                                      const char *page,
                                      guint      *index,
                                      guint      *total);

G_END_DECLS
