/*
 * Claude Code "claude -p --output-format stream-json --verbose", with or
 * without --include-partial-messages, and Amp's Claude-shaped
 * "amp -x --stream-json".
 *
 * One API response is written as several assistant lines (one per content
 * block) sharing message.id and repeating its usage: each id is one call
 * and keeps its largest figures. The input and cache figures are the
 * call's own, but output_tokens is the placeholder of the response's
 * start (Claude Code 2.1.197 writes 1 to 5 for calls of 9 to 57): the
 * final count comes only with --include-partial-messages, in the
 * message_delta. Until then a call is open.
 *
 * The result line then gives totals: modelUsage covers every call
 * (subagents and helper calls the stream never shows) under the name the
 * CLI bills, which may carry a suffix the messages do not
 * ("claude-opus-4-8[1m]" for calls of "claude-opus-4-8"); result.usage
 * covers only the main loop. When the totals differ from the calls seen
 * in output alone, the difference is the open calls' final output and is
 * shared among them (exactly, when one call is open); a difference in
 * input or cache means calls the stream did not show, and what the totals
 * hold beyond the calls seen is kept as one "unattributed" call per model
 * (or per turn). Either way the run's tokens and cost add up to the CLI's
 * own. When several calls shared a total, their own figures are read at
 * the end from the CLI's transcript of the session, which keeps each
 * message's final usage: the folder the init line names for the
 * project's memory holds it, as <session>.jsonl.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

struct claude_state {
	struct adapter_index	 tools;		/* tool ids started */
	struct adapter_index	 streamed;	/* message ids seen as deltas */
	char			*current;	/* message of the stream deltas */
	char			*main_model;	/* of the last main-loop call */
	struct adapter_usage	 main_before;	/* main loop at the last result */
	u_int			 results;
	char			*project;	/* the transcripts' folder */
	u_int			 anonymous;	/* calls with no message id */
	int			 anon_open;	/* the last line was one of them */
	struct adapter_usage	 anon_usage;	/* and its usage */
};

/* What assistant.error and api_retry.error mean. */
static const struct {
	const char		*error;
	enum ratelimit_class	 class;
	const char		*kind;
} claude_errors[] = {
	{ "rate_limit", RATELIMIT_LIMIT, "rate" },
	{ "billing_error", RATELIMIT_LIMIT, "billing" },
	{ "authentication_failed", RATELIMIT_AUTH, "auth" },
	{ "oauth_org_not_allowed", RATELIMIT_AUTH, "auth" },
	{ "overloaded", RATELIMIT_RETRY, "overloaded" },
	{ "server_error", RATELIMIT_RETRY, "server" },
};

static void
claude_init(struct adapter *a)
{
	a->data = xcalloc(1, sizeof (struct claude_state));
}

static void
amp_init(struct adapter *a)
{
	claude_init(a);
	a->quirks |= ADAPTER_QUIRK_AMP;
}

static void
claude_free(struct adapter *a)
{
	struct claude_state	*st = a->data;

	adapter_index_free(&st->tools);
	adapter_index_free(&st->streamed);
	free(st->current);
	free(st->main_model);
	free(st->project);
	free(st);
}

/* Anthropic usage into baton's: every figure is already split. */
void
adapter_claude_usage(cJSON *usage, struct adapter_usage *u)
{
	memset(u, 0, sizeof *u);
	u->in = adapter_json_int(usage, "input_tokens", 0);
	u->cache_read = adapter_json_int(usage, "cache_read_input_tokens", 0);
	u->cache_write = adapter_json_int(usage, "cache_creation_input_tokens",
	    0);
	u->cache_write_1h = adapter_json_int(adapter_json_get(usage,
	    "cache_creation", (char *)NULL), "ephemeral_1h_input_tokens", 0);
	if (u->cache_write_1h > u->cache_write)
		u->cache_write_1h = u->cache_write;
	u->out = adapter_json_int(usage, "output_tokens", 0);
	u->web_search = adapter_json_int(adapter_json_get(usage,
	    "server_tool_use", (char *)NULL), "web_search_requests", 0);
	u->fast = adapter_json_is(usage, "speed", "fast");
}

