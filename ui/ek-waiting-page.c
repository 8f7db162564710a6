/* ek-waiting-page.c: the waiting room: a countdown to the start, in server time
 *
 * The Enter button becomes active when the exam starts (the server's starts_ms,
 * counted on the server clock); the page says until when entry is possible.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-countdown.h"
#include "ek-ui-util.h"
#include "ek-waiting-page.h"
#include "ek-window.h"

struct _EkWaitingPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  guint         tick_source;
  gboolean      busy;
  gboolean      was_open;     /* entry was open at the last update */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *title_label;
  EkCountdown  *countdown;
  GtkLabel     *starts_label;
  GtkLabel     *closes_label;
  GtkLabel     *status_label;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *enter_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkWaitingPage, ek_waiting_page, GTK_TYPE_WIDGET)

#define TICK_MS 250

static void
update (EkWaitingPage *self)
{
  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  const char *problem;
  gint64 now_ms;
  gboolean open;

  if (exam == NULL)
    return;

  now_ms = ek_server_clock_now_ms (ek_session_get_clock (session));
  open = now_ms >= ek_exam_get_starts_ms (exam) && now_ms <= ek_exam_get_late_entry_cutoff_ms (exam);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "waiting.enter", open && !self->busy);
  /* The moment entry opens the button takes the focus, so Enter (as the page says)
   * enters; before that it is insensitive and cannot hold the focus. */
  if (open && !self->was_open && !self->busy && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->enter_button));
  self->was_open = open;
  /* A sealed questions package that was refused says so until a good one comes. */
  problem = ek_engine_get_questions_problem (self->engine);
  gtk_label_set_label (self->status_label,
                       open ? _("The exam has started. Press Enter to begin.")
                            : problem != NULL ? problem
                            : _("Please stay in front of the camera. The Enter button becomes "
                                "active when the exam starts."));
}

static void
set_busy (EkWaitingPage *self,
          gboolean       busy)
{
  self->busy = busy;
  ek_show_spinner (self->spinner, busy);
  update (self);
}

static gboolean
on_tick_cb (gpointer user_data)
{
  update (EK_WAITING_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
on_entered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkWaitingPage) self = user_data;
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
on_lockdown_engaged_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(EkWaitingPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_window_engage_lockdown_finish (EK_WINDOW (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->error_label, error->message);
      set_busy (self, FALSE);
      return;
    }

  ek_engine_enter_async (self->engine, self->cancellable, on_entered_cb, g_object_ref (self));
}

static void
enter_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  EkWaitingPage *self = EK_WAITING_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  ek_show_message (self->error_label, NULL);
  set_busy (self, TRUE);

  /* The lockdown first: if this computer may not sit the exam, the candidate stays here
   * and reads why (the reason and each finding by name). */
  if (EK_IS_WINDOW (root))
    ek_window_engage_lockdown_async (EK_WINDOW (root), self->cancellable, on_lockdown_engaged_cb,
                                     g_object_ref (self));
  else
    ek_engine_enter_async (self->engine, self->cancellable, on_entered_cb, g_object_ref (self));
}

static gboolean
ek_waiting_page_grab_focus (GtkWidget *widget)
{
  EkWaitingPage *self = EK_WAITING_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->enter_button));
}

static void
ek_waiting_page_map (GtkWidget *widget)
{
  EkWaitingPage *self = EK_WAITING_PAGE (widget);

  GTK_WIDGET_CLASS (ek_waiting_page_parent_class)->map (widget);

  update (self);
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add (TICK_MS, on_tick_cb, self);
}

static void
ek_waiting_page_unmap (GtkWidget *widget)
{
  EkWaitingPage *self = EK_WAITING_PAGE (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);

  GTK_WIDGET_CLASS (ek_waiting_page_parent_class)->unmap (widget);
}

static void
ek_waiting_page_constructed (GObject *object)
{
  EkWaitingPage *self = EK_WAITING_PAGE (object);

  G_OBJECT_CLASS (ek_waiting_page_parent_class)->constructed (object);

  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  g_autofree char *starts = NULL;
  g_autofree char *closes = NULL;
  g_autofree char *starts_text = NULL;
  g_autofree char *closes_text = NULL;

  if (exam == NULL)
    return;

  gtk_label_set_label (self->title_label, ek_exam_get_title (exam));
  ek_countdown_set_clock (self->countdown, ek_session_get_clock (session));
  ek_countdown_set_deadline_ms (self->countdown, ek_exam_get_starts_ms (exam));

  starts = ek_format_clock_time (ek_exam_get_starts_ms (exam));
  closes = ek_format_clock_time (ek_exam_get_late_entry_cutoff_ms (exam));
  /* Translators: %s is a time of day */
  starts_text = g_strdup_printf (_("The exam starts at %s (exam server time)."), starts);
  /* Translators: %s is a time of day */
  closes_text = g_strdup_printf (_("Entry closes at %s. If you have not entered by then, you cannot sit the exam."),
                                 closes);
  gtk_label_set_label (self->starts_label, starts_text);
  gtk_label_set_label (self->closes_label, closes_text);
  update (self);
}

static void
ek_waiting_page_dispose (GObject *object)
{
  EkWaitingPage *self = EK_WAITING_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_WAITING_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_waiting_page_parent_class)->dispose (object);
}

static void
ek_waiting_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkWaitingPage *self = EK_WAITING_PAGE (object);

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
ek_waiting_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkWaitingPage *self = EK_WAITING_PAGE (object);

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
ek_waiting_page_class_init (EkWaitingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_waiting_page_constructed;
  object_class->dispose = ek_waiting_page_dispose;
  object_class->get_property = ek_waiting_page_get_property;
  object_class->set_property = ek_waiting_page_set_property;

  widget_class->grab_focus = ek_waiting_page_grab_focus;
  widget_class->map = ek_waiting_page_map;
  widget_class->unmap = ek_waiting_page_unmap;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-waiting-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, countdown);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, starts_label);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, closes_label);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkWaitingPage, enter_button);

  /**
   * EkWaitingPage|waiting.enter:
   *
   * Enters the exam (once it has started).
   */
  gtk_widget_class_install_action (widget_class, "waiting.enter", NULL, enter_action);
  /* "Press Enter to begin" also when the focus is elsewhere on the page. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "waiting.enter", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "waiting.enter", NULL);

  g_type_ensure (EK_TYPE_COUNTDOWN);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "waitingpage");
}

static void
ek_waiting_page_init (EkWaitingPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_waiting_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_WAITING_PAGE, "engine", engine, NULL);
}
