/*
 * Proving that a landing dropped nothing of a task's work, after main has
 * moved and before the task's branch is removed.
 *
 * Two independent checks, both against main's new tip:
 *
 * - Each of the task's own commits (those the branch had, and those it had
 *   before its first rebase, kept as refs/baton/orig/T<id>) must have its
 *   change on main: a commit on main since the branch forked with the same
 *   patch-id, or else the commit's diff must already be contained in main's
 *   tree, which is what is left when main had the change beforehand (a
 *   cherry-pick with other context, or a change made twice).
 *
 * - The branch's net change must be in main's tree: the diff from the
 *   branch's tip back to where it forked applies to main's tree. Applying
 *   the reversed diff, rather than comparing blobs, is what allows main to
 *   have moved on around the task's lines: each hunk's context and removed
 *   lines are exactly what the task left there, so success means every line
 *   the task added or changed is present, and a line it deleted is absent.
 *
 * The diffs that are applied have no context lines first: libgit2 finds a
 * hunk's lines anywhere in the file, so a change main has next to lines
 * that moved or changed since (a clean rebase can do that) is still found,
 * where three lines of context that no longer match would call it missing.
 * But libgit2 cannot place a hunk that only removes lines without any
 * context (the reverse of lines only added, the commonest change), and it
 * places a hunk that only adds lines anywhere at all (so the reverse of a
 * deletion would always "apply", even where main still has the lines): a
 * diff with such a hunk is never trusted without context. The net change
 * is tried with one line of context and then three before it is called
 * missing. Patch-ids are computed with the usual context, as git's are.
 */

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <git2.h>

#include "baton.h"

/* Context lines the net change is applied with, in turn. */
static const uint32_t pf_contexts[] = { 0, 1, 3 };

/* The patch-ids of main's commits since one base. */
struct pf_main {
	git_oid		 base;
	git_oid		*pids;
	git_oid		*oids;
	size_t		 n;
};

/* What one proof works on. */
struct pf {
	git_repository	*g;
	const git_oid	*main_before;
	const git_oid	*main_after;
	git_tree	*after;		/* main_after's tree */
	struct pf_main	 sets[2];	/* the branch's and orig's bases */
	size_t		 nsets;
	git_oid		*seen;		/* commits already checked */
	size_t		 nseen;
	u_int		 checked;
	cJSON		*commits;
	cJSON		*missing;
	char		*first_missing;	/* for the message */
};

static void
pf_hex(char *buf, size_t len, const git_oid *oid)
{
	git_oid_tostr(buf, len, oid);
}

static cJSON *
pf_oid_json(const git_oid *oid)
{
	char	hex[GIT_OID_HEXSZ + 1];

	if (oid == NULL)
		return (cJSON_CreateNull());
	pf_hex(hex, sizeof hex, oid);
	return (cJSON_CreateString(hex));
}

/*
 * The diff a commit made against its first parent (the empty tree for a
 * root commit), or its reverse with context lines of context (to apply).
 */
