/* ek-http-client.h: HTTP(S) requests on the GLib main context, through libcurl's multi interface
 *
 * One EkHttpClient drives any number of requests from the thread-default main context
 * it was created in: no thread per request, nothing ever blocks. Connections are kept
 * alive and reused between requests of the same client.
 *
 * Trust (docs/protocol.md, section 1):
 *
 * - By default the server's certificate chain is verified against the system trust
 *   store, or against #EkHttpClient:ca-file when set, and the host name is checked
 *   (CURLOPT_SSL_VERIFYPEER 1, CURLOPT_SSL_VERIFYHOST 2).
 * - When #EkHttpClient:pinned-key is set ("sha256//BASE64[;sha256//BASE64...]", the
 *   SHA-256 of the server's DER SubjectPublicKeyInfo), the pin is the trust anchor: the
 *   chain is no longer checked against any CA (VERIFYPEER 0, so a deployment can use a
 *   self-signed certificate), but the public key must match one of the pins and the host
 *   name is still checked (VERIFYHOST stays 2). A mismatch fails with
 *   %EK_HTTP_ERROR_PINNED_KEY_MISMATCH, never falls back to CA trust.
 * - Plain http:// is refused (%EK_HTTP_ERROR_INSECURE_URL) unless the host is a loopback
 *   address (127.0.0.0/8, ::1, localhost). Only http and https are spoken, redirects
 *   are never followed (a 3xx is returned as a response, with its Location header).
 *
 * A response with any HTTP status is a success at this level; only transport failures
 * are errors. Error messages are translated and written for the candidate; the curl
 * detail goes to g_debug().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_HTTP_ERROR (ek_http_error_quark ())

typedef enum
{
  EK_HTTP_ERROR_FAILED,
  EK_HTTP_ERROR_INVALID_URL,
  EK_HTTP_ERROR_INSECURE_URL,
  EK_HTTP_ERROR_COULD_NOT_RESOLVE,
  EK_HTTP_ERROR_COULD_NOT_CONNECT,
  EK_HTTP_ERROR_TIMEOUT,
  EK_HTTP_ERROR_TLS_UNTRUSTED,
  EK_HTTP_ERROR_PINNED_KEY_MISMATCH,
  EK_HTTP_ERROR_TLS_FAILED,
  EK_HTTP_ERROR_CONNECTION_CUT,
  EK_HTTP_ERROR_PROTOCOL,
  EK_HTTP_ERROR_RESPONSE_TOO_LARGE,
  EK_HTTP_ERROR_BODY_READ_FAILED,
} EkHttpError;

GQuark ek_http_error_quark (void);

/* Default limits of a new request. */
#define EK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define EK_HTTP_DEFAULT_TIMEOUT_MS         30000
#define EK_HTTP_DEFAULT_STALL_SECONDS      20
#define EK_HTTP_DEFAULT_MAX_RESPONSE_SIZE  (8 * 1024 * 1024)

typedef struct _EkHttpRequest EkHttpRequest;
typedef struct _EkHttpResponse EkHttpResponse;

/**
 * EkHttpBodyFunc:
 * @request: the request being sent
 * @offset: where in the body to read from; starts at 0 again if the body is resent
 * @buffer: (out caller-allocates): where to put the bytes
 * @size: at most this many bytes are wanted
 * @user_data: the data given with the function
 * @error: set on failure
 *
 * Produces the next bytes of a request body. It runs on the client's main context in
 * the middle of the transfer, so it must be quick (reading a local file is fine).
 *
 * Returns: the number of bytes written to @buffer (0 only at the end of the body), or
 *   -1 with @error set, which fails the request with that error
 */
typedef gssize (*EkHttpBodyFunc) (EkHttpRequest  *request,
                                  guint64         offset,
                                  guint8         *buffer,
                                  gsize           size,
                                  gpointer        user_data,
                                  GError        **error);

/**
 * EkHttpProgressFunc:
 *
 * Reports how far a transfer is; a total of 0 means not known yet. Runs on the client's
 * main context, often, so it should only record the numbers.
 */
typedef void (*EkHttpProgressFunc) (EkHttpRequest *request,
                                    guint64        uploaded,
                                    guint64        upload_total,
                                    guint64        downloaded,
                                    guint64        download_total,
                                    gpointer       user_data);

