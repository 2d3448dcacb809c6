/* Decomposition JSON: the shape, indexes and cycles are checked whole. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

static int
parse(const char *text, struct plan *plan, char **cause)
{
	*cause = NULL;
	return (plan_parse(text, strlen(text), plan, cause));
}

static void
test_valid(void **state)
{
	struct plan	 plan;
	char		*cause;

	assert_int_equal(parse("[{\"title\":\"a\",\"role\":\"architect\","
	    "\"body\":\"b\"},{\"title\":\"c\",\"blocked_by\":[0]},"
	    "{\"title\":\"d\",\"blocked_by\":[0,1],\"other\":1}]", &plan,
	    &cause), 0);
	assert_int_equal(plan.count, 3);
	assert_string_equal(plan.items[0].role, "architect");
	assert_string_equal(plan.items[0].body, "b");
	assert_string_equal(plan.items[1].role, "worker");
	assert_string_equal(plan.items[1].body, "");
	assert_int_equal(plan.items[2].nblocked_by, 2);
	assert_int_equal(plan.items[2].blocked_by[1], 1);
	plan_free(&plan);
}

/* Each bad plan and the words its error must contain. */
static const struct {
	const char	*text;
	const char	*error;
} bad_plans[] = {
	{ "", "malformed JSON at line 1, column 1" },
	{ "[\n{\"title\": \"a\",}\n]", "malformed JSON at line 2" },
	{ "[{\"title\":\"a\"}] x", "malformed JSON" },
	{ "{}", "a plan is a JSON array" },
	{ "[]", "no subtasks" },
	{ "[1]", "subtask 0 is not an object" },
	{ "[{\"title\":3}]", "subtask 0 needs a \"title\"" },
	{ "[{\"title\":\"a\",\"role\":\"\"}]", "bad \"role\"" },
	{ "[{\"title\":\"a\",\"role\":5}]", "bad \"role\"" },
	{ "[{\"title\":\"a\",\"blocked_by\":[\"0\"]}]", "not an index" },
	{ "[{\"title\":\"a\"},{\"title\":\"b\",\"blocked_by\":[2]}]",
	  "not an index from 0 to 1" },
	{ "[{\"title\":\"a\",\"blocked_by\":[0]}]", "subtask 0 waits on itself" },
	{ "[{\"title\":\"a\",\"blocked_by\":[1]},{\"title\":\"b\","
	  "\"blocked_by\":[0]}]", "subtasks form a cycle: 0 \xe2\x86\x92 1 "
	  "\xe2\x86\x92 0" },
};

static void
test_invalid(void **state)
{
	struct plan	 plan;
	char		*cause;
	size_t		 i;

	for (i = 0; i < nitems(bad_plans); i++) {
		assert_int_equal(parse(bad_plans[i].text, &plan, &cause), -1);
		assert_non_null(cause);
		if (strstr(cause, bad_plans[i].error) == NULL)
			fail_msg("plan %zu: '%s' not in '%s'", i,
			    bad_plans[i].error, cause);
		assert_int_equal(plan.count, 0);
		free(cause);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
