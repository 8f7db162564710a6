/* fuzz-api-parsers.c: every parser of the exam server's answers (client/net) */

#include "config.h"

#include "ek-api-parsers.h"
#include "ek-fuzz.h"
#include "ek-json.h"
#include "ek-session-info.h"
#include "ek-session-state.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonObject) object = NULL;
  EkApiTimeSample sample;
  EkSessionInfo *info;
  EkSessionState *state;
  gpointer result;

  /* a non-2xx answer's body */
  ek_api_error_body_free (ek_api_parse_error_body ((const char *) data, size, NULL));

  object = ek_json_parse_object ((const char *) data, size, NULL);
  if (object == NULL)
    return 0;

  ek_api_health_free (ek_api_parse_health (object, NULL));
  ek_api_login_options_free (ek_api_parse_login_options (object, NULL));
  g_free (ek_api_parse_draw (object, NULL));
  if ((result = ek_api_parse_questions (object, "p1", NULL)) != NULL)
    json_array_unref (result);
  if ((result = ek_api_parse_questions (object, "answering", NULL)) != NULL)
    json_array_unref (result);
  g_free (ek_api_parse_answer_stored (object, NULL));
  g_free (ek_api_parse_events_acked (object, NULL));
  ek_api_messages_free (ek_api_parse_messages (object, NULL));
  ek_api_message_sent_free (ek_api_parse_message_sent (object, NULL));
  ek_api_self_check_sent_free (ek_api_parse_self_check_sent (object, NULL));
  ek_api_finish_result_free (ek_api_parse_finish (object, NULL));
  ek_api_face_result_free (ek_api_parse_face (object, NULL));
  ek_api_snapshot_sent_free (ek_api_parse_snapshot_sent (object, NULL));
  ek_api_parse_time_sample (object, &sample, NULL);
  ek_api_second_view_code_free (ek_api_parse_second_view_code (object, NULL));
  ek_api_second_view_status_free (ek_api_parse_second_view_status (object, NULL));
  if ((result = ek_api_parse_attachments (object, NULL)) != NULL)
    json_array_unref (result);

  /* a login's and a session's answer, and the state of the step calls */
  info = ek_session_info_new_from_json (object, TRUE, NULL);
  g_clear_object (&info);
  info = ek_session_info_new_from_json (object, FALSE, NULL);
  g_clear_object (&info);
  state = ek_session_state_new_from_json (object, NULL);
  g_clear_pointer (&state, ek_session_state_free);

  return 0;
}
