/* test-exam-proctor.c: the exam's live proctoring (EkExamProctor) without a server
 *
 * The identity check's picture kept and read back (0600, decoded, used for the
 * resemblance score logged per mille); signals as events with the moment the
 * condition began and their duration; the lockdown's tracker fed; stop ends what
 * is active; the identity re-check's run of failures ended by the proctor.
 * (Snapshots and the re-check against the server: tests/test-e2e.c, /e2e/proctor*.)
 */

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ek-exam-proctor.h"
#include "ek-face-test-util.h"
#include "ek-lockdown-policy.h"
#include "ek-test-exam.h"

#define S G_USEC_PER_SEC

typedef struct
{
  char       *type;
  gint64      client_ms;
  gint64      duration_ms;
  JsonObject *data;
} Event;

static void
event_clear (gpointer data)
{
  Event *e = data;

  g_free (e->type);
  g_clear_pointer (&e->data, json_object_unref);
}

static void
on_log_event_cb (EkExamProctor *proctor,
                 const char    *type,
                 gint64         client_ms,
                 gint64         duration_ms,
                 JsonObject    *data,
                 GArray        *events)
{
  Event e = { g_strdup (type), client_ms, duration_ms, data != NULL ? json_object_ref (data) : NULL };

  g_test_message ("event %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, type, client_ms, duration_ms);
  g_array_append_val (events, e);
}

static const Event *
find_event (GArray     *events,
            const char *type,
            const char *state)
{
  for (guint i = 0; i < events->len; i++)
    {
      const Event *e = &g_array_index (events, Event, i);

      if (g_str_equal (e->type, type) &&
          (state == NULL || g_strcmp0 (json_object_get_string_member_with_default (e->data, "state", ""),
                                       state) == 0))
        return e;
    }
  return NULL;
}

static EkExamProctor *
new_proctor (const char *directory,
             GArray     *events)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(GError) error = NULL;
  EkProctoringPolicy policy;
  EkExamProctor *proctor;

  ek_proctoring_policy_init_defaults (&policy);
  policy.face_absent_s = 2;
  policy.similarity_interval_s = 5;
  proctor = ek_exam_proctor_new (&policy, session, NULL, directory, &error);
  g_assert_no_error (error);
  g_assert_nonnull (proctor);
  g_signal_connect (proctor, "log-event", G_CALLBACK (on_log_event_cb), events);
  /* The picture is read in a worker thread: let that finish (found or not). */
  for (gint64 end = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND; g_get_monotonic_time () < end;)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  return proctor;
}

/* Crafted detections, two a second, from @t on. */
static void
feed (EkExamProctor *proctor,
      EkVideoFrame  *frame,
      gint64        *t,
      gint64         seconds,
      guint          n_faces)
{
  for (gint64 end = *t + seconds * S; *t < end; *t += S / 2)
    {
      EkFaceBox box = { 200, 80, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (frame, *t, &box, n_faces);

      ek_proctor_signals_add_detection (ek_exam_proctor_get_signals (proctor), d);
    }
}

static void
wait_for_reference (EkExamProctor *proctor)
{
  gint64 deadline = g_get_monotonic_time () + 20 * S;

  while (!ek_exam_proctor_has_reference (proctor))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
on_saved_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
test_reference (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ek-proctor-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "sessions", "s-1", "proctor", NULL);
  g_autofree char *path = g_build_filename (dir, EK_EXAM_PROCTOR_REFERENCE_NAME, NULL);
  /* The face as close as the identity check wants it. */
  g_autoptr(EkVideoFrame) face = ek_face_test_load_close_face ();
  g_autoptr(EkVideoFrame) decoded = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_autoptr(GError) error = NULL;
  g_autoptr(EkFaceDetector) detector = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL, &error);
  g_autoptr(EkFaceDetection) detection = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  EkExamProctor *proctor;
  const Event *similarity;
  char *contents = NULL;
  gsize length = 0;
  GStatBuf st;
  gint64 score;

  g_array_set_clear_func (events, event_clear);
  g_assert_no_error (error);

  ek_exam_proctor_save_reference_async (dir, face, NULL, on_saved_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ek_exam_proctor_save_reference_finish (result, &error));
  g_assert_no_error (error);

  /* Private to the candidate's account, as everything of the session. */
  g_assert_no_errno (g_stat (path, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  jpeg = g_bytes_new_take (contents, length);
  decoded = ek_exam_proctor_decode_jpeg (jpeg, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ek_video_frame_get_width (decoded), ==, ek_video_frame_get_width (face));
  g_assert_cmpuint (ek_video_frame_get_height (decoded), ==, ek_video_frame_get_height (face));

  /* A client started later (a restart) reads it back by itself. */
  proctor = new_proctor (dir, events);
  wait_for_reference (proctor);

  /* The same face again: logged as per mille, near the top. */
  detection = ek_face_test_detect (detector, face);
  g_assert_nonnull (ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL));
  for (guint i = 0; i < ek_face_detection_get_n_boxes (detection); i++)
    {
      const EkFaceBox *b = ek_face_detection_get_box (detection, i);

      g_test_message ("box %d %d %d %d view %d", b->x, b->y, b->width, b->height, b->view);
    }
  ek_proctor_signals_add_detection (ek_exam_proctor_get_signals (proctor), detection);
  similarity = find_event (events, "face_similarity", NULL);
  g_assert_nonnull (similarity);
  score = json_object_get_int_member (similarity->data, "score_pm");
  g_test_message ("resemblance %" G_GINT64_FORMAT " per mille", score);
  g_assert_cmpint (score, >=, 650);
  g_assert_cmpint (score, <=, 1000);

  ek_exam_proctor_stop (proctor);
  g_assert_finalize_object (proctor);
  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_rmdir (dir));
}

