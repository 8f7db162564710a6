/* test-e2e.c: the candidate's whole day, end to end, against the reference server
 *
 * A real exam-kiosk process (built with -Dtest_hooks=true) is driven through its
 * app.test-* actions over the private session bus (ui/ek-test-hooks.h) and watched
 * through app.test-status; what reached the server is checked through its admin API.
 * Each test starts its own server with the exams of tests/data/exams (e2e-*.json:
 * short phases, times relative to the server's start).
 *
 * /e2e/interview  formal interview: login, details, pledge, room scan, draw,
 *                 attachments, devices, waiting room, both phases with questions
 *                 appearing by themselves, proctor chat (unread badge), a warning
 *                 acknowledged, hand raised, the exam ending by itself
 * /e2e/written    mock written test: ID number checked locally, second view bound
 *                 by "phone", paper check, answers entered (one changed) and kept
 *                 in the answer store, early submission refused with the time,
 *                 End exam confirmed in the question view, submission on the
 *                 server with every answer exactly as entered and their count
 * /e2e/crash      the client killed mid-exam re-enters without a login (token
 *                 from the keyring) with a countdown within 1 s of the truth and
 *                 the answers entered before the kill; then the proctor's end_exam
 *                 is obeyed at once
 * /e2e/practice-written  the offline practice written test: answers kept on this
 *                 computer only, handed in through the view's confirmation; a second
 *                 practice run starts with a blank answer sheet
 * /e2e/lockdown   entering a formal exam engages the lockdown (keyboard grab: an
 *                 Alt+Tab from xdotool is kept from the desktop), closing the window
 *                 is refused, Ctrl+Alt+Shift+Q asks for the technician's password: a
 *                 wrong one keeps the kiosk running, the right one releases and exits
 *
 * Every client is locked down for real when it enters an exam; its probes read a clean
 * DMI, cpuinfo and /sys (the test machine may be a virtual one) through
 * EK_TEST_LOCKDOWN_CONFIG, with the injected-input filter off (under Xvfb all input is
 * injected); the e2e exams allow the virtual display Xvfb itself is.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ek-test-server.h"

#define OBJECT_PATH "/io/github/examkiosk/Kiosk"
#define WAIT_DEFAULT_MS 15000

typedef struct
{
  EkTestServer    *server;
  char            *tmp_dir;
  char            *config_path;
  char            *bus_name;
  char            *log_path;
  char            *lockdown_path;
  GDBusConnection *bus;
  GPid             pid;
  gboolean         running;
} Fixture;

/* --- the client process --------------------------------------------------- */

