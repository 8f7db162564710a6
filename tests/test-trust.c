/* test-trust.c: recordings only the examining body can open (issue 18, part 1)
 *
 * The sealed format on random files of awkward sizes (round trip, a wrong key, a
 * damaged chunk, files cut anywhere, which still open up to their last whole
 * chunk); an exam whose definition carries a public key, recorded from the test
 * sources against the reference server: only sealed files on the disk and on the
 * server, the server's hash that of the ciphertext, and the server's copy opened
 * with the private key by tests/ek-decrypt decodes with GStreamer; a snapshot the
 * proctor asks for leaves sealed too, and opens into a whole JPEG; and a recorder
 * killed while sealing, whose next start seals what was left and loses nothing.
 */

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "ek-engine.h"
#include "ek-exam-recording.h"
#include "ek-seal.h"
#include "ek-test-media.h"
#include "ek-test-server.h"

#define TOKEN       "TRUST-SEAL-4P9Q"
#define ID_NUMBER   "11010519491231002X"
/* tests/data/exams/trust-recording.json; its private key is
 * tests/data/trust/examining-body.key (a test key, never a real one). */
#define PUBLIC_KEY  "uytHIIIZ4ct0pMGPezkwsjDBrBHFoORV7YOpKtcW7Cc="
#define HEADER_SIZE 116   /* format, chunk size, sealed key, stream header */
#define CHUNK       EK_SEAL_CHUNK_BYTES
#define CHUNK_OUT   (EK_SEAL_CHUNK_BYTES + 17)

static char *
key_path (const char *name)
{
  return g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "data", "trust", name, NULL);
}

static void
load_key (const char *name,
          guint8      public_key[32],
          guint8      secret_key[32])
{
  g_autofree char *path = key_path (name);
  g_autofree char *text = NULL;
  g_autofree guchar *bytes = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  bytes = g_base64_decode (g_strstrip (text), &len);
  g_assert_cmpuint (len, ==, 32);
  memcpy (secret_key, bytes, 32);
  crypto_scalarmult_base (public_key, secret_key);
}

static GBytes *
make_file (const char *path,
           gsize       size)
{
  g_autoptr(GError) error = NULL;
  guint8 *data = g_malloc (MAX (size, 1));

  randombytes_buf (data, size);
  g_assert_true (g_file_set_contents (path, (char *) data, size, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

static GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* @bytes begins with the first @len bytes of @whole. */
static void
assert_prefix (GBytes *whole,
               GBytes *bytes,
               gsize   len)
{
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, len);
  g_assert_cmpint (memcmp (g_bytes_get_data (whole, NULL), g_bytes_get_data (bytes, NULL), len),
                   ==, 0);
}

static void
seal (const char   *plain,
      const char   *sealed,
      const guint8 *public_key,
      char        **sha256,
      guint64      *size)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_seal_file (plain, sealed, public_key, size, sha256, NULL, &error));
  g_assert_no_error (error);
}

