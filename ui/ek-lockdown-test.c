/* ek-lockdown-test.c: `exam-kiosk --lockdown-test FILE` (test-hooks builds only) */

#include "config.h"

#include <stdio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ek-json.h"
#include "ek-lockdown-controller.h"
#include "ek-lockdown-overlay.h"
#include "ek-lockdown-test.h"

typedef struct
{
  GtkWindow            *window;       /* borrowed; owns this struct */
  EkLockdownController *controller;   /* owned */
  FILE                 *out;          /* owned unless stdout */
  GtkWidget            *status;       /* borrowed */
  GtkWidget            *answer;       /* borrowed; an answer field (drops, selections) */
  int                   answer_x;
  int                   answer_y;
  gint64                started_us;
  guint                 signal_ids[4];
} TestRun;

static void
test_run_free (gpointer data)
{
  TestRun *run = data;

  for (guint i = 0; i < G_N_ELEMENTS (run->signal_ids); i++)
    g_clear_handle_id (&run->signal_ids[i], g_source_remove);
  if (run->controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (run->controller, run);
      ek_lockdown_controller_release (run->controller);
    }
  g_clear_object (&run->controller);
  if (run->out != NULL && run->out != stdout)
    fclose (run->out);
  g_free (run);
}

static void
emit (TestRun     *run,
      JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_set_member_name (builder, "t_ms");
  json_builder_add_int_value (builder, (g_get_monotonic_time () - run->started_us) / 1000);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);

  fprintf (run->out, "%s\n", line);
  fflush (run->out);
}

static JsonBuilder *
begin_event (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value ? value : "");
}

static void
add_findings (JsonBuilder *builder,
              GPtrArray   *findings)
{
  json_builder_set_member_name (builder, "findings");
  json_builder_begin_array (builder);
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      json_builder_begin_object (builder);
      add_string (builder, "id", finding->id);
      add_string (builder, "severity", ek_severity_to_string (finding->severity));
      add_string (builder, "subject", finding->subject);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
emit_simple (TestRun    *run,
             const char *name,
             const char *member,
             const char *value)
{
  g_autoptr(JsonBuilder) builder = begin_event (name);

  if (member != NULL)
    add_string (builder, member, value);
  emit (run, builder);
}

static void
emit_violation (TestRun     *run,
                const char  *name,
                EkViolation *violation)
{
  g_autoptr(JsonBuilder) builder = begin_event (name);

  add_string (builder, "type", violation->type);
  add_string (builder, "detail", violation->detail);
  json_builder_set_member_name (builder, "start_ms");
  json_builder_add_int_value (builder, violation->start_ms);
  json_builder_set_member_name (builder, "end_ms");
  json_builder_add_int_value (builder, violation->end_ms);
  json_builder_set_member_name (builder, "duration_ms");
  json_builder_add_int_value (builder, violation->duration_ms);
  json_builder_set_member_name (builder, "counted");
  json_builder_add_boolean_value (builder, violation->counted);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, violation->count);
  emit (run, builder);
}

static void
violation_cb (EkLockdownController *controller,
              EkViolation          *violation,
              TestRun              *run)
{
  emit_violation (run, "violation", violation);
}

static void
violation_started_cb (EkLockdownController *controller,
                      EkViolation          *violation,
                      TestRun              *run)
{
  emit_violation (run, "violation_started", violation);
}

static void
escalated_cb (EkLockdownController *controller,
              const char           *type,
              int                   step,
              TestRun              *run)
{
  g_autoptr(JsonBuilder) builder = begin_event ("escalated");

  add_string (builder, "type", type);
  add_string (builder, "step", ek_escalation_step_to_string (step));
  emit (run, builder);
}

static void
blocked_cb (EkLockdownController *controller,
            const char           *reason,
            TestRun              *run)
{
  emit_simple (run, "blocked", "reason", reason);
}

static void
unblocked_cb (EkLockdownController *controller,
              TestRun              *run)
{
  emit_simple (run, "unblocked", NULL, NULL);
}

static void
shortcut_cb (EkLockdownController *controller,
             const char           *name,
             TestRun              *run)
{
  emit_simple (run, "shortcut", "name", name);
}

static void
submit_requested_cb (EkLockdownController *controller,
                     TestRun              *run)
{
  emit_simple (run, "submit_requested", NULL, NULL);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TestRun               *run)
{
  const char *name = gdk_keyval_name (keyval);

  emit_simple (run, "key", "name", name);
  return GDK_EVENT_PROPAGATE;
}

/* Where the answer field is on screen (the window covers the monitor from 0,0), each
 * time it moves: for a drop aimed at it. */
