#!/bin/sh
# The scheduler, end to end: 'baton run' works a sprint of fake agents in a
# real git repository on a private tmux server. Parallel tasks in their own
# worktrees; a usage limit that falls back to the next provider and later
# resumes at the reset in the same session; a fully limited chain that
# waits and resumes; retries with the checkpoint and the summary of the
# failed attempt; a task that fails for good; hostile titles that reach the
# agent only as data; and baton killed mid-sprint, restarted, finishing with
# nothing run twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sprint-lib.sh"

new_repo
run init
ok "init"
S=$TEST_TMP/scenarios
mkdir -p "$S/a" "$S/b" "$S/c" "$S/d" "$S/h" "$S/k"

# Providers: the fake agent in three formats, each with its own scenarios.
cat >.baton/config <<EOF
[baton]
concurrency = 3
retries = 1
backoff = 1
review = no
lessons = no

[provider "fa"]
argv = $FAKE -f claude -s 0.2 -S $S/a -p {prompt}
resume = $FAKE -f claude -s 0.2 -S $S/a -r {session} -p {prompt}
format = claude
model = claude-sonnet-4-5

[provider "fb"]
argv = $FAKE -f codex -s 0.2 -S $S/b -p {prompt}
format = codex
model = gpt-5-codex

[provider "fc"]
argv = $FAKE -f gemini -s 0.2 -S $S/c -p {prompt}
resume = $FAKE -f gemini -s 0.2 -S $S/c -r {session} -p {prompt}
format = gemini
model = gemini-2.5-pro

[provider "fd"]
argv = $FAKE -f claude -s 0.2 -S $S/d -p {prompt}
format = claude
model = claude-sonnet-4-5

[provider "fh"]
argv = $FAKE -f claude -s 0 -S $S/h -P $TEST_TMP/prompt-8 -p {prompt}
format = claude
model = claude-haiku-4-5

[provider "fh9"]
argv = $FAKE -f claude -s 0 -S $S/h -P $TEST_TMP/prompt-9 -p {prompt}
format = claude
model = claude-haiku-4-5

[provider "fk"]
argv = $FAKE -f claude -s 0.2 -S $S/k -p {prompt}
resume = $FAKE -f claude -s 0.2 -S $S/k -r {session} -p {prompt}
format = claude
model = claude-sonnet-4-5

[provider "missing"]
argv = no-such-agent-cli {prompt}
format = claude

[role "worker"]
chain = fa, fb

[role "solo"]
chain = fc

[role "tester"]
chain = fd
concurrency = 2

[role "hostile"]
chain = fh

[role "hostile9"]
chain = fh9

[role "keeper"]
chain = fk
persistent = yes

[role "nobody"]
chain = missing
EOF
run config check
ok "the test configuration is good"

# Each task writes a file of its own and commits it: the work to land.
work() {	# work FILE TEXT: scenario lines that do a task's work
	printf 'call 100 0 0 20\ntext working on %s\nwrite %s %s\ncommit %s\n' \
	    "$1" "$1" "$2" "add $1"
}
# 1 falls back to fb at a limit; fb is limited too; 1 waits, then goes back
# to fa in the session it was cut short in, with its checkpoint.
{ printf 'sleep 10000\ncall 100 0 0 20\ncheckpoint step one is done\n'
  printf 'limit You have hit your limit · try again in 6 seconds\n'; } \
    >"$S/a/T1.1.txt"
{ printf 'expect step one is done\nexpect usage limit of fa\n'
  printf 'limit Rate limit reached; try again in 40 seconds\n'; } \
    >"$S/b/T1.2.txt"
{ printf 'expect step one is done\nresumed back in the same session\n'
  work one.txt "first task's work"; } >"$S/a/T1.resume.txt"
# 2 is alone in its chain: it waits for the reset and resumes.
printf 'call 50 0 0 10\nlimit Quota exceeded. Please retry in 8s\n' \
    >"$S/c/T2.1.txt"
{ printf 'resumed continuing\n'; work two.txt "second task's work"; } \
    >"$S/c/T2.resume.txt"
# 3 fails once, and the retry is told why.
printf 'call 10 0 0 5\nfail the build broke: missing semicolon\n' \
    >"$S/d/T3.1.txt"
{ printf 'expect missing semicolon\n'; work three.txt "third"; } \
    >"$S/d/T3.2.txt"
# 4 fails every time.
printf 'call 10 0 0 5\nfail cannot do this\n' >"$S/d/T4.txt"
# 5 and 6 run in parallel with the others; 7 waits on them.
# (on fa, or on fb while fa is limited).
for d in a b; do
	work five.txt "fifth" >"$S/$d/T5.txt"
	work six.txt "sixth" >"$S/$d/T6.txt"
	work seven.txt "seventh, after five and six" >"$S/$d/T7.txt"
done
# 8 and 9: hostile titles.
work eight.txt "eighth" >"$S/h/T8.txt"
work nine.txt "ninth" >"$S/h/T9.txt"