static void
write_config (Fixture *fx)
{
  g_autofree char *data_dir = g_build_filename (fx->tmp_dir, "data", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_no_errno (g_mkdir_with_parents (data_dir, 0700));
  contents = g_strdup_printf ("[server]\nurl=%s\n[storage]\ndata-dir=%s\n[media]\nsource=test\n",
                              ek_test_server_get_base_url (fx->server), data_dir);
  fx->config_path = g_build_filename (fx->tmp_dir, "exam-kiosk.conf", NULL);
  g_file_set_contents (fx->config_path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
make_file (const char *path,
           const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* The lockdown's probe sources for the client (ui/ek-lockdown-test.h). */
static void
write_lockdown_config (Fixture *fx)
{
  g_autofree char *dmi = g_build_filename (fx->tmp_dir, "probe", "dmi", NULL);
  g_autofree char *vendor = g_build_filename (dmi, "sys_vendor", NULL);
  g_autofree char *cpuinfo = g_build_filename (fx->tmp_dir, "probe", "cpuinfo", NULL);
  g_autofree char *sys = g_build_filename (fx->tmp_dir, "probe", "sys", NULL);
  g_autofree char *bin = g_build_filename (fx->tmp_dir, "probe", "bin", NULL);
  g_autofree char *preload = g_build_filename (fx->tmp_dir, "probe", "no-ld.so.preload", NULL);
  g_autofree char *contents = NULL;

  make_file (vendor, "Example Computers Inc.\n");
  make_file (cpuinfo, "processor\t: 0\nflags\t\t: fpu vme sse2\n");
  g_assert_no_errno (g_mkdir_with_parents (sys, 0700));
  g_assert_no_errno (g_mkdir_with_parents (bin, 0700));
  contents = g_strdup_printf ("{\"test\": {\"xtest_filter\": false, \"dmi_dir\": \"%s\","
                              " \"cpuinfo\": \"%s\", \"sys_root\": \"%s\", \"preload_path\": \"%s\","
                              " \"search_path\": [\"%s\"]}}", dmi, cpuinfo, sys, preload, bin);
  fx->lockdown_path = g_build_filename (fx->tmp_dir, "lockdown-test.json", NULL);
  make_file (fx->lockdown_path, contents);
}

static void
show_log (Fixture *fx)
{
  g_autofree char *log = NULL;

  if (g_file_get_contents (fx->log_path, &log, NULL, NULL))
    g_printerr ("--- exam-kiosk's output ---\n%s--- end ---\n", log);
}

static gboolean
name_has_owner (Fixture *fx)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (fx->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", fx->bus_name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
start_client (Fixture *fx)
{
  g_autofree char *binary = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
  const char *argv[] = { binary, "--config", fx->config_path, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  int log_fd;

  env = g_environ_setenv (env, "EK_TEST_BUS_NAME", fx->bus_name, TRUE);
  env = g_environ_setenv (env, "EK_TEST_LOCKDOWN_CONFIG", fx->lockdown_path, TRUE);
  /* The machine running the tests may be reached over SSH: not the kiosk's business here. */
  env = g_environ_unsetenv (env, "SSH_CONNECTION");
  env = g_environ_unsetenv (env, "SSH_CLIENT");
  env = g_environ_unsetenv (env, "SSH_TTY");
  env = g_environ_unsetenv (env, "LD_PRELOAD");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  /* GTK 4.8 warns about focus bookkeeping under a bare Xvfb ("GtkText - did not receive
   * a focus-out event"): not fatal for the client; criticals are checked in its log. */
  env = g_environ_setenv (env, "G_DEBUG", "gc-friendly", TRUE);
  env = g_environ_setenv (env, "G_MESSAGES_DEBUG", "ExamKiosk", TRUE);
  env = g_environ_unsetenv (env, "LANGUAGE");

  /* The client's output goes to a log file (stdout is the TAP stream), shown when
   * the client goes away unexpectedly. */
  log_fd = g_open (fx->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  g_spawn_async_with_fds (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                          &fx->pid, -1, log_fd, log_fd, &error);
  close (log_fd);
  g_assert_no_error (error);
  fx->running = TRUE;

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!name_has_owner (fx))
    {
      int status;

      if (waitpid (fx->pid, &status, WNOHANG) == fx->pid)
        {
          show_log (fx);
          g_error ("exam-kiosk exited at start (status %d)", status);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("exam-kiosk did not appear on the bus");
      ek_test_sleep_ms (50);
    }
}

static void
kill_client (Fixture *fx,
             int      signal_number)
{
  int status;

  if (!fx->running)
    return;

  kill (fx->pid, signal_number);
  waitpid (fx->pid, &status, 0);
  g_spawn_close_pid (fx->pid);
  fx->running = FALSE;

  /* Until the bus has seen the old owner go, a new client could not take the name. */
  while (name_has_owner (fx))
    ek_test_sleep_ms (20);
}

static void
activate (Fixture    *fx,
          const char *action,
          GVariant   *parameter)
{
  GVariantBuilder params;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  if (parameter != NULL)
    g_variant_builder_add (&params, "v", parameter);

  reply = g_dbus_connection_call_sync (fx->bus, fx->bus_name, OBJECT_PATH, "org.gtk.Actions",
                                       "Activate",
                                       g_variant_new ("(sava{sv})", action, &params, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

static void
activate_on_page (Fixture    *fx,
                  const char *detailed_action)
{
  activate (fx, "test-activate", g_variant_new_string (detailed_action));
}

static GVariant *
get_status (Fixture *fx)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  gboolean enabled;
  const char *type;

  reply = g_dbus_connection_call_sync (fx->bus, fx->bus_name, OBJECT_PATH, "org.gtk.Actions",
                                       "Describe", g_variant_new ("(s)", "test-status"),
                                       G_VARIANT_TYPE ("((bgav))"), G_DBUS_CALL_FLAGS_NONE,
                                       10000, NULL, &error);
  if (error != NULL && fx->running)
    {
      int wait_status = 0;

      if (waitpid (fx->pid, &wait_status, WNOHANG) == fx->pid)
        {
          fx->running = FALSE;
          show_log (fx);
          g_error ("exam-kiosk has gone: %s (wait status 0x%x)", error->message, wait_status);
        }
    }
  g_assert_no_error (error);
  g_variant_get (reply, "((b&gav))", &enabled, &type, &iter);
  g_assert_true (g_variant_iter_next (iter, "v", &state));
  return g_steal_pointer (&state);
}

static char *
status_string (GVariant   *status,
               const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (status, key, "&s", &value))
    return g_strdup ("");
  return g_strdup (value);
}

/* Waits until the status member @key is @value (strings) and returns the status. */
static GVariant *
wait_for (Fixture    *fx,
          const char *key,
          const char *value,
          guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr(GVariant) status = NULL;

  for (;;)
    {
      g_autofree char *current = NULL;

      g_clear_pointer (&status, g_variant_unref);
      status = get_status (fx);
      current = status_string (status, key);
      if (g_str_equal (current, value))
        return g_steal_pointer (&status);

      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("Timed out waiting for %s = %s; status: %s", key, value, text);
        }
      ek_test_sleep_ms (100);
    }
}

/* Waits until the text on screen contains @needle. */
static GVariant *
wait_for_text (Fixture    *fx,
               const char *key,
               const char *needle,
               guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GVariant) status = get_status (fx);
      g_autofree char *current = status_string (status, key);

      if (strstr (current, needle) != NULL)
        return g_steal_pointer (&status);
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("Timed out waiting for “%s” in %s; status: %s", needle, key, text);
        }
      ek_test_sleep_ms (100);
    }
}

static guint32
wait_for_questions (Fixture *fx,
                    guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GVariant) status = get_status (fx);
      guint32 n = 0;

      g_variant_lookup (status, "questions", "u", &n);
      if (n > 0)
        return n;
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("Timed out waiting for the questions; status: %s", text);
        }
      ek_test_sleep_ms (100);
    }
}

static void
fixture_setup (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();

  fx->server = ek_test_server_start (NULL);
  fx->tmp_dir = ek_test_make_tmp_dir ();
  write_config (fx);
  write_lockdown_config (fx);
  fx->log_path = g_build_filename (fx->tmp_dir, "exam-kiosk.log", NULL);
  g_strdelimit (uuid, "-", '_');
  fx->bus_name = g_strconcat ("io.github.examkiosk.Test.c", uuid, NULL);
  fx->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx)
{
  g_autofree char *log = NULL;

  kill_client (fx, SIGTERM);

  /* A critical in the client is a bug, whatever the page showed. */
  g_file_get_contents (fx->log_path, &log, NULL, NULL);
  if (log != NULL && strstr (log, "CRITICAL") != NULL)
    {
      show_log (fx);
      g_error ("exam-kiosk logged a critical");
    }

  g_clear_object (&fx->bus);
  ek_test_server_stop (fx->server);
  ek_test_remove_tree (fx->tmp_dir);
  g_free (fx->tmp_dir);
  g_free (fx->config_path);
  g_free (fx->log_path);
  g_free (fx->lockdown_path);
  g_free (fx->bus_name);
}

/* --- the server's side ---------------------------------------------------- */

static JsonObject *
admin_get (Fixture    *fx,
           const char *path)
{
  g_autoptr(EkHttpClient) client = ek_http_client_new ();
  g_autofree char *url = g_strconcat (ek_test_server_get_base_url (fx->server), path, NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("GET", url);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GBytes *body;

  ek_http_request_add_header (request, "X-Admin-Token", ek_test_server_get_admin_token (fx->server));
  response = ek_test_http_send (client, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ek_http_response_get_status (response), ==, 200);
  body = ek_http_response_get_body (response);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The exam as the server resolved it (absolute times). */
static JsonObject *
server_exam (Fixture    *fx,
             const char *exam_id)
{
  g_autoptr(JsonObject) exams = admin_get (fx, "/admin/exams");
  JsonArray *list = json_object_get_array_member (exams, "exams");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *exam = json_object_get_object_member (json_array_get_object_element (list, i), "exam");

      if (g_str_equal (json_object_get_string_member (exam, "id"), exam_id))
        return json_object_ref (exam);
    }

  g_error ("The server has no exam %s", exam_id);
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static guint
count_messages (JsonObject *session,
                const char *direction,
                const char *kind)
{
  JsonArray *messages = json_object_get_array_member (session, "messages");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (message, "direction", ""), direction) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "kind", ""), kind) == 0)
        n++;
    }
  return n;
}

