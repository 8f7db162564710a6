/* test-session-type.c: Wayland or X11, from a faked environment and faked X server facts;
 * what the start page, the practice page and the lockdown controller do under Wayland
 *
 * Runs under tests/run-headless.sh (Xvfb): the detection against a real X server is that
 * Xvfb; XWayland is faked through the facts ek_session_type_classify() takes.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "ek-application.h"
#include "ek-lockdown-controller.h"
#include "ek-practice-page.h"
#include "ek-session-type.h"
#include "ek-start-page.h"
#include "ek-window.h"

static const char * const xorg_devices[] = {
  "Virtual core pointer", "Virtual core keyboard", "AT Translated Set 2 keyboard", NULL,
};
static const char * const xwayland_devices[] = {
  "Virtual core pointer", "Virtual core keyboard", "xwayland-pointer:13",
  "xwayland-relative-pointer:13", "xwayland-keyboard:13", NULL,
};
static const char * const xorg_outputs[] = { "eDP-1", "HDMI-1", NULL };
static const char * const xwayland_outputs[] = { "XWAYLAND0", NULL };

/* Facts borrowed from static arrays: never cleared. */
static EkXServerFacts
facts (const char         *vendor,
       const char * const *devices,
       const char * const *outputs,
       gboolean            extension)
{
  EkXServerFacts f = {
    .x11 = TRUE,
    .vendor = (char *) vendor,
    .xwayland_extension = extension,
    .input_devices = (char **) devices,
    .outputs = (char **) outputs,
  };

  return f;
}

static EkProbeSources *
sources_with_env (const char * const *env)
{
  EkProbeSources *sources = ek_probe_sources_new ();

  sources->environ = g_strdupv ((char **) env);
  return sources;
}

static EkSessionType
classify (const char * const   *env,
          const EkXServerFacts *x,
          char                **evidence)
{
  g_autoptr(EkProbeSources) sources = sources_with_env (env);

  return ek_session_type_classify (sources, x, evidence);
}

static void
expect (const char * const   *env,
        const EkXServerFacts *x,
        EkSessionType         expected,
        const char           *evidence_part)
{
  g_autofree char *evidence = NULL;
  EkSessionType type = classify (env, x, &evidence);

  g_assert_cmpstr (ek_session_type_to_string (type), ==, ek_session_type_to_string (expected));
  g_assert_nonnull (evidence);
  if (evidence_part != NULL && strstr (evidence, evidence_part) == NULL)
    g_error ("evidence “%s” does not name “%s”", evidence, evidence_part);
}

/* The environment alone (no display opened) */

static void
test_environment (void)
{
  const char * const wayland_type[] = { "XDG_SESSION_TYPE=wayland", "DISPLAY=:0", NULL };
  const char * const wayland_display[] = { "WAYLAND_DISPLAY=wayland-0", "DISPLAY=:0", NULL };
  const char * const empty_wayland_display[] = { "WAYLAND_DISPLAY=", "DISPLAY=:0", NULL };
  const char * const x11_type[] = { "XDG_SESSION_TYPE=x11", "DISPLAY=:0", NULL };
  const char * const console[] = { "XDG_SESSION_TYPE=tty", NULL };
  const char * const nothing[] = { NULL };

  expect (wayland_type, NULL, EK_SESSION_TYPE_WAYLAND, "XDG_SESSION_TYPE=wayland");
  expect (wayland_display, NULL, EK_SESSION_TYPE_WAYLAND, "WAYLAND_DISPLAY=wayland-0");
  expect (empty_wayland_display, NULL, EK_SESSION_TYPE_X11, "DISPLAY=:0");
  expect (x11_type, NULL, EK_SESSION_TYPE_X11, "DISPLAY=:0");
  expect (console, NULL, EK_SESSION_TYPE_NONE, NULL);
  expect (nothing, NULL, EK_SESSION_TYPE_NONE, NULL);
}

/* The X server's facts: XWayland is recognised also with the environment cleaned */

