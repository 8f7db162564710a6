/* test-faults.c: a hostile exam server never crashes nor hangs the kiosk
 *
 * The server is the test's own: a GThreadedSocketService on loopback, on a port the
 * test picks, answering every API path with what the current fault says: empty,
 * truncated, wrong-typed, deeply nested, oversized and slow bodies, a redirect loop,
 * a garbage status line, 50,000 repeated headers, names that would become paths.
 * Every typed call of EkApiClient (and the answer list as the answer store reads it,
 * and the sealed questions package) is made against each fault; each must end, within
 * its timeout, with an EK_API_ERROR whose message says what happened. The slow body
 * is sent to every call at once. The recording's upload endpoint (EkTusClient) gets
 * the same answers and must fail with a sentence that names the upload or the server.
 *
 * The whole run has http_proxy (and its cousins) pointing at a listening socket of
 * the test: it must never see a connection.
 */

#include "config.h"

#include <curl/curl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ek-answer-store-private.h"
#include "ek-api-client.h"
#include "ek-json.h"
#include "ek-tus-client.h"

#define CALL_TIMEOUT_MS 1500

typedef enum
{
  FAULT_NONE,              /* a valid health answer, 404 elsewhere */
  FAULT_EMPTY_200,
  FAULT_EMPTY_500,
  FAULT_EMPTY_204_LIKE,    /* 200 with a JSON type and no Content-Length, closed at once */
  FAULT_TRUNCATED,
  FAULT_WRONG_TYPED,
  FAULT_DEEP,
  FAULT_OVERSIZED_DECLARED,
  FAULT_OVERSIZED_STREAMED,
  FAULT_SLOW,
  FAULT_REDIRECT_LOOP,
  FAULT_GARBAGE_STATUS,
  FAULT_NOT_JSON,
  FAULT_NUL_IN_STRING,
  FAULT_BAD_NAMES,
  FAULT_MANY_HEADERS,
} Fault;

typedef struct
{
  GThreadedSocketService *service;
  guint16                 port;
  volatile gint           fault;
  volatile gint           n_requests;
  volatile gint           n_active;       /* connections being answered */
  char                   *bad_name;       /* for FAULT_BAD_NAMES */
  GMutex                  lock;
} HostileServer;

typedef struct
{
  GSocketService *service;
  guint16         port;
  volatile gint   n_connections;
} ProxyTrap;

static ProxyTrap proxy_trap;

/* The server side, in the service's threads */

static gboolean
write_all (GOutputStream *out,
           const void    *data,
           gsize          len)
{
  return g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
}

static gboolean
write_str (GOutputStream *out,
           const char    *str)
{
  return write_all (out, str, strlen (str));
}

static void
reply (GOutputStream *out,
       const char    *status,
       const char    *body)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                           status, strlen (body));

  write_str (out, head);
  write_str (out, body);
}

/* Every member any typed answer reads, each of the wrong type. */
static const char wrong_typed[] =
  "{ \"status\": 1, \"protocol\": \"one\", \"min_client_version\": [], \"server_time_ms\": \"now\","
  " \"session_id\": 7, \"session_token\": false, \"sequence_number\": \"17\", \"phase\": {},"
  " \"questions\": {}, \"revision\": \"1\", \"stored_ms\": null, \"acked_seq\": -1,"
  " \"cursor\": 3, \"messages\": \"none\", \"id\": [1], \"sent_ms\": true, \"received_ms\": 1.5,"
  " \"complete\": \"yes\", \"segments\": 1, \"result\": 0, \"face_login\": \"no\","
  " \"qr_payload\": 5, \"attachments\": \"a1\", \"receive_ms\": \"x\", \"transmit_ms\": \"y\","
  " \"key\": 32, \"checked_in_ms\": \"soon\", \"answers\": { \"q1\": 1 }, \"match\": \"yes\" }";

static char *
bad_names_body (const char *path,
                const char *bad)
{
  if (g_str_has_prefix (path, "/v1/session/attachments"))
    return g_strdup_printf ("{ \"attachments\": [ { \"id\": \"%s\", \"name\": \"n\","
                            " \"media_type\": \"text/plain\" } ] }", bad);
  if (g_str_has_prefix (path, "/v1/session/messages"))
    return g_strdup_printf ("{ \"id\": \"%s\", \"sent_ms\": 1700000000000, \"cursor\": \"c\","
                            " \"messages\": [ { \"id\": \"%s\", \"kind\": \"chat\","
                            " \"sent_ms\": 1700000000000 } ] }", bad, bad);
  if (g_str_has_prefix (path, "/v1/session/answers"))
    return g_strdup_printf ("{ \"answers\": [ { \"question_id\": \"%s\", \"revision\": 1,"
                            " \"value\": null } ] }", bad);
  if (g_str_has_prefix (path, "/v1/session/questions"))
    return g_strdup_printf ("{ \"phase\": \"p1\", \"questions\": [ { \"id\": \"%s\", \"type\": \"oral\","
                            " \"text\": \"t\" } ] }", bad);
  /* logins and the session: the session id becomes the name of a data folder */
  return g_strdup_printf ("{ \"session_id\": \"%s\", \"id\": \"%s\", \"received_ms\": 1700000000000 }",
                          bad, bad);
}

