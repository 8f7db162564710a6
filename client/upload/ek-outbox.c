/* ek-outbox.c: the durable queue of recording segments on their way to the server
 *
 * The state lives twice: in memory on the main context (Item, what decisions are made
 * from) and in SQLite (what survives a crash). The main context never touches the
 * database: each change pushes a snapshot of the row to a thread pool of exactly one
 * thread, so writes happen in order, and the main loop never waits on an fsync.
 *
 * Durability is chosen per write. A new segment, a new tus URL and a state change
 * commit with synchronous=FULL (the WAL is fsync'd): losing one of these would lose a
 * segment or an upload. A new offset commits with synchronous=NORMAL: losing it costs
 * nothing, since the server's HEAD answer is the truth about offsets anyway.
 */

#include "config.h"

#include "ek-outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#define SCHEMA_VERSION   1
#define RATE_INTERVAL_MS 1000
#define RATE_SMOOTHING   0.3
#define HASH_BUFFER_SIZE (256 * 1024)

typedef struct
{
  char          *stream;
  guint          index;
  gint64         seq;
  char          *path;
  guint64        size;
  char          *sha256;
  gint64         start_ns;
  gint64         end_ns;
  char          *url;                  /* nullable */
  guint64        offset;
  EkOutboxState  state;
} Row;

/* Only ever used by the worker thread, once the outbox has made it. */
typedef struct
{
  sqlite3  *db;
  char     *path;
  char     *session_id;
  int       synchronous;               /* -1 unknown, 1 NORMAL, 2 FULL */
} Store;

typedef enum
{
  OP_OPEN,
  OP_WRITE,
  OP_FLUSH,
} OpKind;

typedef struct
{
  OpKind    kind;
  gboolean  durable;
  Row      *row;                       /* owned, OP_WRITE */
  GTask    *task;                      /* owned, nullable */
} Op;

typedef struct _Job Job;

typedef struct
{
  EkSegment     *segment;              /* owned */
  gint64         seq;
  char          *url;                  /* nullable */
  guint64        offset;               /* confirmed by the server */
  guint64        sending;              /* of the chunk in flight */
  EkOutboxState  state;
  Job           *job;                  /* borrowed, nullable: the running upload */
  gboolean       verifying;            /* re-hashing the file after a mismatch */
} Item;

struct _Job
{
  EkOutbox     *outbox;                /* borrowed; NULL once the outbox is gone */
  Item         *item;                  /* borrowed; NULL once forgotten */
  GCancellable *cancellable;           /* owned */
};

struct _EkOutbox
{
  GObject        parent_instance;

  char          *path;
  char          *session_id;
  EkTusClient   *tus_client;           /* owned */
  EkApiClient   *api_client;           /* owned, nullable */

  Store         *store;                /* owned; the worker's */
  GThreadPool   *pool;                 /* one thread: writes stay in order */

  GPtrArray     *items;                /* Item, owned, in upload order */
  gint64         max_seq;
  GPtrArray     *jobs;                 /* Job, borrowed: freed by their callbacks */
  GCancellable  *cancellable;          /* cancelled on dispose */
  gboolean       ready;
  gboolean       paused;
  guint          max_parallel;

  guint          failures;             /* in a row */
  guint          backoff_base_ms;
  guint          backoff_cap_ms;
  GSource       *backoff_source;       /* owned, nullable */

  GTask         *finish_task;          /* owned, nullable */
  GSource       *finish_cancel_source; /* owned, nullable */
  gboolean       finish_call_running;
  guint          finish_rounds;

  /* Progress, as the properties show it */
  guint64        bytes_total;
  guint64        bytes_sent;
  double         rate;
  gint64         eta_seconds;
  guint          segments_total;
  guint          segments_pending;
  gboolean       waiting;
  gboolean       complete;

  guint64        transmitted;          /* every byte sent, resends included */
  guint64        rate_last_transmitted;
  gint64         rate_last_us;
  GSource       *rate_source;          /* owned, nullable */
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_SESSION_ID,
  PROP_TUS_CLIENT,
  PROP_API_CLIENT,
  PROP_PAUSED,
  PROP_MAX_PARALLEL,
  PROP_BYTES_TOTAL,
  PROP_BYTES_SENT,
  PROP_RATE,
  PROP_ETA_SECONDS,
  PROP_SEGMENTS_TOTAL,
  PROP_SEGMENTS_PENDING,
  PROP_WAITING,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ek_outbox_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EkOutbox, ek_outbox, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      ek_outbox_async_initable_iface_init))
G_DEFINE_QUARK (ek-outbox-error-quark, ek_outbox_error)

static const char * const state_names[] = {
  [EK_OUTBOX_STATE_PENDING] = "pending",
  [EK_OUTBOX_STATE_UPLOADING] = "uploading",
  [EK_OUTBOX_STATE_UPLOADED] = "uploaded",
  [EK_OUTBOX_STATE_CONFIRMED] = "confirmed",
  [EK_OUTBOX_STATE_REJECTED] = "rejected",
};

static void schedule (EkOutbox *self);
static void check_finish (EkOutbox *self);

/* Helpers: rows and the worker */

static void
row_free (Row *row)
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
  g_clear_pointer (&op->row, row_free);
  g_clear_object (&op->task);
  g_free (op);
}

