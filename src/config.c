/*
 * Reading the configuration. The built-in data/baton.conf, the user's file
 * and the repository's .baton/config are all read by the same code: libinih
 * parses the INI, fed line by line by a reader of our own that counts
 * lines, notices section headers (inih reports only keys) and lines inih
 * would reject, so that every problem is kept with its file and line
 * instead of stopping at the first.
 *
 * Values are kept per section as one config_value for each option of the
 * table; a later file replaces a value key by key. config_finish then
 * checks what only the whole can tell (required keys, a chain naming a
 * provider nobody defined) and builds the provider and role structs.
 */

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "baton.h"

/* The longest provider or role name. */
#define CONFIG_NAME_MAX 32

/* One [section]: its values, one per option of the table. */
struct config_section {
	enum config_scope	 scope;
	char			*name;		/* NULL: [baton] */
	const char		*file;		/* first header */
	u_int			 line;
	struct config_value	*values;
};

struct config_state {
	struct config_section	**sections;	/* [baton] first */
	size_t			  nsections;
	struct config_section	 *baton;

	/* The file being read. */
	const char		 *file;
	const char		 *text;
	size_t			  len;
	size_t			  off;
	u_int			  line;
	int			  in_key;	/* after a key (inih's) */
	int			  continued;	/* a continuation line */
	int			  in_section;	/* a header was seen */
	struct config_section	 *section;	/* NULL: ignoring keys */
	enum config_scope	  scope;	/* of the header, [ui] too */
	const struct config_option *last;	/* what continuations extend */
};

static void	config_value_clear(struct config_value *);

static size_t
config_file_index(struct config *cf, const char *file)
{
	size_t	i;

	for (i = 0; i < cf->nfiles; i++) {
		if (cf->files[i] == file)
			return (i);
	}
	return (cf->nfiles);
}

/*
 * Keep a problem; config check prints them all, config_load the first.
 * The list stays in order of place: file as read, then line.
 */
void
config_problem(struct config *cf, const char *file, u_int line,
    const char *fmt, ...)
{
	struct config_problem	*p;
	va_list			 ap;
	size_t			 at, index = config_file_index(cf, file);

	cf->problems = xreallocarray(cf->problems, cf->nproblems + 1,
	    sizeof *cf->problems);
	for (at = cf->nproblems; at > 0; at--) {
		p = &cf->problems[at - 1];
		if (config_file_index(cf, p->file) < index ||
		    (p->file == file && p->line <= line))
			break;
		cf->problems[at] = *p;
	}
	cf->nproblems++;
	p = &cf->problems[at];
	p->file = file;
	p->line = line;
	va_start(ap, fmt);
	xvasprintf(&p->message, fmt, ap);
	va_end(ap);
}

/* "[baton]", "[provider "x"]": how messages name a section. */
static char *
config_section_label(struct config_section *s)
{
	char	*label;

	if (s->name == NULL)
		xasprintf(&label, "[%s]", config_scope_name(s->scope));
	else
		xasprintf(&label, "[%s \"%s\"]", config_scope_name(s->scope),
		    s->name);
	return (label);
}

static size_t
config_index(const struct config_option *o)
{
	return ((size_t)(o - config_options));
}

static int
config_parse_value(const struct config_option *, const char *,
    struct config_value *, char **);

/* A section with every value at the table's default. */
static struct config_section *
config_section_new(struct config *cf, enum config_scope scope,
    const char *name)
{
	struct config_state	*st = cf->state;
	struct config_section	*s;
	const struct config_option *o;
	char			*cause = NULL;
	u_int			 i;

	s = xcalloc(1, sizeof *s);
	s->scope = scope;
	s->name = name != NULL ? xstrdup(name) : NULL;
	s->file = st->file;
	s->line = st->line;
	s->values = xcalloc(config_noptions, sizeof *s->values);
	for (i = 0; i < config_noptions; i++) {
		o = &config_options[i];
		if (o->scope != scope || o->default_value == NULL)
			continue;
		if (config_parse_value(o, o->default_value, &s->values[i],
		    &cause) != 0)
			fatalx("option %s: bad default: %s", o->name, cause);
	}
	st->sections = xreallocarray(st->sections, st->nsections + 1,
	    sizeof *st->sections);
	st->sections[st->nsections++] = s;
	return (s);
}

