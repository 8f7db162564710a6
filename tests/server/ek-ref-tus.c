/* ek-ref-tus.c: tus 1.0.0 uploads (core, creation, checksum) and the finish check
 *
 * Test-only code. A PATCH body is not held in memory: it is written to
 * the upload's file chunk by chunk as SoupServer reads it, so a
 * connection that breaks keeps the bytes that arrived (unless the chunk
 * carried an Upload-Checksum, which cannot be verified for a partial
 * chunk; then the chunk is dropped, as the tus checksum extension asks).
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ek-ref-server.h"

#define TUS_VERSION "1.0.0"

typedef struct
{
  char *upload_id;
  char *session_id;
  char *stream;
  gint64 segment;
  char *meta_sha256;
  char *filename;
  char *metadata;
  gint64 length;
  gint64 offset;
  gboolean complete;
  char *stored_sha256;
  gint64 created_ms;
  gint64 completed_ms;
} Upload;

struct _EkTusStream
{
  EkRefServer *srv;          /* borrowed */
  char *upload_id;
  char *path;
  int fd;
  gint64 start_offset;
  gint64 length;
  gint64 written;
  GChecksum *checksum;       /* nullable: no Upload-Checksum */
  guint8 *expected;
  gsize expected_len;
  gboolean too_large;
  gboolean io_error;
  gboolean finalized;
};

static void
upload_free (Upload *up)
{
  if (up == NULL)
    return;
  g_free (up->upload_id);
  g_free (up->session_id);
  g_free (up->stream);
  g_free (up->meta_sha256);
  g_free (up->filename);
  g_free (up->metadata);
  g_free (up->stored_sha256);
  g_free (up);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upload, upload_free)

#define UPLOAD_COLUMNS \
  "upload_id, session_id, stream, segment, meta_sha256, filename, metadata," \
  " length, offset, complete, stored_sha256, created_ms, completed_ms"

static Upload *
upload_from_row (sqlite3_stmt *stmt)
{
  Upload *up = g_new0 (Upload, 1);

  up->upload_id = ek_store_column_dup (stmt, 0);
  up->session_id = ek_store_column_dup (stmt, 1);
  up->stream = ek_store_column_dup (stmt, 2);
  up->segment = sqlite3_column_int64 (stmt, 3);
  up->meta_sha256 = ek_store_column_dup (stmt, 4);
  up->filename = ek_store_column_dup (stmt, 5);
  up->metadata = ek_store_column_dup (stmt, 6);
  up->length = sqlite3_column_int64 (stmt, 7);
  up->offset = sqlite3_column_int64 (stmt, 8);
  up->complete = sqlite3_column_int (stmt, 9) != 0;
  up->stored_sha256 = ek_store_column_dup (stmt, 10);
  up->created_ms = sqlite3_column_int64 (stmt, 11);
  up->completed_ms = ek_store_column_int_or (stmt, 12, -1);
  return up;
}

static Upload *
upload_load (sqlite3    *db,
             const char *upload_id)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (db, "SELECT " UPLOAD_COLUMNS " FROM uploads WHERE upload_id = ?1");

  sqlite3_bind_text (stmt, 1, upload_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return upload_from_row (stmt);
}

static char *
upload_path (EkRefServer *srv,
             const char  *upload_id)
{
  g_autofree char *name = g_strdup_printf ("%s.bin", upload_id);

  return g_build_filename (srv->uploads_dir, name, NULL);
}

static char *
hash_file_sha256 (const char *path,
                  gint64     *size_out)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (64 * 1024);
  gint64 size = 0;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    return NULL;
  while ((n = read (fd, buf, 64 * 1024)) > 0)
    {
      g_checksum_update (sum, buf, n);
      size += n;
    }
  close (fd);
  if (n < 0)
    return NULL;
  if (size_out)
    *size_out = size;
  return g_strdup (g_checksum_get_string (sum));
}

/* Commits the new offset; the file is fsynced first, so an
 * acknowledged offset is always on disk. */
