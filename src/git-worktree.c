/*
 * Task worktrees. Each task works in .baton/worktrees/T<id>-<slug> on the
 * branch baton/T<id>-<slug>, made from the repository's main branch with
 * libgit2.
 *
 * Making one heals what an earlier attempt or a crash left behind, and says
 * so step by step: stale lock files, metadata of worktrees whose directory
 * is gone, a branch from an earlier attempt (kept when it has work of its
 * own, reset to main when it has none) and a directory that is not a
 * registered worktree (set aside, never deleted).
 *
 * Removing one never loses work: uncommitted changes, or commits the main
 * branch does not contain, keep the worktree and its branch, and the task's
 * reason says why.
 *
 * Worktree changes are serialised across processes by a flock on
 * .baton/worktrees.lock, so two baton commands never race on the same task.
 */

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "baton.h"

/* Slugs are cut to this many bytes. */
#define WORKTREE_SLUG_MAX 40

/*
 * A git lock file is stale when it is at least this many seconds old AND no
 * process on the machine has it open. git and libgit2 keep a lock file open
 * from creating it until they commit or roll it back, so an old lock that
 * nobody holds was left by a process that died. Processes whose open files
 * cannot be read (other users') are not counted: they cannot write this
 * user's repository in the usual case.
 */
#define WORKTREE_LOCK_STALE 120

/* What one worktree operation works on. */
struct wt {
	struct repo		*repo;
	struct task		*task;
	struct worktree_log	*log;
	git_repository		*g;
	char			*name;		/* T<id>-<slug> */
	char			*path;		/* .baton/worktrees/<name> */
	char			*branch;	/* baton/<name> */
	char			*refname;	/* refs/heads/<branch> */
	char			*main;		/* the main branch's name */
	git_oid			 main_oid;
	int			 lock_fd;
};

/* Record one step: in the debug log, and for the caller to show. */
#define wt_note(w, ...) worktree_log_add((w)->log, __VA_ARGS__)

/* Whether name is one this module makes for task id: T<id>-<slug>. */
static int
wt_name_ok(const char *name, int64_t id)
{
	char		 prefix[32];
	const char	*p;
	size_t		 len;

	len = (size_t)snprintf(prefix, sizeof prefix, "T%lld-", (long long)id);
	if (strncmp(name, prefix, len) != 0 || name[len] == '\0' ||
	    strlen(name + len) > WORKTREE_SLUG_MAX)
		return (0);
	for (p = name + len; *p != '\0'; p++) {
		if ((*p < 'a' || *p > 'z') && (*p < '0' || *p > '9') &&
		    *p != '-')
			return (0);
	}
	return (name[len] != '-' && p[-1] != '-');
}

/*
 * The repository's main branch: main, else master, else the branch HEAD is
 * on. Its name and the commit it points at.
 */
int
worktree_main_ref(git_repository *g, char **name, git_oid *oid, char **cause)
{
	static const char	*names[] = { "main", "master" };
	git_reference		*head = NULL;
	char			*refname;
	u_int			 i;
	int			 rc;

	for (i = 0; i < nitems(names); i++) {
		xasprintf(&refname, "refs/heads/%s", names[i]);
		rc = git_reference_name_to_id(oid, g, refname);
		free(refname);
		if (rc == 0) {
			*name = xstrdup(names[i]);
			log_debug("%s: main branch is %s", __func__, *name);
			return (0);
		}
	}
	rc = git_repository_head(&head, g);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		*cause = xstrdup("the repository has no commits yet: a task's "
		    "worktree starts from the main branch");
		return (-1);
	}
	if (rc != 0)
		return (git_error_cause(cause, "reading HEAD"));
	if (!git_reference_is_branch(head)) {
		git_reference_free(head);
		*cause = xstrdup("there is no main or master branch and HEAD "
		    "is detached: which branch is main?");
		return (-1);
	}
	*name = xstrdup(git_reference_shorthand(head));
	git_oid_cpy(oid, git_reference_target(head));
	git_reference_free(head);
	log_debug("%s: main branch is %s (HEAD's)", __func__, *name);
	return (0);
}

int
worktree_main_branch(struct repo *repo, char **name, char **cause)
{
	git_repository	*g;
	git_oid		 oid;
	int		 rc;

	git_libgit2_init();
	if (git_repository_open(&g, repo->workdir) != 0)
		return (git_error_cause(cause, "%s", repo->workdir));
	rc = worktree_main_ref(g, name, &oid, cause);
	git_repository_free(g);
	return (rc);
}

