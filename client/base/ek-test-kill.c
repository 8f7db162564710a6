/* ek-test-kill.c: the test builds' kill points (see ek-test-kill.h) */

#include "config.h"

#include <signal.h>

#include "ek-test-kill.h"

#ifdef EK_ENABLE_TEST_HOOKS

G_LOCK_DEFINE_STATIC (hits);
static GHashTable *hits;   /* variable name -> hits so far (GUINT_TO_POINTER) */

void
ek_test_kill_at (const char *variable,
                 const char *point)
{
  const char *wanted = g_getenv (variable);
  g_auto(GStrv) parts = NULL;
  guint64 nth = 1;
  guint count;

  if (wanted == NULL)
    return;
  parts = g_strsplit (wanted, ":", 2);
  if (!g_str_equal (parts[0], point))
    return;
  if (parts[1] != NULL)
    g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &nth, NULL);

  G_LOCK (hits);
  if (hits == NULL)
    hits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (hits, variable)) + 1;
  g_hash_table_insert (hits, g_strdup (variable), GUINT_TO_POINTER (count));
  G_UNLOCK (hits);

  if (count == nth)
    raise (SIGKILL);
}

#endif