static int
pf_commit_diff(struct pf *pf, git_commit *c, int reverse, uint32_t context,
    git_diff **diff, char **cause)
{
	git_diff_options	 opts;
	git_commit		*parent = NULL;
	git_tree		*t = NULL, *pt = NULL;
	int			 rc = -1;

	*diff = NULL;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.context_lines = context;
	if (git_commit_tree(&t, c) != 0)
		goto fail;
	if (git_commit_parentcount(c) > 0 &&
	    (git_commit_parent(&parent, c, 0) != 0 ||
	    git_commit_tree(&pt, parent) != 0))
		goto fail;
	if (reverse) {
		if (git_diff_tree_to_tree(diff, pf->g, t, pt, &opts) != 0)
			goto fail;
	} else if (git_diff_tree_to_tree(diff, pf->g, pt, t, NULL) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	git_error_cause(cause, "diff of %.12s", git_oid_tostr_s(
	    git_commit_id(c)));
out:
	git_tree_free(pt);
	git_tree_free(t);
	git_commit_free(parent);
	return (rc);
}

static int
pf_patch_id(struct pf *pf, git_commit *c, git_oid *pid, char **cause)
{
	git_diff	*diff;
	int		 rc;

	if (pf_commit_diff(pf, c, 0, 0, &diff, cause) != 0)
		return (-1);
	rc = git_diff_patchid(pid, diff, NULL);
	git_diff_free(diff);
	if (rc != 0)
		return (git_error_cause(cause, "patch-id of %.12s",
		    git_oid_tostr_s(git_commit_id(c))));
	return (0);
}

/*
 * Whether a diff without context may be applied at all: not if one of its
 * hunks only adds lines, which libgit2 would accept anywhere.
 */
static int
pf_zero_context_ok(git_diff *diff)
{
	git_patch		*patch;
	const git_diff_hunk	*hunk;
	size_t			 i, j, nhunks, lines;
	int			 ok = 1;

	for (i = 0; ok && i < git_diff_num_deltas(diff); i++) {
		if (git_patch_from_diff(&patch, diff, i) != 0 || patch == NULL)
			return (0);
		nhunks = git_patch_num_hunks(patch);
		for (j = 0; ok && j < nhunks; j++) {
			if (git_patch_get_hunk(&hunk, &lines, patch, j) != 0 ||
			    hunk->old_lines == 0)
				ok = 0;
		}
		git_patch_free(patch);
	}
	return (ok);
}

/* Whether diff applies to main's new tree. */
static int
pf_applies(struct pf *pf, git_diff *diff)
{
	git_index	*index;

	if (git_apply_to_tree(&index, pf->g, pf->after, diff, NULL) != 0) {
		git_error_clear();
		return (0);
	}
	git_index_free(index);
	return (1);
}

/* The patch-ids of main's non-merge commits since base, computed once. */
static int
pf_main_set(struct pf *pf, const git_oid *base, struct pf_main **out,
    char **cause)
{
	struct pf_main	*set;
	git_revwalk	*walk = NULL;
	git_commit	*c;
	git_oid		 oid, pid;
	size_t		 i;
	int		 rc = -1;

	for (i = 0; i < pf->nsets; i++) {
		if (git_oid_equal(&pf->sets[i].base, base)) {
			*out = &pf->sets[i];
			return (0);
		}
	}
	if (pf->nsets == nitems(pf->sets))
		fatalx("%s: too many bases", __func__);
	set = &pf->sets[pf->nsets++];
	memset(set, 0, sizeof *set);
	git_oid_cpy(&set->base, base);
	if (git_revwalk_new(&walk, pf->g) != 0 ||
	    git_revwalk_push(walk, pf->main_after) != 0 ||
	    git_revwalk_hide(walk, base) != 0) {
		git_error_cause(cause, "walking main");
		goto out;
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		if (git_commit_lookup(&c, pf->g, &oid) != 0) {
			git_error_cause(cause, "looking up %.12s",
			    git_oid_tostr_s(&oid));
			goto out;
		}
		if (git_commit_parentcount(c) > 1) {
			git_commit_free(c);
			continue;
		}
		if (pf_patch_id(pf, c, &pid, cause) != 0) {
			git_commit_free(c);
			goto out;
		}
		git_commit_free(c);
		set->pids = xreallocarray(set->pids, set->n + 1,
		    sizeof *set->pids);
		set->oids = xreallocarray(set->oids, set->n + 1,
		    sizeof *set->oids);
		git_oid_cpy(&set->pids[set->n], &pid);
		git_oid_cpy(&set->oids[set->n], &oid);
		set->n++;
	}
	*out = set;
	rc = 0;
out:
	git_revwalk_free(walk);
	return (rc);
}

static int
pf_seen(struct pf *pf, const git_oid *oid)
{
	size_t	i;

	for (i = 0; i < pf->nseen; i++) {
		if (git_oid_equal(&pf->seen[i], oid))
			return (1);
	}
	pf->seen = xreallocarray(pf->seen, pf->nseen + 1, sizeof *pf->seen);
	git_oid_cpy(&pf->seen[pf->nseen++], oid);
	return (0);
}

/* Check one of the task's commits; a missing one goes on the list. */
static int
pf_commit(struct pf *pf, struct pf_main *set, git_commit *c, char **cause)
{
	git_diff	*rdiff;
	git_oid		 pid;
	const git_oid	*found = NULL;
	const char	*summary;
	cJSON		*obj, *miss;
	char		 hex[GIT_OID_HEXSZ + 1];
	size_t		 i;
	int		 contained = 0;

	if (pf_patch_id(pf, c, &pid, cause) != 0)
		return (-1);
	for (i = 0; i < set->n; i++) {
		if (git_oid_equal(&set->pids[i], &pid)) {
			found = &set->oids[i];
			break;
		}
	}
	for (i = 0; found == NULL && !contained && i < nitems(pf_contexts);
	    i++) {
		if (pf_commit_diff(pf, c, 1, pf_contexts[i], &rdiff,
		    cause) != 0)
			return (-1);
		if (pf_contexts[i] != 0 || pf_zero_context_ok(rdiff))
			contained = pf_applies(pf, rdiff);
		git_diff_free(rdiff);
	}
	pf->checked++;

	obj = cJSON_CreateObject();
	cJSON_AddItemToObject(obj, "oid", pf_oid_json(git_commit_id(c)));
	cJSON_AddItemToObject(obj, "patch_id", pf_oid_json(&pid));
	if (found != NULL)
		cJSON_AddItemToObject(obj, "in_main", pf_oid_json(found));
	else if (contained)
		cJSON_AddStringToObject(obj, "in_main", "contained");
	else
		cJSON_AddNullToObject(obj, "in_main");
	cJSON_AddItemToArray(pf->commits, obj);
	if (found != NULL || contained)
		return (0);

	summary = git_commit_summary(c);
	if (summary == NULL)
		summary = "";
	miss = cJSON_CreateObject();
	cJSON_AddItemToObject(miss, "oid", pf_oid_json(git_commit_id(c)));
	cJSON_AddItemToObject(miss, "summary", json_string(summary));
	cJSON_AddItemToArray(pf->missing, miss);
	if (pf->first_missing == NULL) {
		pf_hex(hex, 13, git_commit_id(c));
		xasprintf(&pf->first_missing, "%s \"%s\"", hex, summary);
	}
	return (0);
}

/* Check the non-merge commits tip has since it forked from main. */
static int
pf_commits(struct pf *pf, const git_oid *tip, char **cause)
{
	struct pf_main	*set;
	git_revwalk	*walk = NULL;
	git_commit	*c;
	git_oid		 base, oid;
	int		 rc = -1;

	if (git_merge_base(&base, pf->g, tip, pf->main_before) != 0)
		return (git_error_cause(cause, "%.12s and main have no common "
		    "history", git_oid_tostr_s(tip)));
	if (pf_main_set(pf, &base, &set, cause) != 0)
		return (-1);
	if (git_revwalk_new(&walk, pf->g) != 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL|
	    GIT_SORT_REVERSE) != 0 ||
	    git_revwalk_push(walk, tip) != 0 ||
	    git_revwalk_hide(walk, &base) != 0) {
		git_error_cause(cause, "walking %.12s", git_oid_tostr_s(tip));
		goto out;
	}
	while (git_revwalk_next(&oid, walk) == 0) {
		if (pf_seen(pf, &oid))
			continue;
		if (git_commit_lookup(&c, pf->g, &oid) != 0) {
			git_error_cause(cause, "looking up %.12s",
			    git_oid_tostr_s(&oid));
			goto out;
		}
		if (git_commit_parentcount(c) <= 1 &&
		    pf_commit(pf, set, c, cause) != 0) {
			git_commit_free(c);
			goto out;
		}
		git_commit_free(c);
	}
	rc = 0;
out:
	git_revwalk_free(walk);
	return (rc);
}

