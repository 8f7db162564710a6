/* test-proctor-channel.c: the proctor's messages are obeyed by the engine alone
 *
 * No GTK here, no page: an engine in its exam stage against the reference server
 * receives the proctor's chat and warning (acknowledged and logged), answers a
 * snapshot_request with a camera snapshot, opens a locked screen on release, and ends
 * the exam on end_exam.
 */

#include "config.h"

#include <locale.h>

#include "ek-engine.h"
#include "ek-test-server.h"

#define TOKEN  "CHANNEL-7K2P"
#define ID     "11010519491231002X"

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
  /* What the engine still finishes (its last callbacks) lets go of the config. */
  for (guint i = 0; i < 100 && G_OBJECT (f->config)->ref_count > 1; i++)
    ek_test_sleep_ms (100);
  g_assert_finalize_object (f->config);
  ek_test_server_stop (f->server);
  ek_test_remove_tree (f->data_dir);
  g_free (f->data_dir);
}

static void
step_ok (EkEngine *engine,
         void    (*start) (EkEngine *, GAsyncResult **))
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  start (engine, &result);
  g_assert_true (ek_engine_step_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
}

static void
answer_pledge (EkEngine      *engine,
               GAsyncResult **result)
{
  ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, result);
}

static void
confirm_devices (EkEngine      *engine,
                 GAsyncResult **result)
{
  ek_engine_complete_step_async (engine, EK_STEP_DEVICE_CONFIRM, NULL, ek_test_result_cb, result);
}

static void
enter (EkEngine      *engine,
       GAsyncResult **result)
{
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, result);
}

/* The server's count of the session's events of @type. */
static guint
count_server_events (Fixture    *f,
                     const char *session_id,
                     const char *type)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server, session_id);
  JsonArray *events = json_object_get_array_member (session, "events");
  guint n = 0;

  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (events, i), "type"),
                   type) == 0)
      n++;
  return n;
}

static void
wait_for_server_event (Fixture    *f,
                       const char *session_id,
                       const char *type)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (count_server_events (f, session_id, type) < 1)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The server has no %s event", type);
      ek_test_sleep_ms (200);
    }
}

static guint
count_camera_snapshots (Fixture    *f,
                        const char *session_id)
{
  g_autoptr(JsonObject) session = ek_test_server_get_session (f->server, session_id);
  JsonArray *snapshots = json_object_get_array_member (session, "snapshots");
  guint n = 0;

  for (guint i = 0; snapshots != NULL && i < json_array_get_length (snapshots); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (snapshots, i), "source"),
                   "camera") == 0)
      n++;
  return n;
}

typedef struct
{
  char     *chat;
  guint     n_released;
  guint     n_ended;
} Seen;

static void
on_chat_received_cb (EkProctorChannel *channel,
                     const char       *text,
                     gint64            sent_ms,
                     Seen             *seen)
{
  g_free (seen->chat);
  seen->chat = g_strdup (text);
}

static void
on_released_cb (EkProctorChannel *channel,
                Seen             *seen)
{
  seen->n_released++;
}

static void
on_ended_cb (EkProctorChannel *channel,
             Seen             *seen)
{
  seen->n_ended++;
}

static gboolean
has_chat (gpointer data)
{
  return ((Seen *) data)->chat != NULL;
}

static gboolean
has_warning (gpointer data)
{
  return ek_proctor_channel_get_warning (data) != NULL;
}

static gboolean
is_released (gpointer data)
{
  return ((Seen *) data)->n_released > 0;
}

static gboolean
is_past_exam (gpointer data)
{
  return ek_session_get_stage (data) != EK_SESSION_STAGE_EXAM;
}

static gboolean
is_finished (gpointer data)
{
  return ek_session_get_stage (data) == EK_SESSION_STAGE_FINISHED;
}

