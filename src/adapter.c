/*
 * Stream adapters: the table of formats, the line buffer every format
 * shares, the queue of normalised events and the run's call ledger.
 *
 * Bytes arrive in arbitrary chunks (adapter_feed); complete lines are
 * parsed as JSON and handed to the format's line op, which turns them into
 * events with the helpers below. A line that is not a JSON object becomes
 * a TEXT event. Unknown types and fields are the format's to ignore.
 *
 * The ledger keeps one entry per model call, keyed by the call's id: a
 * USAGE event always carries the whole of a call's figures so far, so a
 * consumer can upsert on (run, msg_id) and count each call once.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Every format, by name; the first is the default. */
static const struct adapter_ops *adapter_table[] = {
	&adapter_claude_ops,
	&adapter_amp_ops,
	&adapter_codex_ops,
	&adapter_gemini_ops,
	&adapter_opencode_ops,
	&adapter_text_ops,
};

static const char *adapter_ev_names[ADAPTER_NEV] = {
	[ADAPTER_EV_SESSION] = "session",
	[ADAPTER_EV_TEXT_DELTA] = "text_delta",
	[ADAPTER_EV_TEXT] = "text",
	[ADAPTER_EV_THINKING] = "thinking",
	[ADAPTER_EV_TOOL_START] = "tool_start",
	[ADAPTER_EV_TOOL_END] = "tool_end",
	[ADAPTER_EV_DENIED] = "denied",
	[ADAPTER_EV_USAGE] = "usage",
	[ADAPTER_EV_TURN_END] = "turn_end",
	[ADAPTER_EV_RETRY] = "retry",
	[ADAPTER_EV_RATELIMIT] = "ratelimit",
	[ADAPTER_EV_ERROR] = "error",
};

/*
 * What a failed tool call's output says when the tool was not let do its
 * work (lower case): a sandbox, a permission or an approval said no.
 */
static const char *adapter_denials[] = {
	"read-only file system",
	"permission denied",
	"operation not permitted",
	"require approval",
	"requires approval",
	"not allowed",
	"was blocked",
};

/*
 * Why a CLI could not do the run at all, from its error text or stderr:
 * "config" will fail the same way every time (an untrusted folder, a flag
 * it does not know), "session" is a resume of a session it cannot find.
 */
static const struct {
	const char	*text;		/* lower case */
	const char	*failure;
} adapter_failures[] = {
	{ "not running in a trusted directory", "config" },
	{ "unknown option", "config" },
	{ "unknown arguments", "config" },
	{ "unexpected argument", "config" },
	{ "unrecognized subcommand", "config" },
	{ "invalid values:", "config" },
	{ "no previous sessions found", "session" },
	{ "no conversation found with session id", "session" },
	{ "no rollout found for thread id", "session" },
};

static size_t
adapter_index_hash(const char *s)
{
	size_t	h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (u_char)*s;
	return (h);
}

/* Look key up; 1 and *val if there. */
int
adapter_index_get(struct adapter_index *ix, const char *key, size_t *val)
{
	size_t	i;

	if (ix->size == 0)
		return (0);
	i = adapter_index_hash(key) & (ix->size - 1);
	while (ix->keys[i] != NULL) {
		if (strcmp(ix->keys[i], key) == 0) {
			if (val != NULL)
				*val = ix->vals[i];
			return (1);
		}
		i = (i + 1) & (ix->size - 1);
	}
	return (0);
}

static void
adapter_index_insert(struct adapter_index *ix, char *key, size_t val)
{
	size_t	i;

	i = adapter_index_hash(key) & (ix->size - 1);
	while (ix->keys[i] != NULL)
		i = (i + 1) & (ix->size - 1);
	ix->keys[i] = key;
	ix->vals[i] = val;
	ix->used++;
}

/* Add key (copied) with val; 0 if it was there already (val unchanged). */
int
adapter_index_put(struct adapter_index *ix, const char *key, size_t val)
{
	struct adapter_index	old = *ix;
	size_t			i;

	if (adapter_index_get(ix, key, NULL))
		return (0);
	if ((ix->used + 1) * 2 > ix->size) {
		ix->size = ix->size == 0 ? 64 : ix->size * 2;
		ix->keys = xcalloc(ix->size, sizeof *ix->keys);
		ix->vals = xcalloc(ix->size, sizeof *ix->vals);
		ix->used = 0;
		for (i = 0; i < old.size; i++) {
			if (old.keys[i] != NULL)
				adapter_index_insert(ix, old.keys[i],
				    old.vals[i]);
		}
		free(old.keys);
		free(old.vals);
	}
	adapter_index_insert(ix, xstrdup(key), val);
	return (1);
}

