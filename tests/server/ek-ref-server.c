/* ek-ref-server.c: the reference exam server, entry point and request plumbing
 *
 * Test-only code: implements docs/protocol.md for the integration tests
 * and for trying the online flow on one machine. See README.md.
 *
 * Every /v1 request goes through one pipeline: the message is paused,
 * the fault switches add their delays with main-loop timeouts (never a
 * sleep), the handler answers, the response faults rewrite or cut the
 * answer, and only then is the message unpaused.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "ek-ref-server.h"

typedef struct
{
  GBytes *bytes;
  GIOStream *stream;
} CutWrite;

static void ek_req_cut_connection (EkReq *req);

gint64
ek_server_now_ms (EkRefServer *srv)
{
  return g_get_real_time () / 1000 + srv->faults.clock_skew_ms;
}

char *
ek_sha256_hex (const void *data,
               gsize       len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

char *
ek_random_token (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);
  char *b64;

  /* GRand is seeded from /dev/urandom; good enough for a test server
   * whose tokens only need to be unguessable by other tests. */
  for (gsize i = 0; i < n_bytes; i++)
    buf[i] = g_random_int_range (0, 256);
  b64 = g_base64_encode (buf, n_bytes);
  /* base64url without padding: safe in headers and URLs */
  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

EkExam *
ek_server_find_exam (EkRefServer *srv,
                     const char  *exam_id)
{
  for (guint i = 0; i < srv->exams->len; i++)
    {
      EkExam *exam = srv->exams->pdata[i];

      if (g_str_equal (exam->id, exam_id))
        return exam;
    }
  return NULL;
}

static void
ek_req_free (gpointer data)
{
  EkReq *req = data;

  if (req->tus != NULL)
    {
      ek_tus_stream_abort (req->tus);
      ek_tus_stream_free (req->tus);
    }
  g_free (req->path);
  g_free (req);
}

EkReq *
ek_req_get (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), "ek-req");
}

char *
ek_base_url (EkReq *req)
{
  GUri *uri = soup_server_message_get_uri (req->msg);

  return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri),
                          g_uri_get_port (uri));
}

/* soup_server_message_set_response() appends to a body that is already
 * there; every answer here replaces whatever was set before. (Never
 * remove Content-Length here: that resets the response encoding to
 * "until EOF" and the client waits for a close that never comes.) */
void
ek_set_response (SoupServerMessage *msg,
                 const char        *content_type,
                 SoupMemoryUse      use,
                 const char        *data,
                 gsize              len)
{
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_server_message_set_response (msg, content_type, use, data, len);
}

void
ek_reply_json (EkReq    *req,
               guint     status,
               JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  gsize len;
  char *data;

  json_generator_set_root (gen, node);
  data = json_generator_to_data (gen, &len);
  json_node_unref (node);

  soup_server_message_set_status (req->msg, status, NULL);
  ek_set_response (req->msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, data, len);
}

void
ek_reply_object (EkReq       *req,
                 guint        status,
                 JsonBuilder *builder)
{
  ek_reply_json (req, status, json_builder_get_root (builder));
}

