/* ek-window.c: the kiosk's single window, one GtkStack page per step of the exam day
 *
 * The window owns the engine of the exam in progress (or the practice run) and shows
 * the page that belongs to the session's stage and current step: the engine never
 * calls the UI, the window follows EkSession's properties. Pages of a flow are made
 * when first needed (they read the session as it is then) and dropped when the
 * flow ends.
 *
 * This file: the window's life cycle, its size, the flow and the page for each stage
 * and step. The lockdown, the actions and the practice bundle have their own files
 * around ek-window-private.h.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "ek-announcer.h"
#include "ek-attachments-page.h"
#include "ek-confirm-page.h"
#include "ek-device-page.h"
#include "ek-draw-page.h"
#include "ek-exam-page.h"
#include "ek-face-check-page.h"
#include "ek-face-login-page.h"
#include "ek-finish-page.h"
#include "ek-guided-step-page.h"
#include "ek-lockdown-overlay.h"
#include "ek-login-page.h"
#include "ek-pledge-page.h"
#include "ek-second-view-page.h"
#include "ek-ui-util.h"
#include "ek-waiting-page.h"
#include "ek-window-private.h"

G_DEFINE_FINAL_TYPE (EkWindow, ek_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VISIBLE_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* In application pixels: from here on, .ek-large-screen. */
#define LARGE_SCREEN_WIDTH  1600
#define LARGE_SCREEN_HEIGHT 900

/* The pages that belong to a flow, dropped when it ends. */
static const char * const flow_pages[] = {
  "login", "face-login", "confirm", "pledge", "face-check", "second-view", "room-scan", "paper-check",
  "draw", "attachments", "device", "waiting", "exam", "finish", "flow-device-check",
};

/* Without a window manager (a bare X server, as some kiosks and the tests run) a fullscreen
 * request does nothing visible: start at the size of the monitor so the screen is covered
 * either way. Window-level lockdown proper is platform/'s job. A big monitor gets bigger
 * type (style.css). */
static void
size_to_monitor (EkWindow *self)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (self));
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
  if (monitor == NULL)
    return;

  gdk_monitor_get_geometry (monitor, &geometry);
  gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);

  if (geometry.width >= LARGE_SCREEN_WIDTH && geometry.height >= LARGE_SCREEN_HEIGHT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "ek-large-screen");
}

/* --- flow ----------------------------------------------------------------- */

void
_ek_window_end_flow (EkWindow *self)
{
  _ek_window_release_lockdown (self);
  _ek_window_close_quit_page (self);
  self->exam_page = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (flow_pages); i++)
    {
      GtkWidget *page = gtk_stack_get_child_by_name (self->stack, flow_pages[i]);

      if (page != NULL)
        gtk_stack_remove (self->stack, page);
    }

  if (self->engine != NULL)
    {
      ek_engine_watch_violations (self->engine, NULL);
      g_signal_handlers_disconnect_by_data (ek_engine_get_session (self->engine), self);
      g_clear_object (&self->engine);
    }

  g_clear_pointer (&self->mode, g_free);
  self->identity_confirmed = FALSE;

  {
    GtkWidget *page = gtk_stack_get_child_by_name (self->stack, "lockdown-refused");

    if (page != NULL)
      gtk_stack_remove (self->stack, page);
  }
  g_clear_object (&self->lockdown);
  g_clear_object (&self->quit_gate);
  self->lockdown_refused = FALSE;
}

static void
on_session_changed_cb (EkWindow *self)
{
  _ek_window_route (self);
}

void
_ek_window_begin_flow (EkWindow   *self,
                       EkEngine   *engine,
                       const char *mode)
{
  EkSession *session = ek_engine_get_session (engine);

  _ek_window_end_flow (self);

  self->engine = g_object_ref (engine);
  self->mode = g_strdup (mode);
  g_signal_connect_swapped (session, "notify::stage", G_CALLBACK (on_session_changed_cb), self);
  g_signal_connect_swapped (session, "notify::current-step", G_CALLBACK (on_session_changed_cb), self);
}

