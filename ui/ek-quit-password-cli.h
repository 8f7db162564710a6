/* ek-quit-password-cli.h: `exam-kiosk --quit-password-hash`, the technician's way to make
 * the value of [lockdown] quit-password-hash */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ek_quit_password_cli_run (void);

G_END_DECLS
