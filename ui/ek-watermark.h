/* ek-watermark.h: a faint, slowly moving seat number and time over the exam page
 *
 * So that a photo of the screen can be traced to the seat and the moment. It takes no
 * input and moves every few seconds so it cannot be hidden behind a fixed sticker.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define EK_TYPE_WATERMARK (ek_watermark_get_type ())

G_DECLARE_FINAL_TYPE (EkWatermark, ek_watermark, EK, WATERMARK, GtkWidget)

GtkWidget  *ek_watermark_new      (const char  *seat);
void        ek_watermark_set_seat (EkWatermark *self,
                                   const char  *seat);
const char *ek_watermark_get_seat (EkWatermark *self);
const char *ek_watermark_get_text (EkWatermark *self);
void        ek_watermark_keep_clear (EkWatermark *self,
                                     GListModel  *sheets);

G_END_DECLS
