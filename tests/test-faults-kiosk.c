/* test-faults-kiosk.c: the kiosk through the faults of a real exam day
 *
 * A real exam-kiosk (a -Dtest_hooks=true build, driven as tests/test-e2e.c drives it)
 * against the reference server, with the faults a candidate meets: each case asserts
 * that nothing is lost (every answer on the server exactly as typed, every segment of
 * the recording confirmed by hash exactly once, the session finished) and that the
 * candidate is told what happened in a message that names it.
 *
 * /faults-kiosk/server-down  the server is down at login (refused with the reason; the
 *                 next try after it is back goes in), during the exam (answers typed
 *                 meanwhile are "saved on this computer" with the reason shown, and
 *                 arrive once it is back, with the segments recorded meanwhile) and at
 *                 the hand-in (refused with the reason; handed in on the retry)
 * /faults-kiosk/pinned-key  the server's TLS key changes mid-exam under a pinned key:
 *                 the kiosk does not connect, says that the server's identity does not
 *                 match, keeps answers and segments queued on disk (nothing reaches the
 *                 impostor) and goes on once the right key is back
 * /faults-kiosk/disk-full  the disk (a tmpfs of its own, in a mount namespace of the
 *                 test's) fills during the recording: the candidate is told on the exam
 *                 page, the closed segments are kept and uploaded whole, answers typed
 *                 while the disk is full arrive once there is room
 * /faults-kiosk/kill-written, /faults-kiosk/kill-interview  the client killed (SIGKILL)
 *                 at ten chosen moments of a written test and of an interview (see
 *                 kill_written_at and kill_interview_at), restarted each time, ending
 *                 with every answer and every closed segment confirmed exactly once
 */

#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <glib/gstdio.h>

#include "ek-segment.h"
#include "ek-test-media.h"
#include "ek-test-kiosk.h"

#define WAIT_MS EK_TEST_KIOSK_WAIT_MS

/* The messages the candidate must see, each naming what happened. */
#define NO_CONNECTION   "could not connect to the exam server"
#define SAVED_LOCALLY   "saved on this computer and"
#define ALL_SAVED       "Every answer is saved, on this computer and on the exam server."
#define WRONG_IDENTITY  "identity does not match the one this kiosk was set up for"
#define DISK_FULL       "The disk is"
#define UPLOAD_COMPLETE "Upload complete"

/* --- helpers -------------------------------------------------------------- */

static guint      count_events       (JsonArray  *events,
                                      const char *type);

static gint64
exam_ms (JsonObject *exam,
         const char *member)
{
  return json_object_get_int_member (exam, member);
}

static gint64
phase_ms (JsonObject *exam,
          guint       index,
          const char *member)
{
  JsonArray *phases = json_object_get_array_member (exam, "phases");

  return json_object_get_int_member (json_array_get_object_element (phases, index), member);
}

static JsonObject *
session_of (EkTestServer *server,
            const char   *session_id)
{
  return ek_test_server_get_session (server, session_id);
}

static gboolean
session_finished (EkTestServer *server,
                  const char   *session_id)
{
  g_autoptr(JsonObject) session = session_of (server, session_id);

  return !json_object_get_null_member (json_object_get_object_member (session, "session"), "finished_ms");
}

static void
wait_finished (EkTestKiosk *kiosk,
               const char  *session_id,
               guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!session_finished (kiosk->server, session_id))
    {
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (kiosk);
          g_error ("The server never confirmed the whole recording of %s", session_id);
        }
      ek_test_sleep_ms (500);
    }
}

static char *
sha256_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* Every segment file the kiosk made for @session_id is on the server exactly once,
 * whole (the stored bytes hash to the file's), and nothing else is. Returns the number
 * of segments; @abandoned: uploads created and never written to (tus creation is not
 * idempotent: a kiosk that could not store the new URL leaves it empty). */
/* Matches the segment files in @dir_path against @complete (removing them). */
static guint
match_local_segments (EkTestKiosk *kiosk,
                      const char  *dir_path,
                      GHashTable  *complete)
{
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n_local = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *sha = NULL;
      g_autofree char *key = NULL;
      const char *stream;
      guint index;

      if (!ek_segment_parse_file_name (name, &stream, &index))
        continue;
      sha = sha256_of_file (path);
      key = g_strdup_printf ("%s/%u/%s", stream, index, sha);
      if (!g_hash_table_remove (complete, key))
        {
          ek_test_kiosk_show_log (kiosk);
          g_error ("Segment %s (%s) is not on the server whole", name, sha);
        }
      n_local++;
    }
  return n_local;
}

