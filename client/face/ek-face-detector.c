/* ek-face-detector.c: faces in video frames, with OpenCV's cascades through GStreamer
 *
 * The pipeline:
 *
 *   appsrc ─ videoconvert ─ RGB ─ tee ─┬─ queue ─ facedetect (frontal) ─ fakesink
 *                                      ├─ queue ─ facedetect (profile) ─ fakesink        (PROFILE)
 *                                      └─ queue ─ videoflip ─ facedetect (profile) ─ fakesink
 *
 * facedetect posts one element message per frame ("updates" every_frame), carrying
 * the frame's timestamp; each frame gets a unique timestamp (its sequence number in
 * milliseconds), so the messages of all branches are matched to their frame on the
 * main context. Only one frame is in the pipeline at a time: that is the bound on
 * the CPU it may take, together with the rate limit.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "ek-face-detector.h"

#define CASCADE_DIR       "/usr/share/opencv4/haarcascades"
#define FRONTAL_CASCADE   "haarcascade_frontalface_default.xml"
#define PROFILE_CASCADE   "haarcascade_profileface.xml"
#define HISTORY_LENGTH    3
#define OVERLAP_MIN       0.3

struct _EkFaceDetection
{
  gatomicrefcount  ref_count;
  EkVideoFrame    *frame;      /* owned */
  gint64           time_us;    /* monotonic time the frame was offered */
  EkFaceBox       *boxes;      /* owned */
  guint            n_boxes;
};

G_DEFINE_BOXED_TYPE (EkFaceDetection, ek_face_detection,
                     ek_face_detection_ref, ek_face_detection_unref)

typedef struct
{
  guint64       seq;
  EkVideoFrame *frame;         /* owned */
  gint64        time_us;
  guint         n_waiting;     /* branches still to answer */
  GArray       *boxes;         /* EkFaceBox */
} Pending;

struct _EkFaceDetector
{
  GObject          parent_instance;

  EkFaceCascades   cascades;
  guint            min_face_px;
  double           max_fps;
  guint            min_neighbors;
  gboolean         min_neighbors_dirty;
  guint            n_branches;

  GstElement      *pipeline;     /* owned */
  GstElement      *src;          /* owned */
  GstElement      *frontal;      /* owned */
  guint            bus_watch;

  Pending         *pending;      /* owned, nullable: the frame being searched */
  guint64          next_seq;
  gint64           last_push_us;
  int              last_width;
  int              last_height;

  GPtrArray       *history;      /* EkFaceDetection, newest last */
  guint64          n_detected;
  guint64          n_dropped;
  GError          *error;        /* owned, nullable: the pipeline failed */
};

enum {
  PROP_0,
  PROP_CASCADES,
  PROP_MAX_FPS,
  PROP_MIN_NEIGHBORS,
  PROP_BUSY,
  N_PROPS
};

enum {
  DETECTED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkFaceDetector, ek_face_detector, G_TYPE_OBJECT)

G_DEFINE_QUARK (ek-face-detector-error-quark, ek_face_detector_error)

/* EkFaceDetection */

/**
 * ek_face_detection_new:
 * @frame: the searched frame
 * @time_us: monotonic time of the frame
 * @boxes: (array length=n_boxes): the faces found
 *
 * Returns: (transfer full): a new detection
 */
EkFaceDetection *
ek_face_detection_new (EkVideoFrame    *frame,
                       gint64           time_us,
                       const EkFaceBox *boxes,
                       guint            n_boxes)
{
  EkFaceDetection *self;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (n_boxes == 0 || boxes != NULL, NULL);

  self = g_new0 (EkFaceDetection, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->frame = ek_video_frame_ref (frame);
  self->time_us = time_us;
  self->boxes = n_boxes > 0 ? g_memdup2 (boxes, sizeof (EkFaceBox) * n_boxes) : NULL;
  self->n_boxes = n_boxes;

  return self;
}

EkFaceDetection *
ek_face_detection_ref (EkFaceDetection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ek_face_detection_unref (EkFaceDetection *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      ek_video_frame_unref (self->frame);
      g_free (self->boxes);
      g_free (self);
    }
}

EkVideoFrame *
ek_face_detection_get_frame (const EkFaceDetection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->frame;
}

gint64
ek_face_detection_get_time_us (const EkFaceDetection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->time_us;
}

guint
ek_face_detection_get_n_boxes (const EkFaceDetection *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_boxes;
}

const EkFaceBox *
ek_face_detection_get_box (const EkFaceDetection *self,
                           guint                  index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_boxes, NULL);

  return &self->boxes[index];
}

