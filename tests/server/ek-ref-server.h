/* ek-ref-server.h: shared declarations of the reference exam server
 *
 * Test-only code: the reference implementation of docs/protocol.md.
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define EK_MIN_CLIENT_VERSION "0.1.0"
#define EK_PROTOCOL_VERSION 1
#define EK_JSON_BODY_LIMIT (1024 * 1024)
/* Photos are limited to 4 MiB decoded; base64 and the JSON around it
 * make the body up to 4/3 of that plus a little. */
#define EK_PHOTO_DECODED_LIMIT (4 * 1024 * 1024)
#define EK_PHOTO_BODY_LIMIT (6 * 1024 * 1024)
#define EK_BANDWIDTH_LIMIT (16 * 1024 * 1024)
#define EK_TUS_MAX_SIZE (G_GINT64_CONSTANT (2) * 1024 * 1024 * 1024)
/* libsoup interns method names but has no SOUP_METHOD_PATCH */
#define EK_METHOD_PATCH (g_intern_static_string ("PATCH"))
#define EK_FACE_MAX_FAILURES 3
#define EK_LOGIN_MAX_FAILURES 10

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Faults (ek-ref-faults.c) */

typedef enum
{
  EK_FACE_AUTO,
  EK_FACE_MATCH,
  EK_FACE_NO_MATCH,
} EkFaceResult;

typedef struct
{
  gint64 latency_ms;
  gint64 jitter_ms;
  double error_rate;
  gint64 cut_after_bytes;       /* 0: off */
  gboolean malformed;
  gint64 oversized_mb;          /* 0: off */
  gint64 clock_skew_ms;
  gint64 throttle_bytes_per_s;  /* 0: off */
  EkFaceResult face_result;
  gboolean sealed_corrupt;      /* the sealed questions package served altered */
} EkFaults;

void        ek_faults_clear         (EkFaults    *faults);
gboolean    ek_faults_set_from_arg  (EkFaults    *faults,
                                     const char  *arg,
                                     GError     **error);
gboolean    ek_faults_set_from_json (EkFaults    *faults,
                                     JsonObject  *object,
                                     GError     **error);
JsonNode   *ek_faults_to_json       (const EkFaults *faults);

/* Exams (ek-ref-exams.c) */

typedef struct
{
  char *id;
  char *kind;       /* reading, answering */
  gint64 starts_ms;
  gint64 ends_ms;
} EkPhase;

typedef struct
{
  char *id;
  char *name;
  char *media_type;
  char *path;       /* absolute path of the file */
  gint64 size;
  char *sha256;
} EkAttachment;

typedef struct
{
  char *id_number;  /* upper case */
  char *name;
  char *seat;
  char *photo_path; /* nullable: no registered photo */
  char *face_token; /* nullable */
  gint64 extra_time_ms; /* an accommodation: the exam's end is this much later for them */
} EkCandidate;

typedef struct
{
  char *file;               /* where it was loaded from, for messages */
  char *id;
  char *kind;               /* interview, written */
  char *pledge_version;
  gboolean face_login;
  gint64 entry_opens_ms;
  gint64 starts_ms;
  gint64 late_entry_cutoff_ms;
  gint64 min_submit_ms;     /* -1: none */
  gint64 ends_ms;           /* end of the last phase */
  GPtrArray *phases;        /* EkPhase */
  GPtrArray *candidates;    /* EkCandidate */
  GPtrArray *attachments;   /* EkAttachment */
  char **exam_tokens;
  JsonObject *steps;        /* owned ref */
  JsonNode *exam_json;      /* what the client gets, absolute times only */
  JsonObject *questions;    /* PHASE_ID -> array; owned ref */
  gboolean sealed;          /* questions delivered sealed (protocol 6.1) */
  gint64 key_release_ms;
} EkExam;

void          ek_exam_free               (EkExam     *exam);
GPtrArray    *ek_exams_load              (const char *dir,
                                          sqlite3    *db,
                                          gint64      now_ms,
                                          GError    **error);
