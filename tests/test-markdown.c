/* test-markdown.c: attachments' Markdown as Pango markup, and nothing injected */

#include "config.h"

#include <gtk/gtk.h>

#include "ek-markdown.h"

static void
check (const char *markdown,
       const char *expected)
{
  g_autofree char *markup = ek_markdown_to_pango (markdown);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (markup, ==, expected);
  /* Whatever came in, the result is valid markup. */
  g_assert_true (pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_blocks (void)
{
  check ("# Title\n\nFirst line\nsame paragraph.\n\nSecond.",
         "<span size=\"x-large\" weight=\"bold\">Title</span>\n\nFirst line same paragraph.\n\nSecond.");
  check ("- one\n- two", "  •  one\n  •  two");
  check ("1. read\n2) answer", "  1.  read\n  2.  answer");
  check ("## Sub", "<span size=\"large\" weight=\"bold\">Sub</span>");
}

static void
test_inline (void)
{
  check ("**bold** and *it* and _it_ and `a<b`", "<b>bold</b> and <i>it</i> and <i>it</i> and <tt>a&lt;b</tt>");
  check ("2 * 3 * 4", "2 * 3 * 4");
  check ("snake_case_name", "snake_case_name");
  check ("**unclosed", "**unclosed");
}

static void
test_escaping (void)
{
  check ("<span foreground=\"red\">x</span> & co",
         "&lt;span foreground=&quot;red&quot;&gt;x&lt;/span&gt; &amp; co");
  check ("[link](http://example.org) ![img](x.png)",
         "[link](http://example.org) ![img](x.png)");
  check ("中文 **粗体**", "中文 <b>粗体</b>");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/markdown/blocks", test_blocks);
  g_test_add_func ("/markdown/inline", test_inline);
  g_test_add_func ("/markdown/escaping", test_escaping);

  return g_test_run ();
}
