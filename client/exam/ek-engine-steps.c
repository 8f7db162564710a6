/* ek-engine-steps.c: the steps before the exam, entry, submission, leaving and the questions */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-engine-private.h"
#include "ek-sealed-package.h"

/* --- practice ------------------------------------------------------------- */

/**
 * ek_engine_start_practice:
 * @bundle: one practice exam of the bundle (see ek_practice_new())
 *
 * Loads a practice exam that runs without any server: steps, entry and
 * submission are decided locally by an EkPractice, the questions come from
 * @bundle, and no token is ever kept in (or removed from) the keyring.
 */
gboolean
ek_engine_start_practice (EkEngine    *self,
                          JsonObject  *bundle,
                          GError     **error)
{
  g_autoptr(EkPractice) practice = NULL;

  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (bundle != NULL, FALSE);

  practice = ek_practice_new (bundle, error);
  if (practice == NULL)
    return FALSE;

  g_set_object (&self->practice, practice);
  _ek_engine_set_session_id (self, "practice");

  return ek_practice_start (self->practice, self->session, error);
}

gboolean
ek_engine_is_practice (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);
  return self->practice != NULL;
}

/**
 * ek_engine_get_practice:
 *
 * Returns: (transfer none) (nullable): the practice run, or %NULL against a server
 */
EkPractice *
ek_engine_get_practice (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->practice;
}

/**
 * ek_engine_get_practice_attachments:
 *
 * Returns: (transfer none) (nullable): the practice bundle's attachments (each
 *   with its text inline), or %NULL outside a practice run
 */
JsonArray *
ek_engine_get_practice_attachments (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);

  return self->practice != NULL ? ek_practice_get_attachments (self->practice) : NULL;
}

/* --- steps ---------------------------------------------------------------- */

static void
on_state_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = ek_api_client_state_finish (self->api, result, &error);
  if (state == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_set_state (self->session, state);
  g_task_return_boolean (task, TRUE);
}

/* With the sealed questions and their key here, a network that is down at the start
 * does not keep the candidate out (protocol section 6.1). */
static void
on_enter_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = ek_api_client_state_finish (self->api, result, &error);
  if (state != NULL)
    {
      ek_session_set_state (self->session, state);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (ek_api_error_is_transient (error) && _ek_engine_sealed_ready (self))
    {
      g_message ("The exam server cannot be reached at the start: entering with the sealed questions");
      _ek_engine_enter_offline (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
on_refreshed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  EkStep step = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ek_api_client_get_session_finish (self->api, result, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_set_state (self->session, ek_session_info_get_state (info));

  if (!ek_session_state_has_step (ek_session_info_get_state (info), step))
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("The exam server has not confirmed this step yet. "
                                 "Please wait a moment and try again."));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_drawn_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  gint64 sequence = -1;

  if (!ek_api_client_draw_finish (self->api, result, &sequence, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_get_session_async (self->api, g_task_get_cancellable (task),
                                   on_refreshed_cb, g_object_ref (task));
}

/* The practice's seam: where the server would answer a step, the practice does,
 * on this computer. */
static void
return_local_step (GTask    *task,
                   gboolean  ok,
                   GError   *error)
{
  if (!ok)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static GTask *
new_step_task (EkEngine            *self,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_engine_step_finish);
  return task;
}

void
ek_engine_answer_pledge_async (EkEngine            *self,
                               gboolean             accepted,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  EkExam *exam;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);
  exam = ek_session_get_exam (self->session);
  if (exam == NULL)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                               _("No exam session is open."));
      return;
    }

  if (self->practice != NULL)
    {
      gboolean ok = ek_practice_answer_pledge (self->practice, accepted, &error);

      return_local_step (task, ok, error);
      return;
    }

  ek_api_client_pledge_async (self->api, accepted, ek_exam_get_pledge_version (exam),
                              cancellable, on_state_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_complete_step_async:
 *
 * Completes the current pre-exam step on the server. The draw asks the server
 * for the number; the face check and the second view are completed by their
 * own server calls, so for them this only fetches the server's confirmation.
 */
void
ek_engine_complete_step_async (EkEngine            *self,
                               EkStep               step,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (step < EK_N_STEPS);

  task = new_step_task (self, cancellable, callback, user_data);
  g_task_set_task_data (task, GUINT_TO_POINTER (step), NULL);

  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != step)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("Please finish the steps in the order shown."));
      return;
    }

  if (self->practice != NULL && step != EK_STEP_PLEDGE)
    {
      gboolean ok = ek_practice_complete_step (self->practice, step, &error);

      return_local_step (task, ok, error);
      return;
    }

  switch (step)
    {
    case EK_STEP_PLEDGE:
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               "the pledge is answered with ek_engine_answer_pledge_async()");
      break;

    case EK_STEP_DRAW:
      ek_api_client_draw_async (self->api, cancellable, on_drawn_cb, g_steal_pointer (&task));
      break;

    case EK_STEP_FACE_CHECK:
    case EK_STEP_SECOND_VIEW:
      ek_api_client_get_session_async (self->api, cancellable, on_refreshed_cb,
                                       g_steal_pointer (&task));
      break;

    case EK_STEP_ROOM_SCAN:
    case EK_STEP_PAPER_CHECK:
    case EK_STEP_ATTACHMENTS:
    case EK_STEP_DEVICE_CONFIRM:
      ek_api_client_complete_step_async (self->api, step, cancellable, on_state_cb,
                                         g_steal_pointer (&task));
      break;

    case EK_STEP_NONE:
    default:
      g_assert_not_reached ();
    }
}

