/* Runs and their events in the store. */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

static const char *run_state_names[RUN_NSTATES] = {
	[RUN_STARTING] = "starting",
	[RUN_RUNNING] = "running",
	[RUN_EXITED] = "exited",
	[RUN_INTERRUPTED] = "interrupted",
	[RUN_STOPPED] = "stopped",
};

#define RUN_COLUMNS "id, task_id, attempt, role, provider, model, format, " \
	"agent_session, tmux_window, tmux_pane, log_path, log_offset, state, " \
	"exit_status, outcome, started_at, ended_at, log_done, purpose, answer"

const char *
run_state_name(enum run_state state)
{
	if ((u_int)state >= RUN_NSTATES)
		fatalx("bad run state %d", (int)state);
	return (run_state_names[state]);
}

int
run_state_from_name(const char *name, enum run_state *state)
{
	int	i;

	if ((i = util_name_index(run_state_names, RUN_NSTATES, name)) == -1)
		return (-1);
	*state = i;
	return (0);
}

static void	bind_text(sqlite3_stmt *, int, const char *);
static int	store_run_rows(struct store *, sqlite3_stmt *, struct run ***,
		    size_t *, char **);

static const char *run_purpose_names[RUN_NPURPOSES] = {
	[RUN_WORK] = "work",
	[RUN_REVIEW] = "review",
	[RUN_TEST] = "test",
};

const char *
run_purpose_name(enum run_purpose purpose)
{
	if ((u_int)purpose >= RUN_NPURPOSES)
		fatalx("bad run purpose %d", (int)purpose);
	return (run_purpose_names[purpose]);
}

int
run_purpose_from_name(const char *name, enum run_purpose *purpose)
{
	int	i;

	if ((i = util_name_index(run_purpose_names, RUN_NPURPOSES, name)) == -1)
		return (-1);
	*purpose = i;
	return (0);
}

/* Keep the final text a run was judged on. */
int
store_run_set_answer(struct store *s, int64_t run, const char *answer,
    char **cause)
{
	static const char	*sql = "UPDATE runs SET answer = ? WHERE id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, answer);
	sqlite3_bind_int64(stmt, 2, run);
	return (store_step(s, stmt, cause));
}

/* A run whose agent may still be writing. */
int
run_state_is_live(enum run_state state)
{
	return (state == RUN_STARTING || state == RUN_RUNNING);
}

/* Free a run's strings, leaving the struct itself empty. */
void
run_clear(struct run *r)
{
	free(r->role);
	free(r->provider);
	free(r->model);
	free(r->format);
	free(r->agent_session);
	free(r->tmux_window);
	free(r->tmux_pane);
	free(r->log_path);
	free(r->outcome);
	free(r->answer);
	memset(r, 0, sizeof *r);
	r->exit_status = -1;
}

void
run_free(struct run *r)
{
	if (r == NULL)
		return;
	run_clear(r);
	free(r);
}

void
run_list_free(struct run **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		run_free(list[i]);
	free(list);
}

static struct run *
run_from_row(sqlite3_stmt *stmt)
{
	struct run	*r;
	const char	*state, *purpose;

	r = xcalloc(1, sizeof *r);
	r->id = sqlite3_column_int64(stmt, 0);
	r->task_id = sqlite3_column_int64(stmt, 1);
	r->attempt = sqlite3_column_int(stmt, 2);
	r->role = store_col_text(stmt, 3);
	r->provider = store_col_text(stmt, 4);
	r->model = store_col_text(stmt, 5);
	r->format = store_col_text(stmt, 6);
	r->agent_session = store_col_text(stmt, 7);
	r->tmux_window = store_col_text(stmt, 8);
	r->tmux_pane = store_col_text(stmt, 9);
	r->log_path = store_col_text(stmt, 10);
	r->log_offset = sqlite3_column_int64(stmt, 11);
	state = (const char *)sqlite3_column_text(stmt, 12);
	if (state == NULL || run_state_from_name(state, &r->state) != 0)
		fatalx("run %lld has unknown state", (long long)r->id);
	if (sqlite3_column_type(stmt, 13) == SQLITE_NULL)
		r->exit_status = -1;
	else
		r->exit_status = sqlite3_column_int(stmt, 13);
	r->outcome = store_col_text(stmt, 14);
	r->started_at = sqlite3_column_int64(stmt, 15);
	r->ended_at = sqlite3_column_int64(stmt, 16);
	r->log_done = sqlite3_column_int(stmt, 17);
	purpose = (const char *)sqlite3_column_text(stmt, 18);
	if (purpose == NULL || run_purpose_from_name(purpose, &r->purpose) != 0)
		fatalx("run %lld has unknown purpose", (long long)r->id);
	r->answer = store_col_text(stmt, 19);
	return (r);
}

