/* test-engine.c: the engine against the reference server: login (token or face)
 * keeps the token in the keyring, every step reaches the server, a restarted client
 * re-enters the same phase with the same deadline, and an ended session leaves no
 * token behind */

#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>

#include "ek-engine.h"
#include "ek-face-detector.h"
#include "ek-test-server.h"

#define TOKEN  "ENGINE-LIVE-4R8T"
#define ID_1   "11010519491231002X"
#define ID_2   "110105199003071239"

typedef struct
{
  EkTestServer *server;
  EkConfig     *config;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;

  f->server = ek_test_server_start (NULL);
  conf = g_strdup_printf ("[server]\nurl=%s\n", ek_test_server_get_base_url (f->server));
  f->config = ek_config_new ();
  g_assert_true (ek_config_load_from_data (f->config, conf, -1, "test", &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->config);
  ek_test_server_stop (f->server);
}

static void
login (EkEngine   *engine,
       const char *id_number)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_engine_login_async (engine, TOKEN, id_number, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
}

static gboolean
resume (EkEngine  *engine,
        GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ek_engine_resume_async (engine, NULL, ek_test_result_cb, &result);
  return ek_engine_resume_finish (engine, ek_test_wait (&result), error);
}

static void
step_done (EkEngine *engine,
           gboolean  ok,
           GError   *error)
{
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
complete_step (EkEngine *engine,
               EkStep    step)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ek_engine_complete_step_async (engine, step, NULL, ek_test_result_cb, &result);
  ok = ek_engine_step_finish (engine, ek_test_wait (&result), &error);
  step_done (engine, ok, error);
}

/* The keyring entry for the server, as another program would see it. */
static gboolean
keyring_has_session (EkEngine *engine)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *token = NULL;
  gboolean found;

  ek_secret_store_lookup_async (ek_engine_get_secret_store (engine),
                                ek_config_get_server_url (ek_engine_get_config (engine)),
                                NULL, ek_test_result_cb, &result);
  found = ek_secret_store_lookup_finish (ek_engine_get_secret_store (engine),
                                         ek_test_wait (&result), &session_id, &token, &error);
  g_assert_no_error (error);
  if (found)
    g_assert_cmpstr (session_id, ==, ek_engine_get_session_id (engine));
  return found;
}

static void
test_engine_flow_and_reentry (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(EkEngine) restarted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *session_id = NULL;
  EkSession *session = ek_engine_get_session (engine);
  JsonObject *state;
  gint64 remaining;
  gint64 remaining_after;
  gint64 local_before, local_after, delay_before;
  gint64 elapsed, slack;

  login (engine, ID_1);
  session_id = g_strdup (ek_engine_get_session_id (engine));
  g_assert_nonnull (session_id);
  g_assert_true (ek_server_clock_is_synced (ek_engine_get_clock (engine)));
  g_assert_cmpstr (ek_candidate_get_seat (ek_session_get_candidate (session)), ==, "E-001");
  g_assert_true (keyring_has_session (engine));
  g_assert_null (ek_engine_get_keyring_problem (engine));

  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_STEPS);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_PLEDGE);

  /* Steps out of order are refused before anything is sent. */
  ek_engine_complete_step_async (engine, EK_STEP_DRAW, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP);
  g_clear_error (&error);
  g_clear_object (&result);

  ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_ROOM_SCAN);
  complete_step (engine, EK_STEP_ROOM_SCAN);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_DRAW);
  complete_step (engine, EK_STEP_DRAW);
  g_assert_cmpint (ek_session_get_state (session)->sequence_number, >=, 0);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_DEVICE_CONFIRM);
  complete_step (engine, EK_STEP_DEVICE_CONFIRM);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);

  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_cmpint (ek_session_get_phase_index (session), ==, 0);

  /* The server has it all. */
  admin = ek_test_server_get_session (f->server, session_id);
  state = json_object_get_object_member (admin, "state");
  g_assert_nonnull (state);
  g_assert_cmpint (json_object_get_int_member (state, "entered_ms"), >, 0);
  g_assert_cmpint (json_object_get_int_member (state, "sequence_number"), ==,
                   ek_session_get_state (session)->sequence_number);

  /* The client "crashes": a new engine (as after a restart) finds the token in
   * the keyring and lands in the same phase with the same deadline. */
  remaining = ek_session_get_phase_remaining_ms (session);
  local_before = ek_server_clock_get_local_ms (ek_engine_get_clock (engine));
  delay_before = ek_server_clock_get_delay_ms (ek_engine_get_clock (engine));
  g_clear_object (&engine);
  ek_test_sleep_ms (300);

  restarted = ek_engine_new (f->config);
  g_assert_true (resume (restarted, &error));
  g_assert_no_error (error);
  session = ek_engine_get_session (restarted);
  g_assert_cmpstr (ek_engine_get_session_id (restarted), ==, session_id);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_cmpint (ek_session_get_phase_index (session), ==, 0);
  remaining_after = ek_session_get_phase_remaining_ms (session);
  local_after = ek_server_clock_get_local_ms (ek_engine_get_clock (restarted));
  /* The countdown did not pause: it runs on server time, which each engine counts as
   * its local monotonic time plus the offset it learnt from the server. So it moved by
   * the local time that passed (the 300 ms and the re-entry's round trips, however slow
   * a sanitizer makes them), give or take the two offsets' own uncertainty (half the
   * round trip of the sample each one comes from) and a millisecond of rounding each. */
  elapsed = local_after - local_before;
  slack = (delay_before + ek_server_clock_get_delay_ms (ek_engine_get_clock (restarted))) / 2 + 4;
  g_assert_cmpint (elapsed, >=, 300);
  g_assert_cmpint (remaining - remaining_after, >=, elapsed - slack);
  g_assert_cmpint (remaining - remaining_after, <=, elapsed + slack);
}