static struct config_section *
config_section_find(struct config *cf, enum config_scope scope,
    const char *name)
{
	struct config_state	*st = cf->state;
	struct config_section	*s;
	size_t			 i;

	for (i = 0; i < st->nsections; i++) {
		s = st->sections[i];
		if (s->scope != scope)
			continue;
		if ((s->name == NULL && name == NULL) || (s->name != NULL &&
		    name != NULL && strcmp(s->name, name) == 0))
			return (s);
	}
	return (NULL);
}

static void
config_section_free(struct config_section *s)
{
	u_int	i;

	for (i = 0; i < config_noptions; i++)
		config_value_clear(&s->values[i]);
	free(s->values);
	free(s->name);
	free(s);
}

/* A provider name: 1 to 32 letters, digits, '.', '-' or '_'. */
static int
config_check_name(const char *name, int dots)
{
	const char	*p;
	size_t		 len = strlen(name);

	if (len == 0 || len > CONFIG_NAME_MAX)
		return (-1);
	for (p = name; *p != '\0'; p++) {
		if (isalnum((u_char)*p) || *p == '-' || *p == '_' ||
		    (dots && *p == '.'))
			continue;
		return (-1);
	}
	return (0);
}

static void
config_value_clear(struct config_value *v)
{
	u_int	i;

	free(v->text);
	for (i = 0; i < v->nwords; i++)
		free(v->words[i]);
	free(v->words);
	memset(v, 0, sizeof *v);
}

static char *
config_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return (s);
}

/* Add "a, b" to a list, refusing bad and repeated names. */
static int
config_parse_list(const char *text, struct config_value *v, char **cause)
{
	char	*copy, *next, *word;
	u_int	 i;
	int	 rc = 0;

	copy = xstrdup(text);
	for (next = copy; rc == 0 && (word = strsep(&next, ",")) != NULL;) {
		word = config_trim(word);
		if (*word == '\0' && next == NULL && word != copy)
			break;	/* "a, b," goes on on the next line */
		if (*word == '\0') {
			xasprintf(cause, "an empty name in \"%s\"", text);
			rc = -1;
		} else if (config_check_name(word, 1) != 0) {
			xasprintf(cause, "bad name \"%s\": 1 to %d letters, "
			    "digits, '.', '-' or '_'", word, CONFIG_NAME_MAX);
			rc = -1;
		}
		for (i = 0; rc == 0 && i < v->nwords; i++) {
			if (strcmp(v->words[i], word) == 0) {
				xasprintf(cause, "%s appears twice", word);
				rc = -1;
			}
		}
		if (rc == 0) {
			v->words = xreallocarray(v->words, v->nwords + 2,
			    sizeof *v->words);
			v->words[v->nwords++] = xstrdup(word);
			v->words[v->nwords] = NULL;
		}
	}
	free(copy);
	return (rc);
}

/* Add NAME=value, replacing an earlier value of NAME. */
static int
config_parse_env(const char *text, struct config_value *v, char **cause)
{
	const char	*eq = strchr(text, '='), *p;
	size_t		 len;
	u_int		 i;

	if (eq == NULL || eq == text) {
		xasprintf(cause, "\"%s\" is not NAME=value", text);
		return (-1);
	}
	len = eq - text;
	for (p = text; p < eq; p++) {
		if (*p == '_' || isalpha((u_char)*p) ||
		    (p != text && isdigit((u_char)*p)))
			continue;
		xasprintf(cause, "bad variable name \"%.*s\"", (int)len, text);
		return (-1);
	}
	for (i = 0; i < v->nwords; i++) {
		if (strncmp(v->words[i], text, len + 1) == 0) {
			free(v->words[i]);
			v->words[i] = xstrdup(text);
			return (0);
		}
	}
	v->words = xreallocarray(v->words, v->nwords + 2, sizeof *v->words);
	v->words[v->nwords++] = xstrdup(text);
	v->words[v->nwords] = NULL;
	return (0);
}

