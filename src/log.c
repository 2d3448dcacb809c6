/*
 * Opt-in debug log (-v) and the fatal exits. The log goes to
 * $XDG_STATE_HOME/baton/baton-PID.log so that it never lands in a work tree.
 */

#include <sys/time.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baton.h"

static FILE	*log_file;
static void	(*fatal_cleanup)(void);

/* Open the debug log, at path or in the default place when path is NULL. */
void
log_open(const char *path)
{
	char		*dir = NULL, *file = NULL, *cause = NULL;
	const char	*state, *home;

	if (log_file != NULL)
		return;
	if (path == NULL) {
		if ((state = getenv("XDG_STATE_HOME")) != NULL && *state == '/')
			xasprintf(&dir, "%s/baton", state);
		else {
			if ((home = getenv("HOME")) == NULL || *home == '\0')
				home = "/tmp";
			xasprintf(&dir, "%s/.local/state/baton", home);
		}
		if (util_mkdir_p(dir, 0700, &cause) != 0) {
			fprintf(stderr, "baton: no debug log: %s\n", cause);
			free(cause);
			free(dir);
			return;
		}
		xasprintf(&file, "%s/baton-%ld.log", dir, (long)getpid());
		path = file;
	}
	log_file = fopen(path, "a");
	if (log_file == NULL)
		fprintf(stderr, "baton: no debug log: %s: %s\n", path,
		    strerror(errno));
	else
		setvbuf(log_file, NULL, _IOLBF, 0);
	free(file);
	free(dir);
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

static void
log_vwrite(const char *fmt, va_list ap)
{
	struct timeval	 tv;

	if (log_file == NULL)
		return;
	gettimeofday(&tv, NULL);
	fprintf(log_file, "%lld.%06d ", (long long)tv.tv_sec, (int)tv.tv_usec);
	vfprintf(log_file, fmt, ap);
	fputc('\n', log_file);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_file == NULL)
		return;
	va_start(ap, fmt);
	log_vwrite(fmt, ap);
	va_end(ap);
}

/* Run before a fatal exit: the UI uses it to give the terminal back. */
void
fatal_set_cleanup(void (*fn)(void))
{
	fatal_cleanup = fn;
}

static __dead void
fatal_exit(const char *msg)
{
	if (fatal_cleanup != NULL)
		fatal_cleanup();
	fprintf(stderr, "baton: fatal: %s\n", msg);
	log_debug("fatal: %s", msg);
	abort();
}

__dead void
fatal(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;
	size_t	 len;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	len = strlen(buf);
	snprintf(buf + len, sizeof buf - len, ": %s", strerror(saved));
	fatal_exit(buf);
}

__dead void
fatalx(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fatal_exit(buf);
}

int
log_debug_enabled(void)
{
	return (log_file != NULL);
}
