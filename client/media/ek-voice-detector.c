/* ek-voice-detector.c: is someone speaking into the microphone?
 *
 * Every 10 ms, over the last 32 ms (512 samples at 16 kHz, Hann window), the
 * spectrum gives:
 *
 * - the energy of the speech band (300-4000 Hz), against the room's noise
 *   floor (the quietest 100 ms of the last 10 s): a frame is active when it
 *   stands out of it;
 * - how much of the band's energy lies in its strongest peak (three bins,
 *   94 Hz), and whether that peak stayed where it was 30 ms before: a beep, a
 *   buzz's harmonic, a ring tone's note. Speech spreads its energy over
 *   several harmonics or formants, and its pitch moves;
 * - the band's spectral flatness (geometric over arithmetic mean) and the
 *   share above 4 kHz: a whisper is noise (flat) shaped by the mouth, with
 *   little above 4 kHz, where paper, typing and clicks have most of theirs.
 *
 * A frame is speech when WebRTC's detector says so and it is active and no
 * steady tone, or when it is active, whisper-like and no tone. Ten frames make
 * a block (100 ms) that is speech when enough of its frames are, and holds no
 * steady tone; the verdict comes on when ON_K of the last ON_N blocks are
 * speech (a syllable or a click alone does not) and goes off when none of the
 * last OFF_N are (the pauses between words and short questions stay voice).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gst/fft/gstfftf32.h>

#include "ek-voice-detector.h"

#define RATE              EK_VOICE_DETECTOR_RATE
#define HOP               160     /* 10 ms */
#define WINDOW            512     /* 32 ms */
#define N_BINS            (WINDOW / 2 + 1)
#define BIN_HZ            ((double) RATE / WINDOW)
#define BAND_LO           ((int) (300 / BIN_HZ + 0.5))
#define BAND_HI           ((int) (4000 / BIN_HZ))
#define HIGH_HI           (N_BINS - 2)

#define BLOCK_FRAMES      10      /* 100 ms */
#define FLOOR_BLOCKS      50      /* 5 s: the noise floor, per frequency */
#define FLOOR_BIAS        1.8     /* the minimum of 100 ms means sits under the mean noise */
#define ABS_MIN_DB        -80.0   /* below this nothing is active, whatever the floor */
#define ACTIVE_DB         3.0     /* the band over its noise floor */

#define TONE_SHARE        0.2     /* of the band's excess in one peak */
#define TONE_SHARP        0.8     /* of the excess within 310 Hz of it */
#define SHARP_BINS        10
#define TONE_LOUDNESS     1.0     /* dB it may have changed (a voice swells and fades) */
#define NOTE_SHARE        0.45
#define NOTE_RUN          6       /* frames */
#define TONE_LAG          3       /* frames the peak must have stayed */
#define TONE_DRIFT        0.25    /* bins it may have moved in that time (8 Hz) */
#define WHISPER_SHARP     0.6
#define WHISPER_HIGH      0.6     /* excess above 4 kHz over the band's */
#define VAD_HIGH          0.5     /* the same where WebRTC hears voice: not a knock */

#define BLOCK_VAD         3       /* frames of a block */
#define BLOCK_WHISPER     3
#define BLOCK_TONE        2       /* more tonal frames than this: no speech */

#define ON_N              6
#define ON_K              3
#define OFF_N             10
#define HISTORY           MAX (ON_N, OFF_N)

typedef struct
{
  double band_db;    /* the band's power */
  double snr_db;     /* the band over its noise floor */
  double share;      /* of the band's excess in its strongest peak */
  double peak;       /* where, in bins, interpolated */
  double high;       /* excess above 4 kHz over the band's */
  double sharpness;  /* the peak's three bins over the 20 around it */
  double peak_db;    /* the peak's power */
  gboolean vad;      /* WebRTC's verdict */
  gboolean active;   /* the band stands out of its floor */
  gboolean whisper;  /* no sharp peak, little above 4 kHz */
  gboolean tone;     /* a steady peak since TONE_LAG frames before */
} Frame;

struct _EkVoiceDetector
{
  GstFFTF32        *fft;
  float             samples[WINDOW];   /* the last WINDOW samples, oldest first */
  guint             pending;           /* new samples since the last frame */
  float             scratch[WINDOW];
  GstFFTF32Complex  spectrum[N_BINS];
  guint64           n_samples;

  Frame             frames[TONE_LAG + 1];  /* a ring: the last frames */
  guint             frame_pos;
  guint             n_frames;
  guint             note_run;          /* frames a note has held */

  /* the block being counted */
  guint             block_frames;
  guint             block_vad;
  guint             block_whisper;
  guint             block_tone;
  double            block_psd[N_BINS];
  double            block_snr;         /* sums, for the trace */
  double            block_high;
  double            block_share;
  double            block_sharp;

  /* the noise floor: per frequency, the quietest 100 ms mean of the last 5 s */
  float             psd[FLOOR_BLOCKS][N_BINS];
  guint             psd_pos;
  guint             n_psd;
  double            noise[N_BINS];

