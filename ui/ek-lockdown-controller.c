/* ek-lockdown-controller.c: the exam window locked down, from entering the exam to the end
 *
 * Ties the platform probes and locks (ek-window-guard, ek-keyboard-lock, ek-monitors,
 * ek-process-scan, ek-environment …) to the policy and the violation tracker. Lockdown
 * never fails open: whatever cannot be taken at engage ends the engage with an error
 * that names it, and the exam does not start.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-audio-devices.h"
#include "ek-client-census.h"
#include "ek-display-probe.h"
#include "ek-environment.h"
#include "ek-keyboard-lock.h"
#include "ek-lockdown-controller.h"
#include "ek-monitors.h"
#include "ek-process-scan.h"
#include "ek-self-watch.h"
#include "ek-session-type.h"
#include "ek-video-devices.h"
#include "ek-window-guard.h"

#define KEYBOARD_TIMEOUT_MS     3000
#define SYNTHETIC_QUIET_MS      1000
#define REASSERT_INTERVAL_MS     500
#define CENSUS_INTERVAL_MS       250
/* Windows flashed over the exam, each gone within the grace time: this many within
 * RECURRENCE_WINDOW_MS count as one violation (notes shown for a glance, again and
 * again, are no accident). */
/* The kiosk's own process: looked at every SELF_WATCH_INTERVAL_MS; a main loop that did
 * not run for STOPPED_GAP_MS was stopped (SIGSTOP) or frozen; debugger and foreign code
 * every SELF_CHECK_EVERY ticks. */
#define SELF_WATCH_INTERVAL_MS   250
#define STOPPED_GAP_MS          2000
#define SELF_CHECK_EVERY           4
#define RECURRENCE_COUNT           3
#define RECURRENCE_WINDOW_MS   60000

struct _EkLockdownController
{
  GObject               parent_instance;

  GtkWindow            *window;          /* weak */
  EkLockdownPolicy     *policy;          /* owned */
  EkViolationTracker   *tracker;         /* owned */
  EkProbeSources       *sources;         /* owned */
  char                **search_path;     /* owned; NULL: $PATH */
  gboolean              filter_synthetic;

  EkProcessScanner     *scanner;         /* owned */
  EkMonitorWatch       *monitors;        /* owned; while engaged */
  EkWindowGuard        *guard;           /* owned; while engaged */
  EkKeyboardLock       *keyboard;        /* owned; while engaged */
  EkClientCensus       *census;          /* owned; while engaged */
  char                **census_allowed;  /* owned; NULL: the census's own list */
  gboolean              report_unnamed_clients;
  GPtrArray            *findings;        /* EkFinding, owned; of the last engage */
  GHashTable           *known_processes; /* subject set of the last scan */
  GHashTable           *known_storage;
  char                 *network;         /* fingerprint at engage */
  GCancellable         *cancellable;     /* owned; while engaged */
  GTask                *engage_task;     /* owned; while engaging */

  gboolean              engaged;
  gboolean              exam_session;
  char                 *block_reason;    /* owned; NULL: not blocked */
  guint                 inhibit_cookie;
  guint                 scan_id;
  guint                 synthetic_end_id;
  guint                 reassert_id;
  guint                 counted_window_violations;  /* past the grace time, still lasting */
  gulong                map_id;
  gulong                clipboard_id;
  gulong                primary_id;
  GdkContentProvider   *empty_clipboard; /* owned; what CLIPBOARD holds while engaged */
  GdkContentProvider   *empty_primary;   /* owned; the same for PRIMARY */
  GQueue                brief_covers;    /* monotonic µs of uncounted window_obscured */
  EkSelfWatch          *self_watch;      /* owned; while engaged */
  guint                 self_watch_id;
  guint                 self_ticks;
};

G_DEFINE_FINAL_TYPE (EkLockdownController, ek_lockdown_controller, G_TYPE_OBJECT)

G_DEFINE_QUARK (ek-lockdown-error-quark, ek_lockdown_error)

enum {
  PROP_0,
  PROP_ENGAGED,
  PROP_BLOCKED,
  PROP_STEP,
  N_PROPS
};

