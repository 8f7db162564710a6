/* ek-recorder-segments.c: EkRecorder's segment files, hashing and disk space
 *
 * Segment names and numbering, files created private, fragments followed from
 * opening to closing, each closed one hashed in a worker (one at a time, in
 * order; sealed there for the exam's public key when it has one) and announced; the sweep at the stop for any the muxer never reported;
 * the free space checked before the start and polled during the recording.
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "ek-private-files.h"
#include "ek-recorder-private.h"
#include "ek-system-info.h"

gboolean
_ek_recorder_default_free_space (const char  *directory,
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

guint64
_ek_recorder_bytes_per_second (EkRecorder *self)
{
  guint kbps = self->video_bitrate_kbps + AUDIO_BITRATE_KBPS;

  if (self->record_screen)
    kbps += SCREEN_BITRATE_KBPS;

  return (guint64) kbps * 1000 / 8;
}

const char *
_ek_recorder_stream_for_muxer (EkRecorder *self,
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

/* Likewise, a plain or a sealed segment (whose plain file is gone). */
static gboolean
parse_any_segment_name (const char *basename,
                        const char *stream,
                        guint      *index)
{
  const char *found = NULL;

  return parse_segment_name (basename, stream, index) ||
         (ek_segment_parse_sealed_file_name (basename, &found, index) &&
          g_str_equal (found, stream));
}

/* The index after the last segment of @stream already in the folder, so that a
 * recorder restarted in the same session continues the numbering. */
guint
_ek_recorder_next_free_index (EkRecorder *self,
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

      if (parse_any_segment_name (name, stream, &index) && index >= next)
        next = index + 1;
    }

  return next;
}

gboolean
_ek_recorder_ensure_private_folder (const char  *directory,
                                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  struct stat st;

  if (!ek_ensure_private_folder (directory, &local_error))
    {
      /* the helper's message names the folder, which ours already does */
      const char *reason = ek_private_files_error_reason (local_error, directory);

      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FOLDER,
                   _("The folder for the recording (%s) cannot be created: %s. "
                     "Ask the technician to check the disk."),
                   directory, reason);
      return FALSE;
    }

  if (g_stat (directory, &st) != 0 || st.st_uid != getuid ())
    {
      g_set_error (error, EK_RECORDER_ERROR, EK_RECORDER_ERROR_FOLDER,
                   _("The folder for the recording (%s) belongs to another user. "
                     "Ask the technician to check the computer's setup."),
                   directory);
      return FALSE;
    }

  return TRUE;
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

void
_ek_recorder_hash_job_free (gpointer data)
{
  HashJob *job = data;

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
    _ek_recorder_emit (self, SEGMENT_READY, segment);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("A recording segment could not be %s: %s",
               self->seal_key != NULL ? "sealed" : "hashed", error->message);

  run_next_hash (self);
  _ek_recorder_maybe_finish_stop (self);
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
  if (self->seal_key != NULL)
    ek_segment_seal_file_async (job->stream, job->index, job->path, job->start_ns, job->end_ns,
                                self->seal_key, self->cancellable, on_segment_hashed_cb,
                                g_object_ref (self));
  else
    ek_segment_hash_file_async (job->stream, job->index, job->path, job->start_ns, job->end_ns,
                                self->cancellable, on_segment_hashed_cb, g_object_ref (self));
  _ek_recorder_hash_job_free (job);
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
  _ek_recorder_set_error (self, g_error_new (EK_RECORDER_ERROR, EK_RECORDER_ERROR_DISK_FULL,
                                            _("The disk is almost full, so the recording was stopped. "
                                              "Tell the proctor at once.")));
  ek_recorder_stop_async (self, NULL, NULL, NULL);
  _ek_recorder_emit (self, FAILED, self->error);
}

