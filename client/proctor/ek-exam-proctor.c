/* ek-exam-proctor.c: the live proctoring of one exam session */

#include "config.h"


#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "ek-exam-proctor.h"
#include "ek-jpeg.h"
#include "ek-lockdown-policy.h"
#include "ek-private-files.h"
#include "ek-seal.h"

/* A re-check needs a face seen this recently; without one it tries again soon. */
#define RECHECK_FRAME_MAX_AGE_US (10 * G_USEC_PER_SEC)
#define RECHECK_RETRY_S          15
#define DECODE_TIMEOUT_NS        (5 * GST_SECOND)

struct _EkExamProctor
{
  GObject             parent_instance;

  EkProctoringPolicy  policy;
  EkProctorSignals   *signals;          /* owned */
  EkSession          *session;          /* owned */
  EkApiClient        *api;              /* owned, nullable */
  char               *directory;
  EkRecorder         *recorder;         /* owned, nullable */
  gboolean            record_screen;
  EkViolationTracker *tracker;          /* owned, nullable */
  GCancellable       *cancellable;      /* owned: uploads, re-checks, the reference */
  gboolean            stopped;
  gboolean            have_reference;

  GBytes             *seal_key;         /* owned, nullable: snapshots go sealed */
  gboolean            snapshot_requested; /* the next due snapshot was asked for */
  guint               n_snapshots_sent;

  guint               recheck_source;
  gboolean            recheck_busy;
  guint               recheck_failures;   /* in a row */
};

enum {
  PROP_0,
  PROP_RECHECK_FAILURES,
  N_PROPS
};

enum {
  LOG_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint proctor_signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EkExamProctor, ek_exam_proctor, G_TYPE_OBJECT)

static void schedule_recheck (EkExamProctor *self,
                              guint          seconds);

/* --- helpers -------------------------------------------------------------- */

/* Wall clock ms of a monotonic time in the past (the signals count monotonic). */
static gint64
wall_ms_of (gint64 monotonic_us)
{
  return (g_get_real_time () - (g_get_monotonic_time () - monotonic_us)) / 1000;
}

static gint64
server_now_ms (EkExamProctor *self)
{
  EkServerClock *clock = ek_session_get_clock (self->session);

  return clock != NULL ? ek_server_clock_now_ms (clock) : g_get_real_time () / 1000;
}

static void
log_event (EkExamProctor *self,
           const char    *type,
           gint64         client_ms,
           gint64         duration_ms,
           JsonObject    *data)
{
  g_signal_emit (self, proctor_signals[LOG_EVENT], 0, type, client_ms, duration_ms, data);
}

static void
set_recheck_failures (EkExamProctor *self,
                      guint          failures)
{
  if (self->recheck_failures == failures)
    return;

  self->recheck_failures = failures;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECHECK_FAILURES]);
}

static void
update_reading (EkExamProctor *self)
{
  EkExam *exam = ek_session_get_exam (self->session);
  int index = ek_session_get_phase_index (self->session);
  gboolean reading = FALSE;

  if (exam != NULL && index >= 0 && (guint) index < ek_exam_get_n_phases (exam))
    reading = ek_exam_get_phase (exam, (guint) index)->kind == EK_PHASE_KIND_READING;

  ek_proctor_signals_set_reading_phase (self->signals, reading);
}

/* --- the reference picture ------------------------------------------------ */

static void
save_reference_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  const char *directory = g_object_get_data (G_OBJECT (task), "directory");
  EkVideoFrame *frame = task_data;
  g_autoptr(GBytes) jpeg = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  jpeg = ek_jpeg_encode (frame, &error);
  if (jpeg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!ek_ensure_private_folder (directory, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, error->code,
                               _("The folder %s cannot be made private: %s"), directory,
                               ek_private_files_error_reason (error, directory));
      g_clear_error (&error);
      return;
    }

  path = g_build_filename (directory, EK_EXAM_PROCTOR_REFERENCE_NAME, NULL);
  if (!g_file_set_contents_full (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_reference_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GBytes) jpeg = NULL;
  GError *error = NULL;
  char *contents = NULL;
  gsize length = 0;
  EkVideoFrame *frame;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  jpeg = g_bytes_new_take (contents, length);

  frame = ek_exam_proctor_decode_jpeg (jpeg, &error);
  if (frame == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, frame, (GDestroyNotify) ek_video_frame_unref);
}

