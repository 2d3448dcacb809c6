/*
 * demo: build a throwaway repository holding a small real program and a
 * sample sprint, so there is something to look at straight away.
 */

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

static int	cmd_demo_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_demo_entry = {
	.name = "demo",
	.alias = NULL,
	.usage = "[--dir DIR]",
	.doc = "Build a sample repository with a sprint of tasks (in DIR, or a "
	    "new temporary folder) and show it.",
	.flags = 0,
	.exec = cmd_demo_exec,
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

static int
cmd_demo_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan			 plan;
	struct cmd_ctx			 demo;
	struct task_list		 list;
	int64_t				*ids = NULL, sprint;
	char				*dir = NULL, *cause = NULL, tmpl[64];
	char				*self;
	const char			*tmp;
	int				 ch;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (ch != 'd')
			return (cmd_usage_error(&cmd_demo_entry, "bad option: "
			    "%s", argv[optind - 1]));
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

	if (store_task_list(demo.store, NULL, sprint, &list, &cause) != 0)
		goto fail;
	printf("A demo repository with a sprint of %zu tasks is in %s\n\n",
	    list.count, dir);
	cmd_print_task_table(&list);
	task_list_free(&list);
	if ((self = realpath("/proc/self/exe", NULL)) == NULL)
		self = xstrdup("baton");
	printf("\nTry:  cd %s && %s ready && %s show 2\n", dir, self, self);
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
