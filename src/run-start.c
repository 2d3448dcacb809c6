/*
 * Starting a run: what 'baton start' and the scheduler share. The task's
 * worktree is made or healed, the run is recorded together with the task
 * going to running (so a baton killed at any point never starts the same
 * work twice), run.json is written for the shim, and a window on baton's
 * tmux server runs 'baton agent RUN'.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

/* Write run.json, which is all the shim needs to know. */
static int
run_write_json(struct repo *repo, struct run *r, const char *cwd,
    char *const *argv, int inbox, char **cause)
{
	cJSON	*obj, *array;
	char	*path, *text;
	int	 rc;

	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "run", (double)r->id);
	cJSON_AddNumberToObject(obj, "task", (double)r->task_id);
	array = cJSON_AddArrayToObject(obj, "argv");
	for (; *argv != NULL; argv++)
		cJSON_AddItemToArray(array, json_string(*argv));
	cJSON_AddStringToObject(obj, "cwd", cwd);
	cJSON_AddStringToObject(obj, "format", r->format);
	cJSON_AddStringToObject(obj, "stdin", inbox ? "inbox" : "null");
	text = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);

	path = repo_run_file(repo, r->id, "run.json");
	rc = util_write_file(path, text, strlen(text), cause);
	free(path);
	free(text);
	return (rc);
}

/* The run was recorded but never started: say why and give the task back. */
static void
run_start_failed(struct store *s, struct run *r, struct task *t,
    enum task_state was, const char *why)
{
	char	*ignore = NULL;

	r->state = RUN_INTERRUPTED;
	r->log_done = 1;
	free(r->outcome);
	xasprintf(&r->outcome, "could not start: %s", why);
	r->ended_at = store_now();
	t->state = was;
	if (store_begin(s, &ignore) == 0 &&
	    store_run_update(s, r, &ignore) == 0 &&
	    store_task_update(s, t, &ignore) == 0)
		store_commit(s, &ignore);
	else
		store_rollback(s);
	free(ignore);
}

/*
 * Start a run of task t as spec says. On success the run is filled in
 * (free its strings with run_clear) and the task is running.
 */
int
run_start(struct repo *repo, struct store *s, struct task *t,
    const struct run_spec *spec, struct run *r, struct worktree_log *log,
    char **cause)
{
	enum task_state	 was = t->state;
	const char	**env, *shim[4];
	char		 *self = NULL, *name = NULL, *dir = NULL, *path;
	char		 *vars[6], id[32];
	size_t		  nenv = 0, n, i;
	int		  rc = -1;

	memset(r, 0, sizeof *r);
	r->exit_status = -1;
	if (task_state_is_final(t->state)) {
		xasprintf(cause, "#%lld is %s: there is nothing to run",
		    (long long)t->id, task_state_name(t->state));
		return (-1);
	}

	/*
	 * The agent works in the task's own worktree, made or healed first:
	 * without one there is nothing to start.
	 */
	if (!spec->have_worktree &&
	    gitc_worktree_ensure(repo, t, log, cause) != 0)
		return (-1);

	/* Record the run and the task's new state first, in one go. */
	r->task_id = t->id;
	r->attempt = spec->attempt > 0 ? spec->attempt :
	    store_task_nruns(s, t->id) + 1;
	r->role = xstrdup(spec->role != NULL ? spec->role : t->role);
	r->provider = spec->provider != NULL ? xstrdup(spec->provider) : NULL;
	r->model = spec->model != NULL ? xstrdup(spec->model) : NULL;
	r->format = xstrdup(spec->format != NULL ? spec->format : "text");
	r->agent_session = spec->session != NULL ? xstrdup(spec->session) :
	    NULL;
	r->state = RUN_STARTING;
	r->purpose = spec->purpose;
	if (t->state == TASK_BACKLOG || t->state == TASK_READY ||
	    t->state == TASK_WAITING || t->state == TASK_BLOCKED)
		t->state = TASK_RUNNING;
	t->not_before = 0;
	if (store_begin(s, cause) != 0) {
		t->state = was;
		return (-1);
	}
	if (store_run_add(s, r, cause) == -1) {
		store_rollback(s);
		t->state = was;
		return (-1);
	}
	r->log_path = repo_run_file(repo, r->id, "stream.jsonl");
	if (store_run_update(s, r, cause) != 0 ||
	    store_task_update_cas(s, t, cause) != 0 ||
	    store_commit(s, cause) != 0) {
		store_rollback(s);
		t->state = was;
		return (-1);
	}

	dir = repo_run_dir(repo, r->id);
	if (util_mkdir_p(dir, 0700, cause) != 0 ||
	    run_write_json(repo, r, t->worktree, spec->argv, spec->inbox,
	    cause) != 0)
		goto fail;
	/* Who is starting it: if that process dies first, nobody will. */
	snprintf(id, sizeof id, "%ld\n", (long)getpid());
	path = repo_run_file(repo, r->id, "starter");
	rc = util_write_file(path, id, strlen(id), cause);
	free(path);
	if (rc != 0)
		goto fail;
	rc = -1;
	if (spec->prompt != NULL) {
		path = repo_run_file(repo, r->id, "prompt.md");
		rc = util_write_file(path, spec->prompt, strlen(spec->prompt),
		    cause);
		free(path);
		if (rc != 0)
			goto fail;
		rc = -1;
	}

	self = util_self_path();
	snprintf(id, sizeof id, "%lld", (long long)r->id);
	xasprintf(&name, "T%lld-r%lld", (long long)t->id, (long long)r->id);
	n = 0;
	xasprintf(&vars[n++], "BATON_RUN=%lld", (long long)r->id);
	xasprintf(&vars[n++], "BATON_TASK=%lld", (long long)t->id);
	xasprintf(&vars[n++], "BATON_ATTEMPT=%d", r->attempt);
	xasprintf(&vars[n++], "BATON_DIR=%s", repo->dir);
	if (spec->checkpoint != NULL)
		xasprintf(&vars[n++], "BATON_CHECKPOINT=%s", spec->checkpoint);
	while (spec->env != NULL && spec->env[nenv] != NULL)
		nenv++;
	env = xcalloc(n + nenv + 1, sizeof *env);
	for (i = 0; i < nenv; i++)
		env[i] = spec->env[i];
	for (i = 0; i < n; i++)
		env[nenv + i] = vars[i];
	shim[0] = self;
	shim[1] = "agent";
	shim[2] = id;
	shim[3] = NULL;
	rc = tmux_new_window(repo, name, t->worktree, env, shim,
	    &r->tmux_window, &r->tmux_pane, cause);
	free(env);
	for (i = 0; i < n; i++)
		free(vars[i]);
	if (rc != 0)
		goto fail;

	r->state = RUN_RUNNING;
	if (store_run_set_window(s, r->id, r->tmux_window, r->tmux_pane,
	    cause) != 0) {
		/* Nothing may run that the store does not know of. */
		const char	*kill_argv[] = { "kill-window", "-t",
		    r->tmux_window, NULL };
		char		*ignore = NULL;

		if (tmux_command(repo, kill_argv, NULL, &ignore) != 0)
			free(ignore);
		goto fail;
	}
	log_debug("%s: run %lld of #%lld in %s", __func__, (long long)r->id,
	    (long long)t->id, r->tmux_window);
	rc = 0;
	goto out;

fail:
	run_start_failed(s, r, t, was, *cause);
	rc = -1;
out:
	free(self);
	free(name);
	free(dir);
	return (rc);
}
