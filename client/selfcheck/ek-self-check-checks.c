/* ek-self-check-checks.c: EkSelfCheck's local checks, camera and microphone
 *
 * Session, monitors, memory, power and inhibitors, environment, processes, X server
 * hardening, disk (free space and a write test, in a thread), then the parallel
 * part: the camera and the microphone through EkMediaProbe beside the network
 * (ek-self-check-network.c).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-audio-devices.h"
#include "ek-display-probe.h"
#include "ek-environment.h"
#include "ek-monitors.h"
#include "ek-power.h"
#include "ek-process-scan.h"
#include "ek-self-check-private.h"
#include "ek-session-type.h"
#include "ek-system-info.h"
#include "ek-video-devices.h"
#include "ek-xorg-config.h"

#define MIB                       (1024.0 * 1024.0)
#define CLI_MEDIA_MS              3500
#define INTERACTIVE_MEDIA_MS      7000
#define WRITE_TEST_BYTES          (4 * 1024 * 1024)
#define MIN_WIDTH                 640
#define MIN_HEIGHT                360
#define MIN_FPS                   15.0
#define BLACK_LUMA                24.0
#define BLACK_CONTRAST            10.0
#define FROZEN_MOTION             0.3
#define SPEECH_DB                 -45.0
#define SILENT_DB                 -90.0
#define BATTERY_FAIL_PERCENT      30
#define DBUS_TIMEOUT_MS           1500

/* The shipped X server snippet (assets/exam-session/50-exam-kiosk.conf). */
#define XORG_SNIPPET PKGDATADIR "/xorg.conf.d/50-exam-kiosk.conf"

/* Local checks */

static gboolean
findings_contain (GPtrArray          *findings,
                  const char * const *ids)
{
  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      if (g_strv_contains (ids, finding->id))
        return TRUE;
    }

  return FALSE;
}

/* Which configuration file is read, and whether a file in the user's own account sets
 * what a formal exam then ignores (it reads only the system-wide file): the technician
 * who edited the wrong file learns it here, not in the exam. */
static void
check_config (EkSelfCheck *self)
{
  const char *source = ek_config_get_source (self->config);
  const char * const *ignored = ek_config_get_ignored_in_formal (self->config);
  EkConfig *system = ek_config_get_system (self->config);
  g_autofree char *keys = NULL;
  const char *system_source;

  if (ignored == NULL || ignored[0] == NULL)
    {
      _ek_self_check_report (self, "config.file", _("Configuration"), EK_CHECK_PASS,
                             g_strdup (source != NULL ? source : _("built-in defaults (no file)")),
                             g_strdup (_("the system-wide file decides the formal exam")), NULL,
                             NAN, NULL);
      return;
    }

  keys = g_strjoinv (", ", (char **) ignored);
  system_source = system != NULL ? ek_config_get_source (system) : NULL;
  _ek_self_check_report (self, "config.file", _("Configuration"), EK_CHECK_WARN,
                         /* Translators: 1: the user's file, 2: keys such as "[server] url" */
                         g_strdup_printf (_("%1$s sets %2$s otherwise than the system-wide file; a formal "
                                            "exam ignores it"), source, keys),
                         g_strdup (_("the system-wide file decides the formal exam")),
                         /* Translators: 1: the user's file, 2: the system-wide file */
                         g_strdup_printf (_("A formal or mock exam reads only %2$s. Remove %1$s from "
                                            "the candidate's account, and set what the exam needs in "
                                            "%2$s."), source,
                                          system_source != NULL ? system_source
                                                                : SYSCONFDIR "/exam-kiosk/exam-kiosk.conf"),
                         NAN, NULL);
}

void
_ek_self_check_check_session (EkSelfCheck *self)
{
  g_autofree char *evidence = NULL;
  EkSessionType type = ek_session_type_detect (self->sources, &evidence);
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const remote_ids[] = {
    EK_FINDING_REMOTE_SESSION, EK_FINDING_VIRTUAL_DISPLAY, NULL,
  };

  _ek_self_check_set_current_step (self, _("Checking the desktop session…"));

  /* The same decision (and words) as the exam's own refusal, from the environment and
   * the X server's facts (XWayland looks like Xorg by its vendor alone). */
  if (type == EK_SESSION_TYPE_WAYLAND)
    _ek_self_check_report (self, "session.x11", _("Desktop session"), EK_CHECK_FAIL,
                           evidence != NULL ? g_strdup_printf ("%s (%s)", _("Wayland"), evidence)
                                            : g_strdup (_("Wayland")),
                           g_strdup (_("an X11 session")),
                           g_strdup (ek_session_type_get_refusal ()),
                           NAN, NULL);
  else if (!self->display_available)
    _ek_self_check_report (self, "session.x11", _("Desktop session"), EK_CHECK_FAIL,
                           g_strdup (_("no X11 display found")), g_strdup (_("an X11 session")),
                           g_strdup (_("Run the check from the desktop session the exam will use (X11), "
                                       "or start the “ExamKiosk exam session” from the login screen.")),
                           NAN, NULL);
  else
    _ek_self_check_report (self, "session.x11", _("Desktop session"), EK_CHECK_PASS,
                           g_strdup (_("X11")), g_strdup (_("an X11 session")), NULL, NAN, NULL);

  ek_environment_probe_remote_session (self->sources, findings);
  if (self->display_available)
    ek_display_probe (findings);

  /* Without a display only the environment can tell a remote session: what it finds
   * fails, but its silence does not make a screen local. Then the check is skipped,
   * agreeing with "Desktop session", which fails for the missing display. */
  if (!self->display_available && !findings_contain (findings, remote_ids))
    _ek_self_check_report (self, "session.local", _("Local display"), EK_CHECK_SKIP,
                           g_strdup (_("not checked: no X11 display")),
                           g_strdup (_("no remote, nested or virtual display")), NULL, NAN, NULL);
  else
    _ek_self_check_report_findings (self, "session.local", _("Local display"), findings, remote_ids,
                                    _("a local screen"), _("no remote, nested or virtual display"),
                                    _("Sit the exam directly at this computer, not through remote "
                                      "desktop, SSH or a virtual screen."));

  check_config (self);

  _ek_self_check_step_done (self);
}

