/* test-face-signals.c: the live proctoring signals (EkProctorSignals)
 *
 * Two kinds of stream: crafted detections with made-up times (the timing logic,
 * minutes of exam in milliseconds), and real frames through the detectors (the
 * astronaut's face with fresh noise per frame, an empty grey frame, two faces side
 * by side, the face shrunk) with short thresholds from the policy.
 */

#include "config.h"

#include "ek-face-test-util.h"
#include "ek-json.h"
#include "ek-proctor-signals.h"
#include "ek-recorder-test.h"

#include <glib/gstdio.h>
#include <math.h>

#define W EK_TEST_FRAME_WIDTH
#define H EK_TEST_FRAME_HEIGHT
#define S G_USEC_PER_SEC

typedef struct
{
  EkProctorSignal signal;
  gboolean        started;
  gint64          start_us;
  gint64          end_us;
} Event;

typedef struct
{
  EkProctorSignals *signals;
  GArray           *events;
  EkVideoFrame     *frame;
} Fixture;

static void
on_started_cb (EkProctorSignals *signals,
               EkProctorSignal   signal,
               gint64            start_us,
               gpointer          user_data)
{
  Fixture *f = user_data;
  Event e = { signal, TRUE, start_us, 0 };

  g_test_message ("started %s at %" G_GINT64_FORMAT, ek_proctor_signal_to_string (signal), start_us);
  g_array_append_val (f->events, e);
}

static void
on_ended_cb (EkProctorSignals *signals,
             EkProctorSignal   signal,
             gint64            start_us,
             gint64            end_us,
             gpointer          user_data)
{
  Fixture *f = user_data;
  Event e = { signal, FALSE, start_us, end_us };

  g_test_message ("ended %s %" G_GINT64_FORMAT " .. %" G_GINT64_FORMAT,
                  ek_proctor_signal_to_string (signal), start_us, end_us);
  g_array_append_val (f->events, e);
}

