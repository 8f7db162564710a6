/* ek-http-message.c: the requests EkHttpClient sends and the responses it returns
 *
 * Part of EkHttpClient (see ek-http-client-private.h).
 */

#include "config.h"

#include "ek-http-client-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

typedef struct
{
  int      fd;
  guint64  offset;
  guint64  length;
} FileRegion;

G_DEFINE_BOXED_TYPE (EkHttpRequest, ek_http_request, ek_http_request_ref, ek_http_request_unref)
G_DEFINE_BOXED_TYPE (EkHttpResponse, ek_http_response, ek_http_response_ref, ek_http_response_unref)

/* Internal API */

gboolean
_ek_http_header_is_valid (const char *str)
{
  return str != NULL && strpbrk (str, "\r\n") == NULL;
}

EkHttpResponse *
_ek_http_response_new (guint       status,
                       GHashTable *headers,
                       GBytes     *body)
{
  EkHttpResponse *response = g_new0 (EkHttpResponse, 1);

  g_atomic_ref_count_init (&response->ref_count);
  response->status = status;
  response->headers = g_hash_table_ref (headers);
  response->body = g_bytes_ref (body);

  return response;
}

static void
free_gstring (gpointer data)
{
  g_string_free (data, TRUE);
}

GHashTable *
_ek_http_headers_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_gstring);
}

/* One header line as the server sent it (curl hands them over one by one, CRLF
 * included, unchecked). Repeated headers are joined in place: appending keeps 50,000
 * of them linear, where joining into a new string each time stalled the main loop for
 * seconds. A status line starts a new response (after a 1xx): the headers before it
 * are forgotten. Returns the header's lower-case name (owned by @headers), or NULL
 * when the line is no header. */
const char *
_ek_http_headers_add_line (GHashTable *headers,
                           const char *line,
                           gsize       len)
{
  const char *colon;
  g_autofree char *name = NULL;
  g_autofree char *raw_value = NULL;
  g_autofree char *value = NULL;
  gpointer key = NULL;
  gpointer joined = NULL;

  if (len >= 5 && memcmp (line, "HTTP/", 5) == 0)
    {
      g_hash_table_remove_all (headers);
      return NULL;
    }

  colon = memchr (line, ':', len);
  if (colon == NULL || colon == line)
    return NULL;

  name = g_ascii_strdown (line, colon - line);
  g_strstrip (name);
  raw_value = g_strndup (colon + 1, len - (colon + 1 - line));
  value = g_utf8_make_valid (raw_value, -1);
  g_strstrip (value);

  if (g_hash_table_lookup_extended (headers, name, &key, &joined))
    {
      g_string_append (joined, ", ");
      g_string_append (joined, value);
      return key;
    }

  key = g_steal_pointer (&name);
  g_hash_table_insert (headers, key, g_string_new (value));
  return key;
}

/* The response to hand out, from the headers _ek_http_headers_add_line() collected. */
EkHttpResponse *
_ek_http_response_new_from_headers (guint       status,
                                    GHashTable *headers,
                                    GBytes     *body)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_hash_table_insert (values, g_strdup (name), g_strdup (((GString *) value)->str));

  return _ek_http_response_new (status, values, body);
}

/* Requests */

/**
 * ek_http_request_new:
 * @method: an HTTP method, e.g. "GET" or "PATCH"
 * @url: an http or https URL
 *
 * Returns: (transfer full): a new request with the default limits: 10 s to connect,
 *   30 s in all, a stall of 20 s without a byte fails it, at most 8 MiB of response
 */
EkHttpRequest *
ek_http_request_new (const char *method,
                     const char *url)
{
  EkHttpRequest *request;

  g_return_val_if_fail (method != NULL && *method != '\0', NULL);
  g_return_val_if_fail (url != NULL, NULL);

  request = g_new0 (EkHttpRequest, 1);
  g_atomic_ref_count_init (&request->ref_count);
  request->method = g_ascii_strup (method, -1);
  request->url = g_strdup (url);
  request->headers = g_ptr_array_new_with_free_func (g_free);
  request->connect_timeout_ms = EK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
  request->timeout_ms = EK_HTTP_DEFAULT_TIMEOUT_MS;
  request->stall_bytes_per_s = 1;
  request->stall_seconds = EK_HTTP_DEFAULT_STALL_SECONDS;
  request->max_response_size = EK_HTTP_DEFAULT_MAX_RESPONSE_SIZE;

  return request;
}

