/* ek-draw-page.c: the draw of the scoring sequence number
 *
 * The server draws the number (drawing again gives the same one). The page keeps
 * the number on screen until the candidate presses Continue, although the session
 * has moved on to the next step already: :holding tells the window to wait.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-draw-page.h"
#include "ek-ui-util.h"

struct _EkDrawPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  gboolean      holding;

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkStack     *stack;
  GtkLabel     *number_label;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *draw_button;
  GtkButton    *continue_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkDrawPage, ek_draw_page, GTK_TYPE_WIDGET)

static void
set_busy (EkDrawPage *self,
          gboolean    busy)
{
  ek_show_spinner (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.draw", !busy && !self->holding);
}

static void
on_drawn_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkDrawPage) self = user_data;
  g_autoptr(GError) error = NULL;
  const EkSessionState *state;
  g_autofree char *number = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->holding = FALSE;
      set_busy (self, FALSE);
      ek_show_message (self->error_label, error->message);
      return;
    }

  state = ek_session_get_state (ek_engine_get_session (self->engine));
  number = g_strdup_printf ("%" G_GINT64_FORMAT, state->sequence_number);
  gtk_label_set_label (self->number_label, number);
  gtk_stack_set_visible_child_name (self->stack, "drawn");
  gtk_widget_set_visible (GTK_WIDGET (self->draw_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->continue_button), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.continue", TRUE);
  set_busy (self, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->continue_button));
}

static void
draw_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkDrawPage *self = EK_DRAW_PAGE (widget);

  ek_show_message (self->error_label, NULL);
  /* Set before the answer: the session moves on as soon as it arrives. */
  self->holding = TRUE;
  set_busy (self, TRUE);
  ek_engine_complete_step_async (self->engine, EK_STEP_DRAW, self->cancellable,
                                 on_drawn_cb, g_object_ref (self));
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EkDrawPage *self = EK_DRAW_PAGE (widget);

  self->holding = FALSE;
  gtk_widget_activate_action (widget, "win.route", NULL);
}

/**
 * ek_draw_page_get_holding:
 *
 * Returns: %TRUE while the drawn number is on show and the candidate has not
 *   pressed Continue yet
 */
gboolean
ek_draw_page_get_holding (EkDrawPage *self)
{
  g_return_val_if_fail (EK_IS_DRAW_PAGE (self), FALSE);
  return self->holding;
}

static gboolean
ek_draw_page_grab_focus (GtkWidget *widget)
{
  EkDrawPage *self = EK_DRAW_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->draw_button));
}

static void
ek_draw_page_constructed (GObject *object)
{
  EkDrawPage *self = EK_DRAW_PAGE (object);

  G_OBJECT_CLASS (ek_draw_page_parent_class)->constructed (object);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "draw.continue", FALSE);
}

static void
ek_draw_page_dispose (GObject *object)
{
  EkDrawPage *self = EK_DRAW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_DRAW_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_draw_page_parent_class)->dispose (object);
}

static void
ek_draw_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkDrawPage *self = EK_DRAW_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_draw_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkDrawPage *self = EK_DRAW_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_draw_page_class_init (EkDrawPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_draw_page_constructed;
  object_class->dispose = ek_draw_page_dispose;
  object_class->get_property = ek_draw_page_get_property;
  object_class->set_property = ek_draw_page_set_property;

  widget_class->grab_focus = ek_draw_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-draw-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, number_label);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, draw_button);
  gtk_widget_class_bind_template_child (widget_class, EkDrawPage, continue_button);

  /**
   * EkDrawPage|draw.draw:
   *
   * Draws the sequence number.
   */
  gtk_widget_class_install_action (widget_class, "draw.draw", NULL, draw_action);

  /**
   * EkDrawPage|draw.continue:
   *
   * Leaves the drawn number for the next step.
   */
  gtk_widget_class_install_action (widget_class, "draw.continue", NULL, continue_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "drawpage");
}

static void
ek_draw_page_init (EkDrawPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_draw_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_DRAW_PAGE, "engine", engine, NULL);
}
