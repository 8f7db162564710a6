/* ek-signal-indicator.h: a small, quiet notice on the exam page while a proctoring
 * signal is active ("We can't see your face."), so an honest candidate can fix it
 * at once. No sound, no alarm colours; hidden while nothing is active. */
#pragma once

#include <gtk/gtk.h>

#include "ek-proctor-signals.h"

G_BEGIN_DECLS

#define EK_TYPE_SIGNAL_INDICATOR (ek_signal_indicator_get_type ())

G_DECLARE_FINAL_TYPE (EkSignalIndicator, ek_signal_indicator, EK, SIGNAL_INDICATOR, GtkWidget)

GtkWidget        *ek_signal_indicator_new         (EkProctorSignals  *signals);
EkProctorSignals *ek_signal_indicator_get_signals (EkSignalIndicator *self);
void              ek_signal_indicator_set_signals (EkSignalIndicator *self,
                                                   EkProctorSignals  *signals);
const char       *ek_signal_indicator_get_text    (EkSignalIndicator *self);

G_END_DECLS