enum {
  VIOLATION,
  VIOLATION_STARTED,
  BLOCKED,
  UNBLOCKED,
  ESCALATED,
  SHORTCUT,
  SUBMIT_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const condition_types[] = {
  [EK_WINDOW_CONDITION_FOCUS_LOST] = EK_VIOLATION_FOCUS_LOST,
  [EK_WINDOW_CONDITION_HIDDEN] = EK_VIOLATION_WINDOW_HIDDEN,
  [EK_WINDOW_CONDITION_OBSCURED] = EK_VIOLATION_WINDOW_OBSCURED,
  [EK_WINDOW_CONDITION_POINTER_LEFT] = EK_VIOLATION_POINTER_LEFT,
  [EK_WINDOW_CONDITION_GEOMETRY] = EK_VIOLATION_GEOMETRY_CHANGED,
  [EK_WINDOW_CONDITION_POINTER_GRABBED] = EK_VIOLATION_POINTER_GRABBED,
};

static void engage_step_window (EkLockdownController *self);
static void scan_processes (EkLockdownController *self);

/* Helpers */

static void
update_blocked (EkLockdownController *self)
{
  g_autofree char *reason = NULL;
  EkEscalationStep step = ek_violation_tracker_get_step (self->tracker);

  if (self->engaged && self->monitors != NULL &&
      ek_monitor_watch_get_n_monitors (self->monitors) > 1)
    {
      g_auto(GStrv) names = ek_monitor_watch_dup_names (self->monitors);
      g_autofree char *list = g_strjoinv (", ", names);

      /* Translators: %s lists displays, e.g. "HDMI-1 (1920×1080+0+0), DP-1 (…)" */
      reason = g_strdup_printf (_("Another display was connected: %s. Unplug or switch off "
                                  "every display but one to continue the exam."), list);
    }
  else if (self->engaged && step == EK_ESCALATION_LOCKED)
    reason = g_strdup (_("The exam is locked because of repeated rule violations. Wait for "
                         "the proctor to release it."));

  if (g_strcmp0 (reason, self->block_reason) == 0)
    return;

  g_free (self->block_reason);
  self->block_reason = g_steal_pointer (&reason);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BLOCKED]);

  if (self->block_reason != NULL)
    g_signal_emit (self, signals[BLOCKED], 0, self->block_reason);
  else
    g_signal_emit (self, signals[UNBLOCKED], 0);
}

static GdkSurface *
window_surface (EkLockdownController *self)
{
  if (self->window == NULL || !gtk_widget_get_realized (GTK_WIDGET (self->window)))
    return NULL;

  return gtk_native_get_surface (GTK_NATIVE (self->window));
}

static void
clear_clipboard (EkLockdownController *self,
                 GdkClipboard         *clipboard)
{
  GdkDisplay *display = gdk_clipboard_get_display (clipboard);
  GdkContentProvider **empty = clipboard == gdk_display_get_primary_clipboard (display)
                               ? &self->empty_primary : &self->empty_clipboard;

  /* Owning the selection with nothing in it is what "empty" means on X11: another
   * program's content is gone, and nothing can be pasted from before the exam. The
   * kiosk's own selections (text selected or copied in an answer) are emptied too:
   * while the kiosk owns them, any client of the display may read them. */
  if (*empty == NULL)
    *empty = gdk_content_provider_new_typed (G_TYPE_STRING, "");
  if (gdk_clipboard_get_content (clipboard) != *empty)
    gdk_clipboard_set_content (clipboard, *empty);
}

static char *
describe_findings (GPtrArray *findings,
                   EkSeverity severity)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity != severity)
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, finding->description);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
collect_sync_findings (EkLockdownController *self,
                       GPtrArray            *findings)
{
  g_autoptr(GPtrArray) environment = ek_environment_probe_all (self->sources);

  for (guint i = 0; i < environment->len; i++)
    g_ptr_array_add (findings, ek_finding_copy (g_ptr_array_index (environment, i)));

  ek_video_devices_probe (self->sources, findings);
  ek_audio_devices_probe (self->sources, findings);
  ek_display_probe (findings);
}

/* Callbacks */

static gboolean
is_window_violation (const char *type)
{
  return g_str_equal (type, EK_VIOLATION_FOCUS_LOST) ||
         g_str_equal (type, EK_VIOLATION_WINDOW_OBSCURED) ||
         g_str_equal (type, EK_VIOLATION_WINDOW_HIDDEN);
}

static void
count_brief_cover (EkLockdownController *self,
                   const EkViolation    *violation)
{
  gint64 now = g_get_monotonic_time ();

  g_queue_push_tail (&self->brief_covers, g_memdup2 (&now, sizeof now));
  while (!g_queue_is_empty (&self->brief_covers) &&
         *(gint64 *) g_queue_peek_head (&self->brief_covers) < now - RECURRENCE_WINDOW_MS * 1000)
    g_free (g_queue_pop_head (&self->brief_covers));

  if (g_queue_get_length (&self->brief_covers) >= RECURRENCE_COUNT)
    {
      g_autofree char *detail = g_strdup_printf ("%u brief covers within %d s, the last %s",
                                                 g_queue_get_length (&self->brief_covers),
                                                 RECURRENCE_WINDOW_MS / 1000,
                                                 violation->detail ? violation->detail : "");

      g_queue_clear_full (&self->brief_covers, g_free);
      ek_violation_tracker_record (self->tracker, EK_VIOLATION_WINDOW_OBSCURED, detail);
    }
}

static void
tracker_violation_cb (EkViolationTracker   *tracker,
                      EkViolation          *violation,
                      EkLockdownController *self)
{
  if (violation->counted && is_window_violation (violation->type) &&
      self->counted_window_violations > 0)
    self->counted_window_violations--;

  g_signal_emit (self, signals[VIOLATION], 0, violation);

  if (!violation->counted && g_str_equal (violation->type, EK_VIOLATION_WINDOW_OBSCURED))
    count_brief_cover (self, violation);
}

static gboolean
on_reassert_cb (gpointer user_data)
{
  EkLockdownController *self = user_data;

  /* Only what outlasted the grace time: within it, the window that took the focus
   * (an input method, a notification) gets the chance to give it back by itself. */
  if (self->counted_window_violations == 0 || self->guard == NULL)
    {
      self->reassert_id = 0;
      return G_SOURCE_REMOVE;
    }

  ek_window_guard_reassert (self->guard);
  return G_SOURCE_CONTINUE;
}

