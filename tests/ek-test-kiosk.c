/* ek-test-kiosk.c: a real exam-kiosk process driven through its test hooks
 *
 * See ek-test-kiosk.h.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "ek-event-log.h"
#include "ek-test-kiosk.h"

#define OBJECT_PATH "/io/github/examkiosk/Kiosk"
/* A freshly started client on a loaded machine (sanitizers, parallel tests) may take
 * more than D-Bus's usual patience to answer its first call. */
#define DBUS_TIMEOUT_MS 30000

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

static void
write_config (EkTestKiosk *kiosk,
              const char  *pinned_key)
{
  g_autofree char *pin = pinned_key != NULL ? g_strdup_printf ("pinned-key=%s\n", pinned_key)
                                            : g_strdup ("");
  g_autofree char *contents = NULL;

  g_assert_no_errno (g_mkdir_with_parents (kiosk->data_dir, 0700));
  contents = g_strdup_printf ("[server]\nurl=%s\n%s[storage]\ndata-dir=%s\n[media]\nsource=test\n",
                              ek_test_server_get_base_url (kiosk->server), pin, kiosk->data_dir);
  kiosk->config_path = g_build_filename (kiosk->tmp_dir, "exam-kiosk.conf", NULL);
  make_file (kiosk->config_path, contents);
}

/* The lockdown's probe sources for the client (ui/ek-lockdown-test.h): a clean machine. */
static void
write_lockdown_config (EkTestKiosk *kiosk)
{
  g_autofree char *dmi = g_build_filename (kiosk->tmp_dir, "probe", "dmi", NULL);
  g_autofree char *vendor = g_build_filename (dmi, "sys_vendor", NULL);
  g_autofree char *cpuinfo = g_build_filename (kiosk->tmp_dir, "probe", "cpuinfo", NULL);
  g_autofree char *sys = g_build_filename (kiosk->tmp_dir, "probe", "sys", NULL);
  g_autofree char *bin = g_build_filename (kiosk->tmp_dir, "probe", "bin", NULL);
  g_autofree char *preload = g_build_filename (kiosk->tmp_dir, "probe", "no-ld.so.preload", NULL);
  g_autofree char *contents = NULL;

  make_file (vendor, "Example Computers Inc.\n");
  make_file (cpuinfo, "processor\t: 0\nflags\t\t: fpu vme sse2\n");
  g_assert_no_errno (g_mkdir_with_parents (sys, 0700));
  g_assert_no_errno (g_mkdir_with_parents (bin, 0700));
  contents = g_strdup_printf ("{\"test\": {\"xtest_filter\": false, \"dmi_dir\": \"%s\","
                              " \"cpuinfo\": \"%s\", \"sys_root\": \"%s\", \"preload_path\": \"%s\","
                              " \"search_path\": [\"%s\"]}}", dmi, cpuinfo, sys, preload, bin);
  kiosk->lockdown_path = g_build_filename (kiosk->tmp_dir, "lockdown-test.json", NULL);
  make_file (kiosk->lockdown_path, contents);
}

/**
 * ek_test_kiosk_new:
 * @server: (transfer none): the server the kiosk is configured for
 * @data_dir: (nullable): the kiosk's data folder; %NULL: one in a fresh temporary folder
 * @pinned_key: (nullable): the [server] pinned-key of its configuration
 */