static void
store_free (Store *store)
{
  if (store == NULL)
    return;
  g_clear_pointer (&store->db, sqlite3_close);
  g_free (store->path);
  g_free (store->session_id);
  g_free (store);
}

static EkOutboxState
state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_strcmp0 (text, state_names[i]) == 0)
        return i;
    }
  return EK_OUTBOX_STATE_PENDING;
}

static gboolean
store_exec (Store       *store,
            const char  *sql,
            GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (store->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "%s: %s", sql, message ? message : sqlite3_errmsg (store->db));
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static void
store_set_synchronous (Store    *store,
                       gboolean  full)
{
  int wanted = full ? 2 : 1;

  if (store->synchronous == wanted)
    return;
  if (store_exec (store, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL))
    store->synchronous = wanted;
}

static gboolean
store_open (Store   *store,
            GError **error)
{
  g_autofree char *dir = g_path_get_dirname (store->path);
  int fd;

  /* Private files in a private folder: the recording's hashes and upload URLs are
   * nobody else's business. SQLite gives the -wal and -shm files the database's mode. */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "cannot create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  fd = g_open (store->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "cannot open %s: %s", store->path, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  if (sqlite3_open_v2 (store->path, &store->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "cannot open %s: %s", store->path,
                   store->db ? sqlite3_errmsg (store->db) : "out of memory");
      return FALSE;
    }
  sqlite3_busy_timeout (store->db, 10000);
  store->synchronous = -1;

  if (!store_exec (store, "PRAGMA journal_mode=WAL", error))
    return FALSE;
  store_set_synchronous (store, TRUE);

  return store_exec (store,
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
                     "PRAGMA user_version=" G_STRINGIFY (SCHEMA_VERSION), error);
}

static GPtrArray *
store_load (Store   *store,
            GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT stream, idx, seq, path, size, sha256, start_ns, end_ns,"
                          " tus_url, confirmed_offset, state FROM segments"
                          " WHERE session_id = ?1 ORDER BY seq",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "cannot read %s: %s", store->path, sqlite3_errmsg (store->db));
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, store->session_id, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Row *row = g_new0 (Row, 1);

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
      g_ptr_array_add (rows, row);
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      g_set_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_DATABASE,
                   "cannot read %s: %s", store->path, sqlite3_errmsg (store->db));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static void
store_write (Store    *store,
             Row      *row,
             gboolean  durable)
{
  sqlite3_stmt *stmt = NULL;

  if (store->db == NULL)
    return;

  store_set_synchronous (store, durable);
  if (sqlite3_prepare_v2 (store->db,
                          "INSERT OR REPLACE INTO segments (session_id, stream, idx, seq, path,"
                          " size, sha256, start_ns, end_ns, tus_url, confirmed_offset, state,"
                          " updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                          " ?12, ?13)",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("Outbox %s: cannot store a segment: %s", store->path, sqlite3_errmsg (store->db));
      return;
    }

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
  sqlite3_bind_text (stmt, 12, state_names[row->state], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 13, g_get_real_time () / 1000);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("Outbox %s: cannot store segment %s/%u: %s", store->path, row->stream,
               row->index, sqlite3_errmsg (store->db));
  sqlite3_finalize (stmt);
}

static void
worker_func (gpointer data,
             gpointer user_data)
{
  Op *op = data;
  Store *store = user_data;

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
      store_write (store, op->row, op->durable);
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

static void
push_op (EkOutbox *self,
         Op       *op)
{
  g_thread_pool_push (self->pool, op, NULL);
}

/* Helpers: items */

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->segment, ek_segment_unref);
  g_free (item->url);
  g_free (item);
}

static Item *
find_item (EkOutbox   *self,
           const char *stream,
           guint       index)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (ek_segment_get_index (item->segment) == index &&
          g_str_equal (ek_segment_get_stream (item->segment), stream))
        return item;
    }
  return NULL;
}

static gboolean
item_is_done (Item *item)
{
  return item->state == EK_OUTBOX_STATE_UPLOADED ||
         item->state == EK_OUTBOX_STATE_CONFIRMED ||
         item->state == EK_OUTBOX_STATE_REJECTED;
}

static void
store_item (EkOutbox *self,
            Item     *item,
            gboolean  durable)
{
  Op *op = g_new0 (Op, 1);
  Row *row = g_new0 (Row, 1);

  row->stream = g_strdup (ek_segment_get_stream (item->segment));
  row->index = ek_segment_get_index (item->segment);
  row->seq = item->seq;
  row->path = g_strdup (ek_segment_get_path (item->segment));
  row->size = ek_segment_get_size (item->segment);
  row->sha256 = g_strdup (ek_segment_get_sha256 (item->segment));
  row->start_ns = ek_segment_get_start_ns (item->segment);
  row->end_ns = ek_segment_get_end_ns (item->segment);
  row->url = g_strdup (item->url);
  row->offset = item->offset;
  row->state = item->state;

  op->kind = OP_WRITE;
  op->durable = durable;
  op->row = row;
  push_op (self, op);
}

static void
item_set_state (EkOutbox      *self,
                Item          *item,
                EkOutboxState  state)
{
  item->state = state;
  store_item (self, item, TRUE);
}

/* Back to the start: a new tus upload of the same file. */
static void
item_reset (EkOutbox *self,
            Item     *item)
{
  g_clear_pointer (&item->url, g_free);
  item->offset = 0;
  item->sending = 0;
  item_set_state (self, item, EK_OUTBOX_STATE_PENDING);
}

