/* ek-outbox.c: the durable queue of recording segments on their way to the server
 *
 * The state lives twice: in memory on the main context (Item, what decisions are made
 * from) and in SQLite (what survives a crash). The main context never touches the
 * database: each change hands a snapshot of the row to the store's worker thread
 * (ek-outbox-store.c), so writes happen in order and the main loop never waits on an
 * fsync. The confirmation round at the end is in ek-outbox-finish.c.
 */

#include "config.h"

#include "ek-outbox-private.h"

#include <string.h>

#define RATE_INTERVAL_MS 1000
#define RATE_SMOOTHING   0.3

enum {
  PROP_0,
  PROP_PATH,
  PROP_SESSION_ID,
  PROP_TUS_CLIENT,
  PROP_API_CLIENT,
  PROP_PAUSED,
  PROP_MAX_PARALLEL,
  PROP_BYTES_TOTAL,
  PROP_BYTES_SENT,
  PROP_RATE,
  PROP_ETA_SECONDS,
  PROP_SEGMENTS_TOTAL,
  PROP_SEGMENTS_PENDING,
  PROP_WAITING,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ek_outbox_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EkOutbox, ek_outbox, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      ek_outbox_async_initable_iface_init))
G_DEFINE_QUARK (ek-outbox-error-quark, ek_outbox_error)

static const char * const state_names[] = {
  [EK_OUTBOX_STATE_PENDING] = "pending",
  [EK_OUTBOX_STATE_UPLOADING] = "uploading",
  [EK_OUTBOX_STATE_UPLOADED] = "uploaded",
  [EK_OUTBOX_STATE_CONFIRMED] = "confirmed",
  [EK_OUTBOX_STATE_REJECTED] = "rejected",
};

/* Helpers: items */

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->segment, ek_segment_unref);
  g_free (item->url);
  g_free (item);
}

Item *
_ek_outbox_find_item (EkOutbox   *self,
                      const char *stream,
                      guint       index)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);

      if (ek_segment_get_index (item->segment) == index &&
          g_str_equal (ek_segment_get_stream (item->segment), stream))
        return item;
    }
  return NULL;
}

gboolean
_ek_outbox_item_is_done (Item *item)
{
  return item->state == EK_OUTBOX_STATE_UPLOADED ||
         item->state == EK_OUTBOX_STATE_CONFIRMED ||
         item->state == EK_OUTBOX_STATE_REJECTED;
}

static void
store_item (EkOutbox *self,
            Item     *item,
            gboolean  durable,
            GTask    *committed)
{
  EkOutboxRow *row = g_new0 (EkOutboxRow, 1);

  row->stream = g_strdup (ek_segment_get_stream (item->segment));
  row->index = ek_segment_get_index (item->segment);
  row->seq = item->seq;
  row->path = g_strdup (ek_segment_get_path (item->segment));
  row->size = ek_segment_get_size (item->segment);
  row->sha256 = g_strdup (ek_segment_get_sha256 (item->segment));
  row->start_ns = ek_segment_get_start_ns (item->segment);
  row->end_ns = ek_segment_get_end_ns (item->segment);
  row->url = g_strdup (item->url);
  row->offset = item->offset;
  row->state = item->state;

  ek_outbox_store_write (self->store, row, durable, committed);
}

void
_ek_outbox_item_set_state (EkOutbox      *self,
                           Item          *item,
                           EkOutboxState  state)
{
  item->state = state;
  store_item (self, item, TRUE, NULL);
}

/* Back to the start: a new tus upload of the same file. */
void
_ek_outbox_item_reset (EkOutbox *self,
                       Item     *item)
{
  g_clear_pointer (&item->url, g_free);
  item->offset = 0;
  item->sending = 0;
  _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_PENDING);
}

/* Helpers: progress */

static gboolean
set_uint64 (guint64 *field,
            guint64  value)
{
  if (*field == value)
    return FALSE;
  *field = value;
  return TRUE;
}

