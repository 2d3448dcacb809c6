/*
 * Ingestion: follow every open run's stream.jsonl and store what it says,
 * exactly once. Each log is consumed by byte offset; the events parsed from
 * a slice of complete lines and the new offset are committed in one
 * transaction, so a baton killed at any instant stores every line once
 * when it starts again. A partial last line waits for its newline, or for
 * the run's end.
 *
 * New bytes are noticed through inotify; a slow timer catches anything a
 * watch missed. Work is done in slices so the loop stays responsive.
 */

#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "baton.h"

/* Bytes one loop turn may store before yielding to other events. */
#define INGEST_SLICE (8 * 1024 * 1024)
/* How often to look again without being told. */
#define INGEST_TIMER_SECONDS 5
/* A run without a window whose starter died is given up after this. */
#define INGEST_START_GRACE 5

struct ingest_run {
	struct run	*run;
	char		*dir;
	int		 fd;		/* stream.jsonl, -1 until it exists */
	int		 wd;		/* inotify watch on the run's folder */
	struct adapter	*adapter;	/* the run's stream format */
};

struct ingest {
	struct event_base	 *base;
	struct repo		 *repo;
	struct store		 *store;
	void			(*changed)(void *);
	void			(*warn)(void *, const char *);
	void			 *arg;
	u_int			  stored;	/* commits that stored something */

	int			  ifd;
	int			  runs_wd;
	struct event		 *ev_inotify;
	struct event		 *ev_timer;
	struct event		 *ev_more;

	struct ingest_run	**runs;
	size_t			  nruns;

	char			 *buf;
	size_t			  bufsize;
};

static void	ingest_step_all(struct ingest *);
static void	ingest_warn(struct ingest *, const char *);
static void	ingest_forget(struct ingest_run *);

/*
 * A format that reports a resumed session's running totals (Codex) is
 * told what the session's earlier runs already stored, once per session.
 */
static void
ingest_seed(struct ingest *ing, struct ingest_run *ir, struct adapter *a,
    const char *session)
{
	struct adapter_usage	 u;
	char			*key;
	int			 known;

	if (!a->ops->cumulative || session == NULL)
		return;
	xasprintf(&key, "seed:%s", session);
	known = adapter_call_find(a, key) != NULL;
	free(key);
	if (known || store_session_usage(ing->store, session, ir->run->id,
	    &u) == 0)
		return;
	log_debug("%s: run %lld: session %s had %lld in, %lld out before",
	    __func__, (long long)ir->run->id, session,
	    (long long)(u.in + u.cache_read + u.cache_write), (long long)u.out);
	adapter_seed_usage(a, session, &u);
}

/*
 * The run's stream parser. When part of the log is already stored (baton
 * was restarted), that part is read through it again without storing
 * anything, so that it knows what it knew: which calls it has seen, which
 * session it is in.
 */
static struct adapter *
ingest_adapter(struct ingest *ing, struct ingest_run *ir)
{
	struct run	*r = ir->run;
	struct adapter	*a;
	struct adapter_event *ev;
	char		*cause = NULL, buf[65536], last = '\n';
	int64_t		 at = 0;
	ssize_t		 n;

	if (ir->adapter != NULL)
		return (ir->adapter);
	if ((a = adapter_new(r->format, &cause)) == NULL) {
		log_debug("%s: run %lld: %s; reading it as text", __func__,
		    (long long)r->id, cause);
		free(cause);
		a = adapter_new("text", &cause);
	}
	adapter_set_model(a, r->model);
	ingest_seed(ing, ir, a, r->agent_session);
	while (ir->fd != -1 && at < r->log_offset) {
		n = pread(ir->fd, buf, r->log_offset - at < (int64_t)sizeof buf ?
		    (size_t)(r->log_offset - at) : sizeof buf, at);
		if (n <= 0)
			break;
		adapter_feed(a, buf, (size_t)n);
		while ((ev = adapter_next(a)) != NULL)
			adapter_event_free(ev);
		at += n;
		last = buf[n - 1];
	}
	/* A last line stored without its newline was stored whole. */
	if (at > 0 && last != '\n')
		adapter_feed(a, "\n", 1);
	while ((ev = adapter_next(a)) != NULL)
		adapter_event_free(ev);
	ir->adapter = a;
	return (a);
}

