/* ek-exam-page.c: the exam itself: the phase, the time left, the questions, the proctor
 *
 * Questions are fetched when their phase starts (EkSession::phase-started, also
 * for a re-entered session landing in a running phase) and again on Refresh. The
 * countdown runs to the phase's absolute end in server time. The proctor's messages
 * are the engine's EkProctorChannel's (it polls them and obeys end_exam, release and
 * snapshot_request with no page on screen); the page shows them: chat goes to the
 * Help panel (with an unread badge), a warning covers the page until the candidate
 * acknowledges it. Ending the exam is refused before the exam's minimum time, with
 * the time it becomes possible, and needs a confirmation that says what cannot be
 * undone.
 *
 * A written test's questions go into an EkQuestionView bound to the engine's
 * EkAnswerStore (the engine opens it on entering, so a re-entered session finds every
 * answer again, makes it read-only once the exam is over and pushes what is left);
 * the page only shows and edits it. Handing in asks the view's confirmation (with the
 * count of unanswered questions), pushes what is pending with a bounded wait and
 * submits with the count of answered questions. An interview keeps its large
 * read-aloud cards.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-camera-paintable.h"
#include "ek-camera-view.h"
#include "ek-announcer.h"
#include "ek-countdown.h"
#include "ek-exam-page.h"
#include "ek-question-view.h"
#include "ek-signal-indicator.h"
#include "ek-ui-util.h"

struct _EkExamPage
{
  GtkWidget     parent_instance;

  EkEngine     *engine;       /* owned */
  EkCameraPaintable *camera_paintable; /* owned; the recorder's preview, or NULL */
  GCancellable *cancellable;  /* owned; cancelled on dispose */
  GCancellable *questions_cancellable; /* owned; the fetch in flight */
  GSignalGroup *channel_signals; /* owned; the engine's proctor channel */
  guint         unread;
  int           shown_phase;   /* the phase whose questions are on show, -1 */
  gboolean      ending;

  /* Written tests only. */
  EkAnswerStore *answer_store;      /* owned; the engine's, NULL until open */
  JsonArray    *waiting_questions;  /* owned; fetched before the store was open */
  GtkWidget    *question_view;      /* borrowed, in question_box; NULL if none */
  GListStore   *sheets;             /* owned; of GtkWidget: dialogs and sheets on the page */
  guint         sync_timeout;       /* bounds the last push before submitting */
  GCancellable *sync_cancellable;   /* owned; that push */

  /* Template children, borrowed. */
  GtkWidget    *content;
  GtkLabel     *phase_label;
  GtkLabel     *exam_title_label;
  EkCountdown  *countdown;
  EkAnnouncer  *announcer;     /* phase changes and minute marks, said to a screen reader */
  GtkLabel     *notice_label;
  GtkLabel     *recording_problem_label;
  GtkLabel     *phase_cue_label;
  GtkWidget    *chat_notice;
  GtkLabel     *chat_notice_label;
  guint         phase_cue_source;  /* hides the cue after a while */
  int           cued_phase;        /* the phase the cue was shown for; -1: none yet */
  GtkStack     *question_stack;
  GtkBox       *question_box;
  GtkLabel     *between_label;
  GtkLabel     *question_error_label;
  GtkRevealer  *chat_revealer;
  GtkBox       *chat_list;
  GtkScrolledWindow *chat_scroll;
  GtkEntry     *chat_entry;
  GtkLabel     *chat_error_label;
  GtkLabel     *chat_caption_label;
  EkCameraView *camera_view;
  EkSignalIndicator *signal_indicator;
  GtkLabel     *seat_label;
  GtkLabel     *extra_time_label;
  GtkLabel     *sequence_label;
  GtkWidget    *end_button;
  guint         too_early_source;  /* ticks the "you can hand in in M:SS" notice */
  GtkWidget    *sequence_caption;
  GtkLabel     *unread_badge;
  GtkLabel     *hand_label;
  GtkToggleButton *help_button;
  GtkWidget    *warning_overlay;
  GtkLabel     *warning_text_label;
  GtkButton    *ack_button;
  GtkWidget    *end_overlay;
  GtkLabel     *end_title_label;
  GtkLabel     *end_body_label;
  GtkButton    *end_confirm_button;
  GtkLabel     *end_error_label;
  GtkButton    *end_cancel_button;
  GtkSpinner   *end_spinner;
};

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkExamPage, ek_exam_page, GTK_TYPE_WIDGET)

/* How long handing in waits for the last answers to reach the server. Longer
 * than one push round trip; short enough that a candidate offline is not kept
 * waiting (the answers stay queued and are pushed when the network is back). */
#define SUBMIT_SYNC_TIMEOUT_MS 8000

static void show_questions (EkExamPage *self,
                            JsonArray  *questions);

/* --- phase and questions -------------------------------------------------- */