static void
claude_tool_start(struct adapter *a, const char *id, const char *name,
    const char *parent)
{
	struct claude_state	*st = a->data;
	struct adapter_event	*ev;

	if (id == NULL || !adapter_index_put(&st->tools, id, 0))
		return;
	ev = adapter_emit(a, ADAPTER_EV_TOOL_START);
	ev->tool_id = xstrdup(id);
	if (name != NULL)
		ev->tool_name = xstrdup(name);
	if (parent != NULL)
		ev->parent_tool_id = xstrdup(parent);
}

/* An assistant.error or api_retry.error category. */
static int
claude_error_class(const char *error, struct ratelimit *rl)
{
	size_t	i;

	for (i = 0; i < nitems(claude_errors); i++) {
		if (strcmp(claude_errors[i].error, error) == 0) {
			ratelimit_init(rl, NULL);
			rl->class = claude_errors[i].class;
			snprintf(rl->kind, sizeof rl->kind, "%s",
			    claude_errors[i].kind);
			return (0);
		}
	}
	return (-1);
}

static void
claude_assistant(struct adapter *a, cJSON *json)
{
	struct claude_state	*st = a->data;
	struct adapter_usage	 u;
	struct adapter_event	*ev;
	struct adapter_call	*c;
	struct ratelimit	 rl;
	cJSON			*msg, *usage, *block, *list;
	const char		*id, *model, *parent, *type, *error, *text;
	char			*key = NULL, *all = NULL, *tmp, *what;
	int			 synthetic, streamed, fresh;

	msg = adapter_json_get(json, "message", (char *)NULL);
	id = adapter_json_str(msg, "id");
	model = adapter_json_str(msg, "model");
	parent = adapter_json_str(json, "parent_tool_use_id");
	error = adapter_json_str(json, "error");
	synthetic = model != NULL && strcmp(model, "<synthetic>") == 0;
	streamed = id != NULL && adapter_index_get(&st->streamed, id, NULL);

	usage = adapter_json_get(msg, "usage", (char *)NULL);
	if (cJSON_IsObject(usage) && !synthetic) {
		adapter_claude_usage(usage, &u);
		if (id == NULL) {
			/*
			 * No id (Amp): lines in a row with the same usage are
			 * one response's blocks, as in Claude's own stream.
			 */
			if (!st->anon_open || memcmp(&u, &st->anon_usage,
			    sizeof u) != 0)
				st->anonymous++;
			xasprintf(&key, "line:%u", st->anonymous);
			st->anon_usage = u;
		}
		c = adapter_call_find(a, id != NULL ? id : key);
		fresh = c == NULL;
		c = adapter_call_update(a, id != NULL ? id : key, model, &u,
		    parent == NULL ? ADAPTER_CALL_MAIN : 0, 0, NULL);
		/* A call seen only whole: its output is a placeholder. */
		if (fresh && !streamed)
			c->flags |= ADAPTER_CALL_OPEN;
		if (parent == NULL && model != NULL) {
			free(st->main_model);
			st->main_model = xstrdup(model);
		}
		free(key);
	}

	list = adapter_json_array(msg, "content");
	cJSON_ArrayForEach(block, list) {
		type = adapter_json_str(block, "type");
		if (type == NULL)
			continue;
		if (strcmp(type, "text") == 0) {
			if ((text = adapter_json_str(block, "text")) == NULL)
				continue;
			if (all == NULL)
				all = xstrdup(text);
			else {
				xasprintf(&tmp, "%s\n%s", all, text);
				free(all);
				all = tmp;
			}
			if (streamed)
				continue;
			ev = adapter_emit(a, ADAPTER_EV_TEXT);
			ev->text = xstrdup(text);
		} else if (strcmp(type, "thinking") == 0) {
			if (streamed ||
			    (text = adapter_json_str(block, "thinking")) == NULL)
				continue;
			ev = adapter_emit(a, ADAPTER_EV_THINKING);
			ev->text = xstrdup(text);
		} else if (strcmp(type, "tool_use") == 0 ||
		    strcmp(type, "server_tool_use") == 0) {
			what = adapter_json_summary(adapter_json_get(block,
			    "input", (char *)NULL));
			adapter_tool_seen(a, adapter_json_str(block, "id"),
			    adapter_json_str(block, "name"), what);
			free(what);
			claude_tool_start(a, adapter_json_str(block, "id"),
			    adapter_json_str(block, "name"), parent);
			continue;
		} else
			continue;
		if (id != NULL)
			ev->msg_id = xstrdup(id);
		if (model != NULL)
			ev->model = xstrdup(model);
		if (parent != NULL)
			ev->parent_tool_id = xstrdup(parent);
	}

	/* A failed call: the error category first, then its text. */
	if (error != NULL) {
		if (claude_error_class(error, &rl) == 0 &&
		    rl.class != RATELIMIT_RETRY) {
			rl.provider = a->ops->provider;
			if (all == NULL || adapter_check_text(a, all, 0) !=
			    rl.class) {
				if (rl.class == RATELIMIT_LIMIT &&
				    a->limit_reset > adapter_now(a))
					rl.reset_at = a->limit_reset;
				adapter_limit(a, &rl, all, 0);
			}
		} else
			adapter_error(a, all != NULL ? all : error);
	} else if (synthetic && all != NULL)
		adapter_check_text(a, all, 0);
	free(all);
}

