/* ek-violation-tracker.h: lockdown violations counted, timed and escalated by policy
 *
 * Each violation type (focus lost, monitor added, blocked process, synthetic input,
 * the proctoring signals …) has a count and a total time. Counting moves the exam
 * through the policy's steps: a warning the candidate acknowledges, a screen locked
 * until the proctor releases it, forced submission. Short focus losses within the
 * policy's grace time are reported but not counted.
 */
#pragma once

#include <glib-object.h>

#include "ek-lockdown-policy.h"

G_BEGIN_DECLS

/* Violations an attacker from outside the kiosk causes (issue 13), next to the policy's
 * own types (ek-lockdown-policy.h); the policy's default thresholds apply to them. */
#define EK_VIOLATION_DISPLAY_CLIENT     "display_client"     /* another program connected to the display */
#define EK_VIOLATION_GEOMETRY_CHANGED   "geometry_changed"   /* resized, moved, not fullscreen, another desktop */
#define EK_VIOLATION_POINTER_GRABBED    "pointer_grabbed"    /* another client holds the pointer */
#define EK_VIOLATION_KEYBOARD_ADDED     "keyboard_added"     /* a second master keyboard (MPX) */
#define EK_VIOLATION_DEBUGGER           "debugger"           /* a tracer attached after the exam started */
#define EK_VIOLATION_INJECTION          "injection"          /* a library the kiosk did not load */
#define EK_VIOLATION_PROCESS_STOPPED    "process_stopped"    /* the kiosk was stopped or its main loop stalled */

typedef enum
{
  EK_ESCALATION_NONE,
  EK_ESCALATION_WARNING,  /* shown until the candidate acknowledges it */
  EK_ESCALATION_LOCKED,   /* exam covered until the proctor releases it */
  EK_ESCALATION_SUBMIT,   /* the exam must be submitted now */
} EkEscalationStep;

typedef struct
{
  char     *type;         /* EK_VIOLATION_* */
  char     *detail;       /* what caused it (a window, a program, a device); may be "" */
  gint64    start_ms;     /* wall clock, milliseconds since 1970 */
  gint64    end_ms;       /* 0 while it lasts */
  gint64    duration_ms;  /* from the monotonic clock; 0 while it lasts */
  gboolean  counted;      /* FALSE: ended within the grace time */
  guint     count;        /* the type's count including this one, if counted */
} EkViolation;

#define EK_TYPE_VIOLATION (ek_violation_get_type ())

GType        ek_violation_get_type (void) G_GNUC_CONST;
EkViolation *ek_violation_copy     (const EkViolation *violation);
void         ek_violation_free     (EkViolation       *violation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkViolation, ek_violation_free)

#define EK_TYPE_VIOLATION_TRACKER (ek_violation_tracker_get_type ())

G_DECLARE_FINAL_TYPE (EkViolationTracker, ek_violation_tracker, EK, VIOLATION_TRACKER, GObject)

EkViolationTracker *ek_violation_tracker_new               (EkLockdownPolicy   *policy);
EkLockdownPolicy   *ek_violation_tracker_get_policy        (EkViolationTracker *self);
void                ek_violation_tracker_begin             (EkViolationTracker *self,
                                                            const char         *type,
                                                            const char         *detail);
void                ek_violation_tracker_end               (EkViolationTracker *self,
                                                            const char         *type);
void                ek_violation_tracker_record            (EkViolationTracker *self,
                                                            const char         *type,
                                                            const char         *detail);
void                ek_violation_tracker_end_all           (EkViolationTracker *self);
gboolean            ek_violation_tracker_is_active         (EkViolationTracker *self,
                                                            const char         *type);
guint               ek_violation_tracker_get_count         (EkViolationTracker *self,
                                                            const char         *type);
gint64              ek_violation_tracker_get_total_ms      (EkViolationTracker *self,
                                                            const char         *type);
EkEscalationStep    ek_violation_tracker_get_step          (EkViolationTracker *self);
void                ek_violation_tracker_acknowledge_warning (EkViolationTracker *self);
void                ek_violation_tracker_release_lock      (EkViolationTracker *self);

const char         *ek_escalation_step_to_string           (EkEscalationStep    step);

G_END_DECLS