static void
setup_with (Fixture                  *f,
            const EkProctoringPolicy *policy)
{
  g_autoptr(GError) error = NULL;

  f->signals = ek_proctor_signals_new (policy, &error);
  g_assert_no_error (error);
  f->events = g_array_new (FALSE, TRUE, sizeof (Event));
  f->frame = ek_face_test_solid (W, H, 128);
  g_signal_connect (f->signals, "signal-started", G_CALLBACK (on_started_cb), f);
  g_signal_connect (f->signals, "signal-ended", G_CALLBACK (on_ended_cb), f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  setup_with (f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->signals);
  g_array_unref (f->events);
  ek_video_frame_unref (f->frame);
}

/* Crafted detections, two per second (the monitor's default rate). */
static void
feed (Fixture   *f,
      gint64    *t,
      gint64     seconds,
      guint      n_frontal,
      guint      n_profile,
      int        face_height)
{
  for (gint64 end = *t + seconds * S; *t < end; *t += S / 2)
    {
      EkFaceBox boxes[4];
      guint n = 0;
      g_autoptr(EkFaceDetection) d = NULL;

      for (guint i = 0; i < n_frontal; i++)
        boxes[n++] = (EkFaceBox) { 100 + 200 * i, 150, face_height, face_height, EK_FACE_VIEW_FRONTAL, 1.0 };
      for (guint i = 0; i < n_profile; i++)
        boxes[n++] = (EkFaceBox) { 250, 150, 150, 150, EK_FACE_VIEW_PROFILE_FACING_LEFT, 1.0 };
      d = ek_face_detection_new (f->frame, *t, boxes, n);
      ek_proctor_signals_add_detection (f->signals, d);
    }
}

/* One crafted frame with @n_frontal faces, half a second on. */
static void
feed_half (Fixture *f,
           gint64  *t,
           guint    n_frontal)
{
  EkFaceBox boxes[4];
  g_autoptr(EkFaceDetection) d = NULL;

  for (guint i = 0; i < n_frontal; i++)
    boxes[i] = (EkFaceBox) { 100 + 200 * i, 150, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 };
  d = ek_face_detection_new (f->frame, *t, boxes, n_frontal);
  ek_proctor_signals_add_detection (f->signals, d);
  *t += S / 2;
}

/* Levels ten a second; the voice-activity detector says voice for anything
 * louder than -35 dB (a crafted stream: every loud sound sounds like a voice,
 * so only the level and its floor decide). */
static void
feed_levels (Fixture *f,
             gint64  *t,
             gint64   seconds,
             double   db)
{
  ek_proctor_signals_push_voice_activity (f->signals, db > -35, *t);
  for (gint64 end = *t + seconds * S; *t < end; *t += S / 10)
    ek_proctor_signals_push_level (f->signals, db + g_test_rand_double_range (-2, 2), *t);
}

static void
assert_event (Fixture         *f,
              guint            index,
              EkProctorSignal  signal,
              gboolean         started,
              gint64           start_us,
              gint64           end_us)
{
  Event *e;

  g_assert_cmpuint (index, <, f->events->len);
  e = &g_array_index (f->events, Event, index);
  g_assert_cmpint (e->signal, ==, signal);
  g_assert_cmpint (e->started, ==, started);
  g_assert_cmpint (e->start_us, ==, start_us);
  if (!started)
    g_assert_cmpint (e->end_us, ==, end_us);
}

static void
test_clean_stream (Fixture       *f,
                   gconstpointer  data)
{
  gint64 t = 1000 * S;
  gint64 tl = 1000 * S;

  ek_proctor_signals_set_reading_phase (f->signals, TRUE);
  /* ten minutes of one well-placed face and a quiet room, with brief moments
   * (less than each threshold) of the face gone, a second face, and a cough */
  for (guint i = 0; i < 10; i++)
    {
      feed (f, &t, 50, 1, 0, 200);
      feed (f, &t, 4, 0, 0, 0);
      feed (f, &t, 1, 2, 0, 200);
      feed (f, &t, 5, 1, 0, 200);
      feed_levels (f, &tl, 55, -60);
      feed_levels (f, &tl, 2, -15);
      feed_levels (f, &tl, 3, -60);
    }

  g_assert_cmpuint (f->events->len, ==, 0);
  g_assert_cmpuint (ek_proctor_signals_get_active (f->signals), ==, 0);
}

static void
test_face_absent (Fixture       *f,
                  gconstpointer  data)
{
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);
  feed (f, &t, 15, 0, 0, 0);   /* left the seat at 1005 s */
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  g_assert_cmpuint (ek_proctor_signals_get_active (f->signals), ==, 1u << EK_PROCTOR_SIGNAL_FACE_ABSENT);
  feed (f, &t, 5, 1, 0, 200);  /* back at 1020 s */

  g_assert_cmpuint (f->events->len, ==, 2);
  assert_event (f, 0, EK_PROCTOR_SIGNAL_FACE_ABSENT, TRUE, 1005 * S, 0);
  assert_event (f, 1, EK_PROCTOR_SIGNAL_FACE_ABSENT, FALSE, 1005 * S, 1020 * S);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
}

static void
test_multiple_faces (Fixture       *f,
                     gconstpointer  data)
{
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);
  feed (f, &t, 6, 2, 0, 200);
  feed (f, &t, 5, 1, 0, 200);

  g_assert_cmpuint (f->events->len, ==, 2);
  assert_event (f, 0, EK_PROCTOR_SIGNAL_MULTIPLE_FACES, TRUE, 1005 * S, 0);
  assert_event (f, 1, EK_PROCTOR_SIGNAL_MULTIPLE_FACES, FALSE, 1005 * S, 1011 * S);
}

