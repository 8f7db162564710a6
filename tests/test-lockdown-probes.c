/* test-lockdown-probes.c: the lockdown probes on fake /proc, /sys, DMI and cpuinfo sources,
 * and the process scan on this computer's /proc with a stand-in for a forbidden program */

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "ek-audio-devices.h"
#include "ek-environment.h"
#include "ek-process-scan.h"
#include "ek-video-devices.h"

static char *root;

static void
put (const char *relative,
     const char *contents,
     gssize      length)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static void
link_to (const char *relative,
         const char *target)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static char *base;

/* Each test gets a fresh fake root. */
static EkProbeSources *
fake_sources (void)
{
  EkProbeSources *sources = ek_probe_sources_new ();
  static guint serial;

  g_free (root);
  root = g_strdup_printf ("%s/%u", base, ++serial);
  g_mkdir_with_parents (root, 0700);

  g_free (sources->proc_root);
  sources->proc_root = g_build_filename (root, "proc", NULL);
  g_free (sources->sys_root);
  sources->sys_root = g_build_filename (root, "sys", NULL);
  g_free (sources->dmi_dir);
  sources->dmi_dir = g_build_filename (root, "dmi", NULL);
  g_free (sources->cpuinfo_path);
  sources->cpuinfo_path = g_build_filename (root, "cpuinfo", NULL);
  g_free (sources->dev_root);
  sources->dev_root = g_build_filename (root, "dev", NULL);
  g_free (sources->preload_path);
  sources->preload_path = g_build_filename (root, "ld.so.preload", NULL);
  sources->environ = g_new0 (char *, 1);

  return sources;
}

static const EkFinding *
find (GPtrArray  *findings,
      const char *id)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const EkFinding *finding = g_ptr_array_index (findings, i);

      if (g_str_equal (finding->id, id))
        return finding;
    }

  return NULL;
}

static void
test_environment_clean (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = NULL;

  put ("dmi/sys_vendor", "LENOVO\n", -1);
  put ("dmi/product_name", "ThinkPad T14\n", -1);
  put ("cpuinfo", "flags\t\t: fpu vme sse2\n", -1);
  put ("proc/self/status", "Name:\ttest\nTracerPid:\t0\n", -1);

  findings = ek_environment_probe_all (sources);
  for (guint i = 0; i < findings->len; i++)
    g_test_message ("unexpected: %s", ((EkFinding *) g_ptr_array_index (findings, i))->description);
  g_assert_cmpuint (findings->len, ==, 0);
}

static void
test_environment_findings (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = NULL;
  const EkFinding *finding;

  put ("dmi/sys_vendor", "QEMU\n", -1);
  put ("proc/self/status", "Name:\ttest\nTracerPid:\t77\n", -1);
  put ("proc/77/comm", "gdb\n", -1);
  put ("ld.so.preload", "/usr/lib/evil.so\n", -1);
  sources->environ = g_environ_setenv (sources->environ, "LD_PRELOAD", "/tmp/hook.so", TRUE);
  sources->environ = g_environ_setenv (sources->environ, "SSH_CONNECTION", "10.0.0.2 5 10.0.0.1 22", TRUE);

  findings = ek_environment_probe_all (sources);

  finding = find (findings, EK_FINDING_HYPERVISOR);
  g_assert_nonnull (finding);
  g_assert_cmpstr (finding->subject, ==, "QEMU");
  g_assert_cmpint (finding->severity, ==, EK_SEVERITY_BLOCK);
  g_assert_nonnull (strstr (finding->description, "QEMU"));

  finding = find (findings, EK_FINDING_DEBUGGER);
  g_assert_nonnull (finding);
  g_assert_cmpstr (finding->subject, ==, "gdb (PID 77)");

  finding = find (findings, EK_FINDING_INJECTION);
  g_assert_nonnull (finding);
  g_assert_cmpstr (finding->subject, ==, "LD_PRELOAD=/tmp/hook.so");

  finding = find (findings, EK_FINDING_REMOTE_SESSION);
  g_assert_nonnull (finding);
  g_assert_true (g_str_has_prefix (finding->subject, "SSH_CONNECTION="));

  /* Two injections: the variable and /etc/ld.so.preload. */
  {
    guint n = 0;

    for (guint i = 0; i < findings->len; i++)
      n += g_str_equal (((EkFinding *) g_ptr_array_index (findings, i))->id, EK_FINDING_INJECTION);
    g_assert_cmpuint (n, ==, 2);
  }
}

