/* standup and retro: the reports of the views, printed without the UI. */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_standup_exec(struct cmd_ctx *, int, char **);
static int	cmd_retro_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_standup_entry = {
	.name = "standup",
	.alias = NULL,
	.usage = "[--json] [--mark]",
	.doc = "What was done since the last standup mark, what is in "
	    "progress, what is blocked or waiting and on what, and the spend "
	    "per role and provider. --mark sets a new mark afterwards.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_standup_exec,
};

const struct cmd_entry cmd_retro_entry = {
	.name = "retro",
	.alias = NULL,
	.usage = "[--sprint N] [--markdown | --json]",
	.doc = "Look back on a sprint (the open one, else the latest): what "
	    "landed, failed or was cancelled, attempts, fallbacks, rate-limit "
	    "waits, cost by role, provider and model, cycle time, lessons.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_retro_exec,
};

enum { OPT_JSON = 256, OPT_MARK, OPT_MARKDOWN, OPT_SPRINT };

static void
report_print(struct text *t)
{
	size_t	i;
	char	*safe;

	for (i = 0; i < t->n; i++) {
		safe = util_vis(t->lines[i].text, 0);
		puts(safe);
		free(safe);
	}
}

static int
cmd_standup_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "mark", no_argument, NULL, OPT_MARK },
		{ NULL, 0, NULL, 0 }
	};
	struct standup			 su;
	struct text			 text;
	char				*cause = NULL;
	int				 ch, json = 0, mark = 0;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_MARK:
			mark = 1;
			break;
		default:
			return (cmd_usage_error(&cmd_standup_entry, "bad "
			    "option: %s", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (cmd_usage_error(&cmd_standup_entry, "unexpected "
		    "argument: %s", argv[optind]));
	if (report_standup(ctx->store, store_now(), &su, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if (json)
		cmd_print_json(report_standup_json(&su));
	else {
		memset(&text, 0, sizeof text);
		report_standup_text(&su, &text);
		report_print(&text);
		text_free(&text);
	}
	report_standup_free(&su);
	if (mark && store_mark_set(ctx->store, "standup", store_now(),
	    &cause) != 0)
		return (cmd_fail(ctx, cause));
	return (BATON_EXIT_OK);
}

static int
cmd_retro_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "markdown", no_argument, NULL, OPT_MARKDOWN },
		{ "sprint", required_argument, NULL, OPT_SPRINT },
		{ NULL, 0, NULL, 0 }
	};
	struct retro			 r;
	struct text			 text;
	int64_t				 sprint = 0;
	char				*cause = NULL;
	int				 ch, json = 0, md = 0;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_MARKDOWN:
			md = 1;
			break;
		case OPT_SPRINT:
			if (cmd_parse_id(optarg, &sprint) != 0)
				return (cmd_usage_error(&cmd_retro_entry,
				    "not a sprint id: %s", optarg));
			break;
		default:
			return (cmd_usage_error(&cmd_retro_entry, "bad option: "
			    "%s", argv[optind - 1]));
		}
	}
	if (optind != argc)
		return (cmd_usage_error(&cmd_retro_entry, "unexpected "
		    "argument: %s", argv[optind]));
	if (json && md)
		return (cmd_usage_error(&cmd_retro_entry, "--json and "
		    "--markdown do not go together"));
	if (report_retro(ctx->store, sprint, &r, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if (json)
		cmd_print_json(report_retro_json(&r));
	else {
		memset(&text, 0, sizeof text);
		report_retro_text(&r, md, &text);
		report_print(&text);
		text_free(&text);
	}
	report_retro_free(&r);
	return (BATON_EXIT_OK);
}
