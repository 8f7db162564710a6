/* ek-tus-client.c: resumable uploads with the tus 1.0 protocol, on EkHttpClient
 *
 * An upload is a GTask that walks a small state machine, one HTTP request at a time:
 *
 *   OPTIONS (once per client) -> POST (no URL yet) -> HEAD (after any failure) -> PATCH...
 *
 * Every failure goes through upload_retry(): it counts the failure, waits a backoff
 * with full jitter and, when bytes may have reached the server, asks for the offset
 * with HEAD before the next PATCH. That HEAD is what bounds the resend to one chunk:
 * a server keeps what arrived of a broken PATCH (or, with checksums, drops only that
 * chunk), and we go on from exactly there.
 *
 * With the checksum extension each chunk carries its SHA-256, computed a chunk ahead
 * in a thread (ek-tus-checksum.c).
 */

#include "config.h"

#include "ek-tus-client-private.h"

#include "ek-api-client.h"
#include "ek-backoff.h"
#include "ek-test-kill.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define TUS_VERSION        "1.0.0"
#define OFFSET_MEDIA_TYPE  "application/offset+octet-stream"
#define SMALL_TIMEOUT_MS   15000
#define CONNECT_TIMEOUT_MS 10000
#define STALL_SECONDS      30
#define MIN_CHUNK_SIZE     (64 * 1024)
/* curl reports progress every few kilobytes; the UI needs far less */
#define SENDING_STEP       (64 * 1024)

struct _EkTusClient
{
  GObject       parent_instance;

  EkHttpClient *http_client;          /* owned */
  char         *endpoint;
  char         *token;                /* secret: no property, never logged */
  EkTusRequestFunc request_func;      /* nullable: further headers of every request */
  gpointer      request_data;
  GDestroyNotify request_destroy;
  guint64       chunk_size;           /* with checksums: a broken chunk is sent again */
  guint64       plain_chunk_size;     /* without: the server keeps what arrived */
  guint         max_attempts;
  guint         backoff_base_ms;
  guint         backoff_cap_ms;
  gboolean      use_checksum;

  /* What the server's OPTIONS answer said; asked once */
  gboolean      discovered;
  gboolean      checksum_enabled;
  guint64       max_size;             /* 0: not announced */
  guint64       patch_limit;          /* 0: none seen; else a body size a 413 taught */

  guint64       bytes_transmitted;
};

enum {
  PROP_0,
  PROP_HTTP_CLIENT,
  PROP_ENDPOINT,
  PROP_CHUNK_SIZE,
  PROP_PLAIN_CHUNK_SIZE,
  PROP_MAX_ATTEMPTS,
  PROP_USE_CHECKSUM,
  PROP_CHECKSUM_ENABLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkTusClient, ek_tus_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-tus-error-quark, ek_tus_error)


/* Test-hooks builds: EK_TEST_TUS_KILL_AT=POINT[:N] (ek-test-kill.h) kills the
 * process at `created`, right after the server answered the creation POST, or
 * `url-saved`, right after the caller stored the new URL, before the first PATCH.
 * The outbox's kill tests (tests/test-outbox.c) restart from there. */
#define TUS_KILL_AT(point) ek_test_kill_at ("EK_TEST_TUS_KILL_AT", point)

/* Helpers */

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
upload_free (gpointer data)
{
  Upload *up = data;

  clear_source (&up->backoff_source);
  clear_source (&up->cancel_source);
  if (up->func_destroy != NULL)
    up->func_destroy (up->func_data);
  g_clear_pointer (&up->sums, g_ptr_array_unref);
  g_clear_error (&up->last_error);
  g_free (up->path);
  g_free (up->metadata);
  g_free (up->url);
  g_free (up);
}

static void
upload_notify (Upload           *up,
               EkTusUploadEvent  event,
               guint64           sending)
{
  if (up->func != NULL && up->url != NULL)
    up->func (event, up->url, up->offset, sending, up->func_data);
}

static void
add_tus_headers (EkTusClient   *self,
                 EkHttpRequest *request)
{
  ek_http_request_add_header (request, "Tus-Resumable", TUS_VERSION);
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);

      ek_http_request_add_header (request, "Authorization", auth);
    }
  if (self->request_func != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (ek_http_request_get_url (request), G_URI_FLAGS_NONE, NULL);
      g_autofree char *path = NULL;

      /* The path with its query, as sent (what the integrity MAC binds). */
      if (uri != NULL && g_uri_get_query (uri) != NULL)
        path = g_strconcat (g_uri_get_path (uri), "?", g_uri_get_query (uri), NULL);
      else if (uri != NULL)
        path = g_strdup (g_uri_get_path (uri));
      self->request_func (request, path != NULL ? path : "/", self->request_data);
    }
}