/* Helpers: progress */

static gboolean
set_uint64 (guint64 *field,
            guint64  value)
{
  if (*field == value)
    return FALSE;
  *field = value;
  return TRUE;
}

static void
notify_if (EkOutbox *self,
           gboolean  changed,
           guint     prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_eta (EkOutbox *self)
{
  guint64 remaining = self->bytes_total - MIN (self->bytes_sent, self->bytes_total);
  gint64 eta;

  if (remaining == 0)
    eta = 0;
  else if (self->rate >= 1.0)
    eta = (gint64) ((double) remaining / self->rate + 0.5);
  else
    eta = -1;

  if (self->eta_seconds != eta)
    {
      self->eta_seconds = eta;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA_SECONDS]);
    }
}

static gboolean
on_rate_tick_cb (gpointer user_data)
{
  EkOutbox *self = user_data;
  gint64 now = g_get_monotonic_time ();
  double seconds = (now - self->rate_last_us) / (double) G_USEC_PER_SEC;
  double sample, rate;

  if (seconds <= 0)
    return G_SOURCE_CONTINUE;

  sample = (self->transmitted - self->rate_last_transmitted) / seconds;
  self->rate_last_transmitted = self->transmitted;
  self->rate_last_us = now;

  /* An exponential moving average: steady enough to read, quick enough to follow. */
  rate = self->rate <= 0 ? sample : RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * self->rate;
  if (self->jobs->len == 0 && rate < 1.0)
    rate = 0;

  if (self->rate != rate)
    {
      self->rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
    }
  update_eta (self);

  if (self->jobs->len == 0 && rate == 0)
    {
      g_clear_pointer (&self->rate_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_rate_timer (EkOutbox *self)
{
  if (self->rate_source != NULL)
    return;

  self->rate_last_transmitted = self->transmitted;
  self->rate_last_us = g_get_monotonic_time ();
  self->rate_source = g_timeout_source_new (RATE_INTERVAL_MS);
  g_source_set_static_name (self->rate_source, "[ek-outbox rate]");
  g_source_set_callback (self->rate_source, on_rate_tick_cb, self, NULL);
  g_source_attach (self->rate_source, g_main_context_get_thread_default ());
}

static void
update_progress (EkOutbox *self)
{
  guint64 total = 0, sent = 0;
  guint pending = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      guint64 size = ek_segment_get_size (item->segment);

      total += size;
      if (item_is_done (item))
        sent += size;
      else
        {
          sent += MIN (item->offset + item->sending, size);
          pending++;
        }
    }

  g_object_freeze_notify (G_OBJECT (self));
  notify_if (self, set_uint64 (&self->bytes_total, total), PROP_BYTES_TOTAL);
  notify_if (self, set_uint64 (&self->bytes_sent, sent), PROP_BYTES_SENT);
  if (self->segments_total != self->items->len)
    {
      self->segments_total = self->items->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENTS_TOTAL]);
    }
  if (self->segments_pending != pending)
    {
      self->segments_pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENTS_PENDING]);
    }
  update_eta (self);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_complete (EkOutbox *self,
              gboolean  complete)
{
  if (self->complete == complete)
    return;
  self->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_waiting (EkOutbox *self,
             gboolean  waiting)
{
  if (self->waiting == waiting)
    return;
  self->waiting = waiting;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}

/* Backoff: after a failure nothing starts for a while, whatever segment it was, since
 * what fails one upload (the network) usually fails them all. */

static gboolean
on_backoff_done_cb (gpointer user_data)
{
  EkOutbox *self = user_data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  set_waiting (self, FALSE);
  schedule (self);

  return G_SOURCE_REMOVE;
}

static void
back_off (EkOutbox *self)
{
  guint64 ceiling = self->backoff_base_ms;
  guint delay;

  self->failures++;
  for (guint i = 1; i < self->failures && ceiling < self->backoff_cap_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, self->backoff_cap_ms);
  delay = ceiling > 0 ? (guint) g_random_int_range (0, (gint32) MIN (ceiling, G_MAXINT32 - 1) + 1) : 0;

  if (self->backoff_source != NULL)
    {
      g_source_destroy (self->backoff_source);
      g_clear_pointer (&self->backoff_source, g_source_unref);
    }

  g_debug ("Outbox: failure %u in a row, waiting %u ms", self->failures, delay);
  self->backoff_source = g_timeout_source_new (delay);
  g_source_set_static_name (self->backoff_source, "[ek-outbox backoff]");
  g_source_set_callback (self->backoff_source, on_backoff_done_cb, self, NULL);
  g_source_attach (self->backoff_source, g_main_context_get_thread_default ());
  set_waiting (self, TRUE);
}

/* Uploads */

static void
job_free (Job *job)
{
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
job_forget (Job *job)
{
  if (job->item != NULL)
    job->item->job = NULL;
  job->item = NULL;
  g_cancellable_cancel (job->cancellable);
}

static void
on_upload_event_cb (EkTusUploadEvent  event,
                    const char       *url,
                    guint64           offset,
                    guint64           sending,
                    gpointer          user_data)
{
  Job *job = user_data;
  EkOutbox *self = job->outbox;
  Item *item = job->item;

  if (self == NULL || item == NULL)
    return;

  switch (event)
    {
    case EK_TUS_UPLOAD_CREATED:
      g_free (item->url);
      item->url = g_strdup (url);
      item->offset = 0;
      item->sending = 0;
      /* The URL is what lets a restarted kiosk go on: on disk before any byte goes. */
      item_set_state (self, item, EK_OUTBOX_STATE_UPLOADING);
      break;

    case EK_TUS_UPLOAD_OFFSET:
      if (offset > item->offset)
        self->failures = 0;
      item->offset = offset;
      item->sending = 0;
      if (item->state == EK_OUTBOX_STATE_PENDING)
        item_set_state (self, item, EK_OUTBOX_STATE_UPLOADING);
      else
        store_item (self, item, FALSE);
      break;

    case EK_TUS_UPLOAD_SENDING:
      if (sending > item->sending)
        self->transmitted += sending - item->sending;
      item->sending = sending;
      break;

    default:
      g_assert_not_reached ();
    }

  update_progress (self);
}

static void
on_upload_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(EkOutbox) self = job->outbox ? g_object_ref (job->outbox) : NULL;
  Item *item = job->item;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = ek_tus_client_upload_finish (EK_TUS_CLIENT (source), result, &error);

  if (self != NULL)
    g_ptr_array_remove (self->jobs, job);
  if (item != NULL)
    item->job = NULL;
  job_free (job);

  if (self == NULL || item == NULL)
    {
      if (self != NULL)
        schedule (self);
      return;
    }

  item->sending = 0;
  if (url != NULL)
    {
      g_debug ("Outbox: %s/%u uploaded", ek_segment_get_stream (item->segment),
               ek_segment_get_index (item->segment));
      g_free (item->url);
      item->url = g_steal_pointer (&url);
      item->offset = ek_segment_get_size (item->segment);
      self->failures = 0;
      item_set_state (self, item, EK_OUTBOX_STATE_UPLOADED);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* paused: it goes on from the server's offset when resumed */
    }
  else if (g_error_matches (error, EK_TUS_ERROR, EK_TUS_ERROR_FILE))
    {
      g_warning ("Outbox: segment %s/%u cannot be uploaded: %s",
                 ek_segment_get_stream (item->segment), ek_segment_get_index (item->segment),
                 error->message);
      item_set_state (self, item, EK_OUTBOX_STATE_REJECTED);
    }
  else
    {
      /* Whatever the server said, the segment is kept and tried again later. */
      g_debug ("Outbox: %s/%u: %s", ek_segment_get_stream (item->segment),
               ek_segment_get_index (item->segment), error->message);
      back_off (self);
    }

  update_progress (self);
  schedule (self);
}

static void
start_upload (EkOutbox *self,
              Item     *item)
{
  EkSegment *segment = item->segment;
  g_autofree char *index = g_strdup_printf ("%u", ek_segment_get_index (segment));
  g_autofree char *filename = g_path_get_basename (ek_segment_get_path (segment));
  const char *metadata[] = {
    "session", self->session_id,
    "stream", ek_segment_get_stream (segment),
    "segment", index,
    "sha256", ek_segment_get_sha256 (segment),
    "filename", filename,
    NULL
  };
  Job *job = g_new0 (Job, 1);

  job->outbox = self;
  job->item = item;
  job->cancellable = g_cancellable_new ();
  item->job = job;
  g_ptr_array_add (self->jobs, job);

  g_debug ("Outbox: uploading %s/%u (%s)", ek_segment_get_stream (segment),
           ek_segment_get_index (segment), item->url ? "resuming" : "new");
  ek_tus_client_upload_async (self->tus_client, ek_segment_get_path (segment),
                              ek_segment_get_size (segment), metadata, item->url,
                              on_upload_event_cb, job, NULL, job->cancellable,
                              on_upload_done_cb, job);
  ensure_rate_timer (self);
}

static void
schedule (EkOutbox *self)
{
  if (self->ready && !self->paused && self->backoff_source == NULL)
    {
      for (guint i = 0; i < self->items->len && self->jobs->len < self->max_parallel; i++)
        {
          Item *item = g_ptr_array_index (self->items, i);

          if (item->job == NULL && !item->verifying && !item_is_done (item))
            start_upload (self, item);
        }
    }

  check_finish (self);
}

/* Finish */

static void
finish_return (EkOutbox *self,
               GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->finish_task);

  if (self->finish_cancel_source != NULL)
    {
      g_source_destroy (self->finish_cancel_source);
      g_clear_pointer (&self->finish_cancel_source, g_source_unref);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EkSegment *segment = task_data;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  g_autofree guint8 *buffer = g_malloc (HASH_BUFFER_SIZE);
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  g_autofree char *hex = NULL;
  guint64 size = 0;
  gssize n = -1;
  int fd = g_open (ek_segment_get_path (segment), O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || ctx == NULL || !EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL))
    {
      if (fd >= 0)
        close (fd);
      EVP_MD_CTX_free (ctx);
      g_task_return_boolean (task, FALSE);
      return;
    }
  while ((n = read (fd, buffer, HASH_BUFFER_SIZE)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      EVP_DigestUpdate (ctx, buffer, n);
      size += n;
    }
  close (fd);
  EVP_DigestFinal_ex (ctx, digest, &digest_len);
  EVP_MD_CTX_free (ctx);

  hex = g_malloc (2 * digest_len + 1);
  for (guint i = 0; i < digest_len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);

  g_task_return_boolean (task, n == 0 && size == ek_segment_get_size (segment) &&
                         g_ascii_strcasecmp (hex, ek_segment_get_sha256 (segment)) == 0);
}

static void
on_verified_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  EkOutbox *self = EK_OUTBOX (source);
  EkSegment *segment = g_task_get_task_data (G_TASK (result));
  Item *item = find_item (self, ek_segment_get_stream (segment), ek_segment_get_index (segment));

  if (item == NULL || !item->verifying)
    return;
  item->verifying = FALSE;

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    item_reset (self, item);
  else
    {
      g_warning ("Outbox: segment %s/%u differs from its hash on this computer: it cannot be uploaded again",
                 ek_segment_get_stream (segment), ek_segment_get_index (segment));
      item_set_state (self, item, EK_OUTBOX_STATE_REJECTED);
    }

  update_progress (self);
  schedule (self);
}

