/* question-view-demo.c: EkQuestionView on its own, for screenshots (tests only, never installed)
 *
 * usage: question-view-demo [--oral] [--read-only] [--position N] [--confirm] [--side-panel]
 *
 * Shows a written test of every question type with a few answers and a flag already
 * given (store in a temporary folder, no server), fullscreen, in a window titled
 * "ExamKiosk" so that tests/screenshot-question-view.sh can find it. --oral shows an
 * interview's questions; --confirm opens the Submit confirmation; --side-panel leaves
 * room for the exam page's side panel as the kiosk would.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-question-view.h"
#include "ek-resources.h"

static const char written_json[] =
  "[ { \"id\": \"w1\", \"type\": \"single\", \"text\": \"Which port does HTTPS use by default?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"80\" }, { \"id\": \"b\", \"text\": \"443\" },"
  "                   { \"id\": \"c\", \"text\": \"8080\" }, { \"id\": \"d\", \"text\": \"21\" } ] },"
  "  { \"id\": \"w2\", \"type\": \"multiple\", \"text\": \"Which of these are lossless compression formats?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"PNG\" }, { \"id\": \"b\", \"text\": \"JPEG\" },"
  "                   { \"id\": \"c\", \"text\": \"FLAC, the Free Lossless Audio Codec, widely used for archiving music recordings\" },"
  "                   { \"id\": \"d\", \"text\": \"MP3\" } ] },"
  "  { \"id\": \"w3\", \"type\": \"true_false\", \"text\": \"SHA-256 produces a 256-bit digest.\" },"
  "  { \"id\": \"w4\", \"type\": \"text\", \"text\": \"In one or two sentences: why does a resumable upload need the server's offset?\","
  "    \"max_length\": 500 },"
  "  { \"id\": \"w5\", \"type\": \"single\", \"text\": \"What does the formula sheet show?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"A rectangle\" }, { \"id\": \"b\", \"text\": \"A circle\" } ] },"
  "  { \"id\": \"w6\", \"type\": \"true_false\", \"text\": \"A tus upload can resume after the network was lost.\" },"
  "  { \"id\": \"w7\", \"type\": \"multiple\", \"text\": \"Which of these are prime numbers?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"2\" }, { \"id\": \"b\", \"text\": \"9\" }, { \"id\": \"c\", \"text\": \"11\" } ] },"
  "  { \"id\": \"w8\", \"type\": \"text\", \"text\": \"Name one risk of taking an exam on a shared computer.\", \"max_length\": 200 },"
  "  { \"id\": \"w9\", \"type\": \"single\", \"text\": \"Which key shows the next question?\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"Alt+Right\" }, { \"id\": \"b\", \"text\": \"Escape\" } ] },"
  "  { \"id\": \"w10\", \"type\": \"true_false\", \"text\": \"The answers are saved as you go.\" },"
  "  { \"id\": \"w11\", \"type\": \"text\", \"text\": \"Describe your working environment.\", \"max_length\": 300 },"
  "  { \"id\": \"w12\", \"type\": \"single\", \"text\": \"Pick the largest number.\","
  "    \"options\": [ { \"id\": \"a\", \"text\": \"12\" }, { \"id\": \"b\", \"text\": \"21\" } ] } ]";

static const char oral_json[] =
  "[ { \"id\": \"q1\", \"type\": \"oral\", \"text\": \"Please introduce yourself briefly and explain why you applied for this position.\" },"
  "  { \"id\": \"q2\", \"type\": \"oral\", \"text\": \"A colleague keeps missing deadlines that affect your work. What do you do? Explain your reasons.\" } ]";

static gboolean opt_oral;
static gboolean opt_read_only;
static gboolean opt_confirm;
static gboolean opt_side_panel;
static int opt_position;
static char *tmp_dir;

static const GOptionEntry entries[] = {
  { "oral", 0, 0, G_OPTION_ARG_NONE, &opt_oral, "Show an interview's questions", NULL },
  { "read-only", 0, 0, G_OPTION_ARG_NONE, &opt_read_only, "The time is over", NULL },
  { "confirm", 0, 0, G_OPTION_ARG_NONE, &opt_confirm, "Open the Submit confirmation", NULL },
  { "side-panel", 0, 0, G_OPTION_ARG_NONE, &opt_side_panel, "Leave room for the exam page's side panel", NULL },
  { "position", 0, 0, G_OPTION_ARG_INT, &opt_position, "The question on show, from 1", "N" },
  { NULL }
};

static void
set_json (EkAnswerStore *store,
          const char    *question_id,
          const char    *json)
{
  g_autoptr(JsonNode) value = json_from_string (json, NULL);

  ek_answer_store_set_value (store, question_id, value, NULL);
}

static void
on_confirmed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_print ("submit: %s\n",
           ek_question_view_confirm_submit_finish (EK_QUESTION_VIEW (source), result, NULL) ? "yes" : "no");
}

static void
on_submit_requested_cb (EkQuestionView *view,
                        gpointer        user_data)
{
  ek_question_view_confirm_submit_async (view, NULL, on_confirmed_cb, NULL);
}

static void
on_store_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(EkAnswerStore) store = NULL;
  g_autoptr(GListModel) questions = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *window, *box, *view;

  store = ek_answer_store_new_finish (result, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  node = json_from_string (opt_oral ? oral_json : written_json, &error);
  g_assert_no_error (error);
  questions = ek_question_list_new_from_json (json_node_get_array (node), &error);
  g_assert_no_error (error);

  ek_answer_store_add_questions (store, questions);
  if (!opt_oral)
    {
      set_json (store, "w1", "\"b\"");
      set_json (store, "w2", "[\"a\", \"c\"]");
      set_json (store, "w4", "\"Because the upload continues from the byte the server already has, "
                              "nothing is sent twice and nothing is lost.\"");
      set_json (store, "w6", "true");
      set_json (store, "w9", "\"a\"");
      ek_answer_store_set_flagged (store, "w2", TRUE, NULL);
      ek_answer_store_set_flagged (store, "w5", TRUE, NULL);
    }
  if (opt_read_only)
    ek_answer_store_set_read_only (store);

  window = gtk_application_window_new (app);
  gtk_window_set_title (GTK_WINDOW (window), "ExamKiosk");
  gtk_widget_add_css_class (window, "ek-window");

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  view = ek_question_view_new (store, questions);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_box_append (GTK_BOX (box), view);
  if (opt_side_panel)
    {
      GtkWidget *panel = gtk_label_new ("(the exam page's side panel: camera, countdown, seat)");

      gtk_label_set_wrap (GTK_LABEL (panel), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (panel), 16);
      gtk_widget_set_size_request (panel, 320, -1);
      gtk_widget_add_css_class (panel, "ek-side-panel");
      gtk_box_append (GTK_BOX (box), panel);
    }
  gtk_window_set_child (GTK_WINDOW (window), box);

  if (opt_position > 0)
    ek_question_view_set_position (EK_QUESTION_VIEW (view), (guint) opt_position - 1);
  g_signal_connect (view, "submit-requested", G_CALLBACK (on_submit_requested_cb), NULL);

  /* as EkWindow does on big monitors */
  {
    GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
    g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
    GdkRectangle geometry = { 0, };

    if (monitor != NULL)
      gdk_monitor_get_geometry (monitor, &geometry);
    if (geometry.width >= 1600 && geometry.height >= 900)
      gtk_widget_add_css_class (window, "ek-large-screen");
    /* Xvfb has no window manager to make a window fullscreen */
    if (geometry.width > 0)
      gtk_window_set_default_size (GTK_WINDOW (window), geometry.width, geometry.height);
  }

  gtk_window_fullscreen (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_grab_focus (view);

  if (opt_confirm)
    gtk_widget_activate_action (view, "question.submit", NULL);
}

static void
on_activate_cb (GtkApplication *app)
{
  g_autofree char *path = g_build_filename (tmp_dir, "answers.sqlite", NULL);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/examkiosk/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_application_hold (G_APPLICATION (app));
  ek_answer_store_new_async (path, NULL, NULL, on_store_ready_cb, app);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (tmp_dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (tmp_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *localedir = g_getenv ("EK_LOCALEDIR");
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  ek_register_resource ();
  tmp_dir = g_dir_make_tmp ("ek-qv-demo-XXXXXX", &error);
  g_assert_no_error (error);

  app = gtk_application_new ("io.github.examkiosk.QuestionViewDemo", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  remove_tmp_dir ();
  g_free (tmp_dir);
  return status;
}
