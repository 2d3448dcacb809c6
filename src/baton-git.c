/*
 * baton-git: the git work of baton, in a program of its own so that only
 * it starts libgit2. baton runs it with one request and reads one JSON
 * answer from its standard output:
 *
 *	baton-git [-v] [-C dir] worktree-add TASK
 *	baton-git [-v] [-C dir] worktree-rm TASK
 *	baton-git [-v] [-C dir] merge TASK [--expect-base OID [--expect-tip OID]]
 *	baton-git [-v] [-C dir] rebase TASK
 *	baton-git [-v] [-C dir] clean TASK
 *	baton-git [-v] [-C dir] discard TASK
 *	baton-git [-v] [-C dir] resolve-prepare TASK
 *	baton-git [-v] [-C dir] commit TASK AUTHOR EMAIL MESSAGE-FILE
 *	baton-git [-v] [-C dir] diffstat BRANCH
 *	baton-git [-v] demo-repo DIR
 *
 * A failure is one line on standard error and exit status 1.
 */

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <git2.h>

#include "baton.h"

/* Fill cause with what failed and libgit2's last message; -1. */
int
git_error_cause(char **cause, const char *fmt, ...)
{
	const git_error	*e = git_error_last();
	va_list		 ap;
	char		*what;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s: %s", what, e != NULL && e->message != NULL ?
	    e->message : "failed");
	free(what);
	return (-1);
}

static __dead void
git_main_fail(char *cause)
{
	char	*safe = util_vis(cause, 0);

	fprintf(stderr, "baton-git: %s\n", safe);
	exit(BATON_EXIT_ERROR);
}

static void
git_main_print(cJSON *json)
{
	char	*text;

	if ((text = cJSON_PrintUnformatted(json)) == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	puts(text);
	free(text);
	cJSON_Delete(json);
}

/* The repository, its store and the task a worktree request names. */
static struct task *
git_main_task(const char *arg, struct repo **repo, struct store **s)
{
	struct task	*t;
	char		*cause = NULL, cwd[4096], *end;
	long long	 id;

	id = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || id <= 0) {
		xasprintf(&cause, "not a task id: %s", arg);
		git_main_fail(cause);
	}
	if (getcwd(cwd, sizeof cwd) == NULL)
		fatal("getcwd");
	if ((*repo = repo_find(cwd, &cause)) == NULL ||
	    (*s = store_open((*repo)->db_path, 0, &cause)) == NULL)
		git_main_fail(cause);
	if ((t = store_task_get(*s, id, &cause)) == NULL) {
		if (cause == NULL)
			xasprintf(&cause, "no task #%lld", (long long)id);
		git_main_fail(cause);
	}
	return (t);
}

static void
git_main_worktree(const char *op, const char *arg)
{
	struct worktree_log	 log = { NULL, 0 };
	struct repo		*repo;
	struct store		*s;
	struct task		*t;
	char			*cause = NULL;
	int			 rc;

	t = git_main_task(arg, &repo, &s);
	if (strcmp(op, "worktree-add") == 0) {
		if (worktree_ensure(repo, s, t, &log, &cause) != 0)
			git_main_fail(cause);
		git_main_print(worktree_json(t, &log, "ready"));
	} else {
		if ((rc = worktree_remove(repo, s, t, &log, &cause)) == -1)
			git_main_fail(cause);
		git_main_print(worktree_json(t, &log, rc == WORKTREE_KEPT ?
		    "kept" : "removed"));
	}
	worktree_log_free(&log);
	task_free(t);
	store_close(s);
	repo_free(repo);
}

/* A full commit id from the command line, in lower case; or exit. */
static const char *
git_main_oid(const char *text, char *buf, size_t len)
{
	git_oid	 oid;
	char	*cause;

	if (strlen(text) != GIT_OID_HEXSZ || git_oid_fromstr(&oid, text) != 0) {
		xasprintf(&cause, "not a full commit id: %s", text);
		git_main_fail(cause);
	}
	git_oid_tostr(buf, len, &oid);
	return (buf);
}

/*
 * Merge (on the main tip and from the branch tip that were tested, when
 * given), rebase or clean a task.
 */
static void
git_main_merge(const char *op, const char *arg, const char *expect_base,
    const char *expect_tip)
{
	struct merge_result	 m;
	struct repo		*repo;
	struct store		*s;
	struct task		*t;
	char			*cause = NULL, base[GIT_OID_HEXSZ + 1];
	char			 tip[GIT_OID_HEXSZ + 1];
	int			 rc;

	/* In the lower case every other commit id is written in. */
	if (expect_base != NULL)
		expect_base = git_main_oid(expect_base, base, sizeof base);
	if (expect_tip != NULL)
		expect_tip = git_main_oid(expect_tip, tip, sizeof tip);
	t = git_main_task(arg, &repo, &s);
	if (strcmp(op, "rebase") == 0)
		rc = git_rebase_task(repo, s, t, &m, &cause);
	else if (strcmp(op, "clean") == 0)
		rc = git_clean_task(repo, s, t, &m, &cause);
	else if (strcmp(op, "discard") == 0)
		rc = git_discard_task(repo, t, "review", &m, &cause);
	else if (strcmp(op, "resolve-prepare") == 0)
		rc = git_resolve_prepare(repo, t, &m, &cause);
	else
		rc = git_merge_task(repo, s, t, expect_base, expect_tip, &m,
		    &cause);
	if (rc != 0)
		git_main_fail(cause);
	git_main_print(merge_json(t, &m));
	merge_result_free(&m);
	task_free(t);
	store_close(s);
	repo_free(repo);
}

