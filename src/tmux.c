/*
 * baton's private tmux server, driven by one-shot tmux commands: one
 * server per repository on its own -L socket with baton's own config.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

/* The server's settings; nothing of the user's tmux.conf is read. */
static const char tmux_config[] =
	"# baton's tmux server for this repository (written by baton).\n"
	"set -g default-size 200x50\n"
	"set -g history-limit 50000\n"
	"set -g remain-on-exit off\n"
	"set -g allow-rename off\n"
	"set -g automatic-rename off\n"
	"set -g exit-empty on\n"
	"set -g status-left '[baton] '\n"
	"set -g status-left-length 20\n";

/* FNV-1a: a stable name for the repository's server. */
static uint64_t
tmux_hash(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (u_char)*s;
		h *= 1099511628211ULL;
	}
	return (h);
}

/* The -L name: baton-<hash of the work tree path>. */
char *
tmux_socket_name(struct repo *r)
{
	char	*name;

	xasprintf(&name, "baton-%012llx",
	    (unsigned long long)(tmux_hash(r->workdir) & 0xffffffffffffULL));
	return (name);
}

/* Where tmux puts that socket: $TMUX_TMPDIR or /tmp, then tmux-UID. */
char *
tmux_socket_path(struct repo *r)
{
	const char	*dir;
	char		*name, *path;

	if ((dir = getenv("TMUX_TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	name = tmux_socket_name(r);
	xasprintf(&path, "%s/tmux-%ld/%s", dir, (long)getuid(), name);
	free(name);
	return (path);
}

int
tmux_write_config(struct repo *r, char **cause)
{
	char	*path;
	int	 rc;

	xasprintf(&path, "%s/tmux.conf", r->dir);
	rc = util_write_file(path, tmux_config, sizeof tmux_config - 1, cause);
	free(path);
	return (rc);
}

/* Append a read's bytes to a growing NUL-terminated buffer. */
static int
tmux_drain(int fd, char **buf, size_t *len)
{
	char	tmp[4096];
	ssize_t	n;

	n = read(fd, tmp, sizeof tmp);
	if (n <= 0)
		return (n == -1 && errno == EINTR ? 1 : 0);
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, tmp, n);
	*len += n;
	(*buf)[*len] = '\0';
	return (1);
}

/*
 * Run one tmux command on baton's server: argv after "tmux -L name -f
 * conf". Returns tmux's exit status with its output in *out (may be NULL),
 * or -1 with cause set when tmux could not be run at all or failed; then
 * cause holds what tmux said.
 */
int
tmux_command(struct repo *r, const char *const *argv, char **out,
    char **cause)
{
	const char	**full;
	struct pollfd	  pfd[2];
	char		 *name, *conf, *obuf = NULL, *ebuf = NULL;
	size_t		  n, i, olen = 0, elen = 0;
	int		  opipe[2], epipe[2], status, open_fds;
	pid_t		  pid;

	for (n = 0; argv[n] != NULL; n++)
		;
	name = tmux_socket_name(r);
	xasprintf(&conf, "%s/tmux.conf", r->dir);
	full = xcalloc(n + 6, sizeof *full);
	full[0] = "tmux";
	full[1] = "-L";
	full[2] = name;
	full[3] = "-f";
	full[4] = conf;
	for (i = 0; i < n; i++)
		full[5 + i] = argv[i];
	if (log_debug_enabled()) {
		for (i = 0; i < n; i++)
			log_debug("%s: argv[%zu] %s", __func__, i, argv[i]);
	}

	if (pipe2(opipe, O_CLOEXEC) != 0 || pipe2(epipe, O_CLOEXEC) != 0)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		dup2(opipe[1], STDOUT_FILENO);
		dup2(epipe[1], STDERR_FILENO);
		unsetenv("TMUX");
		execvp("tmux", (char *const *)full);
		dprintf(STDERR_FILENO, "cannot run tmux: %s", strerror(errno));
		_exit(127);
	}
	close(opipe[1]);
	close(epipe[1]);
	free(full);
	free(conf);
	free(name);

	pfd[0].fd = opipe[0];
	pfd[1].fd = epipe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	open_fds = 2;
	while (open_fds > 0) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (!tmux_drain(pfd[i].fd, i == 0 ? &obuf : &ebuf,
			    i == 0 ? &olen : &elen)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			fatal("waitpid");
	}
	log_debug("%s: exit %d, out %s, err %s", __func__,
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	    obuf == NULL ? "" : obuf, ebuf == NULL ? "" : ebuf);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (ebuf != NULL)
			ebuf[strcspn(ebuf, "\n")] = '\0';
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			xasprintf(cause, "%s (is tmux installed?)",
			    ebuf != NULL ? ebuf : "cannot run tmux");
		else
			*cause = xstrdup(ebuf != NULL && *ebuf != '\0' ? ebuf :
			    "tmux failed");
		free(ebuf);
		free(obuf);
		return (-1);
	}
	free(ebuf);
	if (out != NULL)
		*out = obuf != NULL ? obuf : xstrdup("");
	else
		free(obuf);
	return (0);
}

