/* fuzz-exam.c: the exam definition and the questions (client/session) */

#include "config.h"

#include "ek-exam.h"
#include "ek-fuzz.h"
#include "ek-json.h"
#include "ek-question.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(EkExam) exam = NULL;
  g_autoptr(EkQuestion) question = NULL;
  JsonNode *questions;

  object = ek_json_parse_object ((const char *) data, size, NULL);
  if (object == NULL)
    return 0;

  exam = ek_exam_new_from_json (object, NULL);

  question = ek_question_new_from_json (object, NULL);
  if (question != NULL && json_object_has_member (object, "value"))
    ek_question_validate_value (question, json_object_get_member (object, "value"), NULL);

  questions = json_object_get_member (object, "questions");
  if (questions != NULL && JSON_NODE_HOLDS_ARRAY (questions))
    {
      g_autoptr(GListModel) list = ek_question_list_new_from_json (json_node_get_array (questions), NULL);

      if (list != NULL && json_object_has_member (object, "value"))
        {
          for (guint i = 0; i < g_list_model_get_n_items (list); i++)
            {
              g_autoptr(EkQuestion) q = g_list_model_get_item (list, i);

              ek_question_validate_value (q, json_object_get_member (object, "value"), NULL);
            }
        }
    }

  return 0;
}
