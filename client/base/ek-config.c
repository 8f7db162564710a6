/* ek-config.c: the kiosk's configuration
 *
 * Looked up in this order: the file given with --config, then
 * $XDG_CONFIG_HOME/exam-kiosk/exam-kiosk.conf, then SYSCONFDIR/exam-kiosk/exam-kiosk.conf;
 * with none of them the built-in defaults apply. Every value is checked when the
 * file is read, so a mistake (a wrong value, an unknown key, a line that is no key
 * file's) shows at start-up with the file, the line and the key named, not in the
 * middle of an exam.
 *
 * A formal or mock exam reads only the system-wide file (ek_config_dup_for_formal()):
 * a file in the candidate's own account must not choose the server, the trust anchors,
 * the proxy, test media or the quit password. What such a file sets differently is
 * listed (ek_config_get_ignored_in_formal()) for the log and the device check.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-config.h"
#include "ek-private-files.h"
#include "ek-password-hash.h"

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
  char          *language;     /* nullable: the session's language */
  char          *quit_password_hash; /* nullable: the exam's, if it has one */

  gboolean       user_file;    /* @source is a file in the user's own account */
  EkConfig      *system;       /* owned, nullable: the system-wide file's, beside a user's */
  char         **ignored_in_formal; /* owned: "[group] key" a user's file sets otherwise */
};

/* Every key a configuration may hold: anything else is a mistake (a typo such as
 * "pinned_key" would otherwise silently leave the server unpinned). */
static const struct
{
  const char *group;
  const char *key;
} known_keys[] = {
  { "server", "url" },
  { "server", "pinned-key" },
  { "server", "ca-file" },
  { "network", "proxy" },
  { "storage", "data-dir" },
  { "media", "source" },
  { "login", "face-login-exam" },
  { "general", "language" },
  { "lockdown", "quit-password-hash" },
};

/* The languages the kiosk is translated into (po/LINGUAS and the source's). */
static const char * const languages[] = { "en", "zh_CN", NULL };

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

/* Lines, as GKeyFile reads them */

typedef enum
{
  LINE_BLANK,     /* empty or a comment */
  LINE_GROUP,     /* [name] */
  LINE_KEY,       /* key = value */
  LINE_INVALID,
} LineKind;

/* Classifies @line (without its end); @name gets the group or the key (without a
 * [locale] suffix). */
static LineKind
classify_line (const char  *line,
               char       **name)
{
  const char *p = line;
  const char *eq;
  g_autofree char *key = NULL;

  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0' || *p == '#')
    return LINE_BLANK;

  if (*p == '[')
    {
      const char *end = strchr (p, ']');

      if (end == NULL || end == p + 1)
        return LINE_INVALID;
      *name = g_strndup (p + 1, end - p - 1);
      return LINE_GROUP;
    }

  eq = strchr (p, '=');
  if (eq == NULL || eq == p)
    return LINE_INVALID;

  key = g_strstrip (g_strndup (p, eq - p));
  if (*key == '\0')
    return LINE_INVALID;
  if (strchr (key, '[') != NULL)
    *strchr (key, '[') = '\0';
  *name = g_steal_pointer (&key);
  return LINE_KEY;
}

/* Returns: (transfer full): the lines of @data; a NUL byte ends a line as well */
static char **
split_lines (const char *data,
             gsize       length)
{
  GPtrArray *lines = g_ptr_array_new ();
  gsize start = 0;

  for (gsize i = 0; i <= length; i++)
    {
      if (i == length || data[i] == '\n' || data[i] == '\0')
        {
          gsize end = i;

          if (end > start && data[end - 1] == '\r')
            end--;
          if (i < length || end > start)
            g_ptr_array_add (lines, g_strndup (data + start, end - start));
          start = i + 1;
        }
    }
  g_ptr_array_add (lines, NULL);

  return (char **) g_ptr_array_free (lines, FALSE);
}

/* Returns: the line (from 1) where @key of @group is set, the last one as GKeyFile
 * reads it; 0 when it is not set */
