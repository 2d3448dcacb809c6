/*
 * What the scheduler asks of the store: which runs ended under a task that
 * still says running, how a run ended, which providers are limited and
 * until when, and the sessions a role keeps.
 */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

/* A limit whose reset time is not known holds this long. */
#define SCHED_LIMIT_UNKNOWN_RESET (15 * 60)
/* An authentication failure holds its provider this long. */
#define SCHED_AUTH_HOLD (60 * 60)

/* Step a bound query whose first column is a task id; collect the ids. */
static int
store_sched_ids(struct store *s, sqlite3_stmt *stmt, int64_t **tasks,
    size_t *n, char **cause)
{
	int	rc;

	*tasks = NULL;
	*n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*tasks = xreallocarray(*tasks, *n + 1, sizeof **tasks);
		(*tasks)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		free(*tasks);
		*tasks = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

/* The sprint being dispatched: its id, or 0 when none is going. */
int64_t
store_sprint_going(struct store *s)
{
	static const char	*sql = "SELECT id FROM sprints WHERE open = 1 "
	    "AND going = 1";
	sqlite3_stmt		*stmt;
	int64_t			 id = 0;

	stmt = store_prepare(s, sql);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (id);
}

/* Start or stop dispatching the open sprint. */
int
store_sprint_set_going(struct store *s, int64_t sprint, int going,
    char **cause)
{
	static const char	*sql = "UPDATE sprints SET going = ? WHERE id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int(stmt, 1, going != 0);
	sqlite3_bind_int64(stmt, 2, sprint);
	return (store_step(s, stmt, cause));
}

/*
 * Tasks of the sprint whose latest run is stored to its end and not judged
 * yet: a task that says running, or one in review whose review run has no
 * answer recorded.
 */
int
store_sched_ended(struct store *s, int64_t sprint, int64_t **tasks,
    size_t *n, char **cause)
{
	static const char	*sql = "SELECT t.id FROM tasks t JOIN runs r "
	    "ON r.id = (SELECT max(id) FROM runs WHERE task_id = t.id) "
	    "WHERE t.sprint_id = ? AND r.log_done = 1 AND "
	    "(t.state = 'running' OR (t.state = 'review' AND "
	    "r.purpose = 'review' AND r.answer IS NULL)) ORDER BY t.id";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, sprint);
	return (store_sched_ids(s, stmt, tasks, n, cause));
}

/* The sprint's tasks in one state, by priority then id. */
int
store_sched_tasks(struct store *s, int64_t sprint, enum task_state state,
    int64_t **tasks, size_t *n, char **cause)
{
	static const char	*sql = "SELECT id FROM tasks WHERE "
	    "sprint_id = ? AND state = ? ORDER BY priority, id";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, sprint);
	sqlite3_bind_text(stmt, 2, task_state_name(state), -1, SQLITE_STATIC);
	return (store_sched_ids(s, stmt, tasks, n, cause));
}

/*
 * Until when a provider is limited: the latest reset among its limit and
 * authentication signals, 0 when it is free at now.
 */
int64_t
store_provider_limited(struct store *s, const char *provider, int64_t now)
{
	static const char	*sql = "SELECT max(CASE "
	    "WHEN kind = 'auth' THEN coalesce(reset_at, detected_at + ?2) "
	    "ELSE coalesce(reset_at, detected_at + ?3) END) "
	    "FROM rate_limits WHERE provider = ?1";
	sqlite3_stmt		*stmt;
	int64_t			 until = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, SCHED_AUTH_HOLD);
	sqlite3_bind_int(stmt, 3, SCHED_LIMIT_UNKNOWN_RESET);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		until = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (until > now ? until : 0);
}

/*
 * Every provider held at now, and why: the hold that lasts longest of
 * each, with whether its end is only an estimate (no reset was given, or
 * the reset recorded is baton's estimate).
 */
