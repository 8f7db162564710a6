/* ek-face-login-page.c: log in with the ID number and a live face capture
 *
 * For the exam named in the configuration (`[login] face-login-exam`) when the
 * server says it allows face login. The ID number is checked here first, as on the
 * token login page; then the same guided capture as the identity check
 * (EkFaceCaptureView: guidance, head-turn challenge) chooses a picture, which the
 * engine sends (ek_engine_login_face_async(): token to the keyring, session
 * loaded). A refusal says why; after three the card gives the exam's help
 * contact. On success the window follows the session to the next page, exactly as
 * after a token login.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-face-capture-view.h"
#include "ek-face-login-page.h"
#include "ek-id-number.h"
#include "ek-ui-util.h"

struct _EkFaceLoginPage
{
  GtkWidget          parent_instance;

  EkEngine          *engine;        /* owned */
  GCancellable      *cancellable;   /* owned; cancelled on dispose */
  EkFaceCapture     *capture;       /* owned */
  char              *exam_id;       /* nullable: face login not configured */
  char              *id_number;     /* personal: wiped; the one being tried */
  gboolean           started;

  /* Template children, borrowed. */
  GtkWidget         *content;
  GtkLabel          *intro_label;
  GtkWidget         *id_card;
  GtkEntry          *id_entry;
  GtkLabel          *id_hint_label;
  GtkLabel          *error_label;
  EkFaceCaptureView *capture_view;
  GtkButton         *back_button;
  GtkSpinner        *spinner;
  GtkButton         *start_button;
  GtkButton         *retry_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkFaceLoginPage, ek_face_login_page, GTK_TYPE_WIDGET)

static void
wipe_id_number (EkFaceLoginPage *self)
{
  if (self->id_number != NULL)
    explicit_bzero (self->id_number, strlen (self->id_number));
  g_clear_pointer (&self->id_number, g_free);
}

static void
set_busy (EkFaceLoginPage *self,
          gboolean         busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
}

/* The ID number may change between tries, not while the camera is at work. */
static void
update_controls (EkFaceLoginPage *self)
{
  EkFaceCaptureState state = ek_face_capture_get_state (self->capture);
  gboolean can_retry = ek_face_capture_view_get_can_retry (self->capture_view);
  gboolean locked = state == EK_FACE_CAPTURE_LOCKED_OUT || state == EK_FACE_CAPTURE_MATCHED;
  gboolean editable = self->exam_id != NULL && !locked && (!self->started || can_retry);

  gtk_widget_set_sensitive (GTK_WIDGET (self->id_entry), editable);
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), !self->started);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), self->started && can_retry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face-login.start",
                                 self->exam_id != NULL && !locked && (!self->started || can_retry));
}

static void
disable_face_login (EkFaceLoginPage *self,
                    const char      *message)
{
  g_clear_pointer (&self->exam_id, g_free);
  ek_show_message (self->error_label, message);
  update_controls (self);
}

static void
on_login_options_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkFaceLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *help_contact = NULL;
  gboolean face_login = FALSE;

  if (!ek_api_client_get_login_options_finish (EK_API_CLIENT (object), result, &face_login,
                                               &help_contact, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The login itself will meet the same server and say what is wrong; the help
       * line on the exam notice stays the fallback. */
      g_debug ("Face login options: %s", error->message);
      return;
    }

  ek_face_capture_view_set_help_contact (self->capture_view, help_contact);
  if (!face_login)
    disable_face_login (self, _("This exam does not allow face login. Please log in with your exam token."));
}

static void
on_login_face_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkFaceLoginPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_login_face_finish (EK_ENGINE (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);
  /* Logged in: the window follows the session's stage to the next page. */
  ek_face_capture_login_done (self->capture, error);
}

static void
on_send_photo_cb (EkFaceCapture   *capture,
                  GBytes          *jpeg,
                  gint64           capture_ms,
                  EkFaceLoginPage *self)
{
  set_busy (self, TRUE);
  ek_engine_login_face_async (self->engine, self->exam_id, self->id_number, jpeg, capture_ms,
                              self->cancellable, on_login_face_cb, g_object_ref (self));
}

static void
on_capture_state_cb (EkFaceCapture   *capture,
                     GParamSpec      *pspec,
                     EkFaceLoginPage *self)
{
  EkFaceCaptureState state = ek_face_capture_get_state (capture);

  if (state == EK_FACE_CAPTURE_MATCHED)
    {
      ek_face_capture_view_stop (self->capture_view);
      wipe_id_number (self);
    }
  update_controls (self);
}

