/* ek-question-view.c: the questions of a phase, and for a written test their answers
 *
 * The inputs of the question on show are built when it is shown and follow the store:
 * every toggle or keystroke goes to ek_answer_store_set_value() at once, and a value the
 * store takes from elsewhere (the server, after a conflict) is shown when it differs
 * from what the inputs hold. Navigator buttons carry their state three ways: colour, a
 * symbol (a check mark for answered, a flag for flagged; nothing for unanswered) and
 * their accessible label, so no one needs to tell colours apart.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-question-view.h"

#define NAVIGATOR_COLUMNS 5

struct _EkQuestionView
{
  GtkWidget      parent_instance;

  EkAnswerStore *store;           /* owned, nullable for oral questions */
  GListModel    *questions;       /* owned */
  GPtrArray     *written;         /* EkQuestion, owned: the answerable questions in order */
  GPtrArray     *nav_buttons;     /* GtkButton, borrowed from the grid */
  guint          position;
  gboolean       updating;        /* inputs being set from the store: no change to send */

  /* Inputs of the question on show, borrowed from answer_box */
  GPtrArray     *option_buttons;  /* GtkCheckButton in option order; true/false: true, false */
  GtkTextBuffer *text_buffer;
  GtkTextView   *text_view;
  GtkLabel      *counter_label;

  GTask         *confirm_task;    /* owned while the Submit confirmation is open */
  char          *sync_problem;    /* owned: why the last push failed, until all are sent */

  /* Template children, borrowed */
  GtkWidget     *overlay;         /* the only direct child */
  GtkStack      *stack;
  GtkWidget     *confirm_box;
  GtkLabel      *confirm_title_label;
  GtkWidget     *confirm_cancel_button;
  GtkWidget     *sheet_box;
  GtkLabel      *progress_label;
  GtkGrid       *navigator_grid;
  GtkButton     *submit_button;
  GtkLabel      *number_label;
  GtkLabel      *hint_label;
  GtkToggleButton *flag_button;
  GtkLabel      *flag_label;
  GtkScrolledWindow *question_scroller;
  GtkLabel      *text_label;
  GtkBox        *answer_box;
  GtkLabel      *read_only_label;
  GtkLabel      *status_label;
  GtkWidget     *oral_box;
};

G_DEFINE_FINAL_TYPE (EkQuestionView, ek_question_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_QUESTIONS,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SUBMIT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void show_question (EkQuestionView *self);

/* Helpers */

static void
ensure_css (void)
{
  static GdkDisplay *loaded_for = NULL;
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL || display == loaded_for)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/examkiosk/Kiosk/ui/ek-question-view.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  loaded_for = display;
}

static EkQuestion *
current_question (EkQuestionView *self)
{
  if (self->position >= self->written->len)
    return NULL;
  return g_ptr_array_index (self->written, self->position);
}

static gboolean
is_read_only (EkQuestionView *self)
{
  return self->store == NULL || ek_answer_store_get_read_only (self->store);
}

/* "A", "B", … "Z", then "27", … */
static char *
option_letter (guint index)
{
  if (index < 26)
    return g_strdup_printf ("%c", 'A' + index);
  return g_strdup_printf ("%u", index + 1);
}

static const char *
type_hint (EkQuestionType type)
{
  switch (type)
    {
    case EK_QUESTION_TYPE_SINGLE:
      return _("Choose one answer.");
    case EK_QUESTION_TYPE_MULTIPLE:
      return _("Choose every answer that is correct.");
    case EK_QUESTION_TYPE_TRUE_FALSE:
      return _("Choose true or false.");
    case EK_QUESTION_TYPE_TEXT:
      return _("Write your answer in the box.");
    case EK_QUESTION_TYPE_ORAL:
    default:
      return "";
    }
}

static void
update_nav_button (EkQuestionView *self,
                   guint           index)
{
  GtkWidget *button = g_ptr_array_index (self->nav_buttons, index);
  EkQuestion *question = g_ptr_array_index (self->written, index);
  const char *id = ek_question_get_id (question);
  gboolean answered = self->store != NULL && ek_answer_store_is_answered (self->store, id);
  gboolean flagged = self->store != NULL && ek_answer_store_get_flagged (self->store, id);
  GtkWidget *box = gtk_button_get_child (GTK_BUTTON (button));
  GtkWidget *answered_image = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
  GtkWidget *flag_image = gtk_widget_get_next_sibling (answered_image);
  g_autofree char *label = NULL;
  const char *state;

  gtk_widget_set_visible (answered_image, answered);
  gtk_widget_set_visible (flag_image, flagged);

  if (answered)
    gtk_widget_add_css_class (button, "ek-qv-answered");
  else
    gtk_widget_remove_css_class (button, "ek-qv-answered");
  if (flagged)
    gtk_widget_add_css_class (button, "ek-qv-flagged");
  else
    gtk_widget_remove_css_class (button, "ek-qv-flagged");
  if (index == self->position)
    gtk_widget_add_css_class (button, "ek-qv-current");
  else
    gtk_widget_remove_css_class (button, "ek-qv-current");

  if (answered && flagged)
    state = _("answered, flagged for review");
  else if (answered)
    state = _("answered");
  else if (flagged)
    state = _("not answered, flagged for review");
  else
    state = _("not answered");

  /* Translators: the navigator button of a question: "Question 3: answered" */
  label = g_strdup_printf (_("Question %u: %s"), index + 1, state);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  /* Named here, with its state: not after its number alone (ek-a11y.c). */
  g_object_set_data (G_OBJECT (button), "ek-a11y-named", GINT_TO_POINTER (1));
}