static guint
assert_segments_once (EkTestKiosk *kiosk,
                      const char  *session_id,
                      guint       *abandoned)
{
  g_autofree char *dir_path = g_build_filename (kiosk->data_dir, "sessions", session_id, "recording", NULL);
  g_autofree char *room_scan_path = g_build_filename (dir_path, "room-scan", NULL);
  g_autoptr(JsonObject) session = session_of (kiosk->server, session_id);
  JsonArray *uploads = json_object_get_array_member (session, "uploads");
  g_autoptr(GHashTable) complete = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_local;

  *abandoned = 0;
  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);
      g_autofree char *key = NULL;

      if (!json_object_get_boolean_member (upload, "complete"))
        {
          g_test_message ("abandoned: %s segment %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " of %"
                          G_GINT64_FORMAT " bytes, sha %s", json_object_get_string_member (upload, "stream"),
                          json_object_get_int_member (upload, "segment"),
                          json_object_get_int_member (upload, "offset"),
                          json_object_get_int_member (upload, "length"),
                          json_object_get_string_member (upload, "metadata_sha256"));
          /* Created on the server, its URL never on the kiosk's disk (killed, or the
           * disk full, right after the creation): left, with not a byte sent. */
          g_assert_cmpint (json_object_get_int_member (upload, "offset"), ==, 0);
          (*abandoned)++;
          continue;
        }
      key = g_strdup_printf ("%s/%" G_GINT64_FORMAT "/%s", json_object_get_string_member (upload, "stream"),
                             json_object_get_int_member (upload, "segment"),
                             json_object_get_string_member (upload, "stored_sha256"));
      g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==,
                       json_object_get_string_member (upload, "metadata_sha256"));
      /* No empty file passed off as a segment. */
      if (json_object_get_int_member (upload, "stored_bytes") <= 0)
        g_error ("An empty segment was uploaded: %s", key);
      if (g_hash_table_contains (complete, key))
        g_error ("Segment %s uploaded twice", key);
      g_hash_table_add (complete, g_steal_pointer (&key));
    }

  g_assert_true (g_file_test (dir_path, G_FILE_TEST_IS_DIR));
  n_local = match_local_segments (kiosk, dir_path, complete) +
            match_local_segments (kiosk, room_scan_path, complete);
  if (g_hash_table_size (complete) > 0)
    {
      GHashTableIter iter;
      const char *key;

      g_hash_table_iter_init (&iter, complete);
      while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
        g_printerr ("on the server, not on the kiosk: %s\n", key);
      g_error ("The server has %u segments the kiosk does not", g_hash_table_size (complete));
    }
  g_test_message ("%u segments confirmed once each; %u uploads begun and abandoned", n_local, *abandoned);
  return n_local;
}

/* Drives the kiosk from wherever it is (a fresh start, or a restart after a kill) to
 * the page @until, or (%NULL) to the exam's questions on show. */
static void
advance_until (EkTestKiosk *kiosk,
               const char  *mode,
               const char  *token,
               const char  *id_number,
               const char  *until)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  g_autofree char *last = NULL;

  for (;;)
    {
      g_autoptr(GVariant) status = ek_test_kiosk_get_status (kiosk);
      g_autofree char *page = ek_test_kiosk_status_string (status, "page");
      guint32 questions = 0;

      g_variant_lookup (status, "questions", "u", &questions);
      if (until == NULL && g_str_equal (page, "exam") && questions > 0)
        return;
      if (until != NULL && g_str_equal (page, until))
        return;
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          ek_test_kiosk_show_log (kiosk);
          g_error ("Stuck on the way to the exam: %s", text);
        }
      if (g_strcmp0 (page, last) != 0)
        {
          g_test_message ("page: %s", page);
          g_free (last);
          last = g_strdup (page);
        }

      if (g_str_equal (page, "start"))
        {
          g_autofree char *action = g_strconcat ("win.start-mode::", mode, NULL);

          ek_test_kiosk_activate_on_page (kiosk, action);
        }
      else if (g_str_equal (page, "login"))
        ek_test_kiosk_activate (kiosk, "test-login", g_variant_new ("(ss)", token, id_number));
      else if (g_str_equal (page, "confirm"))
        ek_test_kiosk_activate_on_page (kiosk, "confirm.continue");
      else if (g_str_equal (page, "pledge"))
        {
          ek_test_kiosk_activate (kiosk, "test-check-all", NULL);
          ek_test_kiosk_activate_on_page (kiosk, "pledge.accept");
        }
      else if (g_str_equal (page, "room-scan"))
        ek_test_kiosk_activate_on_page (kiosk, "step.done");
      else if (g_str_equal (page, "device"))
        ek_test_kiosk_activate_on_page (kiosk, "devices.confirm");
      else if (g_str_equal (page, "waiting"))
        ek_test_kiosk_activate_on_page (kiosk, "waiting.enter");
      ek_test_sleep_ms (400);
    }
}

static void
advance_to_exam (EkTestKiosk *kiosk,
                 const char  *mode,
                 const char  *token,
                 const char  *id_number)
{
  advance_until (kiosk, mode, token, id_number, NULL);
}

/* Hands in a written test through the view's confirmation. */
static void
hand_in (EkTestKiosk *kiosk)
{
  ek_test_kiosk_activate_on_page (kiosk, "exam.end");
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", "This cannot be undone", WAIT_MS));
  ek_test_kiosk_activate (kiosk, "test-click", g_variant_new_string ("Submit"));
}

