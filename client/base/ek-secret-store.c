/* ek-secret-store.c: the session token in the Secret Service */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "ek-secret-store.h"

/* A Secret Service that is not running makes D-Bus wait 25 s before it fails;
 * the candidate should hear about it sooner. */
#define DEFAULT_TIMEOUT_MS 8000

struct _EkSecretStore
{
  GObject parent_instance;

  guint   timeout_ms;
};

typedef struct
{
  GCancellable *cancellable;   /* owned: cancelled by the timeout or the caller */
  GCancellable *caller;        /* owned, nullable */
  gulong        caller_handler;
  guint         timeout_source;
  gboolean      timed_out;
} Call;

G_DEFINE_FINAL_TYPE (EkSecretStore, ek_secret_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-secret-error-quark, ek_secret_error)

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.examkiosk.Kiosk.Session", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
call_free (gpointer data)
{
  Call *call = data;

  g_clear_handle_id (&call->timeout_source, g_source_remove);
  if (call->caller != NULL && call->caller_handler != 0)
    g_cancellable_disconnect (call->caller, call->caller_handler);
  g_clear_object (&call->caller);
  g_clear_object (&call->cancellable);
  g_free (call);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  Call *call = user_data;

  call->timeout_source = 0;
  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancellable);

  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled_cb (GCancellable *caller,
                        gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static GTask *
start_call (EkSecretStore       *self,
            GCancellable        *cancellable,
            gpointer             source_tag,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, source_tag);

  call->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      call->caller = g_object_ref (cancellable);
      call->caller_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (on_caller_cancelled_cb),
                                                    g_object_ref (call->cancellable),
                                                    g_object_unref);
    }
  call->timeout_source = g_timeout_add (self->timeout_ms, on_timeout_cb, call);
  g_task_set_task_data (task, call, call_free);

  return g_steal_pointer (&task);
}

/* Turns a libsecret failure into a message a candidate can act on. The
 * technical detail goes to the debug log only: it may name D-Bus internals. */
static void
return_secret_error (GTask  *task,
                     GError *error)
{
  Call *call = g_task_get_task_data (task);

  g_debug ("Secret Service call failed: %s", error->message);

  if (call->timed_out)
    g_task_return_new_error (task, EK_SECRET_ERROR, EK_SECRET_ERROR_TIMEOUT,
                             _("The system keyring did not answer in time. Log out and in "
                               "again, or ask your technician to check the keyring service."));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_error_copy (error));
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
           g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
    g_task_return_new_error (task, EK_SECRET_ERROR, EK_SECRET_ERROR_LOCKED,
                             _("The system keyring is locked. Unlock it (it usually opens "
                               "with your login password) and try again."));
  else
    g_task_return_new_error (task, EK_SECRET_ERROR, EK_SECRET_ERROR_UNAVAILABLE,
                             _("The system keyring is not available, so the kiosk cannot "
                               "keep your session safe. Ask your technician to install and "
                               "start a Secret Service such as GNOME Keyring."));
}

static void
on_store_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    return_secret_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_lookup_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    return_secret_error (task, error);
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

static void
on_clear_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error only means there was nothing to clear. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_secret_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
ek_secret_store_class_init (EkSecretStoreClass *klass)
{
}

static void
ek_secret_store_init (EkSecretStore *self)
{
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
}

EkSecretStore *
ek_secret_store_new (void)
{
  return g_object_new (EK_TYPE_SECRET_STORE, NULL);
}

void
ek_secret_store_set_timeout (EkSecretStore *self,
                             guint          timeout_ms)
{
  g_return_if_fail (EK_IS_SECRET_STORE (self));
  g_return_if_fail (timeout_ms > 0);

  self->timeout_ms = timeout_ms;
}

void
ek_secret_store_save_async (EkSecretStore       *self,
                            const char          *server_url,
                            const char          *session_id,
                            const char          *token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ek_secret_store_save_full_async (self, server_url, session_id, token, NULL,
                                   cancellable, callback, user_data);
}

