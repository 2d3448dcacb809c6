/*
 * The price table: model-name matching, the cost formula with its cache
 * and tier rules, user overrides and unknown models. Expected costs are
 * worked out by hand from data/prices.ini in the comments.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "baton.h"

#define EPS 1e-12

static const char *
key(const char *model)
{
	const struct price	*p;

	p = price_find(model);
	return (p != NULL ? p->key : "(none)");
}

/* Names as the CLIs write them. */
static void
test_match(void **state)
{
	price_reset();
	/* Claude Code's init model with a context suffix. */
	assert_string_equal(key("claude-opus-4-6[1m]"), "claude-opus-4-6");
	/* A dated suffix. */
	assert_string_equal(key("claude-sonnet-4-5-20250929"),
	    "claude-sonnet-4-5");
	assert_string_equal(key("claude-opus-4-20250514"), "claude-opus-4");
	/* Longest key wins: opus-4-5 is not opus-4. */
	assert_string_equal(key("claude-opus-4-5-20251101"), "claude-opus-4-5");
	/* Provider prefixes and Bedrock's form. */
	assert_string_equal(key("anthropic/claude-haiku-4-5"),
	    "claude-haiku-4-5");
	assert_string_equal(key("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
	    "claude-sonnet-4-5");
	/* Dots are dashes; case does not matter. */
	assert_string_equal(key("gpt-5.1-codex"), "gpt-5-1-codex");
	assert_string_equal(key("GPT-5.2-Codex"), "gpt-5-2-codex");
	assert_string_equal(key("openai/gpt-5.4-mini"), "gpt-5-4-mini");
	assert_string_equal(key("gpt-5.3-codex-spark"), "gpt-5-3-codex-spark");
	/* A variant suffix falls back to its family. */
	assert_string_equal(key("gpt-5-codex-high"), "gpt-5-codex");
	assert_string_equal(key("gemini-2.5-flash-lite"),
	    "gemini-2-5-flash-lite");
	assert_string_equal(key("gemini-2.5-pro-preview-05-06"),
	    "gemini-2-5-pro");
	/* The current defaults of each CLI. */
	assert_string_equal(key("claude-opus-4-8[1m]"), "claude-opus-4-8");
	assert_string_equal(key("claude-sonnet-5"), "claude-sonnet-5");
	assert_string_equal(key("claude-sonnet-5-5[1m]"), "claude-sonnet-5-5");
	assert_string_equal(key("claude-mythos-5"), "claude-mythos-5");
	assert_string_equal(key("gpt-6.1-sol"), "gpt-6-1-sol");
	assert_string_equal(key("gpt-5.6-sol"), "gpt-5-6-sol");
	assert_string_equal(key("gemini-3.1-pro-preview"),
	    "gemini-3-1-pro-preview");
	assert_string_equal(key("gemini-3.5-flash-lite"),
	    "gemini-3-5-flash-lite");
	/* A newer version is not an older one's price. */
	assert_string_equal(key("claude-opus-4-9"), "(none)");
	assert_string_equal(key("gpt-5.7"), "(none)");
	assert_string_equal(key("gpt-4o"), "(none)");
	assert_string_equal(key("<synthetic>"), "(none)");
	assert_string_equal(key("xclaude-opus-4-5"), "(none)");
	assert_null(price_find(NULL));
}

static double
cost(const char *model, int64_t in, int64_t cw, int64_t cw1h, int64_t cr,
    int64_t out)
{
	struct adapter_usage	 u;
	double			 c = -1;
	char			*cause;

	memset(&u, 0, sizeof u);
	u.in = in;
	u.cache_write = cw;
	u.cache_write_1h = cw1h;
	u.cache_read = cr;
	u.out = out;
	if (price_cost(model, &u, &c, &cause) != 0) {
		free(cause);
		return (-1);
	}
	return (c);
}

static void
test_formula(void **state)
{
	struct adapter_usage	 u;
	const struct price	*p;

	price_reset();
	/* Haiku 4.5: 1000*1 + 2000*5 = 11000 -> $0.011. */
	assert_float_equal(cost("claude-haiku-4-5", 1000, 0, 0, 0, 2000),
	    0.011, EPS);
	/* Cache writes: 600 at 5m $1.25 + 400 at 1h $2 = 750 + 800 = 1550. */
	assert_float_equal(cost("claude-haiku-4-5", 0, 1000, 400, 0, 0),
	    0.00155, EPS);
	/* Cache read $0.10: 10000 -> 1000 -> $0.001. */
	assert_float_equal(cost("claude-haiku-4-5", 0, 0, 0, 10000, 0),
	    0.001, EPS);
	/*
	 * Sonnet 4.5 under 200k context: 150000 in + 40000 read = 190000:
	 * 150000*3 + 40000*0.3 + 1000*15 = 450000 + 12000 + 15000 = 477000.
	 */
	assert_float_equal(cost("claude-sonnet-4-5", 150000, 0, 0, 40000, 1000),
	    0.477, EPS);
	/*
	 * Over it (210000), the whole call at the tier: 150000*6 +
	 * 60000*0.6 + 1000*22.5 = 900000 + 36000 + 22500 = 958500.
	 */
	assert_float_equal(cost("claude-sonnet-4-5", 150000, 0, 0, 60000, 1000),
	    0.9585, EPS);
	/* Sonnet 4.6 has no tier: 150000*3 + 60000*0.3 + 1000*15 = 483000. */
	assert_float_equal(cost("claude-sonnet-4-6", 150000, 0, 0, 60000, 1000),
	    0.483, EPS);
	/*
	 * gpt-5.4 over 272k: 250000 in + 30000 cached = 280000:
	 * 250000*5 + 30000*0.5 + 2000*22.5 = 1250000 + 15000 + 45000.
	 */
	assert_float_equal(cost("gpt-5.4", 250000, 0, 0, 30000, 2000), 1.31,
	    EPS);
	/* Summed figures never take the tier: 250000*2.5 + 30000*0.25 + 2000*15. */
	memset(&u, 0, sizeof u);
	u.in = 250000;
	u.cache_read = 30000;
	u.out = 2000;
	u.summed = 1;
	p = price_find("gpt-5.4");
	assert_non_null(p);
	assert_float_equal(price_apply(p, &u), 0.6625, EPS);
	/* OpenAI has no cache write price: writes cost the input price. */
	assert_float_equal(cost("gpt-5", 0, 1000, 0, 0, 0), 0.00125, EPS);
	/* Fast mode on Opus 4.6: (1000*5 + 1000*25) * 6 = 180000. */
	memset(&u, 0, sizeof u);
	u.in = 1000;
	u.out = 1000;
	u.fast = 1;
	assert_float_equal(price_apply(price_find("claude-opus-4-6"), &u), 0.18,
	    EPS);
	/* Web search: 3 requests at $10 per 1000 = $0.03. */
	memset(&u, 0, sizeof u);
	u.web_search = 3;
	assert_float_equal(price_apply(price_find("claude-sonnet-4-5"), &u),
	    0.03, EPS);
}

/* 12:00 UTC on a day. */
static int64_t
day(int y, int m, int d)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	return ((int64_t)timegm(&tm));
}

