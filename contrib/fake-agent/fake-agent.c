/*
 * baton-fake-agent: play a scenario as an agent CLI would print it, in
 * any stream format baton reads, with the pauses of a real run. For
 * trying baton without spending tokens, and for end-to-end tests.
 *
 *   baton-fake-agent [-f format] [-m model] [-s speed] scenario
 *
 * A scenario is a text file, one directive a line (# starts a comment):
 *
 *   session ID            the session id
 *   model NAME            the model the stream names and the cost uses
 *   pace MS               the pause between events (default 300)
 *   call IN CW CR OUT     a new model call: input, cache write, cache
 *                         read and output tokens
 *   text WORDS...         an assistant text block of the current call
 *   think WORDS...        a reasoning block
 *   tool NAME ARGS...     a tool call: started, a pause, its result
 *   sleep MS              a pause
 *   retry N MAX MS        the CLI retrying a failed call
 *   limit TEXT...         the CLI's usage-limit message; the run fails
 *   fail TEXT...          an error; the run fails
 *   exit N                the exit status
 *
 * -s scales every pause (0: none). Formats: claude, amp, codex, gemini,
 * opencode, text.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* The run as played so far. */
struct fake {
	const struct fake_ops	*ops;
	char			*session;
	char			*model;
	double			 speed;
	int			 pace;

	struct adapter_usage	 call;		/* the current call */
	int			 ncalls;
	int			 open;		/* a call is open */
	struct adapter_usage	 total;
	int			 items;		/* ids handed out */
	int			 tools;
	int			 failed;
	int			 exit_status;	/* -1: the format's default */
};

/* How one format prints each thing. */
struct fake_ops {
	const char	*name;
	int		 limit_exit;	/* exit status after a limit */
	void		(*begin)(struct fake *);
	void		(*call)(struct fake *);
	void		(*text)(struct fake *, const char *, int);
	void		(*tool)(struct fake *, const char *, const char *);
	void		(*retry)(struct fake *, int, int, int);
	void		(*limit)(struct fake *, const char *);
	void		(*fail)(struct fake *, const char *);
	void		(*end)(struct fake *);
};

static void
fake_sleep(struct fake *f, int ms)
{
	struct timespec	ts;
	double		d;

	d = ms * f->speed;
	if (d <= 0)
		return;
	ts.tv_sec = (time_t)(d / 1000);
	ts.tv_nsec = (long)((d - ts.tv_sec * 1000.0) * 1e6);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Print one JSON object as a line, now. */
static void
fake_emit(cJSON *json)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(json)) == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	puts(s);
	fflush(stdout);
	free(s);
	cJSON_Delete(json);
}

static cJSON *
fake_obj(const char *type)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	if (type != NULL)
		cJSON_AddStringToObject(o, "type", type);
	return (o);
}

static double
fake_cost(struct fake *f, const struct adapter_usage *u)
{
	double	 cost = 0;
	char	*cause;

	if (price_cost(f->model, u, &cost, &cause) != 0)
		free(cause);
	return (cost);
}

static char *
fake_id(struct fake *f, const char *prefix)
{
	char	*id;

	xasprintf(&id, "%s%d", prefix, ++f->items);
	return (id);
}

/* Claude Code stream-json (and Amp, which has no cost in its result). */

static int
fake_is_amp(struct fake *f)
{
	return (strcmp(f->ops->name, "amp") == 0);
}

static cJSON *
claude_usage_json(const struct adapter_usage *u)
{
	cJSON	*o, *cc;

	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "input_tokens", (double)u->in);
	cJSON_AddNumberToObject(o, "cache_creation_input_tokens",
	    (double)u->cache_write);
	cJSON_AddNumberToObject(o, "cache_read_input_tokens",
	    (double)u->cache_read);
	cc = cJSON_AddObjectToObject(o, "cache_creation");
	cJSON_AddNumberToObject(cc, "ephemeral_5m_input_tokens",
	    (double)u->cache_write);
	cJSON_AddNumberToObject(cc, "ephemeral_1h_input_tokens", 0);
	cJSON_AddNumberToObject(o, "output_tokens", (double)u->out);
	cJSON_AddStringToObject(o, "service_tier", "standard");
	return (o);
}

