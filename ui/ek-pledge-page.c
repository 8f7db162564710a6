/* ek-pledge-page.c: the exam rules and the pledge: accept, or decline and leave
 *
 * Accepting needs the tick "I have read the rules"; declining needs a second,
 * explicit confirmation, because it ends the session on the server for good.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-pledge-page.h"
#include "ek-ui-util.h"

struct _EkPledgePage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  gboolean      busy;

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *rules_label;
  GtkLabel     *pledge_label;
  GtkCheckButton *agree_check;
  GtkRevealer  *decline_revealer;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *accept_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkPledgePage, ek_pledge_page, GTK_TYPE_WIDGET)

static void
update_actions (EkPledgePage *self)
{
  gboolean agreed = gtk_check_button_get_active (self->agree_check);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pledge.accept", agreed && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pledge.decline", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pledge.decline-confirm", !self->busy);
  ek_show_spinner (self->spinner, self->busy);
}

static void
on_agree_toggled_cb (EkPledgePage *self)
{
  update_actions (self);
}

static void
on_answered_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkPledgePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->error_label, error->message);
    }

  /* On success the window follows the session to the next page. */
  self->busy = FALSE;
  update_actions (self);
}

static void
answer (EkPledgePage *self,
        gboolean      accepted)
{
  ek_show_message (self->error_label, NULL);
  self->busy = TRUE;
  update_actions (self);
  ek_engine_answer_pledge_async (self->engine, accepted, self->cancellable,
                                 on_answered_cb, g_object_ref (self));
}

static void
accept_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  answer (EK_PLEDGE_PAGE (widget), TRUE);
}

static void
decline_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (widget);

  gtk_revealer_set_reveal_child (self->decline_revealer, TRUE);
}

static void
decline_confirm_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (widget);

  gtk_revealer_set_reveal_child (self->decline_revealer, FALSE);
  answer (self, FALSE);
}

static void
decline_cancel_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (widget);

  gtk_revealer_set_reveal_child (self->decline_revealer, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->accept_button));
}

static gboolean
ek_pledge_page_grab_focus (GtkWidget *widget)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->agree_check));
}

static void
ek_pledge_page_constructed (GObject *object)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (object);

  G_OBJECT_CLASS (ek_pledge_page_parent_class)->constructed (object);

  EkExam *exam = ek_session_get_exam (ek_engine_get_session (self->engine));

  if (exam != NULL)
    {
      const char *rules = ek_exam_get_rules_text (exam);
      const char *pledge = ek_exam_get_pledge_text (exam);

      gtk_label_set_label (self->rules_label, *rules != '\0' ? rules : _("This exam has no further rules."));
      gtk_label_set_label (self->pledge_label, pledge);
    }
  update_actions (self);
}

static void
ek_pledge_page_dispose (GObject *object)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_PLEDGE_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_pledge_page_parent_class)->dispose (object);
}

static void
ek_pledge_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (object);

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
ek_pledge_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkPledgePage *self = EK_PLEDGE_PAGE (object);

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
ek_pledge_page_class_init (EkPledgePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_pledge_page_constructed;
  object_class->dispose = ek_pledge_page_dispose;
  object_class->get_property = ek_pledge_page_get_property;
  object_class->set_property = ek_pledge_page_set_property;

  widget_class->grab_focus = ek_pledge_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-pledge-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, content);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, rules_label);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, pledge_label);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, agree_check);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, decline_revealer);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkPledgePage, accept_button);
  gtk_widget_class_bind_template_callback (widget_class, on_agree_toggled_cb);

  /**
   * EkPledgePage|pledge.accept:
   *
   * Accepts the pledge (needs the tick).
   */
  gtk_widget_class_install_action (widget_class, "pledge.accept", NULL, accept_action);

  /**
   * EkPledgePage|pledge.decline:
   *
   * Asks to confirm that the candidate declines.
   */
  gtk_widget_class_install_action (widget_class, "pledge.decline", NULL, decline_action);

  /**
   * EkPledgePage|pledge.decline-confirm:
   *
   * Declines the pledge: the session ends on the server.
   */
  gtk_widget_class_install_action (widget_class, "pledge.decline-confirm", NULL, decline_confirm_action);

  /**
   * EkPledgePage|pledge.decline-cancel:
   *
   * Keeps the session.
   */
  gtk_widget_class_install_action (widget_class, "pledge.decline-cancel", NULL, decline_cancel_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pledgepage");
}

static void
ek_pledge_page_init (EkPledgePage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_pledge_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_PLEDGE_PAGE, "engine", engine, NULL);
}