static void
test_face_not_visible (Fixture       *f,
                       gconstpointer  data)
{
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);
  feed (f, &t, 20, 1, 0, 60);  /* far away: 60 of 480 pixels */
  feed (f, &t, 5, 1, 0, 200);
  feed (f, &t, 20, 0, 1, 0);   /* turned away: only a profile */
  feed (f, &t, 5, 1, 0, 200);

  g_assert_cmpuint (f->events->len, ==, 4);
  assert_event (f, 0, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE, TRUE, 1005 * S, 0);
  assert_event (f, 1, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE, FALSE, 1005 * S, 1025 * S);
  assert_event (f, 2, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE, TRUE, 1030 * S, 0);
  assert_event (f, 3, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE, FALSE, 1030 * S, 1050 * S);
}

static void
test_voice (Fixture       *f,
            gconstpointer  data)
{
  gint64 t = 1000 * S;
  guint n;

  /* answering phase: talking is the point */
  feed_levels (f, &t, 10, -60);
  feed_levels (f, &t, 10, -20);
  feed_levels (f, &t, 10, -60);
  g_assert_cmpuint (f->events->len, ==, 0);

  /* reading phase: sustained voice is a signal; a loud but steady hum is not */
  ek_proctor_signals_set_reading_phase (f->signals, TRUE);
  feed_levels (f, &t, 12, -60);
  feed_levels (f, &t, 8, -20);
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));
  feed_levels (f, &t, 12, -60);

  g_assert_cmpuint (f->events->len, ==, 2);
  n = f->events->len;
  g_assert_cmpint (g_array_index (f->events, Event, 0).signal, ==, EK_PROCTOR_SIGNAL_VOICE);
  g_assert_true (g_array_index (f->events, Event, 0).started);
  /* voice counts once half of the last second is loud: within 0.6 s of 1042 s */
  g_assert_cmpint (ABS (g_array_index (f->events, Event, 0).start_us - 1042 * S), <=, S * 6 / 10);
  g_assert_false (g_array_index (f->events, Event, 1).started);
  g_assert_cmpint (ABS (g_array_index (f->events, Event, 1).end_us - 1050 * S), <=, S * 6 / 10);

  feed_levels (f, &t, 30, -25);   /* a fan: loud, but it is the new floor after 10 s */
  g_assert_cmpuint (f->events->len, <=, n + 2);
}

/* Without the voice-activity detector's word, no level is voice: music and a
 * buzz are loud too. NaN and infinite levels neither raise nor end a signal. */
static void
test_voice_needs_vad (Fixture       *f,
                      gconstpointer  data)
{
  gint64 t = 1000 * S;

  ek_proctor_signals_set_reading_phase (f->signals, TRUE);
  for (gint64 end = t + 10 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, -60, t);
  for (gint64 end = t + 20 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, -20, t);
  g_assert_cmpuint (f->events->len, ==, 0);

  /* the detector hears voice, but the room is quiet: nothing */
  ek_proctor_signals_push_voice_activity (f->signals, TRUE, t);
  for (gint64 end = t + 20 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, -70, t);
  g_assert_cmpuint (f->events->len, ==, 0);

  /* NaN and infinities in a silent room raise nothing */
  for (gint64 end = t + 10 * S; t < end; t += S / 10)
    {
      ek_proctor_signals_push_level (f->signals, NAN, t);
      ek_proctor_signals_push_level (f->signals, INFINITY, t + S / 30);
      ek_proctor_signals_push_level (f->signals, -INFINITY, t + S / 20);
    }
  g_assert_cmpuint (f->events->len, ==, 0);

  /* voice, then NaNs in the middle of it: the signal neither ends nor starts over */
  for (gint64 end = t + 8 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, t % S < S / 2 ? NAN : -20, t);
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));
  g_assert_cmpuint (f->events->len, ==, 1);
  /* NaN as the floor would make every later level "quiet": it never becomes it */
  for (gint64 end = t + 4 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, -20, t);
  g_assert_cmpuint (f->events->len, ==, 1);
}

/* One frame in two with a second face (someone leaning in and out), or a stray
 * detector miss, is still the condition: hysteresis, not a one-frame reset. */
