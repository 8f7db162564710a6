/* ek-proctor-signals.c: live proctoring signals during the exam */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ek-face-quality.h"
#include "ek-jpeg.h"
#include "ek-proctor-signals.h"

#define LBP_SIZE          64
#define LBP_CELLS         4
#define LEVEL_HISTORY     100     /* ten seconds of 100 ms levels: the noise floor */
#define VAD_OVER_FLOOR_DB 4.5
#define VAD_MEAN_OVER_FLOOR_DB 1.5
#define LEVEL_RECENT      5       /* half a second of levels: a syllable and its pause */
#define MIN_SNAPSHOT_S    30
#define WINDOW_MAX        16

/* Profile (turned head) evidence counts only near where the face last was, at a
 * similar size, and only when it recurs: a face-like picture on the wall or an
 * animal in the background is far from the seat, or comes and goes. */
#define PROFILE_MAX_SHIFT     1.0     /* centre distance, in face widths */
#define PROFILE_MIN_CONFIDENCE 0.5    /* seen in at least 2 of the last 4 searches */
#define LAST_FACE_MAX_AGE_US  (60 * G_USEC_PER_SEC)
/* A face counts towards "more than one" once found in 2 of the last 4 searches,
 * and when it is not below the candidate's chin (the desk, the keyboard, the
 * candidate's own hands and clothes: where a cascade's false faces sit). */
#define FACE_MIN_CONFIDENCE   0.5

/* A covered lens: dark and without structure. Structure is the spread of the
 * means of 16x16 blocks, which sensor noise barely moves (it averages out) while
 * any scene, even a dim one, keeps its edges. */
#define COVER_BLOCK           16
#define COVER_MAX_MEAN        45.0
#define COVER_MAX_STRUCTURE   6.0
/* A camera that sends nothing for this long counts as covered. */
#define NO_FRAME_US           (3 * G_USEC_PER_SEC)

/* Hysteresis: a condition begins to hold when it is seen in @on of the last @n
 * observations (two frames a second; ten levels a second for the voice) and stops
 * holding when it is seen in fewer than @off of them. A condition that flickers
 * (two faces alternating with one, a face found in every other frame) still
 * reaches its threshold; one stray frame neither starts nor ends it. */
typedef struct
{
  guint n;
  guint on;
  guint off;
} Hysteresis;

static const Hysteresis hysteresis[EK_N_PROCTOR_SIGNALS] = {
  [EK_PROCTOR_SIGNAL_FACE_ABSENT] = { 6, 4, 2 },
  [EK_PROCTOR_SIGNAL_MULTIPLE_FACES] = { 6, 3, 2 },
  [EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE] = { 6, 4, 2 },
  [EK_PROCTOR_SIGNAL_VOICE] = { 16, 10, 4 },
  [EK_PROCTOR_SIGNAL_CAMERA_COVERED] = { 6, 4, 2 },
};

typedef struct
{
  gboolean  seen[WINDOW_MAX];   /* the last observations, a ring */
  gboolean  raw[WINDOW_MAX];    /* the same before confirmation (see update_track_raw) */
  gint64    seen_us[WINDOW_MAX];
  guint     pos;
  guint     n_seen;
  gboolean  holds;
  gint64    cond_since;    /* when the condition began (back-dated), while it holds */
  gint64    clear_since;   /* when it went, once it no longer holds */
  gboolean  active;
  gint64    started;
} Track;

struct _EkProctorSignals
{
  GObject             parent_instance;

  EkProctoringPolicy  policy;
  EkFaceDetector     *frontal;          /* owned */
  EkFaceDetector     *profile;          /* owned: only for frames without a frontal face */
  EkFaceDetection    *awaiting_profile; /* owned, nullable: the frontal result waiting */
  int                 profile_x;        /* where the profile search's crop sits in the frame */
  int                 profile_y;

  Track               tracks[EK_N_PROCTOR_SIGNALS];
  gboolean            reading;
  gboolean            stopped;

  double              levels[LEVEL_HISTORY];
  guint               n_levels;
  guint               level_pos;
  gboolean            vad_voice;        /* the voice-activity detector's last answer */
  gint64              vad_us;           /* when it came, 0: never */

  EkFaceBox           last_face;        /* where the candidate's face last was */
  gint64              last_face_us;     /* 0: not known */
  guint               last_width;
  guint               last_height;
  gint64              last_frame_us;    /* the newest frame offered, 0: none yet */
  gint64              camera_since_us;  /* the first camera check, 0: none yet */

  EkVideoFrame       *reference;        /* owned, nullable */
  EkFaceBox           reference_box;
  gboolean            have_reference;
  double              similarity;
  gint64              last_similarity_us;

  EkViolationTracker *tracker;          /* owned, nullable */
  GSignalGroup       *recorder_signals; /* owned: the attached recorder's */
  guint               level_source;
  EkApiClient        *api;              /* owned, nullable: uploads the snapshots */
  EkVideoFrame       *latest;           /* owned, nullable: the newest camera frame */
  EkVideoFrame       *one_face;         /* owned, nullable: the newest with one good face */
  gint64              one_face_us;
  GCancellable       *cancellable;      /* owned: snapshot uploads */
  guint               n_snapshots_sent;
  gboolean            snapshots_enabled;
  guint               snapshot_source;
  GRand              *rand;             /* owned */
  guint64             n_frames;
};

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_SIMILARITY,
  N_PROPS
};