static void
update_progress (EkQuestionView *self)
{
  guint n = self->written->len;
  guint answered = self->store != NULL ? ek_answer_store_get_n_answered (self->store) : 0;
  guint flagged = self->store != NULL ? ek_answer_store_get_n_flagged (self->store) : 0;
  g_autofree char *text = NULL;

  if (flagged > 0)
    /* Translators: "3 of 5 answered, 1 flagged" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u of %u answered, %u flagged",
                                         "%u of %u answered, %u flagged", n),
                            answered, n, flagged);
  else
    /* Translators: "3 of 5 answered" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u answered", "%u of %u answered", n),
                            answered, n);
  gtk_label_set_label (self->progress_label, text);
}

static void
update_status (EkQuestionView *self)
{
  g_autofree char *text = NULL;
  guint pending;

  if (self->store == NULL)
    return;

  pending = ek_answer_store_get_n_pending_sync (self->store);
  /* "Saved" only once the change is on disk: a kiosk killed before that loses it. */
  if (ek_answer_store_get_unsaved (self->store))
    text = g_strdup (_("Saving your answer on this computer…"));
  else if (ek_answer_store_get_api_client (self->store) == NULL)
    text = g_strdup (_("Every answer is saved on this computer as you go."));
  else if (pending == 0)
    text = g_strdup (_("Every answer is saved, on this computer and on the exam server."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u answer is saved on this computer and is sent to the exam server when the network allows.",
                                         "%u answers are saved on this computer and are sent to the exam server when the network allows.",
                                         pending),
                            pending);

  /* Why they are not there yet, in the words of the failure (the server down, its
   * identity refused...): the candidate can tell the proctor what is wrong. */
  if (pending == 0)
    g_clear_pointer (&self->sync_problem, g_free);
  else if (self->sync_problem != NULL && ek_answer_store_get_api_client (self->store) != NULL)
    {
      char *both = g_strconcat (text, "\n", self->sync_problem, NULL);

      g_free (text);
      text = both;
    }

  gtk_label_set_label (self->status_label, text);
  if (pending > 0 && ek_answer_store_get_api_client (self->store) != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "ek-qv-status-waiting");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "ek-qv-status-waiting");
}

