/* ek-test-xorg.c: Xorg with the dummy video driver as a test fixture */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "ek-test-xorg.h"

struct _EkTestXorg
{
  GSubprocess *process;
  char        *display;   /* ":N" */
};

static void
xrandr (EkTestXorg *xorg,
        const char *arguments)
{
  g_autofree char *command = g_strdup_printf ("timeout 10 xrandr -display %s %s",
                                              xorg->display, arguments);
  g_autoptr(GError) error = NULL;

  /* Bounded: a helper that hangs must not hang the suite. */
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, &error))
    g_error ("%s: %s", command, error->message);
}

static void
die_with_parent (gpointer user_data)
{
  /* A test that aborts (g_error, a failed assertion) must not leave Xorg running. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The dummy driver's configuration: one 1920x1080 output on, room for a second one,
 * no input hot-plugging (a test server has no use for this machine's devices). */
static const char dummy_config[] =
  "Section \"ServerFlags\"\n  Option \"AutoAddDevices\" \"false\"\nEndSection\n"
  "Section \"Device\"\n  Identifier \"dummy\"\n  Driver \"dummy\"\n  VideoRam 256000\n"
  "EndSection\n"
  "Section \"Monitor\"\n  Identifier \"monitor\"\n  HorizSync 5.0-1000.0\n"
  "  VertRefresh 5.0-200.0\n  Modeline \"1920x1080\" 148.50 1920 2008 2052 2200 1080 1084"
  " 1089 1125 +hsync +vsync\nEndSection\n"
  "Section \"Screen\"\n  Identifier \"screen\"\n  Device \"dummy\"\n  Monitor \"monitor\"\n"
  "  DefaultDepth 24\n  SubSection \"Display\"\n    Depth 24\n    Modes \"1920x1080\"\n"
  "    Virtual 3840 1080\n  EndSubSection\nEndSection\n";

static void
write_file (const char *path,
            const char *contents,
            int         mode)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_assert_no_errno (g_chmod (path, mode));
}

/* Writes assets/exam-session/@name to @dir as meson's configure_file() would. */
static void
configure_script (const char *name,
                  const char *dir,
                  const char *bindir,
                  const char *libexecdir,
                  const char *pkgdatadir)
{
  g_autofree char *source = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets",
                                              "exam-session", name, NULL);
  g_autofree char *target = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) configured = NULL;

  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  configured = g_string_new (text);
  g_string_replace (configured, "@BINDIR@", bindir, 0);
  g_string_replace (configured, "@LIBEXECDIR@", libexecdir, 0);
  g_string_replace (configured, "@PKGDATADIR@", pkgdatadir, 0);
  write_file (target, configured->str, 0755);
}

/**
 * ek_test_xorg_install_exam_session:
 * @work_dir: an existing private folder
 *
 * Installs the dedicated exam session (assets/exam-session) into @work_dir as meson would,
 * for the kiosk of this build (EK_TEST_BUILDDIR/..): the launcher, the session script and
 * the X server's configuration snippet, with a dummy-driver device next to the snippet
 * standing for the graphics card a machine without a screen lacks.
 *
 * Returns: (transfer full): the path of the launcher, exam-kiosk-xorg
 */
char *
ek_test_xorg_install_exam_session (const char *work_dir)
{
  g_autofree char *share = g_build_filename (work_dir, "share", NULL);
  g_autofree char *libexec = g_build_filename (work_dir, "libexec", NULL);
  g_autofree char *bindir = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", NULL);
  g_autofree char *snippet_source = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets",
                                                      "exam-session", "50-exam-kiosk.conf", NULL);
  g_autofree char *snippet = g_build_filename (share, "xorg.conf.d", "50-exam-kiosk.conf", NULL);
  g_autofree char *device = g_build_filename (share, "xorg.conf.d", "10-dummy-device.conf", NULL);
  g_autofree char *snippet_text = NULL;

  configure_script ("exam-kiosk-xorg", libexec, bindir, libexec, share);
  configure_script ("exam-kiosk-session", libexec, bindir, libexec, share);
  g_assert_true (g_file_get_contents (snippet_source, &snippet_text, NULL, NULL));
  write_file (snippet, snippet_text, 0644);
  write_file (device, dummy_config, 0644);

  return g_build_filename (libexec, "exam-kiosk-xorg", NULL);
}

/**
 * ek_test_xorg_start:
 * @work_dir: an existing private folder for the configuration and the log
 *
 * Starts Xorg with the dummy driver on a display of its own: one 1920x1080 output on,
 * room for a second one. As non-root Xorg accepts only a relative -config path, the file is
 * written to, and Xorg started in, @work_dir. DISPLAY is left alone.
 *
 * Returns: (transfer full) (nullable): the server, or %NULL when Xorg cannot start here
 */
EkTestXorg *
ek_test_xorg_start (const char *work_dir)
{
  g_autofree char *config_path = g_build_filename (work_dir, "xorg-dummy.conf", NULL);
  g_autofree char *log_path = g_build_filename (work_dir, "xorg.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *line = NULL;
  g_autofree char *xorg_path = g_find_program_in_path ("Xorg");
  EkTestXorg *xorg;

  if (xorg_path == NULL)
    return NULL;

  if (!g_file_set_contents (config_path, dummy_config, -1, NULL))
    return NULL;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_cwd (launcher, work_dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, NULL, xorg_path, "-config", "xorg-dummy.conf",
                                         "-noreset", "-nolisten", "tcp", "-logfile", log_path,
                                         "-displayfd", "1", NULL);
  if (process == NULL)
    return NULL;

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  if (line == NULL || *line == '\0')
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return NULL;
    }

  xorg = g_new0 (EkTestXorg, 1);
  xorg->process = g_steal_pointer (&process);
  xorg->display = g_strdup_printf (":%s", g_strstrip (line));
  return xorg;
}

void
ek_test_xorg_stop (EkTestXorg *xorg)
{
  if (xorg == NULL)
    return;

  g_subprocess_force_exit (xorg->process);
  g_subprocess_wait (xorg->process, NULL, NULL);
  g_object_unref (xorg->process);
  g_free (xorg->display);
  g_free (xorg);
}

/* ":N", for DISPLAY */
const char *
ek_test_xorg_get_display (EkTestXorg *xorg)
{
  return xorg->display;
}

/**
 * ek_test_xorg_set_second_output:
 * @how: (nullable): xrandr placement, e.g. "--right-of DUMMY0" or "--same-as DUMMY0";
 *   %NULL switches the second output off
 *
 * Switches the second output DUMMY1 on (at 1920x1080) or off.
 */
void
ek_test_xorg_set_second_output (EkTestXorg *xorg,
                                const char *how)
{
  g_autofree char *arguments = NULL;

  xrandr (xorg, "--addmode DUMMY1 1920x1080");
  if (how == NULL)
    arguments = g_strdup ("--output DUMMY1 --off");
  else
    arguments = g_strdup_printf ("--output DUMMY1 --mode 1920x1080 %s", how);
  xrandr (xorg, arguments);
}