enum {
  SIGNAL_STARTED,
  SIGNAL_ENDED,
  SNAPSHOT_DUE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkProctorSignals, ek_proctor_signals, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (EkProctorSignal, ek_proctor_signal,
                    G_DEFINE_ENUM_VALUE (EK_PROCTOR_SIGNAL_FACE_ABSENT, "face-absent"),
                    G_DEFINE_ENUM_VALUE (EK_PROCTOR_SIGNAL_MULTIPLE_FACES, "multiple-faces"),
                    G_DEFINE_ENUM_VALUE (EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE, "face-not-visible"),
                    G_DEFINE_ENUM_VALUE (EK_PROCTOR_SIGNAL_VOICE, "voice"),
                    G_DEFINE_ENUM_VALUE (EK_PROCTOR_SIGNAL_CAMERA_COVERED, "camera-covered"))

static void schedule_snapshot (EkProctorSignals *self);

static void update_track_raw (EkProctorSignals *self,
                              EkProctorSignal   signal,
                              gboolean          cond,
                              gboolean          raw,
                              gint64            now);

/* Helpers */

static void
update_track (EkProctorSignals *self,
              EkProctorSignal   signal,
              gboolean          cond,
              gint64            now)
{
  update_track_raw (self, signal, cond, cond, now);
}

const char *
ek_proctor_signal_to_string (EkProctorSignal signal)
{
  switch (signal)
    {
    case EK_PROCTOR_SIGNAL_FACE_ABSENT:
      return "face_absent";
    case EK_PROCTOR_SIGNAL_MULTIPLE_FACES:
      return "multiple_faces";
    case EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE:
      return "face_not_visible";
    case EK_PROCTOR_SIGNAL_VOICE:
      return "voice";
    case EK_PROCTOR_SIGNAL_CAMERA_COVERED:
      return "camera_covered";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ek_proctor_signal_describe (EkProctorSignal signal)
{
  switch (signal)
    {
    case EK_PROCTOR_SIGNAL_FACE_ABSENT:
      return _("We can't see your face.");
    case EK_PROCTOR_SIGNAL_MULTIPLE_FACES:
      return _("Someone else is in the picture.");
    case EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE:
      return _("Please face the camera, not too far away.");
    case EK_PROCTOR_SIGNAL_VOICE:
      return _("Please read silently.");
    case EK_PROCTOR_SIGNAL_CAMERA_COVERED:
      return _("The camera is covered or too dark.");
    default:
      g_return_val_if_reached (NULL);
    }
}

static gint64
threshold_us (EkProctorSignals *self,
              EkProctorSignal   signal)
{
  gint64 s = 0;

  switch (signal)
    {
    case EK_PROCTOR_SIGNAL_FACE_ABSENT:
      s = self->policy.face_absent_s;
      break;
    case EK_PROCTOR_SIGNAL_MULTIPLE_FACES:
      s = self->policy.multiple_faces_s;
      break;
    case EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE:
      s = self->policy.face_not_visible_s;
      break;
    case EK_PROCTOR_SIGNAL_VOICE:
      s = self->policy.voice_s;
      break;
    case EK_PROCTOR_SIGNAL_CAMERA_COVERED:
      s = self->policy.camera_covered_s;
      break;
    default:
      g_assert_not_reached ();
    }

  return s * G_USEC_PER_SEC;
}

static void
end_track (EkProctorSignals *self,
           EkProctorSignal   signal,
           gint64            end_us)
{
  Track *track = &self->tracks[signal];

  if (!track->active)
    return;

  track->active = FALSE;
  track->clear_since = 0;
  if (self->tracker != NULL)
    ek_violation_tracker_end (self->tracker, ek_proctor_signal_to_string (signal));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_signal_emit (self, signals[SIGNAL_ENDED], 0, signal, track->started, end_us);
}

static void
reset_track (Track *track)
{
  track->n_seen = 0;
  track->pos = 0;
  track->holds = FALSE;
}

/* The oldest observation of the window that saw the condition (its back-dated
 * start), or the first one after the newest that saw it (its end). */
static gint64
window_edge (const Track *track,
             guint        n,
             gboolean     start)
{
  gint64 edge = 0;
  gboolean after_seen = FALSE;

  for (guint age = MIN (track->n_seen, n); age > 0; age--)
    {
      guint i = (track->pos + WINDOW_MAX - age) % WINDOW_MAX;

      /* back-dated over the unconfirmed observations that led to it */
      if (start && track->seen[i])
        {
          for (age++; age <= track->n_seen; age++)
            {
              guint j = (track->pos + WINDOW_MAX - age) % WINDOW_MAX;

              if (!track->raw[j])
                break;
              i = j;
            }
          return track->seen_us[i];
        }
      if (!start && track->seen[i])
        {
          after_seen = TRUE;
          edge = 0;
        }
      else if (!start && edge == 0 && (after_seen || age == MIN (track->n_seen, n)))
        edge = track->seen_us[i];
    }

  return edge;
}

/* @cond: the condition, confirmed; @raw: what the frame alone says. A
 * condition confirmed only once the detector has seen it again is back-dated
 * to where the frames first showed it. */
static void
update_track_raw (EkProctorSignals *self,
                  EkProctorSignal   signal,
                  gboolean          cond,
                  gboolean          raw,
                  gint64            now)
{
  Track *track = &self->tracks[signal];
  const Hysteresis *h = &hysteresis[signal];
  guint count = 0;

  if (self->stopped)
    return;

  /* time going backwards: a new stream, not evidence about this one */
  if (track->n_seen > 0 && now < track->seen_us[(track->pos + WINDOW_MAX - 1) % WINDOW_MAX])
    reset_track (track);

  track->seen[track->pos] = !!cond;
  track->raw[track->pos] = cond || raw;
  track->seen_us[track->pos] = now;
  track->pos = (track->pos + 1) % WINDOW_MAX;
  track->n_seen = MIN (track->n_seen + 1, WINDOW_MAX);
  for (guint age = 1; age <= MIN (track->n_seen, h->n); age++)
    count += track->seen[(track->pos + WINDOW_MAX - age) % WINDOW_MAX];

  if (!track->holds && count >= h->on)
    {
      track->holds = TRUE;
      track->cond_since = window_edge (track, h->n, TRUE);
    }
  else if (track->holds && count < h->off)
    {
      track->holds = FALSE;
      track->clear_since = window_edge (track, h->n, FALSE);
      if (track->clear_since == 0)
        track->clear_since = now;
    }

  /* The threshold counts the time the condition was seen, not the tail the
   * hysteresis adds after it went: a 4 s sound never makes a 5 s signal. */
  if (track->holds && cond && !track->active && now - track->cond_since >= threshold_us (self, signal))
    {
      track->active = TRUE;
      track->started = track->cond_since;
      if (self->tracker != NULL)
        ek_violation_tracker_begin (self->tracker, ek_proctor_signal_to_string (signal), "");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
      g_signal_emit (self, signals[SIGNAL_STARTED], 0, signal, track->started);
    }
  else if (!track->holds && track->active)
    end_track (self, signal, track->clear_since);
}

static gboolean
square_box (const EkFaceBox *box,
            guint            width,
            guint            height,
            int             *x,
            int             *y,
            int             *size)
{
  *size = MIN (box->width, box->height);
  *x = box->x + (box->width - *size) / 2;
  *y = box->y + (box->height - *size) / 2;

  return *size >= 8 && *x >= 0 && *y >= 0 && *x + *size <= (int) width && *y + *size <= (int) height;
}

static float *
lbp_histograms (EkVideoFrame    *frame,
                const EkFaceBox *box)
{
  g_autoptr(EkGreyImage) grey = ek_grey_image_new_from_frame (frame);
  g_autoptr(EkGreyImage) face = NULL;
  float *hist;
  int x, y, size;

  if (!square_box (box, grey->width, grey->height, &x, &y, &size))
    return NULL;
  face = ek_grey_image_crop_scaled (grey, x, y, size, size, LBP_SIZE, LBP_SIZE);
  if (face == NULL)
    return NULL;

  hist = g_new0 (float, LBP_CELLS * LBP_CELLS * 256);
  for (int yy = 1; yy < LBP_SIZE - 1; yy++)
    for (int xx = 1; xx < LBP_SIZE - 1; xx++)
      {
        const guint8 *p = face->data + yy * face->stride + xx;
        gssize s = face->stride;
        guint8 c = p[0];
        guint code = (p[-s - 1] >= c) << 7 | (p[-s] >= c) << 6 | (p[-s + 1] >= c) << 5 |
                     (p[1] >= c) << 4 | (p[s + 1] >= c) << 3 | (p[s] >= c) << 2 |
                     (p[s - 1] >= c) << 1 | (p[-1] >= c);
        int cell = ((yy - 1) * LBP_CELLS / (LBP_SIZE - 2)) * LBP_CELLS + (xx - 1) * LBP_CELLS / (LBP_SIZE - 2);

        hist[cell * 256 + code] += 1.0f;
      }

  for (int cell = 0; cell < LBP_CELLS * LBP_CELLS; cell++)
    {
      float sum = 0;

      for (int i = 0; i < 256; i++)
        sum += hist[cell * 256 + i];
      for (int i = 0; i < 256 && sum > 0; i++)
        hist[cell * 256 + i] /= sum;
    }

  return hist;
}

/**
 * ek_face_similarity:
 *
 * The resemblance of two face crops (see the header): 0..1, or -1 when a box
 * does not fit its frame.
 */
double
ek_face_similarity (EkVideoFrame    *a,
                    const EkFaceBox *box_a,
                    EkVideoFrame    *b,
                    const EkFaceBox *box_b)
{
  g_autofree float *ha = lbp_histograms (a, box_a);
  g_autofree float *hb = lbp_histograms (b, box_b);
  double sum = 0;

  if (ha == NULL || hb == NULL)
    return -1.0;

  for (int i = 0; i < LBP_CELLS * LBP_CELLS * 256; i++)
    sum += MIN (ha[i], hb[i]);

  return sum / (LBP_CELLS * LBP_CELLS);
}

static void
measure_similarity (EkProctorSignals *self,
                    EkFaceDetection  *detection,
                    const EkFaceBox  *box,
                    gint64            now)
{
  double score;

  if (!self->have_reference ||
      (self->last_similarity_us != 0 &&
       now - self->last_similarity_us < self->policy.similarity_interval_s * G_USEC_PER_SEC))
    return;

  score = ek_face_similarity (self->reference, &self->reference_box,
                              ek_face_detection_get_frame (detection), box);
  if (score < 0)
    return;

  self->last_similarity_us = now;
  self->similarity = score;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIMILARITY]);
}

static gboolean
below_chin (const EkFaceBox *box,
            const EkFaceBox *main)
{
  return box != main && box->y > main->y + main->height;
}

static guint
count_faces (EkFaceDetection *detection,
             gboolean         confirmed)
{
  const EkFaceBox *main = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);
  guint n = 0;

