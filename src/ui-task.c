/*
 * Task detail: the description, dependencies both ways, subtasks, every run
 * with its outcome, the per-call ledger, the newest events of each run, and
 * the branch and worktree. One scrolling page.
 */

#include <stdlib.h>
#include <string.h>

#include "baton.h"

#define TASK_EVENTS_PER_RUN 50
/* How much of a run's answer the task view quotes. */
#define UI_TASK_ANSWER 300

struct ui_task {
	struct text	 text;
	size_t		 top;
	char		*window;	/* latest run's tmux window */
	int64_t		 run_id;
};

static void
ui_task_open(struct ui_view *v)
{
	v->data = xcalloc(1, sizeof (struct ui_task));
}

static void
ui_task_close(struct ui_view *v)
{
	struct ui_task	*ut = v->data;

	text_free(&ut->text);
	free(ut->window);
	free(ut);
}

/* What the task's branch changed since it left main. */
static void
ui_task_diffstat(struct text *t, const char *branch)
{
	struct diffstat	 ds;
	char		*cause = NULL;
	size_t		 i;

	text_add(t, TEXT_HEADING, "Work on %s", branch);
	if (ui_repository() == NULL ||
	    gitc_diffstat(ui_repository(), branch, &ds, &cause) != 0) {
		text_add(t, TEXT_DIM, "  %s", cause != NULL ? cause :
		    "no repository");
		free(cause);
	} else {
		if (ds.nlines == 0)
			text_add(t, TEXT_DIM, "  no changes yet");
		for (i = 0; i < ds.nlines; i++)
			text_add(t, TEXT_PLAIN, "  %s", ds.lines[i]);
		diffstat_free(&ds);
	}
	text_add(t, TEXT_PLAIN, "%s", "");
}

/* One line per related task: "#3 [done] title". */
static void
ui_task_refs(struct ui_view *v, struct text *t, const char *heading,
    int64_t *ids, size_t n)
{
	struct task	*other;
	char		*cause = NULL;
	size_t		 i;

	text_add(t, TEXT_HEADING, "%s (%zu)", heading, n);
	if (n == 0)
		text_add(t, TEXT_DIM, "  none");
	for (i = 0; i < n; i++) {
		if ((other = store_task_get(v->store, ids[i], &cause)) == NULL) {
			text_add(t, TEXT_BAD, "  #%lld (missing)",
			    (long long)ids[i]);
			free(cause);
			cause = NULL;
			continue;
		}
		text_add(t, other->state == TASK_DONE ? TEXT_GOOD : TEXT_PLAIN,
		    "  #%lld [%s] %s", (long long)other->id,
		    task_state_name(other->state), other->title);
		task_free(other);
	}
	text_add(t, TEXT_PLAIN, "%s", "");
}

/* A run that did not do the task's own work says what it was for. */
static const char *
ui_task_purpose(struct run_info *ri)
{
	if (ri->purpose == NULL || strcmp(ri->purpose, "work") == 0)
		return ("");
	return (ri->purpose);
}

