/* ek-question.h: one exam question as the server sent it (protocol section 6), checked
 *
 * A question list comes from the server as a JSON array; ek_question_list_new_from_json()
 * checks every entry (identifier, type, text, options, max_length) and refuses the whole
 * list when one entry is invalid, naming it, so that a candidate never sits a test with a
 * question silently missing. Questions are immutable once made.
 *
 * The same object checks an answer value against its type (ek_question_validate_value()):
 * single: one option id of the list; multiple: an array of distinct option ids; true_false:
 * a boolean; text: a string of at most max_length characters; null clears an answer.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  EK_QUESTION_TYPE_ORAL,        /* read and answered aloud (interviews) */
  EK_QUESTION_TYPE_SINGLE,
  EK_QUESTION_TYPE_MULTIPLE,
  EK_QUESTION_TYPE_TRUE_FALSE,
  EK_QUESTION_TYPE_TEXT,
} EkQuestionType;

#define EK_QUESTION_ERROR (ek_question_error_quark ())

typedef enum
{
  EK_QUESTION_ERROR_INVALID,        /* a question of the list is malformed */
  EK_QUESTION_ERROR_INVALID_VALUE,  /* an answer does not fit its question */
} EkQuestionError;

/* Upper bound for max_length: a protocol request body is at most 1 MiB. */
#define EK_QUESTION_MAX_TEXT_LENGTH 100000

#define EK_TYPE_QUESTION (ek_question_get_type ())

G_DECLARE_FINAL_TYPE (EkQuestion, ek_question, EK, QUESTION, GObject)

GQuark          ek_question_error_quark        (void);

EkQuestion     *ek_question_new_from_json      (JsonObject    *object,
                                                GError       **error);
const char     *ek_question_get_id             (EkQuestion    *self);
EkQuestionType  ek_question_get_question_type  (EkQuestion    *self);
const char     *ek_question_get_text           (EkQuestion    *self);
guint           ek_question_get_max_length     (EkQuestion    *self);
guint           ek_question_get_n_options      (EkQuestion    *self);
const char     *ek_question_get_option_id      (EkQuestion    *self,
                                                guint          index);
const char     *ek_question_get_option_text    (EkQuestion    *self,
                                                guint          index);
int             ek_question_find_option        (EkQuestion    *self,
                                                const char    *option_id);
gboolean        ek_question_takes_answer       (EkQuestion    *self);
gboolean        ek_question_validate_value     (EkQuestion    *self,
                                                JsonNode      *value,
                                                GError       **error);
gboolean        ek_question_value_is_answered  (JsonNode      *value);

const char     *ek_question_type_to_string     (EkQuestionType type);
gboolean        ek_question_type_from_string   (const char    *str,
                                                EkQuestionType *type);

GListModel     *ek_question_list_new_from_json (JsonArray     *array,
                                                GError       **error);
EkQuestion     *ek_question_list_find          (GListModel    *questions,
                                                const char    *question_id,
                                                guint         *out_position);

G_END_DECLS
