/* ek-test-server.c: the reference exam server as a test fixture */

#include "config.h"

#include "ek-test-server.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#define START_TIMEOUT_US (20 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US (5 * G_USEC_PER_SEC)
#define WAIT_TIMEOUT_US (120 * G_USEC_PER_SEC)

struct _EkTestServer
{
  GPid          pid;
  gboolean      running;
  char         *binary;
  char         *exams_dir;
  char         *tmp_dir;       /* owned, removed at the end */
  char         *data_dir;
  char         *port_file;
  char         *admin_token;
  char         *tls_cert;
  char         *tls_key;
  char        **faults;
  char        **args;
  guint16       port;
  char         *base_url;
  EkHttpClient *admin;         /* talks to /admin */
};

struct _EkTestProxy
{
  GSocketService *service;
  guint16         upstream_port;
  char           *base_url;
  GPtrArray      *requests;    /* "METHOD /path" */
  GRegex         *request_line;
  GPtrArray      *links;       /* Link, owned */
};

typedef struct
{
  EkTestProxy       *proxy;
  GSocketConnection *downstream;
  GSocketConnection *upstream;
  guint              n_pumps;
} Link;

typedef struct
{
  Link          *link;
  GInputStream  *in;           /* borrowed from the link's connections */
  GOutputStream *out;
  gboolean       scan;
  GString       *line;
  guint8         buffer[16384];
} Pump;

/* Helpers */

static const char *
env_or_fail (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run the tests through meson", name);
  return value;
}

char *
ek_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ek-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
ek_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      ek_test_remove_tree (child);
    }
  g_rmdir (path);
}

void
ek_test_result_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/**
 * ek_test_wait:
 * @slot: where ek_test_result_cb() puts the result
 *
 * Runs the default main context until the result arrives.
 *
 * Returns: (transfer none): *@slot
 */
