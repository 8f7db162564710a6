/* ek-recorder-analysis.c: the branches of EkRecorder that feed the proctoring
 *
 * The face monitor's pictures (the camera's own conversion, then the monitor's
 * rate and size) and the microphone's analysis (the level every 100 ms, WebRTC's
 * voice activity detector and EkVoiceDetector on a branch of their own), and
 * what turns their output into frames and levels. The recorder builds its
 * pipeline from exactly these pieces; a harness that plays a labelled clip
 * through them (faster than real time, nothing dropped) measures what the exam
 * would see.
 */

#include "config.h"

#include <math.h>

#include <gst/audio/audio.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-recorder-private.h"
#include "ek-voice-detector.h"

#define LEVEL_INTERVAL_NS    (100 * GST_MSECOND)

/* WebRTC's VAD on 10 ms frames at 16 kHz (it works on the low band anyway).
 * "very-low" likelihood is its most aggressive mode against non-speech, at
 * about the same recall on speech as the default. */
#define VAD_RATE             16000
#define VAD_FRAME_MS         10
#define VAD_LIKELIHOOD       "very-low"
#define VAD_QUEUE_NS         (500 * GST_MSECOND)

/* Helpers */

typedef struct
{
  GstBuffer  *buffer;
  GstMapInfo  map;
} MappedBuffer;

static void
mapped_buffer_free (gpointer data)
{
  MappedBuffer *mapped = data;

  gst_buffer_unmap (mapped->buffer, &mapped->map);
  gst_buffer_unref (mapped->buffer);
  g_free (mapped);
}

/* The voice detector on the VAD's output, in the streaming thread: the
 * samples and WebRTC's verdict on them (its level meta) go in, a change of
 * the detector's verdict goes to the bus. */
typedef struct
{
  EkVoiceDetector *detector;
  GstSegment       segment;
  gboolean         vad;      /* WebRTC's verdict: its meta comes on a change only */
} VoiceProbe;

static void
voice_probe_free (gpointer data)
{
  VoiceProbe *probe = data;

  ek_voice_detector_free (probe->detector);
  g_free (probe);
}

static GstPadProbeReturn
on_voice_probe_cb (GstPad          *pad,
                   GstPadProbeInfo *info,
                   gpointer         user_data)
{
  VoiceProbe *probe = user_data;
  GstBuffer *buffer;
  GstAudioLevelMeta *meta;
  GstMapInfo map;
  guint64 before, offset = 0;
  GstClockTime time;
  g_autoptr(GstElement) element = NULL;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    {
      GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

      if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT)
        gst_event_copy_segment (event, &probe->segment);
      return GST_PAD_PROBE_OK;
    }

  buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  meta = gst_buffer_get_audio_level_meta (buffer);
  if (meta != NULL)
    probe->vad = meta->voice_activity;
  before = ek_voice_detector_get_n_samples (probe->detector);
  if (!ek_voice_detector_push (probe->detector, (const gint16 *) map.data, map.size / sizeof (gint16),
                               probe->vad, &offset))
    {
      gst_buffer_unmap (buffer, &map);
      return GST_PAD_PROBE_OK;
    }
  gst_buffer_unmap (buffer, &map);

  time = GST_BUFFER_PTS (buffer);
  if (GST_CLOCK_TIME_IS_VALID (time))
    {
      time += gst_util_uint64_scale (offset - before, GST_SECOND, EK_VOICE_DETECTOR_RATE);
      if (probe->segment.format == GST_FORMAT_TIME)
        time = gst_segment_to_stream_time (&probe->segment, GST_FORMAT_TIME, time);
    }
  element = gst_pad_get_parent_element (pad);
  if (element != NULL)
    gst_element_post_message (element,
                              gst_message_new_element (GST_OBJECT (element),
                                                       gst_structure_new (EK_RECORDER_VOICE_MESSAGE,
                                                                          "stream-has-voice", G_TYPE_BOOLEAN,
                                                                          ek_voice_detector_get_voice (probe->detector),
                                                                          "stream-time", G_TYPE_UINT64, (guint64) time,
                                                                          NULL)));

  return GST_PAD_PROBE_OK;
}

