/* ek-violation-tracker.c: lockdown violations counted, timed and escalated by policy */

#include "config.h"

#include "ek-violation-tracker.h"

typedef struct
{
  char     *type;
  guint     count;
  gint64    total_ms;
  /* the running violation, if any */
  gboolean  active;
  gboolean  counted;
  char     *detail;
  gint64    start_ms;
  gint64    start_us;       /* monotonic */
  guint     grace_id;
  struct _EkViolationTracker *tracker;  /* borrowed */
} TypeState;

struct _EkViolationTracker
{
  GObject           parent_instance;

  EkLockdownPolicy *policy;   /* owned */
  GHashTable       *states;   /* type -> TypeState, owned */
  EkEscalationStep  step;
};

G_DEFINE_FINAL_TYPE (EkViolationTracker, ek_violation_tracker, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (EkViolation, ek_violation, ek_violation_copy, ek_violation_free)

enum {
  PROP_0,
  PROP_STEP,
  N_PROPS
};

enum {
  VIOLATION_STARTED,
  VIOLATION,
  ESCALATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const step_names[] = {
  [EK_ESCALATION_NONE] = "none",
  [EK_ESCALATION_WARNING] = "warning",
  [EK_ESCALATION_LOCKED] = "locked",
  [EK_ESCALATION_SUBMIT] = "submit",
};

EkViolation *
ek_violation_copy (const EkViolation *violation)
{
  EkViolation *copy = g_memdup2 (violation, sizeof *violation);

  copy->type = g_strdup (violation->type);
  copy->detail = g_strdup (violation->detail);
  return copy;
}

void
ek_violation_free (EkViolation *violation)
{
  if (violation == NULL)
    return;

  g_free (violation->type);
  g_free (violation->detail);
  g_free (violation);
}

static void
type_state_free (gpointer data)
{
  TypeState *state = data;

  g_clear_handle_id (&state->grace_id, g_source_remove);
  g_free (state->type);
  g_free (state->detail);
  g_free (state);
}

static TypeState *
get_state (EkViolationTracker *self,
           const char         *type)
{
  TypeState *state = g_hash_table_lookup (self->states, type);

  if (state == NULL)
    {
      state = g_new0 (TypeState, 1);
      state->type = g_strdup (type);
      state->tracker = self;
      g_hash_table_insert (self->states, state->type, state);
    }

  return state;
}

static void
set_step (EkViolationTracker *self,
          EkEscalationStep    step)
{
  if (self->step == step)
    return;

  self->step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
}

static EkEscalationStep
step_for (const EkEscalationThresholds *thresholds,
          guint                         count,
          gint64                        total_ms)
{
  if ((thresholds->submit_at != 0 && count >= thresholds->submit_at) ||
      (thresholds->submit_after_total_ms != 0 && total_ms >= thresholds->submit_after_total_ms))
    return EK_ESCALATION_SUBMIT;
  if (thresholds->lock_at != 0 && count >= thresholds->lock_at)
    return EK_ESCALATION_LOCKED;
  if (thresholds->warn_at != 0 && count >= thresholds->warn_at)
    return EK_ESCALATION_WARNING;

  return EK_ESCALATION_NONE;
}

/* A counted violation shows its step again even after an earlier one was acknowledged
 * or released; forced submission is final. */
static void
escalate (EkViolationTracker *self,
          TypeState          *state,
          gboolean            total_only)
{
  const EkEscalationThresholds *thresholds;
  EkEscalationStep step;

  thresholds = ek_lockdown_policy_get_thresholds (self->policy, state->type);
  if (total_only)
    step = thresholds->submit_after_total_ms != 0 &&
           state->total_ms >= thresholds->submit_after_total_ms ? EK_ESCALATION_SUBMIT
                                                                : EK_ESCALATION_NONE;
  else
    step = step_for (thresholds, state->count, state->total_ms);

  if (step == EK_ESCALATION_NONE || step <= self->step)
    return;

  set_step (self, step);
  g_signal_emit (self, signals[ESCALATED], 0, state->type, step);
}

static EkViolation *
violation_of (TypeState *state,
              gint64     end_ms,
              gint64     duration_ms)
{
  EkViolation *violation = g_new0 (EkViolation, 1);

  violation->type = g_strdup (state->type);
  violation->detail = g_strdup (state->detail != NULL ? state->detail : "");
  violation->start_ms = state->start_ms;
  violation->end_ms = end_ms;
  violation->duration_ms = duration_ms;
  violation->counted = state->counted;
  violation->count = state->counted ? state->count : 0;

  return violation;
}

static void
count_now (EkViolationTracker *self,
           TypeState          *state)
{
  g_autoptr(EkViolation) violation = NULL;

  state->counted = TRUE;
  state->count++;
  violation = violation_of (state, 0, 0);
  g_signal_emit (self, signals[VIOLATION_STARTED], 0, violation);
  escalate (self, state, FALSE);
}

static void
on_grace_expired_cb (gpointer user_data)
{
  TypeState *state = user_data;

  state->grace_id = 0;
  count_now (state->tracker, state);
}

static void
ek_violation_tracker_dispose (GObject *object)
{
  EkViolationTracker *self = (EkViolationTracker *)object;

  if (self->states != NULL)
    g_hash_table_remove_all (self->states);

  G_OBJECT_CLASS (ek_violation_tracker_parent_class)->dispose (object);
}

static void
ek_violation_tracker_finalize (GObject *object)
{
  EkViolationTracker *self = (EkViolationTracker *)object;

  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_object (&self->policy);

  G_OBJECT_CLASS (ek_violation_tracker_parent_class)->finalize (object);
}

static void
ek_violation_tracker_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EkViolationTracker *self = EK_VIOLATION_TRACKER (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_int (value, self->step);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_violation_tracker_class_init (EkViolationTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_violation_tracker_dispose;
  object_class->finalize = ek_violation_tracker_finalize;
  object_class->get_property = ek_violation_tracker_get_property;

  /**
   * EkViolationTracker:step:
   *
   * The #EkEscalationStep the exam is at now.
   */
  properties[PROP_STEP] =
    g_param_spec_int ("step", NULL, NULL,
                      EK_ESCALATION_NONE, EK_ESCALATION_SUBMIT, EK_ESCALATION_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkViolationTracker::violation-started:
   * @violation: the violation, still lasting (end 0)
   *
   * A violation counted: at once, or when it outlasted the grace time.
   */
  signals[VIOLATION_STARTED] =
    g_signal_new ("violation-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIOLATION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkViolationTracker::violation:
   * @violation: the finished violation: type, start, end, duration, whether it counted
   */
  signals[VIOLATION] =
    g_signal_new ("violation",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIOLATION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkViolationTracker::escalated:
   * @type: the violation type that moved the exam on
   * @step: the #EkEscalationStep reached
   */
  signals[ESCALATED] =
    g_signal_new ("escalated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
}

static void
ek_violation_tracker_init (EkViolationTracker *self)
{
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, type_state_free);
}

/**
 * ek_violation_tracker_new:
 *
 * Returns: (transfer full): a tracker with nothing counted
 */
EkViolationTracker *
ek_violation_tracker_new (EkLockdownPolicy *policy)
{
  EkViolationTracker *self;

  g_return_val_if_fail (EK_IS_LOCKDOWN_POLICY (policy), NULL);

  self = g_object_new (EK_TYPE_VIOLATION_TRACKER, NULL);
  self->policy = g_object_ref (policy);

  return self;
}

/* Returns: (transfer none): the policy */
EkLockdownPolicy *
ek_violation_tracker_get_policy (EkViolationTracker *self)
{
  g_return_val_if_fail (EK_IS_VIOLATION_TRACKER (self), NULL);

  return self->policy;
}

/**
 * ek_violation_tracker_begin:
 * @type: an EK_VIOLATION_* type
 * @detail: (nullable): what caused it
 *
 * A violation started and lasts until ek_violation_tracker_end(). Starting one that is
 * already running does nothing.
 */
void
ek_violation_tracker_begin (EkViolationTracker *self,
                            const char         *type,
                            const char         *detail)
{
  TypeState *state;

  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));
  g_return_if_fail (type != NULL);

  state = get_state (self, type);
  if (state->active)
    return;

  state->active = TRUE;
  state->counted = FALSE;
  g_free (state->detail);
  state->detail = g_strdup (detail);
  state->start_ms = g_get_real_time () / 1000;
  state->start_us = g_get_monotonic_time ();

  if (ek_lockdown_policy_has_grace (self->policy, type))
    state->grace_id = g_timeout_add_once ((guint) ek_lockdown_policy_get_grace_ms (self->policy),
                                          on_grace_expired_cb, state);
  else
    count_now (self, state);
}

void
ek_violation_tracker_end (EkViolationTracker *self,
                          const char         *type)
{
  g_autoptr(EkViolation) violation = NULL;
  TypeState *state;
  gint64 duration_ms;

  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));
  g_return_if_fail (type != NULL);

  state = g_hash_table_lookup (self->states, type);
  if (state == NULL || !state->active)
    return;

  g_clear_handle_id (&state->grace_id, g_source_remove);
  state->active = FALSE;
  duration_ms = (g_get_monotonic_time () - state->start_us) / 1000;
  if (state->counted)
    state->total_ms += duration_ms;

  violation = violation_of (state, state->start_ms + duration_ms, duration_ms);
  g_signal_emit (self, signals[VIOLATION], 0, violation);

  /* A long one may cross the policy's total-time limit only now. */
  if (state->counted)
    escalate (self, state, TRUE);
}

/**
 * ek_violation_tracker_record:
 *
 * A violation without duration (a blocked shortcut, injected input, a network change):
 * counted at once, never forgiven by the grace time.
 */
void
ek_violation_tracker_record (EkViolationTracker *self,
                             const char         *type,
                             const char         *detail)
{
  TypeState *state;

  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));
  g_return_if_fail (type != NULL);

  state = get_state (self, type);
  if (state->active)
    return;

  state->active = TRUE;
  g_free (state->detail);
  state->detail = g_strdup (detail);
  state->start_ms = g_get_real_time () / 1000;
  state->start_us = g_get_monotonic_time ();
  count_now (self, state);
  ek_violation_tracker_end (self, type);
}