/* The server has other bytes than we hashed: send them again, unless the file on
 * this computer is what changed (then nothing can fix it). */
static void
reupload_item (EkOutbox *self,
               Item     *item)
{
  g_autoptr(GTask) task = NULL;

  if (item->job != NULL || item->verifying)
    return;

  item->verifying = TRUE;
  item->state = EK_OUTBOX_STATE_PENDING;
  task = g_task_new (self, self->cancellable, on_verified_cb, NULL);
  g_task_set_source_tag (task, reupload_item);
  g_task_set_name (task, "[ek-outbox] verify segment");
  g_task_set_task_data (task, ek_segment_ref (item->segment), (GDestroyNotify) ek_segment_unref);
  g_task_run_in_thread (task, verify_thread);
}

static void
on_finish_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkOutbox) self = user_data;
  g_autoptr(JsonArray) statuses = NULL;
  g_autoptr(GError) error = NULL;
  gboolean complete = FALSE;
  guint again = 0, lost = 0;

  self->finish_call_running = FALSE;
  if (!ek_api_client_finish_finish (EK_API_CLIENT (source), result, &complete, &statuses, &error))
    {
      if (self->finish_task == NULL)
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !ek_api_error_is_transient (error))
        {
          finish_return (self, g_steal_pointer (&error));
          return;
        }
      g_debug ("Outbox: finish failed, trying again: %s", error->message);
      back_off (self);
      return;
    }

  for (guint i = 0; statuses != NULL && i < json_array_get_length (statuses); i++)
    {
      JsonObject *object = json_array_get_object_element (statuses, i);
      const char *stream, *status;
      Item *item;

      if (object == NULL)
        continue;
      stream = json_object_get_string_member_with_default (object, "stream", "");
      status = json_object_get_string_member_with_default (object, "status", "");
      item = find_item (self, stream, (guint) json_object_get_int_member_with_default (object, "index", -1));
      if (item == NULL || item->state == EK_OUTBOX_STATE_REJECTED)
        continue;

      if (g_str_equal (status, "confirmed"))
        {
          if (item->state != EK_OUTBOX_STATE_CONFIRMED)
            item_set_state (self, item, EK_OUTBOX_STATE_CONFIRMED);
        }
      else
        {
          g_debug ("Outbox: the server reports %s/%u %s", stream,
                   ek_segment_get_index (item->segment), status);
          reupload_item (self, item);
          again++;
        }
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->state == EK_OUTBOX_STATE_REJECTED)
        lost++;
    }

  self->failures = 0;
  update_progress (self);

  if (self->finish_task == NULL)
    return;

  if (complete && again == 0 && lost == 0)
    {
      set_complete (self, TRUE);
      finish_return (self, NULL);
    }
  else if (again == 0 || ++self->finish_rounds >= EK_OUTBOX_MAX_FINISH_ROUNDS)
    {
      finish_return (self, g_error_new_literal (EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_NOT_CONFIRMED,
                                                _("The exam server could not confirm the whole recording. Contact your technician before you leave.")));
    }
  else
    schedule (self);
}

