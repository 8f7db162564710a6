/* test-voice-detector.c: EkVoiceDetector on synthetic signals
 *
 * Speech is made here as the source-filter model has it: a glottal pulse train
 * (voiced, its pitch gliding and jittering) or white noise (whispered) through three formant
 * resonators that move from syllable to syllable, cut into syllables of
 * 120-300 ms by an envelope. None of it is the material the detector was
 * tuned on (tests/proctor-clips). Against it: room noise, steady and beeping
 * tones, a buzzing square wave, a ring tone, clicks and high-pitched noise
 * bursts, each also with WebRTC's verdict forced to "voice" where the real
 * detector might say so.
 */

#include "config.h"

#include <math.h>

#include "ek-voice-detector.h"

#define RATE EK_VOICE_DETECTOR_RATE

typedef struct
{
  double b0, a1, a2;
  double y1, y2;
} Resonator;

static void
resonator_set (Resonator *r,
               double     freq,
               double     bandwidth)
{
  double radius = exp (-G_PI * bandwidth / RATE);

  r->a1 = 2 * radius * cos (2 * G_PI * freq / RATE);
  r->a2 = -radius * radius;
  r->b0 = 1 - radius;
}

static double
resonator_step (Resonator *r,
                double     x)
{
  double y = r->b0 * x + r->a1 * r->y1 + r->a2 * r->y2;

  r->y2 = r->y1;
  r->y1 = y;
  return y;
}

static void
normalize (double *x,
           gsize   n,
           double  peak_db)
{
  double peak = 1e-12;

  for (gsize i = 0; i < n; i++)
    peak = MAX (peak, fabs (x[i]));
  for (gsize i = 0; i < n; i++)
    x[i] *= pow (10, peak_db / 20) / peak;
}

/* Syllables from @start_s to @end_s: voiced (a pulse train at 100-220 Hz) or
 * whispered (noise), formants drawn per syllable, short gaps between. */
static void
add_speech (double  *x,
            gsize    n,
            double   start_s,
            double   end_s,
            gboolean whisper,
            double   peak_db,
            guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize len = (gsize) ((end_s - start_s) * RATE);
  g_autofree double *s = g_new0 (double, len);
  gsize i = 0;
  double phase = 0;

  while (i < len)
    {
      gsize syl = (gsize) (g_rand_double_range (rand, 0.12, 0.3) * RATE);
      gsize gap = (gsize) (g_rand_double_range (rand, 0.03, 0.12) * RATE);
      double f0 = g_rand_double_range (rand, 100, 220);
      /* a voice's pitch is never a tone's: it glides through a syllable and
       * jitters from period to period (about 1%) */
      double glide = g_rand_double_range (rand, 0.08, 0.3) * (g_rand_boolean (rand) ? 1 : -1);
      double jitter = 1.0;
      Resonator formants[3] = { 0, };

      /* a whisper's formants are broader (the glottis is open) */
      double wide = whisper ? 3 : 1;

      resonator_set (&formants[0], g_rand_double_range (rand, 300, 900), 80 * wide);
      resonator_set (&formants[1], g_rand_double_range (rand, 900, 2300), 100 * wide);
      resonator_set (&formants[2], g_rand_double_range (rand, 2300, 3200), 150 * wide);
      for (gsize k = 0; k < syl && i < len; k++, i++)
        {
          double t = (double) k / syl;
          double env = sin (G_PI * t);
          double src;

          if (whisper)
            src = g_rand_double_range (rand, -1, 1);
          else
            {
              phase += f0 * (1 + glide * t) * jitter / RATE;
              src = phase >= 1 ? 1 : 0;
              if (phase >= 1)
                {
                  phase -= 1;
                  jitter = 1 + g_rand_double_range (rand, -0.01, 0.01);
                }
            }
          s[i] = env * (resonator_step (&formants[0], src) +
                        0.6 * resonator_step (&formants[1], src) +
                        0.3 * resonator_step (&formants[2], src));
        }
      i += gap;
    }
  normalize (s, len, peak_db);
  for (gsize k = 0; k < len && (gsize) (start_s * RATE) + k < n; k++)
    x[(gsize) (start_s * RATE) + k] += s[k];
}

static void
add_room (double  *x,
          gsize    n,
          double   rms_db,
          guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  double a = pow (10, rms_db / 20) * sqrt (3.0);
  double prev = 0;

  /* white noise, gently low-passed */
  for (gsize i = 0; i < n; i++)
    {
      double w = g_rand_double_range (rand, -a, a);

      prev = 0.7 * prev + 0.3 * w;
      x[i] += prev * 1.8;
    }
}