EkHttpRequest *
ek_http_request_ref (EkHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  g_atomic_ref_count_inc (&request->ref_count);
  return request;
}

static void
clear_body (EkHttpRequest *request)
{
  if (request->body_destroy != NULL)
    request->body_destroy (request->body_data);
  request->body_func = NULL;
  request->body_data = NULL;
  request->body_destroy = NULL;
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->content_type, g_free);
  request->body_length = 0;
  request->has_body = FALSE;
}

void
ek_http_request_unref (EkHttpRequest *request)
{
  g_return_if_fail (request != NULL);

  if (!g_atomic_ref_count_dec (&request->ref_count))
    return;

  clear_body (request);
  if (request->progress_destroy != NULL)
    request->progress_destroy (request->progress_data);
  g_free (request->method);
  g_free (request->url);
  g_ptr_array_unref (request->headers);
  g_free (request);
}

const char *
ek_http_request_get_method (EkHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return request->method;
}

const char *
ek_http_request_get_url (EkHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return request->url;
}

/**
 * ek_http_request_add_header:
 *
 * Adds a request header. The value may be a secret (a bearer token): it is never
 * logged.
 */
void
ek_http_request_add_header (EkHttpRequest *request,
                            const char    *name,
                            const char    *value)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (_ek_http_header_is_valid (name) && strchr (name, ':') == NULL && *name != '\0');
  g_return_if_fail (_ek_http_header_is_valid (value));

  g_ptr_array_add (request->headers, g_strdup_printf ("%s: %s", name, value));
}

/**
 * ek_http_request_set_body:
 * @content_type: the Content-Type of @body
 * @body: the whole body
 */
void
ek_http_request_set_body (EkHttpRequest *request,
                          const char    *content_type,
                          GBytes        *body)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (_ek_http_header_is_valid (content_type));
  g_return_if_fail (body != NULL);

  clear_body (request);
  request->has_body = TRUE;
  request->content_type = g_strdup (content_type);
  request->body = g_bytes_ref (body);
  request->body_length = g_bytes_get_size (body);
}

/**
 * ek_http_request_set_body_func:
 * @length: the exact length of the body, sent as Content-Length
 * @func: produces the body
 *
 * Sends a body produced piece by piece, e.g. a region of a large file, without
 * holding it in memory. @func may be asked for the same bytes again from offset 0
 * when the request is resent.
 */
void
ek_http_request_set_body_func (EkHttpRequest  *request,
                               const char     *content_type,
                               guint64         length,
                               EkHttpBodyFunc  func,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (_ek_http_header_is_valid (content_type));
  g_return_if_fail (func != NULL);

  clear_body (request);
  request->has_body = TRUE;
  request->content_type = g_strdup (content_type);
  request->body_length = length;
  request->body_func = func;
  request->body_data = user_data;
  request->body_destroy = destroy;
}

static void
file_region_free (gpointer data)
{
  FileRegion *region = data;

  if (region->fd >= 0)
    close (region->fd);
  g_free (region);
}

static gssize
file_region_read (EkHttpRequest  *request,
                  guint64         offset,
                  guint8         *buffer,
                  gsize           size,
                  gpointer        user_data,
                  GError        **error)
{
  FileRegion *region = user_data;
  gsize want;
  gssize n;

  if (offset >= region->length)
    return 0;

  want = MIN (size, region->length - offset);
  do
    n = pread (region->fd, buffer, want, (off_t) (region->offset + offset));
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "reading the request body: %s", g_strerror (saved_errno));
      return -1;
    }

  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "the request body's file is shorter than announced");
      return -1;
    }

  return n;
}

/**
 * ek_http_request_set_body_from_file:
 * @path: a regular file
 * @offset: where the body starts in the file
 * @length: how many bytes to send
 *
 * Sends @length bytes of @path from @offset (a tus PATCH chunk). The file is opened
 * now and read as the transfer goes.
 */
gboolean
ek_http_request_set_body_from_file (EkHttpRequest  *request,
                                    const char     *content_type,
                                    const char     *path,
                                    guint64         offset,
                                    guint64         length,
                                    GError        **error)
{
  FileRegion *region;
  int fd;

  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not open %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  region = g_new0 (FileRegion, 1);
  region->fd = fd;
  region->offset = offset;
  region->length = length;

  ek_http_request_set_body_func (request, content_type, length,
                                 file_region_read, region, file_region_free);
  return TRUE;
}

