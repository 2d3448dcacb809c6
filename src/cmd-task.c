/* add, show, edit, cancel: one task at a time. */

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_add_exec(struct cmd_ctx *, int, char **);
static int	cmd_show_exec(struct cmd_ctx *, int, char **);
static int	cmd_edit_exec(struct cmd_ctx *, int, char **);
static int	cmd_cancel_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_add_entry = {
	.name = "add",
	.alias = NULL,
	.usage = "TITLE [--body TEXT | --body-file F] [--role R] "
	    "[--priority 0-4] [--blocked-by N,...] [--parent N] [--json]",
	.doc = "Add a task to the open sprint. Priority 0 is the most urgent; "
	    "the default is 2.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_add_exec,
};

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Show one task: its text, dependencies both ways and subtasks.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_show_exec,
};

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.alias = NULL,
	.usage = "N [--title T] [--body TEXT | --body-file F] [--role R] "
	    "[--priority 0-4] [--parent N|none] [--state S] [--json]",
	.doc = "Change a task's fields.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_edit_exec,
};

const struct cmd_entry cmd_cancel_entry = {
	.name = "cancel",
	.alias = NULL,
	.usage = "N [--json]",
	.doc = "Cancel a task. Tasks that wait on it stay blocked.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_cancel_exec,
};

enum {
	OPT_BODY = 256,
	OPT_BODY_FILE,
	OPT_ROLE,
	OPT_PRIORITY,
	OPT_BLOCKED_BY,
	OPT_PARENT,
	OPT_TITLE,
	OPT_STATE,
	OPT_JSON,
};

static const struct option add_options[] = {
	{ "body", required_argument, NULL, OPT_BODY },
	{ "body-file", required_argument, NULL, OPT_BODY_FILE },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "blocked-by", required_argument, NULL, OPT_BLOCKED_BY },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

static const struct option edit_options[] = {
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "body-file", required_argument, NULL, OPT_BODY_FILE },
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

/* Fields given on the command line, not yet checked against the store. */
struct task_args {
	const char	*title;
	char		*body;		/* from --body or read from --body-file */
	const char	*body_file;
	const char	*role;
	const char	*parent;
	const char	*blocked_by;
	const char	*state;
	int		 priority;
	int		 json;
	int		 any;
};

/*
 * Parse add's or edit's options. A --body-file is read here, before any
 * write lock is taken: its input may be slow.
 */
static int
task_args_parse(const struct cmd_entry *entry, const struct option *options,
    int argc, char **argv, struct task_args *a)
{
	const char	*body = NULL;
	char		*cause = NULL;
	int		 ch;

	memset(a, 0, sizeof *a);
	a->priority = -1;
	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case OPT_BODY:
			body = optarg;
			break;
		case OPT_BODY_FILE:
			a->body_file = optarg;
			break;
		case OPT_ROLE:
			a->role = optarg;
			break;
		case OPT_PRIORITY:
			if (cmd_parse_priority(optarg, &a->priority) != 0)
				return (cmd_usage_error(entry, "priority is 0 "
				    "(most urgent) to 4: %s", optarg));
			break;
		case OPT_BLOCKED_BY:
			a->blocked_by = optarg;
			break;
		case OPT_PARENT:
			a->parent = optarg;
			break;
		case OPT_TITLE:
			a->title = optarg;
			break;
		case OPT_STATE:
			a->state = optarg;
			break;
		case OPT_JSON:
			a->json = 1;
			continue;
		default:
			return (cmd_usage_error(entry, "bad option: %s",
			    argv[optind - 1]));
		}
		a->any = 1;
	}
	if (body != NULL && a->body_file != NULL)
		return (cmd_usage_error(entry, "give --body or --body-file, "
		    "not both"));
	if (a->body_file != NULL) {
		if ((a->body = cmd_read_file(a->body_file, &cause)) == NULL) {
			cmd_error("%s", cause);
			free(cause);
			return (BATON_EXIT_ERROR);
		}
	} else if (body != NULL)
		a->body = xstrdup(body);
	return (BATON_EXIT_OK);
}

/* Apply title, body, role and priority; cause says what is wrong. */
static int
task_args_apply(struct task_args *a, struct task *t, char **cause)
{
	if (a->title != NULL && task_check_title(a->title, cause) != 0)
		return (-1);
	if (a->role != NULL && task_check_role(a->role, cause) != 0)
		return (-1);
	task_set_text(t, a->title != NULL ? a->title : t->title, a->body,
	    a->role);
	if (a->priority != -1)
		t->priority = a->priority;
	return (0);
}

/* Check a parent id: it must exist and not be the task or below it. */
static int
task_check_parent(struct store *s, int64_t id, int64_t parent, char **cause)
{
	struct task	*p;
	int64_t		 at = parent;
	u_int		 depth = 0;

	while (at != 0) {
		if (at == id) {
			xasprintf(cause, "#%lld cannot be a subtask of #%lld: "
			    "that would make a loop", (long long)id,
			    (long long)parent);
			return (-1);
		}
		if ((p = store_task_get(s, at, cause)) == NULL) {
			if (*cause == NULL)
				xasprintf(cause, "no task #%lld", (long long)at);
			return (-1);
		}
		at = p->parent_id;
		task_free(p);
		if (++depth > 10000)
			fatalx("parent chain of #%lld loops", (long long)id);
	}
	return (0);
}

