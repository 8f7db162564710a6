/* ek-self-check-report.c: EkSelfCheck's report, as JSON and as one HTML page
 *
 * Worst results first; the JSON for machines (ids, statuses, measured numbers and
 * units), the HTML for people, in their language; both saved private (0600).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ek-self-check-private.h"

/* Report */

static int
compare_by_status (gconstpointer a,
                   gconstpointer b)
{
  const EkCheckResult *ra = *(const EkCheckResult * const *) a;
  const EkCheckResult *rb = *(const EkCheckResult * const *) b;

  /* Worst first; within a status the order of the run (the sort is stable). */
  return ek_check_status_rank (rb->status) - ek_check_status_rank (ra->status);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/**
 * ek_self_check_dup_sorted_results:
 *
 * Returns: (transfer container) (element-type EkCheckResult): the results, failed
 *   ones first, then warnings, then passed ones
 */
GPtrArray *
ek_self_check_dup_sorted_results (EkSelfCheck *self)
{
  GPtrArray *sorted;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = g_ptr_array_new_full (self->results->len, NULL);
  for (guint i = 0; i < self->results->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (self->results, i));

  /* g_ptr_array_sort is a stable merge sort (g_qsort_with_data). */
  g_ptr_array_sort (sorted, compare_by_status);

  return sorted;
}

/**
 * ek_self_check_to_json:
 *
 * Returns: (transfer full): the report: when and where it was made, the summary and
 *   every result, failed ones first
 */
JsonNode *
ek_self_check_to_json (EkSelfCheck *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *created = now_iso8601 ();
  guint fails;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = ek_self_check_dup_sorted_results (self);
  fails = ek_self_check_count (self, EK_CHECK_FAIL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "exam-kiosk-self-check");
  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "client_version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  add_string_or_null (builder, "server", self->server_url);
  /* Which computer and which settings: a report handed on must say what it is about. */
  json_builder_set_member_name (builder, "machine");
  json_builder_add_string_value (builder, g_get_host_name ());
  add_string_or_null (builder, "config_file", ek_config_get_source (self->config));
  add_string_or_null (builder, "exam_id", self->exam != NULL ? ek_exam_get_id (self->exam) : NULL);
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, self->task == NULL && self->fraction >= 1.0);

  json_builder_set_member_name (builder, "summary");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pass");
  json_builder_add_int_value (builder, ek_self_check_count (self, EK_CHECK_PASS));
  json_builder_set_member_name (builder, "warn");
  json_builder_add_int_value (builder, ek_self_check_count (self, EK_CHECK_WARN));
  json_builder_set_member_name (builder, "fail");
  json_builder_add_int_value (builder, fails);
  json_builder_set_member_name (builder, "skip");
  json_builder_add_int_value (builder, ek_self_check_count (self, EK_CHECK_SKIP));
  json_builder_set_member_name (builder, "ready");
  json_builder_add_boolean_value (builder, fails == 0);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sorted->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (sorted, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, result->id);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, ek_check_status_to_string (result->status));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, result->title);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, result->value);
      add_string_or_null (builder, "threshold", result->threshold);
      add_string_or_null (builder, "remedy", result->remedy);
      json_builder_set_member_name (builder, "measured");
      if (isfinite (result->measured))
        json_builder_add_double_value (builder, result->measured);
      else
        json_builder_add_null_value (builder);
      add_string_or_null (builder, "unit", isfinite (result->measured) ? result->unit : NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

/**
 * ek_self_check_to_html:
 *
 * Returns: (transfer full): the report as one self-contained HTML page a technician
 *   can print or hand on: the summary, then one row per check, failed ones first
 */
char *
ek_self_check_to_html (EkSelfCheck *self)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *created = now_iso8601 ();
  g_autofree char *summary = NULL;
  GString *out;
  const char *lang;
  guint fails, warnings;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), NULL);

  sorted = ek_self_check_dup_sorted_results (self);
  fails = ek_self_check_count (self, EK_CHECK_FAIL);
  warnings = ek_self_check_count (self, EK_CHECK_WARN);
  /* Translators: the language code of this translation, for the HTML report */
  lang = C_("html lang", "en");

  if (fails > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u check failed: this computer is not ready for the exam.",
                                            "%u checks failed: this computer is not ready for the exam.",
                                            fails), fails);
  else if (warnings > 0)
    summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "No check failed, %u needs attention.",
                                            "No check failed, %u need attention.",
                                            warnings), warnings);
  else
    summary = g_strdup (_("Every check passed: this computer is ready for the exam."));

  out = g_string_new ("<!DOCTYPE html>\n");
  g_string_append_printf (out, "<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n<title>", lang);
  append_escaped (out, _("Device check report"));
  g_string_append (out,
    "</title>\n<style>\n"
    "body{font-family:sans-serif;margin:2em;color:#222}\n"
    "h1{font-size:1.5em;margin:0 0 .3em}\n"
    ".meta{color:#555;margin:0 0 1em}\n"
    ".summary{font-size:1.15em;font-weight:bold;margin:0 0 1em}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{border-bottom:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}\n"
    ".status{font-weight:bold;white-space:nowrap}\n"
    ".fail .status{color:#b00020}.warn .status{color:#8a5a00}.pass .status{color:#1b6e20}\n"
    ".skip .status{color:#555}\n"
    ".remedy{color:#333;font-size:.95em}\n"
    "@media print{body{margin:1cm}}\n"
    "</style>\n</head>\n<body>\n<h1>");
  append_escaped (out, _("Device check report"));
  g_string_append (out, "</h1>\n<p class=\"meta\">");
  /* Translators: report details: the time (UTC), the exam server and the program version */
  {
    g_autofree char *meta = g_strdup_printf (_("Checked %s (UTC) · exam server %s · exam program %s"),
                                             created,
                                             self->server_url != NULL ? self->server_url : "–",
                                             PACKAGE_VERSION);
    append_escaped (out, meta);
  }
  g_string_append (out, "<br>");
  {
    const char *config_file = ek_config_get_source (self->config);
    /* Translators: report details: the computer's name and the configuration file read */
    g_autofree char *meta = g_strdup_printf (_("Computer %s · configuration %s"),
                                             g_get_host_name (),
                                             config_file != NULL ? config_file
                                                                 : _("built-in defaults (no file)"));
    append_escaped (out, meta);
  }
  g_string_append (out, "</p>\n<p class=\"summary\">");
  append_escaped (out, summary);
  g_string_append (out, "</p>\n<table>\n<tr><th>");
  append_escaped (out, _("Result"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Check"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Measured"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Needed"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("What to do"));
  g_string_append (out, "</th></tr>\n");

  for (guint i = 0; i < sorted->len; i++)
    {
      const EkCheckResult *result = g_ptr_array_index (sorted, i);

      g_string_append_printf (out, "<tr class=\"%s\" id=\"%s\"><td class=\"status\">",
                              ek_check_status_to_string (result->status), result->id);
      append_escaped (out, ek_check_status_describe (result->status));
      g_string_append (out, "</td><td>");
      append_escaped (out, result->title);
      g_string_append (out, "</td><td>");
      append_escaped (out, result->value);
      g_string_append (out, "</td><td>");
      append_escaped (out, result->threshold);
      g_string_append (out, "</td><td class=\"remedy\">");
      append_escaped (out, result->remedy);
      g_string_append (out, "</td></tr>\n");
    }

  g_string_append (out, "</table>\n</body>\n</html>\n");

  return g_string_free (out, FALSE);
}

static gboolean
save_private (const char  *path,
              const char  *contents,
              GError     **error)
{
  /* The report names programs and folders of this computer: the person who made it
   * decides whom to give it to. */
  return g_file_set_contents_full (path, contents, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
ek_self_check_save_json (EkSelfCheck  *self,
                         const char   *path,
                         GError      **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  root = ek_self_check_to_json (self);
  text = json_to_string (root, TRUE);

  return save_private (path, text, error);
}

gboolean
ek_self_check_save_html (EkSelfCheck  *self,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *html = NULL;

  g_return_val_if_fail (EK_IS_SELF_CHECK (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  html = ek_self_check_to_html (self);

  return save_private (path, html, error);
}
