/*
 * cost: tokens and dollars, grouped by run, task, parent task, sprint,
 * role, provider, model, day or session.
 *
 * Inside a baton repository, with no PATH, it adds up baton's own ledger:
 * the calls table, each call already priced when it was stored (NULL: no
 * known price), joined to its run and the run's task. Elsewhere, or with
 * --transcripts, it reads Claude Code transcript folders
 * (~/.claude/projects/<project>/<session>.jsonl); given PATHs, it reads
 * those, transcripts or raw stream logs of any format baton parses. Transcripts are the hot path and are read without the adapters:
 * only lines holding "usage" are parsed, and calls are deduplicated across
 * all files by message.id + requestId, keeping the line with the most
 * tokens (a resumed session's file begins with a copy of the earlier one,
 * and one response is written once per content block). Stream logs go
 * through their adapter, whose ledger already counts each call once.
 *
 * Each call is priced at its model's price entry for the call's day (a
 * stored call carries the entry that priced it); rows say which entries.
 * Where the CLI reported its own cost (Claude's total_cost_usd, OpenCode's
 * per-step cost), a run or stream log whose cost by baton's prices differs
 * from the CLI's by more than COST_CLI_TOLERANCE is flagged.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "baton.h"

static int	cmd_cost_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_cost_entry = {
	.name = "cost",
	.alias = NULL,
	.usage = "[--by run|task|parent|sprint|role|provider|model|day|session] "
	    "[--transcripts] [--format F] [--model M] [--json] [PATH ...]",
	.doc = "Add up tokens and cost: of baton's own runs in a baton "
	    "repository, else of Claude Code transcripts (~/.claude/projects, "
	    "or always with --transcripts), or of the transcripts and agent "
	    "stream logs given as PATHs. --model prices streams that name no "
	    "model.",
	.flags = 0,
	.exec = cmd_cost_exec,
};

/* How rows are grouped. */
enum cost_by {
	COST_BY_SESSION,
	COST_BY_MODEL,
	COST_BY_DAY,
	COST_BY_TASK,
	COST_BY_RUN,
	COST_BY_PARENT,
	COST_BY_SPRINT,
	COST_BY_ROLE,
	COST_BY_PROVIDER,
};

/* Where the calls come from. */
#define COST_FILES 0x1		/* transcripts and stream logs */
#define COST_STORE 0x2		/* baton's calls table */

/* What a row is named by. */
enum cost_key {
	COST_KEY_TEXT,		/* a string: model, day, role, ... */
	COST_KEY_ID,		/* a run, task or sprint id */
	COST_KEY_NONE,		/* no value: a run with no task, ... */
};

/*
 * Each grouping, with the SQL that names a call's group in the store: the
 * key and a label to show beside it (a task's title, a sprint's name).
 * The parent of a task is its topmost ancestor (up.top, below).
 */
static const struct cost_by_entry {
	const char	*name;
	enum cost_by	 by;
	const char	*heading;
	int		 sources;
	enum cost_key	 key;
	const char	*key_sql;
	const char	*label_sql;
} cost_bys[] = {
	{ "run", COST_BY_RUN, "RUN", COST_STORE, COST_KEY_ID, "r.id",
	  "t.title" },
	{ "task", COST_BY_TASK, "TASK", COST_FILES|COST_STORE, COST_KEY_ID,
	  "r.task_id", "t.title" },
	{ "parent", COST_BY_PARENT, "PARENT", COST_STORE, COST_KEY_ID,
	  "coalesce(up.top, r.task_id)", "pt.title" },
	{ "sprint", COST_BY_SPRINT, "SPRINT", COST_STORE, COST_KEY_ID,
	  "t.sprint_id", "s.name" },
	{ "role", COST_BY_ROLE, "ROLE", COST_STORE, COST_KEY_TEXT, "r.role",
	  "NULL" },
	{ "provider", COST_BY_PROVIDER, "PROVIDER", COST_STORE, COST_KEY_TEXT,
	  "r.provider", "NULL" },
	{ "model", COST_BY_MODEL, "MODEL", COST_FILES|COST_STORE,
	  COST_KEY_TEXT, "coalesce(c.model, r.model)", "NULL" },
	{ "day", COST_BY_DAY, "DAY", COST_FILES|COST_STORE, COST_KEY_TEXT,
	  "date(c.at, 'unixepoch', 'localtime')", "NULL" },
	{ "session", COST_BY_SESSION, "SESSION", COST_FILES|COST_STORE,
	  COST_KEY_TEXT, "r.agent_session", "NULL" },
};

/* A line that marks a file's format; the first matching line decides. */
static const struct {
	const char	*needle;
	const char	*format;
} cost_sniffs[] = {
	{ "\"sessionId\"", "transcript" },
	{ "\"requestId\"", "transcript" },
	{ "\"thread.started\"", "codex" },
	{ "\"turn.completed\"", "codex" },
	{ "\"turn_context\"", "codex" },
	{ "\"event_msg\"", "codex" },
	{ "\"session_meta\"", "codex" },
	{ "\"sessionID\"", "opencode" },
	{ "\"type\":\"init\"", "gemini" },
	{ "\"stats\"", "gemini" },
	{ "\"session_id\"", "claude" },
	{ "\"type\":\"assistant\"", "claude" },
};

/* One call. */
struct cost_call {
	char			*key;		/* dedupe key, or NULL */
	char			*session;
	char			*model;
	char			*task;
	char			 day[11];
	struct adapter_usage	 u;
	int			 has_cli;
	double			 cli;

	/* From the store: the call's group, its run and its stored cost. */
	char			*group;
	enum cost_key		 gkey;
	int64_t			 gid;
	char			*label;
	char			*entry;		/* the price entry that priced it */
	int64_t			 run;		/* stored run, or stream file number */
	int			 stored;	/* cost below, not from the model */
	int			 has_cost;
	double			 cost;
};

/* One output row. */
struct cost_row {
	char			*name;
	enum cost_key		 key;
	int64_t			 id;
	char			*label;
	size_t			 calls;
	size_t			 unknown;	/* calls with no price */
	struct adapter_usage	 u;
	double			 cost;		/* of the priced calls */
	int			 has_cli;
	double			 cli;
	char			**entries;	/* price entries used */
	size_t			 nentries;
	int			 mismatch;	/* holds a run the CLI prices apart */
};

/* A run (or stream log) whose cost by baton is not the CLI's. */
struct cost_mismatch {
	int64_t			 run;
	char			*name;		/* "run 3" or the log's path */
	double			 cost;
	double			 cli;
};

/* A model's price on a day, looked up once. */
struct cost_price {
	char			*model;
	char			 day[11];
	const struct price	*price;		/* NULL: none known */
	char			*entry;
};

struct cost_state {
	const struct cost_by_entry *entry;
	enum cost_by		 by;
	const char		*format;	/* forced, or NULL */
	const char		*model;		/* for streams naming none */

	struct cost_call	*calls;
	size_t			 ncalls;
	size_t			*hash;		/* index + 1 of keyed calls */
	size_t			 hsize;
	size_t			 hused;

	struct store		*store;		/* for --by task, if any */
	size_t			 runs;		/* from the store */
	struct cost_price	*prices;
	size_t			 nprices;
	char			*buf;		/* for reading files, kept */
	size_t			 bufsize;
	size_t			 files;
	char			**paths;	/* stream logs, by number - 1 */
	size_t			 npaths;
	uint64_t		 bytes;
	size_t			 errors;
	struct cost_mismatch	*mismatches;
	size_t			 nmismatches;
};

static uint64_t
cost_hash(const char *s)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (u_char)*s;
		h *= 1099511628211ULL;
	}
	return (h);
}

