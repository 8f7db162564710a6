/* ek-environment.h: what this computer and session are: virtual machine, debugger,
 * code injection, remote or dedicated session, removable storage, network
 *
 * Each probe is synchronous and cheap (a few small files), reads through
 * EkProbeSources, and appends EkFinding to @findings (nothing when all is well).
 */
#pragma once

#include "ek-finding.h"
#include "ek-probe-sources.h"

G_BEGIN_DECLS

void       ek_environment_probe_hypervisor     (const EkProbeSources *sources,
                                                GPtrArray            *findings);
void       ek_environment_probe_debugger       (const EkProbeSources *sources,
                                                GPtrArray            *findings);
void       ek_environment_probe_injection      (const EkProbeSources *sources,
                                                GPtrArray            *findings);
void       ek_environment_probe_remote_session (const EkProbeSources *sources,
                                                GPtrArray            *findings);
void       ek_environment_probe_usb_storage    (const EkProbeSources *sources,
                                                GPtrArray            *findings);
GPtrArray *ek_environment_probe_all            (const EkProbeSources *sources);

char      *ek_environment_network_fingerprint  (const EkProbeSources *sources);
gboolean   ek_environment_is_exam_session      (const EkProbeSources *sources);

/* Set by the dedicated exam session's launcher (data/exam-session). */
#define EK_EXAM_SESSION_ENV "EK_EXAM_SESSION"

G_END_DECLS