static void
claude_begin(struct fake *f)
{
	cJSON	*o, *tools;

	o = fake_obj("system");
	cJSON_AddStringToObject(o, "subtype", "init");
	cJSON_AddStringToObject(o, "cwd", "/tmp");
	cJSON_AddStringToObject(o, "session_id", f->session);
	tools = cJSON_AddArrayToObject(o, "tools");
	cJSON_AddItemToArray(tools, cJSON_CreateString("Bash"));
	cJSON_AddItemToArray(tools, cJSON_CreateString("Read"));
	cJSON_AddArrayToObject(o, "mcp_servers");
	if (!fake_is_amp(f))
		cJSON_AddStringToObject(o, "model", f->model);
	fake_emit(o);
}

/* An assistant line: one content block of the current call. */
static void
claude_block(struct fake *f, cJSON *block, const char *model)
{
	cJSON	*o, *msg, *content;
	char	*id;

	o = fake_obj("assistant");
	msg = cJSON_AddObjectToObject(o, "message");
	if (!fake_is_amp(f)) {
		xasprintf(&id, "msg_fake%d", f->ncalls);
		cJSON_AddStringToObject(msg, "id", id);
		free(id);
		cJSON_AddStringToObject(msg, "model", model);
	}
	cJSON_AddStringToObject(msg, "type", "message");
	cJSON_AddStringToObject(msg, "role", "assistant");
	content = cJSON_AddArrayToObject(msg, "content");
	cJSON_AddItemToArray(content, block);
	cJSON_AddNullToObject(msg, "stop_reason");
	cJSON_AddItemToObject(msg, "usage", claude_usage_json(&f->call));
	cJSON_AddNullToObject(o, "parent_tool_use_id");
	cJSON_AddStringToObject(o, "session_id", f->session);
	fake_emit(o);
}

static void
claude_text(struct fake *f, const char *text, int thinking)
{
	cJSON	*b;

	b = fake_obj(thinking ? "thinking" : "text");
	cJSON_AddStringToObject(b, thinking ? "thinking" : "text", text);
	claude_block(f, b, f->model);
}

static void
claude_tool(struct fake *f, const char *name, const char *args)
{
	cJSON	*b, *o, *msg, *content, *r;
	char	*id, *out;

	id = fake_id(f, "toolu_fake");
	b = fake_obj("tool_use");
	cJSON_AddStringToObject(b, "id", id);
	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "input"), "command",
	    args);
	claude_block(f, b, f->model);
	fake_sleep(f, f->pace * 3);

	o = fake_obj("user");
	msg = cJSON_AddObjectToObject(o, "message");
	cJSON_AddStringToObject(msg, "role", "user");
	content = cJSON_AddArrayToObject(msg, "content");
	r = fake_obj("tool_result");
	cJSON_AddStringToObject(r, "tool_use_id", id);
	xasprintf(&out, "ran: %s", args);
	cJSON_AddStringToObject(r, "content", out);
	cJSON_AddFalseToObject(r, "is_error");
	cJSON_AddItemToArray(content, r);
	cJSON_AddNullToObject(o, "parent_tool_use_id");
	cJSON_AddStringToObject(o, "session_id", f->session);
	fake_emit(o);
	free(out);
	free(id);
}

static void
claude_retry(struct fake *f, int n, int max, int ms)
{
	cJSON	*o;

	o = fake_obj("system");
	cJSON_AddStringToObject(o, "subtype", "api_retry");
	cJSON_AddNumberToObject(o, "attempt", n);
	cJSON_AddNumberToObject(o, "max_retries", max);
	cJSON_AddNumberToObject(o, "retry_delay_ms", ms);
	cJSON_AddNumberToObject(o, "error_status", 529);
	cJSON_AddStringToObject(o, "error", "overloaded");
	cJSON_AddStringToObject(o, "session_id", f->session);
	fake_emit(o);
}

