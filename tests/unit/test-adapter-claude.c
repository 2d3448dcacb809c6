/*
 * The Claude Code (and Amp) adapter against the captured streams in
 * tests/fixtures/agents/claude and amp. Every expected figure is worked
 * out from the files by hand; the arithmetic is in the comments.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent-fixture.h"

#define EPS 1e-9

/*
 * stream-subagents-tools-v2.0.25.jsonl: 47 lines, 8 distinct message ids
 * (main loop: msg_01Rws.., msg_01Hji.., msg_01EjAN..; subagents: msg_016Gb..,
 * msg_01DGb.., msg_01VUx.., msg_01UkB.., msg_01FeE..).
 */
static void
test_subagents(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_usage		 t;
	struct adapter_event		*ev;
	size_t				 unknown, i, errors;

	fx_play(&fx, "claude", "claude/stream-subagents-tools-v2.0.25.jsonl",
	    &o);

	/* 8 calls in the stream + 2 unattributed (haiku, sonnet) from modelUsage. */
	assert_int_equal(fx.a->ncalls, 10);

	/* msg_01Hji: output 11 on line 43, 324 on line 44: keep 324. */
	c = fx_call(&fx, "msg_01HjiACycvzB8K4d9izYus2L");
	assert_int_equal(c->usage.out, 324);
	assert_int_equal(c->usage.in, 7);
	assert_int_equal(c->usage.cache_write, 8423);
	assert_int_equal(c->usage.cache_read, 17840);
	assert_true(c->flags & ADAPTER_CALL_MAIN);
	/* A subagent's call (parent_tool_use_id set) is not main loop. */
	c = fx_call(&fx, "msg_01UkBfSqpEmfGfL9GnDReUaW");
	assert_false(c->flags & ADAPTER_CALL_MAIN);
	assert_int_equal(c->usage.in, 6880);

	/*
	 * Haiku seen: in 3+41+6880 = 6924, cache write 5647+321+576 = 6544,
	 * cache read 0+5647+5968 = 11615, out 1+3+1 = 5. modelUsage says
	 * 7460 / 14048 / 18159 / 1331, so unattributed = 536 / 7504 / 6544 /
	 * 1326.
	 */
	c = fx_call(&fx, "unattributed:claude-haiku-4-5-20251001");
	assert_int_equal(c->usage.in, 536);
	assert_int_equal(c->usage.cache_write, 7504);
	assert_int_equal(c->usage.cache_read, 6544);
	assert_int_equal(c->usage.out, 1326);
	/*
	 * Sonnet seen: in 3+3+88+7+6 = 107, cache write 3117+3123+274+8423+367
	 * = 15304, cache read 14723+0+3123+17840+26263 = 61949, out 1+1+3+324+1
	 * = 330; modelUsage 124 / 29631 / 67600 / 2373 and 1 web search.
	 */
	c = fx_call(&fx, "unattributed:claude-sonnet-4-5-20250929");
	assert_int_equal(c->usage.in, 17);
	assert_int_equal(c->usage.cache_write, 14327);
	assert_int_equal(c->usage.cache_read, 5651);
	assert_int_equal(c->usage.out, 2043);
	assert_int_equal(c->usage.web_search, 1);

	/* Totals are modelUsage's: 7460+124, 14048+29631, 18159+67600, 1331+2373. */
	adapter_totals(fx.a, &t);
	assert_int_equal(t.in, 7584);
	assert_int_equal(t.cache_write, 43679);
	assert_int_equal(t.cache_read, 85759);
	assert_int_equal(t.out, 3704);

	/*
	 * Cost. Haiku 4.5 ($1 in, $5 out, $1.25 write, $0.10 read):
	 *   7460*1 + 1331*5 + 14048*1.25 + 18159*0.1 = 33490.9 -> $0.0334909
	 * Sonnet 4.5 ($3, $15, $3.75, $0.30, $10 per 1000 searches):
	 *   124*3 + 2373*15 + 29631*3.75 + 67600*0.3 = 167363.25 -> $0.16736325
	 *   + 1 search $0.01 = $0.17736325
	 * Sum $0.21085415, which is the CLI's total_cost_usd.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.21085415, EPS);
	assert_int_equal(unknown, 0);
	assert_float_equal(fx_cli_cost(&fx), 0.21085415, EPS);

	/*
	 * Tools: 21 tool_use blocks with distinct ids (lines 3-9: 7; 13-14: 2;
	 * 17-18: 2; 19-20: 2; 21, 22, 26: 3; 31-32: 2; 35-36: 2; 44: 1) and 21
	 * tool_result blocks; one (line 15) has is_error true.
	 */
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_START], 21);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_END], 21);
	for (errors = i = 0; i < fx.count[ADAPTER_EV_TOOL_END]; i++)
		errors += fx_nth(&fx, ADAPTER_EV_TOOL_END, i)->is_error;
	assert_int_equal(errors, 1);
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_START, 3);
	assert_string_equal(ev->tool_name, "Task");
	assert_null(ev->parent_tool_id);
	ev = fx_nth(&fx, ADAPTER_EV_TOOL_START, 7);	/* line 13: Bash */
	assert_string_equal(ev->tool_name, "Bash");
	assert_string_equal(ev->parent_tool_id, "toolu_014ZNMnsnumfmXfL43RcsT8z");

	/* Text blocks on lines 2, 43 and 46; one session; one turn. */
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 3);
	assert_int_equal(fx.count[ADAPTER_EV_SESSION], 1);
	ev = fx_nth(&fx, ADAPTER_EV_SESSION, 0);
	assert_string_equal(ev->session_id,
	    "6170607e-7232-407c-82c3-7fc983d60064");
	assert_string_equal(ev->model, "claude-sonnet-4-5-20250929");
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_false(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	/* 8 new ids + msg_01Hji growing + 2 unattributed = 11 USAGE events. */
	assert_int_equal(fx.count[ADAPTER_EV_USAGE], 11);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 0);
	assert_int_equal(fx.a->bad_lines, 0);
	fx_free(&fx);
}

