/* ek-answer-store.c: the candidate's written answers, saved on this computer and on the server
 *
 * The in-memory table on the main thread is what the UI reads; it is never behind what
 * the candidate did. Each change becomes a write of the whole row, queued in order and
 * written by one g_task_run_in_thread() at a time (a batch per transaction, so typing
 * fast does not mean one fsync per key), so the database never sees an older row after
 * a newer one. ek_answer_store_flush_async() says when everything queued so far is on
 * disk: that is "saved on this computer".
 *
 * Revisions. Every change of a value increases the answer's local revision by one;
 * flagging is local and changes no revision. The server keeps the highest revision it
 * was sent. An answer is pending while its revision is above the last revision the
 * server confirmed. Pushes are one at a time per question, so the server never sees an
 * older revision after a newer one from this computer.
 *
 * Conflicts (another computer of the same session, or a local database lost with the old
 * one): the higher revision wins, and on equal revisions the server's value wins,
 * because the server is what is graded. A `conflict` answer to a push, a re-entry
 * (ek_answer_store_sync_async()) and a restart all compare with GET /v1/session/answers:
 *   - server revision above the local one: the server's value and revision are taken,
 *     confirmed; the view shows the change ("answer-changed");
 *   - equal: confirmed (the server's value is taken if it differs);
 *   - local revision above the server's: the local value stays and is pushed;
 *   - local answers the server does not have are pushed again.
 *
 * `already_submitted` and `exam_over` from the server end all pushing and make the
 * store read-only; what was still pending stays in the database (n-pending-sync says
 * how much) but can no longer count. Transient failures (network, 5xx, an expired
 * session) retry with backoff and at once when the network comes back; a value the
 * server refuses for good (bad_request, not_found) is not retried until it changes.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ek-answer-store.h"
#include "ek-json.h"

#define MAX_PUSHES_IN_FLIGHT  4
#define DEFAULT_RETRY_BASE_MS 1000
#define DEFAULT_RETRY_CAP_MS  30000
#define SAVE_RETRY_MS         1000
#define DEADLINE_CHECK_MAX_MS 60000

typedef struct
{
  char     *question_id;
  JsonNode *value;       /* owned, never NULL: a JSON null when there is no answer */
  gint64    revision;    /* local, 0: never changed here or on the server */
  gint64    confirmed;   /* the highest revision the server confirmed */
  gint64    changed_ms;  /* when the candidate made the change, server time */
  gboolean  flagged;
  /* memory only */
  gboolean  in_flight;
  gint64    rejected;    /* a revision the server refused for good, not pushed again */
} Answer;

typedef struct
{
  guint64   seq;
  char     *question_id;  /* NULL: a meta row */
  char     *value_text;
  gint64    revision;
  gint64    confirmed;
  gint64    changed_ms;
  gboolean  flagged;
  char     *meta_key;
  char     *meta_value;
} WriteOp;

typedef struct
{
  GPtrArray *answers;    /* Answer */
  gboolean   read_only;
} LoadResult;

typedef struct
{
  EkAnswerStore *self;   /* borrowed: dispose cancels the push before the store goes */
  char          *question_id;
  gint64         revision;
} PushData;

struct _EkAnswerStore
{
  GObject          parent_instance;

  char            *path;
  EkApiClient     *api;             /* owned, nullable: no server (practice) */
  sqlite3         *db;              /* owned; used by one thread at a time */
  GCancellable    *cancellable;     /* owned; cancelled on dispose */

  GHashTable      *answers;         /* question id -> Answer, owned */
  GHashTable      *questions;       /* question id -> EkQuestion, owned */
  GPtrArray       *question_order;  /* EkQuestion, owned, answerable ones in order */

  /* the writer */
  GQueue           write_queue;     /* WriteOp, owned */
  gboolean         writing;
  guint64          queued_seq;
  guint64          saved_seq;
  GList           *flush_waiters;   /* GTask, owned */
  guint            save_retry_id;
  gboolean         save_failing;

  /* the pusher */
  guint            n_in_flight;
  gboolean         reconciling;
  gboolean         need_reconcile;
  gboolean         sync_stopped;    /* the server refuses answers: submitted or over */
  guint            retry_source_id;
  guint            n_failures;
  guint            retry_base_ms;
  guint            retry_cap_ms;
  GList           *sync_waiters;    /* GTask, owned */
  GNetworkMonitor *network_monitor; /* borrowed singleton */
  gulong           network_changed_id;

  /* the deadline */
  EkServerClock   *clock;           /* owned, nullable */
  gint64           deadline_ms;
  guint            deadline_id;

  guint            n_answered;
  guint            n_unanswered;
  guint            n_flagged;
  guint            n_pending_sync;
  gboolean         read_only;
};

static void async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EkAnswerStore, ek_answer_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      async_initable_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_API_CLIENT,
  PROP_N_ANSWERED,
  PROP_N_UNANSWERED,
  PROP_N_FLAGGED,
  PROP_N_PENDING_SYNC,
  PROP_READ_ONLY,
  PROP_SYNC_STOPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ANSWER_CHANGED,
  SAVE_FAILED,
  SYNC_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (ek-answer-store-error-quark, ek_answer_store_error)

static void schedule_push    (EkAnswerStore *self);
static void start_reconcile  (EkAnswerStore *self);
static void start_write      (EkAnswerStore *self);

