#!/bin/sh
# From agent to ledger: recorded real Claude output and the fake agent run
# in tmux windows, and baton run stores their calls with their cost, the
# CLI's own figure beside it, the session id and the rate limit.
. "$(dirname "$0")/lib.sh"

SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
new_repo
run init
teardown() {
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT


# 1. A real Claude Code 2.0.25 capture (tests/fixtures/agents/claude, see
# SOURCES.md there): 8 calls in the stream, two more that modelUsage holds
# beyond them, and a total that equals the CLI's total_cost_usd.
fixture=$FIXTURES/agents/claude/stream-subagents-tools-v2.0.25.jsonl
run add "replay a real run"
run start 1 --format claude -- cat "$fixture"
ok "start the replay"
wait_exit 1
run run --once
ok "store the replay"
same "ten calls in the ledger" "$(q 'SELECT count(*) FROM calls WHERE run_id = 1')" "10"
same "baton's total" "$(q 'SELECT printf("%.8f", sum(cost_usd)) FROM calls WHERE run_id = 1')" \
    "0.21085415"
same "the CLI's own total, kept beside it" \
    "$(q "SELECT printf('%.8f', json_extract(data, '$.cli_cost_usd')) FROM events WHERE run_id = 1 AND kind = 'turn_end' AND json_extract(data, '$.cli_cost_usd') IS NOT NULL")" \
    "0.21085415"
same "msg_01Hji counted once, with its largest output" \
    "$(q "SELECT count(*) || ' ' || max(tokens_out) FROM calls WHERE run_id = 1 AND msg_id LIKE 'msg_01Hji%'")" "1 324"
same "the session id, for resuming" \
    "$("$BATON" runs --json | jq -r '.[0].session')" \
    "$(head -n 1 "$fixture" | jq -r .session_id)"
same "the run ended well" "$("$BATON" runs --json | jq -r '.[0] | [.state, .exit_status] | @tsv')" \
    "exited	0"
screen=$("$BATON" tmux capture-pane -p -t "$("$BATON" runs --json | jq -r '.[0].pane')" -S -200)
contains "the pane shows a tool call" "$screen" "▸ Task"
contains "the pane shows a call's cost" "$screen" "· claude-sonnet-4-5-20250929: in"
case $screen in *'"type":'*) fail "the pane shows raw JSON" ;; *) pass ;; esac

# 2. The fake agent's three-call scenario, at Sonnet 4.5 prices:
#   3*3 + 4200*3.75 + 14800*0.3 + 180*15 = 22899e-6
#   6*3 +  900*3.75 + 19000*0.3 + 620*15 = 18393e-6
#   4*3 +  300*3.75 + 19900*0.3 + 240*15 = 10707e-6   total $0.051999
run add "fix a bug"
run start 2 --format claude -- "$fake" -s 0.05 -f claude "$SRC/contrib/fake-agent/scenarios/fix-bug.txt"
wait_exit 2
run run --once
same "three calls" "$(q 'SELECT count(*) FROM calls WHERE run_id = 2')" "3"
same "their costs" "$(q 'SELECT group_concat(printf("%.6f", cost_usd), " ") FROM (SELECT cost_usd FROM calls WHERE run_id = 2 ORDER BY id)')" \
    "0.022899 0.018393 0.010707"
same "two tools and a retry" \
    "$(q "SELECT sum(kind = 'tool_start') || ' ' || sum(kind = 'retry') FROM events WHERE run_id = 2")" "2 1"

# 3. The same agent hitting its usage limit: a limit with a reset time.
run add "hit the limit"
run start 3 --format claude --provider claude-max -- "$fake" -s 0.05 -f claude "$SRC/contrib/fake-agent/scenarios/usage-limit.txt"
wait_exit 3
run run --once
same "one limit recorded" "$(q 'SELECT count(*) FROM rate_limits WHERE run_id = 3')" "1"
same "for the run's provider" "$(q 'SELECT provider FROM rate_limits WHERE run_id = 3')" "claude-max"
# "resets 8pm (America/New_York)": the next 8 pm there, within a day.
reset=$(q 'SELECT reset_at - detected_at FROM rate_limits WHERE run_id = 3')
[ "$reset" -gt 0 ] && [ "$reset" -le 86400 ] && pass ||
    fail "reset $reset s after detection is not the next 8 pm"