void
adapter_index_free(struct adapter_index *ix)
{
	size_t	i;

	for (i = 0; i < ix->size; i++)
		free(ix->keys[i]);
	free(ix->keys);
	free(ix->vals);
	memset(ix, 0, sizeof *ix);
}

const char *
adapter_ev_name(enum adapter_ev kind)
{
	if ((u_int)kind >= ADAPTER_NEV)
		return ("unknown");
	return (adapter_ev_names[kind]);
}

const struct adapter_ops *
adapter_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(adapter_table); i++) {
		if (strcmp(adapter_table[i]->name, name) == 0)
			return (adapter_table[i]);
	}
	return (NULL);
}

/* The format names, for messages: "claude, amp, ...". */
const char *
adapter_names(void)
{
	static char	names[256];
	size_t		i, len = 0;

	if (names[0] != '\0')
		return (names);
	for (i = 0; i < nitems(adapter_table); i++) {
		len += snprintf(names + len, sizeof names - len, "%s%s",
		    i != 0 ? ", " : "", adapter_table[i]->name);
		if (len >= sizeof names)
			break;
	}
	return (names);
}

struct adapter *
adapter_new(const char *name, char **cause)
{
	const struct adapter_ops	*ops;
	struct adapter			*a;

	if ((ops = adapter_find(name)) == NULL) {
		xasprintf(cause, "unknown stream format: %s (one of: %s)", name,
		    adapter_names());
		return (NULL);
	}
	a = xcalloc(1, sizeof *a);
	a->ops = ops;
	a->limit_reset = -1;
	if (ops->init != NULL)
		ops->init(a);
	return (a);
}

void
adapter_event_free(struct adapter_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->session_id);
	free(ev->msg_id);
	free(ev->model);
	free(ev->text);
	free(ev->tool_id);
	free(ev->tool_name);
	free(ev->parent_tool_id);
	free(ev->reason);
	free(ev);
}

void
adapter_free(struct adapter *a)
{
	size_t	i;

	if (a == NULL)
		return;
	if (a->ops->free != NULL)
		a->ops->free(a);
	for (i = a->qhead; i < a->qlen; i++)
		adapter_event_free(a->queue[i]);
	free(a->queue);
	for (i = 0; i < a->ncalls; i++) {
		free(a->calls[i].msg_id);
		free(a->calls[i].model);
	}
	free(a->calls);
	adapter_index_free(&a->call_index);
	for (i = 0; i < a->ntools; i++) {
		free(a->tools[i].id);
		free(a->tools[i].name);
		free(a->tools[i].what);
		free(a->tools[i].error);
	}
	free(a->tools);
	adapter_index_free(&a->tool_index);
	adapter_index_free(&a->denied);
	free(a->stderr_text);
	free(a->limits);
	free(a->buf);
	free(a->split);
	free(a->doc);
	free(a->tz);
	free(a->model);
	free(a->session_id);
	free(a);
}

/* Fix the clock, for tests and for replaying old logs; 0 is the real one. */
void
adapter_set_now(struct adapter *a, int64_t now)
{
	a->now = now;
}

int64_t
adapter_now(struct adapter *a)
{
	if (a->now != 0)
		return (a->now);
	return ((int64_t)time(NULL));
}

/* The time zone for local reset times in limit messages; NULL: local. */
void
adapter_set_tz(struct adapter *a, const char *tz)
{
	free(a->tz);
	a->tz = tz != NULL ? xstrdup(tz) : NULL;
}

/* The model to charge calls to when the stream does not name one. */
void
adapter_set_model(struct adapter *a, const char *model)
{
	free(a->model);
	a->model = model != NULL ? xstrdup(model) : NULL;
}

/* A new, empty call in the ledger. */
static struct adapter_call *
adapter_call_new(struct adapter *a, const char *msg_id)
{
	struct adapter_call	*c;

	a->calls = xreallocarray(a->calls, a->ncalls + 1, sizeof *a->calls);
	c = &a->calls[a->ncalls];
	memset(c, 0, sizeof *c);
	c->msg_id = xstrdup(msg_id);
	adapter_index_put(&a->call_index, msg_id, a->ncalls);
	a->ncalls++;
	return (c);
}

/*
 * Usage already counted for a session before this run (a resumed Codex
 * thread): the format subtracts it where the CLI reports running totals.
 */
void
adapter_seed_usage(struct adapter *a, const char *session,
    const struct adapter_usage *u)
{
	struct adapter_call	*c;
	char			*key;

	xasprintf(&key, "seed:%s", session);
	if ((c = adapter_call_find(a, key)) == NULL)
		c = adapter_call_new(a, key);
	free(key);
	c->usage = *u;
	c->flags = ADAPTER_CALL_SEED;
}

