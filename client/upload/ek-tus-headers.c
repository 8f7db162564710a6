/* ek-tus-headers.c: what the tus server's answers say, read from their headers
 *
 * Part of EkTusClient (see ek-tus-client-private.h). Pure functions of a response, so
 * that a libFuzzer target (tests/fuzz/fuzz-tus-headers.c) reaches exactly what the
 * client reads from a server it does not control.
 */

#include "config.h"

#include "ek-tus-client-private.h"

#include "ek-json.h"

static gboolean
parse_offset (const char *text,
              guint64    *out)
{
  return text != NULL &&
         g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, out, NULL);
}

static gboolean
header_has_token (const char *header,
                  const char *token)
{
  g_auto(GStrv) parts = NULL;

  if (header == NULL)
    return FALSE;

  parts = g_strsplit (header, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A 2xx answer to OPTIONS: whether the server takes SHA-256 checksums, and the
 * largest upload it announces (0: none announced). */
void
_ek_tus_read_options (EkHttpResponse *response,
                      gboolean       *checksum,
                      guint64        *max_size)
{
  *checksum = header_has_token (ek_http_response_get_header (response, "Tus-Extension"), "checksum") &&
              header_has_token (ek_http_response_get_header (response, "Tus-Checksum-Algorithm"), "sha256");
  if (!parse_offset (ek_http_response_get_header (response, "Tus-Max-Size"), max_size))
    *max_size = 0;
}

/* A 201 answer to the creation POST: the new upload's absolute http(s) URL, or NULL
 * with @detail (for the debug log) saying why not. The Location is parsed against the
 * endpoint as a GUri and checked before it becomes text: g_uri_resolve_relative()
 * fails an assertion (GLib 2.74) on a reference with another scheme whose path
 * collapses to "//..." ("m:/..//x"), and only an http(s) URL with a host can be
 * asked for later. */
char *
_ek_tus_read_location (EkHttpResponse  *response,
                       const char      *endpoint,
                       char           **detail)
{
  const char *location = ek_http_response_get_header (response, "Location");
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (location == NULL || *location == '\0')
    {
      *detail = g_strdup ("creation answered without a Location");
      return NULL;
    }

  base = g_uri_parse (endpoint, G_URI_FLAGS_NONE, &error);
  if (base != NULL)
    uri = g_uri_parse_relative (base, location, G_URI_FLAGS_NONE, &error);
  if (uri == NULL)
    {
      *detail = g_strdup (error->message);
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      host == NULL || *host == '\0')
    {
      *detail = g_strdup ("creation answered a Location that is not an http(s) URL");
      return NULL;
    }

  return g_uri_to_string (uri);
}

/* A 2xx answer to HEAD: the offset the server holds of an upload of @size bytes;
 * FALSE when it is missing, beyond the file, or the answer is about another length. */
gboolean
_ek_tus_read_head (EkHttpResponse *response,
                   guint64         size,
                   guint64        *offset)
{
  guint64 length;

  if (!parse_offset (ek_http_response_get_header (response, "Upload-Offset"), offset) ||
      *offset > size)
    return FALSE;
  return !parse_offset (ek_http_response_get_header (response, "Upload-Length"), &length) ||
         length == size;
}

/* A 2xx answer to PATCH: the new offset, which must have moved past @previous and
 * stay within the @size bytes of the file. */
gboolean
_ek_tus_read_patch (EkHttpResponse *response,
                    guint64         previous,
                    guint64         size,
                    guint64        *offset)
{
  return parse_offset (ek_http_response_get_header (response, "Upload-Offset"), offset) &&
         *offset > previous && *offset <= size;
}

/* A 403's body: the reason of a `client_refused` error (protocol section 1.2), or
 * NULL when it is another refusal (or no readable body: a HEAD's has none). */
char *
_ek_tus_read_refusal (EkHttpResponse *response)
{
  GBytes *body = ek_http_response_get_body (response);
  g_autoptr(JsonObject) object = NULL;
  JsonObject *error = NULL;
  const char *code = NULL;
  const char *reason = NULL;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  object = ek_json_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body), NULL);
  if (object == NULL ||
      !ek_json_read_object (object, "error", TRUE, &error, NULL) ||
      !ek_json_read_string (error, "code", TRUE, &code, NULL) ||
      g_strcmp0 (code, "client_refused") != 0 ||
      !ek_json_read_string (error, "reason", FALSE, &reason, NULL))
    return NULL;

  return g_strdup (reason != NULL ? reason : "");
}