void
ek_reply_error_extra (EkReq      *req,
                      guint       status,
                      const char *code,
                      const char *extra_member,
                      gint64      extra_value,
                      const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (extra_member != NULL)
    {
      json_builder_set_member_name (b, extra_member);
      json_builder_add_int_value (b, extra_value);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  g_debug ("%s %s: %u %s: %s", soup_server_message_get_method (req->msg), req->path,
           status, code, message);
  ek_reply_object (req, status, b);
}

void
ek_reply_error (EkReq      *req,
                guint       status,
                const char *code,
                gint64      retry_after_ms,
                const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (retry_after_ms >= 0)
    ek_reply_error_extra (req, status, code, "retry_after_ms", retry_after_ms, message);
  else
    ek_reply_error_extra (req, status, code, NULL, 0, message);
}

void
ek_reply_empty (EkReq *req,
                guint  status)
{
  soup_server_message_set_status (req->msg, status, NULL);
  ek_set_response (req->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

JsonObject *
ek_req_parse_object (EkReq *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "the request needs a JSON object body");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      ek_reply_error (req, 400, "bad_request", -1, "the body is not JSON: %s", error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      ek_reply_error (req, 400, "bad_request", -1, "the body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

EkSession *
ek_req_authenticate (EkReq *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *hash = NULL;
  EkSession *session;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || auth[7] == '\0')
    {
      ek_reply_error (req, 401, "invalid_session", -1, "no bearer token");
      return NULL;
    }
  hash = ek_sha256_hex (auth + 7, strlen (auth + 7));
  session = ek_store_session_by_token_hash (req->srv->db, hash);
  if (session == NULL)
    {
      ek_reply_error (req, 401, "invalid_session", -1, "unknown or ended session token");
      return NULL;
    }
  return session;
}

/* Faults: throttling of request bodies */

static gboolean
throttle_resume_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  EkReq *req = ek_req_get (msg);

  if (req != NULL && !req->stolen)
    soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* SoupServer hands us the body in chunks of at most 8 KiB as it reads
 * them; pausing the message stops the reading, so the client really
 * sees the limited rate once the socket buffers are full. */
void
ek_req_throttle_chunk (EkReq *req,
                       gsize  len)
{
  gint64 rate = req->srv->faults.throttle_bytes_per_s;
  gint64 now_us, due_us;

  if (rate <= 0 || !req->is_v1 || req->stolen)
    return;
  now_us = g_get_monotonic_time ();
  if (req->throttle_start_us == 0)
    req->throttle_start_us = now_us;
  due_us = req->throttle_start_us + (gint64) ((double) req->body_received * G_USEC_PER_SEC / rate);
  if (due_us - now_us >= 1000)
    {
      soup_server_message_pause (req->msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, (due_us - now_us) / 1000, throttle_resume_cb,
                          g_object_ref (req->msg), g_object_unref);
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  EkReq *req = user_data;
  gsize len = g_bytes_get_size (chunk);
  gint64 cut = req->srv->faults.cut_after_bytes;
  gsize keep = len;
  gboolean cut_now = FALSE;

  if (req->stolen)
    return;

  if (req->first_byte_us == 0)
    req->first_byte_us = g_get_monotonic_time ();
  req->last_byte_us = g_get_monotonic_time ();

  if (req->cut_request && cut > 0 && req->body_received + len >= (guint64) cut)
    {
      keep = cut - req->body_received;
      cut_now = TRUE;
    }

  if (req->tus != NULL && keep > 0)
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (chunk, 0, keep);

      ek_tus_got_chunk (req, part);
    }

  req->body_received += len;
  if (!req->too_large && req->tus == NULL && req->body_received > req->body_limit)
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);

      /* Keep reading (and dropping) so the answer can be sent, but never
       * hold an oversized body in memory. */
      req->too_large = TRUE;
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }

  if (cut_now)
    {
      ek_req_cut_connection (req);
      return;
    }

  ek_req_throttle_chunk (req, len);
}

/* Faults: cutting a connection */

static void
cut_closed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  g_object_unref (source);
}

static void
cut_written_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CutWrite *cw = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  g_io_stream_close_async (cw->stream, G_PRIORITY_DEFAULT, NULL, cut_closed_cb, NULL);
  g_bytes_unref (cw->bytes);
  g_free (cw);
}

static void
cut_write_and_close (GIOStream *stream,
                     GBytes    *bytes)
{
  CutWrite *cw;

  if (stream == NULL)
    {
      g_bytes_unref (bytes);
      return;
    }
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_clear_pointer (&bytes, g_bytes_unref);
      g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, cut_closed_cb, NULL);
      return;
    }
  cw = g_new0 (CutWrite, 1);
  cw->bytes = bytes;
  cw->stream = stream;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, cut_written_cb, cw);
}

static gboolean
cut_idle_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  cut_write_and_close (soup_server_message_steal_connection (msg), NULL);
  return G_SOURCE_REMOVE;
}

/* Drops a connection in the middle of reading the request body; the
 * bytes stored so far stay stored (tus semantics). */
