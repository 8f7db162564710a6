/* ek-keyboard-lock.h: all keys to the kiosk, and injected input told apart
 *
 * While held, every key (Alt+Tab, Super, Alt+F4, Print, Ctrl+Alt+arrows …) reaches only
 * the kiosk's window; attempts at the usual escape shortcuts are reported through
 * "shortcut". Input that another program injects (XTEST on X11: xdotool and the like)
 * is recognised by the device it comes from, dropped, and reported through
 * "synthetic-input".
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_KEYBOARD_LOCK_ERROR (ek_keyboard_lock_error_quark ())

typedef enum
{
  EK_KEYBOARD_LOCK_ERROR_HELD_ELSEWHERE,  /* another program holds the keyboard */
  EK_KEYBOARD_LOCK_ERROR_NOT_VISIBLE,     /* the window is not on screen yet */
  EK_KEYBOARD_LOCK_ERROR_UNSUPPORTED,     /* no X Input 2, no keyboard */
  EK_KEYBOARD_LOCK_ERROR_FAILED,
} EkKeyboardLockError;

#define EK_TYPE_KEYBOARD_LOCK (ek_keyboard_lock_get_type ())

G_DECLARE_FINAL_TYPE (EkKeyboardLock, ek_keyboard_lock, EK, KEYBOARD_LOCK, GObject)

GQuark          ek_keyboard_lock_error_quark      (void);
EkKeyboardLock *ek_keyboard_lock_new              (GObject              *surface);
void            ek_keyboard_lock_acquire_async    (EkKeyboardLock       *self,
                                                   guint                 timeout_ms,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        ek_keyboard_lock_acquire_finish   (EkKeyboardLock       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
void            ek_keyboard_lock_release          (EkKeyboardLock       *self);
gboolean        ek_keyboard_lock_get_held         (EkKeyboardLock       *self);
void            ek_keyboard_lock_set_filter_synthetic (EkKeyboardLock   *self,
                                                   gboolean              filter);
gboolean        ek_keyboard_lock_get_filter_synthetic (EkKeyboardLock   *self);

G_END_DECLS
