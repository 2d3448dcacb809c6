/*
 * Decompositions: a JSON array of {"title", "role", "body",
 * "blocked_by": [indexes]} checked whole (shape, indexes, cycles) before
 * anything is written, then stored as subtasks of one parent.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* "line L, column C" of a position in text, counting bytes. */
char *
plan_where(const char *text, const char *at)
{
	const char	*p;
	u_int		 line = 1, col = 1;
	char		*where;

	for (p = text; p < at && *p != '\0'; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	xasprintf(&where, "line %u, column %u", line, col);
	return (where);
}

static int
plan_item_parse(cJSON *obj, size_t i, size_t count, struct plan_item *item,
    char **cause)
{
	cJSON	*title, *role, *body, *deps, *dep;
	size_t	 j, k;
	double	 v;
	char	*why = NULL;

	if (!cJSON_IsObject(obj)) {
		xasprintf(cause, "subtask %zu is not an object", i);
		return (-1);
	}
	title = cJSON_GetObjectItemCaseSensitive(obj, "title");
	if (!cJSON_IsString(title) ||
	    task_check_title(title->valuestring, &why) != 0) {
		free(why);
		xasprintf(cause, "subtask %zu needs a \"title\" string that is "
		    "not empty", i);
		return (-1);
	}
	item->title = xstrdup(title->valuestring);

	role = cJSON_GetObjectItemCaseSensitive(obj, "role");
	if (role != NULL && !cJSON_IsNull(role)) {
		if (!cJSON_IsString(role) ||
		    task_check_role(role->valuestring, &why) != 0) {
			xasprintf(cause, "subtask %zu: bad \"role\": %s", i,
			    why != NULL ? why : "it must be a string");
			free(why);
			return (-1);
		}
		item->role = xstrdup(role->valuestring);
	} else
		item->role = xstrdup("worker");

	body = cJSON_GetObjectItemCaseSensitive(obj, "body");
	if (body != NULL && !cJSON_IsNull(body)) {
		if (!cJSON_IsString(body)) {
			xasprintf(cause, "subtask %zu: \"body\" must be a "
			    "string", i);
			return (-1);
		}
		item->body = xstrdup(body->valuestring);
	} else
		item->body = xstrdup("");

	deps = cJSON_GetObjectItemCaseSensitive(obj, "blocked_by");
	if (deps == NULL || cJSON_IsNull(deps))
		return (0);
	if (!cJSON_IsArray(deps)) {
		xasprintf(cause, "subtask %zu: \"blocked_by\" must be an array "
		    "of subtask indexes", i);
		return (-1);
	}
	cJSON_ArrayForEach(dep, deps) {
		v = cJSON_IsNumber(dep) ? dep->valuedouble : -1;
		if (v < 0 || v >= (double)count || v != (double)(size_t)v) {
			xasprintf(cause, "subtask %zu: blocked_by names %s, "
			    "which is not an index from 0 to %zu", i,
			    cJSON_IsNumber(dep) ? "a number" : "a non-number",
			    count - 1);
			return (-1);
		}
		j = (size_t)v;
		if (j == i) {
			xasprintf(cause, "subtask %zu waits on itself", i);
			return (-1);
		}
		for (k = 0; k < item->nblocked_by; k++) {
			if (item->blocked_by[k] == j) {
				xasprintf(cause, "subtask %zu lists %zu in "
				    "blocked_by twice", i, j);
				return (-1);
			}
		}
		item->blocked_by = xreallocarray(item->blocked_by,
		    item->nblocked_by + 1, sizeof *item->blocked_by);
		item->blocked_by[item->nblocked_by++] = j;
	}
	return (0);
}

/* Parse and check a plan. Nothing is stored. */
int
plan_parse(const char *text, size_t len, struct plan *plan, char **cause)
{
	cJSON		*root, *obj;
	const char	*end = NULL;
	struct dag	 dag;
	int64_t		*cycle;
	size_t		 i, j, n, count;
	char		*where, *msg;

	memset(plan, 0, sizeof *plan);
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root != NULL) {
		while (end < text + len && (*end == ' ' || *end == '\t' ||
		    *end == '\n' || *end == '\r'))
			end++;
		if (end != text + len) {
			cJSON_Delete(root);
			root = NULL;
		}
	}
	if (root == NULL) {
		where = plan_where(text, end != NULL ? end : text);
		xasprintf(cause, "malformed JSON at %s", where);
		free(where);
		return (-1);
	}
	if (!cJSON_IsArray(root)) {
		*cause = xstrdup("a plan is a JSON array of subtasks");
		cJSON_Delete(root);
		return (-1);
	}
	count = (size_t)cJSON_GetArraySize(root);
	if (count == 0) {
		*cause = xstrdup("the plan has no subtasks");
		cJSON_Delete(root);
		return (-1);
	}
	plan->items = xcalloc(count, sizeof *plan->items);
	plan->count = count;
	i = 0;
	cJSON_ArrayForEach(obj, root) {
		if (plan_item_parse(obj, i, count, &plan->items[i], cause) != 0)
			goto fail;
		i++;
	}
	cJSON_Delete(root);
	root = NULL;

	/* Nodes are index + 1: the graph code keeps 0 for "none". */
	dag_init(&dag);
	for (i = 0; i < count; i++) {
		dag_add_node(&dag, (int64_t)i + 1);
		for (j = 0; j < plan->items[i].nblocked_by; j++)
			dag_add_edge(&dag, (int64_t)i + 1,
			    (int64_t)plan->items[i].blocked_by[j] + 1);
	}
	dag_sort(&dag);
	if (dag_find_cycle(&dag, &cycle, &n)) {
		cycle = xreallocarray(cycle, n + 1, sizeof *cycle);
		cycle[n] = cycle[0];
		msg = dag_format_path(cycle, n + 1, "", -1);
		xasprintf(cause, "subtasks form a cycle: %s", msg);
		free(msg);
		free(cycle);
		dag_free(&dag);
		goto fail;
	}
	dag_free(&dag);
	return (0);

fail:
	cJSON_Delete(root);
	plan_free(plan);
	return (-1);
}

