/* ek-test-media.h: checking recorded files in the media tests */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct
{
  char   *error;          /* NULL if decoding reached the end cleanly */
  guint   video_frames;
  guint   audio_buffers;
  gint64  video_start;    /* stream time of the first decoded frame, -1 if none */
  gint64  video_end;      /* after the last one */
  gint64  audio_start;
  gint64  audio_end;
  gint64  audio_max_gap;  /* the longest stretch without sound between two buffers */
  guint   width;
  guint   height;
} EkTestDecoded;

void     ek_test_decoded_clear     (EkTestDecoded *decoded);
void     ek_test_decode_file       (const char    *path,
                                    EkTestDecoded *decoded);
char    *ek_test_sha256_file       (const char    *path,
                                    guint64       *size);
gint64   ek_test_discover_file     (const char    *path,
                                    guint         *n_video,
                                    guint         *n_audio,
                                    char         **video_caps,
                                    char         **audio_caps);
guint    ek_test_file_mode         (const char    *path);
void     ek_test_run_for           (guint          ms);
void     ek_test_remove_folder     (const char    *path);

/* Runs the main context until @cond holds, for @seconds at most, then asserts it. */
#define ek_test_wait_until(cond, seconds)                                      \
  G_STMT_START {                                                              \
    gint64 _deadline = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
    while (!(cond) && g_get_monotonic_time () < _deadline)                    \
      ek_test_run_for (20);                                                   \
    g_assert_true (cond);                                                     \
  } G_STMT_END

G_END_DECLS