static void
on_reference_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  EkExamProctor *self = EK_EXAM_PROCTOR (object);
  g_autoptr(EkVideoFrame) frame = NULL;
  g_autoptr(GError) error = NULL;

  frame = g_task_propagate_pointer (G_TASK (result), &error);
  if (frame == NULL)
    {
      /* No identity check in this exam, or it was done on another computer: the
       * signals run, only the resemblance score is missing. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Proctoring: no reference face: %s", error->message);
      return;
    }

  /* Once per exam: the frontal cascade on one frame, a few tens of ms. */
  ek_proctor_signals_set_reference (self->signals, frame);
  self->have_reference = TRUE;
}

/* --- snapshots ------------------------------------------------------------ */

typedef struct
{
  EkExamProctor *self;      /* owned */
  char          *source;    /* "camera" or "screen" */
  gboolean       requested;
  gint64         capture_ms;
  char          *sha256;    /* nullable: of the sealed snapshot sent */
} Snapshot;

static void
snapshot_free (Snapshot *snapshot)
{
  g_clear_object (&snapshot->self);
  g_free (snapshot->source);
  g_free (snapshot->sha256);
  g_free (snapshot);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)

static void
on_snapshot_posted_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Snapshot) snapshot = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *stored_sha256 = NULL;
  g_autoptr(JsonObject) data = NULL;

  if (!ek_api_client_post_snapshot_finish_full (EK_API_CLIENT (object), result, &id,
                                                &stored_sha256, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Proctoring: a %s snapshot was not sent: %s", snapshot->source, error->message);
      return;
    }
  /* A sealed snapshot counts as sent once the server confirms the ciphertext's hash. */
  if (snapshot->sha256 != NULL && g_strcmp0 (stored_sha256, snapshot->sha256) != 0)
    {
      g_message ("Proctoring: the server did not confirm a sealed %s snapshot's hash",
                 snapshot->source);
      return;
    }

  snapshot->self->n_snapshots_sent++;
  data = json_object_new ();
  json_object_set_string_member (data, "source", snapshot->source);
  json_object_set_string_member (data, "trigger", snapshot->requested ? "request" : "random");
  if (id != NULL)
    json_object_set_string_member (data, "id", id);
  log_event (snapshot->self, "snapshot_sent", 0, -1, data);
}

/* The JPEG sealed for the examining body, in memory: no plain copy on the disk. */
static void
seal_snapshot_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GBytes *key = g_object_get_data (G_OBJECT (task), "key");
  GError *error = NULL;
  GBytes *sealed = ek_seal_bytes (task_data, g_bytes_get_data (key, NULL), &error);

  if (sealed == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sealed, (GDestroyNotify) g_bytes_unref);
}

static void
on_snapshot_sealed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Snapshot) snapshot = user_data;
  EkExamProctor *self = snapshot->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sealed = g_task_propagate_pointer (G_TASK (result), &error);
  const char *source;
  const char *sha256;
  gint64 capture_ms;

  if (sealed == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Proctoring: a %s snapshot was not sealed: %s", snapshot->source, error->message);
      return;
    }

  snapshot->sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, sealed);
  /* Read before the hand-over: argument order is unspecified. */
  source = snapshot->source;
  sha256 = snapshot->sha256;
  capture_ms = snapshot->capture_ms;
  ek_api_client_post_sealed_snapshot_async (self->api, source, sealed, sha256, capture_ms,
                                            self->cancellable, on_snapshot_posted_cb,
                                            g_steal_pointer (&snapshot));
}

static void
on_snapshot_encoded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(Snapshot) snapshot = user_data;
  EkExamProctor *self = snapshot->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = ek_jpeg_encode_finish (result, &error);
  const char *source;
  gint64 capture_ms;

  if (jpeg == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Proctoring: a %s snapshot was not encoded: %s", snapshot->source, error->message);
      return;
    }

  if (self->seal_key != NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, on_snapshot_sealed_cb,
                                          g_steal_pointer (&snapshot));

      g_object_set_data_full (G_OBJECT (task), "key", g_bytes_ref (self->seal_key),
                              (GDestroyNotify) g_bytes_unref);
      g_task_set_task_data (task, g_steal_pointer (&jpeg), (GDestroyNotify) g_bytes_unref);
      g_task_run_in_thread (task, seal_snapshot_thread);
      return;
    }

  /* Read before the hand-over: argument order is unspecified. */
  source = snapshot->source;
  capture_ms = snapshot->capture_ms;
  ek_api_client_post_snapshot_async (self->api, source, jpeg, capture_ms,
                                     self->cancellable, on_snapshot_posted_cb,
                                     g_steal_pointer (&snapshot));
}