  for (guint i = 0; i < ek_face_detection_get_n_boxes (detection); i++)
    {
      const EkFaceBox *box = ek_face_detection_get_box (detection, i);

      n += box->view == EK_FACE_VIEW_FRONTAL && !below_chin (box, main) &&
           (!confirmed || box->confidence >= FACE_MIN_CONFIDENCE);
    }

  return n;
}

/* A profile box that says the candidate's head is turned: near where the face
 * last was, of a similar size, and found again (its confidence). */
static const EkFaceBox *
find_turned_head (EkProctorSignals *self,
                  EkFaceDetection  *detection)
{
  const EkFaceBox *last = &self->last_face;
  double lx = last->x + last->width / 2.0, ly = last->y + last->height / 2.0;

  if (self->last_face_us == 0)
    return NULL;

  for (guint i = 0; i < ek_face_detection_get_n_boxes (detection); i++)
    {
      const EkFaceBox *box = ek_face_detection_get_box (detection, i);
      double dx = box->x + box->width / 2.0 - lx, dy = box->y + box->height / 2.0 - ly;
      double size = MAX (box->width, last->width);

      if (box->view == EK_FACE_VIEW_FRONTAL || box->confidence < PROFILE_MIN_CONFIDENCE)
        continue;
      if (box->width * 2 < last->width || box->width > last->width * 2)
        continue;
      if (sqrt (dx * dx + dy * dy) > PROFILE_MAX_SHIFT * size)
        continue;
      return box;
    }

  return NULL;
}

