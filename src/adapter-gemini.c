/*
 * Gemini CLI "gemini -p ... --output-format stream-json", and the single
 * document of "--output-format json".
 *
 * Usage arrives only in the final result's stats: input_tokens include
 * the cached part, output_tokens exclude thoughts, and total_tokens count
 * everything, so output is taken as total_tokens - input_tokens. Newer
 * CLIs split the stats per model (stats.models). The json document is
 * pretty-printed over many lines (adapter_ops.documents). A run that dies
 * before its result is read from its exit status, which is the HTTP
 * status mod 256 (145 for a 401, 144 for a 400, 173 for a 429), and from
 * its stderr: exit 55 "not running in a trusted directory", exit 42 "No
 * previous sessions found for this project" (a resume in another folder).
 * A tool the approval mode does not register fails as tool_not_registered:
 * a denial.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

struct gemini_state {
	u_int	results;
	int	seen_result;
};

/* Exit statuses of a run that ended without a result. */
static const struct {
	int			 status;
	enum ratelimit_class	 class;
	const char		*kind;
	const char		*text;
} gemini_exits[] = {
	{ 41, RATELIMIT_AUTH, "auth", "authentication failed (exit 41)" },
	{ 145, RATELIMIT_AUTH, "auth", "authentication failed (exit 145, "
	  "HTTP 401)" },
	{ 173, RATELIMIT_LIMIT, "rate", "quota exceeded (exit 173, HTTP 429)" },
};

static void
gemini_init(struct adapter *a)
{
	a->data = xcalloc(1, sizeof (struct gemini_state));
}

static void
gemini_free(struct adapter *a)
{
	free(a->data);
}

/* One model's stream-json stats into a call. */
static void
gemini_stats_call(struct adapter *a, cJSON *s, const char *model)
{
	struct gemini_state	*st = a->data;
	struct adapter_usage	 u;
	int64_t			 input, cached, total, output;
	char			*msg_id;

	input = adapter_json_int(s, "input_tokens", 0);
	cached = adapter_json_int(s, "cached", 0);
	total = adapter_json_int(s, "total_tokens", 0);
	output = adapter_json_int(s, "output_tokens", 0);
	memset(&u, 0, sizeof u);
	u.cache_read = cached < input ? cached : input;
	u.in = adapter_json_int(s, "input", input - u.cache_read);
	u.out = total > input + output ? total - input : output;
	u.reasoning = u.out - output;
	u.summed = 1;		/* the session's totals */
	if (u.in + u.cache_read + u.out == 0)
		return;
	xasprintf(&msg_id, "result%u:%s", st->results,
	    model != NULL ? model : "default");
	adapter_call_update(a, msg_id, model, &u, ADAPTER_CALL_MAIN, 1, NULL);
	free(msg_id);
}

static void
gemini_result(struct adapter *a, cJSON *json)
{
	struct gemini_state	*st = a->data;
	cJSON			*stats, *models, *m, *error;
	const char		*type, *msg;
	char			*text;
	int			 is_error;

	st->results++;
	st->seen_result = 1;
	stats = adapter_json_get(json, "stats", (char *)NULL);
	models = adapter_json_get(stats, "models", (char *)NULL);
	if (cJSON_IsObject(models) && models->child != NULL) {
		cJSON_ArrayForEach(m, models) {
			if (m->string != NULL && cJSON_IsObject(m))
				gemini_stats_call(a, m, m->string);
		}
	} else if (cJSON_IsObject(stats))
		gemini_stats_call(a, stats, NULL);

	is_error = adapter_json_is(json, "status", "error");
	if (is_error) {
		error = adapter_json_get(json, "error", (char *)NULL);
		type = adapter_json_str(error, "type");
		msg = adapter_json_str(error, "message");
		xasprintf(&text, "%s%s%s", type != NULL ? type : "",
		    type != NULL && msg != NULL ? ": " : "",
		    msg != NULL ? msg : "");
		if (adapter_check_text(a, text, 0) == RATELIMIT_NONE)
			adapter_error(a, *text != '\0' ? text : "error");
		free(text);
	}
	adapter_turn_end(a, is_error, -1);
}