static char *
session_id_of (EkTestKiosk *kiosk)
{
  char *id = ek_test_kiosk_get_string (kiosk, "session-id");

  g_assert_cmpstr (id, !=, "");
  return id;
}

static guint
count_uploads (EkTestServer *server,
               const char   *session_id)
{
  g_autoptr(JsonObject) session = session_of (server, session_id);

  return json_array_get_length (json_object_get_array_member (session, "uploads"));
}

/* The end of every case: handed in, the server confirms, the upload completes, and
 * every answer and every segment is on the server exactly once. */
static void
assert_nothing_lost (EkTestKiosk *kiosk,
                     const char  *session_id,
                     const char  *answers)
{
  g_autoptr(JsonObject) session = NULL;
  guint abandoned;

  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "finish", WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", UPLOAD_COMPLETE, 90000));
  wait_finished (kiosk, session_id, WAIT_MS);
  if (answers != NULL)
    {
      ek_test_kiosk_wait_server_answers (kiosk, session_id, answers, WAIT_MS);
      g_autoptr(JsonNode) want = ek_test_parse_json (answers);

      /* One stored answer per question: none twice. */
      session = session_of (kiosk->server, session_id);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (session, "answers")), ==,
                        json_object_get_size (json_node_get_object (want)));
    }
  g_assert_cmpuint (assert_segments_once (kiosk, session_id, &abandoned), >, 0);

}

/* --- the server down ------------------------------------------------------ */

#define DOWN_TOKEN "FLT-DOWN-3K7Q"
#define ID_NUMBER "110105199003071239"
#define DOWN_ANSWERS "{\"w1\": \"b\", \"w2\": [\"a\", \"c\"], \"w3\": true, \"w4\": \"Typed while the server was down\"}"

static void
test_server_down (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(JsonObject) exam = ek_test_server_get_exam (server, "faults-down");
  g_autoptr(EkTestKiosk) kiosk = ek_test_kiosk_new (server, NULL, NULL);
  g_autofree char *session_id = NULL;
  guint uploads_before;

  /* Down at login: refused with the reason; the next try, with the server back, goes in. */
  ek_test_server_down (server);
  ek_test_kiosk_start (kiosk);
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "start", WAIT_MS));
  ek_test_kiosk_activate_on_page (kiosk, "win.start-mode::mock");
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "login", WAIT_MS));
  ek_test_kiosk_activate (kiosk, "test-login", g_variant_new ("(ss)", DOWN_TOKEN, ID_NUMBER));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "error", NO_CONNECTION, WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "login", WAIT_MS));
  ek_test_server_up (server);
  ek_test_kiosk_activate (kiosk, "test-login", g_variant_new ("(ss)", DOWN_TOKEN, ID_NUMBER));
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "confirm", WAIT_MS));
  ek_test_sleep_until_ms (exam_ms (exam, "starts_ms") + 200);
  advance_to_exam (kiosk, "mock", DOWN_TOKEN, ID_NUMBER);
  session_id = session_id_of (kiosk);

  ek_test_kiosk_answer (kiosk, "w1", "\"b\"");
  ek_test_kiosk_wait_server_answers (kiosk, session_id, "{\"w1\": \"b\"}", WAIT_MS);
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", ALL_SAVED, WAIT_MS));

  /* Down during the exam: the answers stay on this computer, the candidate is told
   * so and why; two segments close meanwhile. */
  ek_test_server_down (server);
  ek_test_kiosk_answer (kiosk, "w2", "[\"a\", \"c\"]");
  ek_test_kiosk_answer (kiosk, "w3", "true");
  ek_test_kiosk_answer (kiosk, "w4", "\"Typed while the server was down\"");
  g_variant_unref (ek_test_kiosk_wait_for_answers (kiosk, DOWN_ANSWERS, WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", "3 answers are " SAVED_LOCALLY, WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", NO_CONNECTION, WAIT_MS));
  ek_test_sleep_ms (11000);
  ek_test_server_up (server);
  uploads_before = count_uploads (server, session_id);
  ek_test_kiosk_wait_server_answers (kiosk, session_id, DOWN_ANSWERS, 45000);
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", ALL_SAVED, WAIT_MS));

  /* Down at the hand-in: refused with the reason, nothing handed in; the retry with the
   * server back hands in. */
  ek_test_sleep_until_ms (exam_ms (exam, "min_submit_ms") + 300);
  ek_test_server_down (server);
  hand_in (kiosk);
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "error", NO_CONNECTION, 30000));
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "exam", WAIT_MS));
  ek_test_server_up (server);
  {
    g_autoptr(JsonObject) session = session_of (server, session_id);

    g_assert_true (json_object_get_null_member (json_object_get_object_member (session, "state"),
                                                "submitted_ms"));
  }
  hand_in (kiosk);
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", "The exam server has confirmed", WAIT_MS));
  g_test_message ("%u uploads when the server came back", uploads_before);
  assert_nothing_lost (kiosk, session_id, DOWN_ANSWERS);
  {
    g_autoptr(JsonObject) session = session_of (server, session_id);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"),
                                                    "end_reason"), ==, "submitted");
  }
}

