/*
 * The board: the open sprint as columns, one card per task with its role,
 * latest provider, cost so far, subtask progress and, while it waits on a
 * rate limit, a live countdown.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

#define BOARD_CARD_LINES 4	/* three lines and a gap */
#define BOARD_MIN_WIDTH 16

struct ui_board {
	struct board	 board;
	size_t		*col[BOARD_NCOLS];	/* card indexes, sorted */
	size_t		 ncol[BOARD_NCOLS];
	int		 sel_col;
	size_t		 sel[BOARD_NCOLS];
	size_t		 top[BOARD_NCOLS];
	int64_t		 sel_id;		/* kept across reloads */
	int		 first_col;		/* leftmost column shown */
	int		 shown;			/* columns that fit */
	int		 width;
};

static struct board *board_sort_ctx;

static int
ui_board_cmp(const void *a, const void *b)
{
	const struct board_card	*ca = &board_sort_ctx->cards[*(const size_t *)a];
	const struct board_card	*cb = &board_sort_ctx->cards[*(const size_t *)b];

	if (ca->column == BOARD_COL_DONE || ca->column == BOARD_COL_FAILED)
		return (ca->id < cb->id ? 1 : ca->id > cb->id ? -1 : 0);
	if (ca->priority != cb->priority)
		return (ca->priority - cb->priority);
	return (ca->id < cb->id ? -1 : ca->id > cb->id);
}

static int
ui_board_match(struct board_card *c)
{
	char	id[32];

	if (ui_filter() == NULL)
		return (1);
	snprintf(id, sizeof id, "#%lld", (long long)c->id);
	return (ui_matches(c->title) || ui_matches(c->role) ||
	    ui_matches(c->provider) || ui_matches(id));
}

static struct board_card *
ui_board_selected(struct ui_board *ub)
{
	int	c = ub->sel_col;

	if (ub->ncol[c] == 0)
		return (NULL);
	return (&ub->board.cards[ub->col[c][ub->sel[c]]]);
}

static void
ui_board_clear(struct ui_board *ub)
{
	int	i;

	board_free(&ub->board);
	for (i = 0; i < BOARD_NCOLS; i++) {
		free(ub->col[i]);
		ub->col[i] = NULL;
		ub->ncol[i] = 0;
	}
}

static void
ui_board_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_board));
}

static void
ui_board_close(struct ui_view *v)
{
	struct ui_board	*ub = v->data;

	ui_board_clear(ub);
	free(ub);
}

