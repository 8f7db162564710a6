/* main.c: the exam-kiosk executable; everything else is in the libraries */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "ek-application.h"

/* The user's language, as the kiosk's texts and the practice's follow it. A language whose
 * C library locale is not generated (LANG=zh_CN.UTF-8 on a system with only C.UTF-8, as a
 * fresh install or a container may be) would leave the C locale, where gettext ignores the
 * language: then UTF-8 and the language named by LC_ALL, LC_MESSAGES or LANG, through
 * LANGUAGE (which gettext and g_get_language_names() both read). */
static void
set_up_locale (void)
{
  const char *names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
  const char *lang = NULL;

  if (setlocale (LC_ALL, "") != NULL)
    return;

  setlocale (LC_ALL, "C.UTF-8");
  if (g_getenv ("LANGUAGE") != NULL && *g_getenv ("LANGUAGE") != '\0')
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (names) && lang == NULL; i++)
    {
      const char *value = g_getenv (names[i]);

      if (value != NULL && *value != '\0')
        lang = value;
    }

  if (lang != NULL && strcmp (lang, "C") != 0 && strcmp (lang, "POSIX") != 0 &&
      !g_str_has_prefix (lang, "C."))
    {
      g_autofree char *language = g_strndup (lang, strcspn (lang, ".@"));

      g_setenv ("LANGUAGE", language, TRUE);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(EkApplication) app = NULL;
  const char *localedir;

  /* EK_LOCALEDIR lets an uninstalled build (tests, screenshots) use the catalogues it just
   * built: BUILDDIR/po holds LANG/LC_MESSAGES/exam-kiosk.mo. */
  localedir = g_getenv ("EK_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;

  set_up_locale ();
  /* Done above; GTK's own try would warn about the missing locale and fall back to C. */
  gtk_disable_setlocale ();
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ek_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
