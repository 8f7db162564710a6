/* fuzz-answer-list.c: the server's answer list (GET /v1/session/answers)
 *
 * The answer store compares its answers with the server's on a conflict, a re-entry
 * and a restart (client/exam/ek-answer-store-sync.c). Each input is the body of that
 * answer, read as the API client reads it (ek_json_parse_object), and applied to a
 * store that knows five questions (one of each type) and holds answers of its own at
 * revisions 1 and 2 (one store for the run, its answers set again before each input);
 * the store then writes what changed to its database. After a list it accepted, every
 * answer it listed has at least the listed revision and every value of a known question
 * fits it; after a list it refused, nothing changed.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-answer-store-private.h"
#include "ek-fuzz.h"
#include "ek-json.h"

static const char questions_json[] =
  "[ { \"id\": \"q1\", \"type\": \"single\", \"text\": \"T\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"A\" }, { \"id\": \"b\", \"text\": \"B\" } ] },"
  "  { \"id\": \"q2\", \"type\": \"multiple\", \"text\": \"T\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"A\" }, { \"id\": \"b\", \"text\": \"B\" } ] },"
  "  { \"id\": \"q3\", \"type\": \"true_false\", \"text\": \"T\" },"
  "  { \"id\": \"q4\", \"type\": \"text\", \"text\": \"T\", \"max_length\": 10 },"
  "  { \"id\": \"q5\", \"type\": \"oral\", \"text\": \"T\" } ]";

/* The store's own answers before the list: question, then its values in turn. */
static const char * const local_values[][3] = {
  { "q1", "\"a\"", "\"b\"" },
  { "q2", "[\"a\", \"b\"]", NULL },
  { "q4", "\"abc\"", "\"abcd\"" },
};

static GListModel *questions;
static char *folder;
static EkAnswerStore *store;

static void
on_result_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static EkAnswerStore *
open_store (const char *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  EkAnswerStore *store;

  ek_answer_store_new_async (path, NULL, NULL, on_result_cb, &result);
  store = ek_answer_store_new_finish (wait_for (&result), NULL);
  if (store == NULL)
    abort ();
  ek_answer_store_add_questions (store, questions);
  return store;
}

/* The same answers of its own before every input, without a database round trip:
 * the values set in turn, as ek_answer_store_set_value() leaves them (revisions 1..2,
 * the first confirmed by the server). */
static void
reset_store (EkAnswerStore *store)
{
  g_hash_table_remove_all (store->answers);
  for (guint i = 0; i < G_N_ELEMENTS (local_values); i++)
    {
      Answer *answer = _ek_answer_store_answer_new (local_values[i][0]);

      for (guint j = 1; j < 3 && local_values[i][j] != NULL; j++)
        {
          json_node_unref (answer->value);
          answer->value = json_from_string (local_values[i][j], NULL);
          answer->revision = j;
        }
      answer->confirmed = 1;
      g_hash_table_insert (store->answers, answer->question_id, answer);
    }
  _ek_answer_store_update_counts (store);
}

static void
flush (EkAnswerStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_answer_store_flush_async (store, NULL, on_result_cb, &result);
  ek_answer_store_flush_finish (store, wait_for (&result), NULL);
}

/* What the list may change, to compare after a refused list. */
static char *
snapshot (EkAnswerStore *store)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 1; i <= 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("q%u", i);
      JsonNode *value = ek_answer_store_get_value (store, id);
      g_autofree char *text = value != NULL ? json_to_string (value, FALSE) : g_strdup ("-");

      g_string_append_printf (out, "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s\n", id,
                              ek_answer_store_get_revision (store, id),
                              ek_answer_store_get_confirmed_revision (store, id), text);
    }
  g_string_append_printf (out, "%u answered\n", ek_answer_store_get_n_answered (store));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_accepted (EkAnswerStore *store,
                JsonObject    *object)
{
  JsonArray *array = json_object_get_array_member (object, "answers");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (entry, "question_id");
      EkQuestion *question = ek_answer_store_get_question (store, id);

      if (ek_answer_store_get_revision (store, id) < json_object_get_int_member (entry, "revision") ||
          ek_answer_store_get_confirmed_revision (store, id) > ek_answer_store_get_revision (store, id))
        {
          fprintf (stderr, "%s: the revisions do not follow the server's list\n", id);
          abort ();
        }
      if (question != NULL && ek_question_takes_answer (question) &&
          !ek_question_validate_value (question, ek_answer_store_get_value (store, id), NULL))
        {
          fprintf (stderr, "%s: a value that does not fit the question was taken\n", id);
          abort ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (questions == NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (questions_json, NULL);
      g_autofree char *path = NULL;

      questions = ek_question_list_new_from_json (json_node_get_array (node), NULL);
      /* in memory where there is /dev/shm: every write is synchronous */
      folder = g_dir_make_tmp ("fuzz-answer-list-XXXXXX", NULL);
      if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR))
        {
          g_autofree char *name = g_path_get_basename (folder);
          g_autofree char *shm = g_build_filename ("/dev/shm", name, NULL);

          if (g_mkdir (shm, 0700) == 0)
            {
              g_rmdir (folder);
              g_free (folder);
              folder = g_steal_pointer (&shm);
            }
        }
      if (questions == NULL || folder == NULL)
        abort ();
      path = g_build_filename (folder, "answers.sqlite", NULL);
      store = open_store (path);
    }

  object = ek_json_parse_object ((const char *) data, size, NULL);
  if (object == NULL)
    return 0;

  reset_store (store);
  before = snapshot (store);

  if (_ek_answer_store_apply_server_answers (store, object, &error))
    check_accepted (store, object);
  else if (!g_error_matches (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE) ||
           g_strcmp0 (before, (after = snapshot (store))) != 0)
    {
      fprintf (stderr, "a refused list changed the store:\n%s---\n%s", before, after);
      abort ();
    }

  /* What changed goes to the disk (the values the server sent, serialized). */
  flush (store);
  return 0;
}
