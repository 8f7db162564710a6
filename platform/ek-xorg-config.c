/* ek-xorg-config.c: what the X server's configuration files say about switching away */

#include "config.h"

#include <string.h>

#include "ek-xorg-config.h"

/* Xorg compares option names without case, blanks and underscores. */
static char *
normalise_name (const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p != '_' && *p != ' ' && *p != '\t')
        g_string_append_c (out, g_ascii_tolower (*p));
    }

  return g_string_free (out, FALSE);
}

static gboolean
value_is_true (const char *value)
{
  static const char * const falses[] = { "false", "off", "no", "0", NULL };

  /* A boolean option given without a value is on. */
  if (value == NULL)
    return TRUE;

  for (guint i = 0; falses[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (value, falses[i]) == 0)
        return FALSE;
    }

  return TRUE;
}

/* Splits a line into words; quoted strings are one word, '#' starts a comment. */
static GPtrArray *
tokenize (const char *line)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  const char *p = line;

  while (*p != '\0')
    {
      const char *start;

      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0' || *p == '#')
        break;

      if (*p == '"')
        {
          start = ++p;
          while (*p != '\0' && *p != '"')
            p++;
          g_ptr_array_add (words, g_strndup (start, p - start));
          if (*p == '"')
            p++;
        }
      else
        {
          start = p;
          while (*p != '\0' && !g_ascii_isspace (*p) && *p != '#')
            p++;
          g_ptr_array_add (words, g_strndup (start, p - start));
        }
    }

  return words;
}

static void
read_file (const char        *path,
           EkXorgServerFlags *flags)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_flags = FALSE;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) words = tokenize (lines[i]);
      const char *keyword;

      if (words->len == 0)
        continue;
      keyword = g_ptr_array_index (words, 0);

      if (g_ascii_strcasecmp (keyword, "Section") == 0 && words->len > 1)
        in_flags = g_ascii_strcasecmp (g_ptr_array_index (words, 1), "ServerFlags") == 0;
      else if (g_ascii_strcasecmp (keyword, "EndSection") == 0)
        in_flags = FALSE;
      else if (in_flags && g_ascii_strcasecmp (keyword, "Option") == 0 && words->len > 1)
        {
          g_autofree char *name = normalise_name (g_ptr_array_index (words, 1));
          const char *value = words->len > 2 ? g_ptr_array_index (words, 2) : NULL;
          gboolean *flag = NULL;

          if (g_str_equal (name, "dontvtswitch"))
            flag = &flags->dont_vt_switch;
          else if (g_str_equal (name, "dontzap"))
            flag = &flags->dont_zap;

          if (flag != NULL)
            {
              *flag = value_is_true (value);
              if (*flag && flags->source == NULL)
                flags->source = g_strdup (path);
            }
        }
    }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
read_folder (const char        *folder,
             EkXorgServerFlags *flags)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (dir == NULL)
    return;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (entry, ".conf"))
        g_ptr_array_add (names, g_strdup (entry));
    }

  /* The order Xorg reads them in. */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);

      read_file (path, flags);
    }
}

/**
 * ek_xorg_config_read_server_flags:
 * @root: (nullable): the file system root to read below; %NULL for "/"
 * @flags: (out caller-allocates): what the files set; clear with
 *   ek_xorg_server_flags_clear()
 */
void
ek_xorg_config_read_server_flags (const char        *root,
                                  EkXorgServerFlags *flags)
{
  static const char * const files[] = { "etc/X11/xorg.conf", NULL };
  static const char * const folders[] = {
    "etc/X11/xorg.conf.d", "usr/share/X11/xorg.conf.d", NULL,
  };

  g_return_if_fail (flags != NULL);

  memset (flags, 0, sizeof *flags);
  if (root == NULL)
    root = "/";

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (root, files[i], NULL);

      read_file (path, flags);
    }

  for (guint i = 0; folders[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (root, folders[i], NULL);

      read_folder (path, flags);
    }

  if (!flags->dont_vt_switch && !flags->dont_zap)
    g_clear_pointer (&flags->source, g_free);
}

void
ek_xorg_server_flags_clear (EkXorgServerFlags *flags)
{
  g_clear_pointer (&flags->source, g_free);
}
