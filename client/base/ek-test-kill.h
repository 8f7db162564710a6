/* ek-test-kill.h: the test builds' kill points
 *
 * A test-hooks build (-Dtest_hooks=true) can be killed (SIGKILL, as a power cut
 * would) at named points of its work, so a test restarts it from exactly there:
 * the environment variable @variable holds POINT[:N], and the Nth time (default
 * the first) the code reaches POINT the process dies. Each variable counts its
 * own hits. In other builds the calls compile to nothing.
 *
 * Used by the recording's sealing (EK_TEST_SEAL_KILL_AT, client/media/ek-seal.c)
 * and the tus uploads (EK_TEST_TUS_KILL_AT, client/upload/ek-tus-client.c).
 */
#pragma once

#include <glib.h>

#include "config.h"

G_BEGIN_DECLS

#ifdef EK_ENABLE_TEST_HOOKS
void ek_test_kill_at (const char *variable,
                      const char *point);
#else
#define ek_test_kill_at(variable, point) G_STMT_START { } G_STMT_END
#endif

G_END_DECLS