static GtkWidget *
make_page (EkWindow   *self,
           const char *name)
{
  if (g_str_equal (name, "login"))
    {
      const char *heading = g_strcmp0 (self->mode, "mock") == 0 ? _("Log in to the mock exam")
                                                                : _("Log in to the formal exam");

      return ek_login_page_new (self->engine, heading);
    }
  if (g_str_equal (name, "face-login"))
    return ek_face_login_page_new (self->engine);
  if (g_str_equal (name, "confirm"))
    return ek_confirm_page_new (self->engine);
  if (g_str_equal (name, "pledge"))
    return ek_pledge_page_new (self->engine);
  if (g_str_equal (name, "face-check"))
    return ek_face_check_page_new (self->engine);
  if (g_str_equal (name, "second-view"))
    return ek_second_view_page_new (self->engine);
  if (g_str_equal (name, "room-scan") || g_str_equal (name, "paper-check"))
    return ek_guided_step_page_new (self->engine);
  if (g_str_equal (name, "draw"))
    return ek_draw_page_new (self->engine);
  if (g_str_equal (name, "attachments"))
    return ek_attachments_page_new (self->engine);
  if (g_str_equal (name, "device"))
    return ek_device_page_new (self->engine);
  if (g_str_equal (name, "waiting"))
    return ek_waiting_page_new (self->engine);
  if (g_str_equal (name, "exam"))
    {
      EkLockdownController *lockdown = _ek_window_ensure_lockdown (self);
      EkCandidate *candidate = ek_session_get_candidate (ek_engine_get_session (self->engine));
      const char *seat = candidate != NULL ? ek_candidate_get_seat (candidate) : NULL;
      GtkWidget *overlay;

      self->exam_page = ek_exam_page_new (self->engine);
      if (lockdown == NULL)
        return self->exam_page;

      /* The watermark, warnings and blocking notices lie over the exam. */
      overlay = ek_lockdown_overlay_new (lockdown, seat != NULL ? seat : "");
      ek_lockdown_overlay_set_child (EK_LOCKDOWN_OVERLAY (overlay), self->exam_page);
      ek_lockdown_overlay_keep_clear (EK_LOCKDOWN_OVERLAY (overlay),
                                      ek_exam_page_get_sheets (EK_EXAM_PAGE (self->exam_page)));
      return overlay;
    }
  if (g_str_equal (name, "finish"))
    return ek_finish_page_new (self->engine);

  g_return_val_if_reached (NULL);
}

void
_ek_window_show_page (EkWindow   *self,
                      const char *name)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->stack, name);

  if (page == NULL)
    {
      page = make_page (self, name);
      gtk_stack_add_named (self->stack, page, name);
    }

  if (gtk_stack_get_visible_child (self->stack) == page)
    return;

  gtk_stack_set_visible_child (self->stack, page);
  if (EK_IS_LOCKDOWN_OVERLAY (page) && self->exam_page != NULL)
    gtk_widget_grab_focus (self->exam_page);
  else
    gtk_widget_grab_focus (page);
}