/*
 * A call's cost by baton's price table, at the prices of the day it was
 * first stored, and the entry that priced it; NULL when the model has no
 * price.
 */
static const double *
ingest_price(struct ingest *ing, struct ingest_run *ir,
    struct adapter_event *ev, int64_t now, double *cost, char **entry,
    int64_t offset, int *seq, char **cause)
{
	const struct price	*p;
	char			*why = NULL;
	int64_t			 at;

	*entry = NULL;
	if ((at = store_call_at(ing->store, ir->run->id, ev->msg_id)) == 0)
		at = now;
	if (price_cost_at(ev->model, &ev->usage, at, cost, &p, &why) == 0) {
		*entry = price_entry_name(p);
		return (cost);
	}
	/* price_cost says why only once per model: keep that warning. */
	if (why != NULL) {
		if (store_event_add(ing->store, ir->run->id, offset, (*seq)++,
		    store_now(), "warning", why, cause) != 0) {
			free(why);
			return (NULL);
		}
		free(why);
	}
	return (NULL);
}

/*
 * Store the events the adapter has parsed, as coming from the line at
 * offset: each in the events table, and calls, sessions and rate limits
 * where they belong.
 */
static int
ingest_drain(struct ingest *ing, struct ingest_run *ir, int64_t offset,
    char **cause)
{
	struct run		*r = ir->run;
	struct adapter_event	*ev;
	const char		*provider;
	const double		*cost_p;
	cJSON			*json;
	double			 cost;
	char			*data, *entry;
	int			 seq = 0, rc = 0;
	int64_t			 now = store_now();

	while (rc == 0 && (ev = adapter_next(ir->adapter)) != NULL) {
		json = adapter_event_to_json(ev);
		data = cJSON_PrintUnformatted(json);
		cJSON_Delete(json);
		rc = store_event_add(ing->store, r->id, offset, seq++, now,
		    adapter_ev_name(ev->kind), data, cause);
		free(data);
		if (rc != 0) {
			adapter_event_free(ev);
			break;
		}
		switch (ev->kind) {
		case ADAPTER_EV_USAGE:
			*cause = NULL;
			cost_p = ingest_price(ing, ir, ev, now, &cost, &entry,
			    offset, &seq, cause);
			if (cost_p == NULL && *cause != NULL) {
				rc = -1;
				break;
			}
			rc = store_call_put(ing->store, r->id, ev->msg_id,
			    ev->model, now, &ev->usage, cost_p, entry,
			    ev->has_cli_cost ? &ev->cli_cost : NULL, cause);
			free(entry);
			break;
		case ADAPTER_EV_SESSION:
			if (ev->session_id == NULL || (r->agent_session !=
			    NULL && strcmp(r->agent_session,
			    ev->session_id) == 0))
				break;
			free(r->agent_session);
			r->agent_session = xstrdup(ev->session_id);
			ingest_seed(ing, ir, ir->adapter, ev->session_id);
			rc = store_run_set_session(ing->store, r->id,
			    ev->session_id, ev->model, cause);
			break;
		case ADAPTER_EV_RATELIMIT:
			if (ev->limit.class != RATELIMIT_LIMIT &&
			    ev->limit.class != RATELIMIT_AUTH)
				break;
			provider = r->provider != NULL ? r->provider :
			    ev->limit.provider;
			rc = store_limit_add(ing->store, provider,
			    ev->limit.class == RATELIMIT_AUTH ? "auth" :
			    ev->limit.kind, r->id, now, ev->limit.reset_at,
			    ev->limit.estimated, ev->text, cause);
			break;
		default:
			break;
		}
		adapter_event_free(ev);
	}
	return (rc);
}

/* Store what one line says. */
static int
ingest_line(struct ingest *ing, struct ingest_run *ir, const char *line,
    size_t len, int64_t offset, char **cause)
{
	struct adapter	*a = ingest_adapter(ing, ir);

	adapter_feed(a, line, len);
	adapter_feed(a, "\n", 1);
	return (ingest_drain(ing, ir, offset, cause));
}

