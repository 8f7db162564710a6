/* test-tls.c: how the client trusts an HTTPS exam server (docs/protocol.md, section 1)
 *
 * A self-signed EC certificate for CN=localhost with the single SAN IP:127.0.0.1 is
 * made at test time with the openssl CLI (ek_test_make_certificate()). Without a pin
 * or CA file it must not be trusted; with the right pin or as the CA file it must; a
 * wrong pin must fail even where the CA file would have trusted it; and the host name
 * is checked in every case (https://localhost does not match the certificate).
 */

#include "config.h"

#include <locale.h>

#include "ek-api-client.h"
#include "ek-test-server.h"

typedef struct
{
  char         *dir;
  char         *cert;
  char         *key;
  char         *pin;
  EkTestServer *server;
  char         *localhost_url;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  EkTestServerOptions options = { 0 };

  f->dir = ek_test_make_tmp_dir ();
  f->cert = g_build_filename (f->dir, "cert.pem", NULL);
  f->key = g_build_filename (f->dir, "key.pem", NULL);

  ek_test_make_certificate (f->cert, f->key);
  f->pin = ek_test_key_pin (f->key);

  options.tls_cert = f->cert;
  options.tls_key = f->key;
  f->server = ek_test_server_start (&options);
  g_assert_true (g_str_has_prefix (ek_test_server_get_base_url (f->server), "https://127.0.0.1:"));
  f->localhost_url = g_strdup_printf ("https://localhost:%u", ek_test_server_get_port (f->server));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->cert);
  g_free (f->key);
  g_free (f->pin);
  g_free (f->localhost_url);
}

static gboolean
health (const char  *base_url,
        const char  *pin,
        const char  *ca_file,
        GError     **error)
{
  EkApiClient *api = ek_api_client_new (base_url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  /* a TLS failure is never worth retrying, so one attempt must decide */
  ek_api_client_set_pinned_key (api, pin);
  ek_api_client_set_ca_file (api, ca_file);
  ek_api_client_health_async (api, NULL, ek_test_result_cb, &result);
  ok = ek_api_client_health_finish (api, ek_test_wait (&result), NULL, NULL, NULL, error);

  g_clear_object (&result);
  g_assert_finalize_object (api);
  return ok;
}

static void
test_untrusted (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (health (ek_test_server_get_base_url (f->server), NULL, NULL, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS_UNTRUSTED);
  g_assert_true (strstr (error->message, "identity could not be verified") != NULL);
  g_assert_true (strstr (error->message, "technician") != NULL);
  g_test_message ("%s", error->message);
}

static void
test_pin_correct (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *two_pins = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (health (ek_test_server_get_base_url (f->server), f->pin, NULL, &error));
  g_assert_no_error (error);

  /* one of several pins (a key rollover) is enough */
  two_pins = g_strconcat ("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;", f->pin, NULL);
  g_assert_true (health (ek_test_server_get_base_url (f->server), two_pins, NULL, &error));
  g_assert_no_error (error);
}

static void
test_pin_wrong (Fixture       *f,
                gconstpointer  data)
{
  const char *wrong = "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  g_autoptr(GError) error = NULL;

  g_assert_false (health (ek_test_server_get_base_url (f->server), wrong, NULL, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PINNED_KEY_MISMATCH);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* a pin replaces CA trust: a CA file that would trust the server does not help */
  g_assert_false (health (ek_test_server_get_base_url (f->server), wrong, f->cert, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_PINNED_KEY_MISMATCH);
}

static void
test_ca_file (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (health (ek_test_server_get_base_url (f->server), NULL, f->cert, &error));
  g_assert_no_error (error);
}

static void
test_host_name_checked (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* the certificate names 127.0.0.1 only */
  g_assert_false (health (f->localhost_url, NULL, f->cert, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS_UNTRUSTED);
  g_clear_error (&error);

  /* also with a correct pin: the pin replaces the CA, not the host name check */
  g_assert_false (health (f->localhost_url, f->pin, NULL, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_TLS_UNTRUSTED);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/tls/untrusted", test_untrusted);
  ADD ("/tls/pin-correct", test_pin_correct);
  ADD ("/tls/pin-wrong", test_pin_wrong);
  ADD ("/tls/ca-file", test_ca_file);
  ADD ("/tls/host-name-checked", test_host_name_checked);

#undef ADD

  return g_test_run ();
}
