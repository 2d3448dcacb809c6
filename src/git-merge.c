/*
 * Landing a finished task's branch on main, one task at a time, with
 * libgit2. The branch's commits that main lacks are rebased onto main's tip
 * in memory, and main is fast-forwarded to the result; a conflict writes
 * nothing and leaves the branch as it was.
 *
 * Nothing is ever lost: a task worktree with uncommitted changes, or a
 * checkout of main with local changes, stops the merge before anything
 * moves. Refs move in an order a crash cannot hurt: the task branch to the
 * rebased tip first (it still holds every change), then main with a
 * compare-and-swap on its old value, then the checkout of main, then the
 * task's worktree and branch are removed. .baton/merge.pending records the
 * rebased tip before any ref moves, so a merge killed after main moved but
 * before the cleanup is finished, not mistaken for an empty branch, when it
 * is run again.
 *
 * Merges are serialised by a flock on .baton/merge.lock.
 */

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "baton.h"

/* How long a merge waits for another to finish, in tenths of a second. */
#define MERGE_LOCK_WAIT 300

/* How many paths a message names before "and N more". */
#define MERGE_MESSAGE_FILES 5

/* What one merge works on. */
struct mg {
	struct repo		*repo;
	struct store		*s;
	struct task		*task;
	struct merge_result	*m;
	git_repository		*g;
	char			*main;		/* main branch's name */
	char			*main_ref;	/* refs/heads/<main> */
	git_oid			 main_oid;	/* main's tip at the start */
	char			*refname;	/* refs/heads/<task branch> */
	git_oid			 branch_oid;	/* the branch's tip at the start */
	git_oid			 tip;		/* what main becomes */
	int			 checked_out;	/* main is HEAD of the work tree */
	char			*journal;	/* .baton/merge.pending */
	int			 lock_fd;
};

/* What merge.pending holds: a merge that had started moving refs. */
struct mg_pending {
	long long	task;
	char		branch[256];
	git_oid		tip;
	git_oid		base;
	u_int		commits;
};

/* Record one step: in the debug log, and for the caller to show. */
#define mg_note(mg, ...) worktree_log_add(&(mg)->m->log, __VA_ARGS__)

static char *
mg_hex(const git_oid *oid)
{
	char	hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof hex, oid);
	return (xstrdup(hex));
}

/* Add a path to the result's files, once. */
static void
mg_add_file(struct merge_result *m, const char *path)
{
	size_t	i;

	for (i = 0; i < m->nfiles; i++) {
		if (strcmp(m->files[i], path) == 0)
			return;
	}
	m->files = xreallocarray(m->files, m->nfiles + 1, sizeof *m->files);
	m->files[m->nfiles++] = xstrdup(path);
}

/* The result's files as "a, b, c and 2 more". */
static char *
mg_file_list(struct merge_result *m)
{
	char	*list = xstrdup(""), *next;
	size_t	 i;

	for (i = 0; i < m->nfiles && i < MERGE_MESSAGE_FILES; i++) {
		xasprintf(&next, "%s%s%s", list, i == 0 ? "" : ", ",
		    m->files[i]);
		free(list);
		list = next;
	}
	if (m->nfiles > MERGE_MESSAGE_FILES) {
		xasprintf(&next, "%s and %zu more", list,
		    m->nfiles - MERGE_MESSAGE_FILES);
		free(list);
		list = next;
	}
	return (list);
}