/* Internal */

/**
 * _ek_recorder_camera_convert_description:
 *
 * Takes the camera's best mode up to 720p30, then brings whatever it gives to
 * the one format the encoder and the viewers expect.
 *
 * Returns: (transfer full): a gst-launch description, one sink and one src
 */
char *
_ek_recorder_camera_convert_description (void)
{
  return g_strdup_printf ("capsfilter caps=video/x-raw,width=(int)[1,%d],height=(int)[1,%d],"
                          "framerate=(fraction)[1/1,%d/1] ! videoconvert ! "
                          "videoscale add-borders=true ! videorate ! "
                          "capsfilter caps=video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,"
                          "pixel-aspect-ratio=1/1",
                          VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS,
                          VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS);
}

/**
 * _ek_recorder_viewer_branch_description:
 * @fps: the most pictures a second the viewer gets
 * @live: %TRUE in the recorder: a viewer that falls behind loses pictures
 *   rather than hold up the camera; %FALSE for a harness that plays a file
 *   faster than real time, where nothing may be lost
 *
 * From the camera's pictures to a viewer's (the preview, the face monitor):
 * fewer a second, smaller, RGBA. An appsink follows.
 *
 * Returns: (transfer full): a gst-launch description, one sink and one src
 */
char *
_ek_recorder_viewer_branch_description (guint    fps,
                                        guint    width,
                                        guint    height,
                                        gboolean live)
{
  return g_strdup_printf ("videorate drop-only=true max-rate=%u ! "
                          "  queue %s max-size-buffers=1 max-size-bytes=0 max-size-time=0 ! "
                          "  videoscale ! videoconvert ! "
                          "  capsfilter caps=video/x-raw,format=RGBA,width=%u,height=%u,pixel-aspect-ratio=1/1",
                          fps, live ? "leaky=downstream" : "", width, height);
}

char *
_ek_recorder_face_branch_description (gboolean live)
{
  return _ek_recorder_viewer_branch_description (FACE_FPS, FACE_WIDTH, FACE_HEIGHT, live);
}

/* Public to harnesses */

/**
 * ek_recorder_analysis_make_face_monitor:
 * @live: as in the recorder (%TRUE), or lossless for a file played faster
 *   than real time (%FALSE)
 *
 * The face monitor's path from a camera (or a decoded clip up to 1280x720) to
 * the frames the proctoring sees: the camera's conversion to 1280x720 I420 at
 * 30 fps, then the face branch (2 fps, RGBA 640x360). An appsink after it gives
 * samples for ek_recorder_frame_from_sample().
 *
 * Returns: (transfer floating): a bin with a "sink" and a "src" pad, or %NULL
 */
GstElement *
ek_recorder_analysis_make_face_monitor (gboolean   live,
                                        GError   **error)
{
  g_autofree char *convert = _ek_recorder_camera_convert_description ();
  g_autofree char *branch = _ek_recorder_face_branch_description (live);
  g_autofree char *desc = g_strdup_printf ("%s ! %s", convert, branch);

  return gst_parse_bin_from_description (desc, TRUE, error);
}

/**
 * ek_recorder_analysis_make_audio:
 * @live: as in the recorder (%TRUE), or lossless for a file played faster
 *   than real time (%FALSE)
 *
 * The microphone's path as the recorder has it: any raw audio to mono S16 at
 * 48 kHz, measured by `level` every 100 ms, and on a branch of its own the
 * voice detector at 16 kHz: WebRTC's voice activity detector (`webrtcdsp`
 * with only voice detection on, so no echo probe is needed), then on its
 * output, in the streaming thread, EkVoiceDetector, which takes the samples
 * and WebRTC's verdict and posts its own on a change. Both post element
 * messages on the bus, read with ek_recorder_analysis_parse_level() and
 * ek_recorder_analysis_parse_voice(). The audio leaves by "src" unaltered:
 * the recorder encodes it; the detector's branch ends in a fakesink.
 *
 * Returns: (transfer floating): a bin with a "sink" and a "src" pad, or %NULL
 */
