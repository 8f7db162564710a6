/* ek-audio-devices.c: headsets and Bluetooth audio (Linux ALSA and sysfs) */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ek-audio-devices.h"

static const char * const headset_words[] = {
  "headset", "headphone", "earphone", "earbud", "airpods", "buds", "bluez", NULL,
};

static void
probe_sound_cards (const EkProbeSources *sources,
                   GPtrArray            *findings)
{
  g_autofree char *path = g_build_filename (sources->proc_root, "asound", "cards", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  /* " 1 [Headset        ]: USB-Audio - Logitech USB Headset" */
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *lower = NULL;
      g_autofree char *subject = NULL;
      g_autofree char *description = NULL;
      const char *name;

      if (strchr (lines[i], '[') == NULL)
        continue;

      lower = g_ascii_strdown (lines[i], -1);
      for (guint w = 0; headset_words[w] != NULL && subject == NULL; w++)
        {
          if (strstr (lower, headset_words[w]) != NULL)
            {
              name = strstr (lines[i], " - ");
              subject = g_strstrip (g_strdup (name != NULL ? name + 3 : lines[i]));
            }
        }

      if (subject == NULL)
        continue;

      /* Translators: %s is a sound device, e.g. "Logitech USB Headset" */
      description = g_strdup_printf (_("A headset or headphones are connected: %s."), subject);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_HEADSET, EK_SEVERITY_BLOCK,
                                                 subject, description));
    }
}

static void
probe_bluetooth (const EkProbeSources *sources,
                 GPtrArray            *findings)
{
  g_autofree char *class_dir = g_build_filename (sources->sys_root, "class", "bluetooth", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *entry;

  dir = g_dir_open (class_dir, 0, NULL);
  if (dir == NULL)
    return;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *description = NULL;

      /* hci0, not the hci0:256 connection entries */
      if (!g_str_has_prefix (entry, "hci") || strchr (entry, ':') != NULL)
        continue;

      /* Translators: %s is a Bluetooth adapter, e.g. "hci0" */
      description = g_strdup_printf (_("Bluetooth is available (%s): wireless earphones "
                                       "could be connected."), entry);
      g_ptr_array_add (findings, ek_finding_new (EK_FINDING_BLUETOOTH, EK_SEVERITY_WARN,
                                                 entry, description));
    }
}

void
ek_audio_devices_probe (const EkProbeSources *sources,
                        GPtrArray            *findings)
{
  g_return_if_fail (sources != NULL);
  g_return_if_fail (findings != NULL);

  probe_sound_cards (sources, findings);
  probe_bluetooth (sources, findings);
}
