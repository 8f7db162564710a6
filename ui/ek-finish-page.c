/* ek-finish-page.c: the end: what the server confirmed, and the upload
 *
 * Says why the exam ended and what the exam server has confirmed, asking it
 * again until it answers. "Complete" is never claimed without the server's
 * confirmation: the recording's upload progress comes from the session's EkOutbox,
 * a written test's answers from the engine's EkAnswerStore (how many still wait to be
 * sent), and the page says "complete" only when the outbox is complete (every segment
 * confirmed by the server) and no answer is waiting. A practice run ends with the
 * playback of the local recording.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-finish-page.h"
#include "ek-ui-util.h"

struct _EkFinishPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  EkExamRecording *recording; /* owned, nullable: the session's recording */
  EkOutbox     *outbox;       /* owned, nullable: kept past the engine's FINISHED */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  guint         retry_source;
  gboolean      written;      /* a written test: its answers are shown too */
  EkAnswerStore *answers;     /* owned, nullable: the engine's, once open */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *title_label;
  GtkLabel     *reason_label;
  GtkLabel     *server_label;
  GtkSpinner   *spinner;
  GtkLabel     *upload_label;
  GtkWidget    *answers_box;
  GtkLabel     *answers_label;
  GtkWidget    *playback_box;
  GtkLabel     *playback_label;
  GtkButton    *leave_button;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkFinishPage, ek_finish_page, GTK_TYPE_WIDGET)

#define RETRY_SECONDS 5

static void ask_server (EkFinishPage *self);

static gboolean
on_retry_cb (gpointer user_data)
{
  EkFinishPage *self = user_data;

  self->retry_source = 0;
  ask_server (self);
  return G_SOURCE_REMOVE;
}

static void
on_session_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(EkFinishPage) self = user_data;
  g_autoptr(EkSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const EkSessionState *state;
  EkExam *exam;
  gint64 server_ms;

  info = ek_api_client_get_session_finish (EK_API_CLIENT (object), result, &error);
  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      ek_show_spinner (self->spinner, FALSE);
      if (g_error_matches (error, EK_API_ERROR, EK_API_ERROR_INVALID_SESSION))
        {
          /* The server closed the session: it has everything it will take. */
          gtk_label_set_label (self->server_label,
                               _("The exam server has closed your session."));
          return;
        }

      {
        g_autofree char *text = g_strdup_printf ("%s %s", error->message,
                                                 _("Keep this window open; the kiosk keeps trying."));

        gtk_label_set_label (self->server_label, text);
      }
      self->retry_source = g_timeout_add_seconds (RETRY_SECONDS, on_retry_cb, self);
      return;
    }

  state = ek_session_info_get_state (info);
  exam = ek_session_info_get_exam (info);
  server_ms = ek_session_info_get_server_time_ms (info);

  if (state->submitted_ms != 0 || state->ended || server_ms >= ek_exam_get_ends_ms (exam))
    {
      gint64 at_ms = state->submitted_ms != 0 ? state->submitted_ms
                     : MIN (server_ms, ek_exam_get_ends_ms (exam));
      g_autofree char *when = ek_format_clock_time (at_ms);
      g_autofree char *text = NULL;

      /* Translators: %s is a time of day */
      text = g_strdup_printf (_("The exam server has confirmed the end of your exam (%s)."), when);
      gtk_label_set_label (self->server_label, text);
      ek_show_spinner (self->spinner, FALSE);
      return;
    }

  /* The server's clock says the exam still runs: ask again shortly. */
  self->retry_source = g_timeout_add_seconds (1, on_retry_cb, self);
}

static void
ask_server (EkFinishPage *self)
{
  ek_show_spinner (self->spinner, TRUE);
  if (*gtk_label_get_label (self->server_label) == '\0')
    gtk_label_set_label (self->server_label, _("Asking the exam server to confirm…"));
  ek_api_client_get_session_async (ek_engine_get_api (self->engine), self->cancellable,
                                   on_session_cb, g_object_ref (self));
}

/* --- the recording's upload ----------------------------------------------- */

