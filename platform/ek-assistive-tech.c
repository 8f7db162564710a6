/* ek-assistive-tech.c: the screen readers and magnifiers an exam may allow (Linux /proc) */

#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "ek-assistive-tech.h"

typedef struct
{
  EkAssistiveKinds  kind;
  const char       *name;   /* installed as /usr/bin/NAME */
} Program;

/* GNOME's own magnifier is part of gnome-shell (a window manager the lockdown lets run
 * anyway); these are the programs a session without it uses. */
static const Program programs[] = {
  { EK_ASSISTIVE_SCREEN_READER, "orca" },
  { EK_ASSISTIVE_MAGNIFIER, "magnus" },
  { EK_ASSISTIVE_MAGNIFIER, "kmag" },
  { EK_ASSISTIVE_MAGNIFIER, "xzoom" },
};

static const char * const kind_names[] = { "screen_reader", "magnifier", NULL };

static const char * const screen_reader_names[] = { "orca", NULL };
static const char * const magnifier_names[] = { "magnus", "kmag", "xzoom", NULL };
static const char * const all_names[] = { "orca", "magnus", "kmag", "xzoom", NULL };

/* Interpreters a listed program is written for (Orca and Magnus: Python 3). */
static const char * const interpreters[] = { "python3", NULL };

/* Variables that make a trusted program load other code. */
static const char * const loading_variables[] = {
  "LD_PRELOAD=", "LD_LIBRARY_PATH=", "LD_AUDIT=", "PYTHONPATH=", "PYTHONSTARTUP=",
  "PYTHONHOME=", "PYTHONINSPECT=", "PYTHONUSERBASE=", "PYTHONEXECUTABLE=",
  "PYTHONPLATLIBDIR=", NULL,
};

/* Whether nobody but root can have written @path, nor replaced it in its folder. */
static gboolean
is_root_only (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;

  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_uid != 0 ||
      (st.st_mode & 022) != 0)
    return FALSE;

  return stat (dir, &st) == 0 && st.st_uid == 0 && (st.st_mode & 022) == 0;
}

/* Returns: (transfer full) (nullable): the real path of the file at @path */
static char *
real_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    return NULL;
  copy = g_strdup (resolved);
  free (resolved);
  return copy;
}

/* Returns: (transfer full) (nullable): the listed program at the real path @path */
static char *
allowed_program (const char       *install_dir,
                 const char       *path,
                 EkAssistiveKinds  allowed)
{
  for (guint i = 0; path != NULL && i < G_N_ELEMENTS (programs); i++)
    {
      g_autofree char *installed = NULL;
      g_autofree char *resolved = NULL;

      if ((programs[i].kind & allowed) == 0)
        continue;
      installed = g_build_filename (install_dir != NULL ? install_dir : "/usr/bin",
                                    programs[i].name, NULL);
      resolved = real_path (installed);
      if (resolved != NULL && g_str_equal (resolved, path) && is_root_only (resolved))
        return g_steal_pointer (&resolved);
    }

  return NULL;
}

/* Whether the interpreter's options before its script only tune it (-u, -O, -s …):
 * -c and -m run other code, -i a prompt afterwards. */
static gboolean
harmless_options (const char *option)
{
  return option[0] == '-' && option[1] != '\0' &&
         strspn (option + 1, "BEIOsuqP") == strlen (option + 1);
}

static gboolean
loads_other_code (const char *proc_root,
                  const char *pid)
{
  g_autofree char *path = g_build_filename (proc_root, pid, "environ", NULL);
  g_autofree char *block = NULL;
  gsize length = 0;

  /* Not readable: another user's process, whose environment cannot be judged. */
  if (!g_file_get_contents (path, &block, &length, NULL))
    return TRUE;

  for (const char *entry = block; entry < block + length; entry += strlen (entry) + 1)
    {
      for (guint i = 0; loading_variables[i] != NULL; i++)
        {
          if (g_str_has_prefix (entry, loading_variables[i]))
            return TRUE;
        }
    }

  return FALSE;
}

/* Returns: (transfer full) (nullable): the script a trusted interpreter runs, resolved */
static char *
interpreted_script (const char *proc_root,
                    const char *pid,
                    const char *exe)
{
  g_autofree char *path = g_build_filename (proc_root, pid, "cmdline", NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *base = g_path_get_basename (exe);
  gsize length = 0;
  gboolean interpreter = FALSE;

  for (guint i = 0; interpreters[i] != NULL; i++)
    interpreter |= g_str_has_prefix (base, interpreters[i]);
  if (!interpreter || !is_root_only (exe) ||
      !g_file_get_contents (path, &cmdline, &length, NULL) || length == 0)
    return NULL;

  for (const char *arg = cmdline + strlen (cmdline) + 1; arg < cmdline + length;
       arg += strlen (arg) + 1)
    {
      if (harmless_options (arg))
        continue;
      if (arg[0] == '-')
        return NULL;
      return g_path_is_absolute (arg) ? real_path (arg) : NULL;
    }

  return NULL;
}

/**
 * ek_assistive_kind_from_string:
 * @name: "screen_reader" or "magnifier", as the exam's policy names them
 *
 * Returns: whether @name is a kind this client knows
 */
gboolean
ek_assistive_kind_from_string (const char       *name,
                               EkAssistiveKinds *kind)
{
  for (guint i = 0; kind_names[i] != NULL; i++)
    {
      if (g_strcmp0 (name, kind_names[i]) == 0)
        {
          *kind = 1 << i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ek_assistive_program_names:
 *
 * Returns: (transfer none): the base names of the programs of @kinds
 */
const char * const *
ek_assistive_program_names (EkAssistiveKinds kinds)
{
  if (kinds == EK_ASSISTIVE_SCREEN_READER)
    return screen_reader_names;
  if (kinds == EK_ASSISTIVE_MAGNIFIER)
    return magnifier_names;
  if (kinds == EK_ASSISTIVE_NONE)
    return all_names + G_N_ELEMENTS (all_names) - 1;

  return all_names;
}

/**
 * ek_assistive_identify:
 * @proc_root: (nullable): /proc, or the folder standing for it
 * @install_dir: (nullable): where the programs are installed; %NULL: /usr/bin
 * @pid: the process
 * @allowed: the kinds the exam allows
 *
 * Blocking (a few small reads of /proc and stat() calls).
 *
 * Returns: (transfer full) (nullable): the installed program that process @pid genuinely
 *   is, if it is one of @allowed; %NULL for any other process, also one that carries the
 *   name of a listed program
 */
char *
ek_assistive_identify (const char       *proc_root,
                       const char       *install_dir,
                       gint64            pid,
                       EkAssistiveKinds  allowed)
{
  g_autofree char *pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  g_autofree char *link = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *script = NULL;
  char *program;

  if (allowed == EK_ASSISTIVE_NONE || pid <= 0)
    return NULL;
  if (proc_root == NULL)
    proc_root = "/proc";

  link = g_build_filename (proc_root, pid_text, "exe", NULL);
  exe = g_file_read_link (link, NULL);
  if (exe == NULL || loads_other_code (proc_root, pid_text))
    return NULL;

  program = allowed_program (install_dir, exe, allowed);
  if (program != NULL)
    return program;

  script = interpreted_script (proc_root, pid_text, exe);
  return allowed_program (install_dir, script, allowed);
}
