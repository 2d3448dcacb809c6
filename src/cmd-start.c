/* start, stop, attach, send, runs and tmux: agent runs in tmux windows. */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "baton.h"

static int	cmd_start_exec(struct cmd_ctx *, int, char **);
static int	cmd_stop_exec(struct cmd_ctx *, int, char **);
static int	cmd_attach_exec(struct cmd_ctx *, int, char **);
static int	cmd_send_exec(struct cmd_ctx *, int, char **);
static int	cmd_runs_exec(struct cmd_ctx *, int, char **);
static int	cmd_tmux_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_start_entry = {
	.name = "start",
	.alias = NULL,
	.usage = "N [--format F] [--stdin inbox] [--role R] [--provider P] "
	    "[--model M] [--json] -- ARGV...",
	.doc = "Start a run of task N: ARGV runs (never through a shell) in a "
	    "new window of baton's tmux server.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_start_exec,
};

const struct cmd_entry cmd_stop_entry = {
	.name = "stop",
	.alias = NULL,
	.usage = "N",
	.doc = "Stop task N's running agent (SIGTERM, then SIGKILL after 10 "
	    "seconds); its log is kept.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_stop_exec,
};

const struct cmd_entry cmd_attach_entry = {
	.name = "attach",
	.alias = NULL,
	.usage = "N [--run R]",
	.doc = "Go to the tmux window of task N's latest run (or run R); leave "
	    "it to come back.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_attach_exec,
};

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.alias = NULL,
	.usage = "N TEXT",
	.doc = "Send a follow-up message to task N's running agent (runs "
	    "started with --stdin inbox).",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_send_exec,
};

const struct cmd_entry cmd_runs_entry = {
	.name = "runs",
	.alias = NULL,
	.usage = "[N] [--json]",
	.doc = "List runs, all of them or task N's.",
	.flags = CMD_REPO|CMD_STORE,
	.exec = cmd_runs_exec,
};

const struct cmd_entry cmd_tmux_entry = {
	.name = "tmux",
	.alias = NULL,
	.usage = "[TMUX-ARGS...]",
	.doc = "Run a tmux command on baton's server for this repository, as "
	    "in 'baton tmux ls'.",
	.flags = CMD_REPO,
	.exec = cmd_tmux_exec,
};

/* The stable JSON shape of a run (doc/json.md). */
static cJSON *
run_to_json(struct run *r)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "id", (double)r->id);
	cJSON_AddNumberToObject(obj, "task", (double)r->task_id);
	cJSON_AddNumberToObject(obj, "attempt", r->attempt);
	cJSON_AddStringToObject(obj, "state", run_state_name(r->state));
	cJSON_AddItemToObject(obj, "role", json_string(r->role));
	cJSON_AddItemToObject(obj, "provider", json_string(r->provider));
	cJSON_AddItemToObject(obj, "model", json_string(r->model));
	cJSON_AddItemToObject(obj, "format", json_string(r->format));
	cJSON_AddItemToObject(obj, "session", json_string(r->agent_session));
	cJSON_AddItemToObject(obj, "window", json_string(r->tmux_window));
	cJSON_AddItemToObject(obj, "pane", json_string(r->tmux_pane));
	cJSON_AddItemToObject(obj, "log", json_string(r->log_path));
	cJSON_AddNumberToObject(obj, "log_offset", (double)r->log_offset);
	if (r->exit_status == -1)
		cJSON_AddNullToObject(obj, "exit_status");
	else
		cJSON_AddNumberToObject(obj, "exit_status", r->exit_status);
	cJSON_AddItemToObject(obj, "outcome", json_string(r->outcome));
	cJSON_AddStringToObject(obj, "purpose", run_purpose_name(r->purpose));
	cJSON_AddItemToObject(obj, "answer", json_string(r->answer));
	cJSON_AddNumberToObject(obj, "started_at", (double)r->started_at);
	cJSON_AddItemToObject(obj, "ended_at", json_opt_id(r->ended_at));
	return (obj);
}

