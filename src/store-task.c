/* Tasks and their blocked_by edges in the store. */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

#define TASK_COLUMNS "id, sprint_id, parent_id, title, body, role, priority, " \
	"state, branch, worktree, reason, created_at, updated_at, finished_at, " \
	"not_before, failures, kind, target_id, rounds, merge_base"

static struct task *
task_from_row(sqlite3_stmt *stmt)
{
	struct task	*t;
	const char	*state, *kind;

	t = task_new();
	t->id = sqlite3_column_int64(stmt, 0);
	t->sprint_id = sqlite3_column_int64(stmt, 1);
	t->parent_id = sqlite3_column_int64(stmt, 2);
	free(t->title);
	t->title = store_col_text(stmt, 3);
	free(t->body);
	t->body = store_col_text(stmt, 4);
	free(t->role);
	t->role = store_col_text(stmt, 5);
	t->priority = sqlite3_column_int(stmt, 6);
	state = (const char *)sqlite3_column_text(stmt, 7);
	if (state == NULL || task_state_from_name(state, &t->state) != 0)
		fatalx("task %lld has unknown state %s", (long long)t->id,
		    state == NULL ? "(null)" : state);
	t->stored = t->state;
	t->branch = store_col_text(stmt, 8);
	t->worktree = store_col_text(stmt, 9);
	t->reason = store_col_text(stmt, 10);
	t->created_at = sqlite3_column_int64(stmt, 11);
	t->updated_at = sqlite3_column_int64(stmt, 12);
	t->finished_at = sqlite3_column_int64(stmt, 13);
	t->not_before = sqlite3_column_int64(stmt, 14);
	t->failures = (u_int)sqlite3_column_int(stmt, 15);
	kind = (const char *)sqlite3_column_text(stmt, 16);
	if (kind == NULL || task_kind_from_name(kind, &t->kind) != 0)
		fatalx("task %lld has unknown kind", (long long)t->id);
	t->target_id = sqlite3_column_int64(stmt, 17);
	t->rounds = (u_int)sqlite3_column_int(stmt, 18);
	t->merge_base = store_col_text(stmt, 19);
	return (t);
}

static void
bind_opt_id(sqlite3_stmt *stmt, int i, int64_t id)
{
	if (id == 0)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_int64(stmt, i, id);
}

static void
bind_opt_text(sqlite3_stmt *stmt, int i, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC);
}

/* Insert a task; its id comes back and is set in t. */
int64_t
store_task_add(struct store *s, struct task *t, char **cause)
{
	static const char	*sql = "INSERT INTO tasks (sprint_id, "
	    "parent_id, title, body, role, priority, state, created_at, "
	    "updated_at, finished_at, kind, target_id) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*stmt;
	int64_t			 now = store_now();

	stmt = store_prepare(s, sql);
	bind_opt_id(stmt, 1, t->sprint_id);
	bind_opt_id(stmt, 2, t->parent_id);
	sqlite3_bind_text(stmt, 3, t->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, t->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, t->role, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, t->priority);
	sqlite3_bind_text(stmt, 7, task_state_name(t->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, now);
	sqlite3_bind_int64(stmt, 9, now);
	if (task_state_is_final(t->state))
		sqlite3_bind_int64(stmt, 10, now);
	else
		sqlite3_bind_null(stmt, 10);
	sqlite3_bind_text(stmt, 11, task_kind_name(t->kind), -1, SQLITE_STATIC);
	bind_opt_id(stmt, 12, t->target_id);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	t->id = sqlite3_last_insert_rowid(s->db);
	t->created_at = t->updated_at = now;
	t->stored = t->state;
	return (t->id);
}

/*
 * Write back every field a command may change; with cas, only if the task
 * is still in the state it was read in, so that what baton decided from an
 * old read never undoes a cancel or a retry made meanwhile.
 */
static int
store_task_write(struct store *s, struct task *t, int cas, char **cause)
{
	static const char	*sql = "UPDATE tasks SET sprint_id = ?, "
	    "parent_id = ?, title = ?, body = ?, role = ?, priority = ?, "
	    "state = ?, branch = ?, worktree = ?, reason = ?, updated_at = ?, "
	    "finished_at = ?, not_before = ?, failures = ?, rounds = ?, "
	    "merge_base = ? WHERE id = ? AND (?18 = 0 OR state = ?19)";
	sqlite3_stmt		*stmt;
	int64_t			 now = store_now();

	if (task_state_is_final(t->state)) {
		if (t->finished_at == 0)
			t->finished_at = now;
	} else
		t->finished_at = 0;
	t->updated_at = now;

	stmt = store_prepare(s, sql);
	bind_opt_id(stmt, 1, t->sprint_id);
	bind_opt_id(stmt, 2, t->parent_id);
	sqlite3_bind_text(stmt, 3, t->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, t->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, t->role, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, t->priority);
	sqlite3_bind_text(stmt, 7, task_state_name(t->state), -1,
	    SQLITE_STATIC);
	bind_opt_text(stmt, 8, t->branch);
	bind_opt_text(stmt, 9, t->worktree);
	bind_opt_text(stmt, 10, t->reason);
	sqlite3_bind_int64(stmt, 11, now);
	bind_opt_id(stmt, 12, t->finished_at);
	bind_opt_id(stmt, 13, t->not_before);
	sqlite3_bind_int(stmt, 14, (int)t->failures);
	sqlite3_bind_int(stmt, 15, (int)t->rounds);
	bind_opt_text(stmt, 16, t->merge_base);
	sqlite3_bind_int64(stmt, 17, t->id);
	sqlite3_bind_int(stmt, 18, cas);
	sqlite3_bind_text(stmt, 19, task_state_name(t->stored), -1,
	    SQLITE_STATIC);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	if (cas && sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "#%lld changed meanwhile (it is no longer %s)",
		    (long long)t->id, task_state_name(t->stored));
		return (-1);
	}
	t->stored = t->state;
	return (0);
}

