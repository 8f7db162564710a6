/* test-trust-sealed.c: questions delivered sealed ahead of time (protocol section 6.1)
 *
 * /trust/sealed/offline-start  the package is fetched at login and checked against the
 *                              exam's hash, the key released at check-in minutes
 *                              before the start and kept in the keyring; no phase
 *                              opens before its start in server time. Then the
 *                              network goes (the server's port refuses connections)
 *                              5 s before the start until 15 s after (the exam's
 *                              minute before and two minutes after, scaled down): the
 *                              candidate enters, reads both parts' questions (the
 *                              second part starts offline) and answers them; once the
 *                              network is back the entry (at the time it was made),
 *                              every answer, the events and the recording reach the
 *                              server, and the session finishes.
 * /trust/sealed/event-time     the events logged offline carry the server's time: with
 *                              the computer's wall clock 3 h ahead, an event that
 *                              happened 5 s ago and one of now reach the server with
 *                              the server time of those moments.
 * /trust/sealed/offline-restart  a kiosk killed after its check-in (a child
 *                              process: login, pledge, device, check-in, the copy
 *                              for a restart written, then SIGKILL) restarts with
 *                              the server's port refusing connections: it re-enters
 *                              from the keyring and the kept copy, enters at the
 *                              start, reads and answers; once the network is back the
 *                              entry, both answers and the events reach the server,
 *                              each exactly once.
 * /trust/sealed/bad-hash       a package altered on the way (the server's
 *                              sealed_corrupt fault) is refused with a translated
 *                              message and never used; the good one is taken when it
 *                              comes.
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gst/gst.h>

#include "ek-engine.h"
#include "ek-sealed-package.h"
#include "ek-test-server.h"

#define TOKEN "SEALED-3J7W"
#define ID    "11010519491231002X"

typedef struct
{
  EkTestServer *server;
  EkConfig     *config;
  char         *data_dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char * const corrupt[] = { "sealed_corrupt=true", NULL };
  EkTestServerOptions options = { .faults = corrupt };

  f->server = ek_test_server_start (data != NULL ? &options : NULL);
  f->data_dir = ek_test_make_tmp_dir ();
  f->config = ek_test_server_new_config (f->server, f->data_dir);
}

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until the server time @server_ms. */
static void
run_until_server_ms (EkEngine *engine,
                     gint64    server_ms)
{
  EkServerClock *clock = ek_engine_get_clock (engine);
  guint tick = g_timeout_add (20, on_tick_cb, NULL);

  while (ek_server_clock_now_ms (clock) < server_ms)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < 100 && G_OBJECT (f->config)->ref_count > 1; i++)
    {
      gint64 end = g_get_monotonic_time () + 100 * 1000;

      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
    }
  g_assert_finalize_object (f->config);
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->data_dir);
  g_free (f->data_dir);
}

static void
login (EkEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_engine_login_async (engine, TOKEN, ID, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
}

static void
step_ok (EkEngine *engine,
         EkStep    step)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (step == EK_STEP_PLEDGE)
    ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, &result);
  else
    ek_engine_complete_step_async (engine, step, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
}

static JsonArray *
questions (EkEngine  *engine,
           guint      phase,
           GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_engine_get_questions_async (engine, phase, NULL, ek_test_result_cb, &result);
  return ek_engine_get_questions_finish (engine, ek_test_wait (&result), error);
}

static gboolean
is_ready (gpointer data)
{
  return ek_engine_get_questions_ready (data);
}

static gboolean
has_store (gpointer data)
{
  return ek_engine_get_answer_store (data) != NULL;
}

static gboolean
has_problem (gpointer data)
{
  return ek_engine_get_questions_problem (data) != NULL;
}

static gboolean
is_finished (gpointer data)
{
  return ek_session_get_stage (ek_engine_get_session (data)) == EK_SESSION_STAGE_FINISHED;
}

static void
answer (EkAnswerStore *store,
        const char    *question_id,
        JsonNode      *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_answer_store_set_value (store, question_id, value, &error));
  g_assert_no_error (error);
  json_node_unref (value);
}

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

/* The elements of the admin view's array @array whose @member is @value: the first one
 * (NULL if none), and how many. */