static void
claude_user(struct adapter *a, cJSON *json)
{
	struct adapter_event	*ev;
	cJSON			*block, *content, *list;
	const char		*id, *parent;

	parent = adapter_json_str(json, "parent_tool_use_id");
	list = adapter_json_array(adapter_json_get(json, "message",
	    (char *)NULL), "content");
	cJSON_ArrayForEach(block, list) {
		if (!adapter_json_is(block, "type", "tool_result"))
			continue;
		if ((id = adapter_json_str(block, "tool_use_id")) == NULL)
			continue;
		ev = adapter_emit(a, ADAPTER_EV_TOOL_END);
		ev->tool_id = xstrdup(id);
		ev->is_error = cJSON_IsTrue(adapter_json_get(block, "is_error",
		    (char *)NULL));
		if (parent != NULL)
			ev->parent_tool_id = xstrdup(parent);
		content = adapter_json_get(block, "content", (char *)NULL);
		if (cJSON_IsString(content))
			ev->text = xstrdup(content->valuestring);
		else if (cJSON_IsArray(content)) {
			content = cJSON_GetArrayItem(content, 0);
			if (adapter_json_str(content, "text") != NULL)
				ev->text = xstrdup(adapter_json_str(content,
				    "text"));
		}
		if (ev->is_error)
			adapter_tool_failed(a, id, ev->text);
	}
}

/* --include-partial-messages: raw Anthropic streaming events. */
static void
claude_stream_event(struct adapter *a, cJSON *json)
{
	struct claude_state	*st = a->data;
	struct adapter_usage	 u;
	struct adapter_event	*ev;
	struct adapter_call	*c;
	cJSON			*event, *msg, *delta, *block;
	const char		*type, *id, *parent, *model, *dtype, *text;

	event = adapter_json_get(json, "event", (char *)NULL);
	if ((type = adapter_json_str(event, "type")) == NULL)
		return;
	parent = adapter_json_str(json, "parent_tool_use_id");

	if (strcmp(type, "message_start") == 0) {
		msg = adapter_json_get(event, "message", (char *)NULL);
		if ((id = adapter_json_str(msg, "id")) == NULL)
			return;
		model = adapter_json_str(msg, "model");
		adapter_index_put(&st->streamed, id, 0);
		free(st->current);
		st->current = xstrdup(id);
		adapter_claude_usage(adapter_json_get(msg, "usage",
		    (char *)NULL), &u);
		c = adapter_call_update(a, id, model, &u,
		    parent == NULL ? ADAPTER_CALL_MAIN : 0, 0, NULL);
		c->flags |= ADAPTER_CALL_OPEN;
		if (parent == NULL && model != NULL) {
			free(st->main_model);
			st->main_model = xstrdup(model);
		}
	} else if (strcmp(type, "message_delta") == 0) {
		if (st->current == NULL)
			return;
		adapter_claude_usage(adapter_json_get(event, "usage",
		    (char *)NULL), &u);
		c = adapter_call_update(a, st->current, NULL, &u, 0, 0, NULL);
		c->flags &= ~ADAPTER_CALL_OPEN;
	} else if (strcmp(type, "content_block_start") == 0) {
		block = adapter_json_get(event, "content_block", (char *)NULL);
		if (adapter_json_is(block, "type", "tool_use") ||
		    adapter_json_is(block, "type", "server_tool_use"))
			claude_tool_start(a, adapter_json_str(block, "id"),
			    adapter_json_str(block, "name"), parent);
	} else if (strcmp(type, "content_block_delta") == 0) {
		delta = adapter_json_get(event, "delta", (char *)NULL);
		if ((dtype = adapter_json_str(delta, "type")) == NULL)
			return;
		if (strcmp(dtype, "text_delta") == 0 &&
		    (text = adapter_json_str(delta, "text")) != NULL)
			ev = adapter_emit(a, ADAPTER_EV_TEXT_DELTA);
		else if (strcmp(dtype, "thinking_delta") == 0 &&
		    (text = adapter_json_str(delta, "thinking")) != NULL)
			ev = adapter_emit(a, ADAPTER_EV_THINKING);
		else
			return;
		ev->text = xstrdup(text);
		if (st->current != NULL)
			ev->msg_id = xstrdup(st->current);
		if (parent != NULL)
			ev->parent_tool_id = xstrdup(parent);
	}
}

