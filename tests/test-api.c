/* test-api.c: EkApiClient and EkHttpClient against the reference server
 *
 * Exams: tests/data/exams/api-*.json. Every test starts its own server with a fresh
 * data directory, so tests share no state.
 */

#include "config.h"

#include <locale.h>

#include "ek-api-client.h"
#include "ek-event-log.h"
#include "ek-json.h"
#include "ek-test-server.h"

#define OPEN_TOKEN     "API-OPEN-7K2Q"
#define NOT_OPEN_TOKEN "API-NOTOPEN-3M8X"
#define CLOSED_TOKEN   "API-CLOSED-9P4W"
#define LIVE_TOKEN     "API-LIVE-5T6Y"

#define OPEN_ID_1      "110105199001010010"
#define OPEN_ID_2      "110105199001010029"
#define NOT_OPEN_ID    "110105199001010037"
#define CLOSED_ID      "110105199001010045"
#define LIVE_ID_1      "110105199001010053"
#define LIVE_ID_2      "110105199001010061"

typedef struct
{
  EkTestServer  *server;
  EkTestProxy   *proxy;
  EkServerClock *clock;
  EkApiClient   *api;
  guint          n_retries;
} Fixture;

static void
on_retrying_cb (EkApiClient *api,
                const char  *method,
                const char  *path,
                guint        attempt,
                guint        delay_ms,
                gpointer     user_data)
{
  Fixture *f = user_data;

  g_assert_cmpuint (attempt, >=, 2);
  f->n_retries++;
}

static void
use_api_at (Fixture    *f,
            const char *base_url)
{
  if (f->api != NULL)
    g_assert_finalize_object (f->api);

  f->api = ek_api_client_new (base_url, f->clock);
  /* short backoff: the tests count attempts, they need not wait for them */
  ek_api_client_set_retry_policy (f->api, 4, 20, 100);
  ek_api_client_set_timeout_ms (f->api, 5000);
  g_signal_connect (f->api, "retrying", G_CALLBACK (on_retrying_cb), f);
}

static void
use_proxy (Fixture *f)
{
  f->proxy = ek_test_proxy_new (ek_test_server_get_port (f->server));
  use_api_at (f, ek_test_proxy_get_base_url (f->proxy));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = ek_test_server_start (NULL);
  f->clock = ek_server_clock_new ();
  use_api_at (f, ek_test_server_get_base_url (f->server));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->api);
  g_clear_pointer (&f->proxy, ek_test_proxy_free);
  g_assert_finalize_object (f->clock);
  ek_test_server_stop (f->server);
}

/* Synchronous wrappers: each runs the main context until the call is done. */

static gboolean
health (EkApiClient  *api,
        GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_health_async (api, NULL, ek_test_result_cb, &result);
  return ek_api_client_health_finish (api, ek_test_wait (&result), NULL, NULL, NULL, error);
}

static EkSessionInfo *
login (EkApiClient  *api,
       const char   *token,
       const char   *id_number,
       GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_login_async (api, token, id_number, NULL, ek_test_result_cb, &result);
  return ek_api_client_login_finish (api, ek_test_wait (&result), error);
}

static EkSessionInfo *
get_session (EkApiClient  *api,
             GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_get_session_async (api, NULL, ek_test_result_cb, &result);
  return ek_api_client_get_session_finish (api, ek_test_wait (&result), error);
}

static EkSessionState *
state_result (EkApiClient    *api,
              GAsyncResult  **result,
              GError        **error)
{
  return ek_api_client_state_finish (api, ek_test_wait (result), error);
}

static JsonObject *
call (EkApiClient     *api,
      const char      *method,
      const char      *path,
      EkApiCallFlags   flags,
      GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_call_async (api, method, path, NULL, flags, NULL, ek_test_result_cb, &result);
  return ek_api_client_call_finish (api, ek_test_wait (&result), error);
}

static void
assert_message_is_for_people (const GError *error)
{
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 20);
  /* never the ID number, never a curl or JSON detail */
  g_assert_null (strstr (error->message, "1101051990"));
  g_assert_null (strstr (error->message, "curl"));
  g_assert_null (strstr (error->message, "member"));
}

/* Tests */

