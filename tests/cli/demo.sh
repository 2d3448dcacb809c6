#!/bin/sh
# demo: a real repository with a real commit and a sample sprint; fake
# agents really work on the ready tasks; on a terminal the screen opens.
. "$(dirname "$0")/lib.sh"

teardown() {
	for d in "$TEST_TMP/demo" "$TEST_TMP/agents" "$TEST_TMP/screen"; do
		[ -d "$d/.baton" ] && "$BATON" -C "$d" tmux kill-server >/dev/null 2>&1
	done
	tmux -L "baton-demo-term-$$" kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

cd "$TEST_TMP" || exit 99
run demo --dir "$TEST_TMP/demo" --no-agents
ok "demo"
contains "demo says where it is" "$OUT" "$TEST_TMP/demo"
same "one commit on main" "$(git -C demo log --format=%s main)" "wc-lite: a tiny word counter"
git -C demo fsck --strict >/dev/null 2>&1 && pass || fail "git fsck on the demo"
same "work tree clean" "$(git -C demo status --porcelain)" ""
(cd demo && make -s >/dev/null 2>&1 && sh test.sh) >/dev/null 2>&1 && pass ||
    fail "the demo program does not build and pass its test"
run -C demo ls --json
same "eight tasks" "$(printf '%s' "$OUT" | jq length)" "8"
run -C demo ready --json
same "two tasks ready" "$(printf '%s' "$OUT" | jq -c 'map(.id)')" "[1,4]"
run -C demo show 8 --json
same "last task waits on both branches" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[6,7]"
run -C demo sprint ls --json
same "in an open sprint" "$(printf '%s' "$OUT" | jq -c 'map([.name, .open])')" '[["demo",true]]'

run demo --dir "$TEST_TMP/demo"
refused "demo into an existing folder" "wants a new folder"
TMPDIR="$TEST_TMP" "$BATON" demo --no-agents >/dev/null 2>&1 && pass ||
    fail "demo in a temporary folder"
ls -d "$TEST_TMP"/baton-demo.* >/dev/null 2>&1 && pass || fail "no temporary demo folder"

# With agents: the two ready tasks get fake agents that really commit in
# their worktrees, and their calls are stored with a cost.
run demo --dir "$TEST_TMP/agents"
ok "demo with agents"
contains "the agents are named" "$OUT" "Two fake agents are at work on #1 and #4."
i=0
while { [ ! -f agents/.baton/runs/1/exit ] || [ ! -f agents/.baton/runs/2/exit ]; } &&
    [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
run -C agents run --once
ok "store the agents' work"
run -C agents runs --json
same "both agents finished well" \
    "$(printf '%s' "$OUT" | jq -c 'map([.task, .state, .exit_status])')" \
    '[[1,"exited",0],[4,"exited",0]]'
# Claude reports each of its three calls; Codex one sum for its turn.
same "their calls are priced" \
    "$(sqlite3 agents/.baton/baton.db 'SELECT count(*), count(cost_usd) FROM calls')" "4|4"
branch=$("$BATON" -C agents show 1 --json | jq -r .branch)
same "task 1's commit is on its branch" "$(git -C agents log -1 --format=%s "$branch")" \
    "Design the -c and -L options"
same "and main is untouched" "$(git -C agents log --format=%s main)" "wc-lite: a tiny word counter"
git -C agents fsck --strict >/dev/null 2>&1 && pass || fail "git fsck after the agents"

# On a terminal, the demo opens the screen on its sprint.
tmux -L "baton-demo-term-$$" -f /dev/null new-session -d -x 140 -y 40 \
    "env TERM=screen LC_ALL=C.UTF-8 $BATON demo --dir $TEST_TMP/screen; sleep 600"
i=0
until tmux -L "baton-demo-term-$$" capture-pane -p | grep -q "Sprint demo"; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
contains "the screen shows the demo sprint" \
    "$(tmux -L "baton-demo-term-$$" capture-pane -p)" "Sprint demo"

finish
