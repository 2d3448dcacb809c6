/*
 * demo: build a throwaway repository holding a small real program and a
 * sample sprint, so there is something to look at straight away.
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
	.usage = "[--dir DIR] [--no-agents]",
	.doc = "Build a sample repository with a sprint of tasks (in DIR, or a "
	    "new temporary folder), start fake agents on the tasks that are "
	    "ready, and open the screen on it.",
	.flags = 0,
	.exec = cmd_demo_exec,
};

/*
 * What the fake agents do on the two tasks that are ready at first: real
 * edits and commits in their worktrees, with calls that cost something.
 */
static const struct {
	int64_t		 task;
	const char	*format;
	const char	*model;
	const char	*text;
} demo_agents[] = {
	{ 1, "claude", "claude-sonnet-4-5",
	  "session 7d3c2e10-5b4a-4c1e-9f6d-3a2b1c0d9e8f\n"
	  "model claude-sonnet-4-5\npace 900\n"
	  "call 6 5200 12800 240\n"
	  "think The options need names that do not clash with wc's.\n"
	  "text I'll read wc-lite.c and write the option design down.\n"
	  "tool Read wc-lite.c\n"
	  "call 4 800 18100 520\n"
	  "write DESIGN.md # Options\n"
	  "append DESIGN.md -c counts characters (UTF-8), not bytes.\n"
	  "append DESIGN.md -L prints the length of the longest line.\n"
	  "retry 1 10 2000\n"
	  "call 3 300 18900 180\n"
	  "commit Design the -c and -L options\n"
	  "text The design is in DESIGN.md and committed.\n" },
	{ 4, "codex", "gpt-5-codex",
	  "session 0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\n"
	  "model gpt-5-codex\npace 1100\n"
	  "call 9 0 9400 410\n"
	  "text Reading how wc-lite takes its input.\n"
	  "tool shell sed -n 1,40p wc-lite.c\n"
	  "call 7 0 10100 880\n"
	  "write NOTES.md Files named on the command line are read in order.\n"
	  "tool shell make\n"
	  "call 5 0 11200 300\n"
	  "commit Read files named on the command line\n"
	  "text Done: wc-lite reads the files it is given.\n" },
};

/* The sample sprint: parallel branches and a last task that waits on all. */
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
	"{\"title\":\"Review the release\",\"role\":\"reviewer\","
	"\"blocked_by\":[5,6]}"
	"]";

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

/* Start a fake agent on each task that is ready, through baton start. */
static int
demo_start_agents(const char *self, struct repo *repo, char **cause)
{
	char		*fake, *scenario, id[32];
	FILE		*f;
	pid_t		 pid;
	u_int		 i;
	int		 status, null;

	fake = demo_fake_agent(self);
	for (i = 0; i < nitems(demo_agents); i++) {
		xasprintf(&scenario, "%s/demo-%u.txt", repo->dir, i + 1);
		if ((f = fopen(scenario, "w")) == NULL ||
		    fputs(demo_agents[i].text, f) == EOF || fclose(f) != 0) {
			xasprintf(cause, "%s: %s", scenario, strerror(errno));
			free(scenario);
			free(fake);
			return (-1);
		}
		snprintf(id, sizeof id, "%lld", (long long)demo_agents[i].task);
		if ((pid = fork()) == -1)
			fatal("fork");
		if (pid == 0) {
			if ((null = open("/dev/null", O_WRONLY)) != -1) {
				dup2(null, STDOUT_FILENO);
				dup2(null, STDERR_FILENO);
			}
			execl(self, "baton", "-C", repo->workdir, "start", id,
			    "--format", demo_agents[i].format, "--provider",
			    "fake", "--model", demo_agents[i].model, "--", fake,
			    "-f", demo_agents[i].format, "-m",
			    demo_agents[i].model, scenario, (char *)NULL);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		free(scenario);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			xasprintf(cause, "could not start the fake agent on #%s "
			    "(is tmux installed?)", id);
			free(fake);
			return (-1);
		}
	}
	free(fake);
	return (0);
}

static int
cmd_demo_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "no-agents", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan			 plan;
	struct cmd_ctx			 demo;
	int				 agents = 1;
	struct task_list		 list;
	int64_t				*ids = NULL, sprint;
	char				*dir = NULL, *cause = NULL, tmpl[64];
	char				*self;
	const char			*tmp;
	int				 ch;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (ch == 'n') {
			agents = 0;
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
	if (plan_parse(demo_plan, sizeof demo_plan - 1, &plan, &cause) != 0)
		fatalx("demo plan: %s", cause);
	if (store_begin(demo.store, &cause) != 0 ||
	    (sprint = store_sprint_new(demo.store, "demo", &cause)) == -1 ||
	    plan_import(demo.store, &plan, 0, &ids, &cause) == -1 ||
	    store_commit(demo.store, &cause) != 0) {
		plan_free(&plan);
		goto fail;
	}
	plan_free(&plan);
	free(ids);

	store_close(demo.store);
	demo.store = NULL;
	if ((self = realpath("/proc/self/exe", NULL)) == NULL)
		self = xstrdup("baton");
	if (agents && demo_start_agents(self, demo.repo, &cause) != 0) {
		free(self);
		goto fail;
	}

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
	printf("A demo repository with a sprint of %zu tasks is in %s\n\n",
	    list.count, dir);
	cmd_print_task_table(&list);
	task_list_free(&list);
	if (agents)
		printf("\nTwo fake agents are at work on #1 and #4.");
	printf("\nWatch:  %s -C %s\n", self, dir);
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