static void
reassert_now (EkLockdownController *self)
{
  if (self->guard == NULL)
    return;

  if (self->window != NULL)
    gtk_window_present (self->window);
  ek_window_guard_reassert (self->guard);
  if (self->reassert_id == 0)
    self->reassert_id = g_timeout_add (REASSERT_INTERVAL_MS, on_reassert_cb, self);
}

static void
tracker_violation_started_cb (EkViolationTracker   *tracker,
                              EkViolation          *violation,
                              EkLockdownController *self)
{
  g_signal_emit (self, signals[VIOLATION_STARTED], 0, violation);

  /* Counted (past the grace time): take the screen back. */
  if (is_window_violation (violation->type))
    {
      self->counted_window_violations++;
      reassert_now (self);
    }
}

static void
tracker_escalated_cb (EkViolationTracker   *tracker,
                      const char           *type,
                      int                   step,
                      EkLockdownController *self)
{
  g_signal_emit (self, signals[ESCALATED], 0, type, step);
  update_blocked (self);

  if (step == EK_ESCALATION_SUBMIT)
    g_signal_emit (self, signals[SUBMIT_REQUESTED], 0);
}

static void
tracker_step_changed_cb (EkViolationTracker   *tracker,
                         GParamSpec           *pspec,
                         EkLockdownController *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
  update_blocked (self);
}

static void
guard_condition_changed_cb (EkWindowGuard        *guard,
                            int                   condition,
                            gboolean              active,
                            const char           *detail,
                            EkLockdownController *self)
{
  const char *type = condition_types[condition];

  ek_lockdown_controller_report (self, type, active, detail);

  /* Hidden is never accidental: back on screen at once. */
  if (active && condition == EK_WINDOW_CONDITION_HIDDEN)
    reassert_now (self);
}

static void
keyboard_held_changed_cb (EkKeyboardLock       *keyboard,
                          GParamSpec           *pspec,
                          EkLockdownController *self)
{
  ek_lockdown_controller_report (self, EK_VIOLATION_KEYBOARD_LOCK_LOST,
                                 !ek_keyboard_lock_get_held (keyboard), NULL);
}

static void
keyboard_shortcut_cb (EkKeyboardLock       *keyboard,
                      const char           *name,
                      EkLockdownController *self)
{
  g_signal_emit (self, signals[SHORTCUT], 0, name);
}

static void
keyboard_added_cb (EkKeyboardLock       *keyboard,
                   const char           *detail,
                   EkLockdownController *self)
{
  /* Its keys could go to another program; the lock grabbed it if it could. */
  ek_violation_tracker_record (self->tracker, EK_VIOLATION_KEYBOARD_ADDED, detail);
}

static void
on_synthetic_quiet_cb (gpointer user_data)
{
  EkLockdownController *self = user_data;

  self->synthetic_end_id = 0;
  ek_violation_tracker_end (self->tracker, EK_VIOLATION_SYNTHETIC_INPUT);
}

static void
keyboard_synthetic_input_cb (EkKeyboardLock       *keyboard,
                             const char           *kind,
                             EkLockdownController *self)
{
  /* One violation per burst: it ends a second after the last injected event. */
  if (!ek_violation_tracker_is_active (self->tracker, EK_VIOLATION_SYNTHETIC_INPUT))
    ek_violation_tracker_begin (self->tracker, EK_VIOLATION_SYNTHETIC_INPUT, kind);

  g_clear_handle_id (&self->synthetic_end_id, g_source_remove);
  self->synthetic_end_id = g_timeout_add_once (SYNTHETIC_QUIET_MS, on_synthetic_quiet_cb, self);
}

static void
monitors_changed_cb (EkMonitorWatch       *monitors,
                     EkLockdownController *self)
{
  guint n = ek_monitor_watch_get_n_monitors (monitors);
  g_auto(GStrv) names = ek_monitor_watch_dup_names (monitors);
  g_autofree char *list = g_strjoinv (", ", names);

  ek_lockdown_controller_report (self, EK_VIOLATION_MONITOR_ADDED, n > 1, list);
  update_blocked (self);
}

static void
clipboard_changed_cb (GdkClipboard         *clipboard,
                      EkLockdownController *self)
{
  if (self->engaged)
    clear_clipboard (self, clipboard);
}

static void
census_client_connected_cb (EkClientCensus       *census,
                            guint                 pid,
                            const char           *description,
                            EkLockdownController *self)
{
  /* Whatever it is called and however it was started, another program on the exam's
   * display can read the screen: the examining body must see it. */
  ek_violation_tracker_record (self->tracker, EK_VIOLATION_DISPLAY_CLIENT, description);
}

