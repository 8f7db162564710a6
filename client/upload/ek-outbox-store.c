/* ek-outbox-store.c: the outbox's database, used only by its worker thread
 *
 * The main context never touches the database: each change of the outbox pushes a
 * snapshot of the row to a thread pool of exactly one thread, so writes happen in
 * order and the main loop never waits on an fsync.
 *
 * Durability is chosen per write. A new segment, a new tus URL and a state change
 * commit with synchronous=FULL (the WAL is fsync'd): losing one of these would lose a
 * segment or an upload. A new offset commits with synchronous=NORMAL: losing it costs
 * nothing, since the server's HEAD answer is the truth about offsets anyway.
 */

#include "config.h"

#include "ek-outbox-private.h"

#include "ek-sqlite.h"

#include <string.h>

#define SCHEMA_VERSION   1

struct _EkOutboxStore
{
  GThreadPool *pool;                   /* one thread: writes stay in order */

  /* Only ever used by the worker thread */
  sqlite3     *db;
  char        *path;
  char        *session_id;
  int          synchronous;            /* -1 unknown, 1 NORMAL, 2 FULL */
};

typedef enum
{
  OP_OPEN,
  OP_WRITE,
  OP_FLUSH,
} OpKind;

typedef struct
{
  OpKind        kind;
  gboolean      durable;
  EkOutboxRow  *row;                   /* owned, OP_WRITE */
  GTask        *task;                  /* owned, nullable */
} Op;

/* Helpers: rows and the worker */

void
ek_outbox_row_free (EkOutboxRow *row)
{
  if (row == NULL)
    return;
  g_free (row->stream);
  g_free (row->path);
  g_free (row->sha256);
  g_free (row->url);
  g_free (row);
}

static void
op_free (Op *op)
{
  g_clear_pointer (&op->row, ek_outbox_row_free);
  g_clear_object (&op->task);
  g_free (op);
}

static EkOutboxState
state_from_string (const char *text)
{
  for (guint i = EK_OUTBOX_STATE_PENDING; i <= EK_OUTBOX_STATE_REJECTED; i++)
    {
      if (g_strcmp0 (text, ek_outbox_state_to_string (i)) == 0)
        return i;
    }
  return EK_OUTBOX_STATE_PENDING;
}

/* Failures here are not the candidate's to read: the outbox logs them, and its own
 * error (EK_OUTBOX_ERROR_DATABASE) names the file. */
static gboolean
database_error (EkOutboxStore  *store,
                const char     *what,
                GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  ek_sqlite_set_error (store->db, sqlite3_errcode (store->db), &local_error);
  g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
               "cannot %s %s: %s", what, store->path, local_error->message);
  return FALSE;
}

static gboolean
wrap_error (EkOutboxStore  *store,
            const char     *what,
            GError         *local_error,
            GError        **error)
{
  g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
               "cannot %s %s: %s", what, store->path, local_error->message);
  g_error_free (local_error);
  return FALSE;
}

static void
store_set_synchronous (EkOutboxStore *store,
                       gboolean       full)
{
  int wanted = full ? 2 : 1;

  if (store->synchronous == wanted)
    return;
  if (ek_sqlite_set_sync (store->db, full ? EK_SQLITE_SYNC_FULL : EK_SQLITE_SYNC_NORMAL, NULL))
    store->synchronous = wanted;
}

static gboolean
store_open (EkOutboxStore  *store,
            GError        **error)
{
  GError *local_error = NULL;

  /* Private files in a private folder: the recording's hashes and upload URLs are
   * nobody else's business. */
  store->db = ek_sqlite_open (store->path, EK_SQLITE_SYNC_FULL, 10000, &local_error);
  if (store->db == NULL)
    return wrap_error (store, "open", local_error, error);
  store->synchronous = 2;

  if (!ek_sqlite_exec (store->db,
                       "CREATE TABLE IF NOT EXISTS segments ("
                       " session_id TEXT NOT NULL,"
                       " stream TEXT NOT NULL,"
                       " idx INTEGER NOT NULL,"
                       " seq INTEGER NOT NULL,"
                       " path TEXT NOT NULL,"
                       " size INTEGER NOT NULL,"
                       " sha256 TEXT NOT NULL,"
                       " start_ns INTEGER NOT NULL,"
                       " end_ns INTEGER NOT NULL,"
                       " tus_url TEXT,"
                       " confirmed_offset INTEGER NOT NULL DEFAULT 0,"
                       " state TEXT NOT NULL,"
                       " updated_ms INTEGER NOT NULL,"
                       " PRIMARY KEY (session_id, stream, idx));"
                       "PRAGMA user_version=" G_STRINGIFY (SCHEMA_VERSION), &local_error))
    return wrap_error (store, "set up", local_error, error);

  return TRUE;
}

