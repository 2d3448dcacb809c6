/* Provider templates, the options table and the configuration reader. */

#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "baton.h"

/* A configuration from the given texts, read in order, then finished. */
static struct config *
read_texts(const char *first, const char *second)
{
	struct config	*cf;

	cf = config_new();
	config_read_string(cf, "one", first);
	if (second != NULL)
		config_read_string(cf, "two", second);
	config_finish(cf);
	return (cf);
}

/* Whether a problem at file:line mentions what. */
static int
has_problem(struct config *cf, const char *file, u_int line, const char *what)
{
	size_t	i;

	for (i = 0; i < cf->nproblems; i++) {
		if (strcmp(cf->problems[i].file, file) == 0 &&
		    cf->problems[i].line == line &&
		    strstr(cf->problems[i].message, what) != NULL)
			return (1);
	}
	return (0);
}

static void
print_problems(struct config *cf)
{
	size_t	i;

	for (i = 0; i < cf->nproblems; i++) {
		print_message("%s:%u: %s\n", cf->problems[i].file,
		    cf->problems[i].line, cf->problems[i].message);
	}
}

static void
free_words(char **words, u_int n)
{
	u_int	i;

	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

static void
test_split(void **state)
{
	char	**w = NULL, *cause = NULL;
	u_int	  n = 0;

	assert_int_equal(template_split("  a  b\tc ", &w, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[0], "a");
	assert_string_equal(w[2], "c");
	assert_null(w[3]);
	free_words(w, n);

	w = NULL;
	n = 0;
	assert_int_equal(template_split("--x 'a b' \"c \\\"d\\\" \\\\\" e\\ f "
	    "'' {prompt}", &w, &n, &cause), 0);
	assert_int_equal(n, 6);
	assert_string_equal(w[0], "--x");
	assert_string_equal(w[1], "a b");
	assert_string_equal(w[2], "c \"d\" \\");
	assert_string_equal(w[3], "e f");
	assert_string_equal(w[4], "");
	assert_string_equal(w[5], "{prompt}");
	free_words(w, n);

	w = NULL;
	n = 0;
	assert_int_equal(template_split("a 'b c", &w, &n, &cause), -1);
	assert_non_null(strstr(cause, "unterminated"));
	free(cause);
	free_words(w, n);
}

static void
test_check(void **state)
{
	char	*cause = NULL;
	int	 uses = 0;

	assert_int_equal(template_check("--model={model}", &uses, &cause), 0);
	assert_int_equal(template_check("{prompt}{session}", &uses, &cause), 0);
	assert_int_equal(uses, TEMPLATE_MODEL|TEMPLATE_PROMPT|TEMPLATE_SESSION);

	uses = 0;
	assert_int_equal(template_check("{{\"a\":1}}", &uses, &cause), 0);
	assert_int_equal(uses, 0);

	assert_int_equal(template_check("--x={promt}", &uses, &cause), -1);
	assert_non_null(strstr(cause, "unknown placeholder {promt}"));
	free(cause);
	assert_int_equal(template_check("{}", &uses, &cause), -1);
	free(cause);
	assert_int_equal(template_check("{prompt", &uses, &cause), -1);
	assert_non_null(strstr(cause, "unclosed {"));
	free(cause);
	assert_int_equal(template_check("a}b", &uses, &cause), -1);
	assert_non_null(strstr(cause, "lone }"));
	free(cause);
	assert_int_equal(template_check("{PROMPT}", &uses, &cause), -1);
	free(cause);
}

static void
test_expand(void **state)
{
	char	*s, *cause = NULL;

	s = template_expand("--prompt={prompt}!", "hi there", NULL, NULL,
	    &cause);
	assert_string_equal(s, "--prompt=hi there!");
	free(s);
	s = template_expand("{model}/{session}", NULL, "m", "s", &cause);
	assert_string_equal(s, "m/s");
	free(s);
	s = template_expand("{{literal}} {{model}}", NULL, "m", NULL, &cause);
	assert_string_equal(s, "{literal} {model}");
	free(s);
	/* A value is never expanded again. */
	s = template_expand("{prompt}", "{model} }} {{", "m", NULL, &cause);
	assert_string_equal(s, "{model} }} {{");
	free(s);
	assert_null(template_expand("--resume {session}", "p", "m", NULL,
	    &cause));
	assert_non_null(strstr(cause, "{session} has no value"));
	free(cause);
	assert_null(template_expand("{nope}", "p", "m", "s", &cause));
	free(cause);
}

static const char provider_text[] =
	"[provider \"p\"]\n"
	"argv = agent -p {prompt} --model={model} --tag 'a b'\n"
	"resume = agent --resume {session} -p {prompt}\n"
	"format = claude\n"
	"model = m1\n"
	"[provider \"noresume\"]\n"
	"argv = agent {prompt}\n"
	"format = text\n";

/* Hostile prompts stay one argument each, byte for byte. */
static void
test_argv_prompts(void **state)
{
	static const char *prompts[] = {
		"it's \"quoted\"",
		"$(rm -rf ~) `id` ${HOME}",
		"a; b && c | d > e",
		"line one\nline two\n",
		" leading and trailing ",
		"{model} {session} {{",
		"-p --model x",
		"",
	};
	struct config	*cf;
	struct provider	*p;
	char		**argv, *cause = NULL, *big;
	u_int		  i;

	cf = read_texts(provider_text, NULL);
	print_problems(cf);
	assert_int_equal(cf->nproblems, 0);
	p = config_provider(cf, "p");
	assert_non_null(p);
	for (i = 0; i < nitems(prompts); i++) {
		assert_int_equal(provider_argv(p, prompts[i], NULL, NULL, 0,
		    &argv, &cause), 0);
		assert_string_equal(argv[0], "agent");
		assert_string_equal(argv[1], "-p");
		assert_string_equal(argv[2], prompts[i]);
		assert_string_equal(argv[3], "--model=m1");
		assert_string_equal(argv[4], "--tag");
		assert_string_equal(argv[5], "a b");
		assert_null(argv[6]);
		provider_argv_free(argv);
	}

	big = xmalloc(1024 * 1024 + 1);
	for (i = 0; i < 1024 * 1024; i++)
		big[i] = " \n;$'\"(){}ab"[i % 12];
	big[1024 * 1024] = '\0';
	assert_int_equal(provider_argv(p, big, NULL, NULL, 0, &argv, &cause),
	    0);
	assert_int_equal(strlen(argv[2]), 1024 * 1024);
	assert_memory_equal(argv[2], big, 1024 * 1024);
	assert_null(argv[6]);
	provider_argv_free(argv);
	free(big);
	config_free(cf);
}

static void
test_argv_resume(void **state)
{
	struct config	*cf;
	struct provider	*p;
	char		**argv, *cause = NULL;

	cf = read_texts(provider_text, NULL);
	p = config_provider(cf, "p");
	assert_int_equal(provider_argv(p, "go on", "m2", "ses-1", 1, &argv,
	    &cause), 0);
	assert_string_equal(argv[0], "agent");
	assert_string_equal(argv[1], "--resume");
	assert_string_equal(argv[2], "ses-1");
	assert_string_equal(argv[3], "-p");
	assert_string_equal(argv[4], "go on");
	assert_null(argv[5]);
	provider_argv_free(argv);

	/* The caller's model wins over the provider's. */
	assert_int_equal(provider_argv(p, "x", "m2", NULL, 0, &argv, &cause),
	    0);
	assert_string_equal(argv[3], "--model=m2");
	provider_argv_free(argv);

	/* Resuming needs a session and a resume template. */
	assert_int_equal(provider_argv(p, "x", NULL, NULL, 1, &argv, &cause),
	    -1);
	assert_null(argv);
	assert_non_null(strstr(cause, "{session} has no value"));
	free(cause);
	p = config_provider(cf, "noresume");
	assert_int_equal(provider_argv(p, "x", NULL, "s", 1, &argv, &cause),
	    -1);
	assert_non_null(strstr(cause, "cannot resume"));
	free(cause);
	config_free(cf);
}

/* The built-in file: no problems, and its [baton] values are the table's. */
static void
test_builtin(void **state)
{
	struct config			*cf, *table;
	const struct config_option	*o;
	struct role			*worker, *reviewer;
	static const char		*roles[] = { "architect", "worker",
	    "designer", "reviewer", "sre", "assistant", "triager", "ops" };
	u_int				 i;

	cf = config_new();
	config_read_string(cf, CONFIG_BUILTIN, config_default_data);
	config_finish(cf);
	print_problems(cf);
	assert_int_equal(cf->nproblems, 0);

	table = config_new();
	config_finish(table);
	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->scope != CONFIG_BATON)
			continue;
		/* An option without a default (the test command) stays unset. */
		if (o->default_value == NULL) {
			assert_null(cf->values[i].text);
			continue;
		}
		assert_non_null(cf->values[i].text);
		assert_string_equal(cf->values[i].text,
		    table->values[i].text);
		assert_string_equal(cf->values[i].file, CONFIG_BUILTIN);
	}
	config_free(table);

	for (i = 0; i < nitems(roles); i++) {
		assert_non_null(config_role(cf, roles[i]));
		assert_true(config_role(cf, roles[i])->nchain >= 2);
	}
	for (i = 0; i < cf->nproviders; i++) {
		assert_non_null(cf->providers[i]->model);
		assert_non_null(cf->providers[i]->resume);
		assert_non_null(adapter_find(cf->providers[i]->format));
		/* Every shipped model has a price. */
		assert_non_null(price_find(cf->providers[i]->price));
	}
	worker = config_role(cf, "worker");
	reviewer = config_role(cf, "reviewer");
	assert_string_not_equal(worker->chain[0]->format,
	    reviewer->chain[0]->format);
	assert_true(config_role(cf, "architect")->persistent);
	assert_false(worker->persistent);
	config_free(cf);
}

