/* ek-session-type.h: which display server the kiosk runs on
 *
 * Under a Wayland session an X11 client runs on XWayland: it can neither grab the
 * keyboard from the compositor nor see the other windows, so the desktop-mode lockdown
 * cannot hold there. Formal and mock exams need an X server of their own (the dedicated
 * exam session, or an Xorg desktop); practice runs anywhere, with a notice.
 *
 * The decision is a pure function of the session's environment and a few facts about
 * the X server (its vendor string, extensions, input devices and outputs), so a test
 * reaches every outcome without XWayland: ek_session_type_classify(). The facts are read
 * by ek-x11-session-facts.c; ek_session_type_detect() puts both together.
 */
#pragma once

#include "ek-probe-sources.h"

G_BEGIN_DECLS

typedef enum
{
  EK_SESSION_TYPE_NONE,     /* no display at all: a text console, SSH */
  EK_SESSION_TYPE_X11,      /* an X server of its own: the lockdown can hold */
  EK_SESSION_TYPE_WAYLAND,  /* a Wayland session; X clients run on XWayland */
} EkSessionType;

typedef struct
{
  gboolean   x11;                 /* an X11 display is open; the rest is about it */
  gboolean   wayland_backend;     /* GDK itself talks Wayland (no X server at all) */
  char      *vendor;              /* ServerVendor(); nullable */
  gboolean   xwayland_extension;  /* the XWAYLAND extension (Xwayland 23.1 and later) */
  char     **input_devices;       /* XInput device names; nullable */
  char     **outputs;             /* RandR output names; nullable */
} EkXServerFacts;

void           ek_x_server_facts_clear          (EkXServerFacts        *facts);
/* ek-x11-session-facts.c: the facts of GDK's default display; FALSE without one */
gboolean       ek_x_server_facts_read           (EkXServerFacts        *facts);

EkSessionType  ek_session_type_classify         (const EkProbeSources  *sources,
                                                 const EkXServerFacts  *facts,
                                                 char                 **evidence);
EkSessionType  ek_session_type_detect           (const EkProbeSources  *sources,
                                                 char                 **evidence);
const char    *ek_session_type_to_string        (EkSessionType          type);

const char    *ek_session_type_get_refusal      (void);
const char    *ek_session_type_get_notice       (void);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EkXServerFacts, ek_x_server_facts_clear)

G_END_DECLS
