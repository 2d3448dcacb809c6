/*
 * A tmux control-mode client: one long-lived "tmux -C" process on a libevent
 * bufferevent.
 *
 * tmux is started with fork and exec, never through a shell, on a private
 * server (-L) with a chosen config file (-f), with TMUX removed from its
 * environment so that it never nests inside a tmux the program itself runs
 * in. Its stdin and stdout are one end of a socketpair; its stderr is a pipe
 * whose lines are logged and kept for the disconnect reason.
 *
 * Commands go one per line. tmux answers each with a %begin/%end block whose
 * flags are 1, in the order they were sent, so replies are matched to a
 * FIFO of pending commands. Blocks with flags 0 (tmux's own argv command,
 * hooks) do not pop it. Lines that would print no block (empty lines, which
 * also detach, and comments) or more than one (a ; list, whose tail tmux
 * drops after a runtime error, cmdq_remove_group in cmd-queue.c) are refused
 * before they are sent, so the FIFO cannot drift. A command that times out
 * is answered with TMUX_CONTROL_TIMEOUT at once, but stays in the FIFO so
 * that its late reply is recognised and dropped.
 *
 * Commands given before tmux's argv command (new-session -A) has finished
 * are held back until its flags 0 block closes.
 *
 * On %exit, EOF or tmux_control_stop every pending command fails with
 * TMUX_CONTROL_DISCONNECTED; once the socket has reached EOF and the child
 * is reaped (polled without blocking, killed if it lingers) the owner hears
 * "closed" and may start again, for example after tmux_control_backoff_next
 * milliseconds.
 *
 * Callbacks may free the client or send more commands; a free during a
 * callback is put off until the callback returns.
 */

#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tmux-control.h"

extern char **environ;

/* How often a closing client polls for its child, and when it gives up. */
#define TMUX_CONTROL_REAP_MS 20
#define TMUX_CONTROL_REAP_TERM (3000 / TMUX_CONTROL_REAP_MS)
#define TMUX_CONTROL_REAP_KILL (5000 / TMUX_CONTROL_REAP_MS)

#define TMUX_CONTROL_DEFAULT_TIMEOUT 5000
#define TMUX_CONTROL_DEFAULT_WIDTH 200
#define TMUX_CONTROL_DEFAULT_HEIGHT 50

struct tmux_control_cmd {
	struct tmux_control		*client;
	char				*line;
	tmux_control_reply_cb		 cb;
	void				*arg;
	struct event			*timer;
	int				 sent;
	int				 abandoned;	/* timed out */
	TAILQ_ENTRY(tmux_control_cmd)	 entry;
};
TAILQ_HEAD(tmux_control_cmds, tmux_control_cmd);

struct tmux_control {
	struct event_base		*base;
	char				*tmux;
	char				*socket_name;
	char				*config_file;
	char				*session;
	unsigned int			 width;
	unsigned int			 height;
	int				 timeout_ms;
	int				 output;
	int				 attach_only;
	struct tmux_control_callbacks	 cbs;

	enum tmux_control_state		 state;
	pid_t				 pid;
	int				 status;	/* from waitpid */
	struct bufferevent		*bev;		/* tmux stdin/stdout */
	struct bufferevent		*errbev;	/* tmux stderr */
	struct tmux_control_parser	*parser;
	struct tmux_control_cmds	 pending;
	size_t				 npending;

	struct event			*reap_timer;
	unsigned int			 reap_ticks;
	int				 got_eof;
	int				 reaped;
	char				*reason;	/* why it is closing */
	char				*last_stderr;

	int				 refs;		/* callbacks running */
	int				 dead;		/* freed during a callback */
};

static void	tmux_control_closing(struct tmux_control *, const char *);
static void	tmux_control_err_drain(struct tmux_control *);
static void	tmux_control_destroy(struct tmux_control *);

static void __attribute__((format(printf, 2, 3)))
tmux_control_log(struct tmux_control *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (c->cbs.log == NULL || c->dead)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		fprintf(stderr, "tmux-control: out of memory\n");
		abort();
	}
	c->cbs.log(c, msg, c->cbs.arg);
	free(msg);
}

