/* ek-x11-monitors.c: how many displays the candidate can look at (XRandR and GDK) */

#include "config.h"

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

#include "ek-monitors.h"

struct _EkMonitorWatch
{
  GObject     parent_instance;

  GdkDisplay *display;       /* owned ref */
  GListModel *gdk_monitors;  /* borrowed from display */
  char      **names;         /* owned; one per active display device */
  EkRect      primary;
  gboolean    have_primary;
  int         randr_event_base;
  guint       idle_id;
  gulong      items_changed_id;
  gulong      xevent_id;
};

G_DEFINE_FINAL_TYPE (EkMonitorWatch, ek_monitor_watch, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Counts with both XRandR and GDK and believes the larger: GDK 4.8 skips monitors
 * without an output (a --setmonitor area), XRandR's monitors merge mirrored outputs,
 * and the active outputs count each mirrored screen. */
static void
count_monitors (EkMonitorWatch *self)
{
  Display *xdisplay = gdk_x11_display_get_xdisplay (self->display);
  Window root = DefaultRootWindow (xdisplay);
  g_autoptr(GPtrArray) outputs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) areas = g_ptr_array_new_with_free_func (g_free);
  XRRScreenResources *resources;
  XRRMonitorInfo *monitors;
  GPtrArray *longest;
  guint n_gdk;
  int n_monitors = 0;

  gdk_x11_display_error_trap_push (self->display);

  resources = XRRGetScreenResourcesCurrent (xdisplay, root);
  for (int i = 0; resources != NULL && i < resources->noutput; i++)
    {
      XRROutputInfo *info = XRRGetOutputInfo (xdisplay, resources, resources->outputs[i]);

      if (info == NULL)
        continue;

      if (info->connection != RR_Disconnected && info->crtc != None)
        {
          XRRCrtcInfo *crtc = XRRGetCrtcInfo (xdisplay, resources, info->crtc);

          if (crtc != NULL && crtc->mode != None)
            g_ptr_array_add (outputs, g_strdup_printf ("%s (%u×%u+%d+%d)", info->name,
                                                       crtc->width, crtc->height,
                                                       crtc->x, crtc->y));
          if (crtc != NULL)
            XRRFreeCrtcInfo (crtc);
        }
      XRRFreeOutputInfo (info);
    }
  if (resources != NULL)
    XRRFreeScreenResources (resources);

  monitors = XRRGetMonitors (xdisplay, root, True, &n_monitors);
  self->have_primary = FALSE;
  for (int i = 0; monitors != NULL && i < n_monitors; i++)
    {
      char *name = XGetAtomName (xdisplay, monitors[i].name);

      g_ptr_array_add (areas, g_strdup_printf ("%s (%d×%d+%d+%d)", name ? name : "?",
                                               monitors[i].width, monitors[i].height,
                                               monitors[i].x, monitors[i].y));
      if (!self->have_primary || monitors[i].primary)
        {
          self->primary.x = monitors[i].x;
          self->primary.y = monitors[i].y;
          self->primary.width = monitors[i].width;
          self->primary.height = monitors[i].height;
          self->have_primary = TRUE;
        }
      if (name != NULL)
        XFree (name);
    }
  if (monitors != NULL)
    XRRFreeMonitors (monitors);

  gdk_x11_display_error_trap_pop_ignored (self->display);

  n_gdk = g_list_model_get_n_items (self->gdk_monitors);
  longest = outputs->len >= areas->len ? outputs : areas;

  g_strfreev (self->names);
  self->names = g_new0 (char *, MAX (longest->len, n_gdk) + 1);
  for (guint i = 0; i < longest->len; i++)
    self->names[i] = g_strdup (g_ptr_array_index (longest, i));

  for (guint i = longest->len; i < n_gdk; i++)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (self->gdk_monitors, i);
      const char *connector = gdk_monitor_get_connector (monitor);

      self->names[i] = g_strdup (connector != NULL ? connector : "?");
    }

  if (!self->have_primary && n_gdk > 0)
    {
      g_autoptr(GdkMonitor) monitor = g_list_model_get_item (self->gdk_monitors, 0);
      GdkRectangle geometry;

      gdk_monitor_get_geometry (monitor, &geometry);
      self->primary = (EkRect) { geometry.x, geometry.y, geometry.width, geometry.height };
      self->have_primary = TRUE;
    }
}

