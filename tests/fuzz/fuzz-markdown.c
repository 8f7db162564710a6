/* fuzz-markdown.c: an attachment's Markdown as Pango markup (ui/ek-markdown.c)
 *
 * The attachments page renders only valid UTF-8 (anything else is refused before),
 * so only that reaches the renderer. What comes out must always be markup Pango
 * accepts: a label that cannot parse it would show nothing, and markup that the
 * input could shape is an injection.
 */

#include "config.h"

#include <pango/pango.h>

#include "ek-fuzz.h"
#include "ek-markdown.h"

static void
check_element (GMarkupParseContext  *context,
               const char           *element,
               const char          **names,
               const char          **values,
               gpointer              user_data,
               GError              **error)
{
  static const char * const plain[] = { "markup", "b", "i", "tt", NULL };

  if (g_strv_contains (plain, element) && names[0] == NULL)
    return;
  if (g_str_equal (element, "span") && names[0] != NULL && g_str_equal (names[0], "size") &&
      names[1] != NULL && g_str_equal (names[1], "weight") && names[2] == NULL)
    return;

  fprintf (stderr, "markup beyond the renderer's own: <%s%s%s>\n", element,
           names[0] != NULL ? " " : "", names[0] != NULL ? names[0] : "");
  abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *markup = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_utf8_validate_len ((const char *) data, size, NULL))
    return 0;

  text = g_strndup ((const char *) data, size);
  markup = ek_markdown_to_pango (text);
  if (!pango_parse_markup (markup, -1, 0, NULL, &plain, NULL, &error))
    {
      fprintf (stderr, "not valid markup: %s\n%s\n", error->message, markup);
      abort ();
    }

  /* Nothing but the tags the renderer makes: no link, no colour, no font. */
  {
    static const GMarkupParser parser = { check_element, NULL, NULL, NULL, NULL };
    g_autofree char *document = g_strconcat ("<markup>", markup, "</markup>", NULL);
    g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, NULL, NULL);

    if (!g_markup_parse_context_parse (context, document, -1, NULL) ||
        !g_markup_parse_context_end_parse (context, NULL))
      abort ();
  }

  return 0;
}
