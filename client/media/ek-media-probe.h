/* ek-media-probe.h: a short look at one camera or microphone, for the device check
 *
 * Opens the device the way the recorder does (the same size and rate limits, so the
 * check sees what the exam will record), runs it for a few seconds in a worker thread
 * and measures: when the first frame came, its size and rate, whether the picture is
 * black or never changes; or how loud the microphone gets and how quiet it is. While it
 * runs, it hands out preview frames (::frame) and the level (EkMediaProbe:level-db) on
 * the main context that started it, for a live view. Nothing is recorded or stored.
 */
#pragma once

#include <gio/gio.h>

#include "ek-media-device.h"
#include "ek-video-frame.h"

G_BEGIN_DECLS

#define EK_MEDIA_PROBE_ERROR (ek_media_probe_error_quark ())

typedef enum
{
  EK_MEDIA_PROBE_ERROR_NOT_FOUND,       /* no such device */
  EK_MEDIA_PROBE_ERROR_MISSING_PLUGIN,  /* a GStreamer element is not installed */
  EK_MEDIA_PROBE_ERROR_FAILED,          /* the device would not start or stopped */
} EkMediaProbeError;

/* The quietest level reported: digital silence. */
#define EK_MEDIA_PROBE_SILENCE_DB -100.0

typedef struct
{
  /* camera */
  guint   n_frames;
  gint64  first_frame_ms;   /* after the start; -1: none came */
  guint   width;            /* as the camera delivers it; 0 when unknown */
  guint   height;
  double  framerate;        /* as negotiated; 0 when unknown */
  double  measured_fps;     /* frames that arrived per second once they came */
  double  max_luma;         /* the brightest picture's average luma, 0..255 */
  double  max_contrast;     /* the largest luma standard deviation of a picture */
  double  max_motion;       /* the largest average change between two frames, 0..255 */

  /* microphone */
  guint   n_levels;
  double  peak_db;          /* the loudest RMS level, dBFS */
  double  floor_db;         /* the quietest RMS level, dBFS */
} EkMediaProbeStats;

#define EK_TYPE_MEDIA_PROBE (ek_media_probe_get_type ())

G_DECLARE_FINAL_TYPE (EkMediaProbe, ek_media_probe, EK, MEDIA_PROBE, GObject)

GQuark             ek_media_probe_error_quark       (void);

EkMediaProbe      *ek_media_probe_new               (EkMediaDeviceKind    kind);
EkMediaDeviceKind  ek_media_probe_get_kind          (EkMediaProbe        *self);
void               ek_media_probe_set_device_id     (EkMediaProbe        *self,
                                                     const char          *device_id);
void               ek_media_probe_set_description   (EkMediaProbe        *self,
                                                     const char          *description);
double             ek_media_probe_get_level_db      (EkMediaProbe        *self);
gboolean           ek_media_probe_get_running       (EkMediaProbe        *self);

void               ek_media_probe_run_async         (EkMediaProbe        *self,
                                                     guint                duration_ms,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean           ek_media_probe_run_finish        (EkMediaProbe        *self,
                                                     GAsyncResult        *result,
                                                     EkMediaProbeStats   *stats,
                                                     GError             **error);

void               ek_media_play_test_tone_async    (guint                duration_ms,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean           ek_media_play_test_tone_finish   (GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
