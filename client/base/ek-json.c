/* ek-json.c: validated reads of JSON members */

#include "config.h"

#include "ek-json.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ek-json-error-quark, ek_json_error)

/* A member that is absent or null is "missing"; for optional members that is
 * not an error and the caller's default stays in place.
 *
 * Returns: %FALSE if a required member is missing; otherwise %TRUE, with @node
 *   the member or %NULL when an optional one is absent */
static gboolean
find_member (JsonObject  *object,
             const char  *member,
             gboolean     required,
             JsonNode   **node,
             GError     **error)
{
  *node = json_object_get_member (object, member);

  if (*node == NULL || JSON_NODE_HOLDS_NULL (*node))
    {
      *node = NULL;
      if (required)
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING,
                       "member “%s” is missing", member);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
type_error (const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE,
               "member “%s” is not %s", member, expected);
  return FALSE;
}

/* json-glib recurses once per level without a limit (about 80,000 nested arrays
 * overflow the stack) and silently cuts a string at an escaped NUL. One linear pass
 * over the text refuses both before json-glib sees it. */
static gboolean
check_document (const char  *data,
                gsize        length,
                GError     **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '"')
            in_string = FALSE;
          else if (c == '\\' && i + 1 < length)
            {
              if (data[i + 1] == 'u' && i + 5 < length && memcmp (data + i + 2, "0000", 4) == 0)
                {
                  g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                                       "a string holds a NUL character (\\u0000)");
                  return FALSE;
                }
              i++;
            }
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > EK_JSON_MAX_DEPTH)
            {
              g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX,
                           "document nested deeper than %u levels", EK_JSON_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

/**
 * ek_json_parse_node:
 *
 * Any JSON document (an object, an array, a scalar) with the same checks as
 * ek_json_parse_object(): not empty, valid UTF-8, no NUL in a string, nested at
 * most %EK_JSON_MAX_DEPTH deep.
 *
 * Returns: (transfer full): the document's root, or %NULL with @error set
 */
JsonNode *
ek_json_parse_node (const char  *data,
                    gsize        length,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > G_MAXSSIZE)
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX, "document too large");
      return NULL;
    }

  /* An empty HTTP body has no data at all: json-glib would fail an assertion
   * without setting an error. */
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX, "the server sent an empty reply");
      return NULL;
    }

  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX, "document is not valid UTF-8");
      return NULL;
    }

  if (!check_document (data, length, error))
    return NULL;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX,
                   "not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX, "the document is empty");
      return NULL;
    }

  return json_node_ref (root);
}

JsonObject *
ek_json_parse_object (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(JsonNode) root = ek_json_parse_node (data, length, error);

  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE, "document is not a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

gboolean
ek_json_read_string (JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     const char **value,
                     GError     **error)
{
  JsonNode *node;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return type_error (member, "a string", error);

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
ek_json_is_identifier (const char *str)
{
  gsize len = 0;

  if (str == NULL)
    return FALSE;

  for (const char *p = str; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
        return FALSE;
    }

  /* "." and ".." are names of folders that exist already: a server's id that becomes
   * a path must never climb out of the folder it is meant for. */
  if (g_str_equal (str, ".") || g_str_equal (str, ".."))
    return FALSE;

  return len >= 1 && len <= 64;
}

gboolean
ek_json_read_identifier (JsonObject  *object,
                         const char  *member,
                         gboolean     required,
                         const char **value,
                         GError     **error)
{
  const char *str = NULL;

  if (!ek_json_read_string (object, member, required, &str, error))
    return FALSE;

  if (str == NULL)
    return TRUE;

  if (!ek_json_is_identifier (str))
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "member “%s” is not a valid identifier (1 to 64 letters, digits, “_”, “-” or “.”, "
                   "not “.” or “..”)", member);
      return FALSE;
    }

  *value = str;
  return TRUE;
}

gboolean
ek_json_read_int (JsonObject  *object,
                  const char  *member,
                  gboolean     required,
                  gint64       min,
                  gint64       max,
                  gint64      *value,
                  GError     **error)
{
  JsonNode *node;
  gint64 v;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  /* json-glib reads 12.0 as a double; an integer member must be written as one. */
  if (json_node_get_value_type (node) != G_TYPE_INT64)
    return type_error (member, "an integer", error);

  v = json_node_get_int (node);
  if (v < min || v > max)
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "member “%s” is out of range (%" G_GINT64_FORMAT ")", member, v);
      return FALSE;
    }

  *value = v;
  return TRUE;
}

gboolean
ek_json_read_double (JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     double       min,
                     double       max,
                     double      *value,
                     GError     **error)
{
  JsonNode *node;
  double v;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    v = (double) json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    v = json_node_get_double (node);
  else
    return type_error (member, "a number", error);

  if (!isfinite (v) || v < min || v > max)
    {
      g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                   "member “%s” is out of range", member);
      return FALSE;
    }

  *value = v;
  return TRUE;
}

gboolean
ek_json_read_bool (JsonObject  *object,
                   const char  *member,
                   gboolean     required,
                   gboolean    *value,
                   GError     **error)
{
  JsonNode *node;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return type_error (member, "a boolean", error);

  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
ek_json_read_object (JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     JsonObject **value,
                     GError     **error)
{
  JsonNode *node;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return type_error (member, "an object", error);

  *value = json_node_get_object (node);
  return TRUE;
}

gboolean
ek_json_read_array (JsonObject  *object,
                    const char  *member,
                    gboolean     required,
                    JsonArray  **value,
                    GError     **error)
{
  JsonNode *node;

  if (!find_member (object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return type_error (member, "an array", error);

  *value = json_node_get_array (node);
  return TRUE;
}

gboolean
ek_json_read_strv (JsonObject  *object,
                   const char  *member,
                   gboolean     required,
                   char      ***value,
                   GError     **error)
{
  JsonArray *array = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  guint n;

  if (!ek_json_read_array (object, member, required, &array, error))
    return FALSE;

  if (array == NULL)
    return TRUE;

  builder = g_strv_builder_new ();
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE,
                       "member “%s” item %u is not a string", member, i);
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (node));
    }

  g_strfreev (*value);
  *value = g_strv_builder_end (builder);
  return TRUE;
}