  gboolean          speech[HISTORY];   /* a ring of block verdicts */
  guint             speech_pos;
  guint             n_speech;
  gboolean          voice;
  gboolean          trace;
};

static double
to_db (double power)
{
  return 10.0 * log10 (power + 1e-20);
}

/* The spectral features of the window that ends now, against the noise floor. */
static void
analyse_frame (EkVoiceDetector *self,
               Frame           *frame)
{
  double band = 0, noise = 0, excess = 0, high = 0, best = 0, around = 0;
  int peak = BAND_LO;
  /* one-sided Parseval with a Hann window (sum of w^2 = 3N/8): band power as
   * the mean square of the samples it stands for, full scale 1.0 */
  const double scale = 2.0 / (WINDOW * (3.0 * WINDOW / 8.0));
  double p[N_BINS], e[N_BINS];

  memcpy (self->scratch, self->samples, sizeof self->scratch);
  gst_fft_f32_window (self->fft, self->scratch, GST_FFT_WINDOW_HANN);
  gst_fft_f32_fft (self->fft, self->scratch, self->spectrum);

  for (int k = 0; k < N_BINS; k++)
    {
      p[k] = ((double) self->spectrum[k].r * self->spectrum[k].r +
              (double) self->spectrum[k].i * self->spectrum[k].i) * scale;
      self->block_psd[k] += p[k];
      /* before the first block the floor is unknown: nothing stands out */
      e[k] = self->n_psd > 0 ? MAX (0, p[k] - self->noise[k]) : 0;
    }

  for (int k = BAND_LO; k <= BAND_HI; k++)
    {
      band += p[k];
      noise += self->noise[k];
      excess += e[k];
      if (e[k] > e[peak])
        peak = k;
    }
  for (int k = BAND_HI + 1; k <= HIGH_HI; k++)
    high += e[k];
  for (int k = MAX (BAND_LO, peak - 1); k <= MIN (BAND_HI, peak + 1); k++)
    best += e[k];
  for (int k = MAX (BAND_LO, peak - SHARP_BINS); k <= MIN (BAND_HI, peak + SHARP_BINS); k++)
    around += e[k];

  frame->band_db = to_db (band);
  frame->snr_db = self->n_psd > 0 ? to_db (band) - to_db (noise) : 0;
  /* the peak's frequency to a fraction of a bin: a parabola through the
   * logarithms of its three bins (a tone's is steady to a few Hz) */
  frame->peak = peak;
  if (peak > BAND_LO && peak < BAND_HI)
    {
      double a = log (p[peak - 1] + 1e-20), b = log (p[peak] + 1e-20), c = log (p[peak + 1] + 1e-20);
      double d = a - 2 * b + c;

      if (d < 0)
        frame->peak += CLAMP (0.5 * (a - c) / d, -0.5, 0.5);
    }
  frame->share = excess > 0 ? best / excess : 0;
  frame->sharpness = around > 0 ? best / around : 0;
  frame->peak_db = to_db (best);
  frame->high = excess > 0 ? high / excess : 0;
}

static void
push_block_verdict (EkVoiceDetector *self,
                    gboolean         speech)
{
  guint on = 0, recent = 0;

  self->speech[self->speech_pos] = speech;
  self->speech_pos = (self->speech_pos + 1) % HISTORY;
  self->n_speech = MIN (self->n_speech + 1, HISTORY);

  for (guint age = 1; age <= self->n_speech; age++)
    {
      gboolean s = self->speech[(self->speech_pos + HISTORY - age) % HISTORY];

      if (age <= ON_N)
        on += s;
      if (age <= OFF_N)
        recent += s;
    }

  if (!self->voice && on >= ON_K)
    self->voice = TRUE;
  else if (self->voice && recent == 0)
    self->voice = FALSE;
}

/* Closes the 100 ms block: its verdict, and its spectrum for the noise floor. */
static void
end_block (EkVoiceDetector *self)
{
  gboolean speech;

  for (int k = 0; k < N_BINS; k++)
    self->psd[self->psd_pos][k] = self->block_psd[k] / BLOCK_FRAMES;
  self->psd_pos = (self->psd_pos + 1) % FLOOR_BLOCKS;
  self->n_psd = MIN (self->n_psd + 1, FLOOR_BLOCKS);
  for (int k = 0; k < N_BINS; k++)
    {
      float least = self->psd[0][k];

      for (guint i = 1; i < self->n_psd; i++)
        least = MIN (least, self->psd[i][k]);
      self->noise[k] = least * FLOOR_BIAS;
      self->block_psd[k] = 0;
    }

  /* a voice may hold a pitch for a moment: a block is lost to a tone only
   * when the tone has more of it than the voice */
  speech = (self->block_vad >= BLOCK_VAD && self->block_vad >= self->block_tone) ||
           (self->block_whisper >= BLOCK_WHISPER && self->block_tone <= BLOCK_TONE);
  if (self->trace)
    g_printerr ("voice %.2f snr %.1f vad %u whisper %u tone %u high %.2f share %.2f sharp %.2f -> %d\n",
                self->n_samples / (double) RATE, self->block_snr / BLOCK_FRAMES,
                self->block_vad, self->block_whisper, self->block_tone,
                self->block_high / BLOCK_FRAMES, self->block_share / BLOCK_FRAMES,
                self->block_sharp / BLOCK_FRAMES, speech);
  push_block_verdict (self, speech);

  self->block_frames = 0;
  self->block_vad = 0;
  self->block_whisper = 0;
  self->block_tone = 0;
  self->block_snr = self->block_high = self->block_share = self->block_sharp = 0;
}

