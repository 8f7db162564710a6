/* ek-api-client-private.h: what the files of EkApiClient share
 *
 * EkApiClient is one type in several files, one per concern (as gnome-text-editor
 * splits editor-page-*.c):
 *
 *   ek-api-client.c             life cycle, properties, the generic call with its
 *                               retries, the shape of a typed call, the clock sync
 *   ek-api-client-errors.c      EK_API_ERROR: codes, the translated messages, the
 *                               mapping of transport failures and of error answers
 *   ek-api-client-calls.c       the typed calls before the exam (sections 2 to 5),
 *                               each with a named result type (ek-api-parsers.h)
 *   ek-api-client-exam-calls.c  the typed calls of the exam and its end (6 to 8)
 *   ek-api-client-sealed.c      the sealed questions' package, check-in and a
 *                               late-reported entry (section 6.1)
 *   ek-api-client-integrity.c   the client integrity header (section 1.2): the
 *                               session's key, nonce and policy hash
 *   ek-api-parsers.c            the pure parsers of the answers, testable without
 *                               a server
 */
#pragma once

#include "ek-api-client.h"
#include "ek-api-parsers.h"

G_BEGIN_DECLS

/* Internal: a call that is idempotent but must not be retried (a clock sample, whose
 * timing would be meaningless after a wait). */
#define EK_API_CALL_NO_RETRY (1u << 16)

struct _EkApiClient
{
  GObject         parent_instance;

  char           *base_url;        /* without a trailing slash */
  EkServerClock  *clock;           /* owned, nullable */
  EkHttpClient   *http;            /* owned */
  char           *session_token;   /* secret: never logged, wiped on change */
  EkExam         *exam;            /* owned, nullable: for the wording of errors */
  GBytes         *integrity_key;   /* secret: never logged, wiped on change; nullable */
  char           *integrity_nonce; /* nullable */
  char           *policy_hash;     /* nullable: the exam policy's SHA-256 */
  guint           timeout_ms;
  guint           max_attempts;
  guint           backoff_base_ms;
  guint           backoff_cap_ms;
};

typedef struct _EkApiTypedData EkApiTypedData;

typedef struct
{
  char   *key_b64;         /* secret */
  gint64  checked_in_ms;
} EkApiCheckIn;

/* Returns the call's result, or %NULL with an EK_JSON_ERROR (the answer is
 * malformed) or an EK_API_ERROR (the answer is well-formed but says no). */
typedef gpointer (*EkApiParseFunc) (EkApiClient     *self,
                                    JsonObject      *object,
                                    EkApiTypedData  *typed,
                                    GError         **error);

struct _EkApiTypedData
{
  EkApiParseFunc  parse;
  GDestroyNotify  free_result;     /* nullable */
  EkApiCallFlags  flags;
  char           *phase_id;        /* get_questions: the phase asked for */
};

/* What a call without a result hands to its _finish: any non-NULL pointer. */
extern const char _ek_api_nothing[];

/* The calls whose answer needs nothing but its parser of ek-api-parsers.h */
#define EK_API_PLAIN_PARSER(name)                                       \
  static gpointer                                                       \
  parse_##name (EkApiClient     *self,                                  \
                JsonObject      *object,                                \
                EkApiTypedData  *typed,                                 \
                GError         **error)                                 \
  {                                                                     \
    return ek_api_parse_##name (object, error);                         \
  }

/* ek-api-client.c */
GTask    *_ek_api_typed_task_new     (EkApiClient         *self,
                                      EkApiCallFlags       flags,
                                      EkApiParseFunc       parse,
                                      GDestroyNotify       free_result,
                                      gpointer             source_tag,
                                      const char          *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void      _ek_api_typed_call         (EkApiClient         *self,
                                      const char          *method,
                                      const char          *path,
                                      JsonNode            *body,
                                      EkApiCallFlags       flags,
                                      EkApiParseFunc       parse,
                                      GDestroyNotify       free_result,
                                      gpointer             source_tag,
                                      const char          *name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
void      _ek_api_typed_call_done_cb (GObject             *source,
                                      GAsyncResult        *result,
                                      gpointer             user_data);
gpointer  _ek_api_propagate_result   (EkApiClient         *self,
                                      GAsyncResult        *result,
                                      gpointer             source_tag,
                                      GError             **error);
JsonNode *_ek_api_build_body         (JsonBuilder         *builder);
JsonNode *_ek_api_array_member_body  (const char          *member,
                                      JsonArray           *array);
JsonNode *_ek_api_empty_object_node  (void);
void      _ek_api_add_photo_members  (JsonBuilder         *builder,
                                      GBytes              *jpeg,
                                      gint64               capture_ms);

/* ek-api-client-calls.c */
void      _ek_api_state_call         (EkApiClient         *self,
                                      const char          *path,
                                      JsonNode            *body,
                                      EkApiCallFlags       flags,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);

/* ek-api-client-integrity.c */
char     *_ek_api_integrity_header   (EkApiClient         *self,
                                      const char          *method,
                                      const char          *path,
                                      gboolean             with_session);
gboolean  _ek_api_integrity_take_login (EkApiClient       *self,
                                      JsonObject          *answer,
                                      GError             **error);
void      _ek_api_integrity_clear    (EkApiClient         *self);

/* ek-api-client-errors.c */
GError *_ek_api_error_new            (EkApiError      code,
                                      guint           http_status,
                                      gint64          retry_after_ms,
                                      const char     *message);
GError *_ek_api_server_error         (EkApiClient    *self,
                                      EkApiError      code,
                                      guint           http_status,
                                      gint64          retry_after_ms);
GError *_ek_api_malformed_error      (EkApiClient    *self,
                                      const char     *path,
                                      guint           http_status,
                                      const char     *detail);
GError *_ek_api_error_from_http      (const GError   *http_error);
GError *_ek_api_error_from_response  (EkApiClient    *self,
                                      const char     *method,
                                      const char     *path,
                                      EkApiCallFlags  flags,
                                      EkHttpResponse *response);

G_END_DECLS
