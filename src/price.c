/*
 * Model prices and the cost of a call.
 *
 * The table is data/prices.ini, compiled in as price_default_data; a
 * user's file of the same form adds or replaces entries. A model name is
 * matched the way the CLIs name models: exactly, else the longest key found
 * in it between boundaries (see price_match).
 *
 * An entry may say since when it holds (since = 2026-10-07, a UTC day):
 * a model's price on a day is its entry with the latest such date not
 * after that day, and an entry without one holds from the start. A
 * section's name is its key, with anything after a space a label, so one
 * model can have several entries: [claude-sonnet-5-5] and
 * [claude-sonnet-5-5 before 2026-10-07].
 *
 * Usage is normalised by the adapters (uncached input, cache read, cache
 * write with its 1-hour part, output with reasoning), so one formula
 * serves every vendor:
 *
 *   in*input + (cw - cw1h)*cache_write_5m + cw1h*cache_write_1h
 *     + cr*cache_read + out*output
 *
 * with tier prices for the whole call when its context (in + cr + cw)
 * passes tier_above, as Anthropic and OpenAI charge long requests. Figures
 * that add up several calls (a Codex turn, a Gemini session, the totals a
 * Claude result gives beyond the calls seen) are charged the base rates:
 * the context of each call is not known, and their sum says nothing of it.
 */

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baton.h"

/* A field of a price section. */
static const struct {
	const char	*name;
	size_t		 offset;
} price_fields[] = {
	{ "input", offsetof(struct price, input) },
	{ "output", offsetof(struct price, output) },
	{ "cache_write_5m", offsetof(struct price, cache_write_5m) },
	{ "cache_write_1h", offsetof(struct price, cache_write_1h) },
	{ "cache_read", offsetof(struct price, cache_read) },
	{ "input_tier", offsetof(struct price, input_tier) },
	{ "output_tier", offsetof(struct price, output_tier) },
	{ "cache_write_5m_tier", offsetof(struct price, cache_write_5m_tier) },
	{ "cache_write_1h_tier", offsetof(struct price, cache_write_1h_tier) },
	{ "cache_read_tier", offsetof(struct price, cache_read_tier) },
	{ "fast", offsetof(struct price, fast) },
	{ "web_search", offsetof(struct price, web_search) },
};

static struct price	*price_table;
static size_t		 price_count;

/*
 * Models already looked up, with their entry's index (-1: no price). A run
 * names the same few models on every call; matching a dated name against
 * every key each time would cost more than the rest of its ingestion.
 */
#define PRICE_MEMO_SIZE 32
static struct {
	char	*model;
	ssize_t	 index;
}			 price_memo[PRICE_MEMO_SIZE];
static size_t		 price_nmemo;

static void
price_memo_clear(void)
{
	size_t	i;

	for (i = 0; i < price_nmemo; i++)
		free(price_memo[i].model);
	price_nmemo = 0;
}
static int		 price_loaded;
static char		**price_warned;
static size_t		 price_nwarned;

/* While parsing: the section being read and what went wrong. */
struct price_parse {
	const char	*origin;
	char		*section;
	struct price	 p;
	char		*also;
	char		*error;
	struct price	*out;
	size_t		 nout;
};

/* The i-th field of price_fields in p. */
static double *
price_field(struct price *p, size_t i)
{
	return ((double *)(void *)((char *)p + price_fields[i].offset));
}

/* "2026-09-01" as the epoch of that day's start in UTC; -1 if malformed. */
static int64_t
price_parse_day(const char *s)
{
	struct tm	 tm;
	char		*end;
	time_t		 t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return (-1);
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || tm.tm_year < 70)
		return (-1);
	if ((t = timegm(&tm)) == (time_t)-1)
		return (-1);
	return ((int64_t)t);
}