static void
cost_hash_insert(struct cost_state *cs, size_t idx)
{
	size_t	i;

	i = cost_hash(cs->calls[idx].key) & (cs->hsize - 1);
	while (cs->hash[i] != 0)
		i = (i + 1) & (cs->hsize - 1);
	cs->hash[i] = idx + 1;
	cs->hused++;
}

static void
cost_hash_grow(struct cost_state *cs)
{
	size_t	i;

	free(cs->hash);
	cs->hsize = cs->hsize == 0 ? 1024 : cs->hsize * 2;
	cs->hash = xcalloc(cs->hsize, sizeof *cs->hash);
	cs->hused = 0;
	for (i = 0; i < cs->ncalls; i++) {
		if (cs->calls[i].key != NULL)
			cost_hash_insert(cs, i);
	}
}

static struct cost_call *
cost_hash_find(struct cost_state *cs, const char *key)
{
	size_t	i;

	if (cs->hsize == 0)
		return (NULL);
	i = cost_hash(key) & (cs->hsize - 1);
	while (cs->hash[i] != 0) {
		if (strcmp(cs->calls[cs->hash[i] - 1].key, key) == 0)
			return (&cs->calls[cs->hash[i] - 1]);
		i = (i + 1) & (cs->hsize - 1);
	}
	return (NULL);
}

static int64_t
cost_tokens(const struct adapter_usage *u)
{
	return (u->in + u->cache_read + u->cache_write + u->out);
}

static void
cost_call_free(struct cost_call *c)
{
	free(c->key);
	free(c->session);
	free(c->model);
	free(c->task);
	free(c->group);
	free(c->label);
	free(c->entry);
}

/*
 * Add a call; one whose key is known replaces the earlier copy if it has
 * more tokens. The strings are copied.
 */
static void
cost_add(struct cost_state *cs, const char *key, const char *session,
    const char *model, const char *day, const char *task,
    const struct adapter_usage *u, const double *cli)
{
	struct cost_call	*c;

	if (key != NULL && (c = cost_hash_find(cs, key)) != NULL) {
		if (cost_tokens(u) <= cost_tokens(&c->u))
			return;
		free(c->session);
		free(c->model);
		free(c->task);
	} else {
		cs->calls = xreallocarray(cs->calls, cs->ncalls + 1,
		    sizeof *cs->calls);
		c = &cs->calls[cs->ncalls++];
		memset(c, 0, sizeof *c);
		if (key != NULL) {
			if (cs->hused * 2 >= cs->hsize)
				cost_hash_grow(cs);
			c->key = xstrdup(key);
			cost_hash_insert(cs, cs->ncalls - 1);
		}
	}
	c->session = xstrdup(session != NULL ? session : "-");
	c->model = model != NULL ? xstrdup(model) : NULL;
	c->task = xstrdup(task != NULL ? task : "-");
	snprintf(c->day, sizeof c->day, "%s", day != NULL ? day : "-");
	c->u = *u;
	c->has_cli = cli != NULL;
	c->cli = cli != NULL ? *cli : 0;
}

/* The task a run log belongs to, from .baton/runs/N/ and the store. */
static char *
cost_task(struct cost_state *cs, const char *path)
{
	sqlite3_stmt	*stmt;
	const char	*p;
	char		*task = NULL;
	long long	 run;

	if (cs->by != COST_BY_TASK)
		return (NULL);
	if ((p = strstr(path, ".baton/runs/")) == NULL)
		return (NULL);
	run = strtoll(p + 12, NULL, 10);
	if (run <= 0)
		return (NULL);
	if (cs->store != NULL) {
		stmt = store_prepare(cs->store,
		    "SELECT task_id FROM runs WHERE id = ?");
		sqlite3_bind_int64(stmt, 1, run);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_type(stmt, 0) != SQLITE_NULL)
			xasprintf(&task, "#%lld",
			    (long long)sqlite3_column_int64(stmt, 0));
		sqlite3_reset(stmt);
	}
	if (task == NULL)
		xasprintf(&task, "run %lld", run);
	return (task);
}

/* One transcript line, through cJSON: the slow path, for unusual lines. */
static void
cost_transcript_json(struct cost_state *cs, const char *line, size_t len,
    const char *task)
{
	struct adapter_usage	 u;
	cJSON			*json, *msg, *usage, *cost;
	const char		*id, *req, *model, *ts;
	char			*key = NULL, day[11];
	double			 cli;

	if ((json = cJSON_ParseWithLength(line, len)) == NULL)
		return;
	msg = adapter_json_get(json, "message", (char *)NULL);
	usage = adapter_json_get(msg, "usage", (char *)NULL);
	model = adapter_json_str(msg, "model");
	if (!cJSON_IsObject(usage) ||
	    (model != NULL && strcmp(model, "<synthetic>") == 0)) {
		cJSON_Delete(json);
		return;
	}
	adapter_claude_usage(usage, &u);
	id = adapter_json_str(msg, "id");
	req = adapter_json_str(json, "requestId");
	if (id != NULL)
		xasprintf(&key, "%s:%s", id, req != NULL ? req : "");
	ts = adapter_json_str(json, "timestamp");
	if (ts != NULL && strlen(ts) >= 10)
		snprintf(day, sizeof day, "%.10s", ts);
	else
		snprintf(day, sizeof day, "-");
	cost = adapter_json_get(json, "costUSD", (char *)NULL);
	cli = cJSON_IsNumber(cost) ? cost->valuedouble : 0;
	cost_add(cs, key, adapter_json_str(json, "sessionId"), model, day, task,
	    &u, cJSON_IsNumber(cost) ? &cli : NULL);
	free(key);
	cJSON_Delete(json);
}

/*
 * The fast path reads a transcript line without building a tree: it walks
 * the JSON structure in place, checking it as cJSON would (strings and
 * their escapes, numbers as strtod reads them, literals, nesting) but
 * keeping only message.id, message.model, message.usage, requestId,
 * sessionId, timestamp and costUSD, the first of each name as cJSON does.
 * The strings it keeps must be plain (no escapes) and short; a line with
 * any other string it needs, a \u escape anywhere, or a fault, goes to
 * cost_transcript_json, so both readings give the same answer.
 */
#define COST_STR_MAX 256

struct cost_scan {
	const char	*end;
	char		 id[COST_STR_MAX];
	char		 req[COST_STR_MAX];
	char		 model[COST_STR_MAX];
	char		 session[COST_STR_MAX];
	char		 ts[COST_STR_MAX];
	/* Each 0 if missing, 1 if kept, 2 if there but of another type. */
	int		 has_id, has_req, has_model, has_session, has_ts;
	int		 has_message;
	int		 has_usage;
	int		 has_cost;
	double		 cost;

	struct adapter_usage u;		/* from usage, as adapter_claude_usage */
	u_int		 seen;		/* usage members already read */
};

/* The usage members read, each once (the first wins, as in cJSON). */
static const struct {
	const char	*name;
	int		 object;	/* 1: cache_creation, 2: server_tool_use */
	size_t		 offset;
} cost_usage_keys[] = {
	{ "input_tokens", 0, offsetof(struct adapter_usage, in) },
	{ "cache_read_input_tokens", 0,
	  offsetof(struct adapter_usage, cache_read) },
	{ "cache_creation_input_tokens", 0,
	  offsetof(struct adapter_usage, cache_write) },
	{ "output_tokens", 0, offsetof(struct adapter_usage, out) },
	{ "ephemeral_1h_input_tokens", 1,
	  offsetof(struct adapter_usage, cache_write_1h) },
	{ "web_search_requests", 2,
	  offsetof(struct adapter_usage, web_search) },
};

