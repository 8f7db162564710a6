/* ek-face-capture-view.c: the live guided capture, shared by the identity check
 * and face login pages
 *
 * The camera runs on its own here (EkCameraFeed, nothing recorded); its frames go
 * to the picture and to the page's EkFaceCapture, whose guidance ("move closer",
 * "more light", "only you in the picture", "hold still", then the head turn) shows
 * under the picture with the attempts left. After the last refusal the camera
 * stops and a card gives the exam's help contact. What happens on a match is the
 * page's business; this view says through :can-retry when another go is possible.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-feed.h"
#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-face-capture-view.h"

struct _EkFaceCaptureView
{
  GtkWidget          parent_instance;

  EkFaceCapture     *capture;       /* owned, nullable until setup */
  EkCameraFeed      *feed;          /* owned, nullable until setup */
  EkCameraPaintable *paintable;     /* owned */
  gboolean           camera_failed;
  gboolean           can_retry;

  /* Template children, borrowed. */
  GtkWidget         *content;
  EkCameraView      *camera_view;
  GtkLabel          *guidance_label;
  GtkLabel          *attempts_label;
  GtkWidget         *help_card;
  GtkLabel          *locked_out_label;
  GtkLabel          *help_label;
};

enum {
  PROP_0,
  PROP_CAN_RETRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkFaceCaptureView, ek_face_capture_view, GTK_TYPE_WIDGET)

static void
set_can_retry (EkFaceCaptureView *self,
               gboolean           can_retry)
{
  if (self->can_retry == can_retry)
    return;

  self->can_retry = can_retry;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RETRY]);
}

static void
update_state (EkFaceCaptureView *self)
{
  EkFaceCaptureState state = ek_face_capture_get_state (self->capture);
  guint failures = ek_face_capture_get_failures (self->capture);

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

  if (state == EK_FACE_CAPTURE_LOCKED_OUT)
    ek_camera_feed_stop (self->feed);

  set_can_retry (self, self->camera_failed ||
                       state == EK_FACE_CAPTURE_NOT_MATCHED || state == EK_FACE_CAPTURE_FAILED);
}

static void
on_capture_state_cb (EkFaceCapture     *capture,
                     GParamSpec        *pspec,
                     EkFaceCaptureView *self)
{
  update_state (self);
}

static void
on_capture_guidance_cb (EkFaceCapture     *capture,
                        GParamSpec        *pspec,
                        EkFaceCaptureView *self)
{
  ek_face_capture_view_show_message (self, ek_face_capture_get_guidance (capture));
}

static void
on_frame_cb (EkCameraFeed      *feed,
             EkVideoFrame      *frame,
             EkFaceCaptureView *self)
{
  ek_camera_paintable_push_frame (self->paintable, frame);
  ek_face_capture_push_frame (self->capture, frame);
}

static void
on_feed_failed_cb (EkCameraFeed      *feed,
                   const GError      *error,
                   EkFaceCaptureView *self)
{
  ek_face_capture_stop (self->capture);
  ek_face_capture_view_show_message (self, error->message);
  self->camera_failed = TRUE;
  update_state (self);
}

static gboolean
start_camera (EkFaceCaptureView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ek_camera_feed_start (self->feed, &error))
    {
      ek_face_capture_view_show_message (self, error->message);
      self->camera_failed = TRUE;
      update_state (self);
      return FALSE;
    }
  self->camera_failed = FALSE;
  ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->paintable));
  return TRUE;
}

static void
ek_face_capture_view_dispose (GObject *object)
{
  EkFaceCaptureView *self = EK_FACE_CAPTURE_VIEW (object);

  if (self->feed != NULL)
    ek_camera_feed_stop (self->feed);
  if (self->capture != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->capture, self);
      ek_face_capture_stop (self->capture);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_FACE_CAPTURE_VIEW);
  g_clear_object (&self->feed);
  g_clear_object (&self->capture);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (ek_face_capture_view_parent_class)->dispose (object);
}

static void
ek_face_capture_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EkFaceCaptureView *self = EK_FACE_CAPTURE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CAN_RETRY:
      g_value_set_boolean (value, self->can_retry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_face_capture_view_class_init (EkFaceCaptureViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_face_capture_view_dispose;
  object_class->get_property = ek_face_capture_view_get_property;

  /**
   * EkFaceCaptureView:can-retry:
   *
   * Whether another go is possible: after a refusal (not the last), a failed
   * send or a camera that failed.
   */
  properties[PROP_CAN_RETRY] =
    g_param_spec_boolean ("can-retry", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EK_TYPE_CAMERA_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-face-capture-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, content);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, guidance_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, help_card);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, locked_out_label);
  gtk_widget_class_bind_template_child (widget_class, EkFaceCaptureView, help_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "facecaptureview");
}