static double
cost_on(const char *model, int64_t at, int64_t in, int64_t cw, int64_t cr,
    int64_t out, char **entry)
{
	const struct price	*p;
	struct adapter_usage	 u;
	double			 c = -1;
	char			*cause;

	memset(&u, 0, sizeof u);
	u.in = in;
	u.cache_write = cw;
	u.cache_read = cr;
	u.out = out;
	*entry = NULL;
	if (price_cost_at(model, &u, at, &c, &p, &cause) != 0) {
		free(cause);
		return (-1);
	}
	*entry = price_entry_name(p);
	return (c);
}

/* Each call at the price of its own day, and the entry that priced it. */
static void
test_dated(void **state)
{
	char	*entry, *cause = NULL;

	price_reset();
	/* Sonnet 5.5 cache reads: $0.20 until 2026-10-06, $0.10 from 10-07. */
	assert_float_equal(cost_on("claude-sonnet-5-5", day(2026, 10, 6), 0, 0,
	    1000000, 0, &entry), 0.20, EPS);
	assert_string_equal(entry, "claude-sonnet-5-5");
	free(entry);
	assert_float_equal(cost_on("claude-sonnet-5-5[1m]", day(2026, 10, 7), 0,
	    0, 1000000, 0, &entry), 0.10, EPS);
	assert_string_equal(entry, "claude-sonnet-5-5 since 2026-10-07");
	free(entry);
	/* The day starts at 00:00 UTC. */
	assert_float_equal(cost_on("claude-sonnet-5-5", day(2026, 10, 7) -
	    12 * 3600, 0, 0, 1000000, 0, &entry), 0.10, EPS);
	free(entry);
	assert_float_equal(cost_on("claude-sonnet-5-5", day(2026, 10, 7) -
	    12 * 3600 - 1, 0, 0, 1000000, 0, &entry), 0.20, EPS);
	free(entry);
	/*
	 * Sonnet 5 stayed at $2/$10 after 2026-08-31: 1M each of input,
	 * 5m write, read and output is 2 + 2.5 + 0.2 + 10 = $14.70 on
	 * either side of the date (Claude Code 2.1.197 says $22.05).
	 */
	assert_float_equal(cost_on("claude-sonnet-5", day(2026, 8, 31), 1000000,
	    1000000, 1000000, 1000000, &entry), 14.70, EPS);
	free(entry);
	assert_float_equal(cost_on("claude-sonnet-5", day(2026, 9, 1), 1000000,
	    1000000, 1000000, 1000000, &entry), 14.70, EPS);
	assert_string_equal(entry, "claude-sonnet-5");
	free(entry);
	/* GPT-5.6 Terra: $2.50/$15 at launch, $2/$12 from 2026-07-30. */
	assert_float_equal(cost_on("gpt-5.6-terra", day(2026, 7, 29), 1000000, 0,
	    0, 1000000, &entry), 17.5, EPS);
	free(entry);
	assert_float_equal(cost_on("gpt-5.6-terra", day(2026, 7, 30), 1000000, 0,
	    0, 1000000, &entry), 14.0, EPS);
	assert_string_equal(entry, "gpt-5-6-terra since 2026-07-30");
	free(entry);
	/* Gemini 3.8 Flash at half price to the end of 2026. */
	assert_float_equal(cost_on("gemini-3.8-flash", day(2026, 12, 31),
	    1000000, 0, 0, 1000000, &entry), 4.5, EPS);
	free(entry);
	assert_float_equal(cost_on("gemini-3.8-flash", day(2027, 1, 1), 1000000,
	    0, 0, 1000000, &entry), 9.0, EPS);
	free(entry);

	/* A user's entry for a key replaces all of that key's entries. */
	assert_int_equal(price_load_string("[claude-sonnet-5-5]\nsince = "
	    "2026-11-01\ninput = 1\noutput = 1\n", "mine", &cause), 0);
	assert_float_equal(cost_on("claude-sonnet-5-5", day(2026, 11, 1),
	    1000000, 0, 0, 0, &entry), 1.0, EPS);
	free(entry);
	/* Before its day it has none. */
	assert_float_equal(cost_on("claude-sonnet-5-5", day(2026, 10, 31),
	    1000000, 0, 0, 0, &entry), -1, EPS);
	assert_null(entry);
	/* Two dated entries of one key in one file, and a bad day. */
	price_reset();
	assert_int_equal(price_load_string("[acme]\ninput = 1\noutput = 1\n"
	    "[acme new]\nsince = 2030-01-01\ninput = 2\noutput = 2\n", "mine",
	    &cause), 0);
	assert_float_equal(cost_on("acme", day(2029, 12, 31), 1000000, 0, 0, 0,
	    &entry), 1.0, EPS);
	assert_string_equal(entry, "acme");
	free(entry);
	assert_float_equal(cost_on("acme", day(2030, 1, 1), 1000000, 0, 0, 0,
	    &entry), 2.0, EPS);
	free(entry);
	price_reset();
}

