/* ek-tus-checksum.c: the checksum extension's per-chunk SHA-256
 *
 * With the checksum extension the SHA-256 of each chunk is computed in a worker
 * thread, the next chunk's while the current one is on the wire, so hashing costs
 * no wall time on a fast link (ek-upload-hash.h). A server without the extension
 * never gets here.
 */

#include "config.h"

#include "ek-tus-client-private.h"

#include "ek-upload-hash.h"

typedef struct
{
  char    *path;
  guint64  offset;
  guint64  length;
} SumJob;

void
_ek_tus_chunk_sum_free (gpointer data)
{
  ChunkSum *sum = data;

  g_free (sum->base64);
  g_free (sum);
}

static void
sum_job_free (gpointer data)
{
  SumJob *job = data;

  g_free (job->path);
  g_free (job);
}

/* Checksums, in a worker thread */

static void
compute_sum_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SumJob *job = task_data;
  guint8 digest[EK_UPLOAD_SHA256_LENGTH];
  GError *error = NULL;

  if (!ek_upload_sha256_range (job->path, job->offset, job->length, cancellable, digest, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_base64_encode (digest, sizeof digest), g_free);
}

ChunkSum *
_ek_tus_find_sum (Upload  *up,
                  guint64  offset,
                  guint64  length)
{
  for (guint i = 0; i < up->sums->len; i++)
    {
      ChunkSum *sum = g_ptr_array_index (up->sums, i);

      if (sum->offset == offset && sum->length == length)
        return sum;
    }
  return NULL;
}

static void
on_sum_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Upload *up = g_task_get_task_data (task);
  SumJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *base64 = NULL;
  ChunkSum *sum;

  base64 = g_task_propagate_pointer (G_TASK (result), &error);

  sum = _ek_tus_find_sum (up, job->offset, job->length);
  if (sum == NULL || !sum->running)
    return;   /* forgotten meanwhile: the upload moved elsewhere */

  sum->running = FALSE;
  if (base64 == NULL)
    {
      g_ptr_array_remove (up->sums, sum);
      /* A failed look-ahead is simply asked for again when its chunk is due. */
      if (!up->waiting_for_sum)
        return;
      up->waiting_for_sum = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ek_tus_client_upload_step (task);
      else
        g_task_return_error (task, _ek_tus_client_file_error (up->path, error->message));
      return;
    }

  sum->base64 = g_steal_pointer (&base64);
  if (up->waiting_for_sum)
    {
      up->waiting_for_sum = FALSE;
      _ek_tus_client_upload_step (task);
    }
}

ChunkSum *
_ek_tus_want_sum (GTask   *task,
                  guint64  offset,
                  guint64  length)
{
  Upload *up = g_task_get_task_data (task);
  g_autoptr(GTask) sum_task = NULL;
  ChunkSum *sum = _ek_tus_find_sum (up, offset, length);
  SumJob *job;

  if (sum != NULL)
    return sum;

  /* Only the chunks ahead of the server's offset can still be needed. */
  for (guint i = up->sums->len; i > 0; i--)
    {
      ChunkSum *old = g_ptr_array_index (up->sums, i - 1);

      if (old->offset < up->offset)
        g_ptr_array_remove_index (up->sums, i - 1);
    }
  while (up->sums->len >= 3)
    g_ptr_array_remove_index (up->sums, 0);

  sum = g_new0 (ChunkSum, 1);
  sum->offset = offset;
  sum->length = length;
  sum->running = TRUE;
  g_ptr_array_add (up->sums, sum);

  job = g_new0 (SumJob, 1);
  job->path = g_strdup (up->path);
  job->offset = offset;
  job->length = length;

  sum_task = g_task_new (g_task_get_source_object (task), g_task_get_cancellable (task),
                         on_sum_done_cb, g_object_ref (task));
  g_task_set_source_tag (sum_task, _ek_tus_want_sum);
  g_task_set_name (sum_task, "[ek-tus-client] chunk checksum");
  g_task_set_task_data (sum_task, job, sum_job_free);
  g_task_run_in_thread (sum_task, compute_sum_thread);

  return sum;
}

