/* ek-x11-keyboard-lock.c: all keys to the kiosk, injected input told apart (X Input 2)
 *
 * A core XGrabKeyboard starves GTK 4, which reads X Input 2 events: the lock is an
 * XIGrabDevice on the master keyboard, with owner events so GTK still gets its keys.
 * Injected input is recognised by the slave device it comes from (XTEST's), inside
 * GdkX11Display's "xevent", where a handler returning TRUE keeps GDK from seeing it.
 *
 * X Input 2 lets any client add master keyboards (MPX, `xinput create-master`), each
 * with its own focus: every master keyboard is grabbed, the hierarchy is watched (GDK
 * selects its changes on the root window) and each one added later is grabbed and
 * reported ("keyboard-added").
 */

#include "config.h"

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XInput2.h>

#include <glib/gi18n-lib.h>

#include "ek-keyboard-lock.h"

#define RETRY_INTERVAL_MS  100
#define CHECK_INTERVAL_MS  500

struct _EkKeyboardLock
{
  GObject     parent_instance;

  GdkSurface *surface;          /* owned ref */
  GdkDisplay *display;          /* borrowed from surface */
  int         xi_opcode;
  int         keyboard_id;      /* master keyboard */
  GHashTable *other_masters;    /* further master keyboard ids grabbed -> 1 */
  GHashTable *device_is_xtest;  /* source device id -> 1 (XTEST) / 2 (not) */
  gboolean    held;
  gboolean    wanted;           /* between a successful acquire and release */
  gboolean    filter_synthetic;
  gulong      xevent_id;
  guint       check_id;
  GTask      *acquire_task;     /* owned; while acquiring */
  guint       acquire_retry_id;
  gint64      acquire_deadline;
  int         last_status;
};

G_DEFINE_FINAL_TYPE (EkKeyboardLock, ek_keyboard_lock, G_TYPE_OBJECT)

G_DEFINE_QUARK (ek-keyboard-lock-error-quark, ek_keyboard_lock_error)

enum {
  PROP_0,
  PROP_HELD,
  PROP_FILTER_SYNTHETIC,
  N_PROPS
};

enum {
  SHORTCUT,
  SYNTHETIC_INPUT,
  KEYBOARD_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_held (EkKeyboardLock *self,
          gboolean        held)
{
  if (self->held == held)
    return;

  self->held = held;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HELD]);
}

static int
grab_device (EkKeyboardLock *self,
             int             device_id)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (self->display);
  unsigned char mask_bits[XIMaskLen (XI_LASTEVENT)] = { 0 };
  XIEventMask mask = { device_id, sizeof mask_bits, mask_bits };
  Window xid = gdk_x11_surface_get_xid (self->surface);
  int status;

  XISetMask (mask_bits, XI_KeyPress);
  XISetMask (mask_bits, XI_KeyRelease);
  XISetMask (mask_bits, XI_FocusIn);
  XISetMask (mask_bits, XI_FocusOut);

  gdk_x11_display_error_trap_push (self->display);
  status = XIGrabDevice (xdisplay, device_id, xid, CurrentTime, None,
                         XIGrabModeAsync, XIGrabModeAsync, True, &mask);
  if (gdk_x11_display_error_trap_pop (self->display) != 0)
    status = BadWindow;
  return status;
}

/* Every master keyboard besides GDK's: grabbed (again), a new one reported. */
static void
grab_other_masters (EkKeyboardLock *self)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (self->display);
  XIDeviceInfo *devices;
  int n = 0;

  gdk_x11_display_error_trap_push (self->display);
  devices = XIQueryDevice (xdisplay, XIAllMasterDevices, &n);
  gdk_x11_display_error_trap_pop_ignored (self->display);

  for (int i = 0; devices != NULL && i < n; i++)
    {
      gpointer id = GINT_TO_POINTER (devices[i].deviceid);
      int status;

      if (devices[i].use != XIMasterKeyboard || devices[i].deviceid == self->keyboard_id)
        continue;

      status = grab_device (self, devices[i].deviceid);
      if (!g_hash_table_contains (self->other_masters, id))
        {
          g_autofree char *detail = g_strdup_printf ("%s (%s)", devices[i].name,
                                                     status == GrabSuccess ? "grabbed"
                                                     : "held by another client");

          g_hash_table_add (self->other_masters, id);
          g_signal_emit (self, signals[KEYBOARD_ADDED], 0, detail);
        }
    }
  if (devices != NULL)
    XIFreeDeviceInfo (devices);
}

