#!/bin/sh
# baton-fake-agent as baton's scheduler starts it: the scenario picked by
# task and attempt (-S), a session continued (-r), the prompt handed over
# whole (-p, -P), and the directives that check the prompt and keep the
# checkpoint file.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null 2>&1 || exit 77

fake=$(dirname "$BATON")/contrib/fake-agent/baton-fake-agent
unset BATON_RUN BATON_TASK BATON_ATTEMPT BATON_CHECKPOINT BATON_DIR

# fake ARGS...: stream in $TEST_TMP/out, stderr in $TEST_TMP/err, exit
# status in $RC; a sanitizer report fails the test whatever the status.
fake() {
	"$fake" -s 0 "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	RC=$?
	case $(cat "$TEST_TMP/err") in
	*Sanitizer*|*"runtime error:"*)
		fail "sanitizer report from baton-fake-agent $*: $(cat \
		    "$TEST_TMP/err")" ;;
	esac
}
# js FILTER: jq on the last stream, compact.
js() { jq -c "$1" "$TEST_TMP/out"; }
# said: the texts of the last stream, in Claude's format, one a line.
said() {
	jq -r 'select(.type == "assistant") | .message.content[] |
	    select(.type == "text") | .text' "$TEST_TMP/out"
}
# events FORMAT: baton parse on the last stream, with its exit status.
events() {
	"$BATON" parse --format "$1" --exit "$RC" --now 1773154800 \
	    "$TEST_TMP/out" >"$TEST_TMP/events" 2>"$TEST_TMP/parse.err" ||
	    fail "baton parse --format $1: $(cat "$TEST_TMP/parse.err")"
}
ev() { jq -c "$1" "$TEST_TMP/events"; }

mkdir -p "$TEST_TMP/work"
cd "$TEST_TMP/work" || exit 99
S=$TEST_TMP/scenarios
mkdir -p "$S"
printf 'pace 0\ntext from default\n' >"$S/default.txt"
printf 'pace 0\ntext from T7\n' >"$S/T7.txt"
printf 'pace 0\ntext from T7.2\n' >"$S/T7.2.txt"
printf 'pace 0\nresumed picking up where I left off\ntext from T7 resume\n' \
    >"$S/T7.resume.txt"
printf 'pace 0\ntext from T9.1\n' >"$S/T9.1.txt"
printf 'pace 0\nresumed picking up\ntext plain\n' >"$TEST_TMP/resumed.txt"

# 1. -S: T<task>.<attempt> over T<task> over default, and T<task>.resume
# first when a session is continued.
fake -S "$S"
same "no task: default.txt" "$(said)" "from default"
BATON_TASK=7 fake -S "$S"
same "task 7: T7.txt" "$(said)" "from T7"
BATON_TASK=7 BATON_ATTEMPT=1 fake -S "$S"
same "task 7 attempt 1: T7.txt" "$(said)" "from T7"
BATON_TASK=7 BATON_ATTEMPT=2 fake -S "$S"
same "task 7 attempt 2: T7.2.txt" "$(said)" "from T7.2"
same "a fresh run says nothing of resuming" "$RC:$(said | wc -l |
    tr -d ' ')" "0:1"
BATON_TASK=7 BATON_ATTEMPT=2 fake -S "$S" -r sess-7
same "task 7 resumed: T7.resume.txt first" "$(said | tr '\n' '|')" \
    "picking up where I left off|from T7 resume|"
BATON_TASK=9 BATON_ATTEMPT=2 fake -S "$S" -r sess-9
same "task 9 resumed, no resume file, no T9.2: default" "$(said)" \
    "from default"