/* How the shim said the agent ended, into the run. */
static void
ingest_read_exit(struct ingest *ing, struct ingest_run *ir)
{
	struct run	*r = ir->run;
	char		*path, *text, *cause = NULL, word[32];
	int		 value = 0;

	path = repo_run_file(ing->repo, r->id, "exit");
	text = cmd_read_file(path, &cause);
	free(path);
	free(cause);
	free(r->outcome);
	r->outcome = NULL;
	if (text == NULL || sscanf(text, "%31s %d", word, &value) != 2) {
		r->state = RUN_INTERRUPTED;
		r->outcome = xstrdup("interrupted: the run left no exit status");
	} else if (strcmp(word, "exited") == 0) {
		r->exit_status = value;
		xasprintf(&r->outcome, "exited %d", value);
		if (r->state != RUN_STOPPED)
			r->state = RUN_EXITED;
	} else if (strcmp(word, "killed") == 0) {
		r->exit_status = 128 + value;
		xasprintf(&r->outcome, "killed by signal %d", value);
		if (r->state != RUN_STOPPED)
			r->state = RUN_EXITED;
	} else if (strcmp(word, "interrupted") == 0) {
		r->state = RUN_INTERRUPTED;
		r->outcome = xstrdup("interrupted: its tmux pane closed");
	} else {
		r->state = RUN_INTERRUPTED;
		r->outcome = xstrdup("interrupted: the agent could not start");
	}
	/* baton stop leaves a file before it signals the agent. */
	path = repo_run_file(ing->repo, r->id, "stopped");
	if (access(path, F_OK) == 0)
		r->state = RUN_STOPPED;
	free(path);
	if (r->state == RUN_STOPPED) {
		free(r->outcome);
		r->outcome = xstrdup("stopped");
	}
	free(text);
}

static int
ingest_has_exit(struct ingest *ing, struct ingest_run *ir)
{
	char		*path;
	struct stat	 sb;
	int		 found;

	path = repo_run_file(ing->repo, ir->run->id, "exit");
	found = (stat(path, &sb) == 0);
	free(path);
	return (found);
}

static void
ingest_open_log(struct ingest_run *ir)
{
	if (ir->fd == -1 && ir->run->log_path != NULL)
		ir->fd = open(ir->run->log_path, O_RDONLY|O_CLOEXEC);
}

/*
 * Store the complete lines between the run's offset and the end of its log,
 * up to budget bytes. With final set, a last line without its newline is
 * stored too. Returns 1 if complete lines are left, 0 if not, -1 on error.
 */
static int
ingest_run_step(struct ingest *ing, struct ingest_run *ir, size_t budget,
    int final, char **cause)
{
	struct run	*r = ir->run;
	struct stat	 sb;
	size_t		 want, got, used, line_len;
	ssize_t		 n;
	int64_t		 start, size;
	char		*p, *nl;

	ingest_open_log(ir);
	if (ir->fd == -1)
		return (0);
	if (fstat(ir->fd, &sb) != 0) {
		xasprintf(cause, "%s: %s", r->log_path, strerror(errno));
		return (-1);
	}
	size = sb.st_size;
	if (size < r->log_offset) {
		xasprintf(cause, "%s shrank below what is stored (%lld < %lld)",
		    r->log_path, (long long)size, (long long)r->log_offset);
		return (-1);
	}
	while (r->log_offset < size && budget > 0) {
		/* Read enough to hold at least one whole line. */
		want = (size_t)(size - r->log_offset);
		if (want > ing->bufsize)
			want = ing->bufsize;
		for (;;) {
			got = 0;
			while (got < want) {
				n = pread(ir->fd, ing->buf + got, want - got,
				    r->log_offset + got);
				if (n == -1 && errno == EINTR)
					continue;
				if (n <= 0)
					break;
				got += n;
			}
			if (memchr(ing->buf, '\n', got) != NULL ||
			    r->log_offset + (int64_t)got >= size)
				break;
			/* One line longer than the buffer: grow it. */
			ing->bufsize *= 2;
			ing->buf = xrealloc(ing->buf, ing->bufsize);
			want = (size_t)(size - r->log_offset);
			if (want > ing->bufsize)
				want = ing->bufsize;
		}
		if ((nl = memrchr(ing->buf, '\n', got)) != NULL)
			used = nl - ing->buf + 1;
		else if (final && r->log_offset + (int64_t)got >= size)
			used = got;
		else
			return (0);	/* a partial line: wait for the rest */

		start = r->log_offset;
		if (store_begin(ing->store, cause) != 0)
			return (-1);
		for (p = ing->buf; p < ing->buf + used; p += line_len + 1) {
			nl = memchr(p, '\n', ing->buf + used - p);
			line_len = (nl != NULL ? nl : ing->buf + used) - p;
			if (line_len == 0)
				continue;
			if (ingest_line(ing, ir, p, line_len,
			    start + (p - ing->buf), cause) != 0) {
				store_rollback(ing->store);
				ingest_forget(ir);
				return (-1);
			}
		}
		if (store_run_set_offset(ing->store, r->id, start,
		    start + (int64_t)used, cause) != 0 ||
		    store_commit(ing->store, cause) != 0) {
			store_rollback(ing->store);
			ingest_forget(ir);
			return (-1);
		}
		r->log_offset = start + (int64_t)used;
		ing->stored++;
		budget = used >= budget ? 0 : budget - used;
	}
	return (r->log_offset < size ? 1 : 0);
}

