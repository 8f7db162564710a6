/* ek-answer-store-db.c: the answer store's database, on the worker side
 *
 * One SQLite file (WAL, synchronous=FULL: a commit is on disk when it returns, even
 * after a power cut, and a reader never waits for the writer), 0600 in the session's
 * private folder. The store hands it to one g_task_run_in_thread() at a time: opening
 * and loading, a batch of row writes in one transaction, closing.
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-answer-store-private.h"
#include "ek-json.h"
#include "ek-private-files.h"
#include "ek-sqlite.h"

void
_ek_answer_store_write_op_free (gpointer data)
{
  WriteOp *op = data;

  g_free (op->question_id);
  g_free (op->value_text);
  g_free (op->meta_key);
  g_free (op->meta_value);
  g_free (op);
}

void
_ek_answer_store_load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->answers, g_ptr_array_unref);
  g_free (result);
}

static gboolean
set_database_error (sqlite3     *db,
                    int          rc,
                    GError     **error)
{
  g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
               /* Translators: %s is SQLite's own description of the problem. */
               _("The answers cannot be saved on this computer (%s). "
                 "Ask the proctor for help and keep this window open."),
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!ek_sqlite_exec (db, sql, &local_error))
    return set_database_error (db, local_error->code, error);
  return TRUE;
}

