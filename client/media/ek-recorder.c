/* ek-recorder.c: the exam recording (camera, microphone, optionally the screen)
 *
 * The pipeline:
 *
 *   camera bin ─┐
 *               input-selector ─ tee ─┬─ queue ─ x264enc ─ h264parse ─ queue ─┐
 *   (fallback) ─┘                     ├─ videorate 15 ─ queue(leaky) ─ scale ─ appsink (preview)
 *                                     └─ videorate 2 ─ queue(leaky) ─ scale ─ appsink (face)
 *   microphone ─ convert ─ level ─ opusenc ─ queue ──────────────────────────┴─ splitmuxsink (camera-NNNNN.mkv)
 *   screen ─ x264enc ─ h264parse ─ splitmuxsink (screen-NNNNN.mkv)
 *
 * The camera sits behind an input-selector so that it can vanish and come back
 * while the encoder, the muxer and the audio carry on: when it goes, a black
 * test source takes its place, so the video track stays continuous and Matroska's
 * muxer never waits for a stream that has stopped.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-media-device.h"
#include "ek-recorder.h"
#include "ek-system-info.h"

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
  EkFreeSpaceFunc   free_space_func;
  gpointer          free_space_data;
  GDestroyNotify    free_space_destroy;

  /* state, main context only */
  EkRecorderState   state;
  double            level_db;
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
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkRecorder, ek_recorder, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-recorder-error-quark, ek_recorder_error)
G_DEFINE_ENUM_TYPE (EkRecorderState, ek_recorder_state,
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_RECORDING, "recording"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STOPPING, "stopping"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_STOPPED, "stopped"),
  G_DEFINE_ENUM_VALUE (EK_RECORDER_STATE_FAILED, "failed"))

static void maybe_finish_stop (EkRecorder *self);

/* Helpers */

static void
set_state (EkRecorder      *self,
           EkRecorderState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_camera_available (EkRecorder *self,
                      gboolean    available)
{
  if (self->camera_available == available)
    return;

  self->camera_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_AVAILABLE]);
}

static gboolean
is_running (EkRecorder *self)
{
  return self->state == EK_RECORDER_STATE_STARTING ||
         self->state == EK_RECORDER_STATE_RECORDING;
}

static gboolean
default_free_space (const char  *directory,
                    guint64     *free_bytes,
                    gpointer     user_data,
                    GError     **error)
{
  EkDiskInfo info;

  if (!ek_system_info_read_disk (directory, &info, error))
    return FALSE;

  *free_bytes = info.free_bytes;
  return TRUE;
}

static guint64
bytes_per_second (EkRecorder *self)
{
  guint kbps = self->video_bitrate_kbps + AUDIO_BITRATE_KBPS;

  if (self->record_screen)
    kbps += SCREEN_BITRATE_KBPS;

  return (guint64) kbps * 1000 / 8;
}

static const char *
stream_for_muxer (EkRecorder *self,
                  GstObject  *muxer)
{
  g_autofree char *name = gst_object_get_name (muxer);

  if (g_strcmp0 (name, "smux") == 0)
    return EK_SEGMENT_STREAM_SCREEN;

  return self->camera_stream;
}

static char *
segment_path (EkRecorder *self,
              const char *stream,
              guint       index)
{
  g_autofree char *basename = ek_segment_make_file_name (stream, index);

  return g_build_filename (self->directory, basename, NULL);
}

/* Returns TRUE and the index if @basename is one of our segment names for @stream. */
static gboolean
parse_segment_name (const char *basename,
                    const char *stream,
                    guint      *index)
{
  const char *found = NULL;

  return ek_segment_parse_file_name (basename, &found, index) && g_str_equal (found, stream);
}

/* The index after the last segment of @stream already in the folder, so that a
 * recorder restarted in the same session continues the numbering. */
static guint
next_free_index (EkRecorder *self,
                 const char *stream)
{
  g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
  const char *name;
  guint next = 0;

  if (dir == NULL)
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint index;

      if (parse_segment_name (name, stream, &index) && index >= next)
        next = index + 1;
    }

  return next;
}

static gboolean
ensure_private_folder (const char  *directory,
                       GError     **error)
{
  struct stat st;

  if (g_mkdir_with_parents (directory, 0700) != 0 ||
      g_stat (directory, &st) != 0 ||
      ((st.st_mode & 0077) != 0 && g_chmod (directory, 0700) != 0))
    {
      int saved_errno = errno;

      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FOLDER,
                   _("The folder for the recording (%s) cannot be created: %s. "
                     "Ask the technician to check the disk."),
                   directory, g_strerror (saved_errno));
      return FALSE;
    }

  if (st.st_uid != getuid ())
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FOLDER,
                   _("The folder for the recording (%s) belongs to another user. "
                     "Ask the technician to check the computer's setup."),
                   directory);
      return FALSE;
    }

  return TRUE;
}

static GError *
error_from_gst (const GError *gst_error)
{
  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
    return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL,
                        _("The disk is full, so the recording stopped. "
                          "Tell the proctor at once."));

  return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                      _("The recording stopped because of a problem with the camera, "
                        "microphone or disk. Tell the proctor at once."));
}

/* Fatal: the recording is over. The files already closed are intact. */
static void
fail (EkRecorder *self,
      GError     *error)
{
  g_autoptr(GError) owned = error;

  if (self->state == EK_RECORDER_STATE_FAILED || self->state == EK_RECORDER_STATE_STOPPED)
    return;

  g_clear_error (&self->error);
  self->error = g_error_copy (owned);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);

  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);

  set_state (self, EK_RECORDER_STATE_FAILED);
  g_signal_emit (self, signals[FAILED], 0, owned);

  if (self->stop_requested && self->stop_error == NULL)
    self->stop_error = g_error_copy (owned);
  maybe_finish_stop (self);
}

/* Frames */

static void
frame_slot_init (FrameSlot *slot)
{
  g_mutex_init (&slot->lock);
}

static void
frame_slot_clear (FrameSlot *slot)
{
  g_clear_pointer (&slot->latest, ek_video_frame_unref);
  g_mutex_clear (&slot->lock);
}

static EkVideoFrame *
frame_slot_dup (FrameSlot *slot,
                gboolean   take_pending)
{
  EkVideoFrame *frame = NULL;

  g_mutex_lock (&slot->lock);
  if (slot->latest != NULL && (!take_pending || slot->pending))
    frame = ek_video_frame_ref (slot->latest);
  if (take_pending)
    slot->pending = FALSE;
  g_mutex_unlock (&slot->lock);

  return frame;
}

typedef struct
{
  GstBuffer  *buffer;
  GstMapInfo  map;
} MappedBuffer;

static void
mapped_buffer_free (gpointer data)
{
  MappedBuffer *mapped = data;

  gst_buffer_unmap (mapped->buffer, &mapped->map);
  gst_buffer_unref (mapped->buffer);
  g_free (mapped);
}

/* Wraps the sample's buffer without copying it. */
static EkVideoFrame *
frame_from_sample (GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  g_autoptr(GBytes) bytes = NULL;
  GstVideoInfo info;
  GstVideoMeta *meta;
  MappedBuffer *mapped;
  gsize stride;
  gsize offset = 0;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;

  stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  meta = gst_buffer_get_video_meta (buffer);
  if (meta != NULL)
    {
      stride = meta->stride[0];
      offset = meta->offset[0];
    }

  mapped = g_new0 (MappedBuffer, 1);
  mapped->buffer = gst_buffer_ref (buffer);
  if (!gst_buffer_map (mapped->buffer, &mapped->map, GST_MAP_READ))
    {
      gst_buffer_unref (mapped->buffer);
      g_free (mapped);
      return NULL;
    }

  if (offset + stride * GST_VIDEO_INFO_HEIGHT (&info) > mapped->map.size)
    {
      mapped_buffer_free (mapped);
      return NULL;
    }

  bytes = g_bytes_new_with_free_func (mapped->map.data + offset,
                                      mapped->map.size - offset,
                                      mapped_buffer_free, mapped);

  return ek_video_frame_new (bytes,
                             GST_VIDEO_INFO_WIDTH (&info),
                             GST_VIDEO_INFO_HEIGHT (&info),
                             stride,
                             GST_BUFFER_PTS_IS_VALID (buffer) ? (gint64) GST_BUFFER_PTS (buffer) : -1);
}

/* Streaming thread: keep the newest frame and wake the main context. A viewer that
 * is slow only ever sees the newest frame; nothing queues up behind it. */
static GstFlowReturn
on_new_sample_cb (GstAppSink *sink,
                  gpointer    user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  FrameSlot *slot;
  EkVideoFrame *frame;
  g_autofree char *name = NULL;

  if (sample == NULL)
    return GST_FLOW_OK;

  frame = frame_from_sample (sample);
  if (frame == NULL)
    return GST_FLOW_OK;

  name = gst_object_get_name (GST_OBJECT (sink));
  slot = g_str_equal (name, "preview-sink") ? &self->preview : &self->face;

  g_mutex_lock (&slot->lock);
  g_clear_pointer (&slot->latest, ek_video_frame_unref);
  slot->latest = frame;
  slot->pending = TRUE;
  g_mutex_unlock (&slot->lock);

  g_source_set_ready_time (self->frame_source, 0);

  return GST_FLOW_OK;
}

static gboolean
frame_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  g_source_set_ready_time (source, -1);

  return callback (user_data);
}

static GSourceFuncs frame_source_funcs = {
  .dispatch = frame_source_dispatch,
};

static gboolean
on_frames_ready_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(EkVideoFrame) preview = frame_slot_dup (&self->preview, TRUE);
  g_autoptr(EkVideoFrame) face = frame_slot_dup (&self->face, TRUE);

  if (preview != NULL)
    g_signal_emit (self, signals[PREVIEW_FRAME], 0, preview);
  if (face != NULL)
    g_signal_emit (self, signals[FACE_FRAME], 0, face);

  return G_SOURCE_CONTINUE;
}

