/* ek-device-page.c: the candidate confirms the camera and microphone
 *
 * Camera and microphone pickers (EkMediaDevice, the config's media source), the choice
 * remembered in GSettings and handed to the engine for the exam's recording. While the
 * page is shown, the chosen camera's live picture (about 15 fps, through a preview-only
 * EkRecorder and EkCameraPaintable, never blocking the main loop on frames) and the
 * chosen microphone's level are on it; choosing another device starts the preview
 * again with it. The preview stops when the page goes, so the exam's recorder finds
 * the devices free.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-device-page.h"
#include "ek-media-device.h"
#include "ek-recorder.h"
#include "ek-ui-util.h"

struct _EkDevicePage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  GSettings    *settings;     /* owned, nullable: the schema is not installed */
  GPtrArray    *camera_ids;   /* owned char*, in the drop-down's order; "" = default */
  gboolean      can_continue; /* a camera was found, or this exam records nothing */
  gboolean      watching_selection;
  GPtrArray    *microphone_ids;
  EkRecorder   *preview;      /* owned, nullable: runs while the page is mapped */
  EkCameraPaintable *paintable; /* owned, nullable */

  /* Template children, borrowed. */
  GtkWidget    *content;
  EkCameraView *camera_view;
  GtkDropDown  *camera_dropdown;
  GtkDropDown  *microphone_dropdown;
  GtkLabel     *devices_label;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *continue_button;
  GtkWidget    *check_again_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkDevicePage, ek_device_page, GTK_TYPE_WIDGET)

static void
on_confirmed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkDevicePage) self = user_data;
  g_autoptr(GError) error = NULL;

  ek_show_spinner (self->spinner, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.confirm", self->can_continue);

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ek_show_message (self->error_label, error->message);
}

static void
confirm_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkDevicePage *self = EK_DEVICE_PAGE (widget);

  ek_show_message (self->error_label, NULL);
  ek_show_spinner (self->spinner, TRUE);
  gtk_widget_action_set_enabled (widget, "devices.confirm", FALSE);
  ek_engine_complete_step_async (self->engine, EK_STEP_DEVICE_CONFIRM, self->cancellable,
                                 on_confirmed_cb, g_object_ref (self));
}

/* --- preview -------------------------------------------------------------- */

static const char *selected_id (GtkDropDown *dropdown, GPtrArray *ids);

static void
on_preview_level_cb (EkRecorder   *recorder,
                     GParamSpec   *pspec,
                     EkDevicePage *self)
{
  ek_camera_view_set_level_db (self->camera_view, ek_recorder_get_level_db (recorder));
}

static void
stop_preview (EkDevicePage *self)
{
  if (self->preview == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->preview, self);
  /* A preview stops at once (nothing to close). */
  ek_recorder_stop_async (self->preview, NULL, NULL, NULL);
  if (self->paintable != NULL)
    ek_camera_paintable_set_recorder (self->paintable, NULL);
  g_clear_object (&self->preview);
  ek_camera_view_set_level (self->camera_view, -1);
}

/* (Re)starts the preview with the devices chosen now; only while shown and once
 * the device lists are in. */
static void
restart_preview (EkDevicePage *self)
{
  g_autoptr(GError) error = NULL;
  const char *camera;
  const char *microphone;

  stop_preview (self);
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || self->camera_ids == NULL)
    return;

  /* No camera: the page's one message says so and what to do; a preview would only
   * add its own failure. */
  if (self->camera_ids->len <= 1)
    {
      ek_camera_view_set_paintable (self->camera_view, NULL);
      ek_show_message (self->error_label, NULL);
      return;
    }

  camera = selected_id (self->camera_dropdown, self->camera_ids);
  microphone = selected_id (self->microphone_dropdown, self->microphone_ids);

  self->preview = ek_recorder_new_preview (ek_config_get_media_source (ek_engine_get_config (self->engine)));
  ek_recorder_set_camera_id (self->preview, camera != NULL && *camera != '\0' ? camera : NULL);
  ek_recorder_set_microphone_id (self->preview,
                                 microphone != NULL && *microphone != '\0' ? microphone : NULL);
  g_signal_connect (self->preview, "notify::level-db", G_CALLBACK (on_preview_level_cb), self);

  if (!ek_recorder_start (self->preview, 0, &error))
    {
      g_clear_object (&self->preview);
      ek_camera_view_set_paintable (self->camera_view, NULL);
      ek_show_message (self->error_label, error->message);
      return;
    }

  ek_show_message (self->error_label, NULL);
  if (self->paintable == NULL)
    self->paintable = ek_camera_paintable_new (self->preview);
  else
    ek_camera_paintable_set_recorder (self->paintable, self->preview);
  ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->paintable));
}

