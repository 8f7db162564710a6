/* ek-outbox-finish.c: the end of the recording's way to the server
 *
 * ek_outbox_finish_async() waits until every segment is uploaded, then asks the exam
 * server (POST /v1/session/finish) to confirm every segment's SHA-256. A segment it
 * reports `missing` or `mismatch` is hashed again on this computer: when the file is
 * still what was hashed it goes up again as a new upload, else it is rejected (nothing
 * can fix a file that changed). A stock tus server has no finish endpoint: there every
 * byte accepted is all there is to know.
 */

#include "config.h"

#include "ek-outbox-private.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-upload-hash.h"

static void
finish_return (EkOutbox *self,
               GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->finish_task);

  if (self->finish_cancel_source != NULL)
    {
      g_source_destroy (self->finish_cancel_source);
      g_clear_pointer (&self->finish_cancel_source, g_source_unref);
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  EkSegment *segment = task_data;
  guint8 digest[EK_UPLOAD_SHA256_LENGTH];
  char hex[2 * EK_UPLOAD_SHA256_LENGTH + 1];
  GStatBuf st;

  /* Exactly the bytes that were hashed when the segment closed, no more, no fewer. */
  if (g_stat (ek_segment_get_path (segment), &st) != 0 ||
      (guint64) st.st_size != ek_segment_get_size (segment) ||
      !ek_upload_sha256_range (ek_segment_get_path (segment), 0, ek_segment_get_size (segment),
                               NULL, digest, NULL))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }

  for (guint i = 0; i < EK_UPLOAD_SHA256_LENGTH; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  g_task_return_boolean (task, g_ascii_strcasecmp (hex, ek_segment_get_sha256 (segment)) == 0);
}

static void
on_verified_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  EkOutbox *self = EK_OUTBOX (source);
  EkSegment *segment = g_task_get_task_data (G_TASK (result));
  Item *item = _ek_outbox_find_item (self, ek_segment_get_stream (segment), ek_segment_get_index (segment));

  if (item == NULL || !item->verifying)
    return;
  item->verifying = FALSE;

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    _ek_outbox_item_reset (self, item);
  else
    {
      g_warning ("Outbox: segment %s/%u differs from its hash on this computer: it cannot be uploaded again",
                 ek_segment_get_stream (segment), ek_segment_get_index (segment));
      _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_REJECTED);
    }

  _ek_outbox_update_progress (self);
  _ek_outbox_schedule (self);
}

/* The server has other bytes than we hashed: send them again, unless the file on
 * this computer is what changed (then nothing can fix it). */
static void
reupload_item (EkOutbox *self,
               Item     *item)
{
  g_autoptr(GTask) task = NULL;

  if (item->job != NULL || item->verifying)
    return;

  item->verifying = TRUE;
  item->state = EK_OUTBOX_STATE_PENDING;
  task = g_task_new (self, self->cancellable, on_verified_cb, NULL);
  g_task_set_source_tag (task, reupload_item);
  g_task_set_name (task, "[ek-outbox] verify segment");
  g_task_set_task_data (task, ek_segment_ref (item->segment), (GDestroyNotify) ek_segment_unref);
  g_task_run_in_thread (task, verify_thread);
}

