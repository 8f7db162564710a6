/* ek-api-client-sealed.c: the sealed questions' calls (docs/protocol.md section 6.1)
 *
 * Part of EkApiClient (see ek-api-client-private.h): the package, the check-in that
 * releases its key, and an entry made while the network was down, reported later
 * with the moment it happened.
 */

#include "config.h"

#include <string.h>

#include "ek-api-client-private.h"
#include "ek-json.h"

static void
check_in_free (EkApiCheckIn *check_in)
{
  if (check_in == NULL)
    return;
  if (check_in->key_b64 != NULL)
    explicit_bzero (check_in->key_b64, strlen (check_in->key_b64));
  g_free (check_in->key_b64);
  g_free (check_in);
}

static gpointer
parse_check_in (EkApiClient     *self,
                JsonObject      *object,
                EkApiTypedData  *typed,
                GError         **error)
{
  EkApiCheckIn *check_in = g_new0 (EkApiCheckIn, 1);
  const char *key = NULL;

  if (!ek_json_read_string (object, "key", TRUE, &key, error) ||
      !ek_json_read_int (object, "checked_in_ms", TRUE, 0, G_MAXINT64, &check_in->checked_in_ms,
                         error))
    {
      check_in_free (check_in);
      return NULL;
    }
  check_in->key_b64 = g_strdup (key);

  return check_in;
}

/**
 * ek_api_client_get_questions_package_async:
 *
 * Fetches the exam's sealed questions package (idempotent); finish with
 * ek_api_client_call_bytes_finish().
 */
void
ek_api_client_get_questions_package_async (EkApiClient         *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  ek_api_client_call_async (self, "GET", "/v1/session/questions-package", NULL,
                            EK_API_CALL_IDEMPOTENT | EK_API_CALL_BYTES,
                            cancellable, callback, user_data);
}

/**
 * ek_api_client_check_in_async:
 *
 * Checks in for the exam (idempotent): the answer holds the key of the sealed
 * questions; `too_early` before the exam's `key_release_ms`.
 */
void
ek_api_client_check_in_async (EkApiClient         *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonNode) body = _ek_api_empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "POST", "/v1/session/check-in", body, EK_API_CALL_IDEMPOTENT,
                      parse_check_in, (GDestroyNotify) check_in_free,
                      ek_api_client_check_in_async, "/v1/session/check-in",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_check_in_finish:
 * @out_key_b64: (out): the key (base64): a secret, for the Secret Service only
 *
 * Returns: whether the key was released
 */
gboolean
ek_api_client_check_in_finish (EkApiClient   *self,
                               GAsyncResult  *result,
                               char         **out_key_b64,
                               gint64        *out_checked_in_ms,
                               GError       **error)
{
  EkApiCheckIn *check_in = _ek_api_propagate_result (self, result, ek_api_client_check_in_async,
                                                     error);

  if (check_in == NULL)
    return FALSE;

  *out_key_b64 = g_steal_pointer (&check_in->key_b64);
  if (out_checked_in_ms != NULL)
    *out_checked_in_ms = check_in->checked_in_ms;
  check_in_free (check_in);
  return TRUE;
}

/**
 * ek_api_client_enter_at_async:
 * @client_ms: the server time at which the candidate entered while offline
 *
 * Reports an entry made without the network (idempotent); finish with
 * ek_api_client_state_finish().
 */
void
ek_api_client_enter_at_async (EkApiClient         *self,
                              gint64               client_ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "client_ms");
  json_builder_add_int_value (builder, client_ms);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_state_call (self, "/v1/session/enter", body, EK_API_CALL_IDEMPOTENT,
                      cancellable, callback, user_data);
}
