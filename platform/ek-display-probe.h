/* ek-display-probe.h: facts about the display server the kiosk runs on
 *
 * A virtual, nested or remote-framebuffer X server; keys that break grabs
 * (XF86_Ungrab, XF86_ClearGrab) or switch away (virtual-terminal switching, zap);
 * whether a window manager runs. Synchronous, a few round trips.
 */
#pragma once

#include "ek-finding.h"

G_BEGIN_DECLS

void     ek_display_probe              (GPtrArray *findings);
gboolean ek_display_has_window_manager (void);
gboolean ek_display_can_switch_away    (void);

G_END_DECLS
