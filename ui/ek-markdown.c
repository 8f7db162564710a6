/* ek-markdown.c: the small part of Markdown an exam attachment needs, as Pango markup */

#include "config.h"

#include <string.h>

#include "ek-markdown.h"

/* Appends @text with inline emphasis turned into markup; every other character is
 * escaped. An opening mark without its closing mark stays as typed. */
static void
append_inline (GString    *out,
               const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *close = NULL;
      const char *open_tag = NULL;
      const char *close_tag = NULL;
      gsize mark_len = 0;

      if (p[0] == '*' && p[1] == '*')
        {
          close = strstr (p + 2, "**");
          open_tag = "<b>";
          close_tag = "</b>";
          mark_len = 2;
        }
      else if (p[0] == '`')
        {
          close = strchr (p + 1, '`');
          open_tag = "<tt>";
          close_tag = "</tt>";
          mark_len = 1;
        }
      else if ((p[0] == '*' || p[0] == '_') && p[1] != ' ' && p[1] != '\0' &&
               (p == text || !g_ascii_isalnum (p[-1])))
        {
          close = strchr (p + 1, p[0]);
          open_tag = "<i>";
          close_tag = "</i>";
          mark_len = 1;
        }

      if (close != NULL && close > p + mark_len)
        {
          g_autofree char *inner = g_strndup (p + mark_len, close - p - mark_len);

          g_string_append (out, open_tag);
          if (open_tag[1] == 't')
            {
              g_autofree char *escaped = g_markup_escape_text (inner, -1);

              g_string_append (out, escaped);
            }
          else
            {
              append_inline (out, inner);
            }
          g_string_append (out, close_tag);
          p = close + mark_len;
          continue;
        }

      {
        const char *next = g_utf8_next_char (p);
        g_autofree char *escaped = g_markup_escape_text (p, next - p);

        g_string_append (out, escaped);
        p = next;
      }
    }
}

static gboolean
is_numbered_item (const char  *line,
                  const char **rest,
                  guint64     *number)
{
  const char *p = line;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == line || p - line > 3 || (p[0] != '.' && p[0] != ')') || p[1] != ' ')
    return FALSE;

  *number = g_ascii_strtoull (line, NULL, 10);
  *rest = p + 2;
  return TRUE;
}

/**
 * ek_markdown_to_pango:
 * @markdown: UTF-8 text
 *
 * Returns: (transfer full): Pango markup for a wrapping GtkLabel
 */
char *
ek_markdown_to_pango (const char *markdown)
{
  g_auto(GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  GString *paragraph = g_string_new (NULL);
  gboolean need_gap = FALSE;

  g_return_val_if_fail (markdown != NULL, NULL);

  lines = g_strsplit (markdown, "\n", -1);

#define FLUSH_PARAGRAPH()                                   \
  G_STMT_START {                                            \
    if (paragraph->len > 0)                                 \
      {                                                     \
        if (need_gap)                                       \
          g_string_append (out, "\n\n");                    \
        append_inline (out, paragraph->str);                \
        g_string_truncate (paragraph, 0);                   \
        need_gap = TRUE;                                    \
      }                                                     \
  } G_STMT_END

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      const char *rest = NULL;
      guint64 number = 0;
      guint level = 0;

      if (*line == '\0')
        {
          FLUSH_PARAGRAPH ();
          continue;
        }

      while (line[level] == '#' && level < 6)
        level++;

      if (level > 0 && line[level] == ' ')
        {
          static const char * const sizes[] = { "x-large", "large", "medium" };

          FLUSH_PARAGRAPH ();
          if (need_gap)
            g_string_append (out, "\n\n");
          g_string_append_printf (out, "<span size=\"%s\" weight=\"bold\">",
                                  sizes[MIN (level, 3) - 1]);
          append_inline (out, line + level + 1);
          g_string_append (out, "</span>");
          need_gap = TRUE;
        }
      else if ((line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ')
        {
          FLUSH_PARAGRAPH ();
          g_string_append (out, need_gap ? "\n" : "");
          g_string_append (out, "  •  ");
          append_inline (out, line + 2);
          need_gap = TRUE;
        }
      else if (is_numbered_item (line, &rest, &number))
        {
          FLUSH_PARAGRAPH ();
          g_string_append (out, need_gap ? "\n" : "");
          g_string_append_printf (out, "  %" G_GUINT64_FORMAT ".  ", number);
          append_inline (out, rest);
          need_gap = TRUE;
        }
      else
        {
          if (paragraph->len > 0)
            g_string_append_c (paragraph, ' ');
          g_string_append (paragraph, line);
        }
    }

  FLUSH_PARAGRAPH ();

#undef FLUSH_PARAGRAPH

  g_string_free (paragraph, TRUE);
  return g_string_free (out, FALSE);
}
