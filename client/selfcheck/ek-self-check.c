/* ek-self-check.c: the device check: is this computer ready for the exam?
 *
 * The checks run as a list of steps on the main context. Local steps (session,
 * monitors, memory, power, environment, X server, disk) come first, quick ones inline
 * and slow ones (the process scan, the disk write test, D-Bus) asynchronously; the
 * camera, the microphone and the network then run side by side, since each of them
 * mostly waits. A bare machine (no camera, no network) finishes in a few seconds; a
 * server that does not answer costs at most the network timeouts.
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
#include "ek-http-client.h"
#include "ek-json.h"
#include "ek-lockdown-policy.h"
#include "ek-monitors.h"
#include "ek-power.h"
#include "ek-process-scan.h"
#include "ek-self-check.h"
#include "ek-server-clock.h"
#include "ek-system-info.h"
#include "ek-video-devices.h"
#include "ek-xorg-config.h"

#define MIB                       (1024.0 * 1024.0)
#define CLI_MEDIA_MS              3500
#define INTERACTIVE_MEDIA_MS      7000
#define NETWORK_CONNECT_MS        4000
#define NETWORK_TIMEOUT_MS        8000
#define TIME_SAMPLES              3
#define RTT_WARN_MS               300
#define RTT_FAIL_MS               1000
#define CLOCK_FAIL_MS             (60 * 60 * 1000)
#define UPLOAD_PROBE_BYTES        (256 * 1024)
#define UPLOAD_MAX_BYTES          (16 * 1024 * 1024)
#define DOWNLOAD_PROBE_BYTES      (1024 * 1024)
#define DOWNLOAD_MAX_BYTES        (8 * 1024 * 1024)
#define BANDWIDTH_TARGET_S        2.0
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
#define N_STEPS                   10

/* The shipped X server snippet (assets/exam-session/50-exam-kiosk.conf). */
#define XORG_SNIPPET PKGDATADIR "/xorg.conf.d/50-exam-kiosk.conf"

struct _EkSelfCheck
{
  GObject            parent_instance;

  /* settings */
  EkConfig          *config;            /* owned */
  EkExam            *exam;              /* owned, nullable */
  EkSelfCheckPolicy  policy;
  char              *server_url;
  gboolean           display_available;
  gboolean           interactive;
  EkProbeSources    *sources;           /* owned */
  char              *xorg_root;
  char              *system_path;
  char              *camera_description;
  char              *microphone_description;
  char             **groups;            /* NULL: all */

  /* the run */
  GTask             *task;              /* owned while running */
  GCancellable      *cancellable;       /* owned; the run's */
  GPtrArray         *results;           /* owned; EkCheckResult */
  guint              step;
  guint              pending;           /* parallel parts still running */
  double             fraction;
  char              *current_step;      /* translated */
  EkMediaProbe      *camera_probe;      /* owned */
  EkMediaProbe      *microphone_probe;  /* owned */
  GPtrArray         *media_devices;     /* owned; EkMediaDevice, for the media step */
  guint              idle_id;
  GMainContext      *context;           /* owned while running */
  gulong             cancelled_id;
  guint              leaves_started;
  guint              leaves_done;

  /* network state */
  EkHttpClient      *http;              /* owned */
  EkServerClock     *clock;             /* owned */
  guint              time_samples;
  gint64             best_rtt_ms;
  gint64             request_start_us;
  double             upload_rate;
  double             download_rate;
  gint64             download_start_us;
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_SERVER_URL,
  PROP_DISPLAY_AVAILABLE,
  PROP_RUNNING,
  PROP_FRACTION,
  PROP_CURRENT_STEP,
  N_PROPS
};

enum {
  RESULT_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkSelfCheck, ek_self_check, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-self-check-error-quark, ek_self_check_error)
G_DEFINE_BOXED_TYPE (EkCheckResult, ek_check_result, ek_check_result_copy, ek_check_result_free)
G_DEFINE_ENUM_TYPE (EkCheckStatus, ek_check_status,
  G_DEFINE_ENUM_VALUE (EK_CHECK_PASS, "pass"),
  G_DEFINE_ENUM_VALUE (EK_CHECK_WARN, "warn"),
  G_DEFINE_ENUM_VALUE (EK_CHECK_FAIL, "fail"))

typedef void (*StepFunc) (EkSelfCheck *self);

static void step_done (EkSelfCheck *self);
static void set_fraction (EkSelfCheck *self,
                          double       fraction);

/* Results */

EkCheckResult *
ek_check_result_copy (const EkCheckResult *result)
{
  EkCheckResult *copy = g_new0 (EkCheckResult, 1);

  copy->id = g_strdup (result->id);
  copy->title = g_strdup (result->title);
  copy->status = result->status;
  copy->value = g_strdup (result->value);
  copy->threshold = g_strdup (result->threshold);
  copy->remedy = g_strdup (result->remedy);
  copy->measured = result->measured;
  copy->unit = result->unit;

  return copy;
}

void
ek_check_result_free (EkCheckResult *result)
{
  if (result == NULL)
    return;

  g_free (result->id);
  g_free (result->title);
  g_free (result->value);
  g_free (result->threshold);
  g_free (result->remedy);
  g_free (result);
}

const char *
ek_check_status_to_string (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      return "pass";
    case EK_CHECK_WARN:
      return "warn";
    case EK_CHECK_FAIL:
      return "fail";
    default:
      g_return_val_if_reached ("fail");
    }
}

/* Adds a result; takes @value, @threshold and @remedy (all nullable). */
static void
report (EkSelfCheck   *self,
        const char    *id,
        const char    *title,
        EkCheckStatus  status,
        char          *value,
        char          *threshold,
        char          *remedy,
        double         measured,
        const char    *unit)
{
  EkCheckResult *result = g_new0 (EkCheckResult, 1);

  result->id = g_strdup (id);
  result->title = g_strdup (title);
  result->status = status;
  result->value = value != NULL ? value : g_strdup ("");
  result->threshold = threshold;
  result->remedy = status == EK_CHECK_PASS ? (g_free (remedy), NULL) : remedy;
  result->measured = measured;
  result->unit = unit;

  g_ptr_array_add (self->results, result);
  g_signal_emit (self, signals[RESULT_ADDED], 0, result);
}

static EkCheckStatus
status_for_severity (EkSeverity severity)
{
  switch (severity)
    {
    case EK_SEVERITY_ALLOW:
      return EK_CHECK_PASS;
    case EK_SEVERITY_WARN:
      return EK_CHECK_WARN;
    case EK_SEVERITY_BLOCK:
    default:
      return EK_CHECK_FAIL;
    }
}

static EkLockdownPolicy *
get_lockdown_policy (EkSelfCheck *self)
{
  EkLockdownPolicy *policy;

  if (self->exam == NULL)
    return NULL;

  policy = ek_exam_get_lockdown_policy (self->exam);
  if (policy == NULL || ek_lockdown_policy_get_relaxed (policy))
    return NULL;

  return policy;
}

/* Reports findings of the given ids as one result: the worst one decides, every
 * finding is named in the value. */
static void
report_findings (EkSelfCheck        *self,
                 const char         *id,
                 const char         *title,
                 GPtrArray          *findings,
                 const char * const *finding_ids,
                 const char         *none_value,
                 const char         *threshold,
                 const char         *remedy)
{
  EkLockdownPolicy *policy = get_lockdown_policy (self);
  EkCheckStatus status = EK_CHECK_PASS;
  g_autoptr(GString) value = g_string_new (NULL);
  g_autoptr(GString) descriptions = g_string_new (NULL);
  guint count = 0;

  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);
      EkSeverity severity;

      if (!g_strv_contains (finding_ids, finding->id))
        continue;

      severity = policy != NULL ? ek_lockdown_policy_get_severity (policy, finding)
                                : finding->severity;
      status = MAX (status, status_for_severity (severity));
      if (count++ > 0)
        g_string_append (value, ", ");
      g_string_append (value, finding->subject);
      if (descriptions->len > 0)
        g_string_append_c (descriptions, ' ');
      g_string_append (descriptions, finding->description);
    }

  if (count == 0)
    {
      report (self, id, title, EK_CHECK_PASS, g_strdup (none_value), g_strdup (threshold),
              NULL, 0, "count");
      return;
    }

  report (self, id, title, status, g_string_free (g_steal_pointer (&value), FALSE),
          g_strdup (threshold),
          g_strconcat (descriptions->str, " ", remedy, NULL),
          count, "count");
}

static char *
format_bytes (double bytes)
{
  return g_format_size_full ((guint64) MAX (0.0, bytes), G_FORMAT_SIZE_IEC_UNITS);
}

