/* ek-test-hooks.c: automation for the end-to-end tests, only in test-hooks builds */

#include "config.h"

#include "ek-countdown.h"
#include "ek-exam-page.h"
#include "ek-face-login-page.h"
#include "ek-layout-check.h"
#include "ek-lockdown-overlay.h"
#include "ek-login-page.h"
#include "ek-question-view.h"
#include "ek-signal-indicator.h"
#include "ek-stepper.h"
#include "ek-test-hooks.h"
#include "ek-window.h"

#define STATUS_INTERVAL_MS 100

static guint layout_serial;

static EkWindow *
get_window (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

      window = windows != NULL ? windows->data : NULL;
    }

  return EK_IS_WINDOW (window) ? EK_WINDOW (window) : NULL;
}

static GtkWidget *
get_visible_page (GApplication *app)
{
  EkWindow *window = get_window (app);

  return window != NULL ? ek_window_get_visible_page_widget (window) : NULL;
}

static void
collect (GtkWidget *widget,
         GType      type,
         const char *css_class,
         GPtrArray *found)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if ((type == G_TYPE_NONE || G_TYPE_CHECK_INSTANCE_TYPE (widget, type)) &&
      (css_class == NULL || gtk_widget_has_css_class (widget, css_class)))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, css_class, found);
}

static GPtrArray *
find_all (GtkWidget  *root,
          GType       type,
          const char *css_class)
{
  GPtrArray *found = g_ptr_array_new ();

  if (root != NULL)
    collect (root, type, css_class, found);
  return found;
}

/* --- actions -------------------------------------------------------------- */

static void
activate_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkWidget *page = get_visible_page (G_APPLICATION (user_data));
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GError) error = NULL;

  if (page == NULL)
    return;

  if (!g_action_parse_detailed_name (g_variant_get_string (parameter, NULL), &name, &target, &error))
    {
      g_warning ("test-activate: %s", error->message);
      return;
    }

  /* The exam page lies inside the lockdown's overlay: its actions are its own. */
  if (EK_IS_LOCKDOWN_OVERLAY (page))
    {
      g_autoptr(GPtrArray) exam_pages = find_all (page, EK_TYPE_EXAM_PAGE, NULL);

      if (exam_pages->len > 0)
        page = g_ptr_array_index (exam_pages, 0);
    }

  if (!gtk_widget_activate_action_variant (page, name, target))
    g_message ("test-activate: %s is not available on this page", name);
}

static void
login_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkWidget *page = get_visible_page (G_APPLICATION (user_data));
  const char *token;
  const char *id_number;

  if (!EK_IS_LOGIN_PAGE (page))
    {
      g_message ("test-login: the login page is not on show");
      return;
    }

  g_variant_get (parameter, "(&s&s)", &token, &id_number);
  ek_login_page_fill (EK_LOGIN_PAGE (page), token, id_number);
  gtk_widget_activate_action (page, "login.submit", NULL);
}

/* The head-turn challenge is random; a test camera plays a clip turning one way. */
static void
face_direction_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  GtkWidget *page = get_visible_page (G_APPLICATION (user_data));
  const char *direction = g_variant_get_string (parameter, NULL);

  if (!EK_IS_FACE_LOGIN_PAGE (page))
    {
      g_message ("test-face-direction: the face login page is not on show");
      return;
    }

  ek_face_capture_set_direction (ek_face_login_page_get_capture (EK_FACE_LOGIN_PAGE (page)),
                                 g_str_equal (direction, "left") ? EK_LIVENESS_TURN_LEFT
                                                                 : EK_LIVENESS_TURN_RIGHT);
}

static void
check_all_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  g_autoptr(GPtrArray) checks = find_all (get_visible_page (G_APPLICATION (user_data)),
                                          GTK_TYPE_CHECK_BUTTON, NULL);

  for (guint i = 0; i < checks->len; i++)
    gtk_check_button_set_active (g_ptr_array_index (checks, i), TRUE);
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (widget, GTK_TYPE_LABEL, NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      if (g_strcmp0 (gtk_label_get_label (g_ptr_array_index (labels, i)), text) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
click_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  EkWindow *window = get_window (G_APPLICATION (user_data));
  g_autoptr(GPtrArray) buttons = find_all (GTK_WIDGET (window), GTK_TYPE_BUTTON, NULL);
  const char *text = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (has_label (button, text))
        {
          gtk_widget_activate (button);
          return;
        }
    }

  g_message ("test-click: no button “%s” on show", text);
}

