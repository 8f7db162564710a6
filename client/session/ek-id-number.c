/* ek-id-number.c: the PRC resident identity card number, checked before it is sent */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-id-number.h"

G_DEFINE_QUARK (ek-id-number-error-quark, ek_id_number_error)

/* ISO 7064 MOD 11-2: weight of position i is 2^(17 - i) mod 11. */
static const guint weights[EK_ID_NUMBER_LENGTH - 1] = {
  7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
};
static const char check_characters[] = "10X98765432";

/**
 * ek_id_number_normalize:
 * @text: what the candidate typed
 *
 * Drops spaces (people type the number in groups, as printed on the card) and
 * turns a lower-case "x" into "X".
 *
 * Returns: (transfer full): the number as the server expects it
 */
char *
ek_id_number_normalize (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      g_string_append_c (out, *p == 'x' ? 'X' : *p);
    }

  return g_string_free (out, FALSE);
}

/**
 * ek_id_number_check_character:
 * @first17: at least 17 ASCII digits
 *
 * Returns: the check character that belongs to @first17, or '\0' if they are
 *   not 17 digits
 */
char
ek_id_number_check_character (const char *first17)
{
  guint sum = 0;

  g_return_val_if_fail (first17 != NULL, '\0');

  for (guint i = 0; i < G_N_ELEMENTS (weights); i++)
    {
      if (!g_ascii_isdigit (first17[i]))
        return '\0';
      sum += (guint) (first17[i] - '0') * weights[i];
    }

  return check_characters[sum % 11];
}

static gboolean
birth_date_is_valid (const char *id_number)
{
  char digits[9];
  guint64 year, month, day;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  memcpy (digits, id_number + 6, 4);
  digits[4] = '\0';
  year = g_ascii_strtoull (digits, NULL, 10);
  memcpy (digits, id_number + 10, 2);
  digits[2] = '\0';
  month = g_ascii_strtoull (digits, NULL, 10);
  memcpy (digits, id_number + 12, 2);
  digits[2] = '\0';
  day = g_ascii_strtoull (digits, NULL, 10);

  if (year < 1900 || year > (guint64) g_date_time_get_year (now))
    return FALSE;
  if (month < 1 || month > 12 || day < 1)
    return FALSE;

  return day <= g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year);
}

/**
 * ek_id_number_validate:
 * @id_number: a normalized number (see ek_id_number_normalize())
 *
 * Returns: %TRUE if @id_number is a well-formed resident ID number; otherwise
 *   %FALSE with a translated message that says what is wrong
 */
gboolean
ek_id_number_validate (const char  *id_number,
                       GError     **error)
{
  gsize length;
  char expected;

  g_return_val_if_fail (id_number != NULL, FALSE);

  length = strlen (id_number);
  if (length == 0)
    {
      g_set_error_literal (error, EK_ID_NUMBER_ERROR, EK_ID_NUMBER_ERROR_EMPTY,
                           _("Please enter your ID number."));
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      gboolean last = i == EK_ID_NUMBER_LENGTH - 1;

      if (!g_ascii_isdigit (id_number[i]) && !(last && id_number[i] == 'X'))
        {
          g_set_error_literal (error, EK_ID_NUMBER_ERROR, EK_ID_NUMBER_ERROR_CHARACTERS,
                               _("An ID number has only digits, and the last character may be X."));
          return FALSE;
        }
    }

  if (length != EK_ID_NUMBER_LENGTH)
    {
      g_set_error (error, EK_ID_NUMBER_ERROR, EK_ID_NUMBER_ERROR_LENGTH,
                   /* Translators: %u is how many characters were typed */
                   _("An ID number has 18 characters; you entered %u."),
                   (guint) length);
      return FALSE;
    }

  if (!birth_date_is_valid (id_number))
    {
      g_set_error_literal (error, EK_ID_NUMBER_ERROR, EK_ID_NUMBER_ERROR_DATE,
                           _("Characters 7 to 14 of an ID number are the date of birth, "
                             "and they do not form a valid date. Please check them."));
      return FALSE;
    }

  expected = ek_id_number_check_character (id_number);
  if (expected != id_number[EK_ID_NUMBER_LENGTH - 1])
    {
      g_set_error_literal (error, EK_ID_NUMBER_ERROR, EK_ID_NUMBER_ERROR_CHECKSUM,
                           _("This ID number is not valid: its last character does not match "
                             "the others. Please check every digit against your ID card."));
      return FALSE;
    }

  return TRUE;
}