static char *
format_rate (double bytes_per_s)
{
  g_autofree char *size = g_format_size ((guint64) MAX (0.0, bytes_per_s));

  /* Translators: a transfer rate, %s is a size such as "2.4 MB" */
  return g_strdup_printf (_("%s/s"), size);
}

/* Steps */

static gboolean
group_wanted (EkSelfCheck *self,
              const char  *group)
{
  return self->groups == NULL || g_strv_contains ((const char * const *) self->groups, group);
}

static void
set_current_step (EkSelfCheck *self,
                  const char  *text)
{
  if (g_strcmp0 (self->current_step, text) == 0)
    return;

  g_free (self->current_step);
  self->current_step = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
}

static void
check_session (EkSelfCheck *self)
{
  const char *session_type = ek_probe_sources_getenv (self->sources, "XDG_SESSION_TYPE");
  const char *wayland = ek_probe_sources_getenv (self->sources, "WAYLAND_DISPLAY");
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const remote_ids[] = {
    EK_FINDING_REMOTE_SESSION, EK_FINDING_VIRTUAL_DISPLAY, NULL,
  };

  set_current_step (self, _("Checking the desktop session…"));

  if (g_strcmp0 (session_type, "wayland") == 0 || (wayland != NULL && *wayland != '\0'))
    report (self, "session.x11", _("Desktop session"), EK_CHECK_FAIL,
            g_strdup (_("Wayland")), g_strdup (_("an X11 session")),
            g_strdup (_("The exam needs an X11 session. Log out, choose “GNOME on Xorg” or "
                        "the “ExamKiosk exam session” with the gear button on the login screen, "
                        "and log in again.")),
            NAN, NULL);
  else if (!self->display_available)
    report (self, "session.x11", _("Desktop session"), EK_CHECK_FAIL,
            g_strdup (_("no X11 display found")), g_strdup (_("an X11 session")),
            g_strdup (_("Run the check from the desktop session the exam will use (X11), "
                        "or start the “ExamKiosk exam session” from the login screen.")),
            NAN, NULL);
  else
    report (self, "session.x11", _("Desktop session"), EK_CHECK_PASS,
            g_strdup (_("X11")), g_strdup (_("an X11 session")), NULL, NAN, NULL);

  ek_environment_probe_remote_session (self->sources, findings);
  if (self->display_available)
    ek_display_probe (findings);
  report_findings (self, "session.local", _("Local display"), findings, remote_ids,
                   _("a local screen"), _("no remote, nested or virtual display"),
                   _("Sit the exam directly at this computer, not through remote desktop, "
                     "SSH or a virtual screen."));

  step_done (self);
}

static void
check_monitors (EkSelfCheck *self)
{
  g_autoptr(EkMonitorWatch) watch = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *joined = NULL;
  guint n;

  set_current_step (self, _("Counting the monitors…"));

  if (!self->display_available)
    {
      report (self, "monitors", _("Monitors"), EK_CHECK_FAIL,
              g_strdup (_("not counted: no X11 display")), g_strdup (_("exactly one")),
              g_strdup (_("Run the check on the computer's own screen, in the session the "
                          "exam will use.")),
              NAN, "count");
      step_done (self);
      return;
    }

  watch = ek_monitor_watch_new ();
  n = ek_monitor_watch_get_n_monitors (watch);
  names = ek_monitor_watch_dup_names (watch);
  joined = names != NULL ? g_strjoinv (", ", names) : g_strdup ("");

  if (n == 1)
    report (self, "monitors", _("Monitors"), EK_CHECK_PASS,
            g_strdup_printf (_("one (%s)"), joined), g_strdup (_("exactly one")), NULL,
            n, "count");
  else
    report (self, "monitors", _("Monitors"), EK_CHECK_FAIL,
            /* Translators: %u is a number of monitors, %s their names */
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u (%s)", "%u (%s)", n), n, joined),
            g_strdup (_("exactly one")),
            n == 0 ? g_strdup (_("No monitor was found. Check the screen's cable and power."))
                   : g_strdup (_("Disconnect every monitor but one, or switch the others off "
                                 "in the display settings, including mirrored screens.")),
            n, "count");

  step_done (self);
}

static void
check_memory (EkSelfCheck *self)
{
  g_autoptr(GError) error = NULL;
  EkMemoryInfo info;
  double need_total = self->policy.min_memory_total_mb * MIB;
  double need_available = self->policy.min_memory_available_mb * MIB;
  g_autofree char *total_needed = format_bytes (need_total);
  g_autofree char *available_needed = format_bytes (need_available);

  set_current_step (self, _("Checking the memory…"));

  ek_system_info_set_proc_root (self->sources->proc_root);
  if (!ek_system_info_read_memory (&info, &error))
    {
      report (self, "memory.total", _("Memory (total)"), EK_CHECK_FAIL,
              g_strdup_printf (_("unknown: %s"), error->message),
              g_strdup_printf (_("at least %s"), total_needed),
              g_strdup (_("The memory size could not be read. Ask the technician to check "
                          "this computer.")),
              NAN, "bytes");
      step_done (self);
      return;
    }

  report (self, "memory.total", _("Memory (total)"),
          info.total_bytes >= need_total ? EK_CHECK_PASS : EK_CHECK_FAIL,
          format_bytes (info.total_bytes), g_strdup_printf (_("at least %s"), total_needed),
          g_strdup (_("This computer has too little memory for the exam. Use a computer "
                      "with more memory.")),
          info.total_bytes, "bytes");
  report (self, "memory.available", _("Memory (available)"),
          info.available_bytes >= need_available ? EK_CHECK_PASS : EK_CHECK_FAIL,
          format_bytes (info.available_bytes),
          g_strdup_printf (_("at least %s"), available_needed),
          g_strdup (_("Too little memory is free. Close other programs, or restart the "
                      "computer, and check again.")),
          info.available_bytes, "bytes");

  step_done (self);
}