void
_ek_self_check_check_monitors (EkSelfCheck *self)
{
  g_autoptr(EkMonitorWatch) watch = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *joined = NULL;
  guint n;

  _ek_self_check_set_current_step (self, _("Counting the monitors…"));

  if (!self->display_available)
    {
      _ek_self_check_report (self, "monitors", _("Monitors"), EK_CHECK_FAIL,
                             g_strdup (_("not counted: no X11 display")), g_strdup (_("exactly one")),
                             g_strdup (_("Run the check on the computer's own screen, in the session the "
                                         "exam will use.")),
                             NAN, "count");
      _ek_self_check_step_done (self);
      return;
    }

  watch = ek_monitor_watch_new ();
  n = ek_monitor_watch_get_n_monitors (watch);
  names = ek_monitor_watch_dup_names (watch);
  joined = names != NULL ? g_strjoinv (", ", names) : g_strdup ("");

  if (n == 1)
    _ek_self_check_report (self, "monitors", _("Monitors"), EK_CHECK_PASS,
                           g_strdup_printf (_("one (%s)"), joined), g_strdup (_("exactly one")), NULL,
                           n, "count");
  else
    _ek_self_check_report (self, "monitors", _("Monitors"), EK_CHECK_FAIL,
                           /* Translators: %u is a number of monitors, %s their names */
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u (%s)", "%u (%s)", n), n, joined),
                           g_strdup (_("exactly one")),
                           n == 0 ? g_strdup (_("No monitor was found. Check the screen's cable and power."))
                                  : g_strdup (_("Disconnect every monitor but one, or switch the others off "
                                                "in the display settings, including mirrored screens.")),
                           n, "count");

  _ek_self_check_step_done (self);
}

void
_ek_self_check_check_memory (EkSelfCheck *self)
{
  g_autoptr(GError) error = NULL;
  EkMemoryInfo info;
  double need_total = self->policy.min_memory_total_mb * MIB;
  double need_available = self->policy.min_memory_available_mb * MIB;
  g_autofree char *total_needed = _ek_self_check_format_bytes (need_total);
  g_autofree char *available_needed = _ek_self_check_format_bytes (need_available);

  _ek_self_check_set_current_step (self, _("Checking the memory…"));

  ek_system_info_set_proc_root (self->sources->proc_root);
  if (!ek_system_info_read_memory (&info, &error))
    {
      _ek_self_check_report (self, "memory.total", _("Memory (total)"), EK_CHECK_FAIL,
                             g_strdup_printf (_("unknown: %s"), error->message),
                             g_strdup_printf (_("at least %s"), total_needed),
                             g_strdup (_("The memory size could not be read: a technician needs to look "
                                         "at this computer.")),
                             NAN, "bytes");
      _ek_self_check_step_done (self);
      return;
    }

  _ek_self_check_report (self, "memory.total", _("Memory (total)"),
                         info.total_bytes >= need_total ? EK_CHECK_PASS : EK_CHECK_FAIL,
                         _ek_self_check_format_bytes (info.total_bytes), g_strdup_printf (_("at least %s"), total_needed),
                         g_strdup (_("This computer has too little memory for the exam. Use a computer "
                                     "with more memory.")),
                         info.total_bytes, "bytes");
  _ek_self_check_report (self, "memory.available", _("Memory (available)"),
                         info.available_bytes >= need_available ? EK_CHECK_PASS : EK_CHECK_FAIL,
                         _ek_self_check_format_bytes (info.available_bytes),
                         g_strdup_printf (_("at least %s"), available_needed),
                         g_strdup (_("Too little memory is free. Close other programs, or restart the "
                                     "computer, and check again.")),
                         info.available_bytes, "bytes");

  _ek_self_check_step_done (self);
}