/* Helpers */

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->question_id);
  json_node_unref (answer->value);
  g_free (answer);
}

static Answer *
answer_new (const char *question_id)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->question_id = g_strdup (question_id);
  answer->value = json_node_new (JSON_NODE_NULL);
  return answer;
}

static void
write_op_free (gpointer data)
{
  WriteOp *op = data;

  g_free (op->question_id);
  g_free (op->value_text);
  g_free (op->meta_key);
  g_free (op->meta_value);
  g_free (op);
}

static void
load_result_free (gpointer data)
{
  LoadResult *result = data;

  g_clear_pointer (&result->answers, g_ptr_array_unref);
  g_free (result);
}

static void
push_data_free (PushData *data)
{
  g_free (data->question_id);
  g_free (data);
}

static gboolean
answer_is_pending (Answer *answer)
{
  return answer->revision > answer->confirmed && answer->rejected != answer->revision;
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
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_database_error (db, rc, error);
  return TRUE;
}

static gint64
now_ms (EkAnswerStore *self)
{
  EkServerClock *clock = self->clock;

  if (clock == NULL && self->api != NULL)
    clock = ek_api_client_get_clock (self->api);
  if (clock != NULL)
    return ek_server_clock_now_ms (clock);
  return g_get_real_time () / 1000;
}

static void
update_counts (EkAnswerStore *self)
{
  guint n_answered = 0, n_flagged = 0, n_pending = 0;
  guint n_unanswered;
  GHashTableIter iter;
  Answer *answer;

  for (guint i = 0; i < self->question_order->len; i++)
    {
      EkQuestion *question = g_ptr_array_index (self->question_order, i);

      answer = g_hash_table_lookup (self->answers, ek_question_get_id (question));
      if (answer == NULL)
        continue;
      if (ek_question_value_is_answered (answer->value))
        n_answered++;
      if (answer->flagged)
        n_flagged++;
    }
  n_unanswered = self->question_order->len - n_answered;

  if (self->api != NULL)
    {
      g_hash_table_iter_init (&iter, self->answers);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
        if (answer_is_pending (answer))
          n_pending++;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (self->n_answered != n_answered)
    {
      self->n_answered = n_answered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ANSWERED]);
    }
  if (self->n_unanswered != n_unanswered)
    {
      self->n_unanswered = n_unanswered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNANSWERED]);
    }
  if (self->n_flagged != n_flagged)
    {
      self->n_flagged = n_flagged;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FLAGGED]);
    }
  if (self->n_pending_sync != n_pending)
    {
      self->n_pending_sync = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING_SYNC]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
complete_waiters (GList        **waiters,
                  const GError  *error)
{
  GList *list = g_steal_pointer (waiters);

  for (GList *l = list; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_list_free_full (list, g_object_unref);
}

/* Sync waiters are done when nothing is pending and nothing is under way. */
static void
check_sync_waiters (EkAnswerStore *self)
{
  if (self->sync_waiters == NULL)
    return;
  if (self->n_pending_sync == 0 && self->n_in_flight == 0 &&
      !self->reconciling && !self->need_reconcile)
    complete_waiters (&self->sync_waiters, NULL);
}

/* The writer */

static void
queue_op (EkAnswerStore *self,
          WriteOp       *op)
{
  op->seq = ++self->queued_seq;
  g_queue_push_tail (&self->write_queue, op);
  start_write (self);
}

static void
queue_answer_write (EkAnswerStore *self,
                    Answer        *answer)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  op->question_id = g_strdup (answer->question_id);
  op->value_text = json_to_string (answer->value, FALSE);
  op->revision = answer->revision;
  op->confirmed = answer->confirmed;
  op->changed_ms = answer->changed_ms;
  op->flagged = answer->flagged;
  queue_op (self, op);
}

static void
queue_meta_write (EkAnswerStore *self,
                  const char    *key,
                  const char    *value)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  op->meta_key = g_strdup (key);
  op->meta_value = g_strdup (value);
  queue_op (self, op);
}

static gboolean
write_ops (sqlite3    *db,
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

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  EkAnswerStore *self = source_object;
  GPtrArray *ops = task_data;
  GError *error = NULL;

  /* Only this thread touches self->db while the task runs: see start_write(). */
  if (!write_ops (self->db, ops, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
on_save_retry_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;

  self->save_retry_id = 0;
  start_write (self);
  return G_SOURCE_REMOVE;
}

static void
on_write_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EkAnswerStore *self = EK_ANSWER_STORE (source);
  GPtrArray *ops = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Keep the rows, in order, ahead of anything queued since, and try again: a full
       * disk may be cleared by the technician. */
      for (guint i = ops->len; i > 0; i--)
        g_queue_push_head (&self->write_queue, g_ptr_array_steal_index (ops, i - 1));

      g_warning ("Cannot save answers: %s", error->message);
      if (!self->save_failing)
        {
          self->save_failing = TRUE;
          g_signal_emit (self, signals[SAVE_FAILED], 0, error);
        }
      complete_waiters (&self->flush_waiters, error);
      if (self->save_retry_id == 0)
        self->save_retry_id = g_timeout_add (SAVE_RETRY_MS, on_save_retry_cb, self);
      return;
    }

  self->save_failing = FALSE;
  if (ops->len > 0)
    self->saved_seq = ((WriteOp *) g_ptr_array_index (ops, ops->len - 1))->seq;

  /* Waiters queued in seq order: those at or below saved_seq are done. */
  while (self->flush_waiters != NULL)
    {
      GTask *task = self->flush_waiters->data;
      guint64 target = GPOINTER_TO_SIZE (g_task_get_task_data (task));

      if (target > self->saved_seq)
        break;
      self->flush_waiters = g_list_delete_link (self->flush_waiters, self->flush_waiters);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }

  start_write (self);
}

