/* ek-attachments-page.c: the exam's attachments, read in the kiosk
 *
 * Text, Markdown and images are shown here, never in an outside viewer (which
 * would leave the locked-down window). Each download is checked against the size
 * and SHA-256 the server listed before it is shown. A practice run takes its
 * attachments from the bundle.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-attachments-page.h"
#include "ek-json.h"
#include "ek-markdown.h"
#include "ek-ui-util.h"

struct _EkAttachmentsPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  JsonArray    *attachments;  /* owned; the server's list */
  GCancellable *download;     /* owned; the download in flight */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkListBox   *list_box;
  GtkStack     *viewer_stack;
  GtkLabel     *text_label;
  GtkPicture   *picture;
  GtkLabel     *error_label;
  GtkSpinner   *spinner;
  GtkButton    *done_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkAttachmentsPage, ek_attachments_page, GTK_TYPE_WIDGET)

static void
set_busy (EkAttachmentsPage *self,
          gboolean           busy)
{
  ek_show_spinner (self->spinner, busy);
}

static void
show_text (EkAttachmentsPage *self,
           const char        *media_type,
           GBytes            *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = NULL;

  if (!g_utf8_validate_len (data, len, NULL))
    {
      ek_show_message (self->error_label,
                       _("This attachment is not readable text. Please tell the proctor."));
      return;
    }

  text = g_strndup (data, len);
  if (g_str_equal (media_type, "text/markdown"))
    {
      g_autofree char *markup = ek_markdown_to_pango (text);

      gtk_label_set_markup (self->text_label, markup);
    }
  else
    {
      gtk_label_set_text (self->text_label, text);
    }
  gtk_stack_set_visible_child_name (self->viewer_stack, "text");
}

static void
show_image (EkAttachmentsPage *self,
            GBytes            *bytes)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_debug ("Attachment image: %s", error->message);
      ek_show_message (self->error_label,
                       _("This picture cannot be shown. Please tell the proctor."));
      return;
    }

  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->viewer_stack, "image");
}

static void
show_bytes (EkAttachmentsPage *self,
            const char        *media_type,
            GBytes            *bytes)
{
  if (g_str_has_prefix (media_type, "image/"))
    show_image (self, bytes);
  else
    show_text (self, media_type, bytes);
}

typedef struct
{
  EkAttachmentsPage *self;       /* owned */
  char              *media_type;
  gint64             size;
  char              *sha256;
} Download;

static void
download_free (Download *download)
{
  g_object_unref (download->self);
  g_free (download->media_type);
  g_free (download->sha256);
  g_free (download);
}

static void
on_downloaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Download *download = user_data;
  EkAttachmentsPage *self = download->self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = ek_api_client_get_attachment_finish (EK_API_CLIENT (object), result, NULL, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_busy (self, FALSE);
          ek_show_message (self->error_label, error->message);
        }
      download_free (download);
      return;
    }

  set_busy (self, FALSE);

  if (download->size >= 0 && (gint64) g_bytes_get_size (bytes) != download->size)
    {
      ek_show_message (self->error_label,
                       _("This attachment arrived incomplete. Select it again to retry."));
    }
  else if (download->sha256 != NULL)
    {
      g_autofree char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

      if (g_ascii_strcasecmp (hash, download->sha256) != 0)
        ek_show_message (self->error_label,
                         _("This attachment arrived damaged. Select it again to retry."));
      else
        show_bytes (self, download->media_type, bytes);
    }
  else
    {
      show_bytes (self, download->media_type, bytes);
    }

  download_free (download);
}

static void
open_attachment (EkAttachmentsPage *self,
                 JsonObject        *attachment)
{
  const char *id = json_object_get_string_member_with_default (attachment, "id", "");
  const char *media_type = json_object_get_string_member_with_default (attachment, "media_type",
                                                                       "text/plain");
  Download *download;

  ek_show_message (self->error_label, NULL);
  g_cancellable_cancel (self->download);
  g_clear_object (&self->download);

  /* The practice bundle carries its attachments' text inline. */
  if (json_object_has_member (attachment, "text"))
    {
      const char *text = json_object_get_string_member_with_default (attachment, "text", "");
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      show_bytes (self, media_type, bytes);
      return;
    }

  /* Only an id the client checked (or a practice bundle's) gets here; never one
   * that would climb out of the attachments' path. */
  if (!ek_json_is_identifier (id))
    {
      ek_show_message (self->error_label,
                       _("The exam server sent a list of attachments the kiosk cannot read."));
      return;
    }

  download = g_new0 (Download, 1);
  download->self = g_object_ref (self);
  download->media_type = g_strdup (media_type);
  download->size = json_object_get_int_member_with_default (attachment, "size", -1);
  download->sha256 = g_strdup (json_object_get_string_member_with_default (attachment, "sha256",
                                                                           NULL));

  self->download = g_cancellable_new ();
  set_busy (self, TRUE);
  ek_api_client_get_attachment_async (ek_engine_get_api (self->engine), id, self->download,
                                      on_downloaded_cb, download);
}

