/*
 * Integration tests for the control-mode client against the real tmux, each
 * on its own private server (-L baton-test-PID-N, -f /dev/null), which the
 * teardown always kills. The default tmux server is never touched.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "tmux-control.h"

#define MAX_WINDOWS 64

struct t {
	char			 socket[64];
	struct event_base	*base;
	struct tmux_control	*c;
	struct event		*guard;		/* ends a stuck test */
	int			 timed_out;

	/* Replies, in order. */
	int			 nreplies;
	int			 nok, nerror, ntimeout, ndisconnected;
	int			 mismatches;
	char			 last[4096];	/* body of the last reply */

	/* Notifications. */
	int			 nadd, nclose, nexit, nsession_changed;
	long			 added[MAX_WINDOWS];
	long			 closed_ids[MAX_WINDOWS];

	int			 nclosed;
	char			 closed_reason[512];
	int			 nstray;
	char			 stray[256];
	int			 verbose;
	int			 free_in_reply;
};

/* Every socket name used, so an aborted run still cleans up. */
static char	sockets[32][64];
static int	nsockets;

/* Run tmux on the test's server from outside, synchronously. */
static int
outside(const char *socket, ...)
{
	const char	*argv[32];
	va_list		 ap;
	int		 argc = 0, status, fd;
	pid_t		 pid;

	argv[argc++] = "tmux";
	argv[argc++] = "-L";
	argv[argc++] = socket;
	argv[argc++] = "-f";
	argv[argc++] = "/dev/null";
	va_start(ap, socket);
	while (argc < 31 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	pid = fork();
	if (pid == -1)
		return (-1);
	if (pid == 0) {
		unsetenv("TMUX");
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("tmux", (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return (-1);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Kill the server and remove its socket, which kill-server leaves. */
static void
kill_server(const char *socket)
{
	const char	*dir;
	char		 path[512];

	outside(socket, "kill-server", (char *)NULL);
	if ((dir = getenv("TMUX_TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, sizeof path, "%s/tmux-%ld/%s", dir, (long)getuid(),
	    socket);
	unlink(path);
}

static void
kill_all_servers(void)
{
	int	i;

	for (i = 0; i < nsockets; i++)
		kill_server(sockets[i]);
	nsockets = 0;
}

static void
on_log(struct tmux_control *c, const char *msg, void *arg)
{
	struct t	*t = arg;
	const char	*prefix = "< stray line: ";

	if (t->verbose)
		fprintf(stderr, "log: %s\n", msg);
	if (strncmp(msg, prefix, strlen(prefix)) == 0) {
		t->nstray++;
		snprintf(t->stray, sizeof t->stray, "%s", msg + strlen(prefix));
	}
}

static void
on_notify(struct tmux_control *c, const struct tmux_control_notify *n,
    void *arg)
{
	struct t	*t = arg;

	switch (n->type) {
	case TMUX_CONTROL_N_WINDOW_ADD:
		if (t->nadd < MAX_WINDOWS)
			t->added[t->nadd] = n->window;
		t->nadd++;
		break;
	case TMUX_CONTROL_N_WINDOW_CLOSE:
		if (t->nclose < MAX_WINDOWS)
			t->closed_ids[t->nclose] = n->window;
		t->nclose++;
		break;
	case TMUX_CONTROL_N_EXIT:
		t->nexit++;
		break;
	case TMUX_CONTROL_N_SESSION_CHANGED:
		t->nsession_changed++;
		break;
	default:
		break;
	}
}

static void
on_closed(struct tmux_control *c, const char *reason, void *arg)
{
	struct t	*t = arg;

	t->nclosed++;
	snprintf(t->closed_reason, sizeof t->closed_reason, "%s", reason);
	event_base_loopbreak(t->base);
}

static void
on_guard(evutil_socket_t fd, short events, void *arg)
{
	struct t	*t = arg;

	t->timed_out = 1;
	event_base_loopbreak(t->base);
}

static int
setup(void **state)
{
	static int			 n;
	struct t			*t;
	struct tmux_control_config	 config;
	struct tmux_control_callbacks	 cbs;

	t = calloc(1, sizeof *t);
	assert_non_null(t);
	t->verbose = (getenv("TEST_VERBOSE") != NULL);
	snprintf(t->socket, sizeof t->socket, "baton-test-%ld-%d",
	    (long)getpid(), n++);
	if (nsockets < 32)
		snprintf(sockets[nsockets++], sizeof sockets[0], "%s",
		    t->socket);
	t->base = event_base_new();
	assert_non_null(t->base);
	t->guard = evtimer_new(t->base, on_guard, t);

	memset(&config, 0, sizeof config);
	config.socket_name = t->socket;
	config.session = "test";
	config.width = 120;
	config.height = 40;
	memset(&cbs, 0, sizeof cbs);
	cbs.notify = on_notify;
	cbs.closed = on_closed;
	cbs.log = on_log;
	cbs.arg = t;
	t->c = tmux_control_new(t->base, &config, &cbs);
	assert_non_null(t->c);
	*state = t;
	return (0);
}

static int
teardown(void **state)
{
	struct t	*t = *state;

	tmux_control_free(t->c);
	kill_server(t->socket);
	event_free(t->guard);
	event_base_free(t->base);
	free(t);
	return (0);
}

/* Run the loop until cond holds, failing after ms milliseconds. */
#define RUN_UNTIL(t, cond, ms) do {					\
	struct timeval	tv_ = { (ms) / 1000, ((ms) % 1000) * 1000 };	\
	(t)->timed_out = 0;						\
	evtimer_add((t)->guard, &tv_);					\
	while (!(cond) && !(t)->timed_out)				\
		event_base_loop((t)->base, EVLOOP_ONCE);		\
	evtimer_del((t)->guard);					\
	if (!(cond))							\
		fail_msg("timed out waiting for: %s", #cond);		\
} while (0)

static void
start(struct t *t)
{
	char	*cause = NULL;

	if (tmux_control_start(t->c, &cause) != 0)
		fail_msg("start: %s", cause);
	assert_int_equal(tmux_control_state(t->c), TMUX_CONTROL_STARTING);
}

/* One command's expectation and outcome. */
struct expect {
	struct t			*t;
	int				 seq;
	char				 want[128];	/* first line, or "" */
	int				 done;
	enum tmux_control_status	 status;
	char				 body[1024];	/* lines joined by \n */
	const char			*want_big;	/* whole first line */
	int				 big_ok;
};

static void
on_reply(struct tmux_control *c, const struct tmux_control_reply *r,
    void *arg)
{
	struct expect	*e = arg;
	struct t	*t = e->t;
	size_t		 i, off = 0;

	/* Replies must come in send order. */
	if (e->seq != t->nreplies)
		t->mismatches++;
	t->nreplies++;
	e->done = 1;
	e->status = r->status;
	if (e->want_big != NULL && r->nlines == 1 &&
	    r->lines[0].len == strlen(e->want_big) &&
	    memcmp(r->lines[0].data, e->want_big, r->lines[0].len) == 0)
		e->big_ok = 1;
	e->body[0] = '\0';
	for (i = 0; i < r->nlines; i++) {
		off += snprintf(e->body + off, sizeof e->body - off, "%s%s",
		    i == 0 ? "" : "\n", r->lines[i].data);
		if (off >= sizeof e->body)
			break;
	}
	switch (r->status) {
	case TMUX_CONTROL_OK:
		t->nok++;
		if (e->want[0] != '\0' && strcmp(e->body, e->want) != 0) {
			print_error("reply %d: got [%s] want [%s]\n", e->seq,
			    e->body, e->want);
			t->mismatches++;
		}
		break;
	case TMUX_CONTROL_ERROR:
		t->nerror++;
		break;
	case TMUX_CONTROL_TIMEOUT:
		t->ntimeout++;
		break;
	case TMUX_CONTROL_DISCONNECTED:
		t->ndisconnected++;
		break;
	}
	if (t->free_in_reply) {
		tmux_control_free(c);
		t->c = NULL;
	}
}

static struct expect *
expect_new(struct t *t, const char *want)
{
	struct expect	*e;

	e = calloc(1, sizeof *e);
	assert_non_null(e);
	e->t = t;
	e->seq = -1;
	snprintf(e->want, sizeof e->want, "%s", want != NULL ? want : "");
	return (e);
}

/* Send a line; seq is its place in the reply order. */
static struct expect *
send_line(struct t *t, int seq, const char *line, int timeout,
    const char *want)
{
	struct expect	*e = expect_new(t, want);
	char		*cause = NULL;

	e->seq = seq;
	if (tmux_control_send(t->c, line, timeout, on_reply, e, &cause) != 0)
		fail_msg("send [%s]: %s", line, cause);
	return (e);
}

/* Wait until the client is ready and no-output has been set. */
static void
start_ready(struct t *t)
{
	struct expect	*e;

	start(t);
	e = send_line(t, 0, "display -p '#{client_flags}'", 0, NULL);
	RUN_UNTIL(t, e->done, 10000);
	assert_int_equal(e->status, TMUX_CONTROL_OK);
	assert_int_equal(tmux_control_state(t->c), TMUX_CONTROL_READY);
	/* The client set no-output before anything of ours ran. */
	if (strstr(e->body, "no-output") == NULL)
		fail_msg("client flags: %s", e->body);
	assert_non_null(strstr(e->body, "control-mode"));
	free(e);
	t->nreplies = 0;
	t->nok = 0;
}

static int
has_id(const long *ids, int n, long id)
{
	int	i;

	for (i = 0; i < n && i < MAX_WINDOWS; i++) {
		if (ids[i] == id)
			return (1);
	}
	return (0);
}

/*
 * Many display -p commands, with windows created and killed between them
 * (by this client and from outside): every reply matches its command and
 * every window comes and goes in notifications.
 */
static void
test_interleaved(void **state)
{
	struct t	*t = *state;
	struct expect	*e[400], *nw[8];
	char		 line[1200], want[64];
	int		 i, seq = 0, n = 0, k, nwin = 0, adds0;
	long		 ids[8];

	start_ready(t);
	RUN_UNTIL(t, t->nadd >= 1, 5000);	/* the session's first window */
	adds0 = t->nadd;

	for (i = 0; i < 200; i++) {
		if (i % 25 == 10 && nwin < 8) {
			nw[nwin] = send_line(t, seq++,
			    "new-window -d -P -F '#{window_id}' cat", 0, NULL);
			nwin++;
		}
		snprintf(line, sizeof line, "display -p 'n-%d #{session_name}'",
		    i);
		snprintf(want, sizeof want, "n-%d test", i);
		e[n++] = send_line(t, seq++, line, 0, want);
		if (i == 100)
			assert_int_equal(outside(t->socket, "new-window", "-d",
			    "-t", "test", "cat", (char *)NULL), 0);
	}
	RUN_UNTIL(t, t->nreplies == seq, 20000);
	assert_int_equal(t->mismatches, 0);
	assert_int_equal(t->nok, seq);
	for (i = 0; i < n; i++)
		free(e[i]);

	/* Every window we made was announced; now kill them all. */
	RUN_UNTIL(t, t->nadd >= adds0 + nwin + 1, 5000);
	for (k = 0; k < nwin; k++) {
		assert_int_equal(nw[k]->status, TMUX_CONTROL_OK);
		if (tmux_control_parse_id(nw[k]->body, '@', &ids[k]) != 0)
			fail_msg("new-window printed [%s]", nw[k]->body);
		if (!has_id(t->added, t->nadd, ids[k]))
			fail_msg("no %%window-add for %s", nw[k]->body);
		snprintf(line, sizeof line, "kill-window -t %s", nw[k]->body);
		free(nw[k]);
		nw[k] = send_line(t, seq++, line, 0, "");
		e[k] = send_line(t, seq++, "display -p between", 0, "between");
	}
	RUN_UNTIL(t, t->nreplies == seq && t->nclose >= nwin, 10000);
	assert_int_equal(t->mismatches, 0);
	for (k = 0; k < nwin; k++) {
		assert_int_equal(nw[k]->status, TMUX_CONTROL_OK);
		assert_string_equal(e[k]->body, "between");
		if (!has_id(t->closed_ids, t->nclose, ids[k]))
			fail_msg("no %%window-close for @%ld", ids[k]);
		free(nw[k]);
		free(e[k]);
	}
	assert_int_equal(tmux_control_pending(t->c), 0);
}

/* Errors come back as errors, with tmux's message, and keep the order. */
static void
test_errors(void **state)
{
	struct t	*t = *state;
	struct expect	*e[4];
	char		*cause = NULL;

	start_ready(t);
	e[0] = send_line(t, 0, "bogus-command", 0, NULL);
	e[1] = send_line(t, 1, "select-pane -t %99", 0, NULL);
	e[2] = send_line(t, 2, "display -p ok", 0, "ok");
	e[3] = send_line(t, 3, "display -p a b c", 0, NULL);
	RUN_UNTIL(t, t->nreplies == 4, 5000);
	assert_int_equal(t->mismatches, 0);
	assert_int_equal(e[0]->status, TMUX_CONTROL_ERROR);
	assert_string_equal(e[0]->body,
	    "parse error: unknown command: bogus-command");
	assert_int_equal(e[1]->status, TMUX_CONTROL_ERROR);
	assert_string_equal(e[1]->body, "can't find pane: %99");
	assert_int_equal(e[2]->status, TMUX_CONTROL_OK);
	assert_int_equal(e[3]->status, TMUX_CONTROL_ERROR);
	assert_non_null(strstr(e[3]->body, "too many arguments"));
	free(e[0]);
	free(e[1]);
	free(e[2]);
	free(e[3]);

	/* Lines that would put replies out of step are refused. */
	assert_int_equal(tmux_control_send(t->c, "display -p a ; display -p b",
	    0, NULL, NULL, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(tmux_control_send(t->c, "", 0, NULL, NULL, &cause),
	    -1);
	free(cause);
	assert_int_equal(tmux_control_pending(t->c), 0);
}

/*
 * tmux prints the error of load-buffer - on a line of its own after the
 * block (control clients have no stdin to give it): the reply is still
 * matched and the line is logged as stray.
 */
static void
test_stray(void **state)
{
	struct t	*t = *state;
	struct expect	*e[2];

	start_ready(t);
	e[0] = send_line(t, 0, "load-buffer -", 0, NULL);
	e[1] = send_line(t, 1, "display -p next", 0, "next");
	RUN_UNTIL(t, t->nreplies == 2 && t->nstray == 1, 5000);
	assert_int_equal(t->mismatches, 0);
	assert_int_equal(e[1]->status, TMUX_CONTROL_OK);
	assert_string_equal(t->stray, "-: Bad file descriptor");
	free(e[0]);
	free(e[1]);
}

/* Long replies and long command lines go through whole. */
static void
test_large(void **state)
{
	static const char	 pattern[] = "abcdefghij'%;\\\"$~# ";
	struct t		*t = *state;
	struct expect		*e[3];
	const char		*argv[5];
	char			*big, *cause = NULL;
	size_t			 i, n = 64 * 1024;
	int			 lines;

	start_ready(t);
	big = malloc(n + 1);
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = pattern[i % (sizeof pattern - 1)];
	big[n] = '\0';
	argv[0] = "set-option";
	argv[1] = "-g";
	argv[2] = "--";
	argv[3] = "@big";
	argv[4] = big;
	e[0] = expect_new(t, "");
	e[0]->seq = 0;
	if (tmux_control_send_argv(t->c, 5, argv, 0, on_reply, e[0],
	    &cause) != 0)
		fail_msg("send_argv: %s", cause);
	e[1] = expect_new(t, "");
	e[1]->seq = 1;
	e[1]->want_big = big;
	if (tmux_control_send(t->c, "display -p '#{@big}'", 0, on_reply, e[1],
	    &cause) != 0)
		fail_msg("send: %s", cause);
	e[2] = send_line(t, 2, "list-keys", 0, NULL);
	RUN_UNTIL(t, t->nreplies == 3, 10000);
	assert_int_equal(t->mismatches, 0);
	assert_int_equal(e[0]->status, TMUX_CONTROL_OK);
	assert_int_equal(e[1]->status, TMUX_CONTROL_OK);
	assert_true(e[1]->big_ok);
	assert_int_equal(e[2]->status, TMUX_CONTROL_OK);
	lines = 0;
	for (i = 0; e[2]->body[i] != '\0'; i++)
		lines += (e[2]->body[i] == '\n');
	assert_true(lines > 5);
	assert_non_null(strstr(e[2]->body, "bind-key"));
	free(big);
	for (i = 0; i < 3; i++)
		free(e[i]);
}

/* Arguments sent through the quoting helper arrive literally. */
static void
test_quoting(void **state)
{
	static const char *const texts[] = {
		"it's",
		"$HOME ~ \\n \\t",
		"%0:pause",
		"%if",
		"a ; b \\; c",
		"\"double\" 'single'",
		"caf\xc3\xa9 # not a comment",
		"{ braces }",
		"-",
		"x",
	};
	struct t	*t = *state;
	struct expect	*e[sizeof texts / sizeof texts[0]], *set;
	const char	*argv[5];
	char		*cause = NULL;
	size_t		 i, n = sizeof texts / sizeof texts[0];

	start_ready(t);
	for (i = 0; i < n; i++) {
		/*
		 * The option holds the argument as tmux parsed it; a format
		 * prints it without expanding it again (show-buffer would
		 * escape it).
		 */
		argv[0] = "set-option";
		argv[1] = "-g";
		argv[2] = "--";
		argv[3] = "@q";
		argv[4] = texts[i];
		set = expect_new(t, "");
		set->seq = (int)(2 * i);
		if (tmux_control_send_argv(t->c, 5, argv, 0, on_reply, set,
		    &cause) != 0)
			fail_msg("send_argv: %s", cause);
		e[i] = send_line(t, (int)(2 * i + 1), "display -p '#{@q}'", 0,
		    texts[i]);
		RUN_UNTIL(t, e[i]->done, 5000);
		assert_int_equal(set->status, TMUX_CONTROL_OK);
		free(set);
	}
	for (i = 0; i < n; i++) {
		if (e[i]->status != TMUX_CONTROL_OK ||
		    strcmp(e[i]->body, texts[i]) != 0)
			fail_msg("[%s] came back %d [%s]", texts[i],
			    e[i]->status, e[i]->body);
		free(e[i]);
	}
	assert_int_equal(t->mismatches, 0);
}

/* A command that times out is answered once; its late reply is dropped. */
static void
test_timeout(void **state)
{
	struct t	*t = *state;
	struct expect	*e[3];

	start_ready(t);
	/* tmux runs nothing else for this client while run-shell waits. */
	e[0] = send_line(t, 0, "run-shell 'sleep 1'", 0, "");
	e[1] = send_line(t, 1, "display -p late", 200, NULL);
	e[2] = send_line(t, 2, "display -p after", 0, "after");
	RUN_UNTIL(t, e[1]->done, 5000);
	assert_int_equal(e[1]->status, TMUX_CONTROL_TIMEOUT);
	assert_false(e[2]->done);
	RUN_UNTIL(t, e[2]->done, 5000);
	assert_int_equal(e[0]->status, TMUX_CONTROL_OK);
	assert_int_equal(e[2]->status, TMUX_CONTROL_OK);
	assert_string_equal(e[2]->body, "after");
	assert_int_equal(t->nreplies, 3);
	assert_int_equal(t->ntimeout, 1);
	assert_int_equal(t->mismatches, 0);
	assert_int_equal(tmux_control_pending(t->c), 0);
	free(e[0]);
	free(e[1]);
	free(e[2]);
}

/*
 * Killing the server from outside fails the pending commands, reaps the
 * child and reports the disconnect; the client can then start again.
 */
static void
test_kill_server(void **state)
{
	struct t			*t = *state;
	struct expect			*e[6];
	struct tmux_control_backoff	 backoff = { 0 };
	char				*cause = NULL;
	long				 pid;
	int				 i, status;

	start_ready(t);
	pid = tmux_control_pid(t->c);
	assert_true(pid > 0);
	e[0] = send_line(t, 0, "run-shell 'sleep 2'", 0, NULL);
	for (i = 1; i < 6; i++)
		e[i] = send_line(t, i, "display -p never", 0, NULL);
	/* Let the lines reach tmux, then kill the server under them. */
	{
		struct timeval	tv = { 0, 300000 };

		event_base_loopexit(t->base, &tv);
		event_base_dispatch(t->base);
	}
	assert_true(tmux_control_pending(t->c) >= 5);
	assert_int_equal(outside(t->socket, "kill-server", (char *)NULL), 0);

	RUN_UNTIL(t, t->nclosed == 1, 10000);
	assert_int_equal(tmux_control_state(t->c), TMUX_CONTROL_STOPPED);
	assert_int_equal(tmux_control_pending(t->c), 0);
	assert_true(t->ndisconnected >= 5);
	for (i = 1; i < 6; i++)
		assert_int_equal(e[i]->status, TMUX_CONTROL_DISCONNECTED);
	assert_int_equal(t->nexit, 1);
	assert_non_null(strstr(t->closed_reason, "exit"));
	/* The child was reaped: it is no longer our child. */
	assert_int_equal(waitpid((pid_t)pid, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(tmux_control_pid(t->c), -1);
	for (i = 0; i < 6; i++)
		free(e[i]);

	/* Sending now fails at once. */
	assert_int_equal(tmux_control_send(t->c, "display -p x", 0, NULL, NULL,
	    &cause), -1);
	free(cause);

	/*
	 * Reconnect: a new server and session. Straight after kill-server
	 * the old server may still answer with "%exit server exited
	 * unexpectedly", so retry with the backoff helper, as an owner would.
	 */
	for (i = 0; i < 6; i++) {
		struct timeval	tv;
		unsigned int	ms = tmux_control_backoff_next(&backoff);

		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		event_base_loopexit(t->base, &tv);
		event_base_dispatch(t->base);
		t->nclosed = 0;
		start(t);
		RUN_UNTIL(t, t->nclosed == 1 ||
		    tmux_control_state(t->c) == TMUX_CONTROL_READY, 5000);
		if (tmux_control_state(t->c) == TMUX_CONTROL_READY)
			break;
		RUN_UNTIL(t, t->nclosed == 1, 10000);
	}
	assert_int_equal(tmux_control_state(t->c), TMUX_CONTROL_READY);
	e[0] = send_line(t, 0, "display -p back", 0, "back");
	RUN_UNTIL(t, e[0]->done, 5000);
	assert_int_equal(e[0]->status, TMUX_CONTROL_OK);
	free(e[0]);
}

/* Stop detaches; start again attaches to the same session. */
static void
test_stop_restart(void **state)
{
	struct t	*t = *state;
	struct expect	*e, *w, *r;

	start_ready(t);
	w = send_line(t, 0, "new-window -d -P -F '#{window_id}' cat", 0, NULL);
	r = send_line(t, 1, "run-shell 'sleep 2'", -1, NULL);
	e = send_line(t, 2, "display -p never", 0, NULL);
	RUN_UNTIL(t, w->done, 5000);
	tmux_control_stop(t->c);
	assert_int_equal(tmux_control_state(t->c), TMUX_CONTROL_CLOSING);
	assert_true(e->done);
	assert_int_equal(e->status, TMUX_CONTROL_DISCONNECTED);
	RUN_UNTIL(t, t->nclosed == 1, 10000);
	assert_non_null(strstr(t->closed_reason, "stopped"));
	assert_true(r->done);
	free(e);
	free(r);

	/* The server still runs (detaching does not kill it). */
	assert_int_equal(outside(t->socket, "has-session", "-t", "test",
	    (char *)NULL), 0);

	t->nsession_changed = 0;
	t->nadd = 0;
	start_ready(t);
	RUN_UNTIL(t, t->nsession_changed == 1, 5000);
	e = send_line(t, 0, "list-windows -F '#{window_id}\t#{window_index}'",
	    0, NULL);
	RUN_UNTIL(t, e->done, 5000);
	assert_int_equal(e->status, TMUX_CONTROL_OK);
	/* Two windows, tab-separated, the second being ours. */
	{
		char	**f;
		size_t	  nf;
		char	 *nl = strchr(e->body, '\n');

		assert_non_null(nl);
		f = tmux_control_split(nl + 1, strlen(nl + 1), '\t', &nf);
		assert_int_equal(nf, 2);
		assert_string_equal(f[0], w->body);
		tmux_control_split_free(f);
	}
	/* Attaching gives no %window-add for existing windows. */
	assert_int_equal(t->nadd, 0);
	free(e);
	free(w);
}

/* The owner may free the client from inside a callback. */
static void
test_free_in_callback(void **state)
{
	struct t	*t = *state;
	struct expect	*e[3];
	int		 i;

	start_ready(t);
	t->free_in_reply = 1;
	for (i = 0; i < 3; i++)
		e[i] = send_line(t, i, "display -p x", 0, "x");
	RUN_UNTIL(t, t->c == NULL, 5000);
	/* Only the first reply was delivered; the rest were dropped. */
	{
		struct timeval	tv = { 0, 200000 };

		event_base_loopexit(t->base, &tv);
		event_base_dispatch(t->base);
	}
	assert_int_equal(t->nreplies, 1);
	assert_int_equal(t->nclosed, 0);
	for (i = 0; i < 3; i++)
		free(e[i]);
}

/* A tmux binary that cannot run is reported through closed. */
static void
test_bad_binary(void **state)
{
	struct t			*t = *state;
	struct tmux_control_config	 config;
	struct tmux_control_callbacks	 cbs;
	char				*cause = NULL;

	memset(&config, 0, sizeof config);
	config.tmux = "/nonexistent/tmux";
	config.socket_name = t->socket;
	config.session = "test";
	memset(&cbs, 0, sizeof cbs);
	cbs.closed = on_closed;
	cbs.log = on_log;
	cbs.arg = t;
	tmux_control_free(t->c);
	t->c = tmux_control_new(t->base, &config, &cbs);
	if (tmux_control_start(t->c, &cause) != 0)
		fail_msg("start: %s", cause);
	RUN_UNTIL(t, t->nclosed == 1, 10000);
	assert_non_null(strstr(t->closed_reason, "status 127"));
	assert_non_null(strstr(t->closed_reason, "exec failed"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_interleaved, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quoting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_server, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stop_restart, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_in_callback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_binary, setup,
		    teardown),
	};
	int	rc;

	if (system("tmux -V >/dev/null 2>&1") != 0) {
		fprintf(stderr, "tmux not found: skipped\n");
		return (77);
	}
	atexit(kill_all_servers);
	signal(SIGPIPE, SIG_IGN);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	kill_all_servers();
	return (rc);
}
