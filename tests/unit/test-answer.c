/*
 * Structured answers: JSON found in prose and fences, verdicts, plans,
 * gaps and lessons, and a run's final text read back from a real store.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "baton.h"
#include "agent-fixture.h"

/* answer_json's output, or its cause prefixed with "error: ". */
static char *
json_of(const char *text)
{
	char	*out, *cause = NULL, *msg;

	if ((out = answer_json(text, &cause)) != NULL) {
		assert_null(cause);
		return (out);
	}
	assert_non_null(cause);
	xasprintf(&msg, "error: %s", cause);
	free(cause);
	return (msg);
}

static const struct {
	const char	*text;
	const char	*want;
} json_cases[] = {
	/* Fenced, with prose before and after. */
	{ "Here is my review.\n\n```json\n{\"verdict\": \"approve\"}\n```\n"
	  "Thanks!", "{\"verdict\":\"approve\"}" },
	{ "```JSON\n[1, 2]\n```", "[1,2]" },
	{ "Plain fence:\n```\n{\"a\": [true, null]}\n```\n",
	  "{\"a\":[true,null]}" },
	{ "  ```json  \n  {\"a\": 1}\n  ```", "{\"a\":1}" },
	/* Two blocks: the last one wins. */
	{ "Draft:\n```json\n{\"n\": 1}\n```\n"
	  "Final:\n```json\n{\"n\": 2}\n```\n", "{\"n\":2}" },
	/* The last block does not parse: the one before it does. */
	{ "Say {\"x\": 0}.\n```json\n{\"n\": 1}\n```\n```json\n{\"n\": \n```\n",
	  "{\"n\":1}" },
	/* Fences of other languages are code, not the answer. */
	{ "```c\n{ int x; }\n```\nThen {\"k\": \"v\"} here.", "{\"k\":\"v\"}" },
	/* Bare JSON, white space around it. */
	{ "\n\t {\"a\": \"b\"}  \n", "{\"a\":\"b\"}" },
	{ "[]", "[]" },
	/* JSON after prose, no fences; a failed start is skipped. */
	{ "I think {this} is it: {\"ok\": true} and that is all.",
	  "{\"ok\":true}" },
	{ "Summary [see below]\n[{\"title\": \"x\"}]\ntrailing words",
	  "[{\"title\":\"x\"}]" },
	/* Truncated JSON: where it broke. */
	{ "{\"verdict\": \"approve\",\n \"comments\": [", "error: the answer's "
	  "JSON is malformed at line 2, column 15" },
	{ "Result:\n```json\n{\"a\": tru\n```\n", "error: the answer's JSON is "
	  "malformed at line 3, column 7" },
	/* Not JSON at all. */
	{ "Looks good to me, ship it.", "error: the answer holds no JSON" },
	{ "", "error: the answer holds no JSON" },
	{ "It printed:\n```\nhello\n```\n", "error: the answer holds no JSON" },
	{ "\"just a string\"", "error: the answer holds no JSON" },
};