/* Hashing */

typedef struct
{
  char   *stream;
  guint   index;
  char   *path;
  gint64  start_ns;
  gint64  end_ns;
} HashJob;

static void
hash_job_free (HashJob *job)
{
  g_free (job->stream);
  g_free (job->path);
  g_free (job);
}

static void run_next_hash (EkRecorder *self);

static void
on_segment_hashed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkRecorder) self = user_data;
  g_autoptr(EkSegment) segment = NULL;
  g_autoptr(GError) error = NULL;

  segment = ek_segment_hash_file_finish (result, &error);
  self->pending_hashes--;
  self->hashing = FALSE;

  if (segment != NULL)
    g_signal_emit (self, signals[SEGMENT_READY], 0, segment);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("A recording segment could not be hashed: %s", error->message);

  run_next_hash (self);
  maybe_finish_stop (self);
}

/* One at a time, so that segments are announced in the order they closed. */
static void
run_next_hash (EkRecorder *self)
{
  HashJob *job;

  if (self->hashing || (job = g_queue_pop_head (&self->hash_queue)) == NULL)
    return;

  /* The callback holds the recorder, so a hash in flight keeps it alive. */
  self->hashing = TRUE;
  ek_segment_hash_file_async (job->stream, job->index, job->path, job->start_ns, job->end_ns,
                              self->cancellable, on_segment_hashed_cb, g_object_ref (self));
  hash_job_free (job);
}

static void
hash_segment (EkRecorder *self,
              const char *stream,
              guint       index,
              const char *path,
              gint64      start_ns,
              gint64      end_ns)
{
  HashJob *job;

  /* A segment reaches us by its close message, as a leftover at stop, or by the
   * final sweep of the folder; it is announced once. */
  if (!g_hash_table_add (self->queued, g_strdup (path)))
    return;

  job = g_new0 (HashJob, 1);
  job->stream = g_strdup (stream);
  job->index = index;
  job->path = g_strdup (path);
  job->start_ns = start_ns;
  job->end_ns = end_ns;

  self->pending_hashes++;
  g_queue_push_tail (&self->hash_queue, job);
  run_next_hash (self);
}

/* Disk space polling */

typedef struct
{
  GWeakRef         recorder;
  char            *directory;
  EkFreeSpaceFunc  func;
  gpointer         func_data;
} DiskPoll;

static void
disk_poll_free (DiskPoll *poll)
{
  g_weak_ref_clear (&poll->recorder);
  g_free (poll->directory);
  g_free (poll);
}

static void
disk_poll_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DiskPoll *poll = task_data;
  GError *error = NULL;
  guint64 free_bytes = 0;

  if (!poll->func (poll->directory, &free_bytes, poll->func_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_int (task, (gssize) MIN (free_bytes, (guint64) G_MAXSSIZE));
}

static void
on_disk_polled_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DiskPoll *poll = g_task_get_task_data (G_TASK (result));
  g_autoptr(EkRecorder) self = g_weak_ref_get (&poll->recorder);
  g_autoptr(GError) error = NULL;
  gssize free_bytes;

  free_bytes = g_task_propagate_int (G_TASK (result), &error);
  if (self == NULL)
    return;

  self->disk_poll_busy = FALSE;

  if (error != NULL)
    {
      g_debug ("Free space unknown: %s", error->message);
      return;
    }

  if (self->state != EK_RECORDER_STATE_RECORDING || (guint64) free_bytes >= self->reserve_bytes)
    return;

  /* Close the open segment while there is still room for its last bytes. */
  g_clear_error (&self->error);
  self->error = g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL,
                             _("The disk is almost full, so the recording was stopped. "
                               "Tell the proctor at once."));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  ek_recorder_stop_async (self, NULL, NULL, NULL);
  g_signal_emit (self, signals[FAILED], 0, self->error);
}

static gboolean
on_disk_poll_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GTask) task = NULL;
  DiskPoll *poll;

  if (self->disk_poll_busy)
    return G_SOURCE_CONTINUE;

  poll = g_new0 (DiskPoll, 1);
  g_weak_ref_init (&poll->recorder, self);
  poll->directory = g_strdup (self->directory);
  poll->func = self->free_space_func != NULL ? self->free_space_func : default_free_space;
  poll->func_data = self->free_space_data;

  /* No source object: a poll in flight must not keep the recorder alive. */
  self->disk_poll_busy = TRUE;
  task = g_task_new (NULL, self->cancellable, on_disk_polled_cb, NULL);
  g_task_set_source_tag (task, on_disk_poll_timeout_cb);
  g_task_set_task_data (task, poll, (GDestroyNotify) disk_poll_free);
  g_task_run_in_thread (task, disk_poll_thread);

  return G_SOURCE_CONTINUE;
}

/* Building the pipeline */

/* @stall_valve: the test camera, with a valve that can hold back its pictures
 * (ek_recorder_simulate_camera_stall()); sticky events such as EOS still pass,
 * as a stalled v4l2src still ends when told to. */
static GstElement *
make_test_video_bin (const char   *pattern,
                     GstClockTime  timestamp_offset,
                     gboolean      stall_valve,
                     gboolean      stalled,
                     GError      **error)
{
  g_autofree char *desc = NULL;
  GstElement *bin;
  g_autoptr(GstElement) src = NULL;

  desc = g_strdup_printf ("videotestsrc name=src is-live=true pattern=%s ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
                          "pixel-aspect-ratio=1/1%s%s",
                          pattern, VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS,
                          stall_valve ? " ! valve name=stall drop-mode=forward-sticky-events drop=" : "",
                          stall_valve ? (stalled ? "true" : "false") : "");
  bin = gst_parse_bin_from_description (desc, TRUE, error);
  if (bin == NULL)
    return NULL;

  /* A live test source counts from zero; one that joins a running pipeline
   * must start at the pipeline's running time, or it would race to catch up.
   * It also takes the clock's time for each picture, as a real camera does:
   * a source that cannot keep up on a busy computer (it starts while others
   * run) would otherwise stamp its pictures behind the ones already recorded. */
  src = gst_bin_get_by_name (GST_BIN (bin), "src");
  g_object_set (src, "timestamp-offset", (gint64) timestamp_offset,
                "do-timestamp", timestamp_offset > 0, NULL);

  return bin;
}

/* EK_TEST_CAMERA_FILE: a picture shown as a live camera, in the camera's format. */
static GstElement *
make_test_picture_bin (const char  *file,
                       GError     **error)
{
  g_autofree char *quoted = g_strescape (file, NULL);
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) out = NULL;
  g_autoptr(GstPad) pad = NULL;
  GstElement *bin;

  desc = g_strdup_printf ("filesrc name=src location=\"%s\" ! decodebin ! videoconvert ! "
                          "videoscale add-borders=true ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
                          "imagefreeze is-live=true ! capsfilter caps=video/x-raw,framerate=%d/1 ! "
                          "identity name=out",
                          quoted, VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS);
  /* Only the last pad is ghosted: decodebin's comes later, and a ghosted
   * converter sink pad would break that link. */
  bin = gst_parse_bin_from_description (desc, FALSE, error);
  if (bin == NULL)
    return NULL;

  out = gst_bin_get_by_name (GST_BIN (bin), "out");
  pad = gst_element_get_static_pad (out, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  return bin;
}

/* Running time of the pipeline now, 0 before it runs. */
static GstClockTime
current_running_time (EkRecorder *self)
{
  g_autoptr(GstClock) clock = NULL;
  GstClockTime now;
  GstClockTime base;

  if (self->pipeline == NULL || (clock = gst_element_get_clock (self->pipeline)) == NULL)
    return 0;

  now = gst_clock_get_time (clock);
  base = gst_element_get_base_time (self->pipeline);

  return now > base ? now - base : 0;
}

static GstDevice *
find_device (EkMediaDeviceKind  kind,
             const char        *id)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GstDevice *found = NULL;
  GList *list;

  gst_device_monitor_add_filter (monitor,
                                 kind == EK_MEDIA_DEVICE_CAMERA ? "Video/Source" : "Audio/Source",
                                 NULL);
  list = gst_device_monitor_get_devices (monitor);

  for (GList *l = list; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *device_id = ek_media_device_id_for_gst_device (l->data);

      if (id == NULL || g_strcmp0 (device_id, id) == 0)
        found = gst_object_ref (l->data);
    }

  g_list_free_full (list, gst_object_unref);

  return found;
}

static GstElement *
make_camera_bin_for_device (GstDevice  *device,
                            GError    **error)
{
  g_autofree char *desc = NULL;
  GstElement *bin;
  GstElement *src;
  GstElement *convert;
  g_autoptr(GstPad) pad = NULL;

  /* Take the camera's best mode up to 720p30, then bring whatever it gives
   * to the one format the encoder and the viewers expect. */
  desc = g_strdup_printf ("capsfilter caps=video/x-raw,width=(int)[1,%d],height=(int)[1,%d],"
                          "framerate=(fraction)[1/1,%d/1] ! videoconvert ! "
                          "videoscale add-borders=true ! videorate ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
                          "pixel-aspect-ratio=1/1",
                          VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS,
                          VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS);
  convert = gst_parse_bin_from_description (desc, TRUE, error);
  if (convert == NULL)
    return NULL;

  src = gst_device_create_element (device, NULL);
  if (src == NULL)
    {
      gst_object_unref (gst_object_ref_sink (convert));
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("The camera cannot be opened. Check that no other program uses it."));
      return NULL;
    }

  bin = gst_bin_new (NULL);
  gst_bin_add_many (GST_BIN (bin), src, convert, NULL);
  if (!gst_element_link (src, convert))
    {
      gst_object_unref (gst_object_ref_sink (bin));
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("The camera cannot be opened. Check that no other program uses it."));
      return NULL;
    }

  pad = gst_element_get_static_pad (convert, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  return bin;
}