EkTestKiosk *
ek_test_kiosk_new (EkTestServer *server,
                   const char   *data_dir,
                   const char   *pinned_key)
{
  EkTestKiosk *kiosk = g_new0 (EkTestKiosk, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();

  kiosk->server = server;
  kiosk->tmp_dir = ek_test_make_tmp_dir ();
  kiosk->data_dir = data_dir != NULL ? g_strdup (data_dir)
                                     : g_build_filename (kiosk->tmp_dir, "data", NULL);
  write_config (kiosk, pinned_key);
  write_lockdown_config (kiosk);
  kiosk->log_path = g_build_filename (kiosk->tmp_dir, "exam-kiosk.log", NULL);
  g_strdelimit (uuid, "-", '_');
  kiosk->bus_name = g_strconcat ("io.github.examkiosk.Test.c", uuid, NULL);
  kiosk->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  return kiosk;
}

void
ek_test_kiosk_free (EkTestKiosk *kiosk)
{
  g_autofree char *log = NULL;

  ek_test_kiosk_kill (kiosk, SIGTERM);

  /* A critical in the client is a bug, whatever the page showed. */
  g_file_get_contents (kiosk->log_path, &log, NULL, NULL);
  if (log != NULL && strstr (log, "CRITICAL") != NULL)
    {
      ek_test_kiosk_show_log (kiosk);
      g_error ("exam-kiosk logged a critical");
    }

  g_clear_object (&kiosk->bus);
  g_strfreev (kiosk->env);
  ek_test_remove_tree (kiosk->tmp_dir);
  g_free (kiosk->tmp_dir);
  g_free (kiosk->data_dir);
  g_free (kiosk->config_path);
  g_free (kiosk->log_path);
  g_free (kiosk->lockdown_path);
  g_free (kiosk->launcher);
  g_free (kiosk->bus_name);
  g_free (kiosk);
}

void
ek_test_kiosk_show_log (EkTestKiosk *kiosk)
{
  g_autofree char *log = NULL;

  if (g_file_get_contents (kiosk->log_path, &log, NULL, NULL))
    g_printerr ("--- exam-kiosk's output ---\n%s--- end ---\n", log);
}

gboolean
ek_test_kiosk_log_has (EkTestKiosk *kiosk,
                       const char  *needle)
{
  g_autofree char *log = NULL;

  return g_file_get_contents (kiosk->log_path, &log, NULL, NULL) && strstr (log, needle) != NULL;
}

/* How often the client's log has @needle. */
guint
ek_test_kiosk_log_count (EkTestKiosk *kiosk,
                         const char  *needle)
{
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (kiosk->log_path, &log, NULL, NULL))
    return 0;
  for (const char *p = strstr (log, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* Waits until the client's log has @needle at least @n times. */
void
ek_test_kiosk_wait_log (EkTestKiosk *kiosk,
                        const char  *needle,
                        guint        n,
                        guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (ek_test_kiosk_log_count (kiosk, needle) < n)
    {
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (kiosk);
          g_error ("Timed out waiting for %u × “%s” in the client's log", n, needle);
        }
      ek_test_sleep_ms (100);
    }
}

static gboolean
name_has_owner (EkTestKiosk *kiosk)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (kiosk->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", kiosk->bus_name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

void
ek_test_kiosk_start (EkTestKiosk *kiosk)
{
  g_autofree char *binary = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
  const char *argv[] = { kiosk->launcher != NULL ? kiosk->launcher : binary, "--config",
                         kiosk->config_path, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  gint64 deadline;
  int log_fd;

  g_assert_false (kiosk->running);
  env = g_environ_setenv (env, "EK_TEST_BUS_NAME", kiosk->bus_name, TRUE);
  env = g_environ_setenv (env, "EK_TEST_LOCKDOWN_CONFIG", kiosk->lockdown_path, TRUE);
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
  for (guint i = 0; kiosk->env != NULL && kiosk->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (kiosk->env[i], "=", 2);

      env = g_environ_setenv (env, pair[0], pair[1], TRUE);
    }

  /* The client's output goes to a log file (stdout is the TAP stream), shown when
   * the client goes away unexpectedly. */
  log_fd = g_open (kiosk->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  g_spawn_async_with_fds (NULL, (char **) argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                          &kiosk->pid, -1, log_fd, log_fd, &error);
  close (log_fd);
  g_assert_no_error (error);
  kiosk->running = TRUE;

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!name_has_owner (kiosk))
    {
      int status;

      if (waitpid (kiosk->pid, &status, WNOHANG) == kiosk->pid)
        {
          ek_test_kiosk_show_log (kiosk);
          g_error ("exam-kiosk exited at start (status %d)", status);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("exam-kiosk did not appear on the bus");
      ek_test_sleep_ms (50);
    }
}

void
ek_test_kiosk_kill (EkTestKiosk *kiosk,
                    int          signal_number)
{
  int status;

  if (!kiosk->running)
    return;

  /* In the dedicated exam session the kiosk is the launcher's child: the session (and
   * its X server) ends when the kiosk does. */
  if (kiosk->launcher != NULL)
    {
      g_autoptr(GVariant) reply = NULL;
      guint32 kiosk_pid = 0;

      reply = g_dbus_connection_call_sync (kiosk->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                           g_variant_new ("(s)", kiosk->bus_name), G_VARIANT_TYPE ("(u)"),
                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      if (reply != NULL)
        {
          g_variant_get (reply, "(u)", &kiosk_pid);
          kill ((pid_t) kiosk_pid, signal_number);
        }
      else
        kill (kiosk->pid, SIGKILL);
    }
  else
    kill (kiosk->pid, signal_number);
  waitpid (kiosk->pid, &status, 0);
  g_spawn_close_pid (kiosk->pid);
  kiosk->running = FALSE;

  /* Until the bus has seen the old owner go, a new client could not take the name. */
  while (name_has_owner (kiosk))
    ek_test_sleep_ms (20);
}

/* The program the next starts run instead of exam-kiosk (with the same arguments): the
 * dedicated exam session's launcher, which starts the kiosk in a session of its own. */
void
ek_test_kiosk_set_launcher (EkTestKiosk *kiosk,
                            const char  *launcher)
{
  g_free (kiosk->launcher);
  kiosk->launcher = g_strdup (launcher);
}

/* An environment variable for the next starts of the client; @value %NULL: none. */
void
ek_test_kiosk_set_env (EkTestKiosk *kiosk,
                       const char  *name,
                       const char  *value)
{
  kiosk->env = g_environ_unsetenv (kiosk->env, name);
  if (value != NULL)
    kiosk->env = g_environ_setenv (kiosk->env, name, value, TRUE);
}

/* Waits for the client to end by itself (a test hook's kill). Returns FALSE if it
 * still runs after @timeout_ms. */
gboolean
ek_test_kiosk_wait_exit (EkTestKiosk *kiosk,
                         guint        timeout_ms,
                         int         *wait_status)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  g_assert_true (kiosk->running);
  while (waitpid (kiosk->pid, wait_status, WNOHANG) != kiosk->pid)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      ek_test_sleep_ms (20);
    }
  g_spawn_close_pid (kiosk->pid);
  kiosk->running = FALSE;
  while (name_has_owner (kiosk))
    ek_test_sleep_ms (20);
  return TRUE;
}

void
ek_test_kiosk_activate (EkTestKiosk *kiosk,
                        const char  *action,
                        GVariant    *parameter)
{
  GVariantBuilder params;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  if (parameter != NULL)
    g_variant_builder_add (&params, "v", parameter);

  reply = g_dbus_connection_call_sync (kiosk->bus, kiosk->bus_name, OBJECT_PATH, "org.gtk.Actions",
                                       "Activate",
                                       g_variant_new ("(sava{sv})", action, &params, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
}

void
ek_test_kiosk_activate_on_page (EkTestKiosk *kiosk,
                                const char  *detailed_action)
{
  ek_test_kiosk_activate (kiosk, "test-activate", g_variant_new_string (detailed_action));
}

/* As ek_test_kiosk_activate_on_page(), for a client that may be gone by now (killed by
 * a test hook): FALSE if the call did not reach it. */
gboolean
ek_test_kiosk_try_activate_on_page (EkTestKiosk *kiosk,
                                    const char  *detailed_action)
{
  GVariantBuilder params;
  g_autoptr(GVariant) reply = NULL;

  g_variant_builder_init (&params, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&params, "v", g_variant_new_string (detailed_action));
  reply = g_dbus_connection_call_sync (kiosk->bus, kiosk->bus_name, OBJECT_PATH, "org.gtk.Actions",
                                       "Activate",
                                       g_variant_new ("(sava{sv})", "test-activate", &params, NULL),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS, NULL, NULL);
  return reply != NULL;
}

GVariant *
ek_test_kiosk_get_status (EkTestKiosk *kiosk)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  gboolean enabled;
  const char *type;

  reply = g_dbus_connection_call_sync (kiosk->bus, kiosk->bus_name, OBJECT_PATH, "org.gtk.Actions",
                                       "Describe", g_variant_new ("(s)", "test-status"),
                                       G_VARIANT_TYPE ("((bgav))"), G_DBUS_CALL_FLAGS_NONE,
                                       DBUS_TIMEOUT_MS, NULL, &error);
  if (error != NULL && kiosk->running)
    {
      int wait_status = 0;

      if (waitpid (kiosk->pid, &wait_status, WNOHANG) == kiosk->pid)
        {
          kiosk->running = FALSE;
          ek_test_kiosk_show_log (kiosk);
          g_error ("exam-kiosk has gone: %s (wait status 0x%x)", error->message, wait_status);
        }
    }
  g_assert_no_error (error);
  g_variant_get (reply, "((b&gav))", &enabled, &type, &iter);
  g_assert_true (g_variant_iter_next (iter, "v", &state));
  return g_steal_pointer (&state);
}

char *
ek_test_kiosk_status_string (GVariant   *status,
                             const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (status, key, NULL);

  if (value == NULL)
    return g_strdup ("");
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);
  /* Numbers and booleans as GVariant prints them: 1, true */
  return g_variant_print (value, FALSE);
}

char *
ek_test_kiosk_get_string (EkTestKiosk *kiosk,
                          const char  *key)
{
  g_autoptr(GVariant) status = ek_test_kiosk_get_status (kiosk);

  return ek_test_kiosk_status_string (status, key);
}

typedef gboolean (*StatusMatch) (GVariant   *status,
                                 const char *key,
                                 const char *value);

static gboolean
match_equal (GVariant   *status,
             const char *key,
             const char *value)
{
  g_autofree char *current = ek_test_kiosk_status_string (status, key);

  return g_str_equal (current, value);
}

static gboolean
match_contains (GVariant   *status,
                const char *key,
                const char *value)
{
  g_autofree char *current = ek_test_kiosk_status_string (status, key);

  return strstr (current, value) != NULL;
}

static gboolean
match_questions (GVariant   *status,
                 const char *key,
                 const char *value)
{
  guint32 n = 0;

  g_variant_lookup (status, "questions", "u", &n);
  return n > 0;
}

static gboolean
match_answers (GVariant   *status,
               const char *key,
               const char *value)
{
  g_autofree char *answers = ek_test_kiosk_status_string (status, "answers");
  g_autoptr(JsonNode) want = ek_test_parse_json (value);
  g_autoptr(JsonNode) have = NULL;

  if (*answers == '\0')
    return FALSE;
  have = ek_test_parse_json (answers);
  return json_node_equal (have, want);
}

static GVariant *
wait_status (EkTestKiosk *kiosk,
             StatusMatch  match,
             const char  *key,
             const char  *value,
             guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GVariant) status = ek_test_kiosk_get_status (kiosk);

      if (match (status, key, value))
        return g_steal_pointer (&status);
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          ek_test_kiosk_show_log (kiosk);
          g_error ("Timed out waiting for %s ~ “%s”; status: %s", key, value, text);
        }
      ek_test_sleep_ms (100);
    }
}

/* Waits until the status member @key is @value (numbers as GVariant prints them). */
GVariant *
ek_test_kiosk_wait_for (EkTestKiosk *kiosk,
                        const char  *key,
                        const char  *value,
                        guint        timeout_ms)
{
  return wait_status (kiosk, match_equal, key, value, timeout_ms);
}

/* Waits until the status member @key contains @needle. */
GVariant *
ek_test_kiosk_wait_for_text (EkTestKiosk *kiosk,
                             const char  *key,
                             const char  *needle,
                             guint        timeout_ms)
{
  return wait_status (kiosk, match_contains, key, needle, timeout_ms);
}

guint
ek_test_kiosk_wait_for_questions (EkTestKiosk *kiosk,
                                  guint        timeout_ms)
{
  g_autoptr(GVariant) status = wait_status (kiosk, match_questions, "questions", "> 0", timeout_ms);
  guint32 n = 0;

  g_variant_lookup (status, "questions", "u", &n);
  return n;
}

/* Waits until the question view's store holds exactly @expected (JSON: id to value). */
GVariant *
ek_test_kiosk_wait_for_answers (EkTestKiosk *kiosk,
                                const char  *expected,
                                guint        timeout_ms)
{
  return wait_status (kiosk, match_answers, "answers", expected, timeout_ms);
}

/* Types an answer as the candidate would (app.test-answer): @json is its value. */
void
ek_test_kiosk_answer (EkTestKiosk *kiosk,
                      const char  *question_id,
                      const char  *json)
{
  ek_test_kiosk_activate (kiosk, "test-answer", g_variant_new ("(ss)", question_id, json));
}

void
ek_test_kiosk_pass_pledge (EkTestKiosk *kiosk)
{
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "pledge", EK_TEST_KIOSK_WAIT_MS));
  ek_test_kiosk_activate (kiosk, "test-check-all", NULL);
  ek_test_kiosk_activate_on_page (kiosk, "pledge.accept");
}

