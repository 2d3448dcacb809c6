/*
 * Setting up a conflict for an agent to resolve, and taking its answer.
 * The agent CLIs run without git write access, so baton does the git side
 * of a resolution itself and leaves the agent only files to edit:
 *
 *   prepare  the task's branch (kept first as refs/baton/saved/T<id>-
 *            resolve-<time>) is merged with main in memory; the task's worktree
 *            gets the result, both sides of each conflict between markers;
 *            its index becomes main's tree and its branch main's tip. The
 *            worktree then holds the task's whole change on top of main,
 *            uncommitted, which is what the agent edits.
 *   finish   no conflict marker may be left in the files that conflicted;
 *            then the worktree is committed on the branch like any work,
 *            one commit on main's tip that lands by a fast-forward.
 *
 * .baton/resolve.json in the worktree records the branch's tip and main's
 * tip before anything moves, so a prepare killed at any step is done again
 * from the same two commits, and a prepared worktree is never prepared
 * twice (that would overwrite what the agent has edited).
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <git2.h>

#include "baton.h"

/* What resolve.json holds. */
struct rs_state {
	git_oid		 orig;		/* the branch's tip before */
	git_oid		 main;		/* main's tip it is resolved onto */
	int		 prepared;	/* the worktree is ready for the agent */
	char		**files;	/* the paths that conflicted */
	size_t		 nfiles;
};

static char *
rs_path(struct task *t)
{
	char	*path;

	xasprintf(&path, "%s/.baton/resolve.json", t->worktree);
	return (path);
}

static void
rs_state_free(struct rs_state *st)
{
	size_t	i;

	for (i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	free(st->files);
	memset(st, 0, sizeof *st);
}

/* Read resolve.json: 1 when there is one, 0 when not, -1 when bad. */
static int
rs_read(struct task *t, struct rs_state *st, char **cause)
{
	cJSON	*root, *item;
	char	*path, *text;
	int	 rc = -1;

	memset(st, 0, sizeof *st);
	path = rs_path(t);
	if (access(path, F_OK) != 0) {
		free(path);
		return (0);
	}
	if ((text = cmd_read_file(path, cause)) == NULL) {
		free(path);
		return (-1);
	}
	root = cJSON_Parse(text);
	free(text);
	if (root == NULL || git_oid_fromstr(&st->orig,
	    cJSON_GetStringValue(cJSON_GetObjectItem(root, "orig")) != NULL ?
	    cJSON_GetStringValue(cJSON_GetObjectItem(root, "orig")) : "") != 0 ||
	    git_oid_fromstr(&st->main, cJSON_GetStringValue(
	    cJSON_GetObjectItem(root, "main")) != NULL ? cJSON_GetStringValue(
	    cJSON_GetObjectItem(root, "main")) : "") != 0) {
		xasprintf(cause, "%s is damaged: remove it to prepare the "
		    "resolution again", path);
		goto out;
	}
	st->prepared = cJSON_IsTrue(cJSON_GetObjectItem(root, "prepared"));
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(root, "files")) {
		if (!cJSON_IsString(item))
			continue;
		st->files = xreallocarray(st->files, st->nfiles + 1,
		    sizeof *st->files);
		st->files[st->nfiles++] = xstrdup(item->valuestring);
	}
	rc = 1;
out:
	cJSON_Delete(root);
	free(path);
	return (rc);
}

/* Write resolve.json whole, through a new file renamed over the old. */
static int
rs_write(struct task *t, struct rs_state *st, char **cause)
{
	cJSON	*obj, *files;
	char	*path, *text, hex[GIT_OID_HEXSZ + 1];
	size_t	 i;
	int	 rc;

	obj = cJSON_CreateObject();
	git_oid_tostr(hex, sizeof hex, &st->orig);
	cJSON_AddStringToObject(obj, "orig", hex);
	git_oid_tostr(hex, sizeof hex, &st->main);
	cJSON_AddStringToObject(obj, "main", hex);
	cJSON_AddBoolToObject(obj, "prepared", st->prepared);
	files = cJSON_AddArrayToObject(obj, "files");
	for (i = 0; i < st->nfiles; i++)
		cJSON_AddItemToArray(files, json_string(st->files[i]));
	text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	xasprintf(&path, "%s/.baton", t->worktree);
	rc = util_mkdir_p(path, 0700, cause);
	free(path);
	if (rc != 0) {
		free(text);
		return (-1);
	}
	path = rs_path(t);
	rc = util_write_file(path, text, strlen(text), cause);
	free(path);
	free(text);
	return (rc);
}

/* Point name at oid unless it is there already, noting why. */
static int
rs_set_ref(git_repository *g, const char *name, const git_oid *oid,
    const char *why, char **cause)
{
	git_reference	*ref = NULL;

	if (git_reference_create(&ref, g, name, oid, 1, why) != 0)
		return (git_error_cause(cause, "writing %s", name));
	git_reference_free(ref);
	return (0);
}

