/* ek-camera-paintable.c: the recorder's camera preview as a GdkPaintable */

#include "config.h"

#include "ek-camera-paintable.h"

struct _EkCameraPaintable
{
  GObject       parent_instance;

  EkRecorder   *recorder;   /* owned, nullable */
  GdkTexture   *texture;    /* owned, nullable; the newest frame */
};

enum {
  PROP_0,
  PROP_RECORDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ek_camera_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EkCameraPaintable, ek_camera_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      ek_camera_paintable_paintable_init))

static void
on_preview_frame_cb (EkRecorder        *recorder,
                     EkVideoFrame      *frame,
                     EkCameraPaintable *self)
{
  ek_camera_paintable_push_frame (self, frame);
}

static void
ek_camera_paintable_snapshot (GdkPaintable *paintable,
                              GdkSnapshot  *snapshot,
                              double        width,
                              double        height)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
  else
    gtk_snapshot_append_color (GTK_SNAPSHOT (snapshot),
                               &(GdkRGBA) { 0, 0, 0, 1 },
                               &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static GdkPaintable *
ek_camera_paintable_get_current_image (GdkPaintable *paintable)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (paintable);

  if (self->texture != NULL)
    return g_object_ref (GDK_PAINTABLE (self->texture));

  return gdk_paintable_new_empty (0, 0);
}

static int
ek_camera_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_width (self->texture) : 0;
}

static int
ek_camera_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (paintable);

  return self->texture != NULL ? gdk_texture_get_height (self->texture) : 0;
}

static double
ek_camera_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (paintable);

  if (self->texture == NULL)
    return 16.0 / 9.0;

  return (double) gdk_texture_get_width (self->texture) / gdk_texture_get_height (self->texture);
}

static void
ek_camera_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = ek_camera_paintable_snapshot;
  iface->get_current_image = ek_camera_paintable_get_current_image;
  iface->get_intrinsic_width = ek_camera_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = ek_camera_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = ek_camera_paintable_get_intrinsic_aspect_ratio;
}

static void
ek_camera_paintable_dispose (GObject *object)
{
  EkCameraPaintable *self = (EkCameraPaintable *)object;

  ek_camera_paintable_set_recorder (self, NULL);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (ek_camera_paintable_parent_class)->dispose (object);
}

static void
ek_camera_paintable_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_RECORDER:
      g_value_set_object (value, self->recorder);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_camera_paintable_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  EkCameraPaintable *self = EK_CAMERA_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_RECORDER:
      ek_camera_paintable_set_recorder (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_camera_paintable_class_init (EkCameraPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_camera_paintable_dispose;
  object_class->get_property = ek_camera_paintable_get_property;
  object_class->set_property = ek_camera_paintable_set_property;

  properties[PROP_RECORDER] =
    g_param_spec_object ("recorder", NULL, NULL,
                         EK_TYPE_RECORDER,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_camera_paintable_init (EkCameraPaintable *self)
{
}

/**
 * ek_camera_paintable_new:
 * @recorder: (nullable): the recorder to follow
 *
 * Returns: (transfer full): a new paintable
 */
EkCameraPaintable *
ek_camera_paintable_new (EkRecorder *recorder)
{
  g_return_val_if_fail (recorder == NULL || EK_IS_RECORDER (recorder), NULL);

  return g_object_new (EK_TYPE_CAMERA_PAINTABLE,
                       "recorder", recorder,
                       NULL);
}

EkRecorder *
ek_camera_paintable_get_recorder (EkCameraPaintable *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_PAINTABLE (self), NULL);

  return self->recorder;
}

void
ek_camera_paintable_set_recorder (EkCameraPaintable *self,
                                  EkRecorder        *recorder)
{
  g_autoptr(EkVideoFrame) frame = NULL;

  g_return_if_fail (EK_IS_CAMERA_PAINTABLE (self));
  g_return_if_fail (recorder == NULL || EK_IS_RECORDER (recorder));

  if (self->recorder == recorder)
    return;

  if (self->recorder != NULL)
    g_signal_handlers_disconnect_by_func (self->recorder, on_preview_frame_cb, self);

  g_set_object (&self->recorder, recorder);

  if (recorder != NULL)
    {
      g_signal_connect_object (recorder, "preview-frame",
                               G_CALLBACK (on_preview_frame_cb), self, 0);
      /* Show the current picture at once rather than at the next frame. */
      frame = ek_recorder_dup_preview_frame (recorder);
      if (frame != NULL)
        ek_camera_paintable_push_frame (self, frame);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDER]);
}

/**
 * ek_camera_paintable_push_frame:
 * @frame: the frame to show from now on
 *
 * Called for each preview frame of the recorder; public so that a page can
 * show frames from elsewhere (a still, a test picture).
 */
void
ek_camera_paintable_push_frame (EkCameraPaintable *self,
                                EkVideoFrame      *frame)
{
  gboolean size_changed;
  GdkTexture *texture;

  g_return_if_fail (EK_IS_CAMERA_PAINTABLE (self));
  g_return_if_fail (frame != NULL);

  /* The frames are opaque, so premultiplied and straight alpha are the same
   * bytes; premultiplied is the renderers' native format. */
  texture = gdk_memory_texture_new (ek_video_frame_get_width (frame),
                                    ek_video_frame_get_height (frame),
                                    GDK_MEMORY_R8G8B8A8_PREMULTIPLIED,
                                    ek_video_frame_get_pixels (frame),
                                    ek_video_frame_get_stride (frame));

  size_changed = self->texture == NULL ||
                 gdk_texture_get_width (self->texture) != gdk_texture_get_width (texture) ||
                 gdk_texture_get_height (self->texture) != gdk_texture_get_height (texture);

  g_clear_object (&self->texture);
  self->texture = texture;

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

/**
 * ek_camera_paintable_get_texture:
 *
 * Returns: (transfer none) (nullable): the frame shown now
 */
GdkTexture *
ek_camera_paintable_get_texture (EkCameraPaintable *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_PAINTABLE (self), NULL);

  return self->texture;
}