static void
check_power (EkSelfCheck *self)
{
  EkPowerInfo info;

  set_current_step (self, _("Checking the power supply…"));

  ek_power_read (self->sources, &info);

  if (!info.has_battery)
    report (self, "power.source", _("Power"), EK_CHECK_PASS,
            g_strdup (_("mains power (no battery)")), g_strdup (_("on mains power")),
            NULL, NAN, "percent");
  else if (info.on_mains)
    report (self, "power.source", _("Power"), EK_CHECK_PASS,
            info.battery_percent >= 0
              ? g_strdup_printf (_("on mains power, battery at %d %%"), info.battery_percent)
              : g_strdup (_("on mains power")),
            g_strdup (_("on mains power")), NULL,
            info.battery_percent >= 0 ? info.battery_percent : NAN, "percent");
  else
    report (self, "power.source", _("Power"),
            info.battery_percent >= 0 && info.battery_percent < BATTERY_FAIL_PERCENT
              ? EK_CHECK_FAIL : EK_CHECK_WARN,
            info.battery_percent >= 0
              ? g_strdup_printf (_("on battery, %d %% left"), info.battery_percent)
              : g_strdup (_("on battery")),
            g_strdup (_("on mains power")),
            g_strdup (_("Connect the charger and keep it connected during the whole exam.")),
            info.battery_percent >= 0 ? info.battery_percent : NAN, "percent");

  step_done (self);
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
    report (self, "power.inhibit", _("Sleep and screen saver"), EK_CHECK_PASS,
            g_strdup_printf (_("can be held off (%s)"), probe->found),
            g_strdup (_("can be held off during the exam")), NULL, NAN, NULL);
  else
    report (self, "power.inhibit", _("Sleep and screen saver"), EK_CHECK_WARN,
            g_strdup (_("no service found to hold them off")),
            g_strdup (_("can be held off during the exam")),
            g_strdup (_("Set the computer never to sleep or lock the screen by itself "
                        "(power and privacy settings) before the exam.")),
            NAN, NULL);

  g_free (probe->found);
  g_free (probe);
  step_done (self);
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

static void
check_inhibit (EkSelfCheck *self)
{
  InhibitProbe *probe = g_new0 (InhibitProbe, 1);

  probe->self = g_object_ref (self);
  probe_inhibitor (probe);
}

static void
check_environment (EkSelfCheck *self)
{
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const vm_ids[] = { EK_FINDING_HYPERVISOR, NULL };
  static const char * const debug_ids[] = { EK_FINDING_DEBUGGER, EK_FINDING_INJECTION, NULL };

  set_current_step (self, _("Checking the computer…"));

  ek_environment_probe_hypervisor (self->sources, findings);
  ek_environment_probe_debugger (self->sources, findings);
  ek_environment_probe_injection (self->sources, findings);

  report_findings (self, "environment.vm", _("Virtual machine"), findings, vm_ids,
                   _("a real computer"), _("not a virtual machine"),
                   _("Sit the exam on a real computer, not in a virtual machine."));
  report_findings (self, "environment.debugger", _("Debugger and injected code"), findings,
                   debug_ids, _("none"), _("none"),
                   _("Start the exam program directly, without a debugger, LD_PRELOAD or "
                     "/etc/ld.so.preload."));

  step_done (self);
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
    report (self, "environment.processes", _("Forbidden programs"), EK_CHECK_WARN,
            g_strdup_printf (_("not checked: %s"), error->message), g_strdup (_("none running")),
            g_strdup (_("The running programs could not be listed. Ask the technician to "
                        "check this computer.")),
            NAN, "count");
  else
    report_findings (self, "environment.processes", _("Forbidden programs"), findings,
                     process_ids, _("none running"), _("none running"),
                     _("Quit these programs before the exam (screen recorders, remote "
                       "desktops, chat and meeting programs)."));

  step_done (self);
}

static void
check_processes (EkSelfCheck *self)
{
  g_autoptr(EkProcessScanner) scanner = ek_process_scanner_new (self->sources);

  set_current_step (self, _("Looking for forbidden programs…"));

  if (self->exam != NULL && ek_exam_get_blocked_processes (self->exam) != NULL)
    ek_process_scanner_add_names (scanner, EK_FINDING_BLOCKED_PROCESS,
                                  ek_exam_get_blocked_processes (self->exam));

  ek_process_scanner_scan_async (scanner, self->cancellable, on_scanned_cb,
                                 g_object_ref (self));
}

static void
check_xserver (EkSelfCheck *self)
{
  EkXorgServerFlags flags;
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  static const char * const grab_ids[] = { EK_FINDING_GRAB_BREAKER, NULL };
  g_autofree char *remedy = NULL;
  gboolean keys_can_switch;

  set_current_step (self, _("Checking the X server…"));

  ek_xorg_config_read_server_flags (self->xorg_root, &flags);
  keys_can_switch = !self->display_available || ek_display_can_switch_away ();

  /* Translators: %s is a file name */
  remedy = g_strdup_printf (_("Ask the technician to copy %s to /etc/X11/xorg.conf.d/ and "
                              "restart the computer, or to use the “ExamKiosk exam session” "
                              "at the login screen."), XORG_SNIPPET);

  if (flags.dont_vt_switch && flags.dont_zap)
    report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_PASS,
            g_strdup_printf (_("DontVTSwitch and DontZap are set (%s)"), flags.source),
            g_strdup (_("DontVTSwitch and DontZap")), NULL, NAN, NULL);
  else if (self->display_available && !keys_can_switch)
    report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_PASS,
            g_strdup (_("the keyboard layout has no switching keys")),
            g_strdup (_("DontVTSwitch and DontZap")), NULL, NAN, NULL);
  else
    report (self, "xserver.switching", _("Switching away with Ctrl+Alt"), EK_CHECK_WARN,
            !self->display_available
              ? g_strdup (_("the X server configuration does not disable it"))
              : g_strdup (_("Ctrl+Alt+F1…F12 and Ctrl+Alt+Backspace work")),
            g_strdup (_("DontVTSwitch and DontZap")), g_steal_pointer (&remedy), NAN, NULL);

  if (!self->display_available)
    report (self, "xserver.grab_keys", _("Keys that break the keyboard lock"), EK_CHECK_WARN,
            g_strdup (_("not checked: no X11 display")), g_strdup (_("none")),
            g_strdup (_("Run the check in the session the exam will use.")), NAN, "count");
  else
    {
      ek_display_probe (findings);
      report_findings (self, "xserver.grab_keys", _("Keys that break the keyboard lock"),
                       findings, grab_ids, _("none"), _("none"),
                       _("Ask the technician to remove the keyboard option "
                         "“grab:break_actions” (setxkbmap -option)."));
    }

  ek_xorg_server_flags_clear (&flags);
  step_done (self);
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
  g_autofree char *needed = format_bytes (need);
  g_autofree char *free_text = NULL;

  if (error != NULL)
    {
      report (self, id, title, EK_CHECK_FAIL,
              g_strdup_printf (_("unknown: %s"), error->message),
              g_strdup_printf (_("at least %s free"), needed),
              g_strdup (remedy), NAN, "bytes");
      return;
    }

  free_text = format_bytes (info->free_bytes);
  report (self, id, title, info->free_bytes >= need ? EK_CHECK_PASS : EK_CHECK_FAIL,
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
      report (self, "disk.recording", _("Free space (recordings)"), EK_CHECK_FAIL,
              g_strdup (_("no recording folder")), NULL,
              g_strdup (_("The folder for recordings could not be made. Ask the technician "
                          "to check [storage] data-dir in the configuration.")),
              NAN, "bytes");
      report (self, "disk.write", _("Writing recordings"), EK_CHECK_FAIL,
              g_strdup (_("not tested")), g_strdup (_("the recording folder is writable")),
              g_strdup (_("The folder for recordings could not be made. Ask the technician "
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
        report (self, "disk.write", _("Writing recordings"), EK_CHECK_FAIL,
                g_strdup_printf (_("failed: %s"), data->recording_error != NULL
                                                    ? data->recording_error->message
                                                    : data->write_error->message),
                g_strdup (_("the recording folder is writable")),
                g_strdup (_("The recording cannot be saved. Check that the disk is not full "
                            "or read-only, and that the folder belongs to you.")),
                NAN, "bytes/s");
      else
        {
          g_autofree char *rate = format_rate (data->write_rate);

          report (self, "disk.write", _("Writing recordings"), EK_CHECK_PASS,
                  g_strdup_printf (_("written and read back (%s)"), rate),
                  g_strdup (_("the recording folder is writable")), NULL,
                  data->write_rate, "bytes/s");
        }
    }

  step_done (self);
}

static void
check_disk (EkSelfCheck *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DiskData *data = g_new0 (DiskData, 1);

  set_current_step (self, _("Checking the disk…"));

  data->system_path = g_strdup (self->system_path);
  /* The folder the recorder will write to, made private now if it is not there. */
  if (ek_config_ensure_data_dir (self->config, &error))
    data->recording_path = g_strdup (ek_config_get_data_dir (self->config));
  else
    g_debug ("self-check: no data folder: %s", error->message);

  task = g_task_new (self, self->cancellable, on_disk_done_cb, NULL);
  g_task_set_source_tag (task, check_disk);
  g_task_set_task_data (task, data, (GDestroyNotify) disk_data_free);
  g_task_run_in_thread (task, disk_thread);
}

/* The parallel part: camera, microphone and network, each a "leaf". */

static void
leaf_done (EkSelfCheck *self)
{
  g_return_if_fail (self->pending > 0);

  self->leaves_done++;
  if (self->leaves_started > 0)
    set_fraction (self, (self->step + (double) self->leaves_done / self->leaves_started) /
                        N_STEPS);
  if (--self->pending == 0)
    step_done (self);
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
      report (self, "camera.frames", _("Camera picture"), EK_CHECK_FAIL,
              g_strdup (error->message), g_strdup (frames_needed),
              g_strdup (_("Check that the camera is connected and that no other program "
                          "(a video call, a browser tab) uses it, then check again.")),
              NAN, "ms");
      return;
    }

  if (stats->n_frames == 0 || stats->first_frame_ms > EK_SELF_CHECK_FIRST_FRAME_MS)
    {
      report (self, "camera.frames", _("Camera picture"), EK_CHECK_FAIL,
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
    report (self, "camera.frames", _("Camera picture"), EK_CHECK_PASS,
            g_strdup_printf (_("the first picture came after %.1f s"),
                             stats->first_frame_ms / 1000.0),
            g_strdup (frames_needed), NULL, stats->first_frame_ms, "ms");

  if (stats->max_luma < BLACK_LUMA && stats->max_contrast < BLACK_CONTRAST)
    report (self, "camera.black", _("Camera picture is not black"), EK_CHECK_FAIL,
            g_strdup_printf (_("black (brightness %.0f %%)"), stats->max_luma * 100 / 255),
            g_strdup (_("a visible picture")),
            g_strdup (_("The camera's picture is black. Open the lens cover or privacy "
                        "shutter, switch on the light, and check again.")),
            stats->max_luma * 100 / 255, "percent");
  else
    report (self, "camera.black", _("Camera picture is not black"), EK_CHECK_PASS,
            g_strdup_printf (_("brightness %.0f %%"), stats->max_luma * 100 / 255),
            g_strdup (_("a visible picture")), NULL, stats->max_luma * 100 / 255, "percent");

  if (stats->n_frames < 3)
    report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_WARN,
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "only %u picture came",
                                          "only %u pictures came", stats->n_frames),
                             stats->n_frames),
            g_strdup (_("a picture that changes")),
            g_strdup (_("Too few pictures came to tell whether the picture is live. Check "
                        "again.")),
            stats->max_motion, NULL);
  else if (stats->max_motion < FROZEN_MOTION)
    report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_FAIL,
            g_strdup (_("the picture never changes")), g_strdup (_("a picture that changes")),
            g_strdup (_("The camera shows a still picture. Use a real camera, not a "
                        "program that plays a picture or a video, and check again.")),
            stats->max_motion, NULL);
  else
    report (self, "camera.frozen", _("Camera picture is live"), EK_CHECK_PASS,
            g_strdup (_("the picture changes")), g_strdup (_("a picture that changes")),
            NULL, stats->max_motion, NULL);

  /* Translators: a video size and rate, e.g. "at least 640×360 at 15 frames/s" */
  threshold = g_strdup_printf (_("at least %d×%d at %.0f frames/s"), MIN_WIDTH, MIN_HEIGHT, MIN_FPS);
  if (stats->width == 0)
    report (self, "camera.format", _("Camera resolution"), EK_CHECK_WARN,
            g_strdup (_("unknown")), g_strdup (threshold),
            g_strdup (_("The camera did not say its resolution. Check again.")), NAN, "pixels");
  else
    {
      gboolean too_small = stats->width < MIN_WIDTH || stats->height < MIN_HEIGHT ||
                           (stats->framerate > 0 && stats->framerate < MIN_FPS);
      gboolean too_slow = stats->measured_fps > 0 && stats->measured_fps < MIN_FPS * 0.8;

      report (self, "camera.format", _("Camera resolution"),
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
on_camera_probed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GError) error = NULL;
  EkMediaProbeStats stats = { 0 };

  ek_media_probe_run_finish (EK_MEDIA_PROBE (source), result, &stats, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;

  check_camera_stats (self, &stats, error);
  leaf_done (self);
}

static void
check_microphone_stats (EkSelfCheck             *self,
                        const EkMediaProbeStats *stats,
                        const GError            *error)
{
  g_autofree char *threshold = g_strdup_printf (_("louder than %.0f dBFS when someone speaks"),
                                                SPEECH_DB);

  if (error != NULL)
    report (self, "microphone.level", _("Microphone sound"), EK_CHECK_FAIL,
            g_strdup (error->message), g_strdup (threshold),
            g_strdup (_("Check that the microphone is connected and that no other program "
                        "uses it, then check again.")),
            NAN, "dBFS");
  else if (stats->n_levels == 0 || stats->peak_db <= SILENT_DB)
    report (self, "microphone.level", _("Microphone sound"), EK_CHECK_FAIL,
            g_strdup (_("silent")), g_strdup (threshold),
            g_strdup (_("The microphone gives no sound at all. Check that it is not muted "
                        "(also a switch on the headset or the keyboard) and that the right "
                        "microphone is chosen in the sound settings.")),
            stats->n_levels == 0 ? NAN : stats->peak_db, "dBFS");
  else
    report (self, "microphone.level", _("Microphone sound"),
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

static void
on_microphone_probed_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(EkSelfCheck) self = user_data;
  g_autoptr(GError) error = NULL;
  EkMediaProbeStats stats = { 0 };

  ek_media_probe_run_finish (EK_MEDIA_PROBE (source), result, &stats, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;

  check_microphone_stats (self, &stats, error);
  leaf_done (self);
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
    report (self, "camera.present", _("Camera"), EK_CHECK_WARN,
            g_strdup (_("a test picture (configured)")), g_strdup (_("a camera")),
            g_strdup (_("The configuration uses test sources ([media] source=test): the exam "
                        "would record a test picture, not the camera.")),
            1, "count");
  else if (camera_id == NULL)
    report (self, "camera.present", _("Camera"), EK_CHECK_FAIL,
            g_strdup (_("none found")), g_strdup (_("a camera")),
            g_strdup (_("No camera was found. Connect a camera (or switch on the built-in "
                        "one) and check again.")),
            0, "count");
  else
    report (self, "camera.present", _("Camera"), EK_CHECK_PASS,
            g_strdup (camera_name), g_strdup (_("a camera")), NULL, 1, "count");

  report_findings (self, "camera.virtual", _("Virtual camera"), findings, virtual_ids,
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
                                on_camera_probed_cb, g_object_ref (self));
    }

  /* Microphone */
  if (test)
    report (self, "microphone.present", _("Microphone"), EK_CHECK_WARN,
            g_strdup (_("a test sound (configured)")), g_strdup (_("a microphone")),
            g_strdup (_("The configuration uses test sources ([media] source=test): the exam "
                        "would record a test sound, not the microphone.")),
            1, "count");
  else if (microphone_id == NULL)
    report (self, "microphone.present", _("Microphone"), EK_CHECK_FAIL,
            g_strdup (_("none found")), g_strdup (_("a microphone")),
            g_strdup (_("No microphone was found. Connect a microphone and check again.")),
            0, "count");
  else
    report (self, "microphone.present", _("Microphone"), EK_CHECK_PASS,
            g_strdup (microphone_name), g_strdup (_("a microphone")), NULL, 1, "count");

  report_findings (self, "audio.headset", _("Headset and Bluetooth audio"), findings,
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
                                on_microphone_probed_cb, g_object_ref (self));
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
  leaf_done (self);
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
      leaf_done (self);
      return;
    }

  ek_media_device_list_async (EK_MEDIA_SOURCE_AUTO, self->cancellable, on_devices_listed_cb,
                              g_object_ref (self));
}

/* Network: health, round trip and clock, upload, download; one request at a time,
 * each with short timeouts, so a server that does not answer costs seconds, not
 * minutes. */

typedef void (*ResponseFunc) (EkSelfCheck    *self,
                              EkHttpResponse *response,
                              const GError   *error,
                              gint64          elapsed_us);

typedef struct
{
  EkSelfCheck  *self;   /* owned */
  ResponseFunc  func;
  gint64        start_us;
} Exchange;

static void
on_response_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Exchange *exchange = user_data;
  g_autoptr(EkSelfCheck) self = exchange->self;
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_us = g_get_monotonic_time () - exchange->start_us;
  ResponseFunc func = exchange->func;

  g_free (exchange);
  response = ek_http_client_send_finish (EK_HTTP_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->task == NULL)
    return;

  func (self, response, error, elapsed_us);
}

