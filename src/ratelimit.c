/*
 * Rate limits, usage limits and auth failures read from the messages the
 * agent CLIs print, and the reset times those messages give.
 *
 * Structured signals (Claude's rate_limit_event, HTTP statuses) are read
 * by the adapters; this file is the fallback for text. The texts come in
 * these shapes (see the sources in the price and format notes):
 *
 *   Claude:  "Weekly limit reached ∙ resets 5am"
 *            "You've hit your limit · resets 8pm (America/New_York)"
 *            "You've hit your limit · resets Apr 23 at 4pm (America/Recife)"
 *            "You've hit your weekly limit · resets Mon 12:00am"
 *            "Claude AI usage limit reached|1751234400"
 *   Codex:   "... or try again at 12:16 PM."  (local time of the machine)
 *            "... try again at Nov 14th, 2025 3:05 PM."
 *            "Try again in 4 days 20 hours 9 minutes."
 *   Gemini:  "Your quota will reset after 8h44m7s."
 *            "Please retry in 5.2s", "Retrying after 6173ms"
 *            "[API Error: {"error":{"code":401,...,"status":
 *            "UNAUTHENTICATED"}}]", "API key not valid" (API_KEY_INVALID)
 *            "You have exhausted your daily quota on this model."
 *
 * A wall-clock time with no date is the first such time that is not more
 * than RATELIMIT_GRACE seconds before now ("resets 2am" at 23:00 is the
 * next day); one with a weekday is the next such day; a month and day
 * without a year is this year's or, if that has passed, next year's.
 *
 * A limit that gives no reset time still holds its provider for a while,
 * and that time is marked as an estimate (ratelimit_estimate).
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baton.h"

/* How far in the past a stated reset may be before it means tomorrow. */
#define RATELIMIT_GRACE (10 * 60)

static const char *ratelimit_class_names[] = {
	[RATELIMIT_NONE] = "status",
	[RATELIMIT_LIMIT] = "limit",
	[RATELIMIT_AUTH] = "auth",
	[RATELIMIT_RETRY] = "retry",
};

/* What comes after an anchor phrase. */
enum ratelimit_form {
	RL_EPOCH,	/* "|1751234400" */
	RL_CLOCK,	/* [date or weekday] time [(zone)] */
	RL_DURATION,	/* 8h44m7s, 4 days 20 hours, 6173ms */
};

static const struct {
	const char		*anchor;
	enum ratelimit_form	 form;
} ratelimit_anchors[] = {
	{ "limit reached|", RL_EPOCH },
	{ "resets at ", RL_CLOCK },
	{ "resets ", RL_CLOCK },
	{ "reset at ", RL_CLOCK },
	{ "try again at ", RL_CLOCK },
	{ "resets in ", RL_DURATION },
	{ "try again in ", RL_DURATION },
	{ "reset after ", RL_DURATION },
	{ "retry in ", RL_DURATION },
	{ "retry after ", RL_DURATION },
	{ "retrying after ", RL_DURATION },
};

/*
 * Message texts and what they mean, first match wins: auth failures come
 * first because "exceeded retry limit, last status: 401" is not a limit.
 */
