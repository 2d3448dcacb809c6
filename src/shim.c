/*
 * baton agent RUN: what runs in a run's tmux window. It starts the agent
 * from the argv in run.json (fork and exec, never a shell) with its stdout
 * appended to stream.jsonl and its stderr to stderr.log, feeds its stdin
 * from the run's inbox when asked to, shows a readable transcript in the
 * pane, records how the agent ended in "exit", and then leaves a shell in
 * the run's directory for whoever attaches.
 *
 * The agent writes its files itself, so nothing it prints depends on this
 * process staying alive; the shim only reads them back for the pane.
 */

#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_agent_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_agent_entry = {
	.name = "agent",
	.alias = NULL,
	.usage = "RUN",
	.doc = "Run one agent inside its tmux window (baton starts this "
	    "itself).",
	.flags = CMD_REPO,
	.exec = cmd_agent_exec,
};

/* Seconds an agent has to end after a hangup before it gets SIGKILL. */
#define SHIM_KILL_GRACE 5
/* Seconds what an ended agent started may go on before it is ended. */
#define SHIM_GROUP_GRACE 3

/* A file read back from where it was left off, split into lines. */
struct shim_tail {
	int	 fd;
	char	*buf;
	size_t	 len;
};

struct shim {
	char		 *dir;
	char		 *format;
	struct transcript *transcript;
	char		 *cwd;
	char		**argv;
	int		  inbox_mode;

	pid_t		  pid;
	int		  status;
	int		  exited;
	int		  hangup;
	time_t		  kill_at;	/* SIGKILL the group then, if set */

	struct shim_tail  out;
	struct shim_tail  err;
	struct shim_tail  inbox;
	int		  stdin_fd;	/* the agent's stdin, or -1 */
	char		 *pending;	/* inbox bytes not yet written */
	size_t		  npending;
};

static char *
shim_path(struct shim *sh, const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", sh->dir, name);
	return (path);
}

/* Read run.json: argv, cwd, format and the stdin mode. */
static int
shim_load(struct shim *sh, char **cause)
{
	cJSON	*root, *argv, *item, *v;
	char	*path, *text;
	size_t	 n = 0;

	path = shim_path(sh, "run.json");
	text = cmd_read_file(path, cause);
	free(path);
	if (text == NULL)
		return (-1);
	root = cJSON_Parse(text);
	free(text);
	if (root == NULL) {
		*cause = xstrdup("run.json is not valid JSON");
		return (-1);
	}
	argv = cJSON_GetObjectItemCaseSensitive(root, "argv");
	if (!cJSON_IsArray(argv) || cJSON_GetArraySize(argv) == 0) {
		*cause = xstrdup("run.json has no argv");
		cJSON_Delete(root);
		return (-1);
	}
	sh->argv = xcalloc(cJSON_GetArraySize(argv) + 1, sizeof *sh->argv);
	cJSON_ArrayForEach(item, argv) {
		if (!cJSON_IsString(item)) {
			*cause = xstrdup("run.json argv holds a non-string");
			cJSON_Delete(root);
			return (-1);
		}
		sh->argv[n++] = xstrdup(item->valuestring);
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "cwd");
	sh->cwd = xstrdup(cJSON_IsString(v) ? v->valuestring : ".");
	v = cJSON_GetObjectItemCaseSensitive(root, "format");
	sh->format = xstrdup(cJSON_IsString(v) ? v->valuestring : "text");
	v = cJSON_GetObjectItemCaseSensitive(root, "stdin");
	sh->inbox_mode = cJSON_IsString(v) && strcmp(v->valuestring,
	    "inbox") == 0;
	cJSON_Delete(root);
	return (0);
}

static int
shim_open_append(struct shim *sh, const char *name, char **cause)
{
	char	*path;
	int	 fd;

	path = shim_path(sh, name);
	fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0600);
	if (fd == -1)
		xasprintf(cause, "%s: %s", path, strerror(errno));
	free(path);
	return (fd);
}