/* Queue a new event of kind; the caller fills in the rest. */
struct adapter_event *
adapter_emit(struct adapter *a, enum adapter_ev kind)
{
	struct adapter_event	*ev;

	if (a->qhead == a->qlen) {
		a->qhead = 0;
		a->qlen = 0;
	}
	if (a->qlen == a->qsize) {
		if (a->qhead > 0) {
			memmove(a->queue, a->queue + a->qhead,
			    (a->qlen - a->qhead) * sizeof *a->queue);
			a->qlen -= a->qhead;
			a->qhead = 0;
		}
		if (a->qlen == a->qsize) {
			a->qsize = a->qsize == 0 ? 16 : a->qsize * 2;
			a->queue = xreallocarray(a->queue, a->qsize,
			    sizeof *a->queue);
		}
	}
	ev = xcalloc(1, sizeof *ev);
	ev->kind = kind;
	ev->exit_status = -1;
	ev->limit.reset_at = -1;
	ev->limit.utilization = -1;
	if (a->session_id != NULL)
		ev->session_id = xstrdup(a->session_id);
	a->queue[a->qlen++] = ev;
	if (kind != ADAPTER_EV_TURN_END)
		a->turn_open = 1;
	return (ev);
}

/* The next event, or NULL; the caller frees it. */
struct adapter_event *
adapter_next(struct adapter *a)
{
	if (a->qhead == a->qlen)
		return (NULL);
	return (a->queue[a->qhead++]);
}

/* Note the session id; a new one is announced with a SESSION event. */
void
adapter_set_session(struct adapter *a, const char *id)
{
	struct adapter_event	*ev;

	if (id == NULL || *id == '\0')
		return;
	if (a->session_id != NULL && strcmp(a->session_id, id) == 0)
		return;
	free(a->session_id);
	a->session_id = xstrdup(id);
	ev = adapter_emit(a, ADAPTER_EV_SESSION);
	if (a->model != NULL)
		ev->model = xstrdup(a->model);
}

struct adapter_call *
adapter_call_find(struct adapter *a, const char *msg_id)
{
	size_t	i;

	if (!adapter_index_get(&a->call_index, msg_id, &i))
		return (NULL);
	return (&a->calls[i]);
}


static int
adapter_usage_max(struct adapter_usage *to, const struct adapter_usage *from)
{
	struct adapter_usage	old = *to;

#define ADAPTER_MAX(f) if (from->f > to->f) to->f = from->f
	ADAPTER_MAX(in);
	ADAPTER_MAX(cache_read);
	ADAPTER_MAX(cache_write);
	ADAPTER_MAX(cache_write_1h);
	ADAPTER_MAX(out);
	ADAPTER_MAX(reasoning);
	ADAPTER_MAX(web_search);
#undef ADAPTER_MAX
	to->fast |= from->fast;
	to->summed |= from->summed;
	return (memcmp(&old, to, sizeof old) != 0);
}

/*
 * Record a call's usage: a new msg_id adds a call; a known one keeps the
 * largest figure of each kind (replace: takes u as it is). cli_cost, if
 * not NULL, is what the CLI says the call cost. A USAGE event with the
 * call's whole figures follows any change.
 */
struct adapter_call *
adapter_call_update(struct adapter *a, const char *msg_id, const char *model,
    const struct adapter_usage *u, int flags, int replace,
    const double *cli_cost)
{
	struct adapter_call	*c;
	struct adapter_event	*ev;
	int			 changed;

	if ((c = adapter_call_find(a, msg_id)) == NULL) {
		c = adapter_call_new(a, msg_id);
		c->usage = *u;
		changed = 1;
	} else if (replace) {
		changed = memcmp(&c->usage, u, sizeof *u) != 0;
		c->usage = *u;
	} else
		changed = adapter_usage_max(&c->usage, u);
	/* A call keeps the model it has; the default names one with none. */
	if (model == NULL && c->model == NULL)
		model = a->model;
	if (model != NULL && (c->model == NULL || strcmp(c->model, model) != 0)) {
		free(c->model);
		c->model = xstrdup(model);
		changed = 1;
	}
	c->flags |= flags;
	if (cli_cost != NULL &&
	    (!c->has_cli_cost || c->cli_cost != *cli_cost)) {
		c->has_cli_cost = 1;
		c->cli_cost = *cli_cost;
		changed = 1;
	}
	if (changed) {
		ev = adapter_emit(a, ADAPTER_EV_USAGE);
		ev->msg_id = xstrdup(c->msg_id);
		if (c->model != NULL)
			ev->model = xstrdup(c->model);
		ev->usage = c->usage;
		ev->has_cli_cost = c->has_cli_cost;
		ev->cli_cost = c->cli_cost;
	}
	return (c);
}

