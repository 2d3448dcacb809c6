/*
 * The readable transcript a run's pane shows, made from the same parsed
 * events baton stores: text, thinking, tools, calls with their cost, retries,
 * limits and errors. Never raw JSON and never raw control bytes.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "baton.h"

struct transcript {
	struct adapter	*adapter;
	int		 in_delta;	/* text deltas printed, line open */
};

#define T_DIM	"\033[2m"
#define T_BOLD	"\033[1m"
#define T_RED	"\033[31m"
#define T_GREEN	"\033[32m"
#define T_YELLOW "\033[33m"
#define T_CYAN	"\033[36m"
#define T_OFF	"\033[0m"

struct transcript *
transcript_new(const char *format)
{
	struct transcript	*t;
	char			*cause = NULL;

	t = xcalloc(1, sizeof *t);
	if ((t->adapter = adapter_new(format, &cause)) == NULL) {
		free(cause);
		t->adapter = adapter_new("text", &cause);
	}
	return (t);
}

void
transcript_free(struct transcript *t)
{
	if (t == NULL)
		return;
	adapter_free(t->adapter);
	free(t);
}

/*
 * The agent's own terminal sequences (colours in a tool's output, a title)
 * taken out of its text: shown made visible they would read as noise like
 * "\033[31m", and passed through they could do anything to the pane.
 */
static char *
transcript_plain(const char *text)
{
	const u_char	*p = (const u_char *)text;
	char		*out, *o;

	out = o = xmalloc(strlen(text) + 1);
	while (*p != '\0') {
		if (*p != 0x1b) {
			*o++ = (char)*p++;
			continue;
		}
		p++;
		if (*p == '[') {
			/* CSI: parameters and intermediates, a final byte. */
			for (p++; *p != '\0' && (*p < 0x40 || *p > 0x7e); p++)
				/* nothing */;
			if (*p != '\0')
				p++;
		} else if (*p == ']' || *p == 'P' || *p == '_' || *p == '^') {
			/* OSC and friends: up to BEL or ESC \. */
			for (p++; *p != '\0' && *p != 0x07; p++) {
				if (p[0] == 0x1b && p[1] == '\\') {
					p++;
					break;
				}
			}
			if (*p != '\0')
				p++;
		} else if (*p != '\0')
			p++;
	}
	*o = '\0';
	return (out);
}

/* Print text made safe, each line after the first indented under prefix. */
static void
transcript_text(FILE *f, const char *colour, const char *prefix,
    const char *text, size_t max)
{
	char	*copy, *p, *line, *vis;

	copy = transcript_plain(text);
	for (p = copy; (line = strsep(&p, "\n")) != NULL;) {
		vis = util_vis(line, max);
		fprintf(f, "%s%s%s%s\n", colour, prefix, vis, *colour != '\0' ?
		    T_OFF : "");
		free(vis);
		prefix = "  ";
	}
	free(copy);
}

static void
transcript_close_delta(struct transcript *t, FILE *f)
{
	if (t->in_delta) {
		fputc('\n', f);
		t->in_delta = 0;
	}
}