static void
bind_text(sqlite3_stmt *stmt, int i, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC);
}

/* Insert a run; the attempt number counts the task's earlier runs. */
int64_t
store_run_add(struct store *s, struct run *r, char **cause)
{
	static const char	*sql = "INSERT INTO runs (task_id, attempt, "
	    "role, provider, model, format, log_path, state, started_at, "
	    "purpose) VALUES (?1, (SELECT count(*) + 1 FROM runs WHERE "
	    "task_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	sqlite3_stmt		*stmt;

	r->started_at = store_now();
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, r->task_id);
	bind_text(stmt, 2, r->role);
	bind_text(stmt, 3, r->provider);
	bind_text(stmt, 4, r->model);
	bind_text(stmt, 5, r->format != NULL ? r->format : "text");
	bind_text(stmt, 6, r->log_path);
	sqlite3_bind_text(stmt, 7, run_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, r->started_at);
	sqlite3_bind_text(stmt, 9, run_purpose_name(r->purpose), -1,
	    SQLITE_STATIC);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	r->id = sqlite3_last_insert_rowid(s->db);
	return (r->id);
}

/* Write back what changes over a run's life. */
int
store_run_update(struct store *s, struct run *r, char **cause)
{
	static const char	*sql = "UPDATE runs SET agent_session = ?, "
	    "tmux_window = ?, tmux_pane = ?, log_path = ?, state = ?, "
	    "exit_status = ?, outcome = ?, ended_at = ?, model = ?, "
	    "log_done = ? WHERE id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, r->agent_session);
	bind_text(stmt, 2, r->tmux_window);
	bind_text(stmt, 3, r->tmux_pane);
	bind_text(stmt, 4, r->log_path);
	sqlite3_bind_text(stmt, 5, run_state_name(r->state), -1, SQLITE_STATIC);
	if (r->exit_status == -1)
		sqlite3_bind_null(stmt, 6);
	else
		sqlite3_bind_int(stmt, 6, r->exit_status);
	bind_text(stmt, 7, r->outcome);
	if (r->ended_at == 0)
		sqlite3_bind_null(stmt, 8);
	else
		sqlite3_bind_int64(stmt, 8, r->ended_at);
	bind_text(stmt, 9, r->model);
	sqlite3_bind_int(stmt, 10, r->log_done);
	sqlite3_bind_int64(stmt, 11, r->id);
	return (store_step(s, stmt, cause));
}

/*
 * Move a run's stored offset from old to new, inside ingest's transaction.
 * It fails if the offset is no longer old: someone else stored those lines.
 */
int
store_run_set_offset(struct store *s, int64_t run, int64_t old, int64_t new,
    char **cause)
{
	static const char	*sql = "UPDATE runs SET log_offset = ? "
	    "WHERE id = ? AND log_offset = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, new);
	sqlite3_bind_int64(stmt, 2, run);
	sqlite3_bind_int64(stmt, 3, old);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	if (sqlite3_changes(s->db) != 1) {
		xasprintf(cause, "run %lld: its log was stored by another "
		    "process", (long long)run);
		return (-1);
	}
	return (0);
}

/* The one run a query with one id parameter finds, or NULL. */
static struct run *
store_run_one(struct store *s, const char *sql, int64_t id, char **cause)
{
	sqlite3_stmt	*stmt;
	struct run	*r = NULL;
	int		 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, id);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		r = run_from_row(stmt);
	else if (rc != SQLITE_DONE)
		*cause = store_errmsg(s);
	sqlite3_reset(stmt);
	return (r);
}

struct run *
store_run_get(struct store *s, int64_t id, char **cause)
{
	static const char	*sql = "SELECT " RUN_COLUMNS " FROM runs "
	    "WHERE id = ?";

	return (store_run_one(s, sql, id, cause));
}

/* The newest run of a task, or NULL. */
struct run *
store_run_latest(struct store *s, int64_t task, char **cause)
{
	static const char	*sql = "SELECT " RUN_COLUMNS " FROM runs "
	    "WHERE task_id = ? ORDER BY id DESC LIMIT 1";

	return (store_run_one(s, sql, task, cause));
}

