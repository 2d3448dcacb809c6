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

#include "baton.h"

/* A directory that holds a git repository's files? */
static int
repo_is_gitdir(const char *dir)
{
	static const char	*parts[] = { "HEAD", "objects", "refs" };
	struct stat		 sb;
	char			*path;
	u_int			 i;

	for (i = 0; i < nitems(parts); i++) {
		xasprintf(&path, "%s/%s", dir, parts[i]);
		if (stat(path, &sb) != 0) {
			free(path);
			return (0);
		}
		free(path);
	}
	return (1);
}

/* A linked worktree's git directory has HEAD but shares the rest. */
static int
repo_has_head(const char *dir)
{
	struct stat	 sb;
	char		*path;
	int		 found;

	xasprintf(&path, "%s/HEAD", dir);
	found = (stat(path, &sb) == 0);
	free(path);
	return (found);
}

/* The first line of a small file, or NULL. */
static char *
repo_read_line(const char *path)
{
	char	 buf[4096];
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		return (NULL);
	}
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return (xstrdup(buf));
}

/* path made absolute against base, and without symbolic links. */
static char *
repo_resolve(const char *base, const char *path)
{
	char	*joined, *real;

	if (*path == '/')
		joined = xstrdup(path);
	else
		xasprintf(&joined, "%s/%s", base, path);
	real = realpath(joined, NULL);
	free(joined);
	return (real);
}

/*
 * Fill r for a work tree at dir whose .git is gitdir: a linked worktree's
 * git directory names the common one in "commondir", and the main work tree
 * is the folder that holds that.
 */
static int
repo_fill(struct repo *r, const char *dir, const char *gitdir, char **cause)
{
	char	*path, *line, *common = NULL;
	size_t	 len;

	xasprintf(&path, "%s/commondir", gitdir);
	if ((line = repo_read_line(path)) != NULL) {
		common = repo_resolve(gitdir, line);
		free(line);
	}
	free(path);
	if (common == NULL) {
		r->gitdir = xstrdup(gitdir);
		r->workdir = xstrdup(dir);
		return (0);
	}
	r->gitdir = common;
	len = strlen(common);
	if (len > 5 && strcmp(common + len - 5, "/.git") == 0)
		r->workdir = xstrndup(common, len - 5);
	else {
		xasprintf(cause, "%s is a worktree of a bare repository: baton "
		    "needs its main work tree", dir);
		return (-1);
	}
	return (0);
}

/*
 * Find the repository around path, looking upwards for .git as git does.
 * This reads a few files and does not start libgit2, which costs several
 * megabytes of memory that most commands never need.
 */
struct repo *
repo_find(const char *path, char **cause)
{
	struct repo	*r;
	struct stat	 sb;
	char		*dir, *dotgit, *line, *gitdir, *slash;
	int		 rc = -1;

	if ((dir = realpath(path, NULL)) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	r = xcalloc(1, sizeof *r);
	for (;;) {
		xasprintf(&dotgit, "%s/.git", *dir == '\0' ? "" : dir);
		if (stat(dotgit, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    repo_is_gitdir(dotgit)) {
			rc = repo_fill(r, *dir == '\0' ? "/" : dir, dotgit,
			    cause);
			free(dotgit);
			break;
		}
		if (stat(dotgit, &sb) == 0 && S_ISREG(sb.st_mode)) {
			/* "gitdir: PATH": a linked worktree or a submodule. */
			line = repo_read_line(dotgit);
			gitdir = NULL;
			if (line != NULL && strncmp(line, "gitdir: ", 8) == 0)
				gitdir = repo_resolve(dir, line + 8);
			free(line);
			if (gitdir == NULL || !repo_has_head(gitdir)) {
				xasprintf(cause, "%s does not point at a git "
				    "directory", dotgit);
				free(gitdir);
				free(dotgit);
				break;
			}
			rc = repo_fill(r, dir, gitdir, cause);
			free(gitdir);
			free(dotgit);
			break;
		}
		free(dotgit);
		if (repo_is_gitdir(*dir == '\0' ? "/" : dir)) {
			slash = strrchr(dir, '/');
			if (slash != NULL && strcmp(slash, "/.git") == 0) {
				/* Inside a work tree's .git: use the tree. */
				*slash = '\0';
				continue;
			}
			xasprintf(cause, "%s is a bare repository: baton needs "
			    "a work tree", dir);
			break;
		}
		if ((slash = strrchr(dir, '/')) == NULL || *dir == '\0') {
			xasprintf(cause, "not inside a git repository (%s): "
			    "baton keeps its state beside a git work tree; run "
			    "'git init' first", path);
			break;
		}
		*slash = '\0';
	}
	free(dir);
	if (rc != 0) {
		repo_free(r);
		return (NULL);
	}
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
