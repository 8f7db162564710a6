/* ek-self-check-page.c: the device check on screen
 *
 * Shows each check as it finishes, with the live camera picture and the microphone
 * level while those are measured (the person is asked to say a sentence), then a
 * summary with the failed checks first, and saves the report as JSON or HTML. The
 * speaker test is optional: a tone, and the person says whether they heard it.
 */

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-self-check-page.h"
#include "ek-ui-util.h"

#define TONE_MS 1500

struct _EkSelfCheckPage
{
  GtkWidget          parent_instance;

  EkSelfCheck       *check;         /* owned */
  GCancellable      *cancellable;   /* owned; the run's, cancelled on unmap and dispose */
  GCancellable      *tone_cancellable;  /* owned */
  EkCameraPaintable *paintable;     /* owned */
  GtkFileChooserNative *chooser;    /* owned while saving */
  char              *save_format;   /* "json" or "html" while saving */
  EkApiClient       *api;           /* owned, nullable: the logged-in session's */
  GCancellable      *send_cancellable;  /* owned while sending */

  /* Template children, borrowed. */
  GtkWidget         *content;
  GtkWidget         *media_slot;
  EkCameraView      *camera_view;
  GtkLabel          *speak_label;
  GtkWidget         *heard_box;
  GtkLabel          *summary_label;
  GtkProgressBar    *progress_bar;
  GtkLabel          *message_label;
  GtkListBox        *results_list;
  GtkButton         *again_button;
  GtkWidget         *send_button;
  GtkWidget         *back_button;
};

enum {
  PROP_0,
  PROP_CHECK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkSelfCheckPage, ek_self_check_page, GTK_TYPE_WIDGET)

static void start_run (EkSelfCheckPage *self);

/* Helpers */

static const char *
status_class (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      return "ek-check-pass";
    case EK_CHECK_WARN:
      return "ek-check-warn";
    case EK_CHECK_SKIP:
      return "ek-check-skip";
    case EK_CHECK_FAIL:
    default:
      return "ek-check-fail";
    }
}

static GtkWidget *
make_row (const EkCheckResult *result)
{
  /* A grid, not a horizontal box: a box gives its children widths asked for its height,
   * and a column of wrapping labels answers that as if each had only the height of one
   * line (the build's row, its hash a 64-digit word, stuck out of the list in Chinese);
   * a grid decides the widths first, then the heights for them. */
  GtkWidget *row = gtk_grid_new ();
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *badge = gtk_label_new (ek_check_status_describe (result->status));
  GtkWidget *title = gtk_label_new (result->title);
  g_autofree char *detail = NULL;
  GtkWidget *detail_label;

  gtk_widget_add_css_class (row, "ek-check-row");
  gtk_widget_add_css_class (row, status_class (result->status));
  gtk_widget_add_css_class (badge, "ek-check-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_START);
  gtk_label_set_width_chars (GTK_LABEL (badge), 7);
  gtk_grid_set_column_spacing (GTK_GRID (row), 14);
  gtk_grid_attach (GTK_GRID (row), badge, 0, 0, 1, 1);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "ek-check-title");
  gtk_box_append (GTK_BOX (text), title);

  if (result->threshold != NULL)
    /* Translators: a measured value and what is needed, e.g. "7.6 GiB · needed: at least 4 GiB" */
    detail = g_strdup_printf (_("%s · needed: %s"), result->value, result->threshold);
  else
    detail = g_strdup (result->value);
  detail_label = gtk_label_new (detail);
  gtk_label_set_xalign (GTK_LABEL (detail_label), 0);
  gtk_label_set_wrap (GTK_LABEL (detail_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (detail_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (detail_label, "ek-caption");
  gtk_box_append (GTK_BOX (text), detail_label);

  if (result->remedy != NULL)
    {
      GtkWidget *remedy = gtk_label_new (result->remedy);

      gtk_label_set_xalign (GTK_LABEL (remedy), 0);
      gtk_label_set_wrap (GTK_LABEL (remedy), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (remedy), PANGO_WRAP_WORD_CHAR);
      gtk_widget_add_css_class (remedy, "ek-check-remedy");
      gtk_box_append (GTK_BOX (text), remedy);
    }

  gtk_grid_attach (GTK_GRID (row), text, 1, 0, 1, 1);

  /* Read as one sentence by a screen reader. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, result->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detail,
                                  -1);

  return row;
}

/* The media column beside the results is always as wide as its minimum (the camera's
 * 400 pixels). Left to GtkBox, its natural width differs with the question asked: the
 * camera picture's own 640 pixels when the page measures its height for a width, the
 * picture scaled to the row's height when the page is allocated. The results column then
 * got less width than its rows were measured for (in Chinese, after a run in English, the
 * build's row: its 64-digit hash measured on one line, allocated on two), and the row's
 * text stuck out of it. One width for both keeps every row inside the list. */
static void
media_slot_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child == NULL || !gtk_widget_should_layout (child))
    return;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      gtk_widget_measure (child, orientation, -1, minimum, NULL, NULL, NULL);
      *natural = *minimum;
    }
  else
    {
      int width = 0;

      gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &width, NULL, NULL, NULL);
      gtk_widget_measure (child, orientation, width, minimum, natural, NULL, NULL);
    }
}

