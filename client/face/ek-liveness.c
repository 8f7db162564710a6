/* ek-liveness.c: a short head-turn challenge, so that a photo held still does not pass */

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "ek-liveness.h"

/* The face area is compared at this size: small enough to ignore sensor noise
 * structure, large enough to see a head turn. */
#define CROP_SIZE          64
#define MIN_TURN_DIFF      3.0
/* Below this, two whole frames (at 64x48) are the same picture. */
#define STILL_DIFF         0.5

struct _EkLiveness
{
  GObject              parent_instance;

  EkLivenessDirection  direction;
  guint                timeout_ms;
  EkLivenessState      state;
  EkLivenessFailure    failure;

  gint64               started_us;     /* time of the first detection, 0 before */
  EkFaceBox            baseline;       /* the frontal face of step 1 */
  EkGreyImage         *baseline_crop;  /* owned */
  EkGreyImage         *previous;       /* owned: the last whole frame, small */
  guint                n_still;
};

enum {
  PROP_0,
  PROP_DIRECTION,
  PROP_TIMEOUT_MS,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkLiveness, ek_liveness, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (EkLivenessState, ek_liveness_state,
                    G_DEFINE_ENUM_VALUE (EK_LIVENESS_WAITING_FRONTAL, "waiting-frontal"),
                    G_DEFINE_ENUM_VALUE (EK_LIVENESS_WAITING_TURN, "waiting-turn"),
                    G_DEFINE_ENUM_VALUE (EK_LIVENESS_WAITING_RETURN, "waiting-return"),
                    G_DEFINE_ENUM_VALUE (EK_LIVENESS_PASSED, "passed"),
                    G_DEFINE_ENUM_VALUE (EK_LIVENESS_FAILED, "failed"))

/* Helpers */

static void
set_state (EkLiveness      *self,
           EkLivenessState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static EkGreyImage *
crop_of (EkFaceDetection *detection,
         const EkFaceBox *box)
{
  g_autoptr(EkGreyImage) grey = ek_grey_image_new_from_frame (ek_face_detection_get_frame (detection));

  return ek_grey_image_crop_scaled (grey, box->x, box->y, box->width, box->height, CROP_SIZE, CROP_SIZE);
}

static gboolean
near_baseline (EkLiveness      *self,
               const EkFaceBox *box)
{
  double bx = self->baseline.x + self->baseline.width / 2.0;
  double cx = box->x + box->width / 2.0;
  double ratio = (double) box->height / self->baseline.height;

  return fabs (cx - bx) <= self->baseline.width && ratio >= 0.5 && ratio <= 2.0;
}

/* Vfuncs */

static void
ek_liveness_finalize (GObject *object)
{
  EkLiveness *self = EK_LIVENESS (object);

  g_clear_pointer (&self->baseline_crop, ek_grey_image_free);
  g_clear_pointer (&self->previous, ek_grey_image_free);

  G_OBJECT_CLASS (ek_liveness_parent_class)->finalize (object);
}

static void
ek_liveness_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkLiveness *self = EK_LIVENESS (object);

  switch (prop_id)
    {
    case PROP_DIRECTION:
      g_value_set_int (value, self->direction);
      break;

    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->timeout_ms);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_liveness_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkLiveness *self = EK_LIVENESS (object);

  switch (prop_id)
    {
    case PROP_DIRECTION:
      self->direction = g_value_get_int (value);
      break;

    case PROP_TIMEOUT_MS:
      self->timeout_ms = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_liveness_class_init (EkLivenessClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_liveness_finalize;
  object_class->get_property = ek_liveness_get_property;
  object_class->set_property = ek_liveness_set_property;

  properties[PROP_DIRECTION] =
    g_param_spec_int ("direction", NULL, NULL,
                      EK_LIVENESS_TURN_LEFT, EK_LIVENESS_TURN_RIGHT, EK_LIVENESS_TURN_LEFT,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL,
                       1000, 120000, EK_LIVENESS_DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       ek_liveness_state_get_type (), EK_LIVENESS_WAITING_FRONTAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_liveness_init (EkLiveness *self)
{
  self->state = EK_LIVENESS_WAITING_FRONTAL;
  self->timeout_ms = EK_LIVENESS_DEFAULT_TIMEOUT_MS;
}

/* Public API */

/**
 * ek_liveness_new:
 * @direction: which way the candidate is asked to turn
 * @timeout_ms: how long the whole challenge may take
 */
EkLiveness *
ek_liveness_new (EkLivenessDirection direction,
                 guint               timeout_ms)
{
  return g_object_new (EK_TYPE_LIVENESS,
                       "direction", (int) direction,
                       "timeout-ms", timeout_ms,
                       NULL);
}

EkLivenessDirection
ek_liveness_get_direction (EkLiveness *self)
{
  g_return_val_if_fail (EK_IS_LIVENESS (self), EK_LIVENESS_TURN_LEFT);

  return self->direction;
}

EkLivenessState
ek_liveness_get_state (EkLiveness *self)
{
  g_return_val_if_fail (EK_IS_LIVENESS (self), EK_LIVENESS_FAILED);

  return self->state;
}

EkLivenessFailure
ek_liveness_get_failure (EkLiveness *self)
{
  g_return_val_if_fail (EK_IS_LIVENESS (self), EK_LIVENESS_FAILURE_NONE);

  return self->failure;
}

EkFaceView
ek_liveness_expected_view (EkLivenessDirection direction)
{
  /* The camera sees the candidate face to face: the candidate's left is the
   * picture's right. */
  return direction == EK_LIVENESS_TURN_LEFT ? EK_FACE_VIEW_PROFILE_FACING_RIGHT
                                            : EK_FACE_VIEW_PROFILE_FACING_LEFT;
}

/**
 * ek_liveness_add:
 * @detection: the next searched frame (frontal and profile cascades)
 *
 * Returns: the state after it
 */
EkLivenessState
ek_liveness_add (EkLiveness      *self,
                 EkFaceDetection *detection)
{
  g_autoptr(EkGreyImage) grey = NULL;
  g_autoptr(EkGreyImage) small = NULL;
  gint64 now;
  const EkFaceBox *frontal;

  g_return_val_if_fail (EK_IS_LIVENESS (self), EK_LIVENESS_FAILED);
  g_return_val_if_fail (detection != NULL, EK_LIVENESS_FAILED);

  if (self->state == EK_LIVENESS_PASSED || self->state == EK_LIVENESS_FAILED)
    return self->state;

  now = ek_face_detection_get_time_us (detection);
  if (self->started_us == 0)
    self->started_us = now;
  if (now - self->started_us > (gint64) self->timeout_ms * 1000)
    {
      self->failure = EK_LIVENESS_FAILURE_TIMEOUT;
      set_state (self, EK_LIVENESS_FAILED);
      return self->state;
    }

  /* A camera never delivers the same picture twice; a still image does. */
  grey = ek_grey_image_new_from_frame (ek_face_detection_get_frame (detection));
  small = ek_grey_image_crop_scaled (grey, 0, 0, grey->width, grey->height, 64, 48);
  if (self->previous != NULL && ek_grey_image_mean_abs_diff (self->previous, small) < STILL_DIFF)
    self->n_still++;
  else
    self->n_still = 0;
  g_clear_pointer (&self->previous, ek_grey_image_free);
  self->previous = g_steal_pointer (&small);
  if (self->n_still + 1 >= EK_LIVENESS_STILL_FRAMES)
    {
      self->failure = EK_LIVENESS_FAILURE_STILL_PICTURE;
      set_state (self, EK_LIVENESS_FAILED);
      return self->state;
    }

  frontal = ek_face_detection_get_largest (detection, EK_FACE_VIEW_FRONTAL);

  switch (self->state)
    {
    case EK_LIVENESS_WAITING_FRONTAL:
      if (frontal != NULL && ek_face_detection_count_view (detection, EK_FACE_VIEW_FRONTAL) == 1)
        {
          self->baseline = *frontal;
          g_clear_pointer (&self->baseline_crop, ek_grey_image_free);
          self->baseline_crop = ek_grey_image_crop_scaled (grey, frontal->x, frontal->y,
                                                           frontal->width, frontal->height,
                                                           CROP_SIZE, CROP_SIZE);
          set_state (self, EK_LIVENESS_WAITING_TURN);
        }
      break;

    case EK_LIVENESS_WAITING_TURN:
      {
        EkFaceView view = ek_liveness_expected_view (self->direction);
        const EkFaceBox *profile = ek_face_detection_get_largest (detection, view);

        if (profile != NULL && near_baseline (self, profile))
          {
            g_autoptr(EkGreyImage) crop = crop_of (detection, &self->baseline);

            if (crop != NULL && self->baseline_crop != NULL &&
                ek_grey_image_mean_abs_diff (crop, self->baseline_crop) >= MIN_TURN_DIFF)
              set_state (self, EK_LIVENESS_WAITING_RETURN);
          }
      }
      break;

    case EK_LIVENESS_WAITING_RETURN:
      if (frontal != NULL && near_baseline (self, frontal))
        set_state (self, EK_LIVENESS_PASSED);
      break;

    case EK_LIVENESS_PASSED:
    case EK_LIVENESS_FAILED:
    default:
      break;
    }

  return self->state;
}

/**
 * ek_liveness_get_instruction:
 *
 * Returns: what to tell the candidate now
 */
const char *
ek_liveness_get_instruction (EkLiveness *self)
{
  g_return_val_if_fail (EK_IS_LIVENESS (self), NULL);

  switch (self->state)
    {
    case EK_LIVENESS_WAITING_FRONTAL:
      return _("Look straight at the camera.");
    case EK_LIVENESS_WAITING_TURN:
      return self->direction == EK_LIVENESS_TURN_LEFT
             ? _("Slowly turn your head to the left.")
             : _("Slowly turn your head to the right.");
    case EK_LIVENESS_WAITING_RETURN:
      return _("Now look at the camera again.");
    case EK_LIVENESS_PASSED:
      return _("Thank you.");
    case EK_LIVENESS_FAILED:
    default:
      return self->failure == EK_LIVENESS_FAILURE_STILL_PICTURE
             ? _("The camera picture does not change. Use a real camera, not a picture or a video.")
             : _("We could not see your head turn. Let us try again.");
    }
}
