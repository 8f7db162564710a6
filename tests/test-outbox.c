/* test-outbox.c: EkOutbox, the durable upload queue, end to end
 *
 * Segments are random files; what arrived is checked on the server's side (the
 * reference server's admin API hashes its files; the @tus/server FileStore folder is
 * hashed by the test).
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ek-outbox.h"
#include "ek-test-upload.h"

#define MIB (1024 * 1024)

typedef struct
{
  EkTestServer  *server;
  EkTestSession *session;
  EkHttpClient  *http;
  char          *dir;         /* segments and the database */
  char          *db_path;
  char          *endpoint;
} Fixture;

/* Helpers */

static EkTusClient *
make_tus (Fixture *f,
          guint64  chunk_size)
{
  EkTusClient *tus = ek_tus_client_new (f->http, f->endpoint);

  ek_tus_client_set_bearer_token (tus, f->session ? f->session->token : NULL);
  ek_tus_client_set_chunk_size (tus, chunk_size);
  ek_tus_client_set_backoff (tus, 10, 200);
  return tus;
}

static EkOutbox *
open_outbox (const char  *path,
             const char  *session_id,
             EkTusClient *tus,
             EkApiClient *api)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkOutbox *outbox;

  ek_outbox_new_async (path, session_id, tus, api, NULL, ek_test_result_cb, &result);
  outbox = ek_outbox_new_finish (ek_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (outbox);
  ek_outbox_set_backoff (outbox, 20, 300);
  return outbox;
}

static gboolean
finish_outbox (EkOutbox  *outbox,
               GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_outbox_finish_async (outbox, NULL, ek_test_result_cb, &result);
  return ek_outbox_finish_finish (outbox, ek_test_wait (&result), error);
}

static void
flush_outbox (EkOutbox *outbox)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_outbox_flush_async (outbox, NULL, ek_test_result_cb, &result);
  ek_outbox_flush_finish (outbox, ek_test_wait (&result), &error);
  g_assert_no_error (error);
}

static gboolean
nothing_pending (gpointer data)
{
  return ek_outbox_get_segments_pending (data) == 0;
}

static gboolean
is_waiting (gpointer data)
{
  return ek_outbox_get_waiting (data);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = ek_test_server_start (NULL);
  f->session = ek_test_session_login (f->server);
  f->http = ek_http_client_new ();
  f->dir = ek_test_make_tmp_dir ();
  /* a folder that does not exist yet: the outbox makes it, private */
  f->db_path = g_build_filename (f->dir, "data", "outbox.sqlite3", NULL);
  f->endpoint = g_strconcat (ek_test_server_get_base_url (f->server), "/v1/uploads/", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->session, ek_test_session_free);
  g_assert_finalize_object (f->http);
  g_clear_pointer (&f->server, ek_test_server_stop);
  ek_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->endpoint);
}

/* Checks every segment on the reference server; returns its uploads. */
static JsonArray *
check_on_server (Fixture    *f,
                 EkOutbox   *outbox,
                 GPtrArray  *segments)
{
  JsonArray *uploads = ek_test_server_get_uploads (f->server, f->session->session_id);

  for (guint i = 0; i < segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (segments, i);
      g_autofree char *url = NULL;
      EkOutboxState state;
      JsonObject *upload;

      g_assert_true (ek_outbox_lookup_segment (outbox, ek_segment_get_stream (segment),
                                               ek_segment_get_index (segment), &state, &url, NULL));
      g_assert_cmpstr (ek_outbox_state_to_string (state), ==, "confirmed");
      upload = ek_test_find_upload (uploads, url);
      g_assert_nonnull (upload);
      g_assert_true (json_object_get_boolean_member (upload, "complete"));
      g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==,
                       ek_segment_get_sha256 (segment));
      g_assert_cmpint (json_object_get_int_member (upload, "segment"), ==,
                       ek_segment_get_index (segment));
    }
  return uploads;
}

static void
on_notify_cb (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GHashTable *seen = user_data;
  const char *name = g_param_spec_get_name (pspec);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, name));

  g_hash_table_insert (seen, (gpointer) name, GUINT_TO_POINTER (n + 1));
  if (g_str_equal (name, "rate") && ek_outbox_get_rate (EK_OUTBOX (object)) > 0)
    g_hash_table_insert (seen, (gpointer) "rate>0", GUINT_TO_POINTER (1));
  if (g_str_equal (name, "eta-seconds") && ek_outbox_get_eta_seconds (EK_OUTBOX (object)) > 0)
    g_hash_table_insert (seen, (gpointer) "eta>0", GUINT_TO_POINTER (1));
}