static void
media_slot_allocate (GtkWidget *widget,
                     int        width,
                     int        height,
                     int        baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
clear_list (EkSelfCheckPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_list))) != NULL)
    gtk_list_box_remove (self->results_list, child);
}

static void
show_sorted (EkSelfCheckPage *self)
{
  g_autoptr(GPtrArray) sorted = ek_self_check_dup_sorted_results (self->check);

  clear_list (self);
  for (guint i = 0; i < sorted->len; i++)
    gtk_list_box_append (self->results_list, make_row (g_ptr_array_index (sorted, i)));
}

static void
update_summary (EkSelfCheckPage *self)
{
  guint fails = ek_self_check_count (self->check, EK_CHECK_FAIL);
  guint warnings = ek_self_check_count (self->check, EK_CHECK_WARN);
  g_autofree char *text = NULL;

  if (ek_self_check_get_running (self->check))
    text = g_strdup (ek_self_check_get_current_step (self->check) != NULL
                       ? ek_self_check_get_current_step (self->check) : _("Checking…"));
  else if (fails > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u check failed: this computer is not ready for the exam.",
                                         "%u checks failed: this computer is not ready for the exam.",
                                         fails), fails);
  else if (warnings > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "No check failed, %u needs attention.",
                                         "No check failed, %u need attention.",
                                         warnings), warnings);
  else if (ek_self_check_get_results (self->check)->len > 0)
    text = g_strdup (_("Every check passed: this computer is ready for the exam."));
  else
    text = g_strdup ("");

  gtk_label_set_label (self->summary_label, text);
}

static void
update_actions (EkSelfCheckPage *self)
{
  gboolean running = ek_self_check_get_running (self->check);
  gboolean have_results = ek_self_check_get_results (self->check)->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "selfcheck.run", !running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "selfcheck.save",
                                 !running && have_results && self->chooser == NULL);
  /* Only a logged-in session can send: the server files the report under it. */
  gtk_widget_set_visible (self->send_button,
                          self->api != NULL && ek_api_client_has_session_token (self->api));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "selfcheck.send",
                                 !running && have_results && self->send_cancellable == NULL &&
                                 self->api != NULL && ek_api_client_has_session_token (self->api));
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
}

/* Callbacks */

static void
on_result_added_cb (EkSelfCheck         *check,
                    const EkCheckResult *result,
                    EkSelfCheckPage     *self)
{
  gtk_list_box_append (self->results_list, make_row (result));
}

static void
on_progress_cb (EkSelfCheck     *check,
                GParamSpec      *pspec,
                EkSelfCheckPage *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar, ek_self_check_get_fraction (check));
  update_summary (self);
}

static void
on_frame_cb (EkMediaProbe    *probe,
             EkVideoFrame    *frame,
             EkSelfCheckPage *self)
{
  ek_camera_paintable_push_frame (self->paintable, frame);
}

static void
on_level_cb (EkMediaProbe    *probe,
             GParamSpec      *pspec,
             EkSelfCheckPage *self)
{
  ek_camera_view_set_level_db (self->camera_view, ek_media_probe_get_level_db (probe));
}