static GError *protocol_error (const char *detail);

static GError *
status_error (EkHttpResponse *response,
              const char     *what)
{
  guint status = ek_http_response_get_status (response);

  g_debug ("tus %s: HTTP %u", what, status);

  switch (status)
    {
    case 403:
      {
        g_autofree char *reason = _ek_tus_read_refusal (response);

        /* A refused build or policy (protocol section 1.2) is said as such. */
        if (reason != NULL)
          {
            g_autofree char *message = ek_api_client_refused_message (reason);

            g_message ("tus %s: the server refused this client (%s)", what, reason);
            return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_REFUSED, message);
          }
      }
      G_GNUC_FALLTHROUGH;
    case 401:
      return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_UNAUTHORIZED,
                                  _("The exam server no longer accepts this session’s recording. Sign in again to finish the upload."));
    case 413:
      return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_TOO_LARGE,
                                  _("The exam server does not accept a recording file this large. Contact your technician."));
    case 408:
    case 423:
    case 429:
      return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_UNAVAILABLE,
                                  _("The exam server is busy. The recording upload will go on by itself."));
    default:
      if (status >= 500)
        return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_UNAVAILABLE,
                                    _("The exam server is busy. The recording upload will go on by itself."));
      /* A success that is not the one tus gives, a redirect (never followed) or no
       * HTTP status at all: not a refusal, an answer not understood (a proxy or a
       * captive portal in the way), tried again. */
      if (status < 400)
        return protocol_error (what);
      return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_REFUSED,
                                  _("The exam server refused the recording upload. Contact your technician."));
    }
}

static GError *
protocol_error (const char *detail)
{
  g_debug ("tus: %s", detail);
  return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_PROTOCOL,
                              _("The exam server answered the recording upload in a way the kiosk does not understand. The upload will be tried again."));
}

GError *
_ek_tus_client_file_error (const char *path,
                           const char *detail)
{
  g_debug ("tus: %s: %s", path, detail);
  return g_error_new_literal (EK_TUS_ERROR, EK_TUS_ERROR_FILE,
                              _("A recording file on this computer could not be read. Contact your technician."));
}

/* Upload state machine */

static gboolean
on_backoff_done_cb (gpointer user_data)
{
  g_autoptr(GTask) task = g_object_ref (G_TASK (user_data));
  Upload *up = g_task_get_task_data (task);

  clear_source (&up->backoff_source);
  clear_source (&up->cancel_source);
  _ek_tus_client_upload_step (task);

  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  return on_backoff_done_cb (user_data);
}

/* Takes @error: the reason, returned if this was the last attempt. */
static void
upload_retry (GTask  *task,
              GError *error)
{
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);
  guint delay;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  g_clear_error (&up->last_error);
  up->last_error = error;
  up->failures++;

  /* Bytes may have reached the server, whatever happened: ask it. */
  if (up->url != NULL)
    up->need_head = TRUE;

  if (up->failures >= self->max_attempts)
    {
      g_debug ("tus %s: giving up after %u attempts: %s", up->path, up->failures,
               up->last_error->message);
      g_task_return_error (task, g_steal_pointer (&up->last_error));
      return;
    }

  delay = ek_backoff_delay_ms (self->backoff_base_ms, self->backoff_cap_ms, up->failures);
  g_debug ("tus %s: attempt %u failed (%s), again in %u ms", up->path, up->failures,
           up->last_error->message, delay);

  up->backoff_source = g_timeout_source_new (delay);
  g_source_set_static_name (up->backoff_source, "[ek-tus-client backoff]");
  g_source_set_callback (up->backoff_source, on_backoff_done_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (up->backoff_source, g_task_get_context (task));

  if (g_task_get_cancellable (task) != NULL)
    {
      up->cancel_source = g_cancellable_source_new (g_task_get_cancellable (task));
      g_source_set_static_name (up->cancel_source, "[ek-tus-client cancel]");
      g_source_set_callback (up->cancel_source, G_SOURCE_FUNC (on_backoff_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (up->cancel_source, g_task_get_context (task));
    }
}

/* Transport errors: is another attempt worth it? */
static void
upload_failed (GTask  *task,
               GError *error)
{
  Upload *up = g_task_get_task_data (task);

  if (g_error_matches (error, EK_HTTP_ERROR, EK_HTTP_ERROR_BODY_READ_FAILED))
    {
      g_task_return_error (task, _ek_tus_client_file_error (up->path, error->message));
      g_error_free (error);
      return;
    }

  if (!ek_tus_error_is_transient (error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      return;
    }

  upload_retry (task, error);
}

static void
upload_status_failed (GTask          *task,
                      EkHttpResponse *response,
                      const char     *what)
{
  GError *error = status_error (response, what);

  if (ek_tus_error_is_transient (error))
    upload_retry (task, error);
  else
    g_task_return_error (task, error);
}

/* OPTIONS */

static void
on_options_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkTusClient *self = g_task_get_source_object (task);
  g_autoptr(EkHttpResponse) response = NULL;
  GError *error = NULL;
  guint status;
  gboolean checksum;
  guint64 max_size = 0;

  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      upload_failed (task, error);
      return;
    }

  status = ek_http_response_get_status (response);
  if (status >= 500 || status == 429 || status == 408)
    {
      upload_status_failed (task, response, "OPTIONS");
      return;
    }

  /* A server (or a proxy in front of it) that does not answer OPTIONS still gets
   * core tus, only without the extensions. */
  checksum = FALSE;
  if (status / 100 == 2)
    _ek_tus_read_options (response, &checksum, &max_size);
  checksum = checksum && self->use_checksum;

  g_debug ("tus %s: HTTP %u, checksum %s, max size %" G_GUINT64_FORMAT,
           self->endpoint, status, checksum ? "sha256" : "none", max_size);

  self->discovered = TRUE;
  self->max_size = max_size;
  if (self->checksum_enabled != checksum)
    {
      self->checksum_enabled = checksum;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKSUM_ENABLED]);
    }

  _ek_tus_client_upload_step (task);
}