static void
test_json(void **state)
{
	size_t	 i;
	char	*got;

	for (i = 0; i < nitems(json_cases); i++) {
		got = json_of(json_cases[i].text);
		if (strcmp(got, json_cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got,
			    json_cases[i].want);
		free(got);
	}
}

/* Hostile input: long runs of brackets and invalid UTF-8 stay quick. */
static void
test_json_hostile(void **state)
{
	size_t	 n = 1024 * 1024, i;
	char	*text, *got;

	text = xmalloc(n + 1);
	memset(text, '[', n);
	text[n] = '\0';
	got = json_of(text);
	assert_true(strncmp(got, "error: the answer's JSON is malformed at "
	    "line 1, column ", 41) == 0);
	free(got);

	for (i = 0; i < n; i++)
		text[i] = (i % 3 == 0) ? '{' : (char)(0x80 + i % 64);
	got = json_of(text);
	assert_true(strncmp(got, "error: the answer's JSON is malformed", 37)
	    == 0);
	free(got);

	/* Seventy thousand broken fences: the last one is reported. */
	for (i = 0; i + 14 <= n; i += 14)
		memcpy(text + i, "```json\n[\n```\n", 14);
	text[i] = '\0';
	got = json_of(text);
	assert_string_equal(got, "error: the answer's JSON is malformed at "
	    "line 224693, column 1");
	free(got);
	free(text);

	got = json_of("\xff\xfe {\"a\": \"\xc3\x28\"} \x80");
	assert_string_equal(got, "{\"a\":\"\xc3\x28\"}");
	free(got);
}

static const struct {
	const char	*text;
	int		 approve;
	const char	*comments;
} verdict_cases[] = {
	{ "```json\n{\"verdict\": \"approve\"}\n```", 1, "" },
	{ "{\"verdict\": \"APPROVED\", \"comments\": \"Nice.\"}", 1, "Nice." },
	{ "{\"verdict\": \"changes\"}", 0, "(no comments given)" },
	{ "{\"verdict\": \"Request_Changes\", \"comments\": []}", 0,
	  "(no comments given)" },
	{ "{\"verdict\": \"request changes\", \"comments\": \"  \"}", 0,
	  "(no comments given)" },
	{ "{\"verdict\": \"changes_requested\", \"comments\": "
	  "[\"fix the leak\", \" add a test \"]}", 0,
	  "- fix the leak\n- add a test" },
	{ "Review done.\n```json\n{\"verdict\": \"changes\", \"comments\": ["
	  "{\"file\": \"src/a.c\", \"line\": 12, \"comment\": \"leak\"},"
	  "{\"file\": \"src/b.c\", \"body\": \"name\"},"
	  "{\"line\": 3, \"text\": \"style\"},"
	  "{\"file\": \"c.c\", \"line\": \"7-9\", \"text\": \"dup\"},"
	  "\"overall: ok\"]}\n```", 0,
	  "- src/a.c:12: leak\n- src/b.c: name\n- style\n- c.c:7-9: dup\n"
	  "- overall: ok" },
};

static const struct {
	const char	*text;
	const char	*error;
} bad_verdicts[] = {
	{ "{\"verdict\": \"maybe\"}",
	  "\"verdict\" must be \"approve\" or \"changes\", not \"maybe\"" },
	{ "{\"comments\": \"x\"}", "the answer has no \"verdict\" string" },
	{ "{\"verdict\": true}", "the answer has no \"verdict\" string" },
	{ "[{\"verdict\": \"approve\"}]", "a verdict is a JSON object with "
	  "\"verdict\" and \"comments\"" },
	{ "{\"verdict\": \"approve\", \"comments\": 3}",
	  "\"comments\" must be a string or an array" },
	{ "{\"verdict\": \"changes\", \"comments\": [\"a\", 4]}",
	  "comment 1 is neither a string nor an object" },
	{ "{\"verdict\": \"changes\", \"comments\": [{\"file\": \"a.c\"}]}",
	  "comment 0 has no \"comment\" string" },
	{ "LGTM", "the answer holds no JSON" },
};

static void
test_verdict(void **state)
{
	struct answer_verdict	 v;
	size_t			 i;
	char			*cause;

	for (i = 0; i < nitems(verdict_cases); i++) {
		cause = NULL;
		if (answer_verdict(verdict_cases[i].text, &v, &cause) != 0)
			fail_msg("case %zu: %s", i, cause);
		assert_int_equal(v.approve, verdict_cases[i].approve);
		assert_string_equal(v.comments, verdict_cases[i].comments);
		answer_verdict_free(&v);
		assert_null(v.comments);
	}
	for (i = 0; i < nitems(bad_verdicts); i++) {
		cause = NULL;
		assert_int_equal(answer_verdict(bad_verdicts[i].text, &v,
		    &cause), -1);
		assert_null(v.comments);
		assert_string_equal(cause, bad_verdicts[i].error);
		free(cause);
	}
}

/* Many comments: one line each, in order. */
static void
test_verdict_many(void **state)
{
	struct answer_verdict	 v;
	size_t			 i, n = 50000, len = 0;
	char			*text, *cause = NULL;

	text = xmalloc(n * 6 + 64);
	len = (size_t)sprintf(text, "{\"verdict\":\"changes\",\"comments\":[");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s\"%c\"", i == 0 ? "" :
		    ",", 'a' + (int)(i % 26));
	strcpy(text + len, "]}");
	assert_int_equal(answer_verdict(text, &v, &cause), 0);
	assert_int_equal(strlen(v.comments), n * 4 - 1);
	assert_memory_equal(v.comments, "- a\n- b\n- c", 11);
	answer_verdict_free(&v);
	free(text);
}