static void
send_request (EkSelfCheck  *self,
              const char   *method,
              const char   *path,
              GBytes       *body,
              guint64       max_response,
              ResponseFunc  func)
{
  g_autofree char *url = g_strconcat (self->server_url, path, NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new (method, url);
  Exchange *exchange = g_new0 (Exchange, 1);

  ek_http_request_set_timeouts (request, NETWORK_CONNECT_MS, NETWORK_TIMEOUT_MS);
  ek_http_request_set_max_response_size (request, max_response);
  if (body != NULL)
    ek_http_request_set_body (request, "application/octet-stream", body);

  exchange->self = g_object_ref (self);
  exchange->func = func;
  exchange->start_us = g_get_monotonic_time ();
  ek_http_client_send_async (self->http, request, self->cancellable, on_response_cb, exchange);
}

static JsonObject *
parse_object (EkHttpResponse *response)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GBytes *body = ek_http_response_get_body (response);
  JsonNode *root;
  gsize size = 0;
  const char *data;

  if (body == NULL || ek_http_response_get_status (response) / 100 != 2)
    return NULL;

  data = g_bytes_get_data (body, &size);
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

static char *
response_problem (EkHttpResponse *response,
                  const GError   *error)
{
  if (error != NULL)
    return g_strdup (error->message);

  /* Translators: %u is an HTTP status code such as 503 */
  return g_strdup_printf (_("the server answered with status %u"),
                          ek_http_response_get_status (response));
}

static void
report_not_measured (EkSelfCheck *self,
                     const char  *id,
                     const char  *title)
{
  report (self, id, title, EK_CHECK_FAIL, g_strdup (_("not measured")), NULL,
          g_strdup (_("The exam server could not be reached; see above.")), NAN, NULL);
}

static void
network_unreachable (EkSelfCheck *self,
                     char        *problem,
                     char        *remedy)
{
  report (self, "network.reachable", _("Exam server"), EK_CHECK_FAIL, problem,
          g_strdup (_("reachable over HTTPS")), remedy, NAN, NULL);
  report_not_measured (self, "network.rtt", _("Round-trip time"));
  report_not_measured (self, "network.clock", _("Clock"));
  report_not_measured (self, "network.upload", _("Upload speed"));
  report_not_measured (self, "network.download", _("Download speed"));
  report_not_measured (self, "client.version", _("Exam program version"));
  leaf_done (self);
}

static gboolean
parse_version (const char *text,
               guint64     parts[3])
{
  g_auto(GStrv) split = NULL;

  if (text == NULL)
    return FALSE;

  memset (parts, 0, 3 * sizeof (guint64));
  split = g_strsplit (text, ".", 4);
  for (guint i = 0; split[i] != NULL && i < 3; i++)
    {
      if (!g_ascii_string_to_unsigned (split[i], 10, 0, G_MAXUINT32, &parts[i], NULL))
        return FALSE;
    }

  return TRUE;
}

static int
compare_versions (const char *a,
                  const char *b)
{
  guint64 va[3], vb[3];

  if (!parse_version (a, va) || !parse_version (b, vb))
    return 0;

  for (guint i = 0; i < 3; i++)
    {
      if (va[i] != vb[i])
        return va[i] < vb[i] ? -1 : 1;
    }

  return 0;
}

static void request_download (EkSelfCheck *self, guint bytes);
static void request_upload (EkSelfCheck *self, guint bytes);

static void
on_download_cb (EkSelfCheck    *self,
                EkHttpResponse *response,
                const GError   *error,
                gint64          elapsed_us)
{
  GBytes *body = response != NULL ? ek_http_response_get_body (response) : NULL;
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;
  gint64 transfer_us = MAX (1000, elapsed_us - self->best_rtt_ms * 1000);
  g_autofree char *rate_text = NULL;
  double rate;

  if (error != NULL || ek_http_response_get_status (response) != 200 || size == 0)
    {
      report (self, "network.download", _("Download speed"), EK_CHECK_FAIL,
              g_strdup_printf (_("not measured: %s"), response_problem (response, error)), NULL,
              g_strdup (_("The connection broke off during the speed test. Check the "
                          "network and check again.")),
              NAN, "bytes/s");
      leaf_done (self);
      return;
    }

  rate = size * (double) G_USEC_PER_SEC / transfer_us;

  /* A quick first round is too short to measure a fast line: a bigger second one. */
  if (size < DOWNLOAD_MAX_BYTES && rate * 0.25 > size && self->best_rtt_ms < RTT_FAIL_MS &&
      self->download_rate == 0)
    {
      self->download_rate = rate;
      request_download (self, DOWNLOAD_MAX_BYTES);
      return;
    }

  rate_text = format_rate (rate);
  report (self, "network.download", _("Download speed"),
          rate >= self->policy.min_upload_bytes_per_s ? EK_CHECK_PASS : EK_CHECK_WARN,
          g_strdup (rate_text), NULL,
          g_strdup (_("Downloads from the exam server are slow. Use a faster connection, "
                      "move closer to the Wi-Fi router or use a cable.")),
          rate, "bytes/s");
  leaf_done (self);
}

static void
request_download (EkSelfCheck *self,
                  guint        bytes)
{
  g_autofree char *path = g_strdup_printf ("/v1/bandwidth?bytes=%u", bytes);

  set_current_step (self, _("Measuring the download speed…"));
  send_request (self, "GET", path, NULL, bytes + 1024, on_download_cb);
}

static void
on_upload_cb (EkSelfCheck    *self,
              EkHttpResponse *response,
              const GError   *error,
              gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  gint64 bytes = 0, elapsed_ms = 0;
  double rate;
  double need = self->policy.min_upload_bytes_per_s;
  g_autofree char *rate_text = NULL;
  g_autofree char *need_text = NULL;

  if (answer == NULL ||
      !ek_json_read_int (answer, "bytes", TRUE, 0, G_MAXINT64, &bytes, NULL) ||
      !ek_json_read_int (answer, "elapsed_ms", TRUE, 0, G_MAXINT64, &elapsed_ms, NULL))
    {
      g_autofree char *problem = response_problem (response, error);

      report (self, "network.upload", _("Upload speed"), EK_CHECK_FAIL,
              g_strdup_printf (_("not measured: %s"), problem), NULL,
              g_strdup (_("The upload test did not finish. The recording may not reach the "
                          "server: use a faster or steadier connection.")),
              NAN, "bytes/s");
      request_download (self, DOWNLOAD_PROBE_BYTES);
      return;
    }

  /* The server's own clock from the first to the last byte, without the round trip;
   * too short to tell is measured from here instead. */
  if (elapsed_ms >= 20)
    rate = bytes * 1000.0 / elapsed_ms;
  else
    rate = bytes * (double) G_USEC_PER_SEC / MAX (1000, elapsed_us - self->best_rtt_ms * 1000);

  if (self->upload_rate == 0 && rate >= need / 2 && self->best_rtt_ms < RTT_FAIL_MS)
    {
      self->upload_rate = rate;
      request_upload (self, (guint) CLAMP (rate * BANDWIDTH_TARGET_S, UPLOAD_PROBE_BYTES * 2.0,
                                           (double) UPLOAD_MAX_BYTES));
      return;
    }

  rate_text = format_rate (rate);
  need_text = format_rate (need);
  report (self, "network.upload", _("Upload speed"),
          rate >= need ? EK_CHECK_PASS : EK_CHECK_FAIL, g_strdup (rate_text),
          g_strdup_printf (_("at least %s"), need_text),
          g_strdup (_("The upload is too slow for the exam's recording. Use a faster "
                      "connection, stop other uploads and downloads, or use a cable "
                      "instead of Wi-Fi.")),
          rate, "bytes/s");
  request_download (self, DOWNLOAD_PROBE_BYTES);
}

static void
request_upload (EkSelfCheck *self,
                guint        bytes)
{
  g_autofree guint8 *data = g_malloc (bytes);
  g_autoptr(GBytes) body = NULL;
  guint32 seed = 0x9e3779b9;

  /* Bytes that no proxy or link layer can compress away. */
  for (guint i = 0; i < bytes; i++)
    {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      data[i] = (guint8) seed;
    }
  body = g_bytes_new_take (g_steal_pointer (&data), bytes);

  set_current_step (self, _("Measuring the upload speed…"));
  send_request (self, "POST", "/v1/bandwidth", body, 64 * 1024, on_upload_cb);
}

static void request_time (EkSelfCheck *self);

static void
on_time_cb (EkSelfCheck    *self,
            EkHttpResponse *response,
            const GError   *error,
            gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  gint64 receive_ms = 0, transmit_ms = 0;
  gint64 t4 = ek_server_clock_get_local_ms (self->clock);
  gint64 t1 = t4 - elapsed_us / 1000;

  if (answer != NULL &&
      ek_json_read_int (answer, "receive_ms", TRUE, 0, G_MAXINT64, &receive_ms, NULL) &&
      ek_json_read_int (answer, "transmit_ms", TRUE, 0, G_MAXINT64, &transmit_ms, NULL))
    {
      /* What the person waits for: the whole exchange, a slow server included
       * (the clock's own delay leaves the server's time out). */
      gint64 rtt = elapsed_us / 1000;

      ek_server_clock_add_sample (self->clock, t1, receive_ms, transmit_ms, t4);
      self->best_rtt_ms = self->best_rtt_ms < 0 ? rtt : MIN (self->best_rtt_ms, rtt);
    }

  /* A slow server gets fewer samples: each costs a round trip. */
  if (++self->time_samples < TIME_SAMPLES && (self->best_rtt_ms < 0 ||
                                              self->best_rtt_ms < RTT_FAIL_MS))
    {
      request_time (self);
      return;
    }

  if (self->best_rtt_ms < 0)
    {
      g_autofree char *problem = response_problem (response, error);

      report (self, "network.rtt", _("Round-trip time"), EK_CHECK_FAIL,
              g_strdup_printf (_("not measured: %s"), problem), NULL,
              g_strdup (_("The server's clock could not be read. Check the network and "
                          "check again.")),
              NAN, "ms");
      report (self, "network.clock", _("Clock"), EK_CHECK_FAIL, g_strdup (_("not measured")),
              NULL, g_strdup (_("The server's clock could not be read. Check the network "
                                "and check again.")),
              NAN, "ms");
    }
  else
    {
      gint64 skew = ek_server_clock_get_skew_ms (self->clock);
      gint64 max_skew = self->policy.max_clock_skew_ms;
      EkCheckStatus status = ABS (skew) <= max_skew ? EK_CHECK_PASS
                             : ABS (skew) < CLOCK_FAIL_MS ? EK_CHECK_WARN : EK_CHECK_FAIL;

      report (self, "network.rtt", _("Round-trip time"),
              self->best_rtt_ms <= RTT_WARN_MS ? EK_CHECK_PASS
              : self->best_rtt_ms <= RTT_FAIL_MS ? EK_CHECK_WARN : EK_CHECK_FAIL,
              g_strdup_printf (_("%d ms"), (int) MIN (self->best_rtt_ms, G_MAXINT)),
              g_strdup_printf (_("at most %d ms"), RTT_WARN_MS),
              g_strdup (_("The connection to the exam server is slow. Use a cable or move "
                          "closer to the Wi-Fi router, and stop other downloads.")),
              self->best_rtt_ms, "ms");
      report (self, "network.clock", _("Clock"), status,
              skew >= 0
                /* Translators: the computer's clock compared with the server's */
                ? g_strdup_printf (_("%.1f s behind the server"), skew / 1000.0)
                : g_strdup_printf (_("%.1f s ahead of the server"), -skew / 1000.0),
              g_strdup_printf (_("within %.1f s"), max_skew / 1000.0),
              g_strdup (_("The computer's clock is wrong. Switch on “Automatic date and "
                          "time” in the settings, or set the clock and time zone by hand.")),
              skew, "ms");
    }

  request_upload (self, UPLOAD_PROBE_BYTES);
}

static void
request_time (EkSelfCheck *self)
{
  send_request (self, "GET", "/v1/time", NULL, 64 * 1024, on_time_cb);
}

static void
on_health_cb (EkSelfCheck    *self,
              EkHttpResponse *response,
              const GError   *error,
              gint64          elapsed_us)
{
  g_autoptr(JsonObject) answer = response != NULL ? parse_object (response) : NULL;
  const char *min_version = NULL;
  gint64 protocol = 0;

  if (answer == NULL)
    {
      network_unreachable (self, response_problem (response, error),
                           g_strdup (_("The exam server cannot be reached. Check the network "
                                       "connection (cable or Wi-Fi), then check again; if it "
                                       "still fails, tell the exam organiser.")));
      return;
    }

  ek_json_read_int (answer, "protocol", FALSE, 0, G_MAXINT32, &protocol, NULL);
  ek_json_read_string (answer, "min_client_version", FALSE, &min_version, NULL);

  report (self, "network.reachable", _("Exam server"), EK_CHECK_PASS,
          g_strdup (self->server_url), g_strdup (_("reachable over HTTPS")), NULL,
          elapsed_us / 1000.0, "ms");

  if (protocol != 1)
    report (self, "client.version", _("Exam program version"), EK_CHECK_FAIL,
            g_strdup_printf (_("%s (the server speaks protocol %d)"),
                             PACKAGE_VERSION, (int) protocol),
            g_strdup (_("protocol 1")),
            g_strdup (_("This exam program does not match the exam server. Install the "
                        "version the exam organiser names.")),
            NAN, NULL);
  else if (min_version != NULL && compare_versions (PACKAGE_VERSION, min_version) < 0)
    report (self, "client.version", _("Exam program version"), EK_CHECK_FAIL,
            g_strdup (PACKAGE_VERSION), g_strdup_printf (_("at least %s"), min_version),
            g_strdup (_("This exam program is too old for the exam server. Install the "
                        "current version before the exam.")),
            NAN, NULL);
  else
    report (self, "client.version", _("Exam program version"), EK_CHECK_PASS,
            g_strdup (PACKAGE_VERSION),
            min_version != NULL ? g_strdup_printf (_("at least %s"), min_version) : NULL,
            NULL, NAN, NULL);

  set_current_step (self, _("Measuring the connection…"));
  request_time (self);
}

static void
run_network (EkSelfCheck *self)
{
  g_autoptr(GError) error = NULL;
  const char *ca_file = ek_config_get_ca_file (self->config);
  const char *pinned_key = ek_config_get_pinned_key (self->config);
  g_autofree char *user_agent = g_strdup_printf ("exam-kiosk/%s (self-check)", PACKAGE_VERSION);

  self->pending++;
  self->leaves_started++;
  self->time_samples = 0;
  self->best_rtt_ms = -1;
  self->upload_rate = 0;
  self->download_rate = 0;

  if (self->server_url == NULL || *self->server_url == '\0')
    {
      network_unreachable (self, g_strdup (_("no exam server configured")),
                           g_strdup (_("Ask the technician to set the exam server ([server] "
                                       "url in the configuration, or --server).")));
      return;
    }

  if (!ek_server_url_is_acceptable (self->server_url, &error))
    {
      network_unreachable (self, g_strdup (error->message),
                           g_strdup (_("Ask the technician to set a correct exam server "
                                       "address (https://…).")));
      return;
    }

  g_clear_object (&self->http);
  g_clear_object (&self->clock);
  self->http = ek_http_client_new ();
  self->clock = ek_server_clock_new ();
  ek_http_client_set_user_agent (self->http, user_agent);
  if (ca_file != NULL && *ca_file != '\0')
    ek_http_client_set_ca_file (self->http, ca_file);
  if (pinned_key != NULL && *pinned_key != '\0')
    ek_http_client_set_pinned_key (self->http, pinned_key);

  set_current_step (self, _("Contacting the exam server…"));
  send_request (self, "GET", "/v1/health", NULL, 64 * 1024, on_health_cb);
}

static void
run_parallel (EkSelfCheck *self)
{
  set_current_step (self, _("Checking the camera, the microphone and the network…"));

  /* A guard, so that a leaf finishing at once does not end the step early. */
  self->pending = 1;
  self->leaves_started = 0;
  self->leaves_done = 0;
  if (group_wanted (self, "media"))
    run_media (self);
  if (group_wanted (self, "network"))
    run_network (self);
  self->pending--;
  if (self->pending == 0)
    step_done (self);
}

/* The run */

typedef struct
{
  const char *group;   /* for ek_self_check_set_groups() */
  StepFunc    func;
} Step;

/* Also the order of the report. */
static const Step steps[] = {
  { "session", check_session },
  { "monitors", check_monitors },
  { "memory", check_memory },
  { "disk", check_disk },
  { "power", check_power },
  { "power", check_inhibit },
  { "environment", check_environment },
  { "processes", check_processes },
  { "xserver", check_xserver },
  { NULL, run_parallel },  /* "media" and "network" */
};

G_STATIC_ASSERT (G_N_ELEMENTS (steps) == N_STEPS);


static void
set_fraction (EkSelfCheck *self,
              double       fraction)
{
  if (self->fraction == fraction)
    return;

  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
finish_run (EkSelfCheck *self,
            GError      *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->idle_id, g_source_remove);
  if (self->cancelled_id != 0)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  set_current_step (self, NULL);
  if (error == NULL)
    set_fraction (self, 1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
run_step_cb (gpointer user_data)
{
  EkSelfCheck *self = user_data;

  self->idle_id = 0;
  if (self->step >= N_STEPS)
    {
      finish_run (self, NULL);
      return G_SOURCE_REMOVE;
    }

  if (steps[self->step].group != NULL && !group_wanted (self, steps[self->step].group))
    {
      step_done (self);
      return G_SOURCE_REMOVE;
    }

  steps[self->step].func (self);
  return G_SOURCE_REMOVE;
}

static void
step_done (EkSelfCheck *self)
{
  if (self->task == NULL)
    return;

  self->step++;
  set_fraction (self, (double) self->step / N_STEPS);

  /* From an idle: the UI gets to draw the result before the next step. */
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (run_step_cb, self);
}

static gboolean
abort_cb (gpointer user_data)
{
  EkSelfCheck *self = user_data;

  if (self->task != NULL)
    finish_run (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           _("The device check was stopped.")));

  return G_SOURCE_REMOVE;
}

static void
on_cancelled_cb (GCancellable *cancellable,
                 EkSelfCheck  *self)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* Never from here: this may be another thread, and the run's end disconnects this
   * handler, which must not happen inside it. */
  g_source_set_callback (source, abort_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

/* Report */

static int
compare_by_status (gconstpointer a,
                   gconstpointer b)
{
  const EkCheckResult *ra = *(const EkCheckResult * const *) a;
  const EkCheckResult *rb = *(const EkCheckResult * const *) b;

  /* Worst first; within a status the order of the run (the sort is stable). */
  return (int) rb->status - (int) ra->status;
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static const char *
status_label (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      /* Translators: the status of one check in the report */
      return C_("check status", "Pass");
    case EK_CHECK_WARN:
      return C_("check status", "Warning");
    case EK_CHECK_FAIL:
    default:
      return C_("check status", "Fail");
    }
}

/* GObject */

static void
ek_self_check_dispose (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->idle_id, g_source_remove);

  G_OBJECT_CLASS (ek_self_check_parent_class)->dispose (object);
}

static void
ek_self_check_finalize (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  g_clear_object (&self->config);
  g_clear_object (&self->exam);
  g_free (self->server_url);
  ek_probe_sources_free (self->sources);
  g_free (self->xorg_root);
  g_free (self->system_path);
  g_free (self->camera_description);
  g_free (self->microphone_description);
  g_strfreev (self->groups);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_free (self->current_step);
  g_clear_object (&self->camera_probe);
  g_clear_object (&self->microphone_probe);
  g_clear_pointer (&self->media_devices, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->http);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ek_self_check_parent_class)->finalize (object);
}

static void
ek_self_check_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;

    case PROP_DISPLAY_AVAILABLE:
      g_value_set_boolean (value, self->display_available);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->task != NULL);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    case PROP_CURRENT_STEP:
      g_value_set_string (value, self->current_step);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;

    case PROP_SERVER_URL:
      ek_self_check_set_server_url (self, g_value_get_string (value));
      break;

    case PROP_DISPLAY_AVAILABLE:
      ek_self_check_set_display_available (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_self_check_constructed (GObject *object)
{
  EkSelfCheck *self = EK_SELF_CHECK (object);

  G_OBJECT_CLASS (ek_self_check_parent_class)->constructed (object);

  if (self->config == NULL)
    self->config = ek_config_new ();
  if (self->server_url == NULL)
    self->server_url = g_strdup (ek_config_get_server_url (self->config));
}

static void
ek_self_check_class_init (EkSelfCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ek_self_check_constructed;
  object_class->dispose = ek_self_check_dispose;
  object_class->finalize = ek_self_check_finalize;
  object_class->get_property = ek_self_check_get_property;
  object_class->set_property = ek_self_check_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EK_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:server-url:
   *
   * The exam server to measure; by default the configuration's.
   */
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:display-available:
   *
   * Whether an X11 display is open for the monitor and X server checks.
   */
  properties[PROP_DISPLAY_AVAILABLE] =
    g_param_spec_boolean ("display-available", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:fraction:
   *
   * How far the run is, 0 to 1.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL,
                         0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkSelfCheck:current-step:
   *
   * What is being checked now, translated, e.g. "Checking the disk…"; %NULL between runs.
   */
  properties[PROP_CURRENT_STEP] =
    g_param_spec_string ("current-step", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkSelfCheck::result-added:
   * @result: the result, owned by the check
   *
   * A check has finished.
   */
  signals[RESULT_ADDED] =
    g_signal_new ("result-added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_CHECK_RESULT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_self_check_init (EkSelfCheck *self)
{
  ek_self_check_policy_init_defaults (&self->policy);
  self->sources = ek_probe_sources_new ();
  self->system_path = g_strdup ("/");
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_check_result_free);
  self->camera_probe = ek_media_probe_new (EK_MEDIA_DEVICE_CAMERA);
  self->microphone_probe = ek_media_probe_new (EK_MEDIA_DEVICE_MICROPHONE);
}

/* Public API */

/**
 * ek_self_check_new:
 * @config: (nullable): the configuration (server, storage, media); %NULL: the defaults
 *
 * Returns: (transfer full): a new device check
 */
EkSelfCheck *
ek_self_check_new (EkConfig *config)
{
  g_return_val_if_fail (config == NULL || EK_IS_CONFIG (config), NULL);

  return g_object_new (EK_TYPE_SELF_CHECK, "config", config, NULL);
}

EkConfig *
ek_self_check_get_config (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->config;
}

/**
 * ek_self_check_set_exam:
 * @exam: (nullable): the exam the computer is checked for: its thresholds, its
 *   forbidden programs and what its lockdown policy allows
 */
void
ek_self_check_set_exam (EkSelfCheck *self,
                        EkExam      *exam)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (exam == NULL || EK_IS_EXAM (exam));

  g_set_object (&self->exam, exam);
  if (exam != NULL)
    self->policy = *ek_exam_get_self_check_policy (exam);
  else
    ek_self_check_policy_init_defaults (&self->policy);
}

void
ek_self_check_set_policy (EkSelfCheck             *self,
                          const EkSelfCheckPolicy *policy)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  if (policy != NULL)
    self->policy = *policy;
  else
    ek_self_check_policy_init_defaults (&self->policy);
}

const char *
ek_self_check_get_server_url (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->server_url;
}

void
ek_self_check_set_server_url (EkSelfCheck *self,
                              const char  *url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (EK_IS_SELF_CHECK (self));

  /* Paths are appended: "https://host/" and "https://host" are the same server. */
  if (url != NULL)
    {
      trimmed = g_strdup (url);
      while (g_str_has_suffix (trimmed, "/"))
        trimmed[strlen (trimmed) - 1] = '\0';
    }

  if (g_strcmp0 (self->server_url, trimmed) == 0)
    return;

  g_free (self->server_url);
  self->server_url = g_steal_pointer (&trimmed);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_URL]);
}

