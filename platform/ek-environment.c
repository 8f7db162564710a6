/* ek-environment.c: virtual machine, debugger, injection, remote session, storage (Linux) */

#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>

#include "ek-environment.h"

/* Vendor and product strings that firmware of virtual machines reports. */
static const char * const hypervisor_vendors[] = {
  "QEMU", "KVM", "VMware", "VirtualBox", "innotek", "Xen", "Bochs", "BHYVE", "Parallels",
  "Microsoft Corporation Virtual", "Virtual Machine", "Amazon EC2", "Google Compute Engine",
  "OpenStack", "DigitalOcean", "Hetzner vServer", "ACRN", "Apple Virtualization", NULL,
};

static char *
read_trimmed (const char *dir,
              const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strstrip (contents);
}

static const char *
find_vendor (const char *value)
{
  g_autofree char *lower = NULL;

  if (value == NULL)
    return NULL;

  lower = g_ascii_strdown (value, -1);
  for (guint i = 0; hypervisor_vendors[i] != NULL; i++)
    {
      g_autofree char *needle = g_ascii_strdown (hypervisor_vendors[i], -1);

      if (strstr (lower, needle) != NULL)
        return hypervisor_vendors[i];
    }

  return NULL;
}

static gboolean
cpuinfo_has_hypervisor_flag (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      const char *colon;

      if (!g_str_has_prefix (lines[i], "flags"))
        continue;
      colon = strchr (lines[i], ':');
      if (colon == NULL)
        continue;

      words = g_strsplit (colon + 1, " ", -1);
      if (g_strv_contains ((const char * const *) words, "hypervisor"))
        return TRUE;
    }

  return FALSE;
}

void
ek_environment_probe_hypervisor (const EkProbeSources *sources,
                                 GPtrArray            *findings)
{
  static const char * const dmi_files[] = {
    "sys_vendor", "product_name", "product_version", "board_vendor", "bios_vendor", NULL,
  };
  g_autofree char *description = NULL;
  g_autofree char *subject = NULL;

  g_return_if_fail (sources != NULL);
  g_return_if_fail (findings != NULL);

  for (guint i = 0; dmi_files[i] != NULL && subject == NULL; i++)
    {
      g_autofree char *value = read_trimmed (sources->dmi_dir, dmi_files[i]);

      if (find_vendor (value) != NULL)
        subject = g_steal_pointer (&value);
    }

  if (subject == NULL && cpuinfo_has_hypervisor_flag (sources->cpuinfo_path))
    subject = g_strdup (_("the processor reports a hypervisor"));

  if (subject == NULL)
    return;

  /* Translators: %s names the virtual machine, e.g. "QEMU" */
  description = g_strdup_printf (_("This computer is a virtual machine (%s)."), subject);
  g_ptr_array_add (findings, ek_finding_new (EK_FINDING_HYPERVISOR, EK_SEVERITY_BLOCK,
                                             subject, description));
}

void
ek_environment_probe_debugger (const EkProbeSources *sources,
                               GPtrArray            *findings)
{
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;
  g_autofree char *tracer_comm = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *description = NULL;
  const char *line;
  gint64 tracer;

  g_return_if_fail (sources != NULL);

  path = g_build_filename (sources->proc_root, "self", "status", NULL);
  if (!g_file_get_contents (path, &status, NULL, NULL))
    return;

  line = strstr (status, "\nTracerPid:");
  if (line == NULL)
    return;

  tracer = g_ascii_strtoll (line + strlen ("\nTracerPid:"), NULL, 10);
  if (tracer <= 0)
    return;

  {
    g_autofree char *pid = g_strdup_printf ("%" G_GINT64_FORMAT, tracer);
    g_autofree char *proc = g_build_filename (sources->proc_root, pid, NULL);

    tracer_comm = read_trimmed (proc, "comm");
  }

  subject = g_strdup_printf ("%s (PID %" G_GINT64_FORMAT ")",
                             tracer_comm != NULL ? tracer_comm : "?", tracer);
  /* Translators: %s is a program and its process id, e.g. "gdb (PID 42)" */
  description = g_strdup_printf (_("The exam program is being traced by a debugger: %s."),
                                 subject);
  g_ptr_array_add (findings, ek_finding_new (EK_FINDING_DEBUGGER, EK_SEVERITY_BLOCK,
                                             subject, description));
}

