/* ek-self-check-cli.c: `exam-kiosk --self-check [--json FILE] [--html FILE] [--server URL]`
 *
 * Runs the device check without a window. The terminal shows which computer and which
 * configuration file are checked, the step being measured while it runs (on a
 * terminal), then every result, failures first, and a summary; the reports go to FILE.
 * Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org).
 * The X11 display is opened when there is one (to count the monitors and read the
 * keyboard map), never required: without it those checks fail and say why.
 */

#include "config.h"

#include <unistd.h>

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
  gboolean      progress;  /* stderr is a terminal: show the step being measured */
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
    case EK_CHECK_SKIP:
      return C_("terminal status", "SKIP");
    case EK_CHECK_FAIL:
    default:
      return C_("terminal status", "FAIL");
    }
}

static const char *
terminal_colour (EkCheckStatus status)
{
  switch (status)
    {
    case EK_CHECK_PASS:
      return "\033[32m";
    case EK_CHECK_WARN:
      return "\033[1;33m";
    case EK_CHECK_SKIP:
      return "\033[2m";
    case EK_CHECK_FAIL:
    default:
      return "\033[1;31m";
    }
}

/**
 * ek_self_check_cli_use_colour:
 *
 * Returns: whether to colour the output: stdout is a terminal and NO_COLOR is not set
 */
gboolean
ek_self_check_cli_use_colour (void)
{
  const char *no_colour = g_getenv ("NO_COLOR");

  return isatty (STDOUT_FILENO) && (no_colour == NULL || *no_colour == '\0');
}

static void
print_result (const EkCheckResult *result,
              gboolean             colour)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const char *tag = terminal_tag (result->status);

  if (colour)
    g_string_append_printf (line, "%s%s\033[0m", terminal_colour (result->status), tag);
  else
    g_string_append (line, tag);
  /* The tags are ASCII in English; pad by characters for the translated ones. */
  for (glong n = g_utf8_strlen (tag, -1); n < 4; n++)
    g_string_append_c (line, ' ');

  g_string_append_printf (line, "  %s: %s", result->title, result->value);
  if (result->threshold != NULL)
    /* Translators: after a measured value on the terminal, e.g. " (needed: at least 4 GiB)" */
    g_string_append_printf (line, _(" (needed: %s)"), result->threshold);
  if (result->remedy != NULL)
    g_string_append_printf (line, " — %s", result->remedy);

  g_print ("%s\n", line->str);
}

static void
on_current_step_cb (EkSelfCheck *check,
                    GParamSpec  *pspec,
                    CliRun      *run)
{
  const char *step = ek_self_check_get_current_step (check);

  /* One line, rewritten: the results come sorted at the end. */
  if (run->progress)
    g_printerr ("\r\033[K%s", step != NULL ? step : "");
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

static void
print_results (EkSelfCheck *check)
{
  g_autoptr(GPtrArray) sorted = ek_self_check_dup_sorted_results (check);
  gboolean colour = ek_self_check_cli_use_colour ();

  for (guint i = 0; i < sorted->len; i++)
    print_result (g_ptr_array_index (sorted, i), colour);

  /* Translators: the summary line on the terminal */
  g_print (_("%u failed, %u warnings, %u skipped, %u passed.\n"),
           ek_self_check_count (check, EK_CHECK_FAIL), ek_self_check_count (check, EK_CHECK_WARN),
           ek_self_check_count (check, EK_CHECK_SKIP), ek_self_check_count (check, EK_CHECK_PASS));
}

static gboolean
save_reports (EkSelfCheck *check,
              const char  *json_path,
              const char  *html_path)
{
  g_autoptr(GError) error = NULL;

  if (json_path != NULL && !ek_self_check_save_json (check, json_path, &error))
    {
      g_printerr (_("The report could not be written to %s: %s\n"), json_path, error->message);
      return FALSE;
    }

  if (html_path != NULL && !ek_self_check_save_html (check, html_path, &error))
    {
      g_printerr (_("The report could not be written to %s: %s\n"), html_path, error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * ek_self_check_cli_run:
 * @config: the configuration (server, storage, media)
 * @json_path: (nullable): where to write the JSON report
 * @html_path: (nullable): where to write the HTML report
 * @server_url: (nullable): the exam server to measure instead of the configuration's
 *
 * Returns: %EK_SELF_CHECK_EXIT_READY, %EK_SELF_CHECK_EXIT_FAILED or
 *   %EK_SELF_CHECK_EXIT_NOT_RUN
 */
int
ek_self_check_cli_run (EkConfig   *config,
                       const char *json_path,
                       const char *html_path,
                       const char *server_url)
{
  g_autoptr(EkSelfCheck) check = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GError) error = NULL;
  CliRun run = { 0 };
  const char *source = ek_config_get_source (config);
  guint interrupt_id;

  if (server_url != NULL && !ek_server_url_is_acceptable (server_url, &error))
    {
      g_printerr ("%s\n", error->message);
      return EK_SELF_CHECK_EXIT_NOT_RUN;
    }

  check = ek_self_check_new (config);
  if (server_url != NULL)
    ek_self_check_set_server_url (check, server_url);
  ek_self_check_set_display_available (check, open_display ());

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  run.loop = loop;
  run.cancellable = cancellable;
  run.progress = isatty (STDERR_FILENO);
  g_signal_connect (check, "notify::current-step", G_CALLBACK (on_current_step_cb), &run);
  interrupt_id = g_unix_signal_add (SIGINT, on_interrupt_cb, &run);

  /* Translators: %s is this computer's name */
  g_print (_("Checking this computer (%s) for the exam…\n"), g_get_host_name ());
  /* Translators: %s is the configuration file read */
  g_print (_("Configuration: %s\n"), source != NULL ? source : _("built-in defaults (no file)"));
  ek_self_check_run_async (check, cancellable, on_run_done_cb, &run);
  while (!run.done)
    g_main_loop_run (loop);
  g_source_remove (interrupt_id);
  if (run.progress)
    g_printerr ("\r\033[K");

  if (run.error != NULL)
    {
      g_printerr ("%s\n", run.error->message);
      g_clear_error (&run.error);
      return EK_SELF_CHECK_EXIT_NOT_RUN;
    }

  print_results (check);

  if (!save_reports (check, json_path, html_path))
    return EK_SELF_CHECK_EXIT_NOT_RUN;

  return ek_self_check_count (check, EK_CHECK_FAIL) > 0 ? EK_SELF_CHECK_EXIT_FAILED
                                                        : EK_SELF_CHECK_EXIT_READY;
}