void
ek_self_check_set_display_available (EkSelfCheck *self,
                                     gboolean     available)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  available = !!available;
  if (self->display_available == available)
    return;

  self->display_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_AVAILABLE]);
}

/**
 * ek_self_check_set_interactive:
 * @interactive: whether a person watches (the page): the camera and the microphone
 *   are then watched longer, long enough to say a sentence
 */
void
ek_self_check_set_interactive (EkSelfCheck *self,
                               gboolean     interactive)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  self->interactive = !!interactive;
}

void
ek_self_check_set_probe_sources (EkSelfCheck          *self,
                                 const EkProbeSources *sources)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (sources != NULL);

  ek_probe_sources_free (self->sources);
  self->sources = ek_probe_sources_copy (sources);
}

/**
 * ek_self_check_set_xorg_root:
 * @root: (nullable): the folder below which etc/X11/xorg.conf.d is read; %NULL: "/"
 */
void
ek_self_check_set_xorg_root (EkSelfCheck *self,
                             const char  *root)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_free (self->xorg_root);
  self->xorg_root = g_strdup (root);
}

/**
 * ek_self_check_set_system_path:
 * @path: a folder on the system volume; "/" by default
 */
void
ek_self_check_set_system_path (EkSelfCheck *self,
                               const char  *path)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (path != NULL);

  g_free (self->system_path);
  self->system_path = g_strdup (path);
}

