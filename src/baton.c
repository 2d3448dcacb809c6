/* baton: main and the global options. */

#include <sys/stat.h>

#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"



static __dead void
usage(void)
{
	fprintf(stderr, "usage: baton [-v] [-C dir] [--theme name] "
	    "[command [args]]\n"
	    "       baton --help\n");
	exit(BATON_EXIT_USAGE);
}

/* Plain "baton" opens the UI in a repository with .baton/ on a terminal. */
static int
has_baton_dir(void)
{
	struct repo	*repo;
	struct stat	 sb;
	char		*cause = NULL, cwd[4096];
	int		 found;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return (0);
	if (getcwd(cwd, sizeof cwd) == NULL)
		return (0);
	if ((repo = repo_find(cwd, &cause)) == NULL) {
		free(cause);
		return (0);
	}
	found = stat(repo->db_path, &sb) == 0;
	repo_free(repo);
	return (found);
}

int
main(int argc, char **argv)
{
	int	 ch, rc, want_help = 0, verbose = 0;
	static char help_word[] = "help", ui_word[] = "ui";
	char	*help[] = { help_word, NULL }, *ui[] = { ui_word, NULL };

	setlocale(LC_ALL, "");

	/* Global options stop at the first word that is not one. */
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "theme", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "+C:hvV", options, NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (chdir(optarg) != 0) {
				fprintf(stderr, "baton: cannot change to %s: %m\n",
				    optarg);
				exit(BATON_EXIT_ERROR);
			}
			break;
		case 'h':
			want_help = 1;
			break;
		case 'T':
			baton_theme = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("baton %s\n", PACKAGE_VERSION);
			exit(BATON_EXIT_OK);
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (want_help || argc == 0) {
		argc = 1;
		argv = (!want_help && has_baton_dir()) ? ui : help;
	}

	if (verbose)
		log_open(NULL);
	log_debug("baton %s started, command %s", PACKAGE_VERSION, argv[0]);
	rc = cmd_main(argc, argv);
	log_close();
	return (rc);
}