static void
test_plan(void **state)
{
	struct plan	 plan;
	char		*cause = NULL;

	assert_int_equal(answer_plan("The plan:\n```json\n[{\"title\": \"a\", "
	    "\"role\": \"architect\"}, {\"title\": \"b\", \"body\": \"do b\", "
	    "\"blocked_by\": [0]}]\n```\n", &plan, &cause), 0);
	assert_int_equal(plan.count, 2);
	assert_string_equal(plan.items[0].title, "a");
	assert_string_equal(plan.items[0].role, "architect");
	assert_string_equal(plan.items[1].body, "do b");
	assert_int_equal(plan.items[1].nblocked_by, 1);
	assert_int_equal(plan.items[1].blocked_by[0], 0);
	plan_free(&plan);

	assert_int_equal(answer_plan("{\"subtasks\": [{\"title\": \"x\"}, "
	    "{\"title\": \"y\"}, {\"title\": \"z\", \"blocked_by\": [0, 1]}]}",
	    &plan, &cause), 0);
	assert_int_equal(plan.count, 3);
	assert_string_equal(plan.items[2].title, "z");
	assert_int_equal(plan.items[2].nblocked_by, 2);
	plan_free(&plan);

	assert_int_equal(answer_plan("Done. {\"tasks\": [{\"title\": \"t\"}]}",
	    &plan, &cause), 0);
	assert_int_equal(plan.count, 1);
	assert_string_equal(plan.items[0].role, "worker");
	plan_free(&plan);
}

static const struct {
	const char	*text;
	const char	*error;
} bad_plans[] = {
	{ "[{\"title\": \"a\", \"blocked_by\": [1]}, {\"title\": \"b\", "
	  "\"blocked_by\": [0]}]",
	  "subtasks form a cycle: 0 \xe2\x86\x92 1 \xe2\x86\x92 0" },
	{ "{\"subtasks\": [{\"title\": \"a\"}, {\"title\": \"b\", "
	  "\"blocked_by\": [2]}]}",
	  "subtask 1: blocked_by names a number, which is not an index from "
	  "0 to 1" },
	{ "[]", "the plan has no subtasks" },
	{ "{\"subtasks\": []}", "the plan has no subtasks" },
	{ "{\"plan\": []}", "a plan is a JSON array of subtasks or an object "
	  "with a \"subtasks\" array" },
	{ "{\"subtasks\": {}}", "a plan is a JSON array of subtasks or an "
	  "object with a \"subtasks\" array" },
	{ "[{\"title\": \"\"}]", "subtask 0 needs a \"title\" string that is "
	  "not empty" },
	{ "no plan today", "the answer holds no JSON" },
};

static void
test_plan_bad(void **state)
{
	struct plan	 plan;
	size_t		 i;
	char		*cause;

	for (i = 0; i < nitems(bad_plans); i++) {
		cause = NULL;
		assert_int_equal(answer_plan(bad_plans[i].text, &plan, &cause),
		    -1);
		assert_int_equal(plan.count, 0);
		assert_null(plan.items);
		if (strcmp(cause, bad_plans[i].error) != 0)
			fail_msg("case %zu: got \"%s\"", i, cause);
		free(cause);
	}
}

