/* ek-answer-store-sync.c: the answer store's way to the server
 *
 * Pushes are PUT /v1/session/answers/ID, at most MAX_PUSHES_IN_FLIGHT at a time and one
 * at a time per question; a conflict, a re-entry and a restart compare with GET
 * /v1/session/answers by the rules at the top of ek-answer-store.c. Transient failures
 * retry with backoff (ek-backoff.h) and at once when the network comes back.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-answer-store-private.h"
#include "ek-json.h"

static void
push_data_free (PushData *data)
{
  g_free (data->question_id);
  g_free (data);
}

static gboolean
on_retry_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;

  self->retry_source_id = 0;
  if (self->need_reconcile)
    _ek_answer_store_start_reconcile (self);
  else
    _ek_answer_store_schedule_push (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (EkAnswerStore *self)
{
  guint delay;

  if (self->retry_source_id != 0 || self->sync_stopped)
    return;

  /* Full jitter, so a room full of kiosks does not come back at once */
  delay = ek_backoff_fail (&self->backoff);
  self->retry_source_id = g_timeout_add (delay, on_retry_cb, self);
}

/* Sorts a failure of a push or of GET answers. A conflict is no failure for the
 * waiters: the comparison that follows resolves it. */
static void
handle_sync_error (EkAnswerStore *self,
                   const GError  *error,
                   const char    *question_id)
{
  if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_ALREADY_SUBMITTED) ||
      g_error_matches (error, EK_API_ERROR, EK_API_ERROR_EXAM_OVER))
    {
      gboolean was_stopped = self->sync_stopped;

      g_debug ("The server takes no more answers (%s): pushing stops",
               ek_api_error_code_to_string (error->code));
      self->sync_stopped = TRUE;
      self->need_reconcile = FALSE;
      g_clear_handle_id (&self->retry_source_id, g_source_remove);
      _ek_answer_store_set_read_only_internal (self);
      if (!was_stopped)
        _ek_answer_store_notify_sync_stopped (self);
    }
  else if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_CONFLICT))
    {
      g_debug ("Conflict on %s: comparing with the server", question_id);
      self->need_reconcile = TRUE;
      return;
    }
  else
    {
      schedule_retry (self);
    }

  _ek_answer_store_emit_sync_failed (self, question_id, error);
  _ek_answer_store_complete_waiters (&self->sync_waiters, error);
}

static void
on_put_answer_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PushData *data = user_data;
  EkAnswerStore *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 stored_revision = -1;
  Answer *answer;

  ek_api_client_put_answer_finish (EK_API_CLIENT (source), result, &stored_revision, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The store may be gone: do not touch it. */
      push_data_free (data);
      return;
    }

  self->n_in_flight--;
  answer = g_hash_table_lookup (self->answers, data->question_id);
  g_assert (answer != NULL);
  answer->in_flight = FALSE;

  if (error == NULL)
    {
      ek_backoff_succeed (&self->backoff);
      if (stored_revision > answer->confirmed && stored_revision <= answer->revision)
        {
          answer->confirmed = stored_revision;
          _ek_answer_store_queue_answer_write (self, answer);
        }
    }
  else if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_BAD_REQUEST) ||
           g_error_matches (error, EK_API_ERROR, EK_API_ERROR_NOT_FOUND) ||
           g_error_matches (error, EK_API_ERROR, EK_API_ERROR_PAYLOAD_TOO_LARGE))
    {
      g_warning ("The server refused the answer to %s (revision %" G_GINT64_FORMAT "): %s",
                 data->question_id, data->revision, ek_api_error_code_to_string (error->code));
      answer->rejected = data->revision;
      _ek_answer_store_emit_sync_failed (self, data->question_id, error);
      _ek_answer_store_complete_waiters (&self->sync_waiters, error);
    }
  else
    {
      handle_sync_error (self, error, data->question_id);
    }

  _ek_answer_store_update_counts (self);
  push_data_free (data);

  if (self->need_reconcile && self->n_in_flight == 0)
    _ek_answer_store_start_reconcile (self);
  else
    _ek_answer_store_schedule_push (self);
  _ek_answer_store_check_sync_waiters (self);
}

static void
push_answer (EkAnswerStore *self,
             Answer        *answer)
{
  PushData *data = g_new0 (PushData, 1);

  data->self = self;
  data->question_id = g_strdup (answer->question_id);
  data->revision = answer->revision;

  answer->in_flight = TRUE;
  self->n_in_flight++;
  ek_api_client_put_answer_async (self->api, answer->question_id, answer->revision,
                                  answer->value, answer->changed_ms, self->cancellable,
                                  on_put_answer_cb, data);
}