static void
notify_if (EkOutbox *self,
           gboolean  changed,
           guint     prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_eta (EkOutbox *self)
{
  guint64 remaining = self->bytes_total - MIN (self->bytes_sent, self->bytes_total);
  gint64 eta;

  if (remaining == 0)
    eta = 0;
  else if (self->rate >= 1.0)
    eta = (gint64) ((double) remaining / self->rate + 0.5);
  else
    eta = -1;

  if (self->eta_seconds != eta)
    {
      self->eta_seconds = eta;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ETA_SECONDS]);
    }
}

static gboolean
on_rate_tick_cb (gpointer user_data)
{
  EkOutbox *self = user_data;
  gint64 now = g_get_monotonic_time ();
  double seconds = (now - self->rate_last_us) / (double) G_USEC_PER_SEC;
  double sample, rate;

  if (seconds <= 0)
    return G_SOURCE_CONTINUE;

  sample = (self->transmitted - self->rate_last_transmitted) / seconds;
  self->rate_last_transmitted = self->transmitted;
  self->rate_last_us = now;

  /* An exponential moving average: steady enough to read, quick enough to follow. */
  rate = self->rate <= 0 ? sample : RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * self->rate;
  if (self->jobs->len == 0 && rate < 1.0)
    rate = 0;

  if (self->rate != rate)
    {
      self->rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
    }
  update_eta (self);

  if (self->jobs->len == 0 && rate == 0)
    {
      g_clear_pointer (&self->rate_source, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_rate_timer (EkOutbox *self)
{
  if (self->rate_source != NULL)
    return;

  self->rate_last_transmitted = self->transmitted;
  self->rate_last_us = g_get_monotonic_time ();
  self->rate_source = g_timeout_source_new (RATE_INTERVAL_MS);
  g_source_set_static_name (self->rate_source, "[ek-outbox rate]");
  g_source_set_callback (self->rate_source, on_rate_tick_cb, self, NULL);
  g_source_attach (self->rate_source, g_main_context_get_thread_default ());
}

void
_ek_outbox_update_progress (EkOutbox *self)
{
  guint64 total = 0, sent = 0;
  guint pending = 0;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = g_ptr_array_index (self->items, i);
      guint64 size = ek_segment_get_size (item->segment);

      total += size;
      if (_ek_outbox_item_is_done (item))
        sent += size;
      else
        {
          sent += MIN (item->offset + item->sending, size);
          pending++;
        }
    }

  g_object_freeze_notify (G_OBJECT (self));
  notify_if (self, set_uint64 (&self->bytes_total, total), PROP_BYTES_TOTAL);
  notify_if (self, set_uint64 (&self->bytes_sent, sent), PROP_BYTES_SENT);
  if (self->segments_total != self->items->len)
    {
      self->segments_total = self->items->len;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENTS_TOTAL]);
    }
  if (self->segments_pending != pending)
    {
      self->segments_pending = pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENTS_PENDING]);
    }
  update_eta (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ek_outbox_set_complete (EkOutbox *self,
                         gboolean  complete)
{
  if (self->complete == complete)
    return;
  self->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

static void
set_waiting (EkOutbox *self,
             gboolean  waiting)
{
  if (self->waiting == waiting)
    return;
  self->waiting = waiting;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}

/* Backoff: after a failure nothing starts for a while, whatever segment it was, since
 * what fails one upload (the network) usually fails them all. */

static gboolean
on_backoff_done_cb (gpointer user_data)
{
  EkOutbox *self = user_data;

  g_clear_pointer (&self->backoff_source, g_source_unref);
  set_waiting (self, FALSE);
  _ek_outbox_schedule (self);

  return G_SOURCE_REMOVE;
}

void
_ek_outbox_back_off (EkOutbox *self)
{
  guint delay = ek_backoff_fail (&self->backoff);

  if (self->backoff_source != NULL)
    {
      g_source_destroy (self->backoff_source);
      g_clear_pointer (&self->backoff_source, g_source_unref);
    }

  g_debug ("Outbox: failure %u in a row, waiting %u ms", self->backoff.failures, delay);
  self->backoff_source = g_timeout_source_new (delay);
  g_source_set_static_name (self->backoff_source, "[ek-outbox backoff]");
  g_source_set_callback (self->backoff_source, on_backoff_done_cb, self, NULL);
  g_source_attach (self->backoff_source, g_main_context_get_thread_default ());
  set_waiting (self, TRUE);
}

/* Uploads */

static void
job_free (Job *job)
{
  g_clear_pointer (&job->segment, ek_segment_unref);
  g_clear_object (&job->cancellable);
  g_free (job);
}

static void
job_forget (Job *job)
{
  if (job->item != NULL)
    job->item->job = NULL;
  job->item = NULL;
  g_cancellable_cancel (job->cancellable);
}

static void
on_upload_event_cb (EkTusUploadEvent  event,
                    const char       *url,
                    guint64           offset,
                    guint64           sending,
                    gpointer          user_data)
{
  Job *job = user_data;
  EkOutbox *self = job->outbox;
  Item *item = job->item;

  if (self == NULL || item == NULL)
    return;

  switch (event)
    {
    case EK_TUS_UPLOAD_CREATED:
      /* Stored by on_save_url_cb(), which the upload waits for. */
      break;

    case EK_TUS_UPLOAD_OFFSET:
      if (offset > item->offset)
        ek_backoff_succeed (&self->backoff);
      item->offset = offset;
      item->sending = 0;
      if (item->state == EK_OUTBOX_STATE_PENDING)
        _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_UPLOADING);
      else
        store_item (self, item, FALSE, NULL);
      break;

    case EK_TUS_UPLOAD_SENDING:
      if (sending > item->sending)
        self->transmitted += sending - item->sending;
      item->sending = sending;
      break;

    default:
      g_assert_not_reached ();
    }

  _ek_outbox_update_progress (self);
}

/* The URL is what lets a restarted kiosk go on: it is committed (synchronous=FULL)
 * before the tus client sends any byte to it, so a kill at any moment leaves either no
 * URL on disk and an empty upload on the server, or the URL and a resumable upload. */
static void
on_save_url_cb (const char *url,
                GTask      *saved,
                gpointer    user_data)
{
  Job *job = user_data;
  EkOutbox *self = job->outbox;
  Item *item = job->item;

  /* Paused meanwhile: the upload stops, but the URL is kept for when it goes on, so
   * that no empty upload is left behind. Not when the segment was replaced. */
  if (self != NULL && item == NULL)
    {
      item = _ek_outbox_find_item (self, ek_segment_get_stream (job->segment),
                                   ek_segment_get_index (job->segment));
      if (item != NULL && (item->segment != job->segment || item->url != NULL || item->job != NULL))
        item = NULL;
    }

  if (self == NULL || item == NULL)
    {
      g_task_return_new_error (saved, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the upload was stopped");
      return;
    }

  g_free (item->url);
  item->url = g_strdup (url);
  item->offset = 0;
  item->sending = 0;
  item->state = EK_OUTBOX_STATE_UPLOADING;
  store_item (self, item, TRUE, saved);
  _ek_outbox_update_progress (self);
}

static void
on_upload_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(EkOutbox) self = job->outbox ? g_object_ref (job->outbox) : NULL;
  Item *item = job->item;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  url = ek_tus_client_upload_finish (EK_TUS_CLIENT (source), result, &error);

  if (self != NULL)
    g_ptr_array_remove (self->jobs, job);
  if (item != NULL)
    item->job = NULL;
  job_free (job);

  if (self == NULL || item == NULL)
    {
      if (self != NULL)
        _ek_outbox_schedule (self);
      return;
    }

  item->sending = 0;
  if (url != NULL)
    {
      g_debug ("Outbox: %s/%u uploaded", ek_segment_get_stream (item->segment),
               ek_segment_get_index (item->segment));
      g_free (item->url);
      item->url = g_steal_pointer (&url);
      item->offset = ek_segment_get_size (item->segment);
      ek_backoff_succeed (&self->backoff);
      _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_UPLOADED);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* paused: it goes on from the server's offset when resumed */
    }
  else if (g_error_matches (error, EK_TUS_ERROR, EK_TUS_ERROR_FILE))
    {
      g_warning ("Outbox: segment %s/%u cannot be uploaded: %s",
                 ek_segment_get_stream (item->segment), ek_segment_get_index (item->segment),
                 error->message);
      _ek_outbox_item_set_state (self, item, EK_OUTBOX_STATE_REJECTED);
    }
  else
    {
      /* Whatever the server said, the segment is kept and tried again later. */
      g_debug ("Outbox: %s/%u: %s", ek_segment_get_stream (item->segment),
               ek_segment_get_index (item->segment), error->message);
      _ek_outbox_back_off (self);
    }

  _ek_outbox_update_progress (self);
  _ek_outbox_schedule (self);
}

