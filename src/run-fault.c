/*
 * Runs that failed before doing any work, for a reason that trying again
 * cannot mend: the CLI is missing, refuses a flag of its provider's argv,
 * will not work in an untrusted folder, or cannot find the session it was
 * asked to resume. Such a run is not a transient failure: a setup fault
 * moves the task down its role's chain at once, and a dead session is
 * dropped and the work started again in a fresh one, neither counted
 * against the task's retries.
 *
 * Each fault is a row of the table: the stream format it applies to (NULL
 * for any), the exit status (-1 for any failing one) and a text its
 * standard error or stream carries (NULL for none needed).
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

/* How much of the end of a run's standard error is read. */
#define RUN_FAULT_STDERR (64 * 1024)

static const struct {
	const char	*format;
	int		 exit_status;
	const char	*text;
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
	{ NULL, -1, "No previous sessions found", RUN_FAULT_RESUME,
	  "the CLI found no such session in this folder" },
	{ NULL, -1, "No conversation found with session ID", RUN_FAULT_RESUME,
	  "the CLI found no such session in this folder" },
	{ NULL, -1, "error: unknown option", RUN_FAULT_SETUP,
	  "the CLI does not know an option of its argv" },
	{ NULL, -1, "error: unexpected argument", RUN_FAULT_SETUP,
	  "the CLI does not know an argument of its argv" },
	{ NULL, -1, "error: unrecognized subcommand", RUN_FAULT_SETUP,
	  "the CLI does not know a subcommand of its argv" },
	{ NULL, -1, "Unknown argument", RUN_FAULT_SETUP,
	  "the CLI does not know an argument of its argv" },
	{ NULL, -1, "Unknown arguments:", RUN_FAULT_SETUP,
	  "the CLI does not know an argument of its argv" },
	{ NULL, -1, "Invalid values:", RUN_FAULT_SETUP,
	  "the CLI refuses a value of its argv" },
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
 * after making ncalls model calls, from its standard error and the last
 * error its stream gave (either may be NULL). *why says it for people.
 */
enum run_fault
run_fault_classify(const char *format, int exit_status, int64_t ncalls,
    const char *stderr_text, const char *error_text, char **why)
{
	const char	*texts[2] = { stderr_text, error_text };
	char		*line = NULL;
	u_int		 i, k;

	*why = NULL;
	/* A CLI that talked to its model got past its own setup. */
	if (exit_status <= 0 || ncalls > 0)
		return (RUN_FAULT_NONE);
	for (i = 0; i < nitems(run_faults); i++) {
		if (run_faults[i].format != NULL && (format == NULL ||
		    strcmp(run_faults[i].format, format) != 0))
			continue;
		if (run_faults[i].exit_status != -1 &&
		    run_faults[i].exit_status != exit_status)
			continue;
		if (run_faults[i].text != NULL) {
			for (k = 0; k < nitems(texts) && line == NULL; k++) {
				if (texts[k] != NULL)
					line = run_fault_line(texts[k],
					    run_faults[i].text);
			}
			if (line == NULL)
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
