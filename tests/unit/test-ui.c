/* The UI's pure pieces: report arithmetic and words, themes, event text. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

static void
check_str(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void
test_percentile(void **state)
{
	int64_t	cycles[] = { 36000, 600, 7200, 3600 };
	int64_t	ten[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	int64_t	one[] = { 42 };

	assert_int_equal(report_percentile(cycles, 4, 50), 3600);
	assert_int_equal(report_percentile(cycles, 4, 90), 36000);
	assert_int_equal(report_percentile(ten, 10, 50), 5);
	assert_int_equal(report_percentile(ten, 10, 90), 9);
	assert_int_equal(report_percentile(ten, 10, 100), 10);
	assert_int_equal(report_percentile(ten, 10, 0), 1);
	assert_int_equal(report_percentile(one, 1, 90), 42);
	assert_int_equal(report_percentile(NULL, 0, 50), -1);
}

static void
test_words(void **state)
{
	check_str(report_cost(0.75, 2, 0), "$0.75");
	check_str(report_cost(0.1, 2, 1), "$0.10+1 unknown");
	check_str(report_cost(0, 2, 2), "cost unknown");
	check_str(report_cost(0.004, 1, 0), "$0.004");
	check_str(report_cost(0, 0, 0), "$0.00");
	check_str(report_duration(42), "42s");
	check_str(report_duration(125), "2m05s");
	check_str(report_duration(3700), "1h01m");
	check_str(report_duration(90000), "1d01h");
	check_str(report_duration(-5), "0s");
	check_str(report_tokens(950), "950");
	check_str(report_tokens(12345), "12.3k");
	check_str(report_tokens(4100000), "4.1M");
}

static void
test_text(void **state)
{
	struct text	t;

	memset(&t, 0, sizeof t);
	text_add(&t, TEXT_HEADING, "Done (%d)", 2);
	text_add(&t, TEXT_PLAIN, "%s", "");
	assert_int_equal(t.n, 2);
	assert_int_equal(t.lines[0].kind, TEXT_HEADING);
	assert_string_equal(t.lines[0].text, "Done (2)");
	text_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.lines);
}

static void
theme_fails(const char *text, const char *want)
{
	char	*cause = NULL;

	assert_int_equal(theme_parse(text, strlen(text), &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("\"%s\" does not say \"%s\"", cause, want);
	free(cause);
}

static void
test_theme(void **state)
{
	static const char	 good[] = "# comment\n[theme]\n"
	    "selection = black on yellow bold\ncost = #5a6b4a on #dad4bb\n"
	    "dim = color245\nheading = default bold underline\n"
	    "countdown = bright-yellow reverse italic\n";
	char			*cause = NULL;

	assert_int_equal(theme_parse(good, strlen(good), &cause), 0);
	assert_null(cause);
	theme_fails("[theme]\nselection = purple\n", "unknown colour or "
	    "attribute \"purple\"");
	theme_fails("[theme]\nnosuchrole = red\n", "unknown role "
	    "\"nosuchrole\"");
	theme_fails("[theme]\ncost = red on\n", "\"on\" without a colour");
	theme_fails("[theme]\ncost = color256\n", "color256");
	theme_fails("[theme]\ncost = #12345\n", "#12345");
	theme_fails("[colours]\ncost = red\n", "unknown section [colours]");
	theme_fails("[theme]\nthis line has no equals sign\n", "line 2");
}

static void
test_theme_files(void **state)
{
	static const char	*names[] = { "default", "mono",
	    "high-contrast", "nier" };
	char			*path, *text, *cause = NULL;
	const char		*dir = getenv("SRCDIR");
	u_int			 i;

	if (dir == NULL)
		skip();
	for (i = 0; i < nitems(names); i++) {
		xasprintf(&path, "%s/themes/%s", dir, names[i]);
		text = cmd_read_file(path, &cause);
		assert_non_null(text);
		if (theme_parse(text, strlen(text), &cause) != 0)
			fail_msg("%s: %s", path, cause);
		free(text);
		free(path);
	}
}

static void
test_event_summary(void **state)
{
	check_str(event_summary("text", "{\"text\":\"hello\"}"), "hello");
	check_str(event_summary("tool", "{\"name\":\"Bash\",\"input\":{}}"),
	    "Bash");
	check_str(event_summary("error", "{\"message\":\"429\"}"), "429");
	check_str(event_summary("text", "plain words"), "plain words");
	check_str(event_summary("text", "{not json"), "{not json");
	check_str(event_summary("tool", "{\"other\":1}"), "{\"other\":1}");
	check_str(event_summary("usage", NULL), "usage");
}

static void
test_board_column(void **state)
{
	struct board_card	c;

	memset(&c, 0, sizeof c);
	c.state = TASK_BACKLOG;
	assert_int_equal(board_column(&c), BOARD_COL_READY);
	c.nopen_blockers = 1;
	assert_int_equal(board_column(&c), BOARD_COL_BACKLOG);
	c.state = TASK_READY;
	assert_int_equal(board_column(&c), BOARD_COL_BACKLOG);
	c.state = TASK_MERGING;
	assert_int_equal(board_column(&c), BOARD_COL_REVIEW);
	c.state = TASK_WAITING;
	assert_int_equal(board_column(&c), BOARD_COL_BLOCKED);
	c.state = TASK_CANCELLED;
	assert_int_equal(board_column(&c), BOARD_COL_FAILED);
	assert_string_equal(board_column_name(BOARD_COL_BLOCKED),
	    "blocked/waiting");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_theme),
		cmocka_unit_test(test_theme_files),
		cmocka_unit_test(test_event_summary),
		cmocka_unit_test(test_board_column),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
