#!/bin/sh
# Agent runs in a real tmux on baton's private socket: the shim, its logs
# and exit status, the pane left open, stop, send, a closed window and a
# killed server, and attach from outside and inside tmux.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || { echo "tmux is needed"; exit 1; }
new_repo
run init
TERM_SOCKET="baton-term-$$"
export TERM=xterm

teardown() {
	"$BATON" -C "$REPO" tmux kill-server >/dev/null 2>&1
	tmux -L "$TERM_SOCKET" kill-server >/dev/null 2>&1
	cleanup
}
trap teardown EXIT

run_field() {	# run_field RUN FIELD
	"$BATON" runs --json | jq -r ".[] | select(.id == $1) | .$2"
}
has_exit() { [ -f ".baton/runs/$1/exit" ]; }
pane_cmd() { "$BATON" tmux display -p -t "$1" '#{pane_current_command}'; }

# 1. A run: log, stderr, transcript, exit status, the pane left open.
run add "first"
marker="$TEST_TMP/should-not-exist"
run start 1 --format claude -- sh -c '
	echo "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"hello from the agent\"}]}}"
	printf "%s\n" "$1"
	echo "to stderr" >&2
	exit 3' sh "\$(touch $marker); \`touch $marker\`"
ok "start"
same "start message" "$OUT" "started run 1 of #1 in window @0"
wait_for "run 1 exit status" has_exit 1
same "exit file" "$(cat .baton/runs/1/exit)" "exited 3"
same "stdout went to the log" "$(sed -n 2p .baton/runs/1/stream.jsonl)" \
    "\$(touch $marker); \`touch $marker\`"
same "stderr went to its log" "$(cat .baton/runs/1/stderr.log)" "to stderr"
[ ! -e "$marker" ] && pass || fail "an argument was run by a shell"
same "log mode" "$(stat -c %a .baton/runs/1/stream.jsonl)" "600"
wait_for "the pane shows the transcript" sh -c \
    "'$BATON' tmux capture-pane -p -t @0 | grep -q 'hello from the agent'"
screen=$("$BATON" tmux capture-pane -p -t @0)
contains "transcript shows stderr" "$screen" "stderr: to stderr"
contains "transcript shows the end" "$screen" "agent exited 3"
case $screen in *'"type"'*) fail "the pane shows raw JSON" ;; *) pass ;; esac
wait_for "a shell is left in the pane" sh -c \
    "case \$('$BATON' tmux display -p -t @0 '#{pane_current_command}') in *sh) true;; *) false;; esac"
same "shell's directory is the task's worktree" \
    "$("$BATON" tmux display -p -t @0 '#{pane_current_path}')" \
    "$REPO/.baton/worktrees/T1-first"

run run --once
ok "run --once"
same "run 1 state" "$(run_field 1 state)" "exited"
same "run 1 exit status" "$(run_field 1 exit_status)" "3"
# The error says why from the end of stderr.log.
same "events parsed from the claude stream" \
    "$(sqlite3 .baton/baton.db "SELECT group_concat(kind || ':' || coalesce(json_extract(data, '$.text'), ''), '|') FROM (SELECT * FROM events WHERE run_id = 1 ORDER BY offset, seq)")" \
    "text:hello from the agent|text:\$(touch $marker); \`touch $marker\`|error:exited with status 3: to stderr|turn_end:"
same "offset at the end of the log" "$(run_field 1 log_offset)" \
    "$(stat -c %s .baton/runs/1/stream.jsonl)"
run show 1 --json
same "task is running" "$(printf '%s' "$OUT" | jq -r .state)" "running"

# 2. Bad starts: refused before anything runs.
run start 1
refused "start without a command" "give the agent's command after --"
run start 99 -- true
refused "start of an unknown task" "no task #99"
run start 1 --format 'x;y' -- true
refused "bad format" "bad format"
run add "done already"
run edit 2 --state done
run start 2 -- true
refused "start of a done task" "is done"
run start 1 -- /nonexistent/agent
ok "a missing binary still makes a run"
wait_for "missing binary run ends" has_exit 2
same "missing binary exit" "$(cat .baton/runs/2/exit)" "exited 127"
contains "missing binary reported" "$(cat .baton/runs/2/stderr.log)" \
    "cannot run /nonexistent/agent"

