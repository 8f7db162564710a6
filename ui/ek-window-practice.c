/* ek-window-practice.c: the bundled practice exams, in the user's language
 *
 * assets/practice-exam.json holds a list of practice exams, each with its translations;
 * the window loads it when first needed and keeps it for the start page and for
 * ek_engine_start_practice.
 */

#include "config.h"

#include "ek-window-private.h"

#define PRACTICE_RESOURCE "/io/github/examkiosk/Kiosk/practice-exam.json"

/* The practice bundle's texts in the user's language: an entry's "translations"
 * holds, per language, members that replace the English ones (objects merged,
 * everything else replaced). */
static void
merge_object (JsonObject *target,
              JsonObject *source)
{
  g_autoptr(GList) members = json_object_get_members (source);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *value = json_object_get_member (source, name);
      JsonNode *existing = json_object_get_member (target, name);

      if (existing != NULL && JSON_NODE_HOLDS_OBJECT (existing) && JSON_NODE_HOLDS_OBJECT (value))
        merge_object (json_node_get_object (existing), json_node_get_object (value));
      else
        json_object_set_member (target, name, json_node_copy (value));
    }
}

static JsonObject *
localize_practice (JsonObject *practice)
{
  g_autoptr(JsonNode) copy = json_node_new (JSON_NODE_OBJECT);
  JsonObject *result;
  JsonObject *translations;
  const char * const *languages = g_get_language_names ();

  json_node_set_object (copy, practice);
  copy = json_node_copy (copy);
  result = json_node_get_object (copy);

  translations = json_object_has_member (practice, "translations")
                 ? json_object_get_object_member (practice, "translations") : NULL;
  for (gsize i = 0; translations != NULL && languages[i] != NULL; i++)
    {
      if (g_str_equal (languages[i], "C") || g_str_has_prefix (languages[i], "en"))
        break;
      if (json_object_has_member (translations, languages[i]))
        {
          merge_object (result, json_object_get_object_member (translations, languages[i]));
          break;
        }
    }
  json_object_remove_member (result, "translations");

  return json_object_ref (result);
}

JsonArray *
_ek_window_get_practices (EkWindow *self)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonArray *list;

  if (self->practices != NULL)
    return self->practices;

  self->practices = json_array_new ();
  bytes = g_resources_lookup_data (PRACTICE_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  parser = json_parser_new ();
  if (bytes == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   &error))
    {
      g_critical ("The bundled practice exam cannot be read: %s", error->message);
      return self->practices;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "practice_exams"))
    {
      g_critical ("The bundled practice exam has no practice_exams list");
      return self->practices;
    }

  list = json_object_get_array_member (json_node_get_object (root), "practice_exams");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *practice = json_array_get_object_element (list, i);

      if (practice != NULL)
        json_array_add_object_element (self->practices, localize_practice (practice));
    }

  return self->practices;
}