/*
 * Take in what other processes changed about the run since it was loaded
 * (baton start fills in the window, baton stop the state); only the log
 * offset is ingestion's own.
 */
static int
ingest_reload(struct ingest *ing, struct ingest_run *ir, char **cause)
{
	struct run	*fresh;
	int64_t		 offset = ir->run->log_offset;

	if ((fresh = store_run_get(ing->store, ir->run->id, cause)) == NULL) {
		if (*cause == NULL)
			xasprintf(cause, "run %lld is gone from the store",
			    (long long)ir->run->id);
		return (-1);
	}
	fresh->log_offset = offset;
	run_free(ir->run);
	ir->run = fresh;
	return (0);
}

/*
 * A transaction was rolled back: the adapter has seen lines the store has
 * not, so drop it; it is rebuilt from the stored part when next needed.
 */
static void
ingest_forget(struct ingest_run *ir)
{
	adapter_free(ir->adapter);
	ir->adapter = NULL;
}

/* How much of the end of a run's stderr.log explains its exit. */
#define INGEST_STDERR_TAIL 8192

/* The end of the run's stderr.log, or NULL when it has none. */
static char *
ingest_stderr_tail(struct ingest *ing, struct ingest_run *ir)
{
	struct stat	 sb;
	char		*path, *buf = NULL;
	off_t		 from;
	ssize_t		 n;
	int		 fd;

	path = repo_run_file(ing->repo, ir->run->id, "stderr.log");
	fd = open(path, O_RDONLY|O_CLOEXEC);
	free(path);
	if (fd == -1)
		return (NULL);
	if (fstat(fd, &sb) == 0 && sb.st_size > 0) {
		from = sb.st_size > INGEST_STDERR_TAIL ?
		    sb.st_size - INGEST_STDERR_TAIL : 0;
		buf = xmalloc(INGEST_STDERR_TAIL + 1);
		if ((n = pread(fd, buf, INGEST_STDERR_TAIL, from)) <= 0) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			/* A NUL in it ends the text there; that is enough. */
		}
	}
	close(fd);
	return (buf);
}