/**
 * ek_self_check_set_media_descriptions:
 * @camera: (nullable): a GStreamer video source in gst-launch syntax instead of the
 *   camera, e.g. "videotestsrc is-live=true pattern=black"
 * @microphone: (nullable): an audio source instead of the microphone
 *
 * For tests: a black or still camera, a silent microphone. Both count as test sources.
 */
void
ek_self_check_set_media_descriptions (EkSelfCheck *self,
                                      const char  *camera,
                                      const char  *microphone)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_free (self->camera_description);
  self->camera_description = g_strdup (camera);
  g_free (self->microphone_description);
  self->microphone_description = g_strdup (microphone);
}

/**
 * ek_self_check_set_groups:
 * @groups: (nullable): the groups to run: "session", "monitors", "memory", "disk",
 *   "power", "environment", "processes", "xserver", "media", "network"; %NULL: all
 *
 * For tests and for a quick re-check of one part.
 */
void
ek_self_check_set_groups (EkSelfCheck        *self,
                          const char * const *groups)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));

  g_strfreev (self->groups);
  self->groups = g_strdupv ((char **) groups);
}

/**
 * ek_self_check_get_camera_probe:
 *
 * Returns: (transfer none): the camera's probe, for a live view while the check runs
 */
EkMediaProbe *
ek_self_check_get_camera_probe (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->camera_probe;
}

