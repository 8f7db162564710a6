/* ek-api-client.c: the exam server's JSON API (docs/protocol.md) */

#include "config.h"

#include "ek-api-client.h"
#include "ek-json.h"

#include <glib/gi18n-lib.h>

#define MIN_TIME_MS G_GINT64_CONSTANT (1000000000000)
#define MAX_TIME_MS G_GINT64_CONSTANT (9999999999999)

/* A server asking to wait longer than this is not worth waiting for inside one
 * call: the error goes to the caller, which can tell the candidate. */
#define MAX_RETRY_AFTER_MS 30000
#define CLOCK_SAMPLE_TIMEOUT_MS 5000

/* Internal: a call that is idempotent but must not be retried (a clock sample, whose
 * timing would be meaningless after a wait). */
#define CALL_NO_RETRY (1u << 16)

struct _EkApiClient
{
  GObject         parent_instance;

  char           *base_url;        /* without a trailing slash */
  EkServerClock  *clock;           /* owned, nullable */
  EkHttpClient   *http;            /* owned */
  char           *session_token;   /* secret: never logged, wiped on change */
  EkExam         *exam;            /* owned, nullable: for the wording of errors */
  guint           timeout_ms;
  guint           max_attempts;
  guint           backoff_base_ms;
  guint           backoff_cap_ms;
};

typedef struct
{
  gint64  retry_after_ms;
  guint   http_status;
  gint64  last_seq;        /* conflict on events: the server's last seq, or -1 */
  char   *last_hash;       /* conflict on events: the server's last hash, nullable */
  char   *reason;          /* a refused face login: the comparison's reason, nullable */
} EkApiErrorPrivate;

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_CLOCK,
  PROP_PINNED_KEY,
  PROP_CA_FILE,
  PROP_USER_AGENT,
  PROP_EXAM,
  PROP_TIMEOUT_MS,
  N_PROPS
};

enum {
  RETRYING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkApiClient, ek_api_client, G_TYPE_OBJECT)

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
#define LAST_SERVER_CODE EK_API_ERROR_UNAVAILABLE

typedef struct
{
  char           *method;
  char           *path;
  GBytes         *body;            /* nullable */
  EkApiCallFlags  flags;
  guint           attempt;         /* 1 for the first */
  GSource        *wait_source;     /* owned, nullable: backoff timer */
  GSource        *cancel_source;   /* owned, nullable: cancels the backoff */
} CallData;

/* What a typed call hands from its parser to its _finish. */
typedef struct
{
  gint64      int1;
  gint64      int2;
  gboolean    flag;
  char       *string;
  JsonArray  *array;
} Outputs;

typedef gboolean (*ParseFunc) (EkApiClient  *self,
                               JsonObject   *object,
                               GTask        *task,
                               GError      **error);

typedef struct
{
  ParseFunc       parse;
  EkApiCallFlags  flags;
  char           *phase_id;        /* get_questions: the phase asked for */
} TypedData;

typedef struct
{
  guint   n_sent;
  guint   n_ok;
  gint64  t1_ms;
  GError *last_error;
} ClockData;

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

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      volatile char *p = *str;

      while (*p != '\0')
        *p++ = '\0';
      g_clear_pointer (str, g_free);
    }
}

static void
call_data_free (gpointer data)
{
  CallData *call = data;

  if (call->wait_source != NULL)
    {
      g_source_destroy (call->wait_source);
      g_clear_pointer (&call->wait_source, g_source_unref);
    }
  if (call->cancel_source != NULL)
    {
      g_source_destroy (call->cancel_source);
      g_clear_pointer (&call->cancel_source, g_source_unref);
    }
  g_free (call->method);
  g_free (call->path);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call);
}

static void
outputs_free (gpointer data)
{
  Outputs *outputs = data;

  g_free (outputs->string);
  g_clear_pointer (&outputs->array, json_array_unref);
  g_free (outputs);
}

static void
typed_data_free (gpointer data)
{
  TypedData *typed = data;

  g_free (typed->phase_id);
  g_free (typed);
}

static void
clock_data_free (gpointer data)
{
  ClockData *clock_data = data;

  g_clear_error (&clock_data->last_error);
  g_free (clock_data);
}

/* Local wall-clock "HH:MM" of a server time, for messages. */
static char *
format_server_time (gint64 server_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (server_ms / 1000);

  if (dt == NULL)
    return NULL;
  return g_date_time_format (dt, "%H:%M");
}