/* The run is over: store the rest of its log and how it ended, together. */
static int
ingest_finish(struct ingest *ing, struct ingest_run *ir, const char *why,
    char **cause)
{
	struct run	*r = ir->run;
	char		*stderr_text;
	int		 rc;

	while ((rc = ingest_run_step(ing, ir, SIZE_MAX, 1, cause)) == 1)
		;
	if (rc == -1)
		return (-1);
	if (store_begin(ing->store, cause) != 0)
		return (-1);
	if (ingest_reload(ing, ir, cause) != 0) {
		store_rollback(ing->store);
		return (-1);
	}
	r = ir->run;
	if (why == NULL)
		ingest_read_exit(ing, ir);
	else {
		r->state = RUN_INTERRUPTED;
		free(r->outcome);
		xasprintf(&r->outcome, "interrupted: %s", why);
	}
	r->log_done = 1;
	if (r->ended_at == 0)
		r->ended_at = store_now();

	/*
	 * A stream with no final event is closed out from the exit status,
	 * unless an earlier try stored that already.
	 */
	stderr_text = ingest_stderr_tail(ing, ir);
	adapter_set_stderr(ingest_adapter(ing, ir), stderr_text);
	free(stderr_text);
	adapter_finish(ingest_adapter(ing, ir), r->exit_status);
	if (store_event_exists(ing->store, r->id, r->log_offset)) {
		struct adapter_event	*ev;

		while ((ev = adapter_next(ir->adapter)) != NULL)
			adapter_event_free(ev);
	} else if (ingest_drain(ing, ir, r->log_offset, cause) != 0) {
		store_rollback(ing->store);
		ingest_forget(ir);
		return (-1);
	}
	if (store_run_update(ing->store, r, cause) != 0 ||
	    store_commit(ing->store, cause) != 0) {
		store_rollback(ing->store);
		ingest_forget(ir);
		return (-1);
	}
	ing->stored++;
	log_debug("%s: run %lld done: %s", __func__, (long long)r->id,
	    r->outcome);
	return (0);
}

static void
ingest_run_free(struct ingest *ing, struct ingest_run *ir)
{
	if (ir->wd != -1)
		inotify_rm_watch(ing->ifd, ir->wd);
	if (ir->fd != -1)
		close(ir->fd);
	adapter_free(ir->adapter);
	run_free(ir->run);
	free(ir->dir);
	free(ir);
}

/* Drop runs whose logs are all stored. */
static void
ingest_prune(struct ingest *ing)
{
	size_t	i, n;

	for (i = n = 0; i < ing->nruns; i++) {
		if (ing->runs[i]->run->log_done)
			ingest_run_free(ing, ing->runs[i]);
		else
			ing->runs[n++] = ing->runs[i];
	}
	ing->nruns = n;
}

/* Catch up one run; finish it when the agent is gone. */
static int
ingest_run(struct ingest *ing, struct ingest_run *ir, size_t budget,
    char **cause)
{
	int	more;

	if (ir->run->log_done)
		return (0);
	more = ingest_run_step(ing, ir, budget, 0, cause);
	if (more == 0 && ingest_has_exit(ing, ir))
		return (ingest_finish(ing, ir, NULL, cause));
	return (more);
}

/* Follow every run the store says is open. */
int
ingest_refresh(struct ingest *ing, char **cause)
{
	struct run		**list;
	struct ingest_run	 *ir;
	size_t			  n, i, j;

	if (store_run_list(ing->store, 1, &list, &n, cause) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ing->nruns; j++) {
			if (ing->runs[j]->run->id == list[i]->id)
				break;
		}
		if (j < ing->nruns) {
			run_free(list[i]);
			continue;
		}
		ir = xcalloc(1, sizeof *ir);
		ir->run = list[i];
		ir->fd = -1;
		ir->dir = repo_run_dir(ing->repo, ir->run->id);
		ir->wd = inotify_add_watch(ing->ifd, ir->dir,
		    IN_MODIFY|IN_MOVED_TO|IN_CREATE|IN_CLOSE_WRITE);
		ing->runs = xreallocarray(ing->runs, ing->nruns + 1,
		    sizeof *ing->runs);
		ing->runs[ing->nruns++] = ir;
		log_debug("%s: following run %lld from offset %lld", __func__,
		    (long long)ir->run->id, (long long)ir->run->log_offset);
	}
	free(list);
	return (0);
}

/* Store everything every open run has written so far. */
int
ingest_catch_up(struct ingest *ing, char **cause)
{
	size_t	i;
	int	rc;

	for (i = 0; i < ing->nruns; i++) {
		while ((rc = ingest_run(ing, ing->runs[i], SIZE_MAX,
		    cause)) == 1)
			;
		/* Say what is wrong with this run and go on with the rest. */
		if (rc == -1) {
			ingest_warn(ing, *cause);
			free(*cause);
			*cause = NULL;
		}
	}
	ingest_prune(ing);
	return (0);
}