void
_ek_self_check_check_power (EkSelfCheck *self)
{
  EkPowerInfo info;

  _ek_self_check_set_current_step (self, _("Checking the power supply…"));

  ek_power_read (self->sources, &info);

  if (!info.has_battery)
    _ek_self_check_report (self, "power.source", _("Power"), EK_CHECK_PASS,
                           g_strdup (_("mains power (no battery)")), g_strdup (_("on mains power")),
                           NULL, NAN, "percent");
  else if (info.on_mains)
    _ek_self_check_report (self, "power.source", _("Power"), EK_CHECK_PASS,
                           info.battery_percent >= 0
                             ? g_strdup_printf (_("on mains power, battery at %d %%"), info.battery_percent)
                             : g_strdup (_("on mains power")),
                           g_strdup (_("on mains power")), NULL,
                           info.battery_percent >= 0 ? info.battery_percent : NAN, "percent");
  else
    _ek_self_check_report (self, "power.source", _("Power"),
                           info.battery_percent >= 0 && info.battery_percent < BATTERY_FAIL_PERCENT
                             ? EK_CHECK_FAIL : EK_CHECK_WARN,
                           info.battery_percent >= 0
                             ? g_strdup_printf (_("on battery, %d %% left"), info.battery_percent)
                             : g_strdup (_("on battery")),
                           g_strdup (_("on mains power")),
                           g_strdup (_("Connect the charger and keep it connected during the whole exam.")),
                           info.battery_percent >= 0 ? info.battery_percent : NAN, "percent");

  _ek_self_check_step_done (self);
}

/* Someone must be able to hold off sleep and the screen saver: logind on the system
 * bus, or the desktop's session manager or portal on the session bus. */
static const char * const inhibitors[][2] = {
  { "system", "org.freedesktop.login1" },
  { "session", "org.gnome.SessionManager" },
  { "session", "org.freedesktop.portal.Desktop" },
  { "session", "org.freedesktop.ScreenSaver" },
};

typedef struct
{
  EkSelfCheck *self;     /* owned */
  guint        index;
  char        *found;
} InhibitProbe;

static void probe_inhibitor (InhibitProbe *probe);

static void
finish_inhibit (InhibitProbe *probe)
{
  EkSelfCheck *self = probe->self;

  if (probe->found != NULL)
    _ek_self_check_report (self, "power.inhibit", _("Sleep and screen saver"), EK_CHECK_PASS,
                           g_strdup_printf (_("can be held off (%s)"), probe->found),
                           g_strdup (_("can be held off during the exam")), NULL, NAN, NULL);
  else
    _ek_self_check_report (self, "power.inhibit", _("Sleep and screen saver"), EK_CHECK_WARN,
                           g_strdup (_("no service found to hold them off")),
                           g_strdup (_("can be held off during the exam")),
                           g_strdup (_("Set the computer never to sleep or lock the screen by itself "
                                       "(power and privacy settings) before the exam.")),
                           NAN, NULL);

  g_free (probe->found);
  g_free (probe);
  _ek_self_check_step_done (self);
  g_object_unref (self);
}

static void
on_name_has_owner_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  InhibitProbe *probe = user_data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source),
                                                             result, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  if (owned)
    {
      probe->found = g_strdup (inhibitors[probe->index][1]);
      finish_inhibit (probe);
      return;
    }

  probe->index++;
  probe_inhibitor (probe);
}

static void
on_bus_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  InhibitProbe *probe = user_data;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, NULL);

  if (bus == NULL)
    {
      probe->index++;
      probe_inhibitor (probe);
      return;
    }

  g_dbus_connection_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "NameHasOwner",
                          g_variant_new ("(s)", inhibitors[probe->index][1]),
                          G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, DBUS_TIMEOUT_MS,
                          probe->self->cancellable, on_name_has_owner_cb, probe);
}

