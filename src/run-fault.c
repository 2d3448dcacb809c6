/*
 * Runs that failed before doing any work, for a reason that trying again
 * cannot mend: the CLI is missing, refuses a flag of its provider's argv,
 * will not work in an untrusted folder, or cannot find the session it was
 * asked to resume. Such a run is not a transient failure: a setup fault
 * moves the task down its role's chain at once, and a dead session is
 * dropped and the work started again in a fresh one, neither counted
 * against the task's retries.
 *
 * The CLI's own words (an option it does not know, a session it cannot
 * find) reach the run's verdict through its stream adapter; the exit
 * status of a command that could not be run at all, or of a CLI that
 * says nothing, is read here.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

/* How much of the end of a run's standard error is read. */
#define RUN_FAULT_STDERR (64 * 1024)

/*
 * What the exit status alone says; what the CLI printed is read by the
 * stream adapters (adapter_failures in adapter.c) into the run's verdict.
 */
static const struct {
	const char	*format;
	int		 exit_status;
	const char	*text;		/* on stderr, or NULL */
	enum run_fault	 fault;
	const char	*why;
} run_faults[] = {
	{ NULL, 127, "baton: cannot run ", RUN_FAULT_SETUP,
	  "its command could not be run" },
	{ "gemini", 55, NULL, RUN_FAULT_SETUP,
	  "Gemini CLI will not run in a folder it does not trust (exit 55; "
	  "its argv needs --skip-trust)" },
	{ "gemini", 42, NULL, RUN_FAULT_RESUME,
	  "Gemini CLI found no such session in this folder (exit 42)" },
};

/* The last line of text holding needle, made safe to show. */
static char *
run_fault_line(const char *text, const char *needle)
{
	const char	*at, *start, *end;
	char		*line, *safe;

	if ((at = strstr(text, needle)) == NULL)
		return (NULL);
	for (start = at; start > text && start[-1] != '\n'; start--)
		/* nothing */;
	end = at + strcspn(at, "\r\n");
	if (end - start > 300)
		end = start + 300;
	line = xstrndup(start, end - start);
	safe = util_vis(line, 0);
	free(line);
	return (safe);
}

/* The last line of text that is not blank, made safe to show. */
static char *
run_fault_last_line(const char *text)
{
	const char	*end, *start;
	char		*line, *safe;

	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' '))
		end--;
	if (end == text)
		return (NULL);
	for (start = end; start > text && start[-1] != '\n'; start--)
		/* nothing */;
	if (end - start > 300)
		end = start + 300;
	line = xstrndup(start, end - start);
	safe = util_vis(line, 0);
	free(line);
	return (safe);
}

/* The end of a run's standard error, or NULL. */
char *
run_fault_stderr(struct repo *repo, int64_t run)
{
	struct stat	 sb;
	char		*path, *buf;
	ssize_t		 n;
	off_t		 from;
	int		 fd;

	path = repo_run_file(repo, run, "stderr.log");
	fd = open(path, O_RDONLY|O_NOFOLLOW|O_CLOEXEC);
	free(path);
	if (fd == -1)
		return (NULL);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (NULL);
	}
	from = sb.st_size > RUN_FAULT_STDERR ? sb.st_size - RUN_FAULT_STDERR :
	    0;
	buf = xmalloc(RUN_FAULT_STDERR + 1);
	if ((n = pread(fd, buf, RUN_FAULT_STDERR, from)) < 0)
		n = 0;
	buf[n] = '\0';
	close(fd);
	return (buf);
}

/*
 * What kind of fault ended a run of format that exited with exit_status
 * after making ncalls model calls: the verdict's failure ("config" or
 * "session", what the CLI said), else what its exit status and standard
 * error (may be NULL) say. *why says it for people.
 */
enum run_fault
run_fault_classify(const char *format, int exit_status, int64_t ncalls,
    const struct run_verdict *v, const char *stderr_text, char **why)
{
	char	*line = NULL;
	u_int	 i;

	*why = NULL;
	/* A CLI that talked to its model got past its own setup. */
	if (exit_status <= 0 || ncalls > 0)
		return (RUN_FAULT_NONE);
	if (v->failure != NULL && (strcmp(v->failure, "config") == 0 ||
	    strcmp(v->failure, "session") == 0)) {
		*why = run_verdict_reason(v);
		return (strcmp(v->failure, "config") == 0 ? RUN_FAULT_SETUP :
		    RUN_FAULT_RESUME);
	}
	for (i = 0; i < nitems(run_faults); i++) {
		if (run_faults[i].format != NULL && (format == NULL ||
		    strcmp(run_faults[i].format, format) != 0))
			continue;
		if (run_faults[i].exit_status != exit_status)
			continue;
		if (run_faults[i].text != NULL) {
			if (stderr_text == NULL || (line = run_fault_line(
			    stderr_text, run_faults[i].text)) == NULL)
				continue;
		} else if (stderr_text != NULL)
			line = run_fault_last_line(stderr_text);
		if (line != NULL)
			xasprintf(why, "%s: %s", run_faults[i].why, line);
		else
			*why = xstrdup(run_faults[i].why);
		free(line);
		return (run_faults[i].fault);
	}
	return (RUN_FAULT_NONE);
}
