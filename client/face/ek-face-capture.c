/* ek-face-capture.c: the guided identity capture, for the face check and face login */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-face-capture.h"
#include "ek-jpeg.h"

/* The frontal detector guides at this rate; the challenge needs more frames to
 * catch the moment the head is turned. */
#define GUIDE_FPS      4.0
#define LIVENESS_FPS   6.0

struct _EkFaceCapture
{
  GObject                parent_instance;

  EkApiClient           *api;            /* owned */
  EkFaceCaptureMode      mode;
  char                  *exam_id;
  char                  *id_number;      /* personal: never logged */
  gboolean               external_send;  /* login: ::send-photo, then login_done() */
  gboolean               direction_set;
  EkLivenessDirection    direction;

  EkFaceDetector        *frontal;        /* owned */
  EkFaceDetector        *profile;        /* owned */
  EkLiveness            *liveness;       /* owned, nullable */
  GCancellable          *cancellable;    /* owned: the send in flight */

  EkFaceCaptureState     state;
  char                  *guidance;
  EkFaceQualityProblems  problems;
  guint                  good_in_row;
  double                 best_sharpness;
  EkVideoFrame          *chosen;         /* owned, nullable */
  EkFaceDetection       *last_detection; /* owned, nullable */
  guint                  failures;
  char                  *reason;
  GError                *error;
  EkSessionInfo         *session_info;   /* owned, nullable: face login's answer */
};

enum {
  PROP_0,
  PROP_API,
  PROP_MODE,
  PROP_STATE,
  PROP_GUIDANCE,
  PROP_PROBLEMS,
  PROP_FAILURES,
  N_PROPS
};

enum {
  DETECTED,
  SEND_PHOTO,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkFaceCapture, ek_face_capture, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (EkFaceCaptureState, ek_face_capture_state,
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_GUIDING, "guiding"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_LIVENESS, "liveness"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_SENDING, "sending"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_MATCHED, "matched"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_NOT_MATCHED, "not-matched"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_LOCKED_OUT, "locked-out"),
                    G_DEFINE_ENUM_VALUE (EK_FACE_CAPTURE_FAILED, "failed"))

/* Helpers */

static void
set_guidance (EkFaceCapture *self,
              const char    *guidance)
{
  if (g_strcmp0 (self->guidance, guidance) == 0)
    return;

  g_free (self->guidance);
  self->guidance = g_strdup (guidance);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GUIDANCE]);
}

static void
set_problems (EkFaceCapture         *self,
              EkFaceQualityProblems  problems)
{
  if (self->problems == problems)
    return;

  self->problems = problems;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEMS]);
}

static void
set_state (EkFaceCapture      *self,
           EkFaceCaptureState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static const char *
reason_text (const char *reason)
{
  if (g_strcmp0 (reason, "no_face") == 0)
    return _("The server could not find a face in the picture.");
  if (g_strcmp0 (reason, "poor_quality") == 0)
    return _("The picture was not clear enough for the comparison.");
  if (g_strcmp0 (reason, "no_registered_photo") == 0)
    return _("There is no registered photo to compare with. Please call the help line.");
  return _("The picture does not match your registered photo.");
}

/* A face login refused without a reason: the server does not say whether the ID
 * number or the face was wrong. */
static const char *
login_reason_text (const char *reason)
{
  if (reason == NULL)
    return _("No candidate of this exam has this ID number and this face. Check your ID number and try again.");
  return reason_text (reason);
}

static void
begin_guiding (EkFaceCapture *self)
{
  self->good_in_row = 0;
  self->best_sharpness = 0;
  g_clear_pointer (&self->chosen, ek_video_frame_unref);
  g_clear_object (&self->liveness);
  set_problems (self, EK_FACE_QUALITY_OK);
  set_guidance (self, _("Look straight at the camera."));
  set_state (self, EK_FACE_CAPTURE_GUIDING);
}

static void
begin_liveness (EkFaceCapture *self)
{
  EkLivenessDirection direction = self->direction_set ? self->direction
                                                       : (g_random_boolean () ? EK_LIVENESS_TURN_LEFT
                                                                              : EK_LIVENESS_TURN_RIGHT);

  g_clear_object (&self->liveness);
  self->liveness = ek_liveness_new (direction, EK_LIVENESS_DEFAULT_TIMEOUT_MS);
  set_guidance (self, ek_liveness_get_instruction (self->liveness));
  set_state (self, EK_FACE_CAPTURE_LIVENESS);
}

static void
fail_with (EkFaceCapture *self,
           GError        *error)
{
  g_clear_error (&self->error);
  self->error = error;
  set_guidance (self, error->message);
  set_state (self, EK_FACE_CAPTURE_FAILED);
}

static void
refused (EkFaceCapture *self,
         const char    *reason,
         gint64         attempts_left)
{
  g_free (self->reason);
  self->reason = g_strdup (reason);
  self->failures++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURES]);

  if (self->failures >= EK_FACE_CAPTURE_MAX_FAILURES || attempts_left == 0)
    {
      set_guidance (self, _("Your identity could not be confirmed."));
      set_state (self, EK_FACE_CAPTURE_LOCKED_OUT);
    }
  else
    {
      set_guidance (self, self->mode == EK_FACE_CAPTURE_MODE_LOGIN ? login_reason_text (reason)
                                                                   : reason_text (reason));
      set_state (self, EK_FACE_CAPTURE_NOT_MATCHED);
    }
}

