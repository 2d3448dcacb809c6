/*
 * The scheduler: what turns a sprint into runs. 'baton run' and the UI
 * both run it, in the runtime's loop, and it works only while the open
 * sprint is going ('baton go'); paused, baton changes nothing by itself.
 *
 * Each turn, in order:
 *
 *   judge     a task still running whose latest run is stored to its end
 *             gets its outcome: success goes to the merge queue; a usage
 *             limit or an authentication failure leaves the task ready
 *             (the provider is limited now, so dispatch picks the next
 *             one in the role's chain); any other failure is retried
 *             after an exponential backoff with jitter, until the retry
 *             limit fails the task with the reason
 *   merge     the first task in the merge queue lands on main, one at a
 *             time
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

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	int			 did;			/* changed something */
};

/* Counts of live runs, for the concurrency limits. */
struct sched_load {
	u_int		 total;
	struct run	**runs;
	size_t		 nruns;
};

static void	sched_tick(struct sched *);

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

/* Write a task back with what the scheduler decided. */
static int
sched_update(struct sched *sc, struct task *t, enum task_state state,
    int64_t not_before, char *reason)
{
	char	*cause = NULL;

	t->state = state;
	t->not_before = not_before;
	free(t->reason);
	t->reason = reason;
	if (store_begin(sc->store, &cause) != 0 ||
	    store_task_update(sc->store, t, &cause) != 0 ||
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

/* A failed attempt: retry after a backoff, or fail the task for good. */
static void
sched_failed(struct sched *sc, struct task *t, const char *why)
{
	struct config	*cf = sc->config;
	char		*reason;
	int64_t		 delay;

	t->failures++;
	if (t->failures > cf->retries) {
		xasprintf(&reason, "failed after %u attempt%s: %s",
		    t->failures, t->failures == 1 ? "" : "s", why);
		sched_update(sc, t, TASK_FAILED, 0, reason);
		return;
	}
	delay = sched_backoff(cf, t->failures);
	xasprintf(&reason, "attempt %u failed (%s); retrying in %llds",
	    t->failures, why, (long long)delay);
	sched_update(sc, t, TASK_READY, store_now() + delay, reason);
}

/* Decide what a task's finished run means for it. */
static void
sched_judge(struct sched *sc, int64_t id)
{
	struct task		*t;
	struct run		*r;
	struct run_verdict	 v;
	struct role		*role;
	char			*cause = NULL, *reason, *why;

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
	} else if (r->exit_status == 0 && v.has_final && !v.final_error) {
		/* A limit the run got past does not undo its work. */
		sched_update(sc, t, TASK_MERGING, 0, NULL);
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
		if (v.error_text != NULL)
			xasprintf(&why, "%s; %s", r->outcome != NULL ?
			    r->outcome : "no exit status", v.error_text);
		else
			why = xstrdup(r->outcome != NULL ? r->outcome :
			    "no exit status");
		sched_failed(sc, t, why);
		free(why);
	}
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

/* Land the first task of the merge queue on main. */
static void
sched_merge(struct sched *sc, int64_t sprint)
{
	struct merge_result	 mr;
	struct task		*t;
	int64_t			*ids, id, now = store_now();
	size_t			 n, i;
	char			*cause = NULL, *reason, *files = NULL;

	if (now < sc->merge_not_before)
		return;
	if (store_sched_tasks(sc->store, sprint, TASK_MERGING, &ids, &n,
	    &cause) != 0) {
		sched_warn(sc, "%s", cause);
		free(cause);
		return;
	}
	if (n == 0) {
		free(ids);
		return;
	}
	t = store_task_get(sc->store, ids[0], &cause);
	free(ids);
	if (t == NULL) {
		sched_warn(sc, "%s", cause != NULL ? cause : "task is gone");
		free(cause);
		return;
	}
	/*
	 * No branch and no worktree: baton-git landed it and cleaned up, and
	 * baton stopped before saying so.
	 */
	if (t->branch == NULL && t->worktree == NULL) {
		sched_update(sc, t, TASK_DONE, 0, NULL);
		task_free(t);
		return;
	}
	if (gitc_merge(sc->repo, t->id, &mr, &cause) != 0) {
		sched_warn(sc, "cannot land #%lld: %s", (long long)t->id,
		    cause);
		sched_update(sc, t, TASK_MERGING, 0, cause);
		sc->merge_not_before = now + SCHED_MERGE_RETRY;
		task_free(t);
		return;
	}
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
		return;
	}
	for (i = 0; i < mr.nfiles; i++) {
		reason = files;
		xasprintf(&files, "%s%s%s", reason != NULL ? reason : "",
		    reason != NULL ? ", " : "", mr.files[i]);
		free(reason);
	}
	switch (mr.result) {
	case MERGE_MERGED:
		sched_update(sc, t, TASK_DONE, 0, NULL);
		break;
	case MERGE_CONFLICT:
		xasprintf(&reason, "conflicts with main in %s; its branch is "
		    "kept as it was", files != NULL ? files : "some files");
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	case MERGE_DIRTY:
		xasprintf(&reason, "its worktree has uncommitted changes (%s); "
		    "commit or drop them, then 'baton retry %lld'",
		    files != NULL ? files : "?", (long long)t->id);
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	case MERGE_EMPTY:
		xasprintf(&reason, "its run succeeded but committed nothing: "
		    "there is nothing to land");
		sched_update(sc, t, TASK_BLOCKED, 0, reason);
		break;
	default:
		/* Held: the queue waits for the user, and says why once. */
		sched_warn(sc, "merge queue held: %s", mr.message);
		if (t->reason == NULL || strcmp(t->reason, mr.message) != 0)
			sched_update(sc, t, TASK_MERGING, 0,
			    xstrdup(mr.message));
		sc->merge_not_before = now + SCHED_MERGE_RETRY / 6;
		break;
	}
	free(files);
	merge_result_free(&mr);
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

/* Start a run of t on provider p; 0 if started. */
static int
sched_start(struct sched *sc, struct task *t, struct role *role,
    struct provider *p, char **cause)
{
	struct worktree_log	 log = { NULL, 0 };
	struct prompt_ctx	 pc;
	struct run_spec		 spec;
	struct run		 r, *last = NULL;
	struct run_verdict	 v;
	struct task		*parent = NULL;
	char			*session, *prompt, *arg, *dir = NULL;
	char			*checkpoint = NULL, *summary = NULL, *path;
	char			**argv = NULL, *ignore = NULL;
	size_t			 i;
	int			 rc = -1;

	if (gitc_worktree_ensure(sc->repo, t, &log, cause) != 0)
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
	if ((last = store_run_latest(sc->store, t->id, &ignore)) != NULL &&
	    store_run_verdict(sc->store, last->id, &v, &ignore) == 0) {
		summary = prompt_summary(last, &v);
		run_verdict_free(&v);
	}
	free(ignore);
	ignore = NULL;
	pc.summary = summary;
	xasprintf(&dir, "%s/.baton", t->worktree);
	if (util_mkdir_p(dir, 0700, cause) != 0)
		goto out;
	xasprintf(&checkpoint, "%s/checkpoint.md", dir);
	pc.checkpoint_path = checkpoint;
	pc.checkpoint_text = sched_checkpoint_text(checkpoint);
	if (store_role_lessons(sc->store, role->name, SCHED_LESSONS,
	    &pc.lessons, &pc.nlessons, &ignore) != 0) {
		log_debug("%s: lessons: %s", __func__, ignore);
		free(ignore);
	}
	prompt = prompt_build(t, &pc);

	/* The prompt is kept in the worktree, where every agent may read it. */
	xasprintf(&path, "%s/prompt.md", dir);
	if (util_write_file(path, prompt, strlen(prompt), cause) != 0) {
		free(path);
		free(prompt);
		goto out;
	}
	if (strlen(prompt) > SCHED_PROMPT_ARG)
		xasprintf(&arg, "Task #%lld is too long for a command line: "
		    "read it from %s and do what it says.", (long long)t->id,
		    path);
	else
		arg = xstrdup(prompt);
	free(path);

	/* Continue the session this task (or this role) was in, if any. */
	if (role->persistent)
		session = store_role_session(sc->store, role->name, p->name);
	else
		session = store_task_resume_session(sc->store, t->id, p->name);
	if (session != NULL && p->resume == NULL) {
		free(session);
		session = NULL;
	}
	if (provider_argv(p, arg, NULL, session, session != NULL, &argv,
	    cause) != 0) {
		free(session);
		free(arg);
		free(prompt);
		goto out;
	}
	memset(&spec, 0, sizeof spec);
	spec.role = role->name;
	spec.provider = p->name;
	spec.model = p->model;
	spec.format = p->format;
	spec.session = session;
	spec.inbox = (p->stdin_from == PROVIDER_STDIN_INBOX);
	spec.have_worktree = 1;
	spec.argv = argv;
	spec.prompt = prompt;
	spec.checkpoint = checkpoint;
	spec.env = p->env;
	rc = run_start(sc->repo, sc->store, t, &spec, &r, &log, cause);
	worktree_log_free(&log);
	if (rc == 0) {
		log_debug("%s: #%lld on %s%s%s: run %lld", __func__,
		    (long long)t->id, p->name, session != NULL ?
		    ", resuming " : "", session != NULL ? session : "",
		    (long long)r.id);
		sc->did = 1;
	}
	run_clear(&r);
	provider_argv_free(argv);
	free(session);
	free(arg);
	free(prompt);
out:
	for (i = 0; i < pc.nlessons; i++)
		free(pc.lessons[i]);
	free(pc.lessons);
	free((char *)pc.checkpoint_text);
	free(checkpoint);
	free(summary);
	free(dir);
	run_free(last);
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
	char			*cause = NULL, *why, *reason, *when;
	enum task_state		 states[] = { TASK_READY, TASK_BACKLOG,
				    TASK_WAITING };

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
		if (role->concurrency != 0 &&
		    sched_count(&load, role->name, NULL) >= role->concurrency)
			continue;
		p = sched_pick(sc, role, &load, now, &until, &why);
		if (p == NULL) {
			if (why != NULL)
				sched_update(sc, t, TASK_BLOCKED, 0, why);
			else if (until != 0) {
				when = util_time(until);
				xasprintf(&reason, "every provider of the %s is "
				    "limited; resumes at %s", role->name, when);
				free(when);
				sched_update(sc, t, TASK_WAITING, until,
				    reason);
			}
			continue;
		}
		if (sched_start(sc, t, role, p, &cause) != 0) {
			xasprintf(&why, "could not start on %s: %s", p->name,
			    cause);
			free(cause);
			cause = NULL;
			sched_warn(sc, "#%lld %s", (long long)t->id, why);
			sched_failed(sc, t, why);
			free(why);
			continue;
		}
		/* Count the new run against the limits of this turn. */
		load.runs = xreallocarray(load.runs, load.nruns + 1,
		    sizeof *load.runs);
		load.runs[load.nruns] = xcalloc(1, sizeof **load.runs);
		load.runs[load.nruns]->role = xstrdup(role->name);
		load.runs[load.nruns]->provider = xstrdup(p->name);
		load.nruns++;
	}
out:
	task_list_free(&tl);
	run_list_free(load.runs, load.nruns);
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