static void
send_options (GTask *task)
{
  EkTusClient *self = g_task_get_source_object (task);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("OPTIONS", self->endpoint);

  add_tus_headers (self, request);
  ek_http_request_set_timeouts (request, CONNECT_TIMEOUT_MS, SMALL_TIMEOUT_MS);
  ek_http_client_send_async (self->http_client, request, g_task_get_cancellable (task),
                             on_options_done_cb, g_object_ref (task));
}

/* POST: creation */

static void
on_url_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  GError *error = NULL;

  up->saving_url = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* A URL that a restart would not know must not receive bytes: leave it
           * (empty) and create another one later. */
          g_warning ("tus %s: the new upload's URL could not be stored, leaving it: %s",
                     up->path, error->message);
          g_clear_pointer (&up->url, g_free);
          up->offset = 0;
        }
      upload_retry (task, error);
      return;
    }

  TUS_KILL_AT ("url-saved");
  _ek_tus_client_upload_step (task);
}

static void
on_create_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autofree char *detail = NULL;
  GError *error = NULL;
  char *url;

  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      upload_failed (task, error);
      return;
    }

  if (ek_http_response_get_status (response) != 201)
    {
      upload_status_failed (task, response, "POST");
      return;
    }

  url = _ek_tus_read_location (response, self->endpoint, &detail);
  if (url == NULL)
    {
      upload_retry (task, protocol_error (detail));
      return;
    }

  g_free (up->url);
  up->url = url;
  up->offset = 0;
  up->need_head = FALSE;
  g_ptr_array_set_size (up->sums, 0);
  g_debug ("tus %s: created %s", up->path, up->url);
  TUS_KILL_AT ("created");
  upload_notify (up, EK_TUS_UPLOAD_CREATED, 0);

  if (up->save_url != NULL)
    {
      g_autoptr(GTask) saved = g_task_new (self, g_task_get_cancellable (task),
                                           on_url_saved_cb, g_object_ref (task));

      g_task_set_source_tag (saved, on_url_saved_cb);
      g_task_set_name (saved, "[ek-tus-client] save url");
      up->saving_url = TRUE;
      up->save_url (up->url, saved, up->func_data);
      return;
    }

  _ek_tus_client_upload_step (task);
}

static void
send_create (GTask *task)
{
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", self->endpoint);
  g_autofree char *length = g_strdup_printf ("%" G_GUINT64_FORMAT, up->size);

  if (self->max_size > 0 && up->size > self->max_size)
    {
      g_task_return_new_error (task, EK_TUS_ERROR, EK_TUS_ERROR_TOO_LARGE, "%s",
                               _("The exam server does not accept a recording file this large. Contact your technician."));
      return;
    }

  add_tus_headers (self, request);
  ek_http_request_add_header (request, "Upload-Length", length);
  if (up->metadata != NULL && *up->metadata != '\0')
    ek_http_request_add_header (request, "Upload-Metadata", up->metadata);
  ek_http_request_set_timeouts (request, CONNECT_TIMEOUT_MS, SMALL_TIMEOUT_MS);
  ek_http_client_send_async (self->http_client, request, g_task_get_cancellable (task),
                             on_create_done_cb, g_object_ref (task));
}