static void
show_ended (EkWindow *self)
{
  EkSession *session = ek_engine_get_session (self->engine);
  const EkSessionState *state = ek_session_get_state (session);
  EkExam *exam = ek_session_get_exam (session);
  EkEndReason reason = state != NULL && state->ended ? state->end_reason : EK_END_REASON_NONE;

  switch (reason)
    {
    case EK_END_REASON_PLEDGE_DECLINED:
      gtk_label_set_label (self->ended_title, _("You declined the pledge"));
      gtk_label_set_label (self->ended_message,
                           _("Your session has ended and you cannot sit this exam with this token "
                             "any more. If this was a mistake, call the help line of your "
                             "examining body."));
      break;

    case EK_END_REASON_ENDED_BY_CANDIDATE:
      gtk_label_set_label (self->ended_title, _("You left the exam"));
      gtk_label_set_label (self->ended_message, _("Your session has ended."));
      break;

    case EK_END_REASON_NONE:
    case EK_END_REASON_SUBMITTED:
    case EK_END_REASON_TIME_OVER:
    case EK_END_REASON_FORCED_BY_PROCTOR:
    default:
      {
        g_autofree char *cutoff = exam != NULL ? ek_format_clock_time (ek_exam_get_late_entry_cutoff_ms (exam))
                                               : g_strdup ("--:--");
        g_autofree char *text = NULL;

        /* Translators: %s is a time of day */
        text = g_strdup_printf (_("Entry to this exam closed at %s, before you entered. Please "
                                  "contact your examining body."), cutoff);
        gtk_label_set_label (self->ended_title, _("Entry to this exam has closed"));
        gtk_label_set_label (self->ended_message, text);
      }
      break;
    }

  gtk_stack_set_visible_child_name (self->stack, "ended");
  gtk_widget_grab_focus (GTK_WIDGET (self->ended_button));
}

/* Shows the page that belongs to the session's stage and step. */
void
_ek_window_route (EkWindow *self)
{
  EkSession *session;
  GtkWidget *visible;

  if (self->engine == NULL)
    return;

  session = ek_engine_get_session (self->engine);
  visible = gtk_stack_get_visible_child (self->stack);

  /* The drawn number stays on screen until the candidate has read it. */
  if (EK_IS_DRAW_PAGE (visible) && ek_draw_page_get_holding (EK_DRAW_PAGE (visible)))
    return;

  switch (ek_session_get_stage (session))
    {
    case EK_SESSION_STAGE_NONE:
      /* Either way of logging in, whichever the candidate chose. */
      if (!ek_engine_is_practice (self->engine) &&
          !EK_IS_FACE_LOGIN_PAGE (visible))
        _ek_window_show_page (self, "login");
      break;

    case EK_SESSION_STAGE_STEPS:
      if (ek_session_get_current_step (session) == EK_STEP_PLEDGE && !self->identity_confirmed)
        _ek_window_show_page (self, "confirm");
      else
        _ek_window_show_page (self, ek_stepper_page_for_step (ek_session_get_current_step (session)));
      break;

    case EK_SESSION_STAGE_WAITING:
      _ek_window_show_page (self, "waiting");
      break;

    case EK_SESSION_STAGE_EXAM:
      /* The technician's password page stays until they are done; a refused lockdown
       * until the candidate checks again. */
      if (gtk_stack_get_child_by_name (self->stack, "quit") != NULL || self->lockdown_refused)
        break;
      /* Never the exam without its lockdown (re-entry after a restart engages here). */
      if (!self->lockdown_engaged)
        {
          _ek_window_engage_lockdown (self);
          break;
        }
      _ek_window_show_page (self, "exam");
      break;

    case EK_SESSION_STAGE_FINISHING:
    case EK_SESSION_STAGE_FINISHED:
      _ek_window_release_lockdown (self);
      _ek_window_show_page (self, "finish");
      break;

    case EK_SESSION_STAGE_ENDED:
    default:
      _ek_window_release_lockdown (self);
      show_ended (self);
      break;
    }
}

static void
on_visible_page_changed_cb (EkWindow *self)
{
  EkExam *exam = self->engine != NULL ? ek_session_get_exam (ek_engine_get_session (self->engine))
                                      : NULL;

  ek_stepper_show_page (self->stepper, exam, gtk_stack_get_visible_child_name (self->stack));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_PAGE]);
}

/* --- GObject -------------------------------------------------------------- */

static gboolean
on_started_cb (gpointer user_data)
{
  g_autoptr(EkWindow) self = user_data;

  /* On start, a session this computer was in is re-entered without a login. */
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    _ek_window_start_resume (self);
  return G_SOURCE_REMOVE;
}

