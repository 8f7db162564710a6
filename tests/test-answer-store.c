/* test-answer-store.c: question lists, answer values, the local answer store, and a crash
 *
 * No server here (tests/test-answer-sync.c has the pushes): the store runs without an
 * API client, as in the practice exam. The crash test runs this same executable as a
 * child (--crash-child DB) that keeps answering until the parent kills it with SIGKILL.
 */

#include "config.h"

#include <errno.h>

#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ek-answer-store-private.h"
#include "ek-question.h"

#define WAIT_TIMEOUT_US (30 * G_USEC_PER_SEC)

static const char questions_json[] =
  "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"Which port does HTTPS use?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"80\" }, { \"id\": \"b\", \"text\": \"443\" } ] },"
  "  { \"id\": \"q2\", \"type\": \"multiple\", \"text\": \"Lossless formats?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"PNG\" }, { \"id\": \"b\", \"text\": \"JPEG\" },"
  "                   { \"id\": \"c\", \"text\": \"FLAC\" } ] },"
  "  { \"id\": \"q3\", \"type\": \"true_false\", \"text\": \"SHA-256 has 256 bits.\" },"
  "  { \"id\": \"q4\", \"type\": \"text\", \"text\": \"Why resume?\", \"max_length\": 10 },"
  "  { \"id\": \"q5\", \"type\": \"oral\", \"text\": \"Introduce yourself.\" } ]";

/* Helpers */

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static GListModel *
make_questions (void)
{
  g_autoptr(JsonNode) node = parse (questions_json);
  g_autoptr(GError) error = NULL;
  GListModel *questions = ek_question_list_new_from_json (json_node_get_array (node), &error);

  g_assert_no_error (error);
  g_assert_nonnull (questions);
  return questions;
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ek-answers-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

static void
on_result_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

static EkAnswerStore *
open_store (const char *path,
            GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_answer_store_new_async (path, NULL, NULL, on_result_cb, &result);
  return ek_answer_store_new_finish (wait_result (&result), error);
}

static EkAnswerStore *
open_store_with_questions (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) questions = make_questions ();
  EkAnswerStore *store = open_store (path, &error);

  g_assert_no_error (error);
  g_assert_true (EK_IS_ANSWER_STORE (store));
  ek_answer_store_add_questions (store, questions);
  return store;
}

static void
flush (EkAnswerStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_answer_store_flush_async (store, NULL, on_result_cb, &result);
  g_assert_true (ek_answer_store_flush_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
}

/* A finished write's worker thread lets go of the store (its GTask) a moment after the
 * main thread saw the result: wait for that, not for anything else. */
static void
wait_for_writer (EkAnswerStore *store)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_atomic_int_get (&G_OBJECT (store)->ref_count) > 1 &&
         g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Closes the store once everything is written. */
static void
close_store (EkAnswerStore *store)
{
  flush (store);
  wait_for_writer (store);
  g_assert_finalize_object (store);
}

static void
set_json (EkAnswerStore *store,
          const char    *question_id,
          const char    *json)
{
  g_autoptr(JsonNode) value = parse (json);
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_answer_store_set_value (store, question_id, value, &error));
  g_assert_no_error (error);
}

static void
assert_value (EkAnswerStore *store,
              const char    *question_id,
              const char    *expected_json)
{
  JsonNode *value = ek_answer_store_get_value (store, question_id);
  g_autofree char *text = value != NULL ? json_to_string (value, FALSE) : g_strdup ("null");
  g_autoptr(JsonNode) expected = parse (expected_json);
  g_autofree char *expected_text = json_to_string (expected, FALSE);

  g_assert_cmpstr (text, ==, expected_text);
}

static gboolean
json_valid (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  return node != NULL;
}

/* Questions */