/* Runs in id order: with open set, those whose log is not all stored. */
int
store_run_list(struct store *s, int live, struct run ***list, size_t *n,
    char **cause)
{
	static const char	*sql = "SELECT " RUN_COLUMNS " FROM runs "
	    "WHERE ?1 = 0 OR log_done = 0 ORDER BY id";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int(stmt, 1, live);
	return (store_run_rows(s, stmt, list, n, cause));
}

/* Every run of one task, oldest first. */
int
store_run_list_task(struct store *s, int64_t task, struct run ***list,
    size_t *n, char **cause)
{
	static const char	*sql = "SELECT " RUN_COLUMNS " FROM runs "
	    "WHERE task_id = ? ORDER BY id";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	return (store_run_rows(s, stmt, list, n, cause));
}

/* Step a bound query of RUN_COLUMNS; collect the runs. */
static int
store_run_rows(struct store *s, sqlite3_stmt *stmt, struct run ***list,
    size_t *n, char **cause)
{
	int	rc;

	*list = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = run_from_row(stmt);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		run_list_free(*list, *n);
		*list = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

/* Store one event parsed from the line at offset in the run's log. */
int
store_event_add(struct store *s, int64_t run, int64_t offset, int seq,
    int64_t at, const char *kind, const char *data, char **cause)
{
	static const char	*sql = "INSERT INTO events (run_id, offset, "
	    "seq, at, kind, data) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, run);
	sqlite3_bind_int64(stmt, 2, offset);
	sqlite3_bind_int(stmt, 3, seq);
	sqlite3_bind_int64(stmt, 4, at);
	sqlite3_bind_text(stmt, 5, kind, -1, SQLITE_STATIC);
	bind_text(stmt, 6, data);
	return (store_step(s, stmt, cause));
}

/*
 * Record one model call's figures, replacing earlier ones for the same
 * message: a stream reports a call's usage more than once as it grows.
 * cost and cli_cost may be NULL for "not known".
 */
int
store_call_put(struct store *s, int64_t run, const char *msg_id,
    const char *model, int64_t at, const struct adapter_usage *u,
    const double *cost, const char *price_entry, const double *cli_cost,
    char **cause)
{
	static const char	*sql = "INSERT INTO calls (run_id, msg_id, "
	    "model, at, tokens_in, tokens_cache_read, tokens_cache_write, "
	    "tokens_out, cost_usd, cli_cost_usd, price_entry) VALUES (?1, ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (run_id, msg_id) "
	    "DO UPDATE SET model = coalesce(?3, model), tokens_in = ?5, "
	    "tokens_cache_read = ?6, tokens_cache_write = ?7, tokens_out = ?8, "
	    "cost_usd = ?9, cli_cost_usd = coalesce(?10, cli_cost_usd), "
	    "price_entry = ?11";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, run);
	bind_text(stmt, 2, msg_id);
	bind_text(stmt, 3, model);
	sqlite3_bind_int64(stmt, 4, at);
	sqlite3_bind_int64(stmt, 5, u->in);
	sqlite3_bind_int64(stmt, 6, u->cache_read);
	sqlite3_bind_int64(stmt, 7, u->cache_write);
	sqlite3_bind_int64(stmt, 8, u->out);
	if (cost != NULL)
		sqlite3_bind_double(stmt, 9, *cost);
	else
		sqlite3_bind_null(stmt, 9);
	if (cli_cost != NULL)
		sqlite3_bind_double(stmt, 10, *cli_cost);
	else
		sqlite3_bind_null(stmt, 10);
	bind_text(stmt, 11, cost != NULL ? price_entry : NULL);
	return (store_step(s, stmt, cause));
}

/* When a call was first stored, or 0 if it is new: its price's day. */
int64_t
store_call_at(struct store *s, int64_t run, const char *msg_id)
{
	static const char	*sql = "SELECT at FROM calls WHERE run_id = ? "
	    "AND msg_id = ?";
	sqlite3_stmt		*stmt;
	int64_t			 at = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, run);
	bind_text(stmt, 2, msg_id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		at = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (at);
}

/*
 * Usage already stored for a CLI session by runs before run: what a CLI
 * that reports running totals over a resumed session has counted before.
 */
