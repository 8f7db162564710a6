/* ek-self-check-cli.c: `exam-kiosk --self-check [--json FILE] [--server URL]`
 *
 * Runs the device check without a window: one line per check as it finishes, a summary,
 * the JSON report to FILE. The X11 display is opened when there is one (to count the
 * monitors and read the keyboard map), never required: without it those checks fail
 * and say why.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <gdk/x11/gdkx.h>

#include "ek-self-check.h"
#include "ek-self-check-cli.h"

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GError       *error;
  gboolean      done;
} CliRun;

static const char *
terminal_tag (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      /* Translators: a check's result on the terminal; keep it short */
      return C_("terminal status", "PASS");
    case EK_CHECK_WARN:
      return C_("terminal status", "WARN");
    case EK_CHECK_FAIL:
    default:
      return C_("terminal status", "FAIL");
    }
}

static void
on_result_added_cb (EkSelfCheck         *check,
                    const EkCheckResult *result,
                    gpointer             user_data)
{
  g_autoptr(GString) line = g_string_new (NULL);

  g_string_append_printf (line, "%-4s  %s: %s", terminal_tag (result->status), result->title,
                          result->value);
  if (result->threshold != NULL)
    /* Translators: after a measured value on the terminal, e.g. " (needed: at least 4 GiB)" */
    g_string_append_printf (line, _(" (needed: %s)"), result->threshold);
  if (result->remedy != NULL)
    g_string_append_printf (line, " — %s", result->remedy);

  g_print ("%s\n", line->str);
}

static void
on_run_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CliRun *run = user_data;

  ek_self_check_run_finish (EK_SELF_CHECK (source), result, &run->error);
  run->done = TRUE;
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt_cb (gpointer user_data)
{
  CliRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Opens the X11 display if there is one; nothing is shown on it. */
static gboolean
open_display (void)
{
  GdkDisplay *display;

  if (g_getenv ("DISPLAY") == NULL)
    return FALSE;

  gdk_set_allowed_backends ("x11");
  if (!gtk_init_check ())
    return FALSE;

  display = gdk_display_get_default ();
  return display != NULL && GDK_IS_X11_DISPLAY (display);
}

/**
 * ek_self_check_cli_run:
 * @config: the configuration (server, storage, media)
 * @json_path: (nullable): where to write the JSON report
 * @server_url: (nullable): the exam server to measure instead of the configuration's
 *
 * Returns: %EK_SELF_CHECK_EXIT_READY, %EK_SELF_CHECK_EXIT_FAILED or
 *   %EK_SELF_CHECK_EXIT_NOT_RUN
 */
int
ek_self_check_cli_run (EkConfig   *config,
                       const char *json_path,
                       const char *server_url)
{
  g_autoptr(EkSelfCheck) check = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  CliRun run = { 0 };
  guint interrupt_id;
  guint fails, warnings, passes;

  if (server_url != NULL && !ek_server_url_is_acceptable (server_url, &error))
    {
      g_printerr ("%s\n", error->message);
      return EK_SELF_CHECK_EXIT_NOT_RUN;
    }

  check = ek_self_check_new (config);
  if (server_url != NULL)
    ek_self_check_set_server_url (check, server_url);
  ek_self_check_set_display_available (check, open_display ());
  g_signal_connect (check, "result-added", G_CALLBACK (on_result_added_cb), NULL);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  run.loop = loop;
  run.cancellable = cancellable;
  interrupt_id = g_unix_signal_add (SIGINT, on_interrupt_cb, &run);

  g_print ("%s\n", _("Checking this computer for the exam…"));
  ek_self_check_run_async (check, cancellable, on_run_done_cb, &run);
  while (!run.done)
    g_main_loop_run (loop);
  g_source_remove (interrupt_id);

  if (run.error != NULL)
    {
      g_printerr ("%s\n", run.error->message);
      g_clear_error (&run.error);
      return EK_SELF_CHECK_EXIT_NOT_RUN;
    }

  fails = ek_self_check_count (check, EK_CHECK_FAIL);
  warnings = ek_self_check_count (check, EK_CHECK_WARN);
  passes = ek_self_check_count (check, EK_CHECK_PASS);
  /* Translators: the summary line on the terminal */
  g_print (_("%u failed, %u warnings, %u passed.\n"), fails, warnings, passes);

  if (json_path != NULL && !ek_self_check_save_json (check, json_path, &error))
    {
      g_printerr (_("The report could not be written to %s: %s\n"), json_path, error->message);
      return EK_SELF_CHECK_EXIT_NOT_RUN;
    }

  return fails > 0 ? EK_SELF_CHECK_EXIT_FAILED : EK_SELF_CHECK_EXIT_READY;
}
