/* ek-http-client-private.h: what the files of EkHttpClient share
 *
 * EkHttpClient is one type in several files, one per concern:
 *
 *   ek-http-client.c    the curl multi handle on the GLib main loop: sockets and
 *                       timers as GSources, transfers, the client's settings
 *   ek-http-message.c   requests (bodies from bytes, a function or a file) and
 *                       responses (status, headers, body)
 *   ek-http-errors.c    EK_HTTP_ERROR: curl's failures mapped to the kiosk's
 *                       codes and translated messages; which URLs are allowed
 */
#pragma once

#include "ek-http-client.h"

#include <curl/curl.h>

G_BEGIN_DECLS

struct _EkHttpRequest
{
  gatomicrefcount     ref_count;

  char               *method;
  char               *url;
  GPtrArray          *headers;             /* "Name: value", owned */

  gboolean            has_body;
  char               *content_type;
  GBytes             *body;                /* nullable, owned */
  guint64             body_length;
  EkHttpBodyFunc      body_func;
  gpointer            body_data;
  GDestroyNotify      body_destroy;

  guint               connect_timeout_ms;
  guint               timeout_ms;
  guint               stall_bytes_per_s;
  guint               stall_seconds;
  guint64             max_response_size;
  gboolean            fresh_connection;

  EkHttpProgressFunc  progress_func;
  gpointer            progress_data;
  GDestroyNotify      progress_destroy;
};

struct _EkHttpResponse
{
  gatomicrefcount  ref_count;

  guint            status;
  GHashTable      *headers;                /* lower-case name -> value */
  GBytes          *body;
};

/* ek-http-message.c */
EkHttpResponse *_ek_http_response_new    (guint         status,
                                          GHashTable   *headers,
                                          GBytes       *body);
gboolean        _ek_http_header_is_valid (const char   *str);
GHashTable     *_ek_http_headers_new     (void);
const char     *_ek_http_headers_add_line (GHashTable  *headers,
                                          const char   *line,
                                          gsize         len);
EkHttpResponse *_ek_http_response_new_from_headers (guint       status,
                                                    GHashTable *headers,
                                                    GBytes     *body);

/* ek-http-errors.c */
void            _ek_http_set_error       (GError      **error,
                                          EkHttpError   code);
EkHttpError     _ek_http_error_from_curl (CURLcode      code);

G_END_DECLS
