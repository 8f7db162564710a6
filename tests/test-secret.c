/* test-secret.c: the session token round trip through the Secret Service
 * (gnome-keyring, started unlocked by run-headless.sh), and clear failures when
 * the keyring is missing or hangs */

#include "config.h"

#include <gio/gunixsocketaddress.h>

#include "ek-secret-store.h"

static void
on_async_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_secret_round_trip (void)
{
  g_autoptr(EkSecretStore) store = ek_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *token = NULL;
  const char *server = "https://exam.example.org";

  /* nothing stored yet */
  ek_secret_store_lookup_async (store, server, NULL, on_async_ready_cb, &result);
  g_assert_false (ek_secret_store_lookup_finish (store, wait_result (&result),
                                                 &session_id, &token, &error));
  g_assert_no_error (error);
  g_assert_null (token);
  g_clear_object (&result);

  ek_secret_store_save_async (store, server, "s-42", "tok-5f0c9a", NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_save_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* another server's session is kept apart */
  ek_secret_store_save_async (store, "https://other.example.org", "s-7", "tok-other", NULL,
                              on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_save_finish (store, wait_result (&result), &error));
  g_clear_object (&result);

  /* a new store object, as after a restart of the client */
  g_clear_object (&store);
  store = ek_secret_store_new ();
  ek_secret_store_lookup_async (store, server, NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_lookup_finish (store, wait_result (&result),
                                                &session_id, &token, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (session_id, ==, "s-42");
  g_assert_cmpstr (token, ==, "tok-5f0c9a");
  g_clear_object (&result);
  g_clear_pointer (&session_id, g_free);
  g_clear_pointer (&token, g_free);

  /* a new login replaces the token */
  ek_secret_store_save_async (store, server, "s-42", "tok-second", NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_save_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  ek_secret_store_lookup_async (store, server, NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_lookup_finish (store, wait_result (&result),
                                                NULL, &token, &error));
  g_assert_cmpstr (token, ==, "tok-second");
  g_clear_object (&result);
  g_clear_pointer (&token, g_free);

  /* cleared when the exam ends */
  ek_secret_store_clear_async (store, server, NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_clear_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  ek_secret_store_lookup_async (store, server, NULL, on_async_ready_cb, &result);
  g_assert_false (ek_secret_store_lookup_finish (store, wait_result (&result),
                                                 NULL, &token, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ek_secret_store_lookup_async (store, "https://other.example.org", NULL, on_async_ready_cb, &result);
  g_assert_true (ek_secret_store_lookup_finish (store, wait_result (&result),
                                                NULL, &token, &error));
  g_assert_cmpstr (token, ==, "tok-other");
  g_clear_object (&result);

  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_secret_no_keyring_child (void)
{
  g_autoptr(EkSecretStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
  store = ek_secret_store_new ();
  ek_secret_store_save_async (store, "https://exam.example.org", "s-1", "tok", NULL,
                              on_async_ready_cb, &result);
  g_assert_false (ek_secret_store_save_finish (store, wait_result (&result), &error));
  g_assert_error (error, EK_SECRET_ERROR, EK_SECRET_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "keyring"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

/* A bus that accepts the connection and never answers: the store gives up after
 * its own timeout instead of D-Bus's 25 s. */
static void
test_secret_hanging_keyring_child (void)
{
  g_autoptr(EkSecretStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-bus-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bus", NULL);
  g_autofree char *bus = g_strdup_printf ("unix:path=%s", path);
  gint64 start;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (path);
  g_assert_true (g_socket_bind (socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);

  store = ek_secret_store_new ();
  ek_secret_store_set_timeout (store, 700);
  start = g_get_monotonic_time ();
  ek_secret_store_lookup_async (store, "https://exam.example.org", NULL, on_async_ready_cb, &result);
  g_assert_false (ek_secret_store_lookup_finish (store, wait_result (&result), NULL, NULL, &error));
  g_assert_error (error, EK_SECRET_ERROR, EK_SECRET_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 600 * 1000);
}

static void
test_secret_no_keyring (void)
{
  g_test_trap_subprocess ("/secret/no-keyring/subprocess", 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_secret_hanging_keyring (void)
{
  g_test_trap_subprocess ("/secret/hanging-keyring/subprocess", 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secret/round-trip", test_secret_round_trip);
  g_test_add_func ("/secret/no-keyring", test_secret_no_keyring);
  g_test_add_func ("/secret/no-keyring/subprocess", test_secret_no_keyring_child);
  g_test_add_func ("/secret/hanging-keyring", test_secret_hanging_keyring);
  g_test_add_func ("/secret/hanging-keyring/subprocess", test_secret_hanging_keyring_child);

  return g_test_run ();
}