same "8 pm in New York" "$(TZ=America/New_York date -d "@$(q 'SELECT reset_at FROM rate_limits WHERE run_id = 3')" +%H:%M)" "20:00"

# 4. An unknown model costs "unknown", not zero, with one warning.
run add "mystery model"
printf '%s\n' '{"type":"assistant","message":{"id":"msg_x1","model":"nobody-knows-1","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":10,"output_tokens":5}}}' \
    '{"type":"assistant","message":{"id":"msg_x2","model":"nobody-knows-1","content":[{"type":"text","text":"again"}],"usage":{"input_tokens":10,"output_tokens":5}}}' \
    >"$TEST_TMP/unknown.jsonl"
run start 4 --format claude -- cat "$TEST_TMP/unknown.jsonl"
wait_exit 4
run run --once
same "unknown cost is NULL" "$(q 'SELECT count(*) FROM calls WHERE run_id = 4 AND cost_usd IS NULL')" "2"
same "one warning" "$(q "SELECT count(*) FROM events WHERE run_id = 4 AND kind = 'warning'")" "1"

# 5. A 5 MB line and lines that are not JSON, through the real ingest:
# the text is stored whole, the garbage as text, and the calls counted.
#   big-line: 2*3 + 300*3.75 + 1500*0.3 + 40*15 = 6 + 1125 + 450 + 600
#             = 2181e-6
run add "print a big log"
run start 5 --format claude -- "$fake" -s 0.01 "$SRC/contrib/fake-agent/scenarios/big-line.txt"
wait_exit 5
run run --once
ok "store the 5 MB line"
same "the 5 MB text, whole" "$(q "SELECT max(length(json_extract(data, '$.text'))) FROM events WHERE run_id = 5 AND kind = 'text'")" \
    "5242880"
same "the log read to its end" "$(q 'SELECT log_offset = '"$(wc -c <.baton/runs/5/stream.jsonl)"' FROM runs WHERE id = 5')" "1"
same "its call" "$(q 'SELECT printf("%.6f", sum(cost_usd)) FROM calls WHERE run_id = 5')" "0.002181"
#   garbage: 3*3 + 500*3.75 + 2000*0.3 + 60*15 = 9 + 1875 + 600 + 900
#            = 3384e-6
run add "talk nonsense"
run start 6 --format claude -- "$fake" -s 0.01 "$SRC/contrib/fake-agent/scenarios/garbage.txt"
wait_exit 6
run run --once
same "garbage kept as text" "$(q "SELECT count(*) FROM events WHERE run_id = 6 AND kind = 'text' AND (json_extract(data, '$.text') LIKE 'npm notice%' OR json_extract(data, '$.text') LIKE 'Warning: config file%')")" "2"
same "and the call counted" "$(q 'SELECT printf("%.6f", sum(cost_usd)) FROM calls WHERE run_id = 6')" "0.003384"

# 7. Colours in the agent's output and a failed exit, in the pane: no
# literal escape codes, and no "turn done" for an agent that failed.
run add "print colours and fail"
run start 7 --format text -- sh -c 'printf "\033[31mred words\033[0m and \033]0;title\007plain\n"; exit 3'
wait_exit 7
run run --once
screen=$("$BATON" tmux capture-pane -p -t "$("$BATON" runs --json | jq -r '.[] | select(.task == 7) | .pane')" -S -50)
contains "the pane shows the words" "$screen" "red words and plain"
shown=$(printf '%s\n' "$screen" | grep -v '^baton run')
case $shown in *'\033'*|*'[31m'*) fail "the pane shows escape codes: $shown" ;; *) pass ;; esac
contains "the pane says the agent failed" "$screen" "exited with status 3"
case $screen in *"turn done"*) fail "a failed run says turn done" ;; *) pass ;; esac
run runs
same "runs has a header" "$(printf '%s\n' "$OUT" | head -n 1 | tr -s ' ')" \
    " RUN TASK FOR STATE PROVIDER WINDOW STARTED OUTCOME"
contains "runs shows a limited run as such" "$OUT" "limited, resets"

finish
