/* ek-seal.c: recording files sealed for the examining body
 *
 * The layout (docs/protocol.md section 8.1):
 *
 *   "EKSEAL01"                        8 bytes, the format
 *   chunk size                        4 bytes, big-endian (65536)
 *   sealed file key                   80 bytes: crypto_box_seal of the 32-byte
 *                                     secretstream key to the exam's public key
 *   secretstream header               24 bytes
 *   chunks                            each chunk size + 17 bytes of ciphertext, the
 *                                     last one shorter (or empty) and tagged FINAL
 *
 * Every chunk carries the first 12 bytes (format and chunk size) as additional
 * data, so they cannot be changed without the first chunk failing.
 *
 * Sealing writes NAME.sealed.part, syncs it, renames it to NAME.sealed, syncs the
 * folder and only then removes the plain file: a process killed at any moment
 * leaves the plain file (sealed again on the next start; a stale .part is simply
 * overwritten) or a complete sealed file, never neither.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "ek-seal.h"
#include "ek-test-kill.h"

#define MAGIC          "EKSEAL01"
#define MAGIC_BYTES    8
#define PREAMBLE_BYTES (MAGIC_BYTES + 4)
#define SEALED_KEY_BYTES (crypto_box_SEALBYTES + crypto_secretstream_xchacha20poly1305_KEYBYTES)
#define HEADER_BYTES   (PREAMBLE_BYTES + SEALED_KEY_BYTES + \
                        crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define CIPHER_CHUNK_BYTES (EK_SEAL_CHUNK_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES)

G_DEFINE_QUARK (ek-seal-error-quark, ek_seal_error)

/* Test-hooks builds: EK_TEST_SEAL_KILL_AT=POINT[:N] (ek-test-kill.h) kills the
 * process at `chunk`, after a chunk went into the .part file, or `sealed`, after
 * the rename, before the plain file is removed. tests/test-trust.c restarts from
 * there. */
#define SEAL_KILL_AT(point) ek_test_kill_at ("EK_TEST_SEAL_KILL_AT", point)

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FAILED,
               "%s %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }

  return TRUE;
}

/* Reads up to @len bytes, fewer only at the end of the file. */
static gssize
read_full (int     fd,
           guint8 *data,
           gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = read (fd, data + got, len - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += (gsize) n;
    }

  return (gssize) got;
}

static void
sync_folder_of (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/**
 * ek_seal_init:
 *
 * Initialises libsodium; safe to call from any thread, any number of times.
 */
gboolean
ek_seal_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FAILED,
                           "libsodium cannot be initialised");
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_seal_public_key_from_base64:
 * @text: standard base64 of 32 bytes
 *
 * Returns: %TRUE and the key, or %FALSE when @text is not such a key
 */
