/* ek-self-check-network.c: EkSelfCheck's exam server checks and bandwidth test
 *
 * Reachability and version (/v1/health), round trip and clock skew (/v1/time, a few
 * samples), then upload and download rates, each probe sized to take about
 * BANDWIDTH_TARGET_S. One request at a time, with short timeouts.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-api-client.h"
#include "ek-api-parsers.h"
#include "ek-integrity.h"
#include "ek-json.h"
#include "ek-self-check-private.h"

#define NETWORK_CONNECT_MS        4000
#define NETWORK_TIMEOUT_MS        8000
#define TIME_SAMPLES              3
#define RTT_WARN_MS               300
#define RTT_FAIL_MS               1000
#define CLOCK_FAIL_MS             (60 * 60 * 1000)
#define UPLOAD_PROBE_BYTES        (256 * 1024)
#define UPLOAD_MAX_BYTES          (16 * 1024 * 1024)
#define DOWNLOAD_PROBE_BYTES      (1024 * 1024)
#define DOWNLOAD_MAX_BYTES        (8 * 1024 * 1024)
#define BANDWIDTH_TARGET_S        2.0

/* Network: health, round trip and clock, upload, download; one request at a time,
 * each with short timeouts, so a server that does not answer costs seconds, not
 * minutes. */

typedef void (*ResponseFunc) (EkSelfCheck    *self,
                              EkHttpResponse *response,
                              const GError   *error,
                              gint64          elapsed_us);

typedef struct
{
  EkSelfCheck  *self;   /* owned */
  ResponseFunc  func;
  gint64        start_us;
} Exchange;

static void
on_response_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Exchange *exchange = user_data;
  g_autoptr(EkSelfCheck) self = exchange->self;
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_us = g_get_monotonic_time () - exchange->start_us;
  ResponseFunc func = exchange->func;

  g_free (exchange);
  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;

  func (self, response, error, elapsed_us);
}

static void
send_request (EkSelfCheck  *self,
              const char   *method,
              const char   *path,
              GBytes       *body,
              guint64       max_response,
              ResponseFunc  func)
{
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new (method, url);
  Exchange *exchange = g_new0 (Exchange, 1);

  ek_http_request_set_timeouts (request, NETWORK_CONNECT_MS, NETWORK_TIMEOUT_MS);
  ek_http_request_set_max_response_size (request, max_response);
  /* The server that checks builds (protocol section 1.2) answers only them. */
  if (ek_integrity_get_self_hash () != NULL)
    {
      g_autofree char *integrity = ek_integrity_header_value (ek_integrity_get_self_hash (),
                                                              NULL, NULL, NULL, method, path);

      ek_http_request_add_header (request, EK_INTEGRITY_HEADER, integrity);
    }
  if (body != NULL)
    ek_http_request_set_body (request, "application/octet-stream", body);

  exchange->self = g_object_ref (self);
  exchange->func = func;
  exchange->start_us = g_get_monotonic_time ();
  ek_http_client_send_async (self->http, request, self->cancellable, on_response_cb, exchange);
}

/* The same checked read as the API client's (an empty body, a NUL in a string or
 * nesting past EK_JSON_MAX_DEPTH refused before json-glib parses): a device check
 * talks to whatever answers at the configured address. */
static JsonObject *
parse_object (EkHttpResponse *response)
{
  GBytes *body = ek_http_response_get_body (response);
  gsize size = 0;
  const char *data;

  if (body == NULL || ek_http_response_get_status (response) / 100 != 2)
    return NULL;

  data = g_bytes_get_data (body, &size);
  return ek_json_parse_object (data, size, NULL);
}

static char *
response_problem (EkHttpResponse *response,
                  const GError   *error)
{
  if (error != NULL)
    return g_strdup (error->message);

  /* Translators: %u is an HTTP status code such as 503 */
  return g_strdup_printf (_("the server answered with status %u"),
                          ek_http_response_get_status (response));
}

