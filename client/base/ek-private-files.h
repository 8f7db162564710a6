/* ek-private-files.h: folders and files only the kiosk's user can read
 *
 * Recordings, answers, events and the outbox are the candidate's private data: every
 * folder the kiosk makes for them is 0700 and every file 0600, also when an earlier
 * run or another tool left them wider.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ek_ensure_private_folder (const char  *path,
                                   GError     **error);
gboolean ek_ensure_private_file   (const char  *path,
                                   GError     **error);

const char *ek_private_files_error_reason (const GError *error,
                                           const char   *path);

G_END_DECLS