static void
test_seal_round_trip (void)
{
  static const gsize sizes[] = { 0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 200000, 3 * CHUNK };
  g_autofree char *dir = ek_test_make_tmp_dir ();
  guint8 public_key[32], secret_key[32], wrong_public[32], wrong_secret[32];

  load_key ("examining-body.key", public_key, secret_key);
  load_key ("wrong.key", wrong_public, wrong_secret);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *plain = g_strdup_printf ("%s/camera-%05u.mkv", dir, i);
      g_autofree char *sealed = g_strconcat (plain, EK_SEAL_SUFFIX, NULL);
      g_autofree char *part = g_strconcat (plain, EK_SEAL_PART_SUFFIX, NULL);
      g_autofree char *opened = g_strdup_printf ("%s/opened-%u", dir, i);
      g_autofree char *sha256 = NULL;
      g_autofree char *again_sha256 = NULL;
      g_autofree char *file_sha256 = NULL;
      g_autoptr(GBytes) content = make_file (plain, sizes[i]);
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;
      gsize chunks = MAX (1, (sizes[i] + CHUNK - 1) / CHUNK);
      guint64 size = 0, file_size = 0, opened_size = 0;

      g_test_message ("%" G_GSIZE_FORMAT " bytes", sizes[i]);
      seal (plain, sealed, public_key, &sha256, &size);
      /* The plain file is gone, the sealed one private, no .part left. */
      g_assert_false (g_file_test (plain, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (ek_test_file_mode (sealed), ==, 0600);
      g_assert_cmpuint (size, ==, HEADER_SIZE + sizes[i] + 17 * chunks);
      file_sha256 = ek_test_sha256_file (sealed, &file_size);
      g_assert_cmpstr (sha256, ==, file_sha256);
      g_assert_cmpuint (file_size, ==, size);

      /* The private key opens it whole. */
      g_assert_true (ek_seal_open_file (sealed, opened, public_key, secret_key, &opened_size,
                                        &error));
      g_assert_no_error (error);
      back = read_file (opened);
      g_assert_true (g_bytes_equal (back, content));
      g_assert_cmpuint (opened_size, ==, sizes[i]);
      g_unlink (opened);

      /* Another key opens nothing and writes nothing. */
      g_assert_false (ek_seal_open_file (sealed, opened, wrong_public, wrong_secret, NULL,
                                         &error));
      g_assert_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_KEY);
      g_clear_error (&error);
      g_assert_false (g_file_test (opened, G_FILE_TEST_EXISTS));

      /* A fresh key per file: the same content never seals the same way. */
      g_assert_true (g_file_set_contents (plain, g_bytes_get_data (content, NULL),
                                          g_bytes_get_size (content), &error));
      g_assert_no_error (error);
      g_unlink (sealed);
      seal (plain, sealed, public_key, &again_sha256, &size);
      g_assert_cmpstr (again_sha256, !=, sha256);
    }

  ek_test_remove_tree (dir);
}

/* One byte changed in the second chunk: the first still opens, then it stops. */
static void
test_seal_damaged (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *plain = g_build_filename (dir, "camera-00000.mkv", NULL);
  g_autofree char *sealed = g_strconcat (plain, EK_SEAL_SUFFIX, NULL);
  g_autofree char *opened = g_build_filename (dir, "opened", NULL);
  g_autofree char *sha256 = NULL;
  g_autoptr(GBytes) content = make_file (plain, 200000);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  guint8 public_key[32], secret_key[32];
  guint64 size = 0;
  char *data;
  gsize len;

  load_key ("examining-body.key", public_key, secret_key);
  seal (plain, sealed, public_key, &sha256, &size);

  g_assert_true (g_file_get_contents (sealed, &data, &len, &error));
  data[HEADER_SIZE + CHUNK_OUT + 1000] ^= 0x20;
  g_assert_true (g_file_set_contents (sealed, data, len, &error));
  g_assert_no_error (error);
  g_free (data);

  g_assert_false (ek_seal_open_file (sealed, opened, public_key, secret_key, &size, &error));
  g_assert_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_CORRUPT);
  back = read_file (opened);
  assert_prefix (content, back, CHUNK);

  ek_test_remove_tree (dir);
}

static int
run_decrypt (const char *key_name,
             const char *sealed,
             const char *out)
{
  g_autofree char *tool = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "ek-decrypt", NULL);
  g_autofree char *key = key_path (key_name);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              tool, key, sealed, out, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Cut anywhere, a file opens up to its last whole chunk and says it was cut. */
