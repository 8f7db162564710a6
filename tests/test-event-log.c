/* test-event-log.c: the hash-chained event log against the reference server
 *
 * The server recomputes every hash from its own canonical form, so an event it
 * acknowledges proves the client's canonical JSON and chaining agree with the
 * protocol (section 7). The cases: tricky data, a restart with the log on disk, the
 * network away, an acknowledgement lost on the way back, a log lost on this computer
 * (conflict, re-chained), and the engine turning violations into events.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ek-api-client.h"
#include "ek-engine.h"
#include "ek-event-log.h"
#include "ek-test-server.h"

#define OPEN_TOKEN "API-OPEN-7K2Q"
#define OPEN_ID_1  "110105199001010010"
#define ZERO_HASH  "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct
{
  EkTestServer  *server;
  EkServerClock *clock;
  EkApiClient   *api;
  char          *session_id;
  char          *dir;
  char          *path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSessionInfo) info = NULL;

  f->server = ek_test_server_start (NULL);
  f->clock = ek_server_clock_new ();
  f->api = ek_api_client_new (ek_test_server_get_base_url (f->server), f->clock);
  ek_api_client_set_timeout_ms (f->api, 3000);

  ek_api_client_login_async (f->api, OPEN_TOKEN, OPEN_ID_1, NULL, ek_test_result_cb, &result);
  info = ek_api_client_login_finish (f->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  f->session_id = g_strdup (ek_session_info_get_session_id (info));

  f->dir = ek_test_make_tmp_dir ();
  f->path = g_build_filename (f->dir, "events.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->api);
  g_assert_finalize_object (f->clock);
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->session_id);
}

static JsonArray *
server_events (Fixture *f)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server, f->session_id);

  g_assert_nonnull (session);
  return json_array_ref (json_object_get_array_member (session, "events"));
}

static gboolean
flush (EkEventLog  *log,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_event_log_flush_async (log, NULL, ek_test_result_cb, &result);
  return ek_event_log_flush_finish (log, ek_test_wait (&result), error);
}

/* Waits until the log has nothing pending (it retries by itself). */
static void
wait_settled (EkEventLog *log,
              guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (ek_event_log_get_n_pending (log) > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 0);
}

/* The server's copy is a valid chain from 64 zeros, seq 1..n, each hash recomputed
 * here from the canonical form. */
