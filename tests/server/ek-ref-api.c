/* ek-ref-api.c: the /v1 session API and the /admin API of the reference server
 *
 * Test-only code. Every rule of docs/protocol.md is enforced here, so
 * that a client that passes the integration tests against this server
 * does not lean on leniency a real server would not have.
 */

#include <string.h>
#include <glib/gstdio.h>

#include "ek-ref-server.h"

static const char * const step_order[] = {
  "pledge", "face_check", "second_view", "room_scan", "paper_check", "draw",
  "attachments", "device_confirm", NULL
};

/* Steps the client completes on its own and reports with /steps; the
 * others complete through their own endpoints. */
static const char * const client_steps[] = {
  "room_scan", "paper_check", "attachments", "device_confirm", NULL
};

static const char zero_hash[] =
  "0000000000000000000000000000000000000000000000000000000000000000";

/* Helpers */

static char *
query_get (EkReq      *req,
           const char *name)
{
  GUri *uri = soup_server_message_get_uri (req->msg);
  const char *query = g_uri_get_query (uri);
  g_autoptr(GHashTable) params = NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

static gboolean
is_identifier (const char *s)
{
  gsize len = s ? strlen (s) : 0;

  if (len < 1 || len > 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_' && *s != '.' && *s != '-')
      return FALSE;
  return TRUE;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
member_int (JsonObject *o,
            const char *name,
            gint64     *out)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static JsonNode *
parse_json_text (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL) ||
      json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

static char *
node_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void
add_int_or_null (JsonBuilder *b,
                 const char  *name,
                 gint64       value)
{
  json_builder_set_member_name (b, name);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* Decodes standard base64 strictly: g_base64_decode skips garbage,
 * which would turn a broken upload into a silently different photo. */
static guint8 *
decode_base64_strict (const char *text,
                      gsize      *len)
{
  gsize n = strlen (text);

  if (n == 0 || n % 4 != 0)
    return NULL;
  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || (c == '=' && i >= n - 2)))
        return NULL;
      if (i == n - 2 && c == '=' && text[n - 1] != '=')
        return NULL;
    }
  return g_base64_decode (text, len);
}

static gboolean
is_jpeg (const guint8 *data,
         gsize         len)
{
  return len >= 4 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF &&
         data[len - 2] == 0xFF && data[len - 1] == 0xD9;
}

/* Calls @func on the payload of every COM (0xFFFE) segment before the
 * image data; returns TRUE as soon as @func does. */
static gboolean
jpeg_comment_contains (const guint8 *data,
                       gsize         len,
                       const char   *needle)
{
  gsize i = 2;
  gsize nlen = strlen (needle);

  while (i + 4 <= len)
    {
      guint8 marker;
      gsize seglen;

      if (data[i] != 0xFF)
        return FALSE;
      while (i < len && data[i] == 0xFF)
        i++;
      if (i >= len)
        return FALSE;
      marker = data[i++];
      if (marker == 0xD9 || marker == 0xDA)
        return FALSE;
      if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
        continue;
      if (i + 2 > len)
        return FALSE;
      seglen = ((gsize) data[i] << 8) | data[i + 1];
      if (seglen < 2 || i + seglen > len)
        return FALSE;
      if (marker == 0xFE && nlen > 0 && seglen - 2 >= nlen)
        {
          const guint8 *p = data + i + 2;
          gsize plen = seglen - 2;

          for (gsize k = 0; k + nlen <= plen; k++)
            if (memcmp (p + k, needle, nlen) == 0)
              return TRUE;
        }
      i += seglen;
    }
  return FALSE;
}

/* Returns NULL for a match, else the no_match reason. The method is
 * documented in tests/server/README.md. */
static const char *
face_compare (EkRefServer  *srv,
              EkCandidate  *candidate,
              const guint8 *photo,
              gsize         len,
              double       *score)
{
  g_autofree char *registered = NULL;
  gsize registered_len = 0;

  *score = 0.12;
  switch (srv->faults.face_result)
    {
    case EK_FACE_MATCH:
      *score = 0.93;
      return NULL;
    case EK_FACE_NO_MATCH:
      return "different_person";
    case EK_FACE_AUTO:
    default:
      break;
    }

  if (!is_jpeg (photo, len))
    return "poor_quality";
  if (jpeg_comment_contains (photo, len, "ek-face:no_face"))
    return "no_face";
  if (jpeg_comment_contains (photo, len, "ek-face:poor_quality"))
    return "poor_quality";
  if (candidate->photo_path == NULL ||
      !g_file_get_contents (candidate->photo_path, &registered, &registered_len, NULL))
    return "no_registered_photo";
  if ((registered_len == len && memcmp (registered, photo, len) == 0) ||
      (candidate->face_token != NULL &&
       jpeg_comment_contains (photo, len, candidate->face_token)))
    {
      *score = 0.93;
      return NULL;
    }
  return "different_person";
}

static void
record_face_attempt (EkRefServer  *srv,
                     const char   *session_id,
                     EkExam       *exam,
                     EkCandidate  *candidate,
                     const char   *kind,
                     const char   *reason,
                     gint64        capture_ms,
                     const guint8 *photo,
                     gsize         len)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (srv->db,
    "INSERT INTO face_attempts (session_id, exam_id, id_number, kind, result, reason,"
    " capture_ms, received_ms, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  g_autofree char *sha = ek_sha256_hex (photo, len);

  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, exam->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, candidate->id_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, reason ? "no_match" : "match", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, reason, -1, SQLITE_STATIC);
  if (capture_ms >= 0)
    sqlite3_bind_int64 (stmt, 7, capture_ms);
  sqlite3_bind_int64 (stmt, 8, ek_server_now_ms (srv));
  sqlite3_bind_int64 (stmt, 9, len);
  sqlite3_bind_text (stmt, 10, sha, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
}

/* Reads photo_jpeg_b64; answers the error itself and returns NULL. */
static guint8 *
take_photo_member (EkReq      *req,
                   JsonObject *body,
                   const char *member,
                   gsize      *len)
{
  const char *b64 = member_string (body, member);
  guint8 *photo;

  if (b64 == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "%s is missing", member);
      return NULL;
    }
  if (strlen (b64) / 4 * 3 > EK_PHOTO_DECODED_LIMIT + 3)
    {
      ek_reply_error (req, 413, "payload_too_large", -1, "the photo is larger than 4 MiB");
      return NULL;
    }
  photo = decode_base64_strict (b64, len);
  if (photo == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "%s is not base64", member);
      return NULL;
    }
  if (*len > EK_PHOTO_DECODED_LIMIT)
    {
      g_free (photo);
      ek_reply_error (req, 413, "payload_too_large", -1, "the photo is larger than 4 MiB");
      return NULL;
    }
  return photo;
}

static guint8 *
take_photo (EkReq      *req,
            JsonObject *body,
            gsize      *len)
{
  return take_photo_member (req, body, "photo_jpeg_b64", len);
}

/* Sessions */

static gboolean
step_done (EkSession  *session,
           const char *step)
{
  return g_strv_contains ((const char * const *) session->completed_steps, step);
}

static void
complete_step (EkSession  *session,
               const char *step)
{
  guint n;

  if (step_done (session, step))
    return;
  n = g_strv_length (session->completed_steps);
  session->completed_steps = g_renew (char *, session->completed_steps, n + 2);
  session->completed_steps[n] = g_strdup (step);
  session->completed_steps[n + 1] = NULL;
}

/* A step may be completed when the exam requires it and every required
 * step before it is complete. Answers step_not_allowed otherwise. */
static gboolean
check_step (EkReq      *req,
            EkExam     *exam,
            EkSession  *session,
            const char *step)
{
  if (!g_strv_contains (step_order, step))
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "unknown step '%s'", step);
      return FALSE;
    }
  if (!ek_exam_step_required (exam, step))
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "the exam does not require '%s'", step);
      return FALSE;
    }
  for (const char * const *s = step_order; !g_str_equal (*s, step); s++)
    if (ek_exam_step_required (exam, *s) && !step_done (session, *s))
      {
        ek_reply_error (req, 403, "step_not_allowed", -1, "'%s' must be completed before '%s'", *s, step);
        return FALSE;
      }
  return TRUE;
}

/* The exam is over for a session once its last phase ended, plus the candidate's extra
 * time. */
static void
session_refresh (EkRefServer *srv,
                 EkExam      *exam,
                 EkSession   *session)
{
  if (!session->ended && ek_server_now_ms (srv) >= ek_exam_ends_ms_for (exam, session->id_number))
    {
      session->ended = TRUE;
      g_free (session->end_reason);
      session->end_reason = g_strdup ("time_over");
      ek_store_session_save (srv->db, session);
    }
}

/* For the requests that change what the candidate did: none after the
 * answers were submitted or the exam ended for them. */
static gboolean
check_active (EkReq     *req,
              EkSession *session)
{
  if (session->submitted_ms >= 0)
    {
      ek_reply_error (req, 409, "already_submitted", -1, "the answers were submitted");
      return FALSE;
    }
  if (session->ended)
    {
      ek_reply_error (req, 409, "exam_over", -1, "the exam is over for this session (%s)",
                      session->end_reason ? session->end_reason : "ended");
      return FALSE;
    }
  return TRUE;
}

JsonNode *
ek_api_session_state (EkRefServer *srv,
                      EkSession   *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "completed_steps");
  json_builder_begin_array (b);
  /* In the fixed step order, whatever order they were completed in */
  for (const char * const *s = step_order; *s; s++)
    if (step_done (session, *s))
      json_builder_add_string_value (b, *s);
  json_builder_end_array (b);
  add_int_or_null (b, "sequence_number", session->sequence_number);
  add_int_or_null (b, "entered_ms", session->entered_ms);
  add_int_or_null (b, "submitted_ms", session->submitted_ms);
  json_builder_set_member_name (b, "ended");
  json_builder_add_boolean_value (b, session->ended);
  add_string_or_null (b, "end_reason", session->end_reason);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