guint
ek_face_detection_count_view (const EkFaceDetection *self,
                              EkFaceView             view)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; i < self->n_boxes; i++)
    if (self->boxes[i].view == view)
      n++;

  return n;
}

/**
 * ek_face_detection_get_largest:
 *
 * Returns: (nullable): the largest box of @view
 */
const EkFaceBox *
ek_face_detection_get_largest (const EkFaceDetection *self,
                               EkFaceView             view)
{
  const EkFaceBox *best = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->n_boxes; i++)
    if (self->boxes[i].view == view &&
        (best == NULL || self->boxes[i].width * self->boxes[i].height > best->width * best->height))
      best = &self->boxes[i];

  return best;
}

/* Helpers */

static void
pending_free (Pending *pending)
{
  ek_video_frame_unref (pending->frame);
  g_array_unref (pending->boxes);
  g_free (pending);
}

static double
box_overlap (const EkFaceBox *a,
             const EkFaceBox *b)
{
  int x0 = MAX (a->x, b->x);
  int y0 = MAX (a->y, b->y);
  int x1 = MIN (a->x + a->width, b->x + b->width);
  int y1 = MIN (a->y + a->height, b->y + b->height);
  double inter, uni;

  if (x1 <= x0 || y1 <= y0)
    return 0.0;

  inter = (double) (x1 - x0) * (y1 - y0);
  uni = (double) a->width * a->height + (double) b->width * b->height - inter;

  return uni > 0 ? inter / uni : 0.0;
}

static void
score_boxes (EkFaceDetector *self,
             GArray         *boxes)
{
  for (guint i = 0; i < boxes->len; i++)
    {
      EkFaceBox *box = &g_array_index (boxes, EkFaceBox, i);
      guint seen = 1;

      for (guint h = 0; h < self->history->len; h++)
        {
          EkFaceDetection *past = g_ptr_array_index (self->history, h);

          for (guint j = 0; j < past->n_boxes; j++)
            if (past->boxes[j].view == box->view && box_overlap (box, &past->boxes[j]) >= OVERLAP_MIN)
              {
                seen++;
                break;
              }
        }

      box->confidence = (double) seen / (HISTORY_LENGTH + 1);
    }
}

static gboolean
has_element (const char *name)
{
  g_autoptr(GstElementFactory) factory = gst_element_factory_find (name);

  return factory != NULL;
}

static void
fail (EkFaceDetector *self,
      GError         *error)
{
  if (self->error != NULL)
    {
      g_error_free (error);
      return;
    }

  self->error = error;
  g_clear_pointer (&self->pending, pending_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[FAILED], 0, self->error);
}

static void
finish_pending (EkFaceDetector *self)
{
  Pending *pending = g_steal_pointer (&self->pending);
  g_autoptr(EkFaceDetection) detection = NULL;

  score_boxes (self, pending->boxes);
  detection = ek_face_detection_new (pending->frame, pending->time_us,
                                     (EkFaceBox *) pending->boxes->data, pending->boxes->len);
  pending_free (pending);

  g_ptr_array_add (self->history, ek_face_detection_ref (detection));
  while (self->history->len > HISTORY_LENGTH)
    g_ptr_array_remove_index (self->history, 0);

  self->n_detected++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  g_signal_emit (self, signals[DETECTED], 0, detection);
}