/* What depends on the server is not measured without it: skipped, not failed a second
 * time, so the one failure that matters stands out. */
static void
report_not_measured (EkSelfCheck *self,
                     const char  *id,
                     const char  *title)
{
  _ek_self_check_report (self, id, title, EK_CHECK_SKIP,
                         g_strdup (_("not measured: the exam server cannot be reached")), NULL, NULL,
                         NAN, NULL);
}

/* The build's SHA-256, for the technician to compare with the released one; @refusal
 * (nullable): the server's client_refused reason. */
static void
report_build (EkSelfCheck *self,
              gboolean     checked,
              const char  *refusal)
{
  const char *hash = ek_integrity_get_self_hash ();

  _ek_self_check_report (self, "client.build", _("Exam program build"),
                         refusal != NULL ? EK_CHECK_FAIL : checked ? EK_CHECK_PASS : EK_CHECK_SKIP,
                         hash != NULL ? g_strdup_printf ("SHA-256 %s", hash) : g_strdup (_("unknown")),
                         g_strdup (_("a released build the exam server knows")),
                         refusal != NULL
                           ? ek_api_client_refused_message (refusal)
                           : checked ? NULL
                           : g_strdup (_("The exam server could not check this build. Compare the "
                                         "SHA-256 with the one the exam organiser publishes.")),
                         NAN, NULL);
}

