/* ek-id-number.h: the PRC resident identity card number, checked before it is sent
 *
 * 18 characters: a 6-digit region code, the birth date as YYYYMMDD, a 3-digit
 * sequence and a check character (ISO 7064 MOD 11-2, "X" for 10). Checking it on
 * the computer tells a candidate about a typing mistake at once, instead of a
 * "wrong credentials" from the server that does not say which field is wrong.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EK_ID_NUMBER_ERROR (ek_id_number_error_quark ())

typedef enum
{
  EK_ID_NUMBER_ERROR_EMPTY,
  EK_ID_NUMBER_ERROR_LENGTH,
  EK_ID_NUMBER_ERROR_CHARACTERS,
  EK_ID_NUMBER_ERROR_DATE,
  EK_ID_NUMBER_ERROR_CHECKSUM,
} EkIdNumberError;

#define EK_ID_NUMBER_LENGTH 18

GQuark    ek_id_number_error_quark      (void);
char     *ek_id_number_normalize        (const char  *text);
char      ek_id_number_check_character  (const char  *first17);
gboolean  ek_id_number_validate         (const char  *id_number,
                                         GError     **error);

G_END_DECLS
