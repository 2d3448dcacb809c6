/* init: make .baton/ in the repository. Harmless to run again. */

#include <stdlib.h>

#include "baton.h"

static int	cmd_init_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.alias = NULL,
	.usage = "",
	.doc = "Create .baton/ (database, config, run and worktree folders) in "
	    "this git repository and keep it out of git.",
	.flags = CMD_REPO,
	.exec = cmd_init_exec,
};

static int
cmd_init_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store	*s;
	char		*cause = NULL;

	if (argc != 1)
		return (cmd_usage_error(&cmd_init_entry, "unexpected argument: "
		    "%s", argv[1]));
	if (repo_init_dir(ctx->repo, &cause) != 0 ||
	    repo_exclude_baton(ctx->repo, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if ((s = store_open(ctx->repo->db_path, 1, &cause)) == NULL)
		return (cmd_fail(ctx, cause));
	printf("baton is set up in %s (schema %d)\n", ctx->repo->dir,
	    s->version);
	store_close(s);
	return (BATON_EXIT_OK);
}