static const char *
cost_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return (p);
}

/*
 * Past the string that starts at p (a quote); NULL if it never ends or
 * holds a bad escape. A \u escape is left to cJSON, which also checks
 * surrogate pairs: NULL too.
 */
static const char *
cost_skip_string(const char *p, const char *end)
{
	const char	*q, *b;
	int		 escaped;

	for (p++; p < end; p = q + 1) {
		if ((q = memchr(p, '"', end - p)) == NULL)
			return (NULL);
		escaped = 0;
		for (b = memchr(p, '\\', q - p); b != NULL;
		    b = memchr(b, '\\', q - b)) {
			if (b + 1 == q) {
				escaped = 1;	/* this quote is not the end */
				break;
			}
			if (b[1] == '\0' || strchr("\\/bfnrt", b[1]) == NULL)
				return (NULL);
			if ((b += 2) == q)
				break;
		}
		if (!escaped)
			return (q + 1);
	}
	return (NULL);
}

/*
 * Past a number, true, false or null at p; NULL if it is none of them. A
 * number ends where strtod stops, as in cJSON; its value goes in *value.
 */
static const char *
cost_skip_scalar(const char *p, const char *end, double *value)
{
	static const char	*words[] = { "true", "false", "null" };
	const char		*q = p;
	char			 num[64], *stop;
	size_t			 i, n;

	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		while (q < end && ((*q >= '0' && *q <= '9') || *q == '-' ||
		    *q == '+' || *q == '.' || *q == 'e' || *q == 'E'))
			q++;
		if ((size_t)(q - p) >= sizeof num)
			return (NULL);
		memcpy(num, p, q - p);
		num[q - p] = '\0';
		*value = strtod(num, &stop);
		if (stop == num)
			return (NULL);
		return (p + (stop - num));
	}
	for (i = 0; i < nitems(words); i++) {
		n = strlen(words[i]);
		if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0)
			return (p + n);
	}
	return (NULL);
}

#define COST_DEPTH_MAX 1000	/* cJSON's nesting limit */

static const char *cost_skip_nested(const char *, const char *, u_int);

/* Past the value at p; NULL if it is cut short or not JSON. */
static const char *
cost_skip_nested(const char *p, const char *end, u_int depth)
{
	double	value;
	char	close;

	if (p >= end)
		return (NULL);
	if (*p == '"')
		return (cost_skip_string(p, end));
	if (*p != '{' && *p != '[')
		return (cost_skip_scalar(p, end, &value));
	if (depth >= COST_DEPTH_MAX)
		return (NULL);
	close = *p == '{' ? '}' : ']';
	p = cost_ws(p + 1, end);
	if (p < end && *p == close)
		return (p + 1);
	while (p < end) {
		if (close == '}') {
			if (*p != '"' || (p = cost_skip_string(p, end)) == NULL)
				return (NULL);
			p = cost_ws(p, end);
			if (p >= end || *p != ':')
				return (NULL);
			p = cost_ws(p + 1, end);
		}
		if ((p = cost_skip_nested(p, end, depth + 1)) == NULL)
			return (NULL);
		p = cost_ws(p, end);
		if (p >= end)
			return (NULL);
		if (*p == close)
			return (p + 1);
		if (*p != ',')
			return (NULL);
		p = cost_ws(p + 1, end);
	}
	return (NULL);
}

static const char *
cost_skip_value(const char *p, const char *end)
{
	return (cost_skip_nested(p, end, 1));
}

/* Copy a plain string value into buf; 0 if it is not one that fits. */
static int
cost_scan_string(const char *p, const char *end, char *buf)
{
	const char	*q;

	if (p >= end || *p != '"' || (q = cost_skip_string(p, end)) == NULL)
		return (0);
	p++;
	q--;
	if ((size_t)(q - p) >= COST_STR_MAX || memchr(p, '\\', q - p) != NULL ||
	    memchr(p, '\0', q - p) != NULL)
		return (0);
	memcpy(buf, p, q - p);
	buf[q - p] = '\0';
	return (1);
}

/*
 * Walk the object at p, calling fn with each key and the place of its
 * value; fn returns past the value, or NULL to give up. Returns past the
 * object, or NULL.
 */
static const char *
cost_scan_object(struct cost_scan *sc, const char *p,
    const char *(*fn)(struct cost_scan *, const char *, size_t,
    const char *))
{
	const char	*end = sc->end, *key, *q;

	p = cost_ws(p, end);
	if (p >= end || *p != '{')
		return (NULL);
	p = cost_ws(p + 1, end);
	if (p < end && *p == '}')
		return (p + 1);
	while (p < end) {
		if (*p != '"' || (q = cost_skip_string(p, end)) == NULL)
			return (NULL);
		key = p + 1;
		if (memchr(key, '\0', q - 1 - key) != NULL)
			return (NULL);	/* cJSON's names end there */
		p = cost_ws(q, end);
		if (p >= end || *p != ':')
			return (NULL);
		p = cost_ws(p + 1, end);
		if (p >= end || (p = fn(sc, key, q - 1 - key, p)) == NULL)
			return (NULL);
		p = cost_ws(p, end);
		if (p >= end)
			return (NULL);
		if (*p == '}')
			return (p + 1);
		if (*p != ',')
			return (NULL);
		p = cost_ws(p + 1, end);
	}
	return (NULL);
}

#define COST_KEY_IS(key, len, s) \
	((len) == sizeof (s) - 1 && memcmp((key), (s), (len)) == 0)

/* A number as adapter_json_int reads it: clamped to be sane. */
static int64_t
cost_clamp(double d)
{
	if (d != d)
		return (0);
	if (d > 9.0e15)
		return ((int64_t)9e15);
	if (d < -9.0e15)
		return ((int64_t)-9e15);
	return ((int64_t)d);
}

/* A member of usage or of one of its objects; a non-number counts 0. */
static const char *
cost_scan_usage_in(struct cost_scan *sc, const char *key, size_t len,
    const char *p, int object)
{
	const char	*q;
	double		 d = 0;
	int64_t		 v;
	size_t		 i;

	if (*p == '-' || (*p >= '0' && *p <= '9'))
		q = cost_skip_scalar(p, sc->end, &d);
	else
		q = cost_skip_value(p, sc->end);
	if (q == NULL || memchr(key, '\\', len) != NULL)
		return (NULL);
	for (i = 0; i < nitems(cost_usage_keys); i++) {
		if (cost_usage_keys[i].object != object ||
		    strlen(cost_usage_keys[i].name) != len ||
		    memcmp(cost_usage_keys[i].name, key, len) != 0)
			continue;
		if (sc->seen & (1U << i))
			break;
		sc->seen |= 1U << i;
		v = cost_clamp(d);
		memcpy((char *)&sc->u + cost_usage_keys[i].offset, &v,
		    sizeof v);
		break;
	}
	return (q);
}

static const char *
cost_scan_cache_creation(struct cost_scan *sc, const char *key, size_t len,
    const char *p)
{
	return (cost_scan_usage_in(sc, key, len, p, 1));
}

static const char *
cost_scan_server_tools(struct cost_scan *sc, const char *key, size_t len,
    const char *p)
{
	return (cost_scan_usage_in(sc, key, len, p, 2));
}

#define COST_SEEN_CACHE_CREATION (1U << 29)
#define COST_SEEN_SERVER_TOOLS (1U << 30)
#define COST_SEEN_SPEED (1U << 31)