static void
test_engine_pledge_declined_clears_token (Fixture       *f,
                                          gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(EkEngine) restarted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  login (engine, ID_2);
  g_assert_true (keyring_has_session (engine));

  ek_engine_answer_pledge_async (engine, FALSE, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (engine)), ==,
                   EK_SESSION_STAGE_ENDED);

  /* the token is removed from the keyring (asynchronously) */
  for (guint i = 0; i < 50 && keyring_has_session (engine); i++)
    ek_test_sleep_ms (20);
  g_assert_false (keyring_has_session (engine));

  restarted = ek_engine_new (f->config);
  g_assert_false (resume (restarted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (restarted)), ==,
                   EK_SESSION_STAGE_NONE);
}

static void
test_engine_wrong_credentials (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ek_engine_login_async (engine, "NOT-A-TOKEN", ID_1, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_WRONG_CREDENTIALS);
  g_assert_false (keyring_has_session (engine));
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (engine)), ==,
                   EK_SESSION_STAGE_NONE);
}

static gboolean
login_face (EkEngine    *engine,
            const char  *photo,
            GError     **error)
{
  g_autofree char *path = g_build_filename (g_getenv ("EK_TEST_SRCDIR"), "data", "exams", "photos",
                                            photo, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  jpeg = g_bytes_new_take (data, len);
  ek_engine_login_face_async (engine, "formal-interview-1", ID_1, jpeg, 0, NULL,
                              ek_test_result_cb, &result);
  return ek_engine_login_face_finish (engine, ek_test_wait (&result), error);
}

/* Face login (tests/server/README.md, "The face method": the live test photos carry
 * the candidate's face token or say no_face): a refusal keeps its reason and leaves
 * nothing behind; a match logs in like the token, and the server counts the picture
 * as the identity check. */
static void
test_engine_face_login (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GError) error = NULL;
  EkSession *session = ek_engine_get_session (engine);

  g_assert_false (login_face (engine, "live-no-face.jpg", &error));
  g_assert_error (error, EK_API_ERROR, EK_API_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpstr (ek_api_error_get_reason (error), ==, "no_face");
  g_assert_false (keyring_has_session (engine));
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_NONE);
  g_clear_error (&error);

  g_assert_true (login_face (engine, "live-11010519491231002X.jpg", &error));
  g_assert_no_error (error);
  g_assert_nonnull (ek_engine_get_session_id (engine));
  g_assert_true (keyring_has_session (engine));
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_STEPS);
  g_assert_cmpint (ek_session_get_current_step (session), ==, EK_STEP_PLEDGE);
  g_assert_true (ek_session_get_state (session)->completed_steps & (1u << EK_STEP_FACE_CHECK));
}

/* A token that the server no longer accepts (the candidate logged in elsewhere)
 * is dropped; the candidate logs in again instead of being stuck. */