static GError *
new_api_error (EkApiError   code,
               guint        http_status,
               gint64       retry_after_ms,
               const char  *message)
{
  GError *error = g_error_new_literal (EK_API_ERROR, code, message);
  EkApiErrorPrivate *priv = ek_api_error_get_private (error);

  priv->http_status = http_status;
  priv->retry_after_ms = retry_after_ms;

  return error;
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

static GError *
server_error (EkApiClient *self,
              EkApiError   code,
              guint        http_status,
              gint64       retry_after_ms)
{
  g_autofree char *message = describe_server_error (self, code, retry_after_ms);

  return new_api_error (code, http_status, retry_after_ms, message);
}

static GError *
malformed_error (EkApiClient *self,
                 const char  *path,
                 guint        http_status,
                 const char  *detail)
{
  g_debug ("%s: malformed response (HTTP %u): %s", path, http_status, detail);
  return server_error (self, EK_API_ERROR_MALFORMED_RESPONSE, http_status, 0);
}

/* Transport failures keep EkHttpClient's message, which already says what to do. */
static GError *
error_from_http_error (const GError *http_error)
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
    case EK_HTTP_ERROR_PROTOCOL:
      code = EK_API_ERROR_MALFORMED_RESPONSE;
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

  return new_api_error (code, 0, 0, http_error->message);
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

/* A non-2xx answer: only the protocol's error shape is accepted (section 1.1). */
static GError *
parse_error_response (EkApiClient    *self,
                      CallData       *call,
                      EkHttpResponse *response)
{
  GBytes *body = ek_http_response_get_body (response);
  guint status = ek_http_response_get_status (response);
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *error_object = NULL;
  const char *code_str = NULL;
  const char *message = NULL;
  gint64 retry_after_ms = 0;
  EkApiError code;
  GError *error;
  gsize len;
  const char *data;

  if (!ek_http_response_has_media_type (response, "application/json"))
    return malformed_error (self, call->path, status, "error answer is not JSON");

  data = g_bytes_get_data (body, &len);
  root = ek_json_parse_object (data, len, &local_error);
  if (root == NULL ||
      !ek_json_read_object (root, "error", TRUE, &error_object, &local_error) ||
      !ek_json_read_string (error_object, "code", TRUE, &code_str, &local_error) ||
      !ek_json_read_string (error_object, "message", TRUE, &message, &local_error) ||
      !ek_json_read_int (error_object, "retry_after_ms", FALSE, 0, G_MAXINT32,
                         &retry_after_ms, &local_error))
    return malformed_error (self, call->path, status, local_error->message);

  if (!code_from_string (code_str, &code))
    {
      g_debug ("%s %s: HTTP %u with an unknown error code", call->method, call->path, status);
      code = EK_API_ERROR_UNKNOWN;
    }

  /* The server's text is for operators; a login's may echo personal data. */
  if (call->flags & EK_API_CALL_SENSITIVE)
    g_debug ("%s %s: HTTP %u %s", call->method, call->path, status, error_codes[code]);
  else
    g_debug ("%s %s: HTTP %u %s: %s", call->method, call->path, status,
             error_codes[code], message);

  error = server_error (self, code, status, retry_after_ms);

  /* An event batch that does not chain: where the server's log ends (section 7). */
  if (code == EK_API_ERROR_CONFLICT)
    {
      EkApiErrorPrivate *priv = ek_api_error_get_private (error);
      gint64 last_seq = -1;
      const char *last_hash = NULL;

      if (ek_json_read_int (error_object, "last_seq", FALSE, 0, G_MAXINT64, &last_seq, NULL))
        priv->last_seq = json_object_has_member (error_object, "last_seq") ? last_seq : -1;
      if (ek_json_read_string (error_object, "last_hash", FALSE, &last_hash, NULL) &&
          last_hash != NULL && strlen (last_hash) == 64)
        priv->last_hash = g_ascii_strdown (last_hash, -1);
    }

  /* A refused face login may say why (section 4); only the known reasons count. */
  if (code == EK_API_ERROR_WRONG_CREDENTIALS)
    {
      static const char * const face_reasons[] = { "no_face", "different_person", "poor_quality",
                                                   "no_registered_photo", NULL };
      const char *reason = NULL;

      if (ek_json_read_string (error_object, "reason", FALSE, &reason, NULL) &&
          reason != NULL && g_strv_contains (face_reasons, reason))
        ek_api_error_get_private (error)->reason = g_strdup (reason);
    }

  return error;
}

static JsonObject *
parse_response (EkApiClient     *self,
                CallData        *call,
                EkHttpResponse  *response,
                GError         **error)
{
  guint status = ek_http_response_get_status (response);
  GBytes *body = ek_http_response_get_body (response);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  const char *data;
  gsize len;

  if (status < 200 || status > 299)
    {
      g_propagate_error (error, parse_error_response (self, call, response));
      return NULL;
    }

  if (status == 204)
    return json_object_new ();

  if (!ek_http_response_has_media_type (response, "application/json"))
    {
      g_propagate_error (error, malformed_error (self, call->path, status, "answer is not JSON"));
      return NULL;
    }

  data = g_bytes_get_data (body, &len);
  object = ek_json_parse_object (data, len, &local_error);
  if (object == NULL)
    {
      g_propagate_error (error, malformed_error (self, call->path, status, local_error->message));
      return NULL;
    }

  return object;
}

static gboolean
error_is_transient (const GError *error)
{
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

/* Full jitter (a uniform wait in [0, min(cap, base * 2^n)]) spreads the retries of
 * many kiosks after a server hiccup instead of having them return in step. */
static guint
backoff_delay_ms (EkApiClient *self,
                  guint        attempt)
{
  guint64 ceiling = self->backoff_base_ms;

  for (guint i = 1; i < attempt && ceiling < self->backoff_cap_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, self->backoff_cap_ms);

  if (ceiling == 0)
    return 0;
  return (guint) g_random_int_range (0, (gint32) MIN (ceiling, G_MAXINT32 - 1) + 1);
}

static void send_attempt (GTask *task);

static gboolean
on_backoff_done_cb (gpointer user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);

  g_clear_pointer (&call->wait_source, g_source_unref);
  if (call->cancel_source != NULL)
    {
      g_source_destroy (call->cancel_source);
      g_clear_pointer (&call->cancel_source, g_source_unref);
    }

  send_attempt (task);

  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_cancelled_cb (GCancellable *cancellable,
                         gpointer      user_data)
{
  GTask *task = user_data;
  CallData *call = g_task_get_task_data (task);

  g_clear_pointer (&call->cancel_source, g_source_unref);
  if (call->wait_source != NULL)
    {
      g_source_destroy (call->wait_source);
      g_clear_pointer (&call->wait_source, g_source_unref);
    }

  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

/* Returns whether a retry was scheduled; else the caller reports @error. */
static gboolean
maybe_retry (EkApiClient  *self,
             GTask        *task,
             const GError *error)
{
  CallData *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gint64 retry_after_ms = ek_api_error_get_retry_after_ms (error);
  guint delay_ms;

  if (!(call->flags & EK_API_CALL_IDEMPOTENT) || (call->flags & CALL_NO_RETRY))
    return FALSE;
  if (call->attempt >= self->max_attempts)
    return FALSE;
  if (!error_is_transient (error))
    return FALSE;
  if (retry_after_ms > MAX_RETRY_AFTER_MS)
    return FALSE;

  delay_ms = retry_after_ms > 0 ? (guint) retry_after_ms : backoff_delay_ms (self, call->attempt);
  call->attempt++;

  g_debug ("%s %s: %s, attempt %u in %u ms", call->method, call->path,
           error_codes[error->code], call->attempt, delay_ms);
  g_signal_emit (self, signals[RETRYING], 0, call->method, call->path, call->attempt, delay_ms);

  /* Each source holds a ref on the task until it is destroyed; whichever fires
   * first destroys the other. */
  call->wait_source = g_timeout_source_new (delay_ms);
  g_source_set_static_name (call->wait_source, "[ek-api-client backoff]");
  g_source_set_callback (call->wait_source, on_backoff_done_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (call->wait_source, g_task_get_context (task));

  if (cancellable != NULL)
    {
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (call->cancel_source, "[ek-api-client backoff cancel]");
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (on_backoff_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (call->cancel_source, g_task_get_context (task));
    }

  return TRUE;
}

static void
on_http_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkApiClient *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) http_error = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &http_error);
  if (response == NULL)
    {
      if (g_error_matches (http_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&http_error));
          return;
        }
      error = error_from_http_error (http_error);
    }
  else if ((call->flags & EK_API_CALL_BYTES) &&
           ek_http_response_get_status (response) >= 200 &&
           ek_http_response_get_status (response) <= 299)
    {
      g_task_return_pointer (task, g_steal_pointer (&response),
                             (GDestroyNotify) ek_http_response_unref);
      return;
    }
  else
    {
      object = parse_response (self, call, response, &error);
      if (object != NULL)
        {
          g_task_return_pointer (task, object, (GDestroyNotify) json_object_unref);
          return;
        }
    }

  if (maybe_retry (self, task, error))
    return;

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_attempt (GTask *task)
{
  EkApiClient *self = g_task_get_source_object (task);
  CallData *call = g_task_get_task_data (task);
  g_autoptr(EkHttpRequest) request = NULL;
  g_autofree char *url = g_strconcat (self->base_url, call->path, NULL);

  request = ek_http_request_new (call->method, url);
  ek_http_request_add_header (request, "Accept",
                              (call->flags & EK_API_CALL_BYTES) ? "*/*" : "application/json");
  if (!(call->flags & EK_API_CALL_PUBLIC))
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->session_token, NULL);

      ek_http_request_add_header (request, "Authorization", authorization);
      wipe_string (&authorization);
    }
  if (call->body != NULL)
    ek_http_request_set_body (request, "application/json; charset=utf-8", call->body);

  ek_http_request_set_timeouts (request, MIN (self->timeout_ms, EK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS),
                                self->timeout_ms);
  ek_http_request_set_max_response_size (request, (call->flags & EK_API_CALL_BYTES)
                                                   ? EK_API_MAX_DOWNLOAD_SIZE
                                                   : EK_API_MAX_RESPONSE_SIZE);
  ek_http_request_set_fresh_connection (request, !(call->flags & EK_API_CALL_IDEMPOTENT));

  g_debug ("%s %s (attempt %u)", call->method, call->path, call->attempt);

  ek_http_client_send_async (self->http, request, g_task_get_cancellable (task),
                             on_http_done_cb, g_object_ref (task));
}

/* Typed calls */

static void
on_typed_call_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkApiClient *self = EK_API_CLIENT (source);
  TypedData *typed = g_task_get_task_data (task);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  object = ek_api_client_call_finish (self, result, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!typed->parse (self, object, task, &error))
    {
      g_task_return_error (task, malformed_error (self, g_task_get_name (task), 200, error->message));
      return;
    }
}

static void
typed_call (EkApiClient         *self,
            const char          *method,
            const char          *path,
            JsonNode            *body,
            EkApiCallFlags       flags,
            ParseFunc            parse,
            gpointer             source_tag,
            const char          *name,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TypedData *typed;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);

  typed = g_new0 (TypedData, 1);
  typed->parse = parse;
  typed->flags = flags;
  g_task_set_task_data (task, typed, typed_data_free);

  ek_api_client_call_async (self, method, path, body, flags, cancellable,
                            on_typed_call_done_cb, g_steal_pointer (&task));
}

