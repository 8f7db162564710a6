/* ek-system-info.h: memory and disk facts of this computer
 *
 * Each fact is read from a source a test can point elsewhere (the root of the
 * /proc tree), so the device check can be tested for every outcome.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 total_bytes;
  guint64 available_bytes;
} EkMemoryInfo;

typedef struct
{
  guint64 total_bytes;
  guint64 free_bytes;    /* available to an unprivileged user */
} EkDiskInfo;

#define EK_SYSTEM_INFO_ERROR (ek_system_info_error_quark ())

typedef enum
{
  EK_SYSTEM_INFO_ERROR_UNREADABLE,
  EK_SYSTEM_INFO_ERROR_MALFORMED,
} EkSystemInfoError;

GQuark   ek_system_info_error_quark   (void);
void     ek_system_info_set_proc_root (const char    *path);
gboolean ek_system_info_read_memory   (EkMemoryInfo  *info,
                                       GError       **error);
gboolean ek_system_info_read_disk     (const char    *path,
                                       EkDiskInfo    *info,
                                       GError       **error);

G_END_DECLS
