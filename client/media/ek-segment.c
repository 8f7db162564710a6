/* ek-segment.c: one closed, hashed recording segment */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ek-seal.h"
#include "ek-segment.h"

struct _EkSegment
{
  gatomicrefcount  ref_count;

  char            *stream;
  guint            index;       /* 0-based, continuous per stream within a session */
  char            *path;        /* absolute */
  guint64          size;        /* bytes, as hashed */
  char            *sha256;      /* 64 lowercase hex digits */
  gint64           start_ns;    /* running time of the first buffer */
  gint64           end_ns;      /* running time after the last buffer */
};

G_DEFINE_BOXED_TYPE (EkSegment, ek_segment, ek_segment_ref, ek_segment_unref)

gboolean
ek_segment_stream_is_valid (const char *stream)
{
  return g_strcmp0 (stream, EK_SEGMENT_STREAM_CAMERA) == 0 ||
         g_strcmp0 (stream, EK_SEGMENT_STREAM_SCREEN) == 0 ||
         g_strcmp0 (stream, EK_SEGMENT_STREAM_ROOM_SCAN) == 0;
}

/**
 * ek_segment_new:
 * @stream: one of the EK_SEGMENT_STREAM_* names
 * @index: position of the segment in its stream, from 0
 * @path: absolute path of the closed file
 * @size: its size in bytes
 * @sha256_hex: SHA-256 of its content, lowercase hex
 * @start_ns: running time where the segment starts
 * @end_ns: running time where it ends (>= @start_ns)
 *
 * Returns: (transfer full): a new segment
 */
EkSegment *
ek_segment_new (const char *stream,
                guint       index,
                const char *path,
                guint64     size,
                const char *sha256_hex,
                gint64      start_ns,
                gint64      end_ns)
{
  EkSegment *self;

  g_return_val_if_fail (ek_segment_stream_is_valid (stream), NULL);
  g_return_val_if_fail (path != NULL && g_path_is_absolute (path), NULL);
  g_return_val_if_fail (sha256_hex != NULL && strlen (sha256_hex) == 64, NULL);
  g_return_val_if_fail (end_ns >= start_ns, NULL);

  self = g_new0 (EkSegment, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->stream = g_strdup (stream);
  self->index = index;
  self->path = g_strdup (path);
  self->size = size;
  self->sha256 = g_ascii_strdown (sha256_hex, -1);
  self->start_ns = start_ns;
  self->end_ns = end_ns;

  return self;
}

EkSegment *
ek_segment_ref (EkSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
ek_segment_unref (EkSegment *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->stream);
      g_free (self->path);
      g_free (self->sha256);
      g_free (self);
    }
}

const char *
ek_segment_get_stream (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->stream;
}

guint
ek_segment_get_index (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->index;
}

const char *
ek_segment_get_path (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->path;
}

guint64
ek_segment_get_size (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->size;
}

const char *
ek_segment_get_sha256 (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->sha256;
}

gint64
ek_segment_get_start_ns (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->start_ns;
}

gint64
ek_segment_get_end_ns (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->end_ns;
}

gint64
ek_segment_get_duration_ns (const EkSegment *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->end_ns - self->start_ns;
}

char *
ek_segment_make_file_name (const char *stream,
                           guint       index)
{
  g_return_val_if_fail (ek_segment_stream_is_valid (stream), NULL);

  return g_strdup_printf ("%s-%05u.mkv", stream, index);
}

/**
 * ek_segment_parse_file_name:
 * @basename: a file name without folder
 * @stream: (out) (transfer none): the stream, one of the EK_SEGMENT_STREAM_* strings
 * @index: (out): the index
 *
 * Returns: %TRUE if @basename is a segment file name
 */
gboolean
ek_segment_parse_file_name (const char  *basename,
                            const char **stream,
                            guint       *index)
{
  static const char * const streams[] = {
    EK_SEGMENT_STREAM_CAMERA, EK_SEGMENT_STREAM_SCREEN, EK_SEGMENT_STREAM_ROOM_SCAN,
  };

  g_return_val_if_fail (basename != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      gsize len = strlen (streams[i]);
      const char *digits = basename + len + 1;
      char *end = NULL;
      guint64 value;

      if (strncmp (basename, streams[i], len) != 0 || basename[len] != '-' ||
          !g_ascii_isdigit (*digits))
        continue;

      value = g_ascii_strtoull (digits, &end, 10);
      if (g_strcmp0 (end, ".mkv") != 0 || value > G_MAXUINT)
        return FALSE;

      if (stream != NULL)
        *stream = streams[i];
      if (index != NULL)
        *index = (guint) value;
      return TRUE;
    }

  return FALSE;
}

char *
ek_segment_make_sealed_file_name (const char *stream,
                                  guint       index)
{
  g_autofree char *plain = ek_segment_make_file_name (stream, index);

  return g_strconcat (plain, EK_SEAL_SUFFIX, NULL);
}

