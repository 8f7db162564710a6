/* ek-http-client.c: HTTP(S) requests on the GLib main context, through libcurl's multi interface
 *
 * The requests and responses are in ek-http-message.c, the errors and URL checks in
 * ek-http-errors.c (see ek-http-client-private.h).
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it
 * (CURLMOPT_TIMERFUNCTION); both become GSources on our main context, and each of them
 * calls curl_multi_socket_action() when it fires. Finished transfers are reaped with
 * curl_multi_info_read() right after, so a GTask completes on the same context.
 *
 * Nothing here may call back into the multi handle from inside a curl callback, which
 * is why cancellation goes through a GSource of its own instead of a signal handler.
 */

#include "config.h"

#include "ek-http-client-private.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>

/* Bodies from this size on (a tus PATCH of a recording) are read and sent in buffers
 * of LARGE_BODY_UPLOAD_BUFFER bytes (curl's most is 2 MiB). */
#define LARGE_BODY_SIZE          (1024 * 1024)
#define LARGE_BODY_UPLOAD_BUFFER (1024 * 1024)

typedef struct
{
  GSource      *source;                    /* owned */
  GIOCondition  condition;
} SocketWatch;

typedef struct
{
  EkHttpClient       *client;              /* borrowed: the task holds a ref */
  GTask              *task;                /* borrowed: owns this struct */
  EkHttpRequest      *request;             /* owned */
  CURL               *easy;
  struct curl_slist  *header_list;
  GByteArray         *body;
  GHashTable         *response_headers;    /* lower-case name -> GString */
  guint64             upload_offset;
  gboolean            too_large;
  gboolean            in_multi;
  GError             *body_error;
  GSource            *cancel_source;       /* owned */
  char                error_buffer[CURL_ERROR_SIZE];
} Transfer;

struct _EkHttpClient
{
  GObject        parent_instance;

  GMainContext  *context;                  /* owned: where every source runs */
  CURLM         *multi;
  GHashTable    *sockets;                  /* fd -> SocketWatch */
  GSource       *timer;                    /* owned, nullable */
  GHashTable    *transfers;                /* Transfer -> GTask (owned ref) */

  char          *user_agent;
  char          *ca_file;
  char          *pinned_key;
  char          *proxy;                    /* nullable: no proxy at all */
};

enum {
  PROP_0,
  PROP_USER_AGENT,
  PROP_CA_FILE,
  PROP_PINNED_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkHttpClient, ek_http_client, G_TYPE_OBJECT)

static void check_multi_info (EkHttpClient *self);

/* Helpers */

/* g_set_str() is GLib 2.76 */
static gboolean
set_string (char       **ptr,
            const char  *value)
{
  if (g_strcmp0 (*ptr, value) == 0)
    return FALSE;

  g_free (*ptr);
  *ptr = g_strdup (value);
  return TRUE;
}

/* Transfers */

static void
transfer_free (gpointer data)
{
  Transfer *t = data;

  g_assert (!t->in_multi);

  if (t->cancel_source != NULL)
    {
      g_source_destroy (t->cancel_source);
      g_clear_pointer (&t->cancel_source, g_source_unref);
    }
  g_clear_pointer (&t->easy, curl_easy_cleanup);
  g_clear_pointer (&t->header_list, curl_slist_free_all);
  g_clear_pointer (&t->body, g_byte_array_unref);
  g_clear_pointer (&t->response_headers, g_hash_table_unref);
  g_clear_error (&t->body_error);
  g_clear_pointer (&t->request, ek_http_request_unref);
  g_free (t);
}

/* Takes the transfer out of the multi handle and completes its task, with @error
 * (taken) or with the response. */
static void
complete_transfer (EkHttpClient *self,
                   Transfer     *t,
                   GError       *error)
{
  g_autoptr(GTask) task = NULL;
  gpointer stolen_task = NULL;

  if (t->in_multi)
    {
      curl_multi_remove_handle (self->multi, t->easy);
      t->in_multi = FALSE;
    }

  if (t->cancel_source != NULL)
    {
      g_source_destroy (t->cancel_source);
      g_clear_pointer (&t->cancel_source, g_source_unref);
    }

  if (!g_hash_table_steal_extended (self->transfers, t, NULL, &stolen_task))
    g_assert_not_reached ();
  task = stolen_task;

  if (error != NULL)
    {
      g_task_return_error (task, error);
    }
  else
    {
      g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&t->body));
      long status = 0;

      curl_easy_getinfo (t->easy, CURLINFO_RESPONSE_CODE, &status);
      g_task_return_pointer (task,
                             _ek_http_response_new_from_headers ((guint) status,
                                                                 t->response_headers, body),
                             (GDestroyNotify) ek_http_response_unref);
    }
}