static int
shim_open_read(struct shim *sh, const char *name)
{
	char	*path;
	int	 fd;

	path = shim_path(sh, name);
	fd = open(path, O_RDONLY|O_CREAT|O_CLOEXEC, 0600);
	free(path);
	return (fd);
}

/* Write a small file whole, or not at all. */
static void
shim_write_file(struct shim *sh, const char *name, const char *text)
{
	char	*path, *cause = NULL;

	path = shim_path(sh, name);
	if (util_write_file(path, text, strlen(text), &cause) != 0) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
	}
	free(path);
}

/* Start the agent: its own process group, files as stdout and stderr. */
static int
shim_spawn(struct shim *sh, char **cause)
{
	int	 out, err, in, fds[2] = { -1, -1 };
	char	 pid[32];

	if ((out = shim_open_append(sh, "stream.jsonl", cause)) == -1)
		return (-1);
	if ((err = shim_open_append(sh, "stderr.log", cause)) == -1)
		return (-1);
	if (sh->inbox_mode) {
		if (pipe2(fds, O_CLOEXEC) != 0)
			fatal("pipe");
		in = fds[0];
	} else if ((in = open("/dev/null", O_RDONLY|O_CLOEXEC)) == -1)
		fatal("/dev/null");

	if ((sh->pid = fork()) == -1)
		fatal("fork");
	if (sh->pid == 0) {
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(sh->cwd) != 0) {
			dprintf(err, "baton: cannot change to %s: %s\n", sh->cwd,
			    strerror(errno));
			_exit(126);
		}
		dup2(in, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execvp(sh->argv[0], sh->argv);
		dprintf(STDERR_FILENO, "baton: cannot run %s: %s\n",
		    sh->argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(sh->pid, sh->pid);
	/* An agent that closed its stdin must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	close(out);
	close(err);
	close(in);
	if (sh->inbox_mode) {
		sh->stdin_fd = fds[1];
		fcntl(sh->stdin_fd, F_SETFL, O_NONBLOCK);
	} else
		sh->stdin_fd = -1;
	snprintf(pid, sizeof pid, "%ld\n", (long)sh->pid);
	shim_write_file(sh, "pid", pid);
	return (0);
}

/*
 * Read what was added to a tail and hand each complete line to fn. A
 * final piece without a newline waits for the rest, unless flush is set.
 */
static void
shim_tail_read(struct shim_tail *t, int flush,
    void (*fn)(struct shim *, const char *, size_t), struct shim *sh)
{
	char	 buf[65536], *nl, *start;
	ssize_t	 n;
	size_t	 used;

	for (;;) {
		n = read(t->fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t->buf = xrealloc(t->buf, t->len + n + 1);
		memcpy(t->buf + t->len, buf, n);
		t->len += n;
	}
	start = t->buf;
	while (t->len > 0 && (nl = memchr(start, '\n', t->len)) != NULL) {
		used = nl - start + 1;
		fn(sh, start, nl - start);
		start += used;
		t->len -= used;
	}
	if (flush && t->len > 0) {
		fn(sh, start, t->len);
		t->len = 0;
	}
	if (t->len > 0)
		memmove(t->buf, start, t->len);
}

static void
shim_show_out(struct shim *sh, const char *line, size_t len)
{
	transcript_line(sh->transcript, stdout, line, len);
}

static void
shim_show_err(struct shim *sh, const char *line, size_t len)
{
	char	*copy, *safe;

	copy = xstrndup(line, len);
	safe = util_vis(copy, 4096);
	printf("\033[2mstderr: %s\033[0m\n", safe);
	free(safe);
	free(copy);
}

/* Queue an inbox line for the agent's stdin. */
static void
shim_queue_input(struct shim *sh, const char *line, size_t len)
{
	if (sh->stdin_fd == -1)
		return;
	sh->pending = xrealloc(sh->pending, sh->npending + len + 1);
	memcpy(sh->pending + sh->npending, line, len);
	sh->pending[sh->npending + len] = '\n';
	sh->npending += len + 1;
}

static void
shim_write_input(struct shim *sh)
{
	ssize_t	n;

	while (sh->npending > 0 && sh->stdin_fd != -1) {
		n = write(sh->stdin_fd, sh->pending, sh->npending);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN) {
				close(sh->stdin_fd);
				sh->stdin_fd = -1;
			}
			return;
		}
		memmove(sh->pending, sh->pending + n, sh->npending - n);
		sh->npending -= n;
	}
}

/*
 * Reap whatever has ended: the agent, and (the shim being a subreaper)
 * anything the agent started and left behind.
 */
static void
shim_reap(struct shim *sh)
{
	int	status;
	pid_t	pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid <= 0)
			break;
		if (pid == sh->pid) {
			sh->status = status;
			sh->exited = 1;
		}
	}
}