/* Hold the client while calling out, so a free in a callback waits. */
static void
tmux_control_ref(struct tmux_control *c)
{
	c->refs++;
}

static void
tmux_control_unref(struct tmux_control *c)
{
	if (--c->refs == 0 && c->dead)
		tmux_control_destroy(c);
}

static void
tmux_control_replace(char **s, const char *value)
{
	free(*s);
	*s = (value == NULL) ? NULL : tmux_control_xstrdup(value);
}

struct tmux_control *
tmux_control_new(struct event_base *base,
    const struct tmux_control_config *config,
    const struct tmux_control_callbacks *cbs)
{
	struct tmux_control	*c;

	if (config->socket_name == NULL || *config->socket_name == '\0' ||
	    config->session == NULL || *config->session == '\0')
		return (NULL);

	c = tmux_control_xcalloc(1, sizeof *c);
	c->base = base;
	c->tmux = tmux_control_xstrdup(config->tmux != NULL ?
	    config->tmux : "tmux");
	c->socket_name = tmux_control_xstrdup(config->socket_name);
	c->config_file = tmux_control_xstrdup(config->config_file != NULL ?
	    config->config_file : "/dev/null");
	c->session = tmux_control_xstrdup(config->session);
	c->width = config->width != 0 ? config->width :
	    TMUX_CONTROL_DEFAULT_WIDTH;
	c->height = config->height != 0 ? config->height :
	    TMUX_CONTROL_DEFAULT_HEIGHT;
	if (config->timeout_ms == 0)
		c->timeout_ms = TMUX_CONTROL_DEFAULT_TIMEOUT;
	else
		c->timeout_ms = config->timeout_ms;
	c->output = config->output;
	c->attach_only = config->attach_only;
	if (cbs != NULL)
		c->cbs = *cbs;
	c->state = TMUX_CONTROL_STOPPED;
	c->pid = -1;
	TAILQ_INIT(&c->pending);
	return (c);
}

enum tmux_control_state
tmux_control_state(const struct tmux_control *c)
{
	return (c->state);
}

long
tmux_control_pid(const struct tmux_control *c)
{
	return (c->pid);
}

size_t
tmux_control_pending(const struct tmux_control *c)
{
	return (c->npending);
}

static void
tmux_control_cmd_free(struct tmux_control_cmd *cmd)
{
	if (cmd->timer != NULL)
		event_free(cmd->timer);
	free(cmd->line);
	free(cmd);
}

/* Answer a command, unless it already timed out. */
static void
tmux_control_answer(struct tmux_control *c, struct tmux_control_cmd *cmd,
    enum tmux_control_status status, const struct tmux_control_line *lines,
    size_t nlines)
{
	struct tmux_control_reply	reply;

	if (cmd->abandoned || cmd->cb == NULL || c->dead)
		return;
	memset(&reply, 0, sizeof reply);
	reply.status = status;
	reply.command = cmd->line;
	reply.lines = lines;
	reply.nlines = nlines;
	cmd->cb(c, &reply, cmd->arg);
}

/* Fail every pending command; the owner hears of each one still waiting. */
static void
tmux_control_fail_pending(struct tmux_control *c)
{
	struct tmux_control_cmd	*cmd;

	while ((cmd = TAILQ_FIRST(&c->pending)) != NULL) {
		TAILQ_REMOVE(&c->pending, cmd, entry);
		c->npending--;
		tmux_control_answer(c, cmd, TMUX_CONTROL_DISCONNECTED, NULL,
		    0);
		tmux_control_cmd_free(cmd);
	}
}

/* Write the commands that were held back while tmux started. */
static void
tmux_control_flush(struct tmux_control *c)
{
	struct tmux_control_cmd	*cmd;

	if (c->state != TMUX_CONTROL_READY || c->bev == NULL)
		return;
	TAILQ_FOREACH(cmd, &c->pending, entry) {
		if (cmd->sent)
			continue;
		tmux_control_log(c, "> %s", cmd->line);
		bufferevent_write(c->bev, cmd->line, strlen(cmd->line));
		bufferevent_write(c->bev, "\n", 1);
		cmd->sent = 1;
	}
}