/* The same file fed 1 and 4093 bytes at a time gives the same events. */
static void
test_chunked(void **state)
{
	struct fx	whole, bytes;
	struct fx_opts	o = { 0 };
	size_t		i, chunks[] = { 1, 4093 }, k;

	fx_play(&whole, "claude", "claude/stream-subagents-tools-v2.0.25.jsonl",
	    &o);
	for (k = 0; k < nitems(chunks); k++) {
		o.chunk = chunks[k];
		fx_play(&bytes, "claude",
		    "claude/stream-subagents-tools-v2.0.25.jsonl", &o);
		assert_int_equal(bytes.nev, whole.nev);
		for (i = 0; i < whole.nev; i++) {
			assert_int_equal(bytes.ev[i]->kind, whole.ev[i]->kind);
			if (whole.ev[i]->text != NULL)
				assert_string_equal(bytes.ev[i]->text,
				    whole.ev[i]->text);
		}
		fx_free(&bytes);
	}
	fx_free(&whole);
}

/*
 * stream-basic-query-v2.1.7.jsonl: one call with output_tokens 5 (a
 * placeholder); the result says 25, and has no modelUsage.
 */
static void
test_basic_query(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_usage		 t;
	size_t				 unknown;

	fx_play(&fx, "claude", "claude/stream-basic-query-v2.1.7.jsonl", &o);
	/*
	 * result.usage: 10 in, 21570 write, 0 read, 25 out; the call has
	 * 10/21570/0 and a placeholder 5: the 20 more are its own output,
	 * not another call's.
	 */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "msg_01Y1Lo6gYUXN71XaAq7sjUPm");
	assert_int_equal(c->usage.out, 25);
	assert_int_equal(c->usage.in, 10);
	assert_false(c->flags & ADAPTER_CALL_OPEN);
	adapter_totals(fx.a, &t);
	assert_int_equal(t.out, 25);
	/*
	 * Opus 4.5: 10*5 + 21570*6.25 + 25*25 = 50 + 134812.5 + 625 = 135487.5
	 * -> $0.1354875, equal to total_cost_usd.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.1354875, EPS);
	assert_int_equal(unknown, 0);
	assert_float_equal(fx_cli_cost(&fx), 0.1354875, EPS);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text, "4");
	fx_free(&fx);
}

/* result-success-modelusage-v2.1.3.jsonl: a lone result line. */
static void
test_result_modelusage(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "claude", "claude/result-success-modelusage-v2.1.3.jsonl",
	    &o);
	/* modelUsage wins over usage: one unattributed opus call. */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "unattributed:claude-opus-4-5-20251101");
	assert_int_equal(c->usage.in, 38);
	assert_int_equal(c->usage.out, 765);
	assert_int_equal(c->usage.cache_read, 28775);
	assert_int_equal(c->usage.cache_write, 31159);
	/*
	 * 38*5 + 765*25 + 28775*0.5 + 31159*6.25 = 190 + 19125 + 14387.5 +
	 * 194743.75 = 228446.25 -> $0.22844625 = modelUsage costUSD. The
	 * CLI's total_cost_usd (0.24722425) is kept beside it.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.22844625, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.24722425, EPS);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	fx_free(&fx);
}

/*
 * stream-weekly-limit-synthetic-result.jsonl: the synthetic assistant
 * message and the is_error result both say "Weekly limit reached ∙
 * resets 5am": one limit, reset at the next 5am in the zone given.
 */
