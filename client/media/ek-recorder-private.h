/* ek-recorder-private.h: what the files of EkRecorder share
 *
 * EkRecorder is one type in several files, by concern (as gnome-text-editor's
 * editor-page-*.c): ek-recorder.c (life cycle, stopping, frames, public API),
 * ek-recorder-pipeline.c (building the pipeline, its bus), ek-recorder-devices.c
 * (camera and microphone failover, the camera watchdog), ek-recorder-segments.c
 * (segment files, hashing, disk space), ek-recorder-analysis.c (the face-monitor
 * branch and the audio analysis). Only those files include this header, and
 * tests and benchmarks that play clips through the analysis branches
 * (the ek_recorder_analysis_*() functions below); the product never does.
 */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "ek-recorder.h"

G_BEGIN_DECLS

#define VIDEO_WIDTH          1280
#define VIDEO_HEIGHT         720
#define VIDEO_FPS            30
#define PREVIEW_WIDTH        640
#define PREVIEW_HEIGHT       360
#define PREVIEW_FPS          15
#define FACE_WIDTH           640
#define FACE_HEIGHT          360
#define FACE_FPS             2
#define AUDIO_BITRATE_KBPS   48
#define SCREEN_FPS           1
#define SCREEN_BITRATE_KBPS  250
#define DEFAULT_VIDEO_KBPS   1000
#define DEFAULT_SEGMENT_S    10

/* The whole exam must fit with this margin: x264's rate control overshoots on
 * busy pictures, and Matroska adds its own overhead. */
#define SPACE_MARGIN         1.5

/* Stop before the disk is full, so that the last segment is closed properly
 * rather than cut by ENOSPC: room for this many segments plus a fixed reserve. */
#define DISK_RESERVE_SEGMENTS 3
#define DISK_RESERVE_BYTES    (32 * 1024 * 1024)
#define DISK_POLL_SECONDS     1

/* How long a stop may wait for the muxers to close their files. */
#define STOP_TIMEOUT_SECONDS  10
#define EOS_CLOSE_WAIT_MS     3000

/* A stop right after the start waits (this long at most) for the first segment
 * to open before it sends EOS: an EOS that reaches the sources before they have
 * sent their first segment event travels down a stream without a segment, which
 * `level` cannot take (a critical in gst_segment_to_running_time) and which
 * leaves nothing to close anyway. */
#define EOS_DEFER_MS          3000

#define LEVEL_FLOOR_DB       -100.0

/* The element message of the audio analysis' voice detector (on its verdict's
 * changes; webrtcdsp's own "voice-activity" is WebRTC's verdict alone). */
#define EK_RECORDER_VOICE_MESSAGE "ek-voice-activity"

/* A microphone opened again may stamp its first buffer a little before the
 * silence's last one ended; that much overlap is let through (the encoder
 * takes it), anything earlier is dropped. */
#define AUDIO_OVERLAP_NS     (20 * GST_MSECOND)

/* splitmuxsink holds back a whole GOP before it writes it, so the GOP is what a
 * kill or a crash can lose of the open segment: keep it short. Segments still
 * start on a keyframe, since their length is a whole number of GOPs. */
#define CAMERA_GOP_SECONDS   1

/* When the computer cannot encode in real time, frames are dropped before the
 * encoder rather than held up: a live camera would drop them anyway, and a
 * blocked test source would fall behind the clock, out of sync with the audio. */
#define ENCODER_QUEUE_NS     (500 * GST_MSECOND)

/* The camera watchdog: a camera that delivers no picture for CAMERA_STALL_MS
 * (a v4l2 device that stops without an error) counts as lost, exactly like one
 * that vanished. It is then opened again every CAMERA_RETRY_MS; a camera opened
 * (again) counts as back only once its first picture arrives, and is given up
 * after CAMERA_PENDING_MS without one. */
#define CAMERA_WATCH_MS      500
#define CAMERA_STALL_MS      3000
#define CAMERA_PENDING_MS    5000
#define CAMERA_RETRY_MS      4000
#define SCREEN_MAX_GOP_SECONDS 5

typedef struct
{
  GMutex        lock;
  EkVideoFrame *latest;    /* owned, under lock */
  gboolean      pending;   /* not yet announced on the main context, under lock */
} FrameSlot;

struct _EkRecorder
{
  GObject           parent_instance;

  /* settings */
  char             *directory;
  EkMediaSource     source;
  guint             video_bitrate_kbps;
  guint             segment_seconds;
  gboolean          record_screen;
  char             *camera_id;
  char             *microphone_id;
  const char       *camera_stream;   /* EK_SEGMENT_STREAM_CAMERA, or ROOM_SCAN (static) */
  GBytes           *seal_key;        /* owned, nullable: segments stay plain */
  EkFreeSpaceFunc   free_space_func;
  gpointer          free_space_data;
  GDestroyNotify    free_space_destroy;

