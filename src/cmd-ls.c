/* ls and ready: listings of the sprint's tasks. */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_ls_exec(struct cmd_ctx *, int, char **);
static int	cmd_ready_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_ls_entry = {
	.name = "ls",
	.alias = "list",
	.usage = "[--state S] [--all] [--json]",
	.doc = "List the open sprint's tasks (with no sprint open, the tasks "
	    "in none); --all lists every task.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_ls_exec,
};

const struct cmd_entry cmd_ready_entry = {
	.name = "ready",
	.alias = NULL,
	.usage = "[--all] [--json]",
	.doc = "List the tasks that can start now: not started, and everything "
	    "they wait on is done. Most urgent first, then oldest.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_ready_exec,
};

enum { OPT_STATE = 256, OPT_ALL, OPT_JSON };

static const struct option ls_options[] = {
	{ "state", required_argument, NULL, OPT_STATE },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/* Which sprint a listing covers: the open one, else none; -1 for all. */
static int
ls_scope(struct cmd_ctx *ctx, int all, int64_t *sprint, char **cause)
{
	if (all) {
		*sprint = -1;
		return (0);
	}
	return (store_sprint_open_id(ctx->store, sprint, cause));
}

static void
ls_print(struct task_list *list, int json)
{
	cJSON	*array;
	size_t	 i;

	if (json) {
		array = cJSON_CreateArray();
		for (i = 0; i < list->count; i++)
			cJSON_AddItemToArray(array,
			    task_to_json(list->items[i]));
		cmd_print_json(array);
	} else
		cmd_print_task_table(list);
}

static int
ls_parse(const struct cmd_entry *entry, int argc, char **argv,
    const char **state, int *all, int *json)
{
	enum task_state	 st;
	int		 ch;

	*all = *json = 0;
	if (state != NULL)
		*state = NULL;
	while ((ch = getopt_long(argc, argv, "", ls_options, NULL)) != -1) {
		switch (ch) {
		case OPT_STATE:
			if (state == NULL)
				goto bad;
			if (task_state_from_name(optarg, &st) != 0)
				return (cmd_usage_error(entry, "unknown state: "
				    "%s", optarg));
			*state = optarg;
			break;
		case OPT_ALL:
			*all = 1;
			break;
		case OPT_JSON:
			*json = 1;
			break;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		return (cmd_usage_error(entry, "unexpected argument: %s",
		    argv[optind]));
	return (BATON_EXIT_OK);
bad:
	return (cmd_usage_error(entry, "bad option: %s", argv[optind - 1]));
}

static int
cmd_ls_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_list	 list;
	const char		*state;
	int64_t			 sprint;
	char			*cause = NULL;
	int			 all, json, rc;

	rc = ls_parse(&cmd_ls_entry, argc, argv, &state, &all, &json);
	if (rc != BATON_EXIT_OK)
		return (rc);
	if (ls_scope(ctx, all, &sprint, &cause) != 0 ||
	    store_task_list(ctx->store, state, sprint, &list, &cause) != 0)
		return (cmd_fail(ctx, cause));
	ls_print(&list, json);
	task_list_free(&list);
	return (BATON_EXIT_OK);
}

static int
cmd_ready_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_list	 list;
	struct task		*t;
	int64_t			 sprint;
	size_t			 i, n;
	char			*cause = NULL;
	int			 all, json, rc;

	rc = ls_parse(&cmd_ready_entry, argc, argv, NULL, &all, &json);
	if (rc != BATON_EXIT_OK)
		return (rc);
	if (ls_scope(ctx, all, &sprint, &cause) != 0 ||
	    store_task_list(ctx->store, NULL, sprint, &list, &cause) != 0)
		return (cmd_fail(ctx, cause));

	/* Keep the tasks that can start, and free the rest. */
	for (i = n = 0; i < list.count; i++) {
		t = list.items[i];
		if (task_is_ready(t))
			list.items[n++] = t;
		else
			task_free(t);
	}
	list.count = n;
	if (n > 1)
		qsort(list.items, n, sizeof *list.items, dag_ready_compare);
	ls_print(&list, json);
	task_list_free(&list);
	return (BATON_EXIT_OK);
}