void
plan_free(struct plan *plan)
{
	size_t	i;

	for (i = 0; i < plan->count; i++) {
		free(plan->items[i].title);
		free(plan->items[i].role);
		free(plan->items[i].body);
		free(plan->items[i].blocked_by);
	}
	free(plan->items);
	memset(plan, 0, sizeof *plan);
}

/*
 * Store a checked plan under parent, inside the caller's transaction.
 * Returns how many tasks were made; their ids come back in *ids.
 */
int64_t
plan_import(struct store *s, struct plan *plan, int64_t parent, int64_t **ids,
    char **cause)
{
	struct task	*t;
	int64_t		 sprint;
	size_t		 i, j;

	*ids = NULL;
	if (store_sprint_open_id(s, &sprint, cause) != 0)
		return (-1);

	*ids = xcalloc(plan->count, sizeof **ids);
	for (i = 0; i < plan->count; i++) {
		t = task_new();
		task_set_text(t, plan->items[i].title, plan->items[i].body,
		    plan->items[i].role);
		t->parent_id = parent;
		t->sprint_id = sprint;
		if (store_task_add(s, t, cause) == -1) {
			task_free(t);
			goto fail;
		}
		(*ids)[i] = t->id;
		task_free(t);
	}
	for (i = 0; i < plan->count; i++) {
		for (j = 0; j < plan->items[i].nblocked_by; j++) {
			if (store_dep_add(s, (*ids)[i],
			    (*ids)[plan->items[i].blocked_by[j]], cause) != 0)
				goto fail;
		}
	}
	return ((int64_t)plan->count);

fail:
	free(*ids);
	*ids = NULL;
	return (-1);
}
