#!/bin/sh
# baton cost over baton's own store: runs made by the real binary in tmux
# (the fake agent, a replayed stream), stored by baton run, then added up
# by run, task, parent, sprint, role, provider, model, day and session and
# compared with sums worked out by hand.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null 2>&1 || exit 77

SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
scenarios=$SRC/contrib/fake-agent/scenarios
new_repo
run init
teardown() {
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

# agent TASK RUN [START OPTIONS] -- ARGV: start a run, wait, store it.
agent() {
	task=$1 id=$2
	shift 2
	run start "$task" "$@"
	ok "start run $id"
	wait_exit "$id"
	run run --once
	ok "store run $id"
}
# cost BY: baton cost --json --by BY, in $COST.
cost() {
	run cost --json --by "$1"
	ok "cost --by $1"
	COST=$OUT
}
# row KEY: [calls, unpriced, partial, cost, CLI cost] of one row of $COST,
# the costs rounded to 1e-8; KEY is JSON (a number, a string or null).
row() {
	printf '%s' "$COST" | jq -c --argjson key "$1" '
	    def r: if . == null then null else . * 1e8 | round / 1e8 end;
	    .by as $by | .rows[] | select(.[$by] == $key) |
	    [.calls, .unpriced_calls, .partial, (.cost_usd | r),
	    (.cli_cost_usd | r)]'
}
total() {
	printf '%s' "$COST" | jq -c '
	    def r: if . == null then null else . * 1e8 | round / 1e8 end;
	    .total | [.calls, .unpriced_calls, .partial, (.cost_usd | r),
	    (.cli_cost_usd | r)]'
}

# Sprint alpha: #1 with a child #2 and a grandchild #3, and #4 alone.
# Sprint beta: #5.
run sprint new alpha
run add "Ship search"
run add "Index the docs" --parent 1
run add "Tokenise words" --parent 2 --role tester
run add "Fix the build"
same "four tasks in alpha" "$(q 'SELECT group_concat(id) FROM tasks
    WHERE sprint_id = 1')" "1,2,3,4"
for t in 1 2 3 4; do run edit $t --state done; done
run sprint close
run sprint new beta
run add "Release" --role reviewer
same "#5 in beta" "$(q 'SELECT sprint_id FROM tasks WHERE id = 5')" "2"
for t in 1 2 3 4; do run edit $t --state ready; done
same "alpha keeps its tasks" "$(q 'SELECT group_concat(sprint_id) FROM
    tasks WHERE id <= 4')" "1,1,1,1"

# Run 1, #2: fix-bug as Claude, on a Claude Max plan. At Sonnet 4.5 prices
# (in*3 + cache write*3.75 + read*0.3 + out*15, per million):
#   3/4200/14800/180: 9 + 15750 + 4440 + 2700 = 22899
#   6/900/19000/620:  18 + 3375 + 5700 + 9300 = 18393
#   4/300/19900/240:  12 + 1125 + 5970 + 3600 = 10707
#   $0.051999, which the fake's result also reports (turn_end).
agent 2 1 --format claude --provider claude-max -- \
    "$fake" -s 0.01 -f claude "$scenarios/fix-bug.txt"
# Run 2, #3 (tester): the same as OpenCode, which names no model (the
# run's is used) and reports each step's cost: $0.051999 both ways.
agent 3 2 --format opencode --provider anthropic --model claude-sonnet-4-5 -- \
    "$fake" -s 0.01 -f opencode "$scenarios/fix-bug.txt"
# Run 3, #4: two calls of a model with no price: unknown, not zero.
printf '%s\n' '{"type":"assistant","message":{"id":"msg_x1","model":"nobody-knows-1","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":10,"output_tokens":5}}}' \
    '{"type":"assistant","message":{"id":"msg_x2","model":"nobody-knows-1","content":[{"type":"text","text":"again"}],"usage":{"input_tokens":10,"output_tokens":5}}}' \
    >"$TEST_TMP/unknown.jsonl"
agent 4 3 --format claude -- cat "$TEST_TMP/unknown.jsonl"
# Run 4, #4: one call, then SIGSEGV halfway through a line:
#   8*3 + 1200*3.75 + 5000*0.3 + 140*15 = 24 + 4500 + 1500 + 2100 = 8124.
agent 4 4 --format claude -- "$fake" -s 0.01 "$scenarios/crash.txt"
same "run 4 died by SIGSEGV" "$(q 'SELECT exit_status FROM runs WHERE id = 4')" \
    "139"
# Run 5, #1: an auth failure: no calls, one auth record.
agent 1 5 --format claude -- "$fake" -s 0.01 "$scenarios/auth-error.txt"
same "run 5's auth failure" "$(q 'SELECT kind FROM rate_limits WHERE run_id = 5')" \
    "auth"
same "run 5 made no calls" "$(q 'SELECT count(*) FROM calls WHERE run_id = 5')" "0"
# Run 6, #5 (reviewer): fix-bug as Codex at gpt-5-codex prices, one summed
# call (the cache write counted as input): 5413 in, 53700 read, 1040 out:
#   5413*1.25 + 53700*0.125 + 1040*10 = 6766.25 + 6712.5 + 10400 = 23878.75
agent 5 6 --format codex --provider openai --model gpt-5-codex -- \
    "$fake" -s 0.01 -f codex "$scenarios/fix-bug.txt"
# Run 7, #1: edits and a commit in the repository itself:
#   5/2400/9100/310: 15 + 9000 + 2730 + 4650 = 16395
#   4/600/11800/120: 12 + 2250 + 3540 + 1800 = 7602    $0.023997
agent 1 7 --format claude -- "$fake" -s 0.01 "$scenarios/edit-commit.txt"
# The agent works in task 1's worktree, on the task's own branch.
wt=$("$BATON" show 1 --json | jq -r .worktree)
same "run 7 committed on the task's branch" "$(git -C "$wt" log -1 --format=%s)" \
    "Add greet() and its notes"
same "its files" "$(git -C "$wt" show --name-only --format= HEAD | sort | tr '\n' ' ')" \
    "doc/notes.md src/greet.c "
git fsck --strict --no-progress >/dev/null 2>&1 && pass || fail "git fsck"
same "and left nothing" "$(git -C "$wt" status --porcelain)" ""
same "main's work tree untouched" "$(git status --porcelain)" ""
# Run 8, #4: an agent that hangs after one call, stopped by baton:
#   6*3 + 800*3.75 + 4000*0.3 + 90*15 = 18 + 3000 + 1200 + 1350 = 5568.
run start 4 --format claude -- "$fake" -s 0.01 "$scenarios/hang.txt"
i=0
until grep -q 'Waiting for the build' .baton/runs/8/stream.jsonl 2>/dev/null ||
    [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.3
same "run 8 still hangs" "$(test -f .baton/runs/8/exit && echo exited)" ""
run stop 4
ok "stop the hung run"
wait_exit 8
run run --once
same "run 8 stopped" "$(q 'SELECT state FROM runs WHERE id = 8')" "stopped"

# By task:
#   #1: run 7                      2 calls  0.023997, CLI 0.023997
#   #2: run 1                      3 calls  0.051999, CLI 0.051999
#   #3: run 2                      3 calls  0.051999, CLI 0.051999
#   #4: runs 3, 4, 8               4 calls, 2 unpriced:
#       0.008124 + 0.005568 = 0.013692, partial, no CLI cost
#   #5: run 6                      1 call   0.02387875
#   total 13 calls, 0.023997 + 2*0.051999 + 0.013692 + 0.02387875
#     = 0.16556575, partial; CLI 0.023997 + 2*0.051999 = 0.127995
cost task
same "by task: #1" "$(row 1)" "[2,0,false,0.023997,0.023997]"
same "by task: #2" "$(row 2)" "[3,0,false,0.051999,0.051999]"
same "by task: #3" "$(row 3)" "[3,0,false,0.051999,0.051999]"
same "by task: #4" "$(row 4)" "[4,2,true,0.013692,null]"
same "by task: #5" "$(row 5)" "[1,0,false,0.02387875,null]"
same "by task: total" "$(total)" "[13,2,true,0.16556575,0.127995]"
same "by task: titles" "$(printf '%s' "$COST" | jq -r '.rows[] |
    select(.task == 3) | .label')" "Tokenise words"
same "from the store" "$(printf '%s' "$COST" | jq -r '[.source, .runs] |
    @tsv')" "store	7"
run cost --json
same "task is the default" "$(printf '%s' "$OUT" | jq -r .by)" "task"

# By parent: #2 and #3 (a grandchild) roll up into #1:
#   0.023997 + 0.051999 + 0.051999 = 0.127995, 2 + 3 + 3 = 8 calls.
cost parent
same "by parent: #1" "$(row 1)" "[8,0,false,0.127995,0.127995]"
same "by parent: #4" "$(row 4)" "[4,2,true,0.013692,null]"
same "by parent: #5" "$(row 5)" "[1,0,false,0.02387875,null]"
same "by parent: three rows" "$(printf '%s' "$COST" | jq '.rows | length')" "3"
same "by parent: the top task's title" "$(printf '%s' "$COST" | jq -r \
    '.rows[] | select(.parent == 1) | .label')" "Ship search"

# By sprint: alpha holds #1-#4: 8 + 4 = 12 calls, 0.127995 + 0.013692
# = 0.141687; beta holds #5.
cost sprint
same "by sprint: alpha" "$(row 1)" "[12,2,true,0.141687,0.127995]"
same "by sprint: beta" "$(row 2)" "[1,0,false,0.02387875,null]"
same "by sprint: names" "$(printf '%s' "$COST" | jq -r '[.rows[].label] |
    sort | join(",")')" "alpha,beta"

# By role: worker has runs 1, 3, 4, 7, 8: 3 + 2 + 1 + 2 + 1 = 9 calls,
# 0.051999 + 0.008124 + 0.023997 + 0.005568 = 0.089688; CLI 0.051999 +
# 0.023997 = 0.075996.
cost role
same "by role: worker" "$(row '"worker"')" "[9,2,true,0.089688,0.075996]"
same "by role: tester" "$(row '"tester"')" "[3,0,false,0.051999,0.051999]"
same "by role: reviewer" "$(row '"reviewer"')" "[1,0,false,0.02387875,null]"

# By provider: runs 3, 4, 7 and 8 named none: 2 + 1 + 2 + 1 = 6 calls,
# 0.008124 + 0.023997 + 0.005568 = 0.037689.
cost provider
same "by provider: claude-max" "$(row '"claude-max"')" \
    "[3,0,false,0.051999,0.051999]"
same "by provider: anthropic" "$(row '"anthropic"')" \
    "[3,0,false,0.051999,0.051999]"
same "by provider: openai" "$(row '"openai"')" "[1,0,false,0.02387875,null]"
same "by provider: none" "$(row null)" "[6,2,true,0.037689,0.023997]"

# By model: Sonnet 4.5 in runs 1, 2, 4, 7, 8: 3 + 3 + 1 + 2 + 1 = 10
# calls, 2*0.051999 + 0.008124 + 0.023997 + 0.005568 = 0.141687. The
# unknown model's cost is unknown (null), not 0.
cost model
same "by model: sonnet" "$(row '"claude-sonnet-4-5"')" \
    "[10,0,false,0.141687,0.127995]"
same "by model: unknown price" "$(row '"nobody-knows-1"')" \
    "[2,2,true,null,null]"
same "by model: codex" "$(row '"gpt-5-codex"')" "[1,0,false,0.02387875,null]"

# By run: one row for each run with calls (run 5 had none).
cost run
same "by run: ids" "$(printf '%s' "$COST" | jq -c '[.rows[].run] | sort')" \
    "[1,2,3,4,6,7,8]"
same "by run: run 8" "$(row 8)" "[1,0,false,0.005568,null]"
same "by run: run 4" "$(row 4)" "[1,0,false,0.008124,null]"
same "by run: total" "$(total)" "[13,2,true,0.16556575,0.127995]"

# By day: everything was stored today.
cost day
same "by day" "$(printf '%s' "$COST" | jq -c '[.rows[] | [.day, .calls]]')" \
    "[[\"$(date +%Y-%m-%d)\",13]]"

# By session: fix-bug names one session in every format: runs 1, 2, 6.
cost session
same "by session" "$(row '"5b0d3c1e-7a52-4d8e-9f6a-2c4b8e1d0a77"')" \
    "[7,0,false,0.12787675,0.103998]"

# The table: a partial cost ends in +, an unknown one is ?.
run cost --by model
ok "cost table"
contains "unknown cost shown as ?" "$(printf '%s\n' "$OUT" |
    grep '^nobody-knows-1')" "?"
contains "partial total" "$(printf '%s\n' "$OUT" | grep '^TOTAL')" "0.1656+"
contains "the note" "$OUT" "+ 2 calls with no known price not counted"
run cost
contains "task rows show titles" "$OUT" "#3 Tokenise words"

# --transcripts reads Claude Code's folders instead, as outside a repository.
mkdir -p "$TEST_TMP/claude/projects/p"
cp "$FIXTURES/agents/claude-transcript/ccusage-fixture-chat.jsonl" \
    "$TEST_TMP/claude/projects/p/a.jsonl"
OUT=$(CLAUDE_CONFIG_DIR=$TEST_TMP/claude "$BATON" cost --json --transcripts)
same "--transcripts" "$(printf '%s' "$OUT" | jq -c '[.source, .by,
    .total.calls]')" '["files","session",3]'
OUT=$(cd "$TEST_TMP" && CLAUDE_CONFIG_DIR=$TEST_TMP/claude "$BATON" cost --json)
same "outside a repository" "$(printf '%s' "$OUT" | jq -c '[.source,
    .total.calls]')" '["files",3]'

# What only the store can answer needs the store.
run cost --by sprint "$TEST_TMP/unknown.jsonl"
same "--by sprint with a PATH" "$RC" "2"
run cost --transcripts --by parent
same "--by parent with --transcripts" "$RC" "2"
run cost --format claude
same "--format without a PATH" "$RC" "2"
run cost --transcripts .
same "--transcripts with a PATH" "$RC" "2"

finish