/**
 * ek_engine_second_view_waivable:
 *
 * Returns: %TRUE when the exam lets a candidate without a phone go on without the
 *   second view (its `proctoring.second_view_required` is false)
 */
gboolean
ek_engine_second_view_waivable (EkEngine *self)
{
  EkExam *exam;

  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);

  exam = ek_session_get_exam (self->session);
  return exam != NULL && !ek_exam_get_proctoring_policy (exam)->second_view_required;
}

/**
 * ek_engine_skip_second_view_async:
 *
 * The candidate has no phone and goes on without the second view: only where the exam's
 * policy allows it (ek_engine_second_view_waivable()). Logs `second_view_skipped` for the
 * proctor, then reports the step done (protocol section 3.3). Finish with
 * ek_engine_step_finish().
 */
void
ek_engine_skip_second_view_async (EkEngine            *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) data = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);
  g_task_set_task_data (task, GUINT_TO_POINTER (EK_STEP_SECOND_VIEW), NULL);

  if (ek_session_get_stage (self->session) != EK_SESSION_STAGE_STEPS ||
      ek_session_get_current_step (self->session) != EK_STEP_SECOND_VIEW ||
      self->practice != NULL)
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("Please finish the steps in the order shown."));
      return;
    }
  if (!ek_engine_second_view_waivable (self))
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_WRONG_STEP,
                               _("This exam cannot be taken without the phone as a second "
                                 "camera."));
      return;
    }

  data = json_object_new ();
  json_object_set_string_member (data, "reason", "no_phone");
  ek_engine_log_event (self, "second_view_skipped", 0, -1, data);
  ek_api_client_complete_step_async (self->api, EK_STEP_SECOND_VIEW, cancellable, on_state_cb,
                                     g_steal_pointer (&task));
}

void
ek_engine_enter_async (EkEngine            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  /* Refused locally first, with the time it opens or closed; the server
   * decides in the end. */
  if (!ek_session_can_enter (self->session, &error) || !_ek_engine_check_proctoring (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->practice != NULL)
    {
      gboolean ok = ek_practice_enter (self->practice, &error);

      return_local_step (task, ok, error);
      return;
    }

  ek_api_client_enter_async (self->api, cancellable, on_enter_cb, g_steal_pointer (&task));
}

/* A forced submission: the escalation event is on the server, now the submission. */
static void
on_forced_events_flushed_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  guint answer_count = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  /* Without the event the server refuses an early submission with too_early,
   * which the caller shows; on time it is accepted all the same. */
  if (!ek_event_log_flush_finish (EK_EVENT_LOG (object), result, &error))
    g_message ("Forced submission: the events did not all reach the server: %s", error->message);

  /* Read from the task before it is handed on: argument order is unspecified. */
  ek_api_client_submit_async (self->api, answer_count, "lockdown", cancellable, on_state_cb,
                              g_steal_pointer (&task));
}

