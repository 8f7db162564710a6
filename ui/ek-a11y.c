/* ek-a11y.c: what assistive technology reads matches what is on screen
 *
 * GTK 4.8 keeps the pages a GtkStack does not show in the accessibility tree, with
 * the state `visible` and their last position: a screen reader's review of the window
 * would read the start page under the exam. Every stack of the kiosk (the window's
 * pages and those inside the pages) therefore marks the pages it does not show hidden
 * (GTK_ACCESSIBLE_STATE_HIDDEN: out of the tree) and the page it shows not hidden, each
 * time a page is mapped or unmapped: emission hooks on GtkWidget's map and unmap
 * (GObject's notify allows none), so no stack can be forgotten; a revealer's or a
 * sheet's content put away likewise. The same hook names the controls GTK 4.8 leaves
 * unnamed and mends the name it gives a button with a mnemonic.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-a11y.h"

/* GTK 4.8 gives a button with a mnemonic ("_Log in") its label, underscore and all, as
 * its accessible label, and its own label names it too: a screen reader says
 * "underscore Log in Log in". The name comes from the label alone. */
static void
fix_mnemonic_name (GtkButton *button)
{
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

static void
on_button_label_cb (GtkButton  *button,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  fix_mnemonic_name (button);
}

static void
watch_button (GtkButton *button)
{
  if (g_object_get_data (G_OBJECT (button), "ek-a11y-watched") != NULL)
    return;
  g_object_set_data (G_OBJECT (button), "ek-a11y-watched", GINT_TO_POINTER (1));
  g_signal_connect (button, "notify::label", G_CALLBACK (on_button_label_cb), NULL);
  fix_mnemonic_name (button);
}

/* GTK 4.8 names a button or a list row after its own label only when that label is its
 * child: an icon and a label in a box, or a row of texts, leave it unnamed ("GtkButton"
 * to a screen reader). Such a control is named by its first label, which the kiosk's
 * layouts make the title (the rest, a badge or a detail, stays its content). Controls
 * the code names itself say so with the object data "ek-a11y-named". */
static GtkWidget *
first_label (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *label;

      if (GTK_IS_LABEL (child))
        return child;
      if ((label = first_label (child)) != NULL)
        return label;
    }
  return NULL;
}

static void
name_by_content (GtkWidget *widget)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);
  GtkWidget *label;

  if (g_object_get_data (G_OBJECT (widget), "ek-a11y-named") != NULL
      || child == NULL || GTK_IS_LABEL (child))
    return;
  if ((label = first_label (widget)) == NULL)
    return;

  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL,
                                  -1);
  g_object_set_data (G_OBJECT (widget), "ek-a11y-named", GINT_TO_POINTER (1));
}

/* GTK's own icon-only buttons (GtkVideo's controls on the practice's finish page) have
 * no name in 4.8: named after their icon, renamed when it changes (play, pause). */
static const char *
icon_name_text (const char *icon)
{
  if (icon == NULL)
    return NULL;
  if (g_str_equal (icon, "media-playback-start-symbolic"))
    return _("Play");
  if (g_str_equal (icon, "media-playback-pause-symbolic"))
    return _("Pause");
  if (g_str_has_prefix (icon, "audio-volume-"))
    return _("Volume");
  if (g_str_has_prefix (icon, "view-fullscreen") || g_str_has_prefix (icon, "view-restore"))
    return _("Full screen");
  return NULL;
}

static void
name_by_icon (GtkWidget *button)
{
  GtkWidget *image = gtk_widget_get_first_child (button);
  const char *text;

  if (!GTK_IS_IMAGE (image))
    return;
  text = icon_name_text (gtk_image_get_icon_name (GTK_IMAGE (image)));
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
}

static void
on_icon_changed_cb (GtkImage   *image,
                    GParamSpec *pspec,
                    GtkWidget  *button)
{
  name_by_icon (button);
}