static void
check_argv(struct config *cf, const char *name, int resume, const char *want)
{
	struct provider	*p;
	char		**argv, *cause = NULL, *got = NULL, *s;
	u_int		  i;

	p = config_provider(cf, name);
	assert_non_null(p);
	assert_int_equal(provider_argv(p, "do it", NULL, "S1", resume, &argv,
	    &cause), 0);
	for (i = 0; argv[i] != NULL; i++) {
		xasprintf(&s, "%s%s[%s]", got != NULL ? got : "",
		    i != 0 ? " " : "", argv[i]);
		free(got);
		got = s;
	}
	assert_string_equal(got, want);
	free(got);
	provider_argv_free(argv);
}

/* The shipped providers start each CLI headless, as its docs say. */
static void
test_builtin_argv(void **state)
{
	struct config	*cf;

	cf = config_new();
	config_read_string(cf, CONFIG_BUILTIN, config_default_data);
	config_finish(cf);
	check_argv(cf, "claude-sonnet", 0, "[claude] [-p] [do it] "
	    "[--output-format] [stream-json] [--verbose] [--model] "
	    "[claude-sonnet-5] [--permission-mode] [acceptEdits]");
	check_argv(cf, "claude-opus", 1, "[claude] [-p] [do it] "
	    "[--output-format] [stream-json] [--verbose] [--model] "
	    "[claude-opus-5] [--permission-mode] [acceptEdits] [--resume] "
	    "[S1]");
	check_argv(cf, "codex", 0, "[codex] [exec] [--json] [--sandbox] "
	    "[workspace-write] [--skip-git-repo-check] [--model] [gpt-5.5] "
	    "[do it]");
	check_argv(cf, "codex-mini", 1, "[codex] [exec] [--json] [-c] "
	    "[sandbox_mode=\"workspace-write\"] [--skip-git-repo-check] "
	    "[--model] [gpt-5.4-mini] [resume] [S1] [do it]");
	check_argv(cf, "gemini-pro", 0, "[gemini] [-p] [do it] "
	    "[--output-format] [stream-json] [-m] [gemini-2.5-pro] "
	    "[--approval-mode] [auto_edit] [--skip-trust]");
	check_argv(cf, "gemini-flash", 1, "[gemini] [-p] [do it] "
	    "[--output-format] [stream-json] [-m] [gemini-2.5-flash] "
	    "[--approval-mode] [auto_edit] [--skip-trust] [--resume] [S1]");
	/* Reviews: each CLI's read-only or plan mode. */
	check_argv(cf, "claude-sonnet", PROVIDER_READONLY, "[claude] [-p] "
	    "[do it] [--output-format] [stream-json] [--verbose] [--model] "
	    "[claude-sonnet-5] [--permission-mode] [plan]");
	check_argv(cf, "codex", PROVIDER_READONLY, "[codex] [exec] [--json] "
	    "[--sandbox] [read-only] [--skip-git-repo-check] [--model] "
	    "[gpt-5.5] [do it]");
	check_argv(cf, "gemini-pro", PROVIDER_READONLY, "[gemini] [-p] "
	    "[do it] [--output-format] [stream-json] [-m] [gemini-2.5-pro] "
	    "[--approval-mode] [plan] [--skip-trust]");
	/* No readonly of its own: a review runs its argv. */
	check_argv(cf, "opencode-gpt", PROVIDER_READONLY, "[opencode] [run] "
	    "[--format] [json] [-m] [openai/gpt-5.5] [do it]");
	assert_true(config_provider(cf, "claude-opus")->folder_sessions);
	assert_true(config_provider(cf, "gemini-pro")->folder_sessions);
	assert_false(config_provider(cf, "codex")->folder_sessions);
	assert_int_equal(config_provider(cf, "codex")->stall, 900);
	check_argv(cf, "opencode-sonnet", 0, "[opencode] [run] [--format] "
	    "[json] [-m] [anthropic/claude-sonnet-5] [do it]");
	check_argv(cf, "opencode-gpt", 1, "[opencode] [run] [--format] [json] "
	    "[-m] [openai/gpt-5.5] [--session] [S1] [do it]");
	assert_string_equal(config_provider(cf, "opencode-sonnet")->price,
	    "claude-sonnet-5");
	assert_string_equal(config_provider(cf, "codex")->price, "gpt-5.5");
	config_free(cf);
}

