/* ek-x11-client-census.c: the X server's clients, and who connects during the exam (X11)
 *
 * Two sources, so that neither a program that renames itself nor one that is over in a
 * few milliseconds (xwd -root) slips through:
 *
 *  - the RECORD extension announces every new connection at once (ClientStarted), on a
 *    connection of the census's own, read by a thread of its own that asks for the
 *    client's process and reads /proc at once, before a short-lived client is gone, and
 *    hands the result to the main loop (however busy the main loop is);
 *  - the X-Resource extension lists the clients with their process IDs (the server
 *    knows each local client's PID from its socket), asked every interval_ms as well, in
 *    case RECORD is missing or a connection came and went between two looks.
 *
 * A client already gone before its process could be asked for is reported as such.
 */

#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gdk/gdk.h>
#include <gdk/x11/gdkx.h>
#include <X11/Xlib.h>
#include <X11/extensions/XRes.h>
#include <X11/extensions/record.h>

#include "ek-client-census.h"

#define COMMAND_LINE_MAX 160

struct _EkClientCensus
{
  GObject         parent_instance;

  GdkDisplay     *display;      /* owned ref */
  Display        *data;         /* owned; RECORD's data connection, NULL without RECORD */
  Display        *query;        /* owned; the RECORD thread's own connection for XRes */
  XRecordContext  context;
  GThread        *thread;       /* owned; reads RECORD while running */
  GMainContext   *main_context; /* owned ref; where the thread's reports go */
  guint           poll_id;
  GHashTable     *known;        /* client resource base -> PID + 1 (0: unknown) */
  char          **allowed;      /* owned; executable names */
  char           *assistive_dir; /* owned; NULL: /usr/bin */
  EkAssistiveKinds assistive;   /* the screen readers and magnifiers the exam allows */
  gboolean        running;
  gboolean        report_unnamed;
};

G_DEFINE_FINAL_TYPE (EkClientCensus, ek_client_census, G_TYPE_OBJECT)

enum {
  CLIENT_CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Clients a desktop may start during an exam without anybody cheating: window managers
 * (one restarting), input methods and the accessibility bus (which a screen reader the
 * exam allows needs). Matched by the executable's name, and only for an executable the
 * candidate cannot have written (owned by root, not writable by others): a copy of xwd
 * named "openbox" is reported. Screen readers and magnifiers are allowed only when the
 * exam allows them (ek_client_census_set_assistive()), and then only the installed ones. */
static const char * const default_allowed[] = {
  "openbox", "mutter", "gnome-shell", "kwin_x11", "xfwm4", "marco", "metacity", "muffin",
  "cinnamon", "budgie-wm", "fluxbox", "icewm", "i3", "awesome",
  "ibus-x11", "ibus-daemon", "ibus-ui-gtk3", "fcitx", "fcitx5", "uim-xim",
  "at-spi-bus-launcher", "at-spi2-registryd",
  NULL,
};

/* A client as the RECORD thread saw it, handed to the main loop. */
typedef struct
{
  EkClientCensus *census;       /* owned ref */
  XID             base;
  gboolean        died;
  pid_t           pid;          /* 0: unknown */
  char           *executable;
  char           *command;
} Sighting;

static Display *
xdisplay_of (EkClientCensus *self)
{
  return gdk_x11_display_get_xdisplay (self->display);
}

static void
sighting_free (gpointer data)
{
  Sighting *sighting = data;

  g_object_unref (sighting->census);
  g_free (sighting->executable);
  g_free (sighting->command);
  g_free (sighting);
}

/* Returns: the PID of the client whose resources start at @base, 0 if unknown (gone, or
 * a client the server cannot name the process of). A client that is gone is no error. */
static pid_t
query_pid (Display *xdisplay,
           XID      base)
{
  XResClientIdSpec spec = { base, XRES_CLIENT_ID_PID_MASK };
  XResClientIdValue *ids = NULL;
  long n = 0;
  pid_t pid = 0;

  if (XResQueryClientIds (xdisplay, 1, &spec, &n, &ids) == Success)
    {
      for (long i = 0; i < n; i++)
        {
          if (ids[i].spec.mask == XRES_CLIENT_ID_PID_MASK && XResGetClientPid (&ids[i]) > 0)
            pid = XResGetClientPid (&ids[i]);
        }
      XResClientIdsDestroy (n, ids);
    }

  return pid;
}

static char *
read_command_line (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL) || length == 0)
    return NULL;

  for (gsize i = 0; i + 1 < length; i++)
    {
      if (contents[i] == '\0')
        contents[i] = ' ';
    }
  if (length > COMMAND_LINE_MAX)
    {
      contents[COMMAND_LINE_MAX] = '\0';
      return g_strconcat (contents, "…", NULL);
    }
  return g_steal_pointer (&contents);
}

