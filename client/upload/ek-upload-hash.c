/* ek-upload-hash.c: SHA-256 of a part of a file, for the upload's worker threads */

#include "config.h"

#include "ek-upload-hash.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>

#define HASH_BUFFER_SIZE (256 * 1024)

/**
 * ek_upload_sha256_range:
 * @path: the file
 * @offset: where the bytes to hash start
 * @length: how many bytes to hash; a file that ends before is an error
 * @cancellable: (nullable): checked between reads
 * @digest: (out caller-allocates): the SHA-256
 * @error: a #GIOError (cancelled, unreadable, shorter than announced)
 *
 * Blocks: for worker threads only.
 *
 * Returns: %TRUE with @digest set
 */
gboolean
ek_upload_sha256_range (const char    *path,
                        guint64        offset,
                        guint64        length,
                        GCancellable  *cancellable,
                        guint8         digest[EK_UPLOAD_SHA256_LENGTH],
                        GError       **error)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  g_autofree guint8 *buffer = g_malloc (HASH_BUFFER_SIZE);
  unsigned int digest_len = 0;
  gboolean ok = FALSE;
  guint64 done = 0;
  int fd = -1;

  if (ctx == NULL || !EVP_DigestInit_ex (ctx, EVP_sha256 (), NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SHA-256 is not available");
      goto out;
    }

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "%s", g_strerror (saved_errno));
      goto out;
    }

  while (done < length)
    {
      gssize n = pread (fd, buffer, MIN (HASH_BUFFER_SIZE, length - done),
                        (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                       n == 0 ? "the file is shorter than announced" : g_strerror (saved_errno));
          goto out;
        }
      EVP_DigestUpdate (ctx, buffer, n);
      done += n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
    }

  ok = EVP_DigestFinal_ex (ctx, digest, &digest_len) && digest_len == EK_UPLOAD_SHA256_LENGTH;
  if (!ok)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SHA-256 failed");

out:
  if (fd >= 0)
    close (fd);
  EVP_MD_CTX_free (ctx);
  return ok;
}