static void
start_write (EkAnswerStore *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) ops = NULL;

  if (self->writing || self->save_retry_id != 0 || self->db == NULL ||
      g_queue_is_empty (&self->write_queue))
    return;

  ops = g_ptr_array_new_with_free_func (write_op_free);
  while (!g_queue_is_empty (&self->write_queue))
    g_ptr_array_add (ops, g_queue_pop_head (&self->write_queue));

  self->writing = TRUE;
  /* No cancellable: a change the candidate made is written even while the store goes
   * away; the task keeps the store (and its database) alive until then. */
  task = g_task_new (self, NULL, on_write_done_cb, NULL);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, g_steal_pointer (&ops), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, write_thread);
}

/* Opening */

static gboolean
prepare_folder_and_file (const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      g_stat (dir, &st) != 0 || !S_ISDIR (st.st_mode) ||
      ((st.st_mode & 0077) != 0 && g_chmod (dir, 0700) != 0))
    goto fail;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    goto fail;
  /* SQLite gives its -wal and -shm files the rights of the database file. */
  if (fstat (fd, &st) != 0 || ((st.st_mode & 0077) != 0 && fchmod (fd, 0600) != 0))
    {
      int saved_errno = errno;

      close (fd);
      errno = saved_errno;
      goto fail;
    }
  close (fd);
  return TRUE;

fail:
  {
    int saved_errno = errno;

    g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
                 /* Translators: %s is a file name, then the system's reason. */
                 _("The answers cannot be saved on this computer (%s: %s). "
                   "Ask your technician to check the disk and its permissions."),
                 path, g_strerror (saved_errno));
    return FALSE;
  }
}

static LoadResult *
open_and_load (const char  *path,
               sqlite3    **out_db,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  LoadResult *result = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  int rc;

  if (!prepare_folder_and_file (path, error))
    return NULL;

  rc = sqlite3_open_v2 (path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      set_database_error (db, rc, &local_error);
      goto out;
    }
  sqlite3_busy_timeout (db, 5000);

  /* WAL with synchronous=FULL: a commit is on disk when it returns, even after a power
   * cut, and a reader never waits for the writer. */
  rc = sqlite3_prepare_v2 (db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
  if (rc != SQLITE_OK || sqlite3_step (stmt) != SQLITE_ROW ||
      g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0)
    {
      set_database_error (db, rc, &local_error);
      goto out;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!exec_sql (db,
                 "PRAGMA synchronous=FULL;"
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
  result->answers = g_ptr_array_new_with_free_func (answer_free);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT question_id, value, revision, confirmed_revision, flagged,"
                           " changed_ms FROM answers",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK || rc == SQLITE_ROW)
    {
      const char *question_id, *value_text;
      g_autoptr(JsonNode) value = NULL;
      Answer *answer;

      if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
        break;
      question_id = (const char *) sqlite3_column_text (stmt, 0);
      value_text = (const char *) sqlite3_column_text (stmt, 1);
      value = value_text != NULL ? json_from_string (value_text, NULL) : NULL;
      if (question_id == NULL || !ek_json_is_identifier (question_id))
        continue;  /* cannot have been written by this store */

      answer = answer_new (question_id);
      if (value != NULL)
        {
          json_node_unref (answer->value);
          answer->value = g_steal_pointer (&value);
        }
      answer->revision = sqlite3_column_int64 (stmt, 2);
      answer->confirmed = sqlite3_column_int64 (stmt, 3);
      answer->flagged = sqlite3_column_int (stmt, 4) != 0;
      answer->changed_ms = sqlite3_column_int64 (stmt, 5);
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
      g_clear_pointer (&result, load_result_free);
      sqlite3_close_v2 (db);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  *out_db = db;
  return result;
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EkAnswerStore *self = source_object;
  LoadResult *result;
  GError *error = NULL;

  /* Nobody else sees the store before init finishes. */
  result = open_and_load (self->path, &self->db, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, load_result_free);
}

static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  /* The last connection checkpoints the WAL: file work, so not on the main thread. */
  sqlite3_close_v2 (task_data);
  g_task_return_boolean (task, TRUE);
}

/* The pusher */

static void
set_read_only_internal (EkAnswerStore *self)
{
  if (self->read_only)
    return;

  self->read_only = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  queue_meta_write (self, "read_only", "1");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
}

static gboolean
on_retry_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;

  self->retry_source_id = 0;
  if (self->need_reconcile)
    start_reconcile (self);
  else
    schedule_push (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (EkAnswerStore *self)
{
  guint delay;

  if (self->retry_source_id != 0 || self->sync_stopped)
    return;

  delay = self->retry_base_ms << MIN (self->n_failures, 10u);
  delay = MIN (delay, self->retry_cap_ms);
  /* Between half and the whole delay, so a room full of kiosks does not come back at once */
  delay = delay / 2 + g_random_int_range (0, (gint32) (delay / 2 + 1));
  self->n_failures++;
  self->retry_source_id = g_timeout_add (delay, on_retry_cb, self);
}

/* Sorts a failure of a push or of GET answers. A conflict is no failure for the
 * waiters: the comparison that follows resolves it. */
static void
handle_sync_error (EkAnswerStore *self,
                   const GError  *error,
                   const char    *question_id)
{
  if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_ALREADY_SUBMITTED) ||
      g_error_matches (error, EK_API_ERROR, EK_API_ERROR_EXAM_OVER))
    {
      gboolean was_stopped = self->sync_stopped;

      g_debug ("The server takes no more answers (%s): pushing stops",
               ek_api_error_code_to_string (error->code));
      self->sync_stopped = TRUE;
      self->need_reconcile = FALSE;
      g_clear_handle_id (&self->retry_source_id, g_source_remove);
      set_read_only_internal (self);
      if (!was_stopped)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STOPPED]);
    }
  else if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_CONFLICT))
    {
      g_debug ("Conflict on %s: comparing with the server", question_id);
      self->need_reconcile = TRUE;
      return;
    }
  else
    {
      schedule_retry (self);
    }

  g_signal_emit (self, signals[SYNC_FAILED], 0, question_id, error);
  complete_waiters (&self->sync_waiters, error);
}