static void
send_snapshot (EkExamProctor *self,
               const char    *source,
               EkVideoFrame  *frame,
               gboolean       requested)
{
  Snapshot *snapshot = g_new0 (Snapshot, 1);

  snapshot->self = g_object_ref (self);
  snapshot->source = g_strdup (source);
  snapshot->requested = requested;
  snapshot->capture_ms = server_now_ms (self);
  ek_jpeg_encode_async (frame, self->cancellable, on_snapshot_encoded_cb, snapshot);
}

static void
on_snapshot_due_cb (EkProctorSignals *signals,
                    EkExamProctor    *self)
{
  gboolean requested = self->snapshot_requested;
  g_autoptr(EkVideoFrame) camera = NULL;
  g_autoptr(EkVideoFrame) screen = NULL;

  self->snapshot_requested = FALSE;
  if (self->stopped || self->api == NULL || self->recorder == NULL)
    return;

  camera = ek_recorder_dup_face_frame (self->recorder);
  if (camera != NULL)
    send_snapshot (self, "camera", camera, requested);
  else
    g_message ("Proctoring: no camera picture for the snapshot yet");

  if (self->record_screen && (screen = ek_recorder_dup_screen_frame (self->recorder)) != NULL)
    send_snapshot (self, "screen", screen, requested);
}

/* --- signals as events ---------------------------------------------------- */

static void
on_signal_started_cb (EkProctorSignals *signals,
                      EkProctorSignal   signal,
                      gint64            start_us,
                      EkExamProctor    *self)
{
  g_autoptr(JsonObject) data = json_object_new ();

  json_object_set_string_member (data, "state", "started");
  log_event (self, ek_proctor_signal_to_string (signal), wall_ms_of (start_us), -1, data);
}

static void
on_signal_ended_cb (EkProctorSignals *signals,
                    EkProctorSignal   signal,
                    gint64            start_us,
                    gint64            end_us,
                    EkExamProctor    *self)
{
  g_autoptr(JsonObject) data = json_object_new ();

  json_object_set_string_member (data, "state", "ended");
  log_event (self, ek_proctor_signal_to_string (signal), wall_ms_of (start_us),
             MAX (0, (end_us - start_us) / 1000), data);
}

static void
on_similarity_cb (EkProctorSignals *signals,
                  GParamSpec       *pspec,
                  EkExamProctor    *self)
{
  double similarity = ek_proctor_signals_get_similarity (signals);
  g_autoptr(JsonObject) data = NULL;

  if (similarity < 0)
    return;

  /* A number for the proctor's review over the session, never a verdict. */
  data = json_object_new ();
  json_object_set_int_member (data, "score_pm", (gint64) (similarity * 1000.0 + 0.5));
  log_event (self, "face_similarity", 0, -1, data);
}

static void
on_phase_cb (EkSession     *session,
             GParamSpec    *pspec,
             EkExamProctor *self)
{
  update_reading (self);
}

/* --- identity re-check ---------------------------------------------------- */

static void
on_rechecked_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkExamProctor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) data = NULL;
  g_autofree char *reason = NULL;
  gboolean match = FALSE;
  double score = -1;

  self->recheck_busy = FALSE;
  if (!ek_api_client_face_check_finish (EK_API_CLIENT (object), result, &match, &score,
                                        &reason, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The network or the server, not the candidate: no failure, try again. */
      g_message ("Proctoring: the identity re-check did not reach the server: %s", error->message);
      schedule_recheck (self, RECHECK_RETRY_S);
      return;
    }
  if (self->stopped)
    return;

  set_recheck_failures (self, match ? 0 : self->recheck_failures + 1);

  data = json_object_new ();
  json_object_set_string_member (data, "result", match ? "match" : "no_match");
  if (reason != NULL)
    json_object_set_string_member (data, "reason", reason);
  if (score >= 0)
    json_object_set_int_member (data, "score_pm", (gint64) (score * 1000.0 + 0.5));
  json_object_set_int_member (data, "failures", self->recheck_failures);
  log_event (self, "identity_recheck", 0, -1, data);

  if (!match && self->recheck_failures >= EK_EXAM_PROCTOR_RECHECK_FAILURES && self->tracker != NULL)
    ek_violation_tracker_record (self->tracker, EK_VIOLATION_IDENTITY_MISMATCH,
                                 reason != NULL ? reason : "");

  /* A doubt is settled sooner than the regular interval. */
  schedule_recheck (self, match ? (guint) self->policy.identity_recheck_interval_s
                                : MIN (RECHECK_RETRY_S * 2, (guint) self->policy.identity_recheck_interval_s));
}

