#!/bin/bash
# The screen does baton run's work in its own loop: a real agent started
# while the UI is open shows up on the live view with its tool, text and
# cost, and the UI stores its calls; quitting leaves the agent running.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
repo_new
# Agents work in worktrees made from main, so main needs a commit.
git -C "$REPO" -c user.name=test -c user.email=test@example.invalid \
    commit -q --allow-empty -m first || fail "first commit"
b sprint new live >/dev/null
b add "Fix the date parser" >/dev/null
b add "Keep running" >/dev/null

agents_cleanup() {
	b tmux kill-server >/dev/null 2>&1
	ui_cleanup
}
trap agents_cleanup EXIT

ui_start 120 40
keys 2
wait_for "0 active runs"

# The fake agent's three calls at Sonnet 4.5 prices add up to $0.051999.
b start 1 --format claude -- "$fake" -s 4 -f claude \
    "$SRCDIR/contrib/fake-agent/scenarios/fix-bug.txt" >/dev/null ||
    fail "start"
wait_for "1 active run$" 100
wait_for "#1 Fix the date parser +running" 100
wait_for "tool: (Bash|Edit)" 100
pass "a new run appears on the live view with its tool"
i=0
while [ ! -f "$REPO/.baton/runs/1/exit" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -f "$REPO/.baton/runs/1/exit" ] || fail "the agent did not finish"
wait_for "0 active runs" 100
calls=$(sqlite3 "$DB" "SELECT count(*) || ' ' || printf('%.6f', sum(cost_usd)) FROM calls WHERE run_id = 1")
[ "$calls" = "3 0.051999" ] || fail "the UI stored '$calls', not '3 0.051999'"
pass "the UI stored the run's calls and their cost"

# Another baton run is refused while the UI holds the lock.
out=$(b run --once 2>&1) && fail "baton run ran beside the UI: $out"
echo "$out" | grep -q "another baton is already running" ||
    fail "unexpected refusal: $out"
pass "one baton stores runs at a time"

# Quitting the UI leaves agents running in tmux.
b start 2 -- sleep 1000 >/dev/null || fail "start 2"
wait_for "1 active run$" 100
ui_quit
b tmux has-session 2>/dev/null || fail "baton's tmux server went with the UI"
[ ! -f "$REPO/.baton/runs/2/exit" ] || fail "the agent stopped with the UI"
pass "quitting the UI leaves the agent running"
echo "ui-runtime: 4 checks, 0 failed"
