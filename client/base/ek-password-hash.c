/* ek-password-hash.c: the form of a stored password hash
 *
 * "pbkdf2-sha256$ITERATIONS$SALT$HASH": PBKDF2-HMAC-SHA256, salt and hash in base64
 * without padding (as PHC strings write them), iterations within bounds. Read by the
 * quit gate (lockdown/ek-quit-password.c) and checked when the configuration is read
 * ([lockdown] quit-password-hash), so both accept the same hashes.
 */

#include "config.h"

#include <string.h>

#include "ek-password-hash.h"

static guint8 *
decode_base64 (const char *text,
               gsize      *len)
{
  g_autoptr(GString) padded = g_string_new (text);

  /* The protocol writes base64 without padding, as the usual PHC strings do. */
  g_strdelimit (padded->str, "-", '+');
  g_strdelimit (padded->str, "_", '/');
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');

  for (const char *p = padded->str; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
        return NULL;
    }

  return g_base64_decode (padded->str, len);
}

/**
 * ek_password_hash_parse:
 * @salt: (out) (transfer full): the salt, or %NULL
 * @expected: (out) (transfer full): the hash, or %NULL
 *
 * Reads "pbkdf2-sha256$ITERATIONS$SALT$HASH", within the bounds this program accepts.
 *
 * Returns: whether @encoded is well formed; its parts are set either way and freed by
 *   the caller
 */
gboolean
ek_password_hash_parse (const char  *encoded,
                        guint64     *iterations,
                        guint8     **salt,
                        gsize       *salt_len,
                        guint8     **expected,
                        gsize       *expected_len)
{
  g_auto(GStrv) parts = g_strsplit (encoded, "$", -1);

  *salt = NULL;
  *expected = NULL;
  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "pbkdf2-sha256") ||
      !g_ascii_string_to_unsigned (parts[1], 10, EK_PASSWORD_HASH_MIN_ITERATIONS,
                                   EK_PASSWORD_HASH_MAX_ITERATIONS, iterations, NULL))
    return FALSE;

  *salt = decode_base64 (parts[2], salt_len);
  *expected = decode_base64 (parts[3], expected_len);

  return *salt != NULL && *salt_len > 0 && *expected != NULL &&
         *expected_len >= 16 && *expected_len <= 64;
}

/**
 * ek_password_hash_is_valid:
 *
 * Returns: whether @encoded is a hash the quit gate can check
 */
gboolean
ek_password_hash_is_valid (const char *encoded)
{
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  gsize salt_len = 0, expected_len = 0;
  guint64 iterations = 0;

  g_return_val_if_fail (encoded != NULL, FALSE);

  return ek_password_hash_parse (encoded, &iterations, &salt, &salt_len, &expected, &expected_len);
}
