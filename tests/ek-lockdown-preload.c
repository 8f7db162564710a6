/* ek-lockdown-preload.c: a library preloaded into the kiosk that hides itself (escape
 * tests): it removes LD_PRELOAD from the environment before the kiosk can ask getenv. */

#include <stdlib.h>

__attribute__((constructor)) static void
hide_preload (void)
{
  unsetenv ("LD_PRELOAD");
}