static void
test_question_parse (void)
{
  g_autoptr(GListModel) questions = make_questions ();
  EkQuestion *q;
  guint position = 0;

  g_assert_cmpuint (g_list_model_get_n_items (questions), ==, 5);

  q = ek_question_list_find (questions, "q2", &position);
  g_assert_nonnull (q);
  g_assert_cmpuint (position, ==, 1);
  g_assert_cmpint (ek_question_get_question_type (q), ==, EK_QUESTION_TYPE_MULTIPLE);
  g_assert_cmpstr (ek_question_get_text (q), ==, "Lossless formats?");
  g_assert_cmpuint (ek_question_get_n_options (q), ==, 3);
  g_assert_cmpstr (ek_question_get_option_id (q, 2), ==, "c");
  g_assert_cmpstr (ek_question_get_option_text (q, 2), ==, "FLAC");
  g_assert_cmpint (ek_question_find_option (q, "b"), ==, 1);
  g_assert_cmpint (ek_question_find_option (q, "z"), ==, -1);
  g_assert_true (ek_question_takes_answer (q));

  q = ek_question_list_find (questions, "q4", NULL);
  g_assert_cmpint (ek_question_get_question_type (q), ==, EK_QUESTION_TYPE_TEXT);
  g_assert_cmpuint (ek_question_get_max_length (q), ==, 10);

  q = ek_question_list_find (questions, "q5", NULL);
  g_assert_false (ek_question_takes_answer (q));
  g_assert_null (ek_question_list_find (questions, "nope", NULL));
}

static void
test_question_invalid (void)
{
  static const struct {
    const char *json;
    const char *reason;  /* a part of the message */
  } cases[] = {
    { "[ { \"type\": \"single\", \"text\": \"T\", \"options\": [ { \"id\": \"a\", \"text\": \"A\" } ] } ]",
      "identifier" },
    { "[ { \"id\": \"bad id!\", \"type\": \"true_false\", \"text\": \"T\" } ]", "identifier" },
    { "[ { \"id\": \"q1\", \"type\": \"essay\", \"text\": \"T\" } ]", "type" },
    { "[ { \"id\": \"q1\", \"type\": \"true_false\", \"text\": \"\" } ]", "empty" },
    { "[ { \"id\": \"q1\", \"type\": \"true_false\", \"text\": 5 } ]", "text" },
    { "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"T\" } ]", "options" },
    { "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"T\", \"options\": [] } ]", "options" },
    { "[ { \"id\": \"q1\", \"type\": \"multiple\", \"text\": \"T\", \"options\": [ { \"id\": \"a\", \"text\": \"A\" },"
      " { \"id\": \"a\", \"text\": \"B\" } ] } ]", "twice" },
    { "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"T\", \"options\": [ { \"id\": \"a\" } ] } ]", "text" },
    { "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"T\", \"options\": [ \"a\" ] } ]", "object" },
    { "[ { \"id\": \"q1\", \"type\": \"text\", \"text\": \"T\" } ]", "maximum length" },
    { "[ { \"id\": \"q1\", \"type\": \"text\", \"text\": \"T\", \"max_length\": 0 } ]", "maximum length" },
    { "[ { \"id\": \"q1\", \"type\": \"true_false\", \"text\": \"T\" },"
      "  { \"id\": \"q1\", \"type\": \"true_false\", \"text\": \"U\" } ]", "twice" },
    { "[ { \"id\": \"q1\", \"type\": \"true_false\", \"text\": \"T\" }, 7 ]", "question 2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(GListModel) questions = NULL;

      questions = ek_question_list_new_from_json (json_node_get_array (node), &error);
      g_assert_null (questions);
      g_assert_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID);
      g_test_message ("case %u: %s", i, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].reason));
      g_assert_nonnull (strstr (error->message, "invalid question list"));
    }
}

