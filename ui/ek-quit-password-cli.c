/* ek-quit-password-cli.c: `exam-kiosk --quit-password-hash`
 *
 * Reads the technician's quit password (from the terminal without echo, asked twice;
 * or one line from a pipe) and prints its hash for [lockdown] quit-password-hash. The
 * password is never printed, written or put on a command line.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ek-quit-password.h"
#include "ek-quit-password-cli.h"

/* As many as a technician waits for once, many more than a guesser can afford. */
#define ITERATIONS 200000

/* Returns: (transfer full) (nullable): one line from stdin, without its end */
static char *
read_line (const char *prompt,
           gboolean    terminal)
{
  struct termios saved, quiet;
  char buffer[1024];
  char *line = NULL;

  if (terminal)
    {
      g_printerr ("%s", prompt);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }

  if (fgets (buffer, sizeof buffer, stdin) != NULL)
    line = g_strndup (buffer, strcspn (buffer, "\r\n"));

  if (terminal)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }

  explicit_bzero (buffer, sizeof buffer);
  return line;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

/**
 * ek_quit_password_cli_run:
 *
 * Returns: 0 with the hash printed, 1 when no usable password was given
 */
int
ek_quit_password_cli_run (void)
{
  gboolean terminal = isatty (STDIN_FILENO);
  char *password = NULL;
  char *again = NULL;
  g_autofree char *hash = NULL;
  int status = 1;

  password = read_line (_("Quit password: "), terminal);
  if (password == NULL || g_utf8_strlen (password, -1) < 6)
    {
      g_printerr ("%s\n", _("The quit password must have at least 6 characters."));
      goto out;
    }

  if (terminal)
    {
      again = read_line (_("The same again: "), terminal);
      if (again == NULL || !g_str_equal (password, again))
        {
          g_printerr ("%s\n", _("The two passwords differ; nothing was made."));
          goto out;
        }
    }

  hash = ek_quit_password_hash (password, ITERATIONS);
  g_print ("%s\n", hash);
  status = 0;

out:
  free_secret (password);
  free_secret (again);
  return status;
}