static void
ui_board_update(struct ui_view *v)
{
	struct ui_board		*ub = v->data;
	struct board_card	*c;
	char			*cause = NULL;
	size_t			 i;
	int			 k, found = 0;

	ui_board_clear(ub);
	if (store_board_load(v->store, &ub->board, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < ub->board.ncards; i++) {
		c = &ub->board.cards[i];
		if (!ui_board_match(c))
			continue;
		k = c->column;
		ub->col[k] = xreallocarray(ub->col[k], ub->ncol[k] + 1,
		    sizeof *ub->col[k]);
		ub->col[k][ub->ncol[k]++] = i;
	}
	board_sort_ctx = &ub->board;
	for (k = 0; k < BOARD_NCOLS; k++) {
		if (ub->ncol[k] > 1)
			qsort(ub->col[k], ub->ncol[k], sizeof *ub->col[k],
			    ui_board_cmp);
		if (ub->sel[k] >= ub->ncol[k])
			ub->sel[k] = ub->ncol[k] > 0 ? ub->ncol[k] - 1 : 0;
	}
	/* Follow the selected task to wherever it moved. */
	for (k = 0; k < BOARD_NCOLS && !found && ub->sel_id != 0; k++) {
		for (i = 0; i < ub->ncol[k]; i++) {
			if (ub->board.cards[ub->col[k][i]].id == ub->sel_id) {
				ub->sel_col = k;
				ub->sel[k] = i;
				found = 1;
				break;
			}
		}
	}
	if (!found && ub->ncol[ub->sel_col] == 0) {
		for (k = 0; k < BOARD_NCOLS; k++) {
			if (ub->ncol[k] > 0) {
				ub->sel_col = k;
				break;
			}
		}
	}
	if ((c = ui_board_selected(ub)) != NULL)
		ub->sel_id = c->id;
}

static void
ui_board_costs(struct ui_view *v)
{
	struct ui_board	*ub = v->data;
	char		*cause = NULL;

	if (ub->board.costs)
		return;
	if (store_board_costs(v->store, &ub->board, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		ub->board.costs = 1;	/* do not ask again until a reload */
	}
	log_debug("%s: costs of %zu cards loaded", __func__, ub->board.ncards);
}

static void
ui_board_card(struct ui_view *v, struct board_card *c, int y, int x, int w,
    int selected, int costs)
{
	char		*line, *cost, *d, id[32];
	enum ui_role	 base = selected ? ROLE_SELECTION : ROLE_DEFAULT;
	int		 idw, cw;
	int64_t		 left;

	snprintf(id, sizeof id, "#%lld ", (long long)c->id);
	idw = (int)strlen(id);
	ui_put(y, x, idw, selected ? ROLE_SELECTION : ROLE_TASK_ID, id);
	ui_put(y, x + idw, w - idw, selected ? ROLE_SELECTION : ROLE_TITLE,
	    c->title);

	if (c->nchildren > 0)
		xasprintf(&line, "%u/%u %s%s%s", c->nchildren_done,
		    c->nchildren, c->role, c->provider != NULL ? " · " : "",
		    c->provider != NULL ? c->provider : "");
	else
		xasprintf(&line, "%s%s%s", c->role, c->provider != NULL ?
		    " · " : "", c->provider != NULL ? c->provider : "");
	ui_put(y + 1, x, w, selected ? ROLE_SELECTION : ROLE_ROLE, line);
	free(line);

	left = c->reset_at - ui_now();
	if (c->reset_at != 0 && left <= 0)
		ui_notify();	/* the limit is over: reload to drop it */
	if (c->reset_at != 0) {
		ui_want_clock();
		d = report_duration(left);
		/* "~": no reset was given; this is baton's estimate. */
		xasprintf(&line, "reset in %s%s", c->reset_estimated ? "~" : "",
		    d);
		free(d);
	} else if (c->column == BOARD_COL_BACKLOG && c->nopen_blockers > 0)
		xasprintf(&line, "waits on %u task%s", c->nopen_blockers,
		    c->nopen_blockers == 1 ? "" : "s");
	else
		line = xstrdup("");
	if (!costs)
		cost = xstrdup("$…");
	else if (c->ncalls > 0)
		cost = report_cost(c->cost, c->ncalls, c->nunknown);
	else
		cost = xstrdup("");
	ui_put(y + 2, x, w, base, "");
	cw = *cost != '\0' ? (int)util_width(cost) + 1 : 0;
	if (cw > 0)
		ui_put(y + 2, x, cw, selected ? ROLE_SELECTION :
		    (c->nunknown > 0 ? ROLE_COST_UNKNOWN : ROLE_COST), cost);
	if (*line != '\0' && cw < w)
		ui_put(y + 2, x + cw, w - cw, selected ? ROLE_SELECTION :
		    (c->reset_at != 0 ? ROLE_COUNTDOWN : ROLE_DIM), line);
	free(cost);
	free(line);
}

static void
ui_board_layout(struct ui_view *v, struct ui_board *ub)
{
	ub->shown = v->sx / BOARD_MIN_WIDTH;
	if (ub->shown > BOARD_NCOLS)
		ub->shown = BOARD_NCOLS;
	if (ub->shown < 1)
		ub->shown = 1;
	if (ub->sel_col < ub->first_col)
		ub->first_col = ub->sel_col;
	if (ub->sel_col >= ub->first_col + ub->shown)
		ub->first_col = ub->sel_col - ub->shown + 1;
	if (ub->first_col + ub->shown > BOARD_NCOLS)
		ub->first_col = BOARD_NCOLS - ub->shown;
	ub->width = v->sx / ub->shown;
}

static void
ui_board_draw(struct ui_view *v)
{
	struct ui_board		*ub = v->data;
	struct board_card	*c;
	char			*line, *cost;
	double			 total = 0;
	u_int			 ncalls = 0, nunknown = 0;
	size_t			 i, fit, n;
	int			 k, x, y, w, slot, rows;

	for (i = 0; i < ub->board.ncards; i++) {
		total += ub->board.cards[i].cost;
		ncalls += ub->board.cards[i].ncalls;
		nunknown += ub->board.cards[i].nunknown;
	}
	if (ub->board.costs)
		cost = report_cost(total, ncalls, nunknown);
	else {
		cost = xstrdup("cost …");
		ui_later(v, ui_board_costs);
	}
	if (ub->board.sprint_id != 0)
		xasprintf(&line, " Sprint %s: %zu tasks, %s", ub->board.sprint_name,
		    ub->board.ncards, cost);
	else
		xasprintf(&line, " No open sprint: the %zu tasks in none, %s",
		    ub->board.ncards, cost);
	ui_put(v->y, v->x, v->sx, ROLE_HEADING, line);
	free(line);
	free(cost);

	if (ub->board.ncards == 0) {
		ui_put(v->y + 2, v->x + 1, v->sx - 1, ROLE_DIM,
		    "Nothing here yet: add a task with 'baton add TITLE' or "
		    "import a plan with 'baton import FILE'.");
		return;
	}

	ui_board_layout(v, ub);
	rows = v->sy - 2;
	fit = rows > 0 ? (size_t)(rows / BOARD_CARD_LINES) : 0;
	if (fit == 0)
		fit = 1;
	for (slot = 0; slot < ub->shown; slot++) {
		k = ub->first_col + slot;
		x = v->x + slot * ub->width;
		w = ub->width - 1;
		xasprintf(&line, "%s (%zu)", board_column_name(k), ub->ncol[k]);
		if ((int)util_width(line) > w) {
			/* "blocked/waiting" becomes "blocked" when narrow. */
			free(line);
			xasprintf(&line, "%.*s (%zu)", (int)strcspn(
			    board_column_name(k), "/"), board_column_name(k),
			    ub->ncol[k]);
		}
		ui_put(v->y + 1, x, w, ROLE_COLUMN, line);
		free(line);
		for (y = v->y + 1; y < v->y + v->sy; y++)
			ui_put(y, x + w, 1, ROLE_BORDER, "│");

		/* Keep the selection inside the visible part. */
		if (ub->sel[k] < ub->top[k])
			ub->top[k] = ub->sel[k];
		if (ub->sel[k] >= ub->top[k] + fit)
			ub->top[k] = ub->sel[k] - fit + 1;
		if (ub->top[k] >= ub->ncol[k])
			ub->top[k] = 0;
		for (n = 0; n < fit && ub->top[k] + n < ub->ncol[k]; n++) {
			i = ub->top[k] + n;
			c = &ub->board.cards[ub->col[k][i]];
			ui_board_card(v, c, v->y + 2 +
			    (int)n * BOARD_CARD_LINES, x, w,
			    k == ub->sel_col && i == ub->sel[k], ub->board.costs);
		}
		if (ub->top[k] + fit < ub->ncol[k])
			ui_put(v->y + v->sy - 1, x, w, ROLE_DIM, "  more ↓");
	}
	if (ub->first_col > 0)
		ui_put(v->y + 1, v->x, 1, ROLE_DIM, "<");
	if (ub->first_col + ub->shown < BOARD_NCOLS)
		ui_put(v->y + 1, v->x + v->sx - 1, 1, ROLE_DIM, ">");
}

static void
ui_board_move_col(struct ui_board *ub, int dir)
{
	int	k = ub->sel_col + dir;

	if (k >= 0 && k < BOARD_NCOLS)
		ub->sel_col = k;
}

static void
ui_board_attach(struct ui_view *v, struct board_card *c)
{
	struct run_info	*runs;
	size_t		 n;
	char		*cause = NULL, *what;

	if (c->run_id == 0) {
		ui_error("#%lld has not run yet", (long long)c->id);
		return;
	}
	if (store_runs_load(v->store, c->id, &runs, &n, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
		return;
	}
	if (n == 0) {
		ui_error("#%lld has no runs any more", (long long)c->id);
		return;
	}
	xasprintf(&what, "run #%lld of #%lld", (long long)runs[n - 1].id,
	    (long long)c->id);
	ui_attach(runs[n - 1].tmux_window, what);
	free(what);
	run_info_free(runs, n);
}

static int
ui_board_click(struct ui_view *v, struct ui_board *ub)
{
	int	my, mx, slot, k, row;
	size_t	i;

	ui_mouse(&my, &mx);
	if (ub->width <= 0 || my < v->y + 2)
		return (0);
	slot = (mx - v->x) / ub->width;
	k = ub->first_col + slot;
	if (slot >= ub->shown || k >= BOARD_NCOLS)
		return (0);
	row = (my - v->y - 2) / BOARD_CARD_LINES;
	i = ub->top[k] + (size_t)row;
	if (i >= ub->ncol[k])
		return (0);
	if (k == ub->sel_col && i == ub->sel[k]) {
		ui_open_task(ub->board.cards[ub->col[k][i]].id);
		return (1);
	}
	ub->sel_col = k;
	ub->sel[k] = i;
	return (1);
}

static int
ui_board_key(struct ui_view *v, enum ui_action action)
{
	struct ui_board		*ub = v->data;
	struct board_card	*c;
	int			 k = ub->sel_col;
	size_t			 page = (size_t)(v->sy - 2) / BOARD_CARD_LINES;

	if (page == 0)
		page = 1;
	switch (action) {
	case UI_UP:
		if (ub->sel[k] > 0)
			ub->sel[k]--;
		break;
	case UI_DOWN:
		if (ub->sel[k] + 1 < ub->ncol[k])
			ub->sel[k]++;
		break;
	case UI_PAGE_UP:
		ub->sel[k] = ub->sel[k] > page ? ub->sel[k] - page : 0;
		break;
	case UI_PAGE_DOWN:
		if (ub->ncol[k] > 0)
			ub->sel[k] = ub->sel[k] + page < ub->ncol[k] ?
			    ub->sel[k] + page : ub->ncol[k] - 1;
		break;
	case UI_HOME:
		ub->sel[k] = 0;
		break;
	case UI_END:
		ub->sel[k] = ub->ncol[k] > 0 ? ub->ncol[k] - 1 : 0;
		break;
	case UI_LEFT:
		ui_board_move_col(ub, -1);
		break;
	case UI_RIGHT:
		ui_board_move_col(ub, 1);
		break;
	case UI_ENTER:
		if ((c = ui_board_selected(ub)) != NULL)
			ui_open_task(c->id);
		break;
	case UI_ATTACH:
		if ((c = ui_board_selected(ub)) != NULL)
			ui_board_attach(v, c);
		break;
	case UI_CLICK:
		ui_board_click(v, ub);
		break;
	default:
		return (0);
	}
	if ((c = ui_board_selected(ub)) != NULL)
		ub->sel_id = c->id;
	ui_redraw();
	return (1);
}

const struct ui_view_ops ui_board_ops = {
	.name = "board",
	.open = ui_board_open,
	.close = ui_board_close,
	.draw = ui_board_draw,
	.key = ui_board_key,
	.resize = NULL,
	.update = ui_board_update,
};
