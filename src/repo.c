/*
 * Finding the repository baton works for, and laying out .baton/ in it.
 * From a linked worktree (an agent's), this is the main work tree's .baton/.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>

#include "baton.h"

static char *
strip_slash(const char *path)
{
	char	*copy = xstrdup(path);
	size_t	 len = strlen(copy);

	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	return (copy);
}

/* Find the repository around path. */
struct repo *
repo_find(const char *path, char **cause)
{
	git_repository	*g = NULL;
	const git_error	*e;
	struct repo	*r;
	const char	*common;
	char		*dir;
	size_t		 len;
	int		 rc;

	git_libgit2_init();
	rc = git_repository_open_ext(&g, path, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		xasprintf(cause, "not inside a git repository (%s): baton keeps "
		    "its state beside a git work tree; run 'git init' first",
		    path);
		return (NULL);
	}
	if (rc != 0) {
		e = git_error_last();
		xasprintf(cause, "%s: %s", path, e != NULL ? e->message :
		    "cannot open the git repository");
		return (NULL);
	}
	if (git_repository_is_bare(g)) {
		xasprintf(cause, "%s is a bare repository: baton needs a work "
		    "tree", git_repository_path(g));
		git_repository_free(g);
		return (NULL);
	}

	r = xcalloc(1, sizeof *r);
	common = git_repository_commondir(g);
	r->gitdir = strip_slash(common);
	if (git_repository_is_worktree(g)) {
		/* The main work tree is the folder that holds .git. */
		dir = xstrdup(r->gitdir);
		len = strlen(dir);
		if (len > 5 && strcmp(dir + len - 5, "/.git") == 0) {
			dir[len - 5] = '\0';
			r->workdir = dir;
		} else {
			free(dir);
			r->workdir = strip_slash(git_repository_workdir(g));
		}
	} else
		r->workdir = strip_slash(git_repository_workdir(g));
	git_repository_free(g);

	xasprintf(&r->dir, "%s/.baton", r->workdir);
	xasprintf(&r->db_path, "%s/baton.db", r->dir);
	log_debug("%s: workdir %s, gitdir %s", __func__, r->workdir, r->gitdir);
	return (r);
}

void
repo_free(struct repo *r)
{
	if (r == NULL)
		return;
	free(r->workdir);
	free(r->gitdir);
	free(r->dir);
	free(r->db_path);
	free(r);
}

static int
repo_mkdir(const char *path, char **cause)
{
	struct stat	sb;

	if (mkdir(path, 0700) != 0) {
		if (errno != EEXIST) {
			xasprintf(cause, "cannot create %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			xasprintf(cause, "%s exists and is not a directory",
			    path);
			return (-1);
		}
		/* Agents' logs and costs are the user's alone. */
		if ((sb.st_mode & 077) != 0 && chmod(path, 0700) != 0) {
			xasprintf(cause, "cannot make %s private: %s", path,
			    strerror(errno));
			return (-1);
		}
	}
	return (0);
}

/* Create .baton/ and its folders (0700) and the sample config (0600). */
int
repo_init_dir(struct repo *r, char **cause)
{
	static const char	*subdirs[] = { "runs", "worktrees" };
	char			*path, *sample;
	u_int			 i;
	int			 fd;
	size_t			 len;
	ssize_t			 n;

	if (repo_mkdir(r->dir, cause) != 0)
		return (-1);
	for (i = 0; i < nitems(subdirs); i++) {
		xasprintf(&path, "%s/%s", r->dir, subdirs[i]);
		if (repo_mkdir(path, cause) != 0) {
			free(path);
			return (-1);
		}
		free(path);
	}

	xasprintf(&path, "%s/config", r->dir);
	fd = open(path, O_WRONLY|O_CREAT|O_EXCL, 0600);
	if (fd == -1 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	if (fd != -1) {
		/* A commented sample from the options table. */
		sample = config_sample();
		len = strlen(sample);
		n = write(fd, sample, len);
		free(sample);
		if (n != (ssize_t)len || close(fd) != 0) {
			xasprintf(cause, "cannot write %s: %s", path,
			    strerror(errno));
			free(path);
			return (-1);
		}
	}
	free(path);
	return (0);
}

/* Add /.baton/ to .git/info/exclude unless a line already names it. */
int
repo_exclude_baton(struct repo *r, char **cause)
{
	char	*info, *path, *line = NULL;
	FILE	*f;
	size_t	 size = 0;
	ssize_t	 len;
	int	 found = 0, last_newline = 1;

	xasprintf(&info, "%s/info", r->gitdir);
	if (mkdir(info, 0755) != 0 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", info, strerror(errno));
		free(info);
		return (-1);
	}
	xasprintf(&path, "%s/exclude", info);
	free(info);

	if ((f = fopen(path, "r")) != NULL) {
		while ((len = getline(&line, &size, f)) != -1) {
			last_newline = (len > 0 && line[len - 1] == '\n');
			line[strcspn(line, "\r\n")] = '\0';
			if (strcmp(line, "/.baton/") == 0 ||
			    strcmp(line, ".baton/") == 0 ||
			    strcmp(line, "/.baton") == 0 ||
			    strcmp(line, ".baton") == 0)
				found = 1;
		}
		free(line);
		fclose(f);
	}
	if (found) {
		free(path);
		return (0);
	}
	if ((f = fopen(path, "a")) == NULL) {
		xasprintf(cause, "cannot update %s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	fprintf(f, "%s/.baton/\n", last_newline ? "" : "\n");
	if (fclose(f) != 0) {
		xasprintf(cause, "cannot update %s: %s", path, strerror(errno));
		free(path);
		return (-1);
	}
	free(path);
	return (0);
}

/* .baton/runs/RUN, where one run keeps its logs and files. */
char *
repo_run_dir(struct repo *r, int64_t run)
{
	char	*path;

	xasprintf(&path, "%s/runs/%lld", r->dir, (long long)run);
	return (path);
}

char *
repo_run_file(struct repo *r, int64_t run, const char *name)
{
	char	*path;

	xasprintf(&path, "%s/runs/%lld/%s", r->dir, (long long)run, name);
	return (path);
}
