/* ek-lockdown-intruder.c: another program trying to get past the kiosk (escape tests)
 *
 *   ek-lockdown-intruder map        a normal window, printed as 0xID, raised when asked
 *   ek-lockdown-intruder override   an override-redirect window over the screen's middle
 *   ek-lockdown-intruder input-only the same, input-only: invisible, it takes the pointer
 *   ek-lockdown-intruder grab       a window that holds the keyboard (XI2 grab)
 *   ek-lockdown-intruder xdnd WINDOW X Y
 *                                   drops the text "INJECTED" on WINDOW at root X,Y by
 *                                   XDND, whether WINDOW announces XdndAware or not;
 *                                   prints "aware yes|no", "status accepted|refused|none",
 *                                   "requested yes|no" (WINDOW asked for the text)
 *   ek-lockdown-intruder flash N    an override-redirect window over the middle, shown for
 *                                   0.3 s N times, 0.4 s apart; then "flashed"
 *   ek-lockdown-intruder overlay    paints the composite overlay window (above everything)
 *   ek-lockdown-intruder screensaver
 *                                   an MIT screen saver window with notes, switched on
 *   ek-lockdown-intruder grab-all   tries to grab every master keyboard; prints
 *                                   "NAME:grabbed|held-elsewhere|failed" for each, on one line
 *   ek-lockdown-intruder grab-pointer
 *                                   grabs the pointer; prints "grabbed" or "grab-failed N"
 *   ek-lockdown-intruder connect    connects to the display and does nothing else (a client
 *                                   such as a screen reader or a magnifier); prints "ready"
 *   ek-lockdown-intruder read-selections
 *                                   prints "PRIMARY TEXT" and "CLIPBOARD TEXT" as another
 *                                   program reads them ("-" when there is nothing)
 *
 * Prints "ready 0xID" once mapped (and, for grab, "grabbed" or "grab-failed N"), then
 * runs until killed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XInput2.h>
#include <X11/extensions/Xcomposite.h>
#include <X11/extensions/scrnsaver.h>

static long
now_ms (void)
{
  struct timeval tv;

  gettimeofday (&tv, NULL);
  return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/* Waits up to timeout_ms for an event that @match accepts. */
static int
wait_event (Display *display,
            XEvent  *event,
            int    (*match) (XEvent *, void *),
            void    *data,
            long     timeout_ms)
{
  long deadline = now_ms () + timeout_ms;

  while (now_ms () < deadline)
    {
      while (XPending (display))
        {
          XNextEvent (display, event);
          if (match (event, data))
            return 1;
        }
      usleep (10000);
    }
  return 0;
}

static int
is_client_message (XEvent *event,
                   void   *type)
{
  return event->type == ClientMessage && event->xclient.message_type == *(Atom *) type;
}

static int
is_selection_request (XEvent *event,
                      void   *data)
{
  return event->type == SelectionRequest;
}

static int
is_selection_notify (XEvent *event,
                     void   *data)
{
  return event->type == SelectionNotify;
}

static void
send_xdnd (Display *display,
           Window   target,
           Window   source,
           const char *message,
           long     l1,
           long     l2,
           long     l3,
           long     l4)
{
  XEvent event = { 0 };

  event.xclient.type = ClientMessage;
  event.xclient.window = target;
  event.xclient.message_type = XInternAtom (display, message, False);
  event.xclient.format = 32;
  event.xclient.data.l[0] = (long) source;
  event.xclient.data.l[1] = l1;
  event.xclient.data.l[2] = l2;
  event.xclient.data.l[3] = l3;
  event.xclient.data.l[4] = l4;
  XSendEvent (display, target, False, NoEventMask, &event);
  XFlush (display);
}