/* --- a pinned key that changes -------------------------------------------- */

/* A certificate for 127.0.0.1 with a key of its own in @dir/NAME.{pem,key}; returns
 * the key's pin. */
static char *
make_certificate (const char *dir,
                  const char *name)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);

  ek_test_make_certificate (cert, key);
  return ek_test_key_pin (key);
}

static void
switch_key (EkTestServer *server,
            const char   *dir,
            const char   *name)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);

  ek_test_server_down (server);
  ek_test_server_set_tls (server, cert, key);
  ek_test_server_up (server);
}

#define PIN_TOKEN "FLT-PINS-8M2X"
#define PIN_ANSWERS "{\"w1\": \"a\", \"w2\": [\"b\"], \"w3\": false}"

static void
test_pinned_key (void)
{
  g_autofree char *dir = ek_test_make_tmp_dir ();
  g_autofree char *pin = make_certificate (dir, "right");
  g_autofree char *other_pin = make_certificate (dir, "other");
  g_autofree char *cert = g_strdup_printf ("%s/right.pem", dir);
  g_autofree char *key = g_strdup_printf ("%s/right.key", dir);
  EkTestServerOptions options = { .tls_cert = cert, .tls_key = key };
  g_autoptr(EkTestServer) server = ek_test_server_start (&options);
  g_autoptr(JsonObject) exam = ek_test_server_get_exam (server, "faults-pin");
  g_autoptr(EkTestKiosk) kiosk = ek_test_kiosk_new (server, NULL, pin);
  g_autofree char *session_id = NULL;
  guint uploads;

  g_assert_cmpstr (pin, !=, other_pin);
  ek_test_kiosk_start (kiosk);
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "start", WAIT_MS));
  ek_test_sleep_until_ms (exam_ms (exam, "starts_ms") - 8000);
  advance_to_exam (kiosk, "mock", PIN_TOKEN, ID_NUMBER);
  session_id = session_id_of (kiosk);
  ek_test_kiosk_answer (kiosk, "w1", "\"a\"");
  ek_test_kiosk_wait_server_answers (kiosk, session_id, "{\"w1\": \"a\"}", WAIT_MS);

  /* Another key at the server's address, as an interception would present. */
  switch_key (server, dir, "other");
  ek_test_kiosk_answer (kiosk, "w2", "[\"b\"]");
  ek_test_kiosk_answer (kiosk, "w3", "false");
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", "2 answers are " SAVED_LOCALLY, WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", WRONG_IDENTITY, 30000));
  uploads = count_uploads (server, session_id);
  /* Two segments close meanwhile: none goes to the impostor. */
  ek_test_sleep_ms (11000);
  g_assert_cmpuint (count_uploads (server, session_id), ==, uploads);
  g_assert_true (ek_test_server_has_answers (server, session_id, "{\"w1\": \"a\"}"));

  /* The right key back: everything queued goes. */
  switch_key (server, dir, "right");
  ek_test_kiosk_wait_server_answers (kiosk, session_id, PIN_ANSWERS, 45000);
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", ALL_SAVED, WAIT_MS));
  ek_test_sleep_until_ms (exam_ms (exam, "min_submit_ms") + 300);
  hand_in (kiosk);
  assert_nothing_lost (kiosk, session_id, PIN_ANSWERS);
  ek_test_remove_tree (dir);
}

/* --- the disk filling ----------------------------------------------------- */

/* The kiosk's data folder on a tmpfs of @size_mb, in a mount namespace of this test
 * process (the kiosk, its child, inherits it; nothing outside sees the mount).
 * Returns FALSE where mounting is not allowed. */
static gboolean
mount_small_disk (const char *path,
                  guint       size_mb)
{
  g_autofree char *options = g_strdup_printf ("size=%um,mode=0700", size_mb);

  if (unshare (CLONE_NEWNS) != 0)
    return FALSE;
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    return FALSE;
  return mount ("ek-test-disk", path, "tmpfs", 0, options) == 0;
}

static guint64
free_bytes (const char *path)
{
  struct statvfs fs;

  g_assert_no_errno (statvfs (path, &fs));
  return (guint64) fs.f_bavail * fs.f_frsize;
}

/* Another program fills the disk to the last byte. */
static void
fill_disk (const char *path)
{
  static char block[64 * 1024];
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  memset (block, 'x', sizeof block);
  for (;;)
    {
      ssize_t n = write (fd, block, sizeof block);

      if (n < 0 && errno == ENOSPC)
        break;
      g_assert_cmpint (n, >, 0);
    }
  /* The last partial block */
  while (write (fd, block, 512) > 0)
    ;
  close (fd);
}

#define DISK_TOKEN "FLT-DISK-5R4T"
#define DISK_ANSWERS "{\"w1\": \"b\", \"w2\": [\"c\"], \"w3\": true}"