/*
 * Whether head's net change since it forked from main is in main's tree:
 * NULL when it is, else the paths whose change is not there.
 */
/*
 * Whether the reverse of the change from tree bt to tree ht (one path, or
 * all when path is NULL) applies to main's new tree, with any of the
 * contexts: 1 if it does, 0 if not, -1 on error.
 */
static int
pf_net_applies(struct pf *pf, git_tree *ht, git_tree *bt, char *path,
    char **cause)
{
	git_diff_options	 opts;
	git_diff		*diff;
	size_t			 i;
	int			 ok;

	for (i = 0; i < nitems(pf_contexts); i++) {
		git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
		opts.context_lines = pf_contexts[i];
		if (path != NULL) {
			opts.flags = GIT_DIFF_DISABLE_PATHSPEC_MATCH;
			opts.pathspec.strings = &path;
			opts.pathspec.count = 1;
		}
		if (git_diff_tree_to_tree(&diff, pf->g, ht, bt, &opts) != 0)
			return (git_error_cause(cause, "diff of %s",
			    path != NULL ? path : "the net change"));
		ok = (pf_contexts[i] != 0 || pf_zero_context_ok(diff)) &&
		    pf_applies(pf, diff);
		git_diff_free(diff);
		if (ok)
			return (1);
	}
	return (0);
}

