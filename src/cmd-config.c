/*
 * config check, config show and config sample: the configuration as baton
 * reads it. Inside a repository the repository's .baton/config is read
 * too; elsewhere only the built-in defaults and the user's file.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_config_check_exec(struct cmd_ctx *, int, char **);
static int	cmd_config_show_exec(struct cmd_ctx *, int, char **);
static int	cmd_config_sample_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_config_check_entry = {
	.name = "config check",
	.alias = NULL,
	.usage = "",
	.doc = "Read the built-in, user and repository configuration and "
	    "report every problem as FILE:LINE; exit 1 if there is any.",
	.flags = 0,
	.exec = cmd_config_check_exec,
};

const struct cmd_entry cmd_config_show_entry = {
	.name = "config show",
	.alias = NULL,
	.usage = "[--json]",
	.doc = "Print the merged configuration and the file and line each "
	    "value comes from.",
	.flags = 0,
	.exec = cmd_config_show_exec,
};

const struct cmd_entry cmd_config_sample_entry = {
	.name = "config sample",
	.alias = NULL,
	.usage = "",
	.doc = "Print the commented sample configuration 'baton init' writes "
	    "to .baton/config.",
	.flags = 0,
	.exec = cmd_config_sample_exec,
};

/* The configuration for the repository around the working directory. */
static struct config *
cmd_config_read(void)
{
	struct repo		*r = NULL;
	struct config		*cf;
	struct config_value	*v;
	char			 cwd[4096], *cause = NULL;

	if (getcwd(cwd, sizeof cwd) != NULL)
		r = repo_find(cwd, &cause);
	free(cause);
	cf = config_read_all(r != NULL ? r->dir : NULL);
	repo_free(r);

	/* Only the UI needs the theme, so only here is it looked for. */
	v = &cf->values[config_option_find(CONFIG_BATON, "theme") -
	    config_options];
	if (v->file != NULL && !theme_known(v->text)) {
		config_problem(cf, v->file, v->line, "theme: no theme called "
		    "\"%s\" (built in: default, mono; others are files in "
		    "$XDG_CONFIG_HOME/baton/themes or %s/themes)", v->text,
		    BATON_DATADIR);
	}
	return (cf);
}

static void
cmd_config_problems(struct config *cf)
{
	struct config_problem	*p;
	char			*safe;
	size_t			 i;

	for (i = 0; i < cf->nproblems; i++) {
		p = &cf->problems[i];
		safe = util_vis(p->message, 0);
		if (p->line != 0)
			fprintf(stderr, "%s:%u: %s\n", p->file, p->line, safe);
		else
			fprintf(stderr, "%s: %s\n", p->file, safe);
		free(safe);
	}
}

static int
cmd_config_check_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct config	*cf;
	size_t		 i;
	int		 rc;

	if (argc != 1)
		return (cmd_usage_error(&cmd_config_check_entry,
		    "unexpected argument: %s", argv[1]));
	cf = cmd_config_read();
	cmd_config_problems(cf);
	if (cf->nproblems != 0) {
		rc = cmd_error("%zu problem%s in the configuration",
		    cf->nproblems, cf->nproblems == 1 ? "" : "s");
		config_free(cf);
		return (rc);
	}
	printf("configuration is good: %zu providers, %zu roles, from",
	    cf->nproviders, cf->nroles);
	for (i = 0; i < cf->nfiles; i++) {
		if (cf->files_read[i])
			printf("%s %s", i == 0 ? "" : ",", cf->files[i]);
	}
	printf("\n");
	config_free(cf);
	return (BATON_EXIT_OK);
}

/* A value as JSON: numbers, flags and lists in their own types. */
static cJSON *
cmd_config_json_value(const struct config_option *o, struct config_value *v)
{
	cJSON	*item, *words;
	u_int	 i;

	switch (o->type) {
	case CONFIG_NUMBER:
		item = cJSON_CreateNumber((double)v->number);
		break;
	case CONFIG_FLAG:
		item = cJSON_CreateBool(v->number != 0);
		break;
	case CONFIG_COMMAND:
	case CONFIG_LIST:
	case CONFIG_ENV:
		words = cJSON_CreateArray();
		for (i = 0; i < v->nwords; i++)
			cJSON_AddItemToArray(words, json_string(v->words[i]));
		item = words;
		break;
	default:
		item = json_string(v->text);
		break;
	}
	return (item);
}

/* {"key": {"value": ..., "file": ..., "line": ...}} for one section. */
static cJSON *
cmd_config_json_section(enum config_scope scope, struct config_value *values)
{
	const struct config_option	*o;
	struct config_value		*v;
	cJSON				*obj, *entry;
	u_int				 i;

	obj = cJSON_CreateObject();
	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		v = &values[i];
		if (o->scope != scope || o->alias != NULL || v->text == NULL)
			continue;
		entry = cJSON_CreateObject();
		cJSON_AddItemToObject(entry, "value",
		    cmd_config_json_value(o, v));
		if (v->file != NULL) {
			cJSON_AddItemToObject(entry, "file",
			    json_string(v->file));
			cJSON_AddNumberToObject(entry, "line", v->line);
		} else {
			cJSON_AddItemToObject(entry, "file",
			    json_string("default"));
			cJSON_AddNullToObject(entry, "line");
		}
		cJSON_AddItemToObject(obj, o->name, entry);
	}
	return (obj);
}