static void
start_upload (EkOutbox *self,
              Item     *item)
{
  EkSegment *segment = item->segment;
  g_autofree char *index = g_strdup_printf ("%u", ek_segment_get_index (segment));
  g_autofree char *filename = g_path_get_basename (ek_segment_get_path (segment));
  const char *metadata[] = {
    "session", self->session_id,
    "stream", ek_segment_get_stream (segment),
    "segment", index,
    "sha256", ek_segment_get_sha256 (segment),
    "filename", filename,
    NULL
  };
  Job *job = g_new0 (Job, 1);

  job->outbox = self;
  job->item = item;
  job->segment = ek_segment_ref (segment);
  job->cancellable = g_cancellable_new ();
  item->job = job;
  g_ptr_array_add (self->jobs, job);

  g_debug ("Outbox: uploading %s/%u (%s)", ek_segment_get_stream (segment),
           ek_segment_get_index (segment), item->url ? "resuming" : "new");
  ek_tus_client_upload_durable_async (self->tus_client, ek_segment_get_path (segment),
                                      ek_segment_get_size (segment), metadata, item->url,
                                      on_upload_event_cb, on_save_url_cb, job, NULL,
                                      job->cancellable, on_upload_done_cb, job);
  ensure_rate_timer (self);
}

void
_ek_outbox_schedule (EkOutbox *self)
{
  if (self->ready && !self->paused && self->backoff_source == NULL)
    {
      for (guint i = 0; i < self->items->len && self->jobs->len < self->max_parallel; i++)
        {
          Item *item = g_ptr_array_index (self->items, i);

          if (item->job == NULL && !item->verifying && !_ek_outbox_item_is_done (item))
            start_upload (self, item);
        }
    }

  _ek_outbox_check_finish (self);
}

