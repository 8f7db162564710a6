/* test-e2e.c: the candidate's whole day, end to end, against the reference server
 *
 * A real exam-kiosk process (built with -Dtest_hooks=true) is driven through its
 * app.test-* actions over the private session bus (ui/ek-test-hooks.h) and watched
 * through app.test-status; what reached the server is checked through its admin API.
 * Each test starts its own server with the exams of tests/data/exams (e2e-*.json:
 * short phases, times relative to the server's start).
 *
 * /e2e/interview  formal interview: login, details, pledge, room scan, draw,
 *                 attachments, devices, waiting room, both phases with questions
 *                 appearing by themselves, proctor chat (unread badge), a warning
 *                 acknowledged, hand raised, the answering phase announced on the page
 *                 with what comes next, its last minute in red, the exam ending by itself
 * /e2e/written    mock written test: ID number checked locally, second view bound
 *                 by "phone", paper check, the waiting room's last minute not in red,
 *                 answers entered (one changed) and kept
 *                 in the answer store, early submission refused with the time,
 *                 End exam confirmed in the question view, submission on the
 *                 server with every answer exactly as entered and their count
 * /e2e/second-view-waived  an exam whose policy lets a candidate without a phone go on:
 *                 "I have no phone", then "Continue without a phone" reaches the paper
 *                 check; second_view_unavailable and second_view_skipped on the server
 * /e2e/crash      the client killed mid-exam re-enters without a login (token
 *                 from the keyring) with a countdown within 1 s of the truth and
 *                 the answers entered before the kill; then the proctor's end_exam
 *                 is obeyed at once
 * /e2e/practice-written  the offline practice written test: answers kept on this
 *                 computer only, handed in through the view's confirmation; a second
 *                 practice run starts with a blank answer sheet
 * /e2e/late-answers  the client killed with answers the server never got (all
 *                 requests failing) and restarted after the end: it pushes exactly those
 *                 answers (late answers, protocol section 6), keeps them read-only, says so
 *                 on the finish page and finishes only then
 * /e2e/device-check  the device check opened from the details page after login: its
 *                 report reaches the server under the session; Back returns to the flow
 * /e2e/face-login  face login for the configured exam (tests/data/exams/e2e-face.json)
 *                 with the Megamind clip as the camera: a mistyped ID number caught
 *                 locally, a refusal that says why (nothing opened on the server, the
 *                 attempt recorded), then a match: logged in as with a token, the
 *                 server's face_check done, so the pledge leads past the identity check
 * /e2e/face-login-refused  three refusals end with the exam's help line, no session
 *                 on the server and three recorded attempts
 * /e2e/lockdown   entering a formal exam engages the lockdown (keyboard grab: an
 *                 Alt+Tab from xdotool is kept from the desktop), closing the window
 *                 is refused, Ctrl+Alt+Shift+Q asks for the technician's password: a
 *                 wrong one keeps the kiosk running, the right one releases and exits;
 *                 a focus loss, the kept shortcut and the session kind reach the server
 *                 as events
 * /e2e/lockdown-forced  focus losses walk through warning, locked screen and forced
 *                 submission (one within the grace time does not count): handed in with
 *                 its answers, every step an event on the server; a restarted client is
 *                 kept out of the exam and only finishes the upload
 * /e2e/exam-session  the client started by the dedicated exam session's launcher (its own
 *                 Xorg, dummy driver) reports the dedicated session to the server
 *
 * /e2e/proctor   the camera shows a test pattern: the notice "We can't see your face."
 *                 appears, face_absent reaches the server with its start and (at the
 *                 exam's end) its duration, a snapshot_request brings a camera and a
 *                 screen snapshot
 * /e2e/proctor-clean  one still face the whole exam: no signal, no notice; the
 *                 resemblance with the kept identity picture is logged; failed identity
 *                 re-checks make an identity_mismatch violation, the proctor's release
 *                 confirms, the next re-check matches
 *
 * Every client is locked down for real when it enters an exam; its probes read a clean
 * DMI, cpuinfo and /sys (the test machine may be a virtual one) through
 * EK_TEST_LOCKDOWN_CONFIG, with the injected-input filter off (under Xvfb all input is
 * injected); the e2e exams allow the virtual display Xvfb itself is.
 */

#include "config.h"

#include <signal.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "ek-face-test-util.h"
#include "ek-jpeg.h"
#include "ek-test-kiosk.h"
#include "ek-test-xorg.h"

#define WAIT_DEFAULT_MS EK_TEST_KIOSK_WAIT_MS

typedef struct
{
  EkTestServer *server;
  EkTestKiosk  *kiosk;    /* the client process (tests/ek-test-kiosk.h) */
} Fixture;

static void
fixture_setup (Fixture *fx)
{
  fx->server = ek_test_server_start (NULL);
  fx->kiosk = ek_test_kiosk_new (fx->server, NULL, NULL);
}

static void
fixture_teardown (Fixture *fx)
{
  g_clear_pointer (&fx->kiosk, ek_test_kiosk_free);
  g_clear_pointer (&fx->server, ek_test_server_stop);
}

/* --- the server's side ---------------------------------------------------- */

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The position of the first event of @type (whose data member @member is @value,
 * if given) at or after @from, or -1. */
static int
find_event (JsonArray  *events,
            guint       from,
            const char *type,
            const char *member,
            const char *value)
{
  for (guint i = from; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      JsonObject *data;

      if (!g_str_equal (json_object_get_string_member (event, "type"), type))
        continue;
      if (member == NULL)
        return (int) i;
      data = json_object_get_object_member (event, "data");
      if (data != NULL && json_object_has_member (data, member) &&
          g_strcmp0 (json_object_get_string_member (data, member), value) == 0)
        return (int) i;
    }
  return -1;
}

static guint
count_messages (JsonObject *session,
                const char *direction,
                const char *kind)
{
  JsonArray *messages = json_object_get_array_member (session, "messages");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (message, "direction", ""), direction) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (message, "kind", ""), kind) == 0)
        n++;
    }
  return n;
}

static void
bind_second_view (Fixture    *fx,
                  const char *code)
{
  g_autoptr(EkHttpClient) client = ek_http_client_new ();
  g_autofree char *url = g_strconcat (ek_test_server_get_base_url (fx->server), "/v1/second-view/bind", NULL);
  g_autoptr(EkHttpRequest) request = ek_http_request_new ("POST", url);
  g_autoptr(EkHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"code\": \"%s\", \"device\": \"Test phone\"}", code);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  ek_http_request_set_body (request, "application/json", body);
  response = ek_test_http_send (client, request, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ek_http_response_get_status (response), ==, 200);
}

static void
login (Fixture    *fx,
       const char *mode,
       const char *token,
       const char *id_number)
{
  ek_test_kiosk_sign_in (fx->kiosk, mode, token, id_number);
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "pledge", WAIT_DEFAULT_MS));
  /* Accepting needs the tick first. */
  ek_test_kiosk_activate_on_page (fx->kiosk, "pledge.accept");
  ek_test_sleep_ms (300);
  {
    g_autoptr(GVariant) status = ek_test_kiosk_get_status (fx->kiosk);
    g_autofree char *page = ek_test_kiosk_status_string (status, "page");

    g_assert_cmpstr (page, ==, "pledge");
  }
  ek_test_kiosk_pass_pledge (fx->kiosk);
}

static void wait_for_server_events (Fixture    *fx,
                                    const char *session_id,
                                    const char *type,
                                    const char *key,
                                    const char *value,
                                    guint       n);

/* --- tests ---------------------------------------------------------------- */

