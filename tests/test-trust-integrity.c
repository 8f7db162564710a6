/* test-trust-integrity.c: the client integrity header (docs/protocol.md section 1.2)
 *
 * /trust/integrity/mac             the MAC and the policy hash against values computed
 *                                  apart (Python's hmac and json), the header's shape
 * /trust/integrity/unknown-build   a server that knows other builds refuses this one,
 *                                  public calls and login alike, with the reason and the
 *                                  kiosk's own message
 * /trust/integrity/session         a known build logs in, gets a key and nonce, and every
 *                                  session call verifies; a wrong key, another policy or
 *                                  no header is refused with its reason; the key survives
 *                                  a restart through the keyring (engine re-entry)
 * /trust/integrity/tus             the recording uploads carry the header too: an upload
 *                                  signed with the session's key goes through (creation,
 *                                  HEAD, PATCH); one without the header, one whose PATCH
 *                                  names another build and one under a wrong key are
 *                                  refused with the reason and the kiosk's own message,
 *                                  and not a byte of them is stored
 * /trust/integrity/modified-binary exam-kiosk and a copy with bytes appended run
 *                                  --self-check against a server that knows only the
 *                                  original: each prints its own SHA-256, the copy is
 *                                  refused
 */

#include "config.h"

#include <sys/wait.h>

#include <glib/gstdio.h>

#include "ek-api-client.h"
#include "ek-engine.h"
#include "ek-integrity.h"
#include "ek-test-server.h"
#include "ek-tus-client.h"

#define LIVE_TOKEN "API-LIVE-5T6Y"
#define LIVE_ID    "110105199001010053"
#define ENGINE_TOKEN "ENGINE-LIVE-4R8T"
#define ENGINE_ID    "11010519491231002X"

static char *
self_hash (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *hash;

  ek_integrity_self_hash_async (NULL, ek_test_result_cb, &result);
  hash = ek_integrity_self_hash_finish (ek_test_wait (&result), &error);
  g_assert_no_error (error);
  return g_strdup (hash);
}

static char *
kiosk_path (void)
{
  return g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "..", "exam-kiosk", NULL);
}

static EkTestServer *
start_server (const char *allowed_1,
              const char *allowed_2)
{
  const char *args[] = { "--allowed-build", allowed_1, "--allowed-build", allowed_2, NULL };
  EkTestServerOptions options = { .args = args };

  if (allowed_2 == NULL)
    args[2] = NULL;
  return ek_test_server_start (&options);
}

static EkApiClient *
new_api (EkTestServer *server)
{
  EkApiClient *api = ek_api_client_new (ek_test_server_get_base_url (server), NULL);

  ek_api_client_set_retry_policy (api, 2, 20, 100);
  return api;
}

static EkSessionInfo *
login (EkApiClient  *api,
       GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_login_async (api, LIVE_TOKEN, LIVE_ID, NULL, ek_test_result_cb, &result);
  return ek_api_client_login_finish (api, ek_test_wait (&result), error);
}

static EkSessionInfo *
get_session (EkApiClient  *api,
             GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_api_client_get_session_async (api, NULL, ek_test_result_cb, &result);
  return ek_api_client_get_session_finish (api, ek_test_wait (&result), error);
}