static void
test_health (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *min_version = NULL;
  gint64 protocol = 0;
  gint64 server_time_ms = 0;

  ek_api_client_health_async (f->api, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_health_finish (f->api, ek_test_wait (&result), &protocol,
                                              &min_version, &server_time_ms, &error));
  g_assert_no_error (error);
  g_assert_cmpint (protocol, ==, 1);
  g_assert_cmpstr (min_version, ==, "0.1.0");
  g_assert_cmpint (ABS (server_time_ms - g_get_real_time () / 1000), <, 5000);
  g_assert_cmpstr (ek_api_client_get_user_agent (f->api), ==, "exam-kiosk/" PACKAGE_VERSION);
}

static void
test_login_success (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkSessionInfo) again = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autoptr(GError) error = NULL;
  const EkSessionState *state;

  g_assert_false (ek_api_client_has_session_token (f->api));

  info = login (f->api, OPEN_TOKEN, OPEN_ID_1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (ek_json_is_identifier (ek_session_info_get_session_id (info)));
  g_assert_cmpuint (strlen (ek_session_info_get_session_token (info)), >=, 16);
  g_assert_cmpstr (ek_candidate_get_seat (ek_session_info_get_candidate (info)), ==, "API-001");
  g_assert_cmpstr (ek_candidate_get_id_number_masked (ek_session_info_get_candidate (info)), ==,
                   "110***********0010");
  g_assert_cmpstr (ek_exam_get_id (ek_session_info_get_exam (info)), ==, "api-open");
  g_assert_cmpint (ABS (ek_session_info_get_server_time_ms (info) - g_get_real_time () / 1000), <, 5000);
  state = ek_session_info_get_state (info);
  g_assert_cmpuint (state->completed_steps, ==, 0);
  g_assert_false (state->ended);

  /* the client keeps the token and the exam */
  g_assert_true (ek_api_client_has_session_token (f->api));
  g_assert_true (ek_api_client_get_exam (f->api) == ek_session_info_get_exam (info));

  again = get_session (f->api, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_session_info_get_session_id (again), ==, ek_session_info_get_session_id (info));
  g_assert_null (ek_session_info_get_session_token (again));

  admin = ek_test_server_get_session (f->server, ek_session_info_get_session_id (info));
  g_assert_true (json_object_has_member (admin, "state"));

  ek_session_info_clear_session_token (info);
  g_assert_null (ek_session_info_get_session_token (info));
}

static void
test_login_again (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkSessionInfo) first = NULL;
  g_autoptr(EkSessionInfo) second = NULL;
  g_autoptr(EkSessionInfo) stale = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = NULL;

  first = login (f->api, OPEN_TOKEN, OPEN_ID_2, &error);
  g_assert_no_error (error);
  old_token = g_strdup (ek_session_info_get_session_token (first));

  second = login (f->api, OPEN_TOKEN, OPEN_ID_2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_session_info_get_session_id (second), ==, ek_session_info_get_session_id (first));
  g_assert_cmpstr (ek_session_info_get_session_token (second), !=, old_token);

  /* the old token stopped working */
  ek_api_client_set_session_token (f->api, old_token);
  stale = get_session (f->api, &error);
  g_assert_null (stale);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION);
  g_assert_cmpuint (ek_api_error_get_http_status (error), ==, 401);
  assert_message_is_for_people (error);
  /* a 401 is not worth retrying */
  g_assert_cmpuint (f->n_retries, ==, 0);
}

