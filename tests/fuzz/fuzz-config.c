/* fuzz-config.c: the technician's configuration file (client/base) */

#include "config.h"

#include "ek-config.h"
#include "ek-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(EkConfig) config = ek_config_new ();

  if (size > G_MAXSSIZE)
    return 0;

  ek_config_load_from_data (config, (const char *) data, (gssize) size, "fuzz.conf", NULL);
  return 0;
}