static JsonObject *
find_element (JsonObject *session,
              const char *array,
              const char *member,
              const char *value,
              guint      *out_count)
{
  JsonArray *elements = json_object_get_array_member (session, array);
  JsonObject *first = NULL;
  guint n = 0;

  for (guint i = 0; elements != NULL && i < json_array_get_length (elements); i++)
    {
      JsonObject *element = json_array_get_object_element (elements, i);

      if (g_strcmp0 (json_object_get_string_member (element, member), value) != 0)
        continue;
      if (first == NULL)
        first = element;
      n++;
    }
  if (out_count != NULL)
    *out_count = n;
  return first;
}

static JsonObject *
server_answer (JsonObject *session,
               const char *question_id)
{
  return find_element (session, "answers", "question_id", question_id, NULL);
}

static JsonObject *
server_event (JsonObject *session,
              const char *type)
{
  return find_element (session, "events", "type", type, NULL);
}

static gboolean
server_has_event (JsonObject *session,
                  const char *type)
{
  return server_event (session, type) != NULL;
}

static guint
count_events (JsonObject *session,
              const char *type)
{
  guint n = 0;

  find_element (session, "events", "type", type, &n);
  return n;
}

static guint
count_answers (JsonObject *session,
               const char *question_id)
{
  guint n = 0;

  find_element (session, "answers", "question_id", question_id, &n);
  return n;
}

static const char *
question_id (JsonArray *list,
             guint      index)
{
  return json_object_get_string_member (json_array_get_object_element (list, index), "id");
}

static void
test_offline_start (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) part1 = NULL;
  g_autoptr(JsonArray) part2 = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *session_id = NULL;
  EkSession *session = ek_engine_get_session (engine);
  EkExam *exam;
  EkAnswerStore *store;
  gint64 starts_ms, part2_ms, entered_ms;
  JsonObject *a;

  login (engine);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  exam = ek_session_get_exam (session);
  g_assert_nonnull (ek_exam_get_sealed_sha256 (exam));
  starts_ms = ek_exam_get_starts_ms (exam);
  part2_ms = ek_exam_get_phase (exam, 1)->starts_ms;
  g_assert_cmpint (ek_server_clock_now_ms (ek_engine_get_clock (engine)), <, starts_ms - 6000);

  step_ok (engine, EK_STEP_PLEDGE);
  step_ok (engine, EK_STEP_DEVICE_CONFIRM);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);

  /* Package and key arrive in the waiting room, the check-in reaches the server. */
  ek_test_wait_for_predicate (is_ready, engine, 20000, "the sealed questions and their key");
  g_assert_null (ek_engine_get_questions_problem (engine));
  admin = ek_test_server_get_session (f->server, session_id);
  g_assert_false (json_object_get_null_member (admin, "checked_in_ms"));
  g_clear_pointer (&admin, json_object_unref);

  /* Held, but not opened before the part starts. */
  g_assert_null (questions (engine, 0, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PHASE_NOT_STARTED);
  g_clear_error (&error);

  /* The network goes a while before the start. */
  run_until_server_ms (engine, starts_ms - 5000);
  ek_test_server_disconnect (f->server);

  run_until_server_ms (engine, starts_ms);
  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
    g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  entered_ms = ek_session_get_state (session)->entered_ms;
  g_assert_cmpint (entered_ms, >=, starts_ms);

  /* Part 1: read and answered without the server; part 2 is not open yet. */
  g_assert_cmpint (ek_server_clock_now_ms (ek_engine_get_clock (engine)), <, part2_ms - 1000);
  g_assert_null (questions (engine, 1, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PHASE_NOT_STARTED);
  g_clear_error (&error);
  part1 = questions (engine, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (part1), ==, 2);
  g_assert_cmpstr (question_id (part1, 0), ==, "s1");
  g_assert_nonnull (strstr (json_object_get_string_member (json_array_get_object_element (part1, 0), "text"),
                            "Wuhan"));
  ek_test_wait_for_predicate (has_store, engine, 10000, "the answer store");
  store = ek_engine_get_answer_store (engine);
  ek_answer_store_set_retry_delays (store, 200, 1000);
  {
    g_autoptr(GListModel) list = ek_question_list_new_from_json (part1, &error);

    g_assert_no_error (error);
    ek_answer_store_add_questions (store, list);
  }
  answer (store, "s1", string_node ("a"));
  answer (store, "s2", string_node ("The Nanpu Bridge in Shanghai, a spiral ramp."));

  /* Part 2 starts while the network is still down. */
  run_until_server_ms (engine, part2_ms);
  part2 = questions (engine, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (part2), ==, 2);
  g_assert_cmpstr (question_id (part2, 1), ==, "s4");
  {
    g_autoptr(GListModel) list = ek_question_list_new_from_json (part2, &error);

    g_assert_no_error (error);
    ek_answer_store_add_questions (store, list);
  }
  {
    JsonNode *yes = json_node_new (JSON_NODE_VALUE);
    g_autoptr(JsonArray) primes = json_array_new ();
    JsonNode *primes_node = json_node_new (JSON_NODE_ARRAY);

    json_node_set_boolean (yes, TRUE);
    answer (store, "s3", yes);
    json_array_add_string_element (primes, "p2");
    json_array_add_string_element (primes, "p7");
    json_node_set_array (primes_node, primes);
    answer (store, "s4", primes_node);
  }
  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 4);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 4);

  /* The network is back 15 s after the start. */
  run_until_server_ms (engine, starts_ms + 15000);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  ek_test_server_reconnect (f->server);

  /* Everything reaches the server: the session finishes only when the answers, the
   * events and the recording are all there. */
  ek_test_wait_for_predicate (is_finished, engine, 50000, "the session to finish");
  admin = ek_test_server_get_session (f->server, session_id);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (admin, "state"),
                                               "entered_ms"), ==, entered_ms);
  a = server_answer (admin, "s1");
  g_assert_nonnull (a);
  g_assert_cmpstr (json_object_get_string_member (a, "value"), ==, "a");
  a = server_answer (admin, "s2");
  g_assert_nonnull (a);
  g_assert_cmpstr (json_object_get_string_member (a, "value"), ==,
                   "The Nanpu Bridge in Shanghai, a spiral ramp.");
  a = server_answer (admin, "s3");
  g_assert_nonnull (a);
  g_assert_true (json_object_get_boolean_member (a, "value"));
  a = server_answer (admin, "s4");
  g_assert_nonnull (a);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (a, "value")), ==, 2);
  g_assert_true (server_has_event (admin, "entered_offline"));
  g_assert_true (server_has_event (admin, "checked_in"));
  g_assert_true (server_has_event (admin, "questions_package_received"));
}