static void
test_interview (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  JsonObject *state;
  JsonArray *steps;
  JsonArray *phases;
  gint64 sequence = -1;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-interview");
  phases = json_object_get_array_member (exam, "phases");
  ek_test_kiosk_start (fx.kiosk);

  login (&fx, "formal", "E2E-INTV-7K2P", "11010519491231002X");

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "room-scan", WAIT_DEFAULT_MS));
  /* Details, pledge, room, draw, attachments, devices, waiting room: seven, one count. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "stepper", "Step 3 of 7: Your room", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "step.done");

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "draw", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "stepper", "Step 4 of 7: Sequence number", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "draw.draw");
  /* The number stays on screen although the session has moved on. */
  status = ek_test_kiosk_wait_for (fx.kiosk, "step", "attachments", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  ek_test_sleep_ms (300);
  status = ek_test_kiosk_get_status (fx.kiosk);
  {
    g_autofree char *page = ek_test_kiosk_status_string (status, "page");
    g_autofree char *text = NULL;
    g_autofree char *number = NULL;

    g_assert_cmpstr (page, ==, "draw");
    g_assert_true (g_variant_lookup (status, "sequence", "x", &sequence));
    g_assert_cmpint (sequence, >, 0);
    number = g_strdup_printf ("%" G_GINT64_FORMAT, sequence);
    text = ek_test_kiosk_status_string (status, "text");
    g_assert_nonnull (strstr (text, number));
  }
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_activate_on_page (fx.kiosk, "draw.continue");

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "attachments", WAIT_DEFAULT_MS));
  /* The Markdown attachment, rendered in the kiosk. */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Read each question carefully", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "attachments.done");

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "devices.confirm");

  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "waiting", WAIT_DEFAULT_MS);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "stepper", "Step 7 of 7: Waiting room", WAIT_DEFAULT_MS));

  /* Entry opens at the start: the server has the pledge, the steps and the draw. */
  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  steps = json_object_get_array_member (state, "completed_steps");
  g_assert_true (array_has_string (steps, "pledge"));
  g_assert_true (array_has_string (steps, "room_scan"));
  g_assert_true (array_has_string (steps, "draw"));
  g_assert_true (array_has_string (steps, "attachments"));
  g_assert_true (array_has_string (steps, "device_confirm"));
  g_assert_cmpint (json_object_get_int_member (state, "sequence_number"), ==, sequence);
  g_clear_pointer (&session, json_object_unref);

  ek_test_kiosk_activate_on_page (fx.kiosk, "waiting.enter");
  ek_test_sleep_ms (300);
  status = ek_test_kiosk_get_status (fx.kiosk);
  {
    g_autofree char *page = ek_test_kiosk_status_string (status, "page");

    /* Not before the start. */
    g_assert_cmpstr (page, ==, "waiting");
  }
  g_clear_pointer (&status, g_variant_unref);

  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (ek_test_kiosk_enter_exam (fx.kiosk));
  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 2);

  /* The proctor writes; the badge counts it; Help shows it. */
  ek_test_server_send_message (fx.server, session_id, "chat", "Hello from the proctor");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "unread", "1", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.help");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "unread", "", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Hello from the proctor", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string ("My camera works"));

  /* A warning covers the page until acknowledged. */
  ek_test_server_send_message (fx.server, session_id, "warning", "Please look at the screen.");
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Please look at the screen.", WAIT_DEFAULT_MS);
  {
    gboolean warning = FALSE;

    g_assert_true (g_variant_lookup (status, "warning", "b", &warning));
    g_assert_true (warning);
  }
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.ack-warning");
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.hand-raise");

  /* The reading phase ends; the answering phase's questions come by themselves. */
  {
    gint64 answering_starts = json_object_get_int_member (json_array_get_object_element (phases, 1), "starts_ms");
    gint32 phase = -1;

    /* On time, within what a loaded test machine allows. */
    ek_test_sleep_until_ms (answering_starts + 1500);
    status = ek_test_kiosk_wait_for (fx.kiosk, "phase", "1", 3000);
    g_assert_true (g_variant_lookup (status, "phase", "i", &phase));
    g_assert_cmpint (phase, ==, 1);
    g_clear_pointer (&status, g_variant_unref);
    g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 2);
  }

  /* The last minute is marked (the whole phase is shorter than a minute). */
  status = ek_test_kiosk_get_status (fx.kiosk);
  {
    gboolean last_minute = FALSE;
    const char *color = NULL;

    g_assert_true (g_variant_lookup (status, "countdown-last-minute", "b", &last_minute));
    g_assert_true (last_minute);
    /* ... in red (the style sheet's #b3261e). */
    g_assert_true (g_variant_lookup (status, "countdown-color", "&s", &color));
    g_assert_cmpstr (color, ==, "rgb(179,38,30)");
  }
  g_clear_pointer (&status, g_variant_unref);
  /* The part that began says so, with what comes next: nothing changes silently. */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Answering has begun, until", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "It is the last part of the exam.", WAIT_DEFAULT_MS));

  /* The exam ends by itself; the server confirms it. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", 20000));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "The exam server has confirmed the end of your exam",
                                                WAIT_DEFAULT_MS));

  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  g_assert_false (json_object_get_null_member (state, "entered_ms"));
  g_assert_cmpuint (count_messages (session, "from_client", "ack"), ==, 1);
  g_assert_cmpuint (count_messages (session, "from_client", "hand_raise"), ==, 1);
  g_assert_cmpuint (count_messages (session, "from_client", "chat"), ==, 1);

  /* The event log: one unbroken chain, in the order the day went. */
  {
    JsonArray *events = ek_test_assert_event_chain (session);
    int opened = find_event (events, 0, "session_opened", NULL, NULL);
    int in_steps = find_event (events, 0, "stage", "stage", "steps");
    int room_scan = find_event (events, 0, "step_shown", "step", "room_scan");
    int waiting = find_event (events, 0, "stage", "stage", "waiting");
    int entered = find_event (events, 0, "stage", "stage", "exam");
    int reading = find_event (events, 0, "phase_started", "phase", json_object_get_string_member (json_array_get_object_element (phases, 0), "id"));
    int answering = find_event (events, 0, "phase_started", "phase", json_object_get_string_member (json_array_get_object_element (phases, 1), "id"));
    int warned = find_event (events, 0, "warning_received", NULL, NULL);
    int acked = find_event (events, 0, "warning_acknowledged", NULL, NULL);
    int finishing = find_event (events, 0, "stage", "stage", "finishing");

    g_assert_cmpint (opened, ==, 0);
    g_assert_cmpint (in_steps, >, opened);
    g_assert_cmpint (room_scan, >, in_steps);
    g_assert_cmpint (waiting, >, room_scan);
    g_assert_cmpint (entered, >, waiting);
    g_assert_cmpint (reading, >, entered);
    g_assert_cmpint (warned, >, reading);
    g_assert_cmpint (acked, >, warned);
    g_assert_cmpint (answering, >, reading);
    g_assert_cmpint (finishing, >, answering);
    g_assert_true (json_object_has_member (json_array_get_object_element (events, acked), "duration_ms"));
    /* The room scan was recorded as its own stream, started and stopped on its page. */
    g_assert_cmpint (find_event (events, 0, "room_scan_started", "step", "room_scan"), >, room_scan);
    g_assert_cmpint (find_event (events, 0, "room_scan_stopped", "step", "room_scan"), <, waiting);

    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                       json_array_get_object_element (events, finishing), "data"), "reason"), ==, "time_over");
  }

  /* ... and its segments are on the server, whole, beside the exam's, once the
   * client's finish was confirmed (every segment checked by hash). */
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
    JsonArray *uploads;

    while (json_object_get_null_member (json_object_get_object_member (session, "session"),
                                        "finished_ms"))
      {
        if (g_get_monotonic_time () > deadline)
          {
            ek_test_kiosk_show_log (fx.kiosk);
            g_error ("The client did not finish the upload");
          }
        ek_test_sleep_ms (500);
        g_clear_pointer (&session, json_object_unref);
        session = ek_test_server_get_session (fx.server, session_id);
      }
    uploads = json_object_get_array_member (session, "uploads");
    guint room_scan = 0, camera = 0;

    for (guint i = 0; i < json_array_get_length (uploads); i++)
      {
        JsonObject *upload = json_array_get_object_element (uploads, i);
        const char *stream = json_object_get_string_member (upload, "stream");

        /* A segment replaced on its way (announced again with other content)
         * leaves its first, unfinished upload behind: count what is whole. */
        if (!json_object_get_boolean_member (upload, "complete"))
          continue;
        if (g_str_equal (stream, "room_scan"))
          room_scan++;
        else if (g_str_equal (stream, "camera"))
          camera++;
      }
    g_assert_cmpuint (room_scan, >=, 1);
    g_assert_cmpuint (camera, >=, 1);
  }

  fixture_teardown (&fx);
}

/* A text answer with what could go wrong on the way: quotes, a line break,
 * Chinese, an emoji outside the BMP. */
#define WRITTEN_W4 "\"The client resumes from the server's offset: \\\"断点续传\\\"\\nnot from zero 🙂\""
#define WRITTEN_ANSWERS "{\"w1\": \"b\", \"w2\": [\"a\", \"c\"], \"w3\": true, \"w4\": " WRITTEN_W4 "}"

/* An exam whose policy does not require the second view (e2e-no-phone.json): after
 * "I have no phone" the candidate continues; the proctor sees both events and the server
 * the step done. */
static void
test_second_view_waived (void)
{
  Fixture fx = { 0 };
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;

  fixture_setup (&fx);
  ek_test_kiosk_start (fx.kiosk);

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "start", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "win.start-mode::mock");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "login", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-NOPH-7K2M", "110105199003071239"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "confirm", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "confirm.continue");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "pledge", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-check-all", NULL);
  ek_test_kiosk_activate_on_page (fx.kiosk, "pledge.accept");

  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "second-view", WAIT_DEFAULT_MS);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Waiting for your phone", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "second-view.no-phone");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "You can take this exam without a second camera",
                                  WAIT_DEFAULT_MS));
  wait_for_server_events (&fx, session_id, "second_view_unavailable", "reason", "no_phone", 1);
  ek_test_kiosk_activate (fx.kiosk, "test-click", g_variant_new_string ("C_ontinue without a phone"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "paper-check", WAIT_DEFAULT_MS));
  wait_for_server_events (&fx, session_id, "second_view_skipped", "reason", "no_phone", 1);

  fixture_teardown (&fx);
}

