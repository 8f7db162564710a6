/* test-tus.c: EkTusClient against the reference server and against @tus/server
 *
 * Every test compares what the server stored with what was sent, by SHA-256 on the
 * server's side: the reference server's admin API hashes its files on request; for
 * @tus/server the test hashes the file in the FileStore folder.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-http-client-private.h"
#include "ek-tus-client-private.h"
#include "ek-test-upload.h"

#define MIB (1024 * 1024)

typedef struct
{
  guint   created;
  guint   offsets;
  guint64 last_offset;
  guint64 max_sending;
  char   *url;
  /* set to stop the upload once the server has this much */
  guint64 cancel_at;
  GCancellable *cancellable;
  /* set to change the file's next chunk once the server has this much */
  const char *change_path;
  guint64 change_at;
} Events;

/* Helpers */

static void
on_event_cb (EkTusUploadEvent  event,
             const char       *url,
             guint64           offset,
             guint64           sending,
             gpointer          user_data)
{
  Events *events = user_data;

  switch (event)
    {
    case EK_TUS_UPLOAD_CREATED:
      events->created++;
      g_free (events->url);
      events->url = g_strdup (url);
      g_assert_cmpuint (offset, ==, 0);
      break;

    case EK_TUS_UPLOAD_OFFSET:
      events->offsets++;
      events->last_offset = offset;
      if (events->cancel_at > 0 && offset >= events->cancel_at && events->cancellable != NULL)
        g_cancellable_cancel (events->cancellable);
      if (events->change_path != NULL && offset == events->change_at)
        {
          g_autoptr(GFile) file = g_file_new_for_path (events->change_path);
          g_autoptr(GFileIOStream) stream = g_file_open_readwrite (file, NULL, NULL);

          g_assert_nonnull (stream);
          g_assert_true (g_seekable_seek (G_SEEKABLE (stream), offset + 100, G_SEEK_SET, NULL, NULL));
          g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                                                    "changed", 7, NULL, NULL, NULL));
          g_assert_true (g_io_stream_close (G_IO_STREAM (stream), NULL, NULL));
          events->change_path = NULL;
        }
      break;

    case EK_TUS_UPLOAD_SENDING:
      events->max_sending = MAX (events->max_sending, sending);
      break;

    default:
      g_assert_not_reached ();
    }
}

static char *
upload_file (EkTusClient  *tus,
             const char   *path,
             const char   *session_id,
             guint         index,
             const char   *sha,
             const char   *resume_url,
             Events       *events,
             GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *index_text = g_strdup_printf ("%u", index);
  g_autofree char *filename = g_path_get_basename (path);
  const char *metadata[] = {
    "session", session_id,
    "stream", "camera",
    "segment", index_text,
    "sha256", sha,
    "filename", filename,
    NULL
  };
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  ek_tus_client_upload_async (tus, path, st.st_size, metadata, resume_url,
                              on_event_cb, events, NULL,
                              events ? events->cancellable : NULL,
                              ek_test_result_cb, &result);
  return ek_tus_client_upload_finish (tus, ek_test_wait (&result), error);
}

static EkTusClient *
make_tus (EkHttpClient *http,
          const char   *endpoint,
          const char   *token,
          guint64       chunk_size)
{
  EkTusClient *tus = ek_tus_client_new (http, endpoint);

  ek_tus_client_set_bearer_token (tus, token);
  ek_tus_client_set_chunk_size (tus, chunk_size);
  ek_tus_client_set_backoff (tus, 10, 200);
  return tus;
}

static char *
reference_endpoint (EkTestServer *server)
{
  return g_strconcat (ek_test_server_get_base_url (server), "/v1/uploads/", NULL);
}

/* Uploads @n files of about @size bytes with @tus and checks each on the reference
 * server; returns the total of bytes the server received beyond the files' sizes. */