static void
update_counter (EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  g_autofree char *text = NULL;
  guint max, count;

  if (self->text_buffer == NULL || question == NULL)
    return;

  max = ek_question_get_max_length (question);
  count = (guint) gtk_text_buffer_get_char_count (self->text_buffer);
  /* Translators: the characters typed and the most allowed: "120 / 500 characters" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u / %u character", "%u / %u characters", max),
                          count, max);
  gtk_label_set_label (self->counter_label, text);
  if (count * 10 >= max * 9)
    gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "ek-qv-counter-near");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "ek-qv-counter-near");
}

static void
update_sensitivity (EkQuestionView *self)
{
  gboolean writable = !is_read_only (self);

  for (guint i = 0; self->option_buttons != NULL && i < self->option_buttons->len; i++)
    gtk_widget_set_sensitive (g_ptr_array_index (self->option_buttons, i), writable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->flag_button), writable);
  gtk_widget_set_visible (GTK_WIDGET (self->read_only_label), self->store != NULL && !writable);
  gtk_widget_set_visible (GTK_WIDGET (self->submit_button), writable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.submit", writable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.toggle-flag", writable);
}

/* Reads the inputs of the question on show as a protocol value; NULL for none. */
static JsonNode *
value_from_inputs (EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  JsonNode *value = NULL;

  switch (ek_question_get_question_type (question))
    {
    case EK_QUESTION_TYPE_SINGLE:
      for (guint i = 0; i < self->option_buttons->len; i++)
        if (gtk_check_button_get_active (g_ptr_array_index (self->option_buttons, i)))
          {
            value = json_node_new (JSON_NODE_VALUE);
            json_node_set_string (value, ek_question_get_option_id (question, i));
          }
      break;

    case EK_QUESTION_TYPE_MULTIPLE:
      {
        JsonArray *array = json_array_new ();

        for (guint i = 0; i < self->option_buttons->len; i++)
          if (gtk_check_button_get_active (g_ptr_array_index (self->option_buttons, i)))
            json_array_add_string_element (array, ek_question_get_option_id (question, i));
        value = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (value, array);
      }
      break;

    case EK_QUESTION_TYPE_TRUE_FALSE:
      for (guint i = 0; i < self->option_buttons->len; i++)
        if (gtk_check_button_get_active (g_ptr_array_index (self->option_buttons, i)))
          {
            value = json_node_new (JSON_NODE_VALUE);
            json_node_set_boolean (value, i == 0);
          }
      break;

    case EK_QUESTION_TYPE_TEXT:
      {
        GtkTextIter start, end;
        g_autofree char *text = NULL;

        gtk_text_buffer_get_bounds (self->text_buffer, &start, &end);
        text = gtk_text_buffer_get_text (self->text_buffer, &start, &end, FALSE);
        value = json_node_new (JSON_NODE_VALUE);
        json_node_set_string (value, text);
      }
      break;

    case EK_QUESTION_TYPE_ORAL:
    default:
      break;
    }

  return value;
}

/* Shows the store's value in the inputs; leaves them alone when they already hold it,
 * so a candidate's cursor does not jump. */
static void
inputs_from_store (EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  g_autoptr(JsonNode) shown = NULL;
  JsonNode *value;

  if (question == NULL || self->store == NULL)
    return;

  value = ek_answer_store_get_value (self->store, ek_question_get_id (question));
  shown = value_from_inputs (self);
  if (value != NULL && shown != NULL && json_node_equal (value, shown))
    return;
  if (value == NULL && !ek_question_value_is_answered (shown))
    return;

  self->updating = TRUE;
  switch (ek_question_get_question_type (question))
    {
    case EK_QUESTION_TYPE_SINGLE:
      {
        const char *id = value != NULL ? json_node_get_string (value) : NULL;

        for (guint i = 0; i < self->option_buttons->len; i++)
          gtk_check_button_set_active (g_ptr_array_index (self->option_buttons, i),
                                       g_strcmp0 (id, ek_question_get_option_id (question, i)) == 0);
      }
      break;

    case EK_QUESTION_TYPE_MULTIPLE:
      for (guint i = 0; i < self->option_buttons->len; i++)
        {
          gboolean active = FALSE;

          if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
            {
              JsonArray *array = json_node_get_array (value);

              for (guint j = 0; j < json_array_get_length (array); j++)
                if (g_strcmp0 (json_array_get_string_element (array, j),
                               ek_question_get_option_id (question, i)) == 0)
                  active = TRUE;
            }
          gtk_check_button_set_active (g_ptr_array_index (self->option_buttons, i), active);
        }
      break;

    case EK_QUESTION_TYPE_TRUE_FALSE:
      gtk_check_button_set_active (g_ptr_array_index (self->option_buttons, 0),
                                   value != NULL && json_node_get_boolean (value));
      gtk_check_button_set_active (g_ptr_array_index (self->option_buttons, 1),
                                   value != NULL && !json_node_get_boolean (value));
      break;

    case EK_QUESTION_TYPE_TEXT:
      gtk_text_buffer_set_text (self->text_buffer, value != NULL ? json_node_get_string (value) : "", -1);
      update_counter (self);
      break;

    case EK_QUESTION_TYPE_ORAL:
    default:
      break;
    }
  self->updating = FALSE;
}

static void
send_inputs (EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  g_autoptr(JsonNode) value = NULL;
  g_autoptr(GError) error = NULL;

  if (self->updating || question == NULL || self->store == NULL)
    return;

  value = value_from_inputs (self);
  if (!ek_answer_store_set_value (self->store, ek_question_get_id (question), value, &error))
    {
      /* Read-only (the time ran out this second) or refused: show what counts. */
      g_debug ("Answer to %s not taken: %s", ek_question_get_id (question), error->message);
      gtk_label_set_label (self->status_label, error->message);
      inputs_from_store (self);
    }
}

/* Callbacks */

static void
on_option_toggled_cb (GtkCheckButton *button,
                      EkQuestionView *self)
{
  EkQuestion *question = current_question (self);

  /* In a group the button switched off reports too; the one switched on says it all. */
  if (question != NULL && ek_question_get_question_type (question) != EK_QUESTION_TYPE_MULTIPLE &&
      !gtk_check_button_get_active (button))
    return;
  send_inputs (self);
}

static void
on_text_changed_cb (GtkTextBuffer  *buffer,
                    EkQuestionView *self)
{
  update_counter (self);
  send_inputs (self);
}

/* Keeps a text answer within max_length characters by cutting what is inserted, not
 * what was there (typing in the middle must not eat the end). */
static void
on_insert_text_cb (GtkTextBuffer  *buffer,
                   GtkTextIter    *location,
                   char           *text,
                   int             len,
                   EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  glong max, have, adding, allowed;
  const char *end;

  if (self->updating || question == NULL)
    return;

  max = ek_question_get_max_length (question);
  have = gtk_text_buffer_get_char_count (buffer);
  adding = g_utf8_strlen (text, len);
  if (have + adding <= max)
    return;

  g_signal_stop_emission_by_name (buffer, "insert-text");
  gtk_widget_error_bell (GTK_WIDGET (self));
  allowed = MAX (max - have, 0);
  if (allowed == 0)
    return;

  end = g_utf8_offset_to_pointer (text, allowed);
  /* Revalidates @location for the caller, like the default handler would. */
  gtk_text_buffer_insert (buffer, location, text, (int) (end - text));
}

static void
on_nav_clicked_cb (GtkButton      *button,
                   EkQuestionView *self)
{
  guint index;

  if (g_ptr_array_find (self->nav_buttons, button, &index))
    ek_question_view_set_position (self, index);
}

static void
on_flag_toggled_cb (GtkToggleButton *button,
                    EkQuestionView  *self)
{
  EkQuestion *question = current_question (self);
  gboolean active = gtk_toggle_button_get_active (button);
  g_autoptr(GError) error = NULL;

  gtk_label_set_label (self->flag_label, active ? _("Flagged") : _("Flag for review"));
  if (self->updating || question == NULL || self->store == NULL)
    return;

  if (!ek_answer_store_set_flagged (self->store, ek_question_get_id (question), active, &error))
    {
      gtk_label_set_label (self->status_label, error->message);
      self->updating = TRUE;
      gtk_toggle_button_set_active (button, !active);
      self->updating = FALSE;
    }
}

static void
on_answer_changed_cb (EkAnswerStore  *store,
                      const char     *question_id,
                      EkQuestionView *self)
{
  EkQuestion *question = current_question (self);

  for (guint i = 0; i < self->written->len; i++)
    if (g_strcmp0 (ek_question_get_id (g_ptr_array_index (self->written, i)), question_id) == 0)
      update_nav_button (self, i);

  if (question != NULL && g_strcmp0 (ek_question_get_id (question), question_id) == 0)
    {
      inputs_from_store (self);
      self->updating = TRUE;
      gtk_toggle_button_set_active (self->flag_button, ek_answer_store_get_flagged (store, question_id));
      self->updating = FALSE;
    }
}

static void
on_counts_changed_cb (EkQuestionView *self)
{
  update_progress (self);
  update_status (self);
}

static void
on_sync_failed_cb (EkAnswerStore  *store,
                   const char     *question_id,
                   const GError   *error,
                   EkQuestionView *self)
{
  if (g_strcmp0 (self->sync_problem, error->message) == 0)
    return;
  g_free (self->sync_problem);
  self->sync_problem = g_strdup (error->message);
  update_status (self);
}

static void
on_read_only_changed_cb (EkQuestionView *self)
{
  update_sensitivity (self);
  if (self->text_buffer != NULL)
    show_question (self);  /* the text view's editability */
}

/* Building */

static GtkWidget *
make_option_button (EkQuestionView *self,
                    const char     *letter,
                    const char     *text,
                    gboolean        radio,
                    GtkCheckButton *group)
{
  /* One of a group is a radio button to a screen reader too (GTK 4.8 says "check box"
   * for every GtkCheckButton); the role is fixed when the button is made. */
  GtkWidget *button = g_object_new (GTK_TYPE_CHECK_BUTTON,
                                    "accessible-role", radio
                                                       ? GTK_ACCESSIBLE_ROLE_RADIO
                                                       : GTK_ACCESSIBLE_ROLE_CHECKBOX,
                                    NULL);
  GtkWidget *label;
  g_autofree char *markup = NULL;
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *name = NULL;

  if (letter != NULL)
    markup = g_strdup_printf ("<b>%s.</b>  %s", letter, escaped);
  else
    markup = g_steal_pointer (&escaped);
  /* GTK 4.8 names no check button after a child of its own: its text is the name. */
  name = letter != NULL ? g_strdup_printf ("%s. %s", letter, text) : g_strdup (text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);

  label = gtk_label_new (NULL);
  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_check_button_set_child (GTK_CHECK_BUTTON (button), label);
  gtk_widget_add_css_class (button, "ek-qv-option");
  if (group != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (button), group);

  g_signal_connect (button, "toggled", G_CALLBACK (on_option_toggled_cb), self);
  return button;
}

static void
clear_inputs (EkQuestionView *self)
{
  GtkWidget *child;

  if (self->text_buffer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->text_buffer, self);
      self->text_buffer = NULL;
    }
  self->text_view = NULL;
  self->counter_label = NULL;
  g_clear_pointer (&self->option_buttons, g_ptr_array_unref);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->answer_box))) != NULL)
    {
      if (GTK_IS_CHECK_BUTTON (child))
        g_signal_handlers_disconnect_by_data (child, self);
      gtk_box_remove (self->answer_box, child);
    }
}

