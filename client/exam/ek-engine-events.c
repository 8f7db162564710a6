/* ek-engine-events.c: the session's event log, its stage and phase events, and the violations */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-engine-private.h"
#include "ek-private-files.h"

/* --- event log ------------------------------------------------------------ */

static void
on_events_pending_cb (EkEngine *self)
{
  _ek_engine_maybe_mark_finished (self);
}

/* The session's event log: DATA/sessions/ID/events.db, in the session's private
 * folder. Practice runs have no server and no log. */
static void
open_event_log (EkEngine *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;

  g_clear_object (&self->events);
  g_clear_pointer (&self->events_problem, g_free);
  if (self->session_id == NULL || self->practice != NULL ||
      g_str_equal (self->session_id, "practice"))
    return;

  directory = g_build_filename (ek_config_get_data_dir (self->config), "sessions",
                                self->session_id, NULL);
  path = g_build_filename (directory, "events.db", NULL);
  /* The log makes its own folder private (0700) with its file. */
  self->events = ek_event_log_new (path, &error);

  if (self->events == NULL)
    {
      g_warning ("The event log cannot be opened: %s", error->message);
      self->events_problem = g_strdup (error->message);
      return;
    }
  g_signal_connect_object (self->events, "notify::n-pending",
                           G_CALLBACK (on_events_pending_cb), self, G_CONNECT_SWAPPED);
  ek_event_log_set_api (self->events, self->api);
}

void
_ek_engine_set_session_id (EkEngine   *self,
                           const char *session_id)
{
  gboolean changed = g_strcmp0 (self->session_id, session_id) != 0;

  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  if (changed || (self->events == NULL && self->events_problem == NULL))
    open_event_log (self);
}

/* The server time of a moment the wall clock read as @client_ms. The clock's
 * offset is to the monotonic clock, which has another origin: the wall clock's
 * distance from the server time (the skew) is what carries over. */
static gint64
server_ms_of (EkEngine *self,
              gint64    client_ms)
{
  if (!ek_server_clock_is_synced (self->clock))
    return 0;
  return client_ms + ek_server_clock_get_skew_ms (self->clock);
}

void
_ek_engine_log_event (EkEngine   *self,
                      const char *type,
                      gint64      client_ms,
                      gint64      duration_ms,
                      JsonObject *data)
{
  if (self->events == NULL)
    return;
  if (client_ms <= 0)
    client_ms = ek_server_clock_get_wall_ms (self->clock);
  ek_event_log_append (self->events, type, client_ms, server_ms_of (self, client_ms),
                       duration_ms, data);
}

/* A small data object: pairs of member name and string value, NULL-terminated. */
JsonObject *
_ek_engine_string_data (const char *first_name,
                        ...)
{
  JsonObject *data = json_object_new ();
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      json_object_set_string_member (data, name, value != NULL ? value : "");
    }
  va_end (args);

  return data;
}

gboolean
_ek_engine_events_settled (EkEngine *self)
{
  return self->events == NULL || ek_event_log_get_n_pending (self->events) == 0;
}

/* --- stages and steps ----------------------------------------------------- */

static const char *
stage_name (EkSessionStage stage)
{
  switch (stage)
    {
    case EK_SESSION_STAGE_STEPS: return "steps";
    case EK_SESSION_STAGE_WAITING: return "waiting";
    case EK_SESSION_STAGE_EXAM: return "exam";
    case EK_SESSION_STAGE_FINISHING: return "finishing";
    case EK_SESSION_STAGE_FINISHED: return "finished";
    case EK_SESSION_STAGE_ENDED: return "ended";
    case EK_SESSION_STAGE_NONE:
    default: return "none";
    }
}

/* The session as the server knows it, in the log: each stage the client reaches. */
static void
log_stage (EkEngine       *self,
           EkSessionStage  stage)
{
  const EkSessionState *state = ek_session_get_state (self->session);
  g_autoptr(JsonObject) data = _ek_engine_string_data ("stage", stage_name (stage), NULL);

  if (state != NULL && state->end_reason != EK_END_REASON_NONE &&
      (stage == EK_SESSION_STAGE_FINISHING || stage == EK_SESSION_STAGE_ENDED))
    json_object_set_string_member (data, "reason", ek_end_reason_to_string (state->end_reason));
  else if (state != NULL && stage == EK_SESSION_STAGE_FINISHING)
    /* Reached on this computer's own clock, before the server said why. */
    json_object_set_string_member (data, "reason",
                                   ek_end_reason_to_string (state->submitted_ms > 0
                                                            ? EK_END_REASON_SUBMITTED
                                                            : EK_END_REASON_TIME_OVER));
  _ek_engine_log_event (self, "stage", 0, -1, data);
  self->logged_stage = stage;
}