/* Tiers by prompt length on the newest models. */
static void
test_tiers(void **state)
{
	char	*entry;

	price_reset();
	/* Haiku 5.5 up to 100k: 100000*0.10 + 1000*0.50 = 10500. */
	assert_float_equal(cost_on("claude-haiku-5-5", day(2026, 12, 3), 100000,
	    0, 0, 1000, &entry), 0.0105, EPS);
	free(entry);
	/* Above: 100001*0.50 + 1000*2.50 = 52500.5. */
	assert_float_equal(cost_on("claude-haiku-5-5", day(2026, 12, 3), 100001,
	    0, 0, 1000, &entry), 0.0525005, EPS);
	free(entry);
	/* GPT-6.1 Sol past 272k: 300000*4 + 1000*15 = 1215000. */
	assert_float_equal(cost_on("gpt-6.1-sol", day(2026, 12, 3), 300000, 0, 0,
	    1000, &entry), 1.215, EPS);
	free(entry);
	price_reset();
}

/* An unknown model has no cost, and says so once. */
static void
test_unknown(void **state)
{
	struct adapter_usage	 u;
	double			 c = 123;
	char			*cause = NULL;

	price_reset();
	memset(&u, 0, sizeof u);
	u.in = 10;
	assert_int_equal(price_cost("mystery-model", &u, &c, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "mystery-model"));
	free(cause);
	assert_float_equal(c, 123, EPS);
	assert_int_equal(price_cost("mystery-model", &u, &c, &cause), -1);
	assert_null(cause);
	assert_int_equal(price_cost(NULL, &u, &c, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(price_cost(NULL, &u, &c, &cause), -1);
	assert_null(cause);
}

/* A user's file replaces entries key by key and adds new ones. */
static void
test_override(void **state)
{
	char	 path[] = "/tmp/baton-price-XXXXXX", *cause = NULL;
	FILE	*f;
	int	 fd;

	price_reset();
	assert_int_equal(price_load_string("; mine\n[claude-haiku-4-5]\n"
	    "input = 2\noutput = 10\n\n[acme-coder]\nalso = acme-coder-mini\n"
	    "input = 0.5\noutput = 1.5\ncache_read = 0.05\n", "test", &cause),
	    0);
	/* 1M in at $2 now. */
	assert_float_equal(cost("claude-haiku-4-5", 1000000, 0, 0, 0, 0), 2.0,
	    EPS);
	/* No cache prices given: writes at the input price ($2). */
	assert_float_equal(cost("claude-haiku-4-5", 0, 1000000, 0, 0, 0), 2.0,
	    EPS);
	/* Sonnet untouched: 100000 in at $3 = $0.30. */
	assert_float_equal(cost("claude-sonnet-4-5", 100000, 0, 0, 0, 0), 0.3,
	    EPS);
	/* New models, and their "also" names. */
	assert_float_equal(cost("acme-coder", 1000000, 0, 0, 0, 1000000), 2.0,
	    EPS);
	assert_float_equal(cost("acme-coder-mini-20260101", 0, 0, 0, 1000000, 0),
	    0.05, EPS);

	/* Through $BATON_PRICES. */
	price_reset();
	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	fputs("[gpt-5]\ninput = 100\noutput = 100\n", f);
	fclose(f);
	setenv("BATON_PRICES", path, 1);
	assert_int_equal(price_load_user(&cause), 0);
	unsetenv("BATON_PRICES");
	assert_float_equal(cost("gpt-5", 1000000, 0, 0, 0, 0), 100.0, EPS);
	/* gpt-5-codex is its own key: still the shipped price. */
	assert_float_equal(cost("gpt-5-codex", 1000000, 0, 0, 0, 0), 1.25, EPS);
	unlink(path);
	price_reset();
}

/* Files that are wrong say where. */
static void
test_bad_files(void **state)
{
	static const struct {
		const char	*data;
		const char	*error;
	} cases[] = {
		{ "[m]\ninput = 1\noutput = 2\ncolour = red\n",
		  "unknown field: colour" },
		{ "[m]\ninput = -1\noutput = 2\n", "bad price for input" },
		{ "[m]\ninput = 1x\noutput = 2\n", "bad price for input" },
		{ "[m]\ninput = 1\n", "input and output prices are needed" },
		{ "input = 1\n", "outside a [model] section" },
		{ "[m]\ninput = 1\noutput = 1\ntier_above = lots\n",
		  "bad tier_above" },
		{ "[m\n", "not INI" },
		{ "[m]\ninput = 1\noutput = 1\nsince = 2026-13-01\n",
		  "bad since" },
		{ "[m]\ninput = 1\noutput = 1\nsince = yesterday\n",
		  "bad since" },
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		price_reset();
		cause = NULL;
		if (price_load_string(cases[i].data, "bad.ini", &cause) != -1)
			fail_msg("case %zu loaded", i);
		assert_non_null(cause);
		if (strstr(cause, cases[i].error) == NULL)
			fail_msg("case %zu: %s", i, cause);
		free(cause);
		/* Nothing of a broken file is kept. */
		assert_null(price_find("m"));
	}
	assert_int_equal(price_load_file("/nonexistent/prices.ini", &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/prices.ini"));
	free(cause);
	price_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_formula),
		cmocka_unit_test(test_dated),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_bad_files),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
