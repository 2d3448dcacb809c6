/*
 * Standup and retrospective: computed here once, then rendered as text
 * lines (the views and the plain and Markdown commands) or as JSON.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "baton.h"

/* Add one formatted line. */
void
text_add(struct text *t, enum text_kind kind, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	t->lines = xreallocarray(t->lines, t->n + 1, sizeof *t->lines);
	t->lines[t->n].kind = kind;
	t->lines[t->n].text = line;
	t->n++;
}

void
text_free(struct text *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->lines[i].text);
	free(t->lines);
	t->lines = NULL;
	t->n = 0;
}

/* Money as people read it; calls without a known cost are said apart. */
char *
report_cost(double cost, u_int ncalls, u_int nunknown)
{
	char	*s;

	if (ncalls > 0 && nunknown == ncalls)
		return (xstrdup("cost unknown"));
	if (cost > 0 && cost < 0.01)
		xasprintf(&s, "$%.3f", cost);
	else
		xasprintf(&s, "$%.2f", cost);
	if (nunknown > 0) {
		free(s);
		if (cost > 0 && cost < 0.01)
			xasprintf(&s, "$%.3f+%u unknown", cost, nunknown);
		else
			xasprintf(&s, "$%.2f+%u unknown", cost, nunknown);
	}
	return (s);
}

/* A duration: 42s, 5m07s, 3h04m, 2d03h. */
char *
report_duration(int64_t secs)
{
	char	*s;

	if (secs < 0)
		secs = 0;
	if (secs < 60)
		xasprintf(&s, "%llds", (long long)secs);
	else if (secs < 3600)
		xasprintf(&s, "%lldm%02llds", (long long)secs / 60,
		    (long long)secs % 60);
	else if (secs < 86400)
		xasprintf(&s, "%lldh%02lldm", (long long)secs / 3600,
		    (long long)(secs % 3600) / 60);
	else
		xasprintf(&s, "%lldd%02lldh", (long long)secs / 86400,
		    (long long)(secs % 86400) / 3600);
	return (s);
}

/* Token counts: 950, 12.3k, 4.1M. */
char *
report_tokens(int64_t n)
{
	char	*s;

	if (n < 1000)
		xasprintf(&s, "%lld", (long long)n);
	else if (n < 1000000)
		xasprintf(&s, "%.1fk", n / 1000.0);
	else
		xasprintf(&s, "%.1fM", n / 1000000.0);
	return (s);
}

static int
int64_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Nearest-rank percentile: the smallest value with p% at or below it. */
int64_t
report_percentile(int64_t *v, size_t n, u_int p)
{
	size_t	rank;

	if (n == 0)
		return (-1);
	qsort(v, n, sizeof *v, int64_cmp);
	rank = (p * n + 99) / 100;
	if (rank == 0)
		rank = 1;
	if (rank > n)
		rank = n;
	return (v[rank - 1]);
}

static struct report_task *
tasks_add(struct report_tasks *rt)
{
	struct report_task	*t;

	rt->items = xreallocarray(rt->items, rt->n + 1, sizeof *rt->items);
	t = &rt->items[rt->n++];
	memset(t, 0, sizeof *t);
	return (t);
}

static void
tasks_free(struct report_tasks *rt)
{
	size_t	i;

	for (i = 0; i < rt->n; i++) {
		free(rt->items[i].title);
		free(rt->items[i].role);
		free(rt->items[i].provider);
		free(rt->items[i].on);
		free(rt->items[i].blockers);
		free(rt->items[i].providers);
	}
	free(rt->items);
	memset(rt, 0, sizeof *rt);
}

static void
costs_free(struct report_costs *rc)
{
	size_t	i;

	for (i = 0; i < rc->n; i++)
		free(rc->items[i].key);
	free(rc->items);
	memset(rc, 0, sizeof *rc);
}

/*
 * Run a task query whose columns are id, title, role, state, latest
 * provider, then optionally created_at and finished_at.
 */
static int
tasks_query(struct store *s, const char *sql, int64_t sprint, int64_t arg,
    struct report_tasks *rt)
{
	struct report_task	*t;
	sqlite3_stmt		*stmt;
	const char		*state;
	int			 rc;

