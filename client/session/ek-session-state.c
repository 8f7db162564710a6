/* ek-session-state.c: the server's view of a session */

#include "config.h"

#include "ek-json.h"
#include "ek-session-state.h"

#define MAX_TIME_MS G_GINT64_CONSTANT (9999999999999)

static const char * const end_reasons[] = {
  [EK_END_REASON_NONE] = "",
  [EK_END_REASON_PLEDGE_DECLINED] = "pledge_declined",
  [EK_END_REASON_SUBMITTED] = "submitted",
  [EK_END_REASON_TIME_OVER] = "time_over",
  [EK_END_REASON_FORCED_BY_PROCTOR] = "forced_by_proctor",
  [EK_END_REASON_ENDED_BY_CANDIDATE] = "ended_by_candidate",
};

G_DEFINE_BOXED_TYPE (EkSessionState, ek_session_state,
                     ek_session_state_copy, ek_session_state_free)

EkSessionState *
ek_session_state_new (void)
{
  EkSessionState *state = g_new0 (EkSessionState, 1);

  state->sequence_number = -1;
  return state;
}

EkSessionState *
ek_session_state_new_from_json (JsonObject  *object,
                                GError     **error)
{
  g_autoptr(EkSessionState) state = ek_session_state_new ();
  JsonArray *steps = NULL;
  const char *reason = NULL;
  guint n;

  g_return_val_if_fail (object != NULL, NULL);

  if (!ek_json_read_array (object, "completed_steps", TRUE, &steps, error) ||
      !ek_json_read_int (object, "sequence_number", FALSE, 0, G_MAXINT32,
                         &state->sequence_number, error) ||
      !ek_json_read_int (object, "entered_ms", FALSE, 1, MAX_TIME_MS, &state->entered_ms, error) ||
      !ek_json_read_int (object, "submitted_ms", FALSE, 1, MAX_TIME_MS,
                         &state->submitted_ms, error) ||
      !ek_json_read_bool (object, "ended", TRUE, &state->ended, error) ||
      !ek_json_read_string (object, "end_reason", FALSE, &reason, error))
    {
      g_prefix_error (error, "state: ");
      return NULL;
    }

  n = json_array_get_length (steps);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (steps, i);
      EkStep step;

      if (json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE,
                       "state: completed_steps[%u] is not a string", i);
          return NULL;
        }

      /* A step this client does not know is one a newer server added; the
       * client cannot act on it, so it is skipped rather than refused. */
      step = ek_step_from_string (json_node_get_string (node));
      if (step != EK_STEP_NONE)
        state->completed_steps |= 1u << step;
    }

  if (reason != NULL)
    {
      state->end_reason = EK_END_REASON_NONE;
      for (guint i = 1; i < G_N_ELEMENTS (end_reasons); i++)
        {
          if (g_str_equal (reason, end_reasons[i]))
            state->end_reason = (EkEndReason) i;
        }
      if (state->end_reason == EK_END_REASON_NONE)
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                       "state: unknown end_reason “%s”", reason);
          return NULL;
        }
    }

  if (state->ended && state->end_reason == EK_END_REASON_NONE)
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "state: ended without an end_reason");
      return NULL;
    }

  return g_steal_pointer (&state);
}

EkSessionState *
ek_session_state_copy (const EkSessionState *state)
{
  return g_memdup2 (state, sizeof *state);
}

void
ek_session_state_free (EkSessionState *state)
{
  g_free (state);
}

gboolean
ek_session_state_has_step (const EkSessionState *state,
                           EkStep                step)
{
  g_return_val_if_fail (step < EK_N_STEPS, FALSE);
  return (state->completed_steps & (1u << step)) != 0;
}

const char *
ek_end_reason_to_string (EkEndReason reason)
{
  g_return_val_if_fail (reason < G_N_ELEMENTS (end_reasons), NULL);
  return end_reasons[reason];
}

/**
 * ek_session_state_to_json:
 *
 * Returns: (transfer full): @state as the protocol writes it, which
 *   ek_session_state_new_from_json() reads back
 */
JsonObject *
ek_session_state_to_json (const EkSessionState *state)
{
  JsonObject *object = json_object_new ();
  JsonArray *steps = json_array_new ();

  g_return_val_if_fail (state != NULL, object);

  for (guint step = 0; step < EK_N_STEPS; step++)
    if (state->completed_steps & (1u << step))
      json_array_add_string_element (steps, ek_step_to_string ((EkStep) step));
  json_object_set_array_member (object, "completed_steps", steps);
  if (state->sequence_number >= 0)
    json_object_set_int_member (object, "sequence_number", state->sequence_number);
  if (state->entered_ms > 0)
    json_object_set_int_member (object, "entered_ms", state->entered_ms);
  if (state->submitted_ms > 0)
    json_object_set_int_member (object, "submitted_ms", state->submitted_ms);
  json_object_set_boolean_member (object, "ended", state->ended);
  if (state->end_reason != EK_END_REASON_NONE)
    json_object_set_string_member (object, "end_reason", ek_end_reason_to_string (state->end_reason));
  return object;
}