static guint
find_key_line (char       **lines,
               const char  *group,
               const char  *key)
{
  g_autofree char *current = NULL;
  guint found = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;

      switch (classify_line (lines[i], &name))
        {
        case LINE_GROUP:
          g_free (current);
          current = g_steal_pointer (&name);
          break;
        case LINE_KEY:
          if (g_strcmp0 (current, group) == 0 && g_str_equal (name, key))
            found = i + 1;
          break;
        case LINE_BLANK:
        case LINE_INVALID:
        default:
          break;
        }
    }

  return found;
}

/* The first line that is not blank, a comment, a group or a key of a group. */
static guint
find_invalid_line (char **lines)
{
  gboolean in_group = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      LineKind kind = classify_line (lines[i], &name);

      if (kind == LINE_INVALID || (kind == LINE_KEY && !in_group) ||
          !g_utf8_validate (lines[i], -1, NULL))
        return i + 1;
      if (kind == LINE_GROUP)
        in_group = TRUE;
    }

  return 0;
}

static gboolean
key_is_known (const char *group,
              const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (known_keys); i++)
    {
      if (g_str_equal (known_keys[i].group, group) &&
          (key == NULL || g_str_equal (known_keys[i].key, key)))
        return TRUE;
    }

  return FALSE;
}

/* An unknown group or key: the first one, with its line. */
static gboolean
check_known_keys (char       **lines,
                  const char  *source,
                  GError     **error)
{
  g_autofree char *current = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = NULL;

      switch (classify_line (lines[i], &name))
        {
        case LINE_GROUP:
          if (!key_is_known (name, NULL))
            {
              g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_UNKNOWN_KEY,
                           /* Translators: 1: file, 2: line number, 3: a group such as [server] */
                           _("The configuration file %1$s, line %2$u: there is no group [%3$s] "
                             "(a misspelling?)."),
                           source, i + 1, name);
              return FALSE;
            }
          g_free (current);
          current = g_steal_pointer (&name);
          break;
        case LINE_KEY:
          if (current != NULL && !key_is_known (current, name))
            {
              g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_UNKNOWN_KEY,
                           /* Translators: 1: file, 2: line number, 3: a key, 4: a group */
                           _("The configuration file %1$s, line %2$u: there is no key “%3$s” "
                             "in [%4$s] (a misspelling?)."),
                           source, i + 1, name, current);
              return FALSE;
            }
          break;
        case LINE_BLANK:
        case LINE_INVALID:
        default:
          break;
        }
    }

  return TRUE;
}

typedef struct
{
  const char  *source;
  char       **lines;
} Reading;

static gboolean
invalid_value (GError        **error,
               const Reading  *reading,
               const char     *group,
               const char     *key,
               const char     *why)
{
  guint line = find_key_line (reading->lines, group, key);

  g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_INVALID_VALUE,
               /* Translators: 1: file, 2: line number, 3: group, 4: key, 5: the reason */
               _("The configuration file %1$s, line %2$u: a wrong value for [%3$s] %4$s: %5$s"),
               reading->source, line, group, key, why);
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

/* Returns: %TRUE with @out the value, or %NULL when absent or empty; %FALSE (and
 * @error) for a value GKeyFile cannot read, such as a wrong escape. */
static gboolean
read_optional_string (GKeyFile       *file,
                      const Reading  *reading,
                      const char     *group,
                      const char     *key,
                      char          **out,
                      GError        **error)
{
  g_autofree char *raw = g_key_file_get_value (file, group, key, NULL);
  g_autofree char *value = NULL;

  *out = NULL;
  if (raw == NULL)
    return TRUE;

  if (!escapes_are_valid (raw) ||
      (value = g_key_file_get_string (file, group, key, NULL)) == NULL)
    return invalid_value (error, reading, group, key,
                          _("a “\\” may only be followed by s, n, t, r or another “\\”"));

  g_strstrip (value);
  if (*value != '\0')
    *out = g_steal_pointer (&value);

  return TRUE;
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
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->quit_password_hash, g_free);
  g_clear_object (&self->system);
  g_clear_pointer (&self->ignored_in_formal, g_strfreev);

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