static void
test_weekly_limit(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;
	size_t			 unknown;

	/* Seen 2025-11-13 12:00 UTC (1763035200): 5am UTC is tomorrow, 1763096400. */
	o.now = 1763035200;
	o.tz = "UTC";
	fx_play(&fx, "claude", "claude/stream-weekly-limit-synthetic-result.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "weekly");
	assert_string_equal(ev->limit.provider, "claude");
	assert_int_equal(ev->limit.reset_at, 1763096400);
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	/* The synthetic message is not a call; modelUsage gives two. */
	assert_int_equal(fx.a->ncalls, 2);
	/*
	 * Haiku: 7209*1 + 2120*5 = 17809 -> $0.017809.
	 * Sonnet: 858*3 + 2397*15 + 58446*0.3 + 19624*3.75 = 2574 + 35955 +
	 * 17533.8 + 73590 = 129652.8 -> $0.1296528. Sum $0.1474618 =
	 * total_cost_usd (0.14746179999999998).
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.1474618, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.1474618, EPS);
	fx_free(&fx);

	/*
	 * The same seen from New York: 12:00 UTC is 07:00 EST, 5am has passed,
	 * so tomorrow 05:00 EST = 2025-11-14 10:00 UTC = 1763114400.
	 */
	o.tz = "America/New_York";
	fx_play(&fx, "claude", "claude/stream-weekly-limit-synthetic-result.jsonl",
	    &o);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0)->limit.reset_at,
	    1763114400);
	fx_free(&fx);
}

/* stream-rate-limit-overage-rejected-v2.1.83.jsonl */
static void
test_overage_allowed(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	struct adapter_event		*ev;
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "claude",
	    "claude/stream-rate-limit-overage-rejected-v2.1.83.jsonl", &o);
	/* status "allowed" (overage rejected) is a status report, not a block. */
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_NONE);
	assert_false(ev->is_error);
	assert_string_equal(ev->limit.kind, "five_hour");
	assert_int_equal(ev->limit.reset_at, 1774447200);
	assert_float_equal(ev->limit.utilization, -1, 1e-9);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->model,
	    "claude-opus-4-6[1m]");
	/*
	 * The call (3 / 2783 / 14707 / 2): the result's 6 out is its own
	 * final output; nothing is unattributed.
	 */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, fx.a->calls[0].msg_id);
	assert_int_equal(c->usage.out, 6);
	assert_int_equal(c->usage.in, 3);
	/*
	 * Opus 4.6: 3*5 + 2783*6.25 + 14707*0.5 + 6*25 = 15 + 17393.75 +
	 * 7353.5 + 150 = 24912.25 -> $0.02491225; the CLI said 0.024.
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.02491225, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.024, EPS);
	fx_free(&fx);
}

/* stream-rate-limit-event-allowed-v2.1.139.jsonl: one line, no result. */
static void
test_rate_limit_event_only(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	fx_play(&fx, "claude",
	    "claude/stream-rate-limit-event-allowed-v2.1.139.jsonl", &o);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_NONE);
	assert_int_equal(ev->limit.reset_at, 1778598000);
	assert_string_equal(ev->session_id,
	    "cca23008-d827-4b92-a8bc-d6f5efe5a03e");
	/* No result: finish(0) closes the turn, not as an error. */
	assert_int_equal(fx.count[ADAPTER_EV_TURN_END], 1);
	ev = fx_nth(&fx, ADAPTER_EV_TURN_END, 0);
	assert_false(ev->is_error);
	assert_int_equal(ev->exit_status, 0);
	fx_free(&fx);
}

