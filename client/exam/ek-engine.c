/* ek-engine.c: the exam engine as the UI sees it: life cycle, properties, and what
 * each stage of the session sets going
 *
 * The engine is one object in several files, by concern, sharing its instance struct
 * through ek-engine-private.h (as gnome-text-editor does with editor-page-*.c):
 * ek-engine-login.c (login, face login, re-entry, the keyring), ek-engine-steps.c (the
 * steps, entry, submission, the questions), ek-engine-media.c (recording, room scan,
 * proctoring) and ek-engine-events.c (event log, stage events, violations). What is
 * here: the stage handler, the clock re-sync, the written answers and when the session
 * counts as finished.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-engine-private.h"

/* A running exam re-measures the clock now and then, so that a countdown of two
 * hours cannot drift from the server's by the local oscillator's error. */
#define CLOCK_RESYNC_SECONDS 300

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkEngine, ek_engine, G_TYPE_OBJECT)

void
_ek_engine_notify (EkEngine *self,
                   guint     prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* --- clock re-sync -------------------------------------------------------- */

static void
on_resynced_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A failed re-sync keeps the last good offset, which is still right to within
   * the oscillator's drift: nothing to tell the candidate. */
  if (!ek_api_client_sync_clock_finish (EK_API_CLIENT (object), result, &error))
    g_debug ("Clock re-sync failed: %s", error->message);
  else
    ek_session_refresh (self->session);
}

static gboolean
on_resync_timeout_cb (gpointer user_data)
{
  EkEngine *self = user_data;

  ek_api_client_sync_clock_async (self->api, self->cancellable, on_resynced_cb,
                                  g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

/* --- written answers and the finished criteria ---------------------------- */

static gboolean
is_written_exam (EkEngine *self)
{
  EkExam *exam = ek_session_get_exam (self->session);

  return exam != NULL && ek_exam_get_kind (exam) == EK_EXAM_KIND_WRITTEN;
}

/* Whether the answers need nothing more from this computer: every one confirmed by the
 * server or refused by it for good (protocol section 6), or kept offline (practice). A
 * store that cannot be opened is not settled: the token is kept, so a restart tries again. */
static gboolean
answers_settled (EkEngine *self)
{
  if (!is_written_exam (self) || self->practice != NULL)
    return TRUE;
  if (self->answers == NULL)
    return FALSE;

  return ek_answer_store_get_n_pending_sync (self->answers) == 0 ||
         ek_answer_store_get_sync_stopped (self->answers);
}

/* FINISHED only when the server has the recording, the answers, the events and an
 * entry made offline. */
void
_ek_engine_maybe_mark_finished (EkEngine *self)
{
  if (ek_session_get_stage (self->session) == EK_SESSION_STAGE_FINISHING &&
      self->offline_entered_ms == 0 && self->recording_confirmed && answers_settled (self) && _ek_engine_events_settled (self))
    ek_session_mark_finished (self->session);
}

static void
on_answers_synced_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* After a transient failure the store goes on pushing by itself; n-pending-sync
   * says when it is done. */
  if (!ek_answer_store_sync_finish (EK_ANSWER_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The answers are not all on the server yet: %s", error->message);
  _ek_engine_maybe_mark_finished (self);
}

/* The exam is over however it ended: the answers are final, and what was saved in
 * time but not yet pushed goes to the server now (also after a restart past the end). */
static void
settle_answers (EkEngine *self)
{
  EkSessionStage stage = ek_session_get_stage (self->session);

  if (self->answers == NULL ||
      (stage != EK_SESSION_STAGE_FINISHING && stage != EK_SESSION_STAGE_FINISHED &&
       stage != EK_SESSION_STAGE_ENDED))
    return;

  ek_answer_store_set_read_only (self->answers);
  if (stage == EK_SESSION_STAGE_FINISHING && self->practice == NULL &&
      !ek_answer_store_get_sync_stopped (self->answers))
    ek_answer_store_sync_async (self->answers, self->cancellable, on_answers_synced_cb,
                                g_object_ref (self));
  _ek_engine_maybe_mark_finished (self);
}

static void
on_answers_progress_cb (EkEngine *self)
{
  _ek_engine_maybe_mark_finished (self);
}

static void
set_answers_problem (EkEngine   *self,
                     const char *problem)
{
  if (g_strcmp0 (problem, self->answers_problem) == 0)
    return;

  g_free (self->answers_problem);
  self->answers_problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_STORE_PROBLEM]);
}

static void
on_answers_opened_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  EkAnswerStore *store;
  EkExam *exam;

  store = ek_answer_store_open_session_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->answers_cancellable);

  if (store == NULL)
    {
      g_autofree char *problem = NULL;

      g_message ("The answer store cannot be opened: %s", error->message);
      /* Translators: %s says why (a file system message) */
      problem = g_strdup_printf (_("Your answers cannot be saved on this computer (%s). "
                                   "Press Refresh to try again, or call the proctor."),
                                 error->message);
      set_answers_problem (self, problem);
      return;
    }

  self->answers = store;
  exam = ek_session_get_exam (self->session);
  /* Past the exam's end the answers only finish their upload. */
  if (exam != NULL)
    ek_answer_store_set_deadline (store, self->clock, ek_exam_get_ends_ms (exam));
  g_signal_connect_object (store, "notify::n-pending-sync", G_CALLBACK (on_answers_progress_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "notify::sync-stopped", G_CALLBACK (on_answers_progress_cb),
                           self, G_CONNECT_SWAPPED);
  set_answers_problem (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANSWER_STORE]);
  settle_answers (self);
}