gboolean
ek_seal_public_key_from_base64 (const char  *text,
                                guint8       key[EK_SEAL_KEY_BYTES],
                                GError     **error)
{
  g_autofree guchar *bytes = NULL;
  gsize len = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  /* g_base64_decode accepts anything; check the alphabet and the length first. */
  if (strlen (text) != 44 || text[43] != '=' || text[42] == '=' ||
      strspn (text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") != 43)
    goto bad;

  bytes = g_base64_decode (text, &len);
  if (len != EK_SEAL_KEY_BYTES)
    goto bad;

  memcpy (key, bytes, EK_SEAL_KEY_BYTES);
  return TRUE;

bad:
  g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FORMAT,
                       "not an X25519 public key (base64 of 32 bytes)");
  return FALSE;
}

void
ek_seal_make_key_pair (guint8 public_key[EK_SEAL_KEY_BYTES],
                       guint8 secret_key[EK_SEAL_KEY_BYTES])
{
  if (sodium_init () < 0)
    g_error ("libsodium cannot be initialised");
  crypto_box_keypair (public_key, secret_key);
}

static void
write_preamble (guint8 preamble[PREAMBLE_BYTES])
{
  guint32 chunk_be = GUINT32_TO_BE (EK_SEAL_CHUNK_BYTES);

  memcpy (preamble, MAGIC, MAGIC_BYTES);
  memcpy (preamble + MAGIC_BYTES, &chunk_be, 4);
}

/* Writes the header and every chunk of @in to @out; the hash and size are of
 * what was written. */
static gboolean
seal_stream (int            in,
             int            out,
             const guint8  *public_key,
             GChecksum     *checksum,
             guint64       *written,
             GCancellable  *cancellable,
             GError       **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  guint8 header[HEADER_BYTES];
  g_autofree guint8 *plain = g_malloc (EK_SEAL_CHUNK_BYTES);
  g_autofree guint8 *ahead = g_malloc (EK_SEAL_CHUNK_BYTES);
  g_autofree guint8 *cipher = g_malloc (CIPHER_CHUNK_BYTES);
  gboolean ok = FALSE;
  gssize n;

  write_preamble (header);
  crypto_secretstream_xchacha20poly1305_keygen (key);
  if (crypto_box_seal (header + PREAMBLE_BYTES, key, sizeof key, public_key) != 0 ||
      crypto_secretstream_xchacha20poly1305_init_push (&state,
                                                        header + PREAMBLE_BYTES + SEALED_KEY_BYTES,
                                                        key) != 0)
    {
      g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FAILED,
                           "the file key cannot be sealed to the exam's public key");
      goto out;
    }

  if (!write_all (out, header, sizeof header))
    goto write_failed;
  g_checksum_update (checksum, header, sizeof header);
  *written = sizeof header;

  /* A chunk is FINAL when the read after it finds the end: read one ahead. */
  n = read_full (in, plain, EK_SEAL_CHUNK_BYTES);
  while (n >= 0)
    {
      gssize next_n = 0;
      guint8 *swap;
      unsigned long long clen = 0;
      guint8 tag;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      if (n == EK_SEAL_CHUNK_BYTES)
        {
          next_n = read_full (in, ahead, EK_SEAL_CHUNK_BYTES);
          if (next_n < 0)
            break;
        }
      tag = next_n > 0 ? 0 : crypto_secretstream_xchacha20poly1305_TAG_FINAL;

      crypto_secretstream_xchacha20poly1305_push (&state, cipher, &clen, plain, (gsize) n,
                                                  header, PREAMBLE_BYTES, tag);
      if (!write_all (out, cipher, (gsize) clen))
        goto write_failed;
      g_checksum_update (checksum, cipher, (gssize) clen);
      *written += clen;
      SEAL_KILL_AT ("chunk");

      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        {
          ok = TRUE;
          goto out;
        }

      swap = plain;
      plain = ahead;
      ahead = swap;
      n = next_n;
    }

  set_errno_error (error, errno, "cannot read", "the recording segment");
  goto out;

write_failed:
  set_errno_error (error, errno, "cannot write", "the sealed segment");

out:
  sodium_memzero (key, sizeof key);
  sodium_memzero (&state, sizeof state);
  sodium_memzero (plain, EK_SEAL_CHUNK_BYTES);
  sodium_memzero (ahead, EK_SEAL_CHUNK_BYTES);
  return ok;
}

/**
 * ek_seal_bytes:
 * @plain: what to seal (a snapshot's JPEG)
 * @public_key: the exam's X25519 public key
 *
 * Seals @plain in memory into exactly the bytes ek_seal_file() would write for a
 * file of this content (so ek_seal_open_file() and tests/ek-decrypt open them).
 *
 * Returns: (transfer full): the sealed bytes, or %NULL with @error set
 */
GBytes *
ek_seal_bytes (GBytes        *plain,
               const guint8   public_key[EK_SEAL_KEY_BYTES],
               GError       **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (plain, &len);
  gsize n_chunks = len == 0 ? 1 : (len + EK_SEAL_CHUNK_BYTES - 1) / EK_SEAL_CHUNK_BYTES;
  gsize out_len = HEADER_BYTES + len + n_chunks * crypto_secretstream_xchacha20poly1305_ABYTES;
  guint8 *out = g_malloc (out_len);
  guint8 *at = out + HEADER_BYTES;

  write_preamble (out);
  crypto_secretstream_xchacha20poly1305_keygen (key);
  if (crypto_box_seal (out + PREAMBLE_BYTES, key, sizeof key, public_key) != 0 ||
      crypto_secretstream_xchacha20poly1305_init_push (&state,
                                                        out + PREAMBLE_BYTES + SEALED_KEY_BYTES,
                                                        key) != 0)
    {
      sodium_memzero (key, sizeof key);
      g_free (out);
      g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FAILED,
                           "the key cannot be sealed to the exam's public key");
      return NULL;
    }

  for (gsize i = 0; i < n_chunks; i++)
    {
      gsize offset = i * EK_SEAL_CHUNK_BYTES;
      gsize n = MIN (EK_SEAL_CHUNK_BYTES, len - offset);
      unsigned long long clen = 0;
      guint8 tag = i + 1 == n_chunks ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;

      crypto_secretstream_xchacha20poly1305_push (&state, at, &clen, data + offset, n,
                                                  out, PREAMBLE_BYTES, tag);
      at += clen;
    }
  g_assert ((gsize) (at - out) == out_len);

  sodium_memzero (key, sizeof key);
  sodium_memzero (&state, sizeof state);
  return g_bytes_new_take (out, out_len);
}

