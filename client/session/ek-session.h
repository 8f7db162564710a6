/* ek-session.h: the candidate's way through an exam, as a state machine
 *
 * The stage is derived, never stored: from the exam definition, the server's
 * session state and the server time. A client that crashed and re-entered derives
 * the same stage and the same remaining time as one that never stopped.
 */
#pragma once

#include "ek-candidate.h"
#include "ek-exam.h"
#include "ek-server-clock.h"
#include "ek-session-state.h"

G_BEGIN_DECLS

typedef enum
{
  EK_SESSION_STAGE_NONE,       /* nothing loaded */
  EK_SESSION_STAGE_STEPS,      /* pre-exam steps: see current-step */
  EK_SESSION_STAGE_WAITING,    /* waiting room until entry */
  EK_SESSION_STAGE_EXAM,       /* entered: see phase-index (-1 between phases) */
  EK_SESSION_STAGE_FINISHING,  /* over or submitted: the recording closes and uploads */
  EK_SESSION_STAGE_FINISHED,   /* the server confirmed everything */
  EK_SESSION_STAGE_ENDED,      /* ended with nothing to finish (pledge declined, missed entry) */
} EkSessionStage;

#define EK_SESSION_ERROR (ek_session_error_quark ())

typedef enum
{
  EK_SESSION_ERROR_NOT_LOADED,
  EK_SESSION_ERROR_NOT_OPEN,
  EK_SESSION_ERROR_ENTRY_CLOSED,
  EK_SESSION_ERROR_WRONG_STEP,
  EK_SESSION_ERROR_TOO_EARLY,
  EK_SESSION_ERROR_OVER,
} EkSessionError;

#define EK_TYPE_SESSION (ek_session_get_type ())

G_DECLARE_FINAL_TYPE (EkSession, ek_session, EK, SESSION, GObject)

GQuark          ek_session_error_quark            (void);

EkSession      *ek_session_new                    (EkServerClock         *clock);
EkServerClock  *ek_session_get_clock              (EkSession             *self);
gboolean        ek_session_load                   (EkSession             *self,
                                                   EkExam                *exam,
                                                   EkCandidate           *candidate,
                                                   const EkSessionState  *state,
                                                   GError               **error);
void            ek_session_set_state              (EkSession             *self,
                                                   const EkSessionState  *state);
const EkSessionState *ek_session_get_state        (EkSession             *self);
EkExam         *ek_session_get_exam               (EkSession             *self);
EkCandidate    *ek_session_get_candidate          (EkSession             *self);
EkSessionStage  ek_session_get_stage              (EkSession             *self);
EkStep          ek_session_get_current_step       (EkSession             *self);
int             ek_session_get_phase_index        (EkSession             *self);
gint64          ek_session_get_phase_remaining_ms (EkSession             *self);
gint64          ek_session_get_ms_until_start     (EkSession             *self);
gint64          ek_session_get_exam_remaining_ms  (EkSession             *self);
gboolean        ek_session_complete_step          (EkSession             *self,
                                                   EkStep                 step,
                                                   GError               **error);
gboolean        ek_session_can_enter              (EkSession             *self,
                                                   GError               **error);
gboolean        ek_session_enter                  (EkSession             *self,
                                                   GError               **error);
gboolean        ek_session_can_submit             (EkSession             *self,
                                                   GError               **error);
gboolean        ek_session_submit                 (EkSession             *self,
                                                   GError               **error);
void            ek_session_end                    (EkSession             *self,
                                                   EkEndReason            reason);
void            ek_session_mark_finished          (EkSession             *self);
void            ek_session_refresh                (EkSession             *self);

const char     *ek_session_stage_to_string        (EkSessionStage         stage);

G_END_DECLS