static void
set_str (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

/* The values of a file, checked; what ek_config_load_from_data() commits. */
typedef struct
{
  char          *server_url;
  char          *pinned_key;
  char          *ca_file;
  char          *data_dir;
  EkMediaSource  media_source;
  char          *face_login_exam;
  char          *proxy;
  char          *language;
  char          *quit_password_hash;
} Values;

static void
values_clear (Values *values)
{
  g_free (values->server_url);
  g_free (values->pinned_key);
  g_free (values->ca_file);
  g_free (values->data_dir);
  g_free (values->face_login_exam);
  g_free (values->proxy);
  g_free (values->language);
  g_free (values->quit_password_hash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Values, values_clear)

static gboolean
read_server (GKeyFile       *file,
             const Reading  *reading,
             Values         *values,
             GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!read_optional_string (file, reading, "server", "url", &values->server_url, error))
    return FALSE;
  if (values->server_url != NULL && !ek_server_url_is_acceptable (values->server_url, &local_error))
    return invalid_value (error, reading, "server", "url", local_error->message);

  if (!read_optional_string (file, reading, "server", "pinned-key", &values->pinned_key, error))
    return FALSE;
  if (values->pinned_key != NULL && !pinned_key_is_valid (values->pinned_key))
    return invalid_value (error, reading, "server", "pinned-key",
                          _("expected sha256// followed by the base64 SHA-256 of the "
                            "server's public key"));

  if (!read_optional_string (file, reading, "server", "ca-file", &values->ca_file, error))
    return FALSE;
  if (values->ca_file != NULL && (!g_path_is_absolute (values->ca_file) ||
                                  !g_file_test (values->ca_file, G_FILE_TEST_IS_REGULAR)))
    return invalid_value (error, reading, "server", "ca-file",
                          _("it must be the absolute path of an existing certificate file"));

  if (!read_optional_string (file, reading, "network", "proxy", &values->proxy, error))
    return FALSE;
  if (values->proxy != NULL && !proxy_is_valid (values->proxy))
    return invalid_value (error, reading, "network", "proxy",
                          _("it must be a proxy address like http://proxy.example:3128 "
                            "or socks5h://proxy.example:1080, without a user name"));

  return TRUE;
}

static gboolean
read_kiosk (GKeyFile       *file,
            const Reading  *reading,
            Values         *values,
            GError        **error)
{
  g_autofree char *media = NULL;

  if (!read_optional_string (file, reading, "storage", "data-dir", &values->data_dir, error))
    return FALSE;
  if (values->data_dir != NULL && !g_path_is_absolute (values->data_dir))
    return invalid_value (error, reading, "storage", "data-dir", _("it must be an absolute path"));

  if (!read_optional_string (file, reading, "media", "source", &media, error))
    return FALSE;
  if (media == NULL || g_str_equal (media, "auto"))
    values->media_source = EK_MEDIA_SOURCE_AUTO;
  else if (g_str_equal (media, "test"))
    values->media_source = EK_MEDIA_SOURCE_TEST;
  else
    return invalid_value (error, reading, "media", "source", _("it must be “auto” or “test”"));

  if (!read_optional_string (file, reading, "login", "face-login-exam", &values->face_login_exam, error))
    return FALSE;
  if (values->face_login_exam != NULL && !exam_id_is_valid (values->face_login_exam))
    return invalid_value (error, reading, "login", "face-login-exam",
                          _("it must be an exam id: 1 to 64 letters, digits, “.”, “_” or “-”"));

  if (!read_optional_string (file, reading, "general", "language", &values->language, error))
    return FALSE;
  if (values->language != NULL && !g_strv_contains (languages, values->language))
    return invalid_value (error, reading, "general", "language",
                          _("it must be “zh_CN” or “en”, or empty for the session's language"));

  if (!read_optional_string (file, reading, "lockdown", "quit-password-hash",
                             &values->quit_password_hash, error))
    return FALSE;
  if (values->quit_password_hash != NULL &&
      !ek_password_hash_is_valid (values->quit_password_hash))
    return invalid_value (error, reading, "lockdown", "quit-password-hash",
                          _("it must be a hash made as docs/DEPLOYMENT.md says: "
                            "pbkdf2-sha256$ITERATIONS$SALT$HASH, 1000 to 10000000 iterations"));

  return TRUE;
}

/**
 * ek_config_load_from_data:
 * @source: the file name to name in messages
 *
 * Reads a configuration. Missing keys keep their defaults; a mistake (a wrong value,
 * an unknown group or key, a line that is not a key file's) fails the whole load with
 * the file and line named, and @self is then unchanged.
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
  g_auto(GStrv) lines = NULL;
  g_auto(Values) values = { NULL, };
  gsize size;
  Reading reading;

  g_return_val_if_fail (EK_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  size = length < 0 ? strlen (data) : (gsize) length;
  lines = split_lines (data, size);
  reading.source = source;
  reading.lines = lines;

  if (!g_key_file_load_from_data (file, data, size, G_KEY_FILE_NONE, &local_error))
    {
      guint line = find_invalid_line (lines);

      if (line > 0)
        g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_PARSE,
                     /* Translators: 1: file, 2: line number, 3: GLib's reason */
                     _("The configuration file %1$s, line %2$u, cannot be read: %3$s"),
                     source, line, local_error->message);
      else
        g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_PARSE,
                     _("The configuration file %s cannot be read: %s"),
                     source, local_error->message);
      return FALSE;
    }

  if (!check_known_keys (lines, source, error) ||
      !read_server (file, &reading, &values, error) ||
      !read_kiosk (file, &reading, &values, error))
    return FALSE;

  g_free (self->source);
  self->source = g_strdup (source);
  if (values.server_url != NULL)
    set_str (&self->server_url, values.server_url);
  set_str (&self->pinned_key, values.pinned_key);
  set_str (&self->ca_file, values.ca_file);
  if (values.data_dir != NULL)
    set_str (&self->data_dir, values.data_dir);
  self->media_source = values.media_source;
  set_str (&self->face_login_exam, values.face_login_exam);
  set_str (&self->proxy, values.proxy);
  set_str (&self->language, values.language);
  set_str (&self->quit_password_hash, values.quit_password_hash);

  return TRUE;
}

