/*
 * Landing a finished task's branch on main, one task at a time, with
 * libgit2. The branch's commits that main lacks are rebased onto main's tip
 * in memory, and main is fast-forwarded to the result; a conflict writes
 * nothing and leaves the branch as it was.
 *
 * The merge queue lands a task in steps: git_rebase_task rebases the
 * branch onto main and checks it out in the task's worktree (keeping the
 * branch as it was before its first rebase as refs/baton/orig/T<id>), the
 * tests run there, and git_merge_task lands it only if main is still the
 * commit that was tested on (else MERGE_MOVED), which makes the landing a
 * fast-forward of exactly what was tested.
 *
 * Nothing is ever lost: a task worktree with uncommitted changes, or a
 * checkout of main with local changes, stops the merge before anything
 * moves. Refs move in an order a crash cannot hurt: the task branch to the
 * rebased tip first (it still holds every change), then main with a
 * compare-and-swap on its old value, then the checkout of main. Then the
 * landing is proved (git-proof.c: every commit of the task, and its net
 * change, is on main) and the proof recorded in the store, and only a
 * proved landing removes the task's worktree, branch and orig ref.
 * .baton/merge.pending records the rebased tip and the branch's tip before
 * any ref moves, so a merge killed after main moved but before the proof
 * and the cleanup is finished, not mistaken for an empty branch, when it is
 * run again; a landing is proved once.
 *
 * Merges and rebases are serialised by a flock on .baton/merge.lock.
 */

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
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
	char			*origname;	/* refs/baton/orig/T<id> */
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
	git_oid		head;		/* the branch's tip when it started */
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
	char	 head[GIT_OID_HEXSZ + 1] = "";
	int	 n;

	memset(p, 0, sizeof *p);
	if ((f = fopen(mg->journal, "r")) == NULL)
		return (-1);
	n = fscanf(f, "task %lld branch %255s tip %40s base %40s commits %u",
	    &p->task, p->branch, tip, base, &p->commits);
	if (n == 5 && fscanf(f, " head %40s", head) != 1)
		head[0] = '\0';
	fclose(f);
	if (n != 5 || git_oid_fromstr(&p->tip, tip) != 0 ||
	    git_oid_fromstr(&p->base, base) != 0) {
		log_debug("%s: ignoring unreadable %s", __func__, mg->journal);
		return (-1);
	}
	/* A journal from before the head was kept: the tip stands for it. */
	if (git_oid_fromstr(&p->head, head) != 0)
		git_oid_cpy(&p->head, &p->tip);
	return (0);
}

/* Write merge.pending, durably, before any ref moves. */
static int
mg_pending_write(struct mg *mg, u_int commits, char **cause)
{
	char	*text, *tip, *base, *head;
	int	 rc;

	tip = mg_hex(&mg->tip);
	base = mg_hex(&mg->main_oid);
	head = mg_hex(&mg->branch_oid);
	xasprintf(&text, "task %lld\nbranch %s\ntip %s\nbase %s\ncommits %u\n"
	    "head %s\n", (long long)mg->task->id, mg->refname, tip, base,
	    commits, head);
	free(tip);
	free(base);
	free(head);
	rc = util_write_file(mg->journal, text, strlen(text), cause);
	free(text);
	return (rc);
}

