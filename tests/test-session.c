/* test-session.c: the session state machine's rules: step order, entry window,
 * late-entry cutoff, re-entry with the time really left, phase order, and a
 * wall clock that jumps */

#include "config.h"

#include "ek-session.h"
#include "ek-test-exam.h"

#define T0 G_GINT64_CONSTANT (1795000000000)   /* the exam's start, server time */

typedef struct
{
  gint64         mono_us;
  gint64         real_us;
  EkServerClock *clock;
  EkExam        *exam;
  EkCandidate   *candidate;
  EkSession     *session;
  GArray        *phases_started;
} Fixture;

static gint64
fake_mono (gpointer data)
{
  return ((Fixture *) data)->mono_us;
}

static gint64
fake_real (gpointer data)
{
  return ((Fixture *) data)->real_us;
}

/* Puts the fake server clock at @server_ms. */
static void
set_server_time (Fixture *f,
                 gint64   server_ms)
{
  gint64 local_ms = f->mono_us / 1000;

  ek_server_clock_reset (f->clock);
  ek_server_clock_add_sample (f->clock, local_ms, server_ms, server_ms, local_ms);
}

static void
advance (Fixture *f,
         gint64   ms)
{
  f->mono_us += ms * 1000;
  f->real_us += ms * 1000;
  ek_session_refresh (f->session);
}

static void
on_phase_started_cb (EkSession *session,
                     int        index,
                     Fixture   *f)
{
  g_array_append_val (f->phases_started, index);
}

static void
fixture_setup_with_steps (Fixture    *f,
                          const char *steps)
{
  g_autofree char *json = ek_test_exam_json (T0, "formal", steps);
  g_autoptr(JsonObject) object = ek_test_parse_object (json);
  g_autoptr(JsonObject) candidate = ek_test_parse_object (
    "{ \"name\": \"张三\", \"id_number_masked\": \"110***********002X\", \"seat\": \"A-017\" }");
  g_autoptr(GError) error = NULL;

  f->mono_us = 100 * G_USEC_PER_SEC;
  f->real_us = T0 * 1000;
  f->clock = ek_server_clock_new ();
  ek_server_clock_set_time_funcs (f->clock, fake_mono, fake_real, f);
  f->exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  f->candidate = ek_candidate_new_from_json (candidate, &error);
  g_assert_no_error (error);
  f->session = ek_session_new (f->clock);
  f->phases_started = g_array_new (FALSE, FALSE, sizeof (int));
  g_signal_connect (f->session, "phase-started", G_CALLBACK (on_phase_started_cb), f);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  fixture_setup_with_steps (f, "{ \"face_check\": true, \"draw\": true }");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->session);
  g_assert_finalize_object (f->exam);
  g_assert_finalize_object (f->candidate);
  g_assert_finalize_object (f->clock);
  g_array_unref (f->phases_started);
}

static void
load (Fixture        *f,
      EkSessionState *state)
{
  g_autoptr(GError) error = NULL;

  ek_session_load (f->session, f->exam, f->candidate, state, &error);
  g_assert_no_error (error);
}

