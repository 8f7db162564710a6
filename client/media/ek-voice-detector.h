/* ek-voice-detector.h: is someone speaking into the microphone?
 *
 * WebRTC's voice activity detector hears voiced speech but neither whispers
 * (no pitch) nor is it deaf to beeps, a phone's buzz or its ring (a tone in
 * the speech band). This detector takes the microphone at 16 kHz mono together
 * with WebRTC's verdict on the same samples, and adds what tells them apart:
 * a tone (one steady spectral peak) is never speech, and noise shaped like a
 * whisper (flat in 300-4000 Hz, little above 4 kHz, broken into syllables) is.
 * Plain C, no GObject: it runs in GStreamer's streaming thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define EK_VOICE_DETECTOR_RATE 16000

typedef struct _EkVoiceDetector EkVoiceDetector;

EkVoiceDetector *ek_voice_detector_new       (void);
void             ek_voice_detector_free      (EkVoiceDetector *self);
gboolean         ek_voice_detector_push      (EkVoiceDetector *self,
                                              const gint16    *samples,
                                              gsize            n_samples,
                                              gboolean         vad,
                                              guint64         *change_offset);
gboolean         ek_voice_detector_get_voice (EkVoiceDetector *self);
guint64          ek_voice_detector_get_n_samples (EkVoiceDetector *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkVoiceDetector, ek_voice_detector_free)

G_END_DECLS