static void
update_phase (EkExamPage *self)
{
  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  int index = ek_session_get_phase_index (session);

  if (exam == NULL)
    return;

  if (index >= 0)
    {
      const EkPhase *phase = ek_exam_get_phase (exam, (guint) index);

      gtk_label_set_label (self->phase_label, phase->title);
      ek_countdown_set_deadline_ms (self->countdown, phase->ends_ms);
      return;
    }

  /* Between two phases: count down to the next one. */
  for (guint i = 0; i < ek_exam_get_n_phases (exam); i++)
    {
      const EkPhase *phase = ek_exam_get_phase (exam, i);

      if (ek_server_clock_ms_until (ek_session_get_clock (session), phase->starts_ms) > 0)
        {
          g_autofree char *text = NULL;
          g_autofree char *when = ek_format_clock_time (phase->starts_ms);

          /* Translators: %s is the name of a part of the exam, e.g. "Answering" */
          text = g_strdup_printf (_("Next: %s"), phase->title);
          gtk_label_set_label (self->phase_label, text);
          ek_countdown_set_deadline_ms (self->countdown, phase->starts_ms);
          g_free (text);
          /* Translators: %s is a time of day */
          text = g_strdup_printf (_("The next part starts at %s. Its questions appear by themselves."),
                                  when);
          gtk_label_set_label (self->between_label, text);
          gtk_stack_set_visible_child_name (self->question_stack, "between");
          ek_announcer_announce (self->announcer, text);
          return;
        }
    }
}

/* --- written tests: the answer store and the question view --------------- */

static gboolean
is_written (EkExamPage *self)
{
  EkExam *exam = ek_session_get_exam (ek_engine_get_session (self->engine));

  return exam != NULL && ek_exam_get_kind (exam) == EK_EXAM_KIND_WRITTEN;
}

static void
clear_question_box (EkExamPage *self)
{
  GtkWidget *child;

  self->question_view = NULL;
  gtk_widget_set_visible (self->end_button, TRUE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->question_box))) != NULL)
    gtk_box_remove (self->question_box, child);
}

static void
on_view_submit_requested_cb (EkExamPage *self)
{
  /* The same way as End exam: the minimum time first, then the confirmation. */
  gtk_widget_activate_action (GTK_WIDGET (self), "exam.end", NULL);
}

static void
show_written (EkExamPage *self,
              JsonArray  *questions)
{
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;
  guint position = 0;

  if (self->answer_store == NULL)
    {
      const char *problem = ek_engine_get_answer_store_problem (self->engine);

      /* Shown as soon as the store is open: no answer may be typed before. */
      if (self->waiting_questions != questions)
        {
          g_clear_pointer (&self->waiting_questions, json_array_unref);
          self->waiting_questions = json_array_ref (questions);
        }
      if (problem != NULL)
        {
          ek_show_message (self->question_error_label, problem);
          gtk_stack_set_visible_child_name (self->question_stack, "error");
          gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.refresh", TRUE);
          return;
        }
      gtk_stack_set_visible_child_name (self->question_stack, "loading");
      return;
    }

  list = ek_question_list_new_from_json (questions, &error);
  if (list == NULL)
    {
      ek_show_message (self->question_error_label, error->message);
      gtk_stack_set_visible_child_name (self->question_stack, "error");
      return;
    }

  /* Refresh keeps the candidate on the question they were at. */
  if (self->question_view != NULL)
    position = ek_question_view_get_position (EK_QUESTION_VIEW (self->question_view));

  clear_question_box (self);
  /* The view brings its own spacing; the cards' wide margins would push the page
   * past a 1366 pixel wide screen. */
  gtk_widget_set_margin_start (GTK_WIDGET (self->question_box), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self->question_box), 8);
  /* With Help open on a small screen the answer sheet and the question may not both
   * fit: the question area scrolls sideways rather than the page leaving the screen. */
  {
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self->question_box),
                                                   GTK_TYPE_SCROLLED_WINDOW);

    if (scroller != NULL)
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                      GTK_POLICY_AUTOMATIC, GTK_POLICY_AUTOMATIC);
  }
  self->question_view = ek_question_view_new (self->answer_store, list);
  /* One way to hand in: a written test's is the answer sheet's own Submit. */
  gtk_widget_set_visible (self->end_button, FALSE);
  gtk_widget_set_vexpand (self->question_view, TRUE);
  g_signal_connect_object (self->question_view, "submit-requested",
                           G_CALLBACK (on_view_submit_requested_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->question_box, self->question_view);
  if (position > 0 && position < g_list_model_get_n_items (list))
    ek_question_view_set_position (EK_QUESTION_VIEW (self->question_view), position);
  gtk_stack_set_visible_child_name (self->question_stack, "questions");
}

/* The engine's answers once open (or why they are not): the questions fetched before
 * go on show then. */
static void
follow_answer_store (EkExamPage *self)
{
  EkAnswerStore *store = ek_engine_get_answer_store (self->engine);
  g_autoptr(JsonArray) waiting = NULL;

  if (store == NULL)
    {
      /* The problem goes where the questions would be. */
      if (self->waiting_questions != NULL)
        show_written (self, self->waiting_questions);
      return;
    }
  if (store == self->answer_store)
    return;

  g_set_object (&self->answer_store, store);
  waiting = g_steal_pointer (&self->waiting_questions);
  if (waiting != NULL)
    show_questions (self, waiting);
}