BATON_TASK=9 BATON_ATTEMPT=1 fake -S "$S"
same "task 9 attempt 1: T9.1.txt" "$(said)" "from T9.1"
BATON_ATTEMPT=2 fake -S "$S"
same "an attempt without a task: default" "$(said)" "from default"
BATON_TASK=../T7 fake -S "$S"
same "a task with a folder in it is no name" "$(said)" "from default"
BATON_TASK=7 BATON_ATTEMPT=2 fake -S "$S" "$TEST_TMP/resumed.txt"
same "a scenario argument is played instead" "$(said)" "plain"
rm "$S/default.txt"
BATON_TASK=9 BATON_ATTEMPT=2 fake -S "$S"
same "none found: exit 2" "$RC" "2"
contains "none found: the folder named" "$(cat "$TEST_TMP/err")" \
    "no scenario in $S (tried T9.2.txt, T9.txt, default.txt)"
same "none found: no stream" "$(wc -c <"$TEST_TMP/out" | tr -d ' ')" "0"
fake -f claude
same "no scenario and no -S: usage" "$RC" "2"
contains "the usage names -S" "$(cat "$TEST_TMP/err")" "[-S dir]"

# 2. Sessions. -r's session is the stream's, in every line that names one,
# over the scenario's own; a fresh -S run takes its id from BATON_RUN.
printf 'pace 0\nsession scenario-session\ncall 1 0 0 1\ntext hi\ntool Bash ls\n' \
    >"$TEST_TMP/session.txt"
fake -f claude -r 5f0c-resumed "$TEST_TMP/session.txt"
same "claude: -r in system init" "$(js 'select(.type == "system" and
    .subtype == "init") | .session_id')" '"5f0c-resumed"'
same "claude: -r in every line" "$(js '.session_id' | sort -u)" \
    '"5f0c-resumed"'
fake -f codex -r 5f0c-resumed "$TEST_TMP/session.txt"
same "codex: -r in thread.started" "$(js 'select(.type ==
    "thread.started") | .thread_id')" '"5f0c-resumed"'
fake -f gemini -r 5f0c-resumed "$TEST_TMP/session.txt"
same "gemini: -r in init" "$(js 'select(.type == "init") | .session_id')" \
    '"5f0c-resumed"'
fake -f opencode -r 5f0c-resumed "$TEST_TMP/session.txt"
same "opencode: -r in every line" "$(js '.sessionID' | sort -u)" \
    '"5f0c-resumed"'
fake -f claude "$TEST_TMP/session.txt"
same "without -r: the scenario's session" "$(js 'select(.type ==
    "system") | .session_id')" '"scenario-session"'
fake -f claude "$TEST_TMP/resumed.txt"
same "without -r or -S: the old default" "$(js 'select(.type ==
    "system") | .session_id')" '"00000000-0000-4000-8000-000000000001"'
same "without -r: resumed says nothing" "$(said)" "plain"
fake -f claude -r again "$TEST_TMP/resumed.txt"
same "with -r: resumed speaks" "$(said | tr '\n' '|')" "picking up|plain|"
printf 'pace 0\ntext here\n' >"$S/default.txt"
BATON_RUN=42 fake -f claude -S "$S"
same "claude: -S session from BATON_RUN" "$(js 'select(.type ==
    "system") | .session_id')" '"00000000-0000-4000-8000-000000000042"'
BATON_RUN=43 fake -f codex -S "$S"
same "codex: -S session from BATON_RUN" "$(js 'select(.type ==
    "thread.started") | .thread_id')" '"00000000-0000-4000-8000-000000000043"'
BATON_RUN=44 fake -f amp -S "$S"
same "amp: -S session keeps its T- form" "$(js 'select(.type ==
    "system") | .session_id')" '"T-00000000-0000-4000-8000-000000000044"'
fake -f claude -S "$S"
a=$(js 'select(.type == "system") | .session_id')
fake -f claude -S "$S"
b=$(js 'select(.type == "system") | .session_id')
[ "$a" != "$b" ] && pass || fail "-S without BATON_RUN: two runs, one id $a"
BATON_RUN=42 fake -f codex -S "$S" -r 0199-codex-thread
same "codex: -r over BATON_RUN" "$(js 'select(.type ==
    "thread.started") | .thread_id')" '"0199-codex-thread"'
