/* ek-process-scan.c: which running programs the exam forbids (Linux /proc) */

#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ek-assistive-tech.h"
#include "ek-process-scan.h"

typedef struct
{
  char   *name;        /* the program as listed: "obs", "x11vnc" */
  char   *finding_id;  /* EK_FINDING_BLOCKED_PROCESS or EK_FINDING_VIRTUAL_DISPLAY */
  gboolean display_bound; /* a capture tool: counts only when aimed at the kiosk's display */
  EkAssistiveKinds assistive; /* a screen reader or magnifier: allowed when genuine */
} EkBlockedName;

/* What an installed listed program looks like, to recognise a renamed copy. */
typedef struct
{
  char    *name;       /* borrowed from an EkBlockedName */
  dev_t    dev;
  ino_t    ino;
  goffset  size;
  char    *sha256;     /* computed on first need */
  char    *build_id;   /* the ELF build ID, hex; NULL: none */
  char    *path;
} EkSignature;

struct _EkProcessScanner
{
  GObject          parent_instance;

  GMutex           lock;          /* everything below: scans run in a thread */
  EkProbeSources  *sources;       /* owned */
  GPtrArray       *names;         /* EkBlockedName, owned */
  char           **search_path;   /* owned; folders holding the listed programs */
  GPtrArray       *signatures;    /* EkSignature, owned; NULL: not yet built */
  GHashTable      *exe_hashes;    /* "dev:ino:size:mtime" -> sha256, cache */
  EkAssistiveKinds assistive;     /* the kinds the exam allows */
};

G_DEFINE_FINAL_TYPE (EkProcessScanner, ek_process_scanner, G_TYPE_OBJECT)

/* The built-in list: what an examining body expects closed during an exam. */
static const char * const builtin_blocked[] = {
  /* screen recorders and screenshot tools */
  "obs", "simplescreenrecorder", "kazam", "vokoscreen", "vokoscreenNG", "recordmydesktop",
  "gtk-recordmydesktop", "peek", "kooha", "green-recorder", "byzanz-record",
  "gnome-screenshot", "flameshot", "spectacle", "scrot", "shutter", "ksnip", "maim",
  "xfce4-screenshooter", "deepin-screenshot", "deepin-screen-recorder",
  /* remote desktops and VNC servers */
  "x11vnc", "x0vncserver", "vncserver", "vino-server", "krfb", "teamviewer",
  "TeamViewer", "teamviewerd", "anydesk", "rustdesk", "remmina", "xrdp", "nomachine",
  "nxserver", "sunloginclient", "todesk", "chrome-remote-desktop",
  /* meetings and chat */
  "zoom", "skype", "skypeforlinux", "teams", "teams-for-linux", "discord", "Discord",
  "slack", "telegram-desktop", "Telegram", "wechat", "qq", "dingtalk", "feishu",
  "wemeet", "wemeetapp", "signal-desktop", "element-desktop",
  /* virtual cameras */
  "webcamoid", "akvcam", "droidcam", "obs-virtualcam", "v4l2loopback-ctl",
  NULL,
};

/* X tools whose only use is reading the screen (xwd -root, import -window root). They
 * count when they work on the kiosk's display (DISPLAY or -display): the same tools
 * taking pictures of another display (a test machine's, another user's) are none of
 * the exam's business. The client
 * census sees them on the kiosk's display however they are named. */
static const char * const builtin_capture[] = {
  "xwd", "import", "xvidcap", NULL,
};

/* A command line naming one of these reads the screen, whatever the program is called:
 * ffmpeg -f x11grab, gst-launch-1.0 ximagesrc; on the kiosk's display as above. */
static const EkBlockedName capture_arguments[] = {
  { (char *) "x11grab", (char *) EK_FINDING_BLOCKED_PROCESS, TRUE },
  { (char *) "ximagesrc", (char *) EK_FINDING_BLOCKED_PROCESS, TRUE },
};