/* Ends every running violation, e.g. when the lockdown is released. */
void
ek_violation_tracker_end_all (EkViolationTracker *self)
{
  g_autoptr(GList) types = NULL;

  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));

  types = g_hash_table_get_keys (self->states);
  for (const GList *l = types; l != NULL; l = l->next)
    ek_violation_tracker_end (self, l->data);
}

gboolean
ek_violation_tracker_is_active (EkViolationTracker *self,
                                const char         *type)
{
  TypeState *state;

  g_return_val_if_fail (EK_IS_VIOLATION_TRACKER (self), FALSE);

  state = g_hash_table_lookup (self->states, type);
  return state != NULL && state->active;
}

guint
ek_violation_tracker_get_count (EkViolationTracker *self,
                                const char         *type)
{
  TypeState *state;

  g_return_val_if_fail (EK_IS_VIOLATION_TRACKER (self), 0);

  state = g_hash_table_lookup (self->states, type);
  return state != NULL ? state->count : 0;
}

/* Returns: the total time of the counted, finished violations of @type */
gint64
ek_violation_tracker_get_total_ms (EkViolationTracker *self,
                                   const char         *type)
{
  TypeState *state;

  g_return_val_if_fail (EK_IS_VIOLATION_TRACKER (self), 0);

  state = g_hash_table_lookup (self->states, type);
  return state != NULL ? state->total_ms : 0;
}

EkEscalationStep
ek_violation_tracker_get_step (EkViolationTracker *self)
{
  g_return_val_if_fail (EK_IS_VIOLATION_TRACKER (self), EK_ESCALATION_NONE);

  return self->step;
}

void
ek_violation_tracker_acknowledge_warning (EkViolationTracker *self)
{
  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));

  if (self->step == EK_ESCALATION_WARNING)
    set_step (self, EK_ESCALATION_NONE);
}

/* The proctor released the locked screen; counts stay. */
void
ek_violation_tracker_release_lock (EkViolationTracker *self)
{
  g_return_if_fail (EK_IS_VIOLATION_TRACKER (self));

  if (self->step == EK_ESCALATION_LOCKED || self->step == EK_ESCALATION_WARNING)
    set_step (self, EK_ESCALATION_NONE);
}

const char *
ek_escalation_step_to_string (EkEscalationStep step)
{
  g_return_val_if_fail (step <= EK_ESCALATION_SUBMIT, NULL);

  return step_names[step];
}
