#!/bin/sh
# demo: a real repository with a real commit and a sprint that starts
# from one request; fake agents in three formats plan it, work it, review
# it and land it on main through the scheduler: a usage limit falls back,
# a review asks for changes, two tasks conflict and a resolution task keeps
# both, the tests run before each landing, every landing is proved and a
# lesson is recorded. On a terminal the screen opens.
. "$(dirname "$0")/lib.sh"

q_in() {	# q_in DIR SQL
	sqlite3 "$1/.baton/baton.db" "$2"
}
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
same "the sprint starts from the request, for the architect" \
    "$(printf '%s' "$OUT" | jq -c 'map([.id, .kind, .role, .state])')" '[[1,"plan","architect","ready"]]'
contains "the request is the task's text" "$(q_in demo 'SELECT body FROM tasks WHERE id = 1')" \
    "check the release as a whole"
run -C demo sprint ls --json
same "in an open sprint" "$(printf '%s' "$OUT" | jq -c 'map([.name, .open])')" '[["demo",true]]'

run demo --dir "$TEST_TMP/demo"
refused "demo into an existing folder" "wants a new folder"
TMPDIR="$TEST_TMP" "$BATON" demo --no-agents >/dev/null 2>&1 && pass ||
    fail "demo in a temporary folder"
ls -d "$TEST_TMP"/baton-demo.* >/dev/null 2>&1 && pass || fail "no temporary demo folder"

# With agents: the sprint is going, and baton run works it to the end.
run demo --dir "$TEST_TMP/agents" --speed 0.1
ok "demo with agents"
contains "the demo says it is going" "$OUT" "The sprint is going"
"$BATON" -C agents run >"$TEST_TMP/runner.log" 2>&1 &
RUNNER=$!
i=0
until [ "$(q_in agents "SELECT count(*) FROM tasks WHERE state <> 'done'")" = 0 ] ||
    [ $i -ge 1800 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill "$RUNNER"; wait "$RUNNER" 2>/dev/null
run -C agents ls --json
same "every task is done" "$(printf '%s' "$OUT" | jq -c 'map(.state) | unique')" '["done"]'
# The architect's plan: eight subtasks and a validation after them.
same "the plan made #2 to #9 and the validation #10" \
    "$(q_in agents "SELECT group_concat(kind) FROM (SELECT kind FROM tasks WHERE parent_id = 1 AND id <= 10 ORDER BY id)")" \
    "work,work,work,work,work,work,work,work,validate"
same "the validation found nothing missing" "$(q_in agents 'SELECT reason FROM tasks WHERE id = 10')" \
    "validated: nothing is missing"
# The limit: #3 fell back from demo-claude to demo-codex.
same "#3 fell back from demo-claude to demo-codex" \
    "$(q_in agents "SELECT group_concat(provider) FROM (SELECT provider FROM runs WHERE task_id = 3 AND purpose = 'work' ORDER BY id)")" \
    "demo-claude,demo-codex"
same "demo-claude's limit is recorded" \
    "$(q_in agents "SELECT count(*) FROM rate_limits WHERE provider = 'demo-claude' AND reset_at IS NOT NULL")" "1"
# Reviews: every subtask was reviewed; #6's first review asked for changes.
same "every subtask was reviewed" \
    "$(q_in agents "SELECT count(DISTINCT task_id) FROM runs WHERE purpose = 'review'")" "8"
same "#6 went back to the worker once" "$(q_in agents 'SELECT rounds FROM tasks WHERE id = 6')" "1"
contains "#6's review asked for changes" \
    "$(q_in agents "SELECT answer FROM runs WHERE task_id = 6 AND purpose = 'review' ORDER BY id LIMIT 1")" '"changes"'
# The conflict over NEWS: resolved by a task of its own, both lines kept.
same "one resolution, done" "$(q_in agents "SELECT count(*) || ' ' || min(state) FROM tasks WHERE kind = 'resolve'")" "1 done"
contains "NEWS has -c" "$(git -C agents show main:NEWS)" "-c counts characters"
contains "NEWS has -L" "$(git -C agents show main:NEWS)" "-L prints the length"
# Tests before each landing, and a proof after it.
same "the tests ran for every landing" \
    "$(q_in agents "SELECT count(DISTINCT task_id) FROM runs WHERE purpose = 'test' AND exit_status = 0")" "8"
same "every landed subtask has its proof" \
    "$(q_in agents 'SELECT count(DISTINCT task_id) FROM merge_proofs WHERE ok = 1')" "8"
same "no proof failed" "$(q_in agents 'SELECT count(*) FROM merge_proofs WHERE ok = 0')" "0"
# The lesson from #6.
contains "a lesson for the worker" "$(q_in agents "SELECT group_concat(text) FROM lessons WHERE role = 'worker' AND task_id = 6")" \
    "summary line"
same "four formats at work" \
    "$(q_in agents "SELECT group_concat(format) FROM (SELECT DISTINCT format FROM runs ORDER BY format)")" \
    "claude,codex,gemini,text"
same "the calls are priced" \
    "$(q_in agents 'SELECT count(*) = count(cost_usd) AND count(*) > 8 FROM calls')" "1"
same "the work is on main" "$(git -C agents log --format=%s main | wc -l)" "10"
same "the last landed is the check" "$(git -C agents log -1 --format=%s main)" "Check the release"
git -C agents cat-file -e main:tests/options.sh && pass || fail "tests/options.sh is not on main"
same "main's history is linear" "$(git -C agents rev-list --merges main | wc -l)" "0"
same "main's checkout is clean and current" "$(git -C agents status --porcelain)" ""
[ -f agents/REVIEW.md ] && pass || fail "main's checkout was not updated"
git -C agents fsck --strict >/dev/null 2>&1 && pass || fail "git fsck after the sprint"
same "no worktrees left" "$(git -C agents worktree list | wc -l)" "1"
same "no task branches left" "$(git -C agents branch --list 'baton/*' | wc -l)" "0"
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