static const struct {
	const char		*provider;	/* NULL: any */
	const char		*text;		/* lower case */
	enum ratelimit_class	 class;
	const char		*kind;
} ratelimit_patterns[] = {
	{ NULL, "status: 401", RATELIMIT_AUTH, "auth" },
	{ NULL, "401 unauthorized", RATELIMIT_AUTH, "auth" },
	{ NULL, "403 forbidden", RATELIMIT_AUTH, "auth" },
	{ NULL, "authentication_failed", RATELIMIT_AUTH, "auth" },
	{ NULL, "authentication failed", RATELIMIT_AUTH, "auth" },
	{ NULL, "authentication_error", RATELIMIT_AUTH, "auth" },
	{ NULL, "invalid api key", RATELIMIT_AUTH, "auth" },
	{ NULL, "invalid x-api-key", RATELIMIT_AUTH, "auth" },
	{ NULL, "please run /login", RATELIMIT_AUTH, "auth" },
	{ NULL, "oauth token has expired", RATELIMIT_AUTH, "auth" },
	{ NULL, "oauth_org_not_allowed", RATELIMIT_AUTH, "auth" },
	{ NULL, "not logged in", RATELIMIT_AUTH, "auth" },
	{ NULL, "providerautherror", RATELIMIT_AUTH, "auth" },
	{ NULL, "unauthenticated", RATELIMIT_AUTH, "auth" },
	{ NULL, "api_key_invalid", RATELIMIT_AUTH, "auth" },
	{ NULL, "api key not valid", RATELIMIT_AUTH, "auth" },
	{ NULL, "permission_denied", RATELIMIT_AUTH, "auth" },
	{ "codex", "to use codex with your chatgpt plan", RATELIMIT_AUTH,
	  "plan" },

	{ NULL, "usage limit reached", RATELIMIT_LIMIT, "usage" },
	{ NULL, "weekly limit reached", RATELIMIT_LIMIT, "weekly" },
	{ NULL, "5-hour limit reached", RATELIMIT_LIMIT, "five_hour" },
	{ NULL, "hit your weekly limit", RATELIMIT_LIMIT, "weekly" },
	{ NULL, "hit your session limit", RATELIMIT_LIMIT, "session" },
	{ NULL, "hit your opus limit", RATELIMIT_LIMIT, "opus" },
	{ NULL, "hit your sonnet limit", RATELIMIT_LIMIT, "sonnet" },
	{ NULL, "hit your usage limit", RATELIMIT_LIMIT, "usage" },
	{ NULL, "hit your limit", RATELIMIT_LIMIT, "usage" },
	{ NULL, "limit reached", RATELIMIT_LIMIT, "usage" },
	{ NULL, "exhausted your daily quota", RATELIMIT_LIMIT, "daily_quota" },
	{ NULL, "exhausted your capacity", RATELIMIT_LIMIT, "capacity" },
	{ NULL, "terminalquotaerror", RATELIMIT_LIMIT, "quota" },
	{ NULL, "quota exceeded", RATELIMIT_LIMIT, "quota" },
	{ NULL, "credit balance is too low", RATELIMIT_LIMIT, "billing" },
	{ NULL, "billing_error", RATELIMIT_LIMIT, "billing" },
	{ NULL, "credits_required", RATELIMIT_LIMIT, "billing" },
	{ NULL, "resource_exhausted", RATELIMIT_LIMIT, "rate" },

	{ NULL, "retryablequotaerror", RATELIMIT_RETRY, "rate" },
	{ NULL, "temporarily limiting requests", RATELIMIT_RETRY, "server" },
	{ NULL, "reconnecting...", RATELIMIT_RETRY, "stream" },
	{ NULL, "overloaded", RATELIMIT_RETRY, "overloaded" },
	{ NULL, "high demand", RATELIMIT_RETRY, "server" },
	{ NULL, "at capacity", RATELIMIT_RETRY, "capacity" },
	{ NULL, "please retry in", RATELIMIT_RETRY, "rate" },

	{ NULL, "rate limit", RATELIMIT_LIMIT, "rate" },
	{ NULL, "rate_limit", RATELIMIT_LIMIT, "rate" },
	{ NULL, "too many requests", RATELIMIT_LIMIT, "rate" },
	{ NULL, "(429)", RATELIMIT_LIMIT, "rate" },
	{ NULL, "status: 429", RATELIMIT_LIMIT, "rate" },
};

/*
 * How long a limit with no stated reset is expected to last, by kind
 * (-1: until midnight Pacific time, when Google resets per-day quotas);
 * others hold RATELIMIT_HOLD.
 */