/* Tests */

static void
test_upload_and_finish (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_dir = g_path_get_dirname (f->db_path);
  EkTusClient *tus = make_tus (f, 1 * MIB);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  guint64 total = 0;
  GStatBuf st;

  g_signal_connect (outbox, "notify", G_CALLBACK (on_notify_cb), seen);
  /* Slow enough to see the rate and the estimate; fast enough for a test. */
  ek_test_server_set_faults (f->server, "{\"throttle_bytes_per_s\": 3000000}");

  /* Segments close one after the other while the upload runs. */
  for (guint i = 0; i < 5; i++)
    {
      EkSegment *segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 1 * MIB + i * 100003);

      ek_outbox_add_segment (outbox, segment);
      total += ek_segment_get_size (segment);
      g_ptr_array_add (segments, segment);
      g_assert_cmpuint (ek_outbox_get_bytes_total (outbox), ==, total);
      g_assert_false (ek_outbox_get_complete (outbox));
      ek_test_sleep_ms (300);
    }
  /* The same segment again is no new work. */
  ek_outbox_add_segment (outbox, g_ptr_array_index (segments, 0));
  g_assert_cmpuint (ek_outbox_get_segments_total (outbox), ==, 5);

  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);
  ek_test_server_clear_faults (f->server);

  g_assert_true (ek_outbox_get_complete (outbox));
  g_assert_cmpuint (ek_outbox_get_bytes_sent (outbox), ==, total);
  g_assert_cmpuint (ek_outbox_get_segments_pending (outbox), ==, 0);
  g_assert_cmpint (ek_outbox_get_eta_seconds (outbox), ==, 0);
  g_assert_nonnull (g_hash_table_lookup (seen, "bytes-sent"));
  g_assert_nonnull (g_hash_table_lookup (seen, "segments-pending"));
  g_assert_nonnull (g_hash_table_lookup (seen, "complete"));
  g_assert_nonnull (g_hash_table_lookup (seen, "rate>0"));
  g_assert_nonnull (g_hash_table_lookup (seen, "eta>0"));

  uploads = check_on_server (f, outbox, segments);
  g_assert_cmpuint (json_array_get_length (uploads), ==, 5);

  /* Private: the database 0600 in a 0700 folder. */
  g_assert_cmpint (g_stat (f->db_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (db_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  EkTusClient *tus = make_tus (f, 512 * 1024);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);

  ek_outbox_set_max_parallel (outbox, 2);
  ek_test_server_set_faults (f->server, "{\"error_rate\": 0.3, \"latency_ms\": 30, \"jitter_ms\": 40}");
  for (guint i = 0; i < 4; i++)
    {
      EkSegment *segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 1 * MIB + i * 77777);

      ek_outbox_add_segment (outbox, segment);
      g_ptr_array_add (segments, segment);
    }
  {
    EkSegment *screen = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_SCREEN, 0, 300000);

    ek_outbox_add_segment (outbox, screen);
    g_ptr_array_add (segments, screen);
  }

  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);
  ek_test_server_clear_faults (f->server);

  uploads = check_on_server (f, outbox, segments);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
test_network_loss (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  EkTusClient *tus = make_tus (f, 1 * MIB);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  EkSegment *segment;
  EkOutboxState state;
  gint64 start;

  ek_tus_client_set_max_attempts (tus, 2);
  /* Every request fails, as when the network is gone. */
  ek_test_server_set_faults (f->server, "{\"error_rate\": 1.0}");

  segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, 0, 700000);
  ek_outbox_add_segment (outbox, segment);
  g_ptr_array_add (segments, segment);
  ek_test_wait_for_predicate (is_waiting, outbox, 60000, "the outbox");

  /* The recorder goes on: adding never waits on the network. */
  for (guint i = 1; i < 4; i++)
    {
      segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 500000);
      start = g_get_monotonic_time ();
      ek_outbox_add_segment (outbox, segment);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 50 * 1000);
      g_ptr_array_add (segments, segment);
      g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, i, &state, NULL, NULL));
      g_assert_cmpint (state, ==, EK_OUTBOX_STATE_PENDING);
    }
  ek_test_sleep_ms (500);
  g_assert_cmpuint (ek_outbox_get_segments_pending (outbox), ==, 4);

  /* The network is back: everything goes up by itself. */
  ek_test_server_clear_faults (f->server);
  ek_test_wait_for_predicate (nothing_pending, outbox, 60000, "the outbox");
  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);

  uploads = check_on_server (f, outbox, segments);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static gboolean