static void
probe_inhibitor (InhibitProbe *probe)
{
  const char *bus_name;

  if (probe->index >= G_N_ELEMENTS (inhibitors) ||
      g_cancellable_is_cancelled (probe->self->cancellable))
    {
      finish_inhibit (probe);
      return;
    }

  bus_name = inhibitors[probe->index][0];
  /* g_bus_get() would wait for a bus that is not there only as long as connecting
   * takes; an address that is unset is skipped at once. */
  if (g_str_equal (bus_name, "session") &&
      ek_probe_sources_getenv (probe->self->sources, "DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      probe->index++;
      probe_inhibitor (probe);
      return;
    }

  g_bus_get (g_str_equal (bus_name, "system") ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION,
             probe->self->cancellable, on_bus_cb, probe);
}

void
_ek_self_check_check_inhibit (EkSelfCheck *self)
{
  InhibitProbe *probe = g_new0 (InhibitProbe, 1);

  probe->self = g_object_ref (self);
  probe_inhibitor (probe);
}

void
_ek_self_check_check_environment (EkSelfCheck *self)
{
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const vm_ids[] = { EK_FINDING_HYPERVISOR, NULL };
  static const char * const debug_ids[] = { EK_FINDING_DEBUGGER, EK_FINDING_INJECTION, NULL };

  _ek_self_check_set_current_step (self, _("Checking the computer…"));

  ek_environment_probe_hypervisor (self->sources, findings);
  ek_environment_probe_debugger (self->sources, findings);
  ek_environment_probe_injection (self->sources, findings);

  _ek_self_check_report_findings (self, "environment.vm", _("Virtual machine"), findings, vm_ids,
                                  _("a real computer"), _("not a virtual machine"),
                                  _("Sit the exam on a real computer, not in a virtual machine."));
  _ek_self_check_report_findings (self, "environment.debugger", _("Debugger and injected code"), findings,
                                  debug_ids, _("none"), _("none"),
                                  _("Start the exam program directly, without a debugger, LD_PRELOAD or "
                                    "/etc/ld.so.preload."));

  _ek_self_check_step_done (self);
}

static void
on_scanned_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const process_ids[] = { EK_FINDING_BLOCKED_PROCESS, NULL };

  findings = ek_process_scanner_scan_finish (EK_PROCESS_SCANNER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (findings == NULL)
    _ek_self_check_report (self, "environment.processes", _("Forbidden programs"), EK_CHECK_WARN,
                           g_strdup_printf (_("not checked: %s"), error->message), g_strdup (_("none running")),
                           g_strdup (_("The running programs could not be listed: a technician needs to "
                                       "look at this computer.")),
                           NAN, "count");
  else
    _ek_self_check_report_findings (self, "environment.processes", _("Forbidden programs"), findings,
                                    process_ids, _("none running"), _("none running"),
                                    _("Quit these programs before the exam (screen recorders, remote "
                                      "desktops, chat and meeting programs)."));

  _ek_self_check_step_done (self);
}

void
_ek_self_check_check_processes (EkSelfCheck *self)
{
  g_autoptr(EkProcessScanner) scanner = ek_process_scanner_new (self->sources);

  _ek_self_check_set_current_step (self, _("Looking for forbidden programs…"));

  if (self->exam != NULL && ek_exam_get_blocked_processes (self->exam) != NULL)
    ek_process_scanner_add_names (scanner, EK_FINDING_BLOCKED_PROCESS,
                                  ek_exam_get_blocked_processes (self->exam));

  ek_process_scanner_scan_async (scanner, self->cancellable, on_scanned_cb,
                                 g_object_ref (self));
}

void
_ek_self_check_check_xserver (EkSelfCheck *self)
{
  EkXorgServerFlags flags;
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const grab_ids[] = { EK_FINDING_GRAB_BREAKER, NULL };
  g_autofree char *remedy = NULL;
  gboolean keys_can_switch;

  _ek_self_check_set_current_step (self, _("Checking the X server…"));

  ek_xorg_config_read_server_flags (self->xorg_root, &flags);
  keys_can_switch = !self->display_available || ek_display_can_switch_away ();

  /* Translators: %s is a file name */
  remedy = g_strdup_printf (_("This needs a technician: copy %s to /etc/X11/xorg.conf.d/ and "
                              "restart the computer, or use the “ExamKiosk exam session” "
                              "at the login screen."), XORG_SNIPPET);

  if (flags.dont_vt_switch && flags.dont_zap)
    _ek_self_check_report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_PASS,
                           g_strdup_printf (_("DontVTSwitch and DontZap are set (%s)"), flags.source),
                           g_strdup (_("DontVTSwitch and DontZap")), NULL, NAN, NULL);
  else if (self->display_available && !keys_can_switch)
    _ek_self_check_report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_PASS,
                           g_strdup (_("the keyboard layout has no switching keys")),
                           g_strdup (_("DontVTSwitch and DontZap")), NULL, NAN, NULL);
  else
    _ek_self_check_report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_WARN,
                           !self->display_available
                             ? g_strdup (_("the X server configuration does not disable it"))
                             : g_strdup (_("Ctrl+Alt+F1…F12 and Ctrl+Alt+Backspace work")),
                           g_strdup (_("DontVTSwitch and DontZap")), g_steal_pointer (&remedy), NAN, NULL);

  if (!self->display_available)
    _ek_self_check_report (self, "xserver.grab_keys", _("Keys that break the keyboard lock"), EK_CHECK_WARN,
                           g_strdup (_("not checked: no X11 display")), g_strdup (_("none")),
                           g_strdup (_("Run the check in the session the exam will use.")), NAN, "count");
  else
    {
      ek_display_probe (findings);
      _ek_self_check_report_findings (self, "xserver.grab_keys", _("Keys that break the keyboard lock"),
                                      findings, grab_ids, _("none"), _("none"),
                                      _("This needs a technician: remove the keyboard option "
                                        "“grab:break_actions” (setxkbmap -option)."));
    }

  ek_xorg_server_flags_clear (&flags);
  _ek_self_check_step_done (self);
}

/* Disk: free space and a write test, in a thread (statvfs and fsync can take a while
 * on a network or a dying disk). */

typedef struct
{
  char      *system_path;
  char      *recording_path;
  EkDiskInfo system;
  EkDiskInfo recording;
  GError    *system_error;
  GError    *recording_error;
  GError    *write_error;
  double     write_rate;
} DiskData;

static void
disk_data_free (DiskData *data)
{
  g_free (data->system_path);
  g_free (data->recording_path);
  g_clear_error (&data->system_error);
  g_clear_error (&data->recording_error);
  g_clear_error (&data->write_error);
  g_free (data);
}