static void
test_mac (void)
{
  static const guint8 key_data[32] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31 };
  g_autoptr(GBytes) key = g_bytes_new_static (key_data, sizeof key_data);
  g_autofree char *a = g_strnfill (64, 'a');
  g_autofree char *b = g_strnfill (64, 'b');
  g_autofree char *mac = NULL;
  g_autofree char *header = NULL;
  g_autofree char *bare = NULL;
  g_autofree char *policy = NULL;
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* Python: hmac.new(bytes(range(32)), "\n".join([...]).encode(), sha256) */
  mac = ek_integrity_mac (key, "nonce-0123456789abcdef", a, b, "GET",
                          "/v1/session/questions?phase=reading");
  g_assert_cmpstr (mac, ==, "43cb0a4bee4c2639e37996c18fc225cee1525a9a4a515007503b2fe4a1ad5e09");

  header = ek_integrity_header_value (a, b, "nonce-0123456789abcdef", key, "GET",
                                      "/v1/session/questions?phase=reading");
  g_assert_true (g_str_has_prefix (header, "v=1; exe=aaaa"));
  g_assert_nonnull (strstr (header, "; nonce=nonce-0123456789abcdef; mac=43cb0a4b"));
  bare = ek_integrity_header_value (a, NULL, NULL, NULL, "GET", "/v1/time");
  g_assert_cmpstr (bare, ==, "v=1; exe=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

  /* Members other than lockdown and proctoring do not count; their order is kept.
   * Python: json.dumps({...}, separators=(",", ":")) */
  g_assert_true (json_parser_load_from_data (parser,
    "{\"id\":\"x\",\"proctoring\":{\"voice_s\":5},\"title\":\"t\","
    "\"lockdown\":{\"relaxed\":false,\"monitor_rule\":\"exactly_one\",\"grace_ms\":2000}}", -1, NULL));
  exam = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  policy = ek_integrity_policy_hash (exam);
  g_assert_cmpstr (policy, ==, "9d8e778e1b2a716bdde39955c2957996cbe278e383fbadd79f49bf14cc9987f1");

  g_assert_true (ek_integrity_nonce_is_valid ("AbC-_.0123456789xyz"));
  g_assert_false (ek_integrity_nonce_is_valid ("short"));
  g_assert_false (ek_integrity_nonce_is_valid ("has a space 0123456789"));
  g_assert_false (ek_integrity_nonce_is_valid ("semi;colon0123456789"));
}

static void
test_unknown_build (void)
{
  g_autofree char *kiosk = kiosk_path ();
  g_autofree char *kiosk_hash = ek_integrity_hash_file (kiosk, NULL, NULL);
  g_autoptr(EkTestServer) server = start_server (kiosk_hash, NULL);
  g_autoptr(EkApiClient) api = new_api (server);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autofree char *expected = ek_api_client_refused_message ("unknown_build");

  g_assert_nonnull (kiosk_hash);
  g_free (self_hash ());

  ek_api_client_health_async (api, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_api_client_health_finish (api, ek_test_wait (&result), NULL, NULL, NULL, &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CLIENT_REFUSED);
  g_assert_cmpstr (ek_api_error_get_reason (error), ==, "unknown_build");
  g_assert_cmpuint (ek_api_error_get_http_status (error), ==, 403);
  g_clear_error (&error);

  info = login (api, &error);
  g_assert_null (info);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CLIENT_REFUSED);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_false (ek_api_error_is_transient (error));
  g_assert_false (ek_api_client_has_session_token (api));
}

