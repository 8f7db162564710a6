/* test-lockdown-escape.c: the lockdown escape suite (meson suite `lockdown`)
 *
 * Each case starts the kiosk in formal lockdown (`exam-kiosk --lockdown-test`, a
 * test-hooks build) whose policy allows the virtual-display finding that Xvfb itself
 * raises and nothing else, attempts one escape from another process (xdotool, wmctrl,
 * an intruding X client, a stand-in for a forbidden program …) and asserts that the
 * kiosk blocked or detected it with the right event: keys, windows, the pointer leaving,
 * forbidden programs, the environment, USB storage and a network change (through the
 * redirectable probe sources), escalation. Runs on run-headless.sh's Xvfb,
 * with no window manager, or with openbox when EK_LOCKDOWN_WM=openbox. Prints a table:
 * case, expected, observed.
 *
 * Under Xvfb every input comes through XTEST, so the keyboard cases switch the
 * injected-input filter off (a test-only setting); the filter has a case of its own.
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ek-test-xorg.h"

#define ENGAGE_TIMEOUT_MS 10000

typedef struct
{
  GSubprocess *process;
  char        *events_path;
  char        *policy_path;
  gsize        offset;
  GPtrArray   *events;      /* JsonObject */
  char        *window;      /* X window id, decimal */
} Kiosk;

typedef struct
{
  char     *name;
  char     *expected;
  char     *observed;
  gboolean  ok;
} Row;

static char *tmp_dir;
static char *kiosk_path;
static char *intruder_path;
static char *standin_path;
static char *clean_dmi;
static char *clean_cpuinfo;
static char *clean_sys;
static char *search_dir;
static char *assistive_dir;       /* stands for /usr/bin, where Orca and the magnifiers are */
static const char *wm;            /* "none" or "openbox" */
static GSubprocess *wm_process;
static GPtrArray *rows;

/* Helpers */

static void
add_row (const char *name,
         const char *expected,
         const char *observed,
         gboolean    ok)
{
  Row *row = g_new0 (Row, 1);

  row->name = g_strdup_printf ("%s [%s]", name, wm);
  row->expected = g_strdup (expected);
  row->observed = g_strdup (observed);
  row->ok = ok;
  g_ptr_array_add (rows, row);
  g_test_message ("%s: expected %s; observed %s", row->name, expected, observed);
}

static char *
run (const char *command_line)
{
  g_autofree char *out = NULL;
  g_autofree char *bounded = g_strconcat ("timeout 10 ", command_line, NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* A helper that hangs (xdotool waiting for a window that never comes) must not hang
   * the suite. */
  if (!g_spawn_command_line_sync (bounded, &out, NULL, &status, &error))
    g_error ("%s: %s", command_line, error->message);

  return g_strstrip (g_steal_pointer (&out));
}

static void
sleep_ms (guint ms)
{
  g_usleep (ms * 1000);
}

static void
kiosk_read (Kiosk *kiosk)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (kiosk->events_path, &contents, &length, NULL))
    return;

  while (kiosk->offset < length)
    {
      char *newline = memchr (contents + kiosk->offset, '\n', length - kiosk->offset);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *line = NULL;

      if (newline == NULL)
        break;

      line = g_strndup (contents + kiosk->offset, newline - (contents + kiosk->offset));
      kiosk->offset = newline - contents + 1;
      if (json_parser_load_from_data (parser, line, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_test_message ("kiosk: %s", line);
          g_ptr_array_add (kiosk->events,
                           json_object_ref (json_node_get_object (json_parser_get_root (parser))));
        }
    }
}

static const char *
member (JsonObject *event,
        const char *name)
{
  return json_object_has_member (event, name) ? json_object_get_string_member (event, name) : NULL;
}

/* Returns: (transfer none) (nullable): the first event from index *from on with
 * event == name and (when given) member key == value (substring), waiting up to timeout_ms */
static JsonObject *
kiosk_wait (Kiosk      *kiosk,
            guint      *from,
            const char *name,
            const char *key,
            const char *value,
            guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint start = from != NULL ? *from : 0;

  for (;;)
    {
      kiosk_read (kiosk);
      for (guint i = start; i < kiosk->events->len; i++)
        {
          JsonObject *event = g_ptr_array_index (kiosk->events, i);

          if (g_strcmp0 (member (event, "event"), name) != 0)
            continue;
          if (key != NULL && (member (event, key) == NULL || strstr (member (event, key), value) == NULL))
            continue;
          if (from != NULL)
            *from = i + 1;
          return event;
        }

      if (g_get_monotonic_time () >= deadline)
        return NULL;
      sleep_ms (50);
    }
}

static guint
kiosk_count (Kiosk      *kiosk,
             guint       from,
             const char *name,
             const char *key,
             const char *value)
{
  guint n = 0;

  kiosk_read (kiosk);
  for (guint i = from; i < kiosk->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (kiosk->events, i);

      if (g_strcmp0 (member (event, "event"), name) == 0 &&
          (key == NULL || g_strcmp0 (member (event, key), value) == 0))
        n++;
    }

  return n;
}

typedef struct
{
  const char *escalation;     /* JSON object text or NULL */
  guint       grace_ms;
  gboolean    xtest_filter;
  const char *dmi_dir;
  const char *cpuinfo;
  const char *ld_preload;
  const char *sys_root;       /* NULL: the clean one */
  const char *network_path;   /* NULL: the computer's own interfaces */
  gboolean    report_unnamed; /* display clients gone before they were named count */
  gboolean    expect_failure;
  const char *assistive;      /* JSON array text: the assistive technology allowed; NULL */
} KioskOptions;

static Kiosk *
kiosk_start (const KioskOptions *options)
{
  static guint serial;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *network = NULL;
  Kiosk *kiosk = g_new0 (Kiosk, 1);

  serial++;
  kiosk->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  kiosk->events_path = g_strdup_printf ("%s/events-%u.jsonl", tmp_dir, serial);
  kiosk->policy_path = g_strdup_printf ("%s/policy-%u.json", tmp_dir, serial);

  if (options->network_path != NULL)
    network = g_strdup_printf (", \"network_path\": \"%s\"", options->network_path);
  policy = g_strdup_printf (
    "{\"lockdown\": {\"relaxed\": false, \"monitor_rule\": \"exactly_one\","
    " \"findings\": {\"virtual_display\": \"allow\"}, \"grace_ms\": %u,"
    " \"process_scan_interval_ms\": 1000, \"assistive_technology\": %s,"
    " \"escalation\": %s},"
    " \"test\": {\"events\": \"%s\", \"xtest_filter\": %s, \"report_unnamed_clients\": %s,"
    " \"seat\": \"T-%u\", \"assistive_dir\": \"%s\","
    " \"dmi_dir\": \"%s\", \"cpuinfo\": \"%s\", \"sys_root\": \"%s\","
    " \"preload_path\": \"%s/no-ld.so.preload\", \"search_path\": [\"%s\"]%s}}",
    options->grace_ms, options->assistive != NULL ? options->assistive : "[]",
    options->escalation != NULL ? options->escalation
      : "{\"default\": {\"warn_at\": 0, \"lock_at\": 0, \"submit_at\": 0}}",
    kiosk->events_path, options->xtest_filter ? "true" : "false",
    options->report_unnamed ? "true" : "false", serial, assistive_dir,
    options->dmi_dir != NULL ? options->dmi_dir : clean_dmi,
    options->cpuinfo != NULL ? options->cpuinfo : clean_cpuinfo,
    options->sys_root != NULL ? options->sys_root : clean_sys, tmp_dir, search_dir,
    network != NULL ? network : "");
  g_assert_true (g_file_set_contents (kiosk->policy_path, policy, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  /* The machine running the tests may be reached over SSH: not the kiosk's business here. */
  g_subprocess_launcher_unsetenv (launcher, "SSH_CONNECTION");
  g_subprocess_launcher_unsetenv (launcher, "SSH_CLIENT");
  g_subprocess_launcher_unsetenv (launcher, "SSH_TTY");
  g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  if (options->ld_preload != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", options->ld_preload, TRUE);
      /* AddressSanitizer wants to come first; this case is about the finding. */
      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS",
                                    "detect_leaks=0:verify_asan_link_order=0", TRUE);
    }

  kiosk->process = g_subprocess_launcher_spawn (launcher, &error, kiosk_path, "--lockdown-test",
                                                kiosk->policy_path, NULL);
  g_assert_no_error (error);

  if (!options->expect_failure)
    {
      JsonObject *engaged = kiosk_wait (kiosk, NULL, "engaged", NULL, NULL, ENGAGE_TIMEOUT_MS);
      g_autofree char *search = NULL;

      if (engaged == NULL)
        {
          JsonObject *failed = kiosk_wait (kiosk, NULL, "engage_failed", NULL, NULL, 0);

          g_error ("the kiosk did not engage: %s",
                   failed != NULL ? member (failed, "reason") : "no answer");
        }

      search = g_strdup_printf ("xdotool search --name \"ExamKiosk lockdown test %s\"",
                                g_subprocess_get_identifier (kiosk->process));
      kiosk->window = run (search);
      g_assert_cmpstr (kiosk->window, !=, "");
      if (strchr (kiosk->window, '\n') != NULL)
        *strchr (kiosk->window, '\n') = '\0';
      /* Let the window manager settle (fullscreen, stacking) before the escape. */
      if (g_str_equal (wm, "openbox"))
        {
          g_autofree char *command = g_strdup_printf ("xprop -id %s _NET_WM_STATE", kiosk->window);

          for (guint i = 0; i < 40; i++)
            {
              g_autofree char *state = run (command);

              if (strstr (state, "_NET_WM_STATE_FULLSCREEN") != NULL)
                break;
              sleep_ms (50);
            }
        }
      sleep_ms (300);
    }

  return kiosk;
}

static void
kiosk_stop (Kiosk *kiosk)
{
  if (kiosk->process != NULL)
    {
      g_subprocess_send_signal (kiosk->process, SIGTERM);
      if (!g_subprocess_wait (kiosk->process, NULL, NULL))
        g_subprocess_force_exit (kiosk->process);
      g_clear_object (&kiosk->process);
    }

  g_ptr_array_unref (kiosk->events);
  g_free (kiosk->events_path);
  g_free (kiosk->policy_path);
  g_free (kiosk->window);
  g_free (kiosk);
}

/* Starts the kiosk; *from is past what it said while engaging. */
static Kiosk *
kiosk_start_watching (const KioskOptions *options,
                      guint              *from)
{
  Kiosk *kiosk = kiosk_start (options);

  kiosk_read (kiosk);
  *from = kiosk->events->len;
  return kiosk;
}

/* Starts the kiosk expecting it to refuse the exam. Returns: (transfer none) (nullable):
 * the engage_failed event, NULL when the exam started. */
static JsonObject *
kiosk_start_refused (KioskOptions  *options,
                     Kiosk        **kiosk)
{
  options->expect_failure = TRUE;
  *kiosk = kiosk_start (options);
  return kiosk_wait (*kiosk, NULL, "engage_failed", NULL, NULL, ENGAGE_TIMEOUT_MS);
}

typedef struct
{
  JsonObject *started;   /* violation_started: counted, past the grace time */
  JsonObject *ended;     /* violation: over, with its duration */
} Seen;

/* Waits up to @start_ms for a violation of @type to be counted, then up to @end_ms for
 * it to end. */
static Seen
watch_violation (Kiosk      *kiosk,
                 guint      *from,
                 const char *type,
                 guint       start_ms,
                 guint       end_ms)
{
  Seen seen = { NULL, NULL };

  seen.started = kiosk_wait (kiosk, from, "violation_started", "type", type, start_ms);
  if (seen.started != NULL)
    seen.ended = kiosk_wait (kiosk, from, "violation", "type", type, end_ms);
  return seen;
}

/* One row of the table; the case holds only when @ok (the observed text says why not). */
static void
check_row (const char *name,
           const char *expected,
           const char *observed,
           gboolean    ok)
{
  add_row (name, expected, observed, ok);
  g_assert_true (ok);
}

static void
make_file (const char *path,
           const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static GSubprocess *
spawn_intruder_full (const char  *mode,
                     char       **window,
                     char       **second_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, intruder_path, mode, NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "ready 0x"));
  if (window != NULL)
    *window = g_strdup_printf ("%lu", strtoul (line + strlen ("ready "), NULL, 16));
  if (second_line != NULL)
    {
      *second_line = g_data_input_stream_read_line (input, NULL, NULL, &error);
      g_assert_no_error (error);
    }

  return process;
}