GAsyncResult *
ek_test_wait (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for an async result");
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

static gboolean
on_sleep_done_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Sleeps while the main context (and so the clients and the proxy) keeps running. */
void
ek_test_sleep_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_sleep_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
on_tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @done (@data) says so; fails the test, naming @what,
 * after @timeout_ms. A tick wakes the context now and then, so the deadline is seen
 * also when nothing else happens. */
void
ek_test_wait_for_predicate (gboolean   (*done) (gpointer data),
                            gpointer     data,
                            guint        timeout_ms,
                            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (50, on_tick_cb, NULL);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

EkHttpResponse *
ek_test_http_send (EkHttpClient   *client,
                   EkHttpRequest  *request,
                   GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_http_client_send_async (client, request, NULL, ek_test_result_cb, &result);
  return ek_http_client_send_finish (client, ek_test_wait (&result), error);
}

/* Runs @argv (searched in PATH) to its end; fails the test, with the program's
 * complaint, unless it succeeds. */
void
ek_test_run_command (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);
}

/* A self-signed EC certificate for CN=localhost with the single SAN IP:127.0.0.1 and
 * a key of its own, in PEM at @cert and @key, made with the openssl CLI: what the
 * reference server's https needs (EkTestServerOptions). */
void
ek_test_make_certificate (const char *cert,
                          const char *key)
{
  ek_test_run_command ((const char *[]) { "openssl", "req", "-x509", "-newkey", "ec",
                                          "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                          "-keyout", key, "-out", cert, "-days", "2",
                                          "-subj", "/CN=localhost",
                                          "-addext", "subjectAltName=IP:127.0.0.1", NULL });
}

/* The pin of the key in @key (PEM) as the client's pinned-key takes it: sha256// and
 * the base64 of the SHA-256 of its DER SubjectPublicKeyInfo. */
char *
ek_test_key_pin (const char *key)
{
  g_autofree char *der_path = g_strconcat (key, ".pub.der", NULL);
  g_autofree char *der = NULL;
  g_autofree char *b64 = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GError) error = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  gsize der_len;

  ek_test_run_command ((const char *[]) { "openssl", "pkey", "-in", key, "-pubout",
                                          "-outform", "DER", "-out", der_path, NULL });
  g_file_get_contents (der_path, &der, &der_len, &error);
  g_assert_no_error (error);
  g_checksum_update (checksum, (const guchar *) der, der_len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  return g_strconcat ("sha256//", b64, NULL);
}

/* Server */

/* A test that fails aborts without its teardown: the server must not outlive it. */
static void
server_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
spawn_server (EkTestServer *server,
              guint16       port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  gint64 deadline;

  g_unlink (server->port_file);

  g_ptr_array_add (argv, g_strdup (server->binary));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (server->data_dir));
  g_ptr_array_add (argv, g_strdup ("--exams"));
  g_ptr_array_add (argv, g_strdup (server->exams_dir));
  g_ptr_array_add (argv, g_strdup ("--port"));
  g_ptr_array_add (argv, g_strdup (port_arg));
  g_ptr_array_add (argv, g_strdup ("--port-file"));
  g_ptr_array_add (argv, g_strdup (server->port_file));
  g_ptr_array_add (argv, g_strdup ("--admin-token"));
  g_ptr_array_add (argv, g_strdup (server->admin_token));
  if (server->tls_cert != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--tls-cert"));
      g_ptr_array_add (argv, g_strdup (server->tls_cert));
      g_ptr_array_add (argv, g_strdup ("--tls-key"));
      g_ptr_array_add (argv, g_strdup (server->tls_key));
    }
  for (guint i = 0; server->faults != NULL && server->faults[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--fault"));
      g_ptr_array_add (argv, g_strdup (server->faults[i]));
    }
  for (guint i = 0; server->args != NULL && server->args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (server->args[i]));
  g_ptr_array_add (argv, NULL);

  /* The server's stdout goes to our stderr: stdout is the TAP stream. */
  g_spawn_async_with_fds (NULL, (char **) argv->pdata, NULL,
                          G_SPAWN_DO_NOT_REAP_CHILD, server_child_setup, NULL,
                          &server->pid, -1, STDERR_FILENO, STDERR_FILENO, &error);
  g_assert_no_error (error);
  server->running = TRUE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  for (;;)
    {
      g_autofree char *contents = NULL;
      guint64 value;
      int status;

      if (g_file_get_contents (server->port_file, &contents, NULL, NULL) &&
          g_ascii_string_to_unsigned (g_strstrip (contents), 10, 1, G_MAXUINT16, &value, NULL))
        {
          server->port = (guint16) value;
          break;
        }

      if (waitpid (server->pid, &status, WNOHANG) == server->pid)
        {
          server->running = FALSE;
          g_error ("ek-ref-server exited at start (status %d)", status);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("ek-ref-server did not start within %d s", (int) (START_TIMEOUT_US / G_USEC_PER_SEC));
      g_usleep (10 * 1000);
    }

  g_free (server->base_url);
  server->base_url = g_strdup_printf ("%s://127.0.0.1:%u",
                                      server->tls_cert ? "https" : "http", server->port);
  g_debug ("ek-ref-server running at %s", server->base_url);
}

static void
kill_server (EkTestServer *server)
{
  gint64 deadline;
  int status;

  if (!server->running)
    return;

  kill (server->pid, SIGTERM);
  deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;
  while (waitpid (server->pid, &status, WNOHANG) != server->pid)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (server->pid, SIGKILL);
          waitpid (server->pid, &status, 0);
          break;
        }
      g_usleep (10 * 1000);
    }
  g_spawn_close_pid (server->pid);
  server->running = FALSE;
}

/**
 * ek_test_server_start:
 * @options: (nullable): TLS and start-up faults
 *
 * Starts a server with a fresh data directory; fails the test if it cannot.
 */