/* The run's totals: every call once, seeds excluded. */
void
adapter_totals(struct adapter *a, struct adapter_usage *u)
{
	size_t	i;

	memset(u, 0, sizeof *u);
	for (i = 0; i < a->ncalls; i++) {
		if (a->calls[i].flags & ADAPTER_CALL_SEED)
			continue;
		u->in += a->calls[i].usage.in;
		u->cache_read += a->calls[i].usage.cache_read;
		u->cache_write += a->calls[i].usage.cache_write;
		u->cache_write_1h += a->calls[i].usage.cache_write_1h;
		u->out += a->calls[i].usage.out;
		u->reasoning += a->calls[i].usage.reasoning;
		u->web_search += a->calls[i].usage.web_search;
	}
}

/*
 * Report a limit once: the same class, kind, reset and level seen again
 * (the synthetic message and the result repeat each other, and Claude
 * may repeat an unchanged rate_limit_event) is dropped. A limit with no
 * reset time gets an estimated one.
 */
void
adapter_limit(struct adapter *a, const struct ratelimit *rl, const char *text,
    int http_status)
{
	struct adapter_event	*ev;
	size_t			 i;

	for (i = 0; i < a->nlimits; i++) {
		if (a->limits[i].class == rl->class &&
		    a->limits[i].reset_at == rl->reset_at &&
		    a->limits[i].utilization == rl->utilization &&
		    strcmp(a->limits[i].kind, rl->kind) == 0)
			return;
	}
	a->limits = xreallocarray(a->limits, a->nlimits + 1, sizeof *a->limits);
	a->limits[a->nlimits++] = *rl;
	ev = adapter_emit(a, rl->class == RATELIMIT_RETRY ?
	    ADAPTER_EV_RETRY : ADAPTER_EV_RATELIMIT);
	ev->limit = *rl;
	ratelimit_estimate(&ev->limit, adapter_now(a), a->retry_after);
	ev->is_error = rl->class == RATELIMIT_LIMIT ||
	    rl->class == RATELIMIT_AUTH;
	ev->http_status = http_status;
	if (text != NULL)
		ev->text = xstrdup(text);
}

/*
 * Look for a limit, auth failure or retry in a message the CLI wrote and
 * report it. A reset time from a structured event wins over the text.
 */
enum ratelimit_class
adapter_check_text(struct adapter *a, const char *text, int http_status)
{
	struct ratelimit	rl;

	if (text == NULL)
		return (RATELIMIT_NONE);
	if (!ratelimit_classify(a->ops->provider, text, adapter_now(a), a->tz,
	    &rl))
		return (RATELIMIT_NONE);
	if (rl.class == RATELIMIT_LIMIT && a->limit_reset != -1 &&
	    a->limit_reset > adapter_now(a))
		rl.reset_at = a->limit_reset;
	adapter_limit(a, &rl, text, http_status);
	return (rl.class);
}

/* End the turn; is_error marks a failed one. */
void
adapter_turn_end(struct adapter *a, int is_error, int exit_status)
{
	struct adapter_event	*ev;

	ev = adapter_emit(a, ADAPTER_EV_TURN_END);
	ev->is_error = is_error;
	ev->exit_status = exit_status;
	ev->has_cli_cost = a->has_cli_cost;
	ev->cli_cost = a->cli_cost;
	a->turn_open = 0;
}

/* A failure kind for text, from adapter_failures, or NULL. */
static const char *
adapter_failure(const char *text)
{
	char		*lower;
	const char	*kind = NULL;
	size_t		 i;

	lower = xstrdup(text);
	for (i = 0; lower[i] != '\0'; i++)
		lower[i] = (char)tolower((u_char)lower[i]);
	for (i = 0; kind == NULL && i < nitems(adapter_failures); i++) {
		if (strstr(lower, adapter_failures[i].text) != NULL)
			kind = adapter_failures[i].failure;
	}
	free(lower);
	return (kind);
}

void
adapter_error(struct adapter *a, const char *text)
{
	struct adapter_event	*ev;

	ev = adapter_emit(a, ADAPTER_EV_ERROR);
	ev->is_error = 1;
	ev->text = xstrdup(text != NULL ? text : "error");
	ev->failure = adapter_failure(ev->text);
}

/* The end of the CLI's stderr, to explain an exit the stream does not. */
void
adapter_set_stderr(struct adapter *a, const char *text)
{
	free(a->stderr_text);
	a->stderr_text = text != NULL ? xstrdup(text) : NULL;
}

