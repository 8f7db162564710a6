/* ek-api-client-errors.c: EK_API_ERROR, its codes and translated messages
 *
 * Part of EkApiClient (see ek-api-client-private.h).
 */

#include "config.h"

#include "ek-api-client-private.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  gint64  retry_after_ms;
  guint   http_status;
  gint64  last_seq;        /* conflict on events: the server's last seq, or -1 */
  char   *last_hash;       /* conflict on events: the server's last hash, nullable */
  char   *reason;          /* a refused face login: the comparison's reason, nullable */
} EkApiErrorPrivate;

static const char * const error_codes[] = {
  [EK_API_ERROR_BAD_REQUEST] = "bad_request",
  [EK_API_ERROR_WRONG_CREDENTIALS] = "wrong_credentials",
  [EK_API_ERROR_INVALID_SESSION] = "invalid_session",
  [EK_API_ERROR_EXAM_NOT_OPEN] = "exam_not_open",
  [EK_API_ERROR_ENTRY_CLOSED] = "entry_closed",
  [EK_API_ERROR_PHASE_NOT_STARTED] = "phase_not_started",
  [EK_API_ERROR_STEP_NOT_ALLOWED] = "step_not_allowed",
  [EK_API_ERROR_NOT_FOUND] = "not_found",
  [EK_API_ERROR_ALREADY_SUBMITTED] = "already_submitted",
  [EK_API_ERROR_EXAM_OVER] = "exam_over",
  [EK_API_ERROR_TOO_EARLY] = "too_early",
  [EK_API_ERROR_CONFLICT] = "conflict",
  [EK_API_ERROR_UNSUPPORTED_VERSION] = "unsupported_version",
  [EK_API_ERROR_PAYLOAD_TOO_LARGE] = "payload_too_large",
  [EK_API_ERROR_CLIENT_TOO_OLD] = "client_too_old",
  [EK_API_ERROR_RATE_LIMITED] = "rate_limited",
  [EK_API_ERROR_SERVER_ERROR] = "server_error",
  [EK_API_ERROR_UNAVAILABLE] = "unavailable",
  [EK_API_ERROR_CLIENT_REFUSED] = "client_refused",
  [EK_API_ERROR_UNKNOWN] = "unknown",
  [EK_API_ERROR_NETWORK] = "network",
  [EK_API_ERROR_TIMEOUT] = "timeout",
  [EK_API_ERROR_TLS_UNTRUSTED] = "tls_untrusted",
  [EK_API_ERROR_PINNED_KEY_MISMATCH] = "pinned_key_mismatch",
  [EK_API_ERROR_TLS_FAILED] = "tls_failed",
  [EK_API_ERROR_CONNECTION_CUT] = "connection_cut",
  [EK_API_ERROR_MALFORMED_RESPONSE] = "malformed_response",
  [EK_API_ERROR_RESPONSE_TOO_LARGE] = "response_too_large",
  [EK_API_ERROR_INSECURE_URL] = "insecure_url",
  [EK_API_ERROR_INVALID_URL] = "invalid_url",
};

/* The last protocol code in error_codes[]: codes after it never come from a server. */
#define LAST_SERVER_CODE EK_API_ERROR_CLIENT_REFUSED

/* Extended error: the numbers a caller may need besides the code */

static void
ek_api_error_private_init (EkApiErrorPrivate *priv)
{
  priv->retry_after_ms = 0;
  priv->http_status = 0;
  priv->last_seq = -1;
  priv->last_hash = NULL;
  priv->reason = NULL;
}

static void
ek_api_error_private_copy (const EkApiErrorPrivate *src,
                           EkApiErrorPrivate       *dest)
{
  *dest = *src;
  dest->last_hash = g_strdup (src->last_hash);
  dest->reason = g_strdup (src->reason);
}

static void
ek_api_error_private_clear (EkApiErrorPrivate *priv)
{
  g_clear_pointer (&priv->last_hash, g_free);
  g_clear_pointer (&priv->reason, g_free);
}

G_DEFINE_EXTENDED_ERROR (EkApiError, ek_api_error)

/* Helpers */

/* Local wall-clock "HH:MM" of a server time, for messages. */
static char *
format_server_time (gint64 server_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (server_ms / 1000);

  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%H:%M");
}

