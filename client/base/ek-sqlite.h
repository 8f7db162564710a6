/* ek-sqlite.h: the kiosk's one way to open and use a private SQLite file
 *
 * The outbox, the answer store and the event log each keep a small database in the
 * session's folder: a private file (0600 in a 0700 folder), write-ahead log, a busy
 * timeout, a chosen synchronous level. Opening, exec and prepare report failures as
 * a GError in EK_SQLITE_ERROR whose code is SQLite's primary result code.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define EK_SQLITE_ERROR (ek_sqlite_error_quark ())

typedef enum
{
  EK_SQLITE_SYNC_NORMAL,   /* a commit survives a killed process, not a power cut */
  EK_SQLITE_SYNC_FULL,     /* a commit is on disk when it returns */
} EkSqliteSync;

GQuark         ek_sqlite_error_quark (void);

sqlite3       *ek_sqlite_open        (const char    *path,
                                      EkSqliteSync   sync,
                                      int            busy_timeout_ms,
                                      GError       **error);
gboolean       ek_sqlite_exec        (sqlite3       *db,
                                      const char    *sql,
                                      GError       **error);
sqlite3_stmt  *ek_sqlite_prepare     (sqlite3       *db,
                                      const char    *sql,
                                      GError       **error);
gboolean       ek_sqlite_set_sync    (sqlite3       *db,
                                      EkSqliteSync   sync,
                                      GError       **error);
void           ek_sqlite_set_error   (sqlite3       *db,
                                      int            rc,
                                      GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_END_DECLS