static const char *
cost_scan_usage(struct cost_scan *sc, const char *key, size_t len,
    const char *p)
{
	const char	*q;
	u_int		 bit;

	if (COST_KEY_IS(key, len, "cache_creation") ||
	    COST_KEY_IS(key, len, "server_tool_use")) {
		bit = key[0] == 'c' ? COST_SEEN_CACHE_CREATION :
		    COST_SEEN_SERVER_TOOLS;
		if (*p != '{' || (sc->seen & bit)) {
			sc->seen |= bit;
			return (cost_skip_value(p, sc->end));
		}
		sc->seen |= bit;
		return (cost_scan_object(sc, p, key[0] == 'c' ?
		    cost_scan_cache_creation : cost_scan_server_tools));
	}
	if (COST_KEY_IS(key, len, "speed")) {
		if ((q = cost_skip_value(p, sc->end)) == NULL)
			return (NULL);
		if (sc->seen & COST_SEEN_SPEED)
			return (q);
		sc->seen |= COST_SEEN_SPEED;
		if (*p == '"' && (memchr(p, '\\', q - p) != NULL ||
		    memchr(p, '\0', q - p) != NULL))
			return (NULL);
		sc->u.fast = q - p == 6 && memcmp(p, "\"fast\"", 6) == 0;
		return (q);
	}
	return (cost_scan_usage_in(sc, key, len, p, 0));
}

/*
 * A string member we keep: the first of its name wins, as in cJSON; one
 * that is not a plain short string sends the line to the slow path.
 */
static const char *
cost_scan_keep(struct cost_scan *sc, const char *p, char *buf, int *has)
{
	const char	*q;

	if ((q = cost_skip_value(p, sc->end)) == NULL || *has)
		return (q);
	if (*p != '"') {
		*has = 2;	/* not a string: as if missing */
		return (q);
	}
	if (!cost_scan_string(p, sc->end, buf))
		return (NULL);
	*has = 1;
	return (q);
}

static const char *
cost_scan_message(struct cost_scan *sc, const char *key, size_t len,
    const char *p)
{
	const char	*q;

	if (COST_KEY_IS(key, len, "id"))
		return (cost_scan_keep(sc, p, sc->id, &sc->has_id));
	if (COST_KEY_IS(key, len, "model"))
		return (cost_scan_keep(sc, p, sc->model, &sc->has_model));
	if (COST_KEY_IS(key, len, "usage") && !sc->has_usage) {
		sc->has_usage = *p == '{' ? 1 : 2;
		if (sc->has_usage == 1)
			return (cost_scan_object(sc, p, cost_scan_usage));
	}
	if ((q = cost_skip_value(p, sc->end)) == NULL)
		return (NULL);
	if (memchr(key, '\\', len) != NULL)
		return (NULL);
	return (q);
}

static const char *
cost_scan_top(struct cost_scan *sc, const char *key, size_t len,
    const char *p)
{
	const char	*q;

	if (COST_KEY_IS(key, len, "message")) {
		if (sc->has_message)
			return (cost_skip_value(p, sc->end));
		sc->has_message = *p == '{' ? 1 : 2;
		if (sc->has_message == 2)
			return (cost_skip_value(p, sc->end));
		return (cost_scan_object(sc, p, cost_scan_message));
	}
	if (COST_KEY_IS(key, len, "requestId"))
		return (cost_scan_keep(sc, p, sc->req, &sc->has_req));
	if (COST_KEY_IS(key, len, "sessionId"))
		return (cost_scan_keep(sc, p, sc->session, &sc->has_session));
	if (COST_KEY_IS(key, len, "timestamp"))
		return (cost_scan_keep(sc, p, sc->ts, &sc->has_ts));
	if (COST_KEY_IS(key, len, "costUSD") && !sc->has_cost) {
		sc->has_cost = 2;
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			if ((q = cost_skip_scalar(p, sc->end, &sc->cost)) ==
			    NULL)
				return (NULL);
			sc->has_cost = 1;
			return (q);
		}
	}
	if ((q = cost_skip_value(p, sc->end)) == NULL)
		return (NULL);
	if (memchr(key, '\\', len) != NULL)
		return (NULL);
	return (q);
}

/* One transcript line that holds "usage". */
static void
cost_transcript_line(struct cost_state *cs, const char *line, size_t len,
    const char *task)
{
	struct cost_scan	 sc;
	char			 key[2 * COST_STR_MAX + 1], day[11];

	memset(&sc, 0, sizeof sc);
	sc.end = line + len;
	if (cost_scan_object(&sc, line, cost_scan_top) == NULL) {
		cost_transcript_json(cs, line, len, task);
		return;
	}
	if (sc.has_usage != 1 ||
	    (sc.has_model == 1 && strcmp(sc.model, "<synthetic>") == 0))
		return;
	if (sc.u.cache_write_1h > sc.u.cache_write)
		sc.u.cache_write_1h = sc.u.cache_write;
	if (sc.has_id == 1)
		snprintf(key, sizeof key, "%s:%s", sc.id,
		    sc.has_req == 1 ? sc.req : "");
	if (sc.has_ts == 1 && strlen(sc.ts) >= 10)
		snprintf(day, sizeof day, "%.10s", sc.ts);
	else
		snprintf(day, sizeof day, "-");
	cost_add(cs, sc.has_id == 1 ? key : NULL, sc.has_session == 1 ?
	    sc.session : NULL, sc.has_model == 1 ? sc.model : NULL, day, task,
	    &sc.u, sc.has_cost == 1 ? &sc.cost : NULL);
}

/*
 * The complete lines of buf that hold "usage": each hit is widened to its
 * line, so the bytes between hits (most of a transcript) are looked at
 * once, by memmem. Returns where the unfinished last line starts.
 */
static const char *
cost_transcript_buf(struct cost_state *cs, const char *buf, size_t len,
    const char *task)
{
	const char	*p = buf, *end = buf + len, *hit, *start, *nl;

	while ((hit = memmem(p, end - p, "\"usage\"", 7)) != NULL) {
		start = memrchr(p, '\n', hit - p);
		start = start != NULL ? start + 1 : p;
		if ((nl = memchr(hit, '\n', end - hit)) == NULL)
			return (start);
		cost_transcript_line(cs, start, nl - start, task);
		p = nl + 1;
	}
	nl = memrchr(p, '\n', end - p);
	return (nl != NULL ? nl + 1 : p);
}

/* The format of a file from its first lines. */
static const char *
cost_sniff(const char *buf, size_t len)
{
	const char	*line = buf, *nl;
	size_t		 n, i;

	while (len > 0) {
		nl = memchr(line, '\n', len);
		n = nl != NULL ? (size_t)(nl - line) : len;
		for (i = 0; i < nitems(cost_sniffs); i++) {
			if (memmem(line, n, cost_sniffs[i].needle,
			    strlen(cost_sniffs[i].needle)) != NULL)
				return (cost_sniffs[i].format);
		}
		if (nl == NULL)
			break;
		len -= n + 1;
		line = nl + 1;
	}
	return (NULL);
}

