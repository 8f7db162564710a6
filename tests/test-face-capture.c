/* test-face-capture.c: the guided identity check and face login, end to end
 *
 * EkFaceCapture is fed a live-like camera: first the astronaut's face (a close
 * crop, with fresh sensor noise on every frame) until the guidance is satisfied,
 * then the turning head of Megamind.avi frames 95-155 for the challenge. The
 * reference server (tests/server) decides the comparison: its `face_result`
 * fault forces a match or a refusal; with `auto`, our camera JPEG is not the
 * registered photo and carries no face token, so it is refused as
 * `different_person` (tests/server/README.md, "The face method").
 */

#include "config.h"

#include "ek-face-capture.h"
#include "ek-face-test-util.h"
#include "ek-jpeg.h"
#include "ek-json.h"
#include "ek-proctor-signals.h"
#include "ek-test-server.h"

#define W EK_TEST_FRAME_WIDTH
#define H EK_TEST_FRAME_HEIGHT

#define EXAM_ID    "formal-interview-1"
#define EXAM_TOKEN "FORMAL-7Q4K-2M9X"
#define ID_ZHANG   "11010519491231002X"

typedef struct
{
  EkTestServer  *server;
  EkServerClock *clock;
  EkApiClient   *api;
  char          *session_id;
} Fixture;

static EkVideoFrame *close_face;
static GPtrArray *turning;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *faults[] = { data, NULL };
  EkTestServerOptions options = { .faults = data != NULL ? faults : NULL };

  f->server = ek_test_server_start (&options);
  f->clock = ek_server_clock_new ();
  f->api = ek_api_client_new (ek_test_server_get_base_url (f->server), f->clock);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->api);
  g_assert_finalize_object (f->clock);
  ek_test_server_stop (f->server);
  g_free (f->session_id);
}

static void
login_and_pledge (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  EkSessionState *state;

  ek_api_client_login_async (f->api, EXAM_TOKEN, ID_ZHANG, NULL, ek_test_result_cb, &result);
  info = ek_api_client_login_finish (f->api, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  f->session_id = g_strdup (ek_session_info_get_session_id (info));

  ek_api_client_pledge_async (f->api, TRUE, "2026-11", NULL, ek_test_result_cb, &result2);
  state = ek_api_client_state_finish (f->api, ek_test_wait (&result2), &error);
  g_assert_no_error (error);
  ek_session_state_free (state);
}

static gboolean
is_final (EkFaceCaptureState state)
{
  return state == EK_FACE_CAPTURE_MATCHED || state == EK_FACE_CAPTURE_NOT_MATCHED ||
         state == EK_FACE_CAPTURE_LOCKED_OUT || state == EK_FACE_CAPTURE_FAILED;
}

/* Plays the camera at 10 fps until the capture has an answer. */
static EkFaceCaptureState
run_capture (EkFaceCapture *capture)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  gint64 liveness_started = 0;
  guint seed = 1;
  gboolean saw_liveness = FALSE;

  while (!is_final (ek_face_capture_get_state (capture)))
    {
      g_autoptr(EkVideoFrame) frame = NULL;
      EkFaceCaptureState state = ek_face_capture_get_state (capture);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);

      if (state == EK_FACE_CAPTURE_LIVENESS)
        {
          guint index;

          if (liveness_started == 0)
            liveness_started = g_get_monotonic_time ();
          saw_liveness = TRUE;
          /* each clip frame stays up for 200 ms, then the clip plays again */
          index = (guint) ((g_get_monotonic_time () - liveness_started) / 200000) % turning->len;
          frame = ek_video_frame_ref (g_ptr_array_index (turning, index));
        }
      else
        {
          liveness_started = 0;
          frame = ek_face_test_add_noise (close_face, seed++);
        }

      ek_face_capture_push_frame (capture, frame);
      ek_test_sleep_ms (100);
    }

  g_assert_true (saw_liveness);
  return ek_face_capture_get_state (capture);
}