  /* state, main context only */
  EkRecorderState   state;
  double            level_db;
  gboolean          voice_active;
  gboolean          camera_available;
  GError           *error;             /* owned; the error that ended the recording */
  GMainContext     *context;           /* owned; where signals are emitted */
  GCancellable     *cancellable;       /* owned; hashing and disk polling */
  GstElement       *pipeline;          /* owned */
  guint             bus_watch;
  GstElement       *selector;          /* borrowed from the pipeline */
  GstElement       *camera_bin;        /* borrowed; NULL while the camera is away */
  GstPad           *camera_pad;        /* owned; the selector's pad for the camera */
  GstElement       *fallback_bin;      /* borrowed; the black picture while it is away */
  GstPad           *fallback_pad;      /* owned */
  GstElement       *audio_source;      /* borrowed; NULL while the microphone is away */
  GstElement       *aselector;         /* borrowed from the pipeline */
  GstPad           *audio_pad;         /* owned; the audio selector's pad for the microphone */
  GstElement       *silence;           /* borrowed; silence while the microphone is away */
  GstPad           *silence_pad;       /* owned */
  gboolean          microphone_available;
  gint64            microphone_lost_us; /* monotonic time it went */
  GstClockTime      last_audio_pts;    /* under video_pts_lock: the audio selector's last output */
  GstDeviceMonitor *monitor;           /* owned; watches for the camera's return */
  GstDevice        *camera_device;     /* owned; the camera opened last (auto source) */
  gboolean          camera_confirmed;  /* camera_bin delivers and is the active input */
  gboolean          camera_stalled;    /* away because it stopped delivering */
  gboolean          test_stalled;      /* test sources: the camera delivers nothing */
  gboolean          preview_only;      /* ek_recorder_new_preview(): nothing is written */
  gint              camera_buffers;    /* atomic: pictures from camera_bin */
  GMutex            video_pts_lock;
  GstClockTime      last_video_pts;    /* under video_pts_lock: the selector's last output */
  gint              watch_count;       /* camera_buffers at the last progress */
  gint64            watch_progress_us; /* monotonic time of the last progress */
  gint64            camera_retry_us;   /* when to open a stalled camera again */
  guint             watchdog_source;
  guint             monitor_watch;
  GHashTable       *fragment_starts;   /* location -> gint64 *, running time of opening */
  GMutex            created_lock;
  GHashTable       *created;           /* under created_lock: files opened, not yet closed */
  GHashTable       *queued;            /* paths handed to hashing in this run */
  gboolean          eos_waiting;       /* EOS seen, a fragment still closing */
  gboolean          fragment_opened;   /* the camera muxer opened its first file */
  gboolean          eos_deferred;      /* stop asked before that; EOS not sent yet */
  guint             eos_defer_source;
  guint             eos_wait_source;
  guint             first_camera_index; /* the first index this run writes, per stream */
  guint             first_screen_index;
  guint             pending_hashes;    /* queued or running */
  GQueue            hash_queue;        /* HashJob, waiting for the one running */
  gboolean          hashing;
  gboolean          eos_seen;
  guint             disk_poll_source;
  gboolean          disk_poll_busy;
  guint64           reserve_bytes;
  guint             stop_timeout_source;
  GPtrArray        *stop_waiters;      /* owned GTasks, completed when stopped */
  gboolean          stop_requested;
  GError           *stop_error;        /* owned; what the stop task returns */
  gint              stopping;          /* atomic: EOS from the camera may pass */

  /* frames, filled from streaming threads */
  FrameSlot         preview;
  FrameSlot         face;
  GSource          *frame_source;      /* owned */
};

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_SOURCE,
  PROP_VIDEO_BITRATE_KBPS,
  PROP_SEGMENT_SECONDS,
  PROP_RECORD_SCREEN,
  PROP_CAMERA_ID,
  PROP_MICROPHONE_ID,
  PROP_STATE,
  PROP_LEVEL_DB,
  PROP_VOICE_ACTIVE,
  PROP_CAMERA_AVAILABLE,
  PROP_MICROPHONE_AVAILABLE,
  PROP_ERROR,
  N_PROPS
};

enum {
  SEGMENT_READY,
  PREVIEW_FRAME,
  FACE_FRAME,
  CAMERA_LOST,
  CAMERA_RESTORED,
  MICROPHONE_LOST,
  MICROPHONE_RESTORED,
  FAILED,
  VOICE_ACTIVITY,
  N_SIGNALS
};

/* ek-recorder.c */
void          _ek_recorder_set_state               (EkRecorder      *self,
                                                    EkRecorderState  state);
void          _ek_recorder_set_camera_available    (EkRecorder      *self,
                                                    gboolean         available);
void          _ek_recorder_set_microphone_available (EkRecorder     *self,
                                                    gboolean         available);
void          _ek_recorder_set_level_db            (EkRecorder      *self,
                                                    double           level_db);
void          _ek_recorder_set_voice_active        (EkRecorder      *self,
                                                    gboolean         active,
                                                    GstClockTime     media_time);
