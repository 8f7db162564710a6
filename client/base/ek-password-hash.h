/* ek-password-hash.h: the form of a stored password hash
 * ("pbkdf2-sha256$ITERATIONS$SALT$HASH") */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EK_PASSWORD_HASH_MIN_ITERATIONS 1000
#define EK_PASSWORD_HASH_MAX_ITERATIONS 10000000

gboolean ek_password_hash_parse    (const char  *encoded,
                                    guint64     *iterations,
                                    guint8     **salt,
                                    gsize       *salt_len,
                                    guint8     **expected,
                                    gsize       *expected_len);
gboolean ek_password_hash_is_valid (const char  *encoded);

G_END_DECLS
