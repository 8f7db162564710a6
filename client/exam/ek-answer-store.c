/* ek-answer-store.c: the candidate's written answers, saved on this computer and on the server
 *
 * The in-memory table on the main thread is what the UI reads; it is never behind what
 * the candidate did. Each change becomes a write of the whole row, queued in order and
 * written by one g_task_run_in_thread() at a time (a batch per transaction, so typing
 * fast does not mean one fsync per key), so the database never sees an older row after
 * a newer one. ek_answer_store_flush_async() says when everything queued so far is on
 * disk: that is "saved on this computer".
 *
 * Revisions. Every change of a value increases the answer's local revision by one;
 * flagging is local and changes no revision. The server keeps the highest revision it
 * was sent. An answer is pending while its revision is above the last revision the
 * server confirmed. Pushes are one at a time per question, so the server never sees an
 * older revision after a newer one from this computer.
 *
 * Conflicts (another computer of the same session, or a local database lost with the old
 * one): the higher revision wins, and on equal revisions the server's value wins,
 * because the server is what is graded. A `conflict` answer to a push, a re-entry
 * (ek_answer_store_sync_async()) and a restart all compare with GET /v1/session/answers:
 *   - server revision above the local one: the server's value and revision are taken,
 *     confirmed; the view shows the change ("answer-changed");
 *   - equal: confirmed (the server's value is taken if it differs);
 *   - local revision above the server's: the local value stays and is pushed;
 *   - local answers the server does not have are pushed again.
 *
 * `already_submitted` and `exam_over` from the server end all pushing and make the
 * store read-only; what was still pending stays in the database (n-pending-sync says
 * how much) but can no longer count. Transient failures (network, 5xx, an expired
 * session) retry with backoff and at once when the network comes back; a value the
 * server refuses for good (bad_request, not_found) is not retried until it changes.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-answer-store-private.h"
#include "ek-json.h"

#define DEFAULT_RETRY_BASE_MS 1000
#define DEFAULT_RETRY_CAP_MS  30000
#define SAVE_RETRY_MS         1000
#define DEADLINE_CHECK_MAX_MS 60000


static void async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EkAnswerStore, ek_answer_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE,
                                                      async_initable_iface_init))

enum {
  PROP_0,
  PROP_PATH,
  PROP_API_CLIENT,
  PROP_N_ANSWERED,
  PROP_N_UNANSWERED,
  PROP_N_FLAGGED,
  PROP_N_PENDING_SYNC,
  PROP_READ_ONLY,
  PROP_SYNC_STOPPED,
  PROP_UNSAVED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  ANSWER_CHANGED,
  SAVE_FAILED,
  SYNC_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_QUARK (ek-answer-store-error-quark, ek_answer_store_error)

static void start_write      (EkAnswerStore *self);

/* Helpers */

void
_ek_answer_store_answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->question_id);
  json_node_unref (answer->value);
  g_free (answer);
}

Answer *
_ek_answer_store_answer_new (const char *question_id)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->question_id = g_strdup (question_id);
  answer->value = json_node_new (JSON_NODE_NULL);
  return answer;
}

gboolean
_ek_answer_store_answer_is_pending (Answer *answer)
{
  return answer->revision > answer->confirmed && answer->rejected != answer->revision;
}

void
_ek_answer_store_notify_sync_stopped (EkAnswerStore *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_STOPPED]);
}

void
_ek_answer_store_emit_answer_changed (EkAnswerStore *self,
                                      const char    *question_id)
{
  g_signal_emit (self, signals[ANSWER_CHANGED], 0, question_id);
}

void
_ek_answer_store_emit_sync_failed (EkAnswerStore *self,
                                   const char    *question_id,
                                   const GError  *error)
{
  g_signal_emit (self, signals[SYNC_FAILED], 0, question_id, error);
}

static gint64
now_ms (EkAnswerStore *self)
{
  EkServerClock *clock = self->clock;

  if (clock == NULL && self->api != NULL)
    clock = ek_api_client_get_clock (self->api);
  if (clock != NULL)
    return ek_server_clock_now_ms (clock);
  return g_get_real_time () / 1000;
}