static void
bind_second_view (Fixture    *fx,
                  const char *code)
{
  g_autoptr(EkHttpClient) client = ek_http_client_new ();
  g_autofree char *url = g_strconcat (ek_test_server_get_base_url (fx->server), "/v1/second-view/bind", NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", url);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"code\": \"%s\", \"device\": \"Test phone\"}", code);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  ek_http_request_set_body (request, "application/json", body);
  response = ek_test_http_send (client, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ek_http_response_get_status (response), ==, 200);
}

static gint64
server_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
wait_until_server_ms (gint64 when_ms)
{
  gint64 wait = when_ms - server_now_ms ();

  if (wait > 0)
    ek_test_sleep_ms ((guint) wait);
}

/* Presses Enter in the waiting room until the exam is on show: the button becomes active
 * on the page's own tick (and the lockdown is engaged first), so one press right at the
 * start may come too early on a loaded machine. */
static GVariant *
enter_exam (Fixture *fx)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_DEFAULT_MS * 1000;

  for (;;)
    {
      g_autoptr(GVariant) status = get_status (fx);
      g_autofree char *page = status_string (status, "page");

      if (g_str_equal (page, "exam"))
        return g_steal_pointer (&status);
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("Timed out entering the exam; status: %s", text);
        }
      if (g_str_equal (page, "waiting"))
        activate_on_page (fx, "waiting.enter");
      ek_test_sleep_ms (500);
    }
}

static void
login (Fixture    *fx,
       const char *mode,
       const char *token,
       const char *id_number)
{
  g_autofree char *action = g_strconcat ("win.start-mode::", mode, NULL);

  wait_for (fx, "page", "start", WAIT_DEFAULT_MS);
  activate_on_page (fx, action);
  wait_for (fx, "page", "login", WAIT_DEFAULT_MS);
  activate (fx, "test-login", g_variant_new ("(ss)", token, id_number));
  wait_for (fx, "page", "confirm", WAIT_DEFAULT_MS);
  activate_on_page (fx, "confirm.continue");
  wait_for (fx, "page", "pledge", WAIT_DEFAULT_MS);
  /* Accepting needs the tick first. */
  activate_on_page (fx, "pledge.accept");
  ek_test_sleep_ms (300);
  {
    g_autoptr(GVariant) status = get_status (fx);
    g_autofree char *page = status_string (status, "page");

    g_assert_cmpstr (page, ==, "pledge");
  }
  activate (fx, "test-check-all", NULL);
  activate_on_page (fx, "pledge.accept");
}