static void
on_phase_index_cb (EkSession  *session,
                   GParamSpec *pspec,
                   EkEngine   *self)
{
  int index = ek_session_get_phase_index (session);
  EkExam *exam = ek_session_get_exam (session);
  g_autoptr(JsonObject) data = NULL;

  /* The session may say the phase before it says the stage: the stage comes first
   * in the log, and its handler logs the phase then. */
  if (index < 0 || exam == NULL || self->logged_stage != EK_SESSION_STAGE_EXAM)
    return;

  data = json_object_new ();
  json_object_set_int_member (data, "index", index);
  if ((guint) index < ek_exam_get_n_phases (exam))
    json_object_set_string_member (data, "phase", ek_exam_get_phase (exam, index)->id);
  _ek_engine_log_event (self, "phase_started", 0, -1, data);
}

static void
on_current_step_cb (EkSession  *session,
                    GParamSpec *pspec,
                    EkEngine   *self)
{
  g_autoptr(JsonObject) data = NULL;

  if (ek_session_get_stage (session) != EK_SESSION_STAGE_STEPS)
    return;
  data = _ek_engine_string_data ("step", ek_step_to_string (ek_session_get_current_step (session)),
                                 NULL);
  _ek_engine_log_event (self, "step_shown", 0, -1, data);
}

/* Called on each change of stage, before the engine acts on it. */
void
_ek_engine_log_stage_change (EkEngine       *self,
                             EkSessionStage  stage)
{
  /* FINISHED is never logged: it comes only once every event is acknowledged, and
   * the token is gone right after it. */
  if (stage != EK_SESSION_STAGE_NONE && stage != EK_SESSION_STAGE_FINISHED)
    log_stage (self, stage);
  if (stage == EK_SESSION_STAGE_EXAM)
    on_phase_index_cb (self->session, NULL, self);
}

/* Each phase and each step shown is an event of its own. */
void
_ek_engine_watch_session_events (EkEngine *self)
{
  g_signal_connect_object (self->session, "notify::phase-index",
                           G_CALLBACK (on_phase_index_cb), self, 0);
  g_signal_connect_object (self->session, "notify::current-step",
                           G_CALLBACK (on_current_step_cb), self, 0);
}

/* --- flushing ------------------------------------------------------------- */

static void
on_events_flushed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  /* After a failure the log goes on retrying by itself; n-pending says when it is done. */
  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    g_debug ("The events are not all on the server yet: %s", error->message);
}

static void
on_last_events_flushed_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* They stay in the session's folder, for the record. */
      g_message ("The last events of the ended session did not reach the server: %s",
                 error->message);
    }
  if (ek_session_get_stage (self->session) == EK_SESSION_STAGE_ENDED)
    _ek_engine_forget_session (self);
}

/* FINISHING: what is left goes to the server now. */
void
_ek_engine_flush_events (EkEngine *self)
{
  if (self->events != NULL)
    ek_event_log_flush_async (self->events, self->cancellable, on_events_flushed_cb,
                              g_object_ref (self));
}

/* ENDED: the session's last events (why it ended) go first, then the token. */
void
_ek_engine_flush_last_events (EkEngine *self)
{
  ek_event_log_flush_async (self->events, self->cancellable, on_last_events_flushed_cb,
                            g_object_ref (self));
}

/* --- public API ----------------------------------------------------------- */

EkEventLog *
ek_engine_get_event_log (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->events;
}

/**
 * ek_engine_log_event:
 * @type: the event type, snake_case ("camera_lost")
 * @client_ms: when it began, wall clock milliseconds since 1970; 0 for now
 * @duration_ms: how long it lasted, or < 0 when it has no duration
 * @data: (nullable): details, integers and strings only; not taken
 *
 * Appends an event to the session's log, which sends it to the server in order and
 * keeps it until acknowledged. Nothing happens without a session (or in practice).
 */