EkTestServer *
ek_test_server_start (const EkTestServerOptions *options)
{
  EkTestServer *server = g_new0 (EkTestServer, 1);

  server->binary = g_build_filename (env_or_fail ("EK_TEST_BUILDDIR"), "server", "ek-ref-server", NULL);
  server->exams_dir = g_build_filename (env_or_fail ("EK_TEST_SRCDIR"), "data", "exams", NULL);
  server->tmp_dir = ek_test_make_tmp_dir ();
  server->data_dir = g_build_filename (server->tmp_dir, "data", NULL);
  server->port_file = g_build_filename (server->tmp_dir, "port", NULL);
  server->admin_token = g_uuid_string_random ();

  if (options != NULL)
    {
      server->tls_cert = g_strdup (options->tls_cert);
      server->tls_key = g_strdup (options->tls_key);
      server->faults = g_strdupv ((char **) options->faults);
      server->args = g_strdupv ((char **) options->args);
    }

  server->admin = ek_http_client_new ();
  if (server->tls_cert != NULL)
    ek_http_client_set_ca_file (server->admin, server->tls_cert);

  spawn_server (server, 0);
  return server;
}

/**
 * ek_test_server_restart:
 *
 * Stops the server and starts it again on the same port with the same data.
 */
void
ek_test_server_restart (EkTestServer *server)
{
  kill_server (server);
  spawn_server (server, server->port);
}

void
ek_test_server_disconnect (EkTestServer *server)
{
  kill_server (server);
}

void
ek_test_server_reconnect (EkTestServer *server)
{
  spawn_server (server, server->port);
}

void
ek_test_server_stop (EkTestServer *server)
{
  if (server == NULL)
    return;

  kill_server (server);
  if (server->admin != NULL)
    g_assert_finalize_object (server->admin);
  ek_test_remove_tree (server->tmp_dir);

  g_free (server->binary);
  g_free (server->exams_dir);
  g_free (server->tmp_dir);
  g_free (server->data_dir);
  g_free (server->port_file);
  g_free (server->admin_token);
  g_free (server->tls_cert);
  g_free (server->tls_key);
  g_strfreev (server->faults);
  g_strfreev (server->args);
  g_free (server->base_url);
  g_free (server);
}

const char *
ek_test_server_get_base_url (EkTestServer *server)
{
  return server->base_url;
}

guint16
ek_test_server_get_port (EkTestServer *server)
{
  return server->port;
}

const char *
ek_test_server_get_admin_token (EkTestServer *server)
{
  return server->admin_token;
}

const char *
ek_test_server_get_data_dir (EkTestServer *server)
{
  return server->data_dir;
}

static JsonObject *
admin_call (EkTestServer *server,
            const char   *method,
            const char   *path,
            const char   *json)
{
  g_autofree char *url = g_strconcat (server->base_url, path, NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new (method, url);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  GBytes *body;

  ek_http_request_add_header (request, "X-Admin-Token", server->admin_token);
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

      ek_http_request_set_body (request, "application/json", bytes);
    }

  response = ek_test_http_send (server->admin, request, &error);
  g_assert_no_error (error);

  body = ek_http_response_get_body (response);
  if (ek_http_response_get_status (response) != 200)
    g_error ("%s %s: HTTP %u: %.*s", method, path, ek_http_response_get_status (response),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));

  parser = json_parser_new ();
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/**
 * ek_test_server_set_faults:
 * @json: a JSON object of fault switches, e.g. "{\"error_rate\": 1.0}"
 */
void
ek_test_server_set_faults (EkTestServer *server,
                           const char   *json)
{
  g_autoptr(JsonObject) faults = admin_call (server, "POST", "/admin/faults", json);

  (void) faults;
}

/**
 * ek_test_server_down:
 *
 * Stops the server process, keeping its data: every connection is refused until
 * ek_test_server_up().
 */
void
ek_test_server_down (EkTestServer *server)
{
  kill_server (server);
}

/**
 * ek_test_server_up:
 *
 * Starts the server again on the same port with the same data (and the TLS key
 * given to ek_test_server_set_tls(), if any).
 */
void
ek_test_server_up (EkTestServer *server)
{
  g_assert_false (server->running);
  spawn_server (server, server->port);
}

/**
 * ek_test_server_set_tls:
 *
 * The certificate and key of the next start; the test's own admin calls trust it.
 */