int
store_session_usage(struct store *s, const char *session, int64_t run,
    struct adapter_usage *u)
{
	static const char	*sql = "SELECT count(*), "
	    "coalesce(sum(c.tokens_in), 0), coalesce(sum(c.tokens_cache_read), "
	    "0), coalesce(sum(c.tokens_cache_write), 0), "
	    "coalesce(sum(c.tokens_out), 0) FROM calls c JOIN runs r ON "
	    "r.id = c.run_id WHERE r.agent_session = ?1 AND r.id < ?2 AND "
	    "r.format = (SELECT format FROM runs WHERE id = ?2)";
	sqlite3_stmt		*stmt;
	int			 n = 0;

	memset(u, 0, sizeof *u);
	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, session);
	sqlite3_bind_int64(stmt, 2, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		n = sqlite3_column_int(stmt, 0);
		u->in = sqlite3_column_int64(stmt, 1);
		u->cache_read = sqlite3_column_int64(stmt, 2);
		u->cache_write = sqlite3_column_int64(stmt, 3);
		u->out = sqlite3_column_int64(stmt, 4);
	}
	sqlite3_reset(stmt);
	return (n);
}

/*
 * Mark a run stopped, unless ingestion has already stored its end (it then
 * read the run's "stopped" file): only these columns, never a stale row.
 */
int
store_run_stop(struct store *s, int64_t run, char **cause)
{
	static const char	*sql = "UPDATE runs SET state = 'stopped', "
	    "outcome = 'stopped', ended_at = coalesce(ended_at, ?) "
	    "WHERE id = ? AND log_done = 0";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, store_now());
	sqlite3_bind_int64(stmt, 2, run);
	return (store_step(s, stmt, cause));
}

/* Has anything been stored from this offset of the run's log on? */
int
store_event_exists(struct store *s, int64_t run, int64_t offset)
{
	static const char	*sql = "SELECT 1 FROM events WHERE run_id = ? "
	    "AND offset >= ? LIMIT 1";

	return (store_has_row(s, sql, run, offset));
}

/*
 * Give a run its tmux window. Only these columns: ingest may already have
 * stored the agent's session, or even its end, from another process.
 */
int
store_run_set_window(struct store *s, int64_t run, const char *window,
    const char *pane, char **cause)
{
	static const char	*sql = "UPDATE runs SET tmux_window = ?, "
	    "tmux_pane = ?, state = CASE state WHEN 'starting' THEN "
	    "'running' ELSE state END WHERE id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, window);
	bind_text(stmt, 2, pane);
	sqlite3_bind_int64(stmt, 3, run);
	return (store_step(s, stmt, cause));
}

/* Record the agent's own session id and, if none is known, its model. */
int
store_run_set_session(struct store *s, int64_t run, const char *session,
    const char *model, char **cause)
{
	static const char	*sql = "UPDATE runs SET agent_session = ?, "
	    "model = coalesce(model, ?) WHERE id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, session);
	bind_text(stmt, 2, model);
	sqlite3_bind_int64(stmt, 3, run);
	return (store_step(s, stmt, cause));
}

/* Record a rate limit or auth failure a run ran into. */
int
store_limit_add(struct store *s, const char *provider, const char *kind,
    int64_t run, int64_t at, int64_t reset_at, int estimated,
    const char *message, char **cause)
{
	static const char	*sql = "INSERT INTO rate_limits (provider, "
	    "kind, run_id, detected_at, reset_at, estimated, message) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, provider);
	bind_text(stmt, 2, kind);
	if (run <= 0)
		sqlite3_bind_null(stmt, 3);	/* the provider's, not a run's */
	else
		sqlite3_bind_int64(stmt, 3, run);
	sqlite3_bind_int64(stmt, 4, at);
	if (reset_at == -1)
		sqlite3_bind_null(stmt, 5);
	else
		sqlite3_bind_int64(stmt, 5, reset_at);
	sqlite3_bind_int(stmt, 6, reset_at != -1 && estimated);
	bind_text(stmt, 7, message);
	return (store_step(s, stmt, cause));
}

/* How many model calls a run made. */
int64_t
store_run_ncalls(struct store *s, int64_t run)
{
	static const char	*sql = "SELECT count(*) FROM calls WHERE "
	    "run_id = ?";
	sqlite3_stmt		*stmt;
	int64_t			 n = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (n);
}

/* Lift a provider's setup holds: a person says it is mended. */
int
store_limit_clear_setup(struct store *s, const char *provider, char **cause)
{
	static const char	*sql = "UPDATE rate_limits SET reset_at = "
	    "detected_at WHERE provider = ? AND kind = 'setup' AND "
	    "reset_at > detected_at";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	bind_text(stmt, 1, provider);
	return (store_step(s, stmt, cause));
}
