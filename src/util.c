/* Small helpers: UTF-8 checks, safe rendering of outside text, paths, time. */

#include <sys/stat.h>

#include <dirent.h>
#include <signal.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "baton.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq(const u_char *s, size_t n, uint32_t *cp)
{
	uint32_t	c;
	size_t		len, i;

	if (n == 0)
		return (0);
	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) ||
	    (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (len);
}

int
utf8_valid(const char *s, size_t n)
{
	const u_char	*p = (const u_char *)s;
	size_t		 len;
	uint32_t	 cp;

	while (n > 0) {
		if ((len = utf8_seq(p, n, &cp)) == 0)
			return (0);
		p += len;
		n -= len;
	}
	return (1);
}

/* A copy of s with every invalid byte replaced by U+FFFD. */
char *
utf8_sanitize(const char *s)
{
	const u_char	*p = (const u_char *)s;
	size_t		 n = strlen(s), len, out = 0;
	uint32_t	 cp;
	char		*buf;

	buf = xmalloc(n * 3 + 1);
	while (n > 0) {
		if ((len = utf8_seq(p, n, &cp)) == 0) {
			memcpy(buf + out, "\xef\xbf\xbd", 3);
			out += 3;
			p++;
			n--;
			continue;
		}
		memcpy(buf + out, p, len);
		out += len;
		p += len;
		n -= len;
	}
	buf[out] = '\0';
	return (buf);
}

/*
 * Make outside text safe to print on a terminal: control characters become
 * C escapes, invalid UTF-8 becomes \xNN. At most max bytes of s are read
 * (0 for all of it).
 */
char *
util_vis(const char *s, size_t max)
{
	const u_char	*p = (const u_char *)s;
	size_t		 n = strlen(s), len, out = 0;
	uint32_t	 cp;
	char		*buf;

	if (max != 0 && n > max)
		n = max;
	buf = xmalloc(n * 4 + 1);
	while (n > 0) {
		len = utf8_seq(p, n, &cp);
		if (len == 0) {
			out += sprintf(buf + out, "\\x%02x", *p);
			p++;
			n--;
			continue;
		}
		if (len == 1 && (cp < 0x20 || cp == 0x7f)) {
			switch (cp) {
			case '\n':
				memcpy(buf + out, "\\n", 2);
				out += 2;
				break;
			case '\t':
				memcpy(buf + out, "\\t", 2);
				out += 2;
				break;
			case '\r':
				memcpy(buf + out, "\\r", 2);
				out += 2;
				break;
			default:
				out += sprintf(buf + out, "\\%03o", cp);
				break;
			}
		} else if (len == 2 && cp >= 0x80 && cp < 0xa0) {
			/* C1 controls can start terminal sequences too. */
			out += sprintf(buf + out, "\\u%04x", cp);
		} else {
			memcpy(buf + out, p, len);
			out += len;
		}
		p += len;
		n -= len;
	}
	buf[out] = '\0';
	return (buf);
}

/* Display width of valid UTF-8 text; unprintable characters count 1. */
size_t
util_width(const char *s)
{
	const u_char	*p = (const u_char *)s;
	size_t		 n = strlen(s), len, width = 0;
	uint32_t	 cp;
	int		 w;

	while (n > 0) {
		if ((len = utf8_seq(p, n, &cp)) == 0)
			len = 1, cp = '?';
		w = wcwidth((wchar_t)cp);
		width += (w < 0) ? 1 : (size_t)w;
		p += len;
		n -= len;
	}
	return (width);
}

/* A copy of valid UTF-8 s cut to at most cols columns, ending in an ellipsis. */
char *
util_fit(const char *s, size_t cols)
{
	const u_char	*p = (const u_char *)s;
	size_t		 n = strlen(s), len, width = 0;
	uint32_t	 cp;
	int		 w;
	char		*buf;

	if (util_width(s) <= cols)
		return (xstrdup(s));
	if (cols == 0)
		return (xstrdup(""));
	while (n > 0) {
		if ((len = utf8_seq(p, n, &cp)) == 0)
			len = 1, cp = '?';
		w = wcwidth((wchar_t)cp);
		if (w < 0)
			w = 1;
		if (width + (size_t)w > cols - 1)
			break;
		width += (size_t)w;
		p += len;
		n -= len;
	}
	len = p - (const u_char *)s;
	buf = xmalloc(len + 4);
	memcpy(buf, s, len);
	memcpy(buf + len, "\xe2\x80\xa6", 4);
	return (buf);
}

