#!/bin/bash
# Task detail: description, dependencies both ways, runs with outcomes, the
# call ledger, events, branch and worktree; attaching to a run's window.
. "${SRCDIR:-.}/tests/cli/ui-lib.sh"

repo_new
b sprint new s >/dev/null
b add "Blocker task" >/dev/null
b add "Port the lexer" --priority 1 --blocked-by 1 \
    --body "$(printf 'First line of the body\nSecond line')" >/dev/null
b add "Waits on the port" --blocked-by 2 >/dev/null
b add "Never ran" >/dev/null
sql "UPDATE tasks SET branch = 'baton/2-port', worktree = '.baton/worktrees/2' WHERE id = 2"
b edit 2 --state running >/dev/null
t=$(now)

# A second private tmux server plays the runtime's: one window per run.
UI_SOCK2="baton-uitest-agents-$$"
tmux -L "$UI_SOCK2" -f /dev/null new-session -d -s agents -n run-2 -x 80 -y 20 \
    "echo AGENT-PANE-CONTENT; sleep 600" || fail "agents tmux"
r1=$(run_add 2 exited worker claude opus $((t - 4000)))
sql "UPDATE runs SET ended_at = $((t - 3000)), outcome = 'rate-limited', exit_status = 1 WHERE id = $r1"
# A review of the first attempt, and what it answered (escapes and all).
r5=$(run_add 2 exited reviewer gemini pro $((t - 2000)) 2)
sql "UPDATE runs SET purpose = 'review', ended_at = $((t - 1900)), exit_status = 0, outcome = 'exited 0', answer = 'Not yet.' || char(10) || '{\"verdict\": \"changes\"}' || char(27) || '[2J' WHERE id = $r5"
r2=$(run_add 2 running worker codex gpt-5 $((t - 100)) 3 "'agents:run-2'")
call_add "$r1" $((t - 3500)) 1200 300 400 0.0125 "'claude-opus-4'"
call_add "$r2" $((t - 50)) 800 0 90 NULL
event_add "$r1" 0 text "Starting on the lexer"
event_add "$r1" 100 error '{"message":"429 rate limited"}'
event_add "$r2" 0 tool_start '{"kind":"tool_start","tool_name":"Edit"}'
r4=$(run_add 1 exited worker claude opus $((t - 9000)))

UI_ENV="BATON_TMUX_SOCKET=$UI_SOCK2"
ui_start 120 60
# Task 2 is the only card in "running": go there and open it.
keys l l
keys Enter
wait_for "> task"
expect "^#2 Port the lexer"
expect "state running · role worker · priority P1"
expect "branch baton/2-port · worktree \.baton/worktrees/2"
expect "^  First line of the body"
expect "^  Second line"
expect "^Blocked by \(1\)"
expect "^  #1 \[backlog\] Blocker task"
expect "^Blocks \(1\)"
expect "^  #3 \[backlog\] Waits on the port"
expect "^Runs \(3\)"
expect "^  run $r1 +attempt 1 +exited +worker/claude/opus .* \\\$0\.01 +outcome rate-limited"
expect "^    exit status 1"
expect "^  run $r5 +attempt 2 +review +exited +reviewer/gemini/pro .* +outcome exited 0"
expect "^    answer: Not yet\\.\\\\n\\{\"verdict\": \"changes\"\\}\\\\033\\[2J$"
expect "^  run $r2 +attempt 3 +running +worker/codex/gpt-5 .*cost unknown +outcome -"
expect "^Calls \(2\)"
expect "^  [0-9-]+ [0-9:]+ +$r1 claude-opus-4 +1200 +300 +0 +400 +\\\$0\.0125"
expect "^  [0-9-]+ [0-9:]+ +$r2 gpt-5 +800 +0 +0 +90 +unknown"
expect "^Events of run $r1 \(newest 2\)"
expect "text +Starting on the lexer"
expect "error +429 rate limited"
expect "tool_start +Edit"
expect_not "run $r4 "
check_widths 120
pass "task detail"

# Attach: the run's window comes up in this terminal; detach comes back.
keys a
wait_for "AGENT-PANE-CONTENT"
keys C-b d
wait_for "back from run #$r2"
expect "^#2 Port the lexer"
pass "attach and detach"
keys Escape
wait_for "Sprint s"

# A task whose run has no window, and one that never ran: messages.
keys h
keys Enter
wait_for "> task"
expect "^#1 Blocker task"
keys a
wait_for "run #$r4 has no tmux window to attach to"
keys Escape
wait_for "Sprint s"
keys G
keys Enter
wait_for "^#4 Never ran"
keys a
wait_for "#4 has not run yet"
pass "attach explains why not"

keys Escape
wait_for "Sprint s"
ui_quit

# From a pane of the runs' own tmux server, a switches this client to the
# run's window instead of nesting a second client.
tmux -L "$UI_SOCK2" new-window -d -t agents -n ui -c "$REPO" \
    "env LC_ALL=C.UTF-8 BATON_TMUX_SOCKET=$UI_SOCK2 $BATON; sleep 600"
tmux -L "$UI_SOCK" -u -f /dev/null new-session -d -s ui -x 120 -y 50 \
    "env -u TMUX tmux -L $UI_SOCK2 attach -t agents:ui" || fail "outer tmux"
wait_for "^ baton "
keys l l Enter
wait_for "^#2 Port the lexer"
keys a
wait_for "AGENT-PANE-CONTENT"
i=0
until tmux -L "$UI_SOCK2" capture-pane -p -t agents:ui | grep -q "back from run #$r2"; do
	i=$((i + 1))
	[ $i -lt 100 ] || { tmux -L "$UI_SOCK2" capture-pane -p -t agents:ui >&2;
	    fail "baton did not stay up in its own window"; }
	sleep 0.1
done
pass "switch-client from inside the server"
