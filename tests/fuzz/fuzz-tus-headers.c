/* fuzz-tus-headers.c: a tus server's response headers (client/net, client/upload)
 *
 * Each input is a response's header block as the server sends it (status line, then
 * "Name: value" lines, CRLF or LF). The lines go one by one through the same function
 * EkHttpClient's header callback uses (a status line after a 1xx starts over; repeated
 * headers are joined), then the response is read the way EkTusClient reads the answers
 * to OPTIONS, POST (creation), HEAD and PATCH, and the way the API client checks a
 * Content-Type.
 */

#include "config.h"

#include <string.h>

#include "ek-fuzz.h"
#include "ek-http-client-private.h"
#include "ek-tus-client-private.h"

#define ENDPOINT "https://exam.example.org/v1/uploads/"

static guint
status_of (const char *line,
           gsize       len)
{
  guint status = 0;

  /* "HTTP/1.1 204 No Content": the code after the first space, as curl reads it */
  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == ' ')
        {
          for (gsize j = i + 1; j < len && j < i + 4 && g_ascii_isdigit (line[j]); j++)
            status = status * 10 + (line[j] - '0');
          break;
        }
    }
  return status;
}

static void
read_as_tus (EkHttpResponse *response)
{
  static const guint64 sizes[] = { 0, 1, 4096, G_MAXINT64 };
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  gboolean checksum;
  guint64 max_size;

  _ek_tus_read_options (response, &checksum, &max_size);

  url = _ek_tus_read_location (response, ENDPOINT, &detail);
  if ((url == NULL) == (detail == NULL))
    {
      fprintf (stderr, "a Location read without exactly one of a URL and a reason\n");
      abort ();
    }
  /* The URL is stored in the outbox and requested later: it must be absolute. */
  if (url != NULL && !g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL))
    {
      fprintf (stderr, "a Location resolved to an invalid URL: %s\n", url);
      abort ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint64 offset;

      if (_ek_tus_read_head (response, sizes[i], &offset) && offset > sizes[i])
        {
          fprintf (stderr, "HEAD: offset %" G_GUINT64_FORMAT " beyond the file\n", offset);
          abort ();
        }
      if (_ek_tus_read_patch (response, sizes[i] / 2, sizes[i], &offset) &&
          (offset <= sizes[i] / 2 || offset > sizes[i]))
        {
          fprintf (stderr, "PATCH: offset %" G_GUINT64_FORMAT " out of range\n", offset);
          abort ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GHashTable) headers = _ek_http_headers_new ();
  g_autoptr(GBytes) body = g_bytes_new (NULL, 0);
  g_autoptr(EkHttpResponse) response = NULL;
  const char *p = (const char *) data;
  const char *end = p + size;
  guint status = 200;

  while (p < end)
    {
      const char *newline = memchr (p, '\n', end - p);
      gsize len = newline != NULL ? (gsize) (newline + 1 - p) : (gsize) (end - p);

      if (len >= 5 && memcmp (p, "HTTP/", 5) == 0)
        status = status_of (p, len);
      _ek_http_headers_add_line (headers, p, len);
      p += len;
    }

  response = _ek_http_response_new_from_headers (status, headers, body);
  ek_http_response_has_media_type (response, "application/json");
  ek_http_response_get_header (response, "Content-Length");
  read_as_tus (response);

  return 0;
}