static const char * const builtin_virtual_display[] = {
  "Xvfb", "Xephyr", "Xvnc", "Xnest", "Xdummy", "Xtigervnc", "Xkdrive", NULL,
};

static void
blocked_name_free (gpointer data)
{
  EkBlockedName *name = data;

  g_free (name->name);
  g_free (name->finding_id);
  g_free (name);
}

static void
signature_free (gpointer data)
{
  EkSignature *signature = data;

  g_free (signature->sha256);
  g_free (signature->build_id);
  g_free (signature->path);
  g_free (signature);
}

/* Returns: (transfer full) (nullable): the hex SHA-256 of the file at path */
static char *
hash_file (const char    *path,
           GCancellable  *cancellable)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (64 * 1024);
  FILE *file;
  size_t n;

  file = fopen (path, "rb");
  if (file == NULL)
    return NULL;

  while ((n = fread (buffer, 1, 64 * 1024, file)) > 0)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          fclose (file);
          return NULL;
        }
      g_checksum_update (checksum, buffer, n);
    }

  if (ferror (file))
    {
      fclose (file);
      return NULL;
    }

  fclose (file);
  return g_strdup (g_checksum_get_string (checksum));
}

/* Returns: (transfer full) (nullable): the hex GNU build ID of the ELF file at @path.
 * The linker derives it from the program's contents and it lives in a note near the
 * start: a copy with bytes appended, or patched elsewhere, keeps it. */
static char *
read_build_id (const char *path)
{
  guchar buffer[8192];
  const Elf64_Ehdr *header = (const Elf64_Ehdr *) buffer;
  ssize_t length;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  length = read (fd, buffer, sizeof buffer);
  close (fd);

  if (length < (ssize_t) sizeof (Elf64_Ehdr) || memcmp (buffer, ELFMAG, SELFMAG) != 0 ||
      buffer[EI_CLASS] != ELFCLASS64 || header->e_phentsize != sizeof (Elf64_Phdr))
    return NULL;

  for (guint i = 0; i < header->e_phnum; i++)
    {
      gsize at = header->e_phoff + (gsize) i * sizeof (Elf64_Phdr);
      const Elf64_Phdr *program;
      gsize offset, end;

      if (at + sizeof (Elf64_Phdr) > (gsize) length)
        break;
      program = (const Elf64_Phdr *) (buffer + at);
      if (program->p_type != PT_NOTE)
        continue;

      offset = program->p_offset;
      end = MIN ((gsize) length, program->p_offset + program->p_filesz);
      while (offset + sizeof (Elf64_Nhdr) <= end)
        {
          const Elf64_Nhdr *note = (const Elf64_Nhdr *) (buffer + offset);
          gsize name_at = offset + sizeof (Elf64_Nhdr);
          gsize desc_at = name_at + ((note->n_namesz + 3) & ~3u);

          if (desc_at + note->n_descsz > end)
            break;
          if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
              memcmp (buffer + name_at, "GNU", 4) == 0 && note->n_descsz > 0)
            {
              GString *hex = g_string_new (NULL);

              for (guint b = 0; b < note->n_descsz; b++)
                g_string_append_printf (hex, "%02x", buffer[desc_at + b]);
              return g_string_free (hex, FALSE);
            }
          offset = desc_at + ((note->n_descsz + 3) & ~3u);
        }
    }

  return NULL;
}