static void
claude_result(struct fake *f, const char *subtype, int is_error,
    const char *text, int status)
{
	cJSON	*o, *mu, *m;
	double	 cost;

	o = fake_obj("result");
	cJSON_AddStringToObject(o, "subtype", subtype);
	cJSON_AddBoolToObject(o, "is_error", is_error);
	cJSON_AddNumberToObject(o, "num_turns", f->ncalls);
	cJSON_AddStringToObject(o, "result", text);
	cJSON_AddStringToObject(o, "session_id", f->session);
	if (!fake_is_amp(f)) {
		cost = fake_cost(f, &f->total);
		cJSON_AddNumberToObject(o, "total_cost_usd", cost);
		cJSON_AddItemToObject(o, "usage", claude_usage_json(&f->total));
		mu = cJSON_AddObjectToObject(o, "modelUsage");
		m = cJSON_AddObjectToObject(mu, f->model);
		cJSON_AddNumberToObject(m, "inputTokens", (double)f->total.in);
		cJSON_AddNumberToObject(m, "outputTokens", (double)f->total.out);
		cJSON_AddNumberToObject(m, "cacheReadInputTokens",
		    (double)f->total.cache_read);
		cJSON_AddNumberToObject(m, "cacheCreationInputTokens",
		    (double)f->total.cache_write);
		cJSON_AddNumberToObject(m, "costUSD", cost);
		if (status != 0)
			cJSON_AddNumberToObject(o, "api_error_status", status);
	}
	fake_emit(o);
}

static void
claude_limit(struct fake *f, const char *text)
{
	cJSON			*o, *msg, *content, *b;
	struct adapter_usage	 zero;

	memset(&zero, 0, sizeof zero);
	o = fake_obj("assistant");
	msg = cJSON_AddObjectToObject(o, "message");
	cJSON_AddStringToObject(msg, "id", "msg_fake_limit");
	cJSON_AddStringToObject(msg, "model", "<synthetic>");
	cJSON_AddStringToObject(msg, "role", "assistant");
	content = cJSON_AddArrayToObject(msg, "content");
	b = fake_obj("text");
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddItemToArray(content, b);
	cJSON_AddItemToObject(msg, "usage", claude_usage_json(&zero));
	cJSON_AddStringToObject(o, "error", "rate_limit");
	cJSON_AddStringToObject(o, "session_id", f->session);
	fake_emit(o);
	claude_result(f, "success", 1, text, 429);
}

static void
claude_fail(struct fake *f, const char *text)
{
	claude_result(f, "error_during_execution", 1, text, 0);
}

static void
claude_end(struct fake *f)
{
	claude_result(f, "success", 0, "done", 0);
}

/* Codex exec --json. */

static void
codex_begin(struct fake *f)
{
	cJSON	*o;

	o = fake_obj("thread.started");
	cJSON_AddStringToObject(o, "thread_id", f->session);
	fake_emit(o);
	fake_emit(fake_obj("turn.started"));
}

static void
codex_item(struct fake *f, const char *event, const char *type, cJSON *item)
{
	cJSON	*o;

	o = fake_obj(event);
	cJSON_AddStringToObject(item, "type", type);
	cJSON_AddItemToObject(o, "item", item);
	fake_emit(o);
}

static void
codex_text(struct fake *f, const char *text, int thinking)
{
	cJSON	*item;
	char	*id;

	id = fake_id(f, "item_");
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "id", id);
	cJSON_AddStringToObject(item, "text", text);
	codex_item(f, "item.completed", thinking ? "reasoning" :
	    "agent_message", item);
	free(id);
}

static void
codex_tool(struct fake *f, const char *name, const char *args)
{
	cJSON	*item;
	char	*id, *out;

	id = fake_id(f, "item_");
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "id", id);
	cJSON_AddStringToObject(item, "command", args);
	cJSON_AddStringToObject(item, "aggregated_output", "");
	cJSON_AddNullToObject(item, "exit_code");
	cJSON_AddStringToObject(item, "status", "in_progress");
	codex_item(f, "item.started", "command_execution", item);
	fake_sleep(f, f->pace * 3);
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "id", id);
	cJSON_AddStringToObject(item, "command", args);
	xasprintf(&out, "ran: %s\n", args);
	cJSON_AddStringToObject(item, "aggregated_output", out);
	cJSON_AddNumberToObject(item, "exit_code", 0);
	cJSON_AddStringToObject(item, "status", "completed");
	codex_item(f, "item.completed", "command_execution", item);
	free(out);
	free(id);
}

