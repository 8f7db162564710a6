/* ek-sqlite.c: the kiosk's one way to open and use a private SQLite file */

#include "config.h"

#include "ek-sqlite.h"

#include "ek-private-files.h"

G_DEFINE_QUARK (ek-sqlite-error-quark, ek_sqlite_error)

/**
 * ek_sqlite_set_error:
 * @db: (nullable): the connection the failure happened on
 * @rc: SQLite's result code
 * @error: set to an #EK_SQLITE_ERROR with SQLite's message
 */
void
ek_sqlite_set_error (sqlite3  *db,
                     int       rc,
                     GError  **error)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  g_set_error_literal (error, EK_SQLITE_ERROR, rc & 0xff,
                       message != NULL ? message : "unknown SQLite error");
}

/**
 * ek_sqlite_exec:
 * @db: a connection
 * @sql: one or more statements without results
 * @error: where a failure goes
 *
 * Returns: %TRUE when every statement ran
 */
gboolean
ek_sqlite_exec (sqlite3     *db,
                const char  *sql,
                GError     **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      g_set_error (error, EK_SQLITE_ERROR, rc & 0xff, "%s",
                   message != NULL ? message : sqlite3_errstr (rc));
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_sqlite_prepare:
 * @db: a connection
 * @sql: one statement
 * @error: where a failure goes
 *
 * Returns: (transfer full) (nullable): the statement, or %NULL with @error set
 */
sqlite3_stmt *
ek_sqlite_prepare (sqlite3     *db,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      ek_sqlite_set_error (db, rc, error);
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

/**
 * ek_sqlite_set_sync:
 * @db: a connection in WAL mode
 * @sync: how durable a commit is when it returns
 * @error: where a failure goes
 */
gboolean
ek_sqlite_set_sync (sqlite3       *db,
                    EkSqliteSync   sync,
                    GError       **error)
{
  return ek_sqlite_exec (db,
                         sync == EK_SQLITE_SYNC_FULL ? "PRAGMA synchronous=FULL"
                                                     : "PRAGMA synchronous=NORMAL",
                         error);
}

/**
 * ek_sqlite_open:
 * @path: the database file; made 0600 in a 0700 folder before SQLite opens it
 * @sync: how durable a commit is when it returns
 * @busy_timeout_ms: how long a statement waits for another connection's lock
 * @error: a #GIOError when the file cannot be made, else an #EK_SQLITE_ERROR
 *
 * Opens (creating when missing) a private database in write-ahead-log mode, so a
 * reader never waits for the writer and a killed process loses no commit.
 *
 * Returns: (transfer full) (nullable): the connection (serialized: usable from any
 *   thread), to be closed with sqlite3_close()
 */
sqlite3 *
ek_sqlite_open (const char    *path,
                EkSqliteSync   sync,
                int            busy_timeout_ms,
                GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db = NULL;
  const char *mode;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (!ek_ensure_private_file (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      ek_sqlite_set_error (db, rc, error);
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, busy_timeout_ms);

  stmt = ek_sqlite_prepare (db, "PRAGMA journal_mode=WAL", error);
  if (stmt == NULL)
    goto fail;
  rc = sqlite3_step (stmt);
  mode = rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0) : NULL;
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      if (rc == SQLITE_ROW)
        g_set_error (error, EK_SQLITE_ERROR, SQLITE_ERROR,
                     "%s cannot use a write-ahead log (journal mode %s)", path,
                     mode != NULL ? mode : "unknown");
      else
        ek_sqlite_set_error (db, rc, error);
      goto fail;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!ek_sqlite_set_sync (db, sync, error))
    goto fail;

  return db;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_close (db);
  return NULL;
}