/* A tool call started: what it is, for a denial reported later. */
void
adapter_tool_seen(struct adapter *a, const char *id, const char *name,
    const char *what)
{
	struct adapter_tool	*t;

	if (id == NULL || !adapter_index_put(&a->tool_index, id, a->ntools))
		return;
	a->tools = xreallocarray(a->tools, a->ntools + 1, sizeof *a->tools);
	t = &a->tools[a->ntools++];
	t->id = xstrdup(id);
	t->name = name != NULL ? xstrdup(name) : NULL;
	t->what = what != NULL ? xstrdup(what) : NULL;
	t->error = NULL;
}

struct adapter_tool *
adapter_tool_find(struct adapter *a, const char *id)
{
	size_t	i;

	if (id == NULL || !adapter_index_get(&a->tool_index, id, &i))
		return (NULL);
	return (&a->tools[i]);
}

/*
 * A tool call that was refused or could not do its work, once per tool
 * id: name and what from the call if not given, reason in the CLI's
 * words.
 */
void
adapter_denied(struct adapter *a, const char *id, const char *name,
    const char *what, const char *reason)
{
	struct adapter_event	*ev;
	struct adapter_tool	*t;

	if (id != NULL && !adapter_index_put(&a->denied, id, 0))
		return;
	t = adapter_tool_find(a, id);
	if (name == NULL && t != NULL)
		name = t->name;
	if (what == NULL && t != NULL)
		what = t->what;
	if ((reason == NULL || *reason == '\0') && t != NULL)
		reason = t->error;
	ev = adapter_emit(a, ADAPTER_EV_DENIED);
	ev->is_error = 1;
	if (id != NULL)
		ev->tool_id = xstrdup(id);
	ev->tool_name = xstrdup(name != NULL ? name : "tool");
	if (what != NULL)
		ev->text = xstrdup(what);
	ev->reason = xstrdup(reason != NULL && *reason != '\0' ? reason :
	    "refused");
}

/*
 * A tool call failed with output: if the output says a sandbox or a
 * permission stopped it, report a denial with that line as the reason.
 */
void
adapter_tool_failed(struct adapter *a, const char *id, const char *output)
{
	struct adapter_tool	*t;
	const char		*line, *end;
	char			*lower, *reason;
	size_t			 i, len;

	if (output == NULL)
		return;
	if ((t = adapter_tool_find(a, id)) != NULL && t->error == NULL)
		t->error = xstrndup(output, 500);
	for (line = output; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		len = end - line;
		lower = xstrndup(line, len);
		for (i = 0; i < len; i++)
			lower[i] = (char)tolower((u_char)lower[i]);
		for (i = 0; i < nitems(adapter_denials); i++) {
			if (strstr(lower, adapter_denials[i]) != NULL)
				break;
		}
		free(lower);
		if (i < nitems(adapter_denials)) {
			reason = xstrndup(line, len > 500 ? 500 : len);
			adapter_denied(a, id, NULL, NULL, reason);
			free(reason);
			return;
		}
	}
}

/* A tool's input in a few words: its command or path, else its JSON. */
char *
adapter_json_summary(cJSON *input)
{
	static const char	*keys[] = { "command", "cmd", "file_path",
	    "path", "absolute_path", "pattern", "url", "query" };
	const char		*s;
	char			*json, *out;
	size_t			 i;

	if (input == NULL)
		return (NULL);
	if (cJSON_IsString(input))
		return (xstrndup(input->valuestring, 300));
	for (i = 0; i < nitems(keys); i++) {
		if ((s = adapter_json_str(input, keys[i])) != NULL)
			return (xstrndup(s, 300));
	}
	if ((json = cJSON_PrintUnformatted(input)) == NULL)
		return (NULL);
	out = xstrndup(json, 300);
	free(json);
	return (out);
}

/* obj.k1.k2...: the item at a path of object keys, or NULL. */
cJSON *
adapter_json_get(cJSON *obj, ...)
{
	va_list		 ap;
	const char	*key;

	va_start(ap, obj);
	while (obj != NULL && (key = va_arg(ap, const char *)) != NULL) {
		if (!cJSON_IsObject(obj))
			obj = NULL;
		else
			obj = cJSON_GetObjectItemCaseSensitive(obj, key);
	}
	va_end(ap);
	return (obj);
}

/* An array member, or NULL. */
cJSON *
adapter_json_array(cJSON *obj, const char *key)
{
	cJSON	*item;

	item = adapter_json_get(obj, key, (char *)NULL);
	return (cJSON_IsArray(item) ? item : NULL);
}

/* A string member, or NULL if missing or of another type. */
const char *
adapter_json_str(cJSON *obj, const char *key)
{
	cJSON	*item;

	item = adapter_json_get(obj, key, (char *)NULL);
	if (!cJSON_IsString(item))
		return (NULL);
	return (item->valuestring);
}