static void
on_recheck_encoded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(EkExamProctor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = ek_jpeg_encode_finish (result, &error);

  if (jpeg == NULL)
    {
      self->recheck_busy = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Proctoring: the re-check picture was not encoded: %s", error->message);
      schedule_recheck (self, RECHECK_RETRY_S);
      return;
    }

  ek_api_client_face_recheck_async (self->api, jpeg, server_now_ms (self), self->cancellable,
                                    on_rechecked_cb, g_object_ref (self));
}

static gboolean
on_recheck_timeout_cb (gpointer user_data)
{
  EkExamProctor *self = user_data;
  g_autoptr(EkVideoFrame) frame = NULL;

  self->recheck_source = 0;
  if (self->stopped || self->recheck_busy || self->api == NULL)
    return G_SOURCE_REMOVE;

  /* No single face just now: the face signals speak for that; look again soon. */
  frame = ek_proctor_signals_dup_face_frame (self->signals, RECHECK_FRAME_MAX_AGE_US,
                                             g_get_monotonic_time ());
  if (frame == NULL)
    {
      schedule_recheck (self, RECHECK_RETRY_S);
      return G_SOURCE_REMOVE;
    }

  self->recheck_busy = TRUE;
  ek_jpeg_encode_async (frame, self->cancellable, on_recheck_encoded_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
schedule_recheck (EkExamProctor *self,
                  guint          seconds)
{
  g_clear_handle_id (&self->recheck_source, g_source_remove);
  if (self->stopped || self->api == NULL || self->policy.identity_recheck_interval_s <= 0)
    return;

  self->recheck_source = g_timeout_add_seconds (MAX (seconds, 1), on_recheck_timeout_cb, self);
}

/* --- GObject -------------------------------------------------------------- */

static void
ek_exam_proctor_dispose (GObject *object)
{
  EkExamProctor *self = EK_EXAM_PROCTOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->recheck_source, g_source_remove);
  if (self->signals != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->signals, self);
      ek_proctor_signals_attach_recorder (self->signals, NULL);
      ek_proctor_signals_set_violation_tracker (self->signals, NULL);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->signals);
  g_clear_object (&self->session);
  g_clear_object (&self->api);
  g_clear_object (&self->recorder);
  g_clear_object (&self->tracker);

  G_OBJECT_CLASS (ek_exam_proctor_parent_class)->dispose (object);
}

static void
ek_exam_proctor_finalize (GObject *object)
{
  EkExamProctor *self = EK_EXAM_PROCTOR (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->seal_key, g_bytes_unref);
  g_free (self->directory);

  G_OBJECT_CLASS (ek_exam_proctor_parent_class)->finalize (object);
}

