/*
 * Committing what an agent changed in its task's worktree. The agent CLIs
 * are run without git write access (their sandboxes keep a linked
 * worktree's git directory read-only, or they may not run git at all), so
 * when a work run succeeds baton itself stages every change in the
 * worktree, as 'git add -A' would (ignored files and baton's own .baton/
 * left out), and commits it on the task's branch, the agent as author.
 *
 * A run that must not change the worktree (a review) has whatever it
 * left kept under refs/baton/saved/ and then thrown away, so that none
 * of it is ever committed with the task's work.
 *
 * The step can be repeated: a commit killed before its ref moved is made
 * again from the worktree, and one killed after finds nothing to commit.
 * The answer says how many commits the branch then has that main lacks,
 * so a run that changed nothing is told from one that did.
 */

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <git2.h>

#include "baton.h"

/* baton's own files in a worktree (prompts, checkpoints) are not work. */
static int
cm_skip(const char *path, const char *matched, void *arg)
{
	(void)matched;
	(void)arg;
	if (strcmp(path, ".baton") == 0 || strncmp(path, ".baton/", 7) == 0)
		return (1);
	return (0);
}

/* The paths of a tree diff, for the answer's files. */
static int
cm_names(git_repository *g, git_commit *parent, git_tree *tree,
    struct merge_result *m, char **cause)
{
	git_tree		*old = NULL;
	git_diff		*diff = NULL;
	const git_diff_delta	*d;
	size_t			 i, n;

	if (git_commit_tree(&old, parent) != 0 ||
	    git_diff_tree_to_tree(&diff, g, old, tree, NULL) != 0) {
		git_tree_free(old);
		return (git_error_cause(cause, "comparing the trees"));
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		m->files = xreallocarray(m->files, m->nfiles + 1,
		    sizeof *m->files);
		m->files[m->nfiles++] = xstrdup(d->new_file.path != NULL ?
		    d->new_file.path : d->old_file.path);
	}
	git_diff_free(diff);
	git_tree_free(old);
	return (0);
}

/* How many commits tip has that base lacks. */
static int
cm_ahead(git_repository *g, const git_oid *tip, const git_oid *base,
    u_int *n, char **cause)
{
	size_t	ahead, behind;

	if (git_graph_ahead_behind(&ahead, &behind, g, tip, base) != 0)
		return (git_error_cause(cause, "counting commits"));
	*n = (u_int)ahead;
	return (0);
}

/* The committer: the repository's own identity, else baton. */
static int
cm_committer(git_repository *g, git_signature **sig, char **cause)
{
	if (git_signature_default(sig, g) == 0)
		return (0);
	if (git_signature_now(sig, "baton", "baton@baton.invalid") != 0)
		return (git_error_cause(cause, "making a signature"));
	return (0);
}

/*
 * Stage and commit everything changed in task t's worktree, by author
 * "name <email>", with message. m->result is MERGE_COMMITTED (m->main the
 * branch's tip, m->commits what main lacks of it, m->files what this
 * commit staged) or MERGE_EMPTY when the branch has nothing main lacks.
 */