/* Called with the lock held. */
static void
build_signatures (EkProcessScanner *self)
{
  const char * const *dirs;
  g_auto(GStrv) path_dirs = NULL;

  if (self->signatures != NULL)
    return;

  self->signatures = g_ptr_array_new_with_free_func (signature_free);

  if (self->search_path != NULL)
    dirs = (const char * const *) self->search_path;
  else
    {
      const char *path = g_getenv ("PATH");

      path_dirs = g_strsplit (path != NULL ? path : "/usr/local/bin:/usr/bin:/bin",
                              G_SEARCHPATH_SEPARATOR_S, -1);
      dirs = (const char * const *) path_dirs;
    }

  for (guint i = 0; i < self->names->len; i++)
    {
      EkBlockedName *name = g_ptr_array_index (self->names, i);

      for (guint d = 0; dirs[d] != NULL; d++)
        {
          g_autofree char *path = NULL;
          struct stat st;

          if (*dirs[d] == '\0')
            continue;

          path = g_build_filename (dirs[d], name->name, NULL);
          if (stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
            continue;

          EkSignature *signature = g_new0 (EkSignature, 1);
          signature->name = name->name;
          signature->dev = st.st_dev;
          signature->ino = st.st_ino;
          signature->size = st.st_size;
          signature->build_id = read_build_id (path);
          signature->path = g_steal_pointer (&path);
          g_ptr_array_add (self->signatures, signature);
          break;
        }
    }
}

static char *
read_proc_file (const char *proc_root,
                const char *pid,
                const char *file,
                gsize      *length)
{
  g_autofree char *path = g_build_filename (proc_root, pid, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, length, NULL))
    return NULL;

  return contents;
}

static gboolean
is_interpreter (const char *argv0)
{
  static const char * const interpreters[] = {
    "python", "perl", "ruby", "node", "bash", "sh", "dash", "electron", "java", "mono",
    "gjs", "wine", "ld-linux", "ld.so", "ld64.so", "ld-musl", NULL,
  };

  for (guint i = 0; interpreters[i] != NULL; i++)
    {
      if (g_str_has_prefix (argv0, interpreters[i]))
        return TRUE;
    }

  return FALSE;
}

/* Returns: (transfer none) (nullable): in an interpreter's or the dynamic loader's
 * command line, the program it runs: the first argument that is not an option (the
 * loader's options that take a value skip it too). */
static const char *
program_argument (const char *cmdline,
                  gsize       length)
{
  static const char * const with_value[] = {
    "--library-path", "--preload", "--audit", "--argv0", "--inhibit-rpath",
    "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask", NULL,
  };
  const char *arg = cmdline + strlen (cmdline) + 1;
  gboolean is_loader = strstr (cmdline, "ld-") != NULL || strstr (cmdline, "ld.so") != NULL ||
                       strstr (cmdline, "ld64.so") != NULL;

  while (arg < cmdline + length)
    {
      if (!is_loader || arg[0] != '-')
        return arg;
      if (g_strv_contains (with_value, arg))
        arg += strlen (arg) + 1;
      if (arg < cmdline + length)
        arg += strlen (arg) + 1;
    }

  return NULL;
}

static gboolean
same_display (const char *theirs,
              const char *ours)
{
  gsize ours_length = strcspn (ours, ".");

  return strncmp (theirs, ours, ours_length) == 0 &&
         (theirs[ours_length] == '\0' || theirs[ours_length] == '.');
}

/* Whether process @pid works on the kiosk's display: its -display argument, else its
 * DISPLAY (ignoring the screen number). A process with neither, or whose environment
 * cannot be read (another user's: the display server does not let it in), cannot be
 * reading this display. */
static gboolean
on_our_display (EkProcessScanner *self,
                const char       *pid,
                const char       *cmdline,
                gsize             cmdline_length)
{
  const char *ours = ek_probe_sources_getenv (self->sources, "DISPLAY");
  g_autofree char *environ_block = NULL;
  gsize length = 0;

  if (ours == NULL || *ours == '\0')
    return TRUE;

  for (const char *arg = cmdline; cmdline != NULL && arg < cmdline + cmdline_length;
       arg += strlen (arg) + 1)
    {
      const char *next = arg + strlen (arg) + 1;

      if ((g_str_equal (arg, "-display") || g_str_equal (arg, "--display")) &&
          next < cmdline + cmdline_length)
        return same_display (next, ours);
    }

  environ_block = read_proc_file (self->sources->proc_root, pid, "environ", &length);
  for (const char *entry = environ_block; environ_block != NULL && entry < environ_block + length;
       entry += strlen (entry) + 1)
    {
      if (g_str_has_prefix (entry, "DISPLAY="))
        return same_display (entry + strlen ("DISPLAY="), ours);
    }
  return FALSE;
}