void
ek_environment_probe_injection (const EkProbeSources *sources,
                                GPtrArray            *findings)
{
  static const char * const variables[] = { "LD_PRELOAD", "LD_AUDIT", NULL };
  g_autofree char *preload_file = NULL;

  g_return_if_fail (sources != NULL);

  for (guint i = 0; variables[i] != NULL; i++)
    {
      const char *value = ek_probe_sources_getenv (sources, variables[i]);
      g_autofree char *subject = NULL;
      g_autofree char *description = NULL;

      if (value == NULL || *value == '\0')
        continue;

      subject = g_strdup_printf ("%s=%s", variables[i], value);
      /* Translators: %s is an environment setting, e.g. "LD_PRELOAD=/tmp/x.so" */
      description = g_strdup_printf (_("Code is injected into the exam program (%s)."),
                                     subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_INJECTION, EK_SEVERITY_BLOCK,
                                                 subject, description));
    }

  /* A preloaded library can unset its variable before anyone asks getenv; the
   * environment the process started with stays readable in /proc/self/environ. */
  if (sources->environ == NULL)
    {
      g_autofree char *path = g_build_filename (sources->proc_root, "self", "environ", NULL);
      g_autofree char *initial = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &initial, &length, NULL))
        {
          for (const char *entry = initial; entry < initial + length; entry += strlen (entry) + 1)
            {
              for (guint i = 0; variables[i] != NULL; i++)
                {
                  g_autofree char *prefix = g_strconcat (variables[i], "=", NULL);
                  const char *now = ek_probe_sources_getenv (sources, variables[i]);
                  g_autofree char *description = NULL;

                  if (!g_str_has_prefix (entry, prefix) || entry[strlen (prefix)] == '\0' ||
                      (now != NULL && *now != '\0'))
                    continue;
                  description = g_strdup_printf (_("Code is injected into the exam program (%s)."),
                                                 entry);
                  g_ptr_array_add (findings, ek_finding_new (EK_FINDING_INJECTION,
                                                             EK_SEVERITY_BLOCK, entry,
                                                             description));
                }
            }
        }
    }

  if (g_file_get_contents (sources->preload_path, &preload_file, NULL, NULL) &&
      *g_strstrip (preload_file) != '\0')
    {
      g_autofree char *subject = g_strdup_printf ("%s: %s", sources->preload_path, preload_file);
      g_autofree char *description = NULL;

      description = g_strdup_printf (_("Code is injected into the exam program (%s)."),
                                     subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_INJECTION, EK_SEVERITY_BLOCK,
                                                 subject, description));
    }
}

void
ek_environment_probe_remote_session (const EkProbeSources *sources,
                                     GPtrArray            *findings)
{
  static const char * const variables[] = { "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", NULL };
  const char *display;
  g_autofree char *subject = NULL;
  g_autofree char *description = NULL;

  g_return_if_fail (sources != NULL);

  for (guint i = 0; variables[i] != NULL && subject == NULL; i++)
    {
      const char *value = ek_probe_sources_getenv (sources, variables[i]);

      if (value != NULL && *value != '\0')
        subject = g_strdup_printf ("%s=%s", variables[i], value);
    }

  /* "host:10.0" is a display reached over the network, as X forwarding sets it. */
  display = ek_probe_sources_getenv (sources, "DISPLAY");
  if (subject == NULL && display != NULL && *display != ':' && *display != '/' &&
      strchr (display, ':') != NULL && !g_str_has_prefix (display, "unix:"))
    subject = g_strdup_printf ("DISPLAY=%s", display);

  if (subject == NULL)
    return;

  /* Translators: %s is the evidence, e.g. "SSH_CONNECTION=10.0.0.2 22 …" */
  description = g_strdup_printf (_("The exam runs in a remote session (%s)."), subject);
  g_ptr_array_add (findings, ek_finding_new (EK_FINDING_REMOTE_SESSION, EK_SEVERITY_BLOCK,
                                             subject, description));
}