static EkFaceCapture *
new_capture (Fixture           *f,
             EkFaceCaptureMode  mode)
{
  g_autoptr(GError) error = NULL;
  EkFaceCapture *capture = ek_face_capture_new (f->api, mode);

  if (mode == EK_FACE_CAPTURE_MODE_LOGIN)
    ek_face_capture_set_login (capture, EXAM_ID, ID_ZHANG);
  ek_face_capture_set_direction (capture, EK_LIVENESS_TURN_RIGHT);
  g_assert_true (ek_face_capture_start (capture, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_face_capture_get_state (capture), ==, EK_FACE_CAPTURE_GUIDING);
  g_assert_nonnull (ek_face_capture_get_guidance (capture));

  return capture;
}

static JsonArray *
face_attempts (Fixture *f)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server, f->session_id);

  return json_array_ref (json_object_get_array_member (session, "face_attempts"));
}

static gboolean
step_completed (Fixture    *f,
                const char *step)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server, f->session_id);
  JsonObject *state = json_object_get_object_member (session, "state");
  JsonArray *steps = json_object_get_array_member (state, "completed_steps");

  for (guint i = 0; i < json_array_get_length (steps); i++)
    if (g_str_equal (json_array_get_string_element (steps, i), step))
      return TRUE;

  return FALSE;
}

static void
test_check_match (Fixture       *f,
                  gconstpointer  data)
{
  EkFaceCapture *capture;
  g_autoptr(JsonArray) attempts = NULL;
  JsonObject *attempt;

  login_and_pledge (f);
  g_assert_false (step_completed (f, "face_check"));

  capture = new_capture (f, EK_FACE_CAPTURE_MODE_CHECK);
  g_assert_cmpint (run_capture (capture), ==, EK_FACE_CAPTURE_MATCHED);
  g_assert_cmpuint (ek_face_capture_get_failures (capture), ==, 0);
  g_assert_nonnull (ek_face_capture_get_chosen_frame (capture));

  /* The server got one JPEG and completed the step. */
  attempts = face_attempts (f);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 1);
  attempt = json_array_get_object_element (attempts, 0);
  g_assert_cmpstr (json_object_get_string_member (attempt, "result"), ==, "match");
  g_assert_cmpint (json_object_get_int_member (attempt, "size"), >, 5000);
  g_assert_true (step_completed (f, "face_check"));

  g_assert_finalize_object (capture);
}

static void
test_check_refused_three_times (Fixture       *f,
                                gconstpointer  data)
{
  EkFaceCapture *capture;
  g_autoptr(JsonArray) attempts = NULL;

  login_and_pledge (f);
  capture = new_capture (f, EK_FACE_CAPTURE_MODE_CHECK);

  for (guint i = 1; i <= 3; i++)
    {
      EkFaceCaptureState state = run_capture (capture);

      g_assert_cmpuint (ek_face_capture_get_failures (capture), ==, i);
      g_assert_cmpstr (ek_face_capture_get_reason (capture), ==, "different_person");
      if (i < 3)
        {
          g_assert_cmpint (state, ==, EK_FACE_CAPTURE_NOT_MATCHED);
          ek_face_capture_retry (capture);
          g_assert_cmpint (ek_face_capture_get_state (capture), ==, EK_FACE_CAPTURE_GUIDING);
        }
      else
        g_assert_cmpint (state, ==, EK_FACE_CAPTURE_LOCKED_OUT);
    }

  /* locked out for good */
  ek_face_capture_retry (capture);
  g_assert_cmpint (ek_face_capture_get_state (capture), ==, EK_FACE_CAPTURE_LOCKED_OUT);

  attempts = face_attempts (f);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 3);
  g_assert_false (step_completed (f, "face_check"));

  g_assert_finalize_object (capture);
}

