/* Task objects: states, lifetime, and their JSON form. */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

static const char *task_state_names[TASK_NSTATES] = {
	[TASK_BACKLOG] = "backlog",
	[TASK_READY] = "ready",
	[TASK_RUNNING] = "running",
	[TASK_REVIEW] = "review",
	[TASK_MERGING] = "merging",
	[TASK_DONE] = "done",
	[TASK_BLOCKED] = "blocked",
	[TASK_WAITING] = "waiting",
	[TASK_FAILED] = "failed",
	[TASK_CANCELLED] = "cancelled",
};

static const char *task_kind_names[TASK_NKINDS] = {
	[TASK_WORK] = "work",
	[TASK_PLAN] = "plan",
	[TASK_VALIDATE] = "validate",
	[TASK_RESOLVE] = "resolve",
	[TASK_LESSON] = "lesson",
};

const char *
task_kind_name(enum task_kind kind)
{
	if ((u_int)kind >= TASK_NKINDS)
		fatalx("bad task kind %d", (int)kind);
	return (task_kind_names[kind]);
}

int
task_kind_from_name(const char *name, enum task_kind *kind)
{
	int	i;

	if ((i = util_name_index(task_kind_names, TASK_NKINDS, name)) == -1)
		return (-1);
	*kind = i;
	return (0);
}

const char *
task_state_name(enum task_state state)
{
	if ((u_int)state >= TASK_NSTATES)
		fatalx("bad task state %d", (int)state);
	return (task_state_names[state]);
}

int
task_state_from_name(const char *name, enum task_state *state)
{
	int	i;

	if ((i = util_name_index(task_state_names, TASK_NSTATES, name)) == -1)
		return (-1);
	*state = i;
	return (0);
}

/* States a task does not leave by itself. */
int
task_state_is_final(enum task_state state)
{
	return (state == TASK_DONE || state == TASK_FAILED ||
	    state == TASK_CANCELLED);
}

struct task *
task_new(void)
{
	struct task	*t;

	t = xcalloc(1, sizeof *t);
	t->title = xstrdup("");
	t->body = xstrdup("");
	t->role = xstrdup("worker");
	t->priority = TASK_PRIORITY_DEFAULT;
	t->state = TASK_BACKLOG;
	return (t);
}

void
task_free(struct task *t)
{
	if (t == NULL)
		return;
	free(t->title);
	free(t->body);
	free(t->role);
	free(t->branch);
	free(t->worktree);
	free(t->reason);
	free(t->merge_base);
	free(t->blocked_by);
	free(t->open_blockers);
	free(t);
}

void
task_list_free(struct task_list *list)
{
	size_t	i;

	for (i = 0; i < list->count; i++)
		task_free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/*
 * Can the task start now? It has not started, and everything it waits on is
 * done. This is worked out from the graph, never stored.
 */
int
task_is_ready(struct task *t)
{
	return ((t->state == TASK_BACKLOG || t->state == TASK_READY) &&
	    t->nopen_blockers == 0);
}

/* Replace the text fields a new task gets from a file or a plan. */
void
task_set_text(struct task *t, const char *title, const char *body,
    const char *role)
{
	char	*copy;

	/* Copy before freeing: the new text may be the old. */
	copy = xstrdup(title);
	free(t->title);
	t->title = copy;
	if (body != NULL) {
		copy = xstrdup(body);
		free(t->body);
		t->body = copy;
	}
	if (role != NULL) {
		copy = xstrdup(role);
		free(t->role);
		t->role = copy;
	}
}

/* The stable JSON shape of a task (doc/json.md). */
cJSON *
task_to_json(struct task *t)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "id", (double)t->id);
	cJSON_AddItemToObject(obj, "title", json_string(t->title));
	cJSON_AddStringToObject(obj, "state", task_state_name(t->state));
	cJSON_AddItemToObject(obj, "role", json_string(t->role));
	cJSON_AddStringToObject(obj, "kind", task_kind_name(t->kind));
	cJSON_AddItemToObject(obj, "target", json_opt_id(t->target_id));
	cJSON_AddNumberToObject(obj, "rounds", t->rounds);
	cJSON_AddNumberToObject(obj, "priority", t->priority);
	cJSON_AddItemToObject(obj, "parent", json_opt_id(t->parent_id));
	cJSON_AddItemToObject(obj, "sprint", json_opt_id(t->sprint_id));
	cJSON_AddItemToObject(obj, "blocked_by",
	    json_id_array(t->blocked_by, t->nblocked_by));
	cJSON_AddItemToObject(obj, "waiting_on",
	    json_id_array(t->open_blockers, t->nopen_blockers));
	cJSON_AddBoolToObject(obj, "ready", task_is_ready(t));
	cJSON_AddNumberToObject(obj, "created_at", (double)t->created_at);
	cJSON_AddNumberToObject(obj, "updated_at", (double)t->updated_at);
	cJSON_AddItemToObject(obj, "finished_at", json_opt_id(t->finished_at));
	return (obj);
}

/* A title must have something besides white space in it. */
int
task_check_title(const char *title, char **cause)
{
	const char	*p;

	for (p = title; *p != '\0'; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return (0);
	}
	*cause = xstrdup("a task needs a title that is not empty");
	return (-1);
}

/* Role names go into config sections and file names: keep them plain. */
int
task_check_role(const char *role, char **cause)
{
	const char	*p;
	size_t		 len = strlen(role);

	if (len == 0 || len > 32)
		goto bad;
	for (p = role; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			continue;
		goto bad;
	}
	return (0);
bad:
	*cause = xstrdup("a role name is 1 to 32 letters, digits, '-' or '_'");
	return (-1);
}
