/* test-config.c: configuration values are checked when read, with the file and
 * key named; the data folder is private */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ek-config.h"
#include "ek-quit-password.h"

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
 * warning, fatal in tests). Such a value is a mistake like any other: refused, with
 * the file, the line and the key named, never silently taken as empty. */
static void
test_config_bad_escapes (void)
{
  const char * const values[] = { "\\x\\", "a\\;b\\", "\\", "\\q\\z\\" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(EkConfig) config = ek_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf ("[login]\nface-login-exam = %s\n", values[i]);

      g_assert_false (ek_config_load_from_data (config, data, -1, "/etc/x.conf", &error));
      g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "/etc/x.conf, line 2"));
      g_assert_nonnull (strstr (error->message, "[login] face-login-exam"));
      g_assert_null (ek_config_get_face_login_exam (config));
    }
}

typedef struct
{
  const char *data;
  int         code;
  const char *where;   /* what the message must say: the line and the key */
} LinedMistake;

/* Every mistake names the file and the line, wherever it is and whatever it is. */
static void
test_config_lines (void)
{
  static const LinedMistake mistakes[] = {
    /* a wrong value, after comments and another group */
    { "# technician's file\n\n[storage]\ndata-dir = /srv/ek\n\n[server]\n# the server\n"
      "url = http://exam.example.org\n", EK_CONFIG_ERROR_INVALID_VALUE, "line 8: a wrong value for [server] url" },
    /* the last of two settings is the one read, and the one named */
    { "[media]\nsource = auto\n[server]\nurl = https://a.example\n[media]\nsource = camera\n",
      EK_CONFIG_ERROR_INVALID_VALUE, "line 6: a wrong value for [media] source" },
    /* a misspelt key would otherwise leave the server unpinned */
    { "[server]\nurl = https://a.example\npinned_key = sha256//x\n", EK_CONFIG_ERROR_UNKNOWN_KEY,
      "line 3: there is no key “pinned_key” in [server]" },
    { "[server]\nurl = https://a.example\n\n[sever]\nurl = https://b.example\n",
      EK_CONFIG_ERROR_UNKNOWN_KEY, "line 4: there is no group [sever]" },
    /* lines that are no key file's */
    { "[server]\nurl = https://a.example\nthis is not a setting\n", EK_CONFIG_ERROR_PARSE, "line 3" },
    { "# comment\nurl = https://a.example\n[server]\n", EK_CONFIG_ERROR_PARSE, "line 2" },
    { "[general]\n\nlanguage = fr\n", EK_CONFIG_ERROR_INVALID_VALUE,
      "line 3: a wrong value for [general] language" },
    { "[lockdown]\nquit-password-hash = secret\n", EK_CONFIG_ERROR_INVALID_VALUE,
      "line 2: a wrong value for [lockdown] quit-password-hash" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (mistakes); i++)
    {
      g_autoptr(EkConfig) config = ek_config_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (ek_config_load_from_data (config, mistakes[i].data, -1,
                                                "/etc/exam-kiosk/exam-kiosk.conf", &error));
      g_assert_error (error, EK_CONFIG_ERROR, mistakes[i].code);
      if (strstr (error->message, "/etc/exam-kiosk/exam-kiosk.conf") == NULL ||
          strstr (error->message, mistakes[i].where) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, mistakes[i].where);
      g_assert_null (ek_config_get_source (config));
    }
}

/* The file the package installs is read without a mistake, and sets nothing. */
static void
test_config_shipped (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets",
                                            "exam-kiosk.conf", NULL);
  g_autoptr(EkConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = ek_config_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (ek_config_get_language (config));
  g_assert_null (ek_config_get_quit_password_hash (config));
  g_assert_null (ek_config_get_pinned_key (config));
  g_assert_cmpint (ek_config_get_media_source (config), ==, EK_MEDIA_SOURCE_AUTO);
}

static void
test_config_language (void)
{
  const char * const good[] = { "zh_CN", "en" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(EkConfig) config = ek_config_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *data = g_strdup_printf ("[general]\nlanguage = %s\n", good[i]);

      g_assert_null (ek_config_get_language (config));
      g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ek_config_get_language (config), ==, good[i]);

      /* empty: the session's language again */
      g_assert_true (ek_config_load_from_data (config, "[general]\nlanguage =\n", -1, "test", &error));
      g_assert_null (ek_config_get_language (config));
    }
}

