/* ek-lockdown-overlay.c: what the lockdown shows over the exam page
 *
 * Above the page, in its own row so it never hides the clock or the question: the
 * practice's "lockdown relaxed" strip and a warning the candidate acknowledges. Over
 * the page: the watermark, and only for a locked or paused exam (or its forced
 * submission) a notice that covers the question.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-lockdown-overlay.h"
#include "ek-watermark.h"

struct _EkLockdownOverlay
{
  GtkWidget             parent_instance;

  EkLockdownController *controller;   /* owned */
  GtkWidget            *box;          /* owned child: the strips, then the overlay */
  GtkWidget            *overlay;      /* borrowed, inside box */
  GtkWidget            *child;        /* borrowed, inside overlay */
  GtkWidget            *watermark;    /* borrowed */
  GtkWidget            *relaxed_banner;
  GtkWidget            *notice;       /* the dimming layer; input stops here */
  GtkWidget            *notice_title;
  GtkWidget            *notice_body;
  GtkWidget            *warning_bar;  /* the acknowledged warning, above the page */
  GtkWidget            *warning_text;
  GtkWidget            *notice_button;
  char                 *warning_type; /* the type of the last escalation */
};

G_DEFINE_FINAL_TYPE (EkLockdownOverlay, ek_lockdown_overlay, GTK_TYPE_WIDGET)

/**
 * ek_violation_type_describe:
 *
 * Returns: a translated phrase for a violation type, for the candidate
 */
const char *
ek_violation_type_describe (const char *type)
{
  static const struct { const char *type; const char *text; } names[] = {
    { EK_VIOLATION_FOCUS_LOST, N_("The exam window lost the focus") },
    { EK_VIOLATION_WINDOW_HIDDEN, N_("The exam window was hidden") },
    { EK_VIOLATION_WINDOW_OBSCURED, N_("Another window covered the exam") },
    { EK_VIOLATION_POINTER_LEFT, N_("The pointer left the exam window") },
    { EK_VIOLATION_MONITOR_ADDED, N_("Another display was connected") },
    { EK_VIOLATION_BLOCKED_PROCESS, N_("A program that is not allowed was started") },
    { EK_VIOLATION_SYNTHETIC_INPUT, N_("Input from another program was detected") },
    { EK_VIOLATION_KEYBOARD_LOCK_LOST, N_("The keyboard lock was lost") },
    { EK_VIOLATION_USB_STORAGE, N_("A USB storage device was connected") },
    { EK_VIOLATION_NETWORK_CHANGED, N_("The network connection changed") },
    { EK_VIOLATION_FACE_ABSENT, N_("Your face was not visible") },
    { EK_VIOLATION_MULTIPLE_FACES, N_("More than one person was visible") },
    { EK_VIOLATION_FACE_NOT_VISIBLE, N_("Your face was too small or covered") },
    { EK_VIOLATION_VOICE, N_("Speaking was heard") },
    { EK_VIOLATION_DISPLAY_CLIENT, N_("Another program connected to the screen") },
    { EK_VIOLATION_GEOMETRY_CHANGED, N_("The exam window was moved, resized or left full screen") },
    { EK_VIOLATION_POINTER_GRABBED, N_("Another program took the pointer") },
    { EK_VIOLATION_KEYBOARD_ADDED, N_("Another keyboard was added") },
    { EK_VIOLATION_DEBUGGER, N_("A debugger attached to the exam") },
    { EK_VIOLATION_INJECTION, N_("Code was injected into the exam") },
    { EK_VIOLATION_PROCESS_STOPPED, N_("The exam was stopped or frozen") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_strcmp0 (names[i].type, type) == 0)
        return _(names[i].text);
    }

  return _("A rule of the exam was broken");
}

