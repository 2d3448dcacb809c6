/*
 * Limit messages and their reset times. Every "now" is fixed and every
 * expected epoch is worked out by hand from the calendar: the comment
 * gives the local time, the zone's offset and the UTC result.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baton.h"

static int64_t
reset(const char *text, int64_t now, const char *tz)
{
	int64_t	at = -2;

	if (ratelimit_parse_reset(text, now, tz, &at) != 0)
		return (-1);
	return (at);
}

/* Claude's texts, with and without a zone. */
static void
test_claude_texts(void **state)
{
	/*
	 * Now 2026-03-10 15:00 UTC (1773154800); New York is on EDT (UTC-4)
	 * since 2026-03-08, so 11:00 local; 8pm EDT = 2026-03-11 00:00 UTC.
	 */
	assert_int_equal(reset("You've hit your limit \xc2\xb7 resets 8pm "
	    "(America/New_York)", 1773154800, "UTC"), 1773187200);
	/*
	 * Now 2026-04-20 12:00 UTC (1776686400); Recife is UTC-3 all year:
	 * Apr 23 4pm = 2026-04-23 19:00 UTC.
	 */
	assert_int_equal(reset("You've hit your limit \xc2\xb7 resets Apr 23 at "
	    "4pm (America/Recife)", 1776686400, NULL), 1776970800);
	/* No zone in the text: the zone given. 5am UTC tomorrow. */
	assert_int_equal(reset("Weekly limit reached \xe2\x88\x99 resets 5am",
	    1763035200, "UTC"), 1763096400);
	/*
	 * Day rollover: 23:00 in Seoul (UTC+9) is 2026-01-15 14:00 UTC
	 * (1768485600); 2am is the next day, 2026-01-16 02:00 KST =
	 * 2026-01-15 17:00 UTC.
	 */
	assert_int_equal(reset("5-hour limit reached \xe2\x88\x99 resets 2am",
	    1768485600, "Asia/Seoul"), 1768496400);
	/* The same text in UTC at 14:00: 2am tomorrow, 2026-01-16 02:00 UTC. */
	assert_int_equal(reset("resets 2am", 1768485600, "UTC"),
	    1768485600 + 12 * 3600);
	/*
	 * Just past: 05:05 UTC (1763010300) and "resets 5am" is 05:00 today
	 * (1763010000), within the grace, not tomorrow.
	 */
	assert_int_equal(reset("resets 5am", 1763010300, "UTC"), 1763010000);
	/*
	 * A weekday: Wed 2026-01-14 10:00 UTC (1768384800); "Mon 12:00am" is
	 * Mon 2026-01-19 00:00 UTC.
	 */
	assert_int_equal(reset("You've hit your weekly limit \xc2\xb7 resets "
	    "Mon 12:00am", 1768384800, "UTC"), 1768780800);
	/* A zone in brackets wins over the one given; minutes: 3:45pm. */
	assert_int_equal(reset("resets 3:45pm (UTC)", 1768384800,
	    "Asia/Seoul"), 1768384800 + 5 * 3600 + 45 * 60);
	/*
	 * A month and day that has passed this year is next year's: now
	 * 2025-12-30 12:00 UTC (1767096000), "Jan 2 at 9am" = 2026-01-02
	 * 09:00 UTC.
	 */
	assert_int_equal(reset("resets Jan 2 at 9am (UTC)", 1767096000, NULL),
	    1767344400);
	/* The pipe form carries the epoch itself. */
	assert_int_equal(reset("Claude AI usage limit reached|1751234400",
	    1, NULL), 1751234400);
	/* "resets at" as the third-party detectors quote it. */
	assert_int_equal(reset("Claude usage limit reached. Your limit will "
	    "reset at 3pm (UTC).", 1768384800, NULL),
	    1768384800 + 5 * 3600);
}

/* Codex: local wall-clock times, dated form, the older relative form. */
static void
test_codex_texts(void **state)
{
	/* 10:00 UTC is 11:00 CET; 12:16 CET = 11:16 UTC (1762946160). */
	assert_int_equal(reset("You've hit your usage limit. To get more "
	    "access now, send a request to your admin or try again at 12:16 "
	    "PM.", 1762941600, "Europe/Amsterdam"), 1762946160);
	/* Nov 14th, 2025 3:05 PM in UTC = 1763132700. */
	assert_int_equal(reset("You've hit your usage limit. Try again at Nov "
	    "14th, 2025 3:05 PM.", 1762941600, "UTC"), 1763132700);
	/* 12 AM is midnight: 2025-11-13 00:00 UTC = 1762992000. */
	assert_int_equal(reset("try again at 12:00 AM.", 1762941600, "UTC"),
	    1762992000);
	/* 4 days 20 hours 9 minutes = 345600 + 72000 + 540 = 418140 s. */
	assert_int_equal(reset("You've hit your usage limit. Try again in 4 "
	    "days 20 hours 9 minutes.", 1000, NULL), 1000 + 418140);
	/* 2h 30m = 9000 s. */
	assert_int_equal(reset("Try again in 2h 30m", 1000, NULL), 1000 + 9000);
}