static void
on_media_running_cb (EkMediaProbe    *probe,
                     GParamSpec      *pspec,
                     EkSelfCheckPage *self)
{
  EkMediaProbe *camera = ek_self_check_get_camera_probe (self->check);
  EkMediaProbe *microphone = ek_self_check_get_microphone_probe (self->check);

  gtk_widget_set_visible (GTK_WIDGET (self->speak_label),
                          ek_media_probe_get_running (microphone));
  if (probe == camera && ek_media_probe_get_running (camera))
    ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->paintable));
  else if (probe == camera)
    {
      /* The last picture stays; a camera that gave none says so. */
      if (ek_camera_paintable_get_texture (self->paintable) == NULL)
        ek_camera_view_set_paintable (self->camera_view, NULL);
    }
}

static void
on_run_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkSelfCheckPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_self_check_run_finish (EK_SELF_CHECK (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ek_show_message (self->message_label, error->message);
    }

  show_sorted (self);
  update_summary (self);
  update_actions (self);
}

static void
start_run (EkSelfCheckPage *self)
{
  if (ek_self_check_get_running (self->check))
    return;

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  clear_list (self);
  ek_show_message (self->message_label, NULL);
  gtk_widget_set_visible (self->heard_box, FALSE);
  ek_camera_view_set_level (self->camera_view, 0);

  ek_self_check_run_async (self->check, self->cancellable, on_run_done_cb,
                           g_object_ref (self));
  update_summary (self);
  update_actions (self);
}

static void
on_saved_response_cb (GtkNativeDialog *dialog,
                      int              response,
                      gpointer         user_data)
{
  EkSelfCheckPage *self = user_data;
  g_autoptr(GtkFileChooserNative) chooser = g_steal_pointer (&self->chooser);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  update_actions (self);
  if (response != GTK_RESPONSE_ACCEPT)
    return;

  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  path = file != NULL ? g_file_get_path (file) : NULL;
  if (path == NULL)
    {
      ek_show_message (self->message_label, _("The report can only be saved in a local folder."));
      return;
    }

  ek_self_check_page_save (self, self->save_format, path, NULL);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M");
  g_autofree char *name = NULL;

  if (self->chooser != NULL)
    return;

  g_free (self->save_format);
  self->save_format = g_strdup (g_str_equal (format, "html") ? "html" : "json");
  name = g_strdup_printf ("device-check-%s.%s", stamp, self->save_format);

  self->chooser = gtk_file_chooser_native_new (_("Save the device check report"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_saved_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  update_actions (self);
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkSelfCheckPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_api_client_post_self_check_finish (EK_API_CLIENT (source), result, NULL, NULL, &error))
    {
      /* Cancelled: the page is going away. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      {
        /* Translators: %s says why, e.g. the server cannot be reached */
        g_autofree char *message = g_strdup_printf (_("The report could not be sent: %s"),
                                                    error->message);

        ek_show_message (self->message_label, message);
      }
    }
  else
    ek_show_message (self->message_label, _("The report was sent to the exam server."));

  g_clear_object (&self->send_cancellable);
  update_actions (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);
  g_autoptr(JsonNode) report = NULL;

  if (self->api == NULL || self->send_cancellable != NULL)
    return;

  report = ek_self_check_to_json (self->check);
  self->send_cancellable = g_cancellable_new ();
  ek_api_client_post_self_check_async (self->api, report, self->send_cancellable, on_sent_cb,
                                       g_object_ref (self));
  ek_show_message (self->message_label, _("Sending the report…"));
  update_actions (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  start_run (EK_SELF_CHECK_PAGE (widget));
}

static void
on_tone_played_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkSelfCheckPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "selfcheck.play-tone", TRUE);
  if (!ek_media_play_test_tone_finish (result, &error))
    {
      EkCheckResult speaker = {
        .id = (char *) "speaker.tone",
        .title = (char *) _("Speaker"),
        .status = EK_CHECK_FAIL,
        .value = error->message,
        .threshold = (char *) _("the test tone can be heard"),
        .remedy = (char *) _("No sound could be played. Check that a speaker is connected "
                             "and not muted."),
        .measured = NAN,
      };

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_self_check_add_result (self->check, &speaker);
      return;
    }

  gtk_widget_set_visible (self->heard_box, TRUE);
}

static void
play_tone_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);

  gtk_widget_action_set_enabled (widget, "selfcheck.play-tone", FALSE);
  gtk_widget_set_visible (self->heard_box, FALSE);
  ek_media_play_test_tone_async (TONE_MS, self->tone_cancellable, on_tone_played_cb,
                                 g_object_ref (self));
}