static void
test_written (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  JsonObject *state;
  JsonArray *steps;
  JsonArray *second_view;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-written");
  ek_test_kiosk_start (fx.kiosk);

  /* A typing mistake is caught on this computer, with the reason. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "start", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "win.start-mode::mock");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "login", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "110105199003071238"));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "error", "last character does not match", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "11010519900307123"));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "error", "18 characters", WAIT_DEFAULT_MS));
  /* Wrong token: the server's refusal, in its own words. */
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-NOPE-0000", "110105199003071239"));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "error", "do not match any candidate", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-WRIT-4N8D", "1101 0519 9003 0712 39"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "confirm", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "confirm.continue");
  ek_test_kiosk_pass_pledge (fx.kiosk);

  /* The second view: the "phone" binds the code the QR code carries. */
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "second-view", WAIT_DEFAULT_MS);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Waiting for your phone", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "stepper", "Step 3 of 6: Second camera", WAIT_DEFAULT_MS));
  /* No phone: the proctor is told, the candidate what to do; the code is still there. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "second-view.no-phone");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "This exam cannot start without a second camera",
                                                WAIT_DEFAULT_MS));
  wait_for_server_events (&fx, session_id, "second_view_unavailable", "reason", "no_phone", 1);
  ek_test_kiosk_activate_on_page (fx.kiosk, "second-view.show-code");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Waiting for your phone", WAIT_DEFAULT_MS));
  /* Help: what to try, and whom to call. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "second-view.help");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "If the phone does not connect", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "second-view.show-code");
  session = ek_test_server_get_session (fx.server, session_id);
  second_view = json_object_get_array_member (session, "second_view");
  g_assert_cmpuint (json_array_get_length (second_view), ==, 1);
  bind_second_view (&fx, json_object_get_string_member (json_array_get_object_element (second_view, 0), "code"));
  g_clear_pointer (&session, json_object_unref);

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "paper-check", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "step.done");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "devices.confirm");
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "waiting", WAIT_DEFAULT_MS);
  /* The waiting room counts towards the start: no alarm, even in its last minute. */
  {
    gboolean last_minute = FALSE;
    const char *color = NULL;

    g_assert_true (g_variant_lookup (status, "countdown-last-minute", "b", &last_minute));
    g_assert_true (last_minute);
    g_assert_true (g_variant_lookup (status, "countdown-color", "&s", &color));
    g_assert_cmpstr (color, !=, "rgb(179,38,30)");
  }
  g_clear_pointer (&status, g_variant_unref);

  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (ek_test_kiosk_enter_exam (fx.kiosk));

  /* Too early to hand in: refused, with the seconds until it becomes possible. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.end");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "error", "You can hand in your exam in", WAIT_DEFAULT_MS));

  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 4);

  /* Answers, one of them changed: only the last value counts. */
  ek_test_kiosk_answer (fx.kiosk, "w1", "\"a\"");
  ek_test_kiosk_answer (fx.kiosk, "w2", "[\"a\", \"c\"]");
  ek_test_kiosk_answer (fx.kiosk, "w1", "\"b\"");
  ek_test_kiosk_answer (fx.kiosk, "w3", "true");
  status = ek_test_kiosk_wait_for_answers (fx.kiosk, "{\"w1\": \"b\", \"w2\": [\"a\", \"c\"], \"w3\": true}",
                                           WAIT_DEFAULT_MS);
  {
    guint32 unanswered = 0;
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "unanswered", "u", &unanswered));
    g_assert_cmpuint (unanswered, ==, 1);
    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_answer (fx.kiosk, "w4", WRITTEN_W4);
  g_variant_unref (ek_test_kiosk_wait_for_answers (fx.kiosk, WRITTEN_ANSWERS, WAIT_DEFAULT_MS));

  ek_test_sleep_until_ms (json_object_get_int_member (exam, "min_submit_ms") + 300);
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.end");
  /* The question view's confirmation. */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "This cannot be undone", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-click", g_variant_new_string ("Submit"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "You have handed in your exam", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "The exam server has confirmed", WAIT_DEFAULT_MS));
  /* The recording (test sources) goes up; "complete" only once the server has
   * confirmed every segment (EkOutbox:complete). */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Upload complete", 60000));

  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  steps = json_object_get_array_member (state, "completed_steps");
  g_assert_true (array_has_string (steps, "pledge"));
  g_assert_true (array_has_string (steps, "second_view"));
  g_assert_true (array_has_string (steps, "paper_check"));
  g_assert_true (array_has_string (steps, "device_confirm"));
  g_assert_false (json_object_get_null_member (state, "submitted_ms"));
  g_assert_cmpstr (json_object_get_string_member (state, "end_reason"), ==, "submitted");
  /* Every answer arrived before the submission, exactly as entered, and counted. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (session, "session"),
                                               "answer_count"), ==, 4);
  {
    g_autoptr(JsonNode) have = ek_test_server_get_answers (fx.server, session_id);
    g_autoptr(JsonNode) want = ek_test_parse_json (WRITTEN_ANSWERS);
    g_autofree char *text = json_to_string (have, FALSE);

    g_test_message ("server answers: %s", text);
    g_assert_true (json_node_equal (have, want));
  }

  fixture_teardown (&fx);
}

#define CRASH_C2 "\"Kept across a crash: 断电也不丢\""
#define CRASH_ANSWERS "{\"c1\": \"b\", \"c2\": " CRASH_C2 "}"

static void
test_crash (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  gint64 ends_ms;
  gint64 shown_ms = -1;
  gint64 truth_ms;
  gint64 before_ms;
  gint64 after_ms;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-crash");
  ends_ms = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (exam, "phases"), 0),
                                        "ends_ms");
  ek_test_kiosk_start (fx.kiosk);

  login (&fx, "formal", "E2E-CRSH-9Q3M", "310115198805122048");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "devices.confirm");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "waiting", WAIT_DEFAULT_MS));
  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  status = ek_test_kiosk_enter_exam (fx.kiosk);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 2);

  /* Answers typed just before the crash. */
  ek_test_kiosk_answer (fx.kiosk, "c1", "\"b\"");
  ek_test_kiosk_answer (fx.kiosk, "c2", CRASH_C2);
  g_variant_unref (ek_test_kiosk_wait_for_answers (fx.kiosk, CRASH_ANSWERS, WAIT_DEFAULT_MS));
  /* Saved at once: the local write is a matter of milliseconds. */
  ek_test_sleep_ms (300);

  /* Killed without a chance to save anything. */
  ek_test_kiosk_kill (fx.kiosk, SIGKILL);
  ek_test_sleep_ms (1000);

  ek_test_kiosk_start (fx.kiosk);
  /* Straight back into the exam: the token came from the keyring, no login. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "exam", WAIT_DEFAULT_MS));
  ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS);

  before_ms = ek_test_now_ms ();
  status = ek_test_kiosk_get_status (fx.kiosk);
  after_ms = ek_test_now_ms ();
  g_assert_true (g_variant_lookup (status, "countdown-ms", "x", &shown_ms));
  g_clear_pointer (&status, g_variant_unref);
  truth_ms = ends_ms - (before_ms + after_ms) / 2;
  g_test_message ("countdown shows %" G_GINT64_FORMAT " ms, truth %" G_GINT64_FORMAT " ms (±%" G_GINT64_FORMAT ")",
                  shown_ms, truth_ms, (after_ms - before_ms) / 2);
  g_assert_cmpint (ABS (shown_ms - truth_ms), <, 1000 - (after_ms - before_ms) / 2);

  /* The same answers on screen again, still open to change; and on the server. */
  status = ek_test_kiosk_wait_for_answers (fx.kiosk, CRASH_ANSWERS, WAIT_DEFAULT_MS);
  {
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_wait_server_answers (fx.kiosk, session_id, CRASH_ANSWERS, WAIT_DEFAULT_MS);

  /* The proctor collects the exam: obeyed at once. */
  ek_test_server_send_message (fx.server, session_id, "end_exam", "Collected by the proctor");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", 10000));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "The proctor has ended your exam", WAIT_DEFAULT_MS));

  session = ek_test_server_get_session (fx.server, session_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"), "end_reason"),
                   ==, "forced_by_proctor");

  fixture_teardown (&fx);
}

static void
xdotool (const char *args)
{
  g_autofree char *command = g_strconcat ("xdotool ", args, NULL);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_command_line_sync (command, NULL, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
}

/* --- lockdown ------------------------------------------------------------- */

/* Logs in to a formal exam, passes the device step and enters the exam at its start.
 * Returns: the session id. */
static char *
login_and_enter (Fixture    *fx,
                 JsonObject *exam,
                 const char *token,
                 const char *id_number)
{
  g_autoptr(GVariant) status = NULL;

  login (fx, "formal", token, id_number);
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "devices.confirm");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "waiting", WAIT_DEFAULT_MS));
  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  status = ek_test_kiosk_enter_exam (fx->kiosk);
  return ek_test_kiosk_status_string (status, "session-id");
}

