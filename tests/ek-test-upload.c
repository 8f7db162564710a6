/* ek-test-upload.c: what the upload tests share */

#include "config.h"

#include "ek-test-upload.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define LOGIN_EXAM_TOKEN   "API-LIVE-5T6Y"
#define LOGIN_ID_NUMBER    "110105199001010061"
#define NODE_START_TIMEOUT_US (30 * G_USEC_PER_SEC)

struct _EkTestTusNode
{
  GPid   pid;
  char  *tmp_dir;       /* owned, removed at the end */
  char  *files_dir;
  char  *endpoint;
};

/* Session */

EkTestSession *
ek_test_session_login (EkTestServer *server)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  EkTestSession *session = g_new0 (EkTestSession, 1);

  session->api = ek_api_client_new (ek_test_server_get_base_url (server), clock);
  ek_api_client_login_async (session->api, LOGIN_EXAM_TOKEN, LOGIN_ID_NUMBER, NULL,
                             ek_test_result_cb, &result);
  info = ek_api_client_login_finish (session->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);

  session->session_id = g_strdup (ek_session_info_get_session_id (info));
  session->token = g_strdup (ek_session_info_get_session_token (info));
  g_assert_nonnull (session->token);

  return session;
}

void
ek_test_session_free (EkTestSession *session)
{
  if (session == NULL)
    return;

  g_assert_finalize_object (session->api);
  g_free (session->session_id);
  g_free (session->token);
  g_free (session);
}

/* Files */

char *
ek_test_sha256_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);

  if (mapped == NULL)
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                      (const guchar *) g_mapped_file_get_contents (mapped),
                                      g_mapped_file_get_length (mapped));
}

/**
 * ek_test_write_random_file:
 *
 * Returns: (transfer full): the path of a new file of @size random bytes
 */
char *
ek_test_write_random_file (const char  *dir,
                           const char  *name,
                           gsize        size,
                           char       **out_sha256)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint32 *data = g_new (guint32, size / 4 + 1);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_random_int ();

  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);

  if (out_sha256 != NULL)
    *out_sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, size);
  return g_steal_pointer (&path);
}

EkSegment *
ek_test_make_segment (const char *dir,
                      const char *stream,
                      guint       index,
                      gsize       size)
{
  g_autofree char *name = g_strdup_printf ("%s-%05u.mkv", stream, index);
  g_autofree char *sha = NULL;
  g_autofree char *path = ek_test_write_random_file (dir, name, size, &sha);
  gint64 start_ns = (gint64) index * 10 * G_GINT64_CONSTANT (1000000000);

  return ek_segment_new (stream, index, path, size, sha, start_ns,
                         start_ns + 10 * G_GINT64_CONSTANT (1000000000));
}

/* The reference server's view of the uploads */

JsonArray *
ek_test_server_get_uploads (EkTestServer *server,
                            const char   *session_id)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (server, session_id);
  JsonArray *uploads = json_object_get_array_member (session, "uploads");

  g_assert_nonnull (uploads);
  return json_array_ref (uploads);
}

/**
 * ek_test_find_upload:
 * @url: the upload URL the client got
 *
 * Returns: (transfer none) (nullable): the admin record of that upload
 */
JsonObject *
ek_test_find_upload (JsonArray  *uploads,
                     const char *url)
{
  const char *id = strrchr (url, '/');

  g_assert_nonnull (id);
  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);

      if (g_str_equal (json_object_get_string_member (upload, "upload_id"), id + 1))
        return upload;
    }
  return NULL;
}

/* The stock tus server */

static gboolean
node_is_recent_enough (const char *node)
{
  const char *argv[] = { node, "--version", NULL };
  g_autofree char *out = NULL;
  guint major = 0, minor = 0;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL) || status != 0)
    return FALSE;
  if (sscanf (out, "v%u.%u", &major, &minor) != 2)
    return FALSE;
  return major > 20 || (major == 20 && minor >= 19);
}