static void
test_session (void)
{
  g_autofree char *hash = self_hash ();
  g_autofree char *other = g_strnfill (64, 'f');
  g_autoptr(EkTestServer) server = start_server (other, hash);
  g_autoptr(EkApiClient) api = new_api (server);
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkSessionInfo) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *wrong_key = NULL;
  g_autofree char *wrong_policy = g_strnfill (64, '0');
  guint8 zero[32] = { 0 };

  info = login (api, &error);
  g_assert_no_error (error);
  g_assert_true (ek_api_client_export_integrity (api, &key_b64, &nonce, &policy));
  g_assert_cmpuint (strlen (policy), ==, 64);
  again = get_session (api, &error);
  g_assert_no_error (error);
  g_clear_object (&again);

  /* The server saw this very build. */
  admin = ek_test_server_get_session (server, ek_session_info_get_session_id (info));
  g_assert_cmpstr (json_object_get_string_member (admin, "client_build"), ==, hash);

  /* A key that is not the session's: refused. */
  wrong_key = g_base64_encode (zero, sizeof zero);
  g_assert_true (ek_api_client_set_integrity (api, wrong_key, nonce, NULL));
  again = get_session (api, &error);
  g_assert_null (again);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CLIENT_REFUSED);
  g_assert_cmpstr (ek_api_error_get_reason (error), ==, "bad_signature");
  g_clear_error (&error);

  /* The right key, another policy than the exam's: refused. */
  g_assert_true (ek_api_client_set_integrity (api, key_b64, nonce, wrong_policy));
  again = get_session (api, &error);
  g_assert_null (again);
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_CLIENT_REFUSED);
  g_assert_cmpstr (ek_api_error_get_reason (error), ==, "policy_mismatch");
  g_clear_error (&error);

  /* Malformed keys and nonces are not taken. */
  g_assert_false (ek_api_client_set_integrity (api, "c2hvcnQ=", nonce, NULL));
  g_assert_false (ek_api_client_set_integrity (api, key_b64, "bad nonce", NULL));

  /* Back to the session's own: accepted again. */
  g_assert_true (ek_api_client_set_integrity (api, key_b64, nonce, policy));
  again = get_session (api, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

/* --- the tus uploads ------------------------------------------------------ */

typedef struct
{
  EkApiClient *api;         /* borrowed */
  char        *exe;         /* nullable: sign as this build instead of the running one */
  gboolean     switch_on_create; /* after the creation POST, sign as @exe */
  gboolean     created;
} Signer;

static void
sign_cb (EkHttpRequest *request,
         const char    *path,
         gpointer       user_data)
{
  Signer *signer = user_data;
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *policy = NULL;
  g_autofree guchar *key = NULL;
  g_autofree char *value = NULL;
  g_autoptr(GBytes) key_bytes = NULL;
  gsize key_len = 0;

  if (signer->exe == NULL || (signer->switch_on_create && !signer->created))
    {
      ek_api_client_sign_request (signer->api, request, path);
      return;
    }
  /* Another build's header under the session's own key: what a modified kiosk that
   * hashes itself honestly sends. */
  g_assert_true (ek_api_client_export_integrity (signer->api, &key_b64, &nonce, &policy));
  key = g_base64_decode (key_b64, &key_len);
  key_bytes = g_bytes_new (key, key_len);
  value = ek_integrity_header_value (signer->exe, policy, nonce, key_bytes,
                                     ek_http_request_get_method (request), path);
  ek_http_request_add_header (request, EK_INTEGRITY_HEADER, value);
}

static void
on_upload_event_cb (EkTusUploadEvent  event,
                    const char       *url,
                    guint64           offset,
                    guint64           sending,
                    gpointer          user_data)
{
  Signer *signer = user_data;

  if (event == EK_TUS_UPLOAD_CREATED)
    signer->created = TRUE;
}

static char *
tus_upload (EkTusClient  *tus,
            const char   *path,
            gsize         size,
            const char   *session_id,
            const char   *sha,
            const char   *resume_url,
            Signer       *signer,
            GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  const char *metadata[] = { "session", session_id, "stream", "camera", "segment", "0",
                             "sha256", sha, "filename", "camera-00000.mkv", NULL };

  ek_tus_client_upload_async (tus, path, size, metadata, resume_url, on_upload_event_cb, signer,
                              NULL, NULL, ek_test_result_cb, &result);
  return ek_tus_client_upload_finish (tus, ek_test_wait (&result), error);
}

static JsonObject *
find_upload (JsonObject *session,
             const char *url)
{
  JsonArray *uploads = json_object_get_array_member (session, "uploads");

  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);

      if (g_str_has_suffix (url, json_object_get_string_member (upload, "upload_id")))
        return upload;
    }
  return NULL;
}