static GtkWidget *
question_card (JsonObject *question,
               guint       number)
{
  const char *type = json_object_get_string_member_with_default (question, "type", "oral");
  const char *text = json_object_get_string_member_with_default (question, "text", "");
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  GtkWidget *label;
  g_autofree char *heading = NULL;

  gtk_widget_add_css_class (card, "ek-card");
  gtk_widget_add_css_class (card, "ek-question");

  /* Translators: the heading of a question card; %u is its number */
  heading = g_strdup_printf (_("Question %u"), number);
  label = gtk_label_new (heading);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "ek-question-number");
  gtk_box_append (GTK_BOX (card), label);

  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, "ek-question-text");
  gtk_box_append (GTK_BOX (card), label);

  if (json_object_has_member (question, "options") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (question, "options")))
    {
      JsonArray *options = json_object_get_array_member (question, "options");

      for (guint i = 0; i < json_array_get_length (options); i++)
        {
          JsonObject *option = json_array_get_object_element (options, i);
          g_autofree char *line = NULL;

          if (option == NULL)
            continue;
          line = g_strdup_printf ("%s.  %s",
                                  json_object_get_string_member_with_default (option, "id", ""),
                                  json_object_get_string_member_with_default (option, "text", ""));
          label = gtk_label_new (line);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_widget_add_css_class (label, "ek-question-option");
          gtk_box_append (GTK_BOX (card), label);
        }
    }

  if (!g_str_equal (type, "oral"))
    {
      /* Only a written test answers on screen (EkQuestionView, see show_written());
       * a written question slipped into an interview is shown, not answered. */
      label = gtk_label_new (_("Answering on screen is not available in this build."));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "ek-caption");
      gtk_box_append (GTK_BOX (card), label);
    }

  return card;
}

static void
show_questions (EkExamPage *self,
                JsonArray  *questions)
{
  GtkWidget *child;
  guint number = 0;

  if (is_written (self))
    {
      show_written (self, questions);
      return;
    }

  clear_question_box (self);

  for (guint i = 0; i < json_array_get_length (questions); i++)
    {
      JsonNode *node = json_array_get_element (questions, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      gtk_box_append (self->question_box, question_card (json_node_get_object (node), ++number));
    }

  if (number == 0)
    {
      child = gtk_label_new (_("This part of the exam has no questions on screen."));
      gtk_label_set_wrap (GTK_LABEL (child), TRUE);
      gtk_widget_add_css_class (child, "ek-page-body");
      gtk_box_append (self->question_box, child);
    }

  gtk_stack_set_visible_child_name (self->question_stack, "questions");
}

static void
on_questions_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkExamPage) self = user_data;
  g_autoptr(JsonArray) questions = NULL;
  g_autoptr(GError) error = NULL;

  questions = ek_engine_get_questions_finish (EK_ENGINE (object), result, &error);
  if (questions == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->question_error_label, error->message);
      gtk_stack_set_visible_child_name (self->question_stack, "error");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.refresh", TRUE);
      return;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.refresh", TRUE);
  show_questions (self, questions);
}

static void
fetch_questions (EkExamPage *self,
                 int         phase_index)
{
  g_cancellable_cancel (self->questions_cancellable);
  g_clear_object (&self->questions_cancellable);

  if (phase_index < 0)
    return;

  self->questions_cancellable = g_cancellable_new ();
  self->shown_phase = phase_index;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.refresh", FALSE);
  gtk_stack_set_visible_child_name (self->question_stack, "loading");
  ek_engine_get_questions_async (self->engine, (guint) phase_index, self->questions_cancellable,
                                 on_questions_cb, g_object_ref (self));
}

static void
on_phase_index_cb (EkExamPage *self)
{
  update_phase (self);
}

static gboolean
on_phase_cue_timeout_cb (gpointer user_data)
{
  EkExamPage *self = EK_EXAM_PAGE (user_data);

  gtk_widget_set_visible (GTK_WIDGET (self->phase_cue_label), FALSE);
  self->phase_cue_source = 0;
  return G_SOURCE_REMOVE;
}

/* "Answering has begun, until 10:35. Then: …": said for every part, shown for a part
 * that follows another. */
static char *
phase_cue_text (EkExamPage *self,
                int         index)
{
  EkExam *exam = ek_session_get_exam (ek_engine_get_session (self->engine));
  const EkPhase *phase;
  g_autofree char *until = NULL;

  if (exam == NULL || index < 0 || (guint) index >= ek_exam_get_n_phases (exam))
    return NULL;

  phase = ek_exam_get_phase (exam, (guint) index);
  until = ek_format_clock_time (phase->ends_ms);
  if ((guint) index + 1 < ek_exam_get_n_phases (exam))
    /* Translators: a part of the exam began; %1$s and %3$s are parts ("Answering"), %2$s a time */
    return g_strdup_printf (_("%1$s has begun, until %2$s. Then: %3$s."), phase->title, until,
                            ek_exam_get_phase (exam, (guint) index + 1)->title);

  /* Translators: the last part of the exam began; %1$s is its name, %2$s a time */
  return g_strdup_printf (_("%1$s has begun, until %2$s. It is the last part of the exam."),
                          phase->title, until);
}

/* A part that follows another never begins silently: the page says which part runs
 * now, until when, and what comes after it, for half a minute. */
static void
show_phase_cue (EkExamPage *self,
                const char *text)
{
  gtk_label_set_label (self->phase_cue_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->phase_cue_label), TRUE);
  g_clear_handle_id (&self->phase_cue_source, g_source_remove);
  self->phase_cue_source = g_timeout_add_seconds (30, on_phase_cue_timeout_cb, self);
}