static void
test_x_server (void)
{
  const char * const clean[] = { "DISPLAY=:0", NULL };
  const char * const exam_session[] = { "DISPLAY=:10", "EK_EXAM_SESSION=1",
                                        "XDG_SESSION_TYPE=wayland",
                                        "WAYLAND_DISPLAY=wayland-0", NULL };
  const char * const wayland_type[] = { "XDG_SESSION_TYPE=wayland", "DISPLAY=:0", NULL };
  EkXServerFacts xorg = facts ("The X.Org Foundation", xorg_devices, xorg_outputs, FALSE);
  EkXServerFacts by_devices = facts ("The X.Org Foundation", xwayland_devices, xorg_outputs, FALSE);
  EkXServerFacts by_outputs = facts ("The X.Org Foundation", xorg_devices, xwayland_outputs, FALSE);
  EkXServerFacts by_extension = facts ("The X.Org Foundation", NULL, NULL, TRUE);
  EkXServerFacts by_vendor = facts ("Xwayland (The X.Org Foundation)", NULL, NULL, FALSE);
  EkXServerFacts no_vendor = facts (NULL, NULL, NULL, FALSE);
  EkXServerFacts wayland_gdk = { .wayland_backend = TRUE };
  EkXServerFacts no_display = { 0, };

  expect (clean, &xorg, EK_SESSION_TYPE_X11, "The X.Org Foundation");
  expect (clean, &by_devices, EK_SESSION_TYPE_WAYLAND, "xwayland-pointer:13");
  expect (clean, &by_outputs, EK_SESSION_TYPE_WAYLAND, "XWAYLAND0");
  expect (clean, &by_extension, EK_SESSION_TYPE_WAYLAND, "XWAYLAND");
  expect (clean, &by_vendor, EK_SESSION_TYPE_WAYLAND, "Xwayland");
  expect (clean, &no_vendor, EK_SESSION_TYPE_X11, NULL);
  expect (clean, &wayland_gdk, EK_SESSION_TYPE_WAYLAND, "Wayland");

  /* A Wayland desktop's variables handed on to the dedicated session's own Xorg (a
   * technician ran exam-kiosk-xorg from that desktop's terminal): the server decides. */
  expect (exam_session, &xorg, EK_SESSION_TYPE_X11, "The X.Org Foundation");
  /* ... but not when that server is XWayland, exam session or not. */
  expect (exam_session, &by_devices, EK_SESSION_TYPE_WAYLAND, "xwayland-");
  /* Without the exam session's mark the environment decides. */
  expect (wayland_type, &xorg, EK_SESSION_TYPE_WAYLAND, "XDG_SESSION_TYPE=wayland");
  /* Facts read but no display open: the environment alone. */
  expect (clean, &no_display, EK_SESSION_TYPE_NONE, NULL);
}

/* Against the test's own X server (Xvfb) */

static void
test_detect (void)
{
  const char * const clean[] = { "DISPLAY=:99", NULL };
  const char * const wayland_display[] = { "WAYLAND_DISPLAY=wayland-1", NULL };
  g_autoptr(EkProbeSources) x11 = sources_with_env (clean);
  g_autoptr(EkProbeSources) wayland = sources_with_env (wayland_display);
  g_auto(EkXServerFacts) read = { 0, };
  g_autofree char *evidence = NULL;

  g_assert_true (ek_x_server_facts_read (&read));
  g_assert_true (read.x11);
  g_assert_nonnull (read.vendor);
  g_assert_nonnull (read.input_devices);

  g_assert_cmpint (ek_session_type_detect (x11, &evidence), ==, EK_SESSION_TYPE_X11);
  g_assert_cmpstr (evidence, ==, read.vendor);
  g_assert_cmpint (ek_session_type_detect (wayland, NULL), ==, EK_SESSION_TYPE_WAYLAND);
}

/* The messages: how to reach the exam session, in both languages */

static void
test_messages_translated (void)
{
  if (g_test_subprocess ())
    {
      g_assert_nonnull (strstr (ek_session_type_get_refusal (), "ExamKiosk 考试会话"));
      g_assert_nonnull (strstr (ek_session_type_get_notice (), "ExamKiosk 考试会话"));
      return;
    }

  g_assert_nonnull (strstr (ek_session_type_get_refusal (), "“ExamKiosk exam session”"));
  g_assert_nonnull (strstr (ek_session_type_get_refusal (), "Log out"));
  g_assert_nonnull (strstr (ek_session_type_get_notice (), "“ExamKiosk exam session”"));

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LANGUAGE");
  g_test_trap_assert_passed ();
}

/* The pages under a faked Wayland session */

static void
collect_labels (GtkWidget  *widget,
                const char *text,
                guint      *found)
{
  if (GTK_IS_LABEL (widget) && g_str_equal (gtk_label_get_label (GTK_LABEL (widget)), text))
    (*found)++;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text, found);
}

static guint
count_notices (GtkWidget *page)
{
  guint found = 0;

  collect_labels (page, ek_session_type_get_notice (), &found);
  return found;
}