/* baton's own files in a worktree (prompts, checkpoints) are not work. */
static int
mg_baton_path(const char *path)
{
	return (strcmp(path, ".baton") == 0 || strncmp(path, ".baton/", 7) == 0);
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
		if (mg_baton_path(path))
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

/*
 * Bring the task's worktree from old to its branch's new tip. It was clean,
 * so a SAFE checkout against old's tree changes only files that are as old
 * had them, and stops rather than overwrite anything else, ignored files
 * included. 0 done or nothing to do (noted), -1 when the checkout failed.
 */
static int
mg_update_worktree(struct mg *mg, const git_oid *old, char **cause)
{
	git_repository		*wr;
	git_checkout_options	 opts;
	git_commit		*c = NULL;
	git_tree		*bt = NULL;
	int			 rc = -1;

	if (!mg_open_worktree(mg, &wr))
		return (0);
	if (!mg_on_branch(mg, wr)) {
		mg_note(mg, __func__, "left %s alone: its HEAD is not %s",
		    mg->task->worktree, mg->refname);
		git_repository_free(wr);
		return (0);
	}
	if (git_commit_lookup(&c, wr, old) != 0 ||
	    git_commit_tree(&bt, c) != 0) {
		git_error_cause(cause, "looking up %s", mg->task->branch);
		goto out;
	}
	git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION);
	opts.checkout_strategy = GIT_CHECKOUT_SAFE|
	    GIT_CHECKOUT_DONT_OVERWRITE_IGNORED;
	opts.baseline = bt;
	if (git_checkout_head(wr, &opts) != 0) {
		git_error_cause(cause, "updating %s", mg->task->worktree);
		goto out;
	}
	mg_note(mg, __func__, "checked out the new %s in %s", mg->task->branch,
	    mg->task->worktree);
	rc = 0;
out:
	git_tree_free(bt);
	git_commit_free(c);
	git_repository_free(wr);
	return (rc);
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
		if (mg_update_worktree(mg, &mg->branch_oid, &undo) != 0) {
			mg_note(mg, __func__, "could not update the worktree: "
			    "%s", undo);
			free(undo);
			undo = NULL;
		}
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

/* The landing is over: a later merge has nothing to finish. */
static void
mg_journal_done(struct mg *mg)
{
	if (unlink(mg->journal) != 0 && errno != ENOENT)
		log_debug("%s: %s: %s", __func__, mg->journal, strerror(errno));
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
	mg_journal_done(mg);
}

static void
mg_merged(struct mg *mg, u_int commits)
{
	struct merge_result	*m = mg->m;

	m->result = MERGE_MERGED;
	m->commits = commits;
	free(m->main);
	m->main = mg_hex(&mg->tip);
	if (commits == 0)
		xasprintf(&m->message, "merged #%lld: its changes were already "
		    "on %s (%.7s)", (long long)mg->task->id, mg->main, m->main);
	else
		xasprintf(&m->message, "merged #%lld: %u commit%s onto %s "
		    "(%.7s)", (long long)mg->task->id, commits,
		    commits == 1 ? "" : "s", mg->main, m->main);
}

/*
 * Delete the task's orig ref: its landing is proved, or the rebase that
 * made it did not happen. -1 when it could not be deleted.
 */
static int
mg_drop_orig(struct mg *mg)
{
	git_reference	*ref;
	int		 rc = 0;

	if (git_reference_lookup(&ref, mg->g, mg->origname) != 0) {
		git_error_clear();
		return (0);
	}
	if (git_reference_delete(ref) != 0) {
		log_debug("%s: could not delete %s", __func__, mg->origname);
		rc = -1;
	}
	git_reference_free(ref);
	return (rc);
}

/* What a stored proof found missing, for the message. */
static char *
mg_proof_what(const char *text)
{
	cJSON		*root, *missing, *item;
	const char	*net, *oid, *summary;
	char		*what;
	int		 n;

	if ((root = cJSON_Parse(text)) == NULL)
		return (xstrdup("the recorded proof cannot be read"));
	missing = cJSON_GetObjectItemCaseSensitive(root, "missing");
	n = cJSON_GetArraySize(missing);
	net = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root,
	    "net_diff"));
	item = cJSON_GetArrayItem(missing, 0);
	oid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item,
	    "oid"));
	summary = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item,
	    "summary"));
	if (n > 0 && oid != NULL)
		xasprintf(&what, "%d commit%s not on main: %.12s \"%s\"%s; "
		    "net change %s", n, n == 1 ? " is" : "s are", oid,
		    summary != NULL ? summary : "", n > 1 ? " and others" : "",
		    net != NULL ? net : "unknown");
	else
		xasprintf(&what, "the net change is %s", net != NULL ? net :
		    "unknown");
	cJSON_Delete(root);
	return (what);
}