static void
on_can_retry_cb (EkFaceCaptureView *view,
                 GParamSpec        *pspec,
                 EkFaceLoginPage   *self)
{
  update_controls (self);
  if (ek_face_capture_view_get_can_retry (view))
    gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (widget);
  g_autofree char *id_number = ek_id_number_normalize (gtk_editable_get_text (GTK_EDITABLE (self->id_entry)));
  g_autoptr(GError) error = NULL;

  if (self->exam_id == NULL)
    return;

  if (!ek_id_number_validate (id_number, &error))
    {
      ek_show_message (self->error_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->id_entry), "error");
      gtk_widget_grab_focus (GTK_WIDGET (self->id_entry));
      explicit_bzero (id_number, strlen (id_number));
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->id_entry), "error");
  ek_show_message (self->error_label, NULL);
  wipe_id_number (self);
  self->id_number = g_steal_pointer (&id_number);
  ek_face_capture_set_login (self->capture, self->exam_id, self->id_number);

  gtk_widget_set_visible (GTK_WIDGET (self->capture_view), TRUE);
  if (!self->started)
    {
      self->started = TRUE;
      ek_face_capture_view_start (self->capture_view);
    }
  else
    ek_face_capture_view_retry (self->capture_view);
  update_controls (self);
}

static void
on_id_changed_cb (EkFaceLoginPage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->id_entry), "error");
}

static void
on_id_activate_cb (EkFaceLoginPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "face-login.start", NULL);
}

static gboolean
ek_face_login_page_grab_focus (GtkWidget *widget)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (widget);

  if (gtk_widget_get_sensitive (GTK_WIDGET (self->id_entry)))
    return gtk_widget_grab_focus (GTK_WIDGET (self->id_entry));
  return gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
ek_face_login_page_constructed (GObject *object)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (object);
  EkConfig *config = ek_engine_get_config (self->engine);
  EkApiClient *api = ek_engine_get_api (self->engine);

  G_OBJECT_CLASS (ek_face_login_page_parent_class)->constructed (object);

  self->capture = ek_face_capture_new (api, EK_FACE_CAPTURE_MODE_LOGIN);
  ek_face_capture_set_external_send (self->capture, TRUE);
  g_signal_connect_object (self->capture, "send-photo", G_CALLBACK (on_send_photo_cb), self, 0);
  g_signal_connect_object (self->capture, "notify::state", G_CALLBACK (on_capture_state_cb), self, 0);
  g_signal_connect_object (self->capture_view, "notify::can-retry", G_CALLBACK (on_can_retry_cb), self, 0);
  ek_face_capture_view_setup (self->capture_view, self->capture, ek_config_get_media_source (config),
                              _("Your identity could not be confirmed after three attempts, so you cannot log in with your face now. Log in with the exam token from your exam notice, or ask for help."));

  self->exam_id = g_strdup (ek_config_get_face_login_exam (config));
  if (self->exam_id == NULL)
    {
      disable_face_login (self, _("Face login is not set up on this computer. Please log in with your exam token."));
      return;
    }
  ek_api_client_get_login_options_async (api, self->exam_id, self->cancellable,
                                         on_login_options_cb, g_object_ref (self));
  update_controls (self);
}

static void
ek_face_login_page_dispose (GObject *object)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  /* The capture and its view stop as they go and say so: not to a page half gone. */
  if (self->capture != NULL)
    g_signal_handlers_disconnect_by_data (self->capture, self);
  if (self->capture_view != NULL)
    g_signal_handlers_disconnect_by_data (self->capture_view, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_FACE_LOGIN_PAGE);
  g_clear_object (&self->capture);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_face_login_page_parent_class)->dispose (object);
}

static void
ek_face_login_page_finalize (GObject *object)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (object);

  wipe_id_number (self);
  g_free (self->exam_id);

  G_OBJECT_CLASS (ek_face_login_page_parent_class)->finalize (object);
}

static void
ek_face_login_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (object);

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
ek_face_login_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkFaceLoginPage *self = EK_FACE_LOGIN_PAGE (object);

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
ek_face_login_page_class_init (EkFaceLoginPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_face_login_page_constructed;
  object_class->dispose = ek_face_login_page_dispose;
  object_class->finalize = ek_face_login_page_finalize;
  object_class->get_property = ek_face_login_page_get_property;
  object_class->set_property = ek_face_login_page_set_property;

  widget_class->grab_focus = ek_face_login_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkFaceLoginPage|face-login.start:
   *
   * Checks the ID number and starts (or restarts) the guided capture.
   */
  gtk_widget_class_install_action (widget_class, "face-login.start", NULL, start_action);

  g_type_ensure (EK_TYPE_FACE_CAPTURE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-face-login-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, id_card);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, id_entry);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, id_hint_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, capture_view);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, EkFaceLoginPage, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, on_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_id_activate_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "faceloginpage");
}

static void
ek_face_login_page_init (EkFaceLoginPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_face_login_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_FACE_LOGIN_PAGE, "engine", engine, NULL);
}

/* The test hooks fix the challenge's direction through this. */
EkFaceCapture *
ek_face_login_page_get_capture (EkFaceLoginPage *self)
{
  g_return_val_if_fail (EK_IS_FACE_LOGIN_PAGE (self), NULL);

  return self->capture;
}
