/* test-id-number.c: the resident ID number checked before login */

#include "config.h"

#include "ek-id-number.h"

static void
test_valid (void)
{
  /* The reference server's sample candidates: real check characters, X included. */
  const char * const valid[] = {
    "11010519491231002X", "110105199003071239", "310115198805122048", "440305199508153018",
    "320502199201014050", "110108200002293117",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (ek_id_number_validate (valid[i], &error));
      g_assert_no_error (error);
      g_assert_cmpint (ek_id_number_check_character (valid[i]), ==, valid[i][17]);
    }
}

static void
test_invalid (void)
{
  const struct { const char *text; EkIdNumberError code; } cases[] = {
    { "", EK_ID_NUMBER_ERROR_EMPTY },
    { "11010519491231002", EK_ID_NUMBER_ERROR_LENGTH },
    { "11010519491231002X1", EK_ID_NUMBER_ERROR_LENGTH },
    { "1101051949123100XX", EK_ID_NUMBER_ERROR_CHARACTERS },
    { "11010519491231002A", EK_ID_NUMBER_ERROR_CHARACTERS },
    { "110105194912310021", EK_ID_NUMBER_ERROR_CHECKSUM },
    { "110105199003071238", EK_ID_NUMBER_ERROR_CHECKSUM },
    /* 30 February, month 13, year 1800 */
    { "110105199002301234", EK_ID_NUMBER_ERROR_DATE },
    { "110105199013011234", EK_ID_NUMBER_ERROR_DATE },
    { "110105180001011234", EK_ID_NUMBER_ERROR_DATE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ek_id_number_validate (cases[i].text, &error));
      g_assert_error (error, EK_ID_NUMBER_ERROR, (int) cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_leap_day (void)
{
  g_autofree char *number = NULL;
  char check;

  /* 29 February 2000 exists (a leap year, divisible by 400); 1900 had none. */
  check = ek_id_number_check_character ("11010820000229311");
  number = g_strdup_printf ("11010820000229311%c", check);
  g_assert_true (ek_id_number_validate (number, NULL));

  check = ek_id_number_check_character ("11010819000229311");
  g_free (number);
  number = g_strdup_printf ("11010819000229311%c", check);
  g_assert_false (ek_id_number_validate (number, NULL));
}

static void
test_normalize (void)
{
  g_autofree char *a = ek_id_number_normalize (" 110105 19491231 002x ");
  g_autofree char *b = ek_id_number_normalize ("110105199003071239");

  g_assert_cmpstr (a, ==, "11010519491231002X");
  g_assert_cmpstr (b, ==, "110105199003071239");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id-number/valid", test_valid);
  g_test_add_func ("/id-number/invalid", test_invalid);
  g_test_add_func ("/id-number/leap-day", test_leap_day);
  g_test_add_func ("/id-number/normalize", test_normalize);

  return g_test_run ();
}
