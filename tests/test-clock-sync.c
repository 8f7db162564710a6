/* test-clock-sync.c: the server clock learns a skewed server's time through the API
 *
 * The reference server runs clock_skew_ms ahead (or behind) of this machine's clock
 * and delays every answer by a random 0..40 ms, split at random around the moment it
 * reads its clock. After a sync the client's idea of server time must be within
 * 10 ms of the truth, which is the local wall clock plus the skew.
 */

#include "config.h"

#include <locale.h>

#include "ek-api-client.h"
#include "ek-test-server.h"

#define TOLERANCE_MS 10

static void
check_sync (gint64 skew_ms)
{
  g_autofree char *skew_arg = g_strdup_printf ("clock_skew_ms=%" G_GINT64_FORMAT, skew_ms);
  const char *faults[] = { skew_arg, "jitter_ms=40", NULL };
  EkTestServerOptions options = { .faults = faults };
  EkTestServer *server = ek_test_server_start (&options);
  EkServerClock *clock = ek_server_clock_new ();
  EkApiClient *api = ek_api_client_new (ek_test_server_get_base_url (server), clock);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 error_ms;

  g_assert_false (ek_server_clock_is_synced (clock));

  ek_api_client_sync_clock_async (api, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_sync_clock_finish (api, ek_test_wait (&result), &error));
  g_assert_no_error (error);

  g_assert_true (ek_server_clock_is_synced (clock));
  g_assert_cmpuint (ek_server_clock_get_n_samples (clock), ==, EK_API_CLOCK_SAMPLES);

  error_ms = ek_server_clock_now_ms (clock) - (g_get_real_time () / 1000 + skew_ms);
  g_test_message ("skew %" G_GINT64_FORMAT " ms: error %" G_GINT64_FORMAT " ms, best delay %"
                  G_GINT64_FORMAT " ms", skew_ms, error_ms, ek_server_clock_get_delay_ms (clock));
  g_assert_cmpint (ABS (error_ms), <, TOLERANCE_MS);
  /* what the device check reports as skew */
  g_assert_cmpint (ABS (ek_server_clock_get_skew_ms (clock) - skew_ms), <, TOLERANCE_MS);

  /* the result holds the client */
  g_clear_object (&result);
  g_assert_finalize_object (api);
  g_assert_finalize_object (clock);
  ek_test_server_stop (server);
}

static void
test_server_ahead (void)
{
  check_sync (3600000);
}

static void
test_server_behind (void)
{
  check_sync (-90000);
}

static void
test_server_down (void)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkApiClient) api = ek_api_client_new ("http://127.0.0.1:1", clock);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_api_client_sync_clock_async (api, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_api_client_sync_clock_finish (api, ek_test_wait (&result), &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_NETWORK);
  g_assert_false (ek_server_clock_is_synced (clock));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock-sync/server-ahead", test_server_ahead);
  g_test_add_func ("/clock-sync/server-behind", test_server_behind);
  g_test_add_func ("/clock-sync/server-down", test_server_down);

  return g_test_run ();
}
