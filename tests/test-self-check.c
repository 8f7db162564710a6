/* test-self-check.c: the device check, every probe through redirected sources
 *
 * Each case builds a fake /proc, /sys, DMI folder, X server configuration or media
 * source, runs only the group it is about, and asserts the status and the measured
 * value. The network cases run against the reference server and its fault switches;
 * the command-line cases run the real exam-kiosk binary.
 */

/* posix_openpt() and the like, for a pseudo-terminal */
#define _XOPEN_SOURCE 600
#define _DEFAULT_SOURCE

#include "config.h"

#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-camera-view.h"
#include "ek-layout-check.h"
#include "ek-self-check-page.h"
#include "ek-self-check.h"
#include "ek-test-server.h"
#include "ek-test-xorg.h"

/* from the generated ek-resources.h (BUILDDIR/assets) */
void ek_register_resource (void);

static char *tmp_root;
static gboolean have_display;

/* Helpers */

static void
put (const char *relative,
     const char *contents,
     gssize      length)
{
  g_autofree char *path = g_build_filename (tmp_root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static char *
root_path (const char *relative)
{
  return g_build_filename (tmp_root, relative, NULL);
}

static void
clear_root (void)
{
  g_autofree char *command = g_strdup_printf ("rm -rf %s/proc %s/sys %s/dmi %s/etc %s/usr %s/cpuinfo",
                                              tmp_root, tmp_root, tmp_root, tmp_root, tmp_root,
                                              tmp_root);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

static EkProbeSources *
fake_sources (const char * const *environ_extra)
{
  EkProbeSources *sources = ek_probe_sources_new ();
  g_auto(GStrv) env = g_new0 (char *, 1);

  g_free (sources->proc_root);
  sources->proc_root = root_path ("proc");
  g_free (sources->sys_root);
  sources->sys_root = root_path ("sys");
  g_free (sources->dmi_dir);
  sources->dmi_dir = root_path ("dmi");
  g_free (sources->cpuinfo_path);
  sources->cpuinfo_path = root_path ("cpuinfo");
  g_free (sources->dev_root);
  sources->dev_root = root_path ("dev");
  g_free (sources->preload_path);
  sources->preload_path = root_path ("ld.so.preload");

  /* A clean environment: the test runner's own (an Xvfb DISPLAY, maybe SSH) is not
   * what is judged. */
  env = g_environ_setenv (env, "DISPLAY", ":0", TRUE);
  for (guint i = 0; environ_extra != NULL && environ_extra[i] != NULL; i += 2)
    env = g_environ_setenv (env, environ_extra[i], environ_extra[i + 1], TRUE);
  sources->environ = g_steal_pointer (&env);

  return sources;
}

static EkSelfCheck *
new_check (const char         *server_url,
           const char * const *groups,
           const char * const *environ_extra)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(EkProbeSources) sources = fake_sources (environ_extra);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  EkSelfCheck *check;

  data = g_strdup_printf ("[server]\nurl=%s\n[storage]\ndata-dir=%s/data\n[media]\nsource=test\n",
                          server_url != NULL ? server_url : "https://exam.invalid",
                          tmp_root);
  g_assert_true (ek_config_load_from_data (config, data, -1, "test", &error));
  g_assert_no_error (error);

  check = ek_self_check_new (config);
  ek_self_check_set_probe_sources (check, sources);
  ek_self_check_set_groups (check, groups);
  ek_self_check_set_xorg_root (check, tmp_root);
  return check;
}

static void
run_check (EkSelfCheck *check)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_self_check_run_async (check, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_self_check_get_running (check));
  g_assert_true (ek_self_check_run_finish (check, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_false (ek_self_check_get_running (check));
  g_assert_cmpfloat (ek_self_check_get_fraction (check), ==, 1.0);
}

static const EkCheckResult *
expect (EkSelfCheck   *check,
        const char    *id,
        EkCheckStatus  status)
{
  const EkCheckResult *result = ek_self_check_lookup (check, id);

  if (result == NULL)
    g_error ("no result %s", id);
  if (result->status != status)
    g_error ("%s: expected %s, got %s (%s)", id, ek_check_status_to_string (status),
             ek_check_status_to_string (result->status), result->value);

  g_assert_nonnull (result->title);
  g_assert_nonnull (result->value);
  if (status == EK_CHECK_PASS || status == EK_CHECK_SKIP)
    g_assert_null (result->remedy);
  else
    g_assert_true (result->remedy != NULL && *result->remedy != '\0');

  return result;
}

static void
put_meminfo (guint64 total_kb,
             guint64 available_kb)
{
  g_autofree char *meminfo = g_strdup_printf ("MemTotal:       %" G_GUINT64_FORMAT " kB\n"
                                              "MemFree:          100000 kB\n"
                                              "MemAvailable:   %" G_GUINT64_FORMAT " kB\n"
                                              "Buffers:           2000 kB\n",
                                              total_kb, available_kb);

  put ("proc/meminfo", meminfo, -1);
}

/* Memory */

static void
test_memory (void)
{
  const char * const groups[] = { "memory", NULL };

  clear_root ();
  put_meminfo (8 * 1024 * 1024, 6 * 1024 * 1024);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *total;

    run_check (check);
    total = expect (check, "memory.total", EK_CHECK_PASS);
    g_assert_cmpfloat (total->measured, ==, 8.0 * 1024 * 1024 * 1024);
    g_assert_cmpstr (total->unit, ==, "bytes");
    expect (check, "memory.available", EK_CHECK_PASS);
    g_assert_cmpuint (ek_self_check_get_results (check)->len, ==, 2);
    g_assert_finalize_object (g_steal_pointer (&check));
  }

  /* 3 GiB in all, 1 GiB free: both below the defaults (4 GiB and 2 GiB). */
  put_meminfo (3 * 1024 * 1024, 1024 * 1024);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    expect (check, "memory.total", EK_CHECK_FAIL);
    expect (check, "memory.available", EK_CHECK_FAIL);
  }

  /* The exam's policy decides: 2 GiB is enough for this one. */
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    EkSelfCheckPolicy policy;

    ek_self_check_policy_init_defaults (&policy);
    policy.min_memory_total_mb = 2048;
    policy.min_memory_available_mb = 512;
    ek_self_check_set_policy (check, &policy);
    run_check (check);
    expect (check, "memory.total", EK_CHECK_PASS);
    expect (check, "memory.available", EK_CHECK_PASS);
  }

  /* Unreadable: a failure that says so, not a pass. */
  clear_root ();
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    g_assert_true (isnan (expect (check, "memory.total", EK_CHECK_FAIL)->measured));
  }
}

/* Power */