void
ek_test_server_set_tls (EkTestServer *server,
                        const char   *tls_cert,
                        const char   *tls_key)
{
  g_assert_nonnull (server->tls_cert);
  g_free (server->tls_cert);
  g_free (server->tls_key);
  server->tls_cert = g_strdup (tls_cert);
  server->tls_key = g_strdup (tls_key);
  ek_http_client_set_ca_file (server->admin, server->tls_cert);
}

/**
 * ek_test_server_admin_get:
 * @path: an admin path, e.g. "/admin/exams"
 *
 * Returns: (transfer full): the server's answer
 */
JsonObject *
ek_test_server_admin_get (EkTestServer *server,
                          const char   *path)
{
  return admin_call (server, "GET", path, NULL);
}

void
ek_test_server_clear_faults (EkTestServer *server)
{
  g_autoptr(JsonObject) faults = admin_call (server, "DELETE", "/admin/faults", NULL);

  (void) faults;
}

/**
 * ek_test_server_get_session:
 *
 * Returns: (transfer full): everything the server holds of a session
 */
JsonObject *
ek_test_server_get_session (EkTestServer *server,
                            const char   *session_id)
{
  g_autofree char *path = g_strconcat ("/admin/sessions/", session_id, NULL);

  return admin_call (server, "GET", path, NULL);
}

void
ek_test_server_send_message (EkTestServer *server,
                             const char   *session_id,
                             const char   *kind,
                             const char   *text)
{
  g_autofree char *path = g_strconcat ("/admin/sessions/", session_id, "/messages", NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonObject) answer = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);

  answer = admin_call (server, "POST", path, json);
}

/**
 * ek_test_server_new_config:
 * @data_dir: the client's data folder
 *
 * Returns: (transfer full): the configuration of a client of @server: its URL,
 *   @data_dir as [storage] data-dir and the test sources for the camera and the
 *   microphone ([media] source=test)
 */
EkConfig *
ek_test_server_new_config (EkTestServer *server,
                           const char   *data_dir)
{
  g_autofree char *conf = g_strdup_printf ("[server]\nurl=%s\n[storage]\ndata-dir=%s\n"
                                           "[media]\nsource=test\n",
                                           server->base_url, data_dir);
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_config_load_from_data (config, conf, -1, "test", &error));
  g_assert_no_error (error);
  return g_steal_pointer (&config);
}

/* Proxy */

static void pump_read (Pump *pump);

static void
link_shutdown (Link *link)
{
  g_socket_shutdown (g_socket_connection_get_socket (link->downstream), TRUE, TRUE, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (link->upstream), TRUE, TRUE, NULL);
}

static void
pump_end (Pump *pump)
{
  Link *link = pump->link;

  if (pump->line != NULL)
    g_string_free (pump->line, TRUE);
  g_free (pump);

  link_shutdown (link);
  if (--link->n_pumps == 0)
    {
      g_io_stream_close (G_IO_STREAM (link->downstream), NULL, NULL);
      g_io_stream_close (G_IO_STREAM (link->upstream), NULL, NULL);
      g_ptr_array_remove_fast (link->proxy->links, link);
    }
}

static void
scan_requests (Pump         *pump,
               const guint8 *data,
               gsize         len)
{
  EkTestProxy *proxy = pump->link->proxy;
  char *end;

  g_string_append_len (pump->line, (const char *) data, len);

  while ((end = strstr (pump->line->str, "\r\n")) != NULL)
    {
      g_autofree char *line = g_strndup (pump->line->str, end - pump->line->str);
      g_autoptr(GMatchInfo) match = NULL;

      g_string_erase (pump->line, 0, end - pump->line->str + 2);

      if (g_regex_match (proxy->request_line, line, 0, &match))
        {
          g_autofree char *method = g_match_info_fetch (match, 1);
          g_autofree char *path = g_match_info_fetch (match, 2);

          g_ptr_array_add (proxy->requests, g_strconcat (method, " ", path, NULL));
        }
    }

  /* A request body without line breaks: only its tail can hold a request line. */
  if (pump->line->len > 65536)
    g_string_erase (pump->line, 0, pump->line->len - 1024);
}

static void
on_pump_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Pump *pump = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      pump_end (pump);
      return;
    }

  pump_read (pump);
}