first_segment_half_sent (gpointer data)
{
  EkOutbox *outbox = data;
  guint64 offset = 0;

  ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 0, NULL, NULL, &offset);
  return offset >= 1 * MIB;
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *url_after = NULL;
  guint64 chunk = 512 * 1024;
  EkTusClient *tus = make_tus (f, chunk);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  EkOutboxState state;
  guint64 offset = 0;
  JsonObject *upload;

  ek_test_server_set_faults (f->server, "{\"throttle_bytes_per_s\": 2000000}");
  for (guint i = 0; i < 3; i++)
    {
      EkSegment *segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 3 * MIB + i);

      ek_outbox_add_segment (outbox, segment);
      g_ptr_array_add (segments, segment);
    }
  ek_test_wait_for_predicate (first_segment_half_sent, outbox, 60000, "the outbox");

  /* The kiosk goes away in the middle of a chunk... */
  g_assert_finalize_object (outbox);
  ek_test_sleep_ms (100);   /* the cancelled request completes */
  g_assert_finalize_object (tus);
  ek_test_server_clear_faults (f->server);

  /* ...and a new one finds everything in the database. */
  tus = make_tus (f, chunk);
  outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  g_assert_cmpuint (ek_outbox_get_segments_total (outbox), ==, 3);
  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 0, &state, &url, &offset));
  g_assert_nonnull (url);
  g_assert_cmpuint (offset, >=, 1 * MIB);

  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);

  uploads = check_on_server (f, outbox, segments);
  /* Resumed, not started again: one upload per segment. */
  g_assert_cmpuint (json_array_get_length (uploads), ==, 3);
  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 0, NULL, &url_after, NULL));
  g_assert_cmpstr (url, ==, url_after);
  upload = ek_test_find_upload (uploads, url);
  /* At most the chunk that was in flight went twice. */
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), <=, 3 * MIB + chunk);
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), >=, 3 * MIB);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
server_sql (Fixture    *f,
            const char *sql,
            const char *arg1,
            const char *arg2)
{
  g_autofree char *path = g_build_filename (ek_test_server_get_data_dir (f->server), "state.sqlite3", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, arg1, -1, SQLITE_TRANSIENT);
  if (arg2 != NULL)
    sqlite3_bind_text (stmt, 2, arg2, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static const char *
upload_id_of (EkOutbox *outbox,
              guint     index,
              char    **url)
{
  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, index, NULL, url, NULL));
  return strrchr (*url, '/') + 1;
}

static void
test_mismatch (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url1 = NULL;
  g_autofree char *url2 = NULL;
  g_autofree char *url1_after = NULL;
  g_autofree char *url2_after = NULL;
  g_autofree char *bin = NULL;
  g_autofree char *bad_sha = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  EkTusClient *tus = make_tus (f, 1 * MIB);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  const char *id1, *id2;

  for (guint i = 0; i < 3; i++)
    {
      EkSegment *segment = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 1 * MIB + i);

      ek_outbox_add_segment (outbox, segment);
      g_ptr_array_add (segments, segment);
    }
  ek_test_wait_for_predicate (nothing_pending, outbox, 60000, "the outbox");

  /* On the server, segment 1's bytes rot and segment 2's upload disappears. */
  id1 = upload_id_of (outbox, 1, &url1);
  id2 = upload_id_of (outbox, 2, &url2);
  bin = g_strdup_printf ("%s/uploads/%s.bin", ek_test_server_get_data_dir (f->server), id1);
  g_assert_true (g_file_get_contents (bin, &contents, &len, NULL));
  contents[len / 2] ^= 0x55;
  g_assert_true (g_file_set_contents (bin, contents, len, NULL));
  bad_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  server_sql (f, "UPDATE uploads SET stored_sha256 = ?2 WHERE upload_id = ?1", id1, bad_sha);
  server_sql (f, "DELETE FROM uploads WHERE upload_id = ?1", id2, NULL);

  /* Finish finds out (mismatch, missing) and uploads both again. */
  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);
  g_assert_true (ek_outbox_get_complete (outbox));

  uploads = check_on_server (f, outbox, segments);
  upload_id_of (outbox, 1, &url1_after);
  upload_id_of (outbox, 2, &url2_after);
  g_assert_cmpstr (url1_after, !=, url1);
  g_assert_cmpstr (url2_after, !=, url2);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