int
store_task_update(struct store *s, struct task *t, char **cause)
{
	return (store_task_write(s, t, 0, cause));
}

/* Write a task back only if its state is still the one it was read in. */
int
store_task_update_cas(struct store *s, struct task *t, char **cause)
{
	return (store_task_write(s, t, 1, cause));
}

/* Fill in the task's blockers, and which of them are not done. */
int
store_task_load_deps(struct store *s, struct task *t, char **cause)
{
	static const char	*sql = "SELECT d.blocker_id, b.state FROM "
	    "task_deps d JOIN tasks b ON b.id = d.blocker_id WHERE "
	    "d.task_id = ? ORDER BY d.blocker_id";
	sqlite3_stmt		*stmt;
	int			 rc;
	int64_t			 id;
	const char		*state;

	free(t->blocked_by);
	free(t->open_blockers);
	t->blocked_by = t->open_blockers = NULL;
	t->nblocked_by = t->nopen_blockers = 0;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, t->id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		state = (const char *)sqlite3_column_text(stmt, 1);
		t->blocked_by = xreallocarray(t->blocked_by,
		    t->nblocked_by + 1, sizeof *t->blocked_by);
		t->blocked_by[t->nblocked_by++] = id;
		if (state == NULL || strcmp(state, "done") != 0) {
			t->open_blockers = xreallocarray(t->open_blockers,
			    t->nopen_blockers + 1, sizeof *t->open_blockers);
			t->open_blockers[t->nopen_blockers++] = id;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		return (-1);
	}
	return (0);
}

/* One task with its edges, or NULL (cause set only on a store error). */
struct task *
store_task_get(struct store *s, int64_t id, char **cause)
{
	static const char	*sql = "SELECT " TASK_COLUMNS " FROM tasks "
	    "WHERE id = ?";
	sqlite3_stmt		*stmt;
	struct task		*t;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			*cause = store_errmsg(s);
		sqlite3_reset(stmt);
		return (NULL);
	}
	t = task_from_row(stmt);
	sqlite3_reset(stmt);
	if (store_task_load_deps(s, t, cause) != 0) {
		task_free(t);
		return (NULL);
	}
	return (t);
}

int
store_task_exists(struct store *s, int64_t id)
{
	static const char	*sql = "SELECT 1 FROM tasks WHERE id = ?";

	return (store_has_row(s, sql, id, 0));
}