	stmt = store_prepare(s, sql);
	store_bind_sprint(stmt, 1, sprint);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, arg);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		t = tasks_add(rt);
		t->id = sqlite3_column_int64(stmt, 0);
		t->title = store_col_text(stmt, 1);
		t->role = store_col_text(stmt, 2);
		state = (const char *)sqlite3_column_text(stmt, 3);
		if (state == NULL || task_state_from_name(state, &t->state))
			t->state = TASK_BACKLOG;
		t->provider = store_col_text(stmt, 4);
		if (sqlite3_column_count(stmt) > 6)
			t->cycle = sqlite3_column_int64(stmt, 6) -
			    sqlite3_column_int64(stmt, 5);
		if (sqlite3_column_count(stmt) > 7)
			t->on = store_col_text(stmt, 7);
	}
	sqlite3_reset(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* Cost sums grouped by one key expression (the SQL picks it). */
static int
costs_query(struct store *s, const char *sql, int64_t sprint, int64_t arg,
    struct report_costs *rc)
{
	struct cost_sum	*c;
	sqlite3_stmt	*stmt;
	int		 r;

	stmt = store_prepare(s, sql);
	store_bind_sprint(stmt, 1, sprint);
	if (sqlite3_bind_parameter_count(stmt) >= 2)
		sqlite3_bind_int64(stmt, 2, arg);
	while ((r = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc->items = xreallocarray(rc->items, rc->n + 1,
		    sizeof *rc->items);
		c = &rc->items[rc->n++];
		c->key = store_col_text(stmt, 0);
		if (c->key == NULL)
			c->key = xstrdup("-");
		c->cost = sqlite3_column_double(stmt, 1);
		c->ncalls = (u_int)sqlite3_column_int(stmt, 2);
		c->nunknown = (u_int)sqlite3_column_int(stmt, 3);
		c->tokens_in = sqlite3_column_int64(stmt, 4);
		c->tokens_out = sqlite3_column_int64(stmt, 5);
	}
	sqlite3_reset(stmt);
	return (r == SQLITE_DONE ? 0 : -1);
}

static void
costs_total(struct report_costs *rc, double *total, u_int *ncalls,
    u_int *nunknown)
{
	size_t	i;

	*total = 0;
	*ncalls = *nunknown = 0;
	for (i = 0; i < rc->n; i++) {
		*total += rc->items[i].cost;
		*ncalls += rc->items[i].ncalls;
		*nunknown += rc->items[i].nunknown;
	}
}

/* For one blocked or waiting task: its open blockers and its rate limit. */
static int
standup_waits(struct store *s, struct report_task *t, int64_t now)
{
	static const char	*sql_blockers = "SELECT d.blocker_id FROM "
	    "task_deps d JOIN tasks b ON b.id = d.blocker_id WHERE "
	    "d.task_id = ? AND b.state <> 'done' ORDER BY d.blocker_id";
	static const char	*sql_limit = "SELECT r.provider, "
	    "max(l.reset_at) FROM runs r JOIN rate_limits l ON (l.run_id = "
	    "r.id OR l.provider = r.provider) WHERE r.id = (SELECT max(id) "
	    "FROM runs WHERE task_id = ?1) AND l.reset_at > ?2";
	sqlite3_stmt		*stmt;
	char			*on = NULL, *next, *at;
	const char		*provider;
	size_t			 i;
	int			 rc;

	stmt = store_prepare(s, sql_blockers);
	sqlite3_bind_int64(stmt, 1, t->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		t->blockers = xreallocarray(t->blockers, t->nblockers + 1,
		    sizeof *t->blockers);
		t->blockers[t->nblockers++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		return (-1);

	stmt = store_prepare(s, sql_limit);
	sqlite3_bind_int64(stmt, 1, t->id);
	sqlite3_bind_int64(stmt, 2, now);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
		t->reset_at = sqlite3_column_int64(stmt, 1);
		provider = (const char *)sqlite3_column_text(stmt, 0);
		at = util_time(t->reset_at);
		xasprintf(&on, "rate limit on %s until %s",
		    provider != NULL ? provider : "?", at);
		free(at);
	}
	sqlite3_reset(stmt);

	for (i = 0; i < t->nblockers; i++) {
		xasprintf(&next, "%s%s#%lld", on != NULL ? on : "",
		    on == NULL ? "" : (i == 0 ? "; " : ", "),
		    (long long)t->blockers[i]);
		free(on);
		on = next;
	}
	if (on == NULL && t->on != NULL)
		on = xstrdup(t->on);	/* the task's stated reason */
	free(t->on);
	t->on = on;
	return (0);
}

#define LATEST_PROVIDER "(SELECT provider FROM runs WHERE task_id = t.id " \
	"ORDER BY id DESC LIMIT 1)"

/* Since the last standup mark (or the sprint's start): what moved. */
int
report_standup(struct store *s, int64_t now, struct standup *su,
    char **cause)
{
	static const char	*sql_done = "SELECT t.id, t.title, t.role, "
	    "t.state, " LATEST_PROVIDER " FROM tasks t WHERE t.sprint_id IS "
	    "?1 AND t.state = 'done' AND t.finished_at >= ?2 ORDER BY "
	    "t.finished_at, t.id";
	static const char	*sql_progress = "SELECT t.id, t.title, "
	    "t.role, t.state, " LATEST_PROVIDER " FROM tasks t WHERE "
	    "t.sprint_id IS ?1 AND t.state IN ('running', 'review', "
	    "'merging') ORDER BY t.id";
	static const char	*sql_blocked = "SELECT t.id, t.title, t.role, "
	    "t.state, " LATEST_PROVIDER ", 0, 0, t.reason FROM tasks t WHERE "
	    "t.sprint_id IS ?1 AND t.state IN ('blocked', 'waiting') ORDER BY "
	    "t.id";
	static const char	*sql_role = "SELECT coalesce(r.role, '-'), "
	    "total(c.cost_usd), count(*), count(*) - count(c.cost_usd), "
	    "total(c.tokens_in), total(c.tokens_out) FROM calls c JOIN runs r "
	    "ON r.id = c.run_id WHERE c.at >= ?2 GROUP BY 1 "
	    "ORDER BY 2 DESC, 1";
	static const char	*sql_provider = "SELECT coalesce(r.provider, "
	    "'-'), total(c.cost_usd), count(*), count(*) - count(c.cost_usd), "
	    "total(c.tokens_in), total(c.tokens_out) FROM calls c JOIN runs r "
	    "ON r.id = c.run_id WHERE c.at >= ?2 GROUP BY 1 "
	    "ORDER BY 2 DESC, 1";
	struct sprint		*sp;
	int64_t			 mark;
	size_t			 i;

	memset(su, 0, sizeof *su);
	su->now = now;
	if ((sp = store_sprint_open(s, cause)) != NULL) {
		su->sprint_id = sp->id;
		su->sprint_name = xstrdup(sp->name);
		su->since = sp->created_at;
		sprint_free(sp);
	} else if (*cause != NULL)
		return (-1);
	/* Since the last mark; with none, since the sprint began. */
	if (store_mark_get(s, "standup", &mark) != 0)
		goto fail;
	if (mark != 0)
		su->since = mark;
	if (tasks_query(s, sql_done, su->sprint_id, su->since, &su->done) != 0 ||
	    tasks_query(s, sql_progress, su->sprint_id, 0, &su->progress) != 0 ||
	    tasks_query(s, sql_blocked, su->sprint_id, 0, &su->blocked) != 0)
		goto fail;
	for (i = 0; i < su->blocked.n; i++) {
		if (standup_waits(s, &su->blocked.items[i], now) != 0)
			goto fail;
	}
	if (costs_query(s, sql_role, su->sprint_id, su->since,
	    &su->by_role) != 0 ||
	    costs_query(s, sql_provider, su->sprint_id, su->since,
	    &su->by_provider) != 0)
		goto fail;
	costs_total(&su->by_role, &su->total, &su->ncalls, &su->nunknown);
	return (0);

fail:
	*cause = store_errmsg(s);
	report_standup_free(su);
	return (-1);
}

void
report_standup_free(struct standup *su)
{
	free(su->sprint_name);
	tasks_free(&su->done);
	tasks_free(&su->progress);
	tasks_free(&su->blocked);
	costs_free(&su->by_role);
	costs_free(&su->by_provider);
	memset(su, 0, sizeof *su);
}

/* Pick the sprint: the given one, else the open one, else the latest. */
static int
retro_sprint(struct store *s, int64_t id, struct retro *r, char **cause)
{
	static const char	*sql = "SELECT id, name, created_at, "
	    "coalesce(closed_at, 0) FROM sprints WHERE (?1 = 0 OR id = ?1) "
	    "ORDER BY open DESC, id DESC LIMIT 1";
	sqlite3_stmt		*stmt;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		r->sprint_id = sqlite3_column_int64(stmt, 0);
		r->sprint_name = store_col_text(stmt, 1);
		r->started = sqlite3_column_int64(stmt, 2);
		r->closed = sqlite3_column_int64(stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc == SQLITE_DONE) {
		if (id != 0)
			xasprintf(cause, "no sprint %lld", (long long)id);
		else
			xasprintf(cause, "no sprint yet: start one with "
			    "'baton sprint new NAME'");
		return (-1);
	}
	if (rc != SQLITE_ROW) {
		*cause = store_errmsg(s);
		return (-1);
	}
	return (0);
}

/* Runs per task and the providers they used, in order of first use. */
static int
retro_attempts(struct store *s, struct retro *r)
{
	static const char	*sql = "SELECT t.id, t.title, t.role, t.state, "
	    "r.provider FROM tasks t JOIN runs r ON r.task_id = t.id WHERE "
	    "t.sprint_id = ? ORDER BY t.id, r.id";
	struct report_task	 cur, *t;
	sqlite3_stmt		*stmt;
	const char		*provider, *state;
	char			*list, *p;
	size_t			 len;
	int			 rc, have = 0, found;

	memset(&cur, 0, sizeof cur);
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, r->sprint_id);
	for (;;) {
		rc = sqlite3_step(stmt);
		if (have && (rc != SQLITE_ROW ||
		    sqlite3_column_int64(stmt, 0) != cur.id)) {
			r->ntasks_run++;
			if (cur.runs > 1) {
				t = tasks_add(&r->retried);
				*t = cur;
				t->title = xstrdup(cur.title);
				t->role = xstrdup(cur.role);
				t->providers = xstrdup(cur.providers);
			}
			if (cur.nproviders > 1) {
				t = tasks_add(&r->fallbacks);
				*t = cur;
				t->title = xstrdup(cur.title);
				t->role = xstrdup(cur.role);
				t->providers = xstrdup(cur.providers);
			}
			free(cur.title);
			free(cur.role);
			free(cur.providers);
			memset(&cur, 0, sizeof cur);
			have = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		if (!have) {
			cur.id = sqlite3_column_int64(stmt, 0);
			cur.title = store_col_text(stmt, 1);
			cur.role = store_col_text(stmt, 2);
			state = (const char *)sqlite3_column_text(stmt, 3);
			if (state == NULL ||
			    task_state_from_name(state, &cur.state))
				cur.state = TASK_BACKLOG;
			cur.providers = xstrdup("");
			have = 1;
		}
		cur.runs++;
		r->nruns++;
		provider = (const char *)sqlite3_column_text(stmt, 4);
		if (provider == NULL)
			provider = "-";
		/* Is it already in the comma-separated list? */
		found = 0;
		len = strlen(provider);
		for (p = cur.providers; *p != '\0'; p += strcspn(p, ",")) {
			if (*p == ',')
				p++;
			if (strncmp(p, provider, len) == 0 &&
			    (p[len] == ',' || p[len] == '\0')) {
				found = 1;
				break;
			}
		}
		if (!found) {
			xasprintf(&list, "%s%s%s", cur.providers,
			    *cur.providers == '\0' ? "" : ",", provider);
			free(cur.providers);
			cur.providers = list;
			cur.nproviders++;
		}
	}
	sqlite3_reset(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* The lessons of the sprint: tied to its tasks, or written during it. */
static int
retro_lessons(struct store *s, struct retro *r)
{
	static const char	*sql = "SELECT l.role, l.text, l.task_id FROM "
	    "lessons l LEFT JOIN tasks t ON t.id = l.task_id WHERE "
	    "t.sprint_id = ?1 OR (l.task_id IS NULL AND l.created_at >= ?2 AND "
	    "(?3 = 0 OR l.created_at <= ?3)) ORDER BY l.id";
	sqlite3_stmt		*stmt;
	const char		*role, *text;
	char			*line;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, r->sprint_id);
	sqlite3_bind_int64(stmt, 2, r->started);
	sqlite3_bind_int64(stmt, 3, r->closed);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		role = (const char *)sqlite3_column_text(stmt, 0);
		text = (const char *)sqlite3_column_text(stmt, 1);
		if (sqlite3_column_type(stmt, 2) != SQLITE_NULL)
			xasprintf(&line, "[%s] %s (#%lld)", role, text,
			    (long long)sqlite3_column_int64(stmt, 2));
		else
			xasprintf(&line, "[%s] %s", role, text);
		r->lessons = xreallocarray(r->lessons, r->nlessons + 1,
		    sizeof *r->lessons);
		r->lessons[r->nlessons++] = line;
	}
	sqlite3_reset(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

#define RETRO_COSTS(key) "SELECT " key ", total(c.cost_usd), count(*), " \
	"count(*) - count(c.cost_usd), total(c.tokens_in), " \
	"total(c.tokens_out) FROM tasks t JOIN runs r ON r.task_id = t.id " \
	"JOIN calls c ON c.run_id = r.id WHERE t.sprint_id = ?1 GROUP BY 1 " \
	"ORDER BY 2 DESC, 1"

/*
 * Runs of the sprint whose cost by baton's prices differs from what their
 * CLI said by more than COST_CLI_TOLERANCE: the CLI's figure is its calls'
 * own, else its latest run total (Claude's cumulative total_cost_usd).
 */
static int
retro_cli_checks(struct store *s, struct retro *r)
{
	static const char	*sql = "SELECT id, task_id, provider, cost, cli, "
	    "entries FROM (SELECT r.id, r.task_id, coalesce(r.provider, '-') "
	    "AS provider, total(c.cost_usd) AS cost, count(*) - "
	    "count(c.cost_usd) AS unpriced, coalesce(sum(c.cli_cost_usd), "
	    "(SELECT json_extract(e.data, '$.cli_cost_usd') FROM events e "
	    "WHERE e.run_id = r.id AND e.kind = 'turn_end' AND "
	    "json_extract(e.data, '$.cli_cost_usd') IS NOT NULL ORDER BY e.id "
	    "DESC LIMIT 1)) AS cli, group_concat(DISTINCT c.price_entry) AS "
	    "entries FROM runs r JOIN tasks t ON t.id = r.task_id JOIN calls "
	    "c ON c.run_id = r.id WHERE t.sprint_id = ?1 GROUP BY r.id) WHERE "
	    "unpriced = 0 AND cli IS NOT NULL AND abs(cost - cli) > ?2 * cli "
	    "ORDER BY id";
	struct report_cli_check	*c;
	sqlite3_stmt		*stmt;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, r->sprint_id);
	sqlite3_bind_double(stmt, 2, COST_CLI_TOLERANCE);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		r->cli_checks = xreallocarray(r->cli_checks,
		    r->ncli_checks + 1, sizeof *r->cli_checks);
		c = &r->cli_checks[r->ncli_checks++];
		c->run = sqlite3_column_int64(stmt, 0);
		c->task = sqlite3_column_int64(stmt, 1);
		c->provider = store_col_text(stmt, 2);
		c->cost = sqlite3_column_double(stmt, 3);
		c->cli = sqlite3_column_double(stmt, 4);
		c->models = store_col_text(stmt, 5);
	}
	sqlite3_reset(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

/* A sprint looked back on. sprint 0: the open one, else the latest. */
int
report_retro(struct store *s, int64_t sprint, struct retro *r, char **cause)
{
	static const char	*sql_landed = "SELECT t.id, t.title, t.role, "
	    "t.state, " LATEST_PROVIDER ", t.created_at, t.finished_at FROM "
	    "tasks t WHERE t.sprint_id = ?1 AND t.state = 'done' ORDER BY "
	    "t.finished_at, t.id";
	static const char	*sql_failed = "SELECT t.id, t.title, t.role, "
	    "t.state, " LATEST_PROVIDER ", 0, 0, t.reason FROM tasks t WHERE "
	    "t.sprint_id = ?1 AND t.state = 'failed' ORDER BY t.id";
	static const char	*sql_cancelled = "SELECT t.id, t.title, "
	    "t.role, t.state, " LATEST_PROVIDER ", 0, 0, t.reason FROM tasks t "
	    "WHERE t.sprint_id = ?1 AND t.state = 'cancelled' ORDER BY t.id";
	static const char	*sql_count = "SELECT count(*) FROM tasks WHERE "
	    "sprint_id = ?";
	static const char	*sql_limits = "SELECT l.provider, "
	    "0.0, count(*), 0, total(max(0, coalesce(l.reset_at, "
	    "l.detected_at) - l.detected_at)), 0 FROM rate_limits l JOIN runs "
	    "r ON r.id = l.run_id JOIN tasks t ON t.id = r.task_id WHERE "
	    "t.sprint_id = ?1 GROUP BY 1 ORDER BY 1";
	static const char	*sql_role = RETRO_COSTS("coalesce(r.role, '-')");
	static const char	*sql_provider =
	    RETRO_COSTS("coalesce(r.provider, '-')");
	static const char	*sql_model =
	    RETRO_COSTS("coalesce(c.model, r.model, '-')");
	sqlite3_stmt		*stmt;
	int64_t			*cycles;
	size_t			 i;

	memset(r, 0, sizeof *r);
	r->cycle_median = r->cycle_p90 = -1;
	if (retro_sprint(s, sprint, r, cause) != 0)
		return (-1);

	stmt = store_prepare(s, sql_count);
	sqlite3_bind_int64(stmt, 1, r->sprint_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		r->ntasks = (u_int)sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);

	if (tasks_query(s, sql_landed, r->sprint_id, 0, &r->landed) != 0 ||
	    tasks_query(s, sql_failed, r->sprint_id, 0, &r->failed) != 0 ||
	    tasks_query(s, sql_cancelled, r->sprint_id, 0, &r->cancelled) != 0 ||
	    retro_attempts(s, r) != 0 ||
	    costs_query(s, sql_limits, r->sprint_id, 0,
	    &r->limits_by_provider) != 0 ||
	    costs_query(s, sql_role, r->sprint_id, 0, &r->by_role) != 0 ||
	    costs_query(s, sql_provider, r->sprint_id, 0, &r->by_provider) != 0 ||
	    costs_query(s, sql_model, r->sprint_id, 0, &r->by_model) != 0 ||
	    retro_cli_checks(s, r) != 0 ||
	    retro_lessons(s, r) != 0)
		goto fail;
	costs_total(&r->by_role, &r->total, &r->ncalls, &r->nunknown);
	for (i = 0; i < r->limits_by_provider.n; i++) {
		r->nlimits += r->limits_by_provider.items[i].ncalls;
		r->limit_wait += r->limits_by_provider.items[i].tokens_in;
	}
	if (r->landed.n > 0) {
		cycles = xreallocarray(NULL, r->landed.n, sizeof *cycles);
		for (i = 0; i < r->landed.n; i++)
			cycles[i] = r->landed.items[i].cycle;
		r->cycle_median = report_percentile(cycles, r->landed.n, 50);
		r->cycle_p90 = report_percentile(cycles, r->landed.n, 90);
		free(cycles);
	}
	return (0);

fail:
	*cause = store_errmsg(s);
	report_retro_free(r);
	return (-1);
}

void
report_retro_free(struct retro *r)
{
	size_t	i;

	free(r->sprint_name);
	tasks_free(&r->landed);
	tasks_free(&r->failed);
	tasks_free(&r->cancelled);
	tasks_free(&r->retried);
	tasks_free(&r->fallbacks);
	costs_free(&r->limits_by_provider);
	costs_free(&r->by_role);
	costs_free(&r->by_provider);
	costs_free(&r->by_model);
	for (i = 0; i < r->nlessons; i++)
		free(r->lessons[i]);
	free(r->lessons);
	for (i = 0; i < r->ncli_checks; i++) {
		free(r->cli_checks[i].provider);
		free(r->cli_checks[i].models);
	}
	free(r->cli_checks);
	memset(r, 0, sizeof *r);
}

/* Text rendering, shared by the views and the commands. */

static void
text_tasks(struct text *t, int md, const char *heading,
    struct report_tasks *rt, int what)
{
	struct report_task	*rtk;
	char			*extra, *d;
	size_t			 i;

	if (md)
		text_add(t, TEXT_HEADING, "## %s (%zu)", heading, rt->n);
	else
		text_add(t, TEXT_HEADING, "%s (%zu)", heading, rt->n);
	if (rt->n == 0)
		text_add(t, TEXT_DIM, "%snone", md ? "- " : "  ");
	for (i = 0; i < rt->n; i++) {
		rtk = &rt->items[i];
		extra = NULL;
		switch (what) {
		case 1:		/* state, provider */
			xasprintf(&extra, " [%s%s%s]",
			    task_state_name(rtk->state),
			    rtk->provider != NULL ? ", " : "",
			    rtk->provider != NULL ? rtk->provider : "");
			break;
		case 2:		/* waits on */
			xasprintf(&extra, " [%s] on %s",
			    task_state_name(rtk->state),
			    rtk->on != NULL ? rtk->on : "nothing recorded");
			break;
		case 3:		/* cycle time */
			d = report_duration(rtk->cycle);
			xasprintf(&extra, " (%s)", d);
			free(d);
			break;
		case 4:		/* reason */
			if (rtk->on != NULL)
				xasprintf(&extra, ": %s", rtk->on);
			break;
		case 5:		/* runs and providers */
			xasprintf(&extra, ": %u runs, %s", rtk->runs,
			    rtk->providers);
			break;
		}
		text_add(t, what == 2 ? TEXT_WARN : TEXT_PLAIN,
		    "%s#%lld %s (%s)%s", md ? "- " : "  ", (long long)rtk->id,
		    rtk->title, rtk->role != NULL ? rtk->role : "-",
		    extra != NULL ? extra : "");
		free(extra);
	}
	text_add(t, TEXT_PLAIN, "%s", "");
}

static void
text_costs(struct text *t, int md, const char *heading,
    struct report_costs *rc)
{
	char	*cost, *in, *out;
	size_t	 i;

	text_add(t, TEXT_HEADING, "%s%s", md ? "### " : "  ", heading);
	if (rc->n == 0)
		text_add(t, TEXT_DIM, "%snone", md ? "- " : "    ");
	for (i = 0; i < rc->n; i++) {
		cost = report_cost(rc->items[i].cost, rc->items[i].ncalls,
		    rc->items[i].nunknown);
		in = report_tokens(rc->items[i].tokens_in);
		out = report_tokens(rc->items[i].tokens_out);
		text_add(t, TEXT_COST, "%s%-16s %12s  %4u calls  %6s in "
		    "%6s out", md ? "- " : "    ", rc->items[i].key, cost,
		    rc->items[i].ncalls, in, out);
		free(out);
		free(in);
		free(cost);
	}
}

void
report_standup_text(struct standup *su, struct text *t)
{
	char	*since, *cost;

	since = util_time(su->since);
	text_add(t, TEXT_HEADING, "Standup: sprint %s, since %s",
	    su->sprint_name != NULL ? su->sprint_name : "(none)",
	    su->since == 0 ? "the start" : since);
	free(since);
	text_add(t, TEXT_PLAIN, "%s", "");
	text_tasks(t, 0, "Done", &su->done, 0);
	text_tasks(t, 0, "In progress", &su->progress, 1);
	text_tasks(t, 0, "Blocked or waiting", &su->blocked, 2);
	cost = report_cost(su->total, su->ncalls, su->nunknown);
	text_add(t, TEXT_HEADING, "Spend (%s over %u calls)", cost,
	    su->ncalls);
	free(cost);
	text_costs(t, 0, "by role", &su->by_role);
	text_costs(t, 0, "by provider", &su->by_provider);
}

void
report_retro_text(struct retro *r, int md, struct text *t)
{
	struct report_cli_check	*c;
	char			*a, *b, *cost;
	size_t			 i;

	a = util_time(r->started);
	b = r->closed != 0 ? util_time(r->closed) : xstrdup("open");
	text_add(t, TEXT_HEADING, "%sRetrospective: sprint %s (%s to %s)",
	    md ? "# " : "", r->sprint_name, a, b);
	free(b);
	free(a);
	text_add(t, TEXT_PLAIN, "%s", "");
	text_add(t, TEXT_PLAIN, "%u tasks: %zu landed, %zu failed, %zu "
	    "cancelled; %u runs on %u tasks", r->ntasks, r->landed.n,
	    r->failed.n, r->cancelled.n, r->nruns, r->ntasks_run);
	if (r->cycle_median >= 0) {
		a = report_duration(r->cycle_median);
		b = report_duration(r->cycle_p90);
		text_add(t, TEXT_PLAIN, "Cycle time: median %s, p90 %s", a, b);
		free(b);
		free(a);
	} else
		text_add(t, TEXT_DIM, "Cycle time: nothing landed");
	text_add(t, TEXT_PLAIN, "%s", "");
	text_tasks(t, md, "Landed", &r->landed, 3);
	text_tasks(t, md, "Failed", &r->failed, 4);
	text_tasks(t, md, "Cancelled", &r->cancelled, 4);
	text_tasks(t, md, "Attempts (tasks run more than once)", &r->retried,
	    5);
	text_tasks(t, md, "Fallbacks (tasks on more than one provider)",
	    &r->fallbacks, 5);

	a = report_duration(r->limit_wait);
	text_add(t, TEXT_HEADING, "%sRate-limit waits (%u, %s in all)",
	    md ? "## " : "", r->nlimits, a);
	free(a);
	if (r->limits_by_provider.n == 0)
		text_add(t, TEXT_DIM, "%snone", md ? "- " : "  ");
	for (i = 0; i < r->limits_by_provider.n; i++) {
		a = report_duration(r->limits_by_provider.items[i].tokens_in);
		text_add(t, TEXT_WARN, "%s%-16s %u waits, %s", md ? "- " : "  ",
		    r->limits_by_provider.items[i].key,
		    r->limits_by_provider.items[i].ncalls, a);
		free(a);
	}
	text_add(t, TEXT_PLAIN, "%s", "");

	cost = report_cost(r->total, r->ncalls, r->nunknown);
	text_add(t, TEXT_HEADING, "%sCost (%s over %u calls)", md ? "## " : "",
	    cost, r->ncalls);
	free(cost);
	text_costs(t, md, "by role", &r->by_role);
	text_costs(t, md, "by provider", &r->by_provider);
	text_costs(t, md, "by model", &r->by_model);
	if (r->ncli_checks != 0)
		text_add(t, TEXT_WARN, "%s%zu run%s where the CLI's own cost "
		    "differs by more than %.1f%%:", md ? "" : "  ",
		    r->ncli_checks, r->ncli_checks == 1 ? "" : "s",
		    COST_CLI_TOLERANCE * 100);
	for (i = 0; i < r->ncli_checks; i++) {
		c = &r->cli_checks[i];
		text_add(t, TEXT_WARN, "%srun %lld (#%lld, %s): baton $%.4f, "
		    "the CLI $%.4f (%+.1f%%; priced as %s)", md ? "- " : "    ",
		    (long long)c->run, (long long)c->task, c->provider, c->cost,
		    c->cli, c->cli > 0 ? 100 * (c->cost - c->cli) / c->cli :
		    100.0, c->models != NULL ? c->models : "?");
	}
	text_add(t, TEXT_PLAIN, "%s", "");

	text_add(t, TEXT_HEADING, "%sLessons (%zu)", md ? "## " : "",
	    r->nlessons);
	if (r->nlessons == 0)
		text_add(t, TEXT_DIM, "%snone", md ? "- " : "  ");
	for (i = 0; i < r->nlessons; i++)
		text_add(t, TEXT_PLAIN, "%s%s", md ? "- " : "  ",
		    r->lessons[i]);
}

/* JSON rendering. */

static cJSON *
json_money(double v)
{
	/* Micro-dollars: sums of binary fractions print as people wrote them. */
	return (cJSON_CreateNumber((double)(int64_t)(v * 1e6 + (v < 0 ? -0.5 :
	    0.5)) / 1e6));
}

static cJSON *
json_tasks(struct report_tasks *rt, int what)
{
	struct report_task	*t;
	cJSON			*array, *item;
	size_t			 i;

	array = cJSON_CreateArray();
	for (i = 0; i < rt->n; i++) {
		t = &rt->items[i];
		item = cJSON_CreateObject();
		cJSON_AddNumberToObject(item, "id", (double)t->id);
		cJSON_AddItemToObject(item, "title", json_string(t->title));
		cJSON_AddItemToObject(item, "role", json_string(t->role));
		cJSON_AddStringToObject(item, "state",
		    task_state_name(t->state));
		cJSON_AddItemToObject(item, "provider",
		    json_string(t->provider));
		if (what == 2) {
			cJSON_AddItemToObject(item, "blocked_by",
			    json_id_array(t->blockers, t->nblockers));
			cJSON_AddItemToObject(item, "on", json_string(t->on));
			cJSON_AddItemToObject(item, "reset_at",
			    json_opt_id(t->reset_at));
		}
		if (what == 3)
			cJSON_AddNumberToObject(item, "cycle_seconds",
			    (double)t->cycle);
		if (what == 4)
			cJSON_AddItemToObject(item, "reason",
			    json_string(t->on));
		if (what == 5) {
			cJSON_AddNumberToObject(item, "runs", t->runs);
			cJSON_AddItemToObject(item, "providers",
			    json_string(t->providers));
		}
		cJSON_AddItemToArray(array, item);
	}
	return (array);
}

static cJSON *
json_costs(struct report_costs *rc)
{
	cJSON	*array, *item;
	size_t	 i;

	array = cJSON_CreateArray();
	for (i = 0; i < rc->n; i++) {
		item = cJSON_CreateObject();
		cJSON_AddItemToObject(item, "key", json_string(rc->items[i].key));
		cJSON_AddItemToObject(item, "cost_usd",
		    json_money(rc->items[i].cost));
		cJSON_AddNumberToObject(item, "calls", rc->items[i].ncalls);
		cJSON_AddNumberToObject(item, "unknown_cost_calls",
		    rc->items[i].nunknown);
		cJSON_AddNumberToObject(item, "tokens_in",
		    (double)rc->items[i].tokens_in);
		cJSON_AddNumberToObject(item, "tokens_out",
		    (double)rc->items[i].tokens_out);
		cJSON_AddItemToArray(array, item);
	}
	return (array);
}

static cJSON *
json_sprint(int64_t id, const char *name)
{
	cJSON	*o;

	if (id == 0)
		return (cJSON_CreateNull());
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)id);
	cJSON_AddItemToObject(o, "name", json_string(name));
	return (o);
}

cJSON *
report_standup_json(struct standup *su)
{
	cJSON	*o, *spend;

	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "sprint", json_sprint(su->sprint_id,
	    su->sprint_name));
	cJSON_AddNumberToObject(o, "since", (double)su->since);
	cJSON_AddItemToObject(o, "done", json_tasks(&su->done, 0));
	cJSON_AddItemToObject(o, "in_progress", json_tasks(&su->progress, 1));
	cJSON_AddItemToObject(o, "blocked", json_tasks(&su->blocked, 2));
	spend = cJSON_CreateObject();
	cJSON_AddItemToObject(spend, "total_usd", json_money(su->total));
	cJSON_AddNumberToObject(spend, "calls", su->ncalls);
	cJSON_AddNumberToObject(spend, "unknown_cost_calls", su->nunknown);
	cJSON_AddItemToObject(spend, "by_role", json_costs(&su->by_role));
	cJSON_AddItemToObject(spend, "by_provider",
	    json_costs(&su->by_provider));
	cJSON_AddItemToObject(o, "spend", spend);
	return (o);
}

cJSON *
report_retro_json(struct retro *r)
{
	cJSON	*o, *x, *y, *lessons, *checks;
	size_t	 i;

	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "sprint", json_sprint(r->sprint_id,
	    r->sprint_name));
	cJSON_AddNumberToObject(o, "tasks", r->ntasks);
	cJSON_AddItemToObject(o, "landed", json_tasks(&r->landed, 3));
	cJSON_AddItemToObject(o, "failed", json_tasks(&r->failed, 4));
	cJSON_AddItemToObject(o, "cancelled", json_tasks(&r->cancelled, 4));
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "runs", r->nruns);
	cJSON_AddNumberToObject(x, "tasks_run", r->ntasks_run);
	cJSON_AddItemToObject(x, "retried", json_tasks(&r->retried, 5));
	cJSON_AddItemToObject(o, "attempts", x);
	cJSON_AddItemToObject(o, "fallbacks", json_tasks(&r->fallbacks, 5));
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "count", r->nlimits);
	cJSON_AddNumberToObject(x, "wait_seconds", (double)r->limit_wait);
	cJSON_AddItemToObject(x, "by_provider", json_costs(&r->limits_by_provider));
	cJSON_AddItemToObject(o, "rate_limits", x);
	x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "total_usd", json_money(r->total));
	cJSON_AddNumberToObject(x, "calls", r->ncalls);
	cJSON_AddNumberToObject(x, "unknown_cost_calls", r->nunknown);
	cJSON_AddItemToObject(x, "by_role", json_costs(&r->by_role));
	cJSON_AddItemToObject(x, "by_provider", json_costs(&r->by_provider));
	cJSON_AddItemToObject(x, "by_model", json_costs(&r->by_model));
	checks = cJSON_AddArrayToObject(x, "cli_mismatches");
	for (i = 0; i < r->ncli_checks; i++) {
		y = cJSON_CreateObject();
		cJSON_AddNumberToObject(y, "run", (double)r->cli_checks[i].run);
		cJSON_AddNumberToObject(y, "task",
		    (double)r->cli_checks[i].task);
		cJSON_AddItemToObject(y, "provider",
		    json_string(r->cli_checks[i].provider));
		cJSON_AddItemToObject(y, "priced_by",
		    json_string(r->cli_checks[i].models));
		cJSON_AddItemToObject(y, "cost_usd",
		    json_money(r->cli_checks[i].cost));
		cJSON_AddItemToObject(y, "cli_cost_usd",
		    json_money(r->cli_checks[i].cli));
		cJSON_AddItemToArray(checks, y);
	}
	cJSON_AddItemToObject(o, "cost", x);
	x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "median_seconds",
	    r->cycle_median < 0 ? cJSON_CreateNull() :
	    cJSON_CreateNumber((double)r->cycle_median));
	cJSON_AddItemToObject(x, "p90_seconds",
	    r->cycle_p90 < 0 ? cJSON_CreateNull() :
	    cJSON_CreateNumber((double)r->cycle_p90));
	cJSON_AddItemToObject(o, "cycle_time", x);
	lessons = cJSON_CreateArray();
	for (i = 0; i < r->nlessons; i++)
		cJSON_AddItemToArray(lessons, json_string(r->lessons[i]));
	cJSON_AddItemToObject(o, "lessons", lessons);
	return (o);
}
