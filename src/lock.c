/*
 * The build lock: one heavy command at a time across every run of a
 * repository, wherever its agents work. Three files in .baton/:
 *
 *   build.lock    flock'd by the holder. The command it runs inherits the
 *                 descriptor, so the lock lasts as long as the command does,
 *                 even if the holder itself is killed.
 *   build.holder  who holds it: the holder's pid, its command's pid, the run
 *                 ($BATON_RUN), the start time and the command.
 *   build.guard   flock'd for a moment around every look at or change of the
 *                 two above, so nobody sees a lock taken but not yet
 *                 recorded, and only one process breaks a lock.
 *
 * When a lock counts as dead, and what is done about it:
 *
 * - build.lock is free but build.holder names a holder: the holder died
 *   without cleaning up (the kernel released its flock). The record is
 *   stale; the next holder says so and replaces it.
 * - build.lock is held, but there is no record, or neither the holder nor
 *   its command is alive: the descriptor was inherited by something the
 *   holder never recorded, such as a daemon its command left running.
 *   Nobody can unlock another process's flock, so the file is unlinked and
 *   later holders lock a new one; the leftover process keeps a lock on a
 *   file nobody else uses.
 *
 * A pid is alive when kill(pid, 0) says it exists. A reused pid makes a
 * dead holder look alive, which errs on the side of waiting.
 */

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baton.h"

/* Longest command kept in the holder file, in visible bytes. */
#define LOCK_COMMAND_MAX 4096

struct lock {
	struct repo		*repo;
	int			 fd;
	char			*path;
	char			*holder_path;
	struct lock_holder	 holder;
};

static char *
lock_file(struct repo *repo, const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", repo->dir, name);
	return (path);
}

/* Take the guard; returns its descriptor, or -1 with cause. */
static int
lock_guard(struct repo *repo, char **cause)
{
	char	*path;
	int	 fd;

	path = lock_file(repo, "build.guard");
	if ((fd = open(path, O_RDWR|O_CREAT|O_CLOEXEC, 0600)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(path);
			close(fd);
			return (-1);
		}
	}
	free(path);
	return (fd);
}

void
lock_holder_free(struct lock_holder *h)
{
	free(h->command);
	memset(h, 0, sizeof *h);
}

/* Read the holder file: 1 if it names a holder, 0 if there is none. */
static int
lock_read_holder(const char *path, struct lock_holder *h)
{
	FILE		*f;
	char		*line = NULL;
	size_t		 size = 0;
	ssize_t		 len;
	long long	 v;

	memset(h, 0, sizeof *h);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while ((len = getline(&line, &size, f)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strncmp(line, "command ", 8) == 0) {
			free(h->command);
			h->command = util_vis(line + 8, LOCK_COMMAND_MAX);
			continue;
		}
		if (sscanf(line, "pid %lld", &v) == 1 && v > 0)
			h->pid = (pid_t)v;
		else if (sscanf(line, "child %lld", &v) == 1 && v > 0)
			h->child = (pid_t)v;
		else if (sscanf(line, "run %lld", &v) == 1 && v > 0)
			h->run = v;
		else if (sscanf(line, "started %lld", &v) == 1 && v > 0)
			h->started = v;
	}
	free(line);
	fclose(f);
	if (h->pid == 0) {
		lock_holder_free(h);
		return (0);
	}
	if (h->command == NULL)
		h->command = xstrdup("");
	return (1);
}

/* Write the holder file whole: a new file renamed over the old one. */
static int
lock_write_holder(struct lock *l, char **cause)
{
	struct lock_holder	*h = &l->holder;
	char			*text;
	int			 rc;

	xasprintf(&text, "pid %ld\nchild %ld\nrun %lld\nstarted %lld\n"
	    "command %s\n", (long)h->pid, (long)h->child, (long long)h->run,
	    (long long)h->started, h->command);
	rc = util_write_file(l->holder_path, text, strlen(text), cause);
	free(text);
	return (rc);
}

static int
lock_pid_alive(pid_t pid)
{
	return (pid > 0 && (kill(pid, 0) == 0 || errno == EPERM));
}

/* Whether the holder or the command it runs is still alive. */
int
lock_holder_alive(struct lock_holder *h)
{
	return (lock_pid_alive(h->pid) || lock_pid_alive(h->child));
}

/* The holder in words, for messages. */
static char *
lock_describe(struct lock_holder *h)
{
	char	*s, run[32] = "";
	int64_t	 age = h->started > 0 ? (int64_t)time(NULL) - h->started : 0;

	if (h->run > 0)
		snprintf(run, sizeof run, ", run %lld", (long long)h->run);
	xasprintf(&s, "pid %ld%s, for %llds: %s", (long)h->pid, run,
	    (long long)(age < 0 ? 0 : age), h->command);
	return (s);
}

/*
 * Take the build lock for command, waiting up to wait seconds (-1: as long
 * as it takes). report gets what is worth telling the user: waiting, and
 * stale or dead locks broken. NULL with cause when it cannot be had.
 */
