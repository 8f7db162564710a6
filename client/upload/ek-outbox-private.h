/* ek-outbox-private.h: what the outbox's files share
 *
 * EkOutbox is one type in three files, split by concern as gnome-text-editor splits
 * its editor page: ek-outbox.c (life cycle, the queue, uploads, progress),
 * ek-outbox-finish.c (the confirmation round with the exam server at the end) and
 * ek-outbox-store.c (the worker-only SQLite store, run on the outbox's one-thread
 * pool). The instance struct lives here; nothing outside client/upload includes it.
 */
#pragma once

#include <sqlite3.h>

#include "ek-backoff.h"
#include "ek-outbox.h"

G_BEGIN_DECLS

/* A snapshot of one segment's row, handed to the worker (or back from it). */
typedef struct
{
  char          *stream;
  guint          index;
  gint64         seq;
  char          *path;
  guint64        size;
  char          *sha256;
  gint64         start_ns;
  gint64         end_ns;
  char          *url;                  /* nullable */
  guint64        offset;
  EkOutboxState  state;
} EkOutboxRow;

/* The worker's store: only its thread ever touches the database, in the order the
 * main context queued the operations. */
typedef struct _EkOutboxStore EkOutboxStore;

void           ek_outbox_row_free    (EkOutboxRow    *row);
EkOutboxRow   *ek_outbox_row_from_statement (sqlite3_stmt *stmt);
EkSegment     *ek_outbox_row_to_segment     (const EkOutboxRow *row);

EkOutboxStore *ek_outbox_store_new   (const char     *path,
                                      const char     *session_id,
                                      GError        **error);
void           ek_outbox_store_free  (EkOutboxStore  *store);
void           ek_outbox_store_open  (EkOutboxStore  *store,
                                      GTask          *task);
void           ek_outbox_store_write (EkOutboxStore  *store,
                                      EkOutboxRow    *row,
                                      gboolean        durable,
                                      GTask          *committed);
void           ek_outbox_store_flush (EkOutboxStore  *store,
                                      GTask          *task);

typedef struct _Job Job;

typedef struct
{
  EkSegment     *segment;              /* owned */
  gint64         seq;
  char          *url;                  /* nullable */
  guint64        offset;               /* confirmed by the server */
  guint64        sending;              /* of the chunk in flight */
  EkOutboxState  state;
  Job           *job;                  /* borrowed, nullable: the running upload */
  gboolean       verifying;            /* re-hashing the file after a mismatch */
} Item;

struct _Job
{
  EkOutbox     *outbox;                /* borrowed; NULL once the outbox is gone */
  Item         *item;                  /* borrowed; NULL once forgotten */
  EkSegment    *segment;               /* owned: what the upload sends */
  GCancellable *cancellable;           /* owned */
};

struct _EkOutbox
{
  GObject        parent_instance;

  char          *path;
  char          *session_id;
  EkTusClient   *tus_client;           /* owned */
  EkApiClient   *api_client;           /* owned, nullable */

  EkOutboxStore *store;                /* owned; its thread writes, in order */

  GPtrArray     *items;                /* Item, owned, in upload order */
  gint64         max_seq;
  GPtrArray     *jobs;                 /* Job, borrowed: freed by their callbacks */
  GCancellable  *cancellable;          /* cancelled on dispose */
  gboolean       ready;
  gboolean       paused;
  guint          max_parallel;

  EkBackoff      backoff;              /* failures in a row, whatever segment */
  GSource       *backoff_source;       /* owned, nullable */

  GTask         *finish_task;          /* owned, nullable */
  GSource       *finish_cancel_source; /* owned, nullable */
  gboolean       finish_call_running;
  guint          finish_rounds;

  /* Progress, as the properties show it */
  guint64        bytes_total;
  guint64        bytes_sent;
  double         rate;
  gint64         eta_seconds;
  guint          segments_total;
  guint          segments_pending;
  gboolean       waiting;
  gboolean       complete;

  guint64        transmitted;          /* every byte sent, resends included */
  guint64        rate_last_transmitted;
  gint64         rate_last_us;
  GSource       *rate_source;          /* owned, nullable */
};

Item     *_ek_outbox_find_item        (EkOutbox      *self,
                                       const char    *stream,
                                       guint          index);
gboolean  _ek_outbox_item_is_done     (Item          *item);
void      _ek_outbox_item_set_state   (EkOutbox      *self,
                                       Item          *item,
                                       EkOutboxState  state);
void      _ek_outbox_item_reset       (EkOutbox      *self,
                                       Item          *item);
void      _ek_outbox_update_progress  (EkOutbox      *self);
void      _ek_outbox_set_complete     (EkOutbox      *self,
                                       gboolean       complete);
void      _ek_outbox_back_off         (EkOutbox      *self);
void      _ek_outbox_schedule         (EkOutbox      *self);
void      _ek_outbox_check_finish     (EkOutbox      *self);

G_END_DECLS
