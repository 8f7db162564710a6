/* test-lockdown-policy.c: lockdown policy parsing, violation counting and escalation, the
 * quit password (PBKDF2-HMAC-SHA256 and its rate limit), and the exam's lockdown rules */

#include "config.h"

#include "ek-exam.h"
#include "ek-json.h"
#include "ek-lockdown-policy.h"
#include "ek-quit-password.h"
#include "ek-violation-tracker.h"

static EkLockdownPolicy *
policy_from (const char  *json,
             gboolean     formal,
             GError     **error)
{
  g_autoptr(JsonObject) object = ek_json_parse_object (json, strlen (json), NULL);

  g_assert_nonnull (object);
  return ek_lockdown_policy_new_from_json (object, formal, error);
}

static void
test_policy_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkLockdownPolicy) policy = policy_from ("{\"relaxed\": false}", TRUE, &error);
  g_autoptr(EkFinding) bluetooth = ek_finding_new (EK_FINDING_BLUETOOTH, EK_SEVERITY_WARN, "hci0", "");
  const EkEscalationThresholds *focus;

  g_assert_no_error (error);
  g_assert_false (ek_lockdown_policy_get_relaxed (policy));
  g_assert_cmpint (ek_lockdown_policy_get_grace_ms (policy), ==, 2000);
  g_assert_cmpuint (ek_lockdown_policy_get_process_scan_interval_ms (policy), ==, 5000);
  g_assert_cmpint (ek_lockdown_policy_get_severity (policy, bluetooth), ==, EK_SEVERITY_WARN);
  focus = ek_lockdown_policy_get_thresholds (policy, EK_VIOLATION_FOCUS_LOST);
  g_assert_cmpuint (focus->warn_at, ==, 1);
  g_assert_cmpuint (focus->lock_at, ==, 3);
  g_assert_cmpuint (focus->submit_at, ==, 5);
  g_assert_true (ek_lockdown_policy_has_grace (policy, EK_VIOLATION_FOCUS_LOST));
  g_assert_false (ek_lockdown_policy_has_grace (policy, EK_VIOLATION_BLOCKED_PROCESS));
  g_assert_finalize_object (g_steal_pointer (&policy));
}

static void
test_policy_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkFinding) display = ek_finding_new (EK_FINDING_VIRTUAL_DISPLAY, EK_SEVERITY_BLOCK, "Xvfb", "");
  const EkEscalationThresholds *t;

  policy = policy_from ("{\"relaxed\": false, \"blocked_processes\": [\"zoomx\"],"
                        " \"findings\": {\"virtual_display\": \"allow\"}, \"grace_ms\": 500,"
                        " \"process_scan_interval_ms\": 1000,"
                        " \"escalation\": {\"default\": {\"warn_at\": 2, \"lock_at\": 4, \"submit_at\": 6},"
                        "   \"voice\": {\"warn_at\": 1, \"lock_at\": 0, \"submit_at\": 0,"
                        "   \"submit_after_total_ms\": 60000}}}", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_lockdown_policy_get_blocked_processes (policy)[0], ==, "zoomx");
  g_assert_cmpint (ek_lockdown_policy_get_severity (policy, display), ==, EK_SEVERITY_ALLOW);
  g_assert_cmpint (ek_lockdown_policy_get_grace_ms (policy), ==, 500);
  t = ek_lockdown_policy_get_thresholds (policy, EK_VIOLATION_MONITOR_ADDED);
  g_assert_cmpuint (t->warn_at, ==, 2);
  g_assert_cmpuint (t->submit_at, ==, 6);
  t = ek_lockdown_policy_get_thresholds (policy, EK_VIOLATION_VOICE);
  g_assert_cmpuint (t->warn_at, ==, 1);
  g_assert_cmpint (t->submit_after_total_ms, ==, 60000);
}

/* The assistive technology an exam allows: kinds; none unless named; an unknown kind is
 * refused in a formal exam (it would allow less than asked) and ignored in practice; the
 * exam parser knows the rule too. */