void
ek_environment_probe_usb_storage (const EkProbeSources *sources,
                                  GPtrArray            *findings)
{
  g_autofree char *block_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  g_return_if_fail (sources != NULL);

  block_dir = g_build_filename (sources->sys_root, "block", NULL);
  dir = g_dir_open (block_dir, 0, NULL);
  if (dir == NULL)
    return;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *link = g_build_filename (block_dir, entry, NULL);
      g_autofree char *target = NULL;
      g_autofree char *device = NULL;
      g_autofree char *model = NULL;
      g_autofree char *subject = NULL;
      g_autofree char *description = NULL;

      /* The device's place in sysfs says which bus it hangs on. */
      target = g_file_read_link (link, NULL);
      if (target == NULL || strstr (target, "/usb") == NULL)
        continue;

      device = g_build_filename (link, "device", NULL);
      model = read_trimmed (device, "model");
      subject = g_strdup_printf ("%s (%s)", model != NULL && *model != '\0' ? model : entry,
                                 entry);
      /* Translators: %s is a storage device, e.g. "Cruzer Blade (sdb)" */
      description = g_strdup_printf (_("A USB storage device is connected: %s."), subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_USB_STORAGE, EK_SEVERITY_WARN,
                                                 subject, description));
    }
}

/**
 * ek_environment_probe_all:
 *
 * Returns: (transfer full) (element-type EkFinding): the findings of every probe in this file
 */
GPtrArray *
ek_environment_probe_all (const EkProbeSources *sources)
{
  GPtrArray *findings = ek_finding_array_new ();

  ek_environment_probe_hypervisor (sources, findings);
  ek_environment_probe_debugger (sources, findings);
  ek_environment_probe_injection (sources, findings);
  ek_environment_probe_remote_session (sources, findings);
  ek_environment_probe_usb_storage (sources, findings);

  return findings;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The "NAME=ADDRESS" lines of @path (a test's stand-in for the interfaces). */
static void
read_addresses (const char *path,
                GPtrArray  *addresses)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (*lines[i] != '\0' && strchr (lines[i], '=') != NULL)
        g_ptr_array_add (addresses, g_strdup (lines[i]));
    }
}

/**
 * ek_environment_network_fingerprint:
 *
 * Returns: (transfer full): the sorted addresses of the non-loopback interfaces that are
 *   up (or those of @sources' network file); a change means the computer moved to another
 *   network
 */
char *
ek_environment_network_fingerprint (const EkProbeSources *sources)
{
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *list = NULL;

  if (sources != NULL && sources->network_path != NULL)
    {
      read_addresses (sources->network_path, addresses);
      g_ptr_array_sort (addresses, compare_strings);
      g_ptr_array_add (addresses, NULL);
      return g_strjoinv (" ", (char **) addresses->pdata);
    }

  if (getifaddrs (&list) != 0)
    return g_strdup ("");

  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      char buffer[INET6_ADDRSTRLEN] = "";
      const void *address;

      if (ifa->ifa_addr == NULL || (ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
        continue;

      if (ifa->ifa_addr->sa_family == AF_INET)
        address = &((struct sockaddr_in *) (gpointer) ifa->ifa_addr)->sin_addr;
      else if (ifa->ifa_addr->sa_family == AF_INET6)
        address = &((struct sockaddr_in6 *) (gpointer) ifa->ifa_addr)->sin6_addr;
      else
        continue;

      if (inet_ntop (ifa->ifa_addr->sa_family, address, buffer, sizeof buffer) != NULL)
        g_ptr_array_add (addresses, g_strdup_printf ("%s=%s", ifa->ifa_name, buffer));
    }

  freeifaddrs (list);
  g_ptr_array_sort (addresses, compare_strings);
  g_ptr_array_add (addresses, NULL);

  return g_strjoinv (" ", (char **) addresses->pdata);
}

/**
 * ek_environment_is_exam_session:
 *
 * Returns: whether the dedicated exam session's launcher started this program; the
 *   display facts (no window manager, no VT switching) are checked by the caller
 */
gboolean
ek_environment_is_exam_session (const EkProbeSources *sources)
{
  return g_strcmp0 (ek_probe_sources_getenv (sources, EK_EXAM_SESSION_ENV), "1") == 0;
}
