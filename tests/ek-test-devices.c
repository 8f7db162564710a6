/* ek-test-devices.c: a device provider of test sources (see ek-test-devices.h) */

#include "config.h"

#include "ek-test-devices.h"

/* The fake devices */

struct _EkTestDevice
{
  GstDevice   parent_instance;
  gboolean    camera;
  guint       created;      /* elements made from this device */
  GstElement *last;         /* weak: the newest of them */
};

G_DEFINE_FINAL_TYPE (EkTestDevice, ek_test_device, GST_TYPE_DEVICE)

static GstElement *
ek_test_device_create_element (GstDevice  *device,
                               const char *name)
{
  EkTestDevice *self = EK_TEST_DEVICE (device);
  GstElement *element;

  if (self->camera)
    element = gst_parse_bin_from_description ("videotestsrc is-live=true pattern=ball ! "
                                              "video/x-raw,format=YUY2,width=640,height=480,"
                                              "framerate=30/1",
                                              TRUE, NULL);
  else
    /* stamped with the pipeline's running time, as a capture device is */
    element = gst_parse_launch ("audiotestsrc is-live=true do-timestamp=true samplesperbuffer=960 "
                                "wave=sine freq=440 volume=0.2", NULL);
  g_assert_nonnull (element);
  if (name != NULL)
    gst_object_set_name (GST_OBJECT (element), name);

  self->created++;
  if (self->last != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last), (gpointer *) &self->last);
  self->last = element;
  g_object_add_weak_pointer (G_OBJECT (element), (gpointer *) &self->last);

  return element;
}

static void
ek_test_device_finalize (GObject *object)
{
  EkTestDevice *self = EK_TEST_DEVICE (object);

  if (self->last != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->last), (gpointer *) &self->last);

  G_OBJECT_CLASS (ek_test_device_parent_class)->finalize (object);
}

static void
ek_test_device_class_init (EkTestDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ek_test_device_finalize;
  GST_DEVICE_CLASS (klass)->create_element = ek_test_device_create_element;
}

static void
ek_test_device_init (EkTestDevice *self)
{
}

EkTestDevice *
ek_test_device_new (gboolean    camera,
                 const char *name,
                 const char *path)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string (camera ? "video/x-raw" : "audio/x-raw");
  g_autoptr(GstStructure) props = gst_structure_new ("props",
                                                     "device.path", G_TYPE_STRING, path,
                                                     NULL);
  EkTestDevice *device = gst_object_ref_sink (g_object_new (EK_TYPE_TEST_DEVICE,
                                       "display-name", name,
                                       "device-class", camera ? "Video/Source" : "Audio/Source",
                                       "caps", caps,
                                       "properties", props,
                                       NULL));

  device->camera = camera;
  return device;
}

/* The fake provider: a monitor started on it sees devices come and go. (The
 * base class forgets the devices when the last monitor stops.) */

#define EK_TYPE_TEST_DEVICE_PROVIDER (ek_test_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (EkTestDeviceProvider, ek_test_device_provider, EK, TEST_DEVICE_PROVIDER,
                      GstDeviceProvider)

struct _EkTestDeviceProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (EkTestDeviceProvider, ek_test_device_provider, GST_TYPE_DEVICE_PROVIDER)

/* What is plugged in, owned; the provider announces these. */
static GPtrArray *plugged;   /* lazily made */

static GList *
ek_test_device_provider_probe (GstDeviceProvider *provider)
{
  GList *list = NULL;

  for (guint i = 0; plugged != NULL && i < plugged->len; i++)
    list = g_list_append (list, gst_object_ref (g_ptr_array_index (plugged, i)));

  return list;
}

static gboolean
ek_test_device_provider_start (GstDeviceProvider *provider)
{
  for (guint i = 0; plugged != NULL && i < plugged->len; i++)
    gst_device_provider_device_add (provider, g_ptr_array_index (plugged, i));

  return TRUE;
}

static void
ek_test_device_provider_class_init (EkTestDeviceProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->probe = ek_test_device_provider_probe;
  provider_class->start = ek_test_device_provider_start;
  gst_device_provider_class_set_static_metadata (provider_class, "ExamKiosk test devices",
                                                 "Source/Video/Audio",
                                                 "Cameras and a microphone made of test sources",
                                                 "ExamKiosk");
}

static void
ek_test_device_provider_init (EkTestDeviceProvider *self)
{
}

static gboolean
plugin_init (GstPlugin *plugin)
{
  return gst_device_provider_register (plugin, "ektestdeviceprovider", GST_RANK_PRIMARY,
                                       EK_TYPE_TEST_DEVICE_PROVIDER);
}

static GstDeviceProvider *
test_provider (void)
{
  static GstDeviceProvider *provider;

  if (provider == NULL)
    provider = gst_device_provider_factory_get_by_name ("ektestdeviceprovider");
  g_assert_nonnull (provider);
  return provider;
}

void
ek_test_device_plug (EkTestDevice *device)
{
  if (plugged == NULL)
    plugged = g_ptr_array_new_with_free_func (gst_object_unref);
  g_ptr_array_add (plugged, gst_object_ref (device));
  if (gst_device_provider_is_started (test_provider ()))
    gst_device_provider_device_add (test_provider (), GST_DEVICE (device));
}

void
ek_test_device_unplug (EkTestDevice *device)
{
  if (plugged == NULL || !g_ptr_array_remove (plugged, device))
    return;
  if (gst_device_provider_is_started (test_provider ()))
    gst_device_provider_device_remove (test_provider (), GST_DEVICE (device));
}

void
ek_test_devices_register (void)
{
  /* The providers this machine has (v4l2, PulseAudio, ALSA) stay registered:
   * the product must find its devices among theirs. */
  g_assert_true (gst_plugin_register_static (GST_VERSION_MAJOR, GST_VERSION_MINOR,
                                             "ektestdevices", "Test cameras and microphone",
                                             plugin_init, "1.0", "LGPL", "ExamKiosk",
                                             "ExamKiosk", "https://example.invalid"));
}

void
ek_test_devices_unplug_all (void)
{
  while (plugged != NULL && plugged->len > 0)
    ek_test_device_unplug (g_ptr_array_index (plugged, plugged->len - 1));
}

guint
ek_test_device_get_created (EkTestDevice *device)
{
  return device->created;
}

GstElement *
ek_test_device_get_last (EkTestDevice *device)
{
  return device->last;
}

/* Pulled out while in use: its newest element reports the error v4l2src and
 * alsasrc post when their device goes, then the provider removes it. */
void
ek_test_device_pull_out (EkTestDevice *device)
{
  g_autoptr(GError) gone = g_error_new_literal (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
                                                "Could not read from resource.");

  g_assert_nonnull (device->last);
  gst_element_post_message (device->last,
                            gst_message_new_error (GST_OBJECT (device->last), gone,
                                                   "test: the device was pulled out"));
  ek_test_device_unplug (device);
}