/* From the start page past the details, to the pledge (not yet accepted). */
void
ek_test_kiosk_sign_in (EkTestKiosk *kiosk,
                       const char  *mode,
                       const char  *token,
                       const char  *id_number)
{
  g_autofree char *action = g_strconcat ("win.start-mode::", mode, NULL);

  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "start", EK_TEST_KIOSK_WAIT_MS));
  ek_test_kiosk_activate_on_page (kiosk, action);
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "login", EK_TEST_KIOSK_WAIT_MS));
  ek_test_kiosk_activate (kiosk, "test-login", g_variant_new ("(ss)", token, id_number));
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "confirm", EK_TEST_KIOSK_WAIT_MS));
  ek_test_kiosk_activate_on_page (kiosk, "confirm.continue");
}

/* From the start page to the pledge accepted. */
void
ek_test_kiosk_login (EkTestKiosk *kiosk,
                     const char  *mode,
                     const char  *token,
                     const char  *id_number)
{
  ek_test_kiosk_sign_in (kiosk, mode, token, id_number);
  ek_test_kiosk_pass_pledge (kiosk);
}

/* Presses Enter in the waiting room until the exam is on show: the button becomes active
 * on the page's own tick (and the lockdown is engaged first), so one press right at the
 * start may come too early on a loaded machine. */