/**
 * ek_self_check_get_microphone_probe:
 *
 * Returns: (transfer none): the microphone's probe, for a level meter
 */
EkMediaProbe *
ek_self_check_get_microphone_probe (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->microphone_probe;
}

/**
 * ek_self_check_run_async:
 *
 * Runs every check; results come with ::result-added. A run replaces the results of
 * the one before. Fails only when it cannot run at all (another run is going on) or
 * is cancelled: failed checks are results, not errors.
 */
void
ek_self_check_run_async (EkSelfCheck         *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_SELF_CHECK (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_self_check_run_async);
  /* Cancellation is reported by the run itself, once its parts have stopped. */
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, EK_SELF_CHECK_ERROR, EK_SELF_CHECK_ERROR_BUSY,
                               _("The device check is already running."));
      return;
    }

  self->task = g_steal_pointer (&task);
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  g_clear_pointer (&self->context, g_main_context_unref);
  self->context = g_main_context_ref_thread_default ();
  g_ptr_array_set_size (self->results, 0);
  self->step = 0;
  self->pending = 0;
  self->fraction = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  self->cancelled_id = g_cancellable_connect (self->cancellable, G_CALLBACK (on_cancelled_cb),
                                              self, NULL);
  if (self->idle_id == 0)
    self->idle_id = g_idle_add (run_step_cb, self);
}