static gboolean
answer_tick_cb (GtkWidget     *answer,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  TestRun *run = user_data;
  graphene_rect_t bounds;
  g_autoptr(JsonBuilder) builder = NULL;
  int x, y;

  if (!gtk_widget_compute_bounds (answer, GTK_WIDGET (run->window), &bounds))
    return G_SOURCE_CONTINUE;
  x = (int) (bounds.origin.x + bounds.size.width / 2);
  y = (int) (bounds.origin.y + bounds.size.height / 2);
  if (x == run->answer_x && y == run->answer_y)
    return G_SOURCE_CONTINUE;

  run->answer_x = x;
  run->answer_y = y;
  builder = begin_event ("answer_at");
  json_builder_set_member_name (builder, "x");
  json_builder_add_int_value (builder, x);
  json_builder_set_member_name (builder, "y");
  json_builder_add_int_value (builder, y);
  emit (run, builder);
  return G_SOURCE_CONTINUE;
}

static void
answer_changed_cb (GtkEditable *editable,
                   TestRun     *run)
{
  emit_simple (run, "text", "text", gtk_editable_get_text (editable));
}

static gboolean
close_request_cb (GtkWindow *window,
                  TestRun   *run)
{
  /* Closing the window any other way than End exam or the quit password is refused. */
  if (ek_lockdown_controller_get_engaged (run->controller))
    {
      emit_simple (run, "close_refused", NULL, NULL);
      return TRUE;
    }

  return FALSE;
}

static void
engaged_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  TestRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  if (!ek_lockdown_controller_engage_finish (EK_LOCKDOWN_CONTROLLER (source), result, &error))
    {
      /* The exam does not start, and says why. */
      gtk_label_set_text (GTK_LABEL (run->status), error->message);
      builder = begin_event ("engage_failed");
      add_string (builder, "reason", error->message);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error->domain == EK_LOCKDOWN_ERROR ? error->code : -1);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (run->status), _("The exam is locked down."));
      builder = begin_event ("engaged");
      json_builder_set_member_name (builder, "exam_session");
      json_builder_add_boolean_value (builder,
                                      ek_lockdown_controller_get_exam_session (run->controller));
    }
  add_findings (builder, ek_lockdown_controller_get_findings (run->controller));
  emit (run, builder);
}

