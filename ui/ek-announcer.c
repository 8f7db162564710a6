/* ek-announcer.c: short messages for assistive technology (a screen reader)
 *
 * GTK 4.8 has no gtk_accessible_announce(); a screen reader learns of a message that
 * is not under the focus from a live region. This is one: a widget that draws nothing
 * and takes no room, with the role `alert` (AT-SPI's "alert" in GTK 4.8), whose name is the
 * message. Each message sets the name, so AT-SPI carries
 * object:property-change:accessible-name from an alert (tests/a11y checks it on
 * the bus). The text stays as the name until the next message, so a reader that
 * looks later finds the last one.
 *
 * GTK 4.8 tells AT-SPI nothing of an object not yet on show: a message given before the
 * announcer is mapped (the part a candidate enters in, said while the exam page is being
 * built) is kept and said once it is, a moment later, when its page is in the tree.
 *
 * Nor of one whose AT-SPI object it has not yet made: GTK 4.8 makes them only when an
 * assistive technology asks for them (its children, the object at a point), so an
 * announcer new with its page may speak unheard. The window's own announcer
 * (ek_announcer_serve_window(), made with the window, so a screen reader that has read the
 * window knows it) says the messages of every announcer inside that window.
 */

#include "config.h"

#include "ek-announcer.h"

struct _EkAnnouncer
{
  GtkWidget  parent_instance;

  char      *text;
  gboolean   pending;         /* text not yet said: given while not on show */
  guint      pending_source;
};

/* After the map, the page's objects reach AT-SPI first (and ek-a11y.c has marked the
 * page shown), then the message. */
#define PENDING_DELAY_MS 300

G_DEFINE_FINAL_TYPE (EkAnnouncer, ek_announcer, GTK_TYPE_WIDGET)

static void
ek_announcer_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  *minimum = *natural = 0;
}

#define WINDOW_KEY "ek-announcer"

static void
say (EkAnnouncer *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  EkAnnouncer *served = root != NULL ? g_object_get_data (G_OBJECT (root), WINDOW_KEY) : NULL;

  self->pending = FALSE;
  if (served != NULL && served != self)
    {
      ek_announcer_announce (served, self->text);
      return;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->text,
                                  -1);
}

static gboolean
on_pending_timeout_cb (gpointer user_data)
{
  EkAnnouncer *self = user_data;

  self->pending_source = 0;
  if (self->pending && gtk_widget_get_mapped (GTK_WIDGET (self)))
    say (self);
  return G_SOURCE_REMOVE;
}

static void
ek_announcer_map (GtkWidget *widget)
{
  EkAnnouncer *self = EK_ANNOUNCER (widget);

  GTK_WIDGET_CLASS (ek_announcer_parent_class)->map (widget);

  if (self->pending && self->pending_source == 0)
    self->pending_source = g_timeout_add (PENDING_DELAY_MS, on_pending_timeout_cb, self);
}

static void
ek_announcer_dispose (GObject *object)
{
  EkAnnouncer *self = EK_ANNOUNCER (object);

  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_clear_handle_id (&self->pending_source, g_source_remove);
  if (root != NULL && g_object_get_data (G_OBJECT (root), WINDOW_KEY) == self)
    g_object_set_data (G_OBJECT (root), WINDOW_KEY, NULL);

  G_OBJECT_CLASS (ek_announcer_parent_class)->dispose (object);
}

static void
ek_announcer_finalize (GObject *object)
{
  EkAnnouncer *self = EK_ANNOUNCER (object);

  g_free (self->text);

  G_OBJECT_CLASS (ek_announcer_parent_class)->finalize (object);
}

static void
ek_announcer_class_init (EkAnnouncerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_announcer_dispose;
  object_class->finalize = ek_announcer_finalize;
  widget_class->measure = ek_announcer_measure;
  widget_class->map = ek_announcer_map;

  gtk_widget_class_set_css_name (widget_class, "announcer");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_ALERT);
}

static void
ek_announcer_init (EkAnnouncer *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ek_announcer_new (void)
{
  return g_object_new (EK_TYPE_ANNOUNCER, NULL);
}

/**
 * ek_announcer_announce:
 * @text: the message, in the user's language, a whole sentence
 *
 * Says @text to assistive technology now (nothing changes on screen).
 */
void
ek_announcer_announce (EkAnnouncer *self,
                       const char  *text)
{
  g_return_if_fail (EK_IS_ANNOUNCER (self));
  g_return_if_fail (text != NULL);

  g_free (self->text);
  self->text = g_strdup (text);

  /* In the tree from the start (GTK 4.8 tells AT-SPI of a name change only for an
   * object it has exported): the new name is the message. Not on show yet: later. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->pending_source == 0)
    say (self);
  else
    self->pending = TRUE;
}

/**
 * ek_announcer_get_text:
 *
 * Returns: (nullable): the last message, NULL before the first
 */
const char *
ek_announcer_get_text (EkAnnouncer *self)
{
  g_return_val_if_fail (EK_IS_ANNOUNCER (self), NULL);
  return self->text;
}

/**
 * ek_announcer_serve_window:
 * @window: the window @self is in, for as long as the window lives
 *
 * Makes @self the announcer that says the messages of every announcer in @window.
 */
void
ek_announcer_serve_window (EkAnnouncer *self,
                           GtkWindow   *window)
{
  g_return_if_fail (EK_IS_ANNOUNCER (self));
  g_return_if_fail (GTK_IS_WINDOW (window));

  g_object_set_data (G_OBJECT (window), WINDOW_KEY, self);
}