static void
test_policy_assistive (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkLockdownPolicy) policy = NULL;

  policy = policy_from ("{\"relaxed\": false}", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_lockdown_policy_get_assistive (policy), ==, EK_ASSISTIVE_NONE);
  g_clear_object (&policy);

  policy = policy_from ("{\"relaxed\": false, \"assistive_technology\": [\"screen_reader\"]}",
                        TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_lockdown_policy_get_assistive (policy), ==, EK_ASSISTIVE_SCREEN_READER);
  g_clear_object (&policy);

  policy = policy_from ("{\"relaxed\": false, \"assistive_technology\":"
                        " [\"magnifier\", \"screen_reader\"]}", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_lockdown_policy_get_assistive (policy), ==,
                   EK_ASSISTIVE_SCREEN_READER | EK_ASSISTIVE_MAGNIFIER);
  g_clear_object (&policy);

  policy = policy_from ("{\"relaxed\": false, \"assistive_technology\": [\"braille\"]}",
                        TRUE, &error);
  g_assert_null (policy);
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "braille"));
  g_clear_error (&error);

  policy = policy_from ("{\"relaxed\": false, \"assistive_technology\": \"magnifier\"}",
                        TRUE, &error);
  g_assert_null (policy);
  g_assert_nonnull (error);
  g_clear_error (&error);

  policy = policy_from ("{\"relaxed\": true, \"assistive_technology\": [\"braille\", \"magnifier\"]}",
                        FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_lockdown_policy_get_assistive (policy), ==, EK_ASSISTIVE_MAGNIFIER);
}

/* Practice may run relaxed (no lockdown object, or "relaxed": true); formal and mock
 * never, by either way of asking. */
static void
test_policy_relaxed_only_practice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkLockdownPolicy) practice = ek_lockdown_policy_new_from_json (NULL, FALSE, &error);
  g_autoptr(EkLockdownPolicy) practice_asked = policy_from ("{\"relaxed\": true}", FALSE, &error);
  g_autoptr(EkLockdownPolicy) formal_missing = NULL;
  g_autoptr(EkLockdownPolicy) formal_asked = NULL;
  g_autoptr(EkLockdownPolicy) built_in = ek_lockdown_policy_new_relaxed ();

  g_assert_no_error (error);
  g_assert_true (ek_lockdown_policy_get_relaxed (practice));
  g_assert_true (ek_lockdown_policy_get_relaxed (practice_asked));
  g_assert_true (ek_lockdown_policy_get_relaxed (built_in));

  formal_missing = ek_lockdown_policy_new_from_json (NULL, TRUE, &error);
  g_assert_null (formal_missing);
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "required for a formal exam"));
  g_clear_error (&error);

  formal_asked = policy_from ("{\"relaxed\": true}", TRUE, &error);
  g_assert_null (formal_asked);
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "never run relaxed"));
}

static void
test_policy_refused (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "{\"relaxed\": true}", "never run relaxed" },
    { "{\"keyboard\": \"free\"}", "unknown rule “keyboard”" },
    { "{\"findings\": {\"telepathy\": \"allow\"}}", "unknown finding “telepathy”" },
    { "{\"findings\": {\"hypervisor\": \"maybe\"}}", "not block, warn or allow" },
    { "{\"grace_ms\": -1}", "grace_ms" },
    { "{\"process_scan_interval_ms\": 10}", "process_scan_interval_ms" },
    { "{\"escalation\": {\"daydreaming\": {}}}", "unknown violation type" },
    { "{\"escalation\": {\"focus_lost\": {\"warn_at\": 3, \"lock_at\": 1}}}", "order" },
    { "{\"escalation\": {\"focus_lost\": {\"warn_after\": 3}}}", "warn_after" },
    { "{\"blocked_processes\": [\"/usr/bin/obs\"]}", "not a program name" },
    { "{\"monitor_rule\": \"any\"}", "monitor_rule" },
    { "{\"quit_password_hash\": \"md5$x\"}", "pbkdf2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EkLockdownPolicy) policy = policy_from (cases[i].json, TRUE, &error);

      g_assert_null (policy);
      g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("%s: “%s” does not mention “%s”", cases[i].json, error->message, cases[i].message);
      g_assert_true (g_str_has_prefix (error->message, "lockdown: "));
    }

  /* Outside a formal exam an unknown rule is ignored, not fatal. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EkLockdownPolicy) policy = policy_from ("{\"keyboard\": \"free\"}", FALSE, &error);

    g_assert_no_error (error);
    g_assert_nonnull (policy);
  }
}

typedef struct
{
  GPtrArray *violations;  /* EkViolation */
  GPtrArray *started;
  GArray    *steps;
} Recorder;