/*
 * The agent has exited, but what it started may still write to its log:
 * give its process group a moment to end, then end it, so that nothing
 * writes to the log after "exit" says the run is over.
 */
static void
shim_wait_group(struct shim *sh)
{
	struct timespec	 ts = { 0, 100 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < 10 * SHIM_GROUP_GRACE; i++) {
		shim_reap(sh);
		if (!util_pgrp_alive(sh->pid))
			return;
		nanosleep(&ts, NULL);
		if (i % 10 == 9)
			shim_tail_read(&sh->out, 0, shim_show_out, sh);
	}
	kill(-sh->pid, SIGTERM);
	for (i = 0; i < 20 && (shim_reap(sh), util_pgrp_alive(sh->pid)); i++)
		nanosleep(&ts, NULL);
	kill(-sh->pid, SIGKILL);
	for (i = 0; i < 20 && (shim_reap(sh), util_pgrp_alive(sh->pid)); i++)
		nanosleep(&ts, NULL);
	shim_reap(sh);
}

/* Watch the agent's files and the inbox until the agent is gone. */
static void
shim_loop(struct shim *sh)
{
	struct pollfd	pfd[3];
	sigset_t	mask;
	struct signalfd_siginfo si;
	char		ev[4096], *path;
	int		ifd, sfd, nfds;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC|SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	if ((ifd = inotify_init1(IN_CLOEXEC|IN_NONBLOCK)) == -1)
		fatal("inotify_init1");
	path = shim_path(sh, "stream.jsonl");
	inotify_add_watch(ifd, path, IN_MODIFY);
	free(path);
	path = shim_path(sh, "stderr.log");
	inotify_add_watch(ifd, path, IN_MODIFY);
	free(path);
	path = shim_path(sh, "inbox.jsonl");
	inotify_add_watch(ifd, path, IN_MODIFY);
	free(path);

	shim_reap(sh);
	while (!sh->exited) {
		if (sh->kill_at != 0 && time(NULL) >= sh->kill_at) {
			kill(-sh->pid, SIGKILL);
			sh->kill_at = 0;
		}
		shim_tail_read(&sh->out, 0, shim_show_out, sh);
		shim_tail_read(&sh->err, 0, shim_show_err, sh);
		shim_tail_read(&sh->inbox, 0, shim_queue_input, sh);
		shim_write_input(sh);
		fflush(stdout);

		pfd[0].fd = ifd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		nfds = 2;
		if (sh->npending > 0 && sh->stdin_fd != -1) {
			pfd[2].fd = sh->stdin_fd;
			pfd[2].events = POLLOUT;
			nfds = 3;
		}
		if (poll(pfd, nfds, sh->kill_at != 0 ? 1000 : -1) == -1 &&
		    errno != EINTR)
			fatal("poll");
		if (pfd[0].revents & POLLIN) {
			while (read(ifd, ev, sizeof ev) > 0)
				;
		}
		if (pfd[1].revents & POLLIN) {
			while (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				/*
				 * The pane is going away, or someone asked.
				 * An agent that ignores a hangup's SIGTERM
				 * gets SIGKILL a little later.
				 */
				if (si.ssi_signo == SIGHUP) {
					sh->hangup = 1;
					sh->kill_at = time(NULL) +
					    SHIM_KILL_GRACE;
				}
				kill(-sh->pid, si.ssi_signo == SIGHUP ?
				    SIGTERM : (int)si.ssi_signo);
			}
		}
		shim_reap(sh);
	}
	shim_wait_group(sh);
	shim_tail_read(&sh->out, 1, shim_show_out, sh);
	shim_tail_read(&sh->err, 1, shim_show_err, sh);
	close(ifd);
	close(sfd);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

static int
cmd_agent_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct shim	 sh;
	int64_t		 run;
	char		*cause = NULL, text[128], *shell_argv[3];
	const char	*shell;
	size_t		 i;

	if (argc != 2 || cmd_parse_id(argv[1], &run) != 0)
		return (cmd_usage_error(&cmd_agent_entry, "give one run id"));
	memset(&sh, 0, sizeof sh);
	umask(077);
	/* What the agent leaves behind is ours to reap, not init's. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sh.dir = repo_run_dir(ctx->repo, run);
	if (shim_load(&sh, &cause) != 0 || shim_spawn(&sh, &cause) != 0) {
		cmd_error("run %lld: %s", (long long)run, cause);
		shim_write_file(&sh, "exit", "failed 0\n");
		free(cause);
		free(sh.dir);
		return (BATON_EXIT_ERROR);
	}
	sh.transcript = transcript_new(sh.format);
	if (price_load_user(&cause) != 0) {
		printf("baton: %s\n", cause);
		free(cause);
		cause = NULL;
	}
	sh.out.fd = shim_open_read(&sh, "stream.jsonl");
	sh.err.fd = shim_open_read(&sh, "stderr.log");
	sh.inbox.fd = shim_open_read(&sh, "inbox.jsonl");
	printf("\033[1mbaton run %lld\033[0m: %s", (long long)run, sh.argv[0]);
	for (i = 1; sh.argv[i] != NULL && i < 8; i++) {
		char	*safe = util_vis(sh.argv[i], 60);

		printf(" %s", safe);
		free(safe);
	}
	printf("%s\n", sh.argv[i] != NULL ? " …" : "");
	fflush(stdout);

	shim_loop(&sh);
	transcript_finish(sh.transcript, stdout, WIFEXITED(sh.status) ?
	    WEXITSTATUS(sh.status) : 128 + WTERMSIG(sh.status));
	transcript_free(sh.transcript);

	if (sh.hangup)
		snprintf(text, sizeof text, "interrupted %d\n",
		    WIFSIGNALED(sh.status) ? WTERMSIG(sh.status) : 0);
	else if (WIFEXITED(sh.status))
		snprintf(text, sizeof text, "exited %d\n",
		    WEXITSTATUS(sh.status));
	else
		snprintf(text, sizeof text, "killed %d\n",
		    WTERMSIG(sh.status));
	shim_write_file(&sh, "exit", text);
	text[strcspn(text, "\n")] = '\0';
	printf("\n\033[1m── agent %s ──\033[0m\nThis shell is in %s; the run's "
	    "files are in %s.\n", text, sh.cwd, sh.dir);
	fflush(stdout);
	if (sh.hangup)
		return (BATON_EXIT_OK);

	/* Leave a shell in the run's directory for whoever attaches. */
	if (chdir(sh.cwd) != 0)
		(void)chdir(sh.dir);
	if ((shell = getenv("SHELL")) == NULL || *shell != '/')
		shell = "/bin/sh";
	shell_argv[0] = (char *)shell;
	shell_argv[1] = (char *)"-i";
	shell_argv[2] = NULL;
	execv(shell, shell_argv);
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	return (BATON_EXIT_ERROR);
}