static void
on_face_checked_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(EkFaceCapture) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  gboolean match = FALSE;
  gint64 attempts_left = -1;

  if (!ek_api_client_face_check_finish (EK_API_CLIENT (source), result, &match, NULL, &reason,
                                        &attempts_left, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_RATE_LIMITED))
        {
          self->failures = MAX (self->failures, EK_FACE_CAPTURE_MAX_FAILURES - 1);
          refused (self, NULL, 0);
          return;
        }
      fail_with (self, g_steal_pointer (&error));
      return;
    }

  if (match)
    {
      set_guidance (self, _("Thank you. Your identity is confirmed."));
      set_state (self, EK_FACE_CAPTURE_MATCHED);
    }
  else
    refused (self, reason, attempts_left);
}

/* The end of a face login, sent here or by the engine. Takes @error. */
static void
login_answered (EkFaceCapture *self,
                EkSessionInfo *info,
                GError        *error)
{
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_error_free (error);
          return;
        }
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_WRONG_CREDENTIALS))
        {
          /* The reason, when the server gives one; else the ID number may be wrong. */
          refused (self, ek_api_error_get_reason (error), -1);
          g_error_free (error);
          return;
        }
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_RATE_LIMITED))
        {
          self->failures = MAX (self->failures, EK_FACE_CAPTURE_MAX_FAILURES - 1);
          refused (self, NULL, 0);
          g_error_free (error);
          return;
        }
      fail_with (self, error);
      return;
    }

  g_set_object (&self->session_info, info);
  set_guidance (self, _("Thank you. You are logged in."));
  set_state (self, EK_FACE_CAPTURE_MATCHED);
}

static void
on_face_login_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkFaceCapture) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(EkSessionInfo) info = NULL;

  info = ek_api_client_face_login_finish (EK_API_CLIENT (source), result, &error);
  login_answered (self, info, g_steal_pointer (&error));
}

static void
on_jpeg_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(EkFaceCapture) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = ek_jpeg_encode_finish (result, &error);
  EkServerClock *clock;
  gint64 capture_ms;

  if (jpeg == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail_with (self, g_steal_pointer (&error));
      return;
    }
  if (self->state != EK_FACE_CAPTURE_SENDING)
    return;

  clock = ek_api_client_get_clock (self->api);
  capture_ms = clock != NULL ? ek_server_clock_now_ms (clock) : g_get_real_time () / 1000;

  if (self->mode == EK_FACE_CAPTURE_MODE_LOGIN && self->external_send)
    g_signal_emit (self, signals[SEND_PHOTO], 0, jpeg, capture_ms);
  else if (self->mode == EK_FACE_CAPTURE_MODE_LOGIN)
    ek_api_client_face_login_async (self->api, self->exam_id, self->id_number, jpeg, capture_ms,
                                    self->cancellable, on_face_login_cb, g_object_ref (self));
  else
    ek_api_client_face_check_async (self->api, jpeg, capture_ms,
                                    self->cancellable, on_face_checked_cb, g_object_ref (self));
}

static void
send_chosen (EkFaceCapture *self)
{
  if (self->mode == EK_FACE_CAPTURE_MODE_PRACTICE)
    {
      set_guidance (self, _("Well done. In the real exam this picture is now compared with your registered photo."));
      set_state (self, EK_FACE_CAPTURE_MATCHED);
      return;
    }

  set_guidance (self, _("Checking your picture…"));
  set_state (self, EK_FACE_CAPTURE_SENDING);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ek_jpeg_encode_async (self->chosen, self->cancellable, on_jpeg_ready_cb, g_object_ref (self));
}