static void
wt_free(struct wt *w)
{
	if (w->lock_fd != -1)
		close(w->lock_fd);
	git_repository_free(w->g);
	free(w->name);
	free(w->path);
	free(w->branch);
	free(w->refname);
	free(w->main);
}

/*
 * Open the repository, take the worktree lock and work out the task's
 * names: those already on the task when they are this module's, else new
 * ones from the title.
 */
static int
wt_open(struct wt *w, struct repo *repo, struct task *t,
    struct worktree_log *log, char **cause)
{
	char	*lock_path, *slug;

	memset(w, 0, sizeof *w);
	w->repo = repo;
	w->task = t;
	w->log = log;
	w->lock_fd = -1;

	if (util_mkdir_p(repo->dir, 0700, cause) != 0)
		return (-1);
	xasprintf(&lock_path, "%s/worktrees.lock", repo->dir);
	w->lock_fd = open(lock_path, O_RDWR|O_CREAT|O_CLOEXEC, 0600);
	if (w->lock_fd == -1) {
		xasprintf(cause, "%s: %s", lock_path, strerror(errno));
		free(lock_path);
		return (-1);
	}
	while (flock(w->lock_fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			xasprintf(cause, "%s: %s", lock_path, strerror(errno));
			free(lock_path);
			return (-1);
		}
	}
	free(lock_path);

	git_libgit2_init();
	log_debug("%s: opening %s", __func__, repo->workdir);
	if (git_repository_open(&w->g, repo->workdir) != 0)
		return (git_error_cause(cause, "%s", repo->workdir));
	if (worktree_main_ref(w->g, &w->main, &w->main_oid, cause) != 0)
		return (-1);

	if (t->branch != NULL && strncmp(t->branch, "baton/", 6) == 0 &&
	    wt_name_ok(t->branch + 6, t->id))
		w->name = xstrdup(t->branch + 6);
	else {
		slug = worktree_slug(t->title != NULL ? t->title : "");
		xasprintf(&w->name, "T%lld-%s", (long long)t->id, slug);
		free(slug);
	}
	xasprintf(&w->path, "%s/worktrees/%s", repo->dir, w->name);
	xasprintf(&w->branch, "baton/%s", w->name);
	xasprintf(&w->refname, "refs/heads/%s", w->branch);
	log_debug("%s: task %lld: worktree %s, branch %s", __func__,
	    (long long)t->id, w->path, w->branch);
	return (0);
}