static void
type_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_autoptr(GPtrArray) entries = find_all (get_visible_page (G_APPLICATION (user_data)),
                                           GTK_TYPE_ENTRY, NULL);

  if (entries->len == 0)
    {
      g_message ("test-type: no text field on show");
      return;
    }

  gtk_editable_set_text (g_ptr_array_index (entries, 0), g_variant_get_string (parameter, NULL));
  g_signal_emit_by_name (g_ptr_array_index (entries, 0), "activate");
}

static EkQuestionView *
find_question_view (GtkWidget *page)
{
  g_autoptr(GPtrArray) views = find_all (page, EK_TYPE_QUESTION_VIEW, NULL);

  return views->len > 0 ? g_ptr_array_index (views, 0) : NULL;
}

static void
answer_cb (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  EkQuestionView *view = find_question_view (get_visible_page (G_APPLICATION (user_data)));
  EkAnswerStore *store = view != NULL ? ek_question_view_get_store (view) : NULL;
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *question_id;
  const char *json;

  g_variant_get (parameter, "(&s&s)", &question_id, &json);
  if (store == NULL)
    {
      g_message ("test-answer: no written question view on show");
      return;
    }
  value = json_from_string (json, &error);
  if (value == NULL && error == NULL)
    value = json_node_new (JSON_NODE_NULL);
  if (value == NULL || !ek_answer_store_set_value (store, question_id, value, &error))
    g_message ("test-answer: %s: %s", question_id, error->message);
}

/* --- status --------------------------------------------------------------- */

static void
add_answers_status (GVariantBuilder *builder,
                    EkQuestionView  *view)
{
  EkAnswerStore *store = ek_question_view_get_store (view);
  GListModel *questions = ek_question_view_get_questions (view);
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  g_variant_builder_add (builder, "{sv}", "questions",
                         g_variant_new_uint32 (g_list_model_get_n_items (questions)));
  g_variant_builder_add (builder, "{sv}", "unanswered",
                         g_variant_new_uint32 (ek_question_view_get_n_unanswered (view)));
  if (store == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (questions, i);
      JsonNode *value = ek_answer_store_get_value (store, ek_question_get_id (question));

      if (value != NULL)
        json_object_set_member (answers, ek_question_get_id (question), json_node_copy (value));
    }
  json_node_set_object (root, answers);
  text = json_to_string (root, FALSE);
  g_variant_builder_add (builder, "{sv}", "answers", g_variant_new_string (text));
  g_variant_builder_add (builder, "{sv}", "answers-read-only",
                         g_variant_new_boolean (ek_answer_store_get_read_only (store)));
}

static char *
join_labels (GtkWidget  *root,
             const char *css_class)
{
  g_autoptr(GPtrArray) labels = find_all (root, GTK_TYPE_LABEL, css_class);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < labels->len; i++)
    {
      const char *label = gtk_label_get_text (g_ptr_array_index (labels, i));

      if (*label == '\0')
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, label);
    }

  return g_string_free (text, FALSE);
}