static gint64
upload_and_check_reference (EkTestServer  *server,
                            EkTestSession *session,
                            EkTusClient   *tus,
                            guint          n,
                            gsize          size)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) shas = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonArray) uploads = NULL;
  gint64 extra = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("camera-%05u.mkv", i);
      /* odd sizes: the last chunk is never a full one */
      gsize file_size = size + i * 12345 + 7;
      char *sha = NULL;
      g_autofree char *path = ek_test_write_random_file (dir, name, file_size, &sha);
      g_autoptr(GError) error = NULL;
      Events events = { 0 };
      char *url;

      url = upload_file (tus, path, session->session_id, i, sha, NULL, &events, &error);
      g_assert_no_error (error);
      g_assert_nonnull (url);
      g_assert_cmpstr (url, ==, events.url);
      g_assert_cmpuint (events.last_offset, ==, file_size);
      g_assert_cmpuint (events.max_sending, <=, ek_tus_client_get_chunk_size (tus));
      g_free (events.url);

      g_ptr_array_add (urls, url);
      g_ptr_array_add (shas, sha);
    }

  uploads = ek_test_server_get_uploads (server, session->session_id);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *upload = ek_test_find_upload (uploads, g_ptr_array_index (urls, i));
      gint64 length;

      g_assert_nonnull (upload);
      length = json_object_get_int_member (upload, "length");
      g_assert_true (json_object_get_boolean_member (upload, "complete"));
      g_assert_cmpint (json_object_get_int_member (upload, "stored_bytes"), ==, length);
      g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==,
                       g_ptr_array_index (shas, i));
      g_assert_cmpstr (json_object_get_string_member (upload, "metadata_sha256"), ==,
                       g_ptr_array_index (shas, i));
      g_assert_cmpint (json_object_get_int_member (upload, "segment"), ==, i);
      g_assert_cmpstr (json_object_get_string_member (upload, "stream"), ==, "camera");
      extra += json_object_get_int_member (upload, "received_bytes") - length;
    }

  ek_test_remove_tree (dir);
  return extra;
}

/* Tests: the reference server */

static void
test_metadata (void)
{
  const char *metadata[] = { "session", "s-1", "empty", "", "filename", "camera-00001.mkv", NULL };
  g_autofree char *encoded = ek_tus_encode_metadata (metadata);
  g_autofree char *none = ek_tus_encode_metadata (NULL);

  g_assert_cmpstr (encoded, ==, "session cy0x,empty,filename Y2FtZXJhLTAwMDAxLm1rdg==");
  g_assert_cmpstr (none, ==, "");
}

static void
test_reference_segments (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  EkTusClient *tus = make_tus (http, endpoint, session->token, 1 * MIB);
  gint64 extra;

  extra = upload_and_check_reference (server, session, tus, 4, 3 * MIB);

  /* The server announced checksum: every chunk carried one (it would refuse a bad one). */
  g_assert_true (ek_tus_client_get_checksum_enabled (tus));
  /* Nothing went wrong, so nothing was sent twice. */
  g_assert_cmpint (extra, ==, 0);

  g_assert_finalize_object (tus);
}

static void
test_reference_errors (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  EkTusClient *tus = make_tus (http, endpoint, session->token, 512 * 1024);

  /* Login first, then the faults: the test is about uploads. */
  ek_test_server_set_faults (server, "{\"error_rate\": 0.3, \"latency_ms\": 20, \"jitter_ms\": 30}");
  ek_tus_client_set_max_attempts (tus, 100);

  upload_and_check_reference (server, session, tus, 3, 2 * MIB);
  ek_test_server_clear_faults (server);

  g_assert_finalize_object (tus);
}

