/* ek-api-parsers.h: the exam server's answers read into named results
 *
 * Pure functions: a JSON object in, a checked result (or an EK_JSON_ERROR that names
 * the member) out. No server, no EkApiClient, no main loop, so the unit tests and the
 * fuzz targets call them directly. EkApiClient turns a parse error into
 * EK_API_ERROR_MALFORMED_RESPONSE.
 *
 * Internal to client/net and its tests: not part of the public API.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The protocol's range of absolute times (milliseconds since 1970, 13 digits). */
#define EK_API_MIN_TIME_MS G_GINT64_CONSTANT (1000000000000)
#define EK_API_MAX_TIME_MS G_GINT64_CONSTANT (9999999999999)

/* A non-2xx answer's `{ "error": { … } }` (section 1.1). */
typedef struct
{
  char   *code;            /* the protocol's code string, not checked against the list */
  char   *message;         /* the server's text: for operators, may hold personal data */
  gint64  retry_after_ms;  /* 0 when absent */
  gint64  last_seq;        /* a conflict on events: the server's last seq, or -1 */
  char   *last_hash;       /* a conflict on events: 64 lowercase hex digits, nullable */
  char   *reason;          /* a refused face login: a known reason, nullable */
} EkApiErrorBody;

/* GET /v1/health */
typedef struct
{
  char   *status;          /* "ok" when the server is up */
  gint64  protocol;
  char   *min_client_version;
  gint64  server_time_ms;
} EkApiHealth;

/* GET /v1/exams/ID/login-options */
typedef struct
{
  gboolean  face_login;
  char     *help_contact;  /* "" when the exam has none */
} EkApiLoginOptions;

/* POST /v1/session/draw */
typedef struct
{
  gint64 sequence_number;
} EkApiDraw;

/* PUT /v1/session/answers/ID */
typedef struct
{
  gint64 revision;
  gint64 stored_ms;
} EkApiAnswerStored;

/* POST /v1/session/events */
typedef struct
{
  gint64 acked_seq;
} EkApiEventsAcked;

/* GET /v1/session/messages */
typedef struct
{
  char      *cursor;
  JsonArray *messages;     /* each checked: id, kind, sent_ms */
} EkApiMessages;

/* POST /v1/session/messages */
typedef struct
{
  char   *id;
  gint64  sent_ms;
} EkApiMessageSent;

/* POST /v1/session/self-check */
typedef struct
{
  char   *id;
  gint64  received_ms;
} EkApiSelfCheckSent;

/* POST /v1/session/finish */
typedef struct
{
  gboolean   complete;
  JsonArray *segments;     /* each checked: stream, index, a known status */
} EkApiFinishResult;

/* POST /v1/session/face (check and recheck) */
typedef struct
{
  gboolean  match;
  double    score;         /* 0..1, or -1 when the server gave none */
  char     *reason;        /* a known reason, nullable */
  gint64    attempts_left; /* -1 when the server did not say */
} EkApiFaceResult;

/* POST /v1/session/snapshots */
typedef struct
{
  char *id;
  char *sha256;   /* nullable: the SHA-256 of what the server stored (a sealed one's) */
} EkApiSnapshotSent;

/* GET /v1/time */
typedef struct
{
  gint64 receive_ms;
  gint64 transmit_ms;
} EkApiTimeSample;

/* POST /v1/session/second-view */
typedef struct
{
  char   *qr_payload;      /* never empty */
  char   *code;            /* "" when the server gave none */
  gint64  expires_ms;      /* 0 when absent */
} EkApiSecondViewCode;

/* GET /v1/session/second-view */
typedef struct
{
  gboolean  bound;
  char     *device;        /* the phone's model, "" when not said */
  gint64    bound_ms;      /* 0 when absent */
} EkApiSecondViewStatus;

void                   ek_api_error_body_free          (EkApiErrorBody        *body);
void                   ek_api_health_free              (EkApiHealth           *health);
void                   ek_api_login_options_free       (EkApiLoginOptions     *options);
void                   ek_api_messages_free            (EkApiMessages         *messages);
void                   ek_api_message_sent_free        (EkApiMessageSent      *sent);
void                   ek_api_self_check_sent_free     (EkApiSelfCheckSent    *sent);
void                   ek_api_finish_result_free       (EkApiFinishResult     *result);
void                   ek_api_face_result_free         (EkApiFaceResult       *result);
void                   ek_api_snapshot_sent_free       (EkApiSnapshotSent     *sent);
void                   ek_api_second_view_code_free    (EkApiSecondViewCode   *code);
void                   ek_api_second_view_status_free  (EkApiSecondViewStatus *status);

EkApiErrorBody        *ek_api_parse_error_body         (const char   *data,
                                                        gsize         length,
                                                        GError      **error);
EkApiHealth           *ek_api_parse_health             (JsonObject   *object,
                                                        GError      **error);
EkApiLoginOptions     *ek_api_parse_login_options      (JsonObject   *object,
                                                        GError      **error);
EkApiDraw             *ek_api_parse_draw               (JsonObject   *object,
                                                        GError      **error);
JsonArray             *ek_api_parse_questions          (JsonObject   *object,
                                                        const char   *phase_id,
                                                        GError      **error);
EkApiAnswerStored     *ek_api_parse_answer_stored      (JsonObject   *object,
                                                        GError      **error);
EkApiEventsAcked      *ek_api_parse_events_acked       (JsonObject   *object,
                                                        GError      **error);
EkApiMessages         *ek_api_parse_messages           (JsonObject   *object,
                                                        GError      **error);
EkApiMessageSent      *ek_api_parse_message_sent       (JsonObject   *object,
                                                        GError      **error);
EkApiSelfCheckSent    *ek_api_parse_self_check_sent    (JsonObject   *object,
                                                        GError      **error);
EkApiFinishResult     *ek_api_parse_finish             (JsonObject   *object,
                                                        GError      **error);
EkApiFaceResult       *ek_api_parse_face               (JsonObject   *object,
                                                        GError      **error);
EkApiSnapshotSent     *ek_api_parse_snapshot_sent      (JsonObject   *object,
                                                        GError      **error);
gboolean               ek_api_parse_time_sample        (JsonObject   *object,
                                                        EkApiTimeSample *sample,
                                                        GError      **error);
EkApiSecondViewCode   *ek_api_parse_second_view_code   (JsonObject   *object,
                                                        GError      **error);
EkApiSecondViewStatus *ek_api_parse_second_view_status (JsonObject   *object,
                                                        GError      **error);
JsonArray             *ek_api_parse_attachments        (JsonObject   *object,
                                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiErrorBody, ek_api_error_body_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiHealth, ek_api_health_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiLoginOptions, ek_api_login_options_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiDraw, g_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiAnswerStored, g_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiEventsAcked, g_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiMessages, ek_api_messages_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiMessageSent, ek_api_message_sent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiSelfCheckSent, ek_api_self_check_sent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiFinishResult, ek_api_finish_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiFaceResult, ek_api_face_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiSnapshotSent, ek_api_snapshot_sent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiSecondViewCode, ek_api_second_view_code_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkApiSecondViewStatus, ek_api_second_view_status_free)

G_END_DECLS
