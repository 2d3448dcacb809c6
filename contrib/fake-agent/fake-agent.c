/*
 * baton-fake-agent: play a scenario as an agent CLI would print it, in
 * any stream format baton reads, with the pauses of a real run. For
 * trying baton without spending tokens, and for end-to-end tests.
 *
 *   baton-fake-agent [-f format] [-m model] [-s speed] [-p prompt]
 *       [-P file] [-r session] [-S dir] [scenario]
 *
 * -f, -m and -s pick the format, the model and the speed (below). As baton
 * starts it from a provider's argv template:
 *
 *   -p PROMPT     the prompt, as one argument; the scenario may check it
 *                 (expect) but the stream does not print it
 *   -P FILE       write the prompt, exactly its bytes with no newline
 *                 added, to FILE before playing (an empty file without -p)
 *   -r SESSION    continue that session: the stream's session id is
 *                 SESSION, whatever the scenario says, and resumed speaks
 *   -S DIR        no scenario argument needed: play the first of
 *                 DIR/T<task>.resume.txt (with -r only),
 *                 DIR/T<task>.<attempt>.txt, DIR/T<task>.txt and
 *                 DIR/default.txt that exists, <task> and <attempt> from
 *                 $BATON_TASK and $BATON_ATTEMPT (names needing one that
 *                 is unset, empty or holds a "/" are skipped); none there
 *                 exits 2. A scenario argument, if given, is played instead
 *
 * Without -r the session id is the scenario's (session), or else
 * 00000000-0000-4000-8000-000000000001 ("T-" before it for Amp); with -S
 * the last group is $BATON_RUN, as 12 digits, so that each run is its own
 * session (the process id when $BATON_RUN is unset).
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
 *   limit TEXT...         the CLI's usage-limit message; the run fails.
 *                         Every format keeps TEXT whole, so baton reads
 *                         a reset time in it: "resets 8pm
 *                         (America/New_York)" or "try again in 20 seconds"
 *   fail TEXT...          an error; the run fails
 *   exit N                the exit status
 *
 * and the things baton's scheduler passes to its agents:
 *
 *   expect TEXT...        the run fails, as fail does, with "prompt lacks:
 *                         TEXT" unless the prompt (-p) holds TEXT
 *   checkpoint TEXT...    add TEXT and a newline to the file named by
 *                         $BATON_CHECKPOINT (made if missing), shown as a
 *                         Write tool call; the variable unset or empty, or
 *                         the file not writable, fails the run
 *   resumed TEXT...       an assistant text block, only when -r was given
 *
 * and the things real agents do to baton's work tree and to its parser:
 *
 *   write PATH TEXT...    really write TEXT and a newline to PATH, under
 *                         the working directory (parents are made), and
 *                         show it as a Write tool call; an absolute PATH,
 *                         a ".." in it, or one that leads out of the
 *                         working directory through a symbolic link (or
 *                         is one) fails the run and writes no file
 *   append PATH TEXT...   the same, added to the end of PATH
 *   remove PATH           really remove the file PATH, under the working
 *                         directory as for write, shown as a Bash tool call
 *   rebase BRANCH         really rebase the checked-out branch onto
 *                         BRANCH; each conflict is resolved by keeping
 *                         both sides' lines (theirs, then ours) without
 *                         the markers, as a careful agent would for two
 *                         additions; anything still failing aborts the
 *                         rebase and fails the run
 *   resolve               keep both sides of every conflict in the
 *                         changed files of the working directory, as in
 *                         rebase, without running git
 *   commit MESSAGE...     really commit every change in the working
 *                         directory ("git add -A", then "git commit"),
 *                         shown as a Bash tool call; git's own output goes
 *                         to standard error; a failed commit fails the run
 *   auth [TEXT...]        the format's authentication failure, with its
 *                         own text unless TEXT is given; the run fails
 *                         (Claude: assistant error "authentication_failed"
 *                         and a result with api_error_status 401, exit 1;
 *                         Codex: "401 Unauthorized" in error and
 *                         turn.failed after five reconnects, exit 1;
 *                         Gemini: no result, a message on standard error,
 *                         exit 41; OpenCode: a ProviderAuthError, exit 1)
 *   crash SIG [TEXT...]   die by signal SIG (SEGV, KILL, ABRT, BUS, TERM
 *                         or a number), after writing the first half of a
 *                         text event holding TEXT, with no newline, if
 *                         TEXT is given
 *   hang                  stop printing and sleep until killed
 *   garbage [TEXT...]     a line that is not JSON (TEXT, or a banner)
 *   big N                 a text event whose text is N bytes long, in one
 *                         valid line of the format (big 5242880: 5 MB)
 *
 * -s scales every pause (0: none). Formats: claude, amp, codex, gemini,
 * opencode, text.
 */

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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
	const char		*prompt;	/* -p, or NULL */
	int			 resumed;	/* -r was given */
	double			 speed;
	int			 pace;

	struct adapter_usage	 call;		/* the current call */
	int			 ncalls;
	int			 open;		/* a call is open */
	struct adapter_usage	 total;
	int			 items;		/* ids handed out */
	int			 tools;
	int			 begun;		/* the stream's first lines are out */
	int			 failed;
	int			 exit_status;	/* -1: the format's default */
};