static void
handle_facedetect (EkFaceDetector     *self,
                   GstMessage         *message,
                   const GstStructure *structure)
{
  g_autofree char *name = gst_object_get_name (GST_MESSAGE_SRC (message));
  const GValue *faces;
  guint64 timestamp = GST_CLOCK_TIME_NONE;
  EkFaceView view;
  gboolean mirrored = FALSE;
  int width;

  if (self->pending == NULL)
    return;
  if (!gst_structure_get_uint64 (structure, "timestamp", &timestamp) ||
      timestamp != self->pending->seq * GST_MSECOND)
    return;

  if (g_str_equal (name, "frontal"))
    view = EK_FACE_VIEW_FRONTAL;
  else if (g_str_equal (name, "profile"))
    view = EK_FACE_VIEW_PROFILE_FACING_LEFT;
  else if (g_str_equal (name, "profile-mirrored"))
    {
      view = EK_FACE_VIEW_PROFILE_FACING_RIGHT;
      mirrored = TRUE;
    }
  else
    return;

  width = (int) ek_video_frame_get_width (self->pending->frame);
  faces = gst_structure_get_value (structure, "faces");
  if (faces != NULL && GST_VALUE_HOLDS_LIST (faces))
    {
      for (guint i = 0; i < gst_value_list_get_size (faces); i++)
        {
          const GValue *value = gst_value_list_get_value (faces, i);
          const GstStructure *face;
          guint x = 0, y = 0, w = 0, h = 0;
          EkFaceBox box = { 0, };

          if (!GST_VALUE_HOLDS_STRUCTURE (value))
            continue;
          face = gst_value_get_structure (value);
          if (!gst_structure_get_uint (face, "x", &x) ||
              !gst_structure_get_uint (face, "y", &y) ||
              !gst_structure_get_uint (face, "width", &w) ||
              !gst_structure_get_uint (face, "height", &h))
            continue;

          box.x = mirrored ? width - (int) x - (int) w : (int) x;
          box.y = (int) y;
          box.width = (int) w;
          box.height = (int) h;
          box.view = view;
          g_array_append_val (self->pending->boxes, box);
        }
    }

  if (--self->pending->n_waiting == 0)
    finish_pending (self);
}

/* Callbacks */

static gboolean
on_bus_message_cb (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  EkFaceDetector *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *structure = gst_message_get_structure (message);

        if (structure != NULL && gst_structure_has_name (structure, "facedetect"))
          handle_facedetect (self, message, structure);
      }
      break;

    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) gst_error = NULL;
        g_autofree char *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("Face detector: %s (%s)", gst_error->message, debug != NULL ? debug : "");
        fail (self, g_error_new (EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_FAILED,
                                 _("Face detection stopped working: %s"), gst_error->message));
      }
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* Vfuncs */

static void
ek_face_detector_dispose (GObject *object)
{
  EkFaceDetector *self = EK_FACE_DETECTOR (object);

  if (self->bus_watch != 0)
    {
      g_source_remove (self->bus_watch);
      self->bus_watch = 0;
    }
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  gst_clear_object (&self->src);
  gst_clear_object (&self->frontal);
  gst_clear_object (&self->pipeline);
  g_clear_pointer (&self->pending, pending_free);
  g_clear_pointer (&self->history, g_ptr_array_unref);

  G_OBJECT_CLASS (ek_face_detector_parent_class)->dispose (object);
}

static void
ek_face_detector_finalize (GObject *object)
{
  EkFaceDetector *self = EK_FACE_DETECTOR (object);

  g_clear_error (&self->error);

  G_OBJECT_CLASS (ek_face_detector_parent_class)->finalize (object);
}