static void
test_environment_cpuinfo_and_display (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();

  put ("dmi/sys_vendor", "Dell Inc.\n", -1);
  put ("cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisor sse2\n", -1);
  sources->environ = g_environ_setenv (sources->environ, "DISPLAY", "lab-host:10.0", TRUE);

  ek_environment_probe_hypervisor (sources, findings);
  ek_environment_probe_remote_session (sources, findings);
  g_assert_nonnull (find (findings, EK_FINDING_HYPERVISOR));
  g_assert_cmpstr (find (findings, EK_FINDING_REMOTE_SESSION)->subject, ==, "DISPLAY=lab-host:10.0");
}

static void
test_usb_storage (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();

  put ("sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/host6/block/sdb/device/model", "Cruzer Blade\n", -1);
  link_to ("sys/block/sdb", "../devices/pci0000:00/0000:00:14.0/usb1/1-1/host6/block/sdb");
  put ("sys/devices/pci0000:00/ata1/block/sda/device/model", "Samsung SSD\n", -1);
  link_to ("sys/block/sda", "../devices/pci0000:00/ata1/block/sda");

  ek_environment_probe_usb_storage (sources, findings);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpstr (find (findings, EK_FINDING_USB_STORAGE)->subject, ==, "Cruzer Blade (sdb)");
}

/* The network fingerprint: the system's (a string, whatever this machine has), or the
 * redirected file's addresses sorted, blank and malformed lines left out. */