static void
test_tus (void)
{
  g_autofree char *hash = self_hash ();
  g_autofree char *other = g_strnfill (64, 'e');
  g_autoptr(EkTestServer) server = start_server (other, hash);
  g_autoptr(EkApiClient) api = new_api (server);
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(EkTusClient) tus = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "camera-00000.mkv", NULL);
  g_autofree char *sha = NULL;
  g_autofree char *url = NULL;
  g_autofree char *refused_url = NULL;
  g_autofree char *unknown = ek_api_client_refused_message ("unknown_build");
  g_autofree char *unverified = ek_api_client_refused_message ("bad_signature");
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *policy = NULL;
  g_autofree char *wrong_key = NULL;
  g_autofree guint8 *data = g_malloc (300000);
  Signer good = { 0 };
  Signer modified = { 0 };
  guint8 zero[32] = { 0 };
  const char *session_id;
  JsonObject *upload;

  for (guint i = 0; i < 300000; i++)
    data[i] = (guint8) g_random_int ();
  g_assert_true (g_file_set_contents (path, (const char *) data, 300000, NULL));
  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, 300000);

  info = login (api, &error);
  g_assert_no_error (error);
  session_id = ek_session_info_get_session_id (info);
  endpoint = g_strconcat (ek_test_server_get_base_url (server), "/v1/uploads/", NULL);
  tus = ek_tus_client_new (ek_api_client_get_http_client (api), endpoint);
  ek_tus_client_set_bearer_token (tus, ek_api_client_get_session_token (api));
  ek_tus_client_set_chunk_size (tus, 100000);
  ek_tus_client_set_backoff (tus, 10, 50);
  ek_tus_client_set_max_attempts (tus, 2);

  /* No header: the creation is refused (the same message as for a build that is not
   * a released one). */
  url = tus_upload (tus, path, 300000, session_id, sha, NULL, &good, &error);
  g_assert_null (url);
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==, unknown);
  g_clear_error (&error);

  /* Created by this build, then the PATCHes come from another one: refused, and
   * nothing of them is stored. */
  good.api = api;
  modified.api = api;
  modified.exe = g_strnfill (64, 'd');
  modified.switch_on_create = TRUE;
  ek_tus_client_set_request_func (tus, sign_cb, &modified, NULL);
  refused_url = tus_upload (tus, path, 300000, session_id, sha, NULL, &modified, &error);
  g_assert_null (refused_url);
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==, unknown);
  g_clear_error (&error);
  g_assert_true (modified.created);
  admin = ek_test_server_get_session (server, session_id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (admin, "uploads")), ==, 1);
  upload = json_array_get_object_element (json_object_get_array_member (admin, "uploads"), 0);
  g_assert_cmpint (json_object_get_int_member (upload, "received_bytes"), ==, 0);
  g_clear_pointer (&admin, json_object_unref);
  g_free (modified.exe);

  /* The right build and key: created, PATCHed and complete. */
  ek_tus_client_set_request_func (tus, sign_cb, &good, NULL);
  url = tus_upload (tus, path, 300000, session_id, sha, NULL, &good, &error);
  g_assert_no_error (error);
  g_assert_nonnull (url);

  /* A resume (HEAD, then nothing left to send) under a wrong key: refused; a HEAD's
   * answer has no body, so the kiosk says the session is no longer accepted. */
  g_assert_true (ek_api_client_export_integrity (api, &key_b64, &nonce, &policy));
  wrong_key = g_base64_encode (zero, sizeof zero);
  g_assert_true (ek_api_client_set_integrity (api, wrong_key, nonce, NULL));
  g_free (tus_upload (tus, path, 300000, session_id, sha, url, &good, &error));
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  /* A creation under the wrong key says why. */
  g_free (tus_upload (tus, path, 300000, session_id, sha, NULL, &good, &error));
  g_assert_error (error, EK_TUS_ERROR, EK_TUS_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==, unverified);
  g_clear_error (&error);
  g_assert_true (ek_api_client_set_integrity (api, key_b64, nonce, policy));

  /* Back to the session's key: the first upload is whole on the server, with the
   * file's hash; the refused one still holds nothing. */
  g_free (tus_upload (tus, path, 300000, session_id, sha, url, &good, &error));
  g_assert_no_error (error);
  admin = ek_test_server_get_session (server, session_id);
  upload = find_upload (admin, url);
  g_assert_nonnull (upload);
  g_assert_true (json_object_get_boolean_member (upload, "complete"));
  g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (admin, "uploads")), ==, 2);
  ek_test_remove_tree (dir);
}