static void
assert_chain (JsonArray *events,
              guint      n)
{
  const char *prev = ZERO_HASH;

  g_assert_cmpuint (json_array_get_length (events), ==, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      g_autofree char *hash = ek_event_compute_hash (prev, event);

      g_assert_cmpint (json_object_get_int_member (event, "seq"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (event, "prev_hash"), ==, prev);
      g_assert_cmpstr (json_object_get_string_member (event, "hash"), ==, hash);
      prev = json_object_get_string_member (event, "hash");
    }
}

static gint64
append_simple (EkEventLog *log,
               const char *type,
               gint64      n)
{
  g_autoptr(JsonObject) data = json_object_new ();

  json_object_set_int_member (data, "n", n);
  return ek_event_log_append (log, type, 1795002000000 + n, 1795002000012 + n, n * 10, data);
}

static void
test_canonical_example (void)
{
  /* The protocol's own example, byte for byte. */
  g_autoptr(JsonObject) event = json_object_new ();
  g_autoptr(JsonObject) data = json_object_new ();
  g_autofree char *canonical = NULL;

  /* Members deliberately out of order, plus one that is not part of the form. */
  json_object_set_string_member (event, "prev_hash", ZERO_HASH);
  json_object_set_string_member (event, "hash", "ignored");
  json_object_set_int_member (event, "duration_ms", 1800);
  json_object_set_string_member (data, "window", "Firefox");
  json_object_set_object_member (event, "data", g_steal_pointer (&data));
  json_object_set_int_member (event, "server_ms", 1795002000012);
  json_object_set_int_member (event, "client_ms", 1795002000000);
  json_object_set_string_member (event, "type", "focus_lost");
  json_object_set_int_member (event, "seq", 1);

  canonical = ek_event_canonical_json (event);
  g_assert_cmpstr (canonical, ==,
                   "{\"seq\":1,\"type\":\"focus_lost\",\"client_ms\":1795002000000,"
                   "\"server_ms\":1795002000012,\"duration_ms\":1800,"
                   "\"data\":{\"window\":\"Firefox\"},\"prev_hash\":\"" ZERO_HASH "\"}");
}

static void
test_tricky_data (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);
  g_autoptr(JsonObject) tricky = json_object_new ();
  g_autoptr(JsonObject) inner = json_object_new ();
  g_autoptr(JsonArray) events = NULL;
  g_autoptr(JsonObject) with_double = json_object_new ();
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Quotes, backslashes, every escape, a control character, DEL, Chinese, an emoji,
   * nested objects whose members are not in alphabetical order, an array, a negative. */
  json_object_set_string_member (tricky, "zeta", "a \"quoted\" \\ path\b\f\n\r\t\x01\x1f\x7f end");
  json_object_set_string_member (tricky, "alpha", "考生 离开座位 🙂");
  json_object_set_int_member (inner, "y", -42);
  json_object_set_int_member (inner, "b", 0);
  json_object_set_object_member (tricky, "inner", g_steal_pointer (&inner));
  json_object_set_array_member (tricky, "list", json_array_new ());
  json_array_add_string_element (json_object_get_array_member (tricky, "list"), "x");
  json_array_add_int_element (json_object_get_array_member (tricky, "list"), 7);

  g_assert_cmpint (ek_event_log_append (log, "focus_lost", 1795002000000, 1795002000012, 1800, tricky), ==, 1);
  g_assert_cmpint (ek_event_log_append (log, "no_data", 1795002000100, 0, -1, NULL), ==, 2);
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 2);

  /* Floating point has no canonical form: refused, nothing stored. */
  json_object_set_double_member (with_double, "score", 0.5);
  g_test_expect_message ("ExamKiosk-Client", G_LOG_LEVEL_CRITICAL, "*floating-point*");
  g_assert_cmpint (ek_event_log_append (log, "bad", 1, 0, -1, with_double), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpint (ek_event_log_get_last_seq (log), ==, 2);

  /* No server yet: flushing says so and keeps the events. */
  g_assert_false (flush (log, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  ek_event_log_set_api (log, f->api);
  flush (log, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 2);
  g_assert_null (ek_event_log_get_problem (log));

  events = server_events (f);
  assert_chain (events, 2);
  /* What the server stored is what was appended. */
  {
    JsonObject *first = json_array_get_object_element (events, 0);
    JsonObject *stored = json_object_get_object_member (first, "data");

    g_assert_cmpstr (json_object_get_string_member (stored, "alpha"), ==, "考生 离开座位 🙂");
    g_assert_cmpstr (json_object_get_string_member (stored, "zeta"), ==,
                     "a \"quoted\" \\ path\b\f\n\r\t\x01\x1f\x7f end");
    g_assert_cmpint (json_object_get_int_member (first, "duration_ms"), ==, 1800);
    g_assert_false (json_object_has_member (json_array_get_object_element (events, 1), "duration_ms"));
    g_assert_false (json_object_has_member (json_array_get_object_element (events, 1), "server_ms"));
  }
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) events = NULL;
  g_autoptr(JsonArray) local = NULL;

  {
    g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);

    g_assert_no_error (error);
    ek_event_log_set_api (log, f->api);
    for (gint64 i = 1; i <= 3; i++)
      g_assert_cmpint (append_simple (log, "before", i), ==, i);
    g_assert_true (flush (log, &error));
    /* Two more, never sent: the process "dies" here. */
    ek_event_log_set_api (log, NULL);
    append_simple (log, "unsent", 4);
    append_simple (log, "unsent", 5);
  }

  {
    g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ek_event_log_get_last_seq (log), ==, 5);
    g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 3);
    g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 2);
    g_assert_cmpint (append_simple (log, "after", 6), ==, 6);

    ek_event_log_set_api (log, f->api);
    g_assert_true (flush (log, &error));
    g_assert_no_error (error);
    local = ek_event_log_dup_events (log, 0);
  }

  events = server_events (f);
  assert_chain (events, 6);
  g_assert_cmpuint (json_array_get_length (local), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (local, i), "hash"), ==,
                     json_object_get_string_member (json_array_get_object_element (events, i), "hash"));
}