/**
 * ek_http_request_set_timeouts:
 * @connect_timeout_ms: limit on connecting (TCP and TLS), 0 for curl's default
 * @timeout_ms: limit on the whole request, 0 for none (a long upload relies on the
 *   stall timeout instead)
 */
void
ek_http_request_set_timeouts (EkHttpRequest *request,
                              guint          connect_timeout_ms,
                              guint          timeout_ms)
{
  g_return_if_fail (request != NULL);

  request->connect_timeout_ms = connect_timeout_ms;
  request->timeout_ms = timeout_ms;
}

/**
 * ek_http_request_set_stall_timeout:
 *
 * Fails the request with %EK_HTTP_ERROR_TIMEOUT when fewer than @min_bytes_per_s
 * bytes per second move for @seconds in a row. 0 seconds turns this off.
 */
void
ek_http_request_set_stall_timeout (EkHttpRequest *request,
                                   guint          min_bytes_per_s,
                                   guint          seconds)
{
  g_return_if_fail (request != NULL);

  request->stall_bytes_per_s = min_bytes_per_s;
  request->stall_seconds = seconds;
}

/**
 * ek_http_request_set_max_response_size:
 *
 * A response body larger than @max_size (by its Content-Length or by what actually
 * arrives) fails the request with %EK_HTTP_ERROR_RESPONSE_TOO_LARGE as soon as
 * that is known.
 */
void
ek_http_request_set_max_response_size (EkHttpRequest *request,
                                       guint64        max_size)
{
  g_return_if_fail (request != NULL);

  request->max_response_size = max_size;
}

/**
 * ek_http_request_set_fresh_connection:
 *
 * Sends the request on a new connection. curl silently resends a request whose
 * reused connection turned out to be dead; for a request that must reach the
 * server at most once that resend is not acceptable, and a fresh connection
 * avoids it.
 */
void
ek_http_request_set_fresh_connection (EkHttpRequest *request,
                                      gboolean       fresh)
{
  g_return_if_fail (request != NULL);

  request->fresh_connection = !!fresh;
}

void
ek_http_request_set_progress_func (EkHttpRequest      *request,
                                   EkHttpProgressFunc  func,
                                   gpointer            user_data,
                                   GDestroyNotify      destroy)
{
  g_return_if_fail (request != NULL);

  if (request->progress_destroy != NULL)
    request->progress_destroy (request->progress_data);
  request->progress_func = func;
  request->progress_data = user_data;
  request->progress_destroy = destroy;
}

/* Responses */

EkHttpResponse *
ek_http_response_ref (EkHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);

  g_atomic_ref_count_inc (&response->ref_count);
  return response;
}

void
ek_http_response_unref (EkHttpResponse *response)
{
  g_return_if_fail (response != NULL);

  if (!g_atomic_ref_count_dec (&response->ref_count))
    return;

  g_hash_table_unref (response->headers);
  g_bytes_unref (response->body);
  g_free (response);
}

guint
ek_http_response_get_status (EkHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, 0);
  return response->status;
}

/**
 * ek_http_response_get_header:
 * @name: a header name, in any case
 *
 * Returns: (nullable): the header's value; several headers of the same name are
 *   joined with ", "
 */
const char *
ek_http_response_get_header (EkHttpResponse *response,
                             const char     *name)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  lower = g_ascii_strdown (name, -1);
  return g_hash_table_lookup (response->headers, lower);
}

const char *
ek_http_response_get_content_type (EkHttpResponse *response)
{
  return ek_http_response_get_header (response, "content-type");
}

/**
 * ek_http_response_has_media_type:
 * @media_type: e.g. "application/json"
 *
 * Returns: whether the Content-Type is @media_type, whatever its parameters
 */
gboolean
ek_http_response_has_media_type (EkHttpResponse *response,
                                 const char     *media_type)
{
  const char *content_type = ek_http_response_get_content_type (response);
  g_autofree char *type = NULL;
  const char *semicolon;

  g_return_val_if_fail (media_type != NULL, FALSE);

  if (content_type == NULL)
    return FALSE;

  semicolon = strchr (content_type, ';');
  type = semicolon ? g_strndup (content_type, semicolon - content_type) : g_strdup (content_type);
  g_strstrip (type);

  return g_ascii_strcasecmp (type, media_type) == 0;
}

/**
 * ek_http_response_get_body:
 *
 * Returns: (transfer none): the body, empty when there was none
 */
GBytes *
ek_http_response_get_body (EkHttpResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return response->body;
}
