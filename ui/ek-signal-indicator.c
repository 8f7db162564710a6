/* ek-signal-indicator.c: a quiet notice while a proctoring signal is active */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-signal-indicator.h"

struct _EkSignalIndicator
{
  GtkWidget         parent_instance;

  EkProctorSignals *signals;   /* owned, nullable */
  GtkWidget        *box;       /* owned: the only child */
  GtkWidget        *icon;      /* borrowed from here on */
  GtkLabel         *label;
};

enum {
  PROP_0,
  PROP_SIGNALS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkSignalIndicator, ek_signal_indicator, GTK_TYPE_WIDGET)

/* What the candidate can fix first: being there at all comes before the rest. */
static const EkProctorSignal priority[] = {
  EK_PROCTOR_SIGNAL_CAMERA_COVERED,
  EK_PROCTOR_SIGNAL_FACE_ABSENT,
  EK_PROCTOR_SIGNAL_MULTIPLE_FACES,
  EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE,
  EK_PROCTOR_SIGNAL_VOICE,
};

static void
update (EkSignalIndicator *self)
{
  guint active = self->signals != NULL ? ek_proctor_signals_get_active (self->signals) : 0;
  const char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (priority) && text == NULL; i++)
    if (active & (1u << priority[i]))
      text = ek_proctor_signal_describe (priority[i]);

  gtk_label_set_label (self->label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self), text != NULL);
}

static void
on_active_changed_cb (EkProctorSignals  *signals,
                      GParamSpec        *pspec,
                      EkSignalIndicator *self)
{
  update (self);
}

static void
ek_signal_indicator_dispose (GObject *object)
{
  EkSignalIndicator *self = EK_SIGNAL_INDICATOR (object);

  g_clear_object (&self->signals);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ek_signal_indicator_parent_class)->dispose (object);
}

static void
ek_signal_indicator_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EkSignalIndicator *self = EK_SIGNAL_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SIGNALS:
      g_value_set_object (value, self->signals);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_signal_indicator_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EkSignalIndicator *self = EK_SIGNAL_INDICATOR (object);

  switch (prop_id)
    {
    case PROP_SIGNALS:
      ek_signal_indicator_set_signals (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_signal_indicator_class_init (EkSignalIndicatorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_signal_indicator_dispose;
  object_class->get_property = ek_signal_indicator_get_property;
  object_class->set_property = ek_signal_indicator_set_property;

  properties[PROP_SIGNALS] =
    g_param_spec_object ("signals", NULL, NULL,
                         EK_TYPE_PROCTOR_SIGNALS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "signalindicator");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
ek_signal_indicator_init (EkSignalIndicator *self)
{
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_add_css_class (self->box, "ek-notice");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->icon = gtk_image_new_from_icon_name ("camera-web-symbolic");
  gtk_box_append (GTK_BOX (self->box), self->icon);

  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_xalign (self->label, 0);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->label));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ek_signal_indicator_new (EkProctorSignals *signals)
{
  g_return_val_if_fail (signals == NULL || EK_IS_PROCTOR_SIGNALS (signals), NULL);

  return g_object_new (EK_TYPE_SIGNAL_INDICATOR, "signals", signals, NULL);
}

EkProctorSignals *
ek_signal_indicator_get_signals (EkSignalIndicator *self)
{
  g_return_val_if_fail (EK_IS_SIGNAL_INDICATOR (self), NULL);

  return self->signals;
}

void
ek_signal_indicator_set_signals (EkSignalIndicator *self,
                                 EkProctorSignals  *signals)
{
  g_return_if_fail (EK_IS_SIGNAL_INDICATOR (self));
  g_return_if_fail (signals == NULL || EK_IS_PROCTOR_SIGNALS (signals));

  if (self->signals == signals)
    return;

  if (self->signals != NULL)
    g_signal_handlers_disconnect_by_func (self->signals, on_active_changed_cb, self);
  g_set_object (&self->signals, signals);
  if (signals != NULL)
    g_signal_connect_object (signals, "notify::active", G_CALLBACK (on_active_changed_cb), self, 0);

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNALS]);
}

/**
 * ek_signal_indicator_get_text:
 *
 * Returns: what the indicator says now ("" when hidden)
 */
const char *
ek_signal_indicator_get_text (EkSignalIndicator *self)
{
  g_return_val_if_fail (EK_IS_SIGNAL_INDICATOR (self), NULL);

  return gtk_label_get_label (self->label);
}