void
_ek_answer_store_update_counts (EkAnswerStore *self)
{
  guint n_answered = 0, n_flagged = 0, n_pending = 0;
  guint n_unanswered;
  GHashTableIter iter;
  Answer *answer;

  for (guint i = 0; i < self->question_order->len; i++)
    {
      EkQuestion *question = g_ptr_array_index (self->question_order, i);

      answer = g_hash_table_lookup (self->answers, ek_question_get_id (question));
      if (answer == NULL)
        continue;
      if (ek_question_value_is_answered (answer->value))
        n_answered++;
      if (answer->flagged)
        n_flagged++;
    }
  n_unanswered = self->question_order->len - n_answered;

  if (self->api != NULL)
    {
      g_hash_table_iter_init (&iter, self->answers);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &answer))
        if (_ek_answer_store_answer_is_pending (answer))
          n_pending++;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (self->n_answered != n_answered)
    {
      self->n_answered = n_answered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ANSWERED]);
    }
  if (self->n_unanswered != n_unanswered)
    {
      self->n_unanswered = n_unanswered;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UNANSWERED]);
    }
  if (self->n_flagged != n_flagged)
    {
      self->n_flagged = n_flagged;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FLAGGED]);
    }
  if (self->n_pending_sync != n_pending)
    {
      self->n_pending_sync = n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING_SYNC]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ek_answer_store_complete_waiters (GList        **waiters,
                                   const GError  *error)
{
  GList *list = g_steal_pointer (waiters);

  for (GList *l = list; l != NULL; l = l->next)
    {
      GTask *task = l->data;

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
  g_list_free_full (list, g_object_unref);
}

/* Sync waiters are done when nothing is pending and nothing is under way. */
void
_ek_answer_store_check_sync_waiters (EkAnswerStore *self)
{
  if (self->sync_waiters == NULL)
    return;
  if (self->n_pending_sync == 0 && self->n_in_flight == 0 &&
      !self->reconciling && !self->need_reconcile)
    _ek_answer_store_complete_waiters (&self->sync_waiters, NULL);
}

/* The writer */

static void
queue_op (EkAnswerStore *self,
          WriteOp       *op)
{
  gboolean was_saved = self->saved_seq >= self->queued_seq;

  op->seq = ++self->queued_seq;
  g_queue_push_tail (&self->write_queue, op);
  if (was_saved)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSAVED]);
  start_write (self);
}

void
_ek_answer_store_queue_answer_write (EkAnswerStore *self,
                                     Answer        *answer)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  op->question_id = g_strdup (answer->question_id);
  op->value_text = json_to_string (answer->value, FALSE);
  op->revision = answer->revision;
  op->confirmed = answer->confirmed;
  op->changed_ms = answer->changed_ms;
  op->flagged = answer->flagged;
  queue_op (self, op);
}

static void
queue_meta_write (EkAnswerStore *self,
                  const char    *key,
                  const char    *value)
{
  WriteOp *op = g_new0 (WriteOp, 1);

  op->meta_key = g_strdup (key);
  op->meta_value = g_strdup (value);
  queue_op (self, op);
}


static gboolean
on_save_retry_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;

  self->save_retry_id = 0;
  start_write (self);
  return G_SOURCE_REMOVE;
}

static void
on_write_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  EkAnswerStore *self = EK_ANSWER_STORE (source);
  GPtrArray *ops = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Keep the rows, in order, ahead of anything queued since, and try again: a full
       * disk may be cleared by the technician. */
      for (guint i = ops->len; i > 0; i--)
        g_queue_push_head (&self->write_queue, g_ptr_array_steal_index (ops, i - 1));

      g_warning ("Cannot save answers: %s", error->message);
      if (!self->save_failing)
        {
          self->save_failing = TRUE;
          g_signal_emit (self, signals[SAVE_FAILED], 0, error);
        }
      _ek_answer_store_complete_waiters (&self->flush_waiters, error);
      if (self->save_retry_id == 0)
        self->save_retry_id = g_timeout_add (SAVE_RETRY_MS, on_save_retry_cb, self);
      return;
    }

  self->save_failing = FALSE;
  if (ops->len > 0)
    {
      gboolean was_unsaved = self->saved_seq < self->queued_seq;

      self->saved_seq = ((WriteOp *) g_ptr_array_index (ops, ops->len - 1))->seq;
      if (was_unsaved && self->saved_seq >= self->queued_seq)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSAVED]);
    }

  /* Waiters queued in seq order: those at or below saved_seq are done. */
  while (self->flush_waiters != NULL)
    {
      GTask *task = self->flush_waiters->data;
      guint64 target = GPOINTER_TO_SIZE (g_task_get_task_data (task));

      if (target > self->saved_seq)
        break;
      self->flush_waiters = g_list_delete_link (self->flush_waiters, self->flush_waiters);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }

  start_write (self);
}