static GSubprocess *
spawn_intruder (const char  *mode,
                char       **window)
{
  return spawn_intruder_full (mode, window, NULL);
}

static void
stop_process (GSubprocess *process)
{
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

static GSubprocess *
spawn_standin (const char *name,
               const char *dir)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) source = g_file_new_for_path (standin_path);
  g_autoptr(GFile) target = g_file_new_for_path (path);
  GSubprocess *process;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_chmod (path, 0755);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, path, NULL);
  g_assert_no_error (error);

  return process;
}

static gboolean
kiosk_viewable (Kiosk *kiosk)
{
  g_autofree char *command = g_strdup_printf ("xwininfo -id %s", kiosk->window);
  g_autofree char *info = run (command);

  return strstr (info, "IsViewable") != NULL;
}

/* The X input focus (not the window manager's idea of the active window): on the
 * kiosk's window or inside it (GTK may focus a child of its toplevel). */
static gboolean
kiosk_focused (Kiosk *kiosk)
{
  g_autofree char *focus = run ("xdotool getwindowfocus -f");
  g_autofree char *tree_command = NULL;
  g_autofree char *tree = NULL;
  g_autofree char *needle = NULL;

  if (g_strcmp0 (focus, kiosk->window) == 0)
    return TRUE;
  g_test_message ("X input focus: %s, kiosk: %s", focus, kiosk->window);

  /* PointerRoot (what openbox leaves after it refused an activation): keys go to the
   * window under the pointer, which must be the kiosk. */
  if (g_strcmp0 (focus, "1") == 0)
    {
      g_autofree char *location = run ("xdotool getmouselocation --shell");
      g_autofree char *expected = g_strdup_printf ("WINDOW=%s", kiosk->window);

      return strstr (location, expected) != NULL;
    }

  tree_command = g_strdup_printf ("xwininfo -tree -id %s", kiosk->window);
  tree = run (tree_command);
  needle = g_strdup_printf ("0x%lx ", strtoul (focus, NULL, 10));
  return strstr (tree, needle) != NULL;
}

/* Cases: keyboard */

static void
check_shortcut (const char *keys,
                const char *expected_name)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *command = g_strdup_printf ("xdotool key %s", keys);
  g_autofree char *observed = NULL;
  GSubprocess *other;
  Kiosk *kiosk;
  JsonObject *shortcut;
  guint from;
  guint lost;

  /* Something to switch to, so a window manager's Alt+Tab has a target. */
  other = spawn_intruder ("map", NULL);
  kiosk = kiosk_start_watching (&options, &from);

  g_free (run (command));
  shortcut = kiosk_wait (kiosk, &from, "shortcut", "name", expected_name, 3000);
  sleep_ms (800);
  lost = kiosk_count (kiosk, 0, "violation_started", NULL, NULL);

  observed = g_strdup_printf ("%s; %u violations; %s",
                              shortcut ? "reached only the kiosk (logged)" : "not seen by the kiosk",
                              lost, kiosk_viewable (kiosk) ? "kiosk on screen" : "kiosk gone");
  check_row (keys, "reaches only the kiosk, logged; no focus change", observed,
             shortcut != NULL && lost == 0 && kiosk_viewable (kiosk));
  kiosk_stop (kiosk);
  stop_process (other);
}

static void
test_alt_tab (void)
{
  check_shortcut ("alt+Tab", "Alt+Tab");
}

static void
test_super (void)
{
  check_shortcut ("super", "Super");
}

static void
test_alt_f4 (void)
{
  check_shortcut ("alt+F4", "Alt+F4");
}

static void
test_ctrl_alt_right (void)
{
  check_shortcut ("ctrl+alt+Right", "Ctrl+Alt+Right");
}

static void
test_print (void)
{
  check_shortcut ("Print", "Print");
}

static void
test_synthetic_input (void)
{
  KioskOptions options = { .grace_ms = 300, .xtest_filter = TRUE };
  g_autofree char *observed = NULL;
  JsonObject *violation;
  Kiosk *kiosk;
  guint from;
  guint keys;

  kiosk = kiosk_start_watching (&options, &from);
  g_free (run ("xdotool type --delay 20 secret"));
  violation = kiosk_wait (kiosk, &from, "violation_started", "type", "synthetic_input", 3000);
  keys = kiosk_count (kiosk, 0, "key", NULL, NULL);

  observed = g_strdup_printf ("%s; %u keys reached the page",
                              violation ? "synthetic_input violation" : "no violation", keys);
  check_row ("xdotool type (XTEST filter on)", "synthetic_input violation; no key reaches the page",
             observed, violation != NULL && keys == 0);
  kiosk_stop (kiosk);
}

static void
test_keyboard_held_elsewhere (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *grab_result = NULL;
  GSubprocess *grabber;
  Kiosk *kiosk;
  JsonObject *failed;

  grabber = spawn_intruder_full ("grab", NULL, &grab_result);
  g_assert_cmpstr (grab_result, ==, "grabbed");
  failed = kiosk_start_refused (&options, &kiosk);

  check_row ("keyboard grabbed by another client", "exam does not start, reason shown",
             failed ? member (failed, "reason") : "the exam started",
             failed != NULL && json_object_get_int_member (failed, "code") == 2 /* KEYBOARD */);
  kiosk_stop (kiosk);
  stop_process (grabber);
}

static void
test_grab_breaking_keymap (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  Kiosk *kiosk;
  JsonObject *failed;

  g_free (run ("setxkbmap -option grab:break_actions"));
  failed = kiosk_start_refused (&options, &kiosk);
  g_free (run ("setxkbmap -option \"\""));

  observed = g_strdelimit (g_strdup (failed ? member (failed, "reason") : "the exam started"),
                           "\n", ' ');
  check_row ("XF86_Ungrab in the keymap", "exam does not start, reason shown", observed,
             failed != NULL && strstr (member (failed, "reason"), "XF86_") != NULL);
  kiosk_stop (kiosk);
}

/* Cases: windows */

static void
test_activate_other_window (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *window = NULL;
  g_autofree char *command = NULL;
  GSubprocess *other;
  Kiosk *kiosk;
  JsonObject *started;
  JsonObject *ended;
  gboolean ok;
  guint from;

  other = spawn_intruder ("map", &window);
  kiosk = kiosk_start_watching (&options, &from);

  if (g_str_equal (wm, "openbox"))
    command = g_strdup_printf ("xdotool windowactivate %s", window);
  else
    command = g_strdup_printf ("sh -c 'xdotool windowraise %s windowfocus %s'", window, window);
  g_free (run (command));

  ended = kiosk_wait (kiosk, &from, "violation", "type", "focus_lost", 4000);
  /* A window manager may move the focus more than once while it activates: judge the
   * outcome after the grace time and a take-back. */
  sleep_ms (1500);
  started = kiosk_wait (kiosk, NULL, "violation_started", "type", "focus_lost", 0);

  if (ended == NULL)
    observed = g_strdup_printf ("no focus loss (refused); kiosk %s",
                                kiosk_focused (kiosk) ? "focused" : "NOT focused");
  else
    observed = g_strdup_printf ("focus_lost %" G_GINT64_FORMAT " ms, %s; kiosk %s",
                                json_object_get_int_member (ended, "duration_ms"),
                                json_object_get_boolean_member (ended, "counted")
                                ? "counted" : "given back within the grace time",
                                kiosk_focused (kiosk) ? "focused again" : "NOT focused");
  /* Without a window manager the loss lasts until the kiosk takes the focus back after
   * the grace time (counted); openbox may refuse the activation, or give the focus back
   * at once. Either way the kiosk must end up focused and on screen. */
  ok = kiosk_focused (kiosk) && kiosk_viewable (kiosk);
  if (!g_str_equal (wm, "openbox"))
    ok = ok && started != NULL && ended != NULL;
  check_row ("activate/raise another window",
             "focus_lost detected and undone (or refused); kiosk focused", observed, ok);
  kiosk_stop (kiosk);
  stop_process (other);
}