gboolean
ek_self_check_run_finish (EkSelfCheck   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_self_check_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ek_self_check_get_running (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);

  return self->task != NULL;
}

double
ek_self_check_get_fraction (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), 0);

  return self->fraction;
}

const char *
ek_self_check_get_current_step (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->current_step;
}

/**
 * ek_self_check_get_results:
 *
 * Returns: (transfer none) (element-type EkCheckResult): the results, in the order
 *   they came
 */
GPtrArray *
ek_self_check_get_results (EkSelfCheck *self)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  return self->results;
}

/**
 * ek_self_check_dup_sorted_results:
 *
 * Returns: (transfer container) (element-type EkCheckResult): the results, failed
 *   ones first, then warnings, then passed ones
 */
GPtrArray *
ek_self_check_dup_sorted_results (EkSelfCheck *self)
{
  GPtrArray *sorted;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = g_ptr_array_new_full (self->results->len, NULL);
  for (guint i = 0; i < self->results->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (self->results, i));

  /* g_ptr_array_sort is a stable merge sort (g_qsort_with_data). */
  g_ptr_array_sort (sorted, compare_by_status);

  return sorted;
}

/**
 * ek_self_check_lookup:
 *
 * Returns: (transfer none) (nullable): the result of the check @id
 */
const EkCheckResult *
ek_self_check_lookup (EkSelfCheck *self,
                      const char  *id)
{
  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (self->results, i);

      if (g_str_equal (result->id, id))
        return result;
    }

  return NULL;
}

guint
ek_self_check_count (EkSelfCheck   *self,
                     EkCheckStatus  status)
{
  guint count = 0;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), 0);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (self->results, i);

      if (result->status == status)
        count++;
    }

  return count;
}

/**
 * ek_self_check_add_result:
 *
 * Adds a result from outside the run: the speaker test the person answers on the page.
 * A result with the same id is replaced.
 */
void
ek_self_check_add_result (EkSelfCheck         *self,
                          const EkCheckResult *result)
{
  g_return_if_fail (EK_IS_SELF_CHECK (self));
  g_return_if_fail (result != NULL && result->id != NULL);

  for (guint i = 0; i < self->results->len; i++)
    {
      const EkCheckResult *existing = g_ptr_array_index (self->results, i);

      if (g_str_equal (existing->id, result->id))
        {
          g_ptr_array_remove_index (self->results, i);
          break;
        }
    }

  report (self, result->id, result->title, result->status, g_strdup (result->value),
          g_strdup (result->threshold), g_strdup (result->remedy), result->measured,
          result->unit);
}

/**
 * ek_self_check_to_json:
 *
 * Returns: (transfer full): the report: when and where it was made, the summary and
 *   every result, failed ones first
 */
JsonNode *
ek_self_check_to_json (EkSelfCheck *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *created = now_iso8601 ();
  guint fails;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = ek_self_check_dup_sorted_results (self);
  fails = ek_self_check_count (self, EK_CHECK_FAIL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "exam-kiosk-self-check");
  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "client_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  add_string_or_null (builder, "server", self->server_url);
  add_string_or_null (builder, "exam_id", self->exam != NULL ? ek_exam_get_id (self->exam) : NULL);
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, self->task == NULL && self->fraction >= 1.0);

  json_builder_set_member_name (builder, "summary");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pass");
  json_builder_add_int_value (builder, ek_self_check_count (self, EK_CHECK_PASS));
  json_builder_set_member_name (builder, "warn");
  json_builder_add_int_value (builder, ek_self_check_count (self, EK_CHECK_WARN));
  json_builder_set_member_name (builder, "fail");
  json_builder_add_int_value (builder, fails);
  json_builder_set_member_name (builder, "ready");
  json_builder_add_boolean_value (builder, fails == 0);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sorted->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (sorted, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, result->id);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, ek_check_status_to_string (result->status));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, result->title);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, result->value);
      add_string_or_null (builder, "threshold", result->threshold);
      add_string_or_null (builder, "remedy", result->remedy);
      json_builder_set_member_name (builder, "measured");
      if (isfinite (result->measured))
        json_builder_add_double_value (builder, result->measured);
      else
        json_builder_add_null_value (builder);
      add_string_or_null (builder, "unit", isfinite (result->measured) ? result->unit : NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

/**
 * ek_self_check_to_html:
 *
 * Returns: (transfer full): the report as one self-contained HTML page a technician
 *   can print or hand on: the summary, then one row per check, failed ones first
 */
char *
ek_self_check_to_html (EkSelfCheck *self)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *created = now_iso8601 ();
  g_autofree char *summary = NULL;
  GString *out;
  const char *lang;
  guint fails, warnings;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = ek_self_check_dup_sorted_results (self);
  fails = ek_self_check_count (self, EK_CHECK_FAIL);
  warnings = ek_self_check_count (self, EK_CHECK_WARN);
  /* Translators: the language code of this translation, for the HTML report */
  lang = C_("html lang", "en");

  if (fails > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u check failed: this computer is not ready for the exam.",
                                            "%u checks failed: this computer is not ready for the exam.",
                                            fails), fails);
  else if (warnings > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "No check failed, %u needs attention.",
                                            "No check failed, %u need attention.",
                                            warnings), warnings);
  else
    summary = g_strdup (_("Every check passed: this computer is ready for the exam."));

  out = g_string_new ("<!DOCTYPE html>\n");
  g_string_append_printf (out, "<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>", lang);
  append_escaped (out, _("Device check report"));
  g_string_append (out,
    "</title>\n<style>\n"
    "body{font-family:sans-serif;margin:2em;color:#222}\n"
    "h1{font-size:1.5em;margin:0 0 .3em}\n"
    ".meta{color:#555;margin:0 0 1em}\n"
    ".summary{font-size:1.15em;font-weight:bold;margin:0 0 1em}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{border-bottom:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}\n"
    ".status{font-weight:bold;white-space:nowrap}\n"
    ".fail .status{color:#b00020}.warn .status{color:#8a5a00}.pass .status{color:#1b6e20}\n"
    ".remedy{color:#333;font-size:.95em}\n"
    "@media print{body{margin:1cm}}\n"
    "</style>\n</head>\n<body>\n<h1>");
  append_escaped (out, _("Device check report"));
  g_string_append (out, "</h1>\n<p class=\"meta\">");
  /* Translators: report details: the time (UTC), the exam server and the program version */
  {
    g_autofree char *meta = g_strdup_printf (_("Checked %s (UTC) · exam server %s · exam program %s"),
                                             created,
                                             self->server_url != NULL ? self->server_url : "–",
                                             PACKAGE_VERSION);
    append_escaped (out, meta);
  }
  g_string_append (out, "</p>\n<p class=\"summary\">");
  append_escaped (out, summary);
  g_string_append (out, "</p>\n<table>\n<tr><th>");
  append_escaped (out, _("Result"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Check"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Measured"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Needed"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("What to do"));
  g_string_append (out, "</th></tr>\n");

  for (guint i = 0; i < sorted->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (sorted, i);

      g_string_append_printf (out, "<tr class=\"%s\" id=\"%s\"><td class=\"status\">",
                              ek_check_status_to_string (result->status), result->id);
      append_escaped (out, status_label (result->status));
      g_string_append (out, "</td><td>");
      append_escaped (out, result->title);
      g_string_append (out, "</td><td>");
      append_escaped (out, result->value);
      g_string_append (out, "</td><td>");
      append_escaped (out, result->threshold);
      g_string_append (out, "</td><td class=\"remedy\">");
      append_escaped (out, result->remedy);
      g_string_append (out, "</td></tr>\n");
    }

  g_string_append (out, "</table>\n</body>\n</html>\n");

  return g_string_free (out, FALSE);
}

static gboolean
save_private (const char  *path,
              const char  *contents,
              GError     **error)
{
  /* The report names programs and folders of this computer: the person who made it
   * decides whom to give it to. */
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
ek_self_check_save_json (EkSelfCheck  *self,
                         const char   *path,
                         GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = ek_self_check_to_json (self);
  text = json_to_string (root, TRUE);

  return save_private (path, text, error);
}

gboolean
ek_self_check_save_html (EkSelfCheck  *self,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *html = NULL;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  html = ek_self_check_to_html (self);

  return save_private (path, html, error);
}