static void
test_disk_full (void)
{
  g_autoptr(EkTestServer) server = NULL;
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(EkTestKiosk) kiosk = NULL;
  g_autofree char *disk = ek_test_make_tmp_dir ();
  g_autofree char *filler = g_build_filename (disk, "filler", NULL);
  g_autofree char *session_id = NULL;
  g_autofree char *recording_dir = NULL;

  if (!mount_small_disk (disk, 64))
    {
      g_test_skip_printf ("a tmpfs cannot be mounted here (%s)", g_strerror (errno));
      ek_test_remove_tree (disk);
      return;
    }

  server = ek_test_server_start (NULL);
  exam = ek_test_server_get_exam (server, "faults-disk");
  kiosk = ek_test_kiosk_new (server, disk, NULL);
  ek_test_kiosk_start (kiosk);
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "start", WAIT_MS));
  ek_test_sleep_until_ms (exam_ms (exam, "starts_ms") - 8000);
  advance_to_exam (kiosk, "mock", DISK_TOKEN, ID_NUMBER);
  session_id = session_id_of (kiosk);
  recording_dir = g_build_filename (disk, "sessions", session_id, "recording", NULL);
  ek_test_kiosk_answer (kiosk, "w1", "\"b\"");
  ek_test_kiosk_wait_server_answers (kiosk, session_id, "{\"w1\": \"b\"}", WAIT_MS);

  /* Two segments closed, the third open: another program fills the disk. */
  ek_test_sleep_ms (12000);
  g_test_message ("%" G_GUINT64_FORMAT " bytes free before the filler", free_bytes (disk));
  fill_disk (filler);
  g_assert_cmpuint (free_bytes (disk), ==, 0);

  /* The candidate is told on the exam page, at once. */
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "error", DISK_FULL, WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "error", "Tell the proctor", WAIT_MS));

  /* An answer typed while the disk is full is kept (in memory and on the server)... */
  ek_test_kiosk_answer (kiosk, "w2", "[\"c\"]");
  ek_test_kiosk_wait_server_answers (kiosk, session_id, "{\"w1\": \"b\", \"w2\": [\"c\"]}", WAIT_MS);

  /* ... and once the technician has made room, everything is on the disk too. */
  g_assert_no_errno (g_unlink (filler));
  ek_test_kiosk_answer (kiosk, "w3", "true");
  g_variant_unref (ek_test_kiosk_wait_for_answers (kiosk, DISK_ANSWERS, WAIT_MS));
  ek_test_kiosk_wait_server_answers (kiosk, session_id, DISK_ANSWERS, WAIT_MS);
  ek_test_sleep_until_ms (exam_ms (exam, "min_submit_ms") + 300);
  hand_in (kiosk);
  assert_nothing_lost (kiosk, session_id, DISK_ANSWERS);

  /* The proctor learns it too: the event, written while the disk was full, kept until
   * there was room, in an unbroken chain. */
  {
    g_autoptr(JsonObject) session = session_of (server, session_id);

    g_assert_cmpuint (count_events (ek_test_assert_event_chain (session), "disk_full"), ==, 1);
  }

  /* Nothing corrupt: every segment kept decodes to its end. */
  {
    g_autoptr(GDir) dir = g_dir_open (recording_dir, 0, NULL);
    const char *name;
    guint n = 0;

    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (recording_dir, name, NULL);
        EkTestDecoded decoded = { 0 };
        const char *stream;
        guint index;

        if (!ek_segment_parse_file_name (name, &stream, &index))
          continue;
        ek_test_decode_file (path, &decoded);
        if (decoded.error != NULL)
          g_error ("Segment %s does not decode: %s", name, decoded.error);
        g_assert_cmpuint (decoded.video_frames, >, 0);
        ek_test_decoded_clear (&decoded);
        n++;
      }
    g_assert_cmpuint (n, >=, 2);
  }

  g_clear_pointer (&kiosk, ek_test_kiosk_free);
  umount2 (disk, MNT_DETACH);
  ek_test_remove_tree (disk);
}

/* --- the client killed ---------------------------------------------------- */

typedef struct
{
  EkTestKiosk *kiosk;
  JsonObject  *exam;
  const char  *mode;
  const char  *token;
  const char  *id_number;
  char        *session_id;
  JsonObject  *answers;     /* what the candidate typed, the last value each */
  guint        kills;
} KillRun;

static char *
expected_answers (KillRun *run)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), run->answers);

  return json_to_string (node, FALSE);
}

static void
type_answer (KillRun    *run,
             const char *question_id,
             const char *json)
{
  ek_test_kiosk_answer (run->kiosk, question_id, json);
  json_object_set_member (run->answers, question_id, ek_test_parse_json (json));
}

/* SIGKILL now, then a new client on the same data: nothing of the old one is left
 * but what it had put on the disk and the keyring. */
static void
kill_and_restart (KillRun    *run,
                  const char *moment)
{
  gint64 start = g_get_monotonic_time ();

  ek_test_kiosk_kill (run->kiosk, SIGKILL);
  run->kills++;
  g_test_message ("kill %u: %s", run->kills, moment);
  ek_test_kiosk_start (run->kiosk);
  g_test_message ("  restarted in %d ms", (int) ((g_get_monotonic_time () - start) / 1000));
}