static void
test_power (void)
{
  const char * const groups[] = { "power", NULL };

  /* A laptop at 10 % on battery. */
  clear_root ();
  put ("sys/class/power_supply/AC/type", "Mains\n", -1);
  put ("sys/class/power_supply/AC/online", "0\n", -1);
  put ("sys/class/power_supply/BAT0/type", "Battery\n", -1);
  put ("sys/class/power_supply/BAT0/capacity", "10\n", -1);
  put ("sys/class/power_supply/BAT0/status", "Discharging\n", -1);
  /* A wireless mouse's battery is not the computer's. */
  put ("sys/class/power_supply/hidpp_battery_0/type", "Battery\n", -1);
  put ("sys/class/power_supply/hidpp_battery_0/scope", "Device\n", -1);
  put ("sys/class/power_supply/hidpp_battery_0/capacity", "5\n", -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *power;

    run_check (check);
    power = expect (check, "power.source", EK_CHECK_FAIL);
    g_assert_cmpfloat (power->measured, ==, 10);
    g_assert_nonnull (strstr (power->value, "10"));
    /* Sleep inhibition is judged too (here: no system bus, so at most a warning). */
    g_assert_nonnull (ek_self_check_lookup (check, "power.inhibit"));
    g_assert_cmpint (ek_self_check_lookup (check, "power.inhibit")->status, !=, EK_CHECK_FAIL);
  }

  /* 60 % on battery: a warning to plug in. */
  put ("sys/class/power_supply/BAT0/capacity", "60\n", -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    expect (check, "power.source", EK_CHECK_WARN);
  }

  /* Plugged in and charging. */
  put ("sys/class/power_supply/AC/online", "1\n", -1);
  put ("sys/class/power_supply/BAT0/status", "Charging\n", -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    g_assert_cmpfloat (expect (check, "power.source", EK_CHECK_PASS)->measured, ==, 60);
  }

  /* A desktop lists no supply at all. */
  clear_root ();
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    expect (check, "power.source", EK_CHECK_PASS);
  }
}

/* Environment */

static void
test_environment (void)
{
  const char * const groups[] = { "environment", NULL };

  clear_root ();
  put ("dmi/sys_vendor", "QEMU\n", -1);
  put ("dmi/product_name", "Standard PC (Q35 + ICH9, 2009)\n", -1);
  put ("cpuinfo", "processor : 0\nflags : fpu vme de\n", -1);
  put ("proc/self/status", "Name:\texam-kiosk\nTracerPid:\t0\n", -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *vm;

    run_check (check);
    vm = expect (check, "environment.vm", EK_CHECK_FAIL);
    g_assert_nonnull (strstr (vm->value, "QEMU"));
    g_assert_nonnull (strstr (vm->remedy, "QEMU"));
    expect (check, "environment.debugger", EK_CHECK_PASS);
  }

  /* A real computer, but traced by gdb and with a preloaded library. */
  clear_root ();
  put ("dmi/sys_vendor", "LENOVO\n", -1);
  put ("dmi/product_name", "20XW\n", -1);
  put ("cpuinfo", "processor : 0\nflags : fpu vme de\n", -1);
  put ("proc/self/status", "Name:\texam-kiosk\nTracerPid:\t77\n", -1);
  put ("proc/77/comm", "gdb\n", -1);
  {
    const char * const env[] = { "LD_PRELOAD", "/tmp/hook.so", NULL };
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, env);
    const EkCheckResult *debugger;

    run_check (check);
    expect (check, "environment.vm", EK_CHECK_PASS);
    debugger = expect (check, "environment.debugger", EK_CHECK_FAIL);
    g_assert_nonnull (strstr (debugger->value, "gdb"));
    g_assert_nonnull (strstr (debugger->value, "LD_PRELOAD=/tmp/hook.so"));
    g_assert_cmpfloat (debugger->measured, ==, 2);
  }
}

static void
test_processes (void)
{
  const char * const groups[] = { "processes", NULL };

  clear_root ();
  put ("proc/4711/comm", "obs\n", -1);
  put ("proc/4711/cmdline", "obs\0--startrecording\0", 21);
  put ("proc/4712/comm", "bash\n", -1);
  put ("proc/4712/cmdline", "bash\0", 5);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *processes;

    run_check (check);
    processes = expect (check, "environment.processes", EK_CHECK_FAIL);
    g_assert_nonnull (strstr (processes->value, "obs"));
    g_assert_null (strstr (processes->value, "bash"));
  }

  clear_root ();
  put ("proc/4712/comm", "bash\n", -1);
  put ("proc/4712/cmdline", "bash\0", 5);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    expect (check, "environment.processes", EK_CHECK_PASS);
  }
}

/* Disk */

static void
test_disk (void)
{
  const char * const groups[] = { "disk", NULL };
  g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
  g_autofree char *data_dir = root_path ("data");
  EkSelfCheckPolicy policy;
  const EkCheckResult *recording;
  g_autoptr(GDir) dir = NULL;
  GStatBuf st;

  clear_root ();
  ek_self_check_policy_init_defaults (&policy);
  policy.min_disk_system_mb = 1;
  policy.min_disk_recording_mb = G_MAXINT32;  /* two petabytes: no disk has that */
  ek_self_check_set_policy (check, &policy);
  ek_self_check_set_system_path (check, tmp_root);
  run_check (check);

  expect (check, "disk.system", EK_CHECK_PASS);
  recording = expect (check, "disk.recording", EK_CHECK_FAIL);
  g_assert_nonnull (strstr (recording->value, data_dir));
  g_assert_cmpfloat (expect (check, "disk.write", EK_CHECK_PASS)->measured, >, 0);

  /* The recording folder was made private, and the test file is gone. */
  g_assert_no_errno (g_stat (data_dir, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  dir = g_dir_open (data_dir, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

/* X server hardening */

static void
test_xserver (void)
{
  const char * const groups[] = { "xserver", NULL };
  g_autofree char *snippet_path = NULL;
  g_autofree char *snippet = NULL;

  snippet_path = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets", "exam-session",
                                   "50-exam-kiosk.conf", NULL);
  g_assert_true (g_file_get_contents (snippet_path, &snippet, NULL, NULL));

  /* Nothing configured: Xvfb's keymap switches VTs (or there is no display at all). */
  clear_root ();
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    ek_self_check_set_display_available (check, have_display);
    run_check (check);
    expect (check, "xserver.switching", EK_CHECK_WARN);
    g_assert_nonnull (strstr (ek_self_check_lookup (check, "xserver.switching")->remedy,
                              "50-exam-kiosk.conf"));
    g_assert_nonnull (ek_self_check_lookup (check, "xserver.grab_keys"));
  }

  /* The shipped snippet installed: both flags found. */
  put ("etc/X11/xorg.conf.d/50-exam-kiosk.conf", snippet, -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *switching;

    ek_self_check_set_display_available (check, have_display);
    run_check (check);
    switching = expect (check, "xserver.switching", EK_CHECK_PASS);
    g_assert_nonnull (strstr (switching->value, "50-exam-kiosk.conf"));
  }

  /* Only DontZap, and DontVTSwitch switched off again by a later file. */
  clear_root ();
  put ("etc/X11/xorg.conf.d/10-a.conf",
       "Section \"ServerFlags\"\n  Option \"DontZap\"\n  Option \"Dont_VT_Switch\" \"on\"\nEndSection\n", -1);
  put ("usr/share/X11/xorg.conf.d/20-b.conf",
       "# distribution default\nSection \"ServerFlags\"\n  Option \"DontVTSwitch\" \"false\"\nEndSection\n", -1);
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    run_check (check);
    expect (check, "xserver.switching", EK_CHECK_WARN);
  }
}

/* Session and monitors (need the test's Xvfb display) */

static void
test_session (void)
{
  const char * const groups[] = { "session", "monitors", NULL };

  clear_root ();
  {
    const char * const env[] = { "XDG_SESSION_TYPE", "wayland", NULL };
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, env);

    run_check (check);
    /* The exam's own refusal: where to log in instead. */
    g_assert_nonnull (strstr (expect (check, "session.x11", EK_CHECK_FAIL)->remedy,
                              "ExamKiosk exam session"));
  }
  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
    const EkCheckResult *local;

    /* No display and nothing remote in the environment: "Local display" cannot pass
     * while "Desktop session" says there is no display; it was not checked. */
    run_check (check);
    g_assert_nonnull (strstr (expect (check, "session.x11", EK_CHECK_FAIL)->value, "no X11 display"));
    local = expect (check, "session.local", EK_CHECK_SKIP);
    g_assert_nonnull (strstr (local->value, "no X11 display"));
    g_assert_null (local->remedy);
    /* Which file the settings come from, said by the check itself. */
    g_assert_cmpstr (expect (check, "config.file", EK_CHECK_PASS)->value, ==, "test");
  }
  {
    const char * const env[] = { "SSH_CONNECTION", "10.0.0.2 50000 10.0.0.3 22", NULL };
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, env);

    /* No display: nothing is counted, and that is a failure, not a pass. */
    run_check (check);
    expect (check, "session.x11", EK_CHECK_FAIL);
    expect (check, "monitors", EK_CHECK_FAIL);
    g_assert_nonnull (strstr (expect (check, "session.local", EK_CHECK_FAIL)->value,
                              "SSH_CONNECTION"));
  }

  if (!have_display)
    {
      g_test_skip ("no X11 display");
      return;
    }

  {
    g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);

    ek_self_check_set_display_available (check, TRUE);
    run_check (check);
    expect (check, "session.x11", EK_CHECK_PASS);
    /* The tests' display is Xvfb: a virtual display, named. */
    g_assert_nonnull (strstr (expect (check, "session.local", EK_CHECK_FAIL)->value, "Xvfb"));
    g_assert_cmpfloat (expect (check, "monitors", EK_CHECK_PASS)->measured, ==, 1);
  }
}

