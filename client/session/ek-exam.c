/* ek-exam.c: the exam definition the server sends
 *
 * Parsing is strict: every member is type- and range-checked and the timeline is
 * checked for consistency, because a countdown built on a wrong definition would
 * cost a candidate their exam.
 */

#include "config.h"

#include <string.h>

#include "ek-exam.h"
#include "ek-json.h"
#include "ek-lockdown-policy.h"

/* 2001-09-09 .. 2286-11-20: rules out seconds-for-milliseconds mistakes. */
#define MIN_TIME_MS G_GINT64_CONSTANT (1000000000000)
#define MAX_TIME_MS G_GINT64_CONSTANT (9999999999999)

struct _EkExam
{
  GObject            parent_instance;

  char              *id;
  char              *title;
  EkExamMode         mode;
  EkExamKind         kind;
  gint64             entry_opens_ms;
  gint64             starts_ms;
  gint64             late_entry_cutoff_ms;
  gint64             min_submit_ms;
  GArray            *phases;             /* EkPhase, owned */
  guint              required_steps;     /* 1 << EkStep */
  char              *rules_text;
  char              *pledge_text;
  char              *pledge_version;
  char              *help_contact;
  gboolean           lockdown_relaxed;
  char             **blocked_processes;
  char              *quit_password_hash;
  guint              video_bitrate_kbps;
  guint              segment_seconds;
  gboolean           record_screen;
  GBytes            *recording_key;  /* nullable: the recording stays plain */
  EkSelfCheckPolicy  self_check;
  EkProctoringPolicy proctoring;
  EkLockdownPolicy  *lockdown_policy;
  char              *sealed_sha256;      /* nullable: questions are not sealed */
  gint64             sealed_size;
  gint64             key_release_ms;
};

G_DEFINE_FINAL_TYPE (EkExam, ek_exam, G_TYPE_OBJECT)

static const char * const step_names[] = {
  [EK_STEP_PLEDGE] = "pledge",
  [EK_STEP_FACE_CHECK] = "face_check",
  [EK_STEP_SECOND_VIEW] = "second_view",
  [EK_STEP_ROOM_SCAN] = "room_scan",
  [EK_STEP_PAPER_CHECK] = "paper_check",
  [EK_STEP_DRAW] = "draw",
  [EK_STEP_ATTACHMENTS] = "attachments",
  [EK_STEP_DEVICE_CONFIRM] = "device_confirm",
};

static const char * const mode_names[] = {
  [EK_EXAM_MODE_PRACTICE] = "practice",
  [EK_EXAM_MODE_DEVICE_TEST] = "device_test",
  [EK_EXAM_MODE_MOCK] = "mock",
  [EK_EXAM_MODE_FORMAL] = "formal",
};

/* Lockdown rules this client knows; a formal exam naming any other rule is refused,
 * since silently ignoring a rule would mean enforcing less than the examining body
 * asked for. */
static const char * const known_lockdown_rules[] = {
  "relaxed", "monitor_rule", "blocked_processes", "quit_password_hash",
  /* the lockdown feature's rules, parsed by EkLockdownPolicy */
  "findings", "grace_ms", "process_scan_interval_ms", "escalation", "assistive_technology",
  NULL,
};

static void
clear_phase (gpointer data)
{
  EkPhase *phase = data;

  g_clear_pointer (&phase->id, g_free);
  g_clear_pointer (&phase->title, g_free);
}

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

  g_return_val_if_fail (*error == NULL, FALSE);

  va_start (args, format);
  *error = g_error_new_valist (EK_JSON_ERROR, EK_JSON_ERROR_VALUE, format, args);
  va_end (args);

  return FALSE;
}