/* Finish */
/* Initialisation, in the worker */

static void
on_opened_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkOutbox *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      EkOutboxRow *row = g_ptr_array_index (rows, i);
      EkSegment *segment = ek_outbox_row_to_segment (row);
      Item *item;

      if (segment == NULL)
        {
          g_warning ("Outbox %s: skipping a damaged row", self->path);
          continue;
        }

      item = g_new0 (Item, 1);
      item->segment = segment;
      item->seq = row->seq;
      item->url = g_strdup (row->url);
      item->offset = row->offset;
      item->state = row->state;
      /* A row caught between states by the crash: the URL decides. */
      if (item->state == EK_OUTBOX_STATE_UPLOADING && item->url == NULL)
        item->state = EK_OUTBOX_STATE_PENDING;
      self->max_seq = MAX (self->max_seq, item->seq);
      g_ptr_array_add (self->items, item);
    }

  g_debug ("Outbox %s: %u segments of session %s", self->path, self->items->len, self->session_id);
  self->ready = TRUE;
  _ek_outbox_update_progress (self);
  _ek_outbox_schedule (self);

  g_task_return_boolean (task, TRUE);
}

static void
ek_outbox_init_async (GAsyncInitable      *initable,
                      int                  io_priority,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  EkOutbox *self = EK_OUTBOX (initable);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) open_task = NULL;
  GError *error = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_outbox_init_async);
  g_task_set_name (task, "[ek-outbox] init");

  if (self->path == NULL || self->session_id == NULL || self->tus_client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "an outbox needs a path, a session id and a tus client");
      return;
    }

  self->store = ek_outbox_store_new (self->path, self->session_id, &error);
  if (self->store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  open_task = g_task_new (self, cancellable, on_opened_cb, g_steal_pointer (&task));
  g_task_set_source_tag (open_task, ek_outbox_init_async);
  g_task_set_name (open_task, "[ek-outbox] open");

  ek_outbox_store_open (self->store, open_task);
}

static gboolean
ek_outbox_init_finish (GAsyncInitable  *initable,
                       GAsyncResult    *result,
                       GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
ek_outbox_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = ek_outbox_init_async;
  iface->init_finish = ek_outbox_init_finish;
}