static void
upload_set_offset (EkRefServer *srv,
                   const char  *upload_id,
                   gint64       offset,
                   gint64       length,
                   const char  *path)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sha = NULL;
  gboolean complete = offset == length;

  if (complete)
    sha = hash_file_sha256 (path, NULL);

  stmt = ek_store_prepare (srv->db,
                           "UPDATE uploads SET offset = ?2, complete = ?3, stored_sha256 = ?4,"
                           " completed_ms = CASE WHEN ?3 THEN ?5 ELSE NULL END WHERE upload_id = ?1");
  sqlite3_bind_text (stmt, 1, upload_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, offset);
  sqlite3_bind_int (stmt, 3, complete ? 1 : 0);
  if (sha)
    sqlite3_bind_text (stmt, 4, sha, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, ek_server_now_ms (srv));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_warning ("cannot store the offset of upload %s: %s", upload_id, sqlite3_errmsg (srv->db));
}

void
ek_tus_init_store (sqlite3 *db)
{
  /* Nothing to migrate yet; the tables are part of the store schema. */
  (void) db;
}

static void
set_tus_headers (EkReq *req)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  soup_message_headers_replace (h, "Tus-Resumable", TUS_VERSION);
}

static EkSession *
session_from_bearer (EkReq *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *hash = NULL;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || auth[7] == '\0')
    return NULL;
  hash = ek_sha256_hex (auth + 7, strlen (auth + 7));
  return ek_store_session_by_token_hash (req->srv->db, hash);
}

static const char *
upload_id_from_path (const char *path)
{
  const char *id = path + strlen ("/v1/uploads/");

  if (!g_str_has_prefix (path, "/v1/uploads/") || *id == '\0' || strchr (id, '/') != NULL)
    return NULL;
  return id;
}

static gboolean
parse_int64 (const char *text,
             gint64     *out)
{
  char *end = NULL;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoll (text, &end, 10);
  return errno == 0 && *end == '\0' && *out >= 0;
}

/* The checks of a PATCH, run twice: before the body is read (with
 * @reply FALSE, to decide whether to stream it into the file) and, when
 * that failed, again in the handler to answer with the reason. */
static gboolean
patch_check (EkReq          *req,
             gboolean        reply,
             Upload        **upload_out,
             GChecksumType  *sum_type,
             guint8        **expected,
             gsize          *expected_len)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (req->msg);
  const char *resumable = soup_message_headers_get_one (h, "Tus-Resumable");
  const char *content_type = soup_message_headers_get_one (h, "Content-Type");
  const char *checksum = soup_message_headers_get_one (h, "Upload-Checksum");
  const char *upload_id = upload_id_from_path (req->path);
  g_autoptr(EkSession) session = NULL;
  g_autoptr(Upload) up = NULL;
  gint64 offset;

#define FAIL(status, code, ...) \
  G_STMT_START { if (reply) ek_reply_error (req, status, code, -1, __VA_ARGS__); return FALSE; } G_STMT_END

  if (g_strcmp0 (resumable, TUS_VERSION) != 0)
    {
      if (reply)
        soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                      "Tus-Version", TUS_VERSION);
      FAIL (412, "bad_request", "Tus-Resumable must be " TUS_VERSION);
    }
  session = session_from_bearer (req);
  if (session == NULL)
    FAIL (401, "invalid_session", "unknown or ended session token");
  {
    EkExam *exam = ek_server_find_exam (req->srv, session->exam_id);
    const char *message = NULL;
    const char *reason;

    if (exam == NULL)
      FAIL (401, "invalid_session", "the session's exam is no longer served");
    /* The client integrity header (protocol section 1.2), as on every request. */
    reason = ek_integrity_verify (req, exam, session, &message);
    if (reason != NULL)
      {
        if (reply)
          ek_integrity_refuse (req, reason, message);
        return FALSE;
      }
  }
  if (upload_id == NULL || (up = upload_load (req->srv->db, upload_id)) == NULL ||
      !g_str_equal (up->session_id, session->session_id))
    FAIL (404, "not_found", "no such upload");
  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/offset+octet-stream") != 0)
    FAIL (415, "bad_request", "Content-Type must be application/offset+octet-stream");
  if (!parse_int64 (soup_message_headers_get_one (h, "Upload-Offset"), &offset))
    FAIL (400, "bad_request", "missing or invalid Upload-Offset");
  if (offset != up->offset)
    {
      if (reply)
        {
          g_autofree char *message = g_strdup_printf ("offset=%" G_GINT64_FORMAT, up->offset);

          ek_reply_error_extra (req, 409, "conflict", "offset", up->offset, message);
        }
      return FALSE;
    }
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (h) > up->length - up->offset)
    FAIL (413, "payload_too_large", "the chunk goes beyond Upload-Length");

  *sum_type = (GChecksumType) -1;
  if (checksum != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (checksum, " ", 2);
      gsize want;

      if (g_strv_length (parts) != 2)
        FAIL (400, "bad_request", "Upload-Checksum must be 'ALGORITHM BASE64'");
      if (g_str_equal (parts[0], "sha1"))
        *sum_type = G_CHECKSUM_SHA1, want = 20;
      else if (g_str_equal (parts[0], "sha256"))
        *sum_type = G_CHECKSUM_SHA256, want = 32;
      else
        FAIL (400, "bad_request", "unsupported checksum algorithm %s", parts[0]);
      *expected = g_base64_decode (parts[1], expected_len);
      if (*expected_len != want)
        {
          g_clear_pointer (expected, g_free);
          FAIL (400, "bad_request", "the Upload-Checksum value is not a %s digest", parts[0]);
        }
    }

  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, req->srv->live_streams);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (g_str_equal (((EkTusStream *) key)->upload_id, up->upload_id))
        {
          g_clear_pointer (expected, g_free);
          FAIL (409, "conflict", "another PATCH of this upload is running");
        }
  }
