/*
 * lock: run a heavy command (a build, a test suite) under the repository's
 * build lock, so agents working in parallel take turns.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baton.h"

static int	cmd_lock_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_lock_entry = {
	.name = "lock",
	.alias = NULL,
	.usage = "[--wait SECONDS] -- CMD... | --status",
	.doc = "Run CMD (never through a shell) holding the repository's build "
	    "lock, and exit with its status; --status says who holds it.",
	.flags = CMD_REPO,
	.exec = cmd_lock_exec,
};

static volatile sig_atomic_t	cmd_lock_child;

/* Pass SIGTERM and SIGHUP on to the command; it decides when we end. */
static void
cmd_lock_forward(int sig)
{
	if (cmd_lock_child > 0)
		kill((pid_t)cmd_lock_child, sig);
}

static void
cmd_lock_report(const char *msg)
{
	cmd_error("%s", msg);
}

static int
cmd_lock_status(struct cmd_ctx *ctx)
{
	struct lock_holder	 h;
	char			*cause = NULL, *text;
	int			 have, held;

	if ((have = lock_status(ctx->repo, &h, &held, &cause)) == -1)
		return (cmd_fail(ctx, cause));
	text = have ? lock_holder_text(&h) : NULL;
	if (held && have && lock_holder_alive(&h))
		printf("held by %s\n", text);
	else if (held)
		printf("held by a process baton did not record%s%s%s; the next "
		    "'baton lock' breaks it\n", have ? " (the record names " :
		    "", have ? text : "", have ? ", which is gone)" : "");
	else if (have)
		printf("free; a stale record names %s, which is gone\n", text);
	else
		printf("free\n");
	free(text);
	if (have)
		lock_holder_free(&h);
	return (BATON_EXIT_OK);
}

static int
cmd_lock_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "status", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction	 sa, old_int, old_quit, old_term, old_hup;
	struct lock		*l;
	const char		*env;
	char			*cause = NULL, *command, *end;
	size_t			 len, i;
	int64_t			 run = 0;
	long			 v;
	int			 ch, status = 0, wait = -1, show = 0, fd, rc;
	pid_t			 pid;

	/* "+": options stop at CMD, which keeps its own. */
	while ((ch = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (ch) {
		case 'w':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    v < 0 || v > 1000000)
				return (cmd_usage_error(&cmd_lock_entry,
				    "--wait takes whole seconds: %s", optarg));
			wait = (int)v;
			break;
		case 's':
			show = 1;
			break;
		default:
			return (cmd_usage_error(&cmd_lock_entry, "bad option: "
			    "%s", argv[optind - 1]));
		}
	}
	if (show) {
		if (optind != argc)
			return (cmd_usage_error(&cmd_lock_entry,
			    "--status takes no command"));
		return (cmd_lock_status(ctx));
	}
	if (optind >= argc)
		return (cmd_usage_error(&cmd_lock_entry, "give the command "
		    "after --"));

	if ((env = getenv("BATON_RUN")) != NULL && cmd_parse_id(env, &run) != 0)
		run = 0;
	len = 0;
	for (i = optind; i < (size_t)argc; i++)
		len += strlen(argv[i]) + 1;
	command = xmalloc(len + 1);
	*command = '\0';
	for (i = optind; i < (size_t)argc; i++) {
		if (i != (size_t)optind)
			strcat(command, " ");
		strcat(command, argv[i]);
	}
	l = lock_acquire(ctx->repo, wait, command, run, cmd_lock_report,
	    &cause);
	free(command);
	if (l == NULL)
		return (cmd_fail(ctx, cause));

	/* Like system(): the terminal's ^C and ^\ are for the command. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGQUIT, &sa, &old_quit);
	sa.sa_handler = cmd_lock_forward;
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	fflush(NULL);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		/* The command holds the lock too, for as long as it runs. */
		fd = lock_fd(l);
		fcntl(fd, F_SETFD, 0);
		execvp(argv[optind], argv + optind);
		dprintf(STDERR_FILENO, "baton: cannot run %s: %s\n",
		    argv[optind], strerror(errno));
		_exit(127);
	}
	cmd_lock_child = pid;
	log_debug("%s: running %s as %ld", __func__, argv[optind], (long)pid);
	if (lock_set_child(l, pid, &cause) != 0) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			fatal("waitpid");
	}
	cmd_lock_child = 0;
	lock_release(l);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);

	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		rc = 128 + WTERMSIG(status);
	else
		rc = BATON_EXIT_ERROR;
	log_debug("%s: command ended, exit %d", __func__, rc);
	return (rc);
}