/*
 * Main holds the landing (mg->tip, moved from main_before; head was the
 * branch's tip when the merge started): prove nothing of the task was
 * dropped and record it once, then clean up only when it is proved. A
 * landing already proved (a merge killed after recording) uses that proof.
 */
static int
mg_prove_finish(struct mg *mg, const git_oid *main_before,
    const git_oid *head, u_int landed, char **cause)
{
	struct merge_result	*m = mg->m;
	struct merge_proof	*p;
	git_oid			 orig;
	char			*after, *what = NULL;
	int			 has_orig, rc = -1;

	has_orig = git_reference_name_to_id(&orig, mg->g, mg->origname) == 0;
	after = mg_hex(&mg->tip);
	*cause = NULL;
	if ((p = store_proof_find(mg->s, mg->task->id, after, cause)) != NULL) {
		mg_note(mg, __func__, "this landing was proved already "
		    "(proof %lld)", (long long)p->id);
		if (!p->ok)
			what = mg_proof_what(p->proof);
	} else if (*cause != NULL)
		goto out;
	else {
		if (git_proof(mg->g, mg->task->id, main_before, &mg->tip, head,
		    has_orig ? &orig : NULL, &p, &what, cause) != 0)
			goto out;
		if (store_proof_add(mg->s, p, cause) == -1)
			goto out;
		mg_note(mg, __func__, "proof %lld: %u commit%s checked, %s",
		    (long long)p->id, p->commits, p->commits == 1 ? "" : "s",
		    p->ok ? "all on main" : "work missing");
	}
	free(m->proof);
	m->proof = xstrdup(p->proof);

	if (!p->ok) {
		/* Main only gained commits; the task's refs stay to look at. */
		mg_journal_done(mg);
		m->result = MERGE_UNPROVEN;
		m->commits = landed;
		free(m->main);
		m->main = mg_hex(&mg->tip);
		xasprintf(&m->message, "#%lld landed on %s (%.7s) but the "
		    "proof failed: %s; its worktree, branch and %s were kept",
		    (long long)mg->task->id, mg->main, after, what,
		    mg->origname);
		rc = 0;
		goto out;
	}
	if (has_orig) {
		if (mg_drop_orig(mg) != 0)
			mg_note(mg, __func__, "could not delete %s",
			    mg->origname);
		else
			mg_note(mg, __func__, "deleted %s", mg->origname);
	}
	mg_cleanup(mg);
	mg_merged(mg, landed);
	rc = 0;
out:
	merge_proof_free(p);
	free(what);
	free(after);
	return (rc);
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
	free(mg->origname);
	free(mg->journal);
}

/*
 * Set up for a merge or a rebase of task t: take the lock, open the
 * repository, read main and the branch. -1 with cause when it cannot.
 */
static int
mg_start(struct mg *mg, struct repo *repo, struct store *s, struct task *t,
    struct merge_result *m, const char *what, char **cause)
{
	int	n;

	memset(m, 0, sizeof *m);
	memset(mg, 0, sizeof *mg);
	mg->repo = repo;
	mg->s = s;
	mg->task = t;
	mg->m = m;
	mg->lock_fd = -1;
	xasprintf(&mg->journal, "%s/merge.pending", repo->dir);
	xasprintf(&mg->origname, "refs/baton/orig/T%lld", (long long)t->id);

	if (t->branch == NULL) {
		xasprintf(cause, "#%lld has no branch: nothing to %s",
		    (long long)t->id, what);
		return (-1);
	}
	if (mg_lock(mg, cause) != 0)
		return (-1);
	git_libgit2_init();
	if (git_repository_open(&mg->g, repo->workdir) != 0)
		return (git_error_cause(cause, "%s", repo->workdir));
	if (worktree_main_ref(mg->g, &mg->main, &mg->main_oid, cause) != 0)
		return (-1);
	xasprintf(&mg->main_ref, "refs/heads/%s", mg->main);
	xasprintf(&mg->refname, "refs/heads/%s", t->branch);
	if (strcmp(mg->refname, mg->main_ref) == 0) {
		xasprintf(cause, "#%lld's branch is %s itself",
		    (long long)t->id, mg->main);
		return (-1);
	}
	if ((n = git_reference_name_to_id(&mg->branch_oid, mg->g,
	    mg->refname)) == GIT_ENOTFOUND) {
		xasprintf(cause, "#%lld's branch %s does not exist",
		    (long long)t->id, t->branch);
		return (-1);
	} else if (n != 0)
		return (git_error_cause(cause, "reading %s", t->branch));
	m->base = mg_hex(&mg->main_oid);
	mg->checked_out = mg_main_checked_out(mg);
	log_debug("%s: #%lld: %s %s onto %s at %s%s", __func__,
	    (long long)t->id, what, t->branch, mg->main, m->base,
	    mg->checked_out ? " (checked out)" : "");
	return (0);
}