static void
test_login_errors (Fixture       *f,
                   gconstpointer  data)
{
  struct {
    const char *token;
    const char *id_number;
    EkApiError  code;
  } cases[] = {
    { "NO-SUCH-TOKEN", OPEN_ID_1, EK_API_ERROR_WRONG_CREDENTIALS },
    /* a real token, but the candidate belongs to another exam */
    { OPEN_TOKEN, CLOSED_ID, EK_API_ERROR_WRONG_CREDENTIALS },
    { NOT_OPEN_TOKEN, NOT_OPEN_ID, EK_API_ERROR_EXAM_NOT_OPEN },
    { CLOSED_TOKEN, CLOSED_ID, EK_API_ERROR_ENTRY_CLOSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EkSessionInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      info = login (f->api, cases[i].token, cases[i].id_number, &error);
      g_assert_null (info);
      g_assert_error (error, EK_API_ERROR, (int) cases[i].code);
      assert_message_is_for_people (error);
      g_test_message ("%s: %s", ek_api_error_code_to_string (error->code), error->message);
      g_assert_false (ek_api_client_has_session_token (f->api));
    }

  g_assert_cmpuint (f->n_retries, ==, 0);
}

static void
test_login_rate_limited (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint i;

  /* more than 10 failed logins per minute from one ID number */
  for (i = 0; i < 20; i++)
    {
      g_autoptr(EkSessionInfo) info = NULL;

      g_clear_error (&error);
      info = login (f->api, "NO-SUCH-TOKEN", OPEN_ID_1, &error);
      g_assert_null (info);
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_RATE_LIMITED))
        break;
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_WRONG_CREDENTIALS);
    }

  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_RATE_LIMITED);
  g_assert_cmpuint (i, >=, 10);
  g_assert_cmpint (ek_api_error_get_retry_after_ms (error), >, 0);
  g_assert_cmpuint (ek_api_error_get_http_status (error), ==, 429);
  assert_message_is_for_people (error);
  g_test_message ("rate_limited: %s", error->message);
}

static void
test_no_token (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = get_session (f->api, &error);
  g_assert_null (info);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION);
  g_assert_cmpuint (ek_api_error_get_http_status (error), ==, 0);
}