/* Add a command line's words, each checked for placeholders. */
static int
config_parse_command(const char *text, struct config_value *v, char **cause)
{
	char	**words = NULL, *why = NULL;
	u_int	  n = 0, i;
	int	  uses = 0;

	if (template_split(text, &words, &n, cause) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (template_check(words[i], &uses, &why) != 0) {
			*cause = why;
			goto fail;
		}
	}
	v->words = xreallocarray(v->words, v->nwords + n + 1,
	    sizeof *v->words);
	for (i = 0; i < n; i++)
		v->words[v->nwords++] = words[i];
	v->words[v->nwords] = NULL;
	free(words);
	return (0);

fail:
	for (i = 0; i < n; i++)
		free(words[i]);
	free(words);
	return (-1);
}

static int
config_parse_flag(const char *text, long long *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	u_int	i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = 1;
			return (0);
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = 0;
			return (0);
		}
	}
	return (-1);
}

/*
 * Parse text as option o into v, adding to what v holds (a continuation
 * line, or another env entry) for the list types. v is unchanged on error.
 */
static int
config_parse_value(const struct config_option *o, const char *text,
    struct config_value *v, char **cause)
{
	struct config_value	 nv;
	char			*end;
	long long		 n;
	u_int			 i;
	int			 rc = 0;

	/* Work on a copy so that a bad line changes nothing. */
	memset(&nv, 0, sizeof nv);
	nv.number = v->number;
	if (v->nwords != 0) {
		nv.words = xcalloc(v->nwords + 1, sizeof *nv.words);
		for (i = 0; i < v->nwords; i++)
			nv.words[i] = xstrdup(v->words[i]);
		nv.nwords = v->nwords;
	}

	switch (o->type) {
	case CONFIG_STRING:
		if (*text == '\0') {
			xasprintf(cause, "needs a value");
			rc = -1;
		}
		break;
	case CONFIG_NUMBER:
		errno = 0;
		n = strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0' || errno != 0) {
			xasprintf(cause, "\"%s\" is not a number", text);
			rc = -1;
		} else if (n < o->minimum || n > o->maximum) {
			xasprintf(cause, "%s is out of range (%lld to %lld)",
			    text, o->minimum, o->maximum);
			rc = -1;
		} else
			nv.number = n;
		break;
	case CONFIG_FLAG:
		if (config_parse_flag(text, &nv.number) != 0) {
			xasprintf(cause, "\"%s\" is not yes or no", text);
			rc = -1;
		}
		break;
	case CONFIG_CHOICE:
		for (i = 0; o->choices[i] != NULL; i++) {
			if (strcmp(text, o->choices[i]) == 0)
				break;
		}
		if (o->choices[i] == NULL) {
			xasprintf(cause, "\"%s\" is not %s or %s", text,
			    o->choices[0], o->choices[1]);
			rc = -1;
		} else
			nv.number = i;
		break;
	case CONFIG_FORMAT:
		if (adapter_find(text) == NULL) {
			xasprintf(cause, "unknown format \"%s\" (one of: %s)",
			    text, adapter_names());
			rc = -1;
		}
		break;
	case CONFIG_COMMAND:
		rc = config_parse_command(text, &nv, cause);
		if (rc == 0 && nv.nwords == 0) {
			xasprintf(cause, "needs at least the program");
			rc = -1;
		}
		break;
	case CONFIG_LIST:
		rc = config_parse_list(text, &nv, cause);
		break;
	case CONFIG_ENV:
		rc = config_parse_env(text, &nv, cause);
		break;
	}
	if (rc != 0) {
		config_value_clear(&nv);
		return (-1);
	}

	/* The text as written, continuations joined. */
	if (v->text != NULL && o->type == CONFIG_COMMAND)
		xasprintf(&nv.text, "%s %s", v->text, text);
	else if (v->text != NULL && o->type == CONFIG_LIST)
		xasprintf(&nv.text, "%s, %s", v->text, text);
	else if (v->text != NULL && o->type == CONFIG_ENV)
		xasprintf(&nv.text, "%s\n%s", v->text, text);
	else
		nv.text = xstrdup(text);
	nv.file = v->file;
	nv.line = v->line;
	config_value_clear(v);
	*v = nv;
	return (0);
}

