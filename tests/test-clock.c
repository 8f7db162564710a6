/* test-clock.c: the server clock's offset arithmetic and its independence from
 * the wall clock */

#include "config.h"

#include "ek-server-clock.h"

typedef struct
{
  gint64 mono_us;
  gint64 real_us;
} FakeTime;

static gint64
fake_mono (gpointer data)
{
  return ((FakeTime *) data)->mono_us;
}

static gint64
fake_real (gpointer data)
{
  return ((FakeTime *) data)->real_us;
}

static void
test_clock_unsynced_reads_wall_clock (void)
{
  FakeTime t = { .mono_us = 5000000, .real_us = G_GINT64_CONSTANT (1795000000000000) };
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();

  ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);
  g_assert_false (ek_server_clock_is_synced (clock));
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, G_GINT64_CONSTANT (1795000000000));
  g_assert_cmpint (ek_server_clock_get_skew_ms (clock), ==, 0);

  t.mono_us += 1500 * 1000;
  t.real_us += 1500 * 1000;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, G_GINT64_CONSTANT (1795000001500));
}

static void
test_clock_symmetric_sample (void)
{
  FakeTime t = { .mono_us = 1000 * 1000, .real_us = G_GINT64_CONSTANT (1795000000000000) };
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  gint64 server_base = G_GINT64_CONSTANT (1795003600000);   /* one hour ahead */

  ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);

  /* Sent at local 1000 ms, 20 ms each way, server spent 2 ms. */
  ek_server_clock_add_sample (clock, 1000, server_base + 20, server_base + 22, 1042);
  g_assert_true (ek_server_clock_is_synced (clock));
  g_assert_cmpint (ek_server_clock_get_delay_ms (clock), ==, 40);

  t.mono_us = 1042 * 1000;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, server_base + 42);
  g_assert_cmpint (ek_server_clock_get_skew_ms (clock), ==, 3600000 + 42 - 0);
}

static void
test_clock_inconsistent_sample_ignored (void)
{
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();

  /* answer before request */
  ek_server_clock_add_sample (clock, 2000, G_GINT64_CONSTANT (1795000000000),
                              G_GINT64_CONSTANT (1795000000000), 1000);
  /* server claims 500 ms inside a 100 ms round trip */
  ek_server_clock_add_sample (clock, 1000, G_GINT64_CONSTANT (1795000000000),
                              G_GINT64_CONSTANT (1795000000500), 1100);
  g_assert_false (ek_server_clock_is_synced (clock));
  g_assert_cmpuint (ek_server_clock_get_n_samples (clock), ==, 0);
}

/* Asymmetric jitter is the enemy of NTP-style offsets: the error of a sample is
 * half the difference of its two one-way delays, so it is at most half its
 * delay. Keeping the sample with the smallest delay keeps that bound small. */
static void
test_clock_best_of_jittered_samples (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261122);
  gint64 total_error = 0;

  for (guint run = 0; run < 200; run++)
    {
      FakeTime t = { .mono_us = 0, .real_us = G_GINT64_CONSTANT (1795000000000000) };
      g_autoptr(EkServerClock) clock = ek_server_clock_new ();
      gint64 true_offset = g_rand_int_range (rand, -7200000, 7200000);
      gint64 local = 10000;
      gint64 error_ms;

      ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);

      for (guint i = 0; i < 8; i++)
        {
          gint64 up = 3 + g_rand_int_range (rand, 0, 40);
          gint64 down = 3 + g_rand_int_range (rand, 0, 40);
          gint64 work = g_rand_int_range (rand, 0, 5);
          gint64 receive = local + up + true_offset;

          ek_server_clock_add_sample (clock, local, receive, receive + work,
                                      local + up + work + down);
          local += up + work + down + 50;
        }

      t.mono_us = local * 1000;
      error_ms = ek_server_clock_now_ms (clock) - (local + true_offset);
      g_assert_cmpint (ABS (error_ms), <=, ek_server_clock_get_delay_ms (clock) / 2 + 1);
      total_error += ABS (error_ms);
    }

  /* independent 3..43 ms one-way delays: the best of 8 is off by a few ms */
  g_assert_cmpint (total_error / 200, <, 6);
}

