/* ek-sealed-package.h: the sealed questions package (docs/protocol.md section 6.1)
 *
 * The exam's questions, every phase, encrypted with AES-256-GCM (OpenSSL) under a key
 * the server releases only at check-in: fetched ahead of time and checked against the
 * hash in the exam definition, so a network that drops at the start cannot stall the
 * candidate, and opened one phase at a time, at the phase's start in server time.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_SEALED_ERROR (ek_sealed_error_quark ())

typedef enum
{
  EK_SEALED_ERROR_HASH,        /* the package is not the one the exam names */
  EK_SEALED_ERROR_KEY,         /* the key does not open it */
  EK_SEALED_ERROR_FORMAT,      /* opened, but not a package of this exam */
} EkSealedError;

#define EK_SEALED_MAGIC      "EKQ1"
#define EK_SEALED_KEY_BYTES  32
#define EK_SEALED_IV_BYTES   12
#define EK_SEALED_TAG_BYTES  16

GQuark      ek_sealed_error_quark        (void);
gboolean    ek_sealed_package_check      (GBytes      *package,
                                          const char  *sha256,
                                          gint64       size,
                                          GError     **error);
JsonArray  *ek_sealed_package_open_phase (GBytes      *package,
                                          const char  *key_b64,
                                          const char  *exam_id,
                                          const char  *phase_id,
                                          GError     **error);

G_END_DECLS
