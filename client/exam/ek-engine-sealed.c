/* ek-engine-sealed.c: the sealed questions (docs/protocol.md section 6.1)
 *
 * Part of EkEngine (see ek-engine-private.h). When the exam names a sealed package,
 * the engine fetches it as soon as a session is open (login or re-entry), checks it
 * against the exam's hash and keeps it in the session's private folder; from the
 * exam's key_release_ms it checks in, and keeps the released key with the token in
 * the Secret Service. From then on the exam can start without the network: the entry
 * is made locally and reported when the server answers again, and each phase's
 * questions are opened from the package at the phase's start in server time.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-backoff.h"
#include "ek-engine-private.h"
#include "ek-private-files.h"
#include "ek-sealed-package.h"

#define RETRY_BASE_MS  1000
#define RETRY_CAP_MS   10000
/* An entry made offline goes up within seconds of the network's return: the server
 * refuses it once the exam is over (exam_over). */
#define ENTRY_RETRY_CAP_MS 2000

static void sealed_tick (EkEngine *self);

static char *
package_path (EkEngine *self)
{
  return g_build_filename (ek_config_get_data_dir (self->config), "sessions", self->session_id,
                           "questions.sealed", NULL);
}

static EkExam *
sealed_exam (EkEngine *self)
{
  EkExam *exam = ek_session_get_exam (self->session);

  if (exam == NULL || self->practice != NULL || ek_exam_get_sealed_sha256 (exam) == NULL)
    return NULL;
  return exam;
}

static void
set_problem (EkEngine   *self,
             const char *problem)
{
  if (g_strcmp0 (self->questions_problem, problem) == 0)
    return;
  g_free (self->questions_problem);
  self->questions_problem = g_strdup (problem);
  _ek_engine_notify (self, PROP_QUESTIONS_PROBLEM);
}

static gboolean
on_sealed_timeout_cb (gpointer user_data)
{
  EkEngine *self = user_data;

  self->sealed_source = 0;
  sealed_tick (self);
  return G_SOURCE_REMOVE;
}

static void
schedule (EkEngine *self,
          guint     delay_ms)
{
  g_clear_handle_id (&self->sealed_source, g_source_remove);
  self->sealed_source = g_timeout_add (delay_ms, on_sealed_timeout_cb, self);
  g_source_set_name_by_id (self->sealed_source, "[ek-engine sealed questions]");
}

static void
retry_later (EkEngine *self)
{
  schedule (self, ek_backoff_delay_ms (RETRY_BASE_MS, RETRY_CAP_MS, ++self->sealed_attempt));
}

/* --- the package on disk -------------------------------------------------- */

static void
store_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  GBytes *package = task_data;
  g_autofree char *dir = g_path_get_dirname (path);
  GError *error = NULL;

  if (!ek_ensure_private_folder (dir, &error) ||
      !g_file_set_contents_full (path, g_bytes_get_data (package, NULL),
                                 (gssize) g_bytes_get_size (package),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_stored_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The package stays in memory: only a restart without the network needs the file. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("The sealed questions could not be kept on disk: %s", error->message);
}

static void
store_package (EkEngine *self,
               GBytes   *package)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, on_stored_cb, NULL);

  g_object_set_data_full (G_OBJECT (task), "path", package_path (self), g_free);
  g_task_set_task_data (task, g_bytes_ref (package), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, store_thread);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char *contents = NULL;
  gsize len = 0;

  if (g_file_get_contents (task_data, &contents, &len, NULL))
    g_task_return_pointer (task, g_bytes_new_take (contents, len), (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
on_fetched_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) package = NULL;
  EkExam *exam;

  self->sealed_busy = FALSE;
  package = ek_api_client_call_bytes_finish (EK_API_CLIENT (source), result, NULL, &error);
  exam = sealed_exam (self);
  if (exam == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (package == NULL)
    {
      g_debug ("Sealed questions: fetching failed: %s", error->message);
      retry_later (self);
      return;
    }

  if (!ek_sealed_package_check (package, ek_exam_get_sealed_sha256 (exam),
                                ek_exam_get_sealed_size (exam), &error))
    {
      g_autoptr(JsonObject) data = _ek_engine_string_data ("reason", "hash", NULL);

      g_message ("Sealed questions: the package does not match the exam's hash");
      set_problem (self, error->message);
      _ek_engine_log_event (self, "questions_package_refused", 0, -1, data);
      retry_later (self);
      return;
    }

  set_problem (self, NULL);
  self->sealed_package = g_bytes_ref (package);
  self->sealed_attempt = 0;
  store_package (self, package);
  _ek_engine_log_event (self, "questions_package_received", 0, -1, NULL);
  sealed_tick (self);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GBytes) package = g_task_propagate_pointer (G_TASK (result), NULL);
  EkExam *exam = sealed_exam (self);

  self->sealed_busy = FALSE;
  if (exam == NULL)
    return;

  if (package != NULL &&
      ek_sealed_package_check (package, ek_exam_get_sealed_sha256 (exam),
                               ek_exam_get_sealed_size (exam), NULL))
    {
      self->sealed_package = g_bytes_ref (package);
      sealed_tick (self);
      return;
    }

  self->sealed_busy = TRUE;
  ek_api_client_get_questions_package_async (self->api, self->cancellable, on_fetched_cb,
                                             g_object_ref (self));
}