/* How one format prints each thing. */
struct fake_ops {
	const char	*name;
	int		 limit_exit;	/* exit status after a limit */
	int		 auth_exit;	/* exit status after an auth failure */
	const char	*auth_text;	/* what the CLI says then */
	void		(*begin)(struct fake *);
	void		(*call)(struct fake *);
	void		(*text)(struct fake *, const char *, int);
	void		(*tool)(struct fake *, const char *, const char *);
	void		(*retry)(struct fake *, int, int, int);
	void		(*limit)(struct fake *, const char *);
	void		(*fail)(struct fake *, const char *);
	void		(*auth)(struct fake *, const char *);
	void		(*end)(struct fake *);
};

/* Set by crash: the next line stops halfway, with no newline. */
static int	fake_cut;

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

/* Print one line, now; a cut one is left half written. */
static void
fake_print(const char *s)
{
	size_t	len = strlen(s);

	if (fake_cut)
		len /= 2;
	if (fwrite(s, 1, len, stdout) != len ||
	    (!fake_cut && putchar('\n') == EOF) || fflush(stdout) == EOF)
		fatalx("standard output: %s", strerror(errno));
}

/* Print one JSON object as a line, now. */
static void
fake_emit(cJSON *json)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(json)) == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	fake_print(s);
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

