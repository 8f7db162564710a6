/* ek-window-practice.c: the bundled practice exams, in the user's language
 *
 * EkPractice (client/practice) reads assets/practice-exam.json and translates it; the
 * window loads it when first needed and keeps it for the start page and for
 * ek_engine_start_practice.
 */

#include "config.h"

#include "ek-practice.h"
#include "ek-window-private.h"

JsonArray *
_ek_window_get_practices (EkWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->practices != NULL)
    return self->practices;

  self->practices = ek_practice_load_bundled (&error);
  if (self->practices == NULL)
    {
      /* It ships with the kiosk: a bad one is a packaging mistake, and the start
       * page shows no practice rather than one that fails when chosen. */
      g_critical ("The bundled practice exam cannot be read: %s", error->message);
      self->practices = json_array_new ();
    }

  return self->practices;
}