/* A header: find or make its section, or report it. */
static void
config_header(struct config *cf, const char *header)
{
	struct config_state	*st = cf->state;
	enum config_scope	 scope;
	char			*copy, *word, *name = NULL;
	size_t			 len;

	st->section = NULL;
	st->in_section = 1;
	st->last = NULL;
	copy = xstrdup(header);
	word = config_trim(copy);
	if (strcmp(word, "baton") == 0 || strcmp(word, "ui") == 0) {
		st->scope = *word == 'b' ? CONFIG_BATON : CONFIG_UI;
		st->section = st->baton;
		goto out;
	}
	if (strncmp(word, "provider", 8) == 0) {
		scope = CONFIG_PROVIDER;
		name = word + 8;
	} else if (strncmp(word, "role", 4) == 0) {
		scope = CONFIG_ROLE;
		name = word + 4;
	}
	if (name != NULL && *name == '.')
		name++;
	else if (name != NULL && (*name == ' ' || *name == '\t')) {
		name = config_trim(name);
		len = strlen(name);
		if (len >= 2 && name[0] == '"' && name[len - 1] == '"') {
			name[len - 1] = '\0';
			name++;
		} else
			name = NULL;
	} else
		name = NULL;
	if (name == NULL) {
		config_problem(cf, st->file, st->line, "unknown section [%s] "
		    "(there are [baton], [provider \"NAME\"] and "
		    "[role \"NAME\"])", word);
		goto out;
	}
	if (config_check_name(name, scope == CONFIG_PROVIDER) != 0) {
		config_problem(cf, st->file, st->line, "bad %s name \"%s\": 1 "
		    "to %d letters, digits, %s'-' or '_'",
		    config_scope_name(scope), name, CONFIG_NAME_MAX,
		    scope == CONFIG_PROVIDER ? "'.', " : "");
		goto out;
	}
	st->scope = scope;
	st->section = config_section_find(cf, scope, name);
	if (st->section == NULL)
		st->section = config_section_new(cf, scope, name);
out:
	free(copy);
}

/* inih's scan: up to one of chars, or a ';' after a space. */
static const char *
config_find_chars(const char *s, const char *chars)
{
	int	was_space = 0;

	while (*s != '\0' && (chars == NULL || strchr(chars, *s) == NULL) &&
	    !(was_space && *s == ';')) {
		was_space = isspace((u_char)*s);
		s++;
	}
	return (s);
}

/*
 * Look at a line before inih does, the way inih will: a continuation, a
 * section header, a key, or a line inih would reject.
 */
static void
config_classify(struct config *cf, const char *line)
{
	struct config_state	*st = cf->state;
	const char		*s = line, *end;
	char			*header;
	int			 indented;

	if (st->line == 1 && strncmp(s, "\357\273\277", 3) == 0)
		s += 3;
	indented = isspace((u_char)*s);
	while (isspace((u_char)*s))
		s++;
	st->continued = 0;
	if (*s == '\0' || *s == ';' || *s == '#')
		return;
	if (st->in_key && indented) {
		st->continued = 1;
		return;
	}
	if (*s == '[') {
		end = config_find_chars(s + 1, "]");
		if (*end != ']') {
			config_problem(cf, st->file, st->line, "a section "
			    "header needs a closing ]");
			st->section = NULL;
			st->in_section = 1;
			return;
		}
		header = xstrndup(s + 1, end - (s + 1));
		st->in_key = 0;
		config_header(cf, header);
		free(header);
		return;
	}
	end = config_find_chars(s, "=:");
	if (*end == '=' || *end == ':')
		st->in_key = 1;
	else {
		config_problem(cf, st->file, st->line, "expected NAME = VALUE, "
		    "a [section] or a # comment");
	}
}

/* inih's fgets: one line at a time, so the line number is known. */
static char *
config_reader(char *str, int num, void *stream)
{
	struct config		*cf = stream;
	struct config_state	*st = cf->state;
	const char		*start, *nl;
	size_t			 len;

	if (st->off >= st->len)
		return (NULL);
	st->line++;
	start = st->text + st->off;
	nl = memchr(start, '\n', st->len - st->off);
	len = nl != NULL ? (size_t)(nl - start) : st->len - st->off;
	st->off += len + (nl != NULL);
	if (len + 2 > (size_t)num) {
		config_problem(cf, st->file, st->line, "the line is longer "
		    "than %d bytes", num - 3);
		st->continued = 0;
		/* What follows cannot be taken for its continuation. */
		st->in_key = 0;
		memcpy(str, "\n", 2);
		return (str);
	}
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	config_classify(cf, str);
	return (str);
}

