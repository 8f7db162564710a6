/* ek-json.h: validated reads of JSON members
 *
 * Every field the engine reads from the server goes through these helpers, so a
 * malformed answer becomes a GError that names the member instead of a crash or a
 * silently wrong value.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define EK_JSON_ERROR (ek_json_error_quark ())

/* Deeper documents are refused before parsing: no protocol document comes close. */
#define EK_JSON_MAX_DEPTH 128

typedef enum
{
  EK_JSON_ERROR_SYNTAX,
  EK_JSON_ERROR_MISSING,
  EK_JSON_ERROR_TYPE,
  EK_JSON_ERROR_VALUE,
} EkJsonError;

GQuark      ek_json_error_quark     (void);

JsonNode   *ek_json_parse_node      (const char  *data,
                                     gsize        length,
                                     GError     **error);
JsonObject *ek_json_parse_object    (const char  *data,
                                     gsize        length,
                                     GError     **error);
gboolean    ek_json_read_string     (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     const char **value,
                                     GError     **error);
gboolean    ek_json_read_identifier (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     const char **value,
                                     GError     **error);
gboolean    ek_json_read_int        (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     gint64       min,
                                     gint64       max,
                                     gint64      *value,
                                     GError     **error);
gboolean    ek_json_read_double     (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     double       min,
                                     double       max,
                                     double      *value,
                                     GError     **error);
gboolean    ek_json_read_bool       (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     gboolean    *value,
                                     GError     **error);
gboolean    ek_json_read_object     (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     JsonObject **value,
                                     GError     **error);
gboolean    ek_json_read_array      (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     JsonArray  **value,
                                     GError     **error);
gboolean    ek_json_read_strv       (JsonObject  *object,
                                     const char  *member,
                                     gboolean     required,
                                     char      ***value,
                                     GError     **error);
gboolean    ek_json_is_identifier   (const char  *str);

G_END_DECLS