/**
 * ek_segment_parse_sealed_file_name:
 * @basename: a file name without folder
 * @stream: (out) (transfer none): the stream
 * @index: (out): the index
 *
 * Returns: %TRUE if @basename is a sealed segment's name (STREAM-NNNNN.mkv.sealed)
 */
gboolean
ek_segment_parse_sealed_file_name (const char  *basename,
                                   const char **stream,
                                   guint       *index)
{
  g_autofree char *plain = NULL;

  g_return_val_if_fail (basename != NULL, FALSE);

  if (!g_str_has_suffix (basename, EK_SEAL_SUFFIX))
    return FALSE;

  plain = g_strndup (basename, strlen (basename) - strlen (EK_SEAL_SUFFIX));
  return ek_segment_parse_file_name (plain, stream, index);
}

typedef struct
{
  char   *stream;
  guint   index;
  char   *path;
  gint64  start_ns;
  gint64  end_ns;
  GBytes *public_key;  /* nullable: hash only */
} HashData;

static void
hash_data_free (HashData *data)
{
  g_free (data->stream);
  g_free (data->path);
  g_clear_pointer (&data->public_key, g_bytes_unref);
  g_free (data);
}

static void
hash_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  HashData *data = task_data;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (64 * 1024);
  guint64 size = 0;
  int saved_errno;
  int fd;

  fd = g_open (data->path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    goto failed;

  /* The outbox keeps this hash as the truth about the file: make sure the
   * bytes hashed are the bytes a power cut leaves on the disk. */
  fsync (fd);

  for (;;)
    {
      gssize n = read (fd, buffer, 64 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          close (fd);
          errno = saved_errno;
          goto failed;
        }
      if (n == 0)
        break;

      if (g_task_return_error_if_cancelled (task))
        {
          close (fd);
          return;
        }

      g_checksum_update (checksum, buffer, n);
      size += n;
    }

  close (fd);

  g_task_return_pointer (task,
                         ek_segment_new (data->stream, data->index, data->path, size,
                                         g_checksum_get_string (checksum),
                                         data->start_ns, MAX (data->start_ns, data->end_ns)),
                         (GDestroyNotify) ek_segment_unref);
  return;

failed:
  saved_errno = errno;
  g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "%s: %s", data->path, g_strerror (saved_errno));
}

void
ek_segment_hash_file_async (const char          *stream,
                            guint                index,
                            const char          *path,
                            gint64               start_ns,
                            gint64               end_ns,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HashData *data;

  g_return_if_fail (ek_segment_stream_is_valid (stream));
  g_return_if_fail (path != NULL && g_path_is_absolute (path));

  data = g_new0 (HashData, 1);
  data->stream = g_strdup (stream);
  data->index = index;
  data->path = g_strdup (path);
  data->start_ns = start_ns;
  data->end_ns = end_ns;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_segment_hash_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) hash_data_free);
  g_task_run_in_thread (task, hash_file_thread);
}

static void
seal_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  HashData *data = task_data;
  g_autofree char *sealed_path = g_strconcat (data->path, EK_SEAL_SUFFIX, NULL);
  g_autofree char *sha256 = NULL;
  GError *error = NULL;
  guint64 size = 0;

  if (!ek_seal_file (data->path, sealed_path, g_bytes_get_data (data->public_key, NULL),
                     &size, &sha256, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task,
                         ek_segment_new (data->stream, data->index, sealed_path, size, sha256,
                                         data->start_ns, MAX (data->start_ns, data->end_ns)),
                         (GDestroyNotify) ek_segment_unref);
}

/**
 * ek_segment_seal_file_async:
 * @path: the closed plain segment
 * @public_key: the exam's X25519 public key, 32 bytes
 *
 * Seals @path into @path.sealed (ek_seal_file()) in a worker thread; the plain
 * file is removed once the sealed one is complete on the disk. Finish with
 * ek_segment_hash_file_finish(): the segment is the sealed file, its size and
 * SHA-256 those of the ciphertext.
 */
void
ek_segment_seal_file_async (const char          *stream,
                            guint                index,
                            const char          *path,
                            gint64               start_ns,
                            gint64               end_ns,
                            GBytes              *public_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HashData *data;

  g_return_if_fail (ek_segment_stream_is_valid (stream));
  g_return_if_fail (path != NULL && g_path_is_absolute (path));
  g_return_if_fail (public_key != NULL && g_bytes_get_size (public_key) == EK_SEAL_KEY_BYTES);

  data = g_new0 (HashData, 1);
  data->stream = g_strdup (stream);
  data->index = index;
  data->path = g_strdup (path);
  data->start_ns = start_ns;
  data->end_ns = end_ns;
  data->public_key = g_bytes_ref (public_key);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_segment_hash_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) hash_data_free);
  g_task_run_in_thread (task, seal_file_thread);
}

/**
 * ek_segment_hash_file_finish:
 *
 * Returns: (transfer full): the segment, or %NULL with @error set
 */
EkSegment *
ek_segment_hash_file_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