/* The countdown passed 10, 5 or 1 minutes left: a screen reader says so (the colour
 * change of the last minute is for the eyes). */
static void
on_minute_mark_cb (EkExamPage *self,
                   int         minutes)
{
  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  int index = ek_session_get_phase_index (session);
  g_autofree char *text = NULL;

  if (exam == NULL || index < 0)
    return;

  /* Translators: said by a screen reader; %2$s is a part of the exam ("Answering") */
  text = g_strdup_printf (ngettext ("%1$d minute left in %2$s.", "%1$d minutes left in %2$s.",
                                    (gulong) minutes),
                          minutes, ek_exam_get_phase (exam, (guint) index)->title);
  ek_announcer_announce (self->announcer, text);
}

static void
on_phase_started_cb (EkExamPage *self,
                     int         index)
{
  g_autofree char *text = phase_cue_text (self, index);

  /* Every part is announced, the one the candidate enters in too (the announcer says it
   * once the page is on show); a later one changed, and is shown as well. */
  if (text != NULL && index != self->cued_phase)
    {
      ek_announcer_announce (self->announcer, text);
      if (self->cued_phase >= 0)
        show_phase_cue (self, text);
    }
  self->cued_phase = index;
  fetch_questions (self, index);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);

  /* Answers that could not be opened are tried again too. */
  if (self->answer_store == NULL && ek_engine_get_answer_store_problem (self->engine) != NULL)
    ek_engine_reopen_answer_store (self->engine);
  fetch_questions (self, ek_session_get_phase_index (ek_engine_get_session (self->engine)));
}

/* --- help chat and proctor messages --------------------------------------- */

static void
update_unread (EkExamPage *self)
{
  g_autofree char *text = g_strdup_printf ("%u", self->unread);

  gtk_label_set_label (self->unread_badge, text);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_badge), self->unread > 0);
  /* The message itself stays where the candidate looks until Help is opened. */
  gtk_widget_set_visible (self->chat_notice, self->unread > 0);
}

static void
add_chat_line (EkExamPage *self,
               const char *text,
               gboolean    from_proctor,
               gint64      sent_ms)
{
  GtkWidget *bubble = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label;
  g_autofree char *when = ek_format_clock_time (sent_ms);
  g_autofree char *caption = NULL;
  GtkAdjustment *adjustment;

  caption = g_strdup_printf ("%s · %s", from_proctor ? _("Proctor") : _("You"), when);
  label = gtk_label_new (caption);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "ek-caption");
  gtk_box_append (GTK_BOX (bubble), label);

  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (bubble), label);

  gtk_widget_add_css_class (bubble, "ek-chat-bubble");
  gtk_widget_add_css_class (bubble, from_proctor ? "ek-chat-proctor" : "ek-chat-mine");
  gtk_widget_set_halign (bubble, from_proctor ? GTK_ALIGN_START : GTK_ALIGN_END);
  gtk_box_append (self->chat_list, bubble);

  adjustment = gtk_scrolled_window_get_vadjustment (self->chat_scroll);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
}

static EkProctorChannel *
get_channel (EkExamPage *self)
{
  return ek_engine_get_proctor_channel (self->engine);
}

/* The channel's oldest warning not yet acknowledged covers the page. */
static void
show_next_warning (EkExamPage *self)
{
  EkProctorChannel *channel = get_channel (self);
  JsonObject *warning = channel != NULL ? ek_proctor_channel_get_warning (channel) : NULL;

  gtk_widget_set_visible (self->warning_overlay, warning != NULL);
  if (warning == NULL)
    return;

  gtk_label_set_label (self->warning_text_label,
                       json_object_get_string_member_with_default (warning, "text", ""));
  gtk_widget_grab_focus (GTK_WIDGET (self->ack_button));
  /* When it went on screen, for the acknowledgement's event. */
  ek_proctor_channel_warning_shown (channel);
}

static void
on_chat_received_cb (EkExamPage *self,
                     const char *text,
                     gint64      sent_ms)
{
  add_chat_line (self, text, TRUE, sent_ms);
  if (!gtk_revealer_get_reveal_child (self->chat_revealer))
    {
      g_autofree char *markup = NULL;

      /* Translators: before the proctor's chat message, on the exam page */
      markup = g_markup_printf_escaped ("<b>%s</b>  %s", _("Message from the proctor:"), text);
      gtk_label_set_markup (self->chat_notice_label, markup);
      self->unread++;
      update_unread (self);
    }
}

/* What a chat message carries to its answer. */
typedef struct
{
  EkExamPage *self;  /* owned */
  char       *text;  /* the chat text */
} Sending;

static Sending *
sending_new (EkExamPage *self,
             const char *text)
{
  Sending *sending = g_new0 (Sending, 1);

  sending->self = g_object_ref (self);
  sending->text = g_strdup (text);
  return sending;
}

static void
sending_free (Sending *sending)
{
  g_object_unref (sending->self);
  g_free (sending->text);
  g_free (sending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sending, sending_free)

static void
on_help_toggled_cb (EkExamPage *self)
{
  gboolean open = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->help_button));

  /* The sheet lies over the side panel: closed, it lets clicks through to it. */
  gtk_widget_set_can_target (GTK_WIDGET (self->chat_revealer), open);
  gtk_revealer_set_reveal_child (self->chat_revealer, open);
  if (open)
    {
      self->unread = 0;
      update_unread (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->chat_entry));
    }
}