/* A block closed: a reply to the oldest pending command, or unsolicited. */
static void
tmux_control_block(struct tmux_control *c, const struct tmux_control_event *ev)
{
	const struct tmux_control_block	*b = &ev->block;
	struct tmux_control_cmd		*cmd;

	tmux_control_log(c, "< block %llu %llu %llu: %zu lines, %s",
	    b->time, b->number, b->flags, b->nlines, b->error ? "error" : "ok");
	if (!b->solicited) {
		if (b->error && b->nlines != 0)
			tmux_control_log(c, "tmux: %s", b->lines[0].data);
		if (c->state == TMUX_CONTROL_STARTING) {
			c->state = TMUX_CONTROL_READY;
			tmux_control_flush(c);
		}
		return;
	}

	cmd = TAILQ_FIRST(&c->pending);
	if (cmd == NULL || !cmd->sent) {
		tmux_control_log(c, "reply with no command waiting");
		return;
	}
	TAILQ_REMOVE(&c->pending, cmd, entry);
	c->npending--;
	if (cmd->abandoned)
		tmux_control_log(c, "late reply dropped: %s", cmd->line);
	tmux_control_answer(c, cmd, b->error ? TMUX_CONTROL_ERROR :
	    TMUX_CONTROL_OK, b->lines, b->nlines);
	tmux_control_cmd_free(cmd);
}

/* Events from the parser. */
static void
tmux_control_event(const struct tmux_control_event *ev, void *arg)
{
	struct tmux_control	*c = arg;
	char			 reason[256];

	if (c->dead)
		return;
	switch (ev->type) {
	case TMUX_CONTROL_BLOCK:
		tmux_control_block(c, ev);
		break;
	case TMUX_CONTROL_NOTIFY:
		tmux_control_log(c, "< %s", ev->line.data);
		if (ev->notify.type == TMUX_CONTROL_N_EXIT) {
			if (ev->notify.text.len != 0)
				snprintf(reason, sizeof reason, "exit: %s",
				    ev->notify.text.data);
			else
				snprintf(reason, sizeof reason, "exit");
			tmux_control_closing(c, reason);
		}
		if (c->cbs.notify != NULL && !c->dead)
			c->cbs.notify(c, &ev->notify, c->cbs.arg);
		break;
	case TMUX_CONTROL_STRAY:
		tmux_control_log(c, "< stray line: %s", ev->line.data);
		break;
	case TMUX_CONTROL_UNKNOWN:
		tmux_control_log(c, "< ignored (%s): %s", ev->reason,
		    ev->line.data);
		break;
	case TMUX_CONTROL_TRUNCATED:
		tmux_control_log(c, "< %s: %s", ev->reason, ev->line.data);
		break;
	}
}

/* Both ends are done: free the connection and tell the owner. */
static void
tmux_control_finish(struct tmux_control *c)
{
	char	 status[64], *reason;

	if (c->reap_timer != NULL) {
		event_free(c->reap_timer);
		c->reap_timer = NULL;
	}
	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (c->errbev != NULL) {
		tmux_control_err_drain(c);
		bufferevent_free(c->errbev);
		c->errbev = NULL;
	}
	tmux_control_fail_pending(c);

	if (!c->reaped)
		snprintf(status, sizeof status, "not reaped");
	else if (WIFEXITED(c->status))
		snprintf(status, sizeof status, "status %d",
		    WEXITSTATUS(c->status));
	else if (WIFSIGNALED(c->status))
		snprintf(status, sizeof status, "signal %d",
		    WTERMSIG(c->status));
	else
		snprintf(status, sizeof status, "wait status %d", c->status);
	if (asprintf(&reason, "%s (tmux %s%s%s)", c->reason != NULL ?
	    c->reason : "closed", status, c->last_stderr != NULL ? ": " : "",
	    c->last_stderr != NULL ? c->last_stderr : "") == -1) {
		fprintf(stderr, "tmux-control: out of memory\n");
		abort();
	}
	tmux_control_log(c, "closed: %s", reason);

	c->state = TMUX_CONTROL_STOPPED;
	c->pid = -1;
	c->got_eof = c->reaped = 0;
	tmux_control_replace(&c->reason, NULL);
	tmux_control_replace(&c->last_stderr, NULL);
	if (c->cbs.closed != NULL && !c->dead)
		c->cbs.closed(c, reason, c->cbs.arg);
	free(reason);
}