static void
test_question_values (void)
{
  g_autoptr(GListModel) questions = make_questions ();
  static const struct {
    const char *question_id;
    const char *json;
    gboolean    valid;
  } cases[] = {
    { "q1", "\"a\"", TRUE },
    { "q1", "\"b\"", TRUE },
    { "q1", "null", TRUE },
    { "q1", "\"z\"", FALSE },
    { "q1", "[\"a\"]", FALSE },
    { "q1", "1", FALSE },
    { "q1", "true", FALSE },
    { "q2", "[]", TRUE },
    { "q2", "[\"a\", \"c\"]", TRUE },
    { "q2", "[\"c\", \"b\", \"a\"]", TRUE },
    { "q2", "[\"a\", \"a\"]", FALSE },
    { "q2", "[\"a\", \"z\"]", FALSE },
    { "q2", "\"a\"", FALSE },
    { "q2", "[1]", FALSE },
    { "q3", "true", TRUE },
    { "q3", "false", TRUE },
    { "q3", "\"true\"", FALSE },
    { "q3", "1", FALSE },
    { "q4", "\"\"", TRUE },
    { "q4", "\"0123456789\"", TRUE },
    { "q4", "\"一二三四五六七八九十\"", TRUE },  /* characters, not bytes */
    { "q4", "\"01234567890\"", FALSE },
    { "q4", "\"一二三四五六七八九十一\"", FALSE },
    { "q4", "5", FALSE },
    { "q4", "[\"text\"]", FALSE },
    { "q5", "\"spoken\"", FALSE },
    { "q5", "null", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      EkQuestion *question = ek_question_list_find (questions, cases[i].question_id, NULL);
      g_autoptr(JsonNode) value = parse (cases[i].json);
      g_autoptr(GError) error = NULL;
      gboolean valid = ek_question_validate_value (question, value, &error);

      g_test_message ("%s = %s", cases[i].question_id, cases[i].json);
      g_assert_cmpint (valid, ==, cases[i].valid);
      if (valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE);
    }

  /* NULL clears, like JSON null */
  g_assert_true (ek_question_validate_value (ek_question_list_find (questions, "q3", NULL), NULL, NULL));

  g_assert_false (ek_question_value_is_answered (NULL));
  {
    g_autoptr(JsonNode) empty_text = parse ("\"\"");
    g_autoptr(JsonNode) empty_choice = parse ("[]");
    g_autoptr(JsonNode) no = parse ("false");
    g_autoptr(JsonNode) null = parse ("null");

    g_assert_false (ek_question_value_is_answered (empty_text));
    g_assert_false (ek_question_value_is_answered (empty_choice));
    g_assert_false (ek_question_value_is_answered (null));
    g_assert_true (ek_question_value_is_answered (no));  /* "false" is an answer */
  }
}

/* The store */

static void
test_store_values_and_revisions (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "s-1", "answers.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bad = parse ("\"z\"");
  EkAnswerStore *store = open_store_with_questions (path);
  guint changed = 0;

  g_signal_connect_swapped (store, "answer-changed", G_CALLBACK (g_atomic_int_inc), &changed);

  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 0);
  g_assert_cmpuint (ek_answer_store_get_n_unanswered (store), ==, 4);  /* oral not counted */
  g_assert_cmpuint (ek_answer_store_get_n_flagged (store), ==, 0);
  g_assert_cmpuint (ek_answer_store_get_n_pending_sync (store), ==, 0);  /* no server */
  g_assert_false (ek_answer_store_get_read_only (store));
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 0);
  g_assert_null (ek_answer_store_get_value (store, "q1"));

  set_json (store, "q1", "\"a\"");
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 1);
  set_json (store, "q1", "\"b\"");
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 2);
  /* the same value again is no change */
  set_json (store, "q1", "\"b\"");
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 2);
  g_assert_cmpuint (changed, ==, 2);

  /* an invalid value changes nothing */
  g_assert_false (ek_answer_store_set_value (store, "q1", bad, &error));
  g_assert_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 2);
  assert_value (store, "q1", "\"b\"");

  /* unknown and oral questions take nothing */
  g_assert_false (ek_answer_store_set_value (store, "q9", bad, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_UNKNOWN_QUESTION);
  g_clear_error (&error);
  g_assert_false (ek_answer_store_set_value (store, "q5", bad, &error));
  g_assert_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  set_json (store, "q2", "[\"c\", \"a\"]");
  set_json (store, "q3", "false");
  set_json (store, "q4", "\"\"");  /* an empty text is no answer */
  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 3);
  g_assert_cmpuint (ek_answer_store_get_n_unanswered (store), ==, 1);
  g_assert_true (ek_answer_store_is_answered (store, "q3"));
  g_assert_false (ek_answer_store_is_answered (store, "q4"));

  /* flags: counted, no revision */
  g_assert_true (ek_answer_store_set_flagged (store, "q4", TRUE, &error));
  g_assert_true (ek_answer_store_set_flagged (store, "q1", TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ek_answer_store_get_n_flagged (store), ==, 2);
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 2);
  g_assert_true (ek_answer_store_get_flagged (store, "q4"));
  g_assert_true (ek_answer_store_set_flagged (store, "q1", FALSE, NULL));
  g_assert_cmpuint (ek_answer_store_get_n_flagged (store), ==, 1);

  /* clearing */
  g_assert_true (ek_answer_store_set_value (store, "q3", NULL, &error));
  g_assert_null (ek_answer_store_get_value (store, "q3"));
  g_assert_cmpint (ek_answer_store_get_revision (store, "q3"), ==, 2);
  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 2);

  close_store (store);
  remove_tree (dir);
}