/*
 * List tasks, oldest first: sprint -1 for every task, 0 for those in no
 * sprint, else that sprint's. state filters by state name when not NULL.
 */
int
store_task_list(struct store *s, const char *state, int64_t sprint,
    struct task_list *list, char **cause)
{
	static const char	*sql = "SELECT " TASK_COLUMNS " FROM tasks "
	    "WHERE (?1 IS NULL OR state = ?1) AND (?2 = -1 OR "
	    "(?2 = 0 AND sprint_id IS NULL) OR sprint_id = ?2) ORDER BY id";
	sqlite3_stmt		*stmt;
	struct task		*t;
	int			 rc;
	size_t			 i;

	memset(list, 0, sizeof *list);
	stmt = store_prepare(s, sql);
	bind_opt_text(stmt, 1, state);
	sqlite3_bind_int64(stmt, 2, sprint);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		t = task_from_row(stmt);
		list->items = xreallocarray(list->items, list->count + 1,
		    sizeof *list->items);
		list->items[list->count++] = t;
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		task_list_free(list);
		return (-1);
	}
	for (i = 0; i < list->count; i++) {
		if (store_task_load_deps(s, list->items[i], cause) != 0) {
			task_list_free(list);
			return (-1);
		}
	}
	return (0);
}

/* Collect the ids one query returns for one id argument. */
static int
store_ids(struct store *s, const char *sql, int64_t id, int64_t **ids,
    size_t *n, char **cause)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	*ids = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		free(*ids);
		*ids = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}

int
store_task_children(struct store *s, int64_t id, int64_t **ids, size_t *n,
    char **cause)
{
	static const char	*sql = "SELECT id FROM tasks WHERE "
	    "parent_id = ? ORDER BY id";

	return (store_ids(s, sql, id, ids, n, cause));
}

/* The tasks that id blocks. */
int
store_task_blocks(struct store *s, int64_t id, int64_t **ids, size_t *n,
    char **cause)
{
	static const char	*sql = "SELECT task_id FROM task_deps WHERE "
	    "blocker_id = ? ORDER BY task_id";

	return (store_ids(s, sql, id, ids, n, cause));
}

int
store_dep_exists(struct store *s, int64_t task, int64_t blocker)
{
	static const char	*sql = "SELECT 1 FROM task_deps WHERE "
	    "task_id = ? AND blocker_id = ?";

	return (store_has_row(s, sql, task, blocker));
}

int
store_dep_add(struct store *s, int64_t task, int64_t blocker, char **cause)
{
	static const char	*sql = "INSERT INTO task_deps (task_id, "
	    "blocker_id, created_at) VALUES (?, ?, ?)";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	sqlite3_bind_int64(stmt, 2, blocker);
	sqlite3_bind_int64(stmt, 3, store_now());
	return (store_step(s, stmt, cause));
}

/* Remove an edge; removing one that is not there is an error. */
int
store_dep_rm(struct store *s, int64_t task, int64_t blocker, char **cause)
{
	static const char	*sql = "DELETE FROM task_deps WHERE "
	    "task_id = ? AND blocker_id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	sqlite3_bind_int64(stmt, 2, blocker);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	if (sqlite3_changes(s->db) == 0) {
		xasprintf(cause, "#%lld is not blocked by #%lld",
		    (long long)task, (long long)blocker);
		return (-1);
	}
	return (0);
}

/* Load every task id and edge into a graph. */
int
store_dag_load(struct store *s, struct dag *dag, char **cause)
{
	static const char	*sql_ids = "SELECT id FROM tasks";
	static const char	*sql_edges = "SELECT task_id, blocker_id "
	    "FROM task_deps";
	sqlite3_stmt		*stmt;
	int			 rc;

	dag_init(dag);
	stmt = store_prepare(s, sql_ids);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		dag_add_node(dag, sqlite3_column_int64(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	stmt = store_prepare(s, sql_edges);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		dag_add_edge(dag, sqlite3_column_int64(stmt, 0),
		    sqlite3_column_int64(stmt, 1));
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE)
		goto fail;
	dag_sort(dag);
	return (0);

fail:
	*cause = store_errmsg(s);
	dag_free(dag);
	return (-1);
}
