/* ek-seal.h: recording files sealed for the examining body
 *
 * A sealed file can be opened only with the examining body's X25519 private key:
 * a fresh random key per file, sealed to the exam's public key (libsodium's
 * crypto_box_seal), encrypts the content in chunks of 64 KiB with
 * crypto_secretstream_xchacha20poly1305, the last chunk tagged FINAL. Each chunk is
 * authenticated on its own and in order, so a file cut anywhere still opens up to
 * its last whole chunk, and a cut is told apart from the end. The format is
 * docs/protocol.md section 8.1.
 *
 * Everything here blocks: call it from a worker thread.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_SEAL_KEY_BYTES       32
#define EK_SEAL_CHUNK_BYTES     65536
/* A sealed file's name: the plain file's name with this suffix. */
#define EK_SEAL_SUFFIX          ".sealed"
/* Where a sealed file is written before it is complete; never read. */
#define EK_SEAL_PART_SUFFIX     ".sealed.part"

#define EK_SEAL_ERROR (ek_seal_error_quark ())

typedef enum
{
  EK_SEAL_ERROR_FAILED,      /* an I/O or library failure */
  EK_SEAL_ERROR_FORMAT,      /* not a sealed file, or a header this version does not read */
  EK_SEAL_ERROR_KEY,         /* the private key does not open the file */
  EK_SEAL_ERROR_CORRUPT,     /* a chunk fails its authentication */
  EK_SEAL_ERROR_TRUNCATED,   /* the file ends before its final chunk */
} EkSealError;

GQuark    ek_seal_error_quark          (void);

gboolean  ek_seal_init                 (GError       **error);

gboolean  ek_seal_public_key_from_base64 (const char  *text,
                                         guint8       key[EK_SEAL_KEY_BYTES],
                                         GError     **error);

void      ek_seal_make_key_pair        (guint8        public_key[EK_SEAL_KEY_BYTES],
                                        guint8        secret_key[EK_SEAL_KEY_BYTES]);

gboolean  ek_seal_file                 (const char    *plain_path,
                                        const char    *sealed_path,
                                        const guint8   public_key[EK_SEAL_KEY_BYTES],
                                        guint64       *sealed_size,
                                        char         **sha256_hex,
                                        GCancellable  *cancellable,
                                        GError       **error);

GBytes   *ek_seal_bytes                (GBytes        *plain,
                                        const guint8   public_key[EK_SEAL_KEY_BYTES],
                                        GError       **error);

gboolean  ek_seal_open_file            (const char    *sealed_path,
                                        const char    *plain_path,
                                        const guint8   public_key[EK_SEAL_KEY_BYTES],
                                        const guint8   secret_key[EK_SEAL_KEY_BYTES],
                                        guint64       *plain_size,
                                        GError       **error);

G_END_DECLS