static void
test_clock_wall_clock_jump_changes_nothing (void)
{
  FakeTime t = { .mono_us = 1000 * 1000, .real_us = G_GINT64_CONSTANT (1795000000000000) };
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  gint64 before;

  ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);
  ek_server_clock_add_sample (clock, 1000, G_GINT64_CONSTANT (1795000000010),
                              G_GINT64_CONSTANT (1795000000010), 1020);
  before = ek_server_clock_now_ms (clock);

  /* The candidate sets the computer's clock two hours back. */
  t.real_us -= G_GINT64_CONSTANT (7200) * G_USEC_PER_SEC;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, before);
  g_assert_cmpint (ek_server_clock_get_skew_ms (clock), ==, before - t.real_us / 1000);

  /* and time goes on at the monotonic rate */
  t.mono_us += 250 * 1000;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, before + 250);
}

static void
test_clock_old_samples_age_out (void)
{
  FakeTime t = { .mono_us = 0, .real_us = G_GINT64_CONSTANT (1795000000000000) };
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  gint64 base = G_GINT64_CONSTANT (1795000000000);

  ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);

  /* A perfect old sample with offset +1000 ... */
  ek_server_clock_add_sample (clock, 0, base + 1000, base + 1000, 0);
  g_assert_cmpint (ek_server_clock_get_offset_ms (clock), ==, base + 1000);

  /* ... is replaced once 16 newer (worse, but consistent) samples arrived, so
   * a server clock correction is followed. */
  for (guint i = 0; i < 16; i++)
    ek_server_clock_add_sample (clock, 100 * (i + 1), base + 2000 + 100 * (i + 1) + 5,
                                base + 2000 + 100 * (i + 1) + 5, 100 * (i + 1) + 10);
  g_assert_cmpint (ek_server_clock_get_offset_ms (clock), ==, base + 2000);
}

/* A restart without the network: the skew kept before it, on a monotonic clock
 * with another origin, gives the server's time again; the next sample replaces it. */
static void
test_clock_restore_skew (void)
{
  FakeTime t = { .mono_us = 777 * 1000, .real_us = G_GINT64_CONSTANT (1795000000000000) };
  g_autoptr(EkServerClock) clock = ek_server_clock_new ();
  gint64 skew_ms = -(3 * 3600 * 1000 + 17250);   /* the wall clock 3 h 17.25 s ahead */

  ek_server_clock_set_time_funcs (clock, fake_mono, fake_real, &t);
  ek_server_clock_restore_skew (clock, skew_ms);
  g_assert_false (ek_server_clock_is_synced (clock));
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, G_GINT64_CONSTANT (1795000000000) + skew_ms);
  g_assert_cmpint (ek_server_clock_get_skew_ms (clock), ==, skew_ms);

  t.mono_us += 2500 * 1000;
  t.real_us += 2500 * 1000;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, G_GINT64_CONSTANT (1795000002500) + skew_ms);

  ek_server_clock_add_sample (clock, 3277, G_GINT64_CONSTANT (1795000000010),
                              G_GINT64_CONSTANT (1795000000010), 3297);
  g_assert_true (ek_server_clock_is_synced (clock));
  t.mono_us = 3297 * 1000;
  g_assert_cmpint (ek_server_clock_now_ms (clock), ==, G_GINT64_CONSTANT (1795000000020));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/unsynced-reads-wall-clock", test_clock_unsynced_reads_wall_clock);
  g_test_add_func ("/clock/symmetric-sample", test_clock_symmetric_sample);
  g_test_add_func ("/clock/inconsistent-sample-ignored", test_clock_inconsistent_sample_ignored);
  g_test_add_func ("/clock/best-of-jittered-samples", test_clock_best_of_jittered_samples);
  g_test_add_func ("/clock/wall-clock-jump-changes-nothing",
                   test_clock_wall_clock_jump_changes_nothing);
  g_test_add_func ("/clock/old-samples-age-out", test_clock_old_samples_age_out);
  g_test_add_func ("/clock/restore-skew", test_clock_restore_skew);

  return g_test_run ();
}