/* A number member as an integer, def if missing; clamped to be sane. */
int64_t
adapter_json_int(cJSON *obj, const char *key, int64_t def)
{
	cJSON	*item;
	double	 d;

	item = key != NULL ? adapter_json_get(obj, key, (char *)NULL) : obj;
	if (!cJSON_IsNumber(item))
		return (def);
	d = item->valuedouble;
	if (d != d)
		return (def);
	if (d > 9.0e15)
		return ((int64_t)9e15);
	if (d < -9.0e15)
		return ((int64_t)-9e15);
	return ((int64_t)d);
}

int
adapter_json_is(cJSON *obj, const char *key, const char *value)
{
	const char	*s;

	if ((s = adapter_json_str(obj, key)) == NULL)
		return (0);
	return (strcmp(s, value) == 0);
}

/*
 * A line with another written into its middle (Claude Code has written a
 * rate_limit_event inside another line: anthropics/claude-code #49640).
 * If an object that starts with "type" ends this line, it is handled on
 * its own, and the text before it waits to be joined with the next line,
 * which holds the rest of the line that was cut.
 */
static int
adapter_split(struct adapter *a, const char *line, size_t len)
{
	static const char	 needle[] = "{\"type\":";
	const char		*p, *end;
	cJSON			*json;
	u_int			 tries = 0;

	/* From the end back, and only a few: a long bad line stays cheap. */
	if (len < sizeof needle)
		return (0);
	for (p = line + len - (sizeof needle - 1); p > line && tries < 8; p--) {
		if (*p != '{' || memcmp(p, needle, sizeof needle - 1) != 0)
			continue;
		tries++;
		json = cJSON_ParseWithLengthOpts(p, len - (p - line), &end, 0);
		if (cJSON_IsObject(json) && end == line + len) {
			free(a->split);
			a->split = xstrndup(line, p - line);
			a->ops->line(a, json);
			cJSON_Delete(json);
			return (1);
		}
		cJSON_Delete(json);
	}
	return (0);
}

/* A line that is not a JSON object: text. */
static void
adapter_text_line(struct adapter *a, const char *line, size_t len)
{
	struct adapter_event	*ev;

	if (a->ops->json)
		a->bad_lines++;
	ev = adapter_emit(a, ADAPTER_EV_TEXT);
	ev->text = xstrndup(line, len);
	if (!a->ops->json)
		adapter_check_text(a, ev->text, 0);
}

/*
 * A JSON \u0000 would end the C string cJSON makes of a text there: such
 * an escape (one not itself escaped) becomes \\u0000, so the text keeps
 * it, written out. NULL if the line has none.
 */
static char *
adapter_unnul(const char *line, size_t len, size_t *outlen)
{
	const char	*p, *end = line + len;
	char		*out;
	size_t		 n = 0, back, o = 0;

	if (memmem(line, len, "\\u0000", 6) == NULL)
		return (NULL);
	out = xmalloc(len * 2 + 1);
	for (p = line; p < end; p++) {
		if (*p == '\\' && end - p >= 6 && memcmp(p, "\\u0000", 6) == 0) {
			for (back = 0; p - back > line && p[-1 - back] == '\\';
			    back++)
				;
			if (back % 2 == 0) {
				out[o++] = '\\';
				n++;
			}
		}
		out[o++] = *p;
	}
	out[o] = '\0';
	*outlen = o;
	if (n == 0) {
		free(out);
		return (NULL);
	}
	return (out);
}

/* Parse text as JSON, keeping any \u0000 in it. */
static cJSON *
adapter_parse_text(const char *text, size_t len)
{
	cJSON	*json;
	char	*copy;
	size_t	 n;

	if ((copy = adapter_unnul(text, len, &n)) == NULL)
		return (cJSON_ParseWithLength(text, len));
	json = cJSON_ParseWithLength(copy, n);
	free(copy);
	return (json);
}

static cJSON *
adapter_parse(const char *line, size_t len)
{
	cJSON	*json;

	json = adapter_parse_text(line, len);
	if (json != NULL && !cJSON_IsObject(json)) {
		cJSON_Delete(json);
		json = NULL;
	}
	return (json);
}

/*
 * A pretty-printed document (Gemini's --output-format json): from a line
 * that is only "{", lines are held until a line starting with "}" closes
 * a whole object. Returns 1 if the line was taken.
 */
