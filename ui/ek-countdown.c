/* ek-countdown.c: time left until an absolute server time, large and colour-coded
 *
 * Counts on the server clock (monotonic time plus the measured offset), so it shows
 * the same time left on every computer and after a restart. The last minute is
 * marked with a style class (.ek-countdown-last-minute) so the colour change is the
 * style sheet's business; the text never depends on colour alone.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-countdown.h"

/* Often enough that the seconds never visibly stutter. */
#define TICK_MS 200
#define LAST_MINUTE_MS (60 * 1000)

/* The minutes left that are said to assistive technology (::minute-mark). */
static const int minute_marks[] = { 10, 5, 1 };

struct _EkCountdown
{
  GtkWidget      parent_instance;

  GtkLabel      *label;        /* owned child */
  EkServerClock *clock;        /* owned */
  gint64         deadline_ms;  /* server time; 0: none */
  gint64         last_remaining_ms;  /* at the previous tick for this deadline; -1: none */
  guint          tick_source;
};

enum {
  MINUTE_MARK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_DEADLINE_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkCountdown, ek_countdown, GTK_TYPE_WIDGET)

/**
 * ek_countdown_format:
 *
 * Returns: (transfer full): "MM:SS", or "H:MM:SS" from an hour on; seconds are
 *   rounded up, so "00:00" shows only when the time is really over
 */
char *
ek_countdown_format (gint64 remaining_ms)
{
  gint64 seconds = (MAX (0, remaining_ms) + 999) / 1000;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds % 3600 / 60), (int) (seconds % 60));

  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* A mark is passed while the countdown runs, not when it first shows: a candidate who
 * enters with four minutes left sees the time, and hears of the next mark, the minute. */
static void
check_marks (EkCountdown *self,
             gint64       remaining)
{
  gint64 previous = self->last_remaining_ms;
  int passed = 0;

  self->last_remaining_ms = remaining;
  if (self->deadline_ms == 0 || previous < 0 || remaining <= 0)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (minute_marks); i++)
    {
      gint64 mark = (gint64) minute_marks[i] * 60 * 1000;

      if (previous > mark && remaining <= mark)
        passed = minute_marks[i];
    }
  if (passed > 0)
    g_signal_emit (self, signals[MINUTE_MARK], 0, passed);
}

static void
update (EkCountdown *self)
{
  gint64 remaining = ek_countdown_get_remaining_ms (self);
  g_autofree char *text = ek_countdown_format (remaining);
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->clock != NULL)
    check_marks (self, remaining);

  if (g_strcmp0 (gtk_label_get_label (self->label), text) != 0)
    gtk_label_set_label (self->label, text);

  if (self->deadline_ms != 0 && remaining <= LAST_MINUTE_MS)
    gtk_widget_add_css_class (widget, "ek-countdown-last-minute");
  else
    gtk_widget_remove_css_class (widget, "ek-countdown-last-minute");

  if (self->deadline_ms != 0 && remaining <= 0)
    gtk_widget_add_css_class (widget, "ek-countdown-over");
  else
    gtk_widget_remove_css_class (widget, "ek-countdown-over");
}

static gboolean
on_tick_cb (gpointer user_data)
{
  update (EK_COUNTDOWN (user_data));
  return G_SOURCE_CONTINUE;
}

static void
ek_countdown_map (GtkWidget *widget)
{
  EkCountdown *self = EK_COUNTDOWN (widget);

  GTK_WIDGET_CLASS (ek_countdown_parent_class)->map (widget);

  self->last_remaining_ms = -1;
  update (self);
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add (TICK_MS, on_tick_cb, self);
}

static void
ek_countdown_unmap (GtkWidget *widget)
{
  EkCountdown *self = EK_COUNTDOWN (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);

  GTK_WIDGET_CLASS (ek_countdown_parent_class)->unmap (widget);
}

static void
ek_countdown_dispose (GObject *object)
{
  EkCountdown *self = EK_COUNTDOWN (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  g_clear_pointer ((GtkWidget **) &self->label, gtk_widget_unparent);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ek_countdown_parent_class)->dispose (object);
}

static void
ek_countdown_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EkCountdown *self = EK_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_DEADLINE_MS:
      g_value_set_int64 (value, self->deadline_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_countdown_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  EkCountdown *self = EK_COUNTDOWN (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      ek_countdown_set_clock (self, g_value_get_object (value));
      break;

    case PROP_DEADLINE_MS:
      ek_countdown_set_deadline_ms (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_countdown_class_init (EkCountdownClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_countdown_dispose;
  object_class->get_property = ek_countdown_get_property;
  object_class->set_property = ek_countdown_set_property;

  widget_class->map = ek_countdown_map;
  widget_class->unmap = ek_countdown_unmap;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EK_TYPE_SERVER_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_DEADLINE_MS] =
    g_param_spec_int64 ("deadline-ms", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkCountdown::minute-mark:
   * @minutes: the minutes left: 10, 5 or 1 (the smallest mark passed since the last tick)
   *
   * The time left passed a mark while the countdown was running (not when it first
   * showed, and not after a new deadline until its first tick).
   */
  signals[MINUTE_MARK] =
    g_signal_new ("minute-mark", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "countdown");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_TIMER);
}

static void
ek_countdown_init (EkCountdown *self)
{
  self->last_remaining_ms = -1;
  self->label = GTK_LABEL (gtk_label_new ("--:--"));
  /* Tabular digits: the number must not jitter sideways every second. */
  gtk_widget_add_css_class (GTK_WIDGET (self->label), "numeric");
  gtk_widget_set_parent (GTK_WIDGET (self->label), GTK_WIDGET (self));
}

GtkWidget *
ek_countdown_new (void)
{
  return g_object_new (EK_TYPE_COUNTDOWN, NULL);
}

EkServerClock *
ek_countdown_get_clock (EkCountdown *self)
{
  g_return_val_if_fail (EK_IS_COUNTDOWN (self), NULL);
  return self->clock;
}

void
ek_countdown_set_clock (EkCountdown   *self,
                        EkServerClock *clock)
{
  g_return_if_fail (EK_IS_COUNTDOWN (self));

  if (g_set_object (&self->clock, clock))
    {
      update (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK]);
    }
}

gint64
ek_countdown_get_deadline_ms (EkCountdown *self)
{
  g_return_val_if_fail (EK_IS_COUNTDOWN (self), 0);
  return self->deadline_ms;
}

void
ek_countdown_set_deadline_ms (EkCountdown *self,
                              gint64       deadline_ms)
{
  g_return_if_fail (EK_IS_COUNTDOWN (self));

  if (self->deadline_ms == deadline_ms)
    return;

  self->deadline_ms = deadline_ms;
  self->last_remaining_ms = -1;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEADLINE_MS]);
}

/**
 * ek_countdown_get_remaining_ms:
 *
 * Returns: the time left, never below 0; 0 without a clock or a deadline
 */
gint64
ek_countdown_get_remaining_ms (EkCountdown *self)
{
  g_return_val_if_fail (EK_IS_COUNTDOWN (self), 0);

  if (self->clock == NULL || self->deadline_ms == 0)
    return 0;

  return MAX (0, ek_server_clock_ms_until (self->clock, self->deadline_ms));
}

/* What the countdown shows right now. */
const char *
ek_countdown_get_text (EkCountdown *self)
{
  g_return_val_if_fail (EK_IS_COUNTDOWN (self), NULL);
  return gtk_label_get_label (self->label);
}