/* Is baton's server for this repository up? */
int
tmux_server_running(struct repo *r)
{
	static const char	*argv[] = { "has-session", NULL };
	char			*cause = NULL;

	if (tmux_command(r, argv, NULL, &cause) != 0) {
		free(cause);
		return (0);
	}
	return (1);
}

/*
 * Open a window running argv (executed directly, never through a shell)
 * in cwd, with env ("NAME=value" strings) set. The window and pane ids
 * come back in *window and *pane.
 */
int
tmux_new_window(struct repo *r, const char *name, const char *cwd,
    const char *const *env, const char *const *argv, char **window,
    char **pane, char **cause)
{
	const char	**cmd;
	char		 *out = NULL, *sp;
	size_t		  n = 0, i, nenv = 0, nargv = 0;
	int		  attempt, rc = -1;

	if (tmux_write_config(r, cause) != 0)
		return (-1);
	while (env != NULL && env[nenv] != NULL)
		nenv++;
	while (argv[nargv] != NULL)
		nargv++;
	cmd = xcalloc(16 + 2 * nenv + nargv, sizeof *cmd);

	/*
	 * Try a window in the existing session first; with no server or no
	 * session, make the session. Two batons may race to make it: the
	 * loser finds it there on its second try.
	 */
	for (attempt = 0; attempt < 3 && rc != 0; attempt++) {
		n = 0;
		if (attempt == 1) {
			cmd[n++] = "new-session";
			cmd[n++] = "-d";
			cmd[n++] = "-s";
			cmd[n++] = "baton";
		} else {
			cmd[n++] = "new-window";
			cmd[n++] = "-d";
			cmd[n++] = "-t";
			cmd[n++] = "baton:";
		}
		cmd[n++] = "-n";
		cmd[n++] = name;
		cmd[n++] = "-c";
		cmd[n++] = cwd;
		for (i = 0; i < nenv; i++) {
			cmd[n++] = "-e";
			cmd[n++] = env[i];
		}
		cmd[n++] = "-P";
		cmd[n++] = "-F";
		cmd[n++] = "#{window_id} #{pane_id}";
		for (i = 0; i < nargv; i++)
			cmd[n++] = argv[i];
		cmd[n] = NULL;
		free(*cause);
		*cause = NULL;
		rc = tmux_command(r, cmd, &out, cause);
	}
	free(cmd);
	if (rc != 0)
		return (-1);
	out[strcspn(out, "\n")] = '\0';
	if ((sp = strchr(out, ' ')) == NULL || out[0] != '@' || sp[1] != '%') {
		xasprintf(cause, "unexpected reply from tmux: %s", out);
		free(out);
		return (-1);
	}
	*sp = '\0';
	*window = xstrdup(out);
	*pane = xstrdup(sp + 1);
	free(out);
	return (0);
}

/* Single-quote s for a tmux command line: ' becomes '\''. */
char *
tmux_quote(const char *s)
{
	size_t	 len = strlen(s), i, out = 0;
	char	*buf;

	buf = xmalloc(len * 4 + 3);
	buf[out++] = '\'';
	for (i = 0; i < len; i++) {
		if (s[i] == '\'') {
			memcpy(buf + out, "'\\''", 4);
			out += 4;
		} else
			buf[out++] = s[i];
	}
	buf[out++] = '\'';
	buf[out] = '\0';
	return (buf);
}