EkCandidate  *ek_exam_find_candidate     (EkExam     *exam,
                                          const char *id_number);
gint64        ek_exam_ends_ms_for        (EkExam     *exam,
                                          const char *id_number);
JsonNode     *ek_exam_json_for           (EkExam     *exam,
                                          const char *id_number);
EkPhase      *ek_exam_find_phase         (EkExam     *exam,
                                          const char *phase_id);
JsonArray    *ek_exam_get_questions      (EkExam     *exam,
                                          const char *phase_id);
JsonObject   *ek_exam_find_question      (EkExam     *exam,
                                          const char *question_id,
                                          EkPhase   **phase_out);
gboolean      ek_exam_step_required      (EkExam     *exam,
                                          const char *step);
gboolean      ek_id_number_is_valid      (const char *id_number);

/* Store (ek-ref-store.c) */

typedef struct
{
  char *session_id;
  char *exam_id;
  char *id_number;
  char *token_hash;         /* nullable: no valid token */
  char **completed_steps;
  gint64 sequence_number;   /* -1: not drawn */
  gint64 entered_ms;        /* -1 */
  gint64 submitted_ms;      /* -1 */
  gboolean ended;
  char *end_reason;         /* nullable */
  gint64 face_failures;
  gint64 last_seq;          /* 0: no event yet */
  char *last_hash;
  gint64 msg_counter;
  gint64 answer_count;      /* -1 */
  gint64 created_ms;
  gint64 finished_ms;       /* -1 */
} EkSession;

void        ek_session_free          (EkSession  *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSession, ek_session_free)

sqlite3    *ek_store_open            (const char *data_dir,
                                      GError    **error);
gboolean    ek_store_exec            (sqlite3    *db,
                                      const char *sql,
                                      GError    **error);
sqlite3_stmt *ek_store_prepare       (sqlite3    *db,
                                      const char *sql);
gboolean    ek_store_begin           (sqlite3    *db);
gboolean    ek_store_commit          (sqlite3    *db);
void        ek_store_rollback        (sqlite3    *db);
EkSession  *ek_store_session_by_id   (sqlite3    *db,
                                      const char *session_id);
EkSession  *ek_store_session_by_candidate (sqlite3    *db,
                                      const char *exam_id,
                                      const char *id_number);
EkSession  *ek_store_session_by_token_hash (sqlite3    *db,
                                      const char *token_hash);
gboolean    ek_store_session_save    (sqlite3    *db,
                                      EkSession  *session);
gboolean    ek_store_session_insert  (sqlite3    *db,
                                      EkSession  *session);
char       *ek_store_column_dup      (sqlite3_stmt *stmt,
                                      int           column);
gint64      ek_store_column_int_or   (sqlite3_stmt *stmt,
                                      int           column,
                                      gint64        fallback);

/* Server and request plumbing (ek-ref-server.c) */

typedef struct _EkRefServer EkRefServer;
typedef struct _EkReq EkReq;
typedef struct _EkTusStream EkTusStream;

struct _EkRefServer
{
  SoupServer *soup;
  GMainLoop *loop;
  sqlite3 *db;
  char *data_dir;
  char *uploads_dir;
  char *snapshots_dir;
  char *admin_token;        /* nullable: admin disabled */
  GPtrArray *exams;         /* EkExam */
  EkFaults faults;
  GHashTable *login_failures; /* id_number -> GArray of gint64 ms */
  GHashTable *live_streams;   /* EkTusStream set, to commit at exit */
  gboolean https;
  char **allowed_builds;      /* nullable: builds are not checked */
};

struct _EkReq
{
  EkRefServer *srv;         /* borrowed */
  SoupServerMessage *msg;   /* borrowed: the request owns this struct */
  char *path;
  gboolean is_v1;
  gboolean is_time;
  gboolean fault_error;
  gboolean too_large;
  gsize body_limit;
  guint64 body_received;
  gint64 first_byte_us;
  gint64 last_byte_us;
  gint64 throttle_start_us;
  gboolean stolen;
  gint64 receive_ms;
  gint64 post_delay_ms;
  EkTusStream *tus;         /* owned: a streamed PATCH */
  gboolean streaming;       /* request body not accumulated */
  gboolean cut_request;     /* the cut fault applies to the request body */
};

