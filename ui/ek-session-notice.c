/* ek-session-notice.c: the notice pages show under a Wayland session
 *
 * Formal and mock exams cannot start there (platform/ek-session-type.h says why); the
 * start page turns them off and shows this notice, which tells the candidate how to
 * log in to the exam session; the practice page shows it too, since practice runs.
 */

#include "config.h"

#include "ek-session-notice.h"
#include "ek-session-type.h"

/**
 * ek_session_notice_is_wayland:
 *
 * Returns: whether the kiosk runs in a Wayland session (decided on each call: the pages
 *   ask once, when they are made)
 */
gboolean
ek_session_notice_is_wayland (void)
{
  g_autofree char *evidence = NULL;

  if (ek_session_type_detect (NULL, &evidence) != EK_SESSION_TYPE_WAYLAND)
    return FALSE;

  g_message ("Wayland session (%s): formal and mock exams are off", evidence);
  return TRUE;
}

/**
 * ek_session_notice_new:
 *
 * Returns: (transfer floating): a label with ek_session_type_get_notice(), styled as a
 *   warning, announced as an alert
 */
GtkWidget *
ek_session_notice_new (void)
{
  GtkWidget *label = g_object_new (GTK_TYPE_LABEL,
                                   "label", ek_session_type_get_notice (),
                                   "wrap", TRUE,
                                   "xalign", 0.0f,
                                   "max-width-chars", 80,
                                   "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                                   "margin-top", 24,
                                   "margin-start", 24,
                                   "margin-end", 24,
                                   "halign", GTK_ALIGN_CENTER,
                                   NULL);

  gtk_widget_set_name (label, "session-notice");
  gtk_widget_add_css_class (label, "ek-card");
  gtk_widget_add_css_class (label, "ek-card-warning");
  gtk_widget_add_css_class (label, "ek-warning-text");

  return label;
}
