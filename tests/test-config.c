/* test-config.c: configuration values are checked when read, with the file and
 * key named; the data folder is private */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ek-config.h"

#define GOOD_PIN "sha256//n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="

static void
test_config_defaults (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();

  g_assert_true (g_str_has_prefix (ek_config_get_server_url (config), "https://"));
  g_assert_null (ek_config_get_pinned_key (config));
  g_assert_null (ek_config_get_source (config));
  g_assert_cmpint (ek_config_get_media_source (config), ==, EK_MEDIA_SOURCE_AUTO);
  g_assert_null (ek_config_get_face_login_exam (config));
  g_assert_true (g_str_has_prefix (ek_config_get_data_dir (config), g_get_user_data_dir ()));
}

static void
test_config_valid (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;
  const char *data =
    "# set up by the technician\n"
    "[server]\n"
    "url = https://exam.example.cn:8443\n"
    "pinned-key = " GOOD_PIN ";" GOOD_PIN "\n"
    "[storage]\n"
    "data-dir = /var/lib/exam-kiosk\n"
    "[media]\n"
    "source = test\n"
    "[login]\n"
    "face-login-exam = formal-interview-1\n";

  g_assert_true (ek_config_load_from_data (config, data, -1, "/etc/x.conf", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ek_config_get_server_url (config), ==, "https://exam.example.cn:8443");
  g_assert_cmpstr (ek_config_get_pinned_key (config), ==, GOOD_PIN ";" GOOD_PIN);
  g_assert_cmpstr (ek_config_get_data_dir (config), ==, "/var/lib/exam-kiosk");
  g_assert_cmpint (ek_config_get_media_source (config), ==, EK_MEDIA_SOURCE_TEST);
  g_assert_cmpstr (ek_config_get_face_login_exam (config), ==, "formal-interview-1");
  g_assert_cmpstr (ek_config_get_source (config), ==, "/etc/x.conf");
}

static void
test_config_loopback_http (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_server_url_is_acceptable ("http://127.0.0.1:8080", &error));
  g_assert_true (ek_server_url_is_acceptable ("http://localhost:1", &error));
  g_assert_true (ek_server_url_is_acceptable ("http://[::1]:8080/", &error));
  g_assert_no_error (error);

  g_assert_false (ek_server_url_is_acceptable ("http://exam.example.org", &error));
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (ek_server_url_is_acceptable ("http://192.168.1.10", &error));
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (ek_server_url_is_acceptable ("ftp://exam.example.org", &error));
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (ek_server_url_is_acceptable ("exam.example.org", &error));
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
}

typedef struct
{
  const char *data;
  int         code;
  const char *key;
} BadConfig;

static const BadConfig bad_configs[] = {
  { "[server]\nurl = http://exam.example.org\n", EK_CONFIG_ERROR_INVALID_VALUE, "[server] url" },
  { "[server]\npinned-key = 1234\n", EK_CONFIG_ERROR_INVALID_VALUE, "[server] pinned-key" },
  { "[server]\npinned-key = sha256//AAAA\n", EK_CONFIG_ERROR_INVALID_VALUE, "[server] pinned-key" },
  { "[server]\nca-file = /nonexistent/ca.pem\n", EK_CONFIG_ERROR_INVALID_VALUE, "[server] ca-file" },
  { "[storage]\ndata-dir = relative/dir\n", EK_CONFIG_ERROR_INVALID_VALUE, "[storage] data-dir" },
  { "[media]\nsource = webcam\n", EK_CONFIG_ERROR_INVALID_VALUE, "[media] source" },
  { "[login]\nface-login-exam = exam/../1\n", EK_CONFIG_ERROR_INVALID_VALUE, "[login] face-login-exam" },
  { "this is not a key file\n", EK_CONFIG_ERROR_PARSE, NULL },
};

