/* ek-video-devices.h: cameras, and which of them are virtual
 *
 * A virtual camera (v4l2loopback, akvcam, OBS's) is recognised by its kernel driver and
 * bus, which renaming the device cannot hide: from sysfs (a device without a parent
 * bus lives under /sys/devices/virtual) and from VIDIOC_QUERYCAP.
 */
#pragma once

#include "ek-finding.h"
#include "ek-probe-sources.h"

G_BEGIN_DECLS

typedef struct
{
  char     *node;      /* "video0" */
  char     *name;      /* what the device calls itself */
  char     *driver;    /* kernel driver, e.g. "uvcvideo", "v4l2 loopback" */
  char     *bus;       /* "usb", "pci", "platform", "virtual" */
  gboolean  is_virtual;
} EkVideoDevice;

void       ek_video_device_free         (EkVideoDevice        *device);
GPtrArray *ek_video_devices_list        (const EkProbeSources *sources);
void       ek_video_devices_probe       (const EkProbeSources *sources,
                                         GPtrArray            *findings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkVideoDevice, ek_video_device_free)

G_END_DECLS
