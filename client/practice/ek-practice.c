/* ek-practice.c: the offline practice exam */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-json.h"
#include "ek-practice.h"

/* The practice exam's waiting room: long enough to see it, short enough not to bore. */
#define DEFAULT_WAIT_SECONDS 15

struct _EkPractice
{
  GObject      parent_instance;

  JsonObject  *entry;      /* owned; one practice exam of the bundle, translated */
  EkCandidate *candidate;  /* owned */
  EkSession   *session;    /* owned; the engine's, from ek_practice_start() */
};

G_DEFINE_FINAL_TYPE (EkPractice, ek_practice, G_TYPE_OBJECT)

static EkPractice *practice_new (JsonObject  *entry,
                                 GError     **error);

/* --- the bundle ----------------------------------------------------------- */

/* json_node_copy() shares objects and arrays: translating and timing change the
 * copy, never the bundle they came from. */
static JsonNode *
deep_copy (JsonNode *node)
{
  JsonNode *copy;

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *source = json_node_get_object (node);
        g_autoptr(JsonObject) object = json_object_new ();
        g_autoptr(GList) members = json_object_get_members (source);

        for (const GList *l = members; l != NULL; l = l->next)
          json_object_set_member (object, l->data,
                                  deep_copy (json_object_get_member (source, l->data)));
        copy = json_node_new (JSON_NODE_OBJECT);
        json_node_set_object (copy, object);
        return copy;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *source = json_node_get_array (node);
        g_autoptr(JsonArray) array = json_array_sized_new (json_array_get_length (source));

        for (guint i = 0; i < json_array_get_length (source); i++)
          json_array_add_element (array, deep_copy (json_array_get_element (source, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (copy, array);
        return copy;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}

static JsonObject *
deep_copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) copy = NULL;

  json_node_set_object (node, object);
  copy = deep_copy (node);
  return json_object_ref (json_node_get_object (copy));
}

/* An entry's "translations" holds, per language, members that replace the English
 * ones: objects merged, everything else replaced. */
static void
merge_object (JsonObject *target,
              JsonObject *source)
{
  g_autoptr(GList) members = json_object_get_members (source);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (source, name);
      JsonNode *existing = json_object_get_member (target, name);

      if (existing != NULL && JSON_NODE_HOLDS_OBJECT (existing) && JSON_NODE_HOLDS_OBJECT (value))
        merge_object (json_node_get_object (existing), json_node_get_object (value));
      else
        json_object_set_member (target, name, deep_copy (value));
    }
}

/**
 * ek_practice_translate:
 * @entry: one practice exam of the bundle
 * @languages: the user's languages, most wanted first (g_get_language_names())
 *
 * The entry's texts in the first of @languages it has a translation for, before
 * any English one ("C", "en*": the entry as written).
 *
 * Returns: (transfer full): a translated copy of @entry, without "translations"
 */
JsonObject *
ek_practice_translate (JsonObject         *entry,
                       const char * const *languages)
{
  g_autoptr(JsonObject) result = NULL;
  JsonNode *node;
  JsonObject *translations = NULL;

  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (languages != NULL, NULL);

  result = deep_copy_object (entry);

  node = json_object_get_member (entry, "translations");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    translations = json_node_get_object (node);
  for (gsize i = 0; translations != NULL && languages[i] != NULL; i++)
    {
      if (g_str_equal (languages[i], "C") || g_str_has_prefix (languages[i], "en"))
        break;
      node = json_object_get_member (translations, languages[i]);
      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          merge_object (result, json_node_get_object (node));
          break;
        }
    }
  json_object_remove_member (result, "translations");

  return g_steal_pointer (&result);
}

/**
 * ek_practice_load_bundle:
 * @bytes: the bundle, JSON: `{"practice_exams": [ENTRY, ...]}`
 * @languages: the user's languages, most wanted first
 * @error: an %EK_JSON_ERROR naming the entry and what is wrong with it
 *
 * Reads the bundle and checks every practice exam in it as ek_practice_new()
 * does: a bundle with one bad entry is refused whole (it ships with the kiosk, so
 * a bad one is a mistake to find at once, not a card that fails when chosen).
 *
 * Returns: (transfer full): the practice exams, translated, in the bundle's order
 */