#undef FAIL

  *upload_out = g_steal_pointer (&up);
  return TRUE;
}

gboolean
ek_tus_prepare_patch (EkReq *req)
{
  g_autoptr(Upload) up = NULL;
  GChecksumType sum_type = (GChecksumType) -1;
  guint8 *expected = NULL;
  gsize expected_len = 0;
  EkTusStream *s;
  int fd;

  if (!patch_check (req, FALSE, &up, &sum_type, &expected, &expected_len))
    return FALSE;

  s = g_new0 (EkTusStream, 1);
  s->srv = req->srv;
  s->upload_id = g_strdup (up->upload_id);
  s->path = upload_path (req->srv, up->upload_id);
  s->start_offset = up->offset;
  s->length = up->length;
  s->expected = expected;
  s->expected_len = expected_len;
  if ((int) sum_type >= 0)
    s->checksum = g_checksum_new (sum_type);

  fd = g_open (s->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  /* Bytes past the committed offset are leftovers of a chunk that was
   * never acknowledged (a crash, a failed checksum): drop them. */
  if (fd < 0 || ftruncate (fd, s->start_offset) != 0 ||
      lseek (fd, s->start_offset, SEEK_SET) != s->start_offset)
    {
      g_warning ("cannot open %s: %s", s->path, g_strerror (errno));
      s->io_error = TRUE;
    }
  s->fd = fd;
  req->tus = s;
  g_hash_table_add (req->srv->live_streams, s);
  return TRUE;
}

/* PATCH body bytes that reached each upload since the server started,
 * resends included (upload_id -> gint64): the tests check with it that a
 * client resends at most a chunk after an interruption. Memory only. */
static GHashTable *received_bytes;

static gint64
received_get (const char *upload_id)
{
  gint64 *n = received_bytes ? g_hash_table_lookup (received_bytes, upload_id) : NULL;

  return n ? *n : 0;
}

static void
received_add (const char *upload_id,
              gsize       len)
{
  gint64 *n;

  if (received_bytes == NULL)
    received_bytes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  n = g_hash_table_lookup (received_bytes, upload_id);
  if (n == NULL)
    {
      n = g_new0 (gint64, 1);
      g_hash_table_insert (received_bytes, g_strdup (upload_id), n);
    }
  *n += len;
}

void
ek_tus_got_chunk (EkReq  *req,
                  GBytes *chunk)
{
  EkTusStream *s = req->tus;
  gsize len;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  received_add (s->upload_id, len);

  if (s->finalized || s->too_large || s->io_error)
    return;
  if (s->written + (gint64) len > s->length - s->start_offset)
    {
      s->too_large = TRUE;
      return;
    }
  if (s->checksum)
    g_checksum_update (s->checksum, data, len);
  while (len > 0)
    {
      gssize n = write (s->fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_warning ("cannot write %s: %s", s->path, g_strerror (errno));
          s->io_error = TRUE;
          return;
        }
      data += n;
      len -= n;
      s->written += n;
    }
}

/* Ends a streamed PATCH: @keep says whether the bytes written stay. */
static gint64
stream_commit (EkTusStream *s,
               gboolean     keep)
{
  gint64 offset = s->start_offset;

  if (s->finalized)
    return -1;
  s->finalized = TRUE;

  if (s->fd >= 0)
    {
      if (keep && !s->io_error && s->written > 0 && fsync (s->fd) == 0)
        offset = s->start_offset + s->written;
      else if (ftruncate (s->fd, s->start_offset) != 0)
        g_warning ("cannot truncate %s: %s", s->path, g_strerror (errno));
      close (s->fd);
      s->fd = -1;
    }
  if (offset != s->start_offset)
    upload_set_offset (s->srv, s->upload_id, offset, s->length, s->path);
  if (s->srv->live_streams)
    g_hash_table_remove (s->srv->live_streams, s);
  g_debug ("upload %s: %s at offset %" G_GINT64_FORMAT, s->upload_id,
           keep ? "committed" : "dropped the chunk", offset);
  return offset;
}

void
ek_tus_stream_abort (EkTusStream *s)
{
  /* A partial chunk with a checksum cannot be verified: drop it. */
  stream_commit (s, s->checksum == NULL && !s->too_large);
}

void
ek_tus_stream_free (EkTusStream *s)
{
  if (s == NULL)
    return;
  if (!s->finalized)
    stream_commit (s, FALSE);
  if (s->checksum)
    g_checksum_free (s->checksum);
  g_free (s->expected);
  g_free (s->upload_id);
  g_free (s->path);
  g_free (s);
}

static void
handle_patch (EkReq *req)
{
  EkTusStream *s = req->tus;
  gint64 offset;
  g_autofree char *offset_text = NULL;

  if (s == NULL)
    {
      g_autoptr(Upload) up = NULL;
      GChecksumType sum_type;
      g_autofree guint8 *expected = NULL;
      gsize expected_len;

      if (patch_check (req, TRUE, &up, &sum_type, &expected, &expected_len))
        ek_reply_error (req, 409, "conflict", -1, "the upload changed while the chunk was read");
      return;
    }

  if (s->too_large)
    {
      stream_commit (s, FALSE);
      ek_reply_error (req, 413, "payload_too_large", -1, "the chunk goes beyond Upload-Length");
      return;
    }
  if (s->io_error)
    {
      stream_commit (s, FALSE);
      ek_reply_error (req, 500, "server_error", -1, "cannot store the chunk");
      return;
    }
  if (s->checksum)
    {
      guint8 digest[32];
      gsize digest_len = sizeof digest;

      g_checksum_get_digest (s->checksum, digest, &digest_len);
      if (digest_len != s->expected_len || memcmp (digest, s->expected, digest_len) != 0)
        {
          stream_commit (s, FALSE);
          ek_reply_error (req, 460, "bad_request", -1, "the chunk does not match Upload-Checksum");
          soup_server_message_set_status (req->msg, 460, "Checksum Mismatch");
          return;
        }
    }

  offset = stream_commit (s, TRUE);
  if (offset < 0)
    offset = s->start_offset + s->written;
  offset_text = g_strdup_printf ("%" G_GINT64_FORMAT, offset);
  ek_reply_empty (req, 204);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Upload-Offset", offset_text);
}

/* Upload-Metadata: "key base64value,key2,key3 base64value" */
static GHashTable *
parse_metadata (const char *header)
{
  g_autoptr(GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) pairs = g_strsplit (header, ",", -1);

  for (char **p = pairs; *p; p++)
    {
      g_autofree char *pair = g_strstrip (g_strdup (*p));
      char *space = strchr (pair, ' ');
      g_autofree guchar *value = NULL;
      gsize len = 0;

      if (*pair == '\0')
        continue;
      if (space != NULL)
        {
          *space = '\0';
          for (const char *c = space + 1; *c; c++)
            if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
              return NULL;
          value = g_base64_decode (space + 1, &len);
        }
      if (*pair == '\0' || g_hash_table_contains (meta, pair) ||
          (value != NULL && !g_utf8_validate ((const char *) value, len, NULL)))
        return NULL;
      g_hash_table_insert (meta, g_strdup (pair), value ? g_strndup ((const char *) value, len) : g_strdup (""));
    }
  return g_steal_pointer (&meta);
}

static gboolean
is_hex64 (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isxdigit (*s))
      return FALSE;
  return TRUE;
}

