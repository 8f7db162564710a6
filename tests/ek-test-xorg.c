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
  char        *keyboard;  /* the inputtest keyboard's socket; NULL: none */
  GSocketConnection *typing; /* to the keyboard; the driver takes one connection only */
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

/* A keyboard that is not XTEST: Xorg's inputtest driver (in xserver-xorg-core), fed
 * through a socket by ek_test_xorg_send_key(). */
static const char inputtest_driver[] = "/usr/lib/xorg/modules/input/inputtest_drv.so";

static char *
keyboard_config (const char *socket_path)
{
  return g_strdup_printf ("Section \"InputDevice\"\n  Identifier \"ek-keyboard\"\n"
                          "  Driver \"inputtest\"\n  Option \"SocketPath\" \"%s\"\n"
                          "  Option \"DeviceType\" \"Keyboard\"\nEndSection\n"
                          "Section \"ServerLayout\"\n  Identifier \"layout\"\n"
                          "  Screen \"screen\"\n  InputDevice \"ek-keyboard\" \"CoreKeyboard\"\n"
                          "EndSection\n", socket_path);
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

  g_autofree char *keyboard = g_build_filename (work_dir, "ek-keyboard.socket", NULL);
  g_autofree char *config = NULL;

  if (g_file_test (inputtest_driver, G_FILE_TEST_EXISTS))
    {
      g_autofree char *devices = keyboard_config (keyboard);

      config = g_strconcat (dummy_config, devices, NULL);
    }
  else
    {
      config = g_strdup (dummy_config);
      g_clear_pointer (&keyboard, g_free);
    }
  if (!g_file_set_contents (config_path, config, -1, NULL))
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
  if (keyboard != NULL && g_file_test (keyboard, G_FILE_TEST_EXISTS))
    xorg->keyboard = g_steal_pointer (&keyboard);
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
  g_free (xorg->keyboard);
  g_clear_object (&xorg->typing);
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

/* The inputtest protocol (xorg-server's include/xf86-input-inputtest-protocol.h, which
 * Debian ships in no -dev package): a header, then the event. */
enum {
  IT_EVENT_CLIENT_VERSION = 0,
  IT_EVENT_WAIT_FOR_SYNC = 1,
  IT_EVENT_KEY = 5,
};

typedef struct
{
  guint32 length;
  guint32 type;
} ItHeader;

typedef struct
{
  ItHeader header;
  guint16  major;
  guint16  minor;
} ItVersion;

typedef struct
{
  ItHeader header;
  gint32   key_code;
  guint32  is_press;
} ItKey;

/* Returns: whether Xorg runs with a keyboard that is not XTEST (inputtest) */
gboolean
ek_test_xorg_has_keyboard (EkTestXorg *xorg)
{
  return xorg->keyboard != NULL;
}

static void
write_all (GOutputStream *output,
           const void    *data,
           gsize          length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (output, data, length, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
read_all (GInputStream *input,
          void         *data,
          gsize         length)
{
  g_autoptr(GError) error = NULL;
  gsize got = 0;

  g_input_stream_read_all (input, data, length, &got, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, length);
}

/**
 * ek_test_xorg_send_keys:
 * @keycodes: X keycodes pressed in order, then released in reverse (a chord, e.g.
 *   Alt_L 64 + Tab 23); 0-terminated
 *
 * Types on the inputtest keyboard, as a person would on a real one, and waits until the
 * X server has processed it. The connection stays open: the driver serves one.
 */
void
ek_test_xorg_send_keys (EkTestXorg *xorg,
                        const int  *keycodes)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *output;
  GInputStream *input;
  ItHeader sync = { sizeof sync, IT_EVENT_WAIT_FOR_SYNC };
  ItHeader synced;
  guint n = 0;

  g_assert_nonnull (xorg->keyboard);
  if (xorg->typing == NULL)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketAddress) address = g_unix_socket_address_new (xorg->keyboard);
      ItVersion version = { { sizeof version, IT_EVENT_CLIENT_VERSION }, 1, 0 };
      ItVersion answer;

      xorg->typing = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL,
                                              &error);
      g_assert_no_error (error);
      write_all (g_io_stream_get_output_stream (G_IO_STREAM (xorg->typing)), &version,
                 sizeof version);
      read_all (g_io_stream_get_input_stream (G_IO_STREAM (xorg->typing)), &answer,
                sizeof answer);
    }
  output = g_io_stream_get_output_stream (G_IO_STREAM (xorg->typing));
  input = g_io_stream_get_input_stream (G_IO_STREAM (xorg->typing));

  while (keycodes[n] != 0)
    n++;
  for (guint i = 0; i < 2 * n; i++)
    {
      gboolean press = i < n;
      ItKey key = { { sizeof key, IT_EVENT_KEY }, keycodes[press ? i : 2 * n - 1 - i], press };

      write_all (output, &key, sizeof key);
    }
  write_all (output, &sync, sizeof sync);
  read_all (input, &synced, sizeof synced);
}