/* The sample init writes reads cleanly and changes nothing. */
static void
test_sample(void **state)
{
	struct config	*cf;
	char		*sample;
	u_int		 i;

	sample = config_sample();
	cf = config_new();
	config_read_string(cf, CONFIG_BUILTIN, config_default_data);
	config_read_string(cf, "sample", sample);
	config_finish(cf);
	print_problems(cf);
	assert_int_equal(cf->nproblems, 0);
	for (i = 0; i < config_noptions; i++) {
		if (cf->values[i].file != NULL)
			assert_string_equal(cf->values[i].file, CONFIG_BUILTIN);
	}
	assert_null(config_provider(cf, "my-claude"));
	/* Every option of the table is in it, with its doc. */
	for (i = 0; i < config_noptions; i++) {
		if (config_options[i].alias != NULL)
			continue;
		assert_non_null(strstr(sample, config_options[i].name));
	}
	free(sample);
	config_free(cf);
}

/* A later text replaces values key by key and keeps the rest. */
static void
test_override(void **state)
{
	const struct config_option *o;
	struct config	*cf;
	struct provider	*p;
	struct role	*r;

	cf = read_texts(
	    "[baton]\n"
	    "concurrency = 3\n"
	    "retries = 1\n"
	    "[provider \"a\"]\n"
	    "argv = a {prompt}\n"
	    "format = claude\n"
	    "env = X=1\n"
	    "env = Y=2\n"
	    "[provider.b]\n"
	    "argv = b {prompt}\n"
	    "format = codex\n"
	    "[role \"r\"]\n"
	    "chain = a, b\n",
	    "[baton]\n"
	    "concurrency = 9\n"
	    "[ui]\n"
	    "theme = mono\n"
	    "[provider.a]\n"
	    "model = big\n"
	    "env = Z=3\n"
	    "[role.r]\n"
	    "persistent = yes\n");
	print_problems(cf);
	assert_int_equal(cf->nproblems, 0);
	assert_int_equal(cf->concurrency, 9);
	assert_int_equal(cf->retries, 1);
	assert_int_equal(cf->backoff, 30);
	assert_string_equal(cf->theme, "mono");
	p = config_provider(cf, "a");
	assert_string_equal(p->model, "big");
	assert_string_equal(p->price, "big");
	assert_string_equal(p->format, "claude");
	assert_int_equal(p->nenv, 1);
	assert_string_equal(p->env[0], "Z=3");
	o = config_option_find(CONFIG_PROVIDER, "argv");
	assert_int_equal(p->values[o - config_options].line, 5);
	assert_string_equal(p->values[o - config_options].file, "one");
	o = config_option_find(CONFIG_PROVIDER, "model");
	assert_int_equal(p->values[o - config_options].line, 6);
	assert_string_equal(p->values[o - config_options].file, "two");
	r = config_role(cf, "r");
	assert_non_null(r);
	assert_true(r->persistent);
	assert_int_equal(r->nchain, 2);
	assert_ptr_equal(r->chain[1], config_provider(cf, "b"));
	config_free(cf);
}