static void
check_self (EkLockdownController *self)
{
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  g_autofree char *foreign = NULL;

  /* A debugger attached after the exam started (at engage it blocks the exam). */
  ek_environment_probe_debugger (self->sources, findings);
  if (findings->len > 0 &&
      !ek_violation_tracker_is_active (self->tracker, EK_VIOLATION_DEBUGGER))
    ek_violation_tracker_begin (self->tracker, EK_VIOLATION_DEBUGGER,
                                ((EkFinding *) g_ptr_array_index (findings, 0))->subject);
  else if (findings->len == 0)
    ek_violation_tracker_end (self->tracker, EK_VIOLATION_DEBUGGER);

  foreign = ek_self_watch_find_foreign_code (self->self_watch);
  if (foreign != NULL)
    ek_violation_tracker_record (self->tracker, EK_VIOLATION_INJECTION, foreign);
}

static gboolean
on_self_watch_cb (gpointer user_data)
{
  EkLockdownController *self = user_data;
  gint64 gap_ms = ek_self_watch_tick (self->self_watch);

  if (gap_ms > STOPPED_GAP_MS)
    {
      g_autofree char *detail = g_strdup_printf ("the exam did not run for %" G_GINT64_FORMAT
                                                 " ms", gap_ms);

      ek_violation_tracker_record (self->tracker, EK_VIOLATION_PROCESS_STOPPED, detail);
    }

  if (++self->self_ticks % SELF_CHECK_EVERY == 0)
    check_self (self);
  return G_SOURCE_CONTINUE;
}

static void
scan_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkLockdownController) self = user_data;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) now = NULL;
  g_autoptr(GString) fresh = g_string_new (NULL);

  found = ek_process_scanner_scan_finish (EK_PROCESS_SCANNER (source), result, &error);
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Process scan failed: %s", error->message);
      return;
    }

  if (!self->engaged)
    return;

  ek_lockdown_policy_apply (self->policy, found);
  now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < found->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (found, i);

      if (finding->severity == EK_SEVERITY_ALLOW)
        continue;
      g_hash_table_add (now, g_strdup (finding->subject));
      if (!g_hash_table_contains (self->known_processes, finding->subject))
        {
          if (fresh->len > 0)
            g_string_append (fresh, ", ");
          g_string_append (fresh, finding->subject);
        }
    }

  /* A newly started one is a new violation; the last one closed ends it. */
  if (fresh->len > 0)
    {
      ek_violation_tracker_end (self->tracker, EK_VIOLATION_BLOCKED_PROCESS);
      ek_violation_tracker_begin (self->tracker, EK_VIOLATION_BLOCKED_PROCESS, fresh->str);
    }
  else if (g_hash_table_size (now) == 0)
    ek_violation_tracker_end (self->tracker, EK_VIOLATION_BLOCKED_PROCESS);

  g_clear_pointer (&self->known_processes, g_hash_table_unref);
  self->known_processes = g_steal_pointer (&now);
}

static void
check_devices (EkLockdownController *self)
{
  g_autoptr(GPtrArray) storage = ek_finding_array_new ();
  g_autofree char *network = ek_environment_network_fingerprint (self->sources);

  ek_environment_probe_usb_storage (self->sources, storage);
  for (guint i = 0; i < storage->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (storage, i);

      if (!g_hash_table_contains (self->known_storage, finding->subject))
        {
          g_hash_table_add (self->known_storage, g_strdup (finding->subject));
          ek_violation_tracker_record (self->tracker, EK_VIOLATION_USB_STORAGE, finding->subject);
        }
    }

  if (self->network != NULL && g_strcmp0 (network, self->network) != 0)
    {
      ek_violation_tracker_record (self->tracker, EK_VIOLATION_NETWORK_CHANGED, network);
      g_free (self->network);
      self->network = g_steal_pointer (&network);
    }
}

static gboolean
on_scan_tick_cb (gpointer user_data)
{
  EkLockdownController *self = user_data;

  scan_processes (self);
  check_devices (self);

  return G_SOURCE_CONTINUE;
}

static void
scan_processes (EkLockdownController *self)
{
  ek_process_scanner_scan_async (self->scanner, self->cancellable, scan_done_cb,
                                 g_object_ref (self));
}

/* Engaging, in steps */

static void
engage_fail (EkLockdownController *self,
             GError               *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->engage_task);

  ek_lockdown_controller_release (self);
  g_task_return_error (task, error);
}

