/* test-stepper.c: one count of the steps before the exam, whatever the exam requires */

#include "config.h"

#include <gtk/gtk.h>

#include "ek-stepper.h"
#include "ek-test-exam.h"

#define T0 G_GINT64_CONSTANT (1795000000000)

static EkExam *
exam_with_steps (const char *steps)
{
  g_autofree char *json = ek_test_exam_json (T0, "formal", steps);
  g_autoptr(JsonObject) object = ek_test_parse_object (json);
  g_autoptr(GError) error = NULL;
  EkExam *exam = ek_exam_new_from_json (object, &error);

  g_assert_no_error (error);
  return exam;
}

/* Every page of a run: its number in order, and one total. */
static void
assert_count (EkExam             *exam,
              const char * const *pages)
{
  guint n = g_strv_length ((char **) pages);

  for (guint i = 0; i < n; i++)
    {
      guint index = 0;
      guint total = 0;

      g_assert_true (ek_stepper_locate (exam, pages[i], &index, &total));
      g_assert_cmpuint (index, ==, i + 1);
      g_assert_cmpuint (total, ==, n);
    }
}

static void
test_counts (void)
{
  const char * const none[] = { "confirm", "pledge", "device", "waiting", NULL };
  const char * const some[] = { "confirm", "pledge", "second-view", "draw", "device", "waiting", NULL };
  const char * const all[] = { "confirm", "pledge", "face-check", "second-view", "room-scan",
                               "paper-check", "draw", "attachments", "device", "waiting", NULL };
  g_autoptr(EkExam) bare = exam_with_steps ("{}");
  g_autoptr(EkExam) partial = exam_with_steps ("{ \"second_view\": true, \"draw\": true }");
  g_autoptr(EkExam) full = exam_with_steps ("{ \"face_check\": true, \"second_view\": true, "
                                            "\"room_scan\": true, \"paper_check\": true, "
                                            "\"draw\": true, \"attachments\": true }");

  assert_count (bare, none);
  assert_count (partial, some);
  assert_count (full, all);

  /* A step the exam skips, and pages that are no step, are not counted. */
  g_assert_false (ek_stepper_locate (partial, "room-scan", NULL, NULL));
  g_assert_false (ek_stepper_locate (partial, "login", NULL, NULL));
  g_assert_false (ek_stepper_locate (partial, "exam", NULL, NULL));
  g_assert_false (ek_stepper_locate (partial, NULL, NULL, NULL));
}

static void
test_pages_for_steps (void)
{
  g_assert_cmpstr (ek_stepper_page_for_step (EK_STEP_PLEDGE), ==, "pledge");
  g_assert_cmpstr (ek_stepper_page_for_step (EK_STEP_SECOND_VIEW), ==, "second-view");
  g_assert_cmpstr (ek_stepper_page_for_step (EK_STEP_PAPER_CHECK), ==, "paper-check");
  g_assert_cmpstr (ek_stepper_page_for_step (EK_STEP_DEVICE_CONFIRM), ==, "device");
  g_assert_cmpstr (ek_stepper_page_for_step (EK_STEP_NONE), ==, "device");
}

static void
test_widget (void)
{
  g_autoptr(EkExam) exam = exam_with_steps ("{ \"room_scan\": true }");
  GtkWidget *stepper = g_object_ref_sink (ek_stepper_new ());

  g_assert_true (ek_stepper_show_page (EK_STEPPER (stepper), exam, "room-scan"));
  g_assert_true (gtk_widget_get_visible (stepper));
  g_assert_cmpstr (ek_stepper_get_caption (EK_STEPPER (stepper)), ==, "Step 3 of 5: Your room");

  g_assert_false (ek_stepper_show_page (EK_STEPPER (stepper), exam, "exam"));
  g_assert_false (gtk_widget_get_visible (stepper));
  g_assert_null (ek_stepper_get_caption (EK_STEPPER (stepper)));
  g_assert_false (ek_stepper_show_page (EK_STEPPER (stepper), NULL, "pledge"));

  g_object_unref (stepper);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LANGUAGE", "en", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stepper/counts", test_counts);
  g_test_add_func ("/stepper/pages-for-steps", test_pages_for_steps);
  g_test_add_func ("/stepper/widget", test_widget);

  return g_test_run ();
}