static gboolean
write_test (const char  *folder,
            double      *rate,
            GError     **error)
{
  g_autofree char *path = g_build_filename (folder, ".ek-self-check-XXXXXX", NULL);
  g_autofree guint8 *block = g_malloc (WRITE_TEST_BYTES);
  g_autofree guint8 *back = g_malloc (WRITE_TEST_BYTES);
  gint64 start;
  gboolean ok = FALSE;
  int fd;

  for (gsize i = 0; i < WRITE_TEST_BYTES; i++)
    block[i] = (guint8) (i * 31 + 7);

  fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }

  start = g_get_monotonic_time ();
  if (write (fd, block, WRITE_TEST_BYTES) == WRITE_TEST_BYTES && fsync (fd) == 0)
    {
      gint64 elapsed = MAX (1, g_get_monotonic_time () - start);

      *rate = WRITE_TEST_BYTES * (double) G_USEC_PER_SEC / elapsed;
      if (lseek (fd, 0, SEEK_SET) == 0 &&
          read (fd, back, WRITE_TEST_BYTES) == WRITE_TEST_BYTES &&
          memcmp (block, back, WRITE_TEST_BYTES) == 0)
        ok = TRUE;
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("what was written could not be read back"));
    }
  else
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
    }

  close (fd);
  g_unlink (path);

  return ok;
}

static void
disk_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  DiskData *data = task_data;

  ek_system_info_read_disk (data->system_path, &data->system, &data->system_error);
  if (data->recording_path != NULL &&
      ek_system_info_read_disk (data->recording_path, &data->recording, &data->recording_error))
    write_test (data->recording_path, &data->write_rate, &data->write_error);

  g_task_return_boolean (task, TRUE);
}

static void
report_disk (EkSelfCheck  *self,
             const char   *id,
             const char   *title,
             const char   *path,
             EkDiskInfo   *info,
             const GError *error,
             gint64        need_mb,
             const char   *remedy)
{
  double need = need_mb * MIB;
  g_autofree char *needed = _ek_self_check_format_bytes (need);
  g_autofree char *free_text = NULL;

  if (error != NULL)
    {
      _ek_self_check_report (self, id, title, EK_CHECK_FAIL,
                             g_strdup_printf (_("unknown: %s"), error->message),
                             g_strdup_printf (_("at least %s free"), needed),
                             g_strdup (remedy), NAN, "bytes");
      return;
    }

  free_text = _ek_self_check_format_bytes (info->free_bytes);
  _ek_self_check_report (self, id, title, info->free_bytes >= need ? EK_CHECK_PASS : EK_CHECK_FAIL,
                         /* Translators: a free size and the folder, e.g. "31.2 GiB free on /home/x" */
                         g_strdup_printf (_("%s free on %s"), free_text, path),
                         g_strdup_printf (_("at least %s free"), needed),
                         g_strdup (remedy), info->free_bytes, "bytes");
}

static void
on_disk_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  EkSelfCheck *self = EK_SELF_CHECK (source);
  DiskData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;

  report_disk (self, "disk.system", _("Free space (system)"), data->system_path,
               &data->system, data->system_error, self->policy.min_disk_system_mb,
               _("Free space on the system disk: empty the wastebasket and remove files or "
                 "programs you do not need."));

  if (data->recording_path == NULL)
    {
      _ek_self_check_report (self, "disk.recording", _("Free space (recordings)"), EK_CHECK_FAIL,
                             g_strdup (_("no recording folder")), NULL,
                             g_strdup (_("The folder for recordings could not be made: a technician needs "
                                         "to check [storage] data-dir in the configuration.")),
                             NAN, "bytes");
      _ek_self_check_report (self, "disk.write", _("Writing recordings"), EK_CHECK_FAIL,
                             g_strdup (_("not tested")), g_strdup (_("the recording folder is writable")),
                             g_strdup (_("The folder for recordings could not be made: a technician needs "
                                         "to check [storage] data-dir in the configuration.")),
                             NAN, NULL);
    }
  else
    {
      report_disk (self, "disk.recording", _("Free space (recordings)"), data->recording_path,
                   &data->recording, data->recording_error, self->policy.min_disk_recording_mb,
                   _("The exam's recording needs more free space on this disk: remove files "
                     "you do not need, or have the technician choose another folder."));

      if (data->recording_error != NULL || data->write_error != NULL)
        _ek_self_check_report (self, "disk.write", _("Writing recordings"), EK_CHECK_FAIL,
                               g_strdup_printf (_("failed: %s"), data->recording_error != NULL
                                                                   ? data->recording_error->message
                                                                   : data->write_error->message),
                               g_strdup (_("the recording folder is writable")),
                               g_strdup (_("The recording cannot be saved. Check that the disk is not full "
                                           "or read-only, and that the folder belongs to you.")),
                               NAN, "bytes/s");
      else
        {
          g_autofree char *rate = _ek_self_check_format_rate (data->write_rate);

          _ek_self_check_report (self, "disk.write", _("Writing recordings"), EK_CHECK_PASS,
                                 g_strdup_printf (_("written and read back (%s)"), rate),
                                 g_strdup (_("the recording folder is writable")), NULL,
                                 data->write_rate, "bytes/s");
        }
    }

  _ek_self_check_step_done (self);
}