/* The server's answer list (GET /v1/session/answers, as ek-answer-store-sync.c applies
 * it): a value that does not fit its known question refuses the whole list and changes
 * nothing; a question the store does not know yet takes any value. */
static void
test_store_server_list (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "s-1", "answers.sqlite", NULL);
  EkAnswerStore *store = open_store_with_questions (path);
  const char * const refused[] = {
    "{ \"answers\": [ { \"question_id\": \"q2\", \"revision\": 5, \"value\": [\"a\"] },"
    "  { \"question_id\": \"q1\", \"revision\": 9, \"value\": [\"a\"] } ] }",
    "{ \"answers\": [ { \"question_id\": \"q3\", \"revision\": 9, \"value\": \"true\" } ] }",
    "{ \"answers\": [ { \"question_id\": \"q4\", \"revision\": 9, \"value\": \"eleven char\" } ] }",
    "{ \"answers\": [ { \"question_id\": \"q1\", \"revision\": 9, \"value\": \"z\" } ] }",
    "{ \"answers\": [ { \"question_id\": \"..\", \"revision\": 1, \"value\": null } ] }",
    "{ \"answers\": { \"q1\": \"a\" } }",
  };

  set_json (store, "q1", "\"a\"");
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(JsonNode) node = parse (refused[i]);
      g_autoptr(GError) error = NULL;

      g_assert_false (_ek_answer_store_apply_server_answers (store, json_node_get_object (node), &error));
      g_assert_error (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE);
      g_assert_nonnull (strstr (error->message, "answer list"));
      assert_value (store, "q1", "\"a\"");
      g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 1);
      g_assert_null (ek_answer_store_get_value (store, "q2"));
      g_assert_null (ek_answer_store_get_value (store, "q9"));
    }

  {
    g_autoptr(JsonNode) node = parse ("{ \"answers\": ["
                                      "  { \"question_id\": \"q1\", \"revision\": 3, \"value\": \"b\" },"
                                      "  { \"question_id\": \"q2\", \"revision\": 2, \"value\": [\"c\"] },"
                                      "  { \"question_id\": \"q9\", \"revision\": 1, \"value\": { \"any\": 1 } } ] }");
    g_autoptr(GError) error = NULL;

    g_assert_true (_ek_answer_store_apply_server_answers (store, json_node_get_object (node), &error));
    g_assert_no_error (error);
    assert_value (store, "q1", "\"b\"");
    g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 3);
    g_assert_cmpint (ek_answer_store_get_confirmed_revision (store, "q1"), ==, 3);
    assert_value (store, "q2", "[\"c\"]");
    g_assert_cmpint (ek_answer_store_get_revision (store, "q9"), ==, 1);
  }

  close_store (store);
  remove_tree (dir);
}