static char *
format_eta (gint64 seconds)
{
  if (seconds < 60)
    /* Translators: time left, in seconds */
    return g_strdup_printf (_("%d s"), (int) MAX (seconds, 1));
  /* Translators: time left, in minutes */
  return g_strdup_printf (_("%d min"), (int) ((seconds + 59) / 60));
}

/* Whether no answer waits to be sent (or there are none: an interview). */
static gboolean
answers_confirmed (EkFinishPage *self)
{
  if (!self->written || ek_engine_is_practice (self->engine))
    return TRUE;

  return self->answers != NULL && ek_answer_store_get_n_pending_sync (self->answers) == 0;
}

static void
update_upload (EkFinishPage *self)
{
  const char *problem = ek_engine_get_recording_problem (self->engine);
  g_autofree char *text = NULL;

  if (self->outbox == NULL)
    {
      if (self->recording == NULL)
        text = g_strdup (_("No recording of this exam was made on this computer."));
      else
        text = g_strdup (_("Preparing the upload of your recording…"));
    }
  else if (ek_outbox_get_complete (self->outbox) && answers_confirmed (self))
    {
      text = g_strdup (_("Upload complete: the exam server has confirmed every part of your "
                         "recording. You may close this window."));
    }
  else if (ek_outbox_get_complete (self->outbox))
    {
      text = g_strdup (_("The exam server has confirmed every part of your recording. Keep "
                         "this window open until your answers are confirmed too."));
    }
  else if (ek_outbox_get_waiting (self->outbox))
    {
      text = g_strdup (_("Waiting for the network. Keep this window open; your recording is "
                         "safe on this computer."));
    }
  else
    {
      g_autofree char *sent = g_format_size (ek_outbox_get_bytes_sent (self->outbox));
      g_autofree char *total = g_format_size (ek_outbox_get_bytes_total (self->outbox));
      g_autofree char *rate = g_format_size ((guint64) MAX (ek_outbox_get_rate (self->outbox), 0));
      gint64 eta = ek_outbox_get_eta_seconds (self->outbox);

      if (eta >= 0)
        {
          g_autofree char *left = format_eta (eta);

          /* Translators: "12.3 MB of 45.6 MB sent (1.2 MB/s), about 30 s left" */
          text = g_strdup_printf (_("Uploading your recording: %s of %s sent (%s/s), about %s "
                                    "left. Keep this window open."),
                                  sent, total, rate, left);
        }
      else
        {
          /* Translators: "12.3 MB of 45.6 MB sent" */
          text = g_strdup_printf (_("Uploading your recording: %s of %s sent. Keep this "
                                    "window open."), sent, total);
        }
    }

  if (problem != NULL && (self->outbox == NULL || !ek_outbox_get_complete (self->outbox)))
    {
      g_autofree char *with_problem = g_strdup_printf ("%s\n%s", text, problem);

      gtk_label_set_label (self->upload_label, with_problem);
      return;
    }

  gtk_label_set_label (self->upload_label, text);
}

static void
on_outbox_notify_cb (GObject      *object,
                     GParamSpec   *pspec,
                     EkFinishPage *self)
{
  update_upload (self);
}

static void
watch_outbox (EkFinishPage *self)
{
  EkOutbox *outbox = ek_exam_recording_get_outbox (self->recording);

  if (outbox == NULL || outbox == self->outbox)
    return;

  g_set_object (&self->outbox, outbox);
  g_signal_connect_object (outbox, "notify", G_CALLBACK (on_outbox_notify_cb), self, 0);
  update_upload (self);
}

static void
on_recording_outbox_cb (EkExamRecording *recording,
                        GParamSpec      *pspec,
                        EkFinishPage    *self)
{
  watch_outbox (self);
}

static void
on_recording_problem_cb (EkEngine     *engine,
                         GParamSpec   *pspec,
                         EkFinishPage *self)
{
  update_upload (self);
}

/* --- the written answers -------------------------------------------------- */