/* A stored run as JSON, with what its stream said stopped it. */
static cJSON *
run_with_verdict(struct store *s, struct run *r)
{
	struct run_verdict	 v;
	cJSON			*obj;
	char			*cause = NULL, *reason;

	obj = run_to_json(r);
	if (store_run_verdict(s, r->id, &v, &cause) != 0) {
		free(cause);
		return (obj);
	}
	cJSON_AddNumberToObject(obj, "denied", v.ndenied);
	cJSON_AddItemToObject(obj, "first_denied", json_string(v.denied));
	cJSON_AddItemToObject(obj, "failure", json_string(v.failure));
	reason = run_verdict_reason(&v);
	cJSON_AddItemToObject(obj, "stream_reason", json_string(reason));
	free(reason);
	if (v.limited) {
		cJSON_AddStringToObject(obj, "limited", v.limited ==
		    RATELIMIT_AUTH ? "auth" : "limit");
		cJSON_AddItemToObject(obj, "reset_at", json_opt_id(v.reset_at));
		cJSON_AddBoolToObject(obj, "reset_estimated",
		    v.reset_estimated);
	} else
		cJSON_AddNullToObject(obj, "limited");
	run_verdict_free(&v);
	return (obj);
}

static int
check_word(const char *what, const char *s, char **cause)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			continue;
		break;
	}
	if (*s == '\0' || *p != '\0' || strlen(s) > 64) {
		xasprintf(cause, "bad %s: %s (use a-z, 0-9, '-', '_', '.')",
		    what, s);
		return (-1);
	}
	return (0);
}

static int
cmd_start_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "stdin", required_argument, NULL, 'i' },
		{ "role", required_argument, NULL, 'r' },
		{ "provider", required_argument, NULL, 'p' },
		{ "model", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct task	*t = NULL;
	struct run	 r;
	struct run_spec	 spec;
	char		*cause = NULL;
	struct worktree_log log = { NULL, 0 };
	int		 ch, json = 0, rc;
	size_t		 i;

	memset(&spec, 0, sizeof spec);
	spec.format = "text";
	/* Options end at "--": everything after it belongs to the agent. */
	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (ch) {
		case 'f':
			spec.format = optarg;
			break;
		case 'i':
			if (strcmp(optarg, "inbox") != 0 &&
			    strcmp(optarg, "null") != 0)
				return (cmd_usage_error(&cmd_start_entry,
				    "--stdin is inbox or null"));
			spec.inbox = (strcmp(optarg, "inbox") == 0);
			break;
		case 'r':
			spec.role = optarg;
			break;
		case 'p':
			spec.provider = optarg;
			break;
		case 'm':
			spec.model = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return (cmd_usage_error(&cmd_start_entry, "bad option: "
			    "%s", argv[optind - 1]));
		}
	}
	if (optind >= argc)
		return (cmd_usage_error(&cmd_start_entry, "give a task id"));
	if ((t = cmd_get_task(ctx, argv[optind], &rc)) == NULL)
		return (rc);
	optind++;
	if (optind >= argc) {
		task_free(t);
		return (cmd_usage_error(&cmd_start_entry, "give the agent's "
		    "command after --"));
	}
	spec.argv = argv + optind;
	if (check_word("format", spec.format, &cause) != 0 ||
	    (spec.provider != NULL &&
	    check_word("provider", spec.provider, &cause) != 0) ||
	    (spec.role != NULL && task_check_role(spec.role, &cause) != 0)) {
		task_free(t);
		return (cmd_fail(ctx, cause));
	}

	rc = run_start(ctx->repo, ctx->store, t, &spec, &r, &log, &cause);
	for (i = 0; i < log.n; i++)
		cmd_error("worktree: %s", log.lines[i]);
	worktree_log_free(&log);
	task_free(t);
	if (rc != 0) {
		run_clear(&r);
		return (cmd_fail(ctx, cause));
	}
	if (json)
		cmd_print_json(run_to_json(&r));
	else
		printf("started run %lld of #%lld in window %s\n",
		    (long long)r.id, (long long)r.task_id, r.tmux_window);
	run_clear(&r);
	return (BATON_EXIT_OK);
}

