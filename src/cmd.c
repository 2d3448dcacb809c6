/*
 * The command table and what every command shares: finding the command,
 * --help from the table, opening the repository and store, and the helpers
 * commands use to parse arguments and print results.
 */

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Every command, in the order --help lists them. */
const struct cmd_entry *cmd_table[] = {
	&cmd_init_entry,
	&cmd_config_check_entry,
	&cmd_config_show_entry,
	&cmd_config_sample_entry,
	&cmd_add_entry,
	&cmd_ls_entry,
	&cmd_show_entry,
	&cmd_edit_entry,
	&cmd_cancel_entry,
	&cmd_dep_add_entry,
	&cmd_dep_rm_entry,
	&cmd_ready_entry,
	&cmd_sprint_new_entry,
	&cmd_sprint_ls_entry,
	&cmd_sprint_close_entry,
	&cmd_import_entry,
	&cmd_plan_import_entry,
	&cmd_plan_entry,
	&cmd_standup_entry,
	&cmd_retro_entry,
	&cmd_ui_entry,
	&cmd_start_entry,
	&cmd_stop_entry,
	&cmd_attach_entry,
	&cmd_send_entry,
	&cmd_runs_entry,
	&cmd_tmux_entry,
	&cmd_worktree_add_entry,
	&cmd_worktree_rm_entry,
	&cmd_merge_entry,
	&cmd_proof_entry,
	&cmd_lock_entry,
	&cmd_run_entry,
	&cmd_go_entry,
	&cmd_pause_entry,
	&cmd_retry_entry,
	&cmd_agent_entry,
	&cmd_demo_entry,
	&cmd_cost_entry,
	&cmd_parse_entry,
	&cmd_help_entry,
	&cmd_version_entry,
	NULL
};

/*
 * Print "baton: message". Messages quote what users and agents typed, so
 * anything that could drive the terminal is escaped.
 */
static void
cmd_verror(const char *prefix, const char *fmt, va_list ap)
{
	char	*msg, *safe;

	xvasprintf(&msg, fmt, ap);
	safe = util_vis(msg, 0);
	fprintf(stderr, "%s%s\n", prefix, safe);
	free(safe);
	free(msg);
}

int
cmd_error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cmd_verror("baton: ", fmt, ap);
	va_end(ap);
	return (BATON_EXIT_ERROR);
}

void
cmd_usage(FILE *f, const struct cmd_entry *entry)
{
	fprintf(f, "usage: baton %s%s%s\n", entry->name,
	    *entry->usage != '\0' ? " " : "", entry->usage);
}

int
cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
{
	va_list	 ap;
	char	*prefix;

	xasprintf(&prefix, "baton %s: ", entry->name);
	va_start(ap, fmt);
	cmd_verror(prefix, fmt, ap);
	va_end(ap);
	free(prefix);
	cmd_usage(stderr, entry);
	return (BATON_EXIT_USAGE);
}

/* A task id: "12" or "#12", positive. */
int
cmd_parse_id(const char *s, int64_t *id)
{
	char		*end;
	long long	 v;

	if (*s == '#')
		s++;
	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		return (-1);
	*id = v;
	return (0);
}

int
cmd_parse_priority(const char *s, int *priority)
{
	if (*s == 'P' || *s == 'p')
		s++;
	if (s[0] < '0' + TASK_PRIORITY_MIN || s[0] > '0' + TASK_PRIORITY_MAX ||
	    s[1] != '\0')
		return (-1);
	*priority = s[0] - '0';
	return (0);
}

/* "1,2,#3" into ids; a repeated id is an error. */
int
cmd_parse_id_list(const char *s, int64_t **ids, size_t *n)
{
	char	*copy, *word, *next;
	int64_t	 id;
	size_t	 i;

	*ids = NULL;
	*n = 0;
	copy = xstrdup(s);
	for (next = copy; (word = strsep(&next, ",")) != NULL;) {
		if (*word == '\0' || cmd_parse_id(word, &id) != 0)
			goto fail;
		for (i = 0; i < *n; i++) {
			if ((*ids)[i] == id)
				goto fail;
		}
		*ids = xreallocarray(*ids, *n + 1, sizeof **ids);
		(*ids)[(*n)++] = id;
	}
	free(copy);
	return (0);

fail:
	free(copy);
	free(*ids);
	*ids = NULL;
	*n = 0;
	return (-1);
}

