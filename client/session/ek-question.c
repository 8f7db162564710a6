/* ek-question.c: one exam question as the server sent it, checked */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-json.h"
#include "ek-question.h"

typedef struct
{
  char *id;
  char *text;
} Option;

struct _EkQuestion
{
  GObject         parent_instance;

  char           *id;
  EkQuestionType  type;
  char           *text;
  guint           max_length;  /* text questions only, else 0 */
  GArray         *options;     /* Option, owned; empty for oral, true_false and text */
};

G_DEFINE_FINAL_TYPE (EkQuestion, ek_question, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_QUESTION_TYPE,
  PROP_TEXT,
  PROP_MAX_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const type_names[] = {
  [EK_QUESTION_TYPE_ORAL] = "oral",
  [EK_QUESTION_TYPE_SINGLE] = "single",
  [EK_QUESTION_TYPE_MULTIPLE] = "multiple",
  [EK_QUESTION_TYPE_TRUE_FALSE] = "true_false",
  [EK_QUESTION_TYPE_TEXT] = "text",
};

G_DEFINE_QUARK (ek-question-error-quark, ek_question_error)

/* Helpers */

static void
option_clear (gpointer data)
{
  Option *option = data;

  g_clear_pointer (&option->id, g_free);
  g_clear_pointer (&option->text, g_free);
}

static gboolean
value_is_string (JsonNode *value)
{
  return JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING;
}

/* Reads a member that must be a non-empty string; sets a translated reason. */
static const char *
read_text (JsonObject  *object,
           const char  *member,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  if (node == NULL || !value_is_string (node))
    {
      /* Translators: %s is a member name of the protocol's JSON, e.g. "text". */
      g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                   _("“%s” is missing or not text"), member);
      return NULL;
    }
  text = json_node_get_string (node);
  if (text[0] == '\0')
    {
      g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                   _("“%s” is empty"), member);
      return NULL;
    }
  return text;
}

static gboolean
parse_options (EkQuestion  *self,
               JsonObject  *object,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "options");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                           _("a choice question needs a list of options"));
      return FALSE;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *option_object;
      const char *id, *text;
      Option option;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          /* Translators: %u is the option's position, from 1. */
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                       _("option %u is not an object"), i + 1);
          return FALSE;
        }
      option_object = json_node_get_object (element);
      if (!ek_json_read_string (option_object, "id", TRUE, &id, NULL) ||
          !ek_json_is_identifier (id))
        {
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                       _("option %u has no valid identifier"), i + 1);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) id))
        {
          /* Translators: %s is an option's identifier, e.g. "a". */
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                       _("the option “%s” is listed twice"), id);
          return FALSE;
        }
      if ((text = read_text (option_object, "text", NULL)) == NULL)
        {
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                       _("option %u has no text"), i + 1);
          return FALSE;
        }

      option.id = g_strdup (id);
      option.text = g_strdup (text);
      g_array_append_val (self->options, option);
    }

  return TRUE;
}

/* VFuncs */

static void
ek_question_finalize (GObject *object)
{
  EkQuestion *self = EK_QUESTION (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->options, g_array_unref);

  G_OBJECT_CLASS (ek_question_parent_class)->finalize (object);
}

