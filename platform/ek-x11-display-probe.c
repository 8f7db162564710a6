/* ek-x11-display-probe.c: facts about the X server the kiosk runs on */

#include "config.h"

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/XKBlib.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/Xrandr.h>

#include <glib/gi18n-lib.h>

#include "ek-display-probe.h"

/* Names by which virtual, nested and remote-framebuffer servers show themselves in their
 * input devices, outputs or vendor string. */
static const char * const virtual_markers[] = {
  "Xvfb", "Xephyr", "Xvnc", "VNC", "xrdp", "Xnest", "DUMMY", "Xdummy", NULL,
};

static Display *
get_xdisplay (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (display == NULL || !GDK_IS_X11_DISPLAY (display))
    return NULL;

  return gdk_x11_display_get_xdisplay (display);
}

static const char *
find_marker (const char *text)
{
  if (text == NULL)
    return NULL;

  for (guint i = 0; virtual_markers[i] != NULL; i++)
    {
      if (strstr (text, virtual_markers[i]) != NULL)
        return virtual_markers[i];
    }

  return NULL;
}

static char *
find_virtual_display (Display *xdisplay)
{
  XIDeviceInfo *devices;
  XRRScreenResources *resources;
  int n_devices = 0;
  char *evidence = NULL;

  if (find_marker (ServerVendor (xdisplay)) != NULL)
    return g_strdup (ServerVendor (xdisplay));

  devices = XIQueryDevice (xdisplay, XIAllDevices, &n_devices);
  for (int i = 0; devices != NULL && i < n_devices && evidence == NULL; i++)
    {
      if (find_marker (devices[i].name) != NULL)
        evidence = g_strdup (devices[i].name);
    }
  if (devices != NULL)
    XIFreeDeviceInfo (devices);

  if (evidence != NULL)
    return evidence;

  resources = XRRGetScreenResourcesCurrent (xdisplay, DefaultRootWindow (xdisplay));
  for (int i = 0; resources != NULL && i < resources->noutput && evidence == NULL; i++)
    {
      XRROutputInfo *info = XRRGetOutputInfo (xdisplay, resources, resources->outputs[i]);

      if (info != NULL && find_marker (info->name) != NULL)
        evidence = g_strdup (info->name);
      if (info != NULL)
        XRRFreeOutputInfo (info);
    }
  if (resources != NULL)
    XRRFreeScreenResources (resources);

  return evidence;
}

typedef struct
{
  gboolean ungrab;
  gboolean clear_grab;
  gboolean switch_screen;
  gboolean terminate;
} KeymapActions;

/* Walks every key's XKB actions: the grab-breaking ones are private XFree86 actions
 * named "Ungrab" and "ClsGrb"; VT switching is SwitchScreen, the zap key Terminate. */
static gboolean
read_keymap_actions (Display       *xdisplay,
                     KeymapActions *found)
{
  XkbDescPtr xkb;

  memset (found, 0, sizeof *found);

  xkb = XkbGetMap (xdisplay, XkbKeyActionsMask | XkbKeySymsMask | XkbKeyTypesMask,
                   XkbUseCoreKbd);
  if (xkb == NULL || xkb->server == NULL)
    {
      if (xkb != NULL)
        XkbFreeKeyboard (xkb, 0, True);
      return FALSE;
    }

  for (int key = xkb->min_key_code; key <= xkb->max_key_code; key++)
    {
      int n;
      XkbAction *actions;

      if (!XkbKeyHasActions (xkb, key))
        continue;

      n = XkbKeyNumActions (xkb, key);
      actions = XkbKeyActionsPtr (xkb, key);
      for (int a = 0; a < n; a++)
        {
          switch (actions[a].type)
            {
            case XkbSA_XFree86Private:
              if (memcmp (actions[a].any.data, "Ungrab", 6) == 0)
                found->ungrab = TRUE;
              else if (memcmp (actions[a].any.data, "ClsGrb", 6) == 0)
                found->clear_grab = TRUE;
              break;

            case XkbSA_SwitchScreen:
              found->switch_screen = TRUE;
              break;

            case XkbSA_Terminate:
              found->terminate = TRUE;
              break;

            default:
              break;
            }
        }
    }

  XkbFreeKeyboard (xkb, 0, True);
  return TRUE;
}

