/*
 * What the views read about runs: board cards with their runs' cost and
 * rate limits, runs with token totals and the tail of their events, the call
 * ledger, marks. Every query reaches events by run and offset, never by a
 * scan: a run's newest events come from the (run_id, offset, kind) index.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "baton.h"

/* Bind a sprint id; 0 means "no sprint" and binds NULL (for IS). */
void
store_bind_sprint(struct sqlite3_stmt *stmt, int i, int64_t sprint)
{
	if (sprint == 0)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_int64(stmt, i, sprint);
}

static const char *board_column_names[BOARD_NCOLS] = {
	[BOARD_COL_BACKLOG] = "backlog",
	[BOARD_COL_READY] = "ready",
	[BOARD_COL_RUNNING] = "running",
	[BOARD_COL_REVIEW] = "review",
	[BOARD_COL_BLOCKED] = "blocked/waiting",
	[BOARD_COL_DONE] = "done",
	[BOARD_COL_FAILED] = "failed/cancelled",
};

const char *
board_column_name(int col)
{
	if (col < 0 || col >= BOARD_NCOLS)
		fatalx("bad board column %d", col);
	return (board_column_names[col]);
}

/* Where a card goes. "ready" is derived: nothing it waits on is open. */
int
board_column(const struct board_card *c)
{
	switch (c->state) {
	case TASK_BACKLOG:
	case TASK_READY:
		if (c->nopen_blockers == 0)
			return (BOARD_COL_READY);
		return (BOARD_COL_BACKLOG);
	case TASK_RUNNING:
		return (BOARD_COL_RUNNING);
	case TASK_REVIEW:
	case TASK_MERGING:
		return (BOARD_COL_REVIEW);
	case TASK_BLOCKED:
	case TASK_WAITING:
		return (BOARD_COL_BLOCKED);
	case TASK_DONE:
		return (BOARD_COL_DONE);
	case TASK_FAILED:
	case TASK_CANCELLED:
		return (BOARD_COL_FAILED);
	}
	return (BOARD_COL_BACKLOG);
}

static int
board_card_cmp(const void *a, const void *b)
{
	const struct board_card	*ca = a, *cb = b;

	return (ca->id < cb->id ? -1 : ca->id > cb->id);
}

static struct board_card *
board_find(struct board *b, int64_t id)
{
	struct board_card	key;

	key.id = id;
	return (bsearch(&key, b->cards, b->ncards, sizeof *b->cards,
	    board_card_cmp));
}

void
board_free(struct board *b)
{
	size_t	i;

	for (i = 0; i < b->ncards; i++) {
		free(b->cards[i].title);
		free(b->cards[i].role);
		free(b->cards[i].reason);
		free(b->cards[i].provider);
		free(b->cards[i].model);
	}
	free(b->cards);
	free(b->sprint_name);
	memset(b, 0, sizeof *b);
}

/*
 * Load the open sprint (or the tasks in none) as board cards, all but their
 * cost: summing every call of the sprint reads the whole calls table, so it
 * is left to store_board_costs once the first frame is up.
 */
