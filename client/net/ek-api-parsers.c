/* ek-api-parsers.c: the exam server's answers read into named results */

#include "config.h"

#include "ek-api-parsers.h"
#include "ek-json.h"

static const char * const face_reasons[] = { "no_face", "different_person", "poor_quality",
                                             "no_registered_photo", NULL };
/* client_refused (section 1.2) */
static const char * const integrity_reasons[] = { "unknown_build", "policy_mismatch",
                                                  "bad_signature", "missing", NULL };

/* Result types */

void
ek_api_error_body_free (EkApiErrorBody *body)
{
  if (body == NULL)
    return;
  g_free (body->code);
  g_free (body->message);
  g_free (body->last_hash);
  g_free (body->reason);
  g_free (body);
}

void
ek_api_health_free (EkApiHealth *health)
{
  if (health == NULL)
    return;
  g_free (health->status);
  g_free (health->min_client_version);
  g_free (health);
}

void
ek_api_login_options_free (EkApiLoginOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->help_contact);
  g_free (options);
}

void
ek_api_messages_free (EkApiMessages *messages)
{
  if (messages == NULL)
    return;
  g_free (messages->cursor);
  g_clear_pointer (&messages->messages, json_array_unref);
  g_free (messages);
}

void
ek_api_message_sent_free (EkApiMessageSent *sent)
{
  if (sent == NULL)
    return;
  g_free (sent->id);
  g_free (sent);
}

void
ek_api_self_check_sent_free (EkApiSelfCheckSent *sent)
{
  if (sent == NULL)
    return;
  g_free (sent->id);
  g_free (sent);
}

void
ek_api_finish_result_free (EkApiFinishResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->segments, json_array_unref);
  g_free (result);
}

void
ek_api_face_result_free (EkApiFaceResult *result)
{
  if (result == NULL)
    return;
  g_free (result->reason);
  g_free (result);
}

void
ek_api_snapshot_sent_free (EkApiSnapshotSent *sent)
{
  if (sent == NULL)
    return;
  g_free (sent->id);
  g_free (sent->sha256);
  g_free (sent);
}

void
ek_api_second_view_code_free (EkApiSecondViewCode *code)
{
  if (code == NULL)
    return;
  g_free (code->qr_payload);
  g_free (code->code);
  g_free (code);
}

void
ek_api_second_view_status_free (EkApiSecondViewStatus *status)
{
  if (status == NULL)
    return;
  g_free (status->device);
  g_free (status);
}

/* Helpers */

