/* ek-layout-check.c: what a candidate would see broken on the window as it is laid out
 *
 * Walks the mapped widgets of a window and names every text or control that is cut off
 * by the window's edge or sticks out of one of its containers, ellipsized text, text allocated
 * less than it needs, and two texts or controls drawn over each other. The `layout`
 * suite (tests/test-layout.sh) asks for it on every page in both languages at
 * 1366x768, through the test hooks.
 *
 * A widget inside a scrolled window may lie outside the part on show (it scrolls into
 * view), so it is checked against the scrolled window's content, not its viewport. A
 * widget in an overlay's layer that covers the whole overlay (a modal sheet) may cover
 * what is beneath it, and so may one marked as a sheet (style class "ek-sheet": Help laid
 * over the question column); a smaller one (a banner, a badge) may not cover text.
 */

#include "config.h"

#include "ek-layout-check.h"

/* Rounding in the layout moves edges by a pixel. */
#define TOLERANCE 1.5f
/* A layer of an overlay this much of the overlay's size is a sheet over the page. */
#define SHEET_FRACTION 0.9f

typedef struct
{
  GtkWidget       *widget;    /* borrowed */
  graphene_rect_t  bounds;    /* in the root's coordinates */
  graphene_rect_t  shown;     /* the part of it scrolled into view */
  char            *layer;     /* owned: the overlay layers it sits in */
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->layer);
  g_free (item);
}

static gboolean
is_checked_type (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));

      return text != NULL && *text != '\0';
    }

  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_TEXT_VIEW (widget) || GTK_IS_SPIN_BUTTON (widget);
}

static char *
describe (GtkWidget *widget)
{
  const char *text = NULL;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else if (GTK_IS_BUTTON (widget))
    text = gtk_button_get_label (GTK_BUTTON (widget));
  else if (GTK_IS_CHECK_BUTTON (widget))
    text = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));

  if (text != NULL && *text != '\0')
    {
      g_autofree char *line = g_strndup (text, strcspn (text, "\n"));

      if (g_utf8_strlen (line, -1) > 48)
        {
          g_autofree char *cut = g_utf8_substring (line, 0, 48);

          return g_strdup_printf ("%s “%s…”", G_OBJECT_TYPE_NAME (widget), cut);
        }
      return g_strdup_printf ("%s “%s”", G_OBJECT_TYPE_NAME (widget), line);
    }

  return g_strdup_printf ("%s (%s)", G_OBJECT_TYPE_NAME (widget),
                          gtk_widget_get_name (widget));
}

static gboolean
contains (const graphene_rect_t *outer,
          const graphene_rect_t *inner)
{
  return inner->origin.x >= outer->origin.x - TOLERANCE &&
         inner->origin.y >= outer->origin.y - TOLERANCE &&
         inner->origin.x + inner->size.width <= outer->origin.x + outer->size.width + TOLERANCE &&
         inner->origin.y + inner->size.height <= outer->origin.y + outer->size.height + TOLERANCE;
}

static void
report (GPtrArray  *problems,
        GtkWidget  *widget,
        const char *what)
{
  g_autofree char *name = describe (widget);

  g_ptr_array_add (problems, g_strdup_printf ("%s: %s", name, what));
}

/* A label's own complaints: ellipsized, or given less room than its text needs. */
static void
check_label (GtkLabel  *label,
             GPtrArray *problems)
{
  GtkWidget *widget = GTK_WIDGET (label);
  PangoLayout *layout = gtk_label_get_layout (label);
  int text_width = 0;
  int text_height = 0;

  if (pango_layout_is_ellipsized (layout))
    report (problems, widget, "ellipsized");

  /* The layout is laid out at the width the label was given: its lines are the text's
   * height there; the label's content box must hold them. */
  pango_layout_get_pixel_size (layout, &text_width, &text_height);
  if (gtk_widget_get_height (widget) + TOLERANCE < text_height)
    report (problems, widget, "cut off: lower than its text");
  else if (gtk_label_get_wrap (label) && gtk_widget_get_width (widget) + TOLERANCE < text_width)
    report (problems, widget, "cut off: narrower than its text");
}

/* The window's page scroller (style class "ek-page-scroller", ui/ek-window.ui) is there
 * for text scaled up: at the usual text size every page fits the screen without it. With
 * larger text a page may grow downwards (it scrolls); one that scrolls sideways as well
 * is named with "(text scaled up)", which the `layout-large` test lists apart: each
 * line has to be scrolled to be read there, but nothing is out of reach. */
static void
check_page_scroller (GtkWidget *scroller,
                     GPtrArray *problems)
{
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  int dpi = 0;
  gboolean scaled;

  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  if (content == NULL)
    return;
  g_object_get (gtk_widget_get_settings (scroller), "gtk-xft-dpi", &dpi, NULL);
  scaled = dpi > 96 * 1024 + 512;

  if (gtk_widget_get_width (content) > gtk_widget_get_width (scroller) + TOLERANCE)
    report (problems, scroller, scaled ? "the page is wider than the window: it scrolls sideways (text scaled up)"
                                       : "the page is wider than the window: it scrolls sideways");
  if (!scaled && gtk_widget_get_height (content) > gtk_widget_get_height (scroller) + TOLERANCE)
    report (problems, scroller, "the page is taller than the window at the usual text size");
}

