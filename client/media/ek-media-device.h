/* ek-media-device.h: a camera or microphone the candidate can pick
 *
 * Listed from GstDeviceMonitor (or the test sources when the config says so). The
 * id is what the caller remembers and gives back to EkRecorder: a stable string
 * from the device's properties (PipeWire node name, V4L2 or ALSA path), not its
 * display name where that can be avoided.
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "ek-config.h"

G_BEGIN_DECLS

typedef enum
{
  EK_MEDIA_DEVICE_CAMERA,
  EK_MEDIA_DEVICE_MICROPHONE,
} EkMediaDeviceKind;

#define EK_TYPE_MEDIA_DEVICE (ek_media_device_get_type ())

typedef struct _EkMediaDevice EkMediaDevice;

GType              ek_media_device_get_type         (void) G_GNUC_CONST;

EkMediaDevice     *ek_media_device_ref              (EkMediaDevice        *self);
void               ek_media_device_unref            (EkMediaDevice        *self);
EkMediaDeviceKind  ek_media_device_get_kind         (const EkMediaDevice  *self);
const char        *ek_media_device_get_id           (const EkMediaDevice  *self);
const char        *ek_media_device_get_display_name (const EkMediaDevice  *self);

void               ek_media_device_list_async       (EkMediaSource         source,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
GPtrArray         *ek_media_device_list_finish      (GAsyncResult         *result,
                                                     GError              **error);

/* For EkRecorder: the id of a GstDevice, and its kind (FALSE if neither). */
char              *ek_media_device_id_for_gst_device (GstDevice           *device);
gboolean           ek_media_device_kind_for_gst_device (GstDevice         *device,
                                                       EkMediaDeviceKind   *kind);

/* The GstDevice of @kind with @id (the first of @kind with %NULL) now. */
GstDevice         *ek_media_device_find             (EkMediaDeviceKind     kind,
                                                     const char           *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkMediaDevice, ek_media_device_unref)

G_END_DECLS