/* The stream's opening lines, once, before the first thing said. */
static void
fake_begin(struct fake *f)
{
	if (f->begun)
		return;
	f->begun = 1;
	if (f->ops->begin != NULL)
		f->ops->begin(f);
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

/*
 * The synthetic assistant message Claude Code writes when the API refused
 * the call, then a result that repeats it with the HTTP status.
 */
static void
claude_refused(struct fake *f, const char *text, const char *error,
    int status)
{
	cJSON			*o, *msg, *content, *b;
	struct adapter_usage	 zero;
	char			*id;

	memset(&zero, 0, sizeof zero);
	o = fake_obj("assistant");
	msg = cJSON_AddObjectToObject(o, "message");
	xasprintf(&id, "msg_fake_%s", error);
	cJSON_AddStringToObject(msg, "id", id);
	free(id);
	cJSON_AddStringToObject(msg, "model", "<synthetic>");
	cJSON_AddStringToObject(msg, "role", "assistant");
	content = cJSON_AddArrayToObject(msg, "content");
	b = fake_obj("text");
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddItemToArray(content, b);
	cJSON_AddItemToObject(msg, "usage", claude_usage_json(&zero));
	cJSON_AddStringToObject(o, "error", error);
	cJSON_AddStringToObject(o, "session_id", f->session);
	fake_emit(o);
	claude_result(f, "success", 1, text, status);
}

static void
claude_limit(struct fake *f, const char *text)
{
	claude_refused(f, text, "rate_limit", 429);
}

static void
claude_auth(struct fake *f, const char *text)
{
	fake_begin(f);
	claude_refused(f, text, "authentication_failed", 401);
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

/* Codex retries a refused connection five times, then gives up. */
static void
codex_auth(struct fake *f, const char *text)
{
	int	i;

	fake_begin(f);
	for (i = 1; i <= 5; i++) {
		codex_retry(f, i, 5, 0);
		fake_sleep(f, f->pace);
	}
	codex_fail(f, text);
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

/* Gemini fails its login before the stream starts: no result at all. */
static void
gemini_auth(struct fake *f, const char *text)
{
	fprintf(stderr, "%s\n", text);
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
opencode_auth(struct fake *f, const char *text)
{
	fake_begin(f);
	opencode_error(f, "ProviderAuthError", text, 0);
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
	char	*line;

	xasprintf(&line, "%s%s", thinking ? "(thinking) " : "", text);
	fake_print(line);
	free(line);
}

static void
text_tool(struct fake *f, const char *name, const char *args)
{
	char	*line;

	xasprintf(&line, "$ %s", args);
	fake_print(line);
	free(line);
	fake_sleep(f, f->pace * 3);
	xasprintf(&line, "ran: %s", args);
	fake_print(line);
	free(line);
}

static void
text_fail(struct fake *f, const char *text)
{
	fake_print(text);
}

#define CLAUDE_AUTH_TEXT "Invalid API key \xc2\xb7 Please run /login"
#define CODEX_AUTH_TEXT "exceeded retry limit, last status: 401 " \
	"Unauthorized, request id: fake-request-0001"
#define GEMINI_AUTH_TEXT "Error authenticating: the API key is not valid"
#define OPENCODE_AUTH_TEXT "No API key found for provider anthropic"
#define TEXT_AUTH_TEXT "Error: 401 Unauthorized: invalid API key"

static const struct fake_ops fake_formats[] = {
	{ "claude", 0, 1, CLAUDE_AUTH_TEXT, claude_begin, NULL, claude_text,
	  claude_tool, claude_retry, claude_limit, claude_fail, claude_auth,
	  claude_end },
	{ "amp", 0, 1, CLAUDE_AUTH_TEXT, claude_begin, NULL, claude_text,
	  claude_tool, claude_retry, claude_limit, claude_fail, claude_auth,
	  claude_end },
	{ "codex", 1, 1, CODEX_AUTH_TEXT, codex_begin, NULL, codex_text,
	  codex_tool, codex_retry, codex_fail, codex_fail, codex_auth,
	  codex_end },
	{ "gemini", 173, 41, GEMINI_AUTH_TEXT, gemini_begin, NULL, gemini_text,
	  gemini_tool, gemini_retry, gemini_limit, gemini_fail, gemini_auth,
	  gemini_end },
	{ "opencode", 1, 1, OPENCODE_AUTH_TEXT, NULL, opencode_call,
	  opencode_text, opencode_tool, NULL, opencode_limit, opencode_fail,
	  opencode_auth, opencode_end },
	{ "text", 1, 1, TEXT_AUTH_TEXT, NULL, NULL, text_text, text_tool, NULL,
	  text_fail, text_fail, text_fail, NULL },
};

/* Start a call: close an OpenCode step first, add up the last one. */
static void
fake_call(struct fake *f, const struct adapter_usage *u)
{
	fake_begin(f);
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

/* End the run with an error the format reports as it would any other. */
static int
fake_failed(struct fake *f, char *cause)
{
	fprintf(stderr, "baton-fake-agent: %s\n", cause);
	fake_begin(f);
	f->ops->fail(f, cause);
	free(cause);
	f->failed = 1;
	if (f->exit_status == -1)
		f->exit_status = 1;
	return (1);
}

/* Is path (which exists) inside the directory top, once links are followed? */
static int
fake_inside(const char *path, const char *top)
{
	char	real[PATH_MAX];
	size_t	len = strlen(top);

	if (realpath(path, real) == NULL)
		return (0);
	if (strcmp(top, "/") == 0)
		return (1);
	return (strncmp(real, top, len) == 0 &&
	    (real[len] == '\0' || real[len] == '/'));
}

/*
 * Open path for writing under the working directory, making its parents:
 * only a relative path with no ".." in it, and no folder on the way may be
 * a link that leads out. The file itself may not be a link.
 */
static int
fake_open(const char *path, int append, char **cause)
{
	char	top[PATH_MAX], *copy, *word, *next, *slash;
	int	fd, flags;

	if (*path == '\0' || *path == '/') {
		xasprintf(cause, "%s: not a relative path", path);
		return (-1);
	}
	copy = xstrdup(path);
	for (next = copy; (word = strsep(&next, "/")) != NULL;) {
		if (strcmp(word, "..") == 0) {
			free(copy);
			xasprintf(cause, "%s: \"..\" is not allowed", path);
			return (-1);
		}
	}
	free(copy);
	if (realpath(".", top) == NULL) {
		xasprintf(cause, "working directory: %s", strerror(errno));
		return (-1);
	}

	copy = xstrdup(path);
	for (slash = strchr(copy, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (*copy != '\0' && mkdir(copy, 0755) != 0 && errno != EEXIST) {
			xasprintf(cause, "%s: %s", copy, strerror(errno));
			free(copy);
			return (-1);
		}
		if (*copy != '\0' && !fake_inside(copy, top)) {
			xasprintf(cause, "%s: leads out of the working "
			    "directory", copy);
			free(copy);
			return (-1);
		}
		*slash = '/';
	}
	free(copy);

	flags = O_WRONLY|O_CREAT|O_NOFOLLOW|O_CLOEXEC;
	flags |= append ? O_APPEND : O_TRUNC;
	if ((fd = open(path, flags, 0644)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (fd);
}

/* Run a git command, argv as given, its output to standard error. */
static int
fake_git(const char *const *argv, char **cause)
{
	pid_t	pid;
	int	status;

	fflush(stdout);
	switch (pid = fork()) {
	case -1:
		xasprintf(cause, "fork: %s", strerror(errno));
		return (-1);
	case 0:
		if (dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
			_exit(127);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			xasprintf(cause, "waitpid: %s", strerror(errno));
			return (-1);
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		xasprintf(cause, "git %s failed (%s %d)", argv[1],
		    WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ?
		    WEXITSTATUS(status) : WTERMSIG(status));
		return (-1);
	}
	return (0);
}

/* Each directive: 0 to go on, 1 when the run has ended. */

static int
fake_do_pace(struct fake *f, char *rest, int lineno)
{
	f->pace = atoi(rest);
	return (0);
}

static int
fake_do_sleep(struct fake *f, char *rest, int lineno)
{
	fake_sleep(f, atoi(rest));
	return (0);
}

static int
fake_do_call(struct fake *f, char *rest, int lineno)
{
	struct adapter_usage	 u;
	long long		 v[4];
	char			*word;
	size_t			 n = 0;

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
	fake_call(f, &u);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_text(struct fake *f, char *rest, int lineno)
{
	fake_begin(f);
	f->ops->text(f, rest, 0);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_think(struct fake *f, char *rest, int lineno)
{
	fake_begin(f);
	f->ops->text(f, rest, 1);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_tool(struct fake *f, char *rest, int lineno)
{
	char	*word;

	fake_begin(f);
	word = strsep(&rest, " \t");
	f->tools++;
	f->ops->tool(f, word, rest != NULL ? rest : "");
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_retry(struct fake *f, char *rest, int lineno)
{
	int	n, max, ms;

	if (sscanf(rest, "%d %d %d", &n, &max, &ms) != 3)
		fatalx("line %d: retry N MAX MS", lineno);
	fake_begin(f);
	if (f->ops->retry != NULL)
		f->ops->retry(f, n, max, ms);
	fake_sleep(f, ms);
	return (0);
}

static int
fake_do_limit(struct fake *f, char *rest, int lineno)
{
	fake_begin(f);
	f->ops->limit(f, rest);
	f->failed = 1;
	if (f->exit_status == -1)
		f->exit_status = f->ops->limit_exit;
	return (1);
}

static int
fake_do_fail(struct fake *f, char *rest, int lineno)
{
	fake_begin(f);
	f->ops->fail(f, rest);
	f->failed = 1;
	if (f->exit_status == -1)
		f->exit_status = 1;
	return (1);
}

static int
fake_do_auth(struct fake *f, char *rest, int lineno)
{
	f->ops->auth(f, *rest != '\0' ? rest : f->ops->auth_text);
	f->failed = 1;
	if (f->exit_status == -1)
		f->exit_status = f->ops->auth_exit;
	return (1);
}

/* write and append: the file really changes, then the tool call shows. */
static int
fake_do_file(struct fake *f, char *rest, int append)
{
	char	*path, *cause = NULL, *text;
	size_t	 len;
	int	 fd;

	path = strsep(&rest, " \t");
	if (path == NULL || *path == '\0')
		return (fake_failed(f, xstrdup("write and append need a PATH")));
	if ((fd = fake_open(path, append, &cause)) == -1)
		return (fake_failed(f, cause));
	xasprintf(&text, "%s\n", rest != NULL ? rest : "");
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len) {
		xasprintf(&cause, "%s: %s", path, strerror(errno));
		free(text);
		close(fd);
		return (fake_failed(f, cause));
	}
	free(text);
	close(fd);
	fake_begin(f);
	f->tools++;
	f->ops->tool(f, append ? "Edit" : "Write", path);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_write(struct fake *f, char *rest, int lineno)
{
	return (fake_do_file(f, rest, 0));
}

static int
fake_do_append(struct fake *f, char *rest, int lineno)
{
	return (fake_do_file(f, rest, 1));
}

static int
fake_do_remove(struct fake *f, char *rest, int lineno)
{
	char	*cause = NULL, *shown;
	int	 fd;

	if (*rest == '\0')
		return (fake_failed(f, xstrdup("remove needs a PATH")));
	/* The same checks as a write: inside the working directory only. */
	if ((fd = fake_open(rest, 1, &cause)) == -1)
		return (fake_failed(f, cause));
	close(fd);
	if (unlink(rest) != 0) {
		xasprintf(&cause, "%s: %s", rest, strerror(errno));
		return (fake_failed(f, cause));
	}
	fake_begin(f);
	f->tools++;
	xasprintf(&shown, "rm %s", rest);
	f->ops->tool(f, "Bash", shown);
	free(shown);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_commit(struct fake *f, char *rest, int lineno)
{
	const char	*add[] = { "git", "add", "-A", NULL };
	const char	*commit[] = { "git", "commit", "-q", "-m", rest, NULL };
	char		*cause = NULL, *shown;

	if (*rest == '\0')
		return (fake_failed(f, xstrdup("commit needs a MESSAGE")));
	if (fake_git(add, &cause) != 0 || fake_git(commit, &cause) != 0)
		return (fake_failed(f, cause));
	fake_begin(f);
	f->tools++;
	xasprintf(&shown, "git add -A && git commit -m '%s'", rest);
	f->ops->tool(f, "Bash", shown);
	free(shown);
	fake_sleep(f, f->pace);
	return (0);
}

/* Keep both sides of every conflict in path: drop only the markers. */
static int
fake_union(const char *path, char **cause)
{
	FILE	*in, *out;
	char	*tmp, *line = NULL;
	size_t	 size = 0;
	int	 rc = 0;

	xasprintf(&tmp, "%s.union", path);
	if ((in = fopen(path, "r")) == NULL ||
	    (out = fopen(tmp, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (in != NULL)
			fclose(in);
		free(tmp);
		return (-1);
	}
	while (getline(&line, &size, in) != -1) {
		if (strncmp(line, "<<<<<<<", 7) == 0 ||
		    strncmp(line, "=======", 7) == 0 ||
		    strncmp(line, ">>>>>>>", 7) == 0 ||
		    strncmp(line, "|||||||", 7) == 0)
			continue;
		fputs(line, out);
	}
	free(line);
	fclose(in);
	if (fclose(out) != 0 || rename(tmp, path) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(tmp);
	return (rc);
}

static int
fake_do_rebase(struct fake *f, char *rest, int lineno)
{
	const char	*rebase[] = { "git", "rebase", "-q", rest, NULL };
	const char	*cont[] = { "git", "-c", "core.editor=true", "rebase",
			    "--continue", NULL };
	const char	*abort_[] = { "git", "rebase", "--abort", NULL };
	const char	*add[] = { "git", "add", "--", NULL, NULL };
	char		*cause = NULL, *line = NULL, *shown;
	size_t		 size = 0;
	ssize_t		 n;
	FILE		*p;
	int		 round, found;

	if (*rest == '\0')
		return (fake_failed(f, xstrdup("rebase needs a BRANCH")));
	fake_begin(f);
	f->tools++;
	xasprintf(&shown, "git rebase %s", rest);
	f->ops->tool(f, "Bash", shown);
	free(shown);
	if (fake_git(rebase, &cause) == 0)
		goto done;
	free(cause);
	cause = NULL;
	for (round = 0; round < 50; round++) {
		fflush(stdout);
		if ((p = popen("git diff --name-only --diff-filter=U",
		    "r")) == NULL)
			break;
		found = 0;
		while ((n = getline(&line, &size, p)) > 0) {
			line[strcspn(line, "\n")] = '\0';
			add[3] = line;
			if (fake_union(line, &cause) != 0 ||
			    fake_git(add, &cause) != 0)
				break;
			found = 1;
		}
		pclose(p);
		if (cause != NULL || !found)
			break;
		f->tools++;
		f->ops->tool(f, "Edit", "resolved: both sides kept");
		if (fake_git(cont, &cause) == 0)
			goto done;
		free(cause);
		cause = NULL;
	}
	free(line);
	free(cause);
	cause = NULL;
	if (fake_git(abort_, &cause) != 0)
		free(cause);
	return (fake_failed(f, xstrdup("the rebase could not be finished")));
done:
	free(line);
	fake_sleep(f, f->pace);
	return (0);
}

/* Whether a file has a line that starts a conflict. */
static int
fake_has_conflict(const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 size = 0;
	int	 found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (!found && getline(&line, &size, f) != -1)
		found = strncmp(line, "<<<<<<< ", 8) == 0;
	free(line);
	fclose(f);
	return (found);
}

/*
 * Edit every changed file of the working tree that holds conflict markers
 * so that both sides are kept, as an agent does in a worktree baton set up
 * for a resolution; git is never run to change anything.
 */
static int
fake_do_resolve(struct fake *f, char *rest, int lineno)
{
	char	*line = NULL, *cause = NULL, *shown;
	size_t	 size = 0;
	ssize_t	 n;
	FILE	*p;

	fflush(stdout);
	if ((p = popen("git ls-files -m -o --exclude-standard", "r")) == NULL)
		return (fake_failed(f, xstrdup("cannot list the changes")));
	while ((n = getline(&line, &size, p)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!fake_has_conflict(line))
			continue;
		if (fake_union(line, &cause) != 0)
			break;
		fake_begin(f);
		f->tools++;
		xasprintf(&shown, "%s: both sides kept", line);
		f->ops->tool(f, "Edit", shown);
		free(shown);
	}
	pclose(p);
	free(line);
	if (cause != NULL)
		return (fake_failed(f, cause));
	fake_sleep(f, f->pace);
	return (0);
}

/* The prompt must hold the text, so a test can see what baton passed. */
static int
fake_do_expect(struct fake *f, char *rest, int lineno)
{
	char	*cause;

	if (*rest == '\0')
		fatalx("line %d: expect TEXT", lineno);
	if (f->prompt != NULL && strstr(f->prompt, rest) != NULL)
		return (0);
	xasprintf(&cause, "prompt lacks: %s", rest);
	return (fake_failed(f, cause));
}

/* Keep baton's checkpoint file, which lives outside the working tree. */
static int
fake_do_checkpoint(struct fake *f, char *rest, int lineno)
{
	const char	*path;
	char		*cause, *text;
	size_t		 len;
	int		 fd;

	path = getenv("BATON_CHECKPOINT");
	if (path == NULL || *path == '\0') {
		return (fake_failed(f, xstrdup("checkpoint: BATON_CHECKPOINT is "
		    "not set")));
	}
	fd = open(path, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0644);
	if (fd == -1) {
		xasprintf(&cause, "checkpoint: %s: %s", path, strerror(errno));
		return (fake_failed(f, cause));
	}
	xasprintf(&text, "%s\n", rest);
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len) {
		xasprintf(&cause, "checkpoint: %s: %s", path, strerror(errno));
		free(text);
		close(fd);
		return (fake_failed(f, cause));
	}
	free(text);
	close(fd);
	fake_begin(f);
	f->tools++;
	f->ops->tool(f, "Write", path);
	fake_sleep(f, f->pace);
	return (0);
}

static int
fake_do_resumed(struct fake *f, char *rest, int lineno)
{
	if (!f->resumed)
		return (0);
	return (fake_do_text(f, rest, lineno));
}

static const struct {
	const char	*name;
	int		 sig;
} fake_signals[] = {
	{ "SEGV", SIGSEGV },
	{ "KILL", SIGKILL },
	{ "ABRT", SIGABRT },
	{ "BUS", SIGBUS },
	{ "TERM", SIGTERM },
};

/* Die by a signal, maybe in the middle of a line. */
static int
fake_do_crash(struct fake *f, char *rest, int lineno)
{
	struct rlimit	 rl;
	const char	*name;
	char		*end;
	size_t		 i;
	int		 sig = 0;

	if ((name = strsep(&rest, " \t")) == NULL || *name == '\0')
		fatalx("line %d: crash SIGNAL [TEXT]", lineno);
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < nitems(fake_signals); i++) {
		if (strcmp(fake_signals[i].name, name) == 0)
			sig = fake_signals[i].sig;
	}
	if (sig == 0 && ((sig = (int)strtol(name, &end, 10)) <= 0 ||
	    sig >= NSIG || *end != '\0'))
		fatalx("line %d: unknown signal: %s", lineno, name);

	/* No core file, and the default action even where one was set. */
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	signal(sig, SIG_DFL);
	if (rest != NULL && *rest != '\0') {
		fake_begin(f);
		fake_cut = 1;
		f->ops->text(f, rest, 0);
	}
	fflush(stdout);
	raise(sig);
	_exit(128 + sig);
}

static int
fake_do_hang(struct fake *f, char *rest, int lineno)
{
	fflush(stdout);
	for (;;) {
		if (pause() == -1 && errno != EINTR)
			break;
	}
	return (1);
}

static int
fake_do_garbage(struct fake *f, char *rest, int lineno)
{
	fake_begin(f);
	fake_print(*rest != '\0' ? rest :
	    "npm notice New minor version available! {see changelog");
	fake_sleep(f, f->pace);
	return (0);
}

/* One text event of exactly n bytes of text. */
static int
fake_do_big(struct fake *f, char *rest, int lineno)
{
	static const char	 words[] = "lorem ipsum dolor sit amet ";
	char			*text, *end;
	long long		 n;
	size_t			 i;

	n = strtoll(rest, &end, 10);
	if (n <= 0 || n > 1024LL * 1024 * 1024 || *end != '\0')
		fatalx("line %d: big N (bytes, up to 1 GB)", lineno);
	text = xmalloc((size_t)n + 1);
	for (i = 0; i < (size_t)n; i++)
		text[i] = words[i % (sizeof words - 1)];
	text[n] = '\0';
	fake_begin(f);
	f->ops->text(f, text, 0);
	free(text);
	fake_sleep(f, f->pace);
	return (0);
}

/* Every directive; NULL: a setting, read before the run is played. */
static const struct {
	const char	*name;
	int		(*fn)(struct fake *, char *, int);
} fake_directives[] = {
	{ "session", NULL },
	{ "model", NULL },
	{ "exit", NULL },
	{ "pace", fake_do_pace },
	{ "sleep", fake_do_sleep },
	{ "call", fake_do_call },
	{ "text", fake_do_text },
	{ "think", fake_do_think },
	{ "tool", fake_do_tool },
	{ "retry", fake_do_retry },
	{ "limit", fake_do_limit },
	{ "fail", fake_do_fail },
	{ "auth", fake_do_auth },
	{ "write", fake_do_write },
	{ "append", fake_do_append },
	{ "remove", fake_do_remove },
	{ "commit", fake_do_commit },
	{ "rebase", fake_do_rebase },
	{ "resolve", fake_do_resolve },
	{ "crash", fake_do_crash },
	{ "hang", fake_do_hang },
	{ "garbage", fake_do_garbage },
	{ "big", fake_do_big },
	{ "expect", fake_do_expect },
	{ "checkpoint", fake_do_checkpoint },
	{ "resumed", fake_do_resumed },
};

static void
fake_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-f format] [-m model] [-s speed] "
	    "[-p prompt] [-P file]\n       [-r session] [-S dir] [scenario]\n",
	    prog);
	exit(2);
}

/* A variable that can go into a file name: set, and no folder in it. */
static const char *
fake_env_name(const char *name)
{
	const char	*value;

	value = getenv(name);
	if (value == NULL || *value == '\0' || strchr(value, '/') != NULL)
		return (NULL);
	return (value);
}

/*
 * The scenario for this task and attempt, most particular first; NULL
 * with the names tried in *tried when there is none.
 */
static char *
fake_pick(const char *dir, int resumed, char **tried)
{
	const char	*task, *attempt;
	char		*names[4], *path = NULL, *list;
	struct stat	 sb;
	size_t		 n = 0, i;

	task = fake_env_name("BATON_TASK");
	attempt = fake_env_name("BATON_ATTEMPT");
	if (task != NULL && resumed)
		xasprintf(&names[n++], "T%s.resume.txt", task);
	if (task != NULL && attempt != NULL)
		xasprintf(&names[n++], "T%s.%s.txt", task, attempt);
	if (task != NULL)
		xasprintf(&names[n++], "T%s.txt", task);
	names[n++] = xstrdup("default.txt");

	*tried = xstrdup("");
	for (i = 0; i < n; i++) {
		if (path == NULL) {
			xasprintf(&path, "%s/%s", dir, names[i]);
			if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
				free(path);
				path = NULL;
			}
			xasprintf(&list, "%s%s%s", *tried, i == 0 ? "" : ", ",
			    names[i]);
			free(*tried);
			*tried = list;
		}
		free(names[i]);
	}
	return (path);
}

/*
 * A fresh session id. Runs picked with -S get one of their own, from
 * $BATON_RUN, so that a test can tell one run's session from another's.
 */
static char *
fake_session(int amp, int unique)
{
	const char	*env;
	char		*s, *end;
	long long	 id = 1;

	if (unique) {
		env = getenv("BATON_RUN");
		errno = 0;
		if (env == NULL || *env == '\0' ||
		    (id = strtoll(env, &end, 10)) <= 0 || *end != '\0' ||
		    errno != 0 || id > 999999999999LL)
			id = getpid();
	}
	xasprintf(&s, "%s00000000-0000-4000-8000-%012lld", amp ? "T-" : "",
	    id);
	return (s);
}

/* Hand the prompt over exactly as it came, for a test to compare. */
static void
fake_write_prompt(const char *path, const char *prompt)
{
	size_t	 len;
	FILE	*fp;

	len = prompt != NULL ? strlen(prompt) : 0;
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(prompt != NULL ? prompt : "", 1, len, fp) != len ||
	    fclose(fp) != 0) {
		fprintf(stderr, "baton-fake-agent: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct fake		 f;
	const char		*format = "claude", *model = NULL;
	const char		*dir = NULL, *resume = NULL, *prompt_file = NULL;
	char			*line = NULL, *word, *rest, *end, *scenario;
	char			*tried;
	size_t			 size = 0, i;
	FILE			*in;
	int			 ch, lineno = 0, found;

	memset(&f, 0, sizeof f);
	f.speed = 1;
	f.pace = 300;
	f.exit_status = -1;
	while ((ch = getopt(argc, argv, "f:m:P:p:r:S:s:")) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
			break;
		case 'm':
			model = optarg;
			break;
		case 'P':
			prompt_file = optarg;
			break;
		case 'p':
			f.prompt = optarg;
			break;
		case 'r':
			if (*optarg == '\0')
				fake_usage(argv[0]);
			resume = optarg;
			f.resumed = 1;
			break;
		case 'S':
			dir = optarg;
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
	if (optind != argc - 1 && (optind != argc || dir == NULL))
		fake_usage(argv[0]);
	for (i = 0; i < nitems(fake_formats); i++) {
		if (strcmp(fake_formats[i].name, format) == 0)
			f.ops = &fake_formats[i];
	}
	if (f.ops == NULL) {
		fprintf(stderr, "%s: unknown format: %s\n", argv[0], format);
		return (2);
	}
	if (optind < argc)
		scenario = xstrdup(argv[optind]);
	else if ((scenario = fake_pick(dir, f.resumed, &tried)) == NULL) {
		fprintf(stderr, "%s: no scenario in %s (tried %s)\n", argv[0],
		    dir, tried);
		free(tried);
		return (2);
	} else
		free(tried);
	if ((in = fopen(scenario, "r")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], scenario,
		    strerror(errno));
		return (1);
	}
	if (prompt_file != NULL)
		fake_write_prompt(prompt_file, f.prompt);
	f.session = fake_session(strcmp(format, "amp") == 0, dir != NULL);
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
	if (resume != NULL) {
		free(f.session);
		f.session = xstrdup(resume);
	}

	while (getline(&line, &size, in) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		rest = line + strspn(line, " \t");
		if (*rest == '\0' || *rest == '#')
			continue;
		word = strsep(&rest, " \t");
		if (rest == NULL)
			rest = (char *)"";
		found = 0;
		for (i = 0; i < nitems(fake_directives); i++) {
			if (strcmp(fake_directives[i].name, word) == 0) {
				found = 1;
				break;
			}
		}
		if (!found)
			fatalx("line %d: unknown directive: %s", lineno, word);
		if (fake_directives[i].fn != NULL &&
		    fake_directives[i].fn(&f, rest, lineno) != 0)
			break;
	}
	if (!f.failed) {
		fake_begin(&f);
		if (f.ops->end != NULL)
			f.ops->end(&f);
	}
	fclose(in);
	free(scenario);
	free(line);
	free(f.session);
	free(f.model);
	return (f.exit_status == -1 ? 0 : f.exit_status);
}
