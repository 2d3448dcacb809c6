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

/* The string index grows and keeps every key. */
static void
test_index(void **state)
{
	struct adapter_index	 ix;
	char			 key[32];
	size_t			 i, v;

	memset(&ix, 0, sizeof ix);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		assert_int_equal(adapter_index_put(&ix, key, i * 3), 1);
	}
	assert_int_equal(adapter_index_put(&ix, "k17", 0), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		assert_int_equal(adapter_index_get(&ix, key, &v), 1);
		assert_int_equal(v, i * 3);
	}
	assert_int_equal(adapter_index_get(&ix, "k5000", &v), 0);
	assert_int_equal(ix.used, 5000);
	adapter_index_free(&ix);
}

/*
 * A long run: 20000 calls, each written twice (two content blocks), the
 * second with more output. Each counts once with its larger figure.
 */
static void
test_many_calls(void **state)
{
	struct adapter		*a;
	struct adapter_event	*ev;
	struct adapter_usage	 t;
	char			*cause = NULL, line[256];
	int			 i, k, n;

	a = adapter_new("claude", &cause);
	for (i = 0; i < 20000; i++) {
		for (k = 1; k <= 2; k++) {
			n = snprintf(line, sizeof line, "{\"type\":\"assistant\","
			    "\"message\":{\"id\":\"msg_%d\",\"model\":"
			    "\"claude-haiku-4-5\",\"content\":[],\"usage\":"
			    "{\"input_tokens\":10,\"output_tokens\":%d}}}\n", i,
			    k);
			adapter_feed(a, line, (size_t)n);
		}
		while ((ev = adapter_next(a)) != NULL)
			adapter_event_free(ev);
	}
	adapter_finish(a, 0);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	assert_int_equal(a->ncalls, 20000);
	adapter_totals(a, &t);
	/* 20000 * 10 in, 20000 * 2 out. */
	assert_int_equal(t.in, 200000);
	assert_int_equal(t.out, 40000);
	adapter_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_many_calls),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