int
store_holds(struct store *s, int64_t now, struct provider_hold **holds,
    size_t *n, char **cause)
{
	static const char	*sql = "SELECT provider, kind, message, "
	    "max(until), reset_at IS NULL OR estimated FROM (SELECT provider, "
	    "kind, message, reset_at, estimated, CASE "
	    "WHEN kind = 'auth' THEN coalesce(reset_at, detected_at + ?2) "
	    "ELSE coalesce(reset_at, detected_at + ?3) END AS until "
	    "FROM rate_limits) WHERE until > ?1 GROUP BY provider "
	    "ORDER BY provider";
	sqlite3_stmt		*stmt;
	struct provider_hold	*h;
	int			 rc;

	*holds = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int(stmt, 2, SCHED_AUTH_HOLD);
	sqlite3_bind_int(stmt, 3, SCHED_LIMIT_UNKNOWN_RESET);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*holds = xreallocarray(*holds, *n + 1, sizeof **holds);
		h = &(*holds)[(*n)++];
		h->provider = store_col_text(stmt, 0);
		h->kind = store_col_text(stmt, 1);
		h->message = store_col_text(stmt, 2);
		h->until = sqlite3_column_int64(stmt, 3);
		h->estimated = sqlite3_column_int(stmt, 4);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		provider_holds_free(*holds, *n);
		*holds = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

void
provider_holds_free(struct provider_hold *holds, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(holds[i].provider);
		free(holds[i].kind);
		free(holds[i].message);
	}
	free(holds);
}

/*
 * How a run ended, as far as its stream says: whether it hit a limit or an
 * authentication failure (and the reset), and the final event.
 */
