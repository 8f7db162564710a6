/* ek-face-capture.h: the guided identity capture, for the face check and face login
 *
 * Feed it camera frames (EkRecorder::face-frame, or any feed of EkVideoFrame); it
 *
 *  1. guides the candidate (EkFaceQuality) until frames pass every check twice in
 *     a row, and keeps the sharpest passing frame;
 *  2. runs the head-turn challenge (EkLiveness, a second detector with the
 *     profile cascades), in a direction picked at random;
 *  3. encodes the chosen frame as JPEG and sends it: POST /v1/session/face for
 *     the identity check, POST /v1/sessions/face for face login;
 *  4. reports match or no match with the server's reason. After three refusals
 *     (or when the server says no more attempts) it stops for good: the page
 *     then shows the exam's help contact. A failed challenge is not sent and not
 *     counted: the candidate simply tries again.
 *
 * Everything happens on the main context; detection runs in GStreamer threads.
 */
#pragma once

#include <gio/gio.h>

#include "ek-api-client.h"
#include "ek-face-detector.h"
#include "ek-face-quality.h"
#include "ek-liveness.h"
#include "ek-session-info.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

typedef enum
{
  EK_FACE_CAPTURE_MODE_CHECK,    /* identity check of a logged-in session */
  EK_FACE_CAPTURE_MODE_LOGIN,    /* face login: ID number + face */
  EK_FACE_CAPTURE_MODE_PRACTICE, /* the offline practice: guidance and challenge, nothing sent */
} EkFaceCaptureMode;

typedef enum
{
  EK_FACE_CAPTURE_IDLE,
  EK_FACE_CAPTURE_GUIDING,
  EK_FACE_CAPTURE_LIVENESS,
  EK_FACE_CAPTURE_SENDING,
  EK_FACE_CAPTURE_MATCHED,       /* done: the step is complete / logged in */
  EK_FACE_CAPTURE_NOT_MATCHED,   /* refused; ek_face_capture_retry() for another go */
  EK_FACE_CAPTURE_LOCKED_OUT,    /* three refusals: only the help line helps now */
  EK_FACE_CAPTURE_FAILED,        /* no detector, or a network/server error; retry possible */
} EkFaceCaptureState;

#define EK_FACE_CAPTURE_MAX_FAILURES  3
/* Passing frames in a row before the challenge starts. */
#define EK_FACE_CAPTURE_GOOD_FRAMES   2

GType ek_face_capture_state_get_type (void) G_GNUC_CONST;

#define EK_TYPE_FACE_CAPTURE (ek_face_capture_get_type ())

G_DECLARE_FINAL_TYPE (EkFaceCapture, ek_face_capture, EK, FACE_CAPTURE, GObject)

EkFaceCapture      *ek_face_capture_new              (EkApiClient         *api,
                                                      EkFaceCaptureMode    mode);
void                ek_face_capture_set_login        (EkFaceCapture       *self,
                                                      const char          *exam_id,
                                                      const char          *id_number);
void                ek_face_capture_set_external_send (EkFaceCapture      *self,
                                                      gboolean             external);
void                ek_face_capture_login_done       (EkFaceCapture       *self,
                                                      const GError        *error);
void                ek_face_capture_set_direction    (EkFaceCapture       *self,
                                                      EkLivenessDirection  direction);
gboolean            ek_face_capture_start            (EkFaceCapture       *self,
                                                      GError             **error);
void                ek_face_capture_retry            (EkFaceCapture       *self);
void                ek_face_capture_stop             (EkFaceCapture       *self);
void                ek_face_capture_push_frame       (EkFaceCapture       *self,
                                                      EkVideoFrame        *frame);

EkFaceCaptureMode   ek_face_capture_get_mode         (EkFaceCapture       *self);
EkFaceCaptureState  ek_face_capture_get_state        (EkFaceCapture       *self);
const char         *ek_face_capture_get_guidance     (EkFaceCapture       *self);
EkFaceQualityProblems ek_face_capture_get_problems   (EkFaceCapture       *self);
guint               ek_face_capture_get_failures     (EkFaceCapture       *self);
const char         *ek_face_capture_get_reason       (EkFaceCapture       *self);
const GError       *ek_face_capture_get_error        (EkFaceCapture       *self);
EkSessionInfo      *ek_face_capture_get_session_info (EkFaceCapture       *self);
EkVideoFrame       *ek_face_capture_get_chosen_frame (EkFaceCapture       *self);
EkFaceDetection    *ek_face_capture_get_last_detection (EkFaceCapture     *self);

G_END_DECLS
