/* test-exam-recording.c: the engine records the exam and hands it to the server
 *
 * A session entered against the reference server records from test sources; the
 * segments reach the server while the exam runs, byte for byte (the server's SHA-256
 * of each upload equals the local file's); submitting finishes the upload and only
 * then is the session FINISHED. A client that dies mid-exam and comes back announces
 * the files it left behind, so they reach the server too.
 */

#include "config.h"

#include <locale.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "ek-engine.h"
#include "ek-recorder-test.h"
#include "ek-test-server.h"
#include "ek-test-upload.h"

#define TOKEN  "RECORD-LIVE-7K2M"
#define ID_1   "11010519491231002X"
#define ID_2   "110105199003071239"

typedef struct
{
  EkTestServer *server;
  EkConfig     *config;
  char         *data_dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = ek_test_server_start (NULL);
  f->data_dir = ek_test_make_tmp_dir ();
  f->config = ek_test_server_new_config (f->server, f->data_dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->config);
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->data_dir);
  g_free (f->data_dir);
}

static gboolean
is_sole_owner (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

/* The engine lets go of the keyring (forgetting the finished session's token)
 * asynchronously; then nothing may keep it alive. */
static void
drop_engine (EkEngine **engine)
{
  ek_test_wait_for_predicate (is_sole_owner, *engine, 10000, "the engine's background work");
  g_assert_finalize_object (g_steal_pointer (engine));
}

static void
step_ok (EkEngine     *engine,
         GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_engine_step_finish (engine, result, &error));
  g_assert_no_error (error);
}

/* Logs in and goes through the steps to the running exam. */
static void
enter_exam (EkEngine   *engine,
            const char *id_number)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkSession *session = ek_engine_get_session (engine);

  ek_engine_login_async (engine, TOKEN, id_number, NULL, ek_test_result_cb, &result);
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
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);

  /* No recording before the exam. */
  g_assert_null (ek_engine_get_recording (engine));

  ek_engine_set_devices (engine, NULL, NULL);
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  step_ok (engine, ek_test_wait (&result));
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_nonnull (ek_engine_get_recording (engine));
}

static gboolean
has_outbox_with_segments (gpointer data)
{
  EkEngine *engine = data;
  EkExamRecording *recording = ek_engine_get_recording (engine);
  EkOutbox *outbox = recording ? ek_exam_recording_get_outbox (recording) : NULL;

  /* At least two segments sent while the exam runs. */
  return outbox != NULL && ek_outbox_get_segments_total (outbox) >= 2 &&
         ek_outbox_get_bytes_sent (outbox) > 0;
}

static gboolean
is_finished (gpointer data)
{
  return ek_session_get_stage (ek_engine_get_session (data)) == EK_SESSION_STAGE_FINISHED;
}

static void
submit (EkEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_engine_submit_async (engine, 0, NULL, ek_test_result_cb, &result);
  step_ok (engine, ek_test_wait (&result));
}

/* Every segment file in @directory is on the server, complete, with the local
 * file's SHA-256. Returns how many there are. */
static guint
assert_all_uploaded (Fixture    *f,
                     const char *directory,
                     EkOutbox   *outbox,
                     const char *session_id)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  g_autoptr(JsonArray) uploads = ek_test_server_get_uploads (f->server, session_id);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);
      g_autofree char *sha256 = NULL;
      g_autofree char *url = NULL;
      EkOutboxState state;
      const char *stream;
      JsonObject *upload;
      guint index;

      if (!ek_segment_parse_file_name (name, &stream, &index))
        continue;

      g_test_message ("checking %s", name);
      sha256 = ek_test_sha256_file (path);
      g_assert_true (ek_outbox_lookup_segment (outbox, stream, index, &state, &url, NULL));
      g_assert_cmpstr (ek_outbox_state_to_string (state), ==, "confirmed");
      upload = ek_test_find_upload (uploads, url);
      g_assert_nonnull (upload);
      g_assert_true (json_object_get_boolean_member (upload, "complete"));
      g_assert_cmpstr (json_object_get_string_member (upload, "stored_sha256"), ==, sha256);
      g_assert_cmpint (json_object_get_int_member (upload, "segment"), ==, index);
      n++;
    }

  return n;
}