JsonArray *
ek_practice_load_bundle (GBytes              *bytes,
                         const char * const  *languages,
                         GError             **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonArray) result = NULL;
  JsonNode *node;
  JsonArray *list;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (languages != NULL, NULL);

  root = ek_json_parse_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
  if (root == NULL)
    {
      g_prefix_error (error, "practice bundle: ");
      return NULL;
    }

  node = json_object_get_member (root, "practice_exams");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                           "practice bundle: no practice_exams list");
      return NULL;
    }

  list = json_node_get_array (node);
  result = json_array_new ();
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      g_autoptr(JsonObject) entry = NULL;
      g_autoptr(EkPractice) practice = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE,
                       "practice bundle: practice_exams[%u] is not an object", i);
          return NULL;
        }

      entry = ek_practice_translate (json_node_get_object (element), languages);
      practice = practice_new (entry, error);
      if (practice == NULL)
        {
          g_prefix_error (error, "practice bundle: practice_exams[%u]: ", i);
          return NULL;
        }
      json_array_add_object_element (result, g_steal_pointer (&entry));
    }

  return g_steal_pointer (&result);
}

/**
 * ek_practice_load_bundled:
 *
 * The bundle the kiosk ships (%EK_PRACTICE_BUNDLE_RESOURCE, in the resources the
 * application registers) in the user's language.
 *
 * Returns: (transfer full): the practice exams, or %NULL with @error set
 */
JsonArray *
ek_practice_load_bundled (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resources_lookup_data (EK_PRACTICE_BUNDLE_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return ek_practice_load_bundle (bytes, g_get_language_names (), error);
}

/* --- building the exam ---------------------------------------------------- */

/* Adds @seconds to @base_ms as a member @member_ms of @object. */
static void
set_relative_time (JsonObject *object,
                   const char *member_ms,
                   gint64      base_ms,
                   gint64      seconds)
{
  json_object_set_int_member (object, member_ms, base_ms + seconds * 1000);
}

static gint64
get_seconds (JsonObject *object,
             const char *member,
             gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return MAX (0, json_node_get_int (node));
}

/* The phases one after the other from @starts_ms, each its `duration_s` long. */
static JsonArray *
timed_phases (JsonObject *source,
              gint64      starts_ms)
{
  JsonNode *node = json_object_get_member (source, "phases");
  JsonArray *phases = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  JsonArray *timed = json_array_new ();
  gint64 at_ms = starts_ms;

  for (guint i = 0; phases != NULL && i < json_array_get_length (phases); i++)
    {
      JsonNode *element = json_array_get_element (phases, i);
      g_autoptr(JsonNode) phase_copy = NULL;
      JsonObject *phase;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      phase_copy = deep_copy (element);
      phase = json_node_get_object (phase_copy);
      json_object_set_int_member (phase, "starts_ms", at_ms);
      at_ms += MAX (1, get_seconds (phase, "duration_s", 60)) * 1000;
      json_object_set_int_member (phase, "ends_ms", at_ms);
      json_array_add_element (timed, g_steal_pointer (&phase_copy));
    }

  return timed;
}

/* The entry gives times relative to the moment the practice starts (as the
 * reference server's exam files do): turn them into an exam definition whose
 * waiting room opens at @now_ms and whose exam starts `waiting_s` later. */
static EkExam *
build_exam (JsonObject  *entry,
            gint64       now_ms,
            GError     **error)
{
  JsonNode *node = json_object_get_member (entry, "exam");
  JsonObject *source;
  g_autoptr(JsonNode) copy = NULL;
  JsonObject *exam;
  gint64 starts_ms;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                           "no exam object");
      return NULL;
    }

  source = json_node_get_object (node);
  copy = deep_copy (node);
  exam = json_node_get_object (copy);
  starts_ms = now_ms + get_seconds (source, "waiting_s", DEFAULT_WAIT_SECONDS) * 1000;

  json_object_set_int_member (exam, "entry_opens_ms", now_ms);
  json_object_set_int_member (exam, "starts_ms", starts_ms);
  set_relative_time (exam, "late_entry_cutoff_ms", starts_ms,
                     get_seconds (source, "late_entry_cutoff_after_start_s", 120));
  if (json_object_has_member (source, "min_submit_after_start_s"))
    set_relative_time (exam, "min_submit_ms", starts_ms,
                       get_seconds (source, "min_submit_after_start_s", 0));
  json_object_set_array_member (exam, "phases", timed_phases (source, starts_ms));

  return ek_exam_new_from_json (exam, error);
}