/* The client killed by its own test hook (EK_TEST_TUS_KILL_AT, client/upload/
 * ek-tus-client.c) at @point of an upload, as a power cut there would; armed at the
 * previous start. Then restarted without the hook. */
static void
hook_killed_and_restart (KillRun    *run,
                         const char *moment)
{
  gint64 deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  int wait_status = 0;

  /* Back in the exam if the kill left it in the waiting room: the recording must run. */
  while (!ek_test_kiosk_wait_exit (run->kiosk, 500, &wait_status))
    {
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (run->kiosk);
          g_error ("The upload hook never killed the client (%s)", moment);
        }
      ek_test_kiosk_try_activate_on_page (run->kiosk, "waiting.enter");
    }
  g_assert_true (WIFSIGNALED (wait_status));
  g_assert_cmpint (WTERMSIG (wait_status), ==, SIGKILL);
  run->kills++;
  g_test_message ("kill %u: %s (by the upload's test hook)", run->kills, moment);
  ek_test_kiosk_set_env (run->kiosk, "EK_TEST_TUS_KILL_AT", NULL);
  ek_test_kiosk_start (run->kiosk);
}

/* Polls the server's uploads of the session until @pred holds for one of them that
 * is not among the first @skip (or @timeout_ms passes: FALSE). */
typedef gboolean (*UploadPred) (JsonObject *upload);

static gboolean
upload_part_sent (JsonObject *upload)
{
  gint64 received = json_object_get_int_member (upload, "received_bytes");

  return !json_object_get_boolean_member (upload, "complete") && received > 0 &&
         received < json_object_get_int_member (upload, "length");
}

static gboolean
wait_for_upload (KillRun    *run,
                 UploadPred  pred,
                 guint       skip,
                 guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(JsonObject) session = session_of (run->kiosk->server, run->session_id);
      JsonArray *uploads = json_object_get_array_member (session, "uploads");

      for (guint i = skip; i < json_array_get_length (uploads); i++)
        if (pred (json_array_get_object_element (uploads, i)))
          return TRUE;
      g_usleep (20 * 1000);
    }
  return FALSE;
}

static guint
count_segment_files (KillRun *run)
{
  g_autofree char *path = g_build_filename (run->kiosk->data_dir, "sessions", run->session_id,
                                            "recording", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      const char *stream;
      guint index;

      if (ek_segment_parse_file_name (name, &stream, &index))
        n++;
    }
  return n;
}

static void
advance_to_exam_until (KillRun    *run,
                       const char *page)
{
  advance_until (run->kiosk, run->mode, run->token, run->id_number, page);
}

static void
back_to_exam (KillRun *run)
{
  advance_to_exam (run->kiosk, run->mode, run->token, run->id_number);
  if (run->session_id == NULL)
    run->session_id = session_id_of (run->kiosk);
}

