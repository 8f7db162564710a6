/* ek-face-check-page.c: the live identity check
 *
 * The guided capture (EkFaceCaptureView: camera, guidance, liveness, attempts,
 * help card) sends the chosen picture to the server. A match completes the step
 * through the engine; a refusal offers another try; after three refusals the
 * page shows the exam's help contact and stays: a required identity check is
 * never skipped by the kiosk, and the proctor can confirm the candidate by hand.
 * In the offline practice nothing is sent.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-face-capture-view.h"
#include "ek-face-check-page.h"
#include "ek-ui-util.h"

struct _EkFaceCheckPage
{
  GtkWidget          parent_instance;

  EkEngine          *engine;       /* owned */
  GCancellable      *cancellable;  /* owned; cancelled on dispose */
  EkFaceCapture     *capture;      /* owned */
  gboolean           completing;

  /* Template children, borrowed. */
  GtkWidget         *content;
  GtkLabel          *intro_label;
  EkFaceCaptureView *capture_view;
  GtkButton         *back_button;
  GtkButton         *retry_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkFaceCheckPage, ek_face_check_page, GTK_TYPE_WIDGET)

static void
set_retry_offered (EkFaceCheckPage *self,
                   gboolean         offered)
{
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), offered);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", offered);
  if (offered)
    gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
}

static void
on_step_completed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkFaceCheckPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->completing = FALSE;
      ek_face_capture_view_show_message (self->capture_view, error->message);
      set_retry_offered (self, TRUE);
    }
}

static void
complete_step (EkFaceCheckPage *self)
{
  self->completing = TRUE;
  set_retry_offered (self, FALSE);
  ek_engine_complete_step_async (self->engine, EK_STEP_FACE_CHECK, self->cancellable,
                                 on_step_completed_cb, g_object_ref (self));
}

static void
on_capture_state_cb (EkFaceCapture   *capture,
                     GParamSpec      *pspec,
                     EkFaceCheckPage *self)
{
  EkVideoFrame *accepted;

  if (ek_face_capture_get_state (capture) != EK_FACE_CAPTURE_MATCHED || self->completing)
    return;

  /* The live proctoring compares the exam's faces with this one. */
  accepted = ek_face_capture_get_chosen_frame (capture);
  if (accepted != NULL)
    ek_engine_keep_reference_face (self->engine, accepted);
  complete_step (self);
}

static void
on_can_retry_cb (EkFaceCaptureView *view,
                 GParamSpec        *pspec,
                 EkFaceCheckPage   *self)
{
  set_retry_offered (self, ek_face_capture_view_get_can_retry (view));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (widget);

  /* The picture matched but the step did not reach the server: only that again. */
  if (self->completing)
    {
      complete_step (self);
      return;
    }

  ek_face_capture_view_retry (self->capture_view);
}

static gboolean
ek_face_check_page_grab_focus (GtkWidget *widget)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (widget);

  if (gtk_widget_get_visible (GTK_WIDGET (self->retry_button)))
    return gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));
  return gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
ek_face_check_page_constructed (GObject *object)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (object);
  EkExam *exam = ek_session_get_exam (ek_engine_get_session (self->engine));
  EkFaceCaptureMode mode;

  G_OBJECT_CLASS (ek_face_check_page_parent_class)->constructed (object);

  mode = ek_engine_is_practice (self->engine) ? EK_FACE_CAPTURE_MODE_PRACTICE : EK_FACE_CAPTURE_MODE_CHECK;
  self->capture = ek_face_capture_new (ek_engine_get_api (self->engine), mode);
  g_signal_connect_object (self->capture, "notify::state", G_CALLBACK (on_capture_state_cb), self, 0);
  g_signal_connect_object (self->capture_view, "notify::can-retry", G_CALLBACK (on_can_retry_cb), self, 0);

  ek_face_capture_view_setup (self->capture_view, self->capture,
                              ek_config_get_media_source (ek_engine_get_config (self->engine)),
                              _("Your identity could not be confirmed after three attempts, so this exam cannot continue on its own. Nothing is lost: your session stays open, and the proctor can confirm your identity by hand."));
  ek_face_capture_view_set_help_contact (self->capture_view, exam != NULL ? ek_exam_get_help_contact (exam) : NULL);
  ek_face_capture_view_start (self->capture_view);
}

static void
ek_face_check_page_dispose (GObject *object)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  /* The capture and its view stop as they go and say so: not to a page half gone. */
  if (self->capture != NULL)
    g_signal_handlers_disconnect_by_data (self->capture, self);
  if (self->capture_view != NULL)
    g_signal_handlers_disconnect_by_data (self->capture_view, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_FACE_CHECK_PAGE);
  g_clear_object (&self->capture);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_face_check_page_parent_class)->dispose (object);
}

static void
ek_face_check_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (object);

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
ek_face_check_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (object);

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
ek_face_check_page_class_init (EkFaceCheckPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_face_check_page_constructed;
  object_class->dispose = ek_face_check_page_dispose;
  object_class->get_property = ek_face_check_page_get_property;
  object_class->set_property = ek_face_check_page_set_property;

  widget_class->grab_focus = ek_face_check_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "face.retry", NULL, retry_action);

  g_type_ensure (EK_TYPE_FACE_CAPTURE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-face-check-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, capture_view);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, back_button);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, retry_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "facecheckpage");
}

static void
ek_face_check_page_init (EkFaceCheckPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", FALSE);
}

GtkWidget *
ek_face_check_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_FACE_CHECK_PAGE, "engine", engine, NULL);
}
