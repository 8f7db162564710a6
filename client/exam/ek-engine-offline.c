/* ek-engine-offline.c: re-entering a session after a restart without the network
 *
 * Part of EkEngine (see ek-engine-private.h). Once the questions' key is released
 * (check-in), the engine keeps sessions/ID/offline-session.json (0600): the session
 * answer without its token or integrity key, the state as this computer knows it
 * (completed steps, an entry made offline) and the clock's skew. It is written at
 * check-in, at each stage or step change and at an offline entry. A restart that
 * cannot reach the server, with the key in the keyring and the package on disk,
 * loads it, counts the server's time from the skew and goes on (docs/protocol.md 6.1).
 */

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "ek-engine-private.h"
#include "ek-private-files.h"

#define OFFLINE_VERSION 1

static char *
offline_path (const char *data_dir,
              const char *session_id)
{
  return g_build_filename (data_dir, "sessions", session_id, "offline-session.json", NULL);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  const char *contents = task_data;
  g_autofree char *dir = g_path_get_dirname (path);
  GError *error = NULL;

  if (contents == NULL)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        g_warning ("Could not remove %s: %s", path, g_strerror (errno));
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (!ek_ensure_private_folder (dir, &error) ||
      !g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void write_next (EkEngine *self);

static void
on_written_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkEngine) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("The session could not be kept for a restart without the network: %s",
               error->message);
  self->offline_writing = FALSE;
  write_next (self);
}

/* One write at a time, the newest contents last. */
static void
write_next (EkEngine *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->offline_writing || !self->offline_dirty)
    return;

  task = g_task_new (NULL, NULL, on_written_cb, g_object_ref (self));
  g_object_set_data_full (G_OBJECT (task), "path", g_steal_pointer (&self->offline_pending_path),
                          g_free);
  g_task_set_task_data (task, g_steal_pointer (&self->offline_pending), g_free);
  self->offline_dirty = FALSE;
  self->offline_writing = TRUE;
  g_task_run_in_thread (task, write_thread);
}

static void
queue_write (EkEngine *self,
             char     *contents)
{
  g_free (self->offline_pending);
  self->offline_pending = contents;
  g_free (self->offline_pending_path);
  self->offline_pending_path = offline_path (ek_config_get_data_dir (self->config), self->session_id);
  self->offline_dirty = TRUE;
  write_next (self);
}

/* A session answer was loaded (login or re-entry): the copy to keep. */
void
_ek_engine_offline_keep (EkEngine      *self,
                         EkSessionInfo *info)
{
  g_clear_pointer (&self->offline_answer, json_object_unref);
  if (self->practice == NULL)
    self->offline_answer = json_object_ref (ek_session_info_get_public_json (info));
}

/* Writes the copy; only once the key is here, without which it is of no use. */
void
_ek_engine_offline_save (EkEngine *self)
{
  const EkSessionState *state = ek_session_get_state (self->session);
  g_autoptr(JsonObject) root = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *answer;
  GList *members;

  if (self->offline_answer == NULL || self->questions_key == NULL || self->session_id == NULL ||
      state == NULL)
    return;

  answer = json_object_new ();
  members = json_object_get_members (self->offline_answer);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "state"))
      json_object_set_member (answer, l->data,
                              json_node_copy (json_object_get_member (self->offline_answer, l->data)));
  g_list_free (members);
  json_object_set_object_member (answer, "state", ek_session_state_to_json (state));

  root = json_object_new ();
  json_object_set_int_member (root, "version", OFFLINE_VERSION);
  json_object_set_object_member (root, "answer", answer);
  json_object_set_int_member (root, "offline_entered_ms", self->offline_entered_ms);
  json_object_set_int_member (root, "skew_ms", ek_server_clock_get_skew_ms (self->clock));
  node = json_node_init_object (json_node_alloc (), root);
  queue_write (self, json_to_string (node, FALSE));
}

/* The session is over or forgotten: nothing to re-enter. */
void
_ek_engine_offline_forget (EkEngine *self)
{
  g_clear_pointer (&self->offline_answer, json_object_unref);
  if (self->session_id != NULL && self->practice == NULL)
    queue_write (self, NULL);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  char *contents = NULL;

  if (g_file_get_contents (task_data, &contents, NULL, NULL))
    g_task_return_pointer (task, contents, g_free);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
on_read_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  EkEngine *self = g_task_get_source_object (task);
  g_autofree char *contents = g_task_propagate_pointer (G_TASK (result), NULL);
  GError *cause = g_object_get_data (G_OBJECT (task), "ek-offline-cause");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root, *answer;
  gint64 entered_ms;

  if (contents == NULL || !json_parser_load_from_data (parser, contents, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto no_copy;
  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != OFFLINE_VERSION ||
      !json_object_has_member (root, "answer") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "answer")))
    goto no_copy;
  answer = json_object_get_object_member (root, "answer");
  info = ek_session_info_new_from_json (answer, FALSE, &error);
  if (info == NULL || g_strcmp0 (ek_session_info_get_session_id (info), self->session_id) != 0)
    {
      g_warning ("The session kept for a restart without the network is not usable: %s",
                 error != NULL ? error->message : "another session");
      goto no_copy;
    }

  /* The clock may have synced before GET /v1/session failed: then it is better. */
  if (!ek_server_clock_is_synced (self->clock))
    ek_server_clock_restore_skew (self->clock,
                                  json_object_get_int_member_with_default (root, "skew_ms", 0));
  ek_api_client_set_exam (self->api, ek_session_info_get_exam (info));
  if (!_ek_engine_load_session_info (self, info, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_message ("Re-entered the session without the network (%s)", cause->message);
  {
    g_autoptr(JsonObject) data = _ek_engine_string_data ("reason", "network", NULL);

    _ek_engine_log_event (self, "resumed_offline", 0, -1, data);
  }
  entered_ms = json_object_get_int_member_with_default (root, "offline_entered_ms", 0);
  if (entered_ms > 0)
    _ek_engine_report_offline_entry (self, entered_ms);
  g_task_return_boolean (task, TRUE);
  return;

no_copy:
  ek_api_client_set_session_token (self->api, NULL);
  g_task_return_error (task, g_error_copy (cause));
}

/**
 * _ek_engine_offline_resume:
 * @task: the re-entry's task; returns through it
 * @error: (transfer full): why the server could not be reached
 *
 * Re-enters from the kept copy when the server cannot be reached, the key is in
 * the keyring and the copy is on disk; else @task returns @error. The package is
 * loaded from disk by the sealed questions as for any re-entry.
 */
void
_ek_engine_offline_resume (EkEngine *self,
                           GTask    *task,
                           GError   *error)
{
  g_autoptr(GTask) read = NULL;

  if (self->questions_key == NULL || self->session_id == NULL || !ek_api_error_is_transient (error))
    {
      ek_api_client_set_session_token (self->api, NULL);
      g_task_return_error (task, error);
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "ek-offline-cause", error, (GDestroyNotify) g_error_free);
  read = g_task_new (NULL, g_task_get_cancellable (task), on_read_cb, g_object_ref (task));
  g_task_set_task_data (read, offline_path (ek_config_get_data_dir (self->config), self->session_id),
                        g_free);
  g_task_run_in_thread (read, read_thread);
}