/* The run a task-level command means: --run R, else the task's latest. */
static struct run *
pick_run(struct cmd_ctx *ctx, const char *task_arg, const char *run_arg,
    int *rc)
{
	struct run	*r;
	int64_t		 task, id;
	char		*cause = NULL;

	*rc = BATON_EXIT_ERROR;
	if (cmd_parse_id(task_arg, &task) != 0) {
		cmd_error("not a task id: %s", task_arg);
		return (NULL);
	}
	if (run_arg != NULL) {
		if (cmd_parse_id(run_arg, &id) != 0) {
			cmd_error("not a run id: %s", run_arg);
			return (NULL);
		}
		r = store_run_get(ctx->store, id, &cause);
		if (r != NULL && r->task_id != task) {
			cmd_error("run %lld is not a run of #%lld",
			    (long long)id, (long long)task);
			run_free(r);
			return (NULL);
		}
	} else
		r = store_run_latest(ctx->store, task, &cause);
	if (r == NULL) {
		if (cause != NULL)
			*rc = cmd_fail(ctx, cause);
		else if (!store_task_exists(ctx->store, task))
			cmd_error("no task #%lld", (long long)task);
		else
			cmd_error("#%lld has no runs", (long long)task);
		return (NULL);
	}
	return (r);
}

/* The agent's process id, from the shim's pid file. */
static pid_t
run_pid(struct cmd_ctx *ctx, struct run *r)
{
	char	*path, *text, *cause = NULL;
	long	 pid;

	path = repo_run_file(ctx->repo, r->id, "pid");
	text = cmd_read_file(path, &cause);
	free(path);
	free(cause);
	if (text == NULL)
		return (-1);
	pid = strtol(text, NULL, 10);
	free(text);
	return (pid > 1 ? (pid_t)pid : -1);
}

static int
run_has_exit(struct cmd_ctx *ctx, struct run *r)
{
	char		*path;
	struct stat	 sb;
	int		 found;

	path = repo_run_file(ctx->repo, r->id, "exit");
	found = (stat(path, &sb) == 0);
	free(path);
	return (found);
}

static int
cmd_stop_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run	*r;
	struct timespec	 ts = { 0, 100 * 1000 * 1000 };
	pid_t		 pid = -1;
	char		*cause = NULL, *path;
	int		 rc, i, fd;

	if (argc != 2)
		return (cmd_usage_error(&cmd_stop_entry, "give one task id"));
	if ((r = pick_run(ctx, argv[1], NULL, &rc)) == NULL)
		return (rc);
	if (!run_state_is_live(r->state) || run_has_exit(ctx, r)) {
		rc = cmd_error("run %lld of #%lld is not running",
		    (long long)r->id, (long long)r->task_id);
		run_free(r);
		return (rc);
	}
	/* The agent has not been started yet: wait a moment for it. */
	for (i = 0; i < 50 && (pid = run_pid(ctx, r)) == -1; i++)
		nanosleep(&ts, NULL);
	if (pid == -1) {
		rc = cmd_error("run %lld of #%lld has not started its agent "
		    "yet; try again", (long long)r->id, (long long)r->task_id);
		run_free(r);
		return (rc);
	}
	/*
	 * Say it was stopped before stopping it, so whoever stores the run's
	 * end (this process or another) records "stopped".
	 */
	path = repo_run_file(ctx->repo, r->id, "stopped");
	if ((fd = open(path, O_WRONLY|O_CREAT|O_CLOEXEC, 0600)) != -1)
		close(fd);
	free(path);
	if (pid != -1) {
		kill(-pid, SIGTERM);
		for (i = 0; i < 100 && !run_has_exit(ctx, r); i++)
			nanosleep(&ts, NULL);
		if (!run_has_exit(ctx, r)) {
			kill(-pid, SIGKILL);
			for (i = 0; i < 50 && !run_has_exit(ctx, r); i++)
				nanosleep(&ts, NULL);
		}
	}
	if (store_begin(ctx->store, &cause) != 0 ||
	    store_run_stop(ctx->store, r->id, &cause) != 0 ||
	    store_commit(ctx->store, &cause) != 0) {
		run_free(r);
		return (cmd_fail(ctx, cause));
	}
	printf("stopped run %lld of #%lld\n", (long long)r->id,
	    (long long)r->task_id);
	run_free(r);
	return (BATON_EXIT_OK);
}

/*
 * Inside a client of baton's own server, switch that client to the window;
 * anywhere else (no tmux, or another tmux server), attach to baton's
 * server in this terminal until the user detaches.
 */