static void
test_seal_truncated (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *plain = g_build_filename (dir, "camera-00000.mkv", NULL);
  g_autofree char *sealed = g_strconcat (plain, EK_SEAL_SUFFIX, NULL);
  g_autofree char *cut = g_build_filename (dir, "cut", NULL);
  g_autofree char *opened = g_build_filename (dir, "opened", NULL);
  g_autofree char *sha256 = NULL;
  g_autoptr(GBytes) content = make_file (plain, 200000);
  g_autoptr(GBytes) whole = NULL;
  guint8 public_key[32], secret_key[32];
  guint64 size = 0;
  struct { gsize at; gsize opens; } cuts[] = {
    { HEADER_SIZE, 0 },                          /* the header alone */
    { HEADER_SIZE + 10, 0 },                     /* inside the first chunk */
    { HEADER_SIZE + CHUNK_OUT, CHUNK },          /* right after the first */
    { HEADER_SIZE + CHUNK_OUT + 5000, CHUNK },   /* inside the second */
    { HEADER_SIZE + 3 * CHUNK_OUT, 3 * CHUNK },  /* before the short final one */
    { 0, 3 * CHUNK },                            /* the final chunk's last byte: size - 1 */
  };

  load_key ("examining-body.key", public_key, secret_key);
  seal (plain, sealed, public_key, &sha256, &size);
  whole = read_file (sealed);
  cuts[G_N_ELEMENTS (cuts) - 1].at = size - 1;

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) back = NULL;
      guint64 opened_size = 0;

      g_test_message ("cut at %" G_GSIZE_FORMAT, cuts[i].at);
      g_assert_true (g_file_set_contents (cut, g_bytes_get_data (whole, NULL), cuts[i].at,
                                          &error));
      g_assert_no_error (error);
      g_assert_false (ek_seal_open_file (cut, opened, public_key, secret_key, &opened_size,
                                         &error));
      g_assert_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_TRUNCATED);
      g_assert_cmpuint (opened_size, ==, cuts[i].opens);
      back = read_file (opened);
      assert_prefix (content, back, cuts[i].opens);

      /* The tool says so too, and keeps what opened. */
      g_unlink (opened);
      g_assert_cmpint (run_decrypt ("examining-body.key", cut, opened), ==, 3);
      g_clear_pointer (&back, g_bytes_unref);
      back = read_file (opened);
      assert_prefix (content, back, cuts[i].opens);
    }

  /* Inside the header it is no sealed file at all. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_set_contents (cut, g_bytes_get_data (whole, NULL), 50, &error));
    g_assert_false (ek_seal_open_file (cut, opened, public_key, secret_key, NULL, &error));
    g_assert_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FORMAT);
  }

  g_assert_cmpint (run_decrypt ("examining-body.key", sealed, opened), ==, 0);
  g_assert_cmpint (run_decrypt ("wrong.key", sealed, opened), ==, 4);
  ek_test_remove_tree (dir);
}

/* --- a sealed exam against the reference server --------------------------- */

static void
step_ok (EkEngine     *engine,
         GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_engine_step_finish (engine, result, &error));
  g_assert_no_error (error);
}

static void
enter_exam (EkEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkSession *session = ek_engine_get_session (engine);

  ek_engine_login_async (engine, TOKEN, ID_NUMBER, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, &result);
  step_ok (engine, ek_test_wait (&result));
  g_clear_object (&result);

  while (ek_session_get_stage (session) == EK_SESSION_STAGE_STEPS)
    {
      ek_engine_complete_step_async (engine, ek_session_get_current_step (session), NULL,
                                     ek_test_result_cb, &result);
      step_ok (engine, ek_test_wait (&result));
      g_clear_object (&result);
    }

  ek_engine_set_devices (engine, NULL, NULL);
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  step_ok (engine, ek_test_wait (&result));
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
}

static gboolean
has_segments_sent (gpointer data)
{
  EkExamRecording *recording = ek_engine_get_recording (data);
  EkOutbox *outbox = recording ? ek_exam_recording_get_outbox (recording) : NULL;

  return outbox != NULL && ek_outbox_get_segments_total (outbox) >= 3 &&
         ek_outbox_get_bytes_sent (outbox) > 0;
}

static gboolean
is_finished (gpointer data)
{
  return ek_session_get_stage (ek_engine_get_session (data)) == EK_SESSION_STAGE_FINISHED;
}

static gboolean
is_sole_owner (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

/* Only sealed segments in @directory, none plain and no .part; returns their names. */
static GPtrArray *
assert_only_sealed (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_suffix (name, ".mkv"));
      g_assert_false (g_str_has_suffix (name, ".part"));
      if (ek_segment_parse_sealed_file_name (name, NULL, NULL))
        g_ptr_array_add (names, g_strdup (name));
    }

  return names;
}

static gboolean
has_snapshot (gpointer data)
{
  struct { EkTestServer *server; const char *session_id; } *args = data;
  g_autoptr(JsonObject) state = ek_test_server_get_session (args->server, args->session_id);

  return json_array_get_length (json_object_get_array_member (state, "snapshots")) > 0;
}