/* Another client's window to take the focus from the kiosk (tests/ek-lockdown-intruder.c).
 * Returns: its window id (decimal, for xdotool) in @window. */
static GSubprocess *
spawn_intruder (char **window)
{
  g_autofree char *path = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "ek-lockdown-intruder", NULL);
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path, "map", NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "ready 0x"));
  *window = g_strdup_printf ("%lu", strtoul (line + strlen ("ready "), NULL, 16));
  return process;
}

static void
stop_intruder (GSubprocess *process)
{
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* Another program takes the X focus (to @window), as one that steals it would; the kiosk
 * takes it back after the grace time. Waits until the client logged its @n-th focus loss
 * (counted or not) as over. */
static void
steal_focus (Fixture    *fx,
             const char *window,
             guint       n)
{
  g_autofree char *args = g_strdup_printf ("windowfocus %s", window);

  xdotool (args);
  ek_test_kiosk_wait_log (fx->kiosk, "Lockdown: violation focus_lost (", n, WAIT_DEFAULT_MS);
}

/* The events of the session on the server of @type whose data member @key is @value
 * (NULL: any). */
static guint
count_server_events (Fixture    *fx,
                     const char *session_id,
                     const char *type,
                     const char *key,
                     const char *value)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (fx->server, session_id);
  JsonArray *events = json_object_get_array_member (session, "events");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      JsonObject *data = json_object_get_object_member (event, "data");

      if (g_strcmp0 (json_object_get_string_member (event, "type"), type) != 0)
        continue;
      if (key != NULL && (data == NULL ||
                          g_strcmp0 (json_object_get_string_member_with_default (data, key, ""), value) != 0))
        continue;
      n++;
    }
  return n;
}

/* Waits until the server holds at least @n such events (they are sent in batches). */
static void
wait_for_server_events (Fixture    *fx,
                        const char *session_id,
                        const char *type,
                        const char *key,
                        const char *value,
                        guint       n)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) 20000 * 1000;

  while (count_server_events (fx, session_id, type, key, value) < n)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autoptr(JsonObject) session = ek_test_server_get_session (fx->server, session_id);
          g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (),
                                                           json_object_get_array_member (session, "events"));
          g_autofree char *text = json_to_string (node, FALSE);

          ek_test_kiosk_show_log (fx->kiosk);
          g_error ("The server holds fewer than %u %s events (%s = %s): %s", n, type,
                   key ? key : "-", value ? value : "-", text);
        }
      ek_test_sleep_ms (200);
    }
}

static void
test_lockdown (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *lockdown = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *window = NULL;
  GSubprocess *intruder;
  gint64 deadline;
  guint refusals;
  int wait_status = 0;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return;
    }

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-lockdown");
  intruder = spawn_intruder (&window);
  ek_test_kiosk_start (fx.kiosk);

  /* Before the exam nothing is locked down. */
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "start", WAIT_DEFAULT_MS);
  g_assert_false (g_variant_lookup (status, "lockdown", "&s", NULL));
  g_clear_pointer (&status, g_variant_unref);

  session_id = login_and_enter (&fx, exam, "E2E-LOCK-7K2P", "310115198805122048");
  status = ek_test_kiosk_wait_for (fx.kiosk, "lockdown", "engaged", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown engaged", 1, WAIT_DEFAULT_MS);
  /* The watermark of the seat lies over the exam; no word of a relaxed lockdown. */
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "text", "E-017", WAIT_DEFAULT_MS);
  {
    g_autofree char *text = ek_test_kiosk_status_string (status, "text");

    g_assert_null (strstr (text, "lockdown is relaxed"));
  }
  g_clear_pointer (&status, g_variant_unref);

  /* The keyboard is grabbed: Alt+Tab reaches the kiosk only, which keeps it. */
  xdotool ("key alt+Tab");
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown: kept the shortcut", 1, 5000);

  /* Another program takes the focus: a violation, whose start, end (with its duration,
   * at least the grace time) and escalation reach the server as events, as do the kept
   * shortcut and the desktop session the lockdown runs in. */
  steal_focus (&fx, window, 1);
  wait_for_server_events (&fx, session_id, "focus_lost", "state", "started", 1);
  wait_for_server_events (&fx, session_id, "focus_lost", "state", "ended", 1);
  wait_for_server_events (&fx, session_id, "escalation", "step", "warning", 1);
  wait_for_server_events (&fx, session_id, "shortcut_blocked", "keys", "Alt+Tab", 1);
  wait_for_server_events (&fx, session_id, "lockdown_engaged", "session", "desktop", 1);
  {
    g_autoptr(JsonObject) session = ek_test_server_get_session (fx.server, session_id);
    JsonArray *events = json_object_get_array_member (session, "events");
    gint64 duration_ms = -1;

    for (guint i = 0; i < json_array_get_length (events); i++)
      {
        JsonObject *event = json_array_get_object_element (events, i);

        if (g_str_equal (json_object_get_string_member (event, "type"), "focus_lost") &&
            json_object_has_member (event, "duration_ms"))
          duration_ms = json_object_get_int_member (event, "duration_ms");
      }
    g_assert_cmpint (duration_ms, >=, 2000 /* the default grace time */);
  }

  /* Closing the window is refused. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "window.close");
  ek_test_sleep_ms (500);
  g_assert_cmpint (waitpid (fx.kiosk->pid, &wait_status, WNOHANG), ==, 0);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "exam", WAIT_DEFAULT_MS));

  /* The technician's key combination asks for the password, in the window. */
  xdotool ("key ctrl+alt+shift+q");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "quit", WAIT_DEFAULT_MS));

  /* A wrong password: refused, the kiosk stays, locked down. */
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string ("not-the-password"));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "error", "not the quit password", 20000));
  status = ek_test_kiosk_get_status (fx.kiosk);
  lockdown = ek_test_kiosk_status_string (status, "lockdown");
  g_assert_cmpstr (lockdown, ==, "engaged");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpint (waitpid (fx.kiosk->pid, &wait_status, WNOHANG), ==, 0);

  /* Back to the exam and again: the right password releases the lockdown and quits. The
   * gate may ask to wait after a wrong guess. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "win.technician-quit-cancel");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "exam", WAIT_DEFAULT_MS));
  xdotool ("key ctrl+alt+shift+q");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "quit", WAIT_DEFAULT_MS));
  /* Refusals are counted in the client's log (no D-Bus call races the exit). */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  refusals = ek_test_kiosk_log_count (fx.kiosk, "quit refused");
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string ("Technician-42"));
  for (;;)
    {
      pid_t pid = waitpid (fx.kiosk->pid, &wait_status, WNOHANG);

      if (pid == fx.kiosk->pid)
        break;
      g_assert_cmpint (pid, ==, 0);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      if (ek_test_kiosk_log_count (fx.kiosk, "quit refused") > refusals)
        {
          /* Rate-limited after the wrong guess: the gate said to wait. */
          refusals = ek_test_kiosk_log_count (fx.kiosk, "quit refused");
          ek_test_sleep_ms (1000);
          ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string ("Technician-42"));
        }
      ek_test_sleep_ms (100);
    }
  g_spawn_close_pid (fx.kiosk->pid);
  fx.kiosk->running = FALSE;
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 0);
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown released", 1, 1000);
  stop_intruder (intruder);

  fixture_teardown (&fx);
}

/* The kiosk in the dedicated exam session (assets/exam-session: its own Xorg, here with the
 * dummy driver, nothing else on it) knows it and tells the server. */
static void
test_exam_session (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(EkTestXorg) probe = NULL;
  g_autofree char *probe_dir = NULL;
  g_autofree char *launcher = NULL;
  g_autofree char *session_id = NULL;

  fixture_setup (&fx);
  probe_dir = g_build_filename (fx.kiosk->tmp_dir, "xorg-probe", NULL);
  g_assert_no_errno (g_mkdir_with_parents (probe_dir, 0700));
  probe = ek_test_xorg_start (probe_dir);
  if (probe == NULL)
    {
      fixture_teardown (&fx);
      g_test_skip ("Xorg with the dummy driver cannot start here");
      return;
    }
  g_clear_pointer (&probe, ek_test_xorg_stop);

  launcher = ek_test_xorg_install_exam_session (fx.kiosk->tmp_dir);
  ek_test_kiosk_set_launcher (fx.kiosk, launcher);
  exam = ek_test_server_get_exam (fx.server, "e2e-lockdown");
  ek_test_kiosk_start (fx.kiosk);
  session_id = login_and_enter (&fx, exam, "E2E-LOCK-7K2P", "310115198805122048");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "lockdown", "engaged", WAIT_DEFAULT_MS));
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown engaged (dedicated exam session)", 1, WAIT_DEFAULT_MS);
  wait_for_server_events (&fx, session_id, "lockdown_engaged", "session", "dedicated", 1);
  g_assert_cmpuint (count_server_events (&fx, session_id, "lockdown_engaged", "session", "desktop"), ==, 0);

  fixture_teardown (&fx);
}

