/* ek-power.h: where this computer's power comes from
 *
 * Read from the kernel's power-supply class (sysfs_root/class/power_supply), so a test
 * can point it at a folder of its own: a laptop at 10 % on battery, a desktop on mains.
 * Batteries of attached devices (a wireless mouse: scope "Device") do not count.
 */
#pragma once

#include "ek-probe-sources.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean has_battery;      /* the computer's own battery */
  gboolean on_mains;         /* a mains or USB-C supply is online, or nothing runs on battery */
  int      battery_percent;  /* 0..100, -1 when there is no battery or it does not say */
  gboolean discharging;      /* the battery reports that it is discharging */
} EkPowerInfo;

void ek_power_read (const EkProbeSources *sources,
                    EkPowerInfo          *info);

G_END_DECLS