GstElement *
ek_recorder_analysis_make_audio (gboolean   live,
                                 GError   **error)
{
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) tee = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstElement) vad = NULL;
  g_autoptr(GstPad) vad_src = NULL;
  VoiceProbe *probe;
  GstElement *bin;

  /* In the recorder a detector that falls behind loses audio rather than
   * hold up the recording. */
  desc = g_strdup_printf ("audioconvert ! audioresample ! "
                          "capsfilter caps=audio/x-raw,format=S16LE,rate=48000,channels=1 ! "
                          "level interval=%" G_GUINT64_FORMAT " post-messages=true ! "
                          "tee name=atee "
                          "atee. ! queue %s max-size-buffers=0 max-size-bytes=0 max-size-time=%" G_GUINT64_FORMAT " ! "
                          "  audioconvert ! audioresample ! "
                          "  capsfilter caps=audio/x-raw,format=S16LE,rate=%d,channels=1 ! "
                          "  webrtcdsp name=vad voice-detection=true voice-detection-likelihood=%s "
                          "    voice-detection-frame-size-ms=%d "
                          "    echo-cancel=false noise-suppression=false gain-control=false "
                          "    high-pass-filter=false extended-filter=false delay-agnostic=false "
                          "    experimental-agc=false ! "
                          "  fakesink sync=false async=false",
                          (guint64) LEVEL_INTERVAL_NS,
                          live ? "leaky=downstream" : "", (guint64) VAD_QUEUE_NS,
                          VAD_RATE, VAD_LIKELIHOOD, VAD_FRAME_MS);
  bin = gst_parse_bin_from_description (desc, TRUE, error);
  if (bin == NULL)
    return NULL;

  tee = gst_bin_get_by_name (GST_BIN (bin), "atee");
  pad = gst_element_request_pad_simple (tee, "src_%u");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));

  vad = gst_bin_get_by_name (GST_BIN (bin), "vad");
  vad_src = gst_element_get_static_pad (vad, "src");
  probe = g_new0 (VoiceProbe, 1);
  probe->detector = ek_voice_detector_new ();
  gst_segment_init (&probe->segment, GST_FORMAT_UNDEFINED);
  gst_pad_add_probe (vad_src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     on_voice_probe_cb, probe, voice_probe_free);

  return bin;
}

/**
 * ek_recorder_analysis_parse_voice:
 * @message: any message of the pipeline
 * @voice: (out): whether the stream has voice from @media_time on
 * @media_time: (out) (optional): the stream time of the change
 *
 * Reads a message of the analysis' voice detector (EkVoiceDetector with
 * WebRTC's verdict), which posts one each time its verdict changes.
 *
 * Returns: %TRUE if @message is a voice activity message
 */
gboolean
ek_recorder_analysis_parse_voice (GstMessage   *message,
                                  gboolean     *voice,
                                  GstClockTime *media_time)
{
  const GstStructure *structure;
  guint64 time = GST_CLOCK_TIME_NONE;

  g_return_val_if_fail (GST_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (voice != NULL, FALSE);

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT ||
      !gst_message_has_name (message, EK_RECORDER_VOICE_MESSAGE))
    return FALSE;

  structure = gst_message_get_structure (message);
  if (!gst_structure_get_boolean (structure, "stream-has-voice", voice))
    return FALSE;

  gst_structure_get_uint64 (structure, "stream-time", &time);
  if (media_time != NULL)
    *media_time = time;

  return TRUE;
}

