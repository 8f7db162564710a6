/* ek-self-check-cli.h: `exam-kiosk --self-check [--json FILE] [--html FILE] [--server URL]` */
#pragma once

#include "ek-config.h"

G_BEGIN_DECLS

/* Exit statuses of --self-check. */
#define EK_SELF_CHECK_EXIT_READY     0  /* nothing failed */
#define EK_SELF_CHECK_EXIT_FAILED    1  /* at least one check failed */
#define EK_SELF_CHECK_EXIT_NOT_RUN   2  /* the check itself could not run */

int      ek_self_check_cli_run        (EkConfig   *config,
                                       const char *json_path,
                                       const char *html_path,
                                       const char *server_url);
gboolean ek_self_check_cli_use_colour (void);

G_END_DECLS