static void
start_write (EkAnswerStore *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) ops = NULL;

  if (self->writing || self->save_retry_id != 0 || self->db == NULL ||
      g_queue_is_empty (&self->write_queue))
    return;

  ops = g_ptr_array_new_with_free_func (_ek_answer_store_write_op_free);
  while (!g_queue_is_empty (&self->write_queue))
    g_ptr_array_add (ops, g_queue_pop_head (&self->write_queue));

  self->writing = TRUE;
  /* No cancellable: a change the candidate made is written even while the store goes
   * away; the task keeps the store (and its database) alive until then. */
  task = g_task_new (self, NULL, on_write_done_cb, NULL);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, g_steal_pointer (&ops), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, _ek_answer_store_db_write_thread);
}

/* The pusher */

void
_ek_answer_store_set_read_only_internal (EkAnswerStore *self)
{
  if (self->read_only)
    return;

  self->read_only = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  queue_meta_write (self, "read_only", "1");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ_ONLY]);
}

static gboolean
on_deadline_cb (gpointer user_data)
{
  EkAnswerStore *self = user_data;
  gint64 left;

  self->deadline_id = 0;
  left = ek_server_clock_ms_until (self->clock, self->deadline_ms);
  if (left <= 0)
    _ek_answer_store_set_read_only_internal (self);
  else  /* re-armed at least every minute, so a clock correction is seen */
    self->deadline_id = g_timeout_add ((guint) MIN (left, DEADLINE_CHECK_MAX_MS),
                                       on_deadline_cb, self);
  return G_SOURCE_REMOVE;
}

/* Returns whether changes are still allowed; turns read-only when the deadline passed
 * even if its timer has not fired yet. */
static gboolean
check_writable (EkAnswerStore  *self,
                GError        **error)
{
  if (!self->read_only && self->clock != NULL && self->deadline_ms > 0 &&
      ek_server_clock_ms_until (self->clock, self->deadline_ms) <= 0)
    _ek_answer_store_set_read_only_internal (self);

  if (self->read_only)
    {
      g_set_error_literal (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY,
                           _("The answers can no longer be changed: they were submitted or "
                             "the time is over."));
      return FALSE;
    }
  return TRUE;
}

static EkQuestion *
lookup_question (EkAnswerStore  *self,
                 const char     *question_id,
                 GError        **error)
{
  EkQuestion *question = g_hash_table_lookup (self->questions, question_id);

  if (question == NULL)
    g_set_error (error, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_UNKNOWN_QUESTION,
                 /* Translators: %s is a question's identifier. */
                 _("There is no question “%s” in this test."), question_id);
  return question;
}

static Answer *
ensure_answer (EkAnswerStore *self,
               const char    *question_id)
{
  Answer *answer = g_hash_table_lookup (self->answers, question_id);

  if (answer == NULL)
    {
      answer = _ek_answer_store_answer_new (question_id);
      g_hash_table_insert (self->answers, answer->question_id, answer);
    }
  return answer;
}

/* GAsyncInitable */

static void
ek_answer_store_init_async (GAsyncInitable      *initable,
                            int                  io_priority,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  EkAnswerStore *self = EK_ANSWER_STORE (initable);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_answer_store_init_async);
  g_task_set_priority (task, io_priority);
  if (self->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "EkAnswerStore needs a path");
      return;
    }
  g_task_run_in_thread (task, _ek_answer_store_db_open_thread);
}

static gboolean
ek_answer_store_init_finish (GAsyncInitable  *initable,
                             GAsyncResult    *result,
                             GError         **error)
{
  EkAnswerStore *self = EK_ANSWER_STORE (initable);
  LoadResult *loaded;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  loaded = g_task_propagate_pointer (G_TASK (result), error);
  if (loaded == NULL)
    return FALSE;

  for (guint i = 0; i < loaded->answers->len; i++)
    {
      Answer *answer = g_ptr_array_index (loaded->answers, i);

      g_hash_table_replace (self->answers, answer->question_id, answer);
    }
  g_ptr_array_set_free_func (loaded->answers, NULL);
  self->read_only = loaded->read_only;
  _ek_answer_store_load_result_free (loaded);

  _ek_answer_store_update_counts (self);

  /* A re-entered session compares with the server before pushing what waited here. */
  if (self->api != NULL && ek_api_client_has_session_token (self->api) &&
      (!self->read_only || self->n_pending_sync > 0))
    _ek_answer_store_start_reconcile (self);

  return TRUE;
}