/* vfuncs */

static void
ek_outbox_dispose (GObject *object)
{
  EkOutbox *self = (EkOutbox *)object;

  /* The uploads stop; what the server has stays there, and the database knows the
   * URLs, so the next outbox on this file goes on from there. */
  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = g_ptr_array_index (self->jobs, i);

      job_forget (job);
      job->outbox = NULL;
    }
  g_ptr_array_set_size (self->jobs, 0);

  if (self->backoff_source != NULL)
    {
      g_source_destroy (self->backoff_source);
      g_clear_pointer (&self->backoff_source, g_source_unref);
    }
  if (self->rate_source != NULL)
    {
      g_source_destroy (self->rate_source);
      g_clear_pointer (&self->rate_source, g_source_unref);
    }
  if (self->finish_cancel_source != NULL)
    {
      g_source_destroy (self->finish_cancel_source);
      g_clear_pointer (&self->finish_cancel_source, g_source_unref);
    }

  g_clear_object (&self->tus_client);
  g_clear_object (&self->api_client);

  G_OBJECT_CLASS (ek_outbox_parent_class)->dispose (object);
}

static void
ek_outbox_finalize (GObject *object)
{
  EkOutbox *self = (EkOutbox *)object;

  /* Waits for the queued writes: a closed outbox is on disk, so that a new one on
   * the same file sees everything. */
  g_clear_pointer (&self->store, ek_outbox_store_free);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->jobs, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->session_id, g_free);

  G_OBJECT_CLASS (ek_outbox_parent_class)->finalize (object);
}