static void
test_steps_in_order (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(EkSessionState) state = ek_session_state_new ();
  g_autoptr(GError) error = NULL;

  set_server_time (f, T0 - 20 * 60 * 1000);
  load (f, state);

  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_STEPS);
  g_assert_cmpint (ek_session_get_current_step (f->session), ==, EK_STEP_PLEDGE);

  /* The draw is required, but not before the face check. */
  g_assert_false (ek_session_complete_step (f->session, EK_STEP_DRAW, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP);
  g_clear_error (&error);

  g_assert_true (ek_session_complete_step (f->session, EK_STEP_PLEDGE, &error));
  g_assert_cmpint (ek_session_get_current_step (f->session), ==, EK_STEP_FACE_CHECK);
  g_assert_true (ek_session_complete_step (f->session, EK_STEP_FACE_CHECK, &error));
  /* second view, room scan, paper check and attachments are not required here */
  g_assert_cmpint (ek_session_get_current_step (f->session), ==, EK_STEP_DRAW);
  g_assert_true (ek_session_complete_step (f->session, EK_STEP_DRAW, &error));
  g_assert_cmpint (ek_session_get_current_step (f->session), ==, EK_STEP_DEVICE_CONFIRM);
  g_assert_true (ek_session_complete_step (f->session, EK_STEP_DEVICE_CONFIRM, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_WAITING);
  g_assert_cmpint (ek_session_get_current_step (f->session), ==, EK_STEP_NONE);
  g_assert_cmpint (ek_session_get_ms_until_start (f->session), ==, 20 * 60 * 1000);
}

static void
test_all_steps_required (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(EkSessionState) state = ek_session_state_new ();
  g_autoptr(GError) error = NULL;
  EkStep expected[] = {
    EK_STEP_PLEDGE, EK_STEP_FACE_CHECK, EK_STEP_SECOND_VIEW, EK_STEP_ROOM_SCAN,
    EK_STEP_PAPER_CHECK, EK_STEP_DRAW, EK_STEP_ATTACHMENTS, EK_STEP_DEVICE_CONFIRM,
  };

  fixture_teardown (f, data);
  fixture_setup_with_steps (f, "{ \"face_check\": true, \"second_view\": true, "
                               "\"room_scan\": true, \"paper_check\": true, \"draw\": true, "
                               "\"attachments\": true }");
  set_server_time (f, T0 - 60 * 1000);
  load (f, state);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_cmpint (ek_session_get_current_step (f->session), ==, expected[i]);
      g_assert_true (ek_session_complete_step (f->session, expected[i], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_WAITING);
}

static EkSessionState *
state_with_all_steps (Fixture *f)
{
  EkSessionState *state = ek_session_state_new ();

  for (EkStep step = 0; step < EK_N_STEPS; step++)
    {
      if (ek_exam_requires_step (f->exam, step))
        state->completed_steps |= 1u << step;
    }

  return state;
}

static void
test_entry_window (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);
  g_autoptr(GError) error = NULL;

  set_server_time (f, T0 - 1000);
  load (f, state);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_WAITING);

  g_assert_false (ek_session_enter (f->session, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_OPEN);
  g_clear_error (&error);

  advance (f, 1000);
  g_assert_true (ek_session_can_enter (f->session, &error));
  g_assert_true (ek_session_enter (f->session, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, 0);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 300 * 1000);
  g_assert_cmpuint (f->phases_started->len, ==, 1);
  g_assert_cmpint (g_array_index (f->phases_started, int, 0), ==, 0);
}

static void
test_late_entry_cutoff (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);
  g_autoptr(GError) error = NULL;

  /* Late, but inside the cutoff: entry is allowed, the time lost is lost. */
  set_server_time (f, T0 + 5 * 60 * 1000 - 1);
  load (f, state);
  g_assert_true (ek_session_can_enter (f->session, &error));
  g_assert_no_error (error);

  /* A millisecond later the door closes by itself. */
  advance (f, 2);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_ENDED);
  g_assert_false (ek_session_enter (f->session, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_ENTRY_CLOSED);
  g_clear_error (&error);

  /* Loading a session that never entered after the cutoff is refused. */
  g_assert_false (ek_session_load (f->session, f->exam, f->candidate, state, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_ENTRY_CLOSED);
}

static void
test_reentry_keeps_deadline (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);

  state->entered_ms = T0 + 2000;

  /* The client crashed and comes back 100 s into the answering phase, which
   * is after the late-entry cutoff: a candidate who entered may come back. */
  set_server_time (f, T0 + 300 * 1000 + 100 * 1000);
  load (f, state);

  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, 1);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 200 * 1000);
  g_assert_cmpint (ek_session_get_exam_remaining_ms (f->session), ==, 200 * 1000);
  /* re-entering lands in a running phase: its questions must be fetched */
  g_assert_cmpuint (f->phases_started->len, ==, 1);
  g_assert_cmpint (g_array_index (f->phases_started, int, 0), ==, 1);

  /* After the end, re-entry only finishes the upload. */
  set_server_time (f, T0 + 600 * 1000);
  load (f, state);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_FINISHING);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 0);
}

static void
test_phase_order (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);
  g_autoptr(GError) error = NULL;

  set_server_time (f, T0);
  load (f, state);
  g_assert_true (ek_session_enter (f->session, &error));

  advance (f, 299 * 1000);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, 0);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 1000);

  advance (f, 1000);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, 1);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 300 * 1000);

  advance (f, 300 * 1000);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_FINISHING);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, -1);

  g_assert_cmpuint (f->phases_started->len, ==, 2);
  g_assert_cmpint (g_array_index (f->phases_started, int, 0), ==, 0);
  g_assert_cmpint (g_array_index (f->phases_started, int, 1), ==, 1);

  ek_session_mark_finished (f->session);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_FINISHED);
}

static void
test_wall_clock_jump (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);

  state->entered_ms = T0;
  set_server_time (f, T0 + 60 * 1000);
  load (f, state);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 240 * 1000);

  /* The candidate moves the computer's clock an hour ahead, then back a day. */
  f->real_us += G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC;
  ek_session_refresh (f->session);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_EXAM);
  g_assert_cmpint (ek_session_get_phase_index (f->session), ==, 0);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 240 * 1000);

  f->real_us -= G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC;
  ek_session_refresh (f->session);
  g_assert_cmpint (ek_session_get_phase_remaining_ms (f->session), ==, 240 * 1000);
}