int
git_commit_task(struct repo *repo, struct task *t, const char *name,
    const char *email, const char *message, struct merge_result *m,
    char **cause)
{
	git_repository	*g = NULL, *wr = NULL;
	git_reference	*head = NULL;
	git_index	*index = NULL;
	git_tree	*tree = NULL;
	git_commit	*parent = NULL;
	git_signature	*author = NULL, *committer = NULL;
	git_strarray	 all = { NULL, 0 };
	git_oid		 main_oid, tree_oid, new_oid;
	struct stat	 sb;
	char		 star[] = "*", *pattern = star;
	char		*main_name = NULL, *refname = NULL;
	int		 rc = -1;

	memset(m, 0, sizeof *m);
	all.strings = &pattern;
	all.count = 1;
	if (t->branch == NULL || t->worktree == NULL) {
		xasprintf(cause, "#%lld has no worktree to commit in",
		    (long long)t->id);
		return (-1);
	}
	if (lstat(t->worktree, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "#%lld's worktree %s is gone",
		    (long long)t->id, t->worktree);
		return (-1);
	}
	git_libgit2_init();
	if (git_repository_open(&g, repo->workdir) != 0) {
		git_error_cause(cause, "%s", repo->workdir);
		goto out;
	}
	if (worktree_main_ref(g, &main_name, &main_oid, cause) != 0)
		goto out;
	if (git_repository_open_ext(&wr, t->worktree,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		git_error_cause(cause, "%s", t->worktree);
		goto out;
	}

	/* Only ever onto the task's own branch. */
	xasprintf(&refname, "refs/heads/%s", t->branch);
	if (git_reference_lookup(&head, wr, "HEAD") != 0) {
		git_error_cause(cause, "reading HEAD of %s", t->worktree);
		goto out;
	}
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    strcmp(git_reference_symbolic_target(head), refname) != 0) {
		xasprintf(cause, "%s is not on its branch %s (a rebase or a "
		    "checkout under way?): nothing was committed", t->worktree,
		    t->branch);
		goto out;
	}
	if (git_repository_state(wr) != GIT_REPOSITORY_STATE_NONE) {
		xasprintf(cause, "%s has a merge, rebase or cherry-pick under "
		    "way: nothing was committed", t->worktree);
		goto out;
	}
	if (git_reference_name_to_id(&new_oid, wr, refname) != 0 ||
	    git_commit_lookup(&parent, wr, &new_oid) != 0) {
		git_error_cause(cause, "reading %s", t->branch);
		goto out;
	}

	/* What 'git add -A' would stage, baton's own files left out. */
	if (git_repository_index(&index, wr) != 0 ||
	    git_index_read(index, 1) != 0) {
		git_error_cause(cause, "reading the index of %s", t->worktree);
		goto out;
	}
	if (git_index_add_all(index, &all, GIT_INDEX_ADD_DEFAULT, cm_skip,
	    NULL) != 0 || git_index_update_all(index, &all, cm_skip,
	    NULL) != 0) {
		git_error_cause(cause, "staging the changes in %s",
		    t->worktree);
		goto out;
	}
	if (git_index_write_tree(&tree_oid, index) != 0) {
		git_error_cause(cause, "writing the tree of %s", t->worktree);
		goto out;
	}

	if (git_index_write(index) != 0) {
		git_error_cause(cause, "writing the index of %s", t->worktree);
		goto out;
	}
	if (!git_oid_equal(&tree_oid, git_commit_tree_id(parent))) {
		if (git_tree_lookup(&tree, wr, &tree_oid) != 0) {
			git_error_cause(cause, "reading the new tree");
			goto out;
		}
		if (cm_names(wr, parent, tree, m, cause) != 0)
			goto out;
		if (git_signature_now(&author, name, email) != 0) {
			git_error_cause(cause, "making a signature for %s",
			    name);
			goto out;
		}
		if (cm_committer(wr, &committer, cause) != 0)
			goto out;
		if (git_commit_create_v(&new_oid, wr, "HEAD", author,
		    committer, NULL, message, tree, 1, parent) != 0) {
			git_error_cause(cause, "committing on %s", t->branch);
			goto out;
		}
		log_debug("%s: #%lld: committed %zu path%s on %s", __func__,
		    (long long)t->id, m->nfiles, m->nfiles == 1 ? "" : "s",
		    t->branch);
	}

	if (cm_ahead(g, &new_oid, &main_oid, &m->commits, cause) != 0)
		goto out;
	m->main = xmalloc(GIT_OID_HEXSZ + 1);
	git_oid_tostr(m->main, GIT_OID_HEXSZ + 1, &new_oid);
	m->base = xmalloc(GIT_OID_HEXSZ + 1);
	git_oid_tostr(m->base, GIT_OID_HEXSZ + 1, &main_oid);
	m->result = m->commits == 0 ? MERGE_EMPTY : MERGE_COMMITTED;
	rc = 0;
out:
	git_signature_free(author);
	git_signature_free(committer);
	git_tree_free(tree);
	git_commit_free(parent);
	git_index_free(index);
	git_reference_free(head);
	git_repository_free(wr);
	git_repository_free(g);
	free(refname);
	free(main_name);
	return (rc);
}