static void
build_inputs (EkQuestionView *self,
              EkQuestion     *question)
{
  GtkCheckButton *group = NULL;

  clear_inputs (self);
  self->option_buttons = g_ptr_array_new ();

  switch (ek_question_get_question_type (question))
    {
    case EK_QUESTION_TYPE_SINGLE:
    case EK_QUESTION_TYPE_MULTIPLE:
      for (guint i = 0; i < ek_question_get_n_options (question); i++)
        {
          g_autofree char *letter = option_letter (i);
          GtkWidget *button;

          button = make_option_button (self, letter, ek_question_get_option_text (question, i),
                                       ek_question_get_question_type (question) == EK_QUESTION_TYPE_SINGLE,
                                       ek_question_get_question_type (question) == EK_QUESTION_TYPE_SINGLE
                                       ? group : NULL);
          if (group == NULL && ek_question_get_question_type (question) == EK_QUESTION_TYPE_SINGLE)
            group = GTK_CHECK_BUTTON (button);
          g_ptr_array_add (self->option_buttons, button);
          gtk_box_append (self->answer_box, button);
        }
      break;

    case EK_QUESTION_TYPE_TRUE_FALSE:
      {
        GtkWidget *yes = make_option_button (self, NULL, _("True"), TRUE, NULL);
        GtkWidget *no = make_option_button (self, NULL, _("False"), TRUE, GTK_CHECK_BUTTON (yes));

        g_ptr_array_add (self->option_buttons, yes);
        g_ptr_array_add (self->option_buttons, no);
        gtk_box_append (self->answer_box, yes);
        gtk_box_append (self->answer_box, no);
      }
      break;

    case EK_QUESTION_TYPE_TEXT:
      {
        GtkWidget *scroller = gtk_scrolled_window_new ();
        GtkWidget *view = gtk_text_view_new ();
        GtkWidget *counter = gtk_label_new (NULL);
        gboolean writable = !is_read_only (self);

        gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
        gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);  /* Tab leaves the box */
        gtk_text_view_set_editable (GTK_TEXT_VIEW (view), writable);
        gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), writable);
        gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
        gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
        gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 10);
        gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 10);
        gtk_widget_add_css_class (view, "ek-qv-textview");
        gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Your answer"),
                                        -1);
        gtk_accessible_update_relation (GTK_ACCESSIBLE (view),
                                        GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, counter, NULL,
                                        -1);

        gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                        GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
        gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 180);
        gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
        gtk_widget_add_css_class (scroller, "ek-qv-text-frame");
        if (!writable)
          gtk_widget_add_css_class (scroller, "ek-qv-disabled");

        gtk_label_set_xalign (GTK_LABEL (counter), 1);
        gtk_widget_add_css_class (counter, "ek-qv-counter");

        gtk_box_append (self->answer_box, scroller);
        gtk_box_append (self->answer_box, counter);

        self->text_view = GTK_TEXT_VIEW (view);
        self->text_buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
        self->counter_label = GTK_LABEL (counter);
        g_signal_connect (self->text_buffer, "insert-text", G_CALLBACK (on_insert_text_cb), self);
        g_signal_connect (self->text_buffer, "changed", G_CALLBACK (on_text_changed_cb), self);
      }
      break;

    case EK_QUESTION_TYPE_ORAL:
    default:
      break;
    }

  inputs_from_store (self);
  update_counter (self);
}