static const EkBlockedName *
find_capture_argument (const char *cmdline,
                       gsize       length)
{
  for (const char *arg = cmdline; cmdline != NULL && arg < cmdline + length;
       arg += strlen (arg) + 1)
    {
      for (guint i = 0; i < G_N_ELEMENTS (capture_arguments); i++)
        {
          if (strstr (arg, capture_arguments[i].name) != NULL)
            return &capture_arguments[i];
        }
    }

  return NULL;
}

static const EkBlockedName *
find_name (EkProcessScanner *self,
           const char       *candidate,
           gboolean          truncated_comm)
{
  if (candidate == NULL || *candidate == '\0')
    return NULL;

  for (guint i = 0; i < self->names->len; i++)
    {
      const EkBlockedName *name = g_ptr_array_index (self->names, i);

      if (g_str_equal (name->name, candidate))
        return name;

      /* The kernel keeps 15 bytes of a process name. */
      if (truncated_comm && strlen (candidate) == 15 && strlen (name->name) > 15 &&
          strncmp (name->name, candidate, 15) == 0)
        return name;
    }

  return NULL;
}

static const EkBlockedName *
find_name_by_id (EkProcessScanner *self,
                 const char       *program)
{
  for (guint i = 0; i < self->names->len; i++)
    {
      const EkBlockedName *name = g_ptr_array_index (self->names, i);

      if (g_str_equal (name->name, program))
        return name;
    }

  return NULL;
}

/* The build ID of an executable, once per file. */
static const char *
cached_build_id (EkProcessScanner  *self,
                 const char        *exe,
                 const struct stat *st)
{
  g_autofree char *key = g_strdup_printf ("b:%ju:%ju:%jd:%jd", (uintmax_t) st->st_dev,
                                          (uintmax_t) st->st_ino, (intmax_t) st->st_size,
                                          (intmax_t) st->st_mtime);
  char *build_id;

  if (g_hash_table_lookup_extended (self->exe_hashes, key, NULL, (gpointer *) &build_id))
    return build_id;
  build_id = read_build_id (exe);
  g_hash_table_insert (self->exe_hashes, g_steal_pointer (&key), build_id);
  return build_id;
}

/* The listed program that the executable at @exe is, by identity, build ID or content. */
static const EkBlockedName *
match_exe (EkProcessScanner *self,
           const char       *exe,
           GCancellable     *cancellable)
{
  g_autofree char *key = NULL;
  const char *sha256 = NULL;
  const char *build_id;
  struct stat st;
  gboolean size_matches = FALSE;

  if (stat (exe, &st) != 0 || !S_ISREG (st.st_mode))
    return NULL;

  for (guint i = 0; i < self->signatures->len; i++)
    {
      EkSignature *signature = g_ptr_array_index (self->signatures, i);

      if (signature->dev == st.st_dev && signature->ino == st.st_ino)
        return find_name_by_id (self, signature->name);
      if (signature->size == st.st_size)
        size_matches = TRUE;
    }

  /* A copy with a byte appended (or changed past the headers) has another size and
   * hash, but the same build ID. */
  build_id = cached_build_id (self, exe, &st);
  for (guint i = 0; build_id != NULL && i < self->signatures->len; i++)
    {
      EkSignature *signature = g_ptr_array_index (self->signatures, i);

      if (g_strcmp0 (signature->build_id, build_id) == 0)
        return find_name_by_id (self, signature->name);
    }

  /* Hashing is the expensive part: only for executables as large as a listed one,
   * and once per executable file. */
  if (!size_matches)
    return NULL;

  key = g_strdup_printf ("%ju:%ju:%jd:%jd", (uintmax_t) st.st_dev, (uintmax_t) st.st_ino,
                         (intmax_t) st.st_size, (intmax_t) st.st_mtime);
  sha256 = g_hash_table_lookup (self->exe_hashes, key);
  if (sha256 == NULL)
    {
      char *hash = hash_file (exe, cancellable);

      if (hash == NULL)
        return NULL;
      g_hash_table_insert (self->exe_hashes, g_steal_pointer (&key), hash);
      sha256 = hash;
    }

  for (guint i = 0; i < self->signatures->len; i++)
    {
      EkSignature *signature = g_ptr_array_index (self->signatures, i);

      if (signature->size != st.st_size)
        continue;
      if (signature->sha256 == NULL)
        signature->sha256 = hash_file (signature->path, cancellable);
      if (g_strcmp0 (signature->sha256, sha256) == 0)
        return find_name_by_id (self, signature->name);
    }

  return NULL;
}