/* HEAD: where does the upload stand? */

static void
on_head_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpResponse) response = NULL;
  GError *error = NULL;
  guint status;
  guint64 offset;

  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  if (response == NULL)
    {
      upload_failed (task, error);
      return;
    }

  status = ek_http_response_get_status (response);
  if (status == 404 || status == 410)
    {
      /* Expired or removed on the server: start again with a new upload. */
      g_debug ("tus %s: %s is gone (HTTP %u), creating it again", up->path, up->url, status);
      g_clear_pointer (&up->url, g_free);
      up->offset = 0;
      up->need_head = FALSE;
      _ek_tus_client_upload_step (task);
      return;
    }

  if (status / 100 != 2)
    {
      upload_status_failed (task, response, "HEAD");
      return;
    }

  if (!_ek_tus_read_head (response, up->size, &offset))
    {
      /* Not the upload of this file (or nonsense): a new one is the safe way. */
      g_debug ("tus %s: %s does not match the file, creating it again", up->path, up->url);
      g_clear_pointer (&up->url, g_free);
      up->offset = 0;
      up->need_head = FALSE;
      upload_retry (task, protocol_error ("HEAD answered an offset or length that does not fit"));
      return;
    }

  if (offset > up->offset)
    up->failures = 0;
  up->offset = offset;
  up->need_head = FALSE;
  g_debug ("tus %s: the server has %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
           up->path, offset, up->size);
  upload_notify (up, EK_TUS_UPLOAD_OFFSET, 0);

  _ek_tus_client_upload_step (task);
}

static void
send_head (GTask *task)
{
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("HEAD", up->url);

  add_tus_headers (self, request);
  ek_http_request_set_timeouts (request, CONNECT_TIMEOUT_MS, SMALL_TIMEOUT_MS);
  ek_http_client_send_async (self->http_client, request, g_task_get_cancellable (task),
                             on_head_done_cb, g_object_ref (task));
}

/* PATCH */

/* Bytes per PATCH. With checksums a chunk that breaks is dropped by the server and
 * sent again whole, so chunks stay small. Without them the server keeps whatever
 * arrived (tus core), an interruption costs nothing more for a larger chunk, and every
 * PATCH costs a round trip plus the server's bookkeeping (measured against
 * @tus/server: 4 MiB chunks made the client about a fifth slower than one curl PATCH;
 * see bench/figures/upload_plain_throughput_ratio.sh). A proxy that refuses large
 * bodies (413) makes them smaller. */
static guint64
patch_size (EkTusClient *self)
{
  if (self->checksum_enabled)
    return self->chunk_size;
  return self->patch_limit > 0 ? MIN (self->plain_chunk_size, self->patch_limit)
                               : self->plain_chunk_size;
}

static void
on_patch_progress_cb (EkHttpRequest *request,
                      guint64        uploaded,
                      guint64        upload_total,
                      guint64        downloaded,
                      guint64        download_total,
                      gpointer       user_data)
{
  Upload *up = user_data;

  /* curl starts from 0 again when it rewinds the body to resend it */
  if (uploaded < up->chunk_sent)
    up->chunk_sent = 0;
  if (uploaded == up->chunk_sent)
    return;

  up->client->bytes_transmitted += uploaded - up->chunk_sent;
  up->chunk_sent = uploaded;
  if (uploaded < up->chunk_notified || uploaded - up->chunk_notified >= SENDING_STEP ||
      uploaded >= up->chunk_length)
    {
      up->chunk_notified = uploaded;
      upload_notify (up, EK_TUS_UPLOAD_SENDING, MIN (uploaded, up->chunk_length));
    }
}