static void
test_no_reference (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ek-proctor-XXXXXX", NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_autoptr(EkVideoFrame) face = ek_face_test_load_image ("astronaut.png", 640, 480);
  EkExamProctor *proctor;
  gint64 t = g_get_monotonic_time ();

  g_array_set_clear_func (events, event_clear);
  proctor = new_proctor (tmp, events);
  feed (proctor, face, &t, 20, 1);
  g_assert_false (ek_exam_proctor_has_reference (proctor));
  g_assert_null (find_event (events, "face_similarity", NULL));
  g_assert_cmpuint (events->len, ==, 0);

  ek_exam_proctor_stop (proctor);
  g_assert_finalize_object (proctor);
  g_assert_no_errno (g_rmdir (tmp));
}

/* A signal is two events: its start (the moment the seat was found empty, wall
 * clock) and its end with the duration; the lockdown's tracker counts it. */
static void
test_signal_events (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ek-proctor-XXXXXX", NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_autoptr(EkVideoFrame) frame = ek_face_test_solid (640, 480, 128);
  g_autoptr(EkLockdownPolicy) policy = ek_lockdown_policy_new_relaxed ();
  g_autoptr(EkViolationTracker) tracker = ek_violation_tracker_new (policy);
  EkExamProctor *proctor;
  const Event *started, *ended;
  gint64 t, left, wall_left;

  g_array_set_clear_func (events, event_clear);
  proctor = new_proctor (tmp, events);
  ek_exam_proctor_set_violation_tracker (proctor, tracker);

  /* Crafted times a minute in the past, so that the wall clock of each is known. */
  t = g_get_monotonic_time () - 60 * S;
  feed (proctor, frame, &t, 5, 1);
  left = t;
  wall_left = (g_get_real_time () - (g_get_monotonic_time () - left)) / 1000;
  feed (proctor, frame, &t, 10, 0);
  g_assert_true (ek_violation_tracker_is_active (tracker, "face_absent"));
  feed (proctor, frame, &t, 5, 1);
  g_assert_false (ek_violation_tracker_is_active (tracker, "face_absent"));
  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, "face_absent"), ==, 1);

  started = find_event (events, "face_absent", "started");
  ended = find_event (events, "face_absent", "ended");
  g_assert_nonnull (started);
  g_assert_nonnull (ended);
  g_assert_cmpint (started->duration_ms, <, 0);
  g_assert_cmpint (ABS (started->client_ms - wall_left), <=, 5);
  g_assert_cmpint (ended->client_ms, ==, started->client_ms);
  g_assert_cmpint (ended->duration_ms, ==, 10000);
  g_assert_cmpuint (events->len, ==, 2);

  /* Gone again when the exam ends: stop ends it then, with the time so far. */
  feed (proctor, frame, &t, 4, 0);
  g_assert_nonnull (g_array_index (events, Event, events->len - 1).type);
  g_assert_cmpstr (g_array_index (events, Event, events->len - 1).type, ==, "face_absent");
  ek_exam_proctor_stop (proctor);
  g_assert_cmpuint (events->len, ==, 4);
  ended = &g_array_index (events, Event, 3);
  g_assert_cmpstr (json_object_get_string_member (ended->data, "state"), ==, "ended");
  g_assert_cmpint (ended->duration_ms, >=, 4000);
  g_assert_false (ek_violation_tracker_is_active (tracker, "face_absent"));

  /* Nothing after the end. */
  feed (proctor, frame, &t, 10, 0);
  g_assert_cmpuint (events->len, ==, 4);

  g_assert_finalize_object (proctor);
  g_assert_no_errno (g_rmdir (tmp));
}