/* Gemini: durations only. */
static void
test_gemini_texts(void **state)
{
	/* 8h44m7s = 28800 + 2640 + 7 = 31447 s. */
	assert_int_equal(reset("[API Error: You have exhausted your capacity "
	    "on this model. Your quota will reset after 8h44m7s.]", 5000,
	    NULL), 5000 + 31447);
	assert_int_equal(reset("Suggested retry after 60s.", 5000, NULL),
	    5000 + 60);
	/* 6173 ms rounds up to 7 s. */
	assert_int_equal(reset("Retrying after 6173ms...", 5000, NULL),
	    5000 + 7);
}

/* Texts with no usable reset. */
static void
test_no_reset(void **state)
{
	assert_int_equal(reset("resets soon", 1000, NULL), -1);
	assert_int_equal(reset("resets 13pm", 1000, NULL), -1);
	assert_int_equal(reset("resets 25:00", 1000, NULL), -1);
	assert_int_equal(reset("resets 4", 1000, NULL), -1);
	assert_int_equal(reset("limit reached|12345", 1000, NULL), -1);
	assert_int_equal(reset("try again in a while", 1000, NULL), -1);
	assert_int_equal(reset("", 1000, NULL), -1);
	/* A zone name that is not a name is ignored: the given zone is used. */
	assert_int_equal(reset("resets 3pm (not a zone!)", 1768384800, "UTC"),
	    1768384800 + 5 * 3600);
}

/* What each message means. */
static void
test_classify(void **state)
{
	static const struct {
		const char		*provider;
		const char		*text;
		int			 found;
		enum ratelimit_class	 class;
		const char		*kind;
		int64_t			 reset_at;
	} cases[] = {
		{ "codex", "exceeded retry limit, last status: 401 Unauthorized, "
		  "request id: 99cdbe04acfb0b34-AMS", 1, RATELIMIT_AUTH, "auth", -1 },
		{ "codex", "exceeded retry limit, last status: 429 Too Many "
		  "Requests, request id: x", 1, RATELIMIT_LIMIT, "rate", -1 },
		{ "codex", "Reconnecting... 1/5", 1, RATELIMIT_RETRY, "stream", -1 },
		{ "codex", "You've hit your usage limit. Upgrade to Plus to "
		  "continue using Codex (https://openai.com/chatgpt/pricing).", 1,
		  RATELIMIT_LIMIT, "usage", -1 },
		{ "codex", "To use Codex with your ChatGPT plan, upgrade to Plus: "
		  "https://openai.com/chatgpt/pricing.", 1, RATELIMIT_AUTH, "plan",
		  -1 },
		{ "claude", "To use Codex with your ChatGPT plan", 0, 0, NULL, -1 },
		{ "claude", "Server is temporarily limiting requests (not your "
		  "usage limit)", 1, RATELIMIT_RETRY, "server", -1 },
		{ "claude", "API Error: Request rejected (429) \xc2\xb7 x", 1,
		  RATELIMIT_LIMIT, "rate", -1 },
		{ "claude", "Credit balance is too low", 1, RATELIMIT_LIMIT,
		  "billing", -1 },
		{ "claude", "Invalid API key \xc2\xb7 Please run /login", 1,
		  RATELIMIT_AUTH, "auth", -1 },
		{ "claude", "Weekly limit reached \xe2\x88\x99 resets 5am", 1,
		  RATELIMIT_LIMIT, "weekly", 1763096400 },
		{ "gemini", "You have exhausted your daily quota on this model.",
		  1, RATELIMIT_LIMIT, "daily_quota", -1 },
		{ "gemini", "RetryableQuotaError: Please retry in 10s", 1,
		  RATELIMIT_RETRY, "rate", 1763035200 + 10 },
		{ "claude", "I fixed the rate limiter in util.c", 0, 0, NULL, -1 },
		{ "claude", "All tests pass.", 0, 0, NULL, -1 },
	};
	struct ratelimit	rl;
	size_t			i;
	int			found;

	for (i = 0; i < nitems(cases); i++) {
		found = ratelimit_classify(cases[i].provider, cases[i].text,
		    1763035200, "UTC", &rl);
		if (found != cases[i].found)
			fail_msg("case %zu: found %d", i, found);
		if (!found)
			continue;
		assert_int_equal(rl.class, cases[i].class);
		assert_string_equal(rl.kind, cases[i].kind);
		assert_int_equal(rl.reset_at, cases[i].reset_at);
		assert_string_equal(rl.provider, cases[i].provider);
	}
	assert_string_equal(ratelimit_class_name(RATELIMIT_AUTH), "auth");
}

/* The process's own TZ is put back after a conversion. */
static void
test_tz_restored(void **state)
{
	const char	*tz;

	setenv("TZ", "Asia/Tokyo", 1);
	reset("resets 8pm (America/New_York)", 1773154800, "UTC");
	tz = getenv("TZ");
	assert_non_null(tz);
	assert_string_equal(tz, "Asia/Tokyo");
	unsetenv("TZ");
	reset("resets 8pm (America/New_York)", 1773154800, "UTC");
	assert_null(getenv("TZ"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claude_texts),
		cmocka_unit_test(test_codex_texts),
		cmocka_unit_test(test_gemini_texts),
		cmocka_unit_test(test_no_reset),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_tz_restored),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