/* Lower case, '.' and '@' as '-': "gpt-5.1@x" -> "gpt-5-1-x". */
char *
price_normalise(const char *model)
{
	char	*s, *p;

	s = xstrdup(model);
	for (p = s; *p != '\0'; p++) {
		if (*p == '.' || *p == '@')
			*p = '-';
		else
			*p = (char)tolower((u_char)*p);
	}
	return (s);
}

static void
price_free_entry(struct price *p)
{
	free(p->key);
	free(p->provider);
	free(p->source);
}

static void
price_blank(struct price *p)
{
	size_t	i;

	memset(p, 0, sizeof *p);
	for (i = 0; i < nitems(price_fields); i++)
		*price_field(p, i) = -1;
}

static void
price_copy(struct price *to, const struct price *from, const char *key)
{
	*to = *from;
	to->key = price_normalise(key);
	to->provider = from->provider != NULL ? xstrdup(from->provider) : NULL;
	to->source = from->source != NULL ? xstrdup(from->source) : NULL;
}

/* The section read so far becomes entries: its key and every "also". */
static void
price_parse_end(struct price_parse *pp)
{
	char	*copy, *word, *next, *key;

	if (pp->section == NULL)
		return;
	if (pp->error == NULL && (pp->p.input < 0 || pp->p.output < 0))
		xasprintf(&pp->error, "%s: [%s]: input and output prices are "
		    "needed", pp->origin, pp->section);
	if (pp->error == NULL) {
		key = xstrndup(pp->section, strcspn(pp->section, " \t"));
		pp->out = xreallocarray(pp->out, pp->nout + 1, sizeof *pp->out);
		price_copy(&pp->out[pp->nout++], &pp->p, key);
		free(key);
		if (pp->also != NULL) {
			copy = xstrdup(pp->also);
			for (next = copy; (word = strsep(&next, " \t,")) != NULL;) {
				if (*word == '\0')
					continue;
				pp->out = xreallocarray(pp->out, pp->nout + 1,
				    sizeof *pp->out);
				price_copy(&pp->out[pp->nout++], &pp->p, word);
			}
			free(copy);
		}
	}
	free(pp->p.provider);
	free(pp->p.source);
	free(pp->also);
	free(pp->section);
	pp->also = NULL;
	pp->section = NULL;
	price_blank(&pp->p);
}

static int
price_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct price_parse	*pp = arg;
	char			*end;
	double			 d;
	long long		 ll;
	size_t			 i;

	if (pp->error != NULL)
		return (0);
	if (pp->section == NULL || strcmp(pp->section, section) != 0) {
		price_parse_end(pp);
		if (pp->error != NULL)
			return (0);
		pp->section = xstrdup(section);
	}
	if (*section == '\0') {
		xasprintf(&pp->error, "%s: %s outside a [model] section",
		    pp->origin, name);
		return (0);
	}
	if (strcmp(name, "provider") == 0) {
		free(pp->p.provider);
		pp->p.provider = xstrdup(value);
		return (1);
	}
	if (strcmp(name, "source") == 0) {
		free(pp->p.source);
		pp->p.source = xstrdup(value);
		return (1);
	}
	if (strcmp(name, "also") == 0) {
		free(pp->also);
		pp->also = xstrdup(value);
		return (1);
	}
	if (strcmp(name, "since") == 0) {
		if ((pp->p.since = price_parse_day(value)) <= 0) {
			xasprintf(&pp->error, "%s: [%s]: bad since (a day, "
			    "YYYY-MM-DD): %s", pp->origin, section, value);
			return (0);
		}
		snprintf(pp->p.since_text, sizeof pp->p.since_text, "%s",
		    value);
		return (1);
	}
	if (strcmp(name, "tier_above") == 0) {
		errno = 0;
		ll = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || ll < 0) {
			xasprintf(&pp->error, "%s: [%s]: bad tier_above: %s",
			    pp->origin, section, value);
			return (0);
		}
		pp->p.tier_above = ll;
		return (1);
	}
	for (i = 0; i < nitems(price_fields); i++) {
		if (strcmp(price_fields[i].name, name) != 0)
			continue;
		errno = 0;
		d = strtod(value, &end);
		if (errno != 0 || end == value || *end != '\0' || !(d >= 0) ||
		    d > 1e6) {
			xasprintf(&pp->error, "%s: [%s]: bad price for %s: %s",
			    pp->origin, section, name, value);
			return (0);
		}
		*price_field(&pp->p, i) = d;
		return (1);
	}
	xasprintf(&pp->error, "%s: [%s]: unknown field: %s", pp->origin,
	    section, name);
	return (0);
}