static void
test_network_away (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);
  g_autoptr(JsonArray) events = NULL;

  g_assert_no_error (error);
  ek_event_log_set_api (log, f->api);

  /* Every request fails: the events stay, the problem is said, retries go on. */
  ek_test_server_set_faults (f->server, "{\"error_rate\": 1.0}");
  for (gint64 i = 1; i <= 4; i++)
    append_simple (log, "offline", i);
  g_assert_false (flush (log, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_nonnull (ek_event_log_get_problem (log));
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 4);
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 0);

  /* Back: the log gets there by itself, without a flush. */
  ek_test_server_clear_faults (f->server);
  append_simple (log, "online", 5);
  wait_settled (log, 40000);
  g_assert_null (ek_event_log_get_problem (log));
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 5);

  events = server_events (f);
  assert_chain (events, 5);
}

static void
test_lost_ack (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);
  g_autoptr(JsonArray) events = NULL;

  g_assert_no_error (error);
  ek_event_log_set_api (log, f->api);

  /* The server stores the batch but its answer arrives broken: the batch is sent
   * again and the server skips what it holds (same hashes), no conflict. */
  ek_test_server_set_faults (f->server, "{\"malformed\": true}");
  append_simple (log, "first", 1);
  append_simple (log, "first", 2);
  g_assert_false (flush (log, &error));
  g_clear_error (&error);
  events = server_events (f);
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  g_clear_pointer (&events, json_array_unref);

  ek_test_server_clear_faults (f->server);
  append_simple (log, "second", 3);
  g_assert_true (flush (log, &error));
  g_assert_no_error (error);

  events = server_events (f);
  assert_chain (events, 3);
}

static void
test_conflict_rechains (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) events = NULL;
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);

  /* Another log (another computer, or this one before its data folder was wiped)
   * has written three events of the session. */
  {
    g_autoptr(EkEventLog) log = ek_event_log_new (other, &error);

    g_assert_no_error (error);
    ek_event_log_set_api (log, f->api);
    for (gint64 i = 1; i <= 3; i++)
      append_simple (log, "elsewhere", i);
    g_assert_true (flush (log, &error));
  }

  /* This log starts from nothing: its seq 1 and 2 collide with the server's. */
  {
    g_autoptr(EkEventLog) log = ek_event_log_new (f->path, &error);

    g_assert_no_error (error);
    append_simple (log, "here", 101);
    append_simple (log, "here", 102);
    ek_event_log_set_api (log, f->api);
    g_assert_true (flush (log, &error));
    g_assert_no_error (error);
    g_assert_cmpint (ek_event_log_get_last_seq (log), ==, 5);
    g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 5);

    /* And goes on from there */
    append_simple (log, "here", 103);
    g_assert_true (flush (log, &error));
  }

  events = server_events (f);
  assert_chain (events, 6);
  /* Nothing the server held was changed; ours follow in their order. */
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, i), "type"), ==, "elsewhere");
  for (guint i = 3; i < 6; i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "here");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (event, "data"), "n"), ==, 98 + i);
    }
}

/* The engine: a login opens the session's log in its private folder, and every
 * violation of a watched tracker reaches the server with its duration. */