size_t
ingest_open_runs(struct ingest *ing)
{
	return (ing->nruns);
}

/* The pid in one of the run's files (pid, starter); -1 without the file. */
static long
ingest_run_pid(struct ingest *ing, struct ingest_run *ir, const char *name)
{
	char	*path, *text, *cause = NULL;
	long	 pid;

	path = repo_run_file(ing->repo, ir->run->id, name);
	text = cmd_read_file(path, &cause);
	free(path);
	free(cause);
	if (text == NULL)
		return (-1);
	pid = strtol(text, NULL, 10);
	free(text);
	return (pid);
}

/* Is the agent's process group, from the shim's pid file, still there? */
static int
ingest_agent_alive(struct ingest *ing, struct ingest_run *ir)
{
	long	pid = ingest_run_pid(ing, ir, "pid");

	return (pid > 1 && util_pgrp_alive((pid_t)pid));
}

/*
 * Is the process that is starting the run still there? Without a starter
 * file yet, the run is still being started.
 */
static int
ingest_starter_alive(struct ingest *ing, struct ingest_run *ir)
{
	long	pid = ingest_run_pid(ing, ir, "starter");

	return (pid == -1 || util_pid_alive((pid_t)pid));
}

/*
 * Runs whose pane is gone without leaving an exit status were interrupted:
 * the window was killed, or the whole tmux server went away. An agent
 * whose process group outlived its pane is still running: it keeps its run
 * (and baton stop can end it) until the group is gone.
 */
int
ingest_check_panes(struct ingest *ing, char **cause)
{
	static const char	*argv[] = { "list-panes", "-a", "-F",
	    "#{pane_id}", NULL };
	struct ingest_run	*ir;
	char			*out = NULL, *tmux_cause = NULL, *word;
	const char		*why;
	size_t			 i, len;
	int			 server = 1;
	u_int			 stored = ing->stored;
	int64_t			 age;

	if (ing->nruns == 0)
		return (0);
	/* baton start may have given runs their window since they were read. */
	for (i = 0; i < ing->nruns; i++) {
		if (!ing->runs[i]->run->log_done &&
		    ingest_reload(ing, ing->runs[i], cause) != 0)
			return (-1);
	}
	if (tmux_command(ing->repo, argv, &out, &tmux_cause) != 0) {
		free(tmux_cause);
		/* A server that answers but cannot list proves nothing. */
		if ((server = tmux_server_running(ing->repo)))
			return (0);
		out = xstrdup("");
	}
	for (i = 0; i < ing->nruns; i++) {
		ir = ing->runs[i];
		if (ir->run->log_done)
			continue;
		if (ingest_has_exit(ing, ir))
			why = NULL;
		else if (ingest_agent_alive(ing, ir))
			continue;
		else if (ir->run->tmux_pane == NULL) {
			/*
			 * Still being started, unless it has been too long or
			 * the process starting it is gone (after a grace for
			 * a window made just before it died to start its shim).
			 */
			age = store_now() - ir->run->started_at;
			if (age < INGEST_START_GRACE || (age < 60 &&
			    ingest_starter_alive(ing, ir)))
				continue;
			why = "it never got a tmux window";
		} else if (!server)
			why = "the tmux server went away";
		else {
			word = strstr(out, ir->run->tmux_pane);
			len = strlen(ir->run->tmux_pane);
			if (word != NULL && (word == out || word[-1] == '\n') &&
			    (word[len] == '\n' || word[len] == '\0'))
				continue;
			why = "its tmux window was closed";
		}
		/* The shim may have written its exit status meanwhile. */
		if (ingest_has_exit(ing, ir))
			why = NULL;
		if (ingest_finish(ing, ir, why, cause) != 0) {
			free(out);
			return (-1);
		}
	}
	free(out);
	ingest_prune(ing);
	if (ing->stored != stored && ing->changed != NULL)
		ing->changed(ing->arg);
	return (0);
}

/* Say what went wrong: on stderr, or wherever the owner shows messages. */
static void
ingest_warn(struct ingest *ing, const char *msg)
{
	log_debug("ingest: %s", msg);
	if (ing->warn != NULL)
		ing->warn(ing->arg, msg);
	else
		fprintf(stderr, "baton: %s\n", msg);
}