int
store_run_verdict(struct store *s, int64_t run, struct run_verdict *v,
    char **cause)
{
	static const char	*limit_sql = "SELECT kind, reset_at, message, "
	    "estimated FROM rate_limits WHERE run_id = ? ORDER BY id DESC "
	    "LIMIT 1";
	static const char	*denied_sql = "SELECT count(*) OVER (), "
	    "json_extract(data, '$.tool_name'), json_extract(data, '$.text'), "
	    "json_extract(data, '$.reason') FROM events WHERE run_id = ? AND "
	    "kind = 'denied' ORDER BY id LIMIT 1";
	static const char	*failure_sql = "SELECT json_extract(data, "
	    "'$.failure'), json_extract(data, '$.text') FROM events WHERE "
	    "run_id = ? AND kind = 'error' AND json_extract(data, "
	    "'$.failure') IS NOT NULL ORDER BY id DESC LIMIT 1";
	static const char	*final_sql = "SELECT coalesce(json_extract(data, "
	    "'$.is_error'), 0), json_extract(data, '$.text') FROM events "
	    "WHERE run_id = ? AND kind = 'turn_end' ORDER BY id DESC LIMIT 1";
	static const char	*error_sql = "SELECT json_extract(data, "
	    "'$.text') FROM events WHERE run_id = ? AND (kind = 'error' OR "
	    "(kind = 'turn_end' AND json_extract(data, '$.is_error'))) AND "
	    "json_extract(data, '$.text') IS NOT NULL ORDER BY id DESC LIMIT 1";
	static const char	*text_sql = "SELECT json_extract(data, "
	    "'$.text') FROM events WHERE run_id = ? AND kind = 'text' "
	    "ORDER BY id DESC LIMIT 1";
	static const char	*tools_sql = "SELECT count(*) FROM events "
	    "WHERE run_id = ? AND kind = 'tool_start'";
	sqlite3_stmt		*stmt;
	const char		*kind;

	memset(v, 0, sizeof *v);
	stmt = store_prepare(s, limit_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		kind = (const char *)sqlite3_column_text(stmt, 0);
		v->limited = (kind != NULL && strcmp(kind, "auth") == 0) ?
		    RATELIMIT_AUTH : RATELIMIT_LIMIT;
		if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
			v->reset_at = sqlite3_column_int64(stmt, 1);
		v->limit_text = store_col_text(stmt, 2);
		v->reset_estimated = sqlite3_column_int(stmt, 3) != 0;
	}
	sqlite3_reset(stmt);

	stmt = store_prepare(s, denied_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char	*name, *what, *why;

		v->ndenied = (u_int)sqlite3_column_int(stmt, 0);
		name = (const char *)sqlite3_column_text(stmt, 1);
		what = (const char *)sqlite3_column_text(stmt, 2);
		why = (const char *)sqlite3_column_text(stmt, 3);
		xasprintf(&v->denied, "%s%s%s%s: %s", name != NULL ? name :
		    "a tool", what != NULL ? " (" : "", what != NULL ? what : "",
		    what != NULL ? ")" : "", why != NULL ? why : "refused");
	}
	sqlite3_reset(stmt);

	stmt = store_prepare(s, failure_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		v->failure = store_col_text(stmt, 0);
		v->failure_text = store_col_text(stmt, 1);
	}
	sqlite3_reset(stmt);

	stmt = store_prepare(s, final_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		v->has_final = 1;
		v->final_error = sqlite3_column_int(stmt, 0) != 0;
	}
	sqlite3_reset(stmt);

	stmt = store_prepare(s, error_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v->error_text = store_col_text(stmt, 0);
	sqlite3_reset(stmt);

	stmt = store_prepare(s, text_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v->last_text = store_col_text(stmt, 0);
	sqlite3_reset(stmt);

	stmt = store_prepare(s, tools_sql);
	sqlite3_bind_int64(stmt, 1, run);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		*cause = store_errmsg(s);
		run_verdict_free(v);
		return (-1);
	}
	v->tools = (u_int)sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return (0);
}

void
run_verdict_free(struct run_verdict *v)
{
	free(v->limit_text);
	free(v->error_text);
	free(v->last_text);
	free(v->denied);
	free(v->failure);
	free(v->failure_text);
	memset(v, 0, sizeof *v);
}

/*
 * What the stream says stopped the run, in a phrase for a task's reason
 * and its card: a failure of the CLI itself, else a denied tool call;
 * NULL when it says neither.
 */
char *
run_verdict_reason(const struct run_verdict *v)
{
	char	*s;

	if (v->failure != NULL && strcmp(v->failure, "config") == 0)
		xasprintf(&s, "the CLI cannot run as configured: %s",
		    v->failure_text != NULL ? v->failure_text : "(no text)");
	else if (v->failure != NULL && strcmp(v->failure, "session") == 0)
		xasprintf(&s, "the session to resume was not found: %s",
		    v->failure_text != NULL ? v->failure_text : "(no text)");
	else if (v->ndenied > 1)
		xasprintf(&s, "%u tool calls were denied; the first, %s",
		    v->ndenied, v->denied);
	else if (v->ndenied == 1)
		xasprintf(&s, "a tool call was denied: %s", v->denied);
	else
		return (NULL);
	return (s);
}

/* How many runs the task has had: the next one's attempt is one more. */
int
store_task_nruns(struct store *s, int64_t task)
{
	static const char	*sql = "SELECT count(*) FROM runs WHERE "
	    "task_id = ?";
	sqlite3_stmt		*stmt;
	int			 n = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int(stmt, 0);
	sqlite3_reset(stmt);
	return (n);
}

/*
 * The session to continue when the task goes back to a provider: that of
 * its latest run there which was cut short by a limit after at least one
 * model call (a CLI may keep no session of a run that never got an
 * answer), if any, and only when no later run of the task on that
 * provider started afresh.
 */
char *
store_task_resume_session(struct store *s, int64_t task, const char *provider)
{
	static const char	*sql = "SELECT r.agent_session, EXISTS (SELECT 1 "
	    "FROM rate_limits l WHERE l.run_id = r.id) AND EXISTS (SELECT 1 "
	    "FROM calls c WHERE c.run_id = r.id) FROM runs r WHERE "
	    "r.task_id = ? AND r.provider = ? AND r.purpose = 'work' "
	    "ORDER BY r.id DESC LIMIT 1";
	sqlite3_stmt		*stmt;
	char			*session = NULL;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	sqlite3_bind_text(stmt, 2, provider, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 1))
		session = store_col_text(stmt, 0);
	sqlite3_reset(stmt);
	return (session);
}