static void
test_wmctrl_activate (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *window = NULL;
  g_autofree char *command = NULL;
  GSubprocess *other;
  Kiosk *kiosk;
  JsonObject *started;
  guint from;

  if (!g_str_equal (wm, "openbox"))
    {
      g_test_skip ("wmctrl needs a window manager");
      return;
    }

  other = spawn_intruder ("map", &window);
  kiosk = kiosk_start_watching (&options, &from);

  command = g_strdup_printf ("wmctrl -i -a %s", window);
  g_free (run (command));
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "focus_lost", 3000);
  sleep_ms (600);

  observed = g_strdup_printf ("%s; %s", started ? "focus_lost counted" : "no focus loss",
                              kiosk_viewable (kiosk) ? "kiosk on screen" : "kiosk hidden");
  /* openbox may refuse to activate a window under a fullscreen one kept above: then
   * there is no loss to detect, which is the better outcome. */
  check_row ("wmctrl -a another window", "blocked, or focus_lost detected and undone", observed,
             kiosk_viewable (kiosk));
  kiosk_stop (kiosk);
  stop_process (other);
}

static void
test_map_over (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  gboolean managed = g_str_equal (wm, "openbox");
  GSubprocess *other;
  Kiosk *kiosk;
  Seen seen;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  other = spawn_intruder ("override", NULL);
  seen = watch_violation (kiosk, &from, "window_obscured", 3000, 3000);

  observed = g_strdup_printf ("%s%s", seen.started ? "window_obscured counted" : "not detected",
                              seen.ended ? ", kiosk back on top" : ", still covered");
  /* Under a window manager the stacking of the kiosk's frame is the manager's, and an
   * override-redirect window is outside it: the kiosk lowers that window instead
   * (issue 13, item 2). */
  check_row (managed ? "map an override-redirect window over the kiosk" : "map a window over the kiosk",
             "window_obscured violation, kiosk back on top", observed,
             seen.started != NULL && seen.ended != NULL);
  kiosk_stop (kiosk);
  stop_process (other);
}

/* Runs xdotool @command on the kiosk's window and watches for window_hidden. */
static Seen
hide_kiosk (Kiosk      *kiosk,
            guint      *from,
            const char *command)
{
  g_autofree char *line = g_strdup_printf ("xdotool %s %s", command, kiosk->window);
  Seen seen;

  g_free (run (line));
  seen = watch_violation (kiosk, from, "window_hidden", 2000, 3000);
  sleep_ms (300);
  return seen;
}

static void
test_minimize (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  Kiosk *kiosk;
  Seen seen;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  seen = hide_kiosk (kiosk, &from, "windowminimize");

  if (g_str_equal (wm, "openbox"))
    {
      /* openbox iconifies (detected, shown again) or, seldom, ignores the request while
       * the kiosk holds the keyboard; either way the kiosk must stay on screen. */
      observed = g_strdup_printf ("%s; %s", seen.started == NULL ? "no effect"
                                  : seen.ended != NULL ? "window_hidden counted, shown again"
                                  : "window_hidden, not undone",
                                  kiosk_viewable (kiosk) ? "on screen" : "hidden");
      check_row ("xdotool windowminimize", "window_hidden violation, kiosk shown again", observed,
                 kiosk_viewable (kiosk) && (seen.started == NULL || seen.ended != NULL));
    }
  else
    {
      /* Nobody handles the iconify request without a window manager. */
      observed = g_strdup_printf ("%s; %s", seen.started ? "window_hidden" : "no effect",
                                  kiosk_viewable (kiosk) ? "on screen" : "hidden");
      check_row ("xdotool windowminimize", "no effect (no window manager); kiosk on screen",
                 observed, kiosk_viewable (kiosk));
    }
  kiosk_stop (kiosk);
}

static void
test_unmap (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  Kiosk *kiosk;
  Seen seen;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  seen = hide_kiosk (kiosk, &from, "windowunmap");

  observed = g_strdup_printf ("%s%s; %s", seen.started ? "window_hidden counted" : "not detected",
                              seen.ended ? ", mapped again" : "",
                              kiosk_viewable (kiosk) ? "on screen" : "hidden");
  check_row ("xdotool windowunmap", "window_hidden violation, kiosk mapped again", observed,
             seen.started != NULL && seen.ended != NULL && kiosk_viewable (kiosk));
  kiosk_stop (kiosk);
}

static void start_window_manager (void);

/* A fresh window manager after a case that may leave openbox in a state of its own
 * (the screen saver's window, another client's pointer grab, master devices that came
 * and went). */
static void
fresh_window_manager (void)
{
  if (wm_process == NULL)
    return;
  stop_process (g_steal_pointer (&wm_process));
  start_window_manager ();
}
static GSubprocess *spawn_intruder_lines (const char * const *args, guint n_lines, char ***lines);

static void
test_close_request (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *command = NULL;
  Kiosk *kiosk;
  JsonObject *refused = NULL;
  guint from;

  if (!g_str_equal (wm, "openbox"))
    {
      g_test_skip ("closing through the window manager needs one");
      return;
    }

  /* A fresh openbox: after the whole suite's earlier cases it sometimes no longer
   * forwards _NET_CLOSE_WINDOW (not understood yet; alone and in any pair the case
   * passes). */
  stop_process (g_steal_pointer (&wm_process));
  start_window_manager ();

  kiosk = kiosk_start_watching (&options, &from);
  command = g_strdup_printf ("wmctrl -i -c %s", kiosk->window);
  /* openbox may drop a close request for a window it is still settling: ask again. */
  for (guint attempt = 0; attempt < 3 && refused == NULL; attempt++)
    {
      g_free (run (command));
      refused = kiosk_wait (kiosk, &from, "close_refused", NULL, NULL, 1500);
    }

  observed = g_strdup_printf ("%s; %s", refused ? "close refused" : "not refused",
                              kiosk_viewable (kiosk) ? "on screen" : "gone");
  check_row ("wmctrl -c (close the window)", "close refused", observed,
             refused != NULL && kiosk_viewable (kiosk));
  kiosk_stop (kiosk);
}

/* Cases: the pointer */

static void
test_pointer_left (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  GSubprocess *catcher;
  Kiosk *kiosk;
  Seen seen;
  gint64 left_ms;
  gint64 away_ms;
  gint64 detected_ms = -1;
  gint64 duration_ms = -1;
  guint from;

  g_free (run ("xdotool mousemove 50 50"));
  kiosk = kiosk_start_watching (&options, &from);
  /* Another client's input-only window over the middle of the screen: nothing is drawn
   * over the kiosk, but a pointer moved there has left it. */
  catcher = spawn_intruder ("input-only", NULL);
  sleep_ms (300);

  left_ms = g_get_real_time () / 1000;
  g_free (run ("xdotool mousemove 400 300"));
  sleep_ms (1200);
  g_free (run ("xdotool mousemove 50 50"));
  away_ms = g_get_real_time () / 1000 - left_ms;
  seen = watch_violation (kiosk, &from, "pointer_left", 1000, 2000);

  if (seen.started != NULL)
    detected_ms = json_object_get_int_member (seen.started, "start_ms") - left_ms;
  if (seen.ended != NULL)
    duration_ms = json_object_get_int_member (seen.ended, "duration_ms");
  observed = g_strdup_printf ("%s; detected after %" G_GINT64_FORMAT " ms; %s %" G_GINT64_FORMAT
                              " ms (away %" G_GINT64_FORMAT " ms)",
                              seen.started ? "pointer_left counted" : "not detected", detected_ms,
                              seen.ended ? "ended, lasted" : "not ended, lasted", duration_ms,
                              away_ms);
  /* The move itself takes an xdotool start; the guard polls every 100 ms. */
  check_row ("pointer leaves the kiosk for 1.2 s",
             "pointer_left detected within 500 ms, a violation with its duration", observed,
             seen.started != NULL && seen.ended != NULL && detected_ms >= 0 && detected_ms <= 500 &&
             duration_ms >= 1000 && duration_ms <= away_ms + 200);
  stop_process (catcher);
  kiosk_stop (kiosk);
}

/* Cases: devices and the network, through redirected probe sources */

static void
test_usb_storage (void)
{
  g_autofree char *sys = g_build_filename (tmp_dir, "sys-usb", NULL);
  g_autofree char *block = g_build_filename (sys, "block", NULL);
  g_autofree char *link = g_build_filename (block, "sdb", NULL);
  g_autofree char *model = NULL;
  g_autofree char *observed = NULL;
  KioskOptions options = { .grace_ms = 300, .sys_root = sys };
  JsonObject *recorded;
  Kiosk *kiosk;
  guint from;

  g_mkdir_with_parents (block, 0700);
  kiosk = kiosk_start_watching (&options, &from);

  /* A USB stick appears, as the kernel shows it in sysfs. */
  model = g_build_filename (sys, "devices/pci0000:00/0000:00:14.0/usb1/1-1/host6/block/sdb/device/model",
                            NULL);
  make_file (model, "Cruzer Blade\n");
  g_assert_no_errno (symlink ("../devices/pci0000:00/0000:00:14.0/usb1/1-1/host6/block/sdb", link));
  recorded = kiosk_wait (kiosk, &from, "violation", "type", "usb_storage", 4000);

  observed = g_strdup_printf ("%s", recorded ? member (recorded, "detail") : "not detected");
  check_row ("USB storage plugged in mid-exam", "usb_storage violation naming Cruzer Blade (sdb)",
             observed, recorded != NULL && strstr (observed, "Cruzer Blade (sdb)") != NULL);
  kiosk_stop (kiosk);
}