/*
 * A rebase or merge killed after it moved the branch but before the
 * worktree followed leaves the worktree's files as the old tip had them,
 * which looks like uncommitted work. The branch's reflog says what it was
 * before its last move: when that move was baton's and the worktree is
 * exactly that old tip, nothing uncommitted is there and the checkout is
 * finished. 1 when done, 0 when the worktree is not that, -1 on error.
 */
static int
mg_finish_worktree(struct mg *mg, char **cause)
{
	git_reflog		*log = NULL;
	const git_reflog_entry	*e;
	const char		*msg;
	git_repository		*wr = NULL;
	git_commit		*c = NULL;
	git_tree		*t = NULL;
	git_oid			 old;
	int			 rc = 0, n;

	if (git_reflog_read(&log, mg->g, mg->refname) != 0) {
		git_error_clear();
		return (0);
	}
	e = git_reflog_entry_byindex(log, 0);
	if (e == NULL || (msg = git_reflog_entry_message(e)) == NULL ||
	    strncmp(msg, "baton ", 6) != 0 ||
	    !git_oid_equal(git_reflog_entry_id_new(e), &mg->branch_oid))
		goto out;
	git_oid_cpy(&old, git_reflog_entry_id_old(e));
	if (git_oid_is_zero(&old) || git_oid_equal(&old, &mg->branch_oid))
		goto out;
	if (!mg_open_worktree(mg, &wr) || !mg_on_branch(mg, wr))
		goto out;
	if (git_commit_lookup(&c, wr, &old) != 0 ||
	    git_commit_tree(&t, c) != 0) {
		git_error_clear();
		goto out;
	}
	if ((n = mg_changes(mg, wr, t, 0, cause)) != 0) {
		rc = n == -1 ? -1 : 0;
		goto out;
	}
	if (mg_update_worktree(mg, &old, cause) != 0) {
		rc = -1;
		goto out;
	}
	mg_note(mg, __func__, "finished an interrupted update of %s: it was "
	    "%s's tip before baton moved it", mg->task->worktree,
	    mg->task->branch);
	rc = 1;
out:
	git_tree_free(t);
	git_commit_free(c);
	git_repository_free(wr);
	git_reflog_free(log);
	return (rc);
}

/*
 * After the tests passed in a worktree that the rebase found clean, the new
 * untracked files in it are what the tests left (build products, logs):
 * remove them, each named in the steps, so that they do not hold the task
 * up as uncommitted work. Changed tracked files are left for the dirty
 * check to refuse.
 */
static int
mg_clean_test_output(struct mg *mg, char **cause)
{
	git_status_options	 opts;
	git_status_list		*list;
	git_repository		*wr;
	const git_status_entry	*e;
	const char		*path, *dir;
	char			*full;
	size_t			 i, n;
	int			 rc = 0;

	if (!mg_open_worktree(mg, &wr))
		return (0);
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	if (git_status_list_new(&list, wr, &opts) != 0) {
		rc = git_error_cause(cause, "status of %s", mg->task->worktree);
		git_repository_free(wr);
		return (rc);
	}
	dir = git_repository_workdir(wr);
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		e = git_status_byindex(list, i);
		if (e->status != GIT_STATUS_WT_NEW ||
		    e->index_to_workdir == NULL)
			continue;
		path = e->index_to_workdir->new_file.path;
		if (mg_baton_path(path))
			continue;
		xasprintf(&full, "%s%s", dir, path);
		if (unlink(full) == 0)
			mg_note(mg, __func__, "removed %s, left by the tests",
			    path);
		free(full);
	}
	git_status_list_free(list);
	git_repository_free(wr);
	return (0);
}