static void
ek_face_detector_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EkFaceDetector *self = EK_FACE_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_CASCADES:
      g_value_set_uint (value, self->cascades);
      break;

    case PROP_MAX_FPS:
      g_value_set_double (value, self->max_fps);
      break;

    case PROP_MIN_NEIGHBORS:
      g_value_set_uint (value, self->min_neighbors);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, ek_face_detector_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_face_detector_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EkFaceDetector *self = EK_FACE_DETECTOR (object);

  switch (prop_id)
    {
    case PROP_CASCADES:
      self->cascades = g_value_get_uint (value);
      break;

    case PROP_MAX_FPS:
      ek_face_detector_set_max_fps (self, g_value_get_double (value));
      break;

    case PROP_MIN_NEIGHBORS:
      ek_face_detector_set_min_neighbors (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_face_detector_class_init (EkFaceDetectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_face_detector_dispose;
  object_class->finalize = ek_face_detector_finalize;
  object_class->get_property = ek_face_detector_get_property;
  object_class->set_property = ek_face_detector_set_property;

  properties[PROP_CASCADES] =
    g_param_spec_uint ("cascades", NULL, NULL,
                       0, G_MAXUINT, EK_FACE_CASCADE_FRONTAL,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * EkFaceDetector:max-fps:
   *
   * Frames offered faster than this are dropped.
   */
  properties[PROP_MAX_FPS] =
    g_param_spec_double ("max-fps", NULL, NULL,
                         0.1, 60.0, EK_FACE_DETECTOR_DEFAULT_MAX_FPS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * EkFaceDetector:min-neighbors:
   *
   * How many overlapping cascade hits make a face: lower finds smaller and less
   * clear faces (and more false ones).
   */
  properties[PROP_MIN_NEIGHBORS] =
    g_param_spec_uint ("min-neighbors", NULL, NULL,
                       1, 10, EK_FACE_DETECTOR_DEFAULT_MIN_NEIGHBORS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkFaceDetector::detected:
   * @detection: the frame and the faces found in it
   */
  signals[DETECTED] =
    g_signal_new ("detected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, EK_TYPE_FACE_DETECTION | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * EkFaceDetector::failed:
   * @error: what went wrong; the detector takes no more frames
   */
  signals[FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ek_face_detector_init (EkFaceDetector *self)
{
  self->cascades = EK_FACE_CASCADE_FRONTAL;
  self->min_face_px = EK_FACE_DETECTOR_MIN_FACE_PX;
  self->max_fps = EK_FACE_DETECTOR_DEFAULT_MAX_FPS;
  self->min_neighbors = EK_FACE_DETECTOR_DEFAULT_MIN_NEIGHBORS;
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) ek_face_detection_unref);
  self->next_seq = 1;
  self->last_push_us = G_MININT64 / 2;
}

static const char *
cascade_dir (void)
{
#ifdef EK_ENABLE_TEST_HOOKS
  /* Test-hooks builds only: another folder, to test a missing cascade. */
  const char *dir = g_getenv ("EK_TEST_CASCADE_DIR");

  if (dir != NULL)
    return dir;
#endif
  return CASCADE_DIR;
}

static gboolean
build_pipeline (EkFaceDetector  *self,
                GError         **error)
{
  g_autofree char *frontal = g_build_filename (cascade_dir (), FRONTAL_CASCADE, NULL);
  g_autofree char *profile = g_build_filename (cascade_dir (), PROFILE_CASCADE, NULL);
  g_autoptr(GString) desc = g_string_new (NULL);
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *pipeline;
  /* display=false: we only want the messages. The eye, nose and mouth cascades
   * keep their defaults (files Debian lacks, harmless); empty paths would break it. */
  g_autofree char *params = NULL;

  if (!ek_face_detector_check_installed (self->cascades, error))
    return FALSE;

  params = g_strdup_printf ("display=false updates=every_frame min-size-width=%u min-size-height=%u "
                            "scale-factor=%g", self->min_face_px, self->min_face_px,
                            EK_FACE_DETECTOR_SCALE_FACTOR);

  g_string_append (desc, "appsrc name=src format=time is-live=false emit-signals=false ! "
                         "videoconvert ! video/x-raw,format=RGB ! tee name=t ");
  self->n_branches = 0;
  if (self->cascades & EK_FACE_CASCADE_FRONTAL)
    {
      g_string_append_printf (desc, "t. ! queue name=fdq-f ! facedetect name=frontal profile=\"%s\" %s min-neighbors=%u ! "
                                    "fakesink sync=false async=false ", frontal, params, self->min_neighbors);
      self->n_branches++;
    }
  if (self->cascades & EK_FACE_CASCADE_PROFILE)
    {
      /* The profile cascade is weaker than the frontal one: fewer neighbours, and
       * a false profile costs little (the liveness step also wants motion). */
      g_string_append_printf (desc, "t. ! queue name=fdq-p ! facedetect name=profile profile=\"%s\" %s min-neighbors=%d ! "
                                    "fakesink sync=false async=false ", profile, params,
                              EK_FACE_DETECTOR_PROFILE_MIN_NEIGHBORS);
      g_string_append_printf (desc, "t. ! queue name=fdq-m ! videoflip video-direction=horiz ! "
                                    "facedetect name=profile-mirrored profile=\"%s\" %s min-neighbors=%d ! "
                                    "fakesink sync=false async=false ", profile, params,
                              EK_FACE_DETECTOR_PROFILE_MIN_NEIGHBORS);
      self->n_branches += 2;
    }

  pipeline = gst_parse_launch_full (desc->str, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &parse_error);
  if (pipeline == NULL)
    {
      g_set_error (error, EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_FAILED,
                   _("Face detection cannot start: %s"), parse_error->message);
      return FALSE;
    }
  self->pipeline = gst_object_ref_sink (pipeline);
  self->src = gst_bin_get_by_name (GST_BIN (self->pipeline), "src");
  self->frontal = gst_bin_get_by_name (GST_BIN (self->pipeline), "frontal");

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message_cb, self);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_FAILED,
                   _("Face detection cannot start."));
      return FALSE;
    }

  return TRUE;
}

/* Public API */

/**
 * ek_face_detector_get_cascade_dir:
 *
 * Returns: where the cascades are read from (Debian's opencv-data)
 */
const char *
ek_face_detector_get_cascade_dir (void)
{
  return cascade_dir ();
}

/**
 * ek_face_detector_check_installed:
 * @cascades: the cascades that will be needed
 *
 * Whether a detector with @cascades can be made: the GStreamer element and the
 * cascade files are there. Cheap: nothing is loaded.
 *
 * Returns: %TRUE, or %FALSE with a translated error saying what is missing
 */
gboolean
ek_face_detector_check_installed (EkFaceCascades   cascades,
                                  GError         **error)
{
  g_autofree char *frontal = g_build_filename (cascade_dir (), FRONTAL_CASCADE, NULL);
  g_autofree char *profile = g_build_filename (cascade_dir (), PROFILE_CASCADE, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  if (!has_element ("facedetect"))
    {
      g_set_error (error, EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_MISSING_PLUGIN,
                   _("Face detection is not installed on this computer (the package gstreamer1.0-opencv is missing)."));
      return FALSE;
    }
  if (((cascades & EK_FACE_CASCADE_FRONTAL) && !g_file_test (frontal, G_FILE_TEST_IS_REGULAR)) ||
      ((cascades & EK_FACE_CASCADE_PROFILE) && !g_file_test (profile, G_FILE_TEST_IS_REGULAR)))
    {
      g_set_error (error, EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_MISSING_CASCADE,
                   _("Face detection is not installed on this computer (the package opencv-data is missing)."));
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_face_detector_new:
 * @cascades: which cascades to run on every frame
 *
 * Returns: (transfer full) (nullable): a detector, or %NULL with a translated
 *   error when the element or the cascades are missing
 */
EkFaceDetector *
ek_face_detector_new (EkFaceCascades   cascades,
                      GError         **error)
{
  return ek_face_detector_new_with_min_size (cascades, EK_FACE_DETECTOR_MIN_FACE_PX, error);
}

/**
 * ek_face_detector_new_with_min_size:
 * @min_face_px: the smallest face searched for, in pixels (the cost grows as it
 *   shrinks)
 *
 * Returns: (transfer full) (nullable): a detector, or %NULL with a translated
 *   error when the element or the cascades are missing
 */
EkFaceDetector *
ek_face_detector_new_with_min_size (EkFaceCascades   cascades,
                                    guint            min_face_px,
                                    GError         **error)
{
  g_autoptr(EkFaceDetector) self = NULL;

  g_return_val_if_fail (cascades & (EK_FACE_CASCADE_FRONTAL | EK_FACE_CASCADE_PROFILE), NULL);
  g_return_val_if_fail (min_face_px >= 8, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  self = g_object_new (EK_TYPE_FACE_DETECTOR, "cascades", (guint) cascades, NULL);
  self->min_face_px = min_face_px;
  if (!build_pipeline (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

EkFaceCascades
ek_face_detector_get_cascades (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), 0);

  return self->cascades;
}

double
ek_face_detector_get_max_fps (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), 0.0);

  return self->max_fps;
}

void
ek_face_detector_set_max_fps (EkFaceDetector *self,
                              double          max_fps)
{
  g_return_if_fail (EK_IS_FACE_DETECTOR (self));
  g_return_if_fail (max_fps > 0.0);

  if (self->max_fps == max_fps)
    return;

  self->max_fps = max_fps;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FPS]);
}

guint
ek_face_detector_get_min_neighbors (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), 0);

  return self->min_neighbors;
}

void
ek_face_detector_set_min_neighbors (EkFaceDetector *self,
                                    guint           min_neighbors)
{
  g_return_if_fail (EK_IS_FACE_DETECTOR (self));
  g_return_if_fail (min_neighbors >= 1);

  if (self->min_neighbors == min_neighbors)
    return;

  /* Applied when no frame is in the pipeline: facedetect reads it while searching. */
  self->min_neighbors = min_neighbors;
  self->min_neighbors_dirty = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIN_NEIGHBORS]);
}