static void
check_finish (EkOutbox *self)
{
  g_autoptr(JsonArray) segments = NULL;
  guint lost = 0;

  if (self->finish_task == NULL || self->finish_call_running || !self->ready)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (!item_is_done (item))
        return;   /* not yet: this runs again after every upload */
      if (item->state == EK_OUTBOX_STATE_REJECTED)
        lost++;
    }

  if (self->api_client == NULL)
    {
      /* A stock tus server: every byte accepted is all there is to know. */
      if (lost > 0)
        {
          finish_return (self, g_error_new_literal (EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_LOST_SEGMENTS,
                                                    _("Part of the recording could not be uploaded because its files on this computer are damaged. Contact your technician before you leave.")));
          return;
        }
      set_complete (self, TRUE);
      finish_return (self, NULL);
      return;
    }

  if (self->backoff_source != NULL)
    return;

  segments = json_array_new ();
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "stream", ek_segment_get_stream (item->segment));
      json_object_set_int_member (object, "index", ek_segment_get_index (item->segment));
      json_object_set_int_member (object, "size", (gint64) ek_segment_get_size (item->segment));
      json_object_set_string_member (object, "sha256", ek_segment_get_sha256 (item->segment));
      if (item->url != NULL)
        json_object_set_string_member (object, "upload_url", item->url);
      json_array_add_object_element (segments, object);
    }

  self->finish_call_running = TRUE;
  ek_api_client_finish_async (self->api_client, segments,
                              g_task_get_cancellable (self->finish_task),
                              on_finish_done_cb, g_object_ref (self));
}