/* Take .baton/merge.lock, waiting a while for a merge under way. */
static int
mg_lock(struct mg *mg, char **cause)
{
	char	*path;
	int	 tries = 0;

	if (util_mkdir_p(mg->repo->dir, 0700, cause) != 0)
		return (-1);
	xasprintf(&path, "%s/merge.lock", mg->repo->dir);
	mg->lock_fd = open(path, O_RDWR|O_CREAT|O_CLOEXEC, 0600);
	if (mg->lock_fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	while (flock(mg->lock_fd, LOCK_EX|LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(path);
			return (-1);
		}
		if (++tries > MERGE_LOCK_WAIT) {
			xasprintf(cause, "another merge has held %s for %d "
			    "seconds; try again when it is done", path,
			    MERGE_LOCK_WAIT / 10);
			free(path);
			return (-1);
		}
		if (tries == 1)
			log_debug("%s: waiting for %s", __func__, path);
		usleep(100000);
	}
	free(path);
	return (0);
}

/* Read merge.pending: 0 when it holds a merge, -1 when there is none. */
static int
mg_pending_read(struct mg *mg, struct mg_pending *p)
{
	FILE	*f;
	char	 tip[GIT_OID_HEXSZ + 1], base[GIT_OID_HEXSZ + 1];
	int	 n;

	memset(p, 0, sizeof *p);
	if ((f = fopen(mg->journal, "r")) == NULL)
		return (-1);
	n = fscanf(f, "task %lld branch %255s tip %40s base %40s commits %u",
	    &p->task, p->branch, tip, base, &p->commits);
	fclose(f);
	if (n != 5 || git_oid_fromstr(&p->tip, tip) != 0 ||
	    git_oid_fromstr(&p->base, base) != 0) {
		log_debug("%s: ignoring unreadable %s", __func__, mg->journal);
		return (-1);
	}
	return (0);
}

/* Write merge.pending, durably, before any ref moves. */
static int
mg_pending_write(struct mg *mg, u_int commits, char **cause)
{
	char	*text, *tip, *base;
	int	 rc;

	tip = mg_hex(&mg->tip);
	base = mg_hex(&mg->main_oid);
	xasprintf(&text, "task %lld\nbranch %s\ntip %s\nbase %s\ncommits %u\n",
	    (long long)mg->task->id, mg->refname, tip, base, commits);
	free(tip);
	free(base);
	rc = util_write_file(mg->journal, text, strlen(text), cause);
	free(text);
	return (rc);
}

/*
 * The changes git status would show in a work tree, against baseline (NULL
 * for HEAD), leaving out baton's own .baton/. Paths go to the result's
 * files when collect is set. The number of changes, or -1.
 */
static int
mg_changes(struct mg *mg, git_repository *r, git_tree *baseline, int collect,
    char **cause)
{
	git_status_options	 opts;
	git_status_list		*list;
	const git_status_entry	*e;
	const char		*path;
	size_t			 i, n;
	int			 count = 0;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	opts.baseline = baseline;
	if (git_status_list_new(&list, r, &opts) != 0)
		return (git_error_cause(cause, "status of %s",
		    git_repository_workdir(r)));
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		e = git_status_byindex(list, i);
		path = NULL;
		if (e->index_to_workdir != NULL)
			path = e->index_to_workdir->new_file.path;
		if (path == NULL && e->head_to_index != NULL)
			path = e->head_to_index->new_file.path;
		if (path == NULL)
			continue;
		if (strcmp(path, ".baton") == 0 ||
		    strncmp(path, ".baton/", 7) == 0)
			continue;
		count++;
		if (collect)
			mg_add_file(mg->m, path);
	}
	git_status_list_free(list);
	return (count);
}

/*
 * Open the task's worktree if it has one: 1 with *wr set, 0 when there is
 * none to look at.
 */