static void
handle_create (EkReq     *req,
               EkSession *session)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (req->msg);
  const char *meta_header = soup_message_headers_get_one (h, "Upload-Metadata");
  g_autoptr(GHashTable) meta = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *upload_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = NULL;
  g_autofree char *location = NULL;
  g_autofree char *sha = NULL;
  const char *stream, *segment_text, *meta_session;
  gint64 length, segment;
  int fd;

  if (soup_message_headers_get_one (h, "Upload-Defer-Length") != NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "Upload-Defer-Length is not supported");
      return;
    }
  if (!parse_int64 (soup_message_headers_get_one (h, "Upload-Length"), &length))
    {
      ek_reply_error (req, 400, "bad_request", -1, "missing or invalid Upload-Length");
      return;
    }
  if (length > EK_TUS_MAX_SIZE)
    {
      ek_reply_error (req, 413, "payload_too_large", -1, "Upload-Length is above Tus-Max-Size");
      return;
    }
  if (meta_header == NULL || (meta = parse_metadata (meta_header)) == NULL)
    {
      ek_reply_error (req, 400, "bad_request", -1, "missing or invalid Upload-Metadata");
      return;
    }
  meta_session = g_hash_table_lookup (meta, "session");
  stream = g_hash_table_lookup (meta, "stream");
  segment_text = g_hash_table_lookup (meta, "segment");
  sha = g_ascii_strdown (g_hash_table_lookup (meta, "sha256") ?: "", -1);
  if (g_strcmp0 (meta_session, session->session_id) != 0)
    {
      ek_reply_error (req, 400, "bad_request", -1, "Upload-Metadata session is not this session's id");
      return;
    }
  if (stream == NULL || !g_strv_contains ((const char * const[]) { "camera", "screen", "room_scan", NULL }, stream))
    {
      ek_reply_error (req, 400, "bad_request", -1, "Upload-Metadata stream must be camera, screen or room_scan");
      return;
    }
  if (!parse_int64 (segment_text, &segment))
    {
      ek_reply_error (req, 400, "bad_request", -1, "Upload-Metadata segment must be a decimal index");
      return;
    }
  if (!is_hex64 (sha))
    {
      ek_reply_error (req, 400, "bad_request", -1, "Upload-Metadata sha256 must be 64 hex digits");
      return;
    }

  upload_id = g_strdup_printf ("u%08x%08x%08x", g_random_int (), g_random_int (), g_random_int ());
  path = upload_path (req->srv, upload_id);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot create the upload file");
      return;
    }
  fsync (fd);
  close (fd);

  stmt = ek_store_prepare (req->srv->db,
                           "INSERT INTO uploads (upload_id, session_id, stream, segment, meta_sha256,"
                           " filename, metadata, length, offset, complete, created_ms)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, ?9)");
  sqlite3_bind_text (stmt, 1, upload_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, stream, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, segment);
  sqlite3_bind_text (stmt, 5, sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, g_hash_table_lookup (meta, "filename"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, meta_header, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 8, length);
  sqlite3_bind_int64 (stmt, 9, ek_server_now_ms (req->srv));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      ek_reply_error (req, 500, "server_error", -1, "cannot store the upload");
      return;
    }
  if (length == 0)
    upload_set_offset (req->srv, upload_id, 0, 0, path);

  base = ek_base_url (req);
  location = g_strdup_printf ("%s/v1/uploads/%s", base, upload_id);
  ek_reply_empty (req, 201);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location", location);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Upload-Offset", "0");
}