static void
keyboard_acquired_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkLockdownController) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  GdkDisplay *display;

  if (self->engage_task == NULL)
    return;

  if (!ek_keyboard_lock_acquire_finish (EK_KEYBOARD_LOCK (source), result, &error))
    {
      engage_fail (self, g_error_new_literal (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_KEYBOARD,
                                              error->message));
      return;
    }

  /* Every client of the display from now on, before anything else can connect. */
  self->census = ek_client_census_new (G_OBJECT (gtk_widget_get_display (GTK_WIDGET (self->window))));
  if (self->census_allowed != NULL)
    ek_client_census_set_allowed (self->census, (const char * const *) self->census_allowed);
  ek_client_census_set_report_unnamed (self->census, self->report_unnamed_clients);
  ek_client_census_set_assistive (self->census, self->sources->assistive_dir,
                                  ek_lockdown_policy_get_assistive (self->policy));
  if (!ek_client_census_start (self->census, CENSUS_INTERVAL_MS, &error))
    {
      g_warning ("Client census: %s", error->message);
      engage_fail (self, g_error_new_literal (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_WINDOW,
                                              _("The display server cannot list the programs "
                                                "connected to it, so screen capture would go "
                                                "unseen.")));
      return;
    }
  g_signal_connect_object (self->census, "client-connected",
                           G_CALLBACK (census_client_connected_cb), self, 0);

  /* Locked. From here on every change is watched. */
  g_signal_connect_object (self->keyboard, "notify::held",
                           G_CALLBACK (keyboard_held_changed_cb), self, 0);
  g_signal_connect_object (self->monitors, "changed", G_CALLBACK (monitors_changed_cb), self, 0);
  g_signal_connect_object (self->guard, "condition-changed",
                           G_CALLBACK (guard_condition_changed_cb), self, 0);

  display = gtk_widget_get_display (GTK_WIDGET (self->window));
  self->clipboard_id = g_signal_connect (gdk_display_get_clipboard (display), "changed",
                                         G_CALLBACK (clipboard_changed_cb), self);
  self->primary_id = g_signal_connect (gdk_display_get_primary_clipboard (display), "changed",
                                       G_CALLBACK (clipboard_changed_cb), self);
  clear_clipboard (self, gdk_display_get_clipboard (display));
  clear_clipboard (self, gdk_display_get_primary_clipboard (display));

  {
    GApplication *app = g_application_get_default ();

    if (GTK_IS_APPLICATION (app))
      self->inhibit_cookie =
        gtk_application_inhibit (GTK_APPLICATION (app), self->window,
                                 GTK_APPLICATION_INHIBIT_IDLE | GTK_APPLICATION_INHIBIT_SUSPEND |
                                 GTK_APPLICATION_INHIBIT_LOGOUT | GTK_APPLICATION_INHIBIT_SWITCH,
                                 _("An exam is in progress"));
  }

  /* The process itself: no core dump, no unprivileged debugger; then watched. */
  if (!ek_self_watch_harden ())
    g_warning ("Lockdown: the process could not be made non-dumpable");
  self->self_watch = ek_self_watch_new ();
  ek_self_watch_tick (self->self_watch);
  self->self_watch_id = g_timeout_add (SELF_WATCH_INTERVAL_MS, on_self_watch_cb, self);

  self->network = ek_environment_network_fingerprint (self->sources);
  self->scan_id = g_timeout_add (ek_lockdown_policy_get_process_scan_interval_ms (self->policy),
                                 on_scan_tick_cb, self);

  self->engaged = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGAGED]);
  ek_window_guard_check_now (self->guard);

  task = g_steal_pointer (&self->engage_task);
  g_task_return_boolean (task, TRUE);
}

static void
window_mapped_cb (GtkWidget            *widget,
                  EkLockdownController *self)
{
  g_clear_signal_handler (&self->map_id, widget);
  engage_step_window (self);
}

static void
engage_step_window (EkLockdownController *self)
{
  GdkSurface *surface;

  if (self->window == NULL)
    {
      engage_fail (self, g_error_new_literal (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_WINDOW,
                                              _("The exam window was closed.")));
      return;
    }

  if (!gtk_widget_get_mapped (GTK_WIDGET (self->window)))
    {
      self->map_id = g_signal_connect (self->window, "map", G_CALLBACK (window_mapped_cb), self);
      gtk_window_present (self->window);
      return;
    }

  surface = window_surface (self);
  if (surface == NULL || !GDK_IS_TOPLEVEL (surface))
    {
      engage_fail (self, g_error_new_literal (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_WINDOW,
                                              _("The exam window is not on screen.")));
      return;
    }

  gdk_toplevel_inhibit_system_shortcuts (GDK_TOPLEVEL (surface), NULL);

  self->guard = ek_window_guard_new (G_OBJECT (surface));
  ek_window_guard_set_assistive (self->guard, self->sources->assistive_dir,
                                 ek_lockdown_policy_get_assistive (self->policy));
  ek_window_guard_engage (self->guard);

  self->keyboard = ek_keyboard_lock_new (G_OBJECT (surface));
  ek_keyboard_lock_set_filter_synthetic (self->keyboard, self->filter_synthetic);
  g_signal_connect_object (self->keyboard, "shortcut", G_CALLBACK (keyboard_shortcut_cb), self, 0);
  g_signal_connect_object (self->keyboard, "synthetic-input",
                           G_CALLBACK (keyboard_synthetic_input_cb), self, 0);
  g_signal_connect_object (self->keyboard, "keyboard-added",
                           G_CALLBACK (keyboard_added_cb), self, 0);
  ek_keyboard_lock_acquire_async (self->keyboard, KEYBOARD_TIMEOUT_MS, self->cancellable,
                                  keyboard_acquired_cb, g_object_ref (self));
}