/* Add the entries of data to the table, replacing those with the same key. */
static int
price_load(const char *data, const char *origin, char **cause)
{
	struct price_parse	 pp;
	struct price		*old;
	size_t			 i, j, k;
	int			 line;

	memset(&pp, 0, sizeof pp);
	pp.origin = origin;
	price_blank(&pp.p);
	line = ini_parse_string(data, price_handler, &pp);
	if (pp.error == NULL)
		price_parse_end(&pp);
	else {
		free(pp.p.provider);
		free(pp.p.source);
		free(pp.also);
		free(pp.section);
	}
	if (pp.error == NULL && line != 0)
		xasprintf(&pp.error, "%s: line %d: not INI", origin, line);
	if (pp.error != NULL) {
		for (i = 0; i < pp.nout; i++)
			price_free_entry(&pp.out[i]);
		free(pp.out);
		*cause = pp.error;
		return (-1);
	}
	/*
	 * Every key the text names replaces all earlier entries of that key;
	 * within the text, an entry of the same key and day replaces one
	 * before it.
	 */
	for (i = 0; i < pp.nout; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(pp.out[j].key, pp.out[i].key) == 0)
				break;
		}
		if (j < i)
			continue;	/* this key's old entries are gone */
		for (j = k = 0; j < price_count; j++) {
			if (strcmp(price_table[j].key, pp.out[i].key) == 0)
				price_free_entry(&price_table[j]);
			else
				price_table[k++] = price_table[j];
		}
		price_count = k;
	}
	for (i = 0; i < pp.nout; i++) {
		old = NULL;
		for (j = 0; j < price_count; j++) {
			if (strcmp(price_table[j].key, pp.out[i].key) == 0 &&
			    price_table[j].since == pp.out[i].since) {
				old = &price_table[j];
				break;
			}
		}
		if (old != NULL) {
			price_free_entry(old);
			*old = pp.out[i];
		} else {
			price_table = xreallocarray(price_table,
			    price_count + 1, sizeof *price_table);
			price_table[price_count++] = pp.out[i];
		}
	}
	free(pp.out);
	price_memo_clear();
	return (0);
}

/* The compiled-in table; a broken default is a build error. */
static void
price_ensure(void)
{
	char	*cause;

	if (price_loaded)
		return;
	price_loaded = 1;
	if (price_load(price_default_data, "prices.ini", &cause) != 0)
		fatalx("default prices: %s", cause);
}

/*
 * Add the prices in data (INI text) over the default table; an entry
 * with a key already there replaces it. origin names the text in
 * messages. A file with an error changes nothing.
 */
int
price_load_string(const char *data, const char *origin, char **cause)
{
	price_ensure();
	return (price_load(data, origin, cause));
}

/* Read a whole prices file, NUL-terminated. */
static char *
price_read(const char *path, char **cause)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 size = 0, len = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	do {
		if (len + 1 >= size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xrealloc(buf, size);
		}
		n = fread(buf + len, 1, size - len - 1, f);
		len += n;
	} while (n != 0);
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return (NULL);
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		xasprintf(cause, "%s: contains a NUL byte", path);
		free(buf);
		return (NULL);
	}
	return (buf);
}