GVariant *
ek_test_kiosk_enter_exam (EkTestKiosk *kiosk)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) EK_TEST_KIOSK_WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(GVariant) status = ek_test_kiosk_get_status (kiosk);
      g_autofree char *page = ek_test_kiosk_status_string (status, "page");

      if (g_str_equal (page, "exam"))
        return g_steal_pointer (&status);
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          ek_test_kiosk_show_log (kiosk);
          g_error ("Timed out entering the exam; status: %s", text);
        }
      if (g_str_equal (page, "waiting"))
        ek_test_kiosk_activate_on_page (kiosk, "waiting.enter");
      ek_test_sleep_ms (500);
    }
}

/* --- the server's side ---------------------------------------------------- */

JsonNode *
ek_test_parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* The exam as the server resolved it (absolute times). */
JsonObject *
ek_test_server_get_exam (EkTestServer *server,
                         const char   *exam_id)
{
  g_autoptr(JsonObject) exams = ek_test_server_admin_get (server, "/admin/exams");
  JsonArray *list = json_object_get_array_member (exams, "exams");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *exam = json_object_get_object_member (json_array_get_object_element (list, i), "exam");

      if (g_str_equal (json_object_get_string_member (exam, "id"), exam_id))
        return json_object_ref (exam);
    }

  g_error ("The server has no exam %s", exam_id);
}