run sprint new "s1"
ok "sprint"
run add "fall back and resume" --priority 0
run add "wait for the reset" --role solo
run add "retry with the reason" --role tester
run add "always fails" --role tester
run add "parallel five"
run add "parallel six"
run add "after five and six" --blocked-by 5,6
HOSTILE=$(printf 'Fix "the" parser; $(touch pwned) `touch pwned` && rm -rf ~\nsecond line \377\376 end')
run add "$HOSTILE" --role hostile
ok "hostile title added"
run add "placeholder" --role hostile9
sqlite3 .baton/baton.db "UPDATE tasks SET title = '\$(touch pwned)' ||
    replace(hex(zeroblob(500000)), '00', 'Ab') WHERE id = 9"
run add "no agent to run it" --role nobody
# 11 and 12: a persistent role keeps one session from task to task.
work eleven.txt "eleventh" >"$S/k/T11.txt"
{ printf 'resumed the role session goes on\n'; work twelve.txt "twelfth"; } \
    >"$S/k/T12.resume.txt"
run add "keeper's first" --role keeper
run add "keeper's second" --role keeper --blocked-by 11

# Paused, nothing starts.
run run --once
ok "run --once while paused"
start_runner
sleep 2
same "nothing runs while the sprint is paused" "$(q 'SELECT count(*) FROM runs')" "0"
run go
ok "go"
contains "go says it" "$OUT" "the sprint is going"

# Kill the runner twice while the sprint is under way.
wait_until 300 "the first runs start" \
    sh -c "[ \"\$(sqlite3 .baton/baton.db 'SELECT count(*) FROM runs')\" -ge 3 ]"
kill -9 "$RUNNER"; wait "$RUNNER" 2>/dev/null
sleep 1
start_runner
wait_until 300 "#2 waits for its provider's reset" is_state 2 waiting
contains "#2 says when it resumes" "$(q 'SELECT reason FROM tasks WHERE id = 2')" \
    "every provider of the solo is limited; resumes at"
wait_until 300 "tasks land" \
    sh -c "[ \"\$(sqlite3 .baton/baton.db \"SELECT count(*) FROM tasks WHERE state = 'done'\")\" -ge 2 ]"
kill -9 "$RUNNER"; wait "$RUNNER" 2>/dev/null
start_runner

wait_until 1200 "the sprint ends" settled
stop_runner

# What ended where.
for n in 1 2 3 5 6 7 8 9 11 12; do
	same "#$n is done" "$(state $n)" "done"
done
same "#4 failed for good" "$(state 4)" "failed"
contains "#4 says why" "$(q 'SELECT reason FROM tasks WHERE id = 4')" \
    "failed after 2 attempts"
contains "#4's reason has the agent's error" \
    "$(q 'SELECT reason FROM tasks WHERE id = 4')" "cannot do this"
same "#4 ran twice (retries = 1)" "$(q 'SELECT count(*) FROM runs WHERE task_id = 4')" "2"
same "#10 is blocked" "$(state 10)" "blocked"
contains "#10 says its CLI is missing" "$(q 'SELECT reason FROM tasks WHERE id = 10')" \
    "no-such-agent-cli (missing) not found"
same "#10 never ran" "$(q 'SELECT count(*) FROM runs WHERE task_id = 10')" "0"

# 1: fa, limited; fb, limited; back on fa in the first run's session.
same "#1's providers" "$(q 'SELECT group_concat(provider) FROM (SELECT provider FROM runs WHERE task_id = 1 ORDER BY id)')" "fa,fb,fa"
s1=$(q 'SELECT agent_session FROM runs WHERE task_id = 1 ORDER BY id LIMIT 1')
s3=$(q 'SELECT agent_session FROM runs WHERE task_id = 1 ORDER BY id DESC LIMIT 1')
[ -n "$s1" ] && pass || fail "#1's first run has no session"
same "#1 resumed in its first session" "$s3" "$s1"
r3=$(q 'SELECT id FROM runs WHERE task_id = 1 ORDER BY id DESC LIMIT 1')
grep -q "\"session_id\":\"$s1\"" ".baton/runs/$r3/stream.jsonl" && pass ||
    fail "the resumed run's stream is not in session $s1"
grep -q "back in the same session" ".baton/runs/$r3/stream.jsonl" && pass ||
    fail "the resumed run was not started with -r"
same "limits recorded for fa and fb" \
    "$(q "SELECT group_concat(provider) FROM (SELECT DISTINCT provider FROM rate_limits WHERE run_id IN (SELECT id FROM runs WHERE task_id = 1) ORDER BY provider)")" "fa,fb"
# The resume waited for fa's reset.
reset=$(q "SELECT reset_at FROM rate_limits WHERE provider = 'fa' ORDER BY id LIMIT 1")
started=$(q "SELECT started_at FROM runs WHERE id = $r3")
[ -n "$reset" ] && [ "$started" -ge "$reset" ] && pass ||
    fail "#1 resumed at $started, before fa's reset at $reset"

# 2: waited (its whole chain limited), then resumed in its session.
same "#2's runs" "$(q 'SELECT count(*) FROM runs WHERE task_id = 2')" "2"
same "#2 resumed in one session" \
    "$(q 'SELECT count(DISTINCT agent_session) FROM runs WHERE task_id = 2')" "1"
