/* test-recorder-kill.c: kill -9 of a recording at random moments loses at most the
 * segment being written: every closed segment decodes whole, and the open one decodes
 * up to about the moment of the kill */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ek-test-media.h"

#define RUNS            20
#define SEGMENT_SECONDS 2
#define FRAME_NS        (GST_SECOND / 30)
/* What may be in the pipeline and not yet in the file when the process dies:
 * splitmuxsink holds back one GOP (1 s), plus the frame hand-off's share. */
#define IN_FLIGHT_NS    (1500 * GST_MSECOND)

typedef struct
{
  guint  index;
  char  *sha256;
} Announced;

static void
announced_free (Announced *a)
{
  g_free (a->sha256);
  g_free (a);
}

static void
one_run (const char *root,
         guint       run)
{
  g_autofree char *dir = g_strdup_printf ("%s/run-%02u", root, run);
  g_autofree char *helper = g_build_filename (g_getenv ("EK_TEST_BUILDDIR"), "ek-record-helper", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GHashTable) announced = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;
  guint max_index = 0;
  guint n_files = 0;
  gint64 last_frame_ns = 0;
  guint record_ms = g_test_rand_int_range (2500, 6001);

  announced = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) announced_free);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              helper, dir, "0", G_STRINGIFY (SEGMENT_SECONDS), NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  /* media flows */
  do
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (line);
    }
  while (!g_str_has_prefix (line, "frame "));

  g_usleep (record_ms * 1000);
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);

  /* what the recorder announced before it died */
  for (;;)
    {
      g_autofree char *segment_line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_auto(GStrv) fields = NULL;
      Announced *a;

      g_assert_no_error (error);
      if (segment_line == NULL)
        break;

      /* How far the recording had got: the newest frame it handed out. A
       * starved machine lags the wall clock, so that is the reference. */
      if (g_str_has_prefix (segment_line, "frame "))
        {
          last_frame_ns = g_ascii_strtoll (segment_line + strlen ("frame "), NULL, 10);
          continue;
        }

      fields = g_strsplit (segment_line, " ", -1);
      if (g_strv_length (fields) != 7 || !g_str_equal (fields[0], "segment"))
        continue;

      a = g_new0 (Announced, 1);
      a->index = (guint) g_ascii_strtoull (fields[2], NULL, 10);
      a->sha256 = g_strdup (fields[6]);
      g_hash_table_insert (announced, GUINT_TO_POINTER (a->index), a);
    }

  g_assert_cmpuint (ek_test_file_mode (dir), ==, 0700);
  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      guint index;

      g_assert_true (g_str_has_prefix (name, "camera-") && g_str_has_suffix (name, ".mkv"));
      index = (guint) g_ascii_strtoull (name + strlen ("camera-"), NULL, 10);
      max_index = MAX (max_index, index);
      n_files++;
    }
  /* numbered from 0 without holes */
  g_assert_cmpuint (n_files, ==, max_index + 1);

  g_test_message ("run %u: killed after %u ms, %u files, %u announced", run, record_ms,
                  n_files, g_hash_table_size (announced));

  for (guint index = 0; index <= max_index; index++)
    {
      g_autofree char *path = g_strdup_printf ("%s/camera-%05u.mkv", dir, index);
      Announced *a = g_hash_table_lookup (announced, GUINT_TO_POINTER (index));
      EkTestDecoded decoded;

      g_assert_cmpuint (ek_test_file_mode (path), ==, 0600);

      if (a != NULL)
        {
          g_autofree char *sha = ek_test_sha256_file (path, NULL);

          g_assert_cmpstr (sha, ==, a->sha256);
        }

      ek_test_decode_file (path, &decoded);

      if (index < max_index)
        {
          /* closed before the kill: whole */
          g_assert_null (decoded.error);
          g_assert_cmpint (ABS ((decoded.video_end - decoded.video_start) - SEGMENT_SECONDS * GST_SECOND),
                           <=, FRAME_NS);
          g_assert_cmpuint (decoded.audio_buffers, >, 0);
        }
      else
        {
          /* the open one: everything up to about the kill */
          gint64 recorded = last_frame_ns - (gint64) index * SEGMENT_SECONDS * GST_SECOND;
          gint64 got = decoded.video_end > decoded.video_start ? decoded.video_end - decoded.video_start : 0;

          g_test_message ("  open segment %u: %.2f s expected, %.2f s decoded (%s)", index,
                          recorded / 1e9, got / 1e9, decoded.error ? decoded.error : "clean end");
          /* A segment cut just after it opened is no loss, whatever it holds. */
          if (recorded > IN_FLIGHT_NS)
            {
              g_assert_cmpint (got, >=, recorded - IN_FLIGHT_NS);
              g_assert_cmpuint (decoded.audio_buffers, >, 0);
            }
          g_assert_cmpint (got, <=, SEGMENT_SECONDS * GST_SECOND + FRAME_NS);
        }

      ek_test_decoded_clear (&decoded);
    }

  /* Lost at most the open segment: a closed segment may miss its announcement
   * only if it closed in the last moment (its hash was in flight). */
  for (guint index = 0; index + 1 < max_index; index++)
    g_assert_true (g_hash_table_contains (announced, GUINT_TO_POINTER (index)));

  ek_test_remove_folder (dir);
}

static void
test_kill (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("ek-recorder-kill-XXXXXX", &error);

  g_assert_no_error (error);

  for (guint run = 0; run < RUNS; run++)
    one_run (root, run);

  g_rmdir (root);
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/recorder/kill-9", test_kill);

  return g_test_run ();
}