static void
codex_retry(struct fake *f, int n, int max, int ms)
{
	cJSON	*o;
	char	*msg;

	xasprintf(&msg, "Reconnecting... %d/%d", n, max);
	o = fake_obj("error");
	cJSON_AddStringToObject(o, "message", msg);
	fake_emit(o);
	free(msg);
}

static void
codex_fail(struct fake *f, const char *text)
{
	cJSON	*o;

	o = fake_obj("error");
	cJSON_AddStringToObject(o, "message", text);
	fake_emit(o);
	o = fake_obj("turn.failed");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "error"), "message",
	    text);
	fake_emit(o);
}

static void
codex_end(struct fake *f)
{
	cJSON	*o, *u;

	o = fake_obj("turn.completed");
	u = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(u, "input_tokens", (double)(f->total.in +
	    f->total.cache_read + f->total.cache_write));
	cJSON_AddNumberToObject(u, "cached_input_tokens",
	    (double)f->total.cache_read);
	cJSON_AddNumberToObject(u, "output_tokens", (double)f->total.out);
	fake_emit(o);
}

/* Gemini CLI stream-json. */

static void
gemini_stamp(cJSON *o)
{
	struct tm	tm;
	time_t		t = time(NULL);
	char		buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	cJSON_AddStringToObject(o, "timestamp", buf);
}

static void
gemini_begin(struct fake *f)
{
	cJSON	*o;

	o = fake_obj("init");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "session_id", f->session);
	cJSON_AddStringToObject(o, "model", f->model);
	fake_emit(o);
}

static void
gemini_text(struct fake *f, const char *text, int thinking)
{
	cJSON	*o;

	if (thinking)
		return;		/* Gemini prints no thoughts */
	o = fake_obj("message");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "role", "assistant");
	cJSON_AddStringToObject(o, "content", text);
	cJSON_AddTrueToObject(o, "delta");
	fake_emit(o);
}

static void
gemini_tool(struct fake *f, const char *name, const char *args)
{
	cJSON	*o;
	char	*id, *out;

	id = fake_id(f, "tool-");
	o = fake_obj("tool_use");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "tool_name", name);
	cJSON_AddStringToObject(o, "tool_id", id);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "parameters"),
	    "command", args);
	fake_emit(o);
	fake_sleep(f, f->pace * 3);
	o = fake_obj("tool_result");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "tool_id", id);
	cJSON_AddStringToObject(o, "status", "success");
	xasprintf(&out, "ran: %s", args);
	cJSON_AddStringToObject(o, "output", out);
	fake_emit(o);
	free(out);
	free(id);
}

/* Gemini retries quietly, with a note on standard error only. */
static void
gemini_retry(struct fake *f, int n, int max, int ms)
{
	fprintf(stderr, "Attempt %d failed: You have exhausted your capacity "
	    "on this model. Your quota will reset after 5s.. Retrying after "
	    "%dms...\n", n, ms);
}

/* Gemini counts cached tokens inside input_tokens. */
static void
gemini_stats(cJSON *o, const struct adapter_usage *u)
{
	int64_t	input = u->in + u->cache_write;

	cJSON_AddNumberToObject(o, "total_tokens", (double)(input +
	    u->cache_read + u->out));
	cJSON_AddNumberToObject(o, "input_tokens", (double)(input +
	    u->cache_read));
	cJSON_AddNumberToObject(o, "output_tokens", (double)u->out);
	cJSON_AddNumberToObject(o, "cached", (double)u->cache_read);
	cJSON_AddNumberToObject(o, "input", (double)input);
}