/* The candidate-facing text of an error the server reported. */
static char *
describe_server_error (EkApiClient *self,
                       EkApiError   code,
                       gint64       retry_after_ms)
{
  const char *help = self->exam ? ek_exam_get_help_contact (self->exam) : NULL;

  if (help != NULL && *help == '\0')
    help = NULL;

  switch (code)
    {
    case EK_API_ERROR_BAD_REQUEST:
      return g_strdup (_("The exam server did not accept what the kiosk sent. Try again; if this keeps happening, contact your technician."));

    case EK_API_ERROR_WRONG_CREDENTIALS:
      return g_strdup (_("The exam token and ID number do not match any candidate of an exam. Check both and try again."));

    case EK_API_ERROR_INVALID_SESSION:
      return g_strdup (_("Your exam session is no longer valid, for example because you logged in on another computer. Log in again with your exam token and ID number."));

    case EK_API_ERROR_EXAM_NOT_OPEN:
      return g_strdup (_("This exam is not open yet. Try again at the time given in your exam notice."));

    case EK_API_ERROR_ENTRY_CLOSED:
      {
        g_autofree char *cutoff = NULL;

        if (self->exam != NULL)
          cutoff = format_server_time (ek_exam_get_late_entry_cutoff_ms (self->exam));

        if (cutoff != NULL && help != NULL)
          /* Translators: %s is a time like 09:05, then a phone number */
          return g_strdup_printf (_("Entry to this exam closed at %s. Contact the help line of your examining body: %s."),
                                  cutoff, help);
        if (cutoff != NULL)
          /* Translators: %s is a time like 09:05 */
          return g_strdup_printf (_("Entry to this exam closed at %s. Contact the help line of your examining body."),
                                  cutoff);
        return g_strdup (_("Entry to this exam has closed. Contact the help line of your examining body."));
      }

    case EK_API_ERROR_PHASE_NOT_STARTED:
      return g_strdup (_("The questions of this part are not available yet. They appear as soon as the part starts."));

    case EK_API_ERROR_STEP_NOT_ALLOWED:
      return g_strdup (_("This step is not available now. Complete the steps before it first."));

    case EK_API_ERROR_NOT_FOUND:
      return g_strdup (_("The exam server could not find what the kiosk asked for. Try again; if this keeps happening, contact your technician."));

    case EK_API_ERROR_ALREADY_SUBMITTED:
      return g_strdup (_("Your answers have already been handed in. Nothing more can be changed in this exam."));

    case EK_API_ERROR_EXAM_OVER:
      return g_strdup (_("This exam has ended. Answers can no longer be changed."));

    case EK_API_ERROR_TOO_EARLY:
      {
        g_autofree char *when = NULL;

        if (retry_after_ms > 0 && self->clock != NULL)
          when = format_server_time (ek_server_clock_now_ms (self->clock) + retry_after_ms);
        else if (self->exam != NULL && ek_exam_get_min_submit_ms (self->exam) > 0)
          when = format_server_time (ek_exam_get_min_submit_ms (self->exam));

        if (when != NULL)
          /* Translators: %s is a time like 09:40 */
          return g_strdup_printf (_("It is too early to hand in. You can hand in from %s."), when);
        return g_strdup (_("It is too early to hand in. Try again later."));
      }

    case EK_API_ERROR_CONFLICT:
      return g_strdup (_("The exam server has newer data than this kiosk. Try again; the kiosk will catch up."));

    case EK_API_ERROR_UNSUPPORTED_VERSION:
      return g_strdup (_("The exam server no longer supports this version of the exam kiosk. Install the current version, then try again."));

    case EK_API_ERROR_PAYLOAD_TOO_LARGE:
      return g_strdup (_("What the kiosk tried to send is too large for the exam server. Try again; if this keeps happening, contact your technician."));

    case EK_API_ERROR_CLIENT_TOO_OLD:
      return g_strdup (_("This version of the exam kiosk is too old for this exam. Install the current version, then log in again."));

    case EK_API_ERROR_RATE_LIMITED:
      if (retry_after_ms > 0)
        {
          gint64 seconds = (retry_after_ms + 999) / 1000;

          if (seconds >= 120)
            {
              gint64 minutes = (seconds + 59) / 60;

              return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   "Too many attempts. Wait %d minute, then try again.",
                                                   "Too many attempts. Wait %d minutes, then try again.",
                                                   (gulong) minutes),
                                      (int) MIN (minutes, G_MAXINT));
            }

          return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "Too many attempts. Wait %d second, then try again.",
                                               "Too many attempts. Wait %d seconds, then try again.",
                                               (gulong) seconds),
                                  (int) seconds);
        }
      return g_strdup (_("Too many attempts. Wait a minute, then try again."));

    case EK_API_ERROR_SERVER_ERROR:
      return g_strdup (_("The exam server had a problem. Try again in a moment."));

    case EK_API_ERROR_UNAVAILABLE:
      return g_strdup (_("The exam server is busy or under maintenance. Try again in a few minutes."));

    case EK_API_ERROR_CLIENT_REFUSED:
      return ek_api_client_refused_message (NULL);

    case EK_API_ERROR_MALFORMED_RESPONSE:
      return g_strdup (_("The exam server sent an answer the kiosk could not read. Try again; if this keeps happening, your network may be interfering: try another network or contact your technician."));

    case EK_API_ERROR_UNKNOWN:
    case EK_API_ERROR_NETWORK:
    case EK_API_ERROR_TIMEOUT:
    case EK_API_ERROR_TLS_UNTRUSTED:
    case EK_API_ERROR_PINNED_KEY_MISMATCH:
    case EK_API_ERROR_TLS_FAILED:
    case EK_API_ERROR_CONNECTION_CUT:
    case EK_API_ERROR_RESPONSE_TOO_LARGE:
    case EK_API_ERROR_INSECURE_URL:
    case EK_API_ERROR_INVALID_URL:
    default:
      return g_strdup (_("The exam server refused the request. Try again; if this keeps happening, contact your technician."));
    }
}