static void
name_media_controls (GtkWidget *widget)
{
  GtkWidget *image = gtk_widget_get_first_child (widget);

  if (g_object_get_data (G_OBJECT (widget), "ek-a11y-named") != NULL)
    return;
  if (GTK_IS_SCALE (widget))
    {
      /* The position in the recording; the volume's own scale lives in a popover. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      gtk_widget_get_ancestor (widget, GTK_TYPE_POPOVER) != NULL
                                      ? _("Volume") : _("Playback position"),
                                      -1);
    }
  else if (GTK_IS_BUTTON (widget) && GTK_IS_IMAGE (image))
    {
      g_signal_connect_object (image, "notify::icon-name",
                               G_CALLBACK (on_icon_changed_cb), widget, 0);
      name_by_icon (widget);
    }
  else
    return;
  g_object_set_data (G_OBJECT (widget), "ek-a11y-named", GINT_TO_POINTER (1));
}

static void
set_hidden (GtkWidget *widget,
            gboolean   hidden)
{
  gboolean was = g_object_get_data (G_OBJECT (widget), "ek-a11y-hidden") != NULL;

  if (was == hidden)
    return;
  g_object_set_data (G_OBJECT (widget), "ek-a11y-hidden", GINT_TO_POINTER (hidden));
  gtk_accessible_update_state (GTK_ACCESSIBLE (widget),
                               GTK_ACCESSIBLE_STATE_HIDDEN, hidden,
                               -1);
}

/* A revealer allocates its content also while it hides it, and content never revealed
 * is never mapped (nor unmapped): out of the tree until revealed (Help's sheet, GtkVideo's
 * controls). */
static void
update_revealer (GtkRevealer *revealer)
{
  GtkWidget *child = gtk_revealer_get_child (revealer);

  if (child != NULL && gtk_widget_get_visible (child))
    set_hidden (child, !gtk_revealer_get_child_revealed (revealer)
                       && !gtk_revealer_get_reveal_child (revealer));
}

static void
on_child_revealed_cb (GtkRevealer *revealer,
                      GParamSpec  *pspec,
                      gpointer     user_data)
{
  update_revealer (revealer);
}

static void
watch_revealer (GtkRevealer *revealer)
{
  if (g_object_get_data (G_OBJECT (revealer), "ek-a11y-watched") == NULL)
    {
      g_object_set_data (G_OBJECT (revealer), "ek-a11y-watched", GINT_TO_POINTER (1));
      g_signal_connect (revealer, "notify::child-revealed", G_CALLBACK (on_child_revealed_cb), NULL);
      g_signal_connect (revealer, "notify::reveal-child", G_CALLBACK (on_child_revealed_cb), NULL);
    }
  update_revealer (revealer);
}

/* Mapped: on show (and a stack's other pages, never mapped yet, are not). Unmapped
 * while its parent stays mapped: a stack, a revealer or a sheet put it away, so it is
 * out of the tree until it is mapped again. (When a whole window unmaps, the parent is
 * unmapped first, and nothing is marked.) */
static gboolean
on_map_hook (GSignalInvocationHint *hint,
             guint                  n_params,
             const GValue          *params,
             gpointer               user_data)
{
  GtkWidget *widget = g_value_get_object (&params[0]);
  GtkWidget *parent = gtk_widget_get_parent (widget);
  gboolean mapped = GPOINTER_TO_UINT (user_data);

  if (!mapped)
    {
      if (parent != NULL && gtk_widget_get_mapped (parent) && gtk_widget_get_visible (widget))
        set_hidden (widget, TRUE);
      return TRUE;
    }

  if (GTK_IS_REVEALER (parent))
    update_revealer (GTK_REVEALER (parent));
  else
    set_hidden (widget, FALSE);
  if (GTK_IS_REVEALER (widget))
    watch_revealer (GTK_REVEALER (widget));
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_MEDIA_CONTROLS) != NULL)
    name_media_controls (widget);
  if (GTK_IS_BUTTON (widget))
    {
      watch_button (GTK_BUTTON (widget));
      /* Again at every map: GTK may have set the label anew meanwhile. */
      fix_mnemonic_name (GTK_BUTTON (widget));
      name_by_content (widget);
    }
  else if (GTK_IS_LIST_BOX_ROW (widget))
    name_by_content (widget);

  if (GTK_IS_STACK (parent))
    for (GtkWidget *child = gtk_widget_get_first_child (parent);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      {
        if (gtk_widget_get_visible (child) && !gtk_widget_get_mapped (child))
          set_hidden (child, TRUE);
      }

  return TRUE;
}

/**
 * ek_a11y_init:
 *
 * Installs the stacks' hooks; once, at the application's start-up.
 */
void
ek_a11y_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Signals are looked up by a class that exists: hold it for the process. */
      g_type_class_ref (GTK_TYPE_WIDGET);
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0,
                                  on_map_hook, GUINT_TO_POINTER (TRUE), NULL);
      g_signal_add_emission_hook (g_signal_lookup ("unmap", GTK_TYPE_WIDGET), 0,
                                  on_map_hook, GUINT_TO_POINTER (FALSE), NULL);
      g_once_init_leave (&done, 1);
    }
}