static GstElement *
make_camera_bin (EkRecorder  *self,
                 GError     **error)
{
  g_autoptr(GstDevice) device = NULL;

  if (self->source == EK_MEDIA_SOURCE_TEST)
    {
      const char *file = g_getenv ("EK_TEST_CAMERA_FILE");

      /* A still picture as the camera (the tests' face), as EkCameraFeed does. */
      if (file != NULL && (g_str_has_suffix (file, ".png") || g_str_has_suffix (file, ".jpg")))
        return make_test_picture_bin (file, error);
      return make_test_video_bin ("ball", current_running_time (self), TRUE,
                                  self->test_stalled, error);
    }

  device = find_device (EK_MEDIA_DEVICE_CAMERA, self->camera_id);
  if (device == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_CAMERA,
                   _("No camera was found. Connect the camera and try again."));
      return NULL;
    }
  g_set_object (&self->camera_device, device);

  return make_camera_bin_for_device (device, error);
}

static GstElement *
make_audio_source (EkRecorder  *self,
                   GError     **error)
{
  g_autoptr(GstDevice) device = NULL;
  GstElement *src;

  if (self->source == EK_MEDIA_SOURCE_TEST)
    {
      src = gst_element_factory_make ("audiotestsrc", "audio-source");
      if (src == NULL)
        {
          g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                       _("A part of GStreamer needed for recording is not installed (%s). "
                         "Ask the technician to install it."), "audiotestsrc");
          return NULL;
        }

      g_object_set (src, "is-live", TRUE, "wave", 0 /* sine */, "freq", 440.0,
                    "volume", 0.1, NULL);
      return src;
    }

  device = find_device (EK_MEDIA_DEVICE_MICROPHONE, self->microphone_id);
  if (device == NULL || (src = gst_device_create_element (device, "audio-source")) == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_MICROPHONE,
                   _("No microphone was found. Connect the microphone and try again."));
      return NULL;
    }

  return src;
}

static char *
on_format_location_cb (GstElement *muxer,
                       guint       fragment_id,
                       gpointer    user_data)
{
  EkRecorder *self = user_data;
  char *path = segment_path (self, stream_for_muxer (self, GST_OBJECT (muxer)), fragment_id);
  int fd;

  /* filesink opens with the process umask; create the file private first and
   * let filesink truncate it, which keeps the mode. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      fchmod (fd, 0600);
      close (fd);
    }

  g_mutex_lock (&self->created_lock);
  g_hash_table_add (self->created, g_strdup (path));
  g_mutex_unlock (&self->created_lock);

  return path;
}

/* Sets up a splitmuxsink of the description: segment names and numbering, and
 * an unbuffered file sink. The fragments are finalized in the streaming thread
 * (async-finalize=false, the default): a fragment's close message is posted
 * once its file is complete, before the next one opens, and the pipeline's EOS
 * only after the last one closed. (With async-finalize, the old muxer finished
 * in the background and the pipeline's EOS could come before a fragment's close
 * message, which a busy computer lost with the bus.) The muxer is named in the
 * description (`muxer=matroskamux`): splitmuxsink creates its muxer and sink
 * when its pads are requested, which the description's links do. */
static void
on_sink_added_cb (GstElement *splitmux,
                  GstElement *sink,
                  gpointer    user_data)
{
  /* Unbuffered: what the muxer has written is in the file, so a kill or a
   * crash loses only what is still in the pipeline's queues. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (sink), "buffer-mode") != NULL)
    gst_util_set_object_arg (G_OBJECT (sink), "buffer-mode", "unbuffered");
}

static void
setup_splitmux (EkRecorder *self,
                GstElement *splitmux,
                guint       start_index)
{
  g_object_set (splitmux, "start-index", start_index, NULL);
  g_signal_connect (splitmux, "format-location", G_CALLBACK (on_format_location_cb), self);
  g_signal_connect (splitmux, "sink-added", G_CALLBACK (on_sink_added_cb), NULL);
}

static GstPadProbeReturn
on_camera_event_probe_cb (GstPad          *pad,
                          GstPadProbeInfo *info,
                          gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  /* A camera that fails sends EOS after its error; that must not end the
   * recording, only our own stop may. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && !g_atomic_int_get (&self->stopping))
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_camera_buffer_probe_cb (GstPad          *pad,
                           GstPadProbeInfo *info,
                           gpointer         user_data)
{
  EkRecorder *self = user_data;

  g_atomic_int_inc (&self->camera_buffers);
  return GST_PAD_PROBE_OK;
}

/* On the selector's output: when the input changes (camera lost, camera back),
 * a picture of the new input may have been taken a moment before the last one
 * of the old input went out (its thread was held up); such a picture is dropped,
 * so the encoder and the muxer only ever see time go forward. */
static GstPadProbeReturn
on_selector_buffer_probe_cb (GstPad          *pad,
                             GstPadProbeInfo *info,
                             gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gboolean late = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;

  g_mutex_lock (&self->video_pts_lock);
  if (GST_CLOCK_TIME_IS_VALID (self->last_video_pts) && pts <= self->last_video_pts)
    late = TRUE;
  else
    self->last_video_pts = pts;
  g_mutex_unlock (&self->video_pts_lock);

  return late ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* Adds @element (a microphone, the silence) to the pipeline and links it to a
 * new pad of the audio selector; returns that pad, or NULL (and @element is
 * gone) if it cannot be linked: a microphone's caps are not ours to know. */
static GstPad *
attach_audio_source (EkRecorder *self,
                     GstElement *element)
{
  GstElement *selector = self->aselector;
  g_autoptr(GstPad) src = NULL;
  GstPad *sink;

  gst_bin_add (GST_BIN (self->pipeline), element);
  src = gst_element_get_static_pad (element, "src");
  sink = gst_element_request_pad_simple (selector, "sink_%u");
  if (src == NULL || gst_pad_link (src, sink) != GST_PAD_LINK_OK)
    {
      gst_element_release_request_pad (selector, sink);
      gst_object_unref (sink);
      gst_bin_remove (GST_BIN (self->pipeline), element);
      return NULL;
    }

  return sink;
}

/* Adds @bin (a camera, the black picture) to the pipeline and links it to a
 * new selector pad. Our own bins always link. */
static GstPad *
attach_video_bin (EkRecorder *self,
                  GstElement *bin)
{
  g_autoptr(GstPad) src = NULL;
  GstPad *sink;

  gst_bin_add (GST_BIN (self->pipeline), bin);
  src = gst_element_get_static_pad (bin, "src");
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_camera_event_probe_cb, self, NULL);
  sink = gst_element_request_pad_simple (self->selector, "sink_%u");
  gst_pad_link (src, sink);

  return sink;
}

/* Adds a camera bin; the watchdog counts its pictures from now on. */
static void
attach_camera_bin (EkRecorder *self,
                   GstElement *bin,
                   gboolean    confirmed)
{
  g_autoptr(GstPad) src = gst_element_get_static_pad (bin, "src");

  g_atomic_int_set (&self->camera_buffers, 0);
  self->watch_count = 0;
  self->watch_progress_us = g_get_monotonic_time ();
  gst_pad_add_probe (src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_camera_buffer_probe_cb, self, NULL);

  self->camera_bin = bin;
  self->camera_confirmed = confirmed;
  self->camera_pad = attach_video_bin (self, bin);
}

/* Stops and removes an input of @selector (a camera, the black picture, a
 * microphone, the silence) and releases its selector pad. */
static void
detach_input (EkRecorder  *self,
              GstElement  *selector,
              GstElement **element,
              GstPad     **pad)
{
  if (*element != NULL)
    {
      gst_element_set_locked_state (*element, TRUE);
      gst_element_set_state (*element, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (self->pipeline), *element);
      *element = NULL;
    }

  if (*pad != NULL)
    {
      gst_element_release_request_pad (selector, *pad);
      g_clear_object (pad);
    }
}

static void
detach_video_bin (EkRecorder  *self,
                  GstElement **bin,
                  GstPad     **pad)
{
  detach_input (self, self->selector, bin, pad);
}

/* The audio selector's output, like the video's: time only goes forward, so
 * a buffer of the new input that starts before the last one of the old input
 * ended is dropped. */
static GstPadProbeReturn
on_audio_selector_buffer_probe_cb (GstPad          *pad,
                                   GstPadProbeInfo *info,
                                   gpointer         user_data)
{
  EkRecorder *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime end;
  gboolean late = FALSE;

  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return GST_PAD_PROBE_OK;
  end = GST_BUFFER_DURATION_IS_VALID (buffer) ? pts + GST_BUFFER_DURATION (buffer) : pts;

  g_mutex_lock (&self->video_pts_lock);
  if (GST_CLOCK_TIME_IS_VALID (self->last_audio_pts) && pts + AUDIO_OVERLAP_NS < self->last_audio_pts)
    late = TRUE;
  else
    self->last_audio_pts = end;
  g_mutex_unlock (&self->video_pts_lock);

  return late ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static void
detach_audio_source (EkRecorder  *self,
                     GstElement **source,
                     GstPad     **pad)
{
  detach_input (self, self->aselector, source, pad);
}

static void
set_microphone_available (EkRecorder *self,
                          gboolean    available)
{
  if (self->microphone_available == available)
    return;

  self->microphone_available = available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_AVAILABLE]);
}

/* The microphone reported an error (a headset pulled out): silence takes its
 * place, so the audio track, the muxer and the picture go on. */
static void
on_microphone_lost (EkRecorder *self)
{
  GstElement *silence;

  if (self->audio_source == NULL)
    return;

  silence = gst_element_factory_make ("audiotestsrc", NULL);
  if (silence == NULL)
    {
      fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                               _("A part of GStreamer needed for recording is not installed (%s). "
                                 "Ask the technician to install it."), "audiotestsrc"));
      return;
    }
  /* Stamped with the pipeline's running time, as a capture device is. */
  g_object_set (silence, "is-live", TRUE, "wave", 4 /* silence */, "do-timestamp", TRUE,
                "samplesperbuffer", 960, NULL);
  self->silence_pad = attach_audio_source (self, silence);
  if (self->silence_pad == NULL)
    {
      fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                               "the silence cannot replace the microphone"));
      return;
    }
  self->silence = silence;
  gst_element_sync_state_with_parent (silence);
  g_object_set (self->aselector, "active-pad", self->silence_pad, NULL);

  detach_audio_source (self, &self->audio_source, &self->audio_pad);
  self->microphone_lost_us = g_get_monotonic_time ();
  set_microphone_available (self, FALSE);
  g_signal_emit (self, signals[MICROPHONE_LOST], 0);
}