/* Tone bursts: @on_s of each @period_s, at @freq (0: a square wave at 150 Hz). */
static void
add_tone (double *x,
          gsize   n,
          double  freq,
          double  on_s,
          double  period_s,
          double  peak_db)
{
  double a = pow (10, peak_db / 20);

  for (gsize i = 0; i < n; i++)
    {
      double t = (double) i / RATE;

      if (fmod (t, period_s) >= on_s)
        continue;
      if (freq == 0)
        x[i] += a * (sin (2 * G_PI * 150 * t) >= 0 ? 0.5 : -0.5);
      else
        x[i] += a * sin (2 * G_PI * freq * t);
    }
}

/* A ring tone: four notes of 120 ms (and their octave) again and again. */
static void
add_ring (double *x,
          gsize   n,
          double  peak_db)
{
  const double notes[] = { 988, 1319, 1175, 880 };
  double a = pow (10, peak_db / 20);

  for (gsize i = 0; i < n; i++)
    {
      double t = (double) i / RATE;
      double f = notes[(int) (t / 0.14) % 4];

      if (fmod (t, 0.14) < 0.12 && fmod (t, 3.0) < 2.0)
        x[i] += a * (sin (2 * G_PI * f * t) + 0.4 * sin (4 * G_PI * f * t)) / 1.4;
    }
}

/* Clicks (typing) or bursts of high-pitched noise (paper): noise, differenced
 * (so most of it is above 4 kHz), in bursts of @burst_s every @period_s. */
static void
add_bursts (double  *x,
            gsize    n,
            double   burst_s,
            double   period_s,
            double   peak_db,
            guint32  seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  double a = pow (10, peak_db / 20) / 2;
  double prev = 0;

  for (gsize i = 0; i < n; i++)
    {
      double t = fmod ((double) i / RATE, period_s);
      double w = g_rand_double_range (rand, -1, 1);

      if (t < burst_s)
        x[i] += a * (w - prev) * exp (-t / (burst_s / 3));
      prev = w;
    }
}

typedef struct
{
  double voice_s;        /* seconds with the verdict on */
  double first_on_s;     /* -1: never */
  double last_off_s;     /* the last change to off, -1: none */
  guint  onsets;
} Verdict;

/* Feeds @x in pieces of @chunk samples, WebRTC's verdict @vad (or, if
 * @vad_when_loud, "voice" wherever the piece is louder than the room). */
static Verdict
run (const double *x,
     gsize         n,
     gsize         chunk,
     gboolean      vad,
     gboolean      vad_when_loud)
{
  g_autoptr(EkVoiceDetector) detector = ek_voice_detector_new ();
  g_autofree gint16 *pcm = g_new (gint16, n);
  Verdict v = { 0, -1, -1, 0 };
  double on_since = -1;

  for (gsize i = 0; i < n; i++)
    pcm[i] = (gint16) CLAMP (x[i] * 32767, -32768, 32767);

  for (gsize i = 0; i < n; i += chunk)
    {
      gsize len = MIN (chunk, n - i);
      gboolean piece_vad = vad;
      guint64 offset = 0;

      if (vad_when_loud)
        {
          double e = 0;

          for (gsize k = 0; k < len; k++)
            e += x[i + k] * x[i + k];
          piece_vad = 10 * log10 (e / len + 1e-20) > -50;
        }
      if (!ek_voice_detector_push (detector, pcm + i, len, piece_vad, &offset))
        continue;
      g_assert_cmpuint (offset, >, i);
      g_assert_cmpuint (offset, <=, i + len);
      if (ek_voice_detector_get_voice (detector))
        {
          on_since = (double) offset / RATE;
          v.onsets++;
          if (v.first_on_s < 0)
            v.first_on_s = on_since;
        }
      else
        {
          v.voice_s += (double) offset / RATE - on_since;
          v.last_off_s = (double) offset / RATE;
          on_since = -1;
        }
    }
  if (on_since >= 0)
    v.voice_s += (double) n / RATE - on_since;
  g_assert_cmpuint (ek_voice_detector_get_n_samples (detector), ==, n);

  return v;
}

#define SECONDS(s) ((gsize) ((s) * RATE))

/* Voiced speech from 3 to 9 s in a quiet room, WebRTC saying voice: found at
 * once, for most of its length, and over a second after it stops no more. */
static void
test_voiced (void)
{
  gsize n = SECONDS (12);
  g_autofree double *x = g_new0 (double, n);
  Verdict v;

  add_room (x, n, -62, 1);
  add_speech (x, n, 3, 9, FALSE, -20, 2);
  v = run (x, n, 160, FALSE, TRUE);
  g_test_message ("voiced: %.2f s of voice, first at %.2f s, %u onsets", v.voice_s, v.first_on_s, v.onsets);
  g_assert_cmpfloat (v.first_on_s, >=, 3.0);
  g_assert_cmpfloat (v.first_on_s, <, 3.6);
  g_assert_cmpuint (v.onsets, <=, 2);
  g_assert_cmpfloat (v.voice_s, >, 5.0);
  g_assert_cmpfloat (v.last_off_s, >, 9.0);
  g_assert_cmpfloat (v.last_off_s, <, 10.2);
}