static void
transfer_done (EkHttpClient *self,
               Transfer     *t,
               CURLcode      code)
{
  GError *error = NULL;

  if (code == CURLE_OK)
    {
      g_debug ("%s %s: done", t->request->method, t->request->url);
      complete_transfer (self, t, NULL);
      return;
    }

  g_debug ("%s %s failed: %s (%s)", t->request->method, t->request->url,
           curl_easy_strerror (code), t->error_buffer);

  if (t->too_large)
    _ek_http_set_error (&error, EK_HTTP_ERROR_RESPONSE_TOO_LARGE);
  else if (t->body_error != NULL)
    {
      g_debug ("Request body: %s", t->body_error->message);
      _ek_http_set_error (&error, EK_HTTP_ERROR_BODY_READ_FAILED);
    }
  else
    _ek_http_set_error (&error, _ek_http_error_from_curl (code));

  complete_transfer (self, t, error);
}

static void
check_multi_info (EkHttpClient *self)
{
  CURLMsg *msg;
  int pending;

  while ((msg = curl_multi_info_read (self->multi, &pending)) != NULL)
    {
      Transfer *t = NULL;
      CURLcode code;

      if (msg->msg != CURLMSG_DONE)
        continue;

      /* msg is invalid once the handle is removed */
      code = msg->data.result;
      curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &t);
      transfer_done (self, t, code);
    }
}

static size_t
header_cb (char   *buffer,
           size_t  size,
           size_t  nitems,
           void   *user_data)
{
  Transfer *t = user_data;
  gsize len = size * nitems;
  const char *name;

  name = _ek_http_headers_add_line (t->response_headers, buffer, len);
  if (name == NULL)
    return len;

  if (g_str_equal (name, "content-length") && !g_str_equal (t->request->method, "HEAD"))
    {
      const GString *joined = g_hash_table_lookup (t->response_headers, name);
      guint64 length;

      if (g_ascii_string_to_unsigned (joined->str, 10, 0, G_MAXUINT64, &length, NULL) &&
          length > t->request->max_response_size)
        {
          t->too_large = TRUE;
          return 0;
        }
    }

  return len;
}

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  nmemb,
          void   *user_data)
{
  Transfer *t = user_data;
  gsize len = size * nmemb;

  if ((guint64) t->body->len + len > t->request->max_response_size)
    {
      t->too_large = TRUE;
      return 0;
    }

  g_byte_array_append (t->body, (const guint8 *) data, len);
  return len;
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  nitems,
         void   *user_data)
{
  Transfer *t = user_data;
  EkHttpRequest *request = t->request;
  gsize want = size * nitems;
  gssize n;

  if (t->upload_offset >= request->body_length)
    return 0;

  want = MIN (want, request->body_length - t->upload_offset);

  if (request->body != NULL)
    {
      const guint8 *data = g_bytes_get_data (request->body, NULL);

      memcpy (buffer, data + t->upload_offset, want);
      n = want;
    }
  else
    {
      g_clear_error (&t->body_error);
      n = request->body_func (request, t->upload_offset, (guint8 *) buffer, want,
                              request->body_data, &t->body_error);
      if (n < 0 || (gsize) n > want)
        {
          if (t->body_error == NULL)
            g_set_error_literal (&t->body_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                                 "the body function returned a wrong size");
          return CURL_READFUNC_ABORT;
        }
      if (n == 0)
        {
          g_set_error_literal (&t->body_error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "the body ended before its announced length");
          return CURL_READFUNC_ABORT;
        }
    }

  t->upload_offset += n;
  return n;
}