static void
test_reference_cut (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  EkTusClient *tus = NULL;
  gint64 extra;

  /* Without checksums the server keeps what arrived of a cut PATCH: every cut makes
   * progress, and the HEAD after it means not one byte goes twice to the server. */
  tus = g_object_new (EK_TYPE_TUS_CLIENT, "http-client", http, "endpoint", endpoint,
                      "use-checksum", FALSE, NULL);
  ek_tus_client_set_bearer_token (tus, session->token);
  ek_tus_client_set_chunk_size (tus, 1 * MIB);
  ek_tus_client_set_backoff (tus, 5, 50);
  ek_tus_client_set_max_attempts (tus, 20);

  ek_test_server_set_faults (server, "{\"cut_after_bytes\": 300000}");
  extra = upload_and_check_reference (server, session, tus, 2, 2 * MIB);
  ek_test_server_clear_faults (server);

  g_assert_false (ek_tus_client_get_checksum_enabled (tus));
  g_assert_cmpint (extra, ==, 0);
  /* curl had sent more than the server kept each time: the wire saw resends. */
  g_assert_cmpuint (ek_tus_client_get_bytes_transmitted (tus), >, 2 * 2 * MIB);

  g_assert_finalize_object (tus);
}

static void
test_reference_cut_checksum (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *sha = NULL;
  g_autofree char *path = ek_test_write_random_file (dir, "camera-00000.mkv", 5 * MIB + 3, &sha);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) uploads = NULL;
  g_autofree char *url = NULL;
  const char *metadata[] = { "session", session->session_id, "stream", "camera",
                             "segment", "0", "sha256", sha, NULL };
  EkTusClient *tus = make_tus (http, endpoint, session->token, 1 * MIB);
  Events events = { 0 };
  JsonObject *upload;
  gint64 received;

  /* With checksums a cut chunk cannot be verified and the server drops all of it:
   * every cut costs exactly that one chunk again, never more. The cuts stop after
   * a while (the network comes back). */
  ek_tus_client_set_max_attempts (tus, 1000);
  ek_test_server_set_faults (server, "{\"cut_after_bytes\": 700000}");
  ek_tus_client_upload_async (tus, path, 5 * MIB + 3, metadata, NULL, on_event_cb, &events, NULL,
                              NULL, ek_test_result_cb, &result);
  ek_test_sleep_ms (1000);
  g_assert_null (result);
  g_assert_cmpuint (events.last_offset, ==, 0);
  ek_test_server_clear_faults (server);

  url = ek_tus_client_upload_finish (tus, ek_test_wait (&result), &error);
  g_assert_no_error (error);

  uploads = ek_test_server_get_uploads (server, session->session_id);
  upload = ek_test_find_upload (uploads, url);
  g_assert_nonnull (upload);
  g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha);
  received = json_object_get_int_member (upload, "received_bytes");
  /* The cut PATCHes all carried the first chunk and were all dropped. */
  g_assert_cmpint (received, >, 5 * MIB + 3);
  g_assert_cmpint ((received - (5 * MIB + 3)) % 700000, ==, 0);

  g_free (events.url);
  ek_test_remove_tree (dir);
  g_clear_object (&result);
  g_assert_finalize_object (tus);
}

static void
test_reference_checksum_mismatch (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *sha = NULL;
  g_autofree char *sha_after = NULL;
  gsize size = 3 * MIB;
  g_autofree char *path = ek_test_write_random_file (dir, "camera-00000.mkv", size, &sha);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) uploads = NULL;
  g_autofree char *url = NULL;
  EkTusClient *tus = make_tus (http, endpoint, session->token, 1 * MIB);
  Events events = { .change_path = path, .change_at = 1 * MIB };
  JsonObject *upload;

  /* The second chunk's checksum is computed while the first one is on the wire;
   * changing the file then makes the server see bytes that do not match it (as a
   * bad disk read or memory error would): 460, and the chunk goes again with a
   * fresh checksum. Throttled so that the look-ahead surely ran first. */
  ek_test_server_set_faults (server, "{\"throttle_bytes_per_s\": 4000000}");
  url = upload_file (tus, path, session->session_id, 0, sha, NULL, &events, &error);
  g_assert_no_error (error);
  g_assert_null (events.change_path);

  sha_after = ek_test_sha256_file (path);
  g_assert_cmpstr (sha_after, !=, sha);
  uploads = ek_test_server_get_uploads (server, session->session_id);
  upload = ek_test_find_upload (uploads, url);
  g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha_after);
  /* exactly the refused chunk went twice */
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), ==, size + 1 * MIB);

  g_free (events.url);
  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

