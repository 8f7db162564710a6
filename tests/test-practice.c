/* test-practice.c: the offline practice exam (EkPractice) without any server */

#include "config.h"

#include "ek-json.h"
#include "ek-practice.h"

static const char * const english[] = { "C", NULL };
static const char * const chinese[] = { "zh_CN.UTF-8", "zh_CN", "zh.UTF-8", "zh", "C", NULL };

static GBytes *
read_bundled (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize length = 0;

  path = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "..", "assets", "practice-exam.json", NULL);
  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (data, length);
}

/* The bundle as written, for what the translations say. */
static JsonObject *
raw_entry (guint index)
{
  g_autoptr(GBytes) bytes = read_bundled ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) root = NULL;

  root = ek_json_parse_object (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  return json_object_ref (json_array_get_object_element (json_object_get_array_member (root, "practice_exams"),
                                                         index));
}

static JsonArray *
load_string (const char  *json,
             GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

  return ek_practice_load_bundle (bytes, english, error);
}

static void
test_load (void)
{
  g_autoptr(GBytes) bytes = read_bundled ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = NULL;
  g_autoptr(EkPractice) practice = NULL;
  g_autoptr(EkExam) exam = NULL;
  JsonObject *entry;
  JsonObject *exam_object;
  const gint64 now_ms = 1700000000000;

  practices = ek_practice_load_bundle (bytes, english, &error);
  g_assert_no_error (error);
  g_assert_nonnull (practices);
  g_assert_cmpuint (json_array_get_length (practices), ==, 2);

  entry = json_array_get_object_element (practices, 0);
  g_assert_false (json_object_has_member (entry, "translations"));
  exam_object = json_object_get_object_member (entry, "exam");
  g_assert_cmpstr (json_object_get_string_member (exam_object, "title"), ==, "Practice interview");

  practice = ek_practice_new (entry, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ek_candidate_get_seat (ek_practice_get_candidate (practice)), ==, "P-001");
  g_assert_nonnull (ek_practice_get_attachments (practice));

  /* Times relative to now: the waiting room opens now, the exam starts waiting_s
   * later, the phases follow each other. */
  exam = ek_practice_build_exam (practice, now_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_exam_get_mode (exam), ==, EK_EXAM_MODE_PRACTICE);
  g_assert_cmpint (ek_exam_get_starts_ms (exam), ==,
                   now_ms + json_object_get_int_member (exam_object, "waiting_s") * 1000);
  g_assert_cmpuint (ek_exam_get_n_phases (exam), ==, 2);
  g_assert_cmpint (ek_exam_get_phase (exam, 0)->starts_ms, ==, ek_exam_get_starts_ms (exam));
  g_assert_cmpint (ek_exam_get_phase (exam, 1)->starts_ms, ==, ek_exam_get_phase (exam, 0)->ends_ms);
  g_assert_cmpint (ek_exam_get_phase (exam, 1)->ends_ms, ==, ek_exam_get_starts_ms (exam) + 600 * 1000);

  /* The written test has no attachments. */
  g_clear_object (&practice);
  practice = ek_practice_new (json_array_get_object_element (practices, 1), &error);
  g_assert_no_error (error);
  g_assert_null (ek_practice_get_attachments (practice));

  g_assert_finalize_object (g_steal_pointer (&exam));
  g_assert_finalize_object (g_steal_pointer (&practice));
}

