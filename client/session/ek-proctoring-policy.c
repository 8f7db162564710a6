/* ek-proctoring-policy.c: the exam's thresholds for the live proctoring signals */

#include "config.h"

#include "ek-json.h"
#include "ek-proctoring-policy.h"

static const char * const known_members[] = {
  "monitor_fps", "face_absent_s", "multiple_faces_s", "face_not_visible_s",
  "min_face_height_pct", "voice_s", "voice_level_db", "similarity_interval_s",
  "identity_recheck_interval_s", "snapshots_per_hour", "camera_covered_s",
  "second_view_required", NULL
};

void
ek_proctoring_policy_init_defaults (EkProctoringPolicy *policy)
{
  policy->monitor_fps = 2;
  policy->face_absent_s = 10;
  policy->multiple_faces_s = 3;
  policy->face_not_visible_s = 15;
  policy->min_face_height_pct = 20;
  policy->voice_s = 5;
  policy->voice_level_db = -65;
  policy->camera_covered_s = 5;
  policy->similarity_interval_s = 30;
  policy->identity_recheck_interval_s = 0;
  policy->snapshots_per_hour = 6;
  policy->second_view_required = TRUE;
}

/**
 * ek_proctoring_policy_parse:
 * @object: (nullable): the exam's `proctoring` object
 * @strict: refuse members this client does not know (formal exams)
 *
 * Fills @policy with the defaults, then what @object sets.
 */
gboolean
ek_proctoring_policy_parse (EkProctoringPolicy  *policy,
                            JsonObject          *object,
                            gboolean             strict,
                            GError             **error)
{
  g_autoptr(GList) members = NULL;

  ek_proctoring_policy_init_defaults (policy);
  if (object == NULL)
    return TRUE;

  if (!ek_json_read_int (object, "monitor_fps", FALSE, 1, 5, &policy->monitor_fps, error) ||
      !ek_json_read_int (object, "face_absent_s", FALSE, 1, 3600, &policy->face_absent_s, error) ||
      !ek_json_read_int (object, "multiple_faces_s", FALSE, 1, 3600, &policy->multiple_faces_s, error) ||
      !ek_json_read_int (object, "face_not_visible_s", FALSE, 1, 3600, &policy->face_not_visible_s, error) ||
      !ek_json_read_int (object, "min_face_height_pct", FALSE, 1, 100, &policy->min_face_height_pct, error) ||
      !ek_json_read_int (object, "voice_s", FALSE, 1, 3600, &policy->voice_s, error) ||
      !ek_json_read_int (object, "voice_level_db", FALSE, -90, 0, &policy->voice_level_db, error) ||
      !ek_json_read_int (object, "camera_covered_s", FALSE, 1, 3600, &policy->camera_covered_s, error) ||
      !ek_json_read_int (object, "similarity_interval_s", FALSE, 5, 3600, &policy->similarity_interval_s, error) ||
      !ek_json_read_int (object, "identity_recheck_interval_s", FALSE, 0, 86400,
                         &policy->identity_recheck_interval_s, error) ||
      !ek_json_read_int (object, "snapshots_per_hour", FALSE, 0, 120, &policy->snapshots_per_hour, error) ||
      !ek_json_read_bool (object, "second_view_required", FALSE, &policy->second_view_required, error))
    {
      g_prefix_error (error, "proctoring: ");
      return FALSE;
    }

  if (strict)
    {
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        if (!g_strv_contains (known_members, l->data))
          {
            g_set_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE,
                         "proctoring: unknown member “%s”", (const char *) l->data);
            return FALSE;
          }
    }

  return TRUE;
}
