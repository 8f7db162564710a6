/* ek-api-client.h: the exam server's JSON API (docs/protocol.md)
 *
 * Every call runs on the main context through EkHttpClient. Errors are in
 * %EK_API_ERROR, one code per protocol error code plus the transport failures, each
 * with a translated message that tells the candidate what happened and what to do;
 * the server's own `message` only goes to the debug log.
 *
 * Calls marked idempotent by the protocol are retried after a network error, a
 * timeout, a 500 or a 503 (exponential backoff with full jitter, honouring the
 * server's retry_after_ms); all others are sent exactly once, on a fresh connection
 * so that curl cannot resend them either.
 *
 * The session token lives in this object's memory only; it is never logged.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ek-exam.h"
#include "ek-http-client.h"
#include "ek-server-clock.h"
#include "ek-session-info.h"
#include "ek-session-state.h"

G_BEGIN_DECLS

#define EK_API_ERROR (ek_api_error_quark ())

typedef enum
{
  /* the protocol's error codes (section 1.1) */
  EK_API_ERROR_BAD_REQUEST,
  EK_API_ERROR_WRONG_CREDENTIALS,
  EK_API_ERROR_INVALID_SESSION,
  EK_API_ERROR_EXAM_NOT_OPEN,
  EK_API_ERROR_ENTRY_CLOSED,
  EK_API_ERROR_PHASE_NOT_STARTED,
  EK_API_ERROR_STEP_NOT_ALLOWED,
  EK_API_ERROR_NOT_FOUND,
  EK_API_ERROR_ALREADY_SUBMITTED,
  EK_API_ERROR_EXAM_OVER,
  EK_API_ERROR_TOO_EARLY,
  EK_API_ERROR_CONFLICT,
  EK_API_ERROR_UNSUPPORTED_VERSION,
  EK_API_ERROR_PAYLOAD_TOO_LARGE,
  EK_API_ERROR_CLIENT_TOO_OLD,
  EK_API_ERROR_RATE_LIMITED,
  EK_API_ERROR_SERVER_ERROR,
  EK_API_ERROR_UNAVAILABLE,
  EK_API_ERROR_CLIENT_REFUSED,
  /* a well-formed error with a code this client does not know (a newer server) */
  EK_API_ERROR_UNKNOWN,
  /* transport */
  EK_API_ERROR_NETWORK,
  EK_API_ERROR_TIMEOUT,
  EK_API_ERROR_TLS_UNTRUSTED,
  EK_API_ERROR_PINNED_KEY_MISMATCH,
  EK_API_ERROR_TLS_FAILED,
  EK_API_ERROR_CONNECTION_CUT,
  EK_API_ERROR_MALFORMED_RESPONSE,
  EK_API_ERROR_RESPONSE_TOO_LARGE,
  EK_API_ERROR_INSECURE_URL,
  EK_API_ERROR_INVALID_URL,
} EkApiError;

GQuark      ek_api_error_quark              (void);
gint64      ek_api_error_get_retry_after_ms (const GError *error);
guint       ek_api_error_get_http_status    (const GError *error);
gint64      ek_api_error_get_last_seq       (const GError *error);
const char *ek_api_error_get_last_hash      (const GError *error);
const char *ek_api_error_get_reason         (const GError *error);
const char *ek_api_error_code_to_string     (EkApiError    code);
gboolean    ek_api_error_is_transient       (const GError *error);
char       *ek_api_client_refused_message   (const char   *reason);

typedef enum
{
  EK_API_CALL_NONE       = 0,
  /* may be retried (section 1.1) */
  EK_API_CALL_IDEMPOTENT = 1 << 0,
  /* sent without the bearer token */
  EK_API_CALL_PUBLIC     = 1 << 1,
  /* the request carries personal data: keep even the server's message out of logs */
  EK_API_CALL_SENSITIVE  = 1 << 2,
  /* the answer is a file (an attachment), not JSON: finish with call_bytes_finish */
  EK_API_CALL_BYTES      = 1 << 3,
} EkApiCallFlags;

#define EK_API_DEFAULT_TIMEOUT_MS      15000
#define EK_API_MAX_RESPONSE_SIZE       (8 * 1024 * 1024)
#define EK_API_MAX_DOWNLOAD_SIZE       (64 * 1024 * 1024)
#define EK_API_DEFAULT_MAX_ATTEMPTS    4
#define EK_API_DEFAULT_BACKOFF_BASE_MS 250
#define EK_API_DEFAULT_BACKOFF_CAP_MS  5000
#define EK_API_CLOCK_SAMPLES           8
#define EK_API_CLOCK_MIN_SAMPLES       3

#define EK_TYPE_API_CLIENT (ek_api_client_get_type ())

G_DECLARE_FINAL_TYPE (EkApiClient, ek_api_client, EK, API_CLIENT, GObject)