static void
test_translate_zh_cn (void)
{
  g_autoptr(GBytes) bytes = read_bundled ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = NULL;

  practices = ek_practice_load_bundle (bytes, chinese, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (practices), ==, 2);

  for (guint i = 0; i < json_array_get_length (practices); i++)
    {
      g_autoptr(JsonObject) raw = raw_entry (i);
      JsonObject *zh = json_object_get_object_member (json_object_get_object_member (raw, "translations"),
                                                      "zh_CN");
      JsonObject *entry = json_array_get_object_element (practices, i);
      JsonObject *exam = json_object_get_object_member (entry, "exam");
      JsonObject *raw_exam = json_object_get_object_member (raw, "exam");
      g_autoptr(EkPractice) practice = NULL;

      g_assert_false (json_object_has_member (entry, "translations"));
      /* Translated members replace the English ones... */
      g_assert_cmpstr (json_object_get_string_member (exam, "title"), ==,
                       json_object_get_string_member (json_object_get_object_member (zh, "exam"), "title"));
      g_assert_cmpstr (json_object_get_string_member (exam, "title"), !=,
                       json_object_get_string_member (raw_exam, "title"));
      g_assert_cmpstr (json_object_get_string_member (entry, "description"), ==,
                       json_object_get_string_member (zh, "description"));
      /* ...inside objects, the members without a translation stay. */
      g_assert_cmpstr (json_object_get_string_member (exam, "mode"), ==, "practice");
      g_assert_cmpstr (json_object_get_string_member (exam, "id"), ==,
                       json_object_get_string_member (raw_exam, "id"));

      practice = ek_practice_new (entry, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (ek_candidate_get_name (ek_practice_get_candidate (practice)), ==, "练习考生");
      g_assert_finalize_object (g_steal_pointer (&practice));
    }
}

/* Objects merged member by member, everything else replaced; the first language
 * with a translation wins, and English stops the search. */
static void
test_translate_merge (void)
{
  g_autoptr(GError) error = NULL;
  const char *json =
    "{ \"exam\": { \"title\": \"T\", \"id\": \"x\", \"steps\": { \"draw\": true } },"
    "  \"questions\": [1, 2],"
    "  \"translations\": {"
    "    \"de\": { \"exam\": { \"title\": \"D\" } },"
    "    \"zh_CN\": { \"exam\": { \"title\": \"Z\", \"steps\": { \"attachments\": true } },"
    "                \"questions\": [3] } } }";
  g_autoptr(JsonObject) entry = ek_json_parse_object (json, strlen (json), &error);
  const char * const english_first[] = { "en_GB", "zh_CN", NULL };
  const char * const german[] = { "de_DE", "de", "zh_CN", NULL };
  const char * const none[] = { "fr", NULL };
  g_autoptr(JsonObject) zh = NULL;
  g_autoptr(JsonObject) en = NULL;
  g_autoptr(JsonObject) de = NULL;
  g_autoptr(JsonObject) fr = NULL;
  JsonObject *exam;

  g_assert_no_error (error);

  zh = ek_practice_translate (entry, chinese);
  exam = json_object_get_object_member (zh, "exam");
  g_assert_cmpstr (json_object_get_string_member (exam, "title"), ==, "Z");
  g_assert_cmpstr (json_object_get_string_member (exam, "id"), ==, "x");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (exam, "steps"), "draw"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (exam, "steps"),
                                                 "attachments"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (zh, "questions")), ==, 1);
  g_assert_false (json_object_has_member (zh, "translations"));

  en = ek_practice_translate (entry, english_first);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (en, "exam"), "title"), ==, "T");
  de = ek_practice_translate (entry, german);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (de, "exam"), "title"), ==, "D");
  fr = ek_practice_translate (entry, none);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (fr, "exam"), "title"), ==, "T");
  g_assert_false (json_object_has_member (fr, "translations"));

  /* The entry itself is left as it was. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "exam"), "title"), ==, "T");
  g_assert_true (json_object_has_member (entry, "translations"));
}

#define GOOD_EXAM \
  "\"exam\": { \"id\": \"p\", \"title\": \"P\", \"mode\": \"%s\", \"kind\": \"written\", \"late_entry_cutoff_after_start_s\": 30," \
  " \"phases\": [ { \"id\": \"answering\", \"kind\": \"answering\", \"title\": \"A\", \"duration_s\": 60 } ]," \
  " \"rules_text\": \"r\", \"pledge_text\": \"p\", \"pledge_version\": \"1\", \"lockdown\": {} }"
#define GOOD_CANDIDATE \
  "\"candidate\": { \"name\": \"N\", \"id_number_masked\": \"000***********0000\", \"seat\": \"S\" }"

static void
assert_refused (const char *json,
                int         code,
                const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = load_string (json, &error);

  g_assert_null (practices);
  g_assert_error (error, EK_JSON_ERROR, code);
  g_test_message ("refused: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "practice bundle: "));
  g_assert_nonnull (strstr (error->message, message_part));
}

static void
test_malformed (void)
{
  g_autofree char *good = g_strdup_printf ("{ \"practice_exams\": [ { " GOOD_EXAM ", " GOOD_CANDIDATE " } ] }",
                                           "practice");
  g_autofree char *mock = g_strdup_printf ("{ \"practice_exams\": [ { " GOOD_EXAM ", " GOOD_CANDIDATE " } ] }",
                                           "mock");
  g_autofree char *no_candidate = g_strdup_printf ("{ \"practice_exams\": [ { " GOOD_EXAM " } ] }", "practice");
  g_autofree char *second_bad = g_strdup_printf ("{ \"practice_exams\": [ { " GOOD_EXAM ", " GOOD_CANDIDATE " },"
                                                 " { " GOOD_CANDIDATE " } ] }", "practice");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = NULL;

  /* The well-formed one, as a baseline. */
  practices = load_string (good, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (practices), ==, 1);

  assert_refused ("{ \"practice_exams\": [", EK_JSON_ERROR_SYNTAX, "practice bundle: ");
  assert_refused ("[ 1, 2 ]", EK_JSON_ERROR_TYPE, "practice bundle: ");
  assert_refused ("{ \"exams\": [] }", EK_JSON_ERROR_MISSING, "no practice_exams list");
  assert_refused ("{ \"practice_exams\": {} }", EK_JSON_ERROR_MISSING, "no practice_exams list");
  assert_refused ("{ \"practice_exams\": [ 7 ] }", EK_JSON_ERROR_TYPE, "practice_exams[0] is not an object");
  assert_refused ("{ \"practice_exams\": [ { " GOOD_CANDIDATE " } ] }", EK_JSON_ERROR_MISSING,
                  "practice bundle: practice_exams[0]: no exam object");
  assert_refused (mock, EK_JSON_ERROR_VALUE, "practice bundle: practice_exams[0]: the exam's mode is not");
  assert_refused (no_candidate, EK_JSON_ERROR_MISSING, "practice bundle: practice_exams[0]: no candidate object");
  /* One practice exam alone says so too. */
  {
    const char *json = "{ " GOOD_CANDIDATE " }";
    g_autoptr(JsonObject) entry = ek_json_parse_object (json, strlen (json), &error);
    g_autoptr(EkPractice) practice = NULL;

    g_assert_no_error (error);
    practice = ek_practice_new (entry, &error);
    g_assert_null (practice);
    g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING);
    g_assert_cmpstr (error->message, ==, "practice exam: no exam object");
    g_clear_error (&error);
  }

  /* One bad entry refuses the whole bundle. */
  assert_refused (second_bad, EK_JSON_ERROR_MISSING, "practice bundle: practice_exams[1]: no exam object");
}