/* One NAME = VALUE from inih, in the section config_classify found. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config		*cf = user;
	struct config_state	*st = cf->state;
	const struct config_option *o;
	struct config_value	*v, fresh;
	char			*label, *cause = NULL, *copy = NULL, *end;

	if (!st->in_section) {
		config_problem(cf, st->file, st->line, "%s is outside any "
		    "section (start with [baton])", name);
		return (1);
	}
	if (st->section == NULL)
		return (1);	/* its section was reported */
	label = config_section_label(st->section);
	if (st->scope == CONFIG_UI) {
		free(label);
		label = xstrdup("[ui]");
	}

	if (st->continued) {
		if ((o = st->last) == NULL)
			goto out;
		/* Older inih leaves a comment on a continuation line. */
		copy = xstrdup(value);
		end = (char *)config_find_chars(copy, NULL);
		*end = '\0';
		while (end > copy && isspace((u_char)end[-1]))
			*--end = '\0';
		value = copy;
		if (o->type != CONFIG_COMMAND && o->type != CONFIG_LIST &&
		    o->type != CONFIG_ENV) {
			config_problem(cf, st->file, st->line, "%s %s takes "
			    "one line, but this indented line continues it",
			    label, o->name);
			goto out;
		}
		v = &st->section->values[config_index(o)];
		if (config_parse_value(o, value, v, &cause) != 0)
			goto bad;
		goto out;
	}

	st->last = NULL;
	if ((o = config_option_find(st->scope, name)) == NULL) {
		config_problem(cf, st->file, st->line, "unknown key \"%s\" in "
		    "%s", name, label);
		goto out;
	}
	if (o->alias != NULL)
		o = config_option_find(CONFIG_BATON, o->alias);
	v = &st->section->values[config_index(o)];
	if (v->file == st->file && v->text != NULL) {
		if (o->type != CONFIG_ENV) {
			config_problem(cf, st->file, st->line, "%s %s is "
			    "already set at line %u", label, o->name, v->line);
			goto out;
		}
		if (config_parse_value(o, value, v, &cause) != 0)
			goto bad;
		st->last = o;
		goto out;
	}
	memset(&fresh, 0, sizeof fresh);
	if (config_parse_value(o, value, &fresh, &cause) != 0)
		goto bad;
	config_value_clear(v);
	*v = fresh;
	v->file = st->file;
	v->line = st->line;
	st->last = o;
	goto out;

bad:
	config_problem(cf, st->file, st->line, "%s %s: %s", label, o->name,
	    cause);
	free(cause);
out:
	free(copy);
	free(label);
	(void)section;
	return (1);
}

/* Keep a file name; values and problems point at the kept copy. */
static const char *
config_add_file(struct config *cf, const char *name, int read)
{
	cf->files = xreallocarray(cf->files, cf->nfiles + 1,
	    sizeof *cf->files);
	cf->files_read = xreallocarray(cf->files_read, cf->nfiles + 1,
	    sizeof *cf->files_read);
	cf->files[cf->nfiles] = xstrdup(name);
	cf->files_read[cf->nfiles] = read;
	return (cf->files[cf->nfiles++]);
}

static void
config_parse(struct config *cf, const char *file, const char *text,
    size_t len)
{
	struct config_state	*st = cf->state;
	size_t			 before = cf->nproblems, i;
	int			 rc;

	if (memchr(text, '\0', len) != NULL) {
		config_problem(cf, file, 0, "contains a NUL byte");
		return;
	}
	st->file = file;
	st->text = text;
	st->len = len;
	st->off = 0;
	st->line = 0;
	st->in_key = st->continued = st->in_section = 0;
	st->section = NULL;
	st->last = NULL;
	rc = ini_parse_stream(config_reader, cf, config_handler, cf);
	if (rc > 0) {
		/* Everything inih refuses should be reported already. */
		for (i = before; i < cf->nproblems; i++) {
			if (cf->problems[i].line == (u_int)rc)
				break;
		}
		if (i == cf->nproblems)
			config_problem(cf, file, rc, "cannot parse this line");
	} else if (rc < 0)
		config_problem(cf, file, 0, "cannot parse (error %d)", rc);
	st->file = NULL;
	st->text = NULL;
}