static EkFinding *
make_finding (const EkBlockedName *name,
              const char          *shown,
              gint64               pid,
              const char          *how)
{
  g_autofree char *subject = NULL;
  g_autofree char *description = NULL;
  EkFinding *finding;
  gboolean display = g_str_equal (name->finding_id, EK_FINDING_VIRTUAL_DISPLAY);

  if (g_str_equal (shown, name->name))
    subject = g_strdup_printf ("%s (PID %" G_GINT64_FORMAT ")", name->name, pid);
  else
    subject = g_strdup_printf ("%s (%s, PID %" G_GINT64_FORMAT ")", name->name, shown, pid);

  if (display)
    /* Translators: %s is a program and its process id, e.g. "Xvfb (PID 42)" */
    description = g_strdup_printf (_("A virtual or nested display server is running: %s."),
                                   subject);
  else
    /* Translators: %s is a program and its process id, e.g. "obs (PID 42)" */
    description = g_strdup_printf (_("A program that is not allowed during the exam is "
                                     "running: %s. Close it to continue."), subject);

  finding = ek_finding_new (name->finding_id,
                            display ? EK_SEVERITY_WARN : EK_SEVERITY_BLOCK,
                            subject, description);
  finding->pid = pid;
  g_debug ("process %" G_GINT64_FORMAT " matches %s by %s", pid, name->name, how);

  return finding;
}

static GPtrArray *
scan_locked (EkProcessScanner  *self,
             GCancellable      *cancellable,
             GError           **error)
{
  g_autoptr(GPtrArray) findings = ek_finding_array_new ();
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  gint64 own_pid = (gint64) getpid ();

  build_signatures (self);

  dir = g_dir_open (self->sources->proc_root, 0, error);
  if (dir == NULL)
    return NULL;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm = NULL;
      g_autofree char *cmdline = NULL;
      g_autofree char *argv0 = NULL;
      g_autofree char *argv1 = NULL;
      g_autofree char *exe = g_build_filename (self->sources->proc_root, entry, "exe", NULL);
      const char *program = NULL;
      const EkBlockedName *match = NULL;
      const char *how = NULL;
      gsize cmdline_len = 0;
      gint64 pid;
      char *end = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      pid = g_ascii_strtoll (entry, &end, 10);
      if (end == entry || *end != '\0' || pid <= 0 || pid == own_pid)
        continue;

      comm = read_proc_file (self->sources->proc_root, entry, "comm", NULL);
      if (comm == NULL)
        continue;  /* gone meanwhile */
      g_strchomp (comm);

      cmdline = read_proc_file (self->sources->proc_root, entry, "cmdline", &cmdline_len);
      if (cmdline != NULL && cmdline_len > 0)
        {
          argv0 = g_path_get_basename (cmdline);
          /* A script names its program in the interpreter's first argument; a program
           * started through the dynamic loader, in the loader's. */
          if (strlen (cmdline) + 1 < cmdline_len && is_interpreter (argv0))
            program = program_argument (cmdline, cmdline_len);
          if (program != NULL)
            argv1 = g_path_get_basename (program);
        }

      if ((match = find_name (self, comm, TRUE)) != NULL)
        how = "name";
      else if ((match = find_name (self, argv0, FALSE)) != NULL ||
               (match = find_name (self, argv1, FALSE)) != NULL)
        how = "command line";
      else if ((match = match_exe (self, exe, cancellable)) != NULL)
        how = "executable";
      else if (program != NULL && g_path_is_absolute (program) &&
               (match = match_exe (self, program, cancellable)) != NULL)
        how = "loaded file";
      else if ((match = find_capture_argument (cmdline, cmdline_len)) != NULL)
        how = "screen source in the command line";

      if (match != NULL && match->display_bound &&
          !on_our_display (self, entry, cmdline, cmdline_len))
        match = NULL;
      if (match != NULL && (match->assistive & self->assistive) != 0)
        {
          g_autofree char *genuine = ek_assistive_identify (self->sources->proc_root,
                                                            self->sources->assistive_dir,
                                                            pid, match->assistive);

          if (genuine != NULL)
            {
              g_debug ("process %" G_GINT64_FORMAT " is %s, allowed", pid, genuine);
              match = NULL;
            }
        }
      if (match != NULL)
        g_ptr_array_add (findings, make_finding (match, comm, pid, how));
    }

  return g_steal_pointer (&findings);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  EkProcessScanner *self = source_object;
  GError *error = NULL;
  GPtrArray *findings;

  findings = ek_process_scanner_scan (self, cancellable, &error);
  if (findings == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, findings, (GDestroyNotify) g_ptr_array_unref);
}