static void
cmd_config_show_json(struct config *cf)
{
	struct config_problem	*p;
	cJSON			*root, *files, *file, *obj, *problems;
	cJSON			*item;
	size_t			 i;

	root = cJSON_CreateObject();
	files = cJSON_AddArrayToObject(root, "files");
	for (i = 0; i < cf->nfiles; i++) {
		file = cJSON_CreateObject();
		cJSON_AddItemToObject(file, "path", json_string(cf->files[i]));
		cJSON_AddBoolToObject(file, "read", cf->files_read[i]);
		cJSON_AddItemToArray(files, file);
	}
	cJSON_AddItemToObject(root, "baton",
	    cmd_config_json_section(CONFIG_BATON, cf->values));
	obj = cJSON_AddObjectToObject(root, "providers");
	for (i = 0; i < cf->nproviders; i++) {
		cJSON_AddItemToObject(obj, cf->providers[i]->name,
		    cmd_config_json_section(CONFIG_PROVIDER,
		    cf->providers[i]->values));
	}
	obj = cJSON_AddObjectToObject(root, "roles");
	for (i = 0; i < cf->nroles; i++) {
		cJSON_AddItemToObject(obj, cf->roles[i]->name,
		    cmd_config_json_section(CONFIG_ROLE, cf->roles[i]->values));
	}
	problems = cJSON_AddArrayToObject(root, "problems");
	for (i = 0; i < cf->nproblems; i++) {
		p = &cf->problems[i];
		item = cJSON_CreateObject();
		cJSON_AddItemToObject(item, "file", json_string(p->file));
		cJSON_AddNumberToObject(item, "line", p->line);
		cJSON_AddItemToObject(item, "message", json_string(p->message));
		cJSON_AddItemToArray(problems, item);
	}
	cmd_print_json(root);
}

/* One "key = value   # from" line; env has a line per variable. */
static void
cmd_config_show_line(const char *key, const char *value, const char *file,
    u_int line)
{
	char	*safe, *from;
	int	 width;

	safe = util_vis(value, 0);
	if (file == NULL)
		from = xstrdup("default");
	else
		xasprintf(&from, "%s:%u", file, line);
	width = (int)(strlen(key) + 3 + strlen(safe));
	printf("%s = %s%*s# %s\n", key, safe, width < 40 ? 40 - width : 1, "",
	    from);
	free(from);
	free(safe);
}

static void
cmd_config_show_section(const char *header, enum config_scope scope,
    struct config_value *values)
{
	const struct config_option	*o;
	struct config_value		*v;
	u_int				 i, j;

	printf("\n%s\n", header);
	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		v = &values[i];
		if (o->scope != scope || o->alias != NULL || v->text == NULL)
			continue;
		if (o->type != CONFIG_ENV) {
			cmd_config_show_line(o->name, v->text, v->file,
			    v->line);
			continue;
		}
		for (j = 0; j < v->nwords; j++) {
			cmd_config_show_line(o->name, v->words[j], v->file,
			    v->line);
		}
	}
}

static int
cmd_config_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct config	*cf;
	char		*header;
	size_t		 i;
	int		 json, rc;

	if ((rc = cmd_parse_json_only(&cmd_config_show_entry, argc, argv, 0,
	    &json)) != BATON_EXIT_OK)
		return (rc);
	cf = cmd_config_read();
	if (json)
		cmd_config_show_json(cf);
	else {
		printf("# read:");
		for (i = 0; i < cf->nfiles; i++) {
			printf(" %s%s", cf->files[i], cf->files_read[i] ? "" :
			    " (none)");
		}
		printf("\n");
		cmd_config_show_section("[baton]", CONFIG_BATON, cf->values);
		for (i = 0; i < cf->nproviders; i++) {
			xasprintf(&header, "[provider \"%s\"]",
			    cf->providers[i]->name);
			cmd_config_show_section(header, CONFIG_PROVIDER,
			    cf->providers[i]->values);
			free(header);
		}
		for (i = 0; i < cf->nroles; i++) {
			xasprintf(&header, "[role \"%s\"]", cf->roles[i]->name);
			cmd_config_show_section(header, CONFIG_ROLE,
			    cf->roles[i]->values);
			free(header);
		}
	}
	cmd_config_problems(cf);
	rc = cf->nproblems != 0 ? BATON_EXIT_ERROR : BATON_EXIT_OK;
	config_free(cf);
	return (rc);
}

static int
cmd_config_sample_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	*sample;

	if (argc != 1)
		return (cmd_usage_error(&cmd_config_sample_entry,
		    "unexpected argument: %s", argv[1]));
	sample = config_sample();
	fputs(sample, stdout);
	free(sample);
	return (BATON_EXIT_OK);
}