gboolean
_ek_recorder_on_disk_poll_timeout_cb (gpointer user_data)
{
  EkRecorder *self = user_data;
  g_autoptr(GTask) task = NULL;
  DiskPoll *poll;

  if (self->disk_poll_busy)
    return G_SOURCE_CONTINUE;

  poll = g_new0 (DiskPoll, 1);
  g_weak_ref_init (&poll->recorder, self);
  poll->directory = g_strdup (self->directory);
  poll->func = self->free_space_func != NULL ? self->free_space_func : _ek_recorder_default_free_space;
  poll->func_data = self->free_space_data;

  /* No source object: a poll in flight must not keep the recorder alive. */
  self->disk_poll_busy = TRUE;
  task = g_task_new (NULL, self->cancellable, on_disk_polled_cb, NULL);
  g_task_set_source_tag (task, _ek_recorder_on_disk_poll_timeout_cb);
  g_task_set_task_data (task, poll, (GDestroyNotify) disk_poll_free);
  g_task_run_in_thread (task, disk_poll_thread);

  return G_SOURCE_CONTINUE;
}

static char *
on_format_location_cb (GstElement *muxer,
                       guint       fragment_id,
                       gpointer    user_data)
{
  EkRecorder *self = user_data;
  char *path = segment_path (self, _ek_recorder_stream_for_muxer (self, GST_OBJECT (muxer)), fragment_id);
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

void
_ek_recorder_setup_splitmux (EkRecorder *self,
                             GstElement *splitmux,
                             guint       start_index)
{
  g_object_set (splitmux, "start-index", start_index, NULL);
  g_signal_connect (splitmux, "format-location", G_CALLBACK (on_format_location_cb), self);
  g_signal_connect (splitmux, "sink-added", G_CALLBACK (on_sink_added_cb), NULL);
}

gboolean
_ek_recorder_fragments_still_open (EkRecorder *self)
{
  gboolean open;

  g_mutex_lock (&self->created_lock);
  open = g_hash_table_size (self->created) > 0;
  g_mutex_unlock (&self->created_lock);

  return open;
}

void
_ek_recorder_on_fragment_opened (EkRecorder         *self,
                                 GstObject          *muxer,
                                 const GstStructure *structure)
{
  const char *location = gst_structure_get_string (structure, "location");
  GstClockTime start = 0;

  if (location != NULL && gst_structure_get_clock_time (structure, "running-time", &start))
    g_hash_table_insert (self->fragment_starts, g_strdup (location),
                         g_memdup2 (&(gint64) { (gint64) start }, sizeof (gint64)));

  if (g_str_equal (_ek_recorder_stream_for_muxer (self, muxer), self->camera_stream))
    {
      self->fragment_opened = TRUE;
      if (self->eos_deferred)
        _ek_recorder_send_eos (self);
    }
}

static void
fragment_closed (EkRecorder         *self,
                 GstObject          *muxer,
                 const GstStructure *structure)
{
  const char *stream = _ek_recorder_stream_for_muxer (self, muxer);
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


/* Files the muxers opened but never reported closed: one cut by a disk error,
 * or one opened just before the end that got no data. The first is kept and
 * announced like any segment (it decodes up to the cut); an empty one goes. */
guint
_ek_recorder_announce_leftovers (EkRecorder *self)
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
guint
_ek_recorder_announce_unannounced (EkRecorder *self)
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


void
_ek_recorder_on_fragment_closed (EkRecorder         *self,
                                              GstObject          *muxer,
                                              const GstStructure *structure)
{
  fragment_closed (self, muxer, structure);
  if (self->eos_waiting && !_ek_recorder_fragments_still_open (self))
    _ek_recorder_finish_after_eos (self);
}

/* Public API */

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

  return (guint64) (_ek_recorder_bytes_per_second (self) * (double) duration_s * SPACE_MARGIN)
         + (guint64) DISK_RESERVE_SEGMENTS * self->segment_seconds * _ek_recorder_bytes_per_second (self)
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

  func = self->free_space_func != NULL ? self->free_space_func : _ek_recorder_default_free_space;
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
