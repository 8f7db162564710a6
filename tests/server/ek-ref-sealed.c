/* ek-ref-sealed.c: sealed questions, server side (protocol section 6.1)
 *
 * An exam file whose exam has "sealed_questions": { "key_release_before_s": N }
 * (default 600) gets a package: every phase's questions, AES-256-GCM under a key
 * made once per data directory (so a restarted server serves the same bytes), and in
 * the exam definition the package's sha256 and size and the key_release_ms. The key
 * is released by POST /v1/session/check-in from then on; a checked-in session may
 * answer from the start before its entry arrives, and an entry made offline is taken
 * with the time it was made (enter's client_ms) up to the late-entry cutoff.
 */

#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ek-ref-server.h"

#define MAGIC "EKQ1"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

void
ek_sealed_init_store (sqlite3 *db)
{
  ek_store_exec (db,
                 "CREATE TABLE IF NOT EXISTS sealed ("
                 "  exam_id TEXT PRIMARY KEY, key_b64 TEXT NOT NULL, package BLOB NOT NULL);"
                 "CREATE TABLE IF NOT EXISTS checkins ("
                 "  session_id TEXT PRIMARY KEY, checked_in_ms INTEGER NOT NULL);",
                 NULL);
}

static GBytes *
seal (EkExam       *exam,
      const guint8  key[32])
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  g_autofree char *plain = NULL;
  g_autofree char *aad = g_strconcat (MAGIC, exam->id, NULL);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 iv[12];
  guint8 tag[16];
  int n = 0, len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exam_id");
  json_builder_add_string_value (b, exam->id);
  json_builder_set_member_name (b, "phases");
  json_builder_begin_array (b);
  for (guint i = 0; i < exam->phases->len; i++)
    {
      EkPhase *phase = exam->phases->pdata[i];
      JsonArray *questions = ek_exam_get_questions (exam, phase->id);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "phase");
      json_builder_add_string_value (b, phase->id);
      json_builder_set_member_name (b, "questions");
      if (questions != NULL)
        json_builder_add_value (b, json_node_init_array (json_node_alloc (), questions));
      else
        {
          json_builder_begin_array (b);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  plain = json_to_string (root, FALSE);
  len = (int) strlen (plain);

  g_assert (RAND_bytes (iv, sizeof iv) == 1);
  g_byte_array_append (out, (const guint8 *) MAGIC, strlen (MAGIC));
  g_byte_array_append (out, iv, sizeof iv);
  g_byte_array_set_size (out, out->len + len);
  g_assert (EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1);
  g_assert (EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, sizeof iv, NULL) == 1);
  g_assert (EVP_EncryptInit_ex (ctx, NULL, NULL, key, iv) == 1);
  g_assert (EVP_EncryptUpdate (ctx, NULL, &n, (const guint8 *) aad, (int) strlen (aad)) == 1);
  g_assert (EVP_EncryptUpdate (ctx, out->data + strlen (MAGIC) + sizeof iv, &n,
                               (const guint8 *) plain, len) == 1);
  g_assert (EVP_EncryptFinal_ex (ctx, out->data + strlen (MAGIC) + sizeof iv + n, &n) == 1);
  g_assert (EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) == 1);
  g_byte_array_append (out, tag, sizeof tag);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The exam's package and key: made once, kept in the data directory. */