static void
on_put_answer_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PushData *data = user_data;
  EkAnswerStore *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 stored_revision = -1;
  Answer *answer;

  ek_api_client_put_answer_finish (EK_API_CLIENT (source), result, &stored_revision, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The store may be gone: do not touch it. */
      push_data_free (data);
      return;
    }

  self->n_in_flight--;
  answer = g_hash_table_lookup (self->answers, data->question_id);
  g_assert (answer != NULL);
  answer->in_flight = FALSE;

  if (error == NULL)
    {
      self->n_failures = 0;
      if (stored_revision > answer->confirmed && stored_revision <= answer->revision)
        {
          answer->confirmed = stored_revision;
          queue_answer_write (self, answer);
        }
    }
  else if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_BAD_REQUEST) ||
           g_error_matches (error, EK_API_ERROR, EK_API_ERROR_NOT_FOUND) ||
           g_error_matches (error, EK_API_ERROR, EK_API_ERROR_PAYLOAD_TOO_LARGE))
    {
      g_warning ("The server refused the answer to %s (revision %" G_GINT64_FORMAT "): %s",
                 data->question_id, data->revision, ek_api_error_code_to_string (error->code));
      answer->rejected = data->revision;
      g_signal_emit (self, signals[SYNC_FAILED], 0, data->question_id, error);
      complete_waiters (&self->sync_waiters, error);
    }
  else
    {
      handle_sync_error (self, error, data->question_id);
    }

  update_counts (self);
  push_data_free (data);

  if (self->need_reconcile && self->n_in_flight == 0)
    start_reconcile (self);
  else
    schedule_push (self);
  check_sync_waiters (self);
}

static void
push_answer (EkAnswerStore *self,
             Answer        *answer)
{
  PushData *data = g_new0 (PushData, 1);

  data->self = self;
  data->question_id = g_strdup (answer->question_id);
  data->revision = answer->revision;

  answer->in_flight = TRUE;
  self->n_in_flight++;
  ek_api_client_put_answer_async (self->api, answer->question_id, answer->revision,
                                  answer->value, answer->changed_ms, self->cancellable,
                                  on_put_answer_cb, data);
}

static void
schedule_push (EkAnswerStore *self)
{
  GHashTableIter iter;
  Answer *answer;

  if (self->api == NULL || self->sync_stopped || self->retry_source_id != 0 ||
      self->reconciling || self->need_reconcile || !ek_api_client_has_session_token (self->api))
    return;

  g_hash_table_iter_init (&iter, self->answers);
  while (self->n_in_flight < MAX_PUSHES_IN_FLIGHT &&
         g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
    if (answer_is_pending (answer) && !answer->in_flight)
      push_answer (self, answer);
}

/* Applies the server's answers by the rules at the top of this file. */
static gboolean
merge_server_answers (EkAnswerStore  *self,
                      JsonArray      *array,
                      GError        **error)
{
  g_autoptr(GHashTable) on_server = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  Answer *answer;

  /* Check the whole answer before changing anything. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      const char *question_id;
      gint64 revision;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !ek_json_read_identifier ((object = json_node_get_object (element)), "question_id",
                                    TRUE, &question_id, error) ||
          !ek_json_read_int (object, "revision", TRUE, 0, G_MAXINT64, &revision, error) ||
          !json_object_has_member (object, "value"))
        {
          g_clear_error (error);
          g_set_error_literal (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE,
                               _("The exam server sent a malformed answer list."));
          return FALSE;
        }
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *question_id = json_object_get_string_member (object, "question_id");
      gint64 revision = json_object_get_int_member (object, "revision");
      JsonNode *value = json_object_get_member (object, "value");

      g_hash_table_add (on_server, (gpointer) question_id);
      answer = g_hash_table_lookup (self->answers, question_id);
      if (answer == NULL)
        {
          answer = answer_new (question_id);
          g_hash_table_insert (self->answers, answer->question_id, answer);
        }

      if (revision >= answer->revision)
        {
          gboolean same = json_node_equal (answer->value, value);

          if (!same || revision != answer->revision || answer->confirmed != revision)
            {
              if (!same)
                {
                  json_node_unref (answer->value);
                  answer->value = json_node_copy (value);
                  g_ptr_array_add (changed, g_strdup (question_id));
                }
              answer->revision = revision;
              answer->confirmed = revision;
              answer->rejected = 0;
              queue_answer_write (self, answer);
            }
        }
      else if (answer->confirmed != revision)
        {
          /* Ours is newer: keep it pending from what the server really has. */
          answer->confirmed = revision;
          queue_answer_write (self, answer);
        }
    }

  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
    if (answer->confirmed > 0 && !g_hash_table_contains (on_server, answer->question_id))
      {
        answer->confirmed = 0;
        queue_answer_write (self, answer);
      }

  update_counts (self);
  for (guint i = 0; i < changed->len; i++)
    g_signal_emit (self, signals[ANSWER_CHANGED], 0, g_ptr_array_index (changed, i));

  return TRUE;
}

