/* ek-watermark.c: a faint, slowly moving seat number and time over the exam page */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-watermark.h"

#define MOVE_INTERVAL_S  7
#define TILE_W         360
#define TILE_H         160

struct _EkWatermark
{
  GtkWidget  parent_instance;

  char      *seat;
  char      *text;     /* what is drawn now */
  guint      tick_id;
  int        offset_x;
  int        offset_y;
};

G_DEFINE_FINAL_TYPE (EkWatermark, ek_watermark, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SEAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_text (EkWatermark *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");

  g_free (self->text);
  /* Translators: the watermark; %s are the seat number and the date and time */
  self->text = g_strdup_printf (_("Seat %s · %s"), self->seat ? self->seat : "—", time);
}

static gboolean
on_tick_cb (gpointer user_data)
{
  EkWatermark *self = user_data;

  update_text (self);
  /* A different place each time, within one tile. */
  self->offset_x = g_random_int_range (0, TILE_W);
  self->offset_y = g_random_int_range (0, TILE_H);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return G_SOURCE_CONTINUE;
}

static void
ek_watermark_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  EkWatermark *self = EK_WATERMARK (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->text);
  GdkRGBA color = { 0.5, 0.5, 0.5, 0.13 };

  /* Tiled diagonally over the page so any part of a photo carries it. */
  for (int y = -TILE_H + self->offset_y; y < height; y += TILE_H)
    {
      for (int x = -TILE_W + self->offset_x + ((y / TILE_H) % 2) * (TILE_W / 2);
           x < width; x += TILE_W)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
          gtk_snapshot_rotate (snapshot, -20);
          gtk_snapshot_append_layout (snapshot, layout, &color);
          gtk_snapshot_restore (snapshot);
        }
    }
}

static void
ek_watermark_map (GtkWidget *widget)
{
  EkWatermark *self = EK_WATERMARK (widget);

  GTK_WIDGET_CLASS (ek_watermark_parent_class)->map (widget);

  update_text (self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (MOVE_INTERVAL_S, on_tick_cb, self);
}

static void
ek_watermark_unmap (GtkWidget *widget)
{
  EkWatermark *self = EK_WATERMARK (widget);

  g_clear_handle_id (&self->tick_id, g_source_remove);

  GTK_WIDGET_CLASS (ek_watermark_parent_class)->unmap (widget);
}

static void
ek_watermark_finalize (GObject *object)
{
  EkWatermark *self = (EkWatermark *)object;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_pointer (&self->seat, g_free);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (ek_watermark_parent_class)->finalize (object);
}

static void
ek_watermark_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EkWatermark *self = EK_WATERMARK (object);

  switch (prop_id)
    {
    case PROP_SEAT:
      g_value_set_string (value, self->seat);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_watermark_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  EkWatermark *self = EK_WATERMARK (object);

  switch (prop_id)
    {
    case PROP_SEAT:
      ek_watermark_set_seat (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_watermark_class_init (EkWatermarkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ek_watermark_finalize;
  object_class->get_property = ek_watermark_get_property;
  object_class->set_property = ek_watermark_set_property;

  widget_class->snapshot = ek_watermark_snapshot;
  widget_class->map = ek_watermark_map;
  widget_class->unmap = ek_watermark_unmap;

  /**
   * EkWatermark:seat:
   *
   * The candidate's seat number (never the name).
   */
  properties[PROP_SEAT] =
    g_param_spec_string ("seat", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "watermark");
}

static void
ek_watermark_init (EkWatermark *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
  update_text (self);
}

GtkWidget *
ek_watermark_new (const char *seat)
{
  return g_object_new (EK_TYPE_WATERMARK, "seat", seat, NULL);
}

void
ek_watermark_set_seat (EkWatermark *self,
                       const char  *seat)
{
  g_return_if_fail (EK_IS_WATERMARK (self));

  if (g_strcmp0 (self->seat, seat) == 0)
    return;

  g_free (self->seat);
  self->seat = g_strdup (seat);
  update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEAT]);
}

const char *
ek_watermark_get_seat (EkWatermark *self)
{
  g_return_val_if_fail (EK_IS_WATERMARK (self), NULL);

  return self->seat;
}

/* Returns: the text drawn now: seat and time */
const char *
ek_watermark_get_text (EkWatermark *self)
{
  g_return_val_if_fail (EK_IS_WATERMARK (self), NULL);

  return self->text;
}
