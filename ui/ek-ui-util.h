/* ek-ui-util.h: small helpers the pages share */
#pragma once

#include <gtk/gtk.h>

#include "ek-exam.h"

G_BEGIN_DECLS

char *ek_format_clock_time (gint64      server_ms);
char *ek_format_extra_time (gint64      extra_ms);
void  ek_show_message      (GtkLabel   *label,
                            const char *message);
void  ek_show_spinner      (GtkSpinner *spinner,
                            gboolean    busy);
const char *ek_exam_mode_title (EkExamMode mode);

G_END_DECLS
