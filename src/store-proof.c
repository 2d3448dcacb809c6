/*
 * Merge proofs in the store: one row per landing, saying whether every
 * commit and the net change of a task's branch were found on main after it
 * moved. The row's proof column is the whole check as JSON.
 */

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "baton.h"

#define PROOF_COLUMNS "id, task_id, at, ok, main_before, main_after, " \
	"branch_head, commits, proof"

void
merge_proof_free(struct merge_proof *p)
{
	if (p == NULL)
		return;
	free(p->main_before);
	free(p->main_after);
	free(p->branch_head);
	free(p->proof);
	free(p);
}

static struct merge_proof *
proof_from_row(sqlite3_stmt *stmt)
{
	struct merge_proof	*p;

	p = xcalloc(1, sizeof *p);
	p->id = sqlite3_column_int64(stmt, 0);
	p->task_id = sqlite3_column_int64(stmt, 1);
	p->at = sqlite3_column_int64(stmt, 2);
	p->ok = sqlite3_column_int(stmt, 3);
	p->main_before = store_col_text(stmt, 4);
	p->main_after = store_col_text(stmt, 5);
	p->branch_head = store_col_text(stmt, 6);
	p->commits = (u_int)sqlite3_column_int64(stmt, 7);
	p->proof = store_col_text(stmt, 8);
	if (p->proof == NULL)
		p->proof = xstrdup("{}");
	return (p);
}

static void
proof_bind_text(sqlite3_stmt *stmt, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, col);
	else
		sqlite3_bind_text(stmt, col, s, -1, SQLITE_STATIC);
}

/* Record a proof; its id, or -1. p->at is set to now when it is 0. */
int64_t
store_proof_add(struct store *s, struct merge_proof *p, char **cause)
{
	static const char	*sql = "INSERT INTO merge_proofs (task_id, "
	    "at, ok, main_before, main_after, branch_head, commits, proof) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt		*stmt;

	if (p->at == 0)
		p->at = store_now();
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, p->task_id);
	sqlite3_bind_int64(stmt, 2, p->at);
	sqlite3_bind_int(stmt, 3, p->ok ? 1 : 0);
	proof_bind_text(stmt, 4, p->main_before);
	proof_bind_text(stmt, 5, p->main_after);
	proof_bind_text(stmt, 6, p->branch_head);
	sqlite3_bind_int64(stmt, 7, p->commits);
	proof_bind_text(stmt, 8, p->proof);
	if (store_step(s, stmt, cause) != 0)
		return (-1);
	p->id = sqlite3_last_insert_rowid(s->db);
	return (p->id);
}

/*
 * The proof already recorded for task's landing at main_after, or NULL
 * (with cause set only on a store error). A landing is proved once.
 */
struct merge_proof *
store_proof_find(struct store *s, int64_t task, const char *main_after,
    char **cause)
{
	static const char	*sql = "SELECT " PROOF_COLUMNS " FROM "
	    "merge_proofs WHERE task_id = ? AND main_after = ? "
	    "ORDER BY id LIMIT 1";
	sqlite3_stmt		*stmt;
	struct merge_proof	*p = NULL;
	int			 rc;

	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	sqlite3_bind_text(stmt, 2, main_after, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		p = proof_from_row(stmt);
	else if (rc != SQLITE_DONE)
		*cause = store_errmsg(s);
	sqlite3_reset(stmt);
	return (p);
}

/* Every proof recorded for a task, oldest first. */
int
store_proof_list(struct store *s, int64_t task, struct merge_proof ***list,
    size_t *n, char **cause)
{
	static const char	*sql = "SELECT " PROOF_COLUMNS " FROM "
	    "merge_proofs WHERE task_id = ? ORDER BY id";
	sqlite3_stmt		*stmt;
	size_t			 i;
	int			 rc;

	*list = NULL;
	*n = 0;
	stmt = store_prepare(s, sql);
	sqlite3_bind_int64(stmt, 1, task);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = proof_from_row(stmt);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		*cause = store_errmsg(s);
		for (i = 0; i < *n; i++)
			merge_proof_free((*list)[i]);
		free(*list);
		*list = NULL;
		*n = 0;
		return (-1);
	}
	return (0);
}
