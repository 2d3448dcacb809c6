/* help and version: both come from the command table. */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

static int	cmd_help_exec(struct cmd_ctx *, int, char **);
static int	cmd_version_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = NULL,
	.usage = "[COMMAND | --commands | --options]",
	.doc = "Show the commands, or one command's usage. --commands prints "
	    "the bare names, one a line (for completions); --options lists "
	    "the configuration files' settings.",
	.flags = 0,
	.exec = cmd_help_exec,
};

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.alias = NULL,
	.usage = "",
	.doc = "Print baton's version.",
	.flags = 0,
	.exec = cmd_version_exec,
};

/* "  name  doc", the doc wrapped at 79 columns under itself. */
static void
help_wrap(const char *name, const char *doc)
{
	const char	*p = doc, *space, *cut;
	size_t		 width = 79 - 17;

	printf("  %-14s ", name);
	while (strlen(p) > width) {
		cut = NULL;
		for (space = p; space != NULL && (size_t)(space - p) <= width;
		    space = strchr(space + 1, ' '))
			cut = space;
		if (cut == NULL || cut == p)
			break;
		printf("%.*s\n%17s", (int)(cut - p), p, "");
		p = cut + 1;
	}
	printf("%s\n", p);
}

/* The options table, section by section. */
static int
help_options(void)
{
	static const enum config_scope	 scopes[] = {
		CONFIG_BATON, CONFIG_PROVIDER, CONFIG_ROLE, CONFIG_UI
	};
	static const char		*headers[] = {
		"[baton]", "[provider \"NAME\"]", "[role \"NAME\"]", "[ui]"
	};
	const struct config_option	*o;
	char				*doc;
	u_int				 i, j;

	printf("Settings of baton's configuration files: the built-in "
	    "defaults, then\n$XDG_CONFIG_HOME/baton/config, then "
	    ".baton/config. 'baton config sample'\nprints them as a "
	    "commented file.\n");
	for (i = 0; i < nitems(scopes); i++) {
		printf("\n%s\n", headers[i]);
		for (j = 0; j < config_noptions; j++) {
			o = &config_options[j];
			if (o->scope != scopes[i])
				continue;
			if (o->default_value != NULL) {
				xasprintf(&doc, "%s (%s; default %s)", o->doc,
				    config_type_name(o), o->default_value);
			} else {
				xasprintf(&doc, "%s (%s%s)", o->doc,
				    config_type_name(o), (o->flags &
				    CONFIG_REQUIRED) ? "; required" : "");
			}
			help_wrap(o->name, doc);
			free(doc);
		}
	}
	return (BATON_EXIT_OK);
}

static int
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry	**e;
	char			 *name;

	if (argc >= 2 && strcmp(argv[1], "--commands") == 0) {
		for (e = cmd_table; *e != NULL; e++)
			printf("%s\n", (*e)->name);
		return (BATON_EXIT_OK);
	}
	if (argc >= 2 && strcmp(argv[1], "--options") == 0)
		return (help_options());
	if (argc >= 2) {
		if (argc == 3)
			xasprintf(&name, "%s %s", argv[1], argv[2]);
		else
			name = xstrdup(argv[1]);
		for (e = cmd_table; *e != NULL; e++) {
			if (strcmp((*e)->name, name) == 0 ||
			    ((*e)->alias != NULL &&
			    strcmp((*e)->alias, name) == 0)) {
				cmd_usage(stdout, *e);
				printf("\n%s\n", (*e)->doc);
				free(name);
				return (BATON_EXIT_OK);
			}
		}
		cmd_error("unknown command: %s", name);
		free(name);
		return (BATON_EXIT_USAGE);
	}

	printf("usage: baton [-v] [-C dir] [--theme name] [command [args]]\n\n"
	    "Run a sprint of coding tasks through agent CLIs in tmux.\n\n"
	    "Commands:\n");
	for (e = cmd_table; *e != NULL; e++)
		help_wrap((*e)->name, (*e)->doc);
	printf("\nOptions:\n"
	    "  -C dir         run as if started in dir\n"
	    "  -v             write a debug log to "
	    "$XDG_STATE_HOME/baton/baton-PID.log\n"
	    "  -V, --version  print the version\n"
	    "  --theme name   the UI's colours: default, mono, high-contrast, "
	    "nier\n"
	    "\nWith no command, inside a repository set up with 'baton init', "
	    "baton opens\nthe UI.\n'baton COMMAND --help' shows one command's "
	    "usage;\n'baton help --options' lists the configuration "
	    "settings.\n");
	return (BATON_EXIT_OK);
}

static int
cmd_version_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	printf("baton %s\n", PACKAGE_VERSION);
	return (BATON_EXIT_OK);
}
