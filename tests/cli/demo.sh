#!/bin/sh
# demo: a real repository with a real commit and a sample sprint; fake
# agents in three formats work the whole sprint onto main through the
# scheduler, one of them hitting a usage limit; on a terminal the screen
# opens.
. "$(dirname "$0")/lib.sh"

RUNNER=
teardown() {
	[ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null
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

# With agents: the sprint is going, and baton run works it to the end with
# fake agents in three formats. demo-claude hits its usage limit on #2,
# which falls back to demo-codex; every task lands on main.
run demo --dir "$TEST_TMP/agents" --speed 0.1
ok "demo with agents"
contains "the demo says it is going" "$OUT" "The sprint is going"
"$BATON" -C agents run >"$TEST_TMP/runner.log" 2>&1 &
RUNNER=$!
i=0
until [ "$(sqlite3 agents/.baton/baton.db "SELECT count(*) FROM tasks WHERE state = 'done'")" = 8 ] ||
    [ $i -ge 1200 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$RUNNER"; wait "$RUNNER" 2>/dev/null
run -C agents ls --json
same "every task is done" "$(printf '%s' "$OUT" | jq -c 'map(.state) | unique')" '["done"]'
same "#2 fell back from demo-claude to demo-codex" \
    "$(sqlite3 agents/.baton/baton.db "SELECT group_concat(provider) FROM (SELECT provider FROM runs WHERE task_id = 2 ORDER BY id)")" \
    "demo-claude,demo-codex"
same "demo-claude's limit is recorded" \
    "$(sqlite3 agents/.baton/baton.db "SELECT count(*) FROM rate_limits WHERE provider = 'demo-claude' AND reset_at IS NOT NULL")" "1"
same "three formats at work" \
    "$(sqlite3 agents/.baton/baton.db "SELECT group_concat(format) FROM (SELECT DISTINCT format FROM runs ORDER BY format)")" \
    "claude,codex,gemini"
same "one run a task, and #2's two" "$(sqlite3 agents/.baton/baton.db 'SELECT count(*) FROM runs')" "9"
same "the calls are priced" \
    "$(sqlite3 agents/.baton/baton.db 'SELECT count(*) = count(cost_usd) AND count(*) > 8 FROM calls')" "1"
same "the work is on main" "$(git -C agents log --format=%s main | wc -l)" "9"
same "the last landed is the review" "$(git -C agents log -1 --format=%s main)" "Review the release"
git -C agents cat-file -e main:tests/options.sh && pass || fail "tests/options.sh is not on main"
same "main's history is linear" "$(git -C agents rev-list --merges main | wc -l)" "0"
same "main's checkout is clean and current" "$(git -C agents status --porcelain)" ""
[ -f agents/REVIEW.md ] && pass || fail "main's checkout was not updated"
git -C agents fsck --strict >/dev/null 2>&1 && pass || fail "git fsck after the sprint"
same "no worktrees left" "$(git -C agents worktree list | wc -l)" "1"
(cd agents && make -s >/dev/null 2>&1 && sh test.sh) >/dev/null 2>&1 && pass ||
    fail "the program no longer builds and passes its test"

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
contains "the screen says the sprint is going" \
    "$(tmux -L "baton-demo-term-$$" capture-pane -p | head -n 1)" "going"

finish
