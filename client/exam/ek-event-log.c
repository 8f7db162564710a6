/* ek-event-log.c: the session's append-only, hash-chained event log
 *
 * Storage. One SQLite file (WAL, synchronous=NORMAL) in the session's private folder.
 * An append is one INSERT on the main thread: in WAL mode with synchronous=NORMAL the
 * commit is a write() to the WAL without an fsync, so a killed process loses nothing
 * and the main loop never waits for the disk; only a power cut can lose the last few
 * events, which is the trade the answer store makes the other way round because an
 * answer weighs more than one focus event. Events are a few per minute.
 *
 * Rows keep their insertion order (`pos`); `seq`, `prev_hash` and `hash` are what was
 * (or will be) sent. Rows up to the server's `acked_seq` are marked acked and kept, so
 * the file is the whole log of the session, for the record.
 *
 * Sending. One batch in flight at a time, at most BATCH_MAX events, in order; a batch
 * goes SEND_DELAY_MS after an append (so a burst of events travels together) or at
 * once on flush. Transient failures retry with exponential backoff and full jitter
 * (ek-backoff.h), for as long as the log lives. A `conflict` (the server's log ends
 * elsewhere than this one thinks: this computer's file was lost, or another computer
 * wrote to the session) is resolved the way the protocol says: the events the server
 * has not acknowledged are re-chained onto the server's last hash, numbered after its
 * last seq, and sent again.
 * Nothing the server holds is ever re-sent with other content.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-backoff.h"
#include "ek-event-log-private.h"
#include "ek-json.h"
#include "ek-private-files.h"
#include "ek-sqlite.h"

#define BATCH_MAX          100
#define SEND_DELAY_MS      300
#define RETRY_BASE_MS      1000
#define RETRY_CAP_MS       30000
#define MAX_REBASES        3
#define STORE_RETRY_S      2
#define ZERO_HASH          "0000000000000000000000000000000000000000000000000000000000000000"

struct _EkEventLog
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;              /* owned */
  EkApiClient  *api;             /* owned, nullable */

  gint64        last_seq;
  char         *last_hash;       /* of the last event appended, or ZERO_HASH */
  gint64        acked_seq;
  guint         n_pending;

  GCancellable *cancellable;     /* owned: the batch in flight */
  gboolean      in_flight;
  gint64        batch_last_seq;  /* the highest seq of the batch in flight */
  guint         send_source;     /* timer for the next batch */
  guint         failures;        /* consecutive failed batches */
  guint         rebases;         /* consecutive conflicts */
  GList        *flushes;         /* owned GTasks waiting for everything to be acked */
  char         *problem;

  /* Events the disk refused (full, say), in order, stored as soon as it takes them:
   * an event is numbered and chained only once it is stored. */
  GQueue        unstored;        /* owned Unstored */
  guint         store_retry_source;
};

typedef struct
{
  char       *type;
  gint64      client_ms;
  gint64      server_ms;
  gint64      duration_ms;
  JsonObject *data;              /* owned, nullable */
} Unstored;

enum {
  PROP_0,
  PROP_LAST_SEQ,
  PROP_ACKED_SEQ,
  PROP_N_PENDING,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkEventLog, ek_event_log, G_TYPE_OBJECT)

static void send_batch (EkEventLog *self);

static void
unstored_free (Unstored *event)
{
  g_free (event->type);
  g_clear_pointer (&event->data, json_object_unref);
  g_free (event);
}

/* Helpers */

