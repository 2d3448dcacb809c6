/* The demo's repository: a small real program, committed on main. */

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "baton.h"

/* The demo program: a word counter with a test, in plain C. */
static const struct {
	const char	*path;
	const char	*text;
} demo_files[] = {
	{ "README.md",
	  "# wc-lite\n\nA tiny word counter used by baton's demo sprint.\n\n"
	  "    make && ./wc-lite < README.md\n    make test\n" },
	{ ".gitignore", "wc-lite\n*.o\n" },
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

/* Write the program's files and commit them on main with libgit2. */
int
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
		return (git_error_cause(cause, "%s", dir));
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
	git_error_cause(cause, "building the demo repository");
out:
	git_tree_free(tree);
	git_signature_free(sig);
	git_index_free(index);
	git_repository_free(repo);
	return (rc);
}