/* Commands whose only option is --json: set *json, or complain. */
int
cmd_parse_json_only(const struct cmd_entry *entry, int argc, char **argv,
    int nargs, int *json)
{
	int	i, n = 0;

	*json = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0' &&
		    !(argv[i][1] >= '0' && argv[i][1] <= '9'))
			return (cmd_usage_error(entry, "bad option: %s",
			    argv[i]));
		else {
			if (i != n + 1)
				argv[n + 1] = argv[i];
			n++;
		}
	}
	if (n > nargs)
		return (cmd_usage_error(entry, "unexpected argument: %s",
		    argv[nargs + 1]));
	if (n < nargs)
		return (cmd_usage_error(entry, "give %d argument%s", nargs,
		    nargs == 1 ? "" : "s"));
	return (BATON_EXIT_OK);
}

/* Read a whole file ("-" for standard input), NUL-terminated. */
char *
cmd_read_file(const char *path, char **cause)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 size = 0, len = 0, n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	for (;;) {
		if (len + 1 >= size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xrealloc(buf, size);
		}
		n = fread(buf + len, 1, size - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	} else
		buf[len] = '\0';
	if (f != stdin)
		fclose(f);
	if (buf != NULL && strlen(buf) != len) {
		xasprintf(cause, "%s: contains a NUL byte", path);
		free(buf);
		return (NULL);
	}
	return (buf);
}

/*
 * Print JSON on one line and free it. cJSON escapes only C0 controls; DEL
 * and the C1 controls (U+0080 to U+009F) are escaped here, so no JSON
 * output can drive a terminal. Both only occur inside strings.
 */
void
cmd_print_json(cJSON *json)
{
	char		*text, *out;
	const u_char	*p;
	size_t		 len, n = 0;

	text = cJSON_PrintUnformatted(json);
	if (text == NULL)
		fatalx("cJSON_PrintUnformatted failed");
	len = strlen(text);
	out = xmalloc(len * 3 + 1);
	for (p = (const u_char *)text; *p != '\0'; p++) {
		if (*p == 0x7f)
			n += sprintf(out + n, "\\u007f");
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			n += sprintf(out + n, "\\u%04x", p[1]);
			p++;
		} else
			out[n++] = (char)*p;
	}
	out[n] = '\0';
	puts(out);
	free(out);
	free(text);
	cJSON_Delete(json);
}

/* Terminal width when printing to one, else 0 (no limit). */
static size_t
cmd_columns(void)
{
	struct winsize	 ws;
	const char	*env;

	if (!isatty(STDOUT_FILENO))
		return (0);
	if ((env = getenv("COLUMNS")) != NULL && atoi(env) > 0)
		return ((size_t)atoi(env));
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return (ws.ws_col);
	return (80);
}

/* The task table of ls and ready; titles are made safe and fitted. */
void
cmd_print_task_table(struct task_list *list)
{
	struct task	*t;
	size_t		 i, j, cols = cmd_columns(), used;
	char		*safe, *fitted, *role, waits[64];
	int		 len;

	if (list->count == 0)
		return;
	printf("%5s  %-9s %-3s %-10s %s\n", "ID", "STATE", "PRI", "ROLE",
	    "TITLE");
	for (i = 0; i < list->count; i++) {
		t = list->items[i];
		waits[0] = '\0';
		if (t->nopen_blockers > 0 && !task_state_is_final(t->state)) {
			len = snprintf(waits, sizeof waits, "  waits on");
			for (j = 0; j < t->nopen_blockers; j++) {
				if (len >= (int)sizeof waits - 24) {
					snprintf(waits + len, sizeof waits - len,
					    " …");
					break;
				}
				len += snprintf(waits + len, sizeof waits - len,
				    " #%lld", (long long)t->open_blockers[j]);
			}
		}
		role = util_vis(t->role, 64);
		safe = util_vis(t->title, cols != 0 ? 4096 : 0);
		used = 5 + 2 + 9 + 1 + 3 + 1 + 10 + 1 + strlen(waits);
		if (cols > used + 8)
			fitted = util_fit(safe, cols - used);
		else
			fitted = xstrdup(safe);
		printf("%5lld  %-9s P%-2d %-10.10s %s%s\n", (long long)t->id,
		    task_state_name(t->state), t->priority, role, fitted,
		    waits);
		free(fitted);
		free(safe);
		free(role);
	}
}

static int	cmd_wants_help(int, char **);

