/* ek-proctor-signals.h: live proctoring signals during the exam
 *
 * Watches the recorder's face-monitor frames (about 2 per second) and the
 * microphone level, and turns them into signals with a start, an end and a
 * duration, for the event log, the violation escalation and the candidate's
 * indicator:
 *
 *  - face_absent:      no face (frontal or profile) for more than N s;
 *  - multiple_faces:   more than one frontal face for more than N s;
 *  - face_not_visible: the face too small, or turned away (only a profile found),
 *                      for more than N s;
 *  - voice:            sustained voice during a reading phase, for more than N s;
 *  - camera_covered:   a dark picture without structure (or no frames at all)
 *                      for more than N s.
 *
 * Each condition goes through hysteresis: it holds once seen in k of the last n
 * observations and stops holding when seen in fewer than m of them (the table
 * in the .c file), so a flickering condition still counts and one stray frame
 * neither starts nor ends it. A signal starts when its condition has held for
 * the policy's time, and is reported with the moment the condition began (the
 * first observation of the window that saw it); it ends when the condition
 * stops holding, with the moment it went.
 *
 * Faces: frontal boxes from the monitor's frames (faces down to 32 px, a tenth
 * of the 360-line monitor picture). A profile box (a turned head) counts only
 * near where the face last was, at a similar size, and when the detector found
 * it again (confidence): a face-like picture or an animal in the background never
 * stands in for the candidate.
 *
 * Voice activity: the voice-activity detector (webrtcdsp, pushed with
 * ek_proctor_signals_push_voice_activity()) says voice, and the level (dBFS, 10
 * per second) is above both the policy's level and 12 dB over the noise floor
 * (the quietest level of the last ten seconds). Never the level alone: music,
 * a buzz or knocking are loud too. A NaN or infinite level is ignored.
 *
 * Resemblance: every similarity_interval_s, a frame with one face is compared with
 * the face of the identity check (ek_proctor_signals_set_reference()): local binary
 * pattern histograms of the two face crops (64x64 grey, 4x4 cells of 256 bins),
 * histogram intersection, 0 (nothing alike) to 1 (the same picture). It is a rough
 * measure for the proctor to review over the session, never a verdict: it drops
 * with light and pose, not only with a different person.
 *
 * Random snapshots: ::snapshot-due fires at random moments, on average
 * snapshots_per_hour an hour, and at once on ek_proctor_signals_request_snapshot()
 * (the server's snapshot_request); the owner takes and uploads the pictures.
 */
#pragma once

#include <gio/gio.h>

#include "ek-api-client.h"
#include "ek-face-detector.h"
#include "ek-proctoring-policy.h"
#include "ek-recorder.h"
#include "ek-video-frame.h"
#include "ek-violation-tracker.h"

G_BEGIN_DECLS

typedef enum
{
  EK_PROCTOR_SIGNAL_FACE_ABSENT,
  EK_PROCTOR_SIGNAL_MULTIPLE_FACES,
  EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE,
  EK_PROCTOR_SIGNAL_VOICE,
  EK_PROCTOR_SIGNAL_CAMERA_COVERED,
} EkProctorSignal;

#define EK_N_PROCTOR_SIGNALS 5

GType        ek_proctor_signal_get_type           (void) G_GNUC_CONST;
/* The event and violation type: "face_absent", "multiple_faces", … */
const char  *ek_proctor_signal_to_string          (EkProctorSignal signal);
/* What the candidate's indicator says, translated. */
const char  *ek_proctor_signal_describe           (EkProctorSignal signal);

#define EK_TYPE_PROCTOR_SIGNALS (ek_proctor_signals_get_type ())

G_DECLARE_FINAL_TYPE (EkProctorSignals, ek_proctor_signals, EK, PROCTOR_SIGNALS, GObject)

EkProctorSignals *ek_proctor_signals_new              (const EkProctoringPolicy *policy,
                                                       GError                  **error);
const EkProctoringPolicy *ek_proctor_signals_get_policy (EkProctorSignals       *self);
void              ek_proctor_signals_set_reference    (EkProctorSignals         *self,
                                                       EkVideoFrame             *frame);
void              ek_proctor_signals_set_reading_phase (EkProctorSignals        *self,
                                                       gboolean                  reading);
void              ek_proctor_signals_set_snapshots_enabled (EkProctorSignals    *self,
                                                       gboolean                  enabled);

/* Optional: signals also begin and end violations of their type (the lockdown
 * escalation), and due snapshots of the newest frame are uploaded through @api. */
void              ek_proctor_signals_set_violation_tracker (EkProctorSignals *self,
                                                       EkViolationTracker       *tracker);
void              ek_proctor_signals_set_uploader     (EkProctorSignals         *self,
                                                       EkApiClient              *api);
guint             ek_proctor_signals_get_n_snapshots_sent (EkProctorSignals     *self);

/* Follows @recorder's face-monitor frames and microphone level (NULL: stop). */
void              ek_proctor_signals_attach_recorder  (EkProctorSignals         *self,
                                                       EkRecorder               *recorder);

/* Live input: frames go through the detectors at the policy's rate. */
void              ek_proctor_signals_push_frame       (EkProctorSignals         *self,
                                                       EkVideoFrame             *frame);
gboolean          ek_proctor_signals_push_frame_at    (EkProctorSignals         *self,
                                                       EkVideoFrame             *frame,
                                                       gint64                    time_us);
void              ek_proctor_signals_push_level       (EkProctorSignals         *self,
                                                       double                    level_db,
                                                       gint64                    time_us);
void              ek_proctor_signals_push_voice_activity (EkProctorSignals      *self,
                                                       gboolean                  voice,
                                                       gint64                    time_us);
void              ek_proctor_signals_check_camera_at  (EkProctorSignals         *self,
                                                       gint64                    now_us);
void              ek_proctor_signals_request_snapshot (EkProctorSignals         *self);
/* Ends every active signal now (the exam is over). */
void              ek_proctor_signals_stop             (EkProctorSignals         *self);
void              ek_proctor_signals_stop_at          (EkProctorSignals         *self,
                                                       gint64                    time_us);

/* For crafted streams: one analysed frame, its time in the detection. Profile
 * boxes, if any, say the head is turned rather than gone. */
void              ek_proctor_signals_add_detection    (EkProctorSignals         *self,
                                                       EkFaceDetection          *detection);

guint             ek_proctor_signals_get_active       (EkProctorSignals         *self);
gboolean          ek_proctor_signals_is_active        (EkProctorSignals         *self,
                                                       EkProctorSignal           signal);
double            ek_proctor_signals_get_similarity   (EkProctorSignals         *self);
guint64           ek_proctor_signals_get_n_frames     (EkProctorSignals         *self);
EkVideoFrame     *ek_proctor_signals_dup_face_frame   (EkProctorSignals         *self,
                                                       gint64                    max_age_us,
                                                       gint64                    now_us);

gboolean          ek_frame_looks_covered              (EkVideoFrame             *frame);
gboolean          ek_frame_brightness                 (EkVideoFrame             *frame,
                                                       double                   *mean,
                                                       double                   *structure);

double            ek_face_similarity                  (EkVideoFrame             *a,
                                                       const EkFaceBox          *box_a,
                                                       EkVideoFrame             *b,
                                                       const EkFaceBox          *box_b);

G_END_DECLS