static void
handle_head (EkReq     *req,
             EkSession *session)
{
  const char *upload_id = upload_id_from_path (req->path);
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (req->msg);
  g_autoptr(Upload) up = NULL;
  g_autofree char *offset = NULL;
  g_autofree char *length = NULL;

  soup_message_headers_replace (rh, "Cache-Control", "no-store");
  if (upload_id == NULL || (up = upload_load (req->srv->db, upload_id)) == NULL ||
      !g_str_equal (up->session_id, session->session_id))
    {
      ek_reply_empty (req, 404);
      return;
    }
  offset = g_strdup_printf ("%" G_GINT64_FORMAT, up->offset);
  length = g_strdup_printf ("%" G_GINT64_FORMAT, up->length);
  ek_reply_empty (req, 200);
  soup_message_headers_replace (rh, "Upload-Offset", offset);
  soup_message_headers_replace (rh, "Upload-Length", length);
  soup_message_headers_replace (rh, "Upload-Metadata", up->metadata);
}

void
ek_tus_dispatch (EkReq *req)
{
  const char *method = soup_server_message_get_method (req->msg);
  SoupMessageHeaders *h = soup_server_message_get_request_headers (req->msg);
  SoupMessageHeaders *rh = soup_server_message_get_response_headers (req->msg);
  gboolean collection = g_str_equal (req->path, "/v1/uploads") || g_str_equal (req->path, "/v1/uploads/");
  g_autoptr(EkSession) session = NULL;

  set_tus_headers (req);

  if (method == SOUP_METHOD_OPTIONS)
    {
      g_autofree char *max = g_strdup_printf ("%" G_GINT64_FORMAT, EK_TUS_MAX_SIZE);

      ek_reply_empty (req, 204);
      soup_message_headers_replace (rh, "Tus-Version", TUS_VERSION);
      soup_message_headers_replace (rh, "Tus-Extension", "creation,checksum");
      soup_message_headers_replace (rh, "Tus-Checksum-Algorithm", "sha1,sha256");
      soup_message_headers_replace (rh, "Tus-Max-Size", max);
      return;
    }

  if (method == EK_METHOD_PATCH && !collection)
    {
      handle_patch (req);
      return;
    }

  if (g_strcmp0 (soup_message_headers_get_one (h, "Tus-Resumable"), TUS_VERSION) != 0)
    {
      soup_message_headers_replace (rh, "Tus-Version", TUS_VERSION);
      ek_reply_error (req, 412, "bad_request", -1, "Tus-Resumable must be " TUS_VERSION);
      return;
    }

  session = ek_req_authenticate (req);
  if (session == NULL)
    return;
  {
    EkExam *exam = ek_server_find_exam (req->srv, session->exam_id);

    if (exam == NULL)
      {
        ek_reply_error (req, 401, "invalid_session", -1, "the session's exam is no longer served");
        return;
      }
    if (!ek_integrity_check (req, exam, session))
      return;
  }

  if (method == SOUP_METHOD_POST && collection)
    handle_create (req, session);
  else if (method == SOUP_METHOD_HEAD && !collection)
    handle_head (req, session);
  else
    ek_reply_error (req, 405, "not_found", -1, "%s is not supported on %s", method, req->path);
}

