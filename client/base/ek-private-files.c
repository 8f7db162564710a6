/* ek-private-files.c: folders and files only the kiosk's user can read */

#include "config.h"

#include "ek-private-files.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s: %s", path, g_strerror (saved_errno));
  return FALSE;
}

/**
 * ek_ensure_private_folder:
 * @path: a folder, made with its parents when missing
 * @error: a #GIOError (code from errno, message naming @path) when it cannot be made
 *
 * Makes @path a folder only its owner can enter (0700), narrowing one that is wider.
 *
 * Returns: %TRUE when @path is a private folder
 */
gboolean
ek_ensure_private_folder (const char  *path,
                          GError     **error)
{
  struct stat st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_mkdir_with_parents (path, 0700) != 0 || g_stat (path, &st) != 0)
    return set_errno_error (error, errno, path);
  if (!S_ISDIR (st.st_mode))
    return set_errno_error (error, ENOTDIR, path);
  if ((st.st_mode & 0077) != 0 && g_chmod (path, 0700) != 0)
    return set_errno_error (error, errno, path);

  return TRUE;
}

/**
 * ek_ensure_private_file:
 * @path: a file, created empty when missing; its folder is made private too
 * @error: a #GIOError when it cannot be made
 *
 * Makes @path a regular file only its owner can read (0600) before anything is
 * written to it; a symbolic link in its place is refused. SQLite gives its -wal and
 * -shm files the rights of the database file, so this covers them as well.
 *
 * Returns: %TRUE when @path is a private file
 */
gboolean
ek_ensure_private_file (const char  *path,
                        GError     **error)
{
  g_autofree char *folder = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  folder = g_path_get_dirname (path);
  if (!ek_ensure_private_folder (folder, error))
    return FALSE;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, path);
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) ||
      ((st.st_mode & 0077) != 0 && fchmod (fd, 0600) != 0))
    {
      int saved_errno = S_ISREG (st.st_mode) ? errno : EINVAL;

      close (fd);
      return set_errno_error (error, saved_errno, path);
    }
  close (fd);

  return TRUE;
}

/**
 * ek_private_files_error_reason:
 * @error: an error of ek_ensure_private_folder() or ek_ensure_private_file()
 * @path: the path given to it
 *
 * For callers that put the reason in a sentence of their own (a translated message
 * that names the file itself).
 *
 * Returns: (transfer none): the system's reason in @error's message, without the
 *   leading "@path: " (or the name of the folder of @path that failed)
 */
const char *
ek_private_files_error_reason (const GError *error,
                               const char   *path)
{
  const char *message;
  gsize path_len;

  g_return_val_if_fail (error != NULL, NULL);
  g_return_val_if_fail (path != NULL, error->message);

  /* The error names @path or one of its folders: "FOLDER: reason". */
  message = error->message;
  path_len = strlen (path);
  for (const char *colon = strstr (message, ": "); colon != NULL; colon = strstr (colon + 1, ": "))
    {
      gsize len = (gsize) (colon - message);

      if (len > 0 && len <= path_len && strncmp (message, path, len) == 0 &&
          (len == path_len || path[len] == G_DIR_SEPARATOR))
        return colon + 2;
    }
  return message;
}