static GVariant *
build_status (GApplication *app)
{
  EkWindow *window = get_window (app);
  GtkWidget *page = get_visible_page (app);
  EkEngine *engine = window != NULL ? ek_window_get_engine (window) : NULL;
  EkSession *session = engine != NULL ? ek_engine_get_session (engine) : NULL;
  g_autoptr(GPtrArray) countdowns = find_all (page, EK_TYPE_COUNTDOWN, NULL);
  g_autoptr(GPtrArray) questions = find_all (page, G_TYPE_NONE, "ek-question");
  g_autoptr(GPtrArray) warnings = find_all (page, G_TYPE_NONE, "ek-warning-card");
  g_autofree char *errors = join_labels (page, "ek-error");
  g_autofree char *notices = join_labels (page, "ek-notice");
  g_autofree char *text = join_labels (GTK_WIDGET (window), NULL);
  g_autofree char *unread = join_labels (page, "ek-unread-badge");
  g_autofree char *error = NULL;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (window != NULL)
    g_variant_builder_add (&builder, "{sv}", "page",
                           g_variant_new_string (ek_window_get_visible_page (window) ?: ""));

  /* The stepper's "Step 3 of 6: Second camera", "" when it is hidden. */
  if (window != NULL)
    {
      g_autoptr(GPtrArray) steppers = find_all (GTK_WIDGET (window), EK_TYPE_STEPPER, NULL);
      const char *caption = NULL;

      if (steppers->len > 0)
        caption = ek_stepper_get_caption (g_ptr_array_index (steppers, 0));
      g_variant_builder_add (&builder, "{sv}", "stepper", g_variant_new_string (caption ?: ""));
    }

  /* Whether the page fits the screen: its minimum width, and the window's. */
  if (page != NULL)
    {
      int min_width = 0;

      gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      g_variant_builder_add (&builder, "{sv}", "page-min-width", g_variant_new_int32 (min_width));
      g_variant_builder_add (&builder, "{sv}", "window-width",
                             g_variant_new_int32 (gtk_widget_get_width (GTK_WIDGET (window))));
    }

  if (session != NULL)
    {
      const EkSessionState *state = ek_session_get_state (session);

      g_variant_builder_add (&builder, "{sv}", "stage",
                             g_variant_new_string (ek_session_stage_to_string (ek_session_get_stage (session))));
      g_variant_builder_add (&builder, "{sv}", "step",
                             g_variant_new_string (ek_session_get_current_step (session) < EK_N_STEPS
                                                   ? ek_step_to_string (ek_session_get_current_step (session))
                                                   : ""));
      g_variant_builder_add (&builder, "{sv}", "phase",
                             g_variant_new_int32 (ek_session_get_phase_index (session)));
      g_variant_builder_add (&builder, "{sv}", "sequence",
                             g_variant_new_int64 (state != NULL ? state->sequence_number : -1));
      g_variant_builder_add (&builder, "{sv}", "session-id",
                             g_variant_new_string (ek_engine_get_session_id (engine) ?: ""));
    }

  if (countdowns->len > 0)
    {
      EkCountdown *countdown = g_ptr_array_index (countdowns, 0);

      g_variant_builder_add (&builder, "{sv}", "countdown-ms",
                             g_variant_new_int64 (ek_countdown_get_remaining_ms (countdown)));
      g_variant_builder_add (&builder, "{sv}", "countdown-text",
                             g_variant_new_string (ek_countdown_get_text (countdown)));
      g_variant_builder_add (&builder, "{sv}", "countdown-last-minute",
                             g_variant_new_boolean (gtk_widget_has_css_class (GTK_WIDGET (countdown),
                                                                              "ek-countdown-last-minute")));
      /* The colour the digits are drawn in, as the style sheet decides it. */
      {
        GtkWidget *digits = gtk_widget_get_first_child (GTK_WIDGET (countdown));
        GdkRGBA color = { 0 };
        g_autofree char *text_color = NULL;

        if (digits != NULL)
          {
            G_GNUC_BEGIN_IGNORE_DEPRECATIONS
            gtk_style_context_get_color (gtk_widget_get_style_context (digits), &color);
            G_GNUC_END_IGNORE_DEPRECATIONS
          }
        text_color = gdk_rgba_to_string (&color);
        g_variant_builder_add (&builder, "{sv}", "countdown-color", g_variant_new_string (text_color));
      }
    }

  /* The exam's lockdown: "", "engaged", "relaxed" or "off" (released or refused). */
  if (window != NULL && ek_window_get_lockdown (window) != NULL)
    {
      EkLockdownController *lockdown = ek_window_get_lockdown (window);
      const char *state = "off";

      if (ek_lockdown_policy_get_relaxed (ek_lockdown_controller_get_policy (lockdown)))
        state = "relaxed";
      else if (ek_lockdown_controller_get_engaged (lockdown))
        state = "engaged";
      g_variant_builder_add (&builder, "{sv}", "lockdown", g_variant_new_string (state));
    }

  error = g_strjoin (*errors != '\0' && *notices != '\0' ? "\n" : "", errors, notices, NULL);
  g_variant_builder_add (&builder, "{sv}", "error", g_variant_new_string (error));
  g_variant_builder_add (&builder, "{sv}", "text", g_variant_new_string (text));
  /* A written test's view shows one question at a time: its list counts. */
  if (find_question_view (page) != NULL)
    add_answers_status (&builder, find_question_view (page));
  else
    g_variant_builder_add (&builder, "{sv}", "questions", g_variant_new_uint32 (questions->len));

  /* The engine's answers, also where no question is on show (the finish page). */
  if (engine != NULL && ek_engine_get_answer_store (engine) != NULL)
    {
      EkAnswerStore *store = ek_engine_get_answer_store (engine);

      g_variant_builder_add (&builder, "{sv}", "engine-answers-pending",
                             g_variant_new_uint32 (ek_answer_store_get_n_pending_sync (store)));
      g_variant_builder_add (&builder, "{sv}", "engine-answers-read-only",
                             g_variant_new_boolean (ek_answer_store_get_read_only (store)));
    }
  g_variant_builder_add (&builder, "{sv}", "warning", g_variant_new_boolean (warnings->len > 0));
  g_variant_builder_add (&builder, "{sv}", "unread", g_variant_new_string (unread));
  {
    const char *layout = g_object_get_data (G_OBJECT (app), "ek-test-layout");

    g_variant_builder_add (&builder, "{sv}", "layout", g_variant_new_string (layout ?: ""));
  }

  /* The proctoring signal the candidate is told about on the exam page, "" while none. */
  {
    g_autoptr(GPtrArray) indicators = find_all (page, EK_TYPE_SIGNAL_INDICATOR, NULL);

    g_variant_builder_add (&builder, "{sv}", "signal",
                           g_variant_new_string (indicators->len > 0
                                                 ? ek_signal_indicator_get_text (g_ptr_array_index (indicators, 0))
                                                 : ""));
  }

  return g_variant_builder_end (&builder);
}

