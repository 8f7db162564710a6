/* ek-ui-util.c: small helpers the pages share */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-ui-util.h"

/**
 * ek_format_clock_time:
 * @server_ms: a server time
 *
 * Returns: (transfer full): the time of day as the candidate reads it ("09:30")
 */
char *
ek_format_clock_time (gint64 server_ms)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (server_ms / 1000);

  if (dt == NULL)
    return g_strdup ("--:--");

  return g_date_time_format (dt, "%H:%M");
}

/**
 * ek_format_extra_time:
 * @extra_ms: the extra time granted to the candidate (already in the server's deadlines)
 *
 * Returns: (transfer full): what the candidate reads about it: "Extra time granted:
 *   15 minutes"
 */
char *
ek_format_extra_time (gint64 extra_ms)
{
  guint n;

  if (extra_ms >= 60000)
    {
      n = (guint) ((extra_ms + 59999) / 60000);
      /* Translators: shown under the countdown of a candidate granted extra time */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Extra time granted: %u minute",
                                           "Extra time granted: %u minutes", n), n);
    }

  n = (guint) ((MAX (extra_ms, 0) + 999) / 1000);
  /* Translators: shown under the countdown of a candidate granted extra time */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Extra time granted: %u second",
                                       "Extra time granted: %u seconds", n), n);
}

/* Shows @message in @label, or hides the label when @message is NULL; the label
 * is announced by screen readers as it changes (role alert in the template). */
void
ek_show_message (GtkLabel   *label,
                 const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && *message != '\0');
}

/* A page's spinner: shown and spinning while the page waits for the server
 * (@busy), hidden otherwise. */
void
ek_show_spinner (GtkSpinner *spinner,
                 gboolean    busy)
{
  gtk_spinner_set_spinning (spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (spinner), busy);
}

/* The mode as the start screen names it. */
const char *
ek_exam_mode_title (EkExamMode mode)
{
  switch (mode)
    {
    case EK_EXAM_MODE_PRACTICE:
      return _("Practice exam");
    case EK_EXAM_MODE_DEVICE_TEST:
      return _("Device test");
    case EK_EXAM_MODE_MOCK:
      return _("Mock exam");
    case EK_EXAM_MODE_FORMAL:
    default:
      return _("Formal exam");
    }
}