static void
test_exam_flow (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(JsonArray) questions = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(JsonArray) segments = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *message_id = NULL;
  const char *session_id;
  gint64 sequence = -1;
  gint64 sequence_again = -1;
  gint64 revision = -1;
  gint64 stored_ms = 0;
  gint64 sent_ms = 0;
  gboolean complete = TRUE;

  info = login (f->api, LIVE_TOKEN, LIVE_ID_1, &error);
  g_assert_no_error (error);
  session_id = ek_session_info_get_session_id (info);

  /* Steps out of order are refused: draw needs the pledge first. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_complete_step_async (f->api, EK_STEP_DEVICE_CONFIRM, NULL, ek_test_result_cb, &result);
    state = state_result (f->api, &result, &error);
    g_assert_null (state);
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_STEP_NOT_ALLOWED);
    g_clear_error (&error);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_pledge_async (f->api, TRUE, "api-1", NULL, ek_test_result_cb, &result);
    state = state_result (f->api, &result, &error);
    g_assert_no_error (error);
    g_assert_true (ek_session_state_has_step (state, EK_STEP_PLEDGE));
    g_clear_pointer (&state, ek_session_state_free);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result_again = NULL;

    ek_api_client_draw_async (f->api, NULL, ek_test_result_cb, &result);
    g_assert_true (ek_api_client_draw_finish (f->api, ek_test_wait (&result), &sequence, &error));
    g_assert_no_error (error);
    g_assert_cmpint (sequence, >=, 0);

    ek_api_client_draw_async (f->api, NULL, ek_test_result_cb, &result_again);
    g_assert_true (ek_api_client_draw_finish (f->api, ek_test_wait (&result_again), &sequence_again, &error));
    g_assert_cmpint (sequence_again, ==, sequence);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_complete_step_async (f->api, EK_STEP_DEVICE_CONFIRM, NULL, ek_test_result_cb, &result);
    state = state_result (f->api, &result, &error);
    g_assert_no_error (error);
    g_assert_true (ek_session_state_has_step (state, EK_STEP_DRAW));
    g_assert_true (ek_session_state_has_step (state, EK_STEP_DEVICE_CONFIRM));
    g_assert_cmpint (state->sequence_number, ==, sequence);
    g_clear_pointer (&state, ek_session_state_free);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_enter_async (f->api, NULL, ek_test_result_cb, &result);
    state = state_result (f->api, &result, &error);
    g_assert_no_error (error);
    g_assert_cmpint (state->entered_ms, >, 0);
    g_clear_pointer (&state, ek_session_state_free);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result_later = NULL;
    g_autoptr(JsonArray) later = NULL;

    ek_api_client_get_questions_async (f->api, "part1", NULL, ek_test_result_cb, &result);
    questions = ek_api_client_get_questions_finish (f->api, ek_test_wait (&result), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (questions), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (questions, 0), "id"),
                     ==, "w1");

    /* questions are never released early */
    ek_api_client_get_questions_async (f->api, "part2", NULL, ek_test_result_cb, &result_later);
    later = ek_api_client_get_questions_finish (f->api, ek_test_wait (&result_later), &error);
    g_assert_null (later);
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PHASE_NOT_STARTED);
    g_assert_cmpuint (f->n_retries, ==, 0);
    g_clear_error (&error);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result_old = NULL;
    g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);

    json_node_set_string (value, "a");
    ek_api_client_put_answer_async (f->api, "w1", 2, value, ek_server_clock_now_ms (f->clock),
                                    NULL, ek_test_result_cb, &result);
    g_assert_true (ek_api_client_put_answer_finish (f->api, ek_test_wait (&result), &revision,
                                                    &stored_ms, &error));
    g_assert_no_error (error);
    g_assert_cmpint (revision, ==, 2);
    g_assert_cmpint (stored_ms, >, 0);

    /* an older revision loses */
    ek_api_client_put_answer_async (f->api, "w1", 1, value, ek_server_clock_now_ms (f->clock),
                                    NULL, ek_test_result_cb, &result_old);
    g_assert_false (ek_api_client_put_answer_finish (f->api, ek_test_wait (&result_old), NULL, NULL, &error));
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CONFLICT);
    g_clear_error (&error);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_submit_async (f->api, 1, NULL, NULL, ek_test_result_cb, &result);
    state = state_result (f->api, &result, &error);
    g_assert_null (state);
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TOO_EARLY);
    g_assert_cmpint (ek_api_error_get_retry_after_ms (error), >, 0);
    assert_message_is_for_people (error);
    /* a 409 is final even for an idempotent call */
    g_assert_cmpuint (f->n_retries, ==, 0);
    g_test_message ("too_early: %s", error->message);
    g_clear_error (&error);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonArray) events = json_array_new ();
    g_autoptr(JsonObject) event = json_object_new ();

    /* not chained onto the server's (empty) log */
    json_object_set_int_member (event, "seq", 1);
    json_object_set_string_member (event, "type", "focus_lost");
    json_object_set_int_member (event, "client_ms", ek_server_clock_now_ms (f->clock));
    json_object_set_object_member (event, "data", json_object_new ());
    json_object_set_string_member (event, "prev_hash", "1111111111111111111111111111111111111111111111111111111111111111");
    json_object_set_string_member (event, "hash", "2222222222222222222222222222222222222222222222222222222222222222");
    json_array_add_object_element (events, json_object_ref (event));

    ek_api_client_post_events_async (f->api, events, NULL, ek_test_result_cb, &result);
    g_assert_false (ek_api_client_post_events_finish (f->api, ek_test_wait (&result), NULL, &error));
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CONFLICT);
    g_clear_error (&error);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result_more = NULL;
    g_autofree char *next_cursor = NULL;
    JsonObject *message;

    ek_api_client_get_messages_async (f->api, NULL, NULL, ek_test_result_cb, &result);
    messages = ek_api_client_get_messages_finish (f->api, ek_test_wait (&result), &cursor, &error);
    g_assert_no_error (error);
    g_assert_nonnull (cursor);
    g_clear_pointer (&messages, json_array_unref);

    ek_test_server_send_message (f->server, session_id, "warning", "Please look at the screen.");

    ek_api_client_get_messages_async (f->api, cursor, NULL, ek_test_result_cb, &result_more);
    messages = ek_api_client_get_messages_finish (f->api, ek_test_wait (&result_more), &next_cursor, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (messages), ==, 1);
    message = json_array_get_object_element (messages, 0);
    g_assert_cmpstr (json_object_get_string_member (message, "kind"), ==, "warning");
    g_assert_cmpstr (json_object_get_string_member (message, "text"), ==, "Please look at the screen.");
    g_assert_cmpstr (next_cursor, !=, cursor);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_api_client_post_message_async (f->api, "chat", "My microphone is fine.", NULL,
                                      NULL, ek_test_result_cb, &result);
    g_assert_true (ek_api_client_post_message_finish (f->api, ek_test_wait (&result), &message_id,
                                                      &sent_ms, &error));
    g_assert_no_error (error);
    g_assert_true (ek_json_is_identifier (message_id));
    g_assert_cmpint (sent_ms, >, 0);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(JsonArray) listed = json_array_new ();
    g_autoptr(JsonObject) segment = json_object_new ();

    json_object_set_string_member (segment, "stream", "camera");
    json_object_set_int_member (segment, "index", 0);
    json_object_set_int_member (segment, "size", 1024);
    json_object_set_string_member (segment, "sha256",
                                   "0000000000000000000000000000000000000000000000000000000000000000");
    json_object_set_string_member (segment, "upload_url", "http://127.0.0.1:1/v1/uploads/none");
    json_array_add_object_element (listed, json_object_ref (segment));

    ek_api_client_finish_async (f->api, listed, NULL, ek_test_result_cb, &result);
    g_assert_true (ek_api_client_finish_finish (f->api, ek_test_wait (&result), &complete, &segments, &error));
    g_assert_no_error (error);
    g_assert_false (complete);
    g_assert_cmpuint (json_array_get_length (segments), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (segments, 0), "status"),
                     !=, "confirmed");
  }

  /* what the server holds agrees */
  admin = ek_test_server_get_session (f->server, session_id);
  {
    JsonArray *answers = json_object_get_array_member (admin, "answers");
    JsonArray *held = json_object_get_array_member (admin, "messages");

    g_assert_cmpuint (json_array_get_length (answers), ==, 1);
    g_assert_cmpuint (json_array_get_length (held), ==, 2);
  }

  /* The lockdown's forced submission may come before min_submit_ms, but only when the
   * session's own log holds the escalation to it. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GAsyncResult) result_bogus = NULL;
    g_autoptr(GAsyncResult) result_forced = NULL;
    g_autoptr(GAsyncResult) flushed = NULL;
    g_autofree char *dir = ek_test_make_tmp_dir ();
    g_autofree char *path = g_build_filename (dir, "events.db", NULL);
    g_autoptr(EkEventLog) log = ek_event_log_new (path, &error);
    g_autoptr(JsonObject) escalation = json_object_new ();

    g_assert_no_error (error);
    ek_api_client_submit_async (f->api, 1, "lockdown", NULL, ek_test_result_cb, &result);
    g_assert_null (state_result (f->api, &result, &error));
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TOO_EARLY);
    g_clear_error (&error);

    ek_api_client_submit_async (f->api, 1, "because", NULL, ek_test_result_cb, &result_bogus);
    g_assert_null (state_result (f->api, &result_bogus, &error));
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_BAD_REQUEST);
    g_clear_error (&error);

    /* The log chains on what the server holds (the refused batch above held nothing). */
    json_object_set_string_member (escalation, "violation", "focus_lost");
    json_object_set_string_member (escalation, "step", "submit");
    ek_event_log_set_api (log, f->api);
    ek_event_log_append (log, "escalation", ek_server_clock_now_ms (f->clock), 0, -1, escalation);
    ek_event_log_flush_async (log, NULL, ek_test_result_cb, &flushed);
    g_assert_true (ek_event_log_flush_finish (log, ek_test_wait (&flushed), &error));
    g_assert_no_error (error);

    ek_api_client_submit_async (f->api, 1, "lockdown", NULL, ek_test_result_cb, &result_forced);
    state = state_result (f->api, &result_forced, &error);
    g_assert_no_error (error);
    g_assert_cmpint (state->submitted_ms, >, 0);
    g_clear_pointer (&state, ek_session_state_free);
    ek_event_log_set_api (log, NULL);
    ek_test_remove_tree (dir);
  }
}

