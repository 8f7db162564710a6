/* ek-session-state.h: the server's view of a session (docs/protocol.md, section 3) */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-exam.h"

G_BEGIN_DECLS

typedef enum
{
  EK_END_REASON_NONE,
  EK_END_REASON_PLEDGE_DECLINED,
  EK_END_REASON_SUBMITTED,
  EK_END_REASON_TIME_OVER,
  EK_END_REASON_FORCED_BY_PROCTOR,
  EK_END_REASON_ENDED_BY_CANDIDATE,
} EkEndReason;

typedef struct
{
  guint       completed_steps;  /* 1 << EkStep */
  gint64      sequence_number;  /* -1 until drawn */
  gint64      entered_ms;       /* 0 until entered */
  gint64      submitted_ms;     /* 0 until submitted */
  gboolean    ended;
  EkEndReason end_reason;
} EkSessionState;

#define EK_TYPE_SESSION_STATE (ek_session_state_get_type ())

GType           ek_session_state_get_type      (void) G_GNUC_CONST;
EkSessionState *ek_session_state_new           (void);
EkSessionState *ek_session_state_new_from_json (JsonObject           *object,
                                                GError              **error);
EkSessionState *ek_session_state_copy          (const EkSessionState *state);
JsonObject     *ek_session_state_to_json       (const EkSessionState *state);
void            ek_session_state_free          (EkSessionState       *state);
gboolean        ek_session_state_has_step      (const EkSessionState *state,
                                                EkStep                step);
const char     *ek_end_reason_to_string        (EkEndReason           reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSessionState, ek_session_state_free)

G_END_DECLS
