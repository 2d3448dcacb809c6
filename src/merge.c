/*
 * What the main program knows of landing a task's branch on main without
 * libgit2: the result's names and JSON, and asking baton-git to do it.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Indexed by MERGE_*. */
static const char *merge_result_names[] = {
	"merged", "conflict", "held", "dirty", "empty", "rebased", "moved",
	"unproven", "cleaned", "committed"
};

const char *
merge_result_name(int result)
{
	if (result < 0 || (size_t)result >= nitems(merge_result_names))
		fatalx("bad merge result %d", result);
	return (merge_result_names[result]);
}

void
merge_result_free(struct merge_result *m)
{
	size_t	i;

	free(m->main);
	free(m->base);
	for (i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
	free(m->message);
	free(m->proof);
	worktree_log_free(&m->log);
	memset(m, 0, sizeof *m);
}

/* The JSON of a merge: baton-git prints it and merge --json passes it on. */
cJSON *
merge_json(struct task *t, struct merge_result *m)
{
	cJSON	*obj, *files, *steps, *proof;
	size_t	 i;

	obj = cJSON_CreateObject();
	if (t != NULL)
		cJSON_AddNumberToObject(obj, "task", (double)t->id);
	cJSON_AddStringToObject(obj, "result", merge_result_name(m->result));
	cJSON_AddItemToObject(obj, "main", json_string(m->main));
	cJSON_AddItemToObject(obj, "base", json_string(m->base));
	cJSON_AddNumberToObject(obj, "commits", (double)m->commits);
	files = cJSON_AddArrayToObject(obj, "files");
	for (i = 0; i < m->nfiles; i++)
		cJSON_AddItemToArray(files, json_string(m->files[i]));
	cJSON_AddItemToObject(obj, "message", json_string(m->message));
	if (m->proof == NULL || (proof = cJSON_Parse(m->proof)) == NULL)
		proof = cJSON_CreateNull();
	cJSON_AddItemToObject(obj, "proof", proof);
	steps = cJSON_AddArrayToObject(obj, "steps");
	for (i = 0; i < m->log.n; i++)
		cJSON_AddItemToArray(steps, json_string(m->log.lines[i]));
	return (obj);
}

/* Append the strings of a JSON array to a list. */
static void
merge_strings(cJSON *array, char ***list, size_t *n)
{
	cJSON	*item;

	cJSON_ArrayForEach(item, array) {
		if (!cJSON_IsString(item))
			continue;
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = xstrdup(item->valuestring);
	}
}

/* Read baton-git's answer to a merge or a rebase into m. */
static int
merge_parse(char *out, struct merge_result *m, char **cause)
{
	cJSON		*root, *item;
	const char	*s;
	u_int		 i;

	if ((root = cJSON_Parse(out)) == NULL) {
		xasprintf(cause, "baton-git said: %.200s", out);
		free(out);
		return (-1);
	}
	free(out);

	s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "result"));
	m->result = -1;
	for (i = 0; s != NULL && i < nitems(merge_result_names); i++) {
		if (strcmp(s, merge_result_names[i]) == 0)
			m->result = (int)i;
	}
	if (m->result == -1) {
		xasprintf(cause, "baton-git gave no merge result");
		cJSON_Delete(root);
		return (-1);
	}
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "main"))) != NULL)
		m->main = xstrdup(s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "base"))) != NULL)
		m->base = xstrdup(s);
	if ((s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "message"))) != NULL)
		m->message = xstrdup(s);
	else
		m->message = xstrdup(merge_result_name(m->result));
	item = cJSON_GetObjectItemCaseSensitive(root, "commits");
	if (cJSON_IsNumber(item) && item->valuedouble >= 0 &&
	    item->valuedouble < 1e9)
		m->commits = (u_int)item->valuedouble;
	merge_strings(cJSON_GetObjectItemCaseSensitive(root, "files"),
	    &m->files, &m->nfiles);
	merge_strings(cJSON_GetObjectItemCaseSensitive(root, "steps"),
	    &m->log.lines, &m->log.n);
	item = cJSON_GetObjectItemCaseSensitive(root, "proof");
	if (cJSON_IsObject(item) &&
	    (m->proof = cJSON_PrintUnformatted(item)) == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	cJSON_Delete(root);
	return (0);
}

