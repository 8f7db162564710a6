/* ek-self-watch.c: the kiosk's own process, watched from inside (Linux) */

#define _GNU_SOURCE  /* dl_iterate_phdr */

#include "config.h"

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "ek-self-watch.h"

struct _EkSelfWatch
{
  GHashTable *known_code;   /* path -> path: executable mappings seen and accepted */
  gint64      last_tick_us; /* monotonic; 0 before the first tick */
};

static int
add_loaded_object_cb (struct dl_phdr_info *info,
                      size_t               size,
                      void                *data)
{
  GHashTable *loaded = data;

  if (info->dlpi_name != NULL && info->dlpi_name[0] == '/')
    {
      char *real = realpath (info->dlpi_name, NULL);

      g_hash_table_add (loaded, g_strdup (real != NULL ? real : info->dlpi_name));
      free (real);
    }
  return 0;
}

/* Returns: (transfer full): the files the dynamic loader loaded (realpaths) */
static GHashTable *
loaded_objects (void)
{
  GHashTable *loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  char *exe = realpath ("/proc/self/exe", NULL);

  if (exe != NULL)
    g_hash_table_add (loaded, exe);
  dl_iterate_phdr (add_loaded_object_cb, loaded);
  return loaded;
}

/* Returns: (transfer full): the paths of every executable mapping, "[anonymous]" not
 * included (a JIT may make those) */
static GPtrArray *
code_mappings (void)
{
  g_autofree char *maps = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
    return paths;

  lines = g_strsplit (maps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char perms[8] = "";
      int path_at = 0;

      /* address perms offset dev inode path */
      if (sscanf (lines[i], "%*s %7s %*s %*s %*s %n", perms, &path_at) < 1 || path_at == 0 ||
          strchr (perms, 'x') == NULL || lines[i][path_at] == '\0' || lines[i][path_at] == '[')
        continue;
      g_ptr_array_add (paths, g_strdup (lines[i] + path_at));
    }
  return paths;
}

/* A library the kiosk may load while it runs (GStreamer plugins, GIO modules, input
 * methods): loaded through the dynamic loader, from a system folder, and root's. */
static gboolean
is_system_library (const char *path,
                   GHashTable *loaded)
{
  static const char * const system_dirs[] = { "/usr/", "/lib/", "/lib64/", NULL };
  struct stat st;
  gboolean in_system_dir = FALSE;

  for (guint i = 0; system_dirs[i] != NULL; i++)
    in_system_dir = in_system_dir || g_str_has_prefix (path, system_dirs[i]);

  return in_system_dir && g_hash_table_contains (loaded, path) && stat (path, &st) == 0 &&
         st.st_uid == 0 && (st.st_mode & 022) == 0;
}

/**
 * ek_self_watch_harden:
 *
 * Makes the process non-dumpable: no core file with the exam in it, and no debugger
 * attaches without privileges.
 *
 * Returns: whether it worked
 */
gboolean
ek_self_watch_harden (void)
{
  return prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
}

/**
 * ek_self_watch_new:
 *
 * Notes the code mapped now (the kiosk as it started, checked at engage).
 */
EkSelfWatch *
ek_self_watch_new (void)
{
  EkSelfWatch *watch = g_new0 (EkSelfWatch, 1);
  g_autoptr(GPtrArray) paths = code_mappings ();

  watch->known_code = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < paths->len; i++)
    g_hash_table_add (watch->known_code, g_strdup (g_ptr_array_index (paths, i)));
  return watch;
}

void
ek_self_watch_free (EkSelfWatch *watch)
{
  if (watch == NULL)
    return;

  g_hash_table_unref (watch->known_code);
  g_free (watch);
}

/**
 * ek_self_watch_find_foreign_code:
 *
 * Code mapped since the last look that the kiosk did not load itself: a file mapped
 * executable past the dynamic loader, a deleted or memory file, or a library from
 * outside the system folders (what a debugger's dlopen brings). Each is reported once.
 *
 * Returns: (transfer full) (nullable): the paths, comma-separated, or %NULL
 */
char *
ek_self_watch_find_foreign_code (EkSelfWatch *watch)
{
  g_autoptr(GPtrArray) paths = code_mappings ();
  g_autoptr(GHashTable) loaded = NULL;
  g_autoptr(GString) foreign = NULL;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      if (g_hash_table_contains (watch->known_code, path))
        continue;
      /* GStreamer's ORC compiles its SIMD code into a temporary file that it maps
       * executable (orcexec.XXXXXX, deleted at once): the recorder's own. */
      if (strstr (path, "/orcexec.") != NULL)
        continue;
      if (loaded == NULL)
        loaded = loaded_objects ();
      g_hash_table_add (watch->known_code, g_strdup (path));
      if (is_system_library (path, loaded))
        continue;

      if (foreign == NULL)
        foreign = g_string_new (NULL);
      else
        g_string_append (foreign, ", ");
      g_string_append (foreign, path);
    }

  return foreign != NULL ? g_string_free (g_steal_pointer (&foreign), FALSE) : NULL;
}

/**
 * ek_self_watch_tick:
 *
 * Call often from the main loop.
 *
 * Returns: the milliseconds since the previous tick (0 on the first): a long gap means
 *   the process was stopped, or its main loop blocked
 */
gint64
ek_self_watch_tick (EkSelfWatch *watch)
{
  gint64 now = g_get_monotonic_time ();
  gint64 gap_ms = watch->last_tick_us != 0 ? (now - watch->last_tick_us) / 1000 : 0;

  watch->last_tick_us = now;
  return gap_ms;
}
