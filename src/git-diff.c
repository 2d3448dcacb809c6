/*
 * What a task's branch changed since it left the main branch, as a
 * diffstat and as a patch (for its review): libgit2 is started only here,
 * when someone asks.
 */

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "baton.h"

/* The commit a branch name points at, or -1. */
static int
git_diff_branch(git_repository *g, const char *name, git_commit **commit)
{
	git_reference	*ref = NULL;
	git_object	*obj = NULL;
	int		 rc;

	if (git_branch_lookup(&ref, g, name, GIT_BRANCH_LOCAL) != 0)
		return (-1);
	rc = git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT);
	git_reference_free(ref);
	if (rc != 0)
		return (-1);
	*commit = (git_commit *)obj;
	return (0);
}


/*
 * The diffstat of branch against the point where it left main (or master):
 * what its commits changed, not what main did meanwhile.
 */
int
git_diffstat(struct repo *r, const char *branch, struct diffstat *ds,
    char **cause)
{
	git_repository	*g = NULL;
	git_commit	*head = NULL, *main = NULL, *base = NULL;
	git_tree	*head_tree = NULL, *base_tree = NULL;
	git_diff	*diff = NULL;
	git_diff_stats	*stats = NULL;
	git_buf		 buf = { NULL, 0, 0 }, patch = { NULL, 0, 0 };
	git_oid		 base_id;
	char		*text, *line, *next;
	int		 rc = -1;

	memset(ds, 0, sizeof *ds);
	git_libgit2_init();
	log_debug("%s: %s in %s", __func__, branch, r->gitdir);
	if (git_repository_open(&g, r->gitdir) != 0) {
		git_error_cause(cause, "%s", r->gitdir);
		goto out;
	}
	if (git_diff_branch(g, branch, &head) != 0) {
		xasprintf(cause, "no branch %s", branch);
		goto out;
	}
	if (git_diff_branch(g, "main", &main) != 0 &&
	    git_diff_branch(g, "master", &main) != 0) {
		*cause = xstrdup("no main or master branch");
		goto out;
	}
	if (git_merge_base(&base_id, g, git_commit_id(head),
	    git_commit_id(main)) != 0 ||
	    git_commit_lookup(&base, g, &base_id) != 0 ||
	    git_commit_tree(&base_tree, base) != 0 ||
	    git_commit_tree(&head_tree, head) != 0 ||
	    git_diff_tree_to_tree(&diff, g, base_tree, head_tree, NULL) != 0 ||
	    git_diff_get_stats(&stats, diff) != 0) {
		git_error_cause(cause, "%s", branch);
		goto out;
	}
	ds->files = git_diff_stats_files_changed(stats);
	ds->insertions = git_diff_stats_insertions(stats);
	ds->deletions = git_diff_stats_deletions(stats);
	if (git_diff_stats_to_buf(&buf, stats, GIT_DIFF_STATS_FULL, 72) != 0) {
		git_error_cause(cause, "%s", branch);
		goto out;
	}
	text = xstrndup(buf.ptr != NULL ? buf.ptr : "", buf.size);
	for (next = text; (line = strsep(&next, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		ds->lines = xreallocarray(ds->lines, ds->nlines + 1,
		    sizeof *ds->lines);
		ds->lines[ds->nlines++] = xstrdup(line);
	}
	free(text);
	if (git_diff_to_buf(&patch, diff, GIT_DIFF_FORMAT_PATCH) != 0) {
		git_error_cause(cause, "%s", branch);
		goto out;
	}
	if (patch.size > DIFFSTAT_PATCH_MAX) {
		/* Cut at a line's end; the reader is told where the rest is. */
		text = xstrndup(patch.ptr, DIFFSTAT_PATCH_MAX);
		if ((line = strrchr(text, '\n')) != NULL)
			line[1] = '\0';
		xasprintf(&ds->patch, "%s[… %zu more bytes: git diff %s...%s]\n",
		    text, patch.size - strlen(text), "main", branch);
		free(text);
	} else
		ds->patch = xstrndup(patch.ptr != NULL ? patch.ptr : "",
		    patch.size);
	rc = 0;

out:
	git_buf_dispose(&buf);
	git_buf_dispose(&patch);
	git_diff_stats_free(stats);
	git_diff_free(diff);
	git_tree_free(head_tree);
	git_tree_free(base_tree);
	git_commit_free(base);
	git_commit_free(main);
	git_commit_free(head);
	git_repository_free(g);
	return (rc);
}
