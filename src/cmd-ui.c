/* ui: the sprint board and its views; what plain "baton" opens. */

#include <stdlib.h>
#include <unistd.h>

#include "baton.h"

static int	cmd_ui_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_ui_entry = {
	.name = "ui",
	.alias = NULL,
	.usage = "",
	.doc = "Open the sprint board, live runs, task detail, standup and "
	    "retrospective views (also what 'baton' alone does here).",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_ui_exec,
};

static int
cmd_ui_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	*cause = NULL;
	int	 rc;

	if (argc > 1)
		return (cmd_usage_error(&cmd_ui_entry, "unexpected argument: "
		    "%s", argv[1]));
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return (cmd_error("the UI needs a terminal; try 'baton ls', "
		    "'baton standup' or 'baton retro'"));
	rc = ui_main(ctx->repo, ctx->store, &cause);
	if (rc != 0) {
		cmd_error("%s", cause);
		free(cause);
		return (BATON_EXIT_ERROR);
	}
	return (BATON_EXIT_OK);
}
