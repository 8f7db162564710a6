/* test-question-view.c: EkQuestionView in-process under Xvfb, with a real answer store
 *
 * Clicks and types as a candidate would (activating the check buttons, inserting text,
 * the navigator, Previous/Next, the flag) and checks what reached the store, what the
 * navigator shows (classes, symbols and accessible names), the character limit, the
 * read-only state and the oral layout.
 */

#include "config.h"

#include <locale.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-question-view.h"

/* from the generated ek-resources.h (BUILDDIR/assets), which the unit-test loop does not
 * put on the include path */
void ek_register_resource (void);

#define WAIT_TIMEOUT_US (30 * G_USEC_PER_SEC)

static const char questions_json[] =
  "[ { \"id\": \"w1\", \"type\": \"single\", \"text\": \"Which port does HTTPS use?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"80\" }, { \"id\": \"b\", \"text\": \"443\" },"
  "                   { \"id\": \"c\", \"text\": \"8080\" } ] },"
  "  { \"id\": \"w2\", \"type\": \"multiple\", \"text\": \"Lossless formats?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"PNG\" }, { \"id\": \"b\", \"text\": \"JPEG\" },"
  "                   { \"id\": \"c\", \"text\": \"FLAC\" } ] },"
  "  { \"id\": \"w3\", \"type\": \"true_false\", \"text\": \"SHA-256 has 256 bits.\" },"
  "  { \"id\": \"w4\", \"type\": \"text\", \"text\": \"Why resume?\", \"max_length\": 12 } ]";

typedef struct
{
  char           *dir;
  EkAnswerStore  *store;
  GListModel     *questions;
  GtkWindow      *window;
  EkQuestionView *view;
} Fixture;

/* Helpers */

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static GListModel *
parse_questions (const char *json)
{
  g_autoptr(JsonNode) node = parse (json);
  g_autoptr(GError) error = NULL;
  GListModel *questions = ek_question_list_new_from_json (json_node_get_array (node), &error);

  g_assert_no_error (error);
  return questions;
}

static void
on_result_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
wait_for (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_US;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

/* Returns: the mapped widgets of @type under the view carrying @css_class (or any) */
static GPtrArray *
find_all (Fixture    *f,
          GType       type,
          const char *css_class)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  GPtrArray *found = g_ptr_array_new ();

  collect (GTK_WIDGET (f->view), type, all);
  for (guint i = 0; i < all->len; i++)
    if (css_class == NULL || gtk_widget_has_css_class (g_ptr_array_index (all, i), css_class))
      g_ptr_array_add (found, g_ptr_array_index (all, i));
  return found;
}

static GtkWidget *
find_one (Fixture    *f,
          GType       type,
          const char *css_class)
{
  g_autoptr(GPtrArray) found = find_all (f, type, css_class);

  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

static GtkCheckButton *
option (Fixture *f,
        guint    index)
{
  g_autoptr(GPtrArray) options = find_all (f, GTK_TYPE_CHECK_BUTTON, "ek-qv-option");

  g_assert_cmpuint (index, <, options->len);
  return g_ptr_array_index (options, index);
}

static guint
n_options (Fixture *f)
{
  g_autoptr(GPtrArray) options = find_all (f, GTK_TYPE_CHECK_BUTTON, "ek-qv-option");

  return options->len;
}

static void
click (GtkCheckButton *button)
{
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (button)));
  /* what a click or Space does */
  g_signal_emit_by_name (button, "activate");
  iterate ();
}

static GtkWidget *
nav_button (Fixture *f,
            guint    index)
{
  g_autoptr(GPtrArray) buttons = find_all (f, GTK_TYPE_BUTTON, "ek-qv-nav");

  g_assert_cmpuint (buttons->len, ==, 4);
  return g_ptr_array_index (buttons, index);
}

/* Returns: the Next (@next) or Previous button */
static GtkWidget *
nav_arrow (Fixture  *f,
           gboolean  next)
{
  g_autoptr(GPtrArray) buttons = find_all (f, GTK_TYPE_BUTTON, "ek-qv-nav-button");

  g_assert_cmpuint (buttons->len, ==, 2);
  for (guint i = 0; i < buttons->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (buttons, i), "ek-qv-next") == next)
      return g_ptr_array_index (buttons, i);
  g_assert_not_reached ();
}