#define SKEW_US (G_GINT64_CONSTANT (3 * 3600 + 17) * G_USEC_PER_SEC)

static gint64
skewed_real_time (gpointer user_data)
{
  return g_get_real_time () + SKEW_US;
}

static gint64
monotonic_time (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static void
test_event_time (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  EkServerClock *clock = ek_engine_get_clock (engine);
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *session_id = NULL;
  gint64 past_server_ms, now_server_ms;
  JsonObject *past, *now;

  /* The computer's wall clock is hours ahead; its monotonic clock has its own origin. */
  ek_server_clock_set_time_funcs (clock, monotonic_time, skewed_real_time, NULL);
  login (engine);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  g_assert_true (ek_server_clock_is_synced (clock));
  g_assert_cmpint (ABS (ek_server_clock_get_skew_ms (clock) + SKEW_US / 1000), <, 1000);

  /* An event that began 5 s ago by the wall clock, and one of now. */
  now_server_ms = ek_server_clock_now_ms (clock);
  past_server_ms = now_server_ms - 5000;
  ek_engine_log_event (engine, "test_past", skewed_real_time (NULL) / 1000 - 5000, -1, NULL);
  ek_engine_log_event (engine, "test_now", 0, -1, NULL);

  for (guint i = 0; i < 100; i++)
    {
      gint64 end = g_get_monotonic_time () + 100 * 1000;

      g_clear_pointer (&admin, json_object_unref);
      admin = ek_test_server_get_session (f->server, session_id);
      if (server_event (admin, "test_now") != NULL)
        break;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
    }
  past = server_event (admin, "test_past");
  now = server_event (admin, "test_now");
  g_assert_nonnull (past);
  g_assert_nonnull (now);
  g_test_message ("server_ms %" G_GINT64_FORMAT " for %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                  " for %" G_GINT64_FORMAT, json_object_get_int_member (past, "server_ms"),
                  past_server_ms, json_object_get_int_member (now, "server_ms"), now_server_ms);
  g_assert_cmpint (ABS (json_object_get_int_member (past, "server_ms") - past_server_ms), <, 250);
  g_assert_cmpint (ABS (json_object_get_int_member (now, "server_ms") - now_server_ms), <, 250);
  /* And the server's own reception agrees: the event came after the moment it says. */
  g_assert_cmpint (json_object_get_int_member (now, "server_ms"), <=,
                   json_object_get_int_member (now, "received_ms") + 250);
}

/* Whether the copy for a restart is written with the waiting room's state. */
static gboolean
copy_is_current (gpointer data)
{
  g_autofree char *contents = NULL;
  g_autofree char *step = g_strdup_printf ("\"%s\"", ek_step_to_string (EK_STEP_DEVICE_CONFIRM));

  return g_file_get_contents (data, &contents, NULL, NULL) && strstr (contents, step) != NULL;
}

/* Whether the keyring holds the questions' key (the check-in's save went through). */
static gboolean
keyring_has_key (gpointer data)
{
  g_autoptr(EkSecretStore) store = ek_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) extras = NULL;
  gboolean found = FALSE;

  ek_secret_store_lookup_async (store, data, NULL, ek_test_result_cb, &result);
  if (!ek_secret_store_lookup_full_finish (store, ek_test_wait (&result), &session_id, &token,
                                           &extras, NULL))
    return FALSE;
  for (guint i = 0; extras != NULL && extras[i] != NULL; i++)
    found |= g_str_has_prefix (extras[i], "questions_key=");
  return found;
}