static gboolean
parse_phases (EkExam      *self,
              JsonArray   *array,
              GError     **error)
{
  guint n = json_array_get_length (array);

  if (n == 0)
    return value_error (error, "phases: an exam needs at least one phase");
  if (n > 64)
    return value_error (error, "phases: too many phases (%u)", n);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      const char *id = NULL;
      const char *title = NULL;
      const char *kind = NULL;
      EkPhase phase = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return value_error (error, "phases[%u]: not an object", i);
      object = json_node_get_object (node);

      if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
          !ek_json_read_string (object, "title", TRUE, &title, error) ||
          !ek_json_read_string (object, "kind", TRUE, &kind, error) ||
          !ek_json_read_int (object, "starts_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                             &phase.starts_ms, error) ||
          !ek_json_read_int (object, "ends_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                             &phase.ends_ms, error))
        {
          g_prefix_error (error, "phases[%u]: ", i);
          return FALSE;
        }

      if (g_str_equal (kind, "reading"))
        phase.kind = EK_PHASE_KIND_READING;
      else if (g_str_equal (kind, "answering"))
        phase.kind = EK_PHASE_KIND_ANSWERING;
      else
        return value_error (error, "phases[%u]: unknown kind “%s”", i, kind);

      if (phase.starts_ms >= phase.ends_ms)
        return value_error (error, "phases[%u]: ends before it starts", i);

      if (i == 0 && phase.starts_ms != self->starts_ms)
        return value_error (error, "phases[0]: does not start when the exam starts");

      if (i > 0)
        {
          const EkPhase *prev = &g_array_index (self->phases, EkPhase, i - 1);

          if (phase.starts_ms < prev->ends_ms)
            return value_error (error, "phases[%u]: overlaps the phase before it", i);
        }

      for (guint j = 0; j < self->phases->len; j++)
        {
          if (g_str_equal (g_array_index (self->phases, EkPhase, j).id, id))
            return value_error (error, "phases[%u]: id “%s” used twice", i, id);
        }

      phase.id = g_strdup (id);
      phase.title = g_strdup (title);
      g_array_append_val (self->phases, phase);
    }

  return TRUE;
}

static gboolean
parse_steps (EkExam      *self,
             JsonObject  *steps,
             GError     **error)
{
  self->required_steps = (1u << EK_STEP_PLEDGE) | (1u << EK_STEP_DEVICE_CONFIRM);

  if (steps == NULL)
    return TRUE;

  for (EkStep step = EK_STEP_FACE_CHECK; step < EK_STEP_DEVICE_CONFIRM; step++)
    {
      gboolean required = FALSE;

      if (!ek_json_read_bool (steps, step_names[step], FALSE, &required, error))
        {
          g_prefix_error (error, "steps: ");
          return FALSE;
        }
      if (required)
        self->required_steps |= 1u << step;
    }

  return TRUE;
}

static gboolean
parse_lockdown (EkExam      *self,
                JsonObject  *lockdown,
                GError     **error)
{
  const char *monitor_rule = "exactly_one";
  const char *hash = NULL;
  g_autoptr(GList) members = NULL;

  if (lockdown == NULL)
    {
      if (self->mode == EK_EXAM_MODE_FORMAL || self->mode == EK_EXAM_MODE_MOCK)
        return value_error (error, "lockdown: required for a %s exam",
                            mode_names[self->mode]);
      self->lockdown_relaxed = TRUE;
      self->lockdown_policy = ek_lockdown_policy_new_relaxed ();
      return TRUE;
    }

  if (!ek_json_read_bool (lockdown, "relaxed", FALSE, &self->lockdown_relaxed, error) ||
      !ek_json_read_string (lockdown, "monitor_rule", FALSE, &monitor_rule, error) ||
      !ek_json_read_strv (lockdown, "blocked_processes", FALSE, &self->blocked_processes, error) ||
      !ek_json_read_string (lockdown, "quit_password_hash", FALSE, &hash, error))
    {
      g_prefix_error (error, "lockdown: ");
      return FALSE;
    }

  if (!g_str_equal (monitor_rule, "exactly_one"))
    return value_error (error, "lockdown: unknown monitor_rule “%s”", monitor_rule);

  if (self->lockdown_relaxed &&
      (self->mode == EK_EXAM_MODE_FORMAL || self->mode == EK_EXAM_MODE_MOCK))
    return value_error (error, "lockdown: a %s exam can never run relaxed",
                        mode_names[self->mode]);

  if (hash != NULL && !g_str_has_prefix (hash, "pbkdf2-sha256$"))
    return value_error (error, "lockdown: quit_password_hash is not a pbkdf2-sha256 hash");
  self->quit_password_hash = g_strdup (hash);

  if (self->mode == EK_EXAM_MODE_FORMAL)
    {
      members = json_object_get_members (lockdown);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          if (!g_strv_contains (known_lockdown_rules, l->data))
            return value_error (error, "lockdown: unknown rule “%s”; this kiosk cannot "
                                "enforce it", (const char *) l->data);
        }
    }

  self->lockdown_policy = ek_lockdown_policy_new_from_json (lockdown,
                                                            self->mode == EK_EXAM_MODE_FORMAL,
                                                            error);
  return self->lockdown_policy != NULL;
}

