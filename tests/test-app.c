/* test-app.c: the application shell: start page, start modes, command line, translations
 *
 * Runs under tests/run-headless.sh (Xvfb, private D-Bus). The built binary is found through
 * EK_TEST_BUILDDIR (BUILDDIR/tests), the translations through EK_LOCALEDIR, which defaults to
 * BUILDDIR/po where the build leaves LANG/LC_MESSAGES/exam-kiosk.mo.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-application.h"
#include "ek-window.h"

#define WAIT_TIMEOUT_SECONDS 10

static char *binary_path;  /* BUILDDIR/exam-kiosk */
static char *locale_dir;   /* what EK_LOCALEDIR says */

static const char * const start_modes[] = { "formal", "mock", "practice", "device-check" };

/* Helpers */

static void
on_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
}

/* Iterates the main context until condition (widget) holds, failing the test after
 * WAIT_TIMEOUT_SECONDS. */
static void
wait_for (GtkWidget *widget,
          gboolean (*condition) (GtkWidget *),
          const char *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  timeout_id = g_timeout_add_once (WAIT_TIMEOUT_SECONDS * 1000, on_timeout_cb, &timed_out);

  while (!condition (widget) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for %s", what);

  g_source_remove (timeout_id);
}

static void
collect_descendants (GtkWidget *widget,
                     GType      type,
                     GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_descendants (child, type, found);
}

/* Returns: (transfer none) (nullable): the first mapped label under widget showing text */
static GtkWidget *
find_mapped_label (GtkWidget  *widget,
                   const char *text)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  collect_descendants (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);

      if (gtk_widget_get_mapped (label)
          && g_str_equal (gtk_label_get_label (GTK_LABEL (label)), text))
        return label;
    }

  return NULL;
}

/* Returns: (transfer container): the buttons under widget that activate win.start-mode,
 * in the order of start_modes */
static GPtrArray *
find_start_mode_buttons (GtkWidget *widget)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  GPtrArray *by_mode = g_ptr_array_new ();

  collect_descendants (widget, GTK_TYPE_BUTTON, buttons);

  for (gsize m = 0; m < G_N_ELEMENTS (start_modes); m++)
    {
      GtkWidget *match = NULL;

      for (guint i = 0; i < buttons->len; i++)
        {
          GtkActionable *button = g_ptr_array_index (buttons, i);
          GVariant *target = gtk_actionable_get_action_target_value (button);

          if (g_strcmp0 (gtk_actionable_get_action_name (button), "win.start-mode") == 0
              && target != NULL
              && g_variant_is_of_type (target, G_VARIANT_TYPE_STRING)
              && g_str_equal (g_variant_get_string (target, NULL), start_modes[m]))
            {
              g_assert_null (match);
              match = GTK_WIDGET (button);
            }
        }

      g_ptr_array_add (by_mode, match);
    }

  return by_mode;
}

static gboolean
window_is_shown (GtkWidget *window)
{
  return gtk_widget_get_mapped (window) && gtk_widget_get_width (window) > 0;
}

static gboolean
start_page_is_shown (GtkWidget *window)
{
  g_autoptr(GPtrArray) buttons = find_start_mode_buttons (window);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (button == NULL || !gtk_widget_get_mapped (button))
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  void      (*func) (EkWindow *window);
  EkWindow   *window;  /* borrowed */
  gboolean    ran;
} AppTest;

static void
run_app_test_cb (gpointer user_data)
{
  AppTest *test = user_data;

  wait_for (GTK_WIDGET (test->window), window_is_shown, "the window to be shown");
  test->func (test->window);
  test->ran = TRUE;

  /* The last window gone, g_application_run() returns. */
  gtk_window_destroy (GTK_WINDOW (test->window));
}

static void
on_window_added_cb (GtkApplication *app,
                    GtkWindow      *window,
                    gpointer        user_data)
{
  AppTest *test = user_data;

  g_assert_null (test->window);
  test->window = EK_WINDOW (window);
  /* From an idle: after activate() has returned, as a user would see the window. */
  g_idle_add_once (run_app_test_cb, test);
}

