/* sprint new, sprint ls, sprint close. */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_sprint_new_exec(struct cmd_ctx *, int, char **);
static int	cmd_sprint_ls_exec(struct cmd_ctx *, int, char **);
static int	cmd_sprint_close_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_sprint_new_entry = {
	.name = "sprint new",
	.alias = NULL,
	.usage = "NAME",
	.doc = "Open a sprint. Unfinished tasks in no sprint or in a closed "
	    "one carry over into it.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_sprint_new_exec,
};

const struct cmd_entry cmd_sprint_ls_entry = {
	.name = "sprint ls",
	.alias = NULL,
	.usage = "[--json]",
	.doc = "List sprints with their task counts.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_sprint_ls_exec,
};

const struct cmd_entry cmd_sprint_close_entry = {
	.name = "sprint close",
	.alias = NULL,
	.usage = "",
	.doc = "Close the open sprint.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_sprint_close_exec,
};

static int
cmd_sprint_new_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	*cause = NULL, *safe;
	int64_t	 id;

	if (argc != 2)
		return (cmd_usage_error(&cmd_sprint_new_entry, "give one NAME"));
	if (task_check_title(argv[1], &cause) != 0) {
		free(cause);
		return (cmd_usage_error(&cmd_sprint_new_entry, "a sprint needs "
		    "a name that is not empty"));
	}
	if (store_begin(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if ((id = store_sprint_new(ctx->store, argv[1], &cause)) == -1 ||
	    store_commit(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	safe = util_vis(argv[1], 0);
	printf("opened sprint %lld: %s\n", (long long)id, safe);
	free(safe);
	return (BATON_EXIT_OK);
}

static int
cmd_sprint_ls_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sprint		**list;
	cJSON			 *array, *obj;
	size_t			  n, i, j, tasks, done;
	char			 *cause = NULL, *safe, *created;
	int			  json, rc;

	if ((rc = cmd_parse_json_only(&cmd_sprint_ls_entry, argc, argv, 0,
	    &json)) != BATON_EXIT_OK)
		return (rc);
	if (store_sprint_list(ctx->store, &list, &n, &cause) != 0)
		return (cmd_fail(ctx, cause));

	array = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if (store_sprint_counts(ctx->store, list[i]->id, &tasks, &done,
		    &cause) != 0) {
			cJSON_Delete(array);
			for (j = 0; j < n; j++)
				sprint_free(list[j]);
			free(list);
			return (cmd_fail(ctx, cause));
		}
		if (json) {
			obj = cJSON_CreateObject();
			cJSON_AddNumberToObject(obj, "id", (double)list[i]->id);
			cJSON_AddItemToObject(obj, "name",
			    json_string(list[i]->name));
			cJSON_AddBoolToObject(obj, "open", list[i]->open);
			cJSON_AddNumberToObject(obj, "tasks", (double)tasks);
			cJSON_AddNumberToObject(obj, "done", (double)done);
			cJSON_AddNumberToObject(obj, "created_at",
			    (double)list[i]->created_at);
			cJSON_AddItemToObject(obj, "closed_at",
			    json_opt_id(list[i]->closed_at));
			cJSON_AddItemToArray(array, obj);
		} else {
			safe = util_vis(list[i]->name, 200);
			created = util_time(list[i]->created_at);
			printf("%3lld  %-6s %s  %3zu/%-3zu done  %s\n",
			    (long long)list[i]->id,
			    list[i]->open ? "open" : "closed", created, done,
			    tasks, safe);
			free(created);
			free(safe);
		}
		sprint_free(list[i]);
	}
	free(list);
	if (json)
		cmd_print_json(array);
	else
		cJSON_Delete(array);
	return (BATON_EXIT_OK);
}

static int
cmd_sprint_close_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sprint	*sp;
	char		*cause = NULL, *safe;

	if (argc != 1)
		return (cmd_usage_error(&cmd_sprint_close_entry, "unexpected "
		    "argument: %s", argv[1]));
	if (store_begin(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if ((sp = store_sprint_open(ctx->store, &cause)) == NULL) {
		if (cause == NULL)
			cause = xstrdup("no sprint is open");
		return (cmd_fail(ctx, cause));
	}
	if (store_sprint_close(ctx->store, sp->id, &cause) != 0 ||
	    store_commit(ctx->store, &cause) != 0) {
		sprint_free(sp);
		return (cmd_fail(ctx, cause));
	}
	safe = util_vis(sp->name, 0);
	printf("closed sprint %lld: %s\n", (long long)sp->id, safe);
	free(safe);
	sprint_free(sp);
	return (BATON_EXIT_OK);
}