/* result-error-during-execution-zero-turns.jsonl: is_error false, yet failed. */
static void
test_error_during_execution(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	/* The file names no model: cost unknown, one call, not zero. */
	fx_play(&fx, "claude",
	    "claude/result-error-during-execution-zero-turns.jsonl", &o);
	assert_int_equal(fx.a->ncalls, 1);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_ERROR, 0)->text,
	    "error_during_execution");
	fx_cost(&fx, &unknown);
	assert_int_equal(unknown, 1);
	fx_free(&fx);

	/* Told the run's model (Sonnet 4.5), all of result.usage is priced. */
	o.model = "claude-sonnet-4-5";
	fx_play(&fx, "claude",
	    "claude/result-error-during-execution-zero-turns.jsonl", &o);
	c = fx_call(&fx, "unattributed:turn1");
	assert_int_equal(c->usage.in, 112);
	assert_int_equal(c->usage.cache_write, 58211);
	assert_int_equal(c->usage.cache_read, 1120129);
	assert_int_equal(c->usage.out, 6814);
	/*
	 * 112*3 + 58211*3.75 + 1120129*0.3 + 6814*15 = 336 + 218291.25 +
	 * 336038.7 + 102210 = 656875.95 -> $0.65687595 (the CLI: 0.65716315).
	 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.65687595, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.65716315, EPS);
	fx_free(&fx);
}

/* amp/stream-json-announcement-example.jsonl: no message id, no model. */
static void
test_amp(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "amp", "amp/stream-json-announcement-example.jsonl", &o);
	assert_true(fx.a->quirks & ADAPTER_QUIRK_AMP);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->session_id,
	    "T-2775dc92-90ed-4f85-8b73-8f9766029e83");
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "line:1");
	assert_int_equal(c->usage.in, 12783);
	assert_int_equal(c->usage.cache_write, 367);
	assert_int_equal(c->usage.cache_read, 12416);
	assert_int_equal(c->usage.out, 8);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "2 + 2 equals 4.");
	/* Amp reports no cost and no model: baton's cost is unknown. */
	fx_cost(&fx, &unknown);
	assert_int_equal(unknown, 1);
	assert_false(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->has_cli_cost);
	fx_free(&fx);
}

/*
 * Amp lines carry no message id: lines in a row with the same usage are
 * one response's blocks; a tool result or a new usage starts another.
 */
static void
test_amp_blocks(void **state)
{
	static const char	*stream =
	    "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"a\"}],\"usage\":{\"input_tokens\":5,"
	    "\"output_tokens\":7}}}\n"
	    "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":"
	    "\"tool_use\",\"id\":\"t1\",\"name\":\"Bash\"}],\"usage\":"
	    "{\"input_tokens\":5,\"output_tokens\":7}}}\n"
	    "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":"
	    "\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"ok\"}]}}\n"
	    "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"b\"}],\"usage\":{\"input_tokens\":5,"
	    "\"output_tokens\":7}}}\n"
	    "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"c\"}],\"usage\":{\"input_tokens\":9,"
	    "\"output_tokens\":1}}}\n";
	struct fx		fx;
	struct fx_opts		o = { 0 };
	struct adapter_usage	t;

	fx_play_data(&fx, "amp", stream, strlen(stream), &o);
	/* Lines 1-2 one call; line 4 after the tool result; line 5 new usage. */
	assert_int_equal(fx.a->ncalls, 3);
	adapter_totals(fx.a, &t);
	assert_int_equal(t.in, 5 + 5 + 9);
	assert_int_equal(t.out, 7 + 7 + 1);
	fx_free(&fx);
}

/*
 * --include-partial-messages, written from the documented event shapes
 * (no public capture exists): usage from message_start and message_delta,
 * text as deltas and not again from the assistant line.
 */
