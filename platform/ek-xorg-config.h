/* ek-xorg-config.h: what the X server's configuration files say about switching away
 *
 * Ctrl+Alt+F<n> (virtual-terminal switching) and Ctrl+Alt+Backspace (the zap key) never
 * reach a client: only the server's ServerFlags "DontVTSwitch" and "DontZap" stop them.
 * They are read from xorg.conf and the xorg.conf.d folders below a root a test can point
 * elsewhere. Reading files is all a client can do: the server does not tell.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean dont_vt_switch;
  gboolean dont_zap;
  char    *source;          /* owned; the file that set them, NULL when none did */
} EkXorgServerFlags;

void ek_xorg_config_read_server_flags (const char        *root,
                                       EkXorgServerFlags *flags);
void ek_xorg_server_flags_clear       (EkXorgServerFlags *flags);

G_END_DECLS