/* Checks that every element of @array is an object, and each with @check. */
static gboolean
check_objects (JsonArray   *array,
               const char  *name,
               gboolean   (*check) (JsonObject *object, GError **error),
               GError     **error)
{
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "%s[%u] is not an object", name, i);
          return FALSE;
        }
      if (!check (json_node_get_object (node), error))
        {
          g_prefix_error (error, "%s[%u]: ", name, i);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
check_option (JsonObject  *option,
              GError     **error)
{
  const char *id = NULL;
  const char *text = NULL;

  return ek_json_read_identifier (option, "id", TRUE, &id, error) &&
         ek_json_read_string (option, "text", TRUE, &text, error);
}

static gboolean
check_question (JsonObject  *question,
                GError     **error)
{
  static const char * const types[] = { "oral", "single", "multiple", "true_false", "text", NULL };
  const char *id = NULL;
  const char *type = NULL;
  const char *text = NULL;
  JsonArray *options = NULL;
  gint64 max_length = 0;

  if (!ek_json_read_identifier (question, "id", TRUE, &id, error) ||
      !ek_json_read_string (question, "type", TRUE, &type, error) ||
      !ek_json_read_string (question, "text", TRUE, &text, error) ||
      !ek_json_read_int (question, "max_length", FALSE, 1, G_MAXINT32, &max_length, error))
    return FALSE;

  if (!g_strv_contains (types, type))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "unknown type “%s”", type);
      return FALSE;
    }

  if (g_str_equal (type, "single") || g_str_equal (type, "multiple"))
    {
      if (!ek_json_read_array (question, "options", TRUE, &options, error))
        return FALSE;
      if (json_array_get_length (options) == 0)
        {
          g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "no options");
          return FALSE;
        }
      if (!check_objects (options, "options", check_option, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
check_message (JsonObject  *message,
               GError     **error)
{
  const char *id = NULL;
  const char *kind = NULL;
  const char *text = NULL;
  const char *ref = NULL;
  gint64 sent_ms = 0;

  return ek_json_read_identifier (message, "id", TRUE, &id, error) &&
         ek_json_read_string (message, "kind", TRUE, &kind, error) &&
         ek_json_read_string (message, "text", FALSE, &text, error) &&
         ek_json_read_string (message, "ref", FALSE, &ref, error) &&
         ek_json_read_int (message, "sent_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                           &sent_ms, error);
}

static gboolean
check_segment (JsonObject  *segment,
               GError     **error)
{
  static const char * const statuses[] = { "confirmed", "missing", "mismatch", NULL };
  const char *stream = NULL;
  const char *status = NULL;
  gint64 index = 0;

  if (!ek_json_read_string (segment, "stream", TRUE, &stream, error) ||
      !ek_json_read_int (segment, "index", TRUE, 0, G_MAXINT32, &index, error) ||
      !ek_json_read_string (segment, "status", TRUE, &status, error))
    return FALSE;

  if (!g_strv_contains (statuses, status))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "unknown status “%s”", status);
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_sha256_hex (const char *str)
{
  gsize len = 0;

  for (const char *p = str; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isxdigit (*p))
        return FALSE;
    }
  return len == 64;
}

static gboolean
check_attachment (JsonObject  *attachment,
                  GError     **error)
{
  const char *id = NULL;
  const char *name = NULL;
  const char *media_type = NULL;
  const char *sha256 = NULL;
  gint64 size = 0;

  /* The id becomes a path of the next call: ek_json_read_identifier() refuses
   * "..", "a/b" and the like. */
  if (!ek_json_read_identifier (attachment, "id", TRUE, &id, error) ||
      !ek_json_read_string (attachment, "name", TRUE, &name, error) ||
      !ek_json_read_string (attachment, "media_type", TRUE, &media_type, error) ||
      !ek_json_read_int (attachment, "size", FALSE, 0, G_MAXINT64, &size, error) ||
      !ek_json_read_string (attachment, "sha256", FALSE, &sha256, error))
    return FALSE;

  /* An unknown media type is the page's to refuse: it shows what it can. */
  if (sha256 != NULL && !is_sha256_hex (sha256))
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                           "member “sha256” is not 64 hexadecimal digits");
      return FALSE;
    }

  return TRUE;
}

/* Parsers */

/**
 * ek_api_parse_error_body:
 *
 * Reads a non-2xx answer's body, which must have the protocol's error shape.
 * Optional members that are malformed are left out rather than refusing the error.
 */
EkApiErrorBody *
ek_api_parse_error_body (const char  *data,
                         gsize        length,
                         GError     **error)
{
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(EkApiErrorBody) body = NULL;
  JsonObject *error_object = NULL;
  const char *code = NULL;
  const char *message = NULL;
  const char *last_hash = NULL;
  const char *reason = NULL;
  gint64 last_seq = -1;

  body = g_new0 (EkApiErrorBody, 1);
  body->last_seq = -1;

  root = ek_json_parse_object (data, length, error);
  if (root == NULL ||
      !ek_json_read_object (root, "error", TRUE, &error_object, error) ||
      !ek_json_read_string (error_object, "code", TRUE, &code, error) ||
      !ek_json_read_string (error_object, "message", TRUE, &message, error) ||
      !ek_json_read_int (error_object, "retry_after_ms", FALSE, 0, G_MAXINT32,
                         &body->retry_after_ms, error))
    return NULL;

  body->code = g_strdup (code);
  body->message = g_strdup (message);

  if (ek_json_read_int (error_object, "last_seq", FALSE, 0, G_MAXINT64, &last_seq, NULL))
    body->last_seq = json_object_has_member (error_object, "last_seq") ? last_seq : -1;
  if (ek_json_read_string (error_object, "last_hash", FALSE, &last_hash, NULL) &&
      last_hash != NULL && strlen (last_hash) == 64)
    body->last_hash = g_ascii_strdown (last_hash, -1);
  if (ek_json_read_string (error_object, "reason", FALSE, &reason, NULL) &&
      reason != NULL && (g_strv_contains (face_reasons, reason) ||
                         g_strv_contains (integrity_reasons, reason)))
    body->reason = g_strdup (reason);

  return g_steal_pointer (&body);
}