static JsonNode *
build_body (JsonBuilder *builder)
{
  return json_builder_get_root (builder);
}

/* { "MEMBER": ARRAY }: the body of the calls that send a list (events, segments) */
static JsonNode *
array_member_body (const char *member,
                   JsonArray  *array)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_array_member (object, member, json_array_ref (array));
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
empty_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

static gboolean
parse_session_info (EkApiClient  *self,
                    JsonObject   *object,
                    GTask        *task,
                    gboolean      with_token,
                    GError      **error)
{
  g_autoptr(EkSessionInfo) info = ek_session_info_new_from_json (object, with_token, error);

  if (info == NULL)
    return FALSE;

  if (with_token)
    ek_api_client_set_session_token (self, ek_session_info_get_session_token (info));
  ek_api_client_set_exam (self, ek_session_info_get_exam (info));

  g_task_return_pointer (task, g_steal_pointer (&info), g_object_unref);
  return TRUE;
}

static gboolean
parse_login (EkApiClient  *self,
             JsonObject   *object,
             GTask        *task,
             GError      **error)
{
  return parse_session_info (self, object, task, TRUE, error);
}

static gboolean
parse_get_session (EkApiClient  *self,
                   JsonObject   *object,
                   GTask        *task,
                   GError      **error)
{
  return parse_session_info (self, object, task, FALSE, error);
}

static gboolean
parse_state (EkApiClient  *self,
             JsonObject   *object,
             GTask        *task,
             GError      **error)
{
  EkSessionState *state = ek_session_state_new_from_json (object, error);

  if (state == NULL)
    return FALSE;

  g_task_return_pointer (task, state, (GDestroyNotify) ek_session_state_free);
  return TRUE;
}