static void
on_finish_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkOutbox) self = user_data;
  g_autoptr(JsonArray) statuses = NULL;
  g_autoptr(GError) error = NULL;
  gboolean complete = FALSE;
  guint again = 0, lost = 0;

  self->finish_call_running = FALSE;
  if (!ek_api_client_finish_finish (EK_API_CLIENT (source), result, &complete, &statuses, &error))
    {
      if (self->finish_task == NULL)
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !ek_api_error_is_transient (error))
        {
          finish_return (self, g_steal_pointer (&error));
          return;
        }
      g_debug ("Outbox: finish failed, trying again: %s", error->message);
      _ek_outbox_back_off (self);
      return;
    }

  for (guint i = 0; statuses != NULL && i < json_array_get_length (statuses); i++)
    {
      JsonObject *object = json_array_get_object_element (statuses, i);
      const char *stream, *status;
      Item *item;

      if (object == NULL)
        continue;
      stream = json_object_get_string_member_with_default (object, "stream", "");
      status = json_object_get_string_member_with_default (object, "status", "");
      item = _ek_outbox_find_item (self, stream, (guint) json_object_get_int_member_with_default (object, "index", -1));
      if (item == NULL || item->state == EK_OUTBOX_STATE_REJECTED)
        continue;

      if (g_str_equal (status, "confirmed"))
        {
          if (item->state != EK_OUTBOX_STATE_CONFIRMED)
            _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_CONFIRMED);
        }
      else
        {
          g_debug ("Outbox: the server reports %s/%u %s", stream,
                   ek_segment_get_index (item->segment), status);
          reupload_item (self, item);
          again++;
        }
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (item->state == EK_OUTBOX_STATE_REJECTED)
        lost++;
    }

  ek_backoff_succeed (&self->backoff);
  _ek_outbox_update_progress (self);

  if (self->finish_task == NULL)
    return;

  if (complete && again == 0 && lost == 0)
    {
      _ek_outbox_set_complete (self, TRUE);
      finish_return (self, NULL);
    }
  else if (again == 0 || ++self->finish_rounds >= EK_OUTBOX_MAX_FINISH_ROUNDS)
    {
      finish_return (self, g_error_new_literal (EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_NOT_CONFIRMED,
                                                _("The exam server could not confirm the whole recording. Contact your technician before you leave.")));
    }
  else
    _ek_outbox_schedule (self);
}

void
_ek_outbox_check_finish (EkOutbox *self)
{
  g_autoptr(JsonArray) segments = NULL;
  guint lost = 0;

  if (self->finish_task == NULL || self->finish_call_running || !self->ready)
    return;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (!_ek_outbox_item_is_done (item))
        return;   /* not yet: this runs again after every upload */
      if (item->state == EK_OUTBOX_STATE_REJECTED)
        lost++;
    }

  if (self->api_client == NULL)
    {
      /* A stock tus server: every byte accepted is all there is to know. */
      if (lost > 0)
        {
          finish_return (self, g_error_new_literal (EK_OUTBOX_ERROR, EK_OUTBOX_ERROR_LOST_SEGMENTS,
                                                    _("Part of the recording could not be uploaded because its files on this computer are damaged. Contact your technician before you leave.")));
          return;
        }
      _ek_outbox_set_complete (self, TRUE);
      finish_return (self, NULL);
      return;
    }

  if (self->backoff_source != NULL)
    return;

  segments = json_array_new ();
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "stream", ek_segment_get_stream (item->segment));
      json_object_set_int_member (object, "index", ek_segment_get_index (item->segment));
      json_object_set_int_member (object, "size", (gint64) ek_segment_get_size (item->segment));
      json_object_set_string_member (object, "sha256", ek_segment_get_sha256 (item->segment));
      if (item->url != NULL)
        json_object_set_string_member (object, "upload_url", item->url);
      json_array_add_object_element (segments, object);
    }

  self->finish_call_running = TRUE;
  ek_api_client_finish_async (self->api_client, segments,
                              g_task_get_cancellable (self->finish_task),
                              on_finish_done_cb, g_object_ref (self));
}

static gboolean
on_finish_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  EkOutbox *self = user_data;
  GError *error = NULL;

  g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
  finish_return (self, error);
  return G_SOURCE_REMOVE;
}


/**
 * ek_outbox_finish_async:
 * @cancellable: (nullable): gives up waiting; the uploads go on
 *
 * Call when the recording has ended and every segment was added: completes when the
 * exam server has confirmed every segment's hash (segments it reports missing or
 * different are uploaded again), or with an %EK_OUTBOX_ERROR when that cannot
 * happen. Network failures do not end it: it waits and tries again, so bind a
 * cancellable to the candidate's patience. Sets #EkOutbox:complete on success.
 */
void
ek_outbox_finish_async (EkOutbox            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_OUTBOX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_outbox_finish_async);
  g_task_set_name (task, "[ek-outbox] finish");

  if (self->finish_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "the outbox is already finishing");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->finish_task = g_steal_pointer (&task);
  self->finish_rounds = 0;
  if (cancellable != NULL)
    {
      self->finish_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_static_name (self->finish_cancel_source, "[ek-outbox finish cancel]");
      g_source_set_callback (self->finish_cancel_source, G_SOURCE_FUNC (on_finish_cancelled_cb),
                             self, NULL);
      g_source_attach (self->finish_cancel_source, g_main_context_get_thread_default ());
    }

  _ek_outbox_schedule (self);
}

gboolean
ek_outbox_finish_finish (EkOutbox      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_outbox_finish_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