static void
help_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);
  GtkToggleButton *button = GTK_TOGGLE_BUTTON (self->help_button);

  gtk_toggle_button_set_active (button, !gtk_toggle_button_get_active (button));
}

static void
on_chat_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Sending) sending = user_data;
  EkExamPage *self = sending->self;
  g_autoptr(GError) error = NULL;
  gint64 sent_ms = 0;

  if (!ek_proctor_channel_send_finish (EK_PROCTOR_CHANNEL (object), result, &sent_ms, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      ek_show_message (self->chat_error_label, error->message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.send-chat", TRUE);
      return;
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.send-chat", TRUE);
  add_chat_line (self, sending->text, FALSE, sent_ms);
  gtk_editable_set_text (GTK_EDITABLE (self->chat_entry), "");
}

static void
send_chat_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->chat_entry))));

  if (*text == '\0' || get_channel (self) == NULL)
    return;

  ek_show_message (self->chat_error_label, NULL);
  gtk_widget_action_set_enabled (widget, "exam.send-chat", FALSE);
  ek_proctor_channel_send_chat_async (get_channel (self), text, self->cancellable,
                                      on_chat_sent_cb, sending_new (self, text));
}

static void
on_chat_activate_cb (EkExamPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "exam.send-chat", NULL);
}

static void
on_hand_raised_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(EkExamPage) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 sent_ms = 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.hand-raise", TRUE);

  if (!ek_proctor_channel_send_finish (EK_PROCTOR_CHANNEL (object), result, &sent_ms, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ek_show_message (self->hand_label, error->message);
      return;
    }

  {
    g_autofree char *when = ek_format_clock_time (sent_ms);
    g_autofree char *text = NULL;

    /* Translators: %s is a time of day */
    text = g_strdup_printf (_("You called the proctor at %s. The answer comes in Help."), when);
    ek_show_message (self->hand_label, text);
  }
}

static void
hand_raise_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);

  if (get_channel (self) == NULL)
    return;
  gtk_widget_action_set_enabled (widget, "exam.hand-raise", FALSE);
  ek_proctor_channel_raise_hand_async (get_channel (self), self->cancellable, on_hand_raised_cb,
                                       g_object_ref (self));
}

static void
ack_warning_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);

  /* Logged and acknowledged by the channel; its next warning (if any) comes through
   * notify::warning. */
  if (get_channel (self) != NULL)
    ek_proctor_channel_acknowledge_warning (get_channel (self));
}

/* --- ending --------------------------------------------------------------- */

/* The one hand-in confirmation, laid over the whole page so that it is centred on the
 * window whatever Help takes: a written test's says how many questions are unanswered
 * and hands in (交卷), an interview's ends the exam. */
static void
set_up_end_confirmation (EkExamPage *self)
{
  g_autofree char *title = NULL;

  if (self->question_view != NULL && self->answer_store != NULL &&
      !ek_answer_store_get_read_only (self->answer_store))
    {
      guint n_unanswered = ek_question_view_get_n_unanswered (EK_QUESTION_VIEW (self->question_view));

      if (n_unanswered > 0)
        title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "%u question is unanswered. Submit anyway?",
                                              "%u questions are unanswered. Submit anyway?",
                                              n_unanswered),
                                 n_unanswered);
      else
        title = g_strdup (_("Submit your answers?"));
      gtk_label_set_label (self->end_title_label, title);
      gtk_label_set_label (self->end_body_label,
                           _("After submitting you cannot change any answer. This cannot be undone."));
      gtk_button_set_label (self->end_confirm_button, _("Submit"));
      return;
    }

  gtk_label_set_label (self->end_title_label, _("End the exam now?"));
  gtk_label_set_label (self->end_body_label,
                       _("This cannot be undone. Once you end the exam you cannot come back to "
                         "it, see the questions again or change any answer. Your answers and "
                         "your recording are kept and handed in."));
  gtk_button_set_label (self->end_confirm_button, _("_End the exam"));
}

/* Until the exam's earliest hand-in time: the seconds left, counted on the server
 * clock; the notice goes when the time has come. */
static gboolean
on_too_early_tick_cb (gpointer user_data)
{
  EkExamPage *self = EK_EXAM_PAGE (user_data);
  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  gint64 remaining = 0;

  if (exam != NULL)
    remaining = ek_exam_get_min_submit_ms (exam) - ek_server_clock_now_ms (ek_session_get_clock (session));

  if (remaining <= 0)
    {
      ek_show_message (self->notice_label, NULL);
      self->too_early_source = 0;
      return G_SOURCE_REMOVE;
    }

  {
    g_autofree char *left = ek_countdown_format (remaining);
    /* Translators: %s is the time left, "MM:SS" */
    g_autofree char *text = g_strdup_printf (_("You can hand in your exam in %s."), left);

    ek_show_message (self->notice_label, text);
  }
  return G_SOURCE_CONTINUE;
}

