/* ek-session.c: the candidate's way through an exam, as a state machine */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-session.h"

struct _EkSession
{
  GObject         parent_instance;

  EkServerClock  *clock;      /* owned */
  EkExam         *exam;       /* owned */
  EkCandidate    *candidate;  /* owned */
  EkSessionState *state;      /* owned; the server's view plus local progress */
  gboolean        finished;   /* the server confirmed every segment */

  /* Derived from the above and the server time by update_stage() */
  EkSessionStage  stage;
  EkStep          current_step;
  int             phase_index;

  guint           wake_source;
};

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_EXAM,
  PROP_CANDIDATE,
  PROP_STAGE,
  PROP_CURRENT_STEP,
  PROP_PHASE_INDEX,
  N_PROPS
};

enum {
  PHASE_STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkSession, ek_session, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-session-error-quark, ek_session_error)

static const char * const stage_names[] = {
  [EK_SESSION_STAGE_NONE] = "none",
  [EK_SESSION_STAGE_STEPS] = "steps",
  [EK_SESSION_STAGE_WAITING] = "waiting",
  [EK_SESSION_STAGE_EXAM] = "exam",
  [EK_SESSION_STAGE_FINISHING] = "finishing",
  [EK_SESSION_STAGE_FINISHED] = "finished",
  [EK_SESSION_STAGE_ENDED] = "ended",
};

static void update_stage (EkSession *self);

/* A server time as the candidate reads it: local hours and minutes. */
static char *
format_server_time (gint64 server_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (server_ms / 1000);

  if (dt == NULL)
    return g_strdup ("?");

  return g_date_time_format (dt, "%H:%M");
}

static EkStep
first_open_step (EkSession *self)
{
  for (EkStep step = 0; step < EK_N_STEPS; step++)
    {
      if (ek_exam_requires_step (self->exam, step) &&
          !ek_session_state_has_step (self->state, step))
        return step;
    }

  return EK_STEP_NONE;
}

static EkSessionStage
derive_stage (EkSession *self,
              gint64     now_ms,
              EkStep    *step,
              int       *phase_index)
{
  gint64 ends_ms;

  *step = EK_STEP_NONE;
  *phase_index = -1;

  if (self->exam == NULL || self->state == NULL)
    return EK_SESSION_STAGE_NONE;

  if (self->state->ended)
    {
      switch (self->state->end_reason)
        {
        case EK_END_REASON_SUBMITTED:
        case EK_END_REASON_TIME_OVER:
        case EK_END_REASON_FORCED_BY_PROCTOR:
          return self->finished ? EK_SESSION_STAGE_FINISHED : EK_SESSION_STAGE_FINISHING;

        case EK_END_REASON_ENDED_BY_CANDIDATE:
          /* Ending during the exam is a submission; before entry there is nothing
           * recorded to finish. */
          if (self->state->entered_ms != 0)
            return self->finished ? EK_SESSION_STAGE_FINISHED : EK_SESSION_STAGE_FINISHING;
          return EK_SESSION_STAGE_ENDED;

        case EK_END_REASON_PLEDGE_DECLINED:
        case EK_END_REASON_NONE:
        default:
          return EK_SESSION_STAGE_ENDED;
        }
    }

  if (self->state->submitted_ms != 0)
    return self->finished ? EK_SESSION_STAGE_FINISHED : EK_SESSION_STAGE_FINISHING;

  ends_ms = ek_exam_get_ends_ms (self->exam);

  if (self->state->entered_ms != 0)
    {
      if (now_ms >= ends_ms)
        return self->finished ? EK_SESSION_STAGE_FINISHED : EK_SESSION_STAGE_FINISHING;

      *phase_index = ek_exam_find_phase_at (self->exam, now_ms);
      return EK_SESSION_STAGE_EXAM;
    }

  if (now_ms > ek_exam_get_late_entry_cutoff_ms (self->exam))
    return EK_SESSION_STAGE_ENDED;

  *step = first_open_step (self);
  if (*step != EK_STEP_NONE)
    return EK_SESSION_STAGE_STEPS;

  return EK_SESSION_STAGE_WAITING;
}