static void
test_network_change (void)
{
  g_autofree char *network = g_build_filename (tmp_dir, "network-addresses", NULL);
  g_autofree char *observed = NULL;
  KioskOptions options = { .grace_ms = 300, .network_path = network };
  JsonObject *changed;
  Kiosk *kiosk;
  guint from;

  make_file (network, "eth0=192.0.2.10\n");
  kiosk = kiosk_start_watching (&options, &from);

  /* The computer moves to another network. */
  make_file (network, "eth0=198.51.100.7\nwlan0=203.0.113.5\n");
  changed = kiosk_wait (kiosk, &from, "violation", "type", "network_changed", 4000);

  observed = g_strdup_printf ("%s", changed ? member (changed, "detail") : "not detected");
  check_row ("network address changes mid-exam", "network_changed violation with the new addresses",
             observed, changed != NULL && strstr (observed, "eth0=198.51.100.7") != NULL &&
             strstr (observed, "wlan0=203.0.113.5") != NULL);
  kiosk_stop (kiosk);
}

/* Cases: processes and environment */

static void
check_process (const char *name,
               const char *dir,
               const char *expected_in_detail,
               const char *case_name)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *expected = NULL;
  GSubprocess *standin;
  Kiosk *kiosk;
  JsonObject *started;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  standin = spawn_standin (name, dir);
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "blocked_process", 4000);

  expected = g_strdup_printf ("blocked_process violation naming %s", expected_in_detail);
  observed = g_strdup_printf ("%s", started ? member (started, "detail") : "not detected");
  check_row (case_name, expected, observed,
             started != NULL && strstr (member (started, "detail"), expected_in_detail) != NULL);
  stop_process (standin);
  kiosk_stop (kiosk);
}

static void
test_screenshot_tool (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "other", NULL);

  check_process ("flameshot", dir, "flameshot", "screenshot tool started (flameshot stand-in)");
}

static void
test_vnc_server (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "other", NULL);

  check_process ("x11vnc", dir, "x11vnc", "VNC server started (x11vnc stand-in)");
}

static void
test_renamed_copy (void)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "other", NULL);

  /* The same executable as SEARCH_DIR/x11vnc under another name: found by content. */
  check_process ("notes-app", dir, "x11vnc", "renamed copy of the VNC server (notes-app)");
}

static void
check_refused (const char *case_name,
               const char *finding,
               KioskOptions *options)
{
  g_autofree char *observed = NULL;
  g_autofree char *expected = NULL;
  Kiosk *kiosk;
  JsonObject *failed;

  failed = kiosk_start_refused (options, &kiosk);
  if (failed != NULL)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (node, json_object_get_array_member (failed, "findings"));
      json_generator_set_root (generator, node);
      observed = json_generator_to_data (generator, NULL);
    }
  else
    observed = g_strdup ("the exam started");

  expected = g_strdup_printf ("exam refused: %s finding", finding);
  check_row (case_name, expected, observed, strstr (observed, finding) != NULL &&
             strstr (observed, "\"block\"") != NULL);
  kiosk_stop (kiosk);
}

static void
test_ld_preload (void)
{
  KioskOptions options = { .grace_ms = 300, .ld_preload = "libm.so.6" };

  check_refused ("LD_PRELOAD set", "injection", &options);
}

static void
test_hypervisor_dmi (void)
{
  g_autofree char *dmi = g_build_filename (tmp_dir, "dmi-qemu", NULL);
  g_autofree char *vendor = g_build_filename (dmi, "sys_vendor", NULL);
  KioskOptions options = { .grace_ms = 300, .dmi_dir = dmi };

  g_mkdir_with_parents (dmi, 0700);
  g_assert_true (g_file_set_contents (vendor, "QEMU\n", -1, NULL));
  check_refused ("fake DMI: QEMU", "hypervisor", &options);
}

static void
test_hypervisor_cpuinfo (void)
{
  g_autofree char *cpuinfo = g_build_filename (tmp_dir, "cpuinfo-hypervisor", NULL);
  KioskOptions options = { .grace_ms = 300, .cpuinfo = cpuinfo };

  g_assert_true (g_file_set_contents (cpuinfo, "processor\t: 0\nflags\t\t: fpu sse2 hypervisor "
                                      "lahf_lm\n", -1, NULL));
  check_refused ("fake cpuinfo: hypervisor flag", "hypervisor", &options);
}

/* Cases: assistive technology (issue 17, item 4). An exam may allow a screen reader and a
 * magnifier: the installed programs then run without a violation (Orca as the Python
 * script it is, run by python3; the magnifier as a program of its own; both connected to
 * the display). Not allowed, they are violations; so is a program that only has their
 * name, or the installed script made to load other code. ASSISTIVE_DIR stands for
 * /usr/bin. */

#define ORCA_SCRIPT \
  "#!/usr/bin/python3\n" \
  "import ctypes, signal\n" \
  "x11 = ctypes.CDLL('libX11.so.6')\n" \
  "x11.XOpenDisplay.restype = ctypes.c_void_p\n" \
  "if not x11.XOpenDisplay(None):\n" \
  "    raise SystemExit('cannot open the display')\n" \
  "print('ready', flush=True)\n" \
  "signal.pause()\n"

/* Installs a stand-in for an assistive program as DIR/NAME: Orca's script, or the
 * intruder (which only connects to the display) for a magnifier. */
static char *
install_assistive (const char *dir,
                   const char *name,
                   gboolean    script)
{
  char *path = g_build_filename (dir, name, NULL);

  if (script)
    make_file (path, ORCA_SCRIPT);
  else
    {
      g_autoptr(GFile) source = g_file_new_for_path (intruder_path);
      g_autoptr(GFile) target = g_file_new_for_path (path);

      g_assert_true (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
    }
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

/* Starts @path (a script through its #! line) with @mode ("connect"; the intruder's
 * "override": a window over the exam, as a magnifier shows, outside any window manager's
 * stacking) and waits until it is on the display. */
static GSubprocess *
spawn_connected (const char *path,
                 const char *mode,
                 const char *python_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  /* What the genuine program would not have (meson may set the library path). */
  g_subprocess_launcher_unsetenv (launcher, "PYTHONPATH");
  g_subprocess_launcher_unsetenv (launcher, "LD_LIBRARY_PATH");
  g_subprocess_launcher_unsetenv (launcher, "LD_PRELOAD");
  if (python_path != NULL)
    g_subprocess_launcher_setenv (launcher, "PYTHONPATH", python_path, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, path, mode, NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "ready"));
  return process;
}

/* The first blocked_process or display_client violation naming @name within @timeout_ms. */
static JsonObject *
wait_naming (Kiosk      *kiosk,
             guint       from,
             const char *name,
             guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  do
    {
      kiosk_read (kiosk);
      for (guint i = from; i < kiosk->events->len; i++)
        {
          JsonObject *event = g_ptr_array_index (kiosk->events, i);
          const char *type = member (event, "type");

          if (g_strcmp0 (member (event, "event"), "violation_started") == 0 &&
              (g_strcmp0 (type, "blocked_process") == 0 ||
               g_strcmp0 (type, "display_client") == 0) &&
              member (event, "detail") != NULL && strstr (member (event, "detail"), name) != NULL)
            return event;
        }
      sleep_ms (100);
    }
  while (g_get_monotonic_time () < deadline);

  return NULL;
}

static void
test_assistive_allowed (void)
{
  KioskOptions options = { .grace_ms = 300,
                           .assistive = "[\"screen_reader\", \"magnifier\"]" };
  g_autofree char *orca = install_assistive (assistive_dir, "orca", TRUE);
  g_autofree char *kmag = install_assistive (assistive_dir, "kmag", FALSE);
  g_autofree char *observed = NULL;
  GSubprocess *reader;
  GSubprocess *magnifier;
  Kiosk *kiosk;
  guint from;
  guint n;

  kiosk = kiosk_start_watching (&options, &from);
  reader = spawn_connected (orca, "connect", NULL);
  magnifier = spawn_connected (kmag, "override", NULL);
  /* Three process scans (every second), census rounds and many looks at the stacking
   * (every 100 ms) with both running, the magnifier's window over the exam. */
  sleep_ms (3500);
  n = kiosk_count (kiosk, from, "violation_started", NULL, NULL);
  observed = g_strdup_printf ("%u violations", n);
  check_row ("allowed: Orca (python3 script) and a magnifier with its window over the exam",
             "0 violations", observed, n == 0);

  stop_process (reader);
  stop_process (magnifier);
  kiosk_stop (kiosk);
}

static void
test_assistive_not_allowed (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *orca = install_assistive (assistive_dir, "orca", TRUE);
  g_autofree char *kmag = install_assistive (assistive_dir, "kmag", FALSE);
  GSubprocess *reader;
  GSubprocess *magnifier;
  JsonObject *found;
  Kiosk *kiosk;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  reader = spawn_connected (orca, "connect", NULL);
  magnifier = spawn_connected (kmag, "map", NULL);

  found = wait_naming (kiosk, from, "orca", 4000);
  check_row ("not allowed: the installed Orca", "a violation naming orca",
             found != NULL ? member (found, "detail") : "not detected", found != NULL);
  found = wait_naming (kiosk, from, "kmag", 4000);
  check_row ("not allowed: the installed magnifier", "a violation naming kmag",
             found != NULL ? member (found, "detail") : "not detected", found != NULL);

  stop_process (reader);
  stop_process (magnifier);
  kiosk_stop (kiosk);
}

static void
test_assistive_impostor (void)
{
  KioskOptions options = { .grace_ms = 300,
                           .assistive = "[\"screen_reader\", \"magnifier\"]" };
  g_autofree char *other = g_build_filename (tmp_dir, "other", NULL);
  g_autofree char *orca = install_assistive (assistive_dir, "orca", TRUE);
  g_autofree char *impostor = install_assistive (other, "orca", FALSE);
  GSubprocess *process;
  JsonObject *found;
  Kiosk *kiosk;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);

  /* Another program (any capture tool) copied under Orca's name, root's like Orca. */
  process = spawn_connected (impostor, "connect", NULL);
  found = wait_naming (kiosk, from, "orca", 4000);
  check_row ("allowed, but another program named orca", "a violation naming orca",
             found != NULL ? member (found, "detail") : "not detected", found != NULL);
  stop_process (process);

  /* Another program copied as the magnifier, its window over the exam: covering it. */
  {
    g_autofree char *fake_kmag = install_assistive (other, "kmag", FALSE);
    JsonObject *covered;

    kiosk_read (kiosk);
    from = kiosk->events->len;
    process = spawn_connected (fake_kmag, "override", NULL);
    covered = kiosk_wait (kiosk, &from, "violation_started", "type", "window_obscured", 4000);
    check_row ("allowed, but another program named kmag maps a window over the exam",
               "window_obscured violation",
               covered != NULL ? member (covered, "detail") : "not detected", covered != NULL);
    stop_process (process);
  }

  /* The installed Orca, made to import the candidate's code first. */
  kiosk_read (kiosk);
  from = kiosk->events->len;
  process = spawn_connected (orca, "connect", tmp_dir);
  found = wait_naming (kiosk, from, "orca", 4000);
  check_row ("allowed, but the installed Orca with PYTHONPATH", "a violation naming orca",
             found != NULL ? member (found, "detail") : "not detected", found != NULL);
  stop_process (process);

  kiosk_stop (kiosk);
}