# 3. stop: SIGTERM to the agent's process group; the log is kept.
run add "long"
run start 3 -- sh -c 'echo started; sleep 1000'
wait_for "long run writes" grep -q started .baton/runs/3/stream.jsonl
run stop 3
ok "stop"
same "stopped by SIGTERM" "$(cat .baton/runs/3/exit)" "killed 15"
same "stopped state" "$(run_field 3 state)" "stopped"
run run --once
same "stopped run keeps its state" "$(run_field 3 state)" "stopped"
same "stopped run's status" "$(run_field 3 exit_status)" "143"
same "stopped run's log stored" \
    "$(sqlite3 .baton/baton.db "SELECT json_extract(data, '$.text') FROM events WHERE run_id = 3 AND kind = 'text'")" "started"
run stop 3
refused "stop a stopped run" "is not running"

# 4. send: a follow-up message reaches the agent's stdin.
run add "chat"
run start 4 --stdin inbox -- cat
wait_for "cat is running" sh -c "[ -f .baton/runs/4/pid ]"
run send 4 "first message"
ok "send"
run send 4 "second message"
wait_for "messages reach the agent" sh -c \
    "[ \$(wc -l <.baton/runs/4/stream.jsonl) -eq 2 ]"
same "messages in order" "$(cat .baton/runs/4/stream.jsonl)" "first message
second message"
run send 1 "late"
refused "send to a finished run" "is not running"
run add "no inbox"
run start 5 -- sleep 1000
run send 5 "hello"
refused "send to a run without an inbox" "does not take input"

# 5. A window closed by hand, then the whole server killed: interrupted.
window5=$(run_field 5 window)
"$BATON" tmux kill-window -t "$window5"
run run --once
ok "run --once after a window was killed"
same "killed window: interrupted" "$(run_field 5 state)" "interrupted"
"$BATON" tmux kill-server
run run --once
ok "run --once after the server was killed"
same "killed server: interrupted" "$(run_field 4 state)" "interrupted"
contains "says why" "$(run_field 4 outcome)" "interrupted"
run runs --json
same "no run is left running" \
    "$(printf '%s' "$OUT" | jq '[.[] | select(.state == "running" or .state == "starting")] | length')" "0"

# 6. attach from outside tmux: a terminal of its own attaches to the window.
run add "attach me"
run start 6 -- sh -c 'echo attach-target; sleep 1000'
window6=$(run_field 6 window)
tmux -L "$TERM_SOCKET" -f /dev/null new-session -d -x 120 -y 30 \
    "cd '$REPO' && '$BATON' attach 6; echo detached-back; sleep 1000"
wait_for "a client attached to run 6's window" sh -c \
    "'$BATON' tmux list-clients -F '#{window_id}' | grep -qx '$window6'"
# 7. attach from inside baton's own tmux: that client switches windows.
run add "switch to me"
run start 7 -- sh -c 'echo switch-target; sleep 1000'
window7=$(run_field 7 window)
pane6=$(run_field 6 pane)
"$BATON" stop 6 >/dev/null
wait_for "run 6 left a shell" sh -c \
    "case \$('$BATON' tmux display -p -t '$pane6' '#{pane_current_command}') in *sh) true;; *) false;; esac"
"$BATON" tmux send-keys -t "$pane6" "'$BATON' attach 7" Enter
wait_for "the client switched to run 7's window" sh -c \
    "'$BATON' tmux list-clients -F '#{window_id}' | grep -qx '$window7'"
# Leaving (detach) returns the outside terminal to where it was.
"$BATON" tmux detach-client -a >/dev/null 2>&1
"$BATON" tmux detach-client >/dev/null 2>&1
for c in $("$BATON" tmux list-clients -F '#{client_name}'); do
	"$BATON" tmux detach-client -t "$c"
done
wait_for "detaching returns to the outside shell" sh -c \
    "tmux -L '$TERM_SOCKET' capture-pane -p | grep -q detached-back"

finish
