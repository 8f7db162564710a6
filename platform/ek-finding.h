/* ek-finding.h: one thing a lockdown probe found on this computer
 *
 * Probes (processes, environment, devices, displays) report what they see as findings;
 * the exam policy decides what each one means. A finding carries the built-in severity
 * an examining body would expect, which the policy may override by id.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  EK_SEVERITY_ALLOW,
  EK_SEVERITY_WARN,
  EK_SEVERITY_BLOCK,
} EkSeverity;

/* Stable ids, used in policies, event logs and the self-check report. */
#define EK_FINDING_BLOCKED_PROCESS  "blocked_process"
#define EK_FINDING_HYPERVISOR       "hypervisor"
#define EK_FINDING_DEBUGGER         "debugger"
#define EK_FINDING_INJECTION        "injection"
#define EK_FINDING_REMOTE_SESSION   "remote_session"
#define EK_FINDING_VIRTUAL_DISPLAY  "virtual_display"
#define EK_FINDING_VIRTUAL_CAMERA   "virtual_camera"
#define EK_FINDING_HEADSET          "headset"
#define EK_FINDING_BLUETOOTH        "bluetooth"
#define EK_FINDING_USB_STORAGE      "usb_storage"
#define EK_FINDING_MONITORS         "monitors"
#define EK_FINDING_GRAB_BREAKER     "grab_breaking_keys"
#define EK_FINDING_VT_SWITCH        "vt_switch_keys"

typedef struct
{
  char       *id;           /* one of EK_FINDING_*, never translated */
  char       *subject;      /* the thing found, e.g. "QEMU", "obs (PID 4711)" */
  char       *description;  /* a translated sentence that names the subject */
  EkSeverity  severity;     /* built-in default; EkLockdownPolicy may override */
  gint64      pid;          /* the process, for process findings; else 0 */
} EkFinding;

#define EK_TYPE_FINDING (ek_finding_get_type ())

GType       ek_finding_get_type        (void) G_GNUC_CONST;
EkFinding  *ek_finding_new             (const char       *id,
                                        EkSeverity        severity,
                                        const char       *subject,
                                        const char       *description);
EkFinding  *ek_finding_copy            (const EkFinding  *finding);
void        ek_finding_free            (EkFinding        *finding);
GPtrArray  *ek_finding_array_new       (void);

const char *ek_severity_to_string      (EkSeverity        severity);
gboolean    ek_severity_from_string    (const char       *str,
                                        EkSeverity       *severity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkFinding, ek_finding_free)

G_END_DECLS
