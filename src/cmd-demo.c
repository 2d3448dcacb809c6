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

#include <git2.h>

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

/* The demo program: a word counter with a test, in plain C. */
static const struct {
	const char	*path;
	const char	*text;
} demo_files[] = {
	{ "README.md",
	  "# wc-lite\n\nA tiny word counter used by baton's demo sprint.\n\n"
	  "    make && ./wc-lite < README.md\n    make test\n" },
	{ "Makefile",
	  "CFLAGS ?= -O2 -Wall\n\nwc-lite: wc-lite.c\n"
	  "\t$(CC) $(CFLAGS) -o $@ wc-lite.c\n\n"
	  "test: wc-lite\n\tsh test.sh\n\n.PHONY: test\n" },
	{ "wc-lite.c",
	  "#include <ctype.h>\n#include <stdio.h>\n\n"
	  "int\nmain(void)\n{\n\tlong\tlines = 0, words = 0, bytes = 0;\n"
	  "\tint\tc, in_word = 0;\n\n"
	  "\twhile ((c = getchar()) != EOF) {\n\t\tbytes++;\n"
	  "\t\tif (c == '\\n')\n\t\t\tlines++;\n"
	  "\t\tif (isspace(c))\n\t\t\tin_word = 0;\n"
	  "\t\telse if (!in_word) {\n\t\t\tin_word = 1;\n\t\t\twords++;\n"
	  "\t\t}\n\t}\n\tprintf(\"%ld %ld %ld\\n\", lines, words, bytes);\n"
	  "\treturn (0);\n}\n" },
	{ "test.sh",
	  "#!/bin/sh\nset -e\nout=$(printf 'one two\\nthree\\n' | ./wc-lite)\n"
	  "[ \"$out\" = \"2 3 14\" ] || { echo \"got: $out\"; exit 1; }\n"
	  "echo ok\n" },
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
demo_git_error(const char *what, char **cause)
{
	const git_error	*e = git_error_last();

	xasprintf(cause, "%s: %s", what, e != NULL ? e->message : "failed");
	return (-1);
}

/* Write the program's files and commit them on main with libgit2. */
static int
demo_repository(const char *dir, char **cause)
{
	git_repository_init_options	 opts;
	git_repository			*repo = NULL;
	git_index			*index = NULL;
	git_signature			*sig = NULL;
	git_tree			*tree = NULL;
	git_oid				 tree_id, commit_id;
	char				*path;
	FILE				*f;
	u_int				 i;
	int				 rc = -1;

	git_libgit2_init();
	git_repository_init_options_init(&opts,
	    GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	opts.flags = GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &opts) != 0)
		return (demo_git_error(dir, cause));
	for (i = 0; i < nitems(demo_files); i++) {
		xasprintf(&path, "%s/%s", dir, demo_files[i].path);
		if ((f = fopen(path, "w")) == NULL ||
		    fputs(demo_files[i].text, f) == EOF || fclose(f) != 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(path);
			goto out;
		}
		if (strcmp(demo_files[i].path, "test.sh") == 0)
			chmod(path, 0755);
		free(path);
	}
	if (git_repository_index(&index, repo) != 0)
		goto git_fail;
	for (i = 0; i < nitems(demo_files); i++) {
		if (git_index_add_bypath(index, demo_files[i].path) != 0)
			goto git_fail;
	}
	if (git_index_write(index) != 0 ||
	    git_index_write_tree(&tree_id, index) != 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) != 0 ||
	    git_signature_now(&sig, "baton demo", "demo@baton.invalid") != 0 ||
	    git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, NULL,
	    "wc-lite: a tiny word counter\n", tree, 0) != 0)
		goto git_fail;
	rc = 0;
	goto out;

git_fail:
	demo_git_error("building the demo repository", cause);
out:
	git_tree_free(tree);
	git_signature_free(sig);
	git_index_free(index);
	git_repository_free(repo);
	return (rc);
}

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
	if (demo_repository(dir, &cause) != 0 ||
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