static void
ek_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkOutbox *self = EK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;

    case PROP_TUS_CLIENT:
      g_value_set_object (value, self->tus_client);
      break;

    case PROP_API_CLIENT:
      g_value_set_object (value, self->api_client);
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_MAX_PARALLEL:
      g_value_set_uint (value, self->max_parallel);
      break;

    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;

    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, self->bytes_sent);
      break;

    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;

    case PROP_ETA_SECONDS:
      g_value_set_int64 (value, self->eta_seconds);
      break;

    case PROP_SEGMENTS_TOTAL:
      g_value_set_uint (value, self->segments_total);
      break;

    case PROP_SEGMENTS_PENDING:
      g_value_set_uint (value, self->segments_pending);
      break;

    case PROP_WAITING:
      g_value_set_boolean (value, self->waiting);
      break;

    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_outbox_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EkOutbox *self = EK_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    case PROP_SESSION_ID:
      self->session_id = g_value_dup_string (value);
      break;

    case PROP_TUS_CLIENT:
      self->tus_client = g_value_dup_object (value);
      break;

    case PROP_API_CLIENT:
      self->api_client = g_value_dup_object (value);
      break;

    case PROP_PAUSED:
      ek_outbox_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_MAX_PARALLEL:
      ek_outbox_set_max_parallel (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_outbox_class_init (EkOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_outbox_dispose;
  object_class->finalize = ek_outbox_finalize;
  object_class->get_property = ek_outbox_get_property;
  object_class->set_property = ek_outbox_set_property;

  /**
   * EkOutbox:path:
   *
   * The SQLite database, in the data folder; created 0600 in a 0700 folder.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TUS_CLIENT] =
    g_param_spec_object ("tus-client", NULL, NULL,
                         EK_TYPE_TUS_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkOutbox:api-client:
   *
   * The exam server that confirms the segments at finish; %NULL for a stock tus
   * server, which cannot.
   */
  properties[PROP_API_CLIENT] =
    g_param_spec_object ("api-client", NULL, NULL,
                         EK_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkOutbox:paused:
   *
   * No upload runs while set; running ones stop at once and go on later from the
   * server's offset.
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_MAX_PARALLEL] =
    g_param_spec_uint ("max-parallel", NULL, NULL,
                       1, 2, 1,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:bytes-sent:
   *
   * Bytes the server has, plus those of the chunks on their way. May go down when
   * a segment has to be sent again.
   */
  properties[PROP_BYTES_SENT] =
    g_param_spec_uint64 ("bytes-sent", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:rate:
   *
   * Upload rate in bytes per second, smoothed over a few seconds.
   */
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL,
                         0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:eta-seconds:
   *
   * Seconds until every byte is sent at the current rate; -1 when not known.
   */
  properties[PROP_ETA_SECONDS] =
    g_param_spec_int64 ("eta-seconds", NULL, NULL,
                        -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_SEGMENTS_TOTAL] =
    g_param_spec_uint ("segments-total", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:segments-pending:
   *
   * Segments of which the server does not have every byte yet.
   */
  properties[PROP_SEGMENTS_PENDING] =
    g_param_spec_uint ("segments-pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:waiting:
   *
   * Set while the outbox waits before trying again after a failure (no network,
   * a busy server).
   */
  properties[PROP_WAITING] =
    g_param_spec_boolean ("waiting", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkOutbox:complete:
   *
   * Set once ek_outbox_finish_async() succeeded: the exam server confirmed every
   * segment's hash (or, without an API client, a tus server took every byte).
   */
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_outbox_init (EkOutbox *self)
{
  self->items = g_ptr_array_new_with_free_func (item_free);
  self->jobs = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->max_parallel = 1;
  ek_backoff_init (&self->backoff, EK_OUTBOX_DEFAULT_BACKOFF_BASE_MS,
                   EK_OUTBOX_DEFAULT_BACKOFF_CAP_MS);
  self->eta_seconds = 0;
}

/* Public API */

const char *
ek_outbox_state_to_string (EkOutboxState state)
{
  g_return_val_if_fail (state < G_N_ELEMENTS (state_names), NULL);
  return state_names[state];
}

/**
 * ek_outbox_new_async:
 * @path: the database file, in the data folder
 * @session_id: the session whose segments these are (a database may hold several)
 * @tus_client: uploads the segments
 * @api_client: (nullable): confirms them at finish; %NULL for a stock tus server
 *
 * Opens (or creates) the outbox in a worker thread and goes on with any upload a
 * previous outbox on @path left unfinished.
 */
void
ek_outbox_new_async (const char          *path,
                     const char          *session_id,
                     EkTusClient         *tus_client,
                     EkApiClient         *api_client,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (session_id != NULL);
  g_return_if_fail (EK_IS_TUS_CLIENT (tus_client));
  g_return_if_fail (api_client == NULL || EK_IS_API_CLIENT (api_client));

  g_async_initable_new_async (EK_TYPE_OUTBOX, G_PRIORITY_DEFAULT, cancellable, callback, user_data,
                              "path", path,
                              "session-id", session_id,
                              "tus-client", tus_client,
                              "api-client", api_client,
                              NULL);
}

/**
 * ek_outbox_new_finish:
 *
 * Returns: (transfer full): the outbox, or %NULL with an %EK_OUTBOX_ERROR
 */
EkOutbox *
ek_outbox_new_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);

  return object != NULL ? EK_OUTBOX (object) : NULL;
}

const char *
ek_outbox_get_path (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->path;
}

const char *
ek_outbox_get_session_id (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->session_id;
}

EkTusClient *
ek_outbox_get_tus_client (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->tus_client;
}

EkApiClient *
ek_outbox_get_api_client (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), NULL);
  return self->api_client;
}

/**
 * ek_outbox_add_segment:
 * @segment: a closed, hashed segment
 *
 * Queues @segment: it is on disk (fsync'd) shortly after, in a worker thread, and
 * uploads after the segments added before it. Returns at once. Adding a segment
 * again is harmless; a segment of the same stream and index with another hash
 * replaces the old one.
 */
void
ek_outbox_add_segment (EkOutbox  *self,
                       EkSegment *segment)
{
  Item *item;

  g_return_if_fail (EK_IS_OUTBOX (self));
  g_return_if_fail (segment != NULL);
  g_return_if_fail (self->ready);

  item = _ek_outbox_find_item (self, ek_segment_get_stream (segment), ek_segment_get_index (segment));
  if (item != NULL)
    {
      if (ek_segment_get_size (item->segment) == ek_segment_get_size (segment) &&
          g_str_equal (ek_segment_get_sha256 (item->segment), ek_segment_get_sha256 (segment)))
        return;

      g_debug ("Outbox: %s/%u was added again with other content: replacing it",
               ek_segment_get_stream (segment), ek_segment_get_index (segment));
      if (item->job != NULL)
        job_forget (item->job);
      item->verifying = FALSE;
      ek_segment_unref (item->segment);
      item->segment = ek_segment_ref (segment);
      _ek_outbox_item_reset (self, item);
    }
  else
    {
      item = g_new0 (Item, 1);
      item->segment = ek_segment_ref (segment);
      item->seq = ++self->max_seq;
      item->state = EK_OUTBOX_STATE_PENDING;
      g_ptr_array_add (self->items, item);
      store_item (self, item, TRUE, NULL);
    }

  _ek_outbox_set_complete (self, FALSE);
  _ek_outbox_update_progress (self);
  _ek_outbox_schedule (self);
}

gboolean
ek_outbox_get_paused (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->paused;
}

void
ek_outbox_set_paused (EkOutbox *self,
                      gboolean  paused)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  if (paused)
    {
      /* Their callbacks run later and find the items forgotten. */
      for (guint i = 0; i < self->jobs->len; i++)
        job_forget (g_ptr_array_index (self->jobs, i));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);

  if (!paused)
    _ek_outbox_schedule (self);
}

guint
ek_outbox_get_max_parallel (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->max_parallel;
}

/**
 * ek_outbox_set_max_parallel:
 * @max_parallel: 1 or 2 uploads at a time
 */
void
ek_outbox_set_max_parallel (EkOutbox *self,
                            guint     max_parallel)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  max_parallel = CLAMP (max_parallel, 1, 2);
  if (self->max_parallel == max_parallel)
    return;

  self->max_parallel = max_parallel;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_PARALLEL]);
  _ek_outbox_schedule (self);
}