static void
set_problem (EkEventLog *self,
             const char *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static gboolean
exec_sql (EkEventLog  *self,
          const char  *sql,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!ek_sqlite_exec (self->db, sql, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The event log on this computer cannot be written (%s)."),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
db_error (EkEventLog  *self,
          GError     **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("The event log on this computer cannot be written (%s)."),
               sqlite3_errmsg (self->db));
  return FALSE;
}

static sqlite3_stmt *
prepare (EkEventLog *self,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_warning ("event log: %s: %s", sql, sqlite3_errmsg (self->db));
      return NULL;
    }
  return stmt;
}

static void
count_pending (EkEventLog *self)
{
  sqlite3_stmt *stmt = prepare (self, "SELECT COUNT(*) FROM events WHERE acked = 0");
  guint n = 0;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (n != self->n_pending)
    {
      self->n_pending = n;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
}

static void
append_escaped (GString    *out,
                const char *text)
{
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          /* "below U+001F" (protocol section 7): U+001F itself is written as it
           * is, the way json-glib's generator does, which the server uses. */
          if (*p < 0x1f || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
}

/* The protocol's canonical JSON, written out by hand so that it does not depend on
 * one library's version: the reference server uses json-glib's generator, and the
 * tests check that both agree. Floating point is refused upstream (append). */
static void
append_node (GString  *out,
             JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_STRING:
          g_string_append_c (out, '"');
          append_escaped (out, json_node_get_string (node));
          g_string_append_c (out, '"');
          break;
        default:
          /* A double: never appended (see ek_event_log_append) */
          g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) json_node_get_double (node));
          break;
        }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            g_string_append_c (out, '"');
            append_escaped (out, name);
            g_string_append (out, "\":");
            append_node (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
node_has_double (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) == G_TYPE_DOUBLE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (node_has_double (json_array_get_element (array, i)))
            return TRUE;
        return FALSE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (node_has_double (member))
            return TRUE;
        return FALSE;
      }

    default:
      return FALSE;
    }
}

/* One row as read back from disk. The file is this log's own, but a damaged or
 * edited one must not crash the kiosk: a missing text reads as empty, data that is not
 * a JSON object (or nested deeper than any event, or holding a floating-point number)
 * as an empty object. The server
 * recomputes every hash, so such an event is refused there, never taken as sent. */
JsonObject *
_ek_event_log_row_to_event (sqlite3_stmt *stmt)
{
  JsonObject *event = json_object_new ();
  const char *text;

  json_object_set_int_member (event, "seq", sqlite3_column_int64 (stmt, 0));
  text = (const char *) sqlite3_column_text (stmt, 1);
  json_object_set_string_member (event, "type", text != NULL ? text : "");
  json_object_set_int_member (event, "client_ms", sqlite3_column_int64 (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    json_object_set_int_member (event, "server_ms", sqlite3_column_int64 (stmt, 3));
  if (sqlite3_column_type (stmt, 4) != SQLITE_NULL)
    json_object_set_int_member (event, "duration_ms", sqlite3_column_int64 (stmt, 4));
  text = (const char *) sqlite3_column_text (stmt, 5);
  if (text != NULL)
    {
      g_autoptr(JsonNode) data = ek_json_parse_node (text, strlen (text), NULL);

      /* A floating-point number is never appended (and has no canonical form) */
      if (data != NULL && JSON_NODE_HOLDS_OBJECT (data) && !node_has_double (data))
        json_object_set_object_member (event, "data", json_object_ref (json_node_get_object (data)));
      else
        json_object_set_object_member (event, "data", json_object_new ());
    }
  text = (const char *) sqlite3_column_text (stmt, 6);
  json_object_set_string_member (event, "prev_hash", text != NULL ? text : "");
  if (sqlite3_column_type (stmt, 7) != SQLITE_NULL)
    json_object_set_string_member (event, "hash", (const char *) sqlite3_column_text (stmt, 7));

  return event;
}

#define EVENT_COLUMNS EK_EVENT_LOG_COLUMNS

static void
complete_flushes (EkEventLog   *self,
                  const GError *error)
{
  GList *flushes = g_steal_pointer (&self->flushes);

  for (GList *l = flushes; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_list_free_full (flushes, g_object_unref);
}

static void
schedule_send (EkEventLog *self,
               guint       delay_ms);

static gboolean
on_send_timeout_cb (gpointer user_data)
{
  EkEventLog *self = user_data;

  self->send_source = 0;
  send_batch (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_send (EkEventLog *self,
               guint       delay_ms)
{
  if (self->api == NULL || self->in_flight || self->n_pending == 0)
    return;
  if (self->send_source != 0)
    {
      if (delay_ms > 0)
        return;
      g_source_remove (self->send_source);
    }
  self->send_source = g_timeout_add (delay_ms, on_send_timeout_cb, self);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->send_source),
                            "[ek-event-log send]");
}

static void
mark_acked (EkEventLog *self,
            gint64      acked_seq)
{
  sqlite3_stmt *stmt = prepare (self, "UPDATE events SET acked = 1 WHERE acked = 0 AND seq <= ?1");

  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, acked_seq);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("event log: cannot mark events acked: %s", sqlite3_errmsg (self->db));
  sqlite3_finalize (stmt);

  if (acked_seq > self->acked_seq)
    {
      self->acked_seq = acked_seq;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACKED_SEQ]);
    }
  count_pending (self);
}

