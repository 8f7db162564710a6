/* ek-api-client-exam-calls.c: the typed calls of the exam and its end (docs/protocol.md, 6 to 8)
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
parse_questions (EkApiClient  *self,
                 JsonObject   *object,
                 EkApiTypedData  *typed,
                 GError      **error)
{
  return ek_api_parse_questions (object, typed->phase_id, error);
}

EK_API_PLAIN_PARSER (answer_stored)
EK_API_PLAIN_PARSER (events_acked)
EK_API_PLAIN_PARSER (messages)
EK_API_PLAIN_PARSER (message_sent)
EK_API_PLAIN_PARSER (self_check_sent)
EK_API_PLAIN_PARSER (finish)
EK_API_PLAIN_PARSER (snapshot_sent)

/* Public API */

/**
 * ek_api_client_get_questions_async:
 * @phase_id: the phase whose questions are wanted
 */
void
ek_api_client_get_questions_async (EkApiClient         *self,
                                   const char          *phase_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (ek_json_is_identifier (phase_id));

  /* identifiers need no escaping in a query */
  path = g_strconcat ("/v1/session/questions?phase=", phase_id, NULL);

  task = _ek_api_typed_task_new (self, EK_API_CALL_IDEMPOTENT, parse_questions,
                         (GDestroyNotify) json_array_unref, ek_api_client_get_questions_async,
                         "/v1/session/questions", cancellable, callback, user_data);
  ((EkApiTypedData *) g_task_get_task_data (task))->phase_id = g_strdup (phase_id);

  ek_api_client_call_async (self, "GET", path, NULL, EK_API_CALL_IDEMPOTENT, cancellable,
                            _ek_api_typed_call_done_cb, task);
}

/**
 * ek_api_client_get_questions_finish:
 *
 * Returns: (transfer full): the phase's questions, each checked to be an object
 *   with a valid id, a known type, a text, and options where the type has them
 */
JsonArray *
ek_api_client_get_questions_finish (EkApiClient   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _ek_api_propagate_result (self, result, ek_api_client_get_questions_async, error);
}

/**
 * ek_api_client_put_answer_async:
 * @question_id: the question
 * @revision: the answer's revision on this client, higher with every change
 * @value: (nullable): the answer as the protocol gives it per type; %NULL clears it
 * @client_ms: when the candidate gave it, in server time
 */
void
ek_api_client_put_answer_async (EkApiClient         *self,
                                const char          *question_id,
                                gint64               revision,
                                JsonNode            *value,
                                gint64               client_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (ek_json_is_identifier (question_id));
  g_return_if_fail (revision >= 0);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, revision);
  json_builder_set_member_name (builder, "value");
  if (value != NULL)
    json_builder_add_value (builder, json_node_copy (value));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "client_ms");
  json_builder_add_int_value (builder, client_ms);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  path = g_strconcat ("/v1/session/answers/", question_id, NULL);
  _ek_api_typed_call (self, "PUT", path, body, EK_API_CALL_IDEMPOTENT,
                      parse_answer_stored, g_free,
                      ek_api_client_put_answer_async, "/v1/session/answers",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_put_answer_finish:
 * @out_revision: (out) (optional): the revision the server keeps
 * @out_stored_ms: (out) (optional): when it stored it
 */
gboolean
ek_api_client_put_answer_finish (EkApiClient   *self,
                                 GAsyncResult  *result,
                                 gint64        *out_revision,
                                 gint64        *out_stored_ms,
                                 GError       **error)
{
  g_autoptr(EkApiAnswerStored) r = _ek_api_propagate_result (self, result, ek_api_client_put_answer_async,
                                                             error);

  if (r == NULL)
    return FALSE;

  if (out_revision != NULL)
    *out_revision = r->revision;
  if (out_stored_ms != NULL)
    *out_stored_ms = r->stored_ms;

  return TRUE;
}

/**
 * ek_api_client_post_events_async:
 * @events: a batch of the event log, in order (section 7)
 */
void
ek_api_client_post_events_async (EkApiClient         *self,
                                 JsonArray           *events,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (events != NULL);

  body = _ek_api_array_member_body ("events", events);

  _ek_api_typed_call (self, "POST", "/v1/session/events", body, EK_API_CALL_IDEMPOTENT,
                      parse_events_acked, g_free,
                      ek_api_client_post_events_async, "/v1/session/events",
                      cancellable, callback, user_data);
}

gboolean
ek_api_client_post_events_finish (EkApiClient   *self,
                                  GAsyncResult  *result,
                                  gint64        *out_acked_seq,
                                  GError       **error)
{
  g_autoptr(EkApiEventsAcked) r = _ek_api_propagate_result (self, result, ek_api_client_post_events_async,
                                                            error);

  if (r == NULL)
    return FALSE;

  if (out_acked_seq != NULL)
    *out_acked_seq = r->acked_seq;

  return TRUE;
}

/**
 * ek_api_client_get_messages_async:
 * @cursor: (nullable): the cursor of the previous answer, %NULL at first
 */
void
ek_api_client_get_messages_async (EkApiClient         *self,
                                  const char          *cursor,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));

  escaped = g_uri_escape_string (cursor ? cursor : "", NULL, FALSE);
  path = g_strconcat ("/v1/session/messages?after=", escaped, NULL);

  _ek_api_typed_call (self, "GET", path, NULL, EK_API_CALL_IDEMPOTENT,
                      parse_messages, (GDestroyNotify) ek_api_messages_free,
                      ek_api_client_get_messages_async, "/v1/session/messages",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_get_messages_finish:
 * @out_cursor: (out) (optional): the cursor for the next poll
 *
 * Returns: (transfer full): the new messages, each with a valid id, a kind and
 *   sent_ms
 */
JsonArray *
ek_api_client_get_messages_finish (EkApiClient   *self,
                                   GAsyncResult  *result,
                                   char         **out_cursor,
                                   GError       **error)
{
  g_autoptr(EkApiMessages) r = _ek_api_propagate_result (self, result, ek_api_client_get_messages_async,
                                                         error);

  if (r == NULL)
    return NULL;

  if (out_cursor != NULL)
    *out_cursor = g_steal_pointer (&r->cursor);

  return g_steal_pointer (&r->messages);
}

/**
 * ek_api_client_post_message_async:
 * @kind: "chat", "hand_raise" or "ack"
 * @text: (nullable): a chat message's text
 * @ref: (nullable): the id of the message an ack is for
 *
 * Sends a message to the proctor, exactly once.
 */
void
ek_api_client_post_message_async (EkApiClient         *self,
                                  const char          *kind,
                                  const char          *text,
                                  const char          *ref,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (kind != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  if (text != NULL)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, text);
    }
  if (ref != NULL)
    {
      json_builder_set_member_name (builder, "ref");
      json_builder_add_string_value (builder, ref);
    }
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  _ek_api_typed_call (self, "POST", "/v1/session/messages", body, EK_API_CALL_NONE,
                      parse_message_sent, (GDestroyNotify) ek_api_message_sent_free,
                      ek_api_client_post_message_async, "/v1/session/messages",
                      cancellable, callback, user_data);
}