/**
 * ek_outbox_set_backoff:
 * @base_ms: the first wait after a failure is up to this long
 * @cap_ms: no wait is longer
 */
void
ek_outbox_set_backoff (EkOutbox *self,
                       guint     base_ms,
                       guint     cap_ms)
{
  g_return_if_fail (EK_IS_OUTBOX (self));

  /* The failures so far still count. */
  self->backoff.base_ms = base_ms;
  self->backoff.cap_ms = MAX (base_ms, cap_ms);
}

guint64
ek_outbox_get_bytes_total (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->bytes_total;
}

guint64
ek_outbox_get_bytes_sent (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->bytes_sent;
}

double
ek_outbox_get_rate (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->rate;
}

gint64
ek_outbox_get_eta_seconds (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), -1);
  return self->eta_seconds;
}

guint
ek_outbox_get_segments_total (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->segments_total;
}

guint
ek_outbox_get_segments_pending (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), 0);
  return self->segments_pending;
}

gboolean
ek_outbox_get_waiting (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->waiting;
}

gboolean
ek_outbox_get_complete (EkOutbox *self)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  return self->complete;
}

/**
 * ek_outbox_lookup_segment:
 * @out_state: (out) (optional)
 * @out_url: (out) (optional) (transfer full) (nullable): its tus URL
 * @out_offset: (out) (optional): what the server confirmed
 *
 * Returns: whether the outbox holds this segment
 */
gboolean
ek_outbox_lookup_segment (EkOutbox       *self,
                          const char     *stream,
                          guint           index,
                          EkOutboxState  *out_state,
                          char          **out_url,
                          guint64        *out_offset)
{
  Item *item;

  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (stream != NULL, FALSE);
  item = _ek_outbox_find_item (self, stream, index);
  if (item == NULL)
    return FALSE;

  if (out_state != NULL)
    *out_state = item->state;
  if (out_url != NULL)
    *out_url = g_strdup (item->url);
  if (out_offset != NULL)
    *out_offset = item->offset;
  return TRUE;
}

/**
 * ek_outbox_flush_async:
 *
 * Completes once every change made so far is written to the database.
 */
void
ek_outbox_flush_async (EkOutbox            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_OUTBOX (self));
  g_return_if_fail (self->store != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_outbox_flush_async);
  g_task_set_name (task, "[ek-outbox] flush");
  ek_outbox_store_flush (self->store, task);
}

gboolean
ek_outbox_flush_finish (EkOutbox      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (EK_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_outbox_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