static void
test_engine_stale_token (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(EkEngine) first = ek_engine_new (f->config);
  g_autoptr(EkEngine) second = ek_engine_new (f->config);
  g_autoptr(EkEngine) restarted = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSecretStore) store = ek_secret_store_new ();
  g_autofree char *first_token = NULL;

  login (first, ID_1);
  ek_secret_store_lookup_async (store, ek_config_get_server_url (f->config), NULL,
                                ek_test_result_cb, &result);
  g_assert_true (ek_secret_store_lookup_finish (store, ek_test_wait (&result), NULL,
                                                &first_token, &error));
  g_clear_object (&result);

  login (second, ID_1);

  /* put the first, now replaced, token back, as a stale keyring would have it */
  ek_secret_store_save_async (store, ek_config_get_server_url (f->config),
                              ek_engine_get_session_id (first), first_token, NULL,
                              ek_test_result_cb, &result);
  g_assert_true (ek_secret_store_save_finish (store, ek_test_wait (&result), &error));
  g_clear_object (&result);

  restarted = ek_engine_new (f->config);
  g_assert_false (resume (restarted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (restarted)), ==,
                   EK_SESSION_STAGE_NONE);
  g_assert_false (keyring_has_session (restarted));
}

/* A cascade file of the live proctoring missing: the exam does not start, with a
 * message for the candidate; once it is back, it does. */
static void
test_engine_missing_cascade_stops_start (Fixture       *f,
                                         gconstpointer  data)
{
#ifdef EK_ENABLE_TEST_HOOKS
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) admin = NULL;
  g_autofree char *empty = g_dir_make_tmp ("ek-cascades-XXXXXX", &error);
  g_autofree char *frontal = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  EkSession *session = ek_engine_get_session (engine);
  JsonObject *state;

  g_assert_no_error (error);
  login (engine, ID_1);
  ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_clear_object (&result);
  complete_step (engine, EK_STEP_ROOM_SCAN);
  complete_step (engine, EK_STEP_DRAW);
  complete_step (engine, EK_STEP_DEVICE_CONFIRM);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);

  /* Only the frontal cascade there: the profile one is missing. */
  frontal = g_build_filename (ek_face_detector_get_cascade_dir (), "haarcascade_frontalface_default.xml", NULL);
  g_assert_true (g_file_get_contents (frontal, &contents, &length, &error));
  copy = g_build_filename (empty, "haarcascade_frontalface_default.xml", NULL);
  g_assert_true (g_file_set_contents (copy, contents, length, &error));
  g_setenv ("EK_TEST_CASCADE_DIR", empty, TRUE);

  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_false (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_error (error, EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_MISSING_CASCADE);
  g_assert_nonnull (strstr (error->message, "opencv-data"));
  g_assert_nonnull (strstr (error->message, "invigilator"));
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);
  g_assert_null (ek_engine_get_proctor (engine));
  /* nothing reached the server */
  admin = ek_test_server_get_session (f->server, ek_engine_get_session_id (engine));
  state = json_object_get_object_member (admin, "state");
  g_assert_false (state != NULL && json_object_has_member (state, "entered_ms") &&
                  json_object_get_int_member (state, "entered_ms") > 0);

  /* the files are back */
  g_unsetenv ("EK_TEST_CASCADE_DIR");
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);

  g_remove (copy);
  g_rmdir (empty);
#else
  g_test_skip ("needs -Dtest_hooks=true (EK_TEST_CASCADE_DIR)");
#endif
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/flow-and-reentry", Fixture, NULL,
              fixture_set_up, test_engine_flow_and_reentry, fixture_tear_down);
  g_test_add ("/engine/pledge-declined-clears-token", Fixture, NULL,
              fixture_set_up, test_engine_pledge_declined_clears_token, fixture_tear_down);
  g_test_add ("/engine/wrong-credentials", Fixture, NULL,
              fixture_set_up, test_engine_wrong_credentials, fixture_tear_down);
  g_test_add ("/engine/face-login", Fixture, NULL,
              fixture_set_up, test_engine_face_login, fixture_tear_down);
  g_test_add ("/engine/stale-token", Fixture, NULL,
              fixture_set_up, test_engine_stale_token, fixture_tear_down);
  g_test_add ("/engine/missing-cascade-stops-start", Fixture, NULL,
              fixture_set_up, test_engine_missing_cascade_stops_start, fixture_tear_down);

  return g_test_run ();
}