static void
test_partial_messages(void **state)
{
	static const char	*stream =
	    "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s1\","
	    "\"model\":\"claude-haiku-4-5\"}\n"
	    "{\"type\":\"stream_event\",\"session_id\":\"s1\",\"event\":"
	    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
	    "\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":100,"
	    "\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":"
	    "2000,\"output_tokens\":1}}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":"
	    "\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
	    "\"text\"}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":"
	    "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
	    "\"text_delta\",\"text\":\"Hel\"}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":"
	    "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
	    "\"text_delta\",\"text\":\"lo\"}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":"
	    "\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
	    "\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\"}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_delta\","
	    "\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":"
	    "{\"output_tokens\":42}}}\n"
	    "{\"type\":\"stream_event\",\"event\":{\"type\":\"message_stop\"}}\n"
	    "{\"type\":\"assistant\",\"session_id\":\"s1\",\"message\":{\"id\":"
	    "\"msg_1\",\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":"
	    "\"text\",\"text\":\"Hello\"},{\"type\":\"tool_use\",\"id\":"
	    "\"toolu_1\",\"name\":\"Bash\",\"input\":{}}],\"usage\":"
	    "{\"input_tokens\":100,\"cache_creation_input_tokens\":1000,"
	    "\"cache_read_input_tokens\":2000,\"output_tokens\":1}}}\n"
	    "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":2,"
	    "\"max_retries\":10,\"retry_delay_ms\":1500,\"error_status\":529,"
	    "\"error\":\"overloaded\"}\n";
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_event		*ev;
	size_t				 unknown;

	fx_play_data(&fx, "claude", stream, strlen(stream), &o);
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "msg_1");
	assert_int_equal(c->usage.out, 42);
	assert_int_equal(c->usage.in, 100);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT_DELTA], 2);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 0);
	assert_int_equal(fx.count[ADAPTER_EV_TOOL_START], 1);
	/* 100*1 + 1000*1.25 + 2000*0.1 + 42*5 = 100+1250+200+210 = 1760 -> $0.00176 */
	assert_float_equal(fx_cost(&fx, &unknown), 0.00176, EPS);
	ev = fx_nth(&fx, ADAPTER_EV_RETRY, 0);
	assert_int_equal(ev->retry_attempt, 2);
	assert_int_equal(ev->retry_max, 10);
	assert_int_equal(ev->http_status, 529);
	assert_int_equal(ev->retry_delay_ms, 1500);
	/* now 1763035200 + 1.5 s rounded up. */
	assert_int_equal(ev->limit.reset_at, 1763035202);
	/* No result line and exit status 1: an error and a failed turn. */
	fx_free(&fx);
	o.exit_status = 1;
	fx_play_data(&fx, "claude", stream, strlen(stream), &o);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 1);
	ev = fx_nth(&fx, ADAPTER_EV_TURN_END, 0);
	assert_true(ev->is_error);
	assert_int_equal(ev->exit_status, 1);
	fx_free(&fx);
}

/*
 * A rejected rate_limit_event's resetsAt wins over the reset in the
 * synthetic message's text; a 2026-style result with api_error_status.
 */
static void
test_rejected(void **state)
{
	static const char	*stream =
	    "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":"
	    "\"rejected\",\"resetsAt\":1763100000,\"rateLimitType\":"
	    "\"seven_day\"}}\n"
	    "{\"type\":\"assistant\",\"error\":\"rate_limit\",\"message\":"
	    "{\"id\":\"x\",\"model\":\"<synthetic>\",\"content\":[{\"type\":"
	    "\"text\",\"text\":\"You've hit your limit \xc2\xb7 resets 8pm "
	    "(America/New_York)\"}],\"usage\":{\"input_tokens\":0,"
	    "\"output_tokens\":0}}}\n"
	    "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":true,"
	    "\"api_error_status\":429,\"result\":\"You've hit your limit "
	    "\xc2\xb7 resets 8pm (America/New_York)\"}\n";
	static const char	*warnings =
	    "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":"
	    "\"allowed_warning\",\"resetsAt\":1763100000,\"rateLimitType\":"
	    "\"five_hour\",\"utilization\":0.8}}\n"
	    "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":"
	    "\"allowed_warning\",\"resetsAt\":1763100000,\"rateLimitType\":"
	    "\"five_hour\",\"utilization\":0.8}}\n"
	    "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":"
	    "\"allowed_warning\",\"resetsAt\":1763100000,\"rateLimitType\":"
	    "\"five_hour\",\"utilization\":0.9}}\n";
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	/* Warnings: a repeat is dropped, a new level is reported. */
	fx_play_data(&fx, "claude", warnings, strlen(warnings), &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 2);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 1);
	assert_int_equal(ev->limit.class, RATELIMIT_NONE);
	assert_false(ev->is_error);
	assert_float_equal(ev->limit.utilization, 0.9, 1e-9);
	fx_free(&fx);

	fx_play_data(&fx, "claude", stream, strlen(stream), &o);
	assert_int_equal(fx.a->ncalls, 0);
	/* The event, then one limit from the text with the event's reset. */
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 2);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_string_equal(ev->limit.kind, "seven_day");
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 1);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_int_equal(ev->limit.reset_at, 1763100000);
	assert_true(fx_nth(&fx, ADAPTER_EV_TURN_END, 0)->is_error);
	fx_free(&fx);
}

/*
 * A rate_limit_event written into the middle of an assistant line (as in
 * anthropics/claude-code #49640): both are read.
 */