static int
mg_open_worktree(struct mg *mg, git_repository **wr)
{
	struct stat	sb;
	const char	*path = mg->task->worktree;

	*wr = NULL;
	if (path == NULL || lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return (0);
	if (git_repository_open_ext(wr, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL) != 0) {
		mg_note(mg, __func__, "%s is not a git worktree; left alone",
		    path);
		return (0);
	}
	return (1);
}

/* Whether the worktree's HEAD is the task's branch. */
static int
mg_on_branch(struct mg *mg, git_repository *wr)
{
	git_reference	*head;
	int		 on;

	if (git_reference_lookup(&head, wr, "HEAD") != 0)
		return (0);
	on = git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    strcmp(git_reference_symbolic_target(head), mg->refname) == 0;
	git_reference_free(head);
	return (on);
}

/* Uncommitted work in the task's worktree: 1 when there is some. */
static int
mg_task_dirty(struct mg *mg, char **cause)
{
	git_repository	*wr;
	int		 n;

	if (!mg_open_worktree(mg, &wr))
		return (0);
	n = mg_changes(mg, wr, NULL, 1, cause);
	git_repository_free(wr);
	if (n == -1)
		return (-1);
	if (n > 0)
		mg_note(mg, __func__, "%d uncommitted change%s in %s", n,
		    n == 1 ? "" : "s", mg->task->worktree);
	return (n > 0);
}

/* Whether main is the branch checked out in the main work tree. */
static int
mg_main_checked_out(struct mg *mg)
{
	git_reference	*head;
	int		 on;

	if (git_repository_is_bare(mg->g) ||
	    git_reference_lookup(&head, mg->g, "HEAD") != 0)
		return (0);
	on = git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    strcmp(git_reference_symbolic_target(head), mg->main_ref) == 0;
	git_reference_free(head);
	return (on);
}

/* How many commits tip has that main lacks. */
static int
mg_count(struct mg *mg, const git_oid *tip, u_int *n, char **cause)
{
	git_revwalk	*walk;
	git_oid		 next;

	*n = 0;
	if (git_revwalk_new(&walk, mg->g) != 0 ||
	    git_revwalk_push(walk, tip) != 0 ||
	    git_revwalk_hide(walk, &mg->main_oid) != 0) {
		git_revwalk_free(walk);
		return (git_error_cause(cause, "walking %s", mg->refname));
	}
	while (git_revwalk_next(&next, walk) == 0)
		(*n)++;
	git_revwalk_free(walk);
	return (0);
}

/* The paths in conflict in a rebase's index, into the result's files. */
static int
mg_conflicts(struct mg *mg, git_index *index, char **cause)
{
	git_index_conflict_iterator	*it;
	const git_index_entry		*anc, *ours, *theirs;
	int				 rc;

	if (git_index_conflict_iterator_new(&it, index) != 0)
		return (git_error_cause(cause, "listing conflicts"));
	while ((rc = git_index_conflict_next(&anc, &ours, &theirs, it)) == 0) {
		if (ours != NULL)
			mg_add_file(mg->m, ours->path);
		else if (theirs != NULL)
			mg_add_file(mg->m, theirs->path);
		else if (anc != NULL)
			mg_add_file(mg->m, anc->path);
	}
	git_index_conflict_iterator_free(it);
	if (rc != GIT_ITEROVER)
		return (git_error_cause(cause, "listing conflicts"));
	return (0);
}

/*
 * Rebase the branch's own commits onto main in memory, keeping each one's
 * author, committer and message. 0 with mg->tip set and the number landed
 * in *landed, 1 on a conflict (its paths in the result's files), -1 on
 * error. Nothing but new objects is written either way.
 */
static int
mg_rebase(struct mg *mg, u_int *landed, char **cause)
{
	git_annotated_commit	*branch = NULL, *onto = NULL;
	git_rebase		*rb = NULL;
	git_rebase_options	 opts;
	git_rebase_operation	*op;
	git_index		*index = NULL;
	git_commit		*orig = NULL;
	git_oid			 new;
	char			 short_id[13];
	int			 rc, ret = -1;

	*landed = 0;
	git_oid_cpy(&mg->tip, &mg->main_oid);
	if (git_annotated_commit_lookup(&branch, mg->g, &mg->branch_oid) != 0 ||
	    git_annotated_commit_lookup(&onto, mg->g, &mg->main_oid) != 0) {
		git_error_cause(cause, "looking up %s and %s", mg->refname,
		    mg->main);
		goto out;
	}
	git_rebase_options_init(&opts, GIT_REBASE_OPTIONS_VERSION);
	opts.inmemory = 1;
	log_debug("%s: rebasing %s onto %s", __func__, mg->refname, mg->main);
	if (git_rebase_init(&rb, mg->g, branch, onto, onto, &opts) != 0) {
		git_error_cause(cause, "starting to rebase %s", mg->refname);
		goto out;
	}
	while ((rc = git_rebase_next(&op, rb)) == 0) {
		git_oid_tostr(short_id, sizeof short_id, &op->id);
		if (git_rebase_inmemory_index(&index, rb) != 0) {
			git_error_cause(cause, "rebasing %s", short_id);
			goto out;
		}
		if (git_index_has_conflicts(index)) {
			if (mg_conflicts(mg, index, cause) != 0)
				goto out;
			mg_note(mg, __func__, "commit %s does not apply on %s; "
			    "the rebase was dropped", short_id, mg->main);
			ret = 1;
			goto out;
		}
		git_index_free(index);
		index = NULL;
		if (git_commit_lookup(&orig, mg->g, &op->id) != 0) {
			git_error_cause(cause, "looking up %s", short_id);
			goto out;
		}
		rc = git_rebase_commit(&new, rb, git_commit_author(orig),
		    git_commit_committer(orig), NULL, NULL);
		if (rc == GIT_EAPPLIED) {
			mg_note(mg, __func__, "skipped commit %s: its change "
			    "is already on %s", short_id, mg->main);
		} else if (rc != 0) {
			git_error_cause(cause, "rebasing %s", short_id);
			goto out;
		} else {
			git_oid_cpy(&mg->tip, &new);
			(*landed)++;
		}
		git_commit_free(orig);
		orig = NULL;
	}
	if (rc != GIT_ITEROVER) {
		git_error_cause(cause, "rebasing %s", mg->refname);
		goto out;
	}
	if (git_rebase_finish(rb, NULL) != 0) {
		git_error_cause(cause, "finishing the rebase of %s", mg->refname);
		goto out;
	}
	ret = 0;
out:
	if (ret != 0)
		git_oid_cpy(&mg->tip, &mg->main_oid);
	git_commit_free(orig);
	git_index_free(index);
	git_rebase_free(rb);
	git_annotated_commit_free(branch);
	git_annotated_commit_free(onto);
	return (ret);
}

/*
 * Make sure main's index can be written: heal a stale index.lock and
 * refuse, before anything moves, when a live one is there.
 */
static int
mg_index_free(struct mg *mg, char **cause)
{
	struct stat	 sb;
	char		*path;

	xasprintf(&path, "%s/index.lock", mg->repo->gitdir);
	worktree_heal_lock(&mg->m->log, path);
	if (lstat(path, &sb) == 0) {
		xasprintf(cause, "cannot update %s checked out in %s: %s "
		    "exists (is another git command running? if not, remove "
		    "it); nothing was changed", mg->main, mg->repo->workdir,
		    path);
		free(path);
		return (-1);
	}
	free(path);
	return (0);
}

/*
 * Check out tree in main's work tree and index, where the files are those
 * of baseline. SAFE: a file that differs from baseline stops it.
 */
static int
mg_checkout(struct mg *mg, const git_oid *target, const git_oid *baseline,
    char **cause)
{
	git_checkout_options	 opts;
	git_commit		*c = NULL, *b = NULL;
	git_tree		*bt = NULL;
	int			 rc = -1;

	if (git_commit_lookup(&c, mg->g, target) != 0 ||
	    git_commit_lookup(&b, mg->g, baseline) != 0 ||
	    git_commit_tree(&bt, b) != 0) {
		git_error_cause(cause, "looking up %s", mg->main);
		goto out;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	opts.baseline = bt;
	log_debug("%s: checking out %s in %s", __func__, mg->main,
	    mg->repo->workdir);
	if (git_checkout_tree(mg->g, (git_object *)c, &opts) != 0) {
		git_error_cause(cause, "updating %s", mg->repo->workdir);
		goto out;
	}
	rc = 0;
out:
	git_tree_free(bt);
	git_commit_free(b);
	git_commit_free(c);
	return (rc);
}

/*
 * Move ref from old to new only if it still points at old. 0 done, 1 when
 * it has moved meanwhile, -1 on error.
 */
static int
mg_swap(struct mg *mg, const char *refname, const git_oid *new,
    const git_oid *old, const char *why, char **cause)
{
	git_reference	*ref;
	int		 rc;

	log_debug("%s: %s", __func__, refname);
	rc = git_reference_create_matching(&ref, mg->g, refname, new, 1, old,
	    why);
	if (rc == GIT_EMODIFIED)
		return (1);
	if (rc != 0)
		return (git_error_cause(cause, "moving %s", refname));
	git_reference_free(ref);
	return (0);
}

/* Bring the task's worktree to its branch's new tip: it was clean. */
static void
mg_update_worktree(struct mg *mg)
{
	git_repository		*wr;
	git_checkout_options	 opts;
	const git_error		*e;

	if (!mg_open_worktree(mg, &wr))
		return;
	if (!mg_on_branch(mg, wr)) {
		mg_note(mg, __func__, "left %s alone: its HEAD is not %s",
		    mg->task->worktree, mg->refname);
		git_repository_free(wr);
		return;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(wr, &opts) != 0) {
		e = git_error_last();
		mg_note(mg, __func__, "could not update %s: %s",
		    mg->task->worktree, e != NULL ? e->message : "failed");
	}
	git_repository_free(wr);
}

/*
 * Finish a merge that moved main before it was killed: bring main's
 * checkout up from where it was left, when nobody has touched it since.
 */
static int
mg_recover_checkout(struct mg *mg, struct mg_pending *p, char **cause)
{
	git_commit	*c;
	git_tree	*t;
	int		 n;

	if (!mg->checked_out || git_oid_equal(&p->base, &mg->main_oid))
		return (0);
	if ((n = mg_changes(mg, mg->g, NULL, 0, cause)) == -1)
		return (-1);
	if (n == 0)
		return (0);
	if (git_commit_lookup(&c, mg->g, &p->base) != 0)
		return (git_error_cause(cause, "looking up the old %s", mg->main));
	if (git_commit_tree(&t, c) != 0) {
		git_commit_free(c);
		return (git_error_cause(cause, "looking up the old %s", mg->main));
	}
	n = mg_changes(mg, mg->g, t, 0, cause);
	git_tree_free(t);
	git_commit_free(c);
	if (n == -1)
		return (-1);
	if (n != 0) {
		mg_note(mg, __func__, "left the checkout in %s alone: it has "
		    "local changes", mg->repo->workdir);
		return (0);
	}
	if (mg_index_free(mg, cause) != 0 ||
	    mg_checkout(mg, &mg->main_oid, &p->base, cause) != 0)
		return (-1);
	mg_note(mg, __func__, "updated the checkout in %s to %s",
	    mg->repo->workdir, mg->main);
	return (0);
}

/* Land the work: move the branch, then main, then the checkout. */
static int
mg_land(struct mg *mg, u_int landed, char **cause)
{
	char	*hex, *undo = NULL;
	int	 rc;

	if (mg_pending_write(mg, landed, cause) != 0)
		return (-1);
	hex = mg_hex(&mg->tip);
	if (!git_oid_equal(&mg->tip, &mg->branch_oid)) {
		rc = mg_swap(mg, mg->refname, &mg->tip, &mg->branch_oid,
		    "baton merge: rebased onto main", cause);
		if (rc == 1)
			xasprintf(cause, "%s moved while it was being merged; "
			    "nothing was changed", mg->refname);
		if (rc != 0) {
			free(hex);
			return (-1);
		}
		mg_note(mg, __func__, "moved %s to %.12s", mg->task->branch,
		    hex);
		mg_update_worktree(mg);
	}
	if (!git_oid_equal(&mg->tip, &mg->main_oid)) {
		rc = mg_swap(mg, mg->main_ref, &mg->tip, &mg->main_oid,
		    "baton merge: fast-forward", cause);
		if (rc == 1)
			xasprintf(cause, "%s moved while #%lld was being "
			    "merged; %s was left alone, merge again",
			    mg->main, (long long)mg->task->id, mg->main);
		if (rc != 0) {
			free(hex);
			return (-1);
		}
		mg_note(mg, __func__, "fast-forwarded %s to %.12s", mg->main,
		    hex);
		if (mg->checked_out &&
		    mg_checkout(mg, &mg->tip, &mg->main_oid, cause) != 0) {
			/* Put main back so the checkout matches it again. */
			if (mg_swap(mg, mg->main_ref, &mg->main_oid, &mg->tip,
			    "baton merge: undo", &undo) != 0) {
				log_debug("%s: could not put %s back: %s",
				    __func__, mg->main, undo);
				free(undo);
			}
			free(hex);
			return (-1);
		}
		if (mg->checked_out)
			mg_note(mg, __func__, "updated the checkout in %s",
			    mg->repo->workdir);
	}
	free(hex);
	return (0);
}

/* Remove the task's worktree and branch now that main holds the work. */
static void
mg_cleanup(struct mg *mg)
{
	char	*cause = NULL;
	int	 rc;

	rc = worktree_remove(mg->repo, mg->s, mg->task, &mg->m->log, &cause);
	if (rc == -1) {
		mg_note(mg, __func__, "could not remove the worktree: %s",
		    cause);
		free(cause);
	} else if (rc == WORKTREE_KEPT)
		mg_note(mg, __func__, "the worktree was kept; main has the work");
	if (unlink(mg->journal) != 0 && errno != ENOENT)
		log_debug("%s: %s: %s", __func__, mg->journal, strerror(errno));
}

static void
mg_merged(struct mg *mg, u_int commits)
{
	struct merge_result	*m = mg->m;

	m->result = MERGE_MERGED;
	m->commits = commits;
	m->main = mg_hex(&mg->tip);
	if (commits == 0)
		xasprintf(&m->message, "merged #%lld: its changes were already "
		    "on %s (%.7s)", (long long)mg->task->id, mg->main, m->main);
	else
		xasprintf(&m->message, "merged #%lld: %u commit%s onto %s "
		    "(%.7s)", (long long)mg->task->id, commits,
		    commits == 1 ? "" : "s", mg->main, m->main);
}

static void
mg_free(struct mg *mg)
{
	if (mg->lock_fd != -1)
		close(mg->lock_fd);
	git_repository_free(mg->g);
	free(mg->main);
	free(mg->main_ref);
	free(mg->refname);
	free(mg->journal);
}

/*
 * Land task t's branch on main. 0 with the result in m (merged, or why
 * not), -1 with cause when it could not be tried.
 */
int
git_merge_task(struct repo *repo, struct store *s, struct task *t,
    struct merge_result *m, char **cause)
{
	struct mg		 mg;
	struct mg_pending	 p;
	git_oid			 mb;
	char			*files;
	u_int			 landed;
	int			 rc = -1, n;

	memset(m, 0, sizeof *m);
	memset(&mg, 0, sizeof mg);
	mg.repo = repo;
	mg.s = s;
	mg.task = t;
	mg.m = m;
	mg.lock_fd = -1;
	xasprintf(&mg.journal, "%s/merge.pending", repo->dir);

	if (t->branch == NULL) {
		xasprintf(cause, "#%lld has no branch: nothing to merge",
		    (long long)t->id);
		goto out;
	}
	if (mg_lock(&mg, cause) != 0)
		goto out;
	git_libgit2_init();
	if (git_repository_open(&mg.g, repo->workdir) != 0) {
		git_error_cause(cause, "%s", repo->workdir);
		goto out;
	}
	if (worktree_main_ref(mg.g, &mg.main, &mg.main_oid, cause) != 0)
		goto out;
	xasprintf(&mg.main_ref, "refs/heads/%s", mg.main);
	xasprintf(&mg.refname, "refs/heads/%s", t->branch);
	if (strcmp(mg.refname, mg.main_ref) == 0) {
		xasprintf(cause, "#%lld's branch is %s itself",
		    (long long)t->id, mg.main);
		goto out;
	}
	if ((n = git_reference_name_to_id(&mg.branch_oid, mg.g,
	    mg.refname)) == GIT_ENOTFOUND) {
		xasprintf(cause, "#%lld's branch %s does not exist",
		    (long long)t->id, t->branch);
		goto out;
	} else if (n != 0) {
		git_error_cause(cause, "reading %s", t->branch);
		goto out;
	}
	m->base = mg_hex(&mg.main_oid);
	mg.checked_out = mg_main_checked_out(&mg);
	log_debug("%s: #%lld: %s onto %s at %s%s", __func__, (long long)t->id,
	    t->branch, mg.main, m->base, mg.checked_out ? " (checked out)" :
	    "");

	/* An agent's uncommitted work must not be lost. */
	if ((n = mg_task_dirty(&mg, cause)) == -1)
		goto out;
	if (n) {
		m->result = MERGE_DIRTY;
		files = mg_file_list(m);
		xasprintf(&m->message, "#%lld's worktree %s has uncommitted "
		    "changes: %s; commit or remove them first",
		    (long long)t->id, t->worktree, files);
		free(files);
		rc = 0;
		goto out;
	}

	if (git_merge_base(&mb, mg.g, &mg.branch_oid, &mg.main_oid) != 0) {
		git_error_cause(cause, "%s and %s have no common history",
		    t->branch, mg.main);
		goto out;
	}
	if (git_oid_equal(&mb, &mg.branch_oid)) {
		/*
		 * Main has everything: either the branch never had work of its
		 * own, or an earlier merge moved main and was killed before it
		 * cleaned up. merge.pending tells the two apart.
		 */
		if (mg_pending_read(&mg, &p) == 0 && p.task == t->id &&
		    strcmp(p.branch, mg.refname) == 0 &&
		    git_oid_equal(&p.tip, &mg.branch_oid)) {
			mg_note(&mg, __func__, "finishing an interrupted merge: "
			    "%s already holds %s", mg.main, t->branch);
			git_oid_cpy(&mg.tip, &mg.main_oid);
			free(m->base);
			m->base = mg_hex(&p.base);
			if (mg_recover_checkout(&mg, &p, cause) != 0)
				goto out;
			mg_cleanup(&mg);
			mg_merged(&mg, p.commits);
			rc = 0;
			goto out;
		}
		m->result = MERGE_EMPTY;
		xasprintf(&m->message, "#%lld's branch %s has no commits %s "
		    "lacks: nothing to merge", (long long)t->id, t->branch,
		    mg.main);
		rc = 0;
		goto out;
	}

	if (git_oid_equal(&mb, &mg.main_oid)) {
		/* Already on main's tip: nothing to rewrite. */
		git_oid_cpy(&mg.tip, &mg.branch_oid);
		if (mg_count(&mg, &mg.tip, &landed, cause) != 0)
			goto out;
		mg_note(&mg, __func__, "%s is on %s's tip: a fast-forward",
		    t->branch, mg.main);
	} else if ((n = mg_rebase(&mg, &landed, cause)) == -1)
		goto out;
	else if (n == 1) {
		m->result = MERGE_CONFLICT;
		files = mg_file_list(m);
		xasprintf(&m->message, "conflict: #%lld's branch does not "
		    "apply on %s: %s", (long long)t->id, mg.main, files);
		free(files);
		rc = 0;
		goto out;
	} else
		mg_note(&mg, __func__, "rebased %u commit%s of %s onto %s",
		    landed, landed == 1 ? "" : "s", t->branch, mg.main);

	/* The user's own work in main's checkout comes first. */
	if (mg.checked_out && !git_oid_equal(&mg.tip, &mg.main_oid)) {
		if ((n = mg_changes(&mg, mg.g, NULL, 1, cause)) == -1)
			goto out;
		if (n > 0) {
			m->result = MERGE_HELD;
			xasprintf(&m->message, "%s is checked out in %s with "
			    "local changes; commit or stash them to let the "
			    "queue go on", mg.main, repo->workdir);
			rc = 0;
			goto out;
		}
		if (mg_index_free(&mg, cause) != 0)
			goto out;
	}

	if (mg_land(&mg, landed, cause) != 0)
		goto out;
	mg_cleanup(&mg);
	mg_merged(&mg, landed);
	rc = 0;
out:
	mg_free(&mg);
	return (rc);
}
