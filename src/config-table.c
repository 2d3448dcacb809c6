/*
 * The options table: every key the configuration files take, with its
 * type, default, bounds and a line of documentation. The parser checks
 * against it; 'baton help --options', the sample .baton/config and the man
 * page's CONFIGURATION section are written from it.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

static const char *const config_stdin_choices[] = { "null", "inbox", NULL };
static const char *const config_sessions_choices[] = { "global", "folder",
    NULL };
static const char *const config_conflict_choices[] = { "resolve", "block",
    NULL };

const struct config_option config_options[] = {
	{ .scope = CONFIG_BATON, .name = "concurrency", .type = CONFIG_NUMBER,
	  .default_value = "4", .minimum = 1, .maximum = 64,
	  .doc = "The most agents running at once, over all roles." },
	{ .scope = CONFIG_BATON, .name = "retries", .type = CONFIG_NUMBER,
	  .default_value = "3", .minimum = 0, .maximum = 100,
	  .doc = "How many times a failed task is tried again." },
	{ .scope = CONFIG_BATON, .name = "backoff", .type = CONFIG_NUMBER,
	  .default_value = "30", .minimum = 1, .maximum = 86400,
	  .doc = "Seconds before the first retry; each further retry waits "
	  "twice as long." },
	{ .scope = CONFIG_BATON, .name = "theme", .type = CONFIG_STRING,
	  .default_value = "default",
	  .doc = "The UI's colour theme: default, mono, or a file in "
	  "$XDG_CONFIG_HOME/baton/themes." },
	{ .scope = CONFIG_BATON, .name = "test", .type = CONFIG_STRING,
	  .example = "make check",
	  .doc = "The project's test command, run by sh -c under the build "
	  "lock in each task's rebased worktree before it lands; unset, "
	  "work lands untested." },
	{ .scope = CONFIG_BATON, .name = "review", .type = CONFIG_FLAG,
	  .default_value = "yes",
	  .doc = "Whether finished work goes through an independent review "
	  "before the merge queue." },
	{ .scope = CONFIG_BATON, .name = "review_role", .type = CONFIG_STRING,
	  .default_value = "reviewer",
	  .doc = "The role whose runs review finished work." },
	{ .scope = CONFIG_BATON, .name = "review_rounds", .type = CONFIG_NUMBER,
	  .default_value = "3", .minimum = 1, .maximum = 20,
	  .doc = "Reviews that may ask for changes before the task is "
	  "blocked for a person." },
	{ .scope = CONFIG_BATON, .name = "conflicts", .type = CONFIG_CHOICE,
	  .default_value = "resolve", .choices = config_conflict_choices,
	  .doc = "On a conflict with main: resolve (a task for the worker "
	  "role rebases the branch) or block (wait for a person)." },
	{ .scope = CONFIG_BATON, .name = "plan_role", .type = CONFIG_STRING,
	  .default_value = "architect",
	  .doc = "The role that decomposes 'baton plan' requests and "
	  "validates the result." },
	{ .scope = CONFIG_BATON, .name = "lessons", .type = CONFIG_FLAG,
	  .default_value = "yes",
	  .doc = "Whether a task that needed more than one attempt gets a "
	  "short retrospective run that records a lesson." },
	{ .scope = CONFIG_BATON, .name = "lesson_role", .type = CONFIG_STRING,
	  .default_value = "triager",
	  .doc = "The (cheap) role whose runs write lessons." },

	{ .scope = CONFIG_UI, .name = "theme", .type = CONFIG_STRING,
	  .alias = "theme",
	  .doc = "The same as [baton] theme (its older home)." },

	{ .scope = CONFIG_PROVIDER, .name = "argv", .type = CONFIG_COMMAND,
	  .flags = CONFIG_REQUIRED,
	  .example = "claude -p {prompt} --output-format stream-json --verbose "
	  "--model {model}",
	  .doc = "The command that starts the agent: words with {prompt}, "
	  "{model} and {session} placeholders." },
	{ .scope = CONFIG_PROVIDER, .name = "resume", .type = CONFIG_COMMAND,
	  .example = "claude -p {prompt} --output-format stream-json --verbose "
	  "--model {model} --resume {session}",
	  .doc = "The command that continues the agent's session {session}; "
	  "unset, sessions are not resumed." },
	{ .scope = CONFIG_PROVIDER, .name = "readonly", .type = CONFIG_COMMAND,
	  .example = "claude -p {prompt} --output-format stream-json --verbose "
	  "--model {model} --permission-mode plan",
	  .doc = "The command for runs that must not change the worktree "
	  "(reviews); unset, argv, and whatever such a run leaves is thrown "
	  "away." },
	{ .scope = CONFIG_PROVIDER, .name = "sessions", .type = CONFIG_CHOICE,
	  .default_value = "global", .choices = config_sessions_choices,
	  .doc = "Where the CLI keeps its sessions: global (any folder may "
	  "resume one), or folder (only the folder it was made in)." },
	{ .scope = CONFIG_PROVIDER, .name = "stall", .type = CONFIG_NUMBER,
	  .default_value = "900", .minimum = 0, .maximum = 86400,
	  .doc = "Seconds a run may go without any output before it is "
	  "stopped as stalled and tried again; 0 never." },
	{ .scope = CONFIG_PROVIDER, .name = "format", .type = CONFIG_FORMAT,
	  .flags = CONFIG_REQUIRED, .example = "claude",
	  .doc = "The stream format of the agent's output: claude, codex, "
	  "gemini, opencode, amp or text." },
	{ .scope = CONFIG_PROVIDER, .name = "model", .type = CONFIG_STRING,
	  .example = "claude-sonnet-5",
	  .doc = "The model, for {model} and for prices." },
	{ .scope = CONFIG_PROVIDER, .name = "price", .type = CONFIG_STRING,
	  .example = "claude-sonnet-5",
	  .doc = "The model's key in the price table, when the model name "
	  "does not match one." },
	{ .scope = CONFIG_PROVIDER, .name = "env", .type = CONFIG_ENV,
	  .example = "ANTHROPIC_LOG=error",
	  .doc = "NAME=value set in the agent's environment; give it once per "
	  "variable." },
	{ .scope = CONFIG_PROVIDER, .name = "stdin", .type = CONFIG_CHOICE,
	  .default_value = "null", .choices = config_stdin_choices,
	  .doc = "What the agent reads on standard input: null, or inbox "
	  "(what 'baton send' writes)." },
	{ .scope = CONFIG_PROVIDER, .name = "concurrency",
	  .type = CONFIG_NUMBER,
	  .default_value = "0", .minimum = 0, .maximum = 64,
	  .doc = "The most runs of this provider at once; 0 for no limit of "
	  "its own." },

	{ .scope = CONFIG_ROLE, .name = "chain", .type = CONFIG_LIST,
	  .flags = CONFIG_REQUIRED, .example = "claude-sonnet, codex",
	  .doc = "Providers to try in order: on a rate limit or login failure "
	  "the run moves to the next." },
	{ .scope = CONFIG_ROLE, .name = "concurrency", .type = CONFIG_NUMBER,
	  .default_value = "0", .minimum = 0, .maximum = 64,
	  .doc = "The most tasks of this role running at once; 0 for no "
	  "limit of its own." },
	{ .scope = CONFIG_ROLE, .name = "persistent", .type = CONFIG_FLAG,
	  .default_value = "no",
	  .doc = "Whether the role keeps one agent session across its "
	  "tasks." },
};
const u_int config_noptions = nitems(config_options);

static const char *config_scope_names[] = {
	[CONFIG_BATON] = "baton",
	[CONFIG_UI] = "ui",
	[CONFIG_PROVIDER] = "provider",
	[CONFIG_ROLE] = "role",
};

const char *
config_scope_name(enum config_scope scope)
{
	return (config_scope_names[scope]);
}

/* The type in words, for --help and the sample. */
const char *
config_type_name(const struct config_option *o)
{
	static char	buf[128];

	switch (o->type) {
	case CONFIG_STRING:
		return ("string");
	case CONFIG_NUMBER:
		snprintf(buf, sizeof buf, "number, %lld to %lld", o->minimum,
		    o->maximum);
		return (buf);
	case CONFIG_FLAG:
		return ("yes or no");
	case CONFIG_CHOICE:
		return ("choice");
	case CONFIG_FORMAT:
		return ("format");
	case CONFIG_COMMAND:
		return ("command");
	case CONFIG_LIST:
		return ("list");
	case CONFIG_ENV:
		return ("NAME=value");
	}
	return ("?");
}