/* The ten moments of a written test, each chosen where a kill does the most harm. */
static void
kill_written_moments (KillRun *run)
{
  EkTestKiosk *kiosk = run->kiosk;
  EkTestServer *server = kiosk->server;
  g_autofree char *expected = NULL;

  /* 1. The login accepted, the session opened on the server, nothing else yet. */
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "start", WAIT_MS));
  ek_test_kiosk_activate_on_page (kiosk, "win.start-mode::mock");
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "login", WAIT_MS));
  ek_test_kiosk_activate (kiosk, "test-login", g_variant_new ("(ss)", run->token, run->id_number));
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "confirm", WAIT_MS));
  kill_and_restart (run, "login accepted, before the details are confirmed");

  /* 2. The pledge sent: its step call in flight. */
  advance_to_exam_until (run, "pledge");
  ek_test_kiosk_activate (kiosk, "test-check-all", NULL);
  ek_test_kiosk_activate_on_page (kiosk, "pledge.accept");
  kill_and_restart (run, "the pledge accepted, its step call in flight");

  /* 3. Entering the exam: the recording starting, the questions coming. */
  ek_test_sleep_until_ms (exam_ms (run->exam, "starts_ms") + 200);
  advance_to_exam_until (run, "waiting");
  ek_test_kiosk_activate_on_page (kiosk, "waiting.enter");
  ek_test_sleep_ms (300);
  kill_and_restart (run, "entering the exam, the recording starting");
  back_to_exam (run);

  /* 4. Two answers typed, killed at once, their saves in flight (one SQLite commit each
   * on a worker thread). An answer typed less than one commit before the kill may be
   * missing, never half there nor another value: what is there is exactly as typed;
   * what is missing the candidate sees missing and types again. */
  type_answer (run, "w1", "\"a\"");
  type_answer (run, "w4", "\"First draft, kept across kills\"");
  kill_and_restart (run, "right after two answers are typed, their saves in flight");
  back_to_exam (run);
  ek_test_sleep_ms (500);
  {
    g_autofree char *shown = ek_test_kiosk_get_string (kiosk, "answers");
    g_autoptr(JsonNode) node = ek_test_parse_json (shown);
    JsonObject *have = json_node_get_object (node);
    const char *ids[] = { "w1", "w4" };
    guint kept = 0;

    g_assert_cmpuint (json_object_get_size (have), <=, 2);
    for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
      {
        if (!json_object_has_member (have, ids[i]))
          continue;
        g_assert_true (json_node_equal (json_object_get_member (have, ids[i]),
                                        json_object_get_member (run->answers, ids[i])));
        kept++;
      }
    g_test_message ("  %u of the 2 answers typed at the kill were kept", kept);
    if (kept < 2)
      {
        type_answer (run, "w1", "\"a\"");
        type_answer (run, "w4", "\"First draft, kept across kills\"");
      }
  }
  expected = expected_answers (run);
  g_variant_unref (ek_test_kiosk_wait_for_answers (kiosk, expected, WAIT_MS));
  g_clear_pointer (&expected, g_free);

  /* 5. Answers saved here only: the server refused everything meanwhile. */
  ek_test_server_set_faults (server, "{\"error_rate\": 1.0}");
  type_answer (run, "w1", "\"b\"");
  type_answer (run, "w2", "[\"a\", \"c\"]");
  /* Saved: 0.5 s was not always enough for two commits under the full suite's load. */
  ek_test_sleep_ms (1500);
  /* The next client dies the moment an upload's new URL is on its disk. */
  ek_test_kiosk_set_env (kiosk, "EK_TEST_TUS_KILL_AT", "url-saved");
  kill_and_restart (run, "answers saved here only, the server refusing");
  ek_test_server_clear_faults (server);

  /* 6. A segment's upload created and its URL stored, its first PATCH not yet sent. */
  hook_killed_and_restart (run, "between an upload's URL stored and its first PATCH");
  back_to_exam (run);
  ek_test_server_set_faults (server, "{\"throttle_bytes_per_s\": 4000}");

  /* 7. In the middle of a PATCH. */
  g_assert_true (wait_for_upload (run, upload_part_sent, 0, 30000));
  kill_and_restart (run, "in the middle of an upload");
  ek_test_server_clear_faults (server);
  back_to_exam (run);

  /* 8. A segment just closed: being hashed and announced. */
  {
    guint n = count_segment_files (run);
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

    while (count_segment_files (run) == n && g_get_monotonic_time () < deadline)
      g_usleep (10 * 1000);
    g_assert_cmpuint (count_segment_files (run), >, n);
  }
  type_answer (run, "w3", "true");
  kill_and_restart (run, "a segment just closed, an answer just typed");
  back_to_exam (run);
  expected = expected_answers (run);
  ek_test_kiosk_wait_server_answers (kiosk, run->session_id, expected, 30000);

  /* 9. The hand-in confirmed by the candidate, its call in flight. */
  ek_test_sleep_until_ms (exam_ms (run->exam, "min_submit_ms") + 300);
  ek_test_server_set_faults (server, "{\"throttle_bytes_per_s\": 20000}");
  hand_in (kiosk);
  kill_and_restart (run, "the hand-in confirmed, its call in flight");
  {
    gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;
    g_autofree char *page = NULL;

    /* Back on the exam page (the hand-in never arrived: again) or on the finish page. */
    for (;;)
      {
        g_free (page);
        page = ek_test_kiosk_get_string (kiosk, "page");
        if (g_str_equal (page, "finish") || g_str_equal (page, "exam"))
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        ek_test_sleep_ms (100);
      }
    g_test_message ("  after the restart: %s", page);
    if (g_str_equal (page, "exam"))
      {
        ek_test_kiosk_wait_for_questions (kiosk, WAIT_MS);
        hand_in (kiosk);
      }
  }

  /* 10. On the finish page, the recording's upload under way. */
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "page", "finish", WAIT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (kiosk, "text", "Uploading your recording", 30000));
  kill_and_restart (run, "the finish page, the upload under way");
  ek_test_server_clear_faults (server);
}

#define KILL_WRITTEN_TOKEN "FLT-KILW-2P9V"

static void
test_kill_written (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(JsonObject) exam = ek_test_server_get_exam (server, "faults-kill-written");
  g_autoptr(EkTestKiosk) kiosk = ek_test_kiosk_new (server, NULL, NULL);
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autofree char *expected = NULL;
  KillRun run = { kiosk, exam, "mock", KILL_WRITTEN_TOKEN, ID_NUMBER, NULL, answers, 0 };

  ek_test_kiosk_start (kiosk);
  kill_written_moments (&run);
  g_assert_cmpuint (run.kills, ==, 10);
  expected = expected_answers (&run);
  assert_nothing_lost (kiosk, run.session_id, expected);
  {
    g_autoptr(JsonObject) session = session_of (server, run.session_id);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"),
                                                    "end_reason"), ==, "submitted");
  }
  g_free (run.session_id);
}

static guint
count_events (JsonArray  *events,
              const char *type)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (events, i), "type"), type))
      n++;
  return n;
}

