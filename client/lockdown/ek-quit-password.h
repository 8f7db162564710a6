/* ek-quit-password.h: the technician's way out of a locked-down exam
 *
 * A salted PBKDF2-HMAC-SHA256 hash ("pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64"), from
 * the deployment's configuration ([lockdown] quit-password-hash) or else the exam's
 * lockdown policy; wrong guesses are rate-limited.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_QUIT_PASSWORD_ERROR (ek_quit_password_error_quark ())

typedef enum
{
  EK_QUIT_PASSWORD_ERROR_WRONG,
  EK_QUIT_PASSWORD_ERROR_RATE_LIMITED,
  EK_QUIT_PASSWORD_ERROR_NOT_SET,
  EK_QUIT_PASSWORD_ERROR_MALFORMED,
} EkQuitPasswordError;

GQuark   ek_quit_password_error_quark (void);

void     ek_pbkdf2_hmac_sha256        (const guint8  *password,
                                       gsize          password_len,
                                       const guint8  *salt,
                                       gsize          salt_len,
                                       guint          iterations,
                                       guint8        *out,
                                       gsize          out_len);
char    *ek_quit_password_hash        (const char    *password,
                                       guint          iterations);
gboolean ek_quit_password_verify      (const char    *encoded,
                                       const char    *password,
                                       GError       **error);

#define EK_TYPE_QUIT_GATE (ek_quit_gate_get_type ())

G_DECLARE_FINAL_TYPE (EkQuitGate, ek_quit_gate, EK, QUIT_GATE, GObject)

EkQuitGate *ek_quit_gate_new           (const char          *encoded_hash);
void        ek_quit_gate_check_async   (EkQuitGate          *self,
                                        const char          *password,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    ek_quit_gate_check_finish  (EkQuitGate          *self,
                                        GAsyncResult        *result,
                                        GError             **error);
gint64      ek_quit_gate_get_wait_ms   (EkQuitGate          *self);

G_END_DECLS