void
_ek_self_check_check_disk (EkSelfCheck *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DiskData *data = g_new0 (DiskData, 1);

  _ek_self_check_set_current_step (self, _("Checking the disk…"));

  data->system_path = g_strdup (self->system_path);
  /* The folder the recorder will write to, made private now if it is not there. */
  if (ek_config_ensure_data_dir (self->config, &error))
    data->recording_path = g_strdup (ek_config_get_data_dir (self->config));
  else
    g_debug ("self-check: no data folder: %s", error->message);

  task = g_task_new (self, self->cancellable, on_disk_done_cb, NULL);
  g_task_set_source_tag (task, _ek_self_check_check_disk);
  g_task_set_task_data (task, data, (GDestroyNotify) disk_data_free);
  g_task_run_in_thread (task, disk_thread);
}

/* The parallel part: camera, microphone and network, each a "leaf". */

void
_ek_self_check_leaf_done (EkSelfCheck *self)
{
  g_return_if_fail (self->pending > 0);

  self->leaves_done++;
  if (self->leaves_started > 0)
    _ek_self_check_set_fraction (self, (self->step + (double) self->leaves_done / self->leaves_started) /
                                       N_STEPS);
  if (--self->pending == 0)
    _ek_self_check_step_done (self);
}

static void
check_camera_stats (EkSelfCheck             *self,
                    const EkMediaProbeStats *stats,
                    const GError            *error)
{
  g_autofree char *threshold = NULL;
  g_autofree char *frames_needed = NULL;

  frames_needed = g_strdup_printf (_("a picture within %.0f s"),
                                   EK_SELF_CHECK_FIRST_FRAME_MS / 1000.0);

  if (error != NULL)
    {
      _ek_self_check_report (self, "camera.frames", _("Camera picture"), EK_CHECK_FAIL,
                             g_strdup (error->message), g_strdup (frames_needed),
                             g_strdup (_("Check that the camera is connected and that no other program "
                                         "(a video call, a browser tab) uses it, then check again.")),
                             NAN, "ms");
      return;
    }

  if (stats->n_frames == 0 || stats->first_frame_ms > EK_SELF_CHECK_FIRST_FRAME_MS)
    {
      _ek_self_check_report (self, "camera.frames", _("Camera picture"), EK_CHECK_FAIL,
                             stats->n_frames == 0
                               ? g_strdup (_("no picture came"))
                               : g_strdup_printf (_("the first picture came after %.1f s"),
                                                  stats->first_frame_ms / 1000.0),
                             g_strdup (frames_needed),
                             g_strdup (_("The camera gives no picture. Reconnect it, close other programs "
                                         "that may use it, and check again.")),
                             stats->n_frames == 0 ? NAN : stats->first_frame_ms, "ms");
      if (stats->n_frames == 0)
        return;
    }
  else
    _ek_self_check_report (self, "camera.frames", _("Camera picture"), EK_CHECK_PASS,
                           g_strdup_printf (_("the first picture came after %.1f s"),
                                            stats->first_frame_ms / 1000.0),
                           g_strdup (frames_needed), NULL, stats->first_frame_ms, "ms");

  if (stats->max_luma < BLACK_LUMA && stats->max_contrast < BLACK_CONTRAST)
    _ek_self_check_report (self, "camera.black", _("Camera picture is not black"), EK_CHECK_FAIL,
                           g_strdup_printf (_("black (brightness %.0f %%)"), stats->max_luma * 100 / 255),
                           g_strdup (_("a visible picture")),
                           g_strdup (_("The camera's picture is black. Open the lens cover or privacy "
                                       "shutter, switch on the light, and check again.")),
                           stats->max_luma * 100 / 255, "percent");
  else
    _ek_self_check_report (self, "camera.black", _("Camera picture is not black"), EK_CHECK_PASS,
                           g_strdup_printf (_("brightness %.0f %%"), stats->max_luma * 100 / 255),
                           g_strdup (_("a visible picture")), NULL, stats->max_luma * 100 / 255, "percent");

  if (stats->n_frames < 3)
    _ek_self_check_report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_WARN,
                           g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "only %u picture came",
                                                         "only %u pictures came", stats->n_frames),
                                            stats->n_frames),
                           g_strdup (_("a picture that changes")),
                           g_strdup (_("Too few pictures came to tell whether the picture is live. Check "
                                       "again.")),
                           stats->max_motion, NULL);
  else if (stats->max_motion < FROZEN_MOTION)
    _ek_self_check_report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_FAIL,
                           g_strdup (_("the picture never changes")), g_strdup (_("a picture that changes")),
                           g_strdup (_("The camera shows a still picture. Use a real camera, not a "
                                       "program that plays a picture or a video, and check again.")),
                           stats->max_motion, NULL);
  else
    _ek_self_check_report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_PASS,
                           g_strdup (_("the picture changes")), g_strdup (_("a picture that changes")),
                           NULL, stats->max_motion, NULL);

  /* Translators: a video size and rate, e.g. "at least 640×360 at 15 frames/s" */
  threshold = g_strdup_printf (_("at least %d×%d at %.0f frames/s"), MIN_WIDTH, MIN_HEIGHT, MIN_FPS);
  if (stats->width == 0)
    _ek_self_check_report (self, "camera.format", _("Camera resolution"), EK_CHECK_WARN,
                           g_strdup (_("unknown")), g_strdup (threshold),
                           g_strdup (_("The camera did not say its resolution. Check again.")), NAN, "pixels");
  else
    {
      gboolean too_small = stats->width < MIN_WIDTH || stats->height < MIN_HEIGHT ||
                           (stats->framerate > 0 && stats->framerate < MIN_FPS);
      gboolean too_slow = stats->measured_fps > 0 && stats->measured_fps < MIN_FPS * 0.8;

      _ek_self_check_report (self, "camera.format", _("Camera resolution"),
                             too_small ? EK_CHECK_FAIL : too_slow ? EK_CHECK_WARN : EK_CHECK_PASS,
                             /* Translators: e.g. "1280×720 at 30 frames/s (25 arrived per second)" */
                             g_strdup_printf (_("%u×%u at %.0f frames/s (%.0f arrived per second)"),
                                              stats->width, stats->height, stats->framerate,
                                              stats->measured_fps),
                             g_strdup (threshold),
                             too_small ? g_strdup (_("The camera's picture is too small or too slow. Use "
                                                     "a better camera."))
                                       : g_strdup (_("Fewer pictures arrive than the camera promises. Add "
                                                     "light, close other programs, and check again.")),
                             (double) stats->width * stats->height, "pixels");
    }
}

