/*
 * Git work happens in baton-git, a small program of its own built from the
 * same sources with libgit2: the main program never starts libgit2, which
 * costs several megabytes per process, and its loop never waits on git.
 * Each request is one child process; its answer is JSON on stdout, its
 * complaint a line on stderr.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* baton-git sits beside the baton binary, built or installed. */
static char *
gitc_path(void)
{
	char	*self, *dir, *path;

	self = util_self_path();
	dir = dirname(self);
	xasprintf(&path, "%s/baton-git", dir);
	free(self);
	return (path);
}

static void
gitc_append(int fd, char **buf, size_t *len, int *open_fd)
{
	char	tmp[8192];
	ssize_t	n;

	n = read(fd, tmp, sizeof tmp);
	if (n == -1 && errno == EINTR)
		return;
	if (n <= 0) {
		close(fd);
		*open_fd = 0;
		return;
	}
	*buf = xrealloc(*buf, *len + n + 1);
	memcpy(*buf + *len, tmp, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/*
 * Run "baton-git [-C workdir] args..." (args ends with NULL, at most
 * GITC_MAXARGS) and return its standard output, or -1 with what it said
 * went wrong.
 */
int
gitc_runv(struct repo *repo, const char **args, char **out, char **cause)
{
	struct pollfd	 pfd[2];
	char		*path, *obuf = NULL, *ebuf = NULL;
	const char	*argv[GITC_MAXARGS + 4];
	size_t		 olen = 0, elen = 0;
	int		 opipe[2], epipe[2], status, oopen = 1, eopen = 1;
	int		 argc = 0, i;
	pid_t		 pid;

	*out = NULL;
	path = gitc_path();
	argv[argc++] = "baton-git";
	if (repo != NULL) {
		argv[argc++] = "-C";
		argv[argc++] = repo->workdir;
	}
	for (i = 0; args[i] != NULL; i++) {
		if (i == GITC_MAXARGS)
			fatalx("%s: too many arguments", __func__);
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;
	log_debug("%s: %s %s %s", __func__, path, args[0],
	    args[1] != NULL ? args[1] : "");
	if (pipe2(opipe, O_CLOEXEC) != 0 || pipe2(epipe, O_CLOEXEC) != 0)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		dup2(opipe[1], STDOUT_FILENO);
		dup2(epipe[1], STDERR_FILENO);
		execv(path, (char **)argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", path,
		    strerror(errno));
		_exit(127);
	}
	close(opipe[1]);
	close(epipe[1]);
	free(path);
	while (oopen || eopen) {
		pfd[0].fd = oopen ? opipe[0] : -1;
		pfd[1].fd = eopen ? epipe[0] : -1;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (oopen && pfd[0].revents != 0)
			gitc_append(opipe[0], &obuf, &olen, &oopen);
		if (eopen && pfd[1].revents != 0)
			gitc_append(epipe[0], &ebuf, &elen, &eopen);
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR)
			fatal("waitpid");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (ebuf != NULL) {
			ebuf[strcspn(ebuf, "\n")] = '\0';
			if (strncmp(ebuf, "baton-git: ", 11) == 0)
				memmove(ebuf, ebuf + 11, strlen(ebuf + 11) + 1);
		}
		*cause = ebuf != NULL && *ebuf != '\0' ? ebuf :
		    xstrdup("baton-git failed");
		if (*cause != ebuf)
			free(ebuf);
		free(obuf);
		return (-1);
	}
	free(ebuf);
	*out = obuf != NULL ? obuf : xstrdup("");
	return (0);
}

/* Run "baton-git [-C workdir] op arg"; see gitc_runv. */
int
gitc_run(struct repo *repo, const char *op, const char *arg, char **out,
    char **cause)
{
	const char	*args[] = { op, arg, NULL };

	return (gitc_runv(repo, args, out, cause));
}

void
diffstat_free(struct diffstat *ds)
{
	size_t	i;

	for (i = 0; i < ds->nlines; i++)
		free(ds->lines[i]);
	free(ds->lines);
	free(ds->patch);
	memset(ds, 0, sizeof *ds);
}

/* The diffstat of a task's branch, from baton-git. */
int
gitc_diffstat(struct repo *repo, const char *branch, struct diffstat *ds,
    char **cause)
{
	cJSON	*root, *item;
	char	*out;

	memset(ds, 0, sizeof *ds);
	if (gitc_run(repo, "diffstat", branch, &out, cause) != 0)
		return (-1);
	if ((root = cJSON_Parse(out)) == NULL) {
		xasprintf(cause, "baton-git said: %.200s", out);
		free(out);
		return (-1);
	}
	free(out);
	ds->files = (size_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(root, "files"));
	ds->insertions = (size_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(root, "insertions"));
	ds->deletions = (size_t)cJSON_GetNumberValue(
	    cJSON_GetObjectItemCaseSensitive(root, "deletions"));
	item = cJSON_GetObjectItemCaseSensitive(root, "lines");
	cJSON_ArrayForEach(item, item) {
		if (!cJSON_IsString(item))
			continue;
		ds->lines = xreallocarray(ds->lines, ds->nlines + 1,
		    sizeof *ds->lines);
		ds->lines[ds->nlines++] = xstrdup(item->valuestring);
	}
	item = cJSON_GetObjectItemCaseSensitive(root, "patch");
	if (cJSON_IsString(item))
		ds->patch = xstrdup(item->valuestring);
	cJSON_Delete(root);
	return (0);
}

/* Make the demo's repository in dir, in baton-git. */
int
gitc_demo_repository(const char *dir, char **cause)
{
	char	*out;

	if (gitc_run(NULL, "demo-repo", dir, &out, cause) != 0)
		return (-1);
	free(out);
	return (0);
}