static void
test_end_session (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkSessionInfo) after = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  info = login (f->api, LIVE_TOKEN, LIVE_ID_2, &error);
  g_assert_no_error (error);

  ek_api_client_end_session_async (f->api, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_end_session_finish (f->api, ek_test_wait (&result), &error));
  g_assert_no_error (error);

  after = get_session (f->api, &error);
  g_assert_null (after);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION);
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkSessionInfo) again = NULL;
  g_autoptr(GError) error = NULL;

  info = login (f->api, OPEN_TOKEN, OPEN_ID_1, &error);
  g_assert_no_error (error);

  ek_test_server_restart (f->server);

  /* same port, same data: the session and its token survive; the kept-alive
   * connection died with the old process, which the retry covers */
  again = get_session (f->api, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_session_info_get_session_id (again), ==, ek_session_info_get_session_id (info));
}

/* Faults */

static void
test_fault_latency (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  ek_test_server_set_faults (f->server, "{ \"latency_ms\": 1500 }");

  ek_api_client_set_retry_policy (f->api, 2, 10, 10);
  ek_api_client_set_timeout_ms (f->api, 400);
  start = g_get_monotonic_time ();
  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TIMEOUT);
  assert_message_is_for_people (error);
  /* two attempts of 400 ms, not the server's 1.5 s each */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1400 * 1000);
  g_assert_cmpuint (f->n_retries, ==, 1);
  g_clear_error (&error);

  /* a timeout above the latency is patient enough */
  ek_api_client_set_timeout_ms (f->api, 4000);
  g_assert_true (health (f->api, &error));
  g_assert_no_error (error);
}