static int
cmd_add_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_args	 a;
	struct task		*t;
	int64_t			*ids = NULL;
	size_t			 nids = 0, i;
	char			*cause = NULL;
	int			 rc;

	rc = task_args_parse(&cmd_add_entry, add_options, argc, argv, &a);
	if (rc != BATON_EXIT_OK)
		goto out;
	if (argc - optind != 1) {
		rc = cmd_usage_error(&cmd_add_entry, "give one TITLE (quote it "
		    "if it has spaces)");
		goto out;
	}
	a.title = argv[optind];
	if (a.blocked_by != NULL &&
	    cmd_parse_id_list(a.blocked_by, &ids, &nids) != 0) {
		rc = cmd_usage_error(&cmd_add_entry, "--blocked-by takes task "
		    "ids separated by commas, each once: %s", a.blocked_by);
		goto out;
	}

	t = task_new();
	if (task_args_apply(&a, t, &cause) != 0)
		goto fail;
	if (store_begin(ctx->store, &cause) != 0)
		goto fail;
	if (a.parent != NULL) {
		if (cmd_parse_id(a.parent, &t->parent_id) != 0) {
			xasprintf(&cause, "not a task id: %s", a.parent);
			goto fail;
		}
		if (task_check_parent(ctx->store, 0, t->parent_id, &cause) != 0)
			goto fail;
	}
	for (i = 0; i < nids; i++) {
		if (!store_task_exists(ctx->store, ids[i])) {
			xasprintf(&cause, "no task #%lld", (long long)ids[i]);
			goto fail;
		}
	}
	if (store_sprint_open_id(ctx->store, &t->sprint_id, &cause) != 0 ||
	    store_task_add(ctx->store, t, &cause) == -1)
		goto fail;
	/* A new task has nothing waiting on it, so no edge can close a loop. */
	for (i = 0; i < nids; i++) {
		if (store_dep_add(ctx->store, t->id, ids[i], &cause) != 0)
			goto fail;
	}
	if (store_task_load_deps(ctx->store, t, &cause) != 0)
		goto fail;
	if (store_commit(ctx->store, &cause) != 0)
		goto fail;

	if (a.json)
		cmd_print_json(task_to_json(t));
	else
		printf("added #%lld\n", (long long)t->id);
	task_free(t);
	rc = BATON_EXIT_OK;
	goto out;

fail:
	task_free(t);
	rc = cmd_fail(ctx, cause);
out:
	free(ids);
	free(a.body);
	return (rc);
}

/* "#2 (done), #3 (running)" for a list of ids. */
static void
show_id_list(struct cmd_ctx *ctx, const char *label, int64_t *ids, size_t n)
{
	struct task	*o;
	char		*cause = NULL, *safe;
	size_t		 i;

	if (n == 0)
		return;
	printf("%-12s", label);
	for (i = 0; i < n; i++) {
		o = store_task_get(ctx->store, ids[i], &cause);
		free(cause);
		cause = NULL;
		if (o == NULL)
			continue;
		safe = util_vis(o->title, 200);
		printf("%s#%lld %s (%s)\n", i == 0 ? "" : "            ",
		    (long long)o->id, safe, task_state_name(o->state));
		free(safe);
		task_free(o);
	}
}

