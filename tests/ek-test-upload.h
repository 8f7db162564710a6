/* ek-test-upload.h: what the upload tests share
 *
 * - a session on the reference server (login through EkApiClient),
 * - random segment files with their SHA-256,
 * - a stock tus server: @tus/server + @tus/file-store from npm (tests/tus-node), installed
 *   with `npm ci` into the build folder on first use and started on a loopback port.
 */
#pragma once

#include "ek-api-client.h"
#include "ek-segment.h"
#include "ek-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  EkApiClient *api;           /* owned, logged in */
  char        *session_id;
  char        *token;         /* the session token, for the tus client */
} EkTestSession;

EkTestSession *ek_test_session_login      (EkTestServer  *server);
void           ek_test_session_free       (EkTestSession *session);

char          *ek_test_write_random_file  (const char    *dir,
                                           const char    *name,
                                           gsize          size,
                                           char         **out_sha256);
EkSegment     *ek_test_make_segment       (const char    *dir,
                                           const char    *stream,
                                           guint          index,
                                           gsize          size);
char          *ek_test_sha256_file        (const char    *path);

JsonArray     *ek_test_server_get_uploads (EkTestServer  *server,
                                           const char    *session_id);
JsonObject    *ek_test_find_upload        (JsonArray     *uploads,
                                           const char    *url);

typedef struct _EkTestTusNode EkTestTusNode;

EkTestTusNode *ek_test_tus_node_start     (char         **out_skip_reason);
EkTestTusNode *ek_test_tus_node_start_full (char        **out_skip_reason,
                                           guint64        max_body);
void           ek_test_tus_node_stop      (EkTestTusNode *node);
const char    *ek_test_tus_node_get_endpoint (EkTestTusNode *node);
char          *ek_test_tus_node_file_sha256 (EkTestTusNode *node,
                                           const char    *upload_url);
JsonArray     *ek_test_tus_node_list_uploads (EkTestTusNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestSession, ek_test_session_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkTestTusNode, ek_test_tus_node_stop)

G_END_DECLS
