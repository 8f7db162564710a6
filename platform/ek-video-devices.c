/* ek-video-devices.c: cameras, and which of them are virtual (Linux V4L2) */

#include "config.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include <glib/gi18n-lib.h>

#include "ek-video-devices.h"

static const char * const virtual_drivers[] = {
  "v4l2loopback", "v4l2 loopback", "akvcam", "obs-virtualcam", "vivid", "vcam", NULL,
};

void
ek_video_device_free (EkVideoDevice *device)
{
  if (device == NULL)
    return;

  g_free (device->node);
  g_free (device->name);
  g_free (device->driver);
  g_free (device->bus);
  g_free (device);
}

static char *
read_trimmed (const char *dir,
              const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strstrip (contents);
}

static char *
link_basename (const char *dir,
               const char *link)
{
  g_autofree char *path = g_build_filename (dir, link, NULL);
  g_autofree char *target = g_file_read_link (path, NULL);

  return target != NULL ? g_path_get_basename (target) : NULL;
}

static gboolean
is_virtual_driver (const char *driver)
{
  g_autofree char *lower = NULL;

  if (driver == NULL)
    return FALSE;

  lower = g_ascii_strdown (driver, -1);
  for (guint i = 0; virtual_drivers[i] != NULL; i++)
    {
      if (strstr (lower, virtual_drivers[i]) != NULL)
        return TRUE;
    }

  return FALSE;
}

/* The driver's own answer; it cannot be renamed by a udev rule. */
static void
query_capabilities (const char    *dev_root,
                    EkVideoDevice *device)
{
  g_autofree char *path = g_build_filename (dev_root, device->node, NULL);
  struct v4l2_capability cap = { 0 };
  int fd;

  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;

  if (ioctl (fd, VIDIOC_QUERYCAP, &cap) == 0)
    {
      g_autofree char *driver = g_strndup ((const char *) cap.driver, sizeof cap.driver);
      g_autofree char *bus = g_strndup ((const char *) cap.bus_info, sizeof cap.bus_info);

      if (*driver != '\0')
        {
          g_free (device->driver);
          device->driver = g_steal_pointer (&driver);
        }
      if (g_str_has_prefix (bus, "platform:v4l2loopback") || is_virtual_driver (bus))
        device->is_virtual = TRUE;
    }

  close (fd);
}

/**
 * ek_video_devices_list:
 *
 * Returns: (transfer full) (element-type EkVideoDevice): the V4L2 devices
 */
GPtrArray *
ek_video_devices_list (const EkProbeSources *sources)
{
  GPtrArray *devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_video_device_free);
  g_autofree char *class_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  g_return_val_if_fail (sources != NULL, devices);

  class_dir = g_build_filename (sources->sys_root, "class", "video4linux", NULL);
  dir = g_dir_open (class_dir, 0, NULL);
  if (dir == NULL)
    return devices;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (class_dir, entry, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      g_autofree char *device_dir = g_build_filename (path, "device", NULL);
      EkVideoDevice *device = g_new0 (EkVideoDevice, 1);

      device->node = g_strdup (entry);
      device->name = read_trimmed (path, "name");
      device->driver = link_basename (device_dir, "driver");
      device->bus = link_basename (device_dir, "subsystem");

      /* No parent device: the kernel made it up, which is what a loopback is. */
      if (device->bus == NULL ||
          (target != NULL && strstr (target, "/devices/virtual/") != NULL))
        {
          g_free (device->bus);
          device->bus = g_strdup ("virtual");
          device->is_virtual = TRUE;
        }
      if (is_virtual_driver (device->driver))
        device->is_virtual = TRUE;

      query_capabilities (sources->dev_root, device);
      if (is_virtual_driver (device->driver))
        device->is_virtual = TRUE;

      g_ptr_array_add (devices, device);
    }

  return devices;
}

void
ek_video_devices_probe (const EkProbeSources *sources,
                        GPtrArray            *findings)
{
  g_autoptr(GPtrArray) devices = ek_video_devices_list (sources);

  for (guint i = 0; i < devices->len; i++)
    {
      EkVideoDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *subject = NULL;
      g_autofree char *description = NULL;

      if (!device->is_virtual)
        continue;

      subject = g_strdup_printf ("%s (%s, %s)", device->name != NULL ? device->name : device->node,
                                 device->node, device->driver != NULL ? device->driver : device->bus);
      /* Translators: %s is a camera, e.g. "Dummy video device (video0, v4l2 loopback)" */
      description = g_strdup_printf (_("A virtual camera is present: %s."), subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_VIRTUAL_CAMERA, EK_SEVERITY_BLOCK,
                                                 subject, description));
    }
}
