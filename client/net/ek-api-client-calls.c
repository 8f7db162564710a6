/* ek-api-client-calls.c: the typed calls before the exam (docs/protocol.md, sections 2 to 5)
 *
 * Part of EkApiClient (see ek-api-client-private.h). Each call checks its answer
 * with a pure parser of ek-api-parsers.c into a named result type; a parse error
 * becomes EK_API_ERROR_MALFORMED_RESPONSE.
 */

#include "config.h"

#include "ek-api-client-private.h"
#include "ek-json.h"

/* Parsers: the pure ones of ek-api-parsers.c, and what some calls do besides */

static gpointer
parse_session_info (EkApiClient  *self,
                    JsonObject   *object,
                    gboolean      with_token,
                    GError      **error)
{
  EkSessionInfo *info = ek_session_info_new_from_json (object, with_token, error);

  if (info == NULL)
    return NULL;

  if (!_ek_api_integrity_take_login (self, object, error))
    {
      g_object_unref (info);
      return NULL;
    }

  if (with_token)
    ek_api_client_set_session_token (self, ek_session_info_get_session_token (info));
  ek_api_client_set_exam (self, ek_session_info_get_exam (info));

  return info;
}

static gpointer
parse_login (EkApiClient  *self,
             JsonObject   *object,
             EkApiTypedData  *typed,
             GError      **error)
{
  return parse_session_info (self, object, TRUE, error);
}

static gpointer
parse_get_session (EkApiClient  *self,
                   JsonObject   *object,
                   EkApiTypedData  *typed,
                   GError      **error)
{
  return parse_session_info (self, object, FALSE, error);
}

static gpointer
parse_state (EkApiClient  *self,
             JsonObject   *object,
             EkApiTypedData  *typed,
             GError      **error)
{
  return ek_session_state_new_from_json (object, error);
}

static gpointer
parse_nothing (EkApiClient  *self,
               JsonObject   *object,
               EkApiTypedData  *typed,
               GError      **error)
{
  return (gpointer) _ek_api_nothing;
}

static gpointer
parse_health (EkApiClient  *self,
              JsonObject   *object,
              EkApiTypedData  *typed,
              GError      **error)
{
  g_autoptr(EkApiHealth) health = ek_api_parse_health (object, error);

  if (health == NULL)
    return NULL;

  if (!g_str_equal (health->status, "ok"))
    {
      g_debug ("Health: server status %s", health->status);
      g_propagate_error (error, _ek_api_server_error (self, EK_API_ERROR_UNAVAILABLE, 200, 0));
      return NULL;
    }

  return g_steal_pointer (&health);
}

EK_API_PLAIN_PARSER (login_options)
EK_API_PLAIN_PARSER (draw)
EK_API_PLAIN_PARSER (face)
EK_API_PLAIN_PARSER (second_view_code)
EK_API_PLAIN_PARSER (second_view_status)
EK_API_PLAIN_PARSER (attachments)

/* Public API */

void
ek_api_client_health_async (EkApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "GET", "/v1/health", NULL, EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT,
                      parse_health, (GDestroyNotify) ek_api_health_free,
                      ek_api_client_health_async, "/v1/health",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_health_finish:
 * @out_protocol: (out) (optional): the protocol version the server speaks
 * @out_min_client_version: (out) (optional): the oldest client version it accepts
 * @out_server_time_ms: (out) (optional): its time
 *
 * Returns: %TRUE when the server is up
 */
gboolean
ek_api_client_health_finish (EkApiClient   *self,
                             GAsyncResult  *result,
                             gint64        *out_protocol,
                             char         **out_min_client_version,
                             gint64        *out_server_time_ms,
                             GError       **error)
{
  g_autoptr(EkApiHealth) r = _ek_api_propagate_result (self, result, ek_api_client_health_async,
                                                       error);

  if (r == NULL)
    return FALSE;

  if (out_protocol != NULL)
    *out_protocol = r->protocol;
  if (out_min_client_version != NULL)
    *out_min_client_version = g_steal_pointer (&r->min_client_version);
  if (out_server_time_ms != NULL)
    *out_server_time_ms = r->server_time_ms;

  return TRUE;
}

/**
 * ek_api_client_login_async:
 * @exam_token: the exam token (口令)
 * @id_number: the candidate's ID number
 *
 * Logs in (POST /v1/sessions), sent exactly once. On success the client keeps the
 * new session token and the exam. Neither argument is ever logged.
 */
void
ek_api_client_login_async (EkApiClient         *self,
                           const char          *exam_token,
                           const char          *id_number,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_token != NULL);
  g_return_if_fail (id_number != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_token");
  json_builder_add_string_value (builder, exam_token);
  json_builder_set_member_name (builder, "id_number");
  json_builder_add_string_value (builder, id_number);
  json_builder_set_member_name (builder, "client");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "platform");
  json_builder_add_string_value (builder, "linux-x11");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "POST", "/v1/sessions", body, EK_API_CALL_PUBLIC | EK_API_CALL_SENSITIVE,
                      parse_login, g_object_unref,
                      ek_api_client_login_async, "/v1/sessions",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_login_finish:
 *
 * Returns: (transfer full): the session, with its token
 */
EkSessionInfo *
ek_api_client_login_finish (EkApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_login_async, error);
}