static void
on_idle_recount_cb (gpointer user_data)
{
  EkMonitorWatch *self = user_data;
  g_auto(GStrv) before = g_steal_pointer (&self->names);

  self->idle_id = 0;
  count_monitors (self);

  if (before == NULL || !g_strv_equal ((const char * const *) before,
                                       (const char * const *) self->names))
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
schedule_recount (EkMonitorWatch *self)
{
  /* A monitor GDK has just added is still empty (no connector, 0×0): count later. */
  if (self->idle_id == 0)
    self->idle_id = g_timeout_add_once (50, on_idle_recount_cb, self);
}

static void
monitors_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  schedule_recount (user_data);
}

static gboolean
xevent_cb (GdkDisplay *display,
           XEvent     *xevent,
           gpointer    user_data)
{
  EkMonitorWatch *self = user_data;

  if (xevent->type == self->randr_event_base + RRScreenChangeNotify ||
      xevent->type == self->randr_event_base + RRNotify)
    schedule_recount (self);

  return GDK_EVENT_PROPAGATE;
}

static void
ek_monitor_watch_dispose (GObject *object)
{
  EkMonitorWatch *self = (EkMonitorWatch *)object;

  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_clear_signal_handler (&self->items_changed_id, self->gdk_monitors);
  g_clear_signal_handler (&self->xevent_id, self->display);
  g_clear_object (&self->display);

  G_OBJECT_CLASS (ek_monitor_watch_parent_class)->dispose (object);
}

static void
ek_monitor_watch_finalize (GObject *object)
{
  EkMonitorWatch *self = (EkMonitorWatch *)object;

  g_clear_pointer (&self->names, g_strfreev);

  G_OBJECT_CLASS (ek_monitor_watch_parent_class)->finalize (object);
}

static void
ek_monitor_watch_class_init (EkMonitorWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_monitor_watch_dispose;
  object_class->finalize = ek_monitor_watch_finalize;

  /**
   * EkMonitorWatch::changed:
   *
   * The set of active display devices changed (plugged, unplugged, switched on or off).
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ek_monitor_watch_init (EkMonitorWatch *self)
{
}

/**
 * ek_monitor_watch_new:
 *
 * Returns: (transfer full): a watch on the default display's monitors
 */
EkMonitorWatch *
ek_monitor_watch_new (void)
{
  EkMonitorWatch *self = g_object_new (EK_TYPE_MONITOR_WATCH, NULL);
  Display *xdisplay;
  int error_base;

  self->display = g_object_ref (gdk_display_get_default ());
  g_return_val_if_fail (GDK_IS_X11_DISPLAY (self->display), self);

  xdisplay = gdk_x11_display_get_xdisplay (self->display);
  self->gdk_monitors = gdk_display_get_monitors (self->display);
  self->items_changed_id = g_signal_connect (self->gdk_monitors, "items-changed",
                                             G_CALLBACK (monitors_changed_cb), self);

  if (XRRQueryExtension (xdisplay, &self->randr_event_base, &error_base))
    {
      XRRSelectInput (xdisplay, DefaultRootWindow (xdisplay),
                      RRScreenChangeNotifyMask | RROutputChangeNotifyMask |
                      RRCrtcChangeNotifyMask);
      self->xevent_id = g_signal_connect (self->display, "xevent", G_CALLBACK (xevent_cb), self);
    }

  count_monitors (self);

  return self;
}

guint
ek_monitor_watch_get_n_monitors (EkMonitorWatch *self)
{
  g_return_val_if_fail (EK_IS_MONITOR_WATCH (self), 0);

  return self->names != NULL ? g_strv_length (self->names) : 0;
}

/**
 * ek_monitor_watch_dup_names:
 *
 * Returns: (transfer full): one line per display device: connector, size and position
 */
char **
ek_monitor_watch_dup_names (EkMonitorWatch *self)
{
  g_return_val_if_fail (EK_IS_MONITOR_WATCH (self), NULL);

  return g_strdupv (self->names);
}

/**
 * ek_monitor_watch_get_primary:
 * @geometry: (out): the primary (else the first) monitor's area
 */
gboolean
ek_monitor_watch_get_primary (EkMonitorWatch *self,
                              EkRect         *geometry)
{
  g_return_val_if_fail (EK_IS_MONITOR_WATCH (self), FALSE);

  if (self->have_primary && geometry != NULL)
    *geometry = self->primary;

  return self->have_primary;
}

void
ek_monitor_watch_refresh (EkMonitorWatch *self)
{
  g_return_if_fail (EK_IS_MONITOR_WATCH (self));

  g_clear_handle_id (&self->idle_id, g_source_remove);
  on_idle_recount_cb (self);
}