static gboolean
on_finish_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  EkOutbox *self = user_data;
  GError *error = NULL;

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  finish_return (self, error);
  return G_SOURCE_REMOVE;
}

/* Initialisation, in the worker */

static void
on_opened_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkOutbox *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      Item *item;

      if (!ek_segment_stream_is_valid (row->stream) || row->path == NULL ||
          !g_path_is_absolute (row->path) || row->sha256 == NULL || strlen (row->sha256) != 64 ||
          row->end_ns < row->start_ns)
        {
          g_warning ("Outbox %s: skipping a damaged row", self->path);
          continue;
        }

      item = g_new0 (Item, 1);
      item->segment = ek_segment_new (row->stream, row->index, row->path, row->size, row->sha256,
                                      row->start_ns, row->end_ns);
      item->seq = row->seq;
      item->url = g_strdup (row->url);
      item->offset = row->offset;
      item->state = row->state;
      /* A row caught between states by the crash: the URL decides. */
      if (item->state == EK_OUTBOX_STATE_UPLOADING && item->url == NULL)
        item->state = EK_OUTBOX_STATE_PENDING;
      self->max_seq = MAX (self->max_seq, item->seq);
      g_ptr_array_add (self->items, item);
    }

  g_debug ("Outbox %s: %u segments of session %s", self->path, self->items->len, self->session_id);
  self->ready = TRUE;
  update_progress (self);
  schedule (self);

  g_task_return_boolean (task, TRUE);
}

static void
ek_outbox_init_async (GAsyncInitable      *initable,
                      int                  io_priority,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  EkOutbox *self = EK_OUTBOX (initable);
  g_autoptr(GTask) task = NULL;
  GTask *open_task;
  GError *error = NULL;
  Op *op;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_outbox_init_async);
  g_task_set_name (task, "[ek-outbox] init");

  if (self->path == NULL || self->session_id == NULL || self->tus_client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "an outbox needs a path, a session id and a tus client");
      return;
    }

  self->store = g_new0 (Store, 1);
  self->store->path = g_strdup (self->path);
  self->store->session_id = g_strdup (self->session_id);
  self->pool = g_thread_pool_new (worker_func, self->store, 1, FALSE, &error);
  if (self->pool == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  open_task = g_task_new (self, cancellable, on_opened_cb, g_steal_pointer (&task));
  g_task_set_source_tag (open_task, ek_outbox_init_async);
  g_task_set_name (open_task, "[ek-outbox] open");

  op = g_new0 (Op, 1);
  op->kind = OP_OPEN;
  op->task = open_task;
  push_op (self, op);
}

static gboolean
ek_outbox_init_finish (GAsyncInitable  *initable,
                       GAsyncResult    *result,
                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ek_outbox_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = ek_outbox_init_async;
  iface->init_finish = ek_outbox_init_finish;
}

/* vfuncs */

static void
ek_outbox_dispose (GObject *object)
{
  EkOutbox *self = (EkOutbox *)object;

  /* The uploads stop; what the server has stays there, and the database knows the
   * URLs, so the next outbox on this file goes on from there. */
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (self->jobs, i);

      job_forget (job);
      job->outbox = NULL;
    }
  g_ptr_array_set_size (self->jobs, 0);

  if (self->backoff_source != NULL)
    {
      g_source_destroy (self->backoff_source);
      g_clear_pointer (&self->backoff_source, g_source_unref);
    }
  if (self->rate_source != NULL)
    {
      g_source_destroy (self->rate_source);
      g_clear_pointer (&self->rate_source, g_source_unref);
    }
  if (self->finish_cancel_source != NULL)
    {
      g_source_destroy (self->finish_cancel_source);
      g_clear_pointer (&self->finish_cancel_source, g_source_unref);
    }

  g_clear_object (&self->tus_client);
  g_clear_object (&self->api_client);

  G_OBJECT_CLASS (ek_outbox_parent_class)->dispose (object);
}

static void
ek_outbox_finalize (GObject *object)
{
  EkOutbox *self = (EkOutbox *)object;

  /* Waits for the queued writes: a closed outbox is on disk, so that a new one on
   * the same file sees everything. */
  if (self->pool != NULL)
    g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_pointer (&self->store, store_free);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->session_id, g_free);

  G_OBJECT_CLASS (ek_outbox_parent_class)->finalize (object);
}