/* The next server time at which the derived stage or phase can change by itself. */
static gint64
next_boundary (EkSession *self,
               gint64     now_ms)
{
  gint64 candidates[3 + 2 * 64];
  guint n = 0;
  gint64 best = G_MAXINT64;

  switch (self->stage)
    {
    case EK_SESSION_STAGE_STEPS:
    case EK_SESSION_STAGE_WAITING:
      candidates[n++] = ek_exam_get_starts_ms (self->exam);
      candidates[n++] = ek_exam_get_late_entry_cutoff_ms (self->exam) + 1;
      break;

    case EK_SESSION_STAGE_EXAM:
      for (guint i = 0; i < ek_exam_get_n_phases (self->exam) && n + 2 < G_N_ELEMENTS (candidates); i++)
        {
          const EkPhase *phase = ek_exam_get_phase (self->exam, i);

          candidates[n++] = phase->starts_ms;
          candidates[n++] = phase->ends_ms;
        }
      if (ek_exam_get_min_submit_ms (self->exam) != 0)
        candidates[n++] = ek_exam_get_min_submit_ms (self->exam);
      break;

    case EK_SESSION_STAGE_NONE:
    case EK_SESSION_STAGE_FINISHING:
    case EK_SESSION_STAGE_FINISHED:
    case EK_SESSION_STAGE_ENDED:
    default:
      break;
    }

  for (guint i = 0; i < n; i++)
    {
      if (candidates[i] > now_ms && candidates[i] < best)
        best = candidates[i];
    }

  return best;
}

static gboolean
on_wake_cb (gpointer user_data)
{
  EkSession *self = user_data;

  self->wake_source = 0;
  update_stage (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_wake (EkSession *self,
               gint64     now_ms)
{
  gint64 boundary = next_boundary (self, now_ms);
  gint64 delay_ms;

  g_clear_handle_id (&self->wake_source, g_source_remove);

  if (boundary == G_MAXINT64)
    return;

  /* Wake at most once a minute even for far deadlines, so that a clock
   * correction from a later sync is picked up in time. */
  delay_ms = CLAMP (boundary - now_ms, 1, 60 * 1000);
  self->wake_source = g_timeout_add_full (G_PRIORITY_HIGH, (guint) delay_ms,
                                          on_wake_cb, self, NULL);
  g_source_set_name_by_id (self->wake_source, "[exam-kiosk] session deadline");
}

static void
update_stage (EkSession *self)
{
  gint64 now_ms = ek_server_clock_now_ms (self->clock);
  EkSessionStage stage;
  EkStep step;
  int phase_index;
  gboolean phase_started;

  stage = derive_stage (self, now_ms, &step, &phase_index);
  phase_started = phase_index >= 0 && phase_index != self->phase_index;

  g_object_freeze_notify (G_OBJECT (self));

  if (stage != self->stage)
    {
      self->stage = stage;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
    }

  if (step != self->current_step)
    {
      self->current_step = step;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STEP]);
    }

  if (phase_index != self->phase_index)
    {
      self->phase_index = phase_index;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE_INDEX]);
    }

  g_object_thaw_notify (G_OBJECT (self));

  if (phase_started)
    g_signal_emit (self, signals[PHASE_STARTED], 0, phase_index);

  schedule_wake (self, now_ms);
}

static void
ek_session_dispose (GObject *object)
{
  EkSession *self = (EkSession *)object;

  g_clear_handle_id (&self->wake_source, g_source_remove);
  g_clear_object (&self->exam);
  g_clear_object (&self->candidate);

  G_OBJECT_CLASS (ek_session_parent_class)->dispose (object);
}

static void
ek_session_finalize (GObject *object)
{
  EkSession *self = (EkSession *)object;

  g_clear_object (&self->clock);
  g_clear_pointer (&self->state, ek_session_state_free);

  G_OBJECT_CLASS (ek_session_parent_class)->finalize (object);
}