static EkConfig *
load_file (const char  *path,
           gboolean     may_be_missing,
           GError     **error)
{
  g_autoptr(EkConfig) self = ek_config_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (may_be_missing && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;

      g_set_error (error, EK_CONFIG_ERROR, EK_CONFIG_ERROR_NOT_FOUND,
                   _("The configuration file %s cannot be opened: %s"),
                   path, local_error->message);
      return NULL;
    }

  if (!ek_config_load_from_data (self, contents, (gssize) length, path, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* "[group] key" of every value @a and @b do not share. */
static char **
list_differences (EkConfig *a,
                  EkConfig *b)
{
  GPtrArray *keys = g_ptr_array_new ();

#define DIFFERS(field, name) \
  if (g_strcmp0 (a->field, b->field) != 0) g_ptr_array_add (keys, g_strdup (name))
  DIFFERS (server_url, "[server] url");
  DIFFERS (pinned_key, "[server] pinned-key");
  DIFFERS (ca_file, "[server] ca-file");
  DIFFERS (proxy, "[network] proxy");
  DIFFERS (data_dir, "[storage] data-dir");
  DIFFERS (face_login_exam, "[login] face-login-exam");
  DIFFERS (language, "[general] language");
  DIFFERS (quit_password_hash, "[lockdown] quit-password-hash");
#undef DIFFERS
  if (a->media_source != b->media_source)
    g_ptr_array_add (keys, g_strdup ("[media] source"));
  g_ptr_array_add (keys, NULL);

  return (char **) g_ptr_array_free (keys, FALSE);
}

/**
 * ek_config_load_files:
 * @user_path: (nullable): the user's file, which may be missing
 * @system_path: the system-wide file, which may be missing
 *
 * What ek_config_load() does without --config, from other places (for tests): the
 * user's file if there is one, else the system-wide file, else the defaults. Beside a
 * user's file the system-wide one is read as well, for ek_config_dup_for_formal(); a
 * mistake in either fails the load.
 *
 * Returns: (transfer full): the configuration, or %NULL with the file and line named
 */
EkConfig *
ek_config_load_files (const char  *user_path,
                      const char  *system_path,
                      GError     **error)
{
  g_autoptr(EkConfig) user = NULL;
  g_autoptr(EkConfig) system = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (system_path != NULL, NULL);

  if (user_path != NULL)
    {
      user = load_file (user_path, TRUE, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  system = load_file (system_path, TRUE, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (user == NULL)
    return system != NULL ? g_steal_pointer (&system) : ek_config_new ();

  user->user_file = TRUE;
  if (system == NULL)
    system = ek_config_new ();
  g_strfreev (user->ignored_in_formal);
  user->ignored_in_formal = list_differences (user, system);
  user->system = g_steal_pointer (&system);

  return g_steal_pointer (&user);
}

/**
 * ek_config_load:
 * @path: (nullable): a file named on the command line, which must exist
 *
 * Returns: (transfer full): the configuration, or %NULL with a message that
 *   names the file, the line and the key
 */
EkConfig *
ek_config_load (const char  *path,
                GError     **error)
{
  g_autofree char *user_path = NULL;
  g_autofree char *system_path = NULL;

  /* Named on the command line: that file alone, as the technician asked. */
  if (path != NULL)
    return load_file (path, FALSE, error);

  user_path = g_build_filename (g_get_user_config_dir (), "exam-kiosk", CONFIG_BASENAME, NULL);
  system_path = g_build_filename (SYSCONFDIR, "exam-kiosk", CONFIG_BASENAME, NULL);

  return ek_config_load_files (user_path, system_path, error);
}

/**
 * ek_config_dup_for_formal:
 *
 * The configuration a formal or mock exam runs with: the system-wide file's when
 * @self came from a file in the user's own account (which must not choose the exam
 * server, the trust anchors, the proxy, test media or the quit password), else
 * @self. Logs a warning naming what the user's file set otherwise.
 *
 * Returns: (transfer full): the configuration for the exam
 */
EkConfig *
ek_config_dup_for_formal (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);

  if (!self->user_file || self->system == NULL)
    return g_object_ref (self);

  if (self->ignored_in_formal != NULL && self->ignored_in_formal[0] != NULL)
    {
      g_autofree char *keys = g_strjoinv (", ", self->ignored_in_formal);

      g_warning ("Formal exam: %s sets %s otherwise than the system-wide configuration %s; "
                 "a formal or mock exam reads only the system-wide file",
                 self->source, keys,
                 self->system->source != NULL ? self->system->source : "(none: the defaults)");
    }

  return g_object_ref (self->system);
}

/**
 * ek_config_get_ignored_in_formal:
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): "[group] key" of every
 *   value the user's file sets otherwise than the system-wide one, which a formal exam
 *   ignores; %NULL or empty when there is none
 */
const char * const *
ek_config_get_ignored_in_formal (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return (const char * const *) self->ignored_in_formal;
}

/**
 * ek_config_get_system:
 *
 * Returns: (transfer none) (nullable): beside a user's file, the system-wide one's
 *   configuration (the defaults when there is no such file); %NULL otherwise
 */
EkConfig *
ek_config_get_system (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->system;
}

/**
 * ek_config_get_language:
 *
 * Returns: (nullable): the language the kiosk speaks (`[general] language`: "zh_CN" or
 *   "en"), or %NULL for the session's
 */
const char *
ek_config_get_language (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->language;
}

/**
 * ek_config_get_quit_password_hash:
 *
 * Returns: (nullable): the technician's quit password on this computer
 *   (`[lockdown] quit-password-hash`), or %NULL: then the exam's, if it has one
 */
const char *
ek_config_get_quit_password_hash (EkConfig *self)
{
  g_return_val_if_fail (EK_IS_CONFIG (self), NULL);
  return self->quit_password_hash;
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
