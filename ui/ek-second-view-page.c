/* ek-second-view-page.c: the second camera: a phone scans a QR code and the server binds it
 *
 * When shown, the page asks the server for a binding code
 * (ek_api_client_request_second_view_async()), shows it as a QR code and as text, and
 * polls until the server says a phone is bound; then the step is confirmed and the session moves on.
 * A practice run has no server: the page explains the step and lets the
 * candidate go on. Help says what to try when the phone does not connect; "I have no
 * phone" tells the proctor (a second_view_unavailable event) and the candidate what to do:
 * where the exam's policy requires the second view (`proctoring.second_view_required`, the
 * default) there is no way on but a phone, and the help line to call before entry closes;
 * where it does not, "Continue without a phone" goes on (logged as second_view_skipped).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-qr.h"
#include "ek-second-view-page.h"
#include "ek-ui-util.h"

struct _EkSecondViewPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  guint         poll_source;
  gboolean      requested;
  gboolean      bound;
  gboolean      no_phone_logged;
  const char   *main_view;    /* the view Back to the code returns to */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkStack     *stack;
  GtkImage     *qr_image;
  GtkLabel     *code_label;
  GtkLabel     *status_label;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *retry_button;
  GtkButton    *continue_button;
  GtkWidget    *code_button;
  GtkWidget    *help_button;
  GtkWidget    *no_phone_button;
  GtkWidget    *skip_button;
  GtkLabel     *help_contact_label;
  GtkLabel     *no_phone_title_label;
  GtkLabel     *no_phone_label;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkSecondViewPage, ek_second_view_page, GTK_TYPE_WIDGET)

#define POLL_INTERVAL_MS 2000
#define QR_MODULE_PX 8

static void request_code (EkSecondViewPage *self);
static void poll_status (EkSecondViewPage *self);

/* The code (or the practice's note) and the page's own views, Help and no phone. */
static void
show_view (EkSecondViewPage *self,
           const char       *view)
{
  gboolean aside = g_str_equal (view, "help") || g_str_equal (view, "no-phone");

  if (!aside)
    self->main_view = view;
  gtk_stack_set_visible_child_name (self->stack, view);
  gtk_widget_set_visible (self->code_button, aside);
  gtk_widget_set_visible (self->help_button, !aside);
  gtk_widget_set_visible (self->no_phone_button, !aside && !ek_engine_is_practice (self->engine));
  gtk_widget_set_visible (self->skip_button, g_str_equal (view, "no-phone") &&
                                             ek_engine_second_view_waivable (self->engine));
  if (aside)
    gtk_widget_grab_focus (self->code_button);
}

static void
show_problem (EkSecondViewPage *self,
              const GError     *error)
{
  ek_show_spinner (self->spinner, FALSE);
  ek_show_message (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.retry", TRUE);
}

static void
on_step_confirmed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkSecondViewPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_problem (self, error);
}

static gboolean
on_poll_cb (gpointer user_data)
{
  EkSecondViewPage *self = user_data;

  self->poll_source = 0;
  poll_status (self);
  return G_SOURCE_REMOVE;
}

static void
on_status_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkSecondViewPage) self = user_data;
  g_autofree char *device = NULL;
  g_autoptr(GError) error = NULL;
  gboolean bound = FALSE;

  if (!ek_api_client_get_second_view_finish (EK_API_CLIENT (object), result, &bound, &device, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* A dropped poll is no reason to stop: the phone may bind any moment. */
      g_debug ("Second-view status: %s", error->message);
    }
  else if (bound)
    {
      g_autofree char *text = NULL;

      if (*device != '\0')
        /* Translators: %s is the phone's model, e.g. "iPhone 13" */
        text = g_strdup_printf (_("Connected: %s. Put the phone on its stand, so that it sees "
                                  "you, your desk and this screen."), device);
      else
        text = g_strdup (_("Connected. Put the phone on its stand, so that it sees you, your "
                           "desk and this screen."));
      gtk_label_set_label (self->status_label, text);
      ek_show_spinner (self->spinner, FALSE);
      self->bound = TRUE;
      ek_engine_complete_step_async (self->engine, EK_STEP_SECOND_VIEW, self->cancellable,
                                     on_step_confirmed_cb, g_object_ref (self));
      return;
    }

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->poll_source = g_timeout_add (POLL_INTERVAL_MS, on_poll_cb, self);
}

