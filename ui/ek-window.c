/* ek-window.c: the kiosk's single window, one GtkStack page per step of the exam day */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-start-page.h"
#include "ek-window.h"

struct _EkWindow
{
  GtkApplicationWindow  parent_instance;

  /* Template children, borrowed. */
  GtkStack             *stack;
  EkStartPage          *start_page;
  GtkLabel             *unavailable_title;
  GtkButton            *back_button;
};

G_DEFINE_FINAL_TYPE (EkWindow, ek_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VISIBLE_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In application pixels: from here on, .ek-large-screen. */
#define LARGE_SCREEN_WIDTH  1600
#define LARGE_SCREEN_HEIGHT 900

typedef struct
{
  const char *id;     /* the win.start-mode parameter */
  const char *title;  /* untranslated */
} EkStartMode;

static const EkStartMode start_modes[] = {
  { "formal", N_("Formal exam") },
  { "mock", N_("Mock exam") },
  { "practice", N_("Practice exam") },
  { "device-check", N_("Device check") },
};

static const EkStartMode *
find_start_mode (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (start_modes); i++)
    {
      if (g_str_equal (start_modes[i].id, id))
        return &start_modes[i];
    }

  return NULL;
}

/* Without a window manager (a bare X server, as some kiosks and the tests run) a fullscreen
 * request does nothing visible: start at the size of the monitor so the screen is covered
 * either way. Window-level lockdown proper is platform/'s job. A big monitor gets bigger
 * type (style.css). */
static void
size_to_monitor (EkWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);

  if (geometry.width >= LARGE_SCREEN_WIDTH && geometry.height >= LARGE_SCREEN_HEIGHT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ek-large-screen");
}

static void
on_visible_page_changed_cb (EkWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_PAGE]);
}

static void
start_mode_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  const EkStartMode *mode = find_start_mode (id);

  if (mode == NULL)
    {
      g_warning ("Unknown start mode “%s”", id);
      return;
    }

  /* The pages behind every mode come with later work: say so plainly rather than show
   * something that looks like it works. */
  gtk_label_set_label (self->unavailable_title, _(mode->title));
  gtk_stack_set_visible_child_name (self->stack, "unavailable");
  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
show_start_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_grab_focus (GTK_WIDGET (self->start_page));
}

static void
ek_window_dispose (GObject *object)
{
  /* GTK 4.8's dispose_template unparents the stack behind GtkWindow's back, which then
   * unparents it a second time: detach it the window's way first. */
  gtk_window_set_child (GTK_WINDOW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_WINDOW);

  G_OBJECT_CLASS (ek_window_parent_class)->dispose (object);
}

static void
ek_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkWindow *self = EK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VISIBLE_PAGE:
      g_value_set_string (value, ek_window_get_visible_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_window_class_init (EkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_window_dispose;
  object_class->get_property = ek_window_get_property;

  /**
   * EkWindow:visible-page:
   *
   * The name of the page on show: "start", "unavailable", ...
   */
  properties[PROP_VISIBLE_PAGE] =
    g_param_spec_string ("visible-page", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EK_TYPE_START_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EkWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, unavailable_title);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, back_button);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed_cb);

  /**
   * EkWindow|win.start-mode:
   * @mode: "formal", "mock", "practice" or "device-check"
   *
   * Leaves the start page for the chosen mode.
   */
  gtk_widget_class_install_action (widget_class, "win.start-mode", "s", start_mode_action);

  /**
   * EkWindow|win.show-start:
   *
   * Returns to the start page.
   */
  gtk_widget_class_install_action (widget_class, "win.show-start", NULL, show_start_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-start", NULL);
}

static void
ek_window_init (EkWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  size_to_monitor (self);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

/**
 * ek_window_new:
 * @application: the #EkApplication
 *
 * Returns: (transfer none): a new #EkWindow, owned by its application
 */
EkWindow *
ek_window_new (EkApplication *application)
{
  g_return_val_if_fail (EK_IS_APPLICATION (application), NULL);

  return g_object_new (EK_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * ek_window_get_visible_page:
 * @self: an #EkWindow
 *
 * Returns: (nullable): the name of the page on show
 */
const char *
ek_window_get_visible_page (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}
