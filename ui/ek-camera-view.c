/* ek-camera-view.c: the live camera picture and the microphone level
 *
 * The picture is any GdkPaintable (the recorder's preview, through
 * EkCameraPaintable); without one the view says plainly that there is no camera
 * picture, so nobody believes they are being recorded when they are not, or the
 * other way round. The level is 0..1, or below 0 when no microphone level is
 * available.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-view.h"

struct _EkCameraView
{
  GtkWidget     parent_instance;

  GtkWidget    *box;          /* the only child; owned */
  GtkStack     *stack;        /* borrowed from here on */
  GtkPicture   *picture;
  GtkLevelBar  *level_bar;
  GtkLabel     *level_label;
  GtkWidget    *level_box;
  GdkPaintable *paintable;    /* owned, nullable */
  double        level;
  gboolean      show_level;
};

enum {
  PROP_0,
  PROP_PAINTABLE,
  PROP_LEVEL,
  PROP_SHOW_LEVEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkCameraView, ek_camera_view, GTK_TYPE_WIDGET)

static void
update_level (EkCameraView *self)
{
  gboolean available = self->level >= 0;

  gtk_widget_set_visible (self->level_box, self->show_level);
  gtk_widget_set_sensitive (GTK_WIDGET (self->level_bar), available);
  gtk_level_bar_set_value (self->level_bar, available ? CLAMP (self->level, 0, 1) : 0);
  gtk_label_set_label (self->level_label,
                       available ? _("Microphone level")
                                 : _("Microphone level: no microphone"));
}

static void
ek_camera_view_dispose (GObject *object)
{
  EkCameraView *self = EK_CAMERA_VIEW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->paintable);

  G_OBJECT_CLASS (ek_camera_view_parent_class)->dispose (object);
}

static void
ek_camera_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EkCameraView *self = EK_CAMERA_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;

    case PROP_LEVEL:
      g_value_set_double (value, self->level);
      break;

    case PROP_SHOW_LEVEL:
      g_value_set_boolean (value, self->show_level);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_camera_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EkCameraView *self = EK_CAMERA_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      ek_camera_view_set_paintable (self, g_value_get_object (value));
      break;

    case PROP_LEVEL:
      ek_camera_view_set_level (self, g_value_get_double (value));
      break;

    case PROP_SHOW_LEVEL:
      ek_camera_view_set_show_level (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_camera_view_class_init (EkCameraViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_camera_view_dispose;
  object_class->get_property = ek_camera_view_get_property;
  object_class->set_property = ek_camera_view_set_property;

  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL,
                         GDK_TYPE_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_LEVEL] =
    g_param_spec_double ("level", NULL, NULL,
                         -1, 1, -1,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_SHOW_LEVEL] =
    g_param_spec_boolean ("show-level", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cameraview");
}

static void
ek_camera_view_init (EkCameraView *self)
{
  GtkWidget *none;
  GtkWidget *icon;
  GtkWidget *label;

  self->level = -1;
  self->show_level = TRUE;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->stack), "ek-camera-frame");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->stack));

  none = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  gtk_widget_set_valign (none, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_start (none, 12);
  gtk_widget_set_margin_end (none, 12);
  icon = gtk_image_new_from_icon_name ("camera-disabled-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 48);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (none), icon);
  label = gtk_label_new (_("No camera picture"));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "ek-camera-none");
  gtk_box_append (GTK_BOX (none), label);
  gtk_stack_add_named (self->stack, none, "none");

  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_CONTAIN);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->picture), "video");
  gtk_stack_set_visible_child_name (self->stack, "none");

  self->level_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  self->level_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->level_label, 0);
  gtk_label_set_wrap (self->level_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->level_label), "ek-caption");
  gtk_box_append (GTK_BOX (self->level_box), GTK_WIDGET (self->level_label));
  self->level_bar = GTK_LEVEL_BAR (gtk_level_bar_new_for_interval (0, 1));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->level_bar),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->level_label, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (self->level_box), GTK_WIDGET (self->level_bar));
  gtk_box_append (GTK_BOX (self->box), self->level_box);

  update_level (self);
}

GtkWidget *
ek_camera_view_new (void)
{
  return g_object_new (EK_TYPE_CAMERA_VIEW, NULL);
}

GdkPaintable *
ek_camera_view_get_paintable (EkCameraView *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_VIEW (self), NULL);
  return self->paintable;
}

void
ek_camera_view_set_paintable (EkCameraView *self,
                              GdkPaintable *paintable)
{
  g_return_if_fail (EK_IS_CAMERA_VIEW (self));

  if (!g_set_object (&self->paintable, paintable))
    return;

  gtk_picture_set_paintable (self->picture, paintable);
  gtk_stack_set_visible_child_name (self->stack, paintable != NULL ? "video" : "none");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTABLE]);
}

double
ek_camera_view_get_level (EkCameraView *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_VIEW (self), -1);
  return self->level;
}

void
ek_camera_view_set_level (EkCameraView *self,
                          double        level)
{
  g_return_if_fail (EK_IS_CAMERA_VIEW (self));

  if (self->level == level)
    return;

  self->level = level;
  update_level (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LEVEL]);
}

/**
 * ek_camera_view_set_level_db:
 * @db: a microphone level in dBFS
 *
 * Shows @db on the meter: -60 dBFS (silence, for a meter) is empty, 0 dBFS full.
 */
void
ek_camera_view_set_level_db (EkCameraView *self,
                             double        db)
{
  ek_camera_view_set_level (self, CLAMP ((db + 60.0) / 60.0, 0.0, 1.0));
}

gboolean
ek_camera_view_get_show_level (EkCameraView *self)
{
  g_return_val_if_fail (EK_IS_CAMERA_VIEW (self), FALSE);
  return self->show_level;
}

void
ek_camera_view_set_show_level (EkCameraView *self,
                               gboolean      show_level)
{
  g_return_if_fail (EK_IS_CAMERA_VIEW (self));

  show_level = !!show_level;
  if (self->show_level == show_level)
    return;

  self->show_level = show_level;
  update_level (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_LEVEL]);
}