static void
show_question (EkQuestionView *self)
{
  EkQuestion *question = current_question (self);
  g_autofree char *number = NULL;
  GtkAdjustment *adjustment;

  if (question == NULL)
    return;

  /* Translators: "Question 2 of 5" */
  number = g_strdup_printf (_("Question %u of %u"), self->position + 1, self->written->len);
  gtk_label_set_label (self->number_label, number);
  gtk_label_set_label (self->hint_label, type_hint (ek_question_get_question_type (question)));
  gtk_label_set_label (self->text_label, ek_question_get_text (question));

  build_inputs (self, question);

  self->updating = TRUE;
  gtk_toggle_button_set_active (self->flag_button,
                                self->store != NULL &&
                                ek_answer_store_get_flagged (self->store, ek_question_get_id (question)));
  self->updating = FALSE;
  gtk_label_set_label (self->flag_label,
                       gtk_toggle_button_get_active (self->flag_button)
                       ? _("Flagged") : _("Flag for review"));

  for (guint i = 0; i < self->nav_buttons->len; i++)
    update_nav_button (self, i);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.previous", self->position > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.next",
                                 self->position + 1 < self->written->len);
  update_sensitivity (self);

  adjustment = gtk_scrolled_window_get_vadjustment (self->question_scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
}

