/* go, pause and retry: letting the scheduler work the open sprint. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

static int	cmd_go_exec(struct cmd_ctx *, int, char **);
static int	cmd_pause_exec(struct cmd_ctx *, int, char **);
static int	cmd_retry_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_go_entry = {
	.name = "go",
	.alias = NULL,
	.usage = "",
	.doc = "Let baton work the open sprint: 'baton run' or the screen "
	    "dispatches its ready tasks, judges and lands their runs.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_go_exec,
};

const struct cmd_entry cmd_pause_entry = {
	.name = "pause",
	.alias = NULL,
	.usage = "",
	.doc = "Stop dispatching the open sprint; running agents go on, and "
	    "their results wait for 'baton go'.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_pause_exec,
};

const struct cmd_entry cmd_retry_entry = {
	.name = "retry",
	.alias = NULL,
	.usage = "N",
	.doc = "Make a blocked, failed or waiting task N ready again, with its "
	    "count of failed attempts reset.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_retry_exec,
};

/* Set the open sprint going or paused. */
int
sched_set_going(struct store *s, int going, char **cause)
{
	int64_t	sprint;

	if (store_sprint_open_id(s, &sprint, cause) != 0)
		return (-1);
	if (sprint == 0) {
		xasprintf(cause, "no sprint is open: 'baton sprint new NAME' "
		    "opens one");
		return (-1);
	}
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_sprint_set_going(s, sprint, going, cause) != 0 ||
	    store_commit(s, cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (0);
}

static int
cmd_go_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	*cause = NULL;
	int	 fd;

	if (argc != 1)
		return (cmd_usage_error(&cmd_go_entry, "unexpected argument: "
		    "%s", argv[1]));
	if (sched_set_going(ctx->store, 1, &cause) != 0)
		return (cmd_fail(ctx, cause));
	printf("the sprint is going\n");

	/* Say so when no baton is there to do the work. */
	if ((fd = runtime_lock(ctx->repo, 0, &cause)) != -1) {
		close(fd);
		fprintf(stderr, "baton: nothing is dispatching yet: start "
		    "'baton run' or 'baton'\n");
	} else
		free(cause);
	return (BATON_EXIT_OK);
}

static int
cmd_pause_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	*cause = NULL;

	if (argc != 1)
		return (cmd_usage_error(&cmd_pause_entry, "unexpected argument: "
		    "%s", argv[1]));
	if (sched_set_going(ctx->store, 0, &cause) != 0)
		return (cmd_fail(ctx, cause));
	printf("the sprint is paused; running agents go on\n");
	return (BATON_EXIT_OK);
}

/*
 * A retry says the person mended what stopped the task: lift the holds on
 * its role's providers that could not run as configured.
 */
static int
cmd_retry_setup(struct cmd_ctx *ctx, struct task *t, char **cause)
{
	struct config	*cf;
	struct role	*role;
	u_int		 i;
	int		 rc = 0;

	if ((cf = config_load(ctx->repo, cause)) == NULL) {
		free(*cause);	/* no roles to look at: nothing held */
		*cause = NULL;
		return (0);
	}
	if ((role = config_role(cf, t->role)) != NULL) {
		for (i = 0; i < role->nchain && rc == 0; i++)
			rc = store_limit_clear_setup(ctx->store,
			    role->chain[i]->name, cause);
	}
	config_free(cf);
	return (rc);
}

static int
cmd_retry_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task	*t;
	char		*cause = NULL;
	int		 rc;

	if (argc != 2)
		return (cmd_usage_error(&cmd_retry_entry, "give one task id"));
	if ((t = cmd_get_task(ctx, argv[1], &rc)) == NULL)
		return (rc);
	if (t->state != TASK_BLOCKED && t->state != TASK_FAILED &&
	    t->state != TASK_WAITING) {
		rc = cmd_error("#%lld is %s: only a blocked, failed or waiting "
		    "task can be retried", (long long)t->id,
		    task_state_name(t->state));
		task_free(t);
		return (rc);
	}
	t->state = TASK_READY;
	t->not_before = 0;
	t->failures = 0;
	free(t->reason);
	t->reason = NULL;
	if (store_begin(ctx->store, &cause) != 0 ||
	    store_task_update(ctx->store, t, &cause) != 0 ||
	    cmd_retry_setup(ctx, t, &cause) != 0 ||
	    store_commit(ctx->store, &cause) != 0) {
		store_rollback(ctx->store);
		task_free(t);
		return (cmd_fail(ctx, cause));
	}
	printf("#%lld is ready\n", (long long)t->id);
	task_free(t);
	return (BATON_EXIT_OK);
}