int
store_board_load(struct store *s, struct board *b, char **cause)
{
#define BOARD_TASKS "SELECT t.id, t.parent_id, t.title, t.role, t.reason, " \
	"t.state, t.priority FROM tasks t "
	/*
	 * Through the sprint index when the sprint is a small part of the
	 * history; when it is most of it, reading the table in order is
	 * twice as fast as an index probe a row.
	 */
	static const char	*sql_share = "SELECT (SELECT count(*) FROM "
	    "tasks WHERE sprint_id IS ?1), (SELECT coalesce(max(id), 0) FROM "
	    "tasks)";
	static const char	*sql_tasks_index = BOARD_TASKS "WHERE "
	    "t.sprint_id IS ?1 ORDER BY t.id";
	static const char	*sql_tasks_scan = BOARD_TASKS "NOT INDEXED "
	    "WHERE t.sprint_id IS ?1 ORDER BY t.id";
	/* Grouped over all edges and runs: cheaper than one probe a task. */
	static const char	*sql_blockers = "SELECT d.task_id, count(*) "
	    "FROM task_deps d JOIN tasks x ON x.id = d.blocker_id WHERE "
	    "x.state <> 'done' GROUP BY d.task_id";
	static const char	*sql_runs = "SELECT task_id, max(id), "
	    "provider, model FROM runs WHERE task_id IS NOT NULL GROUP BY "
	    "task_id";
	static const char	*sql_limits = "SELECT t.id, max(l.reset_at), "
	    "l.estimated FROM tasks t JOIN runs r ON r.id = (SELECT max(id) FROM runs x "
	    "WHERE x.task_id = t.id) JOIN rate_limits l ON (l.run_id = r.id "
	    "OR (t.state = 'waiting' AND l.provider = r.provider)) WHERE "
	    "t.sprint_id IS ?1 AND l.reset_at > ?2 GROUP BY t.id";
	static const char	*sql_children = "SELECT c.parent_id, count(*), "
	    "total(c.state = 'done') FROM tasks c JOIN tasks p ON p.id = "
	    "c.parent_id WHERE p.sprint_id IS ?1 GROUP BY c.parent_id";
	struct sprint		*sp;
	struct board_card	*c;
	sqlite3_stmt		*stmt;
	const char		*state;
	size_t			 alloc = 0;
	int			 rc, scan;

	memset(b, 0, sizeof *b);
	if ((sp = store_sprint_open(s, cause)) != NULL) {
		b->sprint_id = sp->id;
		b->sprint_name = xstrdup(sp->name);
		sprint_free(sp);
	} else if (*cause != NULL)
		return (-1);

	stmt = store_prepare(s, sql_share);
	store_bind_sprint(stmt, 1, b->sprint_id);
	scan = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		alloc = (size_t)sqlite3_column_int64(stmt, 0);
		scan = alloc * 2 > (size_t)sqlite3_column_int64(stmt, 1);
		if (alloc > 0)
			b->cards = xreallocarray(NULL, alloc, sizeof *b->cards);
	}
	sqlite3_reset(stmt);
	stmt = store_prepare(s, scan ? sql_tasks_scan : sql_tasks_index);
	store_bind_sprint(stmt, 1, b->sprint_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (b->ncards == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			b->cards = xreallocarray(b->cards, alloc,
			    sizeof *b->cards);
		}
		c = &b->cards[b->ncards++];
		memset(c, 0, sizeof *c);
		c->id = sqlite3_column_int64(stmt, 0);
		c->parent_id = sqlite3_column_int64(stmt, 1);
		c->title = store_col_text(stmt, 2);
		c->role = store_col_text(stmt, 3);
		c->reason = store_col_text(stmt, 4);
		state = (const char *)sqlite3_column_text(stmt, 5);
		if (state == NULL || task_state_from_name(state, &c->state))
			c->state = TASK_BACKLOG;
		c->priority = sqlite3_column_int(stmt, 6);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, sql_blockers);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c = board_find(b, sqlite3_column_int64(stmt, 0))) == NULL)
			continue;
		c->nopen_blockers = (u_int)sqlite3_column_int(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, sql_runs);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c = board_find(b, sqlite3_column_int64(stmt, 0))) == NULL)
			continue;
		c->run_id = sqlite3_column_int64(stmt, 1);
		c->provider = store_col_text(stmt, 2);
		c->model = store_col_text(stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, sql_limits);
	store_bind_sprint(stmt, 1, b->sprint_id);
	sqlite3_bind_int64(stmt, 2, store_now());
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c = board_find(b, sqlite3_column_int64(stmt, 0))) == NULL)
			continue;
		c->reset_at = sqlite3_column_int64(stmt, 1);
		c->reset_estimated = sqlite3_column_int(stmt, 2) != 0;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	stmt = store_prepare(s, sql_children);
	store_bind_sprint(stmt, 1, b->sprint_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c = board_find(b, sqlite3_column_int64(stmt, 0))) == NULL)
			continue;
		c->nchildren = (u_int)sqlite3_column_int(stmt, 1);
		c->nchildren_done = (u_int)sqlite3_column_int(stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;

	for (c = b->cards; c < b->cards + b->ncards; c++)
		c->column = board_column(c);
	return (0);

fail:
	*cause = store_errmsg(s);
	board_free(b);
	return (-1);
}

/* Fill in each card's cost from its runs' calls. */
int
store_board_costs(struct store *s, struct board *b, char **cause)
{
	static const char	*sql_cost = "SELECT r.task_id, "
	    "total(c.cost_usd), count(c.id), count(c.id) - count(c.cost_usd) "
	    "FROM tasks t JOIN runs r ON r.task_id = t.id JOIN calls c ON "
	    "c.run_id = r.id WHERE t.sprint_id IS ?1 GROUP BY r.task_id";
	struct board_card	*c;
	sqlite3_stmt		*stmt;
	int			 rc;

	stmt = store_prepare(s, sql_cost);
	store_bind_sprint(stmt, 1, b->sprint_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((c = board_find(b, sqlite3_column_int64(stmt, 0))) == NULL)
			continue;
		c->cost = sqlite3_column_double(stmt, 1);
		c->ncalls = (u_int)sqlite3_column_int(stmt, 2);
		c->nunknown = (u_int)sqlite3_column_int(stmt, 3);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		return (-1);
	}
	b->costs = 1;
	return (0);
}