static void
test_hysteresis (Fixture       *f,
                 gconstpointer  data)
{
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);
  for (guint i = 0; i < 12; i++)
    feed_half (f, &t, i % 2 == 0 ? 2 : 1);   /* 2, 1, 2, 1, ... from 1005 s */
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_MULTIPLE_FACES));
  feed (f, &t, 5, 1, 0, 200);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_MULTIPLE_FACES));
  assert_event (f, 0, EK_PROCTOR_SIGNAL_MULTIPLE_FACES, TRUE, 1005 * S, 0);
  assert_event (f, 1, EK_PROCTOR_SIGNAL_MULTIPLE_FACES, FALSE, 1005 * S, 1010 * S + S / 2);

  /* an empty seat with the face found in one frame of six is still empty */
  for (guint i = 0; i < 24; i++)
    feed_half (f, &t, i % 6 == 5 ? 1 : 0);
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
}

/* A profile box far from where the face was (a picture on the wall, an animal)
 * does not stand in for the candidate; one near it, found again, does. */
static void
test_profile_near_face (Fixture       *f,
                        gconstpointer  data)
{
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);   /* the face at 100..300 */
  for (gint64 end = t + 15 * S; t < end; t += S / 2)
    {
      EkFaceBox far = { 480, 20, 150, 150, EK_FACE_VIEW_PROFILE_FACING_LEFT, 1.0 };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (f->frame, t, &far, 1);

      ek_proctor_signals_add_detection (f->signals, d);
    }
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE));

  feed (f, &t, 5, 1, 0, 200);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  /* near, but seen once (confidence 0.25): not a turned head either */
  for (gint64 end = t + 12 * S; t < end; t += S / 2)
    {
      EkFaceBox near = { 150, 150, 180, 180, EK_FACE_VIEW_PROFILE_FACING_LEFT, 0.25 };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (f->frame, t, &near, 1);

      ek_proctor_signals_add_detection (f->signals, d);
    }
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
}

/* Frames of another size never carry where the face was into the new picture. */
static void
test_frame_size_change (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(EkVideoFrame) small = ek_face_test_solid (320, 240, 128);
  gint64 t = 1000 * S;

  feed (f, &t, 5, 1, 0, 200);
  for (gint64 end = t + 12 * S; t < end; t += S / 2)
    {
      /* right where the face was in the old frame, recurring */
      EkFaceBox box = { 100, 150, 200, 200, EK_FACE_VIEW_PROFILE_FACING_LEFT, 1.0 };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (small, t, &box, 1);

      ek_proctor_signals_add_detection (f->signals, d);
    }
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
}

/* Bad input: a camera that sends no frames, frames of another size (down to one
 * too small to measure) and NaN or infinite levels neither raise a signal by
 * accident nor hide one. */
static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(EkVideoFrame) tiny = ek_face_test_solid (8, 8, 0);
  gint64 t = 1000 * S;

  /* no frame ever: after 3 s of nothing the camera counts as covered, and that
   * lasts its threshold (5 s) */
  for (gint64 end = t + 10 * S; t < end; t += S / 10)
    ek_proctor_signals_check_camera_at (f->signals, t);
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_CAMERA_COVERED));
  g_assert_cmpuint (f->events->len, ==, 1);
  /* frames again (checked as they come): it ends */
  for (gint64 end = t + 5 * S; t < end;)
    {
      ek_proctor_signals_check_camera_at (f->signals, t);
      feed_half (f, &t, 1);
    }
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_CAMERA_COVERED));

  /* a frame too small to measure is not a covered lens; with its face it is a
   * face, without one an empty seat, like any other frame */
  g_assert_false (ek_frame_looks_covered (tiny));
  feed (f, &t, 5, 1, 0, 200);
  for (gint64 end = t + 12 * S; t < end; t += S / 2)
    {
      EkFaceBox box = { 1, 1, 6, 6, EK_FACE_VIEW_FRONTAL, 1.0 };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (tiny, t, &box, 1);

      ek_proctor_signals_add_detection (f->signals, d);
    }
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_CAMERA_COVERED));
  for (gint64 end = t + 12 * S; t < end; t += S / 2)
    {
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (tiny, t, NULL, 0);

      ek_proctor_signals_add_detection (f->signals, d);
    }
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_CAMERA_COVERED));

  /* back to the monitor's size with one face: the absence ends; a NaN and an
   * infinite level in a reading phase raise no voice */
  feed (f, &t, 5, 1, 0, 200);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  ek_proctor_signals_set_reading_phase (f->signals, TRUE);
  ek_proctor_signals_push_voice_activity (f->signals, TRUE, t);
  for (gint64 end = t + 10 * S; t < end; t += S / 10)
    ek_proctor_signals_push_level (f->signals, (t / (S / 10)) % 2 ? NAN : INFINITY, t);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));
  g_assert_cmpuint (ek_proctor_signals_get_active (f->signals), ==, 0);
}