static void
answer (HostileServer *server,
        GOutputStream *out,
        const char    *path)
{
  switch ((Fault) g_atomic_int_get (&server->fault))
    {
    case FAULT_NONE:
      if (g_str_equal (path, "/v1/health"))
        reply (out, "200 OK", "{ \"status\": \"ok\", \"protocol\": 1, \"min_client_version\": \"0\","
                              " \"server_time_ms\": 1700000000000 }");
      else
        reply (out, "404 Not Found", "{ \"error\": { \"code\": \"not_found\", \"message\": \"no\" } }");
      break;

    case FAULT_EMPTY_200:
      reply (out, "200 OK", "");
      break;

    case FAULT_EMPTY_500:
      reply (out, "500 Internal Server Error", "");
      break;

    case FAULT_EMPTY_204_LIKE:
      write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
      break;

    case FAULT_TRUNCATED:
      write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                      "{ \"status\": \"ok\", \"proto");
      break;

    case FAULT_WRONG_TYPED:
      reply (out, "200 OK", wrong_typed);
      break;

    case FAULT_DEEP:
      {
        g_autoptr(GString) body = g_string_new ("{ \"a\": ");

        for (guint i = 0; i < 100000; i++)
          g_string_append_c (body, '[');
        for (guint i = 0; i < 100000; i++)
          g_string_append_c (body, ']');
        g_string_append_c (body, '}');
        reply (out, "200 OK", body->str);
      }
      break;

    case FAULT_OVERSIZED_DECLARED:
      write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                      "Content-Length: 900000000\r\n\r\n{");
      break;

    case FAULT_OVERSIZED_STREAMED:
      {
        g_autofree char *chunk = g_strnfill (64 * 1024, ' ');

        write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{");
        for (guint i = 0; i < 160 && write_str (out, chunk); i++)
          ;
      }
      break;

    case FAULT_SLOW:
      write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
      for (guint i = 0; i < 50 && write_str (out, " "); i++)
        g_usleep (200 * 1000);
      break;

    case FAULT_REDIRECT_LOOP:
      {
        g_autofree char *head = g_strdup_printf ("HTTP/1.1 302 Found\r\nLocation: %s\r\n"
                                                 "Content-Length: 0\r\n\r\n", path);

        write_str (out, head);
      }
      break;

    case FAULT_GARBAGE_STATUS:
      write_str (out, "SSH-2.0-OpenSSH_9.2\r\n\r\n{ \"status\": \"ok\" }");
      break;

    case FAULT_NOT_JSON:
      write_str (out, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>");
      break;

    case FAULT_NUL_IN_STRING:
      reply (out, "200 OK", "{ \"status\": \"o\\u0000k\", \"session_id\": \"s\\u0000/../x\","
                            " \"id\": \"a\\u0000\", \"attachments\": [], \"qr_payload\": \"\\u0000\" }");
      break;

    case FAULT_BAD_NAMES:
      {
        g_autofree char *body = NULL;

        g_mutex_lock (&server->lock);
        body = bad_names_body (path, server->bad_name);
        g_mutex_unlock (&server->lock);
        reply (out, "200 OK", body);
      }
      break;

    case FAULT_MANY_HEADERS:
      {
        g_autoptr(GString) head = g_string_new ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
        const char *body = "{ \"status\": \"ok\", \"protocol\": 1, \"min_client_version\": \"0\","
                           " \"server_time_ms\": 1700000000000 }";

        /* short ones: curl refuses more than 300 KiB of headers in all */
        for (guint i = 0; i < 50000; i++)
          g_string_append (head, "X:a\r\n");
        g_string_append_printf (head, "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                strlen (body), body);
        write_all (out, head->str, head->len);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_run_cb (GThreadedSocketService *service,
           GSocketConnection      *connection,
           GObject                *source_object,
           gpointer                user_data)
{
  HostileServer *server = user_data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
  g_autofree char *request_line = NULL;
  g_auto(GStrv) parts = NULL;
  gsize content_length = 0;

  g_atomic_int_inc (&server->n_active);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (data), FALSE);
  request_line = g_data_input_stream_read_line (data, NULL, NULL, NULL);
  if (request_line == NULL)
    {
      g_atomic_int_dec_and_test (&server->n_active);
      return TRUE;
    }

  /* the headers, then the body, so that curl has sent all before it reads */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (data, NULL, NULL, NULL);

      if (line == NULL || *g_strchomp (line) == '\0')
        break;
      if (g_ascii_strncasecmp (line, "content-length:", 15) == 0)
        content_length = g_ascii_strtoull (line + 15, NULL, 10);
    }
  if (content_length > 0)
    {
      g_autofree char *body = g_malloc (content_length);

      g_input_stream_read_all (G_INPUT_STREAM (data), body, content_length, NULL, NULL, NULL);
    }

  g_atomic_int_inc (&server->n_requests);
  parts = g_strsplit (request_line, " ", 3);
  if (g_strv_length (parts) >= 2)
    {
      char *query = strchr (parts[1], '?');

      if (query != NULL)
        *query = '\0';
      answer (server, out, parts[1]);
    }

  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_atomic_int_dec_and_test (&server->n_active);
  return TRUE;
}

static void
hostile_server_start (HostileServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server->lock);
  server->service = G_THREADED_SOCKET_SERVICE (g_threaded_socket_service_new (64));
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "run", G_CALLBACK (on_run_cb), server);
  g_socket_service_start (G_SOCKET_SERVICE (server->service));
}