static void
on_row_selected_cb (EkAttachmentsPage *self,
                    GtkListBoxRow     *row)
{
  int index;

  if (row == NULL || self->attachments == NULL)
    return;

  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= json_array_get_length (self->attachments))
    return;

  open_attachment (self, json_array_get_object_element (self->attachments, (guint) index));
}

static const char *
icon_for_media_type (const char *media_type)
{
  if (g_str_has_prefix (media_type, "image/"))
    return "image-x-generic-symbolic";
  return "text-x-generic-symbolic";
}

static void
show_list (EkAttachmentsPage *self,
           JsonArray         *attachments)
{
  GtkWidget *child;

  g_clear_pointer (&self->attachments, json_array_unref);
  self->attachments = json_array_ref (attachments);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < json_array_get_length (attachments); i++)
    {
      JsonNode *node = json_array_get_element (attachments, i);
      JsonObject *attachment;
      GtkWidget *box;
      GtkWidget *label;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      attachment = json_node_get_object (node);

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name (
        icon_for_media_type (json_object_get_string_member_with_default (attachment, "media_type", ""))));
      label = gtk_label_new (json_object_get_string_member_with_default (attachment, "name", ""));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_box_append (GTK_BOX (box), label);
      gtk_list_box_append (self->list_box, box);
    }

  if (json_array_get_length (attachments) == 0)
    {
      gtk_label_set_label (self->text_label, _("This exam has no attachments."));
      gtk_stack_set_visible_child_name (self->viewer_stack, "text");
    }
  else
    {
      gtk_list_box_select_row (self->list_box, gtk_list_box_get_row_at_index (self->list_box, 0));
    }
}

static void
on_list_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(EkAttachmentsPage) self = user_data;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GError) error = NULL;

  /* The client checked every entry; a list it cannot read is an error here. */
  list = ek_api_client_get_attachments_finish (EK_API_CLIENT (object), result, &error);
  if (list == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_busy (self, FALSE);
          ek_show_message (self->error_label, error->message);
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "attachments.reload", TRUE);
        }
      return;
    }

  set_busy (self, FALSE);
  show_list (self, list);
}

static void
load_list (EkAttachmentsPage *self)
{
  ek_show_message (self->error_label, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attachments.reload", FALSE);

  if (ek_engine_is_practice (self->engine))
    {
      g_autoptr(JsonArray) none = json_array_new ();
      JsonArray *bundled = ek_engine_get_practice_attachments (self->engine);

      show_list (self, bundled != NULL ? bundled : none);
      return;
    }

  set_busy (self, TRUE);
  ek_api_client_get_attachments_async (ek_engine_get_api (self->engine), self->cancellable,
                                       on_list_cb, g_object_ref (self));
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  load_list (EK_ATTACHMENTS_PAGE (widget));
}

static void
on_completed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkAttachmentsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->error_label, error->message);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "attachments.done", TRUE);
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (widget);

  gtk_widget_action_set_enabled (widget, "attachments.done", FALSE);
  ek_engine_complete_step_async (self->engine, EK_STEP_ATTACHMENTS, self->cancellable,
                                 on_completed_cb, g_object_ref (self));
}

static gboolean
ek_attachments_page_grab_focus (GtkWidget *widget)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->done_button));
}

static void
ek_attachments_page_map (GtkWidget *widget)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (widget);

  GTK_WIDGET_CLASS (ek_attachments_page_parent_class)->map (widget);

  if (self->attachments == NULL)
    load_list (self);
}

static void
ek_attachments_page_dispose (GObject *object)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->download);
  g_clear_object (&self->download);
  g_clear_pointer (&self->attachments, json_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_ATTACHMENTS_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_attachments_page_parent_class)->dispose (object);
}

static void
ek_attachments_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (object);

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
ek_attachments_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  EkAttachmentsPage *self = EK_ATTACHMENTS_PAGE (object);

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
ek_attachments_page_class_init (EkAttachmentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_attachments_page_dispose;
  object_class->get_property = ek_attachments_page_get_property;
  object_class->set_property = ek_attachments_page_set_property;

  widget_class->grab_focus = ek_attachments_page_grab_focus;
  widget_class->map = ek_attachments_page_map;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-attachments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, viewer_stack);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, text_label);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, picture);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkAttachmentsPage, done_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected_cb);

  /**
   * EkAttachmentsPage|attachments.done:
   *
   * The candidate has read the attachments.
   */
  gtk_widget_class_install_action (widget_class, "attachments.done", NULL, done_action);

  /**
   * EkAttachmentsPage|attachments.reload:
   *
   * Fetches the list again.
   */
  gtk_widget_class_install_action (widget_class, "attachments.reload", NULL, reload_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "attachmentspage");
}

static void
ek_attachments_page_init (EkAttachmentsPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_attachments_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_ATTACHMENTS_PAGE, "engine", engine, NULL);
}
