/* ek-test-kiosk.h: a real exam-kiosk process driven through its test hooks
 *
 * The client is started with a configuration of the test's own (server, data folder,
 * test media, optionally a pinned key), driven through its app.test-* actions over the
 * private session bus (ui/ek-test-hooks.h) and watched through app.test-status, as
 * Needs a -Dtest_hooks=true build. Used by the end-to-end tests (tests/test-e2e.c) and
 * the fault tests (tests/test-faults-kiosk.c).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ek-test-server.h"

G_BEGIN_DECLS

#define EK_TEST_KIOSK_WAIT_MS 15000

typedef struct
{
  EkTestServer    *server;        /* borrowed */
  char            *tmp_dir;
  char            *data_dir;      /* the kiosk's [storage] data-dir */
  char            *config_path;
  char            *bus_name;
  char            *log_path;
  char            *lockdown_path;
  char            *launcher;      /* NULL: exam-kiosk itself; else the exam session's */
  GDBusConnection *bus;
  char           **env;           /* owned: set for the next starts */
  GPid             pid;
  gboolean         running;
} EkTestKiosk;

EkTestKiosk *ek_test_kiosk_new              (EkTestServer *server,
                                             const char   *data_dir,
                                             const char   *pinned_key);
void         ek_test_kiosk_free             (EkTestKiosk  *kiosk);
void         ek_test_kiosk_start            (EkTestKiosk  *kiosk);
void         ek_test_kiosk_kill             (EkTestKiosk  *kiosk,
                                             int           signal_number);
gboolean     ek_test_kiosk_wait_exit        (EkTestKiosk  *kiosk,
                                             guint         timeout_ms,
                                             int          *wait_status);
void         ek_test_kiosk_set_env          (EkTestKiosk  *kiosk,
                                             const char   *name,
                                             const char   *value);
void         ek_test_kiosk_set_launcher     (EkTestKiosk  *kiosk,
                                             const char   *launcher);
void         ek_test_kiosk_show_log         (EkTestKiosk  *kiosk);
void         ek_test_kiosk_activate         (EkTestKiosk  *kiosk,
                                             const char   *action,
                                             GVariant     *parameter);
void         ek_test_kiosk_activate_on_page (EkTestKiosk  *kiosk,
                                             const char   *detailed_action);
gboolean     ek_test_kiosk_try_activate_on_page (EkTestKiosk *kiosk,
                                             const char   *detailed_action);
GVariant    *ek_test_kiosk_get_status       (EkTestKiosk  *kiosk);
char        *ek_test_kiosk_status_string    (GVariant     *status,
                                             const char   *key);
char        *ek_test_kiosk_get_string       (EkTestKiosk  *kiosk,
                                             const char   *key);
GVariant    *ek_test_kiosk_wait_for         (EkTestKiosk  *kiosk,
                                             const char   *key,
                                             const char   *value,
                                             guint         timeout_ms);
GVariant    *ek_test_kiosk_wait_for_text    (EkTestKiosk  *kiosk,
                                             const char   *key,
                                             const char   *needle,
                                             guint         timeout_ms);
guint        ek_test_kiosk_wait_for_questions (EkTestKiosk *kiosk,
                                             guint         timeout_ms);
GVariant    *ek_test_kiosk_wait_for_answers (EkTestKiosk  *kiosk,
                                             const char   *expected,
                                             guint         timeout_ms);
void         ek_test_kiosk_answer           (EkTestKiosk  *kiosk,
                                             const char   *question_id,
                                             const char   *json);
void         ek_test_kiosk_sign_in          (EkTestKiosk  *kiosk,
                                             const char   *mode,
                                             const char   *token,
                                             const char   *id_number);
void         ek_test_kiosk_login            (EkTestKiosk  *kiosk,
                                             const char   *mode,
                                             const char   *token,
                                             const char   *id_number);
void         ek_test_kiosk_pass_pledge      (EkTestKiosk  *kiosk);
GVariant    *ek_test_kiosk_enter_exam       (EkTestKiosk  *kiosk);
gboolean     ek_test_kiosk_log_has          (EkTestKiosk  *kiosk,
                                             const char   *needle);
guint        ek_test_kiosk_log_count        (EkTestKiosk  *kiosk,
                                             const char   *needle);
void         ek_test_kiosk_wait_log         (EkTestKiosk  *kiosk,
                                             const char   *needle,
                                             guint         n,
                                             guint         timeout_ms);
void         ek_test_kiosk_wait_server_answers (EkTestKiosk *kiosk,
                                             const char   *session_id,
                                             const char   *expected,
                                             guint         timeout_ms);

/* The server's side, through its admin API */
JsonObject  *ek_test_server_get_exam        (EkTestServer *server,
                                             const char   *exam_id);
JsonNode    *ek_test_server_get_answers     (EkTestServer *server,
                                             const char   *session_id);
gboolean     ek_test_server_has_answers     (EkTestServer *server,
                                             const char   *session_id,
                                             const char   *expected);
JsonArray   *ek_test_assert_event_chain     (JsonObject   *session);
gint64       ek_test_now_ms                 (void);
void         ek_test_sleep_until_ms         (gint64        when_ms);
JsonNode    *ek_test_parse_json             (const char   *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestKiosk, ek_test_kiosk_free)

G_END_DECLS
