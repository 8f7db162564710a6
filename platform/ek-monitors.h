/* ek-monitors.h: how many displays the candidate can look at
 *
 * Counts active display devices, not desktop areas: mirrored outputs (two screens
 * showing one picture) count as two, a closed laptop lid with one external screen
 * counts as one. Follows hot-plugging and emits "changed".
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  int x;
  int y;
  int width;
  int height;
} EkRect;

#define EK_TYPE_MONITOR_WATCH (ek_monitor_watch_get_type ())

G_DECLARE_FINAL_TYPE (EkMonitorWatch, ek_monitor_watch, EK, MONITOR_WATCH, GObject)

EkMonitorWatch *ek_monitor_watch_new             (void);
guint           ek_monitor_watch_get_n_monitors  (EkMonitorWatch *self);
char          **ek_monitor_watch_dup_names       (EkMonitorWatch *self);
gboolean        ek_monitor_watch_get_primary     (EkMonitorWatch *self,
                                                  EkRect         *geometry);
void            ek_monitor_watch_refresh         (EkMonitorWatch *self);

G_END_DECLS
