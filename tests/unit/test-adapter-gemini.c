/*
 * The Gemini CLI adapter against tests/fixtures/agents/gemini. Expected
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

/* stream-json-docs-example.jsonl: all six event types. */
static void
test_docs_example(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_event		*ev;
	size_t				 unknown;

	fx_play(&fx, "gemini", "gemini/stream-json-docs-example.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_SESSION, 0);
	assert_string_equal(ev->session_id, "abc123");
	assert_string_equal(ev->model, "gemini-2.0-flash-exp");
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_START, 0);
	assert_string_equal(ev->tool_id, "bash-123");
	assert_string_equal(ev->tool_name, "Bash");
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_END, 0);
	assert_false(ev->is_error);
	assert_string_equal(ev->text, "file1.txt\nfile2.txt");
	/* The user prompt is not echoed as an event; the answer is a delta. */
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 0);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT_DELTA], 1);
	/*
	 * Old stats: total 250, input 50, output 200; total - input = 200 =
	 * output (no thoughts).
	 */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "result1:default");
	assert_int_equal(c->usage.in, 50);
	assert_int_equal(c->usage.cache_read, 0);
	assert_int_equal(c->usage.out, 200);
	assert_string_equal(c->model, "gemini-2.0-flash-exp");
	/* gemini-2.0-flash-exp has no price: unknown, not zero. */
	fx_cost(&fx, &unknown);
	assert_int_equal(unknown, 1);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_false(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/* stream-json-assistant-deltas.jsonl: three chunks and nothing else. */
static void
test_deltas(void **state)
{
	struct fx	 fx;
	struct fx_opts	 o = { 0 };
	char		*all = NULL, *tmp;
	size_t		 i;

	fx_play(&fx, "gemini", "gemini/stream-json-assistant-deltas.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT_DELTA], 3);
	for (i = 0; i < 3; i++) {
		xasprintf(&tmp, "%s%s", all != NULL ? all : "",
		    fx_nth(&fx, ADAPTER_EV_TEXT_DELTA, i)->text);
		free(all);
		all = tmp;
	}
	assert_non_null(strstr(all, "for task runs that consume tokens"));
	assert_non_null(strstr(all, "\n      side: RIGHT\n"));
	free(all);
	/* No result: the exit status (0) closes the turn. */
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->exit_status, 0);
	assert_int_equal(fx.a->ncalls, 0);
	fx_free(&fx);
}

/*
 * The snapshot fixtures: "<DURATION>" is unquoted, so the result line is
 * not JSON and becomes text; the error events come through.
 */
static void
test_snapshots(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	fx_play(&fx, "gemini", "gemini/stream-json-snapshot-loop-detected.jsonl",
	    &o);
	assert_int_equal(fx.a->bad_lines, 1);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_non_null(strstr(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "<DURATION>"));
	ev = fx_nth(&fx, ADAPTER_EV_ERROR, 0);
	assert_string_equal(ev->text, "Loop detected, stopping execution");
	assert_false(ev->is_error);		/* severity warning */
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->session_id,
	    "test-session-id");
	/* The turn is closed from the exit status. */
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	fx_free(&fx);

	fx_play(&fx, "gemini", "gemini/stream-json-snapshot-max-turns.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_ERROR, 0);
	assert_string_equal(ev->text, "Maximum session turns exceeded");
	assert_true(ev->is_error);		/* severity error */
	fx_free(&fx);

	/* With the placeholder filled in, the result parses: zero usage. */
	o.replace = "<DURATION>=0";
	fx_play(&fx, "gemini", "gemini/stream-json-snapshot-max-turns.jsonl", &o);
	assert_int_equal(fx.a->bad_lines, 0);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 0);
	assert_int_equal(fx.a->ncalls, 0);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->exit_status, -1);
	fx_free(&fx);
}