/* Runs the application as main.c does, with args (NULL-terminated, may be NULL) on its
 * command line, and func with its window on screen. */
static void
run_app_test (const char * const  *args,
              void               (*func) (EkWindow *window))
{
  EkApplication *app = ek_application_new ();
  AppTest test = { func, NULL, FALSE };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, (gpointer) "exam-kiosk");
  for (gsize i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added_cb), &test);
  status = g_application_run (G_APPLICATION (app), (int) argv->len - 1, (char **) argv->pdata);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (test.ran);
  g_assert_finalize_object (app);
}

/* Runs the built binary with args in env; returns the exit status through status_out. */
static void
run_binary (const char * const *args,
            char              **env,
            char              **stdout_out,
            char              **stderr_out,
            int                *status_out)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, binary_path);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                stdout_out, stderr_out, status_out, &error);
  g_assert_no_error (error);
}

/* An environment in which messages are English, or in lang if not NULL. */
static char **
environment_for_language (const char *lang)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "EK_LOCALEDIR", locale_dir, TRUE);
  if (lang != NULL)
    env = g_environ_setenv (env, "LANGUAGE", lang, TRUE);
  else
    env = g_environ_unsetenv (env, "LANGUAGE");

  return env;
}

static int
exit_code (int wait_status)
{
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* Tests */

static void
check_start_page (EkWindow *window)
{
  g_autoptr(GPtrArray) buttons = NULL;

  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "start");
  wait_for (GTK_WIDGET (window), start_page_is_shown, "the start page's four choices");

  buttons = find_start_mode_buttons (GTK_WIDGET (window));
  g_assert_cmpuint (buttons->len, ==, G_N_ELEMENTS (start_modes));
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      g_assert_nonnull (button);
      g_assert_true (gtk_widget_is_sensitive (button));
      g_assert_cmpint (gtk_widget_get_width (button), >, 200);
      g_assert_cmpint (gtk_widget_get_height (button), >, 80);
    }

  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), _("Formal exam")));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), _("Mock exam")));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), _("Practice exam")));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), _("Device check")));
}

static void
test_start_page (void)
{
  run_app_test (NULL, check_start_page);
}

static gboolean
login_page_is_shown (GtkWidget *window)
{
  return g_strcmp0 (ek_window_get_visible_page (EK_WINDOW (window)), "login") == 0 &&
         find_mapped_label (window, _("Log in to the formal exam")) != NULL;
}

static void
check_start_mode_login (EkWindow *window)
{
  g_autoptr(GVariant) target = NULL;
  g_autofree char *action_name = NULL;
  g_autoptr(GError) error = NULL;

  g_action_parse_detailed_name ("win.start-mode::formal", &action_name, &target, &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (window), action_name, target));

  /* The login page, for the chosen mode. */
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "login");
  wait_for (GTK_WIDGET (window), login_page_is_shown, "the login page");

  /* Back leads to the start page again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-start", NULL));
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "start");
  wait_for (GTK_WIDGET (window), start_page_is_shown, "the start page after Back");
}

static void
test_start_mode_login (void)
{
  run_app_test (NULL, check_start_mode_login);
}

static void
check_practice_option (EkWindow *window)
{
  EkApplication *app = EK_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));

  g_assert_cmpstr (ek_application_get_initial_mode (app), ==, "practice");
  /* --practice opens the bundled practice exams, offline. */
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "practice");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.start-practice", "u", 0));
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "confirm");
}

static void
test_practice_option (void)
{
  const char * const args[] = { "--practice", NULL };

  run_app_test (args, check_practice_option);
}