gint64      ek_server_now_ms          (EkRefServer *srv);
EkReq      *ek_req_get                (SoupServerMessage *msg);
void        ek_set_response           (SoupServerMessage *msg,
                                       const char *content_type,
                                       SoupMemoryUse use,
                                       const char *data,
                                       gsize       len);
void        ek_reply_json             (EkReq      *req,
                                       guint       status,
                                       JsonNode   *node);
void        ek_reply_object           (EkReq      *req,
                                       guint       status,
                                       JsonBuilder *builder);
void        ek_reply_error            (EkReq      *req,
                                       guint       status,
                                       const char *code,
                                       gint64      retry_after_ms,
                                       const char *format,
                                       ...) G_GNUC_PRINTF (5, 6);
void        ek_reply_error_extra      (EkReq      *req,
                                       guint       status,
                                       const char *code,
                                       const char *extra_member,
                                       gint64      extra_value,
                                       const char *message);
void        ek_reply_empty            (EkReq      *req,
                                       guint       status);
JsonObject *ek_req_parse_object       (EkReq      *req);
EkSession  *ek_req_authenticate       (EkReq      *req);
char       *ek_sha256_hex             (const void *data,
                                       gsize       len);
char       *ek_random_token           (gsize       n_bytes);
char       *ek_base_url               (EkReq      *req);
EkExam     *ek_server_find_exam       (EkRefServer *srv,
                                       const char  *exam_id);
void        ek_req_throttle_chunk     (EkReq      *req,
                                       gsize       len);

/* API (ek-ref-api.c) */

void        ek_api_dispatch          (EkReq      *req);
void        ek_admin_dispatch        (EkReq      *req);
JsonNode   *ek_api_session_state     (EkRefServer *srv,
                                      EkSession   *session);

/* client integrity (ek-ref-integrity.c) */

void        ek_integrity_init_store  (sqlite3    *db);
const char *ek_integrity_verify      (EkReq      *req,
                                      EkExam     *exam,
                                      EkSession  *session,
                                      const char **message);
void        ek_integrity_refuse      (EkReq      *req,
                                      const char *reason,
                                      const char *message);
gboolean    ek_integrity_check       (EkReq      *req,
                                      EkExam     *exam,
                                      EkSession  *session);
void        ek_integrity_issue       (EkRefServer *srv,
                                      EkSession   *session,
                                      JsonBuilder *b);
char       *ek_integrity_policy_sha256 (EkExam   *exam);
char       *ek_integrity_session_build (EkRefServer *srv,
                                      const char  *session_id);

/* sealed questions (ek-ref-sealed.c) */

void        ek_sealed_init_store     (sqlite3    *db);
gboolean    ek_sealed_prepare_exams  (EkRefServer *srv,
                                      GError     **error);
void        ek_sealed_handle_package (EkReq      *req,
                                      EkExam     *exam);
void        ek_sealed_handle_check_in (EkReq     *req,
                                      EkExam     *exam,
                                      EkSession  *session);
gboolean    ek_sealed_checked_in     (EkRefServer *srv,
                                      EkSession   *session);
gint64      ek_sealed_checked_in_ms  (EkRefServer *srv,
                                      const char  *session_id);

/* tus (ek-ref-tus.c) */

void        ek_tus_init_store        (sqlite3    *db);
gboolean    ek_tus_prepare_patch     (EkReq      *req);
void        ek_tus_got_chunk         (EkReq      *req,
                                      GBytes     *chunk);
void        ek_tus_dispatch          (EkReq      *req);
void        ek_tus_stream_abort      (EkTusStream *stream);
void        ek_tus_stream_free       (EkTusStream *stream);
void        ek_tus_finish            (EkReq      *req,
                                      EkSession  *session);
JsonNode   *ek_tus_uploads_json      (EkRefServer *srv,
                                      const char  *session_id);

G_END_DECLS