static int
adapter_document(struct adapter *a, const char *line, size_t len)
{
	cJSON	*json;
	size_t	 i;

	if (!a->ops->documents)
		return (0);
	if (a->doc == NULL) {
		for (i = 0; i < len && isspace((u_char)line[i]); i++)
			;
		if (i == len || line[i] != '{')
			return (0);
		for (i++; i < len && isspace((u_char)line[i]); i++)
			;
		if (i != len)
			return (0);
	} else if (a->doclen + len + 2 > ADAPTER_LINE_MAX) {
		adapter_text_line(a, a->doc, a->doclen);
		free(a->doc);
		a->doc = NULL;
		a->doclen = 0;
		return (0);
	}
	a->doc = xrealloc(a->doc, a->doclen + len + 2);
	memcpy(a->doc + a->doclen, line, len);
	a->doclen += len;
	a->doc[a->doclen++] = '\n';
	a->doc[a->doclen] = '\0';
	if (len == 0 || line[0] != '}')
		return (1);
	if ((json = adapter_parse_text(a->doc, a->doclen)) == NULL)
		return (1);
	if (cJSON_IsObject(json))
		a->ops->line(a, json);
	cJSON_Delete(json);
	free(a->doc);
	a->doc = NULL;
	a->doclen = 0;
	return (1);
}

/* One complete line, without its newline. */
static void
adapter_line(struct adapter *a, const char *line, size_t len)
{
	cJSON	*json;
	char	*joined, *split;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if ((a->doc != NULL || (len > 0 && line[0] == '{')) &&
	    adapter_document(a, line, len)) {
		a->lines++;
		return;
	}
	if ((split = a->split) != NULL) {
		/* The rest of a cut line? If not, both are lines of their own. */
		a->split = NULL;
		xasprintf(&joined, "%s%.*s", split, (int)len, line);
		if ((json = adapter_parse(joined, strlen(joined))) != NULL) {
			a->lines++;
			a->ops->line(a, json);
			cJSON_Delete(json);
		} else {
			a->lines++;
			adapter_text_line(a, split, strlen(split));
			adapter_line(a, line, len);
		}
		free(joined);
		free(split);
		return;
	}
	if (len == 0)
		return;
	a->lines++;
	if (!a->ops->json) {
		adapter_text_line(a, line, len);
		return;
	}
	if ((json = adapter_parse(line, len)) != NULL) {
		a->ops->line(a, json);
		cJSON_Delete(json);
	} else if (!adapter_split(a, line, len))
		adapter_text_line(a, line, len);
}

/* Take a chunk of the stream; complete lines are parsed at once. */
void
adapter_feed(struct adapter *a, const char *data, size_t size)
{
	const char	*nl;
	size_t		 n;

	while (size > 0) {
		nl = memchr(data, '\n', size);
		n = nl != NULL ? (size_t)(nl - data) : size;
		if (a->skipping) {
			/* Drop the rest of an over-long line. */
		} else if (a->len == 0 && nl != NULL)
			adapter_line(a, data, n);
		else if (a->len + n > ADAPTER_LINE_MAX) {
			adapter_error(a, "line too long: dropped");
			a->len = 0;
			a->skipping = 1;
		} else {
			if (a->len + n + 1 > a->size) {
				a->size = a->size == 0 ? 8192 : a->size;
				while (a->size < a->len + n + 1)
					a->size *= 2;
				a->buf = xrealloc(a->buf, a->size);
			}
			memcpy(a->buf + a->len, data, n);
			a->len += n;
			if (nl != NULL) {
				adapter_line(a, a->buf, a->len);
				a->len = 0;
			}
		}
		if (nl != NULL) {
			a->skipping = 0;
			n++;
		}
		data += n;
		size -= n;
	}
}

/*
 * The line of the CLI's stderr that says why it stopped: the first that
 * names a known failure, else the last line that is not blank, a stack
 * frame or colour codes; NULL without stderr. Escape sequences are cut.
 */
