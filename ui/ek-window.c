/* ek-window.c: the kiosk's single window, one GtkStack page per step of the exam day
 *
 * The window owns the engine of the exam in progress (or the practice run) and shows
 * the page that belongs to the session's stage and current step: the engine never
 * calls the UI, the window follows EkSession's properties. Pages of a flow are made
 * when first needed (they read the session as it is then) and dropped when the
 * flow ends.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-attachments-page.h"
#include "ek-confirm-page.h"
#include "ek-device-page.h"
#include "ek-draw-page.h"
#include "ek-exam-page.h"
#include "ek-face-check-page.h"
#include "ek-face-login-page.h"
#include "ek-finish-page.h"
#include "ek-guided-step-page.h"
#include "ek-lockdown-overlay.h"
#include "ek-login-page.h"
#include "ek-pledge-page.h"
#include "ek-practice-page.h"
#include "ek-quit-password.h"
#include "ek-second-view-page.h"
#include "ek-self-check-page.h"
#include "ek-start-page.h"
#include "ek-ui-util.h"
#include "ek-waiting-page.h"
#include "ek-window.h"

#ifdef EK_ENABLE_TEST_HOOKS
#include "ek-lockdown-test.h"
#endif

struct _EkWindow
{
  GtkApplicationWindow  parent_instance;

  EkEngine             *engine;              /* owned; the flow in progress, or NULL */
  char                 *mode;                /* owned; the flow's start mode */
  gboolean              identity_confirmed;  /* the candidate checked their details */
  gboolean              lockdown_engaged;
  EkLockdownController *lockdown;            /* owned; the flow's, made on entering the exam */
  GCancellable         *lockdown_cancellable; /* owned; an engage in progress */
  GtkWidget            *exam_page;           /* borrowed; inside the lockdown overlay */
  EkQuitGate           *quit_gate;           /* owned; the technician's password check */
  GtkWidget            *quit_entry;          /* borrowed; on the "quit" page */
  GtkLabel             *quit_error;          /* borrowed; on the "quit" page */
  char                 *quit_return_page;    /* owned; the page the quit page covers */
  gboolean              quitting;            /* the password was right: closing is allowed */
  gboolean              lockdown_refused;    /* a re-entered exam stays covered */
  GCancellable         *resume_cancellable;  /* owned */
  JsonArray            *practices;           /* owned; the bundle, loaded when first needed */

  /* Template children, borrowed. */
  GtkStack             *stack;
  EkStartPage          *start_page;
  GtkLabel             *unavailable_title;
  GtkButton            *back_button;
  GtkLabel             *ended_title;
  GtkLabel             *ended_message;
  GtkButton            *ended_button;
};

G_DEFINE_FINAL_TYPE (EkWindow, ek_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VISIBLE_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In application pixels: from here on, .ek-large-screen. */
#define LARGE_SCREEN_WIDTH  1600
#define LARGE_SCREEN_HEIGHT 900

#define PRACTICE_RESOURCE "/io/github/examkiosk/Kiosk/practice-exam.json"

typedef struct
{
  const char *id;     /* the win.start-mode parameter */
  const char *title;  /* untranslated */
} EkStartMode;

static const EkStartMode start_modes[] = {
  { "formal", N_("Formal exam") },
  { "mock", N_("Mock exam") },
  { "practice", N_("Practice exam") },
  { "device-check", N_("Device check") },
};

/* The pages that belong to a flow, dropped when it ends. */
static const char * const flow_pages[] = {
  "login", "face-login", "confirm", "pledge", "face-check", "second-view", "room-scan", "paper-check",
  "draw", "attachments", "device", "waiting", "exam", "finish", "flow-device-check",
};

static void route (EkWindow *self);

static const EkStartMode *
find_start_mode (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (start_modes); i++)
    {
      if (g_str_equal (start_modes[i].id, id))
        return &start_modes[i];
    }

  return NULL;
}

/* Without a window manager (a bare X server, as some kiosks and the tests run) a fullscreen
 * request does nothing visible: start at the size of the monitor so the screen is covered
 * either way. Window-level lockdown proper is platform/'s job. A big monitor gets bigger
 * type (style.css). */
static void
size_to_monitor (EkWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);

  if (geometry.width >= LARGE_SCREEN_WIDTH && geometry.height >= LARGE_SCREEN_HEIGHT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ek-large-screen");
}

static EkConfig *
get_config (EkWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  EkConfig *config = app != NULL ? ek_application_get_config (EK_APPLICATION (app)) : NULL;

  return config;
}

static EkEngine *
new_engine (EkWindow *self)
{
  EkConfig *config = get_config (self);
  g_autoptr(EkConfig) defaults = NULL;

  if (config == NULL)
    config = defaults = ek_config_new ();

  return ek_engine_new (config);
}

/* --- lockdown ------------------------------------------------------------- */

static void
on_forced_submit_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* On success the session is finishing and route() shows the finish page. */
  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    g_message ("The forced submission failed: %s", error->message);
}