static void
test_config_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_configs); i++)
    {
      g_autoptr(EkConfig) config = ek_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *url_before = g_strdup (ek_config_get_server_url (config));

      g_assert_false (ek_config_load_from_data (config, bad_configs[i].data, -1,
                                                "/etc/exam-kiosk/exam-kiosk.conf", &error));
      g_assert_error (error, EK_CONFIG_ERROR, bad_configs[i].code);
      g_assert_nonnull (strstr (error->message, "/etc/exam-kiosk/exam-kiosk.conf"));
      if (bad_configs[i].key != NULL)
        g_assert_nonnull (strstr (error->message, bad_configs[i].key));

      /* a failed load leaves the configuration as it was */
      g_assert_cmpstr (ek_config_get_server_url (config), ==, url_before);
      g_assert_null (ek_config_get_source (config));
    }
}

static void
test_config_proxy (void)
{
  const char *good[] = { "http://proxy.example:3128", "socks5h://127.0.0.1:1080", "https://p.example/" };
  const char *bad[] = { "proxy.example:3128", "ftp://p.example", "http://user:pw@p.example:3128",
                        "http://p.example/path", "http://" };
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;

  /* absent: no proxy at all */
  g_assert_null (ek_config_get_proxy (config));
  g_assert_true (ek_config_load_from_data (config, "[server]\n", -1, "test", &error));
  g_assert_no_error (error);
  g_assert_null (ek_config_get_proxy (config));

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *data = g_strdup_printf ("[network]\nproxy = %s\n", good[i]);

      g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ek_config_get_proxy (config), ==, good[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *data = g_strdup_printf ("[network]\nproxy = %s\n", bad[i]);

      g_assert_false (ek_config_load_from_data (config, data, -1, "/etc/x.conf", &error));
      g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "[network] proxy"));
      g_clear_error (&error);
    }
}

/* Found by tests/fuzz/fuzz-config: GLib set a GError twice on this value (a
 * warning, fatal in tests); the value is refused like any badly escaped one. */
static void
test_config_bad_escapes (void)
{
  const char * const values[] = { "\\x\\", "a\\;b\\", "\\", "\\q\\z\\" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(EkConfig) config = ek_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf ("[login]\nface-login-exam = %s\n", values[i]);

      g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
      g_assert_no_error (error);
      g_assert_null (ek_config_get_face_login_exam (config));
    }
}

static void
test_config_load_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "exam-kiosk", NULL);
  g_autofree char *path = g_build_filename (dir, "exam-kiosk.conf", NULL);
  g_autoptr(EkConfig) config = NULL;
  g_autoptr(EkConfig) missing = NULL;

  /* the wrapper gives every test a private XDG_CONFIG_HOME */
  g_assert_nonnull (g_getenv ("XDG_CONFIG_HOME"));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[server]\nurl=https://user.example.org\n", -1, &error));

  config = ek_config_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_config_get_server_url (config), ==, "https://user.example.org");
  g_assert_cmpstr (ek_config_get_source (config), ==, path);

  /* a file named on the command line must exist */
  missing = ek_config_load ("/nonexistent/exam-kiosk.conf", &error);
  g_assert_null (missing);
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/exam-kiosk.conf"));
  g_unlink (path);
}

static void
test_config_data_dir_private (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("ek-config-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (tmp, "nested", "data", NULL);
  g_autofree char *data = g_strdup_printf ("[storage]\ndata-dir=%s\n", dir);
  struct stat st;

  g_assert_no_error (error);
  g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
  g_assert_true (ek_config_ensure_data_dir (config, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* a folder someone opened up is closed again */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_true (ek_config_ensure_data_dir (config, &error));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_rmdir (dir);
  g_autofree char *nested = g_path_get_dirname (dir);
  g_rmdir (nested);
  g_rmdir (tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_config_defaults);
  g_test_add_func ("/config/valid", test_config_valid);
  g_test_add_func ("/config/loopback-http", test_config_loopback_http);
  g_test_add_func ("/config/invalid", test_config_invalid);
  g_test_add_func ("/config/proxy", test_config_proxy);
  g_test_add_func ("/config/bad-escapes", test_config_bad_escapes);
  g_test_add_func ("/config/load-files", test_config_load_files);
  g_test_add_func ("/config/data-dir-private", test_config_data_dir_private);

  return g_test_run ();
}