static void
async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = ek_answer_store_init_async;
  iface->init_finish = ek_answer_store_init_finish;
}

/* VFuncs */

static void
ek_answer_store_dispose (GObject *object)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_handle_id (&self->retry_source_id, g_source_remove);
  g_clear_handle_id (&self->deadline_id, g_source_remove);

  G_OBJECT_CLASS (ek_answer_store_parent_class)->dispose (object);
}

static void
ek_answer_store_finalize (GObject *object)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                 "The answer store was closed");

  /* A write in flight holds a reference, so here nothing is being written. What is
   * still queued (a save retry after a disk error) is lost with the process anyway. */
  g_clear_handle_id (&self->save_retry_id, g_source_remove);
  g_queue_clear_full (&self->write_queue, _ek_answer_store_write_op_free);
  _ek_answer_store_complete_waiters (&self->flush_waiters, error);
  _ek_answer_store_complete_waiters (&self->sync_waiters, error);

  if (self->db != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_source_tag (task, ek_answer_store_finalize);
      g_task_set_task_data (task, g_steal_pointer (&self->db), NULL);
      g_task_run_in_thread (task, _ek_answer_store_db_close_thread);
    }

  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->api);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->answers, g_hash_table_unref);
  g_clear_pointer (&self->questions, g_hash_table_unref);
  g_clear_pointer (&self->question_order, g_ptr_array_unref);

  G_OBJECT_CLASS (ek_answer_store_parent_class)->finalize (object);
}

