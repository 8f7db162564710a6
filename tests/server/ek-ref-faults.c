/* ek-ref-faults.c: the fault switches of the reference server
 *
 * Test-only code. See docs/protocol.md section 10 and README.md.
 */

#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "ek-ref-server.h"

typedef enum
{
  FAULT_INT,
  FAULT_RATE,
  FAULT_BOOL,
  FAULT_FACE,
} FaultType;

typedef struct
{
  const char *name;
  FaultType type;
  gsize offset;
  gint64 min;
} FaultInfo;

static const FaultInfo fault_infos[] = {
  { "latency_ms", FAULT_INT, G_STRUCT_OFFSET (EkFaults, latency_ms), 0 },
  { "jitter_ms", FAULT_INT, G_STRUCT_OFFSET (EkFaults, jitter_ms), 0 },
  { "error_rate", FAULT_RATE, G_STRUCT_OFFSET (EkFaults, error_rate), 0 },
  { "cut_after_bytes", FAULT_INT, G_STRUCT_OFFSET (EkFaults, cut_after_bytes), 0 },
  { "malformed", FAULT_BOOL, G_STRUCT_OFFSET (EkFaults, malformed), 0 },
  { "oversized_mb", FAULT_INT, G_STRUCT_OFFSET (EkFaults, oversized_mb), 0 },
  { "clock_skew_ms", FAULT_INT, G_STRUCT_OFFSET (EkFaults, clock_skew_ms), G_MININT64 },
  { "throttle_bytes_per_s", FAULT_INT, G_STRUCT_OFFSET (EkFaults, throttle_bytes_per_s), 0 },
  { "face_result", FAULT_FACE, G_STRUCT_OFFSET (EkFaults, face_result), 0 },
  { "sealed_corrupt", FAULT_BOOL, G_STRUCT_OFFSET (EkFaults, sealed_corrupt), 0 },
};

static const FaultInfo *
find_fault (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fault_infos); i++)
    if (g_str_equal (fault_infos[i].name, name))
      return &fault_infos[i];
  return NULL;
}

static const char *
face_result_to_string (EkFaceResult result)
{
  switch (result)
    {
    case EK_FACE_MATCH:
      return "match";
    case EK_FACE_NO_MATCH:
      return "no_match";
    case EK_FACE_AUTO:
    default:
      return "auto";
    }
}

void
ek_faults_clear (EkFaults *faults)
{
  memset (faults, 0, sizeof *faults);
  faults->face_result = EK_FACE_AUTO;
}

/* Both the command line and the admin API end up here, with the value
 * either as text or as a JSON node, so that the two accept the same. */
static gboolean
set_fault (EkFaults    *faults,
           const char  *name,
           const char  *text,
           JsonNode    *node,
           GError     **error)
{
  const FaultInfo *info = find_fault (name);
  guint8 *base = (guint8 *) faults;

  if (info == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "unknown fault '%s'", name);
      return FALSE;
    }

  if (node != NULL && !JSON_NODE_HOLDS_VALUE (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "fault '%s' needs a scalar value", name);
      return FALSE;
    }

  switch (info->type)
    {
    case FAULT_INT:
      {
        gint64 value;

        if (node != NULL)
          {
            if (json_node_get_value_type (node) != G_TYPE_INT64)
              goto bad;
            value = json_node_get_int (node);
          }
        else
          {
            char *end = NULL;

            errno = 0;
            value = g_ascii_strtoll (text, &end, 10);
            if (errno != 0 || end == text || *end != '\0')
              goto bad;
          }
        if (value < info->min)
          goto bad;
        *(gint64 *) (base + info->offset) = value;
        return TRUE;
      }

    case FAULT_RATE:
      {
        double value;

        if (node != NULL)
          {
            GType t = json_node_get_value_type (node);

            if (t == G_TYPE_INT64)
              value = json_node_get_int (node);
            else if (t == G_TYPE_DOUBLE)
              value = json_node_get_double (node);
            else
              goto bad;
          }
        else
          {
            char *end = NULL;

            value = g_ascii_strtod (text, &end);
            if (end == text || *end != '\0')
              goto bad;
          }
        if (!(value >= 0.0 && value <= 1.0))
          goto bad;
        *(double *) (base + info->offset) = value;
        return TRUE;
      }

    case FAULT_BOOL:
      {
        gboolean value;

        if (node != NULL)
          {
            if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
              goto bad;
            value = json_node_get_boolean (node);
          }
        else if (g_str_equal (text, "true") || g_str_equal (text, "1"))
          value = TRUE;
        else if (g_str_equal (text, "false") || g_str_equal (text, "0"))
          value = FALSE;
        else
          goto bad;
        *(gboolean *) (base + info->offset) = value;
        return TRUE;
      }

    case FAULT_FACE:
      {
        const char *value = text;

        if (node != NULL)
          {
            if (json_node_get_value_type (node) != G_TYPE_STRING)
              goto bad;
            value = json_node_get_string (node);
          }
        if (g_str_equal (value, "auto"))
          faults->face_result = EK_FACE_AUTO;
        else if (g_str_equal (value, "match"))
          faults->face_result = EK_FACE_MATCH;
        else if (g_str_equal (value, "no_match"))
          faults->face_result = EK_FACE_NO_MATCH;
        else
          goto bad;
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "invalid value for fault '%s'", name);
  return FALSE;
}

gboolean
ek_faults_set_from_arg (EkFaults    *faults,
                        const char  *arg,
                        GError     **error)
{
  const char *eq = strchr (arg, '=');
  g_autofree char *name = NULL;

  if (eq == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--fault wants NAME=VALUE, got '%s'", arg);
      return FALSE;
    }
  name = g_strndup (arg, eq - arg);
  return set_fault (faults, name, eq + 1, NULL, error);
}

gboolean
ek_faults_set_from_json (EkFaults    *faults,
                         JsonObject  *object,
                         GError     **error)
{
  EkFaults copy = *faults;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  /* All or nothing: a typo in one member must not leave half of a
   * request applied. */
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    if (!set_fault (&copy, name, NULL, node, error))
      return FALSE;

  *faults = copy;
  return TRUE;
}

JsonNode *
ek_faults_to_json (const EkFaults *faults)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "latency_ms");
  json_builder_add_int_value (b, faults->latency_ms);
  json_builder_set_member_name (b, "jitter_ms");
  json_builder_add_int_value (b, faults->jitter_ms);
  json_builder_set_member_name (b, "error_rate");
  json_builder_add_double_value (b, faults->error_rate);
  json_builder_set_member_name (b, "cut_after_bytes");
  json_builder_add_int_value (b, faults->cut_after_bytes);
  json_builder_set_member_name (b, "malformed");
  json_builder_add_boolean_value (b, faults->malformed);
  json_builder_set_member_name (b, "oversized_mb");
  json_builder_add_int_value (b, faults->oversized_mb);
  json_builder_set_member_name (b, "clock_skew_ms");
  json_builder_add_int_value (b, faults->clock_skew_ms);
  json_builder_set_member_name (b, "throttle_bytes_per_s");
  json_builder_add_int_value (b, faults->throttle_bytes_per_s);
  json_builder_set_member_name (b, "face_result");
  json_builder_add_string_value (b, face_result_to_string (faults->face_result));
  json_builder_set_member_name (b, "sealed_corrupt");
  json_builder_add_boolean_value (b, faults->sealed_corrupt);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