/* Format an epoch time as local "YYYY-MM-DD HH:MM". */
char *
util_time(int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;
	char		buf[64];

	if (t == 0)
		return (xstrdup("-"));
	localtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
	return (xstrdup(buf));
}

/* Make a directory and its parents; the last one gets mode. */
int
util_mkdir_p(const char *path, mode_t mode, char **cause)
{
	char		*copy, *p;
	struct stat	 sb;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST) {
			xasprintf(cause, "%s: %s", copy, strerror(errno));
			free(copy);
			return (-1);
		}
		*p = '/';
	}
	free(copy);
	if (mkdir(path, mode) != 0) {
		if (errno != EEXIST || stat(path, &sb) != 0 ||
		    !S_ISDIR(sb.st_mode)) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			return (-1);
		}
	}
	return (0);
}

/*
 * Is any process of group pgid still running? Zombies do not count: where
 * init does not reap orphans they linger, and kill(-pgid, 0) would say the
 * group is alive for ever.
 */
int
util_pgrp_alive(pid_t pgid)
{
	DIR		*dir;
	struct dirent	*de;
	char		 path[300], buf[512], *p, state;
	long		 pgrp;
	FILE		*f;
	int		 alive = 0;

	if ((dir = opendir("/proc")) == NULL)
		return (kill(-pgid, 0) == 0 || errno == EPERM);
	while (!alive && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 1, " %c %*d %ld", &state, &pgrp) == 2 &&
		    pgrp == (long)pgid && state != 'Z' && state != 'X')
			alive = 1;
		fclose(f);
	}
	closedir(dir);
	return (alive);
}

/* Whether process pid is there and not a zombie. */
int
util_pid_alive(pid_t pid)
{
	char	 path[64], buf[512], *p, state;
	FILE	*f;
	int	 alive = 0;

	if (pid <= 1 || (kill(pid, 0) != 0 && errno != EPERM))
		return (0);
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (1);
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 1, " %c", &state) == 1 && state != 'Z' && state != 'X')
		alive = 1;
	fclose(f);
	return (alive);
}

/*
 * The path of baton's own binary. The link is read rather than resolved,
 * so that a baton whose binary was replaced while it ran (an upgrade, a
 * rebuild) still names the new one and finds baton-git beside it.
 */
char *
util_self_path(void)
{
	char		 self[PATH_MAX];
	const char	 deleted[] = " (deleted)";
	ssize_t		 n;
	size_t		 len, dlen = sizeof deleted - 1;

	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		fatal("cannot find baton's own binary");
	self[n] = '\0';
	len = (size_t)n;
	if (len > dlen && strcmp(self + len - dlen, deleted) == 0)
		self[len - dlen] = '\0';
	return (xstrdup(self));
}

/*
 * Write a file whole or not at all: a copy under a name of this process's
 * own, synced, then renamed over path, so no reader (nor a crash) ever
 * sees half of it and two writers never share a temporary file.
 */
int
util_write_file(const char *path, const char *text, size_t len, char **cause)
{
	char	*tmp;
	int	 fd, rc = -1;
	ssize_t	 n;
	size_t	 done = 0;

	xasprintf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600)) == -1)
		goto out;
	while (done < len) {
		if ((n = write(fd, text + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += n;
	}
	if (done == len && fsync(fd) == 0 && close(fd) == 0) {
		fd = -1;
		if (rename(tmp, path) == 0)
			rc = 0;
	}
out:
	if (rc != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp);
	}
	free(tmp);
	return (rc);
}

/* The index of name in a table of n names, or -1. */
int
util_name_index(const char *const *names, u_int n, const char *name)
{
	u_int	i;

	for (i = 0; i < n; i++) {
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return ((int)i);
	}
	return (-1);
}
