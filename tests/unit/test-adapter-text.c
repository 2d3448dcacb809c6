/* The plain-text adapter, and the parts of adapter.c every format shares. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent-fixture.h"

/* Every line is text; limit and retry lines are also reported. */
static void
test_text_lines(void **state)
{
	static const char	*out =
	    "Tokens: 12k sent, 1.2k received. Cost: $0.05 message.\n"
	    "\n"
	    "{\"type\":\"result\"}\r\n"
	    "5-hour limit reached \xe2\x88\x99 resets 2am\n"
	    "Attempt 1 failed: Please retry in 5.2s\n"
	    "no newline at the end";
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	/* 23:00 in Seoul (2026-01-15 14:00 UTC): 2am is tomorrow, 17:00 UTC. */
	o.now = 1768485600;
	o.tz = "Asia/Seoul";
	o.chunk = 3;
	fx_play_data(&fx, "text", out, strlen(out), &o);
	/* 5 non-empty lines, JSON or not, and the last without a newline. */
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 5);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 1)->text,
	    "{\"type\":\"result\"}");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 4)->text,
	    "no newline at the end");
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "five_hour");
	assert_int_equal(ev->limit.reset_at, 1768496400);
	ev = fx_nth(&fx, ADAPTER_EV_RETRY, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_RETRY);
	/* 5.2 s rounds up to 6. */
	assert_int_equal(ev->limit.reset_at, 1768485600 + 6);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	fx_free(&fx);
}

/* Format names, the event names, and an unknown format. */
static void
test_registry(void **state)
{
	struct adapter	*a;
	char		*cause = NULL;
	const char	*names[] = { "claude", "amp", "codex", "gemini",
			    "opencode", "text" };
	size_t		 i;

	for (i = 0; i < nitems(names); i++) {
		a = adapter_new(names[i], &cause);
		assert_non_null(a);
		assert_string_equal(a->ops->name, names[i]);
		adapter_free(a);
	}
	assert_null(adapter_new("cursor", &cause));
	assert_non_null(strstr(cause, "unknown stream format: cursor"));
	assert_non_null(strstr(cause, "opencode"));
	free(cause);
	assert_string_equal(adapter_ev_name(ADAPTER_EV_TOOL_END), "tool_end");
	assert_string_equal(adapter_ev_name(ADAPTER_NEV), "unknown");
}

/* An empty run that failed, and finish called twice. */
static void
test_finish(void **state)
{
	struct adapter		*a;
	struct adapter_event	*ev;
	char			*cause = NULL;
	int			 n = 0;

	a = adapter_new("claude", &cause);
	adapter_finish(a, 127);
	adapter_finish(a, 127);
	while ((ev = adapter_next(a)) != NULL) {
		if (n == 0) {
			assert_int_equal(ev->kind, ADAPTER_EV_ERROR);
			assert_string_equal(ev->text, "exited with status 127 "
			    "without a final event");
		} else {
			assert_int_equal(ev->kind, ADAPTER_EV_TURN_END);
			assert_true(ev->is_error);
			assert_int_equal(ev->exit_status, 127);
		}
		adapter_event_free(ev);
		n++;
	}
	assert_int_equal(n, 2);
	adapter_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_finish),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