/* The ten moments of an interview. */
static void
kill_interview_moments (KillRun *run)
{
  EkTestKiosk *kiosk = run->kiosk;
  EkTestServer *server = kiosk->server;
  gint64 second_phase = phase_ms (run->exam, 1, "starts_ms");

  /* 1. The room scan recording. */
  advance_to_exam_until (run, "room-scan");
  run->session_id = session_id_of (kiosk);
  ek_test_sleep_ms (3000);
  kill_and_restart (run, "the room scan recording");

  /* 2. The room scan just done: its recording closing, handed to the outbox. */
  advance_to_exam_until (run, "room-scan");
  ek_test_sleep_ms (2500);
  ek_test_kiosk_activate_on_page (kiosk, "step.done");
  ek_test_sleep_ms (150);
  kill_and_restart (run, "the room scan done, its recording closing");

  /* 3. The waiting room, a moment before the start. */
  advance_to_exam_until (run, "waiting");
  ek_test_sleep_until_ms (exam_ms (run->exam, "starts_ms") - 500);
  kill_and_restart (run, "the waiting room, just before the start");

  /* 4. Entering the exam: the recording starting. */
  advance_to_exam_until (run, "waiting");
  ek_test_kiosk_activate_on_page (kiosk, "waiting.enter");
  ek_test_sleep_ms (400);
  /* The next client dies the moment the server has answered an upload's creation,
   * before its URL is stored. */
  ek_test_kiosk_set_env (kiosk, "EK_TEST_TUS_KILL_AT", "created");
  kill_and_restart (run, "entering the exam, the recording starting");

  /* 5. An upload created on the server, its URL not yet on the kiosk's disk. */
  hook_killed_and_restart (run, "an upload created, its URL not yet stored");
  back_to_exam (run);
  ek_test_server_set_faults (server, "{\"throttle_bytes_per_s\": 4000}");

  /* 6. In the middle of a PATCH. */
  g_assert_true (wait_for_upload (run, upload_part_sent, 0, 30000));
  kill_and_restart (run, "in the middle of an upload");
  ek_test_server_clear_faults (server);
  back_to_exam (run);

  /* 7. The server refusing everything: events and segments queued here only. */
  ek_test_server_set_faults (server, "{\"error_rate\": 1.0}");
  ek_test_sleep_ms (3000);
  kill_and_restart (run, "the server refusing, events and segments queued here");
  ek_test_server_clear_faults (server);
  back_to_exam (run);

  /* 8. Just before the phase change; back after it. */
  ek_test_sleep_until_ms (second_phase - 300);
  kill_and_restart (run, "just before the phase change");
  back_to_exam (run);
  g_variant_unref (ek_test_kiosk_wait_for (kiosk, "phase", "1", WAIT_MS));

  /* 9. Just after the phase change: its event being written and sent. */
  {
    gint64 third = second_phase + 10000;

    /* A second kill in the new phase, at a segment's close (segments are 5 s). */
    ek_test_sleep_until_ms (third);
    kill_and_restart (run, "in the second phase, its questions just shown again");
    back_to_exam (run);
  }

  /* 10. The exam's end: the time runs out while the client is being killed. */
  ek_test_sleep_until_ms (phase_ms (run->exam, 1, "ends_ms") - 100);
  kill_and_restart (run, "the exam's end");
}

#define KILL_INTERVIEW_TOKEN "FLT-KILI-6W3N"

static void
test_kill_interview (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(JsonObject) exam = ek_test_server_get_exam (server, "faults-kill-interview");
  g_autoptr(EkTestKiosk) kiosk = ek_test_kiosk_new (server, NULL, NULL);
  g_autoptr(JsonObject) answers = json_object_new ();
  g_autoptr(JsonObject) session = NULL;
  KillRun run = { kiosk, exam, "formal", KILL_INTERVIEW_TOKEN, "11010519491231002X", NULL, answers, 0 };
  JsonArray *events;

  ek_test_kiosk_start (kiosk);
  kill_interview_moments (&run);
  g_assert_cmpuint (run.kills, ==, 10);
  assert_nothing_lost (kiosk, run.session_id, NULL);

  session = session_of (server, run.session_id);
  events = ek_test_assert_event_chain (session);
  g_assert_cmpuint (count_events (events, "phase_started"), >=, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"),
                                                  "end_reason"), ==, "time_over");
  {
    guint abandoned;
    JsonArray *uploads = json_object_get_array_member (session, "uploads");
    guint room_scan = 0;

    for (guint i = 0; i < json_array_get_length (uploads); i++)
      if (g_str_equal (json_object_get_string_member (json_array_get_object_element (uploads, i), "stream"),
                       "room_scan"))
        room_scan++;
    g_assert_cmpuint (room_scan, >, 0);
    assert_segments_once (kiosk, run.session_id, &abandoned);
  }
  g_free (run.session_id);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults-kiosk/server-down", test_server_down);
  g_test_add_func ("/faults-kiosk/pinned-key", test_pinned_key);
  g_test_add_func ("/faults-kiosk/disk-full", test_disk_full);
  g_test_add_func ("/faults-kiosk/kill-written", test_kill_written);
  g_test_add_func ("/faults-kiosk/kill-interview", test_kill_interview);

  return g_test_run ();
}