static gboolean
parse_nothing (EkApiClient  *self,
               JsonObject   *object,
               GTask        *task,
               GError      **error)
{
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static gboolean
parse_health (EkApiClient  *self,
              JsonObject   *object,
              GTask        *task,
              GError      **error)
{
  const char *status = NULL;
  const char *version = NULL;
  Outputs *outputs;
  gint64 protocol = 0;
  gint64 server_time_ms = 0;

  if (!ek_json_read_string (object, "status", TRUE, &status, error) ||
      !ek_json_read_int (object, "protocol", TRUE, 1, G_MAXINT32, &protocol, error) ||
      !ek_json_read_string (object, "min_client_version", TRUE, &version, error) ||
      !ek_json_read_int (object, "server_time_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                         &server_time_ms, error))
    return FALSE;

  if (!g_str_equal (status, "ok"))
    {
      g_debug ("Health: server status %s", status);
      g_task_return_error (task, server_error (self, EK_API_ERROR_UNAVAILABLE, 200, 0));
      return TRUE;
    }

  outputs = g_new0 (Outputs, 1);
  outputs->int1 = protocol;
  outputs->int2 = server_time_ms;
  outputs->string = g_strdup (version);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_login_options (EkApiClient  *self,
                     JsonObject   *object,
                     GTask        *task,
                     GError      **error)
{
  const char *help_contact = NULL;
  gboolean face_login = FALSE;
  Outputs *outputs;

  if (!ek_json_read_bool (object, "face_login", TRUE, &face_login, error) ||
      !ek_json_read_string (object, "help_contact", FALSE, &help_contact, error))
    return FALSE;

  outputs = g_new0 (Outputs, 1);
  outputs->flag = face_login;
  outputs->string = g_strdup (help_contact != NULL ? help_contact : "");
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_draw (EkApiClient  *self,
            JsonObject   *object,
            GTask        *task,
            GError      **error)
{
  Outputs *outputs = g_new0 (Outputs, 1);

  if (!ek_json_read_int (object, "sequence_number", TRUE, 0, G_MAXINT32, &outputs->int1, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
validate_options (JsonArray  *options,
                  GError    **error)
{
  guint n = json_array_get_length (options);

  if (n == 0)
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "no options");
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (options, i);
      const char *id = NULL;
      const char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "options[%u] is not an object", i);
          return FALSE;
        }
      if (!ek_json_read_identifier (json_node_get_object (node), "id", TRUE, &id, error) ||
          !ek_json_read_string (json_node_get_object (node), "text", TRUE, &text, error))
        {
          g_prefix_error (error, "options[%u]: ", i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_questions (EkApiClient  *self,
                 JsonObject   *object,
                 GTask        *task,
                 GError      **error)
{
  static const char * const types[] = { "oral", "single", "multiple", "true_false", "text", NULL };
  TypedData *typed = g_task_get_task_data (task);
  const char *phase = NULL;
  JsonArray *questions = NULL;
  guint n;

  if (!ek_json_read_identifier (object, "phase", TRUE, &phase, error) ||
      !ek_json_read_array (object, "questions", TRUE, &questions, error))
    return FALSE;

  if (!g_str_equal (phase, typed->phase_id))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "questions of phase “%s” when “%s” was asked for", phase, typed->phase_id);
      return FALSE;
    }

  n = json_array_get_length (questions);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (questions, i);
      JsonObject *question;
      const char *id = NULL;
      const char *type = NULL;
      const char *text = NULL;
      JsonArray *options = NULL;
      gint64 max_length = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "questions[%u] is not an object", i);
          return FALSE;
        }
      question = json_node_get_object (node);

      if (!ek_json_read_identifier (question, "id", TRUE, &id, error) ||
          !ek_json_read_string (question, "type", TRUE, &type, error) ||
          !ek_json_read_string (question, "text", TRUE, &text, error) ||
          !ek_json_read_int (question, "max_length", FALSE, 1, G_MAXINT32, &max_length, error))
        {
          g_prefix_error (error, "questions[%u]: ", i);
          return FALSE;
        }

      if (!g_strv_contains (types, type))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                       "questions[%u]: unknown type “%s”", i, type);
          return FALSE;
        }

      if (g_str_equal (type, "single") || g_str_equal (type, "multiple"))
        {
          if (!ek_json_read_array (question, "options", TRUE, &options, error) ||
              !validate_options (options, error))
            {
              g_prefix_error (error, "questions[%u]: ", i);
              return FALSE;
            }
        }
    }

  g_task_return_pointer (task, json_array_ref (questions), (GDestroyNotify) json_array_unref);
  return TRUE;
}

static gboolean
parse_answer (EkApiClient  *self,
              JsonObject   *object,
              GTask        *task,
              GError      **error)
{
  Outputs *outputs = g_new0 (Outputs, 1);

  if (!ek_json_read_int (object, "revision", TRUE, 0, G_MAXINT64, &outputs->int1, error) ||
      !ek_json_read_int (object, "stored_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &outputs->int2, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_events (EkApiClient  *self,
              JsonObject   *object,
              GTask        *task,
              GError      **error)
{
  Outputs *outputs = g_new0 (Outputs, 1);

  if (!ek_json_read_int (object, "acked_seq", TRUE, 0, G_MAXINT64, &outputs->int1, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_messages (EkApiClient  *self,
                JsonObject   *object,
                GTask        *task,
                GError      **error)
{
  const char *cursor = NULL;
  JsonArray *messages = NULL;
  Outputs *outputs;
  guint n;

  if (!ek_json_read_string (object, "cursor", TRUE, &cursor, error) ||
      !ek_json_read_array (object, "messages", TRUE, &messages, error))
    return FALSE;

  n = json_array_get_length (messages);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message;
      const char *id = NULL;
      const char *kind = NULL;
      const char *text = NULL;
      const char *ref = NULL;
      gint64 sent_ms = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "messages[%u] is not an object", i);
          return FALSE;
        }
      message = json_node_get_object (node);

      if (!ek_json_read_identifier (message, "id", TRUE, &id, error) ||
          !ek_json_read_string (message, "kind", TRUE, &kind, error) ||
          !ek_json_read_string (message, "text", FALSE, &text, error) ||
          !ek_json_read_string (message, "ref", FALSE, &ref, error) ||
          !ek_json_read_int (message, "sent_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &sent_ms, error))
        {
          g_prefix_error (error, "messages[%u]: ", i);
          return FALSE;
        }
    }

  outputs = g_new0 (Outputs, 1);
  outputs->string = g_strdup (cursor);
  outputs->array = json_array_ref (messages);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_message_sent (EkApiClient  *self,
                    JsonObject   *object,
                    GTask        *task,
                    GError      **error)
{
  const char *id = NULL;
  Outputs *outputs = g_new0 (Outputs, 1);

  if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
      !ek_json_read_int (object, "sent_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &outputs->int1, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  outputs->string = g_strdup (id);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_self_check_sent (EkApiClient  *self,
                       JsonObject   *object,
                       GTask        *task,
                       GError      **error)
{
  const char *id = NULL;
  Outputs *outputs = g_new0 (Outputs, 1);

  if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
      !ek_json_read_int (object, "received_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &outputs->int1, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  outputs->string = g_strdup (id);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_finish (EkApiClient  *self,
              JsonObject   *object,
              GTask        *task,
              GError      **error)
{
  static const char * const statuses[] = { "confirmed", "missing", "mismatch", NULL };
  JsonArray *segments = NULL;
  gboolean complete = FALSE;
  Outputs *outputs;
  guint n;

  if (!ek_json_read_bool (object, "complete", TRUE, &complete, error) ||
      !ek_json_read_array (object, "segments", TRUE, &segments, error))
    return FALSE;

  n = json_array_get_length (segments);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (segments, i);
      JsonObject *segment;
      const char *stream = NULL;
      const char *status = NULL;
      gint64 index = 0;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "segments[%u] is not an object", i);
          return FALSE;
        }
      segment = json_node_get_object (node);

      if (!ek_json_read_string (segment, "stream", TRUE, &stream, error) ||
          !ek_json_read_int (segment, "index", TRUE, 0, G_MAXINT32, &index, error) ||
          !ek_json_read_string (segment, "status", TRUE, &status, error))
        {
          g_prefix_error (error, "segments[%u]: ", i);
          return FALSE;
        }

      if (!g_strv_contains (statuses, status))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                       "segments[%u]: unknown status “%s”", i, status);
          return FALSE;
        }

      /* "complete" is only believed when every listed segment says so. */
      if (complete && !g_str_equal (status, "confirmed"))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                       "complete, but segments[%u] is %s", i, status);
          return FALSE;
        }
    }

  outputs = g_new0 (Outputs, 1);
  outputs->flag = complete;
  outputs->array = json_array_ref (segments);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_face (EkApiClient  *self,
            JsonObject   *object,
            GTask        *task,
            GError      **error)
{
  static const char * const reasons[] = { "no_face", "different_person", "poor_quality",
                                          "no_registered_photo", NULL };
  const char *result = NULL;
  const char *reason = NULL;
  JsonNode *score;
  Outputs *outputs;

  if (!ek_json_read_string (object, "result", TRUE, &result, error))
    return FALSE;
  if (!g_str_equal (result, "match") && !g_str_equal (result, "no_match"))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "unknown result “%s”", result);
      return FALSE;
    }

  outputs = g_new0 (Outputs, 1);
  outputs->flag = g_str_equal (result, "match");
  outputs->int2 = -1;
  if (!ek_json_read_int (object, "attempts_left", FALSE, 0, G_MAXINT32, &outputs->int2, error))
    {
      outputs_free (outputs);
      return FALSE;
    }

  /* The score is a float the deployment may leave out; kept in int1 as 1/10000. */
  score = json_object_get_member (object, "score");
  outputs->int1 = -1;
  if (score != NULL && JSON_NODE_HOLDS_VALUE (score) &&
      (json_node_get_value_type (score) == G_TYPE_DOUBLE || json_node_get_value_type (score) == G_TYPE_INT64))
    outputs->int1 = (gint64) (CLAMP (json_node_get_double (score), 0.0, 1.0) * 10000 + 0.5);

  if (json_object_has_member (object, "reason") && !json_object_get_null_member (object, "reason"))
    {
      if (!ek_json_read_string (object, "reason", FALSE, &reason, error))
        {
          outputs_free (outputs);
          return FALSE;
        }
      /* A newer server's reason is still a refusal; keep it only when known. */
      if (g_strv_contains (reasons, reason))
        outputs->string = g_strdup (reason);
    }

  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static gboolean
parse_snapshot (EkApiClient  *self,
                JsonObject   *object,
                GTask        *task,
                GError      **error)
{
  const char *id = NULL;
  Outputs *outputs;

  if (!ek_json_read_string (object, "id", TRUE, &id, error))
    return FALSE;

  outputs = g_new0 (Outputs, 1);
  outputs->string = g_strdup (id);
  g_task_return_pointer (task, outputs, outputs_free);
  return TRUE;
}

static void
add_photo_members (JsonBuilder *builder,
                   GBytes      *jpeg,
                   gint64       capture_ms)
{
  gsize size = 0;
  const guchar *data = g_bytes_get_data (jpeg, &size);
  g_autofree char *b64 = g_base64_encode (data, size);

  json_builder_set_member_name (builder, "photo_jpeg_b64");
  json_builder_add_string_value (builder, b64);
  json_builder_set_member_name (builder, "capture_ms");
  json_builder_add_int_value (builder, capture_ms);
}

static gpointer
propagate_outputs (EkApiClient   *self,
                   GAsyncResult  *result,
                   gpointer       source_tag,
                   GError       **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clock sync */

static void clock_send_sample (GTask *task);

static void
on_clock_sample_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkApiClient *self = EK_API_CLIENT (source);
  ClockData *clock_data = g_task_get_task_data (task);
  gint64 t4_ms = ek_server_clock_get_local_ms (self->clock);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  gint64 receive_ms = 0;
  gint64 transmit_ms = 0;

  object = ek_api_client_call_finish (self, result, &error);
  if (object != NULL &&
      (!ek_json_read_int (object, "receive_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &receive_ms, &error) ||
       !ek_json_read_int (object, "transmit_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS, &transmit_ms, &error)))
    {
      GError *malformed = malformed_error (self, "/v1/time", 200, error->message);

      g_clear_error (&error);
      error = malformed;
    }

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_clear_error (&clock_data->last_error);
      clock_data->last_error = g_steal_pointer (&error);
    }
  else
    {
      ek_server_clock_add_sample (self->clock, clock_data->t1_ms, receive_ms, transmit_ms, t4_ms);
      clock_data->n_ok++;
    }

  if (clock_data->n_sent < EK_API_CLOCK_SAMPLES)
    {
      clock_send_sample (g_steal_pointer (&task));
      return;
    }

  g_debug ("Clock: %u of %u samples, offset %" G_GINT64_FORMAT " ms, delay %" G_GINT64_FORMAT " ms",
           clock_data->n_ok, clock_data->n_sent,
           ek_server_clock_get_offset_ms (self->clock), ek_server_clock_get_delay_ms (self->clock));

  if (clock_data->n_ok >= EK_API_CLOCK_MIN_SAMPLES)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&clock_data->last_error));
}

static void
clock_send_sample (GTask *task)
{
  EkApiClient *self = g_task_get_source_object (task);
  ClockData *clock_data = g_task_get_task_data (task);

  clock_data->n_sent++;
  clock_data->t1_ms = ek_server_clock_get_local_ms (self->clock);

  /* Idempotent for a kept-alive connection (a new one would add the TCP and TLS
   * handshakes to the way there only), but never retried. */
  ek_api_client_call_async (self, "GET", "/v1/time", NULL,
                            EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT | CALL_NO_RETRY,
                            g_task_get_cancellable (task), on_clock_sample_cb, task);
}

/* vfuncs */

static void
ek_api_client_dispose (GObject *object)
{
  EkApiClient *self = (EkApiClient *)object;

  g_clear_object (&self->exam);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ek_api_client_parent_class)->dispose (object);
}

static void
ek_api_client_finalize (GObject *object)
{
  EkApiClient *self = (EkApiClient *)object;

  wipe_string (&self->session_token);
  g_clear_object (&self->http);
  g_clear_pointer (&self->base_url, g_free);

  G_OBJECT_CLASS (ek_api_client_parent_class)->finalize (object);
}

static void
ek_api_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkApiClient *self = EK_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_PINNED_KEY:
      g_value_set_string (value, ek_api_client_get_pinned_key (self));
      break;

    case PROP_CA_FILE:
      g_value_set_string (value, ek_api_client_get_ca_file (self));
      break;

    case PROP_USER_AGENT:
      g_value_set_string (value, ek_api_client_get_user_agent (self));
      break;

    case PROP_EXAM:
      g_value_set_object (value, self->exam);
      break;

    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->timeout_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_api_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkApiClient *self = EK_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url ? strlen (url) : 0;

        /* paths start with "/v1/" */
        while (len > 0 && url[len - 1] == '/')
          len--;
        g_free (self->base_url);
        self->base_url = g_strndup (url ? url : "", len);
      }
      break;

    case PROP_CLOCK:
      g_set_object (&self->clock, g_value_get_object (value));
      break;

    case PROP_PINNED_KEY:
      ek_api_client_set_pinned_key (self, g_value_get_string (value));
      break;

    case PROP_CA_FILE:
      ek_api_client_set_ca_file (self, g_value_get_string (value));
      break;

    case PROP_EXAM:
      ek_api_client_set_exam (self, g_value_get_object (value));
      break;

    case PROP_TIMEOUT_MS:
      ek_api_client_set_timeout_ms (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_api_client_class_init (EkApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_api_client_dispose;
  object_class->finalize = ek_api_client_finalize;
  object_class->get_property = ek_api_client_get_property;
  object_class->set_property = ek_api_client_set_property;

  /**
   * EkApiClient:base-url:
   *
   * The server's address, e.g. "https://exam.example" (plain http only on loopback).
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkApiClient:clock:
   *
   * The server clock that ek_api_client_sync_clock_async() feeds, and that error
   * messages use to say when something will be possible.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EK_TYPE_SERVER_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_PINNED_KEY] =
    g_param_spec_string ("pinned-key", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkApiClient:exam:
   *
   * The exam of the session, set by a login; error messages quote its times and
   * help contact.
   */
  properties[PROP_EXAM] =
    g_param_spec_object ("exam", NULL, NULL,
                         EK_TYPE_EXAM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL,
                       100, 600000, EK_API_DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkApiClient::retrying:
   * @method: the request's method
   * @path: the request's path
   * @attempt: the number of the attempt about to be made (2 for the first retry)
   * @delay_ms: how long until then
   *
   * An idempotent call failed in a way worth another try; the UI may show that
   * the kiosk is reconnecting.
   */
  signals[RETRYING] =
    g_signal_new ("retrying",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_UINT,
                  G_TYPE_UINT);
}

static void
ek_api_client_init (EkApiClient *self)
{
  self->http = ek_http_client_new ();
  self->timeout_ms = EK_API_DEFAULT_TIMEOUT_MS;
  self->max_attempts = EK_API_DEFAULT_MAX_ATTEMPTS;
  self->backoff_base_ms = EK_API_DEFAULT_BACKOFF_BASE_MS;
  self->backoff_cap_ms = EK_API_DEFAULT_BACKOFF_CAP_MS;
}

/* Public API */

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
  return error_is_transient (error);
}

/**
 * ek_api_client_new:
 * @base_url: the server's address
 * @clock: (nullable): the server clock to keep in sync
 *
 * Returns: (transfer full): a client running on the caller's thread-default context
 */
EkApiClient *
ek_api_client_new (const char    *base_url,
                   EkServerClock *clock)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (clock == NULL || EK_IS_SERVER_CLOCK (clock), NULL);

  return g_object_new (EK_TYPE_API_CLIENT,
                       "base-url", base_url,
                       "clock", clock,
                       NULL);
}

