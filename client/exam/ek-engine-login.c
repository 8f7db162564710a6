/* ek-engine-login.c: login, face login, re-entry and the token in the keyring */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-engine-private.h"

/* --- keyring -------------------------------------------------------------- */

static void
set_keyring_problem (EkEngine     *self,
                     const GError *error)
{
  const char *message = error != NULL ? error->message : NULL;

  if (g_strcmp0 (message, self->keyring_problem) == 0)
    return;

  g_free (self->keyring_problem);
  self->keyring_problem = g_strdup (message);
  _ek_engine_notify (self, PROP_KEYRING_PROBLEM);
}

static void
on_secret_cleared_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_clear_finish (EK_SECRET_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_warning ("Could not remove the ended session from the keyring: %s", error->message);
      set_keyring_problem (self, error);
    }
}

static void
wipe_strv (char **strv)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    explicit_bzero (strv[i], strlen (strv[i]));
  g_strfreev (strv);
}

/* Saves the session's token and its further secrets (the integrity key, the
 * questions' key) as one keyring item. */
void
_ek_engine_save_secrets (EkEngine            *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GPtrArray) extras = g_ptr_array_new ();
  g_autofree char *key_b64 = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *policy = NULL;
  char **strv;

  if (ek_api_client_export_integrity (self->api, &key_b64, &nonce, &policy))
    {
      g_ptr_array_add (extras, g_strconcat ("integrity_key=", key_b64, NULL));
      g_ptr_array_add (extras, g_strconcat ("integrity_nonce=", nonce, NULL));
      g_ptr_array_add (extras, g_strconcat ("policy_sha256=", policy, NULL));
      explicit_bzero (key_b64, strlen (key_b64));
    }
  if (self->questions_key != NULL)
    g_ptr_array_add (extras, g_strconcat ("questions_key=", self->questions_key, NULL));
  g_ptr_array_add (extras, NULL);
  strv = (char **) g_ptr_array_free (g_steal_pointer (&extras), FALSE);

  ek_secret_store_save_full_async (self->secrets, ek_config_get_server_url (self->config),
                                   self->session_id,
                                   ek_api_client_get_session_token (self->api),
                                   (const char * const *) strv, cancellable, callback, user_data);
  wipe_strv (strv);
}

/* The further secrets of a session found in the keyring. */
static void
apply_secret_extras (EkEngine   *self,
                     char      **extras)
{
  const char *key_b64 = NULL, *nonce = NULL, *policy = NULL;

  for (guint i = 0; extras != NULL && extras[i] != NULL; i++)
    {
      if (g_str_has_prefix (extras[i], "integrity_key="))
        key_b64 = extras[i] + strlen ("integrity_key=");
      else if (g_str_has_prefix (extras[i], "integrity_nonce="))
        nonce = extras[i] + strlen ("integrity_nonce=");
      else if (g_str_has_prefix (extras[i], "policy_sha256="))
        policy = extras[i] + strlen ("policy_sha256=");
      else if (g_str_has_prefix (extras[i], "questions_key="))
        _ek_engine_set_questions_key (self, extras[i] + strlen ("questions_key="));
    }

  if (key_b64 != NULL && !ek_api_client_set_integrity (self->api, key_b64, nonce, policy))
    g_warning ("The session's integrity key in the keyring is not valid");
}

void
_ek_engine_forget_session (EkEngine *self)
{
  /* A practice run has no token, and the keyring may hold a real session's. */
  if (self->practice != NULL)
    return;

  ek_api_client_set_session_token (self->api, NULL);
  ek_api_client_set_integrity (self->api, NULL, NULL, NULL);
  _ek_engine_offline_forget (self);
  _ek_engine_sealed_stop (self);
  ek_secret_store_clear_async (self->secrets, ek_config_get_server_url (self->config),
                               self->cancellable, on_secret_cleared_cb, g_object_ref (self));
}

/* Applies a session answer (login, re-entry, or the copy kept for a restart
 * without the network) to the state machine. */
gboolean
_ek_engine_load_session_info (EkEngine       *self,
                              EkSessionInfo  *info,
                              GError        **error)
{
  _ek_engine_set_session_id (self, ek_session_info_get_session_id (info));

  /* Each login or re-entry of this client; "continued" when this computer's log of
   * the session already had events (a restart), "new" otherwise. */
  if (self->events != NULL)
    {
      g_autoptr(JsonObject) data =
        _ek_engine_string_data ("client_version", PACKAGE_VERSION,
                                "log", ek_event_log_get_last_seq (self->events) > 0 ? "continued" : "new",
                                NULL);

      _ek_engine_log_event (self, "session_opened", 0, -1, data);
    }

  if (!ek_session_load (self->session,
                        ek_session_info_get_exam (info),
                        ek_session_info_get_candidate (info),
                        ek_session_info_get_state (info),
                        error))
    return FALSE;

  _ek_engine_offline_keep (self, info);
  _ek_engine_sealed_start (self);
  _ek_engine_offline_save (self);
  return TRUE;
}

