/* test-lockdown-session.c: the dedicated exam session, launched for real (suite `lockdown`)
 *
 * Runs assets/exam-session/exam-kiosk-xorg, configured as meson installs it but into a
 * private folder (the kiosk of this build; its X server configuration snippet next to a
 * dummy-driver device, as a machine without a screen needs), with the kiosk in formal
 * lockdown (`--lockdown-test`). Asserts that the launcher started an X server of its own
 * with VT switching and the zap key disabled, that nothing but the kiosk runs on it (no
 * window manager, no other window), that the kiosk knows it runs in the dedicated session
 * and says so, that a client without the session's X authority cookie is refused (issue
 * 13, item 7), and that the session, X server included, ends with the kiosk.
 *
 * Skipped where Xorg with the dummy driver cannot start.
 */

#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-test-xorg.h"

#include <sys/prctl.h>

#define SESSION_TIMEOUT_MS 30000

static char *tmp_dir;

static void
die_with_parent (gpointer user_data)
{
  /* A test that aborts must not leave the session running: the launcher's trap takes its
   * X server down, and the kiosk goes with its display. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
make_file (const char *path,
           const char *contents,
           int         mode)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_no_errno (g_chmod (path, mode));
}

/* @xauthority: the X authority file the client gets; "/dev/null" for none */
static char *
run_as (const char *display,
        const char *xauthority,
        const char *command_line,
        int        *status)
{
  g_autofree char *bounded = g_strdup_printf ("env DISPLAY=%s XAUTHORITY=%s timeout 10 %s",
                                              display, xauthority, command_line);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_spawn_command_line_sync (bounded, &out, NULL, status, &error))
    g_error ("%s: %s", command_line, error->message);
  return g_strstrip (g_steal_pointer (&out));
}

/* The session's cookie, from the launcher's private folder, for the test's own looks at
 * the display (borrowed from test_launcher). */
static const char *session_xauthority = "/dev/null";

static char *
run (const char *display,
     const char *command_line)
{
  return run_as (display, session_xauthority, command_line, NULL);
}

/* Returns: (transfer full) (nullable): the first event named @name in @path */
static JsonObject *
find_event (const char *path,
            const char *name)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *event;

      if (!json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          json_parser_get_root (parser) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      event = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""), name) == 0)
        return json_object_ref (event);
    }
  return NULL;
}

static JsonObject *
wait_for_event (const char *path,
                const char *name,
                const char *failure_name,
                const char *launcher_log)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) SESSION_TIMEOUT_MS * 1000;

  for (;;)
    {
      JsonObject *event = find_event (path, name);
      g_autoptr(JsonObject) failed = failure_name ? find_event (path, failure_name) : NULL;

      if (event != NULL)
        return event;
      if (failed != NULL || g_get_monotonic_time () > deadline)
        {
          g_autofree char *log = NULL;

          g_file_get_contents (launcher_log, &log, NULL, NULL);
          g_printerr ("--- the session's output ---\n%s--- end ---\n", log ? log : "");
          g_error ("no “%s” from the kiosk in the exam session%s%s", name,
                   failed ? ": " : "",
                   failed ? json_object_get_string_member_with_default (failed, "reason", "") : "");
        }
      g_usleep (100 * 1000);
    }
}

/* The launcher's private folder (TMPDIR/exam-kiosk-xorg.XXXXXX): its display and the
 * X server's log. */
static char *
find_runtime_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "exam-kiosk-xorg."))
        return g_build_filename (tmp_dir, name, NULL);
    }
  return NULL;
}