/* --- written answers ------------------------------------------------------ */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* Types an answer as the candidate would (app.test-answer): @json is its value. */
static void
enter_answer (Fixture    *fx,
              const char *question_id,
              const char *json)
{
  activate (fx, "test-answer", g_variant_new ("(ss)", question_id, json));
}

/* Waits until the question view's store holds exactly @expected (a JSON object of
 * question id to value) and returns the status. */
static GVariant *
wait_for_answers (Fixture    *fx,
                  const char *expected,
                  guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr(JsonNode) want = parse_json (expected);

  for (;;)
    {
      g_autoptr(GVariant) status = get_status (fx);
      g_autofree char *answers = status_string (status, "answers");

      if (*answers != '\0')
        {
          g_autoptr(JsonNode) have = parse_json (answers);

          if (json_node_equal (have, want))
            return g_steal_pointer (&status);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("Timed out waiting for the answers %s; status: %s", expected, text);
        }
      ek_test_sleep_ms (100);
    }
}

/* The answers the server holds for @session_id, as a JSON object of question id to value. */
static JsonNode *
server_answers (Fixture    *fx,
                const char *session_id)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (fx->server, session_id);
  JsonArray *answers = json_object_get_array_member (session, "answers");
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < json_array_get_length (answers); i++)
    {
      JsonObject *answer = json_array_get_object_element (answers, i);

      g_assert_cmpint (json_object_get_int_member (answer, "revision"), >, 0);
      json_object_set_member (object, json_object_get_string_member (answer, "question_id"),
                              json_node_copy (json_object_get_member (answer, "value")));
    }
  json_node_set_object (node, object);
  return node;
}

/* Waits until the server holds exactly @expected. */
static void
wait_for_server_answers (Fixture    *fx,
                         const char *session_id,
                         const char *expected,
                         guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr(JsonNode) want = parse_json (expected);

  for (;;)
    {
      g_autoptr(JsonNode) have = server_answers (fx, session_id);

      if (json_node_equal (have, want))
        return;
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = json_to_string (have, FALSE);

          show_log (fx);
          g_error ("The server holds the answers %s, not %s", text, expected);
        }
      ek_test_sleep_ms (100);
    }
}

/* --- tests ---------------------------------------------------------------- */

