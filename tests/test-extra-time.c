/* test-extra-time.c: extra time for one candidate (issue 17, item 4), suite `server`
 *
 * The exam tests/data/exams/extra-time.json ends 22 s after the server starts; its first
 * candidate has 8 s of extra time (the candidate's "extra_time_s"), the second none. Both
 * log in and enter through the engine. The server's deadlines are the source of truth:
 * the first candidate's exam definition ends 8 s later and the exam page counts down to
 * that end (the client adds nothing itself) and says that extra time is granted; the
 * second's page counts down to the common end and says nothing. Then, by the server's
 * clock: after the common end the server refuses the second candidate's answer and takes
 * the first's; after the extended end it refuses the first's too.
 */

#include "config.h"

#include <locale.h>

#include <gtk/gtk.h>

#include "ek-countdown.h"
#include "ek-engine.h"
#include "ek-exam-page.h"
#include "ek-test-server.h"

/* from the generated ek-resources.h (BUILDDIR/assets) */
void ek_register_resource (void);

#define TOKEN     "EXTRA-TIME-7K2P"
#define ID_EXTRA  "11010519491231002X"
#define ID_NORMAL "320502199201014050"
#define EXTRA_MS  8000

static void
wait_step (EkEngine      *engine,
           GAsyncResult **result)
{
  g_autoptr(GError) error = NULL;

  gboolean ok = ek_engine_step_finish (engine, ek_test_wait (result), &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_clear_object (result);
}

static EkEngine *
enter (EkConfig   *config,
       const char *id_number)
{
  EkEngine *engine = ek_engine_new (config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gboolean ok;

  ek_engine_login_async (engine, TOKEN, id_number, NULL, ek_test_result_cb, &result);
  ok = ek_engine_login_finish (engine, ek_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_clear_object (&result);

  ek_engine_answer_pledge_async (engine, TRUE, NULL, ek_test_result_cb, &result);
  wait_step (engine, &result);
  ek_engine_complete_step_async (engine, EK_STEP_DEVICE_CONFIRM, NULL, ek_test_result_cb, &result);
  wait_step (engine, &result);
  ek_engine_enter_async (engine, NULL, ek_test_result_cb, &result);
  wait_step (engine, &result);
  g_assert_cmpint (ek_session_get_stage (ek_engine_get_session (engine)), ==,
                   EK_SESSION_STAGE_EXAM);

  return engine;
}

static gint64
exam_end_ms (EkEngine *engine)
{
  EkExam *exam = ek_session_get_exam (ek_engine_get_session (engine));

  return ek_exam_get_phase (exam, ek_exam_get_n_phases (exam) - 1)->ends_ms;
}

static void
find_widgets (GtkWidget    *widget,
              EkCountdown **countdown,
              GtkLabel    **extra_label)
{
  if (EK_IS_COUNTDOWN (widget))
    *countdown = EK_COUNTDOWN (widget);
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) &&
      g_str_has_prefix (gtk_label_get_label (GTK_LABEL (widget)), "Extra time granted"))
    *extra_label = GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    find_widgets (child, countdown, extra_label);
}

/* What the exam page shows: the countdown's deadline and time left, the extra-time note. */
static void
check_page (EkEngine   *engine,
            gint64      expected_end_ms,
            const char *expected_note)
{
  GtkWidget *page = g_object_ref_sink (ek_exam_page_new (engine));
  EkServerClock *clock = ek_engine_get_clock (engine);
  EkCountdown *countdown = NULL;
  GtkLabel *extra_label = NULL;
  g_autofree char *shown = NULL;
  gint64 remaining;
  gint64 expected_remaining;

  find_widgets (page, &countdown, &extra_label);
  g_assert_nonnull (countdown);
  g_assert_cmpint (ek_countdown_get_deadline_ms (countdown), ==, expected_end_ms);
  remaining = ek_countdown_get_remaining_ms (countdown);
  expected_remaining = ek_server_clock_ms_until (clock, expected_end_ms);
  shown = ek_countdown_format (remaining);
  g_test_message ("countdown: %s left (%" G_GINT64_FORMAT " ms)", shown, remaining);
  g_assert_cmpint (ABS (remaining - expected_remaining), <, 500);
  if (expected_note != NULL)
    {
      g_assert_nonnull (extra_label);
      g_assert_cmpstr (gtk_label_get_label (extra_label), ==, expected_note);
    }
  else if (extra_label != NULL)
    g_error ("unexpected: “%s”", gtk_label_get_label (extra_label));

  gtk_widget_unparent (page);
  g_object_unref (page);
}

/* Saves an answer now (server time) and returns the server's refusal, if any. */
static GError *
put_answer (EkEngine *engine,
            gint64    revision)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  GError *error = NULL;

  json_node_set_string (value, "b");
  ek_api_client_put_answer_async (ek_engine_get_api (engine), "w1", revision, value,
                                  ek_server_clock_now_ms (ek_engine_get_clock (engine)),
                                  NULL, ek_test_result_cb, &result);
  if (ek_api_client_put_answer_finish (ek_engine_get_api (engine), ek_test_wait (&result),
                                       NULL, NULL, &error))
    g_assert_no_error (error);
  return error;
}