/* Without failed re-checks the proctor's release changes nothing in the log. */
static void
test_confirm_without_doubt (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ek-proctor-XXXXXX", NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  EkExamProctor *proctor;

  g_array_set_clear_func (events, event_clear);
  proctor = new_proctor (tmp, events);
  ek_exam_proctor_confirm_identity (proctor);
  g_assert_cmpuint (ek_exam_proctor_get_recheck_failures (proctor), ==, 0);
  g_assert_null (find_event (events, "identity_confirmed", NULL));
  /* A snapshot asked for without a recorder or a server sends nothing. */
  ek_exam_proctor_request_snapshot (proctor);
  g_assert_cmpuint (ek_exam_proctor_get_n_snapshots_sent (proctor), ==, 0);

  ek_exam_proctor_stop (proctor);
  g_assert_finalize_object (proctor);
  g_assert_no_errno (g_rmdir (tmp));
}

/* Voice counts only in a reading phase: the proctor follows the session's phase. */
static guint
voice_events_in_phase (gint64 exam_started_ago_s)
{
  g_autofree char *tmp = g_dir_make_tmp ("ek-proctor-XXXXXX", NULL);
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_autoptr(EkSessionState) state = ek_session_state_new ();
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  EkProctoringPolicy policy;
  EkExamProctor *proctor;
  EkProctorSignals *signals;
  gint64 now_ms = ek_server_clock_now_ms (clock);
  gint64 t = g_get_monotonic_time () - 30 * S;
  guint n = 0;

  g_array_set_clear_func (events, event_clear);
  json = ek_test_exam_json (now_ms - exam_started_ago_s * 1000, "formal", "{}");
  object = ek_test_parse_object (json);
  exam = ek_exam_new_from_json (object, &error);
  g_assert_no_error (error);
  state->entered_ms = now_ms - (exam_started_ago_s - 5) * 1000;
  g_assert_true (ek_session_load (session, exam, NULL, state, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);

  ek_proctoring_policy_init_defaults (&policy);
  policy.voice_s = 2;
  proctor = ek_exam_proctor_new (&policy, session, NULL, tmp, &error);
  g_assert_no_error (error);
  g_signal_connect (proctor, "log-event", G_CALLBACK (on_log_event_cb), events);
  signals = ek_exam_proctor_get_signals (proctor);

  /* A quiet room, then five seconds of talking (the voice activity detector
   * hears it: voice is never the level alone). */
  for (guint i = 0; i < 100; i++, t += S / 10)
    ek_proctor_signals_push_level (signals, -60, t);
  ek_proctor_signals_push_voice_activity (signals, TRUE, t);
  for (guint i = 0; i < 50; i++, t += S / 10)
    ek_proctor_signals_push_level (signals, -15, t);
  ek_exam_proctor_stop (proctor);
  for (guint i = 0; i < events->len; i++)
    n += g_str_equal (g_array_index (events, Event, i).type, "voice");
  for (gint64 end = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND; g_get_monotonic_time () < end;)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
    }
  g_assert_finalize_object (proctor);
  g_assert_no_errno (g_rmdir (tmp));
  return n;
}

static void
test_reading_phase (void)
{
  /* 100 s into the 300 s reading phase: the talking is a signal (start, and end at stop). */
  g_assert_cmpuint (voice_events_in_phase (100), ==, 2);
  /* 400 s in: the answering phase, where the candidate speaks. */
  g_assert_cmpuint (voice_events_in_phase (400), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/exam-proctor/reference", test_reference);
  g_test_add_func ("/exam-proctor/no-reference", test_no_reference);
  g_test_add_func ("/exam-proctor/signal-events", test_signal_events);
  g_test_add_func ("/exam-proctor/confirm-without-doubt", test_confirm_without_doubt);
  g_test_add_func ("/exam-proctor/reading-phase", test_reading_phase);

  return g_test_run ();
}
