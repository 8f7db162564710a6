/* ek-integrity.h: the client integrity header (docs/protocol.md section 1.2)
 *
 * Every request to the exam server says which build of the kiosk sends it: the
 * SHA-256 of the running executable (/proc/self/exe, hashed once per process in a
 * thread) and, within a session, the hash of the exam policy the kiosk applies, both
 * bound to the session's nonce by an HMAC with the session's key, in the spirit of
 * Safe Exam Browser's browser-exam-key and config-key headers. The key is a secret:
 * it never goes to a log, a file or a command line (the Secret Service keeps it).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_INTEGRITY_HEADER      "EK-Integrity"
#define EK_INTEGRITY_KEY_BYTES   32
#define EK_INTEGRITY_NONCE_MAX   128

void        ek_integrity_self_hash_async   (GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
const char *ek_integrity_self_hash_finish  (GAsyncResult         *result,
                                            GError              **error);
const char *ek_integrity_get_self_hash     (void);

char       *ek_integrity_hash_file         (const char           *path,
                                            GCancellable         *cancellable,
                                            GError              **error);
char       *ek_integrity_policy_hash       (JsonObject           *exam);
gboolean    ek_integrity_nonce_is_valid    (const char           *nonce);
char       *ek_integrity_header_value      (const char           *exe_hash,
                                            const char           *policy_hash,
                                            const char           *nonce,
                                            GBytes               *key,
                                            const char           *method,
                                            const char           *path);
char       *ek_integrity_mac               (GBytes               *key,
                                            const char           *nonce,
                                            const char           *exe_hash,
                                            const char           *policy_hash,
                                            const char           *method,
                                            const char           *path);

G_END_DECLS