static gboolean
on_proctor_release_cb (gpointer user_data)
{
  TestRun *run = user_data;

  emit_simple (run, "proctor_release", NULL, NULL);
  ek_lockdown_controller_proctor_release (run->controller);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_acknowledge_cb (gpointer user_data)
{
  TestRun *run = user_data;

  emit_simple (run, "acknowledge", NULL, NULL);
  ek_lockdown_controller_acknowledge_warning (run->controller);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_terminate_cb (gpointer user_data)
{
  TestRun *run = user_data;

  ek_lockdown_controller_release (run->controller);
  emit_simple (run, "released", NULL, NULL);
  gtk_window_destroy (run->window);
  return G_SOURCE_CONTINUE;
}

static gboolean
read_sources (JsonObject      *test,
              EkProbeSources  *sources,
              GError         **error)
{
  struct { const char *member; char **field; } paths[] = {
    { "proc_root", &sources->proc_root },
    { "sys_root", &sources->sys_root },
    { "dmi_dir", &sources->dmi_dir },
    { "cpuinfo", &sources->cpuinfo_path },
    { "dev_root", &sources->dev_root },
    { "preload_path", &sources->preload_path },
    { "network_path", &sources->network_path },
    { "assistive_dir", &sources->assistive_dir },
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      const char *value = NULL;

      if (!ek_json_read_string (test, paths[i].member, FALSE, &value, error))
        return FALSE;
      if (value != NULL)
        {
          g_free (*paths[i].field);
          *paths[i].field = g_strdup (value);
        }
    }

  return TRUE;
}

/**
 * ek_lockdown_test_configure:
 *
 * Points @controller's probes at the test's sources and sets its injected-input filter,
 * from the "test" object of the file at @path (see the header).
 */
gboolean
ek_lockdown_test_configure (EkLockdownController  *controller,
                            const char            *path,
                            GError               **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(EkProbeSources) sources = ek_probe_sources_new ();
  g_auto(GStrv) search_path = NULL;
  JsonObject *test = NULL;
  gboolean xtest_filter = TRUE;
  gsize length = 0;

  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (controller), FALSE);

  if (!g_file_get_contents (path, &contents, &length, error) ||
      (root = ek_json_parse_object (contents, length, error)) == NULL ||
      !ek_json_read_object (root, "test", TRUE, &test, error) ||
      !ek_json_read_bool (test, "xtest_filter", FALSE, &xtest_filter, error) ||
      !ek_json_read_strv (test, "search_path", FALSE, &search_path, error) ||
      !read_sources (test, sources, error))
    return FALSE;

  ek_lockdown_controller_set_probe_sources (controller, sources);
  ek_lockdown_controller_set_filter_synthetic (controller, xtest_filter);
  if (search_path != NULL)
    ek_lockdown_controller_set_process_search_path (controller, (const char * const *) search_path);

  return TRUE;
}

static void
window_map_cb (GtkWidget *window,
               TestRun   *run)
{
  g_signal_handlers_disconnect_by_func (window, window_map_cb, run);
  ek_lockdown_controller_engage_async (run->controller, NULL, engaged_cb, run);
}

/**
 * ek_lockdown_test_window_new:
 *
 * Returns: (transfer none) (nullable): the window, owned by @application
 */
GtkWindow *
ek_lockdown_test_window_new (GtkApplication  *application,
                             const char      *path,
                             GError         **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkProbeSources) sources = ek_probe_sources_new ();
  g_auto(GStrv) search_path = NULL;
  JsonObject *lockdown = NULL;
  JsonObject *test = NULL;
  const char *events = NULL;
  const char *seat = "A-17";
  gboolean xtest_filter = TRUE;
  gboolean report_unnamed = FALSE;
  g_autofree char *title = NULL;
  GtkEventController *key;
  GtkWidget *overlay;
  GtkWidget *box;
  GtkWidget *entry;
  gsize length = 0;
  TestRun *run;

  if (!g_file_get_contents (path, &contents, &length, error) ||
      (root = ek_json_parse_object (contents, length, error)) == NULL ||
      !ek_json_read_object (root, "lockdown", TRUE, &lockdown, error) ||
      !ek_json_read_object (root, "test", FALSE, &test, error))
    return NULL;

  /* Formal: a relaxed policy or an unknown rule is refused, as in a real exam. */
  policy = ek_lockdown_policy_new_from_json (lockdown, TRUE, error);
  if (policy == NULL)
    return NULL;

  if (test != NULL &&
      (!ek_json_read_string (test, "events", FALSE, &events, error) ||
       !ek_json_read_string (test, "seat", FALSE, &seat, error) ||
       !ek_json_read_bool (test, "xtest_filter", FALSE, &xtest_filter, error) ||
       !ek_json_read_bool (test, "report_unnamed_clients", FALSE, &report_unnamed, error) ||
       !ek_json_read_strv (test, "search_path", FALSE, &search_path, error) ||
       !read_sources (test, sources, error)))
    return NULL;

  run = g_new0 (TestRun, 1);
  run->started_us = g_get_monotonic_time ();
  run->out = events != NULL ? fopen (events, "a") : stdout;
  if (run->out == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", events,
                   g_strerror (saved_errno));
      g_free (run);
      return NULL;
    }

  run->window = GTK_WINDOW (gtk_application_window_new (application));
  title = g_strdup_printf ("ExamKiosk lockdown test %d", (int) getpid ());
  gtk_window_set_title (run->window, title);
  g_object_set_data_full (G_OBJECT (run->window), "ek-lockdown-test", run, test_run_free);

  run->controller = ek_lockdown_controller_new (run->window, policy);
  ek_lockdown_controller_set_probe_sources (run->controller, sources);
  ek_lockdown_controller_set_filter_synthetic (run->controller, xtest_filter);
  if (report_unnamed)
    ek_lockdown_controller_set_report_unnamed_clients (run->controller, TRUE);
  if (search_path != NULL)
    ek_lockdown_controller_set_process_search_path (run->controller,
                                                    (const char * const *) search_path);

  g_signal_connect (run->controller, "violation", G_CALLBACK (violation_cb), run);
  g_signal_connect (run->controller, "violation-started", G_CALLBACK (violation_started_cb), run);
  g_signal_connect (run->controller, "escalated", G_CALLBACK (escalated_cb), run);
  g_signal_connect (run->controller, "blocked", G_CALLBACK (blocked_cb), run);
  g_signal_connect (run->controller, "unblocked", G_CALLBACK (unblocked_cb), run);
  g_signal_connect (run->controller, "shortcut", G_CALLBACK (shortcut_cb), run);
  g_signal_connect (run->controller, "submit-requested", G_CALLBACK (submit_requested_cb), run);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), gtk_label_new (title));
  run->status = gtk_label_new (_("Checking this computer…"));
  gtk_label_set_wrap (GTK_LABEL (run->status), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (run->status), 60);
  gtk_box_append (GTK_BOX (box), run->status);
  entry = gtk_entry_new ();
  gtk_widget_set_size_request (entry, 400, -1);
  gtk_box_append (GTK_BOX (box), entry);
  run->answer = entry;
  g_signal_connect (entry, "changed", G_CALLBACK (answer_changed_cb), run);
  gtk_widget_add_tick_callback (entry, answer_tick_cb, run, NULL);

  overlay = ek_lockdown_overlay_new (run->controller, seat);
  ek_lockdown_overlay_set_child (EK_LOCKDOWN_OVERLAY (overlay), box);
  gtk_window_set_child (run->window, overlay);
  gtk_window_set_default_size (run->window, 800, 600);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), run);
  gtk_widget_add_controller (GTK_WIDGET (run->window), key);
  g_signal_connect (run->window, "close-request", G_CALLBACK (close_request_cb), run);
  g_signal_connect (run->window, "map", G_CALLBACK (window_map_cb), run);

  run->signal_ids[0] = g_unix_signal_add (SIGUSR1, on_proctor_release_cb, run);
  run->signal_ids[1] = g_unix_signal_add (SIGUSR2, on_acknowledge_cb, run);
  run->signal_ids[2] = g_unix_signal_add (SIGTERM, on_terminate_cb, run);
  run->signal_ids[3] = g_unix_signal_add (SIGINT, on_terminate_cb, run);

  emit_simple (run, "started", "title", title);
  return run->window;
}