static void
ek_answer_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_API_CLIENT:
      g_value_set_object (value, self->api);
      break;

    case PROP_N_ANSWERED:
      g_value_set_uint (value, self->n_answered);
      break;

    case PROP_N_UNANSWERED:
      g_value_set_uint (value, self->n_unanswered);
      break;

    case PROP_N_FLAGGED:
      g_value_set_uint (value, self->n_flagged);
      break;

    case PROP_N_PENDING_SYNC:
      g_value_set_uint (value, self->n_pending_sync);
      break;

    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;

    case PROP_SYNC_STOPPED:
      g_value_set_boolean (value, self->sync_stopped);
      break;

    case PROP_UNSAVED:
      g_value_set_boolean (value, ek_answer_store_get_unsaved (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_answer_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EkAnswerStore *self = EK_ANSWER_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    case PROP_API_CLIENT:
      self->api = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_answer_store_class_init (EkAnswerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_answer_store_dispose;
  object_class->finalize = ek_answer_store_finalize;
  object_class->get_property = ek_answer_store_get_property;
  object_class->set_property = ek_answer_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_API_CLIENT] =
    g_param_spec_object ("api-client", NULL, NULL,
                         EK_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ANSWERED] =
    g_param_spec_uint ("n-answered", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_UNANSWERED] =
    g_param_spec_uint ("n-unanswered", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_FLAGGED] =
    g_param_spec_uint ("n-flagged", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_PENDING_SYNC] =
    g_param_spec_uint ("n-pending-sync", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_READ_ONLY] =
    g_param_spec_boolean ("read-only", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * EkAnswerStore:sync-stopped:
   *
   * The server takes no more answers (`already_submitted`, `exam_over`): what is
   * still pending (n-pending-sync) can no longer reach it.
   */
  properties[PROP_SYNC_STOPPED] =
    g_param_spec_boolean ("sync-stopped", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * EkAnswerStore:unsaved:
   *
   * A change is not on disk yet (queued for the writer, or the disk refused it): until
   * it is, nothing may tell the candidate the answer is saved on this computer.
   */
  properties[PROP_UNSAVED] =
    g_param_spec_boolean ("unsaved", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkAnswerStore::answer-changed:
   * @question_id: the question whose value or flag changed
   *
   * Emitted for changes made here and for values taken from the server.
   */
  signals[ANSWER_CHANGED] =
    g_signal_new ("answer-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * EkAnswerStore::save-failed:
   * @error: why the database could not be written
   *
   * Emitted once when saving on this computer starts failing; the store keeps the
   * changes in memory and tries again every second.
   */
  signals[SAVE_FAILED] =
    g_signal_new ("save-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * EkAnswerStore::sync-failed:
   * @question_id: (nullable): the answer that failed, %NULL for the comparison
   * @error: the %EK_API_ERROR
   */
  signals[SYNC_FAILED] =
    g_signal_new ("sync-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
}

static void
ek_answer_store_init (EkAnswerStore *self)
{
  self->cancellable = g_cancellable_new ();
  self->answers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, _ek_answer_store_answer_free);
  self->questions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->question_order = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->write_queue);
  ek_backoff_init (&self->backoff, DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_CAP_MS);

  self->network_monitor = g_network_monitor_get_default ();
  self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                               G_CALLBACK (_ek_answer_store_network_changed_cb), self);
}

/* Public API */

/**
 * ek_answer_store_build_path:
 * @session_id: the session's identifier
 *
 * Returns: (transfer full): DATA_DIR/sessions/SESSION_ID/answers.sqlite
 */
char *
ek_answer_store_build_path (EkConfig   *config,
                            const char *session_id)
{
  g_return_val_if_fail (EK_IS_CONFIG (config), NULL);
  g_return_val_if_fail (ek_json_is_identifier (session_id), NULL);

  return g_build_filename (ek_config_get_data_dir (config), "sessions", session_id,
                           "answers.sqlite", NULL);
}

/**
 * ek_answer_store_new_async:
 * @path: the database file; its folder is made private (0700), the file 0600
 * @api: (nullable): the server to push to; %NULL for the offline practice exam
 *
 * Opens (or creates) the database in a worker thread and loads every answer saved
 * there. With @api holding a session token, the answers are compared with the
 * server's at once and what is pending is pushed.
 */
void
ek_answer_store_new_async (const char          *path,
                           EkApiClient         *api,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  g_async_initable_new_async (EK_TYPE_ANSWER_STORE, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data,
                              "path", path,
                              "api-client", api,
                              NULL);
}

/**
 * ek_answer_store_new_finish:
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with a translated
 *   %EK_ANSWER_STORE_ERROR_DATABASE
 */
EkAnswerStore *
ek_answer_store_new_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);

  return EK_ANSWER_STORE (g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error));
}


static void
on_session_store_opened_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  EkAnswerStore *store = ek_answer_store_new_finish (result, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
on_store_files_removed_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char *path = g_task_get_task_data (G_TASK (result));

  if (g_task_return_error_if_cancelled (task))
    return;
  ek_answer_store_new_async (path, NULL, g_task_get_cancellable (task),
                             on_session_store_opened_cb, g_object_ref (task));
}

/**
 * ek_answer_store_open_session_async:
 * @config: where the session folders are
 * @session_id: the session whose answers to open
 * @api: (nullable): the server to push to; %NULL for the offline practice exam,
 *   whose every run starts with a blank sheet (the last run's database is removed)
 *
 * Opens the session's store at ek_answer_store_build_path(), as
 * ek_answer_store_new_async() does.
 */
void
ek_answer_store_open_session_async (EkConfig            *config,
                                    const char          *session_id,
                                    EkApiClient         *api,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (EK_IS_CONFIG (config));
  g_return_if_fail (api == NULL || EK_IS_API_CLIENT (api));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_open_session_async);

  if (!ek_json_is_identifier (session_id))
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_DATABASE,
                               _("There is no exam session to keep answers for."));
      return;
    }
  path = ek_answer_store_build_path (config, session_id);

  if (api == NULL)
    {
      g_autoptr(GTask) removal = g_task_new (NULL, cancellable, on_store_files_removed_cb,
                                             g_object_ref (task));

      g_task_set_task_data (removal, g_steal_pointer (&path), g_free);
      g_task_run_in_thread (removal, _ek_answer_store_db_remove_thread);
      return;
    }

  ek_answer_store_new_async (path, api, cancellable, on_session_store_opened_cb,
                             g_object_ref (task));
}

/**
 * ek_answer_store_open_session_finish:
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with a translated error
 */
