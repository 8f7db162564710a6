/* ek-quit-password.c: the technician's way out of a locked-down exam */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-password-hash.h"
#include "ek-quit-password.h"

#define FREE_ATTEMPTS         3
#define FIRST_WAIT_MS         (30 * 1000)
#define MAX_WAIT_MS           (10 * 60 * 1000)
#define SHA256_LEN            32

struct _EkQuitGate
{
  GObject  parent_instance;

  char    *encoded_hash;   /* owned; NULL: no quit password in this exam */
  guint    failures;
  gint64   blocked_until;  /* monotonic µs */
  gboolean checking;
};

G_DEFINE_FINAL_TYPE (EkQuitGate, ek_quit_gate, G_TYPE_OBJECT)

G_DEFINE_QUARK (ek-quit-password-error-quark, ek_quit_password_error)

/**
 * ek_pbkdf2_hmac_sha256:
 *
 * PBKDF2 (RFC 8018) with HMAC-SHA256, built on GHmac.
 */
void
ek_pbkdf2_hmac_sha256 (const guint8 *password,
                       gsize         password_len,
                       const guint8 *salt,
                       gsize         salt_len,
                       guint         iterations,
                       guint8       *out,
                       gsize         out_len)
{
  g_autoptr(GHmac) keyed = g_hmac_new (G_CHECKSUM_SHA256, password, password_len);
  guint32 block = 1;

  for (gsize done = 0; done < out_len; block++)
    {
      guint8 u[SHA256_LEN];
      guint8 t[SHA256_LEN];
      guint8 counter[4] = { block >> 24, block >> 16, block >> 8, block };
      gsize len = SHA256_LEN;
      GHmac *hmac = g_hmac_copy (keyed);

      g_hmac_update (hmac, salt, salt_len);
      g_hmac_update (hmac, counter, sizeof counter);
      g_hmac_get_digest (hmac, u, &len);
      g_hmac_unref (hmac);
      memcpy (t, u, SHA256_LEN);

      for (guint i = 1; i < iterations; i++)
        {
          hmac = g_hmac_copy (keyed);
          g_hmac_update (hmac, u, SHA256_LEN);
          len = SHA256_LEN;
          g_hmac_get_digest (hmac, u, &len);
          g_hmac_unref (hmac);
          for (guint k = 0; k < SHA256_LEN; k++)
            t[k] ^= u[k];
        }

      memcpy (out + done, t, MIN (SHA256_LEN, out_len - done));
      done += MIN (SHA256_LEN, out_len - done);
    }
}

static char *
encode_base64 (const guint8 *data,
               gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end = strchr (text, '=');

  if (end != NULL)
    *end = '\0';

  return text;
}

/**
 * ek_quit_password_hash:
 *
 * For technicians' tools and tests: hashes @password with a fresh random salt.
 *
 * Returns: (transfer full): "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64"
 */
char *
ek_quit_password_hash (const char *password,
                       guint       iterations)
{
  guint8 salt[16];
  guint8 hash[SHA256_LEN];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *hash_b64 = NULL;

  g_return_val_if_fail (password != NULL, NULL);

  for (guint i = 0; i < sizeof salt; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (salt + i, &r, 4);
    }

  ek_pbkdf2_hmac_sha256 ((const guint8 *) password, strlen (password), salt, sizeof salt,
                         iterations, hash, sizeof hash);
  salt_b64 = encode_base64 (salt, sizeof salt);
  hash_b64 = encode_base64 (hash, sizeof hash);

  return g_strdup_printf ("pbkdf2-sha256$%u$%s$%s", iterations, salt_b64, hash_b64);
}

/**
 * ek_quit_password_verify:
 *
 * Slow on purpose (the hash's iterations): call it from a thread, or use #EkQuitGate.
 */