static void
test_violations (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EkLockdownPolicy) policy = ek_lockdown_policy_new_relaxed ();
  EkViolationTracker *tracker = ek_violation_tracker_new (policy);
  gint64 t = 1000 * S;

  ek_proctor_signals_set_violation_tracker (f->signals, tracker);
  feed (f, &t, 5, 1, 0, 200);
  feed (f, &t, 12, 0, 0, 0);
  g_assert_true (ek_violation_tracker_is_active (tracker, "face_absent"));
  feed (f, &t, 5, 1, 0, 200);
  g_assert_false (ek_violation_tracker_is_active (tracker, "face_absent"));
  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, "face_absent"), ==, 1);
  g_assert_cmpuint (ek_violation_tracker_get_count (tracker, "multiple_faces"), ==, 0);

  ek_proctor_signals_set_violation_tracker (f->signals, NULL);
  g_assert_finalize_object (tracker);
}

static void
test_policy (void)
{
  EkProctoringPolicy policy;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) good = json_from_string ("{ \"face_absent_s\": 20, \"voice_level_db\": -30 }", NULL);
  g_autoptr(JsonNode) unknown = json_from_string ("{ \"face_absent_seconds\": 20 }", NULL);
  g_autoptr(JsonNode) bad = json_from_string ("{ \"monitor_fps\": 50 }", NULL);

  g_assert_true (ek_proctoring_policy_parse (&policy, NULL, TRUE, &error));
  g_assert_cmpint (policy.face_absent_s, ==, 10);
  g_assert_cmpint (policy.monitor_fps, ==, 2);

  g_assert_true (ek_proctoring_policy_parse (&policy, json_node_get_object (good), TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (policy.face_absent_s, ==, 20);
  g_assert_cmpint (policy.voice_level_db, ==, -30);
  g_assert_cmpint (policy.multiple_faces_s, ==, 3);

  g_assert_true (ek_proctoring_policy_parse (&policy, json_node_get_object (unknown), FALSE, &error));
  g_assert_false (ek_proctoring_policy_parse (&policy, json_node_get_object (unknown), TRUE, &error));
  g_assert_nonnull (strstr (error->message, "face_absent_seconds"));
  g_clear_error (&error);
  g_assert_false (ek_proctoring_policy_parse (&policy, json_node_get_object (bad), FALSE, &error));
  g_assert_nonnull (strstr (error->message, "monitor_fps"));
}

/* Real frames through the detectors */

static EkVideoFrame *close_face;
static EkVideoFrame *two_faces;
static EkVideoFrame *far_face;
static EkVideoFrame *empty;

static void
play (Fixture      *f,
      EkVideoFrame *frame,
      guint         ms,
      guint        *seed)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(EkVideoFrame) noisy = ek_face_test_add_noise (frame, (*seed)++);

      ek_proctor_signals_push_frame (f->signals, noisy);
      /* 8 offers a second, the monitor takes what its rate allows */
      for (gint64 wake = g_get_monotonic_time () + 125000; g_get_monotonic_time () < wake;)
        g_main_context_iteration (NULL, FALSE), g_usleep (5000);
    }
}