static void
check_default_config (EkWindow *window)
{
  EkApplication *app = EK_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));
  EkConfig *config = ek_application_get_config (app);

  g_assert_true (EK_IS_CONFIG (config));
  g_assert_cmpstr (ek_config_get_server_url (config), ==, "https://exam.example.org");
  g_assert_null (ek_config_get_pinned_key (config));
  g_assert_null (ek_config_get_ca_file (config));
  g_assert_cmpint (ek_config_get_media_source (config), ==, EK_MEDIA_SOURCE_AUTO);
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "start");
}

/* The configuration installed by default is one the kiosk reads. */
static void
test_config_option (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets",
                                            "exam-kiosk.conf", NULL);
  const char * const args[] = { "--config", path, NULL };

  run_app_test (args, check_default_config);
}

static void
test_version (void)
{
  const char * const args[] = { "--version", NULL };
  g_auto(GStrv) env = environment_for_language (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_binary (args, env, &out, &err, &status);
  g_assert_cmpint (exit_code (status), ==, 0);
  g_assert_cmpstr (out, ==, "exam-kiosk " PACKAGE_VERSION "\n");
  g_assert_cmpstr (err, ==, "");
}

static void
test_help (void)
{
  const char * const args[] = { "--help", NULL };
  g_auto(GStrv) env = environment_for_language (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_binary (args, env, &out, &err, &status);
  g_assert_cmpint (exit_code (status), ==, 0);
  g_assert_nonnull (strstr (out, "Sit remote interviews and certification exams"));
  g_assert_nonnull (strstr (out, "--practice"));
  g_assert_nonnull (strstr (out, "--config=FILE"));
  g_assert_nonnull (strstr (out, "--self-check"));
  g_assert_nonnull (strstr (out, "--json=FILE"));
  g_assert_nonnull (strstr (out, "--version"));
}

static void
test_help_translated (void)
{
  const char * const args[] = { "--help", NULL };
  g_auto(GStrv) env = environment_for_language ("zh_CN");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_binary (args, env, &out, &err, &status);
  g_assert_cmpint (exit_code (status), ==, 0);
  g_assert_nonnull (strstr (out, "在本机参加远程面试和资格认证考试。"));
  g_assert_nonnull (strstr (out, "直接开始离线练习考试"));
}

/* LANG alone, as a Chinese desktop sets it, whether or not the C library has the zh_CN
 * locale (run-practice.sh and an installed kiosk alike): Chinese, and no GTK warning about
 * the locale on the terminal. */
static void
test_help_lang_only (void)
{
  const char * const args[] = { "--help", NULL };
  g_auto(GStrv) env = environment_for_language (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  env = g_environ_unsetenv (env, "LC_ALL");
  env = g_environ_unsetenv (env, "LC_MESSAGES");
  env = g_environ_setenv (env, "LANG", "zh_CN.UTF-8", TRUE);
  run_binary (args, env, &out, &err, &status);
  g_assert_cmpint (exit_code (status), ==, 0);
  g_assert_nonnull (strstr (out, "直接开始离线练习考试"));
  g_assert_null (strstr (err, "Locale not supported"));
}

/* The device check itself is tested in test-self-check.c; here: its options. */
static void
test_self_check_options (void)
{
  g_autofree char *tmp_dir = g_dir_make_tmp ("test-app-XXXXXX", NULL);
  g_autofree char *json_path = g_build_filename (tmp_dir, "out.json", NULL);
  const char * const bad_server[] = { "--self-check", "--json", json_path,
                                      "--server", "ftp://exam.example.org", NULL };
  const char * const json_alone[] = { "--json", json_path, NULL };
  const char * const server_alone[] = { "--server", "https://exam.example.org", NULL };
  g_auto(GStrv) env = environment_for_language (NULL);
  int status;

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    /* A server address that cannot be used: the check does not run (2), no report. */
    run_binary (bad_server, env, &out, &err, &status);
    g_assert_cmpint (exit_code (status), ==, 2);
    g_assert_false (g_file_test (json_path, G_FILE_TEST_EXISTS));
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    run_binary (json_alone, env, &out, &err, &status);
    g_assert_cmpint (exit_code (status), ==, 1);
    g_assert_nonnull (strstr (err, "--self-check"));
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    run_binary (server_alone, env, &out, &err, &status);
    g_assert_cmpint (exit_code (status), ==, 1);
    g_assert_nonnull (strstr (err, "--self-check"));
  }

  g_assert_no_errno (g_rmdir (tmp_dir));
}

static void
test_missing_config (void)
{
  const char * const args[] = { "--config", "/nonexistent/exam-kiosk.conf", NULL };
  g_auto(GStrv) env = environment_for_language (NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  run_binary (args, env, &out, &err, &status);
  g_assert_cmpint (exit_code (status), ==, 1);
  g_assert_nonnull (strstr (err, "/nonexistent/exam-kiosk.conf"));
}

static void
check_translated_start_page (EkWindow *window)
{
  wait_for (GTK_WIDGET (window), start_page_is_shown, "the start page");
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "正式考试"));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "模拟考试"));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "练习考试"));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "设备检测"));
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "版本 " PACKAGE_VERSION));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.start-mode", "s", "practice");
  g_assert_cmpstr (ek_window_get_visible_page (window), ==, "practice");
  g_assert_nonnull (find_mapped_label (GTK_WIDGET (window), "练习考试"));
}

