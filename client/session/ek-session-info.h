/* ek-session-info.h: what the server says about a session at login and re-entry
 *
 * The answer of POST /v1/sessions and GET /v1/session (docs/protocol.md, 3.1 and 3.2).
 * The session token is only in a login answer; it is kept out of every property
 * and log, and wiped from memory when the object goes.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-candidate.h"
#include "ek-exam.h"
#include "ek-session-state.h"

G_BEGIN_DECLS

#define EK_TYPE_SESSION_INFO (ek_session_info_get_type ())

G_DECLARE_FINAL_TYPE (EkSessionInfo, ek_session_info, EK, SESSION_INFO, GObject)

EkSessionInfo        *ek_session_info_new_from_json      (JsonObject     *object,
                                                          gboolean        with_token,
                                                          GError        **error);
const char           *ek_session_info_get_session_id     (EkSessionInfo  *self);
EkCandidate          *ek_session_info_get_candidate      (EkSessionInfo  *self);
EkExam               *ek_session_info_get_exam           (EkSessionInfo  *self);
const EkSessionState *ek_session_info_get_state          (EkSessionInfo  *self);
JsonObject           *ek_session_info_get_public_json    (EkSessionInfo  *self);
gint64                ek_session_info_get_server_time_ms (EkSessionInfo  *self);
const char           *ek_session_info_get_session_token  (EkSessionInfo  *self);
void                  ek_session_info_clear_session_token (EkSessionInfo *self);

G_END_DECLS
