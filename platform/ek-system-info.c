/* ek-system-info.c: memory and disk facts of this computer (Linux) */

#include "config.h"

#include <errno.h>
#include <sys/statvfs.h>

#include "ek-system-info.h"

G_DEFINE_QUARK (ek-system-info-error-quark, ek_system_info_error)

static char *proc_root;

/**
 * ek_system_info_set_proc_root:
 * @path: (nullable): a folder laid out like /proc, or %NULL for the real one
 *
 * For tests: read /proc facts from @path instead.
 */
void
ek_system_info_set_proc_root (const char *path)
{
  g_free (proc_root);
  proc_root = g_strdup (path);
}

static gboolean
parse_meminfo_kb (const char *contents,
                  const char *key,
                  guint64    *kb)
{
  g_autofree char *needle = g_strconcat (key, ":", NULL);
  const char *line = contents;

  while (line != NULL && *line != '\0')
    {
      if (g_str_has_prefix (line, needle))
        {
          const char *p = line + strlen (needle);
          char *end = NULL;
          guint64 value;

          while (*p == ' ' || *p == '\t')
            p++;

          errno = 0;
          value = g_ascii_strtoull (p, &end, 10);
          if (errno != 0 || end == p)
            return FALSE;

          *kb = value;
          return TRUE;
        }

      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }

  return FALSE;
}

gboolean
ek_system_info_read_memory (EkMemoryInfo  *info,
                            GError       **error)
{
  g_autofree char *path = g_build_filename (proc_root ? proc_root : "/proc", "meminfo", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  guint64 total_kb = 0;
  guint64 available_kb = 0;

  g_return_val_if_fail (info != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, EK_SYSTEM_INFO_ERROR, EK_SYSTEM_INFO_ERROR_UNREADABLE,
                   "%s", local_error->message);
      return FALSE;
    }

  /* MemAvailable is the kernel's own estimate (since Linux 3.14); MemFree
   * would call the page cache used. */
  if (!parse_meminfo_kb (contents, "MemTotal", &total_kb) ||
      !parse_meminfo_kb (contents, "MemAvailable", &available_kb) ||
      total_kb == 0 || available_kb > total_kb)
    {
      g_set_error (error, EK_SYSTEM_INFO_ERROR, EK_SYSTEM_INFO_ERROR_MALFORMED,
                   "%s has no usable MemTotal/MemAvailable", path);
      return FALSE;
    }

  info->total_bytes = total_kb * 1024;
  info->available_bytes = available_kb * 1024;
  return TRUE;
}

/**
 * ek_system_info_read_disk:
 * @path: a folder on the volume to measure; the nearest existing parent is
 *   used when it does not exist yet
 */
gboolean
ek_system_info_read_disk (const char  *path,
                          EkDiskInfo  *info,
                          GError     **error)
{
  g_autofree char *probe = g_strdup (path);
  struct statvfs st;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  while (statvfs (probe, &st) != 0)
    {
      int saved_errno = errno;
      char *parent;

      if (saved_errno != ENOENT || g_str_equal (probe, "/") || g_str_equal (probe, "."))
        {
          g_set_error (error, EK_SYSTEM_INFO_ERROR, EK_SYSTEM_INFO_ERROR_UNREADABLE,
                       "%s: %s", probe, g_strerror (saved_errno));
          return FALSE;
        }

      parent = g_path_get_dirname (probe);
      g_free (probe);
      probe = parent;
    }

  info->total_bytes = (guint64) st.f_blocks * st.f_frsize;
  info->free_bytes = (guint64) st.f_bavail * st.f_frsize;
  return TRUE;
}
