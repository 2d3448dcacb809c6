/*
 * The numbered schema migrations. Each runs once, in order, in its own
 * transaction, and PRAGMA user_version records the last one applied. Never
 * edit a migration that has shipped: add a new one.
 */

#include "baton.h"

const char *store_migrations[] = {
	/* 1: sprints, tasks and their blocked_by edges. */
	"CREATE TABLE sprints ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK (length(name) > 0),"
	"  open INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),"
	"  created_at INTEGER NOT NULL,"
	"  closed_at INTEGER"
	");"
	"CREATE UNIQUE INDEX sprints_one_open ON sprints (open) WHERE open = 1;"
	"CREATE TABLE tasks ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  sprint_id INTEGER REFERENCES sprints (id),"
	"  parent_id INTEGER REFERENCES tasks (id),"
	"  title TEXT NOT NULL CHECK (length(title) > 0),"
	"  body TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT 'worker',"
	"  priority INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),"
	"  state TEXT NOT NULL DEFAULT 'backlog' CHECK (state IN ('backlog',"
	"    'ready', 'running', 'review', 'merging', 'done', 'blocked',"
	"    'waiting', 'failed', 'cancelled')),"
	"  branch TEXT,"
	"  worktree TEXT,"
	"  reason TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  finished_at INTEGER"
	");"
	"CREATE INDEX tasks_sprint ON tasks (sprint_id, state);"
	"CREATE INDEX tasks_parent ON tasks (parent_id);"
	"CREATE TABLE task_deps ("
	"  task_id INTEGER NOT NULL REFERENCES tasks (id),"
	"  blocker_id INTEGER NOT NULL REFERENCES tasks (id),"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (task_id, blocker_id),"
	"  CHECK (task_id <> blocker_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX task_deps_blocker ON task_deps (blocker_id);",

	/*
	 * 2: what running agents produce: runs, model calls with their cost,
	 * events, rate limits, kept agent sessions, lessons and standup marks.
	 */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  task_id INTEGER REFERENCES tasks (id),"
	"  attempt INTEGER NOT NULL DEFAULT 1,"
	"  role TEXT,"
	"  provider TEXT,"
	"  model TEXT,"
	"  format TEXT NOT NULL DEFAULT 'text',"
	"  agent_session TEXT,"
	"  tmux_window TEXT,"
	"  tmux_pane TEXT,"
	"  log_path TEXT,"
	"  log_offset INTEGER NOT NULL DEFAULT 0,"
	"  log_done INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL DEFAULT 'starting' CHECK (state IN ('starting',"
	"    'running', 'exited', 'interrupted', 'stopped')),"
	"  exit_status INTEGER,"
	"  outcome TEXT,"
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER"
	");"
	"CREATE INDEX runs_task ON runs (task_id);"
	"CREATE INDEX runs_state ON runs (state);"
	"CREATE INDEX runs_open ON runs (log_done) WHERE log_done = 0;"
	"CREATE TABLE calls ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id),"
	"  msg_id TEXT,"
	"  model TEXT,"
	"  at INTEGER NOT NULL,"
	"  tokens_in INTEGER NOT NULL DEFAULT 0,"
	"  tokens_cache_read INTEGER NOT NULL DEFAULT 0,"
	"  tokens_cache_write INTEGER NOT NULL DEFAULT 0,"
	"  tokens_out INTEGER NOT NULL DEFAULT 0,"
	"  cost_usd REAL,"
	"  cli_cost_usd REAL,"
	"  UNIQUE (run_id, msg_id)"
	");"
	"CREATE INDEX calls_run ON calls (run_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs (id),"
	"  offset INTEGER NOT NULL,"
	"  seq INTEGER NOT NULL DEFAULT 0,"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  data TEXT,"
	"  UNIQUE (run_id, offset, seq)"
	");"
	"CREATE TABLE rate_limits ("
	"  id INTEGER PRIMARY KEY,"
	"  provider TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  run_id INTEGER REFERENCES runs (id),"
	"  detected_at INTEGER NOT NULL,"
	"  reset_at INTEGER,"
	"  message TEXT"
	");"
	"CREATE INDEX rate_limits_provider ON rate_limits (provider, reset_at);"
	"CREATE TABLE agent_sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  role TEXT NOT NULL,"
	"  provider TEXT NOT NULL,"
	"  session_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  used_at INTEGER NOT NULL,"
	"  UNIQUE (role, provider)"
	");"
	"CREATE TABLE lessons ("
	"  id INTEGER PRIMARY KEY,"
	"  role TEXT NOT NULL,"
	"  task_id INTEGER REFERENCES tasks (id),"
	"  text TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL"
	");"
	"CREATE TABLE marks ("
	"  name TEXT PRIMARY KEY,"
	"  at INTEGER NOT NULL"
	");",

	/*
	 * 3: the scheduler's own state: whether the open sprint is being
	 * dispatched, when a task may next run (a retry's backoff or a wait
	 * for a limit's reset) and how many of its attempts failed.
	 */
	"ALTER TABLE sprints ADD COLUMN going INTEGER NOT NULL DEFAULT 0"
	"  CHECK (going IN (0, 1));"
	"ALTER TABLE tasks ADD COLUMN not_before INTEGER;"
	"ALTER TABLE tasks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;",

	/*
	 * 4: the way onto main. A task's kind says what its runs are for (work
	 * on code, a plan, the plan's validation, the resolution of another
	 * task's conflict, a lesson); rounds counts reviews that asked for
	 * changes; merge_base is the main commit its branch was rebased onto
	 * and the branch tip then, "MAIN TIP", as they were tested. A run's
	 * purpose is its task's work, a review of it or its tests; its answer
	 * is the final text judged. Each landing leaves a proof that nothing
	 * of the branch was dropped.
	 */
	"ALTER TABLE tasks ADD COLUMN kind TEXT NOT NULL DEFAULT 'work'"
	"  CHECK (kind IN ('work', 'plan', 'validate', 'resolve', 'lesson'));"
	"ALTER TABLE tasks ADD COLUMN target_id INTEGER REFERENCES tasks (id);"
	"ALTER TABLE tasks ADD COLUMN rounds INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tasks ADD COLUMN merge_base TEXT;"
	"ALTER TABLE runs ADD COLUMN purpose TEXT NOT NULL DEFAULT 'work'"
	"  CHECK (purpose IN ('work', 'review', 'test'));"
	"ALTER TABLE runs ADD COLUMN answer TEXT;"
	"CREATE TABLE merge_proofs ("
	"  id INTEGER PRIMARY KEY,"
	"  task_id INTEGER NOT NULL REFERENCES tasks (id),"
	"  at INTEGER NOT NULL,"
	"  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),"
	"  main_before TEXT,"
	"  main_after TEXT,"
	"  branch_head TEXT,"
	"  commits INTEGER NOT NULL DEFAULT 0,"
	"  proof TEXT NOT NULL"
	");"
	"CREATE INDEX merge_proofs_task ON merge_proofs (task_id);",

	/*
	 * 5: money and limits as their sources state them. A call records
	 * which price entry priced it ("claude-sonnet-5-5 since
	 * 2026-10-07"); a limit's reset time is marked when it is baton's
	 * estimate rather than a time the CLI gave.
	 */
	"ALTER TABLE calls ADD COLUMN price_entry TEXT;"
	"ALTER TABLE rate_limits ADD COLUMN estimated INTEGER NOT NULL "
	"  DEFAULT 0 CHECK (estimated IN (0, 1));",
};
const u_int store_nmigrations = nitems(store_migrations);

/* The tables each schema version must have: a file without them is not ours. */
const struct store_table store_tables[] = {
	{ 1, "sprints" },
	{ 1, "tasks" },
	{ 1, "task_deps" },
	{ 2, "runs" },
	{ 2, "calls" },
	{ 2, "events" },
	{ 2, "rate_limits" },
	{ 2, "agent_sessions" },
	{ 2, "lessons" },
	{ 2, "marks" },
	{ 4, "merge_proofs" },
};
const u_int store_ntables = nitems(store_tables);