static char *
value_text (Fixture    *f,
            const char *question_id)
{
  JsonNode *value = ek_answer_store_get_value (f->store, question_id);

  return value != NULL ? json_to_string (value, FALSE) : g_strdup ("null");
}

static void
assert_nav (Fixture    *f,
            guint       index,
            gboolean    answered,
            gboolean    flagged)
{
  GtkWidget *button = nav_button (f, index);
  GtkWidget *box = gtk_button_get_child (GTK_BUTTON (button));
  GtkWidget *check = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));
  GtkWidget *flag = gtk_widget_get_next_sibling (check);
  const char *tooltip = gtk_widget_get_tooltip_text (button);

  /* colour */
  g_assert_cmpint (gtk_widget_has_css_class (button, "ek-qv-answered"), ==, answered);
  g_assert_cmpint (gtk_widget_has_css_class (button, "ek-qv-flagged"), ==, flagged);
  /* and symbol */
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (check)), ==, "object-select-symbolic");
  g_assert_cmpint (gtk_widget_get_visible (check), ==, answered);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (flag)), ==, "emoji-flags-symbolic");
  g_assert_cmpint (gtk_widget_get_visible (flag), ==, flagged);
  /* and words */
  g_assert_nonnull (tooltip);
  g_assert_cmpint (strstr (tooltip, "not answered") == NULL, ==, answered);
  g_assert_cmpint (strstr (tooltip, "flagged") != NULL, ==, flagged);
}

static GtkTextBuffer *
text_buffer (Fixture *f)
{
  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_one (f, GTK_TYPE_TEXT_VIEW, "ek-qv-textview")));
}

static EkAnswerStore *
open_store (const char *path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  EkAnswerStore *store;

  ek_answer_store_new_async (path, NULL, NULL, on_result_cb, &result);
  wait_for (&result);
  store = ek_answer_store_new_finish (result, &error);
  g_assert_no_error (error);
  return store;
}

static void
show_view (Fixture    *f,
           GListModel *questions)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1366, 768);
  f->view = EK_QUESTION_VIEW (ek_question_view_new (f->store, questions));
  g_object_ref_sink (f->view);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (f->view)))
    g_main_context_iteration (NULL, TRUE);
  iterate ();
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("ek-qv-XXXXXX", NULL);
  path = g_build_filename (f->dir, "answers.sqlite", NULL);
  f->store = open_store (path);
  f->questions = parse_questions (questions_json);
  show_view (f, f->questions);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = g_build_filename (f->dir, "answers.sqlite", NULL);

  gtk_window_destroy (f->window);
  g_assert_finalize_object (f->view);

  ek_answer_store_flush_async (f->store, NULL, on_result_cb, &result);
  wait_for (&result);
  g_assert_true (ek_answer_store_flush_finish (f->store, result, NULL));
  g_clear_object (&result);
  /* the write's worker thread drops its hold a moment after */
  for (guint i = 0; i < 5000 && g_atomic_int_get (&G_OBJECT (f->store)->ref_count) > 1; i++)
    {
      iterate ();
      g_usleep (1000);
    }
  g_assert_finalize_object (f->store);
  g_object_unref (f->questions);

  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (f->dir);
  g_free (f->dir);
}

/* Tests */