static void
test_engine_violations (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *conf = NULL;
  g_autofree char *events_path = NULL;
  g_autoptr(EkConfig) config = NULL;
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkViolationTracker) tracker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) session = NULL;
  JsonArray *events;
  EkEventLog *log;
  gboolean saw_start = FALSE, saw_end = FALSE, saw_opened = FALSE;
  GStatBuf st;

  conf = g_strdup_printf ("[server]\nurl=%s\n[storage]\ndata-dir=%s/data\n",
                          ek_test_server_get_base_url (server), dir);
  config = ek_config_new ();
  g_assert_true (ek_config_load_from_data (config, conf, -1, "test", &error));
  g_assert_no_error (error);
  engine = ek_engine_new (config);

  ek_engine_login_async (engine, OPEN_TOKEN, OPEN_ID_1, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);

  log = ek_engine_get_event_log (engine);
  g_assert_nonnull (log);
  events_path = g_build_filename (dir, "data", "sessions", ek_engine_get_session_id (engine), NULL);
  g_assert_cmpint (g_stat (events_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  {
    g_autoptr(JsonObject) none = json_object_new ();

    policy = ek_lockdown_policy_new_from_json (none, TRUE, &error);
    g_assert_no_error (error);
  }
  tracker = ek_violation_tracker_new (policy);
  ek_engine_watch_violations (engine, tracker);
  ek_violation_tracker_begin (tracker, "blocked_process", "obs");
  ek_test_sleep_ms (120);
  ek_violation_tracker_end (tracker, "blocked_process");

  {
    g_autoptr(GAsyncResult) flushed = NULL;

    ek_event_log_flush_async (log, NULL, ek_test_result_cb, &flushed);
    g_assert_true (ek_event_log_flush_finish (log, ek_test_wait (&flushed), &error));
    g_assert_no_error (error);
  }

  session = ek_test_server_get_session (server, ek_engine_get_session_id (engine));
  events = json_object_get_array_member (session, "events");
  assert_chain (events, json_array_get_length (events));
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *type = json_object_get_string_member (event, "type");
      JsonObject *d = json_object_get_object_member (event, "data");

      g_assert_true (json_object_has_member (event, "server_ms"));
      if (g_str_equal (type, "session_opened"))
        saw_opened = TRUE;
      if (g_str_equal (type, "blocked_process") &&
          g_str_equal (json_object_get_string_member (d, "state"), "started"))
        {
          g_assert_cmpstr (json_object_get_string_member (d, "detail"), ==, "obs");
          saw_start = TRUE;
        }
      if (g_str_equal (type, "blocked_process") &&
          g_str_equal (json_object_get_string_member (d, "state"), "ended"))
        {
          g_assert_cmpint (json_object_get_int_member (event, "duration_ms"), >=, 100);
          g_assert_cmpint (json_object_get_int_member (event, "duration_ms"), <, 5000);
          saw_end = TRUE;
        }
    }
  g_assert_true (saw_opened);
  g_assert_true (saw_start);
  g_assert_true (saw_end);

  ek_engine_watch_violations (engine, NULL);
  g_clear_object (&engine);
  ek_test_remove_tree (dir);
}

/* A server of the test's own that acknowledges more than it was sent (issue 15, item
 * 7): an acknowledgement beyond the batch is refused, nothing is marked acknowledged;
 * once the server answers sensibly the events get there. Each connection: one request,
 * one answer, closed. */
typedef struct
{
  GSocketListener *listener;
  GCancellable    *stop;
  guint16          port;
  gint             overshoot;     /* added to the highest seq of each batch */
  gint             batches;
  gint64           highest_sent;  /* the highest seq that ever reached the server */
} LyingServer;