/* The policy's last escalation step: the exam is handed in now, as End exam would. */
static void
on_lockdown_submit_requested_cb (EkWindow *self)
{
  if (self->engine == NULL ||
      ek_session_get_stage (ek_engine_get_session (self->engine)) != EK_SESSION_STAGE_EXAM)
    return;

  g_message ("Lockdown: repeated violations, the exam is submitted");
  /* Through the exam page, as its End exam: a written test's last answers are pushed
   * first and counted, and its answer sheet is closed. */
  if (self->exam_page != NULL &&
      gtk_widget_activate_action (self->exam_page, "exam.end-confirm", NULL))
    return;
  ek_engine_submit_async (self->engine, 0, NULL, on_forced_submit_cb, g_object_ref (self));
}

/* Logged for the technician (and the tests): what the lockdown kept from the desktop,
 * and what it saw. Nothing here is secret. */
static void
on_lockdown_shortcut_cb (EkWindow   *self,
                         const char *name)
{
  g_autoptr(JsonObject) data = json_object_new ();

  g_message ("Lockdown: kept the shortcut %s from the desktop", name);
  json_object_set_string_member (data, "keys", name);
  if (self->engine != NULL)
    ek_engine_log_event (self->engine, "shortcut_blocked", 0, -1, data);
}

static void
on_lockdown_violation_cb (EkWindow          *self,
                          const EkViolation *violation)
{
  g_message ("Lockdown: violation %s (%s), %" G_GINT64_FORMAT " ms%s", violation->type,
             violation->detail != NULL ? violation->detail : "", violation->duration_ms,
             violation->counted ? "" : ", within the grace time");
}

/* The flow's controller, made when the exam is entered (the policy comes with the exam). */
static EkLockdownController *
ensure_lockdown (EkWindow *self)
{
  EkExam *exam;

  if (self->lockdown != NULL)
    return self->lockdown;
  if (self->engine == NULL)
    return NULL;

  exam = ek_session_get_exam (ek_engine_get_session (self->engine));
  if (exam == NULL)
    return NULL;

  self->lockdown = ek_lockdown_controller_new (GTK_WINDOW (self), ek_exam_get_lockdown_policy (exam));

#ifdef EK_ENABLE_TEST_HOOKS
  {
    const char *path = g_getenv ("EK_TEST_LOCKDOWN_CONFIG");
    g_autoptr(GError) error = NULL;

    if (path != NULL && !ek_lockdown_test_configure (self->lockdown, path, &error))
      g_critical ("EK_TEST_LOCKDOWN_CONFIG: %s", error->message);
  }
#endif

  g_signal_connect_object (self->lockdown, "submit-requested",
                           G_CALLBACK (on_lockdown_submit_requested_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lockdown, "shortcut",
                           G_CALLBACK (on_lockdown_shortcut_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lockdown, "violation",
                           G_CALLBACK (on_lockdown_violation_cb), self, G_CONNECT_SWAPPED);
  /* Every violation, its end and each escalation go to the server as events. */
  ek_engine_watch_violations (self->engine, ek_lockdown_controller_get_tracker (self->lockdown));

  return self->lockdown;
}

static void
on_lockdown_engaged_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkWindow *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_lockdown_controller_engage_finish (EK_LOCKDOWN_CONTROLLER (object), result, &error))
    {
      /* The controller's message names the reason and each blocking finding. */
      g_message ("Lockdown refused: %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->lockdown_engaged = TRUE;
  if (ek_lockdown_policy_get_relaxed (ek_lockdown_controller_get_policy (EK_LOCKDOWN_CONTROLLER (object))))
    g_message ("Lockdown relaxed: practice mode");
  else
    {
      g_autoptr(JsonObject) data = json_object_new ();
      /* The dedicated exam session (its own X server, nothing else on it) or a desktop. */
      gboolean dedicated = ek_lockdown_controller_get_exam_session (EK_LOCKDOWN_CONTROLLER (object));

      g_message ("Lockdown engaged (%s)", dedicated ? "dedicated exam session" : "desktop session");
      json_object_set_string_member (data, "session", dedicated ? "dedicated" : "desktop");
      if (self->engine != NULL)
        ek_engine_log_event (self->engine, "lockdown_engaged", 0, -1, data);
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * ek_window_engage_lockdown_async:
 * @self: an #EkWindow
 *
 * Locks the window down under the exam's policy (a relaxed one, as for practice, takes
 * nothing). Fails with the reason, and each finding by name, when this computer may not
 * sit the exam: the candidate is then kept out.
 */
void
ek_window_engage_lockdown_async (EkWindow            *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EkLockdownController *lockdown;

  g_return_if_fail (EK_IS_WINDOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_window_engage_lockdown_async);

  lockdown = ensure_lockdown (self);
  if (lockdown == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("There is no exam to lock the computer down for."));
      return;
    }

  if (self->lockdown_engaged)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  ek_lockdown_controller_engage_async (lockdown, cancellable, on_lockdown_engaged_cb,
                                       g_steal_pointer (&task));
}

gboolean
ek_window_engage_lockdown_finish (EkWindow      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
show_lockdown_refused (EkWindow    *self,
                       const char  *reason)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "lockdown-refused");
  GtkWidget *label;

  if (page == NULL)
    {
      GtkWidget *title;
      GtkWidget *button;

      page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
      gtk_widget_set_halign (page, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (page, GTK_ALIGN_CENTER);
      title = gtk_label_new (_("The exam cannot continue on this computer"));
      gtk_widget_add_css_class (title, "ek-page-title");
      gtk_box_append (GTK_BOX (page), title);
      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 70);
      gtk_widget_add_css_class (label, "ek-error");
      gtk_widget_set_name (label, "lockdown-reason");
      gtk_box_append (GTK_BOX (page), label);
      button = gtk_button_new_with_mnemonic (_("_Check again"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.lockdown-retry");
      gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "ek-big-button");
      gtk_box_append (GTK_BOX (page), button);
      gtk_stack_add_named (self->stack, page, "lockdown-refused");
    }

  label = gtk_widget_get_next_sibling (gtk_widget_get_first_child (page));
  gtk_label_set_label (GTK_LABEL (label), reason);
  gtk_stack_set_visible_child (self->stack, page);
}

static void
on_reentry_engaged_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ek_window_engage_lockdown_finish (self, result, &error))
    {
      route (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    return;

  /* A re-entered exam is covered until this computer passes again. */
  self->lockdown_refused = TRUE;
  show_lockdown_refused (self, error->message);
}

/* The exam stage without the lockdown: a session re-entered after a restart (the candidate
 * entered through the waiting room, which engaged it first). */
static void
engage_lockdown (EkWindow *self)
{
  if (self->lockdown_engaged || ensure_lockdown (self) == NULL)
    return;

  g_cancellable_cancel (self->lockdown_cancellable);
  g_clear_object (&self->lockdown_cancellable);
  self->lockdown_cancellable = g_cancellable_new ();
  ek_window_engage_lockdown_async (self, self->lockdown_cancellable, on_reentry_engaged_cb,
                                   g_object_ref (self));
}

/* The exam is over (or the flow ends): release what engage took. The controller stays
 * until the flow ends: the overlay on the exam page follows it. */
static void
release_lockdown (EkWindow *self)
{
  g_cancellable_cancel (self->lockdown_cancellable);
  g_clear_object (&self->lockdown_cancellable);

  if (self->lockdown != NULL)
    ek_lockdown_controller_release (self->lockdown);

  if (!self->lockdown_engaged)
    return;

  self->lockdown_engaged = FALSE;
  g_message ("Lockdown released");
}

/* --- the technician's quit ------------------------------------------------ */

static void
close_quit_page (EkWindow *self)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "quit");

  if (page == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->quit_entry), "");
  if (self->quit_return_page != NULL &&
      gtk_stack_get_child_by_name (self->stack, self->quit_return_page) != NULL)
    gtk_stack_set_visible_child_name (self->stack, self->quit_return_page);
  g_clear_pointer (&self->quit_return_page, g_free);
  gtk_stack_remove (self->stack, page);
  self->quit_entry = NULL;
  self->quit_error = NULL;
}