void
ek_api_client_get_session_async (EkApiClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "GET", "/v1/session", NULL, EK_API_CALL_IDEMPOTENT,
                      parse_get_session, g_object_unref,
                      ek_api_client_get_session_async, "/v1/session",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_session_finish:
 *
 * Returns: (transfer full): the session, without a token
 */
EkSessionInfo *
ek_api_client_get_session_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_get_session_async, error);
}

/**
 * ek_api_client_end_session_async:
 *
 * Ends the session before the exam (DELETE /v1/session, reason
 * ended_by_candidate); the token stops working.
 */
void
ek_api_client_end_session_async (EkApiClient         *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, "ended_by_candidate");
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "DELETE", "/v1/session", body, EK_API_CALL_IDEMPOTENT,
                      parse_nothing, NULL,
                      ek_api_client_end_session_async, "/v1/session",
                      cancellable, callback, user_data);
}

gboolean
ek_api_client_end_session_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_end_session_async, error) != NULL;
}

/**
 * ek_api_client_pledge_async:
 * @accepted: %FALSE ends the session
 * @pledge_version: the exam's pledge_version the candidate saw
 *
 * Answers the pledge (sent exactly once). Finish with ek_api_client_state_finish().
 */
void
ek_api_client_pledge_async (EkApiClient         *self,
                            gboolean             accepted,
                            const char          *pledge_version,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (pledge_version != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accepted");
  json_builder_add_boolean_value (builder, accepted);
  json_builder_set_member_name (builder, "pledge_version");
  json_builder_add_string_value (builder, pledge_version);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_state_call (self, "/v1/session/pledge", body, EK_API_CALL_NONE, cancellable, callback, user_data);
}

/**
 * ek_api_client_complete_step_async:
 * @step: a step completed on the client (room_scan, paper_check, attachments,
 *   device_confirm)
 *
 * Finish with ek_api_client_state_finish().
 */
void
ek_api_client_complete_step_async (EkApiClient         *self,
                                   EkStep               step,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (step < EK_STEP_NONE);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "step");
  json_builder_add_string_value (builder, ek_step_to_string (step));
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_state_call (self, "/v1/session/steps", body, EK_API_CALL_IDEMPOTENT, cancellable, callback, user_data);
}

/**
 * ek_api_client_enter_async:
 *
 * Enters the exam from the waiting room. Finish with ek_api_client_state_finish().
 */
void
ek_api_client_enter_async (EkApiClient         *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = _ek_api_empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_state_call (self, "/v1/session/enter", body, EK_API_CALL_IDEMPOTENT, cancellable, callback, user_data);
}

/**
 * ek_api_client_submit_async:
 * @answer_count: how many questions the candidate answered
 * @forced_by: (nullable): "lockdown" when the exam's lockdown policy ends the exam
 *   (its last escalation step), which the server accepts before min_submit_ms
 *
 * Hands in the exam. Finish with ek_api_client_state_finish().
 */
void
ek_api_client_submit_async (EkApiClient         *self,
                            guint                answer_count,
                            const char          *forced_by,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "answer_count");
  json_builder_add_int_value (builder, answer_count);
  if (forced_by != NULL)
    {
      json_builder_set_member_name (builder, "forced_by");
      json_builder_add_string_value (builder, forced_by);
    }
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_state_call (self, "/v1/session/submit", body, EK_API_CALL_IDEMPOTENT, cancellable, callback, user_data);
}

