/* ek-event-log-private.h: the event log's row decoding, for its fuzz target
 *
 * tests/fuzz/fuzz-records.c feeds _ek_event_log_row_to_event() rows as a damaged or
 * edited events.db could hold them; nothing else outside ek-event-log.c uses it.
 */
#pragma once

#include <sqlite3.h>

#include "ek-event-log.h"

G_BEGIN_DECLS

/* The columns _ek_event_log_row_to_event() reads, in this order. */
#define EK_EVENT_LOG_COLUMNS "seq, type, client_ms, server_ms, duration_ms, data, prev_hash, hash"

JsonObject *_ek_event_log_row_to_event (sqlite3_stmt *stmt);

G_END_DECLS