/* Cases: screen capture by another client (issue 13, item 1). In desktop mode capture
 * cannot be prevented on X11; every program that connects to the display during the exam
 * is a display_client violation naming its process, however it is named or started. */

static gboolean
is_unnamed_client (JsonObject *violation)
{
  const char *detail = member (violation, "detail");

  return strstr (detail, "gone before its process could be named") != NULL ||
         strstr (detail, "(executable unknown)") != NULL;
}

static void
check_capture (const char *case_name,
               const char *command_line,
               const char *expected_in_detail)
{
  KioskOptions options = { .grace_ms = 300, .report_unnamed = TRUE };
  g_autofree char *observed = NULL;
  g_autofree char *expected = NULL;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  /* From here on only the capture tool connects: a client gone before the census could
   * name it (a loaded machine, a very short run) is this tool. */
  kiosk_read (kiosk);
  from = kiosk->events->len;
  g_free (run (command_line));
  /* Other clients may connect meanwhile (the suite's own look at the display): the
   * violation naming the program. */
  {
    gint64 deadline = g_get_monotonic_time () + 4 * G_USEC_PER_SEC;

    do
      started = kiosk_wait (kiosk, &from, "violation_started", "type", "display_client", 200);
    while ((started == NULL || (strstr (member (started, "detail"), expected_in_detail) == NULL &&
                                !is_unnamed_client (started))) &&
           g_get_monotonic_time () < deadline);
  }

  expected = g_strdup_printf ("display_client violation naming %s (or, gone too soon, "
                              "unnamed)", expected_in_detail);
  observed = g_strdup_printf ("%s", started ? member (started, "detail") : "not detected");
  check_row (case_name, expected, observed,
             started != NULL && (strstr (member (started, "detail"), expected_in_detail) != NULL ||
                                 is_unnamed_client (started)));
  kiosk_stop (kiosk);
}

static void
test_capture_xwd (void)
{
  check_capture ("xwd -root", "sh -c 'xwd -root -silent > /dev/null'", "/xwd");
}

static void
test_capture_import (void)
{
  g_autofree char *command = g_strdup_printf ("import -window root %s/shot.png", tmp_dir);

  check_capture ("import -window root", command, "import");
}

static void
test_capture_gstreamer (void)
{
  check_capture ("gst-launch-1.0 ximagesrc",
                 "gst-launch-1.0 -q ximagesrc num-buffers=1 ! fakesink", "gst-launch-1.0");
}

static void
test_capture_renamed (void)
{
  g_autofree char *copy = g_build_filename (tmp_dir, "other", "ffmpeg", NULL);
  g_autofree char *command = g_strdup_printf ("sh -c '%s -root -silent > /dev/null'", copy);
  g_autoptr(GFile) source = g_file_new_for_path ("/usr/bin/xwd");
  g_autoptr(GFile) target = g_file_new_for_path (copy);

  g_assert_true (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  g_chmod (copy, 0755);
  check_capture ("xwd copied as “ffmpeg”", command, "ffmpeg");
}

static void
test_capture_loader (void)
{
  g_autofree char *command = NULL;
  const char *loader = "/lib64/ld-linux-x86-64.so.2";

  if (!g_file_test (loader, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no x86-64 dynamic loader here");
      return;
    }
  command = g_strdup_printf ("sh -c '%s /usr/bin/xwd -root -silent > /dev/null'", loader);
  check_capture ("xwd through the dynamic loader", command, "/usr/bin/xwd");
}

/* Cases: windows above every other (issue 13, item 2) */

static void
check_top_cover (const char *case_name,
                 const char *mode,
                 const char *expected_in_detail,
                 gboolean    expect_end)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) lines = NULL;
  const char * const args[] = { mode, NULL };
  GSubprocess *intruder;
  Kiosk *kiosk;
  Seen seen;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  intruder = spawn_intruder_lines (args, 1, &lines);
  seen = watch_violation (kiosk, &from, "window_obscured", 3000, expect_end ? 3000 : 0);

  expected = g_strdup_printf ("window_obscured naming %s%s", expected_in_detail,
                              expect_end ? ", taken away" : "");
  observed = g_strdup_printf ("%s: %s%s", lines[0],
                              seen.started ? member (seen.started, "detail") : "not detected",
                              seen.ended ? ", ended" : "");
  check_row (case_name, expected, observed,
             seen.started != NULL && strstr (member (seen.started, "detail"), expected_in_detail) &&
             (!expect_end || seen.ended != NULL));
  stop_process (intruder);
  kiosk_stop (kiosk);
}

static void
test_composite_overlay (void)
{
  /* It stays while its holder lives: detected, not undone. */
  check_top_cover ("composite overlay window painted", "overlay", "composite overlay", FALSE);
}

static void
test_screen_saver_window (void)
{
  check_top_cover ("MIT screen saver window switched on", "screensaver", "screen saver", TRUE);
  /* openbox manages no new window after the screen saver's came and went. */
  fresh_window_manager ();
}

static void
test_brief_covers (void)
{
  KioskOptions options = { .grace_ms = 1500 };
  g_autofree char *observed = NULL;
  g_auto(GStrv) lines = NULL;
  const char * const args[] = { "flash", "5", NULL };
  GSubprocess *intruder;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;
  guint brief;

  kiosk = kiosk_start_watching (&options, &from);
  intruder = spawn_intruder_lines (args, 1, &lines);
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "window_obscured", 2000);
  brief = kiosk_count (kiosk, 0, "violation", "type", "window_obscured");

  observed = g_strdup_printf ("%u covers seen; %s", brief,
                              started ? member (started, "detail") : "none counted");
  check_row ("window flashed 0.3 s five times (grace 1.5 s)",
             "window_obscured counted for the recurrence", observed,
             started != NULL && strstr (member (started, "detail"), "brief covers") != NULL);
  stop_process (intruder);
  kiosk_stop (kiosk);
}

/* Cases: input (issue 13, item 5) */

static void
test_pointer_grab (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_auto(GStrv) lines = NULL;
  const char * const args[] = { "grab-pointer", NULL };
  GSubprocess *intruder;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;

  g_free (run ("xdotool mousemove 400 300"));
  kiosk = kiosk_start_watching (&options, &from);
  intruder = spawn_intruder_lines (args, 1, &lines);
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "pointer_grabbed", 2000);

  observed = g_strdup_printf ("%s; %s", lines[0],
                              started ? "pointer_grabbed violation" : "not detected");
  check_row ("another client grabs the pointer", "pointer_grabbed violation", observed,
             g_str_equal (lines[0], "grabbed") && started != NULL);
  stop_process (intruder);
  kiosk_stop (kiosk);
  fresh_window_manager ();
}

static void
test_second_master_keyboard (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *xinput = g_find_program_in_path ("xinput");
  g_auto(GStrv) lines = NULL;
  const char * const args[] = { "grab-all", NULL };
  GSubprocess *intruder;
  JsonObject *started;
  JsonObject *lost = NULL;
  Kiosk *kiosk;
  guint from;

  if (xinput == NULL)
    {
      g_test_skip ("xinput is not installed");
      return;
    }

  kiosk = kiosk_start_watching (&options, &from);
  /* A second master keyboard (MPX): its keys would follow a focus of their own. */
  g_free (run ("xinput create-master ek-second"));
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "keyboard_added", 3000);
  sleep_ms (200);
  intruder = spawn_intruder_lines (args, 1, &lines);
  /* Under a window manager the kiosk's grabs can lapse for a moment while the manager
   * reacts to the new devices; a client that gets in then holds a keyboard, and the
   * kiosk must say so. */
  if (strstr (lines[0], ":grabbed") != NULL)
    lost = kiosk_wait (kiosk, NULL, "violation_started", "type", "keyboard_lock_lost", 2000);
  g_free (run ("xinput remove-master \"ek-second pointer\""));

  observed = g_strdup_printf ("%s; another client's grabs: %s%s",
                              started ? member (started, "detail") : "not detected", lines[0],
                              lost ? "; keyboard_lock_lost violation" : "");
  check_row ("xinput create-master (a second master keyboard)",
             "keyboard_added violation; every master keyboard held by the kiosk (or the "
             "lapse detected)", observed,
             started != NULL && (lost != NULL ||
                                 (strstr (lines[0], "ek-second keyboard:held-elsewhere") != NULL &&
                                  strstr (lines[0], ":grabbed") == NULL)));
  stop_process (intruder);
  kiosk_stop (kiosk);

  fresh_window_manager ();
}

/* Cases: the kiosk shrunk, moved, windowed or on another desktop (issue 13, item 3) */

/* Whether the kiosk covers the whole screen (and, under a window manager, is fullscreen
 * and on the desktop that is shown). */