static void
engage_scan_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkLockdownController) self = user_data;
  g_autoptr(GPtrArray) processes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blocking = NULL;
  guint n_monitors;

  if (self->engage_task == NULL)
    return;

  processes = ek_process_scanner_scan_finish (EK_PROCESS_SCANNER (source), result, &error);
  if (processes == NULL)
    {
      engage_fail (self, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < processes->len; i++)
    g_ptr_array_add (self->findings, ek_finding_copy (g_ptr_array_index (processes, i)));

  ek_lockdown_policy_apply (self->policy, self->findings);

  g_clear_pointer (&self->known_processes, g_hash_table_unref);
  self->known_processes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < self->findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (self->findings, i);

      if (g_str_equal (finding->id, EK_FINDING_USB_STORAGE))
        g_hash_table_add (self->known_storage, g_strdup (finding->subject));
      else if (finding->pid != 0 && finding->severity != EK_SEVERITY_ALLOW)
        g_hash_table_add (self->known_processes, g_strdup (finding->subject));
    }

  blocking = describe_findings (self->findings, EK_SEVERITY_BLOCK);
  if (*blocking != '\0')
    {
      engage_fail (self, g_error_new (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_FINDINGS,
                                      "%s\n%s", _("The exam cannot start on this computer:"),
                                      blocking));
      return;
    }

  self->monitors = ek_monitor_watch_new ();
  n_monitors = ek_monitor_watch_get_n_monitors (self->monitors);
  if (n_monitors != 1)
    {
      g_auto(GStrv) names = ek_monitor_watch_dup_names (self->monitors);
      g_autofree char *list = g_strjoinv (", ", names);

      engage_fail (self, g_error_new (EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_MONITORS,
                                      /* Translators: %u is a count, %s lists the displays */
                                      _("The exam needs exactly one display, and %u are "
                                        "active: %s. Unplug or switch off every display but "
                                        "one, then try again."), n_monitors, list));
      return;
    }

  if (self->window != NULL)
    {
      gtk_window_set_decorated (self->window, FALSE);
      gtk_window_fullscreen (self->window);
    }
  engage_step_window (self);
}

/* GObject */

static void
ek_lockdown_controller_dispose (GObject *object)
{
  EkLockdownController *self = (EkLockdownController *)object;

  ek_lockdown_controller_release (self);
  g_clear_weak_pointer (&self->window);

  G_OBJECT_CLASS (ek_lockdown_controller_parent_class)->dispose (object);
}

static void
ek_lockdown_controller_finalize (GObject *object)
{
  EkLockdownController *self = (EkLockdownController *)object;

  g_clear_object (&self->policy);
  g_clear_object (&self->tracker);
  g_clear_object (&self->scanner);
  g_clear_pointer (&self->sources, ek_probe_sources_free);
  g_clear_pointer (&self->search_path, g_strfreev);
  g_clear_pointer (&self->census_allowed, g_strfreev);
  g_clear_object (&self->empty_clipboard);
  g_clear_object (&self->empty_primary);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->known_processes, g_hash_table_unref);
  g_clear_pointer (&self->known_storage, g_hash_table_unref);
  g_clear_pointer (&self->block_reason, g_free);
  g_clear_pointer (&self->network, g_free);

  G_OBJECT_CLASS (ek_lockdown_controller_parent_class)->finalize (object);
}