static void
on_frontal_detected_cb (EkFaceDetector  *detector,
                        EkFaceDetection *detection,
                        gpointer         user_data)
{
  EkFaceCapture *self = user_data;
  g_autoptr(EkGreyImage) grey = NULL;
  EkFaceQualityMeasures measures;
  EkFaceQualityProblems problems;

  g_clear_pointer (&self->last_detection, ek_face_detection_unref);
  self->last_detection = ek_face_detection_ref (detection);
  g_signal_emit (self, signals[DETECTED], 0, detection);

  if (self->state != EK_FACE_CAPTURE_GUIDING)
    return;

  grey = ek_grey_image_new_from_frame (ek_face_detection_get_frame (detection));
  problems = ek_face_quality_check (grey, detection, NULL, &measures);
  set_problems (self, problems);

  if (problems != EK_FACE_QUALITY_OK)
    {
      self->good_in_row = 0;
      set_guidance (self, ek_face_quality_guidance (problems));
      return;
    }

  if (self->chosen == NULL || measures.sharpness > self->best_sharpness)
    {
      g_clear_pointer (&self->chosen, ek_video_frame_unref);
      self->chosen = ek_video_frame_ref (ek_face_detection_get_frame (detection));
      self->best_sharpness = measures.sharpness;
    }

  set_guidance (self, _("Good. Hold still."));
  if (++self->good_in_row >= EK_FACE_CAPTURE_GOOD_FRAMES)
    begin_liveness (self);
}

static void
on_profile_detected_cb (EkFaceDetector  *detector,
                        EkFaceDetection *detection,
                        gpointer         user_data)
{
  EkFaceCapture *self = user_data;
  EkLivenessState state;

  g_clear_pointer (&self->last_detection, ek_face_detection_unref);
  self->last_detection = ek_face_detection_ref (detection);
  g_signal_emit (self, signals[DETECTED], 0, detection);

  if (self->state != EK_FACE_CAPTURE_LIVENESS || self->liveness == NULL)
    return;

  state = ek_liveness_add (self->liveness, detection);
  set_guidance (self, ek_liveness_get_instruction (self->liveness));

  if (state == EK_LIVENESS_PASSED)
    {
      g_autoptr(EkGreyImage) grey = ek_grey_image_new_from_frame (ek_face_detection_get_frame (detection));

      /* The frame that ended the challenge shows the same person now; send it
       * if it is good enough, else the one chosen before. */
      if (ek_face_quality_check (grey, detection, NULL, NULL) == EK_FACE_QUALITY_OK)
        {
          g_clear_pointer (&self->chosen, ek_video_frame_unref);
          self->chosen = ek_video_frame_ref (ek_face_detection_get_frame (detection));
        }
      send_chosen (self);
    }
  else if (state == EK_LIVENESS_FAILED)
    {
      g_autofree char *message = g_strdup (ek_liveness_get_instruction (self->liveness));

      begin_guiding (self);
      set_guidance (self, message);
    }
}

static void
on_detector_failed_cb (EkFaceDetector *detector,
                       const GError   *error,
                       gpointer        user_data)
{
  EkFaceCapture *self = user_data;

  fail_with (self, g_error_copy (error));
}

/* Vfuncs */

static void
ek_face_capture_dispose (GObject *object)
{
  EkFaceCapture *self = EK_FACE_CAPTURE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->frontal);
  g_clear_object (&self->profile);
  g_clear_object (&self->liveness);
  g_clear_object (&self->api);
  g_clear_object (&self->session_info);
  g_clear_pointer (&self->chosen, ek_video_frame_unref);
  g_clear_pointer (&self->last_detection, ek_face_detection_unref);

  G_OBJECT_CLASS (ek_face_capture_parent_class)->dispose (object);
}

static void
ek_face_capture_finalize (GObject *object)
{
  EkFaceCapture *self = EK_FACE_CAPTURE (object);

  g_free (self->exam_id);
  g_free (self->id_number);
  g_free (self->guidance);
  g_free (self->reason);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ek_face_capture_parent_class)->finalize (object);
}