static void
live_set_up (Fixture       *f,
             gconstpointer  data)
{
  EkProctoringPolicy policy;

  ek_proctoring_policy_init_defaults (&policy);
  policy.monitor_fps = 4;
  policy.face_absent_s = 1;
  policy.multiple_faces_s = 1;
  policy.face_not_visible_s = 1;
  policy.camera_covered_s = 1;
  setup_with (f, &policy);
}

static guint
count_started (Fixture         *f,
               EkProctorSignal  signal)
{
  guint n = 0;

  for (guint i = 0; i < f->events->len; i++)
    n += g_array_index (f->events, Event, i).signal == signal && g_array_index (f->events, Event, i).started;

  return n;
}

static void
test_live_clean (Fixture       *f,
                 gconstpointer  data)
{
  guint seed = 1;

  play (f, close_face, 8000, &seed);
  g_assert_cmpuint (ek_proctor_signals_get_n_frames (f->signals), >=, 16);
  g_assert_cmpuint (f->events->len, ==, 0);
}

/* A covered lens (near black, sensor noise) is its own signal, not an empty
 * seat; a dim room with a face is neither. */
static void
test_live_covered (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(EkVideoFrame) black = ek_face_test_solid (W, H, 8);
  g_autoptr(EkVideoFrame) dim = ek_face_test_scale_light (close_face, 0.3);
  double mean, structure;
  guint seed = 1;

  {
    g_autoptr(EkVideoFrame) noisy = ek_face_test_add_noise (black, 7);

    g_assert_true (ek_frame_looks_covered (noisy));
    ek_frame_brightness (noisy, &mean, &structure);
    g_test_message ("covered: mean %.1f structure %.1f", mean, structure);
    g_assert_false (ek_frame_looks_covered (dim));
    ek_frame_brightness (dim, &mean, &structure);
    g_test_message ("dim: mean %.1f structure %.1f", mean, structure);
  }

  play (f, close_face, 2000, &seed);
  play (f, black, 3000, &seed);
  play (f, close_face, 4000, &seed);

  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_CAMERA_COVERED), ==, 1);
  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_FACE_ABSENT), ==, 0);
  g_assert_cmpuint (ek_proctor_signals_get_active (f->signals), ==, 0);
}

static void
test_live_crafted (Fixture       *f,
                   gconstpointer  data)
{
  guint seed = 1;

  play (f, close_face, 2000, &seed);
  play (f, empty, 3000, &seed);
  play (f, close_face, 3000, &seed);
  play (f, two_faces, 3000, &seed);
  play (f, close_face, 3000, &seed);
  play (f, far_face, 3000, &seed);
  play (f, close_face, 3000, &seed);

  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_FACE_ABSENT), ==, 1);
  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_MULTIPLE_FACES), ==, 1);
  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE), ==, 1);
  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_VOICE), ==, 0);
  /* every one ended */
  g_assert_cmpuint (f->events->len, ==, 6);
  g_assert_cmpuint (ek_proctor_signals_get_active (f->signals), ==, 0);
  for (guint i = 0; i < f->events->len; i++)
    {
      Event *e = &g_array_index (f->events, Event, i);

      if (!e->started)
        {
          /* about two seconds and a half of each (3 s, less the 1 s threshold
           * and a frame or two, plus the 1 s threshold back-dated) */
          g_assert_cmpint (e->end_us - e->start_us, >, 1500 * 1000);
          g_assert_cmpint (e->end_us - e->start_us, <, 4000 * 1000);
        }
    }
}