static void
test_config_quit_password (void)
{
  g_autofree char *hash = ek_quit_password_hash ("Technician-7", 1000);
  g_autofree char *data = g_strdup_printf ("[lockdown]\nquit-password-hash = %s\n", hash);
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;
  const char * const bad[] = {
    "pbkdf2-sha256$999$c2FsdHNhbHQ$MDEyMzQ1Njc4OWFiY2RlZg",        /* too few iterations */
    "pbkdf2-sha1$100000$c2FsdHNhbHQ$MDEyMzQ1Njc4OWFiY2RlZg",       /* another algorithm */
    "pbkdf2-sha256$100000$c2FsdHNhbHQ$c2hvcnQ",                     /* a hash too short */
    "pbkdf2-sha256$100000$$MDEyMzQ1Njc4OWFiY2RlZg",                 /* no salt */
    "Technician-7",                                                  /* the password itself */
  };

  g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ek_config_get_quit_password_hash (config), ==, hash);
  /* what the key holds is what the quit gate checks */
  g_assert_true (ek_quit_password_verify (ek_config_get_quit_password_hash (config), "Technician-7", &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(EkConfig) other = ek_config_new ();
      g_autofree char *bad_data = g_strdup_printf ("[server]\nurl = https://a.example\n"
                                                   "[lockdown]\nquit-password-hash = %s\n", bad[i]);

      g_assert_false (ek_config_load_from_data (other, bad_data, -1, "/etc/x.conf", &error));
      g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "/etc/x.conf, line 4"));
      g_assert_nonnull (strstr (error->message, "[lockdown] quit-password-hash"));
      g_clear_error (&error);
    }
}

/* `exam-kiosk --quit-password-hash`, the documented way to make the key's value: its
 * output is accepted by the configuration and opens the quit gate for that password
 * alone; a password too short makes nothing. */
static void
test_config_quit_password_command (void)
{
  g_autofree char *binary = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
  const char * const argv[] = { binary, "--quit-password-hash", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSubprocess) short_process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autofree char *out = NULL;
  g_autofree char *short_out = NULL;
  g_autofree char *data = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, "Sesame-42\n", NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_null (strstr (out, "Sesame-42"));
  g_strstrip (out);

  data = g_strdup_printf ("[lockdown]\nquit-password-hash = %s\n", out);
  g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
  g_assert_no_error (error);
  g_assert_true (ek_quit_password_verify (ek_config_get_quit_password_hash (config), "Sesame-42", &error));
  g_assert_no_error (error);
  g_assert_false (ek_quit_password_verify (ek_config_get_quit_password_hash (config), "sesame-42", &error));
  g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG);
  g_clear_error (&error);

  short_process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                     G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (short_process, "abc\n", NULL, &short_out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (short_process), ==, 1);
  g_assert_cmpstr (short_out, ==, "");
}

/* A file in the candidate's own account must not choose what a formal exam trusts: the
 * server, the pin, the CA, the proxy, test media, the quit password. */
