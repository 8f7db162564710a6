/* ek-media-device.c: a camera or microphone the candidate can pick */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-media-device.h"

struct _EkMediaDevice
{
  gatomicrefcount    ref_count;

  EkMediaDeviceKind  kind;
  char              *id;
  char              *display_name;
};

/* The ids of the test sources, so that a remembered choice survives a config that
 * switches between test and real devices without matching a real device. */
#define TEST_CAMERA_ID     "test:camera"
#define TEST_MICROPHONE_ID "test:microphone"

G_DEFINE_BOXED_TYPE (EkMediaDevice, ek_media_device, ek_media_device_ref, ek_media_device_unref)

static EkMediaDevice *
ek_media_device_new (EkMediaDeviceKind  kind,
                     const char        *id,
                     const char        *display_name)
{
  EkMediaDevice *self = g_new0 (EkMediaDevice, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->id = g_strdup (id);
  self->display_name = g_strdup (display_name);

  return self;
}

EkMediaDevice *
ek_media_device_ref (EkMediaDevice *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
ek_media_device_unref (EkMediaDevice *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->id);
      g_free (self->display_name);
      g_free (self);
    }
}

EkMediaDeviceKind
ek_media_device_get_kind (const EkMediaDevice *self)
{
  g_return_val_if_fail (self != NULL, EK_MEDIA_DEVICE_CAMERA);

  return self->kind;
}

const char *
ek_media_device_get_id (const EkMediaDevice *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->id;
}

const char *
ek_media_device_get_display_name (const EkMediaDevice *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->display_name;
}

gboolean
ek_media_device_kind_for_gst_device (GstDevice         *device,
                                     EkMediaDeviceKind *kind)
{
  if (gst_device_has_classes (device, "Video/Source"))
    *kind = EK_MEDIA_DEVICE_CAMERA;
  else if (gst_device_has_classes (device, "Audio/Source"))
    *kind = EK_MEDIA_DEVICE_MICROPHONE;
  else
    return FALSE;

  return TRUE;
}

char *
ek_media_device_id_for_gst_device (GstDevice *device)
{
  /* Display names repeat (two identical webcams) and change with the language;
   * these keys are stable across reboots for the providers Debian ships. */
  static const char * const keys[] = {
    "node.name",        /* PipeWire */
    "api.v4l2.path",
    "device.path",      /* V4L2, ALSA */
    "udev-probed-path",
    "device.string",    /* PulseAudio */
  };
  g_autoptr(GstStructure) props = gst_device_get_properties (device);

  for (guint i = 0; props != NULL && i < G_N_ELEMENTS (keys); i++)
    {
      const char *value = gst_structure_get_string (props, keys[i]);

      if (value != NULL && *value != '\0')
        return g_strdup (value);
    }

  return gst_device_get_display_name (device);
}

static void
list_devices_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  EkMediaSource source = GPOINTER_TO_INT (task_data);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_media_device_unref);
  g_autoptr(GstDeviceMonitor) monitor = NULL;
  GList *list;

  if (source == EK_MEDIA_SOURCE_TEST)
    {
      g_ptr_array_add (devices, ek_media_device_new (EK_MEDIA_DEVICE_CAMERA, TEST_CAMERA_ID,
                                                     _("Test camera")));
      g_ptr_array_add (devices, ek_media_device_new (EK_MEDIA_DEVICE_MICROPHONE, TEST_MICROPHONE_ID,
                                                     _("Test microphone")));
      g_task_return_pointer (task, g_steal_pointer (&devices), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  /* Probing without starting the monitor: a one-off list, which may take a
   * moment with some providers, hence the thread. */
  monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  gst_device_monitor_add_filter (monitor, "Audio/Source", NULL);
  list = gst_device_monitor_get_devices (monitor);

  for (GList *l = list; l != NULL; l = l->next)
    {
      GstDevice *device = l->data;
      EkMediaDeviceKind kind;
      g_autofree char *id = NULL;
      g_autofree char *name = NULL;

      if (!ek_media_device_kind_for_gst_device (device, &kind))
        continue;

      id = ek_media_device_id_for_gst_device (device);
      name = gst_device_get_display_name (device);
      g_ptr_array_add (devices, ek_media_device_new (kind, id, name));
    }

  g_list_free_full (list, gst_object_unref);
  g_task_return_pointer (task, g_steal_pointer (&devices), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * ek_media_device_list_async:
 * @source: where media comes from (the config's [media] source)
 *
 * Lists cameras and microphones; with test sources, one of each.
 */
void
ek_media_device_list_async (EkMediaSource        source,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  /* Before the monitor makes its bus: GStreamer's types registered out of order (the
   * device page opened first, with the system's devices) warned "parameter 1 of type
   * '<invalid>' for signal GstBus::sync-message" on the terminal. */
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_media_device_list_async);
  g_task_set_task_data (task, GINT_TO_POINTER (source), NULL);
  g_task_run_in_thread (task, list_devices_thread);
}

/**
 * ek_media_device_list_finish:
 *
 * Returns: (transfer container) (element-type EkMediaDevice): the devices, cameras
 *   and microphones mixed, in the order the system reports them
 */
GPtrArray *
ek_media_device_list_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_media_device_find:
 * @kind: a camera or a microphone
 * @id: (nullable): an id from ek_media_device_get_id(), or %NULL for the first
 *   device of @kind
 *
 * Looks the device up now, for the recorder and the device probes.
 *
 * Returns: (transfer full) (nullable): the device, or %NULL if none matches
 */
GstDevice *
ek_media_device_find (EkMediaDeviceKind  kind,
                      const char        *id)
{
  g_autoptr(GstDeviceMonitor) monitor = NULL;
  GstDevice *found = NULL;
  GList *list;

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  monitor = gst_device_monitor_new ();

  gst_device_monitor_add_filter (monitor,
                                 kind == EK_MEDIA_DEVICE_CAMERA ? "Video/Source" : "Audio/Source",
                                 NULL);
  list = gst_device_monitor_get_devices (monitor);

  for (GList *l = list; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *device_id = ek_media_device_id_for_gst_device (l->data);

      if (id == NULL || g_strcmp0 (device_id, id) == 0)
        found = gst_object_ref (l->data);
    }

  g_list_free_full (list, gst_object_unref);

  return found;
}
