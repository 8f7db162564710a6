/* ek-lockdown-intruder.c: another program trying to get past the kiosk (escape tests)
 *
 *   ek-lockdown-intruder map        a normal window, printed as 0xID, raised when asked
 *   ek-lockdown-intruder override   an override-redirect window over the screen's middle
 *   ek-lockdown-intruder input-only the same, input-only: invisible, it takes the pointer
 *   ek-lockdown-intruder grab       a window that holds the keyboard (XI2 grab)
 *
 * Prints "ready 0xID" once mapped (and, for grab, "grabbed" or "grab-failed N"), then
 * runs until killed.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>

int
main (int   argc,
      char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "map";
  XSetWindowAttributes attributes = { 0 };
  unsigned long mask = CWBackPixel;
  Display *display;
  Window window;
  XEvent event;
  int screen;

  display = XOpenDisplay (NULL);
  if (display == NULL)
    {
      fprintf (stderr, "cannot open display\n");
      return 1;
    }

  screen = DefaultScreen (display);
  attributes.background_pixel = 0xcc3333;
  if (strcmp (mode, "override") == 0)
    {
      attributes.override_redirect = True;
      mask |= CWOverrideRedirect;
    }

  if (strcmp (mode, "input-only") == 0)
    {
      /* Invisible, but it takes the pointer where it lies: nothing is drawn over the
       * kiosk, the pointer has left it all the same. */
      attributes.override_redirect = True;
      window = XCreateWindow (display, RootWindow (display, screen), 200, 150, 500, 350, 0,
                              0, InputOnly, CopyFromParent, CWOverrideRedirect, &attributes);
    }
  else
    window = XCreateWindow (display, RootWindow (display, screen), 200, 150, 500, 350, 0,
                            CopyFromParent, InputOutput, CopyFromParent, mask, &attributes);
  XStoreName (display, window, "intruder");
  XSelectInput (display, window, StructureNotifyMask | ExposureMask);
  XMapRaised (display, window);

  /* Viewable, or 5 s passed (a window manager may take its time, or keep it unmapped). */
  for (int i = 0; i < 100; i++)
    {
      XWindowAttributes window_attributes;

      XSync (display, False);
      if (XGetWindowAttributes (display, window, &window_attributes) &&
          window_attributes.map_state == IsViewable)
        break;
      usleep (50000);
    }

  printf ("ready 0x%lx\n", (unsigned long) window);
  fflush (stdout);

  if (strcmp (mode, "grab") == 0)
    {
      unsigned char bits[XIMaskLen (XI_LASTEVENT)] = { 0 };
      XIEventMask xi_mask = { XIAllMasterDevices, sizeof bits, bits };
      XIDeviceInfo *devices;
      int n = 0, status = -1;
      int major = 2, minor = 2;

      XIQueryVersion (display, &major, &minor);
      XISetMask (bits, XI_KeyPress);
      devices = XIQueryDevice (display, XIAllMasterDevices, &n);
      for (int i = 0; i < n; i++)
        {
          if (devices[i].use == XIMasterKeyboard)
            {
              xi_mask.deviceid = devices[i].deviceid;
              status = XIGrabDevice (display, devices[i].deviceid, window, CurrentTime, None,
                                     XIGrabModeAsync, XIGrabModeAsync, False, &xi_mask);
              break;
            }
        }
      XIFreeDeviceInfo (devices);
      if (status == Success)
        printf ("grabbed\n");
      else
        printf ("grab-failed %d\n", status);
      fflush (stdout);
    }

  for (;;)
    XNextEvent (display, &event);

  return 0;
}