/* json-output-docs-example.jsonl: the --output-format json document. */
static void
test_json_document(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "gemini", "gemini/json-output-docs-example.jsonl", &o);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "The capital of France is Paris.");
	assert_int_equal(fx.a->ncalls, 2);
	/* pro: prompt 24939 (21263 cached), candidates 20 + thoughts 154. */
	c = fx_call(&fx, "result1:gemini-2.5-pro");
	assert_int_equal(c->usage.in, 3676);
	assert_int_equal(c->usage.cache_read, 21263);
	assert_int_equal(c->usage.out, 174);
	/* flash: prompt 8965, none cached, candidates 10 + thoughts 30. */
	c = fx_call(&fx, "result1:gemini-2.5-flash");
	assert_int_equal(c->usage.in, 8965);
	assert_int_equal(c->usage.out, 40);
	/*
	 * pro:   3676*1.25 + 21263*0.125 + 174*10 = 4595 + 2657.875 + 1740
	 *        = 8992.875
	 * flash: 8965*0.30 + 40*2.50 = 2689.5 + 100 = 2789.5
	 * Sum 11782.375 -> $0.011782375.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.011782375, EPS);
	assert_int_equal(unknown, 0);
	fx_free(&fx);
}

/* A quota failure as the source builds it, and runs that die early. */
static void
test_quota_and_exits(void **state)
{
	static const char	*quota =
	    "{\"type\":\"init\",\"session_id\":\"s\",\"model\":"
	    "\"gemini-2.5-pro\"}\n"
	    "{\"type\":\"result\",\"status\":\"error\",\"error\":{\"type\":"
	    "\"TerminalQuotaError\",\"message\":\"[API Error: You have "
	    "exhausted your capacity on this model. Your quota will reset "
	    "after 8h44m7s.]\"},\"stats\":{\"total_tokens\":1200,"
	    "\"input_tokens\":1000,\"output_tokens\":150,\"cached\":400,"
	    "\"input\":600,\"models\":{\"gemini-2.5-pro\":{\"total_tokens\":"
	    "1200,\"input_tokens\":1000,\"output_tokens\":150,\"cached\":400,"
	    "\"input\":600}}}}\n";
	static const char	*init =
	    "{\"type\":\"init\",\"session_id\":\"s\",\"model\":\"m\"}\n";
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	struct adapter_event		*ev;
	const struct adapter_call	*c;

	fx_play_data(&fx, "gemini", quota, strlen(quota), &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "capacity");
	/* 8h44m7s = 8*3600 + 44*60 + 7 = 31447 s after now (1763035200). */
	assert_int_equal(ev->limit.reset_at, 1763035200 + 31447);
	/* Output: total 1200 - input 1000 = 200 (150 + 50 thoughts). */
	c = fx_call(&fx, "result1:gemini-2.5-pro");
	assert_int_equal(c->usage.in, 600);
	assert_int_equal(c->usage.cache_read, 400);
	assert_int_equal(c->usage.out, 200);
	assert_int_equal(c->usage.reasoning, 50);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);

	/* Exit 41 with no result: an auth failure. */
	o.exit_status = 41;
	fx_play_data(&fx, "gemini", init, strlen(init), &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_AUTH);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);

	/*
	 * Exit 173 (429 mod 256): a limit with no stated reset, held for
	 * an estimated 15 minutes.
	 */
	o.exit_status = 173;
	fx_play_data(&fx, "gemini", init, strlen(init), &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_int_equal(ev->limit.reset_at, 1763035200 + 15 * 60);
	assert_true(ev->limit.estimated);
	fx_free(&fx);
}

/*
 * Recorded here: Gemini CLI 0.61.0 against a local endpoint (SOURCES.md).
 * One call of 5200 prompt tokens (1200 cached), 31 candidates and 44
 * thoughts, once as stream-json and once as the pretty-printed json
 * document.
 */
static void
test_local_text_and_document(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "gemini", "gemini/local-0.61.0-text.jsonl", &o);
	assert_int_equal(fx.a->ncalls, 1);
	c = &fx.a->calls[0];
	assert_int_equal(c->usage.in, 4000);
	assert_int_equal(c->usage.cache_read, 1200);
	assert_int_equal(c->usage.out, 75);		/* 5275 - 5200 */
	/* 4000*1.25 + 1200*0.125 + 75*10 = 5900 -> $0.0059. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.0059, EPS);
	fx_free(&fx);

	/* 74 lines of one document: one call, not 74 lines of text. */
	fx_play(&fx, "gemini", "gemini/local-0.61.0-json-document.json", &o);
	assert_int_equal(fx.a->bad_lines, 0);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "Hello from Gemini mock.");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->session_id,
	    "185b02a5-e9ca-4614-8755-ef213e72711e");
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "result1:gemini-2.5-pro");
	assert_int_equal(c->usage.in, 4000);
	assert_int_equal(c->usage.cache_read, 1200);
	assert_int_equal(c->usage.out, 75);		/* 31 + 44 thoughts */
	assert_float_equal(fx_cost(&fx, &unknown), 0.0059, EPS);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	fx_free(&fx);

	/* The same fed a byte at a time. */
	o.chunk = 1;
	fx_play(&fx, "gemini", "gemini/local-0.61.0-json-document.json", &o);
	assert_int_equal(fx.a->ncalls, 1);
	assert_int_equal(fx.a->bad_lines, 0);
	fx_free(&fx);

	/* Cut short, its lines are text: nothing is lost. */
	o.chunk = 0;
	o.replace = "\n}=\n";
	fx_play(&fx, "gemini", "gemini/local-0.61.0-json-document.json", &o);
	assert_int_equal(fx.a->ncalls, 0);
	assert_true(fx.count[ADAPTER_EV_TEXT] > 50);
	fx_free(&fx);
}