/* A JPEG's size from its start-of-frame marker; FALSE when it is not a whole JPEG. */
static gboolean
jpeg_size (GBytes *jpeg,
           guint  *width,
           guint  *height)
{
  gsize len = 0;
  const guint8 *d = g_bytes_get_data (jpeg, &len);
  gsize i = 2;

  if (len < 4 || d[0] != 0xFF || d[1] != 0xD8 || d[len - 2] != 0xFF || d[len - 1] != 0xD9)
    return FALSE;
  while (i + 9 < len && d[i] == 0xFF)
    {
      guint marker = d[i + 1];
      gsize seg = ((gsize) d[i + 2] << 8) | d[i + 3];

      if (marker >= 0xC0 && marker <= 0xC2)
        {
          *height = ((guint) d[i + 5] << 8) | d[i + 6];
          *width = ((guint) d[i + 7] << 8) | d[i + 8];
          return TRUE;
        }
      i += 2 + seg;
    }
  return FALSE;
}

/* The server holds only sealed snapshots, under the hash of their ciphertext; the
 * examining body's key opens each into a whole JPEG of the camera's picture. */
static void
check_sealed_snapshots (EkTestServer *server,
                        JsonObject   *state,
                        const char   *work)
{
  JsonArray *snapshots = json_object_get_array_member (state, "snapshots");

  g_assert_cmpuint (json_array_get_length (snapshots), >=, 1);
  for (guint i = 0; i < json_array_get_length (snapshots); i++)
    {
      JsonObject *snapshot = json_array_get_object_element (snapshots, i);
      const char *stored = json_object_get_string_member (snapshot, "path");
      g_autofree char *stored_sha256 = ek_test_sha256_file (stored, NULL);
      g_autofree char *opened = g_strdup_printf ("%s/snapshot-%u.jpg", work, i);
      g_autoptr(GBytes) head = read_file (stored);
      g_autoptr(GBytes) jpeg = NULL;
      guint width = 0, height = 0;

      g_test_message ("snapshot %s", stored);
      g_assert_true (g_str_has_suffix (stored, ".jpg.sealed"));
      g_assert_cmpstr (json_object_get_string_member (snapshot, "sha256"), ==, stored_sha256);
      g_assert_cmpint (memcmp (g_bytes_get_data (head, NULL), "EKSEAL01", 8), ==, 0);
      g_assert_cmpint (run_decrypt ("wrong.key", stored, opened), ==, 4);
      g_assert_cmpint (run_decrypt ("examining-body.key", stored, opened), ==, 0);
      jpeg = read_file (opened);
      g_assert_true (jpeg_size (jpeg, &width, &height));
      g_assert_cmpuint (width, >=, 160);
      g_assert_cmpuint (height, >=, 120);
    }
}