/* Poll for the child, without blocking; kill it if it will not go. */
static void
tmux_control_reap_cb(evutil_socket_t fd, short events, void *arg)
{
	struct tmux_control	*c = arg;
	struct timeval		 tv = { 0, TMUX_CONTROL_REAP_MS * 1000 };
	pid_t			 pid;

	tmux_control_ref(c);
	if (!c->reaped && c->pid != -1) {
		pid = waitpid(c->pid, &c->status, WNOHANG);
		if (pid == c->pid || (pid == -1 && errno == ECHILD))
			c->reaped = 1;
	}
	c->reap_ticks++;
	if (!c->reaped && c->reap_ticks == TMUX_CONTROL_REAP_TERM) {
		tmux_control_log(c, "tmux %ld lingers: SIGTERM", (long)c->pid);
		kill(c->pid, SIGTERM);
	}
	if (!c->reaped && c->reap_ticks == TMUX_CONTROL_REAP_KILL) {
		tmux_control_log(c, "tmux %ld lingers: SIGKILL", (long)c->pid);
		kill(c->pid, SIGKILL);
	}
	/* A child that is gone but whose socket stays open is given up on. */
	if (c->reaped && !c->got_eof &&
	    c->reap_ticks >= TMUX_CONTROL_REAP_TERM)
		c->got_eof = 1;

	if (c->reaped && c->got_eof)
		tmux_control_finish(c);
	else if (!c->dead)
		evtimer_add(c->reap_timer, &tv);
	tmux_control_unref(c);
}

/* Start closing: fail what is pending and wait for EOF and the child. */
static void
tmux_control_closing(struct tmux_control *c, const char *reason)
{
	struct timeval	tv = { 0, 0 };

	if (c->reason == NULL)
		tmux_control_replace(&c->reason, reason);
	if (c->state == TMUX_CONTROL_CLOSING ||
	    c->state == TMUX_CONTROL_STOPPED)
		return;
	c->state = TMUX_CONTROL_CLOSING;
	c->reap_ticks = 0;
	if (c->reap_timer == NULL)
		c->reap_timer = evtimer_new(c->base, tmux_control_reap_cb, c);
	evtimer_add(c->reap_timer, &tv);
	tmux_control_fail_pending(c);
}

static void
tmux_control_read_cb(struct bufferevent *bev, void *arg)
{
	struct tmux_control	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_iovec	 v;

	tmux_control_ref(c);
	while (!c->dead && evbuffer_get_length(in) != 0) {
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		tmux_control_parser_feed(c->parser, v.iov_base, v.iov_len);
		evbuffer_drain(in, v.iov_len);
	}
	tmux_control_unref(c);
}

static void
tmux_control_bev_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct tmux_control	*c = arg;

	if ((events & (BEV_EVENT_EOF|BEV_EVENT_ERROR)) == 0)
		return;
	tmux_control_ref(c);
	tmux_control_read_cb(bev, c);
	if (!c->dead) {
		tmux_control_parser_eof(c->parser);
		bufferevent_disable(bev, EV_READ|EV_WRITE);
		c->got_eof = 1;
		tmux_control_log(c, "< %s", (events & BEV_EVENT_ERROR) ?
		    strerror(EVUTIL_SOCKET_ERROR()) : "EOF");
		tmux_control_closing(c, (events & BEV_EVENT_ERROR) ?
		    "read error" : "connection closed");
	}
	tmux_control_unref(c);
}