#define FORCED_ANSWERS "{\"c1\": \"a\", \"c2\": \"Handed in by the lockdown\"}"

/* Repeated focus losses walk through every escalation step to forced submission; one
 * within the grace time does not count. The exam is handed in with its answers, the
 * server has the submission and every violation as an event; a restarted client is kept
 * out of the exam and only finishes the upload. */
static void
test_lockdown_forced (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(JsonNode) want = NULL;
  g_autoptr(JsonNode) have = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *window = NULL;
  g_autofree char *kiosk_window = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  g_autofree char *blink = NULL;
  GSubprocess *intruder;
  JsonObject *state;
  gint64 submitted_ms;
  gint64 deadline;

  if (xdotool_path == NULL)
    {
      g_test_skip ("xdotool is not installed");
      return;
    }

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-forced");
  intruder = spawn_intruder (&window);
  ek_test_kiosk_start (fx.kiosk);

  session_id = login_and_enter (&fx, exam, "E2E-FRCD-4M8T", "310115198805122048");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "lockdown", "engaged", WAIT_DEFAULT_MS));
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown engaged", 1, WAIT_DEFAULT_MS);
  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 2);

  /* One answer on the server already, the other typed just before the losses. */
  ek_test_kiosk_answer (fx.kiosk, "c1", "\"a\"");
  ek_test_kiosk_wait_server_answers (fx.kiosk, session_id, "{\"c1\": \"a\"}", WAIT_DEFAULT_MS);
  ek_test_kiosk_answer (fx.kiosk, "c2", "\"Handed in by the lockdown\"");
  g_variant_unref (ek_test_kiosk_wait_for_answers (fx.kiosk, FORCED_ANSWERS, WAIT_DEFAULT_MS));

  /* Within the grace time (1.5 s), like an input-method popup: logged, not counted. */
  {
    g_autofree char *command = g_strdup_printf ("xdotool search --onlyvisible --pid %d", (int) fx.kiosk->pid);
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;

    g_spawn_command_line_sync (command, &out, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (out);
    kiosk_window = g_strndup (out, strcspn (out, "\n"));
    g_assert_cmpstr (kiosk_window, !=, "");
    g_test_message ("the kiosk's window %s, the other %s", kiosk_window, window);
  }
  blink = g_strdup_printf ("windowfocus %s sleep 0.3 windowfocus %s", window, kiosk_window);
  xdotool (blink);
  ek_test_kiosk_wait_log (fx.kiosk, "within the grace time", 1, WAIT_DEFAULT_MS);
  wait_for_server_events (&fx, session_id, "focus_lost", "counted", "no", 1);
  g_assert_cmpuint (count_server_events (&fx, session_id, "escalation", NULL, NULL), ==, 0);
  g_assert_cmpuint (count_server_events (&fx, session_id, "focus_lost", "counted", "yes"), ==, 0);

  /* Three that count: warning, locked screen, forced submission. */
  steal_focus (&fx, window, 2);
  wait_for_server_events (&fx, session_id, "escalation", "step", "warning", 1);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "exam", WAIT_DEFAULT_MS));
  steal_focus (&fx, window, 3);
  wait_for_server_events (&fx, session_id, "escalation", "step", "locked", 1);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "exam", WAIT_DEFAULT_MS));
  /* Slow uploads from here: the recording's last part is still on its way when the
   * client is killed below. */
  ek_test_server_set_faults (fx.server, "{ \"throttle_bytes_per_s\": 20000 }");
  steal_focus (&fx, window, 4);
  ek_test_kiosk_wait_log (fx.kiosk, "Lockdown: repeated violations, the exam is submitted", 1, WAIT_DEFAULT_MS);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", WAIT_DEFAULT_MS));

  /* On the server: submitted with both answers, and every step as an event. */
  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  g_assert_cmpstr (json_object_get_string_member (state, "end_reason"), ==, "submitted");
  g_assert_false (json_object_get_null_member (state, "submitted_ms"));
  submitted_ms = json_object_get_int_member (state, "submitted_ms");
  /* Well before the earliest hand-in time: the lockdown's forced submission may. */
  g_assert_cmpint (submitted_ms, <, json_object_get_int_member (exam, "min_submit_ms"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (session, "session"),
                                               "answer_count"), ==, 2);
  g_clear_pointer (&session, json_object_unref);
  want = ek_test_parse_json (FORCED_ANSWERS);
  have = ek_test_server_get_answers (fx.server, session_id);
  g_assert_true (json_node_equal (have, want));
  wait_for_server_events (&fx, session_id, "escalation", "step", "submit", 1);
  wait_for_server_events (&fx, session_id, "focus_lost", "state", "started", 3);
  wait_for_server_events (&fx, session_id, "focus_lost", "counted", "yes", 6);
  wait_for_server_events (&fx, session_id, "lockdown_engaged", "session", "desktop", 1);
  g_assert_cmpuint (count_server_events (&fx, session_id, "focus_lost", "counted", "no"), ==, 1);
  stop_intruder (intruder);

  /* Killed with the upload unfinished and restarted: no way back into the exam; the
   * recording is finished. */
  session = ek_test_server_get_session (fx.server, session_id);
  g_assert_true (json_object_get_null_member (json_object_get_object_member (session, "session"),
                                              "finished_ms"));
  g_clear_pointer (&session, json_object_unref);
  ek_test_kiosk_kill (fx.kiosk, SIGKILL);
  ek_test_server_clear_faults (fx.server);
  ek_test_kiosk_start (fx.kiosk);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", WAIT_DEFAULT_MS));
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *page = NULL;
      gboolean finished;

      status = ek_test_kiosk_get_status (fx.kiosk);
      page = ek_test_kiosk_status_string (status, "page");
      g_clear_pointer (&status, g_variant_unref);
      g_assert_cmpstr (page, !=, "exam");

      session = ek_test_server_get_session (fx.server, session_id);
      finished = !json_object_get_null_member (json_object_get_object_member (session, "session"),
                                               "finished_ms");
      g_clear_pointer (&session, json_object_unref);
      if (finished)
        break;
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (fx.kiosk);
          g_error ("The restarted client did not finish the upload");
        }
      ek_test_sleep_ms (500);
    }

  /* The submission stands as it was. */
  session = ek_test_server_get_session (fx.server, session_id);
  state = json_object_get_object_member (session, "state");
  g_assert_cmpint (json_object_get_int_member (state, "submitted_ms"), ==, submitted_ms);
  g_assert_cmpstr (json_object_get_string_member (state, "end_reason"), ==, "submitted");
  g_clear_pointer (&have, json_node_unref);
  have = ek_test_server_get_answers (fx.server, session_id);
  g_assert_true (json_node_equal (have, want));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (session, "uploads")), >, 0);

  fixture_teardown (&fx);
}


/* From the start page into the practice written test's exam page. */
static void
enter_practice_written (Fixture *fx)
{
  gint64 deadline;

  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "start", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "win.start-mode::practice");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "practice", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "win.start-practice(uint32 1)");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "confirm", WAIT_DEFAULT_MS));
  /* One count through the practice's own steps: details, pledge, devices, waiting. */
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "stepper", "Step 1 of 4: Your details", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "confirm.continue");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "pledge", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "stepper", "Step 2 of 4: Rules and pledge", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx->kiosk, "test-check-all", NULL);
  ek_test_kiosk_activate_on_page (fx->kiosk, "pledge.accept");

  /* The device step if there is one, the waiting room (15 s), the exam. */
  deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(GVariant) status = ek_test_kiosk_get_status (fx->kiosk);
      g_autofree char *page = ek_test_kiosk_status_string (status, "page");

      if (g_str_equal (page, "exam"))
        break;
      if (g_str_equal (page, "device") || g_str_equal (page, "waiting"))
        {
          g_autofree char *stepper = ek_test_kiosk_status_string (status, "stepper");

          g_assert_cmpstr (stepper, ==, g_str_equal (page, "device")
                                        ? "Step 3 of 4: Camera and microphone"
                                        : "Step 4 of 4: Waiting room");
        }
      if (g_str_equal (page, "device"))
        ek_test_kiosk_activate_on_page (fx->kiosk, "devices.confirm");
      else if (g_str_equal (page, "waiting"))
        ek_test_kiosk_activate_on_page (fx->kiosk, "waiting.enter");
      if (g_get_monotonic_time () > deadline)
        {
          g_autofree char *text = g_variant_print (status, FALSE);

          ek_test_kiosk_show_log (fx->kiosk);
          g_error ("The practice exam did not start; status: %s", text);
        }
      ek_test_sleep_ms (300);
    }
  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx->kiosk, WAIT_DEFAULT_MS), ==, 4);
}