/* One loop turn's worth of work on every run. */
static void
ingest_step_all(struct ingest *ing)
{
	char	*cause = NULL;
	size_t	 i, budget = INGEST_SLICE;
	int	 more = 0, rc;
	u_int	 stored = ing->stored;

	for (i = 0; i < ing->nruns; i++) {
		rc = ingest_run(ing, ing->runs[i], budget / ing->nruns + 1,
		    &cause);
		if (rc == -1) {
			ingest_warn(ing, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (rc == 1)
			more = 1;
	}
	ingest_prune(ing);
	if (more)
		event_active(ing->ev_more, EV_TIMEOUT, 0);
	if (ing->stored != stored && ing->changed != NULL)
		ing->changed(ing->arg);
}

static void
ingest_inotify_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ingest		*ing = arg;
	char			 buf[8192];
	ssize_t			 n;
	char			*cause = NULL;
	int			 refresh = 0;
	const struct inotify_event *ev;
	char			*p;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->wd == ing->runs_wd)
				refresh = 1;
		}
	}
	if (refresh && ingest_refresh(ing, &cause) != 0) {
		ingest_warn(ing, cause);
		free(cause);
	}
	ingest_step_all(ing);
}

static void
ingest_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct ingest	*ing = arg;
	char		*cause = NULL;
	size_t		 i;

	if (ingest_refresh(ing, &cause) != 0) {
		ingest_warn(ing, cause);
		free(cause);
		cause = NULL;
	}
	ingest_step_all(ing);

	/* A run still without a window: see soon whether it ever gets one. */
	for (i = 0; i < ing->nruns; i++) {
		if (!ing->runs[i]->run->log_done &&
		    ing->runs[i]->run->tmux_pane == NULL)
			break;
	}
	if (i < ing->nruns && ingest_check_panes(ing, &cause) != 0) {
		ingest_warn(ing, cause);
		free(cause);
	}
}

static void
ingest_more_cb(evutil_socket_t fd, short events, void *arg)
{
	ingest_step_all(arg);
}

struct ingest *
ingest_new(struct event_base *base, struct repo *repo, struct store *store,
    void (*changed)(void *), void (*warn)(void *, const char *), void *arg)
{
	struct ingest	*ing;
	struct timeval	 tv = { INGEST_TIMER_SECONDS, 0 };
	char		*runs;

	ing = xcalloc(1, sizeof *ing);
	ing->base = base;
	ing->repo = repo;
	ing->store = store;
	ing->changed = changed;
	ing->warn = warn;
	ing->arg = arg;
	ing->bufsize = 1024 * 1024;
	ing->buf = xmalloc(ing->bufsize);
	{
		char	*cause = NULL;

		if (price_load_user(&cause) != 0) {
			ingest_warn(ing, cause);
			free(cause);
		}
	}

	if ((ing->ifd = inotify_init1(IN_NONBLOCK|IN_CLOEXEC)) == -1)
		fatal("inotify_init1");
	xasprintf(&runs, "%s/runs", repo->dir);
	ing->runs_wd = inotify_add_watch(ing->ifd, runs, IN_CREATE);
	free(runs);
	ing->ev_inotify = event_new(base, ing->ifd, EV_READ|EV_PERSIST,
	    ingest_inotify_cb, ing);
	event_add(ing->ev_inotify, NULL);
	ing->ev_timer = event_new(base, -1, EV_PERSIST, ingest_timer_cb, ing);
	event_add(ing->ev_timer, &tv);
	ing->ev_more = event_new(base, -1, 0, ingest_more_cb, ing);
	return (ing);
}

void
ingest_free(struct ingest *ing)
{
	size_t	i;

	if (ing == NULL)
		return;
	for (i = 0; i < ing->nruns; i++)
		ingest_run_free(ing, ing->runs[i]);
	free(ing->runs);
	event_free(ing->ev_inotify);
	event_free(ing->ev_timer);
	event_free(ing->ev_more);
	close(ing->ifd);
	free(ing->buf);
	free(ing);
}