static void
ek_device_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ek_device_page_parent_class)->map (widget);
  restart_preview (EK_DEVICE_PAGE (widget));
}

static void
ek_device_page_unmap (GtkWidget *widget)
{
  stop_preview (EK_DEVICE_PAGE (widget));
  GTK_WIDGET_CLASS (ek_device_page_parent_class)->unmap (widget);
}

/* --- devices -------------------------------------------------------------- */

static const char *
selected_id (GtkDropDown *dropdown,
             GPtrArray   *ids)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (ids == NULL || selected == GTK_INVALID_LIST_POSITION || selected >= ids->len)
    return NULL;
  return g_ptr_array_index (ids, selected);
}

static void
on_selected_cb (EkDevicePage *self)
{
  const char *camera = selected_id (self->camera_dropdown, self->camera_ids);
  const char *microphone = selected_id (self->microphone_dropdown, self->microphone_ids);

  ek_engine_set_devices (self->engine,
                         camera != NULL && *camera != '\0' ? camera : NULL,
                         microphone != NULL && *microphone != '\0' ? microphone : NULL);
  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "camera", camera != NULL ? camera : "");
      g_settings_set_string (self->settings, "microphone", microphone != NULL ? microphone : "");
    }

  restart_preview (self);
}

/* Fills @dropdown with "Default" and the devices of @kind, selecting @remembered. */
static GPtrArray *
fill_dropdown (GtkDropDown       *dropdown,
               GPtrArray         *devices,
               EkMediaDeviceKind  kind,
               const char        *remembered)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint selected = 0;

  gtk_string_list_append (names, _("Default"));
  g_ptr_array_add (ids, g_strdup (""));

  for (guint i = 0; i < devices->len; i++)
    {
      EkMediaDevice *device = g_ptr_array_index (devices, i);

      if (ek_media_device_get_kind (device) != kind)
        continue;
      if (g_strcmp0 (ek_media_device_get_id (device), remembered) == 0)
        selected = ids->len;
      gtk_string_list_append (names, ek_media_device_get_display_name (device));
      g_ptr_array_add (ids, g_strdup (ek_media_device_get_id (device)));
    }

  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (dropdown, selected);
  gtk_widget_set_sensitive (GTK_WIDGET (dropdown), ids->len > 1);
  return ids;
}

/* One clear state: a camera was found, or none was and the candidate is told what to
 * do. An exam that is recorded cannot go on without a camera; the practice can, and
 * says so. */
static void
show_device_state (EkDevicePage *self)
{
  gboolean no_camera = self->camera_ids->len <= 1;
  gboolean no_microphone = self->microphone_ids->len <= 1;
  gboolean practice = ek_engine_is_practice (self->engine);

  self->can_continue = !no_camera || practice;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "devices.confirm", self->can_continue);
  gtk_widget_set_visible (self->check_again_button, no_camera || no_microphone);

  if (no_camera && practice)
    gtk_label_set_label (self->devices_label,
                         _("No camera found. You can practise without one, but nothing is "
                           "recorded. To try the camera, connect one, then choose Check again."));
  else if (no_camera)
    gtk_label_set_label (self->devices_label,
                         _("No camera found: connect one, then choose Check again. The exam "
                           "is recorded, so it cannot start without a camera."));
  else if (no_microphone)
    gtk_label_set_label (self->devices_label,
                         _("No microphone found: connect one, then choose Check again."));
  else
    gtk_label_set_label (self->devices_label,
                         _("The exam is recorded with the camera and microphone chosen here. "
                           "Check that the picture shows you and that the bar moves when "
                           "you speak."));
}