#define EK_TYPE_HTTP_REQUEST (ek_http_request_get_type ())
#define EK_TYPE_HTTP_RESPONSE (ek_http_response_get_type ())

GType           ek_http_request_get_type            (void) G_GNUC_CONST;
EkHttpRequest  *ek_http_request_new                 (const char         *method,
                                                     const char         *url);
EkHttpRequest  *ek_http_request_ref                 (EkHttpRequest      *request);
void            ek_http_request_unref               (EkHttpRequest      *request);
const char     *ek_http_request_get_method          (EkHttpRequest      *request);
const char     *ek_http_request_get_url             (EkHttpRequest      *request);
void            ek_http_request_add_header          (EkHttpRequest      *request,
                                                     const char         *name,
                                                     const char         *value);
void            ek_http_request_set_body            (EkHttpRequest      *request,
                                                     const char         *content_type,
                                                     GBytes             *body);
void            ek_http_request_set_body_func       (EkHttpRequest      *request,
                                                     const char         *content_type,
                                                     guint64             length,
                                                     EkHttpBodyFunc      func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);
gboolean        ek_http_request_set_body_from_file  (EkHttpRequest      *request,
                                                     const char         *content_type,
                                                     const char         *path,
                                                     guint64             offset,
                                                     guint64             length,
                                                     GError            **error);
void            ek_http_request_set_timeouts        (EkHttpRequest      *request,
                                                     guint               connect_timeout_ms,
                                                     guint               timeout_ms);
void            ek_http_request_set_stall_timeout   (EkHttpRequest      *request,
                                                     guint               min_bytes_per_s,
                                                     guint               seconds);
void            ek_http_request_set_max_response_size (EkHttpRequest    *request,
                                                     guint64             max_size);
void            ek_http_request_set_fresh_connection (EkHttpRequest     *request,
                                                     gboolean            fresh);
void            ek_http_request_set_progress_func   (EkHttpRequest      *request,
                                                     EkHttpProgressFunc  func,
                                                     gpointer            user_data,
                                                     GDestroyNotify      destroy);

GType           ek_http_response_get_type           (void) G_GNUC_CONST;
EkHttpResponse *ek_http_response_ref                (EkHttpResponse     *response);
void            ek_http_response_unref              (EkHttpResponse     *response);
guint           ek_http_response_get_status         (EkHttpResponse     *response);
const char     *ek_http_response_get_header         (EkHttpResponse     *response,
                                                     const char         *name);
const char     *ek_http_response_get_content_type   (EkHttpResponse     *response);
gboolean        ek_http_response_has_media_type     (EkHttpResponse     *response,
                                                     const char         *media_type);
GBytes         *ek_http_response_get_body           (EkHttpResponse     *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkHttpRequest, ek_http_request_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkHttpResponse, ek_http_response_unref)

#define EK_TYPE_HTTP_CLIENT (ek_http_client_get_type ())

G_DECLARE_FINAL_TYPE (EkHttpClient, ek_http_client, EK, HTTP_CLIENT, GObject)

EkHttpClient   *ek_http_client_new                  (void);
const char     *ek_http_client_get_user_agent       (EkHttpClient       *self);
void            ek_http_client_set_user_agent       (EkHttpClient       *self,
                                                     const char         *user_agent);
const char     *ek_http_client_get_ca_file          (EkHttpClient       *self);
void            ek_http_client_set_ca_file          (EkHttpClient       *self,
                                                     const char         *ca_file);
const char     *ek_http_client_get_proxy            (EkHttpClient       *self);
void            ek_http_client_set_proxy            (EkHttpClient       *self,
                                                     const char         *proxy);
const char     *ek_http_client_get_pinned_key       (EkHttpClient       *self);
void            ek_http_client_set_pinned_key       (EkHttpClient       *self,
                                                     const char         *pinned_key);
gboolean        ek_http_check_url                   (const char         *url,
                                                     GError            **error);
void            ek_http_client_send_async           (EkHttpClient       *self,
                                                     EkHttpRequest      *request,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
EkHttpResponse *ek_http_client_send_finish          (EkHttpClient       *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

G_END_DECLS
