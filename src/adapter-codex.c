/*
 * OpenAI Codex "codex exec --json" (thread.* / turn.* / item.* events),
 * and the rollout files Codex keeps under ~/.codex/sessions (event_msg
 * token_count lines), so the same parser serves "baton cost".
 *
 * Usage comes once per turn (turn.completed) with input_tokens that
 * include cached_input_tokens (and cache_write_input_tokens, the part
 * written to the cache, counted inside the input the same way) and
 * output_tokens that include reasoning. The figures are the thread's
 * running totals: after "codex exec resume" they include every earlier
 * run of the thread (Codex 0.169.0: a resumed turn of 8200 in reports
 * 15200, the first run's 7000 and its own). The adapter keeps the last
 * totals of each thread, and the caller seeds a resumed thread's earlier
 * totals with adapter_seed_usage (ingestion does, from the store); the
 * difference is stored. A figure smaller than the last totals is taken as
 * the turn's own.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* The raw figures of a turn.completed, as Codex counts them. */
struct codex_raw {
	int64_t	input;		/* cached and cache writes included */
	int64_t	cached;
	int64_t	written;
	int64_t	output;		/* reasoning included */
	int64_t	reasoning;
};

struct codex_state {
	struct adapter_index started;	/* item ids with a TOOL_START */
	int		  have_last;
	struct codex_raw  last;		/* the thread's totals so far */
	u_int		  turns;
	u_int		  token_counts;
	int64_t		  last_total;	/* rollout: total_tokens last seen */
	char		 *last_error;	/* error event text, repeated by turn.failed */
	char		 *rollout_model;
};

/* Item types that are tool calls, and how to name them. */
static const struct {
	const char	*type;
	const char	*name_key;	/* member naming the tool, or NULL */
} codex_tools[] = {
	{ "command_execution", NULL },
	{ "file_change", NULL },
	{ "mcp_tool_call", "tool" },
	{ "collab_tool_call", "tool" },
	{ "web_search", NULL },
};

static void
codex_init(struct adapter *a)
{
	struct codex_state	*st;

	st = xcalloc(1, sizeof *st);
	st->last_total = -1;
	a->data = st;
}

static void
codex_free(struct adapter *a)
{
	struct codex_state	*st = a->data;

	adapter_index_free(&st->started);
	free(st->rollout_model);
	free(st->last_error);
	free(st);
}

static void
codex_item(struct adapter *a, cJSON *json, const char *type)
{
	struct codex_state	*st = a->data;
	struct adapter_event	*ev;
	cJSON			*item, *change, *list;
	const char		*itype, *id, *status, *name, *text, *path;
	char			*paths = NULL, *tmp;
	size_t			 i;
	int			 completed;

	item = adapter_json_get(json, "item", (char *)NULL);
	if ((itype = adapter_json_str(item, "type")) == NULL ||
	    (id = adapter_json_str(item, "id")) == NULL)
		return;
	completed = strcmp(type, "item.completed") == 0;
	text = adapter_json_str(item, "text");

	if (strcmp(itype, "agent_message") == 0 ||
	    strcmp(itype, "plan") == 0) {
		if (!completed || text == NULL)
			return;
		ev = adapter_emit(a, ADAPTER_EV_TEXT);
		ev->text = xstrdup(text);
		ev->msg_id = xstrdup(id);
		return;
	}
	if (strcmp(itype, "reasoning") == 0) {
		if (!completed || text == NULL)
			return;
		ev = adapter_emit(a, ADAPTER_EV_THINKING);
		ev->text = xstrdup(text);
		ev->msg_id = xstrdup(id);
		return;
	}
	if (strcmp(itype, "error") == 0) {
		if (completed)
			adapter_error(a, adapter_json_str(item, "message"));
		return;
	}

	for (i = 0; i < nitems(codex_tools); i++) {
		if (strcmp(codex_tools[i].type, itype) == 0)
			break;
	}
	if (i == nitems(codex_tools))
		return;
	name = NULL;
	if (codex_tools[i].name_key != NULL)
		name = adapter_json_str(item, codex_tools[i].name_key);
	if (name == NULL)
		name = itype;

	if (adapter_index_put(&st->started, id, 0)) {
		ev = adapter_emit(a, ADAPTER_EV_TOOL_START);
		ev->tool_id = xstrdup(id);
		ev->tool_name = xstrdup(name);
		if ((text = adapter_json_str(item, "command")) != NULL ||
		    (text = adapter_json_str(item, "query")) != NULL)
			ev->text = xstrdup(text);
		adapter_tool_seen(a, id, name, text);
	}
	if (!completed)
		return;
	status = adapter_json_str(item, "status");
	ev = adapter_emit(a, ADAPTER_EV_TOOL_END);
	ev->tool_id = xstrdup(id);
	ev->tool_name = xstrdup(name);
	ev->is_error = (status != NULL && (strcmp(status, "failed") == 0 ||
	    strcmp(status, "declined") == 0)) ||
	    adapter_json_int(item, "exit_code", 0) != 0;
	if ((text = adapter_json_str(item, "aggregated_output")) != NULL)
		ev->text = xstrdup(text);
	if (status != NULL && strcmp(status, "declined") == 0)
		adapter_denied(a, id, NULL, NULL, "declined by the approval "
		    "policy");
	else if (ev->is_error)
		adapter_tool_failed(a, id, text);
	else if ((list = adapter_json_array(item, "changes")) != NULL) {
		cJSON_ArrayForEach(change, list) {
			if ((path = adapter_json_str(change, "path")) == NULL)
				continue;
			if (paths == NULL)
				paths = xstrdup(path);
			else {
				xasprintf(&tmp, "%s\n%s", paths, path);
				free(paths);
				paths = tmp;
			}
		}
		ev->text = paths;
	}
}