static void
ek_req_cut_connection (EkReq *req)
{
  if (req->stolen)
    return;
  req->stolen = TRUE;
  if (req->tus != NULL)
    {
      ek_tus_stream_abort (req->tus);
      ek_tus_stream_free (req->tus);
      req->tus = NULL;
    }
  g_debug ("%s %s: cutting the connection after %" G_GUINT64_FORMAT " request bytes",
           soup_server_message_get_method (req->msg), req->path, req->body_received);
  soup_server_message_pause (req->msg);
  g_idle_add_full (G_PRIORITY_DEFAULT, cut_idle_cb, g_object_ref (req->msg), g_object_unref);
}

/* Sends the status line, the headers and the first @cut bytes of the
 * response body, then closes: the client sees a Content-Length it
 * never gets. */
static void
send_cut_response (EkReq  *req,
                   GBytes *body,
                   gsize   cut)
{
  SoupServerMessage *msg = req->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GString) head = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint status = soup_server_message_get_status (msg);
  const char *reason = soup_server_message_get_reason_phrase (msg);
  GIOStream *stream;

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status,
                          reason ? reason : soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
          g_ascii_strcasecmp (name, "Transfer-Encoding") == 0 ||
          g_ascii_strcasecmp (name, "Connection") == 0)
        continue;
      g_string_append_printf (head, "%s: %s\r\n", name, value);
    }
  g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", g_bytes_get_size (body));
  g_string_append (head, "Connection: close\r\n\r\n");
  g_string_append_len (head, g_bytes_get_data (body, NULL), cut);

  g_debug ("%s %s: %u, cut after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " body bytes",
           soup_server_message_get_method (msg), req->path, status, cut, g_bytes_get_size (body));
  req->stolen = TRUE;
  stream = soup_server_message_steal_connection (msg);
  cut_write_and_close (stream, g_string_free_to_bytes (g_steal_pointer (&head)));
}

/* The pipeline */

static gboolean
is_json_response (SoupServerMessage *msg)
{
  const char *ct = soup_message_headers_get_content_type (soup_server_message_get_response_headers (msg), NULL);

  return ct != NULL && g_str_equal (ct, "application/json");
}

static void
apply_body_faults (EkReq *req)
{
  EkFaults *f = &req->srv->faults;
  SoupServerMessage *msg = req->msg;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (!is_json_response (msg) || body->length == 0)
    return;

  if (f->oversized_mb > 0)
    {
      gsize total = (gsize) f->oversized_mb * 1024 * 1024;
      static const char head[] = "{\"padding\":\"";
      static const char tail[] = "\"}";
      char *data;

      /* Valid JSON of exactly the asked size */
      total = MAX (total, sizeof head + sizeof tail);
      data = g_malloc (total);
      memcpy (data, head, sizeof head - 1);
      memset (data + sizeof head - 1, 'x', total - (sizeof head - 1) - (sizeof tail - 1));
      memcpy (data + total - (sizeof tail - 1), tail, sizeof tail - 1);
      ek_set_response (msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_TAKE, data, total);
    }
  else if (f->malformed)
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      gsize len = g_bytes_get_size (bytes);
      g_autoptr(GString) broken = g_string_new_len (g_bytes_get_data (bytes, NULL), MAX (len / 2, 1));

      /* An object cut in half never parses; the tail makes it look
       * like what a misbehaving proxy sends. */
      g_string_append (broken, "<html>502 Bad Gateway");
      ek_set_response (msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_COPY, broken->str, broken->len);
    }
}

static void
send_response (EkReq *req)
{
  SoupServerMessage *msg = req->msg;
  SoupMessageBody *body;
  gint64 cut = req->srv->faults.cut_after_bytes;

  if (req->is_time)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "receive_ms");
      json_builder_add_int_value (b, req->receive_ms);
      json_builder_set_member_name (b, "transmit_ms");
      json_builder_add_int_value (b, ek_server_now_ms (req->srv));
      json_builder_end_object (b);
      ek_reply_object (req, 200, b);
    }

  apply_body_faults (req);

  body = soup_server_message_get_response_body (msg);
  if (cut > 0 && (guint64) body->length > (guint64) cut &&
      soup_server_message_get_method (msg) != SOUP_METHOD_HEAD)
    {
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);

      send_cut_response (req, bytes, cut);
      return;
    }

  g_debug ("%s %s: %u", soup_server_message_get_method (msg), req->path,
           soup_server_message_get_status (msg));
  soup_server_message_unpause (msg);
}