static void
end_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->ending)
    return;

  if (!ek_session_can_submit (ek_engine_get_session (self->engine), &error))
    {
      if (g_error_matches (error, EK_SESSION_ERROR, EK_SESSION_ERROR_TOO_EARLY))
        {
          if (self->too_early_source == 0)
            self->too_early_source = g_timeout_add (250, on_too_early_tick_cb, self);
          on_too_early_tick_cb (self);
          return;
        }
      ek_show_message (self->notice_label, error->message);
      return;
    }

  ek_show_message (self->notice_label, NULL);

  set_up_end_confirmation (self);
  ek_show_message (self->end_error_label, NULL);
  gtk_widget_set_visible (self->end_overlay, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->end_cancel_button));
}

static void
end_cancel_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);

  if (self->ending)
    return;
  gtk_widget_set_visible (self->end_overlay, FALSE);
}

static void
on_submitted_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkExamPage) self = user_data;
  g_autoptr(GError) error = NULL;

  self->ending = FALSE;
  ek_show_spinner (self->end_spinner, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.end-confirm", TRUE);

  /* On success the session is finishing and the window shows the finish page. */
  if (!ek_engine_step_finish (EK_ENGINE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          ek_show_message (self->end_error_label, error->message);
        }
      return;
    }

  /* Handed in: the engine makes the answers final and pushes what is still queued. */
}

static void
submit_now (EkExamPage *self)
{
  guint n_answered = 0;

  if (self->answer_store != NULL)
    n_answered = ek_answer_store_get_n_answered (self->answer_store);
  ek_engine_submit_async (self->engine, n_answered, self->cancellable, on_submitted_cb,
                          g_object_ref (self));
}

static void
on_last_sync_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(EkExamPage) self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->sync_timeout, g_source_remove);
  g_clear_object (&self->sync_cancellable);

  /* Offline or slow: submitted anyway. The answers stay queued in the store and
   * are pushed when the server can be reached, after a restart too. */
  if (!ek_answer_store_sync_finish (EK_ANSWER_STORE (object), result, &error))
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      g_message ("Submitting with answers not yet on the server: %s", error->message);
    }

  submit_now (self);
}

static gboolean
on_sync_timeout_cb (gpointer user_data)
{
  EkExamPage *self = user_data;

  self->sync_timeout = 0;
  g_cancellable_cancel (self->sync_cancellable);
  return G_SOURCE_REMOVE;
}

/* Hands the exam in: a written test's last answers are pushed first (bounded). */
static void
hand_in (EkExamPage *self)
{
  self->ending = TRUE;
  ek_show_message (self->end_error_label, NULL);
  ek_show_spinner (self->end_spinner, TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.end-confirm", FALSE);

  if (self->answer_store == NULL || ek_answer_store_get_api_client (self->answer_store) == NULL)
    {
      submit_now (self);
      return;
    }

  ek_show_message (self->notice_label, _("Handing in your answers…"));
  self->sync_cancellable = g_cancellable_new ();
  self->sync_timeout = g_timeout_add (SUBMIT_SYNC_TIMEOUT_MS, on_sync_timeout_cb, self);
  ek_answer_store_sync_async (self->answer_store, self->sync_cancellable, on_last_sync_cb,
                              g_object_ref (self));
}

static void
end_confirm_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  EkExamPage *self = EK_EXAM_PAGE (widget);

  if (self->ending)
    return;
  hand_in (self);
}

/* --- the camera and the level meter ---------------------------------------- */

static void
on_level_db_cb (EkRecorder *recorder,
                GParamSpec *pspec,
                EkExamPage *self)
{
  ek_camera_view_set_level_db (self->camera_view, ek_recorder_get_level_db (recorder));
}

/* The quiet notice while a proctoring signal is active ("We can't see your face."). */
static void
follow_proctor (EkExamPage *self)
{
  EkExamProctor *proctor = ek_engine_get_proctor (self->engine);

  ek_signal_indicator_set_signals (self->signal_indicator,
                                   proctor != NULL ? ek_exam_proctor_get_signals (proctor) : NULL);
}

static void
follow_proctor_channel (EkExamPage *self)
{
  EkProctorChannel *channel = get_channel (self);
  GPtrArray *chat = channel != NULL ? ek_proctor_channel_get_chat (channel) : NULL;

  g_signal_group_set_target (self->channel_signals, channel);
  /* What the proctor wrote before the page was made (a re-entered exam). */
  for (guint i = 0; chat != NULL && i < chat->len; i++)
    on_chat_received_cb (self,
                         json_object_get_string_member_with_default (chat->pdata[i], "text", ""),
                         json_object_get_int_member_with_default (chat->pdata[i], "sent_ms", 0));
  show_next_warning (self);
}

/* A recording that stopped (the disk full, the camera gone) is said at once, on the
 * page the candidate is looking at, not only at the finish. */
static void
update_recording_problem (EkExamPage *self)
{
  ek_show_message (self->recording_problem_label, ek_engine_get_recording_problem (self->engine));
}

