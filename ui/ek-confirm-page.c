/* ek-confirm-page.c: the candidate checks the personal information the server holds
 *
 * The full ID number never comes back from the server: the page shows the masked
 * one, the seat and the exam, so a candidate who typed someone else's details
 * notices before anything is recorded in their name.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-confirm-page.h"
#include "ek-ui-util.h"

struct _EkConfirmPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *intro_label;
  GtkLabel     *exam_label;
  GtkLabel     *mode_label;
  GtkLabel     *name_label;
  GtkLabel     *id_label;
  GtkLabel     *seat_label;
  GtkButton    *continue_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkConfirmPage, ek_confirm_page, GTK_TYPE_WIDGET)

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.identity-confirmed", NULL);
}

static void
not_me_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.not-me", NULL);
}

static gboolean
ek_confirm_page_grab_focus (GtkWidget *widget)
{
  EkConfirmPage *self = EK_CONFIRM_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->continue_button));
}

static void
ek_confirm_page_constructed (GObject *object)
{
  EkConfirmPage *self = EK_CONFIRM_PAGE (object);

  G_OBJECT_CLASS (ek_confirm_page_parent_class)->constructed (object);

  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  EkCandidate *candidate = ek_session_get_candidate (session);

  /* The practice has no token and no server: say where the details come from. */
  if (ek_engine_is_practice (self->engine))
    gtk_label_set_label (self->intro_label,
                         _("This is how the kiosk will show your details in the real exam. "
                           "In the practice they are examples."));

  if (exam != NULL)
    {
      gtk_label_set_label (self->exam_label, ek_exam_get_title (exam));
      gtk_label_set_label (self->mode_label, ek_exam_mode_title (ek_exam_get_mode (exam)));
    }
  if (candidate != NULL)
    {
      gtk_label_set_label (self->name_label, ek_candidate_get_name (candidate));
      gtk_label_set_label (self->id_label, ek_candidate_get_id_number_masked (candidate));
      gtk_label_set_label (self->seat_label, ek_candidate_get_seat (candidate));
    }
}

static void
ek_confirm_page_dispose (GObject *object)
{
  EkConfirmPage *self = EK_CONFIRM_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_CONFIRM_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_confirm_page_parent_class)->dispose (object);
}

static void
ek_confirm_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkConfirmPage *self = EK_CONFIRM_PAGE (object);

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
ek_confirm_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkConfirmPage *self = EK_CONFIRM_PAGE (object);

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
ek_confirm_page_class_init (EkConfirmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_confirm_page_constructed;
  object_class->dispose = ek_confirm_page_dispose;
  object_class->get_property = ek_confirm_page_get_property;
  object_class->set_property = ek_confirm_page_set_property;

  widget_class->grab_focus = ek_confirm_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-confirm-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, exam_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, mode_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, id_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, seat_label);
  gtk_widget_class_bind_template_child (widget_class, EkConfirmPage, continue_button);

  /**
   * EkConfirmPage|confirm.continue:
   *
   * These are the candidate's details: on to the rules.
   */
  gtk_widget_class_install_action (widget_class, "confirm.continue", NULL, continue_action);

  /**
   * EkConfirmPage|confirm.not-me:
   *
   * Not the candidate's details: back to the start, the session left open for its owner.
   */
  gtk_widget_class_install_action (widget_class, "confirm.not-me", NULL, not_me_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "confirmpage");
}

static void
ek_confirm_page_init (EkConfirmPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_confirm_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_CONFIRM_PAGE, "engine", engine, NULL);
}