static void
on_quit_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  GApplication *app;

  if (!ek_quit_gate_check_finish (EK_QUIT_GATE (object), result, &error))
    {
      g_message ("Technician's quit refused: %s", error->message);
      if (self->quit_error != NULL)
        {
          if (g_error_matches (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG))
            ek_show_message (self->quit_error, _("That is not the quit password."));
          else
            ek_show_message (self->quit_error, error->message);
        }
      if (self->quit_entry != NULL)
        {
          gtk_widget_set_sensitive (self->quit_entry, TRUE);
          gtk_editable_set_text (GTK_EDITABLE (self->quit_entry), "");
          gtk_widget_grab_focus (self->quit_entry);
        }
      return;
    }

  g_message ("Technician's quit: the lockdown is released and the kiosk closes");
  self->quitting = TRUE;
  release_lockdown (self);
  app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_destroy (GTK_WINDOW (self));
  if (app != NULL)
    g_application_quit (app);
}

static void
on_quit_entry_activate_cb (EkWindow *self)
{
  g_autofree char *password = NULL;

  if (self->quit_gate == NULL || !gtk_widget_get_sensitive (self->quit_entry))
    return;

  /* The password lives only in the entry and the check; it is never logged. */
  password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->quit_entry)));
  gtk_widget_set_sensitive (self->quit_entry, FALSE);
  ek_show_message (self->quit_error, NULL);
  ek_quit_gate_check_async (self->quit_gate, password, NULL, on_quit_checked_cb,
                            g_object_ref (self));
}