static void
gemini_result(struct fake *f, const char *type, const char *text)
{
	cJSON	*o, *e, *stats, *m;

	o = fake_obj("result");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "status", type != NULL ? "error" :
	    "success");
	if (type != NULL) {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "type", type);
		cJSON_AddStringToObject(e, "message", text);
	}
	stats = cJSON_AddObjectToObject(o, "stats");
	gemini_stats(stats, &f->total);
	m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(stats, "models"),
	    f->model);
	gemini_stats(m, &f->total);
	cJSON_AddNumberToObject(stats, "duration_ms", 1000);
	cJSON_AddNumberToObject(stats, "tool_calls", f->tools);
	fake_emit(o);
}

static void
gemini_limit(struct fake *f, const char *text)
{
	gemini_result(f, "TerminalQuotaError", text);
}

static void
gemini_fail(struct fake *f, const char *text)
{
	cJSON	*o;

	o = fake_obj("error");
	gemini_stamp(o);
	cJSON_AddStringToObject(o, "severity", "error");
	cJSON_AddStringToObject(o, "message", text);
	fake_emit(o);
	gemini_result(f, "Error", text);
}

static void
gemini_end(struct fake *f)
{
	gemini_result(f, NULL, NULL);
}

/* OpenCode run --format json. */

static cJSON *
opencode_line(struct fake *f, const char *type, const char *part_type)
{
	cJSON	*o, *part;
	char	*id, *msg;

	o = fake_obj(type);
	cJSON_AddNumberToObject(o, "timestamp", (double)time(NULL) * 1000);
	cJSON_AddStringToObject(o, "sessionID", f->session);
	part = cJSON_AddObjectToObject(o, "part");
	id = fake_id(f, "prt_fake");
	cJSON_AddStringToObject(part, "id", id);
	cJSON_AddStringToObject(part, "sessionID", f->session);
	xasprintf(&msg, "msg_fake%d", f->ncalls);
	cJSON_AddStringToObject(part, "messageID", msg);
	cJSON_AddStringToObject(part, "type", part_type);
	free(msg);
	free(id);
	return (o);
}

/* Close the open step with its tokens and OpenCode's cost of it. */
static void
opencode_finish_step(struct fake *f, const char *reason)
{
	cJSON	*o, *part, *tokens, *cache;

	if (!f->open)
		return;
	o = opencode_line(f, "step_finish", "step-finish");
	part = cJSON_GetObjectItem(o, "part");
	cJSON_AddStringToObject(part, "reason", reason);
	cJSON_AddNumberToObject(part, "cost", fake_cost(f, &f->call));
	tokens = cJSON_AddObjectToObject(part, "tokens");
	cJSON_AddNumberToObject(tokens, "input", (double)f->call.in);
	cJSON_AddNumberToObject(tokens, "output", (double)f->call.out);
	cJSON_AddNumberToObject(tokens, "reasoning", 0);
	cache = cJSON_AddObjectToObject(tokens, "cache");
	cJSON_AddNumberToObject(cache, "read", (double)f->call.cache_read);
	cJSON_AddNumberToObject(cache, "write", (double)f->call.cache_write);
	fake_emit(o);
}

static void
opencode_call(struct fake *f)
{
	fake_emit(opencode_line(f, "step_start", "step-start"));
}

static void
opencode_text(struct fake *f, const char *text, int thinking)
{
	cJSON	*o;

	o = opencode_line(f, thinking ? "reasoning" : "text", thinking ?
	    "reasoning" : "text");
	cJSON_AddStringToObject(cJSON_GetObjectItem(o, "part"), "text", text);
	fake_emit(o);
}

static void
opencode_tool(struct fake *f, const char *name, const char *args)
{
	cJSON	*o, *part, *state;
	char	*id, *out;

	fake_sleep(f, f->pace * 3);	/* reported when it finishes */
	o = opencode_line(f, "tool_use", "tool");
	part = cJSON_GetObjectItem(o, "part");
	id = fake_id(f, "call_fake");
	cJSON_AddStringToObject(part, "callID", id);
	cJSON_AddStringToObject(part, "tool", name);
	state = cJSON_AddObjectToObject(part, "state");
	cJSON_AddStringToObject(state, "status", "completed");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(state, "input"),
	    "command", args);
	xasprintf(&out, "ran: %s\n", args);
	cJSON_AddStringToObject(state, "output", out);
	cJSON_AddStringToObject(state, "title", args);
	fake_emit(o);
	free(out);
	free(id);
}