/* Continuation lines, inline comments, env entries in one file. */
static void
test_syntax(void **state)
{
	struct config	*cf;
	struct provider	*p;
	struct role	*r;

	cf = read_texts(
	    "; a comment\n"
	    "# another\n"
	    "[provider \"a\"]\n"
	    "argv = a --long-option\n"
	    "\t{prompt} ; the prompt\n"
	    "    --model {model}\n"
	    "format = claude ; inline\n"
	    "model = m\n"
	    "env = A=1\n"
	    "  B=two words\n"
	    "env = A=3\n"
	    "stdin = inbox\n"
	    "concurrency = 2\n"
	    "[role \"r\"]\n"
	    "chain = a,\n"
	    "  a2\n"
	    "[provider \"a2\"]\n"
	    "argv = x\n"
	    "format = text\n"
	    "stdin = inbox\n", NULL);
	print_problems(cf);
	assert_int_equal(cf->nproblems, 0);
	p = config_provider(cf, "a");
	assert_int_equal(p->argc, 5);
	assert_string_equal(p->argv[2], "{prompt}");
	assert_string_equal(p->argv[4], "{model}");
	assert_string_equal(p->format, "claude");
	assert_int_equal(p->nenv, 2);
	assert_string_equal(p->env[0], "A=3");
	assert_string_equal(p->env[1], "B=two words");
	assert_int_equal(p->stdin_from, PROVIDER_STDIN_INBOX);
	assert_int_equal(p->concurrency, 2);
	r = config_role(cf, "r");
	assert_int_equal(r->nchain, 2);
	assert_string_equal(r->chain[1]->name, "a2");
	config_free(cf);
}

