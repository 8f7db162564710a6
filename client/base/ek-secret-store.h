/* ek-secret-store.h: the session token in the Secret Service
 *
 * The token is the candidate's key to their exam session. It lives only in the
 * Secret Service (never a file, a log or a command line), so that a client that
 * crashed finds it again and re-enters the same session. Further secrets of the
 * session (the integrity key, the questions' key) ride in the same item as
 * "name=value" lines, so that one lookup gives back all and one clear forgets all.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define EK_SECRET_ERROR (ek_secret_error_quark ())

typedef enum
{
  EK_SECRET_ERROR_UNAVAILABLE,
  EK_SECRET_ERROR_TIMEOUT,
  EK_SECRET_ERROR_LOCKED,
  EK_SECRET_ERROR_CORRUPT,
} EkSecretError;

#define EK_TYPE_SECRET_STORE (ek_secret_store_get_type ())

G_DECLARE_FINAL_TYPE (EkSecretStore, ek_secret_store, EK, SECRET_STORE, GObject)

GQuark         ek_secret_error_quark       (void);

EkSecretStore *ek_secret_store_new          (void);
void           ek_secret_store_set_timeout  (EkSecretStore        *self,
                                             guint                 timeout_ms);
void           ek_secret_store_save_async   (EkSecretStore        *self,
                                             const char           *server_url,
                                             const char           *session_id,
                                             const char           *token,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* @extras: (nullable): further secrets of the session as "name=value" (no newline) */
void           ek_secret_store_save_full_async (EkSecretStore     *self,
                                             const char           *server_url,
                                             const char           *session_id,
                                             const char           *token,
                                             const char * const   *extras,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       ek_secret_store_save_finish  (EkSecretStore        *self,
                                             GAsyncResult         *result,
                                             GError              **error);
void           ek_secret_store_lookup_async (EkSecretStore        *self,
                                             const char           *server_url,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       ek_secret_store_lookup_finish (EkSecretStore       *self,
                                             GAsyncResult         *result,
                                             char                **session_id,
                                             char                **token,
                                             GError              **error);
gboolean       ek_secret_store_lookup_full_finish (EkSecretStore  *self,
                                             GAsyncResult         *result,
                                             char                **session_id,
                                             char                **token,
                                             char               ***extras,
                                             GError              **error);
void           ek_secret_store_clear_async  (EkSecretStore        *self,
                                             const char           *server_url,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       ek_secret_store_clear_finish (EkSecretStore        *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