/* curl rewinds the body when it has to send the request again. */
static int
seek_cb (void       *user_data,
         curl_off_t  offset,
         int         origin)
{
  Transfer *t = user_data;

  if (origin != SEEK_SET || offset < 0 || (guint64) offset > t->request->body_length)
    return CURL_SEEKFUNC_CANTSEEK;

  t->upload_offset = offset;
  return CURL_SEEKFUNC_OK;
}

static int
xferinfo_cb (void       *user_data,
             curl_off_t  dltotal,
             curl_off_t  dlnow,
             curl_off_t  ultotal,
             curl_off_t  ulnow)
{
  Transfer *t = user_data;
  EkHttpRequest *request = t->request;

  if (request->progress_func != NULL)
    request->progress_func (request, ulnow, ultotal, dlnow, dltotal, request->progress_data);

  return 0;
}

/* Callbacks */

static gboolean
on_socket_ready_cb (int          fd,
                    GIOCondition condition,
                    gpointer     user_data)
{
  g_autoptr(EkHttpClient) self = g_object_ref (EK_HTTP_CLIENT (user_data));
  int action = 0;
  int running = 0;

  if (condition & (G_IO_IN | G_IO_HUP))
    action |= CURL_CSELECT_IN;
  if (condition & G_IO_OUT)
    action |= CURL_CSELECT_OUT;
  if (condition & (G_IO_ERR | G_IO_NVAL))
    action |= CURL_CSELECT_ERR;

  /* This may remove the watch (and this source) for fd; only self is used after. */
  curl_multi_socket_action (self->multi, fd, action, &running);
  check_multi_info (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_timer_cb (gpointer user_data)
{
  g_autoptr(EkHttpClient) self = g_object_ref (EK_HTTP_CLIENT (user_data));
  int running = 0;

  /* Forget this source first: curl may set a new timer from inside the call. */
  g_clear_pointer (&self->timer, g_source_unref);

  curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_multi_info (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled_cb (GCancellable *cancellable,
                 gpointer      user_data)
{
  Transfer *t = user_data;
  g_autoptr(EkHttpClient) self = g_object_ref (t->client);
  GError *error = NULL;

  g_debug ("%s %s: cancelled", t->request->method, t->request->url);

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The request was cancelled."));
  complete_transfer (self, t, error);

  return G_SOURCE_REMOVE;
}

static void
socket_watch_free (gpointer data)
{
  SocketWatch *watch = data;

  g_source_destroy (watch->source);
  g_source_unref (watch->source);
  g_free (watch);
}

static int
socket_cb (CURL          *easy,
           curl_socket_t  fd,
           int            what,
           void          *user_data,
           void          *socket_data)
{
  EkHttpClient *self = user_data;
  SocketWatch *watch;
  GIOCondition condition = 0;

  if (what == CURL_POLL_REMOVE)
    {
      g_hash_table_remove (self->sockets, GINT_TO_POINTER (fd));
      return 0;
    }

  if (what & CURL_POLL_IN)
    condition |= G_IO_IN | G_IO_HUP | G_IO_ERR;
  if (what & CURL_POLL_OUT)
    condition |= G_IO_OUT | G_IO_ERR;

  watch = g_hash_table_lookup (self->sockets, GINT_TO_POINTER (fd));
  if (watch != NULL && watch->condition == condition)
    return 0;

  if (watch != NULL)
    g_hash_table_remove (self->sockets, GINT_TO_POINTER (fd));

  watch = g_new0 (SocketWatch, 1);
  watch->condition = condition;
  watch->source = g_unix_fd_source_new (fd, condition);
  g_source_set_static_name (watch->source, "[ek-http-client socket]");
  g_source_set_callback (watch->source, G_SOURCE_FUNC (on_socket_ready_cb), self, NULL);
  g_source_attach (watch->source, self->context);
  g_hash_table_insert (self->sockets, GINT_TO_POINTER (fd), watch);

  return 0;
}

static int
timer_function_cb (CURLM *multi,
                   long   timeout_ms,
                   void  *user_data)
{
  EkHttpClient *self = user_data;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }

  /* -1 deletes the timer; 0 means "as soon as possible", which must still not be
   * from inside this callback. */
  if (timeout_ms >= 0)
    {
      self->timer = g_timeout_source_new ((guint) MIN (timeout_ms, G_MAXUINT));
      g_source_set_static_name (self->timer, "[ek-http-client timer]");
      g_source_set_callback (self->timer, on_timer_cb, self, NULL);
      g_source_attach (self->timer, self->context);
    }

  return 0;
}

/* vfuncs */

static void
ek_http_client_dispose (GObject *object)
{
  EkHttpClient *self = (EkHttpClient *)object;

  /* Each task holds a ref on us, so this runs with transfers only under
   * g_object_run_dispose(); end them rather than leave curl pointing at us. */
  while (g_hash_table_size (self->transfers) > 0)
    {
      GHashTableIter iter;
      gpointer key;
      GError *error = NULL;

      g_hash_table_iter_init (&iter, self->transfers);
      g_hash_table_iter_next (&iter, &key, NULL);
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The request was cancelled."));
      complete_transfer (self, key, error);
    }

  G_OBJECT_CLASS (ek_http_client_parent_class)->dispose (object);
}

static void
ek_http_client_finalize (GObject *object)
{
  EkHttpClient *self = (EkHttpClient *)object;

  /* curl may still report sockets and timers while it closes its connections. */
  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_hash_table_remove_all (self->sockets);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_clear_pointer (&self->transfers, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->user_agent, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pinned_key, g_free);
  g_clear_pointer (&self->proxy, g_free);

  G_OBJECT_CLASS (ek_http_client_parent_class)->finalize (object);
}

static void
ek_http_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkHttpClient *self = EK_HTTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_USER_AGENT:
      g_value_set_string (value, self->user_agent);
      break;

    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;

    case PROP_PINNED_KEY:
      g_value_set_string (value, self->pinned_key);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_http_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkHttpClient *self = EK_HTTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_USER_AGENT:
      ek_http_client_set_user_agent (self, g_value_get_string (value));
      break;

    case PROP_CA_FILE:
      ek_http_client_set_ca_file (self, g_value_get_string (value));
      break;

    case PROP_PINNED_KEY:
      ek_http_client_set_pinned_key (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_http_client_class_init (EkHttpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_http_client_dispose;
  object_class->finalize = ek_http_client_finalize;
  object_class->get_property = ek_http_client_get_property;
  object_class->set_property = ek_http_client_set_property;

  /**
   * EkHttpClient:user-agent:
   *
   * The User-Agent header of every request.
   */
  properties[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkHttpClient:ca-file:
   *
   * A PEM file of the CAs to trust instead of the system store; %NULL for the system
   * store. Not used while a key is pinned.
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkHttpClient:pinned-key:
   *
   * "sha256//BASE64[;sha256//BASE64...]": the server's public key must be one of
   * these, and then no CA is consulted (see the file's introduction).
   */
  properties[PROP_PINNED_KEY] =
    g_param_spec_string ("pinned-key", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Thread-safe in curl >= 7.84 with OpenSSL; done once before any handle exists. */
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

static void
ek_http_client_init (EkHttpClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->sockets = g_hash_table_new_full (NULL, NULL, NULL, socket_watch_free);
  self->transfers = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->user_agent = g_strdup ("exam-kiosk/" PACKAGE_VERSION);

  self->multi = curl_multi_init ();
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
  curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, timer_function_cb);
  curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
}

/* Public API */

/**
 * ek_http_client_new:
 *
 * Returns: (transfer full): a client whose requests run on the thread-default main
 *   context of the caller; use it only from that context's thread
 */
EkHttpClient *
ek_http_client_new (void)
{
  return g_object_new (EK_TYPE_HTTP_CLIENT, NULL);
}

const char *
ek_http_client_get_user_agent (EkHttpClient *self)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (self), NULL);
  return self->user_agent;
}

void
ek_http_client_set_user_agent (EkHttpClient *self,
                               const char   *user_agent)
{
  g_return_if_fail (EK_IS_HTTP_CLIENT (self));
  g_return_if_fail (user_agent == NULL || _ek_http_header_is_valid (user_agent));

  if (set_string (&self->user_agent, user_agent))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER_AGENT]);
}

const char *
ek_http_client_get_ca_file (EkHttpClient *self)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (self), NULL);
  return self->ca_file;
}

void
ek_http_client_set_ca_file (EkHttpClient *self,
                            const char   *ca_file)
{
  g_return_if_fail (EK_IS_HTTP_CLIENT (self));

  if (ca_file != NULL && *ca_file == '\0')
    ca_file = NULL;

  if (set_string (&self->ca_file, ca_file))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CA_FILE]);
}