/* The server's log ends at @server_seq / @server_hash, not where this one thinks:
 * number the events it has not acknowledged after it, chained onto its hash. */
static gboolean
rebase (EkEventLog *self,
        gint64      server_seq,
        const char *server_hash,
        GError    **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GArray) positions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *prev = g_strdup (server_hash);
  sqlite3_stmt *stmt;
  gint64 seq = server_seq;

  stmt = prepare (self, "SELECT " EVENT_COLUMNS ", pos FROM events WHERE acked = 0 ORDER BY pos");
  if (stmt == NULL)
    return db_error (self, error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 pos = sqlite3_column_int64 (stmt, 8);

      g_ptr_array_add (rows, _ek_event_log_row_to_event (stmt));
      g_array_append_val (positions, pos);
    }
  sqlite3_finalize (stmt);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      JsonObject *event = g_ptr_array_index (rows, i);
      g_autofree char *hash = NULL;
      sqlite3_stmt *upd;

      seq++;
      json_object_remove_member (event, "hash");
      json_object_set_int_member (event, "seq", seq);
      json_object_set_string_member (event, "prev_hash", prev);
      hash = ek_event_compute_hash (prev, event);

      upd = prepare (self, "UPDATE events SET seq = ?1, prev_hash = ?2, hash = ?3 WHERE pos = ?4");
      sqlite3_bind_int64 (upd, 1, seq);
      sqlite3_bind_text (upd, 2, prev, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (upd, 3, hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (upd, 4, g_array_index (positions, gint64, i));
      if (upd == NULL || sqlite3_step (upd) != SQLITE_DONE)
        {
          db_error (self, error);
          sqlite3_finalize (upd);
          exec_sql (self, "ROLLBACK", NULL);
          return FALSE;
        }
      sqlite3_finalize (upd);
      g_free (prev);
      prev = g_steal_pointer (&hash);
    }
  if (!exec_sql (self, "COMMIT", error))
    {
      exec_sql (self, "ROLLBACK", NULL);
      return FALSE;
    }

  g_message ("event log: the server's log ends at seq %" G_GINT64_FORMAT
             "; %u unacknowledged event(s) re-chained after it", server_seq, rows->len);
  self->last_seq = seq;
  g_free (self->last_hash);
  self->last_hash = g_steal_pointer (&prev);
  self->acked_seq = server_seq;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACKED_SEQ]);
  return TRUE;
}

