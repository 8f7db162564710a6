/* ek-tus-checksum.c: the checksum extension's per-chunk SHA-256
 *
 * With the checksum extension the SHA-256 of each chunk is computed in a worker
 * thread, the next chunk's while the current one is on the wire, so hashing costs
 * no wall time on a fast link. It uses OpenSSL's SHA-256 (SHA-NI/AVX2 where the CPU
 * has them, about 1.2 GB/s here): GChecksum's portable C runs at a tenth of that,
 * which on a two-core kiosk took CPU from the upload itself. A server without the
 * extension never gets here.
 */

#include "config.h"

#include "ek-tus-client-private.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>

#define HASH_BUFFER_SIZE   (256 * 1024)

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
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  g_autofree guint8 *buffer = g_malloc (HASH_BUFFER_SIZE);
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  guint64 done = 0;
  int fd;

  if (ctx == NULL || !EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL))
    {
      EVP_MD_CTX_free (ctx);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "SHA-256 is not available");
      return;
    }

  fd = g_open (job->path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      EVP_MD_CTX_free (ctx);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "%s", g_strerror (saved_errno));
      return;
    }

  while (done < job->length)
    {
      gssize n = pread (fd, buffer, MIN (HASH_BUFFER_SIZE, job->length - done),
                        (off_t) (job->offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = errno;

          close (fd);
          EVP_MD_CTX_free (ctx);
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                                   n == 0 ? "the file is shorter than announced" : g_strerror (saved_errno));
          return;
        }
      EVP_DigestUpdate (ctx, buffer, n);
      done += n;

      if (g_task_return_error_if_cancelled (task))
        {
          close (fd);
          EVP_MD_CTX_free (ctx);
          return;
        }
    }
  close (fd);

  EVP_DigestFinal_ex (ctx, digest, &digest_len);
  EVP_MD_CTX_free (ctx);
  g_task_return_pointer (task, g_base64_encode (digest, digest_len), g_free);
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