static void
hostile_server_stop (HostileServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_socket_service_stop (G_SOCKET_SERVICE (server->service));
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  /* a thread still writing to a client that gave up stops at its next write */
  while (g_atomic_int_get (&server->n_active) > 0 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&server->n_active), ==, 0);
  g_clear_object (&server->service);
  g_clear_pointer (&server->bad_name, g_free);
  g_mutex_clear (&server->lock);
}

/* The proxy trap: counts connections, answers none */

static gboolean
on_proxy_incoming_cb (GSocketService    *service,
                      GSocketConnection *connection,
                      GObject           *source_object,
                      gpointer           user_data)
{
  g_atomic_int_inc (&proxy_trap.n_connections);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
proxy_trap_start (void)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  proxy_trap.service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy_trap.service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  proxy_trap.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy_trap.service, "incoming", G_CALLBACK (on_proxy_incoming_cb), NULL);
  g_socket_service_start (proxy_trap.service);

  /* Before any thread runs: setenv is not thread-safe. */
  url = g_strdup_printf ("http://127.0.0.1:%u", proxy_trap.port);
  g_setenv ("http_proxy", url, TRUE);
  g_setenv ("HTTPS_PROXY", url, TRUE);
  g_setenv ("https_proxy", url, TRUE);
  g_setenv ("ALL_PROXY", url, TRUE);
  g_setenv ("all_proxy", url, TRUE);
  g_unsetenv ("no_proxy");
  g_unsetenv ("NO_PROXY");
}

/* The calls */

typedef struct
{
  const char *name;
  void      (*start)  (EkApiClient *api, GAsyncReadyCallback callback, gpointer user_data);
  gboolean  (*finish) (EkApiClient *api, GAsyncResult *result, GError **error);
} Call;

/* An attachment and the sealed questions package are bytes: any 2xx body is a valid one. */
#define IS_BYTES_CALL(call) (g_str_equal ((call)->name, "attachment") || \
                             g_str_equal ((call)->name, "questions_package"))

static GBytes *
jpeg (void)
{
  static const guint8 data[] = { 0xff, 0xd8, 0xff, 0xd9 };

  return g_bytes_new_static (data, sizeof data);
}

#define FINISH_OBJECT(name, type, free_func, call)                                      \
  static gboolean                                                                       \
  finish_##name (EkApiClient *api, GAsyncResult *result, GError **error)                \
  {                                                                                     \
    type value = call;                                                                  \
    if (value == NULL)                                                                  \
      return FALSE;                                                                     \
    free_func (value);                                                                  \
    return TRUE;                                                                        \
  }

static void
start_health (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_health_async (api, NULL, cb, data);
}

static gboolean
finish_health (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *version = NULL;

  return ek_api_client_health_finish (api, result, NULL, &version, NULL, error);
}

static void
start_login (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_login_async (api, "TOKEN-1", "110101199003071234", NULL, cb, data);
}
FINISH_OBJECT (login, EkSessionInfo *, g_object_unref, ek_api_client_login_finish (api, result, error))

static void
start_get_session (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_session_async (api, NULL, cb, data);
}
FINISH_OBJECT (get_session, EkSessionInfo *, g_object_unref, ek_api_client_get_session_finish (api, result, error))

static void
start_end_session (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_end_session_async (api, NULL, cb, data);
}

static gboolean
finish_end_session (EkApiClient *api, GAsyncResult *result, GError **error)
{
  return ek_api_client_end_session_finish (api, result, error);
}

static void
start_pledge (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_pledge_async (api, TRUE, "v1", NULL, cb, data);
}
FINISH_OBJECT (state, EkSessionState *, ek_session_state_free, ek_api_client_state_finish (api, result, error))

static void
start_step (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_complete_step_async (api, EK_STEP_DEVICE_CONFIRM, NULL, cb, data);
}

static void
start_enter (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_enter_async (api, NULL, cb, data);
}