static gboolean
is_allowed (EkClientCensus *self,
            pid_t           pid,
            const char     *executable)
{
  g_autofree char *name = NULL;
  struct stat st;

  if (executable == NULL)
    return FALSE;

  if (self->assistive != EK_ASSISTIVE_NONE)
    {
      g_autofree char *program = ek_assistive_identify (NULL, self->assistive_dir, pid,
                                                        self->assistive);

      if (program != NULL)
        return TRUE;
    }

  if (self->allowed == NULL)
    return FALSE;

  name = g_path_get_basename (executable);
  if (!g_strv_contains ((const char * const *) self->allowed, name))
    return FALSE;

  /* The candidate could copy a capture tool under an allowed name, but not make the
   * copy root's in a folder only root writes to. */
  return stat (executable, &st) == 0 && st.st_uid == 0 && (st.st_mode & 022) == 0;
}

static void
report (EkClientCensus *self,
        XID             base,
        pid_t           pid,
        const char     *executable,
        const char     *command)
{
  g_autofree char *description = NULL;

  if (pid == getpid () || is_allowed (self, pid, executable) ||
      (executable == NULL && !self->report_unnamed))
    return;

  if (pid == 0)
    description = g_strdup_printf ("client 0x%lx, gone before its process could be named",
                                   (unsigned long) base);
  else
    description = g_strdup_printf ("PID %d %s%s%s%s", (int) pid,
                                   executable != NULL ? executable : "(executable unknown)",
                                   command != NULL ? " (" : "", command != NULL ? command : "",
                                   command != NULL ? ")" : "");
  g_signal_emit (self, signals[CLIENT_CONNECTED], 0, (guint) pid, description);
}

static char *
read_executable (pid_t pid)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/exe", (int) pid);

  return g_file_read_link (link, NULL);
}

/* A client found by the census's own look (main thread). */
static void
client_seen (EkClientCensus *self,
             XID             base,
             gboolean        at_start)
{
  g_autofree char *executable = NULL;
  g_autofree char *command = NULL;
  pid_t pid;

  if (g_hash_table_contains (self->known, GSIZE_TO_POINTER (base)))
    return;

  gdk_x11_display_error_trap_push (self->display);
  pid = query_pid (xdisplay_of (self), base);
  gdk_x11_display_error_trap_pop_ignored (self->display);
  g_hash_table_insert (self->known, GSIZE_TO_POINTER (base), GINT_TO_POINTER (pid + 1));
  if (at_start)
    return;

  if (pid != 0)
    {
      executable = read_executable (pid);
      command = read_command_line (pid);
    }
  report (self, base, pid, executable, command);
}

/* Every client now; forgets those that left (their resource bases are given out again). */
static void
take_census (EkClientCensus *self,
             gboolean        at_start)
{
  g_autoptr(GHashTable) present = g_hash_table_new (NULL, NULL);
  XResClient *clients = NULL;
  GHashTableIter iter;
  gpointer key;
  int n = 0;
  Status status;

  gdk_x11_display_error_trap_push (self->display);
  status = XResQueryClients (xdisplay_of (self), &n, &clients);
  gdk_x11_display_error_trap_pop_ignored (self->display);
  if (!status)
    return;

  for (int i = 0; i < n; i++)
    {
      g_hash_table_add (present, GSIZE_TO_POINTER (clients[i].resource_base));
      client_seen (self, clients[i].resource_base, at_start);
    }
  if (clients != NULL)
    XFree (clients);

  g_hash_table_iter_init (&iter, self->known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (!g_hash_table_contains (present, key))
        g_hash_table_iter_remove (&iter);
    }
}

static gboolean
on_sighting_cb (gpointer user_data)
{
  Sighting *sighting = user_data;
  EkClientCensus *self = sighting->census;
  gpointer key = GSIZE_TO_POINTER (sighting->base);

  if (!self->running)
    return G_SOURCE_REMOVE;

  if (sighting->died)
    g_hash_table_remove (self->known, key);
  else if (!g_hash_table_contains (self->known, key))
    {
      g_hash_table_insert (self->known, key, GINT_TO_POINTER (sighting->pid + 1));
      report (self, sighting->base, sighting->pid, sighting->executable, sighting->command);
    }
  return G_SOURCE_REMOVE;
}