static void
test_store_restart (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *session_dir = g_build_filename (dir, "data", "sessions", "s-2", NULL);
  g_autofree char *path = g_build_filename (session_dir, "answers.sqlite", NULL);
  g_autofree char *long_text = NULL;
  EkAnswerStore *store = open_store_with_questions (path);
  struct stat st;

  set_json (store, "q1", "\"a\"");
  set_json (store, "q2", "[\"b\", \"a\"]");
  set_json (store, "q3", "true");
  set_json (store, "q3", "false");
  set_json (store, "q4", "\"短答 ok\\n\\\"q\\\"\"");
  g_assert_true (ek_answer_store_set_flagged (store, "q2", TRUE, NULL));
  close_store (store);

  /* private: the folder 0700, the database 0600 */
  g_assert_cmpint (g_stat (session_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  store = open_store_with_questions (path);
  assert_value (store, "q1", "\"a\"");
  assert_value (store, "q2", "[\"b\", \"a\"]");
  assert_value (store, "q3", "false");
  assert_value (store, "q4", "\"短答 ok\\n\\\"q\\\"\"");
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 1);
  g_assert_cmpint (ek_answer_store_get_revision (store, "q3"), ==, 2);
  g_assert_true (ek_answer_store_get_flagged (store, "q2"));
  g_assert_false (ek_answer_store_get_flagged (store, "q1"));
  g_assert_cmpuint (ek_answer_store_get_n_answered (store), ==, 4);
  g_assert_cmpuint (ek_answer_store_get_n_flagged (store), ==, 1);

  /* revisions go on from where they were */
  set_json (store, "q3", "true");
  g_assert_cmpint (ek_answer_store_get_revision (store, "q3"), ==, 3);
  close_store (store);

  /* a folder that was too open is tightened */
  g_assert_cmpint (g_chmod (session_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  store = open_store_with_questions (path);
  assert_value (store, "q3", "true");
  g_assert_cmpint (g_stat (session_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  close_store (store);

  remove_tree (dir);
}

static void
test_store_read_only (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "answers.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = parse ("\"b\"");
  EkAnswerStore *store = open_store_with_questions (path);
  guint notified = 0;

  g_signal_connect_swapped (store, "notify::read-only", G_CALLBACK (g_atomic_int_inc), &notified);
  set_json (store, "q1", "\"a\"");
  ek_answer_store_set_read_only (store);
  g_assert_true (ek_answer_store_get_read_only (store));
  g_assert_cmpuint (notified, ==, 1);

  g_assert_false (ek_answer_store_set_value (store, "q1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  g_assert_false (ek_answer_store_set_flagged (store, "q1", TRUE, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  assert_value (store, "q1", "\"a\"");

  /* no server: nothing to sync */
  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_answer_store_sync_async (store, NULL, on_result_cb, &result);
    g_assert_false (ek_answer_store_sync_finish (store, wait_result (&result), &error));
    g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_OFFLINE);
    g_clear_error (&error);
  }
  close_store (store);

  /* still read-only after a restart: re-entry after the time only finishes the upload */
  store = open_store_with_questions (path);
  g_assert_true (ek_answer_store_get_read_only (store));
  assert_value (store, "q1", "\"a\"");
  g_assert_false (ek_answer_store_set_value (store, "q1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  close_store (store);

  remove_tree (dir);
}

static void
test_store_deadline (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "answers.sqlite", NULL);
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = parse ("\"b\"");
  EkAnswerStore *store = open_store_with_questions (path);
  gint64 deadline_ms = ek_server_clock_now_ms (clock) + 400;
  gint64 give_up = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  ek_answer_store_set_deadline (store, clock, deadline_ms);
  set_json (store, "q1", "\"a\"");
  g_assert_false (ek_answer_store_get_read_only (store));

  /* the store closes itself when the time is over */
  while (!ek_answer_store_get_read_only (store))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (ek_server_clock_now_ms (clock), >=, deadline_ms);
  g_assert_false (ek_answer_store_set_value (store, "q1", value, &error));
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY);
  g_clear_error (&error);
  close_store (store);

  /* a deadline already past refuses at once */
  store = open_store_with_questions (path);
  g_assert_true (ek_answer_store_get_read_only (store));
  close_store (store);
  remove_tree (dir);

  dir = (g_free (dir), make_tmp_dir ());
  g_free (path);
  path = g_build_filename (dir, "answers.sqlite", NULL);
  store = open_store_with_questions (path);
  ek_answer_store_set_deadline (store, clock, ek_server_clock_now_ms (clock) - 1);
  g_assert_true (ek_answer_store_get_read_only (store));
  close_store (store);
  remove_tree (dir);
}

/* Rows of a damaged or edited answers.sqlite (tests/fuzz/fuzz-records.c feeds such
 * rows): a value nested far deeper than any answer reads as no answer, a question id
 * that could not have been written is skipped, the others are read as written. */
/* What the answer view calls "saved on this computer": `unsaved` turns FALSE only once
 * the change can be read back from the database by another connection (a kiosk killed
 * at that moment keeps it), and it is TRUE from the moment of the change until then. */
typedef struct
{
  const char *path;
  guint       n_notify;
  gboolean    on_disk_when_saved;
} UnsavedWatch;

static char *
read_value_on_disk (const char *path,
                    const char *question_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT value FROM answers WHERE question_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, question_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
on_unsaved_cb (EkAnswerStore *store,
               GParamSpec    *pspec,
               UnsavedWatch  *watch)
{
  watch->n_notify++;
  if (!ek_answer_store_get_unsaved (store))
    {
      g_autofree char *value = read_value_on_disk (watch->path, "q4");

      watch->on_disk_when_saved = g_strcmp0 (value, "\"third\"") == 0;
    }
}

static void
test_store_unsaved (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "answers.sqlite", NULL);
  EkAnswerStore *store = open_store_with_questions (path);
  UnsavedWatch watch = { path, 0, FALSE };

  flush (store);
  g_assert_false (ek_answer_store_get_unsaved (store));
  g_signal_connect (store, "notify::unsaved", G_CALLBACK (on_unsaved_cb), &watch);

  /* three changes in a row: unsaved at once, one notification until all are written */
  set_json (store, "q4", "\"first\"");
  g_assert_true (ek_answer_store_get_unsaved (store));
  set_json (store, "q4", "\"second\"");
  set_json (store, "q4", "\"third\"");
  g_assert_true (ek_answer_store_get_unsaved (store));
  g_assert_cmpuint (watch.n_notify, ==, 1);

  flush (store);
  g_assert_false (ek_answer_store_get_unsaved (store));
  g_assert_cmpuint (watch.n_notify, ==, 2);
  g_assert_true (watch.on_disk_when_saved);

  /* flagging is a change on disk too */
  g_assert_true (ek_answer_store_set_flagged (store, "q4", TRUE, NULL));
  g_assert_true (ek_answer_store_get_unsaved (store));
  flush (store);
  g_assert_false (ek_answer_store_get_unsaved (store));
  g_assert_cmpuint (watch.n_notify, ==, 4);

  g_signal_handlers_disconnect_by_data (store, &watch);
  close_store (store);
  remove_tree (dir);
}

static void
test_store_damaged_rows (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "answers.sqlite", NULL);
  g_autoptr(GString) deep = g_string_new ("[");
  g_autoptr(JsonNode) expected = parse ("[\"a\",\"c\"]");
  EkAnswerStore *store;
  sqlite3_stmt *stmt;
  sqlite3 *db;

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "[");

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE answers (question_id TEXT PRIMARY KEY, value TEXT NOT NULL,"
                                 " revision INTEGER NOT NULL, confirmed_revision INTEGER NOT NULL,"
                                 " flagged INTEGER NOT NULL, changed_ms INTEGER NOT NULL);"
                                 "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                 "INSERT INTO answers VALUES ('..', '\"a\"', 1, 1, 0, 1);"
                                 "INSERT INTO answers VALUES ('q2', '[\"a\",\"c\"]', 2, 2, 1, 2);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO answers VALUES ('q1', ?1, 3, 0, 0, 3)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, deep->str, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);

  store = open_store_with_questions (path);
  g_assert_null (ek_answer_store_get_value (store, "q1"));
  g_assert_cmpint (ek_answer_store_get_revision (store, "q1"), ==, 3);
  g_assert_true (json_node_equal (ek_answer_store_get_value (store, "q2"), expected));
  g_assert_null (ek_answer_store_get_value (store, ".."));
  close_store (store);
  remove_tree (dir);
}

static void
test_store_bad_database (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "answers.sqlite", NULL);
  g_autofree char *blocker = g_build_filename (dir, "file", NULL);
  g_autofree char *under_file = g_build_filename (blocker, "answers.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EkAnswerStore) store = NULL;

  /* not a database */
  g_assert_true (g_file_set_contents (path, "this is not an SQLite database, just text that is long enough "
                                            "to be read as a header and rejected by SQLite.", -1, NULL));
  store = open_store (path, &error);
  g_assert_null (store);
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE);
  g_test_message ("%s", error->message);
  /* The store's own words around SQLite's, as before the shared SQLite helper. */
  g_assert_cmpstr (error->message, ==,
                   "The answers cannot be saved on this computer (file is not a database). "
                   "Ask the proctor for help and keep this window open.");
  g_clear_error (&error);

  /* a folder that cannot be made */
  g_assert_true (g_file_set_contents (blocker, "x", -1, NULL));
  store = open_store (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE);
  g_assert_nonnull (strstr (error->message, blocker));
  {
    g_autofree char *expected = g_strdup_printf ("The answers cannot be saved on this computer (%s: %s). "
                                                 "Ask your technician to check the disk and its permissions.",
                                                 under_file, g_strerror (ENOTDIR));

    g_assert_cmpstr (error->message, ==, expected);
  }

  remove_tree (dir);
}

static void
test_store_build_path (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autofree char *path = ek_answer_store_build_path (config, "s-5f0c");
  g_autofree char *expected = g_build_filename (ek_config_get_data_dir (config), "sessions", "s-5f0c",
                                                "answers.sqlite", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* The crash: a child answers as fast as it can and prints each change once the store
 * says it is on disk; the parent kills it with SIGKILL in the middle and reopens. */

typedef struct
{
  EkAnswerStore *store;
  guint          n;
} Child;

static void
on_child_flushed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GPtrArray) lines = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_answer_store_flush_finish (EK_ANSWER_STORE (source), result, &error))
    g_error ("flush: %s", error->message);

  /* Saved on disk: only now does the parent learn of these changes. */
  for (guint i = 0; i < lines->len; i++)
    g_print ("ACK %s\n", (const char *) g_ptr_array_index (lines, i));
  fflush (stdout);
}