static void
on_patch_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpResponse) response = NULL;
  GError *error = NULL;
  guint64 sent_length = up->chunk_length;
  guint status;
  guint64 offset;

  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  up->chunk_length = 0;
  up->chunk_sent = 0;
  if (response == NULL)
    {
      upload_failed (task, error);
      return;
    }

  status = ek_http_response_get_status (response);
  switch (status)
    {
    case 200:
    case 204:
      if (!_ek_tus_read_patch (response, up->offset, up->size, &offset))
        {
          upload_retry (task, protocol_error ("PATCH answered without a usable Upload-Offset"));
          return;
        }
      up->offset = offset;
      up->failures = 0;
      g_clear_error (&up->last_error);
      upload_notify (up, EK_TUS_UPLOAD_OFFSET, 0);
      _ek_tus_client_upload_step (task);
      return;

    case 413:
      if (!up->client->checksum_enabled && sent_length > MIN_CHUNK_SIZE)
        {
          /* A proxy in front of the server limits request bodies: learn it (for
           * every later upload too) and go on in smaller PATCHes. */
          up->client->patch_limit = MAX (MIN_CHUNK_SIZE, sent_length / 4);
          g_debug ("tus %s: a PATCH of %" G_GUINT64_FORMAT " bytes was too large, going on with %"
                   G_GUINT64_FORMAT, up->path, sent_length, up->client->patch_limit);
          upload_retry (task, protocol_error ("PATCH too large"));
          return;
        }
      upload_status_failed (task, response, "PATCH");
      return;

    case 409:
      /* Our offset is not the server's: upload_retry() asks with HEAD. */
      upload_retry (task, protocol_error ("PATCH offset conflict"));
      return;

    case 404:
    case 410:
      g_debug ("tus %s: %s is gone (HTTP %u), creating it again", up->path, up->url, status);
      g_clear_pointer (&up->url, g_free);
      up->offset = 0;
      upload_retry (task, protocol_error ("the upload is gone"));
      return;

    case 460:
      {
        /* The chunk arrived damaged and the server dropped it; hash it again too,
         * in case it was our read that went wrong. */
        ChunkSum *sum = _ek_tus_find_sum (up, up->offset, MIN (up->client->chunk_size, up->size - up->offset));

        if (sum != NULL && !sum->running)
          g_ptr_array_remove (up->sums, sum);
        upload_retry (task, protocol_error ("checksum mismatch"));
        return;
      }

    default:
      upload_status_failed (task, response, "PATCH");
      return;
    }
}

static void
send_patch (GTask *task)
{
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);
  g_autoptr(EkHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *offset_text = NULL;
  guint64 length = MIN (patch_size (self), up->size - up->offset);
  ChunkSum *sum = NULL;

  if (self->checksum_enabled)
    {
      sum = _ek_tus_want_sum (task, up->offset, length);
      if (sum->base64 == NULL)
        {
          up->waiting_for_sum = TRUE;
          return;
        }
    }

  request = ek_http_request_new ("PATCH", up->url);
  add_tus_headers (self, request);
  offset_text = g_strdup_printf ("%" G_GUINT64_FORMAT, up->offset);
  ek_http_request_add_header (request, "Upload-Offset", offset_text);
  if (sum != NULL)
    {
      g_autofree char *value = g_strconcat ("sha256 ", sum->base64, NULL);

      ek_http_request_add_header (request, "Upload-Checksum", value);
    }
  if (!ek_http_request_set_body_from_file (request, OFFSET_MEDIA_TYPE, up->path,
                                           up->offset, length, &error))
    {
      g_task_return_error (task, _ek_tus_client_file_error (up->path, error->message));
      return;
    }

  /* A chunk on a slow link takes as long as it takes; only a stall ends it. */
  ek_http_request_set_timeouts (request, CONNECT_TIMEOUT_MS, 0);
  ek_http_request_set_stall_timeout (request, 1, STALL_SECONDS);
  ek_http_request_set_progress_func (request, on_patch_progress_cb, up, NULL);

  up->chunk_length = length;
  up->chunk_sent = 0;
  up->chunk_notified = 0;
  ek_http_client_send_async (self->http_client, request, g_task_get_cancellable (task),
                             on_patch_done_cb, g_object_ref (task));

  /* Hash the next chunk while this one is on the wire. */
  if (self->checksum_enabled && up->offset + length < up->size)
    _ek_tus_want_sum (task, up->offset + length,
              MIN (self->chunk_size, up->size - up->offset - length));
}

void
_ek_tus_client_upload_step (GTask *task)
{
  EkTusClient *self = g_task_get_source_object (task);
  Upload *up = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!self->discovered)
    send_options (task);
  else if (up->url == NULL)
    send_create (task);
  else if (up->need_head)
    send_head (task);
  else if (up->offset >= up->size)
    {
      g_debug ("tus %s: complete at %s", up->path, up->url);
      g_task_return_pointer (task, g_strdup (up->url), g_free);
    }
  else
    send_patch (task);
}

/* vfuncs */

static void
ek_tus_client_finalize (GObject *object)
{
  EkTusClient *self = (EkTusClient *)object;

  g_clear_object (&self->http_client);
  g_clear_pointer (&self->endpoint, g_free);
  g_clear_pointer (&self->token, g_free);
  if (self->request_destroy != NULL)
    g_clear_pointer (&self->request_data, self->request_destroy);

  G_OBJECT_CLASS (ek_tus_client_parent_class)->finalize (object);
}

