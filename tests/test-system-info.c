/* test-system-info.c: memory and disk facts, read from a fake /proc */

#include "config.h"

#include <glib/gstdio.h>

#include "ek-system-info.h"

static char *
make_proc (const char *meminfo)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("ek-proc-XXXXXX", &error);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "meminfo", NULL);
  g_assert_true (g_file_set_contents (path, meminfo, -1, &error));
  return dir;
}

static void
remove_proc (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "meminfo", NULL);

  g_unlink (path);
  g_rmdir (dir);
  ek_system_info_set_proc_root (NULL);
}

static void
test_memory_real (void)
{
  EkMemoryInfo info = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (ek_system_info_read_memory (&info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.total_bytes, >, 64 * 1024 * 1024);
  g_assert_cmpuint (info.available_bytes, <=, info.total_bytes);
}

static void
test_memory_fake (void)
{
  g_autofree char *dir = make_proc ("MemTotal:        3915776 kB\n"
                                    "MemFree:          120000 kB\n"
                                    "MemAvailable:    1048576 kB\n"
                                    "Buffers:           10000 kB\n");
  EkMemoryInfo info = { 0 };
  g_autoptr(GError) error = NULL;

  ek_system_info_set_proc_root (dir);
  g_assert_true (ek_system_info_read_memory (&info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.total_bytes, ==, G_GUINT64_CONSTANT (3915776) * 1024);
  g_assert_cmpuint (info.available_bytes, ==, G_GUINT64_CONSTANT (1048576) * 1024);
  remove_proc (dir);
}

static void
test_memory_malformed (void)
{
  const char *bad[] = {
    "MemTotal: 100 kB\n",                            /* no MemAvailable (pre-3.14) */
    "MemTotal: lots\nMemAvailable: 10 kB\n",
    "MemTotal: 100 kB\nMemAvailable: 200 kB\n",      /* more available than there is */
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *dir = make_proc (bad[i]);
      EkMemoryInfo info = { 0 };
      g_autoptr(GError) error = NULL;

      ek_system_info_set_proc_root (dir);
      g_assert_false (ek_system_info_read_memory (&info, &error));
      g_assert_error (error, EK_SYSTEM_INFO_ERROR, EK_SYSTEM_INFO_ERROR_MALFORMED);
      remove_proc (dir);
    }

  {
    EkMemoryInfo info = { 0 };
    g_autoptr(GError) error = NULL;

    ek_system_info_set_proc_root ("/nonexistent");
    g_assert_false (ek_system_info_read_memory (&info, &error));
    g_assert_error (error, EK_SYSTEM_INFO_ERROR, EK_SYSTEM_INFO_ERROR_UNREADABLE);
    ek_system_info_set_proc_root (NULL);
  }
}

static void
test_disk (void)
{
  EkDiskInfo info = { 0 };
  EkDiskInfo missing = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *not_yet = g_build_filename (g_get_tmp_dir (), "ek-not-created", "deeper", NULL);

  g_assert_true (ek_system_info_read_disk (g_get_tmp_dir (), &info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (info.total_bytes, >, 0);
  g_assert_cmpuint (info.free_bytes, <=, info.total_bytes);

  /* a recording folder that does not exist yet is measured on its volume */
  g_assert_true (ek_system_info_read_disk (not_yet, &missing, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (missing.total_bytes, ==, info.total_bytes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/system-info/memory-real", test_memory_real);
  g_test_add_func ("/system-info/memory-fake", test_memory_fake);
  g_test_add_func ("/system-info/memory-malformed", test_memory_malformed);
  g_test_add_func ("/system-info/disk", test_disk);

  return g_test_run ();
}