candidate_json (EkCandidate *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *masked = g_strdup (c->id_number);
  gsize len = strlen (masked);

  for (gsize i = 3; i + 4 < len; i++)
    masked[i] = '*';

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "id_number_masked");
  json_builder_add_string_value (b, masked);
  json_builder_set_member_name (b, "seat");
  json_builder_add_string_value (b, c->seat);
  json_builder_set_member_name (b, "photo_registered");
  json_builder_add_boolean_value (b, c->photo_path != NULL);
  if (c->extra_time_ms > 0)
    {
      json_builder_set_member_name (b, "extra_time_ms");
      json_builder_add_int_value (b, c->extra_time_ms);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
reply_session (EkReq      *req,
               guint       status,
               EkExam     *exam,
               EkSession  *session,
               const char *token)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  EkCandidate *c = ek_exam_find_candidate (exam, session->id_number);

  json_builder_begin_object (b);
  if (token != NULL)
    {
      json_builder_set_member_name (b, "session_token");
      json_builder_add_string_value (b, token);
    }
  json_builder_set_member_name (b, "session_id");
  json_builder_add_string_value (b, session->session_id);
  json_builder_set_member_name (b, "candidate");
  json_builder_add_value (b, candidate_json (c));
  json_builder_set_member_name (b, "exam");
  json_builder_add_value (b, ek_exam_json_for (exam, session->id_number));
  json_builder_set_member_name (b, "state");
  json_builder_add_value (b, ek_api_session_state (req->srv, session));
  json_builder_set_member_name (b, "server_time_ms");
  json_builder_add_int_value (b, ek_server_now_ms (req->srv));
  if (token != NULL)
    ek_integrity_issue (req->srv, session, b);
  json_builder_end_object (b);
  ek_reply_object (req, status, b);
}

static void
reply_state (EkReq     *req,
             EkSession *session)
{
  ek_reply_json (req, 200, ek_api_session_state (req->srv, session));
}

/* Login */

static gboolean
version_at_least (const char *version,
                  const char *minimum)
{
  g_auto(GStrv) a = g_strsplit (version, ".", -1);
  g_auto(GStrv) b = g_strsplit (minimum, ".", -1);

  for (guint i = 0; a[i] || b[i]; i++)
    {
      guint64 x = 0, y = 0;

      if (a[i] && !g_ascii_string_to_unsigned (a[i], 10, 0, G_MAXUINT32, &x, NULL))
        {
          /* "0.2.0-beta": compare the number in front of the suffix */
          x = g_ascii_strtoull (a[i], NULL, 10);
        }
      if (b[i])
        y = g_ascii_strtoull (b[i], NULL, 10);
      if (x != y)
        return x > y;
      if (!a[i] || !b[i])
        break;
    }
  return TRUE;
}

/* Rate limit: more than 10 failed logins within a minute from one ID
 * number locks that ID number until the oldest failure is a minute old. */
static gint64
login_retry_after (EkRefServer *srv,
                   const char  *id_number)
{
  GArray *times = g_hash_table_lookup (srv->login_failures, id_number);
  gint64 now = g_get_real_time () / 1000;

  if (times == NULL)
    return 0;
  while (times->len > 0 && g_array_index (times, gint64, 0) <= now - 60000)
    g_array_remove_index (times, 0);
  if (times->len < EK_LOGIN_MAX_FAILURES)
    return 0;
  return g_array_index (times, gint64, times->len - EK_LOGIN_MAX_FAILURES) + 60000 - now;
}

static void
login_failed (EkRefServer *srv,
              const char  *id_number)
{
  GArray *times = g_hash_table_lookup (srv->login_failures, id_number);
  gint64 now = g_get_real_time () / 1000;

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (srv->login_failures, g_strdup (id_number), times);
    }
  g_array_append_val (times, now);
}

/* The common checks of the client object; answers the error itself. */
static gboolean
check_client (EkReq      *req,
              JsonObject *body)
{
  JsonNode *client = json_object_get_member (body, "client");
  const char *version;

  if (client == NULL || !JSON_NODE_HOLDS_OBJECT (client) ||
      (version = member_string (json_node_get_object (client), "version")) == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "client.version is missing");
      return FALSE;
    }
  if (!version_at_least (version, EK_MIN_CLIENT_VERSION))
    {
      ek_reply_error (req, 426, "client_too_old", -1, "client %s is older than %s",
                      version, EK_MIN_CLIENT_VERSION);
      return FALSE;
    }
  return TRUE;
}

/* Answers the login; returns the session's id (NULL after an error answer).
 * @face_verified: the login itself matched the face, which then counts as the
 * identity check (protocol section 4). */
static char *
finish_login (EkReq       *req,
              EkExam      *exam,
              EkCandidate *candidate,
              gboolean     face_verified)
{
  EkRefServer *srv = req->srv;
  gint64 now = ek_server_now_ms (srv);
  g_autoptr(EkSession) session = ek_store_session_by_candidate (srv->db, exam->id, candidate->id_number);
  g_autofree char *token = NULL;
  gboolean is_new = session == NULL;

  if (now < exam->entry_opens_ms)
    {
      ek_reply_error (req, 403, "exam_not_open", exam->entry_opens_ms - now,
                      "login opens at %" G_GINT64_FORMAT, exam->entry_opens_ms);
      return NULL;
    }
  if (session != NULL && session->submitted_ms >= 0)
    {
      ek_reply_error (req, 409, "already_submitted", -1, "the answers were submitted");
      return NULL;
    }
  if ((session == NULL || session->entered_ms < 0) && now > exam->late_entry_cutoff_ms)
    {
      ek_reply_error (req, 403, "entry_closed", -1, "entry closed at %" G_GINT64_FORMAT,
                      exam->late_entry_cutoff_ms);
      return NULL;
    }

  if (is_new)
    {
      session = g_new0 (EkSession, 1);
      session->session_id = g_strdup_printf ("s-%08x%08x", g_random_int (), g_random_int ());
      session->exam_id = g_strdup (exam->id);
      session->id_number = g_strdup (candidate->id_number);
      session->completed_steps = g_new0 (char *, 1);
      session->sequence_number = -1;
      session->entered_ms = -1;
      session->submitted_ms = -1;
      session->last_hash = g_strdup (zero_hash);
      session->answer_count = -1;
      session->created_ms = now;
      session->finished_ms = -1;
    }
  else if (session->ended &&
           (g_strcmp0 (session->end_reason, "pledge_declined") == 0 ||
            g_strcmp0 (session->end_reason, "ended_by_candidate") == 0))
    {
      /* Declining or leaving before the exam is not final: logging in
       * again reopens the same session. */
      session->ended = FALSE;
      g_clear_pointer (&session->end_reason, g_free);
    }

  if (face_verified && ek_exam_step_required (exam, "face_check"))
    complete_step (session, "face_check");

  token = ek_random_token (32);
  g_free (session->token_hash);
  session->token_hash = ek_sha256_hex (token, strlen (token));
  if (!(is_new ? ek_store_session_insert (srv->db, session) : ek_store_session_save (srv->db, session)))
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the session");
      return NULL;
    }
  session_refresh (srv, exam, session);
  reply_session (req, 201, exam, session, token);
  return g_strdup (session->session_id);
}

/* wrong_credentials with the comparison's reason (protocol section 4). */
static void
reply_face_refused (EkReq      *req,
                    const char *reason)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "wrong_credentials");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "the face does not match");
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  json_builder_end_object (b);
  ek_reply_object (req, 401, b);
}

static void
handle_login (EkReq *req)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autofree char *id_number = NULL;
  const char *exam_token, *id;
  gint64 retry;

  if (body == NULL)
    return;
  exam_token = member_string (body, "exam_token");
  id = member_string (body, "id_number");
  if (exam_token == NULL || id == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "exam_token and id_number are required");
      return;
    }
  if (!check_client (req, body))
    return;
  id_number = g_ascii_strup (id, -1);

  retry = login_retry_after (req->srv, id_number);
  if (retry > 0)
    {
      ek_reply_error (req, 429, "rate_limited", retry, "too many failed logins for this ID number");
      return;
    }

  for (guint i = 0; i < req->srv->exams->len; i++)
    {
      EkExam *exam = req->srv->exams->pdata[i];
      EkCandidate *candidate;

      if (!g_strv_contains ((const char * const *) exam->exam_tokens, exam_token))
        continue;
      candidate = ek_exam_find_candidate (exam, id_number);
      if (candidate != NULL)
        {
          g_free (finish_login (req, exam, candidate, FALSE));
          return;
        }
    }

  login_failed (req->srv, id_number);
  ek_reply_error (req, 401, "wrong_credentials", -1, "no candidate with this exam token and ID number");
}

static void
handle_face_login (EkReq *req)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autofree char *id_number = NULL;
  g_autofree guint8 *photo = NULL;
  g_autofree char *session_id = NULL;
  const char *exam_id, *id, *reason;
  EkExam *exam;
  EkCandidate *candidate;
  gint64 retry, capture_ms = -1;
  gsize len;
  double score;

  if (body == NULL)
    return;
  exam_id = member_string (body, "exam_id");
  id = member_string (body, "id_number");
  if (exam_id == NULL || id == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "exam_id and id_number are required");
      return;
    }
  if (!check_client (req, body))
    return;
  id_number = g_ascii_strup (id, -1);
  retry = login_retry_after (req->srv, id_number);
  if (retry > 0)
    {
      ek_reply_error (req, 429, "rate_limited", retry, "too many failed logins for this ID number");
      return;
    }
  if ((photo = take_photo (req, body, &len)) == NULL)
    return;

  exam = ek_server_find_exam (req->srv, exam_id);
  candidate = exam ? ek_exam_find_candidate (exam, id_number) : NULL;
  if (candidate == NULL)
    {
      login_failed (req->srv, id_number);
      ek_reply_error (req, 401, "wrong_credentials", -1, "no such candidate in this exam");
      return;
    }
  if (!exam->face_login)
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "this exam does not allow face login");
      return;
    }
  member_int (body, "capture_ms", &capture_ms);
  reason = face_compare (req->srv, candidate, photo, len, &score);
  if (reason != NULL)
    {
      record_face_attempt (req->srv, NULL, exam, candidate, "login", reason, capture_ms, photo, len);
      login_failed (req->srv, id_number);
      reply_face_refused (req, reason);
      return;
    }
  /* A match is recorded under the session it opens (NULL if the login was refused
   * for another reason, e.g. entry closed). */
  session_id = finish_login (req, exam, candidate, TRUE);
  record_face_attempt (req->srv, session_id, exam, candidate, "login", NULL, capture_ms, photo, len);
}

