/* import (Markdown checklists) and plan import (JSON decompositions). */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_import_exec(struct cmd_ctx *, int, char **);
static int	cmd_plan_import_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.alias = NULL,
	.usage = "FILE.md [--parent N] [--json]",
	.doc = "Turn a Markdown checklist into tasks: nested items become "
	    "subtasks, checked items are done.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_import_exec,
};

const struct cmd_entry cmd_plan_import_entry = {
	.name = "plan import",
	.alias = NULL,
	.usage = "FILE.json (--parent N | --title T) [--json]",
	.doc = "Add a decomposition (a JSON array of {title, role, body, "
	    "blocked_by: [indexes]}) as subtasks of a parent, all or nothing.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_plan_import_exec,
};

enum { OPT_PARENT = 256, OPT_TITLE, OPT_JSON };

static const struct option import_options[] = {
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

struct import_args {
	const char	*file;
	const char	*title;
	int64_t		 parent;
	int		 json;
};

static int
import_parse(const struct cmd_entry *entry, int argc, char **argv,
    int titles, struct import_args *a)
{
	int	ch;

	memset(a, 0, sizeof *a);
	while ((ch = getopt_long(argc, argv, "", import_options, NULL)) != -1) {
		switch (ch) {
		case OPT_PARENT:
			if (cmd_parse_id(optarg, &a->parent) != 0)
				return (cmd_usage_error(entry, "not a task id: "
				    "%s", optarg));
			break;
		case OPT_TITLE:
			if (!titles)
				goto bad;
			a->title = optarg;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		default:
			goto bad;
		}
	}
	if (argc - optind != 1)
		return (cmd_usage_error(entry, "give one FILE"));
	a->file = argv[optind];
	return (BATON_EXIT_OK);
bad:
	return (cmd_usage_error(entry, "bad option: %s", argv[optind - 1]));
}

/* Print what an import made, after it is committed. */
static int
import_report(struct cmd_ctx *ctx, int64_t *ids, size_t n, int json)
{
	struct task	*t;
	cJSON		*array;
	char		*cause = NULL;
	size_t		 i;

	if (!json) {
		printf("imported %zu task%s: #%lld to #%lld\n", n,
		    n == 1 ? "" : "s", (long long)ids[0],
		    (long long)ids[n - 1]);
		return (BATON_EXIT_OK);
	}
	array = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if ((t = store_task_get(ctx->store, ids[i], &cause)) == NULL) {
			cJSON_Delete(array);
			if (cause == NULL)
				xasprintf(&cause, "no task #%lld",
				    (long long)ids[i]);
			return (cmd_fail(ctx, cause));
		}
		cJSON_AddItemToArray(array, task_to_json(t));
		task_free(t);
	}
	cmd_print_json(array);
	return (BATON_EXIT_OK);
}

static int
cmd_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct import_args	 a;
	struct md_item		*items = NULL;
	struct task		*t;
	int64_t			*ids = NULL, sprint;
	size_t			 n = 0, i;
	char			*text, *cause = NULL, *why;
	int			 rc;

	rc = import_parse(&cmd_import_entry, argc, argv, 0, &a);
	if (rc != BATON_EXIT_OK)
		return (rc);
	if ((text = cmd_read_file(a.file, &cause)) == NULL)
		return (cmd_fail(ctx, cause));
	rc = md_checklist_parse(text, strlen(text), &items, &n, &why);
	free(text);
	if (rc != 0) {
		xasprintf(&cause, "%s: %s; nothing was imported", a.file, why);
		free(why);
		return (cmd_fail(ctx, cause));
	}

	if (store_begin(ctx->store, &cause) != 0)
		goto fail;
	if (a.parent != 0 && !store_task_exists(ctx->store, a.parent)) {
		xasprintf(&cause, "no task #%lld", (long long)a.parent);
		goto fail;
	}
	if (store_sprint_open_id(ctx->store, &sprint, &cause) != 0)
		goto fail;
	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++) {
		t = task_new();
		task_set_text(t, items[i].title, items[i].body, NULL);
		t->state = items[i].checked ? TASK_DONE : TASK_BACKLOG;
		t->sprint_id = sprint;
		t->parent_id = items[i].parent >= 0 ? ids[items[i].parent] :
		    a.parent;
		if (store_task_add(ctx->store, t, &cause) == -1) {
			task_free(t);
			goto fail;
		}
		ids[i] = t->id;
		task_free(t);
	}
	if (store_commit(ctx->store, &cause) != 0)
		goto fail;
	md_items_free(items, n);
	rc = import_report(ctx, ids, n, a.json);
	free(ids);
	return (rc);

fail:
	md_items_free(items, n);
	free(ids);
	return (cmd_fail(ctx, cause));
}

static int
cmd_plan_import_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct import_args	 a;
	struct plan		 plan;
	struct task		*parent;
	int64_t			*ids = NULL, n;
	char			*text, *cause = NULL, *why;
	int			 rc;

	rc = import_parse(&cmd_plan_import_entry, argc, argv, 1, &a);
	if (rc != BATON_EXIT_OK)
		return (rc);
	if ((a.parent == 0) == (a.title == NULL))
		return (cmd_usage_error(&cmd_plan_import_entry, "give the "
		    "parent task: --parent N, or --title T for a new one"));
	if (a.title != NULL && task_check_title(a.title, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if ((text = cmd_read_file(a.file, &cause)) == NULL)
		return (cmd_fail(ctx, cause));
	rc = plan_parse(text, strlen(text), &plan, &why);
	free(text);
	if (rc != 0) {
		xasprintf(&cause, "%s: %s; nothing was imported", a.file, why);
		free(why);
		return (cmd_fail(ctx, cause));
	}

	if (store_begin(ctx->store, &cause) != 0)
		goto fail;
	if (a.title != NULL) {
		parent = task_new();
		task_set_text(parent, a.title, NULL, NULL);
		if (store_sprint_open_id(ctx->store, &parent->sprint_id,
		    &cause) != 0 ||
		    store_task_add(ctx->store, parent, &cause) == -1) {
			task_free(parent);
			goto fail;
		}
		a.parent = parent->id;
		task_free(parent);
	} else if (!store_task_exists(ctx->store, a.parent)) {
		xasprintf(&cause, "no task #%lld", (long long)a.parent);
		goto fail;
	}
	if ((n = plan_import(ctx->store, &plan, a.parent, &ids, &cause)) == -1)
		goto fail;
	if (store_commit(ctx->store, &cause) != 0)
		goto fail;
	plan_free(&plan);
	rc = import_report(ctx, ids, (size_t)n, a.json);
	free(ids);
	return (rc);

fail:
	plan_free(&plan);
	free(ids);
	return (cmd_fail(ctx, cause));
}