static gint64
highest_seq (const char *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *events;
  gint64 highest = 0;

  if (!json_parser_load_from_data (parser, body, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return -1;
  events = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "events");
  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    highest = MAX (highest, json_object_get_int_member (json_array_get_object_element (events, i), "seq"));
  return highest;
}

static gpointer
lying_server_thread (gpointer data)
{
  LyingServer *server = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) connection = NULL;
      g_autoptr(GDataInputStream) in = NULL;
      g_autoptr(GString) head = g_string_new (NULL);
      g_autofree char *body = NULL;
      g_autofree char *reply = NULL;
      g_autofree char *answer = NULL;
      GOutputStream *out;
      guint64 length = 0;
      gint64 highest;
      char *line;

      connection = g_socket_listener_accept (server->listener, NULL, server->stop, NULL);
      if (connection == NULL)
        return NULL;   /* closed: the test is over */
      in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
      g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
      while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL && *line != '\0')
        {
          if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
            length = g_ascii_strtoull (line + 15, NULL, 10);
          g_string_append_printf (head, "%s\n", line);
          g_free (line);
        }
      g_free (line);
      body = g_malloc0 (length + 1);
      g_input_stream_read_all (G_INPUT_STREAM (in), body, length, NULL, NULL, NULL);

      highest = highest_seq (body);
      if (g_str_has_prefix (head->str, "POST /v1/session/events") && highest >= 0)
        {
          g_atomic_int_inc (&server->batches);
          server->highest_sent = MAX (server->highest_sent, highest);
          answer = g_strdup_printf ("{\"acked_seq\": %" G_GINT64_FORMAT "}",
                                    highest + g_atomic_int_get (&server->overshoot));
        }
      else
        answer = g_strdup ("{\"error\": \"not_found\", \"message\": \"no\"}");
      reply = g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                               highest >= 0 ? "200 OK" : "404 Not Found", strlen (answer), answer);
      out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
}

static void
test_ack_beyond_batch (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "events.db", NULL);
  g_autofree char *base_url = NULL;
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkApiClient) api = NULL;
  g_autoptr(EkEventLog) log = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  LyingServer server = { 0 };

  server.listener = g_socket_listener_new ();
  server.stop = g_cancellable_new ();
  server.port = g_socket_listener_add_any_inet_port (server.listener, NULL, &error);
  g_assert_no_error (error);
  server.overshoot = 5;
  thread = g_thread_new ("lying-server", lying_server_thread, &server);

  base_url = g_strdup_printf ("http://127.0.0.1:%u", server.port);
  api = ek_api_client_new (base_url, clock);
  ek_api_client_set_timeout_ms (api, 3000);
  ek_api_client_set_session_token (api, "a-token-of-no-importance");

  log = ek_event_log_new (path, &error);
  g_assert_no_error (error);
  ek_event_log_set_api (log, api);
  for (gint64 i = 1; i <= 3; i++)
    append_simple (log, "sent", i);

  /* The server says it holds seq 8 of a batch that ends at 3: refused. */
  g_test_expect_message ("ExamKiosk-Client", G_LOG_LEVEL_WARNING, "*protocol error*acknowledged seq 8*ends at 3*");
  g_assert_false (flush (log, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  g_assert_cmpint (server.highest_sent, ==, 3);
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 0);
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 3);
  g_assert_nonnull (ek_event_log_get_problem (log));

  /* Later events are not acknowledged by the nonsense either. */
  append_simple (log, "later", 4);
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 0);
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 4);

  /* A sensible answer: everything that was sent, and only that, is acknowledged. */
  g_atomic_int_set (&server.overshoot, 0);
  g_assert_true (flush (log, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_event_log_get_acked_seq (log), ==, 4);
  g_assert_cmpint (server.highest_sent, ==, 4);
  g_assert_cmpuint (ek_event_log_get_n_pending (log), ==, 0);
  g_assert_null (ek_event_log_get_problem (log));

  g_cancellable_cancel (server.stop);
  g_thread_join (g_steal_pointer (&thread));
  g_socket_listener_close (server.listener);
  g_clear_object (&server.listener);
  g_clear_object (&server.stop);
  g_clear_object (&log);
  g_assert_finalize_object (g_steal_pointer (&api));
  ek_test_remove_tree (dir);
}