/* Public facts of an exam for the login page (protocol section 4). */
static void
handle_exam_login_options (EkReq      *req,
                           const char *exam_id)
{
  EkExam *exam = ek_server_find_exam (req->srv, exam_id);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  JsonObject *def;

  if (exam == NULL)
    {
      ek_reply_error (req, 404, "not_found", -1, "no exam '%s'", exam_id);
      return;
    }
  def = json_node_get_object (exam->exam_json);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exam_id");
  json_builder_add_string_value (b, exam->id);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, json_object_get_string_member (def, "title"));
  json_builder_set_member_name (b, "face_login");
  json_builder_add_boolean_value (b, exam->face_login);
  json_builder_set_member_name (b, "help_contact");
  json_builder_add_string_value (b, json_object_get_string_member (def, "help_contact"));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

/* Session endpoints */

static void
handle_delete_session (EkReq     *req,
                       EkSession *session)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  const char *reason = "ended_by_candidate";

  /* The body is optional; the only reason a client may give is
   * ended_by_candidate. */
  if (g_bytes_get_size (bytes) > 0)
    {
      JsonNode *root;
      const char *given;

      if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL) ||
          (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          ek_reply_error (req, 400, "bad_request", -1, "the body must be a JSON object");
          return;
        }
      given = member_string (json_node_get_object (root), "reason");
      if (given != NULL && !g_str_equal (given, "ended_by_candidate"))
        {
          ek_reply_error (req, 400, "bad_request", -1, "reason must be ended_by_candidate");
          return;
        }
    }

  if (!session->ended)
    {
      session->ended = TRUE;
      g_free (session->end_reason);
      session->end_reason = g_strdup (reason);
    }
  g_clear_pointer (&session->token_hash, g_free);
  ek_store_session_save (req->srv->db, session);
  ek_reply_empty (req, 204);
}

/* An exam whose `proctoring.second_view_required` is false lets a candidate without a
 * phone report the second view done through /steps (protocol section 3.3). */
static gboolean
second_view_waivable (EkExam *exam)
{
  JsonObject *root = json_node_get_object (exam->exam_json);
  JsonNode *proctoring = json_object_get_member (root, "proctoring");
  JsonNode *required;

  if (proctoring == NULL || !JSON_NODE_HOLDS_OBJECT (proctoring))
    return FALSE;
  required = json_object_get_member (json_node_get_object (proctoring), "second_view_required");
  return required != NULL && JSON_NODE_HOLDS_VALUE (required) &&
         json_node_get_value_type (required) == G_TYPE_BOOLEAN && !json_node_get_boolean (required);
}

static void
handle_steps (EkReq     *req,
              EkExam    *exam,
              EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  const char *step;

  if (body == NULL || !check_active (req, session))
    return;
  step = member_string (body, "step");
  if (step == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "step is missing");
      return;
    }
  if (!g_strv_contains (client_steps, step) &&
      !(g_str_equal (step, "second_view") && second_view_waivable (exam)))
    {
      ek_reply_error (req, 403, "step_not_allowed", -1,
                      g_strv_contains (step_order, step) ? "'%s' completes through its own endpoint"
                                                         : "unknown step '%s'", step);
      return;
    }
  if (!step_done (session, step))
    {
      if (!check_step (req, exam, session, step))
        return;
      complete_step (session, step);
      ek_store_session_save (req->srv->db, session);
    }
  reply_state (req, session);
}

static void
handle_enter (EkReq     *req,
              EkExam    *exam,
              EkSession *session)
{
  gint64 now = ek_server_now_ms (req->srv);
  SoupMessageBody *raw = soup_server_message_get_request_body (req->msg);
  g_autoptr(JsonObject) body = NULL;
  gint64 client_ms = -1;

  if (!check_active (req, session))
    return;
  if (raw->length > 0)
    {
      body = ek_req_parse_object (req);
      if (body == NULL)
        return;
      if (json_object_has_member (body, "client_ms"))
        client_ms = json_object_get_int_member (body, "client_ms");
    }
  /* An entry made offline with the sealed questions (protocol 6.1): taken at the
   * time it was made, if the session had checked in and that time was in the window. */
  if (session->entered_ms < 0 && client_ms >= exam->starts_ms &&
      client_ms <= MIN (now, exam->late_entry_cutoff_ms) &&
      exam->sealed && ek_sealed_checked_in (req->srv, session))
    now = client_ms;
  if (now < exam->starts_ms)
    {
      ek_reply_error (req, 403, "exam_not_open", exam->starts_ms - now,
                      "the exam starts at %" G_GINT64_FORMAT, exam->starts_ms);
      return;
    }
  if (session->entered_ms < 0)
    {
      if (now > exam->late_entry_cutoff_ms)
        {
          ek_reply_error (req, 403, "entry_closed", -1, "entry closed at %" G_GINT64_FORMAT,
                          exam->late_entry_cutoff_ms);
          return;
        }
      for (const char * const *s = step_order; *s; s++)
        if (ek_exam_step_required (exam, *s) && !step_done (session, *s))
          {
            ek_reply_error (req, 403, "step_not_allowed", -1, "the step '%s' is not complete", *s);
            return;
          }
      session->entered_ms = now;
      ek_store_session_save (req->srv->db, session);
    }
  reply_state (req, session);
}

static void
handle_pledge (EkReq     *req,
               EkExam    *exam,
               EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  JsonNode *accepted;
  const char *version;

  if (body == NULL || !check_active (req, session))
    return;
  accepted = json_object_get_member (body, "accepted");
  version = member_string (body, "pledge_version");
  if (accepted == NULL || !JSON_NODE_HOLDS_VALUE (accepted) ||
      json_node_get_value_type (accepted) != G_TYPE_BOOLEAN)
    {
      ek_reply_error (req, 400, "bad_request", -1, "accepted must be a boolean");
      return;
    }
  if (!json_node_get_boolean (accepted))
    {
      session->ended = TRUE;
      g_free (session->end_reason);
      session->end_reason = g_strdup ("pledge_declined");
      g_clear_pointer (&session->token_hash, g_free);
      ek_store_session_save (req->srv->db, session);
      reply_state (req, session);
      return;
    }
  if (g_strcmp0 (version, exam->pledge_version) != 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "pledge_version must be %s", exam->pledge_version);
      return;
    }
  complete_step (session, "pledge");
  ek_store_session_save (req->srv->db, session);
  reply_state (req, session);
}

static void
handle_face_recheck (EkReq      *req,
                     EkExam     *exam,
                     EkSession  *session,
                     JsonObject *body)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree guint8 *photo = NULL;
  EkCandidate *candidate = ek_exam_find_candidate (exam, session->id_number);
  const char *reason;
  gint64 capture_ms = -1;
  gsize len;
  double score;

  if (session->entered_ms < 0)
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "a re-check is for a session that entered the exam");
      return;
    }
  if ((photo = take_photo (req, body, &len)) == NULL)
    return;
  member_int (body, "capture_ms", &capture_ms);

  reason = face_compare (req->srv, candidate, photo, len, &score);
  record_face_attempt (req->srv, session->session_id, exam, candidate, "recheck", reason, capture_ms, photo, len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, reason ? "no_match" : "match");
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, score);
  add_string_or_null (b, "reason", reason);
  json_builder_set_member_name (b, "attempts_left");
  json_builder_add_int_value (b, MAX (0, EK_FACE_MAX_FAILURES - session->face_failures));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_face (EkReq     *req,
             EkExam    *exam,
             EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree guint8 *photo = NULL;
  EkCandidate *candidate = ek_exam_find_candidate (exam, session->id_number);
  const char *reason;
  gint64 capture_ms = -1;
  gsize len;
  double score;

  if (body == NULL || !check_active (req, session))
    return;
  /* The live re-check during the exam (protocol section 4): no step, no attempt. */
  if (g_strcmp0 (member_string (body, "purpose"), "recheck") == 0)
    {
      handle_face_recheck (req, exam, session, body);
      return;
    }
  if (member_string (body, "purpose") != NULL &&
      g_strcmp0 (member_string (body, "purpose"), "identity_check") != 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "purpose must be identity_check or recheck");
      return;
    }
  if (!check_step (req, exam, session, "face_check"))
    return;
  if (!step_done (session, "face_check") && session->face_failures >= EK_FACE_MAX_FAILURES)
    {
      ek_reply_error (req, 429, "rate_limited", -1, "%d failed face checks; ask for help",
                      EK_FACE_MAX_FAILURES);
      return;
    }
  if ((photo = take_photo (req, body, &len)) == NULL)
    return;
  member_int (body, "capture_ms", &capture_ms);

  reason = face_compare (req->srv, candidate, photo, len, &score);
  record_face_attempt (req->srv, session->session_id, exam, candidate, "check", reason, capture_ms, photo, len);
  if (reason != NULL && !step_done (session, "face_check"))
    session->face_failures++;
  else if (reason == NULL)
    complete_step (session, "face_check");
  ek_store_session_save (req->srv->db, session);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "result");
  json_builder_add_string_value (b, reason ? "no_match" : "match");
  json_builder_set_member_name (b, "score");
  json_builder_add_double_value (b, score);
  add_string_or_null (b, "reason", reason);
  json_builder_set_member_name (b, "attempts_left");
  json_builder_add_int_value (b, MAX (0, EK_FACE_MAX_FAILURES - session->face_failures));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
