/* ek-process-scan.h: which running programs the exam forbids
 *
 * Screen recorders, screenshot tools, remote desktops and VNC servers, meeting and chat
 * programs, virtual camera tools and nested X servers, from a built-in list plus the
 * policy's names. A process matches by its name, its command line, and by the executable
 * behind /proc/PID/exe: a renamed copy of a listed program has the same content as the
 * installed one, so it is found as well.
 */
#pragma once

#include <gio/gio.h>

#include "ek-assistive-tech.h"
#include "ek-finding.h"
#include "ek-probe-sources.h"

G_BEGIN_DECLS

#define EK_TYPE_PROCESS_SCANNER (ek_process_scanner_get_type ())

G_DECLARE_FINAL_TYPE (EkProcessScanner, ek_process_scanner, EK, PROCESS_SCANNER, GObject)

EkProcessScanner *ek_process_scanner_new             (const EkProbeSources  *sources);
void              ek_process_scanner_add_names       (EkProcessScanner      *self,
                                                      const char            *finding_id,
                                                      const char * const    *names);
void              ek_process_scanner_set_assistive   (EkProcessScanner      *self,
                                                      EkAssistiveKinds       allowed);
void              ek_process_scanner_set_search_path (EkProcessScanner      *self,
                                                      const char * const    *dirs);
GPtrArray        *ek_process_scanner_scan            (EkProcessScanner      *self,
                                                      GCancellable          *cancellable,
                                                      GError               **error);
void              ek_process_scanner_scan_async      (EkProcessScanner      *self,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
GPtrArray        *ek_process_scanner_scan_finish     (EkProcessScanner      *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

const char * const *ek_process_scan_builtin_names    (const char            *finding_id);

G_END_DECLS
