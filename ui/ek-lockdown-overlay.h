/* ek-lockdown-overlay.h: what the lockdown shows over the exam page
 *
 * Holds the exam page's content and lays over it the watermark (seat number and time),
 * the warning the candidate must acknowledge, and the blocking notices (a second
 * display, a lock until the proctor releases it, forced submission), following an
 * EkLockdownController. A relaxed (practice) lockdown is said on screen.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-lockdown-controller.h"

G_BEGIN_DECLS

#define EK_TYPE_LOCKDOWN_OVERLAY (ek_lockdown_overlay_get_type ())

G_DECLARE_FINAL_TYPE (EkLockdownOverlay, ek_lockdown_overlay, EK, LOCKDOWN_OVERLAY, GtkWidget)

GtkWidget  *ek_lockdown_overlay_new          (EkLockdownController *controller,
                                              const char           *seat);
void        ek_lockdown_overlay_set_child    (EkLockdownOverlay    *self,
                                              GtkWidget            *child);
const char *ek_lockdown_overlay_get_notice   (EkLockdownOverlay    *self);
void        ek_lockdown_overlay_keep_clear   (EkLockdownOverlay    *self,
                                              GListModel           *sheets);

const char *ek_violation_type_describe       (const char           *type);

G_END_DECLS