gboolean
ek_quit_password_verify (const char  *encoded,
                         const char  *password,
                         GError     **error)
{
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  g_autofree guint8 *actual = NULL;
  gsize salt_len = 0, expected_len = 0;
  guint64 iterations = 0;
  guint8 difference = 0;

  g_return_val_if_fail (password != NULL, FALSE);

  if (encoded == NULL)
    {
      g_set_error_literal (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_NOT_SET,
                           _("This exam has no quit password."));
      return FALSE;
    }

  if (!ek_password_hash_parse (encoded, &iterations, &salt, &salt_len, &expected, &expected_len))
    {
      g_set_error_literal (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_MALFORMED,
                           _("The exam’s quit password setting is malformed."));
      return FALSE;
    }

  actual = g_malloc (expected_len);
  ek_pbkdf2_hmac_sha256 ((const guint8 *) password, strlen (password), salt, salt_len,
                         (guint) iterations, actual, expected_len);

  /* Constant time: the comparison says nothing about how much matched. */
  for (gsize i = 0; i < expected_len; i++)
    difference |= actual[i] ^ expected[i];

  if (difference != 0)
    {
      g_set_error_literal (error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG,
                           _("The quit password is wrong."));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  char *encoded;
  char *password;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->encoded);
  if (data->password != NULL)
    {
      memset (data->password, 0, strlen (data->password));
      g_free (data->password);
    }
  g_free (data);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *data = task_data;
  GError *error = NULL;

  if (ek_quit_password_verify (data->encoded, data->password, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
ek_quit_gate_finalize (GObject *object)
{
  EkQuitGate *self = (EkQuitGate *)object;

  g_clear_pointer (&self->encoded_hash, g_free);

  G_OBJECT_CLASS (ek_quit_gate_parent_class)->finalize (object);
}

static void
ek_quit_gate_class_init (EkQuitGateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_quit_gate_finalize;
}

static void
ek_quit_gate_init (EkQuitGate *self)
{
}

/**
 * ek_quit_gate_new:
 * @encoded_hash: (nullable): the policy's quit_password_hash
 *
 * Returns: (transfer full): a gate that lets at most three wrong guesses through, then
 *   makes the next wait 30 s, doubling up to ten minutes
 */
EkQuitGate *
ek_quit_gate_new (const char *encoded_hash)
{
  EkQuitGate *self = g_object_new (EK_TYPE_QUIT_GATE, NULL);

  self->encoded_hash = g_strdup (encoded_hash);
  return self;
}

/* Returns: how long until the next guess is accepted, in milliseconds */
gint64
ek_quit_gate_get_wait_ms (EkQuitGate *self)
{
  gint64 now;

  g_return_val_if_fail (EK_IS_QUIT_GATE (self), 0);

  now = g_get_monotonic_time ();
  return self->blocked_until > now ? (self->blocked_until - now + 999) / 1000 : 0;
}

void
ek_quit_gate_check_async (EkQuitGate          *self,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;
  gint64 wait_ms;

  g_return_if_fail (EK_IS_QUIT_GATE (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_quit_gate_check_async);

  wait_ms = ek_quit_gate_get_wait_ms (self);
  if (wait_ms > 0 || self->checking)
    {
      g_task_return_new_error (task, EK_QUIT_PASSWORD_ERROR,
                               EK_QUIT_PASSWORD_ERROR_RATE_LIMITED,
                               dngettext (GETTEXT_PACKAGE,
                                          "Too many wrong quit passwords. Try again in %d second.",
                                          "Too many wrong quit passwords. Try again in %d seconds.",
                                          (unsigned long) MAX (1, (wait_ms + 999) / 1000)),
                               (int) MAX (1, (wait_ms + 999) / 1000));
      return;
    }

  data = g_new0 (CheckData, 1);
  data->encoded = g_strdup (self->encoded_hash);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  self->checking = TRUE;
  g_task_run_in_thread (task, check_thread);
}

gboolean
ek_quit_gate_check_finish (EkQuitGate    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (EK_IS_QUIT_GATE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (g_task_propagate_boolean (G_TASK (result), &local_error))
    {
      self->checking = FALSE;
      self->failures = 0;
      return TRUE;
    }

  if (g_error_matches (local_error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_RATE_LIMITED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->checking = FALSE;
  if (g_error_matches (local_error, EK_QUIT_PASSWORD_ERROR, EK_QUIT_PASSWORD_ERROR_WRONG) &&
      ++self->failures >= FREE_ATTEMPTS)
    {
      gint64 wait_ms = FIRST_WAIT_MS;

      for (guint i = FREE_ATTEMPTS; i < self->failures && wait_ms < MAX_WAIT_MS; i++)
        wait_ms *= 2;
      self->blocked_until = g_get_monotonic_time () + MIN (wait_ms, MAX_WAIT_MS) * 1000;
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