static void
test_interview (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  JsonObject *state;
  JsonArray *steps;
  JsonArray *phases;
  gint64 sequence = -1;

  fixture_setup (&fx);
  exam = server_exam (&fx, "e2e-interview");
  phases = json_object_get_array_member (exam, "phases");
  start_client (&fx);

  login (&fx, "formal", "E2E-INTV-7K2P", "11010519491231002X");

  wait_for (&fx, "page", "room-scan", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "step.done");

  wait_for (&fx, "page", "draw", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "draw.draw");
  /* The number stays on screen although the session has moved on. */
  status = wait_for (&fx, "step", "attachments", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  ek_test_sleep_ms (300);
  status = get_status (&fx);
  {
    g_autofree char *page = status_string (status, "page");
    g_autofree char *text = NULL;
    g_autofree char *number = NULL;

    g_assert_cmpstr (page, ==, "draw");
    g_assert_true (g_variant_lookup (status, "sequence", "x", &sequence));
    g_assert_cmpint (sequence, >, 0);
    number = g_strdup_printf ("%" G_GINT64_FORMAT, sequence);
    text = status_string (status, "text");
    g_assert_nonnull (strstr (text, number));
  }
  g_clear_pointer (&status, g_variant_unref);
  activate_on_page (&fx, "draw.continue");

  wait_for (&fx, "page", "attachments", WAIT_DEFAULT_MS);
  /* The Markdown attachment, rendered in the kiosk. */
  g_variant_unref (wait_for_text (&fx, "text", "Read each question carefully", WAIT_DEFAULT_MS));
  activate_on_page (&fx, "attachments.done");

  wait_for (&fx, "page", "device", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "devices.confirm");

  status = wait_for (&fx, "page", "waiting", WAIT_DEFAULT_MS);
  session_id = status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);

  /* Entry opens at the start: the server has the pledge, the steps and the draw. */
  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  steps = json_object_get_array_member (state, "completed_steps");
  g_assert_true (array_has_string (steps, "pledge"));
  g_assert_true (array_has_string (steps, "room_scan"));
  g_assert_true (array_has_string (steps, "draw"));
  g_assert_true (array_has_string (steps, "attachments"));
  g_assert_true (array_has_string (steps, "device_confirm"));
  g_assert_cmpint (json_object_get_int_member (state, "sequence_number"), ==, sequence);
  g_clear_pointer (&session, json_object_unref);

  activate_on_page (&fx, "waiting.enter");
  ek_test_sleep_ms (300);
  status = get_status (&fx);
  {
    g_autofree char *page = status_string (status, "page");

    /* Not before the start. */
    g_assert_cmpstr (page, ==, "waiting");
  }
  g_clear_pointer (&status, g_variant_unref);

  wait_until_server_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (enter_exam (&fx));
  g_assert_cmpuint (wait_for_questions (&fx, WAIT_DEFAULT_MS), ==, 2);

  /* The proctor writes; the badge counts it; Help shows it. */
  ek_test_server_send_message (fx.server, session_id, "chat", "Hello from the proctor");
  g_variant_unref (wait_for (&fx, "unread", "1", WAIT_DEFAULT_MS));
  activate_on_page (&fx, "exam.help");
  g_variant_unref (wait_for (&fx, "unread", "", WAIT_DEFAULT_MS));
  g_variant_unref (wait_for_text (&fx, "text", "Hello from the proctor", WAIT_DEFAULT_MS));
  activate (&fx, "test-type", g_variant_new_string ("My camera works"));

  /* A warning covers the page until acknowledged. */
  ek_test_server_send_message (fx.server, session_id, "warning", "Please look at the screen.");
  status = wait_for_text (&fx, "text", "Please look at the screen.", WAIT_DEFAULT_MS);
  {
    gboolean warning = FALSE;

    g_assert_true (g_variant_lookup (status, "warning", "b", &warning));
    g_assert_true (warning);
  }
  g_clear_pointer (&status, g_variant_unref);
  activate_on_page (&fx, "exam.ack-warning");
  activate_on_page (&fx, "exam.hand-raise");

  /* The reading phase ends; the answering phase's questions come by themselves. */
  {
    gint64 answering_starts = json_object_get_int_member (json_array_get_object_element (phases, 1), "starts_ms");
    gint32 phase = -1;

    wait_until_server_ms (answering_starts + 1500);
    status = get_status (&fx);
    g_assert_true (g_variant_lookup (status, "phase", "i", &phase));
    g_assert_cmpint (phase, ==, 1);
    g_clear_pointer (&status, g_variant_unref);
    g_assert_cmpuint (wait_for_questions (&fx, WAIT_DEFAULT_MS), ==, 2);
  }

  /* The last minute is marked (the whole phase is shorter than a minute). */
  status = get_status (&fx);
  {
    gboolean last_minute = FALSE;

    g_assert_true (g_variant_lookup (status, "countdown-last-minute", "b", &last_minute));
    g_assert_true (last_minute);
  }
  g_clear_pointer (&status, g_variant_unref);

  /* The exam ends by itself; the server confirms it. */
  wait_for (&fx, "page", "finish", 20000);
  g_variant_unref (wait_for_text (&fx, "text", "The exam server has confirmed the end of your exam",
                                   WAIT_DEFAULT_MS));

  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  g_assert_false (json_object_get_null_member (state, "entered_ms"));
  g_assert_cmpuint (count_messages (session, "from_client", "ack"), ==, 1);
  g_assert_cmpuint (count_messages (session, "from_client", "hand_raise"), ==, 1);
  g_assert_cmpuint (count_messages (session, "from_client", "chat"), ==, 1);

  fixture_teardown (&fx);
}

/* A text answer with what could go wrong on the way: quotes, a line break,
 * Chinese, an emoji outside the BMP. */
#define WRITTEN_W4 "\"The client resumes from the server's offset: \\\"断点续传\\\"\\nnot from zero 🙂\""
#define WRITTEN_ANSWERS "{\"w1\": \"b\", \"w2\": [\"a\", \"c\"], \"w3\": true, \"w4\": " WRITTEN_W4 "}"

