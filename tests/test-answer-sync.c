/* test-answer-sync.c: the answer store against the reference server
 *
 * Logs a candidate into tests/data/exams/answers-*.json (written tests without pre-exam
 * steps), enters, and checks through the admin API what the server stored: every answer
 * exactly as entered, with its revision, also after the server was unreachable, after a
 * restart of the client, after a conflict with another computer, nothing changed after
 * submit or the end of the exam, but what was saved before the end and pushed after it.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-answer-store.h"
#include "ek-test-server.h"

#define WRITTEN_TOKEN "ANSWERS-W4R8-2KQZ"
#define SHORT_TOKEN   "ANSWERS-SHRT-9P3D"
#define ID_NUMBER     "11010519491231002X"
#define WAIT_TIMEOUT_MS 60000

typedef struct
{
  EkTestServer  *server;
  EkServerClock *clock;
  EkApiClient   *api;
  EkSessionInfo *info;
  GListModel    *questions;
  char          *dir;
} Fixture;

/* Helpers */

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static char *
to_json (JsonNode *node)
{
  return node != NULL ? json_to_string (node, FALSE) : g_strdup ("null");
}

static gboolean
nothing_pending (gpointer data)
{
  return ek_answer_store_get_n_pending_sync (data) == 0;
}

static gboolean
is_read_only (gpointer data)
{
  return ek_answer_store_get_read_only (data);
}

static EkSessionState *
state_call (EkApiClient    *api,
            GAsyncResult  **result)
{
  g_autoptr(GError) error = NULL;
  EkSessionState *state = ek_api_client_state_finish (api, ek_test_wait (result), &error);

  g_assert_no_error (error);
  return state;
}

/* Logs in, accepts the pledge, confirms the devices and enters. */
static void
login_and_enter (Fixture    *f,
                 const char *token)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) questions = NULL;
  g_autoptr(JsonArray) array = NULL;

  ek_api_client_sync_clock_async (f->api, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_sync_clock_finish (f->api, ek_test_wait (&result), &error));
  g_clear_object (&result);

  ek_api_client_login_async (f->api, token, ID_NUMBER, NULL, ek_test_result_cb, &result);
  f->info = ek_api_client_login_finish (f->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  ek_api_client_set_exam (f->api, ek_session_info_get_exam (f->info));

  ek_api_client_pledge_async (f->api, TRUE, ek_exam_get_pledge_version (ek_session_info_get_exam (f->info)),
                              NULL, ek_test_result_cb, &result);
  ek_session_state_free (state_call (f->api, &result));
  g_clear_object (&result);

  ek_api_client_complete_step_async (f->api, EK_STEP_DEVICE_CONFIRM, NULL, ek_test_result_cb, &result);
  ek_session_state_free (state_call (f->api, &result));
  g_clear_object (&result);

  ek_api_client_enter_async (f->api, NULL, ek_test_result_cb, &result);
  ek_session_state_free (state_call (f->api, &result));
  g_clear_object (&result);

  ek_api_client_get_questions_async (f->api, "answering", NULL, ek_test_result_cb, &result);
  array = ek_api_client_get_questions_finish (f->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  f->questions = ek_question_list_new_from_json (array, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (f->questions), ==, 4);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = ek_test_server_start (NULL);
  f->clock = ek_server_clock_new ();
  f->api = ek_api_client_new (ek_test_server_get_base_url (f->server), f->clock);
  /* The store's own queue retries; the client's quick retries only shorten the tests. */
  ek_api_client_set_retry_policy (f->api, 2, 10, 50);
  ek_api_client_set_timeout_ms (f->api, 5000);
  f->dir = ek_test_make_tmp_dir ();
  login_and_enter (f, data != NULL ? data : WRITTEN_TOKEN);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->questions);
  g_clear_object (&f->info);
  /* a closed store cancels its calls; the client lets go of them on the main context */
  ek_test_sleep_ms (100);
  g_assert_finalize_object (f->api);
  g_assert_finalize_object (f->clock);
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->dir);
  g_free (f->dir);
}