void
ek_engine_log_event (EkEngine   *self,
                     const char *type,
                     gint64      client_ms,
                     gint64      duration_ms,
                     JsonObject *data)
{
  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (type != NULL);

  _ek_engine_log_event (self, type, client_ms, duration_ms, data);
}

/* --- violations ----------------------------------------------------------- */

static gboolean
is_proctor_signal_type (const char *type)
{
  for (guint i = 0; i < EK_N_PROCTOR_SIGNALS; i++)
    if (g_strcmp0 (type, ek_proctor_signal_to_string (i)) == 0)
      return TRUE;
  return FALSE;
}

static JsonObject *
violation_data (const EkViolation *violation,
                const char        *state)
{
  JsonObject *data = _ek_engine_string_data ("state", state, "detail", violation->detail, NULL);

  json_object_set_int_member (data, "count", violation->count);
  json_object_set_string_member (data, "counted", violation->counted ? "yes" : "no");
  return data;
}

static void
on_violation_started_cb (EkViolationTracker *tracker,
                         EkViolation        *violation,
                         EkEngine           *self)
{
  g_autoptr(JsonObject) data = NULL;

  /* The proctor logs its own signals, with the moment the condition began. */
  if (self->proctor != NULL && is_proctor_signal_type (violation->type))
    return;
  data = violation_data (violation, "started");
  _ek_engine_log_event (self, violation->type, violation->start_ms, -1, data);
}

static void
on_violation_cb (EkViolationTracker *tracker,
                 EkViolation        *violation,
                 EkEngine           *self)
{
  g_autoptr(JsonObject) data = NULL;

  if (self->proctor != NULL && is_proctor_signal_type (violation->type))
    return;
  data = violation_data (violation, "ended");
  _ek_engine_log_event (self, violation->type, violation->start_ms, violation->duration_ms, data);
}

static void
on_escalated_cb (EkViolationTracker *tracker,
                 const char         *type,
                 int                 step,
                 EkEngine           *self)
{
  g_autoptr(JsonObject) data =
    _ek_engine_string_data ("violation", type, "step", ek_escalation_step_to_string (step), NULL);

  self->violation_step = step;
  _ek_engine_log_event (self, "escalation", 0, -1, data);
}

/* A step going back: a warning acknowledged, a lock released by the proctor. */
static void
on_violation_step_cb (EkViolationTracker *tracker,
                      GParamSpec         *pspec,
                      EkEngine           *self)
{
  EkEscalationStep step = ek_violation_tracker_get_step (tracker);
  g_autoptr(JsonObject) data = NULL;

  if (step >= self->violation_step)
    return;
  data = _ek_engine_string_data ("from", ek_escalation_step_to_string (self->violation_step),
                                 "to", ek_escalation_step_to_string (step), NULL);
  self->violation_step = step;
  _ek_engine_log_event (self, "escalation_cleared", 0, -1, data);
}

/**
 * ek_engine_watch_violations:
 * @tracker: (nullable): the lockdown's tracker; %NULL stops watching
 *
 * Every counted violation becomes two events of its type (data `state` "started",
 * then "ended" with its duration; one inside the grace time only "ended", with
 * `counted` "no"), every escalation an `escalation` event, and every step back (a
 * warning acknowledged, a lock released) an `escalation_cleared` event.
 */
void
ek_engine_watch_violations (EkEngine           *self,
                            EkViolationTracker *tracker)
{
  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (tracker == NULL || EK_IS_VIOLATION_TRACKER (tracker));

  if (self->violations == tracker)
    return;
  if (self->violations != NULL)
    g_signal_handlers_disconnect_by_data (self->violations, self);
  g_set_object (&self->violations, tracker);
  if (self->proctor != NULL)
    ek_exam_proctor_set_violation_tracker (self->proctor, tracker);
  if (tracker == NULL)
    return;

  self->violation_step = ek_violation_tracker_get_step (tracker);
  g_signal_connect_object (tracker, "violation-started",
                           G_CALLBACK (on_violation_started_cb), self, 0);
  g_signal_connect_object (tracker, "violation", G_CALLBACK (on_violation_cb), self, 0);
  g_signal_connect_object (tracker, "escalated", G_CALLBACK (on_escalated_cb), self, 0);
  g_signal_connect_object (tracker, "notify::step", G_CALLBACK (on_violation_step_cb), self, 0);
}