reply_second_view_code (EkReq      *req,
                        const char *code,
                        gint64      expires_ms)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *base = ek_base_url (req);
  g_autofree char *payload = g_strdup_printf ("%s/sv/%s", base, code);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "qr_payload");
  json_builder_add_string_value (b, payload);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "expires_ms");
  json_builder_add_int_value (b, expires_ms);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_second_view_create (EkReq     *req,
                           EkExam    *exam,
                           EkSession *session)
{
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) ins = NULL;
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  gint64 now = ek_server_now_ms (req->srv);
  char code[9];

  if (!check_active (req, session) || !check_step (req, exam, session, "second_view"))
    return;

  /* Idempotent: the current code while it is valid (or bound) */
  sel = ek_store_prepare (req->srv->db,
                          "SELECT code, expires_ms FROM second_view WHERE session_id = ?1"
                          " AND (expires_ms > ?2 OR bound_ms IS NOT NULL) ORDER BY created_ms DESC LIMIT 1");
  sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (sel, 2, now);
  if (sqlite3_step (sel) == SQLITE_ROW)
    {
      reply_second_view_code (req, (const char *) sqlite3_column_text (sel, 0), sqlite3_column_int64 (sel, 1));
      return;
    }

  for (int i = 0; i < 8; i++)
    code[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  code[8] = '\0';
  ins = ek_store_prepare (req->srv->db,
                          "INSERT INTO second_view (code, session_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)");
  sqlite3_bind_text (ins, 1, code, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 2, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 3, now);
  sqlite3_bind_int64 (ins, 4, now + 10 * 60 * 1000);
  if (sqlite3_step (ins) != SQLITE_DONE)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the code");
      return;
    }
  reply_second_view_code (req, code, now + 10 * 60 * 1000);
}

static void
handle_second_view_status (EkReq     *req,
                           EkSession *session)
{
  g_autoptr(sqlite3_stmt) sel = ek_store_prepare (req->srv->db,
    "SELECT code, expires_ms, device, bound_ms FROM second_view WHERE session_id = ?1"
    " ORDER BY bound_ms IS NULL, created_ms DESC LIMIT 1");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (sel) != SQLITE_ROW)
    {
      ek_reply_error (req, 404, "not_found", -1, "no second-view code yet; POST first");
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  if (sqlite3_column_type (sel, 3) != SQLITE_NULL)
    {
      json_builder_add_string_value (b, "bound");
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (sel, 2));
      json_builder_set_member_name (b, "bound_ms");
      json_builder_add_int_value (b, sqlite3_column_int64 (sel, 3));
    }
  else
    {
      json_builder_add_string_value (b, "pending");
      json_builder_set_member_name (b, "expires_ms");
      json_builder_add_int_value (b, sqlite3_column_int64 (sel, 1));
    }
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_second_view_bind (EkReq *req)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) upd = NULL;
  g_autoptr(EkSession) session = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 now = ek_server_now_ms (req->srv);
  const char *code, *device;

  if (body == NULL)
    return;
  code = member_string (body, "code");
  device = member_string (body, "device");
  if (code == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "code is missing");
      return;
    }
  if (device == NULL || *device == '\0')
    device = "phone";

  sel = ek_store_prepare (req->srv->db,
                          "SELECT session_id, expires_ms, bound_ms, device FROM second_view WHERE code = ?1");
  sqlite3_bind_text (sel, 1, code, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (sel) != SQLITE_ROW)
    {
      ek_reply_error (req, 404, "not_found", -1, "unknown code");
      return;
    }
  session = ek_store_session_by_id (req->srv->db, (const char *) sqlite3_column_text (sel, 0));
  if (sqlite3_column_type (sel, 2) == SQLITE_NULL)
    {
      if (sqlite3_column_int64 (sel, 1) <= now)
        {
          ek_reply_error (req, 404, "not_found", -1, "the code expired");
          return;
        }
      upd = ek_store_prepare (req->srv->db, "UPDATE second_view SET device = ?2, bound_ms = ?3 WHERE code = ?1");
      sqlite3_bind_text (upd, 1, code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (upd, 2, device, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (upd, 3, now);
      sqlite3_step (upd);
      if (session != NULL)
        {
          complete_step (session, "second_view");
          ek_store_session_save (req->srv->db, session);
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "bound");
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_draw (EkReq     *req,
             EkExam    *exam,
             EkSession *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  if (session->sequence_number < 0)
    {
      g_autoptr(sqlite3_stmt) sel = NULL;
      g_autoptr(GArray) free_numbers = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GHashTable) taken = g_hash_table_new (g_int64_hash, g_int64_equal);
      g_autoptr(GArray) taken_store = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 64);
      gint64 n = exam->candidates->len;

      if (!check_active (req, session) || !check_step (req, exam, session, "draw"))
        return;
      sel = ek_store_prepare (req->srv->db,
                              "SELECT sequence_number FROM sessions WHERE exam_id = ?1 AND sequence_number IS NOT NULL");
      sqlite3_bind_text (sel, 1, exam->id, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (sel) == SQLITE_ROW)
        {
          gint64 v = sqlite3_column_int64 (sel, 0);

          g_array_append_val (taken_store, v);
        }
      for (guint i = 0; i < taken_store->len; i++)
        g_hash_table_add (taken, &g_array_index (taken_store, gint64, i));
      /* Numbers 1..N for N candidates: every candidate gets one, in a
       * random order. */
      for (gint64 v = 1; v <= MAX (n, (gint64) taken_store->len + 1); v++)
        if (!g_hash_table_contains (taken, &v))
          g_array_append_val (free_numbers, v);
      session->sequence_number = g_array_index (free_numbers, gint64,
                                                g_random_int_range (0, free_numbers->len));
      complete_step (session, "draw");
      if (!ek_store_session_save (req->srv->db, session))
        {
          ek_reply_error (req, 500, "server_error", -1, "cannot store the draw");
          return;
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sequence_number");
  json_builder_add_int_value (b, session->sequence_number);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_attachments (EkReq  *req,
                    EkExam *exam)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "attachments");
  json_builder_begin_array (b);
  for (guint i = 0; i < exam->attachments->len; i++)
    {
      EkAttachment *a = exam->attachments->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, a->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, a->name);
      json_builder_set_member_name (b, "media_type");
      json_builder_add_string_value (b, a->media_type);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, a->size);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, a->sha256);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_attachment (EkReq      *req,
                   EkExam     *exam,
                   const char *id)
{
  for (guint i = 0; i < exam->attachments->len; i++)
    {
      EkAttachment *a = exam->attachments->pdata[i];
      char *contents;
      gsize len;

      if (!g_str_equal (a->id, id))
        continue;
      if (!g_file_get_contents (a->path, &contents, &len, NULL))
        {
          ek_reply_error (req, 500, "server_error", -1, "cannot read the attachment");
          return;
        }
      soup_server_message_set_status (req->msg, 200, NULL);
      ek_set_response (req->msg, a->media_type, SOUP_MEMORY_TAKE, contents, len);
      return;
    }
  ek_reply_error (req, 404, "not_found", -1, "no attachment %s", id);
}

static void
handle_questions (EkReq     *req,
                  EkExam    *exam,
                  EkSession *session)
{
  g_autofree char *phase_id = query_get (req, "phase");
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 now = ek_server_now_ms (req->srv);
  JsonArray *questions;
  EkPhase *phase;

  if (phase_id == NULL || *phase_id == '\0')
    {
      ek_reply_error (req, 400, "bad_request", -1, "the phase parameter is missing");
      return;
    }
  phase = ek_exam_find_phase (exam, phase_id);
  if (phase == NULL)
    {
      ek_reply_error (req, 404, "not_found", -1, "no phase %s", phase_id);
      return;
    }
  if (now < phase->starts_ms)
    {
      ek_reply_error (req, 403, "phase_not_started", phase->starts_ms - now,
                      "the phase starts at %" G_GINT64_FORMAT, phase->starts_ms);
      return;
    }
  if (session->entered_ms < 0)
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "enter the exam first");
      return;
    }

  questions = ek_exam_get_questions (exam, phase_id);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "phase");
  json_builder_add_string_value (b, phase_id);
  json_builder_set_member_name (b, "questions");
  if (questions != NULL)
    {
      JsonNode *n = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (n, questions);
      json_builder_add_value (b, json_node_copy (n));
      json_node_unref (n);
    }
  else
    {
      json_builder_begin_array (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static gboolean
option_exists (JsonObject *question,
               const char *option_id)
{
  JsonArray *opts = json_object_get_array_member (question, "options");

  for (guint i = 0; i < json_array_get_length (opts); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (opts, i), "id"),
                   option_id) == 0)
      return TRUE;
  return FALSE;
}

/* Returns NULL when @value fits the question type, else why not. */
static const char *
check_answer_value (JsonObject *question,
                    JsonNode   *value)
{
  const char *type = json_object_get_string_member (question, "type");

  if (JSON_NODE_HOLDS_NULL (value))
    return g_str_equal (type, "oral") ? "oral questions take no answer" : NULL;

  if (g_str_equal (type, "single"))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return "a single-choice answer is an option id";
      return option_exists (question, json_node_get_string (value)) ? NULL : "no such option";
    }
  if (g_str_equal (type, "multiple"))
    {
      JsonArray *arr;
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      if (!JSON_NODE_HOLDS_ARRAY (value))
        return "a multiple-choice answer is an array of option ids";
      arr = json_node_get_array (value);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          JsonNode *e = json_array_get_element (arr, i);
          const char *id;

          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
            return "a multiple-choice answer is an array of option ids";
          id = json_node_get_string (e);
          if (!option_exists (question, id))
            return "no such option";
          if (!g_hash_table_add (seen, (gpointer) id))
            return "an option is listed twice";
        }
      return NULL;
    }
  if (g_str_equal (type, "true_false"))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        return "a true/false answer is a boolean";
      return NULL;
    }
  if (g_str_equal (type, "text"))
    {
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        return "a text answer is a string";
      if (g_utf8_strlen (json_node_get_string (value), -1) > json_object_get_int_member (question, "max_length"))
        return "the text is longer than max_length";
      return NULL;
    }
  return "oral questions take no answer";
}

/* Protocol section 6: after the answering time (the last phase's end, or the
 * submission at @closed_ms) an answer the client saved before it still counts when it
 * arrives within LATE_ANSWER_WINDOW_MS; not after the proctor's collection or the
 * candidate's leaving, whose answers are final as stored. */
#define LATE_ANSWER_WINDOW_MS (24 * 3600 * (gint64) 1000)