/*
 * Keep the branch's tip where a person can find it. (Not as the orig ref:
 * the proof checks the commits that landed, and a resolution's commit is
 * what lands; the commits it replaces cannot be on main unchanged.)
 */
static int
rs_keep(git_repository *g, struct task *t, const git_oid *orig, char **cause)
{
	char	*name;
	int	 rc;

	xasprintf(&name, "refs/baton/saved/T%lld-resolve-%lld",
	    (long long)t->id, (long long)time(NULL));
	rc = rs_set_ref(g, name, orig, "baton: before resolving onto main",
	    cause);
	free(name);
	return (rc);
}

/*
 * Merge orig into main in memory and write the result into the worktree
 * wr, markers and all; the paths that conflicted go to st->files.
 */
static int
rs_checkout(git_repository *wr, struct task *t, struct rs_state *st,
    char **cause)
{
	git_commit		*main = NULL, *orig = NULL, *base = NULL;
	git_tree		*main_tree = NULL, *orig_tree = NULL;
	git_tree		*base_tree = NULL;
	git_index		*merged = NULL, *index = NULL;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry	*anc, *ours, *theirs;
	git_merge_options	 mopts;
	git_checkout_options	 copts;
	git_oid			 base_oid;
	char			 label[64];
	size_t			 i;
	int			 rc = -1;

	if (git_commit_lookup(&main, wr, &st->main) != 0 ||
	    git_commit_lookup(&orig, wr, &st->orig) != 0 ||
	    git_commit_tree(&main_tree, main) != 0 ||
	    git_commit_tree(&orig_tree, orig) != 0) {
		git_error_cause(cause, "reading the commits to resolve");
		goto out;
	}
	if (git_merge_base(&base_oid, wr, &st->main, &st->orig) == 0) {
		if (git_commit_lookup(&base, wr, &base_oid) != 0 ||
		    git_commit_tree(&base_tree, base) != 0) {
			git_error_cause(cause, "reading the merge base");
			goto out;
		}
	}
	git_merge_options_init(&mopts, GIT_MERGE_OPTIONS_VERSION);
	if (git_merge_trees(&merged, wr, base_tree, main_tree, orig_tree,
	    &mopts) != 0) {
		git_error_cause(cause, "merging %s with main", t->branch);
		goto out;
	}

	for (i = 0; i < st->nfiles; i++)
		free(st->files[i]);
	free(st->files);
	st->files = NULL;
	st->nfiles = 0;
	if (git_index_conflict_iterator_new(&it, merged) != 0) {
		git_error_cause(cause, "listing the conflicts");
		goto out;
	}
	while (git_index_conflict_next(&anc, &ours, &theirs, it) == 0) {
		st->files = xreallocarray(st->files, st->nfiles + 1,
		    sizeof *st->files);
		st->files[st->nfiles++] = xstrdup(ours != NULL ? ours->path :
		    theirs != NULL ? theirs->path : anc->path);
	}

	/* The files: what orig had, turned into the merge's result. */
	git_checkout_options_init(&copts, GIT_CHECKOUT_OPTIONS_VERSION);
	copts.checkout_strategy = GIT_CHECKOUT_FORCE |
	    GIT_CHECKOUT_ALLOW_CONFLICTS | GIT_CHECKOUT_CONFLICT_STYLE_MERGE |
	    GIT_CHECKOUT_DONT_UPDATE_INDEX;
	copts.baseline = orig_tree;
	copts.our_label = "main";
	snprintf(label, sizeof label, "T%lld", (long long)t->id);
	copts.their_label = label;
	if (git_checkout_index(wr, merged, &copts) != 0) {
		git_error_cause(cause, "writing the merge into %s",
		    t->worktree);
		goto out;
	}

	/* The index: main's tree, so the task's change shows as unstaged. */
	if (git_repository_index(&index, wr) != 0 ||
	    git_index_read_tree(index, main_tree) != 0 ||
	    git_index_write(index) != 0) {
		git_error_cause(cause, "writing the index of %s", t->worktree);
		goto out;
	}
	rc = 0;
out:
	git_index_conflict_iterator_free(it);
	git_index_free(index);
	git_index_free(merged);
	git_tree_free(base_tree);
	git_tree_free(orig_tree);
	git_tree_free(main_tree);
	git_commit_free(base);
	git_commit_free(orig);
	git_commit_free(main);
	return (rc);
}

/*
 * Prepare task t's worktree for an agent to resolve its conflict with
 * main. m->result is MERGE_CONFLICT with m->files the conflicting paths
 * (none when the merge was clean after all), m->main main's tip.
 */