static GtkWidget *
make_nav_button (EkQuestionView *self,
                 guint           index)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 2);
  g_autofree char *number = g_strdup_printf ("%u", index + 1);
  GtkWidget *label = gtk_label_new (number);
  GtkWidget *answered = gtk_image_new_from_icon_name ("object-select-symbolic");
  GtkWidget *flagged = gtk_image_new_from_icon_name ("emoji-flags-symbolic");

  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, "ek-qv-nav-number");
  gtk_widget_add_css_class (answered, "ek-qv-nav-answered-icon");
  gtk_widget_add_css_class (flagged, "ek-qv-nav-flag-icon");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), answered);
  gtk_box_append (GTK_BOX (box), flagged);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "ek-qv-nav");

  g_signal_connect (button, "clicked", G_CALLBACK (on_nav_clicked_cb), self);
  return button;
}

static void
build_oral (EkQuestionView *self)
{
  guint number = 0;

  for (guint i = 0; i < g_list_model_get_n_items (self->questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (self->questions, i);
      g_autofree char *heading = NULL;
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      GtkWidget *label;

      /* Translators: the heading of an oral question; %u is its number */
      heading = g_strdup_printf (_("Question %u"), ++number);
      label = g_object_new (GTK_TYPE_LABEL,
                            "label", heading,
                            "accessible-role", GTK_ACCESSIBLE_ROLE_HEADING,
                            "xalign", 0.0f,
                            NULL);
      gtk_widget_add_css_class (label, "ek-qv-number");
      gtk_box_append (GTK_BOX (box), label);

      label = gtk_label_new (ek_question_get_text (question));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
      gtk_widget_add_css_class (label, "ek-qv-oral-text");
      gtk_box_append (GTK_BOX (box), label);

      gtk_widget_add_css_class (box, "ek-qv-oral-card");
      gtk_box_append (GTK_BOX (self->oral_box), box);
    }
}

/* Actions */

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  if (self->position > 0)
    ek_question_view_set_position (self, self->position - 1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  if (self->position + 1 < self->written->len)
    ek_question_view_set_position (self, self->position + 1);
}

static void
toggle_flag_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  if (gtk_widget_is_sensitive (GTK_WIDGET (self->flag_button)))
    gtk_toggle_button_set_active (self->flag_button,
                                  !gtk_toggle_button_get_active (self->flag_button));
}

/* Closes the confirmation with the candidate's choice, or with @error. */
static void
close_confirmation (EkQuestionView *self,
                    gboolean        submit,
                    GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->confirm_task);

  if (self->confirm_box != NULL)
    {
      gtk_widget_set_visible (self->confirm_box, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->stack), TRUE);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-cancel", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-submit", FALSE);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else if (!g_task_return_error_if_cancelled (task))
    g_task_return_boolean (task, submit);
}

static void
confirm_cancel_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  close_confirmation (self, FALSE, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->submit_button));
}

static void
confirm_submit_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  close_confirmation (EK_QUESTION_VIEW (widget), TRUE, NULL);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  g_signal_emit (widget, signals[SUBMIT_REQUESTED], 0);
}

/* VFuncs */