/* The layout check of the window as it is now, kept for the status ("layout"): one
 * problem a line, "" when none, so a test can ask and then read it. */
static void
run_layout_check (GApplication *app)
{
  EkWindow *window = get_window (app);
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (window == NULL)
    return;

  problems = ek_layout_check (GTK_WIDGET (window));
  for (guint i = 0; i < problems->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (problems, i));
  g_object_set_data_full (G_OBJECT (app), "ek-test-layout",
                          g_strdup_printf ("%u:%s", ++layout_serial, text->str), g_free);

  /* For shell drivers: the same, one problem a line, in a file they name. */
  if (g_getenv ("EK_TEST_LAYOUT_FILE") != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;

      contents = g_strdup_printf ("%s%s", text->str, text->len > 0 ? "\n" : "");
      if (!g_file_set_contents (g_getenv ("EK_TEST_LAYOUT_FILE"), contents, -1, &error))
        g_warning ("test-layout: %s", error->message);
    }
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, on_after_paint_cb, user_data);
  run_layout_check (G_APPLICATION (user_data));
  g_object_unref (user_data);
}

/* Checked after the next frame is painted, so what was just shown has its place. */
static void
layout_cb (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  EkWindow *window = get_window (G_APPLICATION (user_data));
  GdkFrameClock *clock = window != NULL ? gtk_widget_get_frame_clock (GTK_WIDGET (window)) : NULL;

  if (clock == NULL)
    {
      run_layout_check (G_APPLICATION (user_data));
      return;
    }

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), g_object_ref (user_data));
  gtk_widget_queue_draw (GTK_WIDGET (window));
}

static gboolean
on_status_tick_cb (gpointer user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (app), "test-status");
  g_autoptr(GVariant) state = g_variant_ref_sink (build_status (app));
  g_autoptr(GVariant) old = g_action_get_state (action);

  if (old == NULL || !g_variant_equal (old, state))
    g_simple_action_set_state (G_SIMPLE_ACTION (action), state);

  return G_SOURCE_CONTINUE;
}

static void
on_shutdown_cb (GApplication *app,
                gpointer      user_data)
{
  guint source = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (app), "ek-test-status-source"));

  if (source != 0)
    g_source_remove (source);
  g_object_set_data (G_OBJECT (app), "ek-test-status-source", NULL);
}

/**
 * ek_test_hooks_install:
 *
 * Adds the app.test-* actions; call from startup. Only in test-hooks builds.
 */
void
ek_test_hooks_install (EkApplication *app)
{
  static const GActionEntry entries[] = {
    { "test-activate", activate_cb, "s", NULL, NULL, { 0 } },
    { "test-login", login_cb, "(ss)", NULL, NULL, { 0 } },
    { "test-face-direction", face_direction_cb, "s", NULL, NULL, { 0 } },
    { "test-check-all", check_all_cb, NULL, NULL, NULL, { 0 } },
    { "test-click", click_cb, "s", NULL, NULL, { 0 } },
    { "test-type", type_cb, "s", NULL, NULL, { 0 } },
    { "test-answer", answer_cb, "(ss)", NULL, NULL, { 0 } },
    { "test-layout", layout_cb, NULL, NULL, NULL, { 0 } },
  };
  g_autoptr(GSimpleAction) status = NULL;
  const char *bus_name = g_getenv ("EK_TEST_BUS_NAME");
  GDBusConnection *connection;
  guint source;

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);

  status = g_simple_action_new_stateful ("test-status", NULL,
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
  g_simple_action_set_enabled (status, FALSE);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (status));

  source = g_timeout_add (STATUS_INTERVAL_MS, on_status_tick_cb, app);
  g_object_set_data (G_OBJECT (app), "ek-test-status-source", GUINT_TO_POINTER (source));
  g_signal_connect (app, "shutdown", G_CALLBACK (on_shutdown_cb), NULL);

  connection = g_application_get_dbus_connection (G_APPLICATION (app));
  if (bus_name != NULL && connection != NULL)
    g_bus_own_name_on_connection (connection, bus_name, G_BUS_NAME_OWNER_FLAGS_NONE,
                                  NULL, NULL, NULL, NULL);
}
