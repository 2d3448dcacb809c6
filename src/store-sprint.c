/* Sprints in the store. At most one is open; tasks join the open one. */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

static struct sprint *
sprint_from_row(sqlite3_stmt *stmt)
{
	struct sprint	*sp;

	sp = xcalloc(1, sizeof *sp);
	sp->id = sqlite3_column_int64(stmt, 0);
	sp->name = xstrdup((const char *)sqlite3_column_text(stmt, 1));
	sp->open = sqlite3_column_int(stmt, 2);
	sp->created_at = sqlite3_column_int64(stmt, 3);
	sp->closed_at = sqlite3_column_int64(stmt, 4);
	return (sp);
}

void
sprint_free(struct sprint *sp)
{
	if (sp == NULL)
		return;
	free(sp->name);
	free(sp);
}

/*
 * Open a new sprint. Unfinished tasks in no sprint or in a closed one carry
 * over into it. Fails when a sprint is already open.
 */
int64_t
store_sprint_new(struct store *s, const char *name, char **cause)
{
	static const char	*sql = "INSERT INTO sprints (name, open, "
	    "created_at) VALUES (?, 1, ?)";
	static const char	*sql_carry = "UPDATE tasks SET sprint_id = ?, "
	    "updated_at = ? WHERE state NOT IN ('done', 'failed', "
	    "'cancelled') AND (sprint_id IS NULL OR sprint_id IN "
	    "(SELECT id FROM sprints WHERE open = 0))";
	sqlite3_stmt		*stmt;
	struct sprint		*open;
	int64_t			 id;

	if ((open = store_sprint_open(s, cause)) != NULL) {
		xasprintf(cause, "sprint '%s' is still open: close it first "
		    "with 'baton sprint close'", open->name);
		/* (cmd_error escapes the name before it reaches a terminal.) */
		sprint_free(open);
		return (-1);
	}
	if (*cause != NULL)
		return (-1);

	stmt = store_prepare(s, sql);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, store_now());
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	id = sqlite3_last_insert_rowid(s->db);

	stmt = store_prepare(s, sql_carry);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, store_now());
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	return (id);
}

/* The open sprint, or NULL (with cause set only on a store error). */
struct sprint *
store_sprint_open(struct store *s, char **cause)
{
	static const char	*sql = "SELECT id, name, open, created_at, "
	    "closed_at FROM sprints WHERE open = 1";
	sqlite3_stmt		*stmt;
	struct sprint		*sp = NULL;
	int			 rc;

	stmt = store_prepare(s, sql);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		sp = sprint_from_row(stmt);
	else if (rc != SQLITE_DONE)
		*cause = store_errmsg(s);
	sqlite3_reset(stmt);
	return (sp);
}

/* The open sprint's id in *id, 0 when none is open. */
int
store_sprint_open_id(struct store *s, int64_t *id, char **cause)
{
	struct sprint	*sp;

	*id = 0;
	if ((sp = store_sprint_open(s, cause)) != NULL) {
		*id = sp->id;
		sprint_free(sp);
	} else if (*cause != NULL)
		return (-1);
	return (0);
}

/* How many tasks a sprint holds, and how many of them are done. */
int
store_sprint_counts(struct store *s, int64_t id, size_t *tasks, size_t *done,
    char **cause)
{
	static const char	*sql = "SELECT count(*), coalesce(sum(state = "
	    "'done'), 0) FROM tasks WHERE sprint_id = ?";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		*cause = store_errmsg(s);
		sqlite3_reset(stmt);
		return (-1);
	}
	*tasks = (size_t)sqlite3_column_int64(stmt, 0);
	*done = (size_t)sqlite3_column_int64(stmt, 1);
	sqlite3_reset(stmt);
	return (0);
}

int
store_sprint_list(struct store *s, struct sprint ***list, size_t *n,
    char **cause)
{
	static const char	*sql = "SELECT id, name, open, created_at, "
	    "closed_at FROM sprints ORDER BY id";
	sqlite3_stmt		*stmt;
	int			 rc;

	*list = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = sprint_from_row(stmt);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		return (-1);
	}
	return (0);
}

int
store_sprint_close(struct store *s, int64_t id, char **cause)
{
	static const char	*sql = "UPDATE sprints SET open = 0, "
	    "closed_at = ? WHERE id = ? AND open = 1";
	sqlite3_stmt		*stmt;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, store_now());
	sqlite3_bind_int64(stmt, 2, id);
	return (store_step(s, stmt, cause));
}