EkApiHealth *
ek_api_parse_health (JsonObject  *object,
                     GError     **error)
{
  const char *status = NULL;
  const char *version = NULL;
  EkApiHealth *health;
  gint64 protocol = 0;
  gint64 server_time_ms = 0;

  if (!ek_json_read_string (object, "status", TRUE, &status, error) ||
      !ek_json_read_int (object, "protocol", TRUE, 1, G_MAXINT32, &protocol, error) ||
      !ek_json_read_string (object, "min_client_version", TRUE, &version, error) ||
      !ek_json_read_int (object, "server_time_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                         &server_time_ms, error))
    return NULL;

  health = g_new0 (EkApiHealth, 1);
  health->status = g_strdup (status);
  health->protocol = protocol;
  health->min_client_version = g_strdup (version);
  health->server_time_ms = server_time_ms;
  return health;
}

EkApiLoginOptions *
ek_api_parse_login_options (JsonObject  *object,
                            GError     **error)
{
  const char *help_contact = NULL;
  gboolean face_login = FALSE;
  EkApiLoginOptions *options;

  if (!ek_json_read_bool (object, "face_login", TRUE, &face_login, error) ||
      !ek_json_read_string (object, "help_contact", FALSE, &help_contact, error))
    return NULL;

  options = g_new0 (EkApiLoginOptions, 1);
  options->face_login = face_login;
  options->help_contact = g_strdup (help_contact != NULL ? help_contact : "");
  return options;
}

EkApiDraw *
ek_api_parse_draw (JsonObject  *object,
                   GError     **error)
{
  g_autoptr(EkApiDraw) draw = g_new0 (EkApiDraw, 1);

  if (!ek_json_read_int (object, "sequence_number", TRUE, 0, G_MAXINT32, &draw->sequence_number,
                         error))
    return NULL;

  return g_steal_pointer (&draw);
}

/**
 * ek_api_parse_questions:
 * @phase_id: the phase asked for: questions of another phase are refused
 *
 * Returns: (transfer full): the questions, each checked to be an object with a
 *   valid id, a known type, a text, and options where the type has them
 */
JsonArray *
ek_api_parse_questions (JsonObject  *object,
                        const char  *phase_id,
                        GError     **error)
{
  const char *phase = NULL;
  JsonArray *questions = NULL;

  if (!ek_json_read_identifier (object, "phase", TRUE, &phase, error) ||
      !ek_json_read_array (object, "questions", TRUE, &questions, error))
    return NULL;

  if (!g_str_equal (phase, phase_id))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "questions of phase “%s” when “%s” was asked for", phase, phase_id);
      return NULL;
    }

  if (!check_objects (questions, "questions", check_question, error))
    return NULL;

  return json_array_ref (questions);
}