static gboolean
kiosk_covers_screen (Kiosk  *kiosk,
                     char  **how)
{
  g_autofree char *screen = run ("xdotool getdisplaygeometry");
  g_autofree char *command = g_strdup_printf ("xdotool getwindowgeometry --shell %s", kiosk->window);
  g_autofree char *geometry = run (command);
  g_auto(GStrv) size = g_strsplit (screen, " ", 2);
  g_autofree char *want_width = g_strdup_printf ("WIDTH=%s\n", size[0]);
  g_autofree char *want_height = g_strdup_printf ("HEIGHT=%s\n", size[1]);
  g_autofree char *flat = NULL;
  gboolean covers;

  covers = kiosk_viewable (kiosk) && strstr (geometry, "X=0\n") != NULL &&
           strstr (geometry, "Y=0\n") != NULL && strstr (geometry, want_width) != NULL &&
           strstr (geometry, want_height) != NULL;
  if (g_str_equal (wm, "openbox"))
    {
      g_autofree char *state_command = g_strdup_printf ("xprop -id %s _NET_WM_STATE", kiosk->window);
      g_autofree char *state = run (state_command);
      g_autofree char *desktop = run ("xprop -root _NET_CURRENT_DESKTOP");

      covers = covers && strstr (state, "_NET_WM_STATE_FULLSCREEN") != NULL &&
               g_str_has_suffix (desktop, "= 0");
      if (!covers)
        {
          g_autofree char *more = g_strdup_printf ("%s %s %s", geometry, state, desktop);

          g_free (geometry);
          geometry = g_steal_pointer (&more);
        }
    }
  flat = g_strdelimit (g_strdup (geometry), "\n", ' ');
  *how = g_strdup_printf ("%s (%s)", covers ? "covers the screen" : "NOT covering the screen",
                          flat);
  return covers;
}

/* @command_format: WINDOW stands for the kiosk's window */
static void
check_geometry (const char *case_name,
                const char *command_format,
                gboolean    needs_wm)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *command = NULL;
  g_autofree char *how = NULL;
  JsonObject *started;
  JsonObject *ended = NULL;
  gboolean covers;
  Kiosk *kiosk;
  guint from;

  if (needs_wm && !g_str_equal (wm, "openbox"))
    {
      g_test_skip ("needs a window manager");
      return;
    }

  kiosk = kiosk_start_watching (&options, &from);
  {
    g_autoptr(GString) line = g_string_new (command_format);

    g_string_replace (line, "WINDOW", kiosk->window, 0);
    command = g_string_free (g_steal_pointer (&line), FALSE);
  }
  g_free (run (command));
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "geometry_changed", 2000);
  if (started != NULL)
    ended = kiosk_wait (kiosk, &from, "violation", "type", "geometry_changed", 3000);
  sleep_ms (300);
  covers = kiosk_covers_screen (kiosk, &how);

  observed = g_strdup_printf ("%s%s%s; %s",
                              started ? "geometry_changed: " : "no change (refused)",
                              started ? member (started, "detail") : "",
                              ended ? ", restored" : started ? ", NOT restored" : "", how);
  /* A window manager may refuse the request for a fullscreen window: nothing to detect,
   * the better outcome. Without one every request is carried out, and must be seen. */
  check_row (case_name, "geometry_changed detected and restored at once (or refused)", observed,
             covers && (started == NULL || ended != NULL) &&
             (started != NULL || g_str_equal (wm, "openbox")));
  kiosk_stop (kiosk);
}

static void
test_window_size (void)
{
  check_geometry ("xdotool windowsize 400 300", "xdotool windowsize WINDOW 400 300", FALSE);
}

static void
test_window_move (void)
{
  check_geometry ("xdotool windowmove 200 150", "xdotool windowmove WINDOW 200 150", FALSE);
}

static void
test_leave_fullscreen (void)
{
  check_geometry ("wmctrl -b remove,fullscreen", "wmctrl -i -r WINDOW -b remove,fullscreen", TRUE);
}

static void
test_switch_desktop (void)
{
  check_geometry ("wmctrl -s 1 (another desktop)", "wmctrl -s 1", TRUE);
}

/* Cases: text into an answer without typing (issue 13, item 4) */

/* Runs the intruder with @argv after its mode; returns its first @n_lines lines after
 * "ready". */
static GSubprocess *
spawn_intruder_lines (const char * const  *args,
                      guint                n_lines,
                      char              ***lines)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autofree char *ready = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, intruder_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                               &error);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  ready = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ready, "ready 0x"));

  *lines = g_new0 (char *, n_lines + 1);
  for (guint i = 0; i < n_lines; i++)
    {
      (*lines)[i] = g_data_input_stream_read_line (input, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull ((*lines)[i]);
    }
  return process;
}

static void
test_drop (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *answer = NULL;
  GSubprocess *intruder;
  Kiosk *kiosk;
  guint from;
  guint injected = 0;

  kiosk = kiosk_start_watching (&options, &from);
  /* Where the answer field is now that the window covers the screen (the last place
   * the kiosk reported). */
  kiosk_read (kiosk);
  for (guint i = 0; i < kiosk->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (kiosk->events, i);

      if (g_strcmp0 (member (event, "event"), "answer_at") == 0)
        answer = event;
    }
  g_assert_nonnull (answer);
  x = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (answer, "x"));
  y = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (answer, "y"));

  /* A forger: it drops on the answer field whether the window takes drops or not. */
  {
    const char * const args[] = { "xdnd", kiosk->window, x, y, NULL };

    intruder = spawn_intruder_lines (args, 3, &lines);
  }
  sleep_ms (500);
  kiosk_read (kiosk);
  for (guint i = 0; i < kiosk->events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (kiosk->events, i);

      if (g_strcmp0 (member (event, "event"), "text") == 0 &&
          strstr (member (event, "text"), "INJECTED") != NULL)
        injected++;
    }

  observed = g_strdup_printf ("%s; %s; %s; %s", lines[0], lines[1], lines[2],
                              injected ? "text landed in the answer" : "answer unchanged");
  check_row ("XDND drop from another client",
             "blocked: aware no; text never requested; answer unchanged", observed,
             g_str_equal (lines[0], "aware no") && g_str_equal (lines[2], "requested no") &&
             injected == 0);
  stop_process (intruder);
  kiosk_stop (kiosk);
}

static void
test_selections (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *typed;
  GSubprocess *intruder;
  Kiosk *kiosk;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  /* The candidate writes in the answer, selects it (PRIMARY) and copies it (CLIPBOARD). */
  g_free (run ("xdotool type --delay 20 'secret answer'"));
  typed = kiosk_wait (kiosk, &from, "text", "text", "secret answer", 3000);
  g_free (run ("xdotool key ctrl+a ctrl+c"));
  sleep_ms (300);
  {
    const char * const args[] = { "read-selections", NULL };

    intruder = spawn_intruder_lines (args, 2, &lines);
  }

  observed = g_strdup_printf ("%s; read by another program: %s, %s",
                              typed ? "answer typed, selected and copied" : "typing did not arrive",
                              lines[0], lines[1]);
  check_row ("another program reads PRIMARY and CLIPBOARD",
             "blocked: both empty (PRIMARY -, CLIPBOARD -)", observed,
             typed != NULL && g_str_equal (lines[0], "PRIMARY -") &&
             g_str_equal (lines[1], "CLIPBOARD -"));
  stop_process (intruder);
  kiosk_stop (kiosk);
}

/* Cases: the kiosk's own process (issue 13, item 6) */

static char *preload_path;

static void
test_ld_preload_hidden (void)
{
  KioskOptions options = { .grace_ms = 300, .ld_preload = preload_path };

  check_refused ("LD_PRELOAD that unsets itself", "injection", &options);
}

static gint64
kiosk_pid (Kiosk *kiosk)
{
  return g_ascii_strtoll (g_subprocess_get_identifier (kiosk->process), NULL, 10);
}

static void
test_debugger_attached (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *strace = g_find_program_in_path ("strace");
  g_autofree char *observed = NULL;
  g_autofree char *pid = NULL;
  g_autoptr(GSubprocess) tracer = NULL;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;

  if (strace == NULL)
    {
      g_test_skip ("strace is not installed");
      return;
    }

  kiosk = kiosk_start_watching (&options, &from);
  pid = g_strdup_printf ("%" G_GINT64_FORMAT, kiosk_pid (kiosk));
  tracer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL, "timeout", "3", strace,
                             "-p", pid, "-o", "/dev/null", NULL);
  g_assert_nonnull (tracer);
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "debugger", 3000);
  g_subprocess_wait (tracer, NULL, NULL);

  observed = g_strdup_printf ("%s", started ? member (started, "detail") : "not detected");
  check_row ("strace -p attached after engage", "debugger violation naming the tracer",
             observed, started != NULL && strstr (member (started, "detail"), "strace") != NULL);
  kiosk_stop (kiosk);
}

static void
test_code_injected (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *gdb = g_find_program_in_path ("gdb");
  g_autofree char *library = g_build_filename (tmp_dir, "other", "libnotes.so", NULL);
  g_autofree char *command = NULL;
  g_autofree char *observed = NULL;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;

  if (gdb == NULL)
    {
      g_test_skip ("gdb is not installed");
      return;
    }

  {
    g_autoptr(GFile) source = g_file_new_for_path (preload_path);
    g_autoptr(GFile) target = g_file_new_for_path (library);

    g_assert_true (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  }
  kiosk = kiosk_start_watching (&options, &from);
  command = g_strdup_printf ("gdb -p %" G_GINT64_FORMAT " -batch -nx -ex "
                             "'call ((void*(*)(const char*,int))dlopen)(\"%s\", 2)'",
                             kiosk_pid (kiosk), library);
  g_free (run (command));
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "injection", 3000);

  observed = g_strdup_printf ("%s", started ? member (started, "detail") : "not detected");
  check_row ("gdb: dlopen() a library into the kiosk", "injection violation naming the library",
             observed, started != NULL && strstr (member (started, "detail"), "libnotes.so") != NULL);
  kiosk_stop (kiosk);
}

static void
test_process_stopped (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *command = NULL;
  g_autofree char *observed = NULL;
  JsonObject *started;
  Kiosk *kiosk;
  guint from;

  kiosk = kiosk_start_watching (&options, &from);
  command = g_strdup_printf ("sh -c 'kill -STOP %" G_GINT64_FORMAT "; sleep 3; kill -CONT %"
                             G_GINT64_FORMAT "'", kiosk_pid (kiosk), kiosk_pid (kiosk));
  g_free (run (command));
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "process_stopped", 3000);

  observed = g_strdup_printf ("%s", started ? member (started, "detail") : "not detected");
  check_row ("kill -STOP for 3 s", "process_stopped violation with the time it did not run",
             observed, started != NULL);
  kiosk_stop (kiosk);
}