static void
test_interleaved_line(void **state)
{
	static const char	*assistant =
	    "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_9\",\"model\":"
	    "\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"halfway\"}],\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}}";
	static const char	*event =
	    "{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":"
	    "\"rejected\",\"resetsAt\":1763100000,\"rateLimitType\":"
	    "\"five_hour\"}}";
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	char				*data;
	int				 cut = 60;

	/* Line 1: the first 60 bytes, then the event; line 2: the rest. */
	xasprintf(&data, "%.*s%s\n%s\n", cut, assistant, event, assistant + cut);
	fx_play_data(&fx, "claude", data, strlen(data), &o);
	assert_int_equal(fx.a->bad_lines, 0);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0)->limit.reset_at,
	    1763100000);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text, "halfway");
	c = fx_call(&fx, "msg_9");
	assert_int_equal(c->usage.in, 7);
	fx_free(&fx);
	free(data);

	/* The cut line never finishes: what there is becomes text at the end. */
	xasprintf(&data, "%.*s%s\n", cut, assistant, event);
	fx_play_data(&fx, "claude", data, strlen(data), &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_int_equal(strlen(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text), cut);
	fx_free(&fx);
	free(data);

	/* A banner before an object, then a whole line: nothing is lost. */
	xasprintf(&data, "npm notice %s\n%s\n", event, assistant);
	fx_play_data(&fx, "claude", data, strlen(data), &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 2);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "npm notice ");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 1)->text, "halfway");
	assert_int_equal(fx.a->ncalls, 1);
	fx_free(&fx);
	free(data);
}

/*
 * A \u0000 in agent text does not cut it: the text keeps it, written out.
 * An escaped backslash before "u0000" is text already and stays as it is.
 */
static void
test_nul_escape(void **state)
{
	struct fx	 fx;
	struct fx_opts	 o = { 0 };
	const char	*data = "{\"type\":\"assistant\",\"message\":{\"id\":"
	    "\"m\",\"content\":[{\"type\":\"text\",\"text\":\"before\\u0000"
	    "after \\\\u0000 \\\\\\u0000 end\"}]}}\n";

	fx_play_data(&fx, "claude", data, strlen(data), &o);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "before\\u0000after \\u0000 \\\\u0000 end");
	assert_int_equal(fx.a->bad_lines, 0);
	fx_free(&fx);
}

/* Lines that are not JSON, a JSON non-object, a CRLF and a 5 MB line. */
static void
test_hostile_lines(void **state)
{
	struct fx	 fx;
	struct fx_opts	 o = { 0 };
	char		*big, *data;
	size_t		 n = 5 * 1024 * 1024, len;

	big = xmalloc(n + 256);
	len = (size_t)snprintf(big, 256, "{\"type\":\"assistant\",\"message\":"
	    "{\"id\":\"m\",\"content\":[{\"type\":\"text\",\"text\":\"");
	memset(big + len, 'x', n);
	len += n;
	len += (size_t)snprintf(big + len, 256, "\"}]}}\r\n");
	xasprintf(&data, "npm WARN something\n42\n[1,2]\n{\"type\":\"nope\"}\n"
	    "{\"broken\": \n");
	fx_play_data(&fx, "claude", data, strlen(data), &o);
	/* 4 lines that are not JSON objects become text; "nope" is ignored. */
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 4);
	assert_int_equal(fx.a->bad_lines, 4);
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text,
	    "npm WARN something");
	fx_free(&fx);

	/* A bad 2 MB line full of object starts is text, and quickly. */
	data = xrealloc(data, 2 * 1024 * 1024 + 2);
	for (len = 0; len + 9 <= 2 * 1024 * 1024; len += 9)
		memcpy(data + len, "{\"type\":1", 9);
	data[len++] = '\n';
	fx_play_data(&fx, "claude", data, len, &o);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_int_equal(fx.a->bad_lines, 1);
	fx_free(&fx);

	len = strlen(big);
	o.chunk = 65536;
	fx_play_data(&fx, "claude", big, len, &o);
	assert_int_equal(fx.count[ADAPTER_EV_TEXT], 1);
	assert_int_equal(strlen(fx_nth(&fx, ADAPTER_EV_TEXT, 0)->text), n);
	assert_int_equal(fx.a->bad_lines, 0);
	fx_free(&fx);
	free(big);
	free(data);
}

/*
 * Recorded here: Claude Code 2.1.197 against a local endpoint (see
 * SOURCES.md). Its default model bills as claude-opus-4-8[1m] while the
 * messages say claude-opus-4-8; the one call was 1667 in, 12 out.
 */
