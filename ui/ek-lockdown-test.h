/* ek-lockdown-test.h: `exam-kiosk --lockdown-test FILE` (test-hooks builds only)
 *
 * Shows a window in formal lockdown under the policy in FILE and writes what it
 * observes (engage result, violations, escalations, blocked shortcuts, keys) as JSON
 * lines, so the escape tests can drive the kiosk from another process. FILE:
 *
 *   { "lockdown": { …the exam's lockdown object… },
 *     "test": { "events": "PATH" (default stdout), "xtest_filter": true, "seat": "A-17",
 *               "proc_root", "sys_root", "dmi_dir", "cpuinfo", "dev_root",
 *               "preload_path", "network_path", "assistive_dir" (for /usr/bin's Orca and
 *               magnifiers): probe sources, "search_path": ["DIR", …] } }
 *
 * SIGUSR1 is the proctor's release, SIGUSR2 acknowledges a warning, SIGTERM releases
 * and quits.
 */
#pragma once

#include <gtk/gtk.h>

#include "ek-lockdown-controller.h"

G_BEGIN_DECLS

GtkWindow *ek_lockdown_test_window_new (GtkApplication  *application,
                                        const char      *path,
                                        GError         **error);

/* The real exam window under test (EK_TEST_LOCKDOWN_CONFIG): FILE's "test" object only
 * (probe sources, "xtest_filter", "search_path"); the policy is the exam's. */
gboolean   ek_lockdown_test_configure  (EkLockdownController *controller,
                                        const char           *path,
                                        GError              **error);

G_END_DECLS