static EkAnswerStore *
open_store (Fixture    *f,
            const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, "answers.sqlite", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkAnswerStore *store;

  ek_answer_store_new_async (path, f->api, NULL, ek_test_result_cb, &result);
  store = ek_answer_store_new_finish (ek_test_wait (&result), &error);
  g_assert_no_error (error);
  ek_answer_store_add_questions (store, f->questions);
  ek_answer_store_set_retry_delays (store, 50, 200);
  return store;
}

static gboolean
sync_store (EkAnswerStore  *store,
            GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_answer_store_sync_async (store, NULL, ek_test_result_cb, &result);
  return ek_answer_store_sync_finish (store, ek_test_wait (&result), error);
}

/* A finished write's worker thread lets go of the store (its GTask) a moment after the
 * main thread saw the result: wait for that, not for anything else. */
static void
wait_for_writer (EkAnswerStore *store)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (store)->ref_count) > 1 &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Closes a store once it is idle (nothing being written or pushed). */
static void
close_store (EkAnswerStore *store)
{
  GAsyncResult *result = NULL;  /* holds the store: released before the check */

  ek_answer_store_flush_async (store, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_answer_store_flush_finish (store, ek_test_wait (&result), NULL));
  g_object_unref (result);
  wait_for_writer (store);
  g_assert_finalize_object (store);
}

static void
set_json (EkAnswerStore *store,
          const char    *question_id,
          const char    *json)
{
  g_autoptr(JsonNode) value = parse (json);
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_answer_store_set_value (store, question_id, value, &error));
  g_assert_no_error (error);
}

static void
assert_local (EkAnswerStore *store,
              const char    *question_id,
              const char    *expected_json)
{
  g_autoptr(JsonNode) expected = parse (expected_json);
  g_autofree char *expected_text = to_json (expected);
  g_autofree char *text = to_json (ek_answer_store_get_value (store, question_id));

  g_assert_cmpstr (text, ==, expected_text);
}

/* Returns: (transfer full): the server's stored answers, question id -> answer object */
static GHashTable *
server_answers (Fixture *f)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server,
                                                               ek_session_info_get_session_id (f->info));
  GHashTable *answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) json_object_unref);
  JsonArray *array = json_object_get_array_member (session, "answers");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *answer = json_array_get_object_element (array, i);

      g_hash_table_insert (answers, g_strdup (json_object_get_string_member (answer, "question_id")),
                           json_object_ref (answer));
    }
  return answers;
}

static void
assert_server (Fixture    *f,
               const char *question_id,
               gint64      revision,
               const char *expected_json)
{
  g_autoptr(GHashTable) answers = server_answers (f);
  JsonObject *answer = g_hash_table_lookup (answers, question_id);
  g_autoptr(JsonNode) expected = parse (expected_json);
  g_autofree char *expected_text = to_json (expected);
  g_autofree char *text = NULL;

  g_assert_nonnull (answer);
  text = to_json (json_object_get_member (answer, "value"));
  g_assert_cmpstr (text, ==, expected_text);
  g_assert_cmpint (json_object_get_int_member (answer, "revision"), ==, revision);
}

static guint
n_server_answers (Fixture *f)
{
  g_autoptr(GHashTable) answers = server_answers (f);

  return g_hash_table_size (answers);
}

/* Tests */

