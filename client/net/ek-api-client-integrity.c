/* ek-api-client-integrity.c: the client integrity header (docs/protocol.md section 1.2)
 *
 * Part of EkApiClient (see ek-api-client-private.h). The login answer's `integrity`
 * member gives the session its key and nonce; every exam answer (login, re-entry)
 * gives the policy, whose hash the kiosk vouches for. The key is a secret: it is
 * wiped when replaced and never logged; the caller keeps it in the Secret Service.
 */

#include "config.h"

#include <string.h>

#include "ek-api-client-private.h"
#include "ek-integrity.h"
#include "ek-json.h"

static gboolean
is_hex_hash (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
        return FALSE;
    }
  return TRUE;
}

static void
wipe_bytes (GBytes **bytes)
{
  if (*bytes != NULL)
    {
      gsize len = 0;
      gpointer data = (gpointer) g_bytes_get_data (*bytes, &len);

      /* The only reference is ours (made in this file): wiping is safe. */
      explicit_bzero (data, len);
      g_clear_pointer (bytes, g_bytes_unref);
    }
}

void
_ek_api_integrity_clear (EkApiClient *self)
{
  wipe_bytes (&self->integrity_key);
  g_clear_pointer (&self->integrity_nonce, g_free);
  g_clear_pointer (&self->policy_hash, g_free);
}

/* The header of one request: with the session's MAC when the call carries the
 * session's token and the session's integrity is known. */
char *
_ek_api_integrity_header (EkApiClient *self,
                          const char  *method,
                          const char  *path,
                          gboolean     with_session)
{
  const char *exe = ek_integrity_get_self_hash ();

  if (with_session && self->integrity_key != NULL && self->integrity_nonce != NULL &&
      self->policy_hash != NULL)
    return ek_integrity_header_value (exe, self->policy_hash, self->integrity_nonce,
                                      self->integrity_key, method, path);

  return ek_integrity_header_value (exe, NULL, NULL, NULL, method, path);
}

/* Reads the answer of a login or re-entry: the exam's policy hash always, the key
 * and nonce when the answer has them (a login answer of a server that checks). */
gboolean
_ek_api_integrity_take_login (EkApiClient  *self,
                              JsonObject   *answer,
                              GError      **error)
{
  JsonObject *exam = NULL;
  JsonObject *integrity = NULL;
  const char *key_b64 = NULL;
  const char *nonce = NULL;

  if (!ek_json_read_object (answer, "exam", TRUE, &exam, error) ||
      !ek_json_read_object (answer, "integrity", FALSE, &integrity, error))
    return FALSE;

  if (integrity != NULL)
    {
      if (!ek_json_read_string (integrity, "key", TRUE, &key_b64, error) ||
          !ek_json_read_string (integrity, "nonce", TRUE, &nonce, error))
        {
          g_prefix_error (error, "integrity: ");
          return FALSE;
        }
      if (!ek_api_client_set_integrity (self, key_b64, nonce, NULL))
        {
          g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                               "integrity: member “key” or “nonce” is not valid");
          return FALSE;
        }
    }
  else if (json_object_has_member (answer, "session_token"))
    {
      /* A new session without a key: a server that does not check builds. */
      wipe_bytes (&self->integrity_key);
      g_clear_pointer (&self->integrity_nonce, g_free);
    }

  g_clear_pointer (&self->policy_hash, g_free);
  self->policy_hash = ek_integrity_policy_hash (exam);

  return TRUE;
}

/**
 * ek_api_client_set_integrity:
 * @key_b64: (nullable): the session's integrity key, base64 of 32 bytes; %NULL
 *   forgets key, nonce and policy
 * @nonce: (nullable): the session's nonce
 * @policy_hash: (nullable): the policy hash the session vouched for (a re-entry
 *   from the keyring, before the exam is read again); %NULL keeps the current one
 *
 * Returns: %FALSE (nothing changed) if @key_b64, @nonce or @policy_hash is malformed
 */
gboolean
ek_api_client_set_integrity (EkApiClient *self,
                             const char  *key_b64,
                             const char  *nonce,
                             const char  *policy_hash)
{
  g_autofree guint8 *key = NULL;
  gsize key_len = 0;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);

  if (key_b64 == NULL)
    {
      _ek_api_integrity_clear (self);
      return TRUE;
    }

  if (!ek_integrity_nonce_is_valid (nonce) ||
      (policy_hash != NULL && !is_hex_hash (policy_hash)))
    return FALSE;

  key = g_base64_decode (key_b64, &key_len);
  if (key_len != EK_INTEGRITY_KEY_BYTES)
    {
      if (key != NULL)
        explicit_bzero (key, key_len);
      return FALSE;
    }

  wipe_bytes (&self->integrity_key);
  self->integrity_key = g_bytes_new (key, key_len);
  explicit_bzero (key, key_len);
  g_free (self->integrity_nonce);
  self->integrity_nonce = g_strdup (nonce);
  if (policy_hash != NULL)
    {
      g_free (self->policy_hash);
      self->policy_hash = g_strdup (policy_hash);
    }

  return TRUE;
}

/**
 * ek_api_client_export_integrity:
 * @out_key_b64: (out): the key as base64, for the Secret Service only: wipe it
 *   after use, never log it
 * @out_nonce: (out)
 * @out_policy_hash: (out)
 *
 * Returns: %FALSE when the session has no integrity key (a server that does not
 *   check builds)
 */
gboolean
ek_api_client_export_integrity (EkApiClient  *self,
                                char        **out_key_b64,
                                char        **out_nonce,
                                char        **out_policy_hash)
{
  gsize len = 0;
  const guint8 *data;

  g_return_val_if_fail (EK_IS_API_CLIENT (self), FALSE);

  if (self->integrity_key == NULL || self->policy_hash == NULL)
    return FALSE;

  data = g_bytes_get_data (self->integrity_key, &len);
  *out_key_b64 = g_base64_encode (data, len);
  *out_nonce = g_strdup (self->integrity_nonce);
  *out_policy_hash = g_strdup (self->policy_hash);

  return TRUE;
}

/**
 * ek_api_client_get_policy_hash:
 *
 * Returns: (nullable): the SHA-256 of the session's exam policy (section 1.2)
 */
const char *
ek_api_client_get_policy_hash (EkApiClient *self)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (self), NULL);
  return self->policy_hash;
}

/**
 * ek_api_client_sign_request:
 * @request: a request to this client's server made elsewhere (the tus uploads)
 * @path: its URL's path and query, as sent
 *
 * Adds the client integrity header (section 1.2) as this client's own calls carry
 * it: with the session's MAC when it has a session token and key. Nothing before
 * the executable's hash is known (it is by the time anything is uploaded).
 */
void
ek_api_client_sign_request (EkApiClient   *self,
                            EkHttpRequest *request,
                            const char    *path)
{
  g_autofree char *value = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (path != NULL);

  if (ek_integrity_get_self_hash () == NULL)
    return;
  value = _ek_api_integrity_header (self, ek_http_request_get_method (request), path,
                                    self->session_token != NULL);
  ek_http_request_add_header (request, EK_INTEGRITY_HEADER, value);
}