int
price_load_file(const char *path, char **cause)
{
	char	*data;
	int	 rc;

	price_ensure();
	if ((data = price_read(path, cause)) == NULL)
		return (-1);
	rc = price_load(data, path, cause);
	free(data);
	return (rc);
}

/* Forget everything: the next lookup loads the default again. */
void
price_reset(void)
{
	size_t	i;

	for (i = 0; i < price_count; i++)
		price_free_entry(&price_table[i]);
	free(price_table);
	price_table = NULL;
	price_count = 0;
	price_loaded = 0;
	price_memo_clear();
	for (i = 0; i < price_nwarned; i++)
		free(price_warned[i]);
	free(price_warned);
	price_warned = NULL;
	price_nwarned = 0;
}

/* Is the character after a key the end of the model's name for it? */
static int
price_end_ok(const char *s)
{
	size_t	n;

	if (*s == '\0')
		return (1);
	if (isalnum((u_char)*s))
		return (0);
	if (*s != '-')
		return (1);
	/* "-20250929" (a date) or "-codex" (a variant), not "-5". */
	if (isalpha((u_char)s[1]))
		return (1);
	for (n = 0; isdigit((u_char)s[1 + n]); n++)
		;
	return (n == 8 && !isalnum((u_char)s[1 + n]));
}

/*
 * How well key names model (both normalised): its length if it occurs in
 * model with a boundary before and an allowed ending after, else 0.
 */
static size_t
price_match(const char *model, const char *key)
{
	const char	*p = model;
	size_t		 len = strlen(key);

	if (len == 0)
		return (0);
	while ((p = strstr(p, key)) != NULL) {
		if ((p == model || !isalnum((u_char)p[-1])) &&
		    price_end_ok(p + len))
			return (len);
		p++;
	}
	return (0);
}

/* The entry of the same key as table[i] that holds at at, or NULL. */
static const struct price *
price_on(size_t i, int64_t at)
{
	const struct price	*best = NULL;
	const char		*key = price_table[i].key;
	size_t			 j;

	for (j = 0; j < price_count; j++) {
		if (strcmp(price_table[j].key, key) != 0 ||
		    price_table[j].since > at)
			continue;
		if (best == NULL || price_table[j].since > best->since)
			best = &price_table[j];
	}
	return (best);
}

/*
 * The price for a model as a CLI names it on the day of at (epoch
 * seconds), or NULL.
 */
const struct price *
price_find_at(const char *model, int64_t at)
{
	char			*norm;
	size_t			 i, len, best_len = 0;
	ssize_t			 best = -1;

	price_ensure();
	if (model == NULL)
		return (NULL);
	for (i = 0; i < price_nmemo; i++) {
		if (strcmp(price_memo[i].model, model) == 0) {
			if (price_memo[i].index == -1)
				return (NULL);
			return (price_on(price_memo[i].index, at));
		}
	}
	norm = price_normalise(model);
	for (i = 0; i < price_count && best == -1; i++) {
		if (strcmp(price_table[i].key, norm) == 0)
			best = (ssize_t)i;
	}
	if (best == -1) {
		for (i = 0; i < price_count; i++) {
			len = price_match(norm, price_table[i].key);
			if (len > best_len) {
				best_len = len;
				best = (ssize_t)i;
			}
		}
	}
	free(norm);
	if (price_nmemo < PRICE_MEMO_SIZE) {
		price_memo[price_nmemo].model = xstrdup(model);
		price_memo[price_nmemo].index = best;
		price_nmemo++;
	}
	if (best == -1)
		return (NULL);
	return (price_on(best, at));
}

/* The price for a model today. */
const struct price *
price_find(const char *model)
{
	return (price_find_at(model, (int64_t)time(NULL)));
}

/* Which entry a price is: "claude-sonnet-5-5 since 2026-10-07". */
char *
price_entry_name(const struct price *p)
{
	char	*s;

	if (p->since_text[0] != '\0')
		xasprintf(&s, "%s since %s", p->key, p->since_text);
	else
		s = xstrdup(p->key);
	return (s);
}

