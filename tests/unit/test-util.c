/* UTF-8 checks and the safe rendering of outside text. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "baton.h"

static void
test_utf8_valid(void **state)
{
	assert_true(utf8_valid("plain", 5));
	assert_true(utf8_valid("caf\xc3\xa9 \xe6\xbc\xa2 \xf0\x9f\x8e\x89", 14));
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\xc3", 1));		/* cut short */
	assert_false(utf8_valid("\xc0\xaf", 2));	/* overlong '/' */
	assert_false(utf8_valid("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4));	/* past U+10FFFF */
}

static void
test_utf8_sanitize(void **state)
{
	char	*s;

	s = utf8_sanitize("a\xff" "b\xc3\xa9");
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xc3\xa9");
	free(s);
}

static void
test_vis(void **state)
{
	char	*s;

	s = util_vis("a\nb\tc\x1b[2J\x7f", 0);
	assert_string_equal(s, "a\\nb\\tc\\033[2J\\177");
	free(s);
	s = util_vis("bad \xfe!", 0);
	assert_string_equal(s, "bad \\xfe!");
	free(s);
	/* C1 controls (U+009B is a CSI) are escaped too. */
	s = util_vis("x\xc2\x9by", 0);
	assert_string_equal(s, "x\\u009by");
	free(s);
	s = util_vis("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
}

static void
test_width_and_fit(void **state)
{
	char	*s;

	assert_int_equal(util_width("abc"), 3);
	assert_int_equal(util_width("\xe6\xbc\xa2\xe5\xad\x97"), 4);
	s = util_fit("hello world", 8);
	assert_string_equal(s, "hello w\xe2\x80\xa6");
	assert_int_equal(util_width(s), 8);
	free(s);
	/* A wide character that would straddle the edge is left out. */
	s = util_fit("ab\xe6\xbc\xa2\xe5\xad\x97", 4);
	assert_string_equal(s, "ab\xe2\x80\xa6");
	free(s);
	s = util_fit("short", 10);
	assert_string_equal(s, "short");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_sanitize),
		cmocka_unit_test(test_vis),
		cmocka_unit_test(test_width_and_fit),
	};

	setlocale(LC_ALL, "C.UTF-8");
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
