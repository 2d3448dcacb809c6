/* merge: land a finished task's branch on main. */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_merge_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_merge_entry = {
	.name = "merge",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Rebase task N's branch onto main and fast-forward main to it, "
	    "then remove its worktree and branch and mark it done.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_merge_exec,
};

/*
 * Record the outcome on the task: done when merged, else why not in its
 * reason. The task is read again, as baton-git changed its branch and
 * worktree.
 */
static int
merge_record(struct cmd_ctx *ctx, int64_t id, struct merge_result *m,
    char **cause)
{
	struct task	*t;

	if (store_begin(ctx->store, cause) != 0)
		return (-1);
	if ((t = store_task_get(ctx->store, id, cause)) == NULL) {
		if (*cause == NULL)
			xasprintf(cause, "#%lld is gone", (long long)id);
		store_rollback(ctx->store);
		return (-1);
	}
	if (m->result == MERGE_MERGED) {
		t->state = TASK_DONE;
		/* A kept worktree's reason still matters; others are over. */
		if (t->reason != NULL &&
		    strncmp(t->reason, "worktree kept: ", 15) != 0) {
			free(t->reason);
			t->reason = NULL;
		}
	} else {
		free(t->reason);
		t->reason = xstrdup(m->message);
	}
	if (store_task_update(ctx->store, t, cause) != 0 ||
	    store_commit(ctx->store, cause) != 0) {
		store_rollback(ctx->store);
		task_free(t);
		return (-1);
	}
	task_free(t);
	return (0);
}

static int
cmd_merge_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct merge_result	 m;
	struct task		*t;
	char			*cause = NULL, *id = NULL, *safe;
	size_t			 i;
	int			 json = 0, a, rc;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = 1;
		else if (id == NULL && argv[a][0] != '-')
			id = argv[a];
		else
			return (cmd_usage_error(&cmd_merge_entry,
			    "unexpected argument: %s", argv[a]));
	}
	if (id == NULL)
		return (cmd_usage_error(&cmd_merge_entry, "give a task id"));
	if ((t = cmd_get_task(ctx, id, &rc)) == NULL)
		return (rc);

	if (gitc_merge(ctx->repo, t->id, &m, &cause) != 0) {
		task_free(t);
		return (cmd_fail(ctx, cause));
	}
	if (merge_record(ctx, t->id, &m, &cause) != 0) {
		merge_result_free(&m);
		task_free(t);
		return (cmd_fail(ctx, cause));
	}

	if (json)
		cmd_print_json(merge_json(t, &m));
	if (m.result == MERGE_MERGED) {
		if (!json) {
			safe = util_vis(m.message, 0);
			printf("%s\n", safe);
			free(safe);
			for (i = 0; i < m.log.n; i++) {
				safe = util_vis(m.log.lines[i], 0);
				printf("  %s\n", safe);
				free(safe);
			}
		}
		rc = BATON_EXIT_OK;
	} else
		rc = cmd_error("%s", m.message);
	merge_result_free(&m);
	task_free(t);
	return (rc);
}