static void
technician_quit_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  GtkWidget *page;
  GtkWidget *title;
  GtkWidget *buttons;
  GtkWidget *button;
  const char *hash;

  /* Outside a locked-down exam (practice included) the window closes the ordinary way. */
  if (self->lockdown == NULL || !ek_lockdown_controller_get_engaged (self->lockdown) ||
      gtk_stack_get_child_by_name (self->stack, "quit") != NULL)
    return;

  if (self->quit_gate == NULL)
    {
      hash = ek_lockdown_policy_get_quit_password_hash (ek_lockdown_controller_get_policy (self->lockdown));
      self->quit_gate = ek_quit_gate_new (hash);
    }

  page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_halign (page, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (page, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (page, "ek-card");
  title = gtk_label_new (_("Technician: quit the exam kiosk"));
  gtk_widget_add_css_class (title, "ek-page-title");
  gtk_box_append (GTK_BOX (page), title);
  gtk_box_append (GTK_BOX (page),
                  gtk_label_new (_("Enter the quit password to release the lockdown and close the kiosk.")));
  self->quit_entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (self->quit_entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->quit_entry), GTK_INPUT_PURPOSE_PASSWORD);
  g_signal_connect_object (self->quit_entry, "activate", G_CALLBACK (on_quit_entry_activate_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (page), self->quit_entry);
  self->quit_error = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->quit_error), "ek-error");
  gtk_widget_set_visible (GTK_WIDGET (self->quit_error), FALSE);
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->quit_error));
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  button = gtk_button_new_with_mnemonic (_("_Back to the exam"));
  gtk_widget_add_css_class (button, "ek-secondary-button");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.technician-quit-cancel");
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_mnemonic (_("_Quit"));
  gtk_widget_add_css_class (button, "ek-big-button");
  g_signal_connect_object (button, "clicked", G_CALLBACK (on_quit_entry_activate_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_box_append (GTK_BOX (page), buttons);

  g_free (self->quit_return_page);
  self->quit_return_page = g_strdup (ek_window_get_visible_page (self));
  gtk_stack_add_named (self->stack, page, "quit");
  gtk_stack_set_visible_child (self->stack, page);
  gtk_widget_grab_focus (self->quit_entry);
}

static void
lockdown_retry_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  self->lockdown_refused = FALSE;
  route (self);
}

static void
technician_quit_cancel_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  close_quit_page (EK_WINDOW (widget));
}

/* Closing the window any other way is refused while the exam is locked down (a relaxed,
 * practice lockdown holds nothing). */
static gboolean
on_close_request_cb (EkWindow *self)
{
  if (self->quitting || self->lockdown == NULL || !ek_lockdown_controller_get_engaged (self->lockdown))
    return FALSE;

  g_message ("Lockdown: closing the window is refused during the exam");
  return TRUE;
}

/* --- flow ----------------------------------------------------------------- */

static void
end_flow (EkWindow *self)
{
  release_lockdown (self);
  close_quit_page (self);
  self->exam_page = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (flow_pages); i++)
    {
      GtkWidget *page = gtk_stack_get_child_by_name (self->stack, flow_pages[i]);

      if (page != NULL)
        gtk_stack_remove (self->stack, page);
    }

  if (self->engine != NULL)
    {
      ek_engine_watch_violations (self->engine, NULL);
      g_signal_handlers_disconnect_by_data (ek_engine_get_session (self->engine), self);
      g_clear_object (&self->engine);
    }

  g_clear_pointer (&self->mode, g_free);
  self->identity_confirmed = FALSE;

  {
    GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "lockdown-refused");

    if (page != NULL)
      gtk_stack_remove (self->stack, page);
  }
  g_clear_object (&self->lockdown);
  g_clear_object (&self->quit_gate);
  self->lockdown_refused = FALSE;
}

static void
on_session_changed_cb (EkWindow *self)
{
  route (self);
}

static void
begin_flow (EkWindow   *self,
            EkEngine   *engine,
            const char *mode)
{
  EkSession *session = ek_engine_get_session (engine);

  end_flow (self);

  self->engine = g_object_ref (engine);
  self->mode = g_strdup (mode);
  g_signal_connect_swapped (session, "notify::stage", G_CALLBACK (on_session_changed_cb), self);
  g_signal_connect_swapped (session, "notify::current-step", G_CALLBACK (on_session_changed_cb), self);
}

static GtkWidget *
make_page (EkWindow   *self,
           const char *name)
{
  if (g_str_equal (name, "login"))
    {
      const char *heading = g_strcmp0 (self->mode, "mock") == 0 ? _("Log in to the mock exam")
                                                                : _("Log in to the formal exam");

      return ek_login_page_new (self->engine, heading);
    }
  if (g_str_equal (name, "face-login"))
    return ek_face_login_page_new (self->engine);
  if (g_str_equal (name, "confirm"))
    return ek_confirm_page_new (self->engine);
  if (g_str_equal (name, "pledge"))
    return ek_pledge_page_new (self->engine);
  if (g_str_equal (name, "face-check"))
    return ek_face_check_page_new (self->engine);
  if (g_str_equal (name, "second-view"))
    return ek_second_view_page_new (self->engine);
  if (g_str_equal (name, "room-scan") || g_str_equal (name, "paper-check"))
    return ek_guided_step_page_new (self->engine);
  if (g_str_equal (name, "draw"))
    return ek_draw_page_new (self->engine);
  if (g_str_equal (name, "attachments"))
    return ek_attachments_page_new (self->engine);
  if (g_str_equal (name, "device"))
    return ek_device_page_new (self->engine);
  if (g_str_equal (name, "waiting"))
    return ek_waiting_page_new (self->engine);
  if (g_str_equal (name, "exam"))
    {
      EkLockdownController *lockdown = ensure_lockdown (self);
      EkCandidate *candidate = ek_session_get_candidate (ek_engine_get_session (self->engine));
      const char *seat = candidate != NULL ? ek_candidate_get_seat (candidate) : NULL;
      GtkWidget *overlay;

      self->exam_page = ek_exam_page_new (self->engine);
      if (lockdown == NULL)
        return self->exam_page;

      /* The watermark, warnings and blocking notices lie over the exam. */
      overlay = ek_lockdown_overlay_new (lockdown, seat != NULL ? seat : "");
      ek_lockdown_overlay_set_child (EK_LOCKDOWN_OVERLAY (overlay), self->exam_page);
      return overlay;
    }
  if (g_str_equal (name, "finish"))
    return ek_finish_page_new (self->engine);

  g_return_val_if_reached (NULL);
}