/* A persistent role's session on a provider, or NULL. */
char *
store_role_session(struct store *s, const char *role, const char *provider)
{
	static const char	*sql = "SELECT session_id FROM agent_sessions "
	    "WHERE role = ? AND provider = ?";
	sqlite3_stmt		*stmt;
	char			*session = NULL;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, provider, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		session = store_col_text(stmt, 0);
	sqlite3_reset(stmt);
	return (session);
}

/* Keep a persistent role's session for its next task. */
int
store_role_session_set(struct store *s, const char *role,
    const char *provider, const char *session, char **cause)
{
	static const char	*sql = "INSERT INTO agent_sessions (role, "
	    "provider, session_id, created_at, used_at) VALUES (?1, ?2, ?3, "
	    "?4, ?4) ON CONFLICT (role, provider) DO UPDATE SET "
	    "session_id = ?3, used_at = ?4";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, session, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, store_now());
	return (store_step(s, stmt, cause));
}

/* The latest lessons recorded for a role, newest first. */
int
store_role_lessons(struct store *s, const char *role, u_int max,
    char ***lessons, size_t *n, char **cause)
{
	static const char	*sql = "SELECT text FROM lessons WHERE role = ? "
	    "ORDER BY id DESC LIMIT ?";
	sqlite3_stmt		*stmt;
	int			 rc;

	*lessons = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, (int)max);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*lessons = xreallocarray(*lessons, *n + 1, sizeof **lessons);
		(*lessons)[(*n)++] = store_col_text(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		return (-1);
	}
	return (0);
}

/* Record what a task taught its role. */
int
store_lesson_add(struct store *s, const char *role, int64_t task,
    const char *text, char **cause)
{
	static const char	*sql = "INSERT INTO lessons (role, task_id, "
	    "text, created_at) VALUES (?, ?, ?, ?)";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, task);
	sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, store_now());
	return (store_step(s, stmt, cause));
}

/* Tasks of a kind made for target that are not over yet, and in all. */
int
store_task_helpers(struct store *s, int64_t target, enum task_kind kind,
    u_int *open, u_int *all)
{
	static const char	*sql = "SELECT count(*), coalesce(sum(state "
	    "NOT IN ('done', 'failed', 'cancelled')), 0) FROM tasks WHERE "
	    "target_id = ? AND kind = ?";
	sqlite3_stmt		*stmt;
	int			 rc = -1;

	*open = *all = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, target);
	sqlite3_bind_text(stmt, 2, task_kind_name(kind), -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*all = (u_int)sqlite3_column_int(stmt, 0);
		*open = (u_int)sqlite3_column_int(stmt, 1);
		rc = 0;
	}
	sqlite3_reset(stmt);
	return (rc);
}

/* Forget a persistent role's session on a provider: it cannot go on. */
int
store_role_session_drop(struct store *s, const char *role,
    const char *provider, char **cause)
{
	static const char	*sql = "DELETE FROM agent_sessions WHERE "
	    "role = ? AND provider = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, provider, -1, SQLITE_STATIC);
	return (store_step(s, stmt, cause));
}

/* The latest run on provider that was in session, or 0. */
int64_t
store_session_run(struct store *s, const char *provider, const char *session)
{
	static const char	*sql = "SELECT id FROM runs WHERE provider = ? "
	    "AND agent_session = ? ORDER BY id DESC LIMIT 1";
	sqlite3_stmt		*stmt;
	int64_t			 run = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, provider, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, session, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		run = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return (run);
}