static void
on_violation_cb (EkViolationTracker *tracker,
                 EkViolation        *violation,
                 Recorder           *recorder)
{
  g_ptr_array_add (recorder->violations, ek_violation_copy (violation));
}

static void
on_started_cb (EkViolationTracker *tracker,
               EkViolation        *violation,
               Recorder           *recorder)
{
  g_ptr_array_add (recorder->started, ek_violation_copy (violation));
}

static void
on_escalated_cb (EkViolationTracker *tracker,
                 const char         *type,
                 int                 step,
                 Recorder           *recorder)
{
  g_array_append_val (recorder->steps, step);
}

static void
recorder_init (Recorder           *recorder,
               EkViolationTracker *tracker)
{
  recorder->violations = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_violation_free);
  recorder->started = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_violation_free);
  recorder->steps = g_array_new (FALSE, FALSE, sizeof (int));
  g_signal_connect (tracker, "violation", G_CALLBACK (on_violation_cb), recorder);
  g_signal_connect (tracker, "violation-started", G_CALLBACK (on_started_cb), recorder);
  g_signal_connect (tracker, "escalated", G_CALLBACK (on_escalated_cb), recorder);
}

static void
recorder_clear (Recorder *recorder)
{
  g_ptr_array_unref (recorder->violations);
  g_ptr_array_unref (recorder->started);
  g_array_unref (recorder->steps);
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
test_tracker_escalation (void)
{
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkViolationTracker) tracker = NULL;
  Recorder recorder;

  policy = policy_from ("{\"grace_ms\": 0, \"escalation\": {\"blocked_process\":"
                        " {\"warn_at\": 1, \"lock_at\": 2, \"submit_at\": 3}}}", TRUE, NULL);
  tracker = ek_violation_tracker_new (policy);
  recorder_init (&recorder, tracker);

  ek_violation_tracker_record (tracker, EK_VIOLATION_BLOCKED_PROCESS, "obs (PID 1)");
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_WARNING);
  ek_violation_tracker_acknowledge_warning (tracker);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_NONE);

  ek_violation_tracker_begin (tracker, EK_VIOLATION_BLOCKED_PROCESS, "obs (PID 2)");
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_LOCKED);
  /* The candidate cannot acknowledge a lock away; the proctor releases it. */
  ek_violation_tracker_acknowledge_warning (tracker);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_LOCKED);
  ek_violation_tracker_release_lock (tracker);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_NONE);
  ek_violation_tracker_end (tracker, EK_VIOLATION_BLOCKED_PROCESS);

  ek_violation_tracker_record (tracker, EK_VIOLATION_BLOCKED_PROCESS, "obs (PID 3)");
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_SUBMIT);
  ek_violation_tracker_release_lock (tracker);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_SUBMIT);

  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, EK_VIOLATION_BLOCKED_PROCESS), ==, 3);
  g_assert_cmpuint (recorder.violations->len, ==, 3);
  g_assert_cmpuint (recorder.steps->len, ==, 3);
  g_assert_cmpint (g_array_index (recorder.steps, int, 0), ==, EK_ESCALATION_WARNING);
  g_assert_cmpint (g_array_index (recorder.steps, int, 1), ==, EK_ESCALATION_LOCKED);
  g_assert_cmpint (g_array_index (recorder.steps, int, 2), ==, EK_ESCALATION_SUBMIT);
  {
    EkViolation *second = g_ptr_array_index (recorder.violations, 1);

    g_assert_cmpstr (second->type, ==, EK_VIOLATION_BLOCKED_PROCESS);
    g_assert_cmpstr (second->detail, ==, "obs (PID 2)");
    g_assert_true (second->counted);
    g_assert_cmpuint (second->count, ==, 2);
    g_assert_cmpint (second->end_ms, >=, second->start_ms);
  }

  recorder_clear (&recorder);
  g_assert_finalize_object (g_steal_pointer (&tracker));
}

