/* test-face-ui.c: the candidate's signal indicator (EkSignalIndicator) */

#include "config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "ek-signal-indicator.h"

static void
feed (EkProctorSignals *signals,
      EkVideoFrame     *frame,
      gint64           *t,
      gint64            seconds,
      guint             n_faces)
{
  for (gint64 end = *t + seconds * G_USEC_PER_SEC; *t < end; *t += G_USEC_PER_SEC / 2)
    {
      EkFaceBox boxes[2] = {
        { 200, 100, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 },
        { 420, 100, 200, 200, EK_FACE_VIEW_FRONTAL, 1.0 },
      };
      g_autoptr(EkFaceDetection) d = ek_face_detection_new (frame, *t, boxes, n_faces);

      ek_proctor_signals_add_detection (signals, d);
    }
}

static void
test_indicator (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EkProctorSignals) signals = ek_proctor_signals_new (NULL, &error);
  /* mid grey: an all-black frame is a covered camera, a signal of its own */
  g_autoptr(GBytes) pixels = g_bytes_new_take (memset (g_malloc (640 * 480 * 4), 128, 640 * 480 * 4),
                                               640 * 480 * 4);
  g_autoptr(EkVideoFrame) frame = ek_video_frame_new (pixels, 640, 480, 640 * 4, -1);
  GtkWidget *indicator;
  gint64 t = G_USEC_PER_SEC;

  g_assert_no_error (error);
  indicator = g_object_ref_sink (ek_signal_indicator_new (signals));
  g_assert_false (gtk_widget_get_visible (indicator));
  g_assert_cmpstr (ek_signal_indicator_get_text (EK_SIGNAL_INDICATOR (indicator)), ==, "");

  feed (signals, frame, &t, 5, 1);
  g_assert_false (gtk_widget_get_visible (indicator));

  feed (signals, frame, &t, 5, 2);
  g_assert_true (gtk_widget_get_visible (indicator));
  g_assert_cmpstr (ek_signal_indicator_get_text (EK_SIGNAL_INDICATOR (indicator)), ==,
                   "Someone else is in the picture.");

  /* the face gone outranks the second face */
  feed (signals, frame, &t, 12, 0);
  g_assert_cmpstr (ek_signal_indicator_get_text (EK_SIGNAL_INDICATOR (indicator)), ==,
                   "We can't see your face.");

  feed (signals, frame, &t, 3, 1);
  g_assert_false (gtk_widget_get_visible (indicator));

  ek_signal_indicator_set_signals (EK_SIGNAL_INDICATOR (indicator), NULL);
  g_assert_null (ek_signal_indicator_get_signals (EK_SIGNAL_INDICATOR (indicator)));
  g_assert_finalize_object (indicator);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/face/ui/indicator", test_indicator);

  return g_test_run ();
}
