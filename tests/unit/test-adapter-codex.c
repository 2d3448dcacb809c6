/*
 * The Codex adapter against tests/fixtures/agents/codex. Expected figures
 * are worked out from the files; the arithmetic is in the comments.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent-fixture.h"

#define EPS 1e-9

/* exec-json-docs-sample.jsonl */
static void
test_docs_sample(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_event		*ev;
	size_t				 unknown;

	o.model = "gpt-5-codex";
	fx_play(&fx, "codex", "codex/exec-json-docs-sample.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_SESSION, 0);
	assert_string_equal(ev->session_id,
	    "0199a213-81c0-7800-8aa1-bbab2a035a53");
	/* turn.completed: input 24763 of which 24448 cached, output 122. */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "0199a213-81c0-7800-8aa1-bbab2a035a53:turn1");
	assert_int_equal(c->usage.in, 315);		/* 24763 - 24448 */
	assert_int_equal(c->usage.cache_read, 24448);
	assert_int_equal(c->usage.out, 122);
	/* gpt-5-codex: 315*1.25 + 24448*0.125 + 122*10 = 393.75 + 3056 + 1220 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.00466975, EPS);
	assert_int_equal(unknown, 0);
	/* item_0 and item_2 reasoning, item_1 a command, item_3 the answer. */
	assert_int_equal(fx.count[ADAPTER_EV_THINKING], 2);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_START], 1);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_END], 1);
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_START, 0);
	assert_string_equal(ev->tool_name, "command_execution");
	assert_string_equal(ev->text, "bash -lc ls");
	assert_false(fx_nth(&fx, ADAPTER_EV_TOOL_END, 0)->is_error);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_false(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/* exec-json-full-turn-gpt5.jsonl: 36 lines, one turn. */
static void
test_full_turn(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	o.model = "gpt-5";
	fx_play(&fx, "codex", "codex/exec-json-full-turn-gpt5.jsonl", &o);
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "019a3fe0-82fb-7e31-8e96-1d5c0544fd8a:turn1");
	/* 177136 - 163840 = 13296 uncached. */
	assert_int_equal(c->usage.in, 13296);
	assert_int_equal(c->usage.cache_read, 163840);
	assert_int_equal(c->usage.out, 2836);
	/*
	 * gpt-5: 13296*1.25 + 163840*0.125 + 2836*10 = 16620 + 20480 + 28360 =
	 * 65460 -> $0.06546. The context (177136) is a sum over the turn's
	 * calls, so no tier applies (gpt-5 has none anyway).
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.06546, EPS);
	/*
	 * 10 reasoning items, 3 agent messages, 6 commands (started and
	 * completed) and 3 file changes (completed only); todo_list ignored.
	 */
	assert_int_equal(fx.count[ADAPTER_EV_THINKING], 10);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 3);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_START], 9);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_END], 9);
	/* Ends: commands item_4, 6, 7, 8, then file changes item_14 (main.v). */
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TOOL_END, 4)->tool_name,
	    "file_change");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TOOL_END, 4)->text,
	    "/tmp/gh-issue-solver-1762008239822/main.v");
	assert_int_equal(fx.a->bad_lines, 0);
	fx_free(&fx);
}

/*
 * exec-json-usage-limit-turn-failed.jsonl: "... try again at 12:16 PM."
 * in the error and again in turn.failed: one limit.
 */
static void
test_usage_limit(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	/*
	 * Seen 2025-11-12 10:00 UTC (1762941600) in Europe/Amsterdam (CET,
	 * UTC+1): 11:00 local, so 12:16 local today = 11:16 UTC = 1762946160.
	 */
	o.now = 1762941600;
	o.tz = "Europe/Amsterdam";
	fx_play(&fx, "codex", "codex/exec-json-usage-limit-turn-failed.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "usage");
	assert_string_equal(ev->limit.provider, "codex");
	assert_int_equal(ev->limit.reset_at, 1762946160);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 0);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	assert_int_equal(fx.a->ncalls, 0);
	fx_free(&fx);

	/*
	 * Seen at 12:00 UTC = 13:00 local: 12:16 has passed, so it is
	 * tomorrow's, 2025-11-13 11:16 UTC = 1763032560.
	 */
	o.now = 1762948800;
	fx_play(&fx, "codex", "codex/exec-json-usage-limit-turn-failed.jsonl",
	    &o);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0)->limit.reset_at,
	    1763032560);
	fx_free(&fx);
}