/* --- resume --------------------------------------------------------------- */

static void
on_resume_forgotten_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_clear_finish (EK_SECRET_STORE (object), result, &error))
    set_keyring_problem (self, error);

  g_task_return_boolean (task, FALSE);
}

static void
on_resume_session_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = ek_api_client_get_session_finish (EK_API_CLIENT (object), result, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION))
        {
          /* The session ended elsewhere (or a newer login replaced this token):
           * nothing to re-enter, the candidate logs in again. The stale token
           * is gone from the keyring before the caller hears so. */
          ek_api_client_set_session_token (self->api, NULL);
          ek_secret_store_clear_async (self->secrets, ek_config_get_server_url (self->config),
                                       NULL, on_resume_forgotten_cb, g_object_ref (task));
          return;
        }

      /* The server cannot be reached: with the questions' key and the kept copy,
       * the session goes on without it (ek-engine-offline.c). */
      _ek_engine_offline_resume (self, task, g_steal_pointer (&error));
      return;
    }

  if (!_ek_engine_load_session_info (self, info, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_resume_clock_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Without a synced clock the remaining time would be the wall clock's guess:
   * re-entry waits until the server's time is known, unless the server cannot be
   * reached and the kept copy's skew counts it (ek-engine-offline.c). */
  if (!ek_api_client_sync_clock_finish (EK_API_CLIENT (object), result, &error))
    {
      _ek_engine_offline_resume (g_task_get_source_object (task), task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_get_session_async (EK_API_CLIENT (object), g_task_get_cancellable (task),
                                   on_resume_session_cb, g_object_ref (task));
}

static void
on_resume_lookup_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = NULL;
  char *token = NULL;
  char **extras = NULL;

  if (!ek_secret_store_lookup_full_finish (self->secrets, result, &session_id, &token, &extras,
                                           &error))
    {
      if (error != NULL)
        {
          /* The candidate can still log in again (the server gives back the same
           * session), so a broken keyring is a warning, not a dead end. */
          set_keyring_problem (self, error);
        }
      g_task_return_boolean (task, FALSE);
      return;
    }

  _ek_engine_set_session_id (self, session_id);
  ek_api_client_set_session_token (self->api, token);
  explicit_bzero (token, strlen (token));
  g_free (token);
  apply_secret_extras (self, extras);
  wipe_strv (extras);

  ek_api_client_sync_clock_async (self->api, g_task_get_cancellable (task),
                                  on_resume_clock_cb, g_object_ref (task));
}

/**
 * ek_engine_resume_async:
 *
 * Looks for a session this computer was in (its token in the Secret Service)
 * and re-enters it: the clock is synced, the server's state loaded, and the
 * session lands in the step or phase it was in, with the time really left.
 */
void
ek_engine_resume_async (EkEngine            *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_ENGINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_resume_async);

  ek_secret_store_lookup_async (self->secrets, ek_config_get_server_url (self->config),
                                cancellable, on_resume_lookup_cb, g_steal_pointer (&task));
}

/**
 * ek_engine_resume_finish:
 *
 * Returns: %TRUE if a session was re-entered; %FALSE without an error when
 *   there was none to re-enter (the candidate logs in)
 */
gboolean
ek_engine_resume_finish (EkEngine      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_resume_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- login ---------------------------------------------------------------- */

typedef struct
{
  char *exam_token;
  char *id_number;
} LoginData;

static void
login_data_free (gpointer data)
{
  LoginData *login = data;

  if (login->exam_token != NULL)
    explicit_bzero (login->exam_token, strlen (login->exam_token));
  if (login->id_number != NULL)
    explicit_bzero (login->id_number, strlen (login->id_number));
  g_free (login->exam_token);
  g_free (login->id_number);
  g_free (login);
}

static void
on_login_saved_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ek_secret_store_save_finish (self->secrets, result, &error))
    {
      g_warning ("The session token could not be kept in the keyring: %s", error->message);
      set_keyring_problem (self, error);
    }
  else
    {
      set_keyring_problem (self, NULL);
    }

  g_task_return_boolean (task, TRUE);
}

/* What every login does with the server's answer (token or face): the session
 * state, the token to the keyring. Takes @task, @info and @error. */
static void
complete_login (GTask         *task_in,
                EkSessionInfo *info_in,
                GError        *error_in)
{
  g_autoptr(GTask) task = task_in;
  EkEngine *self = g_task_get_source_object (task);
  g_autoptr(EkSessionInfo) info = info_in;
  g_autoptr(GError) error = error_in;
  GCancellable *cancellable;

  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ek_api_client_set_session_token (self->api, ek_session_info_get_session_token (info));

  if (!_ek_engine_load_session_info (self, info, &error))
    {
      ek_session_info_clear_session_token (info);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  _ek_engine_save_secrets (self, cancellable, on_login_saved_cb, g_steal_pointer (&task));
  ek_session_info_clear_session_token (info);
}

static void
on_login_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  EkSessionInfo *info = ek_api_client_login_finish (self->api, result, &error);

  complete_login (task, info, error);
}

