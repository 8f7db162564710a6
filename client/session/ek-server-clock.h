/* ek-server-clock.h: the exam server's time, counted on the monotonic clock
 *
 * All deadlines are absolute server times. The clock learns its offset from the
 * server NTP-style (round trip halved, best of several samples) and then counts on
 * the local monotonic clock, so changing the computer's wall clock changes nothing.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Returns microseconds. Tests replace the system clocks with their own. */
typedef gint64 (*EkClockFunc) (gpointer user_data);

#define EK_TYPE_SERVER_CLOCK (ek_server_clock_get_type ())

G_DECLARE_FINAL_TYPE (EkServerClock, ek_server_clock, EK, SERVER_CLOCK, GObject)

EkServerClock *ek_server_clock_new             (void);
void           ek_server_clock_set_time_funcs  (EkServerClock *self,
                                                EkClockFunc    monotonic_func,
                                                EkClockFunc    real_func,
                                                gpointer       user_data);
gint64         ek_server_clock_get_local_ms    (EkServerClock *self);
gint64         ek_server_clock_get_wall_ms     (EkServerClock *self);
void           ek_server_clock_add_sample      (EkServerClock *self,
                                                gint64         t1_local_ms,
                                                gint64         receive_ms,
                                                gint64         transmit_ms,
                                                gint64         t4_local_ms);
gboolean       ek_server_clock_is_synced       (EkServerClock *self);
gint64         ek_server_clock_now_ms          (EkServerClock *self);
gint64         ek_server_clock_get_offset_ms   (EkServerClock *self);
gint64         ek_server_clock_get_delay_ms    (EkServerClock *self);
guint          ek_server_clock_get_n_samples   (EkServerClock *self);
gint64         ek_server_clock_get_skew_ms     (EkServerClock *self);
gint64         ek_server_clock_ms_until        (EkServerClock *self,
                                                gint64         server_ms);
void           ek_server_clock_restore_skew    (EkServerClock *self,
                                                gint64         skew_ms);
void           ek_server_clock_reset           (EkServerClock *self);

G_END_DECLS