/* The chosen microphone (or, with none chosen, any) appeared again (@device),
 * or, with test sources (@device %NULL), is simulated back. */
static void
on_microphone_back (EkRecorder *self,
                    GstDevice  *device)
{
  GstElement *source;
  GstPad *pad;

  if (self->audio_source != NULL || !is_running (self))
    return;

  if (device != NULL)
    {
      source = gst_device_create_element (device, NULL);
    }
  else
    {
      g_autoptr(GError) error = NULL;

      source = make_audio_source (self, &error);
      /* a test source counts from 0; a capture device stamps the clock's time */
      if (source != NULL && self->source == EK_MEDIA_SOURCE_TEST)
        g_object_set (source, "timestamp-offset", (gint64) current_running_time (self), NULL);
    }
  if (source == NULL)
    {
      g_debug ("The microphone came back but cannot be opened");
      return;
    }
  pad = attach_audio_source (self, source);
  if (pad == NULL)
    {
      g_debug ("The microphone came back but cannot be linked");
      return;
    }
  if (!gst_element_sync_state_with_parent (source))
    {
      detach_audio_source (self, &source, &pad);
      return;
    }

  self->audio_source = source;
  self->audio_pad = pad;
  g_object_set (self->aselector, "active-pad", self->audio_pad, NULL);
  detach_audio_source (self, &self->silence, &self->silence_pad);
  set_microphone_available (self, TRUE);
  g_signal_emit (self, signals[MICROPHONE_RESTORED], 0);
}

/* The camera failed (@stalled FALSE: it reported an error) or stopped
 * delivering (@stalled TRUE). A black picture takes its place, so the video
 * track and the audio go on. A camera opened again that never confirmed goes
 * without a word: it was not back yet. */
static void
on_camera_lost (EkRecorder *self,
                gboolean    stalled)
{
  g_autoptr(GError) error = NULL;
  gboolean was_confirmed = self->camera_confirmed;
  GstElement *bin;

  if (self->camera_bin == NULL)
    return;

  if (self->fallback_bin == NULL)
    {
      bin = make_test_video_bin ("black", current_running_time (self), FALSE, FALSE, &error);
      if (bin == NULL)
        {
          fail (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED, "%s", error->message));
          return;
        }

      self->fallback_bin = bin;
      self->fallback_pad = attach_video_bin (self, bin);
      gst_element_sync_state_with_parent (bin);
    }
  g_object_set (self->selector, "active-pad", self->fallback_pad, NULL);

  detach_video_bin (self, &self->camera_bin, &self->camera_pad);
  self->camera_confirmed = FALSE;
  self->camera_retry_us = g_get_monotonic_time () + CAMERA_RETRY_MS * G_TIME_SPAN_MILLISECOND;

  if (!was_confirmed)
    return;

  self->camera_stalled = stalled;
  set_camera_available (self, FALSE);
  g_signal_emit (self, signals[CAMERA_LOST], 0);
}

/* The camera opened again delivered its first picture: it becomes the input. */
static void
confirm_camera (EkRecorder *self)
{
  self->camera_confirmed = TRUE;
  self->camera_stalled = FALSE;
  g_object_set (self->selector, "active-pad", self->camera_pad, NULL);
  detach_video_bin (self, &self->fallback_bin, &self->fallback_pad);

  set_camera_available (self, TRUE);
  g_signal_emit (self, signals[CAMERA_RESTORED], 0);
}

/* Opens the camera again (@device: the one that appeared, else the one chosen).
 * It runs beside the black picture until its first picture arrives. */
static void
on_camera_back (EkRecorder *self,
                GstDevice  *device)
{
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  if (self->camera_bin != NULL || !is_running (self))
    return;

  if (device != NULL)
    bin = make_camera_bin_for_device (device, &error);
  else if (self->source == EK_MEDIA_SOURCE_AUTO && self->camera_device != NULL)
    bin = make_camera_bin_for_device (self->camera_device, &error);
  else
    bin = make_camera_bin (self, &error);

  if (bin == NULL)
    {
      g_debug ("The camera came back but cannot be opened: %s", error->message);
      return;
    }

  attach_camera_bin (self, bin, FALSE);
  if (!gst_element_sync_state_with_parent (bin))
    {
      detach_video_bin (self, &self->camera_bin, &self->camera_pad);
      return;
    }
}

/* Every CAMERA_WATCH_MS while recording: notices a camera that stopped
 * delivering, confirms one that came back, and retries a stalled one. */
static gboolean
on_camera_watchdog_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint count;

  if (self->state != EK_RECORDER_STATE_RECORDING)
    {
      self->watch_progress_us = now;
      return G_SOURCE_CONTINUE;
    }

  if (self->camera_bin == NULL)
    {
      if (self->camera_stalled && now >= self->camera_retry_us)
        {
          self->camera_retry_us = now + CAMERA_RETRY_MS * G_TIME_SPAN_MILLISECOND;
          on_camera_back (self, NULL);
        }
      return G_SOURCE_CONTINUE;
    }

  count = g_atomic_int_get (&self->camera_buffers);
  if (count != self->watch_count)
    {
      self->watch_count = count;
      self->watch_progress_us = now;
      if (!self->camera_confirmed)
        confirm_camera (self);
    }
  else if (self->camera_confirmed &&
           now - self->watch_progress_us >= CAMERA_STALL_MS * G_TIME_SPAN_MILLISECOND)
    {
      g_debug ("The camera delivered no picture for %d ms; counting it as lost", CAMERA_STALL_MS);
      on_camera_lost (self, TRUE);
    }
  else if (!self->camera_confirmed &&
           now - self->watch_progress_us >= CAMERA_PENDING_MS * G_TIME_SPAN_MILLISECOND)
    {
      g_debug ("The camera opened again delivers nothing; trying later");
      on_camera_lost (self, TRUE);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_monitor_message_cb (GstBus     *bus,
                       GstMessage *message,
                       gpointer    user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GstDevice) device = NULL;
  g_autofree char *id = NULL;
  EkMediaDeviceKind kind;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_DEVICE_ADDED)
    return G_SOURCE_CONTINUE;

  gst_message_parse_device_added (message, &device);
  if (!ek_media_device_kind_for_gst_device (device, &kind))
    return G_SOURCE_CONTINUE;

  id = ek_media_device_id_for_gst_device (device);
  if (kind == EK_MEDIA_DEVICE_CAMERA &&
      (self->camera_id == NULL || g_strcmp0 (id, self->camera_id) == 0))
    on_camera_back (self, device);
  else if (kind == EK_MEDIA_DEVICE_MICROPHONE &&
           (self->microphone_id == NULL || g_strcmp0 (id, self->microphone_id) == 0))
    on_microphone_back (self, device);

  return G_SOURCE_CONTINUE;
}

static void
start_device_monitor (EkRecorder *self)
{
  g_autoptr(GstBus) bus = NULL;

  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, "Video/Source", NULL);
  gst_device_monitor_add_filter (self->monitor, "Audio/Source", NULL);
  bus = gst_device_monitor_get_bus (self->monitor);
  self->monitor_watch = gst_bus_add_watch (bus, on_monitor_message_cb, self);
  if (!gst_device_monitor_start (self->monitor))
    g_debug ("No device monitor: a camera that comes back will not be noticed");
}

static void
on_fragment_closed (EkRecorder         *self,
                    GstObject          *muxer,
                    const GstStructure *structure)
{
  const char *stream = stream_for_muxer (self, muxer);
  const char *location = gst_structure_get_string (structure, "location");
  g_autofree char *basename = NULL;
  GstClockTime end = 0;
  gint64 start = 0;
  gint64 *opened;
  guint index;

  if (location == NULL)
    return;

  g_mutex_lock (&self->created_lock);
  g_hash_table_remove (self->created, location);
  g_mutex_unlock (&self->created_lock);

  basename = g_path_get_basename (location);
  if (!parse_segment_name (basename, stream, &index))
    return;

  gst_structure_get_clock_time (structure, "running-time", &end);
  opened = g_hash_table_lookup (self->fragment_starts, location);
  if (opened != NULL)
    start = *opened;
  g_hash_table_remove (self->fragment_starts, location);

  hash_segment (self, stream, index, location, start, (gint64) end);
}

static gboolean
fragments_still_open (EkRecorder *self)
{
  gboolean open;

  g_mutex_lock (&self->created_lock);
  open = g_hash_table_size (self->created) > 0;
  g_mutex_unlock (&self->created_lock);

  return open;
}

static void
finish_after_eos (EkRecorder *self)
{
  self->eos_waiting = FALSE;
  g_clear_handle_id (&self->eos_wait_source, g_source_remove);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->eos_seen = TRUE;
  maybe_finish_stop (self);
}

static gboolean
on_eos_wait_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->eos_wait_source = 0;
  finish_after_eos (self);
  return G_SOURCE_REMOVE;
}

/* Ends the recording: the sources send EOS, the muxers close their files. */
static void
send_eos (EkRecorder *self)
{
  self->eos_deferred = FALSE;
  g_clear_handle_id (&self->eos_defer_source, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_send_event (self->pipeline, gst_event_new_eos ());
}

static gboolean
on_eos_defer_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->eos_defer_source = 0;
  send_eos (self);
  return G_SOURCE_REMOVE;
}

