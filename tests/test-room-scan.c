/* test-room-scan.c: the guided steps before the exam are recorded and uploaded
 *
 * A logged-in session records the room scan from test sources through the engine:
 * the files are the "room_scan" stream in the session's private folder (0600 in
 * 0700), a second scan continues the numbering, every file reaches the reference
 * server byte for byte as stream room_scan, and the log has the scan's start and
 * end with its duration.
 */

#include "config.h"

#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ek-engine.h"
#include "ek-test-server.h"
#include "ek-test-upload.h"

#define TOKEN  "RECORD-LIVE-7K2M"
#define ID_1   "11010519491231002X"

static void
scan_for (EkEngine *engine,
          guint     ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkExamRecording *recording;

  g_assert_true (ek_engine_start_room_scan (engine, &error));
  g_assert_no_error (error);
  recording = ek_engine_get_recording (engine);
  g_assert_nonnull (recording);
  g_assert_nonnull (ek_exam_recording_get_room_scan_recorder (recording));
  /* Once is enough: a second start while it runs changes nothing. */
  g_assert_true (ek_engine_start_room_scan (engine, &error));

  ek_test_sleep_ms (ms);
  g_assert_cmpint (ek_recorder_get_state (ek_exam_recording_get_room_scan_recorder (recording)),
                   ==, EK_RECORDER_STATE_RECORDING);

  ek_engine_stop_room_scan_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_stop_room_scan_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_null (ek_exam_recording_get_room_scan_recorder (recording));
}

static guint
count_complete_room_scan (EkTestServer *server,
                          const char   *session_id,
                          const char   *directory)
{
  g_autoptr(JsonArray) uploads = ek_test_server_get_uploads (server, session_id);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (uploads); i++)
    {
      JsonObject *upload = json_array_get_object_element (uploads, i);
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      g_autofree char *sha256 = NULL;

      if (!g_str_equal (json_object_get_string_member (upload, "stream"), "room_scan") ||
          !json_object_get_boolean_member (upload, "complete"))
        continue;

      name = g_strdup_printf ("room_scan-%05u.mkv", (guint) json_object_get_int_member (upload, "segment"));
      path = g_build_filename (directory, name, NULL);
      sha256 = ek_test_sha256_file (path);
      g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha256);
      n++;
    }
  return n;
}

static void
test_room_scan_recorded_and_uploaded (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autofree char *data_dir = ek_test_make_tmp_dir ();
  g_autofree char *directory = NULL;
  g_autofree char *session_id = NULL;
  g_autoptr(EkConfig) config = ek_test_server_new_config (server, data_dir);
  g_autoptr(EkEngine) engine = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(JsonArray) events = NULL;
  const char *name;
  guint n_files = 0;
  guint highest = 0;
  gint64 deadline;
  gboolean saw_start = FALSE, saw_stop = FALSE;
  struct stat st;

  engine = ek_engine_new (config);

  ek_engine_login_async (engine, TOKEN, ID_1, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  session_id = g_strdup (ek_engine_get_session_id (engine));

  /* Two scans of about 6 s (5 s segments): at least two files each, numbered on. */
  scan_for (engine, 6500);
  scan_for (engine, 6500);

  directory = g_build_filename (data_dir, "sessions", session_id, "recording", "room-scan", NULL);
  g_assert_cmpint (g_stat (directory, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  dir = g_dir_open (directory, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      const char *stream;
      guint index;

      if (!ek_segment_parse_file_name (name, &stream, &index))
        continue;
      g_assert_cmpstr (stream, ==, "room_scan");
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpint (st.st_size, >, 0);
      highest = MAX (highest, index);
      n_files++;
    }
  g_assert_cmpuint (n_files, >=, 4);
  /* No gap and no restart from 0 in the numbering. */
  g_assert_cmpuint (highest + 1, ==, n_files);

  /* Uploaded while the candidate goes on. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (count_complete_room_scan (server, session_id, directory) < n_files)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      ek_test_sleep_ms (300);
    }

  /* The log says when the scans ran. */
  {
    g_autoptr(GAsyncResult) flushed = NULL;
    EkEventLog *log = ek_engine_get_event_log (engine);

    ek_event_log_flush_async (log, NULL, ek_test_result_cb, &flushed);
    g_assert_true (ek_event_log_flush_finish (log, ek_test_wait (&flushed), &error));
    events = ek_event_log_dup_events (log, 0);
  }
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *type = json_object_get_string_member (event, "type");

      if (g_str_equal (type, "room_scan_started"))
        saw_start = TRUE;
      if (g_str_equal (type, "room_scan_stopped"))
        {
          g_assert_cmpint (json_object_get_int_member (event, "duration_ms"), >=, 6000);
          saw_stop = TRUE;
        }
    }
  g_assert_true (saw_start);
  g_assert_true (saw_stop);

  g_clear_object (&engine);
  ek_test_remove_tree (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/room-scan/recorded-and-uploaded", test_room_scan_recorded_and_uploaded);

  return g_test_run ();
}
