/* ek-test-server.h: the reference exam server as a test fixture
 *
 * Spawns tests/server/ek-ref-server on a loopback port of its own choosing, with a
 * fresh data directory and the exams of tests/data/exams, and talks to its admin API.
 * Also: a TCP relay that counts the HTTP requests passing through it, so a test can
 * assert how often the client really sent something, helpers to wait for async
 * results on the default main context, and the test set-up the server's tests share:
 * a client configuration for the server, a private temporary folder, a self-signed
 * certificate for its https and the pin of its key.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-config.h"
#include "ek-http-client.h"

G_BEGIN_DECLS

typedef struct _EkTestServer EkTestServer;
typedef struct _EkTestProxy EkTestProxy;

typedef struct
{
  const char         *tls_cert;   /* nullable: plain http */
  const char         *tls_key;
  const char * const *faults;     /* nullable, "NAME=VALUE" */
  const char * const *args;       /* nullable: further arguments (--allowed-build HEX) */
} EkTestServerOptions;

EkTestServer *ek_test_server_start          (const EkTestServerOptions *options);
void          ek_test_server_stop           (EkTestServer   *server);
void          ek_test_server_restart        (EkTestServer   *server);
/* The network down and up again: the server's port refuses connections until
 * ek_test_server_reconnect() starts it again on the same port with the same data. */
void          ek_test_server_disconnect     (EkTestServer   *server);
void          ek_test_server_reconnect      (EkTestServer   *server);
const char   *ek_test_server_get_base_url   (EkTestServer   *server);
guint16       ek_test_server_get_port       (EkTestServer   *server);
const char   *ek_test_server_get_admin_token (EkTestServer  *server);
const char   *ek_test_server_get_data_dir   (EkTestServer   *server);
void          ek_test_server_down           (EkTestServer   *server);
void          ek_test_server_up             (EkTestServer   *server);
void          ek_test_server_set_tls        (EkTestServer   *server,
                                             const char     *tls_cert,
                                             const char     *tls_key);
JsonObject   *ek_test_server_admin_get      (EkTestServer   *server,
                                             const char     *path);
void          ek_test_server_set_faults     (EkTestServer   *server,
                                             const char     *json);
void          ek_test_server_clear_faults   (EkTestServer   *server);
JsonObject   *ek_test_server_get_session    (EkTestServer   *server,
                                             const char     *session_id);
void          ek_test_server_send_message   (EkTestServer   *server,
                                             const char     *session_id,
                                             const char     *kind,
                                             const char     *text);
EkConfig     *ek_test_server_new_config     (EkTestServer   *server,
                                             const char     *data_dir);

EkTestProxy  *ek_test_proxy_new             (guint16         upstream_port);
void          ek_test_proxy_free            (EkTestProxy    *proxy);
const char   *ek_test_proxy_get_base_url    (EkTestProxy    *proxy);
guint         ek_test_proxy_count_requests  (EkTestProxy    *proxy,
                                             const char     *method,
                                             const char     *path);

/* Waiting for async results on the thread-default main context */
void          ek_test_result_cb             (GObject        *source,
                                             GAsyncResult   *result,
                                             gpointer        user_data);
GAsyncResult *ek_test_wait                  (GAsyncResult  **slot);
EkHttpResponse *ek_test_http_send           (EkHttpClient   *client,
                                             EkHttpRequest  *request,
                                             GError        **error);
void          ek_test_sleep_ms              (guint           ms);
void          ek_test_wait_for_predicate    (gboolean      (*done) (gpointer data),
                                             gpointer        data,
                                             guint           timeout_ms,
                                             const char     *what);
char         *ek_test_make_tmp_dir          (void);
void          ek_test_remove_tree           (const char     *path);
void          ek_test_run_command           (const char * const *argv);
void          ek_test_make_certificate      (const char     *cert,
                                             const char     *key);
char         *ek_test_key_pin               (const char     *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestServer, ek_test_server_stop)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestProxy, ek_test_proxy_free)

G_END_DECLS