/* --- the key -------------------------------------------------------------- */

static void
on_key_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Cancelled: the engine went (a session ended, the kiosk quit). */
  if (!ek_secret_store_save_finish (EK_SECRET_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("The questions' key could not be kept in the keyring: %s", error->message);
}

static void
on_checked_in_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  char *key = NULL;
  gint64 checked_in_ms = 0;

  self->sealed_busy = FALSE;
  if (!ek_api_client_check_in_finish (EK_API_CLIENT (source), result, &key, &checked_in_ms, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || sealed_exam (self) == NULL)
        return;
      g_debug ("Sealed questions: check-in failed: %s", error->message);
      retry_later (self);
      return;
    }

  _ek_engine_set_questions_key (self, key);
  explicit_bzero (key, strlen (key));
  g_free (key);
  self->sealed_attempt = 0;
  {
    g_autoptr(JsonObject) data = json_object_new ();

    json_object_set_int_member (data, "checked_in_ms", checked_in_ms);
    _ek_engine_log_event (self, "checked_in", 0, -1, data);
  }
  if (ek_api_client_has_session_token (self->api))
    _ek_engine_save_secrets (self, self->cancellable, on_key_saved_cb, NULL);
  _ek_engine_offline_save (self);
  _ek_engine_notify (self, PROP_QUESTIONS_READY);
}

/* What is missing next: the package, then the key once it is released. */
static void
sealed_tick (EkEngine *self)
{
  EkExam *exam = sealed_exam (self);
  const EkSessionState *state = ek_session_get_state (self->session);
  gint64 now;

  if (exam == NULL || self->sealed_busy || self->session_id == NULL ||
      (state != NULL && (state->ended || state->submitted_ms > 0)))
    return;

  if (self->sealed_package == NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, on_loaded_cb, g_object_ref (self));

      self->sealed_busy = TRUE;
      g_task_set_task_data (task, package_path (self), g_free);
      g_task_run_in_thread (task, load_thread);
      return;
    }

  if (self->questions_key != NULL)
    return;

  now = ek_server_clock_now_ms (self->clock);
  if (now < ek_exam_get_key_release_ms (exam))
    {
      schedule (self, (guint) MIN (ek_exam_get_key_release_ms (exam) - now + 50, 60000));
      return;
    }

  self->sealed_busy = TRUE;
  ek_api_client_check_in_async (self->api, self->cancellable, on_checked_in_cb, g_object_ref (self));
}

/* --- the entry while offline ---------------------------------------------- */

static gboolean on_report_entry_cb (gpointer user_data);

/* The entry made offline is on the server (or refused): the finish it held back. */
static void
entry_settled (EkEngine *self)
{
  if (ek_session_get_stage (self->session) == EK_SESSION_STAGE_FINISHING)
    _ek_engine_finish_recording (self);
  _ek_engine_maybe_mark_finished (self);
}

static void
on_entry_reported_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(EkSessionState) state = NULL;
  g_autoptr(GError) error = NULL;

  state = ek_api_client_state_finish (EK_API_CLIENT (source), result, &error);
  if (state != NULL)
    {
      self->offline_entered_ms = 0;
      ek_session_set_state (self->session, state);
      _ek_engine_offline_save (self);
      entry_settled (self);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ek_api_error_is_transient (error))
    {
      g_message ("The exam server refused the entry made offline: %s", error->message);
      self->offline_entered_ms = 0;
      _ek_engine_offline_save (self);
      entry_settled (self);
      return;
    }

  self->entry_report_source =
    g_timeout_add (ek_backoff_delay_ms (RETRY_BASE_MS, ENTRY_RETRY_CAP_MS,
                                        ++self->entry_report_attempt),
                   on_report_entry_cb, self);
}

