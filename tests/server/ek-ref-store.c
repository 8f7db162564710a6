/* ek-ref-store.c: the SQLite state of the reference server
 *
 * Test-only code. Everything the server knows survives a restart: a
 * server started again on the same --data-dir continues every session.
 */

#include <string.h>

#include "ek-ref-server.h"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS meta ("
  "  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS exam_times ("
  "  exam_id TEXT PRIMARY KEY, base_ms INTEGER NOT NULL, resolved TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS sessions ("
  "  session_id TEXT PRIMARY KEY,"
  "  exam_id TEXT NOT NULL,"
  "  id_number TEXT NOT NULL,"
  "  token_hash TEXT,"
  "  completed_steps TEXT NOT NULL DEFAULT '',"
  "  sequence_number INTEGER,"
  "  entered_ms INTEGER,"
  "  submitted_ms INTEGER,"
  "  ended INTEGER NOT NULL DEFAULT 0,"
  "  end_reason TEXT,"
  "  face_failures INTEGER NOT NULL DEFAULT 0,"
  "  last_seq INTEGER NOT NULL DEFAULT 0,"
  "  last_hash TEXT NOT NULL,"
  "  msg_counter INTEGER NOT NULL DEFAULT 0,"
  "  answer_count INTEGER,"
  "  created_ms INTEGER NOT NULL,"
  "  finished_ms INTEGER,"
  "  UNIQUE (exam_id, id_number));"
  "CREATE UNIQUE INDEX IF NOT EXISTS sessions_token ON sessions (token_hash);"
  "CREATE UNIQUE INDEX IF NOT EXISTS sessions_draw ON sessions (exam_id, sequence_number);"
  "CREATE TABLE IF NOT EXISTS answers ("
  "  session_id TEXT NOT NULL, question_id TEXT NOT NULL,"
  "  revision INTEGER NOT NULL, value TEXT NOT NULL,"
  "  client_ms INTEGER, stored_ms INTEGER NOT NULL,"
  "  PRIMARY KEY (session_id, question_id));"
  "CREATE TABLE IF NOT EXISTS events ("
  "  session_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,"
  "  event TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
  "  received_ms INTEGER NOT NULL,"
  "  PRIMARY KEY (session_id, seq));"
  "CREATE TABLE IF NOT EXISTS messages ("
  "  session_id TEXT NOT NULL, n INTEGER NOT NULL,"
  "  direction TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, ref TEXT,"
  "  sent_ms INTEGER NOT NULL,"
  "  PRIMARY KEY (session_id, n));"
  "CREATE TABLE IF NOT EXISTS snapshots ("
  "  id TEXT PRIMARY KEY, session_id TEXT NOT NULL, source TEXT NOT NULL,"
  "  capture_ms INTEGER, received_ms INTEGER NOT NULL,"
  "  size INTEGER NOT NULL, sha256 TEXT NOT NULL, path TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS face_attempts ("
  "  session_id TEXT, exam_id TEXT NOT NULL, id_number TEXT NOT NULL,"
  "  kind TEXT NOT NULL, result TEXT NOT NULL, reason TEXT,"
  "  capture_ms INTEGER, received_ms INTEGER NOT NULL,"
  "  size INTEGER NOT NULL, sha256 TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS second_view ("
  "  code TEXT PRIMARY KEY, session_id TEXT NOT NULL,"
  "  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,"
  "  device TEXT, bound_ms INTEGER);"
  "CREATE TABLE IF NOT EXISTS uploads ("
  "  upload_id TEXT PRIMARY KEY, session_id TEXT NOT NULL,"
  "  stream TEXT NOT NULL, segment INTEGER NOT NULL,"
  "  meta_sha256 TEXT NOT NULL, filename TEXT, metadata TEXT NOT NULL,"
  "  length INTEGER NOT NULL, offset INTEGER NOT NULL DEFAULT 0,"
  "  complete INTEGER NOT NULL DEFAULT 0, stored_sha256 TEXT,"
  "  created_ms INTEGER NOT NULL, completed_ms INTEGER);"
  "CREATE TABLE IF NOT EXISTS finishes ("
  "  session_id TEXT NOT NULL, finished_ms INTEGER NOT NULL,"
  "  complete INTEGER NOT NULL, result TEXT NOT NULL);"
  "CREATE TABLE IF NOT EXISTS self_checks ("
  "  id TEXT NOT NULL, session_id TEXT NOT NULL, report TEXT NOT NULL,"
  "  received_ms INTEGER NOT NULL,"
  "  PRIMARY KEY (session_id, id));";

