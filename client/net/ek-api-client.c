/* ek-api-client.c: the exam server's JSON API (docs/protocol.md)
 *
 * The life cycle, the generic call with its retries, and the clock sync. The typed
 * calls are in ek-api-client-calls.c, the errors in ek-api-client-errors.c (see
 * ek-api-client-private.h).
 */

#include "config.h"

#include "ek-api-client-private.h"
#include "ek-backoff.h"
#include "ek-integrity.h"
#include "ek-json.h"

/* A server asking to wait longer than this is not worth waiting for inside one
 * call: the error goes to the caller, which can tell the candidate. */
#define MAX_RETRY_AFTER_MS 30000

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

typedef struct
{
  guint   n_sent;
  guint   n_ok;
  gint64  t1_ms;
  GError *last_error;
} ClockData;

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
clock_data_free (gpointer data)
{
  ClockData *clock_data = data;

  g_clear_error (&clock_data->last_error);
  g_free (clock_data);
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
  const char *data = NULL;
  gsize len = 0;

  if (status < 200 || status > 299)
    {
      g_propagate_error (error, _ek_api_error_from_response (self, call->method, call->path,
                                                             call->flags, response));
      return NULL;
    }

  if (status == 204)
    return json_object_new ();

  if (!ek_http_response_has_media_type (response, "application/json"))
    {
      g_propagate_error (error, _ek_api_malformed_error (self, call->path, status, "answer is not JSON"));
      return NULL;
    }

  /* An empty body has no data at all (NULL): ek_json_parse_object() says so. */
  if (body != NULL)
    data = g_bytes_get_data (body, &len);
  object = ek_json_parse_object (data, len, &local_error);
  if (object == NULL)
    {
      g_propagate_error (error, _ek_api_malformed_error (self, call->path, status, local_error->message));
      return NULL;
    }

  return object;
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

  if (!(call->flags & EK_API_CALL_IDEMPOTENT) || (call->flags & EK_API_CALL_NO_RETRY))
    return FALSE;
  if (call->attempt >= self->max_attempts)
    return FALSE;
  if (!ek_api_error_is_transient (error))
    return FALSE;
  if (retry_after_ms > MAX_RETRY_AFTER_MS)
    return FALSE;

  /* Full jitter spreads the retries of many kiosks after a server hiccup instead
   * of having them return in step. */
  delay_ms = retry_after_ms > 0
             ? (guint) retry_after_ms
             : ek_backoff_delay_ms (self->backoff_base_ms, self->backoff_cap_ms, call->attempt);
  call->attempt++;

  g_debug ("%s %s: %s, attempt %u in %u ms", call->method, call->path,
           ek_api_error_code_to_string (error->code), call->attempt, delay_ms);
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
      error = _ek_api_error_from_http (http_error);
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
  if (ek_integrity_get_self_hash () != NULL)
    {
      g_autofree char *integrity = _ek_api_integrity_header (self, call->method, call->path,
                                                            !(call->flags & EK_API_CALL_PUBLIC));

      ek_http_request_add_header (request, EK_INTEGRITY_HEADER, integrity);
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

static void
on_self_hash_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Without it the server decides: one that checks builds refuses the call. */
  if (ek_integrity_self_hash_finish (result, &error) == NULL)
    g_warning ("The exam program could not read its own file: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  send_attempt (task);
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
  EkApiTimeSample sample = { 0, 0 };

  object = ek_api_client_call_finish (self, result, &error);
  if (object != NULL && !ek_api_parse_time_sample (object, &sample, &error))
    {
      GError *malformed = _ek_api_malformed_error (self, "/v1/time", 200, error->message);

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
      ek_server_clock_add_sample (self->clock, clock_data->t1_ms, sample.receive_ms,
                                  sample.transmit_ms, t4_ms);
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
                            EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT | EK_API_CALL_NO_RETRY,
                            g_task_get_cancellable (task), on_clock_sample_cb, task);
}

/* What a call without a result hands to its _finish: any non-NULL pointer. */
const char _ek_api_nothing[] = "";

/* Typed calls: the shape every call of ek-api-client-calls.c and
 * ek-api-client-exam-calls.c shares */

static void
typed_data_free (gpointer data)
{
  EkApiTypedData *typed = data;

  g_free (typed->phase_id);
  g_free (typed);
}

void
_ek_api_typed_call_done_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkApiClient *self = EK_API_CLIENT (source);
  EkApiTypedData *typed = g_task_get_task_data (task);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  gpointer parsed;

  object = ek_api_client_call_finish (self, result, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  parsed = typed->parse (self, object, typed, &error);
  if (parsed == NULL && error->domain == EK_API_ERROR)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (parsed == NULL)
    g_task_return_error (task, _ek_api_malformed_error (self, g_task_get_name (task), 200, error->message));
  else
    g_task_return_pointer (task, parsed, typed->free_result);
}

GTask *
_ek_api_typed_task_new (EkApiClient         *self,
                        EkApiCallFlags       flags,
                        EkApiParseFunc            parse,
                        GDestroyNotify       free_result,
                        gpointer             source_tag,
                        const char          *name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  EkApiTypedData *typed;

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);

  typed = g_new0 (EkApiTypedData, 1);
  typed->parse = parse;
  typed->free_result = free_result;
  typed->flags = flags;
  g_task_set_task_data (task, typed, typed_data_free);

  return task;
}

void
_ek_api_typed_call (EkApiClient         *self,
                    const char          *method,
                    const char          *path,
                    JsonNode            *body,
                    EkApiCallFlags       flags,
                    EkApiParseFunc            parse,
                    GDestroyNotify       free_result,
                    gpointer             source_tag,
                    const char          *name,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = _ek_api_typed_task_new (self, flags, parse, free_result, source_tag, name,
                                cancellable, callback, user_data);

  ek_api_client_call_async (self, method, path, body, flags, cancellable,
                            _ek_api_typed_call_done_cb, task);
}

gpointer
_ek_api_propagate_result (EkApiClient   *self,
                          GAsyncResult  *result,
                          gpointer       source_tag,
                          GError       **error)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
_ek_api_build_body (JsonBuilder *builder)
{
  return json_builder_get_root (builder);
}

/* { "MEMBER": ARRAY }: the body of the calls that send a list (events, segments) */
JsonNode *
_ek_api_array_member_body (const char *member,
                           JsonArray  *array)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_array_member (object, member, json_array_ref (array));
  json_node_take_object (node, object);
  return node;
}