static void
ek_tus_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkTusClient *self = EK_TUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HTTP_CLIENT:
      g_value_set_object (value, self->http_client);
      break;

    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;

    case PROP_CHUNK_SIZE:
      g_value_set_uint64 (value, self->chunk_size);
      break;

    case PROP_PLAIN_CHUNK_SIZE:
      g_value_set_uint64 (value, self->plain_chunk_size);
      break;

    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;

    case PROP_USE_CHECKSUM:
      g_value_set_boolean (value, self->use_checksum);
      break;

    case PROP_CHECKSUM_ENABLED:
      g_value_set_boolean (value, self->checksum_enabled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_tus_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkTusClient *self = EK_TUS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HTTP_CLIENT:
      self->http_client = g_value_dup_object (value);
      break;

    case PROP_ENDPOINT:
      self->endpoint = g_value_dup_string (value);
      break;

    case PROP_CHUNK_SIZE:
      ek_tus_client_set_chunk_size (self, g_value_get_uint64 (value));
      break;

    case PROP_PLAIN_CHUNK_SIZE:
      ek_tus_client_set_plain_chunk_size (self, g_value_get_uint64 (value));
      break;

    case PROP_MAX_ATTEMPTS:
      ek_tus_client_set_max_attempts (self, g_value_get_uint (value));
      break;

    case PROP_USE_CHECKSUM:
      self->use_checksum = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_tus_client_class_init (EkTusClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_tus_client_finalize;
  object_class->get_property = ek_tus_client_get_property;
  object_class->set_property = ek_tus_client_set_property;

  properties[PROP_HTTP_CLIENT] =
    g_param_spec_object ("http-client", NULL, NULL,
                         EK_TYPE_HTTP_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkTusClient:endpoint:
   *
   * The URL uploads are created at (the tus "creation" URL), e.g.
   * https://exam.example/v1/uploads/.
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkTusClient:chunk-size:
   *
   * Bytes per PATCH with the checksum extension: the most that an interruption can
   * cost again (the server drops a chunk whose checksum it could not verify).
   * Setting it sets #EkTusClient:plain-chunk-size too.
   */
  properties[PROP_CHUNK_SIZE] =
    g_param_spec_uint64 ("chunk-size", NULL, NULL,
                         MIN_CHUNK_SIZE, G_MAXINT64, EK_TUS_DEFAULT_CHUNK_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkTusClient:plain-chunk-size:
   *
   * Bytes per PATCH to a server without the checksum extension, which keeps what
   * arrived of a broken PATCH: large, since each PATCH costs a round trip and the
   * server's bookkeeping. A recording segment (about 1.3 MB) goes in one.
   */
  properties[PROP_PLAIN_CHUNK_SIZE] =
    g_param_spec_uint64 ("plain-chunk-size", NULL, NULL,
                         MIN_CHUNK_SIZE, G_MAXINT64, EK_TUS_DEFAULT_PLAIN_CHUNK_SIZE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkTusClient:max-attempts:
   *
   * Failures in a row, without the server's offset moving, before an upload gives up.
   */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL,
                       1, G_MAXUINT, EK_TUS_DEFAULT_MAX_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkTusClient:use-checksum:
   *
   * Whether to use the checksum extension when the server offers it. Only tests
   * turn it off, to see how a server without it behaves.
   */
  properties[PROP_USE_CHECKSUM] =
    g_param_spec_boolean ("use-checksum", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  /**
   * EkTusClient:checksum-enabled:
   *
   * Whether the server announced the checksum extension with sha256, so that every
   * PATCH carries Upload-Checksum. Known after the first upload asked.
   */
  properties[PROP_CHECKSUM_ENABLED] =
    g_param_spec_boolean ("checksum-enabled", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_tus_client_init (EkTusClient *self)
{
  self->chunk_size = EK_TUS_DEFAULT_CHUNK_SIZE;
  self->plain_chunk_size = EK_TUS_DEFAULT_PLAIN_CHUNK_SIZE;
  self->max_attempts = EK_TUS_DEFAULT_MAX_ATTEMPTS;
  self->backoff_base_ms = EK_TUS_DEFAULT_BACKOFF_BASE_MS;
  self->backoff_cap_ms = EK_TUS_DEFAULT_BACKOFF_CAP_MS;
}

/* Public API */

/**
 * ek_tus_error_is_transient:
 *
 * Returns: whether trying the same upload again later may succeed: network failures,
 *   timeouts, a busy server, answers that were not understood
 */
gboolean
ek_tus_error_is_transient (const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain == EK_TUS_ERROR)
    return error->code == EK_TUS_ERROR_UNAVAILABLE || error->code == EK_TUS_ERROR_PROTOCOL;

  if (error->domain == EK_HTTP_ERROR)
    {
      switch ((EkHttpError) error->code)
        {
        case EK_HTTP_ERROR_INVALID_URL:
        case EK_HTTP_ERROR_INSECURE_URL:
        case EK_HTTP_ERROR_BODY_READ_FAILED:
          return FALSE;

        case EK_HTTP_ERROR_FAILED:
        case EK_HTTP_ERROR_COULD_NOT_RESOLVE:
        case EK_HTTP_ERROR_COULD_NOT_CONNECT:
        case EK_HTTP_ERROR_TIMEOUT:
        case EK_HTTP_ERROR_TLS_UNTRUSTED:
        case EK_HTTP_ERROR_PINNED_KEY_MISMATCH:
        case EK_HTTP_ERROR_TLS_FAILED:
        case EK_HTTP_ERROR_CONNECTION_CUT:
        case EK_HTTP_ERROR_PROTOCOL:
        case EK_HTTP_ERROR_RESPONSE_TOO_LARGE:
        default:
          /* A captive portal or a proxy in the way may go away again. */
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ek_tus_encode_metadata:
 * @metadata: (array zero-terminated=1) (nullable): keys and values, alternating
 *
 * Returns: (transfer full): the Upload-Metadata value: "key base64(value),..."
 */
char *
ek_tus_encode_metadata (const char * const *metadata)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; metadata != NULL && metadata[i] != NULL && metadata[i + 1] != NULL; i += 2)
    {
      const char *key = metadata[i];
      const char *value = metadata[i + 1];

      g_return_val_if_fail (*key != '\0' && strpbrk (key, " ,\r\n") == NULL,
                            g_string_free (out, TRUE));

      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, key);
      if (*value != '\0')
        {
          g_autofree char *encoded = g_base64_encode ((const guchar *) value, strlen (value));

          g_string_append_c (out, ' ');
          g_string_append (out, encoded);
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * ek_tus_client_new:
 * @http_client: the client every request goes through
 * @endpoint: the URL uploads are created at
 */
EkTusClient *
ek_tus_client_new (EkHttpClient *http_client,
                   const char   *endpoint)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (http_client), NULL);
  g_return_val_if_fail (endpoint != NULL, NULL);

  return g_object_new (EK_TYPE_TUS_CLIENT,
                       "http-client", http_client,
                       "endpoint", endpoint,
                       NULL);
}

EkHttpClient *
ek_tus_client_get_http_client (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), NULL);
  return self->http_client;
}

const char *
ek_tus_client_get_endpoint (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), NULL);
  return self->endpoint;
}

/**
 * ek_tus_client_set_bearer_token:
 * @token: (nullable): the session token, sent as "Authorization: Bearer"
 *
 * Also for uploads already running: their next request carries the new token.
 */
void
ek_tus_client_set_bearer_token (EkTusClient *self,
                                const char  *token)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));
  g_return_if_fail (token == NULL || strpbrk (token, "\r\n") == NULL);

  g_free (self->token);
  self->token = (token != NULL && *token != '\0') ? g_strdup (token) : NULL;
}

