/* ek-engine-sealed.c: the sealed questions (docs/protocol.md section 6.1)
 *
 * Part of EkEngine (see ek-engine-private.h).
 */

#include "config.h"

#include <string.h>

#include "ek-engine-private.h"

void
_ek_engine_set_questions_key (EkEngine   *self,
                              const char *key_b64)
{
  if (self->questions_key != NULL)
    {
      explicit_bzero (self->questions_key, strlen (self->questions_key));
      g_clear_pointer (&self->questions_key, g_free);
    }
  self->questions_key = g_strdup (key_b64);
}