static void
ek_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkOutbox *self = EK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;

    case PROP_TUS_CLIENT:
      g_value_set_object (value, self->tus_client);
      break;

    case PROP_API_CLIENT:
      g_value_set_object (value, self->api_client);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_MAX_PARALLEL:
      g_value_set_uint (value, self->max_parallel);
      break;

    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;

    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, self->bytes_sent);
      break;

    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;

    case PROP_ETA_SECONDS:
      g_value_set_int64 (value, self->eta_seconds);
      break;

    case PROP_SEGMENTS_TOTAL:
      g_value_set_uint (value, self->segments_total);
      break;

    case PROP_SEGMENTS_PENDING:
      g_value_set_uint (value, self->segments_pending);
      break;

    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_outbox_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EkOutbox *self = EK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    case PROP_SESSION_ID:
      self->session_id = g_value_dup_string (value);
      break;

    case PROP_TUS_CLIENT:
      self->tus_client = g_value_dup_object (value);
      break;

    case PROP_API_CLIENT:
      self->api_client = g_value_dup_object (value);
      break;

    case PROP_PAUSED:
      ek_outbox_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_PARALLEL:
      ek_outbox_set_max_parallel (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_outbox_class_init (EkOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_outbox_dispose;
  object_class->finalize = ek_outbox_finalize;
  object_class->get_property = ek_outbox_get_property;
  object_class->set_property = ek_outbox_set_property;

  /**
   * EkOutbox:path:
   *
   * The SQLite database, in the data folder; created 0600 in a 0700 folder.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TUS_CLIENT] =
    g_param_spec_object ("tus-client", NULL, NULL,
                         EK_TYPE_TUS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkOutbox:api-client:
   *
   * The exam server that confirms the segments at finish; %NULL for a stock tus
   * server, which cannot.
   */
  properties[PROP_API_CLIENT] =
    g_param_spec_object ("api-client", NULL, NULL,
                         EK_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkOutbox:paused:
   *
   * No upload runs while set; running ones stop at once and go on later from the
   * server's offset.
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_MAX_PARALLEL] =
    g_param_spec_uint ("max-parallel", NULL, NULL,
                       1, 2, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:bytes-sent:
   *
   * Bytes the server has, plus those of the chunks on their way. May go down when
   * a segment has to be sent again.
   */
  properties[PROP_BYTES_SENT] =
    g_param_spec_uint64 ("bytes-sent", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:rate:
   *
   * Upload rate in bytes per second, smoothed over a few seconds.
   */
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:eta-seconds:
   *
   * Seconds until every byte is sent at the current rate; -1 when not known.
   */
  properties[PROP_ETA_SECONDS] =
    g_param_spec_int64 ("eta-seconds", NULL, NULL,
                        -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_SEGMENTS_TOTAL] =
    g_param_spec_uint ("segments-total", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:segments-pending:
   *
   * Segments of which the server does not have every byte yet.
   */
  properties[PROP_SEGMENTS_PENDING] =
    g_param_spec_uint ("segments-pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:waiting:
   *
   * Set while the outbox waits before trying again after a failure (no network,
   * a busy server).
   */
  properties[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:complete:
   *
   * Set once ek_outbox_finish_async() succeeded: the exam server confirmed every
   * segment's hash (or, without an API client, a tus server took every byte).
   */
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_outbox_init (EkOutbox *self)
{
  self->items = g_ptr_array_new_with_free_func (item_free);
  self->jobs = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->max_parallel = 1;
  self->backoff_base_ms = EK_OUTBOX_DEFAULT_BACKOFF_BASE_MS;
  self->backoff_cap_ms = EK_OUTBOX_DEFAULT_BACKOFF_CAP_MS;
  self->eta_seconds = 0;
}

/* Public API */

const char *
ek_outbox_state_to_string (EkOutboxState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

/**
 * ek_outbox_new_async:
 * @path: the database file, in the data folder
 * @session_id: the session whose segments these are (a database may hold several)
 * @tus_client: uploads the segments
 * @api_client: (nullable): confirms them at finish; %NULL for a stock tus server
 *
 * Opens (or creates) the outbox in a worker thread and goes on with any upload a
 * previous outbox on @path left unfinished.
 */
void
ek_outbox_new_async (const char          *path,
                     const char          *session_id,
                     EkTusClient         *tus_client,
                     EkApiClient         *api_client,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (session_id != NULL);
  g_return_if_fail (EK_IS_TUS_CLIENT (tus_client));
  g_return_if_fail (api_client == NULL || EK_IS_API_CLIENT (api_client));

  g_async_initable_new_async (EK_TYPE_OUTBOX, G_PRIORITY_DEFAULT, cancellable, callback, user_data,
                              "path", path,
                              "session-id", session_id,
                              "tus-client", tus_client,
                              "api-client", api_client,
                              NULL);
}

/**
 * ek_outbox_new_finish:
 *
 * Returns: (transfer full): the outbox, or %NULL with an %EK_OUTBOX_ERROR
 */
EkOutbox *
ek_outbox_new_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? EK_OUTBOX (object) : NULL;
}

const char *
ek_outbox_get_path (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->path;
}

const char *
ek_outbox_get_session_id (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->session_id;
}

EkTusClient *
ek_outbox_get_tus_client (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->tus_client;
}

EkApiClient *
ek_outbox_get_api_client (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->api_client;
}

/**
 * ek_outbox_add_segment:
 * @segment: a closed, hashed segment
 *
 * Queues @segment: it is on disk (fsync'd) shortly after, in a worker thread, and
 * uploads after the segments added before it. Returns at once. Adding a segment
 * again is harmless; a segment of the same stream and index with another hash
 * replaces the old one.
 */
void
ek_outbox_add_segment (EkOutbox  *self,
                       EkSegment *segment)
{
  Item *item;

  g_return_if_fail (EK_IS_OUTBOX (self));
  g_return_if_fail (segment != NULL);
  g_return_if_fail (self->ready);

  item = find_item (self, ek_segment_get_stream (segment), ek_segment_get_index (segment));
  if (item != NULL)
    {
      if (ek_segment_get_size (item->segment) == ek_segment_get_size (segment) &&
          g_str_equal (ek_segment_get_sha256 (item->segment), ek_segment_get_sha256 (segment)))
        return;

      g_debug ("Outbox: %s/%u was added again with other content: replacing it",
               ek_segment_get_stream (segment), ek_segment_get_index (segment));
      if (item->job != NULL)
        job_forget (item->job);
      item->verifying = FALSE;
      ek_segment_unref (item->segment);
      item->segment = ek_segment_ref (segment);
      item_reset (self, item);
    }
  else
    {
      item = g_new0 (Item, 1);
      item->segment = ek_segment_ref (segment);
      item->seq = ++self->max_seq;
      item->state = EK_OUTBOX_STATE_PENDING;
      g_ptr_array_add (self->items, item);
      store_item (self, item, TRUE);
    }

  set_complete (self, FALSE);
  update_progress (self);
  schedule (self);
}

gboolean
ek_outbox_get_paused (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->paused;
}

void
ek_outbox_set_paused (EkOutbox *self,
                      gboolean  paused)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (paused)
    {
      /* Their callbacks run later and find the items forgotten. */
      for (guint i = 0; i < self->jobs->len; i++)
        job_forget (g_ptr_array_index (self->jobs, i));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);

  if (!paused)
    schedule (self);
}

guint
ek_outbox_get_max_parallel (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->max_parallel;
}

/**
 * ek_outbox_set_max_parallel:
 * @max_parallel: 1 or 2 uploads at a time
 */
void
ek_outbox_set_max_parallel (EkOutbox *self,
                            guint     max_parallel)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  max_parallel = CLAMP (max_parallel, 1, 2);
  if (self->max_parallel == max_parallel)
    return;

  self->max_parallel = max_parallel;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PARALLEL]);
  schedule (self);
}

/**
 * ek_outbox_set_backoff:
 * @base_ms: the first wait after a failure is up to this long
 * @cap_ms: no wait is longer
 */
void
ek_outbox_set_backoff (EkOutbox *self,
                       guint     base_ms,
                       guint     cap_ms)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  self->backoff_base_ms = base_ms;
  self->backoff_cap_ms = MAX (base_ms, cap_ms);
}

guint64
ek_outbox_get_bytes_total (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->bytes_total;
}

guint64
ek_outbox_get_bytes_sent (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->bytes_sent;
}

double
ek_outbox_get_rate (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->rate;
}

gint64
ek_outbox_get_eta_seconds (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), -1);
  return self->eta_seconds;
}

