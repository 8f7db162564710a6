/* ek-fuzz.h: what every libFuzzer target of tests/fuzz shares
 *
 * A GLib critical or warning is a bug the fuzzer found: make it abort, so libFuzzer
 * keeps the input. Debug messages are dropped (they only slow the runs down).
 */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stddef.h>

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

static void
ek_fuzz_drop_log_cb (const char     *log_domain,
                     GLogLevelFlags  log_level,
                     const char     *message,
                     gpointer        user_data)
{
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_ERROR);
  g_log_set_handler (NULL, G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE,
                     ek_fuzz_drop_log_cb, NULL);
  g_log_set_handler ("ExamKiosk-Client", G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE,
                     ek_fuzz_drop_log_cb, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  return 0;
}
