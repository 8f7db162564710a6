/* ek-lockdown-policy.c: what the exam's lockdown rules ask for
 *
 * Strict like the rest of the exam definition: a rule, finding id, severity or violation
 * type this client does not know is refused in a formal exam, because ignoring it would
 * enforce less than the examining body asked for.
 */

#include "config.h"

#include "ek-json.h"
#include "ek-lockdown-policy.h"

#define MAX_GRACE_MS           60000
#define MIN_SCAN_INTERVAL_MS    1000
#define MAX_SCAN_INTERVAL_MS   60000

struct _EkLockdownPolicy
{
  GObject                 parent_instance;

  gboolean                relaxed;
  char                  **blocked_processes;
  EkAssistiveKinds        assistive;
  char                   *quit_password_hash;
  gint64                  grace_ms;
  guint                   scan_interval_ms;
  GHashTable             *severities;    /* finding id -> EkSeverity + 1 */
  GHashTable             *thresholds;    /* violation type -> EkEscalationThresholds */
  EkEscalationThresholds  default_thresholds;
};

G_DEFINE_FINAL_TYPE (EkLockdownPolicy, ek_lockdown_policy, G_TYPE_OBJECT)

static const char * const known_rules[] = {
  "relaxed", "monitor_rule", "blocked_processes", "quit_password_hash",
  "findings", "grace_ms", "process_scan_interval_ms", "escalation", "assistive_technology",
  NULL,
};

static const char * const finding_ids[] = {
  EK_FINDING_BLOCKED_PROCESS, EK_FINDING_HYPERVISOR, EK_FINDING_DEBUGGER,
  EK_FINDING_INJECTION, EK_FINDING_REMOTE_SESSION, EK_FINDING_VIRTUAL_DISPLAY,
  EK_FINDING_VIRTUAL_CAMERA, EK_FINDING_HEADSET, EK_FINDING_BLUETOOTH,
  EK_FINDING_USB_STORAGE, NULL,
};

static const char * const violation_types[] = {
  EK_VIOLATION_FOCUS_LOST, EK_VIOLATION_WINDOW_HIDDEN, EK_VIOLATION_WINDOW_OBSCURED,
  EK_VIOLATION_POINTER_LEFT, EK_VIOLATION_MONITOR_ADDED, EK_VIOLATION_BLOCKED_PROCESS,
  EK_VIOLATION_SYNTHETIC_INPUT, EK_VIOLATION_KEYBOARD_LOCK_LOST, EK_VIOLATION_USB_STORAGE,
  EK_VIOLATION_NETWORK_CHANGED, EK_VIOLATION_FACE_ABSENT, EK_VIOLATION_MULTIPLE_FACES,
  EK_VIOLATION_FACE_NOT_VISIBLE, EK_VIOLATION_VOICE, EK_VIOLATION_CAMERA_COVERED,
  EK_VIOLATION_IDENTITY_MISMATCH, NULL,
};

/* Short focus losses the candidate did not cause (an input-method popup, a
 * notification) are forgiven within the grace time: these types. */
static const char * const grace_types[] = {
  EK_VIOLATION_FOCUS_LOST, EK_VIOLATION_WINDOW_OBSCURED, EK_VIOLATION_POINTER_LEFT, NULL,
};

/* The built-in escalation, what an examining body would expect: one warning, the proctor
 * on the third, forced submission on the fifth; stricter for what cannot be accidental. */
typedef struct
{
  const char             *type;
  EkEscalationThresholds  thresholds;
} DefaultThresholds;

static const DefaultThresholds builtin_thresholds[] = {
  { EK_VIOLATION_FOCUS_LOST, { 1, 3, 5, 5 * 60 * 1000 } },
  { EK_VIOLATION_WINDOW_HIDDEN, { 1, 2, 4, 0 } },
  { EK_VIOLATION_WINDOW_OBSCURED, { 1, 3, 5, 5 * 60 * 1000 } },
  { EK_VIOLATION_POINTER_LEFT, { 3, 10, 0, 0 } },
  { EK_VIOLATION_MONITOR_ADDED, { 1, 2, 3, 0 } },
  { EK_VIOLATION_BLOCKED_PROCESS, { 1, 2, 3, 0 } },
  { EK_VIOLATION_SYNTHETIC_INPUT, { 1, 2, 3, 0 } },
  { EK_VIOLATION_KEYBOARD_LOCK_LOST, { 1, 3, 5, 0 } },
  { EK_VIOLATION_USB_STORAGE, { 1, 3, 0, 0 } },
  { EK_VIOLATION_NETWORK_CHANGED, { 1, 5, 0, 0 } },
};