static gboolean
code_from_string (const char *str,
                  EkApiError *code)
{
  for (guint i = 0; i <= LAST_SERVER_CODE; i++)
    {
      if (g_str_equal (str, error_codes[i]))
        {
          *code = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Internal API */

GError *
_ek_api_error_new (EkApiError  code,
                   guint       http_status,
                   gint64      retry_after_ms,
                   const char *message)
{
  GError *error = g_error_new_literal (EK_API_ERROR, code, message);
  EkApiErrorPrivate *priv = ek_api_error_get_private (error);

  priv->http_status = http_status;
  priv->retry_after_ms = retry_after_ms;

  return error;
}

/* An error the server reported, in the candidate's words. */
GError *
_ek_api_server_error (EkApiClient *self,
                      EkApiError   code,
                      guint        http_status,
                      gint64       retry_after_ms)
{
  g_autofree char *message = describe_server_error (self, code, retry_after_ms);

  return _ek_api_error_new (code, http_status, retry_after_ms, message);
}

GError *
_ek_api_malformed_error (EkApiClient *self,
                         const char  *path,
                         guint        http_status,
                         const char  *detail)
{
  g_debug ("%s: malformed response (HTTP %u): %s", path, http_status, detail);
  return _ek_api_server_error (self, EK_API_ERROR_MALFORMED_RESPONSE, http_status, 0);
}

/* Transport failures keep EkHttpClient's message, which already says what to do. */
GError *
_ek_api_error_from_http (const GError *http_error)
{
  EkApiError code;

  if (http_error->domain != EK_HTTP_ERROR)
    return g_error_copy (http_error);

  switch ((EkHttpError) http_error->code)
    {
    case EK_HTTP_ERROR_INVALID_URL:
      code = EK_API_ERROR_INVALID_URL;
      break;
    case EK_HTTP_ERROR_INSECURE_URL:
      code = EK_API_ERROR_INSECURE_URL;
      break;
    case EK_HTTP_ERROR_TIMEOUT:
      code = EK_API_ERROR_TIMEOUT;
      break;
    case EK_HTTP_ERROR_TLS_UNTRUSTED:
      code = EK_API_ERROR_TLS_UNTRUSTED;
      break;
    case EK_HTTP_ERROR_PINNED_KEY_MISMATCH:
      code = EK_API_ERROR_PINNED_KEY_MISMATCH;
      break;
    case EK_HTTP_ERROR_TLS_FAILED:
      code = EK_API_ERROR_TLS_FAILED;
      break;
    case EK_HTTP_ERROR_CONNECTION_CUT:
      code = EK_API_ERROR_CONNECTION_CUT;
      break;
    /* An answer that is not HTTP at all: a server or something in between
     * misbehaving, which a retry may well not meet again. */
    case EK_HTTP_ERROR_PROTOCOL:
      code = EK_API_ERROR_SERVER_ERROR;
      break;
    case EK_HTTP_ERROR_RESPONSE_TOO_LARGE:
      code = EK_API_ERROR_RESPONSE_TOO_LARGE;
      break;
    case EK_HTTP_ERROR_FAILED:
    case EK_HTTP_ERROR_COULD_NOT_RESOLVE:
    case EK_HTTP_ERROR_COULD_NOT_CONNECT:
    case EK_HTTP_ERROR_BODY_READ_FAILED:
    default:
      code = EK_API_ERROR_NETWORK;
      break;
    }

  return _ek_api_error_new (code, 0, 0, http_error->message);
}

/* A non-2xx answer: only the protocol's error shape is accepted (section 1.1). */
GError *
_ek_api_error_from_response (EkApiClient    *self,
                             const char     *method,
                             const char     *path,
                             EkApiCallFlags  flags,
                             EkHttpResponse *response)
{
  GBytes *body = ek_http_response_get_body (response);
  guint status = ek_http_response_get_status (response);
  g_autoptr(EkApiErrorBody) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  EkApiErrorPrivate *priv;
  EkApiError code;
  GError *error;
  const char *data = NULL;
  gsize len = 0;

  if (!ek_http_response_has_media_type (response, "application/json"))
    return _ek_api_malformed_error (self, path, status, "error answer is not JSON");

  if (body != NULL)
    data = g_bytes_get_data (body, &len);
  parsed = ek_api_parse_error_body (data, len, &local_error);
  if (parsed == NULL)
    return _ek_api_malformed_error (self, path, status, local_error->message);

  if (!code_from_string (parsed->code, &code))
    {
      g_debug ("%s %s: HTTP %u with an unknown error code", method, path, status);
      code = EK_API_ERROR_UNKNOWN;
    }

  /* The server's text is for operators; a login's may echo personal data. */
  if (flags & EK_API_CALL_SENSITIVE)
    g_debug ("%s %s: HTTP %u %s", method, path, status, error_codes[code]);
  else
    g_debug ("%s %s: HTTP %u %s: %s", method, path, status, error_codes[code], parsed->message);

  error = _ek_api_server_error (self, code, status, parsed->retry_after_ms);
  priv = ek_api_error_get_private (error);

  /* An event batch that does not chain: where the server's log ends (section 7). */
  if (code == EK_API_ERROR_CONFLICT)
    {
      priv->last_seq = parsed->last_seq;
      priv->last_hash = g_steal_pointer (&parsed->last_hash);
    }

  /* A refused face login may say why (section 4); only the known reasons count. */
  if (code == EK_API_ERROR_WRONG_CREDENTIALS)
    priv->reason = g_steal_pointer (&parsed->reason);

  /* A refused build or policy (section 1.2): the message says which. */
  if (code == EK_API_ERROR_CLIENT_REFUSED)
    {
      priv->reason = g_steal_pointer (&parsed->reason);
      g_free (error->message);
      error->message = ek_api_client_refused_message (priv->reason);
    }

  return error;
}

/* Public API */

/**
 * ek_api_client_refused_message:
 * @reason: (nullable): the reason of a `client_refused` answer (section 1.2)
 *
 * Returns: the translated message the kiosk shows for it
 */
char *
ek_api_client_refused_message (const char *reason)
{
  if (g_strcmp0 (reason, "unknown_build") == 0 || g_strcmp0 (reason, "missing") == 0)
    return g_strdup (_("The exam server does not accept this copy of the exam program: it is "
                       "not a released build, or it has been changed. Ask your technician to "
                       "install the released exam program, then try again."));
  if (g_strcmp0 (reason, "policy_mismatch") == 0)
    return g_strdup (_("The exam server refused the kiosk: it does not apply this exam's rules "
                       "as the server sent them. Restart the exam program and log in again; if "
                       "this keeps happening, contact your technician."));
  return g_strdup (_("The exam server could not verify this exam program. Restart the exam "
                     "program and log in again; if this keeps happening, contact your "
                     "technician."));
}

/**
 * ek_api_error_get_retry_after_ms:
 *
 * Returns: how long the server asked to wait before trying again, or 0 (also for an
 *   error of another domain)
 */
gint64
ek_api_error_get_retry_after_ms (const GError *error)
{
  if (error == NULL || error->domain != EK_API_ERROR)
    return 0;
  return ek_api_error_get_private (error)->retry_after_ms;
}

/**
 * ek_api_error_get_http_status:
 *
 * Returns: the HTTP status of the answer behind @error, or 0 when there was none
 */
guint
ek_api_error_get_http_status (const GError *error)
{
  if (error == NULL || error->domain != EK_API_ERROR)
    return 0;
  return ek_api_error_get_private (error)->http_status;
}

/**
 * ek_api_error_get_last_seq:
 *
 * Returns: for a `conflict` on the event log, the server's last stored seq, else -1
 */
gint64
ek_api_error_get_last_seq (const GError *error)
{
  if (error == NULL || error->domain != EK_API_ERROR)
    return -1;
  return ek_api_error_get_private (error)->last_seq;
}

/**
 * ek_api_error_get_last_hash:
 *
 * Returns: (nullable): for a `conflict` on the event log, the server's last hash
 *   (64 lowercase hex digits) if the server said it, else %NULL
 */
const char *
ek_api_error_get_last_hash (const GError *error)
{
  if (error == NULL || error->domain != EK_API_ERROR)
    return NULL;
  return ek_api_error_get_private (error)->last_hash;
}

/**
 * ek_api_error_get_reason:
 *
 * Returns: (nullable): for a face login refused with `wrong_credentials`, the
 *   comparison's reason (`no_face`, `different_person`, `poor_quality`,
 *   `no_registered_photo`) if the server said it, else %NULL
 */
const char *
ek_api_error_get_reason (const GError *error)
{
  if (error == NULL || error->domain != EK_API_ERROR)
    return NULL;
  return ek_api_error_get_private (error)->reason;
}

/**
 * ek_api_error_code_to_string:
 *
 * Returns: the protocol's name of @code ("entry_closed"), for logs
 */
const char *
ek_api_error_code_to_string (EkApiError code)
{
  if ((guint) code >= G_N_ELEMENTS (error_codes))
    return "unknown";
  return error_codes[code];
}

/**
 * ek_api_error_is_transient:
 *
 * Returns: whether trying the same thing later may succeed (network trouble, a
 *   server fault or overload)
 */
gboolean
ek_api_error_is_transient (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain != EK_API_ERROR)
    return FALSE;

  switch ((EkApiError) error->code)
    {
    case EK_API_ERROR_NETWORK:
    case EK_API_ERROR_TIMEOUT:
    case EK_API_ERROR_CONNECTION_CUT:
    case EK_API_ERROR_SERVER_ERROR:
    case EK_API_ERROR_UNAVAILABLE:
      return TRUE;

    case EK_API_ERROR_BAD_REQUEST:
    case EK_API_ERROR_WRONG_CREDENTIALS:
    case EK_API_ERROR_INVALID_SESSION:
    case EK_API_ERROR_EXAM_NOT_OPEN:
    case EK_API_ERROR_ENTRY_CLOSED:
    case EK_API_ERROR_PHASE_NOT_STARTED:
    case EK_API_ERROR_STEP_NOT_ALLOWED:
    case EK_API_ERROR_NOT_FOUND:
    case EK_API_ERROR_ALREADY_SUBMITTED:
    case EK_API_ERROR_EXAM_OVER:
    case EK_API_ERROR_TOO_EARLY:
    case EK_API_ERROR_CONFLICT:
    case EK_API_ERROR_UNSUPPORTED_VERSION:
    case EK_API_ERROR_PAYLOAD_TOO_LARGE:
    case EK_API_ERROR_CLIENT_TOO_OLD:
    case EK_API_ERROR_RATE_LIMITED:
    case EK_API_ERROR_UNKNOWN:
    case EK_API_ERROR_TLS_UNTRUSTED:
    case EK_API_ERROR_PINNED_KEY_MISMATCH:
    case EK_API_ERROR_TLS_FAILED:
    case EK_API_ERROR_MALFORMED_RESPONSE:
    case EK_API_ERROR_RESPONSE_TOO_LARGE:
    case EK_API_ERROR_INSECURE_URL:
    case EK_API_ERROR_INVALID_URL:
    default:
      return FALSE;
    }
}