static void
process_frame (EkVoiceDetector *self,
               gboolean         vad)
{
  Frame *frame = &self->frames[self->frame_pos];
  Frame *before = &self->frames[(self->frame_pos + 1) % (TONE_LAG + 1)];   /* TONE_LAG frames ago */
  gboolean steady, tone;

  analyse_frame (self, frame);
  self->frame_pos = (self->frame_pos + 1) % (TONE_LAG + 1);
  self->n_frames = MIN (self->n_frames + 1, TONE_LAG + 1);

  frame->vad = vad;
  frame->active = frame->band_db > ABS_MIN_DB && self->n_psd > 0 && frame->snr_db > ACTIVE_DB;
  frame->whisper = frame->sharpness < WHISPER_SHARP && frame->high < WHISPER_HIGH;
  /* a steady peak that is sharp (a beep, a ring), or that holds much of the
   * band and stays for longer than a voice holds its pitch (a note, a buzz) */
  steady = self->n_frames > TONE_LAG && fabs (before->peak - frame->peak) < TONE_DRIFT;
  self->note_run = steady && frame->share > NOTE_SHARE && before->share > NOTE_SHARE ? self->note_run + 1 : 0;
  frame->tone = (steady && fabs (before->peak_db - frame->peak_db) < TONE_LOUDNESS &&
                 frame->share > TONE_SHARE && frame->sharpness > TONE_SHARP &&
                 before->share > TONE_SHARE && before->sharpness > TONE_SHARP) ||
                self->note_run >= NOTE_RUN;
  if (self->n_frames <= TONE_LAG)
    return;

  /* The frame TONE_LAG ago is judged now, with what came after it: the start
   * of a tone is a tone too. */
  tone = before->tone || frame->tone;
  self->block_snr += before->snr_db;
  self->block_high += before->high;
  self->block_share += before->share;
  self->block_sharp += before->sharpness;
  if (before->active && tone)
    self->block_tone++;
  else if (before->active && before->vad && before->high < VAD_HIGH)
    self->block_vad++;
  else if (before->active && before->whisper)
    self->block_whisper++;

  if (++self->block_frames == BLOCK_FRAMES)
    end_block (self);
}

/**
 * ek_voice_detector_new:
 *
 * Returns: (transfer full): a detector for 16 kHz mono audio
 */
EkVoiceDetector *
ek_voice_detector_new (void)
{
  EkVoiceDetector *self = g_new0 (EkVoiceDetector, 1);

  self->fft = gst_fft_f32_new (WINDOW, FALSE);
  self->trace = g_getenv ("EK_VOICE_TRACE") != NULL;

  return self;
}

void
ek_voice_detector_free (EkVoiceDetector *self)
{
  if (self == NULL)
    return;
  gst_fft_f32_free (self->fft);
  g_free (self);
}

/**
 * ek_voice_detector_push:
 * @samples: 16 kHz mono
 * @vad: WebRTC's verdict on these samples
 * @change_offset: (out) (optional): on a change, the sample (counted from the
 *   first ever pushed) where the block that decided it ends
 *
 * Returns: %TRUE if the verdict changed on these samples (it may have changed
 *   more than once: ek_voice_detector_get_voice() has the last)
 */
gboolean
ek_voice_detector_push (EkVoiceDetector *self,
                        const gint16    *samples,
                        gsize            n_samples,
                        gboolean         vad,
                        guint64         *change_offset)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (samples != NULL || n_samples == 0, FALSE);

  for (gsize i = 0; i < n_samples; )
    {
      gsize n = MIN (n_samples - i, HOP - self->pending);

      memmove (self->samples, self->samples + n, (WINDOW - n) * sizeof (float));
      for (gsize j = 0; j < n; j++)
        self->samples[WINDOW - n + j] = samples[i + j] / 32768.0f;
      self->pending += n;
      self->n_samples += n;
      i += n;

      if (self->pending == HOP)
        {
          gboolean was = self->voice;

          self->pending = 0;
          process_frame (self, vad);
          if (self->voice != was)
            {
              changed = TRUE;
              if (change_offset != NULL)
                *change_offset = self->n_samples;
            }
        }
    }

  return changed;
}

gboolean
ek_voice_detector_get_voice (EkVoiceDetector *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->voice;
}

guint64
ek_voice_detector_get_n_samples (EkVoiceDetector *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_samples;
}