static void
ek_window_constructed (GObject *object)
{
  EkWindow *self = EK_WINDOW (object);

  G_OBJECT_CLASS (ek_window_parent_class)->constructed (object);

  /* From an idle: the application (and so the configuration) is set after
   * construction. */
  g_idle_add (on_started_cb, g_object_ref (self));
}

static void
ek_window_dispose (GObject *object)
{
  EkWindow *self = EK_WINDOW (object);

  g_cancellable_cancel (self->resume_cancellable);
  g_clear_object (&self->resume_cancellable);
  _ek_window_end_flow (self);
  g_clear_pointer (&self->practices, json_array_unref);
  g_clear_pointer (&self->quit_return_page, g_free);

  /* GTK 4.8's dispose_template unparents the stack behind GtkWindow's back, which then
   * unparents it a second time: detach it the window's way first. */
  gtk_window_set_child (GTK_WINDOW (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), EK_TYPE_WINDOW);

  G_OBJECT_CLASS (ek_window_parent_class)->dispose (object);
}

static void
ek_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  EkWindow *self = EK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VISIBLE_PAGE:
      g_value_set_string (value, ek_window_get_visible_page (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_window_class_init (EkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ek_window_constructed;
  object_class->dispose = ek_window_dispose;
  object_class->get_property = ek_window_get_property;

  /**
   * EkWindow:visible-page:
   *
   * The name of the page on show: "start", "unavailable", "login", "exam", ...
   */
  properties[PROP_VISIBLE_PAGE] =
    g_param_spec_string ("visible-page", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EK_TYPE_START_PAGE);
  g_type_ensure (EK_TYPE_STEPPER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/examkiosk/Kiosk/ui/ek-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EkWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, stepper);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, unavailable_title);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_title);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_message);
  gtk_widget_class_bind_template_child (widget_class, EkWindow, ended_button);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed_cb);

  _ek_window_class_init_actions (widget_class);
  _ek_window_class_init_lockdown (widget_class);
}

static void
ek_window_init (EkWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The window's live region, in the tree as long as the window (ek-announcer.c). */
  {
    GtkWidget *announcer = ek_announcer_new ();

    gtk_box_prepend (GTK_BOX (gtk_widget_get_parent (GTK_WIDGET (self->stepper))), announcer);
    ek_announcer_serve_window (EK_ANNOUNCER (announcer), GTK_WINDOW (self));
  }

  size_to_monitor (self);
  gtk_window_fullscreen (GTK_WINDOW (self));
  g_signal_connect (self, "close-request", G_CALLBACK (_ek_window_close_request_cb), NULL);
}

/**
 * ek_window_new:
 * @application: the #EkApplication
 *
 * Returns: (transfer none): a new #EkWindow, owned by its application
 */
EkWindow *
ek_window_new (EkApplication *application)
{
  g_return_val_if_fail (EK_IS_APPLICATION (application), NULL);

  return g_object_new (EK_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/**
 * ek_window_get_visible_page:
 * @self: an #EkWindow
 *
 * Returns: (nullable): the name of the page on show
 */
const char *
ek_window_get_visible_page (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * ek_window_get_visible_page_widget:
 *
 * Returns: (transfer none) (nullable): the page on show
 */
GtkWidget *
ek_window_get_visible_page_widget (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child (self->stack);
}

/**
 * ek_window_get_engine:
 * @self: an #EkWindow
 *
 * Returns: (transfer none) (nullable): the engine of the flow on show
 */
EkEngine *
ek_window_get_engine (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return self->engine;
}

/**
 * ek_window_get_lockdown:
 * @self: an #EkWindow
 *
 * Returns: (transfer none) (nullable): the lockdown of the exam in progress, once entered
 */
EkLockdownController *
ek_window_get_lockdown (EkWindow *self)
{
  g_return_val_if_fail (EK_IS_WINDOW (self), NULL);

  return self->lockdown;
}