/* The part of the frame around where the face last was (three face widths
 * square), copied; NULL when that is not known or too long ago. */
static EkVideoFrame *
crop_around_last_face (EkProctorSignals *self,
                       EkFaceDetection  *detection)
{
  EkVideoFrame *frame = ek_face_detection_get_frame (detection);
  gint64 now = ek_face_detection_get_time_us (detection);
  int width = (int) ek_video_frame_get_width (frame);
  int height = (int) ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  const EkFaceBox *last = &self->last_face;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (ek_video_frame_get_pixels (frame), &size);
  int x0, y0, x1, y1, side;
  guint8 *pixels;
  g_autoptr(GBytes) bytes = NULL;

  if (self->last_face_us == 0 || now < self->last_face_us || now - self->last_face_us > LAST_FACE_MAX_AGE_US ||
      (guint) width != self->last_width || (guint) height != self->last_height || size < stride * height)
    return NULL;

  side = MAX (3 * last->width, 2 * EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX);
  x0 = CLAMP (last->x + last->width / 2 - side / 2, 0, width);
  y0 = CLAMP (last->y + last->height / 2 - side / 2, 0, height);
  x1 = CLAMP (x0 + side, 0, width);
  y1 = CLAMP (y0 + side, 0, height);
  if (x1 - x0 < EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX || y1 - y0 < EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX)
    return NULL;

  pixels = g_malloc ((gsize) (x1 - x0) * 4 * (y1 - y0));
  for (int y = y0; y < y1; y++)
    memcpy (pixels + (gsize) (y - y0) * (x1 - x0) * 4, data + y * stride + (gsize) x0 * 4, (gsize) (x1 - x0) * 4);
  self->profile_x = x0;
  self->profile_y = y0;

  bytes = g_bytes_new_take (pixels, (gsize) (x1 - x0) * 4 * (y1 - y0));

  return ek_video_frame_new (bytes, x1 - x0, y1 - y0, (gsize) (x1 - x0) * 4, ek_video_frame_get_pts_ns (frame));
}

/**
 * ek_frame_looks_covered:
 *
 * Whether @frame looks like a covered lens: dark and without structure. Sensor
 * noise alone is not structure (see COVER_BLOCK); a dim room still has edges.
 */
gboolean
ek_frame_looks_covered (EkVideoFrame *frame)
{
  double mean = 0, structure = 0;

  /* a frame too small (or too short) to measure says nothing */
  if (!ek_frame_brightness (frame, &mean, &structure))
    return FALSE;

  return mean < COVER_MAX_MEAN && structure < COVER_MAX_STRUCTURE;
}

/**
 * ek_frame_brightness:
 * @mean: (out): mean luma, 0..255
 * @structure: (out): standard deviation of the means of 16x16 blocks
 *
 * Returns: %FALSE (and 0, 0) when the frame is smaller than a block or its
 *   pixels are short of its size
 */
gboolean
ek_frame_brightness (EkVideoFrame *frame,
                     double       *mean,
                     double       *structure)
{
  GBytes *pixels = ek_video_frame_get_pixels (frame);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (pixels, &size);
  guint width = ek_video_frame_get_width (frame);
  guint height = ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  guint bw = width / COVER_BLOCK, bh = height / COVER_BLOCK;
  double sum = 0, sum2 = 0;

  *mean = 0;
  *structure = 0;
  if (bw == 0 || bh == 0 || stride < (gsize) width * 4 || size < stride * height)
    return FALSE;

  for (guint by = 0; by < bh; by++)
    for (guint bx = 0; bx < bw; bx++)
      {
        guint block = 0;

        /* every other pixel of every other line: plenty for a mean */
        for (guint y = by * COVER_BLOCK; y < (by + 1) * COVER_BLOCK; y += 2)
          {
            const guint8 *p = data + y * stride + (gsize) bx * COVER_BLOCK * 4;

            for (guint x = 0; x < COVER_BLOCK; x += 2, p += 8)
              block += (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8;
          }
        sum += block / (double) (COVER_BLOCK * COVER_BLOCK / 4);
        sum2 += (block / (double) (COVER_BLOCK * COVER_BLOCK / 4)) * (block / (double) (COVER_BLOCK * COVER_BLOCK / 4));
      }

  *mean = sum / (bw * bh);
  *structure = sqrt (MAX (0.0, sum2 / (bw * bh) - *mean * *mean));

  return TRUE;
}

/* Callbacks */

static void
on_frontal_detected_cb (EkFaceDetector  *detector,
                        EkFaceDetection *detection,
                        gpointer         user_data)
{
  EkProctorSignals *self = user_data;
  g_autoptr(EkVideoFrame) crop = NULL;

  /* No frontal face: is the head turned, or the seat empty? Only then is the
   * (dearer) profile cascade worth its time, and only around where the face
   * last was: a profile anywhere else would not count anyway. */
  if (ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL) == 0 &&
      self->profile != NULL &&
      (crop = crop_around_last_face (self, detection)) != NULL &&
      ek_face_detector_push_frame_at (self->profile, crop, ek_face_detection_get_time_us (detection)))
    {
      g_clear_pointer (&self->awaiting_profile, ek_face_detection_unref);
      self->awaiting_profile = ek_face_detection_ref (detection);
      return;
    }

  ek_proctor_signals_add_detection (self, detection);
}