static gboolean
late_answer_allowed (EkExam    *exam,
                     EkSession *session,
                     gint64     client_ms,
                     gint64     closed_ms,
                     gint64     now)
{
  if (session->ended && g_strcmp0 (session->end_reason, "time_over") != 0 &&
      g_strcmp0 (session->end_reason, "submitted") != 0)
    return FALSE;

  return client_ms >= 0 && client_ms < closed_ms &&
         client_ms < ek_exam_ends_ms_for (exam, session->id_number) &&
         now < closed_ms + LATE_ANSWER_WINDOW_MS;
}

static void
handle_put_answer (EkReq      *req,
                   EkExam     *exam,
                   EkSession  *session,
                   const char *question_id)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(sqlite3_stmt) up = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *value_text = NULL;
  gint64 now = ek_server_now_ms (req->srv);
  gint64 revision, client_ms = -1, stored_ms = now;
  gint64 ends_ms = ek_exam_ends_ms_for (exam, session->id_number);
  JsonObject *question;
  JsonNode *value;
  EkPhase *phase = NULL;
  const char *problem;

  if (body == NULL)
    return;
  member_int (body, "client_ms", &client_ms);
  if (session->submitted_ms >= 0 &&
      !late_answer_allowed (exam, session, client_ms, session->submitted_ms, now))
    {
      ek_reply_error (req, 409, "already_submitted", -1, "the answers were submitted");
      return;
    }
  if ((now >= ends_ms || session->ended) && session->submitted_ms < 0 &&
      !late_answer_allowed (exam, session, client_ms, ends_ms, now))
    {
      ek_reply_error (req, 409, "exam_over", -1, "the exam is over");
      return;
    }
  /* A checked-in session of a sealed exam may have entered offline (protocol 6.1). */
  if (session->entered_ms < 0 && !(exam->sealed && ek_sealed_checked_in (req->srv, session)))
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "enter the exam first");
      return;
    }
  question = is_identifier (question_id) ? ek_exam_find_question (exam, question_id, &phase) : NULL;
  if (question == NULL)
    {
      ek_reply_error (req, 404, "not_found", -1, "no question %s", question_id);
      return;
    }
  if (now < phase->starts_ms)
    {
      ek_reply_error (req, 403, "phase_not_started", phase->starts_ms - now, "the question is not released yet");
      return;
    }
  if (!member_int (body, "revision", &revision) || revision < 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "revision must be an integer >= 0");
      return;
    }
  value = json_object_get_member (body, "value");
  if (value == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "value is missing (null clears)");
      return;
    }
  if ((problem = check_answer_value (question, value)) != NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "value: %s", problem);
      return;
    }
  /* A late answer must have been saved while its question was out. */
  if ((now >= ends_ms || session->ended || session->submitted_ms >= 0) &&
      client_ms < phase->starts_ms)
    {
      ek_reply_error (req, 409, "exam_over", -1, "the exam is over");
      return;
    }

  sel = ek_store_prepare (req->srv->db,
                          "SELECT revision, stored_ms FROM answers WHERE session_id = ?1 AND question_id = ?2");
  sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (sel, 2, question_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (sel) == SQLITE_ROW)
    {
      gint64 stored = sqlite3_column_int64 (sel, 0);

      if (revision < stored)
        {
          g_autofree char *message = g_strdup_printf ("revision=%" G_GINT64_FORMAT, stored);

          ek_reply_error_extra (req, 409, "conflict", "revision", stored, message);
          return;
        }
      if (revision == stored)
        {
          /* A retry of what is stored: answer as the first time */
          stored_ms = sqlite3_column_int64 (sel, 1);
          goto reply;
        }
    }

  value_text = node_to_text (value);
  up = ek_store_prepare (req->srv->db,
                         "INSERT INTO answers (session_id, question_id, revision, value, client_ms, stored_ms)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (session_id, question_id) DO UPDATE"
                         " SET revision = ?3, value = ?4, client_ms = ?5, stored_ms = ?6");
  sqlite3_bind_text (up, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (up, 2, question_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (up, 3, revision);
  sqlite3_bind_text (up, 4, value_text, -1, SQLITE_TRANSIENT);
  if (client_ms >= 0)
    sqlite3_bind_int64 (up, 5, client_ms);
  sqlite3_bind_int64 (up, 6, now);
  if (sqlite3_step (up) != SQLITE_DONE)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the answer");
      return;
    }

reply:
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "revision");
  json_builder_add_int_value (b, revision);
  json_builder_set_member_name (b, "stored_ms");
  json_builder_add_int_value (b, stored_ms);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static JsonNode *
answers_json (EkRefServer *srv,
              const char  *session_id,
              gboolean     admin)
{
  g_autoptr(sqlite3_stmt) sel = ek_store_prepare (srv->db,
    "SELECT question_id, revision, value, stored_ms, client_ms FROM answers WHERE session_id = ?1"
    " ORDER BY question_id");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  sqlite3_bind_text (sel, 1, session_id, -1, SQLITE_TRANSIENT);
  json_builder_begin_array (b);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "question_id");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (sel, 0));
      json_builder_set_member_name (b, "revision");
      json_builder_add_int_value (b, sqlite3_column_int64 (sel, 1));
      json_builder_set_member_name (b, "value");
      json_builder_add_value (b, parse_json_text ((const char *) sqlite3_column_text (sel, 2)));
      json_builder_set_member_name (b, "stored_ms");
      json_builder_add_int_value (b, sqlite3_column_int64 (sel, 3));
      if (admin)
        add_int_or_null (b, "client_ms", ek_store_column_int_or (sel, 4, -1));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static void
handle_get_answers (EkReq     *req,
                    EkSession *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "answers");
  json_builder_add_value (b, answers_json (req->srv, session->session_id, FALSE));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_submit (EkReq     *req,
               EkExam    *exam,
               EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  gint64 now = ek_server_now_ms (req->srv);
  gint64 count = -1;
  const char *forced_by = NULL;
  gboolean forced = FALSE;

  if (body == NULL || !check_active (req, session))
    return;
  if (json_object_has_member (body, "answer_count") &&
      (!member_int (body, "answer_count", &count) || count < 0))
    {
      ek_reply_error (req, 400, "bad_request", -1, "answer_count must be an integer >= 0");
      return;
    }
  if (json_object_has_member (body, "forced_by"))
    {
      forced_by = member_string (body, "forced_by");
      if (g_strcmp0 (forced_by, "lockdown") != 0)
        {
          ek_reply_error (req, 400, "bad_request", -1, "forced_by must be \"lockdown\"");
          return;
        }
      /* Only as the session's own log says: an escalation to forced submission. */
      {
        g_autoptr(sqlite3_stmt) sel = ek_store_prepare (req->srv->db,
          "SELECT COUNT(*) FROM events WHERE session_id = ?1 AND type = 'escalation'"
          " AND event LIKE '%\"step\":\"submit\"%'");

        sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
        forced = sqlite3_step (sel) == SQLITE_ROW && sqlite3_column_int64 (sel, 0) > 0;
      }
    }
  if (session->entered_ms < 0)
    {
      ek_reply_error (req, 403, "step_not_allowed", -1, "enter the exam first");
      return;
    }
  if (now >= ek_exam_ends_ms_for (exam, session->id_number))
    {
      ek_reply_error (req, 409, "exam_over", -1, "the exam is over; the stored answers count");
      return;
    }
  if (exam->min_submit_ms >= 0 && now < exam->min_submit_ms && !forced)
    {
      ek_reply_error (req, 409, "too_early", exam->min_submit_ms - now,
                      "submitting is possible from %" G_GINT64_FORMAT, exam->min_submit_ms);
      return;
    }
  session->submitted_ms = now;
  session->answer_count = count;
  session->ended = TRUE;
  g_free (session->end_reason);
  session->end_reason = g_strdup ("submitted");
  ek_store_session_save (req->srv->db, session);
  reply_state (req, session);
}

/* The canonical form of an event: see docs/protocol.md section 7. */
static char *
event_canonical (JsonObject *event)
{
  static const char * const order[] = {
    "seq", "type", "client_ms", "server_ms", "duration_ms", "data", "prev_hash", NULL
  };
  g_autoptr(JsonObject) canon = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  for (const char * const *m = order; *m; m++)
    {
      JsonNode *n = json_object_get_member (event, *m);

      if (n != NULL)
        json_object_set_member (canon, *m, json_node_copy (n));
    }
  json_node_set_object (root, canon);
  return node_to_text (root);
}

static void
reply_event_conflict (EkReq     *req,
                      EkSession *session,
                      const char *why)
{
  g_autofree char *message = g_strdup_printf ("last_seq=%" G_GINT64_FORMAT, session->last_seq);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_debug ("events of %s: %s", session->session_id, why);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, "conflict");
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, session->last_seq);
  json_builder_set_member_name (b, "last_hash");
  json_builder_add_string_value (b, session->last_hash);
  json_builder_end_object (b);
  json_builder_end_object (b);
  ek_reply_object (req, 409, b);
}