/*
 * Whether head's net change since it forked from main is in main's tree:
 * NULL when it is, else the paths whose change is not there.
 */
static int
pf_net_diff(struct pf *pf, const git_oid *head, char **paths, char **cause)
{
	git_commit		*hc = NULL, *bc = NULL;
	git_tree		*ht = NULL, *bt = NULL;
	git_diff		*diff = NULL;
	const git_diff_delta	*d;
	git_oid			 base;
	char			*path, *next;
	size_t			 i, n;
	int			 rc = -1, ok;

	*paths = NULL;
	if (git_merge_base(&base, pf->g, head, pf->main_before) != 0)
		return (git_error_cause(cause, "%.12s and main have no common "
		    "history", git_oid_tostr_s(head)));
	if (git_commit_lookup(&hc, pf->g, head) != 0 ||
	    git_commit_tree(&ht, hc) != 0 ||
	    git_commit_lookup(&bc, pf->g, &base) != 0 ||
	    git_commit_tree(&bt, bc) != 0 ||
	    git_diff_tree_to_tree(&diff, pf->g, ht, bt, NULL) != 0) {
		git_error_cause(cause, "net diff of %.12s",
		    git_oid_tostr_s(head));
		goto out;
	}
	if ((ok = pf_net_applies(pf, ht, bt, NULL, cause)) != 0) {
		rc = (ok == 1 ? 0 : -1);
		goto out;
	}

	/* Name the files whose change is missing, one at a time. */
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		d = git_diff_get_delta(diff, i);
		path = (char *)(d->old_file.path != NULL ? d->old_file.path :
		    d->new_file.path);
		if ((ok = pf_net_applies(pf, ht, bt, path, cause)) == -1)
			goto out;
		if (ok == 0) {
			if (*paths == NULL)
				*paths = xstrdup(path);
			else {
				xasprintf(&next, "%s, %s", *paths, path);
				free(*paths);
				*paths = next;
			}
		}
	}
	/* Every file applies alone but not together: name them all. */
	if (*paths == NULL)
		*paths = xstrdup("(the files together)");
	rc = 0;
out:
	if (rc != 0) {
		free(*paths);
		*paths = NULL;
	}
	git_diff_free(diff);
	git_tree_free(bt);
	git_tree_free(ht);
	git_commit_free(bc);
	git_commit_free(hc);
	return (rc);
}