static void
test_practice_written (void)
{
  Fixture fx = { 0 };
  g_autoptr(GVariant) status = NULL;

  fixture_setup (&fx);
  ek_test_kiosk_start (fx.kiosk);

  enter_practice_written (&fx);
  /* Practice runs with the lockdown relaxed, and the screen says so. */
  status = ek_test_kiosk_wait_for (fx.kiosk, "lockdown", "relaxed", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Practice mode: the exam lockdown is relaxed.",
                                                WAIT_DEFAULT_MS));
  ek_test_kiosk_answer (fx.kiosk, "w1", "\"b\"");
  ek_test_kiosk_answer (fx.kiosk, "w3", "false");
  status = ek_test_kiosk_wait_for_answers (fx.kiosk, "{\"w1\": \"b\", \"w3\": false}", WAIT_DEFAULT_MS);
  {
    guint32 unanswered = 0;

    g_assert_true (g_variant_lookup (status, "unanswered", "u", &unanswered));
    g_assert_cmpuint (unanswered, ==, 2);
  }
  g_clear_pointer (&status, g_variant_unref);

  /* No server to wait for: handed in at once after the confirmation. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "exam.end");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "This cannot be undone", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-click", g_variant_new_string ("Submit"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", WAIT_DEFAULT_MS));

  /* Another run: a blank answer sheet, open to answers. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "finish.leave");
  enter_practice_written (&fx);
  status = ek_test_kiosk_wait_for_answers (fx.kiosk, "{}", WAIT_DEFAULT_MS);
  {
    gboolean read_only = TRUE;

    g_assert_true (g_variant_lookup (status, "answers-read-only", "b", &read_only));
    g_assert_false (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  ek_test_kiosk_answer (fx.kiosk, "w2", "[\"b\"]");
  g_variant_unref (ek_test_kiosk_wait_for_answers (fx.kiosk, "{\"w2\": [\"b\"]}", WAIT_DEFAULT_MS));

  fixture_teardown (&fx);
}

/* --- late answers and the device check from the flow ---------------------- */

#define LATE_EARLY   "{\"l1\": \"a\"}"
#define LATE_L2      "\"Saved in time, pushed late: 迟到的答案\""
#define LATE_ANSWERS "{\"l1\": \"b\", \"l2\": " LATE_L2 "}"

/* The client is killed with answers the server never got (every request failing), and
 * restarted after the time is over: it pushes exactly those answers (protocol section 6,
 * late answers), keeps them read-only and finishes only then. */
static void
test_late_answers (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  gint64 ends_ms;
  JsonArray *answers;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, "e2e-late");
  ends_ms = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (exam, "phases"), 0),
                                        "ends_ms");
  ek_test_kiosk_start (fx.kiosk);

  login (&fx, "formal", "E2E-LATE-6H3W", "44030519900101123X");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "devices.confirm");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "waiting", WAIT_DEFAULT_MS));
  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  status = ek_test_kiosk_enter_exam (fx.kiosk);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpuint (ek_test_kiosk_wait_for_questions (fx.kiosk, WAIT_DEFAULT_MS), ==, 2);

  /* One answer reaches the server the ordinary way. */
  ek_test_kiosk_answer (fx.kiosk, "l1", "\"a\"");
  ek_test_kiosk_wait_server_answers (fx.kiosk, session_id, LATE_EARLY, WAIT_DEFAULT_MS);

  /* The server becomes unreachable; the candidate goes on answering. */
  ek_test_server_set_faults (fx.server, "{\"error_rate\": 1.0}");
  ek_test_kiosk_answer (fx.kiosk, "l1", "\"b\"");
  ek_test_kiosk_answer (fx.kiosk, "l2", LATE_L2);
  status = ek_test_kiosk_wait_for_answers (fx.kiosk, LATE_ANSWERS, WAIT_DEFAULT_MS);
  {
    guint32 pending = 0;

    g_assert_true (g_variant_lookup (status, "engine-answers-pending", "u", &pending));
    g_assert_cmpuint (pending, ==, 2);
  }
  g_clear_pointer (&status, g_variant_unref);
  /* Saved on this computer at once (a matter of milliseconds), then killed. */
  ek_test_sleep_ms (300);
  ek_test_kiosk_kill (fx.kiosk, SIGKILL);

  /* The time runs out while the client is away; the server has only the first answer. */
  ek_test_sleep_until_ms (ends_ms + 1000);
  ek_test_server_clear_faults (fx.server);
  {
    g_autoptr(JsonNode) have = ek_test_server_get_answers (fx.server, session_id);
    g_autoptr(JsonNode) want = ek_test_parse_json (LATE_EARLY);

    g_assert_true (json_node_equal (have, want));
  }

  /* Restarted: straight to the finish, the answers pushed late, not open to change. */
  ek_test_kiosk_start (fx.kiosk);
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", WAIT_DEFAULT_MS));
  ek_test_kiosk_wait_server_answers (fx.kiosk, session_id, LATE_ANSWERS, WAIT_DEFAULT_MS);
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "text", "All your answers are confirmed on the exam server",
                                        WAIT_DEFAULT_MS);
  {
    gboolean read_only = FALSE;

    g_assert_true (g_variant_lookup (status, "engine-answers-read-only", "b", &read_only));
    g_assert_true (read_only);
  }
  g_clear_pointer (&status, g_variant_unref);
  /* "Complete" only with the recording confirmed as well; then the session is finished. */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "Upload complete", 60000));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "stage", "finished", WAIT_DEFAULT_MS));

  /* Exactly those answers: saved before the end, stored after it. */
  session = ek_test_server_get_session (fx.server, session_id);
  answers = json_object_get_array_member (session, "answers");
  g_assert_cmpuint (json_array_get_length (answers), ==, 2);
  for (guint i = 0; i < json_array_get_length (answers); i++)
    {
      JsonObject *answer = json_array_get_object_element (answers, i);

      g_assert_cmpint (json_object_get_int_member (answer, "client_ms"), <, ends_ms);
      g_assert_cmpint (json_object_get_int_member (answer, "stored_ms"), >=, ends_ms);
    }
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (session, "state"),
                                                  "end_reason"), ==, "time_over");

  fixture_teardown (&fx);
}

/* Logged in, the candidate checks the computer from the details page, sends the report
 * under the session and comes back to the details. */
static void
test_device_check (void)
{
  Fixture fx = { 0 };
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  gint64 deadline;

  fixture_setup (&fx);
  ek_test_kiosk_start (fx.kiosk);

  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "start", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "win.start-mode::formal");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "login", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate (fx.kiosk, "test-login", g_variant_new ("(ss)", "E2E-LATE-6H3W", "44030519900101123X"));
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "confirm", WAIT_DEFAULT_MS);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_clear_pointer (&status, g_variant_unref);
  g_assert_cmpstr (session_id, !=, "");

  ek_test_kiosk_activate (fx.kiosk, "test-click", g_variant_new_string ("_Check this computer"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "flow-device-check", WAIT_DEFAULT_MS));

  /* Send is offered once the run is over; the report is filed under the session. */
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr(JsonObject) session = ek_test_server_get_session (fx.server, session_id);
      JsonArray *reports = json_object_get_array_member (session, "self_checks");

      if (json_array_get_length (reports) > 0)
        {
          JsonObject *report = json_object_get_object_member (json_array_get_object_element (reports, 0),
                                                              "report");

          g_assert_cmpstr (json_object_get_string_member (report, "format"), ==,
                           "exam-kiosk-self-check");
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "checks")), >, 0);
          break;
        }
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (fx.kiosk);
          g_error ("The device check's report never reached the server");
        }
      ek_test_kiosk_activate_on_page (fx.kiosk, "selfcheck.send");
      ek_test_sleep_ms (1000);
    }
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "sent", WAIT_DEFAULT_MS));

  /* Back where the candidate was, and on with the flow. */
  ek_test_kiosk_activate (fx.kiosk, "test-click", g_variant_new_string ("_Back"));
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "confirm", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx.kiosk, "confirm.continue");
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "pledge", WAIT_DEFAULT_MS));

  fixture_teardown (&fx);
}

/* --- face login ----------------------------------------------------------- */

#define FACE_EXAM  "e2e-face"
#define FACE_ID    "11010519491231002X"

/* The client's configuration with face login for FACE_EXAM, and its camera: the
 * Megamind clip (a face, then a head turning right) from the face test data. */
static void
face_login_setup (Fixture *fx)
{
  g_autofree char *clip = ek_face_test_data ("Megamind.avi");
  g_autofree char *old = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  fixture_setup (fx);
  g_file_get_contents (fx->kiosk->config_path, &old, NULL, &error);
  g_assert_no_error (error);
  contents = g_strconcat (old, "[login]\nface-login-exam=" FACE_EXAM "\n", NULL);
  g_file_set_contents (fx->kiosk->config_path, contents, -1, &error);
  g_assert_no_error (error);

  g_setenv ("EK_TEST_CAMERA_FILE", clip, TRUE);
  ek_test_kiosk_start (fx->kiosk);
  g_unsetenv ("EK_TEST_CAMERA_FILE");

  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "start", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "win.start-mode::formal");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "login", WAIT_DEFAULT_MS));
  /* Offered because the server says the configured exam allows it. */
  g_variant_unref (ek_test_kiosk_wait_for_text (fx->kiosk, "text", "Log in with your face instead", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "win.login-method::face");
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "face-login", WAIT_DEFAULT_MS));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx->kiosk, "text", "Enter your ID number", WAIT_DEFAULT_MS));
}