/* A written exam's answers, opened when it is entered or re-entered (also past its end,
 * to push what waited on this computer). */
static void
open_answers (EkEngine *self)
{
  if (!is_written_exam (self) || self->answers != NULL || self->answers_cancellable != NULL ||
      self->session_id == NULL)
    return;

  self->answers_cancellable = g_cancellable_new ();
  ek_answer_store_open_session_async (self->config, self->session_id,
                                      self->practice == NULL ? self->api : NULL,
                                      self->answers_cancellable, on_answers_opened_cb,
                                      g_object_ref (self));
}

/* --- stages --------------------------------------------------------------- */

static void
on_session_stage_cb (EkSession  *session,
                     GParamSpec *pspec,
                     EkEngine   *self)
{
  EkSessionStage stage = ek_session_get_stage (session);

  _ek_engine_log_stage_change (self, stage);

  switch (stage)
    {
    case EK_SESSION_STAGE_WAITING:
    case EK_SESSION_STAGE_EXAM:
      if (self->resync_source == 0 && self->practice == NULL)
        self->resync_source = g_timeout_add_seconds (CLOCK_RESYNC_SECONDS,
                                                     on_resync_timeout_cb, self);
      if (stage == EK_SESSION_STAGE_EXAM)
        {
          _ek_engine_start_recording (self);
          open_answers (self);
          _ek_engine_start_proctor (self);
          _ek_engine_start_proctor_channel (self);
        }
      break;

    case EK_SESSION_STAGE_FINISHING:
      _ek_engine_stop_proctor_channel (self);
      _ek_engine_stop_proctor (self);
      open_answers (self);
      settle_answers (self);
      _ek_engine_finish_recording (self);
      _ek_engine_flush_events (self);
      break;

    case EK_SESSION_STAGE_FINISHED:
    case EK_SESSION_STAGE_ENDED:
      _ek_engine_stop_proctor_channel (self);
      _ek_engine_stop_proctor (self);
      g_clear_handle_id (&self->resync_source, g_source_remove);
      /* Nothing is left to re-enter: the token must not outlive the session. An
       * ended session's last events (why it ended) go first. */
      if (stage == EK_SESSION_STAGE_ENDED && !_ek_engine_events_settled (self) && self->practice == NULL)
        _ek_engine_flush_last_events (self);
      else
        _ek_engine_forget_session (self);
      /* FINISHED comes after the outbox is complete; ENDED (the proctor ended the
       * session) stops the recording where it is. */
      _ek_engine_clear_recording (self);
      break;

    case EK_SESSION_STAGE_NONE:
    case EK_SESSION_STAGE_STEPS:
    default:
      break;
    }
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_engine_constructed (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  G_OBJECT_CLASS (ek_engine_parent_class)->constructed (object);

  g_assert (self->config != NULL);

  self->clock = ek_server_clock_new ();
  self->api = ek_api_client_new (ek_config_get_server_url (self->config), self->clock);
  ek_api_client_set_pinned_key (self->api, ek_config_get_pinned_key (self->config));
  ek_api_client_set_ca_file (self->api, ek_config_get_ca_file (self->config));
  /* Only the deployment's proxy, never one from the environment. */
  ek_api_client_set_proxy (self->api, ek_config_get_proxy (self->config));
  self->secrets = ek_secret_store_new ();
  self->session = ek_session_new (self->clock);
  g_signal_connect_object (self->session, "notify::stage",
                           G_CALLBACK (on_session_stage_cb), self, 0);
  /* The copy for a restart without the network follows each stage and step. */
  g_signal_connect_object (self->session, "notify::stage",
                           G_CALLBACK (_ek_engine_offline_save), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::current-step",
                           G_CALLBACK (_ek_engine_offline_save), self, G_CONNECT_SWAPPED);
  _ek_engine_watch_session_events (self);
}

static void
ek_engine_dispose (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->resync_source, g_source_remove);
  _ek_engine_sealed_stop (self);
  g_clear_pointer (&self->offline_answer, json_object_unref);
  g_clear_pointer (&self->offline_pending, g_free);
  g_clear_pointer (&self->offline_pending_path, g_free);
  _ek_engine_stop_proctor_channel (self);
  _ek_engine_stop_proctor (self);
  _ek_engine_clear_recording (self);
  g_cancellable_cancel (self->answers_cancellable);
  g_clear_object (&self->answers_cancellable);
  g_clear_object (&self->answers);
  ek_engine_watch_violations (self, NULL);
  g_clear_object (&self->events);
  g_clear_object (&self->practice);
  g_clear_object (&self->session);
  g_clear_object (&self->api);
  g_clear_object (&self->secrets);
  g_clear_object (&self->clock);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (ek_engine_parent_class)->dispose (object);
}