JsonNode *
_ek_api_empty_object_node (void)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  return node;
}

void
_ek_api_add_photo_members (JsonBuilder *builder,
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
  _ek_api_integrity_clear (self);
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

  /* The build's hash is read once per process, from the first client on, in a
   * thread: by the first request it is usually known. */
  if (ek_integrity_get_self_hash () == NULL)
    ek_integrity_self_hash_async (NULL, NULL, NULL);
}

/* Public API */

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
ek_api_client_get_proxy (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return ek_http_client_get_proxy (self->http);
}

/**
 * ek_api_client_set_proxy:
 * @proxy: (nullable): the proxy of the deployment's configuration
 *   (ek_config_get_proxy()), or %NULL for none
 *
 * The only proxy the calls (and the uploads sharing the HTTP client) use: never
 * one from the environment.
 */
void
ek_api_client_set_proxy (EkApiClient *self,
                         const char  *proxy)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  ek_http_client_set_proxy (self->http, proxy);
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
      g_task_return_error (task, _ek_api_server_error (self, EK_API_ERROR_INVALID_SESSION, 0, 0));
      return;
    }

  /* The first calls of a process wait for the executable's hash (a few ms). */
  if (ek_integrity_get_self_hash () == NULL)
    {
      ek_integrity_self_hash_async (NULL, on_self_hash_cb, g_steal_pointer (&task));
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
