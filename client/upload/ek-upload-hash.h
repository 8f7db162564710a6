/* ek-upload-hash.h: SHA-256 of a part of a file, for the upload's worker threads
 *
 * The tus client hashes each chunk for the checksum extension; the outbox hashes a
 * whole segment again before it sends it anew. Both run in a worker thread and use
 * OpenSSL's SHA-256 (SHA-NI/AVX2 where the CPU has them, about 1.2 GB/s here, ten
 * times GChecksum's portable C, which on a two-core kiosk took CPU from the upload).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_UPLOAD_SHA256_LENGTH 32

gboolean ek_upload_sha256_range (const char    *path,
                                 guint64        offset,
                                 guint64        length,
                                 GCancellable  *cancellable,
                                 guint8         digest[EK_UPLOAD_SHA256_LENGTH],
                                 GError       **error);

G_END_DECLS