static void
heard_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);
  gboolean heard = g_variant_get_boolean (parameter);
  EkCheckResult speaker = {
    .id = (char *) "speaker.tone",
    .title = (char *) _("Speaker"),
    .status = heard ? EK_CHECK_PASS : EK_CHECK_FAIL,
    .value = (char *) (heard ? _("the test tone was heard") : _("the test tone was not heard")),
    .threshold = (char *) _("the test tone can be heard"),
    .remedy = heard ? NULL : (char *) _("Turn the volume up, unmute the speaker, and choose the "
                                        "right output in the sound settings."),
    .measured = NAN,
  };

  gtk_widget_set_visible (self->heard_box, FALSE);
  ek_self_check_add_result (self->check, &speaker);
  if (!ek_self_check_get_running (self->check))
    {
      show_sorted (self);
      update_summary (self);
    }
}

/* Vfuncs */

static void
ek_self_check_page_unmap (GtkWidget *widget)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);

  /* Leaving the page ends the run: the camera is not kept open behind the person's back. */
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->tone_cancellable);
  g_clear_object (&self->tone_cancellable);
  self->tone_cancellable = g_cancellable_new ();

  GTK_WIDGET_CLASS (ek_self_check_page_parent_class)->unmap (widget);
}

static gboolean
ek_self_check_page_grab_focus (GtkWidget *widget)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->again_button));
}

static void
ek_self_check_page_constructed (GObject *object)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (object);
  EkMediaProbe *camera;
  EkMediaProbe *microphone;

  G_OBJECT_CLASS (ek_self_check_page_parent_class)->constructed (object);

  if (self->check == NULL)
    self->check = ek_self_check_new (NULL);

  /* A person watches: long enough to say a sentence. */
  ek_self_check_set_interactive (self->check, TRUE);
  ek_self_check_set_display_available (self->check, TRUE);

  camera = ek_self_check_get_camera_probe (self->check);
  microphone = ek_self_check_get_microphone_probe (self->check);
  g_signal_connect_object (self->check, "result-added", G_CALLBACK (on_result_added_cb),
                           self, 0);
  g_signal_connect_object (self->check, "notify::fraction", G_CALLBACK (on_progress_cb),
                           self, 0);
  g_signal_connect_object (self->check, "notify::current-step", G_CALLBACK (on_progress_cb),
                           self, 0);
  g_signal_connect_object (camera, "frame", G_CALLBACK (on_frame_cb), self, 0);
  g_signal_connect_object (camera, "notify::running", G_CALLBACK (on_media_running_cb),
                           self, 0);
  g_signal_connect_object (microphone, "notify::running", G_CALLBACK (on_media_running_cb),
                           self, 0);
  g_signal_connect_object (microphone, "notify::level-db", G_CALLBACK (on_level_cb), self, 0);

  update_summary (self);
  update_actions (self);
}

static void
ek_self_check_page_dispose (GObject *object)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->tone_cancellable);
  g_cancellable_cancel (self->send_cancellable);
  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_SELF_CHECK_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->tone_cancellable);
  g_clear_object (&self->send_cancellable);
  g_clear_object (&self->paintable);
  g_clear_object (&self->check);
  g_clear_object (&self->api);
  g_clear_pointer (&self->save_format, g_free);

  G_OBJECT_CLASS (ek_self_check_page_parent_class)->dispose (object);
}