gboolean
ek_face_detector_get_busy (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), FALSE);

  return self->pending != NULL;
}

guint64
ek_face_detector_get_n_detected (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), 0);

  return self->n_detected;
}

guint64
ek_face_detector_get_n_dropped (EkFaceDetector *self)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), 0);

  return self->n_dropped;
}

static gboolean
push_now (EkFaceDetector *self,
          EkVideoFrame   *frame,
          gint64          time_us)
{
  GBytes *pixels = ek_video_frame_get_pixels (frame);
  int width = (int) ek_video_frame_get_width (frame);
  int height = (int) ek_video_frame_get_height (frame);
  gsize stride = ek_video_frame_get_stride (frame);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (pixels, &size);
  GstBuffer *buffer;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0, };
  int strides[GST_VIDEO_MAX_PLANES] = { (int) stride, };
  Pending *pending;

  if (width != self->last_width || height != self->last_height)
    {
      g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                     "format", G_TYPE_STRING, "RGBA",
                                                     "width", G_TYPE_INT, width,
                                                     "height", G_TYPE_INT, height,
                                                     "framerate", GST_TYPE_FRACTION, 0, 1,
                                                     "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                                     NULL);

      g_object_set (self->src, "caps", caps, NULL);
      self->last_width = width;
      self->last_height = height;
    }

  if (self->min_neighbors_dirty)
    {
      g_autoptr(GstIterator) it = gst_bin_iterate_elements (GST_BIN (self->pipeline));
      GValue item = G_VALUE_INIT;

      while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
        {
          GstElement *element = g_value_get_object (&item);
          g_autofree char *name = gst_object_get_name (GST_OBJECT (element));

          if (g_str_equal (name, "frontal"))
            g_object_set (element, "min-neighbors", (int) self->min_neighbors, NULL);
          g_value_reset (&item);
        }
      g_value_unset (&item);
      self->min_neighbors_dirty = FALSE;
    }

  /* No copy: the buffer keeps the frame's pixels alive. */
  buffer = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY, (gpointer) data, size, 0, size,
                                        g_bytes_ref (pixels), (GDestroyNotify) g_bytes_unref);
  gst_buffer_add_video_meta_full (buffer, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_RGBA,
                                  width, height, 1, offset, strides);

  pending = g_new0 (Pending, 1);
  pending->seq = self->next_seq++;
  pending->frame = ek_video_frame_ref (frame);
  pending->time_us = time_us;
  pending->n_waiting = self->n_branches;
  pending->boxes = g_array_new (FALSE, TRUE, sizeof (EkFaceBox));
  self->pending = pending;

  GST_BUFFER_PTS (buffer) = pending->seq * GST_MSECOND;
  GST_BUFFER_DURATION (buffer) = GST_MSECOND;
  self->last_push_us = pending->time_us;

  if (gst_app_src_push_buffer (GST_APP_SRC (self->src), buffer) != GST_FLOW_OK)
    {
      fail (self, g_error_new (EK_FACE_DETECTOR_ERROR, EK_FACE_DETECTOR_ERROR_FAILED,
                               _("Face detection stopped working.")));
      return FALSE;
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  return TRUE;
}

