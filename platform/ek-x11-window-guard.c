/* ek-x11-window-guard.c: the kiosk window stays fullscreen, on top, visible and focused (X11)
 *
 * Polling is the backbone (every 100 ms: focus, map state, stacking, pointer), because
 * while the keyboard is grabbed GTK's is-active does not change when focus moves; the
 * focus events make the check come sooner, and a FocusOut of the window starts a focus
 * loss by itself (one too short for any poll to see).
 *
 * Drag-and-drop from other programs is refused (issue 13): the window does not announce
 * itself as a drop target (no XdndAware), and XDND messages sent to it anyway never reach
 * GTK, so no text lands in an answer without being typed.
 */

#include "config.h"

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/Xcomposite.h>
#include <X11/extensions/XRes.h>
#include <X11/extensions/scrnsaver.h>

#include "ek-window-guard.h"

#define POLL_INTERVAL_MS        100
#define SCREENSAVER_RESET_S      30
#define GEOMETRY_SETTLE_MS     3000

#define _NET_WM_STATE_ADD         1
#define SOURCE_INDICATION_PAGER   2
#define ALL_DESKTOPS              0xFFFFFFFFul

struct _EkWindowGuard
{
  GObject     parent_instance;

  GdkSurface *surface;     /* owned ref */
  GdkDisplay *display;     /* borrowed from surface */
  int         xi_opcode;
  gboolean    engaged;
  gboolean    conditions[EK_N_WINDOW_CONDITIONS];
  guint       poll_id;
  guint       screensaver_id;
  gulong      xevent_id;
  Atom        xdnd_aware;
  Atom        xdnd_messages[4];   /* XdndEnter, XdndPosition, XdndDrop, XdndLeave */
  guint       drops_refused;

  /* What the window must keep (device pixels), found at engage. The check starts once
   * the window first has it (a window manager takes a moment to make it fullscreen), or
   * after GEOMETRY_SETTLE_MS at the latest. */
  GdkRectangle monitor;
  long        desktop;            /* the current desktop at engage; -1: no desktops */
  gboolean    geometry_armed;
  gint64      engaged_us;

  /* Windows above every root child, which the stacking check cannot see: the composite
   * overlay window (mapped while some client holds it; a compositing manager holding it
   * at engage is part of the desktop) and the MIT screen saver's window. */
  Window      overlay;
  gboolean    overlay_at_engage;
  gboolean    has_saver;

  /* The screen saver settings found at engage, restored at release. */
  int         saver_timeout;
  int         saver_interval;
  int         saver_blanking;
  int         saver_exposures;
  gboolean    saver_saved;

  /* A magnifier the exam allows may show its window over the exam and under the pointer. */
  EkAssistiveKinds assistive;
  char       *assistive_dir;      /* owned; NULL: /usr/bin */
  GHashTable *assistive_windows;  /* "window:pid" -> 1 (the magnifier's) or 2 (not) */
};

G_DEFINE_FINAL_TYPE (EkWindowGuard, ek_window_guard, G_TYPE_OBJECT)