static void
ek_face_capture_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkFaceCapture *self = EK_FACE_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_MODE:
      g_value_set_int (value, self->mode);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_GUIDANCE:
      g_value_set_string (value, self->guidance);
      break;

    case PROP_PROBLEMS:
      g_value_set_uint (value, self->problems);
      break;

    case PROP_FAILURES:
      g_value_set_uint (value, self->failures);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_face_capture_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  EkFaceCapture *self = EK_FACE_CAPTURE (object);

  switch (prop_id)
    {
    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    case PROP_MODE:
      self->mode = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_face_capture_class_init (EkFaceCaptureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_face_capture_dispose;
  object_class->finalize = ek_face_capture_finalize;
  object_class->get_property = ek_face_capture_get_property;
  object_class->set_property = ek_face_capture_set_property;

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL,
                         EK_TYPE_API_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL,
                      EK_FACE_CAPTURE_MODE_CHECK, EK_FACE_CAPTURE_MODE_PRACTICE, EK_FACE_CAPTURE_MODE_CHECK,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       ek_face_capture_state_get_type (), EK_FACE_CAPTURE_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkFaceCapture:guidance:
   *
   * The one instruction or result to show the candidate now, translated.
   */
  properties[PROP_GUIDANCE] =
    g_param_spec_string ("guidance", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_PROBLEMS] =
    g_param_spec_uint ("problems", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_FAILURES] =
    g_param_spec_uint ("failures", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkFaceCapture::detected:
   * @detection: the latest searched frame, for drawing the face box
   */
  signals[DETECTED] =
    g_signal_new ("detected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_FACE_DETECTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkFaceCapture::send-photo:
   * @jpeg: the chosen picture
   * @capture_ms: when it was taken, server time
   *
   * Face login with ek_face_capture_set_external_send(): the handler logs in
   * (ek_engine_login_face_async()) and reports with ek_face_capture_login_done().
   */
  signals[SEND_PHOTO] =
    g_signal_new ("send-photo",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BYTES, G_TYPE_INT64);
}

static void
ek_face_capture_init (EkFaceCapture *self)
{
  self->state = EK_FACE_CAPTURE_IDLE;
}

/* Public API */

EkFaceCapture *
ek_face_capture_new (EkApiClient       *api,
                     EkFaceCaptureMode  mode)
{
  g_return_val_if_fail (EK_IS_API_CLIENT (api), NULL);

  return g_object_new (EK_TYPE_FACE_CAPTURE, "api", api, "mode", (int) mode, NULL);
}

/**
 * ek_face_capture_set_login:
 *
 * For %EK_FACE_CAPTURE_MODE_LOGIN: whom to log in. The ID number is kept in
 * memory only.
 */
void
ek_face_capture_set_login (EkFaceCapture *self,
                           const char    *exam_id,
                           const char    *id_number)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));

  g_free (self->exam_id);
  self->exam_id = g_strdup (exam_id);
  g_free (self->id_number);
  self->id_number = g_strdup (id_number);
}

/**
 * ek_face_capture_set_external_send:
 *
 * Face login only: the chosen picture goes to ::send-photo instead of the API
 * client, so that the engine logs in with it (token kept, session loaded); the
 * answer comes back through ek_face_capture_login_done().
 */
void
ek_face_capture_set_external_send (EkFaceCapture *self,
                                   gboolean       external)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));
  self->external_send = external;
}

/**
 * ek_face_capture_login_done:
 * @error: (nullable): why the login failed; %NULL when logged in
 *
 * The answer to ::send-photo. A refusal counts towards the three attempts and
 * says why (ek_api_error_get_reason()); other errors allow another try.
 */
void
ek_face_capture_login_done (EkFaceCapture *self,
                            const GError  *error)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));

  if (self->state != EK_FACE_CAPTURE_SENDING)
    return;
  login_answered (self, NULL, error != NULL ? g_error_copy (error) : NULL);
}

/* Tests fix the direction; otherwise it is random, so that a prepared video
 * cannot know it. */
void
ek_face_capture_set_direction (EkFaceCapture       *self,
                               EkLivenessDirection  direction)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));

  self->direction_set = TRUE;
  self->direction = direction;
}

/**
 * ek_face_capture_start:
 *
 * Starts the detectors and the guidance. Fails (with a translated message) when
 * face detection is not installed.
 */
