/*
 * The runtime: what `baton run` and the UI share in one libevent loop. It
 * ingests run logs and keeps one long-lived tmux control client on baton's
 * server, with no-output set: the data path is the run logs, and tmux says
 * when windows close or the server goes. When the client is lost it is
 * reconnected with backoff; if the server itself is gone, the runs that
 * were in it are marked interrupted.
 *
 * Nothing here waits on tmux: notification callbacks only schedule work.
 */

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "baton.h"
#include "tmux-control.h"

/* Without tmux telling us, look at the panes this often anyway. */
#define RUNTIME_SLOW_CHECK_SECONDS 60
/* Tries, a tenth of a second apart, to take run.lock from a dying holder. */
#define RUNTIME_LOCK_TRIES 30

struct runtime {
	struct event_base		*base;
	struct repo			*repo;
	struct store			*store;
	struct ingest			*ingest;
	struct sched			*sched;
	void				(*changed)(void *);
	void				(*warn)(void *, const char *);
	void				*arg;

	struct tmux_control		*tmux;
	struct tmux_control_backoff	 backoff;
	struct event			*ev_connect;	/* reconnect timer */
	struct event			*ev_check;	/* check panes soon */
	struct event			*ev_slow;	/* fallback timer */
	char				*socket_name;
	char				*config_file;
};

static void	runtime_connect(struct runtime *);
static void	runtime_connect_later(struct runtime *);
static void	runtime_check_soon(struct runtime *);
static void	runtime_warn(void *, const char *);

static void
runtime_changed(void *arg)
{
	struct runtime	*rt = arg;

	/* New output may come from a server we are not watching yet. */
	if ((rt->tmux == NULL || tmux_control_state(rt->tmux) ==
	    TMUX_CONTROL_STOPPED) && !evtimer_pending(rt->ev_connect, NULL))
		runtime_connect_later(rt);
	/* A run may have ended: the scheduler judges it and fills the slot. */
	sched_poke(rt->sched);
	if (rt->changed != NULL)
		rt->changed(rt->arg);
}

static void
runtime_sched_changed(void *arg)
{
	struct runtime	*rt = arg;

	/* New runs are followed at once, and tmux watched if it just started. */
	char		*cause = NULL;

	if (ingest_refresh(rt->ingest, &cause) != 0) {
		runtime_warn(rt, cause);
		free(cause);
	}
	runtime_check_soon(rt);
	if (rt->changed != NULL)
		rt->changed(rt->arg);
}

/* Problems go to the owner's message line, or to stderr. */
static void
runtime_warn(void *arg, const char *msg)
{
	struct runtime	*rt = arg;
	char		*safe;

	log_debug("runtime: %s", msg);
	if (rt->warn != NULL)
		rt->warn(rt->arg, msg);
	else {
		/* Messages may quote agents and titles: nothing may drive the tty. */
		safe = util_vis(msg, 0);
		fprintf(stderr, "baton: %s\n", safe);
		free(safe);
	}
}

/* Look at the panes on the next loop turn (several requests become one). */
static void
runtime_check_soon(struct runtime *rt)
{
	struct timeval	tv = { 0, 0 };

	evtimer_add(rt->ev_check, &tv);
}

static void
runtime_check_cb(evutil_socket_t fd, short events, void *arg)
{
	struct runtime	*rt = arg;
	char		*cause = NULL;

	if (ingest_check_panes(rt->ingest, &cause) != 0) {
		runtime_warn(rt, cause);
		free(cause);
	}
	/* A run may have started a server we are not connected to yet. */
	if ((rt->tmux == NULL || tmux_control_state(rt->tmux) ==
	    TMUX_CONTROL_STOPPED) && !evtimer_pending(rt->ev_connect, NULL))
		runtime_connect_later(rt);
}

static void
runtime_notify_cb(struct tmux_control *c, const struct tmux_control_notify *n,
    void *arg)
{
	struct runtime	*rt = arg;

	/* Hearing from tmux means the connection works. */
	tmux_control_backoff_reset(&rt->backoff);
	switch (n->type) {
	case TMUX_CONTROL_N_WINDOW_CLOSE:
	case TMUX_CONTROL_N_SESSIONS_CHANGED:
		runtime_check_soon(rt);
		break;
	default:
		break;
	}
}

/* Connect again after the backoff's next delay, not at once. */
static void
runtime_connect_later(struct runtime *rt)
{
	struct timeval	 tv;
	u_int		 ms;

	ms = tmux_control_backoff_next(&rt->backoff);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(rt->ev_connect, &tv);
}

static void
runtime_closed_cb(struct tmux_control *c, const char *reason, void *arg)
{
	struct runtime	*rt = arg;

	log_debug("%s: control client closed: %s", __func__,
	    reason != NULL ? reason : "");
	/* Whether the server is gone or only the client, the panes say. */
	runtime_check_soon(rt);
	if (tmux_server_running(rt->repo))
		runtime_connect_later(rt);
}

static void
runtime_log_cb(struct tmux_control *c, const char *line, void *arg)
{
	log_debug("tmux: %s", line);
}