static void
on_devices_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkDevicePage) self = user_data;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *camera = NULL;
  g_autofree char *microphone = NULL;

  devices = ek_media_device_list_finish (result, &error);
  if (devices == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->devices_label, error->message);
      return;
    }

  if (self->settings != NULL)
    {
      camera = g_settings_get_string (self->settings, "camera");
      microphone = g_settings_get_string (self->settings, "microphone");
    }

  g_clear_pointer (&self->camera_ids, g_ptr_array_unref);
  g_clear_pointer (&self->microphone_ids, g_ptr_array_unref);
  self->camera_ids = fill_dropdown (self->camera_dropdown, devices,
                                    EK_MEDIA_DEVICE_CAMERA, camera);
  self->microphone_ids = fill_dropdown (self->microphone_dropdown, devices,
                                        EK_MEDIA_DEVICE_MICROPHONE, microphone);
  show_device_state (self);

  if (!self->watching_selection)
    {
      g_signal_connect_object (self->camera_dropdown, "notify::selected",
                               G_CALLBACK (on_selected_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->microphone_dropdown, "notify::selected",
                               G_CALLBACK (on_selected_cb), self, G_CONNECT_SWAPPED);
      self->watching_selection = TRUE;
    }
  on_selected_cb (self);
}

static void
list_devices (EkDevicePage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->camera_dropdown), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->microphone_dropdown), FALSE);
  ek_media_device_list_async (ek_config_get_media_source (ek_engine_get_config (self->engine)),
                              self->cancellable, on_devices_cb, g_object_ref (self));
}

static void
check_again_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  EkDevicePage *self = EK_DEVICE_PAGE (widget);

  gtk_label_set_label (self->devices_label, _("Looking for cameras and microphones…"));
  list_devices (self);
}

static gboolean
ek_device_page_grab_focus (GtkWidget *widget)
{
  EkDevicePage *self = EK_DEVICE_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->continue_button));
}

static void
ek_device_page_constructed (GObject *object)
{
  EkDevicePage *self = EK_DEVICE_PAGE (object);

  G_OBJECT_CLASS (ek_device_page_parent_class)->constructed (object);

  /* The schema is compiled into the build, but a copied binary may lack it. */
  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema = NULL;

    if (source != NULL)
      schema = g_settings_schema_source_lookup (source, "io.github.examkiosk.Kiosk", TRUE);
    if (schema != NULL)
      self->settings = g_settings_new_full (schema, NULL, NULL);
  }

  list_devices (self);
}

static void
ek_device_page_dispose (GObject *object)
{
  EkDevicePage *self = EK_DEVICE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  stop_preview (self);
  g_clear_object (&self->paintable);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_DEVICE_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->camera_ids, g_ptr_array_unref);
  g_clear_pointer (&self->microphone_ids, g_ptr_array_unref);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_device_page_parent_class)->dispose (object);
}

static void
ek_device_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkDevicePage *self = EK_DEVICE_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_device_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkDevicePage *self = EK_DEVICE_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_device_page_class_init (EkDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_device_page_constructed;
  object_class->dispose = ek_device_page_dispose;
  object_class->get_property = ek_device_page_get_property;
  object_class->set_property = ek_device_page_set_property;

  widget_class->grab_focus = ek_device_page_grab_focus;
  widget_class->map = ek_device_page_map;
  widget_class->unmap = ek_device_page_unmap;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-device-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, content);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, camera_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, microphone_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, devices_label);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, continue_button);
  gtk_widget_class_bind_template_child (widget_class, EkDevicePage, check_again_button);

  /**
   * EkDevicePage|devices.confirm:
   *
   * The candidate confirms the devices.
   */
  gtk_widget_class_install_action (widget_class, "devices.confirm", NULL, confirm_action);

  /**
   * EkDevicePage|devices.check-again:
   *
   * Looks for cameras and microphones again (after the candidate connected one).
   */
  gtk_widget_class_install_action (widget_class, "devices.check-again", NULL,
                                   check_again_action);

  g_type_ensure (EK_TYPE_CAMERA_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "devicepage");
}

static void
ek_device_page_init (EkDevicePage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_device_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_DEVICE_PAGE, "engine", engine, NULL);
}