/* A rate: the tier's when in the tier and given, else the base, else alt. */
static double
price_rate(int tier, double tiered, double base, double alt)
{
	if (tier && tiered >= 0)
		return (tiered);
	if (base >= 0)
		return (base);
	return (alt);
}

/* The cost in USD of one call at price p. */
double
price_apply(const struct price *p, const struct adapter_usage *u)
{
	double	in, out, cr, cw5, cw1, cost;
	int64_t	ctx, cw1h;
	int	tier;

	ctx = u->in + u->cache_read + u->cache_write;
	tier = !u->summed && p->tier_above > 0 && ctx > p->tier_above;
	in = price_rate(tier, p->input_tier, p->input, 0);
	out = price_rate(tier, p->output_tier, p->output, 0);
	cr = price_rate(tier, p->cache_read_tier, p->cache_read, in);
	cw5 = price_rate(tier, p->cache_write_5m_tier, p->cache_write_5m, in);
	cw1 = price_rate(tier, p->cache_write_1h_tier, p->cache_write_1h, cw5);
	cw1h = u->cache_write_1h < u->cache_write ? u->cache_write_1h :
	    u->cache_write;

	cost = in * (double)u->in + cw5 * (double)(u->cache_write - cw1h) +
	    cw1 * (double)cw1h + cr * (double)u->cache_read +
	    out * (double)u->out;
	cost /= 1e6;
	if (u->fast && p->fast > 0)
		cost *= p->fast;
	if (p->web_search > 0)
		cost += p->web_search * (double)u->web_search / 1000;
	return (cost);
}

/*
 * The cost of a call by model name at the prices of the day of at, and
 * the entry that priced it (if used is not NULL). An unknown model has no
 * cost (not zero): -1, and *cause says so the first time that model is
 * seen (else it stays NULL), so a caller warns once.
 */
int
price_cost_at(const char *model, const struct adapter_usage *u, int64_t at,
    double *cost, const struct price **used, char **cause)
{
	const struct price	*p;
	const char		*name = model != NULL ? model : "(none)";
	size_t			 i;

	*cause = NULL;
	if (used != NULL)
		*used = NULL;
	if ((p = price_find_at(model, at)) != NULL) {
		*cost = price_apply(p, u);
		if (used != NULL)
			*used = p;
		return (0);
	}
	for (i = 0; i < price_nwarned; i++) {
		if (strcmp(price_warned[i], name) == 0)
			return (-1);
	}
	price_warned = xreallocarray(price_warned, price_nwarned + 1,
	    sizeof *price_warned);
	price_warned[price_nwarned++] = xstrdup(name);
	if (model == NULL)
		xasprintf(cause, "no model named: cost unknown");
	else
		xasprintf(cause, "no price for model %s: cost unknown", model);
	return (-1);
}

/* The cost of a call at today's prices. */
int
price_cost(const char *model, const struct adapter_usage *u, double *cost,
    char **cause)
{
	return (price_cost_at(model, u, (int64_t)time(NULL), cost, NULL,
	    cause));
}

/* The user's prices: $BATON_PRICES, else $XDG_CONFIG_HOME/baton/prices.ini. */
int
price_load_user(char **cause)
{
	const char	*env, *home;
	char		*path;
	FILE		*f;
	int		 rc;

	price_ensure();
	if ((env = getenv("BATON_PRICES")) != NULL && *env != '\0')
		return (price_load_file(env, cause));
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env != '\0')
		xasprintf(&path, "%s/baton/prices.ini", env);
	else if ((home = getenv("HOME")) != NULL && *home != '\0')
		xasprintf(&path, "%s/.config/baton/prices.ini", home);
	else
		return (0);
	if ((f = fopen(path, "r")) == NULL) {
		free(path);
		return (0);
	}
	fclose(f);
	rc = price_load_file(path, cause);
	free(path);
	return (rc);
}