static void
test_launcher (void)
{
  g_autofree char *events = g_build_filename (tmp_dir, "events.jsonl", NULL);
  g_autofree char *policy_path = g_build_filename (tmp_dir, "policy.json", NULL);
  g_autofree char *launcher_log = g_build_filename (tmp_dir, "session.log", NULL);
  g_autofree char *launcher_path = NULL;
  g_autofree char *dmi = g_build_filename (tmp_dir, "probe", "dmi", NULL);
  g_autofree char *vendor = g_build_filename (dmi, "sys_vendor", NULL);
  g_autofree char *cpuinfo = g_build_filename (tmp_dir, "probe", "cpuinfo", NULL);
  g_autofree char *sys = g_build_filename (tmp_dir, "probe", "sys", NULL);
  g_autofree char *bin = g_build_filename (tmp_dir, "probe", "bin", NULL);
  g_autofree char *policy = NULL;
  g_autofree char *runtime = NULL;
  g_autofree char *display_file = NULL;
  g_autofree char *display_number = NULL;
  g_autofree char *display = NULL;
  g_autofree char *xorg_log = NULL;
  g_autofree char *xauthority = NULL;
  g_autofree char *socket_path = NULL;
  g_autofree char *wm_check = NULL;
  g_autofree char *keymap = NULL;
  g_autofree char *windows = NULL;
  g_autofree char *title = NULL;
  g_auto(GStrv) window_ids = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) session = NULL;
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) engaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkTestXorg) probe = NULL;
  g_autofree char *probe_dir = g_build_filename (tmp_dir, "probe-xorg", NULL);
  gint64 kiosk_pid;
  int log_fd;

  /* Xorg with the dummy driver must be able to start here at all. */
  g_assert_no_errno (g_mkdir_with_parents (probe_dir, 0700));
  probe = ek_test_xorg_start (probe_dir);
  if (probe == NULL)
    {
      g_test_skip ("Xorg with the dummy driver cannot start here");
      return;
    }
  g_clear_pointer (&probe, ek_test_xorg_stop);

  /* Installed as meson would: the launcher, the session script, the server's snippet; the
   * dummy device next to it stands for this machine's graphics card. */
  launcher_path = ek_test_xorg_install_exam_session (tmp_dir);

  /* Formal lockdown on a clean computer (the test machine may be a virtual one). */
  make_file (vendor, "Example Computers Inc.\n", 0600);
  make_file (cpuinfo, "processor\t: 0\nflags\t\t: fpu vme sse2\n", 0600);
  g_assert_no_errno (g_mkdir_with_parents (sys, 0700));
  g_assert_no_errno (g_mkdir_with_parents (bin, 0700));
  policy = g_strdup_printf ("{\"lockdown\": {\"relaxed\": false, \"monitor_rule\": \"exactly_one\","
                            " \"findings\": {\"virtual_display\": \"allow\"}},"
                            " \"test\": {\"events\": \"%s\", \"xtest_filter\": false, \"seat\": \"S-01\","
                            " \"dmi_dir\": \"%s\", \"cpuinfo\": \"%s\", \"sys_root\": \"%s\","
                            " \"preload_path\": \"%s/no-ld.so.preload\", \"search_path\": [\"%s\"]}}",
                            events, dmi, cpuinfo, sys, tmp_dir, bin);
  make_file (policy_path, policy, 0600);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* The launcher's private folder goes under TMPDIR: where the test finds its log. */
  g_subprocess_launcher_setenv (launcher, "TMPDIR", tmp_dir, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "EK_EXAM_SESSION");
  g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  log_fd = g_open (launcher_log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (log_fd, >=, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (log_fd));
  g_subprocess_launcher_take_stderr_fd (launcher, log_fd);
  session = g_subprocess_launcher_spawn (launcher, &error, launcher_path, "--lockdown-test",
                                         policy_path, NULL);
  g_assert_no_error (error);

  started = wait_for_event (events, "started", NULL, launcher_log);
  engaged = wait_for_event (events, "engaged", "engage_failed", launcher_log);
  title = g_strdup (json_object_get_string_member (started, "title"));
  kiosk_pid = g_ascii_strtoll (strrchr (title, ' ') + 1, NULL, 10);
  g_assert_cmpint (kiosk_pid, >, 1);

  /* The kiosk knows it runs in the dedicated session. */
  g_test_message ("kiosk: %s", title);
  g_assert_true (json_object_get_boolean_member (engaged, "exam_session"));

  /* Its own X server, with VT switching and the zap key off in its configuration. */
  runtime = find_runtime_dir ();
  g_assert_nonnull (runtime);
  display_file = g_build_filename (runtime, "displayfd", NULL);
  g_assert_true (g_file_get_contents (display_file, &display_number, NULL, NULL));
  display = g_strdup_printf (":%s", g_strstrip (display_number));
  g_assert_cmpstr (display, !=, g_getenv ("DISPLAY"));
  {
    g_autofree char *log_path = g_build_filename (runtime, "Xorg.log", NULL);

    g_assert_true (g_file_get_contents (log_path, &xorg_log, NULL, NULL));
  }
  g_assert_nonnull (strstr (xorg_log, "Option \"DontVTSwitch\" \"true\""));
  g_assert_nonnull (strstr (xorg_log, "Option \"DontZap\" \"true\""));
  g_assert_nonnull (strstr (xorg_log, "Using config directory: \"xorg.conf.d\""));
  xauthority = g_build_filename (runtime, "Xauthority", NULL);

  /* Only the holder of the session's cookie may connect (issue 13, item 7): a client
   * without it, or with a cookie of its own making, is refused. */
  {
    g_autofree char *forged = g_build_filename (tmp_dir, "forged-xauthority", NULL);
    g_autofree char *forge = g_strdup_printf ("sh -c 'echo \"add %s . $(mcookie)\" | "
                                              "xauth -q -f %s source -'", display, forged);
    g_autofree char *refused = NULL;
    g_autofree char *forged_out = NULL;
    g_autofree char *allowed = NULL;
    GStatBuf st;
    int status = 0;

    g_assert_no_errno (g_stat (xauthority, &st));
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
    g_assert_no_errno (g_stat (runtime, &st));
    g_assert_cmpint (st.st_mode & 0077, ==, 0);

    refused = run_as (display, "/dev/null", "xdpyinfo", &status);
    g_test_message ("xdpyinfo without the cookie: status %d", status);
    g_assert_false (g_spawn_check_wait_status (status, NULL));
    g_free (run_as (display, "/dev/null", forge, NULL));
    forged_out = run_as (display, forged, "xdpyinfo", &status);
    g_test_message ("xdpyinfo with a forged cookie: status %d", status);
    g_assert_false (g_spawn_check_wait_status (status, NULL));

    session_xauthority = xauthority;
    allowed = run_as (display, xauthority, "xdpyinfo", &status);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }
  /* …and out of the keymap as well. */
  keymap = run (display, "setxkbmap -query");
  g_test_message ("keymap on %s:\n%s", display, keymap);
  g_assert_nonnull (strstr (keymap, "srvrkeys:none"));

  /* No window manager, and every window on screen is the kiosk's. */
  wm_check = run (display, "xprop -root _NET_SUPPORTING_WM_CHECK");
  g_assert_null (strstr (wm_check, "window id"));
  windows = run (display, "xdotool search --maxdepth 1 --onlyvisible --name \"\"");
  window_ids = g_strsplit (windows, "\n", -1);
  {
    g_autofree char *root_info = run (display, "xwininfo -root");
    const char *root_hex = strstr (root_info, "Window id: ");
    guint64 root = root_hex != NULL ? g_ascii_strtoull (root_hex + strlen ("Window id: "), NULL, 16) : 0;
    guint n_kiosk = 0;

    g_assert_cmpuint (root, >, 0);
    for (guint i = 0; window_ids[i] != NULL; i++)
      {
        g_autofree char *command = g_strdup_printf ("xdotool getwindowpid %s", window_ids[i]);
        g_autofree char *pid = NULL;

        if (g_ascii_strtoull (window_ids[i], NULL, 10) == root)
          continue;
        pid = run (display, command);
        g_test_message ("window %s: PID %s", window_ids[i], pid);
        g_assert_cmpint (g_ascii_strtoll (pid, NULL, 10), ==, kiosk_pid);
        n_kiosk++;
      }
    g_assert_cmpuint (n_kiosk, >, 0);
  }

  /* The session is the kiosk: when it ends, the X server goes with it. */
  socket_path = g_strdup_printf ("/tmp/.X11-unix/X%s", display_number);
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_assert_no_errno (kill ((pid_t) kiosk_pid, SIGTERM));
  g_subprocess_wait (session, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (session));
  g_assert_cmpint (g_subprocess_get_exit_status (session), ==, 0);
  g_assert_false (g_file_test (runtime, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  session_xauthority = "/dev/null";
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("EK_TEST_BUILDDIR") == NULL || g_getenv ("EK_TEST_SRCDIR") == NULL)
    {
      g_test_skip ("needs EK_TEST_BUILDDIR and EK_TEST_SRCDIR (run through meson test)");
      return 77;
    }

  tmp_dir = g_dir_make_tmp ("ek-session-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/lockdown/exam-session/launcher", test_launcher);
  status = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", tmp_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);
  return status;
}