/* A stream log through its adapter: every call in its ledger. */
static void
cost_stream(struct cost_state *cs, const char *format, int fd,
    const char *first, size_t nfirst, const char *day, const char *task,
    const char *path)
{
	struct adapter		*a;
	struct adapter_event	*ev;
	struct adapter_call	*c;
	char			 buf[65536], *cause = NULL;
	ssize_t			 n;
	size_t			 i, last = SIZE_MAX;
	double			 cli;

	if ((a = adapter_new(format, &cause)) == NULL) {
		free(cause);
		return;
	}
	if (cs->model != NULL)
		adapter_set_model(a, cs->model);
	adapter_feed(a, first, nfirst);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		cs->bytes += (uint64_t)n;
		adapter_feed(a, buf, (size_t)n);
		while ((ev = adapter_next(a)) != NULL)
			adapter_event_free(ev);
	}
	adapter_finish(a, 0);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	cs->paths = xreallocarray(cs->paths, cs->npaths + 1,
	    sizeof *cs->paths);
	cs->paths[cs->npaths++] = xstrdup(path);
	for (i = 0; i < a->ncalls; i++) {
		c = &a->calls[i];
		if (c->flags & ADAPTER_CALL_SEED)
			continue;
		cost_add(cs, NULL, a->session_id, c->model, day, task,
		    &c->usage, c->has_cli_cost ? &c->cli_cost : NULL);
		last = cs->ncalls - 1;
		cs->calls[last].run = (int64_t)cs->npaths;
	}
	/* A run total from the CLI goes with the run's last call. */
	if (a->has_cli_cost && last != SIZE_MAX) {
		cli = a->cli_cost;
		cs->calls[last].has_cli = 1;
		cs->calls[last].cli = cli;
	}
	adapter_free(a);
}

/* One file: sniff its format, then read it. */
static void
cost_file(struct cost_state *cs, const char *path)
{
	struct stat	 st;
	struct tm	 tm;
	const char	*format, *line;
	char		*buf, *task, day[11];
	size_t		 len = 0, n;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "baton cost: %s: %s\n", path, strerror(errno));
		cs->errors++;
		return;
	}
	cs->files++;
	day[0] = '-';
	day[1] = '\0';
	if (fstat(fd, &st) == 0 && localtime_r(&st.st_mtime, &tm) != NULL)
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	task = cost_task(cs, path);
	if (cs->buf == NULL) {
		cs->bufsize = 1 << 20;
		cs->buf = xmalloc(cs->bufsize);
	}
	buf = cs->buf;
	while (len < 65536 && (r = read(fd, buf + len, 65536 - len)) > 0)
		len += (size_t)r;
	cs->bytes += len;
	if ((format = cs->format) == NULL)
		format = cost_sniff(buf, len);
	if (format == NULL) {
		/* Nothing this command reads. */
	} else if (strcmp(format, "transcript") != 0)
		cost_stream(cs, format, fd, buf, len, day, task, path);
	else {
		/* Whole lines from a big buffer; a partial one moves down. */
		for (;;) {
			line = cost_transcript_buf(cs, buf, len, task);
			n = len - (line - buf);
			memmove(buf, line, n);
			len = n;
			if (len == cs->bufsize) {
				cs->bufsize *= 2;
				buf = cs->buf = xrealloc(cs->buf, cs->bufsize);
			}
			if ((r = read(fd, buf + len, cs->bufsize - len)) <= 0)
				break;
			len += (size_t)r;
			cs->bytes += (uint64_t)r;
		}
		if (len > 0 && memmem(buf, len, "\"usage\"", 7) != NULL)
			cost_transcript_line(cs, buf, len, task);
	}
	free(task);
	close(fd);
}

static int
cost_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