/* In the RECORD thread: the process of a new client, asked for at once. */
static void
record_cb (XPointer              closure,
           XRecordInterceptData *data)
{
  EkClientCensus *self = (EkClientCensus *) closure;
  Sighting *sighting;

  if (data->category != XRecordClientStarted && data->category != XRecordClientDied)
    {
      XRecordFreeData (data);
      return;
    }

  sighting = g_new0 (Sighting, 1);
  sighting->census = g_object_ref (self);
  sighting->base = data->id_base;
  sighting->died = data->category == XRecordClientDied;
  XRecordFreeData (data);

  if (!sighting->died)
    {
      sighting->pid = query_pid (self->query, sighting->base);
      if (sighting->pid != 0)
        {
          sighting->executable = read_executable (sighting->pid);
          sighting->command = read_command_line (sighting->pid);
        }
    }
  g_main_context_invoke_full (self->main_context, G_PRIORITY_HIGH, on_sighting_cb, sighting,
                              sighting_free);
}

static gpointer
record_thread (gpointer user_data)
{
  EkClientCensus *self = user_data;

  /* Returns when the context is disabled (ek_client_census_stop). */
  XRecordEnableContext (self->data, self->context, record_cb, (XPointer) self);
  return NULL;
}

static gboolean
on_poll_cb (gpointer user_data)
{
  take_census (user_data, FALSE);

  return G_SOURCE_CONTINUE;
}

/* RECORD on connections of its own, read by a thread. */
static gboolean
start_record (EkClientCensus *self)
{
  Display *xdisplay = xdisplay_of (self);
  XRecordClientSpec clients = XRecordFutureClients;
  XRecordRange *range;
  int major = 0, minor = 0;

  if (!XRecordQueryVersion (xdisplay, &major, &minor))
    return FALSE;

  self->data = XOpenDisplay (DisplayString (xdisplay));
  self->query = XOpenDisplay (DisplayString (xdisplay));
  range = XRecordAllocRange ();
  if (self->data == NULL || self->query == NULL || range == NULL)
    {
      if (range != NULL)
        XFree (range);
      return FALSE;
    }
  range->client_started = True;
  range->client_died = True;
  self->context = XRecordCreateContext (self->query, 0, &clients, 1, &range, 1);
  XSync (self->query, False);
  XFree (range);
  if (self->context == 0)
    return FALSE;

  self->thread = g_thread_new ("ek-client-census", record_thread, self);
  return TRUE;
}

static void
ek_client_census_dispose (GObject *object)
{
  EkClientCensus *self = (EkClientCensus *)object;

  ek_client_census_stop (self);
  g_clear_object (&self->display);

  G_OBJECT_CLASS (ek_client_census_parent_class)->dispose (object);
}

static void
ek_client_census_finalize (GObject *object)
{
  EkClientCensus *self = (EkClientCensus *)object;

  g_clear_pointer (&self->known, g_hash_table_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_pointer (&self->allowed, g_strfreev);
  g_clear_pointer (&self->assistive_dir, g_free);

  G_OBJECT_CLASS (ek_client_census_parent_class)->finalize (object);
}

static void
ek_client_census_class_init (EkClientCensusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ek_client_census_dispose;
  object_class->finalize = ek_client_census_finalize;

  /**
   * EkClientCensus::client-connected:
   * @pid: the client's process, 0 if unknown
   * @description: "PID N EXECUTABLE (COMMAND LINE)", or why the process is unknown
   *
   * A client connected to the display server after the census started.
   */
  signals[CLIENT_CONNECTED] =
    g_signal_new ("client-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
}

static void
ek_client_census_init (EkClientCensus *self)
{
  self->known = g_hash_table_new (NULL, NULL);
  self->allowed = g_strdupv ((char **) default_allowed);
  self->report_unnamed = TRUE;
}

/**
 * ek_client_census_new:
 * @display: the kiosk's #GdkDisplay (X11)
 *
 * Returns: (transfer full): a census, idle until ek_client_census_start()
 */
EkClientCensus *
ek_client_census_new (GObject *display)
{
  EkClientCensus *self;

  g_return_val_if_fail (GDK_IS_X11_DISPLAY (display), NULL);

  self = g_object_new (EK_TYPE_CLIENT_CENSUS, NULL);
  self->display = g_object_ref (GDK_DISPLAY (display));
  self->main_context = g_main_context_ref_thread_default ();
  return self;
}

/**
 * ek_client_census_start:
 * @interval_ms: how often the whole list is taken again (RECORD reports at once)
 *
 * Takes the list of clients now (not reported), then reports every new one.
 *
 * Returns: %FALSE when the display server cannot list its clients (no X-Resource)
 */
gboolean
ek_client_census_start (EkClientCensus  *self,
                        guint            interval_ms,
                        GError         **error)
{
  int event_base, error_base;

  g_return_val_if_fail (EK_IS_CLIENT_CENSUS (self), FALSE);

  if (self->running)
    return TRUE;

  if (!XResQueryExtension (xdisplay_of (self), &event_base, &error_base))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "the display server has no X-Resource extension");
      return FALSE;
    }

  g_hash_table_remove_all (self->known);
  self->running = TRUE;
  /* RECORD first: a client that connects while the list is taken is then not missed. */
  if (!start_record (self))
    g_debug ("Client census: no RECORD extension, polling only");
  take_census (self, TRUE);
  self->poll_id = g_timeout_add (interval_ms, on_poll_cb, self);
  return TRUE;
}