static int
cmd_attach_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	struct run	*r;
	const char	*run_arg = NULL, *tmux_env, *select[5], *cmd[4];
	char		*socket, *name, *conf, *cause = NULL;
	int		 ch, rc, inside;
	size_t		 len;
	pid_t		 pid;
	int		 status;

	while ((ch = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (ch != 'r')
			return (cmd_usage_error(&cmd_attach_entry, "bad option: "
			    "%s", argv[optind - 1]));
		run_arg = optarg;
	}
	if (argc - optind != 1)
		return (cmd_usage_error(&cmd_attach_entry, "give one task id"));
	if ((r = pick_run(ctx, argv[optind], run_arg, &rc)) == NULL)
		return (rc);
	if (r->tmux_window == NULL) {
		rc = cmd_error("run %lld has no window", (long long)r->id);
		run_free(r);
		return (rc);
	}
	select[0] = "select-window";
	select[1] = "-t";
	select[2] = r->tmux_window;
	select[3] = NULL;
	if (tmux_command(ctx->repo, select, NULL, &cause) != 0) {
		rc = cmd_error("the window of run %lld is gone (%s)",
		    (long long)r->id, cause);
		free(cause);
		run_free(r);
		return (rc);
	}

	socket = tmux_socket_path(ctx->repo);
	len = strlen(socket);
	tmux_env = getenv("TMUX");
	inside = tmux_env != NULL && strncmp(tmux_env, socket, len) == 0 &&
	    tmux_env[len] == ',';
	free(socket);
	name = tmux_socket_name(ctx->repo);
	xasprintf(&conf, "%s/tmux.conf", ctx->repo->dir);
	cmd[0] = inside ? "switch-client" : "attach-session";
	cmd[1] = "-t";
	cmd[2] = r->tmux_window;
	cmd[3] = NULL;
	log_debug("%s: %s %s", __func__, cmd[0], cmd[2]);

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		if (!inside)
			unsetenv("TMUX");
		execlp("tmux", "tmux", "-L", name, "-f", conf, cmd[0], cmd[1],
		    cmd[2], (char *)NULL);
		dprintf(STDERR_FILENO, "baton: cannot run tmux: %s\n",
		    strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	free(conf);
	free(name);
	run_free(r);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return (BATON_EXIT_ERROR);
	return (BATON_EXIT_OK);
}

/* Read run.json's "stdin" and "format" to see how input is taken. */
static int
send_mode(struct cmd_ctx *ctx, struct run *r, char **cause)
{
	cJSON	*root, *v;
	char	*path, *text;
	int	 inbox;

	path = repo_run_file(ctx->repo, r->id, "run.json");
	text = cmd_read_file(path, cause);
	free(path);
	if (text == NULL)
		return (-1);
	root = cJSON_Parse(text);
	free(text);
	v = cJSON_GetObjectItemCaseSensitive(root, "stdin");
	inbox = cJSON_IsString(v) && strcmp(v->valuestring, "inbox") == 0;
	cJSON_Delete(root);
	if (!inbox) {
		xasprintf(cause, "run %lld does not take input (start it with "
		    "--stdin inbox)", (long long)r->id);
		return (-1);
	}
	return (0);
}

static int
cmd_send_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run	*r;
	cJSON		*msg, *inner;
	char		*path, *line, *cause = NULL;
	int		 fd, rc;
	size_t		 len;

	if (argc != 3)
		return (cmd_usage_error(&cmd_send_entry, "give a task id and "
		    "the TEXT"));
	if ((r = pick_run(ctx, argv[1], NULL, &rc)) == NULL)
		return (rc);
	if (!run_state_is_live(r->state) || run_has_exit(ctx, r)) {
		rc = cmd_error("run %lld of #%lld is not running",
		    (long long)r->id, (long long)r->task_id);
		run_free(r);
		return (rc);
	}
	if (send_mode(ctx, r, &cause) != 0) {
		run_free(r);
		return (cmd_fail(ctx, cause));
	}

	/* Stream-JSON agents take a user message; others a line of text. */
	if (strcmp(r->format, "text") == 0) {
		if (strchr(argv[2], '\n') != NULL) {
			run_free(r);
			return (cmd_error("a text agent takes one line"));
		}
		line = xstrdup(argv[2]);
	} else {
		msg = cJSON_CreateObject();
		cJSON_AddStringToObject(msg, "type", "user");
		inner = cJSON_AddObjectToObject(msg, "message");
		cJSON_AddStringToObject(inner, "role", "user");
		cJSON_AddItemToObject(inner, "content", json_string(argv[2]));
		line = cJSON_PrintUnformatted(msg);
		cJSON_Delete(msg);
	}
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';

	/* One write with O_APPEND: two senders never interleave. */
	path = repo_run_file(ctx->repo, r->id, "inbox.jsonl");
	fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, line, len) != (ssize_t)len) {
		rc = cmd_error("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
	} else {
		close(fd);
		printf("sent to run %lld of #%lld\n", (long long)r->id,
		    (long long)r->task_id);
		rc = BATON_EXIT_OK;
	}
	free(path);
	free(line);
	run_free(r);
	return (rc);
}