static void
test_steps (void)
{
  g_autoptr(GBytes) bytes = read_bundled ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = NULL;
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(EkPractice) practice = NULL;
  g_autoptr(JsonArray) questions = NULL;
  const EkSessionState *state;

  practices = ek_practice_load_bundle (bytes, english, &error);
  g_assert_no_error (error);
  practice = ek_practice_new (json_array_get_object_element (practices, 0), &error);
  g_assert_no_error (error);
  g_assert_true (ek_practice_start (practice, session, &error));
  g_assert_no_error (error);
  g_assert_true (ek_practice_get_session (practice) == session);

  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_STEPS);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_PLEDGE);

  /* Out of order, as the server refuses it. */
  g_assert_false (ek_practice_complete_step (practice, EK_STEP_DRAW, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_PLEDGE);

  g_assert_true (ek_practice_answer_pledge (practice, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_DRAW);
  g_assert_false (ek_practice_answer_pledge (practice, TRUE, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP);
  g_clear_error (&error);

  g_assert_true (ek_practice_complete_step (practice, EK_STEP_DRAW, &error));
  g_assert_no_error (error);
  state = ek_session_get_state (session);
  g_assert_cmpint (state->sequence_number, >=, 1);
  g_assert_cmpint (state->sequence_number, <=, 30);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_ATTACHMENTS);

  g_assert_true (ek_practice_complete_step (practice, EK_STEP_ATTACHMENTS, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_DEVICE_CONFIRM);
  g_assert_true (ek_practice_complete_step (practice, EK_STEP_DEVICE_CONFIRM, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);

  /* Not yet: the waiting room lasts waiting_s. */
  g_assert_false (ek_practice_enter (practice, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_OPEN);
  g_clear_error (&error);

  /* The interview's answering phase shows the reading phase's questions. */
  questions = ek_practice_get_questions (practice, 1);
  g_assert_cmpuint (json_array_get_length (questions), ==, 3);
  g_clear_pointer (&questions, json_array_unref);
  questions = ek_practice_get_questions (practice, 0);
  g_assert_cmpuint (json_array_get_length (questions), ==, 3);
  g_clear_pointer (&questions, json_array_unref);
  questions = ek_practice_get_questions (practice, 7);
  g_assert_cmpuint (json_array_get_length (questions), ==, 0);

  ek_practice_leave (practice);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_ENDED);
  g_assert_cmpint (ek_session_get_state (session)->end_reason, ==, EK_END_REASON_ENDED_BY_CANDIDATE);

  g_assert_finalize_object (g_steal_pointer (&practice));
  g_assert_finalize_object (g_steal_pointer (&session));
  g_assert_finalize_object (g_steal_pointer (&clock));
}

static void
test_pledge_declined (void)
{
  g_autoptr(GBytes) bytes = read_bundled ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) practices = NULL;
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(EkPractice) practice = NULL;

  practices = ek_practice_load_bundle (bytes, english, &error);
  g_assert_no_error (error);
  practice = ek_practice_new (json_array_get_object_element (practices, 1), &error);
  g_assert_no_error (error);
  g_assert_true (ek_practice_start (practice, session, &error));

  g_assert_true (ek_practice_answer_pledge (practice, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_ENDED);
  g_assert_cmpint (ek_session_get_state (session)->end_reason, ==, EK_END_REASON_PLEDGE_DECLINED);

  g_assert_finalize_object (g_steal_pointer (&practice));
  g_assert_finalize_object (g_steal_pointer (&session));
  g_assert_finalize_object (g_steal_pointer (&clock));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/practice/load", test_load);
  g_test_add_func ("/practice/translate/zh-CN", test_translate_zh_cn);
  g_test_add_func ("/practice/translate/merge", test_translate_merge);
  g_test_add_func ("/practice/malformed", test_malformed);
  g_test_add_func ("/practice/steps", test_steps);
  g_test_add_func ("/practice/pledge-declined", test_pledge_declined);

  return g_test_run ();
}
