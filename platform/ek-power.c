/* ek-power.c: where this computer's power comes from (Linux sysfs) */

#include "config.h"

#include "ek-power.h"

static char *
read_trimmed (const char *dir,
              const char *file)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return g_strstrip (contents);
}

/**
 * ek_power_read:
 * @sources: where to read from (its sys_root)
 * @info: (out caller-allocates): what was found
 *
 * A computer without a readable power-supply folder is taken to run on mains: a
 * desktop usually lists nothing at all.
 */
void
ek_power_read (const EkProbeSources *sources,
               EkPowerInfo          *info)
{
  g_autofree char *class_dir = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *entry;
  gboolean mains_listed = FALSE;
  gboolean mains_online = FALSE;

  g_return_if_fail (sources != NULL);
  g_return_if_fail (info != NULL);

  info->has_battery = FALSE;
  info->on_mains = TRUE;
  info->battery_percent = -1;
  info->discharging = FALSE;

  class_dir = g_build_filename (sources->sys_root, "class", "power_supply", NULL);
  dir = g_dir_open (class_dir, 0, NULL);
  if (dir == NULL)
    return;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *supply = g_build_filename (class_dir, entry, NULL);
      g_autofree char *type = read_trimmed (supply, "type");
      g_autofree char *scope = read_trimmed (supply, "scope");

      if (type == NULL || g_strcmp0 (scope, "Device") == 0)
        continue;

      if (g_str_equal (type, "Mains") || g_str_has_prefix (type, "USB"))
        {
          g_autofree char *online = read_trimmed (supply, "online");

          mains_listed = TRUE;
          if (g_strcmp0 (online, "1") == 0)
            mains_online = TRUE;
        }
      else if (g_str_equal (type, "Battery"))
        {
          g_autofree char *capacity = read_trimmed (supply, "capacity");
          g_autofree char *status = read_trimmed (supply, "status");
          guint64 percent;

          /* Two batteries (some ThinkPads): the emptier one says more. */
          if (capacity != NULL &&
              g_ascii_string_to_unsigned (capacity, 10, 0, 100, &percent, NULL) &&
              (info->battery_percent < 0 || (int) percent < info->battery_percent))
            info->battery_percent = (int) percent;

          info->has_battery = TRUE;
          if (g_strcmp0 (status, "Discharging") == 0)
            info->discharging = TRUE;
        }
    }

  /* Without a listed adapter the battery's own status is all there is to go by. */
  if (info->has_battery)
    info->on_mains = mains_listed ? mains_online : !info->discharging;
}