/* Standard base64 of exactly 32 bytes (44 characters, one '='), else NULL:
 * g_base64_decode() itself accepts anything. */
static GBytes *
parse_public_key (const char *text)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  guchar *bytes;
  gsize len = 0;

  if (strlen (text) != 44 || text[43] != '=' || strspn (text, alphabet) != 43)
    return NULL;

  bytes = g_base64_decode (text, &len);
  if (len != 32)
    {
      g_free (bytes);
      return NULL;
    }

  return g_bytes_new_take (bytes, len);
}

static gboolean
parse_recording (EkExam      *self,
                 JsonObject  *recording,
                 GError     **error)
{
  gint64 bitrate = 1000;
  gint64 segment = 10;
  const char *public_key = NULL;

  if (recording != NULL &&
      (!ek_json_read_int (recording, "video_bitrate_kbps", FALSE, 100, 20000, &bitrate, error) ||
       !ek_json_read_int (recording, "segment_s", FALSE, 2, 120, &segment, error) ||
       !ek_json_read_bool (recording, "record_screen", FALSE, &self->record_screen, error) ||
       !ek_json_read_string (recording, "public_key", FALSE, &public_key, error)))
    {
      g_prefix_error (error, "recording: ");
      return FALSE;
    }

  if (public_key != NULL)
    {
      self->recording_key = parse_public_key (public_key);
      if (self->recording_key == NULL)
        {
          g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                               "recording: public_key must be an X25519 public key "
                               "(standard base64 of 32 bytes)");
          return FALSE;
        }
    }

  self->video_bitrate_kbps = (guint) bitrate;
  self->segment_seconds = (guint) segment;
  return TRUE;
}

static gboolean
parse_self_check (EkExam      *self,
                  JsonObject  *object,
                  GError     **error)
{
  EkSelfCheckPolicy *p = &self->self_check;

  ek_self_check_policy_init_defaults (p);
  if (object == NULL)
    return TRUE;

  if (!ek_json_read_int (object, "min_memory_total_mb", FALSE, 0, G_MAXINT32,
                         &p->min_memory_total_mb, error) ||
      !ek_json_read_int (object, "min_memory_available_mb", FALSE, 0, G_MAXINT32,
                         &p->min_memory_available_mb, error) ||
      !ek_json_read_int (object, "min_disk_system_mb", FALSE, 0, G_MAXINT32,
                         &p->min_disk_system_mb, error) ||
      !ek_json_read_int (object, "min_disk_recording_mb", FALSE, 0, G_MAXINT32,
                         &p->min_disk_recording_mb, error) ||
      !ek_json_read_int (object, "min_upload_bytes_per_s", FALSE, 0, G_MAXINT64,
                         &p->min_upload_bytes_per_s, error) ||
      !ek_json_read_int (object, "max_clock_skew_ms", FALSE, 0, G_MAXINT32,
                         &p->max_clock_skew_ms, error))
    {
      g_prefix_error (error, "self_check: ");
      return FALSE;
    }

  return TRUE;
}

/* sealed_questions (section 6.1): the package's hash and size, and when its key is
 * released. */
