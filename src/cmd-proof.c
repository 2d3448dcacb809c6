/* proof: what the merge queue proved of a task's landing on main. */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_proof_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_proof_entry = {
	.name = "proof",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Show the recorded proofs that task N's landings on main "
	    "dropped none of its commits or its net change.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_proof_exec,
};

/* A stored proof as an object: its JSON with the row's id and time. */
static cJSON *
proof_object(struct merge_proof *p)
{
	cJSON	*obj;

	if ((obj = cJSON_Parse(p->proof)) == NULL || !cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		obj = cJSON_CreateObject();
		cJSON_AddBoolToObject(obj, "ok", p->ok);
		cJSON_AddStringToObject(obj, "error", "unreadable proof");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "at");
	cJSON_AddNumberToObject(obj, "id", (double)p->id);
	cJSON_AddNumberToObject(obj, "at", (double)p->at);
	return (obj);
}

static void
proof_print_line(const char *fmt, const char *text)
{
	char	*safe;

	safe = util_vis(text != NULL ? text : "-", 0);
	printf(fmt, safe);
	free(safe);
}

/* One proof for people: when, ok or not, what moved, what is missing. */
static void
proof_print(struct merge_proof *p)
{
	cJSON		*obj, *item;
	const char	*net, *oid, *summary;
	char		*when, *line;

	obj = cJSON_Parse(p->proof);
	when = util_time(p->at);
	printf("proof %lld at %s: %s\n", (long long)p->id, when,
	    p->ok ? "ok" : "NOT PROVED");
	free(when);
	xasprintf(&line, "%.12s -> %.12s", p->main_before != NULL ?
	    p->main_before : "-", p->main_after != NULL ? p->main_after : "-");
	proof_print_line("  main:     %s\n", line);
	free(line);
	proof_print_line("  branch:   %s\n", p->branch_head);
	printf("  commits:  %u checked\n", p->commits);
	net = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj,
	    "net_diff"));
	proof_print_line("  net diff: %s\n", net);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(obj,
	    "missing")) {
		oid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    item, "oid"));
		summary = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(item, "summary"));
		xasprintf(&line, "%.12s %s", oid != NULL ? oid : "?",
		    summary != NULL ? summary : "");
		proof_print_line("  missing:  %s\n", line);
		free(line);
	}
	cJSON_Delete(obj);
}

static int
cmd_proof_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct merge_proof	**list;
	struct task		 *t;
	cJSON			 *array;
	char			 *cause = NULL, *id = NULL;
	size_t			  i, n;
	int			  json = 0, a, rc;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			json = 1;
		else if (id == NULL && argv[a][0] != '-')
			id = argv[a];
		else
			return (cmd_usage_error(&cmd_proof_entry,
			    "unexpected argument: %s", argv[a]));
	}
	if (id == NULL)
		return (cmd_usage_error(&cmd_proof_entry, "give a task id"));
	if ((t = cmd_get_task(ctx, id, &rc)) == NULL)
		return (rc);
	if (store_proof_list(ctx->store, t->id, &list, &n, &cause) != 0) {
		task_free(t);
		return (cmd_fail(ctx, cause));
	}

	if (json) {
		array = cJSON_CreateArray();
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(array, proof_object(list[i]));
		cmd_print_json(array);
	} else if (n == 0)
		printf("#%lld has no recorded proofs: it has not landed "
		    "through the merge queue\n", (long long)t->id);
	else {
		for (i = 0; i < n; i++)
			proof_print(list[i]);
	}
	for (i = 0; i < n; i++)
		merge_proof_free(list[i]);
	free(list);
	task_free(t);
	return (BATON_EXIT_OK);
}