static void
claude_rate_limit_event(struct adapter *a, cJSON *json)
{
	struct ratelimit	 rl;
	cJSON			*info, *util;
	const char		*status, *type;

	info = adapter_json_get(json, "rate_limit_info", (char *)NULL);
	if ((status = adapter_json_str(info, "status")) == NULL)
		return;
	ratelimit_init(&rl, a->ops->provider);
	rl.class = strcmp(status, "rejected") == 0 ? RATELIMIT_LIMIT :
	    RATELIMIT_NONE;
	type = adapter_json_str(info, "rateLimitType");
	snprintf(rl.kind, sizeof rl.kind, "%s", type != NULL ? type :
	    "unknown");
	rl.reset_at = adapter_json_int(info, "resetsAt", -1);
	if (rl.reset_at <= 0)
		rl.reset_at = -1;
	util = adapter_json_get(info, "utilization", (char *)NULL);
	if (cJSON_IsNumber(util) && util->valuedouble >= 0 &&
	    util->valuedouble <= 1)
		rl.utilization = util->valuedouble;

	if (rl.class == RATELIMIT_LIMIT && rl.reset_at != -1)
		a->limit_reset = rl.reset_at;
	adapter_limit(a, &rl, NULL, 0);
}

static void
claude_api_retry(struct adapter *a, cJSON *json)
{
	struct adapter_event	*ev;
	cJSON			*delay;
	const char		*error;

	ev = adapter_emit(a, ADAPTER_EV_RETRY);
	ev->retry_attempt = (int)adapter_json_int(json, "attempt", 0);
	ev->retry_max = (int)adapter_json_int(json, "max_retries", 0);
	ev->retry_delay_ms = adapter_json_int(json, "retry_delay_ms", 0);
	ev->http_status = (int)adapter_json_int(json, "error_status", 0);
	ev->limit.class = RATELIMIT_RETRY;
	ev->limit.provider = a->ops->provider;
	error = adapter_json_str(json, "error");
	snprintf(ev->limit.kind, sizeof ev->limit.kind, "%s",
	    error != NULL ? error : "api");
	ev->limit.reset_at = adapter_now(a) + (ev->retry_delay_ms + 999) / 1000;
	if (error != NULL)
		ev->text = xstrdup(error);
	/*
	 * A delay of whole seconds is what a 429 asked for (retry-after);
	 * one with a fraction is the CLI's own backoff and says nothing of
	 * the limit. Kept to estimate the reset if the retries run out.
	 */
	delay = adapter_json_get(json, "retry_delay_ms", (char *)NULL);
	if (ev->http_status == 429 && cJSON_IsNumber(delay) &&
	    delay->valuedouble >= 1000 &&
	    delay->valuedouble == (double)(int64_t)delay->valuedouble &&
	    (int64_t)delay->valuedouble % 1000 == 0)
		a->retry_after = (int64_t)delay->valuedouble / 1000;
}

/* The length of a model name without a "[1m]"-style suffix. */
static size_t
claude_model_len(const char *model)
{
	size_t	len = strlen(model);

	if (len > 0 && model[len - 1] == ']')
		len = strcspn(model, "[");
	return (len);
}

