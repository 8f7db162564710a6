/* ek-login-page.c: exam token and ID number
 *
 * The ID number is checked here first (length, characters, date of birth, check
 * character), so a typing mistake gets a precise message at once; the server's
 * refusals each get their own message (EkApiClient's, with the opening time added
 * for an exam that is not open yet).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-id-number.h"
#include "ek-login-page.h"
#include "ek-ui-util.h"

struct _EkLoginPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;        /* owned */
  char         *heading;
  GCancellable *cancellable;   /* owned; the login in flight */
  GCancellable *options_cancellable; /* owned; the face login question */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *heading_label;
  GtkEntry     *token_entry;
  GtkEntry     *id_entry;
  GtkLabel     *id_hint_label;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *login_button;
  GtkButton    *face_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_HEADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkLoginPage, ek_login_page, GTK_TYPE_WIDGET)

static void
set_busy (EkLoginPage *self,
          gboolean     busy)
{
  ek_show_spinner (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_entry), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->id_entry), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.submit", !busy);
}

/**
 * ek_login_error_message:
 *
 * Returns: (transfer full): what to tell the candidate about a failed login
 */
char *
ek_login_error_message (const GError *error)
{
  if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_EXAM_NOT_OPEN))
    {
      gint64 retry_ms = ek_api_error_get_retry_after_ms (error);

      if (retry_ms > 0)
        {
          g_autofree char *when = ek_format_clock_time (g_get_real_time () / 1000 + retry_ms);

          /* Translators: %s is a time of day, e.g. 09:30 */
          return g_strdup_printf (_("This exam is not open yet. You can log in from %s."), when);
        }
    }

  if (error->domain == EK_API_ERROR &&
      (error->code == EK_API_ERROR_NETWORK || error->code == EK_API_ERROR_TIMEOUT ||
       error->code == EK_API_ERROR_CONNECTION_CUT))
    return g_strdup_printf ("%s %s", error->message,
                            _("Your answers and recordings are not affected: nothing has "
                              "started yet."));

  return g_strdup (error->message);
}

/* Face login is offered only where the configured exam allows it. */
static void
on_login_options_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean face_login = FALSE;

  if (!ek_api_client_get_login_options_finish (EK_API_CLIENT (object), result, &face_login,
                                               NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Face login options: %s", error->message);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->face_button), face_login);
}

static void
on_login_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EkLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_login_finish (EK_ENGINE (object), result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_busy (self, FALSE);
      message = ek_login_error_message (error);
      ek_show_message (self->error_label, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->token_entry));
      return;
    }

  /* The window follows the session's stage to the next page. */
  set_busy (self, FALSE);
  ek_show_message (self->error_label, NULL);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EkLoginPage *self = EK_LOGIN_PAGE (widget);
  g_autofree char *token = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->token_entry))));
  g_autofree char *id_number = ek_id_number_normalize (gtk_editable_get_text (GTK_EDITABLE (self->id_entry)));
  g_autoptr(GError) error = NULL;

  if (*token == '\0')
    {
      ek_show_message (self->error_label, _("Please enter the exam token from your exam notice."));
      gtk_widget_grab_focus (GTK_WIDGET (self->token_entry));
      return;
    }

  if (!ek_id_number_validate (id_number, &error))
    {
      ek_show_message (self->error_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->id_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->id_entry));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->id_entry), "error");
  ek_show_message (self->error_label, NULL);
  set_busy (self, TRUE);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  ek_engine_login_async (self->engine, token, id_number, self->cancellable,
                         on_login_cb, g_object_ref (self));

  explicit_bzero (id_number, strlen (id_number));
}

static void
on_id_changed_cb (EkLoginPage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->id_entry), "error");
}

static void
on_id_activate_cb (EkLoginPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "login.submit", NULL);
}

static void
on_token_activate_cb (EkLoginPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->id_entry));
}

static gboolean
ek_login_page_grab_focus (GtkWidget *widget)
{
  EkLoginPage *self = EK_LOGIN_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->token_entry));
}

static void
ek_login_page_constructed (GObject *object)
{
  EkLoginPage *self = EK_LOGIN_PAGE (object);
  const char *face_exam;

  G_OBJECT_CLASS (ek_login_page_parent_class)->constructed (object);

  gtk_label_set_label (self->heading_label, self->heading != NULL ? self->heading : _("Log in"));

  face_exam = ek_config_get_face_login_exam (ek_engine_get_config (self->engine));
  if (face_exam != NULL)
    {
      self->options_cancellable = g_cancellable_new ();
      ek_api_client_get_login_options_async (ek_engine_get_api (self->engine), face_exam,
                                             self->options_cancellable, on_login_options_cb,
                                             g_object_ref (self));
    }
}

static void
ek_login_page_dispose (GObject *object)
{
  EkLoginPage *self = EK_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->options_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_LOGIN_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->options_cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_login_page_parent_class)->dispose (object);
}

static void
ek_login_page_finalize (GObject *object)
{
  EkLoginPage *self = EK_LOGIN_PAGE (object);

  g_free (self->heading);

  G_OBJECT_CLASS (ek_login_page_parent_class)->finalize (object);
}

static void
ek_login_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkLoginPage *self = EK_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_HEADING:
      g_value_set_string (value, self->heading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_login_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkLoginPage *self = EK_LOGIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_HEADING:
      self->heading = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_login_page_class_init (EkLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_login_page_constructed;
  object_class->dispose = ek_login_page_dispose;
  object_class->finalize = ek_login_page_finalize;
  object_class->get_property = ek_login_page_get_property;
  object_class->set_property = ek_login_page_set_property;

  widget_class->grab_focus = ek_login_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_HEADING] =
    g_param_spec_string ("heading", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, token_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, id_entry);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, id_hint_label);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, login_button);
  gtk_widget_class_bind_template_child (widget_class, EkLoginPage, face_button);
  gtk_widget_class_bind_template_callback (widget_class, on_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_token_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_id_activate_cb);

  /**
   * EkLoginPage|login.submit:
   *
   * Checks the ID number and logs in.
   */
  gtk_widget_class_install_action (widget_class, "login.submit", NULL, submit_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "loginpage");
}

static void
ek_login_page_init (EkLoginPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_login_page_new (EkEngine   *engine,
                   const char *heading)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_LOGIN_PAGE, "engine", engine, "heading", heading, NULL);
}

/* For the test hooks, and a technician's prefilled token some day. */
void
ek_login_page_fill (EkLoginPage *self,
                    const char  *exam_token,
                    const char  *id_number)
{
  g_return_if_fail (EK_IS_LOGIN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->token_entry), exam_token);
  gtk_editable_set_text (GTK_EDITABLE (self->id_entry), id_number);
}