static void
on_profile_detected_cb (EkFaceDetector  *detector,
                        EkFaceDetection *detection,
                        gpointer         user_data)
{
  EkProctorSignals *self = user_data;
  g_autoptr(EkFaceDetection) frontal = g_steal_pointer (&self->awaiting_profile);
  g_autoptr(EkFaceDetection) merged = NULL;
  g_autofree EkFaceBox *boxes = NULL;
  guint n = ek_face_detection_get_n_boxes (detection);

  if (frontal == NULL)
    return;

  /* The frontal search found nothing; keep its time, add the profiles (found
   * in the crop, so moved back into the frame). */
  boxes = g_new0 (EkFaceBox, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      boxes[i] = *ek_face_detection_get_box (detection, i);
      boxes[i].x += self->profile_x;
      boxes[i].y += self->profile_y;
    }
  merged = ek_face_detection_new (ek_face_detection_get_frame (frontal),
                                  ek_face_detection_get_time_us (frontal), boxes, n);
  ek_proctor_signals_add_detection (self, merged);
}

static void
on_snapshot_sent_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(EkProctorSignals) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ek_api_client_post_snapshot_finish (EK_API_CLIENT (source), result, NULL, &error))
    self->n_snapshots_sent++;
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Snapshot not sent: %s", error->message);
}

static void
on_snapshot_encoded_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(EkProctorSignals) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = ek_jpeg_encode_finish (result, &error);
  EkServerClock *clock;

  if (jpeg == NULL || self->api == NULL)
    {
      if (jpeg == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Snapshot not encoded: %s", error->message);
      return;
    }

  clock = ek_api_client_get_clock (self->api);
  ek_api_client_post_snapshot_async (self->api, "camera", jpeg,
                                     clock != NULL ? ek_server_clock_now_ms (clock) : g_get_real_time () / 1000,
                                     self->cancellable, on_snapshot_sent_cb, g_object_ref (self));
}

/* Snapshots go out through the same signal whether random or asked for. */
static void
snapshot_due (EkProctorSignals *self)
{
  g_signal_emit (self, signals[SNAPSHOT_DUE], 0);

  if (self->api != NULL && self->latest != NULL)
    ek_jpeg_encode_async (self->latest, self->cancellable, on_snapshot_encoded_cb, g_object_ref (self));
}

static void
on_recorder_face_frame_cb (EkRecorder       *recorder,
                           EkVideoFrame     *frame,
                           EkProctorSignals *self)
{
  ek_proctor_signals_push_frame (self, frame);
}

/* The verdict holds from now on; the levels are sampled on the monotonic
 * clock, so the change is too. */
static void
on_recorder_voice_activity_cb (EkRecorder       *recorder,
                               gboolean          active,
                               gint64            media_time_ns,
                               EkProctorSignals *self)
{
  ek_proctor_signals_push_voice_activity (self, active, g_get_monotonic_time ());
}

/* The recorder notifies its level only when it changes (a steady hum stays
 * quiet), so the detector samples it at the level's own 100 ms pace. */