static void
test_similarity (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(EkVideoFrame) same = ek_face_test_add_noise (close_face, 7);
  g_autoptr(EkVideoFrame) shifted = ek_face_test_shift (same, 20, 10);
  g_autoptr(GPtrArray) other = ek_face_test_load_video ("Megamind.avi", W, H, 210, 210, 1);
  g_autoptr(EkFaceDetector) detector = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL, NULL);
  g_autoptr(EkFaceDetection) d_ref = ek_face_test_detect (detector, close_face);
  g_autoptr(EkFaceDetection) d_same = ek_face_test_detect (detector, shifted);
  g_autoptr(EkFaceDetection) d_other = ek_face_test_detect (detector, g_ptr_array_index (other, 0));
  double s_same, s_other;
  guint seed = 1;

  s_same = ek_face_similarity (close_face, ek_face_detection_get_largest (d_ref, EK_FACE_VIEW_FRONTAL),
                               shifted, ek_face_detection_get_largest (d_same, EK_FACE_VIEW_FRONTAL));
  s_other = ek_face_similarity (close_face, ek_face_detection_get_largest (d_ref, EK_FACE_VIEW_FRONTAL),
                                g_ptr_array_index (other, 0),
                                ek_face_detection_get_largest (d_other, EK_FACE_VIEW_FRONTAL));
  g_test_message ("similarity: same %.3f other %.3f", s_same, s_other);
  g_assert_cmpfloat (s_same, >, s_other + 0.1);
  g_assert_cmpfloat (s_same, <=, 1.0);
  g_assert_cmpfloat (s_other, >=, 0.0);

  /* live: measured against the reference as frames come */
  g_assert_cmpfloat (ek_proctor_signals_get_similarity (f->signals), ==, -1.0);
  ek_proctor_signals_set_reference (f->signals, close_face);
  play (f, close_face, 1500, &seed);
  g_assert_cmpfloat (ek_proctor_signals_get_similarity (f->signals), >, s_other + 0.1);
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
}

static void
on_recorder_stopped_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_assert_true (ek_recorder_stop_finish (EK_RECORDER (object), result, NULL));
  *(gboolean *) user_data = TRUE;
}

/* The real path: EkRecorder's test camera (a ball, no face) and test microphone
 * (a tone whose loudness the test sets) into the monitor. */
static void
test_recorder (void)
{
  EkProctoringPolicy policy;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-face-rec-XXXXXX", &error);
  g_autofree char *rec_dir = g_build_filename (dir, "rec", NULL);
  EkRecorder *recorder;
  Fixture fixture = { 0, };
  Fixture *f = &fixture;
  gboolean stopped = FALSE;

  g_assert_no_error (error);
  ek_proctoring_policy_init_defaults (&policy);
  policy.face_absent_s = 2;
  policy.voice_s = 2;
  setup_with (f, &policy);

  recorder = ek_recorder_new (rec_dir, EK_MEDIA_SOURCE_TEST);
  ek_proctor_signals_attach_recorder (f->signals, recorder);
  ek_proctor_signals_set_reading_phase (f->signals, TRUE);
  g_assert_true (ek_recorder_start (recorder, 60, &error));
  g_assert_no_error (error);
  ek_recorder_set_test_volume (recorder, 0.001);

  /* Face absent holds once seen in 4 of 6 frames (2 fps), then lasts its 2 s: at least
   * 4 s of real time, more on a loaded machine; never more than 12 s. */
  wait_ms (4000);
  for (int i = 0; i < 80 && !ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT); i++)
    wait_ms (100);
  g_assert_cmpuint (ek_proctor_signals_get_n_frames (f->signals), >=, 4);
  g_assert_true (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_FACE_ABSENT));
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));

  /* a loud steady tone while reading (a hum, a beep): loud, but the voice
   * activity detector does not hear a voice in it, so it is not voice (the
   * level alone was; speech itself is scored on the labelled clips,
   * tests/proctor-clips) */
  ek_recorder_set_test_volume (recorder, 0.8);
  wait_ms (3500);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));
  ek_recorder_set_test_volume (recorder, 0.001);
  wait_ms (2500);
  g_assert_false (ek_proctor_signals_is_active (f->signals, EK_PROCTOR_SIGNAL_VOICE));
  g_assert_cmpuint (count_started (f, EK_PROCTOR_SIGNAL_VOICE), ==, 0);

  ek_proctor_signals_attach_recorder (f->signals, NULL);
  ek_recorder_stop_async (recorder, NULL, on_recorder_stopped_cb, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (recorder);
  /* let a search still in flight come back before the monitor goes */
  wait_ms (300);
  fixture_tear_down (f, NULL);

  {
    g_autoptr(GDir) d = g_dir_open (rec_dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (rec_dir, name, NULL);

        g_unlink (path);
      }
    g_rmdir (rec_dir);
    g_rmdir (dir);
  }
}