static void
test_sealed_exam_uploads (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *data_dir = ek_test_make_tmp_dir ();
  g_autofree char *directory = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *work = ek_test_make_tmp_dir ();
  g_autoptr(EkConfig) config = ek_test_server_new_config (server, data_dir);
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *uploads;
  EkExam *exam;
  gint64 decoded_ns = 0;

  engine = ek_engine_new (config);
  enter_exam (engine);
  exam = ek_session_get_exam (ek_engine_get_session (engine));
  g_assert_nonnull (ek_exam_get_recording_key (exam));
  session_id = g_strdup (ek_engine_get_session_id (engine));
  directory = g_strdup (ek_exam_recording_get_directory (ek_engine_get_recording (engine)));

  ek_test_wait_for_predicate (has_segments_sent, engine, 40000, "sealed segments on their way");
  /* The proctor asks for a snapshot: it leaves sealed. */
  {
    struct { EkTestServer *server; const char *session_id; } args = { server, session_id };

    ek_test_server_send_message (server, session_id, "snapshot_request", "");
    ek_test_wait_for_predicate (has_snapshot, &args, 30000, "a sealed snapshot on the server");
  }
  /* While it records: nothing plain but the segment being written. */
  {
    g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
    const char *name;
    guint plain = 0;

    while ((name = g_dir_read_name (dir)) != NULL)
      plain += g_str_has_suffix (name, ".mkv");
    g_assert_cmpuint (plain, <=, 2);
  }

  {
    g_autoptr(GAsyncResult) result = NULL;

    ek_engine_submit_async (engine, 0, NULL, ek_test_result_cb, &result);
    step_ok (engine, ek_test_wait (&result));
  }
  ek_test_wait_for_predicate (is_finished, engine, 60000, "the session to finish");

  names = assert_only_sealed (directory);
  g_assert_cmpuint (names->len, >=, 3);

  state = ek_test_server_get_session (server, session_id);
  check_sealed_snapshots (server, state, work);
  uploads = json_object_get_array_member (state, "uploads");
  g_assert_cmpuint (json_array_get_length (uploads), ==, names->len);

  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);
      const char *filename = json_object_get_string_member (upload, "filename");
      const char *stored_sha256 = json_object_get_string_member (upload, "stored_sha256");
      g_autofree char *local = g_build_filename (directory, filename, NULL);
      g_autofree char *bin_name = g_strdup_printf ("%s.bin",
                                                   json_object_get_string_member (upload, "upload_id"));
      g_autofree char *stored = g_build_filename (ek_test_server_get_data_dir (server), "uploads",
                                                  bin_name, NULL);
      g_autofree char *local_sha256 = ek_test_sha256_file (local, NULL);
      g_autofree char *server_sha256 = ek_test_sha256_file (stored, NULL);
      g_autofree char *opened = g_strdup_printf ("%s/%u.mkv", work, i);
      g_autoptr(GBytes) head = NULL;
      EkTestDecoded result = { 0 };

      g_test_message ("upload %s", filename);
      g_assert_true (ek_segment_parse_sealed_file_name (filename, NULL, NULL));
      g_assert_true (json_object_get_boolean_member (upload, "complete"));
      /* The hash the server confirms is the ciphertext's, and it has only that. */
      g_assert_cmpstr (stored_sha256, ==, local_sha256);
      g_assert_cmpstr (server_sha256, ==, local_sha256);
      g_assert_cmpstr (json_object_get_string_member (upload, "metadata_sha256"), ==,
                       local_sha256);
      head = read_file (stored);
      g_assert_cmpint (memcmp (g_bytes_get_data (head, NULL), "EKSEAL01", 8), ==, 0);

      /* Only the examining body's key opens it, and it decodes. */
      g_assert_cmpint (run_decrypt ("wrong.key", stored, opened), ==, 4);
      g_assert_cmpint (run_decrypt ("examining-body.key", stored, opened), ==, 0);
      ek_test_decode_file (opened, &result);
      g_assert_null (result.error);
      g_assert_cmpuint (result.video_frames, >, 0);
      g_assert_cmpuint (result.audio_buffers, >, 0);
      decoded_ns += result.video_end - result.video_start;
      ek_test_decoded_clear (&result);
    }
  /* Two-second segments; the first and the last may be shorter. */
  g_test_message ("%.2f s decoded from %u segments", decoded_ns / 1e9, names->len);
  g_assert_cmpint (decoded_ns, >=, (gint64) (names->len - 2) * 2 * GST_SECOND);

  ek_test_wait_for_predicate (is_sole_owner, engine, 10000, "the engine's background work");
  g_assert_finalize_object (g_steal_pointer (&engine));
  ek_test_remove_tree (work);
  ek_test_remove_tree (data_dir);
}

/* --- killed while sealing ------------------------------------------------- */