/* A one-line summary of an event's data: JSON fields, or the text itself. */
char *
event_summary(const char *kind, const char *data)
{
	static const char	*fields[] = { "text", "tool_name", "message",
	    "name", "tool", "command", "summary", "error", "limit_kind" };
	cJSON			*json, *item;
	char			*out = NULL;
	u_int			 i;

	if (data == NULL)
		return (xstrdup(kind));
	if (*data != '{')
		return (xstrdup(data));
	if ((json = cJSON_Parse(data)) == NULL)
		return (xstrdup(data));
	/* A call: its model and tokens. */
	if (strcmp(kind, "usage") == 0) {
		item = cJSON_GetObjectItemCaseSensitive(json, "model");
		xasprintf(&out, "%s in %.0f cached %.0f out %.0f",
		    cJSON_IsString(item) ? item->valuestring : "call",
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(json,
		    "tokens_in")),
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(json,
		    "tokens_cache_read")),
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(json,
		    "tokens_out")));
		cJSON_Delete(json);
		return (out);
	}
	for (i = 0; i < nitems(fields) && out == NULL; i++) {
		item = cJSON_GetObjectItemCaseSensitive(json, fields[i]);
		if (cJSON_IsString(item) && item->valuestring != NULL)
			out = xstrdup(item->valuestring);
	}
	cJSON_Delete(json);
	return (out != NULL ? out : xstrdup(data));
}

static int
event_is(const char *kind, const char *const *names)
{
	for (; *names != NULL; names++) {
		if (strcmp(kind, *names) == 0)
			return (1);
	}
	return (0);
}

/* The run's newest events, read backwards through the run's index. */
static int
run_info_tail(struct store *s, struct run_info *ri)
{
	static const char	*sql = "SELECT kind, data FROM events WHERE "
	    "run_id = ? ORDER BY offset DESC, id DESC LIMIT 40";
	static const char	*tools[] = { "tool_start", NULL };
	static const char	*texts[] = { "text", NULL };
	static const char	*errors[] = { "error", "warning", NULL };
	sqlite3_stmt		*stmt;
	const char		*kind, *data;
	char			*line, *nl;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, ri->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		kind = (const char *)sqlite3_column_text(stmt, 0);
		data = (const char *)sqlite3_column_text(stmt, 1);
		if (kind == NULL)
			continue;
		if (ri->tool == NULL && event_is(kind, tools))
			ri->tool = event_summary(kind, data);
		else if (ri->error == NULL && event_is(kind, errors))
			ri->error = event_summary(kind, data);
		else if (ri->nlines < nitems(ri->lines) &&
		    event_is(kind, texts)) {
			line = event_summary(kind, data);
			/* Keep the last line of a multi-line text. */
			while ((nl = strrchr(line, '\n')) != NULL &&
			    nl[1] == '\0')
				*nl = '\0';
			if ((nl = strrchr(line, '\n')) != NULL)
				memmove(line, nl + 1, strlen(nl + 1) + 1);
			ri->lines[ri->nlines++] = line;
		}
	}
	sqlite3_reset(stmt);
	return (rc == SQLITE_DONE ? 0 : -1);
}