static void
start_submit (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_submit_async (api, 3, NULL, NULL, cb, data);
}

static void
start_face (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) photo = jpeg ();

  ek_api_client_face_check_async (api, photo, 1700000000000, NULL, cb, data);
}

static gboolean
finish_face (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *reason = NULL;
  gboolean match;

  return ek_api_client_face_check_finish (api, result, &match, NULL, &reason, NULL, error);
}

static void
start_face_login (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) photo = jpeg ();

  ek_api_client_face_login_async (api, "exam-1", "110101199003071234", photo, 1700000000000,
                                  NULL, cb, data);
}
FINISH_OBJECT (face_login, EkSessionInfo *, g_object_unref, ek_api_client_face_login_finish (api, result, error))

static void
start_face_recheck (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) photo = jpeg ();

  ek_api_client_face_recheck_async (api, photo, 1700000000000, NULL, cb, data);
}

static void
start_check_in (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_check_in_async (api, NULL, cb, data);
}

static gboolean
finish_check_in (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *key = NULL;
  gint64 checked_in_ms;

  return ek_api_client_check_in_finish (api, result, &key, &checked_in_ms, error);
}

static void
start_enter_at (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_enter_at_async (api, 1700000000000, NULL, cb, data);
}

static void
start_questions_package (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_questions_package_async (api, NULL, cb, data);
}

static gboolean
finish_bytes (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autoptr(GBytes) bytes = ek_api_client_call_bytes_finish (api, result, NULL, error);

  return bytes != NULL;
}

/* GET /v1/session/answers, read by the answer store (a store of the test's own,
 * without a server, so that it makes no call of its own). */
static EkAnswerStore *answer_store;

static void
start_answers (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_call_async (api, "GET", "/v1/session/answers", NULL, EK_API_CALL_IDEMPOTENT,
                            NULL, cb, data);
}

static gboolean
finish_answers (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autoptr(JsonObject) object = ek_api_client_call_finish (api, result, error);

  return object != NULL && _ek_answer_store_apply_server_answers (answer_store, object, error);
}

static void
start_login_options (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_login_options_async (api, "exam-1", NULL, cb, data);
}

static gboolean
finish_login_options (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *help = NULL;
  gboolean face_login;

  return ek_api_client_get_login_options_finish (api, result, &face_login, &help, error);
}

static void
start_second_view (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_request_second_view_async (api, NULL, cb, data);
}

static gboolean
finish_second_view (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *payload = NULL;
  g_autofree char *code = NULL;

  return ek_api_client_request_second_view_finish (api, result, &payload, &code, error);
}

static void
start_second_view_status (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_second_view_async (api, NULL, cb, data);
}

static gboolean
finish_second_view_status (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *device = NULL;
  gboolean bound;

  return ek_api_client_get_second_view_finish (api, result, &bound, &device, error);
}

static void
start_draw (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_draw_async (api, NULL, cb, data);
}

static gboolean
finish_draw (EkApiClient *api, GAsyncResult *result, GError **error)
{
  return ek_api_client_draw_finish (api, result, NULL, error);
}

static void
start_attachments (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_attachments_async (api, NULL, cb, data);
}
FINISH_OBJECT (attachments, JsonArray *, json_array_unref, ek_api_client_get_attachments_finish (api, result, error))

static void
start_questions (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_questions_async (api, "p1", NULL, cb, data);
}
FINISH_OBJECT (questions, JsonArray *, json_array_unref, ek_api_client_get_questions_finish (api, result, error))

static void
start_put_answer (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_put_answer_async (api, "q1", 1, NULL, 1700000000000, NULL, cb, data);
}

static gboolean
finish_put_answer (EkApiClient *api, GAsyncResult *result, GError **error)
{
  return ek_api_client_put_answer_finish (api, result, NULL, NULL, error);
}

static void
start_events (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(JsonArray) events = json_array_new ();

  ek_api_client_post_events_async (api, events, NULL, cb, data);
}

static gboolean
finish_events (EkApiClient *api, GAsyncResult *result, GError **error)
{
  return ek_api_client_post_events_finish (api, result, NULL, error);
}

static void
start_messages (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_messages_async (api, NULL, NULL, cb, data);
}

static gboolean
finish_messages (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *cursor = NULL;
  g_autoptr(JsonArray) messages = ek_api_client_get_messages_finish (api, result, &cursor, error);

  return messages != NULL;
}

static void
start_post_message (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_post_message_async (api, "chat", "hello", NULL, NULL, cb, data);
}

static gboolean
finish_post_message (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *id = NULL;

  return ek_api_client_post_message_finish (api, result, &id, NULL, error);
}

static void
start_snapshot (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(GBytes) photo = jpeg ();

  ek_api_client_post_snapshot_async (api, "camera", photo, 1700000000000, NULL, cb, data);
}

static gboolean
finish_snapshot (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *id = NULL;

  return ek_api_client_post_snapshot_finish (api, result, &id, error);
}

