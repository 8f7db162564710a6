/* ek-event-log.h: the session's append-only, hash-chained event log
 *
 * Every phase change, violation, warning and proctoring signal is an event
 * (docs/protocol.md §7). Each event carries the SHA-256 of the previous one, so
 * the server can tell a log that was tampered with or lost a piece. The log lives
 * in an SQLite file in the session's private folder (0600): an event is on disk
 * before append returns, and stays there until the server acknowledged it, so a
 * killed client or a network that is away loses nothing.
 *
 * Sending: with an API client set, unacknowledged events go to the server in order,
 * in batches, a short moment after they were appended (and at once on
 * ek_event_log_flush_async()); failures back off and retry. A batch the server
 * answers with `conflict` means the two logs differ: the log reports it
 * (::notify::problem) and does not overwrite anything on either side.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-api-client.h"

G_BEGIN_DECLS

#define EK_TYPE_EVENT_LOG (ek_event_log_get_type ())

G_DECLARE_FINAL_TYPE (EkEventLog, ek_event_log, EK, EVENT_LOG, GObject)

/* Opens (or creates) the log in @path; blocking, small (one SQLite file). */
EkEventLog *ek_event_log_new             (const char    *path,
                                          GError       **error);

/* Appends one event and returns its seq (0 while the disk refuses it: kept in
 * memory, in order, stored and chained as soon as the disk takes it; the reason is
 * the log's problem meanwhile). @client_ms: when it happened, wall clock ms since
 * 1970; @server_ms: the same moment in server time (0: not known); @duration_ms:
 * < 0 for none; @data: nullable, not taken, integers and strings only. */
gint64      ek_event_log_append          (EkEventLog    *self,
                                          const char    *type,
                                          gint64         client_ms,
                                          gint64         server_ms,
                                          gint64         duration_ms,
                                          JsonObject    *data);

/* Where the events go; NULL stops sending (practice mode has none). */
void        ek_event_log_set_api         (EkEventLog    *self,
                                          EkApiClient   *api);

/* Sends everything not yet acknowledged now; completes when the server
 * acknowledged all of it, or with the error that stopped it. */
void        ek_event_log_flush_async     (EkEventLog          *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean    ek_event_log_flush_finish    (EkEventLog          *self,
                                          GAsyncResult        *result,
                                          GError             **error);

gint64      ek_event_log_get_last_seq    (EkEventLog    *self);
gint64      ek_event_log_get_acked_seq   (EkEventLog    *self);
guint       ek_event_log_get_n_pending   (EkEventLog    *self);
/* NULL while all is well; else a translated sentence. */
const char *ek_event_log_get_problem     (EkEventLog    *self);

/* Events in order from seq @after + 1 (tests and diagnostics): an array of the
 * event objects exactly as sent, with their hash. */
JsonArray  *ek_event_log_dup_events      (EkEventLog    *self,
                                          gint64         after);

/* The canonical JSON of @event (protocol §7) and its chained hash. */
char       *ek_event_canonical_json      (JsonObject    *event);
char       *ek_event_compute_hash        (const char    *prev_hash,
                                          JsonObject    *event);

G_END_DECLS
