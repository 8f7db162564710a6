/* fuzz-records.c: the records the kiosk reads back from its own files on disk
 *
 * A power cut, a full disk or a hand that edits the file can leave any value in any
 * column. Each input is one row: a kind letter (e: the event log's events.db,
 * o: the outbox's segments, a: the answer store's answers), then the row's columns
 * separated by 0x1f, each a type letter and its value: n (NULL), i (integer, decimal),
 * r (real), t (text), b (blob). SQLite stores the row as given (columns without
 * types or constraints) and hands it back to the decoder the client uses on the real
 * file, and to what the client does next with the decoded record.
 */

#include "config.h"

#include <string.h>

#include "ek-answer-store-private.h"
#include "ek-event-log-private.h"
#include "ek-fuzz.h"
#include "ek-outbox-private.h"

#define N_COLUMNS 11

static sqlite3 *db;

static sqlite3_stmt *
store_row (const char *data,
           gsize       size)
{
  g_autoptr(GString) sql = g_string_new ("SELECT c0");
  sqlite3_stmt *insert = NULL;
  sqlite3_stmt *select = NULL;
  const char *end = data + size;
  const char *p = data;
  guint n = 0;

  if (sqlite3_exec (db, "DELETE FROM r", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO r VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                          -1, &insert, NULL) != SQLITE_OK)
    abort ();

  while (p < end && n < N_COLUMNS)
    {
      const char *field_end = memchr (p, 0x1f, end - p);
      gsize len;

      if (field_end == NULL)
        field_end = end;
      len = field_end - p;
      n++;
      if (len == 0)
        sqlite3_bind_null (insert, n);
      else
        {
          g_autofree char *value = g_strndup (p + 1, len - 1);

          switch (p[0])
            {
            case 'i':
              sqlite3_bind_int64 (insert, n, g_ascii_strtoll (value, NULL, 10));
              break;
            case 'r':
              sqlite3_bind_double (insert, n, g_ascii_strtod (value, NULL));
              break;
            case 't':
              sqlite3_bind_text (insert, n, p + 1, (int) (len - 1), SQLITE_TRANSIENT);
              break;
            case 'b':
              sqlite3_bind_blob (insert, n, p + 1, (int) (len - 1), SQLITE_TRANSIENT);
              break;
            default:
              sqlite3_bind_null (insert, n);
              break;
            }
        }
      p = field_end + 1;
    }

  if (sqlite3_step (insert) != SQLITE_DONE)
    abort ();
  sqlite3_finalize (insert);

  for (guint i = 1; i < N_COLUMNS; i++)
    g_string_append_printf (sql, ", c%u", i);
  g_string_append (sql, " FROM r");
  if (sqlite3_prepare_v2 (db, sql->str, -1, &select, NULL) != SQLITE_OK ||
      sqlite3_step (select) != SQLITE_ROW)
    abort ();
  return select;
}

static void
check_event (sqlite3_stmt *stmt)
{
  g_autoptr(JsonObject) event = _ek_event_log_row_to_event (stmt);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *canonical = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *sent = NULL;
  const char *prev_hash;

  /* What the log does with it: the hash chain (also when re-chaining after a
   * conflict) and the batch sent to the server. */
  prev_hash = json_object_get_string_member_with_default (event, "prev_hash", NULL);
  if (prev_hash == NULL || json_object_get_string_member_with_default (event, "type", NULL) == NULL)
    {
      fprintf (stderr, "a decoded event without a type or prev_hash\n");
      abort ();
    }
  canonical = ek_event_canonical_json (event);
  hash = ek_event_compute_hash (prev_hash, event);
  json_node_set_object (node, event);
  sent = json_to_string (node, FALSE);

  /* With valid UTF-8 text the canonical form is JSON the server can read back. */
  if (g_utf8_validate (canonical, -1, NULL))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) parsed = json_from_string (canonical, &error);

      if (parsed == NULL)
        {
          fprintf (stderr, "canonical JSON that does not parse (%s): %s\n", error->message, canonical);
          abort ();
        }
    }
}

static void
check_outbox_row (sqlite3_stmt *stmt)
{
  EkOutboxRow *row = ek_outbox_row_from_statement (stmt);
  g_autoptr(EkSegment) segment = ek_outbox_row_to_segment (row);

  ek_outbox_row_free (row);
  /* What the outbox then reads the file from, and sends as its hash */
  if (segment != NULL &&
      (!g_path_is_absolute (ek_segment_get_path (segment)) ||
       strlen (ek_segment_get_sha256 (segment)) != 64))
    abort ();
}

static void
check_answer (sqlite3_stmt *stmt)
{
  gpointer answer = _ek_answer_store_answer_from_row (stmt);

  g_clear_pointer (&answer, _ek_answer_store_answer_free);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  sqlite3_stmt *stmt;

  if (size < 1 || size > 65536)
    return 0;

  if (db == NULL)
    {
      g_autoptr(GString) sql = g_string_new ("CREATE TABLE r (c0");

      for (guint i = 1; i < N_COLUMNS; i++)
        g_string_append_printf (sql, ", c%u", i);
      g_string_append (sql, ")");
      if (sqlite3_open (":memory:", &db) != SQLITE_OK ||
          sqlite3_exec (db, sql->str, NULL, NULL, NULL) != SQLITE_OK)
        abort ();
    }

  stmt = store_row ((const char *) data + 1, size - 1);
  switch (data[0])
    {
    case 'e':
      check_event (stmt);
      break;
    case 'o':
      check_outbox_row (stmt);
      break;
    case 'a':
      check_answer (stmt);
      break;
    default:
      break;
    }
  sqlite3_finalize (stmt);

  return 0;
}