/*
 * Land task's branch on main in baton-git; the answer is in m. With
 * expect_base, only while main's tip is that commit (else MERGE_MOVED).
 */
int
gitc_merge_onto(struct repo *repo, int64_t task, const char *expect_base,
    const char *expect_tip, struct merge_result *m, char **cause)
{
	const char	*argv[7];
	char		 id[32], *out = NULL;
	int		 argc = 0;

	memset(m, 0, sizeof *m);
	snprintf(id, sizeof id, "%lld", (long long)task);
	argv[argc++] = "merge";
	argv[argc++] = id;
	if (expect_base != NULL) {
		argv[argc++] = "--expect-base";
		argv[argc++] = expect_base;
		if (expect_tip != NULL) {
			argv[argc++] = "--expect-tip";
			argv[argc++] = expect_tip;
		}
	}
	argv[argc] = NULL;
	if (gitc_runv(repo, argv, &out, cause) != 0)
		return (-1);
	return (merge_parse(out, m, cause));
}

/* Land task's branch on main whatever main's tip is. */
int
gitc_merge(struct repo *repo, int64_t task, struct merge_result *m,
    char **cause)
{
	return (gitc_merge_onto(repo, task, NULL, NULL, m, cause));
}

/* Run one baton-git request on a task and read its merge result. */
static int
gitc_task(struct repo *repo, const char *op, int64_t task,
    struct merge_result *m, char **cause)
{
	char	 id[32], *out = NULL;

	memset(m, 0, sizeof *m);
	snprintf(id, sizeof id, "%lld", (long long)task);
	if (gitc_run(repo, op, id, &out, cause) != 0)
		return (-1);
	return (merge_parse(out, m, cause));
}

/*
 * Rebase task's branch onto main and check it out in its worktree, in
 * baton-git: MERGE_REBASED with m->base main's tip and m->main the
 * branch's new tip, or why not.
 */
int
gitc_rebase(struct repo *repo, int64_t task, struct merge_result *m,
    char **cause)
{
	return (gitc_task(repo, "rebase", task, m, cause));
}

/*
 * Commit what run's agent changed in task's worktree, in baton-git, with
 * the message kept in the run's commit-message file: MERGE_COMMITTED, or
 * MERGE_EMPTY when the branch then has nothing main lacks.
 */
int
gitc_commit(struct repo *repo, int64_t task, int64_t run, const char *name,
    const char *email, const char *message, struct merge_result *m,
    char **cause)
{
	const char	*argv[6];
	char		 id[32], *path, *out = NULL;
	int		 rc;

	memset(m, 0, sizeof *m);
	path = repo_run_file(repo, run, "commit-message");
	if (util_write_file(path, message, strlen(message), cause) != 0) {
		free(path);
		return (-1);
	}
	snprintf(id, sizeof id, "%lld", (long long)task);
	argv[0] = "commit";
	argv[1] = id;
	argv[2] = name;
	argv[3] = email;
	argv[4] = path;
	argv[5] = NULL;
	rc = gitc_runv(repo, argv, &out, cause);
	free(path);
	if (rc != 0)
		return (-1);
	return (merge_parse(out, m, cause));
}

/* Set task's worktree up for an agent to resolve its conflict with main. */
int
gitc_resolve_prepare(struct repo *repo, int64_t task, struct merge_result *m,
    char **cause)
{
	return (gitc_task(repo, "resolve-prepare", task, m, cause));
}

/* Keep, then throw away, what a review run left in task's worktree. */
int
gitc_discard(struct repo *repo, int64_t task, struct merge_result *m,
    char **cause)
{
	return (gitc_task(repo, "discard", task, m, cause));
}

/* Take away what a test run left in task's worktree, in baton-git. */
int
gitc_clean(struct repo *repo, int64_t task, struct merge_result *m,
    char **cause)
{
	return (gitc_task(repo, "clean", task, m, cause));
}
