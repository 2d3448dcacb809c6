/* dep add, dep rm: blocked_by edges, refused when they would close a loop. */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "baton.h"

static int	cmd_dep_add_exec(struct cmd_ctx *, int, char **);
static int	cmd_dep_rm_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_dep_add_entry = {
	.name = "dep add",
	.alias = NULL,
	.usage = "N M",
	.doc = "Make task N wait on task M (N is blocked by M).",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_dep_add_exec,
};

const struct cmd_entry cmd_dep_rm_entry = {
	.name = "dep rm",
	.alias = NULL,
	.usage = "N M",
	.doc = "Stop task N waiting on task M.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_dep_rm_exec,
};

/* Parse "N M" into two ids that name tasks in the store. */
static int
dep_args(struct cmd_ctx *ctx, const struct cmd_entry *entry, int argc,
    char **argv, int64_t *task, int64_t *blocker)
{
	if (argc != 3)
		return (cmd_usage_error(entry, "give two task ids"));
	if (cmd_parse_id(argv[1], task) != 0)
		return (cmd_error("not a task id: %s", argv[1]));
	if (cmd_parse_id(argv[2], blocker) != 0)
		return (cmd_error("not a task id: %s", argv[2]));
	if (!store_task_exists(ctx->store, *task))
		return (cmd_error("no task #%lld", (long long)*task));
	if (!store_task_exists(ctx->store, *blocker))
		return (cmd_error("no task #%lld", (long long)*blocker));
	return (BATON_EXIT_OK);
}

static int
cmd_dep_add_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct dag	 dag;
	int64_t		 task, blocker, *path;
	size_t		 n;
	char		*cause = NULL, *cycle;
	int		 rc;

	if (store_begin(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	rc = dep_args(ctx, &cmd_dep_add_entry, argc, argv, &task, &blocker);
	if (rc != BATON_EXIT_OK) {
		store_rollback(ctx->store);
		return (rc);
	}
	if (task == blocker) {
		xasprintf(&cause, "#%lld cannot wait on itself",
		    (long long)task);
		return (cmd_fail(ctx, cause));
	}
	if (store_dep_exists(ctx->store, task, blocker)) {
		xasprintf(&cause, "#%lld already waits on #%lld",
		    (long long)task, (long long)blocker);
		return (cmd_fail(ctx, cause));
	}

	/* The edge closes a loop if the blocker already waits on the task. */
	if (store_dag_load(ctx->store, &dag, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if (dag_path(&dag, blocker, task, &path, &n)) {
		/* The loop: the task, then the path back round to it. */
		path = xreallocarray(path, n + 1, sizeof *path);
		memmove(path + 1, path, n * sizeof *path);
		path[0] = task;
		cycle = dag_format_path(path, n + 1, "#", 0);
		xasprintf(&cause, "#%lld cannot wait on #%lld: that makes a "
		    "cycle %s", (long long)task, (long long)blocker, cycle);
		free(cycle);
		free(path);
		dag_free(&dag);
		return (cmd_fail(ctx, cause));
	}
	dag_free(&dag);

	if (store_dep_add(ctx->store, task, blocker, &cause) != 0 ||
	    store_commit(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	printf("#%lld now waits on #%lld\n", (long long)task,
	    (long long)blocker);
	return (BATON_EXIT_OK);
}

static int
cmd_dep_rm_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	int64_t	 task, blocker;
	char	*cause = NULL;
	int	 rc;

	if (store_begin(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	rc = dep_args(ctx, &cmd_dep_rm_entry, argc, argv, &task, &blocker);
	if (rc != BATON_EXIT_OK) {
		store_rollback(ctx->store);
		return (rc);
	}
	if (store_dep_rm(ctx->store, task, blocker, &cause) != 0 ||
	    store_commit(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	printf("#%lld no longer waits on #%lld\n", (long long)task,
	    (long long)blocker);
	return (BATON_EXIT_OK);
}