static void
test_local_one_call(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	size_t				 unknown;

	fx_play(&fx, "claude", "claude/local-2.1.197-one-call.jsonl", &o);
	/* One call, not one and an "unattributed" copy of it. */
	assert_int_equal(fx.a->ncalls, 1);
	c = fx_call(&fx, "msg_m_0001");
	assert_int_equal(c->usage.in, 1667);
	/* The line says 1 (a placeholder); the result's total makes it 12. */
	assert_int_equal(c->usage.out, 12);
	assert_string_equal(c->model, "claude-opus-4-8");
	assert_string_equal(fx_nth(&fx, ADAPTER_EV_SESSION, 0)->model,
	    "claude-opus-4-8[1m]");
	/* 1667*5 + 12*25 = 8635 -> $0.008635, what the CLI says. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.008635, EPS);
	assert_int_equal(unknown, 0);
	assert_float_equal(fx_cli_cost(&fx), 0.008635, EPS);
	fx_free(&fx);
}

/*
 * Two model calls (a Write, then the answer): 2001 in + 500 written, out
 * 57; 40 in + 120 written + 2500 read, out 9. The stream says 3 and 2.
 */
static void
test_local_two_calls(void **state)
{
	struct fx			 fx;
	struct fx_opts			 o = { 0 };
	const struct adapter_call	*c;
	struct adapter_usage		 t;
	size_t				 unknown;
	char				*dir, *replace;

	/*
	 * Without the session's transcript: the 61 missing output tokens
	 * are the two open calls', shared 30 and 31.
	 */
	fx_play(&fx, "claude", "claude/local-2.1.197-two-calls.jsonl", &o);
	assert_int_equal(fx.a->ncalls, 2);
	c = fx_call(&fx, "msg_a_0001");
	assert_int_equal(c->usage.in, 2001);
	assert_int_equal(c->usage.cache_write, 500);
	assert_int_equal(c->usage.out, 33);
	assert_true(c->flags & ADAPTER_CALL_SHARED);
	c = fx_call(&fx, "msg_b_0002");
	assert_int_equal(c->usage.cache_read, 2500);
	assert_int_equal(c->usage.out, 33);
	adapter_totals(fx.a, &t);
	assert_int_equal(t.out, 66);
	/* 2041*5 + 620*6.25 + 2500*0.5 + 66*25 = 16980 -> $0.01698. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.01698, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.01698, EPS);
	fx_free(&fx);

	/* With it (the recorded one): each call's own 57 and 9. */
	dir = fx_path("claude-transcript/local-2.1.197/");
	xasprintf(&replace, "/tmp/work/home/.claude/projects/-tmp-work-w2/"
	    "memory/=%smemory/", dir);
	o.replace = replace;
	fx_play(&fx, "claude", "claude/local-2.1.197-two-calls.jsonl", &o);
	assert_int_equal(fx.a->ncalls, 2);
	c = fx_call(&fx, "msg_a_0001");
	assert_int_equal(c->usage.out, 57);
	assert_false(c->flags & ADAPTER_CALL_SHARED);
	assert_int_equal(fx_call(&fx, "msg_b_0002")->usage.out, 9);
	/* 2001*5 + 500*6.25 + 57*25 = 14555; 40*5 + 120*6.25 + 2500*0.5 + 9*25 = 2425. */
	assert_float_equal(fx_cost(&fx, &unknown), 0.01698, EPS);
	/* The last USAGE event of each id carries its final figures. */
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_USAGE,
	    fx.count[ADAPTER_EV_USAGE] - 1)->usage.out, 9);
	fx_free(&fx);
	free(replace);
	free(dir);

	/* With --include-partial-messages the stream says 57 and 9 itself. */
	o.replace = NULL;
	fx_play(&fx, "claude", "claude/local-2.1.197-two-calls-partial.jsonl",
	    &o);
	assert_int_equal(fx.a->ncalls, 2);
	assert_int_equal(fx_call(&fx, "msg_a_0001")->usage.out, 57);
	assert_int_equal(fx_call(&fx, "msg_b_0002")->usage.out, 9);
	assert_false(fx_call(&fx, "msg_a_0001")->flags &
	    (ADAPTER_CALL_SHARED|ADAPTER_CALL_OPEN));
	assert_float_equal(fx_cost(&fx, &unknown), 0.01698, EPS);
	assert_float_equal(fx_cli_cost(&fx), 0.01698, EPS);
	fx_free(&fx);
}