static void
ek_process_scanner_finalize (GObject *object)
{
  EkProcessScanner *self = (EkProcessScanner *)object;

  g_clear_pointer (&self->sources, ek_probe_sources_free);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->search_path, g_strfreev);
  g_clear_pointer (&self->signatures, g_ptr_array_unref);
  g_clear_pointer (&self->exe_hashes, g_hash_table_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ek_process_scanner_parent_class)->finalize (object);
}

static void
ek_process_scanner_class_init (EkProcessScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_process_scanner_finalize;
}

static void
ek_process_scanner_init (EkProcessScanner *self)
{
  g_mutex_init (&self->lock);
  self->names = g_ptr_array_new_with_free_func (blocked_name_free);
  self->exe_hashes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * ek_process_scanner_new:
 * @sources: (nullable): where to read /proc from; %NULL for this computer
 *
 * Returns: (transfer full): a scanner with the built-in list
 */
EkProcessScanner *
ek_process_scanner_new (const EkProbeSources *sources)
{
  EkProcessScanner *self = g_object_new (EK_TYPE_PROCESS_SCANNER, NULL);

  self->sources = sources != NULL ? ek_probe_sources_copy (sources) : ek_probe_sources_new ();
  ek_process_scanner_add_names (self, EK_FINDING_BLOCKED_PROCESS, builtin_blocked);
  ek_process_scanner_add_names (self, EK_FINDING_BLOCKED_PROCESS, builtin_capture);
  for (guint i = 0; i < self->names->len; i++)
    {
      EkBlockedName *name = g_ptr_array_index (self->names, i);

      name->display_bound = g_strv_contains (builtin_capture, name->name);
    }
  ek_process_scanner_add_names (self, EK_FINDING_VIRTUAL_DISPLAY, builtin_virtual_display);

  return self;
}

/**
 * ek_process_scanner_add_names:
 * @finding_id: what a match is reported as
 * @names: program names (executable base names) to add to the list
 */
void
ek_process_scanner_add_names (EkProcessScanner   *self,
                              const char         *finding_id,
                              const char * const *names)
{
  g_return_if_fail (EK_IS_PROCESS_SCANNER (self));
  g_return_if_fail (finding_id != NULL);

  g_mutex_lock (&self->lock);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      EkBlockedName *name;

      if (*names[i] == '\0' || find_name_by_id (self, names[i]) != NULL)
        continue;

      name = g_new0 (EkBlockedName, 1);
      name->name = g_strdup (names[i]);
      name->finding_id = g_strdup (finding_id);
      g_ptr_array_add (self->names, name);
    }
  g_clear_pointer (&self->signatures, g_ptr_array_unref);
  g_mutex_unlock (&self->lock);
}

