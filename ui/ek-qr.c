/* ek-qr.c: a QR code as a texture (libqrencode), crisp at its own size */

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <qrencode.h>

#include "ek-qr.h"

/* The standard asks for four light modules around the code. */
#define QUIET_ZONE 4

/**
 * ek_qr_texture_new:
 * @text: what the code carries
 * @module_px: pixels per module; show the texture unscaled, phones read sharp edges best
 *
 * Returns: (transfer full): a black-on-white QR code with its quiet zone, or %NULL
 */
GdkTexture *
ek_qr_texture_new (const char  *text,
                   guint        module_px,
                   GError     **error)
{
  QRcode *code;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  guint side;
  gsize stride;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (module_px > 0, NULL);

  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("The QR code could not be made: %s"), g_strerror (saved_errno));
      return NULL;
    }

  side = ((guint) code->width + 2 * QUIET_ZONE) * module_px;
  stride = (gsize) side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);

  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      {
        if (!(code->data[y * code->width + x] & 1))
          continue;

        for (guint dy = 0; dy < module_px; dy++)
          {
            guint row = (y + QUIET_ZONE) * module_px + dy;
            guint8 *p = pixels + row * stride + (gsize) (x + QUIET_ZONE) * module_px * 3;

            memset (p, 0, module_px * 3);
          }
      }

  QRcode_free (code);

  bytes = g_bytes_new_take (pixels, stride * side);
  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}