static void
test_written (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  JsonObject *state;
  JsonArray *steps;
  JsonArray *second_view;

  fixture_setup (&fx);
  exam = server_exam (&fx, "e2e-written");
  start_client (&fx);

  /* A typing mistake is caught on this computer, with the reason. */
  wait_for (&fx, "page", "start", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "win.start-mode::mock");
  wait_for (&fx, "page", "login", WAIT_DEFAULT_MS);
  activate (&fx, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "110105199003071238"));
  g_variant_unref (wait_for_text (&fx, "error", "last character does not match", WAIT_DEFAULT_MS));
  activate (&fx, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "11010519900307123"));
  g_variant_unref (wait_for_text (&fx, "error", "18 characters", WAIT_DEFAULT_MS));
  /* Wrong token: the server's refusal, in its own words. */
  activate (&fx, "test-login", g_variant_new ("(ss)", "E2E-NOPE-0000", "110105199003071239"));
  g_variant_unref (wait_for_text (&fx, "error", "do not match any candidate", WAIT_DEFAULT_MS));
  activate (&fx, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "1101 0519 9003 0712 39"));
  wait_for (&fx, "page", "confirm", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "confirm.continue");
  wait_for (&fx, "page", "pledge", WAIT_DEFAULT_MS);
  activate (&fx, "test-check-all", NULL);
  activate_on_page (&fx, "pledge.accept");

  /* The second view: the "phone" binds the code the QR code carries. */
  status = wait_for (&fx, "page", "second-view", WAIT_DEFAULT_MS);
  session_id = status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_variant_unref (wait_for_text (&fx, "text", "Waiting for your phone", WAIT_DEFAULT_MS));
  session = ek_test_server_get_session (fx.server, session_id);
  second_view = json_object_get_array_member (session, "second_view");
  g_assert_cmpuint (json_array_get_length (second_view), ==, 1);
  bind_second_view (&fx, json_object_get_string_member (json_array_get_object_element (second_view, 0), "code"));
  g_clear_pointer (&session, json_object_unref);

  wait_for (&fx, "page", "paper-check", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "step.done");
  wait_for (&fx, "page", "device", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "devices.confirm");
  wait_for (&fx, "page", "waiting", WAIT_DEFAULT_MS);

  wait_until_server_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (enter_exam (&fx));

  /* Too early to hand in: refused, with the time it becomes possible. */
  activate_on_page (&fx, "exam.end");
  g_variant_unref (wait_for_text (&fx, "error", "You can submit from", WAIT_DEFAULT_MS));

  g_assert_cmpuint (wait_for_questions (&fx, WAIT_DEFAULT_MS), ==, 4);

  /* Answers, one of them changed: only the last value counts. */
  enter_answer (&fx, "w1", "\"a\"");
  enter_answer (&fx, "w2", "[\"a\", \"c\"]");
  enter_answer (&fx, "w1", "\"b\"");
  enter_answer (&fx, "w3", "true");
  status = wait_for_answers (&fx, "{\"w1\": \"b\", \"w2\": [\"a\", \"c\"], \"w3\": true}",
                             WAIT_DEFAULT_MS);
  {
    guint32 unanswered = 0;
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "unanswered", "u", &unanswered));
    g_assert_cmpuint (unanswered, ==, 1);
    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  enter_answer (&fx, "w4", WRITTEN_W4);
  g_variant_unref (wait_for_answers (&fx, WRITTEN_ANSWERS, WAIT_DEFAULT_MS));

  wait_until_server_ms (json_object_get_int_member (exam, "min_submit_ms") + 300);
  activate_on_page (&fx, "exam.end");
  /* The question view's confirmation. */
  g_variant_unref (wait_for_text (&fx, "text", "This cannot be undone", WAIT_DEFAULT_MS));
  activate (&fx, "test-click", g_variant_new_string ("Submit"));
  wait_for (&fx, "page", "finish", WAIT_DEFAULT_MS);
  g_variant_unref (wait_for_text (&fx, "text", "You have handed in your exam", WAIT_DEFAULT_MS));
  g_variant_unref (wait_for_text (&fx, "text", "The exam server has confirmed", WAIT_DEFAULT_MS));
  /* The recording (test sources) goes up; "complete" only once the server has
   * confirmed every segment (EkOutbox:complete). */
  g_variant_unref (wait_for_text (&fx, "text", "Upload complete", 60000));

  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  steps = json_object_get_array_member (state, "completed_steps");
  g_assert_true (array_has_string (steps, "pledge"));
  g_assert_true (array_has_string (steps, "second_view"));
  g_assert_true (array_has_string (steps, "paper_check"));
  g_assert_true (array_has_string (steps, "device_confirm"));
  g_assert_false (json_object_get_null_member (state, "submitted_ms"));
  g_assert_cmpstr (json_object_get_string_member (state, "end_reason"), ==, "submitted");
  /* Every answer arrived before the submission, exactly as entered, and counted. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (session, "session"),
                                               "answer_count"), ==, 4);
  {
    g_autoptr(JsonNode) have = server_answers (&fx, session_id);
    g_autoptr(JsonNode) want = parse_json (WRITTEN_ANSWERS);
    g_autofree char *text = json_to_string (have, FALSE);

    g_test_message ("server answers: %s", text);
    g_assert_true (json_node_equal (have, want));
  }

  fixture_teardown (&fx);
}

#define CRASH_C2 "\"Kept across a crash: 断电也不丢\""
#define CRASH_ANSWERS "{\"c1\": \"b\", \"c2\": " CRASH_C2 "}"

static void
test_crash (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  gint64 ends_ms;
  gint64 shown_ms = -1;
  gint64 truth_ms;
  gint64 before_ms;
  gint64 after_ms;

  fixture_setup (&fx);
  exam = server_exam (&fx, "e2e-crash");
  ends_ms = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (exam, "phases"), 0),
                                        "ends_ms");
  start_client (&fx);

  login (&fx, "formal", "E2E-CRSH-9Q3M", "310115198805122048");
  wait_for (&fx, "page", "device", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "devices.confirm");
  wait_for (&fx, "page", "waiting", WAIT_DEFAULT_MS);
  wait_until_server_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  status = enter_exam (&fx);
  session_id = status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpuint (wait_for_questions (&fx, WAIT_DEFAULT_MS), ==, 2);

  /* Answers typed just before the crash. */
  enter_answer (&fx, "c1", "\"b\"");
  enter_answer (&fx, "c2", CRASH_C2);
  g_variant_unref (wait_for_answers (&fx, CRASH_ANSWERS, WAIT_DEFAULT_MS));
  /* Saved at once: the local write is a matter of milliseconds. */
  ek_test_sleep_ms (300);

  /* Killed without a chance to save anything. */
  kill_client (&fx, SIGKILL);
  ek_test_sleep_ms (1000);

  start_client (&fx);
  /* Straight back into the exam: the token came from the keyring, no login. */
  wait_for (&fx, "page", "exam", WAIT_DEFAULT_MS);
  wait_for_questions (&fx, WAIT_DEFAULT_MS);

  before_ms = server_now_ms ();
  status = get_status (&fx);
  after_ms = server_now_ms ();
  g_assert_true (g_variant_lookup (status, "countdown-ms", "x", &shown_ms));
  g_clear_pointer (&status, g_variant_unref);
  truth_ms = ends_ms - (before_ms + after_ms) / 2;
  g_test_message ("countdown shows %" G_GINT64_FORMAT " ms, truth %" G_GINT64_FORMAT " ms (±%" G_GINT64_FORMAT ")",
                  shown_ms, truth_ms, (after_ms - before_ms) / 2);
  g_assert_cmpint (ABS (shown_ms - truth_ms), <, 1000 - (after_ms - before_ms) / 2);

  /* The same answers on screen again, still open to change; and on the server. */
  status = wait_for_answers (&fx, CRASH_ANSWERS, WAIT_DEFAULT_MS);
  {
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  wait_for_server_answers (&fx, session_id, CRASH_ANSWERS, WAIT_DEFAULT_MS);

  /* The proctor collects the exam: obeyed at once. */
  ek_test_server_send_message (fx.server, session_id, "end_exam", "Collected by the proctor");
  wait_for (&fx, "page", "finish", 10000);
  g_variant_unref (wait_for_text (&fx, "text", "The proctor has ended your exam", WAIT_DEFAULT_MS));

  session = ek_test_server_get_session (fx.server, session_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"), "end_reason"),
                   ==, "forced_by_proctor");

  fixture_teardown (&fx);
}