static void
update_answers (EkFinishPage *self)
{
  g_autofree char *text = NULL;
  guint pending;

  if (!self->written)
    return;

  if (ek_engine_is_practice (self->engine))
    {
      text = g_strdup (_("Your answers stay on this computer: the practice exam sends nothing."));
    }
  else if (self->answers == NULL)
    {
      const char *problem = ek_engine_get_answer_store_problem (self->engine);

      text = g_strdup (problem != NULL ? problem : _("Reading your answers on this computer…"));
    }
  else if ((pending = ek_answer_store_get_n_pending_sync (self->answers)) == 0)
    {
      text = g_strdup (_("All your answers are confirmed on the exam server."));
    }
  else if (ek_answer_store_get_sync_stopped (self->answers))
    {
      /* Translators: %u is a number of answers */
      text = g_strdup_printf (ngettext ("%u answer could not be sent: the exam server no longer "
                                        "accepts answers for this exam. It is kept on this "
                                        "computer; please tell the proctor.",
                                        "%u answers could not be sent: the exam server no longer "
                                        "accepts answers for this exam. They are kept on this "
                                        "computer; please tell the proctor.", pending),
                              pending);
    }
  else
    {
      /* Translators: %u is a number of answers */
      text = g_strdup_printf (ngettext ("%u answer is waiting to be sent. Keep this window "
                                        "open; your answers are safe on this computer.",
                                        "%u answers are waiting to be sent. Keep this window "
                                        "open; your answers are safe on this computer.", pending),
                              pending);
    }

  gtk_label_set_label (self->answers_label, text);
  /* "Complete" waits for the answers too. */
  update_upload (self);
}

static void
on_answers_notify_cb (EkFinishPage *self)
{
  update_answers (self);
}

static void
follow_answers (EkFinishPage *self)
{
  EkAnswerStore *store = ek_engine_get_answer_store (self->engine);

  if (store != NULL && store != self->answers)
    {
      g_set_object (&self->answers, store);
      g_signal_connect_object (store, "notify::n-pending-sync", G_CALLBACK (on_answers_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (store, "notify::sync-stopped", G_CALLBACK (on_answers_notify_cb),
                               self, G_CONNECT_SWAPPED);
    }
  update_answers (self);
}

/* The practice recording: its first segment, played here. */
static void
show_playback (EkFinishPage *self)
{
  g_autofree char *first = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint first_index = G_MAXUINT;

  if (self->recording != NULL)
    dir = g_dir_open (ek_exam_recording_get_directory (self->recording), 0, NULL);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      const char *stream;
      guint index;

      if (ek_segment_parse_file_name (name, &stream, &index) &&
          g_str_equal (stream, EK_SEGMENT_STREAM_CAMERA) && index < first_index)
        {
          first_index = index;
          g_free (first);
          first = g_build_filename (ek_exam_recording_get_directory (self->recording),
                                    name, NULL);
        }
    }

  if (first == NULL)
    {
      gtk_label_set_label (self->playback_label,
                           _("This computer recorded nothing during the practice exam, so "
                             "there is nothing to play back."));
      return;
    }

  {
    g_autoptr(GFile) file = g_file_new_for_path (first);
    GtkWidget *video = gtk_video_new_for_file (file);

    gtk_widget_set_size_request (video, 320, 180);
    gtk_box_append (GTK_BOX (self->playback_box), video);
    /* No folder path: a candidate has no use for it, a technician finds it in the log. */
    g_debug ("practice recording in %s", ek_exam_recording_get_directory (self->recording));
    gtk_label_set_label (self->playback_label,
                         _("The beginning of your practice recording. It stays on this "
                           "computer and is never uploaded."));
  }
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "win.finish-leave", NULL);
}

static gboolean
ek_finish_page_grab_focus (GtkWidget *widget)
{
  EkFinishPage *self = EK_FINISH_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->leave_button));
}