EkApiAnswerStored *
ek_api_parse_answer_stored (JsonObject  *object,
                            GError     **error)
{
  g_autoptr(EkApiAnswerStored) stored = g_new0 (EkApiAnswerStored, 1);

  if (!ek_json_read_int (object, "revision", TRUE, 0, G_MAXINT64, &stored->revision, error) ||
      !ek_json_read_int (object, "stored_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                         &stored->stored_ms, error))
    return NULL;

  return g_steal_pointer (&stored);
}

EkApiEventsAcked *
ek_api_parse_events_acked (JsonObject  *object,
                           GError     **error)
{
  g_autoptr(EkApiEventsAcked) acked = g_new0 (EkApiEventsAcked, 1);

  if (!ek_json_read_int (object, "acked_seq", TRUE, 0, G_MAXINT64, &acked->acked_seq, error))
    return NULL;

  return g_steal_pointer (&acked);
}

EkApiMessages *
ek_api_parse_messages (JsonObject  *object,
                       GError     **error)
{
  const char *cursor = NULL;
  JsonArray *messages = NULL;
  EkApiMessages *result;

  if (!ek_json_read_string (object, "cursor", TRUE, &cursor, error) ||
      !ek_json_read_array (object, "messages", TRUE, &messages, error) ||
      !check_objects (messages, "messages", check_message, error))
    return NULL;

  result = g_new0 (EkApiMessages, 1);
  result->cursor = g_strdup (cursor);
  result->messages = json_array_ref (messages);
  return result;
}

EkApiMessageSent *
ek_api_parse_message_sent (JsonObject  *object,
                           GError     **error)
{
  const char *id = NULL;
  gint64 sent_ms = 0;
  EkApiMessageSent *sent;

  if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
      !ek_json_read_int (object, "sent_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                         &sent_ms, error))
    return NULL;

  sent = g_new0 (EkApiMessageSent, 1);
  sent->id = g_strdup (id);
  sent->sent_ms = sent_ms;
  return sent;
}

EkApiSelfCheckSent *
ek_api_parse_self_check_sent (JsonObject  *object,
                              GError     **error)
{
  const char *id = NULL;
  gint64 received_ms = 0;
  EkApiSelfCheckSent *sent;

  if (!ek_json_read_identifier (object, "id", TRUE, &id, error) ||
      !ek_json_read_int (object, "received_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                         &received_ms, error))
    return NULL;

  sent = g_new0 (EkApiSelfCheckSent, 1);
  sent->id = g_strdup (id);
  sent->received_ms = received_ms;
  return sent;
}

EkApiFinishResult *
ek_api_parse_finish (JsonObject  *object,
                     GError     **error)
{
  JsonArray *segments = NULL;
  gboolean complete = FALSE;
  EkApiFinishResult *result;
  guint n;

  if (!ek_json_read_bool (object, "complete", TRUE, &complete, error) ||
      !ek_json_read_array (object, "segments", TRUE, &segments, error) ||
      !check_objects (segments, "segments", check_segment, error))
    return NULL;

  /* "complete" is only believed when every listed segment says so. */
  n = json_array_get_length (segments);
  for (guint i = 0; complete && i < n; i++)
    {
      JsonObject *segment = json_array_get_object_element (segments, i);
      const char *status = json_object_get_string_member (segment, "status");

      if (!g_str_equal (status, "confirmed"))
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                       "complete, but segments[%u] is %s", i, status);
          return NULL;
        }
    }

  result = g_new0 (EkApiFinishResult, 1);
  result->complete = complete;
  result->segments = json_array_ref (segments);
  return result;
}

EkApiFaceResult *
ek_api_parse_face (JsonObject  *object,
                   GError     **error)
{
  g_autoptr(EkApiFaceResult) face = NULL;
  const char *result = NULL;
  const char *reason = NULL;
  JsonNode *score;

  if (!ek_json_read_string (object, "result", TRUE, &result, error))
    return NULL;
  if (!g_str_equal (result, "match") && !g_str_equal (result, "no_match"))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "unknown result “%s”", result);
      return NULL;
    }

  face = g_new0 (EkApiFaceResult, 1);
  face->match = g_str_equal (result, "match");
  face->attempts_left = -1;
  if (!ek_json_read_int (object, "attempts_left", FALSE, 0, G_MAXINT32, &face->attempts_left, error))
    return NULL;

  /* The score is a float the deployment may leave out; rounded to 1/10000 as the
   * protocol states it. */
  score = json_object_get_member (object, "score");
  face->score = -1.0;
  if (score != NULL && JSON_NODE_HOLDS_VALUE (score) &&
      (json_node_get_value_type (score) == G_TYPE_DOUBLE ||
       json_node_get_value_type (score) == G_TYPE_INT64))
    face->score = ((gint64) (CLAMP (json_node_get_double (score), 0.0, 1.0) * 10000 + 0.5)) / 10000.0;

  if (json_object_has_member (object, "reason") && !json_object_get_null_member (object, "reason"))
    {
      if (!ek_json_read_string (object, "reason", FALSE, &reason, error))
        return NULL;
      /* A newer server's reason is still a refusal; keep it only when known. */
      if (g_strv_contains (face_reasons, reason))
        face->reason = g_strdup (reason);
    }

  return g_steal_pointer (&face);
}

EkApiSnapshotSent *
ek_api_parse_snapshot_sent (JsonObject  *object,
                            GError     **error)
{
  const char *id = NULL;
  const char *sha256 = NULL;
  EkApiSnapshotSent *sent;

  if (!ek_json_read_string (object, "id", TRUE, &id, error) ||
      !ek_json_read_string (object, "sha256", FALSE, &sha256, error))
    return NULL;

  sent = g_new0 (EkApiSnapshotSent, 1);
  sent->id = g_strdup (id);
  sent->sha256 = g_strdup (sha256);
  return sent;
}

gboolean
ek_api_parse_time_sample (JsonObject       *object,
                          EkApiTimeSample  *sample,
                          GError          **error)
{
  return ek_json_read_int (object, "receive_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                           &sample->receive_ms, error) &&
         ek_json_read_int (object, "transmit_ms", TRUE, EK_API_MIN_TIME_MS, EK_API_MAX_TIME_MS,
                           &sample->transmit_ms, error);
}

EkApiSecondViewCode *
ek_api_parse_second_view_code (JsonObject  *object,
                               GError     **error)
{
  const char *payload = NULL;
  const char *code = NULL;
  EkApiSecondViewCode *result;
  gint64 expires_ms = 0;

  if (!ek_json_read_string (object, "qr_payload", TRUE, &payload, error) ||
      !ek_json_read_string (object, "code", FALSE, &code, error) ||
      !ek_json_read_int (object, "expires_ms", FALSE, 0, EK_API_MAX_TIME_MS, &expires_ms, error))
    return NULL;

  if (*payload == '\0')
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE, "member “qr_payload” is empty");
      return NULL;
    }

  result = g_new0 (EkApiSecondViewCode, 1);
  result->qr_payload = g_strdup (payload);
  result->code = g_strdup (code != NULL ? code : "");
  result->expires_ms = expires_ms;
  return result;
}