static void
on_get_answers_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  EkAnswerStore *self = user_data;  /* borrowed: dispose cancels the call */
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array = NULL;

  object = ek_api_client_call_finish (EK_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->reconciling = FALSE;

  if (object != NULL &&
      (!ek_json_read_array (object, "answers", TRUE, &array, &error) ||
       !merge_server_answers (self, array, &error)))
    {
      g_clear_error (&error);
      g_set_error_literal (&error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE,
                           _("The exam server sent a malformed answer list."));
    }

  if (error != NULL)
    {
      g_debug ("Cannot compare the answers with the server: %s", error->message);
      handle_sync_error (self, error, NULL);
      if (!self->sync_stopped)
        {
          self->need_reconcile = TRUE;
          schedule_retry (self);
        }
      return;
    }

  self->need_reconcile = FALSE;
  self->n_failures = 0;
  schedule_push (self);
  check_sync_waiters (self);
}

static void
start_reconcile (EkAnswerStore *self)
{
  if (self->api == NULL || self->sync_stopped || self->reconciling)
    return;

  /* Wait for the pushes under way: their answers are part of the picture. */
  self->need_reconcile = TRUE;
  if (self->n_in_flight > 0)
    return;

  self->reconciling = TRUE;
  ek_api_client_call_async (self->api, "GET", "/v1/session/answers", NULL,
                            EK_API_CALL_IDEMPOTENT, self->cancellable,
                            on_get_answers_cb, self);
}

static void
on_network_changed_cb (GNetworkMonitor *monitor,
                       gboolean         available,
                       gpointer         user_data)
{
  EkAnswerStore *self = user_data;

  /* Back online: do not wait for the backoff. */
  if (available && self->retry_source_id != 0)
    {
      g_clear_handle_id (&self->retry_source_id, g_source_remove);
      self->n_failures = 0;
      on_retry_cb (self);
    }
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;
  gint64 left;

  self->deadline_id = 0;
  left = ek_server_clock_ms_until (self->clock, self->deadline_ms);
  if (left <= 0)
    set_read_only_internal (self);
  else  /* re-armed at least every minute, so a clock correction is seen */
    self->deadline_id = g_timeout_add ((guint) MIN (left, DEADLINE_CHECK_MAX_MS),
                                       on_deadline_cb, self);
  return G_SOURCE_REMOVE;
}

/* Returns whether changes are still allowed; turns read-only when the deadline passed
 * even if its timer has not fired yet. */
static gboolean
check_writable (EkAnswerStore  *self,
                GError        **error)
{
  if (!self->read_only && self->clock != NULL && self->deadline_ms > 0 &&
      ek_server_clock_ms_until (self->clock, self->deadline_ms) <= 0)
    set_read_only_internal (self);

  if (self->read_only)
    {
      g_set_error_literal (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY,
                           _("The answers can no longer be changed: they were submitted or "
                             "the time is over."));
      return FALSE;
    }
  return TRUE;
}

static EkQuestion *
lookup_question (EkAnswerStore  *self,
                 const char     *question_id,
                 GError        **error)
{
  EkQuestion *question = g_hash_table_lookup (self->questions, question_id);

  if (question == NULL)
    g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_UNKNOWN_QUESTION,
                 /* Translators: %s is a question's identifier. */
                 _("There is no question “%s” in this test."), question_id);
  return question;
}

static Answer *
ensure_answer (EkAnswerStore *self,
               const char    *question_id)
{
  Answer *answer = g_hash_table_lookup (self->answers, question_id);

  if (answer == NULL)
    {
      answer = answer_new (question_id);
      g_hash_table_insert (self->answers, answer->question_id, answer);
    }
  return answer;
}

/* GAsyncInitable */

static void
ek_answer_store_init_async (GAsyncInitable      *initable,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  EkAnswerStore *self = EK_ANSWER_STORE (initable);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_answer_store_init_async);
  g_task_set_priority (task, io_priority);
  if (self->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "EkAnswerStore needs a path");
      return;
    }
  g_task_run_in_thread (task, open_thread);
}