/* Every *.jsonl under path (or path itself); -1 if path is missing. */
static int
cost_walk(const char *path, char ***files, size_t *n, int top)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		*sub;
	size_t		 len;

	if ((top ? stat(path, &st) : lstat(path, &st)) != 0) {
		if (!top)
			return (0);
		fprintf(stderr, "baton cost: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	if (S_ISREG(st.st_mode)) {
		len = strlen(path);
		if (top || (len > 6 && strcmp(path + len - 6, ".jsonl") == 0)) {
			*files = xreallocarray(*files, *n + 1, sizeof **files);
			(*files)[(*n)++] = xstrdup(path);
		}
		return (0);
	}
	if (!S_ISDIR(st.st_mode) || (d = opendir(path)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		xasprintf(&sub, "%s/%s", path, de->d_name);
		cost_walk(sub, files, n, 0);
		free(sub);
	}
	closedir(d);
	return (0);
}

/* The transcript folders Claude Code writes, those that exist. */
static void
cost_default_paths(char ***paths, size_t *n)
{
	struct stat	 st;
	const char	*env, *home;
	char		*copy, *word, *next, *p;

	if ((env = getenv("CLAUDE_CONFIG_DIR")) != NULL && *env != '\0') {
		copy = xstrdup(env);
		for (next = copy; (word = strsep(&next, ",")) != NULL;) {
			if (*word == '\0')
				continue;
			xasprintf(&p, "%s/projects", word);
			*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
			(*paths)[(*n)++] = p;
		}
		free(copy);
		return;
	}
	if ((home = getenv("HOME")) == NULL)
		return;
	xasprintf(&p, "%s/.config/claude/projects", home);
	if (stat(p, &st) == 0) {
		*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
		(*paths)[(*n)++] = p;
	} else
		free(p);
	xasprintf(&p, "%s/.claude/projects", home);
	if (stat(p, &st) == 0) {
		*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
		(*paths)[(*n)++] = p;
	} else
		free(p);
}

/* A column as a new string, or NULL. */
static char *
cost_column(sqlite3_stmt *stmt, int col)
{
	const u_char	*s;

	if ((s = sqlite3_column_text(stmt, col)) == NULL)
		return (NULL);
	return (utf8_sanitize((const char *)s));
}

/*
 * A run's own total from the CLI (Claude's result.total_cost_usd, the
 * latest of them, being cumulative) goes with the run's last call when no
 * call carries the CLI's figure itself: the same rule as for stream logs.
 */
static int
cost_store_cli(struct cost_state *cs, char **cause)
{
	sqlite3_stmt	*stmt;
	const char	*sql = "SELECT run_id, json_extract(data, "
	    "'$.cli_cost_usd') FROM events WHERE kind = 'turn_end' AND "
	    "json_extract(data, '$.cli_cost_usd') IS NOT NULL "
	    "ORDER BY run_id, id";
	int64_t		 run, *runs = NULL;
	double		*totals = NULL;
	size_t		 n = 0, i, j, k, last;
	int		 rc, has;

	if (sqlite3_prepare_v2(cs->store->db, sql, -1, &stmt, NULL) !=
	    SQLITE_OK) {
		*cause = store_errmsg(cs->store);
		return (-1);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		run = sqlite3_column_int64(stmt, 0);
		if (n == 0 || runs[n - 1] != run) {
			runs = xreallocarray(runs, n + 1, sizeof *runs);
			totals = xreallocarray(totals, n + 1, sizeof *totals);
			runs[n++] = run;
		}
		totals[n - 1] = sqlite3_column_double(stmt, 1);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		free(runs);
		free(totals);
		*cause = store_errmsg(cs->store);
		return (-1);
	}

	/* Both lists are in run order: walk them side by side. */
	k = 0;
	for (i = 0; i < cs->ncalls; i = j) {
		has = 0;
		for (j = i; j < cs->ncalls && cs->calls[j].run ==
		    cs->calls[i].run; j++)
			has |= cs->calls[j].has_cli;
		last = j - 1;
		while (k < n && runs[k] < cs->calls[i].run)
			k++;
		if (!has && k < n && runs[k] == cs->calls[i].run) {
			cs->calls[last].has_cli = 1;
			cs->calls[last].cli = totals[k];
		}
	}
	free(runs);
	free(totals);
	return (0);
}

/*
 * Every call in the store, in run order, with the group it falls in. The
 * recursive up table maps each task to its topmost ancestor; a task on a
 * loop of parents (which baton refuses to make) is its own.
 */
static int
cost_store_load(struct cost_state *cs, char **cause)
{
	const struct cost_by_entry	*e = cs->entry;
	struct cost_call		*c;
	sqlite3_stmt			*stmt;
	char				*sql;
	int				 rc;
	int64_t				 run = 0;

	xasprintf(&sql, "WITH RECURSIVE up (id, top) AS ("
	    "SELECT id, id FROM tasks WHERE parent_id IS NULL UNION ALL "
	    "SELECT t.id, up.top FROM tasks t JOIN up ON t.parent_id = up.id) "
	    "SELECT %s, %s, c.run_id, c.tokens_in, c.tokens_cache_read, "
	    "c.tokens_cache_write, c.tokens_out, c.cost_usd, c.cli_cost_usd, "
	    "c.price_entry FROM calls c JOIN runs r ON r.id = c.run_id "
	    "LEFT JOIN tasks t ON t.id = r.task_id "
	    "LEFT JOIN up ON up.id = r.task_id "
	    "LEFT JOIN tasks pt ON pt.id = coalesce(up.top, r.task_id) "
	    "LEFT JOIN sprints s ON s.id = t.sprint_id "
	    "ORDER BY c.run_id, c.id", e->key_sql, e->label_sql);
	rc = sqlite3_prepare_v2(cs->store->db, sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		*cause = store_errmsg(cs->store);
		return (-1);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		cs->calls = xreallocarray(cs->calls, cs->ncalls + 1,
		    sizeof *cs->calls);
		c = &cs->calls[cs->ncalls++];
		memset(c, 0, sizeof *c);
		c->stored = 1;
		if (sqlite3_column_type(stmt, 0) == SQLITE_NULL) {
			c->gkey = COST_KEY_NONE;
			c->group = xstrdup(e->by == COST_BY_MODEL ?
			    "(unknown)" : "-");
		} else if (e->key == COST_KEY_ID) {
			c->gkey = COST_KEY_ID;
			c->gid = sqlite3_column_int64(stmt, 0);
			xasprintf(&c->group, "%s%lld", e->by == COST_BY_TASK ||
			    e->by == COST_BY_PARENT ? "#" : "",
			    (long long)c->gid);
		} else {
			c->gkey = COST_KEY_TEXT;
			c->group = cost_column(stmt, 0);
		}
		c->label = cost_column(stmt, 1);
		c->run = sqlite3_column_int64(stmt, 2);
		c->u.in = sqlite3_column_int64(stmt, 3);
		c->u.cache_read = sqlite3_column_int64(stmt, 4);
		c->u.cache_write = sqlite3_column_int64(stmt, 5);
		c->u.out = sqlite3_column_int64(stmt, 6);
		if (sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
			c->has_cost = 1;
			c->cost = sqlite3_column_double(stmt, 7);
		}
		if (sqlite3_column_type(stmt, 8) != SQLITE_NULL) {
			c->has_cli = 1;
			c->cli = sqlite3_column_double(stmt, 8);
		}
		c->entry = cost_column(stmt, 9);
		if (cs->ncalls == 1 || c->run != run)
			cs->runs++;
		run = c->run;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(cs->store);
		return (-1);
	}
	return (cost_store_cli(cs, cause));
}

static const char *
cost_group(struct cost_state *cs, const struct cost_call *c)
{
	if (c->group != NULL)
		return (c->group);
	switch (cs->by) {
	case COST_BY_SESSION:
		return (c->session);
	case COST_BY_MODEL:
		return (c->model != NULL ? c->model : "(unknown)");
	case COST_BY_DAY:
		return (c->day);
	case COST_BY_TASK:
		return (c->task);
	default:
		break;
	}
	return ("-");
}

static int
cost_row_by_name(const void *a, const void *b)
{
	return (strcmp(((const struct cost_row *)a)->name,
	    ((const struct cost_row *)b)->name));
}

static int
cost_row_by_cost(const void *a, const void *b)
{
	const struct cost_row	*ra = a, *rb = b;

	if (ra->cost != rb->cost)
		return (ra->cost < rb->cost ? 1 : -1);
	return (strcmp(ra->name, rb->name));
}

/* Noon UTC of a "YYYY-MM-DD" day, or now if it is not one. */
static int64_t
cost_day_time(const char *day)
{
	struct tm	 tm;
	char		*end;

	memset(&tm, 0, sizeof tm);
	end = strptime(day, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0')
		return ((int64_t)time(NULL));
	tm.tm_hour = 12;
	return ((int64_t)timegm(&tm));
}

/*
 * A call's cost at baton's prices for its day, and the entry that priced
 * it; -1 if its model has none. Each model and day is looked up once, and
 * the first miss says why.
 */
static int
cost_price(struct cost_state *cs, const struct cost_call *c, double *cost,
    const char **entry)
{
	struct cost_price	*cp;
	const char		*name = c->model != NULL ? c->model : "";
	char			*cause;
	size_t			 i;

	for (i = 0; i < cs->nprices; i++) {
		if (strcmp(cs->prices[i].model, name) == 0 &&
		    strcmp(cs->prices[i].day, c->day) == 0)
			break;
	}
	if (i == cs->nprices) {
		cs->prices = xreallocarray(cs->prices, cs->nprices + 1,
		    sizeof *cs->prices);
		cp = &cs->prices[cs->nprices++];
		cp->model = xstrdup(name);
		snprintf(cp->day, sizeof cp->day, "%s", c->day);
		if (price_cost_at(c->model, &c->u, cost_day_time(c->day), cost,
		    &cp->price, &cause) != 0 && cause != NULL) {
			fprintf(stderr, "baton cost: %s\n", cause);
			free(cause);
		}
		cp->entry = cp->price != NULL ? price_entry_name(cp->price) :
		    NULL;
	}
	cp = &cs->prices[i];
	if (cp->price == NULL)
		return (-1);
	*cost = price_apply(cp->price, &c->u);
	*entry = cp->entry;
	return (0);
}

/* Note a price entry a row used, once. */
static void
cost_row_entry(struct cost_row *r, const char *entry)
{
	size_t	i;

	if (entry == NULL)
		return;
	for (i = 0; i < r->nentries; i++) {
		if (strcmp(r->entries[i], entry) == 0)
			return;
	}
	r->entries = xreallocarray(r->entries, r->nentries + 1,
	    sizeof *r->entries);
	r->entries[r->nentries++] = xstrdup(entry);
}

/* Is run among the runs whose cost is not the CLI's? */
static int
cost_mismatched(struct cost_state *cs, int64_t run)
{
	size_t	i;

	for (i = 0; i < cs->nmismatches; i++) {
		if (cs->mismatches[i].run == run)
			return (1);
	}
	return (0);
}

/*
 * Compare each run's (or stream log's) cost by baton's prices with what
 * the CLI said it cost, where it said so and every call has a price.
 */
static void
cost_check_cli(struct cost_state *cs)
{
	struct cost_mismatch	*m;
	const struct cost_call	*c;
	const char		*entry;
	double			 cost, sum, cli;
	size_t			 i, j;
	int			 has, priced;

	for (i = 0; i < cs->ncalls; i = j) {
		sum = cli = 0;
		has = 0;
		priced = 1;
		for (j = i; j < cs->ncalls && cs->calls[j].run ==
		    cs->calls[i].run; j++) {
			c = &cs->calls[j];
			if (c->has_cli) {
				has = 1;
				cli += c->cli;
			}
			if (c->stored && c->has_cost)
				sum += c->cost;
			else if (!c->stored && cost_price(cs, c, &cost,
			    &entry) == 0)
				sum += cost;
			else
				priced = 0;
		}
		if (cs->calls[i].run == 0 || !has || !priced)
			continue;
		if (sum - cli <= COST_CLI_TOLERANCE * cli &&
		    cli - sum <= COST_CLI_TOLERANCE * cli)
			continue;
		cs->mismatches = xreallocarray(cs->mismatches,
		    cs->nmismatches + 1, sizeof *cs->mismatches);
		m = &cs->mismatches[cs->nmismatches++];
		m->run = cs->calls[i].run;
		m->cost = sum;
		m->cli = cli;
		if (cs->calls[i].stored)
			xasprintf(&m->name, "run %lld", (long long)m->run);
		else
			m->name = xstrdup(cs->paths[m->run - 1]);
	}
}

static void
cost_row_add(struct cost_state *cs, struct cost_row *r,
    const struct cost_call *c)
{
	const char	*entry;
	double		 cost;

	r->calls++;
	r->u.in += c->u.in;
	r->u.cache_read += c->u.cache_read;
	r->u.cache_write += c->u.cache_write;
	r->u.out += c->u.out;
	if (c->stored) {
		if (c->has_cost) {
			r->cost += c->cost;
			cost_row_entry(r, c->entry);
		} else
			r->unknown++;
	} else if (cost_price(cs, c, &cost, &entry) == 0) {
		r->cost += cost;
		cost_row_entry(r, entry);
	} else
		r->unknown++;
	if (c->has_cli) {
		r->has_cli = 1;
		r->cli += c->cli;
	}
	if (c->run != 0 && cost_mismatched(cs, c->run))
		r->mismatch = 1;
}

/*
 * A row as JSON. The cost covers the priced calls only: null when none
 * has a price, and partial is true when some have none.
 */
static cJSON *
cost_row_json(const struct cost_row *r, const char *by)
{
	cJSON	*o, *array;
	size_t	 i;

	o = cJSON_CreateObject();
	if (r->key == COST_KEY_ID)
		cJSON_AddNumberToObject(o, by, (double)r->id);
	else if (r->key == COST_KEY_NONE)
		cJSON_AddNullToObject(o, by);
	else
		cJSON_AddItemToObject(o, by, json_string(r->name));
	if (r->label != NULL)
		cJSON_AddItemToObject(o, "label", json_string(r->label));
	cJSON_AddNumberToObject(o, "calls", (double)r->calls);
	cJSON_AddNumberToObject(o, "tokens_in", (double)r->u.in);
	cJSON_AddNumberToObject(o, "tokens_cache_write",
	    (double)r->u.cache_write);
	cJSON_AddNumberToObject(o, "tokens_cache_read",
	    (double)r->u.cache_read);
	cJSON_AddNumberToObject(o, "tokens_out", (double)r->u.out);
	if (r->calls != 0 && r->unknown == r->calls)
		cJSON_AddNullToObject(o, "cost_usd");
	else
		cJSON_AddNumberToObject(o, "cost_usd", r->cost);
	cJSON_AddNumberToObject(o, "unpriced_calls", (double)r->unknown);
	cJSON_AddBoolToObject(o, "partial", r->unknown != 0);
	if (r->has_cli)
		cJSON_AddNumberToObject(o, "cli_cost_usd", r->cli);
	else
		cJSON_AddNullToObject(o, "cli_cost_usd");
	array = cJSON_AddArrayToObject(o, "priced_by");
	for (i = 0; i < r->nentries; i++)
		cJSON_AddItemToArray(array, json_string(r->entries[i]));
	cJSON_AddBoolToObject(o, "cli_mismatch", r->mismatch);
	return (o);
}

/*
 * A row of the table: "?" is an unknown cost, "+" one that is partial, "!"
 * a CLI cost that is not baton's. Rows by model say which price entries
 * priced them.
 */
static void
cost_row_print(const struct cost_row *r, int entries)
{
	char	*full, *name, *fit, cli[32], cost[32], *tmp;
	size_t	 i;

	if (r->label != NULL)
		xasprintf(&full, "%s %s", r->name, r->label);
	else
		full = xstrdup(r->name);
	for (i = 0; entries && i < r->nentries; i++) {
		xasprintf(&tmp, "%s%s%s", full, i == 0 ? " (priced as " : ", ",
		    r->entries[i]);
		free(full);
		full = tmp;
	}
	if (entries && r->nentries != 0) {
		xasprintf(&tmp, "%s)", full);
		free(full);
		full = tmp;
	}
	name = util_vis(full, strlen(full));
	fit = util_fit(name, entries ? 60 : 40);
	if (r->has_cli)
		snprintf(cli, sizeof cli, "%10.4f%s", r->cli,
		    r->mismatch ? "!" : "");
	else
		snprintf(cli, sizeof cli, "%10s", "-");
	if (r->calls != 0 && r->unknown == r->calls)
		snprintf(cost, sizeof cost, "%10s?", "");
	else
		snprintf(cost, sizeof cost, "%10.4f%s", r->cost,
		    r->unknown != 0 ? "+" : " ");
	printf("%-*s %6zu %12lld %12lld %12lld %10lld %s %s\n",
	    entries ? 60 : 40, fit,
	    r->calls, (long long)r->u.in, (long long)r->u.cache_write,
	    (long long)r->u.cache_read, (long long)r->u.out, cost, cli);
	free(fit);
	free(name);
	free(full);
}

static int
cmd_cost_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'm' },
		{ "transcripts", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct cost_state		 cs;
	struct cost_row			*rows = NULL, *row, total;
	struct repo			*repo;
	char				**paths = NULL, **files = NULL;
	char				*cause = NULL, cwd[4096], *db = NULL;
	const char			*by = NULL, *heading, *name;
	size_t				 npaths = 0, nfiles = 0, nrows = 0, i, j;
	size_t				*rhash, rsize, h;
	int				 ch, json = 0, transcripts = 0, source;
	int				 entries;
	cJSON				*out, *array, *o;
	char				*vis;

	memset(&cs, 0, sizeof cs);
	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case 'b':
			by = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "transcript") != 0 &&
			    adapter_find(optarg) == NULL)
				return (cmd_usage_error(&cmd_cost_entry,
				    "unknown format: %s (transcript, %s)",
				    optarg, adapter_names()));
			cs.format = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'm':
			cs.model = optarg;
			break;
		case 't':
			transcripts = 1;
			break;
		default:
			return (cmd_usage_error(&cmd_cost_entry,
			    "unknown option: %s", argv[optind - 1]));
		}
	}
	if (transcripts && optind < argc)
		return (cmd_usage_error(&cmd_cost_entry, "--transcripts reads "
		    "the default folders: give no PATH"));

	/*
	 * The source: PATHs if given; else baton's own store inside a baton
	 * repository, unless --transcripts; else the transcript folders.
	 */
	if (getcwd(cwd, sizeof cwd) != NULL &&
	    (repo = repo_find(cwd, &cause)) != NULL) {
		if (access(repo->db_path, F_OK) == 0)
			db = xstrdup(repo->db_path);
		repo_free(repo);
	}
	free(cause);
	cause = NULL;
	if (optind < argc || transcripts || db == NULL)
		source = COST_FILES;
	else
		source = COST_STORE;

	if (by == NULL)
		by = source == COST_STORE ? "task" : "session";
	for (i = 0; i < nitems(cost_bys); i++) {
		if (strcmp(cost_bys[i].name, by) == 0)
			cs.entry = &cost_bys[i];
	}
	if (cs.entry == NULL) {
		free(db);
		return (cmd_usage_error(&cmd_cost_entry, "--by: one of run, "
		    "task, parent, sprint, role, provider, model, day, "
		    "session"));
	}
	if ((cs.entry->sources & source) == 0) {
		free(db);
		return (cmd_usage_error(&cmd_cost_entry, "--by %s adds up "
		    "baton's own runs: use it in a baton repository, with no "
		    "PATH", by));
	}
	if (source == COST_STORE && (cs.format != NULL || cs.model != NULL)) {
		free(db);
		return (cmd_usage_error(&cmd_cost_entry, "--format and --model "
		    "read files: give a PATH"));
	}
	cs.by = cs.entry->by;
	heading = cs.entry->heading;
	if (price_load_user(&cause) != 0) {
		free(db);
		cmd_error("%s", cause);
		free(cause);
		return (BATON_EXIT_ERROR);
	}

	if (source == COST_STORE) {
		if ((cs.store = store_open(db, 0, &cause)) == NULL ||
		    cost_store_load(&cs, &cause) != 0) {
			free(db);
			store_close(cs.store);
			for (i = 0; i < cs.ncalls; i++)
				cost_call_free(&cs.calls[i]);
			free(cs.calls);
			return (cmd_fail(ctx, cause));
		}
	} else {
		/* --by task reads run ids from the store, when there is one. */
		if (cs.by == COST_BY_TASK && db != NULL)
			cs.store = store_open(db, 0, &cause);
		free(cause);
		cause = NULL;

		for (i = optind; i < (size_t)argc; i++) {
			paths = xreallocarray(paths, npaths + 1,
			    sizeof *paths);
			paths[npaths++] = xstrdup(argv[i]);
		}
		if (npaths == 0)
			cost_default_paths(&paths, &npaths);
		if (npaths == 0) {
			free(db);
			store_close(cs.store);
			return (cmd_error("no transcripts found (give a "
			    "path)"));
		}
		for (i = 0; i < npaths; i++) {
			j = nfiles;
			if (cost_walk(paths[i], &files, &nfiles, 1) != 0)
				cs.errors++;
			if (nfiles > j)
				qsort(files + j, nfiles - j, sizeof *files,
				    cost_strcmp);
		}
		for (i = 0; i < nfiles; i++)
			cost_file(&cs, files[i]);
	}
	free(db);
	cost_check_cli(&cs);

	memset(&total, 0, sizeof total);
	total.name = (char *)"TOTAL";
	rsize = 1024;
	rhash = xcalloc(rsize, sizeof *rhash);
	for (i = 0; i < cs.ncalls; i++) {
		name = cost_group(&cs, &cs.calls[i]);
		h = cost_hash(name) & (rsize - 1);
		while (rhash[h] != 0 && strcmp(rows[rhash[h] - 1].name, name) != 0)
			h = (h + 1) & (rsize - 1);
		if (rhash[h] != 0) {
			cost_row_add(&cs, &rows[rhash[h] - 1], &cs.calls[i]);
			continue;
		}
		rows = xreallocarray(rows, nrows + 1, sizeof *rows);
		row = &rows[nrows];
		memset(row, 0, sizeof *row);
		row->name = xstrdup(name);
		row->key = cs.calls[i].gkey;
		row->id = cs.calls[i].gid;
		if (cs.calls[i].label != NULL)
			row->label = xstrdup(cs.calls[i].label);
		cost_row_add(&cs, row, &cs.calls[i]);
		rhash[h] = ++nrows;
		if (nrows * 2 < rsize)
			continue;
		/* Grow the row index. */
		free(rhash);
		rsize *= 2;
		rhash = xcalloc(rsize, sizeof *rhash);
		for (j = 0; j < nrows; j++) {
			h = cost_hash(rows[j].name) & (rsize - 1);
			while (rhash[h] != 0)
				h = (h + 1) & (rsize - 1);
			rhash[h] = j + 1;
		}
	}
	free(rhash);
	for (i = 0; i < nrows; i++) {
		total.calls += rows[i].calls;
		total.unknown += rows[i].unknown;
		total.u.in += rows[i].u.in;
		total.u.cache_write += rows[i].u.cache_write;
		total.u.cache_read += rows[i].u.cache_read;
		total.u.out += rows[i].u.out;
		total.cost += rows[i].cost;
		total.has_cli |= rows[i].has_cli;
		total.cli += rows[i].cli;
		total.mismatch |= rows[i].mismatch;
	}
	if (nrows > 0)
		qsort(rows, nrows, sizeof *rows, cs.by == COST_BY_DAY ?
		    cost_row_by_name : cost_row_by_cost);

	if (json) {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "by", by);
		cJSON_AddStringToObject(out, "source", source == COST_STORE ?
		    "store" : "files");
		array = cJSON_AddArrayToObject(out, "rows");
		for (i = 0; i < nrows; i++)
			cJSON_AddItemToArray(array, cost_row_json(&rows[i], by));
		cJSON_AddItemToObject(out, "total", cost_row_json(&total, by));
		if (source == COST_STORE)
			cJSON_AddNumberToObject(out, "runs", (double)cs.runs);
		else
			cJSON_AddNumberToObject(out, "files", (double)cs.files);
		array = cJSON_AddArrayToObject(out, "cli_mismatches");
		for (i = 0; i < cs.nmismatches; i++) {
			o = cJSON_CreateObject();
			if (source == COST_STORE)
				cJSON_AddNumberToObject(o, "run",
				    (double)cs.mismatches[i].run);
			else
				cJSON_AddItemToObject(o, "file",
				    json_string(cs.mismatches[i].name));
			cJSON_AddNumberToObject(o, "cost_usd",
			    cs.mismatches[i].cost);
			cJSON_AddNumberToObject(o, "cli_cost_usd",
			    cs.mismatches[i].cli);
			cJSON_AddItemToArray(array, o);
		}
		cmd_print_json(out);
	} else {
		entries = cs.by == COST_BY_MODEL;
		printf("%-*s %6s %12s %12s %12s %10s %10s  %10s\n",
		    entries ? 60 : 40, heading, "CALLS", "INPUT",
		    "CACHE_WRITE", "CACHE_READ", "OUTPUT", "COST", "CLI_COST");
		for (i = 0; i < nrows; i++)
			cost_row_print(&rows[i], entries);
		cost_row_print(&total, entries);
		if (total.unknown != 0)
			printf("+ %zu call%s with no known price not counted\n",
			    total.unknown, total.unknown == 1 ? "" : "s");
		for (i = 0; i < cs.nmismatches; i++) {
			vis = util_vis(cs.mismatches[i].name,
			    strlen(cs.mismatches[i].name));
			printf("! %s: baton $%.6f, the CLI $%.6f (%+.1f%%)\n",
			    vis, cs.mismatches[i].cost, cs.mismatches[i].cli,
			    cs.mismatches[i].cli > 0 ? 100 *
			    (cs.mismatches[i].cost - cs.mismatches[i].cli) /
			    cs.mismatches[i].cli : 100.0);
			free(vis);
		}
	}

	for (i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].label);
		for (j = 0; j < rows[i].nentries; j++)
			free(rows[i].entries[j]);
		free(rows[i].entries);
	}
	for (i = 0; i < cs.nmismatches; i++)
		free(cs.mismatches[i].name);
	free(cs.mismatches);
	for (i = 0; i < cs.npaths; i++)
		free(cs.paths[i]);
	free(cs.paths);
	free(rows);
	for (i = 0; i < cs.ncalls; i++)
		cost_call_free(&cs.calls[i]);
	free(cs.calls);
	free(cs.hash);
	for (i = 0; i < cs.nprices; i++) {
		free(cs.prices[i].model);
		free(cs.prices[i].entry);
	}
	free(cs.prices);
	free(cs.buf);
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	store_close(cs.store);
	return (cs.errors != 0 ? BATON_EXIT_ERROR : BATON_EXIT_OK);
}