static void
test_obeyed_without_page (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(EkEngine) engine = ek_engine_new (f->config);
  g_autoptr(EkViolationTracker) tracker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  EkSession *session = ek_engine_get_session (engine);
  EkProctorChannel *channel;
  EkExamProctor *proctor;
  Seen seen = { 0 };
  gint64 deadline;

  ek_engine_login_async (engine, TOKEN, ID, NULL, ek_test_result_cb, &result);
  g_assert_true (ek_engine_login_finish (engine, ek_test_wait (&result), &error));
  g_assert_no_error (error);
  session_id = g_strdup (ek_engine_get_session_id (engine));

  /* The lockdown's tracker, as the window would hand it over. */
  tracker = ek_violation_tracker_new (ek_exam_get_lockdown_policy (ek_session_get_exam (session)));
  ek_engine_watch_violations (engine, tracker);

  g_assert_null (ek_engine_get_proctor_channel (engine));
  step_ok (engine, answer_pledge);
  step_ok (engine, confirm_devices);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_WAITING);
  g_assert_null (ek_engine_get_proctor_channel (engine));
  step_ok (engine, enter);
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_EXAM);

  channel = ek_engine_get_proctor_channel (engine);
  g_assert_nonnull (channel);
  g_signal_connect (channel, "chat-received", G_CALLBACK (on_chat_received_cb), &seen);
  g_signal_connect (channel, "released", G_CALLBACK (on_released_cb), &seen);
  g_signal_connect (channel, "ended", G_CALLBACK (on_ended_cb), &seen);

  /* Chat: handed on for the Help panel. */
  ek_test_server_send_message (f->server, session_id, "chat", "Your microphone is muted.");
  ek_test_wait_for_predicate (has_chat, &seen, 20000, "the proctor's chat");
  g_assert_cmpstr (seen.chat, ==, "Your microphone is muted.");
  /* Kept for a page made later (a re-entered exam). */
  g_assert_cmpuint (ek_proctor_channel_get_chat (channel)->len, ==, 1);

  /* A warning: held until acknowledged, both ends in the event log. */
  ek_test_server_send_message (f->server, session_id, "warning", "Please look at the screen.");
  ek_test_wait_for_predicate (has_warning, channel, 20000, "the proctor's warning");
  g_assert_cmpstr (json_object_get_string_member (ek_proctor_channel_get_warning (channel), "text"),
                   ==, "Please look at the screen.");
  ek_proctor_channel_warning_shown (channel);
  ek_proctor_channel_acknowledge_warning (channel);
  g_assert_null (ek_proctor_channel_get_warning (channel));
  wait_for_server_event (f, session_id, "warning_received");
  wait_for_server_event (f, session_id, "warning_acknowledged");

  proctor = ek_engine_get_proctor (engine);
  if (proctor == NULL)
    {
      /* ek_exam_proctor_new() found no face detection: nothing to release or snap. */
      g_test_incomplete ("Live proctoring is not available (GStreamer's facedetect)");
    }
  else
    {
      /* snapshot_request: a camera snapshot reaches the server. Asked again while the
       * test source's first frames are still on their way. */
      deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
      while (ek_exam_proctor_get_n_snapshots_sent (proctor) < 1)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("No snapshot was sent after snapshot_request");
          ek_test_server_send_message (f->server, session_id, "snapshot_request", "");
          ek_test_sleep_ms (4000);
        }
      g_assert_cmpuint (count_camera_snapshots (f, session_id), >=, 1);
      wait_for_server_event (f, session_id, "snapshot_sent");

      /* release: a screen the escalation locked opens again. */
      ek_violation_tracker_record (tracker, "monitor_added", "test");
      g_assert_cmpint (ek_violation_tracker_get_step (tracker), ==, EK_ESCALATION_LOCKED);
      ek_test_server_send_message (f->server, session_id, "release", "");
      ek_test_wait_for_predicate (is_released, &seen, 20000, "the proctor's release");
      g_assert_cmpint (ek_violation_tracker_get_step (tracker), !=, EK_ESCALATION_LOCKED);
    }

  /* end_exam: the exam ends at once, forced by the proctor (finishing: the recording
   * and the answers stay); the channel goes. */
  ek_test_server_send_message (f->server, session_id, "end_exam", "");
  ek_test_wait_for_predicate (is_past_exam, session, 20000, "the forced end");
  g_assert_cmpint (ek_session_get_stage (session), ==, EK_SESSION_STAGE_FINISHING);
  g_assert_true (ek_session_get_state (session)->ended);
  g_assert_cmpint (ek_session_get_state (session)->end_reason, ==, EK_END_REASON_FORCED_BY_PROCTOR);
  g_assert_cmpuint (seen.n_ended, ==, 1);
  g_assert_null (ek_engine_get_proctor_channel (engine));

  /* The recording and the events reach the server: nothing holds the engine after. */
  ek_test_wait_for_predicate (is_finished, session, 90000, "the finished session");
  ek_engine_watch_violations (engine, NULL);
  g_free (seen.chat);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/proctor-channel/obeyed-without-page", Fixture, NULL,
              fixture_set_up, test_obeyed_without_page, fixture_tear_down);

  return g_test_run ();
}