/* Connect to baton's tmux server, if there is one. */
static void
runtime_connect(struct runtime *rt)
{
	struct tmux_control_config	 cf;
	struct tmux_control_callbacks	 cb;
	char				*cause = NULL;

	if (rt->tmux != NULL &&
	    tmux_control_state(rt->tmux) != TMUX_CONTROL_STOPPED)
		return;
	if (!tmux_server_running(rt->repo))
		return;
	if (rt->tmux == NULL) {
		memset(&cf, 0, sizeof cf);
		cf.socket_name = rt->socket_name;
		cf.config_file = rt->config_file;
		cf.session = "baton";
		cf.attach_only = 1;
		memset(&cb, 0, sizeof cb);
		cb.notify = runtime_notify_cb;
		cb.closed = runtime_closed_cb;
		cb.log = log_debug_enabled() ? runtime_log_cb : NULL;
		cb.arg = rt;
		rt->tmux = tmux_control_new(rt->base, &cf, &cb);
	}
	if (tmux_control_start(rt->tmux, &cause) != 0) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
		return;
	}
	log_debug("%s: connecting to %s", __func__, rt->socket_name);
}

static void
runtime_connect_cb(evutil_socket_t fd, short events, void *arg)
{
	runtime_connect(arg);
}

/*
 * One process per repository stores runs' output and watches tmux: take
 * .baton/run.lock, or say who holds it. The lock goes with the process;
 * with wait (baton run, which has nothing to do without it), a holder that
 * is just going away (a baton killed a moment ago) is given a few seconds
 * to let go. The screen does not wait: without the lock it only shows.
 */
int
runtime_lock(struct repo *repo, int wait, char **cause)
{
	char	*path, pid[32];
	int	 fd, tries = wait ? RUNTIME_LOCK_TRIES : 1;
	ssize_t	 n;

	xasprintf(&path, "%s/run.lock", repo->dir);
	fd = open(path, O_RDWR|O_CREAT|O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	while (flock(fd, LOCK_EX|LOCK_NB) != 0 && --tries > 0)
		usleep(100 * 1000);
	if (tries == 0) {
		n = pread(fd, pid, sizeof pid - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		xasprintf(cause, "another baton is already running for this "
		    "repository (pid %s)", *pid != '\0' ? pid : "unknown");
		close(fd);
		free(path);
		return (-1);
	}
	if (ftruncate(fd, 0) == 0) {
		n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
		if (pwrite(fd, pid, n, 0) != n)
			log_debug("%s: cannot write %s", __func__, path);
	}
	free(path);
	return (fd);
}

/* Start ingesting and watching tmux; catch up with what happened meanwhile. */
struct runtime *
runtime_new(struct event_base *base, struct repo *repo, struct store *store,
    void (*changed)(void *), void (*warn)(void *, const char *), void *arg,
    char **cause)
{
	struct runtime	*rt;
	struct timeval	 tv = { RUNTIME_SLOW_CHECK_SECONDS, 0 };

	rt = xcalloc(1, sizeof *rt);
	rt->base = base;
	rt->repo = repo;
	rt->store = store;
	rt->changed = changed;
	rt->warn = warn;
	rt->arg = arg;
	rt->socket_name = tmux_socket_name(repo);
	xasprintf(&rt->config_file, "%s/tmux.conf", repo->dir);
	rt->ingest = ingest_new(base, repo, store, runtime_changed, runtime_warn,
	    rt);
	rt->ev_connect = evtimer_new(base, runtime_connect_cb, rt);
	rt->ev_check = evtimer_new(base, runtime_check_cb, rt);
	rt->ev_slow = event_new(base, -1, EV_PERSIST, runtime_check_cb, rt);
	event_add(rt->ev_slow, &tv);

	if (tmux_write_config(repo, cause) != 0 ||
	    ingest_refresh(rt->ingest, cause) != 0 ||
	    ingest_catch_up(rt->ingest, cause) != 0 ||
	    ingest_check_panes(rt->ingest, cause) != 0) {
		runtime_free(rt);
		return (NULL);
	}
	runtime_connect(rt);
	rt->sched = sched_new(base, repo, store, runtime_sched_changed,
	    runtime_warn, rt);
	return (rt);
}

/* A run was started: follow it and make sure tmux is watched. */
void
runtime_run_started(struct runtime *rt)
{
	runtime_check_soon(rt);
}

int
runtime_connected(struct runtime *rt)
{
	return (rt->tmux != NULL &&
	    tmux_control_state(rt->tmux) == TMUX_CONTROL_READY);
}

struct ingest *
runtime_ingest(struct runtime *rt)
{
	return (rt->ingest);
}

void
runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	sched_free(rt->sched);
	if (rt->tmux != NULL)
		tmux_control_free(rt->tmux);
	event_free(rt->ev_connect);
	event_free(rt->ev_check);
	event_free(rt->ev_slow);
	ingest_free(rt->ingest);
	free(rt->socket_name);
	free(rt->config_file);
	free(rt);
}
