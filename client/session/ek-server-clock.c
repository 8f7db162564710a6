/* ek-server-clock.c: the exam server's time, counted on the monotonic clock */

#include "config.h"

#include "ek-server-clock.h"

/* Samples older than this many are dropped, so a slowly drifting local oscillator
 * cannot keep an old best sample forever. */
#define MAX_SAMPLES 16

typedef struct
{
  gint64 offset_us;   /* server time - local monotonic time */
  gint64 delay_us;    /* round trip less the server's own time */
} Sample;

struct _EkServerClock
{
  GObject      parent_instance;

  EkClockFunc  monotonic_func;
  EkClockFunc  real_func;
  gpointer     func_data;

  Sample       samples[MAX_SAMPLES];
  guint        n_samples;
  guint        next_sample;

  /* Derived from samples: the best one's offset. Before any sample the clock
   * reads the local wall clock, which is the best guess there is. */
  gint64       offset_us;
  gint64       delay_us;
  gboolean     synced;
};

enum {
  PROP_0,
  PROP_SYNCED,
  PROP_OFFSET_MS,
  PROP_DELAY_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EkServerClock, ek_server_clock, G_TYPE_OBJECT)

static gint64
system_monotonic (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gint64
system_real (gpointer user_data)
{
  return g_get_real_time ();
}

static gint64
local_monotonic_us (EkServerClock *self)
{
  return self->monotonic_func (self->func_data);
}

static void
update_best (EkServerClock *self)
{
  const Sample *best = NULL;
  gint64 old_offset = self->offset_us;
  gint64 old_delay = self->delay_us;
  gboolean was_synced = self->synced;

  for (guint i = 0; i < self->n_samples; i++)
    {
      if (best == NULL || self->samples[i].delay_us < best->delay_us)
        best = &self->samples[i];
    }

  if (best == NULL)
    return;

  self->offset_us = best->offset_us;
  self->delay_us = best->delay_us;
  self->synced = TRUE;

  g_object_freeze_notify (G_OBJECT (self));
  if (!was_synced)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
  if (old_offset / 1000 != self->offset_us / 1000)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFSET_MS]);
  if (old_delay / 1000 != self->delay_us / 1000)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELAY_MS]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
reset_to_wall_clock (EkServerClock *self)
{
  self->offset_us = self->real_func (self->func_data) - local_monotonic_us (self);
  self->delay_us = 0;
  self->n_samples = 0;
  self->next_sample = 0;
  self->synced = FALSE;
}