#define RATELIMIT_HOLD (15 * 60)
static const struct {
	const char	*kind;
	int64_t		 hold;
} ratelimit_holds[] = {
	{ "daily_quota", -1 },
	{ "quota", 60 * 60 },
	{ "billing", 60 * 60 },
};

static const char *ratelimit_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};
static const char *ratelimit_days[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

/* Duration units, longest spelling first where one is a prefix. */
static const struct {
	const char	*name;
	int64_t		 ms;
} ratelimit_units[] = {
	{ "ms", 1 },
	{ "s", 1000 }, { "sec", 1000 }, { "secs", 1000 },
	{ "second", 1000 }, { "seconds", 1000 },
	{ "m", 60000 }, { "min", 60000 }, { "mins", 60000 },
	{ "minute", 60000 }, { "minutes", 60000 },
	{ "h", 3600000 }, { "hr", 3600000 }, { "hrs", 3600000 },
	{ "hour", 3600000 }, { "hours", 3600000 },
	{ "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 },
};

/* A clock reading found in text. */
struct ratelimit_clock {
	int	year;		/* 0: not given */
	int	month;		/* 1-12, 0: not given */
	int	mday;
	int	wday;		/* 0-6, -1: not given */
	int	hour;
	int	min;
	char	zone[64];	/* empty: not given */
};

static void	ratelimit_tz_push(const char *, char **, int *);
static void	ratelimit_tz_pop(char *, int);

/* The next midnight in America/Los_Angeles after now. */
static int64_t
ratelimit_pacific_midnight(int64_t now)
{
	struct tm	 tm;
	time_t		 t = (time_t)now;
	int64_t		 at = -1;
	char		*saved;
	int		 pushed;

	ratelimit_tz_push("America/Los_Angeles", &saved, &pushed);
	if (localtime_r(&t, &tm) != NULL) {
		tm.tm_mday++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) != (time_t)-1)
			at = (int64_t)t;
	}
	ratelimit_tz_pop(saved, pushed);
	return (at);
}

/*
 * A limit that names no reset: estimate one, from what the server last
 * asked a retry to wait (retry_after seconds, 0 if nothing) or else from
 * its kind, and mark it as an estimate.
 */
void
ratelimit_estimate(struct ratelimit *rl, int64_t now, int64_t retry_after)
{
	int64_t	hold = RATELIMIT_HOLD;
	size_t	i;

	if (rl->class != RATELIMIT_LIMIT || rl->reset_at != -1)
		return;
	for (i = 0; i < nitems(ratelimit_holds); i++) {
		if (strcmp(ratelimit_holds[i].kind, rl->kind) == 0)
			hold = ratelimit_holds[i].hold;
	}
	if (hold == -1)
		rl->reset_at = ratelimit_pacific_midnight(now);
	else if (retry_after > 0)
		rl->reset_at = now + retry_after;
	else
		rl->reset_at = now + hold;
	if (rl->reset_at == -1)
		rl->reset_at = now + RATELIMIT_HOLD;
	rl->estimated = 1;
}

/* An empty signal: nothing known yet. */
void
ratelimit_init(struct ratelimit *rl, const char *provider)
{
	memset(rl, 0, sizeof *rl);
	rl->provider = provider;
	rl->reset_at = -1;
	rl->utilization = -1;
}

const char *
ratelimit_class_name(enum ratelimit_class class)
{
	if ((u_int)class >= nitems(ratelimit_class_names))
		return ("unknown");
	return (ratelimit_class_names[class]);
}

/* Set TZ for a conversion; *saved gets the old value to put back. */
static void
ratelimit_tz_push(const char *tz, char **saved, int *pushed)
{
	const char	*old;

	*pushed = 0;
	*saved = NULL;
	if (tz == NULL || *tz == '\0')
		return;
	if ((old = getenv("TZ")) != NULL)
		*saved = xstrdup(old);
	setenv("TZ", tz, 1);
	tzset();
	*pushed = 1;
}