static void
test_network_fingerprint (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autofree char *system = ek_environment_network_fingerprint (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_nonnull (system);
  g_assert_null (strstr (system, "lo="));

  put ("network", "wlan0=203.0.113.5\n\nnot an address\neth0=192.0.2.10\n", -1);
  sources->network_path = g_build_filename (root, "network", NULL);
  before = ek_environment_network_fingerprint (sources);
  g_assert_cmpstr (before, ==, "eth0=192.0.2.10 wlan0=203.0.113.5");

  put ("network", "eth0=198.51.100.7\n", -1);
  after = ek_environment_network_fingerprint (sources);
  g_assert_cmpstr (after, ==, "eth0=198.51.100.7");
}

static void
test_video_devices (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();

  /* A loopback renamed to look like a webcam: it has no parent device. */
  put ("sys/devices/virtual/video4linux/video0/name", "Integrated Camera\n", -1);
  link_to ("sys/class/video4linux/video0", "../../devices/virtual/video4linux/video0");
  /* A real USB camera. */
  put ("sys/devices/usb1/1-2/1-2:1.0/video4linux/video1/name", "Integrated Camera\n", -1);
  put ("sys/drivers/uvcvideo/.keep", "", 0);
  put ("sys/bus/usb/.keep", "", 0);
  link_to ("sys/devices/usb1/1-2/1-2:1.0/driver", "../../../../drivers/uvcvideo");
  link_to ("sys/devices/usb1/1-2/1-2:1.0/subsystem", "../../../../bus/usb");
  link_to ("sys/devices/usb1/1-2/1-2:1.0/video4linux/video1/device", "../../../1-2:1.0");
  link_to ("sys/class/video4linux/video1", "../../devices/usb1/1-2/1-2:1.0/video4linux/video1");

  ek_video_devices_probe (sources, findings);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_nonnull (strstr (find (findings, EK_FINDING_VIRTUAL_CAMERA)->subject, "video0"));

  {
    g_autoptr(GPtrArray) devices = ek_video_devices_list (sources);

    g_assert_cmpuint (devices->len, ==, 2);
    for (guint i = 0; i < devices->len; i++)
      {
        EkVideoDevice *device = g_ptr_array_index (devices, i);

        if (g_str_equal (device->node, "video1"))
          {
            g_assert_false (device->is_virtual);
            g_assert_cmpstr (device->driver, ==, "uvcvideo");
            g_assert_cmpstr (device->bus, ==, "usb");
          }
      }
  }
}

static void
test_audio_devices (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();

  put ("proc/asound/cards",
       " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n"
       "                      HDA Intel PCH at 0xf7f10000 irq 33\n"
       " 1 [Headset        ]: USB-Audio - Logitech USB Headset\n"
       "                      Logitech Logitech USB Headset at usb-0000:00:14.0-2\n", -1);
  put ("sys/class/bluetooth/hci0/name", "hci0\n", -1);

  ek_audio_devices_probe (sources, findings);
  g_assert_cmpuint (findings->len, ==, 2);
  g_assert_cmpstr (find (findings, EK_FINDING_HEADSET)->subject, ==, "Logitech USB Headset");
  g_assert_cmpint (find (findings, EK_FINDING_BLUETOOTH)->severity, ==, EK_SEVERITY_WARN);
}

static void
test_process_scan_fake_proc (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(EkProcessScanner) scanner = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  const char * const extra[] = { "exam-helper-x", NULL };
  const char * const no_path[] = { NULL };

  put ("proc/101/comm", "zoom\n", -1);
  put ("proc/101/cmdline", "/opt/zoom/zoom\0--meeting\0", 21);
  put ("proc/102/comm", "python3\n", -1);
  put ("proc/102/cmdline", "python3\0/opt/x/exam-helper-x\0", 29);
  put ("proc/103/comm", "less\n", -1);
  put ("proc/103/cmdline", "less\0zoom\0", 10);
  put ("proc/104/comm", "Xephyr\n", -1);
  put ("proc/104/cmdline", "Xephyr\0:2\0", 10);
  /* Started through the dynamic loader, with one of the loader's options before it. */
  put ("proc/105/comm", "ld-linux-x86-64\n", -1);
  put ("proc/105/cmdline", "/lib64/ld-linux-x86-64.so.2\0--library-path\0/opt/lib\0/usr/bin/xwd\0-root\0", 71);
  /* ffmpeg renamed, reading the screen: found by its screen source. */
  put ("proc/106/comm", "notes\n", -1);
  put ("proc/106/cmdline", "./notes\0-f\0x11grab\0-i\0:0\0", 25);
  /* Capture tools count on this display only: 105 and 106 work on it, 107 (the same xwd)
   * on another one. */
  sources->environ = g_environ_setenv (sources->environ, "DISPLAY", ":7", TRUE);
  put ("proc/105/environ", "DISPLAY=:7\0", 11);
  put ("proc/106/environ", "LANG=C\0DISPLAY=:7.0\0", 20);
  put ("proc/107/comm", "xwd\n", -1);
  put ("proc/107/cmdline", "xwd\0-root\0", 10);
  put ("proc/107/environ", "DISPLAY=:4242\0", 14);
  put ("proc/self/comm", "ignored\n", -1);

  scanner = ek_process_scanner_new (sources);
  ek_process_scanner_set_search_path (scanner, no_path);
  ek_process_scanner_add_names (scanner, EK_FINDING_BLOCKED_PROCESS, extra);
  findings = ek_process_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);

  /* zoom by name, the policy's program through its interpreter, Xephyr as a virtual
   * display, xwd through the dynamic loader, a renamed ffmpeg by its x11grab; "less zoom"
   * (a file name, not a program) is not a match. */
  g_assert_cmpuint (findings->len, ==, 5);
  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      if (finding->pid == 101)
        g_assert_cmpstr (finding->subject, ==, "zoom (PID 101)");
      else if (finding->pid == 102)
        g_assert_cmpstr (finding->subject, ==, "exam-helper-x (python3, PID 102)");
      else if (finding->pid == 104)
        g_assert_cmpstr (finding->id, ==, EK_FINDING_VIRTUAL_DISPLAY);
      else if (finding->pid == 105)
        g_assert_cmpstr (finding->subject, ==, "xwd (ld-linux-x86-64, PID 105)");
      else if (finding->pid == 106)
        g_assert_cmpstr (finding->subject, ==, "x11grab (notes, PID 106)");
      else
        g_assert_not_reached ();
    }

  g_assert_finalize_object (g_steal_pointer (&scanner));
}