static void
ek_lockdown_controller_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  EkLockdownController *self = EK_LOCKDOWN_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_ENGAGED:
      g_value_set_boolean (value, self->engaged);
      break;

    case PROP_BLOCKED:
      g_value_set_boolean (value, self->block_reason != NULL);
      break;

    case PROP_STEP:
      g_value_set_int (value, ek_violation_tracker_get_step (self->tracker));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_lockdown_controller_class_init (EkLockdownControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_lockdown_controller_dispose;
  object_class->finalize = ek_lockdown_controller_finalize;
  object_class->get_property = ek_lockdown_controller_get_property;

  properties[PROP_ENGAGED] =
    g_param_spec_boolean ("engaged", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkLockdownController:blocked:
   *
   * The exam is covered: a second display, or a lock until the proctor releases it.
   */
  properties[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * EkLockdownController:step:
   *
   * The #EkEscalationStep the exam is at.
   */
  properties[PROP_STEP] =
    g_param_spec_int ("step", NULL, NULL,
                      EK_ESCALATION_NONE, EK_ESCALATION_SUBMIT, EK_ESCALATION_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkLockdownController::violation:
   * @violation: type, start, end, duration, whether it counted
   */
  signals[VIOLATION] =
    g_signal_new ("violation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIOLATION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkLockdownController::violation-started:
   * @violation: a violation that counted and still lasts
   */
  signals[VIOLATION_STARTED] =
    g_signal_new ("violation-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIOLATION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkLockdownController::blocked:
   * @reason: a translated sentence for the candidate
   */
  signals[BLOCKED] =
    g_signal_new ("blocked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  signals[UNBLOCKED] =
    g_signal_new ("unblocked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkLockdownController::escalated:
   * @type: the violation type
   * @step: the #EkEscalationStep reached
   */
  signals[ESCALATED] =
    g_signal_new ("escalated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);

  /**
   * EkLockdownController::shortcut:
   * @name: an escape shortcut that was pressed and kept from the desktop, e.g. "Alt+Tab"
   */
  signals[SHORTCUT] =
    g_signal_new ("shortcut", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EkLockdownController::submit-requested:
   *
   * The policy's last step: the exam must be submitted now.
   */
  signals[SUBMIT_REQUESTED] =
    g_signal_new ("submit-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ek_lockdown_controller_init (EkLockdownController *self)
{
  self->sources = ek_probe_sources_new ();
  self->filter_synthetic = TRUE;
  self->findings = ek_finding_array_new ();
  self->known_storage = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->known_processes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->report_unnamed_clients = TRUE;
#ifdef EK_ENABLE_TEST_HOOKS
  /* The suites' own xprop/xdotool calls are often over before the census can name them
   * (and named ones are allowed below). Never in a kiosk a candidate runs. */
  self->report_unnamed_clients = FALSE;
  /* The test suites look at the display with these while the exam runs (and attack it
   * with them, which other checks see). Never in a kiosk a candidate runs. */
  {
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
    static const char * const test_tools[] = {
      "xdotool", "xprop", "xwininfo", "xrandr", "setxkbmap", "xdpyinfo", "wmctrl", NULL,
    };

    g_strv_builder_addv (builder, (const char **) ek_client_census_default_allowed ());
    g_strv_builder_addv (builder, (const char **) test_tools);
    self->census_allowed = g_strv_builder_end (builder);
  }
#endif
}

/* Public API */

/**
 * ek_lockdown_controller_new:
 * @window: the exam window (X11)
 * @policy: the exam's lockdown policy
 *
 * Returns: (transfer full): a controller, idle until engaged
 */
EkLockdownController *
ek_lockdown_controller_new (GtkWindow        *window,
                            EkLockdownPolicy *policy)
{
  EkLockdownController *self;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (policy), NULL);

  self = g_object_new (EK_TYPE_LOCKDOWN_CONTROLLER, NULL);
  g_set_weak_pointer (&self->window, window);
  self->policy = g_object_ref (policy);
  self->tracker = ek_violation_tracker_new (policy);
  g_signal_connect_object (self->tracker, "violation", G_CALLBACK (tracker_violation_cb), self, 0);
  g_signal_connect_object (self->tracker, "violation-started",
                           G_CALLBACK (tracker_violation_started_cb), self, 0);
  g_signal_connect_object (self->tracker, "escalated", G_CALLBACK (tracker_escalated_cb), self, 0);
  g_signal_connect_object (self->tracker, "notify::step",
                           G_CALLBACK (tracker_step_changed_cb), self, 0);

  return self;
}

/**
 * ek_lockdown_controller_engage_async:
 *
 * Checks this computer (programs, virtual machine, debugger, injection, remote
 * session, virtual camera, headset, display server, keymap, monitors) against the
 * policy, then makes the window fullscreen, undecorated and kept above, locks the
 * keyboard, clears the clipboard and inhibits idle, suspend, logout and user
 * switching. A relaxed policy skips all of it.
 */
void
ek_lockdown_controller_engage_async (EkLockdownController *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_lockdown_controller_engage_async);

  if (self->engaged || self->engage_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The lockdown is already engaged");
      return;
    }

  if (ek_lockdown_policy_get_relaxed (self->policy))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Under Wayland (XWayland) no grab and no window check of ours holds: refuse before
   * anything is taken, with the way to the exam session. */
  if (ek_session_type_detect (self->sources, NULL) == EK_SESSION_TYPE_WAYLAND)
    {
      g_task_return_new_error (task, EK_LOCKDOWN_ERROR, EK_LOCKDOWN_ERROR_SESSION,
                               "%s", ek_session_type_get_refusal ());
      return;
    }

  self->engage_task = g_steal_pointer (&task);
  self->cancellable = g_cancellable_new ();
  g_ptr_array_set_size (self->findings, 0);
  g_hash_table_remove_all (self->known_storage);

  self->exam_session = ek_environment_is_exam_session (self->sources) &&
                       !ek_display_has_window_manager () && !ek_display_can_switch_away ();

  collect_sync_findings (self, self->findings);

  g_clear_object (&self->scanner);
  self->scanner = ek_process_scanner_new (self->sources);
  ek_process_scanner_add_names (self->scanner, EK_FINDING_BLOCKED_PROCESS,
                                ek_lockdown_policy_get_blocked_processes (self->policy));
  ek_process_scanner_set_assistive (self->scanner, ek_lockdown_policy_get_assistive (self->policy));
  if (self->search_path != NULL)
    ek_process_scanner_set_search_path (self->scanner, (const char * const *) self->search_path);
  ek_process_scanner_scan_async (self->scanner, self->cancellable, engage_scan_done_cb,
                                 g_object_ref (self));
}

gboolean
ek_lockdown_controller_engage_finish (EkLockdownController  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_lockdown_controller_release:
 *
 * Ends the lockdown (End exam, the exam finished, the quit password). Running
 * violations end here and are reported.
 */
void
ek_lockdown_controller_release (EkLockdownController *self)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  g_clear_handle_id (&self->scan_id, g_source_remove);
  g_clear_handle_id (&self->synthetic_end_id, g_source_remove);
  g_clear_handle_id (&self->reassert_id, g_source_remove);
  g_clear_handle_id (&self->self_watch_id, g_source_remove);
  g_clear_pointer (&self->self_watch, ek_self_watch_free);
  if (self->window != NULL)
    g_clear_signal_handler (&self->map_id, self->window);

  if (self->keyboard != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->keyboard, self);
      ek_keyboard_lock_release (self->keyboard);
      g_clear_object (&self->keyboard);
    }
  if (self->census != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->census, self);
      ek_client_census_stop (self->census);
      g_clear_object (&self->census);
    }
  if (self->guard != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->guard, self);
      ek_window_guard_release (self->guard);
      g_clear_object (&self->guard);
    }
  if (self->monitors != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitors, self);
      g_clear_object (&self->monitors);
    }

  if (self->clipboard_id != 0 || self->primary_id != 0)
    {
      GdkDisplay *display = gdk_display_get_default ();

      g_clear_signal_handler (&self->clipboard_id, gdk_display_get_clipboard (display));
      g_clear_signal_handler (&self->primary_id, gdk_display_get_primary_clipboard (display));
    }

  if (self->inhibit_cookie != 0)
    {
      GApplication *app = g_application_get_default ();

      if (GTK_IS_APPLICATION (app))
        gtk_application_uninhibit (GTK_APPLICATION (app), self->inhibit_cookie);
      self->inhibit_cookie = 0;
    }

  {
    GdkSurface *surface = window_surface (self);

    if (surface != NULL && GDK_IS_TOPLEVEL (surface))
      gdk_toplevel_restore_system_shortcuts (GDK_TOPLEVEL (surface));
  }

  if (self->tracker != NULL)
    ek_violation_tracker_end_all (self->tracker);
  self->counted_window_violations = 0;
  g_queue_clear_full (&self->brief_covers, g_free);

  if (self->engaged)
    {
      self->engaged = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENGAGED]);
      update_blocked (self);
    }
}

gboolean
ek_lockdown_controller_get_engaged (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), FALSE);

  return self->engaged;
}

gboolean
ek_lockdown_controller_get_blocked (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), FALSE);

  return self->block_reason != NULL;
}

