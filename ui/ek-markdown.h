/* ek-markdown.h: the small part of Markdown an exam attachment needs, as Pango markup
 *
 * Headings (#, ##, ###), paragraphs, bullet and numbered lists, **bold**, *italic*
 * or _italic_, `code`. Everything else is shown as the text it is; nothing in the
 * input can inject markup, links or images.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *ek_markdown_to_pango (const char *markdown);

G_END_DECLS