static void
test_records_uploads_finishes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(EkOutbox) outbox = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *session_id = NULL;
  EkExamRecording *recording;
  EkRecorder *recorder;
  struct stat st;

  enter_exam (engine, ID_1);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  recording = ek_engine_get_recording (engine);
  recorder = ek_exam_recording_get_recorder (recording);
  directory = g_build_filename (f->data_dir, "sessions", session_id, "recording", NULL);
  g_assert_cmpstr (ek_exam_recording_get_directory (recording), ==, directory);
  g_assert_cmpint (g_stat (directory, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (ek_recorder_get_state (recorder), !=, EK_RECORDER_STATE_FAILED);
  g_assert_null (ek_engine_get_recording_problem (engine));

  /* Uploads start while the exam runs. */
  ek_test_wait_for_predicate (has_outbox_with_segments, engine, 30000, "segments on their way");
  g_assert_cmpint (ek_recorder_get_state (recorder), ==, EK_RECORDER_STATE_RECORDING);
  outbox = g_object_ref (ek_exam_recording_get_outbox (recording));
  g_assert_false (ek_outbox_get_complete (outbox));

  submit (engine);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (engine)), ==,
                   EK_SESSION_STAGE_FINISHING);

  /* FINISHED only once the server confirmed everything. */
  ek_test_wait_for_predicate (is_finished, engine, 45000, "the session to finish");
  g_assert_true (ek_outbox_get_complete (outbox));
  g_assert_cmpuint (ek_outbox_get_segments_pending (outbox), ==, 0);
  g_assert_cmpuint (ek_outbox_get_bytes_sent (outbox), ==, ek_outbox_get_bytes_total (outbox));
  g_assert_cmpuint (assert_all_uploaded (f, directory, outbox, session_id), >=, 3);
  g_assert_null (ek_engine_get_recording_problem (engine));
  /* The recording is over with the session. */
  g_assert_null (ek_engine_get_recording (engine));
  drop_engine (&engine);
}

