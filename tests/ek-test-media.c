/* ek-test-media.c: checking recorded files in the media tests */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/pbutils/pbutils.h>

#include "ek-test-media.h"

typedef struct
{
  GMutex         lock;
  EkTestDecoded *decoded;
} DecodeState;

static GstPadProbeReturn
on_decoded_buffer_cb (GstPad          *pad,
                      GstPadProbeInfo *info,
                      gpointer         user_data)
{
  DecodeState *state = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  gboolean video = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (pad), "video"));
  gint64 pts;
  gint64 end;

  if (!GST_BUFFER_PTS_IS_VALID (buffer))
    return GST_PAD_PROBE_OK;

  pts = GST_BUFFER_PTS (buffer);
  end = pts + (GST_BUFFER_DURATION_IS_VALID (buffer) ? (gint64) GST_BUFFER_DURATION (buffer) : 0);

  g_mutex_lock (&state->lock);
  if (video)
    {
      state->decoded->video_frames++;
      if (state->decoded->video_start < 0 || pts < state->decoded->video_start)
        state->decoded->video_start = pts;
      state->decoded->video_end = MAX (state->decoded->video_end, end);
    }
  else
    {
      state->decoded->audio_buffers++;
      if (state->decoded->audio_end >= 0 && pts > state->decoded->audio_end)
        state->decoded->audio_max_gap = MAX (state->decoded->audio_max_gap,
                                             pts - state->decoded->audio_end);
      if (state->decoded->audio_start < 0 || pts < state->decoded->audio_start)
        state->decoded->audio_start = pts;
      state->decoded->audio_end = MAX (state->decoded->audio_end, end);
    }
  g_mutex_unlock (&state->lock);

  return GST_PAD_PROBE_OK;
}

static void
on_pad_added_cb (GstElement *decodebin,
                 GstPad     *pad,
                 gpointer    user_data)
{
  DecodeState *state = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  GstStructure *s = caps != NULL ? gst_caps_get_structure (caps, 0) : NULL;
  GstElement *pipeline = GST_ELEMENT (gst_element_get_parent (decodebin));
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr(GstPad) sinkpad = gst_element_get_static_pad (sink, "sink");
  gboolean video = s != NULL && g_str_has_prefix (gst_structure_get_name (s), "video/");

  if (video)
    {
      int width = 0;
      int height = 0;

      gst_structure_get_int (s, "width", &width);
      gst_structure_get_int (s, "height", &height);
      g_mutex_lock (&state->lock);
      state->decoded->width = width;
      state->decoded->height = height;
      g_mutex_unlock (&state->lock);
    }

  g_object_set (sink, "sync", FALSE, NULL);
  g_object_set_data (G_OBJECT (sinkpad), "video", GINT_TO_POINTER (video));
  gst_pad_add_probe (sinkpad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_buffer_cb, state, NULL);
  gst_bin_add (GST_BIN (pipeline), sink);
  gst_element_sync_state_with_parent (sink);
  gst_pad_link (pad, sinkpad);
  gst_object_unref (pipeline);
}

void
ek_test_decoded_clear (EkTestDecoded *decoded)
{
  g_clear_pointer (&decoded->error, g_free);
}

/* Decodes the whole file as fast as possible (no clock). */
void
ek_test_decode_file (const char    *path,
                     EkTestDecoded *decoded)
{
  g_autoptr(GstElement) pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("filesrc", NULL);
  GstElement *decodebin = gst_element_factory_make ("decodebin", NULL);
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = NULL;
  DecodeState state = { .decoded = decoded };

  memset (decoded, 0, sizeof *decoded);
  decoded->video_start = decoded->audio_start = -1;
  decoded->video_end = decoded->audio_end = -1;
  g_mutex_init (&state.lock);

  g_object_set (src, "location", path, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, decodebin, NULL);
  gst_element_link (src, decodebin);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added_cb), &state);
  gst_pipeline_set_auto_flush_bus (GST_PIPELINE (pipeline), FALSE);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (message == NULL)
    decoded->error = g_strdup ("timeout");
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      decoded->error = g_strdup (error->message);
    }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_mutex_clear (&state.lock);
}

char *
ek_test_sha256_file (const char *path,
                     guint64    *size)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  if (size != NULL)
    *size = length;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

gint64
ek_test_discover_file (const char  *path,
                       guint       *n_video,
                       guint       *n_audio,
                       char       **video_caps,
                       char       **audio_caps)
{
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = gst_filename_to_uri (path, NULL);
  GList *streams;

  discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);

  streams = gst_discoverer_info_get_video_streams (info);
  *n_video = g_list_length (streams);
  if (video_caps != NULL && streams != NULL)
    {
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
      *video_caps = gst_caps_to_string (caps);
    }
  gst_discoverer_stream_info_list_free (streams);

  streams = gst_discoverer_info_get_audio_streams (info);
  *n_audio = g_list_length (streams);
  if (audio_caps != NULL && streams != NULL)
    {
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
      *audio_caps = gst_caps_to_string (caps);
    }
  gst_discoverer_stream_info_list_free (streams);

  return (gint64) gst_discoverer_info_get_duration (info);
}

guint
ek_test_file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);

  return st.st_mode & 07777;
}

static gboolean
on_run_for_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the default main context for @ms milliseconds. */
void
ek_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_run_for_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Removes a folder of plain files (a session folder) and the folder. */
void
ek_test_remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_unlink (child);
    }
  g_rmdir (path);
}