/* How a run ended, for people: its outcome and any limit it hit. */
static char *
cmd_runs_outcome(struct cmd_ctx *ctx, struct run *r)
{
	struct run_verdict	 v;
	char			*text, *when, *ignore = NULL;

	if (store_run_verdict(ctx->store, r->id, &v, &ignore) != 0) {
		free(ignore);
		return (xstrdup(r->outcome != NULL ? r->outcome : ""));
	}
	if (v.limited) {
		when = v.reset_at > 0 ? util_time(v.reset_at) : NULL;
		xasprintf(&text, "%s%s%s%s%s", r->outcome != NULL ? r->outcome :
		    "", r->outcome != NULL ? " · " : "", v.limited ==
		    RATELIMIT_AUTH ? "auth failure" : "limited", when != NULL ?
		    ", resets " : "", when != NULL ? when : "");
		free(when);
	} else
		text = xstrdup(r->outcome != NULL ? r->outcome : "");
	run_verdict_free(&v);
	return (text);
}

static int
cmd_runs_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct run	**list;
	cJSON		 *array;
	size_t		  n, i;
	int64_t		  task = 0;
	char		 *cause = NULL, *when, *outcome;
	int		  json = 0, header = 0, k;

	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--json") == 0)
			json = 1;
		else if (task == 0 && cmd_parse_id(argv[k], &task) == 0)
			continue;
		else
			return (cmd_usage_error(&cmd_runs_entry, "unexpected "
			    "argument: %s", argv[k]));
	}
	if (store_run_list(ctx->store, 0, &list, &n, &cause) != 0)
		return (cmd_fail(ctx, cause));
	array = cJSON_CreateArray();
	for (i = 0; i < n; i++) {
		if (task != 0 && list[i]->task_id != task)
			continue;
		if (json) {
			cJSON_AddItemToArray(array, run_with_verdict(ctx->store,
			    list[i]));
			continue;
		}
		if (!header) {
			printf("%5s  %-6s %-6s %-11s %-16s %-6s %-16s %s\n",
			    "RUN", "TASK", "FOR", "STATE", "PROVIDER", "WINDOW",
			    "STARTED", "OUTCOME");
			header = 1;
		}
		when = util_time(list[i]->started_at);
		outcome = cmd_runs_outcome(ctx, list[i]);
		printf("%5lld  #%-5lld %-6s %-11s %-16s %-6s %-16s %s\n",
		    (long long)list[i]->id, (long long)list[i]->task_id,
		    run_purpose_name(list[i]->purpose),
		    run_state_name(list[i]->state),
		    list[i]->provider != NULL ? list[i]->provider : "-",
		    list[i]->tmux_window != NULL ? list[i]->tmux_window : "-",
		    when, outcome);
		free(outcome);
		free(when);
	}
	if (!json && !header)
		printf("no runs yet\n");
	if (json)
		cmd_print_json(array);
	else
		cJSON_Delete(array);
	run_list_free(list, n);
	return (BATON_EXIT_OK);
}

static int
cmd_tmux_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	char	**full, *name, *conf, *cause = NULL;
	int	  i;

	if (tmux_write_config(ctx->repo, &cause) != 0)
		return (cmd_fail(ctx, cause));
	name = tmux_socket_name(ctx->repo);
	xasprintf(&conf, "%s/tmux.conf", ctx->repo->dir);
	full = xcalloc(argc + 5, sizeof *full);
	full[0] = (char *)"tmux";
	full[1] = (char *)"-L";
	full[2] = name;
	full[3] = (char *)"-f";
	full[4] = conf;
	for (i = 1; i < argc; i++)
		full[4 + i] = argv[i];
	unsetenv("TMUX");
	execvp("tmux", full);
	return (cmd_error("cannot run tmux: %s", strerror(errno)));
}
