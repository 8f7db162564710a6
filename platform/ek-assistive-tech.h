/* ek-assistive-tech.h: the screen readers and magnifiers an exam may allow
 *
 * A candidate who relies on assistive technology runs a screen reader (Orca) or a
 * magnifier during the exam; the exam's policy says which kinds it allows. Lockdown lets
 * exactly the installed programs run and reports everything else, also a program that
 * only carries their name: a process is the screen reader when the executable behind
 * /proc/PID/exe is the installed program, or when it is a trusted interpreter (Orca is a
 * Python script: python3 /usr/bin/orca) running the installed program as its script, in
 * an environment that loads no other code (no LD_PRELOAD, no PYTHONPATH …). The program,
 * the interpreter and their folders must be root's and writable by nobody else.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  EK_ASSISTIVE_NONE          = 0,
  EK_ASSISTIVE_SCREEN_READER = 1 << 0,
  EK_ASSISTIVE_MAGNIFIER     = 1 << 1,
} EkAssistiveKinds;

gboolean            ek_assistive_kind_from_string (const char        *name,
                                                   EkAssistiveKinds  *kind);
const char * const *ek_assistive_program_names    (EkAssistiveKinds   kinds);
char               *ek_assistive_identify         (const char        *proc_root,
                                                   const char        *install_dir,
                                                   gint64             pid,
                                                   EkAssistiveKinds   allowed);

G_END_DECLS