const struct config_option *
config_option_find(enum config_scope scope, const char *name)
{
	u_int	i;

	for (i = 0; i < config_noptions; i++) {
		if (config_options[i].scope == scope &&
		    strcmp(config_options[i].name, name) == 0)
			return (&config_options[i]);
	}
	return (NULL);
}

/* Append "# doc" wrapped at 76 columns. */
static void
config_sample_doc(char **out, const char *doc)
{
	const char	*p = doc, *cut, *space;
	char		*s;

	while (strlen(p) > 74) {
		cut = NULL;
		for (space = p; space != NULL && space - p <= 74;
		    space = strchr(space + 1, ' '))
			cut = space;
		if (cut == NULL || cut == p)
			break;
		xasprintf(&s, "%s# %.*s\n", *out, (int)(cut - p), p);
		free(*out);
		*out = s;
		p = cut + 1;
	}
	xasprintf(&s, "%s# %s\n", *out, p);
	free(*out);
	*out = s;
}

static void
config_sample_scope(char **out, enum config_scope scope)
{
	const struct config_option	*o;
	const char			*value;
	char				*s, *doc;
	u_int				 i;

	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->scope != scope)
			continue;
		if (o->flags & CONFIG_REQUIRED) {
			xasprintf(&doc, "%s (Required.)", o->doc);
			config_sample_doc(out, doc);
			free(doc);
		} else
			config_sample_doc(out, o->doc);
		value = o->default_value;
		if (value == NULL)
			value = o->example;
		xasprintf(&s, "%s# %s = %s\n", *out, o->name,
		    value != NULL ? value : "");
		free(*out);
		*out = s;
	}
}

/*
 * The commented sample .baton/config: every option of the table with its
 * documentation and default, all commented out, so it changes nothing.
 */
char *
config_sample(void)
{
	char	*out;

	out = xstrdup(
	    "# baton settings for this repository (INI syntax).\n"
	    "# They override $XDG_CONFIG_HOME/baton/config and the built-in "
	    "defaults,\n"
	    "# key by key. 'baton config show' prints the merged settings "
	    "and where\n"
	    "# each comes from; 'baton config check' reports any problem.\n"
	    "# In argv and resume, '...' or \"...\" keeps spaces in a word; "
	    "{prompt},\n"
	    "# {model} and {session} are replaced inside words, never split.\n"
	    "\n[baton]\n");
	config_sample_scope(&out, CONFIG_BATON);
	out = xrealloc(out, strlen(out) + 512);
	strcat(out, "\n# A provider: how to start one agent CLI with one "
	    "model.\n# [provider \"my-claude\"]\n");
	config_sample_scope(&out, CONFIG_PROVIDER);
	out = xrealloc(out, strlen(out) + 512);
	strcat(out, "\n# A role: the providers its tasks use, in order.\n"
	    "# [role \"worker\"]\n");
	config_sample_scope(&out, CONFIG_ROLE);
	return (out);
}