static void
ek_self_check_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHECK:
      g_value_set_object (value, self->check);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkSelfCheckPage *self = EK_SELF_CHECK_PAGE (object);

  switch (prop_id)
    {
    case PROP_CHECK:
      self->check = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_page_class_init (EkSelfCheckPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_self_check_page_constructed;
  object_class->dispose = ek_self_check_page_dispose;
  object_class->get_property = ek_self_check_page_get_property;
  object_class->set_property = ek_self_check_page_set_property;

  widget_class->unmap = ek_self_check_page_unmap;
  widget_class->grab_focus = ek_self_check_page_grab_focus;

  /**
   * EkSelfCheckPage:check:
   *
   * The device check the page runs and shows.
   */
  properties[PROP_CHECK] =
    g_param_spec_object ("check", NULL, NULL,
                         EK_TYPE_SELF_CHECK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-self-check-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, media_slot);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, speak_label);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, heard_box);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, results_list);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, again_button);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, EkSelfCheckPage, back_button);

  /**
   * EkSelfCheckPage|selfcheck.run:
   *
   * Runs the device check (again).
   */
  gtk_widget_class_install_action (widget_class, "selfcheck.run", NULL, run_action);

  /**
   * EkSelfCheckPage|selfcheck.save:
   * @format: "json" or "html"
   *
   * Saves the report where the person chooses.
   */
  gtk_widget_class_install_action (widget_class, "selfcheck.save", "s", save_action);

  /**
   * EkSelfCheckPage|selfcheck.send:
   *
   * Sends the report to the exam server, under the logged-in session.
   */
  gtk_widget_class_install_action (widget_class, "selfcheck.send", NULL, send_action);

  /**
   * EkSelfCheckPage|selfcheck.play-tone:
   *
   * Plays a test tone on the speaker.
   */
  gtk_widget_class_install_action (widget_class, "selfcheck.play-tone", NULL, play_tone_action);

  /**
   * EkSelfCheckPage|selfcheck.heard:
   * @heard: whether the person heard the tone
   */
  gtk_widget_class_install_action (widget_class, "selfcheck.heard", "b", heard_action);

  g_type_ensure (EK_TYPE_CAMERA_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "selfcheckpage");
}

static void
ek_self_check_page_init (EkSelfCheckPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->tone_cancellable = g_cancellable_new ();
  self->paintable = ek_camera_paintable_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_layout_manager (self->media_slot,
                                 gtk_custom_layout_new (NULL, media_slot_measure,
                                                        media_slot_allocate));
}

/* Public API */

/**
 * ek_self_check_page_new:
 * @check: (nullable): the device check to run; %NULL: one with the defaults
 */
GtkWidget *
ek_self_check_page_new (EkSelfCheck *check)
{
  g_return_val_if_fail (check == NULL || EK_IS_SELF_CHECK (check), NULL);

  return g_object_new (EK_TYPE_SELF_CHECK_PAGE, "check", check, NULL);
}

EkSelfCheck *
ek_self_check_page_get_check (EkSelfCheckPage *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK_PAGE (self), NULL);

  return self->check;
}

/**
 * ek_self_check_page_start:
 *
 * Starts a run unless one is going on.
 */
void
ek_self_check_page_start (EkSelfCheckPage *self)
{
  g_return_if_fail (EK_IS_SELF_CHECK_PAGE (self));

  start_run (self);
}

/**
 * ek_self_check_page_set_api:
 * @api: (nullable): the API client of the session in progress, or %NULL
 *
 * Offers to send the report to the exam server while @api holds a logged-in session.
 */
void
ek_self_check_page_set_api (EkSelfCheckPage *self,
                            EkApiClient     *api)
{
  g_return_if_fail (EK_IS_SELF_CHECK_PAGE (self));
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  if (g_set_object (&self->api, api))
    update_actions (self);
}

/**
 * ek_self_check_page_set_return_action:
 * @action: the detailed action of Back: "win.show-start" (the default, from the start
 *   screen) or "win.route" (back to the page of the exam flow that opened the check)
 */
void
ek_self_check_page_set_return_action (EkSelfCheckPage *self,
                                      const char      *action)
{
  g_return_if_fail (EK_IS_SELF_CHECK_PAGE (self));
  g_return_if_fail (action != NULL);

  gtk_actionable_set_detailed_action_name (GTK_ACTIONABLE (self->back_button), action);
}

/**
 * ek_self_check_page_save:
 * @format: "json" or "html"
 * @path: the file to write, private to the user (0600)
 *
 * Saves the report and says so, or why not, on the page: what the file chooser's
 * answer leads to.
 *
 * Returns: whether the file was written
 */
gboolean
ek_self_check_page_save (EkSelfCheckPage  *self,
                         const char       *format,
                         const char       *path,
                         GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean saved;

  g_return_val_if_fail (EK_IS_SELF_CHECK_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_strcmp0 (format, "html") == 0)
    saved = ek_self_check_save_html (self->check, path, &local_error);
  else
    saved = ek_self_check_save_json (self->check, path, &local_error);

  if (saved)
    {
      /* Translators: %s is a file name */
      g_autofree char *message = g_strdup_printf (_("The report was saved as %s."), path);

      ek_show_message (self->message_label, message);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("The report could not be saved: %s"),
                                                  local_error->message);

      ek_show_message (self->message_label, message);
      g_propagate_error (error, g_steal_pointer (&local_error));
    }

  return saved;
}