/**
 * ek_face_detector_push_frame:
 * @frame: a camera frame
 *
 * Offers a frame. It is searched unless the previous one is still being searched
 * or the rate limit says it is too soon; the answer comes as ::detected.
 *
 * Returns: whether the frame was taken
 */
gboolean
ek_face_detector_push_frame (EkFaceDetector *self,
                             EkVideoFrame   *frame)
{
  return ek_face_detector_push_frame_at (self, frame, g_get_monotonic_time ());
}

/**
 * ek_face_detector_push_frame_at:
 * @time_us: the frame's time (monotonic for a live camera, media time for a
 *   clip played faster than real time); the rate limit and the detection's time
 *   follow it
 *
 * Returns: whether the frame was taken
 */
gboolean
ek_face_detector_push_frame_at (EkFaceDetector *self,
                                EkVideoFrame   *frame,
                                gint64          time_us)
{
  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (self->error != NULL)
    return FALSE;

  /* 10% slack: a source delivering at exactly the limit (the recorder's 2 fps
   * face feed) jitters around it and would otherwise lose every other frame.
   * A time going backwards (a clip starting again) is taken as a new start. */
  if (self->pending != NULL ||
      (time_us >= self->last_push_us &&
       time_us - self->last_push_us < (gint64) (0.9 * G_USEC_PER_SEC / self->max_fps)))
    {
      self->n_dropped++;
      return FALSE;
    }

  return push_now (self, frame, time_us);
}

static void
on_sync_detected_cb (EkFaceDetector  *self,
                     EkFaceDetection *detection,
                     gpointer         user_data)
{
  EkFaceDetection **out = user_data;

  if (*out == NULL)
    *out = ek_face_detection_ref (detection);
}

/**
 * ek_face_detector_detect_sync:
 *
 * Returns: (transfer full) (nullable): the faces in @frame
 */
EkFaceDetection *
ek_face_detector_detect_sync (EkFaceDetector  *self,
                              EkVideoFrame    *frame,
                              GError         **error)
{
  EkFaceDetection *result = NULL;
  gulong handler;

  g_return_val_if_fail (EK_IS_FACE_DETECTOR (self), NULL);
  g_return_val_if_fail (frame != NULL, NULL);

  while (self->pending != NULL && self->error == NULL)
    g_main_context_iteration (NULL, TRUE);

  if (self->error == NULL && push_now (self, frame, g_get_monotonic_time ()))
    {
      handler = g_signal_connect (self, "detected", G_CALLBACK (on_sync_detected_cb), &result);
      while (result == NULL && self->error == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (self, handler);
    }

  if (result == NULL && error != NULL)
    *error = g_error_copy (self->error);

  return result;
}