/* Are two model names the same model, a billing suffix aside? */
static int
claude_same_model(const char *a, const char *b)
{
	size_t	len;

	if (a == NULL || b == NULL)
		return (0);
	len = claude_model_len(a);
	return (len == claude_model_len(b) && strncmp(a, b, len) == 0);
}

/*
 * The totals exceed the calls seen in output only: that is the final
 * output of the open calls (ids), shared among them in order, the rest
 * to the last. Returns 0 if there were open calls to take it.
 */
static int
claude_settle(struct adapter *a, size_t *ids, size_t n, int64_t out)
{
	struct adapter_call	*c;
	struct adapter_usage	 u;
	int64_t			 share, given = 0;
	size_t			 i;
	char			*msg_id;

	if (n == 0)
		return (-1);
	share = out / (int64_t)n;
	for (i = 0; i < n; i++) {
		c = &a->calls[ids[i]];
		u = c->usage;
		u.out += i == n - 1 ? out - given : share;
		given += share;
		c->flags &= ~ADAPTER_CALL_OPEN;
		if (n > 1)
			c->flags |= ADAPTER_CALL_SHARED;
		msg_id = xstrdup(c->msg_id);
		adapter_call_update(a, msg_id, NULL, &u, 0, 1, NULL);
		free(msg_id);
	}
	return (0);
}

/* Add what the CLI's totals hold beyond the calls seen, per model. */
static void
claude_reconcile_models(struct adapter *a, cJSON *models)
{
	struct adapter_usage	 seen, u;
	struct adapter_call	*c;
	cJSON			*m;
	size_t			 i, *open = NULL, nopen;
	char			*key;

	open = xreallocarray(NULL, a->ncalls + 1, sizeof *open);
	cJSON_ArrayForEach(m, models) {
		if (m->string == NULL || !cJSON_IsObject(m))
			continue;
		memset(&seen, 0, sizeof seen);
		nopen = 0;
		for (i = 0; i < a->ncalls; i++) {
			c = &a->calls[i];
			if (c->flags & (ADAPTER_CALL_UNATTRIBUTED|
			    ADAPTER_CALL_SEED))
				continue;
			if (!claude_same_model(c->model, m->string))
				continue;
			seen.in += c->usage.in;
			seen.cache_read += c->usage.cache_read;
			seen.cache_write += c->usage.cache_write;
			seen.out += c->usage.out;
			seen.web_search += c->usage.web_search;
			if (c->flags & ADAPTER_CALL_OPEN)
				open[nopen++] = i;
		}
		memset(&u, 0, sizeof u);
		u.in = adapter_json_int(m, "inputTokens", 0) - seen.in;
		u.cache_read = adapter_json_int(m, "cacheReadInputTokens", 0) -
		    seen.cache_read;
		u.cache_write = adapter_json_int(m, "cacheCreationInputTokens",
		    0) - seen.cache_write;
		u.out = adapter_json_int(m, "outputTokens", 0) - seen.out;
		u.web_search = adapter_json_int(m, "webSearchRequests", 0) -
		    seen.web_search;
		u.summed = 1;
		if (u.in < 0) u.in = 0;
		if (u.cache_read < 0) u.cache_read = 0;
		if (u.cache_write < 0) u.cache_write = 0;
		if (u.out < 0) u.out = 0;
		if (u.web_search < 0) u.web_search = 0;
		/* Only output missing: the open calls' final counts. */
		if (u.in + u.cache_read + u.cache_write + u.web_search == 0 &&
		    u.out > 0 && claude_settle(a, open, nopen, u.out) == 0)
			u.out = 0;
		for (i = 0; i < nopen; i++)
			a->calls[open[i]].flags &= ~ADAPTER_CALL_OPEN;
		xasprintf(&key, "unattributed:%s", m->string);
		if (adapter_call_find(a, key) != NULL ||
		    u.in + u.cache_read + u.cache_write + u.out +
		    u.web_search != 0)
			adapter_call_update(a, key, m->string, &u,
			    ADAPTER_CALL_UNATTRIBUTED, 1, NULL);
		free(key);
	}
	free(open);
}