static void
ek_engine_finalize (GObject *object)
{
  EkEngine *self = (EkEngine *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->session_id, g_free);
  g_clear_pointer (&self->keyring_problem, g_free);
  g_clear_pointer (&self->recording_problem, g_free);
  g_clear_pointer (&self->answers_problem, g_free);
  g_clear_pointer (&self->events_problem, g_free);
  g_clear_pointer (&self->camera_id, g_free);
  g_clear_pointer (&self->microphone_id, g_free);
  _ek_engine_set_questions_key (self, NULL);

  G_OBJECT_CLASS (ek_engine_parent_class)->finalize (object);
}

static void
ek_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkEngine *self = EK_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_KEYRING_PROBLEM:
      g_value_set_string (value, self->keyring_problem);
      break;

    case PROP_RECORDING:
      g_value_set_object (value, self->recording);
      break;

    case PROP_RECORDING_PROBLEM:
      g_value_set_string (value, self->recording_problem);
      break;

    case PROP_ANSWER_STORE:
      g_value_set_object (value, self->answers);
      break;

    case PROP_ANSWER_STORE_PROBLEM:
      g_value_set_string (value, self->answers_problem);
      break;

    case PROP_PROCTOR:
      g_value_set_object (value, self->proctor);
      break;

    case PROP_PROCTOR_CHANNEL:
      g_value_set_object (value, self->proctor_channel);
      break;

    case PROP_QUESTIONS_PROBLEM:
      g_value_set_string (value, self->questions_problem);
      break;

    case PROP_QUESTIONS_READY:
      g_value_set_boolean (value, ek_engine_get_questions_ready (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_engine_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  EkEngine *self = EK_ENGINE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_engine_class_init (EkEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ek_engine_constructed;
  object_class->dispose = ek_engine_dispose;
  object_class->finalize = ek_engine_finalize;
  object_class->get_property = ek_engine_get_property;
  object_class->set_property = ek_engine_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         EK_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         EK_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * EkEngine:keyring-problem:
   *
   * Why the session token could not be kept in (or read from) the Secret
   * Service, for the UI to show; %NULL when all is well. The exam goes on: a
   * client restarted without the token logs in again into the same session.
   */
  properties[PROP_KEYRING_PROBLEM] =
    g_param_spec_string ("keyring-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:recording:
   *
   * The session's recording: made when the exam starts (or, after a restart,
   * when the session is found finishing), dropped when the session is over.
   */
  properties[PROP_RECORDING] =
    g_param_spec_object ("recording", NULL, NULL,
                         EK_TYPE_EXAM_RECORDING,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:recording-problem:
   *
   * Why the recording or its upload failed (no camera, disk full, the server
   * refused the segments), translated, for the UI; %NULL while all is well.
   */
  properties[PROP_RECORDING_PROBLEM] =
    g_param_spec_string ("recording-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:answer-store:
   *
   * A written exam's answers: opened when the exam is entered (or re-entered, also
   * past its end), kept until the engine goes. The UI shows and edits them here;
   * the engine makes them final when the exam is over and pushes what is left.
   */
  properties[PROP_ANSWER_STORE] =
    g_param_spec_object ("answer-store", NULL, NULL,
                         EK_TYPE_ANSWER_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:answer-store-problem:
   *
   * Why the answer store could not be opened, translated; %NULL while all is well.
   */
  properties[PROP_ANSWER_STORE_PROBLEM] =
    g_param_spec_string ("answer-store-problem", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:proctor:
   *
   * The live proctoring of the exam (signals, snapshots, identity re-check):
   * from the exam's start to its end, never in the practice; %NULL otherwise.
   */
  properties[PROP_PROCTOR] =
    g_param_spec_object ("proctor", NULL, NULL,
                         EK_TYPE_EXAM_PROCTOR,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkEngine:proctor-channel:
   *
   * The proctor's messages (warnings, chat, end, release, snapshot requests): from
   * the exam's start to its end, never in the practice; %NULL otherwise.
   */
  properties[PROP_PROCTOR_CHANNEL] =
    g_param_spec_object ("proctor-channel", NULL, NULL,
                         EK_TYPE_PROCTOR_CHANNEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* Why the sealed questions were refused (translated), or NULL (section 6.1). */
  properties[PROP_QUESTIONS_PROBLEM] =
    g_param_spec_string ("questions-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* The sealed questions and their key are here: the exam can start offline. */
  properties[PROP_QUESTIONS_READY] =
    g_param_spec_boolean ("questions-ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_engine_init (EkEngine *self)
{
  self->cancellable = g_cancellable_new ();
}

/* --- public API ----------------------------------------------------------- */

EkEngine *
ek_engine_new (EkConfig *config)
{
  g_return_val_if_fail (EK_IS_CONFIG (config), NULL);

  return g_object_new (EK_TYPE_ENGINE, "config", config, NULL);
}

EkConfig *
ek_engine_get_config (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->config;
}

EkServerClock *
ek_engine_get_clock (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->clock;
}

EkApiClient *
ek_engine_get_api (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->api;
}

EkSecretStore *
ek_engine_get_secret_store (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->secrets;
}

EkSession *
ek_engine_get_session (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->session;
}

const char *
ek_engine_get_session_id (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->session_id;
}

const char *
ek_engine_get_keyring_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->keyring_problem;
}

/**
 * ek_engine_get_answer_store:
 *
 * Returns: (transfer none) (nullable): a written exam's answers, once open
 */
EkAnswerStore *
ek_engine_get_answer_store (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->answers;
}

const char *
ek_engine_get_answer_store_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->answers_problem;
}

/**
 * ek_engine_reopen_answer_store:
 *
 * Tries again to open the answers after EkEngine:answer-store-problem.
 */
void
ek_engine_reopen_answer_store (EkEngine *self)
{
  g_return_if_fail (EK_IS_ENGINE (self));

  open_answers (self);
}
