#!/bin/sh
# Decomposition, end to end with 'baton run', real tmux, real git and fake
# agents: 'baton plan' gives a request to the architect, whose JSON answer
# becomes subtasks with a validation task after them. A malformed or
# cyclic answer is rejected with the reason and the raw answer kept; a
# validation that finds gaps adds them as subtasks, and validates again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sprint-lib.sh"

new_repo
run init
run sprint new plans
S=$TEST_TMP/scenarios
mkdir -p "$S/a" "$S/w"
cat >.baton/config <<EOF
[baton]
concurrency = 3
retries = 1
backoff = 1
review = no
lessons = no

[provider "fa"]
argv = $FAKE -f claude -s 0.1 -S $S/a -p {prompt}
format = claude
model = claude-opus-4-1

[provider "fw"]
argv = $FAKE -f codex -s 0.1 -S $S/w -p {prompt}
format = codex
model = gpt-5-codex

[role "architect"]
chain = fa

[role "worker"]
chain = fw
EOF
run config check
ok "the test configuration is good"

# Bad requests are refused before anything is stored.
run plan
refused "plan without a request" "give the request"
run plan "   "
refused "an empty request" "a plan needs a request that is not empty"
same "nothing was stored" "$(q 'SELECT count(*) FROM tasks')" "0"

# 1: the answer holds no JSON. 2: its plan has a cycle.
run plan "Make it faster"
ok "plan"
same "plan says what it made" "$OUT" "#1 Plan: Make it faster: the architect plans it"
contains "plan says the sprint is paused" "$ERR" "baton go"
printf 'text I would rather not plan this.\n' >"$S/a/T1.txt"
run plan --json 'A request with $(touch pwned) and "quotes"; rm -rf /'
ok "plan --json"
same "plan --json is the task" "$(printf '%s' "$OUT" | jq -c '[.id, .kind, .role, .state]')" \
    '[2,"plan","architect","ready"]'
{ printf 'expect $(touch pwned) and "quotes"; rm -rf /\n'
  printf 'text [{"title": "a", "blocked_by": [1]}, {"title": "b", "blocked_by": [0]}]\n'; } >"$S/a/T2.txt"

# 3: a good plan of two subtasks; its validation finds a gap; the second
# validation finds none.
printf 'First line of the request\nand its second line.\n' >"$TEST_TMP/request"
run plan --file "$TEST_TMP/request"
ok "plan --file"
same "the title is the first line" "$(q 'SELECT title FROM tasks WHERE id = 3')" "Plan: First line of the request"
{ printf 'expect and its second line.\nexpect do not change or commit any file\n'
  printf 'text Here is the plan:\ntext ```json\n'
  printf 'text [{"title": "write one", "role": "worker", "body": "one.txt"}, {"title": "write two", "role": "worker", "body": "two.txt", "blocked_by": [0]}]\n'
  printf 'text ```\n'; } >"$S/a/T3.txt"
printf 'write one.txt one\ncommit one\ntext done\n' >"$S/w/T4.txt"
printf 'write two.txt two\ncommit two\ntext done\n' >"$S/w/T5.txt"
{ printf 'expect write one\nexpect write two\n'
  printf 'text {"gaps": [{"title": "write three", "role": "worker", "body": "three.txt was asked for"}]}\n'; } >"$S/a/T6.txt"
printf 'write three.txt three\ncommit three\ntext done\n' >"$S/w/T7.txt"
{ printf 'expect write three\n'; printf 'text All there. {"gaps": []}\n'; } >"$S/a/T8.txt"

run go
run_until_settled 1200 "the plans settle"

# 1: rejected, the raw answer kept.
same "#1 is blocked" "$(state 1)" "blocked"
contains "#1 says the plan was rejected" "$(q 'SELECT reason FROM tasks WHERE id = 1')" \
    "the plan was rejected: the answer holds no JSON"
run runs --json
same "the raw answer is kept" "$(printf '%s' "$OUT" | jq -r '.[] | select(.task == 1) | .answer')" \
    "I would rather not plan this."
# 2: rejected for its cycle; the hostile request was only ever data.
same "#2 is blocked" "$(state 2)" "blocked"
contains "#2 names the cycle" "$(q 'SELECT reason FROM tasks WHERE id = 2')" "cycle"
[ ! -e pwned ] && [ ! -e "$TEST_TMP/pwned" ] && pass || fail "the request ran as a command"
same "no subtasks of rejected plans" "$(q 'SELECT count(*) FROM tasks WHERE parent_id IN (1, 2)')" "0"
# 3: subtasks, a validation after them, a gap and a second validation.
same "#3 is done" "$(state 3)" "done"
contains "#3 says what it planned" "$(q 'SELECT reason FROM tasks WHERE id = 3')" "planned 2 subtasks (#4 to #5)"
same "the subtasks and validations" \
    "$(q "SELECT group_concat(id || ':' || kind || ':' || role || ':' || parent_id, ' ') FROM (SELECT * FROM tasks WHERE id > 3 ORDER BY id)")" \
    "4:work:worker:3 5:work:worker:3 6:validate:architect:3 7:work:worker:3 8:validate:architect:3"
run show 5 --json
same "the plan's edges" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[4]"
run show 6 --json
same "the validation waits on the subtasks" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[4,5]"
run show 8 --json
same "the second validation waits on the gap" "$(printf '%s' "$OUT" | jq -c .blocked_by)" "[7]"
contains "the first validation found the gap" "$(q 'SELECT reason FROM tasks WHERE id = 6')" "found 1 gap: #7"
same "the second found none" "$(q 'SELECT reason FROM tasks WHERE id = 8')" "validated: nothing is missing"
same "every subtask is done" "$(q "SELECT group_concat(state) FROM (SELECT state FROM tasks WHERE id > 3 ORDER BY id)")" \
    "done,done,done,done,done"
same "the work is on main" "$(git log --format=%s main | head -n 3 | sort | tr '\n' ' ')" "one three two "
same "the answer runs left nothing behind" "$(git worktree list | wc -l)" "1"
same "main's checkout is clean" "$(git status --porcelain)" ""
git fsck --strict >/dev/null 2>&1 && pass || fail "git fsck"

finish
