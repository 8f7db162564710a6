/* main.c: the exam-kiosk executable; everything else is in the libraries */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "ek-application.h"

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

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ek_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
