/*
 * Live runs: one card per active run with what it is doing, what it has
 * said last, its tokens and cost, and how long it has run. When the cards
 * do not fit, a compact table of one line per run takes their place.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

#define LIVE_CARD_LINES 9	/* eight lines and a gap */
#define LIVE_CARD_WIDTH 56	/* narrower than this: one card a row */

struct ui_live {
	struct run_info	*runs;
	size_t		 nruns;
	size_t		*shown;		/* indexes that pass the filter */
	size_t		 nshown;
	size_t		 sel;
	size_t		 top;
	int64_t		 sel_id;
	int		 compact;
	int		 per_row;
};

static void
ui_live_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_live));
}

static void
ui_live_clear(struct ui_live *ul)
{
	run_info_free(ul->runs, ul->nruns);
	free(ul->shown);
	ul->runs = NULL;
	ul->shown = NULL;
	ul->nruns = ul->nshown = 0;
}

static void
ui_live_close(struct ui_view *v)
{
	ui_live_clear(v->data);
	free(v->data);
}

static void
ui_live_update(struct ui_view *v)
{
	struct ui_live	*ul = v->data;
	struct run_info	*ri;
	char		*cause = NULL;
	size_t		 i;

	ui_live_clear(ul);
	if (store_runs_load(v->store, 0, &ul->runs, &ul->nruns, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		return;
	}
	ul->shown = xreallocarray(NULL, ul->nruns + 1, sizeof *ul->shown);
	for (i = 0; i < ul->nruns; i++) {
		ri = &ul->runs[i];
		if (ui_filter() != NULL && !ui_matches(ri->task_title) &&
		    !ui_matches(ri->role) && !ui_matches(ri->provider) &&
		    !ui_matches(ri->model))
			continue;
		if (ri->id == ul->sel_id)
			ul->sel = ul->nshown;
		ul->shown[ul->nshown++] = i;
	}
	if (ul->sel >= ul->nshown)
		ul->sel = ul->nshown > 0 ? ul->nshown - 1 : 0;
}

static enum ui_role
ui_live_state_role(struct run_info *ri)
{
	if (ri->reset_at != 0)
		return (ROLE_RUN_WAITING);
	if (ri->state != NULL && strcmp(ri->state, "starting") == 0)
		return (ROLE_RUN_STARTING);
	return (ROLE_RUN_RUNNING);
}

static char *
ui_live_tokens(struct run_info *ri)
{
	char	*in, *cache, *out, *s;

	in = report_tokens(ri->tokens_in);
	cache = report_tokens(ri->tokens_cache);
	out = report_tokens(ri->tokens_out);
	xasprintf(&s, "%s in · %s cached · %s out", in, cache, out);
	free(out);
	free(cache);
	free(in);
	return (s);
}

static char *
ui_live_costs(struct run_info *ri)
{
	char	*s, *next, *one, *total;
	u_int	 i;

	s = xstrdup(ri->nlast > 0 ? "last" : "no calls yet");
	for (i = 0; i < ri->nlast; i++) {
		if (ri->last_cost[i] < 0)
			one = xstrdup("unknown");
		else
			one = report_cost(ri->last_cost[i], 1, 0);
		xasprintf(&next, "%s %s", s, one);
		free(one);
		free(s);
		s = next;
	}
	total = report_cost(ri->cost, ri->ncalls, ri->nunknown);
	xasprintf(&next, "%s · total %s", s, total);
	free(total);
	free(s);
	return (next);
}

static void
ui_live_card(struct run_info *ri, int y, int x, int w, int selected)
{
	char		*line, *elapsed, *tokens, *costs, *d, *retry;
	enum ui_role	 base = selected ? ROLE_SELECTION : ROLE_DEFAULT;
	u_int		 i, first;

	xasprintf(&line, "run %lld  #%lld %s", (long long)ri->id,
	    (long long)ri->task_id, ri->task_title != NULL ?
	    ri->task_title : "(no task)");
	ui_put(y, x, w - 10, selected ? ROLE_SELECTION : ROLE_TITLE, line);
	free(line);
	ui_put(y, x + w - 10, 10, selected ? ROLE_SELECTION :
	    ui_live_state_role(ri), ri->reset_at != 0 ? "waiting" : ri->state);

	elapsed = report_duration(ui_now() - ri->started_at);
	if (ri->attempt > 1)
		xasprintf(&retry, " · retry %d", ri->attempt - 1);
	else
		retry = xstrdup("");
	xasprintf(&line, "%s · %s/%s · %s%s", ri->role != NULL ? ri->role :
	    "-", ri->provider != NULL ? ri->provider : "-", ri->model != NULL ?
	    ri->model : "-", elapsed, retry);
	free(retry);
	ui_put(y + 1, x, w, selected ? ROLE_SELECTION : ROLE_PROVIDER, line);
	free(line);
	free(elapsed);

	xasprintf(&line, "tool: %s", ri->tool != NULL ? ri->tool : "-");
	ui_put(y + 2, x, w, selected ? ROLE_SELECTION : ROLE_TOOL, line);
	free(line);
	first = ri->nlines > 2 ? ri->nlines - 2 : 0;
	for (i = 0; i < 2; i++)
		ui_put(y + 3 + (int)i, x, w, base, first + i < ri->nlines ?
		    ri->lines[first + i] : "");
	tokens = ui_live_tokens(ri);
	ui_put(y + 5, x, w, base, tokens);
	free(tokens);
	costs = ui_live_costs(ri);
	ui_put(y + 6, x, w, selected ? ROLE_SELECTION : ROLE_COST, costs);
	free(costs);

	if (ri->reset_at != 0 && ri->reset_at <= ui_now())
		ui_notify();	/* the limit is over: reload to drop it */
	if (ri->reset_at != 0) {
		d = report_duration(ri->reset_at - ui_now());
		xasprintf(&line, "rate limited: reset in %s%s",
		    ri->reset_estimated ? "~" : "", d);
		free(d);
		ui_put(y + 7, x, w, ROLE_COUNTDOWN, line);
		free(line);
	} else if (ri->error != NULL) {
		xasprintf(&line, "error: %s", ri->error);
		ui_put(y + 7, x, w, ROLE_ERROR, line);
		free(line);
	} else
		ui_put(y + 7, x, w, base, "");
}

static void
ui_live_row(struct run_info *ri, int y, int x, int w, int selected)
{
	char	*line, *elapsed, *cost, *in, *out, *extra;

	elapsed = report_duration(ui_now() - ri->started_at);
	cost = report_cost(ri->cost, ri->ncalls, ri->nunknown);
	in = report_tokens(ri->tokens_in);
	out = report_tokens(ri->tokens_out);
	if (ri->reset_at != 0) {
		extra = report_duration(ri->reset_at - ui_now());
		line = extra;
		xasprintf(&extra, "reset in %s%s", ri->reset_estimated ? "~" :
		    "", line);
		free(line);
	} else if (ri->error != NULL)
		xasprintf(&extra, "error: %s", ri->error);
	else
		xasprintf(&extra, "%s", ri->tool != NULL ? ri->tool : "");
	xasprintf(&line, "%5lld %5lld %-8.8s %-10.10s %-14.14s %7s %6s/%-6s "
	    "%15s %-24.24s %s", (long long)ri->id, (long long)ri->task_id,
	    ri->reset_at != 0 ? "waiting" : ri->state,
	    ri->role != NULL ? ri->role : "-",
	    ri->provider != NULL ? ri->provider : "-", elapsed, in, out, cost,
	    ri->task_title != NULL ? ri->task_title : "", extra);
	ui_put(y, x, w, selected ? ROLE_SELECTION : (ri->reset_at != 0 ?
	    ROLE_RUN_WAITING : ri->error != NULL ? ROLE_RUN_FAILED :
	    ROLE_DEFAULT), line);
	free(line);
	free(extra);
	free(out);
	free(in);
	free(cost);
	free(elapsed);
}

static void
ui_live_draw(struct ui_view *v)
{
	struct ui_live	*ul = v->data;
	char		*line;
	size_t		 i, fit, rows_needed;
	int		 w, row, col;

	xasprintf(&line, " %zu active run%s", ul->nshown, ul->nshown == 1 ?
	    "" : "s");
	ui_put(v->y, v->x, v->sx, ROLE_HEADING, line);
	free(line);
	if (ul->nshown == 0) {
		ui_put(v->y + 2, v->x + 1, v->sx - 1, ROLE_DIM,
		    "No agent is running now.");
		return;
	}
	ui_want_clock();

	ul->per_row = v->sx / LIVE_CARD_WIDTH;
	if ((size_t)ul->per_row > ul->nshown)
		ul->per_row = (int)ul->nshown;
	if (ul->per_row < 1)
		ul->per_row = 1;
	rows_needed = (ul->nshown + (size_t)ul->per_row - 1) /
	    (size_t)ul->per_row;
	ul->compact = (int)rows_needed * LIVE_CARD_LINES > v->sy - 1;

	if (ul->compact) {
		xasprintf(&line, "%5s %5s %-8s %-10s %-14s %7s %13s %15s %-24s "
		    "%s", "RUN", "TASK", "STATE", "ROLE", "PROVIDER", "ELAPSED",
		    "TOKENS IN/OUT", "COST", "TITLE", "NOW");
		ui_put(v->y + 1, v->x, v->sx, ROLE_COLUMN, line);
		free(line);
		fit = v->sy > 2 ? (size_t)v->sy - 2 : 1;
		if (ul->sel < ul->top)
			ul->top = ul->sel;
		if (ul->sel >= ul->top + fit)
			ul->top = ul->sel - fit + 1;
		for (i = 0; i < fit && ul->top + i < ul->nshown; i++)
			ui_live_row(&ul->runs[ul->shown[ul->top + i]],
			    v->y + 2 + (int)i, v->x, v->sx,
			    ul->top + i == ul->sel);
		return;
	}
	ul->top = 0;
	w = v->sx / ul->per_row;
	for (i = 0; i < ul->nshown; i++) {
		row = (int)i / ul->per_row;
		col = (int)i % ul->per_row;
		ui_live_card(&ul->runs[ul->shown[i]], v->y + 1 +
		    row * LIVE_CARD_LINES, v->x + col * w, w - 1, i == ul->sel);
	}
}

static int
ui_live_key(struct ui_view *v, enum ui_action action)
{
	struct ui_live	*ul = v->data;
	struct run_info	*ri;
	size_t		 step = ul->compact ? 1 : (size_t)ul->per_row, n;
	int		 my, mx, w;
	char		*what;

	switch (action) {
	case UI_UP:
		ul->sel = ul->sel >= step ? ul->sel - step : ul->sel;
		break;
	case UI_DOWN:
		if (ul->sel + step < ul->nshown)
			ul->sel += step;
		break;
	case UI_LEFT:
		if (ul->sel > 0)
			ul->sel--;
		break;
	case UI_RIGHT:
		if (ul->sel + 1 < ul->nshown)
			ul->sel++;
		break;
	case UI_PAGE_UP:
		ul->sel = ul->sel > 10 ? ul->sel - 10 : 0;
		break;
	case UI_PAGE_DOWN:
		if (ul->nshown > 0)
			ul->sel = ul->sel + 10 < ul->nshown ? ul->sel + 10 :
			    ul->nshown - 1;
		break;
	case UI_HOME:
		ul->sel = 0;
		break;
	case UI_END:
		ul->sel = ul->nshown > 0 ? ul->nshown - 1 : 0;
		break;
	case UI_ENTER:
		if (ul->nshown > 0 &&
		    (ri = &ul->runs[ul->shown[ul->sel]])->task_id != 0)
			ui_open_task(ri->task_id);
		break;
	case UI_ATTACH:
		if (ul->nshown > 0) {
			ri = &ul->runs[ul->shown[ul->sel]];
			xasprintf(&what, "run #%lld", (long long)ri->id);
			ui_attach(ri->tmux_window, what);
			free(what);
		}
		break;
	case UI_CLICK:
		ui_mouse(&my, &mx);
		if (ul->compact) {
			if (my >= v->y + 2 && ul->top + (size_t)(my - v->y - 2) <
			    ul->nshown)
				ul->sel = ul->top + (size_t)(my - v->y - 2);
		} else if (my > v->y) {
			w = v->sx / ul->per_row;
			n = (size_t)((my - v->y - 1) / LIVE_CARD_LINES) *
			    (size_t)ul->per_row + (size_t)((mx - v->x) / w);
			if (n < ul->nshown)
				ul->sel = n;
		}
		break;
	default:
		return (0);
	}
	if (ul->nshown > 0)
		ul->sel_id = ul->runs[ul->shown[ul->sel]].id;
	ui_redraw();
	return (1);
}

const struct ui_view_ops ui_live_ops = {
	.name = "live",
	.open = ui_live_open,
	.close = ui_live_close,
	.draw = ui_live_draw,
	.key = ui_live_key,
	.resize = NULL,
	.update = ui_live_update,
};