static void
test_single_and_navigation (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *value = NULL;
  GtkLabel *number = GTK_LABEL (find_one (f, GTK_TYPE_LABEL, "ek-qv-number"));

  g_assert_cmpstr (gtk_label_get_label (number), ==, "Question 1 of 4");
  g_assert_cmpuint (n_options (f), ==, 3);
  g_assert_cmpuint (ek_question_view_get_n_unanswered (f->view), ==, 4);
  assert_nav (f, 0, FALSE, FALSE);
  g_assert_true (gtk_widget_has_css_class (nav_button (f, 0), "ek-qv-current"));

  click (option (f, 1));
  value = value_text (f, "w1");
  g_assert_cmpstr (value, ==, "\"b\"");
  g_assert_cmpint (ek_answer_store_get_revision (f->store, "w1"), ==, 1);
  assert_nav (f, 0, TRUE, FALSE);
  g_assert_cmpuint (ek_question_view_get_n_unanswered (f->view), ==, 3);

  click (option (f, 2));
  g_free (value);
  value = value_text (f, "w1");
  g_assert_cmpstr (value, ==, "\"c\"");
  g_assert_cmpint (ek_answer_store_get_revision (f->store, "w1"), ==, 2);  /* one change, one revision */
  g_assert_false (gtk_check_button_get_active (option (f, 1)));

  /* Next, by its action (the button and Alt+Right) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "question.next", NULL));
  iterate ();
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 1);
  g_assert_cmpstr (gtk_label_get_label (number), ==, "Question 2 of 4");
  g_assert_false (gtk_widget_has_css_class (nav_button (f, 0), "ek-qv-current"));
  g_assert_true (gtk_widget_has_css_class (nav_button (f, 1), "ek-qv-current"));

  /* the navigator jumps, and the answer is shown again on return */
  g_signal_emit_by_name (nav_button (f, 0), "clicked");
  iterate ();
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 0);
  g_assert_true (gtk_check_button_get_active (option (f, 2)));
  g_assert_false (gtk_check_button_get_active (option (f, 0)));

  /* Previous is off on the first question, Next on the last */
  g_assert_false (gtk_widget_is_sensitive (nav_arrow (f, FALSE)));
  g_assert_true (gtk_widget_is_sensitive (nav_arrow (f, TRUE)));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "question.previous", NULL);
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 0);
  ek_question_view_set_position (f->view, 3);
  iterate ();
  g_assert_false (gtk_widget_is_sensitive (nav_arrow (f, TRUE)));
  gtk_widget_activate_action (GTK_WIDGET (f->view), "question.next", NULL);
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 3);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "question.previous", NULL);
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 2);
}

static void
test_multiple_and_true_false (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *value = NULL;

  ek_question_view_set_position (f->view, 1);
  iterate ();
  click (option (f, 2));
  click (option (f, 0));
  value = value_text (f, "w2");
  g_assert_cmpstr (value, ==, "[\"a\",\"c\"]");  /* option order, not click order */
  click (option (f, 2));
  g_free (value);
  value = value_text (f, "w2");
  g_assert_cmpstr (value, ==, "[\"a\"]");
  click (option (f, 0));
  g_free (value);
  value = value_text (f, "w2");
  g_assert_cmpstr (value, ==, "[]");
  assert_nav (f, 1, FALSE, FALSE);  /* an empty choice is no answer */
  g_assert_cmpint (ek_answer_store_get_revision (f->store, "w2"), ==, 4);

  ek_question_view_set_position (f->view, 2);
  iterate ();
  g_assert_cmpuint (n_options (f), ==, 2);
  click (option (f, 1));
  g_free (value);
  value = value_text (f, "w3");
  g_assert_cmpstr (value, ==, "false");
  assert_nav (f, 2, TRUE, FALSE);
  click (option (f, 0));
  g_free (value);
  value = value_text (f, "w3");
  g_assert_cmpstr (value, ==, "true");
}

static void
test_text (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *value = NULL;
  GtkTextBuffer *buffer;
  GtkTextIter iter;
  GtkLabel *counter;

  ek_question_view_set_position (f->view, 3);
  iterate ();
  buffer = text_buffer (f);
  counter = GTK_LABEL (find_one (f, GTK_TYPE_LABEL, "ek-qv-counter"));
  g_assert_cmpstr (gtk_label_get_label (counter), ==, "0 / 12 characters");

  gtk_text_buffer_get_end_iter (buffer, &iter);
  gtk_text_buffer_insert_interactive (buffer, &iter, "断点续传", -1, TRUE);
  iterate ();
  value = value_text (f, "w4");
  g_assert_cmpstr (value, ==, "\"断点续传\"");
  g_assert_cmpstr (gtk_label_get_label (counter), ==, "4 / 12 characters");
  assert_nav (f, 3, TRUE, FALSE);

  /* past the limit, what is inserted is cut, not what was there */
  gtk_text_buffer_get_start_iter (buffer, &iter);
  gtk_text_buffer_insert_interactive (buffer, &iter, "0123456789", -1, TRUE);
  iterate ();
  g_free (value);
  value = value_text (f, "w4");
  g_assert_cmpstr (value, ==, "\"01234567断点续传\"");
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 12);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (counter), "ek-qv-counter-near"));
  gtk_text_buffer_get_end_iter (buffer, &iter);
  gtk_text_buffer_insert_interactive (buffer, &iter, "x", -1, TRUE);
  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 12);

  /* a value from elsewhere (the server) shows up */
  {
    g_autoptr(JsonNode) other = parse ("\"from server\"");

    g_assert_true (ek_answer_store_set_value (f->store, "w4", other, NULL));
    iterate ();
    g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), ==, 11);
    g_assert_cmpstr (gtk_label_get_label (counter), ==, "11 / 12 characters");
  }

  /* emptied: no answer */
  gtk_text_buffer_set_text (buffer, "", -1);
  iterate ();
  assert_nav (f, 3, FALSE, FALSE);
}