/* Waits until the client's log has @needle. */
static void
wait_for_log (Fixture    *fx,
              const char *needle,
              guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autofree char *log = NULL;

      if (g_file_get_contents (fx->log_path, &log, NULL, NULL) && strstr (log, needle) != NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        {
          show_log (fx);
          g_error ("Timed out waiting for “%s” in the client's log", needle);
        }
      ek_test_sleep_ms (100);
    }
}

static guint
count_in_log (Fixture    *fx,
              const char *needle)
{
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (fx->log_path, &log, NULL, NULL))
    return 0;
  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static void
xdotool (const char *args)
{
  g_autofree char *command = g_strconcat ("xdotool ", args, NULL);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_command_line_sync (command, NULL, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
}

static void
test_lockdown (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *lockdown = NULL;
  gint64 deadline;
  guint refusals;
  int wait_status = 0;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return;
    }

  fixture_setup (&fx);
  exam = server_exam (&fx, "e2e-lockdown");
  start_client (&fx);

  /* Before the exam nothing is locked down. */
  status = wait_for (&fx, "page", "start", WAIT_DEFAULT_MS);
  g_assert_false (g_variant_lookup (status, "lockdown", "&s", NULL));
  g_clear_pointer (&status, g_variant_unref);

  login (&fx, "formal", "E2E-LOCK-7K2P", "310115198805122048");
  wait_for (&fx, "page", "device", WAIT_DEFAULT_MS);
  activate_on_page (&fx, "devices.confirm");
  wait_for (&fx, "page", "waiting", WAIT_DEFAULT_MS);
  wait_until_server_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (enter_exam (&fx));
  status = wait_for (&fx, "lockdown", "engaged", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  wait_for_log (&fx, "Lockdown engaged", WAIT_DEFAULT_MS);
  /* The watermark of the seat lies over the exam. */
  g_variant_unref (wait_for_text (&fx, "text", "E-017", WAIT_DEFAULT_MS));

  /* The keyboard is grabbed: Alt+Tab reaches the kiosk only, which keeps it. */
  xdotool ("key alt+Tab");
  wait_for_log (&fx, "Lockdown: kept the shortcut", 5000);

  /* Closing the window is refused. */
  activate_on_page (&fx, "window.close");
  ek_test_sleep_ms (500);
  g_assert_cmpint (waitpid (fx.pid, &wait_status, WNOHANG), ==, 0);
  wait_for (&fx, "page", "exam", WAIT_DEFAULT_MS);

  /* The technician's key combination asks for the password, in the window. */
  xdotool ("key ctrl+alt+shift+q");
  wait_for (&fx, "page", "quit", WAIT_DEFAULT_MS);

  /* A wrong password: refused, the kiosk stays, locked down. */
  activate (&fx, "test-type", g_variant_new_string ("not-the-password"));
  g_variant_unref (wait_for_text (&fx, "error", "not the quit password", 20000));
  status = get_status (&fx);
  lockdown = status_string (status, "lockdown");
  g_assert_cmpstr (lockdown, ==, "engaged");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpint (waitpid (fx.pid, &wait_status, WNOHANG), ==, 0);

  /* Back to the exam and again: the right password releases the lockdown and quits. The
   * gate may ask to wait after a wrong guess. */
  activate_on_page (&fx, "win.technician-quit-cancel");
  wait_for (&fx, "page", "exam", WAIT_DEFAULT_MS);
  xdotool ("key ctrl+alt+shift+q");
  wait_for (&fx, "page", "quit", WAIT_DEFAULT_MS);
  /* Refusals are counted in the client's log (no D-Bus call races the exit). */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  refusals = count_in_log (&fx, "quit refused");
  activate (&fx, "test-type", g_variant_new_string ("Technician-42"));
  for (;;)
    {
      pid_t pid = waitpid (fx.pid, &wait_status, WNOHANG);

      if (pid == fx.pid)
        break;
      g_assert_cmpint (pid, ==, 0);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (count_in_log (&fx, "quit refused") > refusals)
        {
          /* Rate-limited after the wrong guess: the gate said to wait. */
          refusals = count_in_log (&fx, "quit refused");
          ek_test_sleep_ms (1000);
          activate (&fx, "test-type", g_variant_new_string ("Technician-42"));
        }
      ek_test_sleep_ms (100);
    }
  g_spawn_close_pid (fx.pid);
  fx.running = FALSE;
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  wait_for_log (&fx, "Lockdown released", 1000);

  fixture_teardown (&fx);
}

/* From the start page into the practice written test's exam page. */
static void
enter_practice_written (Fixture *fx)
{
  gint64 deadline;

  wait_for (fx, "page", "start", WAIT_DEFAULT_MS);
  activate_on_page (fx, "win.start-mode::practice");
  wait_for (fx, "page", "practice", WAIT_DEFAULT_MS);
  activate_on_page (fx, "win.start-practice(uint32 1)");
  wait_for (fx, "page", "confirm", WAIT_DEFAULT_MS);
  activate_on_page (fx, "confirm.continue");
  wait_for (fx, "page", "pledge", WAIT_DEFAULT_MS);
  activate (fx, "test-check-all", NULL);
  activate_on_page (fx, "pledge.accept");

  /* The device step if there is one, the waiting room (15 s), the exam. */
  deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GVariant) status = get_status (fx);
      g_autofree char *page = status_string (status, "page");

      if (g_str_equal (page, "exam"))
        break;
      if (g_str_equal (page, "device"))
        activate_on_page (fx, "devices.confirm");
      else if (g_str_equal (page, "waiting"))
        activate_on_page (fx, "waiting.enter");
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          show_log (fx);
          g_error ("The practice exam did not start; status: %s", text);
        }
      ek_test_sleep_ms (300);
    }
  g_assert_cmpuint (wait_for_questions (fx, WAIT_DEFAULT_MS), ==, 4);
}

