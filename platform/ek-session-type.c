/* ek-session-type.c: which display server the kiosk runs on (the decision; the X11
 * facts are read in ek-x11-session-facts.c) */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-environment.h"
#include "ek-session-type.h"

void
ek_x_server_facts_clear (EkXServerFacts *facts)
{
  g_return_if_fail (facts != NULL);

  g_clear_pointer (&facts->vendor, g_free);
  g_clear_pointer (&facts->input_devices, g_strfreev);
  g_clear_pointer (&facts->outputs, g_strfreev);
  facts->x11 = FALSE;
  facts->wayland_backend = FALSE;
  facts->xwayland_extension = FALSE;
}

static const char *
find_prefixed (char * const *names,
               const char   *prefix)
{
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (names[i], prefix, strlen (prefix)) == 0)
        return names[i];
    }

  return NULL;
}

/* XWayland shows itself in its input devices ("xwayland-pointer:13",
 * "xwayland-keyboard:13") in every version, in its RandR outputs ("XWAYLAND0") in most,
 * and, from 23.1, through an extension of its own. Its vendor string is Xorg's, but a
 * build that names Wayland there is taken at its word. */
static char *
xwayland_evidence (const EkXServerFacts *facts)
{
  g_autofree char *vendor = NULL;
  const char *name;

  if (facts->vendor != NULL)
    {
      vendor = g_ascii_strdown (facts->vendor, -1);
      if (strstr (vendor, "wayland") != NULL)
        return g_strdup (facts->vendor);
    }

  if (facts->xwayland_extension)
    return g_strdup ("XWAYLAND");

  if ((name = find_prefixed (facts->input_devices, "xwayland-")) != NULL)
    return g_strdup (name);

  if ((name = find_prefixed (facts->outputs, "XWAYLAND")) != NULL)
    return g_strdup (name);

  return NULL;
}

static char *
wayland_environment (const EkProbeSources *sources)
{
  const char *session_type = ek_probe_sources_getenv (sources, "XDG_SESSION_TYPE");
  const char *wayland_display = ek_probe_sources_getenv (sources, "WAYLAND_DISPLAY");

  if (g_strcmp0 (session_type, "wayland") == 0)
    return g_strdup ("XDG_SESSION_TYPE=wayland");

  if (wayland_display != NULL && *wayland_display != '\0')
    return g_strdup_printf ("WAYLAND_DISPLAY=%s", wayland_display);

  return NULL;
}

/**
 * ek_session_type_classify:
 * @sources: (nullable): where the environment comes from; %NULL: this process's
 * @facts: (nullable): what the X server says about itself; %NULL: no display open
 * @evidence: (out) (optional) (transfer full): what decided, e.g. "XDG_SESSION_TYPE=wayland"
 *   or "xwayland-pointer:13"
 *
 * An X server that is XWayland is a Wayland session whatever the environment says.
 * Otherwise a Wayland environment decides, except in the dedicated exam session
 * (EK_EXAM_SESSION=1 on a plain X server): a technician who starts exam-kiosk-xorg from a
 * terminal of a Wayland desktop passes that desktop's variables on to a server that is
 * not a Wayland client.
 */
EkSessionType
ek_session_type_classify (const EkProbeSources  *sources,
                          const EkXServerFacts  *facts,
                          char                 **evidence)
{
  g_autoptr(EkProbeSources) own_sources = NULL;
  g_autofree char *found = NULL;
  EkSessionType type;

  if (sources == NULL)
    sources = own_sources = ek_probe_sources_new ();

  if (facts != NULL && facts->wayland_backend)
    {
      found = g_strdup ("GDK Wayland backend");
      type = EK_SESSION_TYPE_WAYLAND;
    }
  else if (facts != NULL && facts->x11 && (found = xwayland_evidence (facts)) != NULL)
    {
      type = EK_SESSION_TYPE_WAYLAND;
    }
  else if ((found = wayland_environment (sources)) != NULL &&
           !(facts != NULL && facts->x11 && ek_environment_is_exam_session (sources)))
    {
      type = EK_SESSION_TYPE_WAYLAND;
    }
  else
    {
      const char *display = ek_probe_sources_getenv (sources, "DISPLAY");

      g_clear_pointer (&found, g_free);
      if (facts != NULL && facts->x11)
        {
          found = g_strdup (facts->vendor != NULL ? facts->vendor : "X11");
          type = EK_SESSION_TYPE_X11;
        }
      else if (facts == NULL && display != NULL && *display != '\0')
        {
          /* Not verified: nobody opened the display. */
          found = g_strdup_printf ("DISPLAY=%s", display);
          type = EK_SESSION_TYPE_X11;
        }
      else
        {
          found = g_strdup ("no display");
          type = EK_SESSION_TYPE_NONE;
        }
    }

  if (evidence != NULL)
    *evidence = g_steal_pointer (&found);

  return type;
}

/**
 * ek_session_type_detect:
 * @sources: (nullable): where the environment comes from; %NULL: this process's
 * @evidence: (out) (optional) (transfer full): what decided
 *
 * The session of GDK's default display (when one is open) and the environment. A few
 * X round trips: call it when a decision is due, not on every frame.
 */
EkSessionType
ek_session_type_detect (const EkProbeSources  *sources,
                        char                 **evidence)
{
  g_auto(EkXServerFacts) facts = { 0, };
  gboolean have_facts = ek_x_server_facts_read (&facts);

  return ek_session_type_classify (sources, have_facts ? &facts : NULL, evidence);
}

const char *
ek_session_type_to_string (EkSessionType type)
{
  switch (type)
    {
    case EK_SESSION_TYPE_X11:
      return "x11";
    case EK_SESSION_TYPE_WAYLAND:
      return "wayland";
    case EK_SESSION_TYPE_NONE:
    default:
      return "none";
    }
}

/**
 * ek_session_type_get_refusal:
 *
 * Returns: the translated sentence formal and mock exams (and the device check) give
 *   under a Wayland session: why not, and exactly how to log in to the exam session
 */
const char *
ek_session_type_get_refusal (void)
{
  /* Translators: "ExamKiosk exam session" is the session's name on the login screen
   * (Name[zh_CN] of exam-kiosk-session.desktop): use the same words. */
  return _("The exam cannot start in this Wayland session: its lockdown does not work "
           "there. Log out, choose “ExamKiosk exam session” in the login screen’s session "
           "menu (the gear button at the bottom right once you have picked your name), "
           "and log in again.");
}

/**
 * ek_session_type_get_notice:
 *
 * Returns: the translated notice shown under a Wayland session where practice is
 *   offered: practice works, formal and mock exams need the exam session
 */
const char *
ek_session_type_get_notice (void)
{
  /* Translators: "ExamKiosk exam session" is the session's name on the login screen
   * (Name[zh_CN] of exam-kiosk-session.desktop): use the same words. */
  return _("This is a Wayland session: practice works here, without the exam’s lockdown. "
           "For the formal or mock exam, log out, choose “ExamKiosk exam session” in the "
           "login screen’s session menu (the gear button at the bottom right once you "
           "have picked your name), and log in again.");
}
