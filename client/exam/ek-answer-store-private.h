/* ek-answer-store-private.h: what the answer store's files share
 *
 * EkAnswerStore is one type in three files, split by concern: ek-answer-store.c (life
 * cycle, the in-memory table, the writer queue, public API), ek-answer-store-db.c (the
 * database, only ever used by one worker thread at a time) and ek-answer-store-sync.c
 * (pushing to the server and comparing with it). The instance struct lives here.
 */
#pragma once

#include <sqlite3.h>

#include "ek-answer-store.h"
#include "ek-backoff.h"

G_BEGIN_DECLS

#define MAX_PUSHES_IN_FLIGHT  4

typedef struct
{
  char     *question_id;
  JsonNode *value;       /* owned, never NULL: a JSON null when there is no answer */
  gint64    revision;    /* local, 0: never changed here or on the server */
  gint64    confirmed;   /* the highest revision the server confirmed */
  gint64    changed_ms;  /* when the candidate made the change, server time */
  gboolean  flagged;
  /* memory only */
  gboolean  in_flight;
  gint64    rejected;    /* a revision the server refused for good, not pushed again */
} Answer;

typedef struct
{
  guint64   seq;
  char     *question_id;  /* NULL: a meta row */
  char     *value_text;
  gint64    revision;
  gint64    confirmed;
  gint64    changed_ms;
  gboolean  flagged;
  char     *meta_key;
  char     *meta_value;
} WriteOp;

typedef struct
{
  GPtrArray *answers;    /* Answer */
  gboolean   read_only;
} LoadResult;

typedef struct
{
  EkAnswerStore *self;   /* borrowed: dispose cancels the push before the store goes */
  char          *question_id;
  gint64         revision;
} PushData;

struct _EkAnswerStore
{
  GObject          parent_instance;

  char            *path;
  EkApiClient     *api;             /* owned, nullable: no server (practice) */
  sqlite3         *db;              /* owned; used by one thread at a time */
  GCancellable    *cancellable;     /* owned; cancelled on dispose */

  GHashTable      *answers;         /* question id -> Answer, owned */
  GHashTable      *questions;       /* question id -> EkQuestion, owned */
  GPtrArray       *question_order;  /* EkQuestion, owned, answerable ones in order */

  /* the writer */
  GQueue           write_queue;     /* WriteOp, owned */
  gboolean         writing;
  guint64          queued_seq;
  guint64          saved_seq;
  GList           *flush_waiters;   /* GTask, owned */
  guint            save_retry_id;
  gboolean         save_failing;

  /* the pusher */
  guint            n_in_flight;
  gboolean         reconciling;
  gboolean         need_reconcile;
  gboolean         sync_stopped;    /* the server refuses answers: submitted or over */
  guint            retry_source_id;
  EkBackoff        backoff;         /* failed push rounds in a row */
  GList           *sync_waiters;    /* GTask, owned */
  GNetworkMonitor *network_monitor; /* borrowed singleton */
  gulong           network_changed_id;

  /* the deadline */
  EkServerClock   *clock;           /* owned, nullable */
  gint64           deadline_ms;
  guint            deadline_id;

  guint            n_answered;
  guint            n_unanswered;
  guint            n_flagged;
  guint            n_pending_sync;
  gboolean         read_only;
};

/* ek-answer-store.c */
Answer     *_ek_answer_store_answer_new        (const char     *question_id);
void        _ek_answer_store_answer_free       (gpointer        data);
gboolean    _ek_answer_store_answer_is_pending (Answer         *answer);
void        _ek_answer_store_update_counts     (EkAnswerStore  *self);
void        _ek_answer_store_complete_waiters  (GList         **waiters,
                                                const GError   *error);
void        _ek_answer_store_check_sync_waiters (EkAnswerStore *self);
void        _ek_answer_store_queue_answer_write (EkAnswerStore *self,
                                                Answer         *answer);
void        _ek_answer_store_set_read_only_internal (EkAnswerStore *self);
void        _ek_answer_store_notify_sync_stopped (EkAnswerStore *self);
void        _ek_answer_store_emit_answer_changed (EkAnswerStore *self,
                                                const char     *question_id);
void        _ek_answer_store_emit_sync_failed  (EkAnswerStore  *self,
                                                const char     *question_id,
                                                const GError   *error);

/* ek-answer-store-db.c: the worker side */
void        _ek_answer_store_write_op_free     (gpointer        data);
void        _ek_answer_store_load_result_free  (gpointer        data);
LoadResult *_ek_answer_store_db_open           (const char     *path,
                                                sqlite3       **out_db,
                                                GError        **error);
Answer     *_ek_answer_store_answer_from_row   (sqlite3_stmt   *stmt);
gboolean    _ek_answer_store_db_write          (sqlite3        *db,
                                                GPtrArray      *ops,
                                                GError        **error);
void        _ek_answer_store_db_open_thread    (GTask          *task,
                                                gpointer        source_object,
                                                gpointer        task_data,
                                                GCancellable   *cancellable);
void        _ek_answer_store_db_write_thread   (GTask          *task,
                                                gpointer        source_object,
                                                gpointer        task_data,
                                                GCancellable   *cancellable);
void        _ek_answer_store_db_close_thread   (GTask          *task,
                                                gpointer        source_object,
                                                gpointer        task_data,
                                                GCancellable   *cancellable);
void        _ek_answer_store_db_remove_thread  (GTask          *task,
                                                gpointer        source_object,
                                                gpointer        task_data,
                                                GCancellable   *cancellable);

/* ek-answer-store-sync.c: the pusher */
void        _ek_answer_store_schedule_push     (EkAnswerStore  *self);
void        _ek_answer_store_start_reconcile   (EkAnswerStore  *self);
gboolean    _ek_answer_store_apply_server_answers (EkAnswerStore *self,
                                                JsonObject     *object,
                                                GError        **error);
void        _ek_answer_store_network_changed_cb (GNetworkMonitor *monitor,
                                                gboolean        available,
                                                gpointer        user_data);

G_END_DECLS