reset=$(q "SELECT reset_at FROM rate_limits WHERE provider = 'fc'")
started=$(q "SELECT max(started_at) FROM runs WHERE task_id = 2")
[ -n "$reset" ] && [ "$started" -ge "$reset" ] && pass ||
    fail "#2 resumed at $started, before fc's reset at $reset"

# 11 and 12: the keeper's second task went on in the first one's session.
k1=$(q 'SELECT agent_session FROM runs WHERE task_id = 11')
[ -n "$k1" ] && pass || fail "#11's run has no session"
same "#12 continued the keeper's session" \
    "$(q 'SELECT agent_session FROM runs WHERE task_id = 12')" "$k1"
same "the keeper's session is kept" \
    "$(q "SELECT session_id FROM agent_sessions WHERE role = 'keeper'")" "$k1"
grep -q "the role session goes on" ".baton/runs/$(q 'SELECT id FROM runs WHERE task_id = 12')/stream.jsonl" &&
    pass || fail "#12 was not started with -r"

# 3: the retry's prompt held the failure (expect would have failed).
same "#3 took two attempts" "$(q 'SELECT count(*) FROM runs WHERE task_id = 3')" "2"
grep -q "missing semicolon" ".baton/runs/$(q 'SELECT max(id) FROM runs WHERE task_id = 3')/prompt.md" &&
    pass || fail "#3's retry prompt lacks the reason"

# Nothing ran twice that had finished: one run each for the plain tasks.
for n in 5 6 7 8 9; do
	same "#$n ran once" "$(q "SELECT count(*) FROM runs WHERE task_id = $n")" "1"
done
# 7 started only after 5 and 6 were on main.
t7=$(q 'SELECT started_at FROM runs WHERE task_id = 7')
f56=$(q 'SELECT max(finished_at) FROM tasks WHERE id IN (5, 6)')
[ "$t7" -ge "$f56" ] && pass || fail "#7 started before its blockers landed"
# Never more than 3 at once, and some really in parallel (#1's first run
# sleeps two seconds while #2 and #3 start beside it).
overlap=$(q "SELECT max(n) FROM (SELECT (SELECT count(*) FROM runs b WHERE
    b.started_at <= a.started_at AND coalesce(b.ended_at, 1e18) > a.started_at) AS n
    FROM runs a)")
[ "$overlap" -le 3 ] && pass || fail "$overlap runs at once (concurrency 3)"
[ "$overlap" -ge 2 ] && pass || fail "no two runs overlapped"

# The work is on main, each file with its own task's text, history linear.
for f in one two three five six seven eight nine eleven twelve; do
	git cat-file -e "main:$f.txt" 2>/dev/null && pass || fail "$f.txt is not on main"
done
same "five.txt on main" "$(git show main:five.txt)" "fifth"
same "seven.txt on main" "$(git show main:seven.txt)" "seventh, after five and six"
same "main's history is linear" "$(git rev-list --merges main | wc -l)" "0"
same "every landed commit once" "$(git log --format=%s main | grep -c '^add ')" "10"
git fsck --strict >/dev/null 2>&1 && pass || fail "git fsck"
same "the main checkout is clean" "$(git status --porcelain)" ""
same "landed worktrees are gone" "$(git worktree list | grep -Ec 'T([1235-9]|1[12])-')" "0"

# Hostile titles reached the agent as one argument, as text, and ran nothing.
[ ! -e pwned ] && [ -z "$(find "$TEST_TMP" -name pwned)" ] && pass ||
    fail "a title was run by a shell"
p=$TEST_TMP/prompt-8
[ -f "$p" ] && pass || fail "no prompt recorded"
grep -qF 'Task: Fix "the" parser; $(touch pwned) `touch pwned` && rm -rf ~' "$p" && pass ||
    fail "#8's title is not in its prompt intact"
grep -qF "$(printf 'second line \357\277\275\357\277\275 end')" "$p" && pass ||
    fail "#8's invalid bytes did not become U+FFFD"
# 9's prompt (1 MB) went through a file; the argv named it.
grep -q "too long for a command line: read it from" "$TEST_TMP/prompt-9" &&
    pass || fail "#9's long prompt was not sent by file"
r9=$(q 'SELECT id FROM runs WHERE task_id = 9')
[ "$(wc -c <".baton/runs/$r9/prompt.md")" -gt 1000000 ] && pass ||
    fail "#9's prompt.md is not whole"
grep -qF '$(touch pwned)AbAbAb' ".baton/runs/$r9/prompt.md" && pass ||
    fail "#9's title is not in its prompt"

# retry brings a failed task back; pause stops new work.
run retry 4
ok "retry a failed task"
same "#4 is ready again" "$(state 4)" "ready"
same "#4's failures are reset" "$(q 'SELECT failures FROM tasks WHERE id = 4')" "0"
run retry 5
refused "retry a done task" "only a blocked, failed or waiting task"
run pause
ok "pause"
start_runner
sleep 3
stop_runner
same "nothing starts while paused" "$(q 'SELECT count(*) FROM runs WHERE task_id = 4')" "2"

finish
