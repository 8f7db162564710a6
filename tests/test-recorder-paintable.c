/* test-recorder-paintable.c: EkCameraPaintable turns the recorder's preview frames
 * into textures with the right size and pixels, and follows a running recorder */

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "ek-camera-paintable.h"

static void
on_invalidate_cb (GdkPaintable *paintable,
                  guint        *count)
{
  (*count)++;
}

static void
test_push_frame (void)
{
  g_autoptr(EkCameraPaintable) paintable = ek_camera_paintable_new (NULL);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(EkVideoFrame) frame = NULL;
  guchar pixels[2 * 20];
  guchar out[2 * 4 * 4];
  guint sizes = 0;
  guint contents = 0;
  GdkTexture *texture;

  /* before any frame: black, a 16:9 shape, no intrinsic size */
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
  gdk_paintable_snapshot (GDK_PAINTABLE (paintable), snapshot, 160, 90);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  g_assert_cmpint (gsk_render_node_get_node_type (node), ==, GSK_COLOR_NODE);

  g_signal_connect (paintable, "invalidate-size", G_CALLBACK (on_invalidate_cb), &sizes);
  g_signal_connect (paintable, "invalidate-contents", G_CALLBACK (on_invalidate_cb), &contents);

  /* 4x2 RGBA with padded rows (stride 20), each pixel distinct */
  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guchar) (i * 7 + 1);
  for (guint y = 0; y < 2; y++)
    for (guint x = 0; x < 4; x++)
      pixels[y * 20 + x * 4 + 3] = 255;
  bytes = g_bytes_new (pixels, sizeof pixels);
  frame = ek_video_frame_new (bytes, 4, 2, 20, 0);

  ek_camera_paintable_push_frame (paintable, frame);
  g_assert_cmpuint (sizes, ==, 1);
  g_assert_cmpuint (contents, ==, 1);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 4);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 2);

  /* the same pixels come out, rows unpadded (download gives B8G8R8A8 premultiplied) */
  texture = ek_camera_paintable_get_texture (paintable);
  gdk_texture_download (texture, out, 16);
  for (guint y = 0; y < 2; y++)
    for (guint x = 0; x < 4; x++)
      {
        const guchar *in = &pixels[y * 20 + x * 4];
        const guchar *o = &out[y * 16 + x * 4];

        g_assert_cmpuint (o[0], ==, in[2]);
        g_assert_cmpuint (o[1], ==, in[1]);
        g_assert_cmpuint (o[2], ==, in[0]);
        g_assert_cmpuint (o[3], ==, 255);
      }

  /* a second frame of the same size changes the contents only */
  ek_camera_paintable_push_frame (paintable, frame);
  g_assert_cmpuint (sizes, ==, 1);
  g_assert_cmpuint (contents, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&paintable));
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_follows_recorder (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ek-paintable-XXXXXX", &error);
  g_autofree char *session = g_build_filename (dir, "session", NULL);
  g_autoptr(EkRecorder) recorder = ek_recorder_new (session, EK_MEDIA_SOURCE_TEST);
  g_autoptr(EkCameraPaintable) paintable = ek_camera_paintable_new (recorder);
  g_autoptr(GDir) listing = NULL;
  const char *name;
  gboolean done = FALSE;
  guint contents = 0;
  GdkTexture *texture;

  g_signal_connect (paintable, "invalidate-contents", G_CALLBACK (on_invalidate_cb), &contents);
  g_assert_true (ek_recorder_start (recorder, 60, &error));
  g_assert_no_error (error);

  g_timeout_add (2000, on_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  /* about 15 frames a second after start-up */
  g_assert_cmpuint (contents, >=, 10);
  texture = ek_camera_paintable_get_texture (paintable);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 640);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 360);

  /* once detached, it no longer follows */
  ek_camera_paintable_set_recorder (paintable, NULL);
  contents = 0;
  done = FALSE;
  g_timeout_add (500, on_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (contents, ==, 0);

  g_assert_finalize_object (g_steal_pointer (&paintable));
  g_assert_finalize_object (g_steal_pointer (&recorder));

  listing = g_dir_open (session, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (session, name, NULL);
      g_remove (path);
    }
  g_rmdir (session);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  gtk_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/camera-paintable/push-frame", test_push_frame);
  g_test_add_func ("/camera-paintable/follows-recorder", test_follows_recorder);

  return g_test_run ();
}