static void
test_tracker_grace (void)
{
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkViolationTracker) tracker = NULL;
  Recorder recorder;
  EkViolation *violation;

  policy = policy_from ("{\"grace_ms\": 200}", TRUE, NULL);
  tracker = ek_violation_tracker_new (policy);
  recorder_init (&recorder, tracker);

  /* Within the grace time: logged, not counted. */
  ek_violation_tracker_begin (tracker, EK_VIOLATION_FOCUS_LOST, "ime popup");
  iterate_for (50);
  ek_violation_tracker_end (tracker, EK_VIOLATION_FOCUS_LOST);
  g_assert_cmpuint (recorder.violations->len, ==, 1);
  violation = g_ptr_array_index (recorder.violations, 0);
  g_assert_false (violation->counted);
  g_assert_cmpuint (recorder.started->len, ==, 0);
  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, EK_VIOLATION_FOCUS_LOST), ==, 0);

  /* Past it: counted when the grace time runs out, with its whole duration. */
  ek_violation_tracker_begin (tracker, EK_VIOLATION_FOCUS_LOST, "other window");
  iterate_for (350);
  g_assert_cmpuint (recorder.started->len, ==, 1);
  ek_violation_tracker_end (tracker, EK_VIOLATION_FOCUS_LOST);
  violation = g_ptr_array_index (recorder.violations, 1);
  g_assert_true (violation->counted);
  g_assert_cmpint (violation->duration_ms, >=, 300);
  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, EK_VIOLATION_FOCUS_LOST), ==, 1);
  g_assert_cmpint (ek_violation_tracker_get_total_ms (tracker, EK_VIOLATION_FOCUS_LOST), >=, 300);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_WARNING);

  recorder_clear (&recorder);
  g_assert_finalize_object (g_steal_pointer (&tracker));
}

static void
test_tracker_total_time (void)
{
  g_autoptr(EkLockdownPolicy) policy = NULL;
  g_autoptr(EkViolationTracker) tracker = NULL;

  policy = policy_from ("{\"grace_ms\": 0, \"escalation\": {\"voice\": {\"warn_at\": 0,"
                        " \"lock_at\": 0, \"submit_at\": 0, \"submit_after_total_ms\": 100}}}",
                        TRUE, NULL);
  tracker = ek_violation_tracker_new (policy);
  ek_violation_tracker_begin (tracker, EK_VIOLATION_VOICE, NULL);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_NONE);
  iterate_for (150);
  ek_violation_tracker_end (tracker, EK_VIOLATION_VOICE);
  g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_SUBMIT);
}

static void
check_pbkdf2 (const char *password,
              const char *salt,
              guint       iterations,
              const char *expected_hex)
{
  gsize len = strlen (expected_hex) / 2;
  g_autofree guint8 *out = g_malloc (len);
  g_autoptr(GString) hex = g_string_new (NULL);

  ek_pbkdf2_hmac_sha256 ((const guint8 *) password, strlen (password), (const guint8 *) salt,
                         strlen (salt), iterations, out, len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", out[i]);
  g_assert_cmpstr (hex->str, ==, expected_hex);
}

static void
test_pbkdf2_vectors (void)
{
  /* RFC 7914 section 11, and the commonly published PBKDF2-HMAC-SHA256 vectors. */
  check_pbkdf2 ("passwd", "salt", 1,
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  check_pbkdf2 ("password", "salt", 1,
                "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
  check_pbkdf2 ("password", "salt", 2,
                "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
  check_pbkdf2 ("password", "salt", 4096,
                "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

static void
test_quit_password_verify (void)
{
  g_autofree char *hash = ek_quit_password_hash ("Technician-42", 2000);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (hash, "pbkdf2-sha256$2000$"));
  g_assert_true (ek_quit_password_verify (hash, "Technician-42", &error));
  g_assert_no_error (error);
  g_assert_false (ek_quit_password_verify (hash, "technician-42", &error));
  g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG);
  g_clear_error (&error);
  g_assert_false (ek_quit_password_verify ("pbkdf2-sha256$10$c2FsdA$AAAA", "x", &error));
  g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (ek_quit_password_verify (NULL, "x", &error));
  g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_NOT_SET);
}

typedef struct
{
  gboolean  done;
  GError   *error;  /* NULL: accepted */
} CheckResult;

static void
on_checked_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CheckResult *check = user_data;

  ek_quit_gate_check_finish (EK_QUIT_GATE (source), result, &check->error);
  check->done = TRUE;
}

/* Returns: (transfer full) (nullable): why the password was not accepted */
static GError *
gate_check (EkQuitGate *gate,
            const char *password)
{
  CheckResult check = { FALSE, NULL };

  ek_quit_gate_check_async (gate, password, NULL, on_checked_cb, &check);
  while (!check.done)
    g_main_context_iteration (NULL, TRUE);

  return check.error;
}

static void
test_quit_gate_rate_limit (void)
{
  g_autofree char *hash = ek_quit_password_hash ("right", 1000);
  g_autoptr(EkQuitGate) gate = ek_quit_gate_new (hash);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = gate_check (gate, "wrong");

      g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG);
    }

  /* After three wrong guesses even the right password waits. */
  {
    g_autoptr(GError) error = gate_check (gate, "right");

    g_assert_error (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_RATE_LIMITED);
    g_assert_cmpint (ek_quit_gate_get_wait_ms (gate), >, 25000);
  }

  {
    g_autoptr(EkQuitGate) fresh = ek_quit_gate_new (hash);
    g_autoptr(GError) error = gate_check (fresh, "right");

    g_assert_no_error (error);
  }
}

