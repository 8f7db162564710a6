/* ek-backoff.c: how long to wait before the next retry */

#include "config.h"

#include "ek-backoff.h"

/**
 * ek_backoff_ceiling_ms:
 * @base_ms: the longest wait before the first retry
 * @cap_ms: the longest wait ever
 * @attempt: the retry about to be made, counted from 1
 *
 * Returns: the upper bound of the wait before retry @attempt: @base_ms doubled for
 *   each earlier retry, never above @cap_ms (nor below @base_ms when the cap is smaller)
 */
guint
ek_backoff_ceiling_ms (guint base_ms,
                       guint cap_ms,
                       guint attempt)
{
  guint64 ceiling = base_ms;

  cap_ms = MAX (cap_ms, base_ms);
  for (guint i = 1; i < attempt && ceiling < cap_ms; i++)
    ceiling *= 2;

  return (guint) MIN (ceiling, (guint64) cap_ms);
}

/**
 * ek_backoff_delay_ms:
 * @base_ms: the longest wait before the first retry
 * @cap_ms: the longest wait ever
 * @attempt: the retry about to be made, counted from 1
 *
 * Full jitter: a wait drawn uniformly from [0, ek_backoff_ceiling_ms()].
 *
 * Returns: the wait in milliseconds
 */
guint
ek_backoff_delay_ms (guint base_ms,
                     guint cap_ms,
                     guint attempt)
{
  guint ceiling = ek_backoff_ceiling_ms (base_ms, cap_ms, attempt);

  if (ceiling == 0)
    return 0;

  return (guint) g_random_int_range (0, (gint32) MIN (ceiling, (guint) G_MAXINT32 - 1) + 1);
}

/**
 * ek_backoff_init:
 * @backoff: a backoff state, usually a member of its owner's struct
 * @base_ms: the longest wait before the first retry
 * @cap_ms: the longest wait ever
 */
void
ek_backoff_init (EkBackoff *backoff,
                 guint      base_ms,
                 guint      cap_ms)
{
  backoff->base_ms = base_ms;
  backoff->cap_ms = MAX (cap_ms, base_ms);
  backoff->failures = 0;
}

/**
 * ek_backoff_fail:
 * @backoff: a backoff state
 *
 * Counts one more failure in a row.
 *
 * Returns: how long to wait before trying again, in milliseconds
 */
guint
ek_backoff_fail (EkBackoff *backoff)
{
  if (backoff->failures < G_MAXUINT)
    backoff->failures++;

  return ek_backoff_delay_ms (backoff->base_ms, backoff->cap_ms, backoff->failures);
}

/**
 * ek_backoff_succeed:
 * @backoff: a backoff state
 *
 * The next failure waits as little as the first did.
 */
void
ek_backoff_succeed (EkBackoff *backoff)
{
  backoff->failures = 0;
}