static void
test_gaps(void **state)
{
	static const char	*none[] = { "{\"ok\": true}", "{\"gaps\": []}",
				    "[]", "All good.\n```json\n{\"ok\": true, "
				    "\"gaps\": null}\n```" };
	struct plan		 plan;
	size_t			 i;
	char			*cause = NULL;

	for (i = 0; i < nitems(none); i++) {
		memset(&plan, 0xff, sizeof plan);
		if (answer_gaps(none[i], &plan, &cause) != 0)
			fail_msg("case %zu: %s", i, cause);
		assert_int_equal(plan.count, 0);
		assert_null(plan.items);
	}

	assert_int_equal(answer_gaps("Two gaps:\n```json\n{\"ok\": false, "
	    "\"gaps\": [{\"title\": \"add tests\", \"role\": \"tester\"}, "
	    "{\"title\": \"document\", \"blocked_by\": [0]}]}\n```", &plan,
	    &cause), 0);
	assert_int_equal(plan.count, 2);
	assert_string_equal(plan.items[0].title, "add tests");
	assert_string_equal(plan.items[0].role, "tester");
	assert_int_equal(plan.items[1].blocked_by[0], 0);
	plan_free(&plan);

	assert_int_equal(answer_gaps("[{\"title\": \"one\"}]", &plan, &cause),
	    0);
	assert_int_equal(plan.count, 1);
	plan_free(&plan);

	assert_int_equal(answer_gaps("{\"ok\": false}", &plan, &cause), -1);
	assert_string_equal(cause, "a validation answers {\"gaps\": "
	    "[subtasks]} or {\"ok\": true}");
	free(cause);
	cause = NULL;
	assert_int_equal(answer_gaps("{\"gaps\": [{\"title\": \"a\", "
	    "\"blocked_by\": [0]}]}", &plan, &cause), -1);
	assert_string_equal(cause, "subtask 0 waits on itself");
	free(cause);
	cause = NULL;
	assert_int_equal(answer_gaps("nothing missing", &plan, &cause), -1);
	assert_string_equal(cause, "the answer holds no JSON");
	free(cause);
}

static void
test_lesson(void **state)
{
	char	*got, *cause = NULL, *text;
	size_t	 i;

	got = answer_lesson("Noted.\n```json\n{\"lesson\": \"  Run  make\\n"
	    "check\\tfirst. \"}\n```", &cause);
	assert_string_equal(got, "Run make check first.");
	free(got);

	got = answer_lesson("\n\n  Lock files before\n  editing them.\n\n"
	    "Second paragraph.", &cause);
	assert_string_equal(got, "Lock files before editing them.");
	free(got);

	/* JSON without a lesson: the prose is the lesson. */
	got = answer_lesson("Prefer small commits.\n\n{\"other\": 1}", &cause);
	assert_string_equal(got, "Prefer small commits.");
	free(got);

	/* Invalid UTF-8 and control characters. */
	got = answer_lesson("bad \xff byte\x01here", &cause);
	assert_string_equal(got, "bad \xef\xbf\xbd byte here");
	free(got);

	/* Too long: cut on a character boundary, 400 bytes with the mark. */
	text = xmalloc(1000);
	for (i = 0; i < 999; i += 2)
		memcpy(text + i, "\xc3\xa9", 2);
	text[998] = '\0';
	got = answer_lesson(text, &cause);
	assert_int_equal(strlen(got), 399);
	assert_memory_equal(got, text, 396);
	assert_string_equal(got + 396, "…");
	free(got);
	memset(text, 'a', 999);
	text[999] = '\0';
	got = answer_lesson(text, &cause);
	assert_int_equal(strlen(got), 400);
	assert_string_equal(got + 397, "…");
	free(got);
	free(text);

	assert_null(answer_lesson(" \n\t\n ", &cause));
	assert_string_equal(cause, "the answer holds no lesson");
	free(cause);
	cause = NULL;
	assert_null(answer_lesson("{\"lesson\": \" \\n \"}", &cause));
	assert_string_equal(cause, "the lesson is empty");
	free(cause);
}