/* Checks @entry: its exam builds, in practice mode, and it has a candidate. */
static EkPractice *
practice_new (JsonObject  *entry,
              GError     **error)
{
  g_autoptr(EkPractice) self = NULL;
  g_autoptr(EkExam) exam = NULL;
  JsonNode *node;

  exam = build_exam (entry, g_get_real_time () / 1000, error);
  if (exam == NULL)
    return NULL;

  if (ek_exam_get_mode (exam) != EK_EXAM_MODE_PRACTICE)
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                           "the exam's mode is not “practice”");
      return NULL;
    }

  node = json_object_get_member (entry, "candidate");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                           "no candidate object");
      return NULL;
    }

  self = g_object_new (EK_TYPE_PRACTICE, NULL);
  self->candidate = ek_candidate_new_from_json (json_node_get_object (node), error);
  if (self->candidate == NULL)
    return NULL;
  self->entry = json_object_ref (entry);

  return g_steal_pointer (&self);
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_practice_dispose (GObject *object)
{
  EkPractice *self = (EkPractice *)object;

  g_clear_object (&self->session);
  g_clear_object (&self->candidate);

  G_OBJECT_CLASS (ek_practice_parent_class)->dispose (object);
}

static void
ek_practice_finalize (GObject *object)
{
  EkPractice *self = (EkPractice *)object;

  g_clear_pointer (&self->entry, json_object_unref);

  G_OBJECT_CLASS (ek_practice_parent_class)->finalize (object);
}

static void
ek_practice_class_init (EkPracticeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_practice_dispose;
  object_class->finalize = ek_practice_finalize;
}

static void
ek_practice_init (EkPractice *self)
{
}

/* --- public API ----------------------------------------------------------- */

/**
 * ek_practice_new:
 * @entry: one practice exam of the bundle (translated): `exam` (times relative to
 *   now: `waiting_s`, `late_entry_cutoff_after_start_s`, `min_submit_after_start_s`,
 *   each phase's `duration_s`; mode "practice"), `candidate`, `questions` (by phase
 *   id) and optionally `attachments` (each with its text inline)
 * @error: an %EK_JSON_ERROR saying what is missing or wrong
 *
 * Returns: (transfer full): the practice run, not started
 */
EkPractice *
ek_practice_new (JsonObject  *entry,
                 GError     **error)
{
  EkPractice *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = practice_new (entry, error);
  if (self == NULL)
    g_prefix_error (error, "practice exam: ");
  return self;
}

/**
 * ek_practice_get_entry:
 *
 * Returns: (transfer none): the practice exam as the bundle gives it
 */
JsonObject *
ek_practice_get_entry (EkPractice *self)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);
  return self->entry;
}

/**
 * ek_practice_get_candidate:
 *
 * Returns: (transfer none): the practice candidate
 */
EkCandidate *
ek_practice_get_candidate (EkPractice *self)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);
  return self->candidate;
}

/**
 * ek_practice_get_attachments:
 *
 * Returns: (transfer none) (nullable): the attachments, each with its text inline
 */
JsonArray *
ek_practice_get_attachments (EkPractice *self)
{
  JsonNode *node;

  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);

  node = json_object_get_member (self->entry, "attachments");
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/**
 * ek_practice_build_exam:
 * @now_ms: when the waiting room opens, server time
 *
 * Returns: (transfer full): the exam, its waiting room opening at @now_ms
 */
EkExam *
ek_practice_build_exam (EkPractice  *self,
                        gint64       now_ms,
                        GError     **error)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);

  return build_exam (self->entry, now_ms, error);
}

/**
 * ek_practice_start:
 * @session: the session to run the practice in; kept from now on
 *
 * Loads the practice into @session: the steps ahead, the waiting room open now.
 */
gboolean
ek_practice_start (EkPractice  *self,
                   EkSession   *session,
                   GError     **error)
{
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(EkSessionState) state = ek_session_state_new ();

  g_return_val_if_fail (EK_IS_PRACTICE (self), FALSE);
  g_return_val_if_fail (EK_IS_SESSION (session), FALSE);

  g_set_object (&self->session, session);
  exam = build_exam (self->entry, ek_server_clock_now_ms (ek_session_get_clock (session)), error);
  if (exam == NULL)
    return FALSE;

  return ek_session_load (session, exam, self->candidate, state, error);
}