static void
transcript_event(struct transcript *t, FILE *f, struct adapter_event *ev)
{
	char		 when[32], *vis;
	time_t		 reset;
	struct tm	 tm;
	double		 cost;
	char		*why = NULL, *plain;

	if (ev->kind != ADAPTER_EV_TEXT_DELTA && ev->kind != ADAPTER_EV_TEXT)
		transcript_close_delta(t, f);
	switch (ev->kind) {
	case ADAPTER_EV_SESSION:
		fprintf(f, T_DIM "session %s%s%s" T_OFF "\n",
		    ev->session_id != NULL ? ev->session_id : "?",
		    ev->model != NULL ? ", model " : "",
		    ev->model != NULL ? ev->model : "");
		break;
	case ADAPTER_EV_TEXT_DELTA:
		if (ev->text != NULL) {
			plain = transcript_plain(ev->text);
			vis = util_vis(plain, 0);
			free(plain);
			/* Keep the agent's own line breaks in deltas. */
			for (char *p = vis; *p != '\0'; p++) {
				if (p[0] == '\\' && p[1] == 'n') {
					fputc('\n', f);
					p++;
				} else
					fputc(*p, f);
			}
			free(vis);
			t->in_delta = 1;
		}
		break;
	case ADAPTER_EV_TEXT:
		/* After deltas, the complete text repeats them. */
		if (t->in_delta) {
			transcript_close_delta(t, f);
			break;
		}
		if (ev->text != NULL)
			transcript_text(f, "", "", ev->text, 0);
		break;
	case ADAPTER_EV_THINKING:
		if (ev->text != NULL)
			transcript_text(f, T_DIM, "thinking: ", ev->text, 400);
		break;
	case ADAPTER_EV_TOOL_START:
		transcript_text(f, T_CYAN, "\xe2\x96\xb8 ", ev->tool_name != NULL ?
		    ev->tool_name : "tool", 200);
		break;
	case ADAPTER_EV_TOOL_END:
		if (ev->is_error)
			transcript_text(f, T_RED, "\xe2\x97\x82 failed: ",
			    ev->text != NULL ? ev->text : "", 400);
		break;
	case ADAPTER_EV_DENIED:
		xasprintf(&why, "%s%s%s: %s", ev->tool_name != NULL ?
		    ev->tool_name : "tool", ev->text != NULL ? " " : "",
		    ev->text != NULL ? ev->text : "", ev->reason != NULL ?
		    ev->reason : "refused");
		transcript_text(f, T_RED, "\xe2\x9c\x97 denied: ", why, 600);
		free(why);
		break;
	case ADAPTER_EV_USAGE:
		fprintf(f, T_DIM "\xc2\xb7 %s: in %lld, cached %lld, written "
		    "%lld, out %lld", ev->model != NULL ? ev->model : "call",
		    (long long)ev->usage.in, (long long)ev->usage.cache_read,
		    (long long)ev->usage.cache_write, (long long)ev->usage.out);
		if (price_cost(ev->model, &ev->usage, &cost, &why) == 0)
			fprintf(f, ", $%.4f", cost);
		free(why);
		fprintf(f, T_OFF "\n");
		break;
	case ADAPTER_EV_TURN_END:
		if (ev->is_error) {
			/* One made at the exit follows the error it says. */
			if (ev->exit_status == -1)
				transcript_text(f, T_RED, "\xe2\x9c\x97 turn "
				    "failed: ", ev->text != NULL ? ev->text :
				    "", 400);
			break;
		}
		if (ev->has_cli_cost)
			fprintf(f, T_GREEN "\xe2\x9c\x93 turn done, $%.4f so far"
			    T_OFF "\n", ev->cli_cost);
		else
			fprintf(f, T_GREEN "\xe2\x9c\x93 turn done" T_OFF "\n");
		break;
	case ADAPTER_EV_RETRY:
		fprintf(f, T_YELLOW "\xe2\x86\xbb retry %d/%d in %lld ms%s%s"
		    T_OFF "\n", ev->retry_attempt, ev->retry_max,
		    (long long)ev->retry_delay_ms, ev->text != NULL ? ": " : "",
		    ev->text != NULL ? ev->text : "");
		break;
	case ADAPTER_EV_RATELIMIT:
		if (ev->limit.class == RATELIMIT_AUTH) {
			transcript_text(f, T_RED, "\xe2\x9c\x97 auth: ",
			    ev->text != NULL ? ev->text : ev->limit.kind, 400);
			break;
		}
		if (ev->limit.class != RATELIMIT_LIMIT)
			break;
		when[0] = '\0';
		if (ev->limit.reset_at != -1) {
			reset = (time_t)ev->limit.reset_at;
			localtime_r(&reset, &tm);
			strftime(when, sizeof when, ev->limit.estimated ?
			    ", resets about %a %H:%M" : ", resets %a %H:%M",
			    &tm);
		}
		fprintf(f, T_YELLOW "\xe2\x8f\xb3 %s limit%s" T_OFF "\n",
		    ev->limit.kind, when);
		break;
	case ADAPTER_EV_ERROR:
		transcript_text(f, T_RED, "\xe2\x9c\x97 ", ev->text != NULL ?
		    ev->text : "error", 1000);
		break;
	}
}

/* Show one line of agent output. */
void
transcript_line(struct transcript *t, FILE *f, const char *line, size_t len)
{
	struct adapter_event	*ev;

	adapter_feed(t->adapter, line, len);
	adapter_feed(t->adapter, "\n", 1);
	while ((ev = adapter_next(t->adapter)) != NULL) {
		transcript_event(t, f, ev);
		adapter_event_free(ev);
	}
}

/* The agent ended: close out the stream from its exit status. */
void
transcript_finish(struct transcript *t, FILE *f, int status)
{
	struct adapter_event	*ev;

	adapter_finish(t->adapter, status);
	while ((ev = adapter_next(t->adapter)) != NULL) {
		transcript_event(t, f, ev);
		adapter_event_free(ev);
	}
	transcript_close_delta(t, f);
}