static void
opencode_error(struct fake *f, const char *name, const char *text,
    int status)
{
	cJSON	*o, *e, *data;

	o = fake_obj("error");
	cJSON_AddNumberToObject(o, "timestamp", (double)time(NULL) * 1000);
	cJSON_AddStringToObject(o, "sessionID", f->session);
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "name", name);
	data = cJSON_AddObjectToObject(e, "data");
	cJSON_AddStringToObject(data, "message", text);
	if (status != 0) {
		cJSON_AddNumberToObject(data, "statusCode", status);
		cJSON_AddTrueToObject(data, "isRetryable");
	}
	fake_emit(o);
}

static void
opencode_limit(struct fake *f, const char *text)
{
	opencode_error(f, "APIError", text, 429);
}

static void
opencode_fail(struct fake *f, const char *text)
{
	opencode_error(f, "UnknownError", text, 0);
}

static void
opencode_end(struct fake *f)
{
	opencode_finish_step(f, "stop");
}

/* Plain text. */

static void
text_text(struct fake *f, const char *text, int thinking)
{
	printf("%s%s\n", thinking ? "(thinking) " : "", text);
	fflush(stdout);
}

static void
text_tool(struct fake *f, const char *name, const char *args)
{
	printf("$ %s\n", args);
	fflush(stdout);
	fake_sleep(f, f->pace * 3);
	printf("ran: %s\n", args);
	fflush(stdout);
}

static void
text_fail(struct fake *f, const char *text)
{
	printf("%s\n", text);
	fflush(stdout);
}

static const struct fake_ops fake_formats[] = {
	{ "claude", 0, claude_begin, NULL, claude_text, claude_tool,
	  claude_retry, claude_limit, claude_fail, claude_end },
	{ "amp", 0, claude_begin, NULL, claude_text, claude_tool,
	  claude_retry, claude_limit, claude_fail, claude_end },
	{ "codex", 1, codex_begin, NULL, codex_text, codex_tool, codex_retry,
	  codex_fail, codex_fail, codex_end },
	{ "gemini", 173, gemini_begin, NULL, gemini_text, gemini_tool,
	  gemini_retry, gemini_limit, gemini_fail, gemini_end },
	{ "opencode", 1, NULL, opencode_call, opencode_text, opencode_tool,
	  NULL, opencode_limit, opencode_fail, opencode_end },
	{ "text", 1, NULL, NULL, text_text, text_tool, NULL, text_fail,
	  text_fail, NULL },
};

/* Start a call: close an OpenCode step first, add up the last one. */
static void
fake_call(struct fake *f, const struct adapter_usage *u)
{
	if (f->open && strcmp(f->ops->name, "opencode") == 0)
		opencode_finish_step(f, "tool-calls");
	f->ncalls++;
	f->call = *u;
	f->open = 1;
	f->total.in += u->in;
	f->total.cache_write += u->cache_write;
	f->total.cache_read += u->cache_read;
	f->total.out += u->out;
	if (f->ops->call != NULL)
		f->ops->call(f);
}

