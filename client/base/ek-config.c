/* ek-config.c: the kiosk's configuration
 *
 * Looked up in this order: the file given with --config, then
 * $XDG_CONFIG_HOME/exam-kiosk/exam-kiosk.conf, then SYSCONFDIR/exam-kiosk/exam-kiosk.conf;
 * with none of them the built-in defaults apply. Every value is checked when the
 * file is read, so a mistake shows at start-up with the file and key named, not
 * in the middle of an exam.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-config.h"
#include "ek-private-files.h"

#define CONFIG_BASENAME "exam-kiosk.conf"
#define DEFAULT_SERVER_URL "https://exam.example.org"

struct _EkConfig
{
  GObject        parent_instance;

  char          *source;       /* the file read, or NULL for defaults */
  char          *server_url;
  char          *pinned_key;   /* nullable */
  char          *ca_file;      /* nullable */
  char          *data_dir;
  EkMediaSource  media_source;
  char          *face_login_exam; /* nullable: no face login offered */
  char          *proxy;        /* nullable: no proxy, whatever the environment says */
};

G_DEFINE_FINAL_TYPE (EkConfig, ek_config, G_TYPE_OBJECT)
G_DEFINE_QUARK (ek-config-error-quark, ek_config_error)

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/**
 * ek_server_url_is_acceptable:
 *
 * An exam server address must be https, or http on this computer's loopback
 * (tests and the offline practice). Anything else would send the candidate's
 * session in the clear.
 */
gboolean
ek_server_url_is_acceptable (const char  *url,
                             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE,
                   _("The exam server address “%s” is not a valid web address."), url);
      return FALSE;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;

  if (g_ascii_strcasecmp (scheme, "http") == 0 && is_loopback_host (g_uri_get_host (uri)))
    return TRUE;

  g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE,
               _("The exam server address “%s” does not use a secure connection (https)."), url);
  return FALSE;
}

/* One or more "sha256//BASE64" of a SubjectPublicKeyInfo, separated by ';' (the
 * form libcurl's CURLOPT_PINNEDPUBLICKEY takes, so a key rotation can list both). */
/* "SCHEME://HOST[:PORT]" with a scheme curl speaks to a proxy; no user, no path
 * (credentials do not belong in a file technicians copy around). */
static gboolean
proxy_is_valid (const char *proxy)
{
  static const char * const schemes[] = { "http", "https", "socks4", "socks4a", "socks5",
                                          "socks5h", NULL };
  g_autoptr(GUri) uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  const char *path;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  path = g_uri_get_path (uri);
  return g_strv_contains (schemes, g_uri_get_scheme (uri)) &&
         g_uri_get_userinfo (uri) == NULL &&
         g_uri_get_query (uri) == NULL &&
         (path == NULL || *path == '\0' || g_str_equal (path, "/"));
}

static gboolean
pinned_key_is_valid (const char *pins)
{
  g_auto(GStrv) parts = g_strsplit (pins, ";", -1);

  if (parts[0] == NULL)
    return FALSE;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *b64;
      g_autofree guchar *digest = NULL;
      gsize len = 0;

      if (!g_str_has_prefix (parts[i], "sha256//"))
        return FALSE;

      b64 = parts[i] + strlen ("sha256//");
      if (strlen (b64) != 44)
        return FALSE;
      for (const char *p = b64; *p != '\0'; p++)
        {
          if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
            return FALSE;
        }

      digest = g_base64_decode (b64, &len);
      if (len != 32)
        return FALSE;
    }

  return TRUE;
}

static char *
default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "exam-kiosk", NULL);
}

static gboolean
invalid_value (GError     **error,
               const char  *source,
               const char  *key,
               const char  *why)
{
  g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE,
               /* Translators: 1: file, 2: [group] key, 3: the reason */
               _("The configuration file %1$s has a wrong value for %2$s: %3$s"),
               source, key, why);
  return FALSE;
}

/* GLib 2.74's g_key_file_get_string() sets its GError twice (a warning) on a value
 * with a bad escape followed by a "\\" at the end of the line: such a value, which
 * it would refuse anyway, is refused before it gets there. Found by fuzz-config. */