/* Refuse an uncommitted change in the task's worktree: 1, result set. */
static int
mg_refuse_dirty(struct mg *mg, char **cause)
{
	struct merge_result	*m = mg->m;
	char			*files;
	size_t			 i;
	int			 n;

	/* An agent's uncommitted work must not be lost. */
	if ((n = mg_task_dirty(mg, cause)) == -1)
		return (-1);
	if (n == 0)
		return (0);
	if ((n = mg_finish_worktree(mg, cause)) == -1)
		return (-1);
	if (n == 1) {
		for (i = 0; i < m->nfiles; i++)
			free(m->files[i]);
		free(m->files);
		m->files = NULL;
		m->nfiles = 0;
		return (0);
	}
	m->result = MERGE_DIRTY;
	files = mg_file_list(m);
	xasprintf(&m->message, "#%lld's worktree %s has uncommitted "
	    "changes: %s; commit or remove them first",
	    (long long)mg->task->id, mg->task->worktree, files);
	free(files);
	return (1);
}

/*
 * Rebase the branch onto main's tip in memory: 0 with mg->tip and *landed
 * set (mg->tip is the branch itself when it is on main's tip already), 1 on
 * a conflict with the result set, -1 on error.
 */
static int
mg_onto_main(struct mg *mg, const git_oid *mb, u_int *landed, char **cause)
{
	struct merge_result	*m = mg->m;
	char			*files;
	int			 n;

	if (git_oid_equal(mb, &mg->main_oid)) {
		/* Already on main's tip: nothing to rewrite. */
		git_oid_cpy(&mg->tip, &mg->branch_oid);
		if (mg_count(mg, &mg->tip, landed, cause) != 0)
			return (-1);
		mg_note(mg, __func__, "%s is on %s's tip", mg->task->branch,
		    mg->main);
		return (0);
	}
	if ((n = mg_rebase(mg, landed, cause)) == -1)
		return (-1);
	if (n == 1) {
		m->result = MERGE_CONFLICT;
		files = mg_file_list(m);
		xasprintf(&m->message, "conflict: #%lld's branch does not "
		    "apply on %s: %s", (long long)mg->task->id, mg->main,
		    files);
		free(files);
		return (1);
	}
	mg_note(mg, __func__, "rebased %u commit%s of %s onto %s", *landed,
	    *landed == 1 ? "" : "s", mg->task->branch, mg->main);
	return (0);
}

/*
 * Land task t's branch on main. With expect_base, only if main's tip is
 * still that commit (the one the branch was tested on). 0 with the result
 * in m (merged, or why not), -1 with cause when it could not be tried.
 */