static void
on_element_message (EkRecorder *self,
                    GstMessage *message)
{
  const GstStructure *structure = gst_message_get_structure (message);

  if (gst_structure_has_name (structure, "level"))
    {
      const GValue *rms = gst_structure_get_value (structure, "rms");
      double level = LEVEL_FLOOR_DB;

      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (rms != NULL && G_VALUE_HOLDS (rms, g_value_array_get_type ()))
        {
          GValueArray *array = g_value_get_boxed (rms);

          for (guint i = 0; array != NULL && i < array->n_values; i++)
            level = MAX (level, g_value_get_double (&array->values[i]));
        }
      G_GNUC_END_IGNORE_DEPRECATIONS

      level = CLAMP (level, LEVEL_FLOOR_DB, 0.0);
      if (level != self->level_db)
        {
          self->level_db = level;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL_DB]);
        }
    }
  else if (gst_structure_has_name (structure, "splitmuxsink-fragment-opened"))
    {
      const char *location = gst_structure_get_string (structure, "location");
      GstClockTime start = 0;

      if (location != NULL && gst_structure_get_clock_time (structure, "running-time", &start))
        g_hash_table_insert (self->fragment_starts, g_strdup (location),
                             g_memdup2 (&(gint64) { (gint64) start }, sizeof (gint64)));

      if (g_str_equal (stream_for_muxer (self, GST_MESSAGE_SRC (message)), self->camera_stream))
        {
          self->fragment_opened = TRUE;
          if (self->eos_deferred)
            send_eos (self);
        }
    }
  else if (gst_structure_has_name (structure, "splitmuxsink-fragment-closed"))
    {
      on_fragment_closed (self, GST_MESSAGE_SRC (message), structure);
      if (self->eos_waiting && !fragments_still_open (self))
        finish_after_eos (self);
    }
}

/* Whether @message comes from @input (the camera bin, the microphone) or
 * from inside it; FALSE while that input is away (%NULL). */
static gboolean
message_is_from (GstMessage *message,
                 GstElement *input)
{
  GstObject *src = GST_MESSAGE_SRC (message);

  return input != NULL &&
         (src == GST_OBJECT (input) || gst_object_has_as_ancestor (src, GST_OBJECT (input)));
}

static gboolean
on_bus_message_cb (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  EkRecorder *self = user_data;

  switch ((int) GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ELEMENT:
      on_element_message (self, message);
      break;

    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline))
        {
          GstState new_state;

          gst_message_parse_state_changed (message, NULL, &new_state, NULL);
          if (new_state == GST_STATE_PLAYING && self->state == EK_RECORDER_STATE_STARTING)
            set_state (self, EK_RECORDER_STATE_RECORDING);
        }
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;
        g_autofree char *name = gst_object_get_path_string (GST_MESSAGE_SRC (message));

        gst_message_parse_error (message, &error, &debug);
        g_debug ("Recording pipeline error from %s: %s (%s)", name, error->message,
                 debug != NULL ? debug : "");

        if (message_is_from (message, self->camera_bin) && is_running (self))
          on_camera_lost (self, FALSE);
        else if (message_is_from (message, self->audio_source) && is_running (self))
          on_microphone_lost (self);
        else if (self->state == EK_RECORDER_STATE_STOPPING && self->error != NULL &&
                 g_error_matches (self->error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL))
          {
            /* Already stopping for lack of space: the error says the same. */
            g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
            gst_element_set_state (self->pipeline, GST_STATE_NULL);
            self->eos_seen = TRUE;
            maybe_finish_stop (self);
          }
        else
          fail (self, error_from_gst (error));
      }
      break;

    case GST_MESSAGE_EOS:
      g_clear_handle_id (&self->stop_timeout_source, g_source_remove);
      /* Each splitmuxsink posts its last fragment's close message before its
       * EOS (see setup_splitmux()), so nothing should be open here. If a
       * close message is missing all the same, wait a moment for it rather
       * than cut a muxer short; the sweep at the stop announces whatever
       * remains (announce_unannounced()). */
      if (fragments_still_open (self))
        {
          self->eos_waiting = TRUE;
          self->eos_wait_source = g_timeout_add (EOS_CLOSE_WAIT_MS, on_eos_wait_timeout_cb, self);
          break;
        }
      finish_after_eos (self);
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* The longest GOP up to SCREEN_MAX_GOP_SECONDS that divides the segment: the
 * screen changes little, so keyframes are the bulk of its bytes. */
static guint
screen_gop_seconds (guint segment_seconds)
{
  for (guint gop = SCREEN_MAX_GOP_SECONDS; gop > 1; gop--)
    if (segment_seconds % gop == 0)
      return gop;

  return 1;
}

static GstElement *
make_screen_bin (EkRecorder  *self,
                 guint        start_index,
                 GError     **error)
{
  g_autofree char *desc = NULL;
  const char *source;
  GstElement *bin;
  g_autoptr(GstElement) muxer = NULL;

  /* ximagesrc is chosen by name: the X11 code stays inside GStreamer. */
  if (self->source == EK_MEDIA_SOURCE_TEST && g_getenv ("DISPLAY") == NULL)
    source = "videotestsrc is-live=true pattern=smpte ! capsfilter caps=video/x-raw,width=1280,height=720";
  else
    source = "ximagesrc use-damage=false show-pointer=true";

  /* The tee's second branch keeps the newest screen picture for the proctor's
   * snapshots (ek_recorder_dup_screen_frame()); at SCREEN_FPS it costs little.
   * Nobody pulls from that sink: it must not hold EOS back for its queue. */
  desc = g_strdup_printf ("%s ! capsfilter caps=video/x-raw,framerate=%d/1 ! videoconvert ! "
                          "video/x-raw,format=I420 ! tee name=stee "
                          "stee. ! queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
                          "videoconvert ! video/x-raw,format=RGBA ! "
                          "appsink name=screen-sink drop=true max-buffers=1 sync=false async=false "
                          "enable-last-sample=true emit-signals=false wait-on-eos=false "
                          "stee. ! queue ! "
                          "x264enc tune=zerolatency speed-preset=veryfast bitrate=%d key-int-max=%u ! "
                          "h264parse ! splitmuxsink name=smux muxer=matroskamux "
                          "max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT,
                          source, SCREEN_FPS, SCREEN_BITRATE_KBPS,
                          SCREEN_FPS * screen_gop_seconds (self->segment_seconds),
                          (guint64) self->segment_seconds * GST_SECOND);
  bin = gst_parse_bin_from_description (desc, FALSE, error);
  if (bin == NULL)
    return NULL;

  muxer = gst_bin_get_by_name (GST_BIN (bin), "smux");
  setup_splitmux (self, muxer, start_index);

  return bin;
}

static GError *
missing_plugin_error (const GError *parse_error)
{
  return g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_MISSING_PLUGIN,
                      _("A part of GStreamer needed for recording is not installed (%s). "
                        "Ask the technician to install it."),
                      parse_error->message);
}