static void
test_fault_error_rate_retried (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  use_proxy (f);
  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");

  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER_ERROR);
  g_assert_cmpuint (ek_api_error_get_http_status (error), ==, 500);
  assert_message_is_for_people (error);

  /* the server saw every attempt; the client announced each retry */
  g_assert_cmpuint (ek_test_proxy_count_requests (f->proxy, "GET", "/v1/health"), ==, 4);
  g_assert_cmpuint (f->n_retries, ==, 3);

  /* a retry that then succeeds is invisible to the caller */
  ek_test_server_clear_faults (f->server);
  g_clear_error (&error);
  g_assert_true (health (f->api, &error));
  g_assert_no_error (error);
}

static void
test_fault_error_rate_login_once (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  use_proxy (f);

  /* warm the connection pool: the login must still go out exactly once */
  g_assert_true (health (f->api, &error));
  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");

  info = login (f->api, OPEN_TOKEN, OPEN_ID_1, &error);
  g_assert_null (info);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER_ERROR);
  g_assert_cmpuint (ek_test_proxy_count_requests (f->proxy, "POST", "/v1/sessions"), ==, 1);
  g_assert_cmpuint (f->n_retries, ==, 0);
}

static void
test_fault_cut (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  use_proxy (f);
  ek_test_server_set_faults (f->server, "{ \"cut_after_bytes\": 10 }");

  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CONNECTION_CUT);
  assert_message_is_for_people (error);
  g_test_message ("connection_cut: %s", error->message);
  g_assert_cmpuint (ek_test_proxy_count_requests (f->proxy, "GET", "/v1/health"), ==, 4);
  g_clear_error (&error);

  info = login (f->api, OPEN_TOKEN, OPEN_ID_1, &error);
  g_assert_null (info);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CONNECTION_CUT);
  g_assert_cmpuint (ek_test_proxy_count_requests (f->proxy, "POST", "/v1/sessions"), ==, 1);
}

static void
test_fault_malformed (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  ek_test_server_set_faults (f->server, "{ \"malformed\": true }");

  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
  assert_message_is_for_people (error);
  /* not a transient failure */
  g_assert_cmpuint (f->n_retries, ==, 0);
  g_clear_error (&error);

  /* an error answer that is broken is malformed too, not wrong_credentials */
  info = login (f->api, "NO-SUCH-TOKEN", OPEN_ID_1, &error);
  g_assert_null (info);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
}

