/* Markdown checklists: nesting, marks, bodies, fences and bad files. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

static size_t
parse(const char *text, struct md_item **items, char **cause)
{
	size_t	n;

	*cause = NULL;
	if (md_checklist_parse(text, strlen(text), items, &n, cause) != 0)
		return ((size_t)-1);
	return (n);
}

static void
test_nesting(void **state)
{
	struct md_item	*items;
	char		*cause;
	const char	*text =
	    "- [ ] one\n"
	    "  - [x] one.a\n"
	    "    - [ ] one.a.i\n"
	    "  - [ ] one.b\n"
	    "- [ ] two\n"
	    "\t- [ ] two.a (tab)\n";

	assert_int_equal(parse(text, &items, &cause), 6);
	assert_string_equal(items[0].title, "one");
	assert_int_equal(items[0].parent, -1);
	assert_int_equal(items[1].parent, 0);
	assert_true(items[1].checked);
	assert_int_equal(items[2].parent, 1);
	assert_int_equal(items[3].parent, 0);
	assert_int_equal(items[4].parent, -1);
	assert_int_equal(items[5].parent, 4);
	assert_int_equal(items[5].line, 6);
	md_items_free(items, 6);
}

static void
test_markers(void **state)
{
	struct md_item	*items;
	char		*cause;
	const char	*text =
	    "* [ ] star\n"
	    "+ [X] plus\n"
	    "12. [ ] dot\n"
	    "3) [ ] paren\n"
	    "- [] not a box\n"
	    "-[ ] no space\n"
	    "- [ ]x glued\n";

	assert_int_equal(parse(text, &items, &cause), 4);
	assert_string_equal(items[0].title, "star");
	assert_true(items[1].checked);
	assert_string_equal(items[2].title, "dot");
	assert_string_equal(items[3].title, "paren");
	md_items_free(items, 4);
}

static void
test_body(void **state)
{
	struct md_item	*items;
	char		*cause;
	const char	*text =
	    "Intro text.\n"
	    "- [ ] task  \n"
	    "  first line\n"
	    "\n"
	    "  second para\n"
	    "      indented code\n"
	    "Not indented: ends the body.\n"
	    "  - [ ] after\n";

	assert_int_equal(parse(text, &items, &cause), 2);
	assert_string_equal(items[0].title, "task");
	assert_string_equal(items[0].body,
	    "first line\n\nsecond para\n    indented code");
	/* Text at the top level closed the list: "after" has no parent. */
	assert_int_equal(items[1].parent, -1);
	md_items_free(items, 2);
}

static void
test_fences(void **state)
{
	struct md_item	*items;
	char		*cause;
	const char	*text =
	    "```\n- [ ] hidden\n```\n"
	    "~~~md\n- [ ] hidden too\n```\n- [ ] still hidden\n~~~\n"
	    "- [ ] shown\n";

	assert_int_equal(parse(text, &items, &cause), 1);
	assert_string_equal(items[0].title, "shown");
	md_items_free(items, 1);
}

static void
test_errors(void **state)
{
	struct md_item	*items;
	char		*cause;

	assert_int_equal(parse("- [ ] ok\n- [-] odd\n", &items, &cause),
	    (size_t)-1);
	assert_string_equal(cause, "line 2: unknown checkbox [-] (use [ ] or "
	    "[x])");
	free(cause);
	assert_int_equal(parse("- [x]\n", &items, &cause), (size_t)-1);
	assert_string_equal(cause, "line 1: checklist item has no title");
	free(cause);
	assert_int_equal(parse("# nothing\n", &items, &cause), (size_t)-1);
	assert_non_null(strstr(cause, "no checklist items"));
	free(cause);
	assert_int_equal(parse("", &items, &cause), (size_t)-1);
	free(cause);
	assert_int_equal(parse("- [ ] \xff\n", &items, &cause), (size_t)-1);
	assert_string_equal(cause, "the file is not valid UTF-8");
	free(cause);
}

static void
test_crlf_and_no_final_newline(void **state)
{
	struct md_item	*items;
	char		*cause;

	assert_int_equal(parse("- [ ] a\r\n  - [ ] b", &items, &cause), 2);
	assert_string_equal(items[0].title, "a");
	assert_string_equal(items[1].title, "b");
	assert_int_equal(items[1].parent, 0);
	md_items_free(items, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_fences),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_crlf_and_no_final_newline),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