BATON_RUN=42 fake -f claude -S "$S" -r 0199-claude
events claude
same "baton parse reads -r's session" "$(ev 'select(.session_id != null) |
    .session_id' | sort -u)" '"0199-claude"'

# 3. -P writes the prompt byte for byte: quotes, a command substitution,
# a semicolon, a newline, a leading dash, bytes that are not UTF-8; and
# nothing of it is run.
hostile=$(printf '%s\n%s\377\376 end' \
    "-r evil --x 'single' \"double\" \$(touch x) \`touch x\`; touch x &&" \
    "second line")
printf '%s' "$hostile" >"$TEST_TMP/want"
fake -f claude -p "$hostile" -P "$TEST_TMP/got" "$TEST_TMP/resumed.txt"
same "hostile prompt: a clean run" "$RC" "0"
cmp -s "$TEST_TMP/want" "$TEST_TMP/got" && pass ||
    fail "hostile prompt: the bytes differ"
same "hostile prompt: its length" "$(wc -c <"$TEST_TMP/got" | tr -d ' ')" \
    "$(wc -c <"$TEST_TMP/want" | tr -d ' ')"
same "hostile prompt: -r in it is no option" "$(js 'select(.type ==
    "system") | .session_id')" '"00000000-0000-4000-8000-000000000001"'
same "hostile prompt: nothing ran" "$(ls -A)" ""
# A prompt of 100 KB, which ends in a newline besides.
big=$(awk 'BEGIN { for (i = 0; i < 2048; i++)
    printf "line %04d: it'"'"'s $(touch x); \"ok\" -- padding pad..\n", i }')
printf '%s\n' "$big" >"$TEST_TMP/want"
fake -f codex -p "$big
" -P "$TEST_TMP/got" "$TEST_TMP/resumed.txt"
same "100 KB prompt: a clean run" "$RC" "0"
same "100 KB prompt: its length" "$(wc -c <"$TEST_TMP/got" | tr -d ' ')" \
    "102400"
cmp -s "$TEST_TMP/want" "$TEST_TMP/got" && pass ||
    fail "100 KB prompt: the bytes differ"
fake -f claude -p "" -P "$TEST_TMP/got" "$TEST_TMP/resumed.txt"
same "an empty prompt: an empty file" "$RC:$(wc -c <"$TEST_TMP/got" |
    tr -d ' ')" "0:0"
same "still nothing ran" "$(ls -A)" ""

# 4. expect: the prompt holds the text, or the run fails saying so.
printf 'pace 0\ncall 1 0 0 1\nexpect $(touch x); "q"\nexpect checkpoint: step 2\ntext on it\n' \
    >"$TEST_TMP/expect.txt"
fake -f claude -p "Retry. Your checkpoint: step 2 done; \$(touch x); \"q\"" \
    "$TEST_TMP/expect.txt"
same "expect met: exit 0" "$RC" "0"
same "expect met: the run goes on" "$(said)" "on it"
same "expect met: a clean result" "$(js 'select(.type == "result") |
    [.is_error, .result]')" '[false,"done"]'
fake -f claude -p "Retry. Your checkpoint: step 1 done; \$(touch x); \"q\"" \
    "$TEST_TMP/expect.txt"
same "expect unmet: exit 1" "$RC" "1"
same "expect unmet: the result says what is missing" "$(js 'select(.type ==
    "result") | [.is_error, .result]')" \
    '[true,"prompt lacks: checkpoint: step 2"]'
same "expect unmet: the run stops there" "$(said)" ""
contains "expect unmet: on standard error" "$(cat "$TEST_TMP/err")" \
    "prompt lacks: checkpoint: step 2"
events claude
same "expect unmet: baton reads a failed turn" "$(ev 'select(.kind ==
    "turn_end") | .is_error')" "true"