enum {
  CONDITION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean is_assistive_window (EkWindowGuard *self,
                                     Display       *xdisplay,
                                     Window         window);

static const char * const condition_names[] = {
  [EK_WINDOW_CONDITION_FOCUS_LOST] = "focus_lost",
  [EK_WINDOW_CONDITION_HIDDEN] = "window_hidden",
  [EK_WINDOW_CONDITION_OBSCURED] = "window_obscured",
  [EK_WINDOW_CONDITION_POINTER_LEFT] = "pointer_left",
  [EK_WINDOW_CONDITION_GEOMETRY] = "geometry_changed",
  [EK_WINDOW_CONDITION_POINTER_GRABBED] = "pointer_grabbed",
};

static Display *
xdisplay_of (EkWindowGuard *self)
{
  return gdk_x11_display_get_xdisplay (self->display);
}

static Window
xid_of (EkWindowGuard *self)
{
  return gdk_x11_surface_get_xid (self->surface);
}

/* The window manager's frame around ours, or ours: the child of the root window. */
static Window
find_frame (Display *xdisplay,
            Window   window)
{
  Window root = None, parent = None, *children = NULL;
  unsigned int n = 0;

  while (window != None)
    {
      if (!XQueryTree (xdisplay, window, &root, &parent, &children, &n))
        return None;
      if (children != NULL)
        XFree (children);
      if (parent == root || parent == None)
        return window;
      window = parent;
    }

  return None;
}

static gboolean
is_inside (Display *xdisplay,
           Window   window,
           Window   ancestor)
{
  Window root = None, parent = None, *children = NULL;
  unsigned int n = 0;

  while (window != None)
    {
      if (window == ancestor)
        return TRUE;
      if (!XQueryTree (xdisplay, window, &root, &parent, &children, &n))
        return FALSE;
      if (children != NULL)
        XFree (children);
      if (window == root)
        return FALSE;
      window = parent;
    }

  return FALSE;
}

static char *
window_name (Display *xdisplay,
             Window   window)
{
  Atom utf8 = XInternAtom (xdisplay, "UTF8_STRING", False);
  Atom net_wm_name = XInternAtom (xdisplay, "_NET_WM_NAME", False);
  Window root = None, parent = None, *children = NULL;
  unsigned int n = 0;
  Atom type = None;
  int format = 0;
  unsigned long items = 0, after = 0;
  unsigned char *data = NULL;
  char *name = NULL;
  char *legacy = NULL;

  if (XGetWindowProperty (xdisplay, window, net_wm_name, 0, 256, False, utf8, &type, &format,
                          &items, &after, &data) == Success && data != NULL && items > 0)
    name = g_strndup ((const char *) data, items);
  if (data != NULL)
    XFree (data);

  if (name == NULL && XFetchName (xdisplay, window, &legacy) && legacy != NULL)
    {
      name = g_strdup (legacy);
      XFree (legacy);
    }

  /* A frame has no name of its own: use the client inside it. */
  if (name == NULL && XQueryTree (xdisplay, window, &root, &parent, &children, &n))
    {
      for (unsigned int i = 0; i < n && name == NULL; i++)
        name = window_name (xdisplay, children[i]);
    }
  if (children != NULL)
    XFree (children);

  return name;
}

static char *
describe_window (Display *xdisplay,
                 Window   window)
{
  g_autofree char *name = window_name (xdisplay, window);

  return g_strdup_printf ("0x%lx%s%s%s", (unsigned long) window, name ? " “" : "",
                          name ? name : "", name ? "”" : "");
}

static void
set_condition (EkWindowGuard     *self,
               EkWindowCondition  condition,
               gboolean           active,
               const char        *detail)
{
  if (self->conditions[condition] == active)
    return;

  self->conditions[condition] = active;
  g_signal_emit (self, signals[CONDITION_CHANGED], 0, condition, active, detail);
}

static gboolean
rects_intersect (int ax, int ay, int aw, int ah,
                 int bx, int by, int bw, int bh)
{
  return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
}

static gboolean
read_cardinal (Display *xdisplay,
               Window   window,
               const char *property,
               long    *value)
{
  Atom type = None;
  int format = 0;
  unsigned long items = 0, after = 0;
  unsigned char *data = NULL;
  gboolean found;

  found = XGetWindowProperty (xdisplay, window, XInternAtom (xdisplay, property, False), 0, 1,
                              False, XA_CARDINAL, &type, &format, &items, &after,
                              &data) == Success && data != NULL && items == 1 && format == 32;
  if (found)
    *value = (long) *(unsigned long *) data;
  if (data != NULL)
    XFree (data);
  return found;
}

static gboolean
has_wm_state (Display    *xdisplay,
              Window      window,
              const char *state)
{
  Atom wanted = XInternAtom (xdisplay, state, False);
  Atom type = None;
  int format = 0;
  unsigned long items = 0, after = 0;
  unsigned char *data = NULL;
  gboolean found = FALSE;

  if (XGetWindowProperty (xdisplay, window, XInternAtom (xdisplay, "_NET_WM_STATE", False), 0,
                          64, False, XA_ATOM, &type, &format, &items, &after, &data) == Success &&
      data != NULL)
    {
      for (unsigned long i = 0; i < items; i++)
        found = found || ((Atom *) data)[i] == wanted;
    }
  if (data != NULL)
    XFree (data);
  return found;
}

static gboolean wm_supports (EkWindowGuard *self, const char *hint);
static void send_net_wm_message (EkWindowGuard *self, const char *message, long l0, long l1,
                                 long l2);
static void cover_monitor (EkWindowGuard *self);

/* Returns: (transfer full) (nullable): what is wrong with the window's place, NULL if
 * nothing; puts it right at once. */
static char *
check_geometry_now (EkWindowGuard *self,
                    Display       *xdisplay,
                    Window         xid)
{
  XWindowAttributes attributes;
  Window child;
  int x = 0, y = 0;
  long current = -1;
  gboolean fullscreen_hint = wm_supports (self, "_NET_WM_STATE_FULLSCREEN");

  if (self->desktop >= 0 && read_cardinal (xdisplay, DefaultRootWindow (xdisplay),
                                           "_NET_CURRENT_DESKTOP", &current) &&
      current != self->desktop)
    {
      XEvent event = { 0 };

      /* Back at once (EWMH: the root window is the message's window here). */
      event.xclient.type = ClientMessage;
      event.xclient.window = DefaultRootWindow (xdisplay);
      event.xclient.message_type = XInternAtom (xdisplay, "_NET_CURRENT_DESKTOP", False);
      event.xclient.format = 32;
      event.xclient.data.l[0] = self->desktop;
      event.xclient.data.l[1] = CurrentTime;
      XSendEvent (xdisplay, DefaultRootWindow (xdisplay), False,
                  SubstructureRedirectMask | SubstructureNotifyMask, &event);
      return g_strdup_printf ("switched to desktop %ld", current);
    }

  if (fullscreen_hint && !has_wm_state (xdisplay, xid, "_NET_WM_STATE_FULLSCREEN"))
    {
      if (self->geometry_armed)
        send_net_wm_message (self, "_NET_WM_STATE", _NET_WM_STATE_ADD,
                             (long) XInternAtom (xdisplay, "_NET_WM_STATE_FULLSCREEN", False), 0);
      return g_strdup ("not fullscreen");
    }

  if (!XGetWindowAttributes (xdisplay, xid, &attributes) ||
      !XTranslateCoordinates (xdisplay, xid, DefaultRootWindow (xdisplay), 0, 0, &x, &y, &child))
    return NULL;
  if (x == self->monitor.x && y == self->monitor.y &&
      attributes.width == self->monitor.width && attributes.height == self->monitor.height)
    return NULL;

  if (self->geometry_armed && !fullscreen_hint)
    cover_monitor (self);
  return g_strdup_printf ("%dx%d+%d+%d instead of %dx%d+%d+%d", attributes.width,
                          attributes.height, x, y, self->monitor.width, self->monitor.height,
                          self->monitor.x, self->monitor.y);
}

static void
check_geometry (EkWindowGuard *self,
                Display       *xdisplay,
                Window         xid)
{
  g_autofree char *wrong = check_geometry_now (self, xdisplay, xid);

  if (!self->geometry_armed)
    {
      g_debug ("Window guard: settling, %s", wrong != NULL ? wrong : "in place");
      if (wrong != NULL &&
          g_get_monotonic_time () - self->engaged_us < GEOMETRY_SETTLE_MS * 1000)
        return;
      self->geometry_armed = TRUE;
      if (wrong != NULL)
        {
          g_clear_pointer (&wrong, g_free);
          wrong = check_geometry_now (self, xdisplay, xid);
        }
    }

  set_condition (self, EK_WINDOW_CONDITION_GEOMETRY, wrong != NULL, wrong);
}

static void
check_focus (EkWindowGuard *self,
             Display       *xdisplay,
             Window         xid)
{
  Window focus = None;
  int revert = 0;
  gboolean has_focus;
  g_autofree char *detail = NULL;

  XGetInputFocus (xdisplay, &focus, &revert);

  if (focus == PointerRoot)
    {
      Window root, child;
      int rx, ry, wx, wy;
      unsigned int mask;

      /* Focus follows the pointer: ours while the pointer is over us (and the keyboard
       * is grabbed to the kiosk in any case). */
      has_focus = XQueryPointer (xdisplay, DefaultRootWindow (xdisplay), &root, &child,
                                 &rx, &ry, &wx, &wy, &mask) &&
                  child != None && is_inside (xdisplay, xid, child);
    }
  else
    has_focus = focus != None && is_inside (xdisplay, focus, xid);

  if (!has_focus)
    detail = focus == None ? g_strdup ("none")
           : focus == PointerRoot ? g_strdup ("pointer root")
           : describe_window (xdisplay, focus);

  set_condition (self, EK_WINDOW_CONDITION_FOCUS_LOST, !has_focus, detail);
}

/* Returns: (transfer full) (nullable): the window above all others that covers the
 * screen, if another client put one there */
static char *
find_top_cover (EkWindowGuard *self,
                Display       *xdisplay)
{
  XWindowAttributes attributes;

  if (self->has_saver)
    {
      XScreenSaverInfo *info = XScreenSaverAllocInfo ();
      gboolean on = FALSE;

      if (info != NULL && XScreenSaverQueryInfo (xdisplay, DefaultRootWindow (xdisplay), info))
        on = info->state == ScreenSaverOn;
      if (info != NULL)
        XFree (info);
      if (on)
        return g_strdup ("the screen saver's window");
    }

  if (self->overlay != None && !self->overlay_at_engage &&
      XGetWindowAttributes (xdisplay, self->overlay, &attributes) &&
      attributes.map_state == IsViewable)
    return g_strdup_printf ("0x%lx, the composite overlay window", (unsigned long) self->overlay);

  return NULL;
}

/* The composite overlay window's id (it is not among the root's children), and whether
 * a compositing manager already holds it. Asking for it maps it until released, which
 * draws nothing: it has no background. */
static void
find_overlay (EkWindowGuard *self,
              Display       *xdisplay)
{
  int event_base, error_base, major = 0, minor = 0, saver_event, saver_error;
  XWindowAttributes attributes;

  self->has_saver = XScreenSaverQueryExtension (xdisplay, &saver_event, &saver_error);
  self->overlay = None;
  if (!XCompositeQueryExtension (xdisplay, &event_base, &error_base) ||
      !XCompositeQueryVersion (xdisplay, &major, &minor) || (major == 0 && minor < 3))
    return;

  self->overlay = XCompositeGetOverlayWindow (xdisplay, DefaultRootWindow (xdisplay));
  XCompositeReleaseOverlayWindow (xdisplay, DefaultRootWindow (xdisplay));
  XSync (xdisplay, False);
  self->overlay_at_engage = self->overlay != None &&
                            XGetWindowAttributes (xdisplay, self->overlay, &attributes) &&
                            attributes.map_state == IsViewable;
}

/* Every other client's window above ours goes below it: an override-redirect window is
 * outside the window manager's stacking, where raising our own frame cannot reach. */
static void
lower_covering_windows (EkWindowGuard *self,
                        Display       *xdisplay,
                        Window         frame)
{
  Window root = None, parent = None, *children = NULL;
  unsigned int n = 0;
  gboolean above = FALSE;

  if (!XQueryTree (xdisplay, DefaultRootWindow (xdisplay), &root, &parent, &children, &n))
    return;
  for (unsigned int i = 0; i < n; i++)
    {
      XWindowAttributes attributes;

      if (children[i] == frame)
        {
          above = TRUE;
          continue;
        }
      if (above && XGetWindowAttributes (xdisplay, children[i], &attributes) &&
          attributes.override_redirect && attributes.map_state == IsViewable &&
          gdk_x11_surface_lookup_for_display (self->display, children[i]) == NULL &&
          !is_assistive_window (self, xdisplay, children[i]))
        XLowerWindow (xdisplay, children[i]);
    }
  if (children != NULL)
    XFree (children);

  /* The screen saver's window goes with a reset. */
  XForceScreenSaver (xdisplay, ScreenSaverReset);
}

/* Whether @window belongs to a magnifier the exam allows (ek-assistive-tech.h): its
 * client's process, named by the X server, is the installed program. /proc is read once
 * per window and process (a window id may come back for another client later). */
static gboolean
is_assistive_window (EkWindowGuard *self,
                     Display       *xdisplay,
                     Window         window)
{
  XResClientIdSpec spec = { window, XRES_CLIENT_ID_PID_MASK };
  XResClientIdValue *ids = NULL;
  g_autofree char *program = NULL;
  g_autofree char *key = NULL;
  gpointer known;
  long n = 0;
  pid_t pid = 0;

  if ((self->assistive & EK_ASSISTIVE_MAGNIFIER) == 0 || window == None)
    return FALSE;

  gdk_x11_display_error_trap_push (self->display);
  if (XResQueryClientIds (xdisplay, 1, &spec, &n, &ids) == Success)
    {
      for (long i = 0; i < n; i++)
        {
          if (ids[i].spec.mask == XRES_CLIENT_ID_PID_MASK && XResGetClientPid (&ids[i]) > 0)
            pid = XResGetClientPid (&ids[i]);
        }
      XResClientIdsDestroy (n, ids);
    }
  gdk_x11_display_error_trap_pop_ignored (self->display);
  if (pid <= 0)
    return FALSE;

  key = g_strdup_printf ("%lx:%d", (unsigned long) window, (int) pid);
  known = g_hash_table_lookup (self->assistive_windows, key);
  if (known != NULL)
    return GPOINTER_TO_INT (known) == 1;

  program = ek_assistive_identify (NULL, self->assistive_dir, pid, EK_ASSISTIVE_MAGNIFIER);
  g_hash_table_insert (self->assistive_windows, g_steal_pointer (&key),
                       GINT_TO_POINTER (program != NULL ? 1 : 2));
  return program != NULL;
}

static void
check_stacking (EkWindowGuard *self,
                Display       *xdisplay,
                Window         xid)
{
  Window frame = find_frame (xdisplay, xid);
  Window root = None, parent = None, *children = NULL;
  XWindowAttributes ours;
  unsigned int n = 0;
  gboolean above = FALSE;
  g_autofree char *obscurer = NULL;
  g_autofree char *under_pointer = NULL;

  if (frame == None || !XGetWindowAttributes (xdisplay, frame, &ours))
    return;

  set_condition (self, EK_WINDOW_CONDITION_HIDDEN, ours.map_state != IsViewable,
                 ours.map_state == IsUnmapped ? "unmapped" : "not viewable");

  if (XQueryTree (xdisplay, DefaultRootWindow (xdisplay), &root, &parent, &children, &n))
    {
      /* Bottom to top: everything after our frame is above it. */
      for (unsigned int i = 0; i < n && obscurer == NULL; i++)
        {
          XWindowAttributes attributes;

          if (children[i] == frame)
            {
              above = TRUE;
              continue;
            }
          if (!above)
            continue;

          if (!XGetWindowAttributes (xdisplay, children[i], &attributes) ||
              attributes.map_state != IsViewable || attributes.class != InputOutput)
            continue;

          /* Our own popovers and menus are not a violation, nor an allowed magnifier. */
          if (gdk_x11_surface_lookup_for_display (self->display, children[i]) != NULL ||
              is_assistive_window (self, xdisplay, children[i]))
            continue;

          if (rects_intersect (ours.x, ours.y, ours.width, ours.height,
                               attributes.x, attributes.y, attributes.width, attributes.height))
            obscurer = describe_window (xdisplay, children[i]);
        }
      if (children != NULL)
        XFree (children);
    }

  if (obscurer == NULL)
    obscurer = find_top_cover (self, xdisplay);
  set_condition (self, EK_WINDOW_CONDITION_OBSCURED, obscurer != NULL, obscurer);

  {
    Window pointer_root, child;
    int rx, ry, wx, wy;
    unsigned int mask;
    gboolean inside = TRUE;

    if (XQueryPointer (xdisplay, DefaultRootWindow (xdisplay), &pointer_root, &child,
                       &rx, &ry, &wx, &wy, &mask))
      {
        inside = child == frame ||
                 (child != None && gdk_x11_surface_lookup_for_display (self->display, child) != NULL) ||
                 is_assistive_window (self, xdisplay, child);
        if (!inside)
          under_pointer = child == None ? g_strdup ("root") : describe_window (xdisplay, child);
      }

    set_condition (self, EK_WINDOW_CONDITION_POINTER_LEFT, !inside, under_pointer);
  }
}

static gboolean
on_poll_cb (gpointer user_data)
{
  ek_window_guard_check_now (user_data);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_check_once_cb (gpointer user_data)
{
  ek_window_guard_check_now (user_data);

  return G_SOURCE_REMOVE;
}

static gboolean
on_screensaver_reset_cb (gpointer user_data)
{
  EkWindowGuard *self = user_data;

  /* Also restarts the power-saving (DPMS) idle timer of the X server. */
  XForceScreenSaver (xdisplay_of (self), ScreenSaverReset);

  return G_SOURCE_CONTINUE;
}

static gboolean
is_xdnd_message (EkWindowGuard *self,
                 const XEvent  *xevent)
{
  if (xevent->type != ClientMessage)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (self->xdnd_messages); i++)
    {
      if (xevent->xclient.message_type == self->xdnd_messages[i])
        return TRUE;
    }
  return FALSE;
}

static void
refuse_drops (EkWindowGuard *self)
{
  /* Sources ask the toplevel for XdndAware before they send anything. */
  gdk_x11_display_error_trap_push (self->display);
  XDeleteProperty (xdisplay_of (self), xid_of (self), self->xdnd_aware);
  gdk_x11_display_error_trap_pop_ignored (self->display);
}

static gboolean
xevent_cb (GdkDisplay *display,
           XEvent     *xevent,
           gpointer    user_data)
{
  EkWindowGuard *self = user_data;

  if (!self->engaged)
    return GDK_EVENT_PROPAGATE;

  /* A drop offered anyway, by a program that ignores XdndAware: GTK never sees it. */
  if (is_xdnd_message (self, xevent))
    {
      if (xevent->xclient.message_type == self->xdnd_messages[2])
        self->drops_refused++;
      return GDK_EVENT_STOP;
    }
  if (xevent->type == PropertyNotify && xevent->xproperty.window == xid_of (self) &&
      xevent->xproperty.atom == self->xdnd_aware && xevent->xproperty.state == PropertyNewValue)
    refuse_drops (self);

  /* The focus went to another window. A loss shorter than a poll (taken and given back
   * while the main loop was busy) would leave nothing for the check to see: the event is
   * the evidence, and the check that follows ends the loss if the focus is back. With
   * the keyboard grabbed, focus changes come as NotifyWhileGrabbed. */
  if (xevent->type == FocusOut && xevent->xfocus.window == xid_of (self) &&
      (xevent->xfocus.mode == NotifyNormal || xevent->xfocus.mode == NotifyWhileGrabbed) &&
      xevent->xfocus.detail != NotifyInferior && xevent->xfocus.detail != NotifyPointer)
    set_condition (self, EK_WINDOW_CONDITION_FOCUS_LOST, TRUE, "another window");

  /* Another client's pointer grab moves the pointer out of our window with a crossing
   * of mode Grab (and back with Ungrab); a grab of GTK's own is no violation. */
  if (xevent->type == GenericEvent && xevent->xcookie.extension == self->xi_opcode &&
      xevent->xcookie.data != NULL &&
      (xevent->xcookie.evtype == XI_Leave || xevent->xcookie.evtype == XI_Enter))
    {
      const XIEnterEvent *crossing = xevent->xcookie.data;
      GdkSeat *seat = gdk_display_get_default_seat (self->display);
      GdkDevice *pointer = seat != NULL ? gdk_seat_get_pointer (seat) : NULL;

      if (crossing->evtype == XI_Leave && crossing->mode == XINotifyGrab &&
          (pointer == NULL || !gdk_display_device_is_grabbed (self->display, pointer)))
        set_condition (self, EK_WINDOW_CONDITION_POINTER_GRABBED, TRUE, "another client");
      else if (crossing->mode == XINotifyUngrab)
        set_condition (self, EK_WINDOW_CONDITION_POINTER_GRABBED, FALSE, NULL);
    }

  if ((xevent->type == GenericEvent && xevent->xcookie.extension == self->xi_opcode &&
       (xevent->xcookie.evtype == XI_FocusOut || xevent->xcookie.evtype == XI_FocusIn)) ||
      xevent->type == FocusOut || xevent->type == UnmapNotify ||
      xevent->type == VisibilityNotify || xevent->type == ConfigureNotify ||
      (xevent->type == PropertyNotify &&
       (xevent->xproperty.window == xid_of (self) ||
        xevent->xproperty.window == DefaultRootWindow (xevent->xany.display))))
    {
      /* Check after GDK has seen the event, within this main-loop iteration. */
      g_idle_add_full (G_PRIORITY_HIGH, on_check_once_cb, g_object_ref (self),
                       g_object_unref);
    }

  return GDK_EVENT_PROPAGATE;
}

static void
send_net_wm_message (EkWindowGuard *self,
                     const char    *message,
                     long           l0,
                     long           l1,
                     long           l2)
{
  Display *xdisplay = xdisplay_of (self);
  XEvent event = { 0 };

  event.xclient.type = ClientMessage;
  event.xclient.window = xid_of (self);
  event.xclient.message_type = XInternAtom (xdisplay, message, False);
  event.xclient.format = 32;
  event.xclient.data.l[0] = l0;
  event.xclient.data.l[1] = l1;
  event.xclient.data.l[2] = l2;

  XSendEvent (xdisplay, DefaultRootWindow (xdisplay), False,
              SubstructureRedirectMask | SubstructureNotifyMask, &event);
}

static gboolean
wm_supports (EkWindowGuard *self,
             const char    *hint)
{
  return gdk_x11_screen_supports_net_wm_hint (gdk_x11_display_get_screen (self->display), hint);
}

static void
cover_monitor (EkWindowGuard *self)
{
  Display *xdisplay = xdisplay_of (self);
  GdkMonitor *monitor = gdk_display_get_monitor_at_surface (self->display, self->surface);
  GdkRectangle geometry;
  int scale;

  if (monitor == NULL)
    return;

  /* Without a window manager a fullscreen request does nothing visible: place the
   * window over the monitor ourselves. GDK's geometry is in application pixels. */
  gdk_monitor_get_geometry (monitor, &geometry);
  scale = gdk_surface_get_scale_factor (self->surface);
  XMoveResizeWindow (xdisplay, xid_of (self), geometry.x * scale, geometry.y * scale,
                     (unsigned) (geometry.width * scale), (unsigned) (geometry.height * scale));
}

static void
ek_window_guard_dispose (GObject *object)
{
  EkWindowGuard *self = (EkWindowGuard *)object;

  ek_window_guard_release (self);
  g_clear_signal_handler (&self->xevent_id, self->display);
  g_clear_object (&self->surface);
  g_clear_pointer (&self->assistive_windows, g_hash_table_unref);
  g_clear_pointer (&self->assistive_dir, g_free);

  G_OBJECT_CLASS (ek_window_guard_parent_class)->dispose (object);
}

static void
ek_window_guard_class_init (EkWindowGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_window_guard_dispose;

  /**
   * EkWindowGuard::condition-changed:
   * @condition: an #EkWindowCondition
   * @active: whether it started (TRUE) or ended
   * @detail: (nullable): what caused it, e.g. the window that took the focus
   */
  signals[CONDITION_CHANGED] =
    g_signal_new ("condition-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
ek_window_guard_init (EkWindowGuard *self)
{
  self->assistive_windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * ek_window_guard_new:
 * @surface: the kiosk window's #GdkSurface (X11)
 *
 * Returns: (transfer full): a guard, idle until ek_window_guard_engage()
 */
EkWindowGuard *
ek_window_guard_new (GObject *surface)
{
  EkWindowGuard *self;
  int event, error;

  g_return_val_if_fail (GDK_IS_X11_SURFACE (surface), NULL);

  self = g_object_new (EK_TYPE_WINDOW_GUARD, NULL);
  self->surface = g_object_ref (GDK_SURFACE (surface));
  self->display = gdk_surface_get_display (self->surface);

  XQueryExtension (xdisplay_of (self), "XInputExtension", &self->xi_opcode, &event, &error);
  self->xdnd_aware = XInternAtom (xdisplay_of (self), "XdndAware", False);
  self->xdnd_messages[0] = XInternAtom (xdisplay_of (self), "XdndEnter", False);
  self->xdnd_messages[1] = XInternAtom (xdisplay_of (self), "XdndPosition", False);
  self->xdnd_messages[2] = XInternAtom (xdisplay_of (self), "XdndDrop", False);
  self->xdnd_messages[3] = XInternAtom (xdisplay_of (self), "XdndLeave", False);
  self->xevent_id = g_signal_connect (self->display, "xevent", G_CALLBACK (xevent_cb), self);

  return self;
}

/**
 * ek_window_guard_engage:
 *
 * Call once the window is mapped and fullscreen was requested.
 */
void
ek_window_guard_engage (EkWindowGuard *self)
{
  Display *xdisplay;

  g_return_if_fail (EK_IS_WINDOW_GUARD (self));

  if (self->engaged)
    return;

  xdisplay = xdisplay_of (self);
  self->engaged = TRUE;

  gdk_x11_display_error_trap_push (self->display);

  if (!wm_supports (self, "_NET_WM_STATE_FULLSCREEN"))
    cover_monitor (self);

  {
    GdkMonitor *monitor = gdk_display_get_monitor_at_surface (self->display, self->surface);
    int scale = gdk_surface_get_scale_factor (self->surface);
    XWindowAttributes root_attributes;

    if (monitor != NULL)
      {
        gdk_monitor_get_geometry (monitor, &self->monitor);
        self->monitor.x *= scale;
        self->monitor.y *= scale;
        self->monitor.width *= scale;
        self->monitor.height *= scale;
      }
    self->desktop = -1;
    if (wm_supports (self, "_NET_CURRENT_DESKTOP"))
      read_cardinal (xdisplay, DefaultRootWindow (xdisplay), "_NET_CURRENT_DESKTOP",
                     &self->desktop);
    /* On every desktop: switching desktops leaves the exam on screen. */
    if (wm_supports (self, "_NET_WM_DESKTOP"))
      send_net_wm_message (self, "_NET_WM_DESKTOP", (long) ALL_DESKTOPS, SOURCE_INDICATION_PAGER, 0);
    /* Desktop switches are root property changes. */
    if (XGetWindowAttributes (xdisplay, DefaultRootWindow (xdisplay), &root_attributes))
      XSelectInput (xdisplay, DefaultRootWindow (xdisplay),
                    root_attributes.your_event_mask | PropertyChangeMask);
    self->geometry_armed = FALSE;
    self->engaged_us = g_get_monotonic_time ();
  }

  if (wm_supports (self, "_NET_WM_STATE_ABOVE"))
    send_net_wm_message (self, "_NET_WM_STATE", _NET_WM_STATE_ADD,
                         (long) XInternAtom (xdisplay, "_NET_WM_STATE_ABOVE", False), 0);

  if (!self->saver_saved)
    {
      XGetScreenSaver (xdisplay, &self->saver_timeout, &self->saver_interval,
                       &self->saver_blanking, &self->saver_exposures);
      self->saver_saved = TRUE;
    }
  XSetScreenSaver (xdisplay, 0, 0, DontPreferBlanking, DefaultExposures);
  XForceScreenSaver (xdisplay, ScreenSaverReset);

  find_overlay (self, xdisplay);
  gdk_x11_display_error_trap_pop_ignored (self->display);
  refuse_drops (self);

  self->poll_id = g_timeout_add (POLL_INTERVAL_MS, on_poll_cb, self);
  self->screensaver_id = g_timeout_add_seconds (SCREENSAVER_RESET_S, on_screensaver_reset_cb,
                                                self);
  ek_window_guard_check_now (self);
}

void
ek_window_guard_release (EkWindowGuard *self)
{
  g_return_if_fail (EK_IS_WINDOW_GUARD (self));

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->screensaver_id, g_source_remove);

  if (self->saver_saved && self->display != NULL)
    {
      gdk_x11_display_error_trap_push (self->display);
      XSetScreenSaver (xdisplay_of (self), self->saver_timeout, self->saver_interval,
                       self->saver_blanking, self->saver_exposures);
      gdk_x11_display_error_trap_pop_ignored (self->display);
      self->saver_saved = FALSE;
    }

  self->engaged = FALSE;
  for (guint i = 0; i < EK_N_WINDOW_CONDITIONS; i++)
    self->conditions[i] = FALSE;
}

/**
 * ek_window_guard_reassert:
 *
 * Takes the screen back: map, cover the monitor, raise, focus.
 */
void
ek_window_guard_reassert (EkWindowGuard *self)
{
  Display *xdisplay;
  Window xid;

  g_return_if_fail (EK_IS_WINDOW_GUARD (self));

  if (!self->engaged)
    return;

  xdisplay = xdisplay_of (self);
  xid = xid_of (self);

  gdk_x11_display_error_trap_push (self->display);

  if (wm_supports (self, "_NET_ACTIVE_WINDOW"))
    {
      /* As a pager would ask: window managers honour that even against their focus
       * stealing prevention, and it also de-iconifies. */
      send_net_wm_message (self, "_NET_ACTIVE_WINDOW", SOURCE_INDICATION_PAGER, CurrentTime, 0);
      XMapRaised (xdisplay, xid);
    }
  else
    {
      Window frame = find_frame (xdisplay, xid);

      XMapRaised (xdisplay, xid);
      if (frame != None && frame != xid)
        XRaiseWindow (xdisplay, frame);
      cover_monitor (self);
    }

  XRaiseWindow (xdisplay, find_frame (xdisplay, xid));
  lower_covering_windows (self, xdisplay, find_frame (xdisplay, xid));
  XSync (xdisplay, False);

  /* Focusing an unmapped window is an error: only when it is viewable again. */
  {
    XWindowAttributes attributes;

    if (XGetWindowAttributes (xdisplay, xid, &attributes) && attributes.map_state == IsViewable)
      XSetInputFocus (xdisplay, xid, RevertToParent, CurrentTime);
  }

  XFlush (xdisplay);
  gdk_x11_display_error_trap_pop_ignored (self->display);
}

gboolean
ek_window_guard_get_condition (EkWindowGuard     *self,
                               EkWindowCondition  condition)
{
  g_return_val_if_fail (EK_IS_WINDOW_GUARD (self), FALSE);
  g_return_val_if_fail (condition < EK_N_WINDOW_CONDITIONS, FALSE);

  return self->conditions[condition];
}

void
ek_window_guard_check_now (EkWindowGuard *self)
{
  Display *xdisplay;
  Window xid;

  g_return_if_fail (EK_IS_WINDOW_GUARD (self));

  if (!self->engaged || self->surface == NULL)
    return;

  xdisplay = xdisplay_of (self);
  xid = xid_of (self);

  gdk_x11_display_error_trap_push (self->display);
  check_stacking (self, xdisplay, xid);
  check_focus (self, xdisplay, xid);
  if (self->monitor.width > 0)
    check_geometry (self, xdisplay, xid);
  gdk_x11_display_error_trap_pop_ignored (self->display);
}

const char *
ek_window_condition_to_string (EkWindowCondition condition)
{
  g_return_val_if_fail (condition < EK_N_WINDOW_CONDITIONS, NULL);

  return condition_names[condition];
}

/**
 * ek_window_guard_set_assistive:
 * @install_dir: (nullable): where the programs are installed; %NULL: /usr/bin (tests: elsewhere)
 * @allowed: the assistive technology the exam allows
 *
 * With %EK_ASSISTIVE_MAGNIFIER allowed, the window of the installed magnifier may lie over
 * the exam and under the pointer (ek-assistive-tech.h); any other window still counts.
 */
void
ek_window_guard_set_assistive (EkWindowGuard    *self,
                               const char       *install_dir,
                               EkAssistiveKinds  allowed)
{
  g_return_if_fail (EK_IS_WINDOW_GUARD (self));

  g_free (self->assistive_dir);
  self->assistive_dir = g_strdup (install_dir);
  self->assistive = allowed;
  g_hash_table_remove_all (self->assistive_windows);
}