static gboolean
ek_answer_store_init_finish (GAsyncInitable  *initable,
                             GAsyncResult    *result,
                             GError         **error)
{
  EkAnswerStore *self = EK_ANSWER_STORE (initable);
  LoadResult *loaded;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;

  for (guint i = 0; i < loaded->answers->len; i++)
    {
      Answer *answer = g_ptr_array_index (loaded->answers, i);

      g_hash_table_replace (self->answers, answer->question_id, answer);
    }
  g_ptr_array_set_free_func (loaded->answers, NULL);
  self->read_only = loaded->read_only;
  load_result_free (loaded);

  update_counts (self);

  /* A re-entered session compares with the server before pushing what waited here. */
  if (self->api != NULL && ek_api_client_has_session_token (self->api) &&
      (!self->read_only || self->n_pending_sync > 0))
    start_reconcile (self);

  return TRUE;
}

static void
async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = ek_answer_store_init_async;
  iface->init_finish = ek_answer_store_init_finish;
}

/* VFuncs */

static void
ek_answer_store_dispose (GObject *object)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_handle_id (&self->retry_source_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);

  G_OBJECT_CLASS (ek_answer_store_parent_class)->dispose (object);
}

static void
ek_answer_store_finalize (GObject *object)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                 "The answer store was closed");

  /* A write in flight holds a reference, so here nothing is being written. What is
   * still queued (a save retry after a disk error) is lost with the process anyway. */
  g_clear_handle_id (&self->save_retry_id, g_source_remove);
  g_queue_clear_full (&self->write_queue, write_op_free);
  complete_waiters (&self->flush_waiters, error);
  complete_waiters (&self->sync_waiters, error);

  if (self->db != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_source_tag (task, ek_answer_store_finalize);
      g_task_set_task_data (task, g_steal_pointer (&self->db), NULL);
      g_task_run_in_thread (task, close_thread);
    }

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->api);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_hash_table_unref);
  g_clear_pointer (&self->question_order, g_ptr_array_unref);

  G_OBJECT_CLASS (ek_answer_store_parent_class)->finalize (object);
}

static void
ek_answer_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_API_CLIENT:
      g_value_set_object (value, self->api);
      break;

    case PROP_N_ANSWERED:
      g_value_set_uint (value, self->n_answered);
      break;

    case PROP_N_UNANSWERED:
      g_value_set_uint (value, self->n_unanswered);
      break;

    case PROP_N_FLAGGED:
      g_value_set_uint (value, self->n_flagged);
      break;

    case PROP_N_PENDING_SYNC:
      g_value_set_uint (value, self->n_pending_sync);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;

    case PROP_SYNC_STOPPED:
      g_value_set_boolean (value, self->sync_stopped);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_answer_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    case PROP_API_CLIENT:
      self->api = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_answer_store_class_init (EkAnswerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_answer_store_dispose;
  object_class->finalize = ek_answer_store_finalize;
  object_class->get_property = ek_answer_store_get_property;
  object_class->set_property = ek_answer_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_API_CLIENT] =
    g_param_spec_object ("api-client", NULL, NULL,
                         EK_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ANSWERED] =
    g_param_spec_uint ("n-answered", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_UNANSWERED] =
    g_param_spec_uint ("n-unanswered", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_FLAGGED] =
    g_param_spec_uint ("n-flagged", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PENDING_SYNC] =
    g_param_spec_uint ("n-pending-sync", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * EkAnswerStore:sync-stopped:
   *
   * The server takes no more answers (`already_submitted`, `exam_over`): what is
   * still pending (n-pending-sync) can no longer reach it.
   */
  properties[PROP_SYNC_STOPPED] =
    g_param_spec_boolean ("sync-stopped", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkAnswerStore::answer-changed:
   * @question_id: the question whose value or flag changed
   *
   * Emitted for changes made here and for values taken from the server.
   */
  signals[ANSWER_CHANGED] =
    g_signal_new ("answer-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EkAnswerStore::save-failed:
   * @error: why the database could not be written
   *
   * Emitted once when saving on this computer starts failing; the store keeps the
   * changes in memory and tries again every second.
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * EkAnswerStore::sync-failed:
   * @question_id: (nullable): the answer that failed, %NULL for the comparison
   * @error: the %EK_API_ERROR
   */
  signals[SYNC_FAILED] =
    g_signal_new ("sync-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
ek_answer_store_init (EkAnswerStore *self)
{
  self->cancellable = g_cancellable_new ();
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, answer_free);
  self->questions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->question_order = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->write_queue);
  self->retry_base_ms = DEFAULT_RETRY_BASE_MS;
  self->retry_cap_ms = DEFAULT_RETRY_CAP_MS;

  self->network_monitor = g_network_monitor_get_default ();
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (on_network_changed_cb), self);
}

/* Public API */

/**
 * ek_answer_store_build_path:
 * @session_id: the session's identifier
 *
 * Returns: (transfer full): DATA_DIR/sessions/SESSION_ID/answers.sqlite
 */
char *
ek_answer_store_build_path (EkConfig   *config,
                            const char *session_id)
{
  g_return_val_if_fail (EK_IS_CONFIG (config), NULL);
  g_return_val_if_fail (ek_json_is_identifier (session_id), NULL);

  return g_build_filename (ek_config_get_data_dir (config), "sessions", session_id,
                           "answers.sqlite", NULL);
}

/**
 * ek_answer_store_new_async:
 * @path: the database file; its folder is made private (0700), the file 0600
 * @api: (nullable): the server to push to; %NULL for the offline practice exam
 *
 * Opens (or creates) the database in a worker thread and loads every answer saved
 * there. With @api holding a session token, the answers are compared with the
 * server's at once and what is pending is pushed.
 */
void
ek_answer_store_new_async (const char          *path,
                           EkApiClient         *api,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  g_async_initable_new_async (EK_TYPE_ANSWER_STORE, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data,
                              "path", path,
                              "api-client", api,
                              NULL);
}

/**
 * ek_answer_store_new_finish:
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with a translated
 *   %EK_ANSWER_STORE_ERROR_DATABASE
 */
EkAnswerStore *
ek_answer_store_new_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  return EK_ANSWER_STORE (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}

static void
remove_store_files_thread (GTask        *task,
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

static void
on_session_store_opened_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  EkAnswerStore *store = ek_answer_store_new_finish (result, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
on_store_files_removed_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *path = g_task_get_task_data (G_TASK (result));

  if (g_task_return_error_if_cancelled (task))
    return;
  ek_answer_store_new_async (path, NULL, g_task_get_cancellable (task),
                             on_session_store_opened_cb, g_object_ref (task));
}

/**
 * ek_answer_store_open_session_async:
 * @config: where the session folders are
 * @session_id: the session whose answers to open
 * @api: (nullable): the server to push to; %NULL for the offline practice exam,
 *   whose every run starts with a blank sheet (the last run's database is removed)
 *
 * Opens the session's store at ek_answer_store_build_path(), as
 * ek_answer_store_new_async() does.
 */
void
ek_answer_store_open_session_async (EkConfig            *config,
                                    const char          *session_id,
                                    EkApiClient         *api,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_CONFIG (config));
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_open_session_async);

  if (!ek_json_is_identifier (session_id))
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
                               _("There is no exam session to keep answers for."));
      return;
    }
  path = ek_answer_store_build_path (config, session_id);

  if (api == NULL)
    {
      g_autoptr(GTask) removal = g_task_new (NULL, cancellable, on_store_files_removed_cb,
                                             g_object_ref (task));

      g_task_set_task_data (removal, g_steal_pointer (&path), g_free);
      g_task_run_in_thread (removal, remove_store_files_thread);
      return;
    }

  ek_answer_store_new_async (path, api, cancellable, on_session_store_opened_cb,
                             g_object_ref (task));
}