/**
 * ek_recorder_analysis_parse_level:
 * @message: any message of the pipeline
 * @level_db: (out): the loudness, RMS over the interval in dBFS, -100 to 0
 * @media_time: (out) (optional): the stream time the interval starts at
 *
 * Reads a message of the analysis' `level`: the loudest channel, clamped.
 * Digital silence (-inf) is the floor; an interval that measured nothing
 * (the empty one `level` posts at the end of a stream, whose RMS is NaN) gives
 * no level at all, so a non-finite value never reaches anyone.
 *
 * Returns: %TRUE if @message is a level message with a level
 */
gboolean
ek_recorder_analysis_parse_level (GstMessage   *message,
                                  double       *level_db,
                                  GstClockTime *media_time)
{
  const GstStructure *structure;
  const GValue *rms;
  gboolean measured = FALSE;
  double level = LEVEL_FLOOR_DB;

  g_return_val_if_fail (GST_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (level_db != NULL, FALSE);

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ELEMENT ||
      !gst_message_has_name (message, "level"))
    return FALSE;

  structure = gst_message_get_structure (message);
  rms = gst_structure_get_value (structure, "rms");

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (rms != NULL && G_VALUE_HOLDS (rms, g_value_array_get_type ()))
    {
      GValueArray *array = g_value_get_boxed (rms);

      for (guint i = 0; array != NULL && i < array->n_values; i++)
        {
          double channel = g_value_get_double (&array->values[i]);

          /* NaN: no samples; +inf cannot be measured from samples */
          if (isnan (channel) || (isinf (channel) && channel > 0))
            continue;
          level = MAX (level, channel);
          measured = TRUE;
        }
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (!measured)
    return FALSE;

  *level_db = CLAMP (level, LEVEL_FLOOR_DB, 0.0);
  if (media_time != NULL &&
      !gst_structure_get_clock_time (structure, "stream-time", media_time))
    *media_time = GST_CLOCK_TIME_NONE;

  return TRUE;
}

/**
 * ek_recorder_frame_from_sample:
 * @sample: a sample of an RGBA appsink (the preview, the face monitor, the
 *   screen)
 *
 * Wraps the sample's buffer without copying it; the frame's time is the
 * buffer's.
 *
 * Returns: (transfer full) (nullable): the frame, %NULL if @sample holds none
 */
EkVideoFrame *
ek_recorder_frame_from_sample (GstSample *sample)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  g_autoptr(GBytes) bytes = NULL;
  GstVideoInfo info;
  GstVideoMeta *meta;
  MappedBuffer *mapped;
  gsize stride;
  gsize offset = 0;

  if (buffer == NULL || caps == NULL || !gst_video_info_from_caps (&info, caps))
    return NULL;

  stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  meta = gst_buffer_get_video_meta (buffer);
  if (meta != NULL)
    {
      stride = meta->stride[0];
      offset = meta->offset[0];
    }

  mapped = g_new0 (MappedBuffer, 1);
  mapped->buffer = gst_buffer_ref (buffer);
  if (!gst_buffer_map (mapped->buffer, &mapped->map, GST_MAP_READ))
    {
      gst_buffer_unref (mapped->buffer);
      g_free (mapped);
      return NULL;
    }

  if (offset + stride * GST_VIDEO_INFO_HEIGHT (&info) > mapped->map.size)
    {
      mapped_buffer_free (mapped);
      return NULL;
    }

  bytes = g_bytes_new_with_free_func (mapped->map.data + offset,
                                      mapped->map.size - offset,
                                      mapped_buffer_free, mapped);

  return ek_video_frame_new (bytes,
                             GST_VIDEO_INFO_WIDTH (&info),
                             GST_VIDEO_INFO_HEIGHT (&info),
                             stride,
                             GST_BUFFER_PTS_IS_VALID (buffer) ? (gint64) GST_BUFFER_PTS (buffer) : -1);
}