/* The refusal reason of a server that does not know this build, or %NULL. */
static char *
refusal_reason (EkHttpResponse *response)
{
  g_autoptr(EkApiErrorBody) body = NULL;
  GBytes *bytes;
  gsize len = 0;
  const char *data;

  if (response == NULL || ek_http_response_get_status (response) != 403 ||
      (bytes = ek_http_response_get_body (response)) == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  body = ek_api_parse_error_body (data, len, NULL);
  if (body == NULL || g_strcmp0 (body->code, "client_refused") != 0)
    return NULL;

  return g_strdup (body->reason != NULL ? body->reason : "unknown_build");
}

static void
network_unreachable (EkSelfCheck *self,
                     char        *problem,
                     char        *remedy)
{
  report_build (self, FALSE, NULL);
  _ek_self_check_report (self, "network.reachable", _("Exam server"), EK_CHECK_FAIL, problem,
                         g_strdup (_("reachable over HTTPS")), remedy, NAN, NULL);
  report_not_measured (self, "network.rtt", _("Round-trip time"));
  report_not_measured (self, "network.clock", _("Clock"));
  report_not_measured (self, "network.upload", _("Upload speed"));
  report_not_measured (self, "network.download", _("Download speed"));
  report_not_measured (self, "client.version", _("Exam program version"));
  _ek_self_check_leaf_done (self);
}

static gboolean
parse_version (const char *text,
               guint64     parts[3])
{
  g_auto(GStrv) split = NULL;

  if (text == NULL)
    return FALSE;

  memset (parts, 0, 3 * sizeof (guint64));
  split = g_strsplit (text, ".", 4);
  for (guint i = 0; split[i] != NULL && i < 3; i++)
    {
      if (!g_ascii_string_to_unsigned (split[i], 10, 0, G_MAXUINT32, &parts[i], NULL))
        return FALSE;
    }

  return TRUE;
}

static int
compare_versions (const char *a,
                  const char *b)
{
  guint64 va[3], vb[3];

  if (!parse_version (a, va) || !parse_version (b, vb))
    return 0;

  for (guint i = 0; i < 3; i++)
    {
      if (va[i] != vb[i])
        return va[i] < vb[i] ? -1 : 1;
    }

  return 0;
}

static void request_download (EkSelfCheck *self, guint bytes);
static void request_upload (EkSelfCheck *self, guint bytes);

static void
on_download_cb (EkSelfCheck    *self,
                EkHttpResponse *response,
                const GError   *error,
                gint64          elapsed_us)
{
  GBytes *body = response != NULL ? ek_http_response_get_body (response) : NULL;
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;
  gint64 transfer_us = MAX (1000, elapsed_us - self->best_rtt_ms * 1000);
  g_autofree char *rate_text = NULL;
  double rate;

  if (error != NULL || ek_http_response_get_status (response) != 200 || size == 0)
    {
      _ek_self_check_report (self, "network.download", _("Download speed"), EK_CHECK_FAIL,
                             g_strdup_printf (_("not measured: %s"), response_problem (response, error)), NULL,
                             g_strdup (_("The connection broke off during the speed test. Check the "
                                         "network and check again.")),
                             NAN, "bytes/s");
      _ek_self_check_leaf_done (self);
      return;
    }

  rate = size * (double) G_USEC_PER_SEC / transfer_us;

  /* A quick first round is too short to measure a fast line: a bigger second one. */
  if (size < DOWNLOAD_MAX_BYTES && rate * 0.25 > size && self->best_rtt_ms < RTT_FAIL_MS &&
      self->download_rate == 0)
    {
      self->download_rate = rate;
      request_download (self, DOWNLOAD_MAX_BYTES);
      return;
    }

  rate_text = _ek_self_check_format_rate (rate);
  _ek_self_check_report (self, "network.download", _("Download speed"),
                         rate >= self->policy.min_upload_bytes_per_s ? EK_CHECK_PASS : EK_CHECK_WARN,
                         g_strdup (rate_text), NULL,
                         g_strdup (_("Downloads from the exam server are slow. Use a faster connection, "
                                     "move closer to the Wi-Fi router or use a cable.")),
                         rate, "bytes/s");
  _ek_self_check_leaf_done (self);
}

static void
request_download (EkSelfCheck *self,
                  guint        bytes)
{
  g_autofree char *path = g_strdup_printf ("/v1/bandwidth?bytes=%u", bytes);

  _ek_self_check_set_current_step (self, _("Measuring the download speed…"));
  send_request (self, "GET", path, NULL, bytes + 1024, on_download_cb);
}

static void
on_upload_cb (EkSelfCheck    *self,
              EkHttpResponse *response,
              const GError   *error,
              gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  gint64 bytes = 0, elapsed_ms = 0;
  double rate;
  double need = self->policy.min_upload_bytes_per_s;
  g_autofree char *rate_text = NULL;
  g_autofree char *need_text = NULL;

  if (answer == NULL ||
      !ek_json_read_int (answer, "bytes", TRUE, 0, G_MAXINT64, &bytes, NULL) ||
      !ek_json_read_int (answer, "elapsed_ms", TRUE, 0, G_MAXINT64, &elapsed_ms, NULL))
    {
      g_autofree char *problem = response_problem (response, error);

      _ek_self_check_report (self, "network.upload", _("Upload speed"), EK_CHECK_FAIL,
                             g_strdup_printf (_("not measured: %s"), problem), NULL,
                             g_strdup (_("The upload test did not finish. The recording may not reach the "
                                         "server: use a faster or steadier connection.")),
                             NAN, "bytes/s");
      request_download (self, DOWNLOAD_PROBE_BYTES);
      return;
    }

  /* The server's own clock from the first to the last byte, without the round trip;
   * too short to tell is measured from here instead. */
  if (elapsed_ms >= 20)
    rate = bytes * 1000.0 / elapsed_ms;
  else
    rate = bytes * (double) G_USEC_PER_SEC / MAX (1000, elapsed_us - self->best_rtt_ms * 1000);

  if (self->upload_rate == 0 && rate >= need / 2 && self->best_rtt_ms < RTT_FAIL_MS)
    {
      self->upload_rate = rate;
      request_upload (self, (guint) CLAMP (rate * BANDWIDTH_TARGET_S, UPLOAD_PROBE_BYTES * 2.0,
                                           (double) UPLOAD_MAX_BYTES));
      return;
    }

  rate_text = _ek_self_check_format_rate (rate);
  need_text = _ek_self_check_format_rate (need);
  _ek_self_check_report (self, "network.upload", _("Upload speed"),
                         rate >= need ? EK_CHECK_PASS : EK_CHECK_FAIL, g_strdup (rate_text),
                         g_strdup_printf (_("at least %s"), need_text),
                         g_strdup (_("The upload is too slow for the exam's recording. Use a faster "
                                     "connection, stop other uploads and downloads, or use a cable "
                                     "instead of Wi-Fi.")),
                         rate, "bytes/s");
  request_download (self, DOWNLOAD_PROBE_BYTES);
}

static void
request_upload (EkSelfCheck *self,
                guint        bytes)
{
  g_autofree guint8 *data = g_malloc (bytes);
  g_autoptr(GBytes) body = NULL;
  guint32 seed = 0x9e3779b9;

  /* Bytes that no proxy or link layer can compress away. */
  for (guint i = 0; i < bytes; i++)
    {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      data[i] = (guint8) seed;
    }
  body = g_bytes_new_take (g_steal_pointer (&data), bytes);

  _ek_self_check_set_current_step (self, _("Measuring the upload speed…"));
  send_request (self, "POST", "/v1/bandwidth", body, 64 * 1024, on_upload_cb);
}

static void request_time (EkSelfCheck *self);

static void
on_time_cb (EkSelfCheck    *self,
            EkHttpResponse *response,
            const GError   *error,
            gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  gint64 receive_ms = 0, transmit_ms = 0;
  gint64 t4 = ek_server_clock_get_local_ms (self->clock);
  gint64 t1 = t4 - elapsed_us / 1000;

  if (answer != NULL &&
      ek_json_read_int (answer, "receive_ms", TRUE, 0, G_MAXINT64, &receive_ms, NULL) &&
      ek_json_read_int (answer, "transmit_ms", TRUE, 0, G_MAXINT64, &transmit_ms, NULL))
    {
      /* What the person waits for: the whole exchange, a slow server included
       * (the clock's own delay leaves the server's time out). */
      gint64 rtt = elapsed_us / 1000;

      ek_server_clock_add_sample (self->clock, t1, receive_ms, transmit_ms, t4);
      self->best_rtt_ms = self->best_rtt_ms < 0 ? rtt : MIN (self->best_rtt_ms, rtt);
    }

  /* A slow server gets fewer samples: each costs a round trip. */
  if (++self->time_samples < TIME_SAMPLES && (self->best_rtt_ms < 0 ||
                                              self->best_rtt_ms < RTT_FAIL_MS))
    {
      request_time (self);
      return;
    }

  if (self->best_rtt_ms < 0)
    {
      g_autofree char *problem = response_problem (response, error);

      _ek_self_check_report (self, "network.rtt", _("Round-trip time"), EK_CHECK_FAIL,
                             g_strdup_printf (_("not measured: %s"), problem), NULL,
                             g_strdup (_("The server's clock could not be read. Check the network and "
                                         "check again.")),
                             NAN, "ms");
      _ek_self_check_report (self, "network.clock", _("Clock"), EK_CHECK_FAIL, g_strdup (_("not measured")),
                             NULL, g_strdup (_("The server's clock could not be read. Check the network "
                                               "and check again.")),
                             NAN, "ms");
    }
  else
    {
      gint64 skew = ek_server_clock_get_skew_ms (self->clock);
      gint64 max_skew = self->policy.max_clock_skew_ms;
      EkCheckStatus status = ABS (skew) <= max_skew ? EK_CHECK_PASS
                             : ABS (skew) < CLOCK_FAIL_MS ? EK_CHECK_WARN : EK_CHECK_FAIL;

      _ek_self_check_report (self, "network.rtt", _("Round-trip time"),
                             self->best_rtt_ms <= RTT_WARN_MS ? EK_CHECK_PASS
                             : self->best_rtt_ms <= RTT_FAIL_MS ? EK_CHECK_WARN : EK_CHECK_FAIL,
                             g_strdup_printf (_("%d ms"), (int) MIN (self->best_rtt_ms, G_MAXINT)),
                             g_strdup_printf (_("at most %d ms"), RTT_WARN_MS),
                             g_strdup (_("The connection to the exam server is slow. Use a cable or move "
                                         "closer to the Wi-Fi router, and stop other downloads.")),
                             self->best_rtt_ms, "ms");
      _ek_self_check_report (self, "network.clock", _("Clock"), status,
                             skew >= 0
                               /* Translators: the computer's clock compared with the server's */
                               ? g_strdup_printf (_("%.1f s behind the server"), skew / 1000.0)
                               : g_strdup_printf (_("%.1f s ahead of the server"), -skew / 1000.0),
                             g_strdup_printf (_("within %.1f s"), max_skew / 1000.0),
                             g_strdup (_("The computer's clock is wrong. Switch on “Automatic date and "
                                         "time” in the settings, or set the clock and time zone by hand.")),
                             skew, "ms");
    }

  request_upload (self, UPLOAD_PROBE_BYTES);
}

static void
request_time (EkSelfCheck *self)
{
  send_request (self, "GET", "/v1/time", NULL, 64 * 1024, on_time_cb);
}

/* The server answered. Over https that is what is needed; plain http is accepted only
 * on this computer's loopback (a test server, the practice), and said so: never "over
 * HTTPS" for a connection that is not. */
static void
report_reachable (EkSelfCheck *self,
                  gint64       elapsed_us)
{
  g_autoptr(GUri) uri = g_uri_parse (self->server_url, G_URI_FLAGS_NONE, NULL);

  if (uri != NULL && g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0)
    _ek_self_check_report (self, "network.reachable", _("Exam server"), EK_CHECK_PASS,
                           /* Translators: %s is the exam server's address */
                           g_strdup_printf (_("%s, reachable over HTTPS"), self->server_url),
                           g_strdup (_("reachable over HTTPS")), NULL, elapsed_us / 1000.0, "ms");
  else
    _ek_self_check_report (self, "network.reachable", _("Exam server"), EK_CHECK_WARN,
                           /* Translators: %s is the exam server's address */
                           g_strdup_printf (_("%s, reachable over plain HTTP on this computer "
                                              "(for tests only)"), self->server_url),
                           g_strdup (_("reachable over HTTPS")),
                           g_strdup (_("Plain HTTP is accepted only for a test server on this computer. "
                                       "For an exam, set the exam server's https:// address as "
                                       "[server] url in the configuration.")),
                           elapsed_us / 1000.0, "ms");
}

static void
on_health_cb (EkSelfCheck    *self,
              EkHttpResponse *response,
              const GError   *error,
              gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  g_autofree char *refusal = refusal_reason (response);
  const char *min_version = NULL;
  gint64 protocol = 0;

  if (refusal != NULL)
    {
      /* Reachable, but every further request would be refused as well. */
      _ek_self_check_report (self, "network.reachable", _("Exam server"), EK_CHECK_PASS,
                             g_strdup (self->server_url), g_strdup (_("reachable over HTTPS")), NULL,
                             elapsed_us / 1000.0, "ms");
      report_build (self, TRUE, refusal);
      report_not_measured (self, "network.rtt", _("Round-trip time"));
      report_not_measured (self, "network.clock", _("Clock"));
      report_not_measured (self, "network.upload", _("Upload speed"));
      report_not_measured (self, "network.download", _("Download speed"));
      report_not_measured (self, "client.version", _("Exam program version"));
      _ek_self_check_leaf_done (self);
      return;
    }

  if (answer == NULL)
    {
      network_unreachable (self, response_problem (response, error),
                           g_strdup (_("The exam server cannot be reached. Check the network "
                                       "connection (cable or Wi-Fi), then check again; if it "
                                       "still fails, tell the exam organiser.")));
      return;
    }

  ek_json_read_int (answer, "protocol", FALSE, 0, G_MAXINT32, &protocol, NULL);
  ek_json_read_string (answer, "min_client_version", FALSE, &min_version, NULL);

  report_reachable (self, elapsed_us);
  report_build (self, TRUE, NULL);

  if (protocol != 1)
    _ek_self_check_report (self, "client.version", _("Exam program version"), EK_CHECK_FAIL,
                           g_strdup_printf (_("%s (the server speaks protocol %d)"),
                                            PACKAGE_VERSION, (int) protocol),
                           g_strdup (_("protocol 1")),
                           g_strdup (_("This exam program does not match the exam server. Install the "
                                       "version the exam organiser names.")),
                           NAN, NULL);
  else if (min_version != NULL && compare_versions (PACKAGE_VERSION, min_version) < 0)
    _ek_self_check_report (self, "client.version", _("Exam program version"), EK_CHECK_FAIL,
                           g_strdup (PACKAGE_VERSION), g_strdup_printf (_("at least %s"), min_version),
                           g_strdup (_("This exam program is too old for the exam server. Install the "
                                       "current version before the exam.")),
                           NAN, NULL);
  else
    _ek_self_check_report (self, "client.version", _("Exam program version"), EK_CHECK_PASS,
                           g_strdup (PACKAGE_VERSION),
                           min_version != NULL ? g_strdup_printf (_("at least %s"), min_version) : NULL,
                           NULL, NAN, NULL);

  _ek_self_check_set_current_step (self, _("Measuring the connection…"));
  request_time (self);
}

static void
on_self_hash_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ek_integrity_self_hash_finish (result, &error) == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
        return;
      g_warning ("The exam program could not read its own file: %s", error->message);
    }
  if (self->task == NULL)
    return;

  send_request (self, "GET", "/v1/health", NULL, 64 * 1024, on_health_cb);
}

