/* ek-liveness.h: a short head-turn challenge, so that a photo held still does not pass
 *
 * The candidate is asked to turn the head to one side. The challenge watches
 * detections (frontal cascade and both profile cascades, see EkFaceDetector) over
 * time and passes when all of this happened, in order, within the time limit:
 *
 *  1. a frontal face (the baseline);
 *  2. a profile facing the asked way, near where the frontal face was, in a frame
 *     that differs from the baseline frame (mean absolute difference of the face
 *     area, scaled to 64x64, of at least 3 grey levels);
 *  3. a frontal face again (the head came back).
 *
 * It fails at once when the picture does not change at all for a while (a still
 * image fed as a camera: real sensors always add noise), and when the time runs
 * out. Directions are the candidate's: "turn left" means the candidate's own left,
 * which a camera that does not mirror sees as a profile facing the picture's right.
 *
 * Pure logic: feed it detections with ek_liveness_add(), read the state.
 */
#pragma once

#include <glib-object.h>

#include "ek-face-detector.h"
#include "ek-face-quality.h"

G_BEGIN_DECLS

typedef enum
{
  EK_LIVENESS_TURN_LEFT,
  EK_LIVENESS_TURN_RIGHT,
} EkLivenessDirection;

typedef enum
{
  EK_LIVENESS_WAITING_FRONTAL,
  EK_LIVENESS_WAITING_TURN,
  EK_LIVENESS_WAITING_RETURN,
  EK_LIVENESS_PASSED,
  EK_LIVENESS_FAILED,
} EkLivenessState;

typedef enum
{
  EK_LIVENESS_FAILURE_NONE,
  EK_LIVENESS_FAILURE_TIMEOUT,
  EK_LIVENESS_FAILURE_STILL_PICTURE,
} EkLivenessFailure;

#define EK_LIVENESS_DEFAULT_TIMEOUT_MS  10000
/* Identical frames in a row that mean "this is not a camera". */
#define EK_LIVENESS_STILL_FRAMES        6

GType ek_liveness_state_get_type (void) G_GNUC_CONST;

#define EK_TYPE_LIVENESS (ek_liveness_get_type ())

G_DECLARE_FINAL_TYPE (EkLiveness, ek_liveness, EK, LIVENESS, GObject)

EkLiveness          *ek_liveness_new              (EkLivenessDirection   direction,
                                                   guint                 timeout_ms);
EkLivenessDirection  ek_liveness_get_direction    (EkLiveness           *self);
EkLivenessState      ek_liveness_get_state        (EkLiveness           *self);
EkLivenessFailure    ek_liveness_get_failure      (EkLiveness           *self);
EkLivenessState      ek_liveness_add              (EkLiveness           *self,
                                                   EkFaceDetection      *detection);
/* Translated instruction for the current state. */
const char          *ek_liveness_get_instruction  (EkLiveness           *self);
/* The image direction a profile must face for @direction. */
EkFaceView           ek_liveness_expected_view    (EkLivenessDirection   direction);

G_END_DECLS