/* Without modelUsage: result.usage is the main loop of this turn. */
static void
claude_reconcile_main(struct adapter *a, cJSON *usage)
{
	struct claude_state	*st = a->data;
	struct adapter_usage	 seen, total, u;
	struct adapter_call	*c;
	size_t			 i, *open, nopen = 0;
	char			*key;

	open = xreallocarray(NULL, a->ncalls + 1, sizeof *open);
	memset(&seen, 0, sizeof seen);
	for (i = 0; i < a->ncalls; i++) {
		c = &a->calls[i];
		if (!(c->flags & ADAPTER_CALL_MAIN) ||
		    (c->flags & ADAPTER_CALL_UNATTRIBUTED))
			continue;
		seen.in += c->usage.in;
		seen.cache_read += c->usage.cache_read;
		seen.cache_write += c->usage.cache_write;
		seen.out += c->usage.out;
		if (c->flags & ADAPTER_CALL_OPEN)
			open[nopen++] = i;
	}
	total = seen;
	seen.in -= st->main_before.in;
	seen.cache_read -= st->main_before.cache_read;
	seen.cache_write -= st->main_before.cache_write;
	seen.out -= st->main_before.out;

	adapter_claude_usage(usage, &u);
	u.cache_write_1h = 0;
	u.web_search = 0;
	u.fast = 0;
	u.summed = 1;
	u.in = u.in > seen.in ? u.in - seen.in : 0;
	u.cache_read = u.cache_read > seen.cache_read ?
	    u.cache_read - seen.cache_read : 0;
	u.cache_write = u.cache_write > seen.cache_write ?
	    u.cache_write - seen.cache_write : 0;
	u.out = u.out > seen.out ? u.out - seen.out : 0;
	if (u.in + u.cache_read + u.cache_write == 0 && u.out > 0 &&
	    claude_settle(a, open, nopen, u.out) == 0) {
		total.out += u.out;
		u.out = 0;
	}
	for (i = 0; i < nopen; i++)
		a->calls[open[i]].flags &= ~ADAPTER_CALL_OPEN;
	free(open);
	st->main_before = total;
	if (u.in + u.cache_read + u.cache_write + u.out == 0)
		return;
	xasprintf(&key, "unattributed:turn%u", st->results);
	adapter_call_update(a, key, st->main_model, &u,
	    ADAPTER_CALL_MAIN|ADAPTER_CALL_UNATTRIBUTED, 1, NULL);
	free(key);
}

/*
 * The tool calls the CLI refused in this turn (result.permission_denials):
 * each named with what it asked for and, where its result said, why.
 */
static void
claude_denials(struct adapter *a, cJSON *list)
{
	cJSON	*d;
	char	*what;

	cJSON_ArrayForEach(d, list) {
		what = adapter_json_summary(adapter_json_get(d, "tool_input",
		    (char *)NULL));
		adapter_denied(a, adapter_json_str(d, "tool_use_id"),
		    adapter_json_str(d, "tool_name"), what, NULL);
		free(what);
	}
}