/* The kiosk before its restart: checks in, then dies as a power cut would. */
static void
test_offline_restart_child (void)
{
  const char *url = g_getenv ("EK_TEST_SEALED_URL");
  const char *dir = g_getenv ("EK_TEST_SEALED_DIR");
  g_autofree char *conf = g_strdup_printf ("[server]\nurl=%s\n[storage]\ndata-dir=%s\n"
                                           "[media]\nsource=test\n", url, dir);
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copy = NULL;

  if (!g_test_subprocess ())
    {
      g_test_skip ("run by /trust/sealed/offline-restart");
      return;
    }
  g_assert_true (ek_config_load_from_data (config, conf, -1, "test", &error));
  g_assert_no_error (error);
  engine = ek_engine_new (config);
  login (engine);
  step_ok (engine, EK_STEP_PLEDGE);
  step_ok (engine, EK_STEP_DEVICE_CONFIRM);
  ek_test_wait_for_predicate (is_ready, engine, 30000, "the sealed questions and their key");
  copy = g_build_filename (dir, "sessions", ek_engine_get_session_id (engine),
                           "offline-session.json", NULL);
  ek_test_wait_for_predicate (copy_is_current, copy, 10000, "the copy for a restart");
  ek_test_wait_for_predicate (keyring_has_key, (gpointer) url, 10000, "the questions' key in the keyring");
  kill (getpid (), SIGKILL);
  g_assert_not_reached ();
}

typedef struct
{
  EkTestServer *server;
  const char   *session_id;
  gint64        entered_ms;
} Arrival;

static gboolean
has_arrived (gpointer data)
{
  Arrival *arrival = data;
  g_autoptr(JsonObject) admin = ek_test_server_get_session (arrival->server, arrival->session_id);
  JsonObject *state = json_object_get_object_member (admin, "state");

  return json_object_get_int_member_with_default (state, "entered_ms", 0) == arrival->entered_ms &&
         server_answer (admin, "s1") != NULL && server_answer (admin, "s2") != NULL &&
         count_events (admin, "resumed_offline") > 0 && count_events (admin, "entered_offline") > 0;
}

