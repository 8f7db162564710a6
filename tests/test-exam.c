/* test-exam.c: parsing of the exam definition, the candidate record and the
 * session state: what is valid is read exactly, what is not is refused with the
 * member named */

#include "config.h"

#include "ek-candidate.h"
#include "ek-exam.h"
#include "ek-json.h"
#include "ek-session-state.h"
#include "ek-test-exam.h"

#define T0 G_GINT64_CONSTANT (1795000000000)

static void
test_exam_valid (void)
{
  g_autofree char *json = ek_test_exam_json (T0, "formal", "{ \"face_check\": true, \"draw\": true }");
  g_autoptr(JsonObject) object = ek_test_parse_object (json);
  g_autoptr(GError) error = NULL;
  EkExam *exam;
  const EkPhase *phase;

  exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_nonnull (exam);

  g_assert_cmpstr (ek_exam_get_id (exam), ==, "interview-1");
  g_assert_cmpint (ek_exam_get_mode (exam), ==, EK_EXAM_MODE_FORMAL);
  g_assert_cmpint (ek_exam_get_kind (exam), ==, EK_EXAM_KIND_INTERVIEW);
  g_assert_cmpint (ek_exam_get_starts_ms (exam), ==, T0);
  g_assert_cmpint (ek_exam_get_entry_opens_ms (exam), ==, T0 - 1800000);
  g_assert_cmpint (ek_exam_get_late_entry_cutoff_ms (exam), ==, T0 + 300000);
  g_assert_cmpint (ek_exam_get_ends_ms (exam), ==, T0 + 600000);
  g_assert_cmpuint (ek_exam_get_n_phases (exam), ==, 2);

  phase = ek_exam_get_phase (exam, 1);
  g_assert_cmpstr (phase->id, ==, "answering");
  g_assert_cmpint (phase->kind, ==, EK_PHASE_KIND_ANSWERING);
  g_assert_cmpint (phase->starts_ms, ==, T0 + 300000);

  g_assert_cmpint (ek_exam_find_phase_at (exam, T0 - 1), ==, -1);
  g_assert_cmpint (ek_exam_find_phase_at (exam, T0), ==, 0);
  g_assert_cmpint (ek_exam_find_phase_at (exam, T0 + 300000), ==, 1);
  g_assert_cmpint (ek_exam_find_phase_at (exam, T0 + 600000), ==, -1);

  g_assert_true (ek_exam_requires_step (exam, EK_STEP_PLEDGE));
  g_assert_true (ek_exam_requires_step (exam, EK_STEP_FACE_CHECK));
  g_assert_false (ek_exam_requires_step (exam, EK_STEP_SECOND_VIEW));
  g_assert_true (ek_exam_requires_step (exam, EK_STEP_DRAW));
  g_assert_true (ek_exam_requires_step (exam, EK_STEP_DEVICE_CONFIRM));

  g_assert_false (ek_exam_get_lockdown_relaxed (exam));
  g_assert_cmpstr (ek_exam_get_blocked_processes (exam)[0], ==, "obs");
  g_assert_null (ek_exam_get_blocked_processes (exam)[1]);
  g_assert_cmpuint (ek_exam_get_video_bitrate_kbps (exam), ==, 1000);
  g_assert_cmpuint (ek_exam_get_segment_seconds (exam), ==, 10);
  g_assert_cmpint (ek_exam_get_self_check_policy (exam)->min_upload_bytes_per_s, ==, 2000000);
  g_assert_cmpstr (ek_exam_get_help_contact (exam), ==, "+86 10 1234 5678");

  g_assert_finalize_object (exam);
}

typedef struct
{
  const char *name;
  const char *find;      /* text in the valid definition ... */
  const char *replace;   /* ... replaced by this */
  const char *message;   /* must appear in the error */
} BadCase;

