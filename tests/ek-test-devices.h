/* ek-test-devices.h: a GStreamer device provider made of test sources, for the
 * tests of the real-device path (EK_MEDIA_SOURCE_AUTO) on a machine without a
 * camera. Its devices carry the properties v4l2 and PulseAudio set (device.path);
 * their elements are live test sources (cameras in a 640x480 YUY2 mode). */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define EK_TYPE_TEST_DEVICE (ek_test_device_get_type ())
G_DECLARE_FINAL_TYPE (EkTestDevice, ek_test_device, EK, TEST_DEVICE, GstDevice)

void          ek_test_devices_register   (void);
void          ek_test_devices_unplug_all (void);
EkTestDevice *ek_test_device_new         (gboolean      camera,
                                          const char   *display_name,
                                          const char   *path);
void          ek_test_device_plug        (EkTestDevice *device);
void          ek_test_device_unplug      (EkTestDevice *device);
void          ek_test_device_pull_out    (EkTestDevice *device);
guint         ek_test_device_get_created (EkTestDevice *device);
GstElement   *ek_test_device_get_last    (EkTestDevice *device);

G_END_DECLS
