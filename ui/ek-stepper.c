/* ek-stepper.c: the candidate's progress through the steps before the exam
 *
 * One list of the steps from "Check your details" to the waiting room, in the order the
 * window shows their pages (protocol section 3.3 with the two pages around it); an exam
 * counts the steps it requires, so every page of one run, the practice's included, shows
 * the same total. The window has one stepper above its pages and moves it along; a page
 * that is not a step (login, the device check from the flow, the exam) hides it.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-stepper.h"

struct _EkStepper
{
  GtkWidget  parent_instance;

  char      *caption;   /* owned; "Step 3 of 6: Second camera" */

  GtkWidget *label;     /* borrowed; child */
  GtkWidget *segments;  /* borrowed; child: one segment per step */
};

G_DEFINE_FINAL_TYPE (EkStepper, ek_stepper, GTK_TYPE_WIDGET)

typedef struct
{
  const char *page;   /* the window's page for the step */
  EkStep      step;   /* EK_STEP_NONE: always one of the steps */
  const char *title;  /* short, under its segment */
} StepperEntry;

/* The one list: the window's routing and every page's number come from here. */
static const StepperEntry entries[] = {
  { "confirm",     EK_STEP_NONE,           N_("Your details") },
  { "pledge",      EK_STEP_PLEDGE,         N_("Rules and pledge") },
  { "face-check",  EK_STEP_FACE_CHECK,     N_("Identity check") },
  { "second-view", EK_STEP_SECOND_VIEW,    N_("Second camera") },
  { "room-scan",   EK_STEP_ROOM_SCAN,      N_("Your room") },
  { "paper-check", EK_STEP_PAPER_CHECK,    N_("Blank paper") },
  { "draw",        EK_STEP_DRAW,           N_("Sequence number") },
  { "attachments", EK_STEP_ATTACHMENTS,    N_("Attachments") },
  { "device",      EK_STEP_DEVICE_CONFIRM, N_("Camera and microphone") },
  { "waiting",     EK_STEP_NONE,           N_("Waiting room") },
};

static gboolean
entry_counts (const StepperEntry *entry,
              EkExam             *exam)
{
  return entry->step == EK_STEP_NONE || ek_exam_requires_step (exam, entry->step);
}

/**
 * ek_stepper_page_for_step:
 * @step: a step, or %EK_STEP_NONE when they are all done
 *
 * Returns: the name of the window's page for @step ("device" after the last)
 */
const char *
ek_stepper_page_for_step (EkStep step)
{
  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      if (entries[i].step == step && step != EK_STEP_NONE)
        return entries[i].page;
    }

  return "device";
}

/**
 * ek_stepper_locate:
 * @exam: the exam of the run
 * @page: a page name of the window
 * @index: (out) (optional): @page's number among the steps, from 1
 * @total: (out) (optional): how many steps @exam has
 *
 * Returns: whether @page is one of @exam's steps
 */
gboolean
ek_stepper_locate (EkExam     *exam,
                   const char *page,
                   guint      *index,
                   guint      *total)
{
  guint n = 0;
  guint found = 0;

  g_return_val_if_fail (EK_IS_EXAM (exam), FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      if (!entry_counts (&entries[i], exam))
        continue;
      n++;
      if (g_strcmp0 (entries[i].page, page) == 0)
        found = n;
    }

  if (index != NULL)
    *index = found;
  if (total != NULL)
    *total = n;
  return found != 0;
}

static GtkWidget *
make_segment (const char *title,
              const char *state)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *label = gtk_label_new (title);

  gtk_widget_add_css_class (box, "ek-stepper-segment");
  gtk_widget_add_css_class (box, state);
  gtk_widget_add_css_class (bar, "ek-stepper-bar");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), label);

  return box;
}

/**
 * ek_stepper_show_page:
 * @self: an #EkStepper
 * @exam: (nullable): the exam of the run, NULL outside one
 * @page: (nullable): the page on show
 *
 * Shows where @page is among @exam's steps, or hides the stepper when it is none.
 *
 * Returns: whether the stepper is on show
 */
gboolean
ek_stepper_show_page (EkStepper  *self,
                      EkExam     *exam,
                      const char *page)
{
  GtkWidget *child;
  guint index = 0;
  guint total = 0;
  guint n = 0;

  g_return_val_if_fail (EK_IS_STEPPER (self), FALSE);

  if (exam == NULL || !ek_stepper_locate (exam, page, &index, &total))
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      g_clear_pointer (&self->caption, g_free);
      return FALSE;
    }

  while ((child = gtk_widget_get_first_child (self->segments)) != NULL)
    gtk_box_remove (GTK_BOX (self->segments), child);

  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      const char *state;

      if (!entry_counts (&entries[i], exam))
        continue;
      n++;
      state = n < index ? "done" : n == index ? "current" : "ahead";
      gtk_box_append (GTK_BOX (self->segments), make_segment (_(entries[i].title), state));
      if (n == index)
        {
          g_free (self->caption);
          /* Translators: the candidate's progress through the steps before the exam;
           * the last %s is the step's short name, e.g. "Step 3 of 6: Second camera" */
          self->caption = g_strdup_printf (_("Step %u of %u: %s"), index, total,
                                           _(entries[i].title));
        }
    }

  {
    /* Translators: the stepper's own line, e.g. "Step 3 of 6" */
    g_autofree char *short_caption = g_strdup_printf (_("Step %u of %u"), index, total);

    gtk_label_set_label (GTK_LABEL (self->label), short_caption);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  self->caption, -1);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  return TRUE;
}

/**
 * ek_stepper_get_caption:
 *
 * Returns: (nullable): "Step 3 of 6: Second camera", NULL when hidden
 */
const char *
ek_stepper_get_caption (EkStepper *self)
{
  g_return_val_if_fail (EK_IS_STEPPER (self), NULL);

  return self->caption;
}

static void
ek_stepper_dispose (GObject *object)
{
  EkStepper *self = EK_STEPPER (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ek_stepper_parent_class)->dispose (object);
}

static void
ek_stepper_finalize (GObject *object)
{
  EkStepper *self = EK_STEPPER (object);

  g_free (self->caption);

  G_OBJECT_CLASS (ek_stepper_parent_class)->finalize (object);
}

static void
ek_stepper_class_init (EkStepperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_stepper_dispose;
  object_class->finalize = ek_stepper_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stepper");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ek_stepper_init (EkStepper *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 24);
  gtk_widget_add_css_class (GTK_WIDGET (self), "ek-stepper");

  self->label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->label), 0);
  gtk_widget_set_valign (self->label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->label, "ek-step-caption");
  gtk_widget_set_parent (self->label, GTK_WIDGET (self));

  self->segments = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_set_homogeneous (GTK_BOX (self->segments), TRUE);
  gtk_widget_set_hexpand (self->segments, TRUE);
  gtk_widget_set_parent (self->segments, GTK_WIDGET (self));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
ek_stepper_new (void)
{
  return g_object_new (EK_TYPE_STEPPER, NULL);
}
