/* ek-lockdown-standin.c: a harmless stand-in for a forbidden program (escape tests)
 *
 * Copied under the name of a screen recorder or VNC server (and renamed again) it lets
 * the tests check matching by process name and by executable content without running
 * the real thing. It only waits to be killed; the marker below makes its content
 * unlike any other program's.
 */

#include <unistd.h>

const char ek_lockdown_standin_marker[] = "ExamKiosk lockdown stand-in";

int
main (void)
{
  for (;;)
    pause ();

  return ek_lockdown_standin_marker[0] == '\0';
}