static void
update_notice (EkLockdownOverlay *self)
{
  EkViolationTracker *tracker = ek_lockdown_controller_get_tracker (self->controller);
  EkEscalationStep step = ek_violation_tracker_get_step (tracker);
  const char *reason = ek_lockdown_controller_get_block_reason (self->controller);
  const char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *warning = NULL;

  if (step == EK_ESCALATION_SUBMIT)
    {
      title = _("The exam is being submitted");
      body = g_strdup (_("Because of repeated rule violations, your exam is submitted now. "
                         "The proctor has been informed."));
    }
  else if (reason != NULL)
    {
      title = _("The exam is paused");
      body = g_strdup (reason);
    }
  else if (step == EK_ESCALATION_WARNING)
    {
      g_autofree char *what = NULL;

      /* Translators: %s says what happened, e.g. "Another window covered the exam" */
      what = g_strdup_printf (_("%s. This was recorded and the proctor can see it. Keep to "
                                "the exam rules; repeated violations lock or end the exam."),
                              ek_violation_type_describe (self->warning_type));
      warning = g_markup_printf_escaped ("<b>%s</b>  %s", _("Warning"), what);
    }

  gtk_widget_set_visible (self->notice, title != NULL);
  gtk_label_set_text (GTK_LABEL (self->notice_title), title ? title : "");
  gtk_label_set_text (GTK_LABEL (self->notice_body), body ? body : "");

  gtk_widget_set_visible (self->warning_bar, warning != NULL && title == NULL);
  gtk_label_set_markup (GTK_LABEL (self->warning_text), warning ? warning : "");
  if (warning != NULL && title == NULL)
    gtk_widget_grab_focus (self->notice_button);
}

static void
controller_changed_cb (EkLockdownOverlay *self)
{
  update_notice (self);
}

static void
controller_escalated_cb (EkLockdownController *controller,
                         const char           *type,
                         int                   step,
                         EkLockdownOverlay    *self)
{
  g_free (self->warning_type);
  self->warning_type = g_strdup (type);
  update_notice (self);
}

static void
acknowledge_clicked_cb (EkLockdownOverlay *self)
{
  ek_lockdown_controller_acknowledge_warning (self->controller);
}

static void
ek_lockdown_overlay_dispose (GObject *object)
{
  EkLockdownOverlay *self = (EkLockdownOverlay *)object;

  g_clear_pointer (&self->box, gtk_widget_unparent);
  self->overlay = NULL;
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);

  G_OBJECT_CLASS (ek_lockdown_overlay_parent_class)->dispose (object);
}

static void
ek_lockdown_overlay_finalize (GObject *object)
{
  EkLockdownOverlay *self = (EkLockdownOverlay *)object;

  g_clear_pointer (&self->warning_type, g_free);

  G_OBJECT_CLASS (ek_lockdown_overlay_parent_class)->finalize (object);
}

static void
ek_lockdown_overlay_class_init (EkLockdownOverlayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_lockdown_overlay_dispose;
  object_class->finalize = ek_lockdown_overlay_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lockdownoverlay");
}