static gboolean
has_segment_file (gpointer data)
{
  g_autofree char *path = g_build_filename (data, "camera-00001.mkv", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
has_new_run_segment (gpointer data)
{
  g_autofree char *path = g_build_filename (data, "camera-00092.mkv", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
test_restart_reannounces (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(EkEngine) restarted = NULL;
  g_autoptr(EkOutbox) outbox = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *first = NULL;
  g_autofree char *orphan = NULL;
  g_autofree char *orphan_sha256 = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  EkExamRecording *recording;
  EkOutboxState state;

  enter_exam (engine, ID_2);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  directory = g_strdup (ek_exam_recording_get_directory (ek_engine_get_recording (engine)));

  /* The first segment is closed once the second one exists. */
  ek_test_wait_for_predicate (has_segment_file, directory, 30000, "a second segment");

  /* The client dies mid-exam (no stop, no finish): nothing of it may live on. */
  drop_engine (&engine);

  /* A segment closed just before the crash and never announced: the outbox has
   * never heard of it. */
  first = g_build_filename (directory, "camera-00000.mkv", NULL);
  g_assert_true (g_file_get_contents (first, &contents, &length, &error));
  g_assert_no_error (error);
  orphan = g_build_filename (directory, "camera-00090.mkv", NULL);
  g_assert_true (g_file_set_contents (orphan, contents, length, &error));
  g_assert_no_error (error);
  orphan_sha256 = ek_test_sha256_file (orphan);

  restarted = ek_engine_new (f->config);
  ek_engine_resume_async (restarted, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_resume_finish (restarted, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (ek_engine_get_session_id (restarted), ==, session_id);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (restarted)), ==,
                   EK_SESSION_STAGE_EXAM);
  recording = ek_engine_get_recording (restarted);
  g_assert_nonnull (recording);
  g_assert_cmpstr (ek_exam_recording_get_directory (recording), ==, directory);

  ek_test_wait_for_predicate (has_outbox_with_segments, restarted, 30000, "the outbox to reopen");
  /* The new run goes on after the highest index in the folder. */
  ek_test_wait_for_predicate (has_new_run_segment, directory, 30000, "a segment of the new run");
  outbox = g_object_ref (ek_exam_recording_get_outbox (recording));

  submit (restarted);
  ek_test_wait_for_predicate (is_finished, restarted, 45000, "the session to finish");

  g_assert_true (ek_outbox_lookup_segment (outbox, "camera", 90, &state, NULL, NULL));
  g_assert_cmpstr (ek_outbox_state_to_string (state), ==, "confirmed");
  /* Every file, those of the first run included, is on the server intact. */
  g_assert_cmpuint (assert_all_uploaded (f, directory, outbox, session_id), >=, 3);
  drop_engine (&restarted);
}

static gboolean
has_recording_problem (gpointer data)
{
  return ek_engine_get_recording_problem (data) != NULL;
}

static gboolean
has_no_recording_problem (gpointer data)
{
  return ek_engine_get_recording_problem (data) == NULL;
}

static gboolean
is_recorder_failed (gpointer data)
{
  return ek_recorder_get_state (data) == EK_RECORDER_STATE_FAILED;
}

static gboolean
is_recorder_recording (gpointer data)
{
  return ek_recorder_get_state (data) == EK_RECORDER_STATE_RECORDING;
}

/* The disk as the test says (@user_data: an atomic gint, non-zero: full); called
 * from the recorder's worker thread. */
static gboolean
test_disk_space (const char  *directory,
                 guint64     *free_bytes,
                 gpointer     user_data,
                 GError     **error)
{
  *free_bytes = g_atomic_int_get ((gint *) user_data) ? 1024 * 1024 : G_GUINT64_CONSTANT (1) << 40;
  return TRUE;
}

/* The recording is made when the exam is entered and started right after:
 * the test's disk goes in before the start. */
static void
on_recording_made_cb (EkEngine   *engine,
                      GParamSpec *pspec,
                      gint       *disk_full)
{
  EkExamRecording *recording = ek_engine_get_recording (engine);

  if (recording != NULL)
    ek_recorder_set_free_space_func (ek_exam_recording_get_recorder (recording),
                                     test_disk_space, disk_full, NULL);
}

/* The index in @events of the first event of @type from @from on, or -1. */
static int
find_event (JsonArray  *events,
            const char *type,
            guint       from)
{
  for (guint i = from; i < json_array_get_length (events); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (events, i), "type"),
                   type) == 0)
      return (int) i;

  return -1;
}

/* A camera that stalls (no picture, no error) and comes back, then a disk that
 * fills: the candidate sees the problem while it lasts, and the proctor gets
 * camera_lost / camera_back, microphone_lost / microphone_back and disk_full in the
 * session's event log on the server. */
static void
test_camera_and_disk_events (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *session_id = NULL;
  EkRecorder *recorder;
  JsonArray *events;
  JsonObject *event;
  int lost;
  int back;
  int mic_lost;
  int mic_back;
  int full;
  gint disk_full = FALSE;

  g_signal_connect (engine, "notify::recording", G_CALLBACK (on_recording_made_cb), &disk_full);
  enter_exam (engine, ID_1);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  recorder = ek_exam_recording_get_recorder (ek_engine_get_recording (engine));
  ek_test_wait_for_predicate (is_recorder_recording, recorder, 20000, "the recording to run");
  g_assert_null (ek_engine_get_recording_problem (engine));

  ek_recorder_simulate_camera_stall (recorder, TRUE);
  ek_test_wait_for_predicate (has_recording_problem, engine, 10000,
                              "the stalled camera to be noticed");
  g_test_message ("problem: %s", ek_engine_get_recording_problem (engine));
  g_assert_false (ek_recorder_get_camera_available (recorder));
  g_assert_cmpint (ek_recorder_get_state (recorder), ==, EK_RECORDER_STATE_RECORDING);

  ek_recorder_simulate_camera_stall (recorder, FALSE);
  ek_test_wait_for_predicate (has_no_recording_problem, engine, 15000, "the camera to be back");
  g_assert_true (ek_recorder_get_camera_available (recorder));

  /* The headset is pulled out and plugged in again: silence meanwhile. */
  ek_recorder_simulate_microphone_loss (recorder);
  ek_test_wait_for_predicate (has_recording_problem, engine, 10000,
                              "the lost microphone to be noticed");
  g_test_message ("problem: %s", ek_engine_get_recording_problem (engine));
  g_assert_false (ek_recorder_get_microphone_available (recorder));
  g_assert_true (ek_recorder_get_camera_available (recorder));
  g_assert_cmpint (ek_recorder_get_state (recorder), ==, EK_RECORDER_STATE_RECORDING);
  ek_recorder_simulate_microphone_return (recorder);
  ek_test_wait_for_predicate (has_no_recording_problem, engine, 10000, "the microphone to be back");
  g_assert_true (ek_recorder_get_microphone_available (recorder));

  /* The disk fills: the recording stops cleanly and says so. */
  g_atomic_int_set (&disk_full, TRUE);
  ek_test_wait_for_predicate (is_recorder_failed, recorder, 15000,
                              "the recording to stop for the full disk");
  g_assert_error ((GError *) ek_recorder_get_error (recorder),
                  EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL);
  g_assert_nonnull (ek_engine_get_recording_problem (engine));

  ek_event_log_flush_async (ek_engine_get_event_log (engine), NULL, ek_test_result_cb, &result);
  g_assert_true (ek_event_log_flush_finish (ek_engine_get_event_log (engine),
                                            ek_test_wait (&result), &error));
  g_assert_no_error (error);

  admin = ek_test_server_get_session (f->server, session_id);
  events = json_object_get_array_member (admin, "events");
  lost = find_event (events, "camera_lost", 0);
  g_assert_cmpint (lost, >=, 0);
  event = json_array_get_object_element (events, lost);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (event, "data"),
                                                  "reason"), ==, "stalled");
  back = find_event (events, "camera_back", lost);
  g_assert_cmpint (back, >, lost);
  event = json_array_get_object_element (events, back);
  /* away from the stall's detection until the camera delivered again */
  g_assert_cmpint (json_object_get_int_member (event, "duration_ms"), >, 0);
  mic_lost = find_event (events, "microphone_lost", back);
  g_assert_cmpint (mic_lost, >, back);
  mic_back = find_event (events, "microphone_back", mic_lost);
  g_assert_cmpint (mic_back, >, mic_lost);
  event = json_array_get_object_element (events, mic_back);
  g_assert_cmpint (json_object_get_int_member (event, "duration_ms"), >=, 0);
  full = find_event (events, "disk_full", mic_back);
  g_assert_cmpint (full, >, mic_back);
  /* each once */
  g_assert_cmpint (find_event (events, "camera_lost", lost + 1), ==, -1);
  g_assert_cmpint (find_event (events, "disk_full", full + 1), ==, -1);

  g_signal_handlers_disconnect_by_data (engine, &disk_full);
  drop_engine (&engine);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/exam-recording/records-uploads-finishes", Fixture, NULL,
              fixture_set_up, test_records_uploads_finishes, fixture_tear_down);
  g_test_add ("/exam-recording/restart-reannounces", Fixture, NULL,
              fixture_set_up, test_restart_reannounces, fixture_tear_down);
  g_test_add ("/exam-recording/camera-and-disk-events", Fixture, NULL,
              fixture_set_up, test_camera_and_disk_events, fixture_tear_down);

  return g_test_run ();
}
