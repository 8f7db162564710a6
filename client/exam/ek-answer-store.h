/* ek-answer-store.h: the candidate's written answers, saved on this computer and on the server
 *
 * Every change is checked against its question, kept in memory at once, written to a
 * local SQLite database (WAL, synchronous=FULL) by a worker thread, and pushed to the
 * server (PUT /v1/session/answers/ID) with its revision. While the server cannot be
 * reached the changes wait in the database and are pushed when it can be again, after a
 * restart too. See ek-answer-store.c for the revision and conflict rules.
 *
 * The database lives in the session's private folder (0700), the file is 0600.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-api-client.h"
#include "ek-config.h"
#include "ek-question.h"
#include "ek-server-clock.h"

G_BEGIN_DECLS

#define EK_ANSWER_STORE_ERROR (ek_answer_store_error_quark ())

typedef enum
{
  EK_ANSWER_STORE_ERROR_READ_ONLY,         /* submitted or the time is over */
  EK_ANSWER_STORE_ERROR_UNKNOWN_QUESTION,  /* not added with ek_answer_store_add_questions() */
  EK_ANSWER_STORE_ERROR_DATABASE,          /* the local database cannot be read or written */
  EK_ANSWER_STORE_ERROR_OFFLINE,           /* no server to sync with (the practice exam) */
} EkAnswerStoreError;

#define EK_TYPE_ANSWER_STORE (ek_answer_store_get_type ())

G_DECLARE_FINAL_TYPE (EkAnswerStore, ek_answer_store, EK, ANSWER_STORE, GObject)

GQuark         ek_answer_store_error_quark          (void);

char          *ek_answer_store_build_path           (EkConfig             *config,
                                                     const char           *session_id);
void           ek_answer_store_new_async            (const char           *path,
                                                     EkApiClient          *api,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
EkAnswerStore *ek_answer_store_new_finish           (GAsyncResult         *result,
                                                     GError              **error);
void           ek_answer_store_open_session_async   (EkConfig             *config,
                                                     const char           *session_id,
                                                     EkApiClient          *api,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
EkAnswerStore *ek_answer_store_open_session_finish  (GAsyncResult         *result,
                                                     GError              **error);

const char    *ek_answer_store_get_path             (EkAnswerStore        *self);
EkApiClient   *ek_answer_store_get_api_client       (EkAnswerStore        *self);

void           ek_answer_store_add_questions        (EkAnswerStore        *self,
                                                     GListModel           *questions);
EkQuestion    *ek_answer_store_get_question         (EkAnswerStore        *self,
                                                     const char           *question_id);

JsonNode      *ek_answer_store_get_value            (EkAnswerStore        *self,
                                                     const char           *question_id);
gint64         ek_answer_store_get_revision         (EkAnswerStore        *self,
                                                     const char           *question_id);
gint64         ek_answer_store_get_confirmed_revision (EkAnswerStore      *self,
                                                     const char           *question_id);
gboolean       ek_answer_store_is_answered          (EkAnswerStore        *self,
                                                     const char           *question_id);
gboolean       ek_answer_store_get_flagged          (EkAnswerStore        *self,
                                                     const char           *question_id);
gboolean       ek_answer_store_set_value            (EkAnswerStore        *self,
                                                     const char           *question_id,
                                                     JsonNode             *value,
                                                     GError              **error);
gboolean       ek_answer_store_set_flagged          (EkAnswerStore        *self,
                                                     const char           *question_id,
                                                     gboolean              flagged,
                                                     GError              **error);

guint          ek_answer_store_get_n_answered       (EkAnswerStore        *self);
guint          ek_answer_store_get_n_unanswered     (EkAnswerStore        *self);
guint          ek_answer_store_get_n_flagged        (EkAnswerStore        *self);
guint          ek_answer_store_get_n_pending_sync   (EkAnswerStore        *self);

gboolean       ek_answer_store_get_read_only        (EkAnswerStore        *self);
gboolean       ek_answer_store_get_sync_stopped     (EkAnswerStore        *self);
gboolean       ek_answer_store_get_unsaved          (EkAnswerStore        *self);
void           ek_answer_store_set_read_only        (EkAnswerStore        *self);
void           ek_answer_store_set_deadline         (EkAnswerStore        *self,
                                                     EkServerClock        *clock,
                                                     gint64                deadline_ms);

void           ek_answer_store_flush_async          (EkAnswerStore        *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean       ek_answer_store_flush_finish         (EkAnswerStore        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
void           ek_answer_store_sync_async           (EkAnswerStore        *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean       ek_answer_store_sync_finish          (EkAnswerStore        *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* For tests: the pause between push rounds after a failure (default 1 s doubling to 30 s). */
void           ek_answer_store_set_retry_delays     (EkAnswerStore        *self,
                                                     guint                 base_ms,
                                                     guint                 cap_ms);

G_END_DECLS