static void
start_self_check (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(JsonNode) report = json_from_string ("{ \"checks\": [] }", NULL);

  ek_api_client_post_self_check_async (api, report, NULL, cb, data);
}

static gboolean
finish_self_check (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autofree char *id = NULL;

  return ek_api_client_post_self_check_finish (api, result, &id, NULL, error);
}

static void
start_finish (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  g_autoptr(JsonArray) segments = json_array_new ();

  ek_api_client_finish_async (api, segments, NULL, cb, data);
}

static gboolean
finish_finish (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autoptr(JsonArray) segments = NULL;
  gboolean complete;

  return ek_api_client_finish_finish (api, result, &complete, &segments, error);
}

static void
start_attachment (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_get_attachment_async (api, "a1", NULL, cb, data);
}

static gboolean
finish_attachment (EkApiClient *api, GAsyncResult *result, GError **error)
{
  g_autoptr(GBytes) bytes = ek_api_client_get_attachment_finish (api, result, NULL, error);

  return bytes != NULL;
}

static void
start_clock (EkApiClient *api, GAsyncReadyCallback cb, gpointer data)
{
  ek_api_client_sync_clock_async (api, NULL, cb, data);
}

static gboolean
finish_clock (EkApiClient *api, GAsyncResult *result, GError **error)
{
  return ek_api_client_sync_clock_finish (api, result, error);
}

static const Call calls[] = {
  { "health", start_health, finish_health },
  { "login", start_login, finish_login },
  { "get_session", start_get_session, finish_get_session },
  { "end_session", start_end_session, finish_end_session },
  { "pledge", start_pledge, finish_state },
  { "complete_step", start_step, finish_state },
  { "enter", start_enter, finish_state },
  { "submit", start_submit, finish_state },
  { "face_check", start_face, finish_face },
  { "face_recheck", start_face_recheck, finish_face },
  { "face_login", start_face_login, finish_face_login },
  { "login_options", start_login_options, finish_login_options },
  { "second_view", start_second_view, finish_second_view },
  { "second_view_status", start_second_view_status, finish_second_view_status },
  { "draw", start_draw, finish_draw },
  { "attachments", start_attachments, finish_attachments },
  { "questions", start_questions, finish_questions },
  { "questions_package", start_questions_package, finish_bytes },
  { "check_in", start_check_in, finish_check_in },
  { "enter_at", start_enter_at, finish_state },
  { "answers", start_answers, finish_answers },
  { "put_answer", start_put_answer, finish_put_answer },
  { "events", start_events, finish_events },
  { "messages", start_messages, finish_messages },
  { "post_message", start_post_message, finish_post_message },
  { "snapshot", start_snapshot, finish_snapshot },
  { "self_check", start_self_check, finish_self_check },
  { "finish", start_finish, finish_finish },
  { "attachment", start_attachment, finish_attachment },
  { "clock", start_clock, finish_clock },
};

/* Running them */

typedef struct
{
  HostileServer  server;
  EkApiClient   *api;
  EkServerClock *clock;
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

  f->n_retries++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *base_url = NULL;

  hostile_server_start (&f->server);
  base_url = g_strdup_printf ("http://127.0.0.1:%u", f->server.port);
  f->clock = ek_server_clock_new ();
  f->api = ek_api_client_new (base_url, f->clock);
  ek_api_client_set_timeout_ms (f->api, CALL_TIMEOUT_MS);
  /* two attempts, quickly: a retried fault must still end soon */
  ek_api_client_set_retry_policy (f->api, 2, 10, 20);
  ek_api_client_set_session_token (f->api, "test-token-not-a-secret");
  g_signal_connect (f->api, "retrying", G_CALLBACK (on_retrying_cb), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->api);
  g_clear_object (&f->clock);
  hostile_server_stop (&f->server);
  /* the environment's proxy saw nothing of the whole test */
  g_assert_cmpint (g_atomic_int_get (&proxy_trap.n_connections), ==, 0);
}

static void
on_done_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Makes @call and returns its error; fails the test if it succeeded or took longer
 * than its attempts' timeouts allow. */
static GError *
run_call (Fixture    *f,
          const Call *call)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();
  /* the clock sync makes up to eight samples of one attempt each */
  gint64 budget_ms = g_str_equal (call->name, "clock") ? 8 * CALL_TIMEOUT_MS + 2000
                                                       : 2 * CALL_TIMEOUT_MS + 2000;
  gint64 elapsed_ms;

  call->start (f->api, on_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;

  if (call->finish (f->api, result, &error))
    g_error ("%s succeeded against a hostile server", call->name);
  g_assert_nonnull (error);
  g_assert_cmpint (elapsed_ms, <, budget_ms);
  g_test_message ("%s: %s (%s, %" G_GINT64_FORMAT " ms)", call->name, error->message,
                  error->domain == EK_API_ERROR ? ek_api_error_code_to_string (error->code) : "?",
                  elapsed_ms);
  return error;
}