/* The engine keeps the key in the keyring: a restarted client re-enters with it. */
static void
test_engine_reentry (void)
{
  g_autofree char *hash = self_hash ();
  g_autoptr(EkTestServer) server = start_server (hash, NULL);
  g_autofree char *conf = g_strdup_printf ("[server]\nurl=%s\n", ek_test_server_get_base_url (server));
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(EkEngine) restarted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_1 = NULL, *nonce_1 = NULL, *policy_1 = NULL;
  g_autofree char *key_2 = NULL, *nonce_2 = NULL, *policy_2 = NULL;

  g_assert_true (ek_config_load_from_data (config, conf, -1, "test", &error));
  engine = ek_engine_new (config);
  ek_engine_login_async (engine, ENGINE_TOKEN, ENGINE_ID, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (ek_api_client_export_integrity (ek_engine_get_api (engine),
                                                 &key_1, &nonce_1, &policy_1));

  restarted = ek_engine_new (config);
  ek_engine_resume_async (restarted, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_resume_finish (restarted, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_true (ek_api_client_export_integrity (ek_engine_get_api (restarted),
                                                 &key_2, &nonce_2, &policy_2));
  g_assert_cmpstr (key_1, ==, key_2);
  g_assert_cmpstr (nonce_1, ==, nonce_2);
  g_assert_cmpstr (policy_1, ==, policy_2);
}

static JsonObject *
run_self_check (const char   *binary,
                const char   *dir,
                const char   *server_url,
                const char   *name)
{
  g_autofree char *json_path = g_strdup_printf ("%s/%s.json", dir, name);
  g_autofree char *config_path = g_strdup_printf ("%s/%s.conf", dir, name);
  g_autofree char *config = g_strdup_printf ("[storage]\ndata-dir=%s/%s-data\n", dir, name);
  const char *argv[] = { binary, "--self-check", "--config", config_path, "--json", json_path,
                         "--server", server_url, NULL };
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  env = g_environ_unsetenv (env, "DISPLAY");
  env = g_environ_setenv (env, "LANGUAGE", "en", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, json_path, &error));
  g_assert_no_error (error);
  /* The printed report names the build too. */
  g_assert_nonnull (strstr (out, "Exam program build"));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
find_check (JsonObject *report,
            const char *id)
{
  JsonArray *checks = json_object_get_array_member (report, "checks");

  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);

      if (g_str_equal (json_object_get_string_member (check, "id"), id))
        return check;
    }
  g_error ("no check %s in the report", id);
}

static void
test_modified_binary (void)
{
  g_autofree char *kiosk = kiosk_path ();
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *copy = g_build_filename (dir, "exam-kiosk", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *kiosk_hash = ek_integrity_hash_file (kiosk, NULL, NULL);
  g_autofree char *copy_hash = NULL;
  g_autofree char *refused = ek_api_client_refused_message ("unknown_build");
  g_autofree char *kiosk_value = g_strdup_printf ("SHA-256 %s", kiosk_hash);
  g_autofree char *copy_value = NULL;
  g_autoptr(EkTestServer) server = start_server (kiosk_hash, NULL);
  g_autoptr(JsonObject) original = NULL;
  g_autoptr(JsonObject) modified = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *check;
  gsize len = 0;

  /* Bytes appended after the ELF image: the program runs exactly as before, but it
   * is not the released file. */
  g_assert_true (g_file_get_contents (kiosk, &contents, &len, &error));
  contents = g_realloc (contents, len + 16);
  memcpy (contents + len, "tampered-build!\n", 16);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len + 16, &error));
  g_assert_no_error (error);
  g_assert_no_errno (g_chmod (copy, 0755));
  copy_hash = ek_integrity_hash_file (copy, NULL, NULL);
  copy_value = g_strdup_printf ("SHA-256 %s", copy_hash);
  g_assert_cmpstr (copy_hash, !=, kiosk_hash);

  original = run_self_check (kiosk, dir, ek_test_server_get_base_url (server), "original");
  check = find_check (original, "client.build");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "pass");
  g_assert_cmpstr (json_object_get_string_member (check, "value"), ==, kiosk_value);
  check = find_check (original, "network.rtt");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), !=, "fail");

  modified = run_self_check (copy, dir, ek_test_server_get_base_url (server), "modified");
  check = find_check (modified, "client.build");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "fail");
  g_assert_cmpstr (json_object_get_string_member (check, "value"), ==, copy_value);
  g_assert_cmpstr (json_object_get_string_member (check, "remedy"), ==, refused);
  /* refused, so nothing more is measured: skipped, not failed a second time */
  check = find_check (modified, "network.rtt");
  g_assert_cmpstr (json_object_get_string_member (check, "status"), ==, "skip");

  ek_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trust/integrity/mac", test_mac);
  g_test_add_func ("/trust/integrity/unknown-build", test_unknown_build);
  g_test_add_func ("/trust/integrity/session", test_session);
  g_test_add_func ("/trust/integrity/engine-reentry", test_engine_reentry);
  g_test_add_func ("/trust/integrity/tus", test_tus);
  g_test_add_func ("/trust/integrity/modified-binary", test_modified_binary);

  return g_test_run ();
}