test_wrong_hash (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EkSegment) good = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, 0, 200000);
  g_autoptr(EkSegment) damaged = NULL;
  g_autoptr(EkSegment) other = ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, 2, 200000);
  g_autoptr(GError) error = NULL;
  EkTusClient *tus = make_tus (f, 1 * MIB);
  EkOutbox *outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  EkOutboxState state;

  /* A segment whose file no longer has the hash it was recorded with (damaged on
   * this disk): the server reports a mismatch, the outbox finds the local file is
   * what changed, and says so rather than loop. */
  damaged = ek_segment_new (EK_SEGMENT_STREAM_CAMERA, 1, ek_segment_get_path (other), 200000,
                            ek_segment_get_sha256 (good), 10, 20);
  ek_outbox_add_segment (outbox, good);
  ek_outbox_add_segment (outbox, damaged);

  g_test_expect_message ("ExamKiosk-Client", G_LOG_LEVEL_WARNING, "*differs from its hash*");
  g_assert_false (finish_outbox (outbox, &error));
  g_test_assert_expected_messages ();
  g_assert_error (error, EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_NOT_CONFIRMED);
  g_assert_false (ek_outbox_get_complete (outbox));

  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 0, &state, NULL, NULL));
  g_assert_cmpint (state, ==, EK_OUTBOX_STATE_CONFIRMED);
  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 1, &state, NULL, NULL));
  g_assert_cmpint (state, ==, EK_OUTBOX_STATE_REJECTED);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

/* The child of test_kill: uploads until the first segment is partly on the server,
 * then dies by SIGKILL, without any chance to clean up. */
static void
kill_child (void)
{
  const char *base_url = g_getenv ("EK_TEST_OUTBOX_BASE_URL");
  const char *db_path = g_getenv ("EK_TEST_OUTBOX_DB");
  const char *dir = g_getenv ("EK_TEST_OUTBOX_DIR");
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkApiClient) api = ek_api_client_new (base_url, clock);
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = g_strconcat (base_url, "/v1/uploads/", NULL);
  g_autoptr(EkTusClient) tus = ek_tus_client_new (http, endpoint);
  g_autoptr(EkOutbox) outbox = NULL;

  ek_api_client_login_async (api, "API-LIVE-5T6Y", "110105199001010061", NULL, ek_test_result_cb, &result);
  info = ek_api_client_login_finish (api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  ek_tus_client_set_bearer_token (tus, ek_session_info_get_session_token (info));
  ek_tus_client_set_chunk_size (tus, 256 * 1024);

  outbox = open_outbox (db_path, ek_session_info_get_session_id (info), tus, api);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(EkSegment) segment = NULL;
      g_autofree char *name = g_strdup_printf ("camera-%05u.mkv", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *sha = ek_test_sha256_file (path);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      segment = ek_segment_new (EK_SEGMENT_STREAM_CAMERA, i, path, st.st_size, sha, i * 10, i * 10 + 10);
      ek_outbox_add_segment (outbox, segment);
    }
  ek_test_wait_for_predicate (first_segment_half_sent, outbox, 60000, "the outbox");
  flush_outbox (outbox);

  kill (getpid (), SIGKILL);
  g_assert_not_reached ();
}