/* Log tmux's stderr a line at a time, keeping the last line. */
static void
tmux_control_err_read_cb(struct bufferevent *bev, void *arg)
{
	struct tmux_control	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 len;

	tmux_control_ref(c);
	while (!c->dead && (line = evbuffer_readln(in, &len,
	    EVBUFFER_EOL_LF)) != NULL) {
		tmux_control_log(c, "stderr: %s", line);
		free(c->last_stderr);
		c->last_stderr = line;
	}
	tmux_control_unref(c);
}

/* The child is gone: read what is left of its stderr, even a partial line. */
static void
tmux_control_err_drain(struct tmux_control *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->errbev);
	evutil_socket_t	 fd = bufferevent_getfd(c->errbev);
	size_t		 len;

	while (fd != -1 && evbuffer_get_length(in) < 65536 &&
	    evbuffer_read(in, fd, 4096) > 0)
		/* nothing */;
	tmux_control_err_read_cb(c->errbev, c);
	if ((len = evbuffer_get_length(in)) != 0 && !c->dead) {
		free(c->last_stderr);
		c->last_stderr = tmux_control_xmalloc(len + 1);
		evbuffer_remove(in, c->last_stderr, len);
		c->last_stderr[len] = '\0';
		tmux_control_log(c, "stderr: %s", c->last_stderr);
	}
}

static void
tmux_control_err_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct tmux_control	*c = arg;

	if (events & (BEV_EVENT_EOF|BEV_EVENT_ERROR)) {
		tmux_control_err_read_cb(bev, c);
		bufferevent_disable(bev, EV_READ);
	}
}

static void
tmux_control_setup_reply(struct tmux_control *c,
    const struct tmux_control_reply *reply, void *arg)
{
	if (reply->status != TMUX_CONTROL_OK &&
	    reply->status != TMUX_CONTROL_DISCONNECTED)
		tmux_control_log(c, "%s failed: %s", reply->command,
		    reply->nlines != 0 ? reply->lines[0].data : "timeout");
}

/* Copy environ without TMUX, so the child never thinks it is nested. */
static char **
tmux_control_environ(void)
{
	char	**env;
	size_t	  n = 0, i, j = 0;

	while (environ != NULL && environ[n] != NULL)
		n++;
	env = tmux_control_xcalloc(n + 1, sizeof *env);
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "TMUX=", 5) != 0)
			env[j++] = environ[i];
	}
	env[j] = NULL;
	return (env);
}

/* In the child: wire up stdio, restore signals, exec tmux. Never returns. */
static void __attribute__((__noreturn__))
tmux_control_child(int sock, int err, char **argv, char **env)
{
	sigset_t	set;
	int		sig;
	static const char msg[] = "tmux-control: exec failed\n";

	if (dup2(sock, STDIN_FILENO) == -1 ||
	    dup2(sock, STDOUT_FILENO) == -1 ||
	    dup2(err, STDERR_FILENO) == -1)
		_exit(127);
	closefrom(STDERR_FILENO + 1);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	/*
	 * A client whose owner died must not live on: an orphaned control
	 * client can keep a dying server from exiting.
	 */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		_exit(127);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	execvpe(argv[0], argv, env);
	_exit(write(STDERR_FILENO, msg, sizeof msg - 1) < 0 ? 126 : 127);
}

/*
 * Start tmux: "tmux -L NAME -f CONF -C new-session -A -s SESSION -x W -y H",
 * then turn off %output unless asked for. Returns -1 with *cause set (to
 * free) if tmux could not be started; errors after that are reported
 * through the closed callback.
 */