static void
ek_question_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  EkQuestion *self = EK_QUESTION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_QUESTION_TYPE:
      g_value_set_uint (value, self->type);
      break;

    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    case PROP_MAX_LENGTH:
      g_value_set_uint (value, self->max_length);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_question_class_init (EkQuestionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ek_question_finalize;
  object_class->get_property = ek_question_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_QUESTION_TYPE] =
    g_param_spec_uint ("question-type", NULL, NULL,
                       0, EK_QUESTION_TYPE_TEXT, EK_QUESTION_TYPE_ORAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_MAX_LENGTH] =
    g_param_spec_uint ("max-length", NULL, NULL,
                       0, EK_QUESTION_MAX_TEXT_LENGTH, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_question_init (EkQuestion *self)
{
  self->options = g_array_new (FALSE, TRUE, sizeof (Option));
  g_array_set_clear_func (self->options, option_clear);
}

/* Public API */

const char *
ek_question_type_to_string (EkQuestionType type)
{
  g_return_val_if_fail (type <= EK_QUESTION_TYPE_TEXT, NULL);
  return type_names[type];
}

gboolean
ek_question_type_from_string (const char     *str,
                              EkQuestionType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_strcmp0 (str, type_names[i]) == 0)
      {
        *type = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * ek_question_new_from_json:
 * @object: one entry of the protocol's question list
 *
 * Returns: (transfer full) (nullable): the question, or %NULL with a translated
 *   reason in @error (%EK_QUESTION_ERROR_INVALID)
 */
EkQuestion *
ek_question_new_from_json (JsonObject  *object,
                           GError     **error)
{
  g_autoptr(EkQuestion) self = g_object_new (EK_TYPE_QUESTION, NULL);
  const char *id, *type, *text;

  g_return_val_if_fail (object != NULL, NULL);

  if (!ek_json_read_string (object, "id", TRUE, &id, NULL) || !ek_json_is_identifier (id))
    {
      g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                           _("the question has no valid identifier"));
      return NULL;
    }
  self->id = g_strdup (id);

  if (!ek_json_read_string (object, "type", TRUE, &type, NULL) ||
      !ek_question_type_from_string (type, &self->type))
    {
      g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                           _("the question type is missing or unknown"));
      return NULL;
    }

  if ((text = read_text (object, "text", error)) == NULL)
    return NULL;
  self->text = g_strdup (text);

  switch (self->type)
    {
    case EK_QUESTION_TYPE_SINGLE:
    case EK_QUESTION_TYPE_MULTIPLE:
      if (!parse_options (self, object, error))
        return NULL;
      break;

    case EK_QUESTION_TYPE_TEXT:
      {
        gint64 max_length;

        if (!ek_json_read_int (object, "max_length", TRUE, 1, EK_QUESTION_MAX_TEXT_LENGTH,
                               &max_length, NULL))
          {
            g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                         _("a text question needs a maximum length between 1 and %d characters"),
                         EK_QUESTION_MAX_TEXT_LENGTH);
            return NULL;
          }
        self->max_length = (guint) max_length;
      }
      break;

    case EK_QUESTION_TYPE_ORAL:
    case EK_QUESTION_TYPE_TRUE_FALSE:
    default:
      break;
    }

  return g_steal_pointer (&self);
}

const char *
ek_question_get_id (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), NULL);
  return self->id;
}

EkQuestionType
ek_question_get_question_type (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), EK_QUESTION_TYPE_ORAL);
  return self->type;
}

const char *
ek_question_get_text (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), NULL);
  return self->text;
}

/**
 * ek_question_get_max_length:
 *
 * Returns: the most characters (not bytes) a text answer may have; 0 for other types
 */
guint
ek_question_get_max_length (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), 0);
  return self->max_length;
}

guint
ek_question_get_n_options (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), 0);
  return self->options->len;
}

const char *
ek_question_get_option_id (EkQuestion *self,
                           guint       index)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), NULL);
  g_return_val_if_fail (index < self->options->len, NULL);
  return g_array_index (self->options, Option, index).id;
}

const char *
ek_question_get_option_text (EkQuestion *self,
                             guint       index)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), NULL);
  g_return_val_if_fail (index < self->options->len, NULL);
  return g_array_index (self->options, Option, index).text;
}

/**
 * ek_question_find_option:
 *
 * Returns: the option's position, or -1
 */
int
ek_question_find_option (EkQuestion *self,
                         const char *option_id)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), -1);

  for (guint i = 0; i < self->options->len; i++)
    if (g_strcmp0 (g_array_index (self->options, Option, i).id, option_id) == 0)
      return (int) i;
  return -1;
}

/**
 * ek_question_takes_answer:
 *
 * Returns: whether the candidate answers this question on screen (not oral)
 */
gboolean
ek_question_takes_answer (EkQuestion *self)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), FALSE);
  return self->type != EK_QUESTION_TYPE_ORAL;
}

/**
 * ek_question_validate_value:
 * @value: (nullable): an answer value as the protocol gives it; %NULL or a JSON null
 *   clears the answer
 *
 * Returns: whether @value fits the question, else %FALSE with a translated reason
 *   (%EK_QUESTION_ERROR_INVALID_VALUE)
 */