static void
handle_events (EkReq     *req,
               EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 now = ek_server_now_ms (req->srv);
  gint64 cur_seq;
  g_autofree char *cur_hash = NULL;
  JsonNode *events_node;
  JsonArray *events;

  if (body == NULL)
    return;
  events_node = json_object_get_member (body, "events");
  if (events_node == NULL || !JSON_NODE_HOLDS_ARRAY (events_node))
    {
      ek_reply_error (req, 400, "bad_request", -1, "events must be an array");
      return;
    }
  events = json_node_get_array (events_node);
  cur_seq = session->last_seq;
  cur_hash = g_strdup (session->last_hash);

  ek_store_begin (req->srv->db);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonNode *en = json_array_get_element (events, i);
      JsonObject *ev = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en) : NULL;
      const char *type = member_string (ev, "type");
      const char *prev = member_string (ev, "prev_hash");
      const char *hash = member_string (ev, "hash");
      g_autofree char *canonical = NULL;
      g_autofree char *chained = NULL;
      g_autofree char *computed = NULL;
      g_autoptr(sqlite3_stmt) ins = NULL;
      gint64 seq;

      if (ev == NULL || !member_int (ev, "seq", &seq) || seq < 1 || type == NULL ||
          prev == NULL || hash == NULL)
        {
          ek_store_rollback (req->srv->db);
          ek_reply_error (req, 400, "bad_request", -1, "events[%u] needs seq >= 1, type, prev_hash and hash", i);
          return;
        }

      if (seq <= session->last_seq)
        {
          /* A retried batch: what is already stored must be identical */
          g_autoptr(sqlite3_stmt) sel = ek_store_prepare (req->srv->db,
            "SELECT hash FROM events WHERE session_id = ?1 AND seq = ?2");

          sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (sel, 2, seq);
          if (sqlite3_step (sel) != SQLITE_ROW ||
              g_ascii_strcasecmp ((const char *) sqlite3_column_text (sel, 0), hash) != 0)
            {
              ek_store_rollback (req->srv->db);
              reply_event_conflict (req, session, "a stored event differs");
              return;
            }
          continue;
        }

      if (seq != cur_seq + 1 || g_ascii_strcasecmp (prev, cur_hash) != 0)
        {
          ek_store_rollback (req->srv->db);
          reply_event_conflict (req, session, "the batch does not chain");
          return;
        }

      canonical = event_canonical (ev);
      chained = g_strconcat (prev, canonical, NULL);
      computed = ek_sha256_hex (chained, strlen (chained));
      if (g_ascii_strcasecmp (computed, hash) != 0)
        {
          ek_store_rollback (req->srv->db);
          ek_reply_error (req, 400, "bad_request", -1,
                          "events[%u] (seq %" G_GINT64_FORMAT "): hash is not SHA-256(prev_hash || %s)",
                          i, seq, canonical);
          return;
        }

      ins = ek_store_prepare (req->srv->db,
                              "INSERT INTO events (session_id, seq, type, event, prev_hash, hash, received_ms)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      sqlite3_bind_text (ins, 1, session->session_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (ins, 2, seq);
      sqlite3_bind_text (ins, 3, type, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 4, canonical, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 5, prev, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (ins, 6, computed, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (ins, 7, now);
      if (sqlite3_step (ins) != SQLITE_DONE)
        {
          ek_store_rollback (req->srv->db);
          ek_reply_error (req, 500, "server_error", -1, "cannot store the events");
          return;
        }
      cur_seq = seq;
      g_free (cur_hash);
      cur_hash = g_steal_pointer (&computed);
    }

  session->last_seq = cur_seq;
  g_free (session->last_hash);
  session->last_hash = g_steal_pointer (&cur_hash);
  if (!ek_store_session_save (req->srv->db, session) || !ek_store_commit (req->srv->db))
    {
      ek_store_rollback (req->srv->db);
      ek_reply_error (req, 500, "server_error", -1, "cannot store the events");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "acked_seq");
  json_builder_add_int_value (b, session->last_seq);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static gint64
store_message (EkRefServer *srv,
               EkSession   *session,
               const char  *direction,
               const char  *kind,
               const char  *text,
               const char  *ref)
{
  g_autoptr(sqlite3_stmt) ins = NULL;
  gint64 now = ek_server_now_ms (srv);

  session->msg_counter++;
  ins = ek_store_prepare (srv->db,
                          "INSERT INTO messages (session_id, n, direction, kind, text, ref, sent_ms)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  sqlite3_bind_text (ins, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 2, session->msg_counter);
  sqlite3_bind_text (ins, 3, direction, -1, SQLITE_STATIC);
  sqlite3_bind_text (ins, 4, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 5, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 6, ref, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 7, now);
  ek_store_begin (srv->db);
  if (sqlite3_step (ins) != SQLITE_DONE || !ek_store_session_save (srv->db, session) ||
      !ek_store_commit (srv->db))
    {
      ek_store_rollback (srv->db);
      return -1;
    }
  return now;
}

static void
reply_message_id (EkReq     *req,
                  EkSession *session,
                  gint64     sent_ms)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id = g_strdup_printf ("m%" G_GINT64_FORMAT, session->msg_counter);

  if (sent_ms < 0)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the message");
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "sent_ms");
  json_builder_add_int_value (b, sent_ms);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_get_messages (EkReq     *req,
                     EkSession *session)
{
  g_autofree char *after_text = query_get (req, "after");
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *cursor = NULL;
  guint64 after = 0;
  gint64 last;

  if (after_text != NULL && *after_text != '\0' &&
      !g_ascii_string_to_unsigned (after_text, 10, 0, G_MAXINT64, &after, NULL))
    {
      ek_reply_error (req, 400, "bad_request", -1, "after must be a cursor from an earlier answer");
      return;
    }
  last = after;

  sel = ek_store_prepare (req->srv->db,
                          "SELECT n, kind, text, sent_ms FROM messages WHERE session_id = ?1"
                          " AND direction = 'to_client' AND n > ?2 ORDER BY n LIMIT 100");
  sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (sel, 2, after);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messages");
  json_builder_begin_array (b);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      g_autofree char *id = NULL;

      last = sqlite3_column_int64 (sel, 0);
      id = g_strdup_printf ("m%" G_GINT64_FORMAT, last);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (sel, 1));
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, (const char *) sqlite3_column_text (sel, 2));
      json_builder_set_member_name (b, "sent_ms");
      json_builder_add_int_value (b, sqlite3_column_int64 (sel, 3));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  cursor = g_strdup_printf ("%" G_GINT64_FORMAT, last);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_string_value (b, cursor);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_post_message (EkReq     *req,
                     EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  const char *kind, *text, *ref;

  if (body == NULL)
    return;
  kind = member_string (body, "kind");
  text = member_string (body, "text");
  ref = member_string (body, "ref");

  if (g_strcmp0 (kind, "chat") == 0)
    {
      if (text == NULL || *text == '\0' || g_utf8_strlen (text, -1) > 4000)
        {
          ek_reply_error (req, 400, "bad_request", -1, "a chat message needs text of 1..4000 characters");
          return;
        }
      ref = NULL;
    }
  else if (g_strcmp0 (kind, "hand_raise") == 0)
    text = ref = NULL;
  else if (g_strcmp0 (kind, "ack") == 0)
    {
      g_autoptr(sqlite3_stmt) sel = NULL;
      guint64 n;

      if (ref == NULL || ref[0] != 'm' ||
          !g_ascii_string_to_unsigned (ref + 1, 10, 1, G_MAXINT64, &n, NULL))
        {
          ek_reply_error (req, 400, "bad_request", -1, "an ack needs ref, the id of a message");
          return;
        }
      sel = ek_store_prepare (req->srv->db, "SELECT 1 FROM messages WHERE session_id = ?1 AND n = ?2"
                                            " AND direction = 'to_client'");
      sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (sel, 2, n);
      if (sqlite3_step (sel) != SQLITE_ROW)
        {
          ek_reply_error (req, 404, "not_found", -1, "no message %s", ref);
          return;
        }
      text = NULL;
    }
  else
    {
      ek_reply_error (req, 400, "bad_request", -1, "kind must be chat, hand_raise or ack");
      return;
    }

  reply_message_id (req, session, store_message (req->srv, session, "from_client", kind, text, ref));
}

/* The device check report, as the client produced it. Its id is a hash of the body, so
 * sending the same report again (a retry after a lost answer) stores nothing new and
 * answers the same id and time. */
static void
handle_self_check (EkReq     *req,
                   EkSession *session)
{
  SoupMessageBody *mb = soup_server_message_get_request_body (req->msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (mb);
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(sqlite3_stmt) sel = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *text = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *id = NULL;
  JsonNode *checks;
  gsize len;
  const char *data;

  if (body == NULL)
    return;
  checks = json_object_get_member (body, "checks");
  if (g_strcmp0 (member_string (body, "format"), "exam-kiosk-self-check") != 0 ||
      checks == NULL || !JSON_NODE_HOLDS_ARRAY (checks))
    {
      ek_reply_error (req, 400, "bad_request", -1,
                      "the body must be a device check report (format exam-kiosk-self-check, checks)");
      return;
    }
  if (g_bytes_get_size (bytes) > 1024 * 1024)
    {
      ek_reply_error (req, 413, "payload_too_large", -1, "a device check report is at most 1 MiB");
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  text = g_strndup (data, len);
  sha = ek_sha256_hex ((const guint8 *) data, len);
  id = g_strdup_printf ("sc-%.16s", sha);

  ins = ek_store_prepare (req->srv->db,
                          "INSERT OR IGNORE INTO self_checks (id, session_id, report, received_ms)"
                          " VALUES (?1, ?2, ?3, ?4)");
  sqlite3_bind_text (ins, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 2, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 3, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 4, ek_server_now_ms (req->srv));
  if (sqlite3_step (ins) != SQLITE_DONE)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the device check report");
      return;
    }
  sel = ek_store_prepare (req->srv->db,
                          "SELECT received_ms FROM self_checks WHERE session_id = ?1 AND id = ?2");
  sqlite3_bind_text (sel, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (sel, 2, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (sel) != SQLITE_ROW)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the device check report");
      return;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "received_ms");
  json_builder_add_int_value (b, sqlite3_column_int64 (sel, 0));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_snapshot (EkReq     *req,
                 EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *photo = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *id = NULL;
  g_autofree char *sha = NULL;
  const char *source;
  gint64 capture_ms = -1;
  gboolean sealed;
  gsize len;

  if (body == NULL)
    return;
  source = member_string (body, "source");
  if (g_strcmp0 (source, "camera") != 0 && g_strcmp0 (source, "screen") != 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "source must be camera or screen");
      return;
    }
  /* A sealed snapshot (protocol section 8.1): only the examining body opens it; the
   * server keeps the ciphertext and confirms its hash. */
  sealed = json_object_has_member (body, "sealed_b64");
  if ((photo = take_photo_member (req, body, sealed ? "sealed_b64" : "photo_jpeg_b64", &len)) == NULL)
    return;
  if (sealed)
    {
      g_autofree char *sent_sha = NULL;

      if (len < 8 || memcmp (photo, "EKSEAL01", 8) != 0)
        {
          ek_reply_error (req, 400, "bad_request", -1, "sealed_b64 is not a sealed file");
          return;
        }
      sent_sha = g_strdup (member_string (body, "sha256"));
      sha = ek_sha256_hex (photo, len);
      if (g_strcmp0 (sent_sha, sha) != 0)
        {
          ek_reply_error (req, 400, "bad_request", -1, "sha256 is not the hash of sealed_b64");
          return;
        }
    }
  else if (!is_jpeg (photo, len))
    {
      ek_reply_error (req, 400, "bad_request", -1, "the photo is not a JPEG");
      return;
    }
  member_int (body, "capture_ms", &capture_ms);

  id = g_strdup_printf ("p%08x%08x", g_random_int (), g_random_int ());
  dir = g_build_filename (req->srv->snapshots_dir, session->session_id, NULL);
  name = g_strdup_printf (sealed ? "%s.jpg.sealed" : "%s.jpg", id);
  path = g_build_filename (dir, name, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents (path, (const char *) photo, len, &error))
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the snapshot");
      return;
    }
  if (sha == NULL)
    sha = ek_sha256_hex (photo, len);
  ins = ek_store_prepare (req->srv->db,
                          "INSERT INTO snapshots (id, session_id, source, capture_ms, received_ms, size, sha256, path)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  sqlite3_bind_text (ins, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 2, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 3, source, -1, SQLITE_TRANSIENT);
  if (capture_ms >= 0)
    sqlite3_bind_int64 (ins, 4, capture_ms);
  sqlite3_bind_int64 (ins, 5, ek_server_now_ms (req->srv));
  sqlite3_bind_int64 (ins, 6, len);
  sqlite3_bind_text (ins, 7, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (ins, 8, path, -1, SQLITE_TRANSIENT);
  sqlite3_step (ins);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_bandwidth_get (EkReq *req)
{
  g_autofree char *bytes_text = query_get (req, "bytes");
  guint64 n;
  guint32 *data;

  if (bytes_text == NULL ||
      !g_ascii_string_to_unsigned (bytes_text, 10, 0, EK_BANDWIDTH_LIMIT, &n, NULL))
    {
      ek_reply_error (req, 400, "bad_request", -1, "bytes must be 0..%d", EK_BANDWIDTH_LIMIT);
      return;
    }
  /* Random so that no compression on the way flatters the result */
  data = g_malloc ((n + 3) / 4 * 4 + 4);
  for (guint64 i = 0; i < (n + 3) / 4; i++)
    data[i] = g_random_int ();
  soup_server_message_set_status (req->msg, 200, NULL);
  ek_set_response (req->msg, "application/octet-stream", SOUP_MEMORY_TAKE,
                                    (char *) data, n);
}

static void
handle_bandwidth_post (EkReq *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 elapsed_us = req->last_byte_us - req->first_byte_us;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, req->body_received);
  json_builder_set_member_name (b, "elapsed_ms");
  json_builder_add_int_value (b, req->body_received ? elapsed_us / 1000 : 0);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
handle_health (EkReq *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "protocol");
  json_builder_add_int_value (b, EK_PROTOCOL_VERSION);
  json_builder_set_member_name (b, "min_client_version");
  json_builder_add_string_value (b, EK_MIN_CLIENT_VERSION);
  json_builder_set_member_name (b, "server_time_ms");
  json_builder_add_int_value (b, ek_server_now_ms (req->srv));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

#define IS(m) (method == SOUP_METHOD_##m)

void
ek_api_dispatch (EkReq *req)
{
  const char *method = soup_server_message_get_method (req->msg);
  const char *path = req->path;
  const char *sub;
  g_autoptr(EkSession) session = NULL;
  EkExam *exam;

  if (!ek_integrity_check (req, NULL, NULL))
    return;

  /* Public endpoints */
  if (g_str_equal (path, "/v1/health") && IS (GET))
    { handle_health (req); return; }
  if (g_str_equal (path, "/v1/sessions") && IS (POST))
    { handle_login (req); return; }
  if (g_str_equal (path, "/v1/sessions/face") && IS (POST))
    { handle_face_login (req); return; }
  if (g_str_has_prefix (path, "/v1/exams/") && g_str_has_suffix (path, "/login-options") &&
      strlen (path) > strlen ("/v1/exams//login-options") && IS (GET))
    {
      g_autofree char *exam_id = g_strndup (path + strlen ("/v1/exams/"),
                                            strlen (path) - strlen ("/v1/exams/") - strlen ("/login-options"));
      handle_exam_login_options (req, exam_id);
      return;
    }
  if (g_str_equal (path, "/v1/second-view/bind") && IS (POST))
    { handle_second_view_bind (req); return; }
  if (g_str_equal (path, "/v1/bandwidth") && IS (GET))
    { handle_bandwidth_get (req); return; }
  if (g_str_equal (path, "/v1/bandwidth") && IS (POST))
    { handle_bandwidth_post (req); return; }

  if (!g_str_equal (path, "/v1/session") && !g_str_has_prefix (path, "/v1/session/"))
    {
      ek_reply_error (req, 404, "not_found", -1, "no such path: %s %s", method, path);
      return;
    }

  session = ek_req_authenticate (req);
  if (session == NULL)
    return;
  exam = ek_server_find_exam (req->srv, session->exam_id);
  if (exam == NULL)
    {
      ek_reply_error (req, 401, "invalid_session", -1, "the session's exam is no longer served");
      return;
    }
  if (!ek_integrity_check (req, exam, session))
    return;
  session_refresh (req->srv, exam, session);

  if (g_str_equal (path, "/v1/session"))
    {
      if (IS (GET))
        { reply_session (req, 200, exam, session, NULL); return; }
      if (IS (DELETE))
        { handle_delete_session (req, session); return; }
    }
  else
    {
      sub = path + strlen ("/v1/session/");

      if (g_str_equal (sub, "steps") && IS (POST))
        { handle_steps (req, exam, session); return; }
      if (g_str_equal (sub, "enter") && IS (POST))
        { handle_enter (req, exam, session); return; }
      if (g_str_equal (sub, "pledge") && IS (POST))
        { handle_pledge (req, exam, session); return; }
      if (g_str_equal (sub, "face") && IS (POST))
        { handle_face (req, exam, session); return; }
      if (g_str_equal (sub, "second-view") && IS (POST))
        { handle_second_view_create (req, exam, session); return; }
      if (g_str_equal (sub, "second-view") && IS (GET))
        { handle_second_view_status (req, session); return; }
      if (g_str_equal (sub, "draw") && IS (POST))
        { handle_draw (req, exam, session); return; }
      if (g_str_equal (sub, "attachments") && IS (GET))
        { handle_attachments (req, exam); return; }
      if (g_str_has_prefix (sub, "attachments/") && IS (GET))
        { handle_attachment (req, exam, sub + strlen ("attachments/")); return; }
      if (g_str_equal (sub, "questions") && IS (GET))
        { handle_questions (req, exam, session); return; }
      if (g_str_equal (sub, "questions-package") && IS (GET))
        { ek_sealed_handle_package (req, exam); return; }
      if (g_str_equal (sub, "check-in") && IS (POST))
        { ek_sealed_handle_check_in (req, exam, session); return; }
      if (g_str_equal (sub, "answers") && IS (GET))
        { handle_get_answers (req, session); return; }
      if (g_str_has_prefix (sub, "answers/") && IS (PUT))
        { handle_put_answer (req, exam, session, sub + strlen ("answers/")); return; }
      if (g_str_equal (sub, "submit") && IS (POST))
        { handle_submit (req, exam, session); return; }
      if (g_str_equal (sub, "events") && IS (POST))
        { handle_events (req, session); return; }
      if (g_str_equal (sub, "messages") && IS (GET))
        { handle_get_messages (req, session); return; }
      if (g_str_equal (sub, "messages") && IS (POST))
        { handle_post_message (req, session); return; }
      if (g_str_equal (sub, "snapshots") && IS (POST))
        { handle_snapshot (req, session); return; }
      if (g_str_equal (sub, "self-check") && IS (POST))
        { handle_self_check (req, session); return; }
      if (g_str_equal (sub, "finish") && IS (POST))
        { ek_tus_finish (req, session); return; }
    }

  ek_reply_error (req, 404, "not_found", -1, "no such path: %s %s", method, path);
}

/* Admin API */

static JsonNode *
query_rows (EkRefServer *srv,
            const char  *sql,
            const char  *session_id,
            const char * const *json_columns)
{
  g_autoptr(sqlite3_stmt) sel = ek_store_prepare (srv->db, sql);
  g_autoptr(JsonBuilder) b = json_builder_new ();

  sqlite3_bind_text (sel, 1, session_id, -1, SQLITE_TRANSIENT);
  json_builder_begin_array (b);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      json_builder_begin_object (b);
      for (int c = 0; c < sqlite3_column_count (sel); c++)
        {
          const char *name = sqlite3_column_name (sel, c);

          json_builder_set_member_name (b, name);
          switch (sqlite3_column_type (sel, c))
            {
            case SQLITE_NULL:
              json_builder_add_null_value (b);
              break;
            case SQLITE_INTEGER:
              json_builder_add_int_value (b, sqlite3_column_int64 (sel, c));
              break;
            case SQLITE_FLOAT:
              json_builder_add_double_value (b, sqlite3_column_double (sel, c));
              break;
            default:
              if (json_columns && g_strv_contains (json_columns, name))
                json_builder_add_value (b, parse_json_text ((const char *) sqlite3_column_text (sel, c)));
              else
                json_builder_add_string_value (b, (const char *) sqlite3_column_text (sel, c));
              break;
            }
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static JsonNode *
session_summary (EkRefServer *srv,
                 EkSession   *s)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  EkExam *exam = ek_server_find_exam (srv, s->exam_id);
  EkCandidate *c = exam ? ek_exam_find_candidate (exam, s->id_number) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session_id");
  json_builder_add_string_value (b, s->session_id);
  json_builder_set_member_name (b, "exam_id");
  json_builder_add_string_value (b, s->exam_id);
  json_builder_set_member_name (b, "id_number");
  json_builder_add_string_value (b, s->id_number);
  add_string_or_null (b, "name", c ? c->name : NULL);
  add_string_or_null (b, "seat", c ? c->seat : NULL);
  json_builder_set_member_name (b, "token_valid");
  json_builder_add_boolean_value (b, s->token_hash != NULL);
  json_builder_set_member_name (b, "created_ms");
  json_builder_add_int_value (b, s->created_ms);
  json_builder_set_member_name (b, "face_failures");
  json_builder_add_int_value (b, s->face_failures);
  json_builder_set_member_name (b, "last_seq");
  json_builder_add_int_value (b, s->last_seq);
  json_builder_set_member_name (b, "last_hash");
  json_builder_add_string_value (b, s->last_hash);
  add_int_or_null (b, "answer_count", s->answer_count);
  add_int_or_null (b, "finished_ms", s->finished_ms);
  json_builder_set_member_name (b, "state");
  json_builder_add_value (b, ek_api_session_state (srv, s));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
admin_session (EkReq      *req,
               const char *session_id)
{
  EkRefServer *srv = req->srv;
  g_autoptr(EkSession) s = ek_store_session_by_id (srv->db, session_id);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(sqlite3_stmt) ev = NULL;
  static const char * const finish_json[] = { "result", NULL };
  static const char * const self_check_json[] = { "report", NULL };
  EkExam *exam;

  if (s == NULL)
    {
      ek_reply_error (req, 404, "not_found", -1, "no session %s", session_id);
      return;
    }
  exam = ek_server_find_exam (srv, s->exam_id);
  if (exam)
    session_refresh (srv, exam, s);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session");
  json_builder_add_value (b, session_summary (srv, s));
  json_builder_set_member_name (b, "state");
  json_builder_add_value (b, ek_api_session_state (srv, s));
  json_builder_set_member_name (b, "answers");
  json_builder_add_value (b, answers_json (srv, s->session_id, TRUE));

  /* Events as the client sent them (canonical form plus hash) */
  json_builder_set_member_name (b, "events");
  json_builder_begin_array (b);
  ev = ek_store_prepare (srv->db, "SELECT event, hash, received_ms FROM events WHERE session_id = ?1 ORDER BY seq");
  sqlite3_bind_text (ev, 1, s->session_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (ev) == SQLITE_ROW)
    {
      JsonNode *n = parse_json_text ((const char *) sqlite3_column_text (ev, 0));

      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          json_object_set_string_member (json_node_get_object (n), "hash",
                                         (const char *) sqlite3_column_text (ev, 1));
          json_object_set_int_member (json_node_get_object (n), "received_ms",
                                      sqlite3_column_int64 (ev, 2));
        }
      json_builder_add_value (b, n);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "messages");
  json_builder_add_value (b, query_rows (srv, "SELECT 'm' || n AS id, direction, kind, text, ref, sent_ms"
                                              " FROM messages WHERE session_id = ?1 ORDER BY n", s->session_id, NULL));
  json_builder_set_member_name (b, "uploads");
  json_builder_add_value (b, ek_tus_uploads_json (srv, s->session_id));
  json_builder_set_member_name (b, "snapshots");
  json_builder_add_value (b, query_rows (srv, "SELECT id, source, capture_ms, received_ms, size, sha256, path"
                                              " FROM snapshots WHERE session_id = ?1 ORDER BY received_ms, rowid",
                                         s->session_id, NULL));
  json_builder_set_member_name (b, "face_attempts");
  json_builder_add_value (b, query_rows (srv, "SELECT kind, result, reason, capture_ms, received_ms, size, sha256"
                                              " FROM face_attempts WHERE session_id = ?1 ORDER BY rowid",
                                         s->session_id, NULL));
  json_builder_set_member_name (b, "second_view");
  json_builder_add_value (b, query_rows (srv, "SELECT code, created_ms, expires_ms, device, bound_ms"
                                              " FROM second_view WHERE session_id = ?1 ORDER BY created_ms",
                                         s->session_id, NULL));
  json_builder_set_member_name (b, "self_checks");
  json_builder_add_value (b, query_rows (srv, "SELECT id, received_ms, report FROM self_checks"
                                              " WHERE session_id = ?1 ORDER BY received_ms, rowid",
                                         s->session_id, self_check_json));
  json_builder_set_member_name (b, "finishes");
  json_builder_add_value (b, query_rows (srv, "SELECT finished_ms, complete, result FROM finishes"
                                              " WHERE session_id = ?1 ORDER BY rowid",
                                         s->session_id, finish_json));
  {
    g_autofree char *build = ek_integrity_session_build (srv, s->session_id);

    gint64 checked_in = ek_sealed_checked_in_ms (srv, s->session_id);

    json_builder_set_member_name (b, "checked_in_ms");
    if (checked_in >= 0)
      json_builder_add_int_value (b, checked_in);
    else
      json_builder_add_null_value (b);
    json_builder_set_member_name (b, "client_build");
    if (build != NULL)
      json_builder_add_string_value (b, build);
    else
      json_builder_add_null_value (b);
  }
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
admin_sessions (EkReq *req)
{
  g_autoptr(sqlite3_stmt) sel = ek_store_prepare (req->srv->db, "SELECT session_id FROM sessions ORDER BY created_ms");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sessions");
  json_builder_begin_array (b);
  while (sqlite3_step (sel) == SQLITE_ROW)
    {
      g_autoptr(EkSession) s = ek_store_session_by_id (req->srv->db, (const char *) sqlite3_column_text (sel, 0));

      if (s != NULL)
        json_builder_add_value (b, session_summary (req->srv, s));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

/* Every face attempt, face logins refused before any session included. */
static void
admin_face_attempts (EkReq *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "face_attempts");
  json_builder_add_value (b, query_rows (req->srv, "SELECT session_id, exam_id, id_number, kind, result,"
                                                   " reason, capture_ms, received_ms, size, sha256"
                                                   " FROM face_attempts ORDER BY rowid", NULL, NULL));
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
admin_exams (EkReq *req)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "exams");
  json_builder_begin_array (b);
  for (guint i = 0; i < req->srv->exams->len; i++)
    {
      EkExam *exam = req->srv->exams->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, exam->file);
      json_builder_set_member_name (b, "exam_tokens");
      json_builder_begin_array (b);
      for (char **t = exam->exam_tokens; *t; t++)
        json_builder_add_string_value (b, *t);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "candidates");
      json_builder_begin_array (b);
      for (guint k = 0; k < exam->candidates->len; k++)
        json_builder_add_string_value (b, ((EkCandidate *) exam->candidates->pdata[k])->id_number);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "exam");
      json_builder_add_value (b, json_node_copy (exam->exam_json));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  ek_reply_object (req, 200, b);
}

static void
admin_send_message (EkReq      *req,
                    const char *session_id)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(EkSession) s = NULL;
  static const char * const kinds[] = { "chat", "warning", "end_exam", "release", "snapshot_request", NULL };
  const char *kind, *text;

  if (body == NULL)
    return;
  s = ek_store_session_by_id (req->srv->db, session_id);
  if (s == NULL)
    {
      ek_reply_error (req, 404, "not_found", -1, "no session %s", session_id);
      return;
    }
  kind = member_string (body, "kind");
  text = member_string (body, "text");
  if (kind == NULL || !g_strv_contains (kinds, kind))
    {
      ek_reply_error (req, 400, "bad_request", -1, "kind must be chat, warning, end_exam, release or snapshot_request");
      return;
    }
  if (text == NULL)
    text = "";
  if ((g_str_equal (kind, "chat") || g_str_equal (kind, "warning")) && *text == '\0')
    {
      ek_reply_error (req, 400, "bad_request", -1, "%s needs text", kind);
      return;
    }
  if (g_str_equal (kind, "end_exam") && !s->ended)
    {
      /* Forced collection: the answers stored now are final */
      s->ended = TRUE;
      g_free (s->end_reason);
      s->end_reason = g_strdup ("forced_by_proctor");
    }
  reply_message_id (req, s, store_message (req->srv, s, "to_client", kind, text, NULL));
}

static gboolean
token_equal (const char *a,
             const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  /* Constant time over the given token, so timing tells nothing */
  for (gsize i = 0; i < la; i++)
    diff |= (guint8) a[i] ^ (guint8) (i < lb ? b[i] : 0);
  return diff == 0;
}

void
ek_admin_dispatch (EkReq *req)
{
  const char *method = soup_server_message_get_method (req->msg);
  const char *given = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                                    "X-Admin-Token");
  const char *path = req->path;

  if (req->srv->admin_token == NULL)
    {
      ek_reply_error (req, 403, "forbidden", -1, "the admin API is disabled (start with --admin-token)");
      return;
    }
  if (given == NULL || !token_equal (given, req->srv->admin_token))
    {
      ek_reply_error (req, 401, "wrong_credentials", -1, "missing or wrong X-Admin-Token");
      return;
    }

  if (g_str_equal (path, "/admin/faults"))
    {
      if (IS (POST))
        {
          g_autoptr(JsonObject) body = ek_req_parse_object (req);
          g_autoptr(GError) error = NULL;

          if (body == NULL)
            return;
          if (!ek_faults_set_from_json (&req->srv->faults, body, &error))
            {
              ek_reply_error (req, 400, "bad_request", -1, "%s", error->message);
              return;
            }
        }
      else if (IS (DELETE))
        ek_faults_clear (&req->srv->faults);
      else if (!IS (GET))
        goto not_found;
      ek_reply_json (req, 200, ek_faults_to_json (&req->srv->faults));
      return;
    }
  if (g_str_equal (path, "/admin/sessions") && IS (GET))
    { admin_sessions (req); return; }
  if (g_str_equal (path, "/admin/exams") && IS (GET))
    { admin_exams (req); return; }
  if (g_str_equal (path, "/admin/face-attempts") && IS (GET))
    { admin_face_attempts (req); return; }
  if (g_str_has_prefix (path, "/admin/sessions/"))
    {
      g_autofree char *id = g_strdup (path + strlen ("/admin/sessions/"));
      char *slash = strchr (id, '/');

      if (slash == NULL && IS (GET))
        { admin_session (req, id); return; }
      if (slash != NULL && g_str_equal (slash, "/messages") && IS (POST))
        {
          *slash = '\0';
          { admin_send_message (req, id); return; }
        }
    }

not_found:
  ek_reply_error (req, 404, "not_found", -1, "no such admin path: %s %s", method, path);
}