/*
 * Throw away what a run that must not change the worktree (a review) left
 * in task t's worktree, after keeping it: every change is committed, as
 * it stood, under refs/baton/saved/T<id>-<what>-<time> (never on a
 * branch), and the worktree and index go back to the branch's tip.
 * m->result is MERGE_CLEANED with m->files what was thrown away and
 * m->main the saved commit, or MERGE_EMPTY when nothing was left.
 */
int
git_discard_task(struct repo *repo, struct task *t, const char *what,
    struct merge_result *m, char **cause)
{
	git_repository		*wr = NULL;
	git_index		*index = NULL;
	git_tree		*tree = NULL;
	git_commit		*head = NULL;
	git_signature		*sig = NULL;
	git_reference		*ref = NULL;
	git_strarray		 all;
	git_oid			 head_oid, tree_oid, saved;
	char			 star[] = "*", *pattern = star;
	char			*refname = NULL, *message = NULL;
	int			 rc = -1;

	memset(m, 0, sizeof *m);
	all.strings = &pattern;
	all.count = 1;
	if (t->branch == NULL || t->worktree == NULL) {
		xasprintf(cause, "#%lld has no worktree", (long long)t->id);
		return (-1);
	}
	git_libgit2_init();
	if (git_repository_open_ext(&wr, t->worktree,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		git_error_cause(cause, "%s", t->worktree);
		goto out;
	}
	if (git_reference_name_to_id(&head_oid, wr, "HEAD") != 0 ||
	    git_commit_lookup(&head, wr, &head_oid) != 0) {
		git_error_cause(cause, "reading HEAD of %s", t->worktree);
		goto out;
	}
	if (git_repository_index(&index, wr) != 0 ||
	    git_index_read(index, 1) != 0 ||
	    git_index_add_all(index, &all, GIT_INDEX_ADD_DEFAULT, cm_skip,
	    NULL) != 0 || git_index_update_all(index, &all, cm_skip,
	    NULL) != 0 || git_index_write_tree(&tree_oid, index) != 0) {
		git_error_cause(cause, "reading the changes in %s",
		    t->worktree);
		goto out;
	}
	if (git_oid_equal(&tree_oid, git_commit_tree_id(head))) {
		/* Nothing was left; the index goes back as it was. */
		git_index_read(index, 1);
		m->result = MERGE_EMPTY;
		rc = 0;
		goto out;
	}
	if (git_tree_lookup(&tree, wr, &tree_oid) != 0 ||
	    cm_names(wr, head, tree, m, cause) != 0)
		goto out;

	/* Keep it first: nothing is thrown away without a copy. */
	if (git_signature_now(&sig, "baton", "baton@baton.invalid") != 0) {
		git_error_cause(cause, "making a signature");
		goto out;
	}
	xasprintf(&message, "T%lld: what the %s run left, kept before it was "
	    "thrown away\n", (long long)t->id, what);
	if (git_commit_create_v(&saved, wr, NULL, sig, sig, NULL, message,
	    tree, 1, head) != 0) {
		git_error_cause(cause, "keeping what was left in %s",
		    t->worktree);
		goto out;
	}
	xasprintf(&refname, "refs/baton/saved/T%lld-%s-%lld", (long long)t->id,
	    what, (long long)time(NULL));
	if (git_reference_create(&ref, wr, refname, &saved, 1, message) != 0) {
		git_error_cause(cause, "writing %s", refname);
		goto out;
	}
	if (git_reset(wr, (git_object *)head, GIT_RESET_HARD, NULL) != 0) {
		git_error_cause(cause, "resetting %s", t->worktree);
		goto out;
	}
	m->main = xmalloc(GIT_OID_HEXSZ + 1);
	git_oid_tostr(m->main, GIT_OID_HEXSZ + 1, &saved);
	m->message = xstrdup(refname);
	m->result = MERGE_CLEANED;
	log_debug("%s: #%lld: threw away %zu path%s the %s run left (kept as "
	    "%s)", __func__, (long long)t->id, m->nfiles, m->nfiles == 1 ? "" :
	    "s", what, refname);
	rc = 0;
out:
	free(message);
	free(refname);
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(head);
	git_index_free(index);
	git_repository_free(wr);
	return (rc);
}