static void
show_page (EkWindow   *self,
           const char *name)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, name);

  if (page == NULL)
    {
      page = make_page (self, name);
      gtk_stack_add_named (self->stack, page, name);
    }

  if (gtk_stack_get_visible_child (self->stack) == page)
    return;

  gtk_stack_set_visible_child (self->stack, page);
  if (EK_IS_LOCKDOWN_OVERLAY (page) && self->exam_page != NULL)
    gtk_widget_grab_focus (self->exam_page);
  else
    gtk_widget_grab_focus (page);
}

static const char *
page_for_step (EkStep step)
{
  switch (step)
    {
    case EK_STEP_PLEDGE:
      return "pledge";
    case EK_STEP_FACE_CHECK:
      return "face-check";
    case EK_STEP_SECOND_VIEW:
      return "second-view";
    case EK_STEP_ROOM_SCAN:
      return "room-scan";
    case EK_STEP_PAPER_CHECK:
      return "paper-check";
    case EK_STEP_DRAW:
      return "draw";
    case EK_STEP_ATTACHMENTS:
      return "attachments";
    case EK_STEP_DEVICE_CONFIRM:
    case EK_STEP_NONE:
    default:
      return "device";
    }
}

static void
show_ended (EkWindow *self)
{
  EkSession *session = ek_engine_get_session (self->engine);
  const EkSessionState *state = ek_session_get_state (session);
  EkExam *exam = ek_session_get_exam (session);
  EkEndReason reason = state != NULL && state->ended ? state->end_reason : EK_END_REASON_NONE;

  switch (reason)
    {
    case EK_END_REASON_PLEDGE_DECLINED:
      gtk_label_set_label (self->ended_title, _("You declined the pledge"));
      gtk_label_set_label (self->ended_message,
                           _("Your session has ended and you cannot sit this exam with this token "
                             "any more. If this was a mistake, call the help line of your "
                             "examining body."));
      break;

    case EK_END_REASON_ENDED_BY_CANDIDATE:
      gtk_label_set_label (self->ended_title, _("You left the exam"));
      gtk_label_set_label (self->ended_message, _("Your session has ended."));
      break;

    case EK_END_REASON_NONE:
    case EK_END_REASON_SUBMITTED:
    case EK_END_REASON_TIME_OVER:
    case EK_END_REASON_FORCED_BY_PROCTOR:
    default:
      {
        g_autofree char *cutoff = exam != NULL ? ek_format_clock_time (ek_exam_get_late_entry_cutoff_ms (exam))
                                               : g_strdup ("--:--");
        g_autofree char *text = NULL;

        /* Translators: %s is a time of day */
        text = g_strdup_printf (_("Entry to this exam closed at %s, before you entered. Please "
                                  "contact your examining body."), cutoff);
        gtk_label_set_label (self->ended_title, _("Entry to this exam has closed"));
        gtk_label_set_label (self->ended_message, text);
      }
      break;
    }

  gtk_stack_set_visible_child_name (self->stack, "ended");
  gtk_widget_grab_focus (GTK_WIDGET (self->ended_button));
}

/* Shows the page that belongs to the session's stage and step. */
static void
route (EkWindow *self)
{
  EkSession *session;
  GtkWidget *visible;

  if (self->engine == NULL)
    return;

  session = ek_engine_get_session (self->engine);
  visible = gtk_stack_get_visible_child (self->stack);

  /* The drawn number stays on screen until the candidate has read it. */
  if (EK_IS_DRAW_PAGE (visible) && ek_draw_page_get_holding (EK_DRAW_PAGE (visible)))
    return;

  switch (ek_session_get_stage (session))
    {
    case EK_SESSION_STAGE_NONE:
      /* Either way of logging in, whichever the candidate chose. */
      if (!ek_engine_is_practice (self->engine) &&
          !EK_IS_FACE_LOGIN_PAGE (visible))
        show_page (self, "login");
      break;

    case EK_SESSION_STAGE_STEPS:
      if (ek_session_get_current_step (session) == EK_STEP_PLEDGE && !self->identity_confirmed)
        show_page (self, "confirm");
      else
        show_page (self, page_for_step (ek_session_get_current_step (session)));
      break;

    case EK_SESSION_STAGE_WAITING:
      show_page (self, "waiting");
      break;

    case EK_SESSION_STAGE_EXAM:
      /* The technician's password page stays until they are done; a refused lockdown
       * until the candidate checks again. */
      if (gtk_stack_get_child_by_name (self->stack, "quit") != NULL || self->lockdown_refused)
        break;
      /* Never the exam without its lockdown (re-entry after a restart engages here). */
      if (!self->lockdown_engaged)
        {
          engage_lockdown (self);
          break;
        }
      show_page (self, "exam");
      break;

    case EK_SESSION_STAGE_FINISHING:
    case EK_SESSION_STAGE_FINISHED:
      release_lockdown (self);
      show_page (self, "finish");
      break;

    case EK_SESSION_STAGE_ENDED:
    default:
      release_lockdown (self);
      show_ended (self);
      break;
    }
}