/* Shows the preview and the level of the engine's recording, when there is one. */
static void
follow_recording (EkExamPage *self)
{
  EkExamRecording *recording = ek_engine_get_recording (self->engine);
  EkRecorder *recorder = recording != NULL ? ek_exam_recording_get_recorder (recording) : NULL;

  if (self->camera_paintable != NULL &&
      ek_camera_paintable_get_recorder (self->camera_paintable) == recorder)
    return;

  if (recorder == NULL)
    {
      /* The last frame would lie about a recording that is over. */
      ek_camera_view_set_paintable (self->camera_view, NULL);
      ek_camera_view_set_level (self->camera_view, -1);
      g_clear_object (&self->camera_paintable);
      return;
    }

  g_clear_object (&self->camera_paintable);
  self->camera_paintable = ek_camera_paintable_new (recorder);
  ek_camera_view_set_paintable (self->camera_view, GDK_PAINTABLE (self->camera_paintable));
  g_signal_connect_object (recorder, "notify::level-db", G_CALLBACK (on_level_db_cb), self, 0);
  on_level_db_cb (recorder, NULL, self);
}

static void
ek_exam_page_constructed (GObject *object)
{
  EkExamPage *self = EK_EXAM_PAGE (object);

  G_OBJECT_CLASS (ek_exam_page_parent_class)->constructed (object);

  EkSession *session = ek_engine_get_session (self->engine);
  EkExam *exam = ek_session_get_exam (session);
  EkCandidate *candidate = ek_session_get_candidate (session);
  const EkSessionState *state = ek_session_get_state (session);

  ek_countdown_set_clock (self->countdown, ek_session_get_clock (session));
  if (exam != NULL)
    gtk_label_set_label (self->exam_title_label, ek_exam_get_title (exam));
  /* The seat, never the name: the picture and the screen may be seen by others. */
  if (candidate != NULL)
    gtk_label_set_label (self->seat_label, ek_candidate_get_seat (candidate));
  /* Extra time is in the server's deadlines, which the countdown shows: only said here. */
  if (candidate != NULL && ek_candidate_get_extra_time_ms (candidate) > 0)
    {
      g_autofree char *extra = ek_format_extra_time (ek_candidate_get_extra_time_ms (candidate));

      gtk_label_set_label (self->extra_time_label, extra);
      gtk_widget_set_visible (GTK_WIDGET (self->extra_time_label), TRUE);
    }
  /* A sequence number only where one was drawn (not in a written test): no "–". */
  if (state != NULL && state->sequence_number >= 0)
    {
      g_autofree char *sequence = g_strdup_printf ("%" G_GINT64_FORMAT, state->sequence_number);

      gtk_label_set_label (self->sequence_label, sequence);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sequence_label),
                          state != NULL && state->sequence_number >= 0);
  gtk_widget_set_visible (self->sequence_caption, state != NULL && state->sequence_number >= 0);

  if (ek_engine_is_practice (self->engine))
    {
      gtk_label_set_label (self->chat_caption_label,
                           _("There is no proctor in the practice exam: Help and Call proctor "
                             "show where they are, but nobody answers."));
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.hand-raise", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "exam.send-chat", FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->chat_entry), FALSE);
    }

  g_signal_connect_object (session, "notify::phase-index",
                           G_CALLBACK (on_phase_index_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "phase-started",
                           G_CALLBACK (on_phase_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->countdown, "minute-mark",
                           G_CALLBACK (on_minute_mark_cb), self, G_CONNECT_SWAPPED);
  update_phase (self);

  g_signal_connect_object (self->engine, "notify::recording",
                           G_CALLBACK (follow_recording), self, G_CONNECT_SWAPPED);
  follow_recording (self);
  g_signal_connect_object (self->engine, "notify::recording-problem",
                           G_CALLBACK (update_recording_problem), self, G_CONNECT_SWAPPED);
  update_recording_problem (self);
  g_signal_connect_object (self->engine, "notify::proctor",
                           G_CALLBACK (follow_proctor), self, G_CONNECT_SWAPPED);
  follow_proctor (self);

  /* The proctor's messages: what the channel received, shown here. */
  self->channel_signals = g_signal_group_new (EK_TYPE_PROCTOR_CHANNEL);
  g_signal_group_connect_swapped (self->channel_signals, "chat-received",
                                  G_CALLBACK (on_chat_received_cb), self);
  g_signal_group_connect_swapped (self->channel_signals, "notify::warning",
                                  G_CALLBACK (show_next_warning), self);
  g_signal_connect_object (self->engine, "notify::proctor-channel",
                           G_CALLBACK (follow_proctor_channel), self, G_CONNECT_SWAPPED);
  follow_proctor_channel (self);

  /* Before the questions: a written test shows them only with the store open. */
  g_signal_connect_object (self->engine, "notify::answer-store",
                           G_CALLBACK (follow_answer_store), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "notify::answer-store-problem",
                           G_CALLBACK (follow_answer_store), self, G_CONNECT_SWAPPED);
  follow_answer_store (self);

  /* A candidate who enters (or re-enters) in a running part lands after its
   * phase-started: the part is announced all the same, once the page is on show. */
  if (ek_session_get_phase_index (session) >= 0)
    {
      g_autofree char *text = phase_cue_text (self, ek_session_get_phase_index (session));

      self->cued_phase = ek_session_get_phase_index (session);
      if (text != NULL)
        ek_announcer_announce (self->announcer, text);
      fetch_questions (self, ek_session_get_phase_index (session));
    }
}

static void
ek_exam_page_dispose (GObject *object)
{
  EkExamPage *self = EK_EXAM_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->questions_cancellable);
  g_clear_object (&self->questions_cancellable);
  g_cancellable_cancel (self->sync_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_handle_id (&self->sync_timeout, g_source_remove);
  g_clear_handle_id (&self->too_early_source, g_source_remove);
  g_clear_handle_id (&self->phase_cue_source, g_source_remove);
  g_clear_pointer (&self->waiting_questions, json_array_unref);
  self->question_view = NULL;
  if (self->channel_signals != NULL)
    g_signal_group_set_target (self->channel_signals, NULL);
  g_clear_object (&self->channel_signals);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_EXAM_PAGE);
  g_clear_object (&self->sheets);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->answer_store);
  g_clear_object (&self->camera_paintable);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (ek_exam_page_parent_class)->dispose (object);
}

