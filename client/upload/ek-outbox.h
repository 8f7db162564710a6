/* ek-outbox.h: the durable queue of recording segments on their way to the server
 *
 * Every segment the recorder closes goes into an SQLite database in the data folder
 * (WAL; written only from a worker thread, fsync'd where a crash must not lose
 * anything) with its hash, size, tus URL, confirmed offset and state. The outbox
 * uploads segments in the order they came, one (or two) at a time, while the exam
 * runs; failures pause it with backoff and jitter and it goes on by itself. Nothing it
 * does ever waits on the recorder or makes the recorder wait.
 *
 * After a crash or a restart, a new outbox on the same file goes on from the stored
 * tus URLs (asking the server for its offset). At the end, ek_outbox_finish_async()
 * waits for the last bytes and asks the exam server (POST /v1/session/finish) to
 * confirm every segment's SHA-256; segments the server reports `missing` or
 * `mismatch` are uploaded again. Without an API client (a stock tus server, which has
 * no finish endpoint) the outbox is complete when every byte is accepted.
 *
 * Progress is in properties for the finish page: bytes-total, bytes-sent, rate,
 * eta-seconds, segments-pending, complete.
 */
#pragma once

#include <gio/gio.h>

#include "ek-api-client.h"
#include "ek-segment.h"
#include "ek-tus-client.h"

G_BEGIN_DECLS

#define EK_OUTBOX_ERROR (ek_outbox_error_quark ())

typedef enum
{
  /* the database could not be opened or read */
  EK_OUTBOX_ERROR_DATABASE,
  /* some segments cannot be uploaded: their files are gone or damaged */
  EK_OUTBOX_ERROR_LOST_SEGMENTS,
  /* the server kept reporting segments missing or different */
  EK_OUTBOX_ERROR_NOT_CONFIRMED,
} EkOutboxError;

GQuark ek_outbox_error_quark (void);

typedef enum
{
  EK_OUTBOX_STATE_PENDING,     /* not on the server yet */
  EK_OUTBOX_STATE_UPLOADING,   /* has a tus URL, part of the bytes are there */
  EK_OUTBOX_STATE_UPLOADED,    /* the server accepted every byte */
  EK_OUTBOX_STATE_CONFIRMED,   /* the exam server confirmed its SHA-256 */
  EK_OUTBOX_STATE_REJECTED,    /* cannot be uploaded: the local file is gone or damaged */
} EkOutboxState;

const char *ek_outbox_state_to_string (EkOutboxState state);

#define EK_OUTBOX_DEFAULT_BACKOFF_BASE_MS 1000
#define EK_OUTBOX_DEFAULT_BACKOFF_CAP_MS  30000
#define EK_OUTBOX_MAX_FINISH_ROUNDS       4

#define EK_TYPE_OUTBOX (ek_outbox_get_type ())

G_DECLARE_FINAL_TYPE (EkOutbox, ek_outbox, EK, OUTBOX, GObject)

void          ek_outbox_new_async           (const char          *path,
                                             const char          *session_id,
                                             EkTusClient         *tus_client,
                                             EkApiClient         *api_client,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
EkOutbox     *ek_outbox_new_finish          (GAsyncResult        *result,
                                             GError             **error);

const char   *ek_outbox_get_path            (EkOutbox            *self);
const char   *ek_outbox_get_session_id      (EkOutbox            *self);
EkTusClient  *ek_outbox_get_tus_client      (EkOutbox            *self);
EkApiClient  *ek_outbox_get_api_client      (EkOutbox            *self);

void          ek_outbox_add_segment         (EkOutbox            *self,
                                             EkSegment           *segment);

gboolean      ek_outbox_get_paused          (EkOutbox            *self);
void          ek_outbox_set_paused          (EkOutbox            *self,
                                             gboolean             paused);
guint         ek_outbox_get_max_parallel    (EkOutbox            *self);
void          ek_outbox_set_max_parallel    (EkOutbox            *self,
                                             guint                max_parallel);
void          ek_outbox_set_backoff         (EkOutbox            *self,
                                             guint                base_ms,
                                             guint                cap_ms);

guint64       ek_outbox_get_bytes_total     (EkOutbox            *self);
guint64       ek_outbox_get_bytes_sent      (EkOutbox            *self);
double        ek_outbox_get_rate            (EkOutbox            *self);
gint64        ek_outbox_get_eta_seconds     (EkOutbox            *self);
guint         ek_outbox_get_segments_total  (EkOutbox            *self);
guint         ek_outbox_get_segments_pending (EkOutbox           *self);
gboolean      ek_outbox_get_waiting         (EkOutbox            *self);
gboolean      ek_outbox_get_complete        (EkOutbox            *self);

gboolean      ek_outbox_lookup_segment      (EkOutbox            *self,
                                             const char          *stream,
                                             guint                index,
                                             EkOutboxState       *out_state,
                                             char               **out_url,
                                             guint64             *out_offset);

void          ek_outbox_flush_async         (EkOutbox            *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ek_outbox_flush_finish        (EkOutbox            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

void          ek_outbox_finish_async        (EkOutbox            *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ek_outbox_finish_finish       (EkOutbox            *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