/* The practice bundle's texts in the user's language: an entry's "translations"
 * holds, per language, members that replace the English ones (objects merged,
 * everything else replaced). */
static void
merge_object (JsonObject *target,
              JsonObject *source)
{
  g_autoptr(GList) members = json_object_get_members (source);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (source, name);
      JsonNode *existing = json_object_get_member (target, name);

      if (existing != NULL && JSON_NODE_HOLDS_OBJECT (existing) && JSON_NODE_HOLDS_OBJECT (value))
        merge_object (json_node_get_object (existing), json_node_get_object (value));
      else
        json_object_set_member (target, name, json_node_copy (value));
    }
}

static JsonObject *
localize_practice (JsonObject *practice)
{
  g_autoptr(JsonNode) copy = json_node_new (JSON_NODE_OBJECT);
  JsonObject *result;
  JsonObject *translations;
  const char * const *languages = g_get_language_names ();

  json_node_set_object (copy, practice);
  copy = json_node_copy (copy);
  result = json_node_get_object (copy);

  translations = json_object_has_member (practice, "translations")
                 ? json_object_get_object_member (practice, "translations") : NULL;
  for (gsize i = 0; translations != NULL && languages[i] != NULL; i++)
    {
      if (g_str_equal (languages[i], "C") || g_str_has_prefix (languages[i], "en"))
        break;
      if (json_object_has_member (translations, languages[i]))
        {
          merge_object (result, json_object_get_object_member (translations, languages[i]));
          break;
        }
    }
  json_object_remove_member (result, "translations");

  return json_object_ref (result);
}

static JsonArray *
get_practices (EkWindow *self)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonArray *list;

  if (self->practices != NULL)
    return self->practices;

  self->practices = json_array_new ();
  bytes = g_resources_lookup_data (PRACTICE_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  parser = json_parser_new ();
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   &error))
    {
      g_critical ("The bundled practice exam cannot be read: %s", error->message);
      return self->practices;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "practice_exams"))
    {
      g_critical ("The bundled practice exam has no practice_exams list");
      return self->practices;
    }

  list = json_object_get_array_member (json_node_get_object (root), "practice_exams");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *practice = json_array_get_object_element (list, i);

      if (practice != NULL)
        json_array_add_object_element (self->practices, localize_practice (practice));
    }

  return self->practices;
}

/* --- resume --------------------------------------------------------------- */

static void
on_resumed_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkWindow) self = user_data;
  g_autoptr(EkEngine) engine = EK_ENGINE (object);
  g_autoptr(GError) error = NULL;
  EkExam *exam;

  if (!ek_engine_resume_finish (engine, result, &error))
    {
      /* The engine is dropped: a candidate starting a flow gets a fresh one. */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("No exam session to re-enter: %s", error->message);
      else
        g_debug ("No exam session to re-enter");
      return;
    }

  /* A session in progress has priority over anything chosen meanwhile (but the
   * start of a practice run cancelled the resume). */
  exam = ek_session_get_exam (ek_engine_get_session (engine));
  g_message ("Re-entered the exam session");
  begin_flow (self, engine, ek_exam_get_mode (exam) == EK_EXAM_MODE_MOCK ? "mock" : "formal");
  route (self);
}

static void
start_resume (EkWindow *self)
{
  EkEngine *engine;

  /* Nothing to do if the candidate (or --practice) chose something already. */
  if (get_config (self) == NULL || self->engine != NULL ||
      g_strcmp0 (ek_window_get_visible_page (self), "start") != 0)
    return;

  engine = new_engine (self);
  g_debug ("Looking for an exam session to re-enter");
  self->resume_cancellable = g_cancellable_new ();
  ek_engine_resume_async (engine, self->resume_cancellable, on_resumed_cb, g_object_ref (self));
}

/* --- actions -------------------------------------------------------------- */

static gboolean
flow_may_be_left (EkWindow *self)
{
  EkSessionStage stage;

  if (self->engine == NULL)
    return TRUE;

  stage = ek_session_get_stage (ek_engine_get_session (self->engine));

  /* In the waiting room and the exam, the only way out is End exam. */
  return stage != EK_SESSION_STAGE_WAITING && stage != EK_SESSION_STAGE_EXAM;
}