static void
ek_face_capture_view_init (EkFaceCaptureView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->paintable = ek_camera_paintable_new (NULL);
}

GtkWidget *
ek_face_capture_view_new (void)
{
  return g_object_new (EK_TYPE_FACE_CAPTURE_VIEW, NULL);
}

/**
 * ek_face_capture_view_setup:
 * @capture: the page's capture (check, login or practice)
 * @source: where the camera comes from (the configuration's media source)
 * @locked_out_text: what the card says after the last refusal
 *
 * Call once, before ek_face_capture_view_start().
 */
void
ek_face_capture_view_setup (EkFaceCaptureView *self,
                            EkFaceCapture     *capture,
                            EkMediaSource      source,
                            const char        *locked_out_text)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE_VIEW (self));
  g_return_if_fail (EK_IS_FACE_CAPTURE (capture));
  g_return_if_fail (self->capture == NULL);

  self->capture = g_object_ref (capture);
  g_signal_connect (capture, "notify::state", G_CALLBACK (on_capture_state_cb), self);
  g_signal_connect (capture, "notify::guidance", G_CALLBACK (on_capture_guidance_cb), self);

  self->feed = ek_camera_feed_new (source, NULL);
  g_signal_connect_object (self->feed, "frame", G_CALLBACK (on_frame_cb), self, 0);
  g_signal_connect_object (self->feed, "failed", G_CALLBACK (on_feed_failed_cb), self, 0);

  gtk_label_set_label (self->locked_out_label, locked_out_text);
  ek_face_capture_view_set_help_contact (self, NULL);
}

/**
 * ek_face_capture_view_set_help_contact:
 * @help_contact: (nullable): the exam's help line; %NULL or "" when unknown
 */
void
ek_face_capture_view_set_help_contact (EkFaceCaptureView *self,
                                       const char        *help_contact)
{
  g_autofree char *help = NULL;

  g_return_if_fail (EK_IS_FACE_CAPTURE_VIEW (self));

  if (help_contact != NULL && *help_contact != '\0')
    /* Translators: %s is a phone number */
    help = g_strdup_printf (_("Please call the help line of your examining body: %s."), help_contact);
  else
    help = g_strdup (_("Please call the help line on your exam notice."));
  gtk_label_set_label (self->help_label, help);
}

/**
 * ek_face_capture_view_start:
 *
 * Starts the capture and the camera. Returns: %FALSE when face detection is
 * missing on this computer: the message and the help card then show, with no way
 * past them.
 */
gboolean
ek_face_capture_view_start (EkFaceCaptureView *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (EK_IS_FACE_CAPTURE_VIEW (self), FALSE);
  g_return_val_if_fail (self->capture != NULL, FALSE);

  if (!ek_face_capture_start (self->capture, &error))
    {
      ek_face_capture_view_show_message (self, error->message);
      gtk_widget_set_visible (self->help_card, TRUE);
      return FALSE;
    }
  start_camera (self);
  return TRUE;
}

/**
 * ek_face_capture_view_retry:
 *
 * Another go: the camera again if it stopped, then the capture from the guidance.
 */
void
ek_face_capture_view_retry (EkFaceCaptureView *self)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE_VIEW (self));
  g_return_if_fail (self->capture != NULL);

  if (!ek_camera_feed_is_running (self->feed) && !start_camera (self))
    return;

  if (ek_face_capture_get_state (self->capture) == EK_FACE_CAPTURE_IDLE)
    ek_face_capture_start (self->capture, NULL);
  else
    ek_face_capture_retry (self->capture);
  update_state (self);
}

void
ek_face_capture_view_stop (EkFaceCaptureView *self)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE_VIEW (self));

  if (self->feed != NULL)
    ek_camera_feed_stop (self->feed);
  if (self->capture != NULL)
    ek_face_capture_stop (self->capture);
}

void
ek_face_capture_view_show_message (EkFaceCaptureView *self,
                                   const char        *text)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE_VIEW (self));

  gtk_label_set_label (self->guidance_label, text != NULL ? text : "");
}

gboolean
ek_face_capture_view_get_can_retry (EkFaceCaptureView *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE_VIEW (self), FALSE);

  return self->can_retry;
}

EkFaceCapture *
ek_face_capture_view_get_capture (EkFaceCaptureView *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE_VIEW (self), NULL);

  return self->capture;
}