/* A few changes, then a flush for them; runs every millisecond, so writes, flushes and
 * acknowledgements overlap when the kill comes. */
static gboolean
on_child_tick_cb (gpointer user_data)
{
  static const char * const q1[] = { "\"a\"", "\"b\"", "null" };
  static const char * const q2[] = { "[\"a\"]", "[\"c\", \"a\"]", "[\"b\", \"c\", \"a\"]", "[]" };
  static const char * const q3[] = { "true", "false" };
  Child *child = user_data;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 3; i++, child->n++)
    {
      const char *question_id;
      g_autofree char *json = NULL;

      switch (child->n % 4)
        {
        case 0: question_id = "q1"; json = g_strdup (q1[child->n / 4 % 3]); break;
        case 1: question_id = "q2"; json = g_strdup (q2[child->n / 4 % 4]); break;
        case 2: question_id = "q3"; json = g_strdup (q3[child->n / 4 % 2]); break;
        default: question_id = "q4"; json = g_strdup_printf ("\"t%u\"", child->n % 1000); break;
        }
      set_json (child->store, question_id, json);
      g_ptr_array_add (lines, g_strdup_printf ("%s %" G_GINT64_FORMAT " %s", question_id,
                                               ek_answer_store_get_revision (child->store, question_id),
                                               json));
    }

  ek_answer_store_flush_async (child->store, NULL, on_child_flushed_cb, lines);
  return G_SOURCE_CONTINUE;
}

