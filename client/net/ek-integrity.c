/* ek-integrity.c: the client integrity header (docs/protocol.md section 1.2) */

#include "config.h"

#include <string.h>

#include "ek-integrity.h"

#define HASH_BUFFER_SIZE (256 * 1024)
#define MAC_CONTEXT      "ek-integrity-v1"

/* The executable's hash, once per process: the file behind /proc/self/exe cannot
 * change under a running process without the kernel noticing (ETXTBSY), so one
 * reading at start is the build that runs. */
static GMutex self_lock;
static char *self_hash;         /* guarded by self_lock; set once, never freed */
static GError *self_error;      /* guarded by self_lock */
static GPtrArray *self_waiters; /* guarded by self_lock; GTask, on their own contexts */
static gboolean self_running;   /* guarded by self_lock */

/**
 * ek_integrity_hash_file:
 *
 * Blocking: call it in a thread.
 *
 * Returns: the file's SHA-256 as 64 lowercase hex digits, or %NULL with an error
 */
char *
ek_integrity_hash_file (const char    *path,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (HASH_BUFFER_SIZE);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, HASH_BUFFER_SIZE,
                                      cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_checksum_update (sum, buffer, (gsize) n);
    }

  return g_strdup (g_checksum_get_string (sum));
}

static void
hash_self_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;
  char *hash = ek_integrity_hash_file ("/proc/self/exe", NULL, &error);
  g_autoptr(GPtrArray) waiters = NULL;

  g_mutex_lock (&self_lock);
  self_hash = hash;
  self_error = error;
  self_running = FALSE;
  waiters = g_steal_pointer (&self_waiters);
  g_mutex_unlock (&self_lock);

  if (hash != NULL)
    g_debug ("This build: SHA-256 %s", hash);

  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      /* g_task_return_* completes on the waiter's own main context. */
      if (hash != NULL)
        g_task_return_pointer (waiter, hash, NULL);
      else
        g_task_return_error (waiter, g_error_copy (error));
    }
}

/**
 * ek_integrity_self_hash_async:
 *
 * Hashes the running executable once per process, in a thread; later calls
 * complete at once with the same hash.
 */
void
ek_integrity_self_hash_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  gboolean start = FALSE;

  g_task_set_source_tag (task, ek_integrity_self_hash_async);
  g_task_set_name (task, "[ek-integrity self hash]");

  g_mutex_lock (&self_lock);
  if (self_hash != NULL)
    {
      g_mutex_unlock (&self_lock);
      g_task_return_pointer (task, self_hash, NULL);
      return;
    }
  if (self_error != NULL)
    {
      GError *error = g_error_copy (self_error);

      g_mutex_unlock (&self_lock);
      g_task_return_error (task, error);
      return;
    }
  if (self_waiters == NULL)
    self_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self_waiters, g_object_ref (task));
  if (!self_running)
    start = self_running = TRUE;
  g_mutex_unlock (&self_lock);

  if (start)
    {
      g_autoptr(GTask) worker = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_name (worker, "[ek-integrity hashing]");
      g_task_run_in_thread (worker, hash_self_thread);
    }
}

/**
 * ek_integrity_self_hash_finish:
 *
 * Returns: (transfer none): the executable's SHA-256 (64 hex digits), valid for the
 *   life of the process, or %NULL with an error
 */
const char *
ek_integrity_self_hash_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_integrity_self_hash_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_integrity_get_self_hash:
 *
 * Returns: (nullable): the executable's SHA-256 once ek_integrity_self_hash_async()
 *   has finished, else %NULL
 */
const char *
ek_integrity_get_self_hash (void)
{
  const char *hash;

  g_mutex_lock (&self_lock);
  hash = self_hash;
  g_mutex_unlock (&self_lock);

  return hash;
}

/**
 * ek_integrity_policy_hash:
 * @exam: the exam definition as the server sent it
 *
 * The policy is the object `{"lockdown": …, "proctoring": …}` made of the exam's
 * members of these names (a missing one left out), written the way the event log's
 * canonical JSON is (json-glib's generator, no whitespace, members in the order
 * received).
 *
 * Returns: its SHA-256 as 64 lowercase hex digits
 */
char *
ek_integrity_policy_hash (JsonObject *exam)
{
  static const char * const members[] = { "lockdown", "proctoring" };
  g_autoptr(JsonObject) policy = json_object_new ();
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  g_return_val_if_fail (exam != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (exam, members[i]);

      if (node != NULL)
        json_object_set_member (policy, members[i], json_node_copy (node));
    }

  json_node_set_object (root, policy);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* A nonce goes into a header and the MAC's lines: printable ASCII without spaces,
 * separators or quotes. */
gboolean
ek_integrity_nonce_is_valid (const char *nonce)
{
  gsize len = 0;

  if (nonce == NULL)
    return FALSE;

  for (const char *p = nonce; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }

  return len >= 16 && len <= EK_INTEGRITY_NONCE_MAX;
}

/**
 * ek_integrity_mac:
 *
 * Returns: HMAC-SHA256 under @key of the lines "ek-integrity-v1", @nonce,
 *   @exe_hash, @policy_hash, @method, @path (joined by "\n", no final newline), as
 *   64 lowercase hex digits
 */
char *
ek_integrity_mac (GBytes     *key,
                  const char *nonce,
                  const char *exe_hash,
                  const char *policy_hash,
                  const char *method,
                  const char *path)
{
  g_autoptr(GHmac) hmac = NULL;
  const char * const lines[] = { MAC_CONTEXT, nonce, exe_hash, policy_hash, method, path };
  gsize key_len = 0;
  const guint8 *key_data;

  g_return_val_if_fail (key != NULL, NULL);

  key_data = g_bytes_get_data (key, &key_len);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_len);
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_return_val_if_fail (lines[i] != NULL, NULL);
      if (i > 0)
        g_hmac_update (hmac, (const guchar *) "\n", 1);
      g_hmac_update (hmac, (const guchar *) lines[i], (gssize) strlen (lines[i]));
    }

  return g_strdup (g_hmac_get_string (hmac));
}

/**
 * ek_integrity_header_value:
 * @policy_hash: (nullable): without a session, %NULL
 * @nonce: (nullable): without a session, %NULL
 * @key: (nullable): without a session, %NULL
 *
 * Returns: the value of the EK-Integrity header: "v=1; exe=HEX" before a session,
 *   "v=1; exe=HEX; policy=HEX; nonce=NONCE; mac=HEX" within one
 */
char *
ek_integrity_header_value (const char *exe_hash,
                           const char *policy_hash,
                           const char *nonce,
                           GBytes     *key,
                           const char *method,
                           const char *path)
{
  g_autofree char *mac = NULL;

  g_return_val_if_fail (exe_hash != NULL, NULL);

  if (policy_hash == NULL || nonce == NULL || key == NULL)
    return g_strdup_printf ("v=1; exe=%s", exe_hash);

  mac = ek_integrity_mac (key, nonce, exe_hash, policy_hash, method, path);
  return g_strdup_printf ("v=1; exe=%s; policy=%s; nonce=%s; mac=%s",
                          exe_hash, policy_hash, nonce, mac);
}