static gboolean
on_level_tick_cb (gpointer user_data)
{
  EkProctorSignals *self = user_data;
  g_autoptr(GObject) recorder = g_signal_group_dup_target (self->recorder_signals);

  gint64 now = g_get_monotonic_time ();

  if (recorder != NULL && ek_recorder_get_state (EK_RECORDER (recorder)) == EK_RECORDER_STATE_RECORDING)
    {
      ek_proctor_signals_push_level (self, ek_recorder_get_level_db (EK_RECORDER (recorder)), now);
      ek_proctor_signals_check_camera_at (self, now);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
on_snapshot_timeout_cb (gpointer user_data)
{
  EkProctorSignals *self = user_data;

  self->snapshot_source = 0;
  snapshot_due (self);
  schedule_snapshot (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_snapshot (EkProctorSignals *self)
{
  double mean_s, delay_s;

  g_clear_handle_id (&self->snapshot_source, g_source_remove);
  if (!self->snapshots_enabled || self->stopped || self->policy.snapshots_per_hour <= 0)
    return;

  /* Exponential gaps (a Poisson process): the candidate cannot predict the next
   * one from the last. */
  mean_s = 3600.0 / self->policy.snapshots_per_hour;
  delay_s = -log (1.0 - g_rand_double (self->rand)) * mean_s;
  delay_s = CLAMP (delay_s, MIN_SNAPSHOT_S, 3 * mean_s);
  self->snapshot_source = g_timeout_add_seconds ((guint) delay_s, on_snapshot_timeout_cb, self);
}

/* Vfuncs */

static void
ek_proctor_signals_dispose (GObject *object)
{
  EkProctorSignals *self = EK_PROCTOR_SIGNALS (object);

  g_clear_handle_id (&self->snapshot_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->level_source, g_source_remove);
  if (self->recorder_signals != NULL)
    g_signal_group_set_target (self->recorder_signals, NULL);
  g_clear_object (&self->recorder_signals);
  g_clear_object (&self->tracker);
  g_clear_object (&self->api);
  g_clear_pointer (&self->latest, ek_video_frame_unref);
  g_clear_pointer (&self->one_face, ek_video_frame_unref);
  g_clear_object (&self->frontal);
  g_clear_object (&self->profile);
  g_clear_pointer (&self->awaiting_profile, ek_face_detection_unref);
  g_clear_pointer (&self->reference, ek_video_frame_unref);

  G_OBJECT_CLASS (ek_proctor_signals_parent_class)->dispose (object);
}

static void
ek_proctor_signals_finalize (GObject *object)
{
  EkProctorSignals *self = EK_PROCTOR_SIGNALS (object);

  g_rand_free (self->rand);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ek_proctor_signals_parent_class)->finalize (object);
}

static void
ek_proctor_signals_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  EkProctorSignals *self = EK_PROCTOR_SIGNALS (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_uint (value, ek_proctor_signals_get_active (self));
      break;

    case PROP_SIMILARITY:
      g_value_set_double (value, self->similarity);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_proctor_signals_class_init (EkProctorSignalsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_proctor_signals_dispose;
  object_class->finalize = ek_proctor_signals_finalize;
  object_class->get_property = ek_proctor_signals_get_property;

  /**
   * EkProctorSignals:active:
   *
   * The active signals, bit (1 << EkProctorSignal) each.
   */
  properties[PROP_ACTIVE] =
    g_param_spec_uint ("active", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkProctorSignals:similarity:
   *
   * The last resemblance score with the identity-check face, -1 before the first.
   */
  properties[PROP_SIMILARITY] =
    g_param_spec_double ("similarity", NULL, NULL,
                         -1.0, 1.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkProctorSignals::signal-started:
   * @signal: the EkProctorSignal
   * @start_us: monotonic time the condition began
   */
  signals[SIGNAL_STARTED] =
    g_signal_new ("signal-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, ek_proctor_signal_get_type (), G_TYPE_INT64);

  /**
   * EkProctorSignals::signal-ended:
   * @signal: the EkProctorSignal
   * @start_us: monotonic time the condition began
   * @end_us: monotonic time it went; the duration is the difference
   */
  signals[SIGNAL_ENDED] =
    g_signal_new ("signal-ended",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, ek_proctor_signal_get_type (), G_TYPE_INT64, G_TYPE_INT64);

  /**
   * EkProctorSignals::snapshot-due:
   *
   * Time for a snapshot for the proctor (random, or asked for by the server).
   */
  signals[SNAPSHOT_DUE] =
    g_signal_new ("snapshot-due",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ek_proctor_signals_init (EkProctorSignals *self)
{
  ek_proctoring_policy_init_defaults (&self->policy);
  self->similarity = -1.0;
  self->rand = g_rand_new ();
  self->cancellable = g_cancellable_new ();
}

/* Public API */

/**
 * ek_proctor_signals_new:
 * @policy: (nullable): the exam's thresholds, or %NULL for the defaults
 *
 * Returns: (transfer full) (nullable): the signals, or %NULL when face detection
 *   is not installed
 */
EkProctorSignals *
ek_proctor_signals_new (const EkProctoringPolicy  *policy,
                        GError                   **error)
{
  g_autoptr(EkProctorSignals) self = g_object_new (EK_TYPE_PROCTOR_SIGNALS, NULL);

  if (policy != NULL)
    self->policy = *policy;

  self->frontal = ek_face_detector_new_with_min_size (EK_FACE_CASCADE_FRONTAL,
                                                     EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX, error);
  if (self->frontal == NULL)
    return NULL;
  self->profile = ek_face_detector_new_with_min_size (EK_FACE_CASCADE_PROFILE,
                                                     EK_FACE_DETECTOR_MONITOR_MIN_FACE_PX, error);
  if (self->profile == NULL)
    return NULL;

  ek_face_detector_set_max_fps (self->frontal, self->policy.monitor_fps);
  /* the profile search follows the frontal one at once */
  ek_face_detector_set_max_fps (self->profile, 60.0);
  g_signal_connect_object (self->frontal, "detected", G_CALLBACK (on_frontal_detected_cb), self, 0);
  g_signal_connect_object (self->profile, "detected", G_CALLBACK (on_profile_detected_cb), self, 0);

  return g_steal_pointer (&self);
}

const EkProctoringPolicy *
ek_proctor_signals_get_policy (EkProctorSignals *self)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), NULL);

  return &self->policy;
}

/**
 * ek_proctor_signals_set_reference:
 * @frame: (nullable): the frame sent for the identity check
 *
 * The face the later frames are compared with; found with the frontal cascade
 * (synchronously: once, before the exam).
 */
void
ek_proctor_signals_set_reference (EkProctorSignals *self,
                                  EkVideoFrame     *frame)
{
  g_autoptr(EkFaceDetection) detection = NULL;
  const EkFaceBox *box;

  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  g_clear_pointer (&self->reference, ek_video_frame_unref);
  self->have_reference = FALSE;
  if (frame == NULL)
    return;

  detection = ek_face_detector_detect_sync (self->frontal, frame, NULL);
  if (detection == NULL || (box = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL)) == NULL)
    return;

  self->reference = ek_video_frame_ref (frame);
  self->reference_box = *box;
  self->have_reference = TRUE;
  self->last_similarity_us = 0;
}

void
ek_proctor_signals_set_reading_phase (EkProctorSignals *self,
                                      gboolean          reading)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  self->reading = !!reading;
  if (!self->reading)
    update_track (self, EK_PROCTOR_SIGNAL_VOICE, FALSE, g_get_monotonic_time ());
}

void
ek_proctor_signals_set_snapshots_enabled (EkProctorSignals *self,
                                          gboolean          enabled)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  if (self->snapshots_enabled == !!enabled)
    return;

  self->snapshots_enabled = !!enabled;
  schedule_snapshot (self);
}

/**
 * ek_proctor_signals_push_frame:
 * @frame: a face-monitor frame (EkRecorder::face-frame)
 */
void
ek_proctor_signals_push_frame (EkProctorSignals *self,
                               EkVideoFrame     *frame)
{
  ek_proctor_signals_push_frame_at (self, frame, g_get_monotonic_time ());
}

/**
 * ek_proctor_signals_push_frame_at:
 * @frame: a face-monitor frame
 * @time_us: its time: monotonic when live, media time for a clip played faster
 *   than real time (then levels and voice activity must use the same clock)
 *
 * Returns: whether the frame goes through the detectors (not dropped by the
 *   rate limit or because the previous one is still being searched); its result
 *   arrives on the main context and counts in ek_proctor_signals_get_n_frames()
 */
gboolean
ek_proctor_signals_push_frame_at (EkProctorSignals *self,
                                  EkVideoFrame     *frame,
                                  gint64            time_us)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (self->stopped)
    return FALSE;

  self->last_frame_us = time_us;
  if (self->latest != frame)
    {
      g_clear_pointer (&self->latest, ek_video_frame_unref);
      self->latest = ek_video_frame_ref (frame);
    }
  if (self->awaiting_profile != NULL)
    return FALSE;

  return ek_face_detector_push_frame_at (self->frontal, frame, time_us);
}

/**
 * ek_proctor_signals_push_voice_activity:
 * @voice: what the voice-activity detector (webrtcdsp) says now
 * @time_us: when (the clock of the levels)
 *
 * Voice is counted only while the detector says so and the level agrees: a
 * level alone cannot tell speech from music, a buzz or knocking.
 */
void
ek_proctor_signals_push_voice_activity (EkProctorSignals *self,
                                        gboolean          voice,
                                        gint64            time_us)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  self->vad_voice = !!voice;
  self->vad_us = time_us;
}

/**
 * ek_proctor_signals_push_level:
 * @level_db: the microphone's level, dBFS (EkRecorder:level-db)
 * @time_us: monotonic time of it
 */
void
ek_proctor_signals_push_level (EkProctorSignals *self,
                               double            level_db,
                               gint64            time_us)
{
  double floor_db = 0, recent_db, mean_db;
  gboolean speech, vad;

  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  /* A NaN or infinite level (the level element's last partial interval, a
   * broken driver) says nothing: it neither counts as voice nor as silence,
   * and never becomes the noise floor. */
  if (!isfinite (level_db))
    return;
  level_db = CLAMP (level_db, -100.0, 0.0);

  self->levels[self->level_pos] = level_db;
  self->level_pos = (self->level_pos + 1) % LEVEL_HISTORY;
  self->n_levels = MIN (self->n_levels + 1, LEVEL_HISTORY);

  floor_db = self->levels[0];
  for (guint i = 0; i < self->n_levels; i++)
    floor_db = MIN (floor_db, self->levels[i]);

  /* speech comes in syllables: the loudest level of the last half second is
   * the one held against the threshold, their mean against the floor (the
   * loudest of a steady noise's levels stands over its quietest too) */
  recent_db = level_db;
  mean_db = 0;
  for (guint age = 1; age <= MIN (self->n_levels, LEVEL_RECENT); age++)
    {
      double l = self->levels[(self->level_pos + LEVEL_HISTORY - age) % LEVEL_HISTORY];

      recent_db = MAX (recent_db, l);
      mean_db += l / MIN (self->n_levels, LEVEL_RECENT);
    }

  /* the voice detector reports changes only: its last answer stands until the next */
  vad = self->vad_us != 0 && self->vad_voice;
  speech = vad && recent_db > (double) self->policy.voice_level_db && recent_db > floor_db + VAD_OVER_FLOOR_DB &&
           mean_db > floor_db + VAD_MEAN_OVER_FLOOR_DB;

  update_track (self, EK_PROCTOR_SIGNAL_VOICE, self->reading && speech, time_us);
}

/**
 * ek_proctor_signals_check_camera_at:
 * @now_us: the time now, on the frames' clock
 *
 * Called while the recording runs (ten times a second when attached to a
 * recorder). A camera that sends no frames, whether it never sent one or
 * stopped, hides everything a face signal would show: after NO_FRAME_US without
 * a frame it counts as covered, never as "all is well".
 */
void
ek_proctor_signals_check_camera_at (EkProctorSignals *self,
                                    gint64            now_us)
{
  gint64 last;

  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  if (self->camera_since_us == 0 || now_us < self->camera_since_us)
    self->camera_since_us = now_us;
  last = MAX (self->last_frame_us, self->camera_since_us);
  if (now_us - last > NO_FRAME_US)
    update_track (self, EK_PROCTOR_SIGNAL_CAMERA_COVERED, TRUE, now_us);
}

/**
 * ek_proctor_signals_add_detection:
 * @detection: one analysed frame
 *
 * What the live path does with each detector result; tests feed crafted ones.
 */
void
ek_proctor_signals_add_detection (EkProctorSignals *self,
                                  EkFaceDetection  *detection)
{
  EkVideoFrame *frame;
  gint64 now;
  guint n_frontal;
  const EkFaceBox *box, *profile = NULL;
  guint width, height;
  gboolean too_small = FALSE, covered;

  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));
  g_return_if_fail (detection != NULL);

  frame = ek_face_detection_get_frame (detection);
  now = ek_face_detection_get_time_us (detection);
  width = ek_video_frame_get_width (frame);
  height = ek_video_frame_get_height (frame);
  n_frontal = ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL);
  box = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);
  self->n_frames++;
  self->last_frame_us = MAX (self->last_frame_us, now);

  /* Another frame size (another camera, a changed mode): where the face was
   * means nothing in the new picture. */
  if (width != self->last_width || height != self->last_height)
    {
      self->last_width = width;
      self->last_height = height;
      self->last_face_us = 0;
    }
  if (self->last_face_us != 0 && (now < self->last_face_us || now - self->last_face_us > LAST_FACE_MAX_AGE_US))
    self->last_face_us = 0;

  covered = ek_frame_looks_covered (frame);
  if (box != NULL)
    {
      self->last_face = *box;
      self->last_face_us = now;
    }
  else if ((profile = find_turned_head (self, detection)) != NULL)
    {
      self->last_face = *profile;
      self->last_face_us = now;
    }

  if (n_frontal == 1 && box != NULL)
    {
      too_small = box->height * 100 < self->policy.min_face_height_pct * (gint64) height;
      if (!too_small)
        {
          measure_similarity (self, detection, box, now);
          g_clear_pointer (&self->one_face, ek_video_frame_unref);
          self->one_face = ek_video_frame_ref (frame);
          self->one_face_us = now;
        }
    }

  /* A covered lens is its own signal; it is not also an empty seat. A dark frame says
   * nothing about the seat either way: it neither starts an absence nor ends one that
   * runs (a dark, plain scene flickering in and out of "covered" would otherwise cut
   * one absence into several). */
  update_track (self, EK_PROCTOR_SIGNAL_CAMERA_COVERED, covered && n_frontal == 0, now);
  if (!covered)
    update_track (self, EK_PROCTOR_SIGNAL_FACE_ABSENT, n_frontal == 0 && profile == NULL, now);
  /* A second face must recur where it is (a picture or a pattern in the room
   * fools the cascade in some frames, never steadily); the signal is
   * back-dated to its first frame. */
  update_track_raw (self, EK_PROCTOR_SIGNAL_MULTIPLE_FACES,
                    count_faces (detection, TRUE) >= 2, count_faces (detection, FALSE) >= 2, now);
  update_track (self, EK_PROCTOR_SIGNAL_FACE_NOT_VISIBLE,
                (n_frontal == 1 && too_small) || (n_frontal == 0 && profile != NULL), now);
}