/* Find the entry for argv: two-word names first, then one word. */
static const struct cmd_entry *
cmd_find(int argc, char **argv, int *words)
{
	const struct cmd_entry	**e;
	char			 *two = NULL;

	if (argc >= 2)
		xasprintf(&two, "%s %s", argv[0], argv[1]);
	for (e = cmd_table; *e != NULL; e++) {
		if (two != NULL && strcmp((*e)->name, two) == 0) {
			free(two);
			*words = 2;
			return (*e);
		}
	}
	free(two);
	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, argv[0]) == 0 ||
		    ((*e)->alias != NULL && strcmp((*e)->alias, argv[0]) == 0)) {
			*words = 1;
			return (*e);
		}
	}
	return (NULL);
}

/* Commands whose name starts with "group ": "dep" with no subcommand. */
static int
cmd_group_usage(const char *group, int asked)
{
	FILE			 *f = asked ? stdout : stderr;
	const struct cmd_entry	**e;
	size_t			  len = strlen(group);
	int			  found = 0;

	for (e = cmd_table; *e != NULL; e++) {
		if (strncmp((*e)->name, group, len) == 0 &&
		    (*e)->name[len] == ' ') {
			if (!found && !asked)
				fprintf(f, "baton %s: which one?\n", group);
			cmd_usage(f, *e);
			found = 1;
		}
	}
	return (found);
}

/* "baton CMD --help": only right after the command, never an option value. */
static int
cmd_wants_help(int argc, char **argv)
{
	return (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0));
}

/* Run the command named by argv. */
int
cmd_main(int argc, char **argv)
{
	const struct cmd_entry	*entry;
	struct cmd_ctx		 ctx;
	char			*cause = NULL, cwd[4096];
	int			 words, rc;

	entry = cmd_find(argc, argv, &words);
	if (entry == NULL) {
		if (cmd_group_usage(argv[0], cmd_wants_help(argc, argv)))
			return (cmd_wants_help(argc, argv) ? BATON_EXIT_OK :
			    BATON_EXIT_USAGE);
		cmd_error("unknown command: %s (see 'baton --help')", argv[0]);
		return (BATON_EXIT_USAGE);
	}
	argc -= words - 1;
	argv += words - 1;
	if (cmd_wants_help(argc, argv)) {
		cmd_usage(stdout, entry);
		printf("\n%s\n", entry->doc);
		return (BATON_EXIT_OK);
	}

	memset(&ctx, 0, sizeof ctx);
	if (entry->flags & (CMD_REPO|CMD_STORE)) {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return (cmd_error("cannot get the current directory: %s",
			    strerror(errno)));
		if ((ctx.repo = repo_find(cwd, &cause)) == NULL) {
			rc = cmd_error("%s", cause);
			free(cause);
			return (rc);
		}
	}
	if (entry->flags & CMD_STORE) {
		ctx.store = store_open(ctx.repo->db_path, 0, &cause);
		if (ctx.store == NULL) {
			rc = cmd_error("%s", cause);
			free(cause);
			repo_free(ctx.repo);
			return (rc);
		}
	}

	/* 0, not 1: GNU getopt then forgets main's "stop at the first word". */
	optind = 0;
	opterr = 0;
	rc = entry->exec(&ctx, argc, argv);

	store_close(ctx.store);
	repo_free(ctx.repo);
	return (rc);
}

/* Load the task an argument names, or say why not; *rc gets the exit code. */
struct task *
cmd_get_task(struct cmd_ctx *ctx, const char *arg, int *rc)
{
	struct task	*t;
	int64_t		 id;
	char		*cause = NULL;

	if (cmd_parse_id(arg, &id) != 0) {
		cmd_error("not a task id: %s", arg);
		*rc = BATON_EXIT_USAGE;
		return (NULL);
	}
	if ((t = store_task_get(ctx->store, id, &cause)) == NULL) {
		if (cause != NULL)
			*rc = cmd_fail(ctx, cause);
		else
			*rc = cmd_error("no task #%lld", (long long)id);
		return (NULL);
	}
	*rc = BATON_EXIT_OK;
	return (t);
}

/* Roll back whatever is open, print cause, free it. */
int
cmd_fail(struct cmd_ctx *ctx, char *cause)
{
	if (ctx->store != NULL)
		store_rollback(ctx->store);
	cmd_error("%s", cause);
	free(cause);
	return (BATON_EXIT_ERROR);
}
