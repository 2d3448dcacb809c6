/*
 * demo: build a throwaway repository holding a small real program and a
 * sprint that starts from one request in plain words, so there is
 * something to look at straight away. Fake agents play every part: the
 * architect decomposes the request, workers write and commit real files
 * (one hits its usage limit and falls back), a reviewer asks for changes
 * once, two tasks conflict and a resolution task settles it, the tests
 * run before each landing, and a lesson is recorded at the end.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

static int	cmd_demo_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_demo_entry = {
	.name = "demo",
	.alias = NULL,
	.usage = "[--dir DIR] [--speed S] [--no-agents]",
	.doc = "Build a sample repository (in DIR, or a new temporary folder) "
	    "with a request for the architect to plan, worked by fake agents; "
	    "set it going and open the screen on it; --speed scales the "
	    "agents' pauses.",
	.flags = 0,
	.exec = cmd_demo_exec,
};

/*
 * What the fake agents do on each subtask (#2 to #9), whichever provider
 * gets it: real files written and committed in the task's worktree, with
 * calls that cost something. Lines are scenario directives; %s is the
 * task's own file. #3 and #4 both start NEWS, so whichever lands second
 * conflicts with main.
 */
static const struct {
	const char	*file;
	const char	*msg;
	const char	*text;
} demo_work[] = {
	{ "DESIGN.md", "Design the -c and -L options",
	  "think The options need names that do not clash with wc's.\n"
	  "text I'll read wc-lite.c and write the option design down.\n"
	  "tool Read wc-lite.c\n"
	  "call 4 800 18100 520\n"
	  "write %s # Options\n"
	  "append %s -c counts characters (UTF-8), not bytes.\n"
	  "append %s -L prints the length of the longest line.\n" },
	{ "chars.c", "Count characters with -c",
	  "text Counting characters means decoding UTF-8 lead bytes.\n"
	  "tool Read DESIGN.md\n"
	  "call 6 1200 15400 610\n"
	  "write %s /* -c: count UTF-8 characters, not bytes. */\n"
	  "append %s int is_lead(unsigned char c) { return (c & 0xc0) != 0x80; }\n"
	  "append NEWS -c counts characters, not bytes.\n" },
	{ "longest.c", "Add -L, the longest line",
	  "text The longest line is a running maximum over line lengths.\n"
	  "call 5 900 14800 540\n"
	  "write %s /* -L: the length of the longest line. */\n"
	  "append %s size_t longest = 0;\n"
	  "append NEWS -L prints the length of the longest line.\n" },
	{ "files.c", "Read the files named on the command line",
	  "text Reading how wc-lite takes its input.\n"
	  "tool shell sed -n 1,40p wc-lite.c\n"
	  "call 7 0 10100 880\n"
	  "write %s /* Files named on the command line are read in order. */\n"
	  "tool shell make\n" },
	{ "total.c", "Print a total line for several files",
	  "text A total line appears only for two or more files.\n"
	  "call 5 0 11200 300\n"
	  "write %s /* total: the sums over every file, printed last. */\n" },
	{ "tests/options.sh", "Test every option",
	  "text Each option gets a case with a known answer.\n"
	  "call 6 1500 16200 720\n"
	  "write %s #!/bin/sh\n"
	  "append %s printf 'caf\\303\\251\\n' | ./wc-lite -c | grep -q 5\n"
	  "tool Bash baton lock -- sh tests/options.sh\n" },
	{ "wc-lite.1", "Write the man page",
	  "text The man page lists every option with an example.\n"
	  "call 8 2000 9000 900\n"
	  "write %s .Dd November 21, 2026\n"
	  "append %s .Dt WC-LITE 1\n" },
	{ "REVIEW.md", "Check the release",
	  "text Checking the release: options, tests and the man page.\n"
	  "tool shell git log --oneline\n"
	  "call 9 0 21000 450\n"
	  "write %s Approved: every option is covered by a test.\n" },
};

/*
 * The providers of the demo: the fake agent in three stream formats. The
 * first three do the work; demo-review only reviews and demo-haiku only
 * writes lessons, so that their scenarios never mix with the work's.
 */
#define DEMO_WORKERS 3
static const struct {
	const char	*name;
	const char	*format;
	const char	*model;
} demo_providers[] = {
	{ "demo-claude", "claude", "claude-sonnet-4-5" },
	{ "demo-codex", "codex", "gpt-5-codex" },
	{ "demo-gemini", "gemini", "gemini-2.5-pro" },
	{ "demo-review", "codex", "gpt-5-codex" },
	{ "demo-haiku", "claude", "claude-haiku-4-5" },
};