void
ek_proctor_signals_request_snapshot (EkProctorSignals *self)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  snapshot_due (self);
}

/**
 * ek_proctor_signals_attach_recorder:
 * @recorder: (nullable): the exam's recorder
 */
void
ek_proctor_signals_attach_recorder (EkProctorSignals *self,
                                    EkRecorder       *recorder)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));
  g_return_if_fail (recorder == NULL || EK_IS_RECORDER (recorder));

  if (self->recorder_signals == NULL)
    {
      self->recorder_signals = g_signal_group_new (EK_TYPE_RECORDER);
      g_signal_group_connect_object (self->recorder_signals, "face-frame",
                                     G_CALLBACK (on_recorder_face_frame_cb), self, 0);
      g_signal_group_connect_object (self->recorder_signals, "voice-activity",
                                     G_CALLBACK (on_recorder_voice_activity_cb), self, 0);
    }
  g_signal_group_set_target (self->recorder_signals, recorder);

  g_clear_handle_id (&self->level_source, g_source_remove);
  if (recorder != NULL)
    self->level_source = g_timeout_add (100, on_level_tick_cb, self);
}

/**
 * ek_proctor_signals_set_violation_tracker:
 * @tracker: (nullable): where signals count as violations of their type
 */
void
ek_proctor_signals_set_violation_tracker (EkProctorSignals   *self,
                                          EkViolationTracker *tracker)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  g_set_object (&self->tracker, tracker);
}