static void
ungrab_other_masters (EkKeyboardLock *self)
{
  GHashTableIter iter;
  gpointer id;

  gdk_x11_display_error_trap_push (self->display);
  g_hash_table_iter_init (&iter, self->other_masters);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    XIUngrabDevice (gdk_x11_display_get_xdisplay (self->display), GPOINTER_TO_INT (id),
                    CurrentTime);
  gdk_x11_display_error_trap_pop_ignored (self->display);
  g_hash_table_remove_all (self->other_masters);
}

static int
try_grab (EkKeyboardLock *self)
{
  self->last_status = grab_device (self, self->keyboard_id);
  return self->last_status;
}

static gboolean
is_xtest_device (EkKeyboardLock *self,
                 int             device_id)
{
  gpointer known = g_hash_table_lookup (self->device_is_xtest, GINT_TO_POINTER (device_id));

  if (known == NULL)
    {
      Display *xdisplay = gdk_x11_display_get_xdisplay (self->display);
      XIDeviceInfo *info;
      int n = 0;
      gboolean xtest = FALSE;

      gdk_x11_display_error_trap_push (self->display);
      info = XIQueryDevice (xdisplay, device_id, &n);
      if (info != NULL && n > 0)
        xtest = strstr (info[0].name, "XTEST") != NULL;
      if (info != NULL)
        XIFreeDeviceInfo (info);
      gdk_x11_display_error_trap_pop_ignored (self->display);

      known = GINT_TO_POINTER (xtest ? 1 : 2);
      g_hash_table_insert (self->device_is_xtest, GINT_TO_POINTER (device_id), known);
    }

  return GPOINTER_TO_INT (known) == 1;
}

static const char *
describe_shortcut (KeySym keysym,
                   int    mods)
{
  gboolean alt = (mods & Mod1Mask) != 0;
  gboolean ctrl = (mods & ControlMask) != 0;

  switch (keysym)
    {
    case XK_Tab:
    case XK_ISO_Left_Tab:
      return alt ? "Alt+Tab" : NULL;
    case XK_F4:
      return alt ? "Alt+F4" : NULL;
    case XK_Escape:
      return alt ? "Alt+Esc" : ctrl ? "Ctrl+Esc" : NULL;
    case XK_Super_L:
    case XK_Super_R:
    case XK_Hyper_L:
    case XK_Hyper_R:
    case XK_Meta_L:
    case XK_Meta_R:
      return "Super";
    case XK_Print:
    case XK_Sys_Req:
      return "Print";
    case XK_Left:
      return ctrl && alt ? "Ctrl+Alt+Left" : NULL;
    case XK_Right:
      return ctrl && alt ? "Ctrl+Alt+Right" : NULL;
    case XK_Up:
      return ctrl && alt ? "Ctrl+Alt+Up" : NULL;
    case XK_Down:
      return ctrl && alt ? "Ctrl+Alt+Down" : NULL;
    case XK_Delete:
      return ctrl && alt ? "Ctrl+Alt+Delete" : NULL;
    case XK_BackSpace:
      return ctrl && alt ? "Ctrl+Alt+Backspace" : NULL;
    case XK_F1: case XK_F2: case XK_F3: case XK_F5: case XK_F6: case XK_F7:
    case XK_F8: case XK_F9: case XK_F10: case XK_F11: case XK_F12:
      return ctrl && alt ? "Ctrl+Alt+F<n>" : NULL;
    case XK_space:
      return alt ? "Alt+Space" : NULL;
    default:
      return NULL;
    }
}

static void on_check_cb (gpointer user_data);

static void
schedule_check (EkKeyboardLock *self,
                guint           delay_ms)
{
  g_clear_handle_id (&self->check_id, g_source_remove);
  self->check_id = g_timeout_add_once (delay_ms, on_check_cb, self);
}

