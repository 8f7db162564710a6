/* ek-face-check-page.c: the live identity check
 *
 * The camera runs on its own here (EkCameraFeed, nothing recorded); its frames go
 * to the picture and to EkFaceCapture, which guides the candidate ("move closer",
 * "more light", "only you in the picture", "hold still"), runs the head-turn
 * challenge and sends the chosen picture to the server. A match completes the
 * step through the engine; a refusal offers another try; after three refusals the
 * page shows the exam's help contact and stays: a required identity check is
 * never skipped by the kiosk, and the proctor can confirm the candidate by hand.
 * In the offline practice nothing is sent.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-feed.h"
#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-face-capture.h"
#include "ek-face-check-page.h"
#include "ek-ui-util.h"

struct _EkFaceCheckPage
{
  GtkWidget          parent_instance;

  EkEngine          *engine;       /* owned */
  GCancellable      *cancellable;  /* owned; cancelled on dispose */
  EkCameraFeed      *feed;         /* owned, nullable */
  EkFaceCapture     *capture;      /* owned, nullable */
  EkCameraPaintable *paintable;    /* owned */
  gboolean           completing;

  /* Template children, borrowed. */
  GtkWidget         *content;
  GtkLabel          *caption_label;
  GtkLabel          *intro_label;
  EkCameraView      *camera_view;
  GtkLabel          *guidance_label;
  GtkLabel          *attempts_label;
  GtkWidget         *help_card;
  GtkLabel          *help_label;
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
show_guidance (EkFaceCheckPage *self,
               const char      *text)
{
  gtk_label_set_label (self->guidance_label, text != NULL ? text : "");
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
      show_guidance (self, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", TRUE);
    }
}

static void
complete_step (EkFaceCheckPage *self)
{
  self->completing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  ek_engine_complete_step_async (self->engine, EK_STEP_FACE_CHECK, self->cancellable,
                                 on_step_completed_cb, g_object_ref (self));
}

static void
update_state (EkFaceCheckPage *self)
{
  EkFaceCaptureState state = ek_face_capture_get_state (self->capture);
  guint failures = ek_face_capture_get_failures (self->capture);
  gboolean can_retry = state == EK_FACE_CAPTURE_NOT_MATCHED || state == EK_FACE_CAPTURE_FAILED;

  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), can_retry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", can_retry);
  gtk_widget_set_visible (self->help_card, state == EK_FACE_CAPTURE_LOCKED_OUT);

  if (failures > 0 && state != EK_FACE_CAPTURE_LOCKED_OUT)
    {
      g_autofree char *text = NULL;
      guint left = failures < EK_FACE_CAPTURE_MAX_FAILURES ? EK_FACE_CAPTURE_MAX_FAILURES - failures : 0;

      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u attempt left.", "%u attempts left.", left), left);
      gtk_label_set_label (self->attempts_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), FALSE);

  if (state == EK_FACE_CAPTURE_LOCKED_OUT && self->feed != NULL)
    ek_camera_feed_stop (self->feed);
  if (can_retry)
    gtk_widget_grab_focus (GTK_WIDGET (self->retry_button));

  if (state == EK_FACE_CAPTURE_MATCHED && !self->completing)
    complete_step (self);
}

static void
on_capture_state_cb (EkFaceCapture   *capture,
                     GParamSpec      *pspec,
                     EkFaceCheckPage *self)
{
  update_state (self);
}

static void
on_capture_guidance_cb (EkFaceCapture   *capture,
                        GParamSpec      *pspec,
                        EkFaceCheckPage *self)
{
  show_guidance (self, ek_face_capture_get_guidance (capture));
}

static void
on_frame_cb (EkCameraFeed    *feed,
             EkVideoFrame    *frame,
             EkFaceCheckPage *self)
{
  ek_camera_paintable_push_frame (self->paintable, frame);
  if (self->capture != NULL)
    ek_face_capture_push_frame (self->capture, frame);
}

static void
on_feed_failed_cb (EkCameraFeed    *feed,
                   const GError    *error,
                   EkFaceCheckPage *self)
{
  show_guidance (self, error->message);
  if (self->capture != NULL)
    ek_face_capture_stop (self->capture);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", TRUE);
}

static void
start_camera (EkFaceCheckPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!ek_camera_feed_start (self->feed, &error))
    {
      show_guidance (self, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", TRUE);
      return;
    }
  ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->paintable));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (widget);
  EkFaceCaptureState state;

  if (self->completing)
    {
      complete_step (self);
      return;
    }

  if (!ek_camera_feed_is_running (self->feed))
    start_camera (self);
  if (!ek_camera_feed_is_running (self->feed))
    return;

  state = ek_face_capture_get_state (self->capture);
  if (state == EK_FACE_CAPTURE_IDLE)
    ek_face_capture_start (self->capture, NULL);
  else
    ek_face_capture_retry (self->capture);
  update_state (self);
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
  const char *contact = exam != NULL ? ek_exam_get_help_contact (exam) : "";
  g_autofree char *caption = ek_step_caption (exam, EK_STEP_FACE_CHECK);
  g_autofree char *help = NULL;
  g_autoptr(GError) error = NULL;
  EkFaceCaptureMode mode;

  G_OBJECT_CLASS (ek_face_check_page_parent_class)->constructed (object);

  gtk_label_set_label (self->caption_label, caption);
  if (*contact != '\0')
    /* Translators: %s is a phone number */
    help = g_strdup_printf (_("Please call the help line of your examining body: %s."), contact);
  else
    help = g_strdup (_("Please call the help line on your exam notice."));
  gtk_label_set_label (self->help_label, help);

  mode = ek_engine_is_practice (self->engine) ? EK_FACE_CAPTURE_MODE_PRACTICE : EK_FACE_CAPTURE_MODE_CHECK;
  self->capture = ek_face_capture_new (ek_engine_get_api (self->engine), mode);
  g_signal_connect_object (self->capture, "notify::state", G_CALLBACK (on_capture_state_cb), self, 0);
  g_signal_connect_object (self->capture, "notify::guidance", G_CALLBACK (on_capture_guidance_cb), self, 0);

  self->feed = ek_camera_feed_new (ek_config_get_media_source (ek_engine_get_config (self->engine)), NULL);
  g_signal_connect_object (self->feed, "frame", G_CALLBACK (on_frame_cb), self, 0);
  g_signal_connect_object (self->feed, "failed", G_CALLBACK (on_feed_failed_cb), self, 0);

  if (!ek_face_capture_start (self->capture, &error))
    {
      /* Face detection is missing on this computer: say so, and offer no way
       * past it. */
      show_guidance (self, error->message);
      gtk_widget_set_visible (self->help_card, TRUE);
      return;
    }

  start_camera (self);
}

static void
ek_face_check_page_dispose (GObject *object)
{
  EkFaceCheckPage *self = EK_FACE_CHECK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->feed != NULL)
    ek_camera_feed_stop (self->feed);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_FACE_CHECK_PAGE);
  g_clear_object (&self->feed);
  g_clear_object (&self->capture);
  g_clear_object (&self->paintable);
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

  g_type_ensure (EK_TYPE_CAMERA_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-face-check-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, caption_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, guidance_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, help_card);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCheckPage, help_label);
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
  self->paintable = ek_camera_paintable_new (NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "face.retry", FALSE);
}

GtkWidget *
ek_face_check_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_FACE_CHECK_PAGE, "engine", engine, NULL);
}