/* Every kind of mistake is reported at its line, and reading goes on. */
static void
test_problems(void **state)
{
	struct config	*cf;
	char		 longline[400];

	memset(longline, 'x', sizeof longline);
	memcpy(longline, "model = ", 8);
	longline[sizeof longline - 2] = '\n';
	longline[sizeof longline - 1] = '\0';

	cf = read_texts(
	    "stray = 1\n"				/* 1 */
	    "[baton]\n"					/* 2 */
	    "concurency = 4\n"				/* 3 */
	    "concurrency = 0\n"				/* 4 */
	    "retries = lots\n"				/* 5 */
	    "[servers]\n"				/* 6 */
	    "x = 1\n"					/* 7 */
	    "[provider \"bad name!\"]\n"		/* 8 */
	    "[provider \"p\"]\n"			/* 9 */
	    "argv = p --x={promt} {prompt}\n"		/* 10 */
	    "format = jsonx\n"				/* 11 */
	    "stdin = pipe\n"				/* 12 */
	    "env = 1X=2\n"				/* 13 */
	    "this line has no equals sign\n"		/* 14 */
	    "[provider \"q\"]\n"			/* 15 */
	    "argv = q --model {model}\n"		/* 16 */
	    "resume = q --again {prompt}\n"		/* 17 */
	    "format = text\n"				/* 18 */
	    "format = claude\n"				/* 19 */
	    "[role \"r\"]\n"				/* 20 */
	    "chain = q, nosuch, q\n"			/* 21 */
	    "persistent = maybe\n"			/* 22 */
	    "[role \"s\"]\n"				/* 23 */
	    "chain = q, nosuch\n"			/* 24 */
	    "concurrency = 2\n"				/* 25 */
	    "  3\n"					/* 26 */
	    "[role \"empty\"]\n"			/* 27 */
	    "[provider\n"				/* 28 */
	    "[role r]\n",				/* 29 */
	    longline);
	print_problems(cf);
	assert_true(has_problem(cf, "one", 1, "outside any section"));
	assert_true(has_problem(cf, "one", 3, "unknown key \"concurency\""));
	assert_true(has_problem(cf, "one", 4, "out of range (1 to 64)"));
	assert_true(has_problem(cf, "one", 5, "\"lots\" is not a number"));
	assert_true(has_problem(cf, "one", 6, "unknown section [servers]"));
	assert_false(has_problem(cf, "one", 7, ""));
	assert_true(has_problem(cf, "one", 8, "bad provider name"));
	assert_true(has_problem(cf, "one", 10, "unknown placeholder {promt}"));
	assert_true(has_problem(cf, "one", 11, "unknown format \"jsonx\""));
	assert_true(has_problem(cf, "one", 12,
	    "\"pipe\" is not null or inbox"));
	assert_true(has_problem(cf, "one", 13, "bad variable name \"1X\""));
	assert_true(has_problem(cf, "one", 14, "expected NAME = VALUE"));
	/* p's argv and format were both refused. */
	assert_true(has_problem(cf, "one", 9, "sets no argv"));
	assert_true(has_problem(cf, "one", 9, "sets no format"));
	assert_true(has_problem(cf, "one", 16, "never passes {prompt}"));
	assert_true(has_problem(cf, "one", 16, "uses {model}, but no model"));
	assert_true(has_problem(cf, "one", 17, "never passes {session}"));
	assert_true(has_problem(cf, "one", 19, "already set at line 18"));
	assert_true(has_problem(cf, "one", 21, "q appears twice"));
	assert_true(has_problem(cf, "one", 22, "\"maybe\" is not yes or no"));
	assert_true(has_problem(cf, "one", 24, "no [provider \"nosuch\"]"));
	assert_true(has_problem(cf, "one", 26, "takes one line"));
	assert_true(has_problem(cf, "one", 27,
	    "[role \"empty\"] sets no chain"));
	assert_true(has_problem(cf, "one", 28, "closing ]"));
	assert_true(has_problem(cf, "one", 29, "unknown section [role r]"));
	assert_true(has_problem(cf, "one", 20, "[role \"r\"] sets no chain"));
	assert_true(has_problem(cf, "two", 1, "longer than 197 bytes"));
	assert_int_equal(cf->nproblems, 26);

	/* Sorted by file, then line. */
	assert_string_equal(cf->problems[0].file, "one");
	assert_int_equal(cf->problems[0].line, 1);
	assert_string_equal(cf->problems[cf->nproblems - 1].file, "two");

	/* The good values around the bad ones were kept. */
	assert_int_equal(cf->concurrency, 4);
	assert_string_equal(config_provider(cf, "q")->format, "text");
	assert_int_equal(config_role(cf, "s")->nchain, 1);
	config_free(cf);

	/* An unterminated quote refuses the line (and leaks nothing). */
	cf = read_texts("[provider \"u\"]\nargv = u {prompt} 'open\n"
	    "format = text\n", NULL);
	assert_true(has_problem(cf, "one", 2, "unterminated ' quote"));
	assert_true(has_problem(cf, "one", 1, "sets no argv"));
	assert_int_equal(cf->nproblems, 2);
	config_free(cf);

	/* A file that is not there is no problem. */
	cf = config_new();
	config_read_file(cf, "/nonexistent/baton/config");
	config_finish(cf);
	assert_int_equal(cf->nproblems, 0);
	assert_int_equal(cf->files_read[0], 0);
	config_free(cf);
}

/* config_load names the first problem and how many more there are. */
static void
test_load(void **state)
{
	struct config	*cf;
	const char	*tmp;
	char		*dir, *path, *cause = NULL;
	FILE		*f;

	tmp = getenv("TMPDIR");
	xasprintf(&dir, "%s/baton-test-config.XXXXXX", tmp != NULL &&
	    *tmp == '/' ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	xasprintf(&path, "%s/baton", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	xasprintf(&path, "%s/baton/config", dir);

	cf = config_load(NULL, &cause);
	assert_non_null(cf);
	assert_non_null(config_role(cf, "worker"));
	config_free(cf);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[baton]\nretries = -1\nbackoff = 0\n", f);
	fclose(f);
	assert_null(config_load(NULL, &cause));
	assert_non_null(strstr(cause, "/baton/config:2: [baton] retries"));
	assert_non_null(strstr(cause, "(and 1 more: see"));
	free(cause);

	unlink(path);
	xasprintf(&cause, "%s/baton", dir);
	rmdir(cause);
	free(cause);
	rmdir(dir);
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_argv_prompts),
		cmocka_unit_test(test_argv_resume),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_builtin_argv),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_load),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
