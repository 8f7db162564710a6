/* ek-proctor-channel.c: the proctor's messages during the exam
 *
 * The protocol side of the proctor's messages lives here and not in the exam page, so
 * that a forced end, a release or an asked-for snapshot is obeyed whatever the window
 * shows (a technician's password page, a refused lockdown, no window at all).
 */

#include "config.h"

#include "ek-proctor-channel.h"

struct _EkProctorChannel
{
  GObject        parent_instance;

  EkApiClient   *api;           /* owned */
  EkSession     *session;       /* owned */
  EkExamProctor *proctor;       /* owned, nullable: face detection may be missing */
  GCancellable  *cancellable;   /* owned; cancelled on stop */
  guint          poll_source;
  char          *cursor;        /* messages already seen */
  GQueue         warnings;      /* owned JsonObject: not yet acknowledged */
  GPtrArray     *pending_acks;  /* owned: message ids whose ack failed */
  gboolean       stopped;
};

enum {
  PROP_0,
  PROP_WARNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LOG_EVENT,
  CHAT_RECEIVED,
  RELEASED,
  ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkProctorChannel, ek_proctor_channel, G_TYPE_OBJECT)

/* Often enough for a warning to feel immediate, rare enough for thousands of
 * candidates on one server. */
#define POLL_INTERVAL_MS 3000

static void poll_messages (EkProctorChannel *self);

static void
log_message_event (EkProctorChannel *self,
                   const char       *type,
                   JsonObject       *message,
                   gint64            client_ms,
                   gint64            duration_ms)
{
  g_autoptr(JsonObject) data = json_object_new ();

  json_object_set_string_member (data, "message",
                                 json_object_get_string_member_with_default (message, "id", ""));
  g_signal_emit (self, signals[LOG_EVENT], 0, type, client_ms, duration_ms, data);
}

/* --- acknowledgements ----------------------------------------------------- */

/* What an acknowledgement carries to its answer. */
typedef struct
{
  EkProctorChannel *self;  /* owned */
  char             *id;    /* the acknowledged message's id */
} Ack;

static void
ack_free (Ack *ack)
{
  g_object_unref (ack->self);
  g_free (ack->id);
  g_free (ack);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Ack, ack_free)

static void
on_ack_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Ack) ack = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_api_client_post_message_finish (EK_API_CLIENT (object), result, NULL, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Sent again with the next poll: the candidate did acknowledge it. */
      g_debug ("Acknowledging %s failed: %s", ack->id, error->message);
      g_ptr_array_add (ack->self->pending_acks, g_strdup (ack->id));
    }
}

static void
send_ack (EkProctorChannel *self,
          const char       *id)
{
  Ack *ack = g_new0 (Ack, 1);

  ack->self = g_object_ref (self);
  ack->id = g_strdup (id);
  ek_api_client_post_message_async (self->api, "ack", NULL, id, self->cancellable,
                                    on_ack_sent_cb, ack);
}

/* --- messages ------------------------------------------------------------- */

/* The live proctoring's part of the proctor's messages: a snapshot asked for, and
 * `release`, which stands for confirming the candidate's identity by hand and opens
 * a screen the escalation locked. */
static void
follow_proctor_message (EkProctorChannel *self,
                        const char       *kind)
{
  if (self->proctor == NULL)
    return;
  if (g_str_equal (kind, "snapshot_request"))
    ek_exam_proctor_request_snapshot (self->proctor);
  else if (g_str_equal (kind, "release"))
    {
      EkViolationTracker *tracker = ek_exam_proctor_get_violation_tracker (self->proctor);

      ek_exam_proctor_confirm_identity (self->proctor);
      /* Escalated re-check failures (or any other lock) never leave the candidate
       * stuck: the proctor's release opens the screen again (a no-op when nothing
       * is locked). */
      if (tracker != NULL)
        ek_violation_tracker_release_lock (tracker);
    }
}

static void
handle_message (EkProctorChannel *self,
                JsonObject       *message)
{
  const char *kind = json_object_get_string_member_with_default (message, "kind", "");
  const char *text = json_object_get_string_member_with_default (message, "text", "");
  gint64 sent_ms = json_object_get_int_member_with_default (message, "sent_ms", 0);

  follow_proctor_message (self, kind);

  if (g_str_equal (kind, "chat"))
    {
      g_signal_emit (self, signals[CHAT_RECEIVED], 0, text, sent_ms);
    }
  else if (g_str_equal (kind, "warning"))
    {
      log_message_event (self, "warning_received", message, 0, -1);
      g_queue_push_tail (&self->warnings, json_object_ref (message));
      if (g_queue_get_length (&self->warnings) == 1)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
    }
  else if (g_str_equal (kind, "end_exam"))
    {
      /* Forced collection: obeyed at once. The session's finishing stage keeps
       * the recording and the answers. */
      g_message ("The proctor ended the exam");
      ek_session_end (self->session, EK_END_REASON_FORCED_BY_PROCTOR);
      g_signal_emit (self, signals[ENDED], 0);
    }
  else if (g_str_equal (kind, "release"))
    {
      g_signal_emit (self, signals[RELEASED], 0);
    }
  else if (!g_str_equal (kind, "snapshot_request"))
    {
      g_debug ("Proctor message of kind “%s” not handled here", kind);
    }
}