static void
drop_text (Display *display,
           Window   source,
           Window   target,
           int      x,
           int      y)
{
  Atom xdnd_aware = XInternAtom (display, "XdndAware", False);
  Atom selection = XInternAtom (display, "XdndSelection", False);
  Atom utf8 = XInternAtom (display, "UTF8_STRING", False);
  Atom plain = XInternAtom (display, "text/plain;charset=utf-8", False);
  Atom status_type = XInternAtom (display, "XdndStatus", False);
  Atom type = None;
  int format = 0;
  unsigned long items = 0, after = 0;
  unsigned char *data = NULL;
  int aware;
  int requested = 0;
  XEvent event;
  const char *text = "INJECTED";

  aware = XGetWindowProperty (display, target, xdnd_aware, 0, 1, False, AnyPropertyType, &type,
                              &format, &items, &after, &data) == Success && type != None;
  if (data != NULL)
    XFree (data);
  printf ("aware %s\n", aware ? "yes" : "no");

  XSetSelectionOwner (display, selection, source, CurrentTime);
  send_xdnd (display, target, source, "XdndEnter", 5L << 24, (long) utf8, (long) plain, 0);
  send_xdnd (display, target, source, "XdndPosition", 0, ((long) x << 16) | y, CurrentTime,
             (long) XInternAtom (display, "XdndActionCopy", False));
  /* The target may answer more than once while it looks at the offer: the last answer
   * within a second counts. */
  {
    int answered = 0, accepted = 0;

    while (wait_event (display, &event, is_client_message, &status_type, answered ? 300 : 1000))
      {
        answered = 1;
        accepted = event.xclient.data.l[1] & 1;
      }
    printf ("status %s\n", !answered ? "none" : accepted ? "accepted" : "refused");
  }

  /* Dropped whatever the answer: a forger does not wait for permission. */
  send_xdnd (display, target, source, "XdndDrop", 0, CurrentTime, 0, 0);
  while (wait_event (display, &event, is_selection_request, NULL, 1500))
    {
      XSelectionEvent reply = { 0 };

      requested = 1;
      reply.type = SelectionNotify;
      reply.requestor = event.xselectionrequest.requestor;
      reply.selection = event.xselectionrequest.selection;
      reply.target = event.xselectionrequest.target;
      reply.time = event.xselectionrequest.time;
      reply.property = event.xselectionrequest.property;
      XChangeProperty (display, reply.requestor, reply.property, reply.target, 8,
                       PropModeReplace, (const unsigned char *) text, (int) strlen (text));
      XSendEvent (display, reply.requestor, False, NoEventMask, (XEvent *) &reply);
      XFlush (display);
    }
  printf ("requested %s\n", requested ? "yes" : "no");
  fflush (stdout);
}

