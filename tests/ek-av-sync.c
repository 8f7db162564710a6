/* ek-av-sync.c: audio/video alignment of a recording's segments, for bench/figures/av_sync_ms.sh
 *
 * ek-av-sync DIR
 *
 * Decodes every camera segment in DIR in index order and prints, per segment, the
 * offset between the first audio sample and the first video frame and between the
 * ends (stream times, so a drift between the two clocks of the recording shows as
 * offsets that grow segment by segment), and the gap to the previous segment.
 * The last line is "max_offset_ns N max_gap_ns N segments N". Exit 1 when a segment
 * does not decode.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ek-segment.h"
#include "ek-test-media.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gint64 max_offset = 0;
  gint64 max_gap = 0;
  gint64 prev_video_end = -1;
  const char *name;

  gst_init (&argc, &argv);
  if (argc != 2)
    {
      fprintf (stderr, "usage: ek-av-sync DIR\n");
      return 2;
    }

  dir = g_dir_open (argv[1], 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "ek-av-sync: %s\n", error->message);
      return 2;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      const char *stream;
      guint index;

      if (ek_segment_parse_file_name (name, &stream, &index) &&
          g_str_equal (stream, EK_SEGMENT_STREAM_CAMERA))
        g_ptr_array_add (names, g_strdup (name));
    }
  /* camera-00000.mkv …: the names sort in index order */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (argv[1], g_ptr_array_index (names, i), NULL);
      EkTestDecoded decoded = { 0 };
      gint64 start_offset, end_offset, gap;

      ek_test_decode_file (path, &decoded);
      if (decoded.error != NULL || decoded.video_start < 0 || decoded.audio_start < 0)
        {
          fprintf (stderr, "ek-av-sync: %s: %s\n", path,
                   decoded.error != NULL ? decoded.error : "no audio or no video");
          ek_test_decoded_clear (&decoded);
          return 1;
        }

      start_offset = decoded.audio_start - decoded.video_start;
      end_offset = decoded.audio_end - decoded.video_end;
      gap = prev_video_end >= 0 ? decoded.video_start - prev_video_end : 0;
      printf ("%s start_offset_ns %" G_GINT64_FORMAT " end_offset_ns %" G_GINT64_FORMAT
              " gap_ns %" G_GINT64_FORMAT "\n",
              (const char *) g_ptr_array_index (names, i), start_offset, end_offset, gap);
      /* The last segment ends where the recording stopped, which cuts the two
       * streams at slightly different points: only its start counts. */
      max_offset = MAX (max_offset, ABS (start_offset));
      if (i + 1 < names->len)
        max_offset = MAX (max_offset, ABS (end_offset));
      max_gap = MAX (max_gap, ABS (gap));
      prev_video_end = decoded.video_end;
      ek_test_decoded_clear (&decoded);
    }

  printf ("max_offset_ns %" G_GINT64_FORMAT " max_gap_ns %" G_GINT64_FORMAT " segments %u\n",
          max_offset, max_gap, names->len);
  return names->len > 0 ? 0 : 1;
}