static void
on_events_posted_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkEventLog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 acked_seq = 0;

  if (!ek_api_client_post_events_finish (EK_API_CLIENT (object), result, &acked_seq, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->in_flight = FALSE;
  g_clear_object (&self->cancellable);

  if (error == NULL && acked_seq > self->batch_last_seq)
    {
      /* Events after the batch were never sent: the server cannot hold them, so this
       * acknowledgement is nonsense, and taking it would mark them acknowledged
       * before they left this computer. */
      g_warning ("event log: protocol error: the server acknowledged seq %" G_GINT64_FORMAT
                 " of a batch that ends at %" G_GINT64_FORMAT "; nothing is marked acknowledged",
                 acked_seq, self->batch_last_seq);
      error = g_error_new_literal (EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE,
                                   _("The exam server acknowledged events this computer has not sent. The events will be sent again."));
    }

  if (error == NULL)
    {
      self->failures = 0;
      self->rebases = 0;
      set_problem (self, NULL);
      mark_acked (self, acked_seq);
      if (acked_seq < self->batch_last_seq)
        g_warning ("event log: the server acknowledged seq %" G_GINT64_FORMAT
                   " of a batch up to %" G_GINT64_FORMAT, acked_seq, self->batch_last_seq);
      if (self->n_pending == 0)
        complete_flushes (self, NULL);
      else
        schedule_send (self, 0);
      return;
    }

  if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_CONFLICT) &&
      ek_api_error_get_last_seq (error) >= 0 && self->rebases < MAX_REBASES)
    {
      g_autoptr(GError) rebase_error = NULL;
      const char *hash = ek_api_error_get_last_hash (error);
      gint64 server_seq = ek_api_error_get_last_seq (error);

      self->rebases++;
      if (hash == NULL && server_seq == 0)
        hash = ZERO_HASH;
      if (hash != NULL && rebase (self, server_seq, hash, &rebase_error))
        {
          schedule_send (self, 0);
          return;
        }
      if (rebase_error != NULL)
        g_warning ("event log: %s", rebase_error->message);
    }

  self->failures++;
  g_debug ("event log: batch up to seq %" G_GINT64_FORMAT " failed (%u): %s",
           self->batch_last_seq, self->failures, error->message);
  set_problem (self, error->message);
  complete_flushes (self, error);

  /* A refusal for good (bad_request) would fail the same way again: keep the events
   * and try again later, slowly, in case the server's mind changes (a deployment). */
  schedule_send (self, g_error_matches (error, EK_API_ERROR, EK_API_ERROR_BAD_REQUEST)
                         ? RETRY_CAP_MS : ek_backoff_delay_ms (RETRY_BASE_MS, RETRY_CAP_MS,
                                                                    self->failures));
}

static void
send_batch (EkEventLog *self)
{
  g_autoptr(JsonArray) batch = json_array_new ();
  sqlite3_stmt *stmt;

  if (self->api == NULL || self->in_flight)
    return;

  stmt = prepare (self, "SELECT " EVENT_COLUMNS " FROM events WHERE acked = 0 ORDER BY pos LIMIT ?1");
  if (stmt == NULL)
    return;
  sqlite3_bind_int (stmt, 1, BATCH_MAX);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      self->batch_last_seq = sqlite3_column_int64 (stmt, 0);
      json_array_add_object_element (batch, _ek_event_log_row_to_event (stmt));
    }
  sqlite3_finalize (stmt);

  if (json_array_get_length (batch) == 0)
    {
      complete_flushes (self, NULL);
      return;
    }

  self->in_flight = TRUE;
  self->cancellable = g_cancellable_new ();
  ek_api_client_post_events_async (self->api, batch, self->cancellable,
                                   on_events_posted_cb, g_object_ref (self));
}