/* Which providers each role tries, in order. */
static const char demo_roles[] =
	"[role \"architect\"]\nchain = demo-claude, demo-gemini\n\n"
	"[role \"worker\"]\nchain = demo-claude, demo-codex\n\n"
	"[role \"designer\"]\nchain = demo-gemini, demo-claude\n\n"
	"[role \"reviewer\"]\nchain = demo-review\n\n"
	"[role \"triager\"]\nchain = demo-haiku\n";

/* The request the sprint starts from: the architect plans it as #1. */
static const char demo_request[] =
	"wc-lite counts the lines, words and bytes of its standard input. Make "
	"it a tool people can use: count characters rather than bytes with -c, "
	"report the longest line with -L, read the files named on the command "
	"line with a total line when there are several, cover every option "
	"with tests, write a man page, and check the release as a whole.";

/*
 * The architect's answer: parallel branches and a last task that waits on
 * all. They become #2 to #9, and the validation after them #10.
 */
static const char demo_plan[] =
	"["
	"{\"title\":\"Sketch the --chars and --longest options\","
	"\"role\":\"architect\",\"body\":\"Write the option design into "
	"DESIGN.md.\"},"
	"{\"title\":\"Add a -c option that counts characters, not bytes\","
	"\"role\":\"worker\",\"blocked_by\":[0]},"
	"{\"title\":\"Add -L: the length of the longest line\","
	"\"role\":\"worker\",\"blocked_by\":[0]},"
	"{\"title\":\"Read files named on the command line\","
	"\"role\":\"worker\"},"
	"{\"title\":\"Print a total line for several files\","
	"\"role\":\"worker\",\"blocked_by\":[3]},"
	"{\"title\":\"Cover every option in test.sh\","
	"\"role\":\"worker\",\"blocked_by\":[1,2,4]},"
	"{\"title\":\"Write the man page\",\"role\":\"designer\","
	"\"blocked_by\":[1,2,4]},"
	"{\"title\":\"Check the release\",\"role\":\"architect\","
	"\"blocked_by\":[5,6]}"
	"]";

/*
 * The other parts, each a scenario file of one provider: the plan and its
 * validation (the architect's), the review that asks for changes on #6
 * and the worker's second go at it, any other review, any resolution of
 * a conflict (the worker's default), and any lesson.
 */
static const struct {
	const char	*provider;	/* NULL: every worker provider */
	const char	*file;
	const char	*text;
} demo_parts[] = {
	{ "demo-claude", "T1.txt",
	  "pace 700\ncall 8 6100 14000 900\n"
	  "think The request splits along the options; tests and the man page "
	  "wait for them.\ntool Read wc-lite.c\ncall 4 0 20100 1400\n"
	  "text The plan, as JSON:\ntext %s\n" },
	{ "demo-gemini", "T1.txt",
	  "pace 700\ncall 8 0 14000 900\ntool Read wc-lite.c\n"
	  "text The plan, as JSON:\ntext %s\n" },
	{ "demo-claude", "T10.txt",
	  "pace 700\ncall 6 0 21000 300\ntool shell git log --oneline main\n"
	  "text Every part of the request is on main and tested.\n"
	  "text {\"gaps\": []}\n" },
	{ "demo-gemini", "T10.txt",
	  "pace 700\ncall 6 0 21000 300\n"
	  "text Nothing is missing: {\"gaps\": []}\n" },
	{ "demo-review", "T6.2.txt",
	  "pace 600\ncall 7 0 9800 420\ntool Read total.c\n"
	  "text The total line must not appear for a single file.\n"
	  "text {\"verdict\": \"changes\", \"comments\": [\"total.c:1: say "
	  "that the total is printed only for two or more files\"]}\n" },
	{ "demo-review", "default.txt",
	  "pace 600\ncall 7 0 9800 300\ntool shell git diff main\n"
	  "text The change does what the task asks, and drops nothing.\n"
	  "text {\"verdict\": \"approve\"}\n" },
	{ NULL, "T6.3.txt",
	  "pace 800\ncall 5 0 12000 260\n"
	  "text The review is right: a single file gets no total.\n"
	  "append total.c /* Only for two or more files. */\n"
	  "commit Print the total only for several files\n"
	  "text Done, and committed.\n" },
	{ NULL, "default.txt",
	  "pace 800\ncall 6 0 15000 500\n"
	  "text Keeping both sides of the conflict.\n"
	  "resolve\ncall 3 0 16000 200\n"
	  "text Resolved: both changes are kept, on top of main.\n" },
	{ "demo-haiku", "default.txt",
	  "pace 500\ncall 4 0 6000 120\n"
	  "text {\"lesson\": \"Say in the code when a summary line is "
	  "printed; the review asked why a single file got none.\"}\n" },
};