#define SESSION_COLUMNS \
  "session_id, exam_id, id_number, token_hash, completed_steps," \
  " sequence_number, entered_ms, submitted_ms, ended, end_reason," \
  " face_failures, last_seq, last_hash, msg_counter, answer_count," \
  " created_ms, finished_ms"

void
ek_session_free (EkSession *session)
{
  if (session == NULL)
    return;
  g_free (session->session_id);
  g_free (session->exam_id);
  g_free (session->id_number);
  g_free (session->token_hash);
  g_strfreev (session->completed_steps);
  g_free (session->end_reason);
  g_free (session->last_hash);
  g_free (session);
}

gboolean
ek_store_exec (sqlite3     *db,
               const char  *sql,
               GError     **error)
{
  char *errmsg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "SQLite: %s", errmsg ? errmsg : "unknown error");
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

sqlite3 *
ek_store_open (const char  *data_dir,
               GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, "state.sqlite3", NULL);
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_busy_timeout (db, 5000);

  /* synchronous=FULL: a test that kills the server right after an
   * answer was acknowledged must still find it after the restart. */
  if (!ek_store_exec (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                      "PRAGMA foreign_keys=ON;", error) ||
      !ek_store_exec (db, schema, error))
    {
      g_prefix_error (error, "%s: ", path);
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

sqlite3_stmt *
ek_store_prepare (sqlite3    *db,
                  const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  /* The SQL is ours and fixed: failing to prepare it is a bug. */
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("SQLite cannot prepare '%s': %s", sql, sqlite3_errmsg (db));
  return stmt;
}

gboolean
ek_store_begin (sqlite3 *db)
{
  return ek_store_exec (db, "BEGIN IMMEDIATE", NULL);
}

gboolean
ek_store_commit (sqlite3 *db)
{
  g_autoptr(GError) error = NULL;

  if (!ek_store_exec (db, "COMMIT", &error))
    {
      g_warning ("%s", error->message);
      ek_store_rollback (db);
      return FALSE;
    }
  return TRUE;
}

void
ek_store_rollback (sqlite3 *db)
{
  ek_store_exec (db, "ROLLBACK", NULL);
}

char *
ek_store_column_dup (sqlite3_stmt *stmt,
                     int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

gint64
ek_store_column_int_or (sqlite3_stmt *stmt,
                        int           column,
                        gint64        fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int64 (stmt, column);
}

static EkSession *
session_from_row (sqlite3_stmt *stmt)
{
  EkSession *s = g_new0 (EkSession, 1);
  const char *steps;

  s->session_id = ek_store_column_dup (stmt, 0);
  s->exam_id = ek_store_column_dup (stmt, 1);
  s->id_number = ek_store_column_dup (stmt, 2);
  s->token_hash = ek_store_column_dup (stmt, 3);
  steps = (const char *) sqlite3_column_text (stmt, 4);
  s->completed_steps = (steps && *steps) ? g_strsplit (steps, ",", -1) : g_new0 (char *, 1);
  s->sequence_number = ek_store_column_int_or (stmt, 5, -1);
  s->entered_ms = ek_store_column_int_or (stmt, 6, -1);
  s->submitted_ms = ek_store_column_int_or (stmt, 7, -1);
  s->ended = sqlite3_column_int (stmt, 8) != 0;
  s->end_reason = ek_store_column_dup (stmt, 9);
  s->face_failures = sqlite3_column_int64 (stmt, 10);
  s->last_seq = sqlite3_column_int64 (stmt, 11);
  s->last_hash = ek_store_column_dup (stmt, 12);
  s->msg_counter = sqlite3_column_int64 (stmt, 13);
  s->answer_count = ek_store_column_int_or (stmt, 14, -1);
  s->created_ms = sqlite3_column_int64 (stmt, 15);
  s->finished_ms = ek_store_column_int_or (stmt, 16, -1);
  return s;
}

static EkSession *
session_query (sqlite3    *db,
               const char *where,
               const char *a,
               const char *b)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " SESSION_COLUMNS " FROM sessions WHERE %s", where);
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (db, sql);

  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return session_from_row (stmt);
}

EkSession *
ek_store_session_by_id (sqlite3    *db,
                        const char *session_id)
{
  return session_query (db, "session_id = ?1", session_id, NULL);
}

EkSession *
ek_store_session_by_candidate (sqlite3    *db,
                               const char *exam_id,
                               const char *id_number)
{
  return session_query (db, "exam_id = ?1 AND id_number = ?2", exam_id, id_number);
}

EkSession *
ek_store_session_by_token_hash (sqlite3    *db,
                                const char *token_hash)
{
  return session_query (db, "token_hash = ?1", token_hash, NULL);
}

static void
bind_int_or_null (sqlite3_stmt *stmt,
                  int           index,
                  gint64        value)
{
  if (value < 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, value);
}

static gboolean
session_write (sqlite3    *db,
               EkSession  *s,
               const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (db, sql);
  g_autofree char *steps = g_strjoinv (",", s->completed_steps);
  int rc;

  sqlite3_bind_text (stmt, 1, s->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, s->exam_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, s->id_number, -1, SQLITE_TRANSIENT);
  if (s->token_hash)
    sqlite3_bind_text (stmt, 4, s->token_hash, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_text (stmt, 5, steps, -1, SQLITE_TRANSIENT);
  bind_int_or_null (stmt, 6, s->sequence_number);
  bind_int_or_null (stmt, 7, s->entered_ms);
  bind_int_or_null (stmt, 8, s->submitted_ms);
  sqlite3_bind_int (stmt, 9, s->ended ? 1 : 0);
  if (s->end_reason)
    sqlite3_bind_text (stmt, 10, s->end_reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int64 (stmt, 11, s->face_failures);
  sqlite3_bind_int64 (stmt, 12, s->last_seq);
  sqlite3_bind_text (stmt, 13, s->last_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 14, s->msg_counter);
  bind_int_or_null (stmt, 15, s->answer_count);
  sqlite3_bind_int64 (stmt, 16, s->created_ms);
  bind_int_or_null (stmt, 17, s->finished_ms);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      g_warning ("cannot write session %s: %s", s->session_id, sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

gboolean
ek_store_session_insert (sqlite3   *db,
                         EkSession *session)
{
  return session_write (db, session,
                        "INSERT INTO sessions (" SESSION_COLUMNS ") VALUES"
                        " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
}

gboolean
ek_store_session_save (sqlite3   *db,
                       EkSession *session)
{
  return session_write (db, session,
                        "UPDATE sessions SET exam_id = ?2, id_number = ?3, token_hash = ?4,"
                        " completed_steps = ?5, sequence_number = ?6, entered_ms = ?7,"
                        " submitted_ms = ?8, ended = ?9, end_reason = ?10,"
                        " face_failures = ?11, last_seq = ?12, last_hash = ?13,"
                        " msg_counter = ?14, answer_count = ?15, created_ms = ?16,"
                        " finished_ms = ?17 WHERE session_id = ?1");
}