const char *
ek_api_client_get_base_url (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->base_url;
}

const char *
ek_api_client_get_user_agent (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return ek_http_client_get_user_agent (self->http);
}

EkServerClock *
ek_api_client_get_clock (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->clock;
}

/**
 * ek_api_client_get_http_client:
 *
 * Returns: (transfer none): the HTTP client, with this client's trust settings, for
 *   the uploads to share
 */
EkHttpClient *
ek_api_client_get_http_client (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->http;
}

const char *
ek_api_client_get_pinned_key (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return ek_http_client_get_pinned_key (self->http);
}

/**
 * ek_api_client_set_pinned_key:
 * @pinned_key: (nullable): "sha256//BASE64[;sha256//BASE64...]"
 *
 * Pins the server's public key; see ek-http-client.h for what that changes.
 */
void
ek_api_client_set_pinned_key (EkApiClient *self,
                              const char  *pinned_key)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  if (g_strcmp0 (pinned_key, ek_http_client_get_pinned_key (self->http)) == 0)
    return;

  ek_http_client_set_pinned_key (self->http, pinned_key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_KEY]);
}

const char *
ek_api_client_get_ca_file (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return ek_http_client_get_ca_file (self->http);
}

void
ek_api_client_set_ca_file (EkApiClient *self,
                           const char  *ca_file)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  if (g_strcmp0 (ca_file, ek_http_client_get_ca_file (self->http)) == 0)
    return;

  ek_http_client_set_ca_file (self->http, ca_file);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

EkExam *
ek_api_client_get_exam (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->exam;
}

void
ek_api_client_set_exam (EkApiClient *self,
                        EkExam      *exam)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam == NULL || EK_IS_EXAM (exam));

  if (g_set_object (&self->exam, exam))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXAM]);
}

guint
ek_api_client_get_timeout_ms (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), 0);
  return self->timeout_ms;
}

/**
 * ek_api_client_set_timeout_ms:
 *
 * Limits each attempt of a call (connecting, sending and receiving) to @timeout_ms.
 */
void
ek_api_client_set_timeout_ms (EkApiClient *self,
                              guint        timeout_ms)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  if (self->timeout_ms == timeout_ms)
    return;

  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_MS]);
}

/**
 * ek_api_client_set_retry_policy:
 * @max_attempts: attempts of an idempotent call in all, at least 1
 * @base_ms: the backoff before the first retry is up to this long
 * @cap_ms: and never longer than this
 */
void
ek_api_client_set_retry_policy (EkApiClient *self,
                                guint        max_attempts,
                                guint        base_ms,
                                guint        cap_ms)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (max_attempts >= 1);

  self->max_attempts = max_attempts;
  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = MAX (cap_ms, base_ms);
}

/**
 * ek_api_client_set_session_token:
 * @token: (nullable): the bearer token, or %NULL to forget it
 *
 * Sets the token of later calls. It is kept in this object's memory only; the
 * caller keeps it in the secret store.
 */
void
ek_api_client_set_session_token (EkApiClient *self,
                                 const char  *token)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (token == NULL || strpbrk (token, "\r\n") == NULL);

  if (token == self->session_token)
    return;

  wipe_string (&self->session_token);
  self->session_token = g_strdup (token);
}

/**
 * ek_api_client_get_session_token:
 *
 * The session's bearer token, for the tus client only (its uploads carry the
 * same authorization as the API calls). Never log it, never write it anywhere.
 *
 * Returns: (nullable): the token, or %NULL without a session
 */
const char *
ek_api_client_get_session_token (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->session_token;
}

gboolean
ek_api_client_has_session_token (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  return self->session_token != NULL;
}

/**
 * ek_api_client_call_async:
 * @method: the HTTP method
 * @path: the path and query, starting with "/v1/"
 * @body: (nullable): the JSON body
 * @flags: %EK_API_CALL_IDEMPOTENT for a call the protocol allows to retry,
 *   %EK_API_CALL_PUBLIC for one without the session token
 *
 * Calls the server. An idempotent call is retried after transient failures; any
 * other is sent exactly once.
 */