void
_ek_self_check_run_network (EkSelfCheck *self)
{
  g_autoptr(GError) error = NULL;
  const char *ca_file = ek_config_get_ca_file (self->config);
  const char *pinned_key = ek_config_get_pinned_key (self->config);
  g_autofree char *user_agent = g_strdup_printf ("exam-kiosk/%s (self-check)", PACKAGE_VERSION);

  self->pending++;
  self->leaves_started++;
  self->time_samples = 0;
  self->best_rtt_ms = -1;
  self->upload_rate = 0;
  self->download_rate = 0;

  if (self->server_url == NULL || *self->server_url == '\0')
    {
      network_unreachable (self, g_strdup (_("no exam server configured")),
                           g_strdup (_("A technician needs to set the exam server ([server] "
                                       "url in the configuration, or --server).")));
      return;
    }

  if (!ek_server_url_is_acceptable (self->server_url, &error))
    {
      network_unreachable (self, g_strdup (error->message),
                           g_strdup (_("A technician needs to set a correct exam server "
                                       "address (https://…).")));
      return;
    }

  g_clear_object (&self->http);
  g_clear_object (&self->clock);
  self->http = ek_http_client_new ();
  self->clock = ek_server_clock_new ();
  ek_http_client_set_user_agent (self->http, user_agent);
  if (ca_file != NULL && *ca_file != '\0')
    ek_http_client_set_ca_file (self->http, ca_file);
  if (pinned_key != NULL && *pinned_key != '\0')
    ek_http_client_set_pinned_key (self->http, pinned_key);
  /* The exam's own way out: the deployment's proxy, never the environment's. */
  ek_http_client_set_proxy (self->http, ek_config_get_proxy (self->config));

  _ek_self_check_set_current_step (self, _("Contacting the exam server…"));
  ek_integrity_self_hash_async (self->cancellable, on_self_hash_cb, g_object_ref (self));
}
