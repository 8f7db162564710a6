/* ek-watermark.c: a faint, slowly moving seat number and time over the exam page */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <math.h>

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
  GListModel *clear;   /* owned, nullable; of GtkWidget: dialogs and sheets drawn clean */
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

/* A dialog or sheet on show: a revealer while it shows or fades, another widget while
 * mapped. */
static gboolean
clear_widget_showing (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_REVEALER (widget))
    return gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) ||
           gtk_revealer_get_child_revealed (GTK_REVEALER (widget));
  return TRUE;
}

static void
snapshot_tiles (EkWatermark                 *self,
                GtkSnapshot                 *snapshot,
                PangoLayout                 *layout,
                const cairo_rectangle_int_t *area)
{
  GdkRGBA color = { 0.5, 0.5, 0.5, 0.13 };

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (area->x, area->y, area->width, area->height));
  /* Tiled diagonally over the page so any part of a photo carries it. */
  for (int y = -TILE_H + self->offset_y; y < area->y + area->height; y += TILE_H)
    {
      if (y + TILE_H * 2 < area->y)
        continue;
      for (int x = -TILE_W + self->offset_x + ((y / TILE_H) % 2) * (TILE_W / 2);
           x < area->x + area->width; x += TILE_W)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
          gtk_snapshot_rotate (snapshot, -20);
          gtk_snapshot_append_layout (snapshot, layout, &color);
          gtk_snapshot_restore (snapshot);
        }
    }
  gtk_snapshot_pop (snapshot);
}

static void
ek_watermark_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  EkWatermark *self = EK_WATERMARK (widget);
  cairo_rectangle_int_t all = { 0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget) };
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->text);
  cairo_region_t *region = cairo_region_create_rectangle (&all);

  /* Everywhere but over a dialog or sheet: the page's text carries it, and the dialog's
   * own text reads clean. */
  for (guint i = 0; self->clear != NULL && i < g_list_model_get_n_items (self->clear); i++)
    {
      g_autoptr(GtkWidget) clear = g_list_model_get_item (self->clear, i);
      graphene_rect_t bounds;

      if (clear_widget_showing (clear) && gtk_widget_compute_bounds (clear, widget, &bounds))
        {
          cairo_rectangle_int_t hole = {
            (int) floorf (bounds.origin.x), (int) floorf (bounds.origin.y),
            (int) ceilf (bounds.size.width) + 1, (int) ceilf (bounds.size.height) + 1,
          };

          cairo_region_subtract_rectangle (region, &hole);
        }
    }

  for (int i = 0; i < cairo_region_num_rectangles (region); i++)
    {
      cairo_rectangle_int_t area;

      cairo_region_get_rectangle (region, i, &area);
      snapshot_tiles (self, snapshot, layout, &area);
    }
  cairo_region_destroy (region);
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
  if (self->clear != NULL)
    g_signal_handlers_disconnect_by_data (self->clear, self);
  g_clear_object (&self->clear);
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

static void
watch_sheet (EkWatermark *self,
             GtkWidget   *widget)
{
  g_signal_connect_object (widget, "map", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (widget, "unmap", G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  if (GTK_IS_REVEALER (widget))
    {
      g_signal_connect_object (widget, "notify::reveal-child", G_CALLBACK (gtk_widget_queue_draw),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (widget, "notify::child-revealed", G_CALLBACK (gtk_widget_queue_draw),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
on_sheets_changed_cb (GListModel  *sheets,
                      guint        position,
                      guint        removed,
                      guint        added,
                      EkWatermark *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWidget) widget = g_list_model_get_item (sheets, i);

      watch_sheet (self, widget);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * ek_watermark_keep_clear:
 * @self: an #EkWatermark
 * @sheets: (nullable): of #GtkWidget: the dialogs and sheets over the page the watermark
 *   covers, kept current by the page
 *
 * The watermark is not drawn over a sheet while it shows (a #GtkRevealer: while it
 * reveals its child).
 */
void
ek_watermark_keep_clear (EkWatermark *self,
                         GListModel  *sheets)
{
  g_return_if_fail (EK_IS_WATERMARK (self));
  g_return_if_fail (sheets == NULL || G_IS_LIST_MODEL (sheets));

  if (self->clear != NULL)
    g_signal_handlers_disconnect_by_data (self->clear, self);
  g_set_object (&self->clear, sheets);
  if (sheets != NULL)
    {
      g_signal_connect (sheets, "items-changed", G_CALLBACK (on_sheets_changed_cb), self);
      on_sheets_changed_cb (sheets, 0, 0, g_list_model_get_n_items (sheets), self);
    }
}
