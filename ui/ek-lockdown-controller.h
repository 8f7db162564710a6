/* ek-lockdown-controller.h: the exam window locked down, from entering the exam to the end
 *
 * Usage (the exam page):
 *
 *   controller = ek_lockdown_controller_new (window, ek_exam_get_lockdown_policy (exam));
 *   ek_lockdown_controller_engage_async (controller, cancellable, engaged_cb, self);
 *   // engaged_cb: ek_lockdown_controller_engage_finish() FALSE: the exam does not start,
 *   // show error->message (and ek_lockdown_controller_get_findings() one by one)
 *   ...
 *   ek_lockdown_controller_release (controller);  // End exam, finished, quit password
 *
 * Put the exam page's content in an EkLockdownOverlay following the controller: it shows
 * the watermark, warnings and blocking notices.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-finding.h"
#include "ek-lockdown-policy.h"
#include "ek-probe-sources.h"
#include "ek-violation-tracker.h"

G_BEGIN_DECLS

#define EK_LOCKDOWN_ERROR (ek_lockdown_error_quark ())

typedef enum
{
  EK_LOCKDOWN_ERROR_FINDINGS,      /* something found on this computer blocks the exam */
  EK_LOCKDOWN_ERROR_MONITORS,      /* not exactly one monitor */
  EK_LOCKDOWN_ERROR_KEYBOARD,      /* the keyboard lock could not be taken */
  EK_LOCKDOWN_ERROR_WINDOW,        /* the window is not on screen */
  EK_LOCKDOWN_ERROR_SESSION,       /* a Wayland session: the lockdown cannot hold */
} EkLockdownError;

#define EK_TYPE_LOCKDOWN_CONTROLLER (ek_lockdown_controller_get_type ())

G_DECLARE_FINAL_TYPE (EkLockdownController, ek_lockdown_controller, EK, LOCKDOWN_CONTROLLER, GObject)

GQuark                ek_lockdown_error_quark                (void);
EkLockdownController *ek_lockdown_controller_new             (GtkWindow            *window,
                                                              EkLockdownPolicy     *policy);
void                  ek_lockdown_controller_engage_async    (EkLockdownController *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
gboolean              ek_lockdown_controller_engage_finish   (EkLockdownController *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);
void                  ek_lockdown_controller_release         (EkLockdownController *self);
gboolean              ek_lockdown_controller_get_engaged     (EkLockdownController *self);
gboolean              ek_lockdown_controller_get_blocked     (EkLockdownController *self);
const char           *ek_lockdown_controller_get_block_reason (EkLockdownController *self);
GPtrArray            *ek_lockdown_controller_get_findings    (EkLockdownController *self);
EkLockdownPolicy     *ek_lockdown_controller_get_policy      (EkLockdownController *self);
EkViolationTracker   *ek_lockdown_controller_get_tracker     (EkLockdownController *self);
gboolean              ek_lockdown_controller_get_exam_session (EkLockdownController *self);
void                  ek_lockdown_controller_acknowledge_warning (EkLockdownController *self);
void                  ek_lockdown_controller_proctor_release (EkLockdownController *self);
void                  ek_lockdown_controller_report          (EkLockdownController *self,
                                                              const char           *violation_type,
                                                              gboolean              active,
                                                              const char           *detail);

/* For tests and the device self-check's tests: where probes read from, and the
 * injected-input filter (every input is injected under Xvfb). */
void                  ek_lockdown_controller_set_probe_sources   (EkLockdownController *self,
                                                                  const EkProbeSources *sources);
void                  ek_lockdown_controller_set_process_search_path (EkLockdownController *self,
                                                                  const char * const   *dirs);
void                  ek_lockdown_controller_set_filter_synthetic (EkLockdownController *self,
                                                                  gboolean              filter);
void                  ek_lockdown_controller_set_display_clients_allowed (EkLockdownController *self,
                                                                  const char * const   *names);
void                  ek_lockdown_controller_set_report_unnamed_clients (EkLockdownController *self,
                                                                  gboolean              report);

G_END_DECLS