static void
test_login_match (Fixture       *f,
                  gconstpointer  data)
{
  EkFaceCapture *capture = new_capture (f, EK_FACE_CAPTURE_MODE_LOGIN);
  EkSessionInfo *info;

  g_assert_false (ek_api_client_has_session_token (f->api));
  g_assert_cmpint (run_capture (capture), ==, EK_FACE_CAPTURE_MATCHED);
  info = ek_face_capture_get_session_info (capture);
  g_assert_nonnull (info);
  g_assert_nonnull (ek_session_info_get_session_id (info));
  g_assert_true (ek_api_client_has_session_token (f->api));

  g_assert_finalize_object (capture);
}

static void
test_login_refused (Fixture       *f,
                    gconstpointer  data)
{
  EkFaceCapture *capture = new_capture (f, EK_FACE_CAPTURE_MODE_LOGIN);

  g_assert_cmpint (run_capture (capture), ==, EK_FACE_CAPTURE_NOT_MATCHED);
  g_assert_null (ek_face_capture_get_session_info (capture));
  g_assert_false (ek_api_client_has_session_token (f->api));
  g_assert_cmpuint (ek_face_capture_get_failures (capture), ==, 1);

  g_assert_finalize_object (capture);
}

static void
test_snapshot (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = ek_jpeg_encode (close_face, &error);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autofree char *id = NULL;
  const guint8 *bytes;
  gsize size;
  JsonArray *snapshots;

  g_assert_no_error (error);
  bytes = g_bytes_get_data (jpeg, &size);
  g_assert_cmpuint (size, >, 1000);
  g_assert_cmpuint (bytes[0], ==, 0xff);
  g_assert_cmpuint (bytes[1], ==, 0xd8);

  login_and_pledge (f);
  ek_api_client_post_snapshot_async (f->api, "camera", jpeg, 1795000000000, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_api_client_post_snapshot_finish (f->api, ek_test_wait (&result), &id, &error));
  g_assert_no_error (error);
  g_assert_nonnull (id);

  session = ek_test_server_get_session (f->server, f->session_id);
  snapshots = json_object_get_array_member (session, "snapshots");
  g_assert_cmpuint (json_array_get_length (snapshots), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (snapshots, 0), "size"),
                   ==, (gint64) size);

  /* The live monitor uploads its newest frame when a snapshot is due (here: the
   * server's snapshot_request). */
  {
    EkProctorSignals *signals = ek_proctor_signals_new (NULL, &error);
    g_autoptr(JsonObject) session2 = NULL;
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    g_assert_no_error (error);
    ek_proctor_signals_set_uploader (signals, f->api);
    ek_proctor_signals_push_frame (signals, close_face);
    ek_proctor_signals_request_snapshot (signals);
    while (ek_proctor_signals_get_n_snapshots_sent (signals) == 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
    session2 = ek_test_server_get_session (f->server, f->session_id);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (session2, "snapshots")), ==, 2);
    /* let the detector answer the frame before the monitor goes */
    while (ek_proctor_signals_get_n_frames (signals) == 0)
      g_main_context_iteration (NULL, TRUE);
    g_assert_finalize_object (signals);
  }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  close_face = ek_face_test_load_close_face ();
  turning = ek_face_test_load_video ("Megamind.avi", W, H, 95, 155, 2);

  g_test_add ("/face/capture/check-match", Fixture, "face_result=match",
              fixture_set_up, test_check_match, fixture_tear_down);
  g_test_add ("/face/capture/check-refused-three-times", Fixture, NULL,
              fixture_set_up, test_check_refused_three_times, fixture_tear_down);
  g_test_add ("/face/capture/login-match", Fixture, "face_result=match",
              fixture_set_up, test_login_match, fixture_tear_down);
  g_test_add ("/face/capture/login-refused", Fixture, "face_result=no_match",
              fixture_set_up, test_login_refused, fixture_tear_down);
  g_test_add ("/face/capture/snapshot", Fixture, NULL,
              fixture_set_up, test_snapshot, fixture_tear_down);

  ret = g_test_run ();

  ek_video_frame_unref (close_face);
  g_ptr_array_unref (turning);
  return ret;
}
