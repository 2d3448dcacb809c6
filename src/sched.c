/*
 * The scheduler: what turns a sprint into runs. 'baton run' and the UI
 * both run it, in the runtime's loop, and it works only while the open
 * sprint is going ('baton go'); paused, baton changes nothing by itself.
 *
 * Each turn, in order:
 *
 *   judge     a task whose latest run is stored to its end gets its
 *             outcome: work that succeeded goes to review (or straight to
 *             the merge queue); a review approves it or sends it back to
 *             its role with the comments, up to review_rounds times; a
 *             plan, a validation or a lesson is read from the run's JSON
 *             answer; a usage limit or an authentication failure leaves
 *             the task ready (the provider is limited now, so dispatch
 *             picks the next one in the role's chain); any other failure
 *             is retried after an exponential backoff with jitter, until
 *             the retry limit fails the task with the reason
 *   merge     the first task in the merge queue lands on main, one at a
 *             time: its branch is rebased onto main, the project's tests
 *             run on it in a run of their own, and main moves only to
 *             what was tested; a failure goes back to the task's role, a
 *             conflict blocks the task (its branch as it was) and hands a
 *             resolution task to the role; each landing is proved before
 *             the branch goes
 *   dispatch  ready tasks, by priority, get a run on the first provider
 *             of their role's chain that is neither limited nor full, up
 *             to the global, role and provider limits; when every
 *             provider is limited the task waits, with a countdown, for
 *             the earliest reset, and goes back to the provider it was
 *             cut short on continuing the same agent session
 *
 * All of the state is in the store, so a baton killed at any point picks
 * up where it was: a task is marked running in the same transaction that
 * records its run, and a run is judged in the same transaction that moves
 * its task on.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "baton.h"

/* Look again this often without being told. */
#define SCHED_TICK_SECONDS 2
/* A merge that failed for want of something outside baton: try again. */
#define SCHED_MERGE_RETRY 30
/* Prompts longer than this go to the agent through a file. */
#define SCHED_PROMPT_ARG (96 * 1024)
/* After a limit, the task waits at least this long before its next run. */
#define SCHED_LIMIT_HOLD 3
/* Lessons added to a prompt. */
#define SCHED_LESSONS 5
/* How many resolution tasks one task may get before a person must look. */
#define SCHED_RESOLVE_MAX 2
/* How many validations one plan gets (each may add gap tasks). */
#define SCHED_VALIDATE_MAX 2
/* Errors in a row landing one task before it is blocked for a person. */
#define SCHED_MERGE_ERRORS 3
/* How much failing test output goes back to the task's role. */
#define SCHED_TEST_OUTPUT 4000
/* A stalled run's provider is passed over this long, so the retry moves on. */
#define SCHED_STALL_HOLD 300
/* A stalled run still there this long after SIGTERM gets SIGKILL. */
#define SCHED_STALL_GRACE 15
/* A provider that cannot run as configured is passed over this long. */
#define SCHED_SETUP_HOLD 3600
/* How much of an agent's last words go into the commit of its work. */
#define SCHED_COMMIT_TEXT 4000
/* A review that cannot start for want of a provider looks again after this. */
#define SCHED_REVIEW_HOLD 60

struct sched {
	struct event_base	*base;
	struct repo		*repo;
	struct store		*store;
	void			(*changed)(void *);
	void			(*warn)(void *, const char *);
	void			*arg;

	struct event		*ev_tick;
	struct event		*ev_soon;
	struct config		*config;
	char			*config_problem;	/* said once */
	char			*last_warning;		/* said once */
	int64_t			 merge_not_before;
	int64_t			 merge_error_task;	/* errors in a row */
	u_int			 merge_errors;
	int			 did;			/* changed something */
};

/* Counts of live runs, for the concurrency limits. */
struct sched_load {
	u_int		 total;
	struct run	**runs;
	size_t		 nruns;
};

static void	sched_tick(struct sched *);
static int64_t	sched_stalled_for(struct sched *, struct run *);
static void	sched_drop_worktree(struct sched *, struct task *);

/* Say something once: the same warning every turn helps nobody. */
static void
sched_warn(struct sched *sc, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	log_debug("sched: %s", msg);
	if (sc->last_warning != NULL && strcmp(sc->last_warning, msg) == 0) {
		free(msg);
		return;
	}
	free(sc->last_warning);
	sc->last_warning = msg;
	if (sc->warn != NULL)
		sc->warn(sc->arg, msg);
	else
		fprintf(stderr, "baton: %s\n", msg);
}

/* Read the configuration; keep the last good one if it has problems now. */
static struct config *
sched_config(struct sched *sc)
{
	struct config	*cf;
	char		*cause = NULL;

	if ((cf = config_load(sc->repo, &cause)) == NULL) {
		if (sc->config_problem == NULL ||
		    strcmp(sc->config_problem, cause) != 0) {
			sched_warn(sc, "configuration: %s (see 'baton config "
			    "check')", cause);
			free(sc->config_problem);
			sc->config_problem = cause;
		} else
			free(cause);
		return (sc->config);
	}
	free(sc->config_problem);
	sc->config_problem = NULL;
	config_free(sc->config);
	sc->config = cf;
	return (cf);
}

/* What the scheduler decided about a task, in memory only. */
static void
sched_set(struct task *t, enum task_state state, int64_t not_before,
    char *reason)
{
	t->state = state;
	t->not_before = not_before;
	free(t->reason);
	t->reason = reason;
}

