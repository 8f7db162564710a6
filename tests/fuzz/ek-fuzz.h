/* ek-fuzz.h: what every libFuzzer target of tests/fuzz shares
 *
 * A GLib critical or warning is a bug the fuzzer found: it aborts, so libFuzzer
 * keeps the input. Other messages are dropped (they only slow the runs down).
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stddef.h>

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

#include <stdio.h>
#include <stdlib.h>

/* GLib would stop a fatal message with SIGTRAP, which libFuzzer does not catch:
 * abort() instead, so that it keeps the input as a crash. */
static void
ek_fuzz_log_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", log_domain ? log_domain : "(none)", message);
      abort ();
    }
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (ek_fuzz_log_cb, NULL);
  g_unsetenv ("G_MESSAGES_DEBUG");
  return 0;
}