static void
ek_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EkSession *self = EK_SESSION (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    case PROP_EXAM:
      g_value_set_object (value, self->exam);
      break;

    case PROP_CANDIDATE:
      g_value_set_object (value, self->candidate);
      break;

    case PROP_STAGE:
      g_value_set_uint (value, self->stage);
      break;

    case PROP_CURRENT_STEP:
      g_value_set_uint (value, self->current_step);
      break;

    case PROP_PHASE_INDEX:
      g_value_set_int (value, self->phase_index);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EkSession *self = EK_SESSION (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      if (self->clock == NULL)
        self->clock = ek_server_clock_new ();
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_session_class_init (EkSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_session_dispose;
  object_class->finalize = ek_session_finalize;
  object_class->get_property = ek_session_get_property;
  object_class->set_property = ek_session_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         EK_TYPE_SERVER_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_EXAM] =
    g_param_spec_object ("exam", NULL, NULL,
                         EK_TYPE_EXAM,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CANDIDATE] =
    g_param_spec_object ("candidate", NULL, NULL,
                         EK_TYPE_CANDIDATE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_STAGE] =
    g_param_spec_uint ("stage", NULL, NULL,
                       0, EK_SESSION_STAGE_ENDED, EK_SESSION_STAGE_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CURRENT_STEP] =
    g_param_spec_uint ("current-step", NULL, NULL,
                       0, EK_STEP_NONE, EK_STEP_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PHASE_INDEX] =
    g_param_spec_int ("phase-index", NULL, NULL,
                      -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkSession::phase-started:
   * @index: the phase that started
   *
   * Emitted when a phase starts, also when a re-entered session lands in a
   * running phase: the moment to fetch (or re-fetch) its questions.
   */
  signals[PHASE_STARTED] =
    g_signal_new ("phase-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ek_session_init (EkSession *self)
{
  self->stage = EK_SESSION_STAGE_NONE;
  self->current_step = EK_STEP_NONE;
  self->phase_index = -1;
}

EkSession *
ek_session_new (EkServerClock *clock)
{
  return g_object_new (EK_TYPE_SESSION, "clock", clock, NULL);
}

EkServerClock *
ek_session_get_clock (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), NULL);
  return self->clock;
}

/**
 * ek_session_load:
 *
 * Takes the session as the server describes it, after a login or a re-entry.
 *
 * Returns: %FALSE with %EK_SESSION_ERROR_ENTRY_CLOSED when the candidate never
 *   entered and the late-entry cutoff has passed (the session is then ended)
 */
gboolean
ek_session_load (EkSession             *self,
                 EkExam                *exam,
                 EkCandidate           *candidate,
                 const EkSessionState  *state,
                 GError               **error)
{
  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);
  g_return_val_if_fail (EK_IS_EXAM (exam), FALSE);
  g_return_val_if_fail (candidate == NULL || EK_IS_CANDIDATE (candidate), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  if (g_set_object (&self->exam, exam))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXAM]);
  if (g_set_object (&self->candidate, candidate))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CANDIDATE]);

  self->finished = FALSE;
  self->phase_index = -1;
  ek_session_set_state (self, state);

  if (self->stage == EK_SESSION_STAGE_ENDED && !state->ended)
    {
      g_autofree char *cutoff = format_server_time (ek_exam_get_late_entry_cutoff_ms (exam));

      g_set_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_ENTRY_CLOSED,
                   _("Entry to this exam closed at %s. Please contact your examining body."),
                   cutoff);
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_session_set_state:
 *
 * Replaces the session state with the server's latest answer and derives the
 * stage again.
 */
void
ek_session_set_state (EkSession            *self,
                      const EkSessionState *state)
{
  g_return_if_fail (EK_IS_SESSION (self));
  g_return_if_fail (state != NULL);

  g_clear_pointer (&self->state, ek_session_state_free);
  self->state = ek_session_state_copy (state);
  update_stage (self);
}

const EkSessionState *
ek_session_get_state (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), NULL);
  return self->state;
}

EkExam *
ek_session_get_exam (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), NULL);
  return self->exam;
}

EkCandidate *
ek_session_get_candidate (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), NULL);
  return self->candidate;
}

EkSessionStage
ek_session_get_stage (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), EK_SESSION_STAGE_NONE);
  return self->stage;
}

EkStep
ek_session_get_current_step (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), EK_STEP_NONE);
  return self->current_step;
}

int
ek_session_get_phase_index (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), -1);
  return self->phase_index;
}

/**
 * ek_session_get_phase_remaining_ms:
 *
 * Returns: the time left in the running phase, from its absolute deadline; 0
 *   outside a phase
 */
gint64
ek_session_get_phase_remaining_ms (EkSession *self)
{
  const EkPhase *phase;

  g_return_val_if_fail (EK_IS_SESSION (self), 0);

  if (self->stage != EK_SESSION_STAGE_EXAM || self->phase_index < 0)
    return 0;

  phase = ek_exam_get_phase (self->exam, (guint) self->phase_index);
  return MAX (0, ek_server_clock_ms_until (self->clock, phase->ends_ms));
}

gint64
ek_session_get_ms_until_start (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), 0);

  if (self->exam == NULL)
    return 0;

  return MAX (0, ek_server_clock_ms_until (self->clock, ek_exam_get_starts_ms (self->exam)));
}

gint64
ek_session_get_exam_remaining_ms (EkSession *self)
{
  g_return_val_if_fail (EK_IS_SESSION (self), 0);

  if (self->exam == NULL)
    return 0;

  return MAX (0, ek_server_clock_ms_until (self->clock, ek_exam_get_ends_ms (self->exam)));
}

/**
 * ek_session_complete_step:
 *
 * Marks the current pre-exam step done locally (the caller reports it to the
 * server and then applies the server's state with ek_session_set_state()).
 * Steps complete only in order.
 */