/* Camera and microphone, from test sources */

typedef struct
{
  guint frames;
  guint levels;
} MediaSeen;

static void
on_frame_cb (EkMediaProbe *probe,
             EkVideoFrame *frame,
             MediaSeen    *seen)
{
  g_assert_cmpuint (ek_video_frame_get_width (frame), ==, 640);
  seen->frames++;
}

static void
on_level_cb (EkMediaProbe *probe,
             GParamSpec   *pspec,
             MediaSeen    *seen)
{
  seen->levels++;
}

static EkSelfCheck *
run_media (const char *camera,
           const char *microphone,
           MediaSeen  *seen)
{
  const char * const groups[] = { "media", NULL };
  EkSelfCheck *check = new_check (NULL, groups, NULL);

  clear_root ();
  ek_self_check_set_media_descriptions (check, camera, microphone);
  g_signal_connect (ek_self_check_get_camera_probe (check), "frame", G_CALLBACK (on_frame_cb),
                    seen);
  g_signal_connect (ek_self_check_get_microphone_probe (check), "notify::level-db",
                    G_CALLBACK (on_level_cb), seen);
  run_check (check);

  return check;
}

static void
test_media_live (void)
{
  MediaSeen seen = { 0 };
  g_autoptr(EkSelfCheck) check =
    run_media ("videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! "
               "video/x-raw,width=1280,height=720,framerate=30/1",
               "audiotestsrc is-live=true wave=sine volume=0.5", &seen);
  const EkCheckResult *format;

  /* A test source is configured, never a camera: said so, as a warning. */
  expect (check, "camera.present", EK_CHECK_WARN);
  g_assert_cmpfloat (expect (check, "camera.frames", EK_CHECK_PASS)->measured, <, 3000);
  expect (check, "camera.black", EK_CHECK_PASS);
  expect (check, "camera.frozen", EK_CHECK_PASS);
  format = expect (check, "camera.format", EK_CHECK_PASS);
  g_assert_cmpfloat (format->measured, ==, 1280.0 * 720);
  g_assert_nonnull (strstr (format->value, "1280×720"));
  expect (check, "camera.virtual", EK_CHECK_PASS);
  expect (check, "microphone.present", EK_CHECK_WARN);
  g_assert_cmpfloat (expect (check, "microphone.level", EK_CHECK_PASS)->measured, >, -20);
  expect (check, "audio.headset", EK_CHECK_PASS);

  /* The live view got pictures and levels on the main context. */
  g_assert_cmpuint (seen.frames, >, 5);
  /* A steady tone is one level: notified once it differs from silence. */
  g_assert_cmpuint (seen.levels, >=, 1);
  g_assert_false (ek_media_probe_get_running (ek_self_check_get_camera_probe (check)));
}

static void
test_media_black_silent (void)
{
  MediaSeen seen = { 0 };
  g_autoptr(EkSelfCheck) check =
    run_media ("videotestsrc is-live=true pattern=black ! video/x-raw,width=1280,height=720",
               "audiotestsrc is-live=true volume=0", &seen);

  expect (check, "camera.frames", EK_CHECK_PASS);
  expect (check, "camera.black", EK_CHECK_FAIL);
  /* Black is also still; both are said. */
  expect (check, "camera.frozen", EK_CHECK_FAIL);
  g_assert_cmpfloat (expect (check, "microphone.level", EK_CHECK_FAIL)->measured, ==,
                     EK_MEDIA_PROBE_SILENCE_DB);
}

static void
test_media_frozen_small (void)
{
  MediaSeen seen = { 0 };
  /* One picture repeated for ever (what a program posing as a camera does), small and
   * slow; a silent wave. */
  g_autoptr(EkSelfCheck) check =
    run_media ("videotestsrc num-buffers=1 pattern=smpte ! "
               "video/x-raw,width=320,height=240,framerate=10/1 ! imagefreeze is-live=true",
               "audiotestsrc is-live=true wave=silence", &seen);

  expect (check, "camera.black", EK_CHECK_PASS);
  expect (check, "camera.frozen", EK_CHECK_FAIL);
  g_assert_nonnull (strstr (expect (check, "camera.format", EK_CHECK_FAIL)->value, "320×240"));
  expect (check, "microphone.level", EK_CHECK_FAIL);
}

static void
test_media_no_picture (void)
{
  MediaSeen seen = { 0 };
  /* A source that never delivers within the window: no picture is a failure. */
  g_autoptr(EkSelfCheck) check =
    run_media ("videotestsrc is-live=true pattern=ball num-buffers=0 ! video/x-raw,width=1280,height=720",
               "audiotestsrc is-live=true wave=sine", &seen);

  expect (check, "camera.frames", EK_CHECK_FAIL);
  g_assert_null (ek_self_check_lookup (check, "camera.black"));
  g_assert_cmpuint (seen.frames, ==, 0);
}

/* Network, against the reference server */

static EkSelfCheck *
run_network (const char *url)
{
  const char * const groups[] = { "network", NULL };
  EkSelfCheck *check = new_check (NULL, groups, NULL);

  ek_self_check_set_server_url (check, url);
  run_check (check);
  return check;
}