/* Commit what an agent changed in a task's worktree. */
static void
git_main_commit(char **argv)
{
	struct merge_result	 m;
	struct repo		*repo;
	struct store		*s;
	struct task		*t;
	char			*cause = NULL, *message;

	t = git_main_task(argv[1], &repo, &s);
	if ((message = cmd_read_file(argv[4], &cause)) == NULL)
		git_main_fail(cause);
	if (git_resolve_finish(repo, t, argv[2], argv[3], message, &m,
	    &cause) != 0)
		git_main_fail(cause);
	git_main_print(merge_json(t, &m));
	free(message);
	merge_result_free(&m);
	task_free(t);
	store_close(s);
	repo_free(repo);
}

static void
git_main_diffstat(const char *branch)
{
	struct diffstat	 ds;
	struct repo	*repo;
	cJSON		*obj, *lines;
	char		*cause = NULL, cwd[4096];
	size_t		 i;

	if (getcwd(cwd, sizeof cwd) == NULL)
		fatal("getcwd");
	if ((repo = repo_find(cwd, &cause)) == NULL ||
	    git_diffstat(repo, branch, &ds, &cause) != 0)
		git_main_fail(cause);
	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "files", (double)ds.files);
	cJSON_AddNumberToObject(obj, "insertions", (double)ds.insertions);
	cJSON_AddNumberToObject(obj, "deletions", (double)ds.deletions);
	lines = cJSON_AddArrayToObject(obj, "lines");
	for (i = 0; i < ds.nlines; i++)
		cJSON_AddItemToArray(lines, json_string(ds.lines[i]));
	cJSON_AddItemToObject(obj, "patch", json_string(ds.patch));
	git_main_print(obj);
	diffstat_free(&ds);
	repo_free(repo);
}

int
main(int argc, char **argv)
{
	char	*cause = NULL;
	int	 ch;

	setlocale(LC_ALL, "");
	while ((ch = getopt(argc, argv, "+C:v")) != -1) {
		switch (ch) {
		case 'C':
			if (chdir(optarg) != 0) {
				xasprintf(&cause, "cannot change to %s", optarg);
				git_main_fail(cause);
			}
			break;
		case 'v':
			log_open(NULL);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if ((argc == 4 || (argc == 6 && strcmp(argv[4], "--expect-tip") ==
	    0)) && strcmp(argv[0], "merge") == 0 &&
	    strcmp(argv[2], "--expect-base") == 0) {
		if (getenv("BATON_GIT_LOG") != NULL)
			log_open(NULL);
		git_main_merge(argv[0], argv[1], argv[3], argc == 6 ? argv[5] :
		    NULL);
		return (BATON_EXIT_OK);
	}
	if (argc == 5 && strcmp(argv[0], "commit") == 0) {
		if (getenv("BATON_GIT_LOG") != NULL)
			log_open(NULL);
		git_main_commit(argv);
		return (BATON_EXIT_OK);
	}
	if (argc != 2)
		goto usage;
	if (getenv("BATON_GIT_LOG") != NULL)
		log_open(NULL);

	if (strcmp(argv[0], "worktree-add") == 0 ||
	    strcmp(argv[0], "worktree-rm") == 0)
		git_main_worktree(argv[0], argv[1]);
	else if (strcmp(argv[0], "merge") == 0 ||
	    strcmp(argv[0], "rebase") == 0 || strcmp(argv[0], "clean") == 0 ||
	    strcmp(argv[0], "discard") == 0 ||
	    strcmp(argv[0], "resolve-prepare") == 0)
		git_main_merge(argv[0], argv[1], NULL, NULL);
	else if (strcmp(argv[0], "diffstat") == 0)
		git_main_diffstat(argv[1]);
	else if (strcmp(argv[0], "demo-repo") == 0) {
		if (demo_repository(argv[1], &cause) != 0)
			git_main_fail(cause);
		git_main_print(cJSON_CreateObject());
	} else
		goto usage;
	return (BATON_EXIT_OK);

usage:
	fprintf(stderr, "usage: baton-git [-v] [-C dir] worktree-add|"
	    "worktree-rm|rebase|clean|discard|resolve-prepare TASK | merge TASK [--expect-base OID "
	    "[--expect-tip OID]] | commit TASK AUTHOR EMAIL MESSAGE-FILE | "
	    "diffstat BRANCH | demo-repo DIR\n");
	return (BATON_EXIT_USAGE);
}