/**
 * ek_tus_client_set_request_func:
 * @func: (nullable): called for every request (OPTIONS, POST, HEAD, PATCH) before it
 *   goes, with the request and its URL's path and query, to add headers (the
 *   client integrity header of protocol section 1.2)
 *
 * Also for uploads already running: their next request goes through @func.
 */
void
ek_tus_client_set_request_func (EkTusClient      *self,
                                EkTusRequestFunc  func,
                                gpointer          user_data,
                                GDestroyNotify    destroy)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));

  if (self->request_destroy != NULL)
    g_clear_pointer (&self->request_data, self->request_destroy);
  self->request_func = func;
  self->request_data = user_data;
  self->request_destroy = destroy;
}

guint64
ek_tus_client_get_chunk_size (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), 0);
  return self->chunk_size;
}

/**
 * ek_tus_client_set_chunk_size:
 * @chunk_size: bytes per PATCH, for every server (the most an interruption can cost)
 *
 * Also sets #EkTusClient:plain-chunk-size: an explicit chunk size holds whatever the
 * server offers.
 */
void
ek_tus_client_set_chunk_size (EkTusClient *self,
                              guint64      chunk_size)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));

  chunk_size = CLAMP (chunk_size, MIN_CHUNK_SIZE, (guint64) G_MAXINT64);
  g_object_freeze_notify (G_OBJECT (self));
  ek_tus_client_set_plain_chunk_size (self, chunk_size);
  if (self->chunk_size != chunk_size)
    {
      self->chunk_size = chunk_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHUNK_SIZE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

guint64
ek_tus_client_get_plain_chunk_size (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), 0);
  return self->plain_chunk_size;
}