/* Returns: (nullable): why the exam is covered, for the candidate */
const char *
ek_lockdown_controller_get_block_reason (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), NULL);

  return self->block_reason;
}

/**
 * ek_lockdown_controller_get_findings:
 *
 * Returns: (transfer none) (element-type EkFinding): what the last engage found, with
 *   the policy's severities: show each blocking one by name
 */
GPtrArray *
ek_lockdown_controller_get_findings (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), NULL);

  return self->findings;
}

EkLockdownPolicy *
ek_lockdown_controller_get_policy (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), NULL);

  return self->policy;
}

EkViolationTracker *
ek_lockdown_controller_get_tracker (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), NULL);

  return self->tracker;
}

/**
 * ek_lockdown_controller_get_exam_session:
 *
 * Returns: whether the kiosk runs in the dedicated exam session (its own X server, no
 *   window manager, no virtual-terminal switching); the engine reports it to the server
 */
gboolean
ek_lockdown_controller_get_exam_session (EkLockdownController *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self), FALSE);

  return self->exam_session;
}

void
ek_lockdown_controller_acknowledge_warning (EkLockdownController *self)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  ek_violation_tracker_acknowledge_warning (self->tracker);
}

void
ek_lockdown_controller_proctor_release (EkLockdownController *self)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  ek_violation_tracker_release_lock (self->tracker);
}

/**
 * ek_lockdown_controller_report:
 * @violation_type: an EK_VIOLATION_* type, e.g. from the proctoring signals
 * @active: whether it starts or ends
 * @detail: (nullable): what caused it
 *
 * Feeds a violation that another part of the kiosk observed (face absent, voice …)
 * into the same counting and escalation.
 */
void
ek_lockdown_controller_report (EkLockdownController *self,
                               const char           *violation_type,
                               gboolean              active,
                               const char           *detail)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  if (active)
    ek_violation_tracker_begin (self->tracker, violation_type, detail);
  else
    ek_violation_tracker_end (self->tracker, violation_type);
}

void
ek_lockdown_controller_set_probe_sources (EkLockdownController *self,
                                          const EkProbeSources *sources)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));
  g_return_if_fail (sources != NULL);

  ek_probe_sources_free (self->sources);
  self->sources = ek_probe_sources_copy (sources);
}

void
ek_lockdown_controller_set_process_search_path (EkLockdownController *self,
                                                const char * const   *dirs)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  g_strfreev (self->search_path);
  self->search_path = g_strdupv ((char **) dirs);
}

void
ek_lockdown_controller_set_filter_synthetic (EkLockdownController *self,
                                             gboolean              filter)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  self->filter_synthetic = filter;
  if (self->keyboard != NULL)
    ek_keyboard_lock_set_filter_synthetic (self->keyboard, filter);
}

/**
 * ek_lockdown_controller_set_display_clients_allowed:
 * @names: (nullable): executable names that may connect to the display during the exam;
 *   %NULL: the built-in list (window managers, input methods, screen readers)
 */
void
ek_lockdown_controller_set_display_clients_allowed (EkLockdownController *self,
                                                    const char * const   *names)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  g_strfreev (self->census_allowed);
  self->census_allowed = g_strdupv ((char **) names);
}

/**
 * ek_lockdown_controller_set_report_unnamed_clients:
 * @report: whether a display client gone before it could be named is a violation (the
 *   default, except in test-hooks builds, whose suites look at the display themselves)
 */
void
ek_lockdown_controller_set_report_unnamed_clients (EkLockdownController *self,
                                                   gboolean              report)
{
  g_return_if_fail (EK_IS_LOCKDOWN_CONTROLLER (self));

  self->report_unnamed_clients = report;
}