static int
crash_child_main (const char *path)
{
  Child child = { NULL, 0 };

  child.store = open_store_with_questions (path);
  g_timeout_add (1, on_child_tick_cb, &child);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 1;
}

typedef struct
{
  gint64 revision;
  char  *json;
} Acked;

static void
acked_free (gpointer data)
{
  Acked *acked = data;

  g_free (acked->json);
  g_free (acked);
}

static void
test_store_crash (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "sessions", "s-crash", "answers.sqlite", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GHashTable) acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, acked_free);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  const char *question_id;
  Acked *entry;
  EkAnswerStore *store;
  guint n_acks = 0;
  gboolean killed = FALSE;

  g_assert_nonnull (self_exe);
  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, "--crash-child", path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

  /* Kill it once it has saved a good number of changes; then read what it had already
   * acknowledged before the kill (still in the pipe). */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_auto(GStrv) parts = NULL;
      gint64 revision;

      g_assert_no_error (error);
      if (line == NULL)
        break;

      parts = g_strsplit (line, " ", 4);
      if (g_strv_length (parts) != 4 || !json_valid (parts[3]))
        {
          /* The kill can cut the last write to the pipe, nothing before it. */
          g_assert_true (killed);
          continue;
        }
      g_assert_cmpstr (parts[0], ==, "ACK");
      revision = g_ascii_strtoll (parts[2], NULL, 10);
      entry = g_hash_table_lookup (acked, parts[1]);
      if (entry == NULL)
        {
          entry = g_new0 (Acked, 1);
          g_hash_table_insert (acked, g_strdup (parts[1]), entry);
        }
      g_assert_cmpint (revision, >, entry->revision);
      entry->revision = revision;
      g_free (entry->json);
      entry->json = g_strdup (parts[3]);

      if (++n_acks == 400 && !killed)
        {
          g_subprocess_force_exit (child);
          killed = TRUE;
        }
    }
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (killed);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_test_message ("%u changes acknowledged before SIGKILL", n_acks);

  /* Every acknowledged change is there: the revision is at least the acknowledged one,
   * and where it is the same, so is the value. */
  store = open_store_with_questions (path);
  g_assert_cmpuint (g_hash_table_size (acked), ==, 4);
  g_hash_table_iter_init (&iter, acked);
  while (g_hash_table_iter_next (&iter, (gpointer *) &question_id, (gpointer *) &entry))
    {
      gint64 revision = ek_answer_store_get_revision (store, question_id);

      g_test_message ("%s: acknowledged revision %" G_GINT64_FORMAT ", reopened %" G_GINT64_FORMAT,
                      question_id, entry->revision, revision);
      g_assert_cmpint (revision, >=, entry->revision);
      if (revision == entry->revision)
        assert_value (store, question_id, entry->json);
    }
  g_assert_cmpuint (ek_answer_store_get_n_answered (store) + ek_answer_store_get_n_unanswered (store), ==, 4);
  close_store (store);

  remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  if (argc == 3 && g_str_equal (argv[1], "--crash-child"))
    return crash_child_main (argv[2]);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/question/parse", test_question_parse);
  g_test_add_func ("/question/invalid", test_question_invalid);
  g_test_add_func ("/question/values", test_question_values);
  g_test_add_func ("/answer-store/values-and-revisions", test_store_values_and_revisions);
  g_test_add_func ("/answer-store/restart", test_store_restart);
  g_test_add_func ("/answer-store/server-list", test_store_server_list);
  g_test_add_func ("/answer-store/read-only", test_store_read_only);
  g_test_add_func ("/answer-store/deadline", test_store_deadline);
  g_test_add_func ("/answer-store/bad-database", test_store_bad_database);
  g_test_add_func ("/answer-store/damaged-rows", test_store_damaged_rows);
  g_test_add_func ("/answer-store/unsaved", test_store_unsaved);
  g_test_add_func ("/answer-store/build-path", test_store_build_path);
  g_test_add_func ("/answer-store/crash", test_store_crash);

  return g_test_run ();
}