static void
test_network_good (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkSelfCheck) check = run_network (ek_test_server_get_base_url (server));

  const EkCheckResult *reachable;

  /* The reference server speaks plain http on loopback: accepted for tests, never
   * passed as "reachable over HTTPS". */
  reachable = expect (check, "network.reachable", EK_CHECK_WARN);
  g_assert_nonnull (strstr (reachable->value, "plain HTTP"));
  g_assert_null (strstr (reachable->value, "HTTPS"));
  g_assert_cmpstr (reachable->threshold, ==, "reachable over HTTPS");
  g_assert_nonnull (strstr (reachable->remedy, "https://"));
  g_assert_cmpfloat (expect (check, "network.rtt", EK_CHECK_PASS)->measured, <, 300);
  g_assert_cmpfloat (fabs (expect (check, "network.clock", EK_CHECK_PASS)->measured), <, 2000);
  g_assert_cmpfloat (expect (check, "network.upload", EK_CHECK_PASS)->measured, >=, 2000000);
  expect (check, "network.download", EK_CHECK_PASS);
  expect (check, "client.version", EK_CHECK_PASS);
}

/* Over https (a certificate of the test's own, trusted through [server] ca-file) the
 * server check passes, and says so. */
static void
test_network_https (void)
{
  g_autofree char *dir = g_build_filename (tmp_root, "tls", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *config_data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(EkTestServer) server = NULL;
  g_autoptr(EkSelfCheck) check = NULL;
  EkTestServerOptions options = { 0 };
  const char * const groups[] = { "network", NULL };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  ek_test_make_certificate (cert, key);

  options.tls_cert = cert;
  options.tls_key = key;
  server = ek_test_server_start (&options);
  config_data = g_strdup_printf ("[server]\nurl=%s\nca-file=%s\n[storage]\ndata-dir=%s/data\n",
                                 ek_test_server_get_base_url (server), cert, tmp_root);
  g_assert_true (ek_config_load_from_data (config, config_data, -1, "test", &error));
  g_assert_no_error (error);

  check = ek_self_check_new (config);
  ek_self_check_set_groups (check, groups);
  run_check (check);
  g_assert_nonnull (strstr (expect (check, "network.reachable", EK_CHECK_PASS)->value,
                            "reachable over HTTPS"));
  expect (check, "client.version", EK_CHECK_PASS);
}

static void
test_network_slow (void)
{
  /* Uploads read at 200 kB/s: ten times too slow for the default 2 MB/s. */
  const char * const faults[] = { "throttle_bytes_per_s=200000", "clock_skew_ms=5000", NULL };
  EkTestServerOptions options = { .faults = faults };
  g_autoptr(EkTestServer) server = ek_test_server_start (&options);
  g_autoptr(EkSelfCheck) check = NULL;
  const EkCheckResult *upload;
  const EkCheckResult *clock;
  gint64 start = g_get_monotonic_time ();

  check = run_network (ek_test_server_get_base_url (server));
  upload = expect (check, "network.upload", EK_CHECK_FAIL);
  g_assert_cmpfloat (upload->measured, <, 400000);
  g_assert_cmpfloat (upload->measured, >, 50000);
  /* The server runs 5 s ahead: the computer is behind, beyond the 2 s allowed. */
  clock = expect (check, "network.clock", EK_CHECK_WARN);
  g_assert_cmpfloat (clock->measured, >, 4000);
  g_assert_cmpfloat (clock->measured, <, 6000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 15 * G_USEC_PER_SEC);

  /* Every answer 1.5 s late: the round trip fails, and it stays short. */
  ek_test_server_set_faults (server, "{ \"latency_ms\": 1500 }");
  g_clear_object (&check);
  start = g_get_monotonic_time ();
  check = run_network (ek_test_server_get_base_url (server));
  g_assert_cmpfloat (expect (check, "network.rtt", EK_CHECK_FAIL)->measured, >=, 1400);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
}

static void
test_network_unreachable (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *url = g_strdup (ek_test_server_get_base_url (server));
  g_autoptr(EkSelfCheck) check = NULL;
  static const char * const ids[] = {
    "network.rtt", "network.clock", "network.upload", "network.download", "client.version",
  };

  /* Every request answered with 500. */
  ek_test_server_set_faults (server, "{ \"error_rate\": 1 }");
  check = run_network (url);
  g_assert_nonnull (strstr (expect (check, "network.reachable", EK_CHECK_FAIL)->value, "500"));

  /* Nobody listens any more. */
  ek_test_server_stop (g_steal_pointer (&server));
  g_clear_object (&check);
  check = run_network (url);
  expect (check, "network.reachable", EK_CHECK_FAIL);
  /* One failure, the server's; what depends on it is skipped, not failed again. */
  g_assert_cmpuint (ek_self_check_count (check, EK_CHECK_FAIL), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      const EkCheckResult *skipped = expect (check, ids[i], EK_CHECK_SKIP);

      g_assert_nonnull (strstr (skipped->value, "the exam server cannot be reached"));
      g_assert_null (skipped->remedy);
    }

  /* Not even an address: said so at once. */
  g_clear_object (&check);
  check = run_network ("http://exam.example.org");
  expect (check, "network.reachable", EK_CHECK_FAIL);
}

/* Report */

static void
test_report (void)
{
  const char * const groups[] = { "memory", "power", NULL };
  g_autoptr(EkSelfCheck) check = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *html = NULL;
  g_autofree char *json_path = root_path ("report.json");
  g_autofree char *html_path = root_path ("report.html");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonArray *checks;
  GStatBuf st;
  EkCheckResult extra = {
    .id = (char *) "speaker.tone", .title = (char *) "Speaker <test>",
    .status = EK_CHECK_WARN, .value = (char *) "a & b", .remedy = (char *) "Turn it up.",
    .measured = NAN,
  };

  clear_root ();
  put_meminfo (3 * 1024 * 1024, 1024 * 1024);
  check = new_check (NULL, groups, NULL);
  run_check (check);
  ek_self_check_add_result (check, &extra);

  sorted = ek_self_check_dup_sorted_results (check);
  g_assert_cmpint (((EkCheckResult *) g_ptr_array_index (sorted, 0))->status, ==, EK_CHECK_FAIL);
  g_assert_cmpint (((EkCheckResult *) g_ptr_array_index (sorted, sorted->len - 1))->status, ==,
                   EK_CHECK_PASS);

  root = ek_self_check_to_json (check);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "exam-kiosk-self-check");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "summary"), "fail"), ==, 2);
  g_assert_false (json_object_get_boolean_member (json_object_get_object_member (object, "summary"), "ready"));
  checks = json_object_get_array_member (object, "checks");
  g_assert_cmpuint (json_array_get_length (checks), ==, sorted->len);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (checks, 0), "status"), ==, "fail");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (checks, 0), "id"), ==, "memory.total");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (checks, 0), "unit"), ==, "bytes");

  /* Which computer, which configuration file ("test": new_check()'s source). */
  g_assert_cmpstr (json_object_get_string_member (object, "machine"), ==, g_get_host_name ());
  g_assert_cmpstr (json_object_get_string_member (object, "config_file"), ==, "test");

  html = ek_self_check_to_html (check);
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (html, "<title>Device check report</title>"));
  g_assert_nonnull (strstr (html, "configuration test"));
  g_assert_nonnull (strstr (html, g_get_host_name ()));
  g_assert_nonnull (strstr (html, "Speaker &lt;test&gt;"));
  g_assert_nonnull (strstr (html, "a &amp; b"));
  g_assert_nonnull (strstr (html, "2 checks failed"));
  g_assert_true (strstr (html, "memory.total") < strstr (html, "speaker.tone"));

  g_assert_true (ek_self_check_save_json (check, json_path, NULL));
  g_assert_true (ek_self_check_save_html (check, html_path, NULL));
  g_assert_no_errno (g_stat (json_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (json_parser_load_from_file (parser, json_path, NULL));
}

static void
test_busy_and_cancel (void)
{
  const char * const groups[] = { "media", NULL };
  g_autoptr(EkSelfCheck) check = new_check (NULL, groups, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  ek_self_check_run_async (check, cancellable, ek_test_result_cb, &first);
  ek_self_check_run_async (check, NULL, ek_test_result_cb, &second);
  g_assert_false (ek_self_check_run_finish (check, ek_test_wait (&second), &error));
  g_assert_error (error, EK_SELF_CHECK_ERROR, EK_SELF_CHECK_ERROR_BUSY);
  g_clear_error (&error);

  ek_test_sleep_ms (300);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_false (ek_self_check_run_finish (check, ek_test_wait (&first), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_false (ek_self_check_get_running (check));

  /* Let the probes' threads wind down before the check goes. */
  while (ek_media_probe_get_running (ek_self_check_get_camera_probe (check)) ||
         ek_media_probe_get_running (ek_self_check_get_microphone_probe (check)))
    g_main_context_iteration (NULL, TRUE);
}


/* The page */

static guint
count_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

static GtkWidget *
find_button_with_action (GtkWidget  *widget,
                         const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_action (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_label_with_text (GtkWidget  *widget,
                      const char *needle)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_with_text (child, needle);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
find_child_of_type (GtkWidget *widget,
                    GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_child_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
run_page (const char *language)
{
  /* The network against a server that refuses: its rows, the build's with its 64-digit
   * hash, on the page and laid out like the others. */
  const char * const groups[] = { "memory", "media", "network", NULL };
  g_autoptr(EkSelfCheck) check = NULL;
  GtkWidget *window;
  GtkWidget *page;
  GtkWidget *list;
  GtkWidget *first_row;
  GtkWidget *speak;
  EkCameraView *view;
  gint64 deadline;

  if (!have_display)
    {
      g_test_skip ("no X11 display");
      return;
    }

  clear_root ();
  put_meminfo (3 * 1024 * 1024, 1024 * 1024);
  check = new_check ("http://127.0.0.1:1", groups, NULL);
  ek_self_check_set_media_descriptions (check,
    "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! video/x-raw,width=1280,height=720",
    "audiotestsrc is-live=true wave=sine volume=0.5");

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1366, 768);
  page = ek_self_check_page_new (check);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  ek_self_check_page_start (EK_SELF_CHECK_PAGE (page));
  g_assert_true (ek_self_check_get_running (check));

  view = EK_CAMERA_VIEW (find_child_of_type (page, EK_TYPE_CAMERA_VIEW));
  list = find_child_of_type (page, GTK_TYPE_LIST_BOX);
  g_assert_nonnull (view);
  g_assert_nonnull (list);

  /* While it runs: the live picture and the level. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (ek_self_check_get_running (check) && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      if (ek_camera_view_get_paintable (view) != NULL && ek_camera_view_get_level (view) > 0.3)
        break;
    }
  g_assert_nonnull (ek_camera_view_get_paintable (view));
  g_assert_cmpfloat (ek_camera_view_get_level (view), >, 0.3);
  /* "Say a sentence" only while a microphone is measured. */
  speak = find_label_with_text (page, g_dgettext (GETTEXT_PACKAGE,
                                                  "Look into the camera and say a sentence out "
                                                  "loud, for example your name and today’s date: "
                                                  "the level above should move."));
  g_assert_nonnull (speak);
  g_assert_true (gtk_widget_get_visible (speak));

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (ek_self_check_get_running (check) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (ek_self_check_get_running (check));
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);

  /* The summary: one row per result, the failed memory checks first. */
  g_assert_cmpuint (count_rows (list), ==, ek_self_check_get_results (check)->len);
  g_assert_nonnull (ek_self_check_lookup (check, "client.build"));
  g_assert_nonnull (find_label_with_text (page, "SHA-256 "));
  first_row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (gtk_widget_get_first_child (list)));
  g_assert_true (gtk_widget_has_css_class (first_row, "ek-check-fail"));
  g_assert_false (ek_media_probe_get_running (ek_self_check_get_microphone_probe (check)));
  g_assert_false (gtk_widget_get_visible (speak));

  /* At 1366x768 (issue 16): the speaker test is in the column that scrolls, so it can be
   * reached, and nothing on the page (its bottom bar included) is cut off or crowded. */
  {
    GtkWidget *tone = find_button_with_action (page, "selfcheck.play-tone");
    GtkWidget *scroller = gtk_widget_get_ancestor (tone, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *content;
    GtkAdjustment *adjustment;
    graphene_rect_t bounds;
    g_autoptr(GPtrArray) problems = NULL;

    g_assert_nonnull (scroller);
    g_assert_true (gtk_widget_get_mapped (tone));
    content = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller))));
    adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    g_assert_true (gtk_widget_compute_bounds (tone, content, &bounds));
    g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_adjustment_get_upper (adjustment) + 1);

    problems = ek_layout_check (window);
    for (guint i = 0; i < problems->len; i++)
      g_printerr ("layout (%s): %s\n", language, (const char *) g_ptr_array_index (problems, i));
    g_assert_cmpuint (problems->len, ==, 0);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  while (ek_media_probe_get_running (ek_self_check_get_camera_probe (check)) ||
         ek_media_probe_get_running (ek_self_check_get_microphone_probe (check)))
    g_main_context_iteration (NULL, TRUE);
}

static void
test_page (void)
{
  run_page ("en");
}

/* The same page in Chinese, after the English one as the layout suite runs them: the
 * build's row (its hash a 64-digit word) laid out like the others. */
static void
test_page_chinese (void)
{
  g_autofree char *localedir = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "po", NULL);
  g_autofree char *catalogue = g_build_filename (localedir, "zh_CN", "LC_MESSAGES",
                                                 GETTEXT_PACKAGE ".mo", NULL);

  if (!g_file_test (catalogue, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the zh_CN catalogue is not built");
      return;
    }

  setlocale (LC_ALL, "C.UTF-8");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, "Exam program build"), !=, "Exam program build");

  run_page ("zh_CN");

  g_unsetenv ("LANGUAGE");
}

