/* ek-exam-recording.h: one session's recording and its way to the server
 *
 * Owns the EkRecorder of a session and, against a server, the EkTusClient and the
 * EkOutbox that carry its segments away: every segment the recorder announces goes
 * into the outbox at once. All of it lives in the session's private folder (0700):
 * the segment files and the outbox database.
 *
 * A recording made again for the same folder (after a crash or a restart mid-exam)
 * first looks at the segment files already there: those the outbox does not know
 * yet (the process died between closing and announcing them) are hashed and handed
 * to it, so a crash loses at most the segment being written.
 *
 * Without an API client (the practice exam) the recording stays on this computer.
 *
 * An exam with a public key for its recording has every segment sealed for the
 * examining body (ek-seal.h) when it closes; the plain file is then removed, and
 * only sealed files go into the outbox. Plain files an earlier run left (killed
 * before it sealed them) are sealed first.
 *
 * A recorder failure (no camera, disk full, a broken pipeline) is never silent: it
 * is in #EkExamRecording:problem and emitted as ::failed. A camera that vanishes
 * or stalls is a problem too until it is back, and what the proctor should know
 * (camera lost and back, disk full, a failure) is emitted as ::event.
 */
#pragma once

#include <gio/gio.h>

#include "ek-api-client.h"
#include "ek-config.h"
#include "ek-outbox.h"
#include "ek-recorder.h"

G_BEGIN_DECLS

#define EK_EXAM_RECORDING_OUTBOX_NAME "outbox.sqlite"
/* The room scan's segments, below the session's recording folder. */
#define EK_EXAM_RECORDING_ROOM_SCAN_DIR "room-scan"

#define EK_TYPE_EXAM_RECORDING (ek_exam_recording_get_type ())

G_DECLARE_FINAL_TYPE (EkExamRecording, ek_exam_recording, EK, EXAM_RECORDING, GObject)

EkExamRecording *ek_exam_recording_new             (const char          *directory,
                                                    const char          *session_id,
                                                    EkMediaSource        source,
                                                    EkApiClient         *api_client,
                                                    GBytes              *seal_key);

const char      *ek_exam_recording_get_directory   (EkExamRecording     *self);
EkRecorder      *ek_exam_recording_get_recorder    (EkExamRecording     *self);
EkOutbox        *ek_exam_recording_get_outbox      (EkExamRecording     *self);
const char      *ek_exam_recording_get_problem     (EkExamRecording     *self);

gboolean         ek_exam_recording_start           (EkExamRecording     *self,
                                                    guint                duration_s,
                                                    GError             **error);
void             ek_exam_recording_finish_async    (EkExamRecording     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         ek_exam_recording_finish_finish   (EkExamRecording     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* The guided steps before the exam (room scan, blank paper), recorded as the
 * stream "room_scan" into the same outbox. */
gboolean         ek_exam_recording_start_room_scan (EkExamRecording     *self,
                                                    const char          *camera_id,
                                                    const char          *microphone_id,
                                                    GError             **error);
void             ek_exam_recording_stop_room_scan_async (EkExamRecording *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean         ek_exam_recording_stop_room_scan_finish (EkExamRecording *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
EkRecorder      *ek_exam_recording_get_room_scan_recorder (EkExamRecording *self);

G_END_DECLS