static void
test_kill (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  g_autoptr(JsonArray) uploads = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  EkTusClient *tus;
  EkOutbox *outbox;
  EkOutboxState state;
  guint64 offset = 0;
  JsonObject *upload;

  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (segments, ek_test_make_segment (f->dir, EK_SEGMENT_STREAM_CAMERA, i, 2 * MIB + i));

  /* The child logs in again (same session, new token) and knows only these. */
  g_setenv ("EK_TEST_OUTBOX_BASE_URL", ek_test_server_get_base_url (f->server), TRUE);
  g_setenv ("EK_TEST_OUTBOX_DB", f->db_path, TRUE);
  g_setenv ("EK_TEST_OUTBOX_DIR", f->dir, TRUE);
  ek_test_server_set_faults (f->server, "{\"throttle_bytes_per_s\": 2000000}");

  g_test_trap_subprocess ("/outbox/kill/child", 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  ek_test_server_clear_faults (f->server);

  /* Our token was replaced by the child's login: log in again. */
  g_clear_pointer (&f->session, ek_test_session_free);
  f->session = ek_test_session_login (f->server);

  tus = make_tus (f, 256 * 1024);
  outbox = open_outbox (f->db_path, f->session->session_id, tus, f->session->api);
  g_assert_cmpuint (ek_outbox_get_segments_total (outbox), ==, 3);
  g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, 0, &state, &url, &offset));
  g_assert_cmpint (state, ==, EK_OUTBOX_STATE_UPLOADING);
  g_assert_nonnull (url);
  g_assert_cmpuint (offset, >=, 1 * MIB);

  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);

  uploads = check_on_server (f, outbox, segments);
  g_assert_cmpuint (json_array_get_length (uploads), ==, 3);
  upload = ek_test_find_upload (uploads, url);
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), <=, 2 * MIB + 256 * 1024);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
test_kill_child (void)
{
  if (g_test_subprocess ())
    kill_child ();
  else
    g_test_skip ("only runs as the child of /outbox/kill");
}

static void
test_tus_node (void)
{
  g_autofree char *skip = NULL;
  g_autoptr(EkTestTusNode) node = ek_test_tus_node_start (&skip);
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(EkHttpClient) http = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  EkTusClient *tus;
  EkOutbox *outbox;

  if (node == NULL)
    {
      g_test_skip (skip);
      return;
    }

  segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_segment_unref);
  http = ek_http_client_new ();
  dir = ek_test_make_tmp_dir ();
  db_path = g_build_filename (dir, "outbox.sqlite3", NULL);
  tus = ek_tus_client_new (http, ek_test_tus_node_get_endpoint (node));
  ek_tus_client_set_chunk_size (tus, 1 * MIB);
  /* A stock tus server cannot confirm hashes: no API client. */
  outbox = open_outbox (db_path, "s-node", tus, NULL);

  /* Paused, nothing moves; the queue still fills. */
  ek_outbox_set_paused (outbox, TRUE);
  for (guint i = 0; i < 4; i++)
    {
      EkSegment *segment = ek_test_make_segment (dir, EK_SEGMENT_STREAM_CAMERA, i, 2 * MIB + i * 1111);

      ek_outbox_add_segment (outbox, segment);
      g_ptr_array_add (segments, segment);
    }
  ek_test_sleep_ms (300);
  g_assert_cmpuint (ek_outbox_get_bytes_sent (outbox), ==, 0);
  g_assert_cmpuint (ek_outbox_get_segments_pending (outbox), ==, 4);
  ek_outbox_set_paused (outbox, FALSE);

  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);
  g_assert_true (ek_outbox_get_complete (outbox));

  for (guint i = 0; i < segments->len; i++)
    {
      EkSegment *segment = g_ptr_array_index (segments, i);
      g_autofree char *url = NULL;
      g_autofree char *stored = NULL;
      EkOutboxState state;

      g_assert_true (ek_outbox_lookup_segment (outbox, EK_SEGMENT_STREAM_CAMERA, i, &state, &url, NULL));
      g_assert_cmpint (state, ==, EK_OUTBOX_STATE_UPLOADED);
      stored = ek_test_tus_node_file_sha256 (node, url);
      g_assert_cmpstr (stored, ==, ek_segment_get_sha256 (segment));
    }

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
  ek_test_remove_tree (dir);
}

/* Killed at the worst moments (issue 15, item 3). The test hook of test-hooks builds
 * (EK_TEST_TUS_KILL_AT, see ek-tus-client.c) kills the child right after the server
 * answered a creation POST (its URL not stored yet), or right after the outbox
 * committed a new URL and before the first PATCH. A restarted outbox on the same
 * database must then bring every segment to @tus/server exactly once: one upload per
 * segment holds its bytes, nothing is sent twice, and an upload left behind by the
 * kill (created, never stored) is empty. */