static void
test_flag_and_counts (Fixture       *f,
                      gconstpointer  data)
{
  GtkToggleButton *flag = GTK_TOGGLE_BUTTON (find_one (f, GTK_TYPE_TOGGLE_BUTTON, "ek-qv-flag-button"));
  GtkLabel *progress;
  guint requested = 0;

  gtk_toggle_button_set_active (flag, TRUE);
  iterate ();
  g_assert_true (ek_answer_store_get_flagged (f->store, "w1"));
  assert_nav (f, 0, FALSE, TRUE);

  click (option (f, 0));
  assert_nav (f, 0, TRUE, TRUE);

  /* the flag belongs to its question */
  ek_question_view_set_position (f->view, 1);
  iterate ();
  g_assert_false (gtk_toggle_button_get_active (flag));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "question.toggle-flag", NULL));
  iterate ();
  g_assert_true (ek_answer_store_get_flagged (f->store, "w2"));
  assert_nav (f, 1, FALSE, TRUE);
  g_assert_cmpuint (ek_answer_store_get_n_flagged (f->store), ==, 2);

  progress = GTK_LABEL (find_one (f, GTK_TYPE_LABEL, "ek-qv-progress"));
  g_assert_cmpstr (gtk_label_get_label (progress), ==, "1 of 4 answered, 2 flagged");

  /* Submit asks the page, which learns how many are unanswered */
  g_signal_connect_swapped (f->view, "submit-requested", G_CALLBACK (g_atomic_int_inc), &requested);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "question.submit", NULL));
  g_assert_cmpuint (requested, ==, 1);
  g_assert_cmpuint (ek_question_view_get_n_unanswered (f->view), ==, 3);

  /* the confirmation: going back, then submitting */
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      GtkWidget *title;
      gboolean submit;

      ek_question_view_confirm_submit_async (f->view, NULL, on_result_cb, &result);
      iterate ();
      title = find_one (f, GTK_TYPE_LABEL, "ek-qv-confirm-title");
      g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "3 questions are unanswered. Submit anyway?");
      g_assert_null (result);
      gtk_widget_activate_action (GTK_WIDGET (f->view),
                                  round == 0 ? "question.confirm-cancel" : "question.confirm-submit", NULL);
      wait_for (&result);
      submit = ek_question_view_confirm_submit_finish (f->view, result, &error);
      g_assert_no_error (error);
      g_assert_cmpint (submit, ==, round == 1);
      iterate ();
      {
        g_autoptr(GPtrArray) titles = find_all (f, GTK_TYPE_LABEL, "ek-qv-confirm-title");

        g_assert_cmpuint (titles->len, ==, 0);  /* closed */
      }
    }
}

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  GtkToggleButton *flag = GTK_TOGGLE_BUTTON (find_one (f, GTK_TYPE_TOGGLE_BUTTON, "ek-qv-flag-button"));
  guint requested = 0;
  GtkTextView *view;

  click (option (f, 1));
  ek_answer_store_set_read_only (f->store);
  iterate ();

  /* greyed, unchanged, with a word on why */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (option (f, 0))));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (flag)));
  g_assert_true (gtk_check_button_get_active (option (f, 1)));
  g_assert_true (gtk_widget_get_visible (find_one (f, GTK_TYPE_LABEL, "ek-qv-read-only")));
  g_signal_connect_swapped (f->view, "submit-requested", G_CALLBACK (g_atomic_int_inc), &requested);
  gtk_widget_activate_action (GTK_WIDGET (f->view), "question.submit", NULL);
  g_assert_cmpuint (requested, ==, 0);

  /* the candidate can still look through the answers */
  gtk_widget_activate_action (GTK_WIDGET (f->view), "question.next", NULL);
  iterate ();
  g_assert_cmpuint (ek_question_view_get_position (f->view), ==, 1);
  ek_question_view_set_position (f->view, 3);
  iterate ();
  view = GTK_TEXT_VIEW (find_one (f, GTK_TYPE_TEXT_VIEW, "ek-qv-textview"));
  g_assert_false (gtk_text_view_get_editable (view));
  g_assert_cmpint (ek_answer_store_get_revision (f->store, "w1"), ==, 1);
}