static void
test_exam_lockdown_rules (void)
{
  static const char exam[] =
    "{\"id\": \"e1\", \"title\": \"T\", \"mode\": \"formal\", \"kind\": \"written\","
    " \"entry_opens_ms\": 1795001000000, \"starts_ms\": 1795001800000,"
    " \"late_entry_cutoff_ms\": 1795001900000,"
    " \"phases\": [{\"id\": \"a\", \"kind\": \"answering\", \"title\": \"A\","
    "   \"starts_ms\": 1795001800000, \"ends_ms\": 1795002400000}],"
    " \"lockdown\": {\"relaxed\": false, \"grace_ms\": 800, %s}}";
  g_autofree char *good = g_strdup_printf (exam, "\"findings\": {\"bluetooth\": \"allow\"},"
                                           " \"assistive_technology\": [\"screen_reader\"]");
  g_autofree char *bad = g_strdup_printf (exam, "\"escalation\": {\"focus_lost\": {\"warn_at\": \"x\"}}");
  g_autoptr(JsonObject) good_object = ek_json_parse_object (good, strlen (good), NULL);
  g_autoptr(JsonObject) bad_object = ek_json_parse_object (bad, strlen (bad), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkExam) parsed = NULL;

  parsed = ek_exam_new_from_json (good_object, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_lockdown_policy_get_grace_ms (ek_exam_get_lockdown_policy (parsed)), ==, 800);
  g_assert_cmpint (ek_lockdown_policy_get_assistive (ek_exam_get_lockdown_policy (parsed)), ==,
                   EK_ASSISTIVE_SCREEN_READER);
  g_clear_object (&parsed);

  parsed = ek_exam_new_from_json (bad_object, &error);
  g_assert_null (parsed);
  g_assert_nonnull (strstr (error->message, "escalation.focus_lost"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/lockdown-policy/defaults", test_policy_defaults);
  g_test_add_func ("/lockdown-policy/rules", test_policy_rules);
  g_test_add_func ("/lockdown-policy/relaxed-only-practice", test_policy_relaxed_only_practice);
  g_test_add_func ("/lockdown-policy/refused", test_policy_refused);
  g_test_add_func ("/lockdown-policy/assistive", test_policy_assistive);
  g_test_add_func ("/lockdown-policy/exam", test_exam_lockdown_rules);
  g_test_add_func ("/violation-tracker/escalation", test_tracker_escalation);
  g_test_add_func ("/violation-tracker/grace", test_tracker_grace);
  g_test_add_func ("/violation-tracker/total-time", test_tracker_total_time);
  g_test_add_func ("/quit-password/pbkdf2", test_pbkdf2_vectors);
  g_test_add_func ("/quit-password/verify", test_quit_password_verify);
  g_test_add_func ("/quit-password/rate-limit", test_quit_gate_rate_limit);

  return g_test_run ();
}