/* Cases: escalation */

static void
test_escalation (void)
{
  KioskOptions options = {
    .grace_ms = 300,
    .escalation = "{\"default\": {\"warn_at\": 0, \"lock_at\": 0, \"submit_at\": 0},"
                  " \"focus_lost\": {\"warn_at\": 1, \"lock_at\": 2, \"submit_at\": 3}}",
  };
  static const char * const steps[] = { "warning", "locked", "submit" };
  g_autofree char *window = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GString) observed = g_string_new (NULL);
  GSubprocess *other;
  Kiosk *kiosk;
  gboolean ok = TRUE;
  guint from;

  other = spawn_intruder ("map", &window);
  kiosk = kiosk_start_watching (&options, &from);
  command = g_strdup_printf ("xdotool windowfocus %s", window);

  for (guint i = 0; i < G_N_ELEMENTS (steps) && ok; i++)
    {
      JsonObject *escalated;
      JsonObject *ended;

      g_free (run (command));
      escalated = kiosk_wait (kiosk, &from, "escalated", "step", steps[i], 3000);
      /* Focus is taken back after the grace time; the next loss is a new one. */
      ended = kiosk_wait (kiosk, &from, "violation", "type", "focus_lost", 3000);
      ok = escalated != NULL && ended != NULL &&
           json_object_get_int_member (ended, "count") == (gint64) i + 1;
      g_string_append_printf (observed, "%s%u:%s", i ? ", " : "", i + 1,
                              escalated ? steps[i] : "nothing");
      if (i == 1)
        {
          JsonObject *blocked = kiosk_wait (kiosk, NULL, "blocked", NULL, NULL, 1000);

          ok = ok && blocked != NULL;
          g_string_append (observed, blocked ? " (screen blocked)" : " (not blocked)");
        }
    }

  if (ok)
    {
      ok = kiosk_wait (kiosk, NULL, "submit_requested", NULL, NULL, 1000) != NULL;
      g_string_append (observed, ok ? ", submission requested" : ", no submission");
    }

  check_row ("3 focus losses (warn 1, lock 2, submit 3)",
             "1:warning, 2:locked (screen blocked), 3:submit, submission requested",
             observed->str, ok);
  kiosk_stop (kiosk);
  stop_process (other);
}

static void
test_grace (void)
{
  KioskOptions options = { .grace_ms = 1500 };
  g_autofree char *window = NULL;
  g_autofree char *command = NULL;
  g_autofree char *observed = NULL;
  GSubprocess *other;
  Kiosk *kiosk;
  JsonObject *ended;
  guint from;
  guint counted;

  other = spawn_intruder ("map", &window);
  kiosk = kiosk_start_watching (&options, &from);

  /* Like an input-method popup: focus goes away and comes back within the grace time. */
  command = g_strdup_printf ("sh -c 'xdotool windowfocus %s; sleep 0.3; xdotool windowfocus %s'",
                             window, kiosk->window);
  g_free (run (command));
  ended = kiosk_wait (kiosk, &from, "violation", "type", "focus_lost", 3000);
  sleep_ms (300);
  counted = kiosk_count (kiosk, 0, "violation_started", NULL, NULL);

  observed = g_strdup_printf ("%s; %u counted",
                              ended == NULL ? "not seen"
                              : json_object_get_boolean_member (ended, "counted") ? "counted"
                              : "logged, not counted", counted);
  check_row ("focus lost 0.3 s (grace 1.5 s)", "logged, not counted", observed,
             ended != NULL && !json_object_get_boolean_member (ended, "counted") && counted == 0);
  kiosk_stop (kiosk);
  stop_process (other);
}

/* Cases: monitors (Xorg with the dummy driver: Xvfb shows GTK one monitor only) */

static EkTestXorg *xorg;

static void
set_second_output (const char *how)
{
  ek_test_xorg_set_second_output (xorg, how);
}

static void
test_monitor_added (void)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  Kiosk *kiosk;
  JsonObject *started;
  JsonObject *blocked = NULL;
  JsonObject *ended = NULL;
  JsonObject *unblocked = NULL;
  guint from;

  set_second_output (NULL);
  kiosk = kiosk_start_watching (&options, &from);

  set_second_output ("--right-of DUMMY0");
  started = kiosk_wait (kiosk, &from, "violation_started", "type", "monitor_added", 3000);
  blocked = kiosk_wait (kiosk, NULL, "blocked", "reason", "DUMMY1", 1000);
  set_second_output (NULL);
  ended = kiosk_wait (kiosk, &from, "violation", "type", "monitor_added", 3000);
  unblocked = kiosk_wait (kiosk, NULL, "unblocked", NULL, NULL, 1000);

  observed = g_strdup_printf ("%s, %s; after removal: %s, %s",
                              started ? "monitor_added counted" : "not detected",
                              blocked ? "exam covered (names DUMMY1)" : "not covered",
                              ended ? "violation ended" : "violation still open",
                              unblocked ? "exam uncovered" : "still covered");
  check_row ("second monitor switched on mid-exam",
             "monitor_added, exam covered naming it; uncovered when removed", observed,
             started && blocked && ended && unblocked);
  kiosk_stop (kiosk);
}

static void
check_monitors_refused (const char *case_name,
                        const char *how)
{
  KioskOptions options = { .grace_ms = 300 };
  g_autofree char *observed = NULL;
  Kiosk *kiosk;
  JsonObject *failed;

  set_second_output (how);
  failed = kiosk_start_refused (&options, &kiosk);
  set_second_output (NULL);

  observed = g_strdup (failed ? member (failed, "reason") : "the exam started");
  check_row (case_name, "exam does not start, names the displays", observed,
             failed != NULL && json_object_get_int_member (failed, "code") == 1 /* MONITORS */ &&
             strstr (observed, "DUMMY1") != NULL);
  kiosk_stop (kiosk);
}

static void
test_two_monitors_before (void)
{
  check_monitors_refused ("two monitors before the exam", "--right-of DUMMY0");
}

static void
test_mirrored_monitors (void)
{
  check_monitors_refused ("mirrored monitors before the exam", "--same-as DUMMY0");
}

/* Cases: a keyboard that is not XTEST (Xorg's inputtest driver), as in a real exam with
 * the injected-input filter on */

#define KEY_ALT_L  64
#define KEY_TAB    23
#define KEY_A      38
#define KEY_B      56

static gboolean
need_real_keyboard (void)
{
  if (ek_test_xorg_has_keyboard (xorg))
    return TRUE;
  g_test_skip ("Xorg has no inputtest keyboard here");
  return FALSE;
}

static void
test_real_alt_tab (void)
{
  KioskOptions options = { .grace_ms = 300, .xtest_filter = TRUE };
  const int keys[] = { KEY_ALT_L, KEY_TAB, 0 };
  g_autofree char *observed = NULL;
  GSubprocess *other;
  JsonObject *shortcut;
  Kiosk *kiosk;
  guint from;
  guint violations;

  if (!need_real_keyboard ())
    return;

  other = spawn_intruder ("map", NULL);
  kiosk = kiosk_start_watching (&options, &from);
  ek_test_xorg_send_keys (xorg, keys);
  shortcut = kiosk_wait (kiosk, &from, "shortcut", "name", "Alt+Tab", 3000);
  sleep_ms (800);
  violations = kiosk_count (kiosk, 0, "violation_started", NULL, NULL);

  observed = g_strdup_printf ("%s; %u violations; %s",
                              shortcut ? "reached only the kiosk (logged)" : "not seen by the kiosk",
                              violations, kiosk_viewable (kiosk) ? "kiosk on screen" : "kiosk gone");
  check_row ("real keyboard Alt+Tab (XTEST filter on)",
             "reaches only the kiosk, logged; no violation", observed,
             shortcut != NULL && violations == 0 && kiosk_viewable (kiosk));
  kiosk_stop (kiosk);
  stop_process (other);
}

static void
test_real_typing (void)
{
  KioskOptions options = { .grace_ms = 300, .xtest_filter = TRUE };
  const int key_a[] = { KEY_A, 0 };
  const int key_b[] = { KEY_B, 0 };
  g_autofree char *observed = NULL;
  JsonObject *typed;
  Kiosk *kiosk;
  guint from;

  if (!need_real_keyboard ())
    return;

  kiosk = kiosk_start_watching (&options, &from);
  ek_test_xorg_send_keys (xorg, key_a);
  ek_test_xorg_send_keys (xorg, key_b);
  typed = kiosk_wait (kiosk, &from, "text", "text", "ab", 2000);

  observed = g_strdup_printf ("%s; %u synthetic_input violations",
                              typed ? "typed into the answer" : "the keys did not arrive",
                              kiosk_count (kiosk, 0, "violation_started", "type", "synthetic_input"));
  check_row ("real keyboard typing (XTEST filter on)", "reaches the answer; no violation",
             observed, typed != NULL &&
             kiosk_count (kiosk, 0, "violation_started", "type", "synthetic_input") == 0);
  kiosk_stop (kiosk);
}

static void
test_real_second_master (void)
{
  KioskOptions options = { .grace_ms = 300, .xtest_filter = TRUE };
  const int key_a[] = { KEY_A, 0 };
  const int key_b[] = { KEY_B, 0 };
  g_autofree char *observed = NULL;
  g_autofree char *xinput = g_find_program_in_path ("xinput");
  JsonObject *added;
  JsonObject *typed;
  Kiosk *kiosk;
  guint from;

  if (!need_real_keyboard ())
    return;
  if (xinput == NULL)
    {
      g_test_skip ("xinput is not installed");
      return;
    }

  kiosk = kiosk_start_watching (&options, &from);
  ek_test_xorg_send_keys (xorg, key_a);
  /* The real keyboard moves to a master of its own, whose focus no grab of GDK's
   * covers: its keys must still reach only the kiosk. */
  g_free (run ("xinput create-master ek-second"));
  g_free (run ("xinput reattach ek-keyboard \"ek-second keyboard\""));
  added = kiosk_wait (kiosk, &from, "violation_started", "type", "keyboard_added", 3000);
  sleep_ms (300);
  ek_test_xorg_send_keys (xorg, key_b);
  typed = kiosk_wait (kiosk, NULL, "text", "text", "ab", 2000);
  g_free (run ("xinput reattach ek-keyboard \"Virtual core keyboard\""));
  g_free (run ("xinput remove-master \"ek-second pointer\""));

  observed = g_strdup_printf ("%s; %s", added ? member (added, "detail") : "not detected",
                              typed ? "its keys reached only the kiosk" : "its keys went elsewhere");
  check_row ("real keyboard on a second master (MPX)",
             "keyboard_added; the keys reach only the kiosk", observed,
             added != NULL && typed != NULL);
  kiosk_stop (kiosk);
}