static int
cmd_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task	*t;
	cJSON		*obj;
	int64_t		*blocks = NULL, *children = NULL;
	size_t		 nblocks = 0, nchildren = 0;
	char		*cause = NULL, *safe, *created, *updated;
	int		 json, rc;

	if ((rc = cmd_parse_json_only(&cmd_show_entry, argc, argv, 1,
	    &json)) != BATON_EXIT_OK)
		return (rc);
	if ((t = cmd_get_task(ctx, argv[1], &rc)) == NULL)
		return (rc);
	if (store_task_blocks(ctx->store, t->id, &blocks, &nblocks,
	    &cause) != 0 || store_task_children(ctx->store, t->id, &children,
	    &nchildren, &cause) != 0) {
		task_free(t);
		free(blocks);
		return (cmd_fail(ctx, cause));
	}

	if (json) {
		obj = task_to_json(t);
		cJSON_AddItemToObject(obj, "body", json_string(t->body));
		cJSON_AddItemToObject(obj, "blocks",
		    json_id_array(blocks, nblocks));
		cJSON_AddItemToObject(obj, "subtasks",
		    json_id_array(children, nchildren));
		cJSON_AddItemToObject(obj, "branch", json_string(t->branch));
		cJSON_AddItemToObject(obj, "worktree",
		    json_string(t->worktree));
		cJSON_AddItemToObject(obj, "reason", json_string(t->reason));
		cmd_print_json(obj);
	} else {
		safe = util_vis(t->title, 0);
		printf("#%lld %s\n", (long long)t->id, safe);
		free(safe);
		printf("%-12s%s%s\n", "state:", task_state_name(t->state),
		    task_is_ready(t) && t->state != TASK_READY ? " (ready)" :
		    "");
		safe = util_vis(t->role, 64);
		printf("%-12s%s\n%-12sP%d\n", "role:", safe, "priority:",
		    t->priority);
		free(safe);
		if (t->parent_id != 0)
			show_id_list(ctx, "parent:", &t->parent_id, 1);
		show_id_list(ctx, "blocked by:", t->blocked_by,
		    t->nblocked_by);
		show_id_list(ctx, "blocks:", blocks, nblocks);
		show_id_list(ctx, "subtasks:", children, nchildren);
		if (t->reason != NULL) {
			safe = util_vis(t->reason, 0);
			printf("%-12s%s\n", "reason:", safe);
			free(safe);
		}
		created = util_time(t->created_at);
		updated = util_time(t->updated_at);
		printf("%-12s%s\n%-12s%s\n", "created:", created, "updated:",
		    updated);
		free(created);
		free(updated);
		if (*t->body != '\0') {
			/* One body line at a time; the rest is escaped. */
			char	*line, *next, *copy = xstrdup(t->body);

			putchar('\n');
			for (next = copy; (line = strsep(&next, "\n")) != NULL;) {
				safe = util_vis(line, 0);
				printf("    %s\n", safe);
				free(safe);
			}
			free(copy);
		}
	}
	free(blocks);
	free(children);
	task_free(t);
	return (BATON_EXIT_OK);
}

static int
cmd_edit_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_args	 a;
	struct task		*t;
	enum task_state		 state;
	char			*cause = NULL;
	int			 rc;

	rc = task_args_parse(&cmd_edit_entry, edit_options, argc, argv, &a);
	if (rc != BATON_EXIT_OK)
		goto out;
	if (argc - optind != 1)
		rc = cmd_usage_error(&cmd_edit_entry, "give one task id");
	else if (!a.any)
		rc = cmd_usage_error(&cmd_edit_entry, "nothing to change");
	else if (a.state != NULL && task_state_from_name(a.state, &state) != 0)
		rc = cmd_usage_error(&cmd_edit_entry, "unknown state: %s",
		    a.state);
	if (rc != BATON_EXIT_OK)
		goto out;

	if (store_begin(ctx->store, &cause) != 0) {
		rc = cmd_fail(ctx, cause);
		goto out;
	}
	if ((t = cmd_get_task(ctx, argv[optind], &rc)) == NULL) {
		store_rollback(ctx->store);
		goto out;
	}
	if (task_args_apply(&a, t, &cause) != 0)
		goto fail;
	if (a.parent != NULL) {
		if (strcmp(a.parent, "none") == 0 || strcmp(a.parent, "0") == 0)
			t->parent_id = 0;
		else if (cmd_parse_id(a.parent, &t->parent_id) != 0) {
			xasprintf(&cause, "not a task id: %s", a.parent);
			goto fail;
		} else if (task_check_parent(ctx->store, t->id, t->parent_id,
		    &cause) != 0)
			goto fail;
	}
	if (a.state != NULL)
		t->state = state;
	if (store_task_update(ctx->store, t, &cause) != 0)
		goto fail;
	if (store_commit(ctx->store, &cause) != 0)
		goto fail;
	if (a.json)
		cmd_print_json(task_to_json(t));
	else
		printf("updated #%lld\n", (long long)t->id);
	task_free(t);
	rc = BATON_EXIT_OK;
	goto out;

fail:
	task_free(t);
	rc = cmd_fail(ctx, cause);
out:
	free(a.body);
	return (rc);
}

static int
cmd_cancel_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task	*t;
	char		*cause = NULL;
	int		 json, rc;

	if ((rc = cmd_parse_json_only(&cmd_cancel_entry, argc, argv, 1,
	    &json)) != BATON_EXIT_OK)
		return (rc);
	if (store_begin(ctx->store, &cause) != 0)
		return (cmd_fail(ctx, cause));
	if ((t = cmd_get_task(ctx, argv[1], &rc)) == NULL) {
		store_rollback(ctx->store);
		return (rc);
	}
	if (t->state == TASK_DONE) {
		xasprintf(&cause, "#%lld is done: there is nothing to cancel",
		    (long long)t->id);
		task_free(t);
		return (cmd_fail(ctx, cause));
	}
	if (t->state != TASK_CANCELLED) {
		t->state = TASK_CANCELLED;
		if (store_task_update(ctx->store, t, &cause) != 0 ||
		    store_commit(ctx->store, &cause) != 0) {
			task_free(t);
			return (cmd_fail(ctx, cause));
		}
	} else
		store_rollback(ctx->store);
	if (json)
		cmd_print_json(task_to_json(t));
	else
		printf("cancelled #%lld\n", (long long)t->id);
	task_free(t);
	return (BATON_EXIT_OK);
}
