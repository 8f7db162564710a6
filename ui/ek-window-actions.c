/* ek-window-actions.c: the window's win.* actions, the engine for each start mode, and
 * the re-entry of a session on start
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-practice-page.h"
#include "ek-self-check-page.h"
#include "ek-window-private.h"

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

static EkConfig *
get_config (EkWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  EkConfig *config = app != NULL ? ek_application_get_config (EK_APPLICATION (app)) : NULL;

  return config;
}

/* @formal: for a formal or mock exam (or the re-entry of one), which reads only the
 * system-wide configuration file, never one in the candidate's own account. */
static EkEngine *
new_engine (EkWindow *self,
            gboolean  formal)
{
  EkConfig *config = get_config (self);
  g_autoptr(EkConfig) owned = NULL;

  if (config == NULL)
    config = owned = ek_config_new ();
  else if (formal)
    config = owned = ek_config_dup_for_formal (config);

  return ek_engine_new (config);
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
  _ek_window_begin_flow (self, engine, ek_exam_get_mode (exam) == EK_EXAM_MODE_MOCK ? "mock" : "formal");
  _ek_window_route (self);
}

void
_ek_window_start_resume (EkWindow *self)
{
  EkEngine *engine;

  /* Nothing to do if the candidate (or --practice) chose something already. */
  if (get_config (self) == NULL || self->engine != NULL ||
      g_strcmp0 (ek_window_get_visible_page (self), "start") != 0)
    return;

  engine = new_engine (self, TRUE);
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
      engine = new_engine (self, TRUE);
      _ek_window_begin_flow (self, engine, id);
      _ek_window_show_page (self, "login");
      return;
    }

  /* Logged in: the device check's report may still go to the exam server under that
   * session, though the flow itself ends here. */
  if (g_str_equal (id, "device-check") && self->engine != NULL &&
      ek_api_client_has_session_token (ek_engine_get_api (self->engine)))
    api = g_object_ref (ek_engine_get_api (self->engine));

  /* A practice run must not be taken over by a real session found later. */
  g_cancellable_cancel (self->resume_cancellable);
  _ek_window_end_flow (self);

  if (g_str_equal (id, "practice"))
    {
      GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "practice");

      if (page == NULL)
        {
          page = ek_practice_page_new (_ek_window_get_practices (self));
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
  JsonArray *practices = _ek_window_get_practices (self);
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  if (index >= json_array_get_length (practices))
    return;

  engine = new_engine (self, FALSE);
  if (!ek_engine_start_practice (engine, json_array_get_object_element (practices, index), &error))
    {
      g_critical ("The bundled practice exam cannot be started: %s", error->message);
      return;
    }

  /* No login; the details page shows the practice candidate, as a rehearsal. */
  _ek_window_begin_flow (self, engine, "practice");
  _ek_window_route (self);
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

  _ek_window_end_flow (self);
  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_grab_focus (GTK_WIDGET (self->start_page));
}

static void
route_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  _ek_window_route (EK_WINDOW (widget));
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
    _ek_window_show_page (self, "face-login");
  else if (g_str_equal (method, "token"))
    _ek_window_show_page (self, "login");
}

static void
identity_confirmed_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  EkWindow *self = EK_WINDOW (widget);

  self->identity_confirmed = TRUE;
  _ek_window_route (self);
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
  _ek_window_end_flow (self);
  gtk_stack_set_visible_child_name (self->stack, "start");
  gtk_widget_grab_focus (GTK_WIDGET (self->start_page));
}

/* --- class ---------------------------------------------------------------- */

void
_ek_window_class_init_actions (GtkWidgetClass *widget_class)
{
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
}