void
ek_tus_finish (EkReq     *req,
               EkSession *session)
{
  g_autoptr(JsonObject) body = ek_req_parse_object (req);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(sqlite3_stmt) ins = NULL;
  g_autofree char *result_text = NULL;
  JsonNode *segs_node, *result;
  JsonArray *segs;
  gboolean complete = TRUE;

  if (body == NULL)
    return;
  segs_node = json_object_get_member (body, "segments");
  if (segs_node == NULL || !JSON_NODE_HOLDS_ARRAY (segs_node))
    {
      ek_reply_error (req, 400, "bad_request", -1, "segments must be an array");
      return;
    }
  segs = json_node_get_array (segs_node);

  /* Validate everything before answering anything */
  for (guint i = 0; i < json_array_get_length (segs); i++)
    {
      JsonNode *n = json_array_get_element (segs, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      JsonNode *stream = o ? json_object_get_member (o, "stream") : NULL;
      JsonNode *index = o ? json_object_get_member (o, "index") : NULL;
      JsonNode *sha = o ? json_object_get_member (o, "sha256") : NULL;

      if (stream == NULL || json_node_get_value_type (stream) != G_TYPE_STRING ||
          index == NULL || json_node_get_value_type (index) != G_TYPE_INT64 ||
          json_node_get_int (index) < 0 ||
          sha == NULL || json_node_get_value_type (sha) != G_TYPE_STRING ||
          !is_hex64 (json_node_get_string (sha)))
        {
          ek_reply_error (req, 400, "bad_request", -1,
                          "segments[%u] needs stream, index >= 0 and a hex sha256", i);
          return;
        }
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, FALSE); /* fixed below */
  json_builder_set_member_name (b, "segments");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (segs); i++)
    {
      JsonObject *o = json_array_get_object_element (segs, i);
      const char *stream = json_object_get_string_member (o, "stream");
      gint64 index = json_object_get_int_member (o, "index");
      g_autofree char *want = g_ascii_strdown (json_object_get_string_member (o, "sha256"), -1);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      gboolean any = FALSE, match = FALSE;
      const char *status;

      stmt = ek_store_prepare (req->srv->db,
                               "SELECT stored_sha256 FROM uploads WHERE session_id = ?1 AND stream = ?2"
                               " AND segment = ?3 AND complete = 1");
      sqlite3_bind_text (stmt, 1, session->session_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, stream, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, index);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          any = TRUE;
          if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), want) == 0)
            match = TRUE;
        }
      status = match ? "confirmed" : any ? "mismatch" : "missing";
      if (!match)
        complete = FALSE;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "stream");
      json_builder_add_string_value (b, stream);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, index);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  result = json_builder_get_root (b);
  json_object_set_boolean_member (json_node_get_object (result), "complete", complete);

  json_generator_set_root (gen, result);
  result_text = json_generator_to_data (gen, NULL);
  ins = ek_store_prepare (req->srv->db,
                          "INSERT INTO finishes (session_id, finished_ms, complete, result) VALUES (?1, ?2, ?3, ?4)");
  sqlite3_bind_text (ins, 1, session->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (ins, 2, ek_server_now_ms (req->srv));
  sqlite3_bind_int (ins, 3, complete ? 1 : 0);
  sqlite3_bind_text (ins, 4, result_text, -1, SQLITE_TRANSIENT);
  sqlite3_step (ins);
  if (complete && session->finished_ms < 0)
    {
      session->finished_ms = ek_server_now_ms (req->srv);
      ek_store_session_save (req->srv->db, session);
    }

  ek_reply_json (req, 200, result);
}