static void
on_pump_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pump *pump = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0)
    {
      pump_end (pump);
      return;
    }

  if (pump->scan)
    scan_requests (pump, pump->buffer, n);

  g_output_stream_write_all_async (pump->out, pump->buffer, n, G_PRIORITY_DEFAULT, NULL,
                                   on_pump_written_cb, pump);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_async (pump->in, pump->buffer, sizeof pump->buffer, G_PRIORITY_DEFAULT,
                             NULL, on_pump_read_cb, pump);
}

static void
link_free (gpointer data)
{
  Link *link = data;

  g_clear_object (&link->downstream);
  g_clear_object (&link->upstream);
  g_free (link);
}

static gboolean
on_incoming_cb (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source_object,
                gpointer           user_data)
{
  EkTestProxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  Link *link;
  Pump *up;
  Pump *down;

  link = g_new0 (Link, 1);
  link->proxy = proxy;
  link->downstream = g_object_ref (connection);
  /* loopback: connecting blocks for no time worth mentioning */
  link->upstream = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->upstream_port,
                                                    NULL, &error);
  g_assert_no_error (error);
  g_ptr_array_add (proxy->links, link);

  up = g_new0 (Pump, 1);
  up->link = link;
  up->in = g_io_stream_get_input_stream (G_IO_STREAM (link->downstream));
  up->out = g_io_stream_get_output_stream (G_IO_STREAM (link->upstream));
  up->scan = TRUE;
  up->line = g_string_new (NULL);

  down = g_new0 (Pump, 1);
  down->link = link;
  down->in = g_io_stream_get_input_stream (G_IO_STREAM (link->upstream));
  down->out = g_io_stream_get_output_stream (G_IO_STREAM (link->downstream));

  link->n_pumps = 2;
  pump_read (up);
  pump_read (down);

  return TRUE;
}

/**
 * ek_test_proxy_new:
 * @upstream_port: the loopback port of a plain-http server
 *
 * Returns: a relay on another loopback port that forwards every byte both ways and
 *   counts the HTTP request lines it sees going up
 */
EkTestProxy *
ek_test_proxy_new (guint16 upstream_port)
{
  EkTestProxy *proxy = g_new0 (EkTestProxy, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  proxy->upstream_port = upstream_port;
  proxy->requests = g_ptr_array_new_with_free_func (g_free);
  proxy->links = g_ptr_array_new_with_free_func (link_free);
  proxy->request_line = g_regex_new ("(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/[^ ?]*)(\\?[^ ]*)? HTTP/1\\.[01]$",
                                     G_REGEX_OPTIMIZE, 0, &error);
  g_assert_no_error (error);

  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_incoming_cb), proxy);
  g_socket_service_start (proxy->service);

  proxy->base_url = g_strdup_printf ("http://127.0.0.1:%u",
                                     g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  return proxy;
}

void
ek_test_proxy_free (EkTestProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_signal_handlers_disconnect_by_data (proxy->service, proxy);
  g_clear_object (&proxy->service);

  /* Let open links notice the shutdown and end their pumps. */
  for (guint i = 0; i < proxy->links->len; i++)
    link_shutdown (g_ptr_array_index (proxy->links, i));
  while (proxy->links->len > 0)
    g_main_context_iteration (NULL, TRUE);

  g_ptr_array_unref (proxy->links);
  g_ptr_array_unref (proxy->requests);
  g_regex_unref (proxy->request_line);
  g_free (proxy->base_url);
  g_free (proxy);
}

const char *
ek_test_proxy_get_base_url (EkTestProxy *proxy)
{
  return proxy->base_url;
}

/**
 * ek_test_proxy_count_requests:
 * @method: e.g. "POST"
 * @path: the path without the query
 *
 * Returns: how many such requests went through so far
 */
guint
ek_test_proxy_count_requests (EkTestProxy *proxy,
                              const char  *method,
                              const char  *path)
{
  g_autofree char *wanted = g_strconcat (method, " ", path, NULL);
  guint n = 0;

  for (guint i = 0; i < proxy->requests->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (proxy->requests, i), wanted))
        n++;
    }
  return n;
}