void
ek_api_client_call_async (EkApiClient         *self,
                          const char          *method,
                          const char          *path,
                          JsonNode            *body,
                          EkApiCallFlags       flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CallData *call;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_client_call_async);
  g_task_set_name (task, path);

  call = g_new0 (CallData, 1);
  call->method = g_ascii_strup (method, -1);
  call->path = g_strdup (path);
  call->flags = flags;
  call->attempt = 1;
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);

      call->body = g_bytes_new_take (text, len);
    }
  g_task_set_task_data (task, call, call_data_free);

  if (!(flags & EK_API_CALL_PUBLIC) && self->session_token == NULL)
    {
      g_debug ("%s %s: no session token", call->method, path);
      g_task_return_error (task, server_error (self, EK_API_ERROR_INVALID_SESSION, 0, 0));
      return;
    }

  send_attempt (task);
}

/**
 * ek_api_client_call_finish:
 *
 * Returns: (transfer full): the answer's JSON object (empty for a 204), or %NULL
 *   with an %EK_API_ERROR (or %G_IO_ERROR_CANCELLED)
 */
JsonObject *
ek_api_client_call_finish (EkApiClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_api_client_call_async, NULL);
  g_return_val_if_fail (!(((CallData *) g_task_get_task_data (G_TASK (result)))->flags & EK_API_CALL_BYTES),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_api_client_call_bytes_finish:
 * @out_content_type: (out) (optional): the answer's Content-Type
 *
 * Returns: (transfer full): the body of a call made with %EK_API_CALL_BYTES
 */
GBytes *
ek_api_client_call_bytes_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 char         **out_content_type,
                                 GError       **error)
{
  g_autoptr(EkHttpResponse) response = NULL;
  CallData *call;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_api_client_call_async, NULL);

  call = g_task_get_task_data (G_TASK (result));
  g_return_val_if_fail (call->flags & EK_API_CALL_BYTES, NULL);

  response = g_task_propagate_pointer (G_TASK (result), error);
  if (response == NULL)
    return NULL;

  if (out_content_type != NULL)
    *out_content_type = g_strdup (ek_http_response_get_content_type (response));

  if (ek_http_response_get_body (response) == NULL)
    return g_bytes_new (NULL, 0);

  return g_bytes_ref (ek_http_response_get_body (response));
}

/**
 * ek_api_client_sync_clock_async:
 *
 * Takes %EK_API_CLOCK_SAMPLES samples of GET /v1/time, one after the other, and
 * feeds each to the client's #EkServerClock, which keeps the best.
 */
void
ek_api_client_sync_clock_async (EkApiClient         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (self->clock != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_client_sync_clock_async);
  g_task_set_name (task, "/v1/time");
  g_task_set_task_data (task, g_new0 (ClockData, 1), clock_data_free);

  clock_send_sample (g_steal_pointer (&task));
}

/**
 * ek_api_client_sync_clock_finish:
 *
 * Returns: %TRUE when at least %EK_API_CLOCK_MIN_SAMPLES samples arrived; else the
 *   error of the last failed one
 */