static void
poll_status (EkSecondViewPage *self)
{
  ek_api_client_get_second_view_async (ek_engine_get_api (self->engine), self->cancellable,
                                       on_status_cb, g_object_ref (self));
}

static void
on_code_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkSecondViewPage) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *code = NULL;

  /* A missing or empty payload is a malformed answer: the client says so. */
  if (!ek_api_client_request_second_view_finish (EK_API_CLIENT (object), result, &payload, &code,
                                                 &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_problem (self, error);
      return;
    }

  texture = ek_qr_texture_new (payload, QR_MODULE_PX, &error);
  if (texture == NULL)
    {
      show_problem (self, error);
      return;
    }

  /* Shown at its own size: a phone reads sharp module edges best. */
  gtk_image_set_from_paintable (self->qr_image, GDK_PAINTABLE (texture));
  gtk_image_set_pixel_size (self->qr_image, gdk_texture_get_width (texture));
  gtk_label_set_label (self->code_label, code);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "waiting") == 0)
    show_view (self, "code");
  else
    self->main_view = "code";
  gtk_label_set_label (self->status_label, _("Waiting for your phone…"));
  ek_show_spinner (self->spinner, FALSE);

  poll_status (self);
}

static void
request_code (EkSecondViewPage *self)
{
  self->requested = TRUE;
  ek_show_message (self->error_label, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.retry", FALSE);
  ek_show_spinner (self->spinner, TRUE);

  ek_api_client_request_second_view_async (ek_engine_get_api (self->engine), self->cancellable,
                                           on_code_cb, g_object_ref (self));
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  request_code (EK_SECOND_VIEW_PAGE (widget));
}

static void
on_practice_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkSecondViewPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ek_show_message (self->error_label, error->message);
}

static void
continue_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  ek_engine_complete_step_async (self->engine, EK_STEP_SECOND_VIEW, self->cancellable,
                                 on_practice_done_cb, g_object_ref (self));
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  ek_show_message (self->error_label, NULL);
  ek_engine_skip_second_view_async (self->engine, self->cancellable, on_practice_done_cb,
                                    g_object_ref (self));
}

static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  show_view (EK_SECOND_VIEW_PAGE (widget), "help");
}

static void
show_code_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  show_view (self, self->main_view);
}

static void
no_phone_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  /* Once per page: the proctor learns it, and can call or let the candidate in by hand. */
  if (!self->no_phone_logged)
    {
      g_autoptr(JsonObject) data = json_object_new ();

      json_object_set_string_member (data, "reason", "no_phone");
      ek_engine_log_event (self->engine, "second_view_unavailable", 0, -1, data);
      self->no_phone_logged = TRUE;
    }
  show_view (self, "no-phone");
}

/* The help line's number, or where to find it. */
static void
set_up_help_texts (EkSecondViewPage *self)
{
  EkExam *exam = ek_session_get_exam (ek_engine_get_session (self->engine));
  const char *contact = exam != NULL ? ek_exam_get_help_contact (exam) : NULL;
  g_autofree char *cutoff = exam != NULL ? ek_format_clock_time (ek_exam_get_late_entry_cutoff_ms (exam))
                                         : g_strdup ("--:--");
  g_autofree char *call = NULL;
  g_autofree char *no_phone = NULL;

  if (contact != NULL && *contact != '\0')
    /* Translators: %s is the help line's phone number */
    call = g_strdup_printf (_("Still stuck? Call the help line: %s."), contact);
  else
    call = g_strdup (_("Still stuck? Call the help line on your exam notice."));
  gtk_label_set_label (self->help_contact_label, call);

  if (ek_engine_second_view_waivable (self->engine))
    {
      gtk_label_set_label (self->no_phone_title_label,
                           _("You can take this exam without a second camera"));
      no_phone = g_strdup (_("Your proctor has been told that you have no phone. This exam "
                             "lets you go on without it: press Continue without a phone.\n\n"
                             "If you can borrow a phone with a camera and a web browser, press "
                             "Back to the code and scan it instead."));
    }
  else if (contact != NULL && *contact != '\0')
    /* Translators: the first %s is a time of day, the second the help line's number */
    no_phone = g_strdup_printf (_("Nothing is lost: your session stays open, and your proctor "
                                  "has been told that you have no phone.\n\nBorrow any phone "
                                  "with a camera and a web browser, press Back to the code and "
                                  "scan it. If you cannot get one before entry closes at %s, "
                                  "call the help line: %s."), cutoff, contact);
  else
    /* Translators: %s is a time of day */
    no_phone = g_strdup_printf (_("Nothing is lost: your session stays open, and your proctor "
                                  "has been told that you have no phone.\n\nBorrow any phone "
                                  "with a camera and a web browser, press Back to the code and "
                                  "scan it. If you cannot get one before entry closes at %s, "
                                  "call the help line on your exam notice."), cutoff);
  gtk_label_set_label (self->no_phone_label, no_phone);
}