gboolean
ek_api_client_post_message_finish (EkApiClient   *self,
                                   GAsyncResult  *result,
                                   char         **out_id,
                                   gint64        *out_sent_ms,
                                   GError       **error)
{
  g_autoptr(EkApiMessageSent) r = _ek_api_propagate_result (self, result, ek_api_client_post_message_async,
                                                            error);

  if (r == NULL)
    return FALSE;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&r->id);
  if (out_sent_ms != NULL)
    *out_sent_ms = r->sent_ms;

  return TRUE;
}

/**
 * ek_api_client_post_self_check_async:
 * @report: the device check report, a JSON object as ek_self_check_to_json() makes it
 *
 * Sends the device check report to the exam server (POST /v1/session/self-check). The
 * server derives the report's id from the body, so a retry cannot store it twice.
 */
void
ek_api_client_post_self_check_async (EkApiClient         *self,
                                     JsonNode            *report,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (report != NULL && JSON_NODE_HOLDS_OBJECT (report));

  _ek_api_typed_call (self, "POST", "/v1/session/self-check", report, EK_API_CALL_IDEMPOTENT,
                      parse_self_check_sent, (GDestroyNotify) ek_api_self_check_sent_free,
                      ek_api_client_post_self_check_async, "/v1/session/self-check",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_post_self_check_finish:
 * @out_id: (out) (optional) (transfer full): the server's id of the report
 * @out_received_ms: (out) (optional): when the server first received it, server time
 */
gboolean
ek_api_client_post_self_check_finish (EkApiClient   *self,
                                      GAsyncResult  *result,
                                      char         **out_id,
                                      gint64        *out_received_ms,
                                      GError       **error)
{
  g_autoptr(EkApiSelfCheckSent) r = _ek_api_propagate_result (self, result, ek_api_client_post_self_check_async,
                                                              error);

  if (r == NULL)
    return FALSE;

  if (out_id != NULL)
    *out_id = g_steal_pointer (&r->id);
  if (out_received_ms != NULL)
    *out_received_ms = r->received_ms;

  return TRUE;
}

/**
 * ek_api_client_finish_async:
 * @segments: every recorded segment, as section 8 lists them
 *
 * Asks the server to confirm the recording (POST /v1/session/finish).
 */
void
ek_api_client_finish_async (EkApiClient         *self,
                            JsonArray           *segments,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (segments != NULL);

  body = _ek_api_array_member_body ("segments", segments);

  _ek_api_typed_call (self, "POST", "/v1/session/finish", body, EK_API_CALL_IDEMPOTENT,
                      parse_finish, (GDestroyNotify) ek_api_finish_result_free,
                      ek_api_client_finish_async, "/v1/session/finish",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_finish_finish:
 * @out_complete: (out) (optional): whether every segment is confirmed
 * @out_segments: (out) (optional) (transfer full): each segment's status
 */
gboolean
ek_api_client_finish_finish (EkApiClient   *self,
                             GAsyncResult  *result,
                             gboolean      *out_complete,
                             JsonArray    **out_segments,
                             GError       **error)
{
  g_autoptr(EkApiFinishResult) r = _ek_api_propagate_result (self, result, ek_api_client_finish_async,
                                                             error);

  if (r == NULL)
    return FALSE;

  if (out_complete != NULL)
    *out_complete = r->complete;
  if (out_segments != NULL)
    *out_segments = g_steal_pointer (&r->segments);

  return TRUE;
}

/* Both kinds of snapshot, plain and sealed, are one call whose result
 * ek_api_client_post_snapshot_finish{,_full}() read. */
static void
send_snapshot (EkApiClient         *self,
               JsonNode            *body,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  _ek_api_typed_call (self, "POST", "/v1/session/snapshots", body, EK_API_CALL_SENSITIVE,
                      parse_snapshot_sent, (GDestroyNotify) ek_api_snapshot_sent_free,
                      ek_api_client_post_snapshot_async, "/v1/session/snapshots",
                      cancellable, callback, user_data);
}

/**
 * ek_api_client_post_snapshot_async:
 * @source: "camera" or "screen"
 * @jpeg: the picture, JPEG
 * @capture_ms: when it was taken, server time
 *
 * Uploads a snapshot for the proctor (POST /v1/session/snapshots), exactly once.
 */
void
ek_api_client_post_snapshot_async (EkApiClient         *self,
                                   const char          *source,
                                   GBytes              *jpeg,
                                   gint64               capture_ms,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (g_strcmp0 (source, "camera") == 0 || g_strcmp0 (source, "screen") == 0);
  g_return_if_fail (jpeg != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  _ek_api_add_photo_members (builder, jpeg, capture_ms);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  send_snapshot (self, body, cancellable, callback, user_data);
}

/**
 * ek_api_client_post_sealed_snapshot_async:
 * @source: "camera" or "screen"
 * @sealed: the JPEG sealed for the examining body (ek_seal_bytes())
 * @sha256: the SHA-256 of @sealed, lowercase hex
 * @capture_ms: when it was taken, server time
 *
 * Uploads a sealed snapshot (POST /v1/session/snapshots with `sealed_b64`, section
 * 8.1), exactly once. Finish with ek_api_client_post_snapshot_finish(); the hash the
 * server stored is in ek_api_client_post_snapshot_finish_full().
 */
void
ek_api_client_post_sealed_snapshot_async (EkApiClient         *self,
                                          const char          *source,
                                          GBytes              *sealed,
                                          const char          *sha256,
                                          gint64               capture_ms,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *b64 = NULL;
  gsize size = 0;
  const guchar *data;

  g_return_if_fail (EK_IS_API_CLIENT (self));
  g_return_if_fail (g_strcmp0 (source, "camera") == 0 || g_strcmp0 (source, "screen") == 0);
  g_return_if_fail (sealed != NULL);
  g_return_if_fail (sha256 != NULL);

  data = g_bytes_get_data (sealed, &size);
  b64 = g_base64_encode (data, size);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_set_member_name (builder, "sealed_b64");
  json_builder_add_string_value (builder, b64);
  json_builder_set_member_name (builder, "sha256");
  json_builder_add_string_value (builder, sha256);
  json_builder_set_member_name (builder, "capture_ms");
  json_builder_add_int_value (builder, capture_ms);
  json_builder_end_object (builder);
  body = _ek_api_build_body (builder);

  send_snapshot (self, body, cancellable, callback, user_data);
}

/**
 * ek_api_client_post_snapshot_finish_full:
 * @out_id: (out) (optional) (transfer full): the server's id of the snapshot
 * @out_sha256: (out) (optional) (transfer full) (nullable): the SHA-256 of what the
 *   server stored, when it says
 */
gboolean
ek_api_client_post_snapshot_finish_full (EkApiClient   *self,
                                         GAsyncResult  *result,
                                         char         **out_id,
                                         char         **out_sha256,
                                         GError       **error)
{
  g_autoptr(EkApiSnapshotSent) r = _ek_api_propagate_result (self, result, ek_api_client_post_snapshot_async,
                                                             error);

  if (r == NULL)
    return FALSE;
  if (out_id != NULL)
    *out_id = g_steal_pointer (&r->id);
  if (out_sha256 != NULL)
    *out_sha256 = g_steal_pointer (&r->sha256);
  return TRUE;
}

/**
 * ek_api_client_post_snapshot_finish:
 * @out_id: (out) (optional) (transfer full): the server's id of the snapshot
 */
gboolean
ek_api_client_post_snapshot_finish (EkApiClient   *self,
                                    GAsyncResult  *result,
                                    char         **out_id,
                                    GError       **error)
{
  return ek_api_client_post_snapshot_finish_full (self, result, out_id, NULL, error);
}