const char *
ek_http_client_get_pinned_key (EkHttpClient *self)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (self), NULL);
  return self->pinned_key;
}

void
ek_http_client_set_pinned_key (EkHttpClient *self,
                               const char   *pinned_key)
{
  g_return_if_fail (EK_IS_HTTP_CLIENT (self));

  if (pinned_key != NULL && *pinned_key == '\0')
    pinned_key = NULL;

  if (set_string (&self->pinned_key, pinned_key))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_KEY]);
}

/**
 * ek_http_client_set_proxy:
 * @proxy: (nullable): the proxy the deployment names ("http://host:port",
 *   "socks5h://host:port"), or %NULL for none
 *
 * Sets the proxy of later requests. Proxies from the environment (http_proxy,
 * https_proxy, all_proxy) are never used.
 */
void
ek_http_client_set_proxy (EkHttpClient *self,
                          const char   *proxy)
{
  g_return_if_fail (EK_IS_HTTP_CLIENT (self));

  if (proxy != NULL && *proxy == '\0')
    proxy = NULL;
  set_string (&self->proxy, proxy);
}

const char *
ek_http_client_get_proxy (EkHttpClient *self)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (self), NULL);
  return self->proxy;
}

static void
setup_easy (EkHttpClient  *self,
            Transfer      *t)
{
  EkHttpRequest *request = t->request;
  CURL *easy = t->easy;
  gboolean is_get = g_str_equal (request->method, "GET");
  gboolean is_head = g_str_equal (request->method, "HEAD");
  gboolean is_post = g_str_equal (request->method, "POST");

  curl_easy_setopt (easy, CURLOPT_PRIVATE, t);
  curl_easy_setopt (easy, CURLOPT_URL, request->url);
  curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, t->error_buffer);
  curl_easy_setopt (easy, CURLOPT_TCP_KEEPALIVE, 1L);

  /* Only the proxy the deployment names, never one from the environment: an
   * http_proxy would see the login and the bearer token, in clear on loopback.
   * CURLOPT_PROXY "" turns curl's own look-up off, CURLOPT_NOPROXY overrides
   * no_proxy; loopback never goes through a proxy. */
  curl_easy_setopt (easy, CURLOPT_PROXY, self->proxy != NULL ? self->proxy : "");
  curl_easy_setopt (easy, CURLOPT_NOPROXY, self->proxy != NULL ? "localhost,127.0.0.1,::1" : "*");
  if (self->user_agent != NULL)
    curl_easy_setopt (easy, CURLOPT_USERAGENT, self->user_agent);

  curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) request->connect_timeout_ms);
  curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) request->timeout_ms);
  if (request->stall_seconds > 0)
    {
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_LIMIT, (long) MAX (request->stall_bytes_per_s, 1));
      curl_easy_setopt (easy, CURLOPT_LOW_SPEED_TIME, (long) request->stall_seconds);
    }
  curl_easy_setopt (easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) request->max_response_size);
  if (request->fresh_connection)
    curl_easy_setopt (easy, CURLOPT_FRESH_CONNECT, 1L);

  /* Trust: see the header. The pin replaces CA trust; the host name is always checked. */
  curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (self->pinned_key != NULL)
    {
      curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (easy, CURLOPT_PINNEDPUBLICKEY, self->pinned_key);
    }
  else
    {
      curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 1L);
      if (self->ca_file != NULL)
        curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
    }

  curl_easy_setopt (easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (easy, CURLOPT_HEADERDATA, t);
  curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (easy, CURLOPT_WRITEDATA, t);

  /* A body always goes through the read callback (with POST semantics, the method
   * name replaced where it is not POST), so GBytes and file bodies share one path. */
  if (is_head)
    curl_easy_setopt (easy, CURLOPT_NOBODY, 1L);
  else if (request->has_body || is_post || g_str_equal (request->method, "PUT") ||
           g_str_equal (request->method, "PATCH"))
    {
      curl_easy_setopt (easy, CURLOPT_POST, 1L);
      curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) request->body_length);
      curl_easy_setopt (easy, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (easy, CURLOPT_READDATA, t);
      curl_easy_setopt (easy, CURLOPT_SEEKFUNCTION, seek_cb);
      curl_easy_setopt (easy, CURLOPT_SEEKDATA, t);
      /* curl sends one upload buffer per wakeup of the main loop (64 KiB by default:
       * 2,048 wakeups, read callbacks and progress reports per 128 MiB of recording) */
      if (request->body_length >= LARGE_BODY_SIZE)
        curl_easy_setopt (easy, CURLOPT_UPLOAD_BUFFERSIZE, (long) LARGE_BODY_UPLOAD_BUFFER);
      if (!is_post)
        curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, request->method);
    }
  else if (is_get)
    curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);
  else
    curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, request->method);

  /* No "Expect: 100-continue" round trip: bodies are small or the server is known. */
  t->header_list = curl_slist_append (t->header_list, "Expect:");
  if (request->has_body)
    {
      g_autofree char *content_type = g_strdup_printf ("Content-Type: %s", request->content_type);

      t->header_list = curl_slist_append (t->header_list, content_type);
    }
  else if (is_post || g_str_equal (request->method, "PUT") ||
           g_str_equal (request->method, "PATCH"))
    {
      /* curl would claim a form otherwise */
      t->header_list = curl_slist_append (t->header_list, "Content-Type:");
    }
  for (guint i = 0; i < request->headers->len; i++)
    t->header_list = curl_slist_append (t->header_list, g_ptr_array_index (request->headers, i));
  curl_easy_setopt (easy, CURLOPT_HTTPHEADER, t->header_list);

  if (request->progress_func != NULL)
    {
      curl_easy_setopt (easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
      curl_easy_setopt (easy, CURLOPT_XFERINFODATA, t);
      curl_easy_setopt (easy, CURLOPT_NOPROGRESS, 0L);
    }
}