gboolean
ek_session_complete_step (EkSession  *self,
                          EkStep      step,
                          GError    **error)
{
  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);
  g_return_val_if_fail (step < EK_N_STEPS, FALSE);

  if (self->state == NULL)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                           _("No exam session is open."));
      return FALSE;
    }

  if (self->stage != EK_SESSION_STAGE_STEPS || self->current_step != step)
    {
      g_set_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                   "step “%s” is not the current step", ek_step_to_string (step));
      return FALSE;
    }

  self->state->completed_steps |= 1u << step;
  update_stage (self);
  return TRUE;
}

gboolean
ek_session_can_enter (EkSession  *self,
                      GError    **error)
{
  gint64 now_ms;

  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);

  if (self->stage == EK_SESSION_STAGE_NONE)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                           _("No exam session is open."));
      return FALSE;
    }

  if (self->stage == EK_SESSION_STAGE_EXAM)
    return TRUE;

  now_ms = ek_server_clock_now_ms (self->clock);

  if (self->stage == EK_SESSION_STAGE_ENDED ||
      now_ms > ek_exam_get_late_entry_cutoff_ms (self->exam))
    {
      g_autofree char *cutoff = format_server_time (ek_exam_get_late_entry_cutoff_ms (self->exam));

      g_set_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_ENTRY_CLOSED,
                   _("Entry to this exam closed at %s. Please contact your examining body."),
                   cutoff);
      return FALSE;
    }

  if (self->stage != EK_SESSION_STAGE_WAITING)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                           _("Please finish the steps before the exam first."));
      return FALSE;
    }

  if (now_ms < ek_exam_get_starts_ms (self->exam))
    {
      g_autofree char *start = format_server_time (ek_exam_get_starts_ms (self->exam));

      g_set_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_OPEN,
                   _("The exam opens at %s. Please wait in the waiting room."), start);
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_session_enter:
 *
 * Enters the exam locally, when ek_session_can_enter() allows it (the caller
 * reports it to the server and applies the server's state).
 */
gboolean
ek_session_enter (EkSession  *self,
                  GError    **error)
{
  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);

  if (!ek_session_can_enter (self, error))
    return FALSE;

  if (self->state->entered_ms == 0)
    self->state->entered_ms = ek_server_clock_now_ms (self->clock);
  update_stage (self);
  return TRUE;
}

gboolean
ek_session_can_submit (EkSession  *self,
                       GError    **error)
{
  gint64 min_submit_ms;

  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);

  if (self->stage != EK_SESSION_STAGE_EXAM)
    {
      g_set_error_literal (error, EK_SESSION_ERROR, EK_SESSION_ERROR_OVER,
                           _("The exam is not running, so there is nothing to submit."));
      return FALSE;
    }

  min_submit_ms = ek_exam_get_min_submit_ms (self->exam);
  if (min_submit_ms != 0 && ek_server_clock_now_ms (self->clock) < min_submit_ms)
    {
      g_autofree char *when = format_server_time (min_submit_ms);

      g_set_error (error, EK_SESSION_ERROR, EK_SESSION_ERROR_TOO_EARLY,
                   _("You can submit from %s on."), when);
      return FALSE;
    }

  return TRUE;
}

gboolean
ek_session_submit (EkSession  *self,
                   GError    **error)
{
  g_return_val_if_fail (EK_IS_SESSION (self), FALSE);

  if (!ek_session_can_submit (self, error))
    return FALSE;

  self->state->submitted_ms = ek_server_clock_now_ms (self->clock);
  update_stage (self);
  return TRUE;
}

/**
 * ek_session_end:
 *
 * Ends the session for @reason: a declined pledge, the candidate leaving, or a
 * forced collection by the proctor (which the client obeys at once).
 */
void
ek_session_end (EkSession   *self,
                EkEndReason  reason)
{
  g_return_if_fail (EK_IS_SESSION (self));
  g_return_if_fail (reason != EK_END_REASON_NONE);

  if (self->state == NULL || self->state->ended)
    return;

  self->state->ended = TRUE;
  self->state->end_reason = reason;
  update_stage (self);
}

/* The server confirmed every segment and the answers: nothing is left to do. */
void
ek_session_mark_finished (EkSession *self)
{
  g_return_if_fail (EK_IS_SESSION (self));

  self->finished = TRUE;
  update_stage (self);
}

/**
 * ek_session_refresh:
 *
 * Derives the stage again now. The session does this by itself at every
 * deadline; call it after the clock was corrected by a new sync.
 */
void
ek_session_refresh (EkSession *self)
{
  g_return_if_fail (EK_IS_SESSION (self));
  update_stage (self);
}

const char *
ek_session_stage_to_string (EkSessionStage stage)
{
  g_return_val_if_fail (stage <= EK_SESSION_STAGE_ENDED, NULL);
  return stage_names[stage];
}