/**
 * ek_seal_file:
 * @plain_path: the closed plain file
 * @sealed_path: where the sealed file goes (its .part is written first)
 * @public_key: the exam's X25519 public key
 * @sealed_size: (out): the sealed file's size
 * @sha256_hex: (out): the SHA-256 of the sealed file, lowercase hex
 *
 * Seals @plain_path into @sealed_path, syncs it and removes @plain_path. The plain
 * file is removed only once the sealed one is complete on the disk. Blocks.
 */
gboolean
ek_seal_file (const char    *plain_path,
              const char    *sealed_path,
              const guint8   public_key[EK_SEAL_KEY_BYTES],
              guint64       *sealed_size,
              char         **sha256_hex,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *part = g_strconcat (sealed_path, ".part", NULL);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint64 written = 0;
  int in = -1;
  int out = -1;

  g_return_val_if_fail (plain_path != NULL && sealed_path != NULL, FALSE);

  if (!ek_seal_init (error))
    return FALSE;

  in = g_open (plain_path, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    return set_errno_error (error, errno, "cannot open", plain_path);

  out = g_open (part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0)
    {
      int saved_errno = errno;

      close (in);
      return set_errno_error (error, saved_errno, "cannot create", part);
    }

  if (!seal_stream (in, out, public_key, checksum, &written, cancellable, error))
    goto failed;

  if (fsync (out) != 0)
    {
      set_errno_error (error, errno, "cannot sync", part);
      goto failed;
    }
  close (out);
  close (in);

  if (g_rename (part, sealed_path) != 0)
    {
      int saved_errno = errno;

      g_unlink (part);
      return set_errno_error (error, saved_errno, "cannot rename", part);
    }
  /* The rename must be on the disk before the plain file goes. */
  sync_folder_of (sealed_path);
  SEAL_KILL_AT ("sealed");

  if (g_unlink (plain_path) != 0 && errno != ENOENT)
    g_warning ("The plain recording segment %s cannot be removed: %s",
               plain_path, g_strerror (errno));

  *sealed_size = written;
  *sha256_hex = g_strdup (g_checksum_get_string (checksum));
  return TRUE;

failed:
  close (out);
  close (in);
  g_unlink (part);
  return FALSE;
}

static gboolean
open_header (int           in,
             const guint8 *public_key,
             const guint8 *secret_key,
             guint8        preamble[PREAMBLE_BYTES],
             crypto_secretstream_xchacha20poly1305_state *state,
             GError      **error)
{
  guint8 header[HEADER_BYTES];
  guint8 expected[PREAMBLE_BYTES];
  guint8 key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  gboolean ok;

  write_preamble (expected);
  if (read_full (in, header, sizeof header) != sizeof header ||
      memcmp (header, expected, PREAMBLE_BYTES) != 0)
    {
      g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_FORMAT,
                           "not a sealed recording file (format EKSEAL01, 64 KiB chunks)");
      return FALSE;
    }
  memcpy (preamble, header, PREAMBLE_BYTES);

  if (crypto_box_seal_open (key, header + PREAMBLE_BYTES, SEALED_KEY_BYTES,
                            public_key, secret_key) != 0)
    {
      g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_KEY,
                           "this private key does not open the file");
      return FALSE;
    }

  ok = crypto_secretstream_xchacha20poly1305_init_pull (state,
                                                        header + PREAMBLE_BYTES + SEALED_KEY_BYTES,
                                                        key) == 0;
  sodium_memzero (key, sizeof key);
  if (!ok)
    g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_CORRUPT,
                         "the stream header is damaged");
  return ok;
}