static void
test_restored (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonNode) w2 = parse ("[\"c\", \"b\"]");
  g_autoptr(JsonNode) w3 = parse ("false");

  /* answers already in the store (a restart) are shown */
  g_assert_true (ek_answer_store_set_value (f->store, "w2", w2, NULL));
  g_assert_true (ek_answer_store_set_value (f->store, "w3", w3, NULL));
  iterate ();
  assert_nav (f, 1, TRUE, FALSE);
  assert_nav (f, 2, TRUE, FALSE);
  ek_question_view_set_position (f->view, 1);
  iterate ();
  g_assert_false (gtk_check_button_get_active (option (f, 0)));
  g_assert_true (gtk_check_button_get_active (option (f, 1)));
  g_assert_true (gtk_check_button_get_active (option (f, 2)));
  /* showing them is no change */
  g_assert_cmpint (ek_answer_store_get_revision (f->store, "w2"), ==, 1);
  ek_question_view_set_position (f->view, 2);
  iterate ();
  g_assert_false (gtk_check_button_get_active (option (f, 0)));
  g_assert_true (gtk_check_button_get_active (option (f, 1)));
}

static void
test_oral (void)
{
  g_autoptr(GListModel) questions = parse_questions (
    "[ { \"id\": \"q1\", \"type\": \"oral\", \"text\": \"Introduce yourself.\" },"
    "  { \"id\": \"q2\", \"type\": \"oral\", \"text\": \"Tell us about a conflict.\" } ]");
  Fixture f = { 0, };
  g_autoptr(GPtrArray) texts = NULL;

  show_view (&f, questions);
  texts = find_all (&f, GTK_TYPE_LABEL, "ek-qv-oral-text");
  g_assert_cmpuint (texts->len, ==, 2);
  g_assert_cmpstr (gtk_label_get_label (g_ptr_array_index (texts, 1)), ==, "Tell us about a conflict.");
  g_assert_cmpuint (n_options (&f), ==, 0);
  g_assert_cmpuint (ek_question_view_get_n_unanswered (f.view), ==, 0);

  gtk_window_destroy (f.window);
  g_assert_finalize_object (f.view);
}

int
main (int    argc,
      char **argv)
{
  /* The test asserts English strings. */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  ek_register_resource ();

  g_test_add ("/question-view/single-and-navigation", Fixture, NULL, fixture_set_up,
              test_single_and_navigation, fixture_tear_down);
  g_test_add ("/question-view/multiple-and-true-false", Fixture, NULL, fixture_set_up,
              test_multiple_and_true_false, fixture_tear_down);
  g_test_add ("/question-view/text", Fixture, NULL, fixture_set_up, test_text, fixture_tear_down);
  g_test_add ("/question-view/flag-and-counts", Fixture, NULL, fixture_set_up, test_flag_and_counts,
              fixture_tear_down);
  g_test_add ("/question-view/read-only", Fixture, NULL, fixture_set_up, test_read_only, fixture_tear_down);
  g_test_add ("/question-view/restored", Fixture, NULL, fixture_set_up, test_restored, fixture_tear_down);
  g_test_add_func ("/question-view/oral", test_oral);

  return g_test_run ();
}