static gboolean
build_pipeline (EkRecorder  *self,
                GError     **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) muxer = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *camera;
  GstElement *audio;
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample_cb };
  const char *sinks[] = { "preview-sink", "face-sink" };

  desc = g_strdup_printf (
    "input-selector name=selector sync-streams=false cache-buffers=false ! tee name=vt "
    "vt. ! queue leaky=downstream max-size-buffers=0 max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT " ! "
    "  x264enc tune=zerolatency speed-preset=veryfast bitrate=%u key-int-max=%u ! "
    "  h264parse ! queue ! cmux.video "
    "vt. ! videorate drop-only=true max-rate=%d ! "
    "  queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
    "  videoscale ! videoconvert ! "
    "  video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
    "  appsink name=preview-sink drop=true max-buffers=1 sync=false async=false "
    "          enable-last-sample=false "
    "vt. ! videorate drop-only=true max-rate=%d ! "
    "  queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
    "  videoscale ! videoconvert ! "
    "  video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
    "  appsink name=face-sink drop=true max-buffers=1 sync=false async=false "
    "          enable-last-sample=false "
    "input-selector name=aselector sync-streams=false cache-buffers=false ! "
    "audioconvert name=aconv ! audioresample ! "
    "  audio/x-raw,format=S16LE,rate=48000,channels=1 ! "
    "  level interval=100000000 post-messages=true ! "
    "  opusenc bitrate=%d ! queue ! cmux.audio_0 "
    "splitmuxsink name=cmux muxer=matroskamux "
    "  max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT,
    (guint64) ENCODER_QUEUE_NS,
    self->video_bitrate_kbps, VIDEO_FPS * CAMERA_GOP_SECONDS,
    PREVIEW_FPS, PREVIEW_WIDTH, PREVIEW_HEIGHT,
    FACE_FPS, FACE_WIDTH, FACE_HEIGHT,
    AUDIO_BITRATE_KBPS * 1000,
    (guint64) self->segment_seconds * GST_SECOND);

  /* The preview alone (the device page): the same camera and microphone
   * branches up to the viewers and the level, nothing encoded or written. */
  if (self->preview_only)
    {
      g_free (desc);
      desc = g_strdup_printf (
        "input-selector name=selector sync-streams=false cache-buffers=false ! tee name=vt "
        "vt. ! videorate drop-only=true max-rate=%d ! "
        "  queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
        "  videoscale ! videoconvert ! "
        "  video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
        "  appsink name=preview-sink drop=true max-buffers=1 sync=false async=false "
        "          enable-last-sample=false "
        "vt. ! videorate drop-only=true max-rate=%d ! "
        "  queue leaky=downstream max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
        "  videoscale ! videoconvert ! "
        "  video/x-raw,format=RGBA,width=%d,height=%d,pixel-aspect-ratio=1/1 ! "
        "  appsink name=face-sink drop=true max-buffers=1 sync=false async=false "
        "          enable-last-sample=false "
        "input-selector name=aselector sync-streams=false cache-buffers=false ! "
        "audioconvert name=aconv ! audioresample ! "
        "  audio/x-raw,format=S16LE,rate=48000,channels=1 ! "
        "  level interval=100000000 post-messages=true ! fakesink sync=false async=false",
        PREVIEW_FPS, PREVIEW_WIDTH, PREVIEW_HEIGHT,
        FACE_FPS, FACE_WIDTH, FACE_HEIGHT);
    }

  pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (pipeline == NULL)
    {
      if (g_error_matches (parse_error, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT))
        g_propagate_error (error, missing_plugin_error (parse_error));
      else
        g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                     _("The recording cannot start: %s"), parse_error->message);
      return FALSE;
    }
  gst_object_ref_sink (pipeline);

  self->pipeline = g_steal_pointer (&pipeline);

  if (!self->preview_only)
    {
      muxer = gst_bin_get_by_name (GST_BIN (self->pipeline), "cmux");
      self->first_camera_index = next_free_index (self, self->camera_stream);
      self->first_screen_index = next_free_index (self, EK_SEGMENT_STREAM_SCREEN);
      g_hash_table_remove_all (self->queued);
      setup_splitmux (self, muxer, self->first_camera_index);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sinks); i++)
    {
      g_autoptr(GstElement) sink = gst_bin_get_by_name (GST_BIN (self->pipeline), sinks[i]);

      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
    }

  self->selector = gst_bin_get_by_name (GST_BIN (self->pipeline), "selector");
  /* the pipeline holds it; a borrowed pointer is enough */
  gst_object_unref (self->selector);
  {
    g_autoptr(GstPad) out = gst_element_get_static_pad (self->selector, "src");

    self->last_video_pts = GST_CLOCK_TIME_NONE;
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, on_selector_buffer_probe_cb, self, NULL);
  }

  camera = make_camera_bin (self, error);
  if (camera == NULL)
    return FALSE;
  attach_camera_bin (self, camera, TRUE);
  g_object_set (self->selector, "active-pad", self->camera_pad, NULL);

  audio = make_audio_source (self, error);
  if (audio == NULL)
    return FALSE;
  self->aselector = gst_bin_get_by_name (GST_BIN (self->pipeline), "aselector");
  /* the pipeline holds it; a borrowed pointer is enough */
  gst_object_unref (self->aselector);
  {
    g_autoptr(GstPad) out = gst_element_get_static_pad (self->aselector, "src");

    self->last_audio_pts = GST_CLOCK_TIME_NONE;
    gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER, on_audio_selector_buffer_probe_cb, self, NULL);
  }
  self->audio_pad = attach_audio_source (self, audio);
  if (self->audio_pad == NULL)
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_MICROPHONE,
                   _("The microphone cannot be opened. Check that no other program uses it."));
      return FALSE;
    }
  self->audio_source = audio;
  g_object_set (self->aselector, "active-pad", self->audio_pad, NULL);

  if (self->record_screen && !self->preview_only)
    {
      GstElement *screen = make_screen_bin (self, self->first_screen_index, &parse_error);

      if (screen == NULL)
        {
          g_propagate_error (error, missing_plugin_error (parse_error));
          return FALSE;
        }
      gst_bin_add (GST_BIN (self->pipeline), screen);
    }

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message_cb, self);

  return TRUE;
}

static void
teardown_pipeline (EkRecorder *self)
{
  self->eos_deferred = FALSE;
  g_clear_handle_id (&self->eos_defer_source, g_source_remove);
  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_clear_handle_id (&self->stop_timeout_source, g_source_remove);

  if (self->monitor != NULL)
    {
      gst_device_monitor_stop (self->monitor);
      g_clear_handle_id (&self->monitor_watch, g_source_remove);
      g_clear_object (&self->monitor);
    }

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_handle_id (&self->bus_watch, g_source_remove);
      g_clear_object (&self->camera_pad);
      g_clear_object (&self->fallback_pad);
      self->camera_bin = NULL;
      self->fallback_bin = NULL;
      self->selector = NULL;
      self->audio_source = NULL;
      self->aselector = NULL;
      self->silence = NULL;
      g_clear_object (&self->audio_pad);
      g_clear_object (&self->silence_pad);
      g_clear_object (&self->pipeline);
    }
}

/* Stopping */

/* Files the muxers opened but never reported closed: one cut by a disk error,
 * or one opened just before the end that got no data. The first is kept and
 * announced like any segment (it decodes up to the cut); an empty one goes. */
static guint
announce_leftovers (EkRecorder *self)
{
  g_autoptr(GHashTable) created = NULL;
  GHashTableIter iter;
  const char *path;
  guint n = 0;

  g_mutex_lock (&self->created_lock);
  created = g_steal_pointer (&self->created);
  self->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_mutex_unlock (&self->created_lock);

  g_hash_table_iter_init (&iter, created);
  while (g_hash_table_iter_next (&iter, (gpointer *) &path, NULL))
    {
      g_autofree char *basename = g_path_get_basename (path);
      const char *stream = g_str_has_prefix (basename, EK_SEGMENT_STREAM_SCREEN) ?
                           EK_SEGMENT_STREAM_SCREEN : self->camera_stream;
      gint64 *opened = g_hash_table_lookup (self->fragment_starts, path);
      gint64 start = opened != NULL ? *opened : 0;
      struct stat st;
      guint index;

      if (!parse_segment_name (basename, stream, &index))
        continue;

      if (g_stat (path, &st) == 0 && st.st_size == 0)
        {
          g_unlink (path);
          continue;
        }

      hash_segment (self, stream, index, path, start, start);
      n++;
    }

  return n;
}

/* The safety net under the close messages: a fragment whose close message
 * never came (a stop that timed out, a muxer cut short by an error). Every
 * non-empty file this run wrote and nobody announced yet is announced now, so
 * the outbox sees every byte recorded. */
static guint
announce_unannounced (EkRecorder *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->directory, 0, NULL);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    return 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      const char *stream = NULL;
      guint index;
      guint first;
      struct stat st;

      if (!ek_segment_parse_file_name (name, &stream, &index))
        continue;

      first = g_str_equal (stream, EK_SEGMENT_STREAM_SCREEN) ? self->first_screen_index
                                                             : self->first_camera_index;
      if (index < first)
        continue;

      path = g_build_filename (self->directory, name, NULL);
      if (g_hash_table_contains (self->queued, path) ||
          g_stat (path, &st) != 0 || st.st_size == 0)
        continue;

      g_debug ("Segment %s was not reported closed; announcing it now", name);
      hash_segment (self, stream, index, path, 0, 0);
      n++;
    }

  return n;
}

static void
maybe_finish_stop (EkRecorder *self)
{
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;
  gboolean pipeline_done;

  if (!self->stop_requested || self->pending_hashes > 0)
    return;

  pipeline_done = self->eos_seen || self->state == EK_RECORDER_STATE_FAILED;
  if (!pipeline_done)
    return;

  teardown_pipeline (self);

  if (announce_leftovers (self) + announce_unannounced (self) > 0)
    return;

  if (self->state != EK_RECORDER_STATE_FAILED)
    set_state (self, self->error != NULL ? EK_RECORDER_STATE_FAILED : EK_RECORDER_STATE_STOPPED);

  self->stop_requested = FALSE;
  waiters = g_steal_pointer (&self->stop_waiters);
  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  error = g_steal_pointer (&self->stop_error);

  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static gboolean
on_stop_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;

  self->stop_timeout_source = 0;
  g_warning ("The recording pipeline did not finish in %d s; the last segment may be cut",
             STOP_TIMEOUT_SECONDS);
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  self->eos_seen = TRUE;
  maybe_finish_stop (self);

  return G_SOURCE_REMOVE;
}

/* GObject */

static void
ek_recorder_dispose (GObject *object)
{
  EkRecorder *self = (EkRecorder *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->eos_wait_source, g_source_remove);
  /* Streaming threads stop here, so nothing touches the frame source after. */
  teardown_pipeline (self);

  if (self->frame_source != NULL)
    {
      g_source_destroy (self->frame_source);
      g_clear_pointer (&self->frame_source, g_source_unref);
    }

  G_OBJECT_CLASS (ek_recorder_parent_class)->dispose (object);
}

static void
ek_recorder_finalize (GObject *object)
{
  EkRecorder *self = (EkRecorder *)object;

  if (self->free_space_destroy != NULL)
    self->free_space_destroy (self->free_space_data);

  frame_slot_clear (&self->preview);
  frame_slot_clear (&self->face);
  g_clear_pointer (&self->fragment_starts, g_hash_table_unref);
  g_clear_pointer (&self->created, g_hash_table_unref);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_queue_clear_full (&self->hash_queue, (GDestroyNotify) hash_job_free);
  g_mutex_clear (&self->created_lock);
  g_mutex_clear (&self->video_pts_lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stop_waiters, g_ptr_array_unref);
  g_clear_error (&self->stop_error);
  g_clear_error (&self->error);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->camera_id, g_free);
  g_clear_pointer (&self->microphone_id, g_free);
  g_clear_object (&self->camera_device);

  G_OBJECT_CLASS (ek_recorder_parent_class)->finalize (object);
}