#define KILL_SEGMENTS     3
#define KILL_SEGMENT_SIZE (1 * MIB + 300 * 1024)
#define KILL_CHUNK_SIZE   (512 * 1024)

static EkSegment *
segment_from_file (const char *dir,
                   guint       index)
{
  g_autofree char *name = g_strdup_printf ("camera-%05u.mkv", index);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *sha = ek_test_sha256_file (path);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return ek_segment_new (EK_SEGMENT_STREAM_CAMERA, index, path, st.st_size, sha,
                         index * 10, index * 10 + 10);
}

/* Adds the segments and waits until @tus/server has every byte (or the hook kills). */
static void
upload_to_node (const char *endpoint,
                const char *db_path,
                const char *dir,
                const char *session_id)
{
  g_autoptr(EkHttpClient) http = ek_http_client_new ();
  g_autoptr(GError) error = NULL;
  EkTusClient *tus = ek_tus_client_new (http, endpoint);
  EkOutbox *outbox;

  ek_tus_client_set_chunk_size (tus, KILL_CHUNK_SIZE);
  ek_tus_client_set_backoff (tus, 10, 200);
  outbox = open_outbox (db_path, session_id, tus, NULL);
  for (guint i = 0; i < KILL_SEGMENTS; i++)
    {
      g_autoptr(EkSegment) segment = segment_from_file (dir, i);

      ek_outbox_add_segment (outbox, segment);
    }
  g_assert_true (finish_outbox (outbox, &error));
  g_assert_no_error (error);

  g_assert_finalize_object (outbox);
  g_assert_finalize_object (tus);
}

static void
test_kill_at_child (void)
{
  if (!g_test_subprocess ())
    {
      g_test_skip ("only runs as the child of /outbox/kill-at/*");
      return;
    }
  upload_to_node (g_getenv ("EK_TEST_OUTBOX_ENDPOINT"), g_getenv ("EK_TEST_OUTBOX_DB"),
                  g_getenv ("EK_TEST_OUTBOX_DIR"), g_getenv ("EK_TEST_OUTBOX_SESSION"));
  g_assert_not_reached ();   /* the hook kills before the end */
}

/* The tus URL the database holds for segment @index, straight from SQLite. */
static char *
stored_url (const char *db_path,
            guint       index)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *url = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT tus_url FROM segments WHERE idx = ?1", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int (stmt, 1, index);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    url = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return url;
}

static const char *
upload_meta (JsonObject *upload,
             const char *key)
{
  JsonObject *metadata = json_object_get_object_member (upload, "metadata");

  return metadata != NULL ? json_object_get_string_member_with_default (metadata, key, "") : "";
}

typedef struct
{
  const char *hook;          /* EK_TEST_TUS_KILL_AT */
  guint       killed_index;  /* the segment being created when the hook fires */
  gboolean    url_stored;    /* whether that segment's URL is on disk after the kill */
} KillCase;

static const KillCase kill_cases[] = {
  { "created", 0, FALSE },
  { "created:2", 1, FALSE },
  { "url-saved", 0, TRUE },
  { "url-saved:3", 2, TRUE },
};