/* Setup */

static void
start_window_manager (void)
{
  g_autoptr(GError) error = NULL;

  /* A window manager that was killed leaves its check window's id on the root window:
   * without this, the wait below would not wait for the new one. */
  g_free (run ("xprop -root -remove _NET_SUPPORTING_WM_CHECK"));
  wm_process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                 &error, "openbox", "--sm-disable", NULL);
  g_assert_no_error (error);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *check = run ("sh -c 'xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null'");

      if (strstr (check, "window id") != NULL)
        return;
      sleep_ms (50);
    }

  g_error ("openbox did not start");
}

static void
print_table (void)
{
  int width_name = 4, width_expected = 8;

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      width_name = MAX (width_name, (int) g_utf8_strlen (row->name, -1));
      width_expected = MAX (width_expected, (int) g_utf8_strlen (row->expected, -1));
    }

  printf ("# %-*s | %-*s | %s\n", width_name, "case", width_expected, "expected", "observed");
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);

      printf ("# %-*s | %-*s | %s%s\n", width_name, row->name, width_expected, row->expected,
              row->ok ? "" : "FAIL: ", row->observed);
    }
  fflush (stdout);
}

int
main (int   argc,
      char *argv[])
{
  const char *builddir = g_getenv ("EK_TEST_BUILDDIR");
  g_autofree char *vendor = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *other_dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  wm = g_getenv ("EK_LOCKDOWN_WM");
  if (wm == NULL || *wm == '\0')
    wm = "none";

  if (builddir == NULL || g_getenv ("DISPLAY") == NULL)
    {
      g_test_skip ("needs EK_TEST_BUILDDIR and a display (run through meson test)");
      return 77;
    }

  kiosk_path = g_build_filename (builddir, "..", "exam-kiosk", NULL);
  intruder_path = g_build_filename (builddir, "ek-lockdown-intruder", NULL);
  standin_path = g_build_filename (builddir, "ek-lockdown-standin", NULL);
  preload_path = g_build_filename (builddir, "libek-lockdown-preload.so", NULL);
  tmp_dir = g_dir_make_tmp ("ek-lockdown-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  /* A clean computer: no hypervisor (the machine running the tests may well be one),
   * no cameras, sound cards or storage. */
  clean_dmi = g_build_filename (tmp_dir, "dmi", NULL);
  vendor = g_build_filename (clean_dmi, "sys_vendor", NULL);
  make_file (vendor, "Example Computers Inc.\n");
  clean_cpuinfo = g_build_filename (tmp_dir, "cpuinfo", NULL);
  make_file (clean_cpuinfo, "processor\t: 0\nflags\t\t: fpu vme sse2\n");
  clean_sys = g_build_filename (tmp_dir, "sys", NULL);
  g_mkdir_with_parents (clean_sys, 0700);

  /* Where "installed" forbidden programs are: x11vnc here is the stand-in. */
  search_dir = g_build_filename (tmp_dir, "bin", NULL);
  g_mkdir_with_parents (search_dir, 0700);
  signature = g_build_filename (search_dir, "x11vnc", NULL);
  {
    g_autoptr(GFile) source = g_file_new_for_path (standin_path);
    g_autoptr(GFile) target = g_file_new_for_path (signature);

    g_assert_true (g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  }
  other_dir = g_build_filename (tmp_dir, "other", NULL);
  g_mkdir_with_parents (other_dir, 0700);
  assistive_dir = g_build_filename (tmp_dir, "usr-bin", NULL);
  g_mkdir_with_parents (assistive_dir, 0755);

  rows = g_ptr_array_new ();

  if (g_str_equal (wm, "xorg-dummy"))
    {
      xorg = ek_test_xorg_start (tmp_dir);
      if (xorg == NULL)
        {
          printf ("1..0 # SKIP Xorg with the dummy driver cannot start here\n");
          return 0;
        }

      g_setenv ("DISPLAY", ek_test_xorg_get_display (xorg), TRUE);
      g_test_add_func ("/lockdown/monitors/added-mid-exam", test_monitor_added);
      g_test_add_func ("/lockdown/monitors/two-before", test_two_monitors_before);
      g_test_add_func ("/lockdown/monitors/mirrored", test_mirrored_monitors);
      /* On a real X server too, and with a keyboard that is not XTEST (issue 13). */
      g_test_add_func ("/lockdown/key/real-alt-tab", test_real_alt_tab);
      g_test_add_func ("/lockdown/key/real-typing", test_real_typing);
      g_test_add_func ("/lockdown/key/real-second-master", test_real_second_master);
      g_test_add_func ("/lockdown/key/second-master", test_second_master_keyboard);
      g_test_add_func ("/lockdown/capture/xwd", test_capture_xwd);
      g_test_add_func ("/lockdown/cover/screen-saver", test_screen_saver_window);
      g_test_add_func ("/lockdown/text/drop", test_drop);
      g_test_add_func ("/lockdown/geometry/size", test_window_size);
      g_test_add_func ("/lockdown/self/stopped", test_process_stopped);
      status = g_test_run ();
      print_table ();
      g_clear_pointer (&xorg, ek_test_xorg_stop);
      {
        g_autofree char *command = g_strdup_printf ("rm -rf %s", tmp_dir);

        g_free (run (command));
      }
      return status;
    }

  if (g_str_equal (wm, "openbox"))
    start_window_manager ();

  g_test_add_func ("/lockdown/key/alt-tab", test_alt_tab);
  g_test_add_func ("/lockdown/key/super", test_super);
  g_test_add_func ("/lockdown/key/alt-f4", test_alt_f4);
  g_test_add_func ("/lockdown/key/ctrl-alt-right", test_ctrl_alt_right);
  g_test_add_func ("/lockdown/key/print", test_print);
  g_test_add_func ("/lockdown/key/synthetic-input", test_synthetic_input);
  g_test_add_func ("/lockdown/key/held-elsewhere", test_keyboard_held_elsewhere);
  g_test_add_func ("/lockdown/window/activate", test_activate_other_window);
  g_test_add_func ("/lockdown/window/wmctrl-activate", test_wmctrl_activate);
  g_test_add_func ("/lockdown/window/map-over", test_map_over);
  g_test_add_func ("/lockdown/window/minimize", test_minimize);
  g_test_add_func ("/lockdown/window/unmap", test_unmap);
  g_test_add_func ("/lockdown/window/close", test_close_request);
  g_test_add_func ("/lockdown/pointer/left", test_pointer_left);
  g_test_add_func ("/lockdown/devices/usb-storage", test_usb_storage);
  g_test_add_func ("/lockdown/devices/network-change", test_network_change);
  g_test_add_func ("/lockdown/process/screenshot-tool", test_screenshot_tool);
  g_test_add_func ("/lockdown/process/vnc-server", test_vnc_server);
  g_test_add_func ("/lockdown/process/renamed-copy", test_renamed_copy);
  g_test_add_func ("/lockdown/assistive/allowed", test_assistive_allowed);
  g_test_add_func ("/lockdown/assistive/not-allowed", test_assistive_not_allowed);
  g_test_add_func ("/lockdown/assistive/impostor", test_assistive_impostor);
  g_test_add_func ("/lockdown/capture/xwd", test_capture_xwd);
  g_test_add_func ("/lockdown/capture/import", test_capture_import);
  g_test_add_func ("/lockdown/capture/gstreamer", test_capture_gstreamer);
  g_test_add_func ("/lockdown/capture/renamed", test_capture_renamed);
  g_test_add_func ("/lockdown/capture/loader", test_capture_loader);
  g_test_add_func ("/lockdown/cover/composite-overlay", test_composite_overlay);
  g_test_add_func ("/lockdown/cover/screen-saver", test_screen_saver_window);
  g_test_add_func ("/lockdown/cover/brief-recurring", test_brief_covers);
  g_test_add_func ("/lockdown/pointer/grabbed", test_pointer_grab);
  g_test_add_func ("/lockdown/key/second-master", test_second_master_keyboard);
  g_test_add_func ("/lockdown/geometry/size", test_window_size);
  g_test_add_func ("/lockdown/geometry/move", test_window_move);
  g_test_add_func ("/lockdown/geometry/leave-fullscreen", test_leave_fullscreen);
  g_test_add_func ("/lockdown/geometry/desktop", test_switch_desktop);
  g_test_add_func ("/lockdown/text/drop", test_drop);
  g_test_add_func ("/lockdown/text/selections", test_selections);
  g_test_add_func ("/lockdown/environment/ld-preload", test_ld_preload);
  g_test_add_func ("/lockdown/self/ld-preload-hidden", test_ld_preload_hidden);
  g_test_add_func ("/lockdown/self/debugger", test_debugger_attached);
  g_test_add_func ("/lockdown/self/injection", test_code_injected);
  g_test_add_func ("/lockdown/self/stopped", test_process_stopped);
  g_test_add_func ("/lockdown/environment/hypervisor-dmi", test_hypervisor_dmi);
  g_test_add_func ("/lockdown/environment/hypervisor-cpuinfo", test_hypervisor_cpuinfo);
  g_test_add_func ("/lockdown/escalation/steps", test_escalation);
  g_test_add_func ("/lockdown/escalation/grace", test_grace);
  /* Last: it changes the keymap of the display. */
  g_test_add_func ("/lockdown/key/grab-breaking-keymap", test_grab_breaking_keymap);

  status = g_test_run ();
  print_table ();

  if (wm_process != NULL)
    stop_process (wm_process);

  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", tmp_dir);

    g_free (run (command));
  }

  return status;
}