static gboolean
parse_sealed (EkExam      *self,
              JsonObject  *object,
              GError     **error)
{
  JsonObject *sealed = NULL;
  const char *sha256 = NULL;

  if (!ek_json_read_object (object, "sealed_questions", FALSE, &sealed, error))
    return FALSE;
  if (sealed == NULL)
    return TRUE;

  if (!ek_json_read_string (sealed, "sha256", TRUE, &sha256, error) ||
      !ek_json_read_int (sealed, "size", TRUE, 1, 64 * 1024 * 1024, &self->sealed_size, error) ||
      !ek_json_read_int (sealed, "key_release_ms", TRUE, 0, G_MAXINT64, &self->key_release_ms,
                         error))
    {
      g_prefix_error (error, "sealed_questions: ");
      return FALSE;
    }
  if (strlen (sha256) != 64 || strspn (sha256, "0123456789abcdef") != 64)
    return value_error (error, "sealed_questions: sha256 is not 64 lowercase hex digits");
  if (self->key_release_ms > self->starts_ms)
    return value_error (error, "sealed_questions: the key is released after the start");

  self->sealed_sha256 = g_strdup (sha256);
  return TRUE;
}

static gboolean
parse_exam (EkExam      *self,
            JsonObject  *object,
            GError     **error)
{
  const char *id = NULL;
  const char *title = NULL;
  const char *mode = NULL;
  const char *kind = NULL;
  const char *rules = "";
  const char *pledge = "";
  const char *pledge_version = "";
  const char *help = "";
  JsonArray *phases = NULL;
  JsonObject *steps = NULL;
  JsonObject *lockdown = NULL;
  JsonObject *recording = NULL;
  JsonObject *self_check = NULL;
  JsonObject *proctoring = NULL;

  if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
      !ek_json_read_string (object, "title", TRUE, &title, error) ||
      !ek_json_read_string (object, "mode", TRUE, &mode, error) ||
      !ek_json_read_string (object, "kind", TRUE, &kind, error) ||
      !ek_json_read_int (object, "entry_opens_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                         &self->entry_opens_ms, error) ||
      !ek_json_read_int (object, "starts_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                         &self->starts_ms, error) ||
      !ek_json_read_int (object, "late_entry_cutoff_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                         &self->late_entry_cutoff_ms, error) ||
      !ek_json_read_int (object, "min_submit_ms", FALSE, MIN_TIME_MS, MAX_TIME_MS,
                         &self->min_submit_ms, error) ||
      !ek_json_read_array (object, "phases", TRUE, &phases, error) ||
      !ek_json_read_object (object, "steps", FALSE, &steps, error) ||
      !ek_json_read_string (object, "rules_text", FALSE, &rules, error) ||
      !ek_json_read_string (object, "pledge_text", FALSE, &pledge, error) ||
      !ek_json_read_string (object, "pledge_version", FALSE, &pledge_version, error) ||
      !ek_json_read_string (object, "help_contact", FALSE, &help, error) ||
      !ek_json_read_object (object, "lockdown", FALSE, &lockdown, error) ||
      !ek_json_read_object (object, "recording", FALSE, &recording, error) ||
      !ek_json_read_object (object, "self_check", FALSE, &self_check, error) ||
      !ek_json_read_object (object, "proctoring", FALSE, &proctoring, error))
    return FALSE;

  if (!ek_exam_mode_from_string (mode, &self->mode))
    return value_error (error, "unknown mode “%s”", mode);

  if (g_str_equal (kind, "interview"))
    self->kind = EK_EXAM_KIND_INTERVIEW;
  else if (g_str_equal (kind, "written"))
    self->kind = EK_EXAM_KIND_WRITTEN;
  else
    return value_error (error, "unknown kind “%s”", kind);

  if (self->entry_opens_ms > self->starts_ms)
    return value_error (error, "entry opens after the exam starts");
  if (self->late_entry_cutoff_ms < self->starts_ms)
    return value_error (error, "late-entry cutoff is before the exam starts");

  self->id = g_strdup (id);
  self->title = g_strdup (title);
  self->rules_text = g_strdup (rules);
  self->pledge_text = g_strdup (pledge);
  self->pledge_version = g_strdup (pledge_version);
  self->help_contact = g_strdup (help);

  if (!parse_phases (self, phases, error))
    return FALSE;

  if (self->late_entry_cutoff_ms >= ek_exam_get_ends_ms (self))
    return value_error (error, "late-entry cutoff is not before the exam ends");
  if (self->min_submit_ms != 0 &&
      (self->min_submit_ms < self->starts_ms || self->min_submit_ms > ek_exam_get_ends_ms (self)))
    return value_error (error, "min_submit_ms is outside the exam");

  return parse_sealed (self, object, error) &&
         parse_steps (self, steps, error) &&
         parse_lockdown (self, lockdown, error) &&
         parse_recording (self, recording, error) &&
         parse_self_check (self, self_check, error) &&
         ek_proctoring_policy_parse (&self->proctoring, proctoring,
                                     self->mode == EK_EXAM_MODE_FORMAL, error);
}

static void
ek_exam_finalize (GObject *object)
{
  EkExam *self = (EkExam *)object;

  g_clear_pointer (&self->sealed_sha256, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->phases, g_array_unref);
  g_clear_pointer (&self->rules_text, g_free);
  g_clear_pointer (&self->pledge_text, g_free);
  g_clear_pointer (&self->pledge_version, g_free);
  g_clear_pointer (&self->help_contact, g_free);
  g_clear_pointer (&self->blocked_processes, g_strfreev);
  g_clear_pointer (&self->quit_password_hash, g_free);
  g_clear_object (&self->lockdown_policy);
  g_clear_pointer (&self->recording_key, g_bytes_unref);

  G_OBJECT_CLASS (ek_exam_parent_class)->finalize (object);
}

static void
ek_exam_class_init (EkExamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_exam_finalize;
}

static void
ek_exam_init (EkExam *self)
{
  self->phases = g_array_new (FALSE, TRUE, sizeof (EkPhase));
  g_array_set_clear_func (self->phases, clear_phase);
  self->blocked_processes = g_new0 (char *, 1);
  ek_self_check_policy_init_defaults (&self->self_check);
}

/**
 * ek_exam_new_from_json:
 * @object: the `exam` member of a session answer
 * @error: a #GError naming the offending member, in the %EK_JSON_ERROR domain
 *
 * Returns: (transfer full) (nullable): the exam, or %NULL if @object is not a
 *   valid, consistent exam definition
 */
EkExam *
ek_exam_new_from_json (JsonObject  *object,
                       GError     **error)
{
  g_autoptr(EkExam) self = NULL;

  g_return_val_if_fail (object != NULL, NULL);

  self = g_object_new (EK_TYPE_EXAM, NULL);
  if (!parse_exam (self, object, error))
    {
      g_prefix_error (error, "exam: ");
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
ek_self_check_policy_init_defaults (EkSelfCheckPolicy *policy)
{
  policy->min_memory_total_mb = 4096;
  policy->min_memory_available_mb = 2048;
  policy->min_disk_system_mb = 5120;
  policy->min_disk_recording_mb = 20480;
  policy->min_upload_bytes_per_s = 2000000;
  policy->max_clock_skew_ms = 2000;
}

const char *
ek_exam_get_id (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->id;
}

const char *
ek_exam_get_title (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->title;
}

EkExamMode
ek_exam_get_mode (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), EK_EXAM_MODE_FORMAL);
  return self->mode;
}

EkExamKind
ek_exam_get_kind (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), EK_EXAM_KIND_INTERVIEW);
  return self->kind;
}

