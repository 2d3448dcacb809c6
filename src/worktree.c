/*
 * What the main program knows of task worktrees without libgit2: slugs,
 * step logs, and asking baton-git to make, heal or remove a worktree.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Slugs are cut to this many bytes. */
#define WORKTREE_SLUG_MAX 40

/*
 * The slug of a title: lowercase ASCII letters and digits, other runs of
 * bytes as one '-', no '-' at either end, at most WORKTREE_SLUG_MAX bytes,
 * and "task" when nothing is left. Safe in a path, a ref and a shell word.
 */
char *
worktree_slug(const char *title)
{
	char		 slug[WORKTREE_SLUG_MAX + 1];
	const u_char	*p;
	size_t		 len = 0;
	int		 dash = 0;

	for (p = (const u_char *)title; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    (*p >= 'A' && *p <= 'Z')) {
			if (dash && len > 0) {
				if (len + 1 >= WORKTREE_SLUG_MAX)
					break;
				slug[len++] = '-';
			}
			dash = 0;
			if (len >= WORKTREE_SLUG_MAX)
				break;
			slug[len++] = (*p >= 'A' && *p <= 'Z') ?
			    (char)(*p - 'A' + 'a') : (char)*p;
		} else
			dash = 1;
	}
	slug[len] = '\0';
	if (len == 0)
		return (xstrdup("task"));
	return (xstrdup(slug));
}

/* Record one step: in the debug log, and in log (if any) for the caller. */
void
worktree_log_add(struct worktree_log *log, const char *func,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	log_debug("%s: %s", func, line);
	if (log == NULL) {
		free(line);
		return;
	}
	log->lines = xreallocarray(log->lines, log->n + 1, sizeof *log->lines);
	log->lines[log->n++] = line;
}

void
worktree_log_free(struct worktree_log *log)
{
	size_t	i;

	for (i = 0; i < log->n; i++)
		free(log->lines[i]);
	free(log->lines);
	log->lines = NULL;
	log->n = 0;
}

/* The JSON of a worktree operation: worktree add/rm --json print it. */
cJSON *
worktree_json(struct task *t, struct worktree_log *log, const char *result)
{
	cJSON	*obj, *steps;
	size_t	 i;

	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "task", (double)t->id);
	cJSON_AddStringToObject(obj, "result", result);
	cJSON_AddItemToObject(obj, "branch", json_string(t->branch));
	cJSON_AddItemToObject(obj, "worktree", json_string(t->worktree));
	cJSON_AddItemToObject(obj, "reason", json_string(t->reason));
	steps = cJSON_AddArrayToObject(obj, "steps");
	for (i = 0; i < log->n; i++)
		cJSON_AddItemToArray(steps, json_string(log->lines[i]));
	return (obj);
}

/* Read what baton-git said about a worktree into the task and the log. */
static int
worktree_from_json(const char *out, struct task *t, struct worktree_log *log,
    int *result, char **cause)
{
	cJSON		*root, *item;
	const char	*s;

	if ((root = cJSON_Parse(out)) == NULL) {
		xasprintf(cause, "baton-git said: %.200s", out);
		return (-1);
	}
	item = cJSON_GetObjectItemCaseSensitive(root, "steps");
	cJSON_ArrayForEach(item, item) {
		if (!cJSON_IsString(item))
			continue;
		log->lines = xreallocarray(log->lines, log->n + 1,
		    sizeof *log->lines);
		log->lines[log->n++] = xstrdup(item->valuestring);
	}
	free(t->branch);
	free(t->worktree);
	free(t->reason);
	t->branch = t->worktree = t->reason = NULL;
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "branch"))) != NULL)
		t->branch = xstrdup(s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "worktree"))) != NULL)
		t->worktree = xstrdup(s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "reason"))) != NULL)
		t->reason = xstrdup(s);
	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "result"));
	*result = (s != NULL && strcmp(s, "kept") == 0) ? WORKTREE_KEPT : 0;
	cJSON_Delete(root);
	return (0);
}

/* Make or heal task t's worktree, in baton-git. */
int
gitc_worktree_ensure(struct repo *repo, struct task *t,
    struct worktree_log *log, char **cause)
{
	char	 id[32], *out = NULL;
	int	 result;

	snprintf(id, sizeof id, "%lld", (long long)t->id);
	if (gitc_run(repo, "worktree-add", id, &out, cause) != 0)
		return (-1);
	if (worktree_from_json(out, t, log, &result, cause) != 0) {
		free(out);
		return (-1);
	}
	free(out);
	return (0);
}

/* Remove task t's worktree in baton-git; WORKTREE_KEPT when it kept it. */
int
gitc_worktree_remove(struct repo *repo, struct task *t,
    struct worktree_log *log, char **cause)
{
	char	 id[32], *out = NULL;
	int	 result;

	snprintf(id, sizeof id, "%lld", (long long)t->id);
	if (gitc_run(repo, "worktree-rm", id, &out, cause) != 0)
		return (-1);
	if (worktree_from_json(out, t, log, &result, cause) != 0) {
		free(out);
		return (-1);
	}
	free(out);
	return (result);
}