static void
test_practice_written (void)
{
  Fixture fx = { 0 };
  g_autoptr(GVariant) status = NULL;

  fixture_setup (&fx);
  start_client (&fx);

  enter_practice_written (&fx);
  enter_answer (&fx, "w1", "\"b\"");
  enter_answer (&fx, "w3", "false");
  status = wait_for_answers (&fx, "{\"w1\": \"b\", \"w3\": false}", WAIT_DEFAULT_MS);
  {
    guint32 unanswered = 0;

    g_assert_true (g_variant_lookup (status, "unanswered", "u", &unanswered));
    g_assert_cmpuint (unanswered, ==, 2);
  }
  g_clear_pointer (&status, g_variant_unref);

  /* No server to wait for: handed in at once after the confirmation. */
  activate_on_page (&fx, "exam.end");
  g_variant_unref (wait_for_text (&fx, "text", "This cannot be undone", WAIT_DEFAULT_MS));
  activate (&fx, "test-click", g_variant_new_string ("Submit"));
  wait_for (&fx, "page", "finish", WAIT_DEFAULT_MS);

  /* Another run: a blank answer sheet, open to answers. */
  activate_on_page (&fx, "finish.leave");
  enter_practice_written (&fx);
  status = wait_for_answers (&fx, "{}", WAIT_DEFAULT_MS);
  {
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  enter_answer (&fx, "w2", "[\"b\"]");
  g_variant_unref (wait_for_answers (&fx, "{\"w2\": [\"b\"]}", WAIT_DEFAULT_MS));

  fixture_teardown (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("No display or session bus: run through meson test (tests/run-headless.sh)\n");
      return 77;
    }

  g_test_add_func ("/e2e/interview", test_interview);
  g_test_add_func ("/e2e/written", test_written);
  g_test_add_func ("/e2e/crash", test_crash);
  g_test_add_func ("/e2e/practice-written", test_practice_written);
  g_test_add_func ("/e2e/lockdown", test_lockdown);

  return g_test_run ();
}