gint64
ek_exam_get_entry_opens_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->entry_opens_ms;
}

gint64
ek_exam_get_starts_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->starts_ms;
}

gint64
ek_exam_get_late_entry_cutoff_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->late_entry_cutoff_ms;
}

/* Returns: the earliest submission time, or 0 when the exam sets none */
gint64
ek_exam_get_min_submit_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->min_submit_ms;
}

gint64
ek_exam_get_ends_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);

  if (self->phases->len == 0)
    return self->starts_ms;

  return g_array_index (self->phases, EkPhase, self->phases->len - 1).ends_ms;
}

guint
ek_exam_get_n_phases (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->phases->len;
}

const EkPhase *
ek_exam_get_phase (EkExam *self,
                   guint   index)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  g_return_val_if_fail (index < self->phases->len, NULL);

  return &g_array_index (self->phases, EkPhase, index);
}

/**
 * ek_exam_find_phase_at:
 *
 * Returns: the index of the phase running at @server_ms, or -1 when none is
 *   (before the start, in a gap, or after the end)
 */
int
ek_exam_find_phase_at (EkExam *self,
                       gint64  server_ms)
{
  g_return_val_if_fail (EK_IS_EXAM (self), -1);

  for (guint i = 0; i < self->phases->len; i++)
    {
      const EkPhase *phase = &g_array_index (self->phases, EkPhase, i);

      if (server_ms >= phase->starts_ms && server_ms < phase->ends_ms)
        return (int) i;
    }

  return -1;
}

