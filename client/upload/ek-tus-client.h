/* ek-tus-client.h: resumable uploads with the tus 1.0 protocol, on EkHttpClient
 *
 * Speaks tus 1.0.0 core and the creation extension to any tus server, and the checksum
 * extension (sha256 per PATCH) when the server announces it in its OPTIONS answer. One
 * upload sends one local file: it is created with its Upload-Length and Upload-Metadata
 * (or resumed from a URL created earlier), then sent in chunks of #EkTusClient:chunk-size
 * bytes with checksums, #EkTusClient:plain-chunk-size bytes without, each streamed from
 * the file (never the whole file in memory).
 *
 * After any failure the client asks the server where the upload stands (HEAD) and goes
 * on from the server's Upload-Offset, so no interruption costs more than the chunk that
 * was in flight. Failures that may pass (network, 5xx, 429, timeouts) are retried with
 * exponential backoff and full jitter; after #EkTusClient:max-attempts failures in a row
 * without progress the upload fails with the last error and the caller decides when to
 * try again (EkOutbox retries forever).
 *
 * Everything runs on the main context the EkHttpClient belongs to; only chunk hashing
 * runs in a worker thread.
 */
#pragma once

#include <gio/gio.h>

#include "ek-http-client.h"

G_BEGIN_DECLS

#define EK_TUS_ERROR (ek_tus_error_quark ())

typedef enum
{
  /* the server refused the upload for good (an unexpected 4xx) */
  EK_TUS_ERROR_REFUSED,
  /* 401/403: the session token is no longer valid */
  EK_TUS_ERROR_UNAUTHORIZED,
  /* 413: the server does not take a file this large */
  EK_TUS_ERROR_TOO_LARGE,
  /* the local file is gone, unreadable or not of the size announced */
  EK_TUS_ERROR_FILE,
  /* the server kept failing (5xx, 429) through every attempt */
  EK_TUS_ERROR_UNAVAILABLE,
  /* the server's answers do not follow tus (no Location, a bad Upload-Offset) */
  EK_TUS_ERROR_PROTOCOL,
} EkTusError;

GQuark   ek_tus_error_quark         (void);
gboolean ek_tus_error_is_transient  (const GError *error);

#define EK_TUS_DEFAULT_CHUNK_SIZE       (4 * 1024 * 1024)
#define EK_TUS_DEFAULT_PLAIN_CHUNK_SIZE (64 * 1024 * 1024)
#define EK_TUS_DEFAULT_MAX_ATTEMPTS    6
#define EK_TUS_DEFAULT_BACKOFF_BASE_MS 250
#define EK_TUS_DEFAULT_BACKOFF_CAP_MS  8000

typedef enum
{
  /* the upload has a (new) URL on the server; its offset is 0 */
  EK_TUS_UPLOAD_CREATED,
  /* the server confirmed @offset bytes (after a PATCH or a HEAD) */
  EK_TUS_UPLOAD_OFFSET,
  /* @sending bytes of the running PATCH have left, beyond @offset */
  EK_TUS_UPLOAD_SENDING,
} EkTusUploadEvent;

/**
 * EkTusUploadFunc:
 * @url: the upload's URL on the server
 * @offset: what the server has confirmed
 * @sending: bytes of the chunk in flight (only for %EK_TUS_UPLOAD_SENDING, else 0)
 *
 * Tells the caller how an upload goes, on the main context. %EK_TUS_UPLOAD_CREATED is
 * the moment to store @url durably, so that a restarted client can resume.
 */
typedef void (*EkTusUploadFunc) (EkTusUploadEvent  event,
                                 const char       *url,
                                 guint64           offset,
                                 guint64           sending,
                                 gpointer          user_data);

/**
 * EkTusSaveUrlFunc:
 * @url: the new upload's URL on the server
 * @saved: return %TRUE on it (g_task_return_boolean()) once @url is stored durably,
 *   or an error; the upload waits for it before it sends any byte
 *
 * Called on the main context right after the server created an upload.
 */
typedef void (*EkTusSaveUrlFunc) (const char *url,
                                  GTask      *saved,
                                  gpointer    user_data);

/**
 * EkTusRequestFunc:
 * @request: the request about to go
 * @path: its URL's path and query
 *
 * Adds further headers to a tus request.
 */
typedef void (*EkTusRequestFunc) (EkHttpRequest *request,
                                  const char    *path,
                                  gpointer       user_data);

#define EK_TYPE_TUS_CLIENT (ek_tus_client_get_type ())

G_DECLARE_FINAL_TYPE (EkTusClient, ek_tus_client, EK, TUS_CLIENT, GObject)

EkTusClient  *ek_tus_client_new                  (EkHttpClient        *http_client,
                                                  const char          *endpoint);
EkHttpClient *ek_tus_client_get_http_client      (EkTusClient         *self);
const char   *ek_tus_client_get_endpoint         (EkTusClient         *self);
void          ek_tus_client_set_bearer_token     (EkTusClient         *self,
                                                  const char          *token);
void          ek_tus_client_set_request_func     (EkTusClient         *self,
                                                  EkTusRequestFunc     func,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);
guint64       ek_tus_client_get_chunk_size       (EkTusClient         *self);
void          ek_tus_client_set_chunk_size       (EkTusClient         *self,
                                                  guint64              chunk_size);
guint64       ek_tus_client_get_plain_chunk_size (EkTusClient         *self);
void          ek_tus_client_set_plain_chunk_size (EkTusClient         *self,
                                                  guint64              chunk_size);
guint         ek_tus_client_get_max_attempts     (EkTusClient         *self);
void          ek_tus_client_set_max_attempts     (EkTusClient         *self,
                                                  guint                max_attempts);
void          ek_tus_client_set_backoff          (EkTusClient         *self,
                                                  guint                base_ms,
                                                  guint                cap_ms);
gboolean      ek_tus_client_get_checksum_enabled (EkTusClient         *self);
guint64       ek_tus_client_get_bytes_transmitted (EkTusClient        *self);

void          ek_tus_client_upload_async         (EkTusClient         *self,
                                                  const char          *path,
                                                  guint64              size,
                                                  const char * const  *metadata,
                                                  const char          *resume_url,
                                                  EkTusUploadFunc      func,
                                                  gpointer             func_data,
                                                  GDestroyNotify       func_destroy,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
void          ek_tus_client_upload_durable_async (EkTusClient         *self,
                                                  const char          *path,
                                                  guint64              size,
                                                  const char * const  *metadata,
                                                  const char          *resume_url,
                                                  EkTusUploadFunc      func,
                                                  EkTusSaveUrlFunc     save_url,
                                                  gpointer             func_data,
                                                  GDestroyNotify       func_destroy,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char         *ek_tus_client_upload_finish        (EkTusClient         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

char         *ek_tus_encode_metadata             (const char * const  *metadata);

G_END_DECLS
