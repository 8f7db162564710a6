/* ek-test-exam.h: exam definitions for unit tests, relative to a chosen time */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The interview of DESIGN.md: login 30 min early, reading 300 s, answering
 * 300 s, late entry until 5 min after the start. */
static inline char *
ek_test_exam_json (gint64      starts_ms,
                   const char *mode,
                   const char *steps)
{
  gint64 opens = starts_ms - 30 * 60 * 1000;
  gint64 cutoff = starts_ms + 5 * 60 * 1000;
  gint64 reading_end = starts_ms + 300 * 1000;
  gint64 answering_end = reading_end + 300 * 1000;

  return g_strdup_printf (
    "{ \"id\": \"interview-1\", \"title\": \"Interview\", \"mode\": \"%s\", "
    "  \"kind\": \"interview\", \"entry_opens_ms\": %" G_GINT64_FORMAT ", "
    "  \"starts_ms\": %" G_GINT64_FORMAT ", \"late_entry_cutoff_ms\": %" G_GINT64_FORMAT ", "
    "  \"min_submit_ms\": %" G_GINT64_FORMAT ", "
    "  \"phases\": ["
    "    { \"id\": \"reading\", \"kind\": \"reading\", \"title\": \"Reading\", "
    "      \"starts_ms\": %" G_GINT64_FORMAT ", \"ends_ms\": %" G_GINT64_FORMAT " },"
    "    { \"id\": \"answering\", \"kind\": \"answering\", \"title\": \"Answering\", "
    "      \"starts_ms\": %" G_GINT64_FORMAT ", \"ends_ms\": %" G_GINT64_FORMAT " } ],"
    "  \"steps\": %s, "
    "  \"rules_text\": \"Rules\", \"pledge_text\": \"I promise\", \"pledge_version\": \"1\", "
    "  \"help_contact\": \"+86 10 1234 5678\", "
    "  \"lockdown\": { \"relaxed\": false, \"monitor_rule\": \"exactly_one\", "
    "                  \"blocked_processes\": [\"obs\"] } }",
    mode, opens, starts_ms, cutoff, reading_end + 60 * 1000,
    starts_ms, reading_end, reading_end, answering_end,
    steps);
}

static inline JsonObject *
ek_test_parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

G_END_DECLS