void          _ek_recorder_set_error               (EkRecorder      *self,
                                                    GError          *error);
void          _ek_recorder_emit                    (EkRecorder      *self,
                                                    guint            signal,
                                                    ...);
gboolean      _ek_recorder_is_running              (EkRecorder      *self);
void          _ek_recorder_fail                    (EkRecorder      *self,
                                                    GError          *error);
GstFlowReturn _ek_recorder_on_new_sample_cb        (GstAppSink      *sink,
                                                    gpointer         user_data);
void          _ek_recorder_on_eos                  (EkRecorder      *self);
void          _ek_recorder_finish_after_eos        (EkRecorder      *self);
void          _ek_recorder_send_eos                (EkRecorder      *self);
void          _ek_recorder_maybe_finish_stop       (EkRecorder      *self);

/* ek-recorder-pipeline.c */
GstElement   *_ek_recorder_make_test_video_bin     (const char      *pattern,
                                                    GstClockTime     timestamp_offset,
                                                    gboolean         stall_valve,
                                                    gboolean         stalled,
                                                    GError         **error);
GstClockTime  _ek_recorder_current_running_time    (EkRecorder      *self);
GstElement   *_ek_recorder_make_camera_bin_for_device (GstDevice    *device,
                                                    GError         **error);
GstElement   *_ek_recorder_make_camera_bin         (EkRecorder      *self,
                                                    GError         **error);
GstElement   *_ek_recorder_make_audio_source       (EkRecorder      *self,
                                                    GError         **error);
gboolean      _ek_recorder_build_pipeline          (EkRecorder      *self,
                                                    GError         **error);
void          _ek_recorder_teardown_pipeline       (EkRecorder      *self);

/* ek-recorder-devices.c */
GstPad       *_ek_recorder_attach_audio_source     (EkRecorder      *self,
                                                    GstElement      *element);
void          _ek_recorder_attach_camera_bin       (EkRecorder      *self,
                                                    GstElement      *bin,
                                                    gboolean         confirmed);
void          _ek_recorder_on_microphone_lost      (EkRecorder      *self);
void          _ek_recorder_on_camera_lost          (EkRecorder      *self,
                                                    gboolean         stalled);
gboolean      _ek_recorder_on_camera_watchdog_cb   (gpointer         user_data);
void          _ek_recorder_start_device_monitor    (EkRecorder      *self);

/* ek-recorder-analysis.c: the pieces of the pipeline that feed the
 * proctoring, for the recorder and for harnesses that play clips through
 * exactly them (see ek_recorder_analysis_make_face_monitor()) */
char         *_ek_recorder_camera_convert_description (void);
char         *_ek_recorder_viewer_branch_description  (guint      fps,
                                                       guint      width,
                                                       guint      height,
                                                       gboolean   live);
char         *_ek_recorder_face_branch_description    (gboolean   live);
GstElement   *ek_recorder_analysis_make_face_monitor  (gboolean   live,
                                                       GError   **error);
GstElement   *ek_recorder_analysis_make_audio         (gboolean   live,
                                                       GError   **error);
gboolean      ek_recorder_analysis_parse_level        (GstMessage   *message,
                                                       double       *level_db,
                                                       GstClockTime *media_time);
gboolean      ek_recorder_analysis_parse_voice        (GstMessage   *message,
                                                       gboolean     *voice,
                                                       GstClockTime *media_time);
EkVideoFrame *ek_recorder_frame_from_sample           (GstSample    *sample);

/* ek-recorder-segments.c */
gboolean      _ek_recorder_default_free_space      (const char      *directory,
                                                    guint64         *free_bytes,
                                                    gpointer         user_data,
                                                    GError         **error);
guint64       _ek_recorder_bytes_per_second        (EkRecorder      *self);
const char   *_ek_recorder_stream_for_muxer        (EkRecorder      *self,
                                                    GstObject       *muxer);
guint         _ek_recorder_next_free_index         (EkRecorder      *self,
                                                    const char      *stream);
gboolean      _ek_recorder_ensure_private_folder   (const char      *directory,
                                                    GError         **error);
void          _ek_recorder_hash_job_free           (gpointer         job);
gboolean      _ek_recorder_on_disk_poll_timeout_cb (gpointer         user_data);
void          _ek_recorder_setup_splitmux          (EkRecorder      *self,
                                                    GstElement      *splitmux,
                                                    guint            start_index);
void          _ek_recorder_on_fragment_opened      (EkRecorder      *self,
                                                    GstObject       *muxer,
                                                    const GstStructure *structure);
void          _ek_recorder_on_fragment_closed      (EkRecorder      *self,
                                                    GstObject       *muxer,
                                                    const GstStructure *structure);
gboolean      _ek_recorder_fragments_still_open    (EkRecorder      *self);
guint         _ek_recorder_announce_leftovers      (EkRecorder      *self);
guint         _ek_recorder_announce_unannounced    (EkRecorder      *self);

G_END_DECLS
