/* ek-ref-integrity.c: the client integrity header, server side (protocol section 1.2)
 *
 * With --allowed-build (repeatable) the server knows the released builds: every
 * /v1/ request, the tus uploads' included, must carry EK-Integrity with one of them, and a
 * request with a session token must carry the MAC of the session's nonce, the build
 * and the exam's policy under the session's key (issued at login). Without
 * --allowed-build nothing is checked and no key is issued. Written apart from the
 * client's code on purpose: the two agree only through the protocol's text.
 */

#include "config.h"

#include <string.h>

#include "ek-ref-server.h"

static void
reply_refused (EkReq      *req,
               const char *reason,
               const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "client_refused");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  json_builder_end_object (b);
  ek_reply_object (req, 403, b);
}

void
ek_integrity_init_store (sqlite3 *db)
{
  ek_store_exec (db,
                 "CREATE TABLE IF NOT EXISTS integrity ("
                 "  session_id TEXT PRIMARY KEY, key_b64 TEXT NOT NULL, nonce TEXT NOT NULL,"
                 "  exe_sha256 TEXT);",
                 NULL);
}

/* "v=1; exe=…; policy=…" into NAME -> VALUE */
static GHashTable *
parse_header (const char *value)
{
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = g_strsplit (value, ";", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *item = g_strstrip (parts[i]);
      char *eq = strchr (item, '=');

      if (eq == NULL || eq == item)
        return NULL;
      g_hash_table_replace (fields, g_strndup (item, eq - item), g_strdup (eq + 1));
    }

  if (g_strcmp0 (g_hash_table_lookup (fields, "v"), "1") != 0)
    return NULL;
  return g_steal_pointer (&fields);
}

char *
ek_integrity_policy_sha256 (EkExam *exam)
{
  static const char * const members[] = { "lockdown", "proctoring" };
  JsonObject *object = json_node_get_object (exam->exam_json);
  g_autoptr(JsonObject) policy = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      if (json_object_has_member (object, members[i]))
        json_object_set_member (policy, members[i],
                                json_node_copy (json_object_get_member (object, members[i])));
    }
  json_node_set_object (root, policy);
  text = json_to_string (root, FALSE);

  return ek_sha256_hex (text, strlen (text));
}

static char *
request_path (EkReq *req)
{
  GUri *uri = soup_server_message_get_uri (req->msg);
  const char *query = g_uri_get_query (uri);

  if (query != NULL)
    return g_strconcat (g_uri_get_path (uri), "?", query, NULL);
  return g_strdup (g_uri_get_path (uri));
}

static gboolean
same_hex (const char *a,
          const char *b)
{
  guint8 diff = 0;
  gsize len = strlen (a);

  if (len != strlen (b))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

/* NULL when the MAC verifies, else the refusal's reason (and @message). */
static const char *
check_mac (EkReq       *req,
           GHashTable  *fields,
           EkExam      *exam,
           EkSession   *session,
           const char **message)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (req->srv->db,
    "SELECT key_b64, nonce FROM integrity WHERE session_id = ?1");
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;
  g_autofree guint8 *key = NULL;
  g_autofree char *path = request_path (req);
  g_autofree char *policy = ek_integrity_policy_sha256 (exam);
  g_autoptr(GHmac) hmac = NULL;
  const char *method = soup_server_message_get_method (req->msg);
  const char *sent_policy = g_hash_table_lookup (fields, "policy");
  const char *sent_nonce = g_hash_table_lookup (fields, "nonce");
  const char *sent_mac = g_hash_table_lookup (fields, "mac");
  gsize key_len = 0;

  sqlite3_bind_text (stmt, 1, session->session_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      key_b64 = ek_store_column_dup (stmt, 0);
      nonce = ek_store_column_dup (stmt, 1);
    }
  if (key_b64 == NULL || sent_policy == NULL || sent_nonce == NULL || sent_mac == NULL ||
      !g_str_equal (sent_nonce, nonce))
    {
      *message = "no integrity MAC for this session's nonce";
      return "bad_signature";
    }
  if (!g_str_equal (sent_policy, policy))
    {
      *message = "the client applies another policy than the exam's";
      return "policy_mismatch";
    }

  key = g_base64_decode (key_b64, &key_len);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  {
    const char *lines[] = { "ek-integrity-v1", nonce, g_hash_table_lookup (fields, "exe"),
                            policy, method, path };

    for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
      {
        if (i > 0)
          g_hmac_update (hmac, (const guchar *) "\n", 1);
        g_hmac_update (hmac, (const guchar *) lines[i], -1);
      }
  }
  if (!same_hex (g_hmac_get_string (hmac), sent_mac))
    {
      *message = "the integrity MAC does not verify";
      return "bad_signature";
    }

  return NULL;
}