static void
ek_recorder_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkRecorder *self = EK_RECORDER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    case PROP_SOURCE:
      g_value_set_int (value, self->source);
      break;

    case PROP_VIDEO_BITRATE_KBPS:
      g_value_set_uint (value, self->video_bitrate_kbps);
      break;

    case PROP_SEGMENT_SECONDS:
      g_value_set_uint (value, self->segment_seconds);
      break;

    case PROP_RECORD_SCREEN:
      g_value_set_boolean (value, self->record_screen);
      break;

    case PROP_CAMERA_ID:
      g_value_set_string (value, self->camera_id);
      break;

    case PROP_MICROPHONE_ID:
      g_value_set_string (value, self->microphone_id);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_LEVEL_DB:
      g_value_set_double (value, self->level_db);
      break;

    case PROP_CAMERA_AVAILABLE:
      g_value_set_boolean (value, self->camera_available);
      break;

    case PROP_MICROPHONE_AVAILABLE:
      g_value_set_boolean (value, self->microphone_available);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_recorder_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkRecorder *self = EK_RECORDER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_string (value);
      break;

    case PROP_SOURCE:
      self->source = g_value_get_int (value);
      break;

    case PROP_VIDEO_BITRATE_KBPS:
      ek_recorder_set_video_bitrate_kbps (self, g_value_get_uint (value));
      break;

    case PROP_SEGMENT_SECONDS:
      ek_recorder_set_segment_seconds (self, g_value_get_uint (value));
      break;

    case PROP_RECORD_SCREEN:
      ek_recorder_set_record_screen (self, g_value_get_boolean (value));
      break;

    case PROP_CAMERA_ID:
      ek_recorder_set_camera_id (self, g_value_get_string (value));
      break;

    case PROP_MICROPHONE_ID:
      ek_recorder_set_microphone_id (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_recorder_class_init (EkRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_recorder_dispose;
  object_class->finalize = ek_recorder_finalize;
  object_class->get_property = ek_recorder_get_property;
  object_class->set_property = ek_recorder_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* An EkMediaSource; an int because the config does not register an enum type. */
  properties[PROP_SOURCE] =
    g_param_spec_int ("source", NULL, NULL,
                      EK_MEDIA_SOURCE_AUTO, EK_MEDIA_SOURCE_TEST, EK_MEDIA_SOURCE_AUTO,
                      (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_VIDEO_BITRATE_KBPS] =
    g_param_spec_uint ("video-bitrate-kbps", NULL, NULL,
                       100, 20000, DEFAULT_VIDEO_KBPS,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SEGMENT_SECONDS] =
    g_param_spec_uint ("segment-seconds", NULL, NULL,
                       1, 600, DEFAULT_SEGMENT_S,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RECORD_SCREEN] =
    g_param_spec_boolean ("record-screen", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAMERA_ID] =
    g_param_spec_string ("camera-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_MICROPHONE_ID] =
    g_param_spec_string ("microphone-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       EK_TYPE_RECORDER_STATE, EK_RECORDER_STATE_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Loudness of the microphone, RMS over the last 100 ms in dBFS (-100 to 0). */
  properties[PROP_LEVEL_DB] =
    g_param_spec_double ("level-db", NULL, NULL,
                         LEVEL_FLOOR_DB, 0.0, LEVEL_FLOOR_DB,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAMERA_AVAILABLE] =
    g_param_spec_boolean ("camera-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* FALSE while the microphone is away (silence is recorded in its place). */
  properties[PROP_MICROPHONE_AVAILABLE] =
    g_param_spec_boolean ("microphone-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL,
                        G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkRecorder::segment-ready:
   * @segment: the closed and hashed segment
   *
   * A segment file is closed for good and hashed; it may be uploaded.
   */
  signals[SEGMENT_READY] =
    g_signal_new ("segment-ready",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_SEGMENT | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[PREVIEW_FRAME] =
    g_signal_new ("preview-frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  signals[FACE_FRAME] =
    g_signal_new ("face-frame",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_VIDEO_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkRecorder::camera-lost:
   *
   * The camera vanished, failed, or delivered no picture for a few seconds
   * (ek_recorder_get_camera_stalled() tells which); a black picture is
   * recorded in its place and the audio goes on. The camera is picked up again
   * when it comes back (::camera-restored).
   */
  signals[CAMERA_LOST] =
    g_signal_new ("camera-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[CAMERA_RESTORED] =
    g_signal_new ("camera-restored",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkRecorder::microphone-lost:
   *
   * The microphone failed or vanished (a headset unplugged); silence is
   * recorded in its place and the picture goes on. It is picked up again when
   * the device monitor sees it come back (::microphone-restored).
   */
  signals[MICROPHONE_LOST] =
    g_signal_new ("microphone-lost",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  signals[MICROPHONE_RESTORED] =
    g_signal_new ("microphone-restored",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * EkRecorder::failed:
   * @error: what happened, translated, in %EK_RECORDER_ERROR
   *
   * The recording stopped, or is stopping, on its own (disk full, device or
   * pipeline failure). Closed segments are intact and still announced.
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_recorder_init (EkRecorder *self)
{
  self->video_bitrate_kbps = DEFAULT_VIDEO_KBPS;
  self->camera_stream = EK_SEGMENT_STREAM_CAMERA;
  self->segment_seconds = DEFAULT_SEGMENT_S;
  self->level_db = LEVEL_FLOOR_DB;
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->fragment_starts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&self->created_lock);
  g_mutex_init (&self->video_pts_lock);
  self->stop_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->queued = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  frame_slot_init (&self->preview);
  frame_slot_init (&self->face);

  self->frame_source = g_source_new (&frame_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->frame_source, "[ek-recorder frames]");
  g_source_set_callback (self->frame_source, on_frames_ready_cb, self, NULL);
  g_source_attach (self->frame_source, self->context);
}

/* Public API */

/**
 * ek_recorder_new:
 * @directory: the session's folder; made private (0700) at start
 * @source: real devices or test sources
 *
 * Returns: (transfer full): a recorder, idle
 */
EkRecorder *
ek_recorder_new (const char    *directory,
                 EkMediaSource  source)
{
  g_return_val_if_fail (directory != NULL && g_path_is_absolute (directory), NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  return g_object_new (EK_TYPE_RECORDER,
                       "directory", directory,
                       "source", source,
                       NULL);
}

void
ek_recorder_set_video_bitrate_kbps (EkRecorder *self,
                                    guint       kbps)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  kbps = CLAMP (kbps, 100, 20000);
  if (self->video_bitrate_kbps == kbps)
    return;

  self->video_bitrate_kbps = kbps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIDEO_BITRATE_KBPS]);
}

void
ek_recorder_set_camera_stream (EkRecorder *self,
                               const char *stream)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);
  g_return_if_fail (g_strcmp0 (stream, EK_SEGMENT_STREAM_CAMERA) == 0 ||
                    g_strcmp0 (stream, EK_SEGMENT_STREAM_ROOM_SCAN) == 0);

  self->camera_stream = g_str_equal (stream, EK_SEGMENT_STREAM_CAMERA)
                        ? EK_SEGMENT_STREAM_CAMERA : EK_SEGMENT_STREAM_ROOM_SCAN;
}

void
ek_recorder_set_segment_seconds (EkRecorder *self,
                                 guint       seconds)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  seconds = CLAMP (seconds, 1, 600);
  if (self->segment_seconds == seconds)
    return;

  self->segment_seconds = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEGMENT_SECONDS]);
}

void
ek_recorder_set_record_screen (EkRecorder *self,
                               gboolean    record_screen)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  record_screen = !!record_screen;
  if (self->record_screen == record_screen)
    return;

  self->record_screen = record_screen;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD_SCREEN]);
}

/**
 * ek_recorder_set_camera_id:
 * @id: (nullable): an id from ek_media_device_get_id(), or %NULL for the first camera
 */
void
ek_recorder_set_camera_id (EkRecorder *self,
                           const char *id)
{
  g_return_if_fail (EK_IS_RECORDER (self));

  if (g_strcmp0 (self->camera_id, id) == 0)
    return;

  g_free (self->camera_id);
  self->camera_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_ID]);
}

/**
 * ek_recorder_set_microphone_id:
 * @id: (nullable): an id from ek_media_device_get_id(), or %NULL for the first microphone
 */
void
ek_recorder_set_microphone_id (EkRecorder *self,
                               const char *id)
{
  g_return_if_fail (EK_IS_RECORDER (self));

  if (g_strcmp0 (self->microphone_id, id) == 0)
    return;

  g_free (self->microphone_id);
  self->microphone_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MICROPHONE_ID]);
}

/**
 * ek_recorder_set_free_space_func:
 * @func: (nullable): how to learn the free space, %NULL for the file system's
 *
 * @func is called from worker threads during the recording.
 */
void
ek_recorder_set_free_space_func (EkRecorder      *self,
                                 EkFreeSpaceFunc  func,
                                 gpointer         user_data,
                                 GDestroyNotify   destroy)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->pipeline == NULL);

  if (self->free_space_destroy != NULL)
    self->free_space_destroy (self->free_space_data);

  self->free_space_func = func;
  self->free_space_data = user_data;
  self->free_space_destroy = destroy;
}

/**
 * ek_recorder_get_required_bytes:
 * @duration_s: how long the exam records
 *
 * Returns: the free space the recording needs, margin included
 */
guint64
ek_recorder_get_required_bytes (EkRecorder *self,
                                guint       duration_s)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), 0);

  return (guint64) (bytes_per_second (self) * (double) duration_s * SPACE_MARGIN)
         + (guint64) DISK_RESERVE_SEGMENTS * self->segment_seconds * bytes_per_second (self)
         + DISK_RESERVE_BYTES;
}

/**
 * ek_recorder_check_space:
 * @duration_s: how long the exam records
 *
 * Returns: %TRUE if the whole exam fits on the disk, else %FALSE with
 *   %EK_RECORDER_ERROR_NO_SPACE and a message for the candidate
 */