static void
test_push (Fixture       *f,
           gconstpointer  data)
{
  EkAnswerStore *store = open_store (f, "push");
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) answers = NULL;

  set_json (store, "w1", "\"a\"");
  set_json (store, "w1", "\"c\"");
  set_json (store, "w1", "\"b\"");
  set_json (store, "w2", "[\"c\", \"a\"]");
  set_json (store, "w3", "false");
  set_json (store, "w4", "\"因为断点续传需要知道 \\\"offset\\\"。\\nSecond line.\"");
  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 4);

  g_assert_true (sync_store (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 0);
  g_assert_cmpint (ek_answer_store_get_confirmed_revision (store, "w1"), ==, 3);

  assert_server (f, "w1", 3, "\"b\"");
  assert_server (f, "w2", 1, "[\"c\", \"a\"]");
  assert_server (f, "w3", 1, "false");
  assert_server (f, "w4", 1, "\"因为断点续传需要知道 \\\"offset\\\"。\\nSecond line.\"");

  /* the candidate's time of the change went along */
  answers = server_answers (f);
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (answers, "w3"), "client_ms"), >, 0);

  /* clearing an answer reaches the server as null */
  g_assert_true (ek_answer_store_set_value (store, "w3", NULL, &error));
  g_assert_true (sync_store (store, &error));
  assert_server (f, "w3", 2, "null");

  close_store (store);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  EkAnswerStore *store = open_store (f, "offline");
  g_autoptr(GError) error = NULL;
  guint n_failed = 0;

  g_signal_connect_swapped (store, "sync-failed", G_CALLBACK (g_atomic_int_inc), &n_failed);

  /* The network is gone: every request fails. */
  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");
  set_json (store, "w1", "\"a\"");
  set_json (store, "w2", "[\"d\", \"b\"]");
  set_json (store, "w2", "[\"d\", \"b\", \"a\"]");
  set_json (store, "w4", "\"offline, 离线\"");
  g_assert_false (sync_store (store, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER_ERROR);
  g_clear_error (&error);
  g_assert_cmpuint (n_failed, >, 0);

  /* kept here, pending, and nothing reached the server */
  ek_test_sleep_ms (300);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 3);
  g_assert_cmpuint (n_server_answers (f), ==, 0);
  set_json (store, "w3", "true");
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 4);

  /* The network comes back: the queue drains by itself, exactly as entered. */
  ek_test_server_clear_faults (f->server);
  ek_test_wait_for_predicate (nothing_pending, store, WAIT_TIMEOUT_MS,
                              "the pending answers to drain");
  assert_server (f, "w1", 1, "\"a\"");
  assert_server (f, "w2", 2, "[\"d\", \"b\", \"a\"]");
  assert_server (f, "w3", 1, "true");
  assert_server (f, "w4", 1, "\"offline, 离线\"");

  close_store (store);
}

static void
test_server_restart (Fixture       *f,
                     gconstpointer  data)
{
  EkAnswerStore *store = open_store (f, "server-restart");

  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");
  set_json (store, "w1", "\"c\"");
  set_json (store, "w4", "\"typed while the server was away\"");
  ek_test_sleep_ms (200);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 2);

  /* a restarted server (its data kept, the faults gone) gets them */
  ek_test_server_restart (f->server);
  ek_test_wait_for_predicate (nothing_pending, store, WAIT_TIMEOUT_MS,
                              "the pending answers to drain");
  assert_server (f, "w1", 1, "\"c\"");
  assert_server (f, "w4", 1, "\"typed while the server was away\"");

  close_store (store);
}

static void
test_client_restart (Fixture       *f,
                     gconstpointer  data)
{
  EkAnswerStore *store = open_store (f, "client-restart");

  set_json (store, "w1", "\"a\"");
  g_assert_true (sync_store (store, NULL));

  /* Changes made offline, then the client stops (the store closes with them pending). */
  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");
  set_json (store, "w1", "\"b\"");
  set_json (store, "w3", "false");
  ek_test_sleep_ms (200);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 2);
  close_store (store);
  ek_test_server_clear_faults (f->server);
  assert_server (f, "w1", 1, "\"a\"");

  /* The restarted client has every answer and pushes what waited, by itself. */
  store = open_store (f, "client-restart");
  assert_local (store, "w1", "\"b\"");
  assert_local (store, "w3", "false");
  g_assert_cmpint (ek_answer_store_get_revision (store, "w1"), ==, 2);
  ek_test_wait_for_predicate (nothing_pending, store, WAIT_TIMEOUT_MS,
                              "the pending answers to drain after a restart");
  assert_server (f, "w1", 2, "\"b\"");
  assert_server (f, "w3", 1, "false");

  close_store (store);
}