/* A new store in a temporary directory, with one task. */
static struct store *
open_store(char *dir, int64_t *task)
{
	struct store	*s;
	struct task	*t;
	char		*path, *cause = NULL;

	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/baton.db", dir);
	s = store_open(path, 1, &cause);
	if (s == NULL)
		fail_msg("store_open: %s", cause);
	free(path);
	t = task_new();
	task_set_text(t, "answer", "", "worker");
	if (store_task_add(s, t, &cause) == -1)
		fail_msg("store_task_add: %s", cause);
	*task = t->id;
	task_free(t);
	return (s);
}

static void
close_store(struct store *s, const char *dir)
{
	char	*path;

	store_close(s);
	xasprintf(&path, "%s/baton.db", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}

static int64_t
new_run(struct store *s, int64_t task, const char *format)
{
	struct run	 r;
	char		*cause = NULL;

	memset(&r, 0, sizeof r);
	r.task_id = task;
	r.format = (char *)format;
	r.exit_status = -1;
	if (store_run_add(s, &r, &cause) == -1)
		fail_msg("store_run_add: %s", cause);
	return (r.id);
}

/* Store a fixture's events the way ingestion does, one offset each. */
static int64_t
store_fixture(struct store *s, int64_t task, const char *format,
    const char *name)
{
	struct fx	 fx;
	struct fx_opts	 o;
	cJSON		*json;
	size_t		 i;
	int64_t		 run;
	char		*data, *cause = NULL;

	memset(&o, 0, sizeof o);
	fx_play(&fx, format, name, &o);
	run = new_run(s, task, format);
	for (i = 0; i < fx.nev; i++) {
		json = adapter_event_to_json(fx.ev[i]);
		data = cJSON_PrintUnformatted(json);
		cJSON_Delete(json);
		if (store_event_add(s, run, (int64_t)i, 0, 0,
		    adapter_ev_name(fx.ev[i]->kind), data, &cause) != 0)
			fail_msg("store_event_add: %s", cause);
		free(data);
	}
	fx_free(&fx);
	return (run);
}

static char *
final_text(struct store *s, int64_t run)
{
	char	*text, *cause = NULL;

	if ((text = store_run_final_text(s, run, &cause)) == NULL)
		fail_msg("run %lld: %s", (long long)run, cause);
	return (text);
}

/* Real recorded streams, stored and read back. */
static void
test_final_fixtures(void **state)
{
	struct store	*s;
	char		 dir[] = "/tmp/baton-answer.XXXXXX";
	char		*text;
	int64_t		 task, run;

	s = open_store(dir, &task);

	run = store_fixture(s, task, "claude",
	    "claude/stream-basic-query-v2.1.7.jsonl");
	text = final_text(s, run);
	assert_string_equal(text, "4");
	free(text);

	/* Three main-agent messages; only the one after the last tool. */
	run = store_fixture(s, task, "claude",
	    "claude/stream-subagents-tools-v2.0.25.jsonl");
	text = final_text(s, run);
	assert_int_equal(strlen(text), 202);
	assert_true(strncmp(text, "**My question for you:** Would you like",
	    39) == 0);
	free(text);

	run = store_fixture(s, task, "codex",
	    "codex/exec-json-full-turn-gpt5.jsonl");
	text = final_text(s, run);
	assert_int_equal(strlen(text), 1258);
	assert_true(strncmp(text, "**What I Did**\n- Implemented a V "
	    "\xe2\x80\x9cHello,", 40) == 0);
	free(text);

	/* Gemini streams deltas: they are joined as they came. */
	run = store_fixture(s, task, "gemini",
	    "gemini/stream-json-assistant-deltas.jsonl");
	text = final_text(s, run);
	assert_int_equal(strlen(text), 321);
	assert_true(strncmp(text, "` returns early and `processGeminiOutput` "
	    "is skipped", 51) == 0);
	assert_string_equal(text + 321 - 30, "MEDIUM\n    - path: repo-agent/");
	free(text);

	run = store_fixture(s, task, "gemini",
	    "gemini/stream-json-docs-example.jsonl");
	text = final_text(s, run);
	assert_string_equal(text, "Here are the files...");
	free(text);

	run = store_fixture(s, task, "opencode",
	    "opencode/run-format-json-tool-and-text.jsonl");
	text = final_text(s, run);
	assert_string_equal(text, "```\nhello\n```");
	free(text);

	close_store(s, dir);
}

static void
add_event(struct store *s, int64_t run, int64_t offset, const char *kind,
    const char *data)
{
	char	*cause = NULL;

	if (store_event_add(s, run, offset, 0, 0, kind, data, &cause) != 0)
		fail_msg("store_event_add: %s", cause);
}

/* Which events make the final text. */
static void
test_final_rules(void **state)
{
	struct store		*s;
	struct answer_verdict	 v;
	char			 dir[] = "/tmp/baton-answer.XXXXXX";
	char			*text, *cause = NULL;
	int64_t			 task, run;

	s = open_store(dir, &task);

	/* Text before the last tool is work in progress. */
	run = new_run(s, task, "claude");
	add_event(s, run, 0, "text", "{\"text\":\"let me look\"}");
	add_event(s, run, 1, "tool_start", "{\"tool_id\":\"t1\"}");
	add_event(s, run, 2, "tool_end", "{\"tool_id\":\"t1\"}");
	add_event(s, run, 3, "text", "{\"text\":\"Verdict:\"}");
	add_event(s, run, 4, "text", "{\"text\":\"sub\","
	    "\"parent_tool_id\":\"t9\"}");
	add_event(s, run, 5, "text", "{\"text\":\"```json\\n{\\\"verdict\\\": "
	    "\\\"approve\\\"}\\n```\"}");
	add_event(s, run, 6, "turn_end", "{}");
	text = final_text(s, run);
	assert_string_equal(text, "Verdict:\n```json\n{\"verdict\": "
	    "\"approve\"}\n```");
	assert_int_equal(answer_verdict(text, &v, &cause), 0);
	assert_int_equal(v.approve, 1);
	answer_verdict_free(&v);
	free(text);

	/* No tools: every text; a turn end with text is preferred. */
	run = new_run(s, task, "text");
	add_event(s, run, 0, "text", "{\"text\":\"one\"}");
	add_event(s, run, 1, "text", "{\"text\":\"two\"}");
	text = final_text(s, run);
	assert_string_equal(text, "one\ntwo");
	free(text);
	add_event(s, run, 2, "turn_end", "{\"text\":\"the end\"}");
	text = final_text(s, run);
	assert_string_equal(text, "the end");
	free(text);

	/* Nothing said after the last tool. */
	run = new_run(s, task, "claude");
	add_event(s, run, 0, "text", "{\"text\":\"before\"}");
	add_event(s, run, 1, "tool_start", "{}");
	add_event(s, run, 2, "turn_end", "{\"is_error\":true,\"text\":\"x\"}");
	assert_null(store_run_final_text(s, run, &cause));
	xasprintf(&text, "run %lld left no answer", (long long)run);
	assert_string_equal(cause, text);
	free(text);
	free(cause);

	close_store(s, dir);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_hostile),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_verdict_many),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_bad),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_lesson),
		cmocka_unit_test(test_final_fixtures),
		cmocka_unit_test(test_final_rules),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