/**
 * ek_proctor_signals_set_uploader:
 * @api: (nullable): the session's API client; due snapshots of the newest camera
 *   frame go to POST /v1/session/snapshots
 */
void
ek_proctor_signals_set_uploader (EkProctorSignals *self,
                                 EkApiClient      *api)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  g_set_object (&self->api, api);
}

guint
ek_proctor_signals_get_n_snapshots_sent (EkProctorSignals *self)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), 0);

  return self->n_snapshots_sent;
}

void
ek_proctor_signals_stop (EkProctorSignals *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  ek_proctor_signals_stop_at (self, now);
}

/**
 * ek_proctor_signals_stop_at:
 * @time_us: the end of the exam, in the time of the frames and levels
 */
void
ek_proctor_signals_stop_at (EkProctorSignals *self,
                            gint64            time_us)
{
  g_return_if_fail (EK_IS_PROCTOR_SIGNALS (self));

  for (guint i = 0; i < EK_N_PROCTOR_SIGNALS; i++)
    end_track (self, i, time_us);
  self->stopped = TRUE;
  g_clear_handle_id (&self->snapshot_source, g_source_remove);
}

guint
ek_proctor_signals_get_active (EkProctorSignals *self)
{
  guint active = 0;

  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), 0);

  for (guint i = 0; i < EK_N_PROCTOR_SIGNALS; i++)
    if (self->tracks[i].active)
      active |= 1u << i;

  return active;
}

gboolean
ek_proctor_signals_is_active (EkProctorSignals *self,
                              EkProctorSignal   signal)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), FALSE);
  g_return_val_if_fail (signal < EK_N_PROCTOR_SIGNALS, FALSE);

  return self->tracks[signal].active;
}

double
ek_proctor_signals_get_similarity (EkProctorSignals *self)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), -1.0);

  return self->similarity;
}

/**
 * ek_proctor_signals_dup_face_frame:
 * @max_age_us: how old the frame may be (by its detection time)
 * @now_us: the time to measure the age against (monotonic)
 *
 * The newest analysed frame with exactly one frontal face large enough, for the
 * live identity re-check.
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL if none is that recent
 */
EkVideoFrame *
ek_proctor_signals_dup_face_frame (EkProctorSignals *self,
                                   gint64            max_age_us,
                                   gint64            now_us)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), NULL);

  if (self->one_face == NULL || now_us - self->one_face_us > max_age_us)
    return NULL;

  return ek_video_frame_ref (self->one_face);
}

guint64
ek_proctor_signals_get_n_frames (EkProctorSignals *self)
{
  g_return_val_if_fail (EK_IS_PROCTOR_SIGNALS (self), 0);

  return self->n_frames;
}