static gboolean
on_poll_cb (gpointer user_data)
{
  EkProctorChannel *self = user_data;

  self->poll_source = 0;
  poll_messages (self);
  return G_SOURCE_REMOVE;
}

static void
on_messages_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkProctorChannel) self = user_data;
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;

  messages = ek_api_client_get_messages_finish (EK_API_CLIENT (object), result, &cursor, &error);
  if (messages == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("Polling messages failed: %s", error->message);
    }
  else
    {
      if (cursor != NULL)
        {
          g_free (self->cursor);
          self->cursor = g_steal_pointer (&cursor);
        }
      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonObject *message = json_array_get_object_element (messages, i);

          if (message != NULL)
            handle_message (self, message);
          /* An end_exam ends the exam: the engine stops the channel. */
          if (self->stopped || ek_session_get_stage (self->session) != EK_SESSION_STAGE_EXAM)
            return;
        }

      while (self->pending_acks->len > 0)
        {
          g_autofree char *id = g_ptr_array_steal_index (self->pending_acks, 0);

          send_ack (self, id);
        }
    }

  if (!self->stopped)
    self->poll_source = g_timeout_add (POLL_INTERVAL_MS, on_poll_cb, self);
}

static void
poll_messages (EkProctorChannel *self)
{
  ek_api_client_get_messages_async (self->api, self->cursor, self->cancellable,
                                    on_messages_cb, g_object_ref (self));
}

/* --- sending -------------------------------------------------------------- */

static void
on_sent_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gint64 sent_ms = 0;

  if (!ek_api_client_post_message_finish (EK_API_CLIENT (object), result, NULL, &sent_ms, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_memdup2 (&sent_ms, sizeof sent_ms), g_free);
}