static void
on_login_clock_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  LoginData *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A failed sync is not reported here: the login request that follows meets
   * the same network and gives the clearer message. */
  if (!ek_api_client_sync_clock_finish (self->api, result, &error))
    g_debug ("Clock sync before login failed: %s", error->message);

  ek_api_client_login_async (self->api, login->exam_token, login->id_number,
                             g_task_get_cancellable (task), on_login_cb, g_object_ref (task));
}

void
ek_engine_login_async (EkEngine            *self,
                       const char          *exam_token,
                       const char          *id_number,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoginData *login;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (exam_token != NULL);
  g_return_if_fail (id_number != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_login_async);

  login = g_new0 (LoginData, 1);
  login->exam_token = g_strdup (exam_token);
  login->id_number = g_strdup (id_number);
  g_task_set_task_data (task, login, login_data_free);

  ek_api_client_sync_clock_async (self->api, cancellable, on_login_clock_cb,
                                  g_steal_pointer (&task));
}

gboolean
ek_engine_login_finish (EkEngine      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_login_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- face login ----------------------------------------------------------- */

typedef struct
{
  char   *exam_id;
  char   *id_number;   /* personal: wiped */
  GBytes *jpeg;
  gint64  capture_ms;  /* server time; 0: when the clock is synced */
} FaceLoginData;

static void
face_login_data_free (gpointer data)
{
  FaceLoginData *login = data;

  if (login->id_number != NULL)
    explicit_bzero (login->id_number, strlen (login->id_number));
  g_free (login->exam_id);
  g_free (login->id_number);
  g_clear_pointer (&login->jpeg, g_bytes_unref);
  g_free (login);
}

static void
on_face_login_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  GError *error = NULL;
  EkSessionInfo *info = ek_api_client_face_login_finish (self->api, result, &error);

  complete_login (task, info, error);
}

static void
on_face_login_clock_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  FaceLoginData *login = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gint64 capture_ms = login->capture_ms;

  /* As for the token login: the request that follows reports the network. */
  if (!ek_api_client_sync_clock_finish (self->api, result, &error))
    g_debug ("Clock sync before face login failed: %s", error->message);
  if (capture_ms <= 0)
    capture_ms = ek_server_clock_now_ms (self->clock);

  ek_api_client_face_login_async (self->api, login->exam_id, login->id_number, login->jpeg,
                                  capture_ms, g_task_get_cancellable (task),
                                  on_face_login_cb, g_object_ref (task));
}

/**
 * ek_engine_login_face_async:
 * @exam_id: the exam, which must allow face login
 * @id_number: the candidate's ID number, already checked
 * @jpeg: the live picture chosen by the guided capture
 * @capture_ms: when it was taken, server time; 0 for now
 *
 * Logs in with the ID number and the face instead of the exam token. On success
 * the session is loaded and its token kept exactly as after ek_engine_login_async();
 * a face the server does not accept is %EK_API_ERROR_WRONG_CREDENTIALS, with the
 * reason in ek_api_error_get_reason().
 */
void
ek_engine_login_face_async (EkEngine            *self,
                            const char          *exam_id,
                            const char          *id_number,
                            GBytes              *jpeg,
                            gint64               capture_ms,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FaceLoginData *login;

  g_return_if_fail (EK_IS_ENGINE (self));
  g_return_if_fail (exam_id != NULL);
  g_return_if_fail (id_number != NULL);
  g_return_if_fail (jpeg != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_engine_login_face_async);

  login = g_new0 (FaceLoginData, 1);
  login->exam_id = g_strdup (exam_id);
  login->id_number = g_strdup (id_number);
  login->jpeg = g_bytes_ref (jpeg);
  login->capture_ms = capture_ms;
  g_task_set_task_data (task, login, face_login_data_free);

  ek_api_client_sync_clock_async (self->api, cancellable, on_face_login_clock_cb,
                                  g_steal_pointer (&task));
}

gboolean
ek_engine_login_face_finish (EkEngine      *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_engine_login_face_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- forgetting ----------------------------------------------------------- */

/**
 * ek_engine_forget_session:
 *
 * Forgets the session on this computer (token and keyring entry) without
 * ending it on the server: for a candidate who logged in with someone else's
 * details by mistake, whose session must stay open for its owner.
 */
void
ek_engine_forget_session (EkEngine *self)
{
  g_return_if_fail (EK_IS_ENGINE (self));

  _ek_engine_forget_session (self);
}
