/* ek-backoff.h: how long to wait before the next retry
 *
 * One policy for every retry in the kiosk (API calls, tus uploads, the outbox, the
 * answer store, the event log): exponential growth from a base to a cap, with full
 * jitter (a uniform wait in [0, min (cap, base * 2^(n-1))]), so that many kiosks that
 * lost the network at the same moment do not come back in step.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint base_ms;
  guint cap_ms;
  guint failures;   /* failures in a row since the last success */
} EkBackoff;

void   ek_backoff_init        (EkBackoff *backoff,
                               guint      base_ms,
                               guint      cap_ms);
guint  ek_backoff_fail        (EkBackoff *backoff);
void   ek_backoff_succeed     (EkBackoff *backoff);
guint  ek_backoff_ceiling_ms  (guint      base_ms,
                               guint      cap_ms,
                               guint      attempt);
guint  ek_backoff_delay_ms    (guint      base_ms,
                               guint      cap_ms,
                               guint      attempt);

G_END_DECLS