/* One row as SQLite read it back from disk: whatever the file holds now (a damaged or
 * edited file included); ek_outbox_row_to_segment() decides whether it is usable. */
EkOutboxRow *
ek_outbox_row_from_statement (sqlite3_stmt *stmt)
{
  EkOutboxRow *row = g_new0 (EkOutboxRow, 1);

  row->stream = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->index = (guint) sqlite3_column_int64 (stmt, 1);
  row->seq = sqlite3_column_int64 (stmt, 2);
  row->path = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  row->size = (guint64) sqlite3_column_int64 (stmt, 4);
  row->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  row->start_ns = sqlite3_column_int64 (stmt, 6);
  row->end_ns = sqlite3_column_int64 (stmt, 7);
  row->url = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
  row->offset = (guint64) sqlite3_column_int64 (stmt, 9);
  row->state = state_from_string ((const char *) sqlite3_column_text (stmt, 10));
  return row;
}

static gboolean
is_sha256_hex (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p))
        return FALSE;
    }
  return TRUE;
}

/* The segment a row read back describes, or NULL for a row this store cannot have
 * written (damaged on disk): a known stream, an absolute path, a SHA-256 in hex, an
 * end not before its start. */
EkSegment *
ek_outbox_row_to_segment (const EkOutboxRow *row)
{
  if (!ek_segment_stream_is_valid (row->stream) || row->path == NULL ||
      !g_path_is_absolute (row->path) || !is_sha256_hex (row->sha256) ||
      row->end_ns < row->start_ns)
    return NULL;

  return ek_segment_new (row->stream, row->index, row->path, row->size, row->sha256,
                         row->start_ns, row->end_ns);
}