/* The server's face attempts for FACE_EXAM, in order. */
static JsonArray *
face_attempts (Fixture *fx)
{
  g_autoptr(JsonObject) all = ek_test_server_admin_get (fx->server, "/admin/face-attempts");
  JsonArray *list = json_object_get_array_member (all, "face_attempts");
  JsonArray *mine = json_array_new ();

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *attempt = json_array_get_object_element (list, i);

      if (g_str_equal (json_object_get_string_member (attempt, "exam_id"), FACE_EXAM))
        json_array_add_object_element (mine, json_object_ref (attempt));
    }
  return mine;
}

static void
assert_attempt (JsonArray  *attempts,
                guint       index,
                const char *result,
                const char *reason,
                const char *session_id)
{
  JsonObject *attempt = json_array_get_object_element (attempts, index);

  g_assert_cmpstr (json_object_get_string_member (attempt, "kind"), ==, "login");
  g_assert_cmpstr (json_object_get_string_member (attempt, "id_number"), ==, FACE_ID);
  g_assert_cmpstr (json_object_get_string_member (attempt, "result"), ==, result);
  g_assert_cmpstr (json_object_get_string_member_with_default (attempt, "reason", NULL), ==, reason);
  g_assert_cmpstr (json_object_get_string_member_with_default (attempt, "session_id", NULL), ==, session_id);
  g_assert_cmpint (json_object_get_int_member (attempt, "size"), >, 1000);
}

/* Waits until the server holds @n face login attempts of FACE_EXAM. */
static JsonArray *
wait_for_attempts (Fixture *fx,
                   guint    n)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) 60000 * 1000;

  for (;;)
    {
      JsonArray *attempts = face_attempts (fx);

      if (json_array_get_length (attempts) >= n)
        return attempts;
      json_array_unref (attempts);
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (fx->kiosk);
          g_error ("The server holds fewer than %u face login attempts", n);
        }
      ek_test_sleep_ms (200);
    }
}

static void
test_face_login (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonArray) attempts = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *step = NULL;
  JsonArray *steps;

  face_login_setup (&fx);
  ek_test_server_set_faults (fx.server, "{\"face_result\": \"no_match\"}");

  /* A mistyped ID number is caught here, before the camera starts. */
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string ("110105194912310021"));
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "error", "ID number", WAIT_DEFAULT_MS);
  g_clear_pointer (&status, g_variant_unref);
  attempts = face_attempts (&fx);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 0);
  g_clear_pointer (&attempts, json_array_unref);

  /* Refused: the page says why, and how many tries are left. */
  ek_test_kiosk_activate (fx.kiosk, "test-face-direction", g_variant_new_string ("right"));
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string (FACE_ID));
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "text", "2 attempts left.", 60000);
  {
    g_autofree char *text = ek_test_kiosk_status_string (status, "text");
    g_autofree char *page = ek_test_kiosk_status_string (status, "page");

    g_assert_nonnull (strstr (text, "The picture does not match your registered photo."));
    g_assert_cmpstr (page, ==, "face-login");
    g_assert_false (g_variant_lookup (status, "session-id", "s", NULL) &&
                    *ek_test_kiosk_status_string (status, "session-id") != '\0');
  }
  g_clear_pointer (&status, g_variant_unref);
  attempts = wait_for_attempts (&fx, 1);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 1);
  assert_attempt (attempts, 0, "no_match", "different_person", NULL);
  g_clear_pointer (&attempts, json_array_unref);

  /* Matched: logged in as after a token login, and the identity check is done. */
  ek_test_server_set_faults (fx.server, "{\"face_result\": \"match\"}");
  ek_test_kiosk_activate_on_page (fx.kiosk, "face-login.start");
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "confirm", 60000);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_assert_cmpstr (session_id, !=, "");
  g_clear_pointer (&status, g_variant_unref);

  attempts = wait_for_attempts (&fx, 2);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  assert_attempt (attempts, 1, "match", NULL, session_id);
  session = ek_test_server_get_session (fx.server, session_id);
  steps = json_object_get_array_member (json_object_get_object_member (session, "state"),
                                        "completed_steps");
  g_assert_true (array_has_string (steps, "face_check"));
  g_assert_false (array_has_string (steps, "pledge"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (session, "session"),
                                                 "token_valid"));

  ek_test_kiosk_activate_on_page (fx.kiosk, "confirm.continue");
  ek_test_kiosk_pass_pledge (fx.kiosk);
  /* The server counted the login's picture as the identity check: no second one. */
  status = ek_test_kiosk_wait_for (fx.kiosk, "page", "device", WAIT_DEFAULT_MS);
  step = ek_test_kiosk_status_string (status, "step");
  g_assert_cmpstr (step, ==, "device_confirm");

  fixture_teardown (&fx);
}

static void
test_face_login_refused (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonArray) attempts = NULL;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(JsonObject) sessions = NULL;

  face_login_setup (&fx);
  ek_test_server_set_faults (fx.server, "{\"face_result\": \"no_match\"}");

  ek_test_kiosk_activate (fx.kiosk, "test-face-direction", g_variant_new_string ("right"));
  ek_test_kiosk_activate (fx.kiosk, "test-type", g_variant_new_string (FACE_ID));
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "2 attempts left.", 60000));
  ek_test_kiosk_activate_on_page (fx.kiosk, "face-login.start");
  g_variant_unref (ek_test_kiosk_wait_for_text (fx.kiosk, "text", "1 attempt left.", 60000));
  ek_test_kiosk_activate_on_page (fx.kiosk, "face-login.start");

  /* The third refusal ends it: a clear message and the exam's help line. */
  status = ek_test_kiosk_wait_for_text (fx.kiosk, "text", "+86 10 0000 0042", 60000);
  {
    g_autofree char *text = ek_test_kiosk_status_string (status, "text");
    g_autofree char *page = ek_test_kiosk_status_string (status, "page");

    gboolean warning = FALSE;

    g_assert_nonnull (strstr (text, "after three attempts"));
    g_assert_cmpstr (page, ==, "face-login");
    g_assert_true (g_variant_lookup (status, "warning", "b", &warning));
    g_assert_true (warning);
  }
  g_clear_pointer (&status, g_variant_unref);
  /* No way to a fourth try from this page: the guidance does not start again. */
  ek_test_kiosk_activate_on_page (fx.kiosk, "face-login.start");
  ek_test_sleep_ms (1000);
  status = ek_test_kiosk_get_status (fx.kiosk);
  {
    g_autofree char *text = ek_test_kiosk_status_string (status, "text");

    g_assert_nonnull (strstr (text, "Your identity could not be confirmed."));
    g_assert_null (strstr (text, "Look straight at the camera."));
  }

  attempts = wait_for_attempts (&fx, 3);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_attempt (attempts, i, "no_match", "different_person", NULL);

  /* No session was opened for the candidate. */
  sessions = ek_test_server_admin_get (fx.server, "/admin/sessions");
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), sessions);
    g_autofree char *text = json_to_string (node, FALSE);

    g_assert_null (strstr (text, FACE_EXAM));
  }

  fixture_teardown (&fx);
}

/* --- live proctoring (issue 6) -------------------------------------------- */

#define PROCTOR_EXAM "e2e-proctor"
#define PROCTOR_TOKEN "E2E-PROC-4F7Q"
#define PROCTOR_ID "11010519491231002X"

/* Login, device page, waiting room, entry: returns the session id. @before_entry runs in
 * the waiting room (the session's folder exists then). */
static char *
proctor_enter (Fixture    *fx,
               JsonObject *exam,
               void      (*before_entry) (Fixture *, const char *))
{
  g_autoptr(GVariant) status = NULL;
  g_autofree char *session_id = NULL;

  login (fx, "formal", PROCTOR_TOKEN, PROCTOR_ID);
  g_variant_unref (ek_test_kiosk_wait_for (fx->kiosk, "page", "device", WAIT_DEFAULT_MS));
  ek_test_kiosk_activate_on_page (fx->kiosk, "devices.confirm");
  status = ek_test_kiosk_wait_for (fx->kiosk, "page", "waiting", WAIT_DEFAULT_MS);
  session_id = ek_test_kiosk_status_string (status, "session-id");
  g_assert_cmpstr (session_id, !=, "");
  if (before_entry != NULL)
    before_entry (fx, session_id);
  ek_test_sleep_until_ms (json_object_get_int_member (exam, "starts_ms") + 200);
  g_variant_unref (ek_test_kiosk_enter_exam (fx->kiosk));
  return g_steal_pointer (&session_id);
}

