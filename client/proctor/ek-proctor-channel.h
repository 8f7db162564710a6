/* ek-proctor-channel.h: the proctor's messages during the exam
 *
 * Owned by the engine from the exam's start to its end (never in the offline
 * practice). Polls the proctor's messages (docs/protocol.md, "Messages") every few
 * seconds from a cursor, acknowledges the warnings the candidate acknowledged (an
 * acknowledgement that failed goes again after the next poll), and carries out what
 * the proctor asks without any page on screen: `end_exam` ends the session at once
 * (forced_by_proctor; the recording and the answers stay), `release` and
 * `snapshot_request` go to the exam's live proctoring (EkExamProctor). What the
 * candidate should see comes out as signals and the `warning` property; the Help
 * chat and the call for the proctor go out through it too.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"
#include "ek-exam-proctor.h"
#include "ek-session.h"

G_BEGIN_DECLS

#define EK_TYPE_PROCTOR_CHANNEL (ek_proctor_channel_get_type ())

G_DECLARE_FINAL_TYPE (EkProctorChannel, ek_proctor_channel, EK, PROCTOR_CHANNEL, GObject)

EkProctorChannel *ek_proctor_channel_new                 (EkApiClient          *api,
                                                          EkSession            *session,
                                                          EkExamProctor        *proctor);
void              ek_proctor_channel_stop                (EkProctorChannel     *self);

JsonObject       *ek_proctor_channel_get_warning         (EkProctorChannel     *self);
void              ek_proctor_channel_warning_shown       (EkProctorChannel     *self);
void              ek_proctor_channel_acknowledge_warning (EkProctorChannel     *self);

void              ek_proctor_channel_send_chat_async     (EkProctorChannel     *self,
                                                          const char           *text,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
void              ek_proctor_channel_raise_hand_async    (EkProctorChannel     *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean          ek_proctor_channel_send_finish         (EkProctorChannel     *self,
                                                          GAsyncResult         *result,
                                                          gint64               *out_sent_ms,
                                                          GError              **error);

G_END_DECLS
