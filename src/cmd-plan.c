/*
 * plan: one request in plain words becomes a task for the plan role (the
 * architect), whose only job is to answer it with subtasks; the scheduler
 * checks the answer and stores them, with a validation task after them.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* The part of a request shown as its task's title, in bytes. */
#define PLAN_TITLE_MAX 60

static int	cmd_plan_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_plan_entry = {
	.name = "plan",
	.alias = NULL,
	.usage = "TEXT | --file F [--json]",
	.doc = "Have the plan role (the architect) decompose a request into "
	    "subtasks of the open sprint, checked and then validated.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_plan_exec,
};

/* "Plan: " and the request's first line, cut at a character's start. */
static char *
plan_request_title(const char *text)
{
	const char	*p = text;
	char		*line, *title;
	size_t		 len;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	len = strcspn(p, "\r\n");
	if (len > PLAN_TITLE_MAX) {
		len = PLAN_TITLE_MAX;
		while (len > 0 && (p[len] & 0xc0) == 0x80)
			len--;
		line = xstrndup(p, len);
		xasprintf(&title, "Plan: %s…", line);
	} else {
		line = xstrndup(p, len);
		xasprintf(&title, "Plan: %s", line);
	}
	free(line);
	return (title);
}

/* Add the request as a plan task of the open sprint; its id in *id. */
int
plan_request_add(struct repo *repo, struct store *s, const char *text,
    int64_t *id, char **cause)
{
	struct config	*cf;
	struct task	*t;
	char		*title, *sane;
	int		 rc = -1;

	if (task_check_title(text, cause) != 0) {
		free(*cause);
		*cause = xstrdup("a plan needs a request that is not empty");
		return (-1);
	}
	if ((cf = config_load(repo, cause)) == NULL)
		return (-1);
	if (config_role(cf, cf->plan_role) == NULL) {
		xasprintf(cause, "no role '%s' to plan with (plan_role; see "
		    "'baton config show')", cf->plan_role);
		config_free(cf);
		return (-1);
	}
	sane = utf8_sanitize(text);
	title = plan_request_title(sane);
	t = task_new();
	task_set_text(t, title, sane, cf->plan_role);
	t->kind = TASK_PLAN;
	t->state = TASK_READY;
	t->priority = TASK_PRIORITY_MIN + 1;
	if (store_begin(s, cause) == 0) {
		if (store_sprint_open_id(s, &t->sprint_id, cause) == 0 &&
		    t->sprint_id == 0)
			xasprintf(cause, "no sprint is open: 'baton sprint new "
			    "NAME' opens one");
		else if (t->sprint_id != 0 &&
		    store_task_add(s, t, cause) != -1 &&
		    store_commit(s, cause) == 0) {
			*id = t->id;
			rc = 0;
		}
		if (rc != 0)
			store_rollback(s);
	}
	task_free(t);
	free(title);
	free(sane);
	config_free(cf);
	return (rc);
}

static int
cmd_plan_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task	*t;
	cJSON		*obj;
	int64_t		 id;
	char		*text = NULL, *cause = NULL;
	int		 json = 0, i, rc;
	const char	*file = NULL, *words = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--file") == 0)
			return (cmd_usage_error(&cmd_plan_entry, "--file needs "
			    "a file name (- for standard input)"));
		else if (words == NULL && (argv[i][0] != '-' ||
		    argv[i][1] == '\0'))
			words = argv[i];
		else
			return (cmd_usage_error(&cmd_plan_entry, "unexpected "
			    "argument: %s", argv[i]));
	}
	if ((words == NULL) == (file == NULL))
		return (cmd_usage_error(&cmd_plan_entry, "give the request as "
		    "one TEXT argument, or --file F"));
	if (file != NULL) {
		if ((text = cmd_read_file(file, &cause)) == NULL)
			return (cmd_fail(ctx, cause));
	} else
		text = xstrdup(words);
	if (plan_request_add(ctx->repo, ctx->store, text, &id, &cause) != 0) {
		free(text);
		return (cmd_fail(ctx, cause));
	}
	free(text);
	if ((t = store_task_get(ctx->store, id, &cause)) == NULL)
		return (cmd_fail(ctx, cause));
	if (json) {
		obj = task_to_json(t);
		cmd_print_json(obj);
	} else {
		printf("#%lld %s: the %s plans it\n", (long long)t->id,
		    t->title, t->role);
		if (store_sprint_going(ctx->store) == 0)
			fprintf(stderr, "baton: the sprint is paused: 'baton "
			    "go' lets it start\n");
	}
	rc = BATON_EXIT_OK;
	task_free(t);
	return (rc);
}