EkAnswerStore *
ek_answer_store_open_session_finish (GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_open_session_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
ek_answer_store_get_path (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return self->path;
}

EkApiClient *
ek_answer_store_get_api_client (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return self->api;
}

/**
 * ek_answer_store_add_questions:
 * @questions: a #GListModel of #EkQuestion, e.g. a phase's
 *
 * Makes the questions known: values are checked against them, and the answerable
 * ones (not oral) are what n-answered, n-unanswered and n-flagged count.
 */
void
ek_answer_store_add_questions (EkAnswerStore *self,
                               GListModel    *questions)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (G_IS_LIST_MODEL (questions));

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (questions, i);
      const char *id = ek_question_get_id (question);
      EkQuestion *old = g_hash_table_lookup (self->questions, id);

      if (old != NULL)
        g_ptr_array_remove (self->question_order, old);
      g_hash_table_replace (self->questions, (gpointer) id, g_object_ref (question));
      if (ek_question_takes_answer (question))
        g_ptr_array_add (self->question_order, g_object_ref (question));
    }

  _ek_answer_store_update_counts (self);
}

/**
 * ek_answer_store_get_question:
 *
 * Returns: (transfer none) (nullable): a question added with
 *   ek_answer_store_add_questions()
 */
EkQuestion *
ek_answer_store_get_question (EkAnswerStore *self,
                              const char    *question_id)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);
  return g_hash_table_lookup (self->questions, question_id);
}

/**
 * ek_answer_store_get_value:
 *
 * Returns: (transfer none) (nullable): the current value, %NULL when there is none
 */
JsonNode *
ek_answer_store_get_value (EkAnswerStore *self,
                           const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), NULL);

  answer = g_hash_table_lookup (self->answers, question_id);
  if (answer == NULL || JSON_NODE_HOLDS_NULL (answer->value))
    return NULL;
  return answer->value;
}

gint64
ek_answer_store_get_revision (EkAnswerStore *self,
                              const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL ? answer->revision : 0;
}

gint64
ek_answer_store_get_confirmed_revision (EkAnswerStore *self,
                                        const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL ? answer->confirmed : 0;
}

gboolean
ek_answer_store_is_answered (EkAnswerStore *self,
                             const char    *question_id)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return ek_question_value_is_answered (ek_answer_store_get_value (self, question_id));
}

gboolean
ek_answer_store_get_flagged (EkAnswerStore *self,
                             const char    *question_id)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);

  answer = g_hash_table_lookup (self->answers, question_id);
  return answer != NULL && answer->flagged;
}

/**
 * ek_answer_store_set_value:
 * @value: (nullable): the new value; %NULL or a JSON null clears the answer
 *
 * Checks the value against the question, takes it at once (a new revision), queues
 * it for the disk and pushes it to the server. Setting the value it already has
 * changes nothing.
 *
 * Returns: %FALSE with a translated error when the value does not fit
 *   (%EK_QUESTION_ERROR_INVALID_VALUE), the question is unknown or the store is
 *   read-only
 */
gboolean
ek_answer_store_set_value (EkAnswerStore  *self,
                           const char     *question_id,
                           JsonNode       *value,
                           GError        **error)
{
  g_autoptr(JsonNode) null_value = NULL;
  EkQuestion *question;
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  g_return_val_if_fail (question_id != NULL, FALSE);

  if ((question = lookup_question (self, question_id, error)) == NULL ||
      !ek_question_validate_value (question, value, error) ||
      !check_writable (self, error))
    return FALSE;

  if (value == NULL)
    value = null_value = json_node_new (JSON_NODE_NULL);

  answer = ensure_answer (self, question_id);
  if (json_node_equal (answer->value, value))
    return TRUE;

  json_node_unref (answer->value);
  answer->value = json_node_copy (value);
  answer->revision++;
  answer->changed_ms = now_ms (self);
  _ek_answer_store_queue_answer_write (self, answer);

  _ek_answer_store_update_counts (self);
  g_signal_emit (self, signals[ANSWER_CHANGED], 0, question_id);
  _ek_answer_store_schedule_push (self);

  return TRUE;
}

/**
 * ek_answer_store_set_flagged:
 *
 * Marks a question for review, on this computer only (the server does not know
 * flags); no new revision.
 */
gboolean
ek_answer_store_set_flagged (EkAnswerStore  *self,
                             const char     *question_id,
                             gboolean        flagged,
                             GError        **error)
{
  Answer *answer;

  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  g_return_val_if_fail (question_id != NULL, FALSE);

  if (lookup_question (self, question_id, error) == NULL || !check_writable (self, error))
    return FALSE;

  answer = ensure_answer (self, question_id);
  flagged = !!flagged;
  if (answer->flagged == flagged)
    return TRUE;

  answer->flagged = flagged;
  _ek_answer_store_queue_answer_write (self, answer);

  _ek_answer_store_update_counts (self);
  g_signal_emit (self, signals[ANSWER_CHANGED], 0, question_id);

  return TRUE;
}