fake -f codex "$TEST_TMP/expect.txt"
same "codex, no prompt at all: exit 1" "$RC" "1"
same "codex: turn.failed says what is missing" "$(js 'select(.type ==
    "turn.failed") | .error.message')" '"prompt lacks: $(touch x); \"q\""'
fake -f claude -p "$hostile" "$TEST_TMP/expect.txt"
same "expect against the hostile prompt fails" "$RC" "1"
printf 'pace 0\nexpect second line\377\376 end\n' >"$TEST_TMP/expect2.txt"
fake -f text -p "$hostile" "$TEST_TMP/expect2.txt"
same "expect: raw bytes match" "$RC" "0"
same "nothing ran, here either" "$(ls -A)" ""

# 5. checkpoint: lines added to $BATON_CHECKPOINT, shown as Write calls.
cp=$TEST_TMP/state/checkpoint.md
mkdir -p "$TEST_TMP/state"
printf 'from attempt 1\n' >"$cp"
printf 'pace 0\ncall 1 0 0 1\ncheckpoint step 1: parser done\ncheckpoint step 2: tests $(touch x)\ntext saved\n' \
    >"$TEST_TMP/checkpoint.txt"
BATON_CHECKPOINT=$cp fake -f claude "$TEST_TMP/checkpoint.txt"
same "checkpoint: exit 0" "$RC" "0"
same "checkpoint: appended" "$(cat "$cp")" "from attempt 1
step 1: parser done
step 2: tests \$(touch x)"
same "checkpoint: two Write calls on it" "$(js 'select(.type ==
    "assistant") | .message.content[] | select(.type == "tool_use") |
    [.name, .input.command]' | tr '\n' ' ')" \
    "[\"Write\",\"$cp\"] [\"Write\",\"$cp\"] "
rm "$cp"
BATON_CHECKPOINT=$cp fake -f codex "$TEST_TMP/checkpoint.txt"
same "checkpoint: made when missing" "$(cat "$cp")" "step 1: parser done
step 2: tests \$(touch x)"
fake -f claude "$TEST_TMP/checkpoint.txt"
same "no BATON_CHECKPOINT: exit 1" "$RC" "1"
contains "no BATON_CHECKPOINT: said" "$(cat "$TEST_TMP/err")" \
    "BATON_CHECKPOINT is not set"
same "no BATON_CHECKPOINT: a failed result" "$(js 'select(.type ==
    "result") | [.is_error, .result]')" \
    '[true,"checkpoint: BATON_CHECKPOINT is not set"]'
BATON_CHECKPOINT= fake -f claude "$TEST_TMP/checkpoint.txt"
same "an empty BATON_CHECKPOINT: exit 1" "$RC" "1"
BATON_CHECKPOINT=$TEST_TMP/missing/checkpoint.md fake -f codex \
    "$TEST_TMP/checkpoint.txt"
same "an unwritable checkpoint: exit 1" "$RC" "1"
contains "an unwritable checkpoint: turn.failed" "$(js 'select(.type ==
    "turn.failed") | .error.message')" "$TEST_TMP/missing/checkpoint.md"
same "nothing ran, at the end" "$(ls -A)" ""

# 6. A limit that says "try again in 20 seconds", in every format, read
# by baton as a limit that resets 20 seconds after it was seen.
printf 'pace 0\ncall 1 0 0 1\nlimit You\342\200\231ve hit your limit \302\267 try again in 20 seconds\n' \
    >"$TEST_TMP/limit.txt"
for fmt in claude amp codex gemini opencode text; do
	fake -f $fmt "$TEST_TMP/limit.txt"
	[ "$RC" -ne 0 ] || [ $fmt = claude ] || [ $fmt = amp ] ||
	    fail "$fmt: a limit exits 0"
	contains "$fmt: the text is kept" "$(cat "$TEST_TMP/out")" \
	    "try again in 20 seconds"
	events $fmt
	same "$fmt: a limit 20 s on" "$(ev 'select(.kind == "ratelimit") |
	    [.class, .reset_at]')" '["limit",1773154820]'
done

finish