static void
test_reference_resume (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *sha = NULL;
  gsize size = 4 * MIB + 1000;
  g_autofree char *path = ek_test_write_random_file (dir, "camera-00000.mkv", size, &sha);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) uploads = NULL;
  g_autofree char *url = NULL;
  guint64 chunk = 512 * 1024;
  EkTusClient *tus = make_tus (http, endpoint, session->token, chunk);
  Events events = { .cancellable = cancellable, .cancel_at = 1 * MIB };
  Events again = { 0 };
  JsonObject *upload;

  /* Slow enough that the cancel lands in the middle of a chunk. */
  ek_test_server_set_faults (server, "{\"throttle_bytes_per_s\": 4000000}");
  url = upload_file (tus, path, session->session_id, 0, sha, NULL, &events, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (url);
  g_clear_error (&error);
  g_assert_nonnull (events.url);
  g_assert_cmpuint (events.last_offset, >=, 1 * MIB);
  g_assert_cmpuint (events.last_offset, <, size);
  ek_test_server_clear_faults (server);

  /* A new client, as after a restart: only the URL is known. */
  g_assert_finalize_object (tus);
  tus = make_tus (http, endpoint, session->token, chunk);
  url = upload_file (tus, path, session->session_id, 0, sha, events.url, &again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, events.url);
  g_assert_cmpuint (again.created, ==, 0);

  uploads = ek_test_server_get_uploads (server, session->session_id);
  g_assert_cmpuint (json_array_get_length (uploads), ==, 1);
  upload = ek_test_find_upload (uploads, url);
  g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha);
  /* The interrupted chunk (dropped: it had a checksum) is all that went twice. */
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), <=, size + chunk);

  g_free (events.url);
  g_free (again.url);
  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

static void
test_reference_gone (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkTestSession) session = ek_test_session_login (server);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *sha = NULL;
  g_autofree char *path = ek_test_write_random_file (dir, "camera-00003.mkv", 300000, &sha);
  g_autofree char *stale = g_strconcat (endpoint, "u0000000000000000deadbeef", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) uploads = NULL;
  g_autofree char *url = NULL;
  EkTusClient *tus = make_tus (http, endpoint, session->token, 1 * MIB);
  Events events = { 0 };

  /* A stored URL the server no longer knows (404): the upload starts again. */
  url = upload_file (tus, path, session->session_id, 3, sha, stale, &events, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, !=, stale);
  g_assert_cmpuint (events.created, ==, 1);

  uploads = ek_test_server_get_uploads (server, session->session_id);
  g_assert_cmpstr (json_object_get_string_member (ek_test_find_upload (uploads, url), "stored_sha256"), ==, sha);

  g_free (events.url);
  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

static void
test_reference_unauthorized (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autofree char *endpoint = reference_endpoint (server);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *sha = NULL;
  g_autofree char *path = ek_test_write_random_file (dir, "camera-00000.mkv", 1000, &sha);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  EkTusClient *tus = make_tus (http, endpoint, "not-a-session-token", 1 * MIB);
  gint64 start = g_get_monotonic_time ();

  /* Refused for good: no retries, a clear error. */
  url = upload_file (tus, path, "s-unknown", 0, sha, NULL, NULL, &error);
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_UNAUTHORIZED);
  g_assert_null (url);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

