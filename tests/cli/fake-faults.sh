#!/bin/sh
# baton-fake-agent's real edits and commits, auth failures, crashes, hangs,
# garbage lines and 5 MB lines, each read back through the adapters with
# baton parse and baton cost, and the commits checked with git itself.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null 2>&1 || exit 77

SRC=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
scenarios=$SRC/contrib/fake-agent/scenarios

# play FORMAT SCENARIO: stream in $TEST_TMP/out, stderr in $TEST_TMP/err,
# exit status in $RC.
play() {
	"$fake" -s 0 -f "$1" "$2" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	RC=$?
}
# events FORMAT STATUS: what baton parse makes of the last stream.
events() {
	"$BATON" parse --format "$1" --exit "$2" "$TEST_TMP/out" \
	    >"$TEST_TMP/events" 2>"$TEST_TMP/parse.err" ||
	    fail "baton parse --format $1: $(cat "$TEST_TMP/parse.err")"
}
ev() { jq -c "$1" "$TEST_TMP/events"; }
# cost FORMAT: [calls, cost to 6 places] from baton cost.
cost() {
	"$BATON" cost --json --format "$1" --model claude-sonnet-4-5 \
	    "$TEST_TMP/out" 2>/dev/null |
	    jq -c '.total | [.calls, (.cost_usd // 0 | . * 1e6 | round / 1e6)]'
}

# 1. Edits and commits, in Claude's and Codex's formats. The scenario's
# calls at Sonnet 4.5 prices (in*3 + cache write*3.75 + read*0.3 + out*15):
#   5*3 + 2400*3.75 + 9100*0.3 + 310*15 = 15 + 9000 + 2730 + 4650 = 16395
#   4*3 +  600*3.75 + 11800*0.3 + 120*15 = 12 + 2250 + 3540 + 1800 = 7602
#   total 23997e-6. Codex sums the run into one call with the cache write
#   inside the input: (9 + 3000)*3 + 20900*0.3 + 430*15 = 9027 + 6270 +
#   6450 = 21747e-6.
for fmt in claude codex; do
	new_repo "edits-$fmt"
	play $fmt "$scenarios/edit-commit.txt"
	same "$fmt: edit-commit exits 0" "$RC" "0"
	same "$fmt: the commit is there" "$(git log -1 --format=%s)" \
	    "Add greet() and its notes"
	same "$fmt: on top of the first" "$(git rev-list --count HEAD)" "2"
	same "$fmt: with both files" \
	    "$(git show --name-only --format= HEAD | sort | tr '\n' ' ')" \
	    "doc/notes.md src/greet.c "
	same "$fmt: written, then appended" "$(git show HEAD:doc/notes.md)" \
	    "# Notes
greet() says hello."
	same "$fmt: nothing left over" "$(git status --porcelain)" ""
	git fsck --strict --no-progress >/dev/null 2>&1 && pass ||
	    fail "$fmt: git fsck"
	events $fmt 0
	same "$fmt: four tool calls" "$(ev 'select(.kind == "tool_start")' |
	    wc -l | tr -d ' ')" "4"
	same "$fmt: a clean end" "$(ev 'select(.kind == "turn_end") |
	    .is_error // false')" "false"
	case $fmt in
	claude) want=[2,0.023997] ;;
	codex) want=[1,0.021747] ;;
	esac
	same "$fmt: edit-commit cost" "$(cost $fmt)" "$want"
done
play claude "$scenarios/edit-commit.txt"	# nothing to commit now
same "an empty commit fails the run" "$RC" "1"
contains "and says why" "$(cat "$TEST_TMP/err")" "git commit failed"

# Paths outside the working directory are refused, and nothing is written.
new_repo "refuse"
mkdir -p "$TEST_TMP/outside"
ln -s "$TEST_TMP/outside" link
for path in ../escape "$TEST_TMP/outside/abs" link/through a/../../b; do
	printf 'pace 0\nwrite %s text\n' "$path" >"$TEST_TMP/refuse.txt"
	play claude "$TEST_TMP/refuse.txt"
	same "write $path fails the run" "$RC" "1"
	events claude 1
	same "write $path: the result is an error" \
	    "$(ev 'select(.kind == "turn_end") | .is_error')" "true"
done
same "nothing escaped" "$(ls -A "$TEST_TMP/outside"; ls -A "$TEST_TMP" |
    grep -c escape)" "0"
same "nor was written here" "$(git status --porcelain)" "?? link"

# 2. Auth failures, each in its format's own shape, read as auth.
cd "$TEST_TMP" || exit 99
for pair in claude:1 amp:1 codex:1 gemini:41 opencode:1 text:1; do
	fmt=${pair%:*}
	play $fmt "$scenarios/auth-error.txt"
	same "$fmt: auth exit status" "$RC" "${pair#*:}"
	events $fmt $RC
	same "$fmt: one auth failure" "$(ev 'select(.kind == "ratelimit") |
	    [.class, .is_error]')" '["auth",true]'
	same "$fmt: the turn failed" "$(ev 'select(.kind == "turn_end") |
	    .is_error')" "true"