static gboolean
escapes_are_valid (const char *raw)
{
  for (const char *p = raw; *p != '\0'; p++)
    {
      if (*p != '\\')
        continue;
      p++;
      if (*p == '\0' || strchr ("sntr\\", *p) == NULL)
        return FALSE;
    }
  return TRUE;
}

static char *
read_optional_string (GKeyFile   *file,
                      const char *group,
                      const char *key)
{
  g_autofree char *raw = g_key_file_get_value (file, group, key, NULL);
  g_autofree char *value = NULL;

  if (raw == NULL || !escapes_are_valid (raw))
    return NULL;

  value = g_key_file_get_string (file, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);

  if (value == NULL || *value == '\0')
    return NULL;

  return g_steal_pointer (&value);
}

/* Protocol section 1: identifiers are [A-Za-z0-9_.-]{1,64}. */
static gboolean
exam_id_is_valid (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

static void
ek_config_finalize (GObject *object)
{
  EkConfig *self = (EkConfig *)object;

  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->pinned_key, g_free);
  g_clear_pointer (&self->proxy, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->face_login_exam, g_free);

  G_OBJECT_CLASS (ek_config_parent_class)->finalize (object);
}

static void
ek_config_class_init (EkConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_config_finalize;
}

static void
ek_config_init (EkConfig *self)
{
  self->server_url = g_strdup (DEFAULT_SERVER_URL);
  self->data_dir = default_data_dir ();
  self->media_source = EK_MEDIA_SOURCE_AUTO;
}

EkConfig *
ek_config_new (void)
{
  return g_object_new (EK_TYPE_CONFIG, NULL);
}

/**
 * ek_config_load_from_data:
 * @source: the file name to name in messages
 *
 * Reads a configuration. Missing keys keep their defaults; a wrong value
 * fails the whole load, and @self is then unchanged.
 */