static gboolean
files_equal (const char *a,
             const char *b)
{
  g_autofree char *ca = NULL;
  g_autofree char *cb = NULL;
  gsize la, lb;

  return g_file_get_contents (a, &ca, &la, NULL) && g_file_get_contents (b, &cb, &lb, NULL) &&
         la == lb && memcmp (ca, cb, la) == 0;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_file_get_contents (from, &contents, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (to, contents, len, &error);
  g_assert_no_error (error);
}

/* Installs tests/tus-node into BUILDDIR/tus-node with `npm ci`, once: later runs find
 * the same package-lock.json there and skip it. A lock file keeps two test programs
 * that start at the same time from installing over each other. */
static char *
install_tus_node (const char *npm)
{
  g_autofree char *src = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "tus-node", NULL);
  g_autofree char *dir = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "tus-node", NULL);
  g_autofree char *lock_path = g_build_filename (dir, ".install-lock", NULL);
  g_autofree char *stamp = g_build_filename (dir, "installed-package-lock.json", NULL);
  g_autofree char *src_lock = g_build_filename (src, "package-lock.json", NULL);
  g_autofree char *installed = g_build_filename (dir, "node_modules", "@tus", "server", "package.json", NULL);
  const char *files[] = { "package.json", "package-lock.json", "server.mjs" };
  int lock_fd;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint (lock_fd, >=, 0);
  g_assert_cmpint (flock (lock_fd, LOCK_EX), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (src, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);

      if (!files_equal (from, to))
        copy_file (from, to);
    }

  if (!g_file_test (installed, G_FILE_TEST_EXISTS) || !files_equal (src_lock, stamp))
    {
      g_autofree char *cache = g_build_filename (dir, ".npm-cache", NULL);
      const char *argv[] = { npm, "ci", "--no-audit", "--no-fund", "--loglevel=error",
                             "--cache", cache, "--prefix", dir, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_test_message ("Installing @tus/server with npm ci into %s", dir);
      g_spawn_sync (dir, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                    &status, &error);
      g_assert_no_error (error);
      if (!g_spawn_check_wait_status (status, NULL))
        g_error ("npm ci in %s failed:\n%s%s", dir, out, err);
      copy_file (src_lock, stamp);
    }

  flock (lock_fd, LOCK_UN);
  close (lock_fd);

  return g_steal_pointer (&dir);
}

/**
 * ek_test_tus_node_start:
 * @out_skip_reason: (out): why there is no server, when it returns %NULL
 *
 * Returns: (nullable): a running @tus/server, or %NULL only when node or npm are
 *   missing (the test should then skip); a failing install fails the test
 */
EkTestTusNode *
ek_test_tus_node_start (char **out_skip_reason)
{
  return ek_test_tus_node_start_full (out_skip_reason, 0);
}

/**
 * ek_test_tus_node_start_full:
 * @max_body: when not 0, a PATCH with a larger body gets 413 (a proxy's limit)
 */