static void
ek_exam_proctor_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkExamProctor *self = EK_EXAM_PROCTOR (object);

  switch (prop_id)
    {
    case PROP_RECHECK_FAILURES:
      g_value_set_uint (value, self->recheck_failures);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_exam_proctor_class_init (EkExamProctorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_exam_proctor_dispose;
  object_class->finalize = ek_exam_proctor_finalize;
  object_class->get_property = ek_exam_proctor_get_property;

  /**
   * EkExamProctor:recheck-failures:
   *
   * Identity re-checks failed in a row; 0 after a match or the proctor's
   * confirmation.
   */
  properties[PROP_RECHECK_FAILURES] =
    g_param_spec_uint ("recheck-failures", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EkExamProctor::log-event:
   * @type: the event type (`face_absent`, `snapshot_sent`, …)
   * @client_ms: when it began, wall clock ms; 0 for now
   * @duration_ms: how long it lasted, < 0 for none
   * @data: (nullable): integers and strings only
   *
   * An event for the session's log (docs/protocol.md §7).
   */
  proctor_signals[LOG_EVENT] =
    g_signal_new ("log-event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_STRING, G_TYPE_INT64, G_TYPE_INT64, JSON_TYPE_OBJECT);
}

static void
ek_exam_proctor_init (EkExamProctor *self)
{
  self->cancellable = g_cancellable_new ();
}

/* --- public API ----------------------------------------------------------- */

/**
 * ek_exam_proctor_new:
 * @policy: (nullable): the exam's proctoring policy, %NULL for the defaults
 * @session: the session in its exam stage
 * @api: (nullable): the session's API client; without one nothing is sent
 * @directory: the session's private proctoring folder (the reference picture)
 *
 * Returns: (transfer full) (nullable): the proctor, or %NULL when face detection
 *   is not installed
 */
EkExamProctor *
ek_exam_proctor_new (const EkProctoringPolicy  *policy,
                     EkSession                 *session,
                     EkApiClient               *api,
                     const char                *directory,
                     GError                   **error)
{
  g_autoptr(EkExamProctor) self = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (EK_IS_SESSION (session), NULL);
  g_return_val_if_fail (api == NULL || EK_IS_API_CLIENT (api), NULL);
  g_return_val_if_fail (directory != NULL, NULL);

  self = g_object_new (EK_TYPE_EXAM_PROCTOR, NULL);
  if (policy != NULL)
    self->policy = *policy;
  else
    ek_proctoring_policy_init_defaults (&self->policy);

  self->signals = ek_proctor_signals_new (&self->policy, error);
  if (self->signals == NULL)
    return NULL;

  self->session = g_object_ref (session);
  self->api = api != NULL ? g_object_ref (api) : NULL;
  self->directory = g_strdup (directory);

  g_signal_connect_object (self->signals, "signal-started", G_CALLBACK (on_signal_started_cb), self, 0);
  g_signal_connect_object (self->signals, "signal-ended", G_CALLBACK (on_signal_ended_cb), self, 0);
  g_signal_connect_object (self->signals, "notify::similarity", G_CALLBACK (on_similarity_cb), self, 0);
  g_signal_connect_object (self->signals, "snapshot-due", G_CALLBACK (on_snapshot_due_cb), self, 0);
  g_signal_connect_object (self->session, "notify::phase-index", G_CALLBACK (on_phase_cb), self, 0);
  update_reading (self);

  task = g_task_new (self, self->cancellable, on_reference_loaded_cb, NULL);
  g_task_set_source_tag (task, ek_exam_proctor_new);
  g_task_set_task_data (task, g_build_filename (directory, EK_EXAM_PROCTOR_REFERENCE_NAME, NULL), g_free);
  g_task_run_in_thread (task, load_reference_thread);

  ek_proctor_signals_set_snapshots_enabled (self->signals, api != NULL);
  schedule_recheck (self, (guint) self->policy.identity_recheck_interval_s);

  return g_steal_pointer (&self);
}

EkProctorSignals *
ek_exam_proctor_get_signals (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), NULL);

  return self->signals;
}

const char *
ek_exam_proctor_get_directory (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), NULL);

  return self->directory;
}

/**
 * ek_exam_proctor_attach_recorder:
 * @recorder: (nullable): the exam's recorder
 * @record_screen: whether it records the screen (then snapshots include it)
 */
void
ek_exam_proctor_attach_recorder (EkExamProctor *self,
                                 EkRecorder    *recorder,
                                 gboolean       record_screen)
{
  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));
  g_return_if_fail (recorder == NULL || EK_IS_RECORDER (recorder));

  g_set_object (&self->recorder, recorder);
  self->record_screen = recorder != NULL && record_screen;
  ek_proctor_signals_attach_recorder (self->signals, self->stopped ? NULL : recorder);
}

/**
 * ek_exam_proctor_set_violation_tracker:
 * @tracker: (nullable): the lockdown's tracker
 */
void
ek_exam_proctor_set_violation_tracker (EkExamProctor      *self,
                                       EkViolationTracker *tracker)
{
  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));

  g_set_object (&self->tracker, tracker);
  ek_proctor_signals_set_violation_tracker (self->signals, tracker);
}

/**
 * ek_exam_proctor_get_violation_tracker:
 *
 * Returns: (transfer none) (nullable): the tracker the signals feed
 */
EkViolationTracker *
ek_exam_proctor_get_violation_tracker (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), NULL);

  return self->tracker;
}

/**
 * ek_exam_proctor_set_seal_key:
 * @public_key: (nullable): the exam's X25519 public key (32 bytes); %NULL: plain
 *
 * With a key every snapshot is sealed for the examining body (ek_seal_bytes(), in a
 * thread) before it leaves, and counts as sent only once the server confirms the
 * hash of the sealed bytes (docs/protocol.md section 8.1).
 */