gboolean
ek_recorder_check_space (EkRecorder  *self,
                         guint        duration_s,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *needed = NULL;
  g_autofree char *available = NULL;
  EkFreeSpaceFunc func;
  guint64 required;
  guint64 free_bytes = 0;

  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  func = self->free_space_func != NULL ? self->free_space_func : default_free_space;
  if (!func (self->directory, &free_bytes, self->free_space_data, &local_error))
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_SPACE,
                   _("The free disk space for the recording cannot be measured (%s). "
                     "Ask the technician to check the disk."),
                   local_error->message);
      return FALSE;
    }

  required = ek_recorder_get_required_bytes (self, duration_s);
  if (free_bytes >= required)
    return TRUE;

  needed = g_format_size (required);
  available = g_format_size (free_bytes);
  g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_NO_SPACE,
               _("There is not enough free disk space to record the whole exam: "
                 "%s is needed, %s is free. Ask the technician to free up space."),
               needed, available);
  return FALSE;
}

/**
 * ek_recorder_start:
 * @duration_s: how long the exam will record, for the free space check
 *
 * Checks the free space, makes the folder private and starts recording.
 * Failures later on are reported by EkRecorder::failed.
 *
 * Returns: %TRUE if the recording is starting
 */
gboolean
ek_recorder_start (EkRecorder  *self,
                   guint        duration_s,
                   GError     **error)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (self->state == EK_RECORDER_STATE_IDLE ||
                        self->state == EK_RECORDER_STATE_STOPPED ||
                        self->state == EK_RECORDER_STATE_FAILED, FALSE);

  if (!self->preview_only && !ensure_private_folder (self->directory, error))
    return FALSE;

  if (!self->preview_only && !ek_recorder_check_space (self, duration_s, error))
    return FALSE;

  g_clear_error (&self->error);
  self->eos_seen = FALSE;
  self->fragment_opened = FALSE;
  g_atomic_int_set (&self->stopping, FALSE);
  self->reserve_bytes = (guint64) DISK_RESERVE_SEGMENTS * self->segment_seconds *
                        bytes_per_second (self) + DISK_RESERVE_BYTES;

  if (!build_pipeline (self, error))
    {
      teardown_pipeline (self);
      return FALSE;
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      teardown_pipeline (self);
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FAILED,
                   _("The recording cannot start. Check that the camera and microphone are "
                     "connected and not used by another program."));
      return FALSE;
    }

  if (self->source == EK_MEDIA_SOURCE_AUTO)
    start_device_monitor (self);

  if (!self->preview_only)
    self->disk_poll_source = g_timeout_add_seconds (DISK_POLL_SECONDS, on_disk_poll_timeout_cb, self);
  self->camera_stalled = FALSE;
  self->watchdog_source = g_timeout_add (CAMERA_WATCH_MS, on_camera_watchdog_cb, self);
  set_camera_available (self, TRUE);
  set_microphone_available (self, TRUE);
  set_state (self, EK_RECORDER_STATE_STARTING);

  return TRUE;
}

/**
 * ek_recorder_stop_async:
 *
 * Closes the open segments and completes once every segment has been
 * announced with EkRecorder::segment-ready.
 */
void
ek_recorder_stop_async (EkRecorder          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_recorder_stop_async);

  /* A second stop (the caller's, after the recorder stopped itself for lack
   * of space, say) waits for the same end. */
  if (self->stop_requested)
    {
      g_ptr_array_add (self->stop_waiters, g_steal_pointer (&task));
      return;
    }

  if (self->pipeline == NULL)
    {
      if (self->error != NULL)
        g_task_return_error (task, g_error_copy (self->error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  /* A preview has nothing to close: it just ends. */
  if (self->preview_only)
    {
      teardown_pipeline (self);
      set_state (self, EK_RECORDER_STATE_STOPPED);
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->stop_requested = TRUE;
  g_ptr_array_add (self->stop_waiters, g_steal_pointer (&task));
  if (self->error != NULL && self->stop_error == NULL)
    self->stop_error = g_error_copy (self->error);

  if (self->state == EK_RECORDER_STATE_FAILED)
    {
      maybe_finish_stop (self);
      return;
    }

  set_state (self, EK_RECORDER_STATE_STOPPING);
  g_clear_handle_id (&self->disk_poll_source, g_source_remove);
  g_clear_handle_id (&self->watchdog_source, g_source_remove);
  g_atomic_int_set (&self->stopping, TRUE);
  self->stop_timeout_source = g_timeout_add_seconds (STOP_TIMEOUT_SECONDS, on_stop_timeout_cb, self);
  if (self->fragment_opened)
    {
      send_eos (self);
    }
  else
    {
      self->eos_deferred = TRUE;
      self->eos_defer_source = g_timeout_add (EOS_DEFER_MS, on_eos_defer_timeout_cb, self);
    }
}

gboolean
ek_recorder_stop_finish (EkRecorder    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
ek_recorder_get_directory (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return self->directory;
}

EkRecorderState
ek_recorder_get_state (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), EK_RECORDER_STATE_IDLE);

  return self->state;
}

double
ek_recorder_get_level_db (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), LEVEL_FLOOR_DB);

  return self->level_db;
}

gboolean
ek_recorder_get_camera_available (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return self->camera_available;
}

gboolean
ek_recorder_get_microphone_available (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return self->microphone_available;
}

/**
 * ek_recorder_get_error:
 *
 * Returns: (nullable): why the recording stopped on its own
 */
const GError *
ek_recorder_get_error (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return self->error;
}

/**
 * ek_recorder_dup_preview_frame:
 *
 * Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the newest preview frame
 */
EkVideoFrame *
ek_recorder_dup_preview_frame (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return frame_slot_dup (&self->preview, FALSE);
}

/**
 * ek_recorder_dup_face_frame:
 *
 * Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the newest face-monitor frame
 */
EkVideoFrame *
ek_recorder_dup_face_frame (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  return frame_slot_dup (&self->face, FALSE);
}

/**
 * ek_recorder_dup_screen_frame:
 *
 * The newest picture of the screen branch (about one a second), for the
 * proctor's snapshots. On the recorder's main context.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL when the screen is not
 *   recorded or nothing came yet
 */
EkVideoFrame *
ek_recorder_dup_screen_frame (EkRecorder *self)
{
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;

  g_return_val_if_fail (EK_IS_RECORDER (self), NULL);

  if (self->pipeline == NULL || !self->record_screen)
    return NULL;

  sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "screen-sink");
  if (sink == NULL)
    return NULL;
  sample = gst_base_sink_get_last_sample (GST_BASE_SINK (sink));
  if (sample == NULL)
    return NULL;

  return frame_from_sample (sample);
}

/**
 * ek_recorder_simulate_camera_loss:
 *
 * With test sources, the camera fails as a real one that is unplugged does:
 * its source reports an error and stops.
 */
void
ek_recorder_simulate_camera_loss (EkRecorder *self)
{
  g_autoptr(GstElement) src = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->camera_bin == NULL)
    return;

  src = gst_bin_get_by_name (GST_BIN (self->camera_bin), "src");
  GST_ELEMENT_ERROR (src, RESOURCE, READ, ("Simulated camera loss"), (NULL));
}

/**
 * ek_recorder_simulate_camera_return:
 *
 * With test sources, the camera comes back as a real one that is plugged in.
 */
void
ek_recorder_simulate_camera_return (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  on_camera_back (self, NULL);
}

/**
 * ek_recorder_simulate_microphone_loss:
 *
 * With test sources, the microphone fails as an unplugged headset does.
 */
void
ek_recorder_simulate_microphone_loss (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->audio_source != NULL)
    GST_ELEMENT_ERROR (self->audio_source, RESOURCE, READ, ("Simulated microphone loss"), (NULL));
}

/**
 * ek_recorder_simulate_microphone_return:
 *
 * With test sources, the microphone comes back as a headset plugged in again.
 */
void
ek_recorder_simulate_microphone_return (EkRecorder *self)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  on_microphone_back (self, NULL);
}

/**
 * ek_recorder_new_preview:
 * @source: real devices or test sources
 *
 * A recorder that only shows: the preview frames (::preview-frame, about 15 a
 * second), the face-monitor frames and the microphone level, from the camera
 * and microphone set with ek_recorder_set_camera_id() and
 * ek_recorder_set_microphone_id(). Nothing is encoded or written; no free space
 * is needed; stopping is immediate. For the device-confirm page.
 *
 * Returns: (transfer full): a recorder, idle
 */
EkRecorder *
ek_recorder_new_preview (EkMediaSource source)
{
  g_autofree char *unused = g_build_filename (g_get_tmp_dir (), "ek-preview-unused", NULL);
  EkRecorder *self = ek_recorder_new (unused, source);

  self->preview_only = TRUE;
  return self;
}

/**
 * ek_recorder_get_camera_stalled:
 *
 * Returns: %TRUE if the camera is away because it stopped delivering pictures
 *   without an error (the watchdog noticed), %FALSE if it failed or vanished, or
 *   is there
 */
gboolean
ek_recorder_get_camera_stalled (EkRecorder *self)
{
  g_return_val_if_fail (EK_IS_RECORDER (self), FALSE);

  return !self->camera_available && self->camera_stalled;
}

/**
 * ek_recorder_simulate_camera_stall:
 * @stalled: whether the test camera holds back its pictures
 *
 * With test sources, the camera stops delivering pictures without an error,
 * as a v4l2 device that hangs does, and resumes with @stalled %FALSE. The
 * camera opened again by the watchdog stays stalled until then.
 */
void
ek_recorder_simulate_camera_stall (EkRecorder *self,
                                   gboolean    stalled)
{
  g_autoptr(GstElement) valve = NULL;

  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  self->test_stalled = stalled;
  if (self->camera_bin != NULL &&
      (valve = gst_bin_get_by_name (GST_BIN (self->camera_bin), "stall")) != NULL)
    g_object_set (valve, "drop", stalled, NULL);
}

void
ek_recorder_set_test_volume (EkRecorder *self,
                             double      volume)
{
  g_return_if_fail (EK_IS_RECORDER (self));
  g_return_if_fail (self->source == EK_MEDIA_SOURCE_TEST);

  if (self->audio_source != NULL)
    g_object_set (self->audio_source, "volume", CLAMP (volume, 0.0, 1.0), NULL);
}
