/* test-api-parsers.c: the API's answer parsers, called directly, without a server */

#include "config.h"

#include "ek-api-parsers.h"
#include "ek-json.h"
#include "ek-session-info.h"

static JsonObject *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = ek_json_parse_object (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (object);
  return object;
}

static void
test_error_body (void)
{
  const char *text = "{ \"error\": { \"code\": \"conflict\", \"message\": \"m\", \"retry_after_ms\": 20,"
                     " \"last_seq\": 7, \"last_hash\": \"" "ABCDEF0123456789ABCDEF0123456789"
                     "ABCDEF0123456789ABCDEF0123456789\", \"reason\": \"no_face\" } }";
  g_autoptr(EkApiErrorBody) body = NULL;
  g_autoptr(GError) error = NULL;

  body = ek_api_parse_error_body (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (body->code, ==, "conflict");
  g_assert_cmpstr (body->message, ==, "m");
  g_assert_cmpint (body->retry_after_ms, ==, 20);
  g_assert_cmpint (body->last_seq, ==, 7);
  g_assert_cmpstr (body->last_hash, ==, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  g_assert_cmpstr (body->reason, ==, "no_face");
  g_clear_pointer (&body, ek_api_error_body_free);

  /* unknown reasons and short hashes are left out, not refused */
  text = "{ \"error\": { \"code\": \"x\", \"message\": \"\", \"last_hash\": \"ab\", \"reason\": \"new\" } }";
  body = ek_api_parse_error_body (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpint (body->last_seq, ==, -1);
  g_assert_null (body->last_hash);
  g_assert_null (body->reason);
  g_clear_pointer (&body, ek_api_error_body_free);

  for (guint i = 0; i < 4; i++)
    {
      static const char * const bad[] = {
        "{}", "{ \"error\": 1 }", "{ \"error\": { \"message\": \"m\" } }",
        "{ \"error\": { \"code\": \"c\", \"message\": \"m\", \"retry_after_ms\": -1 } }",
      };

      body = ek_api_parse_error_body (bad[i], strlen (bad[i]), &error);
      g_assert_null (body);
      g_assert_error (error, EK_JSON_ERROR, error->code);
      g_clear_error (&error);
    }
}

static void
test_hostile_documents (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) deep = g_string_new ("{ \"a\": ");
  g_autoptr(EkApiErrorBody) body = NULL;
  const char *nul = "{ \"id\": \"a\\u0000b\" }";
  const char *not_nul = "{ \"id\": \"a\\\\u0000b\" }";
  JsonObject *object;

  /* an empty reply comes as NULL data */
  g_assert_null (ek_json_parse_object (NULL, 0, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "the server sent an empty reply");
  g_clear_error (&error);
  body = ek_api_parse_error_body (NULL, 0, &error);
  g_assert_null (body);
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
  g_clear_error (&error);

  /* 80,000 nested arrays overflow json-glib's stack: refused before parsing */
  for (guint i = 0; i < 80000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 80000; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  g_assert_null (ek_json_parse_object (deep->str, deep->len, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "nested deeper"));
  g_clear_error (&error);

  /* brackets inside strings do not count; the bound itself is accepted */
  g_string_assign (deep, "{ \"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\", \"b\": ");
  for (guint i = 1; i < EK_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, '[');
  for (guint i = 1; i < EK_JSON_MAX_DEPTH; i++)
    g_string_append_c (deep, ']');
  g_string_append_c (deep, '}');
  object = ek_json_parse_object (deep->str, deep->len, &error);
  g_assert_no_error (error);
  json_object_unref (object);

  /* a NUL inside a string is refused, an escaped backslash before u0000 is not one */
  g_assert_null (ek_json_parse_object (nul, strlen (nul), &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "NUL"));
  g_clear_error (&error);
  object = ek_json_parse_object (not_nul, strlen (not_nul), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "a\\u0000b");
  json_object_unref (object);
}

static void
test_names_become_paths (void)
{
  g_autofree char *long_id = g_strnfill (300, 'a');
  const char * const bad[] = { "..", ".", "a/b", "../../x", "", long_id };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("{ \"session_id\": \"%s\" }", bad[i]);
      g_autoptr(JsonObject) object = parse (text);
      g_autoptr(EkSessionInfo) info = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (ek_json_is_identifier (bad[i]));
      info = ek_session_info_new_from_json (object, FALSE, &error);
      g_assert_null (info);
      g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
      g_assert_nonnull (strstr (error->message, "“session_id” is not a valid identifier"));
    }

  g_assert_true (ek_json_is_identifier ("s-1.a_b"));
  g_assert_true (ek_json_is_identifier ("..."));
}

static void
test_health (void)
{
  g_autoptr(JsonObject) ok = parse ("{ \"status\": \"ok\", \"protocol\": 1, \"min_client_version\": \"1.0\","
                                    " \"server_time_ms\": 1700000000000 }");
  g_autoptr(JsonObject) bad = parse ("{ \"status\": \"ok\", \"protocol\": 1, \"min_client_version\": \"1.0\","
                                     " \"server_time_ms\": 17 }");
  g_autoptr(EkApiHealth) health = NULL;
  g_autoptr(GError) error = NULL;

  health = ek_api_parse_health (ok, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (health->status, ==, "ok");
  g_assert_cmpint (health->protocol, ==, 1);
  g_assert_cmpstr (health->min_client_version, ==, "1.0");
  g_assert_cmpint (health->server_time_ms, ==, G_GINT64_CONSTANT (1700000000000));

  g_assert_null (ek_api_parse_health (bad, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
}

static void
test_small_results (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) options = parse ("{ \"face_login\": true }");
  g_autoptr(JsonObject) draw = parse ("{ \"sequence_number\": 17 }");
  g_autoptr(JsonObject) answer = parse ("{ \"revision\": 3, \"stored_ms\": 1700000000001 }");
  g_autoptr(JsonObject) acked = parse ("{ \"acked_seq\": 41 }");
  g_autoptr(JsonObject) sent = parse ("{ \"id\": \"m1\", \"sent_ms\": 1700000000002 }");
  g_autoptr(JsonObject) report = parse ("{ \"id\": \"r1\", \"received_ms\": 1700000000003 }");
  g_autoptr(JsonObject) snapshot = parse ("{ \"id\": \"s1\" }");
  g_autoptr(JsonObject) time = parse ("{ \"receive_ms\": 1700000000004, \"transmit_ms\": 1700000000005 }");
  g_autoptr(JsonObject) wrong = parse ("{ \"sequence_number\": \"17\", \"id\": \"../x\" }");
  g_autoptr(EkApiLoginOptions) o = ek_api_parse_login_options (options, &error);
  g_autoptr(EkApiDraw) d = ek_api_parse_draw (draw, &error);
  g_autoptr(EkApiAnswerStored) a = ek_api_parse_answer_stored (answer, &error);
  g_autoptr(EkApiEventsAcked) e = ek_api_parse_events_acked (acked, &error);
  g_autoptr(EkApiMessageSent) m = ek_api_parse_message_sent (sent, &error);
  g_autoptr(EkApiSelfCheckSent) r = ek_api_parse_self_check_sent (report, &error);
  g_autoptr(EkApiSnapshotSent) s = ek_api_parse_snapshot_sent (snapshot, &error);
  EkApiTimeSample t = { 0, 0 };

  g_assert_no_error (error);
  g_assert_true (o->face_login);
  g_assert_cmpstr (o->help_contact, ==, "");
  g_assert_cmpint (d->sequence_number, ==, 17);
  g_assert_cmpint (a->revision, ==, 3);
  g_assert_cmpint (a->stored_ms, ==, G_GINT64_CONSTANT (1700000000001));
  g_assert_cmpint (e->acked_seq, ==, 41);
  g_assert_cmpstr (m->id, ==, "m1");
  g_assert_cmpint (m->sent_ms, ==, G_GINT64_CONSTANT (1700000000002));
  g_assert_cmpstr (r->id, ==, "r1");
  g_assert_cmpint (r->received_ms, ==, G_GINT64_CONSTANT (1700000000003));
  g_assert_cmpstr (s->id, ==, "s1");
  g_assert_true (ek_api_parse_time_sample (time, &t, &error));
  g_assert_cmpint (t.receive_ms, ==, G_GINT64_CONSTANT (1700000000004));
  g_assert_cmpint (t.transmit_ms, ==, G_GINT64_CONSTANT (1700000000005));

  g_assert_null (ek_api_parse_draw (wrong, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE);
  g_clear_error (&error);
  g_assert_null (ek_api_parse_message_sent (wrong, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_false (ek_api_parse_time_sample (wrong, &t, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_MISSING);
}

static void
test_questions (void)
{
  g_autoptr(JsonObject) ok = parse ("{ \"phase\": \"p1\", \"questions\": ["
                                    " { \"id\": \"q1\", \"type\": \"oral\", \"text\": \"t\" },"
                                    " { \"id\": \"q2\", \"type\": \"single\", \"text\": \"t\","
                                    "   \"options\": [ { \"id\": \"a\", \"text\": \"A\" } ] } ] }");
  g_autoptr(JsonObject) no_options = parse ("{ \"phase\": \"p1\", \"questions\": ["
                                            " { \"id\": \"q2\", \"type\": \"multiple\", \"text\": \"t\","
                                            "   \"options\": [] } ] }");
  g_autoptr(JsonObject) bad_type = parse ("{ \"phase\": \"p1\", \"questions\": ["
                                          " { \"id\": \"q2\", \"type\": \"essay\", \"text\": \"t\" } ] }");
  g_autoptr(JsonArray) questions = NULL;
  g_autoptr(GError) error = NULL;

  questions = ek_api_parse_questions (ok, "p1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (questions), ==, 2);

  g_assert_null (ek_api_parse_questions (ok, "p2", &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_null (ek_api_parse_questions (no_options, "p1", &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "questions[0]: "));
  g_clear_error (&error);
  g_assert_null (ek_api_parse_questions (bad_type, "p1", &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
}

static void
test_messages_and_finish (void)
{
  g_autoptr(JsonObject) messages = parse ("{ \"cursor\": \"c2\", \"messages\": ["
                                          " { \"id\": \"m1\", \"kind\": \"warning\", \"text\": \"x\","
                                          "   \"sent_ms\": 1700000000000 } ] }");
  g_autoptr(JsonObject) bad_message = parse ("{ \"cursor\": \"c2\", \"messages\": [ 3 ] }");
  g_autoptr(JsonObject) finish = parse ("{ \"complete\": false, \"segments\": ["
                                        " { \"stream\": \"camera\", \"index\": 0, \"status\": \"missing\" } ] }");
  g_autoptr(JsonObject) lying = parse ("{ \"complete\": true, \"segments\": ["
                                       " { \"stream\": \"camera\", \"index\": 0, \"status\": \"missing\" } ] }");
  g_autoptr(EkApiMessages) m = NULL;
  g_autoptr(EkApiFinishResult) f = NULL;
  g_autoptr(GError) error = NULL;

  m = ek_api_parse_messages (messages, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (m->cursor, ==, "c2");
  g_assert_cmpuint (json_array_get_length (m->messages), ==, 1);
  g_assert_null (ek_api_parse_messages (bad_message, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE);
  g_clear_error (&error);

  f = ek_api_parse_finish (finish, &error);
  g_assert_no_error (error);
  g_assert_false (f->complete);
  g_assert_cmpuint (json_array_get_length (f->segments), ==, 1);
  g_assert_null (ek_api_parse_finish (lying, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
}

static void
test_face (void)
{
  g_autoptr(JsonObject) match = parse ("{ \"result\": \"match\", \"score\": 0.91234, \"attempts_left\": 2 }");
  g_autoptr(JsonObject) no_match = parse ("{ \"result\": \"no_match\", \"reason\": \"different_person\" }");
  g_autoptr(JsonObject) newer = parse ("{ \"result\": \"no_match\", \"reason\": \"sunglasses\" }");
  g_autoptr(JsonObject) bad = parse ("{ \"result\": \"maybe\" }");
  g_autoptr(EkApiFaceResult) a = NULL;
  g_autoptr(EkApiFaceResult) b = NULL;
  g_autoptr(EkApiFaceResult) c = NULL;
  g_autoptr(GError) error = NULL;

  a = ek_api_parse_face (match, &error);
  b = ek_api_parse_face (no_match, &error);
  c = ek_api_parse_face (newer, &error);
  g_assert_no_error (error);
  g_assert_true (a->match);
  g_assert_cmpfloat_with_epsilon (a->score, 0.9123, 1e-9);
  g_assert_cmpint (a->attempts_left, ==, 2);
  g_assert_false (b->match);
  g_assert_cmpfloat (b->score, ==, -1.0);
  g_assert_cmpstr (b->reason, ==, "different_person");
  g_assert_cmpint (b->attempts_left, ==, -1);
  g_assert_null (c->reason);
  g_assert_null (ek_api_parse_face (bad, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
}

static void
test_second_view (void)
{
  g_autoptr(JsonObject) code = parse ("{ \"qr_payload\": \"https://x/sv/AB\", \"code\": \"AB\","
                                      " \"expires_ms\": 1700000000000 }");
  g_autoptr(JsonObject) no_payload = parse ("{ \"qr_payload\": \"\", \"code\": \"AB\" }");
  g_autoptr(JsonObject) pending = parse ("{ \"status\": \"pending\" }");
  g_autoptr(JsonObject) bound = parse ("{ \"status\": \"bound\", \"device\": \"iPhone 13\","
                                       " \"bound_ms\": 1700000000000 }");
  g_autoptr(JsonObject) wrong = parse ("{ \"status\": 1 }");
  g_autoptr(EkApiSecondViewCode) c = NULL;
  g_autoptr(EkApiSecondViewStatus) p = NULL;
  g_autoptr(EkApiSecondViewStatus) b = NULL;
  g_autoptr(GError) error = NULL;

  c = ek_api_parse_second_view_code (code, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->qr_payload, ==, "https://x/sv/AB");
  g_assert_cmpstr (c->code, ==, "AB");
  g_assert_null (ek_api_parse_second_view_code (no_payload, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  g_clear_error (&error);

  p = ek_api_parse_second_view_status (pending, &error);
  b = ek_api_parse_second_view_status (bound, &error);
  g_assert_no_error (error);
  g_assert_false (p->bound);
  g_assert_cmpstr (p->device, ==, "");
  g_assert_true (b->bound);
  g_assert_cmpstr (b->device, ==, "iPhone 13");
  g_assert_null (ek_api_parse_second_view_status (wrong, &error));
  g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_TYPE);
}

static void
test_attachments (void)
{
  g_autoptr(JsonObject) ok = parse ("{ \"attachments\": [ { \"id\": \"a1\", \"name\": \"I.md\","
                                    " \"media_type\": \"text/markdown\", \"size\": 12, \"sha256\": \""
                                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\" } ] }");
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_id = g_strnfill (300, 'a');
  const char * const bad_ids[] = { "..", ".", "a/b", "../../x", "", long_id };

  list = ek_api_parse_attachments (ok, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);

  /* every id becomes a path of the next call */
  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      g_autofree char *text = g_strdup_printf ("{ \"attachments\": [ { \"id\": \"%s\", \"name\": \"n\","
                                               " \"media_type\": \"text/plain\" } ] }", bad_ids[i]);
      g_autoptr(JsonObject) object = parse (text);

      g_assert_null (ek_api_parse_attachments (object, &error));
      g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
      g_assert_nonnull (strstr (error->message, "“id”"));
      g_clear_error (&error);
    }

  {
    g_autoptr(JsonObject) bad_hash = parse ("{ \"attachments\": [ { \"id\": \"a\", \"name\": \"n\","
                                            " \"media_type\": \"text/plain\", \"sha256\": \"xyz\" } ] }");

    g_assert_null (ek_api_parse_attachments (bad_hash, &error));
    g_assert_error (error, EK_JSON_ERROR, EK_JSON_ERROR_VALUE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api-parsers/error-body", test_error_body);
  g_test_add_func ("/api-parsers/hostile-documents", test_hostile_documents);
  g_test_add_func ("/api-parsers/names-become-paths", test_names_become_paths);
  g_test_add_func ("/api-parsers/health", test_health);
  g_test_add_func ("/api-parsers/small-results", test_small_results);
  g_test_add_func ("/api-parsers/questions", test_questions);
  g_test_add_func ("/api-parsers/messages-and-finish", test_messages_and_finish);
  g_test_add_func ("/api-parsers/face", test_face);
  g_test_add_func ("/api-parsers/second-view", test_second_view);
  g_test_add_func ("/api-parsers/attachments", test_attachments);

  return g_test_run ();
}