/**
 * ek_process_scanner_set_assistive:
 * @allowed: the assistive technology the exam allows
 *
 * Adds the screen readers and magnifiers to the list: a running one is reported unless
 * its kind is in @allowed and the process is the installed program (ek-assistive-tech.h);
 * one that only has its name is reported in any case.
 */
void
ek_process_scanner_set_assistive (EkProcessScanner *self,
                                  EkAssistiveKinds  allowed)
{
  const EkAssistiveKinds kinds[] = { EK_ASSISTIVE_SCREEN_READER, EK_ASSISTIVE_MAGNIFIER };

  g_return_if_fail (EK_IS_PROCESS_SCANNER (self));

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    ek_process_scanner_add_names (self, EK_FINDING_BLOCKED_PROCESS,
                                  ek_assistive_program_names (kinds[k]));

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->names->len; i++)
    {
      EkBlockedName *name = g_ptr_array_index (self->names, i);

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          if (g_strv_contains (ek_assistive_program_names (kinds[k]), name->name))
            name->assistive = kinds[k];
        }
    }
  self->assistive = allowed;
  g_mutex_unlock (&self->lock);
}

/**
 * ek_process_scanner_set_search_path:
 * @dirs: (nullable): folders where the listed programs are installed; %NULL: $PATH
 *
 * A renamed copy is recognised by comparing a process's executable with the program
 * installed here under its listed name.
 */
void
ek_process_scanner_set_search_path (EkProcessScanner   *self,
                                    const char * const *dirs)
{
  g_return_if_fail (EK_IS_PROCESS_SCANNER (self));

  g_mutex_lock (&self->lock);
  g_strfreev (self->search_path);
  self->search_path = g_strdupv ((char **) dirs);
  g_clear_pointer (&self->signatures, g_ptr_array_unref);
  g_mutex_unlock (&self->lock);
}

/**
 * ek_process_scanner_scan:
 *
 * Reads /proc once. Cheap (a few milliseconds) except the first time a process's
 * executable has the size of a listed program, when it is hashed; call it from a
 * thread, or use ek_process_scanner_scan_async().
 *
 * Returns: (transfer full) (element-type EkFinding): one finding per matching process
 */
GPtrArray *
ek_process_scanner_scan (EkProcessScanner  *self,
                         GCancellable      *cancellable,
                         GError           **error)
{
  GPtrArray *findings;

  g_return_val_if_fail (EK_IS_PROCESS_SCANNER (self), NULL);

  g_mutex_lock (&self->lock);
  findings = scan_locked (self, cancellable, error);
  g_mutex_unlock (&self->lock);

  return findings;
}

void
ek_process_scanner_scan_async (EkProcessScanner    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (EK_IS_PROCESS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ek_process_scanner_scan_async);
  g_task_run_in_thread (task, scan_thread);
}

/**
 * ek_process_scanner_scan_finish:
 *
 * Returns: (transfer full) (element-type EkFinding): the findings, or %NULL with @error set
 */
GPtrArray *
ek_process_scanner_scan_finish (EkProcessScanner  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (EK_IS_PROCESS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ek_process_scanner_scan_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ek_process_scan_builtin_names:
 * @finding_id: %EK_FINDING_BLOCKED_PROCESS or %EK_FINDING_VIRTUAL_DISPLAY
 *
 * Returns: (transfer none): the built-in program names reported as @finding_id
 */
const char * const *
ek_process_scan_builtin_names (const char *finding_id)
{
  if (g_strcmp0 (finding_id, EK_FINDING_VIRTUAL_DISPLAY) == 0)
    return builtin_virtual_display;

  return builtin_blocked;
}