static void
remember_build (EkReq      *req,
                EkSession  *session,
                const char *exe)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (req->srv->db,
    "UPDATE integrity SET exe_sha256 = ?2 WHERE session_id = ?1");

  sqlite3_bind_text (stmt, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, exe, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
}

/**
 * ek_integrity_verify:
 * @exam: (nullable): the session's exam; %NULL for a public request
 * @session: (nullable): the session; %NULL for a public request
 * @message: (out): the refusal's text, when refused
 *
 * Checks the request's header without answering (a tus PATCH is checked before
 * its body is read, and answered later).
 *
 * Returns: (nullable): %NULL if the request may go on, else the refusal's reason
 */
const char *
ek_integrity_verify (EkReq       *req,
                     EkExam      *exam,
                     EkSession   *session,
                     const char **message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value = soup_message_headers_get_one (headers, "EK-Integrity");
  g_autoptr(GHashTable) fields = NULL;
  const char *exe;
  const char *reason;

  if (req->srv->allowed_builds == NULL)
    return NULL;

  fields = value != NULL ? parse_header (value) : NULL;
  exe = fields != NULL ? g_hash_table_lookup (fields, "exe") : NULL;
  if (exe == NULL)
    {
      *message = "no valid EK-Integrity header";
      return "missing";
    }
  if (!g_strv_contains ((const char * const *) req->srv->allowed_builds, exe))
    {
      g_message ("Refused a build not released: %s (%s)", exe, req->path);
      *message = "this build of the client is not a released one";
      return "unknown_build";
    }
  if (session == NULL)
    return NULL;

  reason = check_mac (req, fields, exam, session, message);
  if (reason == NULL)
    remember_build (req, session, exe);
  return reason;
}

/* Answers a request ek_integrity_verify() refused. */
void
ek_integrity_refuse (EkReq      *req,
                     const char *reason,
                     const char *message)
{
  reply_refused (req, reason, message);
}

/**
 * ek_integrity_check:
 * @exam: (nullable): the session's exam; %NULL for a public request
 * @session: (nullable): the session; %NULL for a public request
 *
 * Returns: %TRUE if the request may go on; else the refusal has been sent
 */
gboolean
ek_integrity_check (EkReq     *req,
                    EkExam    *exam,
                    EkSession *session)
{
  const char *message = NULL;
  const char *reason = ek_integrity_verify (req, exam, session, &message);

  if (reason == NULL)
    return TRUE;
  reply_refused (req, reason, message);
  return FALSE;
}

/* A login's answer: a fresh key and nonce for the session (a new login replaces
 * them, as it replaces the token). */
void
ek_integrity_issue (EkRefServer *srv,
                    EkSession   *session,
                    JsonBuilder *b)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 key[32];
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;

  if (srv->allowed_builds == NULL)
    return;

  for (guint i = 0; i < sizeof key; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (key + i, &r, 4);
    }
  key_b64 = g_base64_encode (key, sizeof key);
  nonce = ek_random_token (24);

  stmt = ek_store_prepare (srv->db,
    "INSERT OR REPLACE INTO integrity (session_id, key_b64, nonce) VALUES (?1, ?2, ?3)");
  sqlite3_bind_text (stmt, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, key_b64, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, nonce, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);

  json_builder_set_member_name (b, "integrity");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key_b64);
  json_builder_set_member_name (b, "nonce");
  json_builder_add_string_value (b, nonce);
  json_builder_end_object (b);
}

/* For the admin view: the build a session's requests last came from. */
char *
ek_integrity_session_build (EkRefServer *srv,
                            const char  *session_id)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (srv->db,
    "SELECT exe_sha256 FROM integrity WHERE session_id = ?1");

  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return ek_store_column_dup (stmt, 0);
  return NULL;
}