/**
 * ek_api_client_state_finish:
 *
 * Finishes ek_api_client_pledge_async(), ek_api_client_complete_step_async(),
 * ek_api_client_enter_async(), ek_api_client_enter_at_async() and
 * ek_api_client_submit_async().
 *
 * Returns: (transfer full): the session state after the call
 */
EkSessionState *
ek_api_client_state_finish (EkApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_state_finish, error);
}

/* The calls whose answer is the session state (pledge, steps, entry, submission, an
 * entry reported late): POST @body to @path, finished by ek_api_client_state_finish(). */
void
_ek_api_state_call (EkApiClient         *self,
                    const char          *path,
                    JsonNode            *body,
                    EkApiCallFlags       flags,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  _ek_api_typed_call (self, "POST", path, body, flags,
                      parse_state, (GDestroyNotify) ek_session_state_free,
                      ek_api_client_state_finish, path,
                      cancellable, callback, user_data);
}

void
ek_api_client_draw_async (EkApiClient         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonNode) body = _ek_api_empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "POST", "/v1/session/draw", body, EK_API_CALL_IDEMPOTENT,
                      parse_draw, g_free,
                      ek_api_client_draw_async, "/v1/session/draw",
                      cancellable, callback, user_data);
}

gboolean
ek_api_client_draw_finish (EkApiClient   *self,
                           GAsyncResult  *result,
                           gint64        *out_sequence_number,
                           GError       **error)
{
  g_autoptr(EkApiDraw) r = _ek_api_propagate_result (self, result, ek_api_client_draw_async, error);

  if (r == NULL)
    return FALSE;

  if (out_sequence_number != NULL)
    *out_sequence_number = r->sequence_number;

  return TRUE;
}

/**
 * ek_api_client_face_check_async:
 * @jpeg: the chosen frame, JPEG (at most 4 MiB)
 * @capture_ms: when it was taken, server time
 *
 * Sends the identity check photo (POST /v1/session/face), exactly once: each
 * attempt counts on the server.
 */
void
ek_api_client_face_check_async (EkApiClient         *self,
                                GBytes              *jpeg,
                                gint64               capture_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  _ek_api_add_photo_members (builder, jpeg, capture_ms);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "POST", "/v1/session/face", body, EK_API_CALL_SENSITIVE,
                      parse_face, (GDestroyNotify) ek_api_face_result_free,
                      ek_api_client_face_check_async, "/v1/session/face",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_face_recheck_async:
 * @jpeg: a live frame with one face, JPEG
 * @capture_ms: when it was taken, server time
 *
 * The live identity re-check during the exam (POST /v1/session/face with
 * `"purpose": "recheck"`): it changes no step and counts no attempt on the
 * server. Finish with ek_api_client_face_check_finish().
 */
void
ek_api_client_face_recheck_async (EkApiClient         *self,
                                  GBytes              *jpeg,
                                  gint64               capture_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  _ek_api_add_photo_members (builder, jpeg, capture_ms);
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, "recheck");
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "POST", "/v1/session/face", body, EK_API_CALL_SENSITIVE,
                      parse_face, (GDestroyNotify) ek_api_face_result_free,
                      ek_api_client_face_check_async, "/v1/session/face",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_face_check_finish:
 * @out_match: (out) (optional): whether the server found the registered person
 * @out_score: (out) (optional): the server's score 0..1, or -1 if it gave none
 * @out_reason: (out) (optional) (transfer full): for no match, the protocol's
 *   reason (no_face, different_person, poor_quality, no_registered_photo) or %NULL
 * @out_attempts_left: (out) (optional): attempts the server still allows, -1 if
 *   it did not say
 *
 * A refusal is not an error: it is @out_match FALSE. After the last attempt the
 * server answers %EK_API_ERROR_RATE_LIMITED.
 */
gboolean
ek_api_client_face_check_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 gboolean      *out_match,
                                 double        *out_score,
                                 char         **out_reason,
                                 gint64        *out_attempts_left,
                                 GError       **error)
{
  g_autoptr(EkApiFaceResult) r = _ek_api_propagate_result (self, result, ek_api_client_face_check_async,
                                                           error);

  if (r == NULL)
    return FALSE;

  if (out_match != NULL)
    *out_match = r->match;
  if (out_score != NULL)
    *out_score = r->score;
  if (out_reason != NULL)
    *out_reason = g_steal_pointer (&r->reason);
  if (out_attempts_left != NULL)
    *out_attempts_left = r->attempts_left;

  return TRUE;
}

