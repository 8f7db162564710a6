/* ek-start-page.c: the start screen: formal exam, mock exam, practice exam or device check
 *
 * The four choices are buttons that activate win.start-mode with their mode as parameter;
 * the page itself decides nothing.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-session-notice.h"
#include "ek-start-page.h"

struct _EkStartPage
{
  GtkWidget  parent_instance;

  /* Template children, borrowed. content is the only direct child: binding it makes
   * gtk_widget_dispose_template() unparent it. */
  GtkWidget *content;
  GtkButton *formal_button;
  GtkButton *mock_button;
  GtkLabel  *version_label;
};

G_DEFINE_FINAL_TYPE (EkStartPage, ek_start_page, GTK_TYPE_WIDGET)

static gboolean
ek_start_page_grab_focus (GtkWidget *widget)
{
  EkStartPage *self = EK_START_PAGE (widget);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->formal_button)))
    return gtk_widget_child_focus (self->content, GTK_DIR_TAB_FORWARD);

  return gtk_widget_grab_focus (GTK_WIDGET (self->formal_button));
}

static void
ek_start_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_START_PAGE);

  G_OBJECT_CLASS (ek_start_page_parent_class)->dispose (object);
}

static void
ek_start_page_class_init (EkStartPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_start_page_dispose;

  widget_class->grab_focus = ek_start_page_grab_focus;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-start-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkStartPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkStartPage, formal_button);
  gtk_widget_class_bind_template_child (widget_class, EkStartPage, mock_button);
  gtk_widget_class_bind_template_child (widget_class, EkStartPage, version_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "startpage");
}

static void
ek_start_page_init (EkStartPage *self)
{
  g_autofree char *version = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Under Wayland the lockdown cannot hold: no formal or mock exam, and the notice says
   * how to log in to the exam session instead (the lockdown controller refuses as well). */
  if (ek_session_notice_is_wayland ())
    {
      /* Off the action as well: the action would make them sensitive again. */
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->formal_button), NULL);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->mock_button), NULL);
      gtk_widget_set_sensitive (GTK_WIDGET (self->formal_button), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->mock_button), FALSE);
      gtk_box_prepend (GTK_BOX (self->content), ek_session_notice_new ());
    }

  /* Translators: %s is the version number, e.g. "0.1.0". */
  version = g_strdup_printf (_("Version %s"), PACKAGE_VERSION);
  gtk_label_set_label (self->version_label, version);
}

GtkWidget *
ek_start_page_new (void)
{
  return g_object_new (EK_TYPE_START_PAGE, NULL);
}
