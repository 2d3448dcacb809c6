/*
 * The OpenCode adapter against tests/fixtures/agents/opencode. Expected
 * figures are worked out from the files; the arithmetic is in comments.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent-fixture.h"

#define EPS 1e-9

/* run-format-json-tool-and-text.jsonl: two steps, a tool, a text part. */
static void
test_tool_and_text(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_event		*ev;
	struct adapter_usage		 t;
	size_t				 unknown;

	fx_play(&fx, "opencode", "opencode/run-format-json-tool-and-text.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_SESSION], 1);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->session_id,
	    "ses_494719016ffe85dkDMj0FPRbHK");
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_START, 0);
	assert_string_equal(ev->tool_id, "r9bQWsNLvOrJGIOz");
	assert_string_equal(ev->tool_name, "bash");
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_END, 0);
	assert_false(ev->is_error);
	assert_string_equal(ev->text, "hello\n");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "```\nhello\n```");

	/* Two steps, keyed by message id, with OpenCode's own cost. */
	assert_int_equal(fx.a->ncalls, 2);
	c = fx_call(&fx, "msg_b6b8e702b0012XuEC4bGe0XhKa");
	assert_int_equal(c->usage.in, 21772);
	assert_int_equal(c->usage.out, 110);
	assert_int_equal(c->usage.cache_read, 0);
	assert_true(c->has_cli_cost);
	assert_float_equal(c->cli_cost, 0, EPS);
	c = fx_call(&fx, "msg_b6b8e8627001yM4qKJCXdC7W1L");
	assert_int_equal(c->usage.in, 671);
	assert_int_equal(c->usage.cache_read, 21415);
	assert_int_equal(c->usage.out, 8);
	assert_float_equal(c->cli_cost, 0.001, EPS);
	/* 21772 + 671 = 22443 in, 110 + 8 = 118 out, 21415 read. */
	adapter_totals(fx.a, &t);
	assert_int_equal(t.in, 22443);
	assert_int_equal(t.out, 118);
	assert_int_equal(t.cache_read, 21415);
	/* The stream names no model: baton's cost is unknown. */
	fx_cost(&fx, &unknown);
	assert_int_equal(unknown, 2);
	/*
	 * Told the model (Claude Sonnet 4.5 through its provider prefix):
	 * step 1: 21772*3 + 110*15 = 65316 + 1650 = 66966
	 * step 2: 671*3 + 21415*0.3 + 8*15 = 2013 + 6424.5 + 120 = 8557.5
	 * Sum 75523.5 -> $0.0755235.
	 */
	fx_free(&fx);
	o.model = "anthropic/claude-sonnet-4-5";
	fx_play(&fx, "opencode", "opencode/run-format-json-tool-and-text.jsonl",
	    &o);
	assert_float_equal(fx_cost(&fx, &unknown), 0.0755235, EPS);
	assert_int_equal(unknown, 0);
	/* reason "tool-calls" continues; "stop" ends the turn. */
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_false(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/* run-format-json-error-429.jsonl */
static void
test_error_429(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 1;
	fx_play(&fx, "opencode", "opencode/run-format-json-error-429.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "rate");
	/* No reset given: an estimated 15 minutes. */
	assert_int_equal(ev->limit.reset_at, 1763035200 + 15 * 60);
	assert_true(ev->limit.estimated);
	assert_int_equal(ev->http_status, 429);
	assert_string_equal(ev->text, "APIError: Rate limit exceeded");
	/* One failed turn: the error closes it, finish adds nothing. */
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 0);
	fx_free(&fx);
}

/* A tool call that failed for want of permission is a denial. */
static void
test_denied(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	/* The recorded tool call, made to fail as a sandbox would fail it. */
	o.replace = "\"status\":\"completed\",\"input\":{\"command\":\"echo "
	    "hello\"=\"status\":\"error\",\"error\":\"bash: cannot write: "
	    "Permission denied\",\"input\":{\"command\":\"echo hello\"";
	fx_play(&fx, "opencode", "opencode/run-format-json-tool-and-text.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_DENIED], 1);
	ev = fx_nth(&fx, ADAPTER_EV_DENIED, 0);
	assert_string_equal(ev->tool_name, "bash");
	assert_string_equal(ev->text, "echo hello");
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tool_and_text),
		cmocka_unit_test(test_error_429),
		cmocka_unit_test(test_denied),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