static void
ui_task_runs(struct ui_view *v, struct ui_task *ut, struct text *t)
{
	struct run_info		*runs;
	struct call_info	*calls;
	struct event_info	*events;
	size_t			 nruns, ncalls, nevents, i, j;
	char			*cause = NULL, *at, *cost, *d, *sum, *line;

	if (store_runs_load(v->store, v->arg, &runs, &nruns, &cause) != 0) {
		text_add(t, TEXT_BAD, "runs: %s", cause);
		free(cause);
		return;
	}
	text_add(t, TEXT_HEADING, "Runs (%zu)", nruns);
	if (nruns == 0)
		text_add(t, TEXT_DIM, "  none yet");
	for (i = 0; i < nruns; i++) {
		at = util_time(runs[i].started_at);
		d = report_duration((runs[i].ended_at != 0 ? runs[i].ended_at :
		    ui_now()) - runs[i].started_at);
		cost = report_cost(runs[i].cost, runs[i].ncalls,
		    runs[i].nunknown);
		text_add(t, runs[i].outcome != NULL &&
		    strcmp(runs[i].outcome, "success") != 0 ? TEXT_WARN :
		    TEXT_PLAIN, "  run %lld  attempt %d  %s%s%s  %s/%s/%s  %s  "
		    "%s  %s  outcome %s", (long long)runs[i].id,
		    runs[i].attempt, ui_task_purpose(&runs[i]),
		    *ui_task_purpose(&runs[i]) != '\0' ? "  " : "",
		    runs[i].state, runs[i].role != NULL ? runs[i].role : "-",
		    runs[i].provider != NULL ? runs[i].provider : "-",
		    runs[i].model != NULL ? runs[i].model : "-", at, d, cost,
		    runs[i].outcome != NULL ? runs[i].outcome : "-");
		if (runs[i].has_exit)
			text_add(t, TEXT_DIM, "    exit status %d",
			    runs[i].exit_status);
		if (runs[i].tmux_window != NULL)
			text_add(t, TEXT_DIM, "    tmux window %s",
			    runs[i].tmux_window);
		if (runs[i].answer != NULL && *runs[i].answer != '\0') {
			/* A cut character shows as \xNN, never as garbage. */
			line = util_vis(runs[i].answer, UI_TASK_ANSWER);
			text_add(t, TEXT_DIM, "    answer: %s", line);
			free(line);
		}
		free(cost);
		free(d);
		free(at);
	}
	if (nruns > 0) {
		free(ut->window);
		ut->window = runs[nruns - 1].tmux_window != NULL ?
		    xstrdup(runs[nruns - 1].tmux_window) : NULL;
		ut->run_id = runs[nruns - 1].id;
	}
	text_add(t, TEXT_PLAIN, "%s", "");

	if (store_calls_load(v->store, v->arg, &calls, &ncalls, &cause) != 0) {
		text_add(t, TEXT_BAD, "calls: %s", cause);
		free(cause);
		cause = NULL;
		ncalls = 0;
		calls = NULL;
	}
	text_add(t, TEXT_HEADING, "Calls (%zu)", ncalls);
	if (ncalls > 0)
		text_add(t, TEXT_DIM, "  %-16s %5s %-22s %9s %9s %9s %9s %10s",
		    "TIME", "RUN", "MODEL", "IN", "CACHE RD", "CACHE WR", "OUT",
		    "COST");
	for (i = 0; i < ncalls; i++) {
		at = util_time(calls[i].at);
		if (calls[i].cost_known)
			xasprintf(&cost, "$%.4f", calls[i].cost);
		else
			cost = xstrdup("unknown");
		text_add(t, calls[i].cost_known ? TEXT_COST : TEXT_WARN,
		    "  %-16s %5lld %-22.22s %9lld %9lld %9lld %9lld %10s", at,
		    (long long)calls[i].run_id, calls[i].model != NULL ?
		    calls[i].model : "-", (long long)calls[i].tokens_in,
		    (long long)calls[i].tokens_cache_read,
		    (long long)calls[i].tokens_cache_write,
		    (long long)calls[i].tokens_out, cost);
		free(cost);
		free(at);
	}
	call_info_free(calls, ncalls);
	text_add(t, TEXT_PLAIN, "%s", "");

	for (i = 0; i < nruns; i++) {
		if (store_events_load(v->store, runs[i].id, TASK_EVENTS_PER_RUN,
		    &events, &nevents, &cause) != 0) {
			text_add(t, TEXT_BAD, "events: %s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		text_add(t, TEXT_HEADING, "Events of run %lld (newest %zu)",
		    (long long)runs[i].id, nevents);
		for (j = 0; j < nevents; j++) {
			at = util_time(events[j].at);
			sum = event_summary(events[j].kind, events[j].data);
			line = util_vis(sum, 512);
			/* Only the time of day: "YYYY-MM-DD HH:MM" or "-". */
			text_add(t, strcmp(events[j].kind, "error") == 0 ?
			    TEXT_BAD : TEXT_PLAIN, "  %s %-10s %s",
			    strlen(at) > 11 ? at + 11 : at, events[j].kind, line);
			free(line);
			free(sum);
			free(at);
		}
		event_info_free(events, nevents);
		text_add(t, TEXT_PLAIN, "%s", "");
	}
	run_info_free(runs, nruns);
}

static void
ui_task_update(struct ui_view *v)
{
	struct ui_task	*ut = v->data;
	struct text	*t = &ut->text;
	struct task	*task;
	int64_t		*ids;
	size_t		 n;
	char		*cause = NULL, *body, *line, *next, *at;

	text_free(t);
	if ((task = store_task_get(v->store, v->arg, &cause)) == NULL) {
		text_add(t, TEXT_BAD, "task #%lld: %s", (long long)v->arg,
		    cause != NULL ? cause : "not found");
		free(cause);
		return;
	}
	text_add(t, TEXT_HEADING, "#%lld %s", (long long)task->id, task->title);
	at = util_time(task->created_at);
	text_add(t, TEXT_PLAIN, "state %s · role %s · priority P%d · created %s",
	    task_state_name(task->state), task->role, task->priority, at);
	free(at);
	if (task->reason != NULL)
		text_add(t, TEXT_WARN, "reason: %s", task->reason);
	text_add(t, TEXT_PLAIN, "branch %s · worktree %s",
	    task->branch != NULL ? task->branch : "-",
	    task->worktree != NULL ? task->worktree : "-");
	if (task->parent_id != 0)
		text_add(t, TEXT_PLAIN, "subtask of #%lld",
		    (long long)task->parent_id);
	text_add(t, TEXT_PLAIN, "%s", "");
	if (task->branch != NULL)
		ui_task_diffstat(t, task->branch);

	text_add(t, TEXT_HEADING, "Description");
	if (*task->body == '\0')
		text_add(t, TEXT_DIM, "  (none)");
	body = xstrdup(task->body);
	for (next = body; (line = strsep(&next, "\n")) != NULL;) {
		if (next == NULL && *line == '\0')
			break;
		text_add(t, TEXT_PLAIN, "  %s", line);
	}
	free(body);
	text_add(t, TEXT_PLAIN, "%s", "");

	ui_task_refs(v, t, "Blocked by", task->blocked_by, task->nblocked_by);
	if (store_task_blocks(v->store, task->id, &ids, &n, &cause) == 0) {
		ui_task_refs(v, t, "Blocks", ids, n);
		free(ids);
	} else {
		free(cause);
		cause = NULL;
	}
	if (store_task_children(v->store, task->id, &ids, &n, &cause) == 0) {
		if (n > 0)
			ui_task_refs(v, t, "Subtasks", ids, n);
		free(ids);
	} else
		free(cause);
	task_free(task);
	ui_task_runs(v, ut, t);
}

static void
ui_task_draw(struct ui_view *v)
{
	struct ui_task	*ut = v->data;

	if (ut->top >= ut->text.n)
		ut->top = 0;
	ui_text_draw(v, &ut->text, ut->top);
}

static int
ui_task_key(struct ui_view *v, enum ui_action action)
{
	struct ui_task	*ut = v->data;
	char		*what;

	if (action == UI_ATTACH) {
		if (ut->run_id == 0) {
			ui_error("#%lld has not run yet", (long long)v->arg);
			return (1);
		}
		xasprintf(&what, "run #%lld", (long long)ut->run_id);
		ui_attach(ut->window, what);
		free(what);
		return (1);
	}
	return (ui_text_key(v, &ut->text, &ut->top, action));
}

const struct ui_view_ops ui_task_ops = {
	.name = "task",
	.open = ui_task_open,
	.close = ui_task_close,
	.draw = ui_task_draw,
	.key = ui_task_key,
	.resize = NULL,
	.update = ui_task_update,
};