struct lock *
lock_acquire(struct repo *repo, int wait, const char *command, int64_t run,
    void (*report)(const char *), char **cause)
{
	struct lock		*l;
	struct lock_holder	 old;
	struct timespec		 ts = { 0, 100 * 1000 * 1000 };
	struct stat		 sb;
	time_t			 start = time(NULL);
	char			*what, *msg;
	int			 guard, told = 0, have;

	if (stat(repo->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s is not set up: run 'baton init' first",
		    repo->dir);
		return (NULL);
	}
	l = xcalloc(1, sizeof *l);
	l->repo = repo;
	l->fd = -1;
	l->path = lock_file(repo, "build.lock");
	l->holder_path = lock_file(repo, "build.holder");

	for (;;) {
		if ((guard = lock_guard(repo, cause)) == -1)
			goto fail;
		l->fd = open(l->path, O_RDWR|O_CREAT|O_CLOEXEC, 0600);
		if (l->fd == -1) {
			xasprintf(cause, "%s: %s", l->path, strerror(errno));
			close(guard);
			goto fail;
		}
		if (flock(l->fd, LOCK_EX|LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			xasprintf(cause, "%s: %s", l->path, strerror(errno));
			close(guard);
			goto fail;
		}

		have = lock_read_holder(l->holder_path, &old);
		if (!have || !lock_holder_alive(&old)) {
			/* Held by a process nobody recorded: break it. */
			what = have ? lock_describe(&old) : NULL;
			if (what != NULL)
				xasprintf(&msg, "broke the build lock: it was "
				    "held, but its holder is gone (%s)", what);
			else
				msg = xstrdup("broke the build lock: it was "
				    "held, but no holder is recorded");
			log_debug("%s: %s; unlinking %s", __func__, msg,
			    l->path);
			unlink(l->path);
			unlink(l->holder_path);
			if (report != NULL)
				report(msg);
			free(msg);
			free(what);
			lock_holder_free(&old);
			close(l->fd);
			l->fd = -1;
			close(guard);
			continue;
		}
		close(l->fd);
		l->fd = -1;
		close(guard);

		what = lock_describe(&old);
		lock_holder_free(&old);
		if (wait >= 0 && time(NULL) - start >= wait) {
			xasprintf(cause, "the build lock is held by %s", what);
			free(what);
			goto fail;
		}
		if (!told && report != NULL) {
			xasprintf(&msg, "waiting for the build lock, held by "
			    "%s", what);
			log_debug("%s: %s", __func__, msg);
			report(msg);
			free(msg);
			told = 1;
		}
		free(what);
		nanosleep(&ts, NULL);
	}

	/* Ours. A record left behind names a holder that died. */
	if (lock_read_holder(l->holder_path, &old)) {
		what = lock_describe(&old);
		xasprintf(&msg, "broke a stale build lock: its holder is gone "
		    "(%s)", what);
		log_debug("%s: %s", __func__, msg);
		if (report != NULL)
			report(msg);
		free(msg);
		free(what);
		lock_holder_free(&old);
	}
	l->holder.pid = getpid();
	l->holder.run = run;
	l->holder.started = time(NULL);
	l->holder.command = util_vis(command, LOCK_COMMAND_MAX);
	if (lock_write_holder(l, cause) != 0) {
		close(guard);
		goto fail;
	}
	close(guard);
	log_debug("%s: took %s for %s", __func__, l->path, l->holder.command);
	return (l);

fail:
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	free(l->holder_path);
	lock_holder_free(&l->holder);
	free(l);
	return (NULL);
}

/* The descriptor holding the lock, for the command to inherit. */
int
lock_fd(struct lock *l)
{
	return (l->fd);
}

/* Record the pid of the command the holder runs. */
int
lock_set_child(struct lock *l, pid_t child, char **cause)
{
	int	guard, rc;

	if ((guard = lock_guard(l->repo, cause)) == -1)
		return (-1);
	l->holder.child = child;
	rc = lock_write_holder(l, cause);
	close(guard);
	return (rc);
}

/* Remove the record and let go of the lock. */
void
lock_release(struct lock *l)
{
	char	*cause = NULL;
	int	 guard;

	if ((guard = lock_guard(l->repo, &cause)) == -1) {
		log_debug("%s: %s", __func__, cause);
		free(cause);
	}
	unlink(l->holder_path);
	close(l->fd);
	if (guard != -1)
		close(guard);
	log_debug("%s: released %s", __func__, l->path);
	free(l->path);
	free(l->holder_path);
	lock_holder_free(&l->holder);
	free(l);
}

/*
 * Whether the lock is held (*held) and who its record names: 1 with h
 * filled when there is a record, 0 when none, -1 on error.
 */
int
lock_status(struct repo *repo, struct lock_holder *h, int *held, char **cause)
{
	char	*path, *holder_path;
	int	 guard, fd, have;

	*held = 0;
	if ((guard = lock_guard(repo, cause)) == -1)
		return (-1);
	path = lock_file(repo, "build.lock");
	holder_path = lock_file(repo, "build.holder");
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) != -1) {
		if (flock(fd, LOCK_SH|LOCK_NB) != 0)
			*held = 1;
		close(fd);
	}
	have = lock_read_holder(holder_path, h);
	close(guard);
	free(path);
	free(holder_path);
	return (have);
}

char *
lock_holder_text(struct lock_holder *h)
{
	return (lock_describe(h));
}
