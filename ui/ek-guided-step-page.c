/* ek-guided-step-page.c: a step the candidate performs in front of the camera: room scan, blank paper
 *
 * The page is made for the session's current step when it is shown. Numbered
 * instructions, the live camera and a Done button. What the camera and the
 * microphone see while the page is up is recorded as the session's "room_scan"
 * stream and uploaded with the exam's recording; Done stops the recording and then
 * reports the step to the server.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-guided-step-page.h"
#include "ek-ui-util.h"

struct _EkGuidedStepPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  EkStep        step;
  EkCameraPaintable *paintable; /* owned; the scan's preview, or NULL */
  EkRecorder   *recorder;     /* owned; the scan's recorder while it runs, or NULL */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *title_label;
  GtkLabel     *intro_label;
  GtkLabel     *instructions_label;
  GtkLabel     *recording_label;
  EkCameraView *camera_view;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *done_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkGuidedStepPage, ek_guided_step_page, GTK_TYPE_WIDGET)

static void
set_busy (EkGuidedStepPage *self,
          gboolean          busy)
{
  ek_show_spinner (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "step.done", !busy);
}

static void
on_completed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkGuidedStepPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->error_label, error->message);
    }

  set_busy (self, FALSE);
}

static void
on_level_db_cb (EkRecorder       *recorder,
                GParamSpec       *pspec,
                EkGuidedStepPage *self)
{
  ek_camera_view_set_level_db (self->camera_view, ek_recorder_get_level_db (recorder));
}

static void
forget_recorder (EkGuidedStepPage *self)
{
  if (self->recorder != NULL)
    g_signal_handlers_disconnect_by_data (self->recorder, self);
  g_clear_object (&self->recorder);
  ek_camera_view_set_paintable (self->camera_view, NULL);
  ek_camera_view_set_level (self->camera_view, -1);
  g_clear_object (&self->paintable);
}

static void
on_scan_stopped_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EkGuidedStepPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_stop_room_scan_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* What was recorded stays on this computer and in the outbox; the step goes on. */
      g_message ("The room scan recording did not stop cleanly: %s", error->message);
    }

  ek_engine_complete_step_async (self->engine, self->step, self->cancellable,
                                 on_completed_cb, g_object_ref (self));
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (widget);

  ek_show_message (self->error_label, NULL);
  set_busy (self, TRUE);
  forget_recorder (self);
  ek_engine_stop_room_scan_async (self->engine, self->cancellable, on_scan_stopped_cb,
                                  g_object_ref (self));
}

/* Starts recording the scan and shows it; says so honestly when it cannot. */
static void
start_scan (EkGuidedStepPage *self)
{
  g_autoptr(GError) error = NULL;
  EkExamRecording *recording;

  if (!ek_engine_start_room_scan (self->engine, &error))
    {
      g_autofree char *text = NULL;

      /* Translators: %s says why (no camera, the disk, a missing plugin) */
      text = g_strdup_printf (_("This step cannot be recorded: %s Press Done to go on; the "
                                "proctor is told."), error->message);
      gtk_label_set_label (self->recording_label, text);
      return;
    }

  recording = ek_engine_get_recording (self->engine);
  self->recorder = g_object_ref (ek_exam_recording_get_room_scan_recorder (recording));
  self->paintable = ek_camera_paintable_new (self->recorder);
  ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->paintable));
  g_signal_connect_object (self->recorder, "notify::level-db", G_CALLBACK (on_level_db_cb), self, 0);
  on_level_db_cb (self->recorder, NULL, self);
  gtk_label_set_label (self->recording_label,
                       ek_engine_is_practice (self->engine)
                       ? _("● Recording. In practice the recording stays on this computer.")
                       : _("● Recording. The recording goes to the exam server with the rest of your exam."));
}

static gboolean
ek_guided_step_page_grab_focus (GtkWidget *widget)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->done_button));
}

static void
ek_guided_step_page_constructed (GObject *object)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (object);

  G_OBJECT_CLASS (ek_guided_step_page_parent_class)->constructed (object);

  self->step = ek_session_get_current_step (ek_engine_get_session (self->engine));

  if (self->step == EK_STEP_ROOM_SCAN)
    {
      gtk_label_set_label (self->title_label, _("Show your room"));
      gtk_label_set_label (self->intro_label,
                           _("The proctor needs to see that you are alone and that there are no notes or "
                             "devices around you."));
      gtk_label_set_label (self->instructions_label,
                           _("1.  Pick up the laptop or the camera, holding it steady.\n"
                             "2.  Turn slowly once all the way round, about 20 seconds for the full circle.\n"
                             "3.  Show your desk, the floor under it and the wall behind your screen.\n"
                             "4.  Put the camera back so that your face is in the middle of the picture, "
                             "then press Done."));
    }
  else
    {
      gtk_label_set_label (self->title_label, _("Show your blank paper"));
      gtk_label_set_label (self->intro_label,
                           _("You may use blank scrap paper. The proctor needs to see that it is empty."));
      gtk_label_set_label (self->instructions_label,
                           _("1.  Hold the sheet close to the camera, front side first.\n"
                             "2.  Count to three, then turn it over and show the back.\n"
                             "3.  Put it on your desk where the camera can see it, then press Done."));
    }

  start_scan (self);
}

static void
ek_guided_step_page_dispose (GObject *object)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->recorder != NULL)
    g_signal_handlers_disconnect_by_data (self->recorder, self);
  g_clear_object (&self->recorder);
  g_clear_object (&self->paintable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_GUIDED_STEP_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_guided_step_page_parent_class)->dispose (object);
}

static void
ek_guided_step_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (object);

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
ek_guided_step_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkGuidedStepPage *self = EK_GUIDED_STEP_PAGE (object);

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
ek_guided_step_page_class_init (EkGuidedStepPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_guided_step_page_constructed;
  object_class->dispose = ek_guided_step_page_dispose;
  object_class->get_property = ek_guided_step_page_get_property;
  object_class->set_property = ek_guided_step_page_set_property;

  widget_class->grab_focus = ek_guided_step_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-guided-step-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, intro_label);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, instructions_label);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, recording_label);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkGuidedStepPage, done_button);

  /**
   * EkGuidedStepPage|step.done:
   *
   * Reports the step as done.
   */
  gtk_widget_class_install_action (widget_class, "step.done", NULL, done_action);

  g_type_ensure (EK_TYPE_CAMERA_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "guidedsteppage");
}

static void
ek_guided_step_page_init (EkGuidedStepPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_guided_step_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_GUIDED_STEP_PAGE, "engine", engine, NULL);
}