static const BadCase bad_cases[] = {
  { "missing-id", "\"id\": \"interview-1\", ", "", "“id” is missing" },
  { "bad-id", "\"interview-1\"", "\"inter view/1\"", "“id” is not a valid identifier" },
  { "mode-unknown", "\"mode\": \"formal\"", "\"mode\": \"final\"", "unknown mode" },
  { "kind-wrong-type", "\"kind\": \"interview\"", "\"kind\": 3", "“kind” is not a string" },
  { "seconds-not-ms", "\"starts_ms\": 1795000000000", "\"starts_ms\": 1795000000", "out of range" },
  { "time-as-double", "\"starts_ms\": 1795000000000", "\"starts_ms\": 1795000000000.5", "not an integer" },
  { "phase-overlap", "\"starts_ms\": 1795000300000, \"ends_ms\": 1795000600000",
    "\"starts_ms\": 1795000200000, \"ends_ms\": 1795000600000", "overlaps" },
  { "phase-backwards", "\"starts_ms\": 1795000300000, \"ends_ms\": 1795000600000",
    "\"starts_ms\": 1795000300000, \"ends_ms\": 1795000300000", "ends before it starts" },
  { "phase-kind", "\"kind\": \"reading\"", "\"kind\": \"thinking\"", "unknown kind" },
  { "relaxed-formal", "\"relaxed\": false", "\"relaxed\": true", "never run relaxed" },
  { "unknown-rule", "\"relaxed\": false", "\"relaxed\": false, \"allow_vm\": true", "unknown rule “allow_vm”" },
  { "monitor-rule", "\"monitor_rule\": \"exactly_one\"", "\"monitor_rule\": \"any\"", "monitor_rule" },
  { "no-phases", "\"phases\": [", "\"phases\": [], \"x\": [", "at least one phase" },
  { "steps-not-bool", "\"steps\": {}", "\"steps\": { \"draw\": \"yes\" }", "“draw” is not a boolean" },
  /* recording.public_key: standard base64 of exactly 32 bytes */
  { "key-31-bytes", "\"phases\": [",
    "\"recording\": { \"public_key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\" }, \"phases\": [", "public_key must be an X25519" },
  { "key-33-bytes", "\"phases\": [",
    "\"recording\": { \"public_key\": \"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\" }, \"phases\": [", "public_key must be an X25519" },
  { "key-url-safe", "\"phases\": [",
    "\"recording\": { \"public_key\": \"uytHIIIZ4ct0pMGPezkwsjDBrBHFoORV7YOpKtcW7C_=\" }, \"phases\": [", "public_key must be an X25519" },
  { "second-view-required-not-bool", "\"phases\": [",
    "\"proctoring\": { \"second_view_required\": \"no\" }, \"phases\": [",
    "“second_view_required” is not a boolean" },
  { "key-not-string", "\"phases\": [",
    "\"recording\": { \"public_key\": 32 }, \"phases\": [", "“public_key” is not a string" },
};