static gboolean
send_response_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  EkReq *req = ek_req_get (msg);

  if (req != NULL && !req->stolen)
    send_response (req);
  return G_SOURCE_REMOVE;
}

static void
run_request (EkReq *req)
{
  const char *method = soup_server_message_get_method (req->msg);

  req->receive_ms = ek_server_now_ms (req->srv);

  /* tus wants the header on every answer, injected faults included */
  if (g_str_has_prefix (req->path, "/v1/uploads"))
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                  "Tus-Resumable", "1.0.0");

  if (req->fault_error)
    ek_reply_error (req, 500, "server_error", -1, "injected fault: error_rate");
  else if (req->too_large)
    ek_reply_error (req, 413, "payload_too_large", -1,
                    "the request body is larger than %" G_GSIZE_FORMAT " bytes", req->body_limit);
  else if (g_str_equal (req->path, "/v1/time") && method == SOUP_METHOD_GET)
    req->is_time = ek_integrity_check (req, NULL, NULL);
  else if (g_str_has_prefix (req->path, "/v1/uploads"))
    ek_tus_dispatch (req);
  else
    ek_api_dispatch (req);

  if (req->stolen)
    return;

  if (req->post_delay_ms > 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, req->post_delay_ms, send_response_cb,
                        g_object_ref (req->msg), g_object_unref);
  else
    send_response (req);
}

static gboolean
run_request_cb (gpointer data)
{
  SoupServerMessage *msg = data;
  EkReq *req = ek_req_get (msg);

  if (req != NULL && !req->stolen)
    run_request (req);
  return G_SOURCE_REMOVE;
}

static gboolean
is_other_version (const char *path)
{
  const char *p = path + 1;

  if (path[0] != '/' || p[0] != 'v' || !g_ascii_isdigit (p[1]))
    return FALSE;
  for (p++; g_ascii_isdigit (*p); p++)
    ;
  return *p == '/' || *p == '\0';
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  EkReq *req = ek_req_get (msg);
  EkFaults *f;
  gint64 jitter = 0, pre = 0;

  g_return_if_fail (req != NULL);

  if (g_str_equal (path, "/admin") || g_str_has_prefix (path, "/admin/"))
    {
      ek_admin_dispatch (req);
      return;
    }
  if (!req->is_v1)
    {
      if (is_other_version (path))
        ek_reply_error (req, 410, "unsupported_version", -1, "this server speaks protocol version 1 only");
      else
        ek_reply_error (req, 404, "not_found", -1, "no such path: %s", path);
      return;
    }

  f = &req->srv->faults;
  if (f->jitter_ms > 0)
    {
      jitter = g_random_int_range (0, (gint32) MIN (f->jitter_ms, G_MAXINT32 - 1) + 1);
      pre = g_random_int_range (0, (gint32) jitter + 1);
    }
  req->post_delay_ms = f->latency_ms + (jitter - pre);

  soup_server_message_pause (msg);
  if (pre > 0)
    g_timeout_add_full (G_PRIORITY_DEFAULT, pre, run_request_cb, g_object_ref (msg), g_object_unref);
  else
    run_request (req);
}

static gboolean
is_photo_path (const char *path)
{
  return g_str_equal (path, "/v1/session/face") ||
         g_str_equal (path, "/v1/sessions/face") ||
         g_str_equal (path, "/v1/session/snapshots");
}

