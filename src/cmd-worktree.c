/* worktree add and worktree rm: a task's own git worktree and branch. */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_worktree_add_exec(struct cmd_ctx *, int, char **);
static int	cmd_worktree_rm_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_worktree_add_entry = {
	.name = "worktree add",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Make task N's worktree and branch from main, or heal and reuse "
	    "them, and print where they are.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_worktree_add_exec,
};

const struct cmd_entry cmd_worktree_rm_entry = {
	.name = "worktree rm",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Remove task N's worktree and branch, unless that would lose "
	    "uncommitted changes or commits main lacks (exit 3).",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_worktree_rm_exec,
};

static void
worktree_print_steps(struct worktree_log *log)
{
	size_t	 i;
	char	*safe;

	for (i = 0; i < log->n; i++) {
		safe = util_vis(log->lines[i], 0);
		printf("  %s\n", safe);
		free(safe);
	}
}

/* Both commands: N and --json. */
static struct task *
worktree_args(struct cmd_ctx *ctx, const struct cmd_entry *entry, int argc,
    char **argv, int *json, int *rc)
{
	int	 i;
	char	*id = NULL;

	*json = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (id == NULL && argv[i][0] != '-')
			id = argv[i];
		else {
			*rc = cmd_usage_error(entry, "unexpected argument: %s",
			    argv[i]);
			return (NULL);
		}
	}
	if (id == NULL) {
		*rc = cmd_usage_error(entry, "give a task id");
		return (NULL);
	}
	return (cmd_get_task(ctx, id, rc));
}

static int
cmd_worktree_add_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct worktree_log	 log = { NULL, 0 };
	struct task		*t;
	char			*cause = NULL, *safe;
	int			 json, rc;

	if ((t = worktree_args(ctx, &cmd_worktree_add_entry, argc, argv, &json,
	    &rc)) == NULL)
		return (rc);
	if (gitc_worktree_ensure(ctx->repo, t, &log, &cause) != 0) {
		worktree_log_free(&log);
		task_free(t);
		return (cmd_fail(ctx, cause));
	}
	if (json)
		cmd_print_json(worktree_json(t, &log, "ready"));
	else {
		safe = util_vis(t->worktree, 0);
		printf("#%lld: %s on branch %s\n", (long long)t->id, safe,
		    t->branch);
		free(safe);
		worktree_print_steps(&log);
	}
	worktree_log_free(&log);
	task_free(t);
	return (BATON_EXIT_OK);
}

static int
cmd_worktree_rm_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct worktree_log	 log = { NULL, 0 };
	struct task		*t;
	char			*cause = NULL;
	int			 json, rc;

	if ((t = worktree_args(ctx, &cmd_worktree_rm_entry, argc, argv, &json,
	    &rc)) == NULL)
		return (rc);
	rc = gitc_worktree_remove(ctx->repo, t, &log, &cause);
	if (rc == -1) {
		worktree_log_free(&log);
		task_free(t);
		return (cmd_fail(ctx, cause));
	}
	if (json)
		cmd_print_json(worktree_json(t, &log,
		    rc == WORKTREE_KEPT ? "kept" : "removed"));
	else if (rc == WORKTREE_KEPT)
		cmd_error("#%lld: %s", (long long)t->id, t->reason);
	else {
		printf("#%lld: worktree and branch removed\n",
		    (long long)t->id);
		worktree_print_steps(&log);
	}
	worktree_log_free(&log);
	task_free(t);
	return (rc == WORKTREE_KEPT ? BATON_EXIT_KEPT : BATON_EXIT_OK);
}