static void
test_submit_not_before_minimum (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(EkSessionState) state = state_with_all_steps (f);
  g_autoptr(GError) error = NULL;

  state->entered_ms = T0;
  set_server_time (f, T0 + 10 * 1000);
  load (f, state);

  /* min_submit_ms is 60 s into the answering phase */
  g_assert_false (ek_session_submit (f->session, &error));
  g_assert_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_TOO_EARLY);
  g_clear_error (&error);

  advance (f, 350 * 1000);
  g_assert_true (ek_session_submit (f->session, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_FINISHING);
  g_assert_cmpint (ek_session_get_state (f->session)->submitted_ms, ==, T0 + 360 * 1000);
}

static void
test_end_reasons (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(EkSessionState) state = ek_session_state_new ();

  set_server_time (f, T0 - 60 * 1000);
  load (f, state);
  ek_session_end (f->session, EK_END_REASON_PLEDGE_DECLINED);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_ENDED);

  /* The proctor's forced collection during the exam keeps what was recorded:
   * the session goes on to finish the upload. */
  g_clear_pointer (&state, ek_session_state_free);
  state = state_with_all_steps (f);
  state->entered_ms = T0;
  set_server_time (f, T0 + 30 * 1000);
  load (f, state);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_EXAM);
  ek_session_end (f->session, EK_END_REASON_FORCED_BY_PROCTOR);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_FINISHING);

  /* Leaving before entry leaves nothing to finish. */
  g_clear_pointer (&state, ek_session_state_free);
  state = ek_session_state_new ();
  set_server_time (f, T0 - 60 * 1000);
  load (f, state);
  ek_session_end (f->session, EK_END_REASON_ENDED_BY_CANDIDATE);
  g_assert_cmpint (ek_session_get_stage (f->session), ==, EK_SESSION_STAGE_ENDED);
}

/* With the real clocks and the main loop: the session moves on by itself at a
 * deadline, without anyone calling refresh. */
static void
on_stage_notify_cb (GObject    *object,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  if (ek_session_get_stage (EK_SESSION (object)) == EK_SESSION_STAGE_FINISHING)
    g_main_loop_quit (user_data);
}

static gboolean
on_test_timeout_cb (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

static void
test_deadline_fires_by_itself (void)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(EkSessionState) state = ek_session_state_new ();
  g_autoptr(GError) error = NULL;
  gint64 now_ms = g_get_real_time () / 1000;
  /* an exam that started 599.7 s ago: 300 ms of answering left */
  g_autofree char *json = ek_test_exam_json (now_ms - 599700, "formal", "{}");
  g_autoptr(JsonObject) object = ek_test_parse_object (json);
  g_autoptr(EkExam) exam = ek_exam_new_from_json (object, &error);
  gint64 started_us;
  gint64 elapsed_ms;
  guint timeout;

  g_assert_no_error (error);
  state->completed_steps = (1u << EK_STEP_PLEDGE) | (1u << EK_STEP_DEVICE_CONFIRM);
  state->entered_ms = now_ms - 599000;
  ek_session_load (session, exam, NULL, state, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);

  started_us = g_get_monotonic_time ();
  g_signal_connect (session, "notify::stage", G_CALLBACK (on_stage_notify_cb), loop);
  timeout = g_timeout_add_seconds (5, on_test_timeout_cb, NULL);
  g_main_loop_run (loop);
  g_source_remove (timeout);

  elapsed_ms = (g_get_monotonic_time () - started_us) / 1000;
  g_assert_cmpint (elapsed_ms, >=, 250);
  g_assert_cmpint (elapsed_ms, <, 1000);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_FINISHING);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session/steps-in-order", Fixture, NULL,
              fixture_setup, test_steps_in_order, fixture_teardown);
  g_test_add ("/session/all-steps-required", Fixture, NULL,
              fixture_setup, test_all_steps_required, fixture_teardown);
  g_test_add ("/session/entry-window", Fixture, NULL,
              fixture_setup, test_entry_window, fixture_teardown);
  g_test_add ("/session/late-entry-cutoff", Fixture, NULL,
              fixture_setup, test_late_entry_cutoff, fixture_teardown);
  g_test_add ("/session/reentry-keeps-deadline", Fixture, NULL,
              fixture_setup, test_reentry_keeps_deadline, fixture_teardown);
  g_test_add ("/session/phase-order", Fixture, NULL,
              fixture_setup, test_phase_order, fixture_teardown);
  g_test_add ("/session/wall-clock-jump", Fixture, NULL,
              fixture_setup, test_wall_clock_jump, fixture_teardown);
  g_test_add ("/session/submit-not-before-minimum", Fixture, NULL,
              fixture_setup, test_submit_not_before_minimum, fixture_teardown);
  g_test_add ("/session/end-reasons", Fixture, NULL,
              fixture_setup, test_end_reasons, fixture_teardown);
  g_test_add_func ("/session/deadline-fires-by-itself", test_deadline_fires_by_itself);

  return g_test_run ();
}