/*
 * Prove that task's work is on main after it moved from main_before to
 * main_after: head is the branch's tip when the merge started, orig (or
 * NULL) the branch before its first rebase. 0 with the proof in *out, and
 * when it is not ok, what is missing in *what for people; -1 on error.
 */
int
git_proof(git_repository *g, int64_t task, const git_oid *main_before,
    const git_oid *main_after, const git_oid *head, const git_oid *orig,
    struct merge_proof **out, char **what, char **cause)
{
	struct pf		 pf;
	struct merge_proof	*p;
	git_commit		*ac = NULL;
	cJSON			*root;
	char			*paths = NULL, *net, *text;
	char			 hex[GIT_OID_HEXSZ + 1];
	size_t			 i, nmissing;
	int			 rc = -1;

	*out = NULL;
	*what = NULL;
	memset(&pf, 0, sizeof pf);
	pf.g = g;
	pf.main_before = main_before;
	pf.main_after = main_after;
	pf.commits = cJSON_CreateArray();
	pf.missing = cJSON_CreateArray();
	if (git_commit_lookup(&ac, g, main_after) != 0 ||
	    git_commit_tree(&pf.after, ac) != 0) {
		git_error_cause(cause, "looking up main");
		goto out;
	}
	if (orig != NULL && pf_commits(&pf, orig, cause) != 0)
		goto out;
	if (pf_commits(&pf, head, cause) != 0)
		goto out;
	if (pf_net_diff(&pf, head, &paths, cause) != 0)
		goto out;

	p = xcalloc(1, sizeof *p);
	p->task_id = task;
	nmissing = (size_t)cJSON_GetArraySize(pf.missing);
	p->ok = nmissing == 0 && paths == NULL;
	pf_hex(hex, sizeof hex, main_before);
	p->main_before = xstrdup(hex);
	pf_hex(hex, sizeof hex, main_after);
	p->main_after = xstrdup(hex);
	pf_hex(hex, sizeof hex, head);
	p->branch_head = xstrdup(hex);
	p->commits = pf.checked;
	if (paths == NULL)
		net = xstrdup("present");
	else
		xasprintf(&net, "missing: %s", paths);

	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "task", (double)task);
	cJSON_AddBoolToObject(root, "ok", p->ok);
	cJSON_AddStringToObject(root, "main_before", p->main_before);
	cJSON_AddStringToObject(root, "main_after", p->main_after);
	cJSON_AddStringToObject(root, "branch_head", p->branch_head);
	cJSON_AddItemToObject(root, "orig", pf_oid_json(orig));
	cJSON_AddItemToObject(root, "commits", pf.commits);
	cJSON_AddItemToObject(root, "net_diff", json_string(net));
	cJSON_AddItemToObject(root, "missing", pf.missing);
	pf.commits = pf.missing = NULL;
	if ((text = cJSON_PrintUnformatted(root)) == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	p->proof = text;
	cJSON_Delete(root);

	if (nmissing > 0 && paths != NULL)
		xasprintf(what, "commit %s%s is not on main, and the net "
		    "change is missing from %s", pf.first_missing,
		    nmissing > 1 ? " and others" : "", paths);
	else if (nmissing > 0)
		xasprintf(what, "%zu commit%s not on main: %s%s", nmissing,
		    nmissing == 1 ? " is" : "s are", pf.first_missing,
		    nmissing > 1 ? " and others" : "");
	else if (paths != NULL)
		xasprintf(what, "the net change is missing from %s", paths);
	free(net);
	*out = p;
	rc = 0;
out:
	free(paths);
	free(pf.first_missing);
	for (i = 0; i < pf.nsets; i++) {
		free(pf.sets[i].pids);
		free(pf.sets[i].oids);
	}
	free(pf.seen);
	cJSON_Delete(pf.commits);
	cJSON_Delete(pf.missing);
	git_tree_free(pf.after);
	git_commit_free(ac);
	return (rc);
}