static void
check_microphone_stats (EkSelfCheck             *self,
                        const EkMediaProbeStats *stats,
                        const GError            *error)
{
  g_autofree char *threshold = g_strdup_printf (_("louder than %.0f dBFS when someone speaks"),
                                                SPEECH_DB);

  if (error != NULL)
    _ek_self_check_report (self, "microphone.level", _("Microphone sound"), EK_CHECK_FAIL,
                           g_strdup (error->message), g_strdup (threshold),
                           g_strdup (_("Check that the microphone is connected and that no other program "
                                       "uses it, then check again.")),
                           NAN, "dBFS");
  else if (stats->n_levels == 0 || stats->peak_db <= SILENT_DB)
    _ek_self_check_report (self, "microphone.level", _("Microphone sound"), EK_CHECK_FAIL,
                           g_strdup (_("silent")), g_strdup (threshold),
                           g_strdup (_("The microphone gives no sound at all. Check that it is not muted "
                                       "(also a switch on the headset or the keyboard) and that the right "
                                       "microphone is chosen in the sound settings.")),
                           stats->n_levels == 0 ? NAN : stats->peak_db, "dBFS");
  else
    _ek_self_check_report (self, "microphone.level", _("Microphone sound"),
                           stats->peak_db >= SPEECH_DB ? EK_CHECK_PASS : EK_CHECK_WARN,
                           /* Translators: sound levels, e.g. "loudest −20 dBFS, quietest −62 dBFS" */
                           g_strdup_printf (_("loudest %.0f dBFS, quietest %.0f dBFS"),
                                            stats->peak_db, stats->floor_db),
                           g_strdup (threshold),
                           self->interactive
                             ? g_strdup (_("The microphone hardly picks up your voice. Move closer, raise "
                                           "its volume in the sound settings, and check again."))
                             : g_strdup (_("Nobody spoke, or the microphone is very quiet. Run the device "
                                           "check on the screen and say a sentence to test it.")),
                           stats->peak_db, "dBFS");
}

/* Both probes end here: the probe that finished says which check it was. */
static void
on_media_probed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GError) error = NULL;
  EkMediaProbeStats stats = { 0 };

  ek_media_probe_run_finish (EK_MEDIA_PROBE (source), result, &stats, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;

  if (EK_MEDIA_PROBE (source) == self->camera_probe)
    check_camera_stats (self, &stats, error);
  else
    check_microphone_stats (self, &stats, error);
  _ek_self_check_leaf_done (self);
}

static const char *
find_device (GPtrArray         *devices,
             EkMediaDeviceKind  kind,
             const char       **name)
{
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      EkMediaDevice *device = g_ptr_array_index (devices, i);

      if (ek_media_device_get_kind (device) == kind)
        {
          *name = ek_media_device_get_display_name (device);
          return ek_media_device_get_id (device);
        }
    }

  return NULL;
}