/* A turn's usage, less the thread's totals if these are running totals. */
static void
codex_turn_usage(struct adapter *a, cJSON *usage)
{
	struct codex_state	*st = a->data;
	struct codex_raw	 raw, base, d;
	struct adapter_usage	 u;
	struct adapter_call	*seed;
	char			*key, *msg_id;
	int			 have_base = 0;

	raw.input = adapter_json_int(usage, "input_tokens", 0);
	raw.cached = adapter_json_int(usage, "cached_input_tokens", 0);
	raw.written = adapter_json_int(usage, "cache_write_input_tokens", 0);
	raw.output = adapter_json_int(usage, "output_tokens", 0);
	raw.reasoning = adapter_json_int(usage, "reasoning_output_tokens", 0);

	if (st->have_last) {
		base = st->last;
		have_base = 1;
	} else if (a->session_id != NULL) {
		/* Stored usage: reasoning is inside out and not kept apart. */
		xasprintf(&key, "seed:%s", a->session_id);
		if ((seed = adapter_call_find(a, key)) != NULL) {
			base.input = seed->usage.in + seed->usage.cache_read +
			    seed->usage.cache_write;
			base.cached = seed->usage.cache_read;
			base.written = seed->usage.cache_write;
			base.output = seed->usage.out;
			base.reasoning = seed->usage.reasoning;
			have_base = 1;
		}
		free(key);
	}
	d = raw;
	if (have_base && raw.input >= base.input && raw.cached >= base.cached &&
	    raw.written >= base.written && raw.output >= base.output &&
	    raw.reasoning >= base.reasoning) {
		d.input = raw.input - base.input;
		d.cached = raw.cached - base.cached;
		d.written = raw.written - base.written;
		d.output = raw.output - base.output;
		d.reasoning = raw.reasoning - base.reasoning;
	}
	st->last = raw;
	st->have_last = 1;

	memset(&u, 0, sizeof u);
	u.cache_read = d.cached < d.input ? d.cached : d.input;
	u.cache_write = d.written < d.input - u.cache_read ? d.written :
	    d.input - u.cache_read;
	u.in = d.input - u.cache_read - u.cache_write;
	u.out = d.output;
	u.reasoning = d.reasoning < d.output ? d.reasoning : d.output;
	u.summed = 1;		/* a turn may be several calls */
	xasprintf(&msg_id, "%s:turn%u", a->session_id != NULL ?
	    a->session_id : "thread", st->turns);
	adapter_call_update(a, msg_id, NULL, &u, ADAPTER_CALL_MAIN, 1, NULL);
	free(msg_id);
}