static void
ek_finish_page_constructed (GObject *object)
{
  EkFinishPage *self = EK_FINISH_PAGE (object);

  G_OBJECT_CLASS (ek_finish_page_parent_class)->constructed (object);

  EkSession *session = ek_engine_get_session (self->engine);
  const EkSessionState *state = ek_session_get_state (session);
  EkEndReason reason = state != NULL && state->ended ? state->end_reason : EK_END_REASON_NONE;

  if (state != NULL && state->submitted_ms != 0 && reason == EK_END_REASON_NONE)
    reason = EK_END_REASON_SUBMITTED;

  switch (reason)
    {
    case EK_END_REASON_SUBMITTED:
    case EK_END_REASON_ENDED_BY_CANDIDATE:
      gtk_label_set_label (self->title_label, _("You have handed in your exam"));
      gtk_label_set_label (self->reason_label, _("You ended the exam. Your answers can no longer be changed."));
      break;

    case EK_END_REASON_FORCED_BY_PROCTOR:
      gtk_label_set_label (self->title_label, _("The proctor has ended your exam"));
      gtk_label_set_label (self->reason_label,
                           _("Your answers and your recording up to this moment are kept and handed in."));
      break;

    case EK_END_REASON_TIME_OVER:
    case EK_END_REASON_PLEDGE_DECLINED:
    case EK_END_REASON_NONE:
    default:
      gtk_label_set_label (self->title_label, _("The exam time is over"));
      gtk_label_set_label (self->reason_label,
                           _("Your answers as they were at the end of the time are handed in."));
      break;
    }

  /* The engine drops the recording at FINISHED: the page keeps its own refs. */
  if (ek_engine_get_recording (self->engine) != NULL)
    self->recording = g_object_ref (ek_engine_get_recording (self->engine));
  g_signal_connect_object (self->engine, "notify::recording-problem",
                           G_CALLBACK (on_recording_problem_cb), self, 0);

  {
    EkExam *exam = ek_session_get_exam (session);

    self->written = exam != NULL && ek_exam_get_kind (exam) == EK_EXAM_KIND_WRITTEN;
    gtk_widget_set_visible (self->answers_box, self->written);
    if (self->written)
      {
        g_signal_connect_object (self->engine, "notify::answer-store",
                                 G_CALLBACK (follow_answers), self, G_CONNECT_SWAPPED);
        g_signal_connect_object (self->engine, "notify::answer-store-problem",
                                 G_CALLBACK (follow_answers), self, G_CONNECT_SWAPPED);
        follow_answers (self);
      }
  }

  if (ek_engine_is_practice (self->engine))
    {
      gtk_label_set_label (self->server_label,
                           _("This was the practice exam: nothing was sent to any server."));
      gtk_label_set_label (self->upload_label,
                           _("The practice recording is not uploaded: it stays on this "
                             "computer."));
      gtk_widget_set_visible (self->playback_box, TRUE);
      show_playback (self);
    }
  else
    {
      if (self->recording != NULL)
        {
          g_signal_connect_object (self->recording, "notify::outbox",
                                   G_CALLBACK (on_recording_outbox_cb), self, 0);
          watch_outbox (self);
        }
      update_upload (self);
      ask_server (self);
    }
}

static void
ek_finish_page_dispose (GObject *object)
{
  EkFinishPage *self = EK_FINISH_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_FINISH_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->outbox);
  g_clear_object (&self->answers);
  g_clear_object (&self->recording);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_finish_page_parent_class)->dispose (object);
}

static void
ek_finish_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  EkFinishPage *self = EK_FINISH_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_finish_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  EkFinishPage *self = EK_FINISH_PAGE (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_finish_page_class_init (EkFinishPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_finish_page_constructed;
  object_class->dispose = ek_finish_page_dispose;
  object_class->get_property = ek_finish_page_get_property;
  object_class->set_property = ek_finish_page_set_property;

  widget_class->grab_focus = ek_finish_page_grab_focus;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-finish-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, reason_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, upload_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, answers_box);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, answers_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, playback_box);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, playback_label);
  gtk_widget_class_bind_template_child (widget_class, EkFinishPage, leave_button);

  /**
   * EkFinishPage|finish.leave:
   *
   * Leaves the finished exam for the start screen.
   */
  gtk_widget_class_install_action (widget_class, "finish.leave", NULL, leave_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "finishpage");
}

static void
ek_finish_page_init (EkFinishPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ek_finish_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_FINISH_PAGE, "engine", engine, NULL);
}