/* 401 UNAUTHENTICATED (exit 145) and 400 API_KEY_INVALID (exit 144). */
static void
test_local_auth(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;
	const char		*init = "{\"type\":\"init\",\"session_id\":\"s\","
	    "\"model\":\"gemini-2.5-pro\"}\n";

	o.exit_status = 145;
	fx_play(&fx, "gemini", "gemini/local-0.61.0-401.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_AUTH);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 0);
	fx_free(&fx);

	o.exit_status = 144;
	fx_play(&fx, "gemini", "gemini/local-0.61.0-400-key-invalid.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_AUTH);
	fx_free(&fx);

	/* With no result, from the exit status (and stderr for a 400). */
	o.exit_status = 145;
	fx_play_data(&fx, "gemini", init, strlen(init), &o);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0)->limit.class,
	    RATELIMIT_AUTH);
	fx_free(&fx);
	o.exit_status = 144;
	o.stderr_name = "gemini/local-0.61.0-401.stderr";
	fx_play_data(&fx, "gemini", init, strlen(init), &o);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0)->limit.class,
	    RATELIMIT_AUTH);
	fx_free(&fx);
}

/* A per-minute 429 says when; a per-day quota does not. */
static void
test_local_quota(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 173;
	fx_play(&fx, "gemini", "gemini/local-0.61.0-429-retry.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	/* "Please retry in 21.4s": 22 s, as stated. */
	assert_int_equal(ev->limit.reset_at, 1763035200 + 22);
	assert_false(ev->limit.estimated);
	fx_free(&fx);

	/*
	 * "You have exhausted your daily quota": until midnight Pacific,
	 * estimated. 2025-11-13 12:00 UTC is 04:00 PST; midnight is 20 h on.
	 */
	fx_play(&fx, "gemini", "gemini/local-0.61.0-daily-quota.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_string_equal(ev->limit.kind, "daily_quota");
	assert_int_equal(ev->limit.reset_at, 1763035200 + 20 * 3600);
	assert_true(ev->limit.estimated);
	fx_free(&fx);
}

/* Exits 55 and 42 with nothing on stdout, explained from stderr. */
static void
test_local_exits(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 55;
	o.stderr_name = "gemini/local-0.61.0-untrusted.stderr";
	fx_play_data(&fx, "gemini", "", 0, &o);
	ev = fx_nth(&fx, ADAPTER_EV_ERROR, 0);
	assert_string_equal(ev->failure, "config");
	assert_non_null(strstr(ev->text, "exited with status 55: Gemini CLI is "
	    "not running in a trusted directory. To proceed, either use "
	    "`--skip-trust`"));
	assert_null(strchr(ev->text, '\033'));
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);

	o.exit_status = 42;
	o.stderr_name = "gemini/local-0.61.0-resume-elsewhere.stderr";
	fx_play_data(&fx, "gemini", "", 0, &o);
	ev = fx_nth(&fx, ADAPTER_EV_ERROR, 0);
	assert_string_equal(ev->failure, "session");
	assert_string_equal(ev->text, "exited with status 42: Error resuming "
	    "session: No previous sessions found for this project.");
	fx_free(&fx);

	/* Without stderr, the old words. */
	o.stderr_name = NULL;
	fx_play_data(&fx, "gemini", "", 0, &o);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_ERROR, 0)->text,
	    "exited with status 42 without a final event");
	fx_free(&fx);
}

/* auto_edit registers no shell tool: the call fails, a denial. */
static void
test_local_tool_not_registered(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	fx_play(&fx, "gemini", "gemini/local-0.61.0-tool-not-registered.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_DENIED], 1);
	ev = fx_nth(&fx, ADAPTER_EV_DENIED, 0);
	assert_string_equal(ev->tool_name, "run_shell_command");
	assert_string_equal(ev->text, "git commit -am 'x'");
	assert_string_equal(ev->reason, "Tool \"run_shell_command\" not found. "
	    "Did you mean one of: \"update_topic\", \"grep_search\", "
	    "\"replace\"?");
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_example),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_quota_and_exits),
		cmocka_unit_test(test_local_text_and_document),
		cmocka_unit_test(test_local_auth),
		cmocka_unit_test(test_local_quota),
		cmocka_unit_test(test_local_exits),
		cmocka_unit_test(test_local_tool_not_registered),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