EkApiSecondViewStatus *
ek_api_parse_second_view_status (JsonObject  *object,
                                 GError     **error)
{
  const char *status = NULL;
  const char *device = NULL;
  EkApiSecondViewStatus *result;
  gint64 bound_ms = 0;

  if (!ek_json_read_string (object, "status", TRUE, &status, error) ||
      !ek_json_read_string (object, "device", FALSE, &device, error) ||
      !ek_json_read_int (object, "bound_ms", FALSE, 0, EK_API_MAX_TIME_MS, &bound_ms, error))
    return NULL;

  /* Any other status is a newer server's way of saying "not yet". */
  result = g_new0 (EkApiSecondViewStatus, 1);
  result->bound = g_str_equal (status, "bound");
  result->device = g_strdup (device != NULL ? device : "");
  result->bound_ms = bound_ms;
  return result;
}

/**
 * ek_api_parse_attachments:
 *
 * Returns: (transfer full): the attachments, each checked to be an object with an
 *   id that is safe in a path, a name, a media type, and a size and a SHA-256
 *   where given
 */
JsonArray *
ek_api_parse_attachments (JsonObject  *object,
                          GError     **error)
{
  JsonArray *attachments = NULL;

  if (!ek_json_read_array (object, "attachments", TRUE, &attachments, error) ||
      !check_objects (attachments, "attachments", check_attachment, error))
    return NULL;

  return json_array_ref (attachments);
}