/* A whisper (no pitch, WebRTC hears nothing), its peaks at -44 to -30 dBFS
 * over a room at -62 dBFS: found, and not held much past its end. */
static void
test_whisper (void)
{
  const double peaks[] = { -44, -38, -30 };

  for (guint i = 0; i < G_N_ELEMENTS (peaks); i++)
    {
      gsize n = SECONDS (12);
      g_autofree double *x = g_new0 (double, n);
      Verdict v;

      add_room (x, n, -62, 3 + i);
      add_speech (x, n, 3, 9, TRUE, peaks[i], 10 + i);
      v = run (x, n, 160, FALSE, FALSE);
      g_test_message ("whisper at %.0f dB: %.2f s of voice, first at %.2f s", peaks[i], v.voice_s, v.first_on_s);
      g_assert_cmpfloat (v.first_on_s, >=, 3.0);
      g_assert_cmpfloat (v.first_on_s, <, 3.8);
      g_assert_cmpfloat (v.voice_s, >, 4.5);
      g_assert_cmpfloat (v.voice_s, <, 7.5);
    }
}

/* The room alone, and the room with tones of every kind: never voice, even
 * where WebRTC says voice. */
static void
test_not_voice (void)
{
  const char *names[] = { "room", "beeps", "steady tone", "buzz", "ring", "clicks", "rustle" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize n = SECONDS (15);
      g_autofree double *x = g_new0 (double, n);
      Verdict v;

      add_room (x, n, -62, 20 + i);
      switch (i)
        {
        case 1: add_tone (x, n, 1000, 0.2, 0.5, -22); break;
        case 2: add_tone (x, n, 2500, 15, 15, -30); break;
        case 3: add_tone (x, n, 0, 0.8, 1.1, -15); break;
        case 4: add_ring (x, n, -20); break;
        case 5: add_bursts (x, n, 0.03, 0.17, -20, 30); break;
        case 6: add_bursts (x, n, 1.2, 2.0, -24, 31); break;
        default: break;
        }
      for (gboolean vad = FALSE; vad <= TRUE; vad++)
        {
          v = run (x, n, 160, FALSE, vad);
          g_test_message ("%s (WebRTC %s): %.2f s of voice", names[i], vad ? "when loud" : "never", v.voice_s);
          g_assert_cmpuint (v.onsets, ==, 0);
        }
    }
}

/* The verdict does not depend on how the samples come in pieces. */
static void
test_chunks (void)
{
  const gsize chunks[] = { 1, 37, 160, 441, 4800 };
  gsize n = SECONDS (10);
  g_autofree double *x = g_new0 (double, n);
  Verdict first = { 0, };

  add_room (x, n, -62, 40);
  add_speech (x, n, 2, 7, TRUE, -35, 41);
  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      Verdict v = run (x, n, chunks[i], FALSE, FALSE);

      if (i == 0)
        {
          first = v;
          g_assert_cmpuint (v.onsets, >=, 1);
          continue;
        }
      /* one piece is one WebRTC verdict, so only the times may move within a piece */
      g_assert_cmpuint (v.onsets, ==, first.onsets);
      g_assert_cmpfloat (fabs (v.first_on_s - first.first_on_s), <=, (double) chunks[i] / RATE);
      g_assert_cmpfloat (fabs (v.voice_s - first.voice_s), <=, 2.0 * chunks[i] / RATE);
    }
}

/* Digital silence and full-scale square waves: nothing breaks, nothing is voice. */
static void
test_extremes (void)
{
  gsize n = SECONDS (6);
  g_autofree double *x = g_new0 (double, n);
  Verdict v;

  v = run (x, n, 480, TRUE, FALSE);
  g_assert_cmpuint (v.onsets, ==, 0);

  for (gsize i = 0; i < n; i++)
    x[i] = (i / 40) % 2 ? 1.0 : -1.0;
  v = run (x, n, 480, TRUE, FALSE);
  g_assert_cmpuint (v.onsets, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/voice-detector/voiced", test_voiced);
  g_test_add_func ("/voice-detector/whisper", test_whisper);
  g_test_add_func ("/voice-detector/not-voice", test_not_voice);
  g_test_add_func ("/voice-detector/chunks", test_chunks);
  g_test_add_func ("/voice-detector/extremes", test_extremes);

  return g_test_run ();
}
