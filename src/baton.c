/* baton: main and the global options. */

#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baton.h"

static __dead void
usage(void)
{
	fprintf(stderr, "usage: baton [-v] [-C dir] command [args]\n"
	    "       baton --help\n");
	exit(BATON_EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	int	 ch, rc, want_help = 0, verbose = 0;
	static char help_word[] = "help";
	char	*help[] = { help_word, NULL };

	setlocale(LC_ALL, "");

	/* Global options stop at the first word that is not one. */
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
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
		argv = help;
	}

	if (verbose)
		log_open(NULL);
	log_debug("baton %s started, command %s", PACKAGE_VERSION, argv[0]);
	rc = cmd_main(argc, argv);
	log_close();
	return (rc);
}