void
ek_exam_proctor_set_seal_key (EkExamProctor *self,
                              GBytes        *public_key)
{
  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));
  g_return_if_fail (public_key == NULL || g_bytes_get_size (public_key) == EK_SEAL_KEY_BYTES);

  g_clear_pointer (&self->seal_key, g_bytes_unref);
  if (public_key != NULL)
    self->seal_key = g_bytes_ref (public_key);
}

/**
 * ek_exam_proctor_request_snapshot:
 *
 * The server's `snapshot_request`: a snapshot now.
 */
void
ek_exam_proctor_request_snapshot (EkExamProctor *self)
{
  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));

  if (self->stopped)
    return;

  self->snapshot_requested = TRUE;
  ek_proctor_signals_request_snapshot (self->signals);
}

/**
 * ek_exam_proctor_confirm_identity:
 *
 * The proctor confirmed the candidate by hand (the `release` message): a run of
 * failed re-checks ends here.
 */
void
ek_exam_proctor_confirm_identity (EkExamProctor *self)
{
  g_autoptr(JsonObject) data = NULL;

  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));

  if (self->stopped || self->recheck_failures == 0)
    return;

  data = json_object_new ();
  json_object_set_string_member (data, "by", "proctor");
  json_object_set_int_member (data, "failures", self->recheck_failures);
  set_recheck_failures (self, 0);
  log_event (self, "identity_confirmed", 0, -1, data);
  schedule_recheck (self, (guint) self->policy.identity_recheck_interval_s);
}

/**
 * ek_exam_proctor_stop:
 *
 * The exam is over: active signals end now (their end events go out), nothing
 * more is measured or sent.
 */
void
ek_exam_proctor_stop (EkExamProctor *self)
{
  g_return_if_fail (EK_IS_EXAM_PROCTOR (self));

  if (self->stopped)
    return;

  ek_proctor_signals_stop (self->signals);
  self->stopped = TRUE;
  ek_proctor_signals_attach_recorder (self->signals, NULL);
  g_clear_handle_id (&self->recheck_source, g_source_remove);
}

gboolean
ek_exam_proctor_has_reference (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), FALSE);

  return self->have_reference;
}

guint
ek_exam_proctor_get_n_snapshots_sent (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), 0);

  return self->n_snapshots_sent;
}

guint
ek_exam_proctor_get_recheck_failures (EkExamProctor *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PROCTOR (self), 0);

  return self->recheck_failures;
}

void
ek_exam_proctor_save_reference_async (const char          *directory,
                                      EkVideoFrame        *frame,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (directory != NULL);
  g_return_if_fail (frame != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_exam_proctor_save_reference_async);
  g_task_set_task_data (task, ek_video_frame_ref (frame), (GDestroyNotify) ek_video_frame_unref);
  g_object_set_data_full (G_OBJECT (task), "directory", g_strdup (directory), g_free);
  g_task_run_in_thread (task, save_reference_thread);
}

gboolean
ek_exam_proctor_save_reference_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_exam_proctor_save_reference_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

EkVideoFrame *
ek_exam_proctor_decode_jpeg (GBytes  *jpeg,
                             GError **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GBytes) pixels = NULL;
  g_autoptr(GError) parse_error = NULL;
  GstVideoInfo info;
  GstMapInfo map;
  gsize size;

  g_return_val_if_fail (jpeg != NULL, NULL);

  pipeline = gst_parse_launch ("appsrc name=src caps=image/jpeg,framerate=0/1 ! jpegdec ! videoconvert ! "
                               "video/x-raw,format=RGBA ! appsink name=sink sync=false",
                               &parse_error);
  if (pipeline == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no JPEG decoder: %s", parse_error->message);
      return NULL;
    }
  gst_object_ref_sink (pipeline);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), gst_buffer_new_wrapped_bytes (jpeg));
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), DECODE_TIMEOUT_NS);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (sample == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      !gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a readable JPEG");
      return NULL;
    }

  size = (gsize) GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) * GST_VIDEO_INFO_HEIGHT (&info);
  if (map.size < size)
    {
      gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the decoded picture is short");
      return NULL;
    }
  pixels = g_bytes_new (map.data, size);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);

  return ek_video_frame_new (pixels, GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info),
                             GST_VIDEO_INFO_PLANE_STRIDE (&info, 0), 0);
}