static void
sleep_until (EkEngine *engine,
             gint64    server_ms)
{
  gint64 wait = ek_server_clock_ms_until (ek_engine_get_clock (engine), server_ms);

  if (wait > 0)
    ek_test_sleep_ms ((guint) wait);
}

/* Refused because the candidate's time is over: `exam_over`, or, when the engine's own
 * countdown reached the end first and finished the exam, the session that is closed. */
static void
assert_time_over (GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == EK_API_ERROR);
  if (error->code != EK_API_ERROR_EXAM_OVER)
    g_assert_error (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION);
}

static void
test_extra_time (void)
{
  g_autoptr(EkTestServer) server = ek_test_server_start (NULL);
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(EkEngine) extra = NULL;
  g_autoptr(EkEngine) normal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  gint64 common_end;
  gint64 extended_end;

  conf = g_strdup_printf ("[server]\nurl=%s\n", ek_test_server_get_base_url (server));
  g_assert_true (ek_config_load_from_data (config, conf, -1, "test", &error));
  g_assert_no_error (error);

  extra = enter (config, ID_EXTRA);
  normal = enter (config, ID_NORMAL);

  /* The server's deadlines carry the extra time; the candidate record names it. */
  common_end = exam_end_ms (normal);
  extended_end = exam_end_ms (extra);
  g_assert_cmpint (extended_end - common_end, ==, EXTRA_MS);
  g_assert_cmpint (ek_candidate_get_extra_time_ms (ek_session_get_candidate (ek_engine_get_session (extra))),
                   ==, EXTRA_MS);
  g_assert_cmpint (ek_candidate_get_extra_time_ms (ek_session_get_candidate (ek_engine_get_session (normal))),
                   ==, 0);
  g_assert_cmpint (ek_server_clock_ms_until (ek_engine_get_clock (normal), common_end), >, 1000);

  /* The pages count down to each one's own end, from the server's deadlines. */
  check_page (extra, extended_end, "Extra time granted: 8 seconds");
  check_page (normal, common_end, NULL);

  /* Before the common end both are taken. */
  g_assert_null (put_answer (extra, 1));
  g_assert_null (put_answer (normal, 1));

  /* After the common end: the second candidate's time is over, the first's is not. */
  sleep_until (normal, common_end + 300);
  error = put_answer (normal, 2);
  assert_time_over (error);
  g_clear_error (&error);
  g_assert_null (put_answer (extra, 2));
  g_assert_cmpint (ek_server_clock_ms_until (ek_engine_get_clock (extra), extended_end), >, 0);

  /* After the extended end: over for the first candidate too. */
  sleep_until (extra, extended_end + 300);
  error = put_answer (extra, 3);
  assert_time_over (error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_setenv ("LANGUAGE", "en", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  ek_register_resource ();

  g_test_add_func ("/extra-time/deadlines-countdown-and-refusals", test_extra_time);

  return g_test_run ();
}