EkApiClient    *ek_api_client_new                  (const char           *base_url,
                                                    EkServerClock        *clock);
const char     *ek_api_client_get_base_url         (EkApiClient          *self);
const char     *ek_api_client_get_user_agent       (EkApiClient          *self);
EkServerClock  *ek_api_client_get_clock            (EkApiClient          *self);
EkHttpClient   *ek_api_client_get_http_client      (EkApiClient          *self);
const char     *ek_api_client_get_pinned_key       (EkApiClient          *self);
void            ek_api_client_set_pinned_key       (EkApiClient          *self,
                                                    const char           *pinned_key);
const char     *ek_api_client_get_proxy            (EkApiClient          *self);
void            ek_api_client_set_proxy            (EkApiClient          *self,
                                                    const char           *proxy);
const char     *ek_api_client_get_ca_file          (EkApiClient          *self);
void            ek_api_client_set_ca_file          (EkApiClient          *self,
                                                    const char           *ca_file);
EkExam         *ek_api_client_get_exam             (EkApiClient          *self);
void            ek_api_client_set_exam             (EkApiClient          *self,
                                                    EkExam               *exam);
guint           ek_api_client_get_timeout_ms       (EkApiClient          *self);
void            ek_api_client_set_timeout_ms       (EkApiClient          *self,
                                                    guint                 timeout_ms);
void            ek_api_client_set_retry_policy     (EkApiClient          *self,
                                                    guint                 max_attempts,
                                                    guint                 base_ms,
                                                    guint                 cap_ms);
void            ek_api_client_set_session_token    (EkApiClient          *self,
                                                    const char           *token);
gboolean        ek_api_client_has_session_token    (EkApiClient          *self);
/* For the tus client only: never log it. */
const char     *ek_api_client_get_session_token    (EkApiClient          *self);
/* The client integrity header's session part (section 1.2) */
gboolean        ek_api_client_set_integrity        (EkApiClient          *self,
                                                    const char           *key_b64,
                                                    const char           *nonce,
                                                    const char           *policy_hash);
void            ek_api_client_sign_request         (EkApiClient          *self,
                                                    EkHttpRequest        *request,
                                                    const char           *path);
gboolean        ek_api_client_export_integrity     (EkApiClient          *self,
                                                    char                **out_key_b64,
                                                    char                **out_nonce,
                                                    char                **out_policy_hash);
const char     *ek_api_client_get_policy_hash      (EkApiClient          *self);