void
ek_engine_submit_async (EkEngine            *self,
                        guint                answer_count,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  gboolean forced;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  /* The lockdown's last escalation step ends the exam even before the earliest
   * submission time (protocol section 6: forced_by). */
  forced = self->violations != NULL && self->practice == NULL &&
           ek_violation_tracker_get_step (self->violations) == EK_ESCALATION_SUBMIT;

  if (!ek_session_can_submit (self->session, &error) &&
      !(forced && g_error_matches (error, EK_SESSION_ERROR, EK_SESSION_ERROR_TOO_EARLY)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  if (self->practice != NULL)
    {
      gboolean ok = ek_practice_submit (self->practice, &error);

      return_local_step (task, ok, error);
      return;
    }

  if (forced && self->events != NULL)
    {
      /* The server checks the forced submission against the log's escalation
       * event: that goes first. */
      g_task_set_task_data (task, GUINT_TO_POINTER (answer_count), NULL);
      ek_event_log_flush_async (self->events, cancellable, on_forced_events_flushed_cb,
                                g_steal_pointer (&task));
      return;
    }

  ek_api_client_submit_async (self->api, answer_count, forced ? "lockdown" : NULL, cancellable,
                              on_state_cb, g_steal_pointer (&task));
}

gboolean
ek_engine_step_finish (EkEngine      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_step_finish, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_left_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_api_client_end_session_finish (self->api, result, &error) &&
      !g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_session_end (self->session, EK_END_REASON_ENDED_BY_CANDIDATE);
  g_task_return_boolean (task, TRUE);
}

/**
 * ek_engine_leave_async:
 *
 * Ends the session on the server before the exam (the candidate leaves); the
 * token is forgotten when the session has ended.
 */
void
ek_engine_leave_async (EkEngine            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = new_step_task (self, cancellable, callback, user_data);

  if (self->practice != NULL)
    {
      ek_practice_leave (self->practice);
      g_task_return_boolean (task, TRUE);
      return;
    }

  ek_api_client_end_session_async (self->api, cancellable, on_left_cb, g_steal_pointer (&task));
}

/* --- questions ------------------------------------------------------------ */

static void
on_questions_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonArray *questions;

  questions = ek_api_client_get_questions_finish (EK_API_CLIENT (object), result, &error);
  if (questions == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, questions, (GDestroyNotify) json_array_unref);
}

static void
on_sealed_opened_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = EK_ENGINE (object);
  g_autoptr(GError) error = NULL;
  JsonArray *questions = _ek_engine_sealed_open_finish (self, result, &error);
  guint phase_index = GPOINTER_TO_UINT (g_task_get_task_data (task));
  EkExam *exam = ek_session_get_exam (self->session);

  if (questions != NULL)
    {
      g_task_return_pointer (task, questions, (GDestroyNotify) json_array_unref);
      return;
    }
  if (!g_error_matches (error, EK_SEALED_ERROR, EK_SEALED_ERROR_KEY) &&
      !g_error_matches (error, EK_SEALED_ERROR, EK_SEALED_ERROR_FORMAT))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A package that does not open: the server still has the questions. */
  g_message ("The sealed questions did not open: %s", error->message);
  ek_api_client_get_questions_async (self->api, ek_exam_get_phase (exam, phase_index)->id,
                                     g_task_get_cancellable (task), on_questions_cb,
                                     g_object_ref (task));
}

/**
 * ek_engine_get_questions_async:
 *
 * Fetches the questions of a phase: from the server, or from the bundle in a
 * practice run.
 */
void
ek_engine_get_questions_async (EkEngine            *self,
                               guint                phase_index,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EkExam *exam;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_get_questions_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (phase_index), NULL);

  exam = ek_session_get_exam (self->session);
  if (exam == NULL || phase_index >= ek_exam_get_n_phases (exam))
    {
      g_task_return_new_error (task, EK_SESSION_ERROR, EK_SESSION_ERROR_NOT_LOADED,
                               _("No exam session is open."));
      return;
    }

  if (self->practice != NULL)
    {
      g_task_return_pointer (task, ek_practice_get_questions (self->practice, phase_index),
                             (GDestroyNotify) json_array_unref);
      return;
    }

  if (_ek_engine_sealed_open_async (self, phase_index, cancellable, on_sealed_opened_cb,
                                    g_object_ref (task)))
    return;

  ek_api_client_get_questions_async (self->api, ek_exam_get_phase (exam, phase_index)->id,
                                     cancellable, on_questions_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_get_questions_finish:
 *
 * Returns: (transfer full): the phase's questions (docs/protocol.md, section 6)
 */
JsonArray *
ek_engine_get_questions_finish (EkEngine      *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_get_questions_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