gboolean
ek_config_load_from_data (EkConfig    *self,
                          const char  *data,
                          gssize       length,
                          const char  *source,
                          GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *pinned_key = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *media = NULL;
  g_autofree char *face_login_exam = NULL;
  g_autofree char *proxy = NULL;
  EkMediaSource media_source = EK_MEDIA_SOURCE_AUTO;

  g_return_val_if_fail (EK_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  if (!g_key_file_load_from_data (file, data, length < 0 ? (gsize) -1 : (gsize) length,
                                  G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_PARSE,
                   _("The configuration file %s cannot be read: %s"),
                   source, local_error->message);
      return FALSE;
    }

  server_url = read_optional_string (file, "server", "url");
  if (server_url != NULL && !ek_server_url_is_acceptable (server_url, &local_error))
    return invalid_value (error, source, "[server] url", local_error->message);

  pinned_key = read_optional_string (file, "server", "pinned-key");
  if (pinned_key != NULL && !pinned_key_is_valid (pinned_key))
    return invalid_value (error, source, "[server] pinned-key",
                          _("expected sha256// followed by the base64 SHA-256 of the "
                            "server's public key"));

  ca_file = read_optional_string (file, "server", "ca-file");
  if (ca_file != NULL && (!g_path_is_absolute (ca_file) ||
                          !g_file_test (ca_file, G_FILE_TEST_IS_REGULAR)))
    return invalid_value (error, source, "[server] ca-file",
                          _("it must be the absolute path of an existing certificate file"));

  data_dir = read_optional_string (file, "storage", "data-dir");
  if (data_dir != NULL && !g_path_is_absolute (data_dir))
    return invalid_value (error, source, "[storage] data-dir",
                          _("it must be an absolute path"));

  media = read_optional_string (file, "media", "source");
  if (media == NULL || g_str_equal (media, "auto"))
    media_source = EK_MEDIA_SOURCE_AUTO;
  else if (g_str_equal (media, "test"))
    media_source = EK_MEDIA_SOURCE_TEST;
  else
    return invalid_value (error, source, "[media] source",
                          _("it must be “auto” or “test”"));

  face_login_exam = read_optional_string (file, "login", "face-login-exam");
  if (face_login_exam != NULL && !exam_id_is_valid (face_login_exam))
    return invalid_value (error, source, "[login] face-login-exam",
                          _("it must be an exam id: 1 to 64 letters, digits, “.”, “_” or “-”"));

  proxy = read_optional_string (file, "network", "proxy");
  if (proxy != NULL && !proxy_is_valid (proxy))
    return invalid_value (error, source, "[network] proxy",
                          _("it must be a proxy address like http://proxy.example:3128 "
                            "or socks5h://proxy.example:1080, without a user name"));

  g_free (self->source);
  self->source = g_strdup (source);
  if (server_url != NULL)
    {
      g_free (self->server_url);
      self->server_url = g_steal_pointer (&server_url);
    }
  g_free (self->pinned_key);
  self->pinned_key = g_steal_pointer (&pinned_key);
  g_free (self->ca_file);
  self->ca_file = g_steal_pointer (&ca_file);
  if (data_dir != NULL)
    {
      g_free (self->data_dir);
      self->data_dir = g_steal_pointer (&data_dir);
    }
  self->media_source = media_source;
  g_free (self->face_login_exam);
  self->face_login_exam = g_steal_pointer (&face_login_exam);
  g_free (self->proxy);
  self->proxy = g_steal_pointer (&proxy);

  return TRUE;
}

/**
 * ek_config_load:
 * @path: (nullable): a file named on the command line, which must exist
 *
 * Returns: (transfer full): the configuration, or %NULL with a message that
 *   names the file and the key
 */
EkConfig *
ek_config_load (const char  *path,
                GError     **error)
{
  g_autoptr(EkConfig) self = ek_config_new ();
  g_autofree char *user_path = NULL;
  g_autofree char *system_path = NULL;
  const char *candidates[3] = { NULL, };

  if (path != NULL)
    {
      candidates[0] = path;
    }
  else
    {
      user_path = g_build_filename (g_get_user_config_dir (), "exam-kiosk", CONFIG_BASENAME, NULL);
      system_path = g_build_filename (SYSCONFDIR, "exam-kiosk", CONFIG_BASENAME, NULL);
      candidates[0] = user_path;
      candidates[1] = system_path;
    }

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (candidates[i], &contents, &length, &local_error))
        {
          if (path == NULL && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            continue;

          g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_NOT_FOUND,
                       _("The configuration file %s cannot be opened: %s"),
                       candidates[i], local_error->message);
          return NULL;
        }

      if (!ek_config_load_from_data (self, contents, (gssize) length, candidates[i], error))
        return NULL;

      break;
    }

  return g_steal_pointer (&self);
}

/* Returns: (nullable): the file the configuration came from; %NULL for defaults */
const char *
ek_config_get_source (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->source;
}

const char *
ek_config_get_server_url (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->server_url;
}

const char *
ek_config_get_pinned_key (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->pinned_key;
}

const char *
ek_config_get_ca_file (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->ca_file;
}

const char *
ek_config_get_data_dir (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->data_dir;
}

EkMediaSource
ek_config_get_media_source (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), EK_MEDIA_SOURCE_AUTO);
  return self->media_source;
}

/**
 * ek_config_ensure_data_dir:
 *
 * Creates the data folder private to the user (0700), where recordings and
 * answers are kept, and tightens it if it already exists with wider rights.
 */
gboolean
ek_config_ensure_data_dir (EkConfig  *self,
                           GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (EK_IS_CONFIG (self), FALSE);

  if (!ek_ensure_private_folder (self->data_dir, &local_error))
    {
      g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_DATA_DIR,
                   _("The folder for recordings and answers (%s) cannot be created: %s. "
                     "Ask your technician to check the disk and its permissions."),
                   self->data_dir, ek_private_files_error_reason (local_error, self->data_dir));
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_config_get_face_login_exam:
 *
 * Returns: (nullable): the exam whose candidates the login page may offer face
 *   login to (`[login] face-login-exam`), or %NULL
 */
const char *
ek_config_get_face_login_exam (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->face_login_exam;
}

/**
 * ek_config_get_proxy:
 *
 * Returns: (nullable): the proxy the deployment names (`[network] proxy`), or
 *   %NULL: then the kiosk connects directly, whatever http_proxy and the like say
 */
const char *
ek_config_get_proxy (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->proxy;
}