/**
 * ek_api_client_face_login_async:
 * @exam_id: the exam, which must allow face login
 * @id_number: the candidate's ID number
 * @jpeg: the chosen frame, JPEG
 * @capture_ms: when it was taken, server time
 *
 * Logs in with the face instead of the exam token (POST /v1/sessions/face), sent
 * exactly once. A face that does not match is %EK_API_ERROR_WRONG_CREDENTIALS.
 */
void
ek_api_client_face_login_async (EkApiClient         *self,
                                const char          *exam_id,
                                const char          *id_number,
                                GBytes              *jpeg,
                                gint64               capture_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_id != NULL);
  g_return_if_fail (id_number != NULL);
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "exam_id");
  json_builder_add_string_value (builder, exam_id);
  json_builder_set_member_name (builder, "id_number");
  json_builder_add_string_value (builder, id_number);
  _ek_api_add_photo_members (builder, jpeg, capture_ms);
  json_builder_set_member_name (builder, "client");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "platform");
  json_builder_add_string_value (builder, "linux-x11");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "POST", "/v1/sessions/face", body, EK_API_CALL_PUBLIC | EK_API_CALL_SENSITIVE,
                      parse_login, g_object_unref,
                      ek_api_client_face_login_async, "/v1/sessions/face",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_login_options_async:
 * @exam_id: the exam named in the configuration
 *
 * Asks what the login page may offer for @exam_id before any login
 * (GET /v1/exams/EXAM_ID/login-options, public, idempotent).
 */
void
ek_api_client_get_login_options_async (EkApiClient         *self,
                                       const char          *exam_id,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (exam_id != NULL);

  escaped = g_uri_escape_string (exam_id, NULL, FALSE);
  path = g_strdup_printf ("/v1/exams/%s/login-options", escaped);
  _ek_api_typed_call (self, "GET", path, NULL, EK_API_CALL_PUBLIC | EK_API_CALL_IDEMPOTENT,
                      parse_login_options, (GDestroyNotify) ek_api_login_options_free,
                      ek_api_client_get_login_options_async, "/v1/exams/ID/login-options",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_login_options_finish:
 * @out_face_login: (out): whether the exam allows face login
 * @out_help_contact: (out) (optional): the exam's help line, "" when it has none
 *
 * Returns: %TRUE when the server answered
 */
gboolean
ek_api_client_get_login_options_finish (EkApiClient   *self,
                                        GAsyncResult  *result,
                                        gboolean      *out_face_login,
                                        char         **out_help_contact,
                                        GError       **error)
{
  g_autoptr(EkApiLoginOptions) r = _ek_api_propagate_result (self, result, ek_api_client_get_login_options_async,
                                                             error);

  if (r == NULL)
    return FALSE;

  *out_face_login = r->face_login;
  if (out_help_contact != NULL)
    *out_help_contact = g_steal_pointer (&r->help_contact);

  return TRUE;
}

/**
 * ek_api_client_face_login_finish:
 *
 * Returns: (transfer full): the session, with its token
 */
EkSessionInfo *
ek_api_client_face_login_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_face_login_async, error);
}

/**
 * ek_api_client_request_second_view_async:
 *
 * Asks for the code a phone scans to become the second view
 * (POST /v1/session/second-view); the same code while it is valid.
 */
void
ek_api_client_request_second_view_async (EkApiClient         *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonNode) body = _ek_api_empty_object_node ();

  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "POST", "/v1/session/second-view", body, EK_API_CALL_IDEMPOTENT,
                      parse_second_view_code, (GDestroyNotify) ek_api_second_view_code_free,
                      ek_api_client_request_second_view_async, "/v1/session/second-view",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_request_second_view_finish:
 * @out_qr_payload: (out) (optional) (transfer full): what the QR code holds, never empty
 * @out_code: (out) (optional) (transfer full): the code to type instead, "" if none
 */
gboolean
ek_api_client_request_second_view_finish (EkApiClient   *self,
                                          GAsyncResult  *result,
                                          char         **out_qr_payload,
                                          char         **out_code,
                                          GError       **error)
{
  g_autoptr(EkApiSecondViewCode) r = _ek_api_propagate_result (self, result,
                                                       ek_api_client_request_second_view_async,
                                                       error);

  if (r == NULL)
    return FALSE;

  if (out_qr_payload != NULL)
    *out_qr_payload = g_steal_pointer (&r->qr_payload);
  if (out_code != NULL)
    *out_code = g_steal_pointer (&r->code);

  return TRUE;
}