void
_ek_answer_store_schedule_push (EkAnswerStore *self)
{
  GHashTableIter iter;
  Answer *answer;

  if (self->api == NULL || self->sync_stopped || self->retry_source_id != 0 ||
      self->reconciling || self->need_reconcile || !ek_api_client_has_session_token (self->api))
    return;

  g_hash_table_iter_init (&iter, self->answers);
  while (self->n_in_flight < MAX_PUSHES_IN_FLIGHT &&
         g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
    if (_ek_answer_store_answer_is_pending (answer) && !answer->in_flight)
      push_answer (self, answer);
}

/* Applies the server's answers by the rules at the top of this file. */
static gboolean
merge_server_answers (EkAnswerStore  *self,
                      JsonArray      *array,
                      GError        **error)
{
  g_autoptr(GHashTable) on_server = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  Answer *answer;

  /* Check the whole answer before changing anything. */
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      const char *question_id;
      gint64 revision;
      EkQuestion *question;

      /* A value that does not fit its question would reach the question's view as
       * the candidate's answer (a text where a choice belongs). */
      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !ek_json_read_identifier ((object = json_node_get_object (element)), "question_id",
                                    TRUE, &question_id, error) ||
          !ek_json_read_int (object, "revision", TRUE, 0, G_MAXINT64, &revision, error) ||
          !json_object_has_member (object, "value") ||
          ((question = g_hash_table_lookup (self->questions, question_id)) != NULL &&
           ek_question_takes_answer (question) &&
           !ek_question_validate_value (question, json_object_get_member (object, "value"), NULL)))
        {
          g_clear_error (error);
          g_set_error_literal (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE,
                               _("The exam server sent a malformed answer list."));
          return FALSE;
        }
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      const char *question_id = json_object_get_string_member (object, "question_id");
      gint64 revision = json_object_get_int_member (object, "revision");
      JsonNode *value = json_object_get_member (object, "value");

      g_hash_table_add (on_server, (gpointer) question_id);
      answer = g_hash_table_lookup (self->answers, question_id);
      if (answer == NULL)
        {
          answer = _ek_answer_store_answer_new (question_id);
          g_hash_table_insert (self->answers, answer->question_id, answer);
        }

      if (revision >= answer->revision)
        {
          gboolean same = json_node_equal (answer->value, value);

          if (!same || revision != answer->revision || answer->confirmed != revision)
            {
              if (!same)
                {
                  json_node_unref (answer->value);
                  answer->value = json_node_copy (value);
                  g_ptr_array_add (changed, g_strdup (question_id));
                }
              answer->revision = revision;
              answer->confirmed = revision;
              answer->rejected = 0;
              _ek_answer_store_queue_answer_write (self, answer);
            }
        }
      else if (answer->confirmed != revision)
        {
          /* Ours is newer: keep it pending from what the server really has. */
          answer->confirmed = revision;
          _ek_answer_store_queue_answer_write (self, answer);
        }
    }

  g_hash_table_iter_init (&iter, self->answers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
    if (answer->confirmed > 0 && !g_hash_table_contains (on_server, answer->question_id))
      {
        answer->confirmed = 0;
        _ek_answer_store_queue_answer_write (self, answer);
      }

  _ek_answer_store_update_counts (self);
  for (guint i = 0; i < changed->len; i++)
    _ek_answer_store_emit_answer_changed (self, g_ptr_array_index (changed, i));

  return TRUE;
}

/**
 * _ek_answer_store_apply_server_answers:
 * @object: the answer of `GET /v1/session/answers`
 *
 * Checks the server's answer list (every entry, and every value against its question
 * when the question is known) and applies it; nothing changes when any of it is wrong.
 *
 * Returns: %FALSE with %EK_API_ERROR_MALFORMED_RESPONSE when the list is malformed
 */
gboolean
_ek_answer_store_apply_server_answers (EkAnswerStore  *self,
                                       JsonObject     *object,
                                       GError        **error)
{
  JsonArray *array = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!ek_json_read_array (object, "answers", TRUE, &array, &local_error) ||
      !merge_server_answers (self, array, &local_error))
    {
      g_debug ("The server's answer list: %s", local_error->message);
      g_set_error_literal (error, EK_API_ERROR, EK_API_ERROR_MALFORMED_RESPONSE,
                           _("The exam server sent a malformed answer list."));
      return FALSE;
    }
  return TRUE;
}

static void
on_get_answers_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  EkAnswerStore *self = user_data;  /* borrowed: dispose cancels the call */
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  object = ek_api_client_call_finish (EK_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->reconciling = FALSE;

  if (object != NULL)
    _ek_answer_store_apply_server_answers (self, object, &error);

  if (error != NULL)
    {
      g_debug ("Cannot compare the answers with the server: %s", error->message);
      handle_sync_error (self, error, NULL);
      if (!self->sync_stopped)
        {
          self->need_reconcile = TRUE;
          schedule_retry (self);
        }
      return;
    }

  self->need_reconcile = FALSE;
  ek_backoff_succeed (&self->backoff);
  _ek_answer_store_schedule_push (self);
  _ek_answer_store_check_sync_waiters (self);
}

void
_ek_answer_store_start_reconcile (EkAnswerStore *self)
{
  if (self->api == NULL || self->sync_stopped || self->reconciling)
    return;

  /* Wait for the pushes under way: their answers are part of the picture. */
  self->need_reconcile = TRUE;
  if (self->n_in_flight > 0)
    return;

  self->reconciling = TRUE;
  ek_api_client_call_async (self->api, "GET", "/v1/session/answers", NULL,
                            EK_API_CALL_IDEMPOTENT, self->cancellable,
                            on_get_answers_cb, self);
}

void
_ek_answer_store_network_changed_cb (GNetworkMonitor *monitor,
                                     gboolean         available,
                                     gpointer         user_data)
{
  EkAnswerStore *self = user_data;

  /* Back online: do not wait for the backoff. */
  if (available && self->retry_source_id != 0)
    {
      g_clear_handle_id (&self->retry_source_id, g_source_remove);
      ek_backoff_succeed (&self->backoff);
      on_retry_cb (self);
    }
}