static void
send_message (EkProctorChannel    *self,
              const char          *kind,
              const char          *text,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  ek_api_client_post_message_async (self->api, kind, text, NULL, cancellable, on_sent_cb, task);
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_proctor_channel_dispose (GObject *object)
{
  EkProctorChannel *self = EK_PROCTOR_CHANNEL (object);

  ek_proctor_channel_stop (self);
  g_clear_object (&self->proctor);

  G_OBJECT_CLASS (ek_proctor_channel_parent_class)->dispose (object);
}

static void
ek_proctor_channel_finalize (GObject *object)
{
  EkProctorChannel *self = EK_PROCTOR_CHANNEL (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->api);
  g_clear_object (&self->session);
  g_free (self->cursor);
  g_queue_clear_full (&self->warnings, (GDestroyNotify) json_object_unref);
  g_ptr_array_unref (self->pending_acks);

  G_OBJECT_CLASS (ek_proctor_channel_parent_class)->finalize (object);
}

static void
ek_proctor_channel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkProctorChannel *self = EK_PROCTOR_CHANNEL (object);

  switch (prop_id)
    {
    case PROP_WARNING:
      g_value_set_boxed (value, ek_proctor_channel_get_warning (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_proctor_channel_class_init (EkProctorChannelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_proctor_channel_dispose;
  object_class->finalize = ek_proctor_channel_finalize;
  object_class->get_property = ek_proctor_channel_get_property;

  /**
   * EkProctorChannel:warning:
   *
   * The proctor's oldest warning the candidate has not acknowledged yet (its `id`,
   * `text`, `sent_ms`), or %NULL.
   */
  properties[PROP_WARNING] =
    g_param_spec_boxed ("warning", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkProctorChannel::log-event:
   * @type: `warning_received` or `warning_acknowledged`
   * @client_ms: when it began, wall clock ms; 0 for now
   * @duration_ms: how long it lasted, < 0 for none
   * @data: the message's id as `message`
   *
   * An event for the session's log (docs/protocol.md §7).
   */
  signals[LOG_EVENT] =
    g_signal_new ("log-event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * EkProctorChannel::chat-received:
   * @text: what the proctor wrote
   * @sent_ms: when, in server time
   *
   * A Help chat line from the proctor.
   */
  signals[CHAT_RECEIVED] =
    g_signal_new ("chat-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * EkProctorChannel::released:
   *
   * The proctor released the candidate: the identity confirmed by hand, a locked
   * screen opened (already done when this is emitted).
   */
  signals[RELEASED] =
    g_signal_new ("released",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkProctorChannel::ended:
   *
   * The proctor ended the exam (the session already ended, forced_by_proctor).
   */
  signals[ENDED] =
    g_signal_new ("ended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ek_proctor_channel_init (EkProctorChannel *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending_acks = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->warnings);
}

/* --- public API ----------------------------------------------------------- */

/**
 * ek_proctor_channel_new:
 * @api: the session's API client
 * @session: the session in its exam stage
 * @proctor: (nullable): the exam's live proctoring, for `release` and
 *   `snapshot_request`
 *
 * Starts polling at once.
 *
 * Returns: (transfer full): a new #EkProctorChannel
 */
EkProctorChannel *
ek_proctor_channel_new (EkApiClient   *api,
                        EkSession     *session,
                        EkExamProctor *proctor)
{
  EkProctorChannel *self;

  g_return_val_if_fail (EK_IS_API_CLIENT (api), NULL);
  g_return_val_if_fail (EK_IS_SESSION (session), NULL);
  g_return_val_if_fail (proctor == NULL || EK_IS_EXAM_PROCTOR (proctor), NULL);

  self = g_object_new (EK_TYPE_PROCTOR_CHANNEL, NULL);
  self->api = g_object_ref (api);
  self->session = g_object_ref (session);
  self->proctor = proctor != NULL ? g_object_ref (proctor) : NULL;
  poll_messages (self);

  return self;
}

/**
 * ek_proctor_channel_stop:
 *
 * The exam is over: nothing more is polled or sent.
 */
void
ek_proctor_channel_stop (EkProctorChannel *self)
{
  g_return_if_fail (EK_IS_PROCTOR_CHANNEL (self));

  self->stopped = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
}

/**
 * ek_proctor_channel_get_warning:
 *
 * Returns: (transfer none) (nullable): the warning to show until it is acknowledged
 */
JsonObject *
ek_proctor_channel_get_warning (EkProctorChannel *self)
{
  g_return_val_if_fail (EK_IS_PROCTOR_CHANNEL (self), NULL);

  return g_queue_peek_head (&self->warnings);
}

/**
 * ek_proctor_channel_warning_shown:
 *
 * The current warning is on screen (from the first time only), for the time the
 * acknowledgement's event tells.
 */
void
ek_proctor_channel_warning_shown (EkProctorChannel *self)
{
  JsonObject *warning;

  g_return_if_fail (EK_IS_PROCTOR_CHANNEL (self));

  warning = g_queue_peek_head (&self->warnings);
  /* A local member only: never sent. */
  if (warning != NULL && !json_object_has_member (warning, "shown_local_ms"))
    json_object_set_int_member (warning, "shown_local_ms", g_get_real_time () / 1000);
}

/**
 * ek_proctor_channel_acknowledge_warning:
 *
 * The candidate acknowledged the current warning: logged (with how long it was on
 * screen), acknowledged to the server, and the next one becomes current.
 */
void
ek_proctor_channel_acknowledge_warning (EkProctorChannel *self)
{
  g_autoptr(JsonObject) warning = NULL;
  gint64 shown_ms;

  g_return_if_fail (EK_IS_PROCTOR_CHANNEL (self));

  warning = g_queue_pop_head (&self->warnings);
  if (warning == NULL)
    return;

  shown_ms = json_object_get_int_member_with_default (warning, "shown_local_ms", 0);
  log_message_event (self, "warning_acknowledged", warning, shown_ms,
                     shown_ms > 0 ? g_get_real_time () / 1000 - shown_ms : -1);
  send_ack (self, json_object_get_string_member_with_default (warning, "id", ""));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
}

/**
 * ek_proctor_channel_send_chat_async:
 * @text: the candidate's Help message
 *
 * Sends a Help chat line; finish with ek_proctor_channel_send_finish().
 */
void
ek_proctor_channel_send_chat_async (EkProctorChannel    *self,
                                    const char          *text,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (EK_IS_PROCTOR_CHANNEL (self));
  g_return_if_fail (text != NULL);

  send_message (self, "chat", text, cancellable, callback, user_data,
                ek_proctor_channel_send_chat_async);
}

/**
 * ek_proctor_channel_raise_hand_async:
 *
 * Calls the proctor; finish with ek_proctor_channel_send_finish().
 */
void
ek_proctor_channel_raise_hand_async (EkProctorChannel    *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_PROCTOR_CHANNEL (self));

  send_message (self, "hand_raise", NULL, cancellable, callback, user_data,
                ek_proctor_channel_raise_hand_async);
}

/**
 * ek_proctor_channel_send_finish:
 * @out_sent_ms: (out) (optional): when the server took it, server time
 *
 * Returns: whether the server took the message
 */
gboolean
ek_proctor_channel_send_finish (EkProctorChannel  *self,
                                GAsyncResult      *result,
                                gint64            *out_sent_ms,
                                GError           **error)
{
  g_autofree gint64 *sent_ms = NULL;

  g_return_val_if_fail (EK_IS_PROCTOR_CHANNEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  sent_ms = g_task_propagate_pointer (G_TASK (result), error);
  if (sent_ms == NULL)
    return FALSE;
  if (out_sent_ms != NULL)
    *out_sent_ms = *sent_ms;
  return TRUE;
}