static char *
adapter_stderr_reason(struct adapter *a)
{
	const char	*p, *end, *last = NULL, *hit = NULL;
	char		*out, *q;
	size_t		 len = 0, hitlen = 0, i;

	if (a->stderr_text == NULL)
		return (NULL);
	for (p = a->stderr_text; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		while (p < end && isspace((u_char)*p))
			p++;
		if (p == end || strncmp(p, "at ", 3) == 0 ||
		    isdigit((u_char)*p))
			continue;
		out = xstrndup(p, end - p);
		if (hit == NULL && adapter_failure(out) != NULL) {
			hit = p;
			hitlen = end - p;
		}
		free(out);
		last = p;
		len = end - p;
	}
	if (hit != NULL) {
		last = hit;
		len = hitlen;
	}
	if (last == NULL)
		return (NULL);
	out = xstrndup(last, len > 400 ? 400 : len);
	/* Drop terminal escapes ("\033[31m"). */
	for (p = out, q = out; *p != '\0'; p++) {
		if (*p == '\033' && p[1] == '[') {
			for (i = 2; p[i] != '\0' && !isalpha((u_char)p[i]); i++)
				;
			p += p[i] != '\0' ? i : i - 1;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	return (out);
}

/*
 * The process has exited: parse a last line with no newline, let the
 * format read the exit status, and close a turn the stream left open.
 */
void
adapter_finish(struct adapter *a, int status)
{
	char	*msg, *line;

	if (a->finished)
		return;
	a->finished = 1;
	if (a->len > 0 && !a->skipping)
		adapter_line(a, a->buf, a->len);
	a->len = 0;
	if (a->doc != NULL) {
		/* A document that never closed: its lines as text. */
		msg = a->doc;
		a->doc = NULL;
		for (line = msg; *line != '\0'; line += strcspn(line, "\n") + 1) {
			if (line[strcspn(line, "\n")] == '\0')
				break;
			if (strcspn(line, "\n") > 0)
				adapter_text_line(a, line, strcspn(line, "\n"));
		}
		free(msg);
		a->doclen = 0;
	}
	if (a->split != NULL) {
		/* A cut line that never finished. */
		adapter_text_line(a, a->split, strlen(a->split));
		free(a->split);
		a->split = NULL;
	}
	if (a->ops->finish != NULL)
		a->ops->finish(a, status);
	if (a->turn_open || a->lines == 0) {
		if (status != 0) {
			if ((line = adapter_stderr_reason(a)) != NULL)
				xasprintf(&msg, "exited with status %d: %s",
				    status, line);
			else
				xasprintf(&msg, "exited with status %d without "
				    "a final event", status);
			adapter_error(a, msg);
			free(msg);
			free(line);
		}
		adapter_turn_end(a, status != 0, status);
	}
}

/* Add a string member when there is one. */
void
adapter_json_add_string(cJSON *o, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddItemToObject(o, key, json_string(value));
}

void
adapter_json_add_usage(cJSON *o, const struct adapter_usage *u)
{
	cJSON_AddNumberToObject(o, "tokens_in", (double)u->in);
	cJSON_AddNumberToObject(o, "tokens_cache_write",
	    (double)u->cache_write);
	cJSON_AddNumberToObject(o, "tokens_cache_read", (double)u->cache_read);
	cJSON_AddNumberToObject(o, "tokens_out", (double)u->out);
}

/*
 * An event as JSON: what baton parse prints and what the events table
 * keeps in its data column.
 */
cJSON *
adapter_event_to_json(struct adapter_event *ev)
{
	cJSON	*o;

	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", adapter_ev_name(ev->kind));
	adapter_json_add_string(o, "session_id", ev->session_id);
	adapter_json_add_string(o, "msg_id", ev->msg_id);
	adapter_json_add_string(o, "model", ev->model);
	adapter_json_add_string(o, "tool_id", ev->tool_id);
	adapter_json_add_string(o, "tool_name", ev->tool_name);
	adapter_json_add_string(o, "parent_tool_id", ev->parent_tool_id);
	adapter_json_add_string(o, "text", ev->text);
	adapter_json_add_string(o, "reason", ev->reason);
	adapter_json_add_string(o, "failure", ev->failure);
	if (ev->is_error)
		cJSON_AddTrueToObject(o, "is_error");
	if (ev->kind == ADAPTER_EV_USAGE)
		adapter_json_add_usage(o, &ev->usage);
	if (ev->has_cli_cost)
		cJSON_AddNumberToObject(o, "cli_cost_usd", ev->cli_cost);
	if (ev->kind == ADAPTER_EV_RATELIMIT || ev->kind == ADAPTER_EV_RETRY) {
		cJSON_AddStringToObject(o, "class",
		    ratelimit_class_name(ev->limit.class));
		cJSON_AddStringToObject(o, "limit_kind", ev->limit.kind);
		if (ev->limit.reset_at != -1)
			cJSON_AddNumberToObject(o, "reset_at",
			    (double)ev->limit.reset_at);
		if (ev->limit.reset_at != -1 && ev->limit.estimated)
			cJSON_AddTrueToObject(o, "estimated");
	}
	if (ev->http_status != 0)
		cJSON_AddNumberToObject(o, "http_status", ev->http_status);
	if (ev->retry_attempt != 0) {
		cJSON_AddNumberToObject(o, "attempt", ev->retry_attempt);
		cJSON_AddNumberToObject(o, "max", ev->retry_max);
	}
	if (ev->exit_status != -1)
		cJSON_AddNumberToObject(o, "exit_status", ev->exit_status);
	return (o);
}
