/* ek-window-lockdown.c: the window's lockdown life cycle and the technician's quit
 *
 * The flow's EkLockdownController is made when the exam is entered (its policy comes with
 * the exam), engaged before the exam page shows (also for a session re-entered after a
 * restart), released when the exam is over, and dropped with the flow. While it is
 * engaged, the window closes only through the technician's quit password.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-ui-util.h"
#include "ek-window-private.h"

#ifdef EK_ENABLE_TEST_HOOKS
#include "ek-lockdown-test.h"
#endif

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
EkLockdownController *
_ek_window_ensure_lockdown (EkWindow *self)
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

  lockdown = _ek_window_ensure_lockdown (self);
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
      _ek_window_route (self);
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
void
_ek_window_engage_lockdown (EkWindow *self)
{
  if (self->lockdown_engaged || _ek_window_ensure_lockdown (self) == NULL)
    return;

  g_cancellable_cancel (self->lockdown_cancellable);
  g_clear_object (&self->lockdown_cancellable);
  self->lockdown_cancellable = g_cancellable_new ();
  ek_window_engage_lockdown_async (self, self->lockdown_cancellable, on_reentry_engaged_cb,
                                   g_object_ref (self));
}

/* The exam is over (or the flow ends): release what engage took. The controller stays
 * until the flow ends: the overlay on the exam page follows it. */
void
_ek_window_release_lockdown (EkWindow *self)
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

void
_ek_window_close_quit_page (EkWindow *self)
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
  _ek_window_release_lockdown (self);
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
      /* The deployment's own ([lockdown] quit-password-hash) first, else the exam's. */
      hash = self->engine != NULL
               ? ek_config_get_quit_password_hash (ek_engine_get_config (self->engine))
               : NULL;
      if (hash == NULL)
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
  _ek_window_route (self);
}

static void
technician_quit_cancel_action (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *parameter)
{
  _ek_window_close_quit_page (EK_WINDOW (widget));
}

/* Closing the window any other way is refused while the exam is locked down (a relaxed,
 * practice lockdown holds nothing). */
gboolean
_ek_window_close_request_cb (EkWindow *self)
{
  if (self->quitting || self->lockdown == NULL || !ek_lockdown_controller_get_engaged (self->lockdown))
    return FALSE;

  g_message ("Lockdown: closing the window is refused during the exam");
  return TRUE;
}

/* --- class ---------------------------------------------------------------- */

void
_ek_window_class_init_lockdown (GtkWidgetClass *widget_class)
{
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