static void
walk (GtkWidget       *root,
      GtkWidget       *widget,
      graphene_rect_t  clip,     /* where @widget must fit, in root coordinates */
      graphene_rect_t  view,     /* the part of that on show (scrolled windows) */
      const char      *layer,
      GPtrArray       *items,
      GPtrArray       *problems)
{
  graphene_rect_t bounds;
  g_autofree char *child_layer = NULL;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget) ||
      gtk_widget_get_opacity (widget) <= 0.01)
    return;
  if (!gtk_widget_compute_bounds (widget, root, &bounds))
    return;

  if (is_checked_type (widget) && bounds.size.width > 0 && bounds.size.height > 0)
    {
      Item *item = g_new0 (Item, 1);

      if (!contains (&clip, &bounds))
        report (problems, widget, "cut off at the edge of the window or of its container");
      if (GTK_IS_LABEL (widget))
        check_label (GTK_LABEL (widget), problems);

      item->widget = widget;
      item->bounds = bounds;
      if (!graphene_rect_intersection (&bounds, &view, &item->shown))
        graphene_rect_init (&item->shown, 0, 0, 0, 0);
      item->layer = g_strdup (layer);
      g_ptr_array_add (items, item);

      /* A control's own labels are the control: not checked against it. */
      if (!GTK_IS_LABEL (widget))
        return;
    }

  /* Inside a scrolled window, anything may be out of view: it scrolls. */
  if (GTK_IS_SCROLLED_WINDOW (widget) && gtk_widget_has_css_class (widget, "ek-page-scroller"))
    check_page_scroller (widget, problems);
  if (GTK_IS_SCROLLED_WINDOW (widget) || GTK_IS_VIEWPORT (widget))
    {
      GtkWidget *content = gtk_widget_get_first_child (widget);

      graphene_rect_intersection (&view, &bounds, &view);
      if (content != NULL && gtk_widget_compute_bounds (content, root, &bounds))
        clip = bounds;
    }
  else
    {
      /* What sticks out of its container is drawn over by the container's neighbours
       * (or cut off, where the container clips): either way it cannot be read. */
      graphene_rect_intersection (&clip, &bounds, &clip);
      graphene_rect_intersection (&view, &bounds, &view);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *layer_here = layer;

      /* A stack's page on its way out fades for a moment: only the page on show counts. */
      if (GTK_IS_STACK (widget) && child != gtk_stack_get_visible_child (GTK_STACK (widget)))
        continue;

      /* Each overlay child but the main one is a layer of its own; a sheet that covers
       * the whole overlay is meant to cover the page beneath. */
      if (GTK_IS_OVERLAY (widget) && child != gtk_overlay_get_child (GTK_OVERLAY (widget)))
        {
          graphene_rect_t child_bounds;
          gboolean sheet = FALSE;

          if (gtk_widget_has_css_class (child, "ek-sheet"))
            sheet = TRUE;
          else if (gtk_widget_compute_bounds (child, root, &child_bounds))
            sheet = child_bounds.size.width >= SHEET_FRACTION * bounds.size.width &&
                    child_bounds.size.height >= SHEET_FRACTION * bounds.size.height;
          g_free (child_layer);
          child_layer = g_strdup_printf ("%s/%p%s", layer, (gpointer) child, sheet ? "!" : "");
          layer_here = child_layer;
        }
      walk (root, child, clip, view, layer_here, items, problems);
    }
}

static gboolean
is_ancestor (GtkWidget *widget,
             GtkWidget *other)
{
  return gtk_widget_is_ancestor (widget, other) || gtk_widget_is_ancestor (other, widget);
}

/* Two items overlap badly unless the later one (drawn above) lies in a sheet that the
 * earlier one is not in: a sheet is meant to cover what was drawn before it. */
static gboolean
may_cover (const Item *earlier,
           const Item *later)
{
  const char *a = earlier->layer;
  const char *b = later->layer;

  while (*a != '\0' && *a == *b)
    a++, b++;

  return strchr (b, '!') != NULL;
}

static void
check_overlaps (GPtrArray *items,
                GPtrArray *problems)
{
  /* Items come in the order they are drawn: a later one is above an earlier one. */
  for (guint i = 0; i < items->len; i++)
    for (guint j = i + 1; j < items->len; j++)
      {
        const Item *a = g_ptr_array_index (items, i);
        const Item *b = g_ptr_array_index (items, j);
        graphene_rect_t both;

        if (is_ancestor (a->widget, b->widget) || may_cover (a, b))
          continue;
        /* What is scrolled out of view is not drawn over anything. */
        if (!graphene_rect_intersection (&a->shown, &b->shown, &both) ||
            both.size.width <= TOLERANCE || both.size.height <= TOLERANCE)
          continue;

        {
          g_autofree char *other = describe (b->widget);
          g_autofree char *what = g_strdup_printf ("drawn over %s", other);

          report (problems, a->widget, what);
        }
      }
}

/**
 * ek_layout_check:
 * @root: a window (or any widget) as it is laid out now
 *
 * Returns: (transfer full) (element-type utf8): one sentence per problem; empty when
 *   everything on show can be read and used
 */
GPtrArray *
ek_layout_check (GtkWidget *root)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (item_free);
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  graphene_rect_t clip;

  g_return_val_if_fail (GTK_IS_WIDGET (root), problems);

  graphene_rect_init (&clip, 0, 0, gtk_widget_get_width (root), gtk_widget_get_height (root));
  walk (root, root, clip, clip, "", items, problems);
  check_overlaps (items, problems);

  return problems;
}
