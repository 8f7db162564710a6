/* ek-session-info.c: what the server says about a session at login and re-entry */

#include "config.h"

#include "ek-json.h"
#include "ek-session-info.h"

#define MIN_TIME_MS G_GINT64_CONSTANT (1000000000000)
#define MAX_TIME_MS G_GINT64_CONSTANT (9999999999999)

/* 128 bits is the protocol's minimum; a shorter token is a server bug, and a very
 * long one is not a token. */
#define MIN_TOKEN_LENGTH 16
#define MAX_TOKEN_LENGTH 512

struct _EkSessionInfo
{
  GObject         parent_instance;

  char           *session_id;
  char           *session_token;   /* secret: never logged, wiped on free */
  EkCandidate    *candidate;
  EkExam         *exam;
  EkSessionState *state;
  gint64          server_time_ms;
  JsonObject     *public_json;     /* the answer without its secrets */
};

enum {
  PROP_0,
  PROP_SESSION_ID,
  PROP_CANDIDATE,
  PROP_EXAM,
  PROP_STATE,
  PROP_SERVER_TIME_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkSessionInfo, ek_session_info, G_TYPE_OBJECT)

static gboolean
token_is_valid (const char *token)
{
  gsize len = 0;

  for (const char *p = token; *p != '\0'; p++, len++)
    {
      /* It goes into an HTTP header and the Secret Service: printable ASCII only. */
      if (*p <= ' ' || *p > '~')
        return FALSE;
    }

  return len >= MIN_TOKEN_LENGTH && len <= MAX_TOKEN_LENGTH;
}

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      volatile char *p = *str;

      while (*p != '\0')
        *p++ = '\0';
      g_clear_pointer (str, g_free);
    }
}

static void
ek_session_info_finalize (GObject *object)
{
  EkSessionInfo *self = (EkSessionInfo *)object;

  wipe_string (&self->session_token);
  g_clear_pointer (&self->session_id, g_free);
  g_clear_object (&self->candidate);
  g_clear_object (&self->exam);
  g_clear_pointer (&self->state, ek_session_state_free);
  g_clear_pointer (&self->public_json, json_object_unref);

  G_OBJECT_CLASS (ek_session_info_parent_class)->finalize (object);
}

static void
ek_session_info_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkSessionInfo *self = EK_SESSION_INFO (object);

  switch (prop_id)
    {
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;

    case PROP_CANDIDATE:
      g_value_set_object (value, self->candidate);
      break;

    case PROP_EXAM:
      g_value_set_object (value, self->exam);
      break;

    case PROP_STATE:
      g_value_set_boxed (value, self->state);
      break;

    case PROP_SERVER_TIME_MS:
      g_value_set_int64 (value, self->server_time_ms);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_session_info_class_init (EkSessionInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_session_info_finalize;
  object_class->get_property = ek_session_info_get_property;

  properties[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_CANDIDATE] =
    g_param_spec_object ("candidate", NULL, NULL,
                         EK_TYPE_CANDIDATE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_EXAM] =
    g_param_spec_object ("exam", NULL, NULL,
                         EK_TYPE_EXAM,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_STATE] =
    g_param_spec_boxed ("state", NULL, NULL,
                        EK_TYPE_SESSION_STATE,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_SERVER_TIME_MS] =
    g_param_spec_int64 ("server-time-ms", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_session_info_init (EkSessionInfo *self)
{
}

/**
 * ek_session_info_new_from_json:
 * @object: the answer of a login or of GET /v1/session
 * @with_token: whether @object must carry a `session_token` (a login answer)
 *
 * Returns: (transfer full): the session, or %NULL with an %EK_JSON_ERROR naming the
 *   member that is wrong
 */
EkSessionInfo *
ek_session_info_new_from_json (JsonObject  *object,
                               gboolean     with_token,
                               GError     **error)
{
  g_autoptr(EkSessionInfo) self = NULL;
  const char *session_id = NULL;
  const char *token = NULL;
  JsonObject *candidate = NULL;
  JsonObject *exam = NULL;
  JsonObject *state = NULL;
  gint64 server_time_ms = 0;

  g_return_val_if_fail (object != NULL, NULL);

  if (!ek_json_read_identifier (object, "session_id", TRUE, &session_id, error) ||
      !ek_json_read_object (object, "candidate", TRUE, &candidate, error) ||
      !ek_json_read_object (object, "exam", TRUE, &exam, error) ||
      !ek_json_read_object (object, "state", TRUE, &state, error) ||
      !ek_json_read_int (object, "server_time_ms", TRUE, MIN_TIME_MS, MAX_TIME_MS,
                         &server_time_ms, error))
    return NULL;

  if (with_token)
    {
      if (!ek_json_read_string (object, "session_token", TRUE, &token, error))
        return NULL;

      if (!token_is_valid (token))
        {
          /* never the token itself in the message */
          g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                               "member “session_token” is not a valid token");
          return NULL;
        }
    }

  self = g_object_new (EK_TYPE_SESSION_INFO, NULL);
  self->session_id = g_strdup (session_id);
  self->session_token = g_strdup (token);
  self->server_time_ms = server_time_ms;
  self->public_json = json_object_new ();
  json_object_set_string_member (self->public_json, "session_id", session_id);
  json_object_set_object_member (self->public_json, "candidate", json_object_ref (candidate));
  json_object_set_object_member (self->public_json, "exam", json_object_ref (exam));
  json_object_set_object_member (self->public_json, "state", json_object_ref (state));
  json_object_set_int_member (self->public_json, "server_time_ms", server_time_ms);

  self->candidate = ek_candidate_new_from_json (candidate, error);
  if (self->candidate == NULL)
    return NULL;

  self->exam = ek_exam_new_from_json (exam, error);
  if (self->exam == NULL)
    return NULL;

  self->state = ek_session_state_new_from_json (state, error);
  if (self->state == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ek_session_info_get_session_id (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->session_id;
}

EkCandidate *
ek_session_info_get_candidate (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->candidate;
}

EkExam *
ek_session_info_get_exam (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->exam;
}

/**
 * ek_session_info_get_public_json:
 *
 * Returns: (transfer none): the answer's session, candidate, exam and state, never
 *   its token or integrity key; what a restart without the network loads again
 */
JsonObject *
ek_session_info_get_public_json (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->public_json;
}

const EkSessionState *
ek_session_info_get_state (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->state;
}

gint64
ek_session_info_get_server_time_ms (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), 0);
  return self->server_time_ms;
}

/**
 * ek_session_info_get_session_token:
 *
 * Returns: (nullable): the bearer token of a login answer: a secret, to hand to the
 *   secret store and nowhere else
 */
const char *
ek_session_info_get_session_token (EkSessionInfo *self)
{
  g_return_val_if_fail (EK_IS_SESSION_INFO (self), NULL);
  return self->session_token;
}

/**
 * ek_session_info_clear_session_token:
 *
 * Wipes the token once it is stored, so fewer copies stay in memory.
 */
void
ek_session_info_clear_session_token (EkSessionInfo *self)
{
  g_return_if_fail (EK_IS_SESSION_INFO (self));
  wipe_string (&self->session_token);
}