typedef struct
{
  Fault       fault;
  int         code;     /* an EkApiError */
  const char *says;       /* what the message must name */
} Expectation;

static void
check_every_call (Fixture           *f,
                  const Expectation *expected)
{
  gboolean body_is_2xx = expected->fault == FAULT_EMPTY_200 || expected->fault == FAULT_EMPTY_204_LIKE ||
                         expected->fault == FAULT_WRONG_TYPED || expected->fault == FAULT_DEEP ||
                         expected->fault == FAULT_NUL_IN_STRING;

  g_atomic_int_set (&f->server.fault, expected->fault);

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GError) error = NULL;

      if (body_is_2xx && IS_BYTES_CALL (&calls[i]))
        continue;
      /* ending the session reads nothing from its answer: any object will do */
      if (expected->fault == FAULT_WRONG_TYPED && g_str_equal (calls[i].name, "end_session"))
        continue;
      error = run_call (f, &calls[i]);

      g_assert_error (error, EK_API_ERROR, expected->code);
      /* the answer list is read by the answer store, which says what it could not read */
      if (strstr (error->message, expected->says) == NULL &&
          !(g_str_equal (calls[i].name, "answers") && strstr (error->message, "answer list") != NULL))
        g_error ("%s: “%s” does not say “%s”", calls[i].name, error->message, expected->says);
    }
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  /* an empty body comes with a NULL data pointer: no call may crash on it */
  static const Expectation empty_200 = { FAULT_EMPTY_200, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };
  static const Expectation empty_500 = { FAULT_EMPTY_500, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };
  static const Expectation closed = { FAULT_EMPTY_204_LIKE, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };

  check_every_call (f, &empty_200);
  check_every_call (f, &empty_500);
  check_every_call (f, &closed);
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  static const Expectation truncated = { FAULT_TRUNCATED, EK_API_ERROR_CONNECTION_CUT, "cut off" };

  check_every_call (f, &truncated);
}

static void
test_wrong_typed (Fixture       *f,
                  gconstpointer  data)
{
  static const Expectation wrong = { FAULT_WRONG_TYPED, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };

  check_every_call (f, &wrong);
}

static void
test_deep (Fixture       *f,
           gconstpointer  data)
{
  static const Expectation deep = { FAULT_DEEP, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };

  check_every_call (f, &deep);
}

static void
test_oversized (Fixture       *f,
                gconstpointer  data)
{
  static const Expectation declared = { FAULT_OVERSIZED_DECLARED, EK_API_ERROR_RESPONSE_TOO_LARGE, "more data" };

  check_every_call (f, &declared);

  /* streamed without a length: cut off at the limit (8 MiB; the bytes calls take
   * 64 MiB, which the declared length above covers), whatever the call */
  g_atomic_int_set (&f->server.fault, FAULT_OVERSIZED_STREAMED);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GError) error = NULL;

      if (IS_BYTES_CALL (&calls[i]))
        continue;
      error = run_call (f, &calls[i]);
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_RESPONSE_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, "more data"));
    }
}

typedef struct
{
  const Call   *call;
  gint64        start;
  gint64        elapsed_ms;
  GAsyncResult *result;
} Pending;

static void
on_pending_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Pending *pending = user_data;

  pending->elapsed_ms = (g_get_monotonic_time () - pending->start) / 1000;
  pending->result = g_object_ref (result);
}

static void
test_slow (Fixture       *f,
           gconstpointer  data)
{
  Pending pending[G_N_ELEMENTS (calls)] = { 0 };
  guint n_done = 0;

  /* a body that trickles for ten seconds: each attempt ends at the call's timeout;
   * every call at once, so that the test takes one call's time */
  g_atomic_int_set (&f->server.fault, FAULT_SLOW);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      pending[i].call = &calls[i];
      pending[i].start = g_get_monotonic_time ();
      calls[i].start (f->api, on_pending_done_cb, &pending[i]);
    }

  while (n_done < G_N_ELEMENTS (calls))
    {
      g_main_context_iteration (NULL, TRUE);
      n_done = 0;
      for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
        n_done += pending[i].result != NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 budget_ms = g_str_equal (calls[i].name, "clock") ? 8 * CALL_TIMEOUT_MS + 2000
                                                              : 2 * CALL_TIMEOUT_MS + 2000;

      if (calls[i].finish (f->api, pending[i].result, &error))
        g_error ("%s succeeded against a slow server", calls[i].name);
      g_test_message ("%s: %s (%" G_GINT64_FORMAT " ms)", calls[i].name, error->message,
                      pending[i].elapsed_ms);
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TIMEOUT);
      g_assert_nonnull (strstr (error->message, "in time"));
      g_assert_cmpint (pending[i].elapsed_ms, <, budget_ms);
      /* not before its attempts' timeouts either: the timeout is what ended it */
      g_assert_cmpint (pending[i].elapsed_ms, >=, CALL_TIMEOUT_MS);
      g_clear_object (&pending[i].result);
    }
}