static GPtrArray *
store_load (EkOutboxStore  *store,
            GError        **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_outbox_row_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *local_error = NULL;
  int rc;

  stmt = ek_sqlite_prepare (store->db,
                            "SELECT stream, idx, seq, path, size, sha256, start_ns, end_ns,"
                            " tus_url, confirmed_offset, state FROM segments"
                            " WHERE session_id = ?1 ORDER BY seq",
                            &local_error);
  if (stmt == NULL)
    {
      wrap_error (store, "read", local_error, error);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, store->session_id, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, ek_outbox_row_from_statement (stmt));

  if (rc != SQLITE_DONE)
    {
      database_error (store, "read", error);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
store_write (EkOutboxStore  *store,
             EkOutboxRow    *row,
             gboolean        durable,
             GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *local_error = NULL;

  if (store->db == NULL)
    {
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "%s is not open", store->path);
      return FALSE;
    }

  store_set_synchronous (store, durable);
  stmt = ek_sqlite_prepare (store->db,
                            "INSERT OR REPLACE INTO segments (session_id, stream, idx, seq, path,"
                            " size, sha256, start_ns, end_ns, tus_url, confirmed_offset, state,"
                            " updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                            " ?12, ?13)",
                            &local_error);
  if (stmt == NULL)
    return wrap_error (store, "write", local_error, error);

  sqlite3_bind_text (stmt, 1, store->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, row->stream, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, row->index);
  sqlite3_bind_int64 (stmt, 4, row->seq);
  sqlite3_bind_text (stmt, 5, row->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, (sqlite3_int64) row->size);
  sqlite3_bind_text (stmt, 7, row->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, row->start_ns);
  sqlite3_bind_int64 (stmt, 9, row->end_ns);
  if (row->url != NULL)
    sqlite3_bind_text (stmt, 10, row->url, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 10);
  sqlite3_bind_int64 (stmt, 11, (sqlite3_int64) row->offset);
  sqlite3_bind_text (stmt, 12, ek_outbox_state_to_string (row->state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 13, g_get_real_time () / 1000);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    return database_error (store, "write", error);
  return TRUE;
}

static void
worker_func (gpointer data,
             gpointer user_data)
{
  Op *op = data;
  EkOutboxStore *store = user_data;

  switch (op->kind)
    {
    case OP_OPEN:
      {
        GError *error = NULL;
        GPtrArray *rows = NULL;

        if (store_open (store, &error))
          rows = store_load (store, &error);
        if (rows == NULL)
          {
            g_clear_pointer (&store->db, sqlite3_close);
            g_task_return_error (op->task, error);
          }
        else
          g_task_return_pointer (op->task, rows, (GDestroyNotify) g_ptr_array_unref);
      }
      break;

    case OP_WRITE:
      {
        GError *error = NULL;

        if (store_write (store, op->row, op->durable, &error))
          {
            if (op->task != NULL)
              g_task_return_boolean (op->task, TRUE);
          }
        else
          {
            g_warning ("Outbox %s: cannot store segment %s/%u: %s", store->path, op->row->stream,
                       op->row->index, error->message);
            if (op->task != NULL)
              g_task_return_error (op->task, error);
            else
              g_error_free (error);
          }
      }
      break;

    case OP_FLUSH:
      /* Everything queued before has been written: one thread, in order. */
      g_task_return_boolean (op->task, TRUE);
      break;

    default:
      g_assert_not_reached ();
    }

  op_free (op);
}

/* Public (to the outbox's files) API */

/**
 * ek_outbox_store_new:
 * @path: the database file
 * @session_id: the session whose rows this store reads and writes
 *
 * Returns: (transfer full) (nullable): the store with its worker thread; nothing is
 *   opened until ek_outbox_store_open()
 */
EkOutboxStore *
ek_outbox_store_new (const char  *path,
                     const char  *session_id,
                     GError     **error)
{
  EkOutboxStore *store = g_new0 (EkOutboxStore, 1);

  store->path = g_strdup (path);
  store->session_id = g_strdup (session_id);
  store->pool = g_thread_pool_new (worker_func, store, 1, FALSE, error);
  if (store->pool == NULL)
    {
      ek_outbox_store_free (store);
      return NULL;
    }
  return store;
}

/**
 * ek_outbox_store_free:
 *
 * Waits for the queued writes: a closed outbox is on disk, so that a new one on the
 * same file sees everything.
 */
void
ek_outbox_store_free (EkOutboxStore *store)
{
  if (store == NULL)
    return;
  if (store->pool != NULL)
    g_thread_pool_free (store->pool, FALSE, TRUE);
  g_clear_pointer (&store->db, sqlite3_close);
  g_free (store->path);
  g_free (store->session_id);
  g_free (store);
}

static void
push_op (EkOutboxStore *store,
         OpKind         kind,
         EkOutboxRow   *row,
         gboolean       durable,
         GTask         *task)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->row = row;
  op->durable = durable;
  op->task = task != NULL ? g_object_ref (task) : NULL;
  g_thread_pool_push (store->pool, op, NULL);
}

/**
 * ek_outbox_store_open:
 * @task: returns the session's rows (a #GPtrArray of #EkOutboxRow, in upload order)
 *   or an %EK_OUTBOX_ERROR_DATABASE
 */
void
ek_outbox_store_open (EkOutboxStore *store,
                      GTask         *task)
{
  push_op (store, OP_OPEN, NULL, FALSE, task);
}

/**
 * ek_outbox_store_write:
 * @row: (transfer full): the row as it is now
 * @durable: commit with synchronous=FULL (a new segment, URL or state)
 * @committed: (nullable): returns %TRUE once the commit returned, or the error
 *
 * Queues the write after every operation queued before.
 */
void
ek_outbox_store_write (EkOutboxStore *store,
                       EkOutboxRow   *row,
                       gboolean       durable,
                       GTask         *committed)
{
  push_op (store, OP_WRITE, row, durable, committed);
}

/**
 * ek_outbox_store_flush:
 * @task: returns %TRUE once everything queued before is written
 */
void
ek_outbox_store_flush (EkOutboxStore *store,
                       GTask         *task)
{
  push_op (store, OP_FLUSH, NULL, FALSE, task);
}