gboolean
ek_face_capture_start (EkFaceCapture  *self,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), FALSE);
  g_return_val_if_fail (self->mode != EK_FACE_CAPTURE_MODE_LOGIN ||
                        (self->exam_id != NULL && self->id_number != NULL), FALSE);

  if (self->frontal == NULL)
    {
      self->frontal = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL, &local_error);
      if (self->frontal == NULL)
        {
          fail_with (self, g_error_copy (local_error));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      ek_face_detector_set_max_fps (self->frontal, GUIDE_FPS);
      g_signal_connect_object (self->frontal, "detected", G_CALLBACK (on_frontal_detected_cb), self, 0);
      g_signal_connect_object (self->frontal, "failed", G_CALLBACK (on_detector_failed_cb), self, 0);
    }
  if (self->profile == NULL)
    {
      self->profile = ek_face_detector_new (EK_FACE_CASCADE_FRONTAL | EK_FACE_CASCADE_PROFILE, &local_error);
      if (self->profile == NULL)
        {
          fail_with (self, g_error_copy (local_error));
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      ek_face_detector_set_max_fps (self->profile, LIVENESS_FPS);
      g_signal_connect_object (self->profile, "detected", G_CALLBACK (on_profile_detected_cb), self, 0);
      g_signal_connect_object (self->profile, "failed", G_CALLBACK (on_detector_failed_cb), self, 0);
    }

  g_clear_error (&self->error);
  begin_guiding (self);
  return TRUE;
}

/**
 * ek_face_capture_retry:
 *
 * After a refusal or an error: guides again. Does nothing once locked out.
 */
void
ek_face_capture_retry (EkFaceCapture *self)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));

  if (self->state != EK_FACE_CAPTURE_NOT_MATCHED && self->state != EK_FACE_CAPTURE_FAILED)
    return;
  if (self->frontal == NULL || self->profile == NULL)
    {
      ek_face_capture_start (self, NULL);
      return;
    }

  g_clear_error (&self->error);
  begin_guiding (self);
}

void
ek_face_capture_stop (EkFaceCapture *self)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->state == EK_FACE_CAPTURE_GUIDING || self->state == EK_FACE_CAPTURE_LIVENESS ||
      self->state == EK_FACE_CAPTURE_SENDING)
    set_state (self, EK_FACE_CAPTURE_IDLE);
}

/**
 * ek_face_capture_push_frame:
 * @frame: the newest camera frame
 *
 * Frames are taken at the detectors' rate; others are dropped.
 */
void
ek_face_capture_push_frame (EkFaceCapture *self,
                            EkVideoFrame  *frame)
{
  g_return_if_fail (EK_IS_FACE_CAPTURE (self));
  g_return_if_fail (frame != NULL);

  if (self->state == EK_FACE_CAPTURE_GUIDING && self->frontal != NULL)
    ek_face_detector_push_frame (self->frontal, frame);
  else if (self->state == EK_FACE_CAPTURE_LIVENESS && self->profile != NULL)
    ek_face_detector_push_frame (self->profile, frame);
}

EkFaceCaptureMode
ek_face_capture_get_mode (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), EK_FACE_CAPTURE_MODE_CHECK);

  return self->mode;
}

EkFaceCaptureState
ek_face_capture_get_state (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), EK_FACE_CAPTURE_FAILED);

  return self->state;
}

const char *
ek_face_capture_get_guidance (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->guidance;
}

EkFaceQualityProblems
ek_face_capture_get_problems (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), 0);

  return self->problems;
}

guint
ek_face_capture_get_failures (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), 0);

  return self->failures;
}

/**
 * ek_face_capture_get_reason:
 *
 * Returns: (nullable): the protocol's reason for the last refusal
 */
const char *
ek_face_capture_get_reason (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->reason;
}

const GError *
ek_face_capture_get_error (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->error;
}

/**
 * ek_face_capture_get_session_info:
 *
 * Returns: (transfer none) (nullable): after a face login, the new session
 */
EkSessionInfo *
ek_face_capture_get_session_info (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->session_info;
}

/**
 * ek_face_capture_get_chosen_frame:
 *
 * Returns: (transfer none) (nullable): the frame sent (or to be sent); the
 *   proctoring signals compare the candidate with it later
 */
EkVideoFrame *
ek_face_capture_get_chosen_frame (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->chosen;
}

/**
 * ek_face_capture_get_last_detection:
 *
 * Returns: (transfer none) (nullable): the latest searched frame
 */
EkFaceDetection *
ek_face_capture_get_last_detection (EkFaceCapture *self)
{
  g_return_val_if_fail (EK_IS_FACE_CAPTURE (self), NULL);

  return self->last_detection;
}