static void
test_exam_invalid (gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *valid = ek_test_exam_json (T0, "formal", "{}");
  g_autoptr(GString) json = g_string_new (valid);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  EkExam *exam;

  g_assert_nonnull (strstr (valid, c->find));
  g_string_replace (json, c->find, c->replace, 1);
  object = ek_test_parse_object (json->str);

  exam = ek_exam_new_from_json (object, &error);
  g_assert_null (exam);
  g_assert_nonnull (error);
  g_assert_true (error->domain == EK_JSON_ERROR);
  if (strstr (error->message, c->message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, c->message);
  g_assert_true (g_str_has_prefix (error->message, "exam: "));
}

/* Whether a candidate without a phone may go on: required unless the policy says not. */
static void
test_exam_second_view_policy (void)
{
  g_autofree char *json = ek_test_exam_json (T0, "formal", "{ \"second_view\": true }");
  g_autoptr(GString) waived = g_string_new (json);
  g_autoptr(JsonObject) object = ek_test_parse_object (json);
  g_autoptr(JsonObject) waived_object = NULL;
  g_autoptr(GError) error = NULL;
  EkExam *exam;

  exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_true (ek_exam_requires_step (exam, EK_STEP_SECOND_VIEW));
  g_assert_true (ek_exam_get_proctoring_policy (exam)->second_view_required);
  g_assert_finalize_object (exam);

  g_assert_cmpuint (g_string_replace (waived, "\"phases\": [",
                                      "\"proctoring\": { \"second_view_required\": false }, \"phases\": [",
                                      1), ==, 1);
  waived_object = ek_test_parse_object (waived->str);
  exam = ek_exam_new_from_json (waived_object, &error);
  g_assert_no_error (error);
  g_assert_true (ek_exam_requires_step (exam, EK_STEP_SECOND_VIEW));
  g_assert_false (ek_exam_get_proctoring_policy (exam)->second_view_required);
  g_assert_finalize_object (exam);
}

/* The examining body's key arrives with the exam; without one the recording is plain. */
static void
test_exam_recording_key (void)
{
  g_autofree char *json = ek_test_exam_json (T0, "formal", "{}");
  g_autoptr(GString) s = g_string_new (json);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonObject) plain_object = ek_test_parse_object (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(EkExam) plain = NULL;
  g_autofree guchar *expected = NULL;
  gsize len = 0;

  g_string_replace (s, "\"phases\": [",
                    "\"recording\": { \"public_key\": \"uytHIIIZ4ct0pMGPezkwsjDBrBHFoORV7YOpKtcW7Cc=\" },"
                    " \"phases\": [", 1);
  object = ek_test_parse_object (s->str);
  exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  expected = g_base64_decode ("uytHIIIZ4ct0pMGPezkwsjDBrBHFoORV7YOpKtcW7Cc=", &len);
  g_assert_nonnull (ek_exam_get_recording_key (exam));
  g_assert_cmpmem (g_bytes_get_data (ek_exam_get_recording_key (exam), NULL),
                   g_bytes_get_size (ek_exam_get_recording_key (exam)), expected, len);

  plain = ek_exam_new_from_json (plain_object, &error);
  g_assert_no_error (error);
  g_assert_null (ek_exam_get_recording_key (plain));
}

static void
test_exam_practice_may_relax (void)
{
  g_autofree char *json = ek_test_exam_json (T0, "practice", "{}");
  g_autoptr(GString) s = g_string_new (json);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkExam) exam = NULL;

  g_string_replace (s, "\"relaxed\": false", "\"relaxed\": true", 1);
  object = ek_test_parse_object (s->str);
  exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_true (ek_exam_get_lockdown_relaxed (exam));
  g_assert_cmpint (ek_exam_get_mode (exam), ==, EK_EXAM_MODE_PRACTICE);
}