/* Rollout file: event_msg token_count with the last call's usage. */
static void
codex_token_count(struct adapter *a, cJSON *payload)
{
	struct codex_state	*st = a->data;
	struct adapter_usage	 u;
	cJSON			*info, *last, *total;
	const char		*model;
	char			*msg_id;
	int64_t			 input, cached, all;

	info = adapter_json_get(payload, "info", (char *)NULL);
	last = adapter_json_get(info, "last_token_usage", (char *)NULL);
	total = adapter_json_get(info, "total_token_usage", (char *)NULL);
	if (!cJSON_IsObject(last))
		return;
	/* The same totals again is the same call reported twice. */
	all = adapter_json_int(total, "total_tokens", -1);
	if (all != -1 && all == st->last_total)
		return;
	st->last_total = all;

	input = adapter_json_int(last, "input_tokens", 0);
	cached = adapter_json_int(last, "cached_input_tokens", 0);
	memset(&u, 0, sizeof u);
	u.cache_read = cached < input ? cached : input;
	u.in = input - u.cache_read;
	u.out = adapter_json_int(last, "output_tokens", 0);
	u.reasoning = adapter_json_int(last, "reasoning_output_tokens", 0);
	if ((model = adapter_json_str(info, "model")) == NULL)
		model = st->rollout_model;
	xasprintf(&msg_id, "token_count:%u", ++st->token_counts);
	adapter_call_update(a, msg_id, model, &u, ADAPTER_CALL_MAIN, 1, NULL);
	free(msg_id);
}

/* "Reconnecting... 2/5": a retry the CLI makes by itself. */
static int
codex_reconnecting(struct adapter *a, const char *msg)
{
	struct adapter_event	*ev;
	int			 n, max;

	if (strncmp(msg, "Reconnecting...", 15) != 0)
		return (0);
	ev = adapter_emit(a, ADAPTER_EV_RETRY);
	ev->text = xstrdup(msg);
	ev->limit.class = RATELIMIT_RETRY;
	ev->limit.provider = a->ops->provider;
	snprintf(ev->limit.kind, sizeof ev->limit.kind, "stream");
	if (sscanf(msg + 15, " %d/%d", &n, &max) == 2) {
		ev->retry_attempt = n;
		ev->retry_max = max;
	}
	return (1);
}

static void
codex_line(struct adapter *a, cJSON *json)
{
	struct codex_state	*st = a->data;
	cJSON			*payload;
	const char		*type, *msg, *ptype, *model;

	if ((type = adapter_json_str(json, "type")) == NULL)
		return;
	if (strcmp(type, "thread.started") == 0)
		adapter_set_session(a, adapter_json_str(json, "thread_id"));
	else if (strcmp(type, "turn.started") == 0)
		st->turns++;
	else if (strncmp(type, "item.", 5) == 0)
		codex_item(a, json, type);
	else if (strcmp(type, "turn.completed") == 0) {
		codex_turn_usage(a, adapter_json_get(json, "usage",
		    (char *)NULL));
		adapter_turn_end(a, 0, -1);
	} else if (strcmp(type, "turn.failed") == 0) {
		msg = adapter_json_str(adapter_json_get(json, "error",
		    (char *)NULL), "message");
		if (adapter_check_text(a, msg, 0) == RATELIMIT_NONE &&
		    (msg == NULL || st->last_error == NULL ||
		    strcmp(msg, st->last_error) != 0))
			adapter_error(a, msg);
		adapter_turn_end(a, 1, -1);
	} else if (strcmp(type, "error") == 0) {
		if ((msg = adapter_json_str(json, "message")) == NULL)
			return;
		if (!codex_reconnecting(a, msg) &&
		    adapter_check_text(a, msg, 0) == RATELIMIT_NONE) {
			adapter_error(a, msg);
			free(st->last_error);
			st->last_error = xstrdup(msg);
		}
	} else if (strcmp(type, "session_meta") == 0) {
		payload = adapter_json_get(json, "payload", (char *)NULL);
		adapter_set_session(a, adapter_json_str(payload, "id"));
	} else if (strcmp(type, "turn_context") == 0) {
		payload = adapter_json_get(json, "payload", (char *)NULL);
		if ((model = adapter_json_str(payload, "model")) != NULL) {
			free(st->rollout_model);
			st->rollout_model = xstrdup(model);
		}
	} else if (strcmp(type, "event_msg") == 0) {
		payload = adapter_json_get(json, "payload", (char *)NULL);
		ptype = adapter_json_str(payload, "type");
		if (ptype != NULL && strcmp(ptype, "token_count") == 0)
			codex_token_count(a, payload);
	}
}

const struct adapter_ops adapter_codex_ops = {
	.name = "codex",
	.provider = "codex",
	.json = 1,
	.cumulative = 1,
	.init = codex_init,
	.free = codex_free,
	.line = codex_line,
};