guint
ek_outbox_get_segments_total (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->segments_total;
}

guint
ek_outbox_get_segments_pending (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->segments_pending;
}

gboolean
ek_outbox_get_waiting (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->waiting;
}

gboolean
ek_outbox_get_complete (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->complete;
}

/**
 * ek_outbox_lookup_segment:
 * @out_state: (out) (optional)
 * @out_url: (out) (optional) (transfer full) (nullable): its tus URL
 * @out_offset: (out) (optional): what the server confirmed
 *
 * Returns: whether the outbox holds this segment
 */
gboolean
ek_outbox_lookup_segment (EkOutbox       *self,
                          const char     *stream,
                          guint           index,
                          EkOutboxState  *out_state,
                          char          **out_url,
                          guint64        *out_offset)
{
  Item *item;

  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (stream != NULL, FALSE);

  item = find_item (self, stream, index);
  if (item == NULL)
    return FALSE;

  if (out_state != NULL)
    *out_state = item->state;
  if (out_url != NULL)
    *out_url = g_strdup (item->url);
  if (out_offset != NULL)
    *out_offset = item->offset;
  return TRUE;
}

/**
 * ek_outbox_flush_async:
 *
 * Completes once every change made so far is written to the database.
 */
void
ek_outbox_flush_async (EkOutbox            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  Op *op;

  g_return_if_fail (EK_IS_OUTBOX (self));
  g_return_if_fail (self->pool != NULL);

  op = g_new0 (Op, 1);
  op->kind = OP_FLUSH;
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, ek_outbox_flush_async);
  g_task_set_name (op->task, "[ek-outbox] flush");
  push_op (self, op);
}

gboolean
ek_outbox_flush_finish (EkOutbox      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_outbox_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_outbox_finish_async:
 * @cancellable: (nullable): gives up waiting; the uploads go on
 *
 * Call when the recording has ended and every segment was added: completes when the
 * exam server has confirmed every segment's hash (segments it reports missing or
 * different are uploaded again), or with an %EK_OUTBOX_ERROR when that cannot
 * happen. Network failures do not end it: it waits and tries again, so bind a
 * cancellable to the candidate's patience. Sets #EkOutbox:complete on success.
 */
void
ek_outbox_finish_async (EkOutbox            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_outbox_finish_async);
  g_task_set_name (task, "[ek-outbox] finish");

  if (self->finish_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "the outbox is already finishing");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->finish_task = g_steal_pointer (&task);
  self->finish_rounds = 0;
  if (cancellable != NULL)
    {
      self->finish_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->finish_cancel_source, "[ek-outbox finish cancel]");
      g_source_set_callback (self->finish_cancel_source, G_SOURCE_FUNC (on_finish_cancelled_cb),
                             self, NULL);
      g_source_attach (self->finish_cancel_source, g_main_context_get_thread_default ());
    }

  schedule (self);
}

gboolean
ek_outbox_finish_finish (EkOutbox      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_outbox_finish_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