static gboolean
value_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
value_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  *error = g_error_new_valist (EK_JSON_ERROR, EK_JSON_ERROR_VALUE, format, args);
  va_end (args);

  return FALSE;
}

static void
set_builtin_thresholds (EkLockdownPolicy *self)
{
  self->default_thresholds = (EkEscalationThresholds) { 1, 3, 5, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (builtin_thresholds); i++)
    g_hash_table_insert (self->thresholds, g_strdup (builtin_thresholds[i].type),
                         g_memdup2 (&builtin_thresholds[i].thresholds,
                                    sizeof (EkEscalationThresholds)));
}

static gboolean
parse_findings (EkLockdownPolicy  *self,
                JsonObject        *findings,
                gboolean           formal,
                GError           **error)
{
  g_autoptr(GList) members = json_object_get_members (findings);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *id = l->data;
      const char *value = NULL;
      EkSeverity severity;

      if (!ek_json_read_string (findings, id, TRUE, &value, error))
        return FALSE;

      if (!g_strv_contains (finding_ids, id))
        {
          if (formal)
            return value_error (error, "findings: unknown finding “%s”", id);
          continue;
        }

      if (!ek_severity_from_string (value, &severity))
        return value_error (error, "findings: “%s” is “%s”, not block, warn or allow", id, value);

      g_hash_table_insert (self->severities, g_strdup (id), GINT_TO_POINTER (severity + 1));
    }

  return TRUE;
}

static gboolean
parse_thresholds (JsonObject              *object,
                  EkEscalationThresholds  *thresholds,
                  GError                 **error)
{
  gint64 warn_at = thresholds->warn_at;
  gint64 lock_at = thresholds->lock_at;
  gint64 submit_at = thresholds->submit_at;
  gint64 total = thresholds->submit_after_total_ms;

  if (!ek_json_read_int (object, "warn_at", FALSE, 0, 1000, &warn_at, error) ||
      !ek_json_read_int (object, "lock_at", FALSE, 0, 1000, &lock_at, error) ||
      !ek_json_read_int (object, "submit_at", FALSE, 0, 1000, &submit_at, error) ||
      !ek_json_read_int (object, "submit_after_total_ms", FALSE, 0, G_GINT64_CONSTANT (86400000),
                         &total, error))
    return FALSE;

  /* Steps that are set come in order: a lock before a warning makes no sense. */
  if ((warn_at != 0 && lock_at != 0 && lock_at < warn_at) ||
      (lock_at != 0 && submit_at != 0 && submit_at < lock_at) ||
      (warn_at != 0 && submit_at != 0 && submit_at < warn_at))
    return value_error (error, "the steps are not in the order warn_at ≤ lock_at ≤ submit_at");

  {
    g_autoptr(GList) members = json_object_get_members (object);

    for (const GList *l = members; l != NULL; l = l->next)
      {
        static const char * const keys[] = {
          "warn_at", "lock_at", "submit_at", "submit_after_total_ms", NULL,
        };

        if (!g_strv_contains (keys, l->data))
          return value_error (error, "unknown member “%s”", (const char *) l->data);
      }
  }

  thresholds->warn_at = (guint) warn_at;
  thresholds->lock_at = (guint) lock_at;
  thresholds->submit_at = (guint) submit_at;
  thresholds->submit_after_total_ms = total;
  return TRUE;
}

static gboolean
parse_escalation (EkLockdownPolicy  *self,
                  JsonObject        *escalation,
                  gboolean           formal,
                  GError           **error)
{
  g_autoptr(GList) members = json_object_get_members (escalation);
  JsonObject *fallback = NULL;

  /* "default" first: it is the base of every type the object does not name. */
  if (!ek_json_read_object (escalation, "default", FALSE, &fallback, error))
    return FALSE;
  if (fallback != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      if (!parse_thresholds (fallback, &self->default_thresholds, error))
        {
          g_prefix_error (error, "escalation.default: ");
          return FALSE;
        }
      g_hash_table_iter_init (&iter, self->thresholds);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        *(EkEscalationThresholds *) value = self->default_thresholds;
    }

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *type = l->data;
      JsonObject *object = NULL;
      EkEscalationThresholds thresholds = self->default_thresholds;

      if (g_str_equal (type, "default"))
        continue;

      if (!g_strv_contains (violation_types, type))
        {
          if (formal)
            return value_error (error, "escalation: unknown violation type “%s”", type);
          continue;
        }

      if (!ek_json_read_object (escalation, type, TRUE, &object, error) ||
          !parse_thresholds (object, &thresholds, error))
        {
          g_prefix_error (error, "escalation.%s: ", type);
          return FALSE;
        }

      g_hash_table_insert (self->thresholds, g_strdup (type),
                           g_memdup2 (&thresholds, sizeof thresholds));
    }

  return TRUE;
}