static void
ek_exam_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkExamPage *self = EK_EXAM_PAGE (object);

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
ek_exam_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  EkExamPage *self = EK_EXAM_PAGE (object);

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
ek_exam_page_class_init (EkExamPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_exam_page_constructed;
  object_class->dispose = ek_exam_page_dispose;
  object_class->get_property = ek_exam_page_get_property;
  object_class->set_property = ek_exam_page_set_property;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         EK_TYPE_ENGINE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-exam-page.ui");
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, content);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, phase_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, exam_title_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, countdown);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, announcer);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, notice_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, recording_problem_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, phase_cue_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_notice);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_notice_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, question_stack);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, question_box);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, between_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, question_error_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_revealer);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_list);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_scroll);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_entry);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_error_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, chat_caption_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, signal_indicator);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, seat_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, extra_time_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, sequence_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_button);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, sequence_caption);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, unread_badge);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, hand_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, help_button);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, warning_overlay);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, warning_text_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, ack_button);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_overlay);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_title_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_body_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_confirm_button);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_error_label);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, EkExamPage, end_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_chat_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_help_toggled_cb);

  /**
   * EkExamPage|exam.refresh:
   *
   * Fetches the questions of the running phase again.
   */
  gtk_widget_class_install_action (widget_class, "exam.refresh", NULL, refresh_action);

  /**
   * EkExamPage|exam.hand-raise:
   *
   * Calls the proctor.
   */
  gtk_widget_class_install_action (widget_class, "exam.hand-raise", NULL, hand_raise_action);

  /**
   * EkExamPage|exam.send-chat:
   *
   * Sends the Help message typed.
   */
  gtk_widget_class_install_action (widget_class, "exam.send-chat", NULL, send_chat_action);

  /**
   * EkExamPage|exam.ack-warning:
   *
   * "I understand": acknowledges the proctor's warning.
   */
  gtk_widget_class_install_action (widget_class, "exam.ack-warning", NULL, ack_warning_action);

  /**
   * EkExamPage|exam.end:
   *
   * Asks to confirm the end of the exam (refused before the minimum time).
   */
  gtk_widget_class_install_action (widget_class, "exam.end", NULL, end_action);

  /**
   * EkExamPage|exam.end-confirm:
   *
   * Ends the exam: the answers are handed in.
   */
  gtk_widget_class_install_action (widget_class, "exam.end-confirm", NULL, end_confirm_action);

  /**
   * EkExamPage|exam.end-cancel:
   *
   * Goes back to the exam.
   */
  gtk_widget_class_install_action (widget_class, "exam.end-cancel", NULL, end_cancel_action);

  g_type_ensure (EK_TYPE_CAMERA_VIEW);
  g_type_ensure (EK_TYPE_SIGNAL_INDICATOR);
  g_type_ensure (EK_TYPE_COUNTDOWN);
  g_type_ensure (EK_TYPE_ANNOUNCER);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "exam.refresh", NULL);

  /**
   * EkExamPage|exam.help:
   *
   * Opens or closes the Help chat (also F1).
   */
  gtk_widget_class_install_action (widget_class, "exam.help", NULL, help_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "exam.help", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "exampage");
}

static void
ek_exam_page_init (EkExamPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->shown_phase = -1;
  self->cued_phase = -1;
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The cards, not their dimming layers: the page under the dim keeps its watermark. */
  self->sheets = g_list_store_new (GTK_TYPE_WIDGET);
  g_list_store_append (self->sheets, gtk_widget_get_first_child (self->end_overlay));
  g_list_store_append (self->sheets, gtk_widget_get_first_child (self->warning_overlay));
  g_list_store_append (self->sheets, self->chat_revealer);
}

GtkWidget *
ek_exam_page_new (EkEngine *engine)
{
  g_return_val_if_fail (EK_IS_ENGINE (engine), NULL);

  return g_object_new (EK_TYPE_EXAM_PAGE, "engine", engine, NULL);
}

/**
 * ek_exam_page_get_sheets:
 * @self: an #EkExamPage
 *
 * Returns: (transfer none): the dialogs and sheets the page lays over itself (hand-in,
 *   the Submit confirmation, the proctor's warning, Help), as #GtkWidget, kept current,
 *   for what lies over the whole page (the watermark) to keep clear of
 */
GListModel *
ek_exam_page_get_sheets (EkExamPage *self)
{
  g_return_val_if_fail (EK_IS_EXAM_PAGE (self), NULL);

  return G_LIST_MODEL (self->sheets);
}