static gboolean
open_db (EkEventLog  *self,
         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  sqlite3_stmt *stmt;

  /* Made 0600 in a 0700 folder before SQLite opens it: the log names what the
   * candidate did. */
  self->db = ek_sqlite_open (self->path, EK_SQLITE_SYNC_NORMAL, 2000, &local_error);
  if (self->db == NULL)
    {
      if (local_error->domain == G_IO_ERROR)
        g_set_error (error, G_IO_ERROR, local_error->code,
                     _("The event log cannot be created in %s: %s"), self->path,
                     ek_private_files_error_reason (local_error, self->path));
      else if (local_error->code == SQLITE_CANTOPEN)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("The event log %s cannot be opened: %s"), self->path,
                     local_error->message);
      else  /* opened, but the first statement failed (not a database, ...) */
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("The event log on this computer cannot be written (%s)."),
                     local_error->message);
      return FALSE;
    }

  if (!exec_sql (self,
                 "CREATE TABLE IF NOT EXISTS events ("
                 "  pos INTEGER PRIMARY KEY AUTOINCREMENT,"
                 "  seq INTEGER NOT NULL,"
                 "  type TEXT NOT NULL,"
                 "  client_ms INTEGER NOT NULL,"
                 "  server_ms INTEGER,"
                 "  duration_ms INTEGER,"
                 "  data TEXT,"
                 "  prev_hash TEXT NOT NULL,"
                 "  hash TEXT NOT NULL,"
                 "  acked INTEGER NOT NULL DEFAULT 0)", error))
    return FALSE;

  /* Where the chain ends, and what the server already has */
  self->last_seq = 0;
  self->last_hash = g_strdup (ZERO_HASH);
  stmt = prepare (self, "SELECT seq, hash FROM events ORDER BY pos DESC LIMIT 1");
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *hash = (const char *) sqlite3_column_text (stmt, 1);

      self->last_seq = sqlite3_column_int64 (stmt, 0);
      /* A damaged file's NULL hash: chain on, the server says where its log ends. */
      if (hash != NULL)
        {
          g_free (self->last_hash);
          self->last_hash = g_strdup (hash);
        }
    }
  sqlite3_finalize (stmt);

  stmt = prepare (self, "SELECT MAX(seq) FROM events WHERE acked = 1");
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    self->acked_seq = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  count_pending (self);
  return TRUE;
}

/* GObject */

static void
ek_event_log_dispose (GObject *object)
{
  EkEventLog *self = EK_EVENT_LOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->send_source, g_source_remove);
  g_clear_handle_id (&self->store_retry_source, g_source_remove);
  if (self->flushes != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     "The event log was closed");
      complete_flushes (self, error);
    }
  g_clear_object (&self->api);

  G_OBJECT_CLASS (ek_event_log_parent_class)->dispose (object);
}

static void
ek_event_log_finalize (GObject *object)
{
  EkEventLog *self = EK_EVENT_LOG (object);

  g_clear_pointer (&self->db, sqlite3_close);
  g_free (self->path);
  g_free (self->last_hash);
  g_free (self->problem);
  g_queue_clear_full (&self->unstored, (GDestroyNotify) unstored_free);

  G_OBJECT_CLASS (ek_event_log_parent_class)->finalize (object);
}