/* baton-fake-agent, installed beside baton or in the build tree. */
static char *
demo_fake_agent(const char *self)
{
	char	*copy, *dir, *path;

	copy = xstrdup(self);
	dir = dirname(copy);
	xasprintf(&path, "%s/baton-fake-agent", dir);
	if (access(path, X_OK) != 0) {
		free(path);
		xasprintf(&path, "%s/contrib/fake-agent/baton-fake-agent", dir);
	}
	free(copy);
	return (path);
}

/* Write a file of the demo, or say why not. */
static int
demo_write(const char *path, const char *text, char **cause)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	return (0);
}

static int	demo_put(const char *, char *, char **, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* Write a scenario file in dir and free its text. */
static int
demo_put(const char *dir, char *text, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*name, *path;
	int	 rc;

	va_start(ap, fmt);
	xvasprintf(&name, fmt, ap);
	va_end(ap);
	xasprintf(&path, "%s/%s", dir, name);
	rc = demo_write(path, text, cause);
	free(path);
	free(name);
	free(text);
	return (rc);
}

/*
 * The demo's configuration and scenarios: three fake providers, each with
 * a scenario for every task, and the first worker run on demo-claude hits
 * its usage limit halfway, so the task falls back to demo-codex while a
 * countdown runs. speed scales every pause and the limit's reset.
 */
static int
demo_configure(const char *self, struct repo *repo, double speed,
    char **cause)
{
	char	*fake, *dir, *path, *text, *conf, *old, *work, *f[3];
	u_int	 i, j, reset;
	int	 rc = -1;

	fake = demo_fake_agent(self);
	/* Long enough that the fallback comes first even at high speed. */
	reset = (u_int)(45 * speed + 0.5);
	if (reset < 15)
		reset = 15;
	xasprintf(&conf, "# The demo's providers: baton-fake-agent playing the "
	    "scenarios in\n# %s/demo, in three stream formats.\n\n[baton]\n"
	    "concurrency = 3\nretries = 2\nbackoff = 5\n"
	    "test = make -s test\n\n", repo->dir);
	for (i = 0; i < nitems(demo_providers); i++) {
		xasprintf(&dir, "%s/demo/%s", repo->dir, demo_providers[i].name);
		if (util_mkdir_p(dir, 0700, cause) != 0) {
			free(dir);
			goto out;
		}
		for (j = 0; i < DEMO_WORKERS && j < nitems(demo_work); j++) {
			f[0] = f[1] = f[2] = (char *)demo_work[j].file;
			xasprintf(&work, demo_work[j].text, f[0], f[1], f[2]);
			xasprintf(&text, "model %s\npace 900\n"
			    "call 6 5200 12800 240\n%scall 3 300 18900 180\n"
			    "commit %s\ntext Done, and committed.\n",
			    demo_providers[i].model, work, demo_work[j].msg);
			free(work);
			if ((rc = demo_put(dir, text, cause, "T%u.txt",
			    j + 2)) != 0) {
				free(dir);
				goto out;
			}
		}
		if (strcmp(demo_providers[i].name, "demo-claude") == 0) {
			xasprintf(&text, "model %s\npace 900\n"
			    "call 6 5200 12800 240\n"
			    "text Starting on the character count.\n"
			    "tool Read wc-lite.c\ncall 4 900 16100 330\n"
			    "checkpoint Read wc-lite.c; the count goes in "
			    "chars.c.\nretry 1 10 2000\n"
			    "limit You've hit your limit · try again in %u "
			    "seconds\n", demo_providers[i].model, reset);
			if ((rc = demo_put(dir, text, cause, "T3.1.txt")) != 0) {
				free(dir);
				goto out;
			}
		}
		for (j = 0; j < nitems(demo_parts); j++) {
			if (demo_parts[j].provider == NULL ?
			    i >= DEMO_WORKERS : strcmp(demo_parts[j].provider,
			    demo_providers[i].name) != 0)
				continue;
			xasprintf(&text, "model %s\n", demo_providers[i].model);
			old = text;
			xasprintf(&text, demo_parts[j].text, demo_plan);
			work = text;
			xasprintf(&text, "%s%s", old, work);
			free(work);
			free(old);
			if ((rc = demo_put(dir, text, cause, "%s",
			    demo_parts[j].file)) != 0) {
				free(dir);
				goto out;
			}
		}
		old = conf;
		xasprintf(&conf, "%s[provider \"%s\"]\n"
		    "argv = %s -f %s -m {model} -s %g -S %s -p {prompt}\n"
		    "resume = %s -f %s -m {model} -s %g -S %s -r {session} "
		    "-p {prompt}\nformat = %s\nmodel = %s\n\n", old,
		    demo_providers[i].name, fake, demo_providers[i].format,
		    speed, dir, fake, demo_providers[i].format, speed, dir,
		    demo_providers[i].format, demo_providers[i].model);
		free(old);
		free(dir);
	}
	old = conf;
	xasprintf(&conf, "%s%s", old, demo_roles);
	free(old);
	xasprintf(&path, "%s/config", repo->dir);
	rc = demo_write(path, conf, cause);
	free(path);
out:
	free(conf);
	free(fake);
	return (rc);
}

static int
cmd_demo_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "no-agents", no_argument, NULL, 'n' },
		{ "speed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_ctx			 demo;
	int				 agents = 1;
	struct task_list		 list;
	int64_t				 id, sprint;
	char				*dir = NULL, *cause = NULL, tmpl[64];
	char				*self, *end;
	const char			*tmp;
	double				 speed = 1;
	int				 ch;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (ch == 'n') {
			agents = 0;
			continue;
		}
		if (ch == 's') {
			speed = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(speed >= 0 && speed <= 100)) {
				free(dir);
				return (cmd_usage_error(&cmd_demo_entry,
				    "--speed is a number from 0 to 100"));
			}
			continue;
		}
		if (ch != 'd') {
			free(dir);
			return (cmd_usage_error(&cmd_demo_entry, "bad option: "
			    "%s", argv[optind - 1]));
		}
		free(dir);
		dir = xstrdup(optarg);
	}
	if (optind != argc)
		return (cmd_usage_error(&cmd_demo_entry, "unexpected argument: "
		    "%s", argv[optind]));
	if (dir == NULL) {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp != '/')
			tmp = "/tmp";
		snprintf(tmpl, sizeof tmpl, "%s/baton-demo.XXXXXX", tmp);
		if (strlen(tmp) > 40 || mkdtemp(tmpl) == NULL)
			return (cmd_error("cannot make a folder in %s: %s",
			    tmp, strerror(errno)));
		dir = xstrdup(tmpl);
	} else if (mkdir(dir, 0700) != 0) {
		cmd_error("%s: %s (the demo wants a new folder)", dir,
		    strerror(errno));
		free(dir);
		return (BATON_EXIT_ERROR);
	}

	memset(&demo, 0, sizeof demo);
	if (gitc_demo_repository(dir, &cause) != 0 ||
	    (demo.repo = repo_find(dir, &cause)) == NULL ||
	    repo_init_dir(demo.repo, &cause) != 0 ||
	    repo_exclude_baton(demo.repo, &cause) != 0 ||
	    (demo.store = store_open(demo.repo->db_path, 1, &cause)) == NULL)
		goto fail;
	if (store_begin(demo.store, &cause) != 0 ||
	    (sprint = store_sprint_new(demo.store, "demo", &cause)) == -1 ||
	    store_commit(demo.store, &cause) != 0)
		goto fail;

	if ((self = realpath("/proc/self/exe", NULL)) == NULL)
		self = xstrdup("baton");
	if (demo_configure(self, demo.repo, speed, &cause) != 0 ||
	    plan_request_add(demo.repo, demo.store, demo_request, &id,
	    &cause) != 0 ||
	    (agents && sched_set_going(demo.store, 1, &cause) != 0)) {
		free(self);
		goto fail;
	}
	store_close(demo.store);
	demo.store = NULL;

	/* On a terminal, open the screen there; otherwise say what is there. */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (chdir(dir) != 0) {
			xasprintf(&cause, "%s: %s", dir, strerror(errno));
			free(self);
			goto fail;
		}
		execl(self, "baton", (char *)NULL);
		xasprintf(&cause, "cannot run %s: %s", self, strerror(errno));
		free(self);
		goto fail;
	}
	if ((demo.store = store_open(demo.repo->db_path, 0, &cause)) == NULL ||
	    store_task_list(demo.store, NULL, sprint, &list, &cause) != 0) {
		free(self);
		goto fail;
	}
	printf("A demo repository is in %s; its sprint starts from a request "
	    "for the architect:\n\n", dir);
	cmd_print_task_table(&list);
	task_list_free(&list);
	if (agents)
		printf("\nThe sprint is going: fake agents work it while baton "
		    "runs.\n\nWatch:  %s -C %s\nor, without the screen:  %s -C "
		    "%s run\n", self, dir, self, dir);
	else
		printf("\nWork it:  %s -C %s run --go\n", self, dir);
	free(self);
	store_close(demo.store);
	repo_free(demo.repo);
	free(dir);
	return (BATON_EXIT_OK);

fail:
	store_close(demo.store);
	repo_free(demo.repo);
	cmd_error("demo: %s", cause);
	free(cause);
	free(dir);
	return (BATON_EXIT_ERROR);
}
