/*
 * Provider command templates. A template is split into words once, when
 * the configuration is read; the placeholders {prompt}, {model} and
 * {session} are replaced inside each word afterwards, so whatever a prompt
 * holds (spaces, quotes, "$(...)", ";", newlines) it stays one argument.
 * No shell ever sees the result: the shim execs the argv as it is.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

struct template_buf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

static void
template_add(struct template_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->size) {
		b->size = b->size == 0 ? 64 : b->size;
		while (b->len + len + 1 > b->size)
			b->size *= 2;
		b->s = xrealloc(b->s, b->size);
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

static void
template_add_word(char ***words, u_int *n, struct template_buf *b)
{
	*words = xreallocarray(*words, *n + 2, sizeof **words);
	(*words)[(*n)++] = b->s != NULL ? b->s : xstrdup("");
	(*words)[*n] = NULL;
	memset(b, 0, sizeof *b);
}

/*
 * Split a template line into words at spaces and tabs. '...' keeps
 * everything inside; "..." too, except that \" and \\ stand for " and \;
 * outside quotes a backslash keeps the next character. The word list is
 * NULL-terminated and appended to what *words holds already, even when
 * an unterminated quote makes it fail.
 */
int
template_split(const char *text, char ***words, u_int *n, char **cause)
{
	struct template_buf	 b;
	const char		*p = text;
	char			 quote = 0;
	int			 in_word = 0;

	memset(&b, 0, sizeof b);
	for (; *p != '\0'; p++) {
		if (quote == '\'') {
			if (*p == '\'')
				quote = 0;
			else
				template_add(&b, p, 1);
			continue;
		}
		if (quote == '"') {
			if (*p == '"')
				quote = 0;
			else if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				template_add(&b, ++p, 1);
			else
				template_add(&b, p, 1);
			continue;
		}
		switch (*p) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			if (in_word)
				template_add_word(words, n, &b);
			in_word = 0;
			break;
		case '\'':
		case '"':
			quote = *p;
			in_word = 1;
			template_add(&b, "", 0);
			break;
		case '\\':
			if (p[1] != '\0')
				p++;
			/* FALLTHROUGH */
		default:
			template_add(&b, p, 1);
			in_word = 1;
			break;
		}
	}
	if (quote != 0) {
		free(b.s);
		xasprintf(cause, "unterminated %c quote", quote);
		return (-1);
	}
	if (in_word)
		template_add_word(words, n, &b);
	return (0);
}

/* Placeholder names and the flag each sets. */
static const struct {
	const char	*name;
	int		 flag;
} template_names[] = {
	{ "prompt", TEMPLATE_PROMPT },
	{ "model", TEMPLATE_MODEL },
	{ "session", TEMPLATE_SESSION },
};

/*
 * Walk one word: check it, collect the placeholders it uses in *uses and,
 * when out is not NULL, expand it with values[] (NULL: no value).
 */
static int
template_walk(const char *word, const char *const *values,
    struct template_buf *out, int *uses, char **cause)
{
	const char	*p = word, *end;
	size_t		 len;
	u_int		 i;

	while (*p != '\0') {
		if ((p[0] == '{' && p[1] == '{') ||
		    (p[0] == '}' && p[1] == '}')) {
			if (out != NULL)
				template_add(out, p, 1);
			p += 2;
			continue;
		}
		if (*p == '}') {
			xasprintf(cause, "a lone } in \"%s\" (write }} for a "
			    "brace)", word);
			return (-1);
		}
		if (*p != '{') {
			len = strcspn(p, "{}");
			if (out != NULL)
				template_add(out, p, len);
			p += len;
			continue;
		}
		if ((end = strchr(p + 1, '}')) == NULL) {
			xasprintf(cause, "unclosed { in \"%s\" (write {{ for a "
			    "brace)", word);
			return (-1);
		}
		len = end - (p + 1);
		for (i = 0; i < nitems(template_names); i++) {
			if (strlen(template_names[i].name) == len &&
			    strncmp(template_names[i].name, p + 1, len) == 0)
				break;
		}
		if (i == nitems(template_names)) {
			xasprintf(cause, "unknown placeholder {%.*s} (there "
			    "are {prompt}, {model} and {session})", (int)len,
			    p + 1);
			return (-1);
		}
		*uses |= template_names[i].flag;
		if (out != NULL) {
			if (values[i] == NULL) {
				xasprintf(cause, "{%s} has no value",
				    template_names[i].name);
				return (-1);
			}
			template_add(out, values[i], strlen(values[i]));
		}
		p = end + 1;
	}
	return (0);
}

/* Check one template word; *uses gains the TEMPLATE_* flags it uses. */
int
template_check(const char *word, int *uses, char **cause)
{
	return (template_walk(word, NULL, NULL, uses, cause));
}

/* One word with its placeholders replaced; NULL and *cause on error. */
char *
template_expand(const char *word, const char *prompt, const char *model,
    const char *session, char **cause)
{
	struct template_buf	 b;
	const char		*values[] = { prompt, model, session };
	int			 uses = 0;

	memset(&b, 0, sizeof b);
	template_add(&b, "", 0);
	if (template_walk(word, values, &b, &uses, cause) != 0) {
		free(b.s);
		return (NULL);
	}
	return (b.s);
}

/*
 * The argv that starts provider p: which is PROVIDER_ARGV, PROVIDER_RESUME
 * (its resume template) or PROVIDER_READONLY (its readonly template, or
 * argv when it has none). model NULL uses the provider's own. The
 * result is NULL-terminated; free it with provider_argv_free.
 */
int
provider_argv(const struct provider *p, const char *prompt, const char *model,
    const char *session, int which, char ***argv, char **cause)
{
	char *const	*tmpl = p->argv;
	u_int		 n = p->argc, i;
	char		**out, *why = NULL;

	*argv = NULL;
	if (which == PROVIDER_RESUME) {
		tmpl = p->resume;
		n = p->nresume;
	} else if (which == PROVIDER_READONLY && p->nreadonly != 0) {
		tmpl = p->readonly;
		n = p->nreadonly;
	}
	if (tmpl == NULL || n == 0) {
		xasprintf(cause, "provider %s %s", p->name,
		    which == PROVIDER_RESUME ?
		    "cannot resume a session (it sets no resume)" :
		    "has no argv");
		return (-1);
	}
	if (model == NULL)
		model = p->model;
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n; i++) {
		out[i] = template_expand(tmpl[i], prompt, model, session, &why);
		if (out[i] == NULL) {
			xasprintf(cause, "provider %s: %s", p->name, why);
			free(why);
			provider_argv_free(out);
			return (-1);
		}
	}
	*argv = out;
	return (0);
}

void
provider_argv_free(char **argv)
{
	char	**p;

	if (argv == NULL)
		return;
	for (p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}