static void
start_mode_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  const EkStartMode *mode = find_start_mode (id);
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(EkApiClient) api = NULL;

  if (mode == NULL)
    {
      g_warning ("Unknown start mode “%s”", id);
      return;
    }

  if (!flow_may_be_left (self))
    return;

  if (g_str_equal (id, "formal") || g_str_equal (id, "mock"))
    {
      engine = new_engine (self);
      begin_flow (self, engine, id);
      show_page (self, "login");
      return;
    }

  /* Logged in: the device check's report may still go to the exam server under that
   * session, though the flow itself ends here. */
  if (g_str_equal (id, "device-check") && self->engine != NULL &&
      ek_api_client_has_session_token (ek_engine_get_api (self->engine)))
    api = g_object_ref (ek_engine_get_api (self->engine));

  /* A practice run must not be taken over by a real session found later. */
  g_cancellable_cancel (self->resume_cancellable);
  end_flow (self);

  if (g_str_equal (id, "practice"))
    {
      GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "practice");

      if (page == NULL)
        {
          page = ek_practice_page_new (get_practices (self));
          gtk_stack_add_named (self->stack, page, "practice");
        }
      gtk_stack_set_visible_child (self->stack, page);
      gtk_widget_grab_focus (page);
      return;
    }

  if (g_str_equal (id, "device-check"))
    {
      GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "device-check");

      if (page == NULL)
        {
          g_autoptr(EkSelfCheck) check = ek_self_check_new (get_config (self));

          page = ek_self_check_page_new (check);
          gtk_stack_add_named (self->stack, page, "device-check");
        }
      ek_self_check_page_set_api (EK_SELF_CHECK_PAGE (page), api);
      gtk_stack_set_visible_child (self->stack, page);
      ek_self_check_page_start (EK_SELF_CHECK_PAGE (page));
      gtk_widget_grab_focus (page);
      return;
    }

  gtk_label_set_label (self->unavailable_title, _(mode->title));
  gtk_stack_set_visible_child_name (self->stack, "unavailable");
  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
}

static void
start_practice_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  guint index = g_variant_get_uint32 (parameter);
  JsonArray *practices = get_practices (self);
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  if (index >= json_array_get_length (practices))
    return;

  engine = new_engine (self);
  if (!ek_engine_start_practice (engine, json_array_get_object_element (practices, index), &error))
    {
      g_critical ("The bundled practice exam cannot be started: %s", error->message);
      return;
    }

  /* No login; the details page shows the practice candidate, as a rehearsal. */
  begin_flow (self, engine, "practice");
  route (self);
}

/* The device check from a page of the flow (the details page, the waiting room): the
 * report can go to the server under the session, and Back returns to the flow. */
static void
device_check_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  EkApiClient *api;
  GtkWidget *page;

  if (self->engine == NULL)
    return;

  api = ek_engine_get_api (self->engine);
  page = gtk_stack_get_child_by_name (self->stack, "flow-device-check");
  if (page == NULL)
    {
      g_autoptr(EkSelfCheck) check = ek_self_check_new (ek_engine_get_config (self->engine));

      page = ek_self_check_page_new (check);
      ek_self_check_page_set_return_action (EK_SELF_CHECK_PAGE (page), "win.route");
      gtk_stack_add_named (self->stack, page, "flow-device-check");
    }
  ek_self_check_page_set_api (EK_SELF_CHECK_PAGE (page),
                              ek_api_client_has_session_token (api) ? api : NULL);
  gtk_stack_set_visible_child (self->stack, page);
  ek_self_check_page_start (EK_SELF_CHECK_PAGE (page));
  gtk_widget_grab_focus (page);
}

static void
show_start_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  if (!flow_may_be_left (self))
    return;

  end_flow (self);
  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_grab_focus (GTK_WIDGET (self->start_page));
}

static void
route_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  route (EK_WINDOW (widget));
}

static void
login_method_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);
  const char *method = g_variant_get_string (parameter, NULL);

  /* Only before a login, in a flow that has one. */
  if (self->engine == NULL || ek_engine_is_practice (self->engine) ||
      ek_session_get_stage (ek_engine_get_session (self->engine)) != EK_SESSION_STAGE_NONE)
    return;

  if (g_str_equal (method, "face"))
    show_page (self, "face-login");
  else if (g_str_equal (method, "token"))
    show_page (self, "login");
}

static void
identity_confirmed_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  self->identity_confirmed = TRUE;
  route (self);
}

static void
not_me_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  /* The session stays open on the server for the person it belongs to. */
  if (self->engine != NULL)
    ek_engine_forget_session (self->engine);
  show_start_action (widget, NULL, NULL);
}

static void
finish_leave_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  /* TODO(outbox): while segments wait for upload, keep the session (and its token)
   * so that a restarted kiosk finishes the upload. This build records nothing, so
   * there is nothing left to do for this session on this computer. */
  if (self->engine != NULL)
    ek_engine_forget_session (self->engine);
  end_flow (self);
  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_grab_focus (GTK_WIDGET (self->start_page));
}

static void
on_visible_page_changed_cb (EkWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_PAGE]);
}

/* --- GObject -------------------------------------------------------------- */

static gboolean
on_started_cb (gpointer user_data)
{
  g_autoptr(EkWindow) self = user_data;

  /* On start, a session this computer was in is re-entered without a login. */
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    start_resume (self);
  return G_SOURCE_REMOVE;
}

static void
ek_window_constructed (GObject *object)
{
  EkWindow *self = EK_WINDOW (object);

  G_OBJECT_CLASS (ek_window_parent_class)->constructed (object);

  /* From an idle: the application (and so the configuration) is set after
   * construction. */
  g_idle_add (on_started_cb, g_object_ref (self));
}