gboolean
_ek_answer_store_db_write (sqlite3    *db,
                           GPtrArray  *ops,
                           GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *answer_stmt = NULL;
  sqlite3_stmt *meta_stmt = NULL;
  int rc = SQLITE_OK;

  if (!exec_sql (db, "BEGIN IMMEDIATE", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (db,
                           "INSERT INTO answers (question_id, value, revision, confirmed_revision,"
                           " flagged, changed_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                           " ON CONFLICT (question_id) DO UPDATE SET value = ?2, revision = ?3,"
                           " confirmed_revision = ?4, flagged = ?5, changed_ms = ?6",
                           -1, &answer_stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db,
                             "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                             " ON CONFLICT (key) DO UPDATE SET value = ?2",
                             -1, &meta_stmt, NULL);

  for (guint i = 0; rc == SQLITE_OK && i < ops->len; i++)
    {
      WriteOp *op = g_ptr_array_index (ops, i);
      sqlite3_stmt *stmt;

      if (op->question_id != NULL)
        {
          stmt = answer_stmt;
          sqlite3_bind_text (stmt, 1, op->question_id, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, op->value_text, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 3, op->revision);
          sqlite3_bind_int64 (stmt, 4, op->confirmed);
          sqlite3_bind_int (stmt, 5, op->flagged ? 1 : 0);
          sqlite3_bind_int64 (stmt, 6, op->changed_ms);
        }
      else
        {
          stmt = meta_stmt;
          sqlite3_bind_text (stmt, 1, op->meta_key, -1, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 2, op->meta_value, -1, SQLITE_STATIC);
        }

      rc = sqlite3_step (stmt);
      rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }

  if (rc != SQLITE_OK)
    set_database_error (db, rc, &local_error);

  sqlite3_finalize (answer_stmt);
  sqlite3_finalize (meta_stmt);

  if (local_error == NULL)
    exec_sql (db, "COMMIT", &local_error);
  if (local_error != NULL)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
_ek_answer_store_db_write_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  EkAnswerStore *self = source_object;
  GPtrArray *ops = task_data;
  GError *error = NULL;

  /* Only this thread touches self->db while the task runs: see start_write(). */
  if (!_ek_answer_store_db_write (self->db, ops, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Opening */

/* The shared helper's error, in the store's own translated words. */
static void
set_open_error (const char  *path,
                GError      *helper_error,
                GError     **error)
{
  if (helper_error->domain == G_IO_ERROR)
    {
      g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
                   /* Translators: %s is a file name, then the system's reason. */
                   _("The answers cannot be saved on this computer (%s: %s). "
                     "Ask your technician to check the disk and its permissions."),
                   path, ek_private_files_error_reason (helper_error, path));
    }
  else
    g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
                 /* Translators: %s is SQLite's own description of the problem. */
                 _("The answers cannot be saved on this computer (%s). "
                   "Ask the proctor for help and keep this window open."),
                 helper_error->message);
  g_error_free (helper_error);
}

/* One row of `SELECT question_id, value, revision, confirmed_revision, flagged,
 * changed_ms FROM answers` as read back from disk, or NULL for a row this store
 * cannot have written (the file damaged or edited). A value that is not JSON (or
 * nested deeper than any answer) reads as no answer. */
Answer *
_ek_answer_store_answer_from_row (sqlite3_stmt *stmt)
{
  const char *question_id = (const char *) sqlite3_column_text (stmt, 0);
  const char *value_text = (const char *) sqlite3_column_text (stmt, 1);
  g_autoptr(JsonNode) value = NULL;
  Answer *answer;

  if (question_id == NULL || !ek_json_is_identifier (question_id))
    return NULL;

  if (value_text != NULL)
    value = ek_json_parse_node (value_text, strlen (value_text), NULL);

  answer = _ek_answer_store_answer_new (question_id);
  if (value != NULL)
    {
      json_node_unref (answer->value);
      answer->value = g_steal_pointer (&value);
    }
  answer->revision = sqlite3_column_int64 (stmt, 2);
  answer->confirmed = sqlite3_column_int64 (stmt, 3);
  answer->flagged = sqlite3_column_int (stmt, 4) != 0;
  answer->changed_ms = sqlite3_column_int64 (stmt, 5);
  return answer;
}

LoadResult *
_ek_answer_store_db_open (const char  *path,
                          sqlite3    **out_db,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GError *helper_error = NULL;
  LoadResult *result = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int rc;

  /* WAL with synchronous=FULL: a commit is on disk when it returns, even after a power
   * cut, and a reader never waits for the writer. The folder is made private (0700),
   * the file 0600 (SQLite gives its -wal and -shm files the same rights). */
  db = ek_sqlite_open (path, EK_SQLITE_SYNC_FULL, 5000, &helper_error);
  if (db == NULL)
    {
      set_open_error (path, helper_error, error);
      return NULL;
    }

  if (!exec_sql (db,
                 "CREATE TABLE IF NOT EXISTS answers ("
                 "  question_id TEXT PRIMARY KEY,"
                 "  value TEXT NOT NULL,"
                 "  revision INTEGER NOT NULL,"
                 "  confirmed_revision INTEGER NOT NULL,"
                 "  flagged INTEGER NOT NULL,"
                 "  changed_ms INTEGER NOT NULL);"
                 "CREATE TABLE IF NOT EXISTS meta ("
                 "  key TEXT PRIMARY KEY,"
                 "  value TEXT NOT NULL);",
                 &local_error))
    goto out;

  result = g_new0 (LoadResult, 1);
  result->answers = g_ptr_array_new_with_free_func (_ek_answer_store_answer_free);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT question_id, value, revision, confirmed_revision, flagged,"
                           " changed_ms FROM answers",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK || rc == SQLITE_ROW)
    {
      Answer *answer;

      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        break;
      answer = _ek_answer_store_answer_from_row (stmt);
      if (answer != NULL)
        g_ptr_array_add (result->answers, answer);
    }
  if (rc != SQLITE_DONE)
    {
      set_database_error (db, rc, &local_error);
      goto out;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  rc = sqlite3_prepare_v2 (db, "SELECT value FROM meta WHERE key = 'read_only'", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      result->read_only = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "1") == 0;
      rc = SQLITE_DONE;
    }
  if (rc != SQLITE_DONE)
    set_database_error (db, rc, &local_error);

out:
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (local_error != NULL)
    {
      g_clear_pointer (&result, _ek_answer_store_load_result_free);
      sqlite3_close_v2 (db);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  *out_db = db;
  return result;
}

void
_ek_answer_store_db_open_thread (GTask        *task,
                                 gpointer      source_object,
                                 gpointer      task_data,
                                 GCancellable *cancellable)
{
  EkAnswerStore *self = source_object;
  LoadResult *result;
  GError *error = NULL;

  /* Nobody else sees the store before init finishes. */
  result = _ek_answer_store_db_open (self->path, &self->db, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, _ek_answer_store_load_result_free);
}

void
_ek_answer_store_db_close_thread (GTask        *task,
                                  gpointer      source_object,
                                  gpointer      task_data,
                                  GCancellable *cancellable)
{
  /* The last connection checkpoints the WAL: file work, so not on the main thread. */
  sqlite3_close_v2 (task_data);
  g_task_return_boolean (task, TRUE);
}

void
_ek_answer_store_db_remove_thread (GTask        *task,
                                   gpointer      source_object,
                                   gpointer      task_data,
                                   GCancellable *cancellable)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };
  const char *path = task_data;

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_unlink (file) != 0 && errno != ENOENT)
        g_debug ("Removing %s failed: %s", file, g_strerror (errno));
    }
  g_task_return_boolean (task, TRUE);
}