static void
fake_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-f format] [-m model] [-s speed] "
	    "scenario\n", prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct fake		 f;
	struct adapter_usage	 u;
	const char		*format = "claude", *model = NULL;
	char			*line = NULL, *word, *rest, *end;
	size_t			 size = 0, i, n;
	long long		 v[4];
	FILE			*in;
	int			 ch, lineno = 0, a, b, c;

	memset(&f, 0, sizeof f);
	f.speed = 1;
	f.pace = 300;
	f.exit_status = -1;
	while ((ch = getopt(argc, argv, "f:m:s:")) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 's':
			f.speed = strtod(optarg, &end);
			if (*end != '\0' || f.speed < 0)
				fake_usage(argv[0]);
			break;
		default:
			fake_usage(argv[0]);
		}
	}
	if (optind != argc - 1)
		fake_usage(argv[0]);
	for (i = 0; i < nitems(fake_formats); i++) {
		if (strcmp(fake_formats[i].name, format) == 0)
			f.ops = &fake_formats[i];
	}
	if (f.ops == NULL) {
		fprintf(stderr, "%s: unknown format: %s\n", argv[0], format);
		return (2);
	}
	if ((in = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[optind],
		    strerror(errno));
		return (1);
	}
	f.session = xstrdup(strcmp(format, "amp") == 0 ?
	    "T-00000000-0000-4000-8000-000000000001" :
	    "00000000-0000-4000-8000-000000000001");
	f.model = xstrdup(model != NULL ? model : "claude-sonnet-4-5");

	/* Settings first: the stream's first line names the session. */
	while (getline(&line, &size, in) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		rest = line + strspn(line, " \t");
		word = strsep(&rest, " \t");
		if (strcmp(word, "session") == 0 && rest != NULL) {
			free(f.session);
			f.session = xstrdup(rest);
		} else if (strcmp(word, "model") == 0 && rest != NULL &&
		    model == NULL) {
			free(f.model);
			f.model = xstrdup(rest);
		} else if (strcmp(word, "exit") == 0 && rest != NULL)
			f.exit_status = atoi(rest);
	}
	rewind(in);
	if (f.ops->begin != NULL)
		f.ops->begin(&f);

	while (getline(&line, &size, in) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		rest = line + strspn(line, " \t");
		if (*rest == '\0' || *rest == '#')
			continue;
		word = strsep(&rest, " \t");
		if (rest == NULL)
			rest = (char *)"";
		if (strcmp(word, "session") == 0 ||
		    strcmp(word, "model") == 0 || strcmp(word, "exit") == 0)
			continue;
		if (strcmp(word, "pace") == 0)
			f.pace = atoi(rest);
		else if (strcmp(word, "sleep") == 0)
			fake_sleep(&f, atoi(rest));
		else if (strcmp(word, "call") == 0) {
			n = 0;
			for (word = strsep(&rest, " \t"); word != NULL && n < 4;
			    word = strsep(&rest, " \t")) {
				if (*word != '\0')
					v[n++] = strtoll(word, NULL, 10);
			}
			if (n != 4)
				fatalx("line %d: call IN CW CR OUT", lineno);
			memset(&u, 0, sizeof u);
			u.in = v[0];
			u.cache_write = v[1];
			u.cache_read = v[2];
			u.out = v[3];
			fake_call(&f, &u);
			fake_sleep(&f, f.pace);
		} else if (strcmp(word, "text") == 0 ||
		    strcmp(word, "think") == 0) {
			f.ops->text(&f, rest, word[1] == 'h');
			fake_sleep(&f, f.pace);
		} else if (strcmp(word, "tool") == 0) {
			word = strsep(&rest, " \t");
			f.tools++;
			f.ops->tool(&f, word, rest != NULL ? rest : "");
			fake_sleep(&f, f.pace);
		} else if (strcmp(word, "retry") == 0) {
			if (sscanf(rest, "%d %d %d", &a, &b, &c) != 3)
				fatalx("line %d: retry N MAX MS", lineno);
			if (f.ops->retry != NULL)
				f.ops->retry(&f, a, b, c);
			fake_sleep(&f, c);
		} else if (strcmp(word, "limit") == 0) {
			f.ops->limit(&f, rest);
			f.failed = 1;
			if (f.exit_status == -1)
				f.exit_status = f.ops->limit_exit;
			break;
		} else if (strcmp(word, "fail") == 0) {
			f.ops->fail(&f, rest);
			f.failed = 1;
			if (f.exit_status == -1)
				f.exit_status = 1;
			break;
		} else
			fatalx("line %d: unknown directive: %s", lineno, word);
	}
	if (!f.failed && f.ops->end != NULL)
		f.ops->end(&f);
	fclose(in);
	free(line);
	free(f.session);
	free(f.model);
	return (f.exit_status == -1 ? 0 : f.exit_status);
}