EkTestTusNode *
ek_test_tus_node_start_full (char    **out_skip_reason,
                             guint64   max_body)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *npm = g_find_program_in_path ("npm");
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *max_body_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max_body);
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  EkTestTusNode *tus;
  gint64 deadline;

  if (node == NULL || npm == NULL)
    {
      *out_skip_reason = g_strdup ("node and npm are needed for the stock tus server (@tus/server)");
      return NULL;
    }
  if (!node_is_recent_enough (node))
    {
      *out_skip_reason = g_strdup ("@tus/server needs Node.js 20.19 or later");
      return NULL;
    }

  dir = install_tus_node (npm);
  script = g_build_filename (dir, "server.mjs", NULL);

  tus = g_new0 (EkTestTusNode, 1);
  tus->tmp_dir = ek_test_make_tmp_dir ();
  tus->files_dir = g_build_filename (tus->tmp_dir, "files", NULL);
  port_file = g_build_filename (tus->tmp_dir, "port", NULL);

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *) "--dir");
  g_ptr_array_add (argv, tus->files_dir);
  g_ptr_array_add (argv, (char *) "--port-file");
  g_ptr_array_add (argv, port_file);
  if (max_body > 0)
    {
      g_ptr_array_add (argv, (char *) "--max-body");
      g_ptr_array_add (argv, max_body_text);
    }
  g_ptr_array_add (argv, NULL);

  /* Its stdout goes to our stderr: stdout is the TAP stream. */
  g_spawn_async_with_fds (dir, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                          NULL, NULL, &tus->pid, -1, STDERR_FILENO, STDERR_FILENO, &error);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + NODE_START_TIMEOUT_US;
  for (;;)
    {
      g_autofree char *contents = NULL;
      guint64 port;
      int status;

      if (g_file_get_contents (port_file, &contents, NULL, NULL) &&
          g_ascii_string_to_unsigned (g_strstrip (contents), 10, 1, G_MAXUINT16, &port, NULL))
        {
          tus->endpoint = g_strdup_printf ("http://127.0.0.1:%u/files/", (guint) port);
          break;
        }
      if (waitpid (tus->pid, &status, WNOHANG) == tus->pid)
        g_error ("the @tus/server wrapper exited at start (status %d)", status);
      if (g_get_monotonic_time () > deadline)
        g_error ("the @tus/server wrapper did not start within 30 s");
      g_usleep (20 * 1000);
    }

  return tus;
}

void
ek_test_tus_node_stop (EkTestTusNode *tus)
{
  int status;

  if (tus == NULL)
    return;

  kill (tus->pid, SIGTERM);
  if (waitpid (tus->pid, &status, 0) != tus->pid)
    g_error ("waitpid: %s", g_strerror (errno));
  g_spawn_close_pid (tus->pid);

  ek_test_remove_tree (tus->tmp_dir);
  g_free (tus->tmp_dir);
  g_free (tus->files_dir);
  g_free (tus->endpoint);
  g_free (tus);
}

const char *
ek_test_tus_node_get_endpoint (EkTestTusNode *tus)
{
  return tus->endpoint;
}

/**
 * ek_test_tus_node_file_sha256:
 *
 * Returns: (nullable): the SHA-256 of what @tus/server stored for @upload_url
 */
char *
ek_test_tus_node_file_sha256 (EkTestTusNode *tus,
                              const char    *upload_url)
{
  const char *id = strrchr (upload_url, '/');
  g_autofree char *path = NULL;

  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (upload_url, tus->endpoint));
  path = g_build_filename (tus->files_dir, id + 1, NULL);
  return ek_test_sha256_file (path);
}

/**
 * ek_test_tus_node_list_uploads:
 *
 * Every upload @tus/server created, read from its FileStore folder: the stored
 * `ID.json` (id, size, metadata with its values decoded, ...) plus `stored_bytes`
 * (the size of the data file) and `stored_sha256`.
 *
 * Returns: (transfer full): the uploads, in no particular order
 */
JsonArray *
ek_test_tus_node_list_uploads (EkTestTusNode *tus)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *uploads = json_array_new ();
  const char *name;

  dir = g_dir_open (tus->files_dir, 0, &error);
  if (dir == NULL && g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return uploads;
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *info_path = NULL;
      g_autofree char *data_path = NULL;
      g_autofree char *id = NULL;
      g_autofree char *sha = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *upload;
      GStatBuf st;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      id = g_strndup (name, strlen (name) - strlen (".json"));
      info_path = g_build_filename (tus->files_dir, name, NULL);
      data_path = g_build_filename (tus->files_dir, id, NULL);

      json_parser_load_from_file (parser, info_path, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      upload = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
      json_object_set_int_member (upload, "stored_bytes",
                                  g_stat (data_path, &st) == 0 ? (gint64) st.st_size : -1);
      sha = ek_test_sha256_file (data_path);
      json_object_set_string_member (upload, "stored_sha256", sha != NULL ? sha : "");
      json_array_add_object_element (uploads, upload);
    }

  return uploads;
}