gboolean
ek_exam_requires_step (EkExam *self,
                       EkStep  step)
{
  g_return_val_if_fail (EK_IS_EXAM (self), FALSE);
  g_return_val_if_fail (step < EK_N_STEPS, FALSE);

  return (self->required_steps & (1u << step)) != 0;
}

const char *
ek_exam_get_rules_text (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->rules_text;
}

const char *
ek_exam_get_pledge_text (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->pledge_text;
}

const char *
ek_exam_get_pledge_version (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->pledge_version;
}

const char *
ek_exam_get_help_contact (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->help_contact;
}

gboolean
ek_exam_get_lockdown_relaxed (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), FALSE);
  return self->lockdown_relaxed;
}

const char * const *
ek_exam_get_blocked_processes (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return (const char * const *) self->blocked_processes;
}

/**
 * ek_exam_get_lockdown_policy:
 *
 * Returns: (transfer none): the exam's lockdown rules (relaxed when it has none)
 */
EkLockdownPolicy *
ek_exam_get_lockdown_policy (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->lockdown_policy;
}

const char *
ek_exam_get_quit_password_hash (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->quit_password_hash;
}

guint
ek_exam_get_video_bitrate_kbps (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->video_bitrate_kbps;
}

guint
ek_exam_get_segment_seconds (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->segment_seconds;
}

/**
 * ek_exam_get_recording_key:
 *
 * Returns: (transfer none) (nullable): the examining body's X25519 public key
 *   (32 bytes) the recording is sealed for, or %NULL for a plain recording
 */
GBytes *
ek_exam_get_recording_key (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);

  return self->recording_key;
}

gboolean
ek_exam_get_record_screen (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), FALSE);
  return self->record_screen;
}

const EkSelfCheckPolicy *
ek_exam_get_self_check_policy (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return &self->self_check;
}

const char *
ek_step_to_string (EkStep step)
{
  g_return_val_if_fail (step < EK_N_STEPS, NULL);
  return step_names[step];
}

EkStep
ek_step_from_string (const char *str)
{
  for (EkStep step = 0; step < EK_N_STEPS; step++)
    {
      if (g_strcmp0 (step_names[step], str) == 0)
        return step;
    }

  return EK_STEP_NONE;
}

const char *
ek_exam_mode_to_string (EkExamMode mode)
{
  g_return_val_if_fail (mode <= EK_EXAM_MODE_FORMAL, NULL);
  return mode_names[mode];
}

gboolean
ek_exam_mode_from_string (const char *str,
                          EkExamMode *mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    {
      if (g_strcmp0 (mode_names[i], str) == 0)
        {
          *mode = (EkExamMode) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ek_exam_get_proctoring_policy:
 *
 * Returns: (transfer none): the thresholds of the live proctoring signals
 */
const EkProctoringPolicy *
ek_exam_get_proctoring_policy (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);

  return &self->proctoring;
}

/**
 * ek_exam_get_sealed_sha256:
 *
 * Returns: (nullable): the SHA-256 of the sealed questions package, or %NULL when
 *   the exam's questions are fetched at each phase's start
 */
const char *
ek_exam_get_sealed_sha256 (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), NULL);
  return self->sealed_sha256;
}

gint64
ek_exam_get_sealed_size (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->sealed_size;
}

gint64
ek_exam_get_key_release_ms (EkExam *self)
{
  g_return_val_if_fail (EK_IS_EXAM (self), 0);
  return self->key_release_ms;
}