int
git_merge_task(struct repo *repo, struct store *s, struct task *t,
    const char *expect_base, const char *expect_tip, struct merge_result *m,
    char **cause)
{
	struct mg		 mg;
	struct mg_pending	 p;
	git_oid			 mb, orig;
	u_int			 landed;
	int			 rc = -1, n;

	if (mg_start(&mg, repo, s, t, m, "merge", cause) != 0)
		goto out;
	if (expect_base != NULL && mg_clean_test_output(&mg, cause) != 0)
		goto out;
	if ((n = mg_refuse_dirty(&mg, cause)) != 0) {
		rc = n == 1 ? 0 : -1;
		goto out;
	}

	if (git_merge_base(&mb, mg.g, &mg.branch_oid, &mg.main_oid) != 0) {
		git_error_cause(cause, "%s and %s have no common history",
		    t->branch, mg.main);
		goto out;
	}
	/*
	 * Main has everything: an earlier merge moved main and was killed
	 * before it proved and cleaned up (merge.pending tells), or a rebase
	 * found all of the branch's commits on main already, or the branch
	 * never had work of its own.
	 */
	if (git_oid_equal(&mb, &mg.branch_oid) &&
	    mg_pending_read(&mg, &p) == 0 && p.task == t->id &&
	    strcmp(p.branch, mg.refname) == 0 &&
	    git_oid_equal(&p.tip, &mg.branch_oid)) {
		mg_note(&mg, __func__, "finishing an interrupted merge: "
		    "%s already holds %s", mg.main, t->branch);
		git_oid_cpy(&mg.tip, &mg.main_oid);
		free(m->base);
		m->base = mg_hex(&p.base);
		if (mg_recover_checkout(&mg, &p, cause) != 0 ||
		    mg_prove_finish(&mg, &p.base, &p.head, p.commits,
		    cause) != 0)
			goto out;
		rc = 0;
		goto out;
	}

	if (expect_base != NULL && strcmp(expect_base, m->base) != 0) {
		m->result = MERGE_MOVED;
		xasprintf(&m->message, "%s moved since #%lld's tests ran on "
		    "%.7s (it is at %.7s now); nothing was changed", mg.main,
		    (long long)t->id, expect_base, m->base);
		rc = 0;
		goto out;
	}
	if (expect_tip != NULL &&
	    strcmp(expect_tip, git_oid_tostr_s(&mg.branch_oid)) != 0) {
		m->result = MERGE_MOVED;
		xasprintf(&m->message, "%s moved since its tests ran on %.7s "
		    "(it is at %.7s now); nothing was changed", t->branch,
		    expect_tip, git_oid_tostr_s(&mg.branch_oid));
		rc = 0;
		goto out;
	}

	if (git_oid_equal(&mb, &mg.branch_oid)) {
		if (git_reference_name_to_id(&orig, mg.g, mg.origname) != 0) {
			m->result = MERGE_EMPTY;
			xasprintf(&m->message, "#%lld's branch %s has no "
			    "commits %s lacks: nothing to merge",
			    (long long)t->id, t->branch, mg.main);
			rc = 0;
			goto out;
		}
		/* A rebase found its work on main; prove it from orig. */
		mg_note(&mg, __func__, "%s has no commits %s lacks; proving "
		    "its work from %s", t->branch, mg.main, mg.origname);
		git_oid_cpy(&mg.tip, &mg.main_oid);
		if (mg_prove_finish(&mg, &mg.main_oid, &mg.branch_oid, 0,
		    cause) != 0)
			goto out;
		rc = 0;
		goto out;
	}

	if ((n = mg_onto_main(&mg, &mb, &landed, cause)) != 0) {
		rc = n == 1 ? 0 : -1;
		goto out;
	}

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
	if (mg_prove_finish(&mg, &mg.main_oid, &mg.branch_oid, landed,
	    cause) != 0)
		goto out;
	rc = 0;
out:
	mg_free(&mg);
	return (rc);
}

/*
 * Save the branch's tip as it was before its first rebase: 1 when this
 * call made the ref, 0 when it was there already, -1 on error.
 */
static int
mg_save_orig(struct mg *mg, char **cause)
{
	git_reference	*ref;
	int		 rc;

	rc = git_reference_create(&ref, mg->g, mg->origname, &mg->branch_oid,
	    0, "baton rebase: the branch before its first rebase");
	if (rc == GIT_EEXISTS) {
		git_error_clear();
		mg_note(mg, __func__, "%s kept from an earlier rebase",
		    mg->origname);
		return (0);
	}
	if (rc != 0)
		return (git_error_cause(cause, "saving %s", mg->origname));
	git_reference_free(ref);
	mg_note(mg, __func__, "saved %s's tip as %s", mg->task->branch,
	    mg->origname);
	return (1);
}

static void
mg_rebased(struct mg *mg, u_int commits)
{
	struct merge_result	*m = mg->m;

	m->result = MERGE_REBASED;
	m->commits = commits;
	m->main = mg_hex(&mg->tip);
	xasprintf(&m->message, "rebased #%lld: %u commit%s on %s (%.7s), now "
	    "at %.7s", (long long)mg->task->id, commits, commits == 1 ? "" :
	    "s", mg->main, m->base, m->main);
}