static void
ratelimit_tz_pop(char *saved, int pushed)
{
	if (!pushed)
		return;
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static int
ratelimit_digits(const char **pp, int max, int *out)
{
	const char	*p = *pp;
	int		 n = 0, v = 0;

	while (n < max && isdigit((u_char)p[n])) {
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n == 0 || isdigit((u_char)p[n]))
		return (-1);
	*out = v;
	*pp = p + n;
	return (0);
}

/* A word whose first three letters name an entry of table. */
static int
ratelimit_word(const char **pp, const char **table, int n)
{
	const char	*p = *pp;
	size_t		 len = 0;
	int		 i;

	while (isalpha((u_char)p[len]))
		len++;
	if (len < 3 || len > 9)
		return (-1);
	for (i = 0; i < n; i++) {
		if (strncmp(p, table[i], 3) == 0) {
			*pp = p + len;
			return (i);
		}
	}
	return (-1);
}

static void
ratelimit_spaces(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

/* "4pm", "3:45pm", "12:16 PM", "14:00"; lower-cased input. */
static int
ratelimit_time(const char **pp, int *hour, int *min)
{
	const char	*p = *pp;
	int		 h, m = 0, has_min = 0;

	if (ratelimit_digits(&p, 2, &h) != 0)
		return (-1);
	if (*p == ':') {
		p++;
		if (!isdigit((u_char)p[0]) || !isdigit((u_char)p[1]) ||
		    ratelimit_digits(&p, 2, &m) != 0)
			return (-1);
		has_min = 1;
	}
	ratelimit_spaces(&p);
	if ((p[0] == 'a' || p[0] == 'p') && p[1] == 'm' &&
	    !isalpha((u_char)p[2])) {
		if (h < 1 || h > 12)
			return (-1);
		if (h == 12)
			h = 0;
		if (p[0] == 'p')
			h += 12;
		p += 2;
	} else if (!has_min || h > 23)
		return (-1);
	if (m > 59)
		return (-1);
	*hour = h;
	*min = m;
	*pp = p;
	return (0);
}

/*
 * After "resets" or "try again at": [weekday | month day[suffix][,] [year]
 * [at]] time [(zone)]. lower is the lower-cased text, orig the original
 * (for the zone name, whose case matters).
 */
static int
ratelimit_clock(const char *lower, const char *orig, const char *p,
    struct ratelimit_clock *c)
{
	const char	*q, *z;
	size_t		 len;
	int		 i;

	memset(c, 0, sizeof *c);
	c->wday = -1;
	q = p;
	if ((i = ratelimit_word(&q, ratelimit_months, 12)) != -1) {
		c->month = i + 1;
		ratelimit_spaces(&q);
		if (ratelimit_digits(&q, 2, &c->mday) != 0 || c->mday < 1 ||
		    c->mday > 31)
			return (-1);
		if (strncmp(q, "st", 2) == 0 || strncmp(q, "nd", 2) == 0 ||
		    strncmp(q, "rd", 2) == 0 || strncmp(q, "th", 2) == 0)
			q += 2;
		if (*q == ',')
			q++;
		ratelimit_spaces(&q);
		p = q;
		if (ratelimit_digits(&q, 4, &c->year) == 0 && c->year >= 1970 &&
		    (*q == ' ' || *q == ',')) {
			if (*q == ',')
				q++;
			ratelimit_spaces(&q);
			p = q;
		} else
			c->year = 0;
		if (strncmp(p, "at ", 3) == 0)
			p += 3;
	} else if ((i = ratelimit_word(&q, ratelimit_days, 7)) != -1) {
		c->wday = i;
		ratelimit_spaces(&q);
		p = q;
		if (strncmp(p, "at ", 3) == 0)
			p += 3;
	}
	if (ratelimit_time(&p, &c->hour, &c->min) != 0)
		return (-1);

	/* An IANA zone in brackets: "(America/New_York)", "(UTC)". */
	q = p;
	ratelimit_spaces(&q);
	if (*q == '(') {
		z = orig + (q + 1 - lower);
		len = strcspn(z, ")");
		if (z[len] == ')' && len > 0 && len < sizeof c->zone &&
		    strspn(z, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789_/+-") == len)
			memcpy(c->zone, z, len);
	}
	return (0);
}

/* Seconds in the text's duration ("8h44m7s", "4 days 20 hours"), rounded up. */
static int
ratelimit_duration(const char *p, int64_t *secs)
{
	int64_t	total = 0, whole, frac, scale;
	size_t	len, i;
	int	n = 0, found;

	for (;;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, "and ", 4) == 0)
			p += 4;
		if (!isdigit((u_char)*p))
			break;
		whole = 0;
		while (isdigit((u_char)*p) && whole < 100000000)
			whole = whole * 10 + (*p++ - '0');
		if (isdigit((u_char)*p))
			return (-1);
		frac = 0;
		scale = 1;
		if (*p == '.' && isdigit((u_char)p[1])) {
			p++;
			while (isdigit((u_char)*p)) {
				if (scale < 1000) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
			}
		}
		ratelimit_spaces(&p);
		len = 0;
		while (isalpha((u_char)p[len]))
			len++;
		found = 0;
		for (i = 0; i < nitems(ratelimit_units); i++) {
			if (strlen(ratelimit_units[i].name) == len &&
			    strncmp(p, ratelimit_units[i].name, len) == 0) {
				total += whole * ratelimit_units[i].ms +
				    frac * ratelimit_units[i].ms / scale;
				found = 1;
				break;
			}
		}
		if (!found)
			break;
		p += len;
		n++;
	}
	if (n == 0)
		return (-1);
	*secs = (total + 999) / 1000;
	return (0);
}

/* Epoch of a wall-clock time in tz; mktime normalises overflowing days. */
static int64_t
ratelimit_mktime(struct tm *tm)
{
	time_t	t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	if (t == (time_t)-1)
		return (-1);
	return ((int64_t)t);
}

/* Resolve a clock reading against now, in tz. */
static int64_t
ratelimit_resolve(const struct ratelimit_clock *c, int64_t now, const char *tz)
{
	struct tm	 tm, today;
	time_t		 t = (time_t)now;
	int64_t		 at;
	char		*saved;
	int		 pushed;

	ratelimit_tz_push(c->zone[0] != '\0' ? c->zone : tz, &saved, &pushed);
	if (localtime_r(&t, &today) == NULL) {
		ratelimit_tz_pop(saved, pushed);
		return (-1);
	}
	tm = today;
	tm.tm_sec = 0;
	tm.tm_min = c->min;
	tm.tm_hour = c->hour;
	if (c->month != 0) {
		tm.tm_mon = c->month - 1;
		tm.tm_mday = c->mday;
		if (c->year != 0)
			tm.tm_year = c->year - 1900;
		at = ratelimit_mktime(&tm);
		if (c->year == 0 && at != -1 && at < now - RATELIMIT_GRACE) {
			tm = today;
			tm.tm_sec = 0;
			tm.tm_min = c->min;
			tm.tm_hour = c->hour;
			tm.tm_mon = c->month - 1;
			tm.tm_mday = c->mday;
			tm.tm_year++;
			at = ratelimit_mktime(&tm);
		}
	} else {
		if (c->wday != -1)
			tm.tm_mday += (c->wday - today.tm_wday + 7) % 7;
		at = ratelimit_mktime(&tm);
		if (at != -1 && at < now - RATELIMIT_GRACE) {
			tm = today;
			tm.tm_sec = 0;
			tm.tm_min = c->min;
			tm.tm_hour = c->hour;
			if (c->wday != -1)
				tm.tm_mday += (c->wday - today.tm_wday + 7) %
				    7 + 7;
			else
				tm.tm_mday++;
			at = ratelimit_mktime(&tm);
		}
	}
	ratelimit_tz_pop(saved, pushed);
	return (at);
}

/*
 * Find a reset time in a message: 0 and *reset (epoch seconds) if there is
 * one. now is the time the message was seen; tz the zone for local times
 * that name none (NULL: the process's own).
 */
int
ratelimit_parse_reset(const char *text, int64_t now, const char *tz,
    int64_t *reset)
{
	struct ratelimit_clock	 c;
	char			*lower;
	const char		*p, *found;
	size_t			 i, len;
	int64_t			 v, secs;
	int			 rc = -1;

	len = strlen(text);
	lower = xmalloc(len + 1);
	for (i = 0; i <= len; i++)
		lower[i] = (char)tolower((u_char)text[i]);

	for (i = 0; rc != 0 && i < nitems(ratelimit_anchors); i++) {
		p = lower;
		while (rc != 0 &&
		    (found = strstr(p, ratelimit_anchors[i].anchor)) != NULL) {
			p = found + strlen(ratelimit_anchors[i].anchor);
			switch (ratelimit_anchors[i].form) {
			case RL_EPOCH:
				v = 0;
				len = 0;
				while (isdigit((u_char)p[len]) && len < 11)
					v = v * 10 + (p[len++] - '0');
				if (len == 10 && !isdigit((u_char)p[len])) {
					*reset = v;
					rc = 0;
				}
				break;
			case RL_CLOCK:
				if (ratelimit_clock(lower, text, p, &c) != 0)
					break;
				if ((v = ratelimit_resolve(&c, now, tz)) != -1) {
					*reset = v;
					rc = 0;
				}
				break;
			case RL_DURATION:
				if (ratelimit_duration(p, &secs) == 0) {
					*reset = now + secs;
					rc = 0;
				}
				break;
			}
		}
	}
	free(lower);
	return (rc);
}

/* Does lower hold word as a whole word ("rate limit", not "rate limiter")? */
static int
ratelimit_contains(const char *lower, const char *word)
{
	const char	*p = lower;
	size_t		 len = strlen(word);

	while ((p = strstr(p, word)) != NULL) {
		if ((!isalpha((u_char)word[0]) || p == lower ||
		    !isalpha((u_char)p[-1])) &&
		    (!isalpha((u_char)word[len - 1]) ||
		    !isalpha((u_char)p[len])))
			return (1);
		p++;
	}
	return (0);
}

/*
 * Does text report a limit, auth failure or transient retry? If so fill
 * rl (reset_at -1 when the text gives none) and return 1.
 */
int
ratelimit_classify(const char *provider, const char *text, int64_t now,
    const char *tz, struct ratelimit *rl)
{
	char	*lower;
	size_t	 i, len;
	int64_t	 reset;
	int	 found = 0;

	len = strlen(text);
	lower = xmalloc(len + 1);
	for (i = 0; i <= len; i++)
		lower[i] = (char)tolower((u_char)text[i]);
	ratelimit_init(rl, provider);
	for (i = 0; i < nitems(ratelimit_patterns); i++) {
		if (ratelimit_patterns[i].provider != NULL &&
		    (provider == NULL ||
		    strcmp(ratelimit_patterns[i].provider, provider) != 0))
			continue;
		if (ratelimit_contains(lower, ratelimit_patterns[i].text)) {
			rl->class = ratelimit_patterns[i].class;
			snprintf(rl->kind, sizeof rl->kind, "%s",
			    ratelimit_patterns[i].kind);
			found = 1;
			break;
		}
	}
	free(lower);
	if (!found)
		return (0);
	if (rl->class != RATELIMIT_AUTH &&
	    ratelimit_parse_reset(text, now, tz, &reset) == 0)
		rl->reset_at = reset;
	return (1);
}
