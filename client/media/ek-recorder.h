/* ek-recorder.h: the exam recording (camera, microphone, optionally the screen)
 *
 * One GStreamer pipeline per exam. The camera feeds a preview (about 15 fps) and a
 * face-monitor feed (about 2 fps) as EkVideoFrame, and H.264; the microphone feeds
 * the level meter, WebRTC's voice activity detector and Opus; both go to Matroska
 * segments of about ten seconds in the session's private folder. Each closed segment is hashed in a worker thread and
 * announced with ::segment-ready. Everything is reported as properties and signals
 * on the main context that created the recorder; no GStreamer message leaves it.
 */
#pragma once

#include <gio/gio.h>

#include "ek-config.h"
#include "ek-segment.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_RECORDER_ERROR (ek_recorder_error_quark ())

typedef enum
{
  EK_RECORDER_ERROR_NO_SPACE,        /* not enough free space for the whole exam */
  EK_RECORDER_ERROR_DISK_FULL,       /* the disk filled during the recording */
  EK_RECORDER_ERROR_FOLDER,          /* the session folder cannot be made private */
  EK_RECORDER_ERROR_MISSING_PLUGIN,  /* a GStreamer element is not installed */
  EK_RECORDER_ERROR_NO_CAMERA,
  EK_RECORDER_ERROR_NO_MICROPHONE,
  EK_RECORDER_ERROR_FAILED,          /* anything else the pipeline reports */
} EkRecorderError;

typedef enum
{
  EK_RECORDER_STATE_IDLE,
  EK_RECORDER_STATE_STARTING,
  EK_RECORDER_STATE_RECORDING,
  EK_RECORDER_STATE_STOPPING,
  EK_RECORDER_STATE_STOPPED,
  EK_RECORDER_STATE_FAILED,
} EkRecorderState;

/* Free bytes on the volume holding @directory; tests point it elsewhere. */
typedef gboolean (*EkFreeSpaceFunc) (const char  *directory,
                                     guint64     *free_bytes,
                                     gpointer     user_data,
                                     GError     **error);

#define EK_TYPE_RECORDER_STATE (ek_recorder_state_get_type ())
#define EK_TYPE_RECORDER (ek_recorder_get_type ())

G_DECLARE_FINAL_TYPE (EkRecorder, ek_recorder, EK, RECORDER, GObject)

GQuark           ek_recorder_error_quark            (void);
GType            ek_recorder_state_get_type         (void) G_GNUC_CONST;

EkRecorder      *ek_recorder_new                    (const char       *directory,
                                                     EkMediaSource     source);
EkRecorder      *ek_recorder_new_preview            (EkMediaSource     source);

void             ek_recorder_set_video_bitrate_kbps (EkRecorder       *self,
                                                     guint             kbps);
void             ek_recorder_set_segment_seconds    (EkRecorder       *self,
                                                     guint             seconds);
/* The stream the camera and microphone segments belong to: "camera" (default),
 * or "room_scan" for the recorded room scan before the exam. */
void             ek_recorder_set_camera_stream      (EkRecorder       *self,
                                                     const char       *stream);
void             ek_recorder_set_record_screen      (EkRecorder       *self,
                                                     gboolean          record_screen);
/* The exam's X25519 public key (32 bytes, ek-seal.h): each closed segment is sealed
 * for it and the plain file removed; %NULL (the default) keeps segments plain. */
void             ek_recorder_set_seal_key           (EkRecorder       *self,
                                                     GBytes           *public_key);
void             ek_recorder_set_camera_id          (EkRecorder       *self,
                                                     const char       *id);
void             ek_recorder_set_microphone_id      (EkRecorder       *self,
                                                     const char       *id);
void             ek_recorder_set_free_space_func    (EkRecorder       *self,
                                                     EkFreeSpaceFunc   func,
                                                     gpointer          user_data,
                                                     GDestroyNotify    destroy);

guint64          ek_recorder_get_required_bytes     (EkRecorder       *self,
                                                     guint             duration_s);
gboolean         ek_recorder_check_space            (EkRecorder       *self,
                                                     guint             duration_s,
                                                     GError          **error);
gboolean         ek_recorder_start                  (EkRecorder       *self,
                                                     guint             duration_s,
                                                     GError          **error);
void             ek_recorder_stop_async             (EkRecorder       *self,
                                                     GCancellable     *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer          user_data);
gboolean         ek_recorder_stop_finish            (EkRecorder       *self,
                                                     GAsyncResult     *result,
                                                     GError          **error);

const char      *ek_recorder_get_directory          (EkRecorder       *self);
EkRecorderState  ek_recorder_get_state              (EkRecorder       *self);
double           ek_recorder_get_level_db           (EkRecorder       *self);
gboolean         ek_recorder_get_voice_active       (EkRecorder       *self);
gboolean         ek_recorder_get_camera_available   (EkRecorder       *self);
gboolean         ek_recorder_get_microphone_available (EkRecorder   *self);
gboolean         ek_recorder_get_camera_stalled     (EkRecorder       *self);
const GError    *ek_recorder_get_error              (EkRecorder       *self);
EkVideoFrame    *ek_recorder_dup_preview_frame      (EkRecorder       *self);
EkVideoFrame    *ek_recorder_dup_face_frame         (EkRecorder       *self);
EkVideoFrame    *ek_recorder_dup_screen_frame       (EkRecorder       *self);

G_END_DECLS