static int
run_info_fill(struct store *s, struct run_info *ri)
{
	static const char	*sql_sum = "SELECT total(tokens_in), "
	    "total(tokens_cache_read), total(tokens_out), total(cost_usd), "
	    "count(*), count(*) - count(cost_usd) FROM calls WHERE run_id = ?";
	static const char	*sql_last = "SELECT cost_usd FROM calls WHERE "
	    "run_id = ? ORDER BY id DESC LIMIT 3";
	/* Its own limit: another run's on the same provider is not this one's. */
	static const char	*sql_limit = "SELECT max(reset_at), estimated "
	    "FROM rate_limits WHERE run_id = ?1 AND reset_at > ?2";
	sqlite3_stmt		*stmt;
	char			*tmp;
	u_int			 i;
	int			 rc;

	stmt = store_prepare(s, sql_sum);
	sqlite3_bind_int64(stmt, 1, ri->id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		ri->tokens_in = (int64_t)sqlite3_column_double(stmt, 0);
		ri->tokens_cache = (int64_t)sqlite3_column_double(stmt, 1);
		ri->tokens_out = (int64_t)sqlite3_column_double(stmt, 2);
		ri->cost = sqlite3_column_double(stmt, 3);
		ri->ncalls = (u_int)sqlite3_column_int(stmt, 4);
		ri->nunknown = (u_int)sqlite3_column_int(stmt, 5);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return (-1);

	stmt = store_prepare(s, sql_last);
	sqlite3_bind_int64(stmt, 1, ri->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW &&
	    ri->nlast < nitems(ri->last_cost)) {
		if (sqlite3_column_type(stmt, 0) == SQLITE_NULL)
			ri->last_cost[ri->nlast++] = -1;
		else
			ri->last_cost[ri->nlast++] =
			    sqlite3_column_double(stmt, 0);
	}
	sqlite3_reset(stmt);

	if (ri->state != NULL && (strcmp(ri->state, "starting") == 0 ||
	    strcmp(ri->state, "running") == 0)) {
		stmt = store_prepare(s, sql_limit);
		sqlite3_bind_int64(stmt, 1, ri->id);
		sqlite3_bind_int64(stmt, 2, store_now());
		if (sqlite3_step(stmt) == SQLITE_ROW) {
			ri->reset_at = sqlite3_column_int64(stmt, 0);
			ri->reset_estimated = sqlite3_column_int(stmt, 1) != 0;
		}
		sqlite3_reset(stmt);
	}

	if (run_info_tail(s, ri) != 0)
		return (-1);
	/* The tail was read newest first; show it oldest first. */
	for (i = 0; i < ri->nlines / 2; i++) {
		tmp = ri->lines[i];
		ri->lines[i] = ri->lines[ri->nlines - 1 - i];
		ri->lines[ri->nlines - 1 - i] = tmp;
	}
	return (0);
}

void
run_info_free(struct run_info *runs, size_t n)
{
	size_t	i;
	u_int	j;

	for (i = 0; i < n; i++) {
		free(runs[i].task_title);
		free(runs[i].role);
		free(runs[i].provider);
		free(runs[i].model);
		free(runs[i].state);
		free(runs[i].outcome);
		free(runs[i].tmux_window);
		free(runs[i].purpose);
		free(runs[i].answer);
		free(runs[i].tool);
		free(runs[i].error);
		for (j = 0; j < runs[i].nlines; j++)
			free(runs[i].lines[j]);
	}
	free(runs);
}

#define RUN_COLUMNS "r.id, r.task_id, r.attempt, t.title, r.role, " \
	"r.provider, r.model, r.state, r.outcome, r.tmux_window, " \
	"r.exit_status, r.started_at, r.ended_at, r.purpose, r.answer"

/* The runs of one task, or with task 0 every active run; oldest first. */
int
store_runs_load(struct store *s, int64_t task, struct run_info **runs,
    size_t *n, char **cause)
{
	static const char	*sql_active = "SELECT " RUN_COLUMNS " FROM "
	    "runs r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.state IN "
	    "('starting', 'running') ORDER BY r.id";
	static const char	*sql_task = "SELECT " RUN_COLUMNS " FROM "
	    "runs r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.task_id = ? "
	    "ORDER BY r.id";
	struct run_info		*ri;
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc;

	*runs = NULL;
	*n = 0;
	if (task == 0)
		stmt = store_prepare(s, sql_active);
	else {
		stmt = store_prepare(s, sql_task);
		sqlite3_bind_int64(stmt, 1, task);
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*runs = xreallocarray(*runs, *n + 1, sizeof **runs);
		ri = &(*runs)[(*n)++];
		memset(ri, 0, sizeof *ri);
		ri->id = sqlite3_column_int64(stmt, 0);
		ri->task_id = sqlite3_column_int64(stmt, 1);
		ri->attempt = sqlite3_column_int(stmt, 2);
		ri->task_title = store_col_text(stmt, 3);
		ri->role = store_col_text(stmt, 4);
		ri->provider = store_col_text(stmt, 5);
		ri->model = store_col_text(stmt, 6);
		ri->state = store_col_text(stmt, 7);
		ri->outcome = store_col_text(stmt, 8);
		ri->tmux_window = store_col_text(stmt, 9);
		ri->has_exit = sqlite3_column_type(stmt, 10) != SQLITE_NULL;
		ri->exit_status = sqlite3_column_int(stmt, 10);
		ri->started_at = sqlite3_column_int64(stmt, 11);
		ri->ended_at = sqlite3_column_int64(stmt, 12);
		ri->purpose = store_col_text(stmt, 13);
		ri->answer = store_col_text(stmt, 14);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	for (i = 0; i < *n; i++) {
		if (run_info_fill(s, &(*runs)[i]) != 0)
			goto fail;
	}
	return (0);

fail:
	*cause = store_errmsg(s);
	run_info_free(*runs, *n);
	*runs = NULL;
	*n = 0;
	return (-1);
}

void
call_info_free(struct call_info *calls, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(calls[i].model);
	free(calls);
}

/* Every call of a task's runs, oldest first. */
int
store_calls_load(struct store *s, int64_t task, struct call_info **calls,
    size_t *n, char **cause)
{
	static const char	*sql = "SELECT c.id, c.run_id, c.at, "
	    "coalesce(c.model, r.model), c.tokens_in, c.tokens_cache_read, "
	    "c.tokens_cache_write, c.tokens_out, c.cost_usd FROM runs r JOIN "
	    "calls c ON c.run_id = r.id WHERE r.task_id = ? ORDER BY c.at, "
	    "c.id";
	struct call_info	*ci;
	sqlite3_stmt		*stmt;
	int			 rc;

	*calls = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*calls = xreallocarray(*calls, *n + 1, sizeof **calls);
		ci = &(*calls)[(*n)++];
		ci->id = sqlite3_column_int64(stmt, 0);
		ci->run_id = sqlite3_column_int64(stmt, 1);
		ci->at = sqlite3_column_int64(stmt, 2);
		ci->model = store_col_text(stmt, 3);
		ci->tokens_in = sqlite3_column_int64(stmt, 4);
		ci->tokens_cache_read = sqlite3_column_int64(stmt, 5);
		ci->tokens_cache_write = sqlite3_column_int64(stmt, 6);
		ci->tokens_out = sqlite3_column_int64(stmt, 7);
		ci->cost_known = sqlite3_column_type(stmt, 8) != SQLITE_NULL;
		ci->cost = sqlite3_column_double(stmt, 8);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		call_info_free(*calls, *n);
		*calls = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

void
event_info_free(struct event_info *events, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(events[i].kind);
		free(events[i].data);
	}
	free(events);
}

/* A run's newest events (at most limit), returned oldest first. */
int
store_events_load(struct store *s, int64_t run, u_int limit,
    struct event_info **events, size_t *n, char **cause)
{
	static const char	*sql = "SELECT id, run_id, at, kind, data FROM "
	    "events WHERE run_id = ? ORDER BY offset DESC, id DESC LIMIT ?";
	struct event_info	*ei, tmp;
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc;

	*events = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_int(stmt, 2, (int)limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*events = xreallocarray(*events, *n + 1, sizeof **events);
		ei = &(*events)[(*n)++];
		ei->id = sqlite3_column_int64(stmt, 0);
		ei->run_id = sqlite3_column_int64(stmt, 1);
		ei->at = sqlite3_column_int64(stmt, 2);
		ei->kind = store_col_text(stmt, 3);
		if (ei->kind == NULL)
			ei->kind = xstrdup("");
		ei->data = store_col_text(stmt, 4);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		event_info_free(*events, *n);
		*events = NULL;
		*n = 0;
		return (-1);
	}
	for (i = 0; i < *n / 2; i++) {
		tmp = (*events)[i];
		(*events)[i] = (*events)[*n - 1 - i];
		(*events)[*n - 1 - i] = tmp;
	}
	return (0);
}

/* A named mark's time; 0 when it was never set. */
int
store_mark_get(struct store *s, const char *name, int64_t *at)
{
	static const char	*sql = "SELECT at FROM marks WHERE name = ?";
	sqlite3_stmt		*stmt;
	int			 rc;

	*at = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		*at = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1);
}

int
store_mark_set(struct store *s, const char *name, int64_t at, char **cause)
{
	static const char	*sql = "INSERT INTO marks (name, at) VALUES "
	    "(?, ?) ON CONFLICT (name) DO UPDATE SET at = excluded.at";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, at);
	return (store_step(s, stmt, cause));
}

/*
 * SQLite's data_version: it changes when another connection commits, so a
 * view can poll it cheaply and reload only when something was written.
 */
int
store_data_version(struct store *s)
{
	static const char	*sql = "PRAGMA data_version";
	sqlite3_stmt		*stmt;
	int			 v = -1;

	stmt = store_prepare(s, sql);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return (v);
}