void
ek_client_census_stop (EkClientCensus *self)
{
  g_return_if_fail (EK_IS_CLIENT_CENSUS (self));

  self->running = FALSE;
  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->context != 0)
    {
      /* Ends the thread's XRecordEnableContext; the query connection is the thread's
       * until then, so the disable goes through GDK's. */
      if (self->thread != NULL)
        {
          gdk_x11_display_error_trap_push (self->display);
          XRecordDisableContext (xdisplay_of (self), self->context);
          XSync (xdisplay_of (self), False);
          gdk_x11_display_error_trap_pop_ignored (self->display);
          g_thread_join (g_steal_pointer (&self->thread));
        }
      XRecordFreeContext (self->query, self->context);
      XSync (self->query, False);
      self->context = 0;
    }
  g_clear_pointer (&self->query, XCloseDisplay);
  g_clear_pointer (&self->data, XCloseDisplay);
}

/**
 * ek_client_census_set_allowed:
 * @names: (nullable): executable names that may connect (see the default list)
 */
void
ek_client_census_set_allowed (EkClientCensus     *self,
                              const char * const *names)
{
  g_return_if_fail (EK_IS_CLIENT_CENSUS (self));

  g_strfreev (self->allowed);
  self->allowed = g_strdupv ((char **) names);
}

/**
 * ek_client_census_set_assistive:
 * @install_dir: (nullable): where they are installed; %NULL: /usr/bin (tests: elsewhere)
 * @allowed: the screen readers and magnifiers the exam allows
 *
 * A client that is genuinely one of them (ek-assistive-tech.h) is not reported.
 */
void
ek_client_census_set_assistive (EkClientCensus   *self,
                                const char       *install_dir,
                                EkAssistiveKinds  allowed)
{
  g_return_if_fail (EK_IS_CLIENT_CENSUS (self));

  g_free (self->assistive_dir);
  self->assistive_dir = g_strdup (install_dir);
  self->assistive = allowed;
}

/**
 * ek_client_census_set_report_unnamed:
 * @report: whether a client gone before its process or executable could be named is
 *   reported (the default); test suites that look at the display with short-lived
 *   tools of their own turn it off
 */
void
ek_client_census_set_report_unnamed (EkClientCensus *self,
                                     gboolean        report)
{
  g_return_if_fail (EK_IS_CLIENT_CENSUS (self));

  self->report_unnamed = report;
}

guint
ek_client_census_get_n_clients (EkClientCensus *self)
{
  g_return_val_if_fail (EK_IS_CLIENT_CENSUS (self), 0);

  return g_hash_table_size (self->known);
}

/* Returns: whether new clients are announced at once (RECORD), not only at each look */
gboolean
ek_client_census_get_prompt (EkClientCensus *self)
{
  g_return_val_if_fail (EK_IS_CLIENT_CENSUS (self), FALSE);

  return self->thread != NULL;
}

/* Returns: (transfer none): the programs allowed to connect when nothing else is set */
const char * const *
ek_client_census_default_allowed (void)
{
  return default_allowed;
}