/* The screen readers and magnifiers the exam lets a candidate run: kinds, not programs
 * (which ones of a kind are the kiosk's to know, ek-assistive-tech.h). */
static gboolean
parse_assistive (EkLockdownPolicy  *self,
                 JsonObject        *lockdown,
                 gboolean           formal,
                 GError           **error)
{
  g_auto(GStrv) kinds = NULL;

  if (!ek_json_read_strv (lockdown, "assistive_technology", FALSE, &kinds, error))
    return FALSE;

  for (guint i = 0; kinds != NULL && kinds[i] != NULL; i++)
    {
      EkAssistiveKinds kind;

      if (ek_assistive_kind_from_string (kinds[i], &kind))
        self->assistive |= kind;
      else if (formal)
        return value_error (error, "assistive_technology[%u]: unknown kind “%s”", i, kinds[i]);
    }

  return TRUE;
}

static gboolean
parse_policy (EkLockdownPolicy  *self,
              JsonObject        *lockdown,
              gboolean           formal,
              GError           **error)
{
  const char *monitor_rule = "exactly_one";
  const char *hash = NULL;
  gint64 grace = self->grace_ms;
  gint64 interval = self->scan_interval_ms;
  JsonObject *findings = NULL;
  JsonObject *escalation = NULL;

  if (!ek_json_read_bool (lockdown, "relaxed", FALSE, &self->relaxed, error) ||
      !ek_json_read_string (lockdown, "monitor_rule", FALSE, &monitor_rule, error) ||
      !ek_json_read_strv (lockdown, "blocked_processes", FALSE, &self->blocked_processes, error) ||
      !ek_json_read_string (lockdown, "quit_password_hash", FALSE, &hash, error) ||
      !ek_json_read_int (lockdown, "grace_ms", FALSE, 0, MAX_GRACE_MS, &grace, error) ||
      !ek_json_read_int (lockdown, "process_scan_interval_ms", FALSE, MIN_SCAN_INTERVAL_MS,
                         MAX_SCAN_INTERVAL_MS, &interval, error) ||
      !ek_json_read_object (lockdown, "findings", FALSE, &findings, error) ||
      !ek_json_read_object (lockdown, "escalation", FALSE, &escalation, error))
    return FALSE;

  if (!g_str_equal (monitor_rule, "exactly_one"))
    return value_error (error, "unknown monitor_rule “%s”", monitor_rule);

  if (self->relaxed && formal)
    return value_error (error, "a formal exam can never run relaxed");

  if (hash != NULL && !g_str_has_prefix (hash, "pbkdf2-sha256$"))
    return value_error (error, "quit_password_hash is not a pbkdf2-sha256 hash");
  self->quit_password_hash = g_strdup (hash);

  for (guint i = 0; self->blocked_processes[i] != NULL; i++)
    {
      if (*self->blocked_processes[i] == '\0' || strchr (self->blocked_processes[i], '/') != NULL)
        return value_error (error, "blocked_processes[%u]: not a program name", i);
    }

  self->grace_ms = grace;
  self->scan_interval_ms = (guint) interval;

  if (!parse_assistive (self, lockdown, formal, error))
    return FALSE;
  if (findings != NULL && !parse_findings (self, findings, formal, error))
    return FALSE;
  if (escalation != NULL && !parse_escalation (self, escalation, formal, error))
    return FALSE;

  if (formal)
    {
      g_autoptr(GList) members = json_object_get_members (lockdown);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          if (!g_strv_contains (known_rules, l->data))
            return value_error (error, "unknown rule “%s”; this kiosk cannot enforce it",
                                (const char *) l->data);
        }
    }

  return TRUE;
}

static void
ek_lockdown_policy_finalize (GObject *object)
{
  EkLockdownPolicy *self = (EkLockdownPolicy *)object;

  g_clear_pointer (&self->blocked_processes, g_strfreev);
  g_clear_pointer (&self->quit_password_hash, g_free);
  g_clear_pointer (&self->severities, g_hash_table_unref);
  g_clear_pointer (&self->thresholds, g_hash_table_unref);

  G_OBJECT_CLASS (ek_lockdown_policy_parent_class)->finalize (object);
}

static void
ek_lockdown_policy_class_init (EkLockdownPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_lockdown_policy_finalize;
}

