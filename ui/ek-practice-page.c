/* ek-practice-page.c: the choice of practice exam
 *
 * One card per practice exam of the bundle (assets/practice-exam.json); each
 * activates win.start-practice with its index. Everything after that runs
 * offline, like a real exam.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-practice-page.h"
#include "ek-session-notice.h"

struct _EkPracticePage
{
  GtkWidget  parent_instance;

  JsonArray *practices;  /* owned */

  /* Template children, borrowed. */
  GtkWidget *content;
  GtkBox    *choices_box;
};

enum {
  PROP_0,
  PROP_PRACTICES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkPracticePage, ek_practice_page, GTK_TYPE_WIDGET)

static GtkWidget *
choice_card (JsonObject *practice,
             guint       index)
{
  JsonObject *exam = json_object_get_object_member (practice, "exam");
  const char *title = exam != NULL ? json_object_get_string_member_with_default (exam, "title", "") : "";
  const char *kind = exam != NULL ? json_object_get_string_member_with_default (exam, "kind", "") : "";
  const char *description = json_object_get_string_member_with_default (practice, "description", "");
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *icon;
  GtkWidget *label;

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.start-practice");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_uint32 (index));
  gtk_widget_add_css_class (button, "ek-choice-card");

  icon = gtk_image_new_from_icon_name (g_str_equal (kind, "written") ? "document-edit-symbolic"
                                                                      : "audio-input-microphone-symbolic");
  gtk_widget_add_css_class (icon, "ek-choice-icon");
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (box), icon);

  /* The bundle's texts are English; the catalogue translates them like any other. */
  label = gtk_label_new (_(title));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "ek-choice-title");
  gtk_box_append (GTK_BOX (text_box), label);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);

  label = gtk_label_new (*description != '\0' ? _(description) : "");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_widget_add_css_class (label, "ek-choice-description");
  gtk_box_append (GTK_BOX (text_box), label);

  gtk_widget_set_valign (text_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), text_box);
  gtk_button_set_child (GTK_BUTTON (button), box);

  return button;
}

static gboolean
ek_practice_page_grab_focus (GtkWidget *widget)
{
  EkPracticePage *self = EK_PRACTICE_PAGE (widget);
  GtkWidget *first = gtk_widget_get_first_child (GTK_WIDGET (self->choices_box));

  return first != NULL && gtk_widget_grab_focus (first);
}

static void
ek_practice_page_constructed (GObject *object)
{
  EkPracticePage *self = EK_PRACTICE_PAGE (object);

  G_OBJECT_CLASS (ek_practice_page_parent_class)->constructed (object);

  for (guint i = 0; self->practices != NULL && i < json_array_get_length (self->practices); i++)
    {
      JsonObject *practice = json_array_get_object_element (self->practices, i);

      if (practice != NULL)
        gtk_box_append (self->choices_box, choice_card (practice, i));
    }
}

static void
ek_practice_page_dispose (GObject *object)
{
  EkPracticePage *self = EK_PRACTICE_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_PRACTICE_PAGE);
  g_clear_pointer (&self->practices, json_array_unref);

  G_OBJECT_CLASS (ek_practice_page_parent_class)->dispose (object);
}

static void
ek_practice_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EkPracticePage *self = EK_PRACTICE_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICES:
      g_value_set_boxed (value, self->practices);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_practice_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EkPracticePage *self = EK_PRACTICE_PAGE (object);

  switch (prop_id)
    {
    case PROP_PRACTICES:
      self->practices = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_practice_page_class_init (EkPracticePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_practice_page_constructed;
  object_class->dispose = ek_practice_page_dispose;
  object_class->get_property = ek_practice_page_get_property;
  object_class->set_property = ek_practice_page_set_property;

  widget_class->grab_focus = ek_practice_page_grab_focus;

  properties[PROP_PRACTICES] =
    g_param_spec_boxed ("practices", NULL, NULL,
                        JSON_TYPE_ARRAY,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-practice-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkPracticePage, content);
  gtk_widget_class_bind_template_child (widget_class, EkPracticePage, choices_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "practicepage");
}

static void
ek_practice_page_init (EkPracticePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Practice runs under Wayland, without the lockdown: say so, and how to reach the
   * exam session. */
  if (ek_session_notice_is_wayland ())
    gtk_box_prepend (GTK_BOX (self->content), ek_session_notice_new ());
}

GtkWidget *
ek_practice_page_new (JsonArray *practices)
{
  return g_object_new (EK_TYPE_PRACTICE_PAGE, "practices", practices, NULL);
}
