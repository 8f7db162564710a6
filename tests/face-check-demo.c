/* face-check-demo.c: the identity check page and the signal indicator on their own,
 * for screenshots (tests only, never installed)
 *
 * usage: face-check-demo [--indicator]
 *
 * Runs the offline practice exam with the face check required, the camera from the
 * test source (EK_TEST_CAMERA_FILE picks a picture or clip), in a window titled
 * "ExamKiosk". --indicator shows the exam page's signal indicator instead, with
 * "face absent" active.
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "ek-engine.h"
#include "ek-face-check-page.h"
#include "ek-resources.h"
#include "ek-signal-indicator.h"

static gboolean opt_indicator;

static GOptionEntry entries[] = {
  { "indicator", 0, 0, G_OPTION_ARG_NONE, &opt_indicator, "Show the signal indicator", NULL },
  { NULL }
};

static EkEngine *engine;
static EkProctorSignals *signals;

static GtkWidget *
make_page (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *bundle, *exam, *steps;

  if (!ek_config_load_from_data (config, "[media]\nsource=test\n", -1, "demo", &error))
    g_error ("%s", error->message);
  engine = ek_engine_new (config);

  bytes = g_resources_lookup_data ("/io/github/examkiosk/Kiosk/practice-exam.json", 0, &error);
  if (bytes == NULL)
    g_error ("%s", error->message);
  root = json_from_string (g_bytes_get_data (bytes, NULL), &error);
  g_assert_no_error (error);
  bundle = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                        "practice_exams"), 0);
  exam = json_object_get_object_member (bundle, "exam");
  steps = json_object_get_object_member (exam, "steps");
  json_object_set_boolean_member (steps, "face_check", TRUE);
  json_object_set_string_member (exam, "help_contact", "+86 10 0000 0000");
  if (!ek_engine_start_practice (engine, bundle, &error))
    g_error ("%s", error->message);

  return ek_face_check_page_new (engine);
}

static GtkWidget *
make_indicator (void)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *box, *indicator, *label;
  g_autoptr(GBytes) black = g_bytes_new_take (g_malloc0 (64 * 48 * 4), 64 * 48 * 4);
  g_autoptr(EkVideoFrame) frame = ek_video_frame_new (black, 64, 48, 64 * 4, -1);

  signals = ek_proctor_signals_new (NULL, &error);
  g_assert_no_error (error);
  for (gint64 t = 1; t < 15 * G_USEC_PER_SEC; t += G_USEC_PER_SEC / 2)
    {
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (frame, t, NULL, 0);

      ek_proctor_signals_add_detection (signals, d);
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (box, 48);
  gtk_widget_set_margin_start (box, 48);
  gtk_widget_set_size_request (box, 320, -1);
  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_add_css_class (box, "ek-side-panel");
  label = gtk_label_new ("(the exam page's side panel: camera, countdown, seat)");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);
  indicator = ek_signal_indicator_new (signals);
  gtk_box_append (GTK_BOX (box), indicator);

  return box;
}

static void
on_activate_cb (GtkApplication *app)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GtkWidget *window;

  gtk_css_provider_load_from_resource (css, "/io/github/examkiosk/Kiosk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  window = gtk_application_window_new (app);
  gtk_window_set_title (GTK_WINDOW (window), "ExamKiosk");
  gtk_widget_add_css_class (window, "ek-window");
  gtk_window_set_child (GTK_WINDOW (window), opt_indicator ? make_indicator () : make_page ());

  {
    GListModel *monitors = gdk_display_get_monitors (gdk_display_get_default ());
    g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);
    GdkRectangle geometry = { 0, };

    if (monitor != NULL)
      gdk_monitor_get_geometry (monitor, &geometry);
    if (geometry.width >= 1600 && geometry.height >= 900)
      gtk_widget_add_css_class (window, "ek-large-screen");
    if (geometry.width > 0)
      gtk_window_set_default_size (GTK_WINDOW (window), geometry.width, geometry.height);
  }

  gtk_window_fullscreen (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
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
  app = gtk_application_new ("io.github.examkiosk.FaceCheckDemo", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate_cb), NULL);
  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_clear_object (&signals);
  g_clear_object (&engine);
  return status;
}