static void
ek_event_log_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EkEventLog *self = EK_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_LAST_SEQ:
      g_value_set_int64 (value, self->last_seq);
      break;
    case PROP_ACKED_SEQ:
      g_value_set_int64 (value, self->acked_seq);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_event_log_class_init (EkEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_event_log_dispose;
  object_class->finalize = ek_event_log_finalize;
  object_class->get_property = ek_event_log_get_property;

  properties[PROP_LAST_SEQ] =
    g_param_spec_int64 ("last-seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ACKED_SEQ] =
    g_param_spec_int64 ("acked-seq", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PROBLEM] =
    g_param_spec_string ("problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_event_log_init (EkEventLog *self)
{
}

/* Public API */

EkEventLog *
ek_event_log_new (const char  *path,
                  GError     **error)
{
  g_autoptr(EkEventLog) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (EK_TYPE_EVENT_LOG, NULL);
  self->path = g_strdup (path);
  if (!open_db (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * ek_event_canonical_json:
 *
 * Returns: the canonical JSON of @event (docs/protocol.md section 7): its members
 *   seq, type, client_ms, server_ms, duration_ms, data, prev_hash in this order,
 *   without whitespace
 */
char *
ek_event_canonical_json (JsonObject *event)
{
  static const char * const order[] = {
    "seq", "type", "client_ms", "server_ms", "duration_ms", "data", "prev_hash", NULL
  };
  GString *out = g_string_new ("{");
  gboolean first = TRUE;

  for (const char * const *m = order; *m; m++)
    {
      JsonNode *node = json_object_get_member (event, *m);

      if (node == NULL)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "\"%s\":", *m);
      append_node (out, node);
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

char *
ek_event_compute_hash (const char *prev_hash,
                       JsonObject *event)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *canonical = ek_event_canonical_json (event);

  g_checksum_update (sum, (const guchar *) prev_hash, strlen (prev_hash));
  g_checksum_update (sum, (const guchar *) canonical, strlen (canonical));

  return g_strdup (g_checksum_get_string (sum));
}

/* Numbers, chains and stores one event. Returns: its seq, 0 if the disk refused it. */
static gint64
store_event (EkEventLog *self,
             const char *type,
             gint64      client_ms,
             gint64      server_ms,
             gint64      duration_ms,
             JsonObject *data)
{
  g_autoptr(JsonObject) event = json_object_new ();
  g_autoptr(JsonNode) data_node = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *data_text = NULL;
  sqlite3_stmt *stmt;
  gint64 seq;

  if (data != NULL)
    {
      GString *out = g_string_new (NULL);

      data_node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (data_node, data);
      append_node (out, data_node);
      data_text = g_string_free (out, FALSE);
    }

  seq = self->last_seq + 1;
  json_object_set_int_member (event, "seq", seq);
  json_object_set_string_member (event, "type", type);
  json_object_set_int_member (event, "client_ms", client_ms);
  if (server_ms > 0)
    json_object_set_int_member (event, "server_ms", server_ms);
  if (duration_ms >= 0)
    json_object_set_int_member (event, "duration_ms", duration_ms);
  if (data_node != NULL)
    json_object_set_member (event, "data", json_node_copy (data_node));
  json_object_set_string_member (event, "prev_hash", self->last_hash);
  hash = ek_event_compute_hash (self->last_hash, event);

  stmt = prepare (self,
                  "INSERT INTO events (seq, type, client_ms, server_ms, duration_ms, data, prev_hash, hash)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (stmt == NULL)
    {
      set_problem (self, _("The event log on this computer cannot be written. Tell the proctor through Help."));
      return 0;
    }
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, client_ms);
  if (server_ms > 0)
    sqlite3_bind_int64 (stmt, 4, server_ms);
  if (duration_ms >= 0)
    sqlite3_bind_int64 (stmt, 5, duration_ms);
  if (data_text != NULL)
    sqlite3_bind_text (stmt, 6, data_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, self->last_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, hash, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_warning ("event log: cannot store event %s: %s", type, sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
      set_problem (self, _("The event log on this computer cannot be written. Tell the proctor through Help."));
      return 0;
    }
  sqlite3_finalize (stmt);

  self->last_seq = seq;
  g_free (self->last_hash);
  self->last_hash = g_steal_pointer (&hash);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEQ]);
  self->n_pending++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);

  schedule_send (self, SEND_DELAY_MS);
  return seq;
}

/* Stores what the disk refused before, in order. Returns: whether all is stored. */
static gboolean
store_unstored (EkEventLog *self)
{
  Unstored *event;

  if (g_queue_is_empty (&self->unstored))
    return TRUE;

  while ((event = g_queue_peek_head (&self->unstored)) != NULL)
    {
      if (store_event (self, event->type, event->client_ms, event->server_ms,
                       event->duration_ms, event->data) == 0)
        return FALSE;
      unstored_free (g_queue_pop_head (&self->unstored));
    }
  /* The disk's problem is over (a network one is said again at the next send). */
  set_problem (self, NULL);
  return TRUE;
}

static gboolean
on_store_retry_cb (gpointer user_data)
{
  EkEventLog *self = user_data;

  if (store_unstored (self))
    {
      self->store_retry_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/**
 * ek_event_log_append:
 *
 * Appends an event; when the disk refuses it (full, say), it is kept in memory, in
 * order, and stored as soon as the disk takes it: numbered and chained then.
 *
 * Returns: its seq, or 0 while it waits for the disk (or if @data is invalid)
 */
gint64
ek_event_log_append (EkEventLog *self,
                     const char *type,
                     gint64      client_ms,
                     gint64      server_ms,
                     gint64      duration_ms,
                     JsonObject *data)
{
  Unstored *event;
  gint64 seq;

  g_return_val_if_fail (EK_IS_EVENT_LOG (self), 0);
  g_return_val_if_fail (type != NULL && *type != '\0', 0);

  if (data != NULL)
    {
      g_autoptr(JsonNode) data_node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (data_node, data);
      if (node_has_double (data_node))
        {
          g_critical ("event %s: data holds a floating-point number, which the protocol forbids", type);
          return 0;
        }
    }

  if (store_unstored (self))
    {
      seq = store_event (self, type, client_ms, server_ms, duration_ms, data);
      if (seq != 0)
        return seq;
    }

  event = g_new0 (Unstored, 1);
  event->type = g_strdup (type);
  event->client_ms = client_ms;
  event->server_ms = server_ms;
  event->duration_ms = duration_ms;
  if (data != NULL)
    {
      /* A copy of its own: the caller's object is not taken. */
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), data);
      g_autofree char *text = json_to_string (node, FALSE);
      g_autoptr(JsonNode) copy = json_from_string (text, NULL);

      event->data = json_object_ref (json_node_get_object (copy));
    }
  g_queue_push_tail (&self->unstored, event);
  if (self->store_retry_source == 0)
    self->store_retry_source = g_timeout_add_seconds (STORE_RETRY_S, on_store_retry_cb, self);
  return 0;
}

void
ek_event_log_set_api (EkEventLog  *self,
                      EkApiClient *api)
{
  g_return_if_fail (EK_IS_EVENT_LOG (self));
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  if (self->api == api)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->in_flight = FALSE;
  g_clear_handle_id (&self->send_source, g_source_remove);
  g_set_object (&self->api, api);
  self->failures = 0;

  schedule_send (self, 0);
}

void
ek_event_log_flush_async (EkEventLog          *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_EVENT_LOG (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_event_log_flush_async);
  g_task_set_name (task, "[ek-event-log flush]");

  if (self->n_pending == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->api == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The events cannot be sent: there is no exam server."));
      return;
    }

  self->flushes = g_list_append (self->flushes, g_steal_pointer (&task));
  if (!self->in_flight)
    {
      self->failures = 0;
      schedule_send (self, 0);
    }
}

gboolean
ek_event_log_flush_finish (EkEventLog    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_event_log_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gint64
ek_event_log_get_last_seq (EkEventLog *self)
{
  g_return_val_if_fail (EK_IS_EVENT_LOG (self), 0);
  return self->last_seq;
}

gint64
ek_event_log_get_acked_seq (EkEventLog *self)
{
  g_return_val_if_fail (EK_IS_EVENT_LOG (self), 0);
  return self->acked_seq;
}

guint
ek_event_log_get_n_pending (EkEventLog *self)
{
  g_return_val_if_fail (EK_IS_EVENT_LOG (self), 0);
  return self->n_pending;
}

const char *
ek_event_log_get_problem (EkEventLog *self)
{
  g_return_val_if_fail (EK_IS_EVENT_LOG (self), NULL);
  return self->problem;
}

JsonArray *
ek_event_log_dup_events (EkEventLog *self,
                         gint64      after)
{
  JsonArray *events = json_array_new ();
  sqlite3_stmt *stmt;

  g_return_val_if_fail (EK_IS_EVENT_LOG (self), events);

  stmt = prepare (self, "SELECT " EVENT_COLUMNS " FROM events WHERE seq > ?1 ORDER BY pos");
  if (stmt == NULL)
    return events;
  sqlite3_bind_int64 (stmt, 1, after);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (events, _ek_event_log_row_to_event (stmt));
  sqlite3_finalize (stmt);

  return events;
}