static void
test_redirect_loop (Fixture       *f,
                    gconstpointer  data)
{
  static const Expectation redirect = { FAULT_REDIRECT_LOOP, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };

  /* redirects are never followed: the loop is one answer the kiosk cannot use */
  check_every_call (f, &redirect);
  g_assert_cmpint (g_atomic_int_get (&f->server.n_requests), <=, 2 * (int) G_N_ELEMENTS (calls) + 16);
}

static void
test_garbage_status (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* not "the server address is not valid": a server (or a middlebox) answering
   * in something else than HTTP, worth another try */
  g_atomic_int_set (&f->server.fault, FAULT_GARBAGE_STATUS);
  error = run_call (f, &calls[0]);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_SERVER_ERROR);
  g_assert_true (ek_api_error_is_transient (error));
  g_assert_nonnull (strstr (error->message, "could not read"));
  g_assert_cmpuint (f->n_retries, ==, 1);
  g_clear_error (&error);

  {
    static const Expectation garbage = { FAULT_GARBAGE_STATUS, EK_API_ERROR_SERVER_ERROR, "could not read" };

    check_every_call (f, &garbage);
  }
}

static void
test_not_json (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_atomic_int_set (&f->server.fault, FAULT_NOT_JSON);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      if (IS_BYTES_CALL (&calls[i]))
        continue;
      g_clear_error (&error);
      error = run_call (f, &calls[i]);
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
    }
}

static void
test_nul_in_string (Fixture       *f,
                    gconstpointer  data)
{
  static const Expectation nul = { FAULT_NUL_IN_STRING, EK_API_ERROR_MALFORMED_RESPONSE, "could not read" };

  check_every_call (f, &nul);
}

static void
test_bad_names (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *long_name = g_strnfill (300, 'a');
  const char * const bad[] = { "..", "a/b", "../../x", "", long_name };
  /* the calls whose answer names something that becomes a path */
  const char * const named[] = { "login", "get_session", "face_login", "attachments", "questions",
                                 "messages", "post_message", "self_check", "answers" };

  g_atomic_int_set (&f->server.fault, FAULT_BAD_NAMES);
  for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      g_mutex_lock (&f->server.lock);
      g_free (f->server.bad_name);
      f->server.bad_name = g_strdup (bad[b]);
      g_mutex_unlock (&f->server.lock);

      for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
        {
          g_autoptr(GError) error = NULL;

          if (!g_strv_contains (named, calls[i].name))
            continue;
          error = run_call (f, &calls[i]);
          g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
        }
    }
}

static void
test_many_headers (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 protocol = 0;

  /* joined in linear time: 50,000 took up to 12 s when each join copied the rest */
  g_atomic_int_set (&f->server.fault, FAULT_MANY_HEADERS);
  ek_api_client_health_async (f->api, NULL, on_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ek_api_client_health_finish (f->api, result, &protocol, &version, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (protocol, ==, 1);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <, 1000);
}

static void
on_tus_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_tus_upload (Fixture       *f,
                 gconstpointer  data)
{
  /* the upload endpoint (tus: OPTIONS, POST, HEAD, PATCH) against the same answers;
   * a slow answer is left to the upload's own 15 s limit per request and stall
   * timeout, which the upload suite covers */
  static const Fault faults[] = { FAULT_EMPTY_200, FAULT_EMPTY_500, FAULT_EMPTY_204_LIKE,
                                  FAULT_TRUNCATED, FAULT_WRONG_TYPED, FAULT_OVERSIZED_DECLARED,
                                  FAULT_OVERSIZED_STREAMED, FAULT_REDIRECT_LOOP,
                                  FAULT_GARBAGE_STATUS, FAULT_NOT_JSON, FAULT_MANY_HEADERS };
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u/files/", f->server.port);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autoptr(EkTusClient) tus = ek_tus_client_new (http, endpoint);
  g_autofree char *path = NULL;
  g_autofree char *contents = g_strnfill (100 * 1024, 'x');
  g_autoptr(GError) error = NULL;
  int fd;

  fd = g_file_open_tmp ("test-faults-XXXXXX.mkv", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, 100 * 1024, &error));
  ek_tus_client_set_bearer_token (tus, "test-token-not-a-secret");
  ek_tus_client_set_max_attempts (tus, 2);
  ek_tus_client_set_backoff (tus, 10, 20);

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) upload_error = NULL;
      g_autofree char *url = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed_ms;

      g_atomic_int_set (&f->server.fault, faults[i]);
      ek_tus_client_upload_async (tus, path, 100 * 1024, NULL, NULL, NULL, NULL, NULL, NULL,
                                  on_tus_done_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      elapsed_ms = (g_get_monotonic_time () - start) / 1000;
      url = ek_tus_client_upload_finish (tus, result, &upload_error);

      g_test_message ("tus, fault %u: %s (%" G_GINT64_FORMAT " ms)", faults[i],
                      upload_error != NULL ? upload_error->message : "uploaded", elapsed_ms);
      if (url != NULL)
        g_error ("fault %u: the upload succeeded against a hostile server", faults[i]);
      g_assert_nonnull (upload_error);
      /* a sentence for the candidate that says what went wrong, in its own domain */
      g_assert_true (upload_error->domain == EK_TUS_ERROR || upload_error->domain == EK_HTTP_ERROR);
      g_assert_cmpint (strlen (upload_error->message), >, 30);
      g_assert_true (strstr (upload_error->message, "exam server") != NULL ||
                     strstr (upload_error->message, "upload") != NULL);
      g_assert_cmpint (elapsed_ms, <, 10000);
      /* an answer tus does not give (a 200 without Location, a redirect, no HTTP) is
       * not the server refusing the upload for good */
      if (faults[i] == FAULT_EMPTY_200 || faults[i] == FAULT_EMPTY_204_LIKE ||
          faults[i] == FAULT_WRONG_TYPED || faults[i] == FAULT_REDIRECT_LOOP ||
          faults[i] == FAULT_MANY_HEADERS)
        g_assert_error (upload_error, EK_TUS_ERROR, EK_TUS_ERROR_PROTOCOL);
      g_assert_true (ek_tus_error_is_transient (upload_error));
    }

  g_remove (path);
}

