#!/bin/bash
# standup and retro without the UI: JSON, text and Markdown checked against
# figures worked out by hand from the rows below.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }

repo_new
b retro >/dev/null 2>&1 && fail "retro with no sprint succeeded"
b sprint new s >/dev/null
T0=1700000000
t=$(now)
for name in Alpha Beta Gamma Delta Eps Zeta Eta Theta Iota Kappa; do
	b add "$name" >/dev/null
done
sql "UPDATE sprints SET created_at = $T0;
    UPDATE tasks SET role = 'architect' WHERE id = 1;
    UPDATE tasks SET role = 'designer' WHERE id = 4;
    UPDATE tasks SET role = 'reviewer' WHERE id = 10"
b dep add 9 7 >/dev/null
for id in 1 2 3 4; do b edit $id --state done >/dev/null; done
b edit 5 --state failed >/dev/null
b cancel 6 >/dev/null
b edit 7 --state running >/dev/null
b edit 8 --state waiting >/dev/null
b edit 9 --state blocked >/dev/null
b edit 10 --state review >/dev/null
sql "UPDATE tasks SET created_at = $T0, finished_at = $((T0 + 3600)) WHERE id = 1;
    UPDATE tasks SET created_at = $T0, finished_at = $((T0 + 7200)) WHERE id = 2;
    UPDATE tasks SET created_at = $((T0 + 100)), finished_at = $((T0 + 700)) WHERE id = 3;
    UPDATE tasks SET created_at = $T0, finished_at = $((T0 + 36000)) WHERE id = 4;
    UPDATE tasks SET reason = 'tests kept failing' WHERE id = 5"

r1=$(run_add 1 exited architect claude opus $T0)
r2=$(run_add 2 exited worker claude sonnet $T0)
r3=$(run_add 2 exited worker codex gpt-5 $T0 2)
r4=$(run_add 5 exited worker claude sonnet $T0)
r5=$(run_add 5 exited worker claude sonnet $T0 2)
r6=$(run_add 8 exited worker gemini pro $T0)
r7=$(run_add 7 running worker claude sonnet $T0)
call_add $r1 $((T0 + 10)) 100 0 10 0.5 "'opus'"
call_add $r1 $((T0 + 20)) 100 0 10 0.25 "'opus'"
call_add $r2 $((T0 + 6000)) 1000 0 100 1.0
call_add $r3 $((T0 + 7000)) 10 0 1 0.3
call_add $r3 $((T0 + 7000)) 10 0 1 NULL
call_add $r4 $((T0 + 30)) 1 0 1 0.05
call_add $r5 $((T0 + 40)) 1 0 1 0.05
call_add $r6 $((T0 + 50)) 1 0 1 0.1
call_add $r7 $((T0 + 8000)) 1 0 1 0.2
limit_add gemini $r6 $((T0 + 500)) $((T0 + 2300))
limit_add gemini $r6 $((T0 + 3000)) $((T0 + 3600))
limit_add gemini $r6 "$t" $((t + 7200))
sql "INSERT INTO lessons (role, task_id, text, created_at) VALUES
    ('worker', 5, 'Run the tests before pushing', $((T0 + 10)));
    INSERT INTO lessons (role, text, created_at) VALUES
    ('sre', 'Watch the quota', $((T0 + 50))),
    ('sre', 'From before the sprint', $((T0 - 100)))"
sql "INSERT INTO marks (name, at) VALUES ('standup', $((T0 + 5000)))"

check() {
	echo "$json" | jq -e "$1" >/dev/null || {
		echo "FAIL: $what: $1" >&2
		echo "$json" | jq . >&2
		exit 1
	}
}

