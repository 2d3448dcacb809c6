/* Worktree slugs: safe in a path, a branch name and a shell word. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

static void
check_slug(const char *title, const char *want)
{
	char	*s = worktree_slug(title);

	assert_string_equal(s, want);
	free(s);
}

static void
test_slug_plain(void **state)
{
	check_slug("Fix the parser", "fix-the-parser");
	check_slug("Add -L: the length of the longest line",
	    "add-l-the-length-of-the-longest-line");
	check_slug("v2.0 release", "v2-0-release");
	check_slug("ABC123", "abc123");
}

static void
test_slug_hostile(void **state)
{
	check_slug("Fix \"the\" parser; $(rm -rf ~) `id` && x",
	    "fix-the-parser-rm-rf-id-x");
	check_slug("one\ntwo\r\nthree\tfour", "one-two-three-four");
	check_slug("caf\xc3\xa9 \xff\xfe ok", "caf-ok");
	check_slug("../../etc/passwd", "etc-passwd");
	check_slug("refs/heads/x.lock", "refs-heads-x-lock");
	check_slug("@{-1}^~:?*[", "1");
}

static void
test_slug_never_empty(void **state)
{
	check_slug("", "task");
	check_slug("!!! ???", "task");
	check_slug("\xe6\xbc\xa2\xe5\xad\x97", "task");
	check_slug("---", "task");
}

static void
test_slug_length(void **state)
{
	char	*title, *s;
	size_t	 i, len = 1024 * 1024;

	title = malloc(len + 1);
	assert_non_null(title);
	for (i = 0; i < len; i++)
		title[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 26);
	title[len] = '\0';
	s = worktree_slug(title);
	assert_true(strlen(s) <= 40);
	assert_true(strlen(s) > 0);
	assert_true(s[strlen(s) - 1] != '-');
	assert_true(s[0] != '-');
	free(s);
	free(title);

	/* A word that would leave a '-' at the cut ends before it. */
	check_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	check_slug("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug_plain),
		cmocka_unit_test(test_slug_hostile),
		cmocka_unit_test(test_slug_never_empty),
		cmocka_unit_test(test_slug_length),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