static void
start_media_probes (EkSelfCheck *self)
{
  gboolean test = self->camera_description != NULL ||
                  ek_config_get_media_source (self->config) == EK_MEDIA_SOURCE_TEST;
  guint duration = self->interactive ? INTERACTIVE_MEDIA_MS : CLI_MEDIA_MS;
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const virtual_ids[] = { EK_FINDING_VIRTUAL_CAMERA, NULL };
  static const char * const headset_ids[] = { EK_FINDING_HEADSET, EK_FINDING_BLUETOOTH, NULL };
  const char *camera_name = NULL;
  const char *microphone_name = NULL;
  const char *camera_id = find_device (self->media_devices, EK_MEDIA_DEVICE_CAMERA, &camera_name);
  const char *microphone_id = find_device (self->media_devices, EK_MEDIA_DEVICE_MICROPHONE,
                                           &microphone_name);

  ek_video_devices_probe (self->sources, findings);
  ek_audio_devices_probe (self->sources, findings);

  /* Camera */
  if (test)
    _ek_self_check_report (self, "camera.present", _("Camera"), EK_CHECK_WARN,
                           g_strdup (_("a test picture (configured)")), g_strdup (_("a camera")),
                           g_strdup (_("The configuration uses test sources ([media] source=test): the exam "
                                       "would record a test picture, not the camera.")),
                           1, "count");
  else if (camera_id == NULL)
    _ek_self_check_report (self, "camera.present", _("Camera"), EK_CHECK_FAIL,
                           g_strdup (_("none found")), g_strdup (_("a camera")),
                           g_strdup (_("No camera was found. Connect a camera (or switch on the built-in "
                                       "one) and check again.")),
                           0, "count");
  else
    _ek_self_check_report (self, "camera.present", _("Camera"), EK_CHECK_PASS,
                           g_strdup (camera_name), g_strdup (_("a camera")), NULL, 1, "count");

  _ek_self_check_report_findings (self, "camera.virtual", _("Virtual camera"), findings, virtual_ids,
                                  _("none"), _("none installed"),
                                  _("Remove the virtual camera program or driver (v4l2loopback, OBS "
                                    "virtual camera) before the exam."));

  if (test || camera_id != NULL)
    {
      ek_media_probe_set_device_id (self->camera_probe, test ? NULL : camera_id);
      ek_media_probe_set_description (self->camera_probe,
                                      test ? (self->camera_description != NULL
                                                ? self->camera_description
                                                : "videotestsrc is-live=true pattern=smpte "
                                                  "horizontal-speed=4 ! video/x-raw,width=1280,"
                                                  "height=720,framerate=30/1")
                                           : NULL);
      self->pending++;
      self->leaves_started++;
      ek_media_probe_run_async (self->camera_probe, duration, self->cancellable,
                                on_media_probed_cb, g_object_ref (self));
    }

  /* Microphone */
  if (test)
    _ek_self_check_report (self, "microphone.present", _("Microphone"), EK_CHECK_WARN,
                           g_strdup (_("a test sound (configured)")), g_strdup (_("a microphone")),
                           g_strdup (_("The configuration uses test sources ([media] source=test): the exam "
                                       "would record a test sound, not the microphone.")),
                           1, "count");
  else if (microphone_id == NULL)
    _ek_self_check_report (self, "microphone.present", _("Microphone"), EK_CHECK_FAIL,
                           g_strdup (_("none found")), g_strdup (_("a microphone")),
                           g_strdup (_("No microphone was found. Connect a microphone and check again.")),
                           0, "count");
  else
    _ek_self_check_report (self, "microphone.present", _("Microphone"), EK_CHECK_PASS,
                           g_strdup (microphone_name), g_strdup (_("a microphone")), NULL, 1, "count");

  _ek_self_check_report_findings (self, "audio.headset", _("Headset and Bluetooth audio"), findings,
                                  headset_ids, _("none"), _("none, when the exam forbids them"),
                                  _("Unplug the headset or headphones and switch Bluetooth audio off; the "
                                    "exam needs the computer's speaker and microphone."));

  if (test || microphone_id != NULL)
    {
      ek_media_probe_set_device_id (self->microphone_probe, test ? NULL : microphone_id);
      ek_media_probe_set_description (self->microphone_probe,
                                      test ? (self->microphone_description != NULL
                                                ? self->microphone_description
                                                : "audiotestsrc is-live=true wave=sine "
                                                  "freq=440 volume=0.3")
                                           : NULL);
      self->pending++;
      self->leaves_started++;
      ek_media_probe_run_async (self->microphone_probe, duration, self->cancellable,
                                on_media_probed_cb, g_object_ref (self));
    }
}

static void
on_devices_listed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->media_devices, g_ptr_array_unref);
  self->media_devices = ek_media_device_list_finish (result, &error);
  if (self->task == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (error != NULL)
    g_debug ("self-check: devices not listed: %s", error->message);

  start_media_probes (self);
  _ek_self_check_leaf_done (self);
}

static void
run_media (EkSelfCheck *self)
{
  self->pending++;
  self->leaves_started++;

  if (self->camera_description != NULL ||
      ek_config_get_media_source (self->config) == EK_MEDIA_SOURCE_TEST)
    {
      start_media_probes (self);
      _ek_self_check_leaf_done (self);
      return;
    }

  ek_media_device_list_async (EK_MEDIA_SOURCE_AUTO, self->cancellable, on_devices_listed_cb,
                              g_object_ref (self));
}

void
_ek_self_check_run_parallel (EkSelfCheck *self)
{
  _ek_self_check_set_current_step (self, _("Checking the camera, the microphone and the network…"));

  /* A guard, so that a leaf finishing at once does not end the step early. */
  self->pending = 1;
  self->leaves_started = 0;
  self->leaves_done = 0;
  if (_ek_self_check_group_wanted (self, "media"))
    run_media (self);
  if (_ek_self_check_group_wanted (self, "network"))
    _ek_self_check_run_network (self);
  self->pending--;
  if (self->pending == 0)
    _ek_self_check_step_done (self);
}