/**
 * ek_api_client_get_second_view_async:
 *
 * Asks whether a phone has bound itself as the second view
 * (GET /v1/session/second-view).
 */
void
ek_api_client_get_second_view_async (EkApiClient         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "GET", "/v1/session/second-view", NULL, EK_API_CALL_IDEMPOTENT,
                      parse_second_view_status, (GDestroyNotify) ek_api_second_view_status_free,
                      ek_api_client_get_second_view_async, "/v1/session/second-view",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_second_view_finish:
 * @out_bound: (out): whether a phone is bound
 * @out_device: (out) (optional) (transfer full): the phone's model, "" if not said
 */
gboolean
ek_api_client_get_second_view_finish (EkApiClient   *self,
                                      GAsyncResult  *result,
                                      gboolean      *out_bound,
                                      char         **out_device,
                                      GError       **error)
{
  g_autoptr(EkApiSecondViewStatus) r = _ek_api_propagate_result (self, result,
                                                         ek_api_client_get_second_view_async,
                                                         error);

  if (r == NULL)
    return FALSE;

  *out_bound = r->bound;
  if (out_device != NULL)
    *out_device = g_steal_pointer (&r->device);

  return TRUE;
}

void
ek_api_client_get_attachments_async (EkApiClient         *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));

  _ek_api_typed_call (self, "GET", "/v1/session/attachments", NULL, EK_API_CALL_IDEMPOTENT,
                      parse_attachments, (GDestroyNotify) json_array_unref,
                      ek_api_client_get_attachments_async, "/v1/session/attachments",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_attachments_finish:
 *
 * Returns: (transfer full): the exam's attachments, each an object with an id safe
 *   to use in ek_api_client_get_attachment_async(), a name and a media type, and a
 *   size and a SHA-256 where the server gave them
 */
JsonArray *
ek_api_client_get_attachments_finish (EkApiClient   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_get_attachments_async, error);
}

typedef struct
{
  GBytes *bytes;
  char   *content_type;
} Download;

static void
download_free (Download *download)
{
  g_clear_pointer (&download->bytes, g_bytes_unref);
  g_free (download->content_type);
  g_free (download);
}

static void
on_attachment_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Download *download = g_new0 (Download, 1);

  download->bytes = ek_api_client_call_bytes_finish (EK_API_CLIENT (source), result,
                                                     &download->content_type, &error);
  if (download->bytes == NULL)
    {
      download_free (download);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, download, (GDestroyNotify) download_free);
}

/**
 * ek_api_client_get_attachment_async:
 * @attachment_id: an id from ek_api_client_get_attachments_finish()
 *
 * Downloads one attachment (GET /v1/session/attachments/ID); the caller checks its
 * size and hash against the list.
 */
void
ek_api_client_get_attachment_async (EkApiClient         *self,
                                    const char          *attachment_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (ek_json_is_identifier (attachment_id));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_api_client_get_attachment_async);
  g_task_set_name (task, "/v1/session/attachments/ID");

  /* identifiers need no escaping in a path */
  path = g_strconcat ("/v1/session/attachments/", attachment_id, NULL);
  ek_api_client_call_async (self, "GET", path, NULL, EK_API_CALL_IDEMPOTENT | EK_API_CALL_BYTES,
                            cancellable, on_attachment_cb, task);
}

/**
 * ek_api_client_get_attachment_finish:
 * @out_content_type: (out) (optional) (transfer full): the answer's Content-Type
 *
 * Returns: (transfer full): the attachment's bytes
 */
GBytes *
ek_api_client_get_attachment_finish (EkApiClient   *self,
                                     GAsyncResult  *result,
                                     char         **out_content_type,
                                     GError       **error)
{
  Download *download = _ek_api_propagate_result (self, result, ek_api_client_get_attachment_async,
                                                 error);
  GBytes *bytes;

  if (download == NULL)
    return NULL;

  if (out_content_type != NULL)
    *out_content_type = g_steal_pointer (&download->content_type);
  bytes = g_steal_pointer (&download->bytes);
  download_free (download);

  return bytes;
}