static void
test_candidate (void)
{
  g_autoptr(JsonObject) good = ek_test_parse_object (
    "{ \"name\": \"张三\", \"id_number_masked\": \"110***********002X\", \"seat\": \"A-017\", "
    "  \"photo_registered\": true, \"future_member\": 1 }");
  g_autoptr(JsonObject) unmasked = ek_test_parse_object (
    "{ \"name\": \"张三\", \"id_number_masked\": \"11010519491231002X\", \"seat\": \"A-017\" }");
  g_autoptr(JsonObject) no_seat = ek_test_parse_object (
    "{ \"name\": \"张三\", \"id_number_masked\": \"110***********002X\" }");
  g_autoptr(GError) error = NULL;
  EkCandidate *candidate;

  candidate = ek_candidate_new_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_candidate_get_seat (candidate), ==, "A-017");
  g_assert_cmpstr (ek_candidate_get_name (candidate), ==, "张三");
  g_assert_true (ek_candidate_get_photo_registered (candidate));
  g_assert_finalize_object (candidate);

  /* A server that leaks the full ID number is refused, not trusted. */
  g_assert_null (ek_candidate_new_from_json (unmasked, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_clear_error (&error);

  g_assert_null (ek_candidate_new_from_json (no_seat, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING);
}

static void
test_session_state (void)
{
  g_autoptr(JsonObject) object = ek_test_parse_object (
    "{ \"completed_steps\": [\"pledge\", \"draw\", \"hologram_check\"], "
    "  \"sequence_number\": 17, \"entered_ms\": 1795000001000, \"submitted_ms\": null, "
    "  \"ended\": false, \"end_reason\": null }");
  g_autoptr(JsonObject) bad_reason = ek_test_parse_object (
    "{ \"completed_steps\": [], \"ended\": true, \"end_reason\": \"bored\" }");
  g_autoptr(JsonObject) ended_no_reason = ek_test_parse_object (
    "{ \"completed_steps\": [], \"ended\": true }");
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSessionState) state = NULL;

  state = ek_session_state_new_from_json (object, &error);
  g_assert_no_error (error);
  g_assert_true (ek_session_state_has_step (state, EK_STEP_PLEDGE));
  g_assert_true (ek_session_state_has_step (state, EK_STEP_DRAW));
  g_assert_false (ek_session_state_has_step (state, EK_STEP_FACE_CHECK));
  g_assert_cmpint (state->sequence_number, ==, 17);
  g_assert_cmpint (state->entered_ms, ==, G_GINT64_CONSTANT (1795000001000));
  g_assert_cmpint (state->submitted_ms, ==, 0);
  g_assert_false (state->ended);

  g_assert_null (ek_session_state_new_from_json (bad_reason, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_null (ek_session_state_new_from_json (ended_no_reason, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
}

/* What a restart without the network writes, read back the same. */
static void
test_session_state_round_trip (void)
{
  EkSessionState ended = { 1u << EK_STEP_DEVICE_CONFIRM, -1, G_GINT64_CONSTANT (1795000001000),
                           G_GINT64_CONSTANT (1795000009000), TRUE, EK_END_REASON_TIME_OVER };
  g_autoptr(JsonObject) object = ek_test_parse_object (
    "{ \"completed_steps\": [\"pledge\", \"draw\"], \"sequence_number\": 3, "
    "  \"ended\": false }");
  g_autoptr(EkSessionState) state = ek_session_state_new_from_json (object, NULL);
  const EkSessionState *cases[] = { state, &ended };

  g_assert_nonnull (state);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) written = ek_session_state_to_json (cases[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(EkSessionState) back = ek_session_state_new_from_json (written, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (back->completed_steps, ==, cases[i]->completed_steps);
      g_assert_cmpint (back->sequence_number, ==, cases[i]->sequence_number);
      g_assert_cmpint (back->entered_ms, ==, cases[i]->entered_ms);
      g_assert_cmpint (back->submitted_ms, ==, cases[i]->submitted_ms);
      g_assert_cmpint (back->ended, ==, cases[i]->ended);
      g_assert_cmpint (back->end_reason, ==, cases[i]->end_reason);
    }
  g_assert_cmpuint (state->completed_steps, ==, (1u << EK_STEP_PLEDGE) | (1u << EK_STEP_DRAW));
}

static void
test_json_parse_errors (void)
{
  g_autoptr(GError) error = NULL;
  const char invalid_utf8[] = "{ \"a\": \"\xff\" }";

  g_assert_null (ek_json_parse_object ("<html>502 Bad Gateway</html>", 28, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
  g_clear_error (&error);

  g_assert_null (ek_json_parse_object ("[1, 2]", 6, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE);
  g_clear_error (&error);

  g_assert_null (ek_json_parse_object ("{ \"a\": ", 7, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
  g_clear_error (&error);

  g_assert_null (ek_json_parse_object (invalid_utf8, sizeof invalid_utf8 - 1, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/exam/valid", test_exam_valid);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/exam/invalid/%s", bad_cases[i].name);
      g_test_add_data_func (path, &bad_cases[i], test_exam_invalid);
    }
  g_test_add_func ("/exam/recording-key", test_exam_recording_key);
  g_test_add_func ("/exam/second-view-policy", test_exam_second_view_policy);
  g_test_add_func ("/exam/practice-may-relax", test_exam_practice_may_relax);
  g_test_add_func ("/exam/candidate", test_candidate);
  g_test_add_func ("/exam/session-state", test_session_state);
  g_test_add_func ("/exam/session-state-round-trip", test_session_state_round_trip);
  g_test_add_func ("/exam/json-parse-errors", test_json_parse_errors);

  return g_test_run ();
}