int
git_resolve_prepare(struct repo *repo, struct task *t, struct merge_result *m,
    char **cause)
{
	struct rs_state	 st;
	git_repository	*g = NULL, *wr = NULL;
	git_oid		 tip;
	char		*main_name = NULL, *refname = NULL, hex[GIT_OID_HEXSZ + 1];
	size_t		 i;
	int		 rc = -1, have;

	memset(m, 0, sizeof *m);
	if (t->branch == NULL || t->worktree == NULL) {
		xasprintf(cause, "#%lld has no worktree to resolve in",
		    (long long)t->id);
		return (-1);
	}
	git_libgit2_init();
	if ((have = rs_read(t, &st, cause)) == -1)
		return (-1);
	if (git_repository_open(&g, repo->workdir) != 0 ||
	    git_repository_open_ext(&wr, t->worktree,
	    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		git_error_cause(cause, "%s", t->worktree);
		goto out;
	}
	xasprintf(&refname, "refs/heads/%s", t->branch);
	if (git_reference_name_to_id(&tip, g, refname) != 0) {
		git_error_cause(cause, "reading %s", t->branch);
		goto out;
	}
	if (have && st.prepared) {
		/* Ready, and maybe edited since: never again. */
		worktree_log_add(&m->log, __func__, "%s is prepared already",
		    t->worktree);
		goto answer;
	}
	if (have && !git_oid_equal(&tip, &st.orig) &&
	    !git_oid_equal(&tip, &st.main)) {
		xasprintf(cause, "%s moved while its resolution was being "
		    "prepared; %s holds what was recorded", t->branch,
		    ".baton/resolve.json");
		goto out;
	}
	if (!have) {
		if (git_repository_state(wr) != GIT_REPOSITORY_STATE_NONE) {
			xasprintf(cause, "%s has a merge or rebase under way",
			    t->worktree);
			goto out;
		}
		st.orig = tip;
		if (worktree_main_ref(g, &main_name, &st.main, cause) != 0 ||
		    rs_keep(g, t, &st.orig, cause) != 0 ||
		    rs_write(t, &st, cause) != 0)
			goto out;
	}

	if (rs_checkout(wr, t, &st, cause) != 0)
		goto out;
	if (!git_oid_equal(&tip, &st.main) && rs_set_ref(wr, refname,
	    &st.main, "baton: resolving onto main", cause) != 0)
		goto out;
	st.prepared = 1;
	if (rs_write(t, &st, cause) != 0)
		goto out;
	git_oid_tostr(hex, sizeof hex, &st.orig);
	worktree_log_add(&m->log, __func__, "%s (was %.12s) is main's tip with "
	    "its change over it, %zu file%s in conflict", t->branch, hex,
	    st.nfiles, st.nfiles == 1 ? "" : "s");

answer:
	for (i = 0; i < st.nfiles; i++) {
		m->files = xreallocarray(m->files, m->nfiles + 1,
		    sizeof *m->files);
		m->files[m->nfiles++] = xstrdup(st.files[i]);
	}
	git_oid_tostr(hex, sizeof hex, &st.main);
	m->main = xstrdup(hex);
	m->result = MERGE_CONFLICT;
	rc = 0;
out:
	rs_state_free(&st);
	free(refname);
	free(main_name);
	git_repository_free(wr);
	git_repository_free(g);
	return (rc);
}

/* Whether a file still has a conflict marker at the start of a line. */
static int
rs_has_markers(const char *worktree, const char *file)
{
	static const char	*markers[] = { "<<<<<<< ", "=======\n",
				    ">>>>>>> " };
	FILE			*f;
	char			*path, *line = NULL;
	size_t			 size = 0;
	u_int			 i;
	int			 found = 0;

	xasprintf(&path, "%s/%s", worktree, file);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return (0);	/* removed: no markers left */
	while (!found && getline(&line, &size, f) != -1) {
		for (i = 0; i < nitems(markers); i++) {
			if (strncmp(line, markers[i], strlen(markers[i])) == 0)
				found = 1;
		}
	}
	free(line);
	fclose(f);
	return (found);
}

/*
 * Take an agent's resolution of task t: refuse it while a conflicted file
 * keeps a marker, else commit the worktree as git_commit_task does and
 * let go of resolve.json.
 */
int
git_resolve_finish(struct repo *repo, struct task *t, const char *name,
    const char *email, const char *message, struct merge_result *m,
    char **cause)
{
	struct rs_state	 st;
	char		*path, *left = NULL, *old;
	size_t		 i;
	int		 have;

	memset(m, 0, sizeof *m);
	if (t->worktree == NULL) {
		xasprintf(cause, "#%lld has no worktree", (long long)t->id);
		return (-1);
	}
	if ((have = rs_read(t, &st, cause)) == -1)
		return (-1);
	for (i = 0; have && i < st.nfiles; i++) {
		if (!rs_has_markers(t->worktree, st.files[i]))
			continue;
		old = left;
		xasprintf(&left, "%s%s%s", old != NULL ? old : "",
		    old != NULL ? ", " : "", st.files[i]);
		free(old);
	}
	rs_state_free(&st);
	if (left != NULL) {
		xasprintf(cause, "conflict markers are left in %s", left);
		free(left);
		return (-1);
	}
	if (git_commit_task(repo, t, name, email, message, m, cause) != 0)
		return (-1);
	if (have) {
		path = rs_path(t);
		if (unlink(path) != 0 && errno != ENOENT)
			log_debug("%s: %s: %s", __func__, path,
			    strerror(errno));
		free(path);
	}
	return (0);
}