/* Writes every authentic chunk of @in to @out, up to the FINAL one. */
static gboolean
open_chunks (int           in,
             int           out,
             const guint8 *preamble,
             crypto_secretstream_xchacha20poly1305_state *state,
             guint64      *plain_size,
             GError      **error)
{
  g_autofree guint8 *cipher = g_malloc (CIPHER_CHUNK_BYTES);
  g_autofree guint8 *plain = g_malloc (EK_SEAL_CHUNK_BYTES);
  guint64 chunks = 0;

  for (;;)
    {
      unsigned long long mlen = 0;
      guint8 tag = 0;
      gssize n = read_full (in, cipher, CIPHER_CHUNK_BYTES);

      if (n < 0)
        return set_errno_error (error, errno, "cannot read", "the sealed file");
      if (n < crypto_secretstream_xchacha20poly1305_ABYTES)
        {
          g_set_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_TRUNCATED,
                       "the file is cut short after %" G_GUINT64_FORMAT " whole chunks "
                       "(%" G_GUINT64_FORMAT " bytes opened)", chunks, *plain_size);
          return FALSE;
        }

      if (crypto_secretstream_xchacha20poly1305_pull (state, plain, &mlen, &tag, cipher,
                                                      (gsize) n, preamble, PREAMBLE_BYTES) != 0)
        {
          /* A short last piece is a cut, not damage: the chunk was never completed. */
          g_set_error (error, EK_SEAL_ERROR,
                       n < CIPHER_CHUNK_BYTES ? EK_SEAL_ERROR_TRUNCATED : EK_SEAL_ERROR_CORRUPT,
                       "chunk %" G_GUINT64_FORMAT " %s (%" G_GUINT64_FORMAT " bytes opened)",
                       chunks,
                       n < CIPHER_CHUNK_BYTES ? "is cut short or damaged" : "is damaged",
                       *plain_size);
          return FALSE;
        }

      if (!write_all (out, plain, (gsize) mlen))
        return set_errno_error (error, errno, "cannot write", "the opened file");
      *plain_size += mlen;
      chunks++;

      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        {
          if (read_full (in, cipher, 1) != 0)
            {
              g_set_error_literal (error, EK_SEAL_ERROR, EK_SEAL_ERROR_CORRUPT,
                                   "bytes follow the final chunk");
              return FALSE;
            }
          return TRUE;
        }
      if (n < CIPHER_CHUNK_BYTES)
        {
          g_set_error (error, EK_SEAL_ERROR, EK_SEAL_ERROR_TRUNCATED,
                       "the file is cut short after %" G_GUINT64_FORMAT " whole chunks "
                       "(%" G_GUINT64_FORMAT " bytes opened)", chunks, *plain_size);
          return FALSE;
        }
    }
}

/**
 * ek_seal_open_file:
 * @sealed_path: a sealed file
 * @plain_path: where its content goes (made 0600, replaced if there)
 * @public_key: the examining body's public key
 * @secret_key: its private key
 * @plain_size: (out) (optional): how many bytes were opened
 *
 * Opens a sealed file. A file cut short still gives every whole chunk before the
 * cut in @plain_path, with %EK_SEAL_ERROR_TRUNCATED; a wrong key gives
 * %EK_SEAL_ERROR_KEY and writes nothing. Blocks.
 */
gboolean
ek_seal_open_file (const char    *sealed_path,
                   const char    *plain_path,
                   const guint8   public_key[EK_SEAL_KEY_BYTES],
                   const guint8   secret_key[EK_SEAL_KEY_BYTES],
                   guint64       *plain_size,
                   GError       **error)
{
  crypto_secretstream_xchacha20poly1305_state state;
  guint8 preamble[PREAMBLE_BYTES];
  guint64 size = 0;
  gboolean ok;
  int in;
  int out;

  if (!ek_seal_init (error))
    return FALSE;

  in = g_open (sealed_path, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    return set_errno_error (error, errno, "cannot open", sealed_path);

  if (!open_header (in, public_key, secret_key, preamble, &state, error))
    {
      close (in);
      return FALSE;
    }

  out = g_open (plain_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0)
    {
      int saved_errno = errno;

      close (in);
      return set_errno_error (error, saved_errno, "cannot create", plain_path);
    }

  ok = open_chunks (in, out, preamble, &state, &size, error);
  sodium_memzero (&state, sizeof state);
  close (in);
  close (out);
  if (plain_size != NULL)
    *plain_size = size;
  return ok;
}