guint
ek_answer_store_get_n_answered (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_answered;
}

guint
ek_answer_store_get_n_unanswered (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_unanswered;
}

guint
ek_answer_store_get_n_flagged (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_flagged;
}

/**
 * ek_answer_store_get_n_pending_sync:
 *
 * Returns: how many answers have a change the server has not confirmed yet (always 0
 *   without a server)
 */
guint
ek_answer_store_get_n_pending_sync (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), 0);
  return self->n_pending_sync;
}

/**
 * ek_answer_store_get_sync_stopped:
 *
 * Returns: whether the server refused to take more answers (submitted, or the
 *   exam over for it); what is pending then stays on this computer only
 */
gboolean
ek_answer_store_get_sync_stopped (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return self->sync_stopped;
}

/**
 * ek_answer_store_get_unsaved:
 *
 * Returns: %TRUE while a change made to an answer is not yet on disk.
 */
gboolean
ek_answer_store_get_unsaved (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);

  return self->saved_seq < self->queued_seq;
}

gboolean
ek_answer_store_get_read_only (EkAnswerStore *self)
{
  g_return_val_if_fail (EK_IS_ANSWER_STORE (self), FALSE);
  return self->read_only;
}

/**
 * ek_answer_store_set_read_only:
 *
 * From now on, also after a restart, no answer can change: the answers were
 * submitted or the time is over. Pending changes are still pushed (the server
 * decides whether they count).
 */
void
ek_answer_store_set_read_only (EkAnswerStore *self)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  _ek_answer_store_set_read_only_internal (self);
}

/**
 * ek_answer_store_set_deadline:
 * @clock: the server clock
 * @deadline_ms: server time at which the answers close (the exam's end)
 *
 * Makes the store read-only when @deadline_ms passes in server time.
 */
void
ek_answer_store_set_deadline (EkAnswerStore *self,
                              EkServerClock *clock,
                              gint64         deadline_ms)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (EK_IS_SERVER_CLOCK (clock));

  g_set_object (&self->clock, clock);
  self->deadline_ms = deadline_ms;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (!self->read_only)
    on_deadline_cb (self);
}

/**
 * ek_answer_store_flush_async:
 *
 * Completes when every change made before this call is on disk; that is the moment a
 * change counts as saved on this computer.
 */
void
ek_answer_store_flush_async (EkAnswerStore       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ANSWER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_flush_async);

  if (self->saved_seq >= self->queued_seq)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_set_task_data (task, GSIZE_TO_POINTER ((gsize) self->queued_seq), NULL);
  self->flush_waiters = g_list_append (self->flush_waiters, g_steal_pointer (&task));
}

gboolean
ek_answer_store_flush_finish (EkAnswerStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_flush_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_answer_store_sync_async:
 *
 * Compares with the server's answers (GET /v1/session/answers, the rules at the top
 * of ek-answer-store.c) and pushes everything pending. Completes when the server has
 * confirmed every answer, or with the first failure (the store keeps retrying in the
 * background after a transient one). Call it on re-entry and before submitting.
 */
void
ek_answer_store_sync_async (EkAnswerStore       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ANSWER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_answer_store_sync_async);

  if (self->api == NULL)
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_OFFLINE,
                               _("This exam is offline: the answers stay on this computer."));
      return;
    }
  if (self->sync_stopped)
    {
      g_task_return_new_error (task, EK_ANSWER_STORE_ERROR, EK_ANSWER_STORE_ERROR_READ_ONLY,
                               _("The server takes no more answers: they were submitted or "
                                 "the time is over."));
      return;
    }

  self->sync_waiters = g_list_append (self->sync_waiters, g_steal_pointer (&task));

  /* An explicit sync does not wait for the backoff. */
  g_clear_handle_id (&self->retry_source_id, g_source_remove);
  _ek_answer_store_start_reconcile (self);
}

gboolean
ek_answer_store_sync_finish (EkAnswerStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_answer_store_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_answer_store_set_retry_delays (EkAnswerStore *self,
                                  guint          base_ms,
                                  guint          cap_ms)
{
  g_return_if_fail (EK_IS_ANSWER_STORE (self));
  g_return_if_fail (base_ms > 0 && cap_ms >= base_ms);

  self->backoff.base_ms = base_ms;
  self->backoff.cap_ms = cap_ms;
}