json=$(b retro --json) || fail "retro --json"
what=retro
check '.sprint.name == "s" and .tasks == 10'
check '[.landed[].id] == [3, 1, 2, 4]'
check '[.landed[].cycle_seconds] == [600, 3600, 7200, 36000]'
check '.cycle_time.median_seconds == 3600 and .cycle_time.p90_seconds == 36000'
check '[.failed[].id] == [5] and .failed[0].reason == "tests kept failing"'
check '[.cancelled[].id] == [6]'
check '.attempts.runs == 7 and .attempts.tasks_run == 5'
check '[.attempts.retried[] | [.id, .runs, .providers]] == [[2, 2, "claude,codex"], [5, 2, "claude"]]'
check '[.fallbacks[] | [.id, .providers]] == [[2, "claude,codex"]]'
check '.rate_limits.count == 3 and .rate_limits.wait_seconds == 9600'
check '.cost.total_usd == 2.45 and .cost.calls == 9 and .cost.unknown_cost_calls == 1'
check '[.cost.by_role[] | [.key, .cost_usd, .calls, .unknown_cost_calls]] == [["worker", 1.7, 7, 1], ["architect", 0.75, 2, 0]]'
check '[.cost.by_provider[] | [.key, .cost_usd, .calls]] == [["claude", 2.05, 6], ["codex", 0.3, 2], ["gemini", 0.1, 1]]'
check '[.cost.by_model[] | [.key, .cost_usd, .calls]] == [["sonnet", 1.3, 4], ["opus", 0.75, 2], ["gpt-5", 0.3, 2], ["pro", 0.1, 1]]'
check '.lessons == ["[worker] Run the tests before pushing (#5)", "[sre] Watch the quota"]'
pass "retro --json"

md=$(b retro --markdown) || fail "retro --markdown"
printf '%s\n' "$md" | grep -q '^# Retrospective: sprint s (' || fail "retro --markdown title"
for line in "## Landed (4)" "- #3 Gamma (worker) (10m00s)" \
    "- #4 Delta (designer) (10h00m)" "## Failed (1)" "- #5 Eps (worker): tests kept failing" \
    "Cycle time: median 1h00m, p90 10h00m" "## Rate-limit waits (3, 2h40m in all)" \
    "## Cost (\$2.45+1 unknown over 9 calls)" "- [sre] Watch the quota"; do
	printf '%s\n' "$md" | grep -qxF -- "$line" || fail "retro --markdown lacks: $line"
done
pass "retro --markdown"

json=$(b standup --json) || fail "standup --json"
what=standup
check ".since == $((T0 + 5000))"
check '[.done[].id] == [2, 4]'
check '[.in_progress[] | [.id, .state, .provider]] == [[7, "running", "claude"], [10, "review", null]]'
check '[.blocked[] | [.id, .state, .blocked_by]] == [[8, "waiting", []], [9, "blocked", [7]]]'
check ".blocked[0].reset_at == $((t + 7200)) and (.blocked[0].on | startswith(\"rate limit on gemini until \"))"
check '.blocked[1].on == "#7"'
check '.spend.total_usd == 1.5 and .spend.calls == 4 and .spend.unknown_cost_calls == 1'
check '[.spend.by_role[] | [.key, .cost_usd, .calls]] == [["worker", 1.5, 4]]'
check '[.spend.by_provider[] | [.key, .cost_usd, .calls, .unknown_cost_calls]] == [["claude", 1.2, 2, 0], ["codex", 0.3, 2, 1]]'
pass "standup --json"

text=$(b standup) || fail "standup"
for line in "Done (2)" "  #2 Beta (worker)" "  #9 Iota (worker) [blocked] on #7" \
    "Spend (\$1.50+1 unknown over 4 calls)"; do
	printf '%s\n' "$text" | grep -qxF -- "$line" || fail "standup lacks: $line"
done
pass "standup text"

before=$(now)
b standup --mark >/dev/null || fail "standup --mark"
at=$(sql "SELECT at FROM marks WHERE name = 'standup'")
[ "$at" -ge "$before" ] || fail "mark not moved: $at"
json=$(b standup --json)
check "[.done[].id] == [] and .spend.calls == 0"
pass "standup --mark"

b retro --json --markdown >/dev/null 2>&1 && fail "--json with --markdown accepted"
b retro --sprint 99 >/dev/null 2>&1 && fail "unknown sprint accepted"
pass "bad arguments"