static void
test_config_formal_ignores_user_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-config-formal-XXXXXX", &error);
  g_autofree char *user_path = g_build_filename (dir, "user.conf", NULL);
  g_autofree char *system_path = g_build_filename (dir, "system.conf", NULL);
  g_autofree char *hash = ek_quit_password_hash ("weak", 1000);
  g_autofree char *user_data = g_strdup_printf (
    "[server]\nurl = https://attacker.example\n"
    "[network]\nproxy = http://proxy.attacker.example:3128\n"
    "[media]\nsource = test\n"
    "[lockdown]\nquit-password-hash = %s\n"
    "[storage]\ndata-dir = /srv/mine\n", hash);
  g_autoptr(EkConfig) config = NULL;
  g_autoptr(EkConfig) formal = NULL;
  const char * const *ignored;
  static const char * const expected[] = {
    "[server] url", "[network] proxy", "[media] source", "[lockdown] quit-password-hash",
    "[storage] data-dir",
  };

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (user_path, user_data, -1, NULL));
  g_assert_true (g_file_set_contents (system_path,
                                      "[server]\nurl = https://exam.example.cn\n"
                                      "pinned-key = " GOOD_PIN "\n", -1, NULL));

  /* Outside a formal exam (practice, the device check) the user's file is read whole. */
  config = ek_config_load_files (user_path, system_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_config_get_source (config), ==, user_path);
  g_assert_cmpstr (ek_config_get_server_url (config), ==, "https://attacker.example");

  ignored = ek_config_get_ignored_in_formal (config);
  g_assert_nonnull (ignored);
  g_assert_cmpuint (g_strv_length ((char **) ignored), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains (ignored, expected[i]));
  g_assert_true (g_strv_contains (ignored, "[server] pinned-key"));

  /* A formal exam: the system-wide file alone, and a warning in the log. */
  g_test_expect_message ("ExamKiosk-Client", G_LOG_LEVEL_WARNING, "*Formal exam*user.conf*[server] url*system.conf*");
  formal = ek_config_dup_for_formal (config);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (ek_config_get_source (formal), ==, system_path);
  g_assert_cmpstr (ek_config_get_server_url (formal), ==, "https://exam.example.cn");
  g_assert_cmpstr (ek_config_get_pinned_key (formal), ==, GOOD_PIN);
  g_assert_null (ek_config_get_proxy (formal));
  g_assert_null (ek_config_get_quit_password_hash (formal));
  g_assert_cmpint (ek_config_get_media_source (formal), ==, EK_MEDIA_SOURCE_AUTO);
  g_assert_cmpstr (ek_config_get_data_dir (formal), !=, "/srv/mine");
  g_clear_object (&formal);
  g_clear_object (&config);

  /* No system-wide file: the formal exam runs on the defaults, not the user's file. */
  g_unlink (system_path);
  config = ek_config_load_files (user_path, system_path, &error);
  g_assert_no_error (error);
  g_test_expect_message ("ExamKiosk-Client", G_LOG_LEVEL_WARNING, "*Formal exam*user.conf*");
  formal = ek_config_dup_for_formal (config);
  g_test_assert_expected_messages ();
  g_assert_null (ek_config_get_source (formal));
  g_assert_cmpstr (ek_config_get_server_url (formal), ==, "https://exam.example.org");
  g_assert_cmpint (ek_config_get_media_source (formal), ==, EK_MEDIA_SOURCE_AUTO);
  g_clear_object (&formal);
  g_clear_object (&config);

  /* The system-wide file alone, or a file named with --config: read as it is, no warning. */
  g_assert_true (g_file_set_contents (system_path, "[media]\nsource = test\n", -1, NULL));
  config = ek_config_load_files (NULL, system_path, &error);
  g_assert_no_error (error);
  formal = ek_config_dup_for_formal (config);
  g_assert_true (formal == config);
  g_assert_cmpint (ek_config_get_media_source (formal), ==, EK_MEDIA_SOURCE_TEST);
  g_assert_true (ek_config_get_ignored_in_formal (config) == NULL);
  g_clear_object (&formal);
  g_clear_object (&config);

  /* A mistake in the system-wide file is one even beside a user's file. */
  g_assert_true (g_file_set_contents (system_path, "[server]\n\nurl = ftp://x.example\n", -1, NULL));
  config = ek_config_load_files (user_path, system_path, &error);
  g_assert_null (config);
  g_assert_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "system.conf, line 3"));

  g_unlink (user_path);
  g_unlink (system_path);
  g_rmdir (dir);
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
  g_test_add_func ("/config/lines", test_config_lines);
  g_test_add_func ("/config/shipped", test_config_shipped);
  g_test_add_func ("/config/language", test_config_language);
  g_test_add_func ("/config/quit-password", test_config_quit_password);
  g_test_add_func ("/config/quit-password-command", test_config_quit_password_command);
  g_test_add_func ("/config/formal-ignores-user-file", test_config_formal_ignores_user_file);
  g_test_add_func ("/config/load-files", test_config_load_files);
  g_test_add_func ("/config/data-dir-private", test_config_data_dir_private);

  return g_test_run ();
}