static void
test_missing_file (void)
{
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  EkTusClient *tus = make_tus (http, "http://127.0.0.1:9/v1/uploads/", NULL, 1 * MIB);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *url = NULL;

  ek_tus_client_upload_async (tus, "/nonexistent/camera-00000.mkv", 10, NULL, NULL, NULL, NULL, NULL,
                              NULL, ek_test_result_cb, &result);
  url = ek_tus_client_upload_finish (tus, ek_test_wait (&result), &error);
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_FILE);
  g_assert_false (ek_tus_error_is_transient (error));

  g_clear_object (&result);
  g_assert_finalize_object (tus);
}

/* Tests: @tus/server */

static void
test_node_segments (void)
{
  g_autofree char *skip = NULL;
  g_autoptr(EkTestTusNode) node = ek_test_tus_node_start (&skip);
  g_autoptr(EkHttpClient) http = NULL;
  g_autofree char *dir = NULL;
  EkTusClient *tus;

  if (node == NULL)
    {
      g_test_skip (skip);
      return;
    }

  http = ek_http_client_new ();
  dir = ek_test_make_tmp_dir ();
  /* A bearer token is sent as always; a stock server just ignores it. */
  tus = make_tus (http, ek_test_tus_node_get_endpoint (node), "token", 1 * MIB);

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("camera-%05u.mkv", i);
      g_autofree char *sha = NULL;
      g_autofree char *path = ek_test_write_random_file (dir, name, 3 * MIB + i * 54321 + 1, &sha);
      g_autofree char *url = NULL;
      g_autofree char *stored = NULL;
      g_autoptr(GError) error = NULL;
      Events events = { 0 };

      url = upload_file (tus, path, "s-node", i, sha, NULL, &events, &error);
      g_assert_no_error (error);
      stored = ek_test_tus_node_file_sha256 (node, url);
      g_assert_cmpstr (stored, ==, sha);
      g_assert_cmpuint (events.created, ==, 1);
      g_free (events.url);
    }

  /* No checksum extension there, and the client noticed. */
  g_assert_false (ek_tus_client_get_checksum_enabled (tus));

  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