/**
 * ek_practice_get_session:
 *
 * Returns: (transfer none) (nullable): the session the practice runs in, once started
 */
EkSession *
ek_practice_get_session (EkPractice *self)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);
  return self->session;
}

/**
 * ek_practice_complete_step:
 *
 * Completes the current step as the server would (the draw picks a number; a
 * step out of turn is refused, %EK_SESSION_ERROR_WRONG_STEP). The
 * waiting room starts from the moment the steps are done, however long the
 * candidate took over them: practice is not a race against the clock.
 */
gboolean
ek_practice_complete_step (EkPractice  *self,
                           EkStep       step,
                           GError     **error)
{
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(EkExam) exam = NULL;

  g_return_val_if_fail (EK_IS_PRACTICE (self), FALSE);
  g_return_val_if_fail (self->session != NULL, FALSE);
  g_return_val_if_fail (step < EK_N_STEPS, FALSE);

  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != step)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                           _("Please finish the steps in the order shown."));
      return FALSE;
    }

  state = ek_session_state_copy (ek_session_get_state (self->session));
  if (step == EK_STEP_DRAW && state->sequence_number < 0)
    state->sequence_number = g_random_int_range (1, 31);
  state->completed_steps |= 1u << step;

  exam = build_exam (self->entry, ek_server_clock_now_ms (ek_session_get_clock (self->session)),
                     error);
  if (exam == NULL)
    return FALSE;

  return ek_session_load (self->session, exam, ek_session_get_candidate (self->session), state,
                          error);
}

/**
 * ek_practice_answer_pledge:
 *
 * Declining ends the practice (%TRUE: the answer was taken); accepting completes
 * the pledge step.
 */
gboolean
ek_practice_answer_pledge (EkPractice  *self,
                           gboolean     accepted,
                           GError     **error)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), FALSE);
  g_return_val_if_fail (self->session != NULL, FALSE);

  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != EK_STEP_PLEDGE)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                           _("Please finish the steps in the order shown."));
      return FALSE;
    }

  if (!accepted)
    {
      ek_session_end (self->session, EK_END_REASON_PLEDGE_DECLINED);
      return TRUE;
    }

  return ek_practice_complete_step (self, EK_STEP_PLEDGE, error);
}

gboolean
ek_practice_enter (EkPractice  *self,
                   GError     **error)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), FALSE);
  g_return_val_if_fail (self->session != NULL, FALSE);

  return ek_session_enter (self->session, error);
}

gboolean
ek_practice_submit (EkPractice  *self,
                    GError     **error)
{
  g_return_val_if_fail (EK_IS_PRACTICE (self), FALSE);
  g_return_val_if_fail (self->session != NULL, FALSE);

  return ek_session_submit (self->session, error);
}

void
ek_practice_leave (EkPractice *self)
{
  g_return_if_fail (EK_IS_PRACTICE (self));
  g_return_if_fail (self->session != NULL);

  ek_session_end (self->session, EK_END_REASON_ENDED_BY_CANDIDATE);
}

/**
 * ek_practice_get_questions:
 *
 * A phase's questions from the bundle. An interview's answering phase shows the
 * questions of the reading phase before it, as the server does.
 *
 * Returns: (transfer full): the questions (docs/protocol.md, section 6), maybe none
 */
JsonArray *
ek_practice_get_questions (EkPractice *self,
                           guint       phase_index)
{
  EkExam *exam;
  JsonNode *node;
  JsonObject *questions;

  g_return_val_if_fail (EK_IS_PRACTICE (self), NULL);
  g_return_val_if_fail (self->session != NULL, NULL);

  exam = ek_session_get_exam (self->session);
  node = json_object_get_member (self->entry, "questions");
  if (exam == NULL || phase_index >= ek_exam_get_n_phases (exam) ||
      node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_array_new ();

  questions = json_node_get_object (node);
  for (int i = (int) phase_index; i >= 0; i--)
    {
      const EkPhase *phase = ek_exam_get_phase (exam, (guint) i);
      JsonNode *list = json_object_get_member (questions, phase->id);

      if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
        return json_array_ref (json_node_get_array (list));
      if (phase->kind != EK_PHASE_KIND_ANSWERING && i != (int) phase_index)
        break;
    }

  return json_array_new ();
}
