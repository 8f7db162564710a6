/* ek-window-guard.h: the kiosk window stays fullscreen, on top, visible and focused
 *
 * Fullscreen on its monitor also without a window manager (where a fullscreen request
 * does nothing), kept above, screen blanking off. Watches, every 100 ms and on the
 * display server's focus events, for the conditions below and reports each start and
 * end through "condition-changed"; ek_window_guard_reassert() takes the screen back.
 * The window's geometry, fullscreen state and desktop are restored by the guard itself
 * the moment they change.
 */
#pragma once

#include <glib-object.h>

#include "ek-assistive-tech.h"

G_BEGIN_DECLS

typedef enum
{
  EK_WINDOW_CONDITION_FOCUS_LOST,
  EK_WINDOW_CONDITION_HIDDEN,       /* unmapped, iconified */
  EK_WINDOW_CONDITION_OBSCURED,     /* another window over it */
  EK_WINDOW_CONDITION_POINTER_LEFT,
  EK_WINDOW_CONDITION_GEOMETRY,     /* moved, resized, not fullscreen, another desktop */
  EK_WINDOW_CONDITION_POINTER_GRABBED, /* another client grabbed the pointer */
} EkWindowCondition;

#define EK_N_WINDOW_CONDITIONS (EK_WINDOW_CONDITION_POINTER_GRABBED + 1)

#define EK_TYPE_WINDOW_GUARD (ek_window_guard_get_type ())

G_DECLARE_FINAL_TYPE (EkWindowGuard, ek_window_guard, EK, WINDOW_GUARD, GObject)

EkWindowGuard *ek_window_guard_new           (GObject           *surface);
void           ek_window_guard_engage        (EkWindowGuard     *self);
void           ek_window_guard_release       (EkWindowGuard     *self);
void           ek_window_guard_reassert      (EkWindowGuard     *self);
gboolean       ek_window_guard_get_condition (EkWindowGuard     *self,
                                              EkWindowCondition  condition);
void           ek_window_guard_check_now     (EkWindowGuard     *self);
void           ek_window_guard_set_assistive (EkWindowGuard     *self,
                                              const char        *install_dir,
                                              EkAssistiveKinds   allowed);

const char    *ek_window_condition_to_string (EkWindowCondition  condition);

G_END_DECLS
