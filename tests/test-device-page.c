/* test-device-page.c: the device confirmation page with real-device listing
 * (EK_MEDIA_SOURCE_AUTO, the devices of ek-test-devices.c): the cameras and
 * microphones the system reports, the choice remembered from an earlier day
 * preselected, a new choice previewed at once, handed to the engine and
 * remembered for the next time. */

#include "config.h"

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "ek-device-page.h"
#include "ek-engine.h"
#include "ek-test-devices.h"
#include "ek-test-media.h"

/* from the generated ek-resources.h (BUILDDIR/assets), linked into libekui */
void ek_register_resource (void);

#define SCHEMA_ID     "io.github.examkiosk.Kiosk"
#define CAMERA_A_PATH "/dev/ek-test-video0"
#define CAMERA_B_PATH "/dev/ek-test-video2"
#define MIC_PATH      "ek-test-mic.monitor"

typedef struct
{
  EkTestDevice *camera_a;
  EkTestDevice *camera_b;
  EkTestDevice *microphone;
  EkEngine     *engine;
  GSettings    *settings;
} Fixture;

static EkEngine *
practice_engine (void)
{
  g_autoptr(EkConfig) config = ek_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) root = NULL;
  EkEngine *engine;
  JsonObject *bundle;

  /* The default configuration: real devices. */
  g_assert_cmpint (ek_config_get_media_source (config), ==, EK_MEDIA_SOURCE_AUTO);
  engine = ek_engine_new (config);

  bytes = g_resources_lookup_data ("/io/github/examkiosk/Kiosk/practice-exam.json", 0, &error);
  g_assert_no_error (error);
  root = json_from_string (g_bytes_get_data (bytes, NULL), &error);
  g_assert_no_error (error);
  bundle = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root),
                                                                        "practice_exams"), 0);
  g_assert_true (ek_engine_start_practice (engine, bundle, &error));
  g_assert_no_error (error);

  return engine;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->camera_a = ek_test_device_new (TRUE, "Integrated Camera", CAMERA_A_PATH);
  f->camera_b = ek_test_device_new (TRUE, "USB Camera", CAMERA_B_PATH);
  f->microphone = ek_test_device_new (FALSE, "Headset Microphone", MIC_PATH);
  ek_test_device_plug (f->camera_a);
  ek_test_device_plug (f->camera_b);
  ek_test_device_plug (f->microphone);

  f->settings = g_settings_new (SCHEMA_ID);
  f->engine = practice_engine ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_settings_reset (f->settings, "camera");
  g_settings_reset (f->settings, "microphone");
  g_clear_object (&f->settings);
  ek_test_devices_unplug_all ();
  gst_clear_object (&f->camera_a);
  gst_clear_object (&f->camera_b);
  gst_clear_object (&f->microphone);
}

/* The page's drop-downs, camera first, in the order of the page. */
static void
collect_dropdowns (GtkWidget *widget,
                   GPtrArray *found)
{
  if (GTK_IS_DROP_DOWN (widget))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_dropdowns (child, found);
}

static GStrv
dropdown_items (GtkDropDown *dropdown)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    g_strv_builder_add (builder, gtk_string_list_get_string (GTK_STRING_LIST (model), i));

  return g_strv_builder_end (builder);
}

/* Opens the page in a window; returns the window and the two drop-downs once
 * the device list has arrived. */
static GtkWindow *
open_page (Fixture      *f,
           GtkDropDown **camera,
           GtkDropDown **microphone)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();

  gtk_window_set_default_size (window, 1366, 768);
  gtk_window_set_child (window, GTK_WIDGET (ek_device_page_new (f->engine)));
  gtk_window_present (window);

  collect_dropdowns (GTK_WIDGET (window), dropdowns);
  g_assert_cmpuint (dropdowns->len, ==, 2);
  *camera = g_ptr_array_index (dropdowns, 0);
  *microphone = g_ptr_array_index (dropdowns, 1);

  /* "Default" and the devices, once listed */
  ek_test_wait_until (gtk_drop_down_get_model (*camera) != NULL &&
                      g_list_model_get_n_items (gtk_drop_down_get_model (*camera)) > 1, 10);
  return window;
}

static void
test_remembered_and_chosen (Fixture       *f,
                            gconstpointer  data)
{
  g_auto(GStrv) cameras = NULL;
  g_auto(GStrv) microphones = NULL;
  g_autofree char *stored = NULL;
  GtkDropDown *camera;
  GtkDropDown *microphone;
  GtkWindow *window;
  const char *expected_cameras[] = { "Default", "Integrated Camera", "USB Camera", NULL };

  /* An earlier exam day chose camera B and the headset. */
  g_settings_set_string (f->settings, "camera", CAMERA_B_PATH);
  g_settings_set_string (f->settings, "microphone", MIC_PATH);

  window = open_page (f, &camera, &microphone);
  cameras = dropdown_items (camera);
  microphones = dropdown_items (microphone);
  g_assert_cmpstrv (cameras, expected_cameras);
  g_assert_true (g_strv_contains ((const char * const *) microphones, "Headset Microphone"));
  g_assert_cmpstr (microphones[0], ==, "Default");

  /* The remembered devices are preselected and previewed; camera A is not touched. */
  g_assert_cmpuint (gtk_drop_down_get_selected (camera), ==, 2);
  g_assert_cmpstr (microphones[gtk_drop_down_get_selected (microphone)], ==, "Headset Microphone");
  ek_test_wait_until (ek_test_device_get_created (f->camera_b) >= 1, 10);
  g_assert_cmpuint (ek_test_device_get_created (f->camera_a), ==, 0);

  /* The candidate picks the integrated camera: previewed at once, remembered. */
  gtk_drop_down_set_selected (camera, 1);
  ek_test_wait_until (ek_test_device_get_created (f->camera_a) >= 1, 10);
  stored = g_settings_get_string (f->settings, "camera");
  g_assert_cmpstr (stored, ==, CAMERA_A_PATH);
  gtk_window_destroy (window);

  /* The next time (another exam) it is the one preselected. */
  window = open_page (f, &camera, &microphone);
  g_assert_cmpuint (gtk_drop_down_get_selected (camera), ==, 1);
  gtk_window_destroy (window);
}

/* A remembered camera that is not plugged in falls back to "Default". */
static void
test_remembered_missing (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *stored = NULL;
  GtkDropDown *camera;
  GtkDropDown *microphone;
  GtkWindow *window;

  g_settings_set_string (f->settings, "camera", "/dev/ek-test-video9");
  window = open_page (f, &camera, &microphone);
  g_assert_cmpuint (gtk_drop_down_get_selected (camera), ==, 0);
  stored = g_settings_get_string (f->settings, "camera");
  g_assert_cmpstr (stored, ==, "");
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  ek_register_resource ();
  ek_test_devices_register ();

  g_test_add ("/device-page/remembered-and-chosen", Fixture, NULL,
              fixture_setup, test_remembered_and_chosen, fixture_teardown);
  g_test_add ("/device-page/remembered-missing", Fixture, NULL,
              fixture_setup, test_remembered_missing, fixture_teardown);

  return g_test_run ();
}