static void
claude_result(struct adapter *a, cJSON *json)
{
	struct claude_state	*st = a->data;
	struct ratelimit	 rl;
	cJSON			*models, *usage, *errors, *e, *cost;
	const char		*subtype, *text;
	char			*msg = NULL, *tmp;
	int			 is_error, status;

	st->results++;
	cost = adapter_json_get(json, "total_cost_usd", (char *)NULL);
	if (cJSON_IsNumber(cost)) {
		a->has_cli_cost = 1;
		a->cli_cost = cost->valuedouble;
	}
	models = adapter_json_get(json, "modelUsage", (char *)NULL);
	usage = adapter_json_get(json, "usage", (char *)NULL);
	if (cJSON_IsObject(models) && models->child != NULL)
		claude_reconcile_models(a, models);
	else if (cJSON_IsObject(usage))
		claude_reconcile_main(a, usage);
	claude_denials(a, adapter_json_array(json, "permission_denials"));

	subtype = adapter_json_str(json, "subtype");
	text = adapter_json_str(json, "result");
	status = (int)adapter_json_int(json, "api_error_status", 0);
	is_error = cJSON_IsTrue(adapter_json_get(json, "is_error",
	    (char *)NULL));
	if (subtype != NULL && strcmp(subtype, "success") != 0)
		is_error = 1;

	if (is_error) {
		if (text == NULL || adapter_check_text(a, text, status) ==
		    RATELIMIT_NONE) {
			ratelimit_init(&rl, a->ops->provider);
			if (status == 429) {
				rl.class = RATELIMIT_LIMIT;
				snprintf(rl.kind, sizeof rl.kind, "rate");
				if (a->limit_reset > adapter_now(a))
					rl.reset_at = a->limit_reset;
				adapter_limit(a, &rl, text, status);
			} else if (status == 401 || status == 403) {
				rl.class = RATELIMIT_AUTH;
				snprintf(rl.kind, sizeof rl.kind, "auth");
				adapter_limit(a, &rl, text, status);
			} else {
				errors = adapter_json_array(json, "errors");
				cJSON_ArrayForEach(e, errors) {
					if (!cJSON_IsString(e))
						continue;
					if (msg == NULL)
						msg = xstrdup(e->valuestring);
					else {
						xasprintf(&tmp, "%s; %s", msg,
						    e->valuestring);
						free(msg);
						msg = tmp;
					}
				}
				if (msg == NULL)
					msg = xstrdup(text != NULL &&
					    *text != '\0' ? text :
					    (subtype != NULL ? subtype : "error"));
				adapter_error(a, msg);
				free(msg);
			}
		}
	}
	adapter_turn_end(a, is_error, -1);
}

/*
 * The folder of the session's transcripts, from the init line: the
 * parent of memory_paths.auto ("<config>/projects/<cwd>/memory/").
 */
static void
claude_project(struct adapter *a, cJSON *json)
{
	struct claude_state	*st = a->data;
	const char		*auto_path;
	size_t			 len;

	auto_path = adapter_json_str(adapter_json_get(json, "memory_paths",
	    (char *)NULL), "auto");
	if (auto_path == NULL || *auto_path != '/')
		return;
	len = strlen(auto_path);
	while (len > 1 && auto_path[len - 1] == '/')
		len--;
	while (len > 1 && auto_path[len - 1] != '/')
		len--;
	free(st->project);
	st->project = xstrndup(auto_path, len);
}

/* The largest output_tokens of a message id in a transcript line. */
static void
claude_transcript_line(struct adapter *a, const char *line, size_t len,
    int64_t *finals)
{
	struct adapter_call	*c;
	cJSON			*json, *msg;
	const char		*id;
	int64_t			 out;
	size_t			 i;

	if (memmem(line, len, "\"output_tokens\"", 15) == NULL)
		return;
	if ((json = cJSON_ParseWithLength(line, len)) == NULL)
		return;
	msg = adapter_json_get(json, "message", (char *)NULL);
	if (adapter_json_is(json, "type", "assistant") &&
	    (id = adapter_json_str(msg, "id")) != NULL &&
	    adapter_index_get(&a->call_index, id, &i)) {
		c = &a->calls[i];
		out = adapter_json_int(adapter_json_get(msg, "usage",
		    (char *)NULL), "output_tokens", -1);
		if ((c->flags & ADAPTER_CALL_SHARED) && out > finals[i])
			finals[i] = out;
	}
	cJSON_Delete(json);
}

/* The largest transcript we read to correct shared outputs. */
#define CLAUDE_TRANSCRIPT_MAX (64 * 1024 * 1024)

/*
 * Calls that shared one total take their own final output from the
 * session's transcript, if it has every one of them and agrees on the sum.
 */