static void
test_proxy (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *proxy = g_strdup_printf ("http://127.0.0.1:%u", proxy_trap.port);
  CURL *easy;

  /* the trap works: plain curl, told nothing, takes the environment's proxy */
  easy = curl_easy_init ();
  curl_easy_setopt (easy, CURLOPT_URL, "http://exam.invalid/v1/health");
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, 500L);
  curl_easy_perform (easy);
  curl_easy_cleanup (easy);
  while (g_atomic_int_get (&proxy_trap.n_connections) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_atomic_int_set (&proxy_trap.n_connections, 0);

  /* the kiosk does not: the answer comes straight from the server */
  g_atomic_int_set (&f->server.fault, FAULT_NONE);
  ek_api_client_health_async (f->api, NULL, on_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ek_api_client_health_finish (f->api, result, NULL, &version, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_atomic_int_get (&f->server.n_requests), ==, 1);
  g_assert_null (ek_api_client_get_proxy (f->api));

  /* a proxy the deployment names is used, also for an https server */
  {
    g_autoptr(EkApiClient) api = ek_api_client_new ("https://exam.invalid", NULL);
    g_autoptr(GAsyncResult) result2 = NULL;
    g_autoptr(GError) error2 = NULL;

    ek_api_client_set_proxy (api, proxy);
    ek_api_client_set_timeout_ms (api, CALL_TIMEOUT_MS);
    ek_api_client_set_retry_policy (api, 1, 10, 10);
    g_assert_cmpstr (ek_api_client_get_proxy (api), ==, proxy);
    ek_api_client_health_async (api, NULL, on_done_cb, &result2);
    while (result2 == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (ek_api_client_health_finish (api, result2, NULL, NULL, NULL, &error2));
    g_assert_nonnull (error2);
    g_assert_cmpint (g_atomic_int_get (&proxy_trap.n_connections), ==, 1);
    g_atomic_int_set (&proxy_trap.n_connections, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *store_dir = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(GAsyncResult) store_result = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  proxy_trap_start ();

  store_dir = g_dir_make_tmp ("test-faults-XXXXXX", NULL);
  g_assert_nonnull (store_dir);
  store_path = g_build_filename (store_dir, "answers.sqlite", NULL);
  ek_answer_store_new_async (store_path, NULL, NULL, on_done_cb, &store_result);
  while (store_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer_store = ek_answer_store_new_finish (store_result, NULL);
  g_assert_nonnull (answer_store);

#define ADD(path, func) \
  g_test_add ("/faults/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("proxy-from-environment", test_proxy);
  ADD ("empty", test_empty);
  ADD ("truncated", test_truncated);
  ADD ("wrong-typed", test_wrong_typed);
  ADD ("deeply-nested", test_deep);
  ADD ("oversized", test_oversized);
  ADD ("slow", test_slow);
  ADD ("redirect-loop", test_redirect_loop);
  ADD ("garbage-status-line", test_garbage_status);
  ADD ("not-json", test_not_json);
  ADD ("nul-in-string", test_nul_in_string);
  ADD ("names-that-become-paths", test_bad_names);
  ADD ("many-headers", test_many_headers);
  ADD ("tus-upload", test_tus_upload);

  status = g_test_run ();
  g_clear_object (&answer_store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (store_path, (const char *[]) { "", "-wal", "-shm" }[i], NULL);

      g_remove (file);
    }
  g_rmdir (store_dir);
  return status;
}
