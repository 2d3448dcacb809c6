/*
 * run: baton without its screen. It follows every run's log into the
 * store until SIGINT or SIGTERM, which stop baton and leave the agents
 * running in tmux. One such process per repository holds run.lock.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "baton.h"

static int	cmd_run_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.alias = NULL,
	.usage = "[--go] [--once]",
	.doc = "Work the sprint without the screen until interrupted: follow "
	    "every run's log into the store and, while the sprint is going, "
	    "dispatch, judge and land its tasks; --go sets it going first, "
	    "--once catches up and exits. Agents keep running either way.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_run_exec,
};

struct run_loop {
	struct event_base	*base;
	struct runtime		*runtime;
	struct cmd_ctx		*ctx;
};

static void
run_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct run_loop	*loop = arg;

	log_debug("%s: signal %d", __func__, (int)sig);
	event_base_loopbreak(loop->base);
}

static int
cmd_run_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run_loop	 loop;
	struct event	*ev_int, *ev_term;
	char		*cause = NULL;
	int		 once = 0, go = 0, lock, i;
	size_t		 n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = 1;
		else if (strcmp(argv[i], "--go") == 0)
			go = 1;
		else
			return (cmd_usage_error(&cmd_run_entry, "unexpected "
			    "argument: %s", argv[i]));
	}
	if ((lock = runtime_lock(ctx->repo, 1, &cause)) == -1)
		return (cmd_fail(ctx, cause));
	if (go && sched_set_going(ctx->store, 1, &cause) != 0) {
		close(lock);
		return (cmd_fail(ctx, cause));
	}
	signal(SIGPIPE, SIG_IGN);

	memset(&loop, 0, sizeof loop);
	loop.ctx = ctx;
	if ((loop.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	loop.runtime = runtime_new(loop.base, ctx->repo, ctx->store, NULL,
	    NULL, NULL, &cause);
	if (loop.runtime == NULL) {
		event_base_free(loop.base);
		close(lock);
		return (cmd_fail(ctx, cause));
	}
	if (once) {
		runtime_free(loop.runtime);
		event_base_free(loop.base);
		close(lock);
		return (BATON_EXIT_OK);
	}

	ev_int = evsignal_new(loop.base, SIGINT, run_signal_cb, &loop);
	ev_term = evsignal_new(loop.base, SIGTERM, run_signal_cb, &loop);
	event_add(ev_int, NULL);
	event_add(ev_term, NULL);
	n = ingest_open_runs(runtime_ingest(loop.runtime));
	fprintf(stderr, "baton: following %zu open run%s%s; agents keep "
	    "running when this stops\n", n, n == 1 ? "" : "s",
	    store_sprint_going(ctx->store) != 0 ? " and working the sprint" :
	    " (the sprint is paused: 'baton go' to work it)");
	event_base_dispatch(loop.base);

	event_free(ev_term);
	event_free(ev_int);
	runtime_free(loop.runtime);
	event_base_free(loop.base);
	close(lock);
	return (BATON_EXIT_OK);
}