/* Write a task back with what the scheduler decided. */
static int
sched_update(struct sched *sc, struct task *t, enum task_state state,
    int64_t not_before, char *reason)
{
	char	*cause = NULL;

	sched_set(t, state, not_before, reason);
	if (store_begin(sc->store, &cause) != 0 ||
	    store_task_update_cas(sc->store, t, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0) {
		store_rollback(sc->store);
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
		return (-1);
	}
	log_debug("%s: #%lld is %s%s%s", __func__, (long long)t->id,
	    task_state_name(state), reason != NULL ? ": " : "",
	    reason != NULL ? reason : "");
	sc->did = 1;
	return (0);
}

/* The delay before retry n (1, 2, …): backoff doubling, with ±25% jitter. */
static int64_t
sched_backoff(struct config *cf, u_int n)
{
	double	delay;
	u_int	i;

	delay = cf->backoff;
	for (i = 1; i < n && delay < 24 * 3600; i++)
		delay *= 2;
	delay *= 0.75 + (random() % 501) / 1000.0;
	return ((int64_t)(delay + 0.5));
}

/*
 * A failed attempt: try again in state again after a backoff, or, past the
 * retry limit, leave the task in state final with the reason.
 */
static void
sched_failed_in(struct sched *sc, struct task *t, enum task_state again,
    enum task_state final, const char *why)
{
	struct config	*cf = sc->config;
	char		*reason;
	int64_t		 delay;

	t->failures++;
	if (t->failures > cf->retries) {
		xasprintf(&reason, "failed after %u attempt%s: %s",
		    t->failures, t->failures == 1 ? "" : "s", why);
		sched_update(sc, t, final, 0, reason);
		if (t->kind != TASK_WORK)
			sched_drop_worktree(sc, t);
		return;
	}
	delay = sched_backoff(cf, t->failures);
	xasprintf(&reason, "attempt %u failed (%s); retrying in %llds",
	    t->failures, why, (long long)delay);
	sched_update(sc, t, again, store_now() + delay, reason);
}

static void
sched_failed(struct sched *sc, struct task *t, const char *why)
{
	sched_failed_in(sc, t, TASK_READY, TASK_FAILED, why);
}

/* Record that a run was judged, with the answer it was judged on. */
static void
sched_judged(struct sched *sc, struct run *r, const char *answer)
{
	char	*cause = NULL;

	if (store_run_set_answer(sc->store, r->id, answer != NULL ? answer :
	    "", &cause) != 0) {
		sched_warn(sc, "run %lld: %s", (long long)r->id, cause);
		free(cause);
	}
}

/* The final text of a run, kept with it as the answer it is judged on. */
static char *
sched_answer(struct sched *sc, struct run *r, char **cause)
{
	char	*text;

	text = store_run_final_text(sc->store, r->id, cause);
	sched_judged(sc, r, text);
	return (text);
}

/* Tell a whole-run failure from success, for any kind of run. */
static int
sched_run_ok(struct run *r, struct run_verdict *v)
{
	return (r->exit_status == 0 && v->has_final && !v->final_error);
}

/* A task of the scheduler's own making, stored inside a transaction. */
static struct task *
sched_new_task(struct sched *sc, struct task *from, enum task_kind kind,
    const char *role, const char *title, const char *body, char **cause)
{
	struct task	*n;

	n = task_new();
	task_set_text(n, title, body, role);
	n->kind = kind;
	n->sprint_id = from->sprint_id;
	n->parent_id = from->id;
	n->target_id = from->id;
	n->priority = from->priority;
	if (kind == TASK_LESSON)
		n->priority = TASK_PRIORITY_MAX;
	n->state = TASK_READY;
	if (store_task_add(sc->store, n, cause) == -1) {
		task_free(n);
		return (NULL);
	}
	return (n);
}

/* Take away the worktree of a task whose runs only answered. */
static void
sched_drop_worktree(struct sched *sc, struct task *t)
{
	struct worktree_log	 log = { NULL, 0 };
	char			*cause = NULL;

	if (t->worktree == NULL || t->kind == TASK_RESOLVE)
		return;
	if (gitc_worktree_remove(sc->repo, t, &log, &cause) == -1) {
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
	}
	worktree_log_free(&log);
}

/*
 * After a task that needed more than one try landed: a task to learn from
 * it, inside the caller's transaction. -1 with cause on a store error.
 */
static int
sched_maybe_lesson(struct sched *sc, struct task *t, char **cause)
{
	struct config	*cf = sc->config;
	struct task	*n;
	u_int		 open, all;
	char		*title, *body;

	if (!cf->lessons || t->kind != TASK_WORK ||
	    (t->failures == 0 && t->rounds == 0))
		return (0);
	if (config_role(cf, cf->lesson_role) == NULL) {
		sched_warn(sc, "no role '%s' for lessons (lesson_role)",
		    cf->lesson_role);
		return (0);
	}
	if (store_task_helpers(sc->store, t->id, TASK_LESSON, &open,
	    &all) != 0 || all != 0)
		return (0);
	xasprintf(&title, "Lesson from #%lld", (long long)t->id);
	xasprintf(&body, "Task #%lld (%s) needed %u failed attempt%s and %u "
	    "review round%s before it landed: %s", (long long)t->id, t->role,
	    t->failures, t->failures == 1 ? "" : "s", t->rounds,
	    t->rounds == 1 ? "" : "s", t->title);
	n = sched_new_task(sc, t, TASK_LESSON, cf->lesson_role, title, body,
	    cause);
	free(body);
	free(title);
	if (n == NULL)
		return (-1);
	log_debug("%s: #%lld learns from #%lld", __func__, (long long)n->id,
	    (long long)t->id);
	task_free(n);
	return (0);
}

/* A task landed: done, and its lesson task if it needs one, together. */
static void
sched_landed(struct sched *sc, struct task *t, char *reason)
{
	char	*cause = NULL;

	free(t->merge_base);
	t->merge_base = NULL;
	sched_set(t, TASK_DONE, 0, reason);
	if (store_begin(sc->store, &cause) != 0 ||
	    store_task_update_cas(sc->store, t, &cause) != 0 ||
	    sched_maybe_lesson(sc, t, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0) {
		store_rollback(sc->store);
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
		return;
	}
	sc->did = 1;
}

/*
 * A validation of plan_task's request that waits on the n tasks ids, in
 * the caller's transaction; again after an earlier one found gaps.
 */
static struct task *
sched_validation(struct sched *sc, struct task *plan_task, const char *role,
    int again, int64_t *ids, int64_t n, char **cause)
{
	struct task	*v;
	char		*title;
	int64_t		 i;

	xasprintf(&title, "Validate the plan of #%lld%s",
	    (long long)plan_task->id, again ? " again" : "");
	v = sched_new_task(sc, plan_task, TASK_VALIDATE, role, title, again ?
	    "Check that the landed subtasks, with the gaps found by the last "
	    "validation, do what the request asks; answer the gaps." :
	    "Check that the landed subtasks do what the request asks; answer "
	    "the gaps.", cause);
	free(title);
	for (i = 0; v != NULL && i < n; i++) {
		if (store_dep_add(sc->store, v->id, ids[i], cause) != 0) {
			task_free(v);
			v = NULL;
		}
	}
	return (v);
}

/* A plan's answer: its subtasks under the plan task, and a validation. */
static void
sched_plan_answered(struct sched *sc, struct task *t, struct run *r)
{
	struct plan	 plan;
	struct task	*v = NULL;
	int64_t		*ids = NULL, n;
	char		*text, *cause = NULL, *title;

	memset(&plan, 0, sizeof plan);
	text = sched_answer(sc, r, &cause);
	if (text == NULL || answer_plan(text, &plan, &cause) != 0) {
		xasprintf(&title, "the plan was rejected: %s; run %lld keeps "
		    "the raw answer ('baton runs --json')", cause,
		    (long long)r->id);
		sched_update(sc, t, TASK_BLOCKED, 0, title);
		sched_drop_worktree(sc, t);
		free(cause);
		free(text);
		return;
	}
	free(text);
	if (store_begin(sc->store, &cause) != 0)
		goto fail;
	if ((n = plan_import(sc->store, &plan, t->id, &ids, &cause)) == -1)
		goto fail;
	if ((v = sched_validation(sc, t, t->role, 0, ids, n, &cause)) == NULL)
		goto fail;
	xasprintf(&title, "planned %lld subtask%s (#%lld to #%lld), validated "
	    "by #%lld", (long long)n, n == 1 ? "" : "s", (long long)ids[0],
	    (long long)ids[n - 1], (long long)v->id);
	sched_set(t, TASK_DONE, 0, title);
	if (store_task_update_cas(sc->store, t, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0)
		goto fail;
	sc->did = 1;
	sched_drop_worktree(sc, t);
	goto out;

fail:
	store_rollback(sc->store);
	sched_warn(sc, "#%lld: the plan could not be stored: %s",
	    (long long)t->id, cause);
	free(cause);
out:
	task_free(v);
	free(ids);
	plan_free(&plan);
}

/* A validation's answer: gap tasks (and one more validation) or done. */
static void
sched_gaps_answered(struct sched *sc, struct task *t, struct run *r)
{
	struct plan	 plan;
	struct task	*plan_task = NULL, *v = NULL;
	int64_t		*ids = NULL, n;
	u_int		 open, all;
	char		*text, *cause = NULL, *why;

	memset(&plan, 0, sizeof plan);
	text = sched_answer(sc, r, &cause);
	if (text == NULL || answer_gaps(text, &plan, &cause) != 0) {
		xasprintf(&why, "its answer was not a list of gaps: %s", cause);
		sched_failed(sc, t, why);
		free(why);
		free(cause);
		free(text);
		return;
	}
	free(text);
	if (plan.count == 0) {
		sched_update(sc, t, TASK_DONE, 0,
		    xstrdup("validated: nothing is missing"));
		sched_drop_worktree(sc, t);
		plan_free(&plan);
		return;
	}
	if ((plan_task = store_task_get(sc->store, t->target_id,
	    &cause)) == NULL) {
		xasprintf(&why, "the plan #%lld it validates is gone%s%s",
		    (long long)t->target_id, cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
		sched_update(sc, t, TASK_BLOCKED, 0, why);
		free(cause);
		goto out;
	}
	if (store_begin(sc->store, &cause) != 0)
		goto fail;
	if ((n = plan_import(sc->store, &plan, plan_task->id, &ids,
	    &cause)) == -1)
		goto rollback;
	if (store_task_helpers(sc->store, plan_task->id, TASK_VALIDATE, &open,
	    &all) == 0 && all < SCHED_VALIDATE_MAX &&
	    (v = sched_validation(sc, plan_task, t->role, 1, ids, n,
	    &cause)) == NULL)
		goto rollback;
	xasprintf(&why, "found %lld gap%s: #%lld to #%lld", (long long)n,
	    n == 1 ? "" : "s", (long long)ids[0], (long long)ids[n - 1]);
	sched_set(t, TASK_DONE, 0, why);
	if (store_task_update_cas(sc->store, t, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0)
		goto rollback;
	sc->did = 1;
	sched_drop_worktree(sc, t);
	goto out;

rollback:
	store_rollback(sc->store);
fail:
	sched_warn(sc, "#%lld: the gaps could not be stored: %s",
	    (long long)t->id, cause);
	free(cause);
out:
	task_free(v);
	task_free(plan_task);
	free(ids);
	plan_free(&plan);
}

/* A lesson's answer: recorded for the role of the task it is about. */
static void
sched_lesson_answered(struct sched *sc, struct task *t, struct run *r)
{
	struct task	*target = NULL;
	char		*text, *lesson = NULL, *cause = NULL, *reason;

	text = sched_answer(sc, r, &cause);
	if (text == NULL || (lesson = answer_lesson(text, &cause)) == NULL ||
	    (target = store_task_get(sc->store, t->target_id,
	    &cause)) == NULL) {
		xasprintf(&reason, "no lesson: %s", cause != NULL ? cause :
		    "the task it is about is gone");
		sched_update(sc, t, TASK_DONE, 0, reason);
	} else if (store_lesson_add(sc->store, target->role, target->id,
	    lesson, &cause) != 0)
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
	else {
		xasprintf(&reason, "lesson for the %s: %s", target->role,
		    lesson);
		sched_update(sc, t, TASK_DONE, 0, reason);
	}
	sched_drop_worktree(sc, t);
	free(cause);
	free(lesson);
	free(text);
	task_free(target);
}

/* Text for a commit message: control bytes made spaces, lines kept or not. */
static void
sched_commit_text(char *text, int lines)
{
	u_char	*p;

	for (p = (u_char *)text; *p != '\0'; p++) {
		if (lines && (*p == '\n' || *p == '\t'))
			continue;
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
}

/*
 * Commit what run r changed in task t's worktree, the agent as author:
 * the CLIs run without git write access, so baton does what 'git add -A
 * && git commit' would. mr says what came of it (MERGE_EMPTY: the branch
 * has nothing main lacks); -1 with cause when it could not be done.
 */
static int
sched_commit_run(struct sched *sc, struct task *t, struct run *r,
    struct merge_result *mr, char **cause)
{
	char	*text, *message, *name, *email, *ignore = NULL, *title, *p;
	int	 rc;

	text = store_run_final_text(sc->store, r->id, &ignore);
	free(ignore);
	if (text != NULL) {
		if (strlen(text) > SCHED_COMMIT_TEXT) {
			text[SCHED_COMMIT_TEXT] = '\0';
			if ((p = strrchr(text, '\n')) != NULL &&
			    p > text + SCHED_COMMIT_TEXT / 2)
				*p = '\0';
		}
		sched_commit_text(text, 1);
	}
	title = xstrdup(t->title);
	sched_commit_text(title, 0);
	xasprintf(&message, "T%lld: %s\n\n%s%sBaton-Task: %lld\n"
	    "Baton-Run: %lld\nBaton-Provider: %s\nBaton-Model: %s\n",
	    (long long)t->id, title, text != NULL && *text != '\0' ? text :
	    "", text != NULL && *text != '\0' ? "\n\n" : "", (long long)t->id,
	    (long long)r->id, r->provider != NULL ? r->provider : "-",
	    r->model != NULL ? r->model : "-");
	free(title);
	free(text);
	xasprintf(&name, "%s%s%s%s", r->provider != NULL ? r->provider :
	    "agent", r->model != NULL ? " (" : "", r->model != NULL ? r->model :
	    "", r->model != NULL ? ")" : "");
	sched_commit_text(name, 0);
	xasprintf(&email, "%s@baton.invalid", r->provider != NULL ?
	    r->provider : "agent");
	for (p = email; *p != '@'; p++) {
		if (!isalnum((u_char)*p) && *p != '-' && *p != '.' && *p != '_')
			*p = '-';
	}
	rc = gitc_commit(sc->repo, t->id, r->id, name, email, message, mr,
	    cause);
	free(email);
	free(name);
	free(message);
	if (rc == 0 && mr->nfiles != 0)
		log_debug("%s: #%lld: run %lld's work committed as %.12s "
		    "(%zu path%s)", __func__, (long long)t->id, (long long)r->id,
		    mr->main, mr->nfiles, mr->nfiles == 1 ? "" : "s");
	return (rc);
}

/*
 * Commit a successful work run's changes: 1 when the branch then has work
 * main lacks, 0 when the task is settled here (nothing was changed, or
 * the commit could not be made), written back blocked with the reason.
 */
static int
sched_commit(struct sched *sc, struct task *t, struct run *r,
    struct run_verdict *v)
{
	struct merge_result	 mr;
	char			*cause = NULL, *reason, *denied;

	if (sched_commit_run(sc, t, r, &mr, &cause) != 0) {
		xasprintf(&reason, "run %lld succeeded, but its work could not "
		    "be committed: %s", (long long)r->id, cause);
		free(cause);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		return (0);
	}
	if (mr.result == MERGE_EMPTY) {
		/* Most often the CLI was not allowed to: say which tool. */
		denied = run_verdict_reason(v);
		xasprintf(&reason, "run %lld succeeded but changed nothing in "
		    "its worktree: there is nothing to review or land%s%s",
		    (long long)r->id, denied != NULL ? "; " : "",
		    denied != NULL ? denied : "");
		free(denied);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		merge_result_free(&mr);
		return (0);
	}
	merge_result_free(&mr);
	return (1);
}

/*
 * A resolution succeeded: its edits are committed on the branch of the
 * task it resolved (none may keep a conflict marker), and that task goes
 * back to the merge queue.
 */
static void
sched_resolved(struct sched *sc, struct task *t, struct run *r)
{
	struct merge_result	 mr;
	struct task		*target;
	char			*cause = NULL, *why;

	if ((target = store_task_get(sc->store, t->target_id,
	    &cause)) == NULL) {
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause != NULL ?
		    cause : "the task it resolves is gone");
		free(cause);
		return;
	}
	if (sched_commit_run(sc, target, r, &mr, &cause) != 0) {
		xasprintf(&why, "its resolution could not be committed: %s",
		    cause);
		free(cause);
		sched_failed(sc, t, why);
		free(why);
		task_free(target);
		return;
	}
	merge_result_free(&mr);
	/* The worktree is the other task's: this one only borrowed it. */
	free(t->worktree);
	free(t->branch);
	t->worktree = t->branch = NULL;
	xasprintf(&cause, "resolved the conflict of #%lld",
	    (long long)target->id);
	sched_set(t, TASK_DONE, 0, cause);
	free(target->merge_base);
	target->merge_base = NULL;
	if (target->state == TASK_BLOCKED)
		sched_set(target, TASK_MERGING, 0, NULL);
	cause = NULL;
	if (store_begin(sc->store, &cause) != 0 ||
	    store_task_update_cas(sc->store, t, &cause) != 0 ||
	    store_task_update_cas(sc->store, target, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0) {
		store_rollback(sc->store);
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
	} else
		sc->did = 1;
	task_free(target);
}

/* A run of the task's own job succeeded: what comes next for the task. */
static void
sched_succeeded(struct sched *sc, struct task *t, struct run *r,
    struct run_verdict *v)
{
	struct config	*cf = sc->config;

	switch (t->kind) {
	case TASK_PLAN:
		sched_plan_answered(sc, t, r);
		return;
	case TASK_VALIDATE:
		sched_gaps_answered(sc, t, r);
		return;
	case TASK_LESSON:
		sched_lesson_answered(sc, t, r);
		return;
	case TASK_RESOLVE:
		sched_resolved(sc, t, r);
		return;
	case TASK_WORK:
		break;
	}
	if (!sched_commit(sc, t, r, v))
		return;
	if (cf->review && config_role(cf, cf->review_role) != NULL) {
		sched_update(sc, t, TASK_REVIEW, 0, NULL);
		return;
	}
	if (cf->review)
		sched_warn(sc, "no role '%s' for reviews (review_role): #%lld "
		    "goes to the merge queue unreviewed", cf->review_role,
		    (long long)t->id);
	sched_update(sc, t, TASK_MERGING, 0, NULL);
}

/*
 * A run that failed before doing any work, for want of something a retry
 * cannot give (run-fault.c): the provider is held and the task goes
 * down its role's chain at once, or the dead session is let go and the
 * work starts afresh; neither counts against the task's retries. 1 when
 * the run was such a fault and the task is written back in state again.
 */
static int
sched_fault(struct sched *sc, struct task *t, struct run *r,
    struct run_verdict *v, enum task_state again)
{
	enum run_fault	 fault;
	struct role	*role;
	char		*err, *why, *reason, *cause = NULL;
	int64_t		 now = store_now();

	if (r->state != RUN_EXITED || r->provider == NULL)
		return (0);
	err = run_fault_stderr(sc->repo, r->id);
	fault = run_fault_classify(r->format, r->exit_status,
	    store_run_ncalls(sc->store, r->id), v, err, &why);
	free(err);
	if (fault == RUN_FAULT_RESUME && r->agent_session == NULL)
		fault = RUN_FAULT_NONE;		/* it resumed nothing */
	switch (fault) {
	case RUN_FAULT_NONE:
		return (0);
	case RUN_FAULT_SETUP:
		if (store_limit_add(sc->store, r->provider, "setup", 0, now,
		    now + SCHED_SETUP_HOLD, 0, why, &cause) != 0) {
			sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
			free(cause);
		}
		xasprintf(&reason, "%s cannot run as configured (run %lld): "
		    "%s; it is passed over for an hour, or until 'baton retry "
		    "%lld'", r->provider, (long long)r->id, why,
		    (long long)t->id);
		sched_warn(sc, "%s", reason);
		break;
	case RUN_FAULT_RESUME:
		role = config_role(sc->config, r->role != NULL ? r->role :
		    t->role);
		if (role != NULL && role->persistent &&
		    store_role_session_drop(sc->store, role->name, r->provider,
		    &cause) != 0) {
			sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
			free(cause);
		}
		xasprintf(&reason, "run %lld could not resume session %s on "
		    "%s: %s; starting a fresh session", (long long)r->id,
		    r->agent_session, r->provider, why);
		break;
	}
	free(why);
	sched_judged(sc, r, NULL);
	sched_update(sc, t, again, now, reason);
	return (1);
}

/*
 * A run stopped for its silence: its provider is passed over for a while,
 * so the retry goes down the chain where it can, and the attempt counts.
 * 1 when the run stalled, the task written back (again, or final past
 * the retry limit).
 */
static int
sched_stalled(struct sched *sc, struct task *t, struct run *r,
    enum task_state again, enum task_state final)
{
	int64_t	 silent, now = store_now();
	char	*why, *cause = NULL;

	if ((silent = sched_stalled_for(sc, r)) < 0 || r->provider == NULL)
		return (0);
	xasprintf(&why, "run %lld stalled: %s wrote nothing for %llds and was "
	    "stopped", (long long)r->id, r->provider, (long long)silent);
	if (store_limit_add(sc->store, r->provider, "stall", 0, now,
	    now + SCHED_STALL_HOLD, 0, why, &cause) != 0) {
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
		cause = NULL;
	}
	free(r->outcome);
	xasprintf(&r->outcome, "stalled after %llds of silence",
	    (long long)silent);
	if (store_run_update(sc->store, r, &cause) != 0) {
		sched_warn(sc, "run %lld: %s", (long long)r->id, cause);
		free(cause);
	}
	sched_judged(sc, r, NULL);
	sched_failed_in(sc, t, again, final, why);
	free(why);
	return (1);
}

/* A review run ended: approve, send back with its comments, or retry. */
static void
sched_judge_review(struct sched *sc, struct task *t, struct run *r,
    struct run_verdict *v)
{
	struct config		*cf = sc->config;
	struct answer_verdict	 av;
	struct merge_result	 mr;
	char			*text, *cause = NULL, *why, *reason;

	/* Nothing a review leaves is ever committed with the work. */
	if (gitc_discard(sc->repo, t->id, &mr, &cause) != 0) {
		sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
		free(cause);
		cause = NULL;
	} else {
		if (mr.result == MERGE_CLEANED)
			sched_warn(sc, "#%lld: review run %lld changed %zu "
			    "file%s; thrown away, kept as %s", (long long)t->id,
			    (long long)r->id, mr.nfiles, mr.nfiles == 1 ? "" :
			    "s", mr.message);
		merge_result_free(&mr);
	}
	if (r->state == RUN_STOPPED) {
		sched_judged(sc, r, NULL);
		xasprintf(&reason, "review run %lld was stopped; 'baton retry "
		    "%lld' runs the task again", (long long)r->id,
		    (long long)t->id);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		return;
	}
	if (!sched_run_ok(r, v) && (sched_stalled(sc, t, r, TASK_REVIEW,
	    TASK_BLOCKED) || (!v->limited && sched_fault(sc, t, r, v,
	    TASK_REVIEW))))
		return;
	if (!sched_run_ok(r, v)) {
		sched_judged(sc, r, NULL);
		if (v->limited) {
			/* The provider is limited now: the next one reviews. */
			xasprintf(&reason, "review run %lld hit a limit of %s",
			    (long long)r->id, r->provider != NULL ?
			    r->provider : "its provider");
			sched_update(sc, t, TASK_REVIEW, store_now() +
			    SCHED_LIMIT_HOLD, reason);
			return;
		}
		xasprintf(&why, "review run %lld: %s", (long long)r->id,
		    v->error_text != NULL ? v->error_text : r->outcome != NULL ?
		    r->outcome : "no exit status");
		sched_failed_in(sc, t, TASK_REVIEW, TASK_BLOCKED, why);
		free(why);
		return;
	}
	memset(&av, 0, sizeof av);
	if ((text = sched_answer(sc, r, &cause)) == NULL ||
	    answer_verdict(text, &av, &cause) != 0) {
		xasprintf(&why, "review run %lld gave no verdict: %s",
		    (long long)r->id, cause);
		sched_failed_in(sc, t, TASK_REVIEW, TASK_BLOCKED, why);
		free(why);
		free(cause);
		free(text);
		return;
	}
	free(text);
	if (av.approve) {
		xasprintf(&reason, "approved by review run %lld",
		    (long long)r->id);
		sched_update(sc, t, TASK_MERGING, 0, reason);
	} else if (++t->rounds >= cf->review_rounds) {
		xasprintf(&reason, "reviews asked for changes %u times; the "
		    "last (run %lld): %s", t->rounds, (long long)r->id,
		    av.comments);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
	} else {
		xasprintf(&reason, "review run %lld asked for changes (round "
		    "%u of %u): %s", (long long)r->id, t->rounds,
		    cf->review_rounds, av.comments);
		sched_update(sc, t, TASK_READY, 0, reason);
	}
	answer_verdict_free(&av);
}

/* Decide what a task's finished run means for it. */
static void
sched_judge(struct sched *sc, int64_t id)
{
	struct task		*t;
	struct run		*r;
	struct run_verdict	 v;
	struct role		*role;
	char			*cause = NULL, *reason, *why, *denied;

	if ((t = store_task_get(sc->store, id, &cause)) == NULL ||
	    (r = store_run_latest(sc->store, id, &cause)) == NULL) {
		if (cause != NULL) {
			sched_warn(sc, "#%lld: %s", (long long)id, cause);
			free(cause);
		}
		task_free(t);
		return;
	}
	if (store_run_verdict(sc->store, r->id, &v, &cause) != 0) {
		sched_warn(sc, "#%lld: %s", (long long)id, cause);
		free(cause);
		run_free(r);
		task_free(t);
		return;
	}

	if (r->purpose == RUN_REVIEW) {
		sched_judge_review(sc, t, r, &v);
		goto out;
	}

	if (!sched_run_ok(r, &v) && (sched_stalled(sc, t, r, TASK_READY,
	    TASK_FAILED) || (!v.limited && sched_fault(sc, t, r, &v,
	    TASK_READY))))
		goto out;

	/* A persistent role keeps its session, whatever became of the run. */
	role = config_role(sc->config, r->role != NULL ? r->role : t->role);
	if (role != NULL && role->persistent && r->provider != NULL &&
	    r->agent_session != NULL &&
	    store_role_session_set(sc->store, role->name, r->provider,
	    r->agent_session, &cause) != 0) {
		sched_warn(sc, "#%lld: %s", (long long)id, cause);
		free(cause);
	}

	if (r->state == RUN_STOPPED) {
		xasprintf(&reason, "run %lld was stopped; 'baton retry %lld' "
		    "runs it again", (long long)r->id, (long long)t->id);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
	} else if (sched_run_ok(r, &v)) {
		/* A limit the run got past does not undo its work. */
		sched_succeeded(sc, t, r, &v);
	} else if (v.limited) {
		xasprintf(&reason, "%s %s on run %lld%s%s",
		    r->provider != NULL ? r->provider : "its provider",
		    v.limited == RATELIMIT_AUTH ? "could not authenticate" :
		    "hit a usage limit", (long long)r->id,
		    v.limit_text != NULL ? ": " : "",
		    v.limit_text != NULL ? v.limit_text : "");
		/* A short hold, in case the reset given is already past. */
		sched_update(sc, t, TASK_READY, store_now() + SCHED_LIMIT_HOLD,
		    reason);
	} else {
		/* The real cause first: a tool the CLI was not allowed. */
		denied = run_verdict_reason(&v);
		xasprintf(&why, "%s%s%s%s%s", r->outcome != NULL ? r->outcome :
		    "no exit status", denied != NULL ? "; " : "", denied !=
		    NULL ? denied : "", v.error_text != NULL ? "; " : "",
		    v.error_text != NULL ? v.error_text : "");
		free(denied);
		sched_failed(sc, t, why);
		free(why);
	}
out:
	run_verdict_free(&v);
	run_free(r);
	task_free(t);
}

static void
sched_judge_all(struct sched *sc, int64_t sprint)
{
	int64_t	*ids;
	size_t	 n, i;
	char	*cause = NULL;

	if (store_sched_ended(sc->store, sprint, &ids, &n, &cause) != 0) {
		sched_warn(sc, "%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++)
		sched_judge(sc, ids[i]);
	free(ids);
}

/* "a, b, c" of a merge result's files. */
static char *
sched_files(struct merge_result *mr)
{
	char	*files = NULL, *old;
	size_t	 i;

	for (i = 0; i < mr->nfiles; i++) {
		old = files;
		xasprintf(&files, "%s%s%s", old != NULL ? old : "",
		    old != NULL ? ", " : "", mr->files[i]);
		free(old);
	}
	return (files != NULL ? files : xstrdup("some files"));
}

/*
 * A conflict with main: the task is blocked with its branch as it was and,
 * when conflicts = resolve, a task for its role resolves it in its
 * worktree; the new task and the block are stored together.
 */
static void
sched_conflict(struct sched *sc, struct task *t, struct merge_result *mr)
{
	struct config	*cf = sc->config;
	struct task	*n = NULL;
	u_int		 open = 0, all = 0;
	char		*files, *reason, *title, *body, *cause = NULL;

	files = sched_files(mr);
	free(t->merge_base);
	t->merge_base = NULL;
	if (store_begin(sc->store, &cause) != 0)
		goto fail;
	if (cf->resolve_conflicts && t->kind == TASK_WORK &&
	    store_task_helpers(sc->store, t->id, TASK_RESOLVE, &open,
	    &all) == 0 && open == 0 && all < SCHED_RESOLVE_MAX) {
		xasprintf(&title, "Resolve the conflict of #%lld with main",
		    (long long)t->id);
		xasprintf(&body, "Task #%lld (%s) conflicts with main in %s. "
		    "This worktree, which is that task's, holds its whole "
		    "change on top of main, uncommitted, and each conflict "
		    "between markers (<<<<<<< main, =======, >>>>>>> T%lld). "
		    "Edit those files so that both main's change and the task's "
		    "change are kept, never one side over the other, and remove "
		    "every marker. Do not run git: when you finish, baton "
		    "commits the worktree on the task's branch.", (long long)t->id,
		    t->title, files, (long long)t->id);
		n = sched_new_task(sc, t, TASK_RESOLVE, t->role, title, body,
		    &cause);
		free(body);
		free(title);
		if (n == NULL)
			goto fail;
		xasprintf(&reason, "conflicts with main in %s; its branch is "
		    "kept as it was and #%lld resolves it", files,
		    (long long)n->id);
	} else if (cf->resolve_conflicts && all >= SCHED_RESOLVE_MAX)
		xasprintf(&reason, "conflicts with main in %s; its branch is "
		    "kept as it was; %u resolutions did not settle it, so it "
		    "waits for a person", files, all);
	else
		xasprintf(&reason, "conflicts with main in %s; its branch is "
		    "kept as it was", files);
	sched_set(t, TASK_BLOCKED, 0, reason);
	if (store_task_update_cas(sc->store, t, &cause) != 0 ||
	    store_commit(sc->store, &cause) != 0)
		goto fail;
	sc->did = 1;
	goto out;

fail:
	store_rollback(sc->store);
	sched_warn(sc, "#%lld: %s", (long long)t->id, cause);
	free(cause);
out:
	task_free(n);
	free(files);
}

/* Whether a landing of t was proved good. */
static int
sched_proved(struct sched *sc, struct task *t)
{
	struct merge_proof	**list;
	size_t			  n, i;
	char			 *cause = NULL;
	int			  ok = 0;

	if (store_proof_list(sc->store, t->id, &list, &n, &cause) != 0) {
		free(cause);
		return (0);
	}
	for (i = 0; i < n; i++) {
		if (list[i]->ok)
			ok = 1;
		merge_proof_free(list[i]);
	}
	free(list);
	return (ok);
}

/* What a rebase or a landing answered, for the task. */
static void
sched_merge_outcome(struct sched *sc, struct task *t, struct merge_result *mr)
{
	char	*reason, *files;
	int64_t	 now = store_now();

	files = sched_files(mr);
	switch (mr->result) {
	case MERGE_MERGED:
		sched_landed(sc, t, NULL);
		break;
	case MERGE_CONFLICT:
		sched_conflict(sc, t, mr);
		break;
	case MERGE_DIRTY:
		xasprintf(&reason, "its worktree has uncommitted changes (%s); "
		    "commit or drop them, then 'baton retry %lld'", files,
		    (long long)t->id);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	case MERGE_EMPTY:
		/*
		 * Nothing main lacks, and a good proof on record: it landed,
		 * and baton stopped before it said so.
		 */
		if (sched_proved(sc, t)) {
			sched_landed(sc, t, xstrdup("landed; its proof was "
			    "recorded before baton stopped"));
			break;
		}
		xasprintf(&reason, "its run succeeded but committed nothing: "
		    "there is nothing to land");
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	case MERGE_MOVED:
		/* Main moved since the tests ran: rebase and test again. */
		free(t->merge_base);
		t->merge_base = NULL;
		sched_update(sc, t, TASK_MERGING, 0, xstrdup(mr->message));
		break;
	case MERGE_UNPROVEN:
		xasprintf(&reason, "landed, but the proof that nothing was "
		    "dropped failed: %s; its worktree and branch are kept "
		    "('baton proof %lld')", mr->message, (long long)t->id);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	default:
		/* Held: the queue waits for the user, and says why once. */
		sched_warn(sc, "merge queue held: %s", mr->message);
		if (t->reason == NULL || strcmp(t->reason, mr->message) != 0)
			sched_update(sc, t, TASK_MERGING, 0,
			    xstrdup(mr->message));
		sc->merge_not_before = now + SCHED_MERGE_RETRY / 6;
		break;
	}
	free(files);
}

/* The end of a run's text output, at a line's start, for a prompt. */
static char *
sched_tail(const char *text, size_t max)
{
	const char	*p;
	size_t		 len = strlen(text);

	if (len <= max)
		return (xstrdup(text));
	p = text + len - max;
	while (*p != '\0' && *p != '\n')
		p++;
	return (xstrdup(*p == '\n' ? p + 1 : p));
}

/* The tests failed on the rebased branch: back to the task's role. */
static void
sched_tests_failed(struct sched *sc, struct task *t, struct run *r)
{
	char	*text, *tail, *cause = NULL, *why;

	text = store_run_final_text(sc->store, r->id, &cause);
	free(cause);
	tail = sched_tail(text != NULL ? text : "", SCHED_TEST_OUTPUT);
	sched_judged(sc, r, tail);
	free(t->merge_base);
	t->merge_base = NULL;
	xasprintf(&why, "the tests failed on run %lld (%s)", (long long)r->id,
	    r->outcome != NULL ? r->outcome : "no exit status");
	sched_failed_in(sc, t, TASK_READY, TASK_BLOCKED, why);
	free(why);
	free(tail);
	free(text);
}

/* Run the project's tests in the task's rebased worktree, under the lock. */
static int
sched_start_tests(struct sched *sc, struct task *t, char **cause)
{
	struct worktree_log	 log = { NULL, 0 };
	struct run_spec		 spec;
	struct run		 r;
	const char		*argv[7];
	char			*self;
	int			 rc;

	argv[0] = self = util_self_path();
	argv[1] = "lock";
	argv[2] = "--";
	argv[3] = "sh";
	argv[4] = "-c";
	argv[5] = sc->config->test;
	argv[6] = NULL;
	memset(&spec, 0, sizeof spec);
	spec.role = "tests";
	spec.format = "text";
	spec.purpose = RUN_TEST;
	spec.have_worktree = 1;
	spec.argv = (char *const *)argv;
	rc = run_start(sc->repo, sc->store, t, &spec, &r, &log, cause);
	worktree_log_free(&log);
	if (rc == 0) {
		log_debug("%s: #%lld tests on %s: run %lld", __func__,
		    (long long)t->id, t->merge_base, (long long)r.id);
		sc->did = 1;
	}
	run_clear(&r);
	free(self);
	return (rc);
}

/*
 * Landing t went wrong for a reason outside its work (baton-git failed, the
 * tests could not run): try again after a backoff, and after a few errors
 * in a row block it, so that one task never holds the queue for good.
 * Takes cause; the task is read again, as baton-git may have changed it.
 */
static void
sched_merge_error(struct sched *sc, struct task *t, char *cause)
{
	struct task	*fresh;
	char		*reason, *ignore = NULL;

	if (sc->merge_error_task != t->id) {
		sc->merge_error_task = t->id;
		sc->merge_errors = 0;
	}
	sc->merge_errors++;
	sched_warn(sc, "cannot land #%lld: %s", (long long)t->id, cause);
	if ((fresh = store_task_get(sc->store, t->id, &ignore)) == NULL) {
		free(ignore);
		free(cause);
		return;
	}
	free(fresh->merge_base);
	fresh->merge_base = NULL;
	if (sc->merge_errors >= SCHED_MERGE_ERRORS) {
		xasprintf(&reason, "could not be landed %u times in a row: %s; "
		    "'baton retry %lld' tries again", sc->merge_errors, cause,
		    (long long)t->id);
		sched_update(sc, fresh, TASK_BLOCKED, 0, reason);
		sc->merge_errors = 0;
		free(cause);
	} else {
		sched_update(sc, fresh, TASK_MERGING, 0, cause);
		sc->merge_not_before = store_now() + (int64_t)
		    sc->config->backoff * sc->merge_errors;
	}
	task_free(fresh);
}

/*
 * Land the first task of the merge queue on main. With a test command:
 * rebase its branch onto main and run the tests there first; the queue
 * waits for them, and main moves only if it is still what was tested.
 */
static void
sched_merge(struct sched *sc, int64_t sprint)
{
	struct merge_result	 mr;
	struct task		*t;
	struct run		*last = NULL;
	int64_t			*ids, id, now = store_now();
	size_t			 n, i;
	char			*cause = NULL, *why, *tested, *tip;
	int			 rc;

	if (now < sc->merge_not_before)
		return;
	if (store_sched_tasks(sc->store, sprint, TASK_MERGING, &ids, &n,
	    &cause) != 0) {
		sched_warn(sc, "%s", cause);
		free(cause);
		return;
	}
	/* A task whose tests are under way stays at the head of the queue. */
	t = NULL;
	for (i = 0; i < n; i++) {
		task_free(t);
		if ((t = store_task_get(sc->store, ids[i], &cause)) == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		if (t->merge_base != NULL)
			break;
	}
	if (n != 0 && (t == NULL || t->merge_base == NULL)) {
		task_free(t);
		t = store_task_get(sc->store, ids[0], &cause);
	}
	free(ids);
	if (t == NULL) {
		if (n != 0)
			sched_warn(sc, "%s", cause != NULL ? cause :
			    "task is gone");
		free(cause);
		return;
	}
	/*
	 * No branch and no worktree: baton-git landed it and cleaned up, and
	 * baton stopped before saying so.
	 */
	if (t->branch == NULL && t->worktree == NULL) {
		sched_landed(sc, t, NULL);
		task_free(t);
		return;
	}

	if (sc->config->test != NULL) {
		last = store_run_latest(sc->store, t->id, &cause);
		free(cause);
		cause = NULL;
	}
	if (last != NULL && last->purpose == RUN_TEST && t->merge_base != NULL) {
		/* The queue waits for the tests of its first task. */
		if (!last->log_done)
			goto out;
		/* What the tests left must not be committed by the next run. */
		if (last->answer == NULL) {
			if (gitc_clean(sc->repo, t->id, &mr, &cause) != 0) {
				sched_warn(sc, "#%lld: %s", (long long)t->id,
				    cause);
				free(cause);
				cause = NULL;
			} else
				merge_result_free(&mr);
		}
		if (last->state == RUN_STOPPED) {
			sched_judged(sc, last, NULL);
			xasprintf(&why, "test run %lld was stopped; 'baton retry "
			    "%lld' runs the task again", (long long)last->id,
			    (long long)t->id);
			sched_update(sc, t, TASK_BLOCKED, 0, why);
			goto out;
		}
		if (last->state == RUN_INTERRUPTED || last->exit_status < 0) {
			/* The tests never finished: not the work's fault. */
			sched_judged(sc, last, NULL);
			xasprintf(&cause, "test run %lld was interrupted (%s)",
			    (long long)last->id, last->outcome != NULL ?
			    last->outcome : "no exit status");
			sched_merge_error(sc, t, cause);
			goto out;
		}
		if (last->exit_status != 0) {
			sched_tests_failed(sc, t, last);
			goto out;
		}
		if (last->answer == NULL)
			sched_judged(sc, last, "passed");
		/* merge_base is "BASE TIP": main's tip and the tested tip. */
		tested = xstrdup(t->merge_base);
		tip = strchr(tested, ' ');
		if (tip != NULL)
			*tip++ = '\0';
		if (tip != NULL && *tip == '\0')
			tip = NULL;
		rc = gitc_merge_onto(sc->repo, t->id, tested, tip, &mr,
		    &cause);
		free(tested);
	} else if (sc->config->test != NULL) {
		rc = gitc_rebase(sc->repo, t->id, &mr, &cause);
		/*
		 * Nothing to rebase can mean a landing killed after main moved:
		 * the merge finishes it from its journal, or says empty too.
		 */
		if (rc == 0 && mr.result == MERGE_EMPTY) {
			merge_result_free(&mr);
			rc = gitc_merge(sc->repo, t->id, &mr, &cause);
		}
	} else
		rc = gitc_merge(sc->repo, t->id, &mr, &cause);
	if (rc != 0) {
		sched_merge_error(sc, t, cause);
		goto out;
	}
	sc->merge_errors = 0;
	for (i = 0; i < mr.log.n; i++)
		log_debug("%s: #%lld: %s", __func__, (long long)t->id,
		    mr.log.lines[i]);
	/* baton-git changed the task's branch and worktree: read it again. */
	id = t->id;
	task_free(t);
	if ((t = store_task_get(sc->store, id, &cause)) == NULL) {
		sched_warn(sc, "#%lld: %s", (long long)id, cause != NULL ?
		    cause : "task is gone");
		free(cause);
		merge_result_free(&mr);
		goto out;
	}
	if (mr.result == MERGE_REBASED) {
		/* On main now: the tests say whether it may land. */
		free(t->merge_base);
		xasprintf(&t->merge_base, "%s %s", mr.base, mr.main != NULL ?
		    mr.main : "");
		if (sched_start_tests(sc, t, &cause) != 0) {
			xasprintf(&why, "could not start the tests: %s", cause);
			free(cause);
			free(t->merge_base);
			t->merge_base = NULL;
			sched_merge_error(sc, t, why);
		}
	} else
		sched_merge_outcome(sc, t, &mr);
	merge_result_free(&mr);
out:
	run_free(last);
	task_free(t);
}

/* Is argv[0] something that can be run? */
static int
sched_can_run(const char *cmd)
{
	const char	*path;
	char		*copy, *dir, *last, *full;
	int		 found = 0;

	if (strchr(cmd, '/') != NULL)
		return (access(cmd, X_OK) == 0);
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &last); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &last)) {
		xasprintf(&full, "%s/%s", *dir != '\0' ? dir : ".", cmd);
		found = (access(full, X_OK) == 0);
		free(full);
	}
	free(copy);
	return (found);
}

/*
 * A review that could not start may have left its run recorded (ended,
 * without an answer): it is counted here, so the judge must not count it
 * again.
 */
static void
sched_judge_unstarted(struct sched *sc, struct task *t)
{
	struct run	*r;
	char		*cause = NULL;

	if ((r = store_run_latest(sc->store, t->id, &cause)) == NULL) {
		free(cause);
		return;
	}
	if (r->purpose == RUN_REVIEW && r->log_done && r->answer == NULL)
		sched_judged(sc, r, NULL);
	run_free(r);
}

/* Whether a task has a live run. */
static int
sched_busy(struct sched_load *load, int64_t task)
{
	size_t	i;

	for (i = 0; i < load->nruns; i++) {
		if (load->runs[i]->task_id == task)
			return (1);
	}
	return (0);
}

static u_int
sched_count(struct sched_load *load, const char *role, const char *provider)
{
	size_t	i;
	u_int	n = 0;

	for (i = 0; i < load->nruns; i++) {
		if (role != NULL && (load->runs[i]->role == NULL ||
		    strcmp(load->runs[i]->role, role) != 0))
			continue;
		if (provider != NULL && (load->runs[i]->provider == NULL ||
		    strcmp(load->runs[i]->provider, provider) != 0))
			continue;
		n++;
	}
	return (n);
}

/* Read the checkpoint an earlier attempt left in the worktree. */
static char *
sched_checkpoint_text(const char *path)
{
	char	*text, *cause = NULL;

	if ((text = cmd_read_file(path, &cause)) == NULL)
		free(cause);
	return (text);
}

/*
 * What came back to a task since its last work run: the comments of a
 * review that asked for changes, the output of tests that failed.
 */
static void
sched_feedback(struct sched *sc, struct task *t, char **review, char **tests)
{
	struct answer_verdict	 av;
	struct run		**runs;
	size_t			  n, i;
	char			 *cause = NULL;

	*review = *tests = NULL;
	if (store_run_list_task(sc->store, t->id, &runs, &n, &cause) != 0) {
		free(cause);
		return;
	}
	for (i = n; i > 0; i--) {
		struct run	*r = runs[i - 1];

		if (r->purpose == RUN_WORK)
			break;
		if (r->answer == NULL)
			continue;
		if (r->purpose == RUN_REVIEW && *review == NULL &&
		    answer_verdict(r->answer, &av, &cause) == 0) {
			if (!av.approve)
				*review = xstrdup(av.comments);
			answer_verdict_free(&av);
		} else if (r->purpose == RUN_TEST && *tests == NULL &&
		    r->exit_status != 0)
			*tests = xstrdup(r->answer);
		free(cause);
		cause = NULL;
	}
	run_list_free(runs, n);
}

/* A line per subtask of a plan, for its validation. */
static char *
sched_subtasks_text(struct sched *sc, struct task *t)
{
	struct task	*c;
	int64_t		*ids;
	size_t		 n, i;
	char		*text = xstrdup(""), *old, *cause = NULL;

	if (store_task_children(sc->store, t->target_id, &ids, &n,
	    &cause) != 0) {
		free(cause);
		return (text);
	}
	for (i = 0; i < n; i++) {
		if (ids[i] == t->id ||
		    (c = store_task_get(sc->store, ids[i], &cause)) == NULL) {
			free(cause);
			cause = NULL;
			continue;
		}
		if (c->kind == TASK_WORK) {
			old = text;
			xasprintf(&text, "%s- #%lld [%s, %s] %s%s%s\n", old,
			    (long long)c->id, task_state_name(c->state),
			    c->role, c->title, c->reason != NULL ? ": " : "",
			    c->reason != NULL ? c->reason : "");
			free(old);
		}
		task_free(c);
	}
	free(ids);
	return (text);
}

/* Every attempt at a task, with how it ended, for its lesson. */
static char *
sched_attempts_text(struct sched *sc, int64_t task)
{
	struct run		**runs;
	struct run_verdict	  v;
	size_t			  n, i;
	char			 *text = xstrdup(""), *old, *line, *cause = NULL;

	if (store_run_list_task(sc->store, task, &runs, &n, &cause) != 0) {
		free(cause);
		return (text);
	}
	for (i = 0; i < n; i++) {
		if (store_run_verdict(sc->store, runs[i]->id, &v,
		    &cause) != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		line = prompt_summary(runs[i], &v);
		old = text;
		xasprintf(&text, "%s- %s: %s%s%s\n", old,
		    run_purpose_name(runs[i]->purpose), line,
		    runs[i]->answer != NULL && *runs[i]->answer != '\0' ?
		    " Its answer: " : "", runs[i]->answer != NULL ?
		    runs[i]->answer : "");
		free(old);
		free(line);
		run_verdict_free(&v);
	}
	run_list_free(runs, n);
	return (text);
}

/* A resolution works in the worktree of the task it resolves. */
static int
sched_borrow_worktree(struct sched *sc, struct task *t, char **cause)
{
	struct task	*target;

	if ((target = store_task_get(sc->store, t->target_id,
	    cause)) == NULL) {
		if (*cause == NULL)
			xasprintf(cause, "task #%lld is gone",
			    (long long)t->target_id);
		return (-1);
	}
	if (target->worktree == NULL || target->branch == NULL) {
		xasprintf(cause, "task #%lld has no worktree to resolve in",
		    (long long)target->id);
		task_free(target);
		return (-1);
	}
	free(t->worktree);
	free(t->branch);
	t->worktree = xstrdup(target->worktree);
	t->branch = xstrdup(target->branch);
	task_free(target);
	return (0);
}

/* The prompt of a run: its task's own job, or a review of it. */
static char *
sched_prompt(struct sched *sc, struct task *t, enum run_purpose purpose,
    struct prompt_ctx *pc, char **cause)
{
	struct diffstat	 ds;
	struct run	*last;
	struct run_verdict v;
	char		*prompt, *review = NULL, *tests = NULL, *ignore = NULL;

	if (purpose == RUN_REVIEW) {
		if (gitc_diffstat(sc->repo, t->branch, &ds, cause) != 0)
			return (NULL);
		pc->patch = ds.patch;
		prompt = prompt_review(t, pc);
		diffstat_free(&ds);
		return (prompt);
	}
	switch (t->kind) {
	case TASK_PLAN:
		return (prompt_plan(t, pc));
	case TASK_VALIDATE:
		pc->context = sched_subtasks_text(sc, t);
		prompt = prompt_validate(t, pc);
		free((char *)pc->context);
		return (prompt);
	case TASK_LESSON:
		pc->context = sched_attempts_text(sc, t->target_id);
		prompt = prompt_lesson(t, pc);
		free((char *)pc->context);
		return (prompt);
	case TASK_WORK:
	case TASK_RESOLVE:
		break;
	}
	if ((last = store_run_latest(sc->store, t->id, &ignore)) != NULL &&
	    last->purpose == RUN_WORK &&
	    store_run_verdict(sc->store, last->id, &v, &ignore) == 0) {
		pc->summary = prompt_summary(last, &v);
		run_verdict_free(&v);
	}
	free(ignore);
	run_free(last);
	sched_feedback(sc, t, &review, &tests);
	pc->review = review;
	pc->tests = tests;
	prompt = prompt_build(t, pc);
	free((char *)pc->summary);
	pc->summary = NULL;
	free(review);
	free(tests);
	return (prompt);
}

/* The folder run worked in, from its run.json; NULL if not known. */
static char *
sched_run_cwd(struct sched *sc, int64_t run)
{
	cJSON	*root;
	char	*path, *text, *cwd = NULL, *ignore = NULL;

	path = repo_run_file(sc->repo, run, "run.json");
	text = cmd_read_file(path, &ignore);
	free(path);
	free(ignore);
	if (text == NULL)
		return (NULL);
	if ((root = cJSON_Parse(text)) != NULL) {
		if (cJSON_IsString(cJSON_GetObjectItem(root, "cwd")))
			cwd = xstrdup(cJSON_GetObjectItem(root,
			    "cwd")->valuestring);
		cJSON_Delete(root);
	}
	free(text);
	return (cwd);
}

/*
 * A persistent role's session on p, if it can go on in t's worktree: a CLI
 * that keeps its sessions per folder resumes one only in the folder it was
 * made in. Otherwise NULL, with *history saying where the conversation
 * ended, for the fresh session's prompt.
 */
static char *
sched_role_session(struct sched *sc, struct role *role, struct provider *p,
    struct task *t, char **history)
{
	struct task	*was;
	char		*session, *cwd, *text, *ignore = NULL;
	int64_t		 run;

	*history = NULL;
	if ((session = store_role_session(sc->store, role->name,
	    p->name)) == NULL || !p->folder_sessions)
		return (session);
	run = store_session_run(sc->store, p->name, session);
	cwd = run != 0 ? sched_run_cwd(sc, run) : NULL;
	if (cwd != NULL && t->worktree != NULL &&
	    strcmp(cwd, t->worktree) == 0) {
		free(cwd);
		return (session);
	}
	free(cwd);
	text = run != 0 ? store_run_final_text(sc->store, run, &ignore) : NULL;
	free(ignore);
	ignore = NULL;
	was = NULL;
	if (run != 0) {
		struct run *r = store_run_get(sc->store, run, &ignore);

		if (r != NULL)
			was = store_task_get(sc->store, r->task_id, &ignore);
		run_free(r);
		free(ignore);
	}
	xasprintf(history, "on #%lld (%s): %s", was != NULL ?
	    (long long)was->id : 0LL, was != NULL ? was->title : "?",
	    text != NULL ? text : "(no final answer)");
	log_debug("%s: %s on %s: session %s was made in another folder; a "
	    "fresh one starts", __func__, role->name, p->name, session);
	task_free(was);
	free(text);
	free(session);
	return (NULL);
}

/* Start a run of t on provider p; 0 if started. */
static int
sched_start(struct sched *sc, struct task *t, struct role *role,
    struct provider *p, enum run_purpose purpose, char **cause)
{
	struct worktree_log	 log = { NULL, 0 };
	struct prompt_ctx	 pc;
	struct run_spec		 spec;
	struct merge_result	 mr;
	struct run		 r;
	struct task		*parent = NULL;
	char			*session = NULL, *prompt = NULL, *arg = NULL;
	char			*dir = NULL, *checkpoint = NULL, *path;
	char			**argv = NULL, *ignore = NULL, *history = NULL;
	size_t			 i;
	int			 rc = -1, own = (purpose == RUN_WORK &&
				    (t->kind == TASK_WORK ||
				    t->kind == TASK_RESOLVE));

	if (t->kind == TASK_RESOLVE) {
		if (sched_borrow_worktree(sc, t, cause) != 0)
			return (-1);
		/* baton does the git side; the agent edits files. */
		if (gitc_resolve_prepare(sc->repo, t->target_id, &mr,
		    cause) != 0)
			return (-1);
		merge_result_free(&mr);
	} else if (gitc_worktree_ensure(sc->repo, t, &log, cause) != 0)
		return (-1);
	for (i = 0; i < log.n; i++)
		log_debug("%s: #%lld worktree: %s", __func__,
		    (long long)t->id, log.lines[i]);
	worktree_log_free(&log);

	memset(&pc, 0, sizeof pc);
	pc.role = role->name;
	if (t->parent_id != 0)
		parent = pc.parent = store_task_get(sc->store, t->parent_id,
		    &ignore);
	free(ignore);
	ignore = NULL;
	xasprintf(&dir, "%s/.baton", t->worktree);
	if (util_mkdir_p(dir, 0700, cause) != 0)
		goto out;
	if (own) {
		/* A resolution keeps its notes apart from the task's own. */
		xasprintf(&checkpoint, "%s/%s", dir, t->kind == TASK_RESOLVE ?
		    "resolve-checkpoint.md" : "checkpoint.md");
		pc.checkpoint_path = checkpoint;
		pc.checkpoint_text = sched_checkpoint_text(checkpoint);
	}
	if (store_role_lessons(sc->store, role->name, SCHED_LESSONS,
	    &pc.lessons, &pc.nlessons, &ignore) != 0) {
		log_debug("%s: lessons: %s", __func__, ignore);
		free(ignore);
	}

	/*
	 * Continue the session this task (or this role) was in, if any; a
	 * review is always a session of its own.
	 */
	if (purpose == RUN_WORK && role->persistent)
		session = sched_role_session(sc, role, p, t, &history);
	else if (purpose == RUN_WORK)
		session = store_task_resume_session(sc->store, t->id, p->name);
	if (session != NULL && p->resume == NULL) {
		free(session);
		session = NULL;
	}
	pc.history = history;
	if ((prompt = sched_prompt(sc, t, purpose, &pc, cause)) == NULL)
		goto out;

	/* The prompt is kept in the worktree, where every agent may read it. */
	xasprintf(&path, "%s/%s", dir, purpose == RUN_REVIEW ?
	    "review-prompt.md" : "prompt.md");
	if (util_write_file(path, prompt, strlen(prompt), cause) != 0) {
		free(path);
		goto out;
	}
	if (strlen(prompt) > SCHED_PROMPT_ARG)
		xasprintf(&arg, "Task #%lld is too long for a command line: "
		    "read it from %s and do what it says.", (long long)t->id,
		    path);
	else
		arg = xstrdup(prompt);
	free(path);

	if (provider_argv(p, arg, NULL, session, session != NULL ?
	    PROVIDER_RESUME : purpose == RUN_REVIEW ? PROVIDER_READONLY :
	    PROVIDER_ARGV, &argv,
	    cause) != 0)
		goto out;
	memset(&spec, 0, sizeof spec);
	spec.role = role->name;
	spec.provider = p->name;
	spec.model = p->model;
	spec.format = p->format;
	spec.session = session;
	spec.inbox = (p->stdin_from == PROVIDER_STDIN_INBOX);
	spec.have_worktree = 1;
	spec.purpose = purpose;
	spec.argv = argv;
	spec.prompt = prompt;
	spec.checkpoint = checkpoint;
	spec.env = p->env;
	if (history != NULL) {
		free(t->reason);
		xasprintf(&t->reason, "a fresh session on %s: it keeps its "
		    "sessions per folder, so the %s's conversation goes on as "
		    "a summary in the prompt", p->name, role->name);
	}
	rc = run_start(sc->repo, sc->store, t, &spec, &r, &log, cause);
	worktree_log_free(&log);
	if (rc == 0 && t->kind == TASK_RESOLVE) {
		/* The worktree is borrowed: the resolution never owns it. */
		free(t->worktree);
		free(t->branch);
		t->worktree = t->branch = NULL;
		if (store_task_update_cas(sc->store, t, &ignore) != 0) {
			log_debug("%s: #%lld: %s", __func__, (long long)t->id,
			    ignore);
			free(ignore);
			ignore = NULL;
		}
	}
	if (rc == 0) {
		log_debug("%s: #%lld %s on %s%s%s: run %lld", __func__,
		    (long long)t->id, run_purpose_name(purpose), p->name,
		    session != NULL ? ", resuming " : "", session != NULL ?
		    session : "", (long long)r.id);
		sc->did = 1;
	}
	run_clear(&r);
out:
	provider_argv_free(argv);
	free(session);
	free(history);
	free(arg);
	free(prompt);
	for (i = 0; i < pc.nlessons; i++)
		free(pc.lessons[i]);
	free(pc.lessons);
	free((char *)pc.checkpoint_text);
	free(checkpoint);
	free(dir);
	task_free(parent);
	return (rc);
}

/*
 * Choose the provider for a task of role: the first of the chain that is
 * not limited, can be run and has room. NULL with *until set when every
 * one is limited, with *why set when none can run at all.
 */
static struct provider *
sched_pick(struct sched *sc, struct role *role, struct sched_load *load,
    int64_t now, int64_t *until, char **why)
{
	struct provider	*p;
	int64_t		 limited;
	u_int		 i, nlimited = 0, nmissing = 0;
	char		*missing = NULL, *old;

	*until = 0;
	*why = NULL;
	for (i = 0; i < role->nchain; i++) {
		p = role->chain[i];
		if ((limited = store_provider_limited(sc->store, p->name,
		    now)) != 0) {
			if (*until == 0 || limited < *until)
				*until = limited;
			nlimited++;
			continue;
		}
		if (p->argc == 0 || !sched_can_run(p->argv[0])) {
			old = missing;
			xasprintf(&missing, "%s%s%s (%s)", old != NULL ? old :
			    "", old != NULL ? ", " : "", p->argv[0], p->name);
			free(old);
			nmissing++;
			continue;
		}
		if (p->concurrency != 0 &&
		    sched_count(load, NULL, p->name) >= p->concurrency)
			continue;
		free(missing);
		return (p);
	}
	if (nlimited + nmissing < role->nchain) {
		/* Someone is only busy: wait for room, not for a reset. */
		*until = 0;
		free(missing);
		return (NULL);
	}
	if (nlimited == 0) {
		if (role->nchain == 0)
			xasprintf(why, "role %s has no providers", role->name);
		else
			xasprintf(why, "no provider of role %s can be run: %s "
			    "not found", role->name, missing);
		*until = 0;
	}
	free(missing);
	return (NULL);
}

/* Why each provider of role's chain is held: "p (kind: message), …". */
static char *
sched_held_text(struct sched *sc, struct role *role, int64_t now)
{
	struct provider_hold	*holds;
	size_t			 n, i;
	u_int			 k;
	char			*text = NULL, *old, *cause = NULL;

	if (store_holds(sc->store, now, &holds, &n, &cause) != 0) {
		free(cause);
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < role->nchain; k++) {
			if (strcmp(role->chain[k]->name, holds[i].provider) == 0)
				break;
		}
		if (k == role->nchain)
			continue;
		old = text;
		xasprintf(&text, "%s%s%s (%s%s%s)", old != NULL ? old : "",
		    old != NULL ? "; " : "", holds[i].provider, holds[i].kind,
		    holds[i].message != NULL ? ": " : "", holds[i].message !=
		    NULL ? holds[i].message : "");
		free(old);
	}
	provider_holds_free(holds, n);
	return (text);
}

/* Start runs for ready tasks, by priority, while there is room. */
static void
sched_dispatch(struct sched *sc, int64_t sprint)
{
	struct config		*cf = sc->config;
	struct sched_load	 load;
	struct task		*t;
	struct role		*role;
	struct provider		*p;
	struct task_list	 tl = { NULL, 0 };
	int64_t			*ids, now = store_now(), until;
	size_t			 n, i, k;
	char			*cause = NULL, *why, *reason, *when, *held;
	enum task_state		 states[] = { TASK_READY, TASK_BACKLOG,
				    TASK_WAITING, TASK_REVIEW };
	enum run_purpose	 purpose;

	memset(&load, 0, sizeof load);
	if (store_run_list(sc->store, 1, &load.runs, &load.nruns,
	    &cause) != 0) {
		sched_warn(sc, "%s", cause);
		free(cause);
		return;
	}
	for (k = 0; k < nitems(states); k++) {
		if (store_sched_tasks(sc->store, sprint, states[k], &ids, &n,
		    &cause) != 0) {
			sched_warn(sc, "%s", cause);
			free(cause);
			goto out;
		}
		for (i = 0; i < n; i++) {
			if ((t = store_task_get(sc->store, ids[i],
			    &cause)) == NULL || store_task_load_deps(sc->store,
			    t, &cause) != 0) {
				free(cause);
				cause = NULL;
				task_free(t);
				continue;
			}
			tl.items = xreallocarray(tl.items, tl.count + 1,
			    sizeof *tl.items);
			tl.items[tl.count++] = t;
		}
		free(ids);
	}
	if (tl.count > 1)
		qsort(tl.items, tl.count, sizeof *tl.items, dag_ready_compare);

	for (i = 0; i < tl.count; i++) {
		t = tl.items[i];
		purpose = RUN_WORK;
		if (t->state == TASK_REVIEW) {
			/* A review starts once the work run is judged. */
			if (t->not_before > now || sched_busy(&load, t->id))
				continue;
			if (load.nruns >= cf->concurrency)
				break;
			if ((role = config_role(cf, cf->review_role)) == NULL) {
				sched_warn(sc, "no role '%s' for reviews "
				    "(review_role): #%lld goes to the merge "
				    "queue unreviewed", cf->review_role,
				    (long long)t->id);
				sched_update(sc, t, TASK_MERGING, 0, NULL);
				continue;
			}
			purpose = RUN_REVIEW;
			goto pick;
		}
		if (t->state == TASK_WAITING) {
			if (t->not_before > now)
				continue;
			t->state = TASK_READY;
		}
		if (!task_is_ready(t) || t->not_before > now)
			continue;
		if (load.nruns >= cf->concurrency)
			break;
		if ((role = config_role(cf, t->role)) == NULL) {
			xasprintf(&reason, "no role '%s' in the configuration "
			    "(see 'baton config show')", t->role);
			if (t->reason == NULL || strcmp(t->reason, reason) != 0)
				sched_update(sc, t, TASK_BLOCKED, 0, reason);
			else
				free(reason);
			continue;
		}
pick:
		if (role->concurrency != 0 &&
		    sched_count(&load, role->name, NULL) >= role->concurrency)
			continue;
		p = sched_pick(sc, role, &load, now, &until, &why);
		if (p == NULL && purpose == RUN_REVIEW) {
			/* The task stays in review: it only waits. */
			if (why != NULL || until != 0) {
				when = util_time(until != 0 ? until :
				    now + SCHED_REVIEW_HOLD);
				xasprintf(&reason, "waiting for a review: %s; "
				    "looks again at %s", why != NULL ? why :
				    "every reviewer is limited", when);
				free(when);
				free(why);
				sched_update(sc, t, TASK_REVIEW, until != 0 ?
				    until : now + SCHED_REVIEW_HOLD, reason);
			}
			continue;
		}
		if (p == NULL) {
			if (why != NULL)
				sched_update(sc, t, TASK_BLOCKED, 0, why);
			else if (until != 0) {
				when = util_time(until);
				held = sched_held_text(sc, role, now);
				xasprintf(&reason, "every provider of the %s is "
				    "limited; resumes at %s%s%s", role->name, when,
				    held != NULL ? ": " : "", held != NULL ? held :
				    "");
				free(held);
				free(when);
				sched_update(sc, t, TASK_WAITING, until,
				    reason);
			}
			continue;
		}
		if (sched_start(sc, t, role, p, purpose, &cause) != 0) {
			xasprintf(&why, "could not start on %s: %s", p->name,
			    cause);
			free(cause);
			cause = NULL;
			sched_warn(sc, "#%lld %s", (long long)t->id, why);
			if (purpose == RUN_REVIEW) {
				sched_judge_unstarted(sc, t);
				sched_failed_in(sc, t, TASK_REVIEW,
				    TASK_BLOCKED, why);
			} else
				sched_failed(sc, t, why);
			free(why);
			continue;
		}
		/* Count the new run against the limits of this turn. */
		load.runs = xreallocarray(load.runs, load.nruns + 1,
		    sizeof *load.runs);
		load.runs[load.nruns] = xcalloc(1, sizeof **load.runs);
		load.runs[load.nruns]->task_id = t->id;
		load.runs[load.nruns]->role = xstrdup(role->name);
		load.runs[load.nruns]->provider = xstrdup(p->name);
		load.nruns++;
	}
out:
	task_list_free(&tl);
	run_list_free(load.runs, load.nruns);
}

/* When a run last wrote anything: its logs' change times, or its start. */
static int64_t
sched_last_output(struct sched *sc, struct run *r)
{
	static const char	*files[] = { "stream.jsonl", "stderr.log" };
	struct stat		 sb;
	int64_t			 last = r->started_at;
	char			*path;
	u_int			 i;

	for (i = 0; i < nitems(files); i++) {
		path = repo_run_file(sc->repo, r->id, files[i]);
		if (stat(path, &sb) == 0 && sb.st_mtime > last)
			last = sb.st_mtime;
		free(path);
	}
	return (last);
}

/* Signal a run's agent, the process group the shim made for it. */
static void
sched_signal_run(struct sched *sc, struct run *r, int sig)
{
	char	*path, *text, *ignore = NULL;
	long	 pid;

	path = repo_run_file(sc->repo, r->id, "pid");
	text = cmd_read_file(path, &ignore);
	free(path);
	free(ignore);
	if (text == NULL)
		return;
	pid = strtol(text, NULL, 10);
	free(text);
	if (pid > 1 && kill(-(pid_t)pid, sig) == 0)
		log_debug("%s: run %lld: signal %d to %ld", __func__,
		    (long long)r->id, sig, pid);
}

/*
 * A run silent for longer than its provider's stall time is stuck (a hung
 * CLI or a model endpoint that never answers) and holds a slot for ever:
 * mark it stalled and stop its agent; the judge then retries the task,
 * down the chain when there is more than one provider.
 */
static void
sched_stalls(struct sched *sc)
{
	struct run	**runs;
	struct provider	*p;
	struct stat	 sb;
	size_t		 n, i;
	int64_t		 now = store_now(), silent;
	char		*path, *cause = NULL, text[64];
	int		 fd;

	if (store_run_list(sc->store, 1, &runs, &n, &cause) != 0) {
		sched_warn(sc, "%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < n; i++) {
		if (runs[i]->state != RUN_RUNNING || runs[i]->provider == NULL ||
		    (p = config_provider(sc->config, runs[i]->provider)) ==
		    NULL || p->stall == 0)
			continue;
		path = repo_run_file(sc->repo, runs[i]->id, "stalled");
		if (lstat(path, &sb) == 0) {
			if (now - sb.st_mtime > SCHED_STALL_GRACE)
				sched_signal_run(sc, runs[i], SIGKILL);
			free(path);
			continue;
		}
		silent = now - sched_last_output(sc, runs[i]);
		if (silent <= p->stall) {
			free(path);
			continue;
		}
		fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC,
		    0600);
		free(path);
		if (fd == -1)
			continue;
		snprintf(text, sizeof text, "%lld\n", (long long)silent);
		if (write(fd, text, strlen(text)) < 0)
			log_debug("%s: %s", __func__, strerror(errno));
		close(fd);
		sched_warn(sc, "run %lld of #%lld on %s has written nothing for "
		    "%llds: stopping it as stalled", (long long)runs[i]->id,
		    (long long)runs[i]->task_id, runs[i]->provider,
		    (long long)silent);
		sched_signal_run(sc, runs[i], SIGTERM);
		sc->did = 1;
	}
	run_list_free(runs, n);
}

/*
 * How long a run was silent before it was stopped as stalled, or -1 when
 * it was not.
 */
static int64_t
sched_stalled_for(struct sched *sc, struct run *r)
{
	char	*path, *text, *ignore = NULL;
	int64_t	 silent;

	path = repo_run_file(sc->repo, r->id, "stalled");
	text = cmd_read_file(path, &ignore);
	free(path);
	free(ignore);
	if (text == NULL)
		return (-1);
	silent = strtoll(text, NULL, 10);
	free(text);
	return (silent);
}

/* One turn: judge, merge, dispatch. */
static void
sched_tick(struct sched *sc)
{
	int64_t	sprint;

	if ((sprint = store_sprint_going(sc->store)) == 0)
		return;
	if (sched_config(sc) == NULL)
		return;
	sc->did = 0;
	sched_stalls(sc);
	sched_judge_all(sc, sprint);
	sched_merge(sc, sprint);
	sched_dispatch(sc, sprint);
	if (sc->did && sc->changed != NULL)
		sc->changed(sc->arg);
}

static void
sched_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	sched_tick(arg);
}

/* Something changed (a run ended, a task was added): look soon. */
void
sched_poke(struct sched *sc)
{
	struct timeval	tv = { 0, 100 * 1000 };

	if (sc != NULL && !evtimer_pending(sc->ev_soon, NULL))
		evtimer_add(sc->ev_soon, &tv);
}

struct sched *
sched_new(struct event_base *base, struct repo *repo, struct store *store,
    void (*changed)(void *), void (*warn)(void *, const char *), void *arg)
{
	struct sched	*sc;
	struct timeval	 tv = { SCHED_TICK_SECONDS, 0 };

	sc = xcalloc(1, sizeof *sc);
	sc->base = base;
	sc->repo = repo;
	sc->store = store;
	sc->changed = changed;
	sc->warn = warn;
	sc->arg = arg;
	srandom((u_int)(time(NULL) ^ getpid()));
	sc->ev_tick = event_new(base, -1, EV_PERSIST, sched_tick_cb, sc);
	event_add(sc->ev_tick, &tv);
	sc->ev_soon = evtimer_new(base, sched_tick_cb, sc);
	sched_poke(sc);
	return (sc);
}

void
sched_free(struct sched *sc)
{
	if (sc == NULL)
		return;
	event_free(sc->ev_tick);
	event_free(sc->ev_soon);
	config_free(sc->config);
	free(sc->config_problem);
	free(sc->last_warning);
	free(sc);
}