static void
on_snapshot_due_cb (EkProctorSignals *signals,
                    gpointer          user_data)
{
  (*(guint *) user_data)++;
}

static void
test_snapshot_request (Fixture       *f,
                       gconstpointer  data)
{
  guint n = 0;

  g_signal_connect (f->signals, "snapshot-due", G_CALLBACK (on_snapshot_due_cb), &n);
  ek_proctor_signals_set_snapshots_enabled (f->signals, TRUE);
  ek_proctor_signals_request_snapshot (f->signals);
  g_assert_cmpuint (n, ==, 1);
  ek_proctor_signals_stop (f->signals);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  close_face = ek_face_test_load_close_face ();
  {
    g_autoptr(EkVideoFrame) left = ek_face_test_load_image_cropped ("astronaut.png", 90, 0, 110, 192, W / 2, H);
    g_autoptr(GPtrArray) megamind = ek_face_test_load_video ("Megamind.avi", W / 2, H, 210, 210, 1);

    two_faces = ek_face_test_side_by_side (left, g_ptr_array_index (megamind, 0));
  }
  far_face = ek_face_test_shrink (close_face, 0.45);
  empty = ek_face_test_solid (W, H, 120);

  g_test_add ("/face/signals/clean-stream", Fixture, NULL, fixture_set_up, test_clean_stream, fixture_tear_down);
  g_test_add ("/face/signals/face-absent", Fixture, NULL, fixture_set_up, test_face_absent, fixture_tear_down);
  g_test_add ("/face/signals/multiple-faces", Fixture, NULL, fixture_set_up, test_multiple_faces, fixture_tear_down);
  g_test_add ("/face/signals/face-not-visible", Fixture, NULL, fixture_set_up, test_face_not_visible, fixture_tear_down);
  g_test_add ("/face/signals/voice", Fixture, NULL, fixture_set_up, test_voice, fixture_tear_down);
  g_test_add ("/face/signals/violations", Fixture, NULL, fixture_set_up, test_violations, fixture_tear_down);
  g_test_add ("/face/signals/voice-needs-vad", Fixture, NULL, fixture_set_up, test_voice_needs_vad, fixture_tear_down);
  g_test_add ("/face/signals/hysteresis", Fixture, NULL, fixture_set_up, test_hysteresis, fixture_tear_down);
  g_test_add ("/face/signals/profile-near-face", Fixture, NULL, fixture_set_up, test_profile_near_face, fixture_tear_down);
  g_test_add ("/face/signals/frame-size-change", Fixture, NULL, fixture_set_up, test_frame_size_change, fixture_tear_down);
  g_test_add ("/face/signals/bad-input", Fixture, NULL, fixture_set_up, test_bad_input, fixture_tear_down);
  g_test_add ("/face/signals/covered", Fixture, NULL, live_set_up, test_live_covered, fixture_tear_down);
  g_test_add_func ("/face/signals/policy", test_policy);
  g_test_add ("/face/signals/live-clean", Fixture, NULL, live_set_up, test_live_clean, fixture_tear_down);
  g_test_add ("/face/signals/live-crafted", Fixture, NULL, live_set_up, test_live_crafted, fixture_tear_down);
  g_test_add_func ("/face/signals/recorder", test_recorder);
  g_test_add ("/face/signals/similarity", Fixture, NULL, live_set_up, test_similarity, fixture_tear_down);
  g_test_add ("/face/signals/snapshot-request", Fixture, NULL, fixture_set_up, test_snapshot_request, fixture_tear_down);

  ret = g_test_run ();

  ek_video_frame_unref (close_face);
  ek_video_frame_unref (two_faces);
  ek_video_frame_unref (far_face);
  ek_video_frame_unref (empty);
  return ret;
}