static GBytes *
load_or_make (EkRefServer  *srv,
              EkExam       *exam,
              char        **out_key_b64)
{
  g_autoptr(sqlite3_stmt) select = ek_store_prepare (srv->db,
    "SELECT key_b64, package FROM sealed WHERE exam_id = ?1");
  g_autoptr(sqlite3_stmt) insert = NULL;
  guint8 key[32];
  GBytes *package;

  sqlite3_bind_text (select, 1, exam->id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (select) == SQLITE_ROW)
    {
      *out_key_b64 = ek_store_column_dup (select, 0);
      return g_bytes_new (sqlite3_column_blob (select, 1), sqlite3_column_bytes (select, 1));
    }

  g_assert (RAND_bytes (key, sizeof key) == 1);
  package = seal (exam, key);
  *out_key_b64 = g_base64_encode (key, sizeof key);
  insert = ek_store_prepare (srv->db,
    "INSERT INTO sealed (exam_id, key_b64, package) VALUES (?1, ?2, ?3)");
  sqlite3_bind_text (insert, 1, exam->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, *out_key_b64, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (insert, 3, g_bytes_get_data (package, NULL), (int) g_bytes_get_size (package),
                     SQLITE_TRANSIENT);
  sqlite3_step (insert);
  return package;
}

/* Replaces each exam's "sealed_questions" request by what the client gets. */
gboolean
ek_sealed_prepare_exams (EkRefServer  *srv,
                         GError      **error)
{
  for (guint i = 0; i < srv->exams->len; i++)
    {
      EkExam *exam = srv->exams->pdata[i];
      JsonObject *object = json_node_get_object (exam->exam_json);
      JsonObject *request;
      gint64 before_s = 600;
      g_autofree char *key_b64 = NULL;
      g_autoptr(GBytes) package = NULL;
      g_autofree char *sha256 = NULL;
      JsonObject *sealed;

      if (!json_object_has_member (object, "sealed_questions"))
        continue;
      request = json_object_get_object_member (object, "sealed_questions");
      if (request == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "%s: exam.sealed_questions is not an object", exam->file);
          return FALSE;
        }
      if (json_object_has_member (request, "key_release_before_s"))
        before_s = json_object_get_int_member (request, "key_release_before_s");

      package = load_or_make (srv, exam, &key_b64);
      sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, package);
      sealed = json_object_new ();
      json_object_set_string_member (sealed, "sha256", sha256);
      json_object_set_int_member (sealed, "size", (gint64) g_bytes_get_size (package));
      json_object_set_int_member (sealed, "key_release_ms", exam->starts_ms - before_s * 1000);
      json_object_set_object_member (object, "sealed_questions", sealed);
      exam->sealed = TRUE;
      exam->key_release_ms = exam->starts_ms - before_s * 1000;
    }
  return TRUE;
}

void
ek_sealed_handle_package (EkReq  *req,
                          EkExam *exam)
{
  g_autofree char *key_b64 = NULL;
  g_autoptr(GBytes) package = NULL;
  gsize len = 0;
  guint8 *data;

  if (!exam->sealed)
    {
      ek_reply_error (req, 404, "not_found", -1, "the exam's questions are not sealed");
      return;
    }
  package = load_or_make (req->srv, exam, &key_b64);
  data = g_bytes_unref_to_data (g_steal_pointer (&package), &len);
  /* Fault: a package altered on the way. */
  if (req->srv->faults.sealed_corrupt && len > 0)
    data[len / 2] ^= 0x5a;
  ek_set_response (req->msg, "application/octet-stream", SOUP_MEMORY_TAKE, (char *) data, len);
  soup_server_message_set_status (req->msg, 200, NULL);
}

static gint64
checked_in_ms (EkRefServer *srv,
               const char  *session_id)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (srv->db,
    "SELECT checked_in_ms FROM checkins WHERE session_id = ?1");

  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  return -1;
}

gboolean
ek_sealed_checked_in (EkRefServer *srv,
                      EkSession   *session)
{
  return checked_in_ms (srv, session->session_id) >= 0;
}

void
ek_sealed_handle_check_in (EkReq     *req,
                           EkExam    *exam,
                           EkSession *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *key_b64 = NULL;
  g_autoptr(GBytes) package = NULL;
  gint64 now = ek_server_now_ms (req->srv);
  gint64 when;

  if (!exam->sealed)
    {
      ek_reply_error (req, 404, "not_found", -1, "the exam's questions are not sealed");
      return;
    }
  if (session->submitted_ms >= 0)
    {
      ek_reply_error (req, 409, "already_submitted", -1, "the answers were submitted");
      return;
    }
  if (now >= ek_exam_ends_ms_for (exam, session->id_number))
    {
      ek_reply_error (req, 409, "exam_over", -1, "the exam is over");
      return;
    }
  if (now < exam->key_release_ms)
    {
      ek_reply_error (req, 409, "too_early", exam->key_release_ms - now,
                      "the key is released at %" G_GINT64_FORMAT, exam->key_release_ms);
      return;
    }

  when = checked_in_ms (req->srv, session->session_id);
  if (when < 0)
    {
      g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (req->srv->db,
        "INSERT INTO checkins (session_id, checked_in_ms) VALUES (?1, ?2)");

      when = now;
      sqlite3_bind_text (stmt, 1, session->session_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, when);
      sqlite3_step (stmt);
    }

  package = load_or_make (req->srv, exam, &key_b64);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key_b64);
  json_builder_set_member_name (b, "checked_in_ms");
  json_builder_add_int_value (b, when);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

/* For the admin view. */
gint64
ek_sealed_checked_in_ms (EkRefServer *srv,
                         const char  *session_id)
{
  return checked_in_ms (srv, session_id);
}
