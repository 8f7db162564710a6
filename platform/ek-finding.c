/* ek-finding.c: one thing a lockdown probe found on this computer */

#include "config.h"

#include "ek-finding.h"

G_DEFINE_BOXED_TYPE (EkFinding, ek_finding, ek_finding_copy, ek_finding_free)

static const char * const severity_names[] = {
  [EK_SEVERITY_ALLOW] = "allow",
  [EK_SEVERITY_WARN] = "warn",
  [EK_SEVERITY_BLOCK] = "block",
};

/**
 * ek_finding_new:
 * @id: one of the EK_FINDING_* ids
 * @severity: the built-in severity
 * @subject: what was found, as shown to people (a vendor, a program, a device)
 * @description: a translated sentence naming @subject
 *
 * Returns: (transfer full): a new finding
 */
EkFinding *
ek_finding_new (const char *id,
                EkSeverity  severity,
                const char *subject,
                const char *description)
{
  EkFinding *finding;

  g_return_val_if_fail (id != NULL, NULL);

  finding = g_new0 (EkFinding, 1);
  finding->id = g_strdup (id);
  finding->severity = severity;
  finding->subject = g_strdup (subject != NULL ? subject : "");
  finding->description = g_strdup (description != NULL ? description : "");

  return finding;
}

EkFinding *
ek_finding_copy (const EkFinding *finding)
{
  EkFinding *copy;

  g_return_val_if_fail (finding != NULL, NULL);

  copy = ek_finding_new (finding->id, finding->severity, finding->subject,
                         finding->description);
  copy->pid = finding->pid;

  return copy;
}

void
ek_finding_free (EkFinding *finding)
{
  if (finding == NULL)
    return;

  g_free (finding->id);
  g_free (finding->subject);
  g_free (finding->description);
  g_free (finding);
}

/**
 * ek_finding_array_new:
 *
 * Returns: (transfer full) (element-type EkFinding): an empty array that frees its findings
 */
GPtrArray *
ek_finding_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ek_finding_free);
}

const char *
ek_severity_to_string (EkSeverity severity)
{
  g_return_val_if_fail (severity <= EK_SEVERITY_BLOCK, NULL);

  return severity_names[severity];
}

gboolean
ek_severity_from_string (const char *str,
                         EkSeverity *severity)
{
  for (guint i = 0; i < G_N_ELEMENTS (severity_names); i++)
    {
      if (g_strcmp0 (severity_names[i], str) == 0)
        {
          *severity = (EkSeverity) i;
          return TRUE;
        }
    }

  return FALSE;
}