done
play claude "$scenarios/auth-error.txt"
same "claude: assistant.error" "$(jq -r 'select(.type == "assistant") |
    .error' "$TEST_TMP/out")" "authentication_failed"
same "claude: a 401 result" "$(jq -c 'select(.type == "result") |
    [.is_error, .api_error_status, .subtype]' "$TEST_TMP/out")" \
    '[true,401,"success"]'
play codex "$scenarios/auth-error.txt"
contains "codex: 401 in turn.failed" "$(jq -r 'select(.type == "turn.failed") |
    .error.message' "$TEST_TMP/out")" "401 Unauthorized"
same "codex: five reconnects first" "$(jq -r 'select(.type == "error") |
    .message' "$TEST_TMP/out" | grep -c Reconnecting)" "5"
play gemini "$scenarios/auth-error.txt"
same "gemini: no stream at all" "$(wc -c <"$TEST_TMP/out" | tr -d ' ')" "0"
contains "gemini: the message on stderr" "$(cat "$TEST_TMP/err")" \
    "Error authenticating"

# 3. A crash: killed by SIGSEGV halfway through a line. The call before it
# counts: 8*3 + 1200*3.75 + 5000*0.3 + 140*15 = 24 + 4500 + 1500 + 2100
# = 8124e-6.
play claude "$scenarios/crash.txt"
same "crash: killed by SIGSEGV" "$RC" "139"
same "crash: the last line is cut" "$(tail -c 1 "$TEST_TMP/out" | wc -l |
    tr -d ' ')" "0"
events claude 139
contains "crash: the cut line is read as text" "$(ev 'select(.kind ==
    "text") | .text' | tail -n 1)" '{\"type\":\"assistant\"'
same "crash: the exit is the error" "$(ev 'select(.kind == "error") |
    .text')" '"exited with status 139 without a final event"'
same "crash: the turn ends failed" "$(ev 'select(.kind == "turn_end") |
    [.is_error, .exit_status]')" "[true,139]"
same "crash: its call counts" "$(cost claude)" "[1,0.008124]"
for fmt in codex text; do
	play $fmt "$scenarios/crash.txt"
	same "$fmt: crash by SIGSEGV" "$RC" "139"
	events $fmt 139
	same "$fmt: crash read" "$(ev 'select(.kind == "turn_end") |
	    [.is_error, .exit_status]')" "[true,139]"
done

# 4. A hang: the agent says its piece, then sleeps until killed.
"$fake" -s 0 "$scenarios/hang.txt" >"$TEST_TMP/out" 2>/dev/null &
pid=$!
i=0
until grep -q 'Waiting for the build' "$TEST_TMP/out" || [ $i -ge 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -0 $pid 2>/dev/null && pass || fail "hang: the agent exited by itself"
kill -TERM $pid
wait $pid 2>/dev/null	# the shell's "Terminated" note
same "hang: ended by SIGTERM" "$?" "143"
events claude 143
same "hang: it said its piece" "$(ev 'select(.kind == "text") | .text')" \
    '"Waiting for the build."'
same "hang: the run ends failed" "$(ev 'select(.kind == "turn_end") |
    [.is_error, .exit_status]')" "[true,143]"

# 5. Lines that are not JSON become text, and the run reads on:
#   3*3 + 500*3.75 + 2000*0.3 + 60*15 = 9 + 1875 + 600 + 900 = 3384e-6.
for fmt in claude codex gemini opencode; do
	play $fmt "$scenarios/garbage.txt"
	events $fmt 0
	same "$fmt: two garbage lines as text" "$(ev 'select(.kind == "text")
	    | .text' | grep -c -e 'npm notice' -e 'unknown key')" "2"
	same "$fmt: a clean end" "$(ev 'select(.kind == "turn_end") |
	    .is_error // false')" "false"
done
play claude "$scenarios/garbage.txt"
same "garbage: the call counts" "$(cost claude)" "[1,0.003384]"

# 6. A 5 MB line, whole, in every format: 5242880 bytes of text.
for fmt in claude amp codex gemini opencode text; do
	play $fmt "$scenarios/big-line.txt"
	longest=$(awk '{ if (length($0) > n) n = length($0) } END { print n }' \
	    "$TEST_TMP/out")
	[ "$longest" -ge 5242880 ] && pass ||
	    fail "$fmt: longest line $longest is not over 5 MB"
	events $fmt 0
	same "$fmt: the 5 MB text, whole" "$(ev 'select(.kind == "text" or
	    .kind == "text_delta") | .text | length' | sort -n | tail -n 1)" \
	    "5242880"
done
# 2*3 + 300*3.75 + 1500*0.3 + 40*15 = 6 + 1125 + 450 + 600 = 2181e-6.
play claude "$scenarios/big-line.txt"
same "big line: the call counts" "$(cost claude)" "[1,0.002181]"

finish
