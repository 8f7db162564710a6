/* ek-countdown.h: time left until an absolute server time, large and colour-coded */
#pragma once

#include <gtk/gtk.h>

#include "ek-server-clock.h"

G_BEGIN_DECLS

#define EK_TYPE_COUNTDOWN (ek_countdown_get_type ())

G_DECLARE_FINAL_TYPE (EkCountdown, ek_countdown, EK, COUNTDOWN, GtkWidget)

GtkWidget     *ek_countdown_new              (void);
EkServerClock *ek_countdown_get_clock        (EkCountdown   *self);
void           ek_countdown_set_clock        (EkCountdown   *self,
                                              EkServerClock *clock);
gint64         ek_countdown_get_deadline_ms  (EkCountdown   *self);
void           ek_countdown_set_deadline_ms  (EkCountdown   *self,
                                              gint64         deadline_ms);
gint64         ek_countdown_get_remaining_ms (EkCountdown   *self);
const char    *ek_countdown_get_text         (EkCountdown   *self);
char          *ek_countdown_format           (gint64         remaining_ms);

G_END_DECLS