static void
test_translated_start_page (void)
{
  g_autofree char *saved_lc_all = g_strdup (g_getenv ("LC_ALL"));
  g_autofree char *saved_language = g_strdup (g_getenv ("LANGUAGE"));

  if (g_test_subprocess ())
    {
      run_app_test (NULL, check_translated_start_page);
      return;
    }

  /* The child inherits the environment; LANGUAGE is ignored in the "C" locale. */
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (saved_lc_all != NULL)
    g_setenv ("LC_ALL", saved_lc_all, TRUE);
  else
    g_unsetenv ("LC_ALL");
  if (saved_language != NULL)
    g_setenv ("LANGUAGE", saved_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");

  g_test_trap_assert_passed ();
}

static void
test_no_display (void)
{
  g_test_skip ("no X display: run through tests/run-headless.sh (meson test)");
}

int
main (int   argc,
      char *argv[])
{
  const char *builddir = g_getenv ("EK_TEST_BUILDDIR");
  int ret;

  if (builddir == NULL)
    {
      g_printerr ("EK_TEST_BUILDDIR is not set: run this test through `meson test`\n");
      return 77;
    }

  binary_path = g_build_filename (builddir, "..", "exam-kiosk", NULL);
  if (g_getenv ("EK_LOCALEDIR") == NULL)
    {
      g_autofree char *po_dir = g_build_filename (builddir, "..", "po", NULL);

      g_setenv ("EK_LOCALEDIR", po_dir, TRUE);
    }
  locale_dir = g_strdup (g_getenv ("EK_LOCALEDIR"));

  /* As main.c does. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL)
    {
      g_test_add_func ("/app/no-display", test_no_display);
      ret = g_test_run ();
      goto out;
    }

  g_test_add_func ("/app/start-page", test_start_page);
  g_test_add_func ("/app/start-mode-login", test_start_mode_login);
  g_test_add_func ("/app/practice-option", test_practice_option);
  g_test_add_func ("/app/config-option", test_config_option);
  g_test_add_func ("/app/version", test_version);
  g_test_add_func ("/app/help", test_help);
  g_test_add_func ("/app/help-translated", test_help_translated);
  g_test_add_func ("/app/help-lang-only", test_help_lang_only);
  g_test_add_func ("/app/self-check-options", test_self_check_options);
  g_test_add_func ("/app/missing-config", test_missing_config);
  g_test_add_func ("/app/translated-start-page", test_translated_start_page);

  ret = g_test_run ();

out:
  g_free (binary_path);
  g_free (locale_dir);
  return ret;
}