static void
test_kill_at (gconstpointer data)
{
  const KillCase *kc = data;
  g_autofree char *skip = NULL;
  g_autoptr(EkTestTusNode) node = NULL;
  g_autoptr(JsonArray) uploads = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *killed_url = NULL;
  g_autofree char *session_id = NULL;
  guint abandoned = 0;

#ifndef EK_ENABLE_TEST_HOOKS
  g_test_skip ("the kill points are test hooks: build with -Dtest_hooks=true");
  return;
#endif

  node = ek_test_tus_node_start (&skip);
  if (node == NULL)
    {
      g_test_skip (skip);
      return;
    }

  dir = ek_test_make_tmp_dir ();
  db_path = g_build_filename (dir, "outbox.sqlite3", NULL);
  session_id = g_strdup_printf ("s-kill-%u", (guint) (kc - kill_cases));
  for (guint i = 0; i < KILL_SEGMENTS; i++)
    ek_segment_unref (ek_test_make_segment (dir, EK_SEGMENT_STREAM_CAMERA, i, KILL_SEGMENT_SIZE + i));

  /* First run: killed by the hook. */
  g_setenv ("EK_TEST_OUTBOX_ENDPOINT", ek_test_tus_node_get_endpoint (node), TRUE);
  g_setenv ("EK_TEST_OUTBOX_DB", db_path, TRUE);
  g_setenv ("EK_TEST_OUTBOX_DIR", dir, TRUE);
  g_setenv ("EK_TEST_OUTBOX_SESSION", session_id, TRUE);
  g_setenv ("EK_TEST_TUS_KILL_AT", kc->hook, TRUE);
  g_test_trap_subprocess ("/outbox/kill-at/child", 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("EK_TEST_TUS_KILL_AT");
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr_unmatched ("*ERROR*");

  /* What the kill left: the URL on disk or not, and never a byte at it. */
  killed_url = stored_url (db_path, kc->killed_index);
  g_assert_true ((killed_url != NULL) == kc->url_stored);
  uploads = ek_test_tus_node_list_uploads (node);
  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);

      if (g_str_equal (upload_meta (upload, "session"), session_id) &&
          g_ascii_strtoull (upload_meta (upload, "segment"), NULL, 10) == kc->killed_index)
        g_assert_cmpint (json_object_get_int_member (upload, "stored_bytes"), ==, 0);
    }
  g_clear_pointer (&uploads, json_array_unref);

  /* The restart, in this process (no hook set): every segment gets there. */
  upload_to_node (ek_test_tus_node_get_endpoint (node), db_path, dir, session_id);

  uploads = ek_test_tus_node_list_uploads (node);
  for (guint i = 0; i < KILL_SEGMENTS; i++)
    {
      g_autoptr(EkSegment) segment = segment_from_file (dir, i);
      g_autofree char *index = g_strdup_printf ("%u", i);
      g_autofree char *url = stored_url (db_path, i);
      guint creations = 0, complete = 0;
      gint64 bytes = 0;

      for (guint j = 0; j < json_array_get_length (uploads); j++)
        {
          JsonObject *upload = json_array_get_object_element (uploads, j);
          gint64 stored = json_object_get_int_member (upload, "stored_bytes");

          if (!g_str_equal (upload_meta (upload, "session"), session_id) ||
              !g_str_equal (upload_meta (upload, "segment"), index))
            continue;
          creations++;
          bytes += stored;
          if (stored == (gint64) ek_segment_get_size (segment))
            {
              complete++;
              g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==,
                               ek_segment_get_sha256 (segment));
              g_assert_true (g_str_has_suffix (url, json_object_get_string_member (upload, "id")));
            }
          else
            {
              /* Left by the kill: created, never stored, so never sent to. */
              g_assert_cmpint (stored, ==, 0);
              abandoned++;
            }
        }

      g_test_message ("%s: segment %u: %u creation(s) on the server, %" G_GINT64_FORMAT " bytes stored",
                      kc->hook, i, creations, bytes);
      /* Exactly once on the server, and no byte of it twice. */
      g_assert_cmpuint (complete, ==, 1);
      g_assert_cmpint (bytes, ==, (gint64) ek_segment_get_size (segment));
      if (i == kc->killed_index && kc->url_stored)
        g_assert_cmpstr (url, ==, killed_url);   /* resumed, not created again */
    }

  /* Only a kill between the creation and the commit can leave one (empty) upload. */
  g_test_message ("%s: %u abandoned empty upload(s) on the server", kc->hook, abandoned);
  g_assert_cmpuint (abandoned, ==, kc->url_stored ? 0 : 1);

  ek_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/outbox/upload-and-finish", test_upload_and_finish);
  ADD ("/outbox/faults", test_faults);
  ADD ("/outbox/network-loss", test_network_loss);
  ADD ("/outbox/restart", test_restart);
  ADD ("/outbox/mismatch", test_mismatch);
  ADD ("/outbox/wrong-hash", test_wrong_hash);
  ADD ("/outbox/kill", test_kill);
  g_test_add_func ("/outbox/kill/child", test_kill_child);
  g_test_add_func ("/outbox/tus-node", test_tus_node);
  g_test_add_func ("/outbox/kill-at/child", test_kill_at_child);
  for (gsize i = 0; i < G_N_ELEMENTS (kill_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/outbox/kill-at/%s", kill_cases[i].hook);

      g_strdelimit (path + strlen ("/outbox/kill-at/"), ":", '-');
      g_test_add_data_func (path, &kill_cases[i], test_kill_at);
    }

#undef ADD

  return g_test_run ();
}