static void
read_selection (Display    *display,
                Window      window,
                const char *name)
{
  Atom selection = XInternAtom (display, name, False);
  Atom utf8 = XInternAtom (display, "UTF8_STRING", False);
  Atom property = XInternAtom (display, "EK_INTRUDER_READ", False);
  Atom type = None;
  int format = 0;
  unsigned long items = 0, after = 0;
  unsigned char *data = NULL;
  XEvent event;

  XConvertSelection (display, selection, utf8, property, window, CurrentTime);
  XFlush (display);
  if (!wait_event (display, &event, is_selection_notify, NULL, 2000) ||
      event.xselection.property == None ||
      XGetWindowProperty (display, window, property, 0, 4096, True, AnyPropertyType, &type,
                          &format, &items, &after, &data) != Success || items == 0)
    printf ("%s -\n", name);
  else
    printf ("%s %.*s\n", name, (int) items, (const char *) data);
  if (data != NULL)
    XFree (data);
  fflush (stdout);
}

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

  if (strcmp (mode, "connect") == 0)
    {
      XSync (display, False);
      printf ("ready\n");
      fflush (stdout);
      for (;;)
        pause ();
    }

  screen = DefaultScreen (display);
  attributes.background_pixel = 0xcc3333;
  if (strcmp (mode, "override") == 0 || strcmp (mode, "flash") == 0)
    {
      attributes.override_redirect = True;
      mask |= CWOverrideRedirect;
    }

  if (strcmp (mode, "grab-pointer") == 0)
    {
      /* A grab needs a viewable window: one pixel, input only, in the screen's corner. */
      attributes.override_redirect = True;
      window = XCreateWindow (display, RootWindow (display, screen),
                              DisplayWidth (display, screen) - 1,
                              DisplayHeight (display, screen) - 1, 1, 1, 0, 0, InputOnly,
                              CopyFromParent, CWOverrideRedirect, &attributes);
    }
  else if (strcmp (mode, "input-only") == 0)
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
  /* The drop and the selection reader need a window, not one on screen. */
  if (strcmp (mode, "xdnd") != 0 && strcmp (mode, "read-selections") != 0 &&
      strcmp (mode, "overlay") != 0 && strcmp (mode, "screensaver") != 0)
    {
      XMapRaised (display, window);

      /* Viewable, or 5 s passed (a window manager may take its time, or keep it
       * unmapped). */
      for (int i = 0; i < 100; i++)
        {
          XWindowAttributes window_attributes;

          XSync (display, False);
          if (XGetWindowAttributes (display, window, &window_attributes) &&
              window_attributes.map_state == IsViewable)
            break;
          usleep (50000);
        }
    }
  XSync (display, False);

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

  if (strcmp (mode, "xdnd") == 0 && argc > 4)
    drop_text (display, window, (Window) strtoul (argv[2], NULL, 0), atoi (argv[3]),
               atoi (argv[4]));
  if (strcmp (mode, "flash") == 0)
    {
      int times = argc > 2 ? atoi (argv[2]) : 5;

      for (int i = 0; i < times; i++)
        {
          if (i > 0)
            XMapRaised (display, window);
          XSync (display, False);
          usleep (300000);
          XUnmapWindow (display, window);
          XSync (display, False);
          usleep (400000);
        }
      printf ("flashed\n");
      fflush (stdout);
    }
  if (strcmp (mode, "overlay") == 0)
    {
      Window overlay = XCompositeGetOverlayWindow (display, RootWindow (display, screen));
      GC gc = XCreateGC (display, overlay, 0, NULL);

      XSetForeground (display, gc, 0x3333cc);
      XFillRectangle (display, overlay, gc, 100, 100, 600, 300);
      XSync (display, False);
      printf ("overlay 0x%lx\n", (unsigned long) overlay);
      fflush (stdout);
    }
  if (strcmp (mode, "screensaver") == 0)
    {
      XSetWindowAttributes saver = { 0 };

      saver.background_pixel = 0x33cc33;
      XScreenSaverSetAttributes (display, RootWindow (display, screen), 0, 0,
                                 DisplayWidth (display, screen), DisplayHeight (display, screen),
                                 0, CopyFromParent, InputOutput, CopyFromParent, CWBackPixel,
                                 &saver);
      XForceScreenSaver (display, ScreenSaverActive);
      XSync (display, False);
      printf ("saver on\n");
      fflush (stdout);
    }
  if (strcmp (mode, "grab-all") == 0)
    {
      unsigned char bits[XIMaskLen (XI_LASTEVENT)] = { 0 };
      XIEventMask xi_mask = { XIAllMasterDevices, sizeof bits, bits };
      XIDeviceInfo *devices;
      int n = 0, major = 2, minor = 2;

      XIQueryVersion (display, &major, &minor);
      XISetMask (bits, XI_KeyPress);
      devices = XIQueryDevice (display, XIAllMasterDevices, &n);
      for (int i = 0; i < n; i++)
        {
          int status;

          if (devices[i].use != XIMasterKeyboard)
            continue;
          xi_mask.deviceid = devices[i].deviceid;
          status = XIGrabDevice (display, devices[i].deviceid, window, CurrentTime, None,
                                 XIGrabModeAsync, XIGrabModeAsync, False, &xi_mask);
          printf ("%s:%s ", devices[i].name, status == Success ? "grabbed"
                  : status == AlreadyGrabbed ? "held-elsewhere" : "failed");
        }
      XIFreeDeviceInfo (devices);
      printf ("\n");
      fflush (stdout);
    }
  if (strcmp (mode, "grab-pointer") == 0)
    {
      int status = XGrabPointer (display, window, False, ButtonPressMask | PointerMotionMask,
                                 GrabModeAsync, GrabModeAsync, None, None, CurrentTime);

      if (status == GrabSuccess)
        printf ("grabbed\n");
      else
        printf ("grab-failed %d\n", status);
      fflush (stdout);
    }
  if (strcmp (mode, "read-selections") == 0)
    {
      read_selection (display, window, "PRIMARY");
      read_selection (display, window, "CLIPBOARD");
    }

  for (;;)
    XNextEvent (display, &event);

  return 0;
}