static void
ek_window_dispose (GObject *object)
{
  EkWindow *self = EK_WINDOW (object);

  g_cancellable_cancel (self->resume_cancellable);
  g_clear_object (&self->resume_cancellable);
  end_flow (self);
  g_clear_pointer (&self->practices, json_array_unref);
  g_clear_pointer (&self->quit_return_page, g_free);

  /* GTK 4.8's dispose_template unparents the stack behind GtkWindow's back, which then
   * unparents it a second time: detach it the window's way first. */
  gtk_window_set_child (GTK_WINDOW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_WINDOW);

  G_OBJECT_CLASS (ek_window_parent_class)->dispose (object);
}

static void
ek_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkWindow *self = EK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VISIBLE_PAGE:
      g_value_set_string (value, ek_window_get_visible_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_window_class_init (EkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_window_constructed;
  object_class->dispose = ek_window_dispose;
  object_class->get_property = ek_window_get_property;

  /**
   * EkWindow:visible-page:
   *
   * The name of the page on show: "start", "unavailable", "login", "exam", ...
   */
  properties[PROP_VISIBLE_PAGE] =
    g_param_spec_string ("visible-page", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EK_TYPE_START_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EkWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, unavailable_title);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_title);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_message);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_button);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed_cb);

  /**
   * EkWindow|win.start-mode:
   * @mode: "formal", "mock", "practice" or "device-check"
   *
   * Leaves the start page for the chosen mode.
   */
  gtk_widget_class_install_action (widget_class, "win.start-mode", "s", start_mode_action);

  /**
   * EkWindow|win.start-practice:
   * @index: which practice exam of the bundle
   *
   * Starts a practice run, offline.
   */
  gtk_widget_class_install_action (widget_class, "win.start-practice", "u", start_practice_action);

  /**
   * EkWindow|win.show-start:
   *
   * Returns to the start page; refused in the waiting room and during the exam.
   */
  gtk_widget_class_install_action (widget_class, "win.show-start", NULL, show_start_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-start", NULL);

  /**
   * EkWindow|win.route:
   *
   * Shows the page for the session's stage and step again (after a page held it).
   */
  gtk_widget_class_install_action (widget_class, "win.route", NULL, route_action);

  /**
   * EkWindow|win.login-method:
   * @method: "token" or "face"
   *
   * Switches between the token login and face login pages before a login.
   */
  gtk_widget_class_install_action (widget_class, "win.login-method", "s", login_method_action);

  /**
   * EkWindow|win.device-check:
   *
   * Opens the device check from the exam flow; its Back returns to the flow (win.route).
   */
  gtk_widget_class_install_action (widget_class, "win.device-check", NULL, device_check_action);

  /**
   * EkWindow|win.identity-confirmed:
   *
   * The candidate confirmed their details: on to the rules and the pledge.
   */
  gtk_widget_class_install_action (widget_class, "win.identity-confirmed", NULL,
                                   identity_confirmed_action);

  /**
   * EkWindow|win.not-me:
   *
   * The details shown are someone else's: forget the session here, keep it on the server.
   */
  gtk_widget_class_install_action (widget_class, "win.not-me", NULL, not_me_action);

  /**
   * EkWindow|win.finish-leave:
   *
   * Leaves the finish page for the start page.
   */
  gtk_widget_class_install_action (widget_class, "win.finish-leave", NULL, finish_leave_action);

  /**
   * EkWindow|win.technician-quit:
   *
   * Asks for the technician's quit password (Ctrl+Alt+Shift+Q); only while locked down.
   */
  gtk_widget_class_install_action (widget_class, "win.technician-quit", NULL,
                                   technician_quit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_q,
                                       GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK,
                                       "win.technician-quit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Q,
                                       GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK,
                                       "win.technician-quit", NULL);
  gtk_widget_class_install_action (widget_class, "win.technician-quit-cancel", NULL,
                                   technician_quit_cancel_action);

  /**
   * EkWindow|win.lockdown-retry:
   *
   * Checks this computer again after the lockdown refused a re-entered exam.
   */
  gtk_widget_class_install_action (widget_class, "win.lockdown-retry", NULL, lockdown_retry_action);
}

static void
ek_window_init (EkWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  size_to_monitor (self);
  gtk_window_fullscreen (GTK_WINDOW (self));
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request_cb), NULL);
}

/**
 * ek_window_new:
 * @application: the #EkApplication
 *
 * Returns: (transfer none): a new #EkWindow, owned by its application
 */
EkWindow *
ek_window_new (EkApplication *application)
{
  g_return_val_if_fail (EK_IS_APPLICATION (application), NULL);

  return g_object_new (EK_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * ek_window_get_visible_page:
 * @self: an #EkWindow
 *
 * Returns: (nullable): the name of the page on show
 */
const char *
ek_window_get_visible_page (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * ek_window_get_engine:
 * @self: an #EkWindow
 *
 * Returns: (transfer none) (nullable): the engine of the flow on show
 */
EkEngine *
ek_window_get_engine (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return self->engine;
}

/**
 * ek_window_get_lockdown:
 * @self: an #EkWindow
 *
 * Returns: (transfer none) (nullable): the lockdown of the exam in progress, once entered
 */
EkLockdownController *
ek_window_get_lockdown (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return self->lockdown;
}