void
ek_secret_store_save_full_async (EkSecretStore       *self,
                                 const char          *server_url,
                                 const char          *session_id,
                                 const char          *token,
                                 const char * const  *extras,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) secret = NULL;
  Call *call;

  g_return_if_fail (EK_IS_SECRET_STORE (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (session_id != NULL && strchr (session_id, '\n') == NULL);
  g_return_if_fail (token != NULL && *token != '\0' && strchr (token, '\n') == NULL);

  task = start_call (self, cancellable, ek_secret_store_save_async, callback, user_data);
  call = g_task_get_task_data (task);

  /* The session id rides inside the secret so one lookup gives both back. */
  secret = g_string_new (session_id);
  g_string_append_c (secret, '\n');
  g_string_append (secret, token);
  for (guint i = 0; extras != NULL && extras[i] != NULL; i++)
    {
      g_return_if_fail (strchr (extras[i], '\n') == NULL && strchr (extras[i], '=') != NULL);
      g_string_append_c (secret, '\n');
      g_string_append (secret, extras[i]);
    }
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT,
                         _("Exam session"), secret->str, call->cancellable,
                         on_store_cb, g_steal_pointer (&task),
                         "server", server_url,
                         NULL);
  explicit_bzero (secret->str, secret->len);
}

gboolean
ek_secret_store_save_finish (EkSecretStore  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_secret_store_save_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ek_secret_store_lookup_async (EkSecretStore       *self,
                              const char          *server_url,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (EK_IS_SECRET_STORE (self));
  g_return_if_fail (server_url != NULL);

  task = start_call (self, cancellable, ek_secret_store_lookup_async, callback, user_data);
  call = g_task_get_task_data (task);

  secret_password_lookup (get_schema (), call->cancellable,
                          on_lookup_cb, g_steal_pointer (&task),
                          "server", server_url,
                          NULL);
}

/**
 * ek_secret_store_lookup_finish:
 * @session_id: (out) (optional): the stored session id
 * @token: (out) (optional): the stored token; free with g_free()
 *
 * Returns: %TRUE if a session was found; %FALSE without an error if none is
 *   stored; %FALSE with an error if the keyring failed
 */
gboolean
ek_secret_store_lookup_finish (EkSecretStore  *self,
                               GAsyncResult   *result,
                               char          **session_id,
                               char          **token,
                               GError        **error)
{
  return ek_secret_store_lookup_full_finish (self, result, session_id, token, NULL, error);
}

static void
wipe_strv (char **strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    explicit_bzero (strv[i], strlen (strv[i]));
  g_strfreev (strv);
}

/**
 * ek_secret_store_lookup_full_finish:
 * @session_id: (out) (optional): the stored session id
 * @token: (out) (optional): the stored token; free with g_free()
 * @extras: (out) (optional): the further secrets as "name=value"; wipe them
 *
 * Returns: %TRUE if a session was found; %FALSE without an error if none is
 *   stored; %FALSE with an error if the keyring failed
 */
gboolean
ek_secret_store_lookup_full_finish (EkSecretStore   *self,
                                    GAsyncResult    *result,
                                    char           **session_id,
                                    char           **token,
                                    char          ***extras,
                                    GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;
  char **lines;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_secret_store_lookup_async,
                        FALSE);

  secret = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (secret == NULL)
    return FALSE;

  lines = g_strsplit (secret, "\n", -1);
  explicit_bzero (secret, strlen (secret));
  secret_password_free (secret);
  if (g_strv_length (lines) < 2 || *lines[0] == '\0' || *lines[1] == '\0')
    {
      wipe_strv (lines);
      g_set_error_literal (error, EK_SECRET_ERROR, EK_SECRET_ERROR_CORRUPT,
                           _("The saved exam session could not be read. Please log in again."));
      return FALSE;
    }

  if (session_id != NULL)
    *session_id = g_strdup (lines[0]);
  if (token != NULL)
    *token = g_strdup (lines[1]);
  if (extras != NULL)
    *extras = g_strdupv (lines + 2);

  wipe_strv (lines);
  return TRUE;
}

void
ek_secret_store_clear_async (EkSecretStore       *self,
                             const char          *server_url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Call *call;

  g_return_if_fail (EK_IS_SECRET_STORE (self));
  g_return_if_fail (server_url != NULL);

  task = start_call (self, cancellable, ek_secret_store_clear_async, callback, user_data);
  call = g_task_get_task_data (task);

  secret_password_clear (get_schema (), call->cancellable,
                         on_clear_cb, g_steal_pointer (&task),
                         "server", server_url,
                         NULL);
}

gboolean
ek_secret_store_clear_finish (EkSecretStore  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_secret_store_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
