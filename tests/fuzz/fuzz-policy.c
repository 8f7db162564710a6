/* fuzz-policy.c: the exam's lockdown and proctoring policies (client/session) */

#include "config.h"

#include "ek-fuzz.h"
#include "ek-json.h"
#include "ek-lockdown-policy.h"
#include "ek-proctoring-policy.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonObject) object = NULL;
  EkLockdownPolicy *lockdown;
  EkProctoringPolicy proctoring;

  object = ek_json_parse_object ((const char *) data, size, NULL);
  if (object == NULL)
    return 0;

  lockdown = ek_lockdown_policy_new_from_json (object, TRUE, NULL);
  g_clear_object (&lockdown);
  lockdown = ek_lockdown_policy_new_from_json (object, FALSE, NULL);
  g_clear_object (&lockdown);

  ek_proctoring_policy_init_defaults (&proctoring);
  ek_proctoring_policy_parse (&proctoring, object, TRUE, NULL);
  ek_proctoring_policy_init_defaults (&proctoring);
  ek_proctoring_policy_parse (&proctoring, object, FALSE, NULL);

  return 0;
}
