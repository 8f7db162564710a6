/* ek-x11-session-facts.c: what the X server says about itself, for ek-session-type.c */

#include "config.h"

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/Xrandr.h>

#include "ek-session-type.h"

static char **
read_input_devices (Display *xdisplay)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  XIDeviceInfo *devices;
  int n_devices = 0;

  devices = XIQueryDevice (xdisplay, XIAllDevices, &n_devices);
  for (int i = 0; devices != NULL && i < n_devices; i++)
    g_strv_builder_add (names, devices[i].name);
  if (devices != NULL)
    XIFreeDeviceInfo (devices);

  return g_strv_builder_end (names);
}

static char **
read_outputs (Display *xdisplay)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  XRRScreenResources *resources;

  resources = XRRGetScreenResourcesCurrent (xdisplay, DefaultRootWindow (xdisplay));
  for (int i = 0; resources != NULL && i < resources->noutput; i++)
    {
      XRROutputInfo *info = XRRGetOutputInfo (xdisplay, resources, resources->outputs[i]);

      if (info != NULL)
        {
          g_strv_builder_add (names, info->name);
          XRRFreeOutputInfo (info);
        }
    }
  if (resources != NULL)
    XRRFreeScreenResources (resources);

  return g_strv_builder_end (names);
}

/**
 * ek_x_server_facts_read:
 * @facts: (out caller-allocates): cleared and filled in
 *
 * Returns: whether GDK has a default display (X11 or Wayland) to read facts from
 */
gboolean
ek_x_server_facts_read (EkXServerFacts *facts)
{
  GdkDisplay *display = gdk_display_get_default ();
  Display *xdisplay;
  int opcode, event, error;

  g_return_val_if_fail (facts != NULL, FALSE);

  memset (facts, 0, sizeof *facts);

  if (display == NULL)
    return FALSE;

  /* Without including GDK's Wayland header, which the X11-only build need not have. */
  if (!GDK_IS_X11_DISPLAY (display))
    {
      facts->wayland_backend = g_str_equal (G_OBJECT_TYPE_NAME (display), "GdkWaylandDisplay");
      return facts->wayland_backend;
    }

  xdisplay = gdk_x11_display_get_xdisplay (display);
  gdk_x11_display_error_trap_push (display);
  facts->x11 = TRUE;
  facts->vendor = g_strdup (ServerVendor (xdisplay));
  facts->xwayland_extension = XQueryExtension (xdisplay, "XWAYLAND", &opcode, &event, &error);
  facts->input_devices = read_input_devices (xdisplay);
  facts->outputs = read_outputs (xdisplay);
  gdk_x11_display_error_trap_pop_ignored (display);

  return TRUE;
}
