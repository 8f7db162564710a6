/* ek-probe-sources.c: where the lockdown probes read the operating system from */

#include "config.h"

#include "ek-probe-sources.h"

G_DEFINE_BOXED_TYPE (EkProbeSources, ek_probe_sources,
                     ek_probe_sources_copy, ek_probe_sources_free)

/**
 * ek_probe_sources_new:
 *
 * Returns: (transfer full): the real sources of this computer; change members to
 *   redirect a probe
 */
EkProbeSources *
ek_probe_sources_new (void)
{
  EkProbeSources *sources = g_new0 (EkProbeSources, 1);

  sources->proc_root = g_strdup ("/proc");
  sources->sys_root = g_strdup ("/sys");
  sources->dmi_dir = g_strdup ("/sys/class/dmi/id");
  sources->cpuinfo_path = g_strdup ("/proc/cpuinfo");
  sources->dev_root = g_strdup ("/dev");
  sources->preload_path = g_strdup ("/etc/ld.so.preload");

  return sources;
}

EkProbeSources *
ek_probe_sources_copy (const EkProbeSources *sources)
{
  EkProbeSources *copy;

  g_return_val_if_fail (sources != NULL, NULL);

  copy = g_new0 (EkProbeSources, 1);
  copy->proc_root = g_strdup (sources->proc_root);
  copy->sys_root = g_strdup (sources->sys_root);
  copy->dmi_dir = g_strdup (sources->dmi_dir);
  copy->cpuinfo_path = g_strdup (sources->cpuinfo_path);
  copy->dev_root = g_strdup (sources->dev_root);
  copy->preload_path = g_strdup (sources->preload_path);
  copy->network_path = g_strdup (sources->network_path);
  copy->assistive_dir = g_strdup (sources->assistive_dir);
  copy->environ = g_strdupv (sources->environ);

  return copy;
}

void
ek_probe_sources_free (EkProbeSources *sources)
{
  if (sources == NULL)
    return;

  g_free (sources->proc_root);
  g_free (sources->sys_root);
  g_free (sources->dmi_dir);
  g_free (sources->cpuinfo_path);
  g_free (sources->dev_root);
  g_free (sources->preload_path);
  g_free (sources->network_path);
  g_free (sources->assistive_dir);
  g_strfreev (sources->environ);
  g_free (sources);
}

/* Returns: (nullable): @name in the judged environment */
const char *
ek_probe_sources_getenv (const EkProbeSources *sources,
                         const char           *name)
{
  if (sources == NULL || sources->environ == NULL)
    return g_getenv (name);

  return g_environ_getenv (sources->environ, name);
}