/* exec-json-reconnecting-retry-exceeded-401.jsonl */
static void
test_reconnect_401(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;
	int			 i;

	fx_play(&fx, "codex",
	    "codex/exec-json-reconnecting-retry-exceeded-401.jsonl", &o);
	/* "Reconnecting... 1/5" to "5/5": five retries. */
	assert_int_equal(fx.count[ADAPTER_EV_RETRY], 5);
	for (i = 0; i < 5; i++) {
		ev = fx_nth(&fx, ADAPTER_EV_RETRY, i);
		assert_int_equal(ev->retry_attempt, i + 1);
		assert_int_equal(ev->retry_max, 5);
		assert_int_equal(ev->limit.class, RATELIMIT_RETRY);
	}
	/* "exceeded retry limit, last status: 401 Unauthorized": auth, once. */
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_AUTH);
	assert_int_equal(ev->limit.reset_at, -1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/* rollout-token-count-ccusage-fixture.jsonl: a rollout file. */
static void
test_rollout(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_usage		 t;
	size_t				 unknown;

	fx_play(&fx, "codex", "codex/rollout-token-count-ccusage-fixture.jsonl",
	    &o);
	assert_int_equal(fx.a->ncalls, 2);
	/* last_token_usage: 1000 in (250 cached), 125 out. */
	c = fx_call(&fx, "token_count:1");
	assert_string_equal(c->model, "gpt-5.2-codex");
	assert_int_equal(c->usage.in, 750);
	assert_int_equal(c->usage.cache_read, 250);
	assert_int_equal(c->usage.out, 125);
	assert_int_equal(c->usage.reasoning, 75);
	/* 2500 in (500 cached), 300 out. */
	c = fx_call(&fx, "token_count:2");
	assert_string_equal(c->model, "gpt-5.3-codex");
	assert_int_equal(c->usage.in, 2000);
	assert_int_equal(c->usage.cache_read, 500);
	assert_int_equal(c->usage.out, 300);
	/* Sums agree with the last total_token_usage: 3500 in, 750 cached, 425 out. */
	adapter_totals(fx.a, &t);
	assert_int_equal(t.in + t.cache_read, 3500);
	assert_int_equal(t.cache_read, 750);
	assert_int_equal(t.out, 425);
	/*
	 * Both at $1.75 / $0.175 / $14:
	 *   750*1.75 + 250*0.175 + 125*14 = 1312.5 + 43.75 + 1750 = 3106.25
	 *   2000*1.75 + 500*0.175 + 300*14 = 3500 + 87.5 + 4200 = 7787.5
	 * Sum 10893.75 -> $0.01089375.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.01089375, EPS);
	assert_int_equal(unknown, 0);
	fx_free(&fx);
}

/*
 * A resumed thread whose turn.completed carries the thread's running
 * totals: seeded with what earlier runs counted, only the difference is
 * this run's. A smaller figure is the turn's own.
 */
static void
test_resume_cumulative(void **state)
{
	static const char	*stream =
	    "{\"type\":\"thread.started\",\"thread_id\":\"t1\"}\n"
	    "{\"type\":\"turn.started\"}\n"
	    "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":30000,"
	    "\"cached_input_tokens\":20000,\"output_tokens\":900}}\n";
	struct adapter_usage		 seed;
	struct adapter_event		*ev;
	struct adapter			*a;
	const struct adapter_call	*c;
	struct adapter_usage		 t;
	char				*cause = NULL;

	a = adapter_new("codex", &cause);
	assert_non_null(a);
	/* Earlier runs: 10000 input of which 8000 cached, 400 out. */
	memset(&seed, 0, sizeof seed);
	seed.in = 2000;
	seed.cache_read = 8000;
	seed.out = 400;
	adapter_seed_usage(a, "t1", &seed);
	adapter_feed(a, stream, strlen(stream));
	adapter_finish(a, 0);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	c = adapter_call_find(a, "t1:turn1");
	assert_non_null(c);
	/* 30000-10000 = 20000 input, 20000-8000 = 12000 cached, 900-400 = 500. */
	assert_int_equal(c->usage.in, 8000);
	assert_int_equal(c->usage.cache_read, 12000);
	assert_int_equal(c->usage.out, 500);
	/* The seed is not counted in the run's totals. */
	adapter_totals(a, &t);
	assert_int_equal(t.in, 8000);
	adapter_free(a);

	/* Seeded with more than the turn reports: the figure is per turn. */
	a = adapter_new("codex", &cause);
	seed.in = 50000;
	adapter_seed_usage(a, "t1", &seed);
	adapter_feed(a, stream, strlen(stream));
	adapter_finish(a, 0);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	c = adapter_call_find(a, "t1:turn1");
	assert_int_equal(c->usage.in, 10000);
	assert_int_equal(c->usage.cache_read, 20000);
	adapter_free(a);
}

/* A failure that is not a limit: the error and turn.failed say it once. */
static void
test_stream_error(void **state)
{
	static const char	*stream =
	    "{\"type\":\"thread.started\",\"thread_id\":\"t\"}\n"
	    "{\"type\":\"turn.started\"}\n"
	    "{\"type\":\"error\",\"message\":\"stream disconnected before "
	    "completion: x\"}\n"
	    "{\"type\":\"turn.failed\",\"error\":{\"message\":\"stream "
	    "disconnected before completion: x\"}}\n";
	struct fx	fx;
	struct fx_opts	o = { 0 };

	fx_play_data(&fx, "codex", stream, strlen(stream), &o);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 1);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 0);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/* An older --json format is not this one: its lines are ignored. */
static void
test_unknown_lines(void **state)
{
	static const char	*stream =
	    "Reading prompt from stdin...\n"
	    "{\"id\":\"0\",\"msg\":{\"type\":\"agent_message\",\"message\":"
	    "\"hi\"}}\n"
	    "{\"type\":\"item.completed\",\"item\":{\"id\":\"i\",\"type\":"
	    "\"brand_new_thing\"}}\n";
	struct fx	fx;
	struct fx_opts	o = { 0 };

	o.exit_status = 1;
	fx_play_data(&fx, "codex", stream, strlen(stream), &o);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_int_equal(fx.a->bad_lines, 1);
	/* No turn.completed and exit 1: an error and a failed turn. */
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/*
 * Recorded here: Codex 0.169.0 against a local endpoint (SOURCES.md). The
 * endpoint billed 7000 in (3000 cached) and 120 out for the first run,
 * then 8200 in (6900 cached) and 90 out for "codex exec resume"; the
 * resumed run's turn.completed says 15200 / 9900 / 210, the thread's.
 */
static void
test_local_resume(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;
	const char			*thread = "01a23bf3-73d0-7290-bec2-382815c9646e";
	char				*id;

	o.model = "gpt-5.5";
	fx_play(&fx, "codex", "codex/local-0.169.0-first-run.jsonl", &o);
	c = &fx.a->calls[0];
	assert_int_equal(c->usage.in, 4000);
	assert_int_equal(c->usage.cache_read, 3000);
	assert_int_equal(c->usage.out, 120);
	assert_int_equal(c->usage.reasoning, 40);
	/* 4000*5 + 3000*0.5 + 120*30 = 25100 -> $0.0251. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.0251, EPS);
	o.seed = c->usage;
	fx_free(&fx);

	/* The resumed run, told what the thread's first run stored. */
	o.seed_session = thread;
	fx_play(&fx, "codex", "codex/local-0.169.0-resumed-run.jsonl", &o);
	xasprintf(&id, "%s:turn1", thread);
	c = fx_call(&fx, id);
	free(id);
	assert_int_equal(c->usage.in + c->usage.cache_read, 8200);
	assert_int_equal(c->usage.cache_read, 6900);
	assert_int_equal(c->usage.out, 90);
	assert_int_equal(c->usage.reasoning, 10);
	/* 1300*5 + 6900*0.5 + 90*30 = 12650 -> $0.01265, not $0.0329. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.01265, EPS);
	fx_free(&fx);

	/* Unseeded it is the thread's total: what baton stored before. */
	o.seed_session = NULL;
	fx_play(&fx, "codex", "codex/local-0.169.0-resumed-run.jsonl", &o);
	assert_int_equal(fx.a->calls[0].usage.in +
	    fx.a->calls[0].usage.cache_read, 15200);
	fx_free(&fx);
}

/*
 * --sandbox workspace-write in a linked worktree: git add fails with exit
 * 128, the worktree's git folder being read-only. A denial, with git's
 * line as the reason.
 */
static void
test_local_index_lock(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;
	size_t			 unknown;

	o.model = "gpt-5.5";
	fx_play(&fx, "codex", "codex/local-0.169.0-index-lock.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_DENIED], 1);
	ev = fx_nth(&fx, ADAPTER_EV_DENIED, 0);
	assert_string_equal(ev->tool_name, "command_execution");
	assert_string_equal(ev->text,
	    "/bin/bash -lc \"git add b.txt && git commit -m 'add b'\"");
	assert_string_equal(ev->reason, "fatal: Unable to create "
	    "'/tmp/work/repo1/.git/worktrees/wt1/index.lock': Read-only file "
	    "system");
	assert_true(fx_nth(&fx, ADAPTER_EV_TOOL_END, 0)->is_error);
	/* Two calls in the turn: 5000 + 5400 in (4900 cached), 60 + 30 out. */
	assert_int_equal(fx.a->calls[0].usage.in, 5500);
	assert_int_equal(fx.a->calls[0].usage.cache_read, 4900);
	assert_int_equal(fx.a->calls[0].usage.out, 90);
	/* 5500*5 + 4900*0.5 + 90*30 = 32650. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.03265, EPS);
	fx_free(&fx);
}

/* What Codex says of 429s and quotas, and the resets baton takes. */
static void
test_local_limits(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 1;
	/* An HTTP 429 retried to the end: no time given, 15 min estimated. */
	fx_play(&fx, "codex", "codex/local-0.169.0-429-reconnecting.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RETRY], 2);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_int_equal(ev->limit.reset_at, 1763035200 + 15 * 60);
	assert_true(ev->limit.estimated);
	fx_free(&fx);

	/* "Please try again in 1.5s": stated, 2 s rounded up. */
	fx_play(&fx, "codex", "codex/local-0.169.0-rate-limit-try-again.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_RETRY], 2);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.reset_at, 1763035200 + 2);
	assert_false(ev->limit.estimated);
	fx_free(&fx);

	/* "Quota exceeded": an hour, estimated. */
	fx_play(&fx, "codex", "codex/local-0.169.0-quota.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_string_equal(ev->limit.kind, "quota");
	assert_int_equal(ev->limit.reset_at, 1763035200 + 3600);
	assert_true(ev->limit.estimated);
	fx_free(&fx);
}

/*
 * cache_write_input_tokens, counted inside input_tokens: 7000 in, 1000
 * read, 2000 written, 10 out on gpt-6.1-sol.
 */
static void
test_local_cache_write(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	size_t			 unknown;

	o.model = "gpt-6.1-sol";
	fx_play(&fx, "codex", "codex/local-0.169.0-cache-write.jsonl", &o);
	assert_int_equal(fx.a->calls[0].usage.in, 4000);
	assert_int_equal(fx.a->calls[0].usage.cache_read, 1000);
	assert_int_equal(fx.a->calls[0].usage.cache_write, 2000);
	/* 4000*2 + 1000*0.1 + 2000*2.5 + 10*10 = 13200. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.0132, EPS);
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_sample),
		cmocka_unit_test(test_full_turn),
		cmocka_unit_test(test_usage_limit),
		cmocka_unit_test(test_reconnect_401),
		cmocka_unit_test(test_rollout),
		cmocka_unit_test(test_resume_cumulative),
		cmocka_unit_test(test_stream_error),
		cmocka_unit_test(test_unknown_lines),
		cmocka_unit_test(test_local_resume),
		cmocka_unit_test(test_local_index_lock),
		cmocka_unit_test(test_local_limits),
		cmocka_unit_test(test_local_cache_write),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