/* Runs once the request headers are in, before the body is read: sets
 * the body limit and decides how the body is read. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  EkRefServer *srv = user_data;
  EkReq *req = g_new0 (EkReq, 1);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  gboolean is_patch;

  req->srv = srv;
  req->msg = msg;
  req->path = g_strdup (path);
  req->is_v1 = g_str_has_prefix (path, "/v1/");
  g_object_set_data_full (G_OBJECT (msg), "ek-req", req, ek_req_free);

  req->body_limit = EK_JSON_BODY_LIMIT;
  if (method == SOUP_METHOD_POST && is_photo_path (path))
    req->body_limit = EK_PHOTO_BODY_LIMIT;

  if (req->is_v1 && srv->faults.error_rate > 0 && g_random_double () < srv->faults.error_rate)
    req->fault_error = TRUE;

  is_patch = method == EK_METHOD_PATCH && g_str_has_prefix (path, "/v1/uploads/");
  if (method == SOUP_METHOD_POST && g_str_equal (path, "/v1/bandwidth"))
    {
      req->body_limit = EK_BANDWIDTH_LIMIT;
      req->streaming = TRUE;
      req->cut_request = srv->faults.cut_after_bytes > 0;
    }
  else if (is_patch)
    {
      /* tus checks the chunk against Upload-Length itself */
      req->body_limit = G_MAXSIZE;
      req->streaming = TRUE;
      if (!req->fault_error && ek_tus_prepare_patch (req))
        req->cut_request = srv->faults.cut_after_bytes > 0;
    }

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) soup_message_headers_get_content_length (headers) > (guint64) req->body_limit)
    {
      /* Answer at once: with Expect: 100-continue the client never sends
       * the body at all. */
      soup_message_body_set_accumulate (body, FALSE);
      ek_reply_error (req, 413, "payload_too_large", -1,
                      "the request body is larger than %" G_GSIZE_FORMAT " bytes", req->body_limit);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      return;
    }

  if (req->streaming || req->fault_error)
    soup_message_body_set_accumulate (body, FALSE);

  if (req->is_v1 && srv->faults.throttle_bytes_per_s > 0)
    {
      GSocket *sock = soup_server_message_get_socket (msg);

      /* Loopback sockets buffer megabytes; a small receive buffer makes
       * the throttled rate visible to the client almost at once. */
      if (sock != NULL)
        g_socket_set_option (sock, SOL_SOCKET, SO_RCVBUF, 16 * 1024, NULL);
    }

  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), req);
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  EkReq *req = ek_req_get (msg);

  /* The client went away in the middle of a PATCH: keep what arrived. */
  if (req != NULL && req->tus != NULL)
    {
      ek_tus_stream_abort (req->tus);
      ek_tus_stream_free (req->tus);
      req->tus = NULL;
    }
}