static void
ek_lockdown_overlay_init (EkLockdownOverlay *self)
{
  GtkWidget *card;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->relaxed_banner = gtk_label_new (_("Practice mode: the exam lockdown is relaxed."));
  gtk_widget_add_css_class (self->relaxed_banner, "ek-relaxed-banner");
  gtk_label_set_wrap (GTK_LABEL (self->relaxed_banner), TRUE);
  gtk_widget_set_visible (self->relaxed_banner, FALSE);
  gtk_box_append (GTK_BOX (self->box), self->relaxed_banner);

  /* The warning: a strip above the page, so the clock and the question stay in view
   * while the candidate reads it; the exam goes on. */
  self->warning_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 16);
  gtk_widget_add_css_class (self->warning_bar, "ek-warning-bar");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->warning_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Warning"), -1);
  gtk_widget_set_visible (self->warning_bar, FALSE);
  self->warning_text = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->warning_text), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->warning_text), 0);
  gtk_widget_set_hexpand (self->warning_text, TRUE);
  gtk_widget_set_valign (self->warning_text, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->warning_text),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Warning"), -1);
  self->notice_button = gtk_button_new_with_mnemonic (_("_I Understand"));
  gtk_widget_add_css_class (self->notice_button, "ek-big-button");
  gtk_widget_set_valign (self->notice_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->notice_button, "clicked",
                            G_CALLBACK (acknowledge_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->warning_bar), self->warning_text);
  gtk_box_append (GTK_BOX (self->warning_bar), self->notice_button);
  gtk_box_append (GTK_BOX (self->box), self->warning_bar);

  self->overlay = gtk_overlay_new ();
  gtk_widget_set_vexpand (self->overlay, TRUE);
  gtk_box_append (GTK_BOX (self->box), self->overlay);

  self->watermark = ek_watermark_new (NULL);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->watermark);

  /* Full size and targetable: clicks and keys stop here while a notice shows. */
  self->notice = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (self->notice, "ek-lockdown-notice");
  gtk_widget_set_visible (self->notice, FALSE);
  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_add_css_class (card, "card");
  gtk_widget_add_css_class (card, "ek-lockdown-card");
  gtk_widget_set_halign (card, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (card, GTK_ALIGN_CENTER);
  gtk_widget_set_vexpand (card, TRUE);
  gtk_widget_set_size_request (card, 480, -1);
  self->notice_title = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->notice_title, "title-1");
  self->notice_body = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->notice_body), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->notice_body), 50);
  gtk_label_set_justify (GTK_LABEL (self->notice_body), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (card), self->notice_title);
  gtk_box_append (GTK_BOX (card), self->notice_body);
  gtk_box_append (GTK_BOX (self->notice), card);
  gtk_overlay_add_overlay (GTK_OVERLAY (self->overlay), self->notice);
}

/**
 * ek_lockdown_overlay_new:
 * @controller: the exam's lockdown
 * @seat: (nullable): the candidate's seat number, for the watermark
 *
 * Returns: (transfer floating): the overlay; put the exam page in it with
 *   ek_lockdown_overlay_set_child()
 */
GtkWidget *
ek_lockdown_overlay_new (EkLockdownController *controller,
                         const char           *seat)
{
  EkLockdownOverlay *self;
  EkLockdownPolicy *policy;

  g_return_val_if_fail (EK_IS_LOCKDOWN_CONTROLLER (controller), NULL);

  self = g_object_new (EK_TYPE_LOCKDOWN_OVERLAY, NULL);
  self->controller = g_object_ref (controller);
  ek_watermark_set_seat (EK_WATERMARK (self->watermark), seat);

  policy = ek_lockdown_controller_get_policy (controller);
  gtk_widget_set_visible (self->relaxed_banner, ek_lockdown_policy_get_relaxed (policy));

  g_signal_connect_swapped (controller, "notify::blocked", G_CALLBACK (controller_changed_cb), self);
  g_signal_connect_swapped (controller, "notify::step", G_CALLBACK (controller_changed_cb), self);
  g_signal_connect (controller, "escalated", G_CALLBACK (controller_escalated_cb), self);

  return GTK_WIDGET (self);
}

void
ek_lockdown_overlay_set_child (EkLockdownOverlay *self,
                               GtkWidget         *child)
{
  g_return_if_fail (EK_IS_LOCKDOWN_OVERLAY (self));

  self->child = child;
  gtk_overlay_set_child (GTK_OVERLAY (self->overlay), child);
}

/* Returns: (nullable): the notice shown now (its title), for tests */
const char *
ek_lockdown_overlay_get_notice (EkLockdownOverlay *self)
{
  g_return_val_if_fail (EK_IS_LOCKDOWN_OVERLAY (self), NULL);

  if (gtk_widget_get_visible (self->notice))
    return gtk_label_get_text (GTK_LABEL (self->notice_title));
  if (gtk_widget_get_visible (self->warning_bar))
    return _("Warning");

  return NULL;
}

/* The watermark stays off @sheets (of GtkWidget), the page's dialogs and sheets, while
 * they show. */
void
ek_lockdown_overlay_keep_clear (EkLockdownOverlay *self,
                                GListModel        *sheets)
{
  g_return_if_fail (EK_IS_LOCKDOWN_OVERLAY (self));

  ek_watermark_keep_clear (EK_WATERMARK (self->watermark), sheets);
}