/* --output-format json: one document with response and stats. */
static void
gemini_document(struct adapter *a, cJSON *json)
{
	struct gemini_state	*st = a->data;
	struct adapter_usage	 u;
	struct adapter_event	*ev;
	cJSON			*m, *models, *tokens, *error;
	const char		*text;
	char			*msg_id;
	int64_t			 prompt, cached;

	adapter_set_session(a, adapter_json_str(json, "session_id"));
	if ((text = adapter_json_str(json, "response")) != NULL) {
		ev = adapter_emit(a, ADAPTER_EV_TEXT);
		ev->text = xstrdup(text);
	}
	st->results++;
	st->seen_result = 1;
	models = adapter_json_get(json, "stats", "models", (char *)NULL);
	if (!cJSON_IsObject(models))
		models = NULL;
	cJSON_ArrayForEach(m, models) {
		tokens = adapter_json_get(m, "tokens", (char *)NULL);
		if (m->string == NULL || !cJSON_IsObject(tokens))
			continue;
		prompt = adapter_json_int(tokens, "prompt", 0);
		cached = adapter_json_int(tokens, "cached", 0);
		memset(&u, 0, sizeof u);
		u.cache_read = cached < prompt ? cached : prompt;
		u.in = prompt - u.cache_read;
		u.reasoning = adapter_json_int(tokens, "thoughts", 0);
		u.out = adapter_json_int(tokens, "candidates", 0) + u.reasoning;
		u.summed = 1;
		xasprintf(&msg_id, "result%u:%s", st->results, m->string);
		adapter_call_update(a, msg_id, m->string, &u, ADAPTER_CALL_MAIN,
		    1, NULL);
		free(msg_id);
	}
	error = adapter_json_get(json, "error", (char *)NULL);
	if (cJSON_IsObject(error)) {
		text = adapter_json_str(error, "message");
		if (adapter_check_text(a, text, 0) == RATELIMIT_NONE)
			adapter_error(a, text);
	}
	adapter_turn_end(a, cJSON_IsObject(error), -1);
}

static void
gemini_line(struct adapter *a, cJSON *json)
{
	struct adapter_event	*ev;
	const char		*type, *model, *role, *text, *id;
	cJSON			*error;
	char			*what;

	if ((type = adapter_json_str(json, "type")) == NULL) {
		if (adapter_json_get(json, "stats", (char *)NULL) != NULL)
			gemini_document(a, json);
		return;
	}
	if (strcmp(type, "init") == 0) {
		model = adapter_json_str(json, "model");
		if (model != NULL && a->model == NULL)
			adapter_set_model(a, model);
		adapter_set_session(a, adapter_json_str(json, "session_id"));
	} else if (strcmp(type, "message") == 0) {
		role = adapter_json_str(json, "role");
		text = adapter_json_str(json, "content");
		if (role == NULL || strcmp(role, "assistant") != 0 ||
		    text == NULL)
			return;
		ev = adapter_emit(a, cJSON_IsTrue(adapter_json_get(json,
		    "delta", (char *)NULL)) ? ADAPTER_EV_TEXT_DELTA :
		    ADAPTER_EV_TEXT);
		ev->text = xstrdup(text);
	} else if (strcmp(type, "tool_use") == 0) {
		if ((id = adapter_json_str(json, "tool_id")) == NULL)
			return;
		ev = adapter_emit(a, ADAPTER_EV_TOOL_START);
		ev->tool_id = xstrdup(id);
		if ((text = adapter_json_str(json, "tool_name")) != NULL)
			ev->tool_name = xstrdup(text);
		what = adapter_json_summary(adapter_json_get(json, "parameters",
		    (char *)NULL));
		adapter_tool_seen(a, id, text, what);
		free(what);
	} else if (strcmp(type, "tool_result") == 0) {
		if ((id = adapter_json_str(json, "tool_id")) == NULL)
			return;
		ev = adapter_emit(a, ADAPTER_EV_TOOL_END);
		ev->tool_id = xstrdup(id);
		ev->is_error = adapter_json_is(json, "status", "error");
		error = adapter_json_get(json, "error", (char *)NULL);
		if ((text = adapter_json_str(json, "output")) != NULL ||
		    (text = adapter_json_str(error, "message")) != NULL)
			ev->text = xstrdup(text);
		if (adapter_json_is(error, "type", "tool_not_registered"))
			adapter_denied(a, id, NULL, NULL,
			    adapter_json_str(error, "message"));
		else if (ev->is_error)
			adapter_tool_failed(a, id, text);
	} else if (strcmp(type, "error") == 0) {
		text = adapter_json_str(json, "message");
		if (text == NULL ||
		    adapter_check_text(a, text, 0) != RATELIMIT_NONE)
			return;
		ev = adapter_emit(a, ADAPTER_EV_ERROR);
		ev->text = xstrdup(text);
		ev->is_error = !adapter_json_is(json, "severity", "warning");
	} else if (strcmp(type, "result") == 0)
		gemini_result(a, json);
}

/* No result: the exit status is all there is to go on. */
static void
gemini_finish(struct adapter *a, int status)
{
	struct gemini_state	*st = a->data;
	struct ratelimit	 rl;
	size_t			 i;

	if (st->seen_result)
		return;
	/* A 400 is an auth failure only when it says so (API_KEY_INVALID). */
	if (status == 144 && a->stderr_text != NULL &&
	    adapter_check_text(a, a->stderr_text, 400) == RATELIMIT_AUTH)
		return;
	for (i = 0; i < nitems(gemini_exits); i++) {
		if (gemini_exits[i].status != status)
			continue;
		ratelimit_init(&rl, a->ops->provider);
		rl.class = gemini_exits[i].class;
		snprintf(rl.kind, sizeof rl.kind, "%s", gemini_exits[i].kind);
		adapter_limit(a, &rl, gemini_exits[i].text, 0);
	}
}

const struct adapter_ops adapter_gemini_ops = {
	.name = "gemini",
	.provider = "gemini",
	.json = 1,
	.documents = 1,
	.init = gemini_init,
	.free = gemini_free,
	.line = gemini_line,
	.finish = gemini_finish,
};
