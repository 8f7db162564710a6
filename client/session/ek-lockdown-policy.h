/* ek-lockdown-policy.h: what the exam's lockdown rules ask for (docs/protocol.md, section 3)
 *
 * Parsed from the exam's `lockdown` object: whether lockdown is relaxed, which findings
 * block, warn or are allowed, which programs are forbidden, the grace time for short
 * focus losses, the escalation thresholds per violation type and the assistive
 * technology (screen reader, magnifier) the candidate may run.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-assistive-tech.h"
#include "ek-finding.h"

G_BEGIN_DECLS

/* Violation types, as logged and as keys of `escalation`. */
#define EK_VIOLATION_FOCUS_LOST         "focus_lost"
#define EK_VIOLATION_WINDOW_HIDDEN      "window_hidden"
#define EK_VIOLATION_WINDOW_OBSCURED    "window_obscured"
#define EK_VIOLATION_POINTER_LEFT       "pointer_left"
#define EK_VIOLATION_MONITOR_ADDED      "monitor_added"
#define EK_VIOLATION_BLOCKED_PROCESS    "blocked_process"
#define EK_VIOLATION_SYNTHETIC_INPUT    "synthetic_input"
#define EK_VIOLATION_KEYBOARD_LOCK_LOST "keyboard_lock_lost"
#define EK_VIOLATION_USB_STORAGE        "usb_storage"
#define EK_VIOLATION_NETWORK_CHANGED    "network_changed"
#define EK_VIOLATION_FACE_ABSENT        "face_absent"
#define EK_VIOLATION_MULTIPLE_FACES     "multiple_faces"
#define EK_VIOLATION_FACE_NOT_VISIBLE   "face_not_visible"
#define EK_VIOLATION_VOICE              "voice"
#define EK_VIOLATION_CAMERA_COVERED     "camera_covered"
/* The live identity re-check failed repeatedly (ek-exam-proctor.h). */
#define EK_VIOLATION_IDENTITY_MISMATCH  "identity_mismatch"

typedef struct
{
  guint  warn_at;                /* count that shows a warning to acknowledge; 0: never */
  guint  lock_at;                /* count that locks the screen until the proctor releases it */
  guint  submit_at;              /* count that forces submission */
  gint64 submit_after_total_ms;  /* total time that forces submission; 0: never */
} EkEscalationThresholds;

#define EK_TYPE_LOCKDOWN_POLICY (ek_lockdown_policy_get_type ())

G_DECLARE_FINAL_TYPE (EkLockdownPolicy, ek_lockdown_policy, EK, LOCKDOWN_POLICY, GObject)

EkLockdownPolicy             *ek_lockdown_policy_new_from_json     (JsonObject        *lockdown,
                                                                    gboolean           formal,
                                                                    GError           **error);
EkLockdownPolicy             *ek_lockdown_policy_new_relaxed       (void);
gboolean                      ek_lockdown_policy_get_relaxed       (EkLockdownPolicy  *self);
const char * const           *ek_lockdown_policy_get_blocked_processes (EkLockdownPolicy *self);
EkAssistiveKinds              ek_lockdown_policy_get_assistive     (EkLockdownPolicy  *self);
const char                   *ek_lockdown_policy_get_quit_password_hash (EkLockdownPolicy *self);
gint64                        ek_lockdown_policy_get_grace_ms      (EkLockdownPolicy  *self);
guint                         ek_lockdown_policy_get_process_scan_interval_ms (EkLockdownPolicy *self);
EkSeverity                    ek_lockdown_policy_get_severity      (EkLockdownPolicy  *self,
                                                                    const EkFinding   *finding);
void                          ek_lockdown_policy_apply             (EkLockdownPolicy  *self,
                                                                    GPtrArray         *findings);
const EkEscalationThresholds *ek_lockdown_policy_get_thresholds    (EkLockdownPolicy  *self,
                                                                    const char        *violation_type);
gboolean                      ek_lockdown_policy_has_grace         (EkLockdownPolicy  *self,
                                                                    const char        *violation_type);

const char * const           *ek_lockdown_known_rules              (void);
gboolean                      ek_lockdown_is_violation_type        (const char        *type);

G_END_DECLS