/* Read configuration text; origin names it in messages. */
void
config_read_string(struct config *cf, const char *origin, const char *text)
{
	config_parse(cf, config_add_file(cf, origin, 1), text, strlen(text));
}

/* Read a configuration file; one that does not exist is skipped. */
void
config_read_file(struct config *cf, const char *path)
{
	const char	*file;
	struct stat	 sb;
	FILE		*f;
	char		*text = NULL;
	size_t		 size = 0, len = 0, n;

	if (stat(path, &sb) != 0 && errno == ENOENT) {
		config_add_file(cf, path, 0);
		return;
	}
	file = config_add_file(cf, path, 1);
	if ((f = fopen(path, "r")) == NULL) {
		config_problem(cf, file, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (fstat(fileno(f), &sb) == 0 && !S_ISREG(sb.st_mode)) {
		config_problem(cf, file, 0, "not a regular file");
		fclose(f);
		return;
	}
	for (;;) {
		if (len + 1 >= size) {
			size = size == 0 ? 8192 : size * 2;
			text = xrealloc(text, size);
		}
		if ((n = fread(text + len, 1, size - len - 1, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f))
		config_problem(cf, file, 0, "cannot read: %s", strerror(errno));
	else {
		text[len] = '\0';
		config_parse(cf, file, text, len);
	}
	fclose(f);
	free(text);
}

/* A new configuration holding only the options table's defaults. */
struct config *
config_new(void)
{
	struct config	*cf;

	cf = xcalloc(1, sizeof *cf);
	cf->state = xcalloc(1, sizeof *cf->state);
	cf->state->baton = config_section_new(cf, CONFIG_BATON, NULL);
	return (cf);
}

static struct config_value *
config_value_of(struct config_section *s, enum config_scope scope,
    const char *name)
{
	const struct config_option	*o;

	if ((o = config_option_find(scope, name)) == NULL)
		fatalx("no option %s", name);
	return (&s->values[config_index(o)]);
}

/* Which placeholders a template's words use. */
static int
config_uses(struct config_value *v)
{
	char	*cause = NULL;
	u_int	 i;
	int	 uses = 0;

	for (i = 0; i < v->nwords; i++) {
		if (template_check(v->words[i], &uses, &cause) != 0)
			free(cause);	/* reported when read */
	}
	return (uses);
}

static void
config_check_command(struct config *cf, struct config_section *s,
    const char *label, const char *key, int needs, int inbox)
{
	struct config_value	*v, *model;
	int			 uses;

	v = config_value_of(s, CONFIG_PROVIDER, key);
	model = config_value_of(s, CONFIG_PROVIDER, "model");
	if (v->text == NULL)
		return;
	uses = config_uses(v);
	if (!(uses & TEMPLATE_PROMPT) && !inbox) {
		config_problem(cf, v->file, v->line, "%s %s never passes "
		    "{prompt}, and stdin is not inbox", label, key);
	}
	if ((needs & TEMPLATE_SESSION) && !(uses & TEMPLATE_SESSION)) {
		config_problem(cf, v->file, v->line, "%s %s never passes "
		    "{session}", label, key);
	}
	if ((uses & TEMPLATE_MODEL) && model->text == NULL) {
		config_problem(cf, v->file, v->line, "%s %s uses {model}, but "
		    "no model is set", label, key);
	}
}

static struct provider *
config_make_provider(struct config *cf, struct config_section *s)
{
	struct provider		*p;
	struct config_value	*v;
	char			*label = config_section_label(s);
	u_int			 i;

	for (i = 0; i < config_noptions; i++) {
		if (config_options[i].scope == CONFIG_PROVIDER &&
		    (config_options[i].flags & CONFIG_REQUIRED) &&
		    s->values[i].text == NULL) {
			config_problem(cf, s->file, s->line, "%s sets no %s",
			    label, config_options[i].name);
		}
	}
	p = xcalloc(1, sizeof *p);
	p->name = s->name;
	p->values = s->values;
	v = config_value_of(s, CONFIG_PROVIDER, "stdin");
	p->stdin_from = v->number == 1 ? PROVIDER_STDIN_INBOX :
	    PROVIDER_STDIN_NULL;
	config_check_command(cf, s, label, "argv", 0,
	    p->stdin_from == PROVIDER_STDIN_INBOX);
	config_check_command(cf, s, label, "resume", TEMPLATE_SESSION,
	    p->stdin_from == PROVIDER_STDIN_INBOX);
	config_check_command(cf, s, label, "readonly", 0,
	    p->stdin_from == PROVIDER_STDIN_INBOX);

	v = config_value_of(s, CONFIG_PROVIDER, "argv");
	p->argv = v->words;
	p->argc = v->nwords;
	v = config_value_of(s, CONFIG_PROVIDER, "resume");
	p->resume = v->words;
	p->nresume = v->nwords;
	v = config_value_of(s, CONFIG_PROVIDER, "readonly");
	p->readonly = v->words;
	p->nreadonly = v->nwords;
	p->folder_sessions = config_value_of(s, CONFIG_PROVIDER,
	    "sessions")->number == 1;
	p->stall = config_value_of(s, CONFIG_PROVIDER, "stall")->number;
	p->format = config_value_of(s, CONFIG_PROVIDER, "format")->text;
	p->model = config_value_of(s, CONFIG_PROVIDER, "model")->text;
	p->price = config_value_of(s, CONFIG_PROVIDER, "price")->text;
	if (p->price == NULL)
		p->price = p->model;
	v = config_value_of(s, CONFIG_PROVIDER, "env");
	p->env = v->words;
	p->nenv = v->nwords;
	p->concurrency = config_value_of(s, CONFIG_PROVIDER,
	    "concurrency")->number;
	free(label);
	return (p);
}

static struct role *
config_make_role(struct config *cf, struct config_section *s)
{
	struct role		*r;
	struct config_value	*v;
	struct provider		*p;
	char			*label = config_section_label(s);
	u_int			 i;

	r = xcalloc(1, sizeof *r);
	r->name = s->name;
	r->values = s->values;
	v = config_value_of(s, CONFIG_ROLE, "chain");
	if (v->text == NULL)
		config_problem(cf, s->file, s->line, "%s sets no chain", label);
	r->chain = xcalloc(v->nwords + 1, sizeof *r->chain);
	for (i = 0; i < v->nwords; i++) {
		if ((p = config_provider(cf, v->words[i])) == NULL) {
			config_problem(cf, v->file, v->line, "%s chain names "
			    "\"%s\", but there is no [provider \"%s\"]", label,
			    v->words[i], v->words[i]);
			continue;
		}
		r->chain[r->nchain++] = p;
	}
	r->concurrency = config_value_of(s, CONFIG_ROLE,
	    "concurrency")->number;
	r->persistent = config_value_of(s, CONFIG_ROLE, "persistent")->number;
	free(label);
	return (r);
}

/* Check the whole, and build the providers and roles. */
void
config_finish(struct config *cf)
{
	struct config_state	*st = cf->state;
	struct config_section	*s, *b = st->baton;
	size_t			 i;

	for (i = 0; i < st->nsections; i++) {
		s = st->sections[i];
		if (s->scope != CONFIG_PROVIDER)
			continue;
		cf->providers = xreallocarray(cf->providers,
		    cf->nproviders + 1, sizeof *cf->providers);
		cf->providers[cf->nproviders++] = config_make_provider(cf, s);
	}
	for (i = 0; i < st->nsections; i++) {
		s = st->sections[i];
		if (s->scope != CONFIG_ROLE)
			continue;
		cf->roles = xreallocarray(cf->roles, cf->nroles + 1,
		    sizeof *cf->roles);
		cf->roles[cf->nroles++] = config_make_role(cf, s);
	}
	cf->values = b->values;
	cf->concurrency = config_value_of(b, CONFIG_BATON,
	    "concurrency")->number;
	cf->retries = config_value_of(b, CONFIG_BATON, "retries")->number;
	cf->backoff = config_value_of(b, CONFIG_BATON, "backoff")->number;
	cf->theme = config_value_of(b, CONFIG_BATON, "theme")->text;
	cf->test = config_value_of(b, CONFIG_BATON, "test")->text;
	cf->review = config_value_of(b, CONFIG_BATON, "review")->number;
	cf->review_role = config_value_of(b, CONFIG_BATON,
	    "review_role")->text;
	cf->review_rounds = config_value_of(b, CONFIG_BATON,
	    "review_rounds")->number;
	cf->resolve_conflicts = config_value_of(b, CONFIG_BATON,
	    "conflicts")->number == 0;
	cf->plan_role = config_value_of(b, CONFIG_BATON, "plan_role")->text;
	cf->lessons = config_value_of(b, CONFIG_BATON, "lessons")->number;
	cf->lesson_role = config_value_of(b, CONFIG_BATON,
	    "lesson_role")->text;

}

/* $XDG_CONFIG_HOME/baton/config, or ~/.config/baton/config; NULL: neither. */
char *
config_user_path(void)
{
	const char	*env;
	char		*path;

	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		xasprintf(&path, "%s/baton/config", env);
	else if ((env = getenv("HOME")) != NULL && *env == '/')
		xasprintf(&path, "%s/.config/baton/config", env);
	else
		path = NULL;
	return (path);
}

/*
 * The built-in defaults, the user's file and dir/config (dir is a .baton
 * folder, or NULL), with every problem kept in the result.
 */
struct config *
config_read_all(const char *dir)
{
	struct config	*cf;
	char		*path;

	cf = config_new();
	config_read_string(cf, CONFIG_BUILTIN, config_default_data);
	if ((path = config_user_path()) != NULL) {
		config_read_file(cf, path);
		free(path);
	}
	if (dir != NULL) {
		xasprintf(&path, "%s/config", dir);
		config_read_file(cf, path);
		free(path);
	}
	config_finish(cf);
	return (cf);
}

/*
 * The configuration for a repository (NULL: none), or NULL with *cause
 * naming the first problem when there is any.
 */
struct config *
config_load(struct repo *r, char **cause)
{
	struct config		*cf;
	struct config_problem	*p;

	cf = config_read_all(r != NULL ? r->dir : NULL);
	if (cf->nproblems == 0)
		return (cf);
	p = &cf->problems[0];
	if (p->line != 0)
		xasprintf(cause, "%s:%u: %s", p->file, p->line, p->message);
	else
		xasprintf(cause, "%s: %s", p->file, p->message);
	if (cf->nproblems > 1) {
		free(*cause);
		if (p->line != 0)
			xasprintf(cause, "%s:%u: %s (and %zu more: see "
			    "'baton config check')", p->file, p->line,
			    p->message, cf->nproblems - 1);
		else
			xasprintf(cause, "%s: %s (and %zu more: see "
			    "'baton config check')", p->file, p->message,
			    cf->nproblems - 1);
	}
	config_free(cf);
	return (NULL);
}

struct provider *
config_provider(struct config *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->nproviders; i++) {
		if (strcmp(cf->providers[i]->name, name) == 0)
			return (cf->providers[i]);
	}
	return (NULL);
}

struct role *
config_role(struct config *cf, const char *name)
{
	size_t	i;

	for (i = 0; i < cf->nroles; i++) {
		if (strcmp(cf->roles[i]->name, name) == 0)
			return (cf->roles[i]);
	}
	return (NULL);
}

void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nproviders; i++)
		free(cf->providers[i]);
	free(cf->providers);
	for (i = 0; i < cf->nroles; i++) {
		free(cf->roles[i]->chain);
		free(cf->roles[i]);
	}
	free(cf->roles);
	for (i = 0; i < cf->state->nsections; i++)
		config_section_free(cf->state->sections[i]);
	free(cf->state->sections);
	free(cf->state);
	for (i = 0; i < cf->nproblems; i++)
		free(cf->problems[i].message);
	free(cf->problems);
	for (i = 0; i < cf->nfiles; i++)
		free(cf->files[i]);
	free(cf->files);
	free(cf->files_read);
	free(cf);
}
