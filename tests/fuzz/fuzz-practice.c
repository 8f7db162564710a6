/* fuzz-practice.c: the practice bundle (client/practice), read, translated, built into
 * an exam and walked through its steps and questions as a practice run does */

#include "config.h"

#include "ek-fuzz.h"
#include "ek-practice.h"
#include "ek-server-clock.h"

static const char * const languages_zh[] = { "zh_CN.UTF-8", "zh_CN", "zh", "C", NULL };
static const char * const languages_en[] = { "en_GB", "C", NULL };

static void
run_practice (JsonObject *entry)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  g_autoptr(EkSession) session = ek_session_new (clock);
  g_autoptr(EkPractice) practice = NULL;
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(GError) error = NULL;

  practice = ek_practice_new (entry, &error);
  /* The bundle checked every entry as ek_practice_new() does. */
  if (practice == NULL)
    {
      fprintf (stderr, "an entry of a loaded bundle refused: %s\n", error->message);
      abort ();
    }

  ek_practice_get_candidate (practice);
  ek_practice_get_attachments (practice);
  exam = ek_practice_build_exam (practice, 1700000000000, NULL);
  g_clear_object (&exam);
  exam = ek_practice_build_exam (practice, G_MAXINT64 / 2, NULL);

  if (!ek_practice_start (practice, session, NULL))
    return;

  ek_practice_answer_pledge (practice, TRUE, NULL);
  for (guint step = 0; step < EK_N_STEPS; step++)
    ek_practice_complete_step (practice, step, NULL);
  ek_practice_enter (practice, NULL);
  for (guint phase = 0; phase < 4; phase++)
    {
      JsonArray *questions = ek_practice_get_questions (practice, phase);

      if (questions != NULL)
        json_array_unref (questions);
    }
  ek_practice_submit (practice, NULL);
  ek_practice_leave (practice);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  const char * const *languages = size % 2 ? languages_zh : languages_en;
  g_autoptr(JsonArray) practices = NULL;

  practices = ek_practice_load_bundle (bytes, languages, NULL);
  if (practices == NULL)
    return 0;

  for (guint i = 0; i < json_array_get_length (practices) && i < 4; i++)
    run_practice (json_array_get_object_element (practices, i));

  return 0;
}