/**
 * ek_http_client_send_async:
 * @request: the request; it must not be changed until the request completes
 * @cancellable: (nullable): cancelling ends the transfer at once
 *
 * Sends @request. Call from the thread of the context the client was created in.
 */
void
ek_http_client_send_async (EkHttpClient        *self,
                           EkHttpRequest       *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Transfer *t;
  CURLMcode mcode;

  g_return_if_fail (EK_IS_HTTP_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_http_client_send_async);
  g_task_set_name (task, "[ek-http-client] send");

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!ek_http_check_url (request->url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  t = g_new0 (Transfer, 1);
  t->client = self;
  t->task = task;
  t->request = ek_http_request_ref (request);
  t->body = g_byte_array_new ();
  t->response_headers = _ek_http_headers_new ();
  t->easy = curl_easy_init ();
  g_task_set_task_data (task, t, transfer_free);

  if (t->easy == NULL)
    {
      g_task_return_new_error (task, EK_HTTP_ERROR, EK_HTTP_ERROR_FAILED,
                               "%s", _("The kiosk ran out of resources to talk to the exam server. Restart the kiosk."));
      return;
    }

  setup_easy (self, t);

  g_debug ("%s %s", request->method, request->url);

  mcode = curl_multi_add_handle (self->multi, t->easy);
  if (mcode != CURLM_OK)
    {
      g_debug ("curl_multi_add_handle: %s", curl_multi_strerror (mcode));
      _ek_http_set_error (&error, EK_HTTP_ERROR_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  t->in_multi = TRUE;
  g_hash_table_insert (self->transfers, t, g_object_ref (task));

  if (cancellable != NULL)
    {
      t->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (t->cancel_source, "[ek-http-client cancel]");
      g_source_set_callback (t->cancel_source, G_SOURCE_FUNC (on_cancelled_cb), t, NULL);
      g_source_attach (t->cancel_source, self->context);
    }
}

/**
 * ek_http_client_send_finish:
 *
 * Returns: (transfer full): the response, whatever its status, or %NULL with an
 *   %EK_HTTP_ERROR (or %G_IO_ERROR_CANCELLED)
 */
EkHttpResponse *
ek_http_client_send_finish (EkHttpClient  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (EK_IS_HTTP_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_http_client_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