/* The report to the exam server, through the reference server */

static JsonArray *
admin_self_checks (EkTestServer *server,
                   const char   *session_id,
                   JsonObject  **out_admin)
{
  JsonObject *admin = ek_test_server_get_session (server, session_id);

  g_assert_nonnull (admin);
  *out_admin = admin;
  return json_object_get_array_member (admin, "self_checks");
}

static void
test_send (void)
{
  const char * const groups[] = { "memory", "power", NULL };
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkApiClient) api = ek_api_client_new (ek_test_server_get_base_url (server), NULL);
  g_autoptr(EkSelfCheck) check = NULL;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *id_again = NULL;
  gint64 received_ms = 0;
  gint64 received_again_ms = 0;
  const char *session_id;
  JsonArray *stored;
  JsonObject *entry;

  clear_root ();
  put_meminfo (3 * 1024 * 1024, 1024 * 1024);
  check = new_check (ek_test_server_get_base_url (server), groups, NULL);
  run_check (check);
  report = ek_self_check_to_json (check);

  /* Not logged in: refused, nothing stored anywhere. */
  ek_api_client_post_self_check_async (api, report, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_api_client_post_self_check_finish (api, ek_test_wait (&result), NULL, NULL,
                                                        &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_clear_object (&result);
  ek_api_client_login_async (api, "API-OPEN-7K2Q", "110105199001010010", NULL,
                             ek_test_result_cb, &result);
  info = ek_api_client_login_finish (api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  session_id = ek_session_info_get_session_id (info);

  g_clear_object (&result);
  ek_api_client_post_self_check_async (api, report, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_post_self_check_finish (api, ek_test_wait (&result), &id,
                                                       &received_ms, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (id, "sc-"));
  g_assert_cmpint (received_ms, >, 0);

  /* The same report again (a retry): the same id and time, stored once. */
  g_clear_object (&result);
  ek_api_client_post_self_check_async (api, report, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_post_self_check_finish (api, ek_test_wait (&result), &id_again,
                                                       &received_again_ms, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (id_again, ==, id);
  g_assert_cmpint (received_again_ms, ==, received_ms);

  stored = admin_self_checks (server, session_id, &admin);
  g_assert_nonnull (stored);
  g_assert_cmpuint (json_array_get_length (stored), ==, 1);
  entry = json_array_get_object_element (stored, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (entry, "received_ms"), ==, received_ms);
  /* Verbatim: every member and check as the client made them. */
  g_assert_true (json_node_equal (json_object_get_member (entry, "report"), report));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (entry, "report"), "checks")), ==,
                    ek_self_check_get_results (check)->len);

  /* Something that is not a report is refused. */
  {
    g_autoptr(JsonNode) bogus = json_from_string ("{\"checks\": 3}", NULL);

    g_clear_object (&result);
    ek_api_client_post_self_check_async (api, bogus, NULL, ek_test_result_cb, &result);
    g_assert_false (ek_api_client_post_self_check_finish (api, ek_test_wait (&result), NULL,
                                                          NULL, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* The page: the button only with a logged-in session; it sends the page's report. */
  if (have_display)
    {
      g_autoptr(EkApiClient) anonymous = ek_api_client_new (ek_test_server_get_base_url (server),
                                                            NULL);
      g_autoptr(JsonObject) admin_after = NULL;
      g_autoptr(JsonNode) page_report = NULL;
      EkCheckResult speaker = {
        .id = (char *) "speaker.tone", .title = (char *) "Speaker", .status = EK_CHECK_WARN,
        .value = (char *) "not heard", .remedy = (char *) "Turn the volume up.", .measured = NAN,
      };
      GtkWidget *window = gtk_window_new ();
      GtkWidget *page = ek_self_check_page_new (check);
      GtkWidget *button = find_button_with_action (page, "selfcheck.send");
      gint64 deadline;

      gtk_window_set_child (GTK_WINDOW (window), page);
      gtk_window_present (GTK_WINDOW (window));
      g_assert_nonnull (button);
      g_assert_false (gtk_widget_get_visible (button));
      ek_self_check_page_set_api (EK_SELF_CHECK_PAGE (page), anonymous);
      g_assert_false (gtk_widget_get_visible (button));
      ek_self_check_page_set_api (EK_SELF_CHECK_PAGE (page), api);
      g_assert_true (gtk_widget_get_visible (button));
      g_assert_true (gtk_widget_is_sensitive (button));
      /* The extra button still fits the smallest screen supported. */
      {
        int min_width = 0;

        gtk_widget_measure (page, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
        g_assert_cmpint (min_width, <=, 1366);
      }

      /* A report that differs from the one sent above, so the server keeps a second. */
      ek_self_check_add_result (check, &speaker);
      g_assert_true (gtk_widget_activate_action (page, "selfcheck.send", NULL));
      g_assert_false (gtk_widget_is_sensitive (button));  /* sending */
      deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
      while (!gtk_widget_is_sensitive (button) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (gtk_widget_is_sensitive (button));

      /* The page's report: every check, the added one included, as the page made it
       * (created may differ by a second from a report made now). */
      stored = admin_self_checks (server, session_id, &admin_after);
      g_assert_cmpuint (json_array_get_length (stored), ==, 2);
      entry = json_array_get_object_element (stored, 1);
      page_report = ek_self_check_to_json (check);
      g_assert_true (json_node_equal (json_object_get_member (json_object_get_object_member (entry, "report"), "checks"),
                                      json_object_get_member (json_node_get_object (page_report), "checks")));
      g_assert_false (json_node_equal (json_object_get_member (json_object_get_object_member (entry, "report"), "checks"),
                                       json_object_get_member (json_node_get_object (report), "checks")));
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* Saving from the page: what the file chooser's answer leads to */

static void
test_page_save (void)
{
  g_autoptr(EkSelfCheck) check = ek_self_check_new (NULL);
  g_autofree char *dir = root_path ("saved");
  g_autofree char *json_path = g_build_filename (dir, "device-check.json", NULL);
  g_autofree char *html_path = g_build_filename (dir, "device-check.html", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "missing", "device-check.json", NULL);
  g_autofree char *json_text = NULL;
  g_autofree char *html = NULL;
  g_autoptr(JsonNode) saved = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GStatBuf st;
  EkCheckResult failed = {
    .id = (char *) "memory.total", .title = (char *) "Memory (total)",
    .status = EK_CHECK_FAIL, .value = (char *) "3.0 GiB", .threshold = (char *) "4.0 GiB",
    .remedy = (char *) "Use a computer with more memory.", .measured = 3221225472.0,
    .unit = "bytes",
  };
  EkCheckResult passed = {
    .id = (char *) "power.ac", .title = (char *) "Power", .status = EK_CHECK_PASS,
    .value = (char *) "on AC <mains>", .measured = NAN,
  };

  if (!have_display)
    {
      g_test_skip ("no X11 display");
      return;
    }

  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  ek_self_check_add_result (check, &passed);
  ek_self_check_add_result (check, &failed);
  page = g_object_ref_sink (ek_self_check_page_new (check));

  g_assert_true (ek_self_check_page_save (EK_SELF_CHECK_PAGE (page), "json", json_path, &error));
  g_assert_no_error (error);
  g_assert_true (ek_self_check_page_save (EK_SELF_CHECK_PAGE (page), "html", html_path, &error));
  g_assert_no_error (error);

  g_assert_no_errno (g_stat (json_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_no_errno (g_stat (html_path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (json_path, &json_text, NULL, NULL));
  saved = json_from_string (json_text, &error);
  g_assert_no_error (error);
  expected = ek_self_check_to_json (check);
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (saved), "checks"),
                                  json_object_get_member (json_node_get_object (expected), "checks")));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (saved), "checks")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (json_node_get_object (saved), "checks"), 0), "id"),
                   ==, "memory.total");

  g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
  g_assert_nonnull (strstr (html, "Memory (total)"));
  g_assert_nonnull (strstr (html, "Use a computer with more memory."));
  g_assert_nonnull (strstr (html, "on AC &lt;mains&gt;"));

  /* A folder that does not exist: not saved, and why. */
  g_assert_false (ek_self_check_page_save (EK_SELF_CHECK_PAGE (page), "json", bad_path, &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (bad_path, G_FILE_TEST_EXISTS));

  g_assert_finalize_object (page);
}

/* Two monitors on Xorg's dummy driver (Xvfb shows GTK one monitor only) */

static void
test_monitors_xorg (void)
{
  g_autofree char *work_dir = NULL;
  g_autoptr(EkTestXorg) xorg = NULL;
  g_autofree char *saved_display = g_strdup (g_getenv ("DISPLAY"));

  if (g_test_subprocess ())
    {
      /* In a process whose display is the Xorg one: counts what the parent switched on. */
      const char * const groups[] = { "monitors", NULL };
      const char *expected = g_getenv ("EK_TEST_EXPECT_MONITORS");
      g_autoptr(EkSelfCheck) check = NULL;
      const EkCheckResult *result;

      g_assert_true (have_display);
      check = new_check (NULL, groups, NULL);
      ek_self_check_set_display_available (check, TRUE);
      run_check (check);
      result = ek_self_check_lookup (check, "monitors");
      g_assert_nonnull (result);
      printf ("monitors: %s, %g, %s\n", ek_check_status_to_string (result->status),
              result->measured, result->value);
      if (g_strcmp0 (expected, "2") == 0)
        {
          g_assert_cmpint (result->status, ==, EK_CHECK_FAIL);
          g_assert_cmpfloat (result->measured, ==, 2);
          g_assert_nonnull (strstr (result->value, "DUMMY0"));
          g_assert_nonnull (strstr (result->value, "DUMMY1"));
          g_assert_nonnull (result->remedy);
        }
      else
        {
          g_assert_cmpint (result->status, ==, EK_CHECK_PASS);
          g_assert_cmpfloat (result->measured, ==, 1);
          g_assert_null (result->remedy);
        }
      return;
    }

  work_dir = root_path ("xorg");
  g_assert_no_errno (g_mkdir_with_parents (work_dir, 0700));
  xorg = ek_test_xorg_start (work_dir);
  if (xorg == NULL)
    {
      g_test_skip ("Xorg with the dummy driver cannot start here");
      return;
    }

  g_setenv ("DISPLAY", ek_test_xorg_get_display (xorg), TRUE);

  ek_test_xorg_set_second_output (xorg, "--right-of DUMMY0");
  g_setenv ("EK_TEST_EXPECT_MONITORS", "2", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*monitors: fail, 2, *DUMMY0*DUMMY1*");

  ek_test_xorg_set_second_output (xorg, NULL);
  g_setenv ("EK_TEST_EXPECT_MONITORS", "1", TRUE);
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*monitors: pass, 1, *DUMMY0*");

  g_unsetenv ("EK_TEST_EXPECT_MONITORS");
  if (saved_display != NULL)
    g_setenv ("DISPLAY", saved_display, TRUE);
}

/* The command line */

static int
run_cli (const char * const *args,
         gboolean            with_display,
         char              **out,
         gint64             *elapsed_us)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *binary = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  int status = 0;

  g_ptr_array_add (argv, binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  if (!with_display)
    env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_setenv (env, "LANGUAGE", "en", TRUE);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                               out, NULL, &status, &error));
  g_assert_no_error (error);
  *elapsed_us = g_get_monotonic_time () - start;

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* On the terminal every FAIL line comes before the first other result. */
static void
assert_failures_first (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  gboolean other_seen = FALSE;
  guint fails = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "FAIL  "))
        {
          if (other_seen)
            g_error ("a failure after other results: %s", lines[i]);
          fails++;
        }
      else if (g_str_has_prefix (lines[i], "WARN  ") || g_str_has_prefix (lines[i], "SKIP  ") ||
               g_str_has_prefix (lines[i], "PASS  "))
        other_seen = TRUE;
    }

  g_assert_cmpuint (fails, >, 0);
  g_assert_true (other_seen);
}

/* Runs the command line with its stdout on a pseudo-terminal, as a technician's. */
static char *
run_cli_on_terminal (const char * const *args,
                     const char         *no_color)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *binary = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  int master, slave;
  char buffer[4096];
  ssize_t n;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  g_ptr_array_add (argv, binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "en", TRUE);
  if (no_color != NULL)
    g_subprocess_launcher_setenv (launcher, "NO_COLOR", no_color, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "NO_COLOR");
  g_subprocess_launcher_take_stdout_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* Until the child has gone and the terminal is drained (EIO once no one holds it). */
  g_clear_object (&launcher);
  while ((n = read (master, buffer, sizeof buffer)) > 0)
    g_string_append_len (out, buffer, n);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  close (master);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_cli_terminal (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *config_path = root_path ("terminal.conf");
  g_autofree char *config = g_strdup_printf ("[storage]\ndata-dir=%s/terminal-data\n", tmp_root);
  const char * const args[] = {
    "--self-check", "--config", config_path, "--server", ek_test_server_get_base_url (server), NULL,
  };
  g_autofree char *coloured = NULL;
  g_autofree char *plain = NULL;

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  /* On a terminal: failures in red, first. */
  coloured = run_cli_on_terminal (args, NULL);
  g_assert_nonnull (strstr (coloured, "\033[1;31mFAIL\033[0m  Monitors"));
  g_assert_nonnull (strstr (coloured, "\033[1;33mWARN\033[0m  Exam server"));
  g_assert_true (strstr (coloured, "\033[1;31mFAIL") < strstr (coloured, "\033[1;33mWARN"));
  g_assert_true (strstr (coloured, "\033[1;31mFAIL") < strstr (coloured, "\033[32mPASS"));

  /* NO_COLOR set: the same lines without colour, still failures first. */
  plain = run_cli_on_terminal (args, "1");
  g_assert_null (strchr (plain, '\033'));
  g_assert_nonnull (strstr (plain, "FAIL  Monitors"));
}

/* --help names the exit statuses of --self-check. */
static void
test_cli_help (void)
{
  const char * const args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  gint64 elapsed;

  g_assert_cmpint (run_cli (args, FALSE, &out, &elapsed), ==, 0);
  g_assert_nonnull (strstr (out, "--html=FILE"));
  g_assert_nonnull (strstr (out, "Exit status of --self-check"));
  g_assert_true (g_regex_match_simple ("^ +0 +.*ready", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^ +1 +.*failed", out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^ +2 +.*could not run", out, G_REGEX_MULTILINE, 0));
}

static void
test_cli (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *json_path = root_path ("cli.json");
  g_autofree char *config_path = root_path ("cli.conf");
  g_autofree char *config = g_strdup_printf ("[storage]\ndata-dir=%s/cli-data\n", tmp_root);
  const char * const args[] = {
    "--self-check", "--config", config_path, "--json", json_path,
    "--server", ek_test_server_get_base_url (server), NULL,
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  JsonObject *report;
  JsonArray *checks;
  gint64 elapsed;
  guint lines = 0;
  gboolean camera_failed = FALSE;

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  /* A bare machine: no display, no camera or microphone here. Honest failures, fast. */
  g_assert_cmpint (run_cli (args, FALSE, &out, &elapsed), ==, 1);
  g_assert_cmpint (elapsed, <, 20 * G_USEC_PER_SEC);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  report = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (report, "server"), ==,
                   ek_test_server_get_base_url (server));
  checks = json_object_get_array_member (report, "checks");
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);
      const char *id = json_object_get_string_member (check, "id");
      const char *status = json_object_get_string_member (check, "status");

      if (g_str_equal (id, "session.x11") || g_str_equal (id, "monitors"))
        g_assert_cmpstr (status, ==, "fail");
      /* The reference server is plain http on loopback: a warning, never a pass. */
      if (g_str_equal (id, "network.reachable"))
        g_assert_cmpstr (status, ==, "warn");
      /* Without a camera the camera check fails: it never passes for lack of one. */
      if (g_str_equal (id, "camera.present") && g_str_equal (status, "fail"))
        camera_failed = TRUE;
      if (g_str_has_prefix (id, "camera.") && !g_str_equal (id, "camera.virtual"))
        g_assert_cmpstr (status, !=, "pass");
    }
  g_assert_true (camera_failed);
  /* The report names the computer and the configuration file. */
  g_assert_cmpstr (json_object_get_string_member (report, "machine"), ==, g_get_host_name ());
  g_assert_cmpstr (json_object_get_string_member (report, "config_file"), ==, config_path);
  /* The computer and the file, one line per check, and the summary. */
  for (const char *p = out; (p = strchr (p, '\n')) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, ==, json_array_get_length (checks) + 3);
  g_assert_nonnull (strstr (out, g_get_host_name ()));
  g_assert_nonnull (strstr (out, config_path));
  g_assert_nonnull (strstr (out, "FAIL  Monitors"));
  assert_failures_first (out);
  /* Not a terminal: no colour. */
  g_assert_null (strchr (out, '\033'));
  /* Whoever reads it is the technician: nothing sends them to one. */
  g_assert_null (strstr (out, "Ask the technician"));
  g_assert_null (strstr (out, "ask the technician"));

  /* The HTML report from the command line too, naming the computer and the file. */
  {
    g_autofree char *html_path = root_path ("cli.html");
    g_autofree char *html = NULL;
    g_autofree char *html_out = NULL;
    g_autofree char *config_escaped = g_markup_escape_text (config_path, -1);
    const char * const html_args[] = {
      "--self-check", "--config", config_path, "--html", html_path,
      "--server", ek_test_server_get_base_url (server), NULL,
    };
    GStatBuf st;

    g_assert_cmpint (run_cli (html_args, FALSE, &html_out, &elapsed), ==, 1);
    g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
    g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
    g_assert_nonnull (strstr (html, "Device check report"));
    g_assert_nonnull (strstr (html, g_get_host_name ()));
    g_assert_nonnull (strstr (html, config_escaped));
    g_assert_no_errno (g_stat (html_path, &st));
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  }

  /* A server nobody answers: one failure, and what depends on it skipped. */
  {
    const char * const down[] = { "--self-check", "--config", config_path, "--json", json_path,
                                  "--server", "http://127.0.0.1:9", NULL };
    g_autofree char *down_out = NULL;
    g_autoptr(JsonParser) down_parser = json_parser_new ();
    JsonObject *summary;

    g_assert_cmpint (run_cli (down, FALSE, &down_out, &elapsed), ==, 1);
    g_assert_nonnull (strstr (down_out, "FAIL  Exam server"));
    g_assert_nonnull (strstr (down_out, "SKIP  Upload speed"));
    g_assert_null (strstr (down_out, "FAIL  Upload speed"));
    assert_failures_first (down_out);
    g_assert_true (json_parser_load_from_file (down_parser, json_path, NULL));
    summary = json_object_get_object_member (json_node_get_object (json_parser_get_root (down_parser)),
                                             "summary");
    g_assert_cmpint (json_object_get_int_member (summary, "skip"), >=, 5);
  }

  /* A server address that cannot be used: the check does not run. */
  {
    const char * const bad[] = { "--self-check", "--config", config_path,
                                 "--server", "ftp://exam.example.org", NULL };
    g_autofree char *bad_out = NULL;

    g_assert_cmpint (run_cli (bad, FALSE, &bad_out, &elapsed), ==, 2);
  }
  /* A report that cannot be written: not run either. */
  {
    const char * const bad[] = { "--self-check", "--config", config_path, "--json",
                                 "/nonexistent/folder/report.json", NULL };
    g_autofree char *bad_out = NULL;

    g_assert_cmpint (run_cli (bad, FALSE, &bad_out, &elapsed), ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_root = g_dir_make_tmp ("test-self-check-XXXXXX", NULL);
  have_display = g_getenv ("DISPLAY") != NULL && gtk_init_check ();
  ek_register_resource ();

  g_test_add_func ("/selfcheck/memory", test_memory);
  g_test_add_func ("/selfcheck/power", test_power);
  g_test_add_func ("/selfcheck/environment", test_environment);
  g_test_add_func ("/selfcheck/processes", test_processes);
  g_test_add_func ("/selfcheck/disk", test_disk);
  g_test_add_func ("/selfcheck/xserver", test_xserver);
  g_test_add_func ("/selfcheck/session", test_session);
  g_test_add_func ("/selfcheck/media/live", test_media_live);
  g_test_add_func ("/selfcheck/media/black-silent", test_media_black_silent);
  g_test_add_func ("/selfcheck/media/frozen-small", test_media_frozen_small);
  g_test_add_func ("/selfcheck/media/no-picture", test_media_no_picture);
  g_test_add_func ("/selfcheck/network/good", test_network_good);
  g_test_add_func ("/selfcheck/network/https", test_network_https);
  g_test_add_func ("/selfcheck/network/slow", test_network_slow);
  g_test_add_func ("/selfcheck/network/unreachable", test_network_unreachable);
  g_test_add_func ("/selfcheck/report", test_report);
  g_test_add_func ("/selfcheck/busy-and-cancel", test_busy_and_cancel);
  g_test_add_func ("/selfcheck/page", test_page);
  g_test_add_func ("/selfcheck/page/zh_CN", test_page_chinese);
  g_test_add_func ("/selfcheck/cli", test_cli);
  g_test_add_func ("/selfcheck/cli/terminal", test_cli_terminal);
  g_test_add_func ("/selfcheck/cli/help", test_cli_help);
  g_test_add_func ("/selfcheck/send", test_send);
  g_test_add_func ("/selfcheck/page/save", test_page_save);
  g_test_add_func ("/selfcheck/monitors/xorg-dummy", test_monitors_xorg);

  status = g_test_run ();

  ek_test_remove_tree (tmp_root);
  g_free (tmp_root);
  return status;
}