/*
 * Rebase task t's branch onto main's tip and check it out in its worktree,
 * so that what is tested there is what would land. Main does not move.
 * 0 with the result in m (rebased, or why not), -1 with cause.
 */
int
git_rebase_task(struct repo *repo, struct store *s, struct task *t,
    struct merge_result *m, char **cause)
{
	struct mg	 mg;
	git_repository	*wr;
	git_oid		 mb;
	char		*undo = NULL;
	u_int		 landed;
	int		 rc = -1, n, made;

	if (mg_start(&mg, repo, s, t, m, "rebase", cause) != 0)
		goto out;
	if ((n = mg_refuse_dirty(&mg, cause)) != 0) {
		rc = n == 1 ? 0 : -1;
		goto out;
	}
	if (git_merge_base(&mb, mg.g, &mg.branch_oid, &mg.main_oid) != 0) {
		git_error_cause(cause, "%s and %s have no common history",
		    t->branch, mg.main);
		goto out;
	}
	if (git_oid_equal(&mb, &mg.branch_oid)) {
		m->result = MERGE_EMPTY;
		xasprintf(&m->message, "#%lld's branch %s has no commits %s "
		    "lacks: nothing to rebase", (long long)t->id, t->branch,
		    mg.main);
		rc = 0;
		goto out;
	}
	/* The tests run in the worktree: it must follow the branch. */
	if (mg_open_worktree(&mg, &wr)) {
		n = mg_on_branch(&mg, wr);
		git_repository_free(wr);
		if (!n) {
			xasprintf(cause, "#%lld's worktree %s is not on its "
			    "branch %s; nothing was changed", (long long)t->id,
			    t->worktree, t->branch);
			goto out;
		}
	}
	if ((n = mg_onto_main(&mg, &mb, &landed, cause)) != 0) {
		rc = n == 1 ? 0 : -1;
		goto out;
	}
	if (git_oid_equal(&mg.tip, &mg.branch_oid)) {
		mg_rebased(&mg, landed);
		rc = 0;
		goto out;
	}

	/* The branch as it was first is kept before anything moves. */
	if ((made = mg_save_orig(&mg, cause)) == -1)
		goto out;
	if ((n = mg_swap(&mg, mg.refname, &mg.tip, &mg.branch_oid,
	    "baton rebase: onto main", cause)) != 0) {
		if (n == 1)
			xasprintf(cause, "%s moved while it was being rebased; "
			    "nothing was changed", t->branch);
		if (made)
			mg_drop_orig(&mg);
		goto out;
	}
	mg_note(&mg, __func__, "moved %s to %.12s", t->branch,
	    git_oid_tostr_s(&mg.tip));
	if (mg_update_worktree(&mg, &mg.branch_oid, cause) != 0) {
		/* Put the branch back so the worktree matches it again. */
		if (mg_swap(&mg, mg.refname, &mg.branch_oid, &mg.tip,
		    "baton rebase: undo", &undo) != 0) {
			log_debug("%s: could not put %s back: %s", __func__,
			    t->branch, undo);
			free(undo);
		} else if (made)
			mg_drop_orig(&mg);
		goto out;
	}
	mg_rebased(&mg, landed);
	rc = 0;
out:
	mg_free(&mg);
	return (rc);
}

/*
 * After a test run of task t (its worktree was clean when it was rebased
 * for the run): remove the untracked files the tests left, under the merge
 * lock, so that the next agent does not commit them.
 */
int
git_clean_task(struct repo *repo, struct store *s, struct task *t,
    struct merge_result *m, char **cause)
{
	struct mg	mg;
	int		rc = -1;

	if (mg_start(&mg, repo, s, t, m, "clean", cause) != 0)
		goto out;
	if (mg_clean_test_output(&mg, cause) != 0)
		goto out;
	m->result = MERGE_CLEANED;
	xasprintf(&m->message, "#%lld's worktree holds no test output",
	    (long long)t->id);
	rc = 0;
out:
	mg_free(&mg);
	return (rc);
}