static void
on_scanned_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray **findings = user_data;
  g_autoptr(GError) error = NULL;

  *findings = ek_process_scanner_scan_finish (EK_PROCESS_SCANNER (source), result, &error);
  g_assert_no_error (error);
}

/* @appended: bytes added to the renamed copy (another size and hash, the same program) */
static void
check_renamed_copy (const char *copy_name,
                    gsize       appended)
{
  const char *builddir = g_getenv ("EK_TEST_BUILDDIR");
  g_autofree char *standin = NULL;
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autofree char *installed = g_build_filename (bin, "obs", NULL);
  g_autofree char *renamed = g_build_filename (root, copy_name, NULL);
  g_autoptr(GFile) source = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(EkProcessScanner) scanner = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  const char *path[] = { bin, NULL };
  gint64 pid;
  gboolean found = FALSE;

  if (builddir == NULL)
    {
      g_test_skip ("EK_TEST_BUILDDIR is not set");
      return;
    }

  standin = g_build_filename (builddir, "ek-lockdown-standin", NULL);
  source = g_file_new_for_path (standin);
  g_mkdir_with_parents (bin, 0700);
  {
    g_autoptr(GFile) a = g_file_new_for_path (installed);
    g_autoptr(GFile) b = g_file_new_for_path (renamed);

    g_assert_true (g_file_copy (source, a, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
    g_assert_true (g_file_copy (source, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
    g_chmod (renamed, 0755);
    if (appended > 0)
      {
        FILE *file = fopen (renamed, "ab");

        g_assert_nonnull (file);
        for (gsize i = 0; i < appended; i++)
          fputc ('x', file);
        fclose (file);
      }
  }

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, renamed, NULL);
  g_assert_no_error (error);
  pid = g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);

  scanner = ek_process_scanner_new (NULL);
  ek_process_scanner_set_search_path (scanner, path);
  ek_process_scanner_scan_async (scanner, NULL, on_scanned_cb, &findings);
  while (findings == NULL)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      if (finding->pid == pid)
        {
          g_assert_cmpstr (finding->id, ==, EK_FINDING_BLOCKED_PROCESS);
          g_assert_nonnull (strstr (finding->subject, "obs"));
          g_assert_nonnull (strstr (finding->subject, copy_name));
          found = TRUE;
        }
    }
  g_assert_true (found);

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

static void
test_process_scan_renamed_copy (void)
{
  check_renamed_copy ("holiday-photos", 0);
}

static void
test_process_scan_modified_copy (void)
{
  /* Issue 13: one byte appended was enough to escape the content match. */
  check_renamed_copy ("holiday-video", 1);
}

/* Assistive technology (issue 17, item 4): with the screen reader allowed, the installed
 * Orca (a Python script run by python3) is no finding; a program only named orca, the
 * installed script loading other code (PYTHONPATH) or run after -c, and a magnifier the
 * exam does not allow are. Trust needs root's files: the suites run as root. */
static void
test_process_scan_assistive (void)
{
  g_autoptr(EkProbeSources) sources = fake_sources ();
  g_autoptr(EkProcessScanner) scanner = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *impostor = NULL;
  g_autofree char *magnifier = NULL;
  g_autofree char *cmdline = NULL;
  g_autofree char *genuine = NULL;
  const char * const no_path[] = { NULL };
  gsize length;
  gboolean seen[6] = { FALSE };

  if (getuid () != 0)
    {
      g_test_skip ("the installed programs must be root's: run as root");
      return;
    }

  put ("usr-bin/orca", "#!/usr/bin/python3\nimport orca\n", -1);
  put ("usr-bin/kmag", "\177ELF magnifier", -1);
  put ("home/orca", "\177ELF capture tool", -1);
  installed = g_build_filename (root, "usr-bin", "orca", NULL);
  magnifier = g_build_filename (root, "usr-bin", "kmag", NULL);
  impostor = g_build_filename (root, "home", "orca", NULL);
  g_free (sources->assistive_dir);
  sources->assistive_dir = g_build_filename (root, "usr-bin", NULL);

  /* 201: the installed Orca, as its #! line starts it. */
  cmdline = g_strdup_printf ("/usr/bin/python3%c%s%c", 0, installed, 0);
  length = strlen ("/usr/bin/python3") + strlen (installed) + 2;
  put ("proc/201/comm", "orca\n", -1);
  put ("proc/201/cmdline", cmdline, length);
  put ("proc/201/environ", "LANG=C\0", 7);
  link_to ("proc/201/exe", "/usr/bin/python3");
  /* 202: another program copied as orca. */
  put ("proc/202/comm", "orca\n", -1);
  put ("proc/202/cmdline", impostor, -1);
  put ("proc/202/environ", "LANG=C\0", 7);
  link_to ("proc/202/exe", impostor);
  /* 203: the installed Orca importing the candidate's code first. */
  put ("proc/203/comm", "orca\n", -1);
  put ("proc/203/cmdline", cmdline, length);
  put ("proc/203/environ", "PYTHONPATH=/home/candidate\0", 27);
  link_to ("proc/203/exe", "/usr/bin/python3");
  /* 204: python3 -c CODE with the installed script as a mere argument. */
  g_free (cmdline);
  cmdline = g_strdup_printf ("/usr/bin/python3%c-c%cimport capture%c%s%c", 0, 0, 0, installed, 0);
  put ("proc/204/comm", "orca\n", -1);
  put ("proc/204/cmdline", cmdline, strlen ("/usr/bin/python3") + 1 + 3 + 15 + strlen (installed) + 1);
  put ("proc/204/environ", "LANG=C\0", 7);
  link_to ("proc/204/exe", "/usr/bin/python3");
  /* 205: the installed magnifier, which this exam does not allow. */
  put ("proc/205/comm", "kmag\n", -1);
  put ("proc/205/cmdline", magnifier, -1);
  put ("proc/205/environ", "LANG=C\0", 7);
  link_to ("proc/205/exe", magnifier);

  genuine = ek_assistive_identify (sources->proc_root, sources->assistive_dir, 201,
                                   EK_ASSISTIVE_SCREEN_READER);
  g_assert_cmpstr (genuine, ==, installed);
  g_assert_null (ek_assistive_identify (sources->proc_root, sources->assistive_dir, 201,
                                        EK_ASSISTIVE_MAGNIFIER));

  scanner = ek_process_scanner_new (sources);
  ek_process_scanner_set_search_path (scanner, no_path);
  ek_process_scanner_set_assistive (scanner, EK_ASSISTIVE_SCREEN_READER);
  findings = ek_process_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      g_test_message ("%s: %s", finding->id, finding->subject);
      g_assert_cmpstr (finding->id, ==, EK_FINDING_BLOCKED_PROCESS);
      g_assert_cmpint (finding->pid, >=, 202);
      g_assert_cmpint (finding->pid, <=, 205);
      seen[finding->pid - 200] = TRUE;
    }
  g_assert_cmpuint (findings->len, ==, 4);
  g_assert_true (seen[2] && seen[3] && seen[4] && seen[5]);

  /* Nothing allowed: the installed Orca is a finding as well. */
  g_clear_pointer (&findings, g_ptr_array_unref);
  ek_process_scanner_set_assistive (scanner, EK_ASSISTIVE_NONE);
  findings = ek_process_scanner_scan (scanner, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (findings->len, ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  base = g_dir_make_tmp ("ek-probes-XXXXXX", NULL);
  root = g_strdup (base);

  g_test_add_func ("/probes/environment/clean", test_environment_clean);
  g_test_add_func ("/probes/environment/findings", test_environment_findings);
  g_test_add_func ("/probes/environment/cpuinfo-display", test_environment_cpuinfo_and_display);
  g_test_add_func ("/probes/usb-storage", test_usb_storage);
  g_test_add_func ("/probes/network-fingerprint", test_network_fingerprint);
  g_test_add_func ("/probes/video-devices", test_video_devices);
  g_test_add_func ("/probes/audio-devices", test_audio_devices);
  g_test_add_func ("/probes/process-scan/fake-proc", test_process_scan_fake_proc);
  g_test_add_func ("/probes/process-scan/renamed-copy", test_process_scan_renamed_copy);
  g_test_add_func ("/probes/process-scan/modified-copy", test_process_scan_modified_copy);
  g_test_add_func ("/probes/process-scan/assistive", test_process_scan_assistive);

  status = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", base);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }

  return status;
}