/**
 * ek_answer_store_open_session_finish:
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with a translated error
 */
EkAnswerStore *
ek_answer_store_open_session_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_open_session_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
ek_answer_store_get_path (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return self->path;
}

EkApiClient *
ek_answer_store_get_api_client (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return self->api;
}

/**
 * ek_answer_store_add_questions:
 * @questions: a #GListModel of #EkQuestion, e.g. a phase's
 *
 * Makes the questions known: values are checked against them, and the answerable
 * ones (not oral) are what n-answered, n-unanswered and n-flagged count.
 */
void
ek_answer_store_add_questions (EkAnswerStore *self,
                               GListModel    *questions)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (G_IS_LIST_MODEL (questions));

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (questions, i);
      const char *id = ek_question_get_id (question);
      EkQuestion *old = g_hash_table_lookup (self->questions, id);

      if (old != NULL)
        g_ptr_array_remove (self->question_order, old);
      g_hash_table_replace (self->questions, (gpointer) id, g_object_ref (question));
      if (ek_question_takes_answer (question))
        g_ptr_array_add (self->question_order, g_object_ref (question));
    }

  update_counts (self);
}

/**
 * ek_answer_store_get_question:
 *
 * Returns: (transfer none) (nullable): a question added with
 *   ek_answer_store_add_questions()
 */
EkQuestion *
ek_answer_store_get_question (EkAnswerStore *self,
                              const char    *question_id)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return g_hash_table_lookup (self->questions, question_id);
}

/**
 * ek_answer_store_get_value:
 *
 * Returns: (transfer none) (nullable): the current value, %NULL when there is none
 */
JsonNode *
ek_answer_store_get_value (EkAnswerStore *self,
                           const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);

  answer = g_hash_table_lookup (self->answers, question_id);
  if (answer == NULL || JSON_NODE_HOLDS_NULL (answer->value))
    return NULL;
  return answer->value;
}

gint64
ek_answer_store_get_revision (EkAnswerStore *self,
                              const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL ? answer->revision : 0;
}

gint64
ek_answer_store_get_confirmed_revision (EkAnswerStore *self,
                                        const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL ? answer->confirmed : 0;
}

gboolean
ek_answer_store_is_answered (EkAnswerStore *self,
                             const char    *question_id)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return ek_question_value_is_answered (ek_answer_store_get_value (self, question_id));
}

gboolean
ek_answer_store_get_flagged (EkAnswerStore *self,
                             const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL && answer->flagged;
}

/**
 * ek_answer_store_set_value:
 * @value: (nullable): the new value; %NULL or a JSON null clears the answer
 *
 * Checks the value against the question, takes it at once (a new revision), queues
 * it for the disk and pushes it to the server. Setting the value it already has
 * changes nothing.
 *
 * Returns: %FALSE with a translated error when the value does not fit
 *   (%EK_QUESTION_ERROR_INVALID_VALUE), the question is unknown or the store is
 *   read-only
 */