/**
 * ek_display_probe:
 * @findings: (element-type EkFinding): where to add what is found
 *
 * Adds %EK_FINDING_VIRTUAL_DISPLAY for a virtual, nested or remote-framebuffer server
 * and %EK_FINDING_GRAB_BREAKER when the keymap can break the kiosk's keyboard lock.
 */
void
ek_display_probe (GPtrArray *findings)
{
  Display *xdisplay = get_xdisplay ();
  g_autofree char *evidence = NULL;
  KeymapActions actions;

  g_return_if_fail (findings != NULL);

  if (xdisplay == NULL)
    return;

  gdk_x11_display_error_trap_push (gdk_display_get_default ());

  evidence = find_virtual_display (xdisplay);
  if (evidence != NULL)
    {
      g_autofree char *description = NULL;

      /* Translators: %s is what gave the display away, e.g. "Xvfb keyboard" */
      description = g_strdup_printf (_("The screen is a virtual or remote display (%s)."),
                                     evidence);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_VIRTUAL_DISPLAY, EK_SEVERITY_BLOCK,
                                                 evidence, description));
    }

  if (read_keymap_actions (xdisplay, &actions) && (actions.ungrab || actions.clear_grab))
    {
      const char *subject = actions.ungrab ? "XF86_Ungrab" : "XF86_ClearGrab";
      g_autofree char *description = NULL;

      /* Translators: %s is a keyboard action, e.g. "XF86_Ungrab" */
      description = g_strdup_printf (_("The keyboard layout has a key that breaks the exam's "
                                       "keyboard lock (%s). Remove the “grab:break_actions” "
                                       "keyboard option."), subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_GRAB_BREAKER, EK_SEVERITY_BLOCK,
                                                 subject, description));
    }

  gdk_x11_display_error_trap_pop_ignored (gdk_display_get_default ());
}

/**
 * ek_display_has_window_manager:
 *
 * Returns: whether an EWMH window manager runs (_NET_SUPPORTING_WM_CHECK)
 */
gboolean
ek_display_has_window_manager (void)
{
  Display *xdisplay = get_xdisplay ();
  Atom check;
  Atom type = None;
  int format = 0;
  unsigned long n = 0, after = 0;
  unsigned char *data = NULL;
  gboolean found = FALSE;

  if (xdisplay == NULL)
    return FALSE;

  check = XInternAtom (xdisplay, "_NET_SUPPORTING_WM_CHECK", False);
  gdk_x11_display_error_trap_push (gdk_display_get_default ());
  if (XGetWindowProperty (xdisplay, DefaultRootWindow (xdisplay), check, 0, 1, False,
                          XA_WINDOW, &type, &format, &n, &after, &data) == Success &&
      type == XA_WINDOW && n == 1)
    {
      Window wm = *(Window *) (gpointer) data;
      unsigned char *child_data = NULL;

      /* A stale property from a window manager that has gone points nowhere. */
      if (XGetWindowProperty (xdisplay, wm, check, 0, 1, False, XA_WINDOW, &type, &format,
                              &n, &after, &child_data) == Success &&
          type == XA_WINDOW && n == 1)
        found = TRUE;
      if (child_data != NULL)
        XFree (child_data);
    }
  if (data != NULL)
    XFree (data);
  gdk_x11_display_error_trap_pop_ignored (gdk_display_get_default ());

  return found;
}

/**
 * ek_display_can_switch_away:
 *
 * Returns: whether the keymap still switches virtual terminals or kills the server
 *   (the dedicated exam session's server configuration removes both)
 */
gboolean
ek_display_can_switch_away (void)
{
  Display *xdisplay = get_xdisplay ();
  KeymapActions actions;

  if (xdisplay == NULL || !read_keymap_actions (xdisplay, &actions))
    return TRUE;

  return actions.switch_screen || actions.terminate;
}
