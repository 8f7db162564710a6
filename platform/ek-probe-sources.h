/* ek-probe-sources.h: where the lockdown probes read the operating system from
 *
 * Every probe reads its facts through these paths, so a test (and the device self-check's
 * own tests) can point a probe at a fake /proc, /sys, DMI folder or cpuinfo file and get
 * every outcome on any machine.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  char  *proc_root;      /* /proc */
  char  *sys_root;       /* /sys */
  char  *dmi_dir;        /* /sys/class/dmi/id */
  char  *cpuinfo_path;   /* /proc/cpuinfo */
  char  *dev_root;       /* /dev */
  char  *preload_path;   /* /etc/ld.so.preload */
  char  *network_path;   /* NULL: the interfaces' addresses (getifaddrs); else a file of
                          * "NAME=ADDRESS" lines standing for them */
  char  *assistive_dir;  /* NULL: the assistive programs' installed paths (/usr/bin);
                          * else the folder standing for it (tests) */
  char **environ;        /* the environment to judge; NULL: this process's */
} EkProbeSources;

#define EK_TYPE_PROBE_SOURCES (ek_probe_sources_get_type ())

GType           ek_probe_sources_get_type   (void) G_GNUC_CONST;
EkProbeSources *ek_probe_sources_new        (void);
EkProbeSources *ek_probe_sources_copy       (const EkProbeSources *sources);
void            ek_probe_sources_free       (EkProbeSources       *sources);
const char     *ek_probe_sources_getenv     (const EkProbeSources *sources,
                                             const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkProbeSources, ek_probe_sources_free)

G_END_DECLS