static void
on_restart_finished_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_exam_recording_finish_finish (EK_EXAM_RECORDING (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

typedef struct
{
  const char *point;            /* EK_TEST_SEAL_KILL_AT */
  const char *segment_seconds;  /* long enough for segments of several chunks */
} KillCase;

/* Records with the helper until the seal hook kills it at @point, then opens the
 * folder again as the next start of the session would. */
static void
test_killed_while_sealing (gconstpointer data)
{
#ifdef EK_ENABLE_TEST_HOOKS
  const KillCase *kc = data;
  const char *point = kc->point;
  g_autofree char *helper = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "ek-record-helper",
                                              NULL);
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *plain0 = g_build_filename (dir, "camera-00000.mkv", NULL);
  g_autofree char *sealed0 = g_strconcat (plain0, EK_SEAL_SUFFIX, NULL);
  g_autofree char *part0 = g_strconcat (plain0, EK_SEAL_PART_SUFFIX, NULL);
  g_autofree char *sealed0_sha256 = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GHashTable) plain_sha256 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(EkExamRecording) recording = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  guint8 public_key[32], secret_key[32];
  gboolean finished = FALSE;
  const char *name;

  load_key ("examining-body.key", public_key, secret_key);
  g_subprocess_launcher_setenv (launcher, "EK_RECORD_SEAL_KEY", PUBLIC_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "EK_TEST_SEAL_KILL_AT", point, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, helper, dir, "30", kc->segment_seconds,
                                         "1000", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);

  /* What the kill left: the first segment plain, beside a cut .part or a
   * complete sealed file; the next segment, open at the kill, plain (unless the
   * muxer had not opened it yet). */
  g_assert_true (g_file_test (plain0, G_FILE_TEST_EXISTS));
  if (g_str_has_prefix (point, "chunk"))
    {
      struct stat st;

      /* Cut in the middle: one whole chunk of a segment that has more. */
      g_assert_cmpint (g_stat (part0, &st), ==, 0);
      g_assert_cmpint (st.st_size, ==, HEADER_SIZE + CHUNK_OUT);
      g_assert_cmpint (g_stat (plain0, &st), ==, 0);
      g_assert_cmpint (st.st_size, >, CHUNK);
      g_assert_false (g_file_test (sealed0, G_FILE_TEST_EXISTS));
    }
  else
    {
      g_assert_true (g_file_test (sealed0, G_FILE_TEST_EXISTS));
      sealed0_sha256 = ek_test_sha256_file (sealed0, NULL);
    }

  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (ek_segment_parse_file_name (name, NULL, NULL))
      {
        g_autofree char *path = g_build_filename (dir, name, NULL);

        g_hash_table_insert (plain_sha256, g_strdup (name), ek_test_sha256_file (path, NULL));
      }
  g_assert_cmpuint (g_hash_table_size (plain_sha256), >=, 1);

  /* The next start of the session seals what is left. */
  key = g_bytes_new (public_key, sizeof public_key);
  recording = ek_exam_recording_new (dir, "trust-kill", EK_MEDIA_SOURCE_TEST, NULL, key);
  ek_exam_recording_finish_async (recording, NULL, on_restart_finished_cb, &finished);
  ek_test_wait_for_predicate (is_true, &finished, 30000, "the leftovers to be sealed");
  g_clear_object (&recording);

  names = assert_only_sealed (dir);
  g_assert_cmpuint (names->len, ==, g_hash_table_size (plain_sha256));
  if (sealed0_sha256 != NULL)
    {
      g_autofree char *now = ek_test_sha256_file (sealed0, NULL);

      /* A complete sealed file is kept as it was, not sealed again. */
      g_assert_cmpstr (now, ==, sealed0_sha256);
    }

  /* Every byte the recorder wrote opens again from the sealed files. */
  for (guint i = 0; i < names->len; i++)
    {
      const char *sealed_name = g_ptr_array_index (names, i);
      g_autofree char *plain_name = g_strndup (sealed_name,
                                               strlen (sealed_name) - strlen (EK_SEAL_SUFFIX));
      g_autofree char *sealed = g_build_filename (dir, sealed_name, NULL);
      g_autofree char *opened = g_build_filename (dir, "opened", NULL);
      g_autofree char *opened_sha256 = NULL;

      g_assert_true (ek_seal_open_file (sealed, opened, public_key, secret_key, NULL, &error));
      g_assert_no_error (error);
      opened_sha256 = ek_test_sha256_file (opened, NULL);
      g_assert_cmpstr (opened_sha256, ==, g_hash_table_lookup (plain_sha256, plain_name));
      if (g_str_equal (plain_name, "camera-00000.mkv"))
        {
          EkTestDecoded result = { 0 };

          ek_test_decode_file (opened, &result);
          g_assert_null (result.error);
          g_assert_cmpuint (result.video_frames, >, 30);
          ek_test_decoded_clear (&result);
        }
      g_unlink (opened);
    }

  ek_test_remove_tree (dir);
#else
  g_test_skip ("needs a test-hooks build (-Dtest_hooks=true)");
#endif
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  g_assert_true (ek_seal_init (NULL));

  g_test_add_func ("/trust/seal/round-trip", test_seal_round_trip);
  g_test_add_func ("/trust/seal/damaged", test_seal_damaged);
  g_test_add_func ("/trust/seal/truncated", test_seal_truncated);
  g_test_add_func ("/trust/recording/sealed-exam-uploads", test_sealed_exam_uploads);
  g_test_add_data_func ("/trust/recording/killed-mid-file", &(KillCase) { "chunk:1", "6" },
                        test_killed_while_sealing);
  g_test_add_data_func ("/trust/recording/killed-after-rename", &(KillCase) { "sealed", "2" },
                        test_killed_while_sealing);

  return g_test_run ();
}