static void
on_answer_changed_cb (EkAnswerStore *store,
                      const char    *question_id,
                      gpointer       user_data)
{
  GPtrArray *changed = user_data;

  g_ptr_array_add (changed, g_strdup (question_id));
}

static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  EkAnswerStore *a = open_store (f, "computer-a");
  EkAnswerStore *b = open_store (f, "computer-b");
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_store (b, NULL));  /* b compared with an empty server */

  /* Computer a answers w1 three times: revision 3 on the server. */
  set_json (a, "w1", "\"a\"");
  set_json (a, "w1", "\"b\"");
  set_json (a, "w1", "\"c\"");
  set_json (a, "w2", "[\"a\"]");
  g_assert_true (sync_store (a, NULL));
  assert_server (f, "w1", 3, "\"c\"");

  /* Computer b, behind, answers w1 once (revision 1): the server refuses it as a
   * conflict, and b takes the higher revision, the server's. */
  g_signal_connect (b, "answer-changed", G_CALLBACK (on_answer_changed_cb), changed);
  set_json (b, "w1", "\"a\"");
  /* ... while its own newer answer to w3 goes through */
  set_json (b, "w3", "true");
  g_assert_true (sync_store (b, &error));
  g_assert_no_error (error);
  assert_local (b, "w1", "\"c\"");
  g_assert_cmpint (ek_answer_store_get_revision (b, "w1"), ==, 3);
  g_assert_cmpint (ek_answer_store_get_confirmed_revision (b, "w1"), ==, 3);
  assert_local (b, "w2", "[\"a\"]");  /* taken from the server as well */
  g_assert_true (g_ptr_array_find_with_equal_func (changed, "w1", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (changed, "w2", g_str_equal, NULL));
  assert_server (f, "w1", 3, "\"c\"");
  assert_server (f, "w3", 1, "true");

  /* b's next change builds on revision 3 and wins */
  set_json (b, "w1", "\"a\"");
  g_assert_cmpint (ek_answer_store_get_revision (b, "w1"), ==, 4);
  g_assert_true (sync_store (b, NULL));
  assert_server (f, "w1", 4, "\"a\"");

  /* a, now behind, learns of it when it compares (as on re-entry) */
  g_assert_true (sync_store (a, NULL));
  assert_local (a, "w1", "\"a\"");
  assert_local (a, "w3", "true");
  g_assert_cmpint (ek_answer_store_get_revision (a, "w1"), ==, 4);

  close_store (a);
  close_store (b);
}