static gboolean
on_report_entry_cb (gpointer user_data)
{
  EkEngine *self = user_data;

  self->entry_report_source = 0;
  ek_api_client_enter_at_async (self->api, self->offline_entered_ms, self->cancellable,
                                on_entry_reported_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

/* --- shared with the other engine files ----------------------------------- */

void
_ek_engine_set_questions_key (EkEngine   *self,
                              const char *key_b64)
{
  if (self->questions_key != NULL)
    {
      explicit_bzero (self->questions_key, strlen (self->questions_key));
      g_clear_pointer (&self->questions_key, g_free);
    }
  self->questions_key = g_strdup (key_b64);
}

/* A session is open (login or re-entry): fetch what is missing. */
void
_ek_engine_sealed_start (EkEngine *self)
{
  EkExam *exam = sealed_exam (self);

  if (exam == NULL)
    return;
  /* A package kept from another session's exam is not this one's. */
  if (self->sealed_package != NULL &&
      !ek_sealed_package_check (self->sealed_package, ek_exam_get_sealed_sha256 (exam),
                                ek_exam_get_sealed_size (exam), NULL))
    g_clear_pointer (&self->sealed_package, g_bytes_unref);
  self->sealed_attempt = 0;
  sealed_tick (self);
}

void
_ek_engine_sealed_stop (EkEngine *self)
{
  g_clear_handle_id (&self->sealed_source, g_source_remove);
  g_clear_handle_id (&self->entry_report_source, g_source_remove);
  g_clear_pointer (&self->sealed_package, g_bytes_unref);
  g_clear_pointer (&self->questions_problem, g_free);
  self->sealed_busy = FALSE;
  self->offline_entered_ms = 0;
  _ek_engine_set_questions_key (self, NULL);
}

/* Whether the exam can start without the network: package and key are here. */
gboolean
_ek_engine_sealed_ready (EkEngine *self)
{
  return sealed_exam (self) != NULL && self->sealed_package != NULL && self->questions_key != NULL;
}

/* Enters the exam without the server (its answer could not be had): the session's
 * state says entered now, in server time; the entry goes to the server as soon as it
 * answers. */
void
_ek_engine_enter_offline (EkEngine *self)
{
  g_autoptr(EkSessionState) state = ek_session_state_copy (ek_session_get_state (self->session));
  g_autoptr(JsonObject) data = json_object_new ();

  self->offline_entered_ms = ek_server_clock_now_ms (self->clock);
  state->entered_ms = self->offline_entered_ms;
  ek_session_set_state (self->session, state);
  /* client_ms 0: the event's own clock reading, now; the entry's server time in data. */
  json_object_set_int_member (data, "entered_ms", self->offline_entered_ms);
  _ek_engine_log_event (self, "entered_offline", 0, -1, data);
  _ek_engine_report_offline_entry (self, self->offline_entered_ms);
}

/* Reports an entry made offline (now, or before a restart) once the server answers. */
void
_ek_engine_report_offline_entry (EkEngine *self,
                                 gint64    entered_ms)
{
  self->offline_entered_ms = entered_ms;
  _ek_engine_offline_save (self);
  self->entry_report_attempt = 0;
  g_clear_handle_id (&self->entry_report_source, g_source_remove);
  self->entry_report_source = g_timeout_add (RETRY_BASE_MS, on_report_entry_cb, self);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char **args = task_data;   /* key, exam id, phase id */
  GBytes *package = g_object_get_data (G_OBJECT (task), "package");
  GError *error = NULL;
  JsonArray *questions = ek_sealed_package_open_phase (package, args[0], args[1], args[2], &error);

  if (questions == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, questions, (GDestroyNotify) json_array_unref);
}

static void
wipe_args (gpointer data)
{
  char **args = data;

  explicit_bzero (args[0], strlen (args[0]));
  g_strfreev (args);
}

/**
 * _ek_engine_sealed_open_async:
 *
 * Opens a phase's questions from the package in a thread; refuses before the
 * phase's start in server time (phase_not_started, as the server would).
 * Returns %FALSE (nothing started) when the package or its key is missing.
 */
gboolean
_ek_engine_sealed_open_async (EkEngine            *self,
                              guint                phase_index,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  EkExam *exam = sealed_exam (self);
  const EkPhase *phase;
  g_autoptr(GTask) task = NULL;
  char **args;

  if (!_ek_engine_sealed_ready (self))
    return FALSE;

  phase = ek_exam_get_phase (exam, phase_index);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _ek_engine_sealed_open_async);
  if (ek_server_clock_now_ms (self->clock) < phase->starts_ms)
    {
      g_task_return_new_error (task, EK_API_ERROR, EK_API_ERROR_PHASE_NOT_STARTED, "%s",
                               _("The questions of this part are not available yet. They "
                                 "appear as soon as the part starts."));
      return TRUE;
    }

  args = g_new0 (char *, 4);
  args[0] = g_strdup (self->questions_key);
  args[1] = g_strdup (ek_exam_get_id (exam));
  args[2] = g_strdup (phase->id);
  g_task_set_task_data (task, args, wipe_args);
  g_object_set_data_full (G_OBJECT (task), "package", g_bytes_ref (self->sealed_package),
                          (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, open_thread);
  return TRUE;
}

JsonArray *
_ek_engine_sealed_open_finish (EkEngine      *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_engine_get_questions_problem:
 *
 * Returns: (nullable): why the sealed questions were refused (translated), or %NULL
 */
const char *
ek_engine_get_questions_problem (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), NULL);
  return self->questions_problem;
}

/**
 * ek_engine_get_questions_ready:
 *
 * Returns: whether the exam's sealed questions and their key are on this computer,
 *   so the exam can start without the network
 */
gboolean
ek_engine_get_questions_ready (EkEngine *self)
{
  g_return_val_if_fail (EK_IS_ENGINE (self), FALSE);
  return _ek_engine_sealed_ready (self);
}