/* The log's own words around the shared helpers' errors. */
static void
test_cannot_open (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *blocker = g_build_filename (dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (blocker, "events.db", NULL);
  g_autofree char *not_db = g_build_filename (dir, "events.db", NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  EkEventLog *log;

  g_assert_true (g_file_set_contents (blocker, "x", -1, NULL));
  log = ek_event_log_new (under_file, &error);
  g_assert_null (log);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  expected = g_strdup_printf ("The event log cannot be created in %s: %s", under_file, g_strerror (ENOTDIR));
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  g_assert_true (g_file_set_contents (not_db, "this is not an SQLite database, just text that is long enough "
                                              "to be read as a header and rejected by SQLite.", -1, NULL));
  log = ek_event_log_new (not_db, &error);
  g_assert_null (log);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "The event log on this computer cannot be written (file is not a database).");

  ek_test_remove_tree (dir);
}

/* A damaged or edited events.db (tests/fuzz/fuzz-records.c feeds such rows): NULL
 * where the schema says NOT NULL, data nested far deeper than any event and data that
 * is no JSON. The log opens, reads every row back without crashing, and chains on. */
static void
test_damaged_file (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "events.db", NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkEventLog) log = NULL;
  g_autoptr(JsonArray) events = NULL;
  sqlite3_stmt *stmt;
  sqlite3 *db;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_string_prepend (deep, "{\"a\":");

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE events (pos INTEGER PRIMARY KEY AUTOINCREMENT,"
                                 " seq, type, client_ms, server_ms, duration_ms, data, prev_hash,"
                                 " hash, acked INTEGER NOT NULL DEFAULT 0);"
                                 "INSERT INTO events (seq, type, client_ms, data, prev_hash, hash)"
                                 " VALUES (1, NULL, 5, 'not json', NULL, 'h1');"
                                 "INSERT INTO events (seq, type, client_ms, data, prev_hash, hash)"
                                 " VALUES (2, 'focus', 6, '{\"a\":1e300}', 'h1', 'h2');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO events (seq, type, client_ms, data, prev_hash, hash)"
                                       " VALUES (3, 'focus', 'x', ?1, 'h2', NULL)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, deep->str, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  log = ek_event_log_new (path, &error);
  g_assert_no_error (error);
  events = ek_event_log_dup_events (log, 0);
  g_assert_cmpuint (json_array_get_length (events), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "type"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "prev_hash"), ==, "");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_array_get_object_element (events, 0), "data")), ==, 0);
  for (guint i = 1; i < 3; i++)
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (json_array_get_object_element (events, i), "data")), ==, 0);

  /* The last row's NULL hash does not break the chain: a new event still gets one. */
  g_assert_cmpint (ek_event_log_append (log, "focus", 10, -1, -1, NULL), ==, 4);

  g_clear_object (&log);
  ek_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event-log/canonical-example", test_canonical_example);
  g_test_add ("/event-log/tricky-data", Fixture, NULL, fixture_set_up, test_tricky_data, fixture_tear_down);
  g_test_add ("/event-log/restart", Fixture, NULL, fixture_set_up, test_restart, fixture_tear_down);
  g_test_add ("/event-log/network-away", Fixture, NULL, fixture_set_up, test_network_away, fixture_tear_down);
  g_test_add ("/event-log/lost-ack", Fixture, NULL, fixture_set_up, test_lost_ack, fixture_tear_down);
  g_test_add ("/event-log/conflict-rechains", Fixture, NULL, fixture_set_up, test_conflict_rechains, fixture_tear_down);
  g_test_add_func ("/event-log/engine-violations", test_engine_violations);
  g_test_add_func ("/event-log/ack-beyond-batch", test_ack_beyond_batch);
  g_test_add_func ("/event-log/cannot-open", test_cannot_open);
  g_test_add_func ("/event-log/damaged-file", test_damaged_file);

  return g_test_run ();
}
