/* ek-window-private.h: EkWindow's instance struct and what its files share
 *
 * One type in several files by concern, as gnome-text-editor splits its EditorPage:
 * ek-window.c (life cycle, sizing, the flow and the page for each stage and step),
 * ek-window-lockdown.c (the lockdown's life cycle and the technician's quit),
 * ek-window-actions.c (the win.* actions, the engine for each start mode, re-entry on
 * start) and ek-window-practice.c (the bundled practice exams, translated).
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ek-quit-password.h"
#include "ek-start-page.h"
#include "ek-stepper.h"
#include "ek-window.h"

G_BEGIN_DECLS

struct _EkWindow
{
  GtkApplicationWindow  parent_instance;

  EkEngine             *engine;              /* owned; the flow in progress, or NULL */
  char                 *mode;                /* owned; the flow's start mode */
  gboolean              identity_confirmed;  /* the candidate checked their details */
  gboolean              lockdown_engaged;
  EkLockdownController *lockdown;            /* owned; the flow's, made on entering the exam */
  GCancellable         *lockdown_cancellable; /* owned; an engage in progress */
  GtkWidget            *exam_page;           /* borrowed; inside the lockdown overlay */
  EkQuitGate           *quit_gate;           /* owned; the technician's password check */
  GtkWidget            *quit_entry;          /* borrowed; on the "quit" page */
  GtkLabel             *quit_error;          /* borrowed; on the "quit" page */
  char                 *quit_return_page;    /* owned; the page the quit page covers */
  gboolean              quitting;            /* the password was right: closing is allowed */
  gboolean              lockdown_refused;    /* a re-entered exam stays covered */
  GCancellable         *resume_cancellable;  /* owned */
  JsonArray            *practices;           /* owned; the bundle, loaded when first needed */

  /* Template children, borrowed. */
  GtkStack             *stack;
  EkStepper            *stepper;
  EkStartPage          *start_page;
  GtkLabel             *unavailable_title;
  GtkButton            *back_button;
  GtkLabel             *ended_title;
  GtkLabel             *ended_message;
  GtkButton            *ended_button;
};

/* ek-window.c */
void       _ek_window_route                (EkWindow       *self);
void       _ek_window_show_page            (EkWindow       *self,
                                            const char     *name);
void       _ek_window_begin_flow           (EkWindow       *self,
                                            EkEngine       *engine,
                                            const char     *mode);
void       _ek_window_end_flow             (EkWindow       *self);

/* ek-window-lockdown.c */
EkLockdownController *_ek_window_ensure_lockdown (EkWindow *self);
void       _ek_window_engage_lockdown      (EkWindow       *self);
void       _ek_window_release_lockdown     (EkWindow       *self);
void       _ek_window_close_quit_page      (EkWindow       *self);
gboolean   _ek_window_close_request_cb     (EkWindow       *self);
void       _ek_window_class_init_lockdown  (GtkWidgetClass *widget_class);

/* ek-window-actions.c */
void       _ek_window_start_resume         (EkWindow       *self);
void       _ek_window_class_init_actions   (GtkWidgetClass *widget_class);

/* ek-window-practice.c */
JsonArray *_ek_window_get_practices        (EkWindow       *self);

G_END_DECLS
