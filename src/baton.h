/*
 * baton: run a sprint of coding tasks through agent CLIs in tmux.
 *
 * The one internal header. Shared structs first, then the prototypes of
 * each file under its own marker, so the object graph reads in one place.
 */

#ifndef BATON_H
#define BATON_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compat.h"

struct sqlite3;
struct sqlite3_stmt;
struct cJSON;
struct adapter_usage;
struct git_repository;
struct git_oid;
struct worktree_log;

/* Exit codes of the command line. */
#define BATON_EXIT_OK 0
#define BATON_EXIT_ERROR 1
#define BATON_EXIT_USAGE 2

/* Task priorities: 0 is the most urgent. */
#define TASK_PRIORITY_MIN 0
#define TASK_PRIORITY_MAX 4
#define TASK_PRIORITY_DEFAULT 2

/* Task lifecycle. Keep in step with task_state_names in task.c. */
enum task_state {
	TASK_BACKLOG,
	TASK_READY,
	TASK_RUNNING,
	TASK_REVIEW,
	TASK_MERGING,
	TASK_DONE,
	TASK_BLOCKED,
	TASK_WAITING,
	TASK_FAILED,
	TASK_CANCELLED,
};
#define TASK_NSTATES (TASK_CANCELLED + 1)

/* What a task's runs are for. */
enum task_kind {
	TASK_WORK,		/* change the code */
	TASK_PLAN,		/* answer a plan of subtasks */
	TASK_VALIDATE,		/* check a plan's work, answer gaps */
	TASK_RESOLVE,		/* resolve target's conflict with main */
	TASK_LESSON,		/* compare target's attempts, answer a lesson */
};
#define TASK_NKINDS (TASK_LESSON + 1)

/* One task, as stored. Edges are loaded only where asked for. */
struct task {
	int64_t		 id;
	int64_t		 sprint_id;	/* 0: no sprint */
	int64_t		 parent_id;	/* 0: no parent */
	char		*title;
	char		*body;
	char		*role;
	int		 priority;
	enum task_state	 state;
	char		*branch;
	char		*worktree;
	char		*reason;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 finished_at;
	int64_t		 not_before;	/* 0: may run now; else not before then */
	u_int		 failures;	/* failed attempts, for the retry limit */
	enum task_kind	 kind;
	int64_t		 target_id;	/* resolve, lesson: the task concerned */
	u_int		 rounds;	/* reviews that asked for changes */
	char		*merge_base;	/* "MAIN TIP" tested, or NULL */
	enum task_state	 stored;	/* the state the store had when read */

	int64_t		*blocked_by;	/* ids this task waits on */
	size_t		 nblocked_by;
	int64_t		*open_blockers;	/* those not done yet */
	size_t		 nopen_blockers;
};

/* A list of tasks. */
struct task_list {
	struct task	**items;
	size_t		  count;
};

/* One sprint. */
struct sprint {
	int64_t		 id;
	char		*name;
	int		 open;
	int64_t		 created_at;
	int64_t		 closed_at;
};

/* One blocked_by edge: task waits on blocker. */
struct dep_edge {
	int64_t		 task;
	int64_t		 blocker;
};

/*
 * The dependency graph in memory: nodes are task ids, edges point from a
 * task to what blocks it. Built from the store, or by hand in tests.
 */
struct dag {
	int64_t		*ids;		/* sorted */
	size_t		 nids;
	struct dep_edge	*edges;		/* sorted by task, then blocker */
	size_t		 nedges;
};

/* The open store. */
struct store {
	struct sqlite3	*db;
	char		*path;
	int		 version;	/* schema version after open */
	struct store_stmt *stmts;	/* prepared statement cache */
};

/* Run lifecycle, as stored in runs.state. */
enum run_state {
	RUN_STARTING,
	RUN_RUNNING,
	RUN_EXITED,
	RUN_INTERRUPTED,
	RUN_STOPPED,
};
#define RUN_NSTATES (RUN_STOPPED + 1)

/* What a run of a task is for. */
enum run_purpose {
	RUN_WORK,		/* the task's own job */
	RUN_REVIEW,		/* an independent review of its branch */
	RUN_TEST,		/* the project's tests on its rebased branch */
};
#define RUN_NPURPOSES (RUN_TEST + 1)

/* One agent process working on a task. */
struct run {
	int64_t		 id;
	int64_t		 task_id;
	int		 attempt;
	char		*role;
	char		*provider;
	char		*model;
	char		*format;	/* stream format: claude, codex, …, text */
	char		*agent_session;
	char		*tmux_window;	/* @N */
	char		*tmux_pane;	/* %N */
	char		*log_path;	/* stream.jsonl */
	int64_t		 log_offset;	/* bytes of the log already stored */
	int		 log_done;	/* the log is stored to its end */
	enum run_state	 state;
	int		 exit_status;	/* -1: not known */
	char		*outcome;
	int64_t		 started_at;
	int64_t		 ended_at;
	enum run_purpose purpose;
	char		*answer;	/* the final text, once judged */
};

/* How to start one run: what run_start needs beyond the task. */
struct run_spec {
	const char	 *role;		/* NULL: the task's */
	const char	 *provider;
	const char	 *model;
	const char	 *format;	/* NULL: text */
	const char	 *session;	/* the session a resumed run continues */
	int		  attempt;	/* 0: one more than the task's runs */
	int		  inbox;	/* stdin from the run's inbox */
	int		  have_worktree; /* the caller made it just now */
	enum run_purpose  purpose;
	char *const	 *argv;		/* NULL-terminated */
	const char	 *prompt;	/* kept as prompt.md when set */
	const char	 *checkpoint;	/* $BATON_CHECKPOINT */
	char *const	 *env;		/* more NAME=value, NULL-terminated */
};

/* How a run ended, from what its stream said. */
struct run_verdict {
	int		 limited;	/* RATELIMIT_LIMIT, RATELIMIT_AUTH or 0 */
	int64_t		 reset_at;	/* 0: not known */
	int		 reset_estimated; /* reset_at is baton's estimate */
	char		*limit_text;
	int		 has_final;	/* a final (turn_end) event was seen */
	int		 final_error;	/* and it says the turn failed */
	char		*error_text;	/* the last error the stream gave */
	char		*last_text;	/* the agent's last words */
	u_int		 tools;		/* tool calls made */
	u_int		 ndenied;	/* tool calls refused or sandboxed */
	char		*denied;	/* the first: "Bash (git commit ...): why" */
	char		*failure;	/* "config", "session" or NULL */
	char		*failure_text;	/* the error that said so */
};

/* Where baton lives for one repository. */
struct repo {
	char		*workdir;	/* main work tree, no trailing slash */
	char		*gitdir;	/* common git directory */
	char		*dir;		/* workdir/.baton */
	char		*db_path;	/* dir/baton.db */
};

/* What a command gets. */
struct cmd_ctx {
	struct repo	*repo;
	struct store	*store;
};

#define CMD_REPO 0x1		/* needs to be inside a git repository */
#define CMD_STORE 0x2		/* needs an initialised .baton/ and its database */

/* One command line entry (tmux cmd_entry). */
struct cmd_entry {
	const char	*name;		/* one or two words: "add", "dep add" */
	const char	*alias;
	const char	*usage;
	const char	*doc;		/* one line */
	int		 flags;
	int		(*exec)(struct cmd_ctx *, int, char **);
};

/* One checklist item read from Markdown. */
struct md_item {
	char		*title;
	char		*body;
	size_t		 body_len;
	int		 checked;
	int		 parent;	/* index of the parent item, -1 for none */
	u_int		 line;
};

/* One subtask of a decomposition. */
struct plan_item {
	char		*title;
	char		*role;
	char		*body;
	size_t		*blocked_by;	/* indexes into the plan */
	size_t		 nblocked_by;
};