/* The answers the server holds for @session_id, as a JSON object of question id to value. */
JsonNode *
ek_test_server_get_answers (EkTestServer *server,
                            const char   *session_id)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (server, session_id);
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

gboolean
ek_test_server_has_answers (EkTestServer *server,
                            const char   *session_id,
                            const char   *expected)
{
  g_autoptr(JsonNode) have = ek_test_server_get_answers (server, session_id);
  g_autoptr(JsonNode) want = ek_test_parse_json (expected);

  return json_node_equal (have, want);
}

/* Waits until the server holds exactly @expected (JSON: question id to value). */
void
ek_test_kiosk_wait_server_answers (EkTestKiosk *kiosk,
                                   const char  *session_id,
                                   const char  *expected,
                                   guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!ek_test_server_has_answers (kiosk->server, session_id, expected))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autoptr(JsonNode) have = ek_test_server_get_answers (kiosk->server, session_id);
          g_autofree char *text = json_to_string (have, FALSE);

          ek_test_kiosk_show_log (kiosk);
          g_error ("The server holds the answers %s, not %s", text, expected);
        }
      ek_test_sleep_ms (200);
    }
}

/* The session's event log as the server holds it (@session: the admin API's): one
 * unbroken chain from 64 zeros, each hash recomputed here from the protocol's
 * canonical form. Returns: (transfer none): the events. */
JsonArray *
ek_test_assert_event_chain (JsonObject *session)
{
  JsonArray *events = json_object_get_array_member (session, "events");
  const char *prev = "0000000000000000000000000000000000000000000000000000000000000000";

  g_assert_nonnull (events);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      g_autofree char *hash = ek_event_compute_hash (prev, event);

      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (event, "hash"), ==, hash);
      prev = json_object_get_string_member (event, "hash");
    }
  return events;
}

gint64
ek_test_now_ms (void)
{
  return g_get_real_time () / 1000;
}

void
ek_test_sleep_until_ms (gint64 when_ms)
{
  gint64 wait = when_ms - ek_test_now_ms ();

  if (wait > 0)
    ek_test_sleep_ms ((guint) wait);
}