int
tmux_control_start(struct tmux_control *c, char **cause)
{
	char			 width[16], height[16], **env;
	int			 sv[2], ep[2];
	pid_t			 pid;
	struct sigaction	 sa;
	const char		*no_output[] = {
		"refresh-client", "-f", "no-output"
	};
	char			*argv[] = {
		c->tmux, (char *)"-L", c->socket_name, (char *)"-f",
		c->config_file, (char *)"-C", (char *)"new-session",
		(char *)"-A", (char *)"-s", c->session, (char *)"-x", width,
		(char *)"-y", height, NULL
	};

	if (c->attach_only) {
		/* "attach-session -t SESSION" in place of new-session -A. */
		argv[6] = (char *)"attach-session";
		argv[7] = (char *)"-t";
		argv[8] = c->session;
		argv[9] = NULL;
	}
	if (c->state != TMUX_CONTROL_STOPPED || c->dead) {
		if (cause != NULL)
			*cause = tmux_control_xstrdup("already started");
		return (-1);
	}
	snprintf(width, sizeof width, "%u", c->width);
	snprintf(height, sizeof height, "%u", c->height);

	/* Writing to a dead tmux must give EPIPE, not kill the program. */
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);

	if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, sv) != 0)
		goto fail;
	if (pipe2(ep, O_CLOEXEC) != 0) {
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	env = tmux_control_environ();
	pid = fork();
	if (pid == -1) {
		free(env);
		close(sv[0]);
		close(sv[1]);
		close(ep[0]);
		close(ep[1]);
		goto fail;
	}
	if (pid == 0)
		tmux_control_child(sv[1], ep[1], argv, env);
	free(env);
	close(sv[1]);
	close(ep[1]);
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(ep[0]);

	c->pid = pid;
	c->status = 0;
	c->got_eof = c->reaped = 0;
	tmux_control_replace(&c->reason, NULL);
	tmux_control_replace(&c->last_stderr, NULL);
	if (c->parser == NULL)
		c->parser = tmux_control_parser_new(tmux_control_event, c);
	else
		tmux_control_parser_reset(c->parser);

	c->bev = bufferevent_socket_new(c->base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	c->errbev = bufferevent_socket_new(c->base, ep[0],
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL || c->errbev == NULL) {
		fprintf(stderr, "tmux-control: bufferevent_socket_new\n");
		abort();
	}
	bufferevent_setcb(c->bev, tmux_control_read_cb, NULL,
	    tmux_control_bev_event_cb, c);
	bufferevent_setcb(c->errbev, tmux_control_err_read_cb, NULL,
	    tmux_control_err_event_cb, c);
	bufferevent_enable(c->bev, EV_READ|EV_WRITE);
	bufferevent_enable(c->errbev, EV_READ);

	c->state = TMUX_CONTROL_STARTING;
	tmux_control_log(c, "started tmux %ld: %s -L %s -f %s -C new-session "
	    "-A -s %s -x %s -y %s", (long)pid, c->tmux, c->socket_name,
	    c->config_file, c->session, width, height);
	if (!c->output) {
		tmux_control_send_argv(c, 3, no_output, -1,
		    tmux_control_setup_reply, NULL, NULL);
	}
	return (0);

fail:
	if (cause != NULL && asprintf(cause, "starting tmux: %s",
	    strerror(errno)) == -1)
		*cause = NULL;
	return (-1);
}

/* Detach: close tmux's stdin; pending commands fail, closed follows. */
void
tmux_control_stop(struct tmux_control *c)
{
	if (c->state != TMUX_CONTROL_STARTING &&
	    c->state != TMUX_CONTROL_READY)
		return;
	tmux_control_log(c, "stopping");
	tmux_control_ref(c);
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	tmux_control_closing(c, "stopped");
	tmux_control_unref(c);
}

/* A command got no reply in time: answer it now, drop its reply later. */
static void
tmux_control_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct tmux_control_cmd	*cmd = arg;
	struct tmux_control	*c = cmd->client;

	tmux_control_ref(c);
	tmux_control_log(c, "timed out: %s", cmd->line);
	tmux_control_answer(c, cmd, TMUX_CONTROL_TIMEOUT, NULL, 0);
	cmd->abandoned = 1;
	tmux_control_unref(c);
}

/*
 * Queue one command line, answered through cb (which may be NULL). timeout
 * is in milliseconds: 0 for the client's default, <0 for none. The line must
 * be one command: tmux_control_check_command says why not.
 */