static GtkWidget *
find_button (GtkWidget  *widget,
             const char *target)
{
  if (GTK_IS_BUTTON (widget))
    {
      GVariant *value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));

      if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
          g_str_equal (g_variant_get_string (value, NULL), target))
        return widget;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, target);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_pages (void)
{
  GtkWidget *page;

  /* X11: everything on, no notice. */
  page = g_object_ref_sink (ek_start_page_new ());
  g_assert_cmpuint (count_notices (page), ==, 0);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "formal"))),
                   ==, "win.start-mode");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "mock"))),
                   ==, "win.start-mode");
  g_assert_finalize_object (page);

  g_setenv ("XDG_SESSION_TYPE", "wayland", TRUE);

  /* Wayland: formal and mock off, practice and the device check on, the notice shown. */
  page = g_object_ref_sink (ek_start_page_new ());
  g_assert_cmpuint (count_notices (page), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (find_button (page, "formal")));
  g_assert_false (gtk_widget_get_sensitive (find_button (page, "mock")));
  g_assert_null (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "formal"))));
  g_assert_null (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "mock"))));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "practice"))),
                   ==, "win.start-mode");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (find_button (page, "device-check"))),
                   ==, "win.start-mode");
  g_assert_finalize_object (page);

  page = g_object_ref_sink (ek_practice_page_new (NULL));
  g_assert_cmpuint (count_notices (page), ==, 1);
  g_assert_finalize_object (page);

  g_unsetenv ("XDG_SESSION_TYPE");

  page = g_object_ref_sink (ek_practice_page_new (NULL));
  g_assert_cmpuint (count_notices (page), ==, 0);
  g_assert_finalize_object (page);
}

/* The lockdown refuses a formal exam under Wayland, whatever page led there */

static void
on_engaged_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (ek_lockdown_controller_engage_finish (EK_LOCKDOWN_CONTROLLER (source),
                                                        result, error));
  g_assert_nonnull (*error);
}

static void
test_lockdown_refuses (void)
{
  const char * const wayland_env[] = { "XDG_SESSION_TYPE=wayland",
                                       "WAYLAND_DISPLAY=wayland-0", NULL };
  g_autoptr(EkProbeSources) sources = sources_with_env (wayland_env);
  g_autoptr(JsonObject) none = json_object_new ();
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkLockdownController) controller = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();

  policy = ek_lockdown_policy_new_from_json (none, TRUE, &error);
  g_assert_no_error (error);

  controller = ek_lockdown_controller_new (GTK_WINDOW (window), policy);
  ek_lockdown_controller_set_probe_sources (controller, sources);
  ek_lockdown_controller_engage_async (controller, NULL, on_engaged_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_error (error, EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_SESSION);
  g_assert_cmpstr (error->message, ==, ek_session_type_get_refusal ());
  g_assert_false (ek_lockdown_controller_get_engaged (controller));

  g_assert_finalize_object (g_steal_pointer (&controller));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* `initial-mode` formal (as a launcher could ask) under Wayland: the start page */

static void
on_first_page_cb (gpointer user_data)
{
  GtkWindow *window = user_data;
  char **page = g_object_get_data (G_OBJECT (window), "ek-test-page");

  *page = g_strdup (ek_window_get_visible_page (EK_WINDOW (window)));
  gtk_window_destroy (window);
}

static void
on_window_added_cb (GtkApplication *app,
                    GtkWindow      *window,
                    char          **page)
{
  g_object_set_data (G_OBJECT (window), "ek-test-page", page);
  g_idle_add_once (on_first_page_cb, window);
}

static char *
first_page (const char *initial_mode)
{
  EkApplication *app = ek_application_new ();
  char *argv[] = { (char *) "exam-kiosk", NULL };
  char *page = NULL;

  ek_application_set_initial_mode (app, initial_mode);
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added_cb), &page);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_finalize_object (app);

  return page;
}

static void
test_initial_mode (void)
{
  g_autofree char *x11_page = first_page ("formal");
  g_autofree char *wayland_page = NULL;
  g_autofree char *practice_page = NULL;

  g_assert_cmpstr (x11_page, ==, "login");

  g_setenv ("XDG_SESSION_TYPE", "wayland", TRUE);
  wayland_page = first_page ("formal");
  practice_page = first_page ("practice");
  g_unsetenv ("XDG_SESSION_TYPE");

  g_assert_cmpstr (wayland_page, ==, "start");
  g_assert_cmpstr (practice_page, ==, "practice");
}

int
main (int   argc,
      char *argv[])
{
  const char *builddir = g_getenv ("EK_TEST_BUILDDIR");
  g_autofree char *po_dir = NULL;

  if (builddir == NULL)
    {
      g_printerr ("EK_TEST_BUILDDIR is not set: run this test through `meson test`\n");
      return 77;
    }

  po_dir = g_build_filename (builddir, "..", "po", NULL);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, po_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_unsetenv ("XDG_SESSION_TYPE");
  g_unsetenv ("WAYLAND_DISPLAY");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-type/environment", test_environment);
  g_test_add_func ("/session-type/x-server", test_x_server);
  g_test_add_func ("/session-type/messages-translated", test_messages_translated);

  if (g_getenv ("DISPLAY") != NULL && gtk_init_check ())
    {
      /* The page templates are in the application's resources, registered by its class. */
      g_type_class_unref (g_type_class_ref (EK_TYPE_APPLICATION));
      g_test_add_func ("/session-type/detect", test_detect);
      g_test_add_func ("/session-type/pages", test_pages);
      g_test_add_func ("/session-type/lockdown-refuses", test_lockdown_refuses);
      g_test_add_func ("/session-type/initial-mode", test_initial_mode);
    }

  return g_test_run ();
}