static void
test_offline_restart (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  EkSession *session = ek_engine_get_session (engine);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) part1 = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *copy = NULL;
  Arrival arrival = { f->server };
  GStatBuf st;
  gint64 starts_ms;
  EkAnswerStore *store;

  g_setenv ("EK_TEST_SEALED_URL", ek_test_server_get_base_url (f->server), TRUE);
  g_setenv ("EK_TEST_SEALED_DIR", f->data_dir, TRUE);
  g_test_trap_subprocess ("/trust/sealed/offline-restart-child", 90 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();

  /* The restart, with the network down. */
  ek_test_server_disconnect (f->server);
  ek_engine_resume_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_resume_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);
  g_assert_false (ek_server_clock_is_synced (ek_engine_get_clock (engine)));

  /* The copy is private and holds no secret. */
  copy = g_build_filename (f->data_dir, "sessions", session_id, "offline-session.json", NULL);
  g_assert_cmpint (g_stat (copy, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (copy, &contents, NULL, NULL));
    g_assert_null (strstr (contents, "session_token"));
    g_assert_null (strstr (contents, "integrity"));
    g_assert_null (strstr (contents, "questions_key"));
  }

  ek_test_wait_for_predicate (is_ready, engine, 20000, "the package from disk and the key from the keyring");
  starts_ms = ek_exam_get_starts_ms (ek_session_get_exam (session));
  run_until_server_ms (engine, starts_ms);
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  arrival.entered_ms = ek_session_get_state (session)->entered_ms;
  g_assert_cmpint (arrival.entered_ms, >=, starts_ms);

  part1 = questions (engine, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (part1), ==, 2);
  ek_test_wait_for_predicate (has_store, engine, 10000, "the answer store");
  store = ek_engine_get_answer_store (engine);
  ek_answer_store_set_retry_delays (store, 200, 1000);
  {
    g_autoptr(GListModel) list = ek_question_list_new_from_json (part1, &error);

    g_assert_no_error (error);
    ek_answer_store_add_questions (store, list);
  }
  answer (store, "s1", string_node ("b"));
  answer (store, "s2", string_node ("The Lupu Bridge, an arch over the Huangpu."));
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 2);

  /* The network is back: everything arrives, once. */
  ek_test_server_reconnect (f->server);
  arrival.session_id = session_id;
  ek_test_wait_for_predicate (has_arrived, &arrival, 40000, "the entry, the answers and the events on the server");
  ek_test_wait_for_predicate (is_finished, engine, 60000, "the session to finish");
  admin = ek_test_server_get_session (f->server, session_id);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (admin, "state"),
                                               "entered_ms"), ==, arrival.entered_ms);
  g_assert_cmpstr (json_object_get_string_member (server_answer (admin, "s1"), "value"), ==, "b");
  g_assert_cmpuint (count_answers (admin, "s1"), ==, 1);
  g_assert_cmpuint (count_answers (admin, "s2"), ==, 1);
  g_assert_cmpuint (count_events (admin, "checked_in"), ==, 1);
  g_assert_cmpuint (count_events (admin, "entered_offline"), ==, 1);
  g_assert_cmpuint (count_events (admin, "resumed_offline"), ==, 1);
}

static void
test_bad_hash (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GError) expected = NULL;
  g_autoptr(GBytes) nothing = g_bytes_new_static ("EKQ1", 4);
  g_autofree char *session_id = NULL;
  g_autoptr(JsonObject) admin = NULL;

  /* The message the kiosk shows for a package that is not the exam's. */
  ek_sealed_package_check (nothing, "00", 4, &expected);
  g_assert_error (expected, EK_SEALED_ERROR, EK_SEALED_ERROR_HASH);

  login (engine);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  step_ok (engine, EK_STEP_PLEDGE);
  ek_test_wait_for_predicate (has_problem, engine, 20000, "the altered package to be refused");
  g_assert_cmpstr (ek_engine_get_questions_problem (engine), ==, expected->message);
  g_assert_false (ek_engine_get_questions_ready (engine));

  /* The good package, once it comes, is taken. */
  ek_test_server_clear_faults (f->server);
  ek_test_wait_for_predicate (is_ready, engine, 30000, "the good package");
  g_assert_null (ek_engine_get_questions_problem (engine));
  for (guint i = 0; i < 100; i++)
    {
      gint64 end = g_get_monotonic_time () + 100 * 1000;

      g_clear_pointer (&admin, json_object_unref);
      admin = ek_test_server_get_session (f->server, session_id);
      if (server_has_event (admin, "questions_package_refused"))
        break;
      while (g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, FALSE);
    }
  g_assert_true (server_has_event (admin, "questions_package_refused"));
}

int
main (int    argc,
      char **argv)
{
  GstElement *warm;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* The recorder's first use builds GStreamer's registry in the test's private HOME
   * (seconds on a loaded machine): done here, not on the exam's timeline. */
  gst_init (NULL, NULL);
  warm = gst_element_factory_make ("videotestsrc", NULL);
  g_clear_object (&warm);

  g_test_add ("/trust/sealed/offline-start", Fixture, NULL,
              fixture_set_up, test_offline_start, fixture_tear_down);
  g_test_add ("/trust/sealed/event-time", Fixture, NULL,
              fixture_set_up, test_event_time, fixture_tear_down);
  g_test_add ("/trust/sealed/offline-restart", Fixture, NULL,
              fixture_set_up, test_offline_restart, fixture_tear_down);
  g_test_add_func ("/trust/sealed/offline-restart-child", test_offline_restart_child);
  g_test_add ("/trust/sealed/bad-hash", Fixture, "corrupt",
              fixture_set_up, test_bad_hash, fixture_tear_down);

  return g_test_run ();
}