static gboolean
quit_cb (gpointer user_data)
{
  EkRefServer *srv = user_data;

  g_main_loop_quit (srv->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
ensure_dir (const char  *path,
            GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
garray_unref (gpointer data)
{
  g_array_unref (data);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = NULL;
  g_autofree char *exams_dir = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *admin_token = NULL;
  g_auto(GStrv) allowed_builds = NULL;
  g_auto(GStrv) faults = NULL;
  int port = 0;
  GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "State and uploads (created if missing)", "DIR" },
    { "exams", 0, 0, G_OPTION_ARG_FILENAME, &exams_dir, "Directory of *.json exam files", "DIR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Loopback port; 0 (default) picks a free one", "N" },
    { "port-file", 0, 0, G_OPTION_ARG_FILENAME, &port_file, "Write the port here once listening", "FILE" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS with this PEM certificate", "PEM" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key of --tls-cert", "PEM" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &admin_token, "Enables /admin with this X-Admin-Token", "TOKEN" },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &faults, "Set a fault switch (repeatable)", "NAME=VALUE" },
    { "allowed-build", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allowed_builds,
      "Accept only clients whose executable has this SHA-256 (repeatable; protocol 1.2)", "HEX" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  EkRefServer srv = { 0 };
  SoupServerListenOptions listen_opts = SOUP_SERVER_LISTEN_IPV4_ONLY;
  GSList *uris;
  int bound_port;

  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- ExamKiosk reference exam server (tests only)");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("ek-ref-server: %s\n", error->message);
      return 2;
    }
  if (data_dir == NULL || exams_dir == NULL)
    {
      g_printerr ("ek-ref-server: --data-dir and --exams are required\n");
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr ("ek-ref-server: --tls-cert and --tls-key go together\n");
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("ek-ref-server: --port must be 0..65535\n");
      return 2;
    }

  ek_faults_clear (&srv.faults);
  for (char **f = faults; f && *f; f++)
    if (!ek_faults_set_from_arg (&srv.faults, *f, &error))
      {
        g_printerr ("ek-ref-server: %s\n", error->message);
        return 2;
      }

  srv.data_dir = g_canonicalize_filename (data_dir, NULL);
  srv.uploads_dir = g_build_filename (srv.data_dir, "uploads", NULL);
  srv.snapshots_dir = g_build_filename (srv.data_dir, "snapshots", NULL);
  srv.admin_token = g_steal_pointer (&admin_token);
  srv.allowed_builds = g_steal_pointer (&allowed_builds);
  srv.login_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, garray_unref);
  srv.live_streams = g_hash_table_new (NULL, NULL);

  if (!ensure_dir (srv.data_dir, &error) ||
      !ensure_dir (srv.uploads_dir, &error) ||
      !ensure_dir (srv.snapshots_dir, &error) ||
      (srv.db = ek_store_open (srv.data_dir, &error)) == NULL)
    {
      g_printerr ("ek-ref-server: %s\n", error->message);
      return 1;
    }
  ek_tus_init_store (srv.db);
  ek_integrity_init_store (srv.db);
  ek_sealed_init_store (srv.db);

  srv.exams = ek_exams_load (exams_dir, srv.db, ek_server_now_ms (&srv), &error);
  if (srv.exams == NULL || !ek_sealed_prepare_exams (&srv, &error))
    {
      g_printerr ("ek-ref-server: refusing to start: %s\n", error->message);
      return 1;
    }

  if (tls_cert != NULL)
    {
      cert = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (cert == NULL)
        {
          g_printerr ("ek-ref-server: %s / %s: %s\n", tls_cert, tls_key, error->message);
          return 1;
        }
      listen_opts |= SOUP_SERVER_LISTEN_HTTPS;
      srv.https = TRUE;
    }

  srv.soup = soup_server_new ("server-header", "ek-ref-server/1 ",
                              "tls-certificate", cert,
                              NULL);
  soup_server_add_early_handler (srv.soup, NULL, early_cb, &srv, NULL);
  soup_server_add_handler (srv.soup, NULL, server_cb, &srv, NULL);
  g_signal_connect (srv.soup, "request-aborted", G_CALLBACK (request_aborted_cb), &srv);

  if (!soup_server_listen_local (srv.soup, port, listen_opts, &error))
    {
      g_printerr ("ek-ref-server: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 1;
    }

  uris = soup_server_get_uris (srv.soup);
  bound_port = uris ? g_uri_get_port (uris->data) : -1;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  if (port_file != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%d\n", bound_port);

      /* g_file_set_contents writes a temporary file and renames it, so
       * a test polling the file never reads half a number. */
      if (!g_file_set_contents (port_file, text, -1, &error))
        {
          g_printerr ("ek-ref-server: %s\n", error->message);
          return 1;
        }
    }

  g_print ("ek-ref-server: listening on %s://127.0.0.1:%d/ (%u exams, data in %s)\n",
           srv.https ? "https" : "http", bound_port, srv.exams->len, srv.data_dir);

  srv.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_cb, &srv);
  g_unix_signal_add (SIGINT, quit_cb, &srv);
  g_main_loop_run (srv.loop);

  g_print ("ek-ref-server: shutting down\n");

  /* Uploads in flight keep the bytes that arrived */
  {
    g_autoptr(GList) live = g_hash_table_get_keys (srv.live_streams);

    for (GList *l = live; l != NULL; l = l->next)
      ek_tus_stream_abort (l->data);
  }

  soup_server_disconnect (srv.soup);
  g_clear_object (&srv.soup);
  g_clear_pointer (&srv.loop, g_main_loop_unref);
  g_clear_pointer (&srv.exams, g_ptr_array_unref);
  g_clear_pointer (&srv.login_failures, g_hash_table_unref);
  g_clear_pointer (&srv.live_streams, g_hash_table_unref);
  sqlite3_close (srv.db);
  g_free (srv.data_dir);
  g_free (srv.uploads_dir);
  g_free (srv.snapshots_dir);
  g_free (srv.admin_token);
  g_strfreev (srv.allowed_builds);

  return 0;
}