/* acceptEdits in -p mode refuses a Bash git commit. */
static void
test_local_denied(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;
	size_t			 unknown;

	fx_play(&fx, "claude", "claude/local-2.1.197-permission-denied.jsonl",
	    &o);
	/* Once, though both the tool result and permission_denials say so. */
	assert_int_equal(fx.count[ADAPTER_EV_DENIED], 1);
	ev = fx_nth(&fx, ADAPTER_EV_DENIED, 0);
	assert_string_equal(ev->tool_name, "Bash");
	assert_string_equal(ev->tool_id, "toolu_c1");
	assert_string_equal(ev->text,
	    "git add hello.txt && git commit -m 'add hello'");
	assert_string_equal(ev->reason, "This Bash command contains multiple "
	    "operations. The following parts require approval: git add "
	    "hello.txt, git commit -m 'add hello'");
	/* 3700*5 + 55*25 = 19875 -> $0.019875, the CLI's 0.019874999... */
	assert_float_equal(fx_cost(&fx, &unknown), 0.019875, 1e-12);
	assert_float_equal(fx_cli_cost(&fx), 0.019875, 1e-12);
	fx_free(&fx);

	/* A denial named only in permission_denials. */
	o.replace = "require approval=need a human";
	fx_play(&fx, "claude", "claude/local-2.1.197-permission-denied.jsonl",
	    &o);
	assert_int_equal(fx.count[ADAPTER_EV_DENIED], 1);
	ev = fx_nth(&fx, ADAPTER_EV_DENIED, 0);
	assert_string_equal(ev->tool_name, "Bash");
	/* Its reason is the tool's failed result. */
	assert_non_null(strstr(ev->reason, "need a human"));
	fx_free(&fx);
}

/*
 * 429s: with retry-after 7 the CLI retries at 7000 ms and gives up; the
 * limit is held an estimated 7 s from then. Without one its backoff
 * (555.5 ms, 1236.0 ms) says nothing: the usual 15-minute estimate.
 */
static void
test_local_429(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 1;
	fx_play(&fx, "claude", "claude/local-2.1.197-429-retry-after.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RETRY], 2);
	assert_int_equal(fx_nth(&fx, ADAPTER_EV_RETRY, 1)->retry_delay_ms, 7000);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_LIMIT);
	assert_int_equal(ev->limit.reset_at, 1763035200 + 7);
	assert_true(ev->limit.estimated);
	assert_int_equal(fx.a->ncalls, 0);
	fx_free(&fx);

	fx_play(&fx, "claude", "claude/local-2.1.197-429-backoff.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RETRY], 2);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.reset_at, 1763035200 + 15 * 60);
	assert_true(ev->limit.estimated);
	fx_free(&fx);

	/* A 401 is an auth failure, reported once. */
	fx_play(&fx, "claude", "claude/local-2.1.197-401.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_RATELIMIT], 1);
	ev = fx_nth(&fx, ADAPTER_EV_RATELIMIT, 0);
	assert_int_equal(ev->limit.class, RATELIMIT_AUTH);
	assert_int_equal(ev->limit.reset_at, -1);
	fx_free(&fx);
}

/* --resume of a session this folder does not have: a session failure. */
static void
test_local_resume_missing(void **state)
{
	struct fx		 fx;
	struct fx_opts		 o = { 0 };
	struct adapter_event	*ev;

	o.exit_status = 1;
	o.stderr_name = "claude/local-2.1.197-resume-missing.stderr";
	fx_play(&fx, "claude", "claude/local-2.1.197-resume-missing.jsonl", &o);
	assert_int_equal(fx.count[ADAPTER_EV_ERROR], 1);
	ev = fx_nth(&fx, ADAPTER_EV_ERROR, 0);
	assert_string_equal(ev->text, "No conversation found with session ID: "
	    "11111111-2222-3333-4444-555555555555");
	assert_string_equal(ev->failure, "session");
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subagents),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_basic_query),
		cmocka_unit_test(test_result_modelusage),
		cmocka_unit_test(test_weekly_limit),
		cmocka_unit_test(test_overage_allowed),
		cmocka_unit_test(test_rate_limit_event_only),
		cmocka_unit_test(test_error_during_execution),
		cmocka_unit_test(test_amp),
		cmocka_unit_test(test_amp_blocks),
		cmocka_unit_test(test_partial_messages),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_interleaved_line),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_nul_escape),
		cmocka_unit_test(test_local_one_call),
		cmocka_unit_test(test_local_two_calls),
		cmocka_unit_test(test_local_denied),
		cmocka_unit_test(test_local_429),
		cmocka_unit_test(test_local_resume_missing),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