/* Generic call: @path starts with "/v1/"; @body may be NULL. */
void            ek_api_client_call_async           (EkApiClient          *self,
                                                    const char           *method,
                                                    const char           *path,
                                                    JsonNode             *body,
                                                    EkApiCallFlags        flags,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
JsonObject     *ek_api_client_call_finish          (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
/* Finishes a call made with EK_API_CALL_BYTES. */
GBytes         *ek_api_client_call_bytes_finish    (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    char                **out_content_type,
                                                    GError              **error);

/* Section 2 */
void            ek_api_client_sync_clock_async     (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_sync_clock_finish    (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_health_async         (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_health_finish        (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gint64               *out_protocol,
                                                    char                **out_min_client_version,
                                                    gint64               *out_server_time_ms,
                                                    GError              **error);

/* Section 3 */
void            ek_api_client_login_async          (EkApiClient          *self,
                                                    const char           *exam_token,
                                                    const char           *id_number,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
EkSessionInfo  *ek_api_client_login_finish         (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_get_session_async    (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
EkSessionInfo  *ek_api_client_get_session_finish   (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_end_session_async    (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_end_session_finish   (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_pledge_async         (EkApiClient          *self,
                                                    gboolean              accepted,
                                                    const char           *pledge_version,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void            ek_api_client_complete_step_async  (EkApiClient          *self,
                                                    EkStep                step,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void            ek_api_client_enter_async          (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void            ek_api_client_submit_async         (EkApiClient          *self,
                                                    guint                 answer_count,
                                                    const char           *forced_by,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
/* Finishes pledge, complete_step, enter and submit. */
EkSessionState *ek_api_client_state_finish         (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Section 4 */
void            ek_api_client_face_check_async     (EkApiClient          *self,
                                                    GBytes               *jpeg,
                                                    gint64                capture_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void            ek_api_client_face_recheck_async   (EkApiClient          *self,
                                                    GBytes               *jpeg,
                                                    gint64                capture_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
/* Finishes face_check and face_recheck. */
gboolean        ek_api_client_face_check_finish    (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gboolean             *out_match,
                                                    double               *out_score,
                                                    char                **out_reason,
                                                    gint64               *out_attempts_left,
                                                    GError              **error);
void            ek_api_client_face_login_async     (EkApiClient          *self,
                                                    const char           *exam_id,
                                                    const char           *id_number,
                                                    GBytes               *jpeg,
                                                    gint64                capture_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
EkSessionInfo  *ek_api_client_face_login_finish    (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_get_login_options_async  (EkApiClient      *self,
                                                        const char       *exam_id,
                                                        GCancellable     *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer          user_data);
gboolean        ek_api_client_get_login_options_finish (EkApiClient      *self,
                                                        GAsyncResult     *result,
                                                        gboolean         *out_face_login,
                                                        char            **out_help_contact,
                                                        GError          **error);

/* Section 5 */
void            ek_api_client_draw_async           (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_draw_finish          (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gint64               *out_sequence_number,
                                                    GError              **error);

void            ek_api_client_request_second_view_async  (EkApiClient        *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean        ek_api_client_request_second_view_finish (EkApiClient        *self,
                                                          GAsyncResult       *result,
                                                          char              **out_qr_payload,
                                                          char              **out_code,
                                                          GError            **error);
void            ek_api_client_get_second_view_async      (EkApiClient        *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
gboolean        ek_api_client_get_second_view_finish     (EkApiClient        *self,
                                                          GAsyncResult       *result,
                                                          gboolean           *out_bound,
                                                          char              **out_device,
                                                          GError            **error);
void            ek_api_client_get_attachments_async      (EkApiClient        *self,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
JsonArray      *ek_api_client_get_attachments_finish     (EkApiClient        *self,
                                                          GAsyncResult       *result,
                                                          GError            **error);
void            ek_api_client_get_attachment_async       (EkApiClient        *self,
                                                          const char         *attachment_id,
                                                          GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
GBytes         *ek_api_client_get_attachment_finish      (EkApiClient        *self,
                                                          GAsyncResult       *result,
                                                          char              **out_content_type,
                                                          GError            **error);

/* Section 6 */
void            ek_api_client_get_questions_async  (EkApiClient          *self,
                                                    const char           *phase_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
JsonArray      *ek_api_client_get_questions_finish (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void            ek_api_client_put_answer_async     (EkApiClient          *self,
                                                    const char           *question_id,
                                                    gint64                revision,
                                                    JsonNode             *value,
                                                    gint64                client_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_put_answer_finish    (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gint64               *out_revision,
                                                    gint64               *out_stored_ms,
                                                    GError              **error);

/* Section 6.1: sealed questions */
void            ek_api_client_get_questions_package_async (EkApiClient     *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void            ek_api_client_check_in_async       (EkApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_check_in_finish      (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    char                **out_key_b64,
                                                    gint64               *out_checked_in_ms,
                                                    GError              **error);
void            ek_api_client_enter_at_async       (EkApiClient          *self,
                                                    gint64                client_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);

/* Section 7 */
void            ek_api_client_post_events_async    (EkApiClient          *self,
                                                    JsonArray            *events,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_post_events_finish   (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gint64               *out_acked_seq,
                                                    GError              **error);
void            ek_api_client_get_messages_async   (EkApiClient          *self,
                                                    const char           *cursor,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
JsonArray      *ek_api_client_get_messages_finish  (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    char                **out_cursor,
                                                    GError              **error);
void            ek_api_client_post_message_async   (EkApiClient          *self,
                                                    const char           *kind,
                                                    const char           *text,
                                                    const char           *ref,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_post_message_finish  (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    char                **out_id,
                                                    gint64               *out_sent_ms,
                                                    GError              **error);

void            ek_api_client_post_snapshot_async  (EkApiClient          *self,
                                                    const char           *source,
                                                    GBytes               *jpeg,
                                                    gint64                capture_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_post_snapshot_finish (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    char                **out_id,
                                                    GError              **error);
void            ek_api_client_post_sealed_snapshot_async (EkApiClient    *self,
                                                    const char           *source,
                                                    GBytes               *sealed,
                                                    const char           *sha256,
                                                    gint64                capture_ms,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_post_snapshot_finish_full (EkApiClient     *self,
                                                    GAsyncResult         *result,
                                                    char                **out_id,
                                                    char                **out_sha256,
                                                    GError              **error);

void            ek_api_client_post_self_check_async  (EkApiClient        *self,
                                                      JsonNode           *report,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
gboolean        ek_api_client_post_self_check_finish (EkApiClient        *self,
                                                      GAsyncResult       *result,
                                                      char              **out_id,
                                                      gint64             *out_received_ms,
                                                      GError            **error);

/* Section 8 */
void            ek_api_client_finish_async         (EkApiClient          *self,
                                                    JsonArray            *segments,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ek_api_client_finish_finish        (EkApiClient          *self,
                                                    GAsyncResult         *result,
                                                    gboolean             *out_complete,
                                                    JsonArray           **out_segments,
                                                    GError              **error);

G_END_DECLS