gboolean
ek_api_client_sync_clock_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_api_client_sync_clock_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_api_client_health_async (EkApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  typed_call (self, "GET", "/v1/health", NULL, EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT,
              parse_health, ek_api_client_health_async, "/v1/health",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_health_finish:
 * @out_protocol: (out) (optional): the protocol version the server speaks
 * @out_min_client_version: (out) (optional): the oldest client version it accepts
 * @out_server_time_ms: (out) (optional): its time
 *
 * Returns: %TRUE when the server is up
 */
gboolean
ek_api_client_health_finish (EkApiClient   *self,
                             GAsyncResult  *result,
                             gint64        *out_protocol,
                             char         **out_min_client_version,
                             gint64        *out_server_time_ms,
                             GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_health_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_protocol != NULL)
    *out_protocol = outputs->int1;
  if (out_min_client_version != NULL)
    *out_min_client_version = g_steal_pointer (&outputs->string);
  if (out_server_time_ms != NULL)
    *out_server_time_ms = outputs->int2;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_login_async:
 * @exam_token: the exam token (口令)
 * @id_number: the candidate's ID number
 *
 * Logs in (POST /v1/sessions), sent exactly once. On success the client keeps the
 * new session token and the exam. Neither argument is ever logged.
 */
void
ek_api_client_login_async (EkApiClient         *self,
                           const char          *exam_token,
                           const char          *id_number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_token != NULL);
  g_return_if_fail (id_number != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_token");
  json_builder_add_string_value (builder, exam_token);
  json_builder_set_member_name (builder, "id_number");
  json_builder_add_string_value (builder, id_number);
  json_builder_set_member_name (builder, "client");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "platform");
  json_builder_add_string_value (builder, "linux-x11");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/sessions", body,
              EK_API_CALL_PUBLIC | EK_API_CALL_SENSITIVE,
              parse_login, ek_api_client_login_async, "/v1/sessions",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_login_finish:
 *
 * Returns: (transfer full): the session, with its token
 */
EkSessionInfo *
ek_api_client_login_finish (EkApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return propagate_outputs (self, result, ek_api_client_login_async, error);
}

void
ek_api_client_get_session_async (EkApiClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  typed_call (self, "GET", "/v1/session", NULL, EK_API_CALL_IDEMPOTENT,
              parse_get_session, ek_api_client_get_session_async, "/v1/session",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_get_session_finish:
 *
 * Returns: (transfer full): the session, without a token
 */
EkSessionInfo *
ek_api_client_get_session_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return propagate_outputs (self, result, ek_api_client_get_session_async, error);
}

/**
 * ek_api_client_end_session_async:
 *
 * Ends the session before the exam (DELETE /v1/session, reason
 * ended_by_candidate); the token stops working.
 */
void
ek_api_client_end_session_async (EkApiClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, "ended_by_candidate");
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "DELETE", "/v1/session", body, EK_API_CALL_IDEMPOTENT,
              parse_nothing, ek_api_client_end_session_async, "/v1/session",
              cancellable, callback, user_data);
}

gboolean
ek_api_client_end_session_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_api_client_end_session_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_api_client_pledge_async:
 * @accepted: %FALSE ends the session
 * @pledge_version: the exam's pledge_version the candidate saw
 *
 * Answers the pledge (sent exactly once). Finish with ek_api_client_state_finish().
 */
void
ek_api_client_pledge_async (EkApiClient         *self,
                            gboolean             accepted,
                            const char          *pledge_version,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (pledge_version != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_boolean_value (builder, accepted);
  json_builder_set_member_name (builder, "pledge_version");
  json_builder_add_string_value (builder, pledge_version);
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/pledge", body, EK_API_CALL_NONE,
              parse_state, ek_api_client_state_finish, "/v1/session/pledge",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_complete_step_async:
 * @step: a step completed on the client (room_scan, paper_check, attachments,
 *   device_confirm)
 *
 * Finish with ek_api_client_state_finish().
 */
void
ek_api_client_complete_step_async (EkApiClient         *self,
                                   EkStep               step,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (step < EK_STEP_NONE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "step");
  json_builder_add_string_value (builder, ek_step_to_string (step));
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/steps", body, EK_API_CALL_IDEMPOTENT,
              parse_state, ek_api_client_state_finish, "/v1/session/steps",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_enter_async:
 *
 * Enters the exam from the waiting room. Finish with ek_api_client_state_finish().
 */
void
ek_api_client_enter_async (EkApiClient         *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  typed_call (self, "POST", "/v1/session/enter", body, EK_API_CALL_IDEMPOTENT,
              parse_state, ek_api_client_state_finish, "/v1/session/enter",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_submit_async:
 * @answer_count: how many questions the candidate answered
 * @forced_by: (nullable): "lockdown" when the exam's lockdown policy ends the exam
 *   (its last escalation step), which the server accepts before min_submit_ms
 *
 * Hands in the exam. Finish with ek_api_client_state_finish().
 */
void
ek_api_client_submit_async (EkApiClient         *self,
                            guint                answer_count,
                            const char          *forced_by,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "answer_count");
  json_builder_add_int_value (builder, answer_count);
  if (forced_by != NULL)
    {
      json_builder_set_member_name (builder, "forced_by");
      json_builder_add_string_value (builder, forced_by);
    }
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/submit", body, EK_API_CALL_IDEMPOTENT,
              parse_state, ek_api_client_state_finish, "/v1/session/submit",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_state_finish:
 *
 * Finishes ek_api_client_pledge_async(), ek_api_client_complete_step_async(),
 * ek_api_client_enter_async() and ek_api_client_submit_async().
 *
 * Returns: (transfer full): the session state after the call
 */
EkSessionState *
ek_api_client_state_finish (EkApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return propagate_outputs (self, result, ek_api_client_state_finish, error);
}

void
ek_api_client_draw_async (EkApiClient         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonNode) body = empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  typed_call (self, "POST", "/v1/session/draw", body, EK_API_CALL_IDEMPOTENT,
              parse_draw, ek_api_client_draw_async, "/v1/session/draw",
              cancellable, callback, user_data);
}

gboolean
ek_api_client_draw_finish (EkApiClient   *self,
                           GAsyncResult  *result,
                           gint64        *out_sequence_number,
                           GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_draw_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_sequence_number != NULL)
    *out_sequence_number = outputs->int1;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_get_questions_async:
 * @phase_id: the phase whose questions are wanted
 */
void
ek_api_client_get_questions_async (EkApiClient         *self,
                                   const char          *phase_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  TypedData *typed;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (ek_json_is_identifier (phase_id));

  /* identifiers need no escaping in a query */
  path = g_strconcat ("/v1/session/questions?phase=", phase_id, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_client_get_questions_async);
  g_task_set_name (task, "/v1/session/questions");

  typed = g_new0 (TypedData, 1);
  typed->parse = parse_questions;
  typed->flags = EK_API_CALL_IDEMPOTENT;
  typed->phase_id = g_strdup (phase_id);
  g_task_set_task_data (task, typed, typed_data_free);

  ek_api_client_call_async (self, "GET", path, NULL, EK_API_CALL_IDEMPOTENT, cancellable,
                            on_typed_call_done_cb, g_steal_pointer (&task));
}

/**
 * ek_api_client_get_questions_finish:
 *
 * Returns: (transfer full): the phase's questions, each checked to be an object
 *   with a valid id, a known type, a text, and options where the type has them
 */
JsonArray *
ek_api_client_get_questions_finish (EkApiClient   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return propagate_outputs (self, result, ek_api_client_get_questions_async, error);
}

/**
 * ek_api_client_put_answer_async:
 * @question_id: the question
 * @revision: the answer's revision on this client, higher with every change
 * @value: (nullable): the answer as the protocol gives it per type; %NULL clears it
 * @client_ms: when the candidate gave it, in server time
 */
void
ek_api_client_put_answer_async (EkApiClient         *self,
                                const char          *question_id,
                                gint64               revision,
                                JsonNode            *value,
                                gint64               client_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (ek_json_is_identifier (question_id));
  g_return_if_fail (revision >= 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "value");
  if (value != NULL)
    json_builder_add_value (builder, json_node_copy (value));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "client_ms");
  json_builder_add_int_value (builder, client_ms);
  json_builder_end_object (builder);
  body = build_body (builder);

  path = g_strconcat ("/v1/session/answers/", question_id, NULL);
  typed_call (self, "PUT", path, body, EK_API_CALL_IDEMPOTENT,
              parse_answer, ek_api_client_put_answer_async, "/v1/session/answers",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_put_answer_finish:
 * @out_revision: (out) (optional): the revision the server keeps
 * @out_stored_ms: (out) (optional): when it stored it
 */
gboolean
ek_api_client_put_answer_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 gint64        *out_revision,
                                 gint64        *out_stored_ms,
                                 GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_put_answer_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_revision != NULL)
    *out_revision = outputs->int1;
  if (out_stored_ms != NULL)
    *out_stored_ms = outputs->int2;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_post_events_async:
 * @events: a batch of the event log, in order (section 7)
 */
void
ek_api_client_post_events_async (EkApiClient         *self,
                                 JsonArray           *events,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (events != NULL);

  body = array_member_body ("events", events);

  typed_call (self, "POST", "/v1/session/events", body, EK_API_CALL_IDEMPOTENT,
              parse_events, ek_api_client_post_events_async, "/v1/session/events",
              cancellable, callback, user_data);
}

gboolean
ek_api_client_post_events_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  gint64        *out_acked_seq,
                                  GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_post_events_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_acked_seq != NULL)
    *out_acked_seq = outputs->int1;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_get_messages_async:
 * @cursor: (nullable): the cursor of the previous answer, %NULL at first
 */
void
ek_api_client_get_messages_async (EkApiClient         *self,
                                  const char          *cursor,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  escaped = g_uri_escape_string (cursor ? cursor : "", NULL, FALSE);
  path = g_strconcat ("/v1/session/messages?after=", escaped, NULL);

  typed_call (self, "GET", path, NULL, EK_API_CALL_IDEMPOTENT,
              parse_messages, ek_api_client_get_messages_async, "/v1/session/messages",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_get_messages_finish:
 * @out_cursor: (out) (optional): the cursor for the next poll
 *
 * Returns: (transfer full): the new messages, each with a valid id, a kind and
 *   sent_ms
 */
JsonArray *
ek_api_client_get_messages_finish (EkApiClient   *self,
                                   GAsyncResult  *result,
                                   char         **out_cursor,
                                   GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_get_messages_async, error);
  JsonArray *messages;

  if (outputs == NULL)
    return NULL;

  if (out_cursor != NULL)
    *out_cursor = g_steal_pointer (&outputs->string);
  messages = g_steal_pointer (&outputs->array);
  outputs_free (outputs);

  return messages;
}

/**
 * ek_api_client_post_message_async:
 * @kind: "chat", "hand_raise" or "ack"
 * @text: (nullable): a chat message's text
 * @ref: (nullable): the id of the message an ack is for
 *
 * Sends a message to the proctor, exactly once.
 */
void
ek_api_client_post_message_async (EkApiClient         *self,
                                  const char          *kind,
                                  const char          *text,
                                  const char          *ref,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (kind != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  if (text != NULL)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
    }
  if (ref != NULL)
    {
      json_builder_set_member_name (builder, "ref");
      json_builder_add_string_value (builder, ref);
    }
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/messages", body, EK_API_CALL_NONE,
              parse_message_sent, ek_api_client_post_message_async, "/v1/session/messages",
              cancellable, callback, user_data);
}

gboolean
ek_api_client_post_message_finish (EkApiClient   *self,
                                   GAsyncResult  *result,
                                   char         **out_id,
                                   gint64        *out_sent_ms,
                                   GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_post_message_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&outputs->string);
  if (out_sent_ms != NULL)
    *out_sent_ms = outputs->int1;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_post_self_check_async:
 * @report: the device check report, a JSON object as ek_self_check_to_json() makes it
 *
 * Sends the device check report to the exam server (POST /v1/session/self-check). The
 * server derives the report's id from the body, so a retry cannot store it twice.
 */
void
ek_api_client_post_self_check_async (EkApiClient         *self,
                                     JsonNode            *report,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (report != NULL && JSON_NODE_HOLDS_OBJECT (report));

  typed_call (self, "POST", "/v1/session/self-check", report, EK_API_CALL_IDEMPOTENT,
              parse_self_check_sent, ek_api_client_post_self_check_async, "/v1/session/self-check",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_post_self_check_finish:
 * @out_id: (out) (optional) (transfer full): the server's id of the report
 * @out_received_ms: (out) (optional): when the server first received it, server time
 */
gboolean
ek_api_client_post_self_check_finish (EkApiClient   *self,
                                      GAsyncResult  *result,
                                      char         **out_id,
                                      gint64        *out_received_ms,
                                      GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_post_self_check_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&outputs->string);
  if (out_received_ms != NULL)
    *out_received_ms = outputs->int1;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_finish_async:
 * @segments: every recorded segment, as section 8 lists them
 *
 * Asks the server to confirm the recording (POST /v1/session/finish).
 */
void
ek_api_client_finish_async (EkApiClient         *self,
                            JsonArray           *segments,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (segments != NULL);

  body = array_member_body ("segments", segments);

  typed_call (self, "POST", "/v1/session/finish", body, EK_API_CALL_IDEMPOTENT,
              parse_finish, ek_api_client_finish_async, "/v1/session/finish",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_finish_finish:
 * @out_complete: (out) (optional): whether every segment is confirmed
 * @out_segments: (out) (optional) (transfer full): each segment's status
 */
gboolean
ek_api_client_finish_finish (EkApiClient   *self,
                             GAsyncResult  *result,
                             gboolean      *out_complete,
                             JsonArray    **out_segments,
                             GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_finish_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_complete != NULL)
    *out_complete = outputs->flag;
  if (out_segments != NULL)
    *out_segments = g_steal_pointer (&outputs->array);
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_face_check_async:
 * @jpeg: the chosen frame, JPEG (at most 4 MiB)
 * @capture_ms: when it was taken, server time
 *
 * Sends the identity check photo (POST /v1/session/face), exactly once: each
 * attempt counts on the server.
 */
void
ek_api_client_face_check_async (EkApiClient         *self,
                                GBytes              *jpeg,
                                gint64               capture_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  add_photo_members (builder, jpeg, capture_ms);
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/face", body, EK_API_CALL_SENSITIVE,
              parse_face, ek_api_client_face_check_async, "/v1/session/face",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_face_recheck_async:
 * @jpeg: a live frame with one face, JPEG
 * @capture_ms: when it was taken, server time
 *
 * The live identity re-check during the exam (POST /v1/session/face with
 * `"purpose": "recheck"`): it changes no step and counts no attempt on the
 * server. Finish with ek_api_client_face_check_finish().
 */
void
ek_api_client_face_recheck_async (EkApiClient         *self,
                                  GBytes              *jpeg,
                                  gint64               capture_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  add_photo_members (builder, jpeg, capture_ms);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, "recheck");
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/face", body, EK_API_CALL_SENSITIVE,
              parse_face, ek_api_client_face_check_async, "/v1/session/face",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_face_check_finish:
 * @out_match: (out) (optional): whether the server found the registered person
 * @out_score: (out) (optional): the server's score 0..1, or -1 if it gave none
 * @out_reason: (out) (optional) (transfer full): for no match, the protocol's
 *   reason (no_face, different_person, poor_quality, no_registered_photo) or %NULL
 * @out_attempts_left: (out) (optional): attempts the server still allows, -1 if
 *   it did not say
 *
 * A refusal is not an error: it is @out_match FALSE. After the last attempt the
 * server answers %EK_API_ERROR_RATE_LIMITED.
 */
gboolean
ek_api_client_face_check_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 gboolean      *out_match,
                                 double        *out_score,
                                 char         **out_reason,
                                 gint64        *out_attempts_left,
                                 GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_face_check_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_match != NULL)
    *out_match = outputs->flag;
  if (out_score != NULL)
    *out_score = outputs->int1 >= 0 ? outputs->int1 / 10000.0 : -1.0;
  if (out_reason != NULL)
    *out_reason = g_steal_pointer (&outputs->string);
  if (out_attempts_left != NULL)
    *out_attempts_left = outputs->int2;
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_face_login_async:
 * @exam_id: the exam, which must allow face login
 * @id_number: the candidate's ID number
 * @jpeg: the chosen frame, JPEG
 * @capture_ms: when it was taken, server time
 *
 * Logs in with the face instead of the exam token (POST /v1/sessions/face), sent
 * exactly once. A face that does not match is %EK_API_ERROR_WRONG_CREDENTIALS.
 */
void
ek_api_client_face_login_async (EkApiClient         *self,
                                const char          *exam_id,
                                const char          *id_number,
                                GBytes              *jpeg,
                                gint64               capture_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_id != NULL);
  g_return_if_fail (id_number != NULL);
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_id");
  json_builder_add_string_value (builder, exam_id);
  json_builder_set_member_name (builder, "id_number");
  json_builder_add_string_value (builder, id_number);
  add_photo_members (builder, jpeg, capture_ms);
  json_builder_set_member_name (builder, "client");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "platform");
  json_builder_add_string_value (builder, "linux-x11");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/sessions/face", body,
              EK_API_CALL_PUBLIC | EK_API_CALL_SENSITIVE,
              parse_login, ek_api_client_face_login_async, "/v1/sessions/face",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_get_login_options_async:
 * @exam_id: the exam named in the configuration
 *
 * Asks what the login page may offer for @exam_id before any login
 * (GET /v1/exams/EXAM_ID/login-options, public, idempotent).
 */
void
ek_api_client_get_login_options_async (EkApiClient         *self,
                                       const char          *exam_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_id != NULL);

  escaped = g_uri_escape_string (exam_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/exams/%s/login-options", escaped);
  typed_call (self, "GET", path, NULL, EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT,
              parse_login_options, ek_api_client_get_login_options_async,
              "/v1/exams/ID/login-options", cancellable, callback, user_data);
}

/**
 * ek_api_client_get_login_options_finish:
 * @out_face_login: (out): whether the exam allows face login
 * @out_help_contact: (out) (optional): the exam's help line, "" when it has none
 *
 * Returns: %TRUE when the server answered
 */
gboolean
ek_api_client_get_login_options_finish (EkApiClient   *self,
                                        GAsyncResult  *result,
                                        gboolean      *out_face_login,
                                        char         **out_help_contact,
                                        GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_get_login_options_async, error);

  if (outputs == NULL)
    return FALSE;

  *out_face_login = outputs->flag;
  if (out_help_contact != NULL)
    *out_help_contact = g_steal_pointer (&outputs->string);
  outputs_free (outputs);

  return TRUE;
}

/**
 * ek_api_client_face_login_finish:
 *
 * Returns: (transfer full): the session, with its token
 */
EkSessionInfo *
ek_api_client_face_login_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return propagate_outputs (self, result, ek_api_client_face_login_async, error);
}

/**
 * ek_api_client_post_snapshot_async:
 * @source: "camera" or "screen"
 * @jpeg: the picture, JPEG
 * @capture_ms: when it was taken, server time
 *
 * Uploads a snapshot for the proctor (POST /v1/session/snapshots), exactly once.
 */
void
ek_api_client_post_snapshot_async (EkApiClient         *self,
                                   const char          *source,
                                   GBytes              *jpeg,
                                   gint64               capture_ms,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (g_strcmp0 (source, "camera") == 0 || g_strcmp0 (source, "screen") == 0);
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  add_photo_members (builder, jpeg, capture_ms);
  json_builder_end_object (builder);
  body = build_body (builder);

  typed_call (self, "POST", "/v1/session/snapshots", body, EK_API_CALL_SENSITIVE,
              parse_snapshot, ek_api_client_post_snapshot_async, "/v1/session/snapshots",
              cancellable, callback, user_data);
}

/**
 * ek_api_client_post_snapshot_finish:
 * @out_id: (out) (optional) (transfer full): the server's id of the snapshot
 */
gboolean
ek_api_client_post_snapshot_finish (EkApiClient   *self,
                                    GAsyncResult  *result,
                                    char         **out_id,
                                    GError       **error)
{
  Outputs *outputs = propagate_outputs (self, result, ek_api_client_post_snapshot_async, error);

  if (outputs == NULL)
    return FALSE;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&outputs->string);
  outputs_free (outputs);

  return TRUE;
}