static void
test_node_resume (void)
{
  g_autofree char *skip = NULL;
  g_autoptr(EkTestTusNode) node = ek_test_tus_node_start (&skip);
  g_autoptr(EkHttpClient) http = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *stored = NULL;
  gsize size = 6 * MIB + 17;
  EkTusClient *tus;
  Events events = { 0 };
  Events again = { 0 };

  if (node == NULL)
    {
      g_test_skip (skip);
      return;
    }

  http = ek_http_client_new ();
  dir = ek_test_make_tmp_dir ();
  path = ek_test_write_random_file (dir, "camera-00000.mkv", size, &sha);
  cancellable = g_cancellable_new ();
  events.cancellable = cancellable;
  events.cancel_at = 2 * MIB;

  tus = make_tus (http, ek_test_tus_node_get_endpoint (node), NULL, 256 * 1024);
  url = upload_file (tus, path, "s-node", 0, sha, NULL, &events, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (events.last_offset, <, size);
  g_assert_finalize_object (tus);

  tus = make_tus (http, ek_test_tus_node_get_endpoint (node), NULL, 256 * 1024);
  url = upload_file (tus, path, "s-node", 0, sha, events.url, &again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, events.url);
  g_assert_cmpuint (again.created, ==, 0);
  stored = ek_test_tus_node_file_sha256 (node, url);
  g_assert_cmpstr (stored, ==, sha);

  g_free (events.url);
  g_free (again.url);
  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

/* Without checksums a PATCH carries up to plain-chunk-size (64 MiB); behind a proxy
 * that refuses large bodies (413) the client learns smaller PATCHes and goes on. */
static void
test_node_body_limit (void)
{
  g_autofree char *skip = NULL;
  g_autoptr(EkTestTusNode) node = ek_test_tus_node_start_full (&skip, 1 * MIB);
  g_autoptr(EkHttpClient) http = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *stored = NULL;
  EkTusClient *tus;
  Events events = { 0 };

  if (node == NULL)
    {
      g_test_skip (skip);
      return;
    }

  http = ek_http_client_new ();
  dir = ek_test_make_tmp_dir ();
  path = ek_test_write_random_file (dir, "camera-00000.mkv", 6 * MIB + 17, &sha);
  tus = ek_tus_client_new (http, ek_test_tus_node_get_endpoint (node));
  ek_tus_client_set_backoff (tus, 10, 200);
  g_assert_cmpuint (ek_tus_client_get_plain_chunk_size (tus), ==, EK_TUS_DEFAULT_PLAIN_CHUNK_SIZE);
  g_assert_cmpuint (ek_tus_client_get_chunk_size (tus), ==, EK_TUS_DEFAULT_CHUNK_SIZE);

  url = upload_file (tus, path, "s-node", 0, sha, NULL, &events, &error);
  g_assert_no_error (error);
  stored = ek_test_tus_node_file_sha256 (node, url);
  g_assert_cmpstr (stored, ==, sha);
  g_assert_cmpuint (events.created, ==, 1);
  g_assert_false (ek_tus_client_get_checksum_enabled (tus));

  g_free (events.url);
  ek_test_remove_tree (dir);
  g_assert_finalize_object (tus);
}

/* What a creation answer's Location becomes: an absolute http(s) URL or a refusal,
 * never a GLib assertion (tests/fuzz/cases/tus-headers/, found by fuzz-tus-headers). */
static void
test_location (void)
{
  static const struct { const char *location; const char *url; } cases[] = {
    { "/v1/uploads/abc", "https://exam.example.org/v1/uploads/abc" },
    { "abc?x=1", "https://exam.example.org/v1/uploads/abc?x=1" },
    { "https://files.example.org:8443/u/1", "https://files.example.org:8443/u/1" },
    { "//files.example.org/u/2", "https://files.example.org/u/2" },
    { "m:/..//:)", NULL },
    { "x:/a/../..//b", NULL },
    { "file:///etc/passwd", NULL },
    { "javascript:alert(1)", NULL },
    { "http://", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GHashTable) headers = _ek_http_headers_new ();
      g_autoptr(GBytes) body = g_bytes_new (NULL, 0);
      g_autoptr(EkHttpResponse) response = NULL;
      g_autofree char *line = g_strdup_printf ("Location: %s\r\n", cases[i].location);
      g_autofree char *detail = NULL;
      g_autofree char *url = NULL;

      _ek_http_headers_add_line (headers, line, strlen (line));
      response = _ek_http_response_new_from_headers (201, headers, body);
      url = _ek_tus_read_location (response, "https://exam.example.org/v1/uploads/", &detail);
      g_test_message ("%s -> %s (%s)", cases[i].location, url, detail);
      g_assert_cmpstr (url, ==, cases[i].url);
      g_assert_true ((url == NULL) == (detail != NULL));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tus/metadata", test_metadata);
  g_test_add_func ("/tus/location", test_location);
  g_test_add_func ("/tus/missing-file", test_missing_file);
  g_test_add_func ("/tus/reference/segments", test_reference_segments);
  g_test_add_func ("/tus/reference/errors", test_reference_errors);
  g_test_add_func ("/tus/reference/cut", test_reference_cut);
  g_test_add_func ("/tus/reference/cut-checksum", test_reference_cut_checksum);
  g_test_add_func ("/tus/reference/checksum-mismatch", test_reference_checksum_mismatch);
  g_test_add_func ("/tus/reference/resume", test_reference_resume);
  g_test_add_func ("/tus/reference/gone", test_reference_gone);
  g_test_add_func ("/tus/reference/unauthorized", test_reference_unauthorized);
  g_test_add_func ("/tus/node/segments", test_node_segments);
  g_test_add_func ("/tus/node/resume", test_node_resume);
  g_test_add_func ("/tus/node/body-limit", test_node_body_limit);

  return g_test_run ();
}
