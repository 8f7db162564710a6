/* test-layout-check.c: the layout check finds what it must and nothing else
 *
 * Windows built for the purpose under Xvfb: a clean one has no problem; an ellipsized
 * label, a label that sticks out of its container, a banner laid over text, a
 * control out of the window are each named; a sheet over text and text scrolled out
 * of view are not problems; a page that does not fit the window's page scroller is.
 */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "ek-layout-check.h"

static GtkWindow *
show (GtkWidget *child,
      int        width,
      int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, width, height);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  /* Until it is laid out at its size. */
  for (int i = 0; i < 200 && (gtk_widget_get_width (GTK_WIDGET (window)) != width ||
                              !gtk_widget_get_mapped (child)); i++)
    {
      while (g_main_context_iteration (NULL, FALSE));
      g_usleep (10000);
    }
  for (int i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE));
      g_usleep (5000);
    }
  return window;
}

static char *
check (GtkWindow *window)
{
  g_autoptr(GPtrArray) problems = ek_layout_check (GTK_WIDGET (window));

  g_ptr_array_add (problems, NULL);
  return g_strjoinv ("\n", (char **) problems->pdata);
}

static void
test_clean (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new ("A question that wraps over several lines when the "
                                    "window is narrow, as a long question does.");
  GtkWindow *window;
  g_autofree char *problems = NULL;

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_label ("Next"));
  window = show (box, 400, 300);

  problems = check (window);
  g_assert_cmpstr (problems, ==, "");
  gtk_window_destroy (window);
}

static void
test_ellipsized (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *label = gtk_label_new ("Submit from 14:49 on, when the reading time is over");
  GtkWindow *window;
  g_autofree char *problems = NULL;

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), label);
  window = show (box, 200, 100);

  problems = check (window);
  g_assert_nonnull (strstr (problems, "ellipsized"));
  gtk_window_destroy (window);
}

static void
test_sticks_out (void)
{
  GtkWidget *paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWindow *window;
  g_autofree char *problems = NULL;

  /* A pane that may shrink below its minimum: the button in it sticks out beneath the
   * other pane, as the question column's did under Help. */
  gtk_box_append (GTK_BOX (column), gtk_button_new_with_label ("Flag for review"));
  gtk_paned_set_start_child (GTK_PANED (paned), column);
  gtk_paned_set_end_child (GTK_PANED (paned), gtk_label_new ("Help"));
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), TRUE);
  gtk_paned_set_position (GTK_PANED (paned), 40);
  window = show (paned, 400, 100);

  problems = check (window);
  g_assert_nonnull (strstr (problems, "“Flag for review”: cut off"));
  gtk_window_destroy (window);
}

static void
test_banner_over_text (void)
{
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *label = gtk_label_new ("Time left");
  GtkWidget *banner = gtk_label_new ("Practice mode");
  GtkWindow *window;
  g_autofree char *problems = NULL;

  gtk_widget_set_valign (label, GTK_ALIGN_START);
  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), label);
  gtk_widget_set_valign (banner, GTK_ALIGN_START);
  gtk_widget_set_halign (banner, GTK_ALIGN_START);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), banner);
  window = show (overlay, 400, 200);

  problems = check (window);
  g_assert_nonnull (strstr (problems, "drawn over"));

  /* The same laid over as a sheet is meant to cover. */
  gtk_widget_add_css_class (banner, "ek-sheet");
  g_clear_pointer (&problems, g_free);
  problems = check (window);
  g_assert_cmpstr (problems, ==, "");
  gtk_window_destroy (window);
}

static void
test_scrolled_out_of_view (void)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWindow *window;
  g_autofree char *problems = NULL;

  for (int i = 0; i < 40; i++)
    {
      g_autofree char *text = g_strdup_printf ("Check %d: passed", i);

      gtk_box_append (GTK_BOX (column), gtk_label_new (text));
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), column);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (outer), scrolled);
  gtk_box_append (GTK_BOX (outer), gtk_button_new_with_label ("Check again"));
  window = show (outer, 400, 300);

  problems = check (window);
  g_assert_cmpstr (problems, ==, "");
  gtk_window_destroy (window);
}

/* The window's page scroller: a page taller than the window at the usual text size,
 * or wider than it at any size, is named; one that fits is not. */
static void
test_page_scroller (void)
{
  const struct { int width; int height; gboolean tall; gboolean wide; } cases[] = {
    { 200, 100, FALSE, FALSE },
    { 200, 900, TRUE, FALSE },
    { 900, 100, FALSE, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget *scroller = gtk_scrolled_window_new ();
      GtkWidget *page = gtk_button_new_with_label ("Continue");
      GtkWindow *window;
      g_autofree char *problems = NULL;

      gtk_widget_add_css_class (scroller, "ek-page-scroller");
      gtk_widget_set_size_request (page, cases[i].width, cases[i].height);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), page);
      window = show (scroller, 400, 300);

      problems = check (window);
      g_test_message ("%dx%d: %s", cases[i].width, cases[i].height, problems);
      g_assert_true ((strstr (problems, "taller than the window") != NULL) == cases[i].tall);
      g_assert_true ((strstr (problems, "scrolls sideways") != NULL) == cases[i].wide);
      gtk_window_destroy (window);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/layout-check/clean", test_clean);
  g_test_add_func ("/layout-check/ellipsized", test_ellipsized);
  g_test_add_func ("/layout-check/sticks-out", test_sticks_out);
  g_test_add_func ("/layout-check/banner-over-text", test_banner_over_text);
  g_test_add_func ("/layout-check/scrolled-out-of-view", test_scrolled_out_of_view);
  g_test_add_func ("/layout-check/page-scroller", test_page_scroller);

  return g_test_run ();
}