/**
 * ek_tus_client_set_plain_chunk_size:
 * @chunk_size: bytes per PATCH to a server without the checksum extension
 */
void
ek_tus_client_set_plain_chunk_size (EkTusClient *self,
                                    guint64      chunk_size)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));

  chunk_size = CLAMP (chunk_size, MIN_CHUNK_SIZE, (guint64) G_MAXINT64);
  if (self->plain_chunk_size == chunk_size)
    return;

  self->plain_chunk_size = chunk_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAIN_CHUNK_SIZE]);
}

guint
ek_tus_client_get_max_attempts (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), 0);
  return self->max_attempts;
}

void
ek_tus_client_set_max_attempts (EkTusClient *self,
                                guint        max_attempts)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));

  max_attempts = MAX (max_attempts, 1);
  if (self->max_attempts == max_attempts)
    return;

  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

/**
 * ek_tus_client_set_backoff:
 * @base_ms: the first retry waits up to this long
 * @cap_ms: no retry waits longer than this
 */
void
ek_tus_client_set_backoff (EkTusClient *self,
                           guint        base_ms,
                           guint        cap_ms)
{
  g_return_if_fail (EK_IS_TUS_CLIENT (self));

  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = MAX (cap_ms, base_ms);
}

gboolean
ek_tus_client_get_checksum_enabled (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), FALSE);
  return self->checksum_enabled;
}

/**
 * ek_tus_client_get_bytes_transmitted:
 *
 * Returns: every body byte put on the wire by PATCH requests, resends included
 */
guint64
ek_tus_client_get_bytes_transmitted (EkTusClient *self)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), 0);
  return self->bytes_transmitted;
}

/**
 * ek_tus_client_upload_async:
 * @path: the local file
 * @size: its size; the file must not change while it uploads
 * @metadata: (array zero-terminated=1) (nullable): Upload-Metadata keys and values,
 *   alternating; only used when the upload is created
 * @resume_url: (nullable): an upload created earlier for this file, to go on with
 * @func: (nullable): told about the URL and the offset as they change
 * @cancellable: (nullable): stops the upload; what the server has stays there
 *
 * Uploads @path: creates it on the server unless @resume_url is given (an upload
 * that turns out to be gone is created again), then sends what the server lacks.
 */
void
ek_tus_client_upload_async (EkTusClient         *self,
                            const char          *path,
                            guint64              size,
                            const char * const  *metadata,
                            const char          *resume_url,
                            EkTusUploadFunc      func,
                            gpointer             func_data,
                            GDestroyNotify       func_destroy,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ek_tus_client_upload_durable_async (self, path, size, metadata, resume_url, func, NULL,
                                      func_data, func_destroy, cancellable, callback, user_data);
}

/**
 * ek_tus_client_upload_durable_async:
 * @save_url: (nullable): stores a new upload's URL durably; no byte of the file goes
 *   to that URL before it returned %TRUE on its task
 *
 * As ek_tus_client_upload_async(), for a caller that keeps the URLs across a restart
 * (EkOutbox): a process killed between the creation and the first PATCH then leaves
 * at most an empty upload on the server, never bytes a restart would send again.
 */
void
ek_tus_client_upload_durable_async (EkTusClient         *self,
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
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GStatBuf st;
  Upload *up;

  g_return_if_fail (EK_IS_TUS_CLIENT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_tus_client_upload_async);
  g_task_set_name (task, "[ek-tus-client] upload");

  up = g_new0 (Upload, 1);
  up->client = self;
  up->path = g_strdup (path);
  up->size = size;
  up->metadata = ek_tus_encode_metadata (metadata);
  up->url = g_strdup (resume_url);
  up->need_head = resume_url != NULL;
  up->sums = g_ptr_array_new_with_free_func (_ek_tus_chunk_sum_free);
  up->func = func;
  up->save_url = save_url;
  up->func_data = func_data;
  up->func_destroy = func_destroy;
  g_task_set_task_data (task, up, upload_free);

  /* A file that changed since it was hashed must not go up as if it had not. */
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size != size)
    {
      g_task_return_error (task, _ek_tus_client_file_error (path, "missing, not a file, or not of the size announced"));
      return;
    }

  _ek_tus_client_upload_step (task);
}

/**
 * ek_tus_client_upload_finish:
 *
 * Returns: (transfer full): the URL of the complete upload, or %NULL with an error
 *   (%EK_TUS_ERROR, %EK_HTTP_ERROR or %G_IO_ERROR_CANCELLED)
 */
char *
ek_tus_client_upload_finish (EkTusClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (EK_IS_TUS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_tus_client_upload_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