gboolean
ek_answer_store_set_value (EkAnswerStore  *self,
                           const char     *question_id,
                           JsonNode       *value,
                           GError        **error)
{
  g_autoptr(JsonNode) null_value = NULL;
  EkQuestion *question;
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  g_return_val_if_fail (question_id != NULL, FALSE);

  if ((question = lookup_question (self, question_id, error)) == NULL ||
      !ek_question_validate_value (question, value, error) ||
      !check_writable (self, error))
    return FALSE;

  if (value == NULL)
    value = null_value = json_node_new (JSON_NODE_NULL);

  answer = ensure_answer (self, question_id);
  if (json_node_equal (answer->value, value))
    return TRUE;

  json_node_unref (answer->value);
  answer->value = json_node_copy (value);
  answer->revision++;
  answer->changed_ms = now_ms (self);
  queue_answer_write (self, answer);

  update_counts (self);
  g_signal_emit (self, signals[ANSWER_CHANGED], 0, question_id);
  schedule_push (self);

  return TRUE;
}

/**
 * ek_answer_store_set_flagged:
 *
 * Marks a question for review, on this computer only (the server does not know
 * flags); no new revision.
 */
gboolean
ek_answer_store_set_flagged (EkAnswerStore  *self,
                             const char     *question_id,
                             gboolean        flagged,
                             GError        **error)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  g_return_val_if_fail (question_id != NULL, FALSE);

  if (lookup_question (self, question_id, error) == NULL || !check_writable (self, error))
    return FALSE;

  answer = ensure_answer (self, question_id);
  flagged = !!flagged;
  if (answer->flagged == flagged)
    return TRUE;

  answer->flagged = flagged;
  queue_answer_write (self, answer);

  update_counts (self);
  g_signal_emit (self, signals[ANSWER_CHANGED], 0, question_id);

  return TRUE;
}

guint
ek_answer_store_get_n_answered (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_answered;
}

guint
ek_answer_store_get_n_unanswered (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_unanswered;
}

guint
ek_answer_store_get_n_flagged (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_flagged;
}

/**
 * ek_answer_store_get_n_pending_sync:
 *
 * Returns: how many answers have a change the server has not confirmed yet (always 0
 *   without a server)
 */
guint
ek_answer_store_get_n_pending_sync (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_pending_sync;
}

/**
 * ek_answer_store_get_sync_stopped:
 *
 * Returns: whether the server refused to take more answers (submitted, or the
 *   exam over for it); what is pending then stays on this computer only
 */
gboolean
ek_answer_store_get_sync_stopped (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return self->sync_stopped;
}

gboolean
ek_answer_store_get_read_only (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return self->read_only;
}

/**
 * ek_answer_store_set_read_only:
 *
 * From now on, also after a restart, no answer can change: the answers were
 * submitted or the time is over. Pending changes are still pushed (the server
 * decides whether they count).
 */
void
ek_answer_store_set_read_only (EkAnswerStore *self)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  set_read_only_internal (self);
}

/**
 * ek_answer_store_set_deadline:
 * @clock: the server clock
 * @deadline_ms: server time at which the answers close (the exam's end)
 *
 * Makes the store read-only when @deadline_ms passes in server time.
 */
void
ek_answer_store_set_deadline (EkAnswerStore *self,
                              EkServerClock *clock,
                              gint64         deadline_ms)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (EK_IS_SERVER_CLOCK (clock));

  g_set_object (&self->clock, clock);
  self->deadline_ms = deadline_ms;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (!self->read_only)
    on_deadline_cb (self);
}

/**
 * ek_answer_store_flush_async:
 *
 * Completes when every change made before this call is on disk; that is the moment a
 * change counts as saved on this computer.
 */
void
ek_answer_store_flush_async (EkAnswerStore       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ANSWER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_flush_async);

  if (self->saved_seq >= self->queued_seq)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) self->queued_seq), NULL);
  self->flush_waiters = g_list_append (self->flush_waiters, g_steal_pointer (&task));
}

gboolean
ek_answer_store_flush_finish (EkAnswerStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_answer_store_sync_async:
 *
 * Compares with the server's answers (GET /v1/session/answers, the rules at the top
 * of ek-answer-store.c) and pushes everything pending. Completes when the server has
 * confirmed every answer, or with the first failure (the store keeps retrying in the
 * background after a transient one). Call it on re-entry and before submitting.
 */
void
ek_answer_store_sync_async (EkAnswerStore       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ANSWER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_sync_async);

  if (self->api == NULL)
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_OFFLINE,
                               _("This exam is offline: the answers stay on this computer."));
      return;
    }
  if (self->sync_stopped)
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY,
                               _("The server takes no more answers: they were submitted or "
                                 "the time is over."));
      return;
    }

  self->sync_waiters = g_list_append (self->sync_waiters, g_steal_pointer (&task));

  /* An explicit sync does not wait for the backoff. */
  g_clear_handle_id (&self->retry_source_id, g_source_remove);
  start_reconcile (self);
}

gboolean
ek_answer_store_sync_finish (EkAnswerStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_answer_store_set_retry_delays (EkAnswerStore *self,
                                  guint          base_ms,
                                  guint          cap_ms)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (base_ms > 0 && cap_ms >= base_ms);

  self->retry_base_ms = base_ms;
  self->retry_cap_ms = cap_ms;
}
