/* ek-client-census.h: every client of the display server, and who connects during the exam
 *
 * On X11 any client of the display can read the screen (GetImage), the selections, and
 * send events: capture cannot be prevented in desktop mode, only seen. The census lists
 * the display server's clients when it starts and reports each client that connects
 * later with its process (ID, executable, command line), however the program is named or
 * started; a client that is gone before its process could be asked for is reported too.
 * Programs on the allow-list (the window manager, an input method, the accessibility bus,
 * a screen reader or magnifier the exam allows) and the kiosk's own connections are not
 * reported.
 */
#pragma once

#include <glib-object.h>

#include "ek-assistive-tech.h"

G_BEGIN_DECLS

#define EK_TYPE_CLIENT_CENSUS (ek_client_census_get_type ())

G_DECLARE_FINAL_TYPE (EkClientCensus, ek_client_census, EK, CLIENT_CENSUS, GObject)

EkClientCensus     *ek_client_census_new            (GObject             *display);
gboolean            ek_client_census_start          (EkClientCensus      *self,
                                                     guint                interval_ms,
                                                     GError             **error);
void                ek_client_census_stop           (EkClientCensus      *self);
void                ek_client_census_set_allowed    (EkClientCensus      *self,
                                                     const char * const  *names);
void                ek_client_census_set_assistive  (EkClientCensus      *self,
                                                     const char          *install_dir,
                                                     EkAssistiveKinds     allowed);
void                ek_client_census_set_report_unnamed (EkClientCensus  *self,
                                                     gboolean             report);
guint               ek_client_census_get_n_clients  (EkClientCensus      *self);
gboolean            ek_client_census_get_prompt     (EkClientCensus      *self);
const char * const *ek_client_census_default_allowed (void);

G_END_DECLS