/* The one event of @type with data state @state; asserts there is exactly one. */
static JsonObject *
server_event (Fixture    *fx,
              const char *session_id,
              const char *type,
              const char *state)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (fx->server, session_id);
  JsonArray *events = json_object_get_array_member (session, "events");
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      JsonObject *data = json_object_get_object_member (event, "data");

      if (g_strcmp0 (json_object_get_string_member (event, "type"), type) != 0 ||
          data == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (data, "state", ""), state) != 0)
        continue;
      g_assert_null (found);
      found = event;
    }
  g_assert_nonnull (found);
  return json_object_ref (found);
}

static guint
count_snapshots (Fixture    *fx,
                 const char *session_id,
                 const char *source)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (fx->server, session_id);
  JsonArray *snapshots = json_object_get_array_member (session, "snapshots");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (snapshots); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (snapshots, i), "source"),
                   source) == 0)
      n++;
  return n;
}

/* The camera shows a test pattern: nobody in the seat. The candidate is told at once,
 * face_absent reaches the server with its start and (when the exam ends) its duration,
 * and a snapshot_request is answered with the camera and the recorded screen. */
static void
test_proctor (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autofree char *session_id = NULL;
  gint64 deadline;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, PROCTOR_EXAM);
  g_unsetenv ("EK_TEST_CAMERA_FILE");
  ek_test_kiosk_start (fx.kiosk);
  session_id = proctor_enter (&fx, exam, NULL);

  /* face_absent_s is 2: the notice comes within a few frames. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "signal", "We can't see your face.", WAIT_DEFAULT_MS));
  wait_for_server_events (&fx, session_id, "face_absent", "state", "started", 1);

  ek_test_server_send_message (fx.server, session_id, "snapshot_request", "");
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count_snapshots (&fx, session_id, "camera") < 1 || count_snapshots (&fx, session_id, "screen") < 1)
    {
      int wait_status = 0;

      if (waitpid (fx.kiosk->pid, &wait_status, WNOHANG) == fx.kiosk->pid)
        {
          fx.kiosk->running = FALSE;
          ek_test_kiosk_show_log (fx.kiosk);
          g_error ("exam-kiosk has gone while sending the snapshots (wait status 0x%x)", wait_status);
        }
      if (g_get_monotonic_time () > deadline)
        {
          ek_test_kiosk_show_log (fx.kiosk);
          g_error ("No camera and screen snapshot reached the server after snapshot_request");
        }
      ek_test_sleep_ms (200);
    }
  wait_for_server_events (&fx, session_id, "snapshot_sent", "trigger", "request", 2);
  g_assert_cmpuint (count_server_events (&fx, session_id, "snapshot_sent", "source", "screen"), ==, 1);

  /* The signal lasts until the exam ends; then it ends with its duration. */
  g_variant_unref (ek_test_kiosk_wait_for (fx.kiosk, "page", "finish", 60000));
  wait_for_server_events (&fx, session_id, "face_absent", "state", "ended", 1);
  started = server_event (&fx, session_id, "face_absent", "started");
  ended = server_event (&fx, session_id, "face_absent", "ended");
  /* Both carry the moment the seat was found empty; only the end has a duration. */
  g_assert_cmpint (json_object_get_int_member (started, "client_ms"), ==,
                   json_object_get_int_member (ended, "client_ms"));
  g_assert_true (!json_object_has_member (started, "duration_ms") ||
                 json_object_get_null_member (started, "duration_ms") ||
                 json_object_get_int_member (started, "duration_ms") < 0);
  g_assert_cmpint (json_object_get_int_member (ended, "duration_ms"), >=, 10000);
  g_assert_cmpint (json_object_get_int_member (ended, "client_ms"), >=,
                   json_object_get_int_member (exam, "starts_ms"));
  /* One signal, one start and one end: the violation watcher does not log it again. */
  g_assert_cmpuint (count_server_events (&fx, session_id, "face_absent", NULL, NULL), ==, 2);

  fixture_teardown (&fx);
}

/* What the identity check would have kept: the picture the camera shows. */
static void
keep_astronaut_reference (Fixture    *fx,
                          const char *session_id)
{
  g_autoptr(EkVideoFrame) frame = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (fx->kiosk->data_dir, "sessions", session_id, "proctor", NULL);
  g_autofree char *path = g_build_filename (dir, "reference.jpg", NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  frame = ek_face_test_load_image ("astronaut.png", 512, 512);
  jpeg = ek_jpeg_encode (frame, &error);
  g_assert_no_error (error);
  g_assert_no_errno (g_mkdir_with_parents (dir, 0700));
  g_file_set_contents (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), &error);
  g_assert_no_error (error);
}

/* One face, still, the whole exam: no signal fires and the candidate sees no notice (the
 * astronaut, letterboxed into the 16:9 camera picture, is 19% of its height: the exam's
 * policy asks for 15%, where the built-in 20% would rightly call it too small); the
 * resemblance with the identity check's picture is logged. The identity re-check fails
 * (the exam has no registered photo) twice, which is an identity_mismatch violation; the
 * proctor's release confirms the candidate; then the server matches again. */
static void
test_proctor_clean (void)
{
  Fixture fx = { 0 };
  g_autoptr(JsonObject) exam = NULL;
  g_autoptr(JsonObject) session = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *picture = ek_face_test_data ("astronaut.png");
  const char *signal_types[] = { "face_absent", "multiple_faces", "face_not_visible", "voice",
                                 "camera_covered" };
  gboolean confirmed = FALSE;
  guint n_status = 0;
  JsonArray *events;
  gint64 best = -1;

  fixture_setup (&fx);
  exam = ek_test_server_get_exam (fx.server, PROCTOR_EXAM);
  g_setenv ("EK_TEST_CAMERA_FILE", picture, TRUE);
  ek_test_kiosk_start (fx.kiosk);
  g_unsetenv ("EK_TEST_CAMERA_FILE");
  session_id = proctor_enter (&fx, exam, keep_astronaut_reference);

  /* Until the exam ends, the notice never shows. */
  for (;;)
    {
      g_autoptr(GVariant) status = ek_test_kiosk_get_status (fx.kiosk);
      g_autofree char *page = ek_test_kiosk_status_string (status, "page");
      g_autofree char *signal = ek_test_kiosk_status_string (status, "signal");

      g_assert_cmpstr (signal, ==, "");
      n_status++;
      if (g_str_equal (page, "finish"))
        break;

      if (!confirmed &&
          count_server_events (&fx, session_id, "identity_recheck", "result", "no_match") >= 2)
        {
          wait_for_server_events (&fx, session_id, "escalation", "violation", "identity_mismatch", 1);
          ek_test_server_send_message (fx.server, session_id, "release", "");
          wait_for_server_events (&fx, session_id, "identity_confirmed", "by", "proctor", 1);
          /* The escalation's warning is lifted by the same release: no dead end. */
          wait_for_server_events (&fx, session_id, "escalation_cleared", "to", "none", 1);
          ek_test_server_set_faults (fx.server, "{\"face_result\": \"match\"}");
          confirmed = TRUE;
        }
      ek_test_sleep_ms (200);
    }
  g_assert_true (confirmed);
  g_assert_cmpuint (n_status, >, 20);
  wait_for_server_events (&fx, session_id, "identity_recheck", "result", "match", 1);

  for (guint i = 0; i < G_N_ELEMENTS (signal_types); i++)
    g_assert_cmpuint (count_server_events (&fx, session_id, signal_types[i], NULL, NULL), ==, 0);

  /* The resemblance, per mille: the same face, scaled and re-encoded. */
  session = ek_test_server_get_session (fx.server, session_id);
  events = json_object_get_array_member (session, "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "type"), "face_similarity"))
        best = MAX (best, json_object_get_int_member (json_object_get_object_member (event, "data"),
                                                      "score_pm"));
    }
  g_test_message ("best resemblance: %" G_GINT64_FORMAT " per mille", best);
  g_assert_cmpint (best, >, 500);
  g_assert_cmpint (best, <=, 1000);

  fixture_teardown (&fx);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_printerr ("No display or session bus: run through meson test (tests/run-headless.sh)\n");
      return 77;
    }

  g_test_add_func ("/e2e/interview", test_interview);
  g_test_add_func ("/e2e/written", test_written);
  g_test_add_func ("/e2e/second-view-waived", test_second_view_waived);
  g_test_add_func ("/e2e/crash", test_crash);
  g_test_add_func ("/e2e/practice-written", test_practice_written);
  g_test_add_func ("/e2e/lockdown", test_lockdown);
  g_test_add_func ("/e2e/lockdown-forced", test_lockdown_forced);
  g_test_add_func ("/e2e/exam-session", test_exam_session);
  g_test_add_func ("/e2e/late-answers", test_late_answers);
  g_test_add_func ("/e2e/device-check", test_device_check);
  g_test_add_func ("/e2e/face-login", test_face_login);
  g_test_add_func ("/e2e/face-login-refused", test_face_login_refused);
  g_test_add_func ("/e2e/proctor", test_proctor);
  g_test_add_func ("/e2e/proctor-clean", test_proctor_clean);

  return g_test_run ();
}
