#!/bin/bash
# Live runs: a card per active run with tool, text, tokens, costs, elapsed
# time, retries, errors and a rate-limit countdown; a compact table for 40.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
b sprint new live >/dev/null
b add "Port the lexer" >/dev/null
b add "Tune the cache" --role sre >/dev/null
b add "Finished long ago" >/dev/null
t=$(now)

ui_start 120 40
keys 2
wait_for "0 active runs"
expect "No agent is running now"
pass "no runs"

r1=$(run_add 1 running worker claude opus $((t - 125)) 2)
call_add "$r1" "$t" 1000 10000 100 0.01
call_add "$r1" "$t" 2000 0 100 NULL
call_add "$r1" "$t" 500 0 100 0.02
event_add "$r1" 10 text "Reading the code"
event_add "$r1" 20 tool_start '{"kind":"tool_start","tool_id":"toolu_1","tool_name":"Bash"}'
event_add "$r1" 30 text "$(printf 'line one\nline two')"
event_add "$r1" 40 error '{"message":"API overloaded"}'
r3=$(run_add 3 exited worker claude opus $((t - 9000)))

wait_for "1 active run$" 60
expect "run $r1 +#1 Port the lexer +running"
expect "worker · claude/opus · 2m0[0-9]s · retry 1"
expect "tool: Bash"
expect "^Reading the code"
expect "^line two"
expect "^3\.5k in · 10\.0k cached · 300 out$"
expect "^last \\\$0\.02 unknown \\\$0\.01 · total \\\$0\.03\+1 unknown$"
expect "error: API overloaded"
expect_not "run $r3 "
pass "one run card"

first=$(screen | grep -Eo '2m0[0-9]s' | head -n 1)
sleep 2.2
second=$(screen | grep -Eo '2m[0-9]+s' | head -n 1)
[ "$first" != "$second" ] || fail "elapsed time did not move: $first"
pass "elapsed time ticks ($first -> $second)"

r2=$(run_add 2 running sre gemini pro "$t")
limit_add gemini "$r2" "$t" $((t + 300))
wait_for "2 active runs" 60
expect "run $r2 +#2 Tune the cache +waiting"
expect "rate limited: reset in 4m5[0-9]s|rate limited: reset in 5m00s"
check_widths 120
pass "rate-limited run"

# A limit that runs out goes away by itself, with no write to notice.
limit_add claude "$r1" "$(now)" $(($(now) + 5))
wait_for "run $r1 +#1 Port the lexer +waiting" 60
wait_for "run $r1 +#1 Port the lexer +running" 100
pass "a spent rate limit clears itself"

keys Enter
wait_for "> task"
expect "#1 Port the lexer"
keys Escape
wait_for "2 active runs"
pass "enter opens the task"

# Forty runs: one line each, the selection scrolls.
for i in $(seq 1 38); do
	echo "INSERT INTO runs (task_id, state, role, provider, model, started_at, log_done) VALUES (1, 'running', 'worker', 'codex', 'gpt-5', $t, 1);"
done | sql
last=$(sql "SELECT max(id) FROM runs")
wait_for "40 active runs" 60
expect "^ +RUN +TASK STATE +ROLE +PROVIDER +ELAPSED +TOKENS IN/OUT +COST +TITLE +NOW"
expect "^ +$r1 +1 running +worker +claude .*\\\$0\.03\+1 unknown Port the lexer +error: AP"
expect "^ +$r2 +2 waiting +sre +gemini .*reset in"
rows=$(screen | grep -Ec '^ +[0-9]+ +[0-9]+ (running|waiting)')
[ "$rows" -ge 30 ] || fail "only $rows run rows on a 40-row screen"
expect_not "^ +$last +1 "
keys End
wait_for "^ +$last +1 running"
check_widths 120
pass "forty runs in a table ($rows rows shown)"

tmux -L "$UI_SOCK" resize-window -t ui -x 70 -y 30
sleep 0.5
check_widths 70
expect "40 active runs"
pass "resize"
ui_quit
