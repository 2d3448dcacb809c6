/*
 * OpenCode "opencode run --format json". Every line carries sessionID and
 * a part; a step (one model call) ends with step_finish, which has the
 * call's tokens (input excludes cache reads) and OpenCode's own cost.
 * Tools are reported once, when they finish.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static void
opencode_step_finish(struct adapter *a, cJSON *part)
{
	struct adapter_usage	 u;
	cJSON			*tokens, *cost;
	const char		*id, *reason;
	double			 c;

	if ((id = adapter_json_str(part, "messageID")) == NULL &&
	    (id = adapter_json_str(part, "id")) == NULL)
		return;
	tokens = adapter_json_get(part, "tokens", (char *)NULL);
	memset(&u, 0, sizeof u);
	u.in = adapter_json_int(tokens, "input", 0);
	u.reasoning = adapter_json_int(tokens, "reasoning", 0);
	u.out = adapter_json_int(tokens, "output", 0) + u.reasoning;
	u.cache_read = adapter_json_int(adapter_json_get(tokens, "cache",
	    (char *)NULL), "read", 0);
	u.cache_write = adapter_json_int(adapter_json_get(tokens, "cache",
	    (char *)NULL), "write", 0);
	cost = adapter_json_get(part, "cost", (char *)NULL);
	if (cJSON_IsNumber(cost)) {
		c = cost->valuedouble;
		adapter_call_update(a, id, NULL, &u, ADAPTER_CALL_MAIN, 0, &c);
	} else
		adapter_call_update(a, id, NULL, &u, ADAPTER_CALL_MAIN, 0, NULL);

	/* Any reason but more tool calls ends the turn. */
	reason = adapter_json_str(part, "reason");
	if (reason != NULL && strcmp(reason, "tool-calls") != 0)
		adapter_turn_end(a, 0, -1);
}

static void
opencode_tool(struct adapter *a, cJSON *part)
{
	struct adapter_event	*ev;
	cJSON			*state;
	const char		*id, *name, *status, *text;
	char			*what;

	if ((id = adapter_json_str(part, "callID")) == NULL &&
	    (id = adapter_json_str(part, "id")) == NULL)
		return;
	name = adapter_json_str(part, "tool");
	state = adapter_json_get(part, "state", (char *)NULL);
	status = adapter_json_str(state, "status");

	ev = adapter_emit(a, ADAPTER_EV_TOOL_START);
	ev->tool_id = xstrdup(id);
	if (name != NULL)
		ev->tool_name = xstrdup(name);
	if ((text = adapter_json_str(state, "title")) != NULL)
		ev->text = xstrdup(text);
	what = adapter_json_summary(adapter_json_get(state, "input",
	    (char *)NULL));
	adapter_tool_seen(a, id, name, what != NULL ? what : text);
	free(what);
	if (status == NULL || (strcmp(status, "completed") != 0 &&
	    strcmp(status, "error") != 0))
		return;
	ev = adapter_emit(a, ADAPTER_EV_TOOL_END);
	ev->tool_id = xstrdup(id);
	if (name != NULL)
		ev->tool_name = xstrdup(name);
	ev->is_error = strcmp(status, "error") == 0;
	if ((text = adapter_json_str(state, "output")) != NULL ||
	    (text = adapter_json_str(state, "error")) != NULL)
		ev->text = xstrdup(text);
	if (ev->is_error) {
		adapter_tool_failed(a, id, adapter_json_str(state, "error"));
		adapter_tool_failed(a, id, adapter_json_str(state, "output"));
	}
}

static void
opencode_error(struct adapter *a, cJSON *json)
{
	struct ratelimit	 rl;
	cJSON			*error, *data;
	const char		*name, *msg;
	char			*text;
	int			 status;

	error = adapter_json_get(json, "error", (char *)NULL);
	data = adapter_json_get(error, "data", (char *)NULL);
	name = adapter_json_str(error, "name");
	msg = adapter_json_str(data, "message");
	status = (int)adapter_json_int(data, "statusCode", 0);
	xasprintf(&text, "%s%s%s", name != NULL ? name : "",
	    name != NULL && msg != NULL ? ": " : "", msg != NULL ? msg : "");

	if (adapter_check_text(a, text, status) == RATELIMIT_NONE) {
		ratelimit_init(&rl, a->ops->provider);
		if (status == 429) {
			rl.class = RATELIMIT_LIMIT;
			snprintf(rl.kind, sizeof rl.kind, "rate");
			adapter_limit(a, &rl, text, status);
		} else if (status == 401 || status == 403) {
			rl.class = RATELIMIT_AUTH;
			snprintf(rl.kind, sizeof rl.kind, "auth");
			adapter_limit(a, &rl, text, status);
		} else
			adapter_error(a, *text != '\0' ? text : "error");
	}
	free(text);
	/* run exits after a session error. */
	adapter_turn_end(a, 1, -1);
}

static void
opencode_line(struct adapter *a, cJSON *json)
{
	struct adapter_event	*ev;
	cJSON			*part;
	const char		*type, *text, *id;

	if ((type = adapter_json_str(json, "type")) == NULL)
		return;
	adapter_set_session(a, adapter_json_str(json, "sessionID"));
	part = adapter_json_get(json, "part", (char *)NULL);
	id = adapter_json_str(part, "messageID");

	if (strcmp(type, "text") == 0 || strcmp(type, "reasoning") == 0) {
		if ((text = adapter_json_str(part, "text")) == NULL)
			return;
		ev = adapter_emit(a, strcmp(type, "text") == 0 ?
		    ADAPTER_EV_TEXT : ADAPTER_EV_THINKING);
		ev->text = xstrdup(text);
		if (id != NULL)
			ev->msg_id = xstrdup(id);
	} else if (strcmp(type, "tool_use") == 0)
		opencode_tool(a, part);
	else if (strcmp(type, "step_finish") == 0)
		opencode_step_finish(a, part);
	else if (strcmp(type, "error") == 0)
		opencode_error(a, json);
	else if (strcmp(type, "done") == 0 && a->turn_open)
		adapter_turn_end(a, 0, -1);
}

const struct adapter_ops adapter_opencode_ops = {
	.name = "opencode",
	.provider = "opencode",
	.json = 1,
	.line = opencode_line,
};