static void
test_fault_oversized (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  ek_test_server_set_faults (f->server, "{ \"oversized_mb\": 9 }");
  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_RESPONSE_TOO_LARGE);
  assert_message_is_for_people (error);
  g_clear_error (&error);

  /* 7 MiB is within the limit: the transfer succeeds, the shape does not */
  ek_test_server_set_faults (f->server, "{ \"oversized_mb\": 7 }");
  object = call (f->api, "GET", "/v1/health", EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "padding")), >, 7000000);

  g_assert_false (health (f->api, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result_backoff = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  ek_test_server_set_faults (f->server, "{ \"latency_ms\": 3000 }");

  start = g_get_monotonic_time ();
  ek_api_client_health_async (f->api, cancellable, ek_test_result_cb, &result);
  ek_test_sleep_ms (100);
  g_cancellable_cancel (cancellable);
  g_assert_false (ek_api_client_health_finish (f->api, ek_test_wait (&result), NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
  g_clear_error (&error);

  /* cancelling during the backoff between attempts */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  ek_test_server_set_faults (f->server, "{ \"error_rate\": 1.0 }");
  ek_api_client_set_retry_policy (f->api, 4, 5000, 5000);
  ek_api_client_health_async (f->api, cancellable, ek_test_result_cb, &result_backoff);
  while (f->n_retries == 0)
    g_main_context_iteration (NULL, TRUE);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_false (ek_api_client_health_finish (f->api, ek_test_wait (&result_backoff), NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * 1000);
}

/* Transport */

static void
test_insecure_url (void)
{
  struct {
    const char *url;
    int         code;
  } cases[] = {
    { "http://exam.example", EK_API_ERROR_INSECURE_URL },
    { "http://10.0.0.1:8080", EK_API_ERROR_INSECURE_URL },
    { "http://127.0.0.1.example.com", EK_API_ERROR_INSECURE_URL },
    { "ftp://exam.example", EK_API_ERROR_INVALID_URL },
    { "not a url", EK_API_ERROR_INVALID_URL },
    /* loopback is allowed; nothing listens on port 1 */
    { "http://127.0.0.2:1", EK_API_ERROR_NETWORK },
    { "http://[::1]:1", EK_API_ERROR_NETWORK },
    { "http://localhost:1", EK_API_ERROR_NETWORK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EkApiClient) api = ek_api_client_new (cases[i].url, NULL);
      g_autoptr(GError) error = NULL;

      ek_api_client_set_retry_policy (api, 1, 0, 0);
      g_assert_false (health (api, &error));
      g_test_message ("%s: %s", cases[i].url, error->message);
      g_assert_error (error, EK_API_ERROR, cases[i].code);
      assert_message_is_for_people (error);
    }

  g_assert_true (ek_http_check_url ("https://exam.example/base", NULL));
  g_assert_true (ek_http_check_url ("http://127.1.2.3:99", NULL));
  g_assert_true (ek_http_check_url ("http://LOCALHOST", NULL));
}

static gssize
count_body_cb (EkHttpRequest  *request,
               guint64         offset,
               guint8         *buffer,
               gsize           size,
               gpointer        user_data,
               GError        **error)
{
  memset (buffer, 'z', size);
  return size;
}

static void
on_progress_cb (EkHttpRequest *request,
                guint64        uploaded,
                guint64        upload_total,
                guint64        downloaded,
                guint64        download_total,
                gpointer       user_data)
{
  guint64 *max_uploaded = user_data;

  g_assert_cmpuint (uploaded, <=, upload_total == 0 ? G_MAXUINT64 : upload_total);
  *max_uploaded = MAX (*max_uploaded, uploaded);
}

static gint64
bandwidth_bytes (EkHttpResponse *response)
{
  GBytes *body = ek_http_response_get_body (response);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  return json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)), "bytes");
}

static void
test_http_bodies (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *url = g_strconcat (ek_test_server_get_base_url (f->server), "/v1/bandwidth", NULL);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "segment.bin", NULL);
  g_autofree char *contents = g_malloc (300000);
  g_autoptr(GError) error = NULL;
  guint64 max_uploaded = 0;

  memset (contents, 'a', 300000);
  g_file_set_contents (path, contents, 300000, &error);
  g_assert_no_error (error);

  /* a file region, with progress */
  {
    g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", url);
    g_autoptr(EkHttpResponse) response = NULL;

    g_assert_true (ek_http_request_set_body_from_file (request, "application/octet-stream", path,
                                                       1000, 250000, &error));
    ek_http_request_set_progress_func (request, on_progress_cb, &max_uploaded, NULL);
    response = ek_test_http_send (http, request, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ek_http_response_get_status (response), ==, 200);
    g_assert_cmpint (bandwidth_bytes (response), ==, 250000);
    g_assert_cmpuint (max_uploaded, ==, 250000);
    /* header names in any case */
    g_assert_true (ek_http_response_has_media_type (response, "application/json"));
    g_assert_nonnull (ek_http_response_get_header (response, "CONTENT-TYPE"));
    g_assert_cmpstr (ek_http_response_get_header (response, "content-type"), ==,
                     ek_http_response_get_content_type (response));
  }

  /* a region past the end of the file fails the request, not the process */
  {
    g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", url);
    g_autoptr(EkHttpResponse) response = NULL;

    g_assert_true (ek_http_request_set_body_from_file (request, "application/octet-stream", path,
                                                       200000, 200000, &error));
    response = ek_test_http_send (http, request, &error);
    g_assert_null (response);
    g_assert_error (error, EK_HTTP_ERROR, EK_HTTP_ERROR_BODY_READ_FAILED);
    g_clear_error (&error);
  }

  /* a body function */
  {
    g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", url);
    g_autoptr(EkHttpResponse) response = NULL;

    ek_http_request_set_body_func (request, "application/octet-stream", 123457, count_body_cb, NULL, NULL);
    response = ek_test_http_send (http, request, &error);
    g_assert_no_error (error);
    g_assert_cmpint (bandwidth_bytes (response), ==, 123457);
  }

  /* a 404 is a response, not an error, at this level */
  {
    g_autofree char *missing = g_strconcat (ek_test_server_get_base_url (f->server), "/v1/nothing-here", NULL);
    g_autoptr(EkHttpRequest) request = ek_http_request_new ("GET", missing);
    g_autoptr(EkHttpResponse) response = NULL;

    response = ek_test_http_send (http, request, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ek_http_response_get_status (response), ==, 404);
  }

  /* a response larger than allowed, known from Content-Length */
  {
    g_autofree char *big = g_strconcat (ek_test_server_get_base_url (f->server),
                                        "/v1/bandwidth?bytes=100000", NULL);
    g_autoptr(EkHttpRequest) request = ek_http_request_new ("GET", big);
    g_autoptr(EkHttpResponse) response = NULL;

    ek_http_request_set_max_response_size (request, 50000);
    response = ek_test_http_send (http, request, &error);
    g_assert_null (response);
    g_assert_error (error, EK_HTTP_ERROR, EK_HTTP_ERROR_RESPONSE_TOO_LARGE);
    g_clear_error (&error);
  }

  ek_test_remove_tree (dir);
  g_assert_finalize_object (g_steal_pointer (&http));
}