static gboolean
xevent_cb (GdkDisplay *display,
           XEvent     *xevent,
           gpointer    user_data)
{
  EkKeyboardLock *self = user_data;
  XGenericEventCookie *cookie = &xevent->xcookie;

  if (xevent->type != GenericEvent || cookie->extension != self->xi_opcode ||
      cookie->data == NULL)
    return GDK_EVENT_PROPAGATE;

  switch (cookie->evtype)
    {
    case XI_KeyPress:
    case XI_KeyRelease:
    case XI_ButtonPress:
    case XI_ButtonRelease:
    case XI_Motion:
      {
        XIDeviceEvent *event = cookie->data;

        if (self->filter_synthetic && is_xtest_device (self, event->sourceid))
          {
            if (cookie->evtype != XI_Motion && cookie->evtype != XI_KeyRelease &&
                cookie->evtype != XI_ButtonRelease)
              g_signal_emit (self, signals[SYNTHETIC_INPUT], 0,
                             cookie->evtype == XI_KeyPress ? "key" : "button");
            return GDK_EVENT_STOP;
          }

        if (cookie->evtype == XI_KeyPress && self->wanted)
          {
            KeySym keysym = XkbKeycodeToKeysym (xevent->xany.display, event->detail, 0, 0);
            const char *shortcut = describe_shortcut (keysym, event->mods.effective);

            if (shortcut != NULL)
              g_signal_emit (self, signals[SHORTCUT], 0, shortcut);
          }
      }
      break;

    case XI_HierarchyChanged:
      {
        XIHierarchyEvent *event = cookie->data;

        if (self->wanted && (event->flags & XIMasterAdded))
          grab_other_masters (self);
        /* A window manager may briefly unmap the window over a hierarchy change, which
         * ends every grab on it: look again at once. */
        if (self->wanted)
          schedule_check (self, 0);
      }
      break;

    case XI_FocusIn:
    case XI_FocusOut:
      {
        XIFocusOutEvent *event = cookie->data;

        /* The end of a grab: ours, when the window went away or a grab-breaking key
         * was pressed. Take it back as soon as possible. */
        if (self->wanted && event->mode == XINotifyUngrab)
          schedule_check (self, 0);
      }
      break;

    default:
      break;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
on_check_cb (gpointer user_data)
{
  EkKeyboardLock *self = user_data;
  int status;

  self->check_id = 0;
  if (!self->wanted)
    return;

  /* Grabbing again while holding the grab only confirms it; anything else means it
   * was lost (window unmapped, another client got in between). */
  status = try_grab (self);
  set_held (self, status == GrabSuccess);
  grab_other_masters (self);

  schedule_check (self, status == GrabSuccess ? CHECK_INTERVAL_MS : RETRY_INTERVAL_MS);
}

static void
acquire_done (EkKeyboardLock *self,
              GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->acquire_task);

  g_clear_handle_id (&self->acquire_retry_id, g_source_remove);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->wanted = TRUE;
  set_held (self, TRUE);
  grab_other_masters (self);
  schedule_check (self, CHECK_INTERVAL_MS);
  g_task_return_boolean (task, TRUE);
}

static gboolean
on_acquire_retry_cb (gpointer user_data)
{
  EkKeyboardLock *self = user_data;
  int status;

  if (g_task_return_error_if_cancelled (self->acquire_task))
    {
      g_clear_object (&self->acquire_task);
      self->acquire_retry_id = 0;
      return G_SOURCE_REMOVE;
    }

  status = try_grab (self);
  if (status == GrabSuccess)
    {
      self->acquire_retry_id = 0;
      acquire_done (self, NULL);
      return G_SOURCE_REMOVE;
    }

  if (g_get_monotonic_time () < self->acquire_deadline)
    return G_SOURCE_CONTINUE;

  self->acquire_retry_id = 0;
  switch (status)
    {
    case AlreadyGrabbed:
    case GrabFrozen:
      acquire_done (self, g_error_new_literal (EK_KEYBOARD_LOCK_ERROR,
                                               EK_KEYBOARD_LOCK_ERROR_HELD_ELSEWHERE,
                                               _("The keyboard cannot be locked for the exam: "
                                                 "another program holds it. Close other "
                                                 "programs and try again.")));
      break;

    case GrabNotViewable:
      acquire_done (self, g_error_new_literal (EK_KEYBOARD_LOCK_ERROR,
                                               EK_KEYBOARD_LOCK_ERROR_NOT_VISIBLE,
                                               _("The keyboard cannot be locked for the exam: "
                                                 "the exam window is not on screen.")));
      break;

    default:
      acquire_done (self, g_error_new (EK_KEYBOARD_LOCK_ERROR, EK_KEYBOARD_LOCK_ERROR_FAILED,
                                       _("The keyboard cannot be locked for the exam "
                                         "(X error %d)."), status));
      break;
    }

  return G_SOURCE_REMOVE;
}

static void
ek_keyboard_lock_dispose (GObject *object)
{
  EkKeyboardLock *self = (EkKeyboardLock *)object;

  ek_keyboard_lock_release (self);
  g_clear_signal_handler (&self->xevent_id, self->display);
  g_clear_object (&self->surface);

  G_OBJECT_CLASS (ek_keyboard_lock_parent_class)->dispose (object);
}

static void
ek_keyboard_lock_finalize (GObject *object)
{
  EkKeyboardLock *self = (EkKeyboardLock *)object;

  g_clear_pointer (&self->device_is_xtest, g_hash_table_unref);
  g_clear_pointer (&self->other_masters, g_hash_table_unref);

  G_OBJECT_CLASS (ek_keyboard_lock_parent_class)->finalize (object);
}

static void
ek_keyboard_lock_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EkKeyboardLock *self = EK_KEYBOARD_LOCK (object);

  switch (prop_id)
    {
    case PROP_HELD:
      g_value_set_boolean (value, self->held);
      break;

    case PROP_FILTER_SYNTHETIC:
      g_value_set_boolean (value, self->filter_synthetic);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_keyboard_lock_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EkKeyboardLock *self = EK_KEYBOARD_LOCK (object);

  switch (prop_id)
    {
    case PROP_FILTER_SYNTHETIC:
      ek_keyboard_lock_set_filter_synthetic (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_keyboard_lock_class_init (EkKeyboardLockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_keyboard_lock_dispose;
  object_class->finalize = ek_keyboard_lock_finalize;
  object_class->get_property = ek_keyboard_lock_get_property;
  object_class->set_property = ek_keyboard_lock_set_property;

  /**
   * EkKeyboardLock:held:
   *
   * Whether the keyboard is locked to the window right now; goes FALSE when the lock is
   * lost, and TRUE again when it is taken back.
   */
  properties[PROP_HELD] =
    g_param_spec_boolean ("held", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkKeyboardLock:filter-synthetic:
   *
   * Drop and report injected input. Always on in an exam; only the escape tests switch
   * it off (every input is injected under Xvfb).
   */
  properties[PROP_FILTER_SYNTHETIC] =
    g_param_spec_boolean ("filter-synthetic", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkKeyboardLock::shortcut:
   * @name: the shortcut, e.g. "Alt+Tab", "Super", "Print"
   *
   * An escape shortcut was pressed; it reached only the kiosk.
   */
  signals[SHORTCUT] =
    g_signal_new ("shortcut",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EkKeyboardLock::synthetic-input:
   * @kind: "key" or "button"
   *
   * Another program injected input; it was dropped.
   */
  signals[SYNTHETIC_INPUT] =
    g_signal_new ("synthetic-input",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EkKeyboardLock::keyboard-added:
   * @detail: the master keyboard's name, and whether the lock could take it
   *
   * Another master keyboard (X Input 2 MPX) exists besides the one the kiosk uses.
   */
  signals[KEYBOARD_ADDED] =
    g_signal_new ("keyboard-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ek_keyboard_lock_init (EkKeyboardLock *self)
{
  self->filter_synthetic = TRUE;
  self->device_is_xtest = g_hash_table_new (NULL, NULL);
  self->other_masters = g_hash_table_new (NULL, NULL);
}

/**
 * ek_keyboard_lock_new:
 * @surface: the kiosk window's #GdkSurface (X11)
 *
 * Starts filtering injected input at once; the keyboard is locked by
 * ek_keyboard_lock_acquire_async().
 *
 * Returns: (transfer full): a new keyboard lock
 */
EkKeyboardLock *
ek_keyboard_lock_new (GObject *surface)
{
  EkKeyboardLock *self;
  Display *xdisplay;
  int event, error;

  g_return_val_if_fail (GDK_IS_X11_SURFACE (surface), NULL);

  self = g_object_new (EK_TYPE_KEYBOARD_LOCK, NULL);
  self->surface = g_object_ref (GDK_SURFACE (surface));
  self->display = gdk_surface_get_display (self->surface);
  xdisplay = gdk_x11_display_get_xdisplay (self->display);

  if (XQueryExtension (xdisplay, "XInputExtension", &self->xi_opcode, &event, &error))
    {
      GdkSeat *seat = gdk_display_get_default_seat (self->display);
      GdkDevice *keyboard = seat != NULL ? gdk_seat_get_keyboard (seat) : NULL;

      if (keyboard != NULL)
        self->keyboard_id = gdk_x11_device_get_id (keyboard);
      self->xevent_id = g_signal_connect (self->display, "xevent", G_CALLBACK (xevent_cb), self);
    }

  return self;
}

/**
 * ek_keyboard_lock_acquire_async:
 * @timeout_ms: how long to retry (a window manager may still be mapping the window,
 *   another program may hold the keyboard for a moment)
 *
 * Locks the keyboard to the window. Once acquired, the lock is checked twice a second
 * and taken back whenever it was lost, until ek_keyboard_lock_release().
 */
void
ek_keyboard_lock_acquire_async (EkKeyboardLock      *self,
                                guint                timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_KEYBOARD_LOCK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_keyboard_lock_acquire_async);

  if (self->keyboard_id == 0)
    {
      g_task_return_new_error (task, EK_KEYBOARD_LOCK_ERROR, EK_KEYBOARD_LOCK_ERROR_UNSUPPORTED,
                               _("The keyboard cannot be locked for the exam: the display "
                                 "server offers no X Input 2 keyboard."));
      return;
    }

  if (self->acquire_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The keyboard lock is already being acquired");
      return;
    }

  self->acquire_task = g_steal_pointer (&task);
  self->acquire_deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  if (on_acquire_retry_cb (self) == G_SOURCE_CONTINUE)
    self->acquire_retry_id = g_timeout_add (RETRY_INTERVAL_MS, on_acquire_retry_cb, self);
}

gboolean
ek_keyboard_lock_acquire_finish (EkKeyboardLock  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (EK_IS_KEYBOARD_LOCK (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_keyboard_lock_release (EkKeyboardLock *self)
{
  g_return_if_fail (EK_IS_KEYBOARD_LOCK (self));

  g_clear_handle_id (&self->check_id, g_source_remove);
  g_clear_handle_id (&self->acquire_retry_id, g_source_remove);
  if (self->acquire_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->acquire_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The keyboard lock was released");
    }

  if (self->wanted && self->keyboard_id != 0)
    {
      gdk_x11_display_error_trap_push (self->display);
      XIUngrabDevice (gdk_x11_display_get_xdisplay (self->display), self->keyboard_id,
                      CurrentTime);
      gdk_x11_display_error_trap_pop_ignored (self->display);
    }

  if (self->wanted)
    ungrab_other_masters (self);
  self->wanted = FALSE;
  set_held (self, FALSE);
}

gboolean
ek_keyboard_lock_get_held (EkKeyboardLock *self)
{
  g_return_val_if_fail (EK_IS_KEYBOARD_LOCK (self), FALSE);

  return self->held;
}

void
ek_keyboard_lock_set_filter_synthetic (EkKeyboardLock *self,
                                       gboolean        filter)
{
  g_return_if_fail (EK_IS_KEYBOARD_LOCK (self));

  filter = !!filter;
  if (self->filter_synthetic == filter)
    return;

  self->filter_synthetic = filter;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER_SYNTHETIC]);
}

gboolean
ek_keyboard_lock_get_filter_synthetic (EkKeyboardLock *self)
{
  g_return_val_if_fail (EK_IS_KEYBOARD_LOCK (self), FALSE);

  return self->filter_synthetic;
}