/* Whether any process has path open, from /proc/<pid>/fd. */
static int
wt_file_in_use(const char *path)
{
	DIR		*proc, *fds;
	struct dirent	*pe, *fe;
	char		*real, dir[300], link[600], target[PATH_MAX];
	ssize_t		 n;
	int		 found = 0;

	if ((real = realpath(path, NULL)) == NULL)
		return (0);
	if ((proc = opendir("/proc")) == NULL) {
		/* No way to tell: assume it is held. */
		free(real);
		return (1);
	}
	while (!found && (pe = readdir(proc)) != NULL) {
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(dir, sizeof dir, "/proc/%s/fd", pe->d_name);
		if ((fds = opendir(dir)) == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			if (fe->d_name[0] == '.')
				continue;
			snprintf(link, sizeof link, "%s/%s", dir, fe->d_name);
			n = readlink(link, target, sizeof target - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, real) == 0) {
				log_debug("%s: %s is open in process %s",
				    __func__, real, pe->d_name);
				found = 1;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	free(real);
	return (found);
}

/* Remove path if it is a stale lock file (see WORKTREE_LOCK_STALE). */
static void
wt_heal_lock(struct wt *w, const char *path)
{
	struct stat	sb;
	time_t		age;

	if (lstat(path, &sb) != 0)
		return;
	age = time(NULL) - sb.st_mtime;
	if (!S_ISREG(sb.st_mode)) {
		wt_note(w, __func__, "left %s alone: not a regular file", path);
		return;
	}
	if (age < WORKTREE_LOCK_STALE) {
		wt_note(w, __func__, "left lock %s alone: only %llds old",
		    path, (long long)age);
		return;
	}
	if (wt_file_in_use(path)) {
		wt_note(w, __func__, "left lock %s alone: a process has it "
		    "open", path);
		return;
	}
	if (unlink(path) != 0) {
		wt_note(w, __func__, "cannot remove stale lock %s: %s", path,
		    strerror(errno));
		return;
	}
	wt_note(w, __func__, "removed stale lock %s (%llds old, no process "
	    "has it open)", path, (long long)age);
}

/* Remove path if it is a stale lock, for other git work; steps go to log. */
void
worktree_heal_lock(struct worktree_log *log, const char *path)
{
	struct wt	w;

	memset(&w, 0, sizeof w);
	w.log = log;
	w.lock_fd = -1;
	wt_heal_lock(&w, path);
}

/* The lock files a worktree operation on this task can trip over. */
static void
wt_heal_locks(struct wt *w)
{
	const char	*gitdir = w->repo->gitdir;
	char		*path;
	u_int		 i;
	static const char *top[] = {
		"index.lock", "HEAD.lock", "packed-refs.lock", "config.lock"
	};
	static const char *own[] = { "index.lock", "HEAD.lock" };

	for (i = 0; i < nitems(top); i++) {
		xasprintf(&path, "%s/%s", gitdir, top[i]);
		wt_heal_lock(w, path);
		free(path);
	}
	for (i = 0; i < nitems(own); i++) {
		xasprintf(&path, "%s/worktrees/%s/%s", gitdir, w->name, own[i]);
		wt_heal_lock(w, path);
		free(path);
	}
	xasprintf(&path, "%s/%s.lock", gitdir, w->refname);
	wt_heal_lock(w, path);
	free(path);
	xasprintf(&path, "%s/refs/heads/%s.lock", gitdir, w->main);
	wt_heal_lock(w, path);
	free(path);
}

/* Whether path lies in .baton/worktrees/, as given or with links resolved. */
static int
wt_is_ours(struct wt *w, const char *path)
{
	char	*prefix, *real;
	int	 ours;

	xasprintf(&prefix, "%s/worktrees/", w->repo->dir);
	ours = strncmp(path, prefix, strlen(prefix)) == 0;
	free(prefix);
	if (!ours && (real = realpath(w->repo->dir, NULL)) != NULL) {
		xasprintf(&prefix, "%s/worktrees/", real);
		ours = strncmp(path, prefix, strlen(prefix)) == 0;
		free(prefix);
		free(real);
	}
	return (ours);
}

/*
 * Prune the metadata of baton's worktrees whose directory is gone. A
 * locked one is left: someone said to keep it.
 */
static int
wt_prune_gone(struct wt *w, char **cause)
{
	git_strarray			 list;
	git_worktree			*wt;
	git_worktree_prune_options	 opts;
	char				*path;
	size_t				 i;

	log_debug("%s: listing worktrees", __func__);
	if (git_worktree_list(&list, w->g) != 0)
		return (git_error_cause(cause, "listing worktrees"));
	for (i = 0; i < list.count; i++) {
		if (git_worktree_lookup(&wt, w->g, list.strings[i]) != 0) {
			log_debug("%s: cannot look up worktree %s", __func__,
			    list.strings[i]);
			continue;
		}
		path = xstrdup(git_worktree_path(wt));
		if (!wt_is_ours(w, path) || git_worktree_validate(wt) == 0) {
			free(path);
			git_worktree_free(wt);
			continue;
		}
		git_worktree_prune_options_init(&opts,
		    GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
		opts.flags = 0;	/* only if invalid, never if locked */
		if (git_worktree_is_prunable(wt, &opts) != 1) {
			wt_note(w, __func__, "left worktree metadata %s: its "
			    "directory %s is gone but it is locked",
			    list.strings[i], path);
		} else if (git_worktree_prune(wt, &opts) != 0) {
			git_error_cause(cause, "pruning worktree %s",
			    list.strings[i]);
			free(path);
			git_worktree_free(wt);
			git_strarray_dispose(&list);
			return (-1);
		} else {
			wt_note(w, __func__, "pruned worktree metadata %s: its "
			    "directory %s is gone", list.strings[i], path);
		}
		free(path);
		git_worktree_free(wt);
	}
	git_strarray_dispose(&list);
	return (0);
}

/* Move a directory that is not a usable worktree out of the way. */
static int
wt_set_aside(struct wt *w, const char *why, char **cause)
{
	char	*aside;

	if (rmdir(w->path) == 0) {
		wt_note(w, __func__, "removed empty directory %s (%s)",
		    w->path, why);
		return (0);
	}
	xasprintf(&aside, "%s.orphan-%lld", w->path, (long long)time(NULL));
	if (rename(w->path, aside) != 0) {
		xasprintf(cause, "cannot move %s aside: %s", w->path,
		    strerror(errno));
		free(aside);
		return (-1);
	}
	wt_note(w, __func__, "moved %s to %s (%s); nothing in it was deleted",
	    w->path, aside, why);
	free(aside);
	return (0);
}

/* How many commits oid has that main does not (up to a limit), or -1. */
static int
wt_unique_commits(struct wt *w, const git_oid *oid)
{
	git_revwalk	*walk;
	git_oid		 next;
	int		 n = 0;

	if (git_oid_equal(oid, &w->main_oid))
		return (0);
	if (git_revwalk_new(&walk, w->g) != 0)
		return (-1);
	if (git_revwalk_push(walk, oid) != 0 ||
	    git_revwalk_hide(walk, &w->main_oid) != 0) {
		git_revwalk_free(walk);
		return (-1);
	}
	while (n < 1000 && git_revwalk_next(&next, walk) == 0)
		n++;
	git_revwalk_free(walk);
	log_debug("%s: %d commits not in %s", __func__, n, w->main);
	return (n);
}

/* The commit a branch ref points at. */
static int
wt_ref_oid(git_reference *ref, git_oid *oid)
{
	git_reference	*resolved;

	if (git_reference_resolve(&resolved, ref) != 0)
		return (-1);
	git_oid_cpy(oid, git_reference_target(resolved));
	git_reference_free(resolved);
	return (0);
}

/*
 * The task's branch, ready for a new worktree: made from main, or kept
 * when it has commits main lacks, or reset to main when it has none.
 */
static int
wt_branch(struct wt *w, git_reference **out, char **cause)
{
	git_reference	*ref = NULL;
	git_commit	*commit = NULL;
	git_oid		 oid;
	char		 hex[GIT_OID_HEXSZ + 1];
	int		 rc, n, existed = 0;

	git_oid_tostr(hex, sizeof hex, &w->main_oid);
	log_debug("%s: looking up %s", __func__, w->refname);
	rc = git_reference_lookup(&ref, w->g, w->refname);
	if (rc == 0) {
		if (wt_ref_oid(ref, &oid) != 0) {
			git_reference_free(ref);
			return (git_error_cause(cause, "resolving %s", w->branch));
		}
		if ((n = wt_unique_commits(w, &oid)) == -1) {
			git_reference_free(ref);
			return (git_error_cause(cause, "comparing %s with %s",
			    w->branch, w->main));
		}
		if (n > 0) {
			wt_note(w, __func__, "kept branch %s from an earlier "
			    "attempt: it has %d commit%s not in %s", w->branch,
			    n, n == 1 ? "" : "s", w->main);
			*out = ref;
			return (0);
		}
		git_reference_free(ref);
		existed = 1;
		if (git_oid_equal(&oid, &w->main_oid)) {
			wt_note(w, __func__, "reused branch %s from an earlier "
			    "attempt (at %s)", w->branch, w->main);
			if (git_reference_lookup(out, w->g, w->refname) != 0)
				return (git_error_cause(cause, "%s", w->branch));
			return (0);
		}
	} else if (rc != GIT_ENOTFOUND)
		return (git_error_cause(cause, "looking up %s", w->branch));

	if (git_commit_lookup(&commit, w->g, &w->main_oid) != 0)
		return (git_error_cause(cause, "looking up %s", w->main));
	log_debug("%s: creating %s at %s", __func__, w->branch, hex);
	rc = git_branch_create(out, w->g, w->branch, commit, 1);
	git_commit_free(commit);
	if (rc != 0)
		return (git_error_cause(cause, "creating branch %s", w->branch));
	if (existed)
		wt_note(w, __func__, "reset branch %s from an earlier attempt "
		    "to %s at %.12s: it had no commits of its own", w->branch,
		    w->main, hex);
	else
		wt_note(w, __func__, "created branch %s from %s at %.12s",
		    w->branch, w->main, hex);
	return (0);
}

/* Whether two paths name the same directory. */
static int
wt_same_path(const char *a, const char *b)
{
	char	*ra, *rb;
	size_t	 la = strlen(a), lb = strlen(b);
	int	 same;

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	if (la == lb && strncmp(a, b, la) == 0)
		return (1);
	ra = realpath(a, NULL);
	rb = realpath(b, NULL);
	same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
	free(ra);
	free(rb);
	return (same);
}

/*
 * Look up the task's worktree: 0 found, 1 when git has no such worktree,
 * -1 on error. (libgit2 does not tell "no such worktree" from a failure.)
 */
static int
wt_lookup(struct wt *w, git_worktree **wt, char **cause)
{
	struct stat	 sb;
	char		*meta;
	int		 missing;

	*wt = NULL;
	xasprintf(&meta, "%s/worktrees/%s", w->repo->gitdir, w->name);
	missing = lstat(meta, &sb) != 0 && errno == ENOENT;
	free(meta);
	log_debug("%s: looking up worktree %s", __func__, w->name);
	if (missing)
		return (1);
	if (git_worktree_lookup(wt, w->g, w->name) != 0) {
		git_error_cause(cause, "worktree metadata %s/worktrees/%s is "
		    "damaged", w->repo->gitdir, w->name);
		return (-1);
	}
	return (0);
}

/* Store the task's branch and worktree, if they changed. */
static int
wt_store(struct store *s, struct task *t, const char *branch,
    const char *path, const char *reason, int set_reason, char **cause)
{
	int	changed = 0;

	if ((branch == NULL) != (t->branch == NULL) ||
	    (branch != NULL && strcmp(branch, t->branch) != 0)) {
		free(t->branch);
		t->branch = branch != NULL ? xstrdup(branch) : NULL;
		changed = 1;
	}
	if ((path == NULL) != (t->worktree == NULL) ||
	    (path != NULL && strcmp(path, t->worktree) != 0)) {
		free(t->worktree);
		t->worktree = path != NULL ? xstrdup(path) : NULL;
		changed = 1;
	}
	if (set_reason) {
		free(t->reason);
		t->reason = reason != NULL ? xstrdup(reason) : NULL;
		changed = 1;
	}
	if (!changed || s == NULL)
		return (0);
	if (store_begin(s, cause) != 0)
		return (-1);
	if (store_task_update(s, t, cause) != 0) {
		store_rollback(s);
		return (-1);
	}
	return (store_commit(s, cause));
}

/*
 * Make task t's worktree, or heal and reuse it. On success the task's
 * branch and worktree are set and stored; each step taken is in log.
 */
int
worktree_ensure(struct repo *repo, struct store *s, struct task *t,
    struct worktree_log *log, char **cause)
{
	struct wt			 w;
	git_worktree			*wt = NULL;
	git_reference			*ref = NULL;
	git_repository			*wr = NULL;
	git_worktree_add_options	 opts;
	git_worktree_prune_options	 popts;
	git_buf				 why = { NULL, 0, 0 };
	struct stat			 sb;
	char				*dir;
	int				 rc = -1, found;

	if (wt_open(&w, repo, t, log, cause) != 0)
		goto out;
	wt_heal_locks(&w);
	if (wt_prune_gone(&w, cause) != 0)
		goto out;

	if ((found = wt_lookup(&w, &wt, cause)) == -1)
		goto out;
	if (found == 0) {
		if (!wt_same_path(git_worktree_path(wt), w.path)) {
			xasprintf(cause, "worktree %s is registered at %s, not "
			    "%s", w.name, git_worktree_path(wt), w.path);
			goto out;
		}
		if (git_worktree_validate(wt) == 0 &&
		    git_repository_open_from_worktree(&wr, wt) == 0) {
			wt_note(&w, __func__, "reused worktree %s", w.path);
			goto done;
		}
		/* Registered, but its directory is no worktree: redo it. */
		if (git_worktree_is_locked(&why, wt) > 0) {
			xasprintf(cause, "worktree %s is broken and locked "
			    "(%s)", w.path, why.ptr != NULL ? why.ptr : "");
			goto out;
		}
		if (lstat(w.path, &sb) == 0 &&
		    wt_set_aside(&w, "its .git link is broken", cause) != 0)
			goto out;
		git_worktree_prune_options_init(&popts,
		    GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
		popts.flags = GIT_WORKTREE_PRUNE_VALID;
		log_debug("%s: pruning broken worktree %s", __func__, w.name);
		if (git_worktree_prune(wt, &popts) != 0) {
			git_error_cause(cause, "pruning worktree %s", w.name);
			goto out;
		}
		wt_note(&w, __func__, "pruned the metadata of broken worktree "
		    "%s", w.name);
		git_worktree_free(wt);
		wt = NULL;
	}
	if (lstat(w.path, &sb) == 0 &&
	    wt_set_aside(&w, "it is not a registered worktree", cause) != 0)
		goto out;

	if (wt_branch(&w, &ref, cause) != 0)
		goto out;
	xasprintf(&dir, "%s/worktrees", repo->dir);
	if (util_mkdir_p(dir, 0700, cause) != 0) {
		free(dir);
		goto out;
	}
	free(dir);
	git_worktree_add_options_init(&opts, GIT_WORKTREE_ADD_OPTIONS_VERSION);
	opts.ref = ref;
	/* The directory is new: write every file of the branch. */
	opts.checkout_options.checkout_strategy = GIT_CHECKOUT_FORCE;
	log_debug("%s: adding worktree %s at %s on %s", __func__, w.name,
	    w.path, w.branch);
	if (git_worktree_add(&wt, w.g, w.name, w.path, &opts) != 0) {
		git_error_cause(cause, "adding worktree %s", w.path);
		goto out;
	}
	wt_note(&w, __func__, "created worktree %s on branch %s", w.path,
	    w.branch);

done:
	if (wt_store(s, t, w.branch, w.path, NULL, 0, cause) != 0)
		goto out;
	rc = 0;
out:
	git_buf_dispose(&why);
	git_repository_free(wr);
	git_reference_free(ref);
	git_worktree_free(wt);
	wt_free(&w);
	return (rc);
}

/* What uncommitted work a worktree holds, as a phrase, or NULL. */
static char *
wt_dirty(struct wt *w, git_repository *wr, char **cause)
{
	git_status_options	 opts;
	git_status_list		*list;
	git_reference		*head;
	git_oid			 oid;
	size_t			 n;
	char			*why = NULL;
	int			 unique;

	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	log_debug("%s: status of %s", __func__, w->path);
	if (git_status_list_new(&list, wr, &opts) != 0) {
		git_error_cause(cause, "status of %s", w->path);
		return (NULL);
	}
	n = git_status_list_entrycount(list);
	git_status_list_free(list);
	if (n > 0) {
		xasprintf(&why, "%zu uncommitted change%s in %s", n,
		    n == 1 ? "" : "s", w->path);
		return (why);
	}
	/* A HEAD moved off the branch may hold commits of its own. */
	if (git_repository_head(&head, wr) == 0) {
		if (strcmp(git_reference_name(head), w->refname) != 0 &&
		    wt_ref_oid(head, &oid) == 0 &&
		    (unique = wt_unique_commits(w, &oid)) > 0)
			xasprintf(&why, "the HEAD of %s has %d commit%s not in "
			    "%s", w->path, unique, unique == 1 ? "" : "s",
			    w->main);
		git_reference_free(head);
	}
	return (why);
}

/* Whether a run the store still calls live has left its exit status. */
static int
wt_run_ended(struct repo *repo, struct run *run)
{
	struct stat	 sb;
	char		*path;
	int		 ended;

	path = repo_run_file(repo, run->id, "exit");
	ended = stat(path, &sb) == 0;
	free(path);
	return (ended);
}

/*
 * Remove task t's worktree, its metadata and its branch, unless that would
 * lose work: then keep them, set the task's reason and return
 * WORKTREE_KEPT. 0 when removed (or there was nothing), -1 on error.
 */
int
worktree_remove(struct repo *repo, struct store *s, struct task *t,
    struct worktree_log *log, char **cause)
{
	struct wt			 w;
	git_worktree			*wt = NULL;
	git_repository			*wr = NULL;
	git_reference			*ref = NULL;
	git_worktree_prune_options	 opts;
	git_buf				 locked = { NULL, 0, 0 };
	struct stat			 sb;
	git_oid				 oid;
	struct run			*run;
	char				*why = NULL, *reason, *err = NULL;
	int				 rc = -1, found, n, registered = 0;

	if (wt_open(&w, repo, t, log, cause) != 0)
		goto out;
	wt_heal_locks(&w);

	/* An agent still working there would lose its directory. */
	if (s != NULL) {
		*cause = NULL;
		if ((run = store_run_latest(s, t->id, cause)) == NULL &&
		    *cause != NULL)
			goto out;
		if (run != NULL && run_state_is_live(run->state) &&
		    !wt_run_ended(repo, run)) {
			xasprintf(&why, "run %lld is still %s in it",
			    (long long)run->id, run_state_name(run->state));
			run_free(run);
			goto kept;
		}
		run_free(run);
	}

	if ((found = wt_lookup(&w, &wt, cause)) == -1)
		goto out;
	if (found == 0) {
		registered = 1;
		if (git_worktree_is_locked(&locked, wt) > 0) {
			xasprintf(&why, "%s is locked (%s)", w.path,
			    locked.ptr != NULL && *locked.ptr != '\0' ?
			    locked.ptr : "no reason given");
			goto kept;
		}
		if (git_worktree_validate(wt) == 0) {
			if (git_repository_open_from_worktree(&wr, wt) != 0) {
				xasprintf(&why, "%s cannot be opened to check "
				    "it for changes", w.path);
				goto kept;
			}
			why = wt_dirty(&w, wr, &err);
			if (err != NULL) {
				*cause = err;
				goto out;
			}
			if (why != NULL)
				goto kept;
		} else if (lstat(w.path, &sb) == 0) {
			xasprintf(&why, "%s exists but is not a valid worktree",
			    w.path);
			goto kept;
		}
	} else if (lstat(w.path, &sb) == 0) {
		if (rmdir(w.path) != 0) {
			xasprintf(&why, "%s is not a registered worktree; look "
			    "inside before removing it", w.path);
			goto kept;
		}
		wt_note(&w, __func__, "removed empty directory %s", w.path);
	}

	log_debug("%s: looking up %s", __func__, w.refname);
	if (git_reference_lookup(&ref, w.g, w.refname) == 0) {
		if (wt_ref_oid(ref, &oid) != 0 ||
		    (n = wt_unique_commits(&w, &oid)) == -1) {
			git_error_cause(cause, "comparing %s with %s", w.branch,
			    w.main);
			goto out;
		}
		if (n > 0) {
			xasprintf(&why, "branch %s has %d commit%s not in %s",
			    w.branch, n, n == 1 ? "" : "s", w.main);
			goto kept;
		}
	}

	if (registered) {
		git_worktree_prune_options_init(&opts,
		    GIT_WORKTREE_PRUNE_OPTIONS_VERSION);
		opts.flags = GIT_WORKTREE_PRUNE_VALID |
		    GIT_WORKTREE_PRUNE_WORKING_TREE;
		log_debug("%s: pruning worktree %s and its directory",
		    __func__, w.name);
		git_repository_free(wr);
		wr = NULL;
		if (git_worktree_prune(wt, &opts) != 0) {
			git_error_cause(cause, "removing worktree %s", w.path);
			goto out;
		}
		wt_note(&w, __func__, "removed worktree %s", w.path);
	}
	if (ref != NULL) {
		/*
		 * baton's branches have no config section (no upstream), so
		 * deleting the ref and its reflog is the whole job; and
		 * git_branch_delete in libgit2 1.5 leaks the regex match data
		 * of its config search.
		 */
		log_debug("%s: deleting %s", __func__, w.refname);
		if (git_reference_delete(ref) != 0) {
			git_error_cause(cause, "deleting branch %s", w.branch);
			goto out;
		}
		wt_note(&w, __func__, "deleted branch %s", w.branch);
	}
	if (!registered && ref == NULL)
		wt_note(&w, __func__, "task #%lld has no worktree or branch",
		    (long long)t->id);
	if (wt_store(s, t, NULL, NULL, NULL, t->reason != NULL &&
	    strncmp(t->reason, "worktree kept: ", 15) == 0, cause) != 0)
		goto out;
	rc = 0;
	goto out;

kept:
	xasprintf(&reason, "worktree kept: %s", why);
	wt_note(&w, __func__, "%s", reason);
	if (wt_store(s, t, git_reference_name_to_id(&oid, w.g, w.refname) == 0 ?
	    w.branch : NULL, lstat(w.path, &sb) == 0 ? w.path : NULL, reason, 1,
	    cause) == 0)
		rc = WORKTREE_KEPT;
	free(reason);
out:
	free(why);
	git_buf_dispose(&locked);
	git_repository_free(wr);
	git_reference_free(ref);
	git_worktree_free(wt);
	wt_free(&w);
	return (rc);
}