static void
ek_second_view_page_map (GtkWidget *widget)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  GTK_WIDGET_CLASS (ek_second_view_page_parent_class)->map (widget);

  if (!self->requested)
    request_code (self);
}

static void
ek_second_view_page_unmap (GtkWidget *widget)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (widget);

  /* Polling continues only while the page is on show. */
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->requested = self->bound;

  GTK_WIDGET_CLASS (ek_second_view_page_parent_class)->unmap (widget);
}

static void
ek_second_view_page_constructed (GObject *object)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (object);

  G_OBJECT_CLASS (ek_second_view_page_parent_class)->constructed (object);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.retry", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.skip",
                                 !ek_engine_is_practice (self->engine) &&
                                 ek_engine_second_view_waivable (self->engine));
  set_up_help_texts (self);
  if (ek_engine_is_practice (self->engine))
    {
      show_view (self, "practice");
      gtk_widget_set_visible (GTK_WIDGET (self->continue_button), TRUE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.no-phone", FALSE);
      self->requested = TRUE;
    }
  else
    {
      show_view (self, "waiting");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "second-view.continue", FALSE);
    }
}

static void
ek_second_view_page_dispose (GObject *object)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_SECOND_VIEW_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_second_view_page_parent_class)->dispose (object);
}

static void
ek_second_view_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (object);

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
ek_second_view_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkSecondViewPage *self = EK_SECOND_VIEW_PAGE (object);

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
ek_second_view_page_class_init (EkSecondViewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_second_view_page_constructed;
  object_class->dispose = ek_second_view_page_dispose;
  object_class->get_property = ek_second_view_page_get_property;
  object_class->set_property = ek_second_view_page_set_property;

  widget_class->map = ek_second_view_page_map;
  widget_class->unmap = ek_second_view_page_unmap;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-second-view-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, qr_image);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, code_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, help_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, no_phone_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, skip_button);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, no_phone_title_label);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, help_contact_label);
  gtk_widget_class_bind_template_child (widget_class, EkSecondViewPage, no_phone_label);

  /**
   * EkSecondViewPage|second-view.retry:
   *
   * Asks the server for a code again.
   */
  gtk_widget_class_install_action (widget_class, "second-view.retry", NULL, retry_action);

  /**
   * EkSecondViewPage|second-view.continue:
   *
   * Practice only: goes on without a phone.
   */
  gtk_widget_class_install_action (widget_class, "second-view.continue", NULL, continue_action);

  /**
   * EkSecondViewPage|second-view.help:
   *
   * What to try when the phone does not connect, and whom to call.
   */
  gtk_widget_class_install_action (widget_class, "second-view.help", NULL, help_action);

  /**
   * EkSecondViewPage|second-view.no-phone:
   *
   * The candidate has no phone: the proctor is told (a second_view_unavailable event),
   * the candidate what to do.
   */
  gtk_widget_class_install_action (widget_class, "second-view.no-phone", NULL, no_phone_action);

  /**
   * EkSecondViewPage|second-view.skip:
   *
   * After "I have no phone", where the exam does not require the second view: goes on
   * without it (ek_engine_skip_second_view_async()).
   */
  gtk_widget_class_install_action (widget_class, "second-view.skip", NULL, skip_action);

  /**
   * EkSecondViewPage|second-view.show-code:
   *
   * Back from Help or "no phone" to the code.
   */
  gtk_widget_class_install_action (widget_class, "second-view.show-code", NULL, show_code_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "secondviewpage");
}

static void
ek_second_view_page_init (EkSecondViewPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_second_view_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_SECOND_VIEW_PAGE, "engine", engine, NULL);
}