static void
ek_server_clock_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  EkServerClock *self = EK_SERVER_CLOCK (object);

  switch (prop_id)
    {
    case PROP_SYNCED:
      g_value_set_boolean (value, self->synced);
      break;

    case PROP_OFFSET_MS:
      g_value_set_int64 (value, ek_server_clock_get_offset_ms (self));
      break;

    case PROP_DELAY_MS:
      g_value_set_int64 (value, ek_server_clock_get_delay_ms (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_server_clock_class_init (EkServerClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ek_server_clock_get_property;

  properties[PROP_SYNCED] =
    g_param_spec_boolean ("synced", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_OFFSET_MS] =
    g_param_spec_int64 ("offset-ms", NULL, NULL,
                        G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  properties[PROP_DELAY_MS] =
    g_param_spec_int64 ("delay-ms", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ek_server_clock_init (EkServerClock *self)
{
  self->monotonic_func = system_monotonic;
  self->real_func = system_real;
  reset_to_wall_clock (self);
}

EkServerClock *
ek_server_clock_new (void)
{
  return g_object_new (EK_TYPE_SERVER_CLOCK, NULL);
}

/**
 * ek_server_clock_set_time_funcs:
 *
 * Replaces the local clocks (for tests). Forgets every sample.
 */
void
ek_server_clock_set_time_funcs (EkServerClock *self,
                                EkClockFunc    monotonic_func,
                                EkClockFunc    real_func,
                                gpointer       user_data)
{
  g_return_if_fail (EK_IS_SERVER_CLOCK (self));

  self->monotonic_func = monotonic_func ? monotonic_func : system_monotonic;
  self->real_func = real_func ? real_func : system_real;
  self->func_data = user_data;
  reset_to_wall_clock (self);
}

/**
 * ek_server_clock_get_local_ms:
 *
 * Returns: the local monotonic time in milliseconds: the time base of the
 *   t1/t4 arguments of ek_server_clock_add_sample()
 */
gint64
ek_server_clock_get_local_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return local_monotonic_us (self) / 1000;
}

/**
 * ek_server_clock_get_wall_ms:
 *
 * Returns: the computer's wall clock (not the server's time), in ms since the
 *   epoch: the clock events are stamped with on the client
 */
gint64
ek_server_clock_get_wall_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return self->real_func (self->func_data) / 1000;
}

/**
 * ek_server_clock_add_sample:
 * @t1_local_ms: local monotonic time the request was sent
 * @receive_ms: server time the request arrived
 * @transmit_ms: server time the answer left
 * @t4_local_ms: local monotonic time the answer arrived
 *
 * Adds one NTP-style sample. A sample that is inconsistent (the answer arrived
 * before the request left, or the server claims to have taken longer than the
 * whole round trip) is ignored.
 */
void
ek_server_clock_add_sample (EkServerClock *self,
                            gint64         t1_local_ms,
                            gint64         receive_ms,
                            gint64         transmit_ms,
                            gint64         t4_local_ms)
{
  Sample sample;
  gint64 round_trip;
  gint64 server_time;

  g_return_if_fail (EK_IS_SERVER_CLOCK (self));

  round_trip = t4_local_ms - t1_local_ms;
  server_time = transmit_ms - receive_ms;

  if (round_trip < 0 || server_time < 0 || server_time > round_trip)
    {
      g_debug ("Ignoring inconsistent clock sample (round trip %" G_GINT64_FORMAT
               " ms, server %" G_GINT64_FORMAT " ms)", round_trip, server_time);
      return;
    }

  /* offset = ((T2 - T1) + (T3 - T4)) / 2, in microseconds to keep the halving exact */
  sample.offset_us = ((receive_ms - t1_local_ms) + (transmit_ms - t4_local_ms)) * 500;
  sample.delay_us = (round_trip - server_time) * 1000;

  self->samples[self->next_sample] = sample;
  self->next_sample = (self->next_sample + 1) % MAX_SAMPLES;
  self->n_samples = MIN (self->n_samples + 1, MAX_SAMPLES);

  update_best (self);
}

gboolean
ek_server_clock_is_synced (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), FALSE);
  return self->synced;
}

/**
 * ek_server_clock_now_ms:
 *
 * Returns: the current server time in milliseconds since the epoch
 */
gint64
ek_server_clock_now_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return (local_monotonic_us (self) + self->offset_us) / 1000;
}

/**
 * ek_server_clock_ms_until:
 *
 * Returns: milliseconds from now until @server_ms (negative once passed)
 */
gint64
ek_server_clock_ms_until (EkServerClock *self,
                          gint64         server_ms)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return server_ms - ek_server_clock_now_ms (self);
}

gint64
ek_server_clock_get_offset_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return self->offset_us / 1000;
}

gint64
ek_server_clock_get_delay_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return self->delay_us / 1000;
}

guint
ek_server_clock_get_n_samples (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return self->n_samples;
}

/**
 * ek_server_clock_get_skew_ms:
 *
 * Returns: how far the computer's wall clock is behind the server (positive) or
 *   ahead of it (negative); what the device check reports as clock skew
 */
gint64
ek_server_clock_get_skew_ms (EkServerClock *self)
{
  g_return_val_if_fail (EK_IS_SERVER_CLOCK (self), 0);
  return ek_server_clock_now_ms (self) - self->real_func (self->func_data) / 1000;
}

/**
 * ek_server_clock_restore_skew:
 * @skew_ms: a skew ek_server_clock_get_skew_ms() gave before a restart
 *
 * Counts the server's time as the wall clock plus @skew_ms: the best guess of a
 * restart without the network. The clock stays unsynced; the next samples replace it.
 */
void
ek_server_clock_restore_skew (EkServerClock *self,
                              gint64         skew_ms)
{
  g_return_if_fail (EK_IS_SERVER_CLOCK (self));

  reset_to_wall_clock (self);
  self->offset_us += skew_ms * 1000;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFSET_MS]);
}

void
ek_server_clock_reset (EkServerClock *self)
{
  g_return_if_fail (EK_IS_SERVER_CLOCK (self));

  reset_to_wall_clock (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
}
