/* ek-self-watch.h: the kiosk's own process, watched from inside (Linux)
 *
 * What another program can do to the running kiosk: attach a debugger (after the exam
 * started too), map code into it (a library loaded by a debugger, code mapped by hand),
 * stop it (SIGSTOP) while the candidate uses other windows. The process is made
 * non-dumpable at engage, so that only a privileged user can attach at all; the rest is
 * detected by looking often.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _EkSelfWatch EkSelfWatch;

gboolean     ek_self_watch_harden           (void);
EkSelfWatch *ek_self_watch_new              (void);
void         ek_self_watch_free             (EkSelfWatch *watch);
char        *ek_self_watch_find_foreign_code (EkSelfWatch *watch);
gint64       ek_self_watch_tick             (EkSelfWatch *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSelfWatch, ek_self_watch_free)

G_END_DECLS