static void
ek_question_view_constructed (GObject *object)
{
  EkQuestionView *self = EK_QUESTION_VIEW (object);
  guint n_oral = 0;

  G_OBJECT_CLASS (ek_question_view_parent_class)->constructed (object);

  g_return_if_fail (G_IS_LIST_MODEL (self->questions));

  for (guint i = 0; i < g_list_model_get_n_items (self->questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (self->questions, i);

      if (ek_question_takes_answer (question))
        g_ptr_array_add (self->written, g_object_ref (question));
      else
        n_oral++;
    }

  if (self->written->len == 0)
    {
      if (n_oral > 0)
        {
          build_oral (self);
          gtk_stack_set_visible_child_name (self->stack, "oral");
        }
      else
        gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  if (self->store != NULL)
    {
      ek_answer_store_add_questions (self->store, self->questions);
      g_signal_connect_object (self->store, "answer-changed",
                               G_CALLBACK (on_answer_changed_cb), self, 0);
      g_signal_connect_object (self->store, "notify::n-answered",
                               G_CALLBACK (on_counts_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->store, "notify::n-flagged",
                               G_CALLBACK (on_counts_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->store, "notify::n-pending-sync",
                               G_CALLBACK (on_counts_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->store, "notify::unsaved",
                               G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->store, "notify::read-only",
                               G_CALLBACK (on_read_only_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->store, "sync-failed",
                               G_CALLBACK (on_sync_failed_cb), self, 0);
    }

  for (guint i = 0; i < self->written->len; i++)
    {
      GtkWidget *button = make_nav_button (self, i);

      g_ptr_array_add (self->nav_buttons, button);
      gtk_grid_attach (self->navigator_grid, button,
                       (int) (i % NAVIGATOR_COLUMNS), (int) (i / NAVIGATOR_COLUMNS), 1, 1);
    }

  gtk_stack_set_visible_child_name (self->stack, "written");
  update_progress (self);
  update_status (self);
  show_question (self);
}

/* Tab into the view goes through its children in order, the answer sheet first. GTK's
 * default would call grab_focus() on the view first, which (below) jumps to the answer
 * and so skipped the sheet and its Submit for forward Tab (Shift+Tab reached them). */
static gboolean
ek_question_view_focus (GtkWidget        *widget,
                        GtkDirectionType  direction)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  return gtk_widget_child_focus (GTK_WIDGET (self->overlay), direction);
}

static gboolean
ek_question_view_grab_focus (GtkWidget *widget)
{
  EkQuestionView *self = EK_QUESTION_VIEW (widget);

  if (self->option_buttons != NULL && self->option_buttons->len > 0 &&
      gtk_widget_get_sensitive (g_ptr_array_index (self->option_buttons, 0)))
    return gtk_widget_grab_focus (g_ptr_array_index (self->option_buttons, 0));
  if (self->text_view != NULL)
    return gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  if (self->nav_buttons->len > 0)
    return gtk_widget_grab_focus (g_ptr_array_index (self->nav_buttons, self->position));
  return FALSE;  /* oral questions: nothing to operate */
}

static void
ek_question_view_dispose (GObject *object)
{
  EkQuestionView *self = EK_QUESTION_VIEW (object);

  if (self->text_buffer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->text_buffer, self);
      self->text_buffer = NULL;
    }
  g_clear_pointer (&self->option_buttons, g_ptr_array_unref);
  if (self->confirm_task != NULL)
    close_confirmation (self, FALSE, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "The question view was closed"));
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_QUESTION_VIEW);

  G_OBJECT_CLASS (ek_question_view_parent_class)->dispose (object);
}

static void
ek_question_view_finalize (GObject *object)
{
  EkQuestionView *self = EK_QUESTION_VIEW (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->sync_problem, g_free);
  g_clear_object (&self->questions);
  g_clear_pointer (&self->written, g_ptr_array_unref);
  g_clear_pointer (&self->nav_buttons, g_ptr_array_unref);

  G_OBJECT_CLASS (ek_question_view_parent_class)->finalize (object);
}

static void
ek_question_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EkQuestionView *self = EK_QUESTION_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_QUESTIONS:
      g_value_set_object (value, self->questions);
      break;

    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_question_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EkQuestionView *self = EK_QUESTION_VIEW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_QUESTIONS:
      self->questions = g_value_dup_object (value);
      break;

    case PROP_POSITION:
      ek_question_view_set_position (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_question_view_class_init (EkQuestionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_question_view_constructed;
  object_class->dispose = ek_question_view_dispose;
  object_class->finalize = ek_question_view_finalize;
  object_class->get_property = ek_question_view_get_property;
  object_class->set_property = ek_question_view_set_property;

  widget_class->grab_focus = ek_question_view_grab_focus;
  widget_class->focus = ek_question_view_focus;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         EK_TYPE_ANSWER_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUESTIONS] =
    g_param_spec_object ("questions", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkQuestionView::submit-requested:
   *
   * The candidate pressed Submit. The page confirms (ek_question_view_confirm_submit_async()
   * with ek_question_view_get_n_unanswered()) and submits.
   */
  signals[SUBMIT_REQUESTED] =
    g_signal_new ("submit-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "question.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "question.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "question.toggle-flag", NULL, toggle_flag_action);
  gtk_widget_class_install_action (widget_class, "question.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "question.confirm-cancel", NULL, confirm_cancel_action);
  gtk_widget_class_install_action (widget_class, "question.confirm-submit", NULL, confirm_submit_action);

  /* Alt+arrows like a browser's back and forward; Ctrl+Page keys like tabs. Plain arrows
   * stay with the option groups and the text. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "question.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "question.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK, "question.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK, "question.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_ALT_MASK, "question.toggle-flag", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "question.confirm-cancel", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-question-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, overlay);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, stack);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, confirm_box);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, confirm_title_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, confirm_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, sheet_box);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, progress_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, navigator_grid);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, submit_button);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, number_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, hint_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, flag_button);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, flag_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, question_scroller);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, text_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, answer_box);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, read_only_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, status_label);
  gtk_widget_class_bind_template_child (widget_class, EkQuestionView, oral_box);
  gtk_widget_class_bind_template_callback (widget_class, on_flag_toggled_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "questionview");
}

static void
ek_question_view_init (EkQuestionView *self)
{
  self->written = g_ptr_array_new_with_free_func (g_object_unref);
  self->nav_buttons = g_ptr_array_new ();

  ensure_css ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-cancel", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-submit", FALSE);
}

/* Public API */

/**
 * ek_question_view_new:
 * @store: (nullable): where the answers go; %NULL only for oral questions
 * @questions: a #GListModel of #EkQuestion, a phase's
 */
GtkWidget *
ek_question_view_new (EkAnswerStore *store,
                      GListModel    *questions)
{
  g_return_val_if_fail (store == NULL || EK_IS_ANSWER_STORE (store), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (questions), NULL);

  return g_object_new (EK_TYPE_QUESTION_VIEW,
                       "store", store,
                       "questions", questions,
                       NULL);
}

EkAnswerStore *
ek_question_view_get_store (EkQuestionView *self)
{
  g_return_val_if_fail (EK_IS_QUESTION_VIEW (self), NULL);
  return self->store;
}

GListModel *
ek_question_view_get_questions (EkQuestionView *self)
{
  g_return_val_if_fail (EK_IS_QUESTION_VIEW (self), NULL);
  return self->questions;
}

/**
 * ek_question_view_get_position:
 *
 * Returns: the index of the question on show among the answerable ones
 */
guint
ek_question_view_get_position (EkQuestionView *self)
{
  g_return_val_if_fail (EK_IS_QUESTION_VIEW (self), 0);
  return self->position;
}

void
ek_question_view_set_position (EkQuestionView *self,
                               guint           position)
{
  g_return_if_fail (EK_IS_QUESTION_VIEW (self));

  if (self->written->len == 0)
    return;
  position = MIN (position, self->written->len - 1);
  if (position == self->position && self->option_buttons != NULL)
    return;

  self->position = position;
  show_question (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

/**
 * ek_question_view_get_n_unanswered:
 *
 * Returns: how many answerable questions of this view have no answer
 */
guint
ek_question_view_get_n_unanswered (EkQuestionView *self)
{
  guint n = 0;

  g_return_val_if_fail (EK_IS_QUESTION_VIEW (self), 0);

  for (guint i = 0; i < self->written->len; i++)
    if (self->store == NULL ||
        !ek_answer_store_is_answered (self->store, ek_question_get_id (g_ptr_array_index (self->written, i))))
      n++;
  return n;
}

/**
 * ek_question_view_confirm_submit_async:
 *
 * Asks, over the questions, "N questions are unanswered. Submit anyway?" (or, with every
 * question answered, whether to submit), saying that submitting cannot be undone. Going
 * back is the default (focus, Escape). The view stays in its window: a kiosk has no
 * window manager to place a dialog, and nothing may open over the exam.
 */
void
ek_question_view_confirm_submit_async (EkQuestionView      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  guint n_unanswered;

  g_return_if_fail (EK_IS_QUESTION_VIEW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_question_view_confirm_submit_async);

  if (self->confirm_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The Submit confirmation is already open");
      return;
    }

  n_unanswered = ek_question_view_get_n_unanswered (self);
  if (n_unanswered > 0)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u question is unanswered. Submit anyway?",
                                          "%u questions are unanswered. Submit anyway?",
                                          n_unanswered),
                             n_unanswered);
  else
    title = g_strdup (_("Submit your answers?"));
  gtk_label_set_label (self->confirm_title_label, title);

  self->confirm_task = g_steal_pointer (&task);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stack), FALSE);
  gtk_widget_set_visible (self->confirm_box, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-cancel", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "question.confirm-submit", TRUE);
  gtk_widget_grab_focus (self->confirm_cancel_button);
}

/**
 * ek_question_view_confirm_submit_finish:
 *
 * Returns: %TRUE when the candidate chose to submit
 */
gboolean
ek_question_view_confirm_submit_finish (EkQuestionView  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_question_view_confirm_submit_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ek_question_view_get_confirm_card:
 *
 * Returns: (transfer none): the Submit confirmation's card, over the questions while open
 */
GtkWidget *
ek_question_view_get_confirm_card (EkQuestionView *self)
{
  g_return_val_if_fail (EK_IS_QUESTION_VIEW (self), NULL);

  return gtk_widget_get_first_child (self->confirm_box);
}