static void
test_submitted (Fixture       *f,
                gconstpointer  data)
{
  EkAnswerStore *store = open_store (f, "submitted");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = parse ("\"a\"");

  set_json (store, "w1", "\"b\"");
  g_assert_true (sync_store (store, NULL));

  ek_api_client_submit_async (f->api, 1, NULL, NULL, ek_test_result_cb, &result);
  ek_session_state_free (state_call (f->api, &result));

  /* The store learns of the submit from the server's answer: it stops and closes. */
  set_json (store, "w1", "\"c\"");
  ek_test_wait_for_predicate (is_read_only, store, WAIT_TIMEOUT_MS,
                              "read-only after already_submitted");
  g_assert_false (sync_store (store, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (ek_answer_store_set_value (store, "w1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  assert_server (f, "w1", 1, "\"b\"");
  /* the late change stays on this computer, and is said to be not on the server */
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 1);
  close_store (store);

  /* and stays read-only when the client comes back */
  store = open_store (f, "submitted");
  g_assert_true (ek_answer_store_get_read_only (store));
  close_store (store);
}

static void
test_time_over (Fixture       *f,
                gconstpointer  data)
{
  EkExam *exam = ek_session_info_get_exam (f->info);
  EkAnswerStore *store = open_store (f, "time-over");
  EkAnswerStore *late = open_store (f, "time-over-late");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = parse ("\"c\"");

  ek_answer_store_set_deadline (store, f->clock, ek_exam_get_ends_ms (exam));
  set_json (store, "w1", "\"a\"");
  g_assert_true (sync_store (store, NULL));
  assert_server (f, "w1", 1, "\"a\"");

  /* the exam ends: the store closes by itself */
  ek_test_wait_for_predicate (is_read_only, store, WAIT_TIMEOUT_MS,
                              "read-only at the end of the exam");
  g_assert_cmpint (ek_server_clock_now_ms (f->clock), >=, ek_exam_get_ends_ms (exam) - 100);
  g_assert_false (ek_answer_store_set_value (store, "w1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);

  /* a store that was not told the deadline learns it from the server's exam_over */
  set_json (late, "w2", "[\"b\"]");
  ek_test_wait_for_predicate (is_read_only, late, WAIT_TIMEOUT_MS, "read-only after exam_over");
  g_assert_cmpuint (n_server_answers (f), ==, 1);

  close_store (store);
  close_store (late);
}

/* Saved before the end, pushed after it (the server was unreachable): the server still
 * takes it (protocol section 6, late answers), the store stays read-only. */
static void
test_late_push (Fixture       *f,
                gconstpointer  data)
{
  EkExam *exam = ek_session_info_get_exam (f->info);
  EkAnswerStore *store = open_store (f, "late-push");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = parse ("\"c\"");
  g_autoptr(GHashTable) answers = NULL;
  JsonObject *answer;

  ek_answer_store_set_deadline (store, f->clock, ek_exam_get_ends_ms (exam));
  ek_test_server_set_faults (f->server, "{\"error_rate\": 1.0}");
  set_json (store, "w1", "\"b\"");
  ek_test_wait_for_predicate (is_read_only, store, WAIT_TIMEOUT_MS,
                              "read-only at the end of the exam");
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 1);
  g_assert_cmpuint (n_server_answers (f), ==, 0);

  /* the server is back after the end */
  ek_test_server_clear_faults (f->server);
  g_assert_true (sync_store (store, &error));
  g_assert_no_error (error);
  assert_server (f, "w1", 1, "\"b\"");
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 0);
  g_assert_false (ek_answer_store_get_sync_stopped (store));
  answers = server_answers (f);
  answer = g_hash_table_lookup (answers, "w1");
  g_assert_cmpint (json_object_get_int_member (answer, "client_ms"), <, ek_exam_get_ends_ms (exam));
  g_assert_cmpint (json_object_get_int_member (answer, "stored_ms"), >=, ek_exam_get_ends_ms (exam));

  /* and the answers stay final */
  g_assert_false (ek_answer_store_set_value (store, "w1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  close_store (store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/answer-sync/push", Fixture, NULL, fixture_set_up, test_push, fixture_tear_down);
  g_test_add ("/answer-sync/offline", Fixture, NULL, fixture_set_up, test_offline, fixture_tear_down);
  g_test_add ("/answer-sync/server-restart", Fixture, NULL, fixture_set_up, test_server_restart,
              fixture_tear_down);
  g_test_add ("/answer-sync/client-restart", Fixture, NULL, fixture_set_up, test_client_restart,
              fixture_tear_down);
  g_test_add ("/answer-sync/conflict", Fixture, NULL, fixture_set_up, test_conflict, fixture_tear_down);
  g_test_add ("/answer-sync/submitted", Fixture, NULL, fixture_set_up, test_submitted, fixture_tear_down);
  g_test_add ("/answer-sync/time-over", Fixture, SHORT_TOKEN, fixture_set_up, test_time_over,
              fixture_tear_down);
  g_test_add ("/answer-sync/late-push", Fixture, SHORT_TOKEN, fixture_set_up, test_late_push,
              fixture_tear_down);

  return g_test_run ();
}