struct plan {
	struct plan_item *items;
	size_t		  count;
};

/* A review's verdict read from its answer. */
struct answer_verdict {
	int		 approve;	/* 1 approve, 0 changes asked for */
	char		*comments;	/* "" for an approval without any */
};

/* cmd.c */
extern const struct cmd_entry *cmd_table[];
int		 cmd_main(int, char **);
void		 cmd_usage(FILE *, const struct cmd_entry *);
int		 cmd_error(const char *, ...) __attribute__((format(printf, 1, 2)));
int		 cmd_usage_error(const struct cmd_entry *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
int		 cmd_parse_id(const char *, int64_t *);
int		 cmd_parse_priority(const char *, int *);
int		 cmd_parse_id_list(const char *, int64_t **, size_t *);
int		 cmd_parse_json_only(const struct cmd_entry *, int, char **,
		     int, int *);
char		*cmd_read_file(const char *, char **);
void		 cmd_print_json(struct cJSON *);
void		 cmd_print_task_table(struct task_list *);
struct task	*cmd_get_task(struct cmd_ctx *, const char *, int *);
int		 cmd_fail(struct cmd_ctx *, char *);

/* cmd-*.c: every command's entry */
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_ls_entry;
extern const struct cmd_entry cmd_show_entry;
extern const struct cmd_entry cmd_edit_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_dep_add_entry;
extern const struct cmd_entry cmd_dep_rm_entry;
extern const struct cmd_entry cmd_ready_entry;
extern const struct cmd_entry cmd_sprint_new_entry;
extern const struct cmd_entry cmd_sprint_ls_entry;
extern const struct cmd_entry cmd_sprint_close_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_plan_import_entry;
extern const struct cmd_entry cmd_plan_entry;
int		 plan_request_add(struct repo *, struct store *, const char *,
		     int64_t *, char **);
extern const struct cmd_entry cmd_demo_entry;
extern const struct cmd_entry cmd_start_entry;
extern const struct cmd_entry cmd_stop_entry;
extern const struct cmd_entry cmd_attach_entry;
extern const struct cmd_entry cmd_send_entry;
extern const struct cmd_entry cmd_runs_entry;
extern const struct cmd_entry cmd_tmux_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_go_entry;
extern const struct cmd_entry cmd_pause_entry;
extern const struct cmd_entry cmd_retry_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_version_entry;

/* repo.c */
struct repo	*repo_find(const char *, char **);
char		*repo_run_dir(struct repo *, int64_t);
char		*repo_run_file(struct repo *, int64_t, const char *);
void		 repo_free(struct repo *);
int		 repo_init_dir(struct repo *, char **);
int		 repo_exclude_baton(struct repo *, char **);

/* tmux.c */
char		*tmux_socket_name(struct repo *);
char		*tmux_socket_path(struct repo *);
int		 tmux_write_config(struct repo *, char **);
int		 tmux_command(struct repo *, const char *const *, char **,
		     char **);
int		 tmux_new_window(struct repo *, const char *, const char *,
		     const char *const *, const char *const *, char **, char **,
		     char **);
int		 tmux_server_running(struct repo *);
char		*tmux_quote(const char *);

/* ingest.c */
struct ingest;
struct event_base;
struct ingest	*ingest_new(struct event_base *, struct repo *, struct store *,
		     void (*)(void *), void (*)(void *, const char *), void *);
void		 ingest_free(struct ingest *);
int		 ingest_refresh(struct ingest *, char **);
int		 ingest_catch_up(struct ingest *, char **);
int		 ingest_check_panes(struct ingest *, char **);
size_t		 ingest_open_runs(struct ingest *);

/* git-diff.c */
struct diffstat {
	size_t		 files;
	size_t		 insertions;
	size_t		 deletions;
	char		**lines;	/* " path | 3 ++-", then the summary */
	size_t		 nlines;
	char		*patch;		/* the diff itself, maybe cut short */
};
/* A diffstat's patch is cut after this many bytes. */
#define DIFFSTAT_PATCH_MAX (256 * 1024)
int		 git_diffstat(struct repo *, const char *, struct diffstat *,
		     char **);

/* baton-git.c: libgit2's last error, for any git-*.c */
int		 git_error_cause(char **, const char *, ...)
		     __attribute__((format(printf, 2, 3)));

/* git-demo.c */
int		 demo_repository(const char *, char **);

/* git-child.c */
#define GITC_MAXARGS 8
int		 gitc_runv(struct repo *, const char **, char **, char **);
int		 gitc_run(struct repo *, const char *, const char *, char **,
		     char **);
int		 gitc_diffstat(struct repo *, const char *, struct diffstat *,
		     char **);
int		 gitc_demo_repository(const char *, char **);
void		 diffstat_free(struct diffstat *);

/* runtime.c */
struct runtime;
struct runtime	*runtime_new(struct event_base *, struct repo *, struct store *,
		     void (*)(void *), void (*)(void *, const char *), void *,
		     char **);
void		 runtime_free(struct runtime *);
int		 runtime_lock(struct repo *, int, char **);
void		 runtime_run_started(struct runtime *);
int		 runtime_connected(struct runtime *);
struct ingest	*runtime_ingest(struct runtime *);

/* run-start.c */
int		 run_start(struct repo *, struct store *, struct task *,
		     const struct run_spec *, struct run *,
		     struct worktree_log *, char **);

/* prompt.c */
/* What a prompt is made of beyond the task itself. */
struct prompt_ctx {
	const char	 *role;
	struct task	 *parent;	/* NULL: none */
	const char	 *summary;	/* how the last attempt ended */
	const char	 *history;	/* a role's conversation not continued */
	const char	 *checkpoint_text;
	const char	 *checkpoint_path;
	char		**lessons;
	size_t		  nlessons;
	const char	 *review;	/* a review's requested changes */
	const char	 *tests;	/* failing test output */
	const char	 *patch;	/* review: the diff against main */
	const char	 *context;	/* validate, lesson: what happened */
};
char		*prompt_build(struct task *, const struct prompt_ctx *);
char		*prompt_review(struct task *, const struct prompt_ctx *);
char		*prompt_plan(struct task *, const struct prompt_ctx *);
char		*prompt_validate(struct task *, const struct prompt_ctx *);
char		*prompt_lesson(struct task *, const struct prompt_ctx *);
char		*prompt_summary(struct run *, struct run_verdict *);

/* sched.c */
struct sched;
struct sched	*sched_new(struct event_base *, struct repo *, struct store *,
		     void (*)(void *), void (*)(void *, const char *), void *);
void		 sched_free(struct sched *);
void		 sched_poke(struct sched *);
int		 sched_set_going(struct store *, int, char **);	/* cmd-go.c */

/* store-sched.c */
/* Why a provider is passed over, and until when. */
struct provider_hold {
	char		*provider;
	char		*kind;		/* limit, auth, setup, stall */
	char		*message;
	int64_t		 until;
	int		 estimated;	/* no reset was given: a guess */
};
int		 store_holds(struct store *, int64_t, struct provider_hold **,
		     size_t *, char **);
void		 provider_holds_free(struct provider_hold *, size_t);
int64_t		 store_sprint_going(struct store *);
int		 store_sprint_set_going(struct store *, int64_t, int, char **);
int		 store_sched_ended(struct store *, int64_t, int64_t **, size_t *,
		     char **);
int		 store_sched_tasks(struct store *, int64_t, enum task_state,
		     int64_t **, size_t *, char **);
int64_t		 store_provider_limited(struct store *, const char *, int64_t);
int		 store_run_verdict(struct store *, int64_t, struct run_verdict *,
		     char **);
void		 run_verdict_free(struct run_verdict *);
char		*run_verdict_reason(const struct run_verdict *);
int		 store_task_nruns(struct store *, int64_t);
char		*store_task_resume_session(struct store *, int64_t,
		     const char *);
char		*store_role_session(struct store *, const char *, const char *);
int		 store_lesson_add(struct store *, const char *, int64_t,
		     const char *, char **);
int		 store_task_helpers(struct store *, int64_t, enum task_kind,
		     u_int *, u_int *);
int		 store_role_session_set(struct store *, const char *,
		     const char *, const char *, char **);
int		 store_role_session_drop(struct store *, const char *,
		     const char *, char **);
int64_t		 store_session_run(struct store *, const char *, const char *);
int		 store_role_lessons(struct store *, const char *, u_int, char ***,
		     size_t *, char **);

/* run-fault.c */
/* A fault that ended a run before it did any work. */
enum run_fault {
	RUN_FAULT_NONE,
	RUN_FAULT_SETUP,	/* the provider cannot run: hold it, fall back */
	RUN_FAULT_RESUME,	/* the session is gone: start a fresh one */
};
char		*run_fault_stderr(struct repo *, int64_t);
enum run_fault	 run_fault_classify(const char *, int, int64_t,
		     const struct run_verdict *, const char *, char **);

/* shim.c */
extern const struct cmd_entry cmd_agent_entry;

/* transcript.c */
struct transcript;
struct transcript *transcript_new(const char *);
void		 transcript_free(struct transcript *);
void		 transcript_line(struct transcript *, FILE *, const char *,
		     size_t);
void		 transcript_finish(struct transcript *, FILE *, int);

/* store.c */
struct store	*store_open(const char *, int, char **);
void		 store_close(struct store *);
struct sqlite3_stmt *store_prepare(struct store *, const char *);
int		 store_exec(struct store *, const char *, char **);
int		 store_begin(struct store *, char **);
int		 store_commit(struct store *, char **);
void		 store_rollback(struct store *);
char		*store_errmsg(struct store *);
char		*store_col_text(struct sqlite3_stmt *, int);
int		 store_has_row(struct store *, const char *, int64_t, int64_t);
int		 store_step(struct store *, struct sqlite3_stmt *, char **);
int64_t		 store_now(void);

/* store-schema.c */
struct store_table {
	int		 version;
	const char	*name;
};
extern const char *store_migrations[];
extern const u_int store_nmigrations;
extern const struct store_table store_tables[];
extern const u_int store_ntables;

/* store-task.c */
int64_t		 store_task_add(struct store *, struct task *, char **);
struct task	*store_task_get(struct store *, int64_t, char **);
int		 store_task_list(struct store *, const char *, int64_t,
		     struct task_list *, char **);
int		 store_task_update(struct store *, struct task *, char **);
int		 store_task_update_cas(struct store *, struct task *, char **);
int		 store_task_exists(struct store *, int64_t);
int		 store_task_children(struct store *, int64_t, int64_t **,
		     size_t *, char **);
int		 store_task_blocks(struct store *, int64_t, int64_t **, size_t *,
		     char **);
int		 store_dep_add(struct store *, int64_t, int64_t, char **);
int		 store_dep_rm(struct store *, int64_t, int64_t, char **);
int		 store_dep_exists(struct store *, int64_t, int64_t);
int		 store_dag_load(struct store *, struct dag *, char **);
int		 store_task_load_deps(struct store *, struct task *, char **);

/* store-run.c */
int64_t		 store_run_add(struct store *, struct run *, char **);
struct run	*store_run_get(struct store *, int64_t, char **);
int		 store_run_list(struct store *, int, struct run ***, size_t *,
		     char **);
int		 store_run_list_task(struct store *, int64_t, struct run ***,
		     size_t *, char **);
struct run	*store_run_latest(struct store *, int64_t, char **);
int		 store_run_update(struct store *, struct run *, char **);
int		 store_run_set_offset(struct store *, int64_t, int64_t, int64_t,
		     char **);
int		 store_run_set_window(struct store *, int64_t, const char *,
		     const char *, char **);
int		 store_run_set_session(struct store *, int64_t, const char *,
		     const char *, char **);
int		 store_event_exists(struct store *, int64_t, int64_t);
int		 store_run_stop(struct store *, int64_t, char **);
int		 store_event_add(struct store *, int64_t, int64_t, int, int64_t,
		     const char *, const char *, char **);
int		 store_call_put(struct store *, int64_t, const char *,
		     const char *, int64_t, const struct adapter_usage *,
		     const double *, const char *, const double *, char **);
int64_t		 store_call_at(struct store *, int64_t, const char *);
int		 store_session_usage(struct store *, const char *, int64_t,
		     struct adapter_usage *);
int		 store_limit_add(struct store *, const char *, const char *,
		     int64_t, int64_t, int64_t, int, const char *, char **);
int64_t		 store_run_ncalls(struct store *, int64_t);
int		 store_limit_clear_setup(struct store *, const char *, char **);
void		 run_free(struct run *);
void		 run_clear(struct run *);
void		 run_list_free(struct run **, size_t);
const char	*run_state_name(enum run_state);
int		 run_state_from_name(const char *, enum run_state *);
const char	*run_purpose_name(enum run_purpose);
int		 run_purpose_from_name(const char *, enum run_purpose *);
int		 store_run_set_answer(struct store *, int64_t, const char *,
		     char **);
int		 run_state_is_live(enum run_state);

/* store-answer.c */
char		*store_run_final_text(struct store *, int64_t, char **);

/* store-sprint.c */
int64_t		 store_sprint_new(struct store *, const char *, char **);
struct sprint	*store_sprint_open(struct store *, char **);
int		 store_sprint_open_id(struct store *, int64_t *, char **);
int		 store_sprint_counts(struct store *, int64_t, size_t *, size_t *,
		     char **);
int		 store_sprint_list(struct store *, struct sprint ***, size_t *,
		     char **);
int		 store_sprint_close(struct store *, int64_t, char **);
void		 sprint_free(struct sprint *);

/* task.c */
const char	*task_state_name(enum task_state);
int		 task_state_from_name(const char *, enum task_state *);
const char	*task_kind_name(enum task_kind);
int		 task_kind_from_name(const char *, enum task_kind *);
int		 task_state_is_final(enum task_state);
struct task	*task_new(void);
void		 task_free(struct task *);
void		 task_list_free(struct task_list *);
struct cJSON	*task_to_json(struct task *);
int		 task_is_ready(struct task *);
void		 task_set_text(struct task *, const char *, const char *,
		     const char *);
int		 task_check_title(const char *, char **);
int		 task_check_role(const char *, char **);

/* dag.c */
void		 dag_init(struct dag *);
void		 dag_free(struct dag *);
void		 dag_add_node(struct dag *, int64_t);
void		 dag_add_edge(struct dag *, int64_t, int64_t);
void		 dag_sort(struct dag *);
int		 dag_path(struct dag *, int64_t, int64_t, int64_t **, size_t *);
char		*dag_format_path(const int64_t *, size_t, const char *, int64_t);
int		 dag_find_cycle(struct dag *, int64_t **, size_t *);
int		 dag_ready_compare(const void *, const void *);

/* import-md.c */
int		 md_checklist_parse(const char *, size_t, struct md_item **,
		     size_t *, char **);
void		 md_items_free(struct md_item *, size_t);

/* answer.c */
char		*answer_json(const char *, char **);
int		 answer_verdict(const char *, struct answer_verdict *,
		     char **);
void		 answer_verdict_free(struct answer_verdict *);
int		 answer_plan(const char *, struct plan *, char **);
int		 answer_gaps(const char *, struct plan *, char **);
char		*answer_lesson(const char *, char **);

/* plan.c */
int		 plan_parse(const char *, size_t, struct plan *, char **);
char		*plan_where(const char *, const char *);
void		 plan_free(struct plan *);
int64_t		 plan_import(struct store *, struct plan *, int64_t,
		     int64_t **, char **);

/* json.c */
struct cJSON	*json_string(const char *);
struct cJSON	*json_id_array(const int64_t *, size_t);
struct cJSON	*json_opt_id(int64_t);

/* util.c */
char		*utf8_sanitize(const char *);
int		 utf8_valid(const char *, size_t);
char		*util_vis(const char *, size_t);
size_t		 util_width(const char *);
char		*util_fit(const char *, size_t);
char		*util_time(int64_t);
int		 util_mkdir_p(const char *, mode_t, char **);
int		 util_pgrp_alive(pid_t);
int		 util_pid_alive(pid_t);
int		 util_name_index(const char *const *, u_int, const char *);
char		*util_self_path(void);
int		 util_write_file(const char *, const char *, size_t, char **);

/* log.c */
void		 log_open(const char *);
void		 log_close(void);
void		 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
int		 log_debug_enabled(void);
__dead void	 fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
__dead void	 fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 fatal_set_cleanup(void (*)(void));

/* xmalloc.c */
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
void		*xrealloc(void *, size_t);
void		*xreallocarray(void *, size_t, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
int		 xasprintf(char **, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
int		 xvasprintf(char **, const char *, va_list);

/* ratelimit.c */
/* What a limit signal means for the run. */
enum ratelimit_class {
	RATELIMIT_NONE,		/* informational: status reported, nothing blocked */
	RATELIMIT_LIMIT,	/* usage or rate limit: wait for reset_at */
	RATELIMIT_AUTH,		/* login, key or plan problem: waiting will not help */
	RATELIMIT_RETRY,	/* transient: the CLI retries by itself */
};

/* One limit, auth or retry signal, from structure or from text. */
struct ratelimit {
	enum ratelimit_class	 class;
	const char		*provider;	/* static: "claude", "codex", ... */
	char			 kind[32];	/* five_hour, weekly, daily_quota, ... */
	int64_t			 reset_at;	/* epoch seconds, -1 if unknown */
	int			 estimated;	/* reset_at is baton's guess */
	double			 utilization;	/* 0 to 1 of the limit, -1 unknown */
};

void		 ratelimit_init(struct ratelimit *, const char *);
const char	*ratelimit_class_name(enum ratelimit_class);
int		 ratelimit_parse_reset(const char *, int64_t, const char *,
		     int64_t *);
int		 ratelimit_classify(const char *, const char *, int64_t,
		     const char *, struct ratelimit *);
void		 ratelimit_estimate(struct ratelimit *, int64_t, int64_t);

/* adapter.c */
/* The normalised events every stream adapter produces. */
enum adapter_ev {
	ADAPTER_EV_SESSION,	/* session id (and model) known */
	ADAPTER_EV_TEXT_DELTA,	/* a piece of assistant text */
	ADAPTER_EV_TEXT,	/* a complete text block, or a non-JSON line */
	ADAPTER_EV_THINKING,	/* reasoning text or a piece of it */
	ADAPTER_EV_TOOL_START,
	ADAPTER_EV_TOOL_END,
	ADAPTER_EV_DENIED,	/* a tool call the CLI refused or could not make */
	ADAPTER_EV_USAGE,	/* one call's usage; replaces earlier figures for msg_id */
	ADAPTER_EV_TURN_END,
	ADAPTER_EV_RETRY,
	ADAPTER_EV_RATELIMIT,	/* limit, auth failure, or limit status */
	ADAPTER_EV_ERROR,
};
#define ADAPTER_NEV (ADAPTER_EV_ERROR + 1)

/*
 * Tokens of one call, normalised across vendors: in is the uncached input,
 * cache_write includes cache_write_1h, out includes reasoning.
 */
struct adapter_usage {
	int64_t		 in;
	int64_t		 cache_read;
	int64_t		 cache_write;
	int64_t		 cache_write_1h;
	int64_t		 out;
	int64_t		 reasoning;
	int64_t		 web_search;	/* server-side web search requests */
	int		 fast;
	int		 summed;	/* several calls added up: no per-call tier */
};

/* One event; every string is owned by the event. */
struct adapter_event {
	enum adapter_ev		 kind;
	char			*session_id;
	char			*msg_id;
	char			*model;
	char			*text;
	char			*tool_id;
	char			*tool_name;
	char			*parent_tool_id;
	char			*reason;	/* DENIED: why, in the CLI's words */
	const char		*failure;	/* ERROR: "config", "session" or NULL */
	int			 is_error;
	struct adapter_usage	 usage;
	int			 has_cli_cost;
	double			 cli_cost;	/* per call, or the run total on TURN_END */
	struct ratelimit	 limit;		/* RATELIMIT and RETRY */
	int			 http_status;
	int			 retry_attempt;
	int			 retry_max;
	int64_t			 retry_delay_ms;
	int			 exit_status;	/* TURN_END made by finish, else -1 */
};

/* One model call in the run's ledger, deduplicated by msg_id. */
struct adapter_call {
	char			*msg_id;
	char			*model;
	struct adapter_usage	 usage;
	int			 flags;
#define ADAPTER_CALL_MAIN 0x1		/* main loop, not a subagent */
#define ADAPTER_CALL_UNATTRIBUTED 0x2	/* the CLI's totals minus the calls seen */
#define ADAPTER_CALL_SEED 0x4		/* counted before this run (resume) */
#define ADAPTER_CALL_OPEN 0x8		/* output a placeholder, no final figure */
#define ADAPTER_CALL_SHARED 0x10	/* output a share of several calls' total */
	int			 has_cli_cost;
	double			 cli_cost;
};

/* A tool call the stream started: its name and what it was asked to do. */
struct adapter_tool {
	char			*id;
	char			*name;
	char			*what;
	char			*error;		/* its failed result, if any */
};

/* Strings to indexes, for the per-run sets and the ledger. */
struct adapter_index {
	char		**keys;
	size_t		 *vals;
	size_t		  size;
	size_t		  used;
};

struct adapter;

/* One stream format. */
struct adapter_ops {
	const char	*name;
	const char	*provider;
	int		 json;		/* lines are JSON objects */
	int		 cumulative;	/* usage is a resumed session's totals */
	int		 documents;	/* a pretty-printed object may span lines */
	void		(*init)(struct adapter *);
	void		(*free)(struct adapter *);
	void		(*line)(struct adapter *, struct cJSON *);
	void		(*finish)(struct adapter *, int);
};

/* One run's parser: line buffer, event queue, call ledger. */
struct adapter {
	const struct adapter_ops *ops;
	void			*data;		/* the format's own state */
	int			 quirks;
#define ADAPTER_QUIRK_AMP 0x1

	int64_t			 now;		/* 0: the real clock */
	char			*tz;		/* NULL: the local zone */
	char			*model;		/* when the stream names none */
	char			*session_id;

	char			*buf;
	size_t			 len;
	size_t			 size;
	int			 skipping;	/* dropping an over-long line */
	char			*split;		/* start of a line cut in two */
	char			*doc;		/* a document's lines so far */
	size_t			 doclen;
	u_int			 lines;
	u_int			 bad_lines;

	struct adapter_event	**queue;
	size_t			 qhead;
	size_t			 qlen;
	size_t			 qsize;

	struct adapter_call	*calls;
	size_t			 ncalls;
	struct adapter_index	 call_index;	/* msg_id to calls[] */

	struct adapter_index	 tool_index;	/* tool id to tools[] */
	struct adapter_tool	*tools;
	size_t			 ntools;
	struct adapter_index	 denied;	/* tool ids reported denied */
	char			*stderr_text;	/* the end of the CLI's stderr */

	struct ratelimit	*limits;	/* already reported */
	size_t			 nlimits;
	int64_t			 limit_reset;	/* last structured reset, -1 */
	int64_t			 retry_after;	/* seconds a 429 asked to wait, 0 */

	int			 turn_open;	/* activity since the last TURN_END */
	int			 finished;
	int			 has_cli_cost;
	double			 cli_cost;	/* the CLI's latest run total */
};

#define ADAPTER_LINE_MAX (64U * 1024 * 1024)

int		 adapter_index_get(struct adapter_index *, const char *,
		     size_t *);
int		 adapter_index_put(struct adapter_index *, const char *, size_t);
void		 adapter_index_free(struct adapter_index *);
const char	*adapter_ev_name(enum adapter_ev);
const struct adapter_ops *adapter_find(const char *);
const char	*adapter_names(void);
struct adapter	*adapter_new(const char *, char **);
void		 adapter_free(struct adapter *);
void		 adapter_set_now(struct adapter *, int64_t);
void		 adapter_set_tz(struct adapter *, const char *);
void		 adapter_set_model(struct adapter *, const char *);
void		 adapter_seed_usage(struct adapter *, const char *,
		     const struct adapter_usage *);
void		 adapter_feed(struct adapter *, const char *, size_t);
void		 adapter_finish(struct adapter *, int);
struct adapter_event *adapter_next(struct adapter *);
void		 adapter_event_free(struct adapter_event *);
void		 adapter_totals(struct adapter *, struct adapter_usage *);
int64_t		 adapter_now(struct adapter *);
struct adapter_event *adapter_emit(struct adapter *, enum adapter_ev);
void		 adapter_set_session(struct adapter *, const char *);
struct adapter_call *adapter_call_find(struct adapter *, const char *);
struct adapter_call *adapter_call_update(struct adapter *, const char *,
		     const char *, const struct adapter_usage *, int, int,
		     const double *);
void		 adapter_limit(struct adapter *, const struct ratelimit *,
		     const char *, int);
enum ratelimit_class adapter_check_text(struct adapter *, const char *,
		     int);
void		 adapter_turn_end(struct adapter *, int, int);
void		 adapter_error(struct adapter *, const char *);
void		 adapter_set_stderr(struct adapter *, const char *);
void		 adapter_tool_seen(struct adapter *, const char *, const char *,
		     const char *);
struct adapter_tool *adapter_tool_find(struct adapter *, const char *);
void		 adapter_denied(struct adapter *, const char *, const char *,
		     const char *, const char *);
void		 adapter_tool_failed(struct adapter *, const char *,
		     const char *);
char		*adapter_json_summary(struct cJSON *);
struct cJSON	*adapter_json_get(struct cJSON *, ...);
struct cJSON	*adapter_json_array(struct cJSON *, const char *);
const char	*adapter_json_str(struct cJSON *, const char *);
int64_t		 adapter_json_int(struct cJSON *, const char *, int64_t);
int		 adapter_json_is(struct cJSON *, const char *, const char *);
void		 adapter_json_add_string(struct cJSON *, const char *,
		     const char *);
void		 adapter_json_add_usage(struct cJSON *,
		     const struct adapter_usage *);
struct cJSON	*adapter_event_to_json(struct adapter_event *);

/* adapter-*.c: every format's ops */
void		 adapter_claude_usage(struct cJSON *, struct adapter_usage *);
extern const struct adapter_ops adapter_claude_ops;
extern const struct adapter_ops adapter_amp_ops;
extern const struct adapter_ops adapter_codex_ops;
extern const struct adapter_ops adapter_gemini_ops;
extern const struct adapter_ops adapter_opencode_ops;
extern const struct adapter_ops adapter_text_ops;

/* cmd-cost.c, cmd-parse.c */
extern const struct cmd_entry cmd_cost_entry;
extern const struct cmd_entry cmd_parse_entry;

/* price.c */
/* One model's prices, in USD per million tokens. */
struct price {
	char		*key;		/* normalised model key */
	char		*provider;
	double		 input;
	double		 output;
	double		 cache_write_5m;
	double		 cache_write_1h;
	double		 cache_read;
	int64_t		 tier_above;	/* context size where the tier starts, 0: none */
	double		 input_tier;
	double		 output_tier;
	double		 cache_write_5m_tier;
	double		 cache_write_1h_tier;
	double		 cache_read_tier;
	double		 fast;		/* multiplier for fast mode, 0: none */
	double		 web_search;	/* USD per thousand requests */
	char		*source;
	int64_t		 since;		/* UTC day it holds from, 0: always */
	char		 since_text[11];	/* that day as written, or "" */
};

extern const char price_default_data[];
int		 price_load_string(const char *, const char *, char **);
int		 price_load_file(const char *, char **);
int		 price_load_user(char **);
void		 price_reset(void);
const struct price *price_find(const char *);
const struct price *price_find_at(const char *, int64_t);
char		*price_entry_name(const struct price *);
int		 price_cost(const char *, const struct adapter_usage *, double *,
		     char **);
int		 price_cost_at(const char *, const struct adapter_usage *,
		     int64_t, double *, const struct price **, char **);
double		 price_apply(const struct price *, const struct adapter_usage *);
char		*price_normalise(const char *);

/* ui.c, ui-*.c, theme.c, report.c, store-view.c, cmd-report.c, cmd-ui.c */

/* One task as the board shows it, with what its runs add up to. */
struct board_card {
	int64_t		 id;
	int64_t		 parent_id;
	char		*title;
	char		*role;
	char		*reason;
	enum task_state	 state;
	int		 priority;
	u_int		 nopen_blockers;
	int64_t		 run_id;	/* latest run, 0 for none */
	char		*provider;	/* of the latest run */
	char		*model;
	double		 cost;		/* known costs summed */
	u_int		 ncalls;
	u_int		 nunknown;	/* calls whose cost is not known */
	int64_t		 reset_at;	/* rate limit it waits on, 0 none */
	int		 reset_estimated; /* reset_at is baton's estimate */
	u_int		 nchildren;
	u_int		 nchildren_done;
	int		 column;	/* BOARD_COL_* */
};

/* Board columns, left to right. */
enum {
	BOARD_COL_BACKLOG,
	BOARD_COL_READY,
	BOARD_COL_RUNNING,
	BOARD_COL_REVIEW,
	BOARD_COL_BLOCKED,
	BOARD_COL_DONE,
	BOARD_COL_FAILED,
};
#define BOARD_NCOLS (BOARD_COL_FAILED + 1)

/* The open sprint's tasks, or the tasks in no sprint when none is open. */
struct board {
	int64_t		 sprint_id;
	char		*sprint_name;
	struct board_card *cards;
	size_t		 ncards;
	int		 costs;		/* card costs are loaded */
};

/* One run with its token and cost totals and the tail of its events. */
struct run_info {
	int64_t		 id;
	int64_t		 task_id;
	int		 attempt;
	char		*task_title;
	char		*role;
	char		*provider;
	char		*model;
	char		*state;
	char		*outcome;
	char		*tmux_window;
	char		*purpose;	/* work, review or test */
	char		*answer;	/* what it was judged on, or NULL */
	int		 has_exit;
	int		 exit_status;
	int64_t		 started_at;
	int64_t		 ended_at;
	int64_t		 tokens_in;
	int64_t		 tokens_cache;
	int64_t		 tokens_out;
	double		 cost;
	u_int		 ncalls;
	u_int		 nunknown;
	double		 last_cost[3];	/* newest first; < 0 unknown */
	u_int		 nlast;
	int64_t		 reset_at;
	int		 reset_estimated; /* reset_at is baton's estimate */
	char		*tool;		/* latest tool event */
	char		*error;		/* latest error among recent events */
	char		*lines[3];	/* latest text, oldest first */
	u_int		 nlines;
};

/* One model call of the ledger. */
struct call_info {
	int64_t		 id;
	int64_t		 run_id;
	int64_t		 at;
	char		*model;
	int64_t		 tokens_in;
	int64_t		 tokens_cache_read;
	int64_t		 tokens_cache_write;
	int64_t		 tokens_out;
	int		 cost_known;
	double		 cost;
};

/* One stored event. */
struct event_info {
	int64_t		 id;
	int64_t		 run_id;
	int64_t		 at;
	char		*kind;
	char		*data;
};

/* Lines of a report or a text view; kind picks the look. */
enum text_kind {
	TEXT_PLAIN,
	TEXT_HEADING,
	TEXT_DIM,
	TEXT_GOOD,
	TEXT_BAD,
	TEXT_WARN,
	TEXT_COST,
};
struct text_line {
	enum text_kind	 kind;
	char		*text;
};
struct text {
	struct text_line *lines;
	size_t		 n;
};

/* A cost total over calls; unknown counts calls that carry no cost. */
struct cost_sum {
	char		*key;
	double		 cost;
	u_int		 ncalls;
	u_int		 nunknown;
	int64_t		 tokens_in;
	int64_t		 tokens_out;
};

/* One task line of a report. */
struct report_task {
	int64_t		 id;
	char		*title;
	char		*role;
	enum task_state	 state;
	char		*provider;	/* latest run's */
	char		*on;		/* what it waits on, in words */
	int64_t		*blockers;
	size_t		 nblockers;
	int64_t		 reset_at;
	u_int		 runs;
	char		*providers;	/* distinct, in order of first use */
	u_int		 nproviders;
	int64_t		 cycle;		/* finished_at - created_at */
};

struct report_tasks {
	struct report_task *items;
	size_t		 n;
};

struct report_costs {
	struct cost_sum	*items;
	size_t		 n;
};

/*
 * How far baton's cost of a run may be from what the CLI said it cost
 * (Claude's total_cost_usd, OpenCode's) before cost and the retro say so.
 */
#define COST_CLI_TOLERANCE 0.005

/* A run whose cost by baton's prices is not what its CLI said. */
struct report_cli_check {
	int64_t		 run;
	int64_t		 task;
	char		*provider;
	char		*models;	/* the price entries used */
	double		 cost;
	double		 cli;
};

/* What happened since the last standup mark. */
struct standup {
	int64_t		 since;
	int64_t		 now;
	int64_t		 sprint_id;
	char		*sprint_name;
	struct report_tasks done;
	struct report_tasks progress;
	struct report_tasks blocked;
	struct report_costs by_role;
	struct report_costs by_provider;
	double		 total;
	u_int		 ncalls;
	u_int		 nunknown;
};

/* A sprint looked back on. */
struct retro {
	int64_t		 sprint_id;
	char		*sprint_name;
	int64_t		 started;
	int64_t		 closed;
	struct report_tasks landed;
	struct report_tasks failed;
	struct report_tasks cancelled;
	struct report_tasks retried;	/* more than one run */
	struct report_tasks fallbacks;	/* more than one provider */
	u_int		 ntasks;
	u_int		 nruns;
	u_int		 ntasks_run;
	u_int		 nlimits;
	int64_t		 limit_wait;	/* seconds, summed */
	struct report_costs limits_by_provider;
	struct report_costs by_role;
	struct report_costs by_provider;
	struct report_costs by_model;
	double		 total;
	u_int		 ncalls;
	u_int		 nunknown;
	int64_t		 cycle_median;	/* -1 when nothing landed */
	int64_t		 cycle_p90;
	char		**lessons;
	size_t		 nlessons;
	struct report_cli_check *cli_checks;
	size_t		 ncli_checks;
};

/* Colour roles: what a piece of the screen means, not how it looks. */
enum ui_role {
	ROLE_DEFAULT,
	ROLE_HEADER,
	ROLE_STATUS,
	ROLE_MESSAGE,
	ROLE_ERROR,
	ROLE_SELECTION,
	ROLE_BORDER,
	ROLE_COLUMN,
	ROLE_TASK_ID,
	ROLE_TITLE,
	ROLE_ROLE,
	ROLE_PROVIDER,
	ROLE_COST,
	ROLE_COST_UNKNOWN,
	ROLE_COUNTDOWN,
	ROLE_RUN_STARTING,
	ROLE_RUN_RUNNING,
	ROLE_RUN_WAITING,
	ROLE_RUN_DONE,
	ROLE_RUN_FAILED,
	ROLE_TOOL,
	ROLE_DIM,
	ROLE_HEADING,
	ROLE_KEY,
	ROLE_GOOD,
	ROLE_BAD,
	ROLE_WARN,
};
#define UI_NROLES (ROLE_WARN + 1)

/* What a key asks for; the key table maps keys to these. */
enum ui_action {
	UI_NONE,
	UI_UP,
	UI_DOWN,
	UI_LEFT,
	UI_RIGHT,
	UI_PAGE_UP,
	UI_PAGE_DOWN,
	UI_HOME,
	UI_END,
	UI_ENTER,
	UI_BACK,
	UI_NEXT_VIEW,
	UI_PREV_VIEW,
	UI_BOARD,
	UI_LIVE,
	UI_STANDUP,
	UI_RETRO,
	UI_FILTER,
	UI_HELP,
	UI_ATTACH,
	UI_MARK,
	UI_GO,
	UI_PLAN,
	UI_REFRESH,
	UI_QUIT,
	UI_CLICK,
};

/* One key binding; the table also draws the help screen. */
struct ui_key {
	int		 key;
	const char	*name;
	enum ui_action	 action;
	const char	*doc;
};

struct ui_view;

/* What every view provides (tig's view ops, htop's Panel). */
struct ui_view_ops {
	const char	*name;
	void		(*open)(struct ui_view *);
	void		(*close)(struct ui_view *);
	void		(*draw)(struct ui_view *);
	int		(*key)(struct ui_view *, enum ui_action);
	void		(*resize)(struct ui_view *);
	void		(*update)(struct ui_view *);
};

/* A view on screen: its ops, its place and its own state. */
struct ui_view {
	const struct ui_view_ops *ops;
	struct store	*store;
	int		 x;
	int		 y;
	int		 sx;
	int		 sy;
	int64_t		 arg;		/* task id for the task view */
	int		 stale;		/* reload before the next draw */
	void		*data;
};

/* ui.c */
extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;
extern int	(*ui_attach_hook)(const char *, const char *, char **);
int		 ui_main(struct repo *, struct store *, char **);
struct repo	*ui_repository(void);
void		 ui_notify(void);
void		 ui_message(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 ui_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 ui_redraw(void);
void		 ui_want_clock(void);
void		 ui_open_task(int64_t);
void		 ui_later(struct ui_view *, void (*)(struct ui_view *));
const char	*ui_filter(void);
int		 ui_matches(const char *);
void		 ui_mouse(int *, int *);
int64_t		 ui_now(void);
void		 ui_attach(const char *, const char *);
void		 ui_put(int, int, int, enum ui_role, const char *);
void		 ui_put_raw(int, int, int, enum ui_role, const char *);
void		 ui_fill(int, int, int, enum ui_role);
void		 ui_text_draw(struct ui_view *, struct text *, size_t);
int		 ui_text_key(struct ui_view *, struct text *, size_t *,
		     enum ui_action);
void		 ui_textview_open(struct ui_view *);
void		 ui_textview_close(struct ui_view *);
void		 ui_textview_draw(struct ui_view *);
int		 ui_textview_key(struct ui_view *, enum ui_action);
struct text	*ui_textview_text(struct ui_view *);

/* ui-*.c */
extern const struct ui_view_ops ui_board_ops;
extern const struct ui_view_ops ui_live_ops;
extern const struct ui_view_ops ui_task_ops;
extern const struct ui_view_ops ui_standup_ops;
extern const struct ui_view_ops ui_retro_ops;
extern const struct ui_view_ops ui_help_ops;

/* theme.c */
extern const char *theme_name;
int		 theme_load(const char *, char **);
int		 theme_parse(const char *, size_t, char **);
void		 theme_start(void);
int		 theme_attr(enum ui_role);
const char	*theme_config_name(const char *);
int		 theme_is_mono(void);

/* store-view.c */
void		 store_bind_sprint(struct sqlite3_stmt *, int, int64_t);
int		 store_board_load(struct store *, struct board *, char **);
int		 store_board_costs(struct store *, struct board *, char **);
void		 board_free(struct board *);
int		 board_column(const struct board_card *);
const char	*board_column_name(int);
int		 store_runs_load(struct store *, int64_t, struct run_info **,
		     size_t *, char **);
void		 run_info_free(struct run_info *, size_t);
int		 store_calls_load(struct store *, int64_t, struct call_info **,
		     size_t *, char **);
void		 call_info_free(struct call_info *, size_t);
int		 store_events_load(struct store *, int64_t, u_int,
		     struct event_info **, size_t *, char **);
void		 event_info_free(struct event_info *, size_t);
char		*event_summary(const char *, const char *);
int		 store_mark_get(struct store *, const char *, int64_t *);
int		 store_mark_set(struct store *, const char *, int64_t, char **);
int		 store_data_version(struct store *);

/* report.c */
int		 report_standup(struct store *, int64_t, struct standup *,
		     char **);
void		 report_standup_free(struct standup *);
int		 report_retro(struct store *, int64_t, struct retro *, char **);
void		 report_retro_free(struct retro *);
void		 report_standup_text(struct standup *, struct text *);
void		 report_retro_text(struct retro *, int, struct text *);
struct cJSON	*report_standup_json(struct standup *);
struct cJSON	*report_retro_json(struct retro *);
int64_t		 report_percentile(int64_t *, size_t, u_int);
char		*report_cost(double, u_int, u_int);
char		*report_duration(int64_t);
char		*report_tokens(int64_t);
void		 text_add(struct text *, enum text_kind, const char *, ...)
		     __attribute__((format(printf, 3, 4)));
void		 text_free(struct text *);

/* cmd-report.c, cmd-ui.c; baton.c (--theme) */
extern const struct cmd_entry cmd_standup_entry;
extern const struct cmd_entry cmd_retro_entry;
extern const struct cmd_entry cmd_ui_entry;
extern const char *baton_theme;

/* git-worktree.c */
/* What a worktree operation did, one line per step, for the caller to show. */
struct worktree_log {
	char		**lines;
	size_t		  n;
};
#define WORKTREE_KEPT 1		/* worktree_remove kept work it would lose */
#define BATON_EXIT_KEPT 3	/* worktree rm: kept, see the task's reason */
char		*worktree_slug(const char *);
int		 worktree_main_branch(struct repo *, char **, char **);
int		 worktree_main_ref(struct git_repository *, char **,
		     struct git_oid *, char **);
void		 worktree_heal_lock(struct worktree_log *, const char *);
int		 worktree_ensure(struct repo *, struct store *, struct task *,
		     struct worktree_log *, char **);
int		 worktree_remove(struct repo *, struct store *, struct task *,
		     struct worktree_log *, char **);
void		 worktree_log_free(struct worktree_log *);

/* worktree.c */
void		 worktree_log_add(struct worktree_log *, const char *,
		     const char *, ...) __attribute__((format(printf, 3, 4)));
struct cJSON	*worktree_json(struct task *, struct worktree_log *,
		     const char *);
int		 gitc_worktree_ensure(struct repo *, struct task *,
		     struct worktree_log *, char **);
int		 gitc_worktree_remove(struct repo *, struct task *,
		     struct worktree_log *, char **);

/* cmd-worktree.c */
extern const struct cmd_entry cmd_worktree_add_entry;
extern const struct cmd_entry cmd_worktree_rm_entry;

/* lock.c */
/* Who holds the build lock, from its holder file. */
struct lock_holder {
	pid_t		 pid;		/* baton lock */
	pid_t		 child;		/* the command it runs, 0 before */
	int64_t		 run;		/* $BATON_RUN, 0 for none */
	int64_t		 started;
	char		*command;	/* made visible for printing */
};
struct lock;
struct lock	*lock_acquire(struct repo *, int, const char *, int64_t,
		     void (*)(const char *), char **);
int		 lock_set_child(struct lock *, pid_t, char **);
void		 lock_release(struct lock *);
int		 lock_fd(struct lock *);
int		 lock_status(struct repo *, struct lock_holder *, int *,
		     char **);
int		 lock_holder_alive(struct lock_holder *);
char		*lock_holder_text(struct lock_holder *);
void		 lock_holder_free(struct lock_holder *);

/* cmd-lock.c */
extern const struct cmd_entry cmd_lock_entry;

/* config.c, config-table.c, provider.c, cmd-config.c; theme_known */
/*
 * Configuration: the built-in data/baton.conf, then the user's
 * $XDG_CONFIG_HOME/baton/config, then the repository's .baton/config, all
 * INI read by one parser; a later file replaces an earlier one key by key.
 * Sections are [baton], [ui] (theme only), [provider "NAME"] and
 * [role "NAME"]. The options table says which keys each takes.
 *
 * Use: cf = config_load(repo, &cause) (NULL: cause names the first
 * problem); role = config_role(cf, task->role) (NULL: no such role); try
 * role->chain[0 .. nchain) in order; provider_argv(p, prompt, NULL,
 * session, resume, &argv, &cause) gives the argv to exec, with
 * p->format, p->env, p->stdin_from and p->concurrency for the rest;
 * config_free(cf) frees it all, providers' strings included.
 */
enum config_scope {
	CONFIG_BATON,		/* [baton] */
	CONFIG_UI,		/* [ui]: older home of the theme */
	CONFIG_PROVIDER,	/* [provider "NAME"] */
	CONFIG_ROLE,		/* [role "NAME"] */
};

enum config_type {
	CONFIG_STRING,
	CONFIG_NUMBER,		/* whole number within minimum..maximum */
	CONFIG_FLAG,		/* yes/no, true/false, on/off, 1/0 */
	CONFIG_CHOICE,		/* one of choices */
	CONFIG_FORMAT,		/* a stream adapter's name */
	CONFIG_COMMAND,		/* argv template with {placeholders} */
	CONFIG_LIST,		/* comma-separated names */
	CONFIG_ENV,		/* NAME=value; may be given several times */
};

#define CONFIG_REQUIRED 0x1	/* a section of its scope must set it */

/* One option (tmux options-table.c): also --help, the sample, the man page. */
struct config_option {
	enum config_scope	 scope;
	const char		*name;
	enum config_type	 type;
	const char		*default_value;	/* NULL: unset */
	long long		 minimum;
	long long		 maximum;
	const char *const	*choices;	/* NULL-terminated */
	int			 flags;
	const char		*alias;		/* same option as [baton] alias */
	const char		*example;	/* for the sample config */
	const char		*doc;		/* one line */
};

/* Where a value came from: a file and line, or the table (file NULL). */
struct config_value {
	char		*text;		/* as written; NULL: not set */
	char		**words;	/* COMMAND, LIST, ENV: the parts */
	u_int		 nwords;
	long long	 number;	/* NUMBER and FLAG */
	const char	*file;		/* NULL: the options table's default */
	u_int		 line;
};

/* One problem found while reading: file:line: message. */
struct config_problem {
	const char	*file;
	u_int		 line;
	char		*message;
};

/* What a provider's agent reads on standard input. */
enum provider_stdin {
	PROVIDER_STDIN_NULL,	/* /dev/null */
	PROVIDER_STDIN_INBOX,	/* the run's inbox, fed by 'baton send' */
};

/* How to start one agent CLI with one model. Strings belong to the config. */
struct provider {
	const char	 *name;
	char *const	 *argv;		/* template words, placeholders intact */
	u_int		  argc;
	char *const	 *resume;	/* the same to continue a session; NULL: cannot */
	u_int		  nresume;
	char *const	 *readonly;	/* the same, not changing the worktree */
	u_int		  nreadonly;
	int		  folder_sessions; /* a session resumes in its folder only */
	u_int		  stall;	/* seconds of silence that stop a run; 0 */
	const char	 *format;	/* stream adapter */
	const char	 *model;	/* NULL: the caller must name one */
	const char	 *price;	/* price table key: the model unless set */
	char *const	 *env;		/* NAME=value */
	u_int		  nenv;
	enum provider_stdin stdin_from;
	u_int		  concurrency;	/* 0: no limit of its own */
	struct config_value *values;	/* per option, for show */
};

/* A role: providers in order of preference, and its limits. */
struct role {
	const char	 *name;
	struct provider	**chain;	/* resolved; unknown names left out */
	u_int		  nchain;
	u_int		  concurrency;	/* 0: no limit of its own */
	int		  persistent;	/* keeps one agent session across tasks */
	struct config_value *values;
};

/* The merged configuration. */
struct config {
	u_int		  concurrency;	/* agents at once, all roles */
	u_int		  retries;	/* attempts after the first */
	u_int		  backoff;	/* seconds before the first retry; doubles */
	const char	 *theme;
	const char	 *test;		/* test command, or NULL */
	int		  review;	/* review gate on */
	const char	 *review_role;
	u_int		  review_rounds;
	int		  resolve_conflicts; /* conflicts = resolve */
	const char	 *plan_role;
	int		  lessons;	/* lesson runs on */
	const char	 *lesson_role;

	struct provider	**providers;	/* in order of first definition */
	size_t		  nproviders;
	struct role	**roles;
	size_t		  nroles;

	struct config_value *values;	/* [baton], per option */
	char		**files;	/* every file read, in order */
	u_int		 *files_read;	/* 1: existed and was read */
	size_t		  nfiles;
	struct config_problem *problems;
	size_t		  nproblems;
	struct config_state *state;	/* config.c's own: sections, reading */
};

#define CONFIG_BUILTIN "built-in"

/* Template placeholders a word uses. */
#define TEMPLATE_PROMPT 0x1
#define TEMPLATE_MODEL 0x2
#define TEMPLATE_SESSION 0x4

/* Which of a provider's commands provider_argv makes. */
#define PROVIDER_ARGV 0
#define PROVIDER_RESUME 1
#define PROVIDER_READONLY 2	/* argv when the provider has none */

extern const char config_default_data[];
extern const struct config_option config_options[];
extern const u_int config_noptions;
const char	*config_scope_name(enum config_scope);
const char	*config_type_name(const struct config_option *);
const struct config_option *config_option_find(enum config_scope,
		     const char *);
char		*config_sample(void);
struct config	*config_new(void);
void		 config_free(struct config *);
void		 config_read_string(struct config *, const char *, const char *);
void		 config_read_file(struct config *, const char *);
void		 config_finish(struct config *);
struct config	*config_read_all(const char *);
struct config	*config_load(struct repo *, char **);
char		*config_user_path(void);
void		 config_problem(struct config *, const char *, u_int,
		     const char *, ...) __attribute__((format(printf, 4, 5)));
struct provider	*config_provider(struct config *, const char *);
struct role	*config_role(struct config *, const char *);
int		 template_split(const char *, char ***, u_int *, char **);
int		 template_check(const char *, int *, char **);
char		*template_expand(const char *, const char *, const char *,
		     const char *, char **);
int		 provider_argv(const struct provider *, const char *,
		     const char *, const char *, int, char ***, char **);
void		 provider_argv_free(char **);
extern const struct cmd_entry cmd_config_check_entry;
extern const struct cmd_entry cmd_config_show_entry;
extern const struct cmd_entry cmd_config_sample_entry;
int		 theme_known(const char *);	/* in theme.c */

/* git-merge.c, merge.c */
/* What landing a task's branch on main did: baton-git merge's answer. */
struct merge_result {
	int			 result;	/* MERGE_* */
	char			*main;		/* main's new tip, or NULL */
	char			*base;		/* main's tip before */
	u_int			 commits;	/* commits landed */
	char			**files;	/* conflicting or dirty paths */
	size_t			 nfiles;
	char			*message;	/* one line for people */
	char			*proof;		/* the proof's JSON text, or NULL */
	struct worktree_log	 log;
};
#define MERGE_MERGED 0
#define MERGE_CONFLICT 1
#define MERGE_HELD 2
#define MERGE_DIRTY 3
#define MERGE_EMPTY 4
#define MERGE_REBASED 5
#define MERGE_MOVED 6
#define MERGE_UNPROVEN 7
#define MERGE_CLEANED 8
#define MERGE_COMMITTED 9

/* git-commit.c */
int		 git_commit_task(struct repo *, struct task *, const char *,
		     const char *, const char *, struct merge_result *, char **);
int		 git_discard_task(struct repo *, struct task *, const char *,
		     struct merge_result *, char **);

/* git-resolve.c */
int		 git_resolve_prepare(struct repo *, struct task *,
		     struct merge_result *, char **);
int		 git_resolve_finish(struct repo *, struct task *, const char *,
		     const char *, const char *, struct merge_result *, char **);
int		 git_clean_task(struct repo *, struct store *, struct task *,
		     struct merge_result *, char **);
int		 git_merge_task(struct repo *, struct store *, struct task *,
		     const char *, const char *, struct merge_result *, char **);
int		 git_rebase_task(struct repo *, struct store *, struct task *,
		     struct merge_result *, char **);
const char	*merge_result_name(int);
struct cJSON	*merge_json(struct task *, struct merge_result *);
int		 gitc_merge(struct repo *, int64_t, struct merge_result *,
		     char **);
int		 gitc_merge_onto(struct repo *, int64_t, const char *,
		     const char *, struct merge_result *, char **);
int		 gitc_clean(struct repo *, int64_t, struct merge_result *,
		     char **);
int		 gitc_commit(struct repo *, int64_t, int64_t, const char *,
		     const char *, const char *, struct merge_result *, char **);
int		 gitc_discard(struct repo *, int64_t, struct merge_result *,
		     char **);
int		 gitc_resolve_prepare(struct repo *, int64_t,
		     struct merge_result *, char **);
int		 gitc_rebase(struct repo *, int64_t, struct merge_result *,
		     char **);
void		 merge_result_free(struct merge_result *);
extern const struct cmd_entry cmd_merge_entry;	/* in cmd-merge.c */

/* git-proof.c, store-proof.c */
/* One recorded proof that a landing dropped none of a task's work. */
struct merge_proof {
	int64_t		 id;
	int64_t		 task_id;
	int64_t		 at;
	int		 ok;
	char		*main_before;
	char		*main_after;
	char		*branch_head;
	u_int		 commits;	/* commits checked */
	char		*proof;		/* JSON text */
};
int		 git_proof(struct git_repository *, int64_t,
		     const struct git_oid *, const struct git_oid *,
		     const struct git_oid *, const struct git_oid *,
		     struct merge_proof **, char **, char **);
void		 merge_proof_free(struct merge_proof *);
int64_t		 store_proof_add(struct store *, struct merge_proof *, char **);
struct merge_proof *store_proof_find(struct store *, int64_t, const char *,
		     char **);
int		 store_proof_list(struct store *, int64_t, struct merge_proof ***,
		     size_t *, char **);
extern const struct cmd_entry cmd_proof_entry;	/* in cmd-proof.c */

#endif /* BATON_H */