static void
claude_finish(struct adapter *a, int status)
{
	struct claude_state	*st = a->data;
	struct adapter_call	*c;
	struct adapter_usage	 u;
	FILE			*f;
	char			*path, *buf = NULL, *msg_id;
	int64_t			*finals, sum = 0, have = 0;
	size_t			 i, size = 0, nshared = 0;
	ssize_t			 n;
	off_t			 read_bytes = 0;

	for (i = 0; i < a->ncalls; i++) {
		if (a->calls[i].flags & ADAPTER_CALL_SHARED)
			nshared++;
	}
	if (nshared == 0 || st->project == NULL || a->session_id == NULL ||
	    strchr(a->session_id, '/') != NULL)
		return;
	xasprintf(&path, "%s%s.jsonl", st->project, a->session_id);
	f = fopen(path, "r");
	log_debug("%s: %zu shared calls, transcript %s%s", __func__, nshared,
	    path, f == NULL ? " (none)" : "");
	free(path);
	if (f == NULL)
		return;
	finals = xcalloc(a->ncalls, sizeof *finals);
	for (i = 0; i < a->ncalls; i++)
		finals[i] = -1;
	while ((n = getline(&buf, &size, f)) > 0 &&
	    (read_bytes += n) < CLAUDE_TRANSCRIPT_MAX)
		claude_transcript_line(a, buf, (size_t)n, finals);
	free(buf);
	fclose(f);
	for (i = 0; i < a->ncalls; i++) {
		c = &a->calls[i];
		if (!(c->flags & ADAPTER_CALL_SHARED))
			continue;
		sum += c->usage.out;
		if (finals[i] >= 0) {
			have += finals[i];
			nshared--;
		}
	}
	if (nshared == 0 && have == sum) {
		for (i = 0; i < a->ncalls; i++) {
			c = &a->calls[i];
			if (!(c->flags & ADAPTER_CALL_SHARED))
				continue;
			c->flags &= ~ADAPTER_CALL_SHARED;
			u = c->usage;
			u.out = finals[i];
			msg_id = xstrdup(c->msg_id);
			adapter_call_update(a, msg_id, NULL, &u, 0, 1, NULL);
			free(msg_id);
		}
	}
	free(finals);
}

/* Line types other than system/init and assistant; the rest are ignored. */
static const struct {
	const char	*type;
	const char	*subtype;	/* NULL: any */
	void		(*fn)(struct adapter *, cJSON *);
} claude_lines[] = {
	{ "user", NULL, claude_user },
	{ "stream_event", NULL, claude_stream_event },
	{ "rate_limit_event", NULL, claude_rate_limit_event },
	{ "result", NULL, claude_result },
	{ "system", "api_retry", claude_api_retry },
};

static void	claude_project(struct adapter *, cJSON *);

static void
claude_line(struct adapter *a, cJSON *json)
{
	struct claude_state	*st = a->data;
	struct adapter_event	*ev;
	const char		*type, *subtype, *model;
	size_t			 i;

	if ((type = adapter_json_str(json, "type")) == NULL)
		return;
	subtype = adapter_json_str(json, "subtype");
	if (strcmp(type, "system") == 0 && subtype != NULL &&
	    strcmp(subtype, "init") == 0) {
		model = adapter_json_str(json, "model");
		if (model != NULL && a->model == NULL)
			adapter_set_model(a, model);
		claude_project(a, json);
		if (a->session_id != NULL) {
			/* A second init (a new query): announce it anyway. */
			free(a->session_id);
			a->session_id = NULL;
		}
		adapter_set_session(a, adapter_json_str(json, "session_id"));
		if (a->session_id == NULL) {
			ev = adapter_emit(a, ADAPTER_EV_SESSION);
			if (model != NULL)
				ev->model = xstrdup(model);
		}
		return;
	}
	adapter_set_session(a, adapter_json_str(json, "session_id"));

	if (strcmp(type, "assistant") == 0) {
		claude_assistant(a, json);
		st->anon_open = adapter_json_str(adapter_json_get(json,
		    "message", (char *)NULL), "id") == NULL;
		return;
	}
	st->anon_open = 0;
	for (i = 0; i < nitems(claude_lines); i++) {
		if (strcmp(claude_lines[i].type, type) != 0)
			continue;
		if (claude_lines[i].subtype != NULL && (subtype == NULL ||
		    strcmp(claude_lines[i].subtype, subtype) != 0))
			continue;
		claude_lines[i].fn(a, json);
		break;
	}
}

const struct adapter_ops adapter_claude_ops = {
	.name = "claude",
	.provider = "claude",
	.json = 1,
	.init = claude_init,
	.free = claude_free,
	.line = claude_line,
	.finish = claude_finish,
};

const struct adapter_ops adapter_amp_ops = {
	.name = "amp",
	.provider = "amp",
	.json = 1,
	.init = amp_init,
	.free = claude_free,
	.line = claude_line,
};
