/* ek-qr.h: a QR code as a texture (libqrencode), crisp at its own size */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GdkTexture *ek_qr_texture_new (const char  *text,
                               guint        module_px,
                               GError     **error);

G_END_DECLS
