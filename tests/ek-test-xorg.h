/* ek-test-xorg.h: Xorg with the dummy video driver as a test fixture
 *
 * Xvfb shows GTK one monitor only; the dummy driver has outputs (DUMMY0, DUMMY1, …) that
 * xrandr switches on and off, so tests can put a second monitor on the display. Shared by
 * the lockdown escape suite and the device check suite. Also installs the dedicated exam
 * session (its launcher starts Xorg itself) for the tests that run the kiosk in it.
 * Where Xorg has its inputtest driver, the server also gets a keyboard that is not
 * XTEST, which a test types on through a socket.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _EkTestXorg EkTestXorg;

EkTestXorg *ek_test_xorg_start              (const char *work_dir);
void        ek_test_xorg_stop               (EkTestXorg *xorg);
const char *ek_test_xorg_get_display        (EkTestXorg *xorg);
void        ek_test_xorg_set_second_output  (EkTestXorg *xorg,
                                             const char *how);
char       *ek_test_xorg_install_exam_session (const char *work_dir);
gboolean    ek_test_xorg_has_keyboard       (EkTestXorg *xorg);
void        ek_test_xorg_send_keys          (EkTestXorg *xorg,
                                             const int  *keycodes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestXorg, ek_test_xorg_stop)

G_END_DECLS
