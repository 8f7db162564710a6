/* ek-http-errors.c: EK_HTTP_ERROR, from curl's failures to the kiosk's words
 *
 * Part of EkHttpClient (see ek-http-client-private.h).
 */

#include "config.h"

#include "ek-http-client-private.h"

#include <glib/gi18n-lib.h>

G_DEFINE_QUARK (ek-http-error-quark, ek_http_error)

/* Internal API */

void
_ek_http_set_error (GError      **error,
                    EkHttpError   code)
{
  const char *message;

  switch (code)
    {
    case EK_HTTP_ERROR_INVALID_URL:
      message = _("The exam server address in the kiosk’s settings is not valid. Contact your technician.");
      break;
    case EK_HTTP_ERROR_INSECURE_URL:
      message = _("The exam server address in the kiosk’s settings is not a secure (https) address, so the kiosk did not connect. Contact your technician.");
      break;
    case EK_HTTP_ERROR_COULD_NOT_RESOLVE:
      message = _("The exam server could not be found on the network. Check that the computer is connected to the internet, then try again.");
      break;
    case EK_HTTP_ERROR_COULD_NOT_CONNECT:
      message = _("The kiosk could not connect to the exam server. Check the network connection, then try again.");
      break;
    case EK_HTTP_ERROR_TIMEOUT:
      message = _("The exam server did not answer in time. Check the network connection, then try again.");
      break;
    case EK_HTTP_ERROR_TLS_UNTRUSTED:
      message = _("The exam server’s identity could not be verified, so the kiosk did not connect. Your network may be intercepting secure connections; try another network or contact your technician.");
      break;
    case EK_HTTP_ERROR_PINNED_KEY_MISMATCH:
      message = _("The exam server’s identity does not match the one this kiosk was set up for, so the kiosk did not connect. Your network may be intercepting secure connections; try another network or contact your technician.");
      break;
    case EK_HTTP_ERROR_TLS_FAILED:
      message = _("A secure connection to the exam server could not be set up. Try another network or contact your technician.");
      break;
    case EK_HTTP_ERROR_CONNECTION_CUT:
      message = _("The connection to the exam server was cut off. Check the network connection, then try again.");
      break;
    case EK_HTTP_ERROR_PROTOCOL:
      message = _("The exam server sent an answer the kiosk could not read. Try again; if this keeps happening, try another network or contact your technician.");
      break;
    case EK_HTTP_ERROR_RESPONSE_TOO_LARGE:
      message = _("The exam server sent more data than the kiosk accepts. Try again; if this keeps happening, contact your technician.");
      break;
    case EK_HTTP_ERROR_BODY_READ_FAILED:
      message = _("The kiosk could not read the data it was sending to the exam server. Contact your technician.");
      break;
    case EK_HTTP_ERROR_FAILED:
    default:
      message = _("The kiosk could not talk to the exam server. Try again; if this keeps happening, contact your technician.");
      break;
    }

  g_set_error_literal (error, EK_HTTP_ERROR, code, message);
}

EkHttpError
_ek_http_error_from_curl (CURLcode code)
{
  switch ((int) code)
    {
    case CURLE_URL_MALFORMAT:
      return EK_HTTP_ERROR_INVALID_URL;

    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return EK_HTTP_ERROR_COULD_NOT_RESOLVE;

    case CURLE_COULDNT_CONNECT:
      return EK_HTTP_ERROR_COULD_NOT_CONNECT;

    case CURLE_OPERATION_TIMEDOUT:
      return EK_HTTP_ERROR_TIMEOUT;

    case CURLE_PEER_FAILED_VERIFICATION:
      return EK_HTTP_ERROR_TLS_UNTRUSTED;

    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return EK_HTTP_ERROR_PINNED_KEY_MISMATCH;

    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return EK_HTTP_ERROR_TLS_FAILED;

    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2_STREAM:
      return EK_HTTP_ERROR_CONNECTION_CUT;

    /* ek_http_check_url() refused every other scheme before curl saw the URL: here
     * curl says the answer was not HTTP (an "HTTP/0.9" reply it does not accept). */
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_BAD_CONTENT_ENCODING:
      return EK_HTTP_ERROR_PROTOCOL;

    case CURLE_FILESIZE_EXCEEDED:
      return EK_HTTP_ERROR_RESPONSE_TOO_LARGE;

    case CURLE_READ_ERROR:
    case CURLE_SEND_FAIL_REWIND:
      return EK_HTTP_ERROR_BODY_READ_FAILED;

    default:
      return EK_HTTP_ERROR_FAILED;
    }
}

/* URLs */

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len = strlen (host);

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* curl hands IPv6 literals back in brackets */
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    bare = g_strndup (host + 1, len - 2);
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Public API */

/**
 * ek_http_check_url:
 *
 * Checks that @url is one this client will request: a valid https URL, or an http
 * URL whose host is a loopback address.
 *
 * Returns: %TRUE if so, else %FALSE with %EK_HTTP_ERROR_INVALID_URL or
 *   %EK_HTTP_ERROR_INSECURE_URL
 */
gboolean
ek_http_check_url (const char  *url,
                   GError     **error)
{
  CURLU *cu = curl_url ();
  char *scheme = NULL;
  char *host = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (url != NULL, FALSE);

  if (curl_url_set (cu, CURLUPART_URL, url, 0) != CURLUE_OK ||
      curl_url_get (cu, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
      curl_url_get (cu, CURLUPART_HOST, &host, 0) != CURLUE_OK)
    {
      g_debug ("Refusing a URL that does not parse");
      _ek_http_set_error (error, EK_HTTP_ERROR_INVALID_URL);
    }
  else if (g_ascii_strcasecmp (scheme, "https") == 0)
    ok = TRUE;
  else if (g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_debug ("Refusing a URL with scheme %s", scheme);
      _ek_http_set_error (error, EK_HTTP_ERROR_INVALID_URL);
    }
  else if (!is_loopback_host (host))
    {
      g_debug ("Refusing plain http to %s", host);
      _ek_http_set_error (error, EK_HTTP_ERROR_INSECURE_URL);
    }
  else
    ok = TRUE;

  curl_free (scheme);
  curl_free (host);
  curl_url_cleanup (cu);

  return ok;
}