gboolean
ek_question_validate_value (EkQuestion  *self,
                            JsonNode    *value,
                            GError     **error)
{
  g_return_val_if_fail (EK_IS_QUESTION (self), FALSE);

  if (self->type == EK_QUESTION_TYPE_ORAL)
    {
      g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                           _("An oral question is answered aloud, not on screen."));
      return FALSE;
    }

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;

  switch (self->type)
    {
    case EK_QUESTION_TYPE_SINGLE:
      if (!value_is_string (value) || ek_question_find_option (self, json_node_get_string (value)) < 0)
        {
          g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                               _("A single-choice answer must be one of the question’s options."));
          return FALSE;
        }
      return TRUE;

    case EK_QUESTION_TYPE_MULTIPLE:
      {
        g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (value))
          {
            g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                                 _("A multiple-choice answer must be a list of the question’s options."));
            return FALSE;
          }
        array = json_node_get_array (value);
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *element = json_array_get_element (array, i);
            const char *id;

            if (!value_is_string (element) ||
                ek_question_find_option (self, (id = json_node_get_string (element))) < 0)
              {
                g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                                     _("A multiple-choice answer must be a list of the question’s options."));
                return FALSE;
              }
            if (!g_hash_table_add (seen, (gpointer) id))
              {
                g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                                     _("A multiple-choice answer lists an option twice."));
                return FALSE;
              }
          }
        return TRUE;
      }

    case EK_QUESTION_TYPE_TRUE_FALSE:
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
        {
          g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                               _("A true/false answer must be true or false."));
          return FALSE;
        }
      return TRUE;

    case EK_QUESTION_TYPE_TEXT:
      if (!value_is_string (value))
        {
          g_set_error_literal (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                               _("A text answer must be text."));
          return FALSE;
        }
      if (g_utf8_strlen (json_node_get_string (value), -1) > (glong) self->max_length)
        {
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID_VALUE,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The answer is longer than the allowed %u character.",
                                    "The answer is longer than the allowed %u characters.",
                                    self->max_length),
                       self->max_length);
          return FALSE;
        }
      return TRUE;

    case EK_QUESTION_TYPE_ORAL:
    default:
      g_assert_not_reached ();
    }
}

/**
 * ek_question_value_is_answered:
 * @value: (nullable): a valid answer value
 *
 * Returns: whether @value counts as an answer: not null, not an empty text, not an
 *   empty choice
 */
gboolean
ek_question_value_is_answered (JsonNode *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return FALSE;
  if (JSON_NODE_HOLDS_ARRAY (value))
    return json_array_get_length (json_node_get_array (value)) > 0;
  if (value_is_string (value))
    return json_node_get_string (value)[0] != '\0';
  return TRUE;
}

/**
 * ek_question_list_new_from_json:
 * @array: the protocol's `questions` array
 *
 * Returns: (transfer full) (nullable): a #GListModel of #EkQuestion in the server's
 *   order, or %NULL when any entry is invalid or two share an id; the translated
 *   error names the entry by position and id
 */
GListModel *
ek_question_list_new_from_json (JsonArray  *array,
                                GError    **error)
{
  g_autoptr(GListStore) store = g_list_store_new (EK_TYPE_QUESTION);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (array != NULL, NULL);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(EkQuestion) question = NULL;
      g_autoptr(GError) local_error = NULL;

      if (JSON_NODE_HOLDS_OBJECT (element))
        question = ek_question_new_from_json (json_node_get_object (element), &local_error);
      else
        local_error = g_error_new_literal (EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                                           _("it is not an object"));

      if (question != NULL && !g_hash_table_add (seen, question->id))
        local_error = g_error_new (EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                                   _("the identifier “%s” is used twice"), question->id);

      if (local_error != NULL)
        {
          /* Translators: "Question 3 of the list is invalid: option 2 has no text." The
           * first %u is the position from 1, %s the reason. */
          g_set_error (error, EK_QUESTION_ERROR, EK_QUESTION_ERROR_INVALID,
                       _("The exam server sent an invalid question list (question %u: %s). "
                         "Ask the proctor for help."),
                       i + 1, local_error->message);
          return NULL;
        }

      g_list_store_append (store, question);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

/**
 * ek_question_list_find:
 * @out_position: (out) (optional)
 *
 * Returns: (transfer none) (nullable): the question with this id
 */
EkQuestion *
ek_question_list_find (GListModel *questions,
                       const char *question_id,
                       guint      *out_position)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (questions), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (questions); i++)
    {
      g_autoptr(EkQuestion) question = g_list_model_get_item (questions, i);

      if (g_strcmp0 (question->id, question_id) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return question;  /* the list keeps it alive */
        }
    }
  return NULL;
}