int
tmux_control_send(struct tmux_control *c, const char *line, int timeout,
    tmux_control_reply_cb cb, void *arg, char **cause)
{
	struct tmux_control_cmd	*cmd;
	struct timeval		 tv;
	const char		*why;

	if (c->dead || (c->state != TMUX_CONTROL_STARTING &&
	    c->state != TMUX_CONTROL_READY)) {
		if (cause != NULL)
			*cause = tmux_control_xstrdup("not connected");
		return (-1);
	}
	if (tmux_control_check_command(line, &why) != 0) {
		if (cause != NULL)
			*cause = tmux_control_xstrdup(why);
		return (-1);
	}

	cmd = tmux_control_xcalloc(1, sizeof *cmd);
	cmd->client = c;
	cmd->line = tmux_control_xstrdup(line);
	cmd->cb = cb;
	cmd->arg = arg;
	if (timeout == 0)
		timeout = c->timeout_ms;
	if (timeout > 0) {
		cmd->timer = evtimer_new(c->base, tmux_control_timeout_cb, cmd);
		tv.tv_sec = timeout / 1000;
		tv.tv_usec = (timeout % 1000) * 1000;
		evtimer_add(cmd->timer, &tv);
	}
	TAILQ_INSERT_TAIL(&c->pending, cmd, entry);
	c->npending++;
	tmux_control_flush(c);
	return (0);
}

/* Send a command given as separate arguments, each quoted as needed. */
int
tmux_control_send_argv(struct tmux_control *c, int argc,
    const char *const *argv, int timeout, tmux_control_reply_cb cb,
    void *arg, char **cause)
{
	char	*line = NULL, *q;
	size_t	 len = 0, qlen;
	int	 i, error;

	if (argc < 1) {
		if (cause != NULL)
			*cause = tmux_control_xstrdup("empty command");
		return (-1);
	}
	for (i = 0; i < argc; i++) {
		q = tmux_control_quote(argv[i]);
		qlen = strlen(q);
		line = tmux_control_xreallocarray(line, 1, len + qlen + 2);
		if (i != 0)
			line[len++] = ' ';
		memcpy(line + len, q, qlen + 1);
		len += qlen;
		free(q);
	}
	error = tmux_control_send(c, line, timeout, cb, arg, cause);
	free(line);
	return (error);
}

/* Milliseconds to wait before the next reconnection attempt. */
unsigned int
tmux_control_backoff_next(struct tmux_control_backoff *b)
{
	unsigned int	delay;

	if (b->attempts >= 7)
		delay = 30000;
	else
		delay = 250U << b->attempts;
	if (delay > 30000)
		delay = 30000;
	if (b->attempts < 32)
		b->attempts++;
	return (delay);
}

void
tmux_control_backoff_reset(struct tmux_control_backoff *b)
{
	b->attempts = 0;
}

/* Really free the client: close tmux's stdin and reap it, briefly waiting. */
static void
tmux_control_destroy(struct tmux_control *c)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };
	int		i, status;

	if (c->bev != NULL) {
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	if (c->errbev != NULL) {
		bufferevent_free(c->errbev);
		c->errbev = NULL;
	}
	if (c->pid != -1 && !c->reaped) {
		/* Closing its stdin detaches tmux; it exits at once. */
		for (i = 0; i < 50; i++) {
			if (waitpid(c->pid, &status, WNOHANG) != 0)
				break;
			nanosleep(&ts, NULL);
		}
		if (i == 50) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &status, 0);
		}
	}
	if (c->reap_timer != NULL)
		event_free(c->reap_timer);
	tmux_control_fail_pending(c);
	tmux_control_parser_free(c->parser);
	free(c->tmux);
	free(c->socket_name);
	free(c->config_file);
	free(c->session);
	free(c->reason);
	free(c->last_stderr);
	free(c);
}

/*
 * Free the client. A running tmux is detached (its stdin closed) and reaped,
 * waiting at most half a second before it is killed. Pending commands are
 * dropped without their callbacks being called.
 */
void
tmux_control_free(struct tmux_control *c)
{
	if (c == NULL || c->dead)
		return;
	c->dead = 1;
	if (c->refs == 0)
		tmux_control_destroy(c);
}