/* The typed calls of the attachments step against the reference server: the list
 * checked, each file's size and hash as the list says. */
static void
test_attachments (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(JsonArray) attachments = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  info = login (f->api, "E2E-INTV-7K2P", "11010519491231002X", &error);
  g_assert_no_error (error);

  ek_api_client_get_attachments_async (f->api, NULL, ek_test_result_cb, &result);
  attachments = ek_api_client_get_attachments_finish (f->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (attachments), >=, 1);

  for (guint i = 0; i < json_array_get_length (attachments); i++)
    {
      JsonObject *attachment = json_array_get_object_element (attachments, i);
      const char *id = json_object_get_string_member (attachment, "id");
      g_autoptr(GAsyncResult) got = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *content_type = NULL;
      g_autofree char *hash = NULL;

      g_assert_true (ek_json_is_identifier (id));
      ek_api_client_get_attachment_async (f->api, id, NULL, ek_test_result_cb, &got);
      bytes = ek_api_client_get_attachment_finish (f->api, ek_test_wait (&got), &content_type, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_bytes_get_size (bytes), ==, json_object_get_int_member (attachment, "size"));
      hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_assert_cmpstr (hash, ==, json_object_get_string_member (attachment, "sha256"));
      g_assert_true (g_str_has_prefix (content_type,
                                       json_object_get_string_member (attachment, "media_type")));
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/api/health", test_health);
  ADD ("/api/login/success", test_login_success);
  ADD ("/api/login/again", test_login_again);
  ADD ("/api/login/errors", test_login_errors);
  ADD ("/api/login/rate-limited", test_login_rate_limited);
  ADD ("/api/no-token", test_no_token);
  ADD ("/api/exam-flow", test_exam_flow);
  ADD ("/api/end-session", test_end_session);
  ADD ("/api/restart", test_restart);
  ADD ("/api/fault/latency", test_fault_latency);
  ADD ("/api/fault/error-rate-retried", test_fault_error_rate_retried);
  ADD ("/api/fault/error-rate-login-once", test_fault_error_rate_login_once);
  ADD ("/api/fault/cut", test_fault_cut);
  ADD ("/api/fault/malformed", test_fault_malformed);
  ADD ("/api/fault/oversized", test_fault_oversized);
  ADD ("/api/cancel", test_cancel);
  ADD ("/api/attachments", test_attachments);
  ADD ("/http/bodies", test_http_bodies);
  g_test_add_func ("/api/insecure-url", test_insecure_url);

#undef ADD

  return g_test_run ();
}