static void
ek_lockdown_policy_init (EkLockdownPolicy *self)
{
  self->blocked_processes = g_new0 (char *, 1);
  self->grace_ms = 2000;
  self->scan_interval_ms = 5000;
  self->severities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->thresholds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  set_builtin_thresholds (self);
}

/**
 * ek_lockdown_policy_new_from_json:
 * @lockdown: (nullable): the exam's `lockdown` object; %NULL: relaxed (not for formal)
 * @formal: whether the exam is formal or mock: never relaxed, unknown rules refused
 * @error: an %EK_JSON_ERROR naming the offending member, prefixed "lockdown: "
 *
 * Returns: (transfer full) (nullable): the policy
 */
EkLockdownPolicy *
ek_lockdown_policy_new_from_json (JsonObject  *lockdown,
                                  gboolean     formal,
                                  GError     **error)
{
  g_autoptr(EkLockdownPolicy) self = g_object_new (EK_TYPE_LOCKDOWN_POLICY, NULL);

  if (lockdown == NULL)
    {
      if (formal)
        {
          value_error (error, "lockdown: required for a formal exam");
          return NULL;
        }
      self->relaxed = TRUE;
      return g_steal_pointer (&self);
    }

  if (!parse_policy (self, lockdown, formal, error))
    {
      g_prefix_error (error, "lockdown: ");
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * ek_lockdown_policy_new_relaxed:
 *
 * Returns: (transfer full): the policy of practice and device-test mode
 */
EkLockdownPolicy *
ek_lockdown_policy_new_relaxed (void)
{
  EkLockdownPolicy *self = g_object_new (EK_TYPE_LOCKDOWN_POLICY, NULL);

  self->relaxed = TRUE;
  return self;
}

gboolean
ek_lockdown_policy_get_relaxed (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), FALSE);

  return self->relaxed;
}

const char * const *
ek_lockdown_policy_get_blocked_processes (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), NULL);

  return (const char * const *) self->blocked_processes;
}

/* Returns: the screen readers and magnifiers the exam lets the candidate run */
EkAssistiveKinds
ek_lockdown_policy_get_assistive (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), EK_ASSISTIVE_NONE);

  return self->assistive;
}

/* Returns: (nullable): the technician's quit password hash */
const char *
ek_lockdown_policy_get_quit_password_hash (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), NULL);

  return self->quit_password_hash;
}

gint64
ek_lockdown_policy_get_grace_ms (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), 0);

  return self->grace_ms;
}

guint
ek_lockdown_policy_get_process_scan_interval_ms (EkLockdownPolicy *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), 5000);

  return self->scan_interval_ms;
}

/**
 * ek_lockdown_policy_get_severity:
 *
 * Returns: what the policy makes of @finding: its own setting for the finding's id, else
 *   the finding's built-in severity
 */
EkSeverity
ek_lockdown_policy_get_severity (EkLockdownPolicy *self,
                                 const EkFinding  *finding)
{
  gpointer value;

  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), EK_SEVERITY_BLOCK);
  g_return_val_if_fail (finding != NULL, EK_SEVERITY_BLOCK);

  value = g_hash_table_lookup (self->severities, finding->id);
  if (value != NULL)
    return (EkSeverity) (GPOINTER_TO_INT (value) - 1);

  return finding->severity;
}

/**
 * ek_lockdown_policy_apply:
 * @findings: (element-type EkFinding): findings whose severity is set from the policy
 */
void
ek_lockdown_policy_apply (EkLockdownPolicy *self,
                          GPtrArray        *findings)
{
  g_return_if_fail (EK_IS_LOCKDOWN_POLICY (self));
  g_return_if_fail (findings != NULL);

  for (guint i = 0; i < findings->len; i++)
    {
      EkFinding *finding = g_ptr_array_index (findings, i);

      finding->severity = ek_lockdown_policy_get_severity (self, finding);
    }
}

const EkEscalationThresholds *
ek_lockdown_policy_get_thresholds (EkLockdownPolicy *self,
                                   const char       *violation_type)
{
  const EkEscalationThresholds *thresholds;

  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), NULL);

  thresholds = g_hash_table_lookup (self->thresholds, violation_type);
  return thresholds != NULL ? thresholds : &self->default_thresholds;
}

gboolean
ek_lockdown_policy_has_grace (EkLockdownPolicy *self,
                              const char       *violation_type)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (self), FALSE);

  return self->grace_ms > 0 && g_strv_contains (grace_types, violation_type);
}

/* Returns: (transfer none): the members of `lockdown` this client understands */
const char * const *
ek_lockdown_known_rules (void)
{
  return known_rules;
}

gboolean
ek_lockdown_is_violation_type (const char *type)
{
  return type != NULL && g_strv_contains (violation_types, type);
}