JsonNode *
ek_tus_uploads_json (EkRefServer *srv,
                     const char  *session_id)
{
  g_autoptr(sqlite3_stmt) stmt = ek_store_prepare (srv->db,
                                                   "SELECT " UPLOAD_COLUMNS " FROM uploads WHERE session_id = ?1"
                                                   " ORDER BY created_ms, rowid");
  g_autoptr(JsonBuilder) b = json_builder_new ();

  sqlite3_bind_text (stmt, 1, session_id, -1, SQLITE_TRANSIENT);
  json_builder_begin_array (b);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(Upload) up = upload_from_row (stmt);
      g_autofree char *path = upload_path (srv, up->upload_id);
      gint64 size = -1;
      g_autofree char *sha = hash_file_sha256 (path, &size);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "upload_id");
      json_builder_add_string_value (b, up->upload_id);
      json_builder_set_member_name (b, "stream");
      json_builder_add_string_value (b, up->stream);
      json_builder_set_member_name (b, "segment");
      json_builder_add_int_value (b, up->segment);
      json_builder_set_member_name (b, "metadata_sha256");
      json_builder_add_string_value (b, up->meta_sha256);
      json_builder_set_member_name (b, "filename");
      json_builder_add_string_value (b, up->filename);
      json_builder_set_member_name (b, "length");
      json_builder_add_int_value (b, up->length);
      json_builder_set_member_name (b, "offset");
      json_builder_add_int_value (b, up->offset);
      json_builder_set_member_name (b, "complete");
      json_builder_add_boolean_value (b, up->complete);
      /* What is on disk now, hashed now: what the tests should trust */
      json_builder_set_member_name (b, "stored_bytes");
      json_builder_add_int_value (b, size);
      json_builder_set_member_name (b, "stored_sha256");
      json_builder_add_string_value (b, sha);
      json_builder_set_member_name (b, "received_bytes");
      json_builder_add_int_value (b, received_get (up->upload_id));
      json_builder_set_member_name (b, "created_ms");
      json_builder_add_int_value (b, up->created_ms);
      json_builder_set_member_name (b, "completed_ms");
      if (up->completed_ms >= 0)
        json_builder_add_int_value (b, up->completed_ms);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}
